#!/usr/bin/env bats
# bats file_tags=tcp
# SPEC §16 over real TCP, with the clients people use, each trusting the test CA alone (printed
# by --print-ca): openssl s_client -verify_return_error -CAfile, gnutls-cli --x509cafile, curl
# --cacert, Python ssl (smtplib), swaks --tls-verify --tls-ca-path. Every fault through the port
# (the tls- family at a free base, implicit TLS), the EHLO keyword and the SNI (STARTTLS); the
# chain as sent; a protocol pin; a client certificate; the hang at the data timeout. One
# systemd-socket-activate --inetd -a listens on a STARTTLS port and the 18 tls- ports; started in
# setup_file, stopped in teardown_file; one certificate cache for the whole file.

load helpers
FAULTS='trusted expired notyetvalid wronghost untrusted selfsigned incomplete chain sha1 rsa1024
v10 v11 v12 v13 abort alert hang clientcert'

# free_base N: the first of N free consecutive ports (printed), away from badsmtp's own ranges.
free_base() {
	$PY - "$1" << 'EOF'
import random, socket, sys
n = int(sys.argv[1])
for _ in range(200):
    base = random.randrange(30000, 60000 - n)
    socks = []
    try:
        for p in range(base, base + n):
            s = socket.socket()
            s.bind(('127.0.0.1', p))
            socks.append(s)
        print(base)
        break
    except OSError:
        pass
    finally:
        for s in socks:
            s.close()
EOF
}

setup_file() {
	need_launcher
	export D=$BATS_FILE_TMPDIR
	export CACHE=$D/cache LOG=$D/sessions.log CA=$D/ca.pem
	export BASE PORT_STARTTLS
	"$BADSMTP_BIN" --print-ca --cert-cache "$CACHE" > "$CA"
	BASE=$(free_base 19)
	PORT_STARTTLS=$((BASE + 18))
	local listen=() k
	for k in $(seq 0 18); do listen+=(-l "127.0.0.1:$((BASE + k))"); done
	# the data timeout, which ends hang, is 180 s at the 0.01 scale: 1.8 s
	BADSMTP_TLS_FAULT_PORT_START=$BASE BADSMTP_TIME_SCALE=0.01 systemd-socket-activate --inetd -a \
		"${listen[@]}" -E BADSMTP_TLS_FAULT_PORT_START -E BADSMTP_TIME_SCALE \
		"$BADSMTP_BIN" --cert-cache "$CACHE" --log-target "file:$LOG" > /dev/null 2> "$D/launcher.log" &
	export PID_LAUNCHER=$!
	wait_launcher "$D/launcher.log" "$PORT_STARTTLS"
}

teardown_file() {
	[ -z "${PID_LAUNCHER-}" ] || kill "$PID_LAUNCHER" 2> /dev/null || true
}

# port FAULT: its tls- port.
port() {
	local k=0 f
	for f in $FAULTS; do
		[ "$f" = "$1" ] && { echo $((BASE + k)); return; }
		k=$((k + 1))
	done
	return 1
}

# expect FAULT TEXT: $output holds TEXT.
expect() {
	grep -qF -- "$2" <<< "$output" || fail "$1: want \"$2\" in:" "$output"
}

# the verdict of openssl s_client -verify_return_error (with -verify_hostname localhost)
OPENSSL='trusted Verify return code: 0 (ok)
expired verify error:num=10:certificate has expired
notyetvalid verify error:num=9:certificate is not yet valid
wronghost verify error:num=62:hostname mismatch
untrusted verify error:num=20:unable to get local issuer certificate
selfsigned verify error:num=18:self-signed certificate
incomplete verify error:num=20:unable to get local issuer certificate
chain Verify return code: 0 (ok)
sha1 verify error:num=68:CA signature digest algorithm too weak
rsa1024 verify error:num=66:EE certificate key too weak
v10 legacy sigalg disallowed or unsupported
v11 legacy sigalg disallowed or unsupported
v12 New, TLSv1.2,
v13 New, TLSv1.3,
abort unexpected eof while reading
alert sslv3 alert handshake failure
hang unexpected eof while reading
clientcert tlsv13 alert certificate required'

