#!/usr/bin/env bats
# SPEC §7 and the smtps profile over real TCP, with the clients people use: gnutls-cli
# --starttls-proto=smtp, openssl s_client -starttls smtp, python smtplib (starttls(), SMTP_SSL),
# curl --ssl-reqd sending a real message, msmtp. Two listeners (STARTTLS and smtps) run under
# systemd-socket-activate --inetd -a, started in setup_file and stopped in teardown_file.

# bats file_tags=tcp

load helpers

# listen PORT FLAG...: a launcher on 127.0.0.1:PORT; prints its pid.
listen() {
	local port=$1
	shift
	systemd-socket-activate --inetd -a -l "127.0.0.1:$port" "$BADSMTP_BIN" "$@" \
		> /dev/null 2>> "$D/launcher.log" &
	echo $!
}

setup_file() {
	need_launcher
	export D=$BATS_FILE_TMPDIR
	export MD=$D/md CACHE=$D/cache LOG=$D/sessions.log
	export PORT_STARTTLS PORT_SMTPS
	local common=(--cert-cache "$CACHE" --maildir "$MD" --log-target "file:$LOG")
	read -r PORT_STARTTLS PORT_SMTPS < <(free_ports 2)
	PID_STARTTLS=$(listen "$PORT_STARTTLS" --profile plain "${common[@]}")
	PID_SMTPS=$(listen "$PORT_SMTPS" --profile smtps "${common[@]}")
	export PID_STARTTLS PID_SMTPS
	wait_launcher "$D/launcher.log" "$PORT_STARTTLS" && wait_launcher "$D/launcher.log" "$PORT_SMTPS"
	# The first connection warms the certificate cache, so tests never race to generate.
	printf 'QUIT\r\n' | timeout 10 gnutls-cli --insecure --starttls-proto=smtp \
		-p "$PORT_STARTTLS" 127.0.0.1 > /dev/null 2>&1 || true
}

teardown_file() {
	[ -z "${PID_STARTTLS-}" ] || kill "$PID_STARTTLS" 2> /dev/null || true
	[ -z "${PID_SMTPS-}" ] || kill "$PID_SMTPS" 2> /dev/null || true
}

# stored_count: messages in $MD/new.
stored_count() {
	find "$MD/new" -type f 2> /dev/null | wc -l
}

