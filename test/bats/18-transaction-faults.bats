#!/usr/bin/env bats
# SPEC §18 over pipes, row by row, pipelined and lock-step: {verb}wait{N}, {verb}drop,
# datadrop{K}, datalost, dataend{code}, data{code}at{K}, {verb}{code}x{N} (counted across
# sessions and processes), grey{S} (greylisting on a scaled clock), the AUTH username's
# triggers, their behaviour events; numbers out of range are ordinary addresses; the state
# directory: its defaults, its mode, and the 451 4.3.0 when it is unusable. TCP (segments,
# client IPs, concurrent connections): integration/shaping.bats.

load helpers

setup() {
	common_setup
	ST=$T/state
	MD=$T/md
}

E451='451 4.3.0 Requested action aborted: local error in processing'

# faults LINE...: a session with EHLO first, the state dir and Maildir of this test.
faults() {
	smtp_input 'EHLO client.example' "$@"
	smtp_session --state-dir "$ST" --maildir "$MD"
}

# behaviours: the "SMTP behaviour triggered" events, as "name delay [extra fields]" lines.
behaviours() {
	log_check "
for e in by('SMTP behaviour triggered'):
    f = e['fields']
    extra = ' '.join('%s=%s' % (k, f[k]) for k in ('attempt', 'of', 'retry_after_seconds') if k in f)
    print(f['behaviour'], f['delay_seconds'], extra)"
}

# expect_behaviours LINE...: exactly these behaviour events, in order.
expect_behaviours() {
	local got want
	got=$(behaviours | sed 's/ *$//')
	printf -v want '%s\n' "$@"
	[ "$got"$'\n' = "$want" ] || fail "behaviour events: got" "$got" "want" "$want"
}

# ---- {verb}wait{N} ---------------------------------------------------------------------------

# bats test_tags=timing
@test "{verb}wait{N}: the normal reply, N seconds (scaled) later, for every verb" {
	local v input want
	want_ehlo
	for v in mail rcpt data bdat rset noop quit auth; do
		case $v in
		mail) input=('MAIL FROM:<mailwait40@example.com>' 'QUIT')
			want=('250 OK' "$BYE") ;;
		rcpt) input=('MAIL FROM:<a@example.com>' 'RCPT TO:<rcptwait40@example.com>' 'QUIT')
			want=('250 OK' '250 OK' "$BYE") ;;
		data) input=('MAIL FROM:<datawait40@example.com>' 'RCPT TO:<b@example.com>' 'DATA' 'hi' '.' 'QUIT')
			want=('250 OK' '250 OK' "$GO_AHEAD" "$ACCEPTED" "$BYE") ;;
		bdat) input=('MAIL FROM:<bdatwait40@example.com>' 'RCPT TO:<b@example.com>' 'BDAT 4 LAST' 'hi' 'QUIT')
			want=('250 OK' '250 OK' "$ACCEPTED" "$BYE") ;;
		rset) input=('MAIL FROM:<rsetwait40@example.com>' 'RSET' 'QUIT')
			want=('250 OK' '250 OK' "$BYE") ;;
		noop) input=('MAIL FROM:<noopwait40@example.com>' 'NOOP' 'QUIT')
			want=('250 OK' '250 OK' "$BYE") ;;
		quit) input=('MAIL FROM:<quitwait40@example.com>' 'QUIT')
			want=('250 OK' "$BYE") ;;
		auth) input=('MAIL FROM:<authwait40@example.com>' 'RSET' 'AUTH PLAIN AHUAcA==' 'QUIT')
			want=('250 OK' '250 OK' '235 Authentication successful' "$BYE") ;;
		esac
		faults "${input[@]}"
		expect_status 0
		expect_out "$G" "${WANT[@]}" "${want[@]}" || fail "verb $v"
		between "${v}wait40 at scale 0.01" "$SMTP_ELAPSED_MS" 390 5000
		expect_behaviours 'wait 40' || fail "verb $v"
	done
	expect_maildir_count "$MD" 2
}

# bats test_tags=timing
@test "datawait{N}, lock-step: 354 at once, the 250 after the final dot comes N seconds later" {
	smtp_start --maildir "$MD"
	smtp_expect "$G"
	want_ehlo
	smtp_cmd 'EHLO x' "${WANT[@]}"
	smtp_cmd 'MAIL FROM:<datawait60@example.com>' '250 OK'
	smtp_cmd 'RCPT TO:<b@example.com>' '250 OK'
	local t0=$REPLY_AT_MS
	smtp_cmd 'DATA' "$GO_AHEAD"
	between "the 354" $((REPLY_AT_MS - t0)) 0 400
	t0=$REPLY_AT_MS
	smtp_send 'hi' '.'
	smtp_recv 5
	[ "${REPLY_LINES[*]}" = "$ACCEPTED" ] || fail "got ${REPLY_LINES[*]}"
	between "the 250 after the dot" $((REPLY_AT_MS - t0)) 590 5000
	smtp_cmd 'QUIT' "$BYE"
	smtp_wait
	expect_maildir_count "$MD" 1
}

