#!/usr/bin/env bats
# SPEC §17 over pipes: the reply-shaping EHLO keywords (replysplit, replybytes, replybare,
# replymulti, replylong, replylf, authequals), alone and combined in §21's order, from the EHLO's
# own reply on until the next EHLO/HELO or STARTTLS, pipelined and lock-step; noclearauth and dsn;
# the greeting-fault profiles. Separate reads on a socket and real clients: integration/shaping.bats.

load helpers

READY='220 Ready to start TLS'

setup() {
	common_setup
	X600=$(repeat_char x 600)
}

# expect_raw PRINTF-FORMAT ARGS...: stdout is exactly these bytes.
expect_raw() {
	# shellcheck disable=SC2059
	printf "$@" > "$T/want.raw"
	expect_out_file "$T/want.raw"
}

# tls_dialogue LINE...: run tls_client.py (one client line per line) against the binary.
tls_dialogue() {
	printf '%s\n' "$@" > "$T/dialogue"
	timeout 20 /usr/bin/python3 "$BATS_TEST_DIRNAME/tls_client.py" -- "$BADSMTP_BIN" \
		--cert-cache "$T/cache" < "$T/dialogue" > "$T/client.out" 2> "$SMTP_ERR"
	output=$(cat "$T/client.out")
}

# transcript LINE...: tls_client.py's output is exactly these lines.
transcript() {
	local want
	printf -v want '%s\n' "$@"
	[ "$output"$'\n' = "$want" ] || fail "transcript differs:" "$(diff <(echo "$want") <(echo "$output"))" \
		"--- log:" "$(cat "$SMTP_ERR")"
}

# ---- replybare -------------------------------------------------------------------------------

@test "replybare: single-line 2xx/3xx replies are their code alone, from the EHLO's own reply on; errors and multi-line replies keep their text" {
	want_ehlo
	smtp_input 'EHLO replybare.example' 'MAIL FROM:<a@example.com>' 'RCPT TO:<rcpt550_5.1.1@example.com>' \
		'RCPT TO:<b@example.com>' 'DATA' 'hi' '.' 'NOOP' 'VRFY exists@example.com' 'BOGUS' 'RSET' 'QUIT'
	smtp_session
	expect_status 0
	# the greeting came before the EHLO: whole
	expect_out "$G" "${WANT[@]}" 250 '550 5.1.1 Requested action not taken: mailbox unavailable' \
		250 354 250 250 250 '500 Command not recognised' 250 221
}

@test "replybare: an empty 334 is a bare 334, a 334 that carries data keeps it (SPEC §21)" {
	smtp_input 'EHLO replybare-noenhancedstatuscodes.example' 'AUTH PLAIN' '*' 'AUTH LOGIN' 'dXNlcg==' 'cGFzcw==' 'QUIT'
	smtp_session
	expect_status 0
	want_ehlo enhanced=none
	expect_out "$G" "${WANT[@]}" 334 '501 Authentication cancelled' '334 VXNlcm5hbWU6' \
		'334 UGFzc3dvcmQ6' 235 221
}

@test "replybare, lock-step: each bare reply comes alone" {
	smtp_start
	smtp_expect "$G"
	want_ehlo
	smtp_cmd 'EHLO replybare.example' "${WANT[@]}"
	smtp_cmd 'MAIL FROM:<a@example.com>' 250
	smtp_cmd 'RCPT TO:<b@example.com>' 250
	smtp_cmd 'DATA' 354
	smtp_cmd '.' 250
	smtp_cmd 'QUIT' 221
	smtp_wait
	expect_status 0
}

# ---- replymulti ------------------------------------------------------------------------------

@test "replymulti: a single-line reply comes twice, '{code}-' then '{code} ', the enhanced code on both" {
	want_ehlo
	smtp_input 'EHLO replymulti.example' 'MAIL FROM:<a@example.com>' 'RCPT TO:<rcpt550_5.1.1@example.com>' \
		'RCPT TO:<rcpt452@example.com>' 'QUIT'
	smtp_session
	expect_status 0
	expect_out "$G" "${WANT[@]}" '250-OK' '250 OK' \
		'550-5.1.1 Requested action not taken: mailbox unavailable' \
		'550 5.1.1 Requested action not taken: mailbox unavailable' \
		'452-Requested action not taken: insufficient system storage' \
		'452 Requested action not taken: insufficient system storage' '221-Bye' '221 Bye'
}

