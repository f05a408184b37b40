#!/usr/bin/env bats
# SPEC §8: port profiles selected with --profile / --port (their behaviour on a pipe).

load helpers

# At scale 0.001 the default --timeout (300 s) is 300 ms: a busy machine may take longer than that
# to feed a pipe. Delays stay scaled; the wait for a command gets 3 s.
SLOW_FEED=3000

D=(0 1 2 8 10 30 60 120 300 600)

# bats test_tags=timing
@test "greeting-delay: the greeting waits d seconds, then a normal session" {
	export BADSMTP_TIME_SCALE=0.01
	smtp_start --profile greeting-delay-120
	smtp_expect "$G"
	between "greeting (120 s x 0.01)" "$REPLY_AT_MS" 1000 4000
	local t0=$REPLY_AT_MS
	smtp_cmd 'EHLO x' "${EHLO_DEFAULT[@]}"
	between "EHLO reply after a delayed greeting" $((REPLY_AT_MS - t0)) 0 800
	smtp_cmd 'QUIT' "$BYE"
	smtp_wait
	expect_status 0
}

# bats test_tags=timing
@test "greeting-delay: input sent early is answered after the greeting" {
	export BADSMTP_TIME_SCALE=0.01
	smtp_input 'EHLO x' 'MAIL FROM:<a@example.com>' 'QUIT'
	smtp_session --port 25206
	expect_status 0
	expect_out "$G" "${EHLO_DEFAULT[@]}" '250 OK' "$BYE"
	between "session on 25206 (60 s x 0.01)" "$SMTP_ELAPSED_MS" 500 4000
}

# bats test_tags=timing
@test "greeting-delay: lock-step client that speaks before the greeting" {
	export BADSMTP_TIME_SCALE=0.01
	smtp_start --profile greeting-delay-60
	smtp_send 'EHLO x'
	smtp_expect "$G"
	between "greeting" "$REPLY_AT_MS" 500 4000
	smtp_expect "${EHLO_DEFAULT[@]}"
	smtp_cmd 'QUIT' "$BYE"
	smtp_wait
	expect_status 0
}

# bats test_tags=timing
@test "command-delay: greeting at once, every reply waits d seconds" {
	export BADSMTP_TIME_SCALE=0.01
	smtp_start --profile command-delay-120
	smtp_expect "$G"
	between "greeting" "$REPLY_AT_MS" 0 800
	local t0=$REPLY_AT_MS
	smtp_cmd 'EHLO x' "${EHLO_DEFAULT[@]}"
	between "EHLO reply (120 s x 0.01)" $((REPLY_AT_MS - t0)) 1000 4000
	t0=$REPLY_AT_MS
	smtp_cmd 'FOO' '500 Command not recognised'
	between "500 reply" $((REPLY_AT_MS - t0)) 1000 4000
	t0=$REPLY_AT_MS
	smtp_cmd 'QUIT' "$BYE"
	between "QUIT reply" $((REPLY_AT_MS - t0)) 1000 4000
	smtp_wait
	expect_status 0
}

# bats test_tags=timing
@test "drop-0 writes zero bytes and closes at once, even with the client still there" {
	SMTP_HOLD=5
	smtp_input 'EHLO x'
	smtp_session --profile drop-0
	expect_status 1
	expect_out
	between "drop-0" "$SMTP_ELAPSED_MS" 0 1500
}

# bats test_tags=timing
@test "drop-N closes after N seconds without writing anything" {
	export BADSMTP_TIME_SCALE=0.01
	SMTP_HOLD=5
	smtp_input 'EHLO x' 'NOOP'
	smtp_session --profile drop-60
	expect_status 1
	expect_out
	between "drop-60 at scale 0.01" "$SMTP_ELAPSED_MS" 500 4000
}

