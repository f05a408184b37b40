#!/usr/bin/env bats
# SPEC §2: greeting, states, command replies, 503/501/500, line rules, addresses, ESMTP
# parameters, recipient limit.

load helpers

OK='250 OK'
E555='555 MAIL FROM/RCPT TO parameters not recognized or not implemented'
E501='501 Syntax error in parameters'
E500='500 Command not recognised'

# run: EHLO x, the given lines, QUIT; expect greeting, EHLO reply, the given replies, 221, exit 0.
# Usage: ehlo_session LINE... -- REPLY...
ehlo_session() {
	local in=() out=()
	while [ "$1" != -- ]; do in+=("$1"); shift; done
	shift
	out=("$@")
	smtp_input 'EHLO x' "${in[@]}" 'QUIT'
	smtp_session
	expect_status 0
	expect_out "$G" "${EHLO_DEFAULT[@]}" "${out[@]}" "$BYE"
}

# --- greeting and each command's success reply ---------------------------------------------------

@test "greeting" {
	smtp_session
	expect_out '220 badsmtp.test ESMTP BadSMTP Server'
}

@test "HELO gets 250 hostname" {
	smtp_input 'HELO client.example' 'QUIT'
	smtp_session
	expect_status 0
	expect_out "$G" '250 badsmtp.test' "$BYE"
}

@test "a whole transaction: every success reply" {
	smtp_input 'EHLO client.example' 'MAIL FROM:<a@example.com>' 'RCPT TO:<b@example.com>' \
		'DATA' 'Subject: hi' '' 'body' '.' 'QUIT'
	smtp_session
	expect_status 0
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$OK" "$OK" "$GO_AHEAD" "$ACCEPTED" "$BYE"
}

@test "RSET and NOOP get 250 OK" {
	ehlo_session 'RSET' 'NOOP' -- "$OK" "$OK"
}

@test "RSET, NOOP and QUIT work before EHLO" {
	smtp_input 'RSET' 'NOOP' 'QUIT'
	smtp_session
	expect_status 0
	expect_out "$G" "$OK" "$OK" "$BYE"
}

@test "multiple recipients each get 250 OK" {
	ehlo_session 'MAIL FROM:<a@example.com>' 'RCPT TO:<b@example.com>' 'RCPT TO:<c@example.com>' \
		'RCPT TO:<d@example.com>' -- "$OK" "$OK" "$OK" "$OK"
}

@test "two messages in one session" {
	ehlo_session 'MAIL FROM:<a@example.com>' 'RCPT TO:<b@example.com>' 'DATA' 'one' '.' \
		'MAIL FROM:<c@example.com>' 'RCPT TO:<d@example.com>' 'DATA' 'two' '.' -- \
		"$OK" "$OK" "$GO_AHEAD" "$ACCEPTED" "$OK" "$OK" "$GO_AHEAD" "$ACCEPTED"
}

@test "EHLO may be repeated" {
	ehlo_session 'EHLO y' -- "${EHLO_DEFAULT[@]}"
}

@test "HELO then EHLO then HELO" {
	smtp_input 'HELO a' 'EHLO b' 'HELO c' 'QUIT'
	smtp_session
	expect_out "$G" '250 badsmtp.test' "${EHLO_DEFAULT[@]}" '250 badsmtp.test' "$BYE"
}

@test "a transaction after HELO" {
	smtp_input 'HELO a' 'MAIL FROM:<a@example.com>' 'RCPT TO:<b@example.com>' 'DATA' 'x' '.' 'QUIT'
	smtp_session
	expect_status 0
	expect_out "$G" '250 badsmtp.test' "$OK" "$OK" "$GO_AHEAD" "$ACCEPTED" "$BYE"
}

# --- out of sequence: 503 ------------------------------------------------------------------------

@test "MAIL before EHLO: 503 in HELO state" {
	smtp_input 'MAIL FROM:<a@example.com>' 'QUIT'
	smtp_session
	expect_out "$G" '503 Bad sequence - MAIL not allowed in HELO state' "$BYE"
}

@test "RCPT before EHLO: 503 in HELO state" {
	smtp_input 'RCPT TO:<a@example.com>' 'QUIT'
	smtp_session
	expect_out "$G" '503 Bad sequence - RCPT not allowed in HELO state' "$BYE"
}

