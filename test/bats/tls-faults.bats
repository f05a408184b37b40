#!/usr/bin/env bats
# SPEC §16 over pipes: the test CA (--print-ca), every TLS fault through each selector that
# applies — EHLO keyword tls{fault} before STARTTLS, the SNI's first label on STARTTLS and on
# implicit TLS, the tls-{fault} profiles — seen by Python's ssl with the test CA as its only trust
# anchor (tls_client.py --ca: OpenSSL's verification code and text); the certificates themselves
# (window, names, issuer, signature, key); the protocol pins; abort, alert and hang byte for byte
# on a raw ClientHello (client_hello.py); clientcert; inject; the refusal of a fault this GnuTLS
# will not do (454 4.7.0); the cache (one generation for 50 sessions at once; an unusable cache
# still serves every fault); bad input (SNIs that are no names, conflicting selectors, unknown
# parts, garbage instead of a ClientHello); the log fields. One certificate cache for the file
# (setup_file): each certificate is made once for all its tests.

load helpers

NAME=mail.example.test

setup_file() {
	export FAULT_CACHE=$BATS_FILE_TMPDIR/cache FAULT_CA=$BATS_FILE_TMPDIR/ca.pem
	"$BADSMTP_BIN" --print-ca --cert-cache "$FAULT_CACHE" > "$FAULT_CA"
}

setup() {
	common_setup
	# GnuTLS under memcheck needs seconds per handshake: real time, not the 0.01 scale
	[ "${BADSMTP_UNDER_VALGRIND:-0}" = 1 ] && export BADSMTP_TIME_SCALE=1
	CACHE=$FAULT_CACHE
}

# What Python's ssl, trusting the test CA alone and checking the name it sent as SNI, makes of
# each fault: "ok VERSION" (the handshake completes with that version), "verify CODE TEXT" (its
# verification fails with X509_V_ERR CODE), or "error TEXT" (the handshake fails with TEXT in
# the error). {name} is the SNI.
VERDICTS='trusted ok TLSv1.3
expired verify 10 certificate has expired
notyetvalid verify 9 certificate is not yet valid
wronghost verify 62 Hostname mismatch, certificate is not valid for '"'{name}'"'.
untrusted verify 20 unable to get local issuer certificate
selfsigned verify 18 self-signed certificate
incomplete verify 20 unable to get local issuer certificate
chain ok TLSv1.3
sha1 verify 68 CA signature digest algorithm too weak
rsa1024 verify 66 EE certificate key too weak
v10 error legacy sigalg disallowed or unsupported
v11 error legacy sigalg disallowed or unsupported
v12 ok TLSv1.2
v13 ok TLSv1.3
abort error server closed during the handshake
alert error SSLV3_ALERT_HANDSHAKE_FAILURE
clientcert error TLSV13_ALERT_CERTIFICATE_REQUIRED'

# The error the server logs when the handshake fails on its side, or the client goes away
# without an alert (SPEC §16: the GnuTLS error); a client's verification failure gives the
# alert it sends.
SERVER_ERRORS='abort abort: closed after the ClientHello without a word
alert alert: handshake_failure sent for the ClientHello
clientcert Certificate is required.
v10 client went away during the handshake (The TLS connection was non-properly terminated.)
v11 client went away during the handshake (The TLS connection was non-properly terminated.)'

# expect_verdict FAULT SNI: $output (tls_client's transcript) shows the verdict of VERDICTS, and
# the log says which fault applied, in both handshake events, and the server's error of
# SERVER_ERRORS.
expect_verdict() {
	local fault=$1 name=$2 kind want event error
	read -r _ kind want < <(grep "^$fault " <<< "$VERDICTS")
	error=$(sed -n "s/^$fault //p" <<< "$SERVER_ERRORS")
	want=${want//\{name\}/$name}
	case $kind in
	ok)
		grep -q "^TLS: $want " <<< "$output" || fail "$fault: want TLS: $want" "$output"
		event='TLS handshake successful' ;;
	verify)
		has "VERIFY: $want"
		event='TLS handshake failed' ;;
	error)
		grep -q "^ERROR: .*$want" <<< "$output" || fail "$fault: want an error with: $want" "$output"
		lacks 'S: 221 Bye'
		event='TLS handshake failed' ;;
	esac
	# clientcert: the client's side completes (TLS 1.3), the server's does not
	[ "$fault" = clientcert ] && event='TLS handshake failed'
	log_check "
f = fields('$event')
assert f['tls_fault'] == '$fault', f
assert f['sni'] == '$name', f
assert '$event' == 'TLS handshake successful' or f['error'], f
assert not '''$error''' or f['error'] == '''$error''', f" ||
		fail "$fault: the log" "$output"
}

