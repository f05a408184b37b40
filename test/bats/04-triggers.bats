#!/usr/bin/env bats
# SPEC §4: error triggers in addresses and EHLO/HELO names; the reply catalogue.

load helpers

OK='250 OK'
T421='421 Service not available, closing transmission channel'
T550='550 Requested action not taken: mailbox unavailable'

# ehlo_session LINE... -- REPLY...: EHLO x, the lines, QUIT; expect the replies then 221, exit 0.
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

# code_row CODE TEXT: MAIL FROM:<mail{CODE}@example.com> gets "CODE TEXT", with and without an
# enhanced code, and no transaction starts.
code_row() {
	local code=$1 text=$2 x=${1:0:1}.9.9
	ehlo_session "MAIL FROM:<mail$code@example.com>" "MAIL FROM:<mail${code}_$x@example.com>" \
		'RCPT TO:<b@example.com>' -- "$code $text" "$code $x $text" '503 Bad sequence - RCPT not allowed in MAIL state'
}

# --- the catalogue, one test per row -----------------------------------------------------------

@test "421: text, close, exit 1" {
	smtp_input 'EHLO x' 'MAIL FROM:<mail421@example.com>' 'NOOP' 'QUIT'
	smtp_session
	expect_status 1
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$T421"
}
@test "421 with an enhanced code" {
	smtp_input 'EHLO x' 'MAIL FROM:<mail421_4.3.2@example.com>' 'NOOP'
	smtp_session
	expect_status 1
	expect_out "$G" "${EHLO_DEFAULT[@]}" '421 4.3.2 Service not available, closing transmission channel'
}
@test "450" { code_row 450 'Requested mail action not taken: mailbox unavailable'; }
@test "451" { code_row 451 'Requested action aborted: local error in processing'; }
@test "452" { code_row 452 'Requested action not taken: insufficient system storage'; }
@test "454" { code_row 454 'TLS not available due to temporary reason'; }
@test "455" { code_row 455 'Server unable to accommodate parameters'; }
@test "500" { code_row 500 'Syntax error, command unrecognized'; }
@test "501" { code_row 501 'Syntax error in parameters or arguments'; }
@test "502" { code_row 502 'Command not implemented'; }
@test "503" { code_row 503 'Bad sequence of commands'; }
@test "504" { code_row 504 'Command parameter not implemented'; }
@test "521" { code_row 521 'Machine does not accept mail'; }
@test "530" { code_row 530 'Authentication required'; }
@test "534" { code_row 534 'Authentication mechanism is too weak'; }
@test "535" { code_row 535 'Authentication failed'; }
@test "550" { code_row 550 'Requested action not taken: mailbox unavailable'; }
@test "551" { code_row 551 'User not local; please try forward path'; }
@test "552" { code_row 552 'Requested mail action aborted: exceeded storage allocation'; }
@test "553" { code_row 553 'Requested action not taken: mailbox name not allowed'; }
@test "554" { code_row 554 'Transaction failed'; }
@test "555" { code_row 555 'MAIL FROM/RCPT TO parameters not recognized or not implemented'; }
@test "571" { code_row 571 'Blocked - see https://example.com/blocked'; }
@test "other 5xx (599): Unknown error" { code_row 599 'Unknown error'; }
@test "other 4xx (432): Unknown error" { code_row 432 'Unknown error'; }
@test "other 4xx (400): Unknown error" { code_row 400 'Unknown error'; }
@test "other 5xx (520): Unknown error" { code_row 520 'Unknown error'; }

@test "SPEC example: mail550_5.1.1" {
	ehlo_session 'MAIL FROM:<mail550_5.1.1@example.com>' -- '550 5.1.1 Requested action not taken: mailbox unavailable'
}

@test "SPEC example: mail550_5.1.1 after noenhancedstatuscodes" {
	want_ehlo enhanced=none
	smtp_input 'EHLO noenhancedstatuscodes.example.com' 'MAIL FROM:<mail550_5.1.1@example.com>' 'MAIL FROM:<rcpt451_4.7.1@example.com>' 'RCPT TO:<rcpt452_4.2.2@example.com>' 'QUIT'
	smtp_session
	expect_out "$G" "${WANT[@]}" "$T550" "$OK" '452 Requested action not taken: insufficient system storage' "$BYE"
}