# bats test_tags=timing
@test "{verb}wait{N}, pipelined: the replies before the wait are written before it (SPEC §10)" {
	smtp_start
	smtp_expect "$G"
	smtp_send 'EHLO x'
	smtp_recv 5
	smtp_send 'MAIL FROM:<a@example.com>' 'RCPT TO:<b@example.com>' 'RCPT TO:<rcptwait100@example.com>'
	local t0=$REPLY_AT_MS
	smtp_expect '250 OK'
	smtp_expect '250 OK'
	between "the replies before the wait" $((REPLY_AT_MS - t0)) 0 600
	smtp_expect '250 OK'
	between "the waited reply" $((REPLY_AT_MS - t0)) 990 6000
	smtp_cmd 'QUIT' "$BYE"
	smtp_wait
}

# ---- {verb}drop ------------------------------------------------------------------------------

@test "{verb}drop: the server closes without replying to that command, exit 1, for every verb" {
	local v input want
	want_ehlo
	for v in mail rcpt data bdat rset noop quit starttls auth; do
		case $v in
		mail) input=('MAIL FROM:<maildrop@example.com>' 'NOOP'); want=() ;;
		rcpt) input=('MAIL FROM:<a@example.com>' 'RCPT TO:<b@example.com>' 'RCPT TO:<rcptdrop@example.com>' 'NOOP')
			want=('250 OK' '250 OK') ;;
		data) input=('MAIL FROM:<datadrop@example.com>' 'RCPT TO:<b@example.com>' 'DATA' 'the whole body' '.' 'NOOP')
			want=('250 OK' '250 OK' "$GO_AHEAD") ;;
		bdat) input=('MAIL FROM:<bdatdrop@example.com>' 'RCPT TO:<b@example.com>' 'BDAT 5' 'hel' 'NOOP')
			want=('250 OK' '250 OK') ;;
		rset) input=('MAIL FROM:<rsetdrop@example.com>' 'RSET' 'NOOP'); want=('250 OK') ;;
		noop) input=('MAIL FROM:<noopdrop@example.com>' 'NOOP' 'RSET'); want=('250 OK') ;;
		quit) input=('MAIL FROM:<quitdrop@example.com>' 'QUIT'); want=('250 OK') ;;
		starttls) input=('MAIL FROM:<starttlsdrop@example.com>' 'RSET' 'STARTTLS' 'NOOP')
			want=('250 OK' '250 OK') ;;
		auth) input=('MAIL FROM:<authdrop@example.com>' 'RSET' 'AUTH PLAIN AHUAcA==' 'NOOP')
			want=('250 OK' '250 OK') ;;
		esac
		faults "${input[@]}"
		expect_status 1 || fail "verb $v"
		expect_out "$G" "${WANT[@]}" "${want[@]}" || fail "verb $v"
		expect_behaviours 'drop 0' || fail "verb $v"
	done
	expect_no_mail "$MD"
}

@test "datadrop after BDAT LAST: the chunk read, nothing stored, no reply, exit 1" {
	faults 'MAIL FROM:<datadrop@example.com>' 'RCPT TO:<b@example.com>' 'BDAT 2' 'abBDAT 1 LAST' 'x' 'NOOP'
	expect_status 1
	want_ehlo
	expect_out "$G" "${WANT[@]}" '250 OK' '250 OK' '250 OK'
	expect_no_mail "$MD"
}

@test "maildrop, lock-step: the client reads EOF instead of a reply" {
	smtp_start
	smtp_expect "$G"
	smtp_send 'MAIL FROM:<maildrop@example.com>'
	smtp_expect '503 Bad sequence - MAIL not allowed in HELO state'
	want_ehlo
	smtp_cmd 'EHLO x' "${WANT[@]}"
	smtp_send 'MAIL FROM:<maildrop@example.com>'
	smtp_expect_eof
	smtp_wait
	expect_status 1
}

# ---- datadrop{K} -----------------------------------------------------------------------------

@test "datadrop{K}: after K octets of the body as received (dot-stuffed), nothing stored, exit 1" {
	local k
	want_ehlo
	for k in 1 5 12 13 20; do
		# 23 octets as received: "..a\r\n" is 5, "0123456789\r\n" 12, "x\r\n" 3, ".\r\n" 3
		faults "MAIL FROM:<datadrop$k@example.com>" 'RCPT TO:<b@example.com>' 'DATA' '..a' '0123456789' 'x' '.' 'NOOP'
		expect_status 1 || fail "K=$k"
		expect_out "$G" "${WANT[@]}" '250 OK' '250 OK' "$GO_AHEAD" || fail "K=$k"
		log_check "f = fields('SMTP behaviour triggered'); assert f['behaviour'] == 'data_drop', f" || fail "K=$k"
	done
	expect_no_mail "$MD"
}