# for_fault FAULT CMD...: CMD, for a session of that fault. LeakSanitizer (clang 14, glibc 2.36)
# crashes at exit in a process where GnuTLS has generated an RSA key ("Tracer caught signal 11",
# walking the dynamic TLS the generation set up): under the sanitizers, sessions of rsa1024 run
# without the leak check, ASan and UBSan still on. Any other binary ignores ASAN_OPTIONS.
for_fault() {
	local f=$1
	shift
	if [ "$f" = rsa1024 ]; then
		ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 "$@"
	else
		"$@"
	fi
}

# each_fault: the faults of VERDICTS, one a line.
each_fault() {
	cut -d' ' -f1 <<< "$VERDICTS"
}

# --- the test CA -----------------------------------------------------------------------------

@test "--print-ca: the test CA, PEM, exit 0; ca.pem and ca-key.pem 0600; the same every time" {
	run "$BADSMTP_BIN" --print-ca --cert-cache "$CACHE"
	[ "$status" -eq 0 ] || fail "exit $status: $output"
	diff <(printf '%s\n' "$output") "$FAULT_CA" || fail "a second --print-ca printed another CA"
	diff "$CACHE/ca.pem" "$FAULT_CA" || fail "not ca.pem"
	[ "$(stat -c %a "$CACHE/ca.pem") $(stat -c %a "$CACHE/ca-key.pem")" = '600 600' ] ||
		fail "modes: $(stat -c '%n %a' "$CACHE"/ca*.pem)"
	grep -q 'PRIVATE KEY' "$CACHE/ca-key.pem" || fail "no key in ca-key.pem"
	! grep -q 'PRIVATE KEY' "$FAULT_CA" || fail "--print-ca printed a key"
	inspect "$FAULT_CA"
	[ "$output" = 'cn=BadSMTP Test CA san= issuer=BadSMTP Test CA from=-1h until=3650d sig=ecdsa-with-SHA256 key=EC-256 ca=yes' ] ||
		fail "$output"
}

@test "--print-ca in a new cache makes the CA there, from the static binary too; unusable cache: 111" {
	run "$BADSMTP_BIN" --cert-cache "$T/new" --print-ca
	[ "$status" -eq 0 ] || fail "exit $status: $output"
	diff <(printf '%s\n' "$output") "$T/new/ca.pem" || fail "not the new ca.pem"
	! diff -q "$T/new/ca.pem" "$FAULT_CA" > /dev/null || fail "the same CA in two caches"
	: > "$T/file"
	run "$BADSMTP_BIN" --print-ca --cert-cache "$T/file/cache"
	[ "$status" -eq 111 ] || fail "exit $status: $output"
	[[ $output == *"$T/file/cache"* && $output != *BEGIN* ]] || fail "$output"
}

# --- every fault through every selector --------------------------------------------------------

# each_verdict HELLO SNI [FLAG...]: for every fault of VERDICTS, a session that begins with
# HELLO ('!tls': implicit TLS; else the EHLO name to give before STARTTLS), with that SNI and
# FLAGs, {f} standing for the fault in each; its verdict checked.
each_verdict() {
	local hello=$1 sni=$2 f
	shift 2
	for f in $(each_fault); do
		if [ "$hello" = '!tls' ]; then
			dialogue '!tls' '!greeting' 'EHLO x' QUIT
		else
			dialogue '!greeting' "EHLO ${hello//\{f\}/$f}" STARTTLS 'EHLO x' QUIT
		fi
		for_fault "$f" tls_client --ca "$FAULT_CA" --sni "${sni//\{f\}/$f}" -- "${@//\{f\}/$f}"
		expect_verdict "$f" "${sni//\{f\}/$f}"
	done
}

@test "EHLO tls{fault}, then STARTTLS: Python with the test CA sees exactly each fault's failure" {
	each_verdict 'tls{f}.client.example' "$NAME"
}

@test "SNI tls{fault}.example after STARTTLS: each fault's failure, the certificate for the SNI" {
	each_verdict client.example 'tls{f}.example.test'
}

@test "SNI x-tls{fault}.example on implicit TLS (smtps): each fault's failure" {
	each_verdict '!tls' 'x-tls{f}.example.test' --profile smtps
}

@test "the tls-{fault} profiles (implicit TLS): each fault's failure" {
	each_verdict '!tls' "$NAME" --profile 'tls-{f}'
	log_check "f = fields('SMTP connection established')
assert f['profile'] == 'tls-clientcert' and f['tls_enabled'] is True, f"
}

@test "the tls- ports 25700 + k: --port picks the same profiles, in SPEC §16's order" {
	local k=0 f
	for f in trusted expired notyetvalid wronghost untrusted selfsigned incomplete chain sha1 \
		rsa1024 v10 v11 v12 v13 abort alert hang clientcert; do
		smtp_input 'QUIT'
		for_fault "$f" smtp_session --port $((25700 + k)) --cert-cache "$CACHE"
		log_check "assert fields('SMTP connection established')['profile'] == 'tls-$f'" ||
			fail "port $((25700 + k))"
		k=$((k + 1))
	done
}

