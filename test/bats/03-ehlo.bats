#!/usr/bin/env bats
# SPEC §3: the EHLO reply, the keywords in the EHLO name, HELO semantics.

load helpers

# ehlo_check NAME [want_ehlo args]: EHLO NAME gets exactly that reply.
ehlo_check() {
	local name=$1
	shift
	want_ehlo "$@"
	smtp_input "EHLO $name" 'QUIT'
	smtp_session
	expect_status 0
	expect_out "$G" "${WANT[@]}" "$BYE"
}

E502='502 Command not implemented'
E555='555 MAIL FROM/RCPT TO parameters not recognized or not implemented'

@test "EHLO reply: every line, in order" {
	smtp_input 'EHLO client.example.com' 'QUIT'
	smtp_session
	expect_out "$G" '250-badsmtp.test' '250-AUTH PLAIN LOGIN CRAM-MD5 CRAM-SHA256 XOAUTH2' '250-8BITMIME' \
		'250-SIZE 10485760' '250-PIPELINING' '250-STARTTLS' '250-CHUNKING' '250-SMTPUTF8' \
		'250-ENHANCEDSTATUSCODES' '250 OK' "$BYE"
}

@test "EHLO first line carries --hostname" {
	want_ehlo host=mx.example.org
	smtp_input 'EHLO x' 'QUIT'
	smtp_session --hostname mx.example.org
	expect_out '220 mx.example.org ESMTP BadSMTP Server' "${WANT[@]}" "$BYE"
}

# --- reject / noehl ------------------------------------------------------------------------------

@test "reject: EHLO gets 502 and the state stays HELO" {
	smtp_input 'EHLO reject.example.com' 'MAIL FROM:<a@example.com>' 'QUIT'
	smtp_session
	expect_out "$G" "$E502" '503 Bad sequence - MAIL not allowed in HELO state' "$BYE"
}

@test "reject: the HELO fallback works" {
	smtp_input 'EHLO reject.example.com' 'HELO reject.example.com' 'MAIL FROM:<a@example.com>' 'RCPT TO:<b@example.com>' 'QUIT'
	smtp_session
	expect_status 0
	expect_out "$G" "$E502" '250 badsmtp.test' '250 OK' '250 OK' "$BYE"
}

@test "noehl: EHLO gets 502, HELO works" {
	smtp_input 'EHLO noehl.example.com' 'HELO noehl.example.com' 'QUIT'
	smtp_session
	expect_out "$G" "$E502" '250 badsmtp.test' "$BYE"
}

@test "reject among other keywords" {
	smtp_input 'EHLO nosize-reject-authplain.example.com' 'QUIT'
	smtp_session
	expect_out "$G" "$E502" "$BYE"
}

# --- AUTH keywords -------------------------------------------------------------------------------

@test "noauth: no AUTH line" {
	ehlo_check noauth.example.com auth=none
}

@test "noauth: AUTH gets 502" {
	want_ehlo auth=none
	smtp_input 'EHLO noauth.example.com' 'AUTH PLAIN AGJvYgBwdw==' 'QUIT'
	smtp_session
	expect_out "$G" "${WANT[@]}" "$E502" "$BYE"
}

@test "noauth: AUTH= parameter gets 555" {
	want_ehlo auth=none
	smtp_input 'EHLO noauth.example.com' 'MAIL FROM:<a@example.com> AUTH=<>' 'QUIT'
	smtp_session
	expect_out "$G" "${WANT[@]}" "$E555" "$BYE"
}

@test "authplain: AUTH PLAIN" {
	ehlo_check authplain.example.com 'auth=PLAIN'
}

@test "authlogin: AUTH LOGIN" {
	ehlo_check authlogin.example.com 'auth=LOGIN'
}

@test "authcram: AUTH CRAM-MD5 CRAM-SHA256" {
	ehlo_check authcram.example.com 'auth=CRAM-MD5 CRAM-SHA256'
}