# verdict TABLE FAULT: the line of TABLE for FAULT, without the fault.
verdict() {
	sed -n "s/^$2 //p" <<< "$1"
}

@test "openssl s_client -verify_return_error -CAfile: every fault by its port (implicit TLS)" {
	local f
	for f in $FAULTS; do
		run timeout 15 bash -c "(sleep 0.3; printf 'QUIT\r\n') | openssl s_client -crlf -ign_eof \
			-verify_return_error -CAfile '$CA' -servername localhost -verify_hostname localhost \
			-connect 127.0.0.1:$(port "$f") 2>&1"
		expect "$f" "$(verdict "$OPENSSL" "$f")"
		case $f in trusted | chain | v12 | v13) expect "$f" '221 Bye' ;; esac
	done
}

@test "openssl s_client -starttls smtp -name tls{fault}.example: every fault by EHLO keyword" {
	local f
	for f in $FAULTS; do
		[ "$f" = hang ] && continue   # see the hang test
		run timeout 15 bash -c "(sleep 0.3; printf 'EHLO x\r\nQUIT\r\n') | openssl s_client \
			-crlf -ign_eof -starttls smtp -name tls$f.example -verify_return_error -CAfile '$CA' \
			-servername localhost -verify_hostname localhost -connect 127.0.0.1:$PORT_STARTTLS 2>&1"
		expect "$f" "$(verdict "$OPENSSL" "$f")"
	done
}

# the verdict of gnutls-cli --x509cafile, verifying the SNI name (rsa1024 with the medium
# verification profile, v10 and v11 with a priority that refuses TLS 1.0 and 1.1: the default
# gnutls-cli accepts them)
GNUTLS='trusted - Status: The certificate is trusted.
expired The certificate chain uses expired certificate.
notyetvalid The certificate chain uses not yet valid certificate.
wronghost The name in the certificate does not match the expected.
untrusted The certificate issuer is unknown.
selfsigned The certificate issuer is unknown.
incomplete The certificate issuer is unknown.
chain - Status: The certificate is trusted.
sha1 The certificate chain uses insecure algorithm.
rsa1024 The certificate chain uses insecure algorithm.
v10 A packet with illegal or unsupported version was received.
v11 A packet with illegal or unsupported version was received.
v12 (TLS1.2-X.509)-
v13 (TLS1.3-X.509)-
abort The TLS connection was non-properly terminated.
alert Received alert [40]: Handshake failed
clientcert Received alert [116]: Certificate is required'

@test "gnutls-cli --x509cafile --starttls-proto smtp, SNI tls{fault}.localhost: every fault by SNI" {
	local f priority
	for f in $FAULTS; do
		[ "$f" = hang ] && continue
		case $f in
		rsa1024) priority='NORMAL:%PROFILE_MEDIUM' ;;
		v10 | v11) priority='NORMAL:-VERS-TLS1.0:-VERS-TLS1.1' ;;
		*) priority=NORMAL ;;
		esac
		run timeout 15 bash -c "(sleep 0.5; printf 'EHLO x\r\nQUIT\r\n'; sleep 0.5) | gnutls-cli \
			--priority '$priority' --x509cafile '$CA' --starttls-proto smtp \
			--sni-hostname tls$f.localhost --verify-hostname tls$f.localhost \
			-p $PORT_STARTTLS 127.0.0.1 2>&1"
		expect "$f" "$(verdict "$GNUTLS" "$f")"
	done
	# the default gnutls-cli takes TLS 1.0 and a 1024-bit RSA key
	run timeout 15 bash -c "(sleep 0.5; printf 'QUIT\r\n'; sleep 0.5) | gnutls-cli --x509cafile '$CA' \
		--sni-hostname localhost --verify-hostname localhost -p $(port v10) 127.0.0.1 2>&1"
	expect v10 '(TLS1.0-X.509)-'
	expect v10 '221 Bye'
}

