#!/usr/bin/env bats
# SPEC §1: running, flags and their BADSMTP_* twins, exit statuses, profile resolution.

load helpers

# --- --help, --version ---------------------------------------------------------------------------

@test "--help prints to stdout and exits 0 without reading the session" {
	smtp_input 'EHLO x'
	smtp_session --help
	expect_status 0
	[ -s "$SMTP_OUT" ] || fail "--help printed nothing on stdout"
	# It is usage text, not an SMTP session: no greeting.
	! grep -q '^220 ' "$SMTP_OUT" || fail "--help started a session"
}

@test "--version prints a version to stdout and exits 0" {
	smtp_session --version
	expect_status 0
	grep -q '[0-9]' "$SMTP_OUT" || fail "no version number in: $(cat "$SMTP_OUT")"
	# one line, "badsmtp-session {version}"
	[[ $(cat "$SMTP_OUT") =~ ^badsmtp-session\ [0-9]+(\.[0-9]+)*[^[:space:]]*$ ]] &&
		[ "$(wc -l < "$SMTP_OUT")" -eq 1 ] || fail "not one line \"badsmtp-session {version}\": $(cat "$SMTP_OUT")"
	! grep -q '^220 ' "$SMTP_OUT" || fail "--version started a session"
}

# --- usage and configuration errors: exit 100, one line on the log channel, nothing on stdout --

usage_error() {
	smtp_input 'EHLO x' 'QUIT'
	smtp_session "$@"
	expect_status 100
	expect_out
	local n
	n=$(wc -l < "$SMTP_ERR")
	[ "$n" -eq 1 ] || fail "want a one-line error on stderr, got $n lines: $(cat "$SMTP_ERR")"
}

# error_is TEXT: the error line is exactly "badsmtp-session: TEXT"
error_is() {
	[ "$(cat "$SMTP_ERR")" = "badsmtp-session: $1" ] ||
		fail "want: badsmtp-session: $1" "got:  $(cat "$SMTP_ERR")"
}

@test "unknown flag: exit 100, one error line, nothing on stdout" {
	usage_error --no-such-flag
	error_is "unknown option '--no-such-flag' (see --help)"
}

@test "stray positional argument: exit 100" {
	usage_error extra
	error_is "unknown option 'extra' (see --help)"
}

@test "flag missing its value: exit 100" {
	usage_error --port
	error_is "--port needs a value (see --help)"
}

@test "bad --log-format value: exit 100" {
	usage_error --log-format xml
	error_is "--log-format: invalid value 'xml' (see --help)"
}

@test "bad --log-level value: exit 100" {
	usage_error --log-level loud
	error_is "--log-level: invalid value 'loud' (see --help)"
}

@test "bad --log-target value: exit 100" {
	usage_error --log-target nowhere
	error_is "--log-target: unknown target 'nowhere'"
}

# SPEC §1: one line whatever octets the value holds; file: names a path, and its error the path.
@test "bad --log-target value holding a newline: exit 100, still one error line" {
	usage_error --log-target $'nowhere\nbadsmtp-session: forged'
	[ "$(cat "$SMTP_ERR")" = "badsmtp-session: --log-target: unknown target 'nowhere?badsmtp-session: forged'" ]
}

@test "unopenable --log-target file: whose path holds a newline: exit 100, still one error line" {
	usage_error --log-target $'file:/nonexistent/a\nb'
	[ "$(cat "$SMTP_ERR")" = "badsmtp-session: --log-target file:/nonexistent/a?b: No such file or directory" ]
}

@test "bad --timeout value: exit 100" {
	usage_error --timeout soon
	error_is "--timeout: invalid value 'soon' (see --help)"
}

@test "negative --timeout value: exit 100" {
	usage_error --timeout -5
	error_is "--timeout: invalid value '-5' (see --help)"
}

@test "bad --data-timeout value: exit 100" {
	usage_error --data-timeout 1x
	error_is "--data-timeout: invalid value '1x' (see --help)"
}

@test "non-numeric --port: exit 100" {
	usage_error --port smtp
	error_is "--port: invalid value 'smtp' (see --help)"
}

@test "--port out of range: exit 100" {
	usage_error --port 70000
	error_is "--port: invalid value '70000' (see --help)"
}

# Reading: a --profile that names no profile of §8 is a bad value.
@test "unknown --profile name: exit 100" {
	usage_error --profile no-such-profile
	error_is "--profile: invalid value 'no-such-profile' (see --help)"
}

@test "bad BADSMTP_LOG_FORMAT: exit 100" {
	BADSMTP_LOG_FORMAT=xml usage_error
	error_is "BADSMTP_LOG_FORMAT: invalid value 'xml' (see --help)"
}