@test "authoauth: AUTH XOAUTH2" {
	ehlo_check authoauth.example.com 'auth=XOAUTH2'
}

@test "the last auth keyword wins" {
	ehlo_check authplain-authlogin.example.com 'auth=LOGIN'
}

@test "the last auth keyword wins (cram after oauth)" {
	ehlo_check authoauth-nosize-authcram.example.com 'auth=CRAM-MD5 CRAM-SHA256' size=none
}

@test "authplain: other mechanisms get 504" {
	want_ehlo auth=PLAIN
	smtp_input 'EHLO authplain.example.com' 'AUTH LOGIN' 'AUTH CRAM-MD5' 'QUIT'
	smtp_session
	expect_out "$G" "${WANT[@]}" '504 Authentication mechanism not supported' \
		'504 Authentication mechanism not supported' "$BYE"
}

# --- 8BITMIME, SIZE ------------------------------------------------------------------------------

@test "no8bit: no 8BITMIME line" {
	ehlo_check no8bit.example.com 8bit=none
}

@test "no8bit: BODY=8BITMIME gets 555" {
	want_ehlo 8bit=none
	smtp_input 'EHLO no8bit.example.com' 'MAIL FROM:<a@example.com> BODY=8BITMIME' 'QUIT'
	smtp_session
	expect_out "$G" "${WANT[@]}" "$E555" "$BYE"
}

# Reading: BODY= belongs to 8BITMIME (§2), so without it even BODY=7BIT is a parameter of an
# extension that is off: 555.
@test "no8bit: BODY=7BIT gets 555 too" {
	want_ehlo 8bit=none
	smtp_input 'EHLO no8bit.example.com' 'MAIL FROM:<a@example.com> BODY=7BIT' 'QUIT'
	smtp_session
	expect_out "$G" "${WANT[@]}" "$E555" "$BYE"
}

@test "nosize: no SIZE line" {
	ehlo_check nosize.example.com size=none
}

@test "nosize: SIZE= gets 555" {
	want_ehlo size=none
	smtp_input 'EHLO nosize.example.com' 'MAIL FROM:<a@example.com> SIZE=100' 'QUIT'
	smtp_session
	expect_out "$G" "${WANT[@]}" "$E555" "$BYE"
}

@test "size10000: SIZE 10000" {
	ehlo_check size10000.example.com size=10000
}

@test "size1 is clamped to SIZE 1000" {
	ehlo_check size1.example.com size=1000
}

@test "size999 is clamped to SIZE 1000" {
	ehlo_check size999.example.com size=1000
}

@test "size1000 stays SIZE 1000" {
	ehlo_check size1000.example.com size=1000
}

@test "size10000000 stays SIZE 10000000" {
	ehlo_check size10000000.example.com size=10000000
}

@test "size20000000 is clamped to SIZE 10000000" {
	ehlo_check size20000000.example.com size=10000000
}

@test "size10000001 is clamped to SIZE 10000000" {
	ehlo_check size10000001.example.com size=10000000
}

@test "a huge size number is clamped, not overflowed" {
	ehlo_check size99999999999999999999999999.example.com size=10000000
}

@test "size0 is ignored" {
	ehlo_check size0.example.com
}

@test "size without digits is ignored" {
	ehlo_check size.example.com
}

@test "sizeabc is ignored" {
	ehlo_check sizeabc.example.com
}

@test "size followed by junk after the digits is ignored" {
	ehlo_check size5000x.example.com
}

@test "the first size part with a number > 0 wins" {
	ehlo_check size5000-size6000.example.com size=5000
}

@test "size0, size and sizeabc do not block a later size part" {
	ehlo_check size0-size-sizeabc-size7000.example.com size=7000
}

@test "size with nosize: no SIZE line" {
	ehlo_check size5000-nosize.example.com size=none
}

