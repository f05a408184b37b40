#!/usr/bin/env bats
# Wait mode (SPEC §15) over real sockets: one badsmtp-session handed listening sockets by
# systemd-socket-activate without -a (LISTEN_FDS), by a listening fd 0 (inetd `wait`), or by
# xinetd `wait = yes`, accepting and forking one session per connection. Profiles per socket,
# --max-sessions, --idle-exit, SIGTERM, reaping, the children's descriptors, clients that never
# speak or die mid-DATA, a flood, a fork that fails. PROXY protocol over TCP is in proxy.bats.
# bats file_tags=tcp

load helpers

setup() {
	need_launcher
	ACCEPTOR=
	OTHERS=()
	LOG=$BATS_TEST_TMPDIR/log
	export BADSMTP_TIME_SCALE=0.01
	unset BADSMTP_PROFILE BADSMTP_PORT BADSMTP_MAILDIR BADSMTP_LOG_TARGET BADSMTP_LOG_FORMAT \
		BADSMTP_MAX_SESSIONS BADSMTP_IDLE_EXIT BADSMTP_PROXY_PROTOCOL BADSMTP_PROXY_FROM \
		LISTEN_FDS LISTEN_PID LISTEN_FDNAMES
}

teardown() {
	stop_pids $ACCEPTOR "${OTHERS[@]}"
}

