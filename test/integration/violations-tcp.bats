#!/usr/bin/env bats
# bats file_tags=tcp
# SPEC §19 over TCP: the hand-written clients of test/bats/violations_client.py on python sockets
# (each violation alone, each next to the correct behaviour), then real clients as witnesses:
# python smtplib, swaks, curl and msmtp sending ordinary mail have no violation; clients made to
# misbehave have exactly theirs. Two launchers under systemd-socket-activate --inetd -a, started
# in setup_file: plain, and greeting-delay-30 (300 ms at scale 0.01) where a client must talk
# before the greeting whatever the scheduling.

load helpers

CLIENT=$REPO/test/bats/violations_client.py

# launch PROFILE LOG: a launcher of that profile on a free port, logging to LOG, its sessions
# sharing a Maildir and a cert cache; once it listens, LAUNCHED_PORT and LAUNCHED_PID say where
# and who it is.
launch() {
	read -r LAUNCHED_PORT < <(free_ports 1)
	: > "$2"   # there before any session: a test run alone takes its size
	setsid systemd-socket-activate --inetd -a -l "127.0.0.1:$LAUNCHED_PORT" -E BADSMTP_TIME_SCALE \
		"$BADSMTP_BIN" --profile "$1" --cert-cache "$D/cache" --maildir "$D/md" \
		--log-target "file:$2" > /dev/null 2>> "$D/launcher.log" 3>&- &
	LAUNCHED_PID=$!
	wait_launcher "$D/launcher.log" "$LAUNCHED_PORT"
}

setup_file() {
	need_launcher
	export D=$BATS_FILE_TMPDIR BADSMTP_TIME_SCALE=0.01
	export LOG=$D/plain.log LOG_DELAY=$D/delay.log PORT PORT_DELAY PID PID_DELAY
	launch plain "$LOG"
	PORT=$LAUNCHED_PORT PID=$LAUNCHED_PID
	launch greeting-delay-30 "$LOG_DELAY"
	PORT_DELAY=$LAUNCHED_PORT PID_DELAY=$LAUNCHED_PID
}

teardown_file() {
	[ -z "${PID-}" ] || kill -- "-$PID" 2> /dev/null || kill "$PID" 2> /dev/null || true
	[ -z "${PID_DELAY-}" ] || kill -- "-$PID_DELAY" 2> /dev/null || kill "$PID_DELAY" 2> /dev/null || true
}

# scenario NAME [PORT LOG]: the client NAME over TCP.
scenario() {
	run timeout 60 "$PY" "$CLIENT" tcp "$1" --port "${2:-$PORT}" --log "${3:-$LOG}"
	[ "$status" -eq 0 ] || fail "$output"
}

# witness WANT DETAILS COMMAND...: COMMAND (a real client) succeeds, and the connection it made
# has exactly the violations WANT with exactly the details DETAILS (JSON arrays, e.g. '[]' '[]'
# or '["auth_in_clear"]' '["AUTH PLAIN"]').
witness() {
	local want=$1 details=$2 off
	shift 2
	off=$(stat -c %s "$LOG")
	run timeout 30 "$@"
	[ "$status" -eq 0 ] || fail "$* exited $status" "$output"
	run timeout 30 "$PY" "$CLIENT" closed --log "$LOG" --since "$off"
	[ "$status" -eq 0 ] || fail "$output"
	"$PY" -c 'import json, sys; got = json.loads(sys.argv[1]); assert got == {"violations": json.loads(sys.argv[2]), "details": json.loads(sys.argv[3])}, got' \
		"$output" "$want" "$details" || fail "$output" "want $want $details"
}