@test "SIZE= is checked against the size keyword's limit" {
	want_ehlo size=1000
	smtp_input 'EHLO size1.example.com' 'MAIL FROM:<a@example.com> SIZE=1000' 'RSET' 'MAIL FROM:<a@example.com> SIZE=1001' 'QUIT'
	smtp_session
	expect_out "$G" "${WANT[@]}" '250 OK' '250 OK' '552 Message size exceeds fixed maximum of 1000 bytes' "$BYE"
}

# --- other keywords ------------------------------------------------------------------------------

@test "nopipelining: no PIPELINING line" {
	ehlo_check nopipelining.example.com pipelining=none
}

@test "nostarttls: no STARTTLS line" {
	ehlo_check nostarttls.example.com starttls=none
}

@test "nostarttls: STARTTLS gets 502" {
	want_ehlo starttls=none
	smtp_input 'EHLO nostarttls.example.com' 'STARTTLS' 'NOOP' 'QUIT'
	smtp_session
	expect_out "$G" "${WANT[@]}" "$E502" '250 OK' "$BYE"
}

# As on a server without the extension: its arguments are not checked, its trigger never fires.
@test "nostarttls: STARTTLS with an argument, or with a starttls trigger armed, still gets 502" {
	want_ehlo starttls=none
	smtp_input 'EHLO nostarttls.example.com' 'STARTTLS now' 'MAIL FROM:<starttls454@example.com>' \
		'RSET' 'STARTTLS' 'QUIT'
	smtp_session
	expect_out "$G" "${WANT[@]}" "$E502" '250 OK' '250 OK' "$E502" "$BYE"
}

@test "nochunking: no CHUNKING line" {
	ehlo_check nochunking.example.com chunking=none
}

@test "nochunking: BDAT is an unknown command and its chunk is not consumed" {
	want_ehlo chunking=none
	smtp_input 'EHLO nochunking.example.com' 'MAIL FROM:<a@example.com>' 'RCPT TO:<b@example.com>' 'BDAT 6 LAST' 'NOOP' 'QUIT'
	smtp_session
	expect_out "$G" "${WANT[@]}" '250 OK' '250 OK' '500 Command not recognised' '250 OK' "$BYE"
}

@test "nosmtputf8: no SMTPUTF8 line" {
	ehlo_check nosmtputf8.example.com smtputf8=none
}

@test "nosmtputf8: SMTPUTF8 parameter gets 555" {
	want_ehlo smtputf8=none
	smtp_input 'EHLO nosmtputf8.example.com' 'MAIL FROM:<a@example.com> SMTPUTF8' 'QUIT'
	smtp_session
	expect_out "$G" "${WANT[@]}" "$E555" "$BYE"
}

@test "noenhancedstatuscodes: no ENHANCEDSTATUSCODES line" {
	ehlo_check noenhancedstatuscodes.example.com enhanced=none
}

@test "noenhancedstatuscodes: triggered replies drop x.y.z" {
	want_ehlo enhanced=none
	smtp_input 'EHLO noenhancedstatuscodes.example.com' 'MAIL FROM:<mail550_5.1.1@example.com>' 'QUIT'
	smtp_session
	expect_out "$G" "${WANT[@]}" '550 Requested action not taken: mailbox unavailable' "$BYE"
}

@test "every no keyword at once" {
	ehlo_check noauth-no8bit-nosize-nopipelining-nostarttls-nochunking-nosmtputf8-noenhancedstatuscodes.example.com \
		auth=none 8bit=none size=none pipelining=none starttls=none chunking=none smtputf8=none enhanced=none
}

@test "SPEC example: size10000-no8bit-authplain" {
	ehlo_check size10000-no8bit-authplain.example.com size=10000 8bit=none auth=PLAIN
}

@test "SPEC example: nosize-nopipelining-authlogin" {
	ehlo_check nosize-nopipelining-authlogin.example.com size=none pipelining=none auth=LOGIN
}

