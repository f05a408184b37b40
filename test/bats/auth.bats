#!/usr/bin/env bats
# SPEC §5 (AUTH) through the real binary: every row with its exact reply text, the restriction
# keywords of §3 and the EHLO AUTH line they produce, the auth{code} trigger of §4, the session
# staying in step after every AUTH error, credentials kept out of the logs (§5, §11), libresolv
# never a shared library of the session; then real clients: swaks --pipe (PLAIN, LOGIN, CRAM-MD5), python smtplib
# login() over a socketpair and over TCP, and a CRAM-SHA256 exchange whose HMAC the test computes.

load helpers

OK235='235 Authentication successful'
FAIL535='535 Authentication failed'
MALFORMED='501 Syntax error in parameters'
CANCELLED='501 Authentication cancelled'
UNSUPPORTED='504 Authentication mechanism not supported'
ALREADY='503 Already authenticated'
NOTIMPL='502 Command not implemented'
PW_PROMPT='334 UGFzc3dvcmQ6'     # base64 "Password:"
USER_PROMPT='334 VXNlcm5hbWU6'   # base64 "Username:"
XOAUTH2_ERR='334 eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xlLmNvbS8ifQ=='
HEX32=0123456789abcdef0123456789abcdef
HEX64=$HEX32$HEX32

# b64 STRING: base64 of STRING after printf %b escapes (\0, \x01 ...), on one line.
b64() {
	printf '%b' "$1" | base64 -w0
}

# ehlo_with_auth LINE: the default EHLO reply with its AUTH line replaced (or dropped when empty).
ehlo_with_auth() {
	local l
	EHLO_AUTH=()
	for l in "${EHLO_DEFAULT[@]}"; do
		case $l in
		'250-AUTH '*) [ -z "$1" ] || EHLO_AUTH+=("$1") ;;
		*) EHLO_AUTH+=("$l") ;;
		esac
	done
}

# pipelined LINE...: one session fed these lines at once.
pipelined() {
	smtp_input "$@"
	smtp_session
}

# --- PLAIN -----------------------------------------------------------------------------------------

# bats test_tags=smoke
@test "PLAIN with initial response, good user: 235" {
	pipelined 'EHLO x' "AUTH PLAIN $(b64 '\0goodauth\0pw')" 'QUIT'
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$OK235" "$BYE"
	expect_status 0
}

@test "PLAIN with initial response, authzid given: username is the authcid" {
	pipelined 'EHLO x' "AUTH PLAIN $(b64 'badauth\0goodauth\0pw')" 'QUIT'
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$OK235" "$BYE"
}

@test "PLAIN with initial response, badauth user: 535" {
	pipelined 'EHLO x' "AUTH PLAIN $(b64 '\0badauth\0pw')" 'QUIT'
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$FAIL535" "$BYE"
}

@test "PLAIN: a username containing badauth anywhere fails" {
	pipelined 'EHLO x' "AUTH PLAIN $(b64 '\0user-badauth@example.com\0pw')" 'QUIT'
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$FAIL535" "$BYE"
}

@test "PLAIN without initial response: '334 ' (with its space), then the response" {
	pipelined 'EHLO x' 'AUTH PLAIN' "$(b64 '\0goodauth\0pw')" 'AUTH PLAIN' 'QUIT'
	expect_out "$G" "${EHLO_DEFAULT[@]}" '334 ' "$OK235" "$ALREADY" "$BYE"
}

@test "PLAIN without initial response, badauth: 334 then 535" {
	pipelined 'EHLO x' 'AUTH PLAIN' "$(b64 '\0badauth\0pw')" 'QUIT'
	expect_out "$G" "${EHLO_DEFAULT[@]}" '334 ' "$FAIL535" "$BYE"
}

@test "PLAIN: mechanism name is case-insensitive" {
	pipelined 'EHLO x' "auth plain $(b64 '\0goodauth\0pw')" 'QUIT'
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$OK235" "$BYE"
}

@test "PLAIN lock-step: the 334 arrives before the client answers it" {
	smtp_start
	smtp_expect "$G"
	smtp_cmd 'EHLO x' "${EHLO_DEFAULT[@]}"
	smtp_cmd 'AUTH PLAIN' '334 '
	smtp_cmd "$(b64 '\0goodauth\0pw')" "$OK235"
	smtp_cmd 'QUIT' "$BYE"
	smtp_wait
	expect_status 0
}

# --- LOGIN -----------------------------------------------------------------------------------------

@test "LOGIN: Username: and Password: prompts, good user: 235" {
	pipelined 'EHLO x' 'AUTH LOGIN' "$(b64 goodauth)" "$(b64 pw)" 'QUIT'
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$USER_PROMPT" "$PW_PROMPT" "$OK235" "$BYE"
}

@test "LOGIN: badauth user: 535 after the password" {
	pipelined 'EHLO x' 'AUTH LOGIN' "$(b64 badauth)" "$(b64 pw)" 'QUIT'
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$USER_PROMPT" "$PW_PROMPT" "$FAIL535" "$BYE"
}