@test "trusted and chain verify cleanly and carry a whole session; no SNI: --hostname's name" {
	dialogue '!greeting' 'EHLO tlschain.x' STARTTLS 'EHLO x' 'MAIL FROM:<a@example.com>' \
		'RCPT TO:<b@example.com>' DATA '!raw hi\r\n' '.' QUIT
	tls_client --ca "$FAULT_CA" --sni "$NAME" -- --maildir "$T/md"
	has 'S: 250 OK Message accepted for delivery'
	has 'S: 221 Bye'
	expect_maildir_count "$T/md" 1
	dialogue '!tls' '!greeting' QUIT
	tls_client --cert-out "$T/leaf.pem" -- --profile tls-trusted
	has 'S: 221 Bye'
	inspect "$T/leaf.pem"
	[[ $output == 'cn=badsmtp.test san=badsmtp.test issuer=BadSMTP Test CA '* ]] || fail "$output"
}

# --- the certificates --------------------------------------------------------------------------

# inspect FILE: its first certificate as one line: cn, san (DNS names), issuer CN, validity from
# and until relative to now (hours under half a day, else days), signature algorithm, key.
inspect() {
	output=$(/usr/bin/python3 - "$1" << 'EOF'
import re, ssl, subprocess, sys, time
text = subprocess.run(['openssl', 'x509', '-in', sys.argv[1], '-noout', '-text'],
                      capture_output=True, text=True, check=True).stdout
def cn(what):
    m = re.search(what + r': .*?CN ?= ?([^,\n]+)', text)
    return m.group(1).strip() if m else ''
def rel(field):
    t = ssl.cert_time_to_seconds(re.search(field + r'\s*: (.*)', text).group(1).strip())
    d = t - time.time()
    return f'{round(d / 3600)}h' if abs(d) < 12 * 3600 else f'{round(d / 86400)}d'
san = ','.join(re.findall(r'DNS:([^,\s]+)', text))
sig = re.search(r'Signature Algorithm: (\S+)', text).group(1)
bits = re.search(r'Public-Key: \((\d+) bit\)', text).group(1)
kind = 'RSA' if 'rsaEncryption' in text else 'EC'
ca = 'yes' if re.search(r'CA:TRUE', text) else 'no'
print(f'cn={cn("Subject")} san={san} issuer={cn("Issuer")} from={rel("Not Before")} '
      f'until={rel("Not After")} sig={sig} key={kind}-{bits} ca={ca}')
EOF
)
}

@test "the certificates: validity window, CN and SAN, issuer, signature algorithm, key size" {
	local f want
	while read -r f want; do
		dialogue '!tls' '!greeting' QUIT
		for_fault "$f" tls_client --sni "$NAME" --cert-out "$T/$f.pem" -- --profile "tls-$f"
		inspect "$T/$f.pem"
		[ "$output" = "$want" ] || fail "$f: got  $output" "$f: want $want"
	done << EOF
trusted cn=$NAME san=$NAME issuer=BadSMTP Test CA from=-1h until=30d sig=ecdsa-with-SHA256 key=EC-256 ca=no
expired cn=$NAME san=$NAME issuer=BadSMTP Test CA from=-60d until=-1d sig=ecdsa-with-SHA256 key=EC-256 ca=no
notyetvalid cn=$NAME san=$NAME issuer=BadSMTP Test CA from=30d until=60d sig=ecdsa-with-SHA256 key=EC-256 ca=no
wronghost cn=wrong.host.invalid san=wrong.host.invalid issuer=BadSMTP Test CA from=-1h until=30d sig=ecdsa-with-SHA256 key=EC-256 ca=no
untrusted cn=$NAME san=$NAME issuer=BadSMTP Untrusted CA from=-1h until=30d sig=ecdsa-with-SHA256 key=EC-256 ca=no
selfsigned cn=$NAME san=$NAME issuer=$NAME from=-1h until=30d sig=ecdsa-with-SHA256 key=EC-256 ca=no
incomplete cn=$NAME san=$NAME issuer=BadSMTP Test Intermediate CA from=-1h until=30d sig=ecdsa-with-SHA256 key=EC-256 ca=no
chain cn=$NAME san=$NAME issuer=BadSMTP Test Intermediate CA from=-1h until=30d sig=ecdsa-with-SHA256 key=EC-256 ca=no
sha1 cn=$NAME san=$NAME issuer=BadSMTP Test CA from=-1h until=30d sig=ecdsa-with-SHA1 key=EC-256 ca=no
rsa1024 cn=$NAME san=$NAME issuer=BadSMTP Test CA from=-1h until=30d sig=ecdsa-with-SHA256 key=RSA-1024 ca=no
v12 cn=$NAME san=$NAME issuer=BadSMTP Test CA from=-1h until=30d sig=ecdsa-with-SHA256 key=EC-256 ca=no
clientcert cn=$NAME san=$NAME issuer=BadSMTP Test CA from=-1h until=30d sig=ecdsa-with-SHA256 key=EC-256 ca=no
EOF
	inspect "$CACHE/intermediate-ca.pem"
	[ "$output" = 'cn=BadSMTP Test Intermediate CA san= issuer=BadSMTP Test CA from=-1h until=3650d sig=ecdsa-with-SHA256 key=EC-256 ca=yes' ] ||
		fail "intermediate: $output"
	openssl verify -CAfile "$FAULT_CA" "$CACHE/intermediate-ca.pem" > /dev/null ||
		fail "the intermediate is not the test CA's"
	# trusted, v12 and clientcert serve one certificate: the trusted one
	cmp -s "$T/trusted.pem" "$T/v12.pem" && cmp -s "$T/trusted.pem" "$T/clientcert.pem" ||
		fail "v12 or clientcert serve another certificate than trusted"
}