@test "datadrop{K}, lock-step: the connection stays open up to octet K-1 and closes at octet K" {
	smtp_start --maildir "$MD"
	smtp_expect "$G"
	want_ehlo
	smtp_cmd 'EHLO x' "${WANT[@]}"
	smtp_cmd 'MAIL FROM:<datadrop10@example.com>' '250 OK'
	smtp_cmd 'RCPT TO:<b@example.com>' '250 OK'
	smtp_cmd 'DATA' "$GO_AHEAD"
	smtp_send_raw 'abcdefghi'
	smtp_expect_silence 0.3
	kill -0 "$SMTP_PID" || fail "closed before the 10th octet"
	smtp_send_raw 'j'
	smtp_expect_eof
	smtp_wait
	expect_status 1
	expect_no_mail "$MD"
}

@test "datadrop{K} on a body shorter than K: dropped at its end, no reply, nothing stored" {
	faults 'MAIL FROM:<datadrop1000@example.com>' 'RCPT TO:<b@example.com>' 'DATA' 'short' '.' 'NOOP'
	expect_status 1
	want_ehlo
	expect_out "$G" "${WANT[@]}" '250 OK' '250 OK' "$GO_AHEAD"
	expect_no_mail "$MD"
}

@test "datadrop{K} counts BDAT chunk octets across chunks, the same way" {
	want_ehlo
	faults 'MAIL FROM:<datadrop7@example.com>' 'RCPT TO:<b@example.com>' 'BDAT 5' 'abcdeBDAT 5 LAST' 'fghij' 'NOOP'
	expect_status 1
	expect_out "$G" "${WANT[@]}" '250 OK' '250 OK' '250 OK'
	faults 'MAIL FROM:<datadrop100@example.com>' 'RCPT TO:<b@example.com>' 'BDAT 5' 'abcdeBDAT 5 LAST' 'fghij' 'NOOP'
	expect_status 1
	expect_out "$G" "${WANT[@]}" '250 OK' '250 OK' '250 OK'
	expect_no_mail "$MD"
}

# ---- datalost --------------------------------------------------------------------------------

@test "datalost: the message is complete in new/, the client gets no 250 but EOF, exit 1" {
	faults 'MAIL FROM:<datalost@example.com>' 'RCPT TO:<b@example.com>' 'DATA' 'Subject: lost' '' '..dot' '.' 'QUIT'
	expect_status 1
	want_ehlo
	expect_out "$G" "${WANT[@]}" '250 OK' '250 OK' "$GO_AHEAD"
	expect_maildir_count "$MD" 1
	printf 'Subject: lost\r\n\r\n.dot\r\n' > "$T/body"
	expect_stored "$(maildir_files "$MD")" datalost@example.com b@example.com client.example ESMTP "$T/body"
	expect_behaviours 'data_lost 0'
	log_check "assert len(by('SMTP message stored successfully')) == 1"
}

@test "datalost after BDAT LAST, lock-step: stored, then EOF" {
	smtp_start --maildir "$MD"
	smtp_expect "$G"
	want_ehlo
	smtp_cmd 'EHLO x' "${WANT[@]}"
	smtp_cmd 'MAIL FROM:<datalost@example.com>' '250 OK'
	smtp_cmd 'RCPT TO:<b@example.com>' '250 OK'
	smtp_send 'BDAT 6'
	smtp_send_raw 'chunk1'
	smtp_expect '250 OK'
	smtp_send 'BDAT 6 LAST'
	smtp_send_raw 'chunk2'
	smtp_expect_eof
	smtp_wait
	expect_status 1
	expect_maildir_count "$MD" 1
	printf 'chunk1chunk2' > "$T/body"
	expect_stored "$(maildir_files "$MD")" datalost@example.com b@example.com x ESMTP "$T/body"
}

# ---- dataend{code} ---------------------------------------------------------------------------

@test "dataend{code}: the whole body read, nothing stored, the reply instead of the 250, state MAIL after" {
	faults 'MAIL FROM:<dataend554_5.7.1@example.com>' 'RCPT TO:<b@example.com>' 'DATA' 'spam' '.' \
		'RCPT TO:<c@example.com>' 'MAIL FROM:<a@example.com>' 'RCPT TO:<b@example.com>' 'DATA' 'ham' '.' 'QUIT'
	expect_status 0
	want_ehlo
	expect_out "$G" "${WANT[@]}" '250 OK' '250 OK' "$GO_AHEAD" '554 5.7.1 Transaction failed' \
		'503 Bad sequence - RCPT not allowed in MAIL state' '250 OK' '250 OK' "$GO_AHEAD" "$ACCEPTED" "$BYE"
	expect_maildir_count "$MD" 1
	log_check "f = fields('SMTP error simulation triggered'); assert f['trigger'] == 'dataend554_5.7.1' and f['smtp_stage'] == 'DATA', f"
}

