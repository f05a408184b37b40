#!/usr/bin/env bats
# Fault injection: whatever the client or the machine does, nothing accepted is lost
# and nothing half-written remains. The client vanishes at every stage (before the greeting,
# mid-command, mid-body after 354, after the final dot before the 250, inside a BDAT chunk,
# inside the TLS handshake); the Maildir fills up (tmpfs when root can mount one, and always
# RLIMIT_FSIZE), cannot be created or written, or cannot take the rename; the certificate cache
# is unwritable; a slowloris client; 10,000 pipelined commands; a 100 MB body against the
# 10 MB limit with flat memory.
# Every test checks the Maildir with expect_maildir_count (files in new/, tmp/ empty).

load helpers

PY=/usr/bin/python3

setup() {
	common_setup
	MD=$T/md
	MOUNTED=
}

teardown() {
	smtp_kill
	if [ -n "$MOUNTED" ]; then
		umount "$MOUNTED" 2> /dev/null || umount -l "$MOUNTED" 2> /dev/null || true
	fi
}

# msg_input: EHLO, MAIL, RCPT, DATA (the lines of a transaction up to the body).
msg_head() {
	smtp_append 'MAIL FROM:<a@example.com>' 'RCPT TO:<b@example.com>' 'DATA'
}

# drive PYTHON-FILE ARGS...: run a client script with the binary's path in $BIN.
drive() {
	BIN=$BADSMTP_BIN timeout 120 "$PY" - "$@"
}

# ---- the client goes away ------------------------------------------------------------------

@test "client gone before the greeting: no crash, nothing stored" {
	local ps
	timeout 10 "$BADSMTP_BIN" --maildir "$MD" < /dev/null 2> "$SMTP_ERR" | true
	ps=("${PIPESTATUS[@]}")
	# EOF on input is the client's doing (0); the greeting's write into a closed pipe must
	# not kill us (SIGPIPE is ignored)
	[ "${ps[0]}" -eq 0 ] || { echo "exit status ${ps[0]}"; cat "$SMTP_ERR"; false; }
	expect_no_mail "$MD"
}

@test "client gone mid-command: the partial line is dropped, exit 0" {
	want_ehlo
	smtp_input 'EHLO client.example'
	smtp_append_raw 'MAIL FROM:<a@exa'
	smtp_session --maildir "$MD"
	expect_status 0
	expect_out "$G" "${WANT[@]}"
	expect_no_mail "$MD"
}

@test "client gone after 354 mid-body: the earlier message stays, the partial one leaves nothing" {
	want_ehlo
	smtp_input 'EHLO client.example'
	msg_head
	smtp_append 'first message' '.'
	msg_head
	smtp_append_raw 'Subject: half\r\n\r\nthis body never ends'
	smtp_session --maildir "$MD"
	expect_status 0
	expect_out "$G" "${WANT[@]}" '250 OK' '250 OK' "$GO_AHEAD" "$ACCEPTED" '250 OK' '250 OK' "$GO_AHEAD"
	expect_maildir_count "$MD" 1
	printf 'first message\r\n' > "$T/body"
	expect_stored "$(maildir_files "$MD")" a@example.com b@example.com client.example ESMTP "$T/body"
}

