#!/usr/bin/env bats
# Wait mode (SPEC §15) over real sockets: one badsmtp-session handed listening sockets by
# systemd-socket-activate without -a (LISTEN_FDS), by a listening fd 0 (inetd `wait`), or by
# xinetd `wait = yes`, accepting and forking one session per connection. Profiles per socket,
# --max-sessions, --idle-exit, SIGTERM, reaping, the children's descriptors, clients that never
# speak or die mid-DATA, a flood, a fork that fails. PROXY protocol over TCP is in proxy.bats.
# bats file_tags=tcp

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
BADSMTP_BIN=${BADSMTP_BIN:-$REPO/src/badsmtp-session}
PY=/usr/bin/python3

setup_file() {
	cat > "$BATS_FILE_TMPDIR/client.py" <<'EOF'
import selectors, smtplib, socket, ssl, sys, time

HOST = "127.0.0.1"
MSG = b"Subject: wait mode\r\n\r\nhello\r\n"
mode, port = sys.argv[1], int(sys.argv[2])
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE

def connect():
    return socket.create_connection((HOST, port), timeout=30)

def read_all(s):
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            return data
        data += chunk

if mode == "txn":             # a whole transaction: the codes of the replies
    c = smtplib.SMTP(HOST, port, timeout=30)
    print(c.ehlo("wait.example")[0], c.mail("a@example.com")[0], c.rcpt("b@example.com")[0],
          c.data(MSG)[0], c.quit()[0])
elif mode == "greet":         # the greeting line, and how long it took
    t = time.monotonic(); s = connect(); f = s.makefile("rb")
    line = f.readline().decode().rstrip()
    print("elapsed=%.3f line=%s" % (time.monotonic() - t, line))
    s.sendall(b"QUIT\r\n"); f.readline()
elif mode == "drop":          # bytes until EOF, and how long it took
    t = time.monotonic(); s = connect()
    print("bytes=%d elapsed=%.3f" % (len(read_all(s)), time.monotonic() - t))
elif mode == "all":           # everything the server sends until it closes
    s = connect()
    sys.stdout.write(read_all(s).decode("utf-8", "replace"))
elif mode == "starttls":      # STARTTLS, then a NOOP: its code and how long its reply took
    c = smtplib.SMTP(HOST, port, timeout=30); c.ehlo("x")
    code = c.starttls(context=ctx)[0]; c.ehlo("x")
    t = time.monotonic(); n = c.noop()[0]
    print(code, n, "noop=%.3f" % (time.monotonic() - t)); c.quit()
elif mode == "smtps":
    c = smtplib.SMTP_SSL(HOST, port, timeout=30, context=ctx)
    print(c.noop()[0], c.quit()[0])
elif mode == "hold":          # N sessions greeted; "ready"; then each one's next line and EOF
    n = int(sys.argv[3]); socks = []
    for _ in range(n):
        s = connect(); f = s.makefile("rb")
        assert f.readline().startswith(b"220 "); socks.append((s, f))
    print("ready", flush=True)
    got = {}
    for s, f in socks:
        line = f.readline().decode().rstrip(); rest = f.read()
        key = line + (" +EOF" if rest == b"" else " +more")
        got[key] = got.get(key, 0) + 1
    for k, v in sorted(got.items()): print(v, k)
elif mode == "flood":         # N connections at once, then each greeted and QUIT
    n = int(sys.argv[3]); sel = selectors.DefaultSelector(); socks = []
    for _ in range(n):
        s = socket.socket(); s.setblocking(False)
        s.connect_ex((HOST, port)); socks.append(s)
        sel.register(s, selectors.EVENT_READ, [b"", 0])
    done = 0; bad = []; deadline = time.monotonic() + 120
    while done + len(bad) < n and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=1):
            s, st = key.fileobj, key.data
            try:
                chunk = s.recv(4096)
            except OSError as e:
                bad.append(repr(e)); sel.unregister(s); continue
            if not chunk:
                bad.append(st[0][:60]); sel.unregister(s); continue
            st[0] += chunk
            if st[1] == 0 and st[0].endswith(b"\r\n"):
                if not st[0].startswith(b"220 "):
                    bad.append(st[0][:60]); sel.unregister(s); continue
                st[0] = b""; st[1] = 1; s.setblocking(True); s.sendall(b"QUIT\r\n"); s.setblocking(False)
            elif st[1] == 1 and st[0].endswith(b"\r\n"):
                if st[0] == b"221 Bye\r\n": done += 1
                else: bad.append(st[0][:60])
                sel.unregister(s)
    print("ok=%d bad=%d" % (done, len(bad)))
    for b in bad[:5]: print("bad", b)