@test "gnutls-cli: chain sends the intermediate, incomplete and the others the leaf alone" {
	local f n
	for f in trusted incomplete chain untrusted; do
		run timeout 15 bash -c "printf '' | gnutls-cli --x509cafile '$CA' --sni-hostname localhost \
			-p $(port "$f") 127.0.0.1 2>&1"
		n=1
		[ "$f" = chain ] && n=2
		expect "$f" "- Got a certificate list of $n certificates."
	done
}

# the verdict of curl --cacert (an OpenSSL build): exit status and message
CURL='trusted 0 
expired 60 SSL certificate problem: certificate has expired
notyetvalid 60 SSL certificate problem: certificate is not yet valid
wronghost 60 no alternative certificate subject name matches target host name '"'localhost'"'
untrusted 60 SSL certificate problem: unable to get local issuer certificate
selfsigned 60 SSL certificate problem: self-signed certificate
incomplete 60 SSL certificate problem: unable to get local issuer certificate
chain 0 
sha1 60 SSL certificate problem: CA signature digest algorithm too weak
rsa1024 60 SSL certificate problem: EE certificate key too weak
v10 35 legacy sigalg disallowed or unsupported
v11 35 legacy sigalg disallowed or unsupported
v12 0 
v13 0 
abort 35 SSL_ERROR_SYSCALL
alert 35 sslv3 alert handshake failure'

@test "curl --cacert: smtps:// to every fault's port, and smtp:// --ssl-reqd with the EHLO keyword" {
	local f code text
	printf 'Subject: curl\r\n\r\nhi\r\n' > "$D/msg"
	for f in $FAULTS; do
		case $f in hang | clientcert) continue ;; esac
		read -r code text <<< "$(verdict "$CURL" "$f")"
		run timeout 15 curl -sS --cacert "$CA" --resolve "localhost:$(port "$f"):127.0.0.1" \
			"smtps://localhost:$(port "$f")/" --mail-from a@example.com --mail-rcpt b@example.com \
			-T "$D/msg"
		[ "$status" -eq "$code" ] || fail "smtps $f: curl exit $status, want $code: $output"
		expect "smtps $f" "$text"
		run timeout 15 curl -sS --cacert "$CA" --ssl-reqd \
			--resolve "localhost:$PORT_STARTTLS:127.0.0.1" "smtp://localhost:$PORT_STARTTLS/tls$f.example" \
			--mail-from a@example.com --mail-rcpt b@example.com -T "$D/msg"
		[ "$status" -eq "$code" ] || fail "smtp $f: curl exit $status, want $code: $output"
		expect "smtp $f" "$text"
	done
}

@test "Python smtplib starttls() with the test CA: every fault by EHLO keyword" {
	run timeout 60 $PY - "$PORT_STARTTLS" "$CA" << 'EOF'
import smtplib, ssl, sys
port, ca = int(sys.argv[1]), sys.argv[2]
want = {
    'trusted': 'ok TLSv1.3', 'chain': 'ok TLSv1.3', 'v12': 'ok TLSv1.2', 'v13': 'ok TLSv1.3',
    'expired': 'verify 10', 'notyetvalid': 'verify 9', 'wronghost': 'verify 62',
    'untrusted': 'verify 20', 'selfsigned': 'verify 18', 'incomplete': 'verify 20',
    'sha1': 'verify 68', 'rsa1024': 'verify 66',
    'v10': 'error legacy sigalg', 'v11': 'error legacy sigalg', 'abort': 'error EOF',
    'alert': 'error SSLV3_ALERT_HANDSHAKE_FAILURE',
    'clientcert': 'error TLSV13_ALERT_CERTIFICATE_REQUIRED',
}
bad = []
for fault, expected in want.items():
    ctx = ssl.create_default_context(cafile=ca)
    try:
        s = smtplib.SMTP('localhost', port, local_hostname=f'tls{fault}.example', timeout=10)
        s.starttls(context=ctx)
        s.ehlo()
        got = 'ok ' + s.sock.version()
        s.quit()
    except ssl.SSLCertVerificationError as e:
        got = f'verify {e.verify_code}'
    except (ssl.SSLError, smtplib.SMTPException, OSError) as e:
        text = expected.split(None, 1)[1]
        got = 'error ' + (text if text in str(e) or text in repr(e) else repr(e))
    if got != expected:
        bad.append(f'{fault}: got {got}, want {expected}')
print('\n'.join(bad) or 'all as expected')
EOF
	[ "$status" -eq 0 ] && [ "$output" = 'all as expected' ] || fail "$output"
}