@test "DATA before EHLO: 503 in HELO state" {
	smtp_input 'DATA' 'QUIT'
	smtp_session
	expect_out "$G" '503 Bad sequence - DATA not allowed in HELO state' "$BYE"
}

@test "RCPT without MAIL: 503 in MAIL state" {
	ehlo_session 'RCPT TO:<a@example.com>' -- '503 Bad sequence - RCPT not allowed in MAIL state'
}

@test "DATA without MAIL: 503 in MAIL state" {
	ehlo_session 'DATA' -- '503 Bad sequence - DATA not allowed in MAIL state'
}

@test "a second MAIL inside a transaction: 503 in RCPT state" {
	ehlo_session 'MAIL FROM:<a@example.com>' 'MAIL FROM:<b@example.com>' -- \
		"$OK" '503 Bad sequence - MAIL not allowed in RCPT state'
}

@test "AUTH before EHLO: 503 in HELO state" {
	smtp_input 'AUTH PLAIN' 'QUIT'
	smtp_session
	expect_out "$G" '503 Bad sequence - AUTH not allowed in HELO state' "$BYE"
}

@test "AUTH inside a transaction: 503 in RCPT state" {
	ehlo_session 'MAIL FROM:<a@example.com>' 'AUTH PLAIN' -- \
		"$OK" '503 Bad sequence - AUTH not allowed in RCPT state'
}

@test "STARTTLS inside a transaction: 503 in RCPT state" {
	ehlo_session 'MAIL FROM:<a@example.com>' 'STARTTLS' -- \
		"$OK" '503 Bad sequence - STARTTLS not allowed in RCPT state'
}

@test "verbs are named in upper case in 503 whatever the client's case" {
	smtp_input 'mail FROM:<a@example.com>' 'QUIT'
	smtp_session
	expect_out "$G" '503 Bad sequence - MAIL not allowed in HELO state' "$BYE"
}

@test "state check comes before the argument check" {
	smtp_input 'MAIL' 'RCPT garbage' 'QUIT'
	smtp_session
	expect_out "$G" '503 Bad sequence - MAIL not allowed in HELO state' \
		'503 Bad sequence - RCPT not allowed in HELO state' "$BYE"
}

@test "state check comes before a trigger" {
	smtp_input 'MAIL FROM:<mail550@example.com>' 'QUIT'
	smtp_session
	expect_out "$G" '503 Bad sequence - MAIL not allowed in HELO state' "$BYE"
}

@test "after a finished message the state is MAIL again" {
	ehlo_session 'MAIL FROM:<a@example.com>' 'RCPT TO:<b@example.com>' 'DATA' 'x' '.' \
		'RCPT TO:<c@example.com>' 'DATA' -- "$OK" "$OK" "$GO_AHEAD" "$ACCEPTED" \
		'503 Bad sequence - RCPT not allowed in MAIL state' '503 Bad sequence - DATA not allowed in MAIL state'
}

@test "RSET ends a transaction: back to MAIL state" {
	ehlo_session 'MAIL FROM:<a@example.com>' 'RCPT TO:<b@example.com>' 'RSET' 'RCPT TO:<c@example.com>' \
		'MAIL FROM:<d@example.com>' -- "$OK" "$OK" "$OK" '503 Bad sequence - RCPT not allowed in MAIL state' "$OK"
}

@test "RSET before EHLO does not skip EHLO" {
	smtp_input 'RSET' 'MAIL FROM:<a@example.com>' 'QUIT'
	smtp_session
	expect_out "$G" "$OK" '503 Bad sequence - MAIL not allowed in HELO state' "$BYE"
}

@test "EHLO inside a transaction resets it" {
	ehlo_session 'MAIL FROM:<a@example.com>' 'RCPT TO:<b@example.com>' 'EHLO y' 'RCPT TO:<c@example.com>' -- \
		"$OK" "$OK" "${EHLO_DEFAULT[@]}" '503 Bad sequence - RCPT not allowed in MAIL state'
}

@test "HELO inside a transaction resets it" {
	ehlo_session 'MAIL FROM:<a@example.com>' 'HELO y' 'DATA' 'MAIL FROM:<c@example.com>' -- \
		"$OK" '250 badsmtp.test' '503 Bad sequence - DATA not allowed in MAIL state' "$OK"
}

@test "NOOP and VRFY do not change the state" {
	ehlo_session 'MAIL FROM:<a@example.com>' 'NOOP' 'VRFY a@example.com' 'RCPT TO:<b@example.com>' -- \
		"$OK" "$OK" '550 Requested action not taken: mailbox unavailable' "$OK"
}