elif mode == "silent":        # connects and holds the connection without a byte until killed
    s = connect(); print("connected", flush=True); time.sleep(3600)
elif mode == "middata":       # DATA and half a body, then "ready" and wait to be cut off
    c = socket.create_connection((HOST, port), timeout=30); f = c.makefile("rb")
    f.readline()
    for cmd in (b"EHLO x", b"MAIL FROM:<a@example.com>", b"RCPT TO:<b@example.com>", b"DATA"):
        c.sendall(cmd + b"\r\n")
        while True:
            line = f.readline()
            if line[3:4] != b"-": break
    assert line.startswith(b"354"), line
    c.sendall(b"Subject: cut\r\n\r\nhalf a body\r\n")
    print("ready", flush=True)
    print("eof" if f.read() == b"" else "more")
EOF
}

setup() {
	[ -x "$BADSMTP_BIN" ] || skip "no binary at $BADSMTP_BIN (run make)"
	command -v systemd-socket-activate > /dev/null ||
		skip "systemd-socket-activate is missing (apt-get install systemd)"
	ACCEPTOR=
	OTHERS=()
	LOG=$BATS_TEST_TMPDIR/log
	export BADSMTP_TIME_SCALE=0.01
	unset BADSMTP_PROFILE BADSMTP_PORT BADSMTP_MAILDIR BADSMTP_LOG_TARGET BADSMTP_LOG_FORMAT \
		BADSMTP_MAX_SESSIONS BADSMTP_IDLE_EXIT BADSMTP_PROXY_PROTOCOL BADSMTP_PROXY_FROM \
		LISTEN_FDS LISTEN_PID LISTEN_FDNAMES
}

teardown() {
	local pid
	for pid in $ACCEPTOR "${OTHERS[@]}"; do
		kill -TERM "$pid" 2> /dev/null || true
	done
	for pid in $ACCEPTOR "${OTHERS[@]}"; do
		for _ in $(seq 30); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
		pkill -KILL -P "$pid" 2> /dev/null || true
		kill -KILL "$pid" 2> /dev/null || true
		wait "$pid" 2> /dev/null || true
	done
}

free_ports() {
	"$PY" -c '
import socket, sys
ss = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in ss: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))' "$1"
}

wait_listen() {
	for _ in $(seq 100); do
		ss -Hltn "sport = :$1" | grep -q . && return 0
		sleep 0.05
	done
	echo "nothing listens on $1"
	return 1
}