@test "client gone after the final dot, before reading the 250: exactly one complete file" {
	drive "$MD" << 'EOF'
import os, subprocess, sys
md = sys.argv[1]
p = subprocess.Popen([os.environ['BIN'], '--maildir', md], stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
def reply():
    lines = []
    while True:
        l = p.stdout.readline()
        assert l.endswith(b'\r\n'), f'reply line cut: {l!r}'
        lines.append(l)
        if l[3:4] == b' ':
            return b''.join(lines)
reply()
for c in (b'EHLO x', b'MAIL FROM:<a@example.com>', b'RCPT TO:<b@example.com>', b'DATA'):
    p.stdin.write(c + b'\r\n'); p.stdin.flush()
    r = reply()
assert r.startswith(b'354'), r
body = b''.join(b'line %d of the body\r\n' % i for i in range(2000))
p.stdin.write(body + b'.\r\n'); p.stdin.flush()
# hang up both ways without reading the 250
p.stdout.close(); p.stdin.close()
rc = p.wait(timeout=30)
assert rc == 0, f'exit status {rc}'
new = os.listdir(os.path.join(md, 'new'))
tmp = os.listdir(os.path.join(md, 'tmp'))
assert tmp == [], f'left in tmp/: {tmp}'
# the message was whole when the dot came: it must be kept, whole
assert len(new) == 1, f'files in new/: {new}'
data = open(os.path.join(md, 'new', new[0]), 'rb').read()
assert data.split(b'\r\n', 3)[3] == body, 'stored body differs'
EOF
}

@test "client gone inside a BDAT chunk: nothing stored, nothing left in tmp/" {
	want_ehlo
	smtp_input 'EHLO client.example' 'MAIL FROM:<a@example.com>' 'RCPT TO:<b@example.com>' 'BDAT 6'
	smtp_append_raw 'chunk1BDAT 100 LAST\r\nonly forty octets of the hundred promised'
	smtp_session --maildir "$MD"
	expect_status 0
	expect_out "$G" "${WANT[@]}" '250 OK' '250 OK' '250 OK'
	expect_maildir_count "$MD" 0
}

@test "client gone inside the TLS handshake: exit 1, nothing stored, the failure logged" {
	want_ehlo
	smtp_input 'EHLO client.example' 'STARTTLS'
	# the first bytes of a TLS 1.2 ClientHello record, then EOF
	smtp_append_raw '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03'
	smtp_session --maildir "$MD" --cert-cache "$T/certs"
	expect_status 1
	expect_out "$G" "${WANT[@]}" '220 Ready to start TLS'
	expect_no_mail "$MD"
	log_check 'assert len(by("TLS handshake failed")) == 1'
}

# ---- storage failures ----------------------------------------------------------------------

# storage_session FLAGS...: a message too big for the storage (300 KiB), then a small one, in
# one session. Expect 452 for the first, 250 for the second, one file, tmp/ empty.
storage_session() {
	want_ehlo
	make_body 307200 "$T/big"
	smtp_input 'EHLO client.example'
	msg_head
	smtp_append_file "$T/big"
	smtp_append '.'
	msg_head
	smtp_append 'small' '.' 'QUIT'
	"$@"
	expect_status 0
	expect_out "$G" "${WANT[@]}" '250 OK' '250 OK' "$GO_AHEAD" \
		'452 Requested action not taken: insufficient system storage' \
		'250 OK' '250 OK' "$GO_AHEAD" "$ACCEPTED" "$BYE"
	expect_maildir_count "$MD" 1
	printf 'small\r\n' > "$T/body"
	expect_stored "$(maildir_files "$MD")" a@example.com b@example.com client.example ESMTP "$T/body"
}

@test "disk full (a 64 KiB tmpfs): 452, no file, tmp/ empty, the session goes on" {
	[ "$(id -u)" -eq 0 ] || skip "mounting a tmpfs needs root"
	mkdir -p "$MD"
	mount -t tmpfs -o size=64k badsmtp-full "$MD" 2> /dev/null || skip "cannot mount a tmpfs here"
	MOUNTED=$MD
	storage_session smtp_session --maildir "$MD"
	log_check 'assert len(by("SMTP message storage failed")) == 1'
}

# RLIMIT_FSIZE: write() fails with EFBIG; SIGXFSZ must not kill the process (it is ignored).
ulimit_session() {
	local infd
	exec {infd}< "$SMTP_IN"
	status=0
	(ulimit -f 64 && exec "$BADSMTP_BIN" "$@") <&"$infd" > "$SMTP_OUT" 2> "$SMTP_ERR" || status=$?
	exec {infd}<&-
	output=$(cat -v "$SMTP_OUT")
}

@test "file size limit (ulimit -f 64, EFBIG): 452, no file, tmp/ empty, no SIGXFSZ death" {
	storage_session ulimit_session --maildir "$MD"
}

@test "Maildir path under a regular file: 452 for every message, the session goes on" {
	want_ehlo
	: > "$T/file"
	smtp_input 'EHLO client.example'
	msg_head
	smtp_append 'one' '.' 'NOOP'
	msg_head
	smtp_append 'two' '.' 'QUIT'
	smtp_session --maildir "$T/file/md"
	expect_status 0
	local s='452 Requested action not taken: insufficient system storage'
	expect_out "$G" "${WANT[@]}" '250 OK' '250 OK' "$GO_AHEAD" "$s" '250 OK' '250 OK' '250 OK' \
		"$GO_AHEAD" "$s" "$BYE"
	[ -f "$T/file" ] && [ ! -s "$T/file" ]
}

@test "Maildir new/ is not a directory: the rename fails, 452, tmp/ left empty" {
	mkdir -p "$MD/tmp" "$MD/cur"
	: > "$MD/new"
	want_ehlo
	smtp_input 'EHLO client.example'
	msg_head
	smtp_append 'body' '.' 'QUIT'
	smtp_session --maildir "$MD"
	expect_status 0
	expect_out "$G" "${WANT[@]}" '250 OK' '250 OK' "$GO_AHEAD" \
		'452 Requested action not taken: insufficient system storage' "$BYE"
	[ -z "$(ls -A "$MD/tmp")" ] || { ls -la "$MD/tmp"; false; }
}

@test "Maildir not writable for the user (setpriv to nobody): 452, nothing anywhere" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to drop to nobody"
	command -v setpriv > /dev/null || skip "setpriv is missing (util-linux)"
	mkdir -p "$MD"
	chmod 0755 "$MD" "$T"
	want_ehlo
	smtp_input 'EHLO client.example'
	msg_head
	smtp_append 'body' '.' 'QUIT'
	local infd
	exec {infd}< "$SMTP_IN"
	status=0
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$BADSMTP_BIN" --maildir "$MD" <&"$infd" > "$SMTP_OUT" 2> "$SMTP_ERR" || status=$?
	exec {infd}<&-
	expect_status 0
	expect_out "$G" "${WANT[@]}" '250 OK' '250 OK' "$GO_AHEAD" \
		'452 Requested action not taken: insufficient system storage' "$BYE"
	expect_no_mail "$MD"
	[ -z "$(ls -A "$MD")" ] || { ls -laR "$MD"; false; }
}

