#!/usr/bin/env bats
# SPEC §6 (DATA only): end of body, dot-unstuffing, bare CR/LF, the size limit.
# The body as stored is checked through the Maildir (§12).

load helpers

OK='250 OK'

setup() {
	common_setup
	MD=$T/md
}

# data_session WIRE STORED: EHLO, MAIL, RCPT, DATA, then WIRE (printf %b escapes, including the
# final .CRLF), then QUIT; expect the normal replies and exactly one stored message whose body is
# STORED (printf %b escapes).
data_session() {
	want_ehlo
	smtp_input 'EHLO client.example' 'MAIL FROM:<a@example.com>' 'RCPT TO:<b@example.com>' 'DATA'
	smtp_append_raw "$1"
	smtp_append 'QUIT'
	printf '%b' "$2" > "$T/body"
	smtp_session --maildir "$MD"
	expect_status 0
	expect_out "$G" "${WANT[@]}" "$OK" "$OK" "$GO_AHEAD" "$ACCEPTED" "$BYE"
	expect_maildir_count "$MD" 1
	expect_stored "$(maildir_files "$MD")" a@example.com b@example.com client.example ESMTP "$T/body"
}

@test "a simple body is stored exactly" {
	data_session 'Subject: t\r\n\r\nhello\r\n.\r\n' 'Subject: t\r\n\r\nhello\r\n'
}

@test "an empty body" {
	data_session '.\r\n' ''
}

@test "dot-unstuffing: a leading dot is removed once" {
	data_session '..\r\n..x\r\n...\r\n.y.\r\nz..\r\n.\r\n' '.\r\n.x\r\n..\r\ny.\r\nz..\r\n'
}

@test "a line that is a dot and a space does not end the body" {
	data_session '. \r\nx\r\n.\r\n' ' \r\nx\r\n'
}

# Reading: a "line" in DATA ends at CRLF only, so a dot after a bare LF does not start a line and
# is kept (the stored copy keeps the client's bytes); a dot right after CRLF starts a line and is
# unstuffed even when a bare LF or CR follows it (".\nRSET" is stored as "\nRSET").
@test "LF.LF does not end the body and is kept" {
	data_session 'a\n.\nMAIL FROM:<x@example.com>\r\nb\r\n.\r\n' 'a\n.\nMAIL FROM:<x@example.com>\r\nb\r\n'
}

@test "CRLF.LF does not end the body (no SMTP smuggling)" {
	data_session 'a\r\n.\nRSET\r\nb\r\n.\r\n' 'a\r\n\nRSET\r\nb\r\n'
}

@test "LF.CRLF does not end the body" {
	data_session 'a\n.\r\nQUIT\r\nb\r\n.\r\n' 'a\n.\r\nQUIT\r\nb\r\n'
}

@test "CR.CR and CRLF.CR do not end the body" {
	data_session 'a\r.\rb\r\n.\rc\r\n.\r\n' 'a\r.\rb\r\n\rc\r\n'
}

@test "bare CR and bare LF inside lines are kept" {
	data_session 'one\rtwo\nthree\r\n\n\r\r\n.\r\n' 'one\rtwo\nthree\r\n\n\r\r\n'
}

@test "command words inside the body are data" {
	data_session 'QUIT\r\nRSET\r\nDATA\r\n.\r\n' 'QUIT\r\nRSET\r\nDATA\r\n'
}

@test "lines longer than the command limit are fine in a body" {
	local l
	l=$(repeat_char z 10000)
	data_session "$l\r\n.$l\r\n.\r\n" "$l\r\n$l\r\n"
}

@test "8-bit and NUL octets in a body are kept" {
	data_session 'caf\xc3\xa9 \xff\xfe\x00\x01\r\n.\r\n' 'caf\xc3\xa9 \xff\xfe\x00\x01\r\n'
}

@test "the 250 comes after the body, then the state is MAIL" {
	smtp_input 'EHLO x' 'MAIL FROM:<a@example.com>' 'RCPT TO:<b@example.com>' 'DATA' 'x' '.' 'RCPT TO:<c@example.com>' 'QUIT'
	smtp_session
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$OK" "$OK" "$GO_AHEAD" "$ACCEPTED" \
		'503 Bad sequence - RCPT not allowed in MAIL state' "$BYE"
}

@test "CRLF.LF inside a pipelined session: what follows is still body" {
	smtp_input 'EHLO x' 'MAIL FROM:<a@example.com>' 'RCPT TO:<b@example.com>' 'DATA'
	smtp_append_raw 'x\r\n.\nNOOP\r\n.\r\nNOOP\r\n'
	smtp_append 'QUIT'
	smtp_session
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$OK" "$OK" "$GO_AHEAD" "$ACCEPTED" "$OK" "$BYE"
}

