#!/usr/bin/env bats
# SPEC §7 and the smtps / starttls-required profiles of §8, over pipes: swaks --pipe (--tls,
# --tls-on-connect), and tls_client.py (Python ssl over MemoryBIO on the session's stdin/stdout)
# for what swaks cannot do: STARTTLS twice, commands after TLS, SNI, forced versions, the
# server certificate, /proc/<pid>/maps of a live session. Plaintext injection, garbage instead of
# a ClientHello, generated and cached certificates, --tls-cert/--tls-key and their errors.

load helpers

READY='220 Ready to start TLS'

setup() {
	common_setup
	# Real time: a handshake (a certificate made first) must fit in the command timeout, which
	# at the 0.01 scale is 3 s, less than it takes under valgrind or on a loaded machine. No
	# test here waits for a timeout.
	export BADSMTP_TIME_SCALE=1
	CACHE=$T/cache
}

# cert_field FILE subject|serial: from a PEM certificate.
cert_field() {
	openssl x509 -in "$1" -noout "-$2" | sed 's/^[a-z]*= *//'
}

# --- swaks over pipes ------------------------------------------------------------------------

# bats test_tags=smoke
@test "swaks --pipe --tls: STARTTLS, a message stored with ESMTPS in Received" {
	MD=$T/md
	run timeout 20 swaks --pipe "$BADSMTP_BIN --cert-cache $CACHE --maildir $MD 2>$SMTP_ERR" \
		--tls --ehlo client.example --from a@example.com --to b@example.com --body 'hello over TLS'
	[ "$status" -eq 0 ] || fail "swaks exit $status" "$output"
	grep -q '^<~  250 OK Message accepted for delivery' <<< "$output" || fail "$output"
	grep -q '^ ~> QUIT' <<< "$output" || fail "QUIT did not go over TLS: $output"
	expect_maildir_count "$MD" 1
	grep -q $'^Received: from client.example (pipe) by badsmtp.test with ESMTPS id sess_' \
		"$(maildir_files "$MD")" || fail "Received: $(sed -n 3p "$(maildir_files "$MD")")"
	log_check "
f = fields('TLS handshake successful')
assert f['tls_version'] in ('TLS1.3', 'TLS1.2'), f
assert f['cipher'].startswith('TLS_'), f
assert f['sni'] == '', f"
}

@test "swaks --pipe --tls-on-connect on --profile smtps: handshake before the greeting" {
	run timeout 20 swaks --pipe "$BADSMTP_BIN --profile smtps --cert-cache $CACHE 2>$SMTP_ERR" \
		--tls-on-connect --from a@example.com --to b@example.com
	[ "$status" -eq 0 ] || fail "swaks exit $status" "$output"
	grep -q '^<~  220 badsmtp.test ESMTP BadSMTP Server' <<< "$output" || fail "$output"
	grep -q '^<~  250 OK Message accepted for delivery' <<< "$output" || fail "$output"
	log_check "
assert fields('SMTP connection established')['tls_enabled'] is True
one('TLS handshake successful')"
}

# --- STARTTLS rules (§7) -----------------------------------------------------------------------

@test "plaintext pipelined behind STARTTLS is discarded, never answered, and logged" {
	smtp_input 'EHLO x' 'STARTTLS' 'NOOP'
	smtp_session --cert-cache "$CACHE"
	expect_status 1
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$READY"
	log_check "
w = one('Plaintext after STARTTLS discarded')
assert w['level'] == 'WARN', w
assert w['fields']['bytes'] == 6, w
assert one('TLS handshake failed')['level'] == 'ERROR'
assert not [e for e in by('SMTP command received') if e['fields']['command'] == 'NOOP']"
}