@test "bad BADSMTP_LOG_LEVEL: exit 100" {
	BADSMTP_LOG_LEVEL=loud usage_error
	error_is "BADSMTP_LOG_LEVEL: invalid value 'loud' (see --help)"
}

@test "bad BADSMTP_PORT: exit 100" {
	BADSMTP_PORT=abc usage_error
	error_is "BADSMTP_PORT: invalid value 'abc' (see --help)"
}

@test "bad BADSMTP_TIMEOUT: exit 100" {
	BADSMTP_TIMEOUT=abc usage_error
	error_is "BADSMTP_TIMEOUT: invalid value 'abc' (see --help)"
}

@test "bad BADSMTP_DATA_TIMEOUT: exit 100" {
	BADSMTP_DATA_TIMEOUT=abc usage_error
	error_is "BADSMTP_DATA_TIMEOUT: invalid value 'abc' (see --help)"
}

@test "unknown BADSMTP_PROFILE: exit 100" {
	BADSMTP_PROFILE=bogus usage_error
	error_is "BADSMTP_PROFILE: invalid value 'bogus' (see --help)"
}

# Reading: BADSMTP_TIME_SCALE is configuration too; junk in it is a bad value.
@test "bad BADSMTP_TIME_SCALE: exit 100" {
	BADSMTP_TIME_SCALE=fast usage_error
	error_is "BADSMTP_TIME_SCALE: invalid value 'fast' (see --help)"
}

@test "overlapping port ranges are a configuration error: exit 100" {
	BADSMTP_GREETING_DELAY_PORT_START=25405 usage_error
	error_is "BADSMTP_GREETING_DELAY_PORT_START=25405 and BADSMTP_COMMAND_DELAY_PORT_START=25400: port ranges overlap"
}

@test "a good flag does not excuse a bad one: exit 100" {
	usage_error --hostname ok.example --log-level loud
	error_is "--log-level: invalid value 'loud' (see --help)"
}

# --- exit statuses -------------------------------------------------------------------------------

@test "QUIT ends the session with exit 0" {
	smtp_input 'EHLO x' 'QUIT'
	smtp_session
	expect_status 0
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$BYE"
}

@test "client EOF without QUIT: exit 0" {
	smtp_input 'NOOP'
	smtp_session
	expect_status 0
	expect_out "$G" '250 OK'
}

@test "client EOF at once: greeting, exit 0" {
	smtp_session
	expect_status 0
	expect_out "$G"
}

@test "QUIT whose reply is a triggered 5xx still exits 0" {
	smtp_input 'EHLO x' 'MAIL FROM:<quit550@example.com>' 'QUIT' 'NOOP'
	smtp_session
	expect_status 0
	expect_out "$G" "${EHLO_DEFAULT[@]}" '250 OK' '550 Requested action not taken: mailbox unavailable'
}

@test "QUIT answered by a 421 trigger exits 1" {
	smtp_input 'EHLO x' 'MAIL FROM:<quit421@example.com>' 'QUIT'
	smtp_session
	expect_status 1
	expect_out "$G" "${EHLO_DEFAULT[@]}" '250 OK' '421 Service not available, closing transmission channel'
}

@test "commands after QUIT are not read" {
	smtp_input 'QUIT' 'NOOP' 'EHLO x'
	smtp_session
	expect_status 0
	expect_out "$G" "$BYE"
}

# --- flags and env twins: hostname ---------------------------------------------------------------

@test "--hostname changes the greeting, HELO and EHLO" {
	smtp_input 'HELO a' 'EHLO b' 'QUIT'
	smtp_session --hostname mx.example.org
	expect_status 0
	expect_out '220 mx.example.org ESMTP BadSMTP Server' '250 mx.example.org' \
		'250-mx.example.org' "${EHLO_DEFAULT[@]:1}" "$BYE"
}

@test "BADSMTP_HOSTNAME sets the hostname" {
	smtp_input 'HELO a' 'QUIT'
	BADSMTP_HOSTNAME=env.example.net smtp_session
	expect_status 0
	expect_out '220 env.example.net ESMTP BadSMTP Server' '250 env.example.net' "$BYE"
}

@test "--hostname wins over BADSMTP_HOSTNAME" {
	smtp_input 'QUIT'
	BADSMTP_HOSTNAME=env.example.net smtp_session --hostname flag.example.net
	expect_status 0
	expect_out '220 flag.example.net ESMTP BadSMTP Server' "$BYE"
}

# --- profile resolution --------------------------------------------------------------------------

