#!/usr/bin/env bats
# SPEC §12: Maildir storage.

load helpers

OK='250 OK'
E452='452 Requested action not taken: insufficient system storage'

setup() {
	common_setup
	MD=$T/md
}

# bats test_tags=smoke
@test "the stored file: Return-Path, X-BadSMTP-Rcpt-To, Received, then the message exactly" {
	smtp_input 'EHLO client.example' 'MAIL FROM:<sender@example.com>' 'RCPT TO:<a@example.org>' 'RCPT TO:<rcpt550@example.org>' \
		'RCPT TO:<b@example.net>' 'DATA' 'From: s@example.com' 'Subject: test' '' 'line 1' '..dot' '.'
	printf 'From: s@example.com\r\nSubject: test\r\n\r\nline 1\r\n.dot\r\n' > "$T/body"
	smtp_append 'QUIT'
	smtp_session --maildir "$MD"
	expect_status 0
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$OK" "$OK" '550 Requested action not taken: mailbox unavailable' "$OK" \
		"$GO_AHEAD" "$ACCEPTED" "$BYE"
	expect_maildir_count "$MD" 1
	expect_stored "$(maildir_files "$MD")" sender@example.com 'a@example.org, b@example.net' client.example ESMTP "$T/body"
}

@test "the null sender is stored as Return-Path: <>" {
	smtp_input 'EHLO c.example' 'MAIL FROM:<>' 'RCPT TO:<a@example.org>' 'DATA' 'x' '.' 'QUIT'
	printf 'x\r\n' > "$T/body"
	smtp_session --maildir "$MD"
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$OK" "$OK" "$GO_AHEAD" "$ACCEPTED" "$BYE"
	expect_stored "$(maildir_files "$MD")" '' a@example.org c.example ESMTP "$T/body"
}

@test "after HELO the Received line says SMTP" {
	smtp_input 'HELO helo.example' 'MAIL FROM:<s@example.com>' 'RCPT TO:<postmaster>' 'DATA' 'x' '.' 'QUIT'
	printf 'x\r\n' > "$T/body"
	smtp_session --maildir "$MD"
	expect_out "$G" '250 badsmtp.test' "$OK" "$OK" "$GO_AHEAD" "$ACCEPTED" "$BYE"
	expect_stored "$(maildir_files "$MD")" s@example.com postmaster helo.example SMTP "$T/body"
}