@test "LOGIN with initial response: taken as the username, straight to Password:" {
	pipelined 'EHLO x' "AUTH LOGIN $(b64 goodauth)" "$(b64 pw)" 'QUIT'
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$PW_PROMPT" "$OK235" "$BYE"
}

@test "LOGIN with initial response, badauth: 535" {
	pipelined 'EHLO x' "AUTH LOGIN $(b64 badauth)" "$(b64 pw)" 'QUIT'
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$PW_PROMPT" "$FAIL535" "$BYE"
}

@test "LOGIN lock-step: each prompt arrives before the client answers it" {
	smtp_start
	smtp_expect "$G"
	smtp_cmd 'EHLO x' "${EHLO_DEFAULT[@]}"
	smtp_cmd 'AUTH LOGIN' "$USER_PROMPT"
	smtp_cmd "$(b64 goodauth)" "$PW_PROMPT"
	smtp_cmd "$(b64 pw)" "$OK235"
	smtp_cmd 'QUIT' "$BYE"
	smtp_wait
}

# --- CRAM-MD5, CRAM-SHA256 -------------------------------------------------------------------------

# cram_exchange MECH USER: lock-step; checks the challenge is base64 of <{unique}.{seconds}@
# badsmtp.test> with seconds = now, answers with the HMAC (key "secret") the test computes, and
# leaves the final reply in REPLY_LINES and the decoded challenge in CHALLENGE.
cram_exchange() {
	local hash digest
	case $1 in CRAM-MD5) hash=md5 ;; CRAM-SHA256) hash=sha256 ;; esac
	smtp_start
	smtp_expect "$G"
	smtp_cmd 'EHLO x' "${EHLO_DEFAULT[@]}"
	smtp_send "AUTH $1"
	smtp_recv
	[ "${#REPLY_LINES[@]}" -eq 1 ] && [[ ${REPLY_LINES[0]} == '334 '?* ]] ||
		fail "want one '334 {challenge}' line, got: ${REPLY_LINES[*]}"
	CHALLENGE=$(printf '%s' "${REPLY_LINES[0]#334 }" | base64 -d) ||
		fail "challenge is not base64: ${REPLY_LINES[0]}"
	/usr/bin/python3 - "$CHALLENGE" << 'EOF' || fail "bad challenge: $CHALLENGE"
import re, sys, time
m = re.fullmatch(r'<([!-~]+)\.(-?[0-9]+)@badsmtp\.test>', sys.argv[1])
assert m, 'not <{unique}.{seconds}@badsmtp.test>'
assert not set('<>@') & set(m.group(1)), 'unique holds < > or @'
assert abs(int(m.group(2)) - time.time()) < 120, 'seconds is not now'
EOF
	digest=$(/usr/bin/python3 -c 'import hmac, hashlib, sys
print(hmac.new(b"secret", sys.argv[1].encode(), getattr(hashlib, sys.argv[2])).hexdigest())' \
		"$CHALLENGE" "$hash")
	DIGEST=$digest
	RESPONSE=$(b64 "$2 $digest")
	smtp_send "$RESPONSE"
	smtp_recv
}

# bats test_tags=smoke
@test "CRAM-MD5: challenge is a msg-id, computed HMAC-MD5, good user: 235" {
	cram_exchange CRAM-MD5 goodauth
	[ "${REPLY_LINES[*]}" = "$OK235" ] || fail "got ${REPLY_LINES[*]}, want $OK235"
	smtp_cmd 'QUIT' "$BYE"
}

@test "CRAM-MD5: badauth: 535" {
	cram_exchange CRAM-MD5 badauth
	[ "${REPLY_LINES[*]}" = "$FAIL535" ] || fail "got ${REPLY_LINES[*]}, want $FAIL535"
	smtp_cmd 'QUIT' "$BYE"
}

@test "CRAM-SHA256: computed HMAC-SHA256, good user: 235" {
	cram_exchange CRAM-SHA256 goodauth
	[ "${REPLY_LINES[*]}" = "$OK235" ] || fail "got ${REPLY_LINES[*]}, want $OK235"
	smtp_cmd 'QUIT' "$BYE"
}

@test "CRAM-SHA256: badauth: 535" {
	cram_exchange CRAM-SHA256 badauth
	[ "${REPLY_LINES[*]}" = "$FAIL535" ] || fail "got ${REPLY_LINES[*]}, want $FAIL535"
	smtp_cmd 'QUIT' "$BYE"
}

@test "CRAM challenges are unique per session (two sessions in the same second differ)" {
	local a b
	smtp_input 'EHLO x' 'AUTH CRAM-MD5' '*' 'QUIT'
	smtp_session
	a=$(grep '^334 ' "$SMTP_OUT")
	smtp_session
	b=$(grep '^334 ' "$SMTP_OUT")
	[ -n "$a" ] && [ -n "$b" ] || fail "no 334 challenge: $(cat -v "$SMTP_OUT")"
	[ "$a" != "$b" ] || fail "two sessions got the same challenge: $a"
}