@test "TCP, SPEC §19: a clean client: violations [] and no header" { scenario clean; }
@test "TCP, SPEC §19 early_talker: input before the greeting" {
	scenario early_talker "$PORT_DELAY" "$LOG_DELAY"
}
@test "TCP, SPEC §19 bare_lf: a command line" { scenario bare_lf_command; }
@test "TCP, SPEC §19 bare_lf: a DATA body line" { scenario bare_lf_body; }
@test "TCP, SPEC §19 bare_lf: late in a large body" { scenario big_body_bare_lf; }
@test "TCP, SPEC §19 bare_cr: a DATA body line" { scenario bare_cr_body; }
@test "TCP, SPEC §19 long_command_line: 513 octets" { scenario long_command_line; }
@test "TCP, SPEC §19 long_command_line: not for 512" { scenario command_line_512; }
@test "TCP, SPEC §19 long_text_line: 1001 octets" { scenario long_text_line; }
@test "TCP, SPEC §19 long_text_line: not for 1000" { scenario text_line_1000; }
@test "TCP, SPEC §19 eight_bit_without_8bitmime" { scenario eight_bit; }
@test "TCP, SPEC §19 eight_bit_without_8bitmime: not with BODY=8BITMIME" { scenario eight_bit_8bitmime; }
@test "TCP, SPEC §19 eight_bit_without_8bitmime: not with SMTPUTF8" { scenario eight_bit_smtputf8; }
@test "TCP, SPEC §19 pipelining_not_offered" { scenario pipelining_not_offered; }
@test "TCP, SPEC §19 pipelining_not_offered: BDAT" { scenario bdat_pipelined; }
@test "TCP, SPEC §19 pipelining: lock-step without PIPELINING is clean" { scenario lockstep_without_pipelining; }
@test "TCP, SPEC §19 pipelining: lock-step, one octet per segment, is clean" { scenario lockstep_split; }
@test "TCP, SPEC §19 pipelining_group_not_ended" { scenario pipelining_group_not_ended; }
@test "TCP, SPEC §19 pipelining_group_not_ended: plaintext behind STARTTLS" { scenario starttls_pipelined; }
@test "TCP, SPEC §19 pipelining: MAIL, RCPT, DATA in one group is clean" { scenario pipelining_group_ended; }
@test "TCP, SPEC §19 auth_in_clear" { scenario auth_in_clear; }
@test "TCP, SPEC §19 auth_in_clear: not after STARTTLS" { scenario auth_after_tls; }
@test "TCP, SPEC §19 auth_in_clear: not without STARTTLS offered" { scenario auth_without_starttls; }
@test "TCP, SPEC §19 no_ehlo_after_starttls" { scenario no_ehlo_after_starttls; }
@test "TCP, SPEC §19: a violation before STARTTLS is still the connection's after it" { scenario violation_before_starttls; }
@test "TCP, SPEC §19 utf8_without_smtputf8: MAIL FROM" { scenario utf8_without_smtputf8; }
@test "TCP, SPEC §19 utf8_without_smtputf8: RCPT TO" { scenario utf8_rcpt_without_smtputf8; }
@test "TCP, SPEC §19 utf8_without_smtputf8: not with SMTPUTF8" { scenario utf8_with_smtputf8; }
@test "TCP, SPEC §19 no_quit" { scenario no_quit; }
@test "TCP, SPEC §19 no_quit: not after our 421" { scenario after_our_421; }
@test "TCP, SPEC §21: the header accumulates the session's violations" { scenario header_accumulates; }

MAIL_CRLF=$'From: a@example.com\r\nTo: b@example.com\r\nSubject: witness\r\n\r\nhello\r\n'

@test "TCP, SPEC §19 witnesses: python smtplib, plain and STARTTLS + login: violations []" {
	cat > "$D/witness_smtplib.py" << 'EOF'
import smtplib, ssl, sys
from email.message import EmailMessage
m = EmailMessage()
m['From'], m['To'], m['Subject'] = 'a@example.com', 'b@example.com', 'witness'
m.set_content('hello\n')
with smtplib.SMTP('127.0.0.1', int(sys.argv[1])) as s:
    if sys.argv[2] == 'tls':
        ctx = ssl.create_default_context()
        ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
        s.starttls(context=ctx)
        s.login('user', 'pass')
    s.send_message(m)
EOF
	witness '[]' '[]' "$PY" "$D/witness_smtplib.py" "$PORT" plain
	witness '[]' '[]' "$PY" "$D/witness_smtplib.py" "$PORT" tls
}

