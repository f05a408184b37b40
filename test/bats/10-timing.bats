#!/usr/bin/env bats
# SPEC §10: pipelining vs lock-step, timeouts, SIGTERM.

load helpers

TIMEOUT421='421 Timeout, closing transmission channel'

# --- pipelining ------------------------------------------------------------------------------

@test "pipelined: a whole session in one write gets every reply, in order" {
	smtp_input 'EHLO x' 'NOOP' 'MAIL FROM:<a@example.com>' 'RCPT TO:<b@example.com>' 'RCPT TO:<rcpt550@example.com>' \
		'RCPT TO:<c@example.com>' 'DATA' 'line' '.' 'VRFY exists@example.com' 'RSET' 'QUIT'
	smtp_session
	expect_status 0
	expect_out "$G" "${EHLO_DEFAULT[@]}" '250 OK' '250 OK' '250 OK' '550 Requested action not taken: mailbox unavailable' \
		'250 OK' "$GO_AHEAD" "$ACCEPTED" '250 exists@example.com User exists' '250 OK' "$BYE"
}

@test "lock-step: each reply comes at once, before the next command is sent" {
	smtp_start
	smtp_expect "$G"
	smtp_cmd 'EHLO x' "${EHLO_DEFAULT[@]}"
	smtp_cmd 'MAIL FROM:<a@example.com>' '250 OK'
	smtp_cmd 'RCPT TO:<b@example.com>' '250 OK'
	smtp_cmd 'DATA' "$GO_AHEAD"
	smtp_send 'Subject: x' '' 'body'
	smtp_expect_silence 0.3
	smtp_cmd '.' "$ACCEPTED"
	smtp_cmd 'NOOP' '250 OK'
	smtp_cmd 'QUIT' "$BYE"
	smtp_expect_eof
	smtp_wait
	expect_status 0
}

# bats test_tags=smoke
@test "a pipelined group gets all its replies while the client waits" {
	smtp_start
	smtp_expect "$G"
	smtp_send 'EHLO x' 'MAIL FROM:<a@example.com>' 'RCPT TO:<b@example.com>' 'NOOP'
	smtp_expect "${EHLO_DEFAULT[@]}"
	smtp_expect '250 OK'
	smtp_expect '250 OK'
	smtp_expect '250 OK'
	smtp_expect_silence 0.3
	smtp_cmd 'QUIT' "$BYE"
	smtp_wait
	expect_status 0
}

@test "a command split over two writes is answered once it is complete" {
	smtp_start
	smtp_expect "$G"
	smtp_send_raw 'NO'
	smtp_expect_silence 0.3
	smtp_send_raw 'OP\r\n'
	smtp_expect '250 OK'
	smtp_cmd 'QUIT' "$BYE"
	smtp_wait
}

# bats test_tags=timing
@test "replies already due are written before a delay (command-delay)" {
	export BADSMTP_TIME_SCALE=0.01
	smtp_start --profile command-delay-120
	smtp_expect "$G"
	local t0=$REPLY_AT_MS
	smtp_send 'NOOP' 'NOOP'
	smtp_expect '250 OK'
	between "first NOOP reply (120 s x 0.01)" $((REPLY_AT_MS - t0)) 1000 2300
	smtp_expect '250 OK'
	between "second NOOP reply" $((REPLY_AT_MS - t0)) 2300 6000
	smtp_close
	smtp_wait
	expect_status 0
}

# --- timeouts --------------------------------------------------------------------------------

# At the 0.02 scale a 50 s timeout takes 1 s, 25 s half a second, and the defaults 6 s (300 s)
# and 3.6 s (180 s): each window below leaves room for a slow machine yet excludes the default,
# so a setting that is ignored fails the test.

# bats test_tags=timing
@test "--timeout: a client that never speaks gets 421 Timeout, exit 1" {
	export BADSMTP_TIME_SCALE=0.02
	SMTP_HOLD=8
	smtp_session --timeout 50
	expect_status 1
	expect_out "$G" "$TIMEOUT421"
	between "timeout 50 s x 0.02" "$SMTP_ELAPSED_MS" 900 4000
}

