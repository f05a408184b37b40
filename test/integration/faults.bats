#!/usr/bin/env bats
# Fault injection over TCP: 300 concurrent sessions under
# `systemd-socket-activate --inetd -a`, each delivering one message. Every "250 OK Message
# accepted for delivery" must have exactly one complete file in the Maildir (its own unique
# body, whole), the number of files must equal the number of 250s, and nothing may be left in
# tmp/. The client is python3 with one thread per session.
# bats file_tags=tcp

load helpers

setup() {
	need_launcher
	[ -x "$PY" ] || skip "no $PY"
	LAUNCHER=
	unset BADSMTP_PROFILE BADSMTP_PORT BADSMTP_MAILDIR BADSMTP_LOG_TARGET BADSMTP_LOG_FORMAT
	export BADSMTP_TIME_SCALE=1
}

teardown() {
	if [ -n "$LAUNCHER" ]; then
		kill -TERM -- "-$LAUNCHER" 2> /dev/null || kill -TERM "$LAUNCHER" 2> /dev/null || true
		for _ in $(seq 50); do kill -0 "$LAUNCHER" 2> /dev/null || break; sleep 0.1; done
		kill -KILL -- "-$LAUNCHER" 2> /dev/null || true
	fi
}

# bats test_tags=heavy
@test "300 concurrent sessions: every 250 has exactly one complete file, files = 250s" {
	local port md=$BATS_TEST_TMPDIR/md
	read -r port < <(free_ports 1)
	setsid systemd-socket-activate --inetd -a -l "127.0.0.1:$port" \
		"$BADSMTP_BIN" --maildir "$md" --log-target "file:$BATS_TEST_TMPDIR/log" \
		> "$BATS_TEST_TMPDIR/launcher.out" 2> "$BATS_TEST_TMPDIR/launcher.err" 3>&- &
	LAUNCHER=$!
	wait_listen "$port"
	timeout 240 "$PY" - "$port" "$md" 300 << 'EOF'
import os, re, socket, sys, threading
port, md, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
accepted, failures = {}, []
lock = threading.Lock()
start = threading.Barrier(n)

def reply(f):
    lines = []
    while True:
        l = f.readline()
        if not l.endswith(b'\r\n'):
            raise EOFError(f'cut reply line {l!r}')
        lines.append(l)
        if l[3:4] == b' ':
            return b''.join(lines)

def session(i):
    body = b''.join(b'session %d line %d\r\n' % (i, k) for k in range(200))
    try:
        start.wait()
        s = socket.create_connection(('127.0.0.1', port), timeout=120)
        f = s.makefile('rb')
        assert reply(f).startswith(b'220 ')
        for c in (b'EHLO c%d.example' % i, b'MAIL FROM:<s%d@example.com>' % i,
                  b'RCPT TO:<r%d@example.com>' % i, b'DATA'):
            s.sendall(c + b'\r\n')
            r = reply(f)
        assert r.startswith(b'354'), r
        s.sendall(body + b'.\r\n')
        r = reply(f)
        if r == b'250 OK Message accepted for delivery\r\n':
            with lock:
                accepted[i] = body
        s.sendall(b'QUIT\r\n')
        reply(f)
        s.close()
    except Exception as e:
        with lock:
            failures.append((i, repr(e)))

threads = [threading.Thread(target=session, args=(i,)) for i in range(n)]
for t in threads: t.start()
for t in threads: t.join()

tmp = os.listdir(os.path.join(md, 'tmp'))
assert tmp == [], f'{len(tmp)} files left in tmp/'
files = os.listdir(os.path.join(md, 'new'))
seen = {}
for name in files:
    data = open(os.path.join(md, 'new', name), 'rb').read()
    m = re.match(rb'Return-Path: <s(\d+)@example.com>\r\n', data)
    assert m, f'{name}: no Return-Path line: {data[:80]!r}'
    i = int(m.group(1))
    assert i not in seen, f'session {i} stored twice: {seen[i]} and {name}'
    seen[i] = name
    assert i in accepted, f'{name}: a file for session {i}, which got no 250'
    assert data.split(b'\r\n', 3)[3] == accepted[i], f'{name}: body of session {i} incomplete'
print(f'{len(accepted)} accepted, {len(files)} files, {len(failures)} failed sessions')
assert len(files) == len(accepted), f'{len(files)} files for {len(accepted)} 250s'
assert set(seen) == set(accepted)
# every session must have gone through: failures are listed
assert not failures, failures[:10]
EOF
}
