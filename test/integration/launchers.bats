#!/usr/bin/env bats
# badsmtp-session behind real launchers over TCP (SPEC §1, §8, §11, §13): systemd-socket-activate
# --inetd and xinetd in the foreground, started and stopped here on free high ports, with swaks,
# python smtplib and curl as clients. TLS (smtps, STARTTLS handshakes) is tested elsewhere, wait
# mode (one acceptor) in wait.bats, but for scripts/badsmtp-run below.
# bats file_tags=tcp

load helpers

setup() {
	need_launcher
	LAUNCHERS=()
	DEVLOG_PID=
	export BADSMTP_TIME_SCALE=1
	unset BADSMTP_PROFILE BADSMTP_PORT BADSMTP_MAILDIR BADSMTP_LOG_TARGET BADSMTP_LOG_FORMAT
	unset BADSMTP_GREETING_DELAY_PORT_START BADSMTP_COMMAND_DELAY_PORT_START BADSMTP_DROP_DELAY_PORT_START
}

teardown() {
	local pid
	for pid in "${LAUNCHERS[@]}"; do
		kill -TERM -- "-$pid" 2> /dev/null || kill -TERM "$pid" 2> /dev/null
		pkill -TERM -P "$pid" 2> /dev/null || true
	done
	for pid in "${LAUNCHERS[@]}"; do
		for _ in $(seq 50); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
		kill -KILL -- "-$pid" 2> /dev/null || true
		kill -KILL "$pid" 2> /dev/null || true
	done
	if [ -n "$DEVLOG_PID" ]; then
		kill "$DEVLOG_PID" 2> /dev/null || true
		rm -f /dev/log
	fi
	true
}

port_free() {
	! ss -Hltn "sport = :$1" | grep -q .
}

# start_ssa PORT... -- ARGS...: systemd-socket-activate --inetd -a on 127.0.0.1:PORT...
start_ssa() {
	local listen=() ports=()
	while [ "$1" != -- ]; do listen+=(-l "127.0.0.1:$1"); ports+=("$1"); shift; done
	shift
	setsid systemd-socket-activate --inetd -a "${listen[@]}" -E BADSMTP_TIME_SCALE \
		"$BADSMTP_BIN" "$@" > "$BATS_TEST_TMPDIR/launcher.out" 2> "$BATS_TEST_TMPDIR/launcher.err" 3>&- &
	LAUNCHERS+=($!)
	for p in "${ports[@]}"; do wait_listen "$p"; done
}

# start_xinetd DEFAULT_PORT:TEST_PORT...: the shipped per-connection (wait = no) xinetd entries
# for those default ports, moved to the test ports (server_args, and so --port DEFAULT_PORT,
# unchanged), enabled.
start_xinetd() {
	local conf=$BATS_TEST_TMPDIR/xinetd.conf pair
	xinetd_conf no "" "$@"
	setsid xinetd -dontfork -f "$conf" -pidfile "$BATS_TEST_TMPDIR/xinetd.pid" \
		> "$BATS_TEST_TMPDIR/launcher.out" 2> "$BATS_TEST_TMPDIR/launcher.err" 3>&- &
	LAUNCHERS+=($!)
	for pair in "$@"; do wait_listen "${pair#*:}"; done
}

# A syslog receiver on /dev/log when the machine has none (root only); sets SYSLOG_FILE.
start_devlog() {
	SYSLOG_FILE=
	[ "$(id -u)" = 0 ] && [ ! -e /dev/log ] || return 0
	SYSLOG_FILE=$BATS_TEST_TMPDIR/syslog
	"$PY" -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log"); os.chmod("/dev/log", 0o666)
with open(sys.argv[1], "ab", buffering=0) as f:
    while True:
        f.write(s.recv(65536) + b"\n")' "$SYSLOG_FILE" 3>&- &
	DEVLOG_PID=$!
	for _ in $(seq 50); do [ -S /dev/log ] && return 0; sleep 0.05; done
	return 1
}