@test "the cache: one file pair per fault and name, 0600; every fault made once for a name" {
	local f n
	for f in expired wronghost untrusted chain; do
		dialogue '!tls' '!greeting' QUIT
		tls_client --sni once.example -- --profile "tls-$f" --log-level debug
		dialogue '!tls' '!greeting' QUIT
		tls_client --sni once.example -- --profile "tls-$f" --log-level debug
		n=$(grep -c '"TLS certificate generated"' "$SMTP_ERR") || true
		[ "$n" = 0 ] || fail "$f: the second session generated again" "$(cat "$SMTP_ERR")"
	done
	for f in expired untrusted chain; do
		[ "$(stat -c %a "$CACHE/cert+$f-once.example.pem") $(stat -c %a "$CACHE/key+$f-once.example.pem")" = '600 600' ] ||
			fail "$f: $(ls -l "$CACHE")"
	done
	[ -f "$CACHE/cert+wronghost-wrong.host.invalid.pem" ] || fail "wronghost: $(ls "$CACHE")"
	[ ! -e "$CACHE/cert+wronghost-once.example.pem" ] || fail "wronghost cached per name"
}

# --- protocol pins -----------------------------------------------------------------------------

@test "protocol pins: exactly the pinned version is negotiated; a client refusing it fails" {
	local f client want error opts
	while read -r f client want error; do
		dialogue '!tls' '!greeting' QUIT
		opts=()
		[ "$client" = - ] || opts+=(--tls "$client")
		if [ "${f#sni-}" != "$f" ]; then   # chosen by the SNI, once GnuTLS has the ClientHello
			f=${f#sni-}
			tls_client --sni "tls$f.example" "${opts[@]}" -- --profile smtps
		else
			tls_client --sni "$NAME" "${opts[@]}" -- --profile "tls-$f"
		fi
		case $want in
		TLS*) grep -q "^TLS: $want " <<< "$output" || fail "tls-$f, client $client: want $want" "$output"
			has 'S: 221 Bye'
			log_check "assert fields('TLS handshake successful')['tls_version'] == '$(sed 's/TLSv1$/TLS1.0/;s/TLSv/TLS/' <<< "$want")'" ;;
		*) grep -q "^ERROR: .*$want" <<< "$output" || fail "tls-$f, client $client: want $want" "$output"
			log_check "f = fields('TLS handshake failed')
assert f['tls_fault'] == '$f' and f['error'] == '$error', f" ;;
		esac
	done << 'EOF'
v10 1.0 TLSv1
v11 1.1 TLSv1.1
v12 1.2 TLSv1.2
v13 1.3 TLSv1.3
v12 - TLSv1.2
v13 - TLSv1.3
v10 1.2 UNSUPPORTED_PROTOCOL client went away during the handshake (The TLS connection was non-properly terminated.)
v10 1.1 UNSUPPORTED_PROTOCOL client went away during the handshake (The TLS connection was non-properly terminated.)
v11 1.3 HANDSHAKE_FAILURE No supported cipher suites have been found.
v12 1.3 HANDSHAKE_FAILURE No supported cipher suites have been found.
v13 1.2 HANDSHAKE_FAILURE No supported cipher suites have been found.
sni-v10 1.0 TLSv1
sni-v11 1.1 TLSv1.1
sni-v12 - TLSv1.2
sni-v13 1.3 TLSv1.3
sni-v10 1.2 UNSUPPORTED_PROTOCOL client went away during the handshake (The TLS connection was non-properly terminated.)
sni-v13 1.2 HANDSHAKE_FAILURE No supported cipher suites have been found.
EOF
}

# --- abort, alert, hang, clientcert ----------------------------------------------------------------