@test "drop-N on port 25601 logs the behaviour and writes nothing" {
	export BADSMTP_TIME_SCALE=0.01
	SMTP_HOLD=5
	smtp_session --port 25601
	expect_status 1
	expect_out
	log_check "
f = fields('SMTP behaviour triggered')
assert f['delay_seconds'] == 1 and type(f['delay_seconds']) is int, f
assert f['port'] == 25601, f
c = fields('SMTP connection closed')
assert c['exit_status'] == 1, c"
}

# bats test_tags=timing
@test "real time: greeting-delay-1 waits one second" {
	unset BADSMTP_TIME_SCALE
	smtp_start --profile greeting-delay-1
	smtp_expect "$G"
	between "greeting-delay-1 at scale 1" "$REPLY_AT_MS" 900 5000
	smtp_cmd 'QUIT' "$BYE"
	smtp_wait
	expect_status 0
}

@test "greeting-delay behaviour is logged with delay_seconds" {
	export BADSMTP_TIME_SCALE=0.001 BADSMTP_TIMEOUT=$SLOW_FEED
	smtp_input 'QUIT'
	smtp_session --port 25203
	expect_out "$G" "$BYE"
	log_check "
f = fields('SMTP behaviour triggered')
assert f['delay_seconds'] == 8 and type(f['delay_seconds']) is int, f
assert f['port'] == 25203, f
assert f['behaviour'] == 'greeting_delay', f
e = one('SMTP behaviour triggered')
assert e['level'] == 'INFO', e"
}

# --- every port of the three ranges ----------------------------------------------------------

# port_profile PORT NAME D: the connection event names profile NAME and port PORT; when D > 0 a
# behaviour event carries delay_seconds D and port PORT; the session took about D ms (scale 0.001)
# times REPLIES delayed replies.
port_profile() {
	log_check "
f = fields('SMTP connection established')
assert f['profile'] == '$2', f
assert f['port'] == $1, f
if $3 > 0:
    b = fields('SMTP behaviour triggered')
    assert b['delay_seconds'] == $3, b
    assert b['port'] == $1, b
    assert b['behaviour'] == '$4', b"
	local want=$(($3 * $5))
	between "port $1 session (d=$3 x $5 at scale 0.001)" "$SMTP_ELAPSED_MS" $((want * 8 / 10)) $((want + 2500))
}

# bats test_tags=timing
@test "ports 25200-25209: greeting-delay-{0,1,2,8,10,30,60,120,300,600}" {
	export BADSMTP_TIME_SCALE=0.001 BADSMTP_TIMEOUT=$SLOW_FEED
	local k
	for k in 0 1 2 3 4 5 6 7 8 9; do
		smtp_input 'QUIT'
		smtp_session --port $((25200 + k))
		expect_status 0
		expect_out "$G" "$BYE"
		port_profile $((25200 + k)) "greeting-delay-${D[k]}" "${D[k]}" greeting_delay 1
	done
}

# bats test_tags=timing
@test "ports 25400-25409: command-delay-{0,1,2,8,10,30,60,120,300,600}" {
	export BADSMTP_TIME_SCALE=0.001 BADSMTP_TIMEOUT=$SLOW_FEED
	local k
	for k in 0 1 2 3 4 5 6 7 8 9; do
		smtp_input 'EHLO x' 'QUIT'
		smtp_session --port $((25400 + k))
		expect_status 0
		expect_out "$G" "${EHLO_DEFAULT[@]}" "$BYE"
		port_profile $((25400 + k)) "command-delay-${D[k]}" "${D[k]}" command_delay 2
	done
}

# bats test_tags=timing
@test "ports 25600-25609: drop-{0,1,2,8,10,30,60,120,300,600}" {
	export BADSMTP_TIME_SCALE=0.001 BADSMTP_TIMEOUT=$SLOW_FEED
	local k
	SMTP_HOLD=4
	for k in 0 1 2 3 4 5 6 7 8 9; do
		smtp_input 'EHLO x'
		smtp_session --port $((25600 + k))
		expect_status 1
		expect_out
		port_profile $((25600 + k)) "drop-${D[k]}" "${D[k]}" drop 1
	done
}