# start_acceptor PORT[=NAME]... -- ARGS...: one systemd-socket-activate without -a on those
# ports (named with --fdname when every port has a name), which execs badsmtp-session at the
# first connection: ACCEPTOR is then its pid. Logs go to $LOG.
start_acceptor() {
	local listen=() names=() envs=() spec fdname v
	while [ "$1" != -- ]; do
		spec=$1
		listen+=(-l "127.0.0.1:${spec%%=*}")
		[[ $spec == *=* ]] && names+=("${spec#*=}")
		shift
	done
	shift
	fdname=
	[ ${#names[@]} -eq $((${#listen[@]} / 2)) ] && fdname=$(IFS=:; echo "${names[*]}")
	# systemd-socket-activate passes only the variables named with -E (an unset one as empty)
	for v in $(compgen -e | grep '^BADSMTP_' | grep -vx BADSMTP_BIN); do envs+=(-E "$v"); done
	setsid systemd-socket-activate "${listen[@]}" ${fdname:+"--fdname=$fdname"} "${envs[@]}" \
		"$BADSMTP_BIN" --log-target "file:$LOG" "$@" \
		> "$BATS_TEST_TMPDIR/launcher.out" 2> "$BATS_TEST_TMPDIR/launcher.err" 3>&- &
	ACCEPTOR=$!
	for spec in "${listen[@]}"; do
		[ "$spec" = -l ] || wait_listen "${spec##*:}"
	done
}

# what client smtplib prints for a whole transaction
TXN_OK=$'ehlo 250\nmail 250\nrcpt 250\ndata 250\nquit 221'

children() {
	pgrep -P "$ACCEPTOR" || true
}

# third_gets PORT REPLY: with two sessions open, a third connection gets REPLY (the acceptor's
# own, then the connection is closed); once one of the two has ended, the next is greeted again.
third_gets() {
	exec 5<> "/dev/tcp/127.0.0.1/$1"
	IFS= read -r -t 10 g1 <&5
	exec 6<> "/dev/tcp/127.0.0.1/$1"
	IFS= read -r -t 10 g2 <&6
	[[ $g1 == "220 "* && $g2 == "220 "* ]]
	run client all "$1"
	echo "third: $output"
	[ "$output" = "$2"$'\r' ]
	[ "$(children | wc -l)" -eq 2 ]
	exec 5<&-
	for _ in $(seq 50); do [ "$(children | wc -l)" -eq 1 ] && break; sleep 0.1; done
	run client greet "$1"
	[[ $output == *"line=220 badsmtp.test ESMTP BadSMTP Server" ]]
	exec 6<&-
}

# reaped SECONDS: the acceptor has ended within SECONDS; its exit status in $status
reaped() {
	local i
	for i in $(seq $(($1 * 20))); do
		kill -0 "$ACCEPTOR" 2> /dev/null || break
		sleep 0.05
	done
	if kill -0 "$ACCEPTOR" 2> /dev/null; then
		echo "the acceptor still runs after $1 s"
		return 1
	fi
	status=0
	wait "$ACCEPTOR" || status=$?
}

@test "one acceptor on six ports: each port's socket name gives its profile (plain, STARTTLS, smtps, drop, delays)" {
	local pp pt ps pd pg pc out
	read -r pp pt ps pd pg pc < <(free_ports 6)
	start_acceptor "$pp=plain" "$pt=starttls-required" "$ps=smtps" "$pd=drop-30" \
		"$pg=greeting-delay-30" "$pc=command-delay-30" -- --maildir "$BATS_TEST_TMPDIR/md" \
		--cert-cache "$BATS_TEST_TMPDIR/cache"
	run client smtplib "$pp"
	echo "plain: $output"
	[ "$output" = "$TXN_OK" ]
	[ "$(ls "$BATS_TEST_TMPDIR/md/new" | wc -l)" -eq 1 ]
	run client starttls "$pt"
	echo "starttls-required: $output"
	[[ $output == "220 250 noop="* ]]
	run client smtps "$ps"
	echo "smtps: $output"
	[ "$output" = "250 221" ]
	run client drop "$pd"
	echo "drop-30 x 0.01: $output"
	[[ $output == "bytes=0 "* ]]
	awk -v e="${output##*elapsed=}" 'BEGIN { exit !(e >= 0.28 && e < 5) }'
	run client greet "$pg"
	echo "greeting-delay-30 x 0.01: $output"
	[[ $output == *"line=220 badsmtp.test ESMTP BadSMTP Server" ]]
	out=${output#elapsed=}
	awk -v e="${out%% *}" 'BEGIN { exit !(e >= 0.28 && e < 5) }'
	run client starttls "$pc"
	echo "command-delay-30 x 0.01: $output"
	[[ $output == "220 250 noop="* ]]
	awk -v e="${output##*noop=}" 'BEGIN { exit !(e >= 0.28 && e < 5) }'
	# one acceptor, six sockets; every session logged its own profile and port
	log_has "$LOG" 'f("SMTP acceptor started") == [{"max_sessions": 512, "sockets": 6}]' \
		"sorted((e['profile'], e['port']) for e in f('SMTP connection established')) == sorted([
			('plain', $pp), ('starttls-required', $pt), ('smtps', $ps), ('drop-30', $pd),
			('greeting-delay-30', $pg), ('command-delay-30', $pc)])" \
		"len(f('TLS handshake successful')) == 3"
}

@test "a socket whose name is no profile: the local port gives it (SPEC §15); --port applies to all" {
	local p q
	read -r p q < <(free_ports 2)
	# command-delay-8 is base + 3: put the family's base three below the port
	export BADSMTP_COMMAND_DELAY_PORT_START=$((p - 3))
	start_acceptor "$p=command-delay" "$q=connection" --
	run client smtplib "$p"
	[ "$output" = "$TXN_OK" ]
	run client smtplib "$q"
	[ "$output" = "$TXN_OK" ]
	log_has "$LOG" "sorted((e['profile'], e['port']) for e in f('SMTP connection established')) == \
		sorted([('command-delay-8', $p), ('plain', $q)])"
	kill -TERM "$ACCEPTOR"
	reaped 10
	: > "$LOG"
	start_acceptor "$p" "$q" -- --port 25601
	run client drop "$p"
	[[ $output == "bytes=0 "* ]]
	run client drop "$q"
	[[ $output == "bytes=0 "* ]]
	log_has "$LOG" "[e['profile'] for e in f('SMTP connection established')] == ['drop-1', 'drop-1']"
}

@test "STARTTLS in a session forked by the static acceptor: the twin keeps its profile and id" {
	local p
	read -r p < <(free_ports 1)
	start_acceptor "$p=command-delay-10" -- --cert-cache "$BATS_TEST_TMPDIR/cache"
	run client starttls "$p"
	echo "$output"
	[[ $output == "220 250 noop="* ]]
	# after the handshake, in badsmtp-session-tls, replies still wait 10 s x 0.01
	awk -v e="${output##*noop=}" 'BEGIN { exit !(e >= 0.09 && e < 5) }'
	[ "$(readlink "/proc/$ACCEPTOR/exe")" = "$(readlink -f "$BADSMTP_BIN")" ]
	log_has "$LOG" "len(f('SMTP connection established')) == 1" \
		"len({e['session_id'] for e in ev if 'session_id' in e['fields'] for e in [e['fields']]}) == 1" \
		"len(f('TLS handshake successful')) == 1 and len(f('SMTP connection closed')) == 1"
}

@test "the sessions are the acceptor's children and hold no listening socket; no zombies" {
	local p q child inodes fds
	read -r p q < <(free_ports 2)
	start_acceptor "$p" "$q" -- --port 25409
	# command-delay-600 x 0.01: each reply waits 6 s, so the session is there to look at
	exec 5<> "/dev/tcp/127.0.0.1/$p"
	IFS= read -r -t 10 greeting <&5
	[[ $greeting == "220 "* ]]
	child=$(children)
	[ -n "$child" ] && [ "$(wc -w <<< "$child")" -eq 1 ]
	[ "$(cat "/proc/$child/comm")" = badsmtp-session ]
	# the listening sockets' inodes (state 0A), against every socket the child holds
	inodes=$(awk '$4 == "0A" { print $10 }' /proc/net/tcp /proc/net/tcp6 | sort -u)
	fds=$(for f in /proc/"$child"/fd/*; do readlink "$f"; done | sed -n 's/^socket:\[\([0-9]*\)\]$/\1/p' | sort -u)
	echo "child $child sockets: $fds"
	[ "$(wc -w <<< "$fds")" -eq 1 ]
	! grep -qxF -f <(echo "$inodes") <<< "$fds"
	# the acceptor holds both listening sockets
	for f in /proc/"$ACCEPTOR"/fd/*; do readlink "$f"; done | sed -n 's/^socket:\[\([0-9]*\)\]$/\1/p' |
		grep -cxF -f <(echo "$inodes") | grep -qx 2
	exec 5<&-
	# 100 short sessions later: nothing left, not even a zombie
	kill -TERM "$ACCEPTOR"
	reaped 10
	: > "$LOG"
	start_acceptor "$p" --
	for i in $(seq 100); do
		printf 'QUIT\r\n' | timeout 10 socat -t 5 - "TCP:127.0.0.1:$p" > /dev/null || true
	done
	sleep 0.3
	[ -z "$(children)" ] || { ps -o pid,stat,cmd --ppid "$ACCEPTOR"; false; }
	log_has "$LOG" "len(f('SMTP connection closed')) == 100"
}

@test "SIGTERM with 50 sessions open: each gets 421 Service shutting down, the acceptor exits 0 within 6 s" {
	local p start status
	read -r p < <(free_ports 1)
	export BADSMTP_TIME_SCALE=1
	start_acceptor "$p" --
	coproc HOLD { client hold "$p" 50; }
	# its output outlives it: bash drops a coproc's descriptors once the coproc has ended
	exec {hold}<&"${HOLD[0]}"
	IFS= read -r -t 60 line <&"$hold"
	[ "$line" = ready ]
	[ "$(children | wc -l)" -eq 50 ]
	start=$(date +%s%N)
	kill -TERM "$ACCEPTOR"
	reaped 20
	ms=$((($(date +%s%N) - start) / 1000000))
	echo "acceptor exit $status after $ms ms"
	[ "$status" -eq 0 ]
	[ "$ms" -lt 6000 ]
	out=$(timeout 30 cat <&"$hold")
	exec {hold}<&-
	echo "$out"
	[ "$out" = "50 421 Service shutting down +EOF" ]
	log_has "$LOG" "f('SMTP acceptor stopped') == [{'sessions_served': 50}]" \
		"[e['exit_status'] for e in f('SMTP connection closed')] == [1] * 50"
}

@test "SIGTERM: a session that cannot answer is killed after the grace period (5 s, scaled)" {
	local p child start status
	read -r p < <(free_ports 1)
	export BADSMTP_TIME_SCALE=0.2
	start_acceptor "$p" --
	exec 5<> "/dev/tcp/127.0.0.1/$p"
	IFS= read -r -t 10 greeting <&5
	child=$(children)
	kill -STOP "$child"
	start=$(date +%s%N)
	kill -TERM "$ACCEPTOR"
	reaped 20
	ms=$((($(date +%s%N) - start) / 1000000))
	echo "acceptor exit $status after $ms ms"
	exec 5<&-
	[ "$status" -eq 0 ]
	# 5 s x 0.2: not before the grace period, not long after it
	[ "$ms" -ge 900 ] && [ "$ms" -lt 4000 ]
	! kill -0 "$child" 2> /dev/null
}

@test "SIGHUP is ignored; the acceptor goes on" {
	local p
	read -r p < <(free_ports 1)
	start_acceptor "$p" --
	run client smtplib "$p"
	kill -HUP "$ACCEPTOR"
	sleep 0.2
	run client smtplib "$p"
	[ "$output" = "$TXN_OK" ]
	kill -0 "$ACCEPTOR"
}

@test "--max-sessions 2: the third connection gets the acceptor's 421 4.3.2 and is closed; not counted" {
	local p
	read -r p < <(free_ports 1)
	start_acceptor "$p" -- --max-sessions 2 --port 25409
	third_gets "$p" '421 4.3.2 Too many connections, try again later'
	kill -TERM "$ACCEPTOR"
	reaped 10
	log_has "$LOG" "[(e['reason'], e['port'], e['client_ip']) for e in f('SMTP connection refused')] == [('max_sessions', 25409, '127.0.0.1')]" \
		"[e for e in ev if e['message'] == 'SMTP connection refused'][0]['level'] == 'WARN'" \
		"f('SMTP acceptor started') == [{'max_sessions': 2, 'sockets': 1}]" \
		"f('SMTP acceptor stopped') == [{'sessions_served': 3}]"
}

@test "--max-sessions 0 is a configuration error (exit 100)" {
	run "$BADSMTP_BIN" --max-sessions 0 < /dev/null
	[ "$status" -eq 100 ]
	[[ $output == *"--max-sessions: invalid value '0'"* ]]
	[ "$output" = "badsmtp-session: --max-sessions: invalid value '0' (see --help)" ]
}

@test "--idle-exit: the acceptor exits 0 once idle that long, not while a session runs" {
	local p start status
	read -r p < <(free_ports 1)
	# 150 s x 0.01 = 1.5 s
	start_acceptor "$p" -- --idle-exit 150 --port 25409
	exec 5<> "/dev/tcp/127.0.0.1/$p"
	IFS= read -r -t 10 greeting <&5
	sleep 2.5
	kill -0 "$ACCEPTOR"   # a session is running: no idle exit
	exec 5<&-
	start=$(date +%s%N)
	reaped 10
	ms=$((($(date +%s%N) - start) / 1000000))
	echo "exit $status after $ms ms"
	[ "$status" -eq 0 ]
	[ "$ms" -ge 1000 ] && [ "$ms" -lt 6000 ]
	log_has "$LOG" "f('SMTP acceptor stopped') == [{'sessions_served': 1}]"
}

@test "a client that never speaks does not hold up the others" {
	local p
	read -r p < <(free_ports 1)
	export BADSMTP_TIME_SCALE=1
	start_acceptor "$p" --
	client silent "$p" > /dev/null &
	OTHERS+=($!)
	client silent "$p" > /dev/null &
	OTHERS+=($!)
	sleep 0.3
	for i in $(seq 10); do
		run client smtplib "$p"
		[ "$output" = "$TXN_OK" ] || { echo "session $i: $output"; false; }
	done
	[ "$(children | wc -l)" -eq 2 ]
}

@test "a session killed with SIGKILL mid-DATA leaves nothing in new/, and the acceptor serves on" {
	local p child md=$BATS_TEST_TMPDIR/md
	read -r p < <(free_ports 1)
	export BADSMTP_TIME_SCALE=1
	start_acceptor "$p" -- --maildir "$md"
	coproc MID { client middata "$p"; }
	exec {mid}<&"${MID[0]}"
	IFS= read -r -t 30 line <&"$mid"
	[ "$line" = ready ]
	child=$(children)
	[ "$(wc -w <<< "$child")" -eq 1 ]
	sleep 0.2
	kill -KILL "$child"
	IFS= read -r -t 30 line <&"$mid"
	exec {mid}<&-
	[ "$line" = eof ]
	[ -z "$(ls "$md/new")" ]
	run client smtplib "$p"
	[ "$output" = "$TXN_OK" ]
	[ "$(ls "$md/new" | wc -l)" -eq 1 ]
	! grep -rq 'half a body' "$md/new"
}

@test "2,000 connections at once are all served (the backlog is the launcher's)" {
	local p
	[ "$(ulimit -n)" -ge 2100 ] || ulimit -n 4096 || skip "cannot open 2,000 sockets"
	read -r p < <(free_ports 1)
	start_acceptor "$p" -- --max-sessions 4000 --log-target file:/dev/null
	run client flood "$p" 2000
	echo "$output"
	[ "$output" = "ok=2000 bad=0" ]
	# the listening socket's backlog (ss: Send-Q) is still the launcher's, the kernel's maximum
	backlog=$(ss -Hltn "sport = :$p" | awk '{ print $3 }')
	echo "backlog $backlog, net.core.somaxconn $(cat /proc/sys/net/core/somaxconn)"
	[ "$backlog" -eq "$(cat /proc/sys/net/core/somaxconn)" ]
}

@test "a fork that fails (RLIMIT_NPROC): the connection gets 421 4.3.2, the acceptor lives on" {
	local p uid=61998
	[ "$(id -u)" = 0 ] || skip "needs root to run the acceptor as an otherwise unused user"
	command -v setpriv > /dev/null || skip "setpriv is missing (util-linux)"
	[ -z "$(ps -U "$uid" -o stat= | grep -v Z)" ] || skip "uid $uid has processes"
	read -r p < <(free_ports 1)
	# a log the user can write, in a directory it can reach
	LOG=$(mktemp -d /tmp/badsmtp-nproc.XXXXXX)/log
	chmod 0755 "${LOG%/log}"
	: > "$LOG"
	chown "$uid" "$LOG"
	# the acceptor and two sessions: the third fork fails with EAGAIN
	setsid systemd-socket-activate -l "127.0.0.1:$p" -E BADSMTP_TIME_SCALE \
		setpriv --reuid="$uid" --regid="$uid" --clear-groups \
		bash -c 'ulimit -u 3 && exec "$0" "$@"' "$BADSMTP_BIN" --log-target "file:$LOG" --port 25409 \
		> /dev/null 2> "$BATS_TEST_TMPDIR/launcher.err" 3>&- &
	ACCEPTOR=$!
	wait_listen "$p"
	third_gets "$p" '421 4.3.2 Cannot start a session now, try again later'
	kill -0 "$ACCEPTOR"
	log_has "$LOG" "[e['reason'] for e in f('SMTP connection refused')] == ['fork_failed']"
	rm -rf "${LOG%/log}"
}

@test "inetd wait: a listening socket on fd 0 makes an acceptor; sessions log their own client port" {
	local p
	read -r p < <(free_ports 1)
	"$PY" -c '
import os, socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(128)
os.dup2(s.fileno(), 0); os.dup2(s.fileno(), 1); s.close()
os.execv(sys.argv[2], sys.argv[2:])' "$p" "$BADSMTP_BIN" --log-target "file:$LOG" --maildir "$BATS_TEST_TMPDIR/md" \
		2> "$BATS_TEST_TMPDIR/launcher.err" 3>&- &
	ACCEPTOR=$!
	wait_listen "$p"
	run client smtplib "$p"
	[ "$output" = "$TXN_OK" ]
	run client smtplib "$p"
	[ "$output" = "$TXN_OK" ]
	log_has "$LOG" "f('SMTP acceptor started') == [{'max_sessions': 512, 'sockets': 1}]" \
		"[(e['profile'], e['port'], e['client_ip']) for e in f('SMTP connection established')] == [('plain', $p, '127.0.0.1')] * 2"
	[ "$(ls "$BATS_TEST_TMPDIR/md/new" | wc -l)" -eq 2 ]
	kill -TERM "$ACCEPTOR"
	reaped 10
	[ "$status" -eq 0 ]
}

@test "xinetd wait = yes, from the shipped entries: plain, starttls-required and drop, one acceptor per port" {
	local pp pt pd conf=$BATS_TEST_TMPDIR/xinetd.conf
	read -r pp pt pd < <(free_ports 3)
	# a log user nobody can write, in a directory it can reach
	LOG=$(mktemp -d /tmp/badsmtp-xinetd.XXXXXX)/log
	chmod 0755 "${LOG%/log}"
	: > "$LOG"
	chown nobody "$LOG"
	xinetd_conf yes "--log-target file:$LOG" 2525:$pp 25587:$pt 25605:$pd
	setsid xinetd -dontfork -f "$conf" -pidfile "$BATS_TEST_TMPDIR/xinetd.pid" \
		> /dev/null 2> "$BATS_TEST_TMPDIR/launcher.err" 3>&- &
	ACCEPTOR=$!
	wait_listen "$pp"
	wait_listen "$pt"
	wait_listen "$pd"
	run client smtplib "$pp"
	[ "$output" = "$TXN_OK" ]
	run client smtplib "$pp"
	[ "$output" = "$TXN_OK" ]
	run client starttls "$pt"
	[[ $output == "220 250 noop="* ]]
	run client drop "$pd"
	[[ $output == "bytes=0 "* ]]
	# one acceptor per port that saw a connection, the plain one serving both of its sessions
	log_has "$LOG" "len(f('SMTP acceptor started')) == 3" \
		"sorted(e['profile'] for e in f('SMTP connection established')) == ['drop-30', 'plain', 'plain', 'starttls-required']"
	[ "$(pgrep -P "$ACCEPTOR" -c)" -eq 3 ]
	rm -rf "${LOG%/log}"
}