@test "CRAM digest is not verified: any hex of the right length passes" {
	pipelined 'EHLO x' 'AUTH CRAM-MD5' "$(b64 "goodauth $HEX32")" 'QUIT'
	# line 1 greeting, 2-11 EHLO, 12 the challenge
	[ "$(sed -n '12p' "$SMTP_OUT" | tr -d '\r' | cut -c1-4)" = '334 ' ] || { show_session; false; }
	[ "$(sed -n '13p' "$SMTP_OUT" | tr -d '\r')" = "$OK235" ] || { show_session; false; }
	pipelined 'EHLO x' 'AUTH CRAM-SHA256' "$(b64 "goodauth $HEX64")" 'QUIT'
	[ "$(sed -n '13p' "$SMTP_OUT" | tr -d '\r')" = "$OK235" ] || { show_session; false; }
}

# cram_reply MECH RESPONSE WANT: the reply to RESPONSE after the CRAM challenge.
cram_reply() {
	pipelined 'EHLO x' "AUTH $1" "$2" 'NOOP' 'QUIT'
	local got
	got=$(sed -n '13,15p' "$SMTP_OUT" | tr -d '\r')
	[ "$got" = "$3"$'\n''250 OK'$'\n'"$BYE" ] || { echo "after the challenge: got"; echo "$got"; echo "want $3"; show_session; false; }
}