@test "certificate cache unwritable (/proc/x): TLS still works with an in-memory certificate" {
	command -v swaks > /dev/null || skip "swaks is missing (apt-get install swaks)"
	# real time: making a certificate must fit in the handshake's time bound, unscaled
	export BADSMTP_TIME_SCALE=1
	run timeout 60 swaks --pipe "$BADSMTP_BIN --cert-cache /proc/x --maildir $MD --log-target file:$T/log" \
		--tls --from a@example.com --to b@example.com
	echo "$output"
	cat "$T/log"
	[ "$status" -eq 0 ]
	grep -Fqx '<-  220 Ready to start TLS' <<< "$output"
	grep -Fqx '<~  250 OK Message accepted for delivery' <<< "$output"
	expect_maildir_count "$MD" 1
	/usr/bin/python3 - "$T/log" << 'EOF'
import json, sys
ev = [json.loads(line) for line in open(sys.argv[1])]
w = [e for e in ev if e['message'] == 'TLS certificate cache not usable, certificate kept in memory']
assert [(e['level'], e['fields']['sni']) for e in w] == [('WARN', 'badsmtp.test')], ev
assert w[0]['fields']['error'].startswith('/proc/x: '), w
assert [e['level'] for e in ev if e['message'] == 'TLS handshake successful'] == ['INFO'], ev
EOF
}

# ---- hostile clients -----------------------------------------------------------------------