# --- 501 -------------------------------------------------------------------------------------------

@test "MAIL without argument: 501" {
	ehlo_session 'MAIL' -- "$E501"
}

@test "MAIL FROM without colon: 501" {
	ehlo_session 'MAIL FROM <a@example.com>' -- "$E501"
}

@test "MAIL TO: instead of FROM: 501" {
	ehlo_session 'MAIL TO:<a@example.com>' -- "$E501"
}

@test "MAIL FROM: with nothing after it: 501" {
	ehlo_session 'MAIL FROM:' -- "$E501"
}

@test "MAIL FROM with an unclosed angle bracket: 501" {
	ehlo_session 'MAIL FROM:<a@example.com' -- "$E501"
}

@test "RCPT without argument: 501" {
	ehlo_session 'MAIL FROM:<a@example.com>' 'RCPT' -- "$OK" "$E501"
}

@test "RCPT TO:<> (null recipient): 501" {
	ehlo_session 'MAIL FROM:<a@example.com>' 'RCPT TO:<>' -- "$OK" "$E501"
}

# Reading: only <postmaster> may go without a domain (RFC 5321 4.5.1); other bare local parts are
# bad arguments.
@test "RCPT TO a bare local part other than postmaster: 501" {
	ehlo_session 'MAIL FROM:<a@example.com>' 'RCPT TO:<bob>' -- "$OK" "$E501"
}

@test "HELO without argument: 501" {
	smtp_input 'HELO' 'QUIT'
	smtp_session
	expect_out "$G" "$E501" "$BYE"
}

@test "EHLO without argument: 501" {
	smtp_input 'EHLO' 'MAIL FROM:<a@example.com>' 'QUIT'
	smtp_session
	expect_out "$G" "$E501" '503 Bad sequence - MAIL not allowed in HELO state' "$BYE"
}

@test "a 501 MAIL starts no transaction" {
	ehlo_session 'MAIL FROM:<bad' 'RCPT TO:<b@example.com>' -- "$E501" '503 Bad sequence - RCPT not allowed in MAIL state'
}

# --- 500: unknown verbs --------------------------------------------------------------------------

@test "HELP: 500" {
	ehlo_session 'HELP' -- "$E500"
}

@test "EXPN: 500" {
	ehlo_session 'EXPN list@example.com' -- "$E500"
}

@test "TURN: 500" {
	ehlo_session 'TURN' -- "$E500"
}

@test "ETRN: 500" {
	ehlo_session 'ETRN example.com' -- "$E500"
}

@test "made-up verb: 500, also before EHLO" {
	smtp_input 'FOO bar' 'XCLIENT ADDR=1.2.3.4' 'QUIT'
	smtp_session
	expect_out "$G" "$E500" "$E500" "$BYE"
}

@test "verb glued to its argument is unknown" {
	ehlo_session 'MAILFROM:<a@example.com>' 'NOOPX' -- "$E500" "$E500"
}

@test "an unknown verb does not disturb a transaction" {
	ehlo_session 'MAIL FROM:<a@example.com>' 'HELP' 'RCPT TO:<b@example.com>' -- "$OK" "$E500" "$OK"
}

# --- line rules ----------------------------------------------------------------------------------

@test "a line of 4096 octets is accepted, 4097 gets 500 Command too long" {
	local pad96 pad97
	pad96="NOOP$(repeat_char ' ' 4092)" # 4096 octets before CRLF; trailing blanks are trimmed
	pad97="NOOP$(repeat_char ' ' 4093)"
	[ "${#pad96}" -eq 4096 ] && [ "${#pad97}" -eq 4097 ]
	smtp_input "$pad96" "$pad97" 'NOOP' 'QUIT'
	smtp_session
	expect_status 0
	expect_out "$G" '250 OK' '500 Command too long' '250 OK' "$BYE"
}

@test "4096-octet unknown command gets 500 not recognised, 4097 gets too long" {
	local a b
	a=$(repeat_char X 4096)
	b=$(repeat_char X 4097)
	smtp_input "$a" "$b" 'QUIT'
	smtp_session
	expect_out "$G" "$E500" '500 Command too long' "$BYE"
}