@test "CRAM-MD5 malformed: wrong hex length, non-hex, no space, bad base64: 501" {
	cram_reply CRAM-MD5 "$(b64 "goodauth ${HEX32}0")" "$MALFORMED"
	cram_reply CRAM-MD5 "$(b64 "goodauth ${HEX32:1}")" "$MALFORMED"
	cram_reply CRAM-MD5 "$(b64 "goodauth $HEX64")" "$MALFORMED"
	cram_reply CRAM-MD5 "$(b64 "goodauth ${HEX32//a/g}")" "$MALFORMED"
	cram_reply CRAM-MD5 "$(b64 "goodauth$HEX32")" "$MALFORMED"
	cram_reply CRAM-MD5 'Z29vZGF1dGgg!!!' "$MALFORMED"
	cram_reply CRAM-SHA256 "$(b64 "goodauth $HEX32")" "$MALFORMED"
}

@test "CRAM: * cancels with 501 Authentication cancelled" {
	cram_reply CRAM-MD5 '*' "$CANCELLED"
	cram_reply CRAM-SHA256 '*' "$CANCELLED"
}

@test "CRAM with an initial response: 501 (server-first mechanism, RFC 4954)" {
	pipelined 'EHLO x' "AUTH CRAM-MD5 $(b64 "goodauth $HEX32")" 'NOOP' 'QUIT'
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$MALFORMED" '250 OK' "$BYE"
}

# --- XOAUTH2 ---------------------------------------------------------------------------------------

@test "XOAUTH2 with initial response, good user: 235" {
	pipelined 'EHLO x' "AUTH XOAUTH2 $(b64 'user=goodauth@example.com\x01auth=Bearer tok\x01\x01')" 'QUIT'
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$OK235" "$BYE"
}

@test "XOAUTH2 badauth: 334 with the JSON error, then 535 after the empty line" {
	pipelined 'EHLO x' "AUTH XOAUTH2 $(b64 'user=badauth@example.com\x01auth=Bearer tok\x01\x01')" '' 'QUIT'
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$XOAUTH2_ERR" "$FAIL535" "$BYE"
}

@test "XOAUTH2 without initial response: '334 ', then the response" {
	pipelined 'EHLO x' 'AUTH XOAUTH2' "$(b64 'user=goodauth\x01auth=Bearer tok\x01\x01')" \
		'AUTH XOAUTH2' "$(b64 'user=badauth\x01auth=Bearer tok\x01\x01')" 'QUIT'
	# The second AUTH gets 503 and the blob after it is then a command line: unknown verb.
	expect_out "$G" "${EHLO_DEFAULT[@]}" '334 ' "$OK235" "$ALREADY" '500 Command not recognised' "$BYE"
}

@test "XOAUTH2 without initial response, badauth: 334, error challenge, 535" {
	pipelined 'EHLO x' 'AUTH XOAUTH2' "$(b64 'user=badauth\x01auth=Bearer tok\x01\x01')" '' 'QUIT'
	expect_out "$G" "${EHLO_DEFAULT[@]}" '334 ' "$XOAUTH2_ERR" "$FAIL535" "$BYE"
}

@test "XOAUTH2 without user=: 501" {
	pipelined 'EHLO x' "AUTH XOAUTH2 $(b64 'auth=Bearer tok\x01\x01')" 'NOOP' 'QUIT'
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$MALFORMED" '250 OK' "$BYE"
}

@test "XOAUTH2: * cancels, also at the error challenge" {
	pipelined 'EHLO x' 'AUTH XOAUTH2' '*' "AUTH XOAUTH2 $(b64 'user=badauth\x01auth=Bearer t\x01\x01')" '*' 'QUIT'
	expect_out "$G" "${EHLO_DEFAULT[@]}" '334 ' "$CANCELLED" "$XOAUTH2_ERR" "$CANCELLED" "$BYE"
}

# --- the rules of §5 -------------------------------------------------------------------------------

@test "a second AUTH after success: 503 Already authenticated (any mechanism)" {
	pipelined 'EHLO x' "AUTH PLAIN $(b64 '\0goodauth\0pw')" "AUTH PLAIN $(b64 '\0goodauth\0pw')" \
		'AUTH LOGIN' 'AUTH NOSUCH' 'QUIT'
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$OK235" "$ALREADY" "$ALREADY" "$ALREADY" "$BYE"
}

@test "AUTH after a failure may try again" {
	pipelined 'EHLO x' "AUTH PLAIN $(b64 '\0badauth\0pw')" "AUTH PLAIN $(b64 '\0goodauth\0pw')" 'QUIT'
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$FAIL535" "$OK235" "$BYE"
}

@test "unknown mechanism: 504 Authentication mechanism not supported" {
	pipelined 'EHLO x' 'AUTH DIGEST-MD5' 'AUTH NTLM' 'AUTH CRAM-SHA1' 'AUTH PLAINX' 'NOOP' 'QUIT'
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$UNSUPPORTED" "$UNSUPPORTED" "$UNSUPPORTED" "$UNSUPPORTED" \
		'250 OK' "$BYE"
}

@test "AUTH without a mechanism, or with two arguments: 501" {
	pipelined 'EHLO x' 'AUTH' "AUTH PLAIN $(b64 '\0goodauth\0pw') extra" 'NOOP' 'QUIT'
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$MALFORMED" "$MALFORMED" '250 OK' "$BYE"
}

@test "bad base64 in an initial response: 501 Syntax error in parameters" {
	pipelined 'EHLO x' 'AUTH PLAIN AGdvb2RhdXRoAHB3x' 'AUTH PLAIN AGdvb2RhdXRoAHB' 'AUTH PLAIN Zg==Zg==' \
		'AUTH PLAIN AGdv!2RhdXRoAHB3' 'AUTH LOGIN Z29vZGF1dGg' 'NOOP' 'QUIT'
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$MALFORMED" "$MALFORMED" "$MALFORMED" "$MALFORMED" "$MALFORMED" \
		'250 OK' "$BYE"
}

@test "bad base64 in a response line: 501" {
	pipelined 'EHLO x' 'AUTH PLAIN' 'AGdvb2RhdXRoAHB3x' 'AUTH LOGIN' 'Z29vZGF1dGg=' 'cHc' 'NOOP' 'QUIT'
	expect_out "$G" "${EHLO_DEFAULT[@]}" '334 ' "$MALFORMED" "$USER_PROMPT" "$PW_PROMPT" "$MALFORMED" \
		'250 OK' "$BYE"
}

@test "PLAIN malformed: one NUL, no NUL, three NULs, empty authcid, '=' (empty): 501" {
	pipelined 'EHLO x' "AUTH PLAIN $(b64 'goodauth\0pw')" "AUTH PLAIN $(b64 goodauth)" \
		"AUTH PLAIN $(b64 '\0goodauth\0pw\0x')" "AUTH PLAIN $(b64 '\0\0pw')" 'AUTH PLAIN =' 'NOOP' 'QUIT'
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$MALFORMED" "$MALFORMED" "$MALFORMED" "$MALFORMED" "$MALFORMED" \
		'250 OK' "$BYE"
}

@test "* cancels: 501 Authentication cancelled, at every prompt" {
	pipelined 'EHLO x' 'AUTH PLAIN' '*' 'AUTH LOGIN' '*' 'AUTH LOGIN' "$(b64 goodauth)" '*' \
		"AUTH LOGIN $(b64 goodauth)" '*' 'NOOP' 'QUIT'
	expect_out "$G" "${EHLO_DEFAULT[@]}" '334 ' "$CANCELLED" "$USER_PROMPT" "$CANCELLED" \
		"$USER_PROMPT" "$PW_PROMPT" "$CANCELLED" "$PW_PROMPT" "$CANCELLED" '250 OK' "$BYE"
}

@test "after a cancel or a malformed exchange, AUTH works again" {
	pipelined 'EHLO x' 'AUTH PLAIN' '*' 'AUTH PLAIN ***' "AUTH PLAIN $(b64 '\0goodauth\0pw')" 'QUIT'
	expect_out "$G" "${EHLO_DEFAULT[@]}" '334 ' "$CANCELLED" "$MALFORMED" "$OK235" "$BYE"
}

@test "a response line is never taken for a command" {
	# "QUIT" is valid base64 (3 octets, no NUL): a malformed PLAIN response, not a QUIT. "NOOP"
	# and "RSET" are valid base64 too: LOGIN's username and password.
	pipelined 'EHLO x' 'AUTH PLAIN' 'QUIT' 'AUTH LOGIN' 'NOOP' 'RSET' 'NOOP' 'QUIT'
	expect_out "$G" "${EHLO_DEFAULT[@]}" '334 ' "$MALFORMED" "$USER_PROMPT" "$PW_PROMPT" "$OK235" '250 OK' \
		"$BYE"
	expect_status 0
}

@test "AUTH before EHLO: 503 Bad sequence - AUTH not allowed in HELO state" {
	pipelined "AUTH PLAIN $(b64 '\0goodauth\0pw')" 'QUIT'
	expect_out "$G" '503 Bad sequence - AUTH not allowed in HELO state' "$BYE"
}

@test "AUTH inside a transaction: 503 Bad sequence - AUTH not allowed in RCPT state" {
	pipelined 'EHLO x' 'MAIL FROM:<a@example.com>' "AUTH PLAIN $(b64 '\0goodauth\0pw')" 'RSET' \
		"AUTH PLAIN $(b64 '\0goodauth\0pw')" 'QUIT'
	expect_out "$G" "${EHLO_DEFAULT[@]}" '250 OK' '503 Bad sequence - AUTH not allowed in RCPT state' \
		'250 OK' "$OK235" "$BYE"
}

@test "AUTH after HELO: 502 Command not implemented (no extensions)" {
	pipelined 'HELO x' "AUTH PLAIN $(b64 '\0goodauth\0pw')" 'AUTH LOGIN' 'NOOP' 'QUIT'
	expect_out "$G" '250 badsmtp.test' "$NOTIMPL" "$NOTIMPL" '250 OK' "$BYE"
}

@test "noauth: no AUTH line in EHLO, AUTH gets 502 Command not implemented" {
	ehlo_with_auth ''
	pipelined 'EHLO noauth.example.com' "AUTH PLAIN $(b64 '\0goodauth\0pw')" 'AUTH LOGIN' 'NOOP' 'QUIT'
	expect_out "$G" "${EHLO_AUTH[@]}" "$NOTIMPL" "$NOTIMPL" '250 OK' "$BYE"
}

@test "a later EHLO without noauth offers AUTH again" {
	ehlo_with_auth ''
	pipelined 'EHLO noauth' 'EHLO x' "AUTH PLAIN $(b64 '\0goodauth\0pw')" 'QUIT'
	expect_out "$G" "${EHLO_AUTH[@]}" "${EHLO_DEFAULT[@]}" "$OK235" "$BYE"
}

# restriction KEYWORD AUTHLINE ALLOWED... : EHLO with the keyword advertises AUTHLINE; each
# mechanism in ALLOWED works (its first step), every other one gets 504.
restriction() {
	local kw=$1 line=$2 m
	shift 2
	local allowed=" $* "
	local input=("EHLO $kw.example.com") want=()
	ehlo_with_auth "$line"
	want=("$G" "${EHLO_AUTH[@]}")
	for m in PLAIN LOGIN CRAM-MD5 CRAM-SHA256 XOAUTH2; do
		input+=("AUTH $m")
		if [[ $allowed == *" $m "* ]]; then
			input+=('*')
			case $m in
			LOGIN) want+=("$USER_PROMPT" "$CANCELLED") ;;
			CRAM-*) want+=('CRAM' "$CANCELLED") ;;
			*) want+=('334 ' "$CANCELLED") ;;
			esac
		else
			want+=("$UNSUPPORTED")
		fi
	done
	input+=('QUIT')
	want+=("$BYE")
	smtp_input "${input[@]}"
	smtp_session
	# CRAM challenges vary: compare them as "CRAM"
	local got
	got=$(tr -d '\r' < "$SMTP_OUT" | sed -E 's/^334 [A-Za-z0-9+\/=]{20,}$/CRAM/')
	[ "$got" = "$(printf '%s\n' "${want[@]}")" ] || {
		diff <(printf '%s\n' "${want[@]}") <(printf '%s\n' "$got")
		show_session
		false
	}
}