@test "on a pipe with no profile setting the profile is plain" {
	smtp_input 'QUIT'
	smtp_session
	expect_status 0
	expect_out "$G" "$BYE"
	log_check "f = fields('SMTP connection established'); assert f['profile'] == 'plain', f; assert f['client_ip'] == 'pipe', f"
}

@test "--profile drop-0 closes at once without writing" {
	smtp_input 'EHLO x' 'QUIT'
	smtp_session --profile drop-0
	expect_status 1
	expect_out
}

@test "BADSMTP_PROFILE=drop-0 closes at once without writing" {
	smtp_input 'EHLO x' 'QUIT'
	BADSMTP_PROFILE=drop-0 smtp_session
	expect_status 1
	expect_out
}

@test "--port 25600 selects drop-0" {
	smtp_input 'EHLO x' 'QUIT'
	smtp_session --port 25600
	expect_status 1
	expect_out
}

@test "BADSMTP_PORT=25600 selects drop-0" {
	smtp_input 'EHLO x' 'QUIT'
	BADSMTP_PORT=25600 smtp_session
	expect_status 1
	expect_out
}

@test "--profile wins over BADSMTP_PROFILE" {
	smtp_input 'QUIT'
	BADSMTP_PROFILE=drop-0 smtp_session --profile plain
	expect_status 0
	expect_out "$G" "$BYE"
}

@test "--port wins over BADSMTP_PORT" {
	smtp_input 'QUIT'
	BADSMTP_PORT=25600 smtp_session --port 2525
	expect_status 0
	expect_out "$G" "$BYE"
}

@test "--profile wins over --port" {
	smtp_input 'QUIT'
	smtp_session --profile plain --port 25600
	expect_status 0
	expect_out "$G" "$BYE"
}

# Reading: the resolution order of §1 ranks the profile (flag or env) above the port (flag or
# env), so BADSMTP_PROFILE beats a --port flag; "flags win" only between a flag and its own twin.
@test "BADSMTP_PROFILE wins over --port" {
	smtp_input 'QUIT'
	BADSMTP_PROFILE=plain smtp_session --port 25600
	expect_status 0
	expect_out "$G" "$BYE"
}

@test "--profile drop-0 wins over BADSMTP_PORT" {
	smtp_input 'QUIT'
	BADSMTP_PORT=2525 smtp_session --profile drop-0
	expect_status 1
	expect_out
}

@test "--port of an unmapped port is plain" {
	smtp_input 'QUIT'
	smtp_session --port 2526
	expect_status 0
	expect_out "$G" "$BYE"
	log_check "f = fields('SMTP connection established'); assert f['profile'] == 'plain', f; assert f['port'] == 2526, f"
}

@test "the drop range base port is settable" {
	smtp_input 'QUIT'
	BADSMTP_DROP_DELAY_PORT_START=30000 smtp_session --port 30000
	expect_status 1
	expect_out
}

@test "with the drop range moved, its old base port is plain" {
	smtp_input 'QUIT'
	BADSMTP_DROP_DELAY_PORT_START=30000 smtp_session --port 25600
	expect_status 0
	expect_out "$G" "$BYE"
}

@test "the greeting-delay range base port is settable" {
	smtp_input 'QUIT'
	BADSMTP_GREETING_DELAY_PORT_START=31000 smtp_session --port 31003
	expect_status 0
	expect_out "$G" "$BYE"
	log_check "f = fields('SMTP connection established'); assert f['profile'] == 'greeting-delay-8', f"
}

@test "the command-delay range base port is settable" {
	smtp_input 'QUIT'
	BADSMTP_COMMAND_DELAY_PORT_START=32000 smtp_session --port 32002
	expect_status 0
	expect_out "$G" "$BYE"
	log_check "f = fields('SMTP connection established'); assert f['profile'] == 'command-delay-2', f"
}

@test "ranges touching at one port overlap: exit 100" {
	# greeting-delay 25591-25600 meets drop 25600-25609 at 25600
	BADSMTP_GREETING_DELAY_PORT_START=25591 usage_error
}

@test "adjacent ranges do not overlap" {
	smtp_input 'QUIT'
	BADSMTP_GREETING_DELAY_PORT_START=25590 smtp_session --port 25599
	expect_status 0
	expect_out "$G" "$BYE"
	log_check "f = fields('SMTP connection established'); assert f['profile'] == 'greeting-delay-600', f"
}

@test "bad BADSMTP_DROP_DELAY_PORT_START: exit 100" {
	BADSMTP_DROP_DELAY_PORT_START=abc usage_error
}

# Reading: a range that would run past port 65535 is a bad value.
@test "a port range past 65535: exit 100" {
	BADSMTP_DROP_DELAY_PORT_START=65530 usage_error
}