@test "dataend{code} stays armed for the next message; without enhanced codes no x.y.z; 421 closes" {
	smtp_input 'EHLO noenhancedstatuscodes.example' 'MAIL FROM:<dataend550_5.7.1@example.com>' 'RCPT TO:<b@example.com>' \
		'DATA' 'one' '.' 'RCPT TO:<b@example.com>' 'MAIL FROM:<dataend421@example.com>' 'RCPT TO:<b@example.com>' \
		'DATA' 'two' '.' 'QUIT'
	smtp_session --maildir "$MD"
	expect_status 1
	want_ehlo enhanced=none
	expect_out "$G" "${WANT[@]}" '250 OK' '250 OK' "$GO_AHEAD" '550 Requested action not taken: mailbox unavailable' \
		'503 Bad sequence - RCPT not allowed in MAIL state' '250 OK' '250 OK' "$GO_AHEAD" \
		'421 Service not available, closing transmission channel'
	expect_no_mail "$MD"
}

@test "dataend{code} with BDAT: after the LAST chunk, like data{code}" {
	faults 'MAIL FROM:<dataend552@example.com>' 'RCPT TO:<b@example.com>' 'BDAT 3' 'abcBDAT 2 LAST' 'de' 'NOOP' 'QUIT'
	expect_status 0
	want_ehlo
	expect_out "$G" "${WANT[@]}" '250 OK' '250 OK' '250 OK' \
		'552 Requested mail action aborted: exceeded storage allocation' '250 OK' "$BYE"
	expect_no_mail "$MD"
}

# ---- data{code}at{K} -------------------------------------------------------------------------

@test "data{code}at{K}, lock-step: the reply as soon as octet K arrives, before the end, then close" {
	smtp_start --maildir "$MD"
	smtp_expect "$G"
	want_ehlo
	smtp_cmd 'EHLO x' "${WANT[@]}"
	smtp_cmd 'MAIL FROM:<data552at8_5.3.4@example.com>' '250 OK'
	smtp_cmd 'RCPT TO:<b@example.com>' '250 OK'
	smtp_cmd 'DATA' "$GO_AHEAD"
	smtp_send_raw 'abcdefg'
	smtp_expect_silence 0.3
	smtp_send_raw 'h'
	smtp_expect '552 5.3.4 Requested mail action aborted: exceeded storage allocation'
	smtp_expect_eof
	smtp_wait
	expect_status 1
	expect_no_mail "$MD"
}

@test "data{code}at{K}, pipelined, DATA and BDAT; a body shorter than K gets the reply at its end" {
	want_ehlo
	faults 'MAIL FROM:<data554at3@example.com>' 'RCPT TO:<b@example.com>' 'DATA' 'long enough' '.' 'QUIT'
	expect_status 1
	expect_out "$G" "${WANT[@]}" '250 OK' '250 OK' "$GO_AHEAD" '554 Transaction failed'
	faults 'MAIL FROM:<data554at7@example.com>' 'RCPT TO:<b@example.com>' 'BDAT 4' 'abcdBDAT 4 LAST' 'efgh' 'QUIT'
	expect_status 1
	expect_out "$G" "${WANT[@]}" '250 OK' '250 OK' '250 OK' '554 Transaction failed'
	faults 'MAIL FROM:<data451at500@example.com>' 'RCPT TO:<b@example.com>' 'DATA' 'short' '.' 'QUIT'
	expect_status 1
	expect_out "$G" "${WANT[@]}" '250 OK' '250 OK' "$GO_AHEAD" \
		'451 Requested action aborted: local error in processing'
	expect_no_mail "$MD"
}

# ---- {verb}{code}x{N} --------------------------------------------------------------------------

@test "rcpt451x3: the first 3 times across sessions 451, then an ordinary recipient; attempt and of logged" {
	local i want=(451 451 451 250 250)
	want_ehlo
	for i in 0 1 2 3 4; do
		faults 'MAIL FROM:<a@example.com>' 'RCPT TO:<rcpt451x3@t1.example>' 'QUIT'
		expect_status 0
		case ${want[i]} in
		451) expect_out "$G" "${WANT[@]}" '250 OK' "${E451/4.3.0 /}" "$BYE"
			expect_behaviours "fail_n 0 attempt=$((i + 1)) of=3" ;;
		250) expect_out "$G" "${WANT[@]}" '250 OK' '250 OK' "$BYE"
			expect_behaviours ;;
		esac
	done
}