@test "authplain: AUTH PLAIN only; the others 504" {
	restriction authplain '250-AUTH PLAIN' PLAIN
}

@test "authlogin: AUTH LOGIN only" {
	restriction authlogin '250-AUTH LOGIN' LOGIN
}

@test "authcram: AUTH CRAM-MD5 CRAM-SHA256 only" {
	restriction authcram '250-AUTH CRAM-MD5 CRAM-SHA256' CRAM-MD5 CRAM-SHA256
}

@test "authoauth: AUTH XOAUTH2 only" {
	restriction authoauth '250-AUTH XOAUTH2' XOAUTH2
}

@test "restriction keywords: the last one wins" {
	restriction authplain-foo-authlogin '250-AUTH LOGIN' LOGIN
	restriction AuthCram-authoauth '250-AUTH XOAUTH2' XOAUTH2
}

@test "restriction keywords match whole parts only" {
	restriction xauthplain-authplainx '250-AUTH PLAIN LOGIN CRAM-MD5 CRAM-SHA256 XOAUTH2' \
		PLAIN LOGIN CRAM-MD5 CRAM-SHA256 XOAUTH2
}

@test "noauth with a restriction keyword: still no AUTH" {
	ehlo_with_auth ''
	pipelined 'EHLO authplain-noauth.example.com' 'AUTH PLAIN' 'QUIT'
	expect_out "$G" "${EHLO_AUTH[@]}" "$NOTIMPL" "$BYE"
}