@test "line length is counted before trimming: leading blanks count" {
	local a
	a="$(repeat_char ' ' 4093)NOOP"
	smtp_input "$a" 'QUIT'
	smtp_session
	expect_out "$G" '500 Command too long' "$BYE"
}

@test "4096 octets with a bare LF end is accepted, 4097 is not" {
	local a b
	a="NOOP$(repeat_char ' ' 4092)"
	b="NOOP$(repeat_char ' ' 4093)"
	smtp_append_raw "$a\n$b\nQUIT\n"
	smtp_session
	expect_out "$G" '250 OK' '500 Command too long' "$BYE"
}

@test "a 1 MB line gets one 500 Command too long and the session goes on" {
	repeat_char A 1048576 >> "$SMTP_IN"
	smtp_append '' 'EHLO x' 'QUIT'
	smtp_session
	expect_status 0
	expect_out "$G" '500 Command too long' "${EHLO_DEFAULT[@]}" "$BYE"
}

@test "an overlong MAIL inside a transaction changes nothing" {
	local a
	a="RCPT TO:<$(repeat_char b 4100)@example.com>"
	ehlo_session 'MAIL FROM:<a@example.com>' "$a" 'RCPT TO:<c@example.com>' -- "$OK" '500 Command too long' "$OK"
}

@test "NUL octet in a command line: 500 Command not recognised" {
	smtp_append_raw 'NOOP\x00\r\nNO\x00OP\r\n\x00\r\nQUIT\r\n'
	smtp_session
	expect_status 0
	expect_out "$G" "$E500" "$E500" "$E500" "$BYE"
}

@test "NUL octet inside an address: 500 Command not recognised" {
	smtp_append 'EHLO x'
	smtp_append_raw 'MAIL FROM:<a\x00b@example.com>\r\nRCPT TO:<c@example.com>\r\nQUIT\r\n'
	smtp_session
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$E500" '503 Bad sequence - RCPT not allowed in MAIL state' "$BYE"
}

@test "an empty line gets no reply" {
	smtp_append_raw '\r\n\r\nNOOP\r\n\r\n\nQUIT\r\n'
	smtp_session
	expect_status 0
	expect_out "$G" '250 OK' "$BYE"
}

@test "bare LF line ends are accepted" {
	smtp_append_raw 'EHLO x\nMAIL FROM:<a@example.com>\nRCPT TO:<b@example.com>\nDATA\nhi\r\n.\r\nQUIT\n'
	smtp_session
	expect_status 0
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$OK" "$OK" "$GO_AHEAD" "$ACCEPTED" "$BYE"
}

@test "leading and trailing white space is trimmed" {
	smtp_append_raw '   NOOP   \r\n\t NOOP\t\r\n  EHLO x  \r\n MAIL FROM:<a@example.com> \r\nQUIT \r\n'
	smtp_session
	expect_status 0
	expect_out "$G" "$OK" "$OK" "${EHLO_DEFAULT[@]}" "$OK" "$BYE"
}

@test "verbs are case-insensitive" {
	smtp_input 'ehlo x' 'Mail From:<a@example.com>' 'rcpt to:<b@example.com>' 'RcPt To:<c@example.com>' \
		'noop' 'rset' 'helo y' 'data' 'quit'
	smtp_session
	expect_status 0
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$OK" "$OK" "$OK" "$OK" "$OK" '250 badsmtp.test' \
		'503 Bad sequence - DATA not allowed in MAIL state' "$BYE"
}

@test "arguments keep their case" {
	ehlo_session 'VRFY Exists.Bob@example.com' -- '250 Exists.Bob@example.com User exists'
}

# --- addresses -----------------------------------------------------------------------------------

@test "MAIL FROM:<> (null sender) is accepted" {
	ehlo_session 'MAIL FROM:<>' 'RCPT TO:<b@example.com>' -- "$OK" "$OK"
}

@test "MAIL FROM: <a@b> (space after the colon) is accepted" {
	ehlo_session 'MAIL FROM: <a@b>' 'RCPT TO: <c@d>' -- "$OK" "$OK"
}

@test "MAIL FROM:a@b (no brackets) is accepted" {
	ehlo_session 'MAIL FROM:a@b' 'RCPT TO:c@d' -- "$OK" "$OK"
}

@test "RCPT TO:<postmaster> is accepted" {
	ehlo_session 'MAIL FROM:<a@example.com>' 'RCPT TO:<postmaster>' -- "$OK" "$OK"
}