@test "enhanced code with multi-digit parts" {
	ehlo_session 'MAIL FROM:<mail550_5.7.26@example.com>' -- '550 5.7.26 Requested action not taken: mailbox unavailable'
}

@test "trigger local part is matched case-insensitively" {
	ehlo_session 'MAIL FROM:<MAIL550_5.1.1@EXAMPLE.COM>' 'MAIL FROM:<Rcpt451@example.com>' 'RCPT TO:<RCPT452@example.com>' -- \
		'550 5.1.1 Requested action not taken: mailbox unavailable' "$OK" '452 Requested action not taken: insufficient system storage'
}

@test "the domain is irrelevant" {
	ehlo_session 'MAIL FROM:<mail550@[127.0.0.1]>' 'MAIL FROM:<mail451@x>' -- "$T550" '451 Requested action aborted: local error in processing'
}

@test "a trigger address must be valid first" {
	ehlo_session 'MAIL FROM:<mail550@-bad.example>' 'MAIL FROM:<mail550@example.com' -- \
		'501 Syntax error in parameters' '501 Syntax error in parameters'
}

# Reading: §2 puts the argument check (555 for parameters included) before any trigger.
@test "a bad parameter is refused before the trigger fires" {
	ehlo_session 'MAIL FROM:<mail550@example.com> FOO=1' -- '555 MAIL FROM/RCPT TO parameters not recognized or not implemented'
}

# --- verbs -------------------------------------------------------------------------------------

@test "mail: fires on that MAIL FROM, no transaction starts" {
	ehlo_session 'MAIL FROM:<mail451@example.com>' 'RCPT TO:<b@example.com>' 'MAIL FROM:<a@example.com>' -- \
		'451 Requested action aborted: local error in processing' '503 Bad sequence - RCPT not allowed in MAIL state' "$OK"
}

@test "rcpt: fires on that RCPT TO, recipient not added" {
	ehlo_session 'MAIL FROM:<a@example.com>' 'RCPT TO:<rcpt550@example.com>' 'DATA' -- \
		"$OK" "$T550" '554 No valid recipients'
}

@test "rcpt: each RCPT may ask its own" {
	ehlo_session 'MAIL FROM:<a@example.com>' 'RCPT TO:<rcpt450@example.com>' 'RCPT TO:<b@example.com>' \
		'RCPT TO:<rcpt551_5.1.6@example.com>' 'RCPT TO:<rcpt452_4.5.3@example.com>' 'DATA' 'x' '.' -- \
		"$OK" '450 Requested mail action not taken: mailbox unavailable' "$OK" \
		'551 5.1.6 User not local; please try forward path' '452 4.5.3 Requested action not taken: insufficient system storage' \
		"$GO_AHEAD" "$ACCEPTED"
}

@test "rcpt trigger in MAIL FROM does nothing to MAIL" {
	ehlo_session 'MAIL FROM:<rcpt550@example.com>' 'RCPT TO:<b@example.com>' -- "$OK" "$OK"
}

@test "mail trigger in RCPT TO is an ordinary recipient" {
	ehlo_session 'MAIL FROM:<a@example.com>' 'RCPT TO:<mail550@example.com>' -- "$OK" "$OK"
}

@test "data: fires on DATA instead of 354, state unchanged, fires again" {
	ehlo_session 'MAIL FROM:<data554_5.6.0@example.com>' 'RCPT TO:<b@example.com>' 'DATA' 'RCPT TO:<c@example.com>' 'DATA' -- \
		"$OK" "$OK" '554 5.6.0 Transaction failed' "$OK" '554 5.6.0 Transaction failed'
}

@test "data: lines after a refused DATA are commands" {
	ehlo_session 'MAIL FROM:<data451@example.com>' 'RCPT TO:<b@example.com>' 'DATA' 'NOOP' -- \
		"$OK" "$OK" '451 Requested action aborted: local error in processing' "$OK"
}