@test "MAIL FROM AUTH= parameter: accepted with AUTH, 555 with noauth (§2)" {
	ehlo_with_auth ''
	pipelined 'EHLO x' 'MAIL FROM:<a@example.com> AUTH=<>' 'RSET' 'EHLO noauth' 'MAIL FROM:<a@example.com> AUTH=<>' 'QUIT'
	expect_out "$G" "${EHLO_DEFAULT[@]}" '250 OK' '250 OK' "${EHLO_AUTH[@]}" \
		'555 MAIL FROM/RCPT TO parameters not recognized or not implemented' "$BYE"
}

# --- the auth{code} trigger ------------------------------------------------------------------------

@test "auth535_5.7.8 trigger: MAIL, RSET, then AUTH gets 535 5.7.8 Authentication failed" {
	pipelined 'EHLO x' 'MAIL FROM:<auth535_5.7.8@x>' 'RSET' "AUTH PLAIN $(b64 '\0goodauth\0pw')" \
		'AUTH LOGIN' 'NOOP' 'QUIT'
	expect_out "$G" "${EHLO_DEFAULT[@]}" '250 OK' '250 OK' '535 5.7.8 Authentication failed' \
		'535 5.7.8 Authentication failed' '250 OK' "$BYE"
}

@test "auth trigger answers before the mechanism check (SPEC §5: before any of this)" {
	pipelined 'EHLO x' 'MAIL FROM:<auth454_4.7.0@x>' 'RSET' 'AUTH NOSUCH' 'QUIT'
	expect_out "$G" "${EHLO_DEFAULT[@]}" '250 OK' '250 OK' \
		'454 4.7.0 TLS not available due to temporary reason' "$BYE"
}

@test "auth trigger inside the transaction: the 503 comes first (state check before trigger)" {
	pipelined 'EHLO x' 'MAIL FROM:<auth535@x>' 'AUTH PLAIN' 'QUIT'
	expect_out "$G" "${EHLO_DEFAULT[@]}" '250 OK' '503 Bad sequence - AUTH not allowed in RCPT state' "$BYE"
}

@test "auth trigger without enhanced status codes drops the x.y.z" {
	local e=() l
	for l in "${EHLO_DEFAULT[@]}"; do [ "$l" = '250-ENHANCEDSTATUSCODES' ] || e+=("$l"); done
	pipelined 'EHLO noenhancedstatuscodes' 'MAIL FROM:<auth535_5.7.8@x>' 'RSET' 'AUTH PLAIN' 'QUIT'
	expect_out "$G" "${e[@]}" '250 OK' '250 OK' "$FAIL535" "$BYE"
}

@test "auth421 trigger: 421 and close" {
	pipelined 'EHLO x' 'MAIL FROM:<auth421@x>' 'RSET' 'AUTH PLAIN' 'NOOP' 'QUIT'
	expect_out "$G" "${EHLO_DEFAULT[@]}" '250 OK' '250 OK' \
		'421 Service not available, closing transmission channel'
	expect_status 1
}

@test "auth trigger: no 334 first, so the next line is a command" {
	pipelined 'EHLO x' 'MAIL FROM:<auth530@x>' 'RSET' 'AUTH LOGIN' 'NOOP' 'QUIT'
	expect_out "$G" "${EHLO_DEFAULT[@]}" '250 OK' '250 OK' '530 Authentication required' '250 OK' "$BYE"
}

# --- profile starttls-required ---------------------------------------------------------------------

@test "starttls-required: AUTH before TLS gets 530 Must issue a STARTTLS command first" {
	smtp_input 'EHLO x' "AUTH PLAIN $(b64 '\0goodauth\0pw')" 'AUTH LOGIN' 'QUIT'
	smtp_session --profile starttls-required
	expect_out "$G" "${EHLO_DEFAULT[@]}" '530 Must issue a STARTTLS command first' \
		'530 Must issue a STARTTLS command first' "$BYE"
}

@test "starttls-required after HELO: AUTH gets 502" {
	smtp_input 'HELO x' 'AUTH PLAIN' 'QUIT'
	smtp_session --profile starttls-required
	expect_out "$G" '250 badsmtp.test' "$NOTIMPL" "$BYE"
}

# --- logs: mechanism, username, outcome; never a credential ----------------------------------------

@test "log: authentication events carry mechanism, username and outcome; AUTH args redacted" {
	pipelined 'EHLO x' "AUTH PLAIN $(b64 '\0badauth-1\0pw')" "AUTH LOGIN $(b64 goodauth-2)" "$(b64 pw)" 'QUIT'
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$FAIL535" "$PW_PROMPT" "$OK235" "$BYE"
	log_check "
f = fields('SMTP authentication failed')
assert (f['auth_mechanism'], f['username'], f['success']) == ('PLAIN', 'badauth-1', False), f
assert one('SMTP authentication failed')['level'] == 'WARN'
f = fields('SMTP authentication successful')
assert (f['auth_mechanism'], f['username'], f['success']) == ('LOGIN', 'goodauth-2', True), f
assert one('SMTP authentication successful')['level'] == 'INFO'
a = [e['fields']['args'] for e in by('SMTP command received') if e['fields']['command'] == 'AUTH']
assert a == [['PLAIN', '[redacted]'], ['LOGIN', '[redacted]']], a
"
}