@test "fail-N counts each firing, per verb and whole address, case-insensitively; x.y.z kept or dropped" {
	faults 'MAIL FROM:<a@example.com>' 'RCPT TO:<RCPT450x2_4.2.0@T2.example>' 'RCPT TO:<rcpt450x2_4.2.0@t2.example>' \
		'RCPT TO:<rcpt450x2_4.2.0@t2.example>' 'RCPT TO:<rcpt450x2_4.2.0@other.example>' 'QUIT'
	want_ehlo
	local e='450 4.2.0 Requested mail action not taken: mailbox unavailable'
	expect_out "$G" "${WANT[@]}" '250 OK' "$e" "$e" '250 OK' "$e" "$BYE"
	smtp_input 'EHLO noenhancedstatuscodes.example' 'MAIL FROM:<a@example.com>' 'RCPT TO:<rcpt450x2_4.2.0@t3.example>' 'QUIT'
	smtp_session --state-dir "$ST"
	want_ehlo enhanced=none
	expect_out "$G" "${WANT[@]}" '250 OK' '450 Requested mail action not taken: mailbox unavailable' "$BYE"
}

@test "fail-N for the verbs a MAIL FROM arms: data, bdat, rset, noop, mail, auth, dataend" {
	want_ehlo
	local e451='451 Requested action aborted: local error in processing' e421='421 Service not available, closing transmission channel'
	faults 'MAIL FROM:<data451x1@t4.example>' 'RCPT TO:<b@example.com>' 'DATA' 'RCPT TO:<b@example.com>' 'DATA' 'x' '.' \
		'MAIL FROM:<bdat451x1@t4.example>' 'RCPT TO:<b@example.com>' 'BDAT 1 LAST' 'yMAIL FROM:<rset451x1@t4.example>' \
		'RSET' 'RSET' 'MAIL FROM:<noop450x1@t4.example>' 'NOOP' 'NOOP' 'RSET' 'MAIL FROM:<mail451x1@t4.example>' \
		'MAIL FROM:<mail451x1@t4.example>' 'RSET' 'MAIL FROM:<auth454x1@t4.example>' 'RSET' 'AUTH PLAIN AHUAcA==' \
		'AUTH PLAIN AHUAcA==' 'QUIT'
	expect_status 0
	expect_out "$G" "${WANT[@]}" '250 OK' '250 OK' "$e451" '250 OK' "$GO_AHEAD" "$ACCEPTED" \
		'250 OK' '250 OK' "$e451" '250 OK' "$e451" '250 OK' \
		'250 OK' '450 Requested mail action not taken: mailbox unavailable' '250 OK' '250 OK' "$e451" \
		'250 OK' '250 OK' '250 OK' '250 OK' '454 TLS not available due to temporary reason' \
		'235 Authentication successful' "$BYE"
	faults 'MAIL FROM:<dataend451x2@t4.example>' 'RCPT TO:<b@example.com>' 'DATA' 'one' '.' \
		'RCPT TO:<b@example.com>' 'MAIL FROM:<dataend451x2@t4.example>' 'RCPT TO:<b@example.com>' 'DATA' 'two' '.' \
		'MAIL FROM:<dataend451x2@t4.example>' 'RCPT TO:<b@example.com>' 'DATA' 'three' '.' 'QUIT'
	expect_out "$G" "${WANT[@]}" '250 OK' '250 OK' "$GO_AHEAD" "$e451" \
		'503 Bad sequence - RCPT not allowed in MAIL state' '250 OK' '250 OK' "$GO_AHEAD" "$e451" \
		'250 OK' '250 OK' "$GO_AHEAD" "$ACCEPTED" "$BYE"
	expect_maildir_count "$MD" 2
	faults 'MAIL FROM:<quit421x1@t4.example>' 'QUIT'
	expect_status 1
	expect_out "$G" "${WANT[@]}" '250 OK' "$e421"
	faults 'MAIL FROM:<quit421x1@t4.example>' 'QUIT'
	expect_status 0
	expect_out "$G" "${WANT[@]}" '250 OK' "$BYE"
}

@test "rcpt451x3 from 20 processes at once: exactly 3 get 451" {
	local i n451=0 n250=0
	want_ehlo
	printf '%s\r\n' "$G" "${WANT[@]}" '250 OK' "${E451/4.3.0 /}" "$BYE" > "$T/want.451"
	printf '%s\r\n' "$G" "${WANT[@]}" '250 OK' '250 OK' "$BYE" > "$T/want.250"
	for i in $(seq 20); do
		printf 'EHLO c%d.example\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<rcpt451x3@t5.example>\r\nQUIT\r\n' "$i" |
			timeout 20 "$BADSMTP_BIN" --state-dir "$ST" > "$T/out.$i" 2> "$T/err.$i" &
	done
	wait
	for i in $(seq 20); do
		if cmp -s "$T/out.$i" "$T/want.451"; then
			n451=$((n451 + 1))
		elif cmp -s "$T/out.$i" "$T/want.250"; then
			n250=$((n250 + 1))
		fi
	done
	[ "$n451" -eq 3 ] && [ "$n250" -eq 17 ] || fail "451: $n451, 250: $n250"
	cat "$T"/err.* > "$T/all.log"
	log_check "assert sorted(e['fields']['attempt'] for e in by('SMTP behaviour triggered')) == [1, 2, 3]" "$T/all.log"
}