@test "rset: fires on RSET, state unchanged" {
	ehlo_session 'MAIL FROM:<rset550@example.com>' 'RCPT TO:<b@example.com>' 'RSET' 'RCPT TO:<c@example.com>' 'DATA' 'x' '.' -- \
		"$OK" "$OK" "$T550" "$OK" "$GO_AHEAD" "$ACCEPTED"
}

@test "noop: fires on every NOOP" {
	ehlo_session 'MAIL FROM:<noop450@example.com>' 'NOOP' 'NOOP' 'RCPT TO:<b@example.com>' -- \
		"$OK" '450 Requested mail action not taken: mailbox unavailable' '450 Requested mail action not taken: mailbox unavailable' "$OK"
}

@test "quit: fires on QUIT, which still closes (exit 0)" {
	smtp_input 'EHLO x' 'MAIL FROM:<quit554@example.com>' 'QUIT' 'NOOP'
	smtp_session
	expect_status 0
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$OK" '554 Transaction failed'
}

@test "quit421: closes with exit 1" {
	smtp_input 'EHLO x' 'MAIL FROM:<quit421@example.com>' 'QUIT' 'NOOP'
	smtp_session
	expect_status 1
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$OK" "$T421"
}

@test "starttls: fires on STARTTLS after RSET" {
	ehlo_session 'MAIL FROM:<starttls454@example.com>' 'RSET' 'STARTTLS' 'MAIL FROM:<a@example.com>' -- \
		"$OK" "$OK" '454 TLS not available due to temporary reason' "$OK"
}

@test "auth: fires on AUTH after RSET" {
	ehlo_session 'MAIL FROM:<auth535_5.7.8@example.com>' 'RSET' 'AUTH PLAIN AGJvYgBwdw==' 'AUTH NOSUCHMECH' -- \
		"$OK" "$OK" '535 5.7.8 Authentication failed' '535 5.7.8 Authentication failed'
}

# BDAT itself is covered by 07-bdat.bats; these two only check the trigger verbs.
@test "bdat: fires on every BDAT after its chunk is read; the message is abandoned" {
	ehlo_session 'MAIL FROM:<bdat451_4.3.0@example.com>' 'RCPT TO:<b@example.com>' 'BDAT 6' 'NOOP' 'BDAT 0 LAST' 'NOOP' -- \
		"$OK" "$OK" '451 4.3.0 Requested action aborted: local error in processing' \
		'503 Bad sequence - BDAT not allowed in MAIL state' "$OK"
}

@test "data: fires on BDAT LAST after its chunk is read" {
	smtp_input 'EHLO x' 'MAIL FROM:<data554@example.com>' 'RCPT TO:<b@example.com>' 'BDAT 4'
	smtp_append_raw 'abcdBDAT 6 LAST\r\nQUIT\r\n'
	smtp_append 'NOOP' 'QUIT'
	smtp_session
	expect_status 0
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$OK" "$OK" "$OK" '554 Transaction failed' "$OK" "$BYE"
}

@test "a trigger never changes the state (noop inside a transaction)" {
	ehlo_session 'MAIL FROM:<noop550@example.com>' 'RCPT TO:<b@example.com>' 'NOOP' 'DATA' 'x' '.' -- \
		"$OK" "$OK" "$T550" "$GO_AHEAD" "$ACCEPTED"
}

# --- 421 ---------------------------------------------------------------------------------------

@test "rcpt421: earlier pipelined replies are flushed, then 421, then close" {
	smtp_input 'EHLO x' 'NOOP' 'MAIL FROM:<a@example.com>' 'RCPT TO:<b@example.com>' 'RCPT TO:<rcpt421@example.com>' 'RCPT TO:<c@example.com>' 'QUIT'
	smtp_session
	expect_status 1
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$OK" "$OK" "$OK" "$T421"
}

@test "data421 closes" {
	smtp_input 'EHLO x' 'MAIL FROM:<data421@example.com>' 'RCPT TO:<b@example.com>' 'DATA' 'body' '.' 'QUIT'
	smtp_session
	expect_status 1
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$OK" "$OK" "$T421"
}

@test "noop421 closes" {
	smtp_input 'EHLO x' 'MAIL FROM:<noop421@example.com>' 'NOOP' 'NOOP'
	smtp_session
	expect_status 1
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$OK" "$T421"
}