@test "after TLS: new EHLO required, no STARTTLS in it, STARTTLS gets 554" {
	dialogue '!greeting' 'EHLO x' 'STARTTLS' 'MAIL FROM:<a@example.com>' 'EHLO x' 'STARTTLS' 'QUIT'
	tls_client --
	has "S: $READY"
	has 'TLS: TLSv1.3 TLS_AES_256_GCM_SHA384'
	has 'S: 503 Bad sequence - MAIL not allowed in HELO state'
	has 'S: 554 TLS already started'
	has 'S: 221 Bye'
	has 'EXIT 0'
	[ "$(grep -c '^S: 250-STARTTLS$' <<< "$output")" -eq 1 ] || fail "STARTTLS offered after TLS: $output"
}

# bats test_tags=timing
@test "after TLS: commands in several TLS records of one write are all answered at once" {
	# The records arrive in one read; the session must answer each without waiting for more.
	dialogue '!greeting' 'EHLO x' 'STARTTLS' \
		'!records EHLO y|MAIL FROM:<a@example.com>|RCPT TO:<b@example.com>|NOOP|QUIT'
	local start=$SECONDS
	tls_client --timeout 3 --
	[ $((SECONDS - start)) -lt 3 ] || fail "replies waited for more input: $output"
	sed -n '/^TLS: /,$p' <<< "$output" | grep '^S: ' > "$T/after"
	printf 'S: %s\n' "${EHLO_DEFAULT[@]}" > "$T/want"
	sed -i '/^S: 250-STARTTLS$/d' "$T/want"
	printf 'S: %s\n' '250 OK' '250 OK' '250 OK' '221 Bye' >> "$T/want"
	diff -u "$T/want" "$T/after" || fail "replies after TLS differ (above): $output"
	has 'EXIT 0'
}

@test "after TLS: triggers and EHLO keywords are forgotten" {
	dialogue '!greeting' 'EHLO nopipelining-nosize.example' 'MAIL FROM:<noop550@example.com>' \
		'RSET' 'NOOP' 'STARTTLS' 'EHLO x' 'NOOP' 'QUIT'
	tls_client --
	has 'S: 550 Requested action not taken: mailbox unavailable'
	has 'TLS: TLSv1.3 TLS_AES_256_GCM_SHA384'
	# After TLS: the default EHLO minus STARTTLS, and NOOP is plain again.
	sed -n '/^TLS: /,$p' <<< "$output" > "$T/after"
	grep -qxF 'S: 250-PIPELINING' "$T/after" || fail "keywords kept after TLS: $output"
	grep -qxF 'S: 250-SIZE 10485760' "$T/after" || fail "keywords kept after TLS: $output"
	grep -qxF 'S: 250 OK' "$T/after" || fail "trigger kept after TLS: $output"
	! grep -q '^S: 550' "$T/after" || fail "trigger fired after TLS: $output"
}

# bats test_tags=timing
@test "garbage instead of a ClientHello: closed within 2 s, exit 1, logged" {
	smtp_start --cert-cache "$CACHE"
	smtp_expect "$G"
	smtp_cmd 'EHLO x' "${EHLO_DEFAULT[@]}"
	smtp_cmd STARTTLS "$READY"
	local t0
	t0=$(now_us)
	smtp_send_raw 'this is not a TLS ClientHello\r\n'
	smtp_expect_eof 2
	smtp_wait 2
	between "close after garbage" $((($(now_us) - t0) / 1000)) 0 2000
	[ "$status" -eq 1 ] || fail "exit status: got $status, want 1"
	log_check "
f = one('TLS handshake failed')
assert f['level'] == 'ERROR', f
assert f['fields']['error'] == 'An unexpected TLS packet was received.', f
assert {k: f['fields'][k] for k in ('tls_version', 'cipher', 'sni', 'tls_fault')} == \\
    {'tls_version': '', 'cipher': '', 'sni': '', 'tls_fault': ''}, f
assert fields('SMTP connection closed')['exit_status'] == 1"
}

# bad_hellos: NAMES, THENS and BYTES, the rows of bad-client-hellos.tsv.
bad_hellos() {
	local name then bytes
	NAMES=() THENS=() BYTES=()
	while IFS=$'\t' read -r name then bytes; do
		[ -n "$name" ] && [ "${name:0:1}" != '#' ] || continue
		NAMES+=("$name") THENS+=("$then") BYTES+=("$bytes")
	done < "$BATS_TEST_DIRNAME/bad-client-hellos.tsv"
	[ "${#NAMES[@]}" -ge 10 ] || fail "bad-client-hellos.tsv: ${#NAMES[@]} rows"
}