# hello [ARG...]: a ClientHello (client_hello.py ARGs) appended to the session's input.
hello() {
	/usr/bin/python3 "$BATS_TEST_DIRNAME/client_hello.py" "$@" > "$T/hello.bin" || fail "client_hello.py"
	smtp_append_file "$T/hello.bin"
}

# bats test_tags=timing
@test "abort: the ClientHello read, the connection closed without a byte (also by SNI)" {
	hello
	SMTP_HOLD=5 smtp_session --profile tls-abort --cert-cache "$CACHE"
	expect_status 1
	expect_out
	[ "$SMTP_ELAPSED_MS" -lt 3000 ] || fail "closed after $SMTP_ELAPSED_MS ms"
	log_check "f = fields('TLS handshake failed')
assert f['tls_fault'] == 'abort', f
assert f['error'] == 'abort: closed after the ClientHello without a word', f"
	: > "$SMTP_IN"
	hello --sni tlsabort.example
	SMTP_HOLD=5 smtp_session --profile smtps --cert-cache "$CACHE"
	expect_status 1
	expect_out
	log_check "f = fields('TLS handshake failed')
assert f['tls_fault'] == 'abort' and f['sni'] == 'tlsabort.example', f
assert f['error'] == 'abort: closed after the ClientHello without a word', f"
}

@test "alert: a fatal handshake_failure alert, exactly, then the close (also by SNI)" {
	local v
	for v in 1.2 1.3; do
		: > "$SMTP_IN"
		hello --tls $v
		SMTP_HOLD=5 smtp_session --profile tls-alert --cert-cache "$CACHE"
		expect_status 1
		# the alert record: fatal (2), handshake_failure (40), in the ClientHello's record version
		[ "$(od -An -tx1 "$SMTP_OUT" | tr -d ' \n')" = 15030100020228 ] ||
		[ "$(od -An -tx1 "$SMTP_OUT" | tr -d ' \n')" = 15030300020228 ] ||
			fail "TLS $v: got $(od -An -tx1 "$SMTP_OUT")"
		log_check "assert fields('TLS handshake failed')['tls_fault'] == 'alert'"
	done
	: > "$SMTP_IN"
	hello --sni x-tlsalert.example
	SMTP_HOLD=5 smtp_session --profile smtps --cert-cache "$CACHE"
	expect_status 1
	[ "$(od -An -tx1 "$SMTP_OUT" | tr -d ' \n')" = 15030300020228 ] || fail "$(od -An -tx1 "$SMTP_OUT")"
	log_check "f = fields('TLS handshake failed')
assert f['tls_fault'] == 'alert' and f['sni'] == 'x-tlsalert.example', f
assert f['error'] == 'alert: handshake_failure sent for the ClientHello', f"
}

# bats test_tags=timing
@test "hang: the ClientHello never answered, the session ends at the data timeout, exit 1" {
	hello
	# the data timeout: 180 s at the 0.01 scale, 1.8 s
	SMTP_HOLD=10 smtp_session --profile tls-hang --cert-cache "$CACHE"
	expect_status 1
	expect_out
	between 'the hang' "$SMTP_ELAPSED_MS" 1700 5000
	log_check "f = fields('TLS handshake failed')
assert f['tls_fault'] == 'hang' and 'data timeout' in f['error'], f"
	: > "$SMTP_IN"
	hello --sni tlshang.example
	SMTP_HOLD=10 smtp_session --profile smtps --cert-cache "$CACHE" --data-timeout 100
	expect_status 1
	expect_out
	between 'the hang by SNI, data timeout 100 s' "$SMTP_ELAPSED_MS" 950 4000
}

# bats test_tags=timing
@test "hang: a client that hangs up, or SIGTERM, ends it early" {
	hello
	smtp_session --profile tls-hang --cert-cache "$CACHE"
	expect_status 1
	[ "$SMTP_ELAPSED_MS" -lt 1500 ] || fail "EOF waited $SMTP_ELAPSED_MS ms"
	log_check "f = fields('TLS handshake failed')
assert f['tls_fault'] == 'hang' and 'went away' in f['error'], f"
	BADSMTP_TIME_SCALE=1 smtp_start --profile tls-hang --cert-cache "$CACHE"
	cat "$T/hello.bin" >&"$SMTP_W"
	sleep 0.5
	kill -TERM "$SMTP_PID"
	smtp_expect_eof 2 || fail "still open after SIGTERM"
	smtp_wait 2 || fail "still running after SIGTERM"
	[ "$status" -eq 1 ] || fail "exit status $status"
	log_check "f = fields('TLS handshake failed')
assert f['tls_fault'] == 'hang' and 'signal' in f['error'], f"
}