# newest_stored: the file most recently stored.
newest_stored() {
	ls -t "$MD"/new/* | head -1
}

@test "gnutls-cli --starttls-proto=smtp: a session over TLS" {
	run timeout 15 bash -c "(printf 'EHLO client.example\r\nNOOP\r\nQUIT\r\n'; sleep 0.5) |
		gnutls-cli --insecure --starttls-proto=smtp --sni-hostname=gnutls.example -p $PORT_STARTTLS 127.0.0.1"
	grep -q '^250 OK' <<< "$output" || fail "$output"
	grep -q '^221 Bye' <<< "$output" || fail "$output"
	grep -q "subject \`CN=gnutls.example'" <<< "$output" || fail "$output"
	! grep -q '^250-STARTTLS' <<< "$(sed -n '/Handshake was completed/,$p' <<< "$output")" ||
		fail "STARTTLS offered after TLS: $output"
}

@test "gnutls-cli: TLS 1.2 and TLS 1.3 each negotiate" {
	local v
	for v in 1.2 1.3; do
		run timeout 15 bash -c "(printf 'QUIT\r\n'; sleep 0.5) | gnutls-cli --insecure \
			--priority 'NORMAL:-VERS-ALL:+VERS-TLS$v' -p $PORT_SMTPS 127.0.0.1"
		grep -qF "(TLS$v-" <<< "$output" || fail "TLS$v: $output"
		grep -q '^221 Bye' <<< "$output" || fail "TLS$v: $output"
	done
}

@test "openssl s_client -starttls smtp: SNI names the certificate" {
	run timeout 15 bash -c "(printf 'EHLO x\r\nQUIT\r\n'; sleep 0.5) |
		openssl s_client -starttls smtp -crlf -servername openssl.example -connect 127.0.0.1:$PORT_STARTTLS 2>&1"
	grep -q 'subject=CN = openssl.example' <<< "$output" || fail "$output"
	grep -q '^221 Bye' <<< "$output" || fail "$output"
}

@test "openssl s_client on smtps: implicit TLS, greeting after the handshake" {
	run timeout 15 bash -c "(printf 'EHLO x\r\nQUIT\r\n'; sleep 0.5) |
		openssl s_client -crlf -connect 127.0.0.1:$PORT_SMTPS 2>&1"
	grep -q '^220 badsmtp.test ESMTP BadSMTP Server' <<< "$output" || fail "$output"
	grep -q 'subject=CN = badsmtp.test' <<< "$output" || fail "$output"
	grep -q '^221 Bye' <<< "$output" || fail "$output"
}

@test "python smtplib starttls() and SMTP_SSL send messages (ESMTPS)" {
	local before
	before=$(stored_count)
	run timeout 20 $PY - "$PORT_STARTTLS" "$PORT_SMTPS" << 'EOF'
import smtplib, ssl, sys
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
msg = 'Subject: smtplib\r\n\r\nover TLS\r\n'
with smtplib.SMTP('127.0.0.1', int(sys.argv[1]), local_hostname='py.example', timeout=10) as s:
    s.ehlo()
    assert s.has_extn('starttls'), s.esmtp_features
    s.starttls(context=ctx)
    s.ehlo()
    assert not s.has_extn('starttls'), 'STARTTLS offered after TLS'
    print(s.sock.version(), s.sock.cipher()[0])
    s.sendmail('a@example.com', ['b@example.com'], msg)
with smtplib.SMTP_SSL('127.0.0.1', int(sys.argv[2]), local_hostname='py.example', context=ctx, timeout=10) as s:
    s.login('user', 'secret')
    s.sendmail('a@example.com', ['c@example.com'], msg)
print('sent')
EOF
	[ "$status" -eq 0 ] || fail "$output"
	grep -q '^sent$' <<< "$output" || fail "$output"
	[ "$(stored_count)" -eq $((before + 2)) ] || fail "stored: $(stored_count), want $((before + 2))"
	grep -q ' with ESMTPSA id ' "$(newest_stored)" || fail "$(head -3 "$(newest_stored)")"
	grep -l 'X-BadSMTP-Rcpt-To: b@example.com' "$MD"/new/* | xargs grep -q ' with ESMTPS id ' ||
		fail "no ESMTPS message for b@example.com"
}

@test "curl --ssl-reqd smtp:// sends a real message through STARTTLS" {
	local before
	before=$(stored_count)
	printf 'From: a@example.com\r\nTo: d@example.com\r\nSubject: curl\r\n\r\nhello from curl\r\n' > "$D/curl.msg"
	run timeout 15 curl -sS --ssl-reqd -k "smtp://127.0.0.1:$PORT_STARTTLS/curl.example" \
		--mail-from a@example.com --mail-rcpt d@example.com --upload-file "$D/curl.msg"
	[ "$status" -eq 0 ] || fail "curl exit $status: $output"
	[ "$(stored_count)" -eq $((before + 1)) ] || fail "nothing stored"
	grep -q 'hello from curl' "$(newest_stored)" || fail "$(cat "$(newest_stored)")"
	grep -q ' with ESMTPS id ' "$(newest_stored)" || fail "$(head -3 "$(newest_stored)")"
}

@test "msmtp with STARTTLS (its SNI is the IP literal: the --hostname certificate)" {
	command -v msmtp > /dev/null || skip "msmtp is missing"
	local before
	before=$(stored_count)
	run timeout 15 bash -c "printf 'Subject: msmtp\r\n\r\nhi\r\n' | msmtp --host=127.0.0.1 \
		--port=$PORT_STARTTLS --tls=on --tls-starttls=on --tls-certcheck=off \
		--from=a@example.com e@example.com"
	[ "$status" -eq 0 ] || fail "msmtp exit $status: $output"
	[ "$(stored_count)" -eq $((before + 1)) ] || fail "nothing stored"
	grep -q ' with ESMTPS id ' "$(newest_stored)" || fail "$(head -3 "$(newest_stored)")"
}

@test "the logs record each handshake with version, cipher and sni" {
	$PY - "$LOG" << 'EOF'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
ok = [e['fields'] for e in ev if e['message'] == 'TLS handshake successful']
assert len(ok) >= 5, ok
for f in ok:
    assert f['tls_version'] in ('TLS1.2', 'TLS1.3'), f
    assert f['cipher'].startswith('TLS_'), f
assert any(f['sni'] == 'openssl.example' for f in ok), ok
bad = [e for e in ev if e['message'] == 'TLS handshake failed']
assert not bad, [e for e in ev if e['fields'].get('session_id') in {b['fields']['session_id'] for b in bad}]
EOF
}

# bats test_tags=timing
@test "malformed ClientHellos over TCP, after STARTTLS and on smtps: each closed within 2 s, exit 1" {
	local log=$D/bad-hellos.log port_starttls port_smtps pids=()
	read -r port_starttls port_smtps < <(free_ports 2)
	pids+=("$(listen "$port_starttls" --profile plain --cert-cache "$CACHE" --log-target "file:$log")")
	pids+=("$(listen "$port_smtps" --profile smtps --cert-cache "$CACHE" --log-target "file:$log")")
	wait_launcher "$D/launcher.log" "$port_starttls" && wait_launcher "$D/launcher.log" "$port_smtps" ||
		{ kill "${pids[@]}"; false; }
	run timeout 120 $PY - "$port_starttls" "$port_smtps" "$REPO/test/bats/bad-client-hellos.tsv" "$log" << 'EOF'
import codecs, json, socket, sys, time
port_starttls, port_smtps, table, log = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]

def reply(s):
    """One whole reply (lines up to one with a space after the code)."""
    data = b''
    while not (data.endswith(b'\r\n') and data.split(b'\r\n')[-2][3:4] == b' '):
        chunk = s.recv(4096)
        assert chunk, f'EOF inside a reply: {data!r}'
        data += chunk
    return data

rows = []
for line in open(table):
    if line.strip() and not line.startswith('#'):
        name, then, raw = line.rstrip('\n').split('\t')
        rows.append((name, then, codecs.escape_decode(raw.encode())[0]))
assert len(rows) >= 10, rows
for port in (port_starttls, port_smtps):
    for name, then, data in rows:
        s = socket.create_connection(('127.0.0.1', port), timeout=5)
        if port == port_starttls:
            assert reply(s).startswith(b'220 '), name
            s.sendall(b'EHLO x\r\n')
            assert b'STARTTLS' in reply(s), name
            s.sendall(b'STARTTLS\r\n')
            assert reply(s) == b'220 Ready to start TLS\r\n', name
        t0 = time.monotonic()
        s.sendall(data)   # small: one segment
        if then == 'eof':
            s.shutdown(socket.SHUT_WR)
        s.settimeout(2.5)
        rest = b''
        try:
            while chunk := s.recv(4096):
                rest += chunk
        except socket.timeout:
            raise AssertionError(f'{name} (port {port}): still open after 2.5 s')
        took = time.monotonic() - t0
        s.close()
        assert took < 2, f'{name} (port {port}): closed after {took:.2f} s'
        assert rest == b'', f'{name} (port {port}): wrote {rest!r}'
        print(f'{took:.3f} s: {name} (port {port})')
# Every session logged its failed handshake (not a timeout) and ended with exit 1.
want, deadline = 2 * len(rows), time.monotonic() + 5
while True:
    ev = [json.loads(l) for l in open(log)]
    failed = [e['fields'] for e in ev if e['message'] == 'TLS handshake failed']
    closed = [e['fields'] for e in ev if e['message'] == 'SMTP connection closed']
    if len(closed) >= want or time.monotonic() > deadline:
        break
    time.sleep(0.1)
assert len(failed) == want, (len(failed), want)
assert not [f for f in failed if 'timed out' in f['error']], failed
assert len(closed) == want and all(f['exit_status'] == 1 for f in closed), closed
print('all closed')
EOF
	kill "${pids[@]}"
	[ "$status" -eq 0 ] || fail "$output"
	grep -qx 'all closed' <<< "$output" || fail "$output"
}
