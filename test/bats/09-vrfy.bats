#!/usr/bin/env bats
# SPEC §9: VRFY.

load helpers

# vrfy ARG REPLY: VRFY ARG (before any EHLO, in HELO state) gets REPLY.
vrfy() {
	smtp_input "VRFY $1" 'QUIT'
	smtp_session
	expect_status 0
	expect_out "$G" "$2" "$BYE"
}

E550='550 Requested action not taken: mailbox unavailable'

@test "exists…: 250 with the address" { vrfy exists@example.com '250 exists@example.com User exists'; }
@test "exists prefix: longer local part" { vrfy existsbob@example.com '250 existsbob@example.com User exists'; }
@test "SPEC example: local part as given, domain lower-cased" {
	vrfy Exists.Foo@Example.COM '250 Exists.Foo@example.com User exists'
}
@test "prefix is case-insensitive" { vrfy EXISTS@EXAMPLE.com '250 EXISTS@example.com User exists'; }
@test "bracketed address: no brackets in the reply" { vrfy '<exists.x@example.com>' '250 exists.x@example.com User exists'; }
@test "display name with <addr>" { vrfy 'John Smith <exists.john@Example.com>' '250 exists.john@example.com User exists'; }
@test "display name with several spaces" { vrfy 'John    Q.   Smith <exists@example.com>' '250 exists@example.com User exists'; }
@test "unknown…: 551" { vrfy unknown@example.com '551 User not local; please try forward path'; }
@test "unknown prefix, mixed case" { vrfy UnknownUser@example.com '551 User not local; please try forward path'; }
@test "ambiguous…: 553" { vrfy ambiguous@example.com '553 Requested action not taken: mailbox name not allowed'; }
@test "ambiguous prefix, upper case" { vrfy AMBIGUOUS42@example.com '553 Requested action not taken: mailbox name not allowed'; }
@test "anything else: 550" { vrfy bob@example.com "$E550"; }
@test "prefix must be at the start: 550" { vrfy notexists@example.com "$E550"; }
@test "trigger-like local parts are ordinary: 550" { vrfy rcpt451@example.com "$E550"; }
@test "no @: 501" { vrfy bob '501 Syntax error in parameters'; }
@test "exists without @: 501" { vrfy exists '501 Syntax error in parameters'; }

@test "no argument: 501" {
	smtp_input 'VRFY' 'VRFY   ' 'QUIT'
	smtp_session
	expect_out "$G" '501 Syntax error in parameters' '501 Syntax error in parameters' "$BYE"
}

@test "VRFY works in every state and changes none" {
	smtp_input 'EHLO x' 'VRFY exists@example.com' 'MAIL FROM:<a@example.com>' 'VRFY unknown@example.com' \
		'RCPT TO:<b@example.com>' 'VRFY bob@example.com' 'DATA' 'x' '.' 'QUIT'
	smtp_session
	expect_out "$G" "${EHLO_DEFAULT[@]}" '250 exists@example.com User exists' '250 OK' \
		'551 User not local; please try forward path' '250 OK' "$E550" "$GO_AHEAD" "$ACCEPTED" "$BYE"
}

@test "verb is case-insensitive" {
	smtp_input 'vrfy exists@example.com' 'QUIT'
	smtp_session
	expect_out "$G" '250 exists@example.com User exists' "$BYE"
}
