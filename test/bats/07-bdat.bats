#!/usr/bin/env bats
# SPEC §6 (BDAT, RFC 3030) with §2's order of checks: exactly n octets follow the command line and
# are read before any reply, errors included, so chunk bytes never run as commands; BDAT 0 LAST;
# no mixing with DATA; the size limit; a failed chunk abandons its message. The stored copy is
# checked through the Maildir (§12). nochunking and HELO (BDAT unknown) are in 03-ehlo.bats.

load helpers

OK='250 OK'
MAIL_STATE='503 Bad sequence - BDAT not allowed in MAIL state'

setup() {
	common_setup
	MD=$T/md
}

# bdat_session WIRE STORED [EHLO-NAME]: EHLO, MAIL, RCPT, then WIRE (printf %b escapes: BDAT
# lines and their chunks, all in the one write), then QUIT; sets status and the output; STORED
# (printf %b) is what the one stored message's body must be, "-" when nothing may be stored.
bdat_session() {
	smtp_input "EHLO ${3:-client.example}" 'MAIL FROM:<a@example.com>' 'RCPT TO:<b@example.com>'
	smtp_append_raw "$1"
	smtp_append 'QUIT'
	smtp_session --maildir "$MD"
	expect_status 0
	if [ "$2" = - ]; then
		expect_no_mail "$MD"
	else
		printf '%b' "$2" > "$T/body"
		expect_maildir_count "$MD" 1
		expect_stored "$(maildir_files "$MD")" a@example.com b@example.com "${3:-client.example}" ESMTP "$T/body"
	fi
}

# --- chunks and LAST ---------------------------------------------------------------------------

# bats test_tags=smoke
@test "chunks get 250 OK, LAST stores them as one message, exactly; no CRLF after a chunk" {
	want_ehlo
	bdat_session 'BDAT 4\r\nab\r\nBDAT 3 LAST\r\ncd.' 'ab\r\ncd.'
	expect_out "$G" "${WANT[@]}" "$OK" "$OK" "$OK" "$ACCEPTED" "$BYE"
}

@test "chunk bytes are data, whatever they look like: commands, a lone dot, dots are not unstuffed" {
	want_ehlo
	bdat_session 'BDAT 22 LAST\r\nQUIT\r\n.\r\n..x\r\nRSET\r\nab' 'QUIT\r\n.\r\n..x\r\nRSET\r\nab'
	expect_out "$G" "${WANT[@]}" "$OK" "$OK" "$ACCEPTED" "$BYE"
}

@test "8-bit, NUL and bare CR/LF octets in a chunk are kept" {
	want_ehlo
	bdat_session 'BDAT 8 LAST\r\n\x00\xff\r\x80\n\r\n.' '\x00\xff\r\x80\n\r\n.'
	expect_out "$G" "${WANT[@]}" "$OK" "$OK" "$ACCEPTED" "$BYE"
}

@test "BDAT 0 LAST ends a message after earlier chunks" {
	want_ehlo
	bdat_session 'BDAT 3\r\nabcBDAT 0 LAST\r\n' 'abc'
	expect_out "$G" "${WANT[@]}" "$OK" "$OK" "$OK" "$ACCEPTED" "$BYE"
}

@test "BDAT 0 LAST alone stores an empty message" {
	want_ehlo
	bdat_session 'BDAT 0 LAST\r\n' ''
	expect_out "$G" "${WANT[@]}" "$OK" "$OK" "$ACCEPTED" "$BYE"
}

@test "the verb and LAST are case-insensitive; several spaces before LAST are fine" {
	want_ehlo
	bdat_session 'bdat 2\r\nxybDaT 1   last\r\nz' 'xyz'
	expect_out "$G" "${WANT[@]}" "$OK" "$OK" "$OK" "$ACCEPTED" "$BYE"
}