@test "profile names work with --profile and BADSMTP_PROFILE" {
	export BADSMTP_TIME_SCALE=0.001 BADSMTP_TIMEOUT=$SLOW_FEED
	smtp_input 'QUIT'
	smtp_session --profile greeting-delay-300
	expect_out "$G" "$BYE"
	port_profile_name greeting-delay-300
	BADSMTP_PROFILE=command-delay-10 smtp_session
	expect_out "$G" "$BYE"
	port_profile_name command-delay-10
}

port_profile_name() {
	log_check "f = fields('SMTP connection established'); assert f['profile'] == '$1', f"
}

# smtp_session_activated ARG...: smtp_session as systemd >= 257 starts a session for a socket
# named $LISTEN_FDNAMES: LISTEN_PID is the session's own pid (exec keeps it), one fd at 3.
smtp_session_activated() {
	printf '#!/bin/sh\nexport LISTEN_PID=$$ LISTEN_FDS=1\nexec "%s" "$@" 3</dev/null\n' \
		"$BADSMTP_BIN" > "$T/activated"
	chmod +x "$T/activated"
	BADSMTP_BIN=$T/activated smtp_session "$@"
}

@test "a systemd socket name picks the profile: after --profile, before --port (SPEC §1)" {
	export BADSMTP_TIME_SCALE=0.001 BADSMTP_TIMEOUT=$SLOW_FEED
	smtp_input 'QUIT'
	LISTEN_FDNAMES=command-delay-2 smtp_session_activated --port 2525
	expect_status 0
	expect_out "$G" "$BYE"
	port_profile_name command-delay-2
	LISTEN_FDNAMES=command-delay-2 smtp_session_activated --profile greeting-delay-8
	expect_out "$G" "$BYE"
	port_profile_name greeting-delay-8
	LISTEN_FDNAMES=connection smtp_session_activated --port 25201
	expect_out "$G" "$BYE"
	port_profile_name greeting-delay-1
	LISTEN_FDNAMES=no-such-profile smtp_session_activated --port 25401
	expect_out "$G" "$BYE"
	port_profile_name command-delay-1
}

@test "ports next to the ranges are plain" {
	local p
	for p in 2525 25199 25210 25399 25410 25599 25610 25000; do
		smtp_input 'QUIT'
		smtp_session --port $p
		expect_status 0
		expect_out "$G" "$BYE"
		port_profile_name plain
	done
}

# --- starttls-required (no TLS needed to see its refusals) -------------------------------------

E530='530 Must issue a STARTTLS command first'

@test "starttls-required: after EHLO, MAIL and AUTH get 530" {
	smtp_input 'EHLO x' 'MAIL FROM:<a@example.com>' 'AUTH PLAIN AGJvYgBwdw==' 'NOOP' 'QUIT'
	smtp_session --profile starttls-required
	expect_status 0
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$E530" "$E530" '250 OK' "$BYE"
}

@test "starttls-required on port 25587" {
	smtp_input 'EHLO x' 'MAIL FROM:<a@example.com>' 'QUIT'
	smtp_session --port 25587
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$E530" "$BYE"
	port_profile_name starttls-required
}

@test "starttls-required: after HELO, MAIL gets 530, AUTH and STARTTLS 502" {
	smtp_input 'HELO x' 'MAIL FROM:<a@example.com>' 'AUTH PLAIN' 'STARTTLS' 'QUIT'
	smtp_session --profile starttls-required
	expect_out "$G" '250 badsmtp.test' "$E530" '502 Command not implemented' '502 Command not implemented' "$BYE"
}

@test "starttls-required: before EHLO the usual 503 comes first" {
	smtp_input 'MAIL FROM:<a@example.com>' 'AUTH PLAIN' 'QUIT'
	smtp_session --profile starttls-required
	expect_out "$G" '503 Bad sequence - MAIL not allowed in HELO state' '503 Bad sequence - AUTH not allowed in HELO state' "$BYE"
}