@test "replymulti without enhanced codes: neither line has the x.y.z" {
	smtp_input 'EHLO replymulti-noenhancedstatuscodes.example' 'MAIL FROM:<mail550_5.1.1@example.com>' 'QUIT'
	smtp_session
	want_ehlo enhanced=none
	expect_out "$G" "${WANT[@]}" '550-Requested action not taken: mailbox unavailable' \
		'550 Requested action not taken: mailbox unavailable' '221-Bye' '221 Bye'
}

# ---- replylong -------------------------------------------------------------------------------

@test "replylong: every reply's last line gets a space and 600 x, past RFC 5321's 512 octets" {
	want_ehlo
	WANT[-1]="250 OK $X600"
	smtp_input 'EHLO replylong.example' 'MAIL FROM:<a@example.com>' 'RCPT TO:<rcpt550_5.1.1@example.com>' 'QUIT'
	smtp_session
	expect_status 0
	expect_out "$G" "${WANT[@]}" "250 OK $X600" \
		"550 5.1.1 Requested action not taken: mailbox unavailable $X600" "221 Bye $X600"
}

# ---- replylf ---------------------------------------------------------------------------------

@test "replylf: every line ends in a bare LF, multi-line replies included" {
	smtp_input 'EHLO replylf-noauth-nosize-nopipelining-nostarttls-nochunking-nosmtputf8.example' \
		'MAIL FROM:<a@example.com>' 'RCPT TO:<rcpt452@example.com>' 'QUIT'
	smtp_session
	expect_status 0
	expect_raw '%s\r\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n' "$G" '250-badsmtp.test' '250-8BITMIME' \
		'250-ENHANCEDSTATUSCODES' '250 OK' '250 OK' \
		'452 Requested action not taken: insufficient system storage' '221 Bye'
}

# ---- replysplit, replybytes --------------------------------------------------------------------

@test "replysplit and replybytes: the same bytes as without them, pipelined" {
	local k
	want_ehlo
	for k in replysplit replybytes replysplit-replybytes; do
		smtp_input "EHLO $k.example" 'MAIL FROM:<a@example.com>' 'RCPT TO:<b@example.com>' 'DATA' 'hi' '.' \
			'RCPT TO:<rcpt550@example.com>' 'QUIT'
		smtp_session
		expect_status 0
		expect_out "$G" "${WANT[@]}" '250 OK' '250 OK' "$GO_AHEAD" "$ACCEPTED" \
			'503 Bad sequence - RCPT not allowed in MAIL state' "$BYE" || fail "keyword $k"
	done
}

@test "replysplit-replybytes, lock-step: every reply whole, in its time (SPEC §10 still holds)" {
	smtp_start
	smtp_expect "$G"
	want_ehlo
	smtp_cmd 'EHLO replysplit-replybytes.example' "${WANT[@]}"
	smtp_cmd 'MAIL FROM:<a@example.com>' '250 OK'
	smtp_cmd 'RCPT TO:<rcpt451_4.5.1@example.com>' '451 4.5.1 Requested action aborted: local error in processing'
	smtp_cmd 'QUIT' "$BYE"
	smtp_wait
	expect_status 0
}

# ---- authequals ----------------------------------------------------------------------------------

@test "authequals: an AUTH= line right after AUTH, with the same mechanisms; none without AUTH" {
	smtp_input 'EHLO authequals-authlogin.example' 'EHLO authequals-noauth.example' 'QUIT'
	smtp_session
	expect_status 0
	want_ehlo auth=LOGIN
	local first=("${WANT[@]:0:2}" '250-AUTH=LOGIN' "${WANT[@]:2}")
	want_ehlo auth=none
	expect_out "$G" "${first[@]}" "${WANT[@]}" "$BYE"
}

# ---- combinations and their lifetime -------------------------------------------------------------