@test "clientcert: no certificate fails (certificate_required); any certificate, self-signed too, is accepted and its subject logged" {
	dialogue '!tls' '!greeting' QUIT
	tls_client --sni "$NAME" -- --profile tls-clientcert
	grep -q '^ERROR: .*TLSV13_ALERT_CERTIFICATE_REQUIRED' <<< "$output" || fail "$output"
	lacks 'S: 221 Bye'
	log_check "f = fields('TLS handshake failed')
assert f['tls_fault'] == 'clientcert' and f['error'] == 'Certificate is required.', f"
	make_pair client.example
	cat "$T/client.example.crt" "$T/client.example.key" > "$T/client.pem"
	dialogue '!greeting' 'EHLO tlsclientcert.x' STARTTLS 'EHLO x' QUIT
	tls_client --ca "$FAULT_CA" --sni "$NAME" --client-cert "$T/client.pem" --
	has 'S: 221 Bye'
	log_check "f = fields('TLS handshake successful')
assert f['tls_fault'] == 'clientcert' and f['client_cert'] == 'CN=client.example', f"
	dialogue '!tls' '!greeting' QUIT
	tls_client --sni "$NAME" --tls 1.2 --client-cert "$T/client.pem" -- --profile tls-clientcert
	has 'S: 221 Bye'
	log_check "assert fields('TLS handshake successful')['client_cert'] == 'CN=client.example'"
}

# --- inject ------------------------------------------------------------------------------------

@test "inject: 220 Ready to start TLS and 250 Injected before TLS in one write, then TLS" {
	command -v strace > /dev/null || fail "strace is missing (scripts/ensure-deps test)"
	smtp_input 'EHLO tlsinject.example' STARTTLS
	# LeakSanitizer does not work under ptrace: off for this one session, should it be there
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		timeout 10 strace -f -e trace=write,writev -s 1000 -o "$T/trace" \
		"$BADSMTP_BIN" --cert-cache "$CACHE" < "$SMTP_IN" > "$SMTP_OUT" 2> "$SMTP_ERR" || true
	# EHLO and STARTTLS came together: the EHLO reply goes in the same write
	grep -qF '250 OK\r\n220 Ready to start TLS\r\n250 Injected before TLS\r\n", 242)' "$T/trace" ||
		fail "not one write:" "$(grep 'write(1' "$T/trace")"
	# what a vulnerable client does: it takes the 250 as the answer to its EHLO over TLS
	dialogue '!greeting' 'EHLO tlsinject.example' STARTTLS 'EHLO x' QUIT
	tls_client --sni "$NAME" --
	[ "$(sed -n '/^TLS: /{n;p}' <<< "$output")" = 'S: 250 Injected before TLS' ] || fail "$output"
	log_check "assert fields('TLS handshake successful')['tls_fault'] == 'inject'"
	# the keyword as SPEC §16's table spells it, bare
	dialogue '!greeting' 'EHLO inject.example' STARTTLS 'EHLO x' QUIT
	tls_client --sni "$NAME" --
	[ "$(sed -n '/^TLS: /{n;p}' <<< "$output")" = 'S: 250 Injected before TLS' ] || fail "$output"
	# an SNI cannot inject, nor the port
	dialogue '!greeting' 'EHLO x' STARTTLS 'EHLO x' QUIT
	tls_client --sni tlsinject.example --
	lacks 'S: 250 Injected before TLS'
	log_check "assert fields('TLS handshake successful')['tls_fault'] == ''"
	run "$BADSMTP_BIN" --profile tls-inject
	[ "$status" -eq 100 ] || fail "--profile tls-inject: exit $status"
}

# --- refusal -----------------------------------------------------------------------------------

# A GnuTLS configured without TLS 1.0 and 1.1 (GNUTLS_SYSTEM_PRIORITY_FILE, as RHEL's crypto
# policies do): v10 and v11 are refused, documented, never another fault.
# refused V: the error logged for a pinned TLS 1.V that GnuTLS is configured to refuse.
REFUSED="
def refused(v):
    p = f'NORMAL:-VERS-ALL:+VERS-TLS1.{v - 10}'
    return f'TLS fault v{v} not available: TLS priority \"{p}\" at \"{p}\": No or insufficient priorities were set.'
"

no_old_tls() {
	printf '[overrides]\ndisabled-version = tls1.0\ndisabled-version = tls1.1\n' > "$T/gnutls.conf"
	export GNUTLS_SYSTEM_PRIORITY_FILE=$T/gnutls.conf
}