# expect_hello_refused PROFILE NAME THEN BYTES: a session of PROFILE (plain: after STARTTLS;
# smtps: at once) given BYTES as its ClientHello, then held open or closed (THEN), closes within
# 2 s with exit 1, writing nothing more, and logs the failed handshake, not for a timeout. Real
# time: the handshake bound (30 s) must not be what ends it.
expect_hello_refused() {
	local profile=$1 name=$2 then=$3 bytes=$4 t0
	BADSMTP_TIME_SCALE=1 smtp_start --cert-cache "$CACHE" --profile "$profile"
	if [ "$profile" = plain ]; then
		smtp_expect "$G" && smtp_cmd 'EHLO x' "${EHLO_DEFAULT[@]}" && smtp_cmd STARTTLS "$READY" ||
			fail "$name: no STARTTLS"
	fi
	# In one write(2), as a client's single segment: printf may split at a newline.
	printf '%b' "$bytes" > "$T/hello"
	t0=$(now_us)
	cat "$T/hello" >&"$SMTP_W"
	[ "$then" = hold ] || smtp_close
	smtp_expect_eof 2 || fail "$name: still open after 2 s"
	smtp_wait 2 || fail "$name: still running after 2 s"
	between "$name: close" $((($(now_us) - t0) / 1000)) 0 2000
	[ "$status" -eq 1 ] || fail "$name: exit status $status, want 1"
	log_check "f = one('TLS handshake failed')
assert f['level'] == 'ERROR', f
assert 'timed out' not in f['fields']['error'], f
assert fields('SMTP connection closed')['exit_status'] == 1" || fail "$name: log"
	smtp_close
	exec {SMTP_R}<&-
}

# bats test_tags=timing
@test "malformed ClientHellos after STARTTLS: each closed within 2 s, exit 1, logged" {
	bad_hellos
	for i in "${!NAMES[@]}"; do
		expect_hello_refused plain "${NAMES[i]}" "${THENS[i]}" "${BYTES[i]}"
	done
}

# bats test_tags=timing
@test "malformed ClientHellos on smtps: each closed within 2 s, exit 1, logged" {
	bad_hellos
	for i in "${!NAMES[@]}"; do
		expect_hello_refused smtps "${NAMES[i]}" "${THENS[i]}" "${BYTES[i]}"
	done
}

# bats test_tags=timing
@test "a ClientHello in two TLS records of one write: the handshake completes at once" {
	export BADSMTP_TIME_SCALE=1   # the handshake bound must not be what ends a wait
	dialogue '!greeting' 'EHLO x' 'STARTTLS' 'EHLO y' 'QUIT'
	local start=$SECONDS
	tls_client --split-hello --timeout 3 --
	[ $((SECONDS - start)) -lt 3 ] || fail "the handshake waited: $output"
	has 'TLS: TLSv1.3 TLS_AES_256_GCM_SHA384'
	has 'S: 221 Bye'
	has 'EXIT 0'
	dialogue '!tls' '!greeting' 'QUIT'
	tls_client --split-hello --timeout 3 -- --profile smtps
	has 'S: 220 badsmtp.test ESMTP BadSMTP Server'
	has 'EXIT 0'
}

@test "a client that hangs up during the handshake: exit 1, logged" {
	smtp_start --cert-cache "$CACHE"
	smtp_expect "$G"
	smtp_cmd 'EHLO x' "${EHLO_DEFAULT[@]}"
	smtp_cmd STARTTLS "$READY"
	smtp_send_raw '\x16\x03\x01'
	smtp_close
	smtp_wait 3
	[ "$status" -eq 1 ] || fail "exit status: got $status, want 1"
	log_check "f = fields('TLS handshake failed')
assert f['error'] == 'client went away during the handshake (The TLS connection was non-properly terminated.)', f"
}