client() {
	timeout 120 "$PY" "$BATS_FILE_TMPDIR/client.py" "$@"
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

# log_has PYTHON-EXPR...: each expression true of the JSON events in $LOG (ev: the list; f(m):
# the fields of every event with message m). Waits up to 3 s for the log to catch up.
log_has() {
	local i
	for i in $(seq 30); do
		"$PY" - "$LOG" "$@" > "$BATS_TEST_TMPDIR/log_has.out" 2>&1 <<'EOF' && return 0
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def f(m): return [e["fields"] for e in ev if e["message"] == m]
for expr in sys.argv[2:]:
    assert eval(expr), f"not true: {expr}\n" + "\n".join(json.dumps(e) for e in ev[-12:])
EOF
		sleep 0.1
	done
	cat "$BATS_TEST_TMPDIR/log_has.out"
	return 1
}

children() {
	pgrep -P "$ACCEPTOR" || true
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
	run client txn "$pp"
	echo "plain: $output"
	[ "$output" = "250 250 250 250 221" ]
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
	log_has 'f("SMTP acceptor started") == [{"max_sessions": 512, "sockets": 6}]' \
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
	run client txn "$p"
	[ "$output" = "250 250 250 250 221" ]
	run client txn "$q"
	[ "$output" = "250 250 250 250 221" ]
	log_has "sorted((e['profile'], e['port']) for e in f('SMTP connection established')) == \
		sorted([('command-delay-8', $p), ('plain', $q)])"
	kill -TERM "$ACCEPTOR"
	reaped 10
	: > "$LOG"
	start_acceptor "$p" "$q" -- --port 25601
	run client drop "$p"
	[[ $output == "bytes=0 "* ]]
	run client drop "$q"
	[[ $output == "bytes=0 "* ]]
	log_has "[e['profile'] for e in f('SMTP connection established')] == ['drop-1', 'drop-1']"
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
	log_has "len(f('SMTP connection established')) == 1" \
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
	log_has "len(f('SMTP connection closed')) == 100"
}

@test "SIGTERM with 50 sessions open: each gets 421 Service shutting down, the acceptor exits 0 within 6 s" {
	local p start status
	read -r p < <(free_ports 1)
	export BADSMTP_TIME_SCALE=1
	start_acceptor "$p" --
	coproc HOLD { client hold "$p" 50; }
	IFS= read -r -t 60 line <&"${HOLD[0]}"
	[ "$line" = ready ]
	[ "$(children | wc -l)" -eq 50 ]
	start=$(date +%s%N)
	kill -TERM "$ACCEPTOR"
	reaped 20
	ms=$((($(date +%s%N) - start) / 1000000))
	echo "acceptor exit $status after $ms ms"
	[ "$status" -eq 0 ]
	[ "$ms" -lt 6000 ]
	out=$(cat <&"${HOLD[0]}")
	echo "$out"
	[ "$out" = "50 421 Service shutting down +EOF" ]
	log_has "f('SMTP acceptor stopped') == [{'sessions_served': 50}]" \
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
	run client txn "$p"
	kill -HUP "$ACCEPTOR"
	sleep 0.2
	run client txn "$p"
	[ "$output" = "250 250 250 250 221" ]
	kill -0 "$ACCEPTOR"
}

@test "--max-sessions 2: the third connection gets the acceptor's 421 4.3.2 and is closed; not counted" {
	local p
	read -r p < <(free_ports 1)
	start_acceptor "$p" -- --max-sessions 2 --port 25409
	exec 5<> "/dev/tcp/127.0.0.1/$p"
	IFS= read -r -t 10 g1 <&5
	exec 6<> "/dev/tcp/127.0.0.1/$p"
	IFS= read -r -t 10 g2 <&6
	[[ $g1 == "220 "* && $g2 == "220 "* ]]
	run client all "$p"
	echo "third: $output"
	[ "$output" = $'421 4.3.2 Too many connections, try again later\r' ]
	[ "$(children | wc -l)" -eq 2 ]
	# a slot freed is a slot taken again
	exec 5<&-
	for _ in $(seq 50); do [ "$(children | wc -l)" -eq 1 ] && break; sleep 0.1; done
	run client greet "$p"
	[[ $output == *"line=220 badsmtp.test ESMTP BadSMTP Server" ]]
	exec 6<&-
	kill -TERM "$ACCEPTOR"
	reaped 10
	log_has "[(e['reason'], e['port'], e['client_ip']) for e in f('SMTP connection refused')] == [('max_sessions', 25409, '127.0.0.1')]" \
		"[e for e in ev if e['message'] == 'SMTP connection refused'][0]['level'] == 'WARN'" \
		"f('SMTP acceptor started') == [{'max_sessions': 2, 'sockets': 1}]" \
		"f('SMTP acceptor stopped') == [{'sessions_served': 3}]"
}

@test "--max-sessions 0 is a configuration error (exit 100)" {
	run "$BADSMTP_BIN" --max-sessions 0 < /dev/null
	[ "$status" -eq 100 ]
	[[ $output == *"--max-sessions: invalid value '0'"* ]]
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
	log_has "f('SMTP acceptor stopped') == [{'sessions_served': 1}]"
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
		run client txn "$p"
		[ "$output" = "250 250 250 250 221" ] || { echo "session $i: $output"; false; }
	done
	[ "$(children | wc -l)" -eq 2 ]
}

@test "a session killed with SIGKILL mid-DATA leaves nothing in new/, and the acceptor serves on" {
	local p child md=$BATS_TEST_TMPDIR/md
	read -r p < <(free_ports 1)
	export BADSMTP_TIME_SCALE=1
	start_acceptor "$p" -- --maildir "$md"
	coproc MID { client middata "$p"; }
	IFS= read -r -t 30 line <&"${MID[0]}"
	[ "$line" = ready ]
	child=$(children)
	[ "$(wc -w <<< "$child")" -eq 1 ]
	sleep 0.2
	kill -KILL "$child"
	IFS= read -r -t 30 line <&"${MID[0]}"
	[ "$line" = eof ]
	[ -z "$(ls "$md/new")" ]
	run client txn "$p"
	[ "$output" = "250 250 250 250 221" ]
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
	exec 5<> "/dev/tcp/127.0.0.1/$p"
	IFS= read -r -t 10 g1 <&5
	exec 6<> "/dev/tcp/127.0.0.1/$p"
	IFS= read -r -t 10 g2 <&6
	[[ $g1 == "220 "* && $g2 == "220 "* ]]
	run client all "$p"
	echo "third: $output"
	[ "$output" = $'421 4.3.2 Cannot start a session now, try again later\r' ]
	exec 5<&-
	for _ in $(seq 50); do [ "$(children | wc -l)" -eq 1 ] && break; sleep 0.1; done
	run client greet "$p"
	[[ $output == *"line=220 badsmtp.test ESMTP BadSMTP Server" ]]
	exec 6<&-
	kill -0 "$ACCEPTOR"
	log_has "[e['reason'] for e in f('SMTP connection refused')] == ['fork_failed']"
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
	run client txn "$p"
	[ "$output" = "250 250 250 250 221" ]
	run client txn "$p"
	[ "$output" = "250 250 250 250 221" ]
	log_has "f('SMTP acceptor started') == [{'max_sessions': 512, 'sockets': 1}]" \
		"[(e['profile'], e['port'], e['client_ip']) for e in f('SMTP connection established')] == [('plain', $p, '127.0.0.1')] * 2"
	[ "$(ls "$BATS_TEST_TMPDIR/md/new" | wc -l)" -eq 2 ]
	kill -TERM "$ACCEPTOR"
	reaped 10
	[ "$status" -eq 0 ]
}

@test "xinetd wait = yes, from the shipped entries: plain, starttls-required and drop, one acceptor per port" {
	command -v xinetd > /dev/null || skip "xinetd is missing (apt-get install xinetd)"
	[ "$(id -u)" = 0 ] || skip "xinetd needs root to switch to user nobody"
	local pp pt pd conf=$BATS_TEST_TMPDIR/xinetd.conf bindir pair from to
	read -r pp pt pd < <(free_ports 3)
	bindir=$(cd "$(dirname "$BADSMTP_BIN")" && pwd)
	printf 'defaults\n{\n}\n' > "$conf"
	for pair in 2525:$pp 25587:$pt 25605:$pd; do
		from=${pair%%:*} to=${pair#*:}
		# the wait = yes service of that port, moved to the test port, logging to a file
		cat "$REPO"/inetd/xinetd.d/badsmtp-* | awk -v p="$from" '
			/^service /{ b = "" } { b = b $0 "\n" }
			/^}/{ if (b ~ "\n\tport\t*= " p "\n" && b ~ "\n\twait\t*= yes\n") printf "%s", b; b = "" }' |
			sed -e "s|@BINDIR@|$bindir|" -e "s/^\(\tport\t*= \)$from\$/\1$to/" \
				-e "s/badsmtp-$from\$/badsmtp-test-$to/" \
				-e "s|^\(\tserver_args\t*= .*\)|\1 --log-target file:$LOG|" >> "$conf"
		grep -q "port		= $to" "$conf" || { echo "no shipped xinetd wait entry for $from"; false; }
	done
	# a log user nobody can write, in a directory it can reach
	LOG=$(mktemp -d /tmp/badsmtp-xinetd.XXXXXX)/log
	chmod 0755 "${LOG%/log}"
	: > "$LOG"
	chown nobody "$LOG"
	sed -i "s|file:$BATS_TEST_TMPDIR/log|file:$LOG|" "$conf"
	setsid xinetd -dontfork -f "$conf" -pidfile "$BATS_TEST_TMPDIR/xinetd.pid" \
		> /dev/null 2> "$BATS_TEST_TMPDIR/launcher.err" 3>&- &
	ACCEPTOR=$!
	wait_listen "$pp"
	wait_listen "$pt"
	wait_listen "$pd"
	run client txn "$pp"
	[ "$output" = "250 250 250 250 221" ]
	run client txn "$pp"
	[ "$output" = "250 250 250 250 221" ]
	run client starttls "$pt"
	[[ $output == "220 250 noop="* ]]
	run client drop "$pd"
	[[ $output == "bytes=0 "* ]]
	# one acceptor per port that saw a connection, the plain one serving both of its sessions
	log_has "len(f('SMTP acceptor started')) == 3" \
		"sorted(e['profile'] for e in f('SMTP connection established')) == ['drop-30', 'plain', 'plain', 'starttls-required']"
	[ "$(pgrep -P "$ACCEPTOR" -c)" -eq 3 ]
	rm -rf "${LOG%/log}"
}