@test "rcpt451x100 from 20 processes at once, 20 RCPTs each: exactly 100 of the 400 get 451" {
	local i rcpts
	printf -v rcpts 'RCPT TO:<rcpt451x100@t13.example>\r\n%.0s' $(seq 20)
	for i in $(seq 20); do
		printf 'EHLO c%d.example\r\nMAIL FROM:<a@example.com>\r\n%sQUIT\r\n' "$i" "$rcpts" |
			timeout 20 "$BADSMTP_BIN" --state-dir "$ST" > "$T/out.$i" 2> /dev/null &
	done
	wait
	local n451 n250
	n451=$(cat "$T"/out.* | grep -cxF "${E451/4.3.0 /}"$'\r')
	n250=$(cat "$T"/out.* | grep -cxF $'250 OK\r')   # EHLO's last line and MAIL, 20 times; 300 RCPTs
	[ "$n451" -eq 100 ] && [ "$n250" -eq $((20 * 2 + 300)) ] || fail "451: $n451, 250: $n250"
}

# ---- grey{S} ---------------------------------------------------------------------------------

@test "grey{S}: 450 for the first attempt and until S (scaled) after it, then 250; a triplet each" {
	local g='450 4.7.1 Greylisted, please try again in 100 seconds'
	want_ehlo
	faults 'MAIL FROM:<a@example.com>' 'RCPT TO:<grey100@t6.example>' 'DATA' 'QUIT'
	expect_out "$G" "${WANT[@]}" '250 OK' "$g" '554 No valid recipients' "$BYE"
	expect_behaviours 'greylist 0 retry_after_seconds=100'
	faults 'MAIL FROM:<a@example.com>' 'RCPT TO:<grey100@t6.example>' 'QUIT'
	expect_out "$G" "${WANT[@]}" '250 OK' "$g" "$BYE"
	log_check "r = fields('SMTP behaviour triggered')['retry_after_seconds']; assert 0 < r < 100, r"
	# another sender: its own triplet, first seen now
	faults 'MAIL FROM:<other@example.com>' 'RCPT TO:<grey100@t6.example>' 'QUIT'
	expect_out "$G" "${WANT[@]}" '250 OK' "$g" "$BYE"
	expect_behaviours 'greylist 0 retry_after_seconds=100'
	sleep 1.1
	faults 'MAIL FROM:<A@Example.com>' 'RCPT TO:<grey100@t6.example>' 'DATA' 'x' '.' 'QUIT'
	expect_out "$G" "${WANT[@]}" '250 OK' '250 OK' "$GO_AHEAD" "$ACCEPTED" "$BYE"
	expect_behaviours
	# and it stays accepted
	faults 'MAIL FROM:<a@example.com>' 'RCPT TO:<grey100@t6.example>' 'QUIT'
	expect_out "$G" "${WANT[@]}" '250 OK' '250 OK' "$BYE"
}

@test "grey{S} without enhanced codes; as a MAIL FROM it is an ordinary address" {
	smtp_input 'EHLO noenhancedstatuscodes.example' 'MAIL FROM:<grey60@example.com>' 'RCPT TO:<grey60@t7.example>' 'QUIT'
	smtp_session --state-dir "$ST"
	want_ehlo enhanced=none
	expect_out "$G" "${WANT[@]}" '250 OK' '450 Greylisted, please try again in 60 seconds' "$BYE"
}

# ---- the AUTH username -----------------------------------------------------------------------