@test "TLS 1.2 and TLS 1.3 forced from the client side" {
	dialogue '!greeting' 'EHLO x' 'STARTTLS' 'EHLO x' 'QUIT'
	tls_client --tls 1.2 --
	grep -q '^TLS: TLSv1.2 ' <<< "$output" || fail "$output"
	has 'S: 221 Bye'
	log_check "
f = fields('TLS handshake successful')
assert f['tls_version'] == 'TLS1.2', f
assert f['cipher'].startswith('TLS_ECDHE_ECDSA_WITH_'), f"
	tls_client --tls 1.3 --
	grep -q '^TLS: TLSv1.3 ' <<< "$output" || fail "$output"
	log_check "assert fields('TLS handshake successful')['tls_version'] == 'TLS1.3'"
}

@test "implicit TLS (smtps): a whole session, EHLO without STARTTLS" {
	dialogue '!tls' '!greeting' 'EHLO x' 'STARTTLS' 'QUIT'
	tls_client -- --profile smtps
	has 'S: 220 badsmtp.test ESMTP BadSMTP Server'
	lacks 'S: 250-STARTTLS'
	has 'S: 554 TLS already started'
	has 'EXIT 0'
}

# --- certificates --------------------------------------------------------------------------------

@test "SNI picks the certificate name; no SNI or an IP literal gives --hostname" {
	dialogue '!tls' '!greeting' 'QUIT'
	tls_client --sni Mail.Example.ORG --cert-out "$T/a.pem" -- --profile smtps
	has 'EXIT 0'
	[ "$(cert_field "$T/a.pem" subject)" = 'CN = mail.example.org' ] || fail "$(cert_field "$T/a.pem" subject)"
	openssl x509 -in "$T/a.pem" -noout -ext subjectAltName | grep -q 'DNS:mail.example.org' ||
		fail "$(openssl x509 -in "$T/a.pem" -noout -text)"
	log_check "assert fields('TLS handshake successful')['sni'] == 'Mail.Example.ORG'"

	tls_client --cert-out "$T/b.pem" -- --profile smtps --hostname mx.test
	[ "$(cert_field "$T/b.pem" subject)" = 'CN = mx.test' ] || fail "$(cert_field "$T/b.pem" subject)"

	tls_client --sni 127.0.0.1 --cert-out "$T/c.pem" -- --profile smtps
	[ "$(cert_field "$T/c.pem" subject)" = 'CN = badsmtp.test' ] || fail "$(cert_field "$T/c.pem" subject)"

	tls_client --cert-out "$T/d.pem" -- --profile smtps --hostname 192.0.2.7
	openssl x509 -in "$T/d.pem" -noout -ext subjectAltName | grep -q 'IP Address:192.0.2.7' ||
		fail "$(openssl x509 -in "$T/d.pem" -noout -text)"
}

@test "generated certificate: ECDSA P-256, 30 days from an hour ago, serverAuth, digitalSignature" {
	dialogue '!tls' '!greeting' 'QUIT'
	tls_client --sni gen.example --cert-out "$T/g.pem" -- --profile smtps
	openssl x509 -in "$T/g.pem" -noout -text > "$T/g.txt"
	grep -q 'ASN1 OID: prime256v1' "$T/g.txt" || fail "$(cat "$T/g.txt")"
	grep -q 'TLS Web Server Authentication' "$T/g.txt" || fail "$(cat "$T/g.txt")"
	grep -A1 'Key Usage: critical' "$T/g.txt" | grep -q 'Digital Signature' || fail "$(cat "$T/g.txt")"
	local nb na now
	nb=$(date -d "$(openssl x509 -in "$T/g.pem" -noout -startdate | cut -d= -f2)" +%s)
	na=$(date -d "$(openssl x509 -in "$T/g.pem" -noout -enddate | cut -d= -f2)" +%s)
	now=$(date +%s)
	[ $((now - nb)) -ge 3500 ] && [ $((now - nb)) -le 3700 ] || fail "notBefore $((now - nb)) s ago"
	[ $((na - now)) -ge $((30 * 86400 - 100)) ] && [ $((na - now)) -le $((30 * 86400 + 100)) ] ||
		fail "notAfter in $((na - now)) s"
}