# --- size limit ----------------------------------------------------------------------------------

@test "size1000: a body of exactly 1000 octets is accepted" {
	want_ehlo size=1000
	make_body 1000 "$T/body"
	smtp_input 'EHLO size1000.example' 'MAIL FROM:<a@example.com>' 'RCPT TO:<b@example.com>' 'DATA'
	smtp_append_file "$T/body"
	smtp_append '.' 'QUIT'
	smtp_session --maildir "$MD"
	expect_out "$G" "${WANT[@]}" "$OK" "$OK" "$GO_AHEAD" "$ACCEPTED" "$BYE"
	expect_maildir_count "$MD" 1
	expect_stored "$(maildir_files "$MD")" a@example.com b@example.com size1000.example ESMTP "$T/body"
}

@test "size1000: 1001 octets get 552 after the body, nothing stored, state MAIL" {
	want_ehlo size=1000
	make_body 1001 "$T/body"
	smtp_input 'EHLO size1000.example' 'MAIL FROM:<a@example.com>' 'RCPT TO:<b@example.com>' 'DATA'
	smtp_append_file "$T/body"
	smtp_append '.' 'RCPT TO:<c@example.com>' 'MAIL FROM:<a@example.com>' 'QUIT'
	smtp_session --maildir "$MD"
	expect_status 0
	expect_out "$G" "${WANT[@]}" "$OK" "$OK" "$GO_AHEAD" '552 Message size exceeds fixed maximum of 1000 bytes' \
		'503 Bad sequence - RCPT not allowed in MAIL state' "$OK" "$BYE"
	expect_no_mail "$MD"
}

@test "the size limit counts octets after dot-unstuffing" {
	# 1001 octets on the wire ('..' + 997 x + CRLF), 1000 stored ('.' + 997 x + CRLF).
	want_ehlo size=1000
	local l
	l=$(repeat_char x 997)
	printf '.%s\r\n' "$l" > "$T/body"
	smtp_input 'EHLO size1000.example' 'MAIL FROM:<a@example.com>' 'RCPT TO:<b@example.com>' 'DATA' "..$l" '.' 'QUIT'
	smtp_session --maildir "$MD"
	expect_out "$G" "${WANT[@]}" "$OK" "$OK" "$GO_AHEAD" "$ACCEPTED" "$BYE"
	expect_stored "$(maildir_files "$MD")" a@example.com b@example.com size1000.example ESMTP "$T/body"
}

@test "a body far past the limit is read to its end, then 552; the session goes on" {
	want_ehlo size=1000
	make_body 300000 "$T/body"
	smtp_input 'EHLO size1.example' 'MAIL FROM:<a@example.com>' 'RCPT TO:<b@example.com>' 'DATA'
	smtp_append_file "$T/body"
	smtp_append '.' 'NOOP' 'MAIL FROM:<a@example.com>' 'RCPT TO:<b@example.com>' 'DATA' 'small' '.' 'QUIT'
	smtp_session --maildir "$MD"
	expect_status 0
	expect_out "$G" "${WANT[@]}" "$OK" "$OK" "$GO_AHEAD" '552 Message size exceeds fixed maximum of 1000 bytes' \
		"$OK" "$OK" "$OK" "$GO_AHEAD" "$ACCEPTED" "$BYE"
	expect_maildir_count "$MD" 1
	printf 'small\r\n' > "$T/small"
	expect_stored "$(maildir_files "$MD")" a@example.com b@example.com size1.example ESMTP "$T/small"
}

@test "default limit: 10485760 octets accepted, 10485761 get 552" {
	make_body 10485760 "$T/b1"
	make_body 10485761 "$T/b2"
	smtp_input 'EHLO x' 'MAIL FROM:<a@example.com>' 'RCPT TO:<b@example.com>' 'DATA'
	smtp_append_file "$T/b1"
	smtp_append '.' 'MAIL FROM:<a@example.com>' 'RCPT TO:<b@example.com>' 'DATA'
	smtp_append_file "$T/b2"
	smtp_append '.' 'QUIT'
	smtp_session
	expect_status 0
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$OK" "$OK" "$GO_AHEAD" "$ACCEPTED" "$OK" "$OK" "$GO_AHEAD" \
		'552 Message size exceeds fixed maximum of 10485760 bytes' "$BYE"
}

@test "size20000000: the limit is 10000000" {
	want_ehlo size=10000000
	make_body 10000001 "$T/body"
	smtp_input 'EHLO size20000000.example' 'MAIL FROM:<a@example.com>' 'RCPT TO:<b@example.com>' 'DATA'
	smtp_append_file "$T/body"
	smtp_append '.' 'QUIT'
	smtp_session
	expect_out "$G" "${WANT[@]}" "$OK" "$OK" "$GO_AHEAD" '552 Message size exceeds fixed maximum of 10000000 bytes' "$BYE"
}

