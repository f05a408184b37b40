#!/usr/bin/env bats
# Bad input: overlong lines, NUL bytes, binary junk, bare CR, silent and vanishing clients,
# memory use with big messages.

load helpers

OK='250 OK'

@test "many overlong lines in a row, then a normal session" {
	local i
	for i in 1 2 3 4 5; do
		repeat_char L 20000 >> "$SMTP_IN"
		smtp_append ''
	done
	smtp_append 'EHLO x' 'QUIT'
	smtp_session
	expect_status 0
	expect_out "$G" '500 Command too long' '500 Command too long' '500 Command too long' '500 Command too long' \
		'500 Command too long' "${EHLO_DEFAULT[@]}" "$BYE"
}

@test "an overlong line ended by a bare LF" {
	repeat_char L 9000 >> "$SMTP_IN"
	smtp_append_raw '\nNOOP\r\n'
	smtp_session
	expect_out "$G" '500 Command too long' "$OK"
}

@test "an overlong line cut by EOF: exit 0" {
	repeat_char L 100000 >> "$SMTP_IN"
	smtp_session
	expect_status 0
	# Reading: the unterminated overlong line may or may not get its 500 before the EOF.
	[ "$(cat -v "$SMTP_OUT")" = "${G}^M" ] || [ "$(cat -v "$SMTP_OUT")" = "$(printf '%s^M\n%s^M' "$G" '500 Command too long')" ] ||
		{ show_session; false; }
}

@test "NUL bytes only" {
	smtp_append_raw '\x00\x00\x00\x00\r\nNOOP\r\n'
	smtp_session
	expect_status 0
	expect_out "$G" '500 Command not recognised' "$OK"
}

@test "NUL inside the EHLO argument: 500, state unchanged" {
	smtp_append_raw 'EHLO a\x00b\r\nMAIL FROM:<a@example.com>\r\n'
	smtp_session
	expect_out "$G" '500 Command not recognised' '503 Bad sequence - MAIL not allowed in HELO state'
}

@test "bare CR does not end a command line" {
	smtp_append_raw 'NO\rOP\r\nNOOP\r\n'
	smtp_session
	expect_status 0
	expect_out "$G" '500 Command not recognised' "$OK"
}

@test "binary junk: every reply is a reply line, the session survives" {
	/usr/bin/python3 -c '
import random, sys
r = random.Random(20260107)
data = bytes(r.getrandbits(8) for _ in range(200000))
open(sys.argv[1], "wb").write(data)
' "$T/junk"
	smtp_append_file "$T/junk"
	smtp_append '' 'NOOP' 'QUIT'
	smtp_session
	expect_status 0
	expect_stdout_only_replies
	[ "$(head -n 1 "$SMTP_OUT")" = "$G"$'\r' ]
	[ "$(tail -n 2 "$SMTP_OUT" | tr -d '\r')" = "$OK"$'\n'"$BYE" ] || { show_session; false; }
	# Every line of junk is an error (5xx); nothing else was accepted
	! grep -v -e '^5' -e "^$G" -e "^$OK" -e "^$BYE" "$SMTP_OUT" || { show_session; false; }
}

@test "binary junk inside a transaction does not break it" {
	smtp_input 'EHLO x' 'MAIL FROM:<a@example.com>'
	smtp_append_raw '\xff\xfe\x80\x00\x01\r\n\x1b[31m\r\n'
	smtp_append 'RCPT TO:<b@example.com>' 'QUIT'
	smtp_session
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$OK" '500 Command not recognised' '500 Command not recognised' "$OK" "$BYE"
}

@test "a client that never speaks gets 421 Timeout" {
	SMTP_HOLD=8
	smtp_session --timeout 30
	expect_status 1
	expect_out "$G" '421 Timeout, closing transmission channel'
}

@test "a client vanishing mid-DATA: no reply after 354, exit 0" {
	smtp_input 'EHLO x' 'MAIL FROM:<a@example.com>' 'RCPT TO:<b@example.com>' 'DATA' 'partial'
	smtp_session --maildir "$T/md"
	expect_status 0
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$OK" "$OK" "$GO_AHEAD"
	expect_no_mail "$T/md"
}