# bats test_tags=timing
@test "BADSMTP_TIMEOUT sets the command timeout" {
	export BADSMTP_TIME_SCALE=0.02
	SMTP_HOLD=8
	BADSMTP_TIMEOUT=50 smtp_session
	expect_status 1
	expect_out "$G" "$TIMEOUT421"
	between "timeout 50 s x 0.02" "$SMTP_ELAPSED_MS" 900 4000
}

# bats test_tags=timing
@test "--timeout wins over BADSMTP_TIMEOUT" {
	export BADSMTP_TIME_SCALE=0.02
	SMTP_HOLD=8
	BADSMTP_TIMEOUT=100000 smtp_session --timeout 50
	expect_status 1
	expect_out "$G" "$TIMEOUT421"
	between "timeout 50 s x 0.02" "$SMTP_ELAPSED_MS" 900 4000
}

# bats test_tags=timing
@test "default timeout is 300 seconds" {
	export BADSMTP_TIME_SCALE=0.004
	SMTP_HOLD=8
	smtp_session
	expect_status 1
	expect_out "$G" "$TIMEOUT421"
	between "timeout 300 s x 0.004" "$SMTP_ELAPSED_MS" 1000 4500
}

@test "the timeout flushes earlier pipelined replies first" {
	SMTP_HOLD=8
	smtp_input 'EHLO x' 'NOOP'
	smtp_session --timeout 30
	expect_status 1
	expect_out "$G" "${EHLO_DEFAULT[@]}" '250 OK' "$TIMEOUT421"
}

# bats test_tags=timing
@test "the command timeout restarts with every command" {
	# 1 s timeout; four commands 0.4 s apart (1.6 s in all) never time out.
	export BADSMTP_TIME_SCALE=0.02
	smtp_start --timeout 50
	smtp_expect "$G"
	local i
	for i in 1 2 3 4; do
		sleep 0.4
		smtp_cmd 'NOOP' '250 OK'
	done
	smtp_expect "$TIMEOUT421"
	smtp_expect_eof
	smtp_wait
	expect_status 1
}

# bats test_tags=timing
@test "a partial command line counts as idle time" {
	export BADSMTP_TIME_SCALE=0.02
	smtp_start --timeout 50
	smtp_expect "$G"
	smtp_send_raw 'NOO'
	smtp_recv 4
	[ "${REPLY_LINES[*]}" = "$TIMEOUT421" ] || fail "got ${REPLY_LINES[*]}, want $TIMEOUT421"
	smtp_wait
	expect_status 1
}

# bats test_tags=timing
@test "--data-timeout: silence inside a DATA body gets 421 Timeout, exit 1" {
	export BADSMTP_TIME_SCALE=0.02
	SMTP_HOLD=8
	smtp_input 'EHLO x' 'MAIL FROM:<a@example.com>' 'RCPT TO:<b@example.com>' 'DATA' 'part of the body'
	smtp_session --timeout 100000 --data-timeout 25 --maildir "$T/md"
	expect_status 1
	expect_out "$G" "${EHLO_DEFAULT[@]}" '250 OK' '250 OK' "$GO_AHEAD" "$TIMEOUT421"
	between "data timeout 25 s x 0.02" "$SMTP_ELAPSED_MS" 400 3000
	expect_no_mail "$T/md"
}

# bats test_tags=timing
@test "BADSMTP_DATA_TIMEOUT sets the body timeout" {
	export BADSMTP_TIME_SCALE=0.02
	SMTP_HOLD=8
	smtp_input 'EHLO x' 'MAIL FROM:<a@example.com>' 'RCPT TO:<b@example.com>' 'DATA'
	BADSMTP_DATA_TIMEOUT=25 smtp_session --timeout 100000
	expect_status 1
	expect_out "$G" "${EHLO_DEFAULT[@]}" '250 OK' '250 OK' "$GO_AHEAD" "$TIMEOUT421"
	between "data timeout 25 s x 0.02" "$SMTP_ELAPSED_MS" 400 3000
}

# bats test_tags=timing
@test "default data timeout is 180 seconds" {
	export BADSMTP_TIME_SCALE=0.01
	SMTP_HOLD=8
	smtp_input 'EHLO x' 'MAIL FROM:<a@example.com>' 'RCPT TO:<b@example.com>' 'DATA' 'x'
	smtp_session --timeout 100000
	expect_status 1
	expect_out "$G" "${EHLO_DEFAULT[@]}" '250 OK' '250 OK' "$GO_AHEAD" "$TIMEOUT421"
	# 180 x 0.01 = 1.8 s (300 x 0.01 would be 3 s)
	between "data timeout 180 s x 0.01" "$SMTP_ELAPSED_MS" 1500 2800
}