@test "keywords are lower-cased before matching" {
	ehlo_check NoSize-NOPIPELINING.Example.COM size=none pipelining=none
}

@test "unknown parts are ignored" {
	ehlo_check foo-nosize-bar.example.com size=none
}

@test "a bare word without dots is a first label" {
	ehlo_check nosize size=none
}

# --- matched whole, first label only -----------------------------------------------------------

@test "nosizex does nothing" {
	ehlo_check nosizex.example.com
}

@test "xnosize does nothing" {
	ehlo_check xnosize.example.com
}

@test "noauthplain is neither noauth nor authplain" {
	ehlo_check noauthplain.example.com
}

@test "rejected is not reject" {
	ehlo_check rejected.example.com
}

@test "nostarttls inside a longer part does nothing" {
	ehlo_check mynostarttlshost.example.com
}

@test "keywords in later labels are ignored" {
	ehlo_check client.nosize-noauth.example.com
}

@test "reject in a later label is ignored" {
	ehlo_check mail.reject.example.com
}

# --- dlay ----------------------------------------------------------------------------------------

# bats test_tags=timing
@test "dlay: the EHLO reply and every later reply wait N seconds" {
	export BADSMTP_TIME_SCALE=0.01
	want_ehlo
	smtp_start
	smtp_expect "$G"
	between "greeting" "$REPLY_AT_MS" 0 800
	local t0=$REPLY_AT_MS
	smtp_cmd 'EHLO dlay100.example.com' "${WANT[@]}"
	between "EHLO reply (dlay100 x 0.01)" $((REPLY_AT_MS - t0)) 800 5000
	t0=$REPLY_AT_MS
	smtp_cmd 'NOOP' '250 OK'
	between "NOOP reply" $((REPLY_AT_MS - t0)) 800 5000
	t0=$REPLY_AT_MS
	smtp_cmd 'MAIL' '501 Syntax error in parameters'
	between "501 reply" $((REPLY_AT_MS - t0)) 800 5000
	smtp_close
	smtp_wait
	expect_status 0
}

# bats test_tags=timing
@test "dlay is clamped to 605 seconds" {
	# 605 x 0.002 = 1.21 s per reply (2 s unclamped); EHLO and QUIT both wait.
	export BADSMTP_TIME_SCALE=0.002
	want_ehlo
	smtp_input 'EHLO dlay1000.example.com' 'QUIT'
	smtp_session
	expect_status 0
	expect_out "$G" "${WANT[@]}" "$BYE"
	between "two dlay1000 replies at scale 0.002" "$SMTP_ELAPSED_MS" 2000 3800
}

# bats test_tags=timing
@test "dlay0 is ignored (no delay, not clamped up to 1)" {
	export BADSMTP_TIME_SCALE=0.9
	want_ehlo
	smtp_input 'EHLO dlay0.example.com' 'NOOP' 'QUIT'
	smtp_session
	expect_out "$G" "${WANT[@]}" '250 OK' "$BYE"
	between "session with dlay0 at scale 0.9 (a 1 s clamp would make it 2.7 s)" "$SMTP_ELAPSED_MS" 0 1500
}

# bats test_tags=timing
@test "dlay with junk is ignored" {
	export BADSMTP_TIME_SCALE=0.9
	want_ehlo
	smtp_input 'EHLO dlayabc-dlay-dlay5x.example.com' 'NOOP' 'QUIT'
	smtp_session
	expect_out "$G" "${WANT[@]}" '250 OK' "$BYE"
	between "session with junk dlay at scale 0.9" "$SMTP_ELAPSED_MS" 0 1500
}

# bats test_tags=timing
@test "dlay ends with a later EHLO without it" {
	export BADSMTP_TIME_SCALE=0.01
	want_ehlo
	smtp_input 'EHLO dlay50.example.com' 'EHLO plain.example.com' 'NOOP' 'NOOP' 'NOOP' 'QUIT'
	smtp_session
	expect_out "$G" "${WANT[@]}" "${WANT[@]}" '250 OK' '250 OK' '250 OK' "$BYE"
	# Only the first EHLO reply and the second EHLO's (the command that ends dlay) may wait
	# 0.5 s; four more delays would make it 3 s.
	between "session" "$SMTP_ELAPSED_MS" 400 1900
}