@test "nosize: the 10485760 limit still holds" {
	want_ehlo size=none
	make_body 10485761 "$T/body"
	smtp_input 'EHLO nosize.example' 'MAIL FROM:<a@example.com>' 'RCPT TO:<b@example.com>' 'DATA'
	smtp_append_file "$T/body"
	smtp_append '.' 'QUIT'
	smtp_session
	expect_out "$G" "${WANT[@]}" "$OK" "$OK" "$GO_AHEAD" '552 Message size exceeds fixed maximum of 10485760 bytes' "$BYE"
}

@test "after HELO the limit is 10485760" {
	make_body 10485761 "$T/body"
	smtp_input 'HELO x' 'MAIL FROM:<a@example.com>' 'RCPT TO:<b@example.com>' 'DATA'
	smtp_append_file "$T/body"
	smtp_append '.' 'QUIT'
	smtp_session
	expect_out "$G" '250 badsmtp.test' "$OK" "$OK" "$GO_AHEAD" '552 Message size exceeds fixed maximum of 10485760 bytes' "$BYE"
}

@test "the end of the body split over several writes" {
	smtp_start --maildir "$MD"
	smtp_expect "$G"
	smtp_send 'EHLO x' 'MAIL FROM:<a@example.com>' 'RCPT TO:<b@example.com>' 'DATA'
	smtp_expect "${EHLO_DEFAULT[@]}"
	smtp_expect "$OK"
	smtp_expect "$OK"
	smtp_expect "$GO_AHEAD"
	smtp_send_raw 'body\r'
	smtp_expect_silence 0.2
	smtp_send_raw '\n.'
	smtp_expect_silence 0.2
	smtp_send_raw '\r'
	smtp_expect_silence 0.2
	smtp_send_raw '\n'
	smtp_expect "$ACCEPTED"
	smtp_cmd QUIT "$BYE"
	smtp_wait
	expect_status 0
	printf 'body\r\n' > "$T/body"
	expect_stored "$(maildir_files "$MD")" a@example.com b@example.com x ESMTP "$T/body"
}

@test "a dot-stuffed line split over writes" {
	smtp_start --maildir "$MD"
	smtp_expect "$G"
	smtp_send 'EHLO x' 'MAIL FROM:<a@example.com>' 'RCPT TO:<b@example.com>' 'DATA'
	smtp_expect "${EHLO_DEFAULT[@]}"
	smtp_expect "$OK"
	smtp_expect "$OK"
	smtp_expect "$GO_AHEAD"
	smtp_send_raw 'a\r\n.'
	smtp_expect_silence 0.2
	smtp_send_raw '.\r\n.'
	smtp_expect_silence 0.2
	smtp_send_raw '\r\n'
	smtp_expect "$ACCEPTED"
	smtp_close
	smtp_wait
	printf 'a\r\n.\r\n' > "$T/body"
	expect_stored "$(maildir_files "$MD")" a@example.com b@example.com x ESMTP "$T/body"
}

@test "a 700 kB random body with dots, bare CR and LF survives intact" {
	/usr/bin/python3 - "$T/body" "$T/wire" << 'EOF'
import random, sys
r = random.Random(5321)
lines = []
size = 0
while size < 700_000:
    n = r.choice([0, 1, 2, 5, 80, 998, 1500, 4000, 9000])
    alphabet = b'abc .\r\n\x00\xff'
    s = bytearray(r.choice(alphabet) for _ in range(n))
    # no CRLF inside a line; a dot never follows a bare CR or LF (see the reading above)
    s = s.replace(b'\r\n', b'\rx\n')
    for i in range(1, len(s)):
        if s[i] == 0x2e and s[i - 1] in (0x0d, 0x0a):
            s[i] = 0x2d
    if s.endswith(b'\r'):
        s += b'x'
    if r.random() < 0.2:
        s = b'.' + s
    lines.append(bytes(s))
    size += len(s) + 2
body = b''.join(l + b'\r\n' for l in lines)
wire = b''.join((b'.' + l if l.startswith(b'.') else l) + b'\r\n' for l in lines)
open(sys.argv[1], 'wb').write(body)
open(sys.argv[2], 'wb').write(wire)
EOF
	smtp_input 'EHLO client.example' 'MAIL FROM:<a@example.com>' 'RCPT TO:<b@example.com>' 'DATA'
	smtp_append_file "$T/wire"
	smtp_append '.' 'QUIT'
	smtp_session --maildir "$MD"
	expect_status 0
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$OK" "$OK" "$GO_AHEAD" "$ACCEPTED" "$BYE"
	expect_stored "$(maildir_files "$MD")" a@example.com b@example.com client.example ESMTP "$T/body"
}