# The bytes client.py raw receives from a plain session (SPEC §4, §6: 550 for rcpt550), CRLFs
# included: nothing else, no log text, reached the client.
raw_transcript() {
	printf '%s\r\n' "220 badsmtp.test ESMTP BadSMTP Server" "250-badsmtp.test" \
		"250-AUTH PLAIN LOGIN CRAM-MD5 CRAM-SHA256 XOAUTH2" "250-8BITMIME" "250-SIZE 10485760" \
		"250-PIPELINING" "250-STARTTLS" "250-CHUNKING" "250-SMTPUTF8" "250-ENHANCEDSTATUSCODES" \
		"250 OK" "250 OK" "250 OK" "550 Requested action not taken: mailbox unavailable" \
		"354 End data with <CR><LF>.<CR><LF>" "250 OK Message accepted for delivery" "221 Bye"
}

# every line the client received is an SMTP reply: no log text reached it
only_smtp_replies() {
	local line bad=0
	while IFS= read -r line; do
		line=${line%$'\r'}
		[[ $line =~ ^[2-5][0-9][0-9]([ -].*)?$ ]] || { echo "not an SMTP reply: $line"; bad=1; }
	done <<< "$1"
	return $bad
}

@test "systemd-socket-activate: plain, a full swaks transaction stored in the Maildir" {
	command -v swaks > /dev/null || skip "swaks is missing"
	read -r p < <(free_ports 1)
	start_ssa "$p" -- --port 2525 --maildir "$BATS_TEST_TMPDIR/md"
	run timeout 60 swaks --server 127.0.0.1 --port "$p" --helo swaks.example.com \
		--from sender@example.com --to rcpt@example.com --timeout 20
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"<-  220 badsmtp.test ESMTP BadSMTP Server"* ]]
	[[ $output == *"<-  250 OK Message accepted for delivery"* ]]
	[[ $output == *"<-  221 Bye"* ]]
	files=("$BATS_TEST_TMPDIR"/md/new/*)
	[ "${#files[@]}" -eq 1 ] && [ -f "${files[0]}" ]
	head -n 1 "${files[0]}" | grep -qx $'Return-Path: <sender@example.com>\r\\?'
}

@test "systemd-socket-activate: no --port, the profile comes from the local port (plain)" {
	read -r p < <(free_ports 1)
	start_ssa "$p" --
	run client smtplib "$p"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = $'ehlo 250\nmail 250\nrcpt 250\ndata 250\nquit 221' ]
	grep -q "\"port\":$p" "$BATS_TEST_TMPDIR/launcher.err"
	grep -q '"profile":"plain"' "$BATS_TEST_TMPDIR/launcher.err"
}

# bats test_tags=timing
@test "systemd-socket-activate: greeting-delay-30 scaled by 0.01, then smtplib" {
	read -r p < <(free_ports 1)
	export BADSMTP_TIME_SCALE=0.01
	start_ssa "$p" -- --port 25205
	run client greet "$p"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"line=220 badsmtp.test ESMTP BadSMTP Server" ]]
	e=$(sed -n 's/^elapsed=\([0-9.]*\) .*/\1/p' <<< "$output")
	awk -v e="$e" 'BEGIN { exit !(e >= 0.28 && e < 5) }'
	run client smtplib "$p"
	echo "$output"
	[ "$output" = $'ehlo 250\nmail 250\nrcpt 250\ndata 250\nquit 221' ]
}

# bats test_tags=timing
@test "systemd-socket-activate: greeting-delay-1 in real time takes one second" {
	read -r p < <(free_ports 1)
	start_ssa "$p" -- --profile greeting-delay-1
	run client greet "$p"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"line=220 badsmtp.test ESMTP BadSMTP Server" ]]
	e=$(sed -n 's/^elapsed=\([0-9.]*\) .*/\1/p' <<< "$output")
	awk -v e="$e" 'BEGIN { exit !(e >= 0.95 && e < 4) }'
}