@test "local part of 64 octets is accepted" {
	local l
	l=$(repeat_char a 64)
	ehlo_session "MAIL FROM:<$l@example.com>" "RCPT TO:<$l@example.com>" -- "$OK" "$OK"
}

@test "local part of 65 octets: 501" {
	local l
	l=$(repeat_char a 65)
	ehlo_session "MAIL FROM:<$l@example.com>" 'MAIL FROM:<a@example.com>' "RCPT TO:<$l@example.com>" -- \
		"$E501" "$OK" "$E501"
}

@test "dotted and atext local parts are accepted" {
	ehlo_session 'MAIL FROM:<first.last@example.com>' "RCPT TO:<a!#\$%&'*+/=?^_\`{|}~-@example.com>" -- "$OK" "$OK"
}

@test "quoted-string local part is accepted" {
	ehlo_session 'MAIL FROM:<"john doe"@example.com>' 'RCPT TO:<"x@y"@example.com>' -- "$OK" "$OK"
}

@test "local part with a space outside quotes: 501" {
	ehlo_session 'MAIL FROM:<john doe@example.com>' -- "$E501"
}

@test "domain with hyphens inside labels is accepted" {
	ehlo_session 'MAIL FROM:<a@mail-1.ex-ample.com>' -- "$OK"
}

@test "domain label starting with a hyphen: 501" {
	ehlo_session 'MAIL FROM:<a@-example.com>' -- "$E501"
}

@test "domain label ending with a hyphen: 501" {
	ehlo_session 'MAIL FROM:<a@example-.com>' -- "$E501"
}

@test "domain with an underscore: 501" {
	ehlo_session 'MAIL FROM:<a@exa_mple.com>' -- "$E501"
}

@test "empty domain: 501" {
	ehlo_session 'MAIL FROM:<a@>' -- "$E501"
}

@test "empty label in domain: 501" {
	ehlo_session 'MAIL FROM:<a@example..com>' -- "$E501"
}

@test "domain of 255 octets is accepted, 256 gets 501" {
	local l50 d255 d256
	l50=$(repeat_char d 50)
	d255="$l50.$l50.$l50.$l50.$(repeat_char e 51)"
	d256="$l50.$l50.$l50.$l50.$(repeat_char e 52)"
	[ "${#d255}" -eq 255 ] && [ "${#d256}" -eq 256 ]
	ehlo_session "MAIL FROM:<a@$d255>" 'RSET' "MAIL FROM:<a@$d256>" -- "$OK" "$OK" "$E501"
}

@test "IPv4 address literal is accepted" {
	ehlo_session 'MAIL FROM:<a@[192.0.2.1]>' 'RCPT TO:<b@[127.0.0.1]>' -- "$OK" "$OK"
}

@test "IPv6 address literal is accepted" {
	ehlo_session 'MAIL FROM:<a@[IPv6:2001:db8::1]>' 'RCPT TO:<b@[IPv6:::1]>' -- "$OK" "$OK"
}

@test "malformed address literal: 501" {
	ehlo_session 'MAIL FROM:<a@[not an address]>' -- "$E501"
}

@test "domain case does not matter for acceptance" {
	ehlo_session 'MAIL FROM:<A@EXAMPLE.COM>' 'RCPT TO:<B@Example.Com>' -- "$OK" "$OK"
}

# --- non-ASCII -------------------------------------------------------------------------------------

@test "non-ASCII address accepted when SMTPUTF8 is on" {
	ehlo_session 'MAIL FROM:<jösé@example.com>' 'RCPT TO:<ñandú@example.com>' -- "$OK" "$OK"
}

@test "non-ASCII address with the SMTPUTF8 parameter is accepted" {
	ehlo_session 'MAIL FROM:<jösé@example.com> SMTPUTF8' -- "$OK"
}

@test "non-ASCII MAIL FROM after nosmtputf8: 553 5.6.7" {
	smtp_input 'EHLO nosmtputf8.example' 'MAIL FROM:<jösé@example.com>' 'QUIT'
	smtp_session
	expect_out "$G" '250-badsmtp.test' "${EHLO_DEFAULT[@]:1:6}" '250-ENHANCEDSTATUSCODES' '250 OK' \
		'553 5.6.7 Non-ASCII address requires SMTPUTF8' "$BYE"
}