@test "log: no password, base64 blob or digest ever reaches the log (JSON and text)" {
	local pw='Pa55-w0rd-Zq9' secrets=() fmt blob
	local plain plain_bad login_u login_p xo xo_bad cram
	plain=$(b64 "Zauthzid9\\0goodauth\\0$pw")
	plain_bad=$(b64 "\\0badauth\\0$pw")
	login_u=$(b64 goodauth-login)
	login_p=$(b64 "$pw")
	xo=$(b64 "user=goodauth\\x01auth=Bearer $pw\\x01\\x01")
	xo_bad=$(b64 "user=badauth\\x01auth=Bearer $pw\\x01\\x01")
	cram=$(b64 "goodauth fedcba9876543210fedcba9876543210")
	secrets=("$pw" "$plain" "$plain_bad" "$login_u" "$login_p" "$xo" "$xo_bad" "$cram"
		fedcba9876543210fedcba9876543210 Zauthzid9)
	for fmt in json text; do
		smtp_input 'EHLO x' "AUTH PLAIN $plain" 'RSET' 'EHLO y' "AUTH PLAIN $plain_bad" \
			'AUTH LOGIN' "$login_u" "$login_p" 'QUIT'
		smtp_session --log-format "$fmt" --log-level debug
		cat "$SMTP_ERR" >> "$T/all.log"
		smtp_input 'EHLO x' "AUTH XOAUTH2 $xo_bad" '' "AUTH XOAUTH2 $xo" 'QUIT'
		smtp_session --log-format "$fmt" --log-level debug
		cat "$SMTP_ERR" >> "$T/all.log"
		smtp_input 'EHLO x' 'AUTH CRAM-MD5' "$cram" 'QUIT'
		smtp_session --log-format "$fmt" --log-level debug
		cat "$SMTP_ERR" >> "$T/all.log"
		smtp_input 'EHLO x' 'AUTH PLAIN' "$plain" 'QUIT'
		smtp_session --log-format "$fmt" --log-level debug
		cat "$SMTP_ERR" >> "$T/all.log"
	done
	grep -q 'goodauth' "$T/all.log" || fail "usernames are not logged at all: $(head -c 2000 "$T/all.log")"
	for s in "${secrets[@]}"; do
		if grep -nF -- "$s" "$T/all.log"; then
			fail "credential $s found in the log (lines above)"
		fi
	done
}

# --- libresolv: b64_pton comes from libresolv.a ---------------------------------------------------

# bats test_tags=release
@test "neither badsmtp-session nor its twin links libresolv" {
	local b
	for b in "$BADSMTP_BIN" "$(dirname "$BADSMTP_BIN")/badsmtp-session-tls"; do
		[ -x "$b" ] || fail "$b is missing"
		run ldd "$b"
		[ "$status" -eq 0 ] || [[ $output == *"not a dynamic executable"* ]] || fail "ldd $b: $output"
		[[ $output != *libresolv* ]] || fail "$b links libresolv: $output"
	done
}

# --- real clients: swaks --pipe ---------------------------------------------------------------------

# swaks_auth TYPE USER: swaks through a pipe, stopping after AUTH; sets status and output.
swaks_auth() {
	run timeout 20 swaks --pipe "$BADSMTP_BIN 2>>$T/swaks.log" --ehlo client.example.com \
		--from a@example.com --to b@example.com --auth "$1" --auth-user "$2" \
		--auth-password 'Sw4ks-Pw' --quit-after AUTH --timeout 10
}

@test "swaks --auth PLAIN: goodauth 235, badauth 535" {
	swaks_auth PLAIN goodauth@example.com
	[ "$status" -eq 0 ] || fail "swaks exit $status: $output"
	[[ $output == *"<-  $OK235"* ]] || fail "no 235: $output"
	swaks_auth PLAIN badauth@example.com
	[ "$status" -eq 28 ] || fail "swaks exit $status, want 28 (AUTH error): $output"
	[[ $output == *"<** $FAIL535"* ]] || fail "no 535: $output"
	! grep -F 'Sw4ks-Pw' "$T/swaks.log" || fail "password in the log"
}

@test "swaks --auth LOGIN: goodauth 235, badauth 535" {
	swaks_auth LOGIN goodauth@example.com
	[ "$status" -eq 0 ] || fail "swaks exit $status: $output"
	[[ $output == *"<-  $USER_PROMPT"* && $output == *"<-  $OK235"* ]] || fail "$output"
	swaks_auth LOGIN badauth@example.com
	[ "$status" -eq 28 ] || fail "swaks exit $status, want 28: $output"
	[[ $output == *"<** $FAIL535"* ]] || fail "no 535: $output"
}