@test "TCP, SPEC §19 witnesses: swaks plain, --pipeline, and --pipeline against nopipelining: []" {
	witness '[]' '[]' swaks --server 127.0.0.1 --port "$PORT" --from a@example.com --to b@example.com
	witness '[]' '[]' swaks --server 127.0.0.1 --port "$PORT" --from a@example.com --to b@example.com --pipeline
	# swaks pipelines only where PIPELINING is offered: correct, so clean too
	witness '[]' '[]' swaks --server 127.0.0.1 --port "$PORT" --from a@example.com --to b@example.com \
		--pipeline --ehlo nopipelining.example
}

@test "TCP, SPEC §19 witnesses: curl and msmtp sending ordinary mail: []" {
	printf '%s' "$MAIL_CRLF" > "$D/crlf.eml"
	witness '[]' '[]' curl -sS "smtp://127.0.0.1:$PORT" --mail-from a@example.com --mail-rcpt b@example.com \
		--upload-file "$D/crlf.eml"
	witness '[]' '[]' sh -c "msmtp --host=127.0.0.1 --port=$PORT --auth=off --tls=off \
		--from=a@example.com b@example.com < '$D/crlf.eml'"
}

@test "TCP, SPEC §19 misbehaving: swaks --auth on a plain connection offering STARTTLS: auth_in_clear" {
	witness '["auth_in_clear"]' '["AUTH PLAIN"]' swaks --server 127.0.0.1 --port "$PORT" --from a@example.com \
		--to b@example.com --auth PLAIN --auth-user user --auth-password pass
}

@test "TCP, SPEC §19 misbehaving: curl uploading a file with LF line ends: bare_lf" {
	printf 'From: a@example.com\nSubject: lf\n\nhello\n' > "$D/lf.eml"
	witness '["bare_lf"]' '["body line 1"]' curl -sS "smtp://127.0.0.1:$PORT" --mail-from a@example.com \
		--mail-rcpt b@example.com --upload-file "$D/lf.eml"
	# and curl --crlf, which converts them, is clean
	witness '[]' '[]' curl -sS --crlf "smtp://127.0.0.1:$PORT" --mail-from a@example.com \
		--mail-rcpt b@example.com --upload-file "$D/lf.eml"
}

@test "TCP, SPEC §19 misbehaving: a whole dialogue piped through socat to nopipelining" {
	local off
	off=$(stat -c %s "$LOG_DELAY")
	printf 'EHLO nopipelining.example\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\nSubject: x\r\n\r\nhi\r\n.\r\nQUIT\r\n' |
		timeout 10 socat - "TCP:127.0.0.1:$PORT_DELAY" > "$D/socat.out"
	# the replies, which the violations do not change: those of a lock-step client
	"$PY" - "$REPO/test/bats" > "$D/socat.want" << 'EOF'
import sys
sys.path.insert(0, sys.argv[1])
import violations_client as v
lines = [v.G] + v.ehlo_reply(pipelining=False) + [v.OK, v.OK, v.GO, v.ACCEPTED, v.BYE]
sys.stdout.write(''.join(line + '\r\n' for line in lines))
EOF
	cmp "$D/socat.want" "$D/socat.out" || fail "$(cat -A "$D/socat.out")"
	run timeout 30 "$PY" "$CLIENT" closed --log "$LOG_DELAY" --since "$off"
	[ "$output" = '{"violations": ["early_talker", "pipelining_not_offered"], "details": ["112 octets before the greeting", "85 octets before the reply to EHLO"]}' ] ||
		fail "$output"
}