@test "a chunk that arrives in pieces is read whole before the reply" {
	smtp_start --maildir "$MD"
	smtp_expect "$G"
	smtp_send 'EHLO client.example'
	smtp_recv
	smtp_cmd 'MAIL FROM:<a@example.com>' "$OK"
	smtp_cmd 'RCPT TO:<b@example.com>' "$OK"
	smtp_send_raw 'BDAT 10 LAST\r\nabc'
	smtp_expect_silence 0.3
	smtp_send_raw 'de\r\nQU'
	smtp_expect_silence 0.3
	smtp_send_raw 'I'
	smtp_expect "$ACCEPTED"
	smtp_cmd 'QUIT' "$BYE"
	smtp_wait
	expect_maildir_count "$MD" 1
	printf 'abcde\r\nQUI' > "$T/body"
	expect_stored "$(maildir_files "$MD")" a@example.com b@example.com client.example ESMTP "$T/body"
}

@test "two messages by BDAT in one session, then the state is MAIL (RCPT gets 503)" {
	smtp_input 'EHLO client.example' 'MAIL FROM:<a@example.com>' 'RCPT TO:<b@example.com>'
	smtp_append_raw 'BDAT 3 LAST\r\none'
	smtp_append 'RCPT TO:<c@example.com>' 'MAIL FROM:<a@example.com>' 'RCPT TO:<b@example.com>'
	smtp_append_raw 'BDAT 3 LAST\r\ntwo'
	smtp_append 'QUIT'
	smtp_session --maildir "$MD"
	want_ehlo
	expect_out "$G" "${WANT[@]}" "$OK" "$OK" "$ACCEPTED" \
		'503 Bad sequence - RCPT not allowed in MAIL state' "$OK" "$OK" "$ACCEPTED" "$BYE"
	expect_maildir_count "$MD" 2
	local f body seen=
	for f in $(maildir_files "$MD"); do
		body=$(tail -c 3 "$f")
		printf '%s' "$body" > "$T/body"
		expect_stored "$f" a@example.com b@example.com client.example ESMTP "$T/body"
		seen+="$body "
	done
	[ "$seen" = 'one two ' ] || [ "$seen" = 'two one ' ] || fail "stored bodies: $seen"
}

# --- sequence ----------------------------------------------------------------------------------

@test "BDAT before EHLO: 503 in HELO state, after its chunk is read" {
	smtp_input
	smtp_append_raw 'BDAT 6\r\nQUIT\r\n'
	smtp_append 'NOOP' 'QUIT'
	smtp_session
	expect_status 0
	expect_out "$G" '503 Bad sequence - BDAT not allowed in HELO state' "$OK" "$BYE"
}

@test "BDAT with no transaction: 503 in MAIL state, after its chunk is read" {
	smtp_input 'EHLO x'
	smtp_append_raw 'BDAT 6 LAST\r\nRSET\r\n'
	smtp_append 'NOOP' 'QUIT'
	smtp_session --maildir "$MD"
	expect_status 0
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$MAIL_STATE" "$OK" "$BYE"
	expect_no_mail "$MD"
}

@test "BDAT with no accepted recipient: 554 No valid recipients, after its chunk is read" {
	smtp_input 'EHLO x' 'MAIL FROM:<a@example.com>' 'RCPT TO:<rcpt550@example.com>'
	smtp_append_raw 'BDAT 6 LAST\r\nNOOP\r\n'
	smtp_append 'QUIT'
	smtp_session --maildir "$MD"
	expect_status 0
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$OK" '550 Requested action not taken: mailbox unavailable' \
		'554 No valid recipients' "$BYE"
	expect_no_mail "$MD"
}

@test "DATA inside a BDAT message: 503 in BDAT state; the message goes on" {
	want_ehlo
	bdat_session 'BDAT 2\r\nabDATA\r\nBDAT 2 LAST\r\ncd' 'abcd'
	expect_out "$G" "${WANT[@]}" "$OK" "$OK" "$OK" '503 Bad sequence - DATA not allowed in BDAT state' \
		"$ACCEPTED" "$BYE"
}

@test "MAIL inside a BDAT message: 503 in BDAT state" {
	want_ehlo
	bdat_session 'BDAT 2\r\nabMAIL FROM:<c@example.com>\r\nBDAT 0 LAST\r\n' 'ab'
	expect_out "$G" "${WANT[@]}" "$OK" "$OK" "$OK" '503 Bad sequence - MAIL not allowed in BDAT state' \
		"$ACCEPTED" "$BYE"
}