@test "swaks --auth CRAM-MD5: goodauth 235, badauth 535" {
	swaks_auth CRAM-MD5 goodauth@example.com
	[ "$status" -eq 0 ] || fail "swaks exit $status: $output"
	[[ $output == *"<-  $OK235"* ]] || fail "no 235: $output"
	swaks_auth CRAM-MD5 badauth@example.com
	[ "$status" -eq 28 ] || fail "swaks exit $status, want 28: $output"
	[[ $output == *"<** $FAIL535"* ]] || fail "no 535: $output"
}

@test "swaks with a full message after AUTH" {
	run timeout 20 swaks --pipe "$BADSMTP_BIN 2>>$T/swaks.log" --ehlo client.example.com \
		--from a@example.com --to b@example.com --auth PLAIN --auth-user goodauth \
		--auth-password pw --timeout 10
	[ "$status" -eq 0 ] || fail "swaks exit $status: $output"
	[[ $output == *"<-  $ACCEPTED"* ]] || fail "message not accepted: $output"
}

# --- real clients: python smtplib ------------------------------------------------------------------

# smtplib_login EHLO_NAME USER [MODE]: smtplib.login() over a socketpair to a fresh session
# (MODE noir: initial_response_ok=False). Prints the advertised mechanisms, then the code and
# text of the final AUTH reply.
SMTPLIB_PY='
import smtplib, socket, subprocess, sys
binary, log, ehlo, user = sys.argv[1:5]
mode = sys.argv[5] if len(sys.argv) > 5 else ""
class Pair(smtplib.SMTP):
    def _get_socket(self, host, port, timeout):
        a, b = socket.socketpair()
        self.proc = subprocess.Popen([binary], stdin=b, stdout=b, stderr=open(log, "ab"))
        b.close()
        a.settimeout(timeout)
        return a
s = Pair(timeout=10)
s.connect("localhost", 25)
s.ehlo(ehlo)
mechs = s.esmtp_features.get("auth", "").split()
try:
    code, text = s.login(user, "Py-Secret-1", initial_response_ok=(mode != "noir"))
except smtplib.SMTPAuthenticationError as e:
    code, text = e.smtp_code, e.smtp_error
print(" ".join(mechs), code, text.decode())
s.quit()
sys.exit(s.proc.wait(10))
'

smtplib_login() {
	run timeout 20 /usr/bin/python3 -c "$SMTPLIB_PY" "$BADSMTP_BIN" "$T/py.log" "$@"
}

@test "python smtplib login(): CRAM-MD5 (its first choice), goodauth and badauth" {
	smtplib_login client.example.com goodauth@example.com
	[ "$status" -eq 0 ] && [[ $output == *" 235 Authentication successful" ]] || fail "$output"
	smtplib_login client.example.com badauth@example.com
	[ "$status" -eq 0 ] && [[ $output == *" 535 Authentication failed" ]] || fail "$output"
}

@test "python smtplib login(): PLAIN (authplain), goodauth and badauth" {
	smtplib_login authplain.example.com goodauth
	[ "$status" -eq 0 ] && [ "$output" = "PLAIN 235 Authentication successful" ] || fail "$output"
	smtplib_login authplain.example.com badauth
	[ "$status" -eq 0 ] && [ "$output" = "PLAIN 535 Authentication failed" ] || fail "$output"
}

@test "python smtplib login(): LOGIN (authlogin), with and without initial response" {
	smtplib_login authlogin.example.com goodauth
	[ "$status" -eq 0 ] && [ "$output" = "LOGIN 235 Authentication successful" ] || fail "$output"
	smtplib_login authlogin.example.com goodauth noir
	[ "$status" -eq 0 ] && [ "$output" = "LOGIN 235 Authentication successful" ] || fail "$output"
	smtplib_login authlogin.example.com badauth noir
	[ "$status" -eq 0 ] && [ "$output" = "LOGIN 535 Authentication failed" ] || fail "$output"
	! grep -F 'Py-Secret-1' "$T/py.log" || fail "password in the log"
}

# bats test_tags=tcp
@test "python smtplib login() over TCP (systemd-socket-activate --inetd)" {
	command -v systemd-socket-activate > /dev/null || skip "no systemd-socket-activate"
	local port pid i
	port=$((40000 + RANDOM % 20000))
	systemd-socket-activate --inetd -a -l "127.0.0.1:$port" "$BADSMTP_BIN" 2> "$T/ssa.log" &
	pid=$!
	for ((i = 0; i < 100; i++)); do
		/usr/bin/python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' \
			"$port" 2> /dev/null && break
		sleep 0.05
	done
	run timeout 20 /usr/bin/python3 - "$port" << 'EOF'
import smtplib, sys
out = []
for user in ("goodauth", "badauth"):
    s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), local_hostname="client.example.com", timeout=10)
    try:
        code, text = s.login(user, "pw")
    except smtplib.SMTPAuthenticationError as e:
        code, text = e.smtp_code, e.smtp_error
    s.quit()
    out.append(f"{user} {code} {text.decode()}")
print("; ".join(out))
EOF
	kill "$pid" 2> /dev/null || true
	wait "$pid" 2> /dev/null || true
	[ "$output" = "goodauth 235 Authentication successful; badauth 535 Authentication failed" ] ||
		fail "got: $output; server log: $(head -c 2000 "$T/ssa.log")"
}
