#!/usr/bin/env bats
# SPEC §19 over pipes: the client's own faults, each provoked alone by a hand-written client
# (violations_client.py: the exact replies, which a violation never changes, the exact
# `SMTP client violation` events with their details, the `violations` of `SMTP connection
# closed`, and each stored message's X-BadSMTP-Violations header and bytes), each next to the
# correct behaviour that must not fire; real clients as witnesses; the log targets.
# test/integration/violations-tcp.bats runs the same clients over TCP.

load helpers

# expect_details VIOLATION DETAIL...: the details of the session's VIOLATION events.
expect_details() {
	local v=$1
	shift
	log_check "
d = [e['fields']['detail'] for e in by('SMTP client violation') if e['fields']['violation'] == '$v']
assert d == [$(printf "'%s'," "$@")], d"
}

# scenario NAME [FLAG...]: the client NAME of violations_client.py against the binary.
scenario() {
	local name=$1
	shift
	run timeout 60 /usr/bin/python3 "$BATS_TEST_DIRNAME/violations_client.py" pipe "$name" \
		--log "$SMTP_ERR" -- "$BADSMTP_BIN" --maildir "$T/md" --cert-cache "$BATS_FILE_TMPDIR/cache" "$@"
	[ "$status" -eq 0 ] || fail "$output" "--- log:" "$(head -c 6000 "$SMTP_ERR")"
}

@test "SPEC §19: a clean client (greeting, CRLF, lock-step, QUIT): violations [] and no header" {
	scenario clean
}

@test "SPEC §19 early_talker: input before the greeting is written" {
	scenario early_talker
}

@test "SPEC §19 early_talker: while a greeting delay runs, then the usual replies" {
	smtp_input 'EHLO x' 'QUIT'
	smtp_session --port 25203    # greeting-delay-8: 80 ms at scale 0.01
	expect_status 0
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$BYE"
	log_check "
v = by('SMTP client violation')[0]['fields']
assert (v['violation'], v['detail']) == ('early_talker', '14 octets before the greeting'), v
assert fields('SMTP connection closed')['violations'] == ['early_talker', 'pipelining_not_offered']"
}

@test "SPEC §19 bare_lf: a command line ended by LF alone" {
	scenario bare_lf_command
}

@test "SPEC §19 bare_lf: a DATA body line ended by LF alone" {
	scenario bare_lf_body
}

@test "SPEC §19 bare_lf: late in a body already written to disk, the header is still there" {
	scenario big_body_bare_lf
}

@test "SPEC §19 bare_cr: a CR not followed by LF in a DATA body" {
	scenario bare_cr_body
}

@test "SPEC §19 long_command_line: 513 octets with CRLF" {
	scenario long_command_line
}

@test "SPEC §19 long_command_line: not for 512 octets" {
	scenario command_line_512
}

@test "SPEC §19 long_command_line: a line over 4096 octets gets its 500 and is counted whole" {
	smtp_input 'EHLO x' "NOOP $(repeat_char y 5000)" 'QUIT'
	smtp_session
	expect_out "$G" "${EHLO_DEFAULT[@]}" '500 Command too long' "$BYE"
	expect_details long_command_line 'UNKNOWN command, 5007 octets'
}

@test "SPEC §19 long_text_line: a body line of 1001 octets with CRLF" {
	scenario long_text_line
}

@test "SPEC §19 long_text_line: not for 998 octets and CRLF" {
	scenario text_line_1000
}

@test "SPEC §19 eight_bit_without_8bitmime: an 8-bit body without BODY=8BITMIME" {
	scenario eight_bit
}

@test "SPEC §19 eight_bit_without_8bitmime: not with BODY=8BITMIME" {
	scenario eight_bit_8bitmime
}

@test "SPEC §19 eight_bit_without_8bitmime: not with SMTPUTF8" {
	scenario eight_bit_smtputf8
}

@test "SPEC §19 pipelining_not_offered: MAIL and RCPT in one write after EHLO nopipelining" {
	scenario pipelining_not_offered
}

@test "SPEC §19 pipelining_not_offered: BDAT chunks pipelined without PIPELINING" {
	scenario bdat_pipelined
}

@test "SPEC §19 pipelining: a lock-step client without PIPELINING is clean" {
	scenario lockstep_without_pipelining
}

@test "SPEC §19 pipelining: a lock-step client whose every octet is a write of its own is clean" {
	scenario lockstep_split
}

@test "SPEC §19 pipelining_group_not_ended: MAIL in the same write as NOOP" {
	scenario pipelining_group_not_ended
}

@test "SPEC §19 pipelining_group_not_ended: plaintext behind STARTTLS" {
	scenario starttls_pipelined
}

@test "SPEC §19 pipelining: MAIL, RCPT, DATA in one group is clean" {
	scenario pipelining_group_ended
}

@test "SPEC §19 auth_in_clear: AUTH before STARTTLS that was offered" {
	scenario auth_in_clear
}