# bats test_tags=timing
@test "systemd-socket-activate: command-delay-8 scaled by 0.01 with curl" {
	read -r p < <(free_ports 1)
	export BADSMTP_TIME_SCALE=0.01
	start_ssa "$p" -- --port 25403
	printf 'Subject: curl\r\n\r\nhello\r\n' > "$BATS_TEST_TMPDIR/msg"
	start=$(date +%s%N)
	run timeout 60 curl -sS --max-time 30 "smtp://127.0.0.1:$p/curl.example.com" \
		--mail-from a@example.com --mail-rcpt b@example.com -T "$BATS_TEST_TMPDIR/msg"
	ms=$((($(date +%s%N) - start) / 1000000))
	echo "$output (${ms} ms)"
	[ "$status" -eq 0 ]
	# EHLO, MAIL, RCPT, DATA, end of data, QUIT: six replies of 80 ms each
	[ "$ms" -ge 400 ]
	grep -q '"behaviour"' "$BATS_TEST_TMPDIR/launcher.err"
}

# bats test_tags=timing
@test "systemd-socket-activate: drop ports write zero bytes (drop-0, drop-30 scaled, drop-1 real)" {
	read -r p0 p5 p1 < <(free_ports 3)
	export BADSMTP_TIME_SCALE=0.01
	start_ssa "$p0" -- --port 25600
	run client drop "$p0"
	echo "drop-0: $output"
	[[ $output == "bytes=0 "* ]]
	e=$(sed -n 's/.*elapsed=//p' <<< "$output")
	awk -v e="$e" 'BEGIN { exit !(e < 2) }'
	start_ssa "$p5" -- --port 25605
	run client drop "$p5"
	echo "drop-30 x 0.01: $output"
	[[ $output == "bytes=0 "* ]]
	e=$(sed -n 's/.*elapsed=//p' <<< "$output")
	awk -v e="$e" 'BEGIN { exit !(e >= 0.28 && e < 5) }'
	export BADSMTP_TIME_SCALE=1
	start_ssa "$p1" -- --profile drop-1
	run client drop "$p1"
	echo "drop-1: $output"
	[[ $output == "bytes=0 "* ]]
	e=$(sed -n 's/.*elapsed=//p' <<< "$output")
	awk -v e="$e" 'BEGIN { exit !(e >= 0.95 && e < 4) }'
}

@test "systemd-socket-activate: starttls-required refuses MAIL after EHLO with 530" {
	read -r p < <(free_ports 1)
	start_ssa "$p" -- --port 25587
	run client starttls-required "$p"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "530 Must issue a STARTTLS command first" ]
}

@test "systemd-socket-activate: the client receives no log text; the logs go to stderr" {
	read -r p < <(free_ports 1)
	start_ssa "$p" -- --port 2525 --log-level debug
	run client raw "$p"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"550 Requested action not taken: mailbox unavailable"* ]]
	[ "$output" = "$(raw_transcript)" ]
	only_smtp_replies "$output"
	sleep 0.2
	grep -q '"message":"SMTP connection established"' "$BATS_TEST_TMPDIR/launcher.err"
	grep -q '"message":"SMTP connection closed"' "$BATS_TEST_TMPDIR/launcher.err"
}

# bats test_tags=heavy
@test "systemd-socket-activate: 100 concurrent sessions are all served" {
	read -r p < <(free_ports 1)
	start_ssa "$p" -- --port 2525
	run client concurrent "$p" 100
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "ok=100" ]
}

# bats test_tags=timing
@test "xinetd: plain with swaks, starttls-required, drop, from the shipped entries" {
	command -v swaks > /dev/null || skip "swaks is missing"
	read -r pp pt pd < <(free_ports 3)
	export BADSMTP_TIME_SCALE=0.01
	start_xinetd 2525:"$pp" 25587:"$pt" 25605:"$pd"
	run timeout 60 swaks --server 127.0.0.1 --port "$pp" --helo swaks.example.com \
		--from sender@example.com --to rcpt@example.com --timeout 20
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"<-  250 OK Message accepted for delivery"* ]]
	run client starttls-required "$pt"
	echo "$output"
	[ "$output" = "530 Must issue a STARTTLS command first" ]
	run client drop "$pd"
	echo "$output"
	[[ $output == "bytes=0 "* ]]
	e=$(sed -n 's/.*elapsed=//p' <<< "$output")
	awk -v e="$e" 'BEGIN { exit !(e >= 0.28 && e < 5) }'
}