@test "every shaping keyword at once: built bare, then multi, then long, then LF ends, written in parts" {
	smtp_input 'EHLO replysplit-replybytes-replybare-replymulti-replylong-replylf-nostarttls-noauth-nosize-nopipelining-nochunking-nosmtputf8-no8bit.example' \
		'MAIL FROM:<a@example.com>' 'RCPT TO:<rcpt550_5.1.1@example.com>' 'QUIT'
	smtp_session
	expect_status 0
	expect_raw '%s\r\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n' "$G" '250-badsmtp.test' \
		'250-ENHANCEDSTATUSCODES' "250 OK $X600" '250-' "250 $X600" '550-5.1.1 Requested action not taken: mailbox unavailable' \
		"550 5.1.1 Requested action not taken: mailbox unavailable $X600" '221-' "221 $X600"
}

@test "shaping lasts until the next EHLO or HELO, whose own keywords count from its own reply on" {
	want_ehlo
	smtp_input 'EHLO replymulti.example' 'NOOP' 'EHLO plain.example' 'NOOP' 'HELO replybare.example' 'NOOP' \
		'HELO plain.example' 'QUIT'
	smtp_session
	expect_status 0
	expect_out "$G" "${WANT[@]}" '250-OK' '250 OK' "${WANT[@]}" '250 OK' 250 250 '250 badsmtp.test' "$BYE"
}

@test "a refused EHLO (reject) or an EHLO trigger shapes nothing: the session's keywords are gone" {
	want_ehlo
	smtp_input 'EHLO replymulti.example' 'EHLO reject-replymulti.example' 'NOOP' 'EHLO helo550.example' 'NOOP' 'QUIT'
	smtp_session
	expect_status 0
	expect_out "$G" "${WANT[@]}" '502 Command not implemented' '250 OK' \
		'550 Requested action not taken: mailbox unavailable' '250 OK' "$BYE"
}

@test "the 220 to STARTTLS is shaped too; after the handshake the keywords are forgotten" {
	tls_dialogue '!greeting' 'EHLO replymulti.example' 'STARTTLS' 'EHLO plain.example' 'NOOP' 'QUIT'
	want_ehlo starttls=none
	local plain=("${WANT[@]}")
	want_ehlo
	transcript "S: $G" "${WANT[@]/#/S: }" "S: 220-Ready to start TLS" "S: $READY" "$(grep '^TLS: ' <<< "$output")" \
		"${plain[@]/#/S: }" 'S: 250 OK' 'S: 221 Bye' 'EOF' 'EXIT 0'
}

@test "replylong on the 220 to STARTTLS, written before the handshake as one reply" {
	smtp_input 'EHLO replylong-replybytes.example' 'STARTTLS'
	smtp_append_raw '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03'
	smtp_session --cert-cache "$T/cache"
	expect_status 1
	want_ehlo
	WANT[-1]="250 OK $X600"
	expect_out "$G" "${WANT[@]}" "$READY $X600"
}

# ---- noclearauth ---------------------------------------------------------------------------------

@test "noclearauth: no AUTH before TLS, and AUTH gets 530 5.7.0 (530 without enhanced codes)" {
	smtp_input 'EHLO noclearauth.example' 'AUTH PLAIN AHVzZXIAcGFzcw==' 'EHLO noclearauth-noenhancedstatuscodes.example' \
		'AUTH LOGIN' 'QUIT'
	smtp_session
	expect_status 0
	want_ehlo auth=none
	local first=("${WANT[@]}")
	want_ehlo auth=none enhanced=none
	expect_out "$G" "${first[@]}" '530 5.7.0 Must issue a STARTTLS command first' "${WANT[@]}" \
		'530 Must issue a STARTTLS command first' "$BYE"
}

@test "noclearauth: after STARTTLS and a new EHLO, AUTH is offered and works" {
	tls_dialogue '!greeting' 'EHLO noclearauth.example' 'STARTTLS' 'EHLO noclearauth.example' 'AUTH PLAIN AHVzZXIAcGFzcw==' 'QUIT'
	want_ehlo auth=none
	local before=("${WANT[@]}")
	want_ehlo starttls=none
	transcript "S: $G" "${before[@]/#/S: }" "S: $READY" "$(grep '^TLS: ' <<< "$output")" "${WANT[@]/#/S: }" \
		'S: 235 Authentication successful' 'S: 221 Bye' 'EOF' 'EXIT 0'
}

# ---- dsn -----------------------------------------------------------------------------------------

