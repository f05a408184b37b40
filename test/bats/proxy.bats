#!/usr/bin/env bats
# SPEC §20 and §21 through a pipe (which counts as a trusted peer): with --proxy-protocol the
# session reads exactly a PROXY v1 or v2 header first and takes the client's address from it for
# every log event and the Received: header; LOCAL and UNKNOWN leave the peer as it is; a missing,
# malformed or late header closes the session without a greeting; bytes behind the header are
# the client's first input; the address survives the hand-off to the twin at STARTTLS. Over TCP
# (untrusted peers, smtps, HAProxy): test/integration/proxy.bats.

load helpers

V2SIG='\r\n\r\n\x00\r\nQUIT\n'
# PROXY v2, PROXY over TCP/IPv4: 192.0.2.9:40000 -> 127.0.0.1:25
V2_INET="$V2SIG"'\x21\x11\x00\x0c\xc0\x00\x02\x09\x7f\x00\x00\x01\x9c\x40\x00\x19'
# PROXY v2, PROXY over TCP/IPv6: 2001:db8::2:443 -> ::1:25
V2_INET6="$V2SIG"'\x21\x21\x00\x24\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02'
V2_INET6="$V2_INET6"'\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x01\xbb\x00\x19'
# PROXY v2 LOCAL (a health check), with an address block to be ignored
V2_LOCAL="$V2SIG"'\x20\x11\x00\x0c\xc0\x00\x02\x09\x7f\x00\x00\x01\x9c\x40\x00\x19'

# every event's client_ip, and the established event's client_port (absent: None)
proxied_as() {
	log_check "
ips = {e['fields']['client_ip'] for e in ev}
assert ips == {'$1'}, ips
assert fields('SMTP connection established').get('client_port') == $2, fields('SMTP connection established')
"
}

@test "PROXY v1 TCP4: the client's address in every event and in Received:, the session as usual" {
	smtp_append_raw 'PROXY TCP4 192.0.2.7 127.0.0.1 4242 25\r\n'
	smtp_append 'EHLO client.example' 'MAIL FROM:<a@example.com>' 'RCPT TO:<b@example.com>' 'DATA' \
		'Subject: proxied' '' 'hi' '.' 'QUIT'
	smtp_session --proxy-protocol --maildir "$T/md"
	expect_status 0
	expect_out "$G" "${EHLO_DEFAULT[@]}" '250 OK' '250 OK' "$GO_AHEAD" "$ACCEPTED" "$BYE"
	proxied_as 192.0.2.7 4242
	expect_maildir_count "$T/md" 1
	printf 'Subject: proxied\r\n\r\nhi\r\n' > "$T/body"
	STORED_CLIENT_IP=192.0.2.7 expect_stored "$(maildir_files "$T/md")" a@example.com \
		b@example.com client.example ESMTP "$T/body"
}

@test "PROXY v1 TCP6 and v2 over IPv4 and IPv6 give the client's address and port" {
	smtp_append_raw 'PROXY TCP6 2001:db8::1 ::1 56324 25\r\n'
	smtp_append 'QUIT'
	smtp_session --proxy-protocol
	expect_status 0
	expect_out "$G" "$BYE"
	proxied_as 2001:db8::1 56324
	smtp_input
	smtp_append_raw "$V2_INET"
	smtp_append 'QUIT'
	smtp_session --proxy-protocol
	expect_out "$G" "$BYE"
	proxied_as 192.0.2.9 40000
	smtp_input
	smtp_append_raw "$V2_INET6"
	smtp_append 'QUIT'
	smtp_session --proxy-protocol
	expect_out "$G" "$BYE"
	proxied_as 2001:db8::2 443
}

@test "PROXY v2 LOCAL and v1 UNKNOWN: the socket's peer stands (here: pipe)" {
	smtp_append_raw "$V2_LOCAL"
	smtp_append 'QUIT'
	smtp_session --proxy-protocol
	expect_status 0
	expect_out "$G" "$BYE"
	proxied_as pipe None
	smtp_input
	smtp_append_raw 'PROXY UNKNOWN 192.0.2.1 192.0.2.2 1 2\r\n'
	smtp_append 'QUIT'
	smtp_session --proxy-protocol
	expect_out "$G" "$BYE"
	proxied_as pipe None
}