@test "xinetd: fd 2 is the socket, the client receives no log text, the logs go to syslog" {
	read -r p < <(free_ports 1)
	start_devlog
	start_xinetd 2525:"$p"
	run client raw "$p"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"221 Bye"* ]]
	[ "$output" = "$(raw_transcript)" ]
	only_smtp_replies "$output"
	if [ -n "$SYSLOG_FILE" ]; then
		for _ in $(seq 40); do grep -q 'SMTP connection closed' "$SYSLOG_FILE" && break; sleep 0.05; done
		cat "$SYSLOG_FILE"
		# facility mail, level info: <22>
		grep -q '^<22>.*badsmtp-session\[[0-9]*\]: .*SMTP connection established' "$SYSLOG_FILE"
		grep -q 'SMTP connection closed' "$SYSLOG_FILE"
	fi
}

# bats test_tags=heavy
@test "xinetd: 100 concurrent sessions are all served (cps raised)" {
	read -r p < <(free_ports 1)
	start_xinetd 2525:"$p"
	run client concurrent "$p" 100
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "ok=100" ]
}

@test "scripts/badsmtp-run: table first, ports served from the socket, SIGTERM stops everything" {
	for p in 2525 25601; do port_free "$p" || skip "port $p is busy (is make run going?)"; done
	export BADSMTP_TIME_SCALE=0.01
	setsid "$REPO/scripts/badsmtp-run" --bin "$BADSMTP_BIN" --ports 2525,25601 \
		--maildir "$BATS_TEST_TMPDIR/md" > "$BATS_TEST_TMPDIR/run.out" 2> "$BATS_TEST_TMPDIR/run.err" 3>&- &
	run_pid=$!
	LAUNCHERS+=("$run_pid")
	wait_listen 2525
	wait_listen 25601
	head -n 3 "$BATS_TEST_TMPDIR/run.out" > "$BATS_TEST_TMPDIR/head"
	cat "$BATS_TEST_TMPDIR/head"
	[ "$(sed -n 1p "$BATS_TEST_TMPDIR/head")" = "port   profile              behaviour" ]
	[[ $(sed -n 2p "$BATS_TEST_TMPDIR/head") == "2525   plain "* ]]
	[[ $(sed -n 3p "$BATS_TEST_TMPDIR/head") == "25601  drop-1 "* ]]
	run client smtplib 2525
	echo "$output"
	[ "$output" = $'ehlo 250\nmail 250\nrcpt 250\ndata 250\nquit 221' ]
	[ "$(ls "$BATS_TEST_TMPDIR/md/new" | wc -l)" -eq 1 ]
	run client drop 25601
	echo "$output"
	[[ $output == "bytes=0 "* ]]
	# an idle session is still open when the script is told to stop: it gets the SIGTERM 421
	exec 5<> /dev/tcp/127.0.0.1/2525
	IFS= read -r -t 10 greeting <&5
	[[ $greeting == "220 "* ]]
	kill -TERM "$run_pid"
	for _ in $(seq 100); do kill -0 "$run_pid" 2> /dev/null || break; sleep 0.05; done
	! kill -0 "$run_pid" 2> /dev/null
	IFS= read -r -t 10 bye <&5 || true
	exec 5<&-
	echo "after SIGTERM: $bye"
	[[ $bye == "421 Service shutting down"* ]]
	port_free 2525
	port_free 25601
	! pgrep -g "$run_pid" > /dev/null
	grep -q 'stopped' "$BATS_TEST_TMPDIR/run.err"
	# one acceptor for both ports (SPEC §15), which saw all three sessions and stopped
	[ "$(grep -c '"message":"SMTP acceptor started".*"max_sessions":512,"sockets":2' "$BATS_TEST_TMPDIR/run.err")" -eq 1 ]
	grep -q '"message":"SMTP acceptor stopped","fields":{"sessions_served":3}' "$BATS_TEST_TMPDIR/run.err"
}