@test "dsn: 250-DSN after SIZE; RET, ENVID, NOTIFY, ORCPT accepted, logged and stored after Received:" {
	smtp_input 'EHLO dsn.example' 'MAIL FROM:<a@example.com> RET=HDRS ENVID=QQ314159' \
		'RCPT TO:<b@example.com> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b@example.com' \
		'RCPT TO:<c@example.com>' 'RCPT TO:<d@example.com> notify=never' 'DATA' 'Subject: dsn' '' 'body' '.' 'QUIT'
	smtp_session --maildir "$T/md"
	expect_status 0
	want_ehlo
	WANT=("${WANT[@]:0:4}" '250-DSN' "${WANT[@]:4}")
	expect_out "$G" "${WANT[@]}" '250 OK' '250 OK' '250 OK' '250 OK' "$GO_AHEAD" "$ACCEPTED" "$BYE"
	expect_maildir_count "$T/md" 1
	local dsn='RET=HDRS; ENVID=QQ314159; b@example.com NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b@example.com; d@example.com NOTIFY=never'
	printf 'X-BadSMTP-DSN: %s\r\nSubject: dsn\r\n\r\nbody\r\n' "$dsn" > "$T/body"
	expect_stored "$(maildir_files "$T/md")" a@example.com 'b@example.com, c@example.com, d@example.com' \
		dsn.example ESMTP "$T/body"
	log_check "assert fields('SMTP message processing started')['dsn'] == '$dsn'"
}

@test "dsn: malformed values get 501 5.5.4 Invalid DSN parameter, the command is refused, the session goes on" {
	smtp_input 'EHLO dsn.example' 'MAIL FROM:<a@example.com> RET=ALL' 'MAIL FROM:<a@example.com> ENVID=a+zz' \
		'MAIL FROM:<a@example.com> RET=FULL' 'RCPT TO:<b@example.com> NOTIFY=NEVER,SUCCESS' \
		'RCPT TO:<b@example.com> ORCPT=b@example.com' 'RCPT TO:<b@example.com> RET=FULL' \
		'DATA' 'EHLO dsn-noenhancedstatuscodes.example' 'MAIL FROM:<a@example.com> RET=' \
		'MAIL FROM:<a@example.com> RET' 'QUIT'
	smtp_session
	expect_status 0
	want_ehlo
	local first=("${WANT[@]:0:4}" '250-DSN' "${WANT[@]:4}") bad='501 5.5.4 Invalid DSN parameter'
	want_ehlo enhanced=none
	WANT=("${WANT[@]:0:4}" '250-DSN' "${WANT[@]:4}")
	expect_out "$G" "${first[@]}" "$bad" "$bad" '250 OK' "$bad" "$bad" \
		'555 MAIL FROM/RCPT TO parameters not recognized or not implemented' '554 No valid recipients' \
		"${WANT[@]}" '501 Syntax error in parameters' '501 Invalid DSN parameter' "$BYE"
}

@test "without dsn (and after HELO) DSN parameters stay 555 and no header is written" {
	smtp_input 'HELO dsn.example' 'MAIL FROM:<a@example.com> RET=HDRS' 'MAIL FROM:<a@example.com>' \
		'RCPT TO:<b@example.com>' 'DATA' 'x' '.' 'QUIT'
	smtp_session --maildir "$T/md"
	expect_out "$G" '250 badsmtp.test' '555 MAIL FROM/RCPT TO parameters not recognized or not implemented' \
		'250 OK' '250 OK' "$GO_AHEAD" "$ACCEPTED" "$BYE"
	printf 'x\r\n' > "$T/body"
	expect_stored "$(maildir_files "$T/md")" a@example.com b@example.com dsn.example SMTP "$T/body"
}

# ---- greeting faults -----------------------------------------------------------------------------

@test "greeting-multiline (port 25800): a three-line greeting, then a normal session" {
	smtp_input 'EHLO x' 'QUIT'
	smtp_session --port 25800
	expect_status 0
	want_ehlo
	expect_out '220-badsmtp.test ESMTP BadSMTP Server' '220-This greeting has three lines' \
		'220 badsmtp.test ready' "${WANT[@]}" "$BYE"
	log_check "f = fields('SMTP behaviour triggered'); assert f['behaviour'] == 'greeting_multiline' and f['port'] == 25800, f"
}

@test "greeting-421 (port 25801): 421, close, exit 1, input unread" {
	smtp_input 'EHLO x' 'QUIT'
	smtp_session --port 25801
	expect_status 1
	expect_out '421 Service not available, closing transmission channel'
}