@test "a refused fault: STARTTLS gets 454 4.7.0 (4.7.0 dropped without enhanced codes), the session goes on, the reason logged" {
	no_old_tls
	smtp_input 'EHLO tlsv10.example' STARTTLS 'MAIL FROM:<a@example.com>' \
		'EHLO noenhancedstatuscodes-tlsv11.x' STARTTLS 'EHLO tlsv12.x' STARTTLS
	smtp_session --cert-cache "$CACHE"
	expect_status 1
	[ "$(grep -v '^250-' "$SMTP_OUT" | tr -d '\r')" = "$G
250 OK
454 4.7.0 TLS not available due to temporary reason
250 OK
250 OK
454 TLS not available due to temporary reason
250 OK
220 Ready to start TLS" ] || fail "$(cat -A "$SMTP_OUT")"
	log_check "$REFUSED
r = by('TLS not available')
assert [e['fields']['tls_fault'] for e in r] == ['v10', 'v11'], r
assert [e['fields']['error'] for e in r] == [refused(10), refused(11)], r"
}

@test "a refused fault on implicit TLS or by SNI: closed, the reason logged" {
	no_old_tls
	hello
	SMTP_HOLD=5 smtp_session --profile tls-v10 --cert-cache "$CACHE"
	expect_status 1
	expect_out
	log_check "$REFUSED
f = fields('TLS not available')
assert f['tls_fault'] == 'v10' and f['error'] == refused(10), f
assert by('TLS handshake failed') == [], ev"
	dialogue '!greeting' 'EHLO x' STARTTLS
	tls_client --sni tlsv11.example --
	has 'S: 220 Ready to start TLS'
	has 'ERROR: server closed during the handshake'
	log_check "$REFUSED
f = fields('TLS handshake failed')
assert f['tls_fault'] == 'v11' and f['error'] == refused(11), f"
}

# --- the cache under load and when it cannot be written ---------------------------------------------

@test "50 sessions at once asking for the same new fault certificate: it is generated once" {
	local name=par-$RANDOM.example
	# 50 sessions started and waiting for their ClientHello; then the same ClientHello to every
	# one at once: they reach the certificate cache together
	hello --sni "tlsexpired.$name"
	# real time: the handshake bound (30 s) must outlast the wait
	BADSMTP_TIME_SCALE=1 /usr/bin/python3 - "$BADSMTP_BIN" "$CACHE" "$T" << 'EOF' || fail "no sessions"
import os, subprocess, sys, time
bin, cache, tmp = sys.argv[1:4]
hello = open(f'{tmp}/hello.bin', 'rb').read()
procs = []
for i in range(50):
    r, w = os.pipe()
    p = subprocess.Popen([bin, '--profile', 'smtps', '--cert-cache', cache, '--log-level', 'debug'],
                         stdin=r, stdout=subprocess.DEVNULL, stderr=open(f'{tmp}/err.{i}', 'w'))
    os.close(r)
    procs.append((p, w))
time.sleep(2)   # each has loaded GnuTLS and waits in its first read
for _, w in procs:
    os.write(w, hello)
for p, w in procs:
    os.close(w)
    p.wait(timeout=60)
EOF
	# each answered its ClientHello (a ServerHello and the rest of its flight) with the same
	# certificate, then met the end of its input
	[ "$(cat "$T"/err.* | grep -c '"tls_fault":"expired"')" = 50 ] || fail "$(cat "$T"/err.*)"
	[ "$(cat "$T"/err.* | grep -c 'client went away during the handshake')" = 50 ] ||
		fail "$(grep -h 'handshake failed' "$T"/err.*)"
	[ "$(cat "$T"/err.* | grep -c '"TLS certificate generated"')" = 1 ] ||
		fail "generated $(cat "$T"/err.* | grep -c '"TLS certificate generated"') times"
	[ "$(cat "$T"/err.* | grep -c '"TLS certificate loaded from cache".*tlsexpired')" = 49 ] ||
		fail "loaded from the cache: $(cat "$T"/err.* | grep -c '"TLS certificate loaded from cache".*tlsexpired')"
	[ "$(ls -A "$CACHE" | grep -c "tlsexpired.$name")" = 2 ] || fail "$(ls -A "$CACHE")"
	[ -f "$CACHE/cert+expired-tlsexpired.$name.pem" ] || fail "$(ls "$CACHE")"
}

@test "an unusable cache: every fault is still served (in memory), with a warning" {
	local f opts
	: > "$T/file"
	for f in $(each_fault | grep -vx -e abort -e alert); do
		dialogue '!tls' '!greeting' QUIT
		opts=(--sni "$NAME" --cert-out "$T/$f.pem")
		[ "$f" != v10 ] || opts+=(--tls 1.0)
		[ "$f" != v11 ] || opts+=(--tls 1.1)
		for_fault "$f" tls_client "${opts[@]}" -- --profile "tls-$f" --cert-cache "$T/file/cache"
		case $f in
		clientcert) grep -q '^ERROR: .*CERTIFICATE_REQUIRED' <<< "$output" || fail "$output" ;;
		*) grep -q '^TLS: ' <<< "$output" || fail "$f: $output" ;;
		esac
		grep -q '"TLS certificate cache not usable, certificate kept in memory"' "$SMTP_ERR" ||
			fail "$f: no warning" "$(cat "$SMTP_ERR")"
	done
	inspect "$T/expired.pem"
	[[ $output == *' issuer=BadSMTP Test CA from=-60d until=-1d '* ]] || fail "expired: $output"
	inspect "$T/wronghost.pem"
	[[ $output == 'cn=wrong.host.invalid '* ]] || fail "wronghost: $output"
}