@test "swaks --tls-verify --tls-ca-path: trusted delivers, expired and untrusted are refused" {
	run timeout 15 swaks --server 127.0.0.1 --port "$PORT_STARTTLS" --ehlo tlstrusted.example \
		--tls --tls-verify --tls-ca-path "$CA" --tls-sni localhost --to b@example.com
	[ "$status" -eq 0 ] || fail "trusted: swaks exit $status" "$output"
	grep -q '^<~  250 OK Message accepted for delivery' <<< "$output" || fail "$output"
	for f in expired untrusted; do
		run timeout 15 swaks --server 127.0.0.1 --port "$PORT_STARTTLS" --ehlo "tls$f.example" \
			--tls --tls-verify --tls-ca-path "$CA" --tls-sni localhost --to b@example.com
		[ "$status" -ne 0 ] || fail "$f: swaks accepted it" "$output"
		grep -qi 'certificate verify failed' <<< "$output" || fail "$f: $output"
	done
}

@test "a client certificate over TCP: the subject is logged; the pin on v10 is TLS 1.0 exactly" {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-subj '/CN=tcp-client.example' -keyout "$D/c.key" -out "$D/c.crt" 2> /dev/null
	run timeout 15 bash -c "(sleep 0.3; printf 'QUIT\r\n') | openssl s_client -crlf -ign_eof \
		-cert '$D/c.crt' -key '$D/c.key' -CAfile '$CA' -verify_return_error -servername localhost \
		-connect 127.0.0.1:$(port clientcert) 2>&1"
	expect clientcert '221 Bye'
	grep -q '"client_cert":"CN=tcp-client.example"' "$LOG" || fail "no subject in the log"
	run timeout 15 bash -c "(sleep 0.3; printf 'QUIT\r\n') | openssl s_client -crlf -ign_eof \
		-tls1 -cipher DEFAULT@SECLEVEL=0 -CAfile '$CA' -servername localhost \
		-connect 127.0.0.1:$(port v10) 2>&1"
	expect v10 'Protocol  : TLSv1'
	expect v10 '221 Bye'
	run timeout 15 bash -c "printf '' | openssl s_client -tls1_2 -connect 127.0.0.1:$(port v13) 2>&1"
	expect v13 'sslv3 alert handshake failure'
	expect v13 'SSL alert number 40'
}

# bats test_tags=timing
@test "hang over TCP: no answer to the ClientHello until the data timeout (1.8 s here)" {
	local t0=$SECONDS
	run timeout 15 bash -c "openssl s_client -connect 127.0.0.1:$(port hang) 2>&1 \
		< <(sleep 5 > /dev/null 2>&1)"
	expect hang 'unexpected eof while reading'
	[ $((SECONDS - t0)) -ge 1 ] && [ $((SECONDS - t0)) -lt 5 ] || fail "took $((SECONDS - t0)) s"
}

@test "the log: tls_fault in both handshake events, the GnuTLS error of each failure" {
	$PY - "$LOG" << 'EOF'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
hs = [e for e in ev if e['message'] in ('TLS handshake successful', 'TLS handshake failed')]
faults = {e['fields']['tls_fault'] for e in hs}
assert {'trusted', 'expired', 'abort', 'alert', 'hang', 'clientcert', 'v10'} <= faults, faults
for e in hs:
    f = e['fields']
    assert isinstance(f['tls_fault'], str), f
    if e['message'] == 'TLS handshake failed':
        assert f['error'], f
# the faults that fail on the server's side, whatever the client
want = {'abort': 'abort: closed after the ClientHello without a word',
        'alert': 'alert: handshake_failure sent for the ClientHello',
        'hang': 'hang: the ClientHello stayed unanswered until the data timeout (1800 ms)'}
for e in hs:
    f = e['fields']
    if f['tls_fault'] in want:
        assert e['message'] == 'TLS handshake failed' and f['error'] == want[f['tls_fault']], e
EOF
}