@test "greeting-554 (port 25802): every command but QUIT gets 503, unknown verbs too; QUIT 221, exit 0" {
	smtp_input 'EHLO x' 'HELO x' 'MAIL FROM:<a@example.com>' 'NOOP' 'RSET' 'HELP' '' 'STARTTLS' 'QUIT'
	smtp_session --port 25802
	expect_status 0
	local b='503 Bad sequence of commands'
	expect_out '554 No SMTP service here' "$b" "$b" "$b" "$b" "$b" "$b" "$b" "$BYE"
}

@test "greeting-554, lock-step: the 503s come one by one, then QUIT ends it" {
	smtp_start --profile greeting-554
	smtp_expect '554 No SMTP service here'
	smtp_cmd 'EHLO x' '503 Bad sequence of commands'
	smtp_cmd 'NOOP' '503 Bad sequence of commands'
	smtp_cmd 'QUIT' "$BYE"
	smtp_wait
	expect_status 0
}

# bats test_tags=timing
@test "greeting-pause (port 25803): the greeting after 3 s scaled; a patient client gets a normal session" {
	export BADSMTP_TIME_SCALE=0.1
	smtp_start --port 25803
	smtp_expect "$G"
	between "the pause" "$REPLY_AT_MS" 280 3000
	want_ehlo
	smtp_cmd 'EHLO x' "${WANT[@]}"
	smtp_cmd 'QUIT' "$BYE"
	smtp_wait
	expect_status 0
	log_check "f = fields('SMTP behaviour triggered'); assert f['behaviour'] == 'greeting_pause' and f['delay_seconds'] == 3, f"
}

# bats test_tags=timing
@test "greeting-pause: talking before the greeting gets 554 5.5.1 at once, close, exit 1" {
	export BADSMTP_TIME_SCALE=1
	smtp_start --profile greeting-pause
	sleep 0.2
	smtp_send 'EHLO early.example'
	smtp_expect '554 5.5.1 Protocol error: talked before the greeting'
	between "the 554" "$REPLY_AT_MS" 150 2500
	smtp_expect_eof
	smtp_wait
	expect_status 1
}

@test "greeting-pause, pipelined: the early input is never answered as commands" {
	smtp_input 'EHLO x' 'MAIL FROM:<a@example.com>' 'QUIT'
	smtp_session --port 25803
	expect_status 1
	expect_out '554 5.5.1 Protocol error: talked before the greeting'
}

@test "greeting-trickle (port 25804): the greeting whole, then a normal session, pipelined and lock-step" {
	smtp_input 'EHLO x' 'QUIT'
	smtp_session --port 25804
	expect_status 0
	want_ehlo
	expect_out "$G" "${WANT[@]}" "$BYE"
	smtp_start --profile greeting-trickle
	smtp_expect "$G"
	smtp_cmd 'NOOP' '250 OK'
	smtp_cmd 'QUIT' "$BYE"
	smtp_wait
	expect_status 0
}

# bats test_tags=timing
@test "greeting-trickle: one octet per 100 ms scaled, so the greeting takes its time" {
	export BADSMTP_TIME_SCALE=0.1
	smtp_start --profile greeting-trickle
	smtp_expect "$G"
	# 39 octets, 38 gaps of 10 ms
	between "the greeting" "$REPLY_AT_MS" 300 5000
	smtp_cmd 'QUIT' "$BYE"
	smtp_wait
}

@test "greeting faults: the BADSMTP_GREETING_FAULT_PORT_START base moves them" {
	smtp_input 'QUIT'
	BADSMTP_GREETING_FAULT_PORT_START=4000 smtp_session --port 4001
	expect_status 1
	expect_out '421 Service not available, closing transmission channel'
	smtp_input 'QUIT'
	BADSMTP_GREETING_FAULT_PORT_START=4000 smtp_session --port 25801
	expect_out "$G" "$BYE"
	smtp_input 'QUIT'
	BADSMTP_GREETING_FAULT_PORT_START=25605 smtp_session --port 4001
	expect_status 100
	expect_out
	grep -q 'BADSMTP_GREETING_FAULT_PORT_START=25605' "$SMTP_ERR" || fail "$(cat "$SMTP_ERR")"
}