@test "--hostname appears in Received and in the file name" {
	smtp_input 'EHLO c' 'MAIL FROM:<s@example.com>' 'RCPT TO:<r@example.com>' 'DATA' 'x' '.' 'QUIT'
	printf 'x\r\n' > "$T/body"
	smtp_session --maildir "$MD" --hostname mx.example.org
	expect_status 0
	local f
	f=$(maildir_files "$MD")
	expect_stored "$f" s@example.com r@example.com c ESMTP "$T/body" mx.example.org
	[[ ${f##*/} =~ ^[0-9]+\.M[0-9]+P[0-9]+Q[0-9]+\.mx\.example\.org$ ]] || fail "file name ${f##*/}"
}

@test "addresses are stored as given (quoted local part, literal domain)" {
	smtp_input 'EHLO c' 'MAIL FROM:<"john doe"@example.com>' 'RCPT TO:<x@[192.0.2.1]>' 'DATA' 'x' '.' 'QUIT'
	printf 'x\r\n' > "$T/body"
	smtp_session --maildir "$MD"
	expect_status 0
	expect_stored "$(maildir_files "$MD")" '"john doe"@example.com' 'x@[192.0.2.1]' c ESMTP "$T/body"
}

@test "file name {seconds}.M{micro}P{pid}Q{n}.{hostname}; tmp/ empty; cur, new, tmp exist" {
	local t0 t1 name
	t0=$(date +%s)
	smtp_start --maildir "$MD"
	smtp_expect "$G"
	smtp_send 'HELO c' 'MAIL FROM:<s@example.com>' 'RCPT TO:<r@example.com>' 'DATA' 'x' '.'
	smtp_expect '250 badsmtp.test'
	smtp_expect "$OK"
	smtp_expect "$OK"
	smtp_expect "$GO_AHEAD"
	smtp_expect "$ACCEPTED"
	local pid=$SMTP_PID
	smtp_cmd QUIT "$BYE"
	smtp_wait
	t1=$(date +%s)
	expect_maildir_count "$MD" 1
	# Reading: "the directories" of a Maildir are cur, new and tmp.
	[ -d "$MD/cur" ] && [ -d "$MD/new" ] && [ -d "$MD/tmp" ] || fail "$(ls -la "$MD")"
	name=$(basename "$(maildir_files "$MD")")
	[[ $name =~ ^([0-9]+)\.M([0-9]+)P([0-9]+)Q([0-9]+)\.badsmtp\.test$ ]] || fail "file name $name"
	[ "${BASH_REMATCH[1]}" -ge "$t0" ] && [ "${BASH_REMATCH[1]}" -le "$t1" ] || fail "seconds ${BASH_REMATCH[1]} not in $t0..$t1"
	[ "$((10#${BASH_REMATCH[2]}))" -lt 1000000 ] || fail "microseconds ${BASH_REMATCH[2]}"
	[ "${BASH_REMATCH[3]}" = "$pid" ] || fail "pid in name ${BASH_REMATCH[3]}, session pid $pid"
}

@test "two messages in one session get two distinct files" {
	smtp_input 'EHLO c' 'MAIL FROM:<s@example.com>' 'RCPT TO:<r@example.com>' 'DATA' 'one' '.' \
		'MAIL FROM:<s@example.com>' 'RCPT TO:<r@example.com>' 'DATA' 'two' '.' 'QUIT'
	smtp_session --maildir "$MD"
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$OK" "$OK" "$GO_AHEAD" "$ACCEPTED" "$OK" "$OK" "$GO_AHEAD" "$ACCEPTED" "$BYE"
	expect_maildir_count "$MD" 2
	local n1 n2
	n1=$(grep -l '^one' "$MD"/new/*)
	n2=$(grep -l '^two' "$MD"/new/*)
	[ -n "$n1" ] && [ -n "$n2" ] && [ "$n1" != "$n2" ]
	[[ ${n1##*/} =~ Q[0-9]+\.badsmtp\.test$ ]] && [[ ${n2##*/} =~ Q[0-9]+\.badsmtp\.test$ ]]
	printf 'one\r\n' > "$T/one"
	printf 'two\r\n' > "$T/two"
	expect_stored "$n1" s@example.com r@example.com c ESMTP "$T/one"
	expect_stored "$n2" s@example.com r@example.com c ESMTP "$T/two"
}

@test "files are created in an existing Maildir" {
	mkdir -p "$MD/cur" "$MD/new" "$MD/tmp"
	touch "$MD/new/old-message"
	smtp_input 'EHLO c' 'MAIL FROM:<s@example.com>' 'RCPT TO:<r@example.com>' 'DATA' 'x' '.' 'QUIT'
	smtp_session --maildir "$MD"
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$OK" "$OK" "$GO_AHEAD" "$ACCEPTED" "$BYE"
	expect_maildir_count "$MD" 2
	[ -e "$MD/new/old-message" ]
}

@test "BADSMTP_MAILDIR turns storage on" {
	smtp_input 'EHLO c' 'MAIL FROM:<s@example.com>' 'RCPT TO:<r@example.com>' 'DATA' 'x' '.' 'QUIT'
	BADSMTP_MAILDIR=$MD smtp_session
	expect_status 0
	expect_maildir_count "$MD" 1
}

@test "--maildir wins over BADSMTP_MAILDIR" {
	smtp_input 'EHLO c' 'MAIL FROM:<s@example.com>' 'RCPT TO:<r@example.com>' 'DATA' 'x' '.' 'QUIT'
	BADSMTP_MAILDIR=$T/envmd smtp_session --maildir "$MD"
	expect_status 0
	expect_maildir_count "$MD" 1
	expect_no_mail "$T/envmd"
}

@test "--maildir under missing parents: made 0700 like mkdir -p, existing ones kept, message stored" {
	mkdir "$T/x"
	chmod 0751 "$T/x"
	MD=$T/x/deep/er/Maildir
	smtp_input 'EHLO c.example' 'MAIL FROM:<s@example.com>' 'RCPT TO:<r@example.com>' 'DATA' 'Subject: deep' '' 'body' '.' 'QUIT'
	printf 'Subject: deep\r\n\r\nbody\r\n' > "$T/body"
	smtp_session --maildir "$MD"
	expect_status 0
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$OK" "$OK" "$GO_AHEAD" "$ACCEPTED" "$BYE"
	expect_maildir_count "$MD" 1
	expect_stored "$(maildir_files "$MD")" s@example.com r@example.com c.example ESMTP "$T/body"
	local d
	for d in "$T/x/deep" "$T/x/deep/er" "$MD" "$MD/new" "$MD/tmp" "$MD/cur"; do
		[ "$(stat -c %a "$d")" = 700 ] || fail "$d: mode $(stat -c %a "$d"), want 700"
	done
	[ "$(stat -c %a "$T/x")" = 751 ] || fail "$T/x: mode $(stat -c %a "$T/x"), want 751 as it was"
}

# --- storage failure -------------------------------------------------------------------------

@test "a Maildir that cannot be created: 452 after the body, the session goes on" {
	: > "$T/file"
	smtp_input 'EHLO c' 'MAIL FROM:<s@example.com>' 'RCPT TO:<r@example.com>' 'DATA' 'x' '.' 'NOOP' 'QUIT'
	smtp_session --maildir "$T/file/md"
	expect_status 0
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$OK" "$OK" "$GO_AHEAD" "$E452" "$OK" "$BYE"
	[ ! -s "$T/file" ]
}

@test "--maildir under a parent that is a file: 452, nothing made, the session goes on" {
	mkdir "$T/x"
	: > "$T/x/file"
	smtp_input 'EHLO c' 'MAIL FROM:<s@example.com>' 'RCPT TO:<r@example.com>' 'DATA' 'x' '.' 'NOOP' 'QUIT'
	smtp_session --maildir "$T/x/file/deep/er/Maildir"
	expect_status 0
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$OK" "$OK" "$GO_AHEAD" "$E452" "$OK" "$BYE"
	[ "$(find "$T/x" | sort | tr '\n' ' ')" = "$T/x $T/x/file " ] || fail "left behind: $(find "$T/x")"
	[ ! -s "$T/x/file" ] || fail "the file was written to"
}

@test "--maildir naming a regular file: 452" {
	: > "$T/file"
	smtp_input 'EHLO c' 'MAIL FROM:<s@example.com>' 'RCPT TO:<r@example.com>' 'DATA' 'x' '.' 'QUIT'
	smtp_session --maildir "$T/file"
	expect_status 0
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$OK" "$OK" "$GO_AHEAD" "$E452" "$BYE"
	[ ! -s "$T/file" ]
}

@test "new/ unusable: 452 and nothing left in tmp/" {
	mkdir -p "$MD/cur" "$MD/tmp"
	: > "$MD/new" # a regular file where new/ should be: the rename fails even for root
	smtp_input 'EHLO c' 'MAIL FROM:<s@example.com>' 'RCPT TO:<r@example.com>' 'DATA' 'x' '.' 'NOOP' 'QUIT'
	smtp_session --maildir "$MD"
	expect_status 0
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$OK" "$OK" "$GO_AHEAD" "$E452" "$OK" "$BYE"
	[ -z "$(ls -A "$MD/tmp")" ] || fail "tmp/ not empty: $(ls -la "$MD/tmp")"
	[ -f "$MD/new" ] && [ ! -s "$MD/new" ]
}

@test "a storage failure is followed by a working transaction" {
	: > "$T/file"
	smtp_input 'EHLO c' 'MAIL FROM:<s@example.com>' 'RCPT TO:<r@example.com>' 'DATA' 'x' '.' \
		'MAIL FROM:<s@example.com>' 'RCPT TO:<r@example.com>' 'DATA' 'y' '.' 'QUIT'
	smtp_session --maildir "$T/file/md"
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$OK" "$OK" "$GO_AHEAD" "$E452" "$OK" "$OK" "$GO_AHEAD" "$E452" "$BYE"
}

# --- nothing stored ----------------------------------------------------------------------------

@test "client vanishing mid-DATA: nothing stored, exit 0" {
	smtp_input 'EHLO c' 'MAIL FROM:<s@example.com>' 'RCPT TO:<r@example.com>' 'DATA' 'Subject: half' '' 'the body stops here'
	smtp_append_raw 'no end of line'
	smtp_session --maildir "$MD"
	expect_status 0
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$OK" "$OK" "$GO_AHEAD"
	expect_no_mail "$MD"
}

@test "client vanishing after CRLF. (no final CRLF): nothing stored" {
	smtp_input 'EHLO c' 'MAIL FROM:<s@example.com>' 'RCPT TO:<r@example.com>' 'DATA' 'body'
	smtp_append_raw '.'
	smtp_session --maildir "$MD"
	expect_status 0
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$OK" "$OK" "$GO_AHEAD"
	expect_no_mail "$MD"
}

@test "RSET and a data trigger store nothing" {
	smtp_input 'EHLO c' 'MAIL FROM:<s@example.com>' 'RCPT TO:<r@example.com>' 'RSET' \
		'MAIL FROM:<data554@example.com>' 'RCPT TO:<r@example.com>' 'DATA' 'QUIT'
	smtp_session --maildir "$MD"
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$OK" "$OK" "$OK" "$OK" "$OK" '554 Transaction failed' "$BYE"
	expect_no_mail "$MD"
}

@test "a large message is stored exactly" {
	make_body 3000000 "$T/body"
	smtp_input 'EHLO big.example' 'MAIL FROM:<s@example.com>' 'RCPT TO:<r@example.com>' 'DATA'
	smtp_append_file "$T/body"
	smtp_append '.' 'QUIT'
	smtp_session --maildir "$MD"
	expect_out "$G" "${EHLO_DEFAULT[@]}" "$OK" "$OK" "$GO_AHEAD" "$ACCEPTED" "$BYE"
	expect_maildir_count "$MD" 1
	expect_stored "$(maildir_files "$MD")" s@example.com r@example.com big.example ESMTP "$T/body"
}

@test "the 250 comes only once the file is in new/" {
	smtp_start --maildir "$MD"
	smtp_expect "$G"
	smtp_send 'EHLO c' 'MAIL FROM:<s@example.com>' 'RCPT TO:<r@example.com>' 'DATA' 'x' '.'
	smtp_expect "${EHLO_DEFAULT[@]}"
	smtp_expect "$OK"
	smtp_expect "$OK"
	smtp_expect "$GO_AHEAD"
	smtp_expect "$ACCEPTED"
	# the process is still running: the file must already be there
	kill -0 "$SMTP_PID"
	expect_maildir_count "$MD" 1
	smtp_cmd QUIT "$BYE"
	smtp_wait
}