@test "RSET aborts a BDAT transfer: nothing stored, state MAIL (the next BDAT gets 503)" {
	want_ehlo
	bdat_session 'BDAT 3\r\nabcRSET\r\nBDAT 3 LAST\r\ndef' -
	expect_out "$G" "${WANT[@]}" "$OK" "$OK" "$OK" "$OK" "$MAIL_STATE" "$BYE"
}

@test "a DATA message cannot go on by BDAT: after 354 a BDAT line is body" {
	want_ehlo
	bdat_session 'DATA\r\nBDAT 3 LAST\r\nabc\r\n.\r\n' 'BDAT 3 LAST\r\nabc\r\n'
	expect_out "$G" "${WANT[@]}" "$OK" "$OK" "$GO_AHEAD" "$ACCEPTED" "$BYE"
}

# --- arguments (state first, then arguments: SPEC §2) ------------------------------------------

@test "bad arguments in a transaction: 501; a numeric n still has its n octets read" {
	want_ehlo
	bdat_session 'BDAT x\r\nBDAT\r\nBDAT -1\r\nBDAT 4FOO\r\nBDAT 1 LAST x\r\nQBDAT 4 FOO\r\nQUITBDAT 4 LAST\r\nabcd' 'abcd'
	expect_out "$G" "${WANT[@]}" "$OK" "$OK" \
		'501 Syntax error in parameters' '501 Syntax error in parameters' '501 Syntax error in parameters' \
		'501 Syntax error in parameters' '501 Syntax error in parameters' '501 Syntax error in parameters' \
		"$ACCEPTED" "$BYE"
}

@test "bad arguments out of sequence: the 503 comes first" {
	smtp_input 'BDAT x' 'EHLO x' 'BDAT' 'BDAT x' 'QUIT'
	smtp_session
	expect_status 0
	expect_out "$G" '503 Bad sequence - BDAT not allowed in HELO state' "${EHLO_DEFAULT[@]}" \
		"$MAIL_STATE" "$MAIL_STATE" "$BYE"
}

@test "an n past 10^12 is not a chunk size: 501, nothing read" {
	want_ehlo
	bdat_session 'BDAT 1000000000001\r\nBDAT 1 LAST\r\nz' 'z'
	expect_out "$G" "${WANT[@]}" "$OK" "$OK" '501 Syntax error in parameters' "$ACCEPTED" "$BYE"
}

# --- size limit ------------------------------------------------------------------------------

@test "size1000: chunks adding up to exactly 1000 octets are accepted" {
	want_ehlo size=1000
	bdat_session "BDAT 600\r\n$(repeat_char x 600)BDAT 400 LAST\r\n$(repeat_char y 400)" \
		"$(repeat_char x 600)$(repeat_char y 400)" size1000
	expect_out "$G" "${WANT[@]}" "$OK" "$OK" "$OK" "$ACCEPTED" "$BYE"
}

@test "size1000: the chunk that passes the limit gets 552 after it is read; its later chunks 503" {
	want_ehlo size=1000
	bdat_session "BDAT 600\r\n$(repeat_char x 600)BDAT 401\r\n$(repeat_char y 401)BDAT 4 LAST\r\nRSETNOOP\r\n" - size1000
	expect_out "$G" "${WANT[@]}" "$OK" "$OK" "$OK" '552 Message size exceeds fixed maximum of 1000 bytes' \
		"$MAIL_STATE" "$OK" "$BYE"
}

@test "size1000: one LAST chunk past the limit gets 552, nothing stored, state MAIL" {
	want_ehlo size=1000
	bdat_session "BDAT 1001 LAST\r\n$(repeat_char x 1001)RCPT TO:<c@example.com>\r\n" - size1000
	expect_out "$G" "${WANT[@]}" "$OK" "$OK" '552 Message size exceeds fixed maximum of 1000 bytes' \
		'503 Bad sequence - RCPT not allowed in MAIL state' "$BYE"
}