# bats test_tags=timing
@test "the command timeout does not apply inside a body" {
	# 0.8 s for a command (at the 0.02 scale), a 1.5 s silence inside the body
	export BADSMTP_TIME_SCALE=0.02
	smtp_start --timeout 40 --data-timeout 100000
	smtp_expect "$G"
	smtp_cmd 'EHLO x' "${EHLO_DEFAULT[@]}"
	smtp_cmd 'MAIL FROM:<a@example.com>' '250 OK'
	smtp_cmd 'RCPT TO:<b@example.com>' '250 OK'
	smtp_cmd 'DATA' "$GO_AHEAD"
	smtp_send 'body'
	smtp_expect_silence 1.5
	smtp_cmd '.' "$ACCEPTED"
	smtp_expect "$TIMEOUT421"
	smtp_wait
	expect_status 1
}

# bats test_tags=timing
@test "the data timeout does not apply between commands" {
	smtp_start --timeout 100000 --data-timeout 30
	smtp_expect "$G"
	smtp_cmd 'EHLO x' "${EHLO_DEFAULT[@]}"
	smtp_expect_silence 1
	smtp_cmd 'QUIT' "$BYE"
	smtp_wait
	expect_status 0
}

# --- SIGTERM ---------------------------------------------------------------------------------

@test "SIGTERM while waiting for a command: 421 Service shutting down, exit 1" {
	smtp_start
	smtp_expect "$G"
	smtp_cmd 'EHLO x' "${EHLO_DEFAULT[@]}"
	kill -TERM "$SMTP_PID"
	smtp_expect '421 Service shutting down'
	smtp_expect_eof
	smtp_wait
	expect_status 1
}

@test "SIGTERM inside a DATA body: 421 Service shutting down, nothing stored" {
	smtp_start --maildir "$T/md"
	smtp_expect "$G"
	smtp_cmd 'EHLO x' "${EHLO_DEFAULT[@]}"
	smtp_cmd 'MAIL FROM:<a@example.com>' '250 OK'
	smtp_cmd 'RCPT TO:<b@example.com>' '250 OK'
	smtp_cmd 'DATA' "$GO_AHEAD"
	smtp_send 'half a body'
	sleep 0.2
	kill -TERM "$SMTP_PID"
	smtp_expect '421 Service shutting down'
	smtp_expect_eof
	smtp_wait
	expect_status 1
	expect_no_mail "$T/md"
}

@test "SIGTERM before EHLO" {
	smtp_start
	smtp_expect "$G"
	kill -TERM "$SMTP_PID"
	smtp_expect '421 Service shutting down'
	smtp_wait
	expect_status 1
}

# Reading: SIGTERM ends the session at once even while a reply is being delayed; the 421
# replaces the delayed reply.
# bats test_tags=timing
@test "SIGTERM during a dlay wait: 421 Service shutting down at once" {
	export BADSMTP_TIME_SCALE=0.1
	smtp_start
	smtp_expect "$G"
	smtp_send 'EHLO dlay100.example.com'
	sleep 0.3
	kill -TERM "$SMTP_PID"
	local t0=$(($(now_us) / 1000 - SMTP_T0 / 1000))
	smtp_expect '421 Service shutting down'
	between "421 after SIGTERM (the dlay wait was 10 s)" $((REPLY_AT_MS - t0)) 0 3000
	smtp_expect_eof
	smtp_wait
	expect_status 1
}

# bats test_tags=timing
@test "SIGTERM during a greeting delay: 421 Service shutting down at once" {
	export BADSMTP_TIME_SCALE=0.1
	smtp_start --profile greeting-delay-60
	sleep 0.3
	kill -TERM "$SMTP_PID"
	smtp_expect '421 Service shutting down'
	between "421 after SIGTERM (the greeting delay was 6 s)" "$REPLY_AT_MS" 0 3300
	smtp_expect_eof
	smtp_wait
	expect_status 1
}
