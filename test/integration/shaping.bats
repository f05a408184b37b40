#!/usr/bin/env bats
# bats file_tags=tcp
# SPEC §17-§18 over real TCP under systemd-socket-activate --inetd: replysplit and replybytes seen
# as separate reads (TCP_NODELAY), greeting-trickle and greeting-pause on their ports, real
# clients (python smtplib, swaks, curl, msmtp) against every shaping keyword, datadrop{K} and
# data{code}at{K} with the body in several TCP segments, datalost seen by smtplib, fail-N from 20
# connections at once, greylisting by client IP across connections.

load helpers

setup() {
	need_launcher
	LAUNCHER=
	T=$BATS_TEST_TMPDIR
	unset BADSMTP_PROFILE BADSMTP_PORT BADSMTP_MAILDIR BADSMTP_LOG_TARGET BADSMTP_LOG_FORMAT \
		BADSMTP_STATE_DIR BADSMTP_GREETING_FAULT_PORT_START
	export BADSMTP_TIME_SCALE=1
}

teardown() {
	if [ -n "$LAUNCHER" ]; then
		kill -TERM -- "-$LAUNCHER" 2> /dev/null || true
		for _ in $(seq 50); do kill -0 "$LAUNCHER" 2> /dev/null || break; sleep 0.1; done
		kill -KILL -- "-$LAUNCHER" 2> /dev/null || true
	fi
}

# serve [FLAG...]: one systemd-socket-activate on a free port ($PORT), every session with FLAGs,
# its Maildir in $T/md, its state in $T/state, its log in $T/log.
serve() {
	read -r PORT < <(free_ports 1)
	setsid systemd-socket-activate --inetd -a -l "127.0.0.1:$PORT" -E BADSMTP_TIME_SCALE \
		"$BADSMTP_BIN" --maildir "$T/md" --state-dir "$T/state" --log-target "file:$T/log" "$@" \
		> "$T/launcher.out" 2> "$T/launcher.err" 3>&- &
	LAUNCHER=$!
	wait_listen "$PORT"
}

shaping_client() {
	timeout 120 "$PY" "$BATS_TEST_DIRNAME/shaping_client.py" "$@"
}

# ---- reply shaping on the wire -------------------------------------------------------------------

# bats test_tags=timing
@test "replysplit: the first 3 octets in a read of their own, the rest at least 30 ms later" {
	serve
	run shaping_client split "$PORT"
	[ "$status" -eq 0 ] || fail "$output"
	[[ ${lines[0]} =~ ^first=250\ gap_ms=([0-9]+)$ ]] || fail "EHLO: ${lines[0]}"
	[ "${BASH_REMATCH[1]}" -ge 30 ] || fail "EHLO gap ${BASH_REMATCH[1]} ms"
	[[ ${lines[1]} =~ ^first=250\ gap_ms=([0-9]+)\ rest=\ OK$ ]] || fail "NOOP: ${lines[1]}"
	[ "${BASH_REMATCH[1]}" -ge 30 ] && [ "${BASH_REMATCH[1]}" -lt 3000 ] || fail "NOOP gap ${BASH_REMATCH[1]} ms"
}

# bats test_tags=timing
@test "replybytes: the EHLO reply one octet per write, 2 ms apart: as many reads, and the time" {
	local n
	n=$(printf '250-badsmtp.test\r\n250-8BITMIME\r\n250-SIZE 10485760\r\n250-PIPELINING\r\n250-STARTTLS\r\n250-CHUNKING\r\n250-SMTPUTF8\r\n250-ENHANCEDSTATUSCODES\r\n250 OK\r\n' | wc -c)
	serve
	run shaping_client bytes "$PORT" "$n"
	[ "$status" -eq 0 ] || fail "$output"
	[[ $output =~ ^octets=$n\ reads=([0-9]+)\ ones=([0-9]+)\ ms=([0-9]+)$ ]] || fail "$output"
	# merged writes would arrive in a read or two, at once
	[ "${BASH_REMATCH[1]}" -ge $((n / 2)) ] && [ "${BASH_REMATCH[2]}" -ge $((n / 2)) ] || fail "$output"
	[ "${BASH_REMATCH[3]}" -ge $((n * 2 / 2)) ] && [ "${BASH_REMATCH[3]}" -lt 20000 ] || fail "$output"
}

@test "replysplit, replybytes: the session's socket is TCP_NODELAY from their EHLO on (not before)" {
	local k
	for k in replysplit replybytes; do
		serve
		run shaping_client nodelay "$PORT" "$LAUNCHER" "$k"
		[ "$status" -eq 0 ] && [ "$output" = "before=0 after=1" ] || fail "$k: $output"
		teardown
		LAUNCHER=
	done
}