@test "non-ASCII RCPT TO after nosmtputf8: 553 5.6.7, recipient not added" {
	smtp_input 'EHLO nosmtputf8.example' 'MAIL FROM:<a@example.com>' 'RCPT TO:<ñandú@example.com>' 'DATA' 'QUIT'
	smtp_session
	expect_out "$G" '250-badsmtp.test' "${EHLO_DEFAULT[@]:1:6}" '250-ENHANCEDSTATUSCODES' '250 OK' \
		"$OK" '553 5.6.7 Non-ASCII address requires SMTPUTF8' '554 No valid recipients' "$BYE"
}

@test "non-ASCII domain after nosmtputf8: 553 5.6.7" {
	smtp_input 'EHLO nosmtputf8.example' 'MAIL FROM:<a@bücher.example>' 'QUIT'
	smtp_session
	expect_out "$G" '250-badsmtp.test' "${EHLO_DEFAULT[@]:1:6}" '250-ENHANCEDSTATUSCODES' '250 OK' \
		'553 5.6.7 Non-ASCII address requires SMTPUTF8' "$BYE"
}

@test "non-ASCII with nosmtputf8 and noenhancedstatuscodes: 553 without 5.6.7" {
	smtp_input 'EHLO nosmtputf8-noenhancedstatuscodes.example' 'MAIL FROM:<jösé@example.com>' 'QUIT'
	smtp_session
	expect_out "$G" '250-badsmtp.test' "${EHLO_DEFAULT[@]:1:6}" '250 OK' \
		'553 Non-ASCII address requires SMTPUTF8' "$BYE"
}

@test "non-ASCII address after HELO: 553 without enhanced code" {
	smtp_input 'HELO x' 'MAIL FROM:<jösé@example.com>' 'QUIT'
	smtp_session
	expect_out "$G" '250 badsmtp.test' '553 Non-ASCII address requires SMTPUTF8' "$BYE"
}

# --- ESMTP parameters ----------------------------------------------------------------------------

@test "SIZE= within the limit is accepted" {
	ehlo_session 'MAIL FROM:<a@example.com> SIZE=1000' 'RSET' 'MAIL FROM:<a@example.com> SIZE=10485760' -- "$OK" "$OK" "$OK"
}

@test "SIZE= over the default limit: 552 with the limit" {
	ehlo_session 'MAIL FROM:<a@example.com> SIZE=10485761' 'RCPT TO:<b@example.com>' -- \
		'552 Message size exceeds fixed maximum of 10485760 bytes' '503 Bad sequence - RCPT not allowed in MAIL state'
}

@test "SIZE= over a size{digits} limit: 552 with that limit" {
	smtp_input 'EHLO size5000.example' 'MAIL FROM:<a@example.com> SIZE=5000' 'RSET' 'MAIL FROM:<a@example.com> SIZE=5001' 'QUIT'
	smtp_session
	expect_out "$G" '250-badsmtp.test' "${EHLO_DEFAULT[@]:1:2}" '250-SIZE 5000' "${EHLO_DEFAULT[@]:4}" \
		"$OK" "$OK" '552 Message size exceeds fixed maximum of 5000 bytes' "$BYE"
}

@test "BODY=7BIT and BODY=8BITMIME are accepted" {
	ehlo_session 'MAIL FROM:<a@example.com> BODY=7BIT' 'RSET' 'MAIL FROM:<a@example.com> BODY=8BITMIME' -- "$OK" "$OK" "$OK"
}

# Reading: ESMTP parameter keywords and values are case-insensitive (RFC 5321 2.4).
@test "parameter keywords are case-insensitive" {
	ehlo_session 'MAIL FROM:<a@example.com> body=8bitmime size=100 smtputf8' -- "$OK"
}

@test "SMTPUTF8 parameter is accepted" {
	ehlo_session 'MAIL FROM:<a@example.com> SMTPUTF8' -- "$OK"
}

@test "AUTH= parameter is accepted" {
	ehlo_session 'MAIL FROM:<a@example.com> AUTH=<>' -- "$OK"
}

@test "several parameters together are accepted" {
	ehlo_session 'MAIL FROM:<a@example.com> SIZE=100 BODY=8BITMIME SMTPUTF8 AUTH=<>' -- "$OK"
}

@test "parameters after MAIL FROM: <a@b> with a space are accepted" {
	ehlo_session 'MAIL FROM: <a@example.com> SIZE=100' -- "$OK"
}