@test "AUTH username auth{code}: the exchange kept, its 235 replaced, for every mechanism" {
	local cram
	# PLAIN initial response; LOGIN asks for the password; XOAUTH2 user=; CRAM "user digest"
	cram=$(printf 'auth535_5.7.8@x 0123456789abcdef0123456789abcdef' | base64 -w0)
	faults "AUTH PLAIN $(printf '\0auth454_4.7.0@example.com\0pw' | base64 -w0)" \
		'AUTH LOGIN' "$(printf 'auth535' | base64 -w0)" "$(printf 'pw' | base64 -w0)" \
		"AUTH XOAUTH2 $(printf 'user=auth550@x\1auth=Bearer t\1\1' | base64 -w0)" \
		'AUTH CRAM-MD5' "$cram" \
		"AUTH PLAIN $(printf '\0user\0pw' | base64 -w0)" 'QUIT'
	expect_status 0
	want_ehlo
	expect_out "$G" "${WANT[@]}" '454 4.7.0 TLS not available due to temporary reason' \
		'334 VXNlcm5hbWU6' '334 UGFzc3dvcmQ6' '535 Authentication failed' \
		'550 Requested action not taken: mailbox unavailable' \
		"$(grep -a '^334 ' "$SMTP_OUT" | tail -1 | tr -d '\r')" '535 5.7.8 Authentication failed' \
		'235 Authentication successful' "$BYE"
	log_check "
assert [e['fields']['trigger'] for e in by('SMTP error simulation triggered')] == ['auth454_4.7.0', 'auth535', 'auth550', 'auth535_5.7.8']
assert len(by('SMTP authentication successful')) == 1"
}

@test "AUTH username: auth421 closes; badauth is unchanged; auth{code}x{N} counts across sessions" {
	want_ehlo
	faults "AUTH PLAIN $(printf '\0auth421\0pw' | base64 -w0)" 'QUIT'
	expect_status 1
	expect_out "$G" "${WANT[@]}" '421 Service not available, closing transmission channel'
	faults "AUTH PLAIN $(printf '\0badauth\0pw' | base64 -w0)" 'QUIT'
	expect_out "$G" "${WANT[@]}" '535 Authentication failed' "$BYE"
	local u
	u=$(printf '\0Auth451x1@t8.example\0pw' | base64 -w0)
	faults "AUTH PLAIN $u" "AUTH PLAIN $u" 'QUIT'
	expect_out "$G" "${WANT[@]}" '451 Requested action aborted: local error in processing' \
		'235 Authentication successful' "$BYE"
}

# ---- bad input -------------------------------------------------------------------------------

@test "numbers out of range are ordinary addresses (SPEC §4.1): mailwait0, mailwait606, rcpt451x0, rcpt451x101, grey0, grey86401" {
	faults 'MAIL FROM:<mailwait0@example.com>' 'RSET' 'MAIL FROM:<mailwait606@example.com>' \
		'RCPT TO:<rcpt451x0@t9.example>' 'RCPT TO:<rcpt451x101@t9.example>' 'RCPT TO:<grey0@t9.example>' \
		'RCPT TO:<grey86401@t9.example>' 'RCPT TO:<rcptwait05@t9.example>' 'RSET' \
		'MAIL FROM:<datadrop0@example.com>' 'RCPT TO:<b@example.com>' 'DATA' 'x' '.' 'QUIT'
	expect_status 0
	want_ehlo
	expect_out "$G" "${WANT[@]}" '250 OK' '250 OK' '250 OK' '250 OK' '250 OK' '250 OK' '250 OK' '250 OK' \
		'250 OK' '250 OK' '250 OK' "$GO_AHEAD" "$ACCEPTED" "$BYE"
	log_check "assert not by('SMTP behaviour triggered') and not by('SMTP error simulation triggered')"
	[ ! -e "$ST" ] || fail "the state directory was made for ordinary addresses"
}

# ---- the state directory ---------------------------------------------------------------------

@test "state directory: --state-dir, else \$STATE_DIRECTORY (first of a list), else \$XDG_STATE_HOME/badsmtp; made 0700" {
	smtp_input 'EHLO x' 'MAIL FROM:<a@example.com>' 'RCPT TO:<rcpt451x1@t10.example>' 'QUIT'
	STATE_DIRECTORY="$T/sd1:$T/sd2" XDG_STATE_HOME=$T/xdg smtp_session
	[ -d "$T/sd1" ] && [ ! -e "$T/sd2" ] && [ ! -e "$T/xdg" ] || fail "$(ls -la "$T")"
	[ "$(stat -c %a "$T/sd1")" = 700 ] || fail "mode $(stat -c %a "$T/sd1")"
	XDG_STATE_HOME=$T/xdg smtp_session
	[ -d "$T/xdg/badsmtp" ] && [ "$(stat -c %a "$T/xdg/badsmtp")" = 700 ] || fail "$(ls -laR "$T/xdg")"
	STATE_DIRECTORY=$T/sd1 smtp_session --state-dir "$T/flag/st"
	[ -d "$T/flag/st" ] || fail "--state-dir not used"
	BADSMTP_STATE_DIR=$T/env STATE_DIRECTORY=$T/sd1 smtp_session
	[ -d "$T/env" ] || fail "BADSMTP_STATE_DIR not used"
	[ "$(ls "$T/sd1" | wc -l)" -eq 1 ] || fail "$(ls -la "$T/sd1")"
}