@test "the second connection for a name reuses the cached certificate" {
	dialogue '!tls' '!greeting' 'QUIT'
	tls_client --sni reuse.example --cert-out "$T/1.pem" -- --profile smtps
	local f=$CACHE/cert-reuse.example.pem k=$CACHE/key-reuse.example.pem m1 m2
	[ -f "$f" ] && [ -f "$k" ] || fail "no cache files: $(ls -la "$CACHE")"
	[ "$(stat -c %a "$CACHE")" = 700 ] || fail "cache dir mode $(stat -c %a "$CACHE")"
	[ "$(stat -c %a "$f")" = 600 ] || fail "cache file mode $(stat -c %a "$f")"
	m1=$(stat -c "%y %i" "$f" "$k")
	tls_client --sni reuse.example --cert-out "$T/2.pem" -- --profile smtps
	m2=$(stat -c "%y %i" "$f" "$k")
	[ "$m1" = "$m2" ] || fail "cache file rewritten ($m1 -> $m2)"
	[ "$(cert_field "$T/1.pem" serial)" = "$(cert_field "$T/2.pem" serial)" ] || fail "new serial"
	# A different name: another file, another serial.
	tls_client --sni other.example --cert-out "$T/3.pem" -- --profile smtps
	[ "$(cert_field "$T/1.pem" serial)" != "$(cert_field "$T/3.pem" serial)" ] || fail "same serial"
	[ "$(ls "$CACHE" | tr '\n' ' ')" = 'cert-other.example.pem cert-reuse.example.pem key-other.example.pem key-reuse.example.pem ' ] ||
		fail "$(ls -la "$CACHE")"
}

# pubkey FILE: the public key of a PEM certificate or private key.
pubkey() {
	if grep -q 'PRIVATE KEY' "$1"; then openssl pkey -in "$1" -pubout; else openssl x509 -in "$1" -noout -pubkey; fi
}

# expect_cache_pair NAME SERVED: the cache holds cert-NAME.pem, the served certificate alone (one
# PEM block, no key), and key-NAME.pem, its private key; both 0600.
expect_cache_pair() {
	local c=$CACHE/cert-$1.pem k=$CACHE/key-$1.pem
	[ "$(stat -c %a "$c")" = 600 ] && [ "$(stat -c %a "$k")" = 600 ] ||
		fail "modes: $(ls -la "$CACHE")"
	! grep -q 'PRIVATE KEY' "$c" || fail "the certificate file holds a key:" "$(cat "$c")"
	[ "$(openssl x509 -in "$c")" = "$(cat "$c")" ] || fail "not one PEM certificate alone:" "$(cat "$c")"
	[ "$(cert_field "$c" serial)" = "$(cert_field "$2" serial)" ] || fail "not the served certificate"
	grep -qx -- '-----BEGIN PRIVATE KEY-----' "$k" || fail "no PKCS#8 key: $(head -1 "$k")"
	[ "$(pubkey "$k")" = "$(pubkey "$c")" ] || fail "key-$1.pem is not the key of cert-$1.pem"
}

@test "after a STARTTLS the cache holds the certificate alone, and its key apart (0600)" {
	dialogue '!greeting' 'EHLO x' 'STARTTLS' 'QUIT'
	tls_client --sni split.example --cert-out "$T/served.pem" --
	has 'S: 221 Bye'
	expect_cache_pair split.example "$T/served.pem"
	# What doc/tls-faults.md and the man page say to do with it: trust it as a CA file.
	openssl verify -CAfile "$CACHE/cert-split.example.pem" "$T/served.pem" > /dev/null ||
		fail "the cached certificate does not verify the served one"
}