@test "replysplit-replybytes-replymulti, pipelined over TCP: every reply, in order" {
	serve
	run shaping_client pipelined "$PORT" replysplit-replybytes-replymulti
	[ "$status" -eq 0 ] || fail "$output"
	[ "$output" = "250-OK
250 OK
250-OK
250 OK
550-5.1.1 Requested action not taken: mailbox unavailable
550 5.1.1 Requested action not taken: mailbox unavailable
250-OK
250 OK
221-Bye
221 Bye" ] || fail "$output"
}

# bats test_tags=timing
@test "greeting-trickle over TCP: the greeting one octet per read, 100 ms (scaled) apart" {
	export BADSMTP_TIME_SCALE=0.2
	serve --profile greeting-trickle
	run shaping_client greeting "$PORT" 39
	[ "$status" -eq 0 ] || fail "$output"
	[[ $output =~ ^octets=39\ reads=([0-9]+)\ ms=([0-9]+)$ ]] || fail "$output"
	[ "${BASH_REMATCH[1]}" -ge 20 ] && [ "${BASH_REMATCH[2]}" -ge 500 ] && [ "${BASH_REMATCH[2]}" -lt 15000 ] ||
		fail "$output"
}

# bats test_tags=timing
@test "greeting-pause over TCP: a client that talks first gets 554 5.5.1 at once, then EOF" {
	serve --profile greeting-pause
	run shaping_client early "$PORT"
	[ "$status" -eq 0 ] || fail "$output"
	[[ $output =~ ^ms=([0-9]+)\ data=554\ 5\.5\.1\ Protocol\ error:\ talked\ before\ the\ greeting$ ]] || fail "$output"
	[ "${BASH_REMATCH[1]}" -lt 2500 ] || fail "the 554 took ${BASH_REMATCH[1]} ms (the pause is 3 s)"
}

# ---- real clients ------------------------------------------------------------------------------------

# one_client NAME KEYWORD: a whole transaction with that client, EHLO name KEYWORD.example; prints
# ok or the failure.
one_client() {
	local body=$T/body rc=0
	printf 'Subject: shaped\r\n\r\nhello\r\n' > "$body"
	case $1 in
	smtplib) timeout 8 "$PY" -c "
import smtplib, sys
c = smtplib.SMTP('127.0.0.1', $PORT, local_hostname='$2.example', timeout=10)
c.sendmail('a@example.com', ['b@example.com'], open('$body', 'rb').read())
c.quit()" > "$T/client.out" 2>&1 || rc=$? ;;
	swaks) timeout 8 swaks --server "127.0.0.1:$PORT" --ehlo "$2.example" --from a@example.com \
		--to b@example.com --data "$body" > "$T/client.out" 2>&1 || rc=$? ;;
	curl) timeout 8 curl -sS "smtp://127.0.0.1:$PORT/$2.example" --mail-from a@example.com \
		--mail-rcpt b@example.com -T "$body" > "$T/client.out" 2>&1 || rc=$? ;;
	msmtp) timeout 8 msmtp --host=127.0.0.1 "--port=$PORT" "--domain=$2.example" --auth=off --tls=off \
		--from=a@example.com b@example.com < "$body" > "$T/client.out" 2>&1 || rc=$? ;;
	esac
	if [ "$rc" -eq 0 ]; then echo ok; else echo "fails ($rc)"; fi
}

@test "real clients against every shaping keyword: who completes a transaction (doc/faults.md's table)" {
	local c k got want table=
	for c in swaks curl msmtp; do
		command -v "$c" > /dev/null || skip "$c is missing (scripts/ensure-deps test)"
	done
	serve
	# The table as found (doc/faults.md, "Reply shaping"); a change either way
	# is news: a client fixed, or shaping broken.
	declare -A want=(
		[swaks:replybare]='fails (124)' [msmtp:replybare]='fails (76)'
	)
	for k in replysplit replybytes replybare replymulti replylong replylf authequals; do
		for c in smtplib swaks curl msmtp; do
			got=$(one_client "$c" "$k")
			table+="$k $c: $got"$'\n'
			[ "$got" = "${want[$c:$k]:-ok}" ] || fail "$c with $k: got '$got', want '${want[$c:$k]:-ok}'" \
				"$(cat "$T/client.out")" "--- so far:" "$table"
		done
	done
	echo "$table"
	# every client that completed left its message
	[ "$(find "$T/md/new" -type f | wc -l)" -eq 26 ] || fail "$(ls "$T/md/new" | wc -l) messages stored"
}