@test "rset421 closes" {
	smtp_input 'EHLO x' 'MAIL FROM:<rset421@example.com>' 'RSET' 'NOOP'
	smtp_session
	expect_status 1
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$OK" "$T421"
}

# --- staying armed ---------------------------------------------------------------------------------

@test "triggers stay armed through RSET" {
	ehlo_session 'MAIL FROM:<noop452@example.com>' 'RSET' 'NOOP' 'RSET' 'NOOP' -- \
		"$OK" "$OK" '452 Requested action not taken: insufficient system storage' "$OK" \
		'452 Requested action not taken: insufficient system storage'
}

@test "triggers stay armed after a finished message" {
	ehlo_session 'MAIL FROM:<noop451@example.com>' 'RCPT TO:<b@example.com>' 'DATA' 'x' '.' 'NOOP' -- \
		"$OK" "$OK" "$GO_AHEAD" "$ACCEPTED" '451 Requested action aborted: local error in processing'
}

@test "the next accepted MAIL FROM replaces armed triggers" {
	ehlo_session 'MAIL FROM:<noop451@example.com>' 'RSET' 'MAIL FROM:<rset550@example.com>' 'NOOP' 'RSET' -- \
		"$OK" "$OK" "$OK" "$OK" "$T550"
}

# Reading: only an *accepted* MAIL FROM replaces the armed set; a refused one (its own trigger,
# 501, 555) leaves the earlier triggers armed.
@test "a refused MAIL FROM does not replace armed triggers" {
	ehlo_session 'MAIL FROM:<noop451@example.com>' 'RSET' 'MAIL FROM:<mail550@example.com>' 'NOOP' \
		'MAIL FROM:<a@example.com> FOO=1' 'NOOP' -- \
		"$OK" "$OK" "$T550" '451 Requested action aborted: local error in processing' \
		'555 MAIL FROM/RCPT TO parameters not recognized or not implemented' '451 Requested action aborted: local error in processing'
}

@test "EHLO resets armed triggers" {
	ehlo_session 'MAIL FROM:<noop451@example.com>' 'EHLO y' 'NOOP' -- "$OK" "${EHLO_DEFAULT[@]}" "$OK"
}

@test "HELO resets armed triggers" {
	ehlo_session 'MAIL FROM:<noop451@example.com>' 'HELO y' 'NOOP' -- "$OK" '250 badsmtp.test' "$OK"
}

@test "a data trigger fires for each message of its MAIL FROM only" {
	ehlo_session 'MAIL FROM:<data451@example.com>' 'RCPT TO:<b@example.com>' 'DATA' 'RSET' \
		'MAIL FROM:<a@example.com>' 'RCPT TO:<b@example.com>' 'DATA' 'x' '.' -- \
		"$OK" "$OK" '451 Requested action aborted: local error in processing' "$OK" "$OK" "$OK" "$GO_AHEAD" "$ACCEPTED"
}

# --- ordinary local parts ----------------------------------------------------------------------

@test "ordinary local parts: test452, 452, mail45, mail5500, mail550_5.1" {
	ehlo_session 'MAIL FROM:<test452@example.com>' 'RSET' 'MAIL FROM:<452@example.com>' 'RSET' \
		'MAIL FROM:<mail45@example.com>' 'RSET' 'MAIL FROM:<mail5500@example.com>' 'RSET' \
		'MAIL FROM:<mail550_5.1@example.com>' 'RCPT TO:<rcpt45@example.com>' 'RCPT TO:<xrcpt550@example.com>' -- \
		"$OK" "$OK" "$OK" "$OK" "$OK" "$OK" "$OK" "$OK" "$OK" "$OK" "$OK"
}

@test "codes outside 400-599 are ordinary" {
	ehlo_session 'MAIL FROM:<mail399@example.com>' 'RSET' 'MAIL FROM:<mail600@example.com>' 'RSET' \
		'MAIL FROM:<mail250@example.com>' 'RCPT TO:<rcpt399@example.com>' 'RCPT TO:<rcpt600@example.com>' 'RSET' \
		'MAIL FROM:<noop600@example.com>' 'NOOP' -- \
		"$OK" "$OK" "$OK" "$OK" "$OK" "$OK" "$OK" "$OK" "$OK" "$OK"
}