# --- bad input ---------------------------------------------------------------------------------

@test "an SNI that is not a DNS name chooses no fault; one GnuTLS refuses ends the handshake" {
	local sni
	for sni in 'tlsexpired..example' 'tlsexpired.-x' 'tlsexpired.x.' \
		"tlsexpired.$(repeat_char b 64).x" 'tlsexpired_x.example'; do
		: > "$SMTP_IN"
		hello --sni "$sni"
		smtp_session --profile smtps --cert-cache "$CACHE"
		expect_status 1
		log_check "f = fields('TLS handshake failed')
assert f['tls_fault'] == '', (f, '$sni')"
	done
	: > "$SMTP_IN"
	hello --sni 'tlsexpired.bad name!'
	smtp_session --profile smtps --cert-cache "$CACHE"
	expect_status 1
	log_check "f = fields('TLS handshake failed')
assert f['tls_fault'] == '' and 'SNI' in f['error'], f"
}

@test "an SNI of 255 octets and more: no name, no fault, --hostname's certificate" {
	local n sni
	for n in 255 256 300 1000; do
		sni=tlsexpired.$(repeat_char a $((n - 11)))
		[ ${#sni} -eq "$n" ] || fail "built ${#sni} octets"
		: > "$SMTP_IN"
		hello --sni "$sni"
		smtp_session --profile smtps --cert-cache "$CACHE"
		expect_status 1
		log_check "f = fields('TLS handshake failed')
assert f['tls_fault'] == '' and f['sni'] == '', f" || fail "$n octets"
	done
}

@test "conflicting selectors: EHLO beats SNI, SNI beats the port; SNI names the certificate" {
	# EHLO expired, SNI wronghost: expired, for the SNI name
	dialogue '!greeting' 'EHLO tlsexpired.x' STARTTLS
	tls_client --ca "$FAULT_CA" --sni tlswronghost.example --
	has 'VERIFY: 10 certificate has expired'
	log_check "assert fields('TLS handshake failed')['tls_fault'] == 'expired'"
	# port tls-expired, SNI v12: v12 (the handshake completes, TLS 1.2)
	dialogue '!tls' '!greeting' QUIT
	tls_client --ca "$FAULT_CA" --sni tlsv12.example -- --profile tls-expired
	grep -q '^TLS: TLSv1.2 ' <<< "$output" || fail "$output"
	log_check "assert fields('TLS handshake successful')['tls_fault'] == 'v12'"
	# port tls-alert, an SNI without a fault: the port's
	dialogue '!tls' '!greeting' QUIT
	tls_client --sni plain.example -- --profile tls-alert
	grep -q '^ERROR: .*HANDSHAKE_FAILURE' <<< "$output" || fail "$output"
	# EHLO tlsv13 then a later EHLO without it: the later EHLO decides
	dialogue '!greeting' 'EHLO tlsalert.x' 'EHLO y' STARTTLS 'EHLO x' QUIT
	tls_client --sni "$NAME" --
	has 'S: 221 Bye'
	log_check "assert fields('TLS handshake successful')['tls_fault'] == ''"
}

@test "unknown tls… parts are ignored (SPEC §3): EHLO and SNI alike" {
	dialogue '!greeting' 'EHLO tlsbogus-tls-tlsv14.x' STARTTLS 'EHLO x' QUIT
	tls_client --sni tlsnothing.example --
	has 'S: 221 Bye'
	log_check "assert fields('TLS handshake successful')['tls_fault'] == ''"
	[ -f "$CACHE/cert-tlsnothing.example.pem" ] || fail "not SPEC §7's certificate: $(ls "$CACHE")"
	dialogue '!greeting' 'EHLO tlsbogus-tlsv12-tlsfoo.x' STARTTLS 'EHLO x' QUIT
	tls_client --sni "$NAME" --
	grep -q '^TLS: TLSv1.2 ' <<< "$output" || fail "$output"
}

# bats test_tags=timing
@test "garbage instead of a ClientHello on tls-hang, tls-alert, tls-abort: closed at once, exit 1" {
	local f
	for f in hang alert abort trusted; do
		smtp_input 'EHLO x' 'this is not a ClientHello'
		SMTP_HOLD=10 smtp_session --profile "tls-$f" --cert-cache "$CACHE"
		expect_status 1
		expect_out
		[ "$SMTP_ELAPSED_MS" -lt 1500 ] || fail "tls-$f: closed after $SMTP_ELAPSED_MS ms"
		log_check "f = fields('TLS handshake failed')
assert f['tls_fault'] == '$f' and f['error'] == 'An unexpected TLS packet was received.', f"
	done
}