@test "DSN RET= on MAIL: 555" {
	ehlo_session 'MAIL FROM:<a@example.com> RET=HDRS' 'RCPT TO:<b@example.com>' -- "$E555" '503 Bad sequence - RCPT not allowed in MAIL state'
}

@test "DSN ENVID= on MAIL: 555" {
	ehlo_session 'MAIL FROM:<a@example.com> ENVID=abc' -- "$E555"
}

@test "unknown parameter on MAIL: 555" {
	ehlo_session 'MAIL FROM:<a@example.com> FOO=bar' 'MAIL FROM:<a@example.com> SIZE=10 XYZ' -- "$E555" "$E555"
}

@test "NOTIFY= on RCPT: 555, recipient not added" {
	ehlo_session 'MAIL FROM:<a@example.com>' 'RCPT TO:<b@example.com> NOTIFY=NEVER' 'DATA' -- \
		"$OK" "$E555" '554 No valid recipients'
}

@test "ORCPT= on RCPT: 555" {
	ehlo_session 'MAIL FROM:<a@example.com>' 'RCPT TO:<b@example.com> ORCPT=rfc822;b@example.com' -- "$OK" "$E555"
}

@test "any parameter on RCPT, even SIZE or SMTPUTF8: 555" {
	ehlo_session 'MAIL FROM:<a@example.com>' 'RCPT TO:<b@example.com> SIZE=1' 'RCPT TO:<b@example.com> SMTPUTF8' -- \
		"$OK" "$E555" "$E555"
}

@test "parameters on MAIL after HELO: 555 for every one" {
	smtp_input 'HELO x' 'MAIL FROM:<a@example.com> SIZE=1' 'MAIL FROM:<a@example.com> BODY=8BITMIME' \
		'MAIL FROM:<a@example.com> BODY=7BIT' 'MAIL FROM:<a@example.com> SMTPUTF8' 'MAIL FROM:<a@example.com> AUTH=<>' 'QUIT'
	smtp_session
	expect_out "$G" '250 badsmtp.test' "$E555" "$E555" "$E555" "$E555" "$E555" "$BYE"
}

# --- recipients ----------------------------------------------------------------------------------

@test "1000 recipients are accepted, the 1001st gets 452 Too many recipients" {
	local i want=()
	smtp_input 'EHLO x' 'MAIL FROM:<a@example.com>'
	for ((i = 1; i <= 1001; i++)); do
		printf 'RCPT TO:<r%d@example.com>\r\n' "$i" >> "$SMTP_IN"
	done
	smtp_append 'RCPT TO:<late@example.com>' 'DATA' 'x' '.' 'QUIT'
	for ((i = 1; i <= 1000; i++)); do want+=("$OK"); done
	smtp_session
	expect_status 0
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$OK" "${want[@]}" '452 Too many recipients' '452 Too many recipients' \
		"$GO_AHEAD" "$ACCEPTED" "$BYE"
}

@test "the recipient limit is per message" {
	local i want=()
	smtp_input 'EHLO x'
	for m in 1 2; do
		smtp_append 'MAIL FROM:<a@example.com>'
		for ((i = 1; i <= 1000; i++)); do
			printf 'RCPT TO:<r%d@example.com>\r\n' "$i" >> "$SMTP_IN"
			want+=("$OK")
		done
		smtp_append 'RSET'
	done
	smtp_append 'QUIT'
	smtp_session
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$OK" "${want[@]:0:1000}" "$OK" "$OK" "${want[@]:1000}" "$OK" "$BYE"
}

@test "DATA without recipients: 554 No valid recipients" {
	ehlo_session 'MAIL FROM:<a@example.com>' 'DATA' -- "$OK" '554 No valid recipients'
}

# Reading: a refused DATA leaves the transaction as it was (RCPT state, sender kept).
@test "after 554 No valid recipients the transaction goes on" {
	ehlo_session 'MAIL FROM:<a@example.com>' 'DATA' 'RCPT TO:<b@example.com>' 'DATA' 'x' '.' -- \
		"$OK" '554 No valid recipients' "$OK" "$GO_AHEAD" "$ACCEPTED"
}

@test "DATA when every RCPT was refused: 554" {
	ehlo_session 'MAIL FROM:<a@example.com>' 'RCPT TO:<rcpt550@example.com>' 'RCPT TO:<bad' 'DATA' -- \
		"$OK" '550 Requested action not taken: mailbox unavailable' "$E501" '554 No valid recipients'
}