@test "SPEC §19 auth_in_clear: not after STARTTLS" {
	scenario auth_after_tls
}

@test "SPEC §19 auth_in_clear: not when STARTTLS was not offered" {
	scenario auth_without_starttls
}

@test "SPEC §19 no_ehlo_after_starttls: MAIL first after the handshake" {
	scenario no_ehlo_after_starttls
}

@test "SPEC §19: a violation before STARTTLS stays the connection's after it (the TLS twin)" {
	scenario violation_before_starttls
}

@test "SPEC §19 utf8_without_smtputf8: a non-ASCII MAIL FROM without SMTPUTF8" {
	scenario utf8_without_smtputf8
}

@test "SPEC §19 utf8_without_smtputf8: a non-ASCII RCPT TO after a MAIL FROM without SMTPUTF8" {
	scenario utf8_rcpt_without_smtputf8
}

@test "SPEC §19 utf8_without_smtputf8: not with SMTPUTF8" {
	scenario utf8_with_smtputf8
}

@test "SPEC §19 utf8_without_smtputf8: counted when the session has no SMTPUTF8 (553) too" {
	smtp_input 'EHLO nosmtputf8.example' 'MAIL FROM:<jörg@example.com>' 'QUIT'
	smtp_session
	want_ehlo smtputf8=none
	expect_out "$G" "${WANT[@]}" '553 5.6.7 Non-ASCII address requires SMTPUTF8' "$BYE"
	expect_details utf8_without_smtputf8 'MAIL FROM:<jörg@example.com>'
}

@test "SPEC §19 no_quit: the client hangs up without QUIT" {
	scenario no_quit
}

@test "SPEC §19 no_quit: not after our 421" {
	scenario after_our_421
}

@test "SPEC §19 no_quit: not after our timeout 421, nor on a drop port" {
	SMTP_HOLD=2
	smtp_input 'EHLO x'
	smtp_session --timeout 1 # 10 ms at scale 0.01
	expect_status 1
	expect_out "$G" "${EHLO_DEFAULT[@]}" '421 Timeout, closing transmission channel'
	# early_talker or not: that depends on when the pipe delivered EHLO
	log_check "assert fields('SMTP connection closed')['violations'] in ([], ['early_talker']), ev"
	SMTP_HOLD=
	smtp_input 'EHLO x'
	smtp_session --profile drop-0
	expect_status 1
	expect_out
	log_check "assert fields('SMTP connection closed')['violations'] == [], ev"
}

@test "SPEC §19 pipelining: a command begun after the reply and cut short by our timeout is none" {
	smtp_start --timeout 100   # 1 s at scale 0.01
	smtp_expect "$G"
	smtp_cmd 'EHLO x' "${EHLO_DEFAULT[@]}"
	smtp_send_raw 'NOOP'
	smtp_expect '421 Timeout, closing transmission channel'
	smtp_wait
	expect_status 1
	log_check "assert fields('SMTP connection closed')['violations'] == [], ev"
}

@test "SPEC §21: each message's header names the violations up to its end, earlier ones included" {
	scenario header_accumulates
}

@test "SPEC §19: the log in text form: the event and the array" {
	smtp_input 'EHLO x' 'QUIT'
	smtp_session --log-format text
	grep -q '\[WARN\] SMTP client violation client_ip=pipe detail="6 octets before the reply to EHLO" session_id=sess_[0-9a-f]* violation=pipelining_not_offered$' "$SMTP_ERR" ||
		fail "$(cat "$SMTP_ERR")"
	grep -q '\[INFO\] SMTP connection closed .* violations=\[\(\"early_talker\",\)\?"pipelining_not_offered"\]$' "$SMTP_ERR" ||
		fail "$(cat "$SMTP_ERR")"
}

# receiver SOCKET FILE: skips unless we may make mount namespaces (root); writes
# $T/receiver.py, a datagram socket at SOCKET that appends each datagram it gets to FILE (then
# \x1e), makes FILE.ready once bound, and ends after "SMTP connection closed" (or 10 s).
receiver() {
	[ "$(id -u)" = 0 ] && unshare -m --propagation private true 2> /dev/null ||
		skip "needs root and mount namespaces"
	cat > "$T/receiver.py" << EOF
import socket
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind('$1')
open('$2.ready', 'w').close()
s.settimeout(10)
with open('$2', 'ab') as f:
    while True:
        d = s.recv(65536)
        f.write(d + b'\x1e')
        f.flush()
        if b'SMTP connection closed' in d:
            break
EOF
}

# in_namespace SETUP TARGET: in a mount namespace of its own (so that no fake socket ever shows
# on the machine), SETUP, the receiver, then a session with --log-target TARGET on $T/in, a
# regular file (all of it there before the greeting).
in_namespace() {
	unshare -m --propagation private sh -c "$1
		/usr/bin/python3 $T/receiver.py > /dev/null 2>&1 & r=\$!
		for i in \$(seq 100); do [ -e $T/log.ready ] && break; sleep 0.05; done
		$BADSMTP_BIN --log-target $2 < $T/in > $T/out 2> $T/err
		wait \$r"
	[ "$(cat "$T/out")" = "$(printf '%s\r\n' "$G" "${EHLO_DEFAULT[@]}" "$BYE")" ] || fail "$(cat -A "$T/out")"
}