# ---- faults of the body across TCP segments -----------------------------------------------------------

@test "datadrop{K}: the connection stays up until the segment that holds octet K, then EOF; nothing stored" {
	local k seg
	serve
	for k in 1 999 1000 1001 2500; do
		seg=$(((k + 999) / 1000))
		run shaping_client segments "$PORT" "datadrop$k@example.com" 4
		[ "$status" -eq 0 ] || fail "K=$k: $output"
		[ "${#lines[@]}" -eq "$seg" ] && [ "${lines[-1]}" = "segment $seg: eof" ] || fail "K=$k:" "$output"
	done
	[ -z "$(find "$T/md" -type f 2> /dev/null)" ] || fail "stored: $(find "$T/md" -type f)"
	grep -c '"behaviour":"data_drop"' "$T/log" | grep -qx 5 || fail "$(cat "$T/log")"
}

@test "data{code}at{K}: the reply arrives with the segment that holds octet K, then EOF" {
	serve
	run shaping_client segments "$PORT" "data552at1500_5.3.4@example.com" 4
	[ "$status" -eq 0 ] || fail "$output"
	[ "${lines[0]}" = "segment 1: open" ] &&
		[ "${lines[1]}" = "segment 2: 552 5.3.4 Requested mail action aborted: exceeded storage allocation" ] ||
		fail "$output"
	[ "${#lines[@]}" -eq 2 ] || fail "$output"
	[ -z "$(find "$T/md" -type f 2> /dev/null)" ] || fail "stored"
}

@test "datalost over TCP: smtplib sees the connection close instead of a 250; the message is whole in new/" {
	serve
	run shaping_client lost "$PORT" $'Subject: lost\r\n\r\nduplicate me\r\n'
	[ "$status" -eq 0 ] && [ "$output" = disconnected ] || fail "$output"
	[ "$(find "$T/md/new" -type f | wc -l)" -eq 1 ] || fail "$(ls -R "$T/md")"
	local f
	f=$(find "$T/md/new" -type f)
	# badsmtp's three header lines (SPEC §12; the HELO name is smtplib's, the host's), then the
	# message byte for byte
	[ "$(head -n 2 "$f")" = $'Return-Path: <datalost@example.com>\r\nX-BadSMTP-Rcpt-To: b@example.com\r' ] &&
		[[ $(sed -n 3p "$f") == "Received: from "*" (127.0.0.1) by badsmtp.test with ESMTP id sess_"*$' +0000\r' ]] &&
		cmp -s <(tail -n +4 "$f") <(printf 'Subject: lost\r\n\r\nduplicate me\r\n') ||
		fail "stored:" "$(cat -A "$f")"
	[ -z "$(ls -A "$T/md/tmp")" ] || fail "tmp/ not empty"
}

# ---- state across processes and connections -------------------------------------------------------------

@test "rcpt451x3 from 20 connections at once (20 processes): exactly 3 get 451" {
	serve
	run shaping_client concurrent "$PORT" 20 rcpt451x3@tcp20.example
	[ "$status" -eq 0 ] || fail "$output"
	[ "$output" = "250 250 250 250 250 250 250 250 250 250 250 250 250 250 250 250 250 451 451 451" ] ||
		fail "$output"
}

# bats test_tags=timing
@test "greylisting by client IP across connections: each IP its triplet; 250 once S (scaled) has passed" {
	export BADSMTP_TIME_SCALE=0.01
	local g='450 4.7.1 Greylisted, please try again in 100 seconds'
	serve
	[ "$(shaping_client grey "$PORT" 127.0.0.1 a@example.com)" = "$g" ] || fail "first from 127.0.0.1"
	[ "$(shaping_client grey "$PORT" 127.0.0.1 a@example.com)" = "$g" ] || fail "retry from 127.0.0.1 before S"
	sleep 0.6
	[ "$(shaping_client grey "$PORT" 127.0.0.2 a@example.com)" = "$g" ] || fail "first from 127.0.0.2: its own triplet"
	sleep 0.6
	[ "$(shaping_client grey "$PORT" 127.0.0.1 a@example.com)" = '250 OK' ] || fail "127.0.0.1 after S"
	[ "$(shaping_client grey "$PORT" 127.0.0.2 a@example.com)" = "$g" ] || fail "127.0.0.2 before its S"
	sleep 0.6
	[ "$(shaping_client grey "$PORT" 127.0.0.2 a@example.com)" = '250 OK' ] || fail "127.0.0.2 after S"
	grep -q '"client_ip":"127.0.0.2"' "$T/log" || fail "no session from 127.0.0.2"
}