# --- HELO semantics ------------------------------------------------------------------------------

@test "HELO: AUTH gets 502" {
	smtp_input 'HELO x' 'AUTH PLAIN AGJvYgBwdw==' 'QUIT'
	smtp_session
	expect_out "$G" '250 badsmtp.test' "$E502" "$BYE"
}

@test "HELO: STARTTLS gets 502" {
	smtp_input 'HELO x' 'STARTTLS' 'NOOP' 'QUIT'
	smtp_session
	expect_out "$G" '250 badsmtp.test' "$E502" '250 OK' "$BYE"
}

@test "HELO: STARTTLS with an argument, or with a starttls trigger armed, still gets 502" {
	smtp_input 'HELO x' 'STARTTLS now' 'MAIL FROM:<starttls454@example.com>' 'RSET' 'STARTTLS' 'QUIT'
	smtp_session
	expect_out "$G" '250 badsmtp.test' "$E502" '250 OK' '250 OK' "$E502" "$BYE"
}

@test "HELO: BDAT gets 500 and its chunk is not consumed" {
	smtp_input 'HELO x' 'MAIL FROM:<a@example.com>' 'RCPT TO:<b@example.com>' 'BDAT 6' 'NOOP' 'QUIT'
	smtp_session
	expect_out "$G" '250 badsmtp.test' '250 OK' '250 OK' '500 Command not recognised' '250 OK' "$BYE"
}

@test "HELO: triggered replies carry no enhanced code" {
	smtp_input 'HELO x' 'MAIL FROM:<mail550_5.1.1@example.com>' 'QUIT'
	smtp_session
	expect_out "$G" '250 badsmtp.test' '550 Requested action not taken: mailbox unavailable' "$BYE"
}

@test "HELO: the SIZE= parameter gets 555" {
	smtp_input 'HELO x' 'MAIL FROM:<a@example.com> SIZE=10' 'QUIT'
	smtp_session
	expect_out "$G" '250 badsmtp.test' "$E555" "$BYE"
}

@test "HELO with keywords in its name: still no extensions, keywords ignored" {
	smtp_input 'HELO reject-authplain.example.com' 'AUTH PLAIN' 'MAIL FROM:<a@example.com> BODY=7BIT' 'QUIT'
	smtp_session
	expect_out "$G" '250 badsmtp.test' "$E502" "$E555" "$BYE"
}

@test "a later EHLO recomputes everything from its own name" {
	want_ehlo size=none auth=none
	local w1=("${WANT[@]}")
	want_ehlo
	smtp_input 'EHLO nosize-noauth.example.com' 'EHLO plain.example.com' 'MAIL FROM:<a@example.com> SIZE=100' 'QUIT'
	smtp_session
	expect_out "$G" "${w1[@]}" "${WANT[@]}" '250 OK' "$BYE"
}

@test "EHLO after HELO turns the extensions back on" {
	want_ehlo
	smtp_input 'HELO x' 'EHLO x' 'MAIL FROM:<a@example.com> SIZE=100 BODY=8BITMIME SMTPUTF8 AUTH=<>' 'QUIT'
	smtp_session
	expect_out "$G" '250 badsmtp.test' "${WANT[@]}" '250 OK' "$BYE"
}

@test "HELO after EHLO turns the extensions off" {
	want_ehlo
	smtp_input 'EHLO x' 'HELO x' 'MAIL FROM:<a@example.com> SIZE=100' 'QUIT'
	smtp_session
	expect_out "$G" "${WANT[@]}" '250 badsmtp.test' "$E555" "$BYE"
}