@test "a client vanishing mid-command: exit 0" {
	smtp_input 'EHLO x'
	smtp_append_raw 'MAIL FROM:<a@exa'
	smtp_session
	expect_status 0
	expect_out "$G" "${EHLO_DEFAULT[@]}"
}

@test "a client that stops reading does not hang the server" {
	# stdout is a pipe nobody reads after the first bytes: the server must end (EPIPE/SIGPIPE
	# ignored, or killed by SIGPIPE) instead of blocking forever.
	smtp_input 'EHLO x'
	yes $'NOOP\r' | head -n 20000 >> "$SMTP_IN"
	smtp_append 'QUIT'
	local rc=0
	timeout 10 "$BADSMTP_BIN" < "$SMTP_IN" 2> "$SMTP_ERR" | head -c 10 > /dev/null || rc=$?
	local ps=("${PIPESTATUS[@]}")
	[ "${ps[0]}" != 124 ] || fail "server hung with a closed stdout"
	# Reading: the client vanished, so exit 0 (as for EOF) or 1; never a crash by a signal.
	[ "${ps[0]}" -le 1 ] || fail "exit status ${ps[0]} with a closed stdout"
}

# --- memory ------------------------------------------------------------------------------------

# peak_rss_kb INPUTFILE [FLAG...]: peak RSS in kB of one session fed INPUTFILE (replies in
# $T/rss.out).
peak_rss_kb() {
	local in=$1
	shift
	timeout 60 /usr/bin/time -f %M -o "$T/rss" "$BADSMTP_BIN" "$@" < "$in" > "$T/rss.out" 2> /dev/null || true
	tail -n 1 "$T/rss"
}

# memory_compare SIZE [FLAG...]: peak RSS of a session with a SIZE-octet message is at most 1 MB
# above that of a session with a small message.
memory_compare() {
	local small big size=$1
	shift
	make_body "$size" "$T/bigbody"
	printf 'EHLO x\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\nsmall\r\n.\r\nQUIT\r\n' > "$T/small.in"
	{ printf 'EHLO x\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n'; cat "$T/bigbody"; printf '.\r\nQUIT\r\n'; } > "$T/big.in"
	small=$(peak_rss_kb "$T/small.in" "$@")
	big=$(peak_rss_kb "$T/big.in" "$@")
	echo "peak RSS: small $small kB, big $big kB"
	[[ $small =~ ^[0-9]+$ && $big =~ ^[0-9]+$ ]] || fail "could not measure: small=$small big=$big"
	[ $((big - small)) -le 1024 ] || fail "peak RSS grew by $((big - small)) kB (small $small kB, big $big kB), want <= 1024"
}

# rss_reply LINE: the big session's replies include LINE.
rss_reply() {
	grep -qxF "$1"$'\r' "$T/rss.out" || { echo "want reply $1; got:"; cat -A "$T/rss.out"; false; }
}

# bats test_tags=heavy
@test "memory stays flat: a 10 MB message (no storage)" {
	memory_compare 10000000
	rss_reply "$ACCEPTED"
}

# bats test_tags=heavy
@test "memory stays flat: a 10 MB message stored in a Maildir" {
	memory_compare 10000000 --maildir "$T/md"
	rss_reply "$ACCEPTED"
	expect_maildir_count "$T/md" 2
}

# bats test_tags=heavy
@test "memory stays flat: a 20 MB message over the limit" {
	memory_compare 20000000
	rss_reply '552 Message size exceeds fixed maximum of 10485760 bytes'
}

# bats test_tags=heavy
@test "memory stays flat: one 20 MB line" {
	printf 'EHLO x\r\nQUIT\r\n' > "$T/small.in"
	{ repeat_char Q 20000000; printf '\r\nEHLO x\r\nQUIT\r\n'; } > "$T/big.in"
	local small big
	small=$(peak_rss_kb "$T/small.in")
	big=$(peak_rss_kb "$T/big.in")
	rss_reply '500 Command too long'
	rss_reply "$BYE"
	[ $((big - small)) -le 1024 ] || fail "peak RSS grew by $((big - small)) kB (small $small, big $big)"
}