@test "malformed suffixes are ordinary" {
	ehlo_session 'MAIL FROM:<mail550_@example.com>' 'RSET' 'MAIL FROM:<mail550x@example.com>' 'RSET' \
		'MAIL FROM:<mail550_5.1.a@example.com>' 'RSET' 'MAIL FROM:<xmail550@example.com>' -- \
		"$OK" "$OK" "$OK" "$OK" "$OK" "$OK" "$OK"
}

@test "VRFY never fires a trigger" {
	ehlo_session 'VRFY rcpt451@example.com' 'VRFY mail421@example.com' -- "$T550" "$T550"
}

# --- EHLO/HELO triggers --------------------------------------------------------------------------

@test "EHLO helo500: that reply, state stays HELO" {
	smtp_input 'EHLO helo500.example.com' 'MAIL FROM:<a@example.com>' 'QUIT'
	smtp_session
	expect_status 0
	expect_out "$G" '500 Syntax error, command unrecognized' '503 Bad sequence - MAIL not allowed in HELO state' "$BYE"
}

@test "EHLO ehlo554: that reply, then a HELO works" {
	smtp_input 'EHLO ehlo554.example.com' 'HELO x' 'MAIL FROM:<a@example.com>' 'QUIT'
	smtp_session
	expect_out "$G" '554 Transaction failed' '250 badsmtp.test' "$OK" "$BYE"
}

@test "HELO helo550: that reply, state stays HELO" {
	smtp_input 'HELO helo550.example.com' 'MAIL FROM:<a@example.com>' 'QUIT'
	smtp_session
	expect_out "$G" "$T550" '503 Bad sequence - MAIL not allowed in HELO state' "$BYE"
}

@test "HELO ehlo451: that reply" {
	smtp_input 'HELO ehlo451.example.com' 'QUIT'
	smtp_session
	expect_out "$G" '451 Requested action aborted: local error in processing' "$BYE"
}

@test "EHLO trigger is case-insensitive and carries no enhanced code" {
	smtp_input 'EHLO HELO571.example.com' 'QUIT'
	smtp_session
	expect_out "$G" '571 Blocked - see https://example.com/blocked' "$BYE"
}

@test "EHLO helo599: Unknown error" {
	smtp_input 'EHLO helo599.example.com' 'QUIT'
	smtp_session
	expect_out "$G" '599 Unknown error' "$BYE"
}

@test "EHLO helo421: flushes earlier replies, 421, close, exit 1" {
	smtp_input 'NOOP' 'EHLO helo421.example.com' 'NOOP'
	smtp_session
	expect_status 1
	expect_out "$G" "$OK" "$T421"
}

@test "HELO ehlo421 closes, exit 1" {
	smtp_input 'HELO ehlo421' 'NOOP'
	smtp_session
	expect_status 1
	expect_out "$G" "$T421"
}

@test "EHLO helo399 and helo600 are ordinary names" {
	smtp_input 'EHLO helo399.example.com' 'EHLO helo600.example.com' 'QUIT'
	smtp_session
	expect_out "$G" "${EHLO_DEFAULT[@]}" "${EHLO_DEFAULT[@]}" "$BYE"
}

@test "EHLO helo5000 (four digits) and helo50 are ordinary names" {
	smtp_input 'EHLO helo5000.example.com' 'EHLO helo50.example.com' 'QUIT'
	smtp_session
	expect_out "$G" "${EHLO_DEFAULT[@]}" "${EHLO_DEFAULT[@]}" "$BYE"
}

@test "EHLO trigger must be the whole first label" {
	want_ehlo size=none
	smtp_input 'EHLO helo500-nosize.example.com' 'EHLO xhelo500.example.com' 'EHLO www.helo500.example.com' 'QUIT'
	smtp_session
	expect_out "$G" "${WANT[@]}" "${EHLO_DEFAULT[@]}" "${EHLO_DEFAULT[@]}" "$BYE"
}

@test "EHLO trigger has no enhanced form" {
	smtp_input 'EHLO helo550_5.1.1.example.com' 'QUIT'
	smtp_session
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$BYE"
}