@test "SPEC §11, §19: journald gets SMTP_VIOLATION, SMTP_DETAIL and one SMTP_VIOLATIONS= per name" {
	[ -e /lib/x86_64-linux-gnu/libsystemd.so.0 ] || [ -e /usr/lib/x86_64-linux-gnu/libsystemd.so.0 ] ||
		skip "no libsystemd.so.0"
	printf 'EHLO x\nQUIT\r\n' > "$T/in"
	receiver /run/systemd/journal/socket "$T/log"
	in_namespace "mount -t tmpfs tmpfs /run/systemd && mkdir /run/systemd/journal" journal
	/usr/bin/python3 - "$T/log" << 'EOF'
import sys
# the native protocol: KEY=value\n, or KEY\n + 64-bit little-endian length + value + \n
entries = []
for d in open(sys.argv[1], 'rb').read().split(b'\x1e')[:-1]:
    fields, i = {}, 0
    while i < len(d):
        nl = d.index(b'\n', i)
        line = d[i:nl]
        if b'=' in line:
            k, v = line.split(b'=', 1)
            i = nl + 1
        else:
            k, n = line, int.from_bytes(d[nl + 1:nl + 9], 'little')
            v, i = d[nl + 9:nl + 9 + n], nl + 9 + n + 1
        fields.setdefault(k.decode(), []).append(v.decode())
    entries.append(fields)
v = [e for e in entries if e.get('MESSAGE') == ['SMTP client violation']]
assert [(e['SMTP_VIOLATION'], e['SMTP_DETAIL'], e['PRIORITY']) for e in v] == [
    (['early_talker'], ['13 octets before the greeting'], ['4']),
    (['bare_lf'], ['EHLO command'], ['4']),
    (['pipelining_not_offered'], ['6 octets before the reply to EHLO'], ['4'])], v
c = [e for e in entries if e.get('MESSAGE') == ['SMTP connection closed']]
assert len(c) == 1 and c[0]['SMTP_VIOLATIONS'] == ['early_talker', 'bare_lf', 'pipelining_not_offered'], c
EOF
}

@test "SPEC §11, §19: syslog gets the event and the array, facility mail" {
	printf 'EHLO x\r\nQUIT\r\n' > "$T/in"
	receiver /dev/log "$T/log"
	# /dev of the namespace: a tmpfs with the host's /dev/null bound in, and the receiver's /dev/log.
	: > "$T/null"
	in_namespace "mount --bind /dev/null $T/null && mount -t tmpfs tmpfs /dev &&
		: > /dev/null && mount --bind $T/null /dev/null" syslog
	# LOG_MAIL | LOG_WARNING = <20>, LOG_MAIL | LOG_INFO = <22>
	tr '\036' '\n' < "$T/log" > "$T/lines"
	grep -q '^<20>badsmtp-session\[[0-9]*\]: {.*"message":"SMTP client violation","fields":{.*"detail":"6 octets before the reply to EHLO".*"violation":"pipelining_not_offered"}}$' "$T/lines" ||
		fail "$(cat "$T/lines")"
	grep -q '^<22>badsmtp-session\[[0-9]*\]: {.*"message":"SMTP connection closed".*"violations":\["early_talker","pipelining_not_offered"\]' "$T/lines" ||
		fail "$(cat "$T/lines")"
}

@test "SPEC §19 witnesses: swaks over a pipe, plain, PIPELINING and STARTTLS+AUTH: violations []" {
	for opts in "" "--pipeline" "--tls --auth PLAIN --auth-user u --auth-password p"; do
		# shellcheck disable=SC2086
		run timeout 20 swaks --pipe "$BADSMTP_BIN --cert-cache $BATS_FILE_TMPDIR/cache 2>$SMTP_ERR" \
			--from a@example.com --to b@example.com $opts
		[ "$status" -eq 0 ] || fail "swaks $opts: exit $status" "$output"
		log_check "assert fields('SMTP connection closed')['violations'] == [], ('$opts', ev)"
	done
}

@test "SPEC §19 witnesses: swaks --auth on a plain connection where STARTTLS is offered" {
	run timeout 20 swaks --pipe "$BADSMTP_BIN 2>$SMTP_ERR" --from a@example.com --to b@example.com \
		--auth PLAIN --auth-user u --auth-password p
	[ "$status" -eq 0 ] || fail "swaks: exit $status" "$output"
	log_check "
assert fields('SMTP connection closed')['violations'] == ['auth_in_clear'], ev
assert fields('SMTP client violation')['detail'] == 'AUTH PLAIN', ev"
}