# bats test_tags=timing
@test "slowloris (1 byte a second) meets the command timeout: 421 within the bound, exit 1" {
	# --timeout 300 at scale 0.01: 3 s for a whole command line, however it trickles in
	drive << 'EOF'
import os, subprocess, time
p = subprocess.Popen([os.environ['BIN'], '--timeout', '300'], stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
assert p.stdout.readline().startswith(b'220 ')
os.set_blocking(p.stdout.fileno(), False)
t0, sent, got = time.monotonic(), 0, b''
line = b'NOOP this line arrives one octet a second\r\n'
while p.poll() is None and time.monotonic() - t0 < 20:
    try:
        p.stdin.write(line[sent % len(line):sent % len(line) + 1]); p.stdin.flush()
        sent += 1
    except BrokenPipeError:
        break
    time.sleep(1)
    try:
        got += os.read(p.stdout.fileno(), 4096) or b''
    except BlockingIOError:
        pass
rc = p.wait(timeout=10)
elapsed = time.monotonic() - t0
got += p.stdout.read() or b''
assert got == b'421 Timeout, closing transmission channel\r\n', got
assert rc == 1, rc
assert 2.5 <= elapsed < 8, f'timed out after {elapsed:.1f} s'
assert sent < len(line), f'the whole line ({sent} octets) got through'
EOF
}

# bats test_tags=heavy
@test "10,000 pipelined commands in one write: 10,000 replies, in order" {
	want_ehlo
	smtp_input 'EHLO client.example'
	"$PY" -c '
import sys
out = []
for i in range(10000):
    out.append(b"VRFY exists%d@Example.COM\r\n" % i if i % 2 == 0 else b"NOOP %d\r\n" % i)
sys.stdout.buffer.write(b"".join(out) + b"QUIT\r\n")' >> "$SMTP_IN"
	SMTP_LIMIT=120 smtp_session
	expect_status 0
	"$PY" - "$SMTP_OUT" << 'EOF'
import sys
lines = open(sys.argv[1], 'rb').read().split(b'\r\n')
assert lines[-1] == b''
lines = lines[:-1]
ehlo_end = next(i for i, l in enumerate(lines) if l == b'250 OK')
got = lines[ehlo_end + 1:]
want = [b'250 exists%d@example.com User exists' % i if i % 2 == 0 else b'250 OK'
        for i in range(10000)] + [b'221 Bye']
assert len(got) == len(want), f'{len(got)} replies, want {len(want)}'
for i, (g, w) in enumerate(zip(got, want)):
    assert g == w, f'reply {i}: got {g!r}, want {w!r}'
EOF
}

# bats test_tags=heavy
@test "a 100 MB body against the 10 MB limit: 552, nothing stored, memory stays flat" {
	[ -x /usr/bin/time ] || skip "/usr/bin/time is missing (apt-get install time)"
	drive "$MD" 100 << 'EOF'
import os, subprocess, sys, threading
md, mb = sys.argv[1], int(sys.argv[2])
rss_file = os.path.join(os.path.dirname(md), 'rss')

def session(body_lines):
    """One session; returns (stdout, peak RSS in KiB of the session process)."""
    p = subprocess.Popen(['/usr/bin/time', '-f', '%M', '-o', rss_file, os.environ['BIN'],
                          '--maildir', md], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = []
    t = threading.Thread(target=lambda: out.append(p.stdout.read()))
    t.start()
    p.stdin.write(b'EHLO x\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n')
    line = b'x' * 1022 + b'\r\n'
    block = line * 1024                      # 1 MiB
    for _ in range(body_lines // 1024):
        p.stdin.write(block)
    p.stdin.write(line * (body_lines % 1024))
    p.stdin.write(b'.\r\nQUIT\r\n')
    p.stdin.close()
    assert p.wait() == 0, p.returncode
    t.join()
    return out[0], int(open(rss_file).read().split()[-1])

small_out, small_rss = session(4)
big_out, big_rss = session(mb * 1024)
assert small_out.split(b'\r\n')[-3] == b'250 OK Message accepted for delivery', small_out[-200:]
want = b'552 Message size exceeds fixed maximum of 10485760 bytes'
assert big_out.split(b'\r\n')[-3] == want, big_out[-200:]
new = os.listdir(os.path.join(md, 'new'))
tmp = os.listdir(os.path.join(md, 'tmp'))
assert len(new) == 1 and tmp == [], (new, tmp)          # the small message only
print(f'peak RSS: small message {small_rss} KiB, {mb} MB body {big_rss} KiB')
assert big_rss - small_rss <= 1024, f'memory grew by {big_rss - small_rss} KiB'
EOF
}