@test "bytes behind the header in the same write are the client's first input" {
	# one write: header, EHLO, NOOP, QUIT; each is answered, after the greeting
	smtp_append_raw 'PROXY TCP4 192.0.2.7 127.0.0.1 4242 25\r\nEHLO x\r\nNOOP\r\nQUIT\r\n'
	smtp_session --proxy-protocol
	expect_status 0
	expect_out "$G" "${EHLO_DEFAULT[@]}" '250 OK' "$BYE"
	proxied_as 192.0.2.7 4242
	log_check "assert [e['fields']['command'] for e in by('SMTP command received')] == ['EHLO', 'NOOP', 'QUIT']"
}

refused() {
	expect_status 1
	expect_out
	log_check "
e = one('SMTP connection refused')
assert e['level'] == 'WARN', e
assert e['fields']['reason'] == 'proxy_header' and e['fields']['client_ip'] == 'pipe', e
assert e['fields']['port'] == ${1:-0}, e
assert not by('SMTP connection established') and not by('SMTP response sent'), ev
"
}

@test "a missing, malformed or incomplete header: closed without a greeting, refused, exit 1" {
	smtp_append 'EHLO client.example' 'QUIT'
	smtp_session --proxy-protocol
	refused
	smtp_input
	smtp_append_raw 'PROXY TCP4 192.0.2.7 127.0.0.1 65536 25\r\nQUIT\r\n'
	smtp_session --proxy-protocol --port 2525
	refused 2525
	smtp_input
	smtp_append_raw 'PROXY TCP4 192.0.2.7 127.0.0.1 1 25\nQUIT\r\n'
	smtp_session --proxy-protocol
	refused
	smtp_input
	smtp_append_raw "$V2SIG"'\x22\x11\x00\x0c'
	smtp_session --proxy-protocol
	refused
	# the client hangs up half-way through
	smtp_input
	smtp_append_raw 'PROXY TCP4 192.0.2.7 127.0'
	smtp_session --proxy-protocol
	refused
	# nothing at all
	smtp_input
	smtp_session --proxy-protocol
	refused
}

@test "a header that does not come within --timeout: refused, closed without a greeting" {
	smtp_append_raw 'PROXY TCP4 192.0.2.7 127.0'
	SMTP_HOLD=10
	# 300 s x 0.01 = 3 s
	smtp_session --proxy-protocol
	refused
	between "the wait for the header" "$SMTP_ELAPSED_MS" 2900 8000
}

@test "without --proxy-protocol a PROXY line is an unknown command; BADSMTP_PROXY_PROTOCOL=1 turns it on" {
	smtp_append_raw 'PROXY TCP4 192.0.2.7 127.0.0.1 4242 25\r\nQUIT\r\n'
	smtp_session
	expect_status 0
	expect_out "$G" '500 Command not recognised' "$BYE"
	BADSMTP_PROXY_PROTOCOL=1 smtp_session
	expect_out "$G" "$BYE"
	proxied_as 192.0.2.7 4242
}

@test "STARTTLS after a PROXY header: the twin resumes with the client's address" {
	command -v swaks > /dev/null || skip "swaks is missing"
	run timeout 30 swaks --pipe "$BADSMTP_BIN --proxy-protocol --maildir $T/md --cert-cache $T/cache 2>$SMTP_ERR" \
		--proxy-version 1 --proxy-family TCP4 --proxy-source 198.51.100.4 --proxy-source-port 5151 \
		--proxy-dest 127.0.0.1 --proxy-dest-port 25 --tls --ehlo client.example \
		--from a@example.com --to b@example.com
	[ "$status" -eq 0 ] || fail "swaks exit $status" "$output"
	proxied_as 198.51.100.4 5151
	log_check "assert len(by('TLS handshake successful')) == 1"
	expect_maildir_count "$T/md" 1
	grep -q $'^Received: from client.example (198.51.100.4) by badsmtp.test with ESMTPS id sess_' \
		"$T"/md/new/* || { cat "$T"/md/new/*; false; }
}