# unusable_session RUNNER...: a session with fail-N, greylisting and dataend{code}x{N} against an
# unusable state directory (run by RUNNER...), then expect_unusable.
unusable_session() {
	unusable_input
	"$@"
	expect_unusable
}

unusable_input() {
	smtp_input 'EHLO client.example' 'MAIL FROM:<a@example.com>' 'RCPT TO:<rcpt451x3@t11.example>' \
		'RCPT TO:<grey60@t11.example>' 'RCPT TO:<b@example.com>' 'RCPT TO:<rcpt550@example.com>' 'DATA' 'kept' '.' \
		'MAIL FROM:<dataend451x2@t11.example>' 'RCPT TO:<b@example.com>' 'DATA' 'lost' '.' 'NOOP' 'QUIT'
}

# expect_unusable: 451 4.3.0 for exactly those triggers, and nothing else changed.
expect_unusable() {
	want_ehlo
	expect_status 0
	expect_out "$G" "${WANT[@]}" '250 OK' "$E451" "$E451" '250 OK' \
		'550 Requested action not taken: mailbox unavailable' "$GO_AHEAD" "$ACCEPTED" '250 OK' '250 OK' \
		"$GO_AHEAD" "$E451" '250 OK' "$BYE"
	log_check "
u = by('SMTP state directory unusable')
assert len(u) == 3 and all(e['level'] == 'ERROR' and e['fields']['error'] for e in u), u"
}

@test "a state directory that is a file: 451 4.3.0 for those triggers, the reason logged, nothing else changes" {
	: > "$T/file"
	unusable_session smtp_session --state-dir "$T/file" --maildir "$MD"
	expect_maildir_count "$MD" 1
	log_check "assert 'Not a directory' in by('SMTP state directory unusable')[0]['fields']['error']"
	[ ! -s "$T/file" ] || fail "the file was written"
}

@test "an unwritable state directory (as nobody): 451 4.3.0, nothing else changes" {
	[ "$(id -u)" -eq 0 ] || skip "switching to nobody needs root"
	command -v setpriv > /dev/null || skip "no setpriv"
	# somewhere nobody can reach: the binary, and a state directory it may not write
	NOBODY_DIR=$(mktemp -d /tmp/badsmtp-nobody-XXXXXX)
	chmod 0755 "$NOBODY_DIR"
	cp "$BADSMTP_BIN" "$NOBODY_DIR/badsmtp-session"
	mkdir -m 0755 "$NOBODY_DIR/ro"
	unusable_session nobody_session "$NOBODY_DIR/badsmtp-session" --state-dir "$NOBODY_DIR/ro"
	log_check "assert 'Permission denied' in by('SMTP state directory unusable')[0]['fields']['error']"
	[ -z "$(ls -A "$NOBODY_DIR/ro")" ] || fail "$(ls -la "$NOBODY_DIR/ro")"
	rm -rf "$NOBODY_DIR"
}

# nobody_session BIN FLAGS...: smtp_session's work, run as user nobody (storage off).
nobody_session() {
	local bin=$1
	shift
	status=0
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$bin" "$@" < "$SMTP_IN" > "$SMTP_OUT" \
		2> "$SMTP_ERR" || status=$?
}

@test "a full state directory (a 4 KiB tmpfs, filled): 451 4.3.0, nothing else changes" {
	[ "$(id -u)" -eq 0 ] || skip "mounting a tmpfs needs root"
	mkdir -p "$ST"
	mount -t tmpfs -o size=4k,mode=0700 badsmtp-state "$ST" 2> /dev/null || skip "cannot mount a tmpfs here"
	head -c 65536 /dev/zero > "$ST/filler" 2> /dev/null || true
	unusable_input
	smtp_session --state-dir "$ST" --maildir "$MD"
	umount "$ST" || umount -l "$ST"
	expect_unusable
	expect_maildir_count "$MD" 1
	log_check "assert 'No space left on device' in by('SMTP state directory unusable')[0]['fields']['error']"
}

@test "a state file size limit (ulimit -f 0, EFBIG): 451 4.3.0, no SIGXFSZ death" {
	smtp_input 'EHLO x' 'MAIL FROM:<a@example.com>' 'RCPT TO:<rcpt451x3@t12.example>' 'RCPT TO:<b@example.com>' 'QUIT'
	# stdout and stderr through pipes: the limit is for the state file only
	{ (ulimit -f 0 && exec "$BADSMTP_BIN" --state-dir "$ST") < "$SMTP_IN" 2>&1 >&3 | cat > "$SMTP_ERR"; } 3>&1 |
		cat > "$SMTP_OUT"
	want_ehlo
	expect_out "$G" "${WANT[@]}" '250 OK' "$E451" '250 OK' "$BYE"
	log_check "
assert 'File too large' in fields('SMTP state directory unusable')['error']
assert fields('SMTP connection closed')['exit_status'] == 0"
}