@test "an old cache entry (certificate and key in cert-NAME.pem) is split, same certificate" {
	make_pair old.example
	mkdir -m 700 "$CACHE"
	cat "$T/old.example.crt" "$T/old.example.key" > "$CACHE/cert-old.example.pem"
	chmod 600 "$CACHE/cert-old.example.pem"
	dialogue '!tls' '!greeting' 'QUIT'
	tls_client --sni old.example --cert-out "$T/served.pem" -- --profile smtps --log-level debug
	has 'EXIT 0'
	[ "$(cert_field "$T/served.pem" serial)" = "$(cert_field "$T/old.example.crt" serial)" ] ||
		fail "the old certificate was not served"
	expect_cache_pair old.example "$T/served.pem"
	cmp "$CACHE/cert-old.example.pem" "$T/old.example.crt" || fail "certificate file changed"
	cmp "$CACHE/key-old.example.pem" "$T/old.example.key" || fail "key file is not the old key"
	log_check "assert fields('TLS certificate cache entry split into certificate and key')['path'] == '$CACHE/cert-old.example.pem'"
}

@test "a cached certificate beside a key not its own is never served: a new pair replaces both" {
	make_pair mixed.example
	make_pair other.example
	mkdir -m 700 "$CACHE"
	cp "$T/mixed.example.crt" "$CACHE/cert-mixed.example.pem"
	cp "$T/other.example.key" "$CACHE/key-mixed.example.pem"
	chmod 600 "$CACHE"/*.pem
	dialogue '!tls' '!greeting' 'QUIT'
	tls_client --sni mixed.example --cert-out "$T/served.pem" -- --profile smtps
	has 'EXIT 0'
	[ "$(cert_field "$T/served.pem" serial)" != "$(cert_field "$T/mixed.example.crt" serial)" ] ||
		fail "the mismatched certificate was served"
	expect_cache_pair mixed.example "$T/served.pem"
}

@test "an unusable cert cache: TLS still works, with a warning saying why" {
	local cache why
	: > "$T/not-a-dir"
	mkdir -m 0770 "$T/open"
	chmod 0770 "$T/open"   # whatever the umask
	while IFS='|' read -r cache why; do
		CACHE=$cache
		dialogue '!tls' '!greeting' 'QUIT'
		tls_client -- --profile smtps
		has 'EXIT 0'
		log_check "w = by('TLS certificate cache not usable, certificate kept in memory')[0]
assert w['level'] == 'WARN', w
assert w['fields']['error'] == '$cache: $why', w" || fail "$cache"
	done <<- EOF
		$T/not-a-dir/cache|Not a directory
		$T/not-a-dir|Not a directory
		$T/open|not a directory owned by us and closed to others
	EOF
}

@test "--tls-cert/--tls-key: the given certificate is served" {
	make_pair files.example
	dialogue '!greeting' 'EHLO x' 'STARTTLS' 'QUIT'
	tls_client --sni other.example --cert-out "$T/f.pem" -- --tls-cert "$T/files.example.crt" --tls-key "$T/files.example.key"
	has 'S: 221 Bye'
	[ "$(cert_field "$T/f.pem" subject)" = 'CN = files.example' ] || fail "$(cert_field "$T/f.pem" subject)"
	[ ! -e "$CACHE/cert-other.example.pem" ] || fail "generated a certificate anyway"
}

@test "--tls-key not matching --tls-cert: exit 100, one clear line, nothing on stdout" {
	make_pair one.example
	make_pair two.example
	smtp_input 'EHLO x' 'QUIT'
	smtp_session --cert-cache "$CACHE" --tls-cert "$T/one.example.crt" --tls-key "$T/two.example.key"
	expect_status 100
	expect_out
	[ "$(wc -l < "$SMTP_ERR")" -eq 1 ] || fail "$(cat "$SMTP_ERR")"
	grep -q 'do not match' "$SMTP_ERR" || fail "$(cat "$SMTP_ERR")"
}

@test "a missing or non-PEM --tls-key, or only one of the pair: exit 100" {
	make_pair one.example
	smtp_input 'QUIT'
	smtp_session --cert-cache "$CACHE" --tls-cert "$T/one.example.crt" --tls-key "$T/nope.key"
	expect_status 100
	expect_out
	grep -q 'nope.key' "$SMTP_ERR" || fail "$(cat "$SMTP_ERR")"
	smtp_session --cert-cache "$CACHE" --tls-cert "$T/one.example.crt" --tls-key "$T/one.example.crt"
	expect_status 100
	expect_out
	smtp_session --cert-cache "$CACHE" --tls-cert "$T/one.example.crt"
	expect_status 100
	expect_out
}

# bats test_tags=release
@test "a verified pair is not re-checked by later sessions (no GnuTLS for plain sessions)" {
	make_pair one.example
	smtp_input 'QUIT'
	smtp_session --cert-cache "$CACHE" --tls-cert "$T/one.example.crt" --tls-key "$T/one.example.key"
	expect_status 0
	ls "$CACHE"/verified-*.stamp > /dev/null || fail "no stamp: $(ls -la "$CACHE")"
	dialogue '!greeting' 'EHLO x' '!maps' 'QUIT'
	tls_client -- --tls-cert "$T/one.example.crt" --tls-key "$T/one.example.key"
	has 'MAPS gnutls=no'
}

# --- loading GnuTLS (§7: a plain session does not pay for TLS) ---------------------------------

# bats test_tags=release
@test "a live plain session has no libgnutls mapped; after STARTTLS it has" {
	dialogue '!greeting' 'EHLO x' 'MAIL FROM:<a@example.com>' 'RSET' '!maps' 'STARTTLS' '!maps' 'QUIT'
	tls_client --
	[ "$(grep '^MAPS' <<< "$output" | tr '\n' ' ')" = 'MAPS gnutls=no MAPS gnutls=yes ' ] ||
		fail "$output"
	has 'EXIT 0'
}

# --- starttls-required (§8) ----------------------------------------------------------------------

@test "starttls-required: MAIL and AUTH after EHLO get 530; after STARTTLS they work" {
	smtp_input 'EHLO x' 'MAIL FROM:<a@example.com>' 'AUTH PLAIN AGEAYg==' 'QUIT'
	smtp_session --profile starttls-required
	expect_status 0
	expect_out "$G" "${EHLO_DEFAULT[@]}" '530 Must issue a STARTTLS command first' \
		'530 Must issue a STARTTLS command first' "$BYE"

	dialogue '!greeting' 'EHLO x' 'STARTTLS' 'EHLO x' 'AUTH PLAIN AGEAYg==' 'MAIL FROM:<a@example.com>' 'QUIT'
	tls_client -- --profile starttls-required
	has 'S: 235 Authentication successful'
	has 'S: 250 OK'
	lacks 'S: 530 Must issue a STARTTLS command first'
}

# --- the static badsmtp-session and its twin, badsmtp-session-tls (src/handoff.h) ----------------

# needs_static: skip unless BADSMTP_BIN is the static build's ELF with its twin beside it (a
# LINK=dynamic build, for sanitizers and valgrind, hands nothing off).
needs_static() {
	TWIN=$(dirname "$BADSMTP_BIN")/badsmtp-session-tls
	{ [ -x "$TWIN" ] && [ "$(head -c 4 "$BADSMTP_BIN" | tr -d '\177')" = ELF ] &&
		! ldd "$BADSMTP_BIN" > /dev/null 2>&1; } || skip "not the static build (LINK=dynamic)"
}

# alone: BADSMTP_BIN becomes a copy of badsmtp-session with no twin beside it.
alone() {
	mkdir -p "$T/alone"
	cp "$BADSMTP_BIN" "$T/alone/badsmtp-session"
	BADSMTP_BIN=$T/alone/badsmtp-session
}

# json_values FIELD: the distinct values of FIELD in the JSON log lines of $SMTP_ERR.
json_values() {
	/usr/bin/python3 -c 'import json, sys
print(" ".join(sorted({str(json.loads(l).get(sys.argv[1])) for l in open(sys.argv[2]) if l.startswith("{")})))' \
		"$1" "$SMTP_ERR"
}

# bats test_tags=release
@test "badsmtp-session is statically linked; its twin links libc only" {
	needs_static
	run ldd "$BADSMTP_BIN"
	[[ $output == *"not a dynamic executable"* ]] || fail "badsmtp-session: $output"
	run ldd "$TWIN"
	[ "$status" -eq 0 ] || fail "$output"
	local extra
	extra=$(awk '$1 !~ /^(linux-vdso\.so\.1|libc\.so\.6|\/lib64\/ld-linux-x86-64\.so\.2)$/' <<< "$output")
	[ -z "$extra" ] || fail "the twin links more than libc: $extra"
}

# bats test_tags=release
@test "STARTTLS in the twin: one session id, one connection established and one closed" {
	dialogue '!greeting' 'EHLO x' 'STARTTLS' 'EHLO y' 'QUIT'
	tls_client -- --hostname mx.example
	has 'S: 250-mx.example'
	has 'EXIT 0'
	[ "$(json_values session_id | wc -w)" = 1 ] || fail "session ids: $(json_values session_id)"
	[ "$(grep -c 'SMTP connection established' "$SMTP_ERR")" = 1 ] || fail "$(cat "$SMTP_ERR")"
	[ "$(grep -c 'SMTP connection closed' "$SMTP_ERR")" = 1 ] || fail "$(cat "$SMTP_ERR")"
	grep -q '"message":"TLS handshake successful"' "$SMTP_ERR" || fail "$(cat "$SMTP_ERR")"
}

# bats test_tags=release
@test "twin missing: STARTTLS gets 454, the error names it, the session goes on" {
	needs_static
	alone
	smtp_input 'EHLO x' 'STARTTLS' 'NOOP' 'QUIT'
	smtp_session
	expect_status 0
	expect_out "$G" "${EHLO_DEFAULT[@]}" '454 TLS not available due to temporary reason' \
		'250 OK' "$BYE"
	grep -q '"message":"TLS not available".*badsmtp-session-tls' "$SMTP_ERR" ||
		fail "$(cat "$SMTP_ERR")"
}

# bats test_tags=release
@test "twin missing: smtps ends the session (exit 1) without writing a byte" {
	needs_static
	alone
	smtp_input 'EHLO x'
	smtp_session --profile smtps
	expect_status 1
	expect_out
	grep -q "\"message\":\"TLS not available\".*cannot run $T/alone/badsmtp-session-tls: No such file or directory" \
		"$SMTP_ERR" || fail "$(cat "$SMTP_ERR")"
}

# bats test_tags=release
@test "twin missing: journald logging and an unverified --tls-cert pair are start-up errors (111)" {
	needs_static
	make_pair one.example
	alone
	smtp_input 'QUIT'
	local want="badsmtp-session: cannot run $T/alone/badsmtp-session-tls: No such file or directory"
	smtp_session --log-target journal
	expect_status 111
	expect_out
	[ "$(cat "$SMTP_ERR")" = "$want" ] || fail "got: $(cat "$SMTP_ERR")" "want: $want"
	smtp_session --cert-cache "$CACHE" --tls-cert "$T/one.example.crt" --tls-key "$T/one.example.key"
	expect_status 111
	expect_out
	[ "$(cat "$SMTP_ERR")" = "$want" ] || fail "got: $(cat "$SMTP_ERR")" "want: $want"
}

# bats test_tags=release
@test "the twin verifies a --tls-cert pair once; later plain sessions stay static" {
	needs_static
	make_pair one.example
	smtp_input 'QUIT'
	smtp_session --cert-cache "$CACHE" --tls-cert "$T/one.example.crt" --tls-key "$T/one.example.key"
	expect_status 0
	expect_out "$G" "$BYE"
	alone
	smtp_session --cert-cache "$CACHE" --tls-cert "$T/one.example.crt" --tls-key "$T/one.example.key"
	expect_status 0
	expect_out "$G" "$BYE"
}
