# helpers.bash: what the TCP suites share (load helpers). Ports are picked free at random, never
# assumed; logs are JSON lines checked with python asserts; client.py beside it is the client.

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
BADSMTP_BIN=${BADSMTP_BIN:-$REPO/src/badsmtp-session}
PY=/usr/bin/python3

# need_launcher: skip unless the binary and systemd-socket-activate are there
need_launcher() {
	[ -x "$BADSMTP_BIN" ] || skip "no binary at $BADSMTP_BIN (run make)"
	command -v systemd-socket-activate > /dev/null ||
		skip "systemd-socket-activate is missing (apt-get install systemd)"
}

# client MODE PORT [ARG...]: test/integration/client.py, bounded
client() {
	timeout 120 "$PY" "$BATS_TEST_DIRNAME/client.py" "$@"
}

# free_ports N: N free TCP ports on 127.0.0.1 (held together while chosen, so they differ)
free_ports() {
	/usr/bin/python3 -c '
import socket, sys
ss = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in ss: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))' "$1"
}

# fail LINE...: the lines on stderr (bats shows them under the failed test), then false
fail() {
	printf '%s\n' "$@" >&2
	return 1
}

# wait_launcher LOG PORT: within 5 s systemd-socket-activate says in LOG that it listens on PORT
# (no probe connection: on a TLS port it would be a failed handshake in the session log)
wait_launcher() {
	local i
	for ((i = 0; i < 100; i++)); do
		grep -q "Listening on 127.0.0.1:$2 " "$1" 2> /dev/null && return 0
		sleep 0.05
	done
	cat "$1" >&3
	return 1
}

# wait_listen PORT: something listens on PORT within 5 s
wait_listen() {
	for _ in $(seq 100); do
		ss -Hltn "sport = :$1" | grep -q . && return 0
		sleep 0.05
	done
	echo "nothing listens on $1"
	return 1
}

# log_has LOG PYTHON-EXPR...: each expression is true of the JSON events in LOG (ev: the list;
# f(m): the fields of every event with message m), within 3 s (the log may lag the wire).
log_has() {
	local log=$1 i
	shift
	for i in $(seq 30); do
		/usr/bin/python3 - "$log" "$@" > "$BATS_TEST_TMPDIR/log_has.out" 2>&1 <<'PY' && return 0
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def f(m): return [e["fields"] for e in ev if e["message"] == m]
for expr in sys.argv[2:]:
    assert eval(expr), f"not true: {expr}\n" + "\n".join(json.dumps(e) for e in ev[-12:])
PY
		sleep 0.1
	done
	cat "$BATS_TEST_TMPDIR/log_has.out"
	return 1
}

# stop_pids PID...: SIGTERM to each and to its children first (an xinetd's wait-mode acceptors
# outlive it, holding their ports and this suite's output open), up to 3 s to end, then SIGKILL
# to what is left of them and their children; reaped, without a word.
stop_pids() {
	local pid
	for pid; do
		pkill -TERM -P "$pid" 2> /dev/null || true
		kill -TERM "$pid" 2> /dev/null || true
	done
	for pid; do
		for _ in $(seq 30); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
		pkill -KILL -P "$pid" 2> /dev/null || true
		kill -KILL "$pid" 2> /dev/null || true
		wait "$pid" 2> /dev/null || true
	done
}

# xinetd_conf WAIT ARGS DEFAULT_PORT:TEST_PORT...: $BATS_TEST_TMPDIR/xinetd.conf holding, for
# each default port, its shipped xinetd service whose wait is WAIT (yes: wait mode, no: one
# process per connection), moved to the test port (server_args, and so --port DEFAULT_PORT,
# unchanged), enabled, with ARGS added to its server_args. Skips without xinetd or root.
xinetd_conf() {
	local wait=$1 args=$2 conf=$BATS_TEST_TMPDIR/xinetd.conf bindir pair from to
	shift 2
	command -v xinetd > /dev/null || skip "xinetd is missing (apt-get install xinetd)"
	[ "$(id -u)" = 0 ] || skip "xinetd needs root to switch to user nobody"
	bindir=$(cd "$(dirname "$BADSMTP_BIN")" && pwd)
	printf 'defaults\n{\n}\n' > "$conf"
	for pair; do
		from=${pair%%:*} to=${pair#*:}
		cat "$REPO"/inetd/xinetd.d/badsmtp-* | awk -v p="$from" -v w="$wait" '
			/^service /{ b = "" } { b = b $0 "\n" }
			/^}/{ if (b ~ "\n\tport\t*= " p "\n" && b ~ "\n\twait\t*= " w "\n") printf "%s", b; b = "" }' |
			sed -e "s|@BINDIR@|$bindir|" -e "s/^\(\tport\t*= \)$from\$/\1$to/" \
				-e "s/^service .*/service badsmtp-test-$to/" -e "s/^\(\tid\t*= \).*/\1badsmtp-test-$to/" \
				-e "s/^\(\tdisable\t*= \)yes\$/\1no/" \
				-e "s|^\(\tserver_args\t*= .*\)|\1${args:+ $args}|" >> "$conf"
		grep -q "port		= $to" "$conf" || { echo "no shipped xinetd entry (wait = $wait) for $from"; return 1; }
	done
}
