# helpers.bash: shared helpers for the bats suites that drive src/badsmtp-session through pipes.
#
# Two ways to talk to the binary:
#   pipelined: smtp_input/smtp_append build the whole client input, smtp_session feeds it in one
#              go (a pipe) and captures stdout, stderr and the exit status separately, under
#              `timeout`; expect_out then compares stdout byte for byte (CRLF-aware).
#   lock-step: smtp_start runs the binary as a bash coproc; smtp_send writes one command,
#              smtp_expect reads one complete reply (multi-line aware) with a read timeout and
#              compares it; smtp_close/smtp_wait end the session and collect the exit status.
# Every helper that checks something prints "got X, want Y" and returns 1 on a mismatch.
#
# Tags (`# bats test_tags=...` before a test, `# bats file_tags=...` for a whole file) say what a
# test needs, so that each run picks its tests with `bats --filter-tags` instead of lists of
# files to leave out (the Makefile says which run takes which tags):
#   release  needs the release binaries: the static badsmtp-session, the handoff to its twin,
#            ldd and /proc/PID/maps checks, the twin-missing cases (LINK=dynamic has no twin)
#   heavy    100 MB bodies, 10,000 pipelined commands, peak RSS measurements, hundreds of
#            concurrent sessions: too slow, or meaningless, under a sanitizer or valgrind
#   timing   asserts a wall-clock bound or waits real seconds: not under valgrind
#   tcp      real sockets and launchers (systemd-socket-activate, xinetd)
#   units    boots systemd in a container (systemd-nspawn): root, and the default ports free
#   smoke    the few sessions that make up the valgrind smoke run of `make check`

# bats-support/bats-assert are not loaded: sourcing them costs more per test than the session
# under test (the suite runs ~300 tests), and every check here prints its own "got/want".
fail() {
	printf '%s\n' "$@"
	return 1
}

BADSMTP_BIN=${BADSMTP_BIN:-$BATS_TEST_DIRNAME/../../src/badsmtp-session}
export LC_ALL=C

G='220 badsmtp.test ESMTP BadSMTP Server'
EHLO_DEFAULT=(
	'250-badsmtp.test'
	'250-AUTH PLAIN LOGIN CRAM-MD5 CRAM-SHA256 XOAUTH2'
	'250-8BITMIME'
	'250-SIZE 10485760'
	'250-PIPELINING'
	'250-STARTTLS'
	'250-CHUNKING'
	'250-SMTPUTF8'
	'250-ENHANCEDSTATUSCODES'
	'250 OK'
)
ACCEPTED='250 OK Message accepted for delivery'
GO_AHEAD='354 End data with <CR><LF>.<CR><LF>'
BYE='221 Bye'

# Every test starts from a clean environment: no BADSMTP_* setting leaks in from the caller (CI,
# a developer's shell), and no JOURNAL_STREAM sends the logs to journald.
common_setup() {
	local v
	for v in $(compgen -e); do
		case $v in
		BADSMTP_BIN) ;;
		BADSMTP_*) unset "$v" ;;
		esac
	done
	unset JOURNAL_STREAM LISTEN_FDS LISTEN_PID LISTEN_FDNAMES
	export BADSMTP_TIME_SCALE=0.01
	[ -x "$BADSMTP_BIN" ] || fail "BADSMTP_BIN=$BADSMTP_BIN is not an executable (run make)"
	T=$BATS_TEST_TMPDIR
	SMTP_IN=$T/smtp.in
	SMTP_OUT=$T/smtp.out
	SMTP_ERR=$T/smtp.err
	: > "$SMTP_IN"
	SMTP_HOLD=
	SMTP_LIMIT=15
	SMTP_PID=
}

setup() {
	common_setup
}

teardown() {
	smtp_kill
}

# --- time --------------------------------------------------------------------------------------

# now_us: wall clock in microseconds (printed). now_us_to VAR: the same into VAR, without a fork.
now_us() {
	local t=$EPOCHREALTIME
	echo $((10#${t//[.,]/}))
}
now_us_to() {
	local t=$EPOCHREALTIME
	printf -v "$1" '%s' $((10#${t//[.,]/}))
}

# between NAME VALUE_MS LO_MS HI_MS: LO <= VALUE < HI. A test that uses it is tagged timing.
between() {
	if [ "$2" -lt "$3" ] || [ "$2" -ge "$4" ]; then
		fail "$1 took $2 ms, want >= $3 ms and < $4 ms"
	fi
}

# --- building input ----------------------------------------------------------------------------

# smtp_input LINE...: the client input is these lines, each ended with CRLF.
smtp_input() {
	: > "$SMTP_IN"
	smtp_append "$@"
}

# smtp_append LINE...: more lines, each ended with CRLF.
smtp_append() {
	[ $# -eq 0 ] || printf '%s\r\n' "$@" >> "$SMTP_IN"
}

# smtp_append_raw STRING: bytes given with printf %b escapes (\r, \n, \x00 ...), nothing added.
smtp_append_raw() {
	printf '%b' "$1" >> "$SMTP_IN"
}

# smtp_append_file FILE: bytes of FILE, as they are.
smtp_append_file() {
	cat "$1" >> "$SMTP_IN"
}

# repeat_char CHAR N: CHAR N times, no newline.
repeat_char() {
	if [ "$2" -le 20000 ]; then
		local s
		printf -v s '%*s' "$2" ''
		printf '%s' "${s// /$1}"
	else
		head -c "$2" /dev/zero | tr '\0' "$1"
	fi
}

# --- pipelined sessions ------------------------------------------------------------------------

# smtp_session [FLAG...]: run the binary with FLAGs, its stdin a pipe that delivers $SMTP_IN at
# once (and then stays open SMTP_HOLD more seconds when set, like a client that stops talking
# without hanging up), stdout a pipe into $SMTP_OUT, stderr into $SMTP_ERR. Sets status and
# SMTP_ELAPSED_MS. The session is killed after SMTP_LIMIT seconds
# (status 124 then).
smtp_session() {
	local hold=${SMTP_HOLD:-0} t0 t1 feeder ps infd
	if [ "$hold" = 0 ]; then
		exec {infd}< <(exec cat "$SMTP_IN" 3>&- 2> /dev/null)
	else
		exec {infd}< <(exec 3>&- 2> /dev/null; cat "$SMTP_IN"; exec sleep "$hold")
	fi
	feeder=$!
	now_us_to t0
	timeout -k 2 "$SMTP_LIMIT" "$BADSMTP_BIN" "$@" <&"$infd" {infd}<&- 2> "$SMTP_ERR" | cat > "$SMTP_OUT"
	ps=("${PIPESTATUS[@]}")
	now_us_to t1
	exec {infd}<&-
	[ "$hold" = 0 ] || kill "$feeder" 2> /dev/null || true
	status=${ps[0]}
	SMTP_ELAPSED_MS=$(((t1 - t0) / 1000))
}

# show_session: what a failing test prints.
show_session() {
	echo "--- exit status: ${status-unset}"
	echo "--- stdout (cat -A):"
	cat -A "$SMTP_OUT" 2> /dev/null | head -c 4000
	echo "--- stderr:"
	head -c 4000 "$SMTP_ERR" 2> /dev/null
}

# expect_out LINE...: stdout is exactly these lines, each ended with CRLF, nothing else.
expect_out() {
	local want=$T/want.out
	if [ $# -gt 0 ]; then printf '%s\r\n' "$@" > "$want"; else : > "$want"; fi
	expect_out_file "$want"
}

# expect_out_file FILE: stdout is exactly the bytes of FILE (line ends of any kind).
expect_out_file() {
	local want=$1
	if ! cmp -s "$want" "$SMTP_OUT"; then
		echo "stdout differs; diff of cat -A (< want, > got):"
		diff <(cat -A "$want") <(cat -A "$SMTP_OUT") | head -60
		show_session
		return 1
	fi
}

# expect_status N: the session's exit status.
expect_status() {
	if [ "${status-}" != "$1" ]; then
		echo "exit status: got ${status-unset}, want $1"
		show_session
		return 1
	fi
}

# expect_stdout_only_replies: every stdout line is an SMTP reply line ("ddd" + space or dash)
# ended with CRLF: no log line, no stray byte ever reaches the client.
expect_stdout_only_replies() {
	/usr/bin/python3 - "$SMTP_OUT" << 'EOF' || { show_session; return 1; }
import re, sys
data = open(sys.argv[1], 'rb').read()
assert data.endswith(b'\r\n') or data == b'', f'stdout does not end in CRLF: {data[-40:]!r}'
for line in data.split(b'\r\n')[:-1]:
    assert re.fullmatch(rb'[2-5][0-9][0-9]([ -][\x20-\x7e]*)?', line), f'not a reply line: {line[:200]!r}'
EOF
}

# --- lock-step sessions (coproc) ---------------------------------------------------------------

# smtp_start [FLAG...]: start the binary as a coproc (stderr into $SMTP_ERR). SMTP_PID is its pid.
smtp_start() {
	local r w
	coproc SMTPCO { exec 3>&-; exec "$BADSMTP_BIN" "$@" 2> "$SMTP_ERR"; }
	SMTP_PID=$SMTPCO_PID
	now_us_to SMTP_T0
	r=${SMTPCO[0]} w=${SMTPCO[1]}
	# Own copies of the coproc's fds: bash drops its own when the process ends, and we still
	# want to read what it wrote last.
	exec {SMTP_R}<&"$r" {SMTP_W}>&"$w"
	exec {r}<&- {w}>&-
	SMTP_TRANSCRIPT=
}

# smtp_send LINE...: write each line with CRLF, in one write.
smtp_send() {
	local s
	printf -v s '%s\r\n' "$@"
	printf '%s' "$s" >&"$SMTP_W"
	SMTP_TRANSCRIPT+="C: $*"$'\n'
}

# smtp_send_raw STRING: bytes with printf %b escapes.
smtp_send_raw() {
	printf '%b' "$1" >&"$SMTP_W"
	SMTP_TRANSCRIPT+="C(raw): $1"$'\n'
}

# smtp_recv [TIMEOUT]: read one complete reply (lines until one whose 4th character is a space).
# Sets REPLY_LINES (without CRLF) and REPLY_AT_MS (ms since smtp_start when its last line came).
# Every line must end in CRLF.
smtp_recv() {
	local to=${1:-5} line
	REPLY_LINES=()
	while :; do
		if ! IFS= read -r -t "$to" line <&"$SMTP_R"; then
			echo "no complete reply within ${to}s (got so far: ${REPLY_LINES[*]-}${line:+ partial: $line})"
			echo "$SMTP_TRANSCRIPT"
			return 1
		fi
		if [ "${line%$'\r'}" = "$line" ]; then
			echo "reply line not ended by CRLF: $(printf '%q' "$line")"
			return 1
		fi
		line=${line%$'\r'}
		REPLY_LINES+=("$line")
		SMTP_TRANSCRIPT+="S: $line"$'\n'
		if [ "${#line}" -lt 4 ] || [ "${line:3:1}" != "-" ]; then
			break
		fi
	done
	local now
	now_us_to now
	REPLY_AT_MS=$(((now - SMTP_T0) / 1000))
}

# smtp_expect LINE...: the next reply is exactly these lines.
smtp_expect() {
	smtp_recv 5 || return 1
	local got want
	printf -v got '%s\n' "${REPLY_LINES[@]}"
	printf -v want '%s\n' "$@"
	if [ "$got" != "$want" ]; then
		echo "reply: got"
		printf '  %q\n' "${REPLY_LINES[@]}"
		echo "want"
		printf '  %q\n' "$@"
		echo "transcript:"
		echo "$SMTP_TRANSCRIPT"
		return 1
	fi
}

# smtp_cmd LINE REPLY...: send one command, expect its reply.
smtp_cmd() {
	local c=$1
	shift
	smtp_send "$c"
	smtp_expect "$@"
}

# smtp_expect_silence SECONDS: nothing arrives for that long (the process may still run).
smtp_expect_silence() {
	local line
	if IFS= read -r -t "$1" line <&"$SMTP_R"; then
		echo "expected silence, got: $(printf '%q' "$line")"
		return 1
	fi
}

# smtp_expect_eof [TIMEOUT]: the server closes its output with nothing more written.
smtp_expect_eof() {
	local to=${1:-5} rest rc=0
	IFS= read -r -d '' -t "$to" rest <&"$SMTP_R" || rc=$?
	if [ -n "$rest" ]; then
		echo "expected end of output, got more: $(printf '%q' "$rest")"
		return 1
	fi
	if [ "$rc" -gt 128 ]; then
		echo "output still open after ${to}s"
		return 1
	fi
}

# smtp_close: the client closes its side (EOF on the server's stdin).
smtp_close() {
	[ -z "${SMTP_W-}" ] || exec {SMTP_W}>&-
	SMTP_W=
}

# smtp_wait [TIMEOUT]: wait for the server to exit; sets status.
smtp_wait() {
	local to=${1:-5} i
	for ((i = 0; i < to * 50; i++)); do
		kill -0 "$SMTP_PID" 2> /dev/null || break
		sleep 0.02
	done
	if kill -0 "$SMTP_PID" 2> /dev/null; then
		echo "server still running after ${to}s"
		smtp_kill
		return 1
	fi
	status=0
	wait "$SMTP_PID" || status=$?
	SMTP_PID=
}

# smtp_kill: end a session a test left running. The client's EOF comes first and the session
# gets a second to act on it: a session killed while it exits may be in LeakSanitizer's check,
# which then reports the kill ("Unable to get registers") instead of the leaks it looks for.
smtp_kill() {
	local i
	smtp_close
	if [ -n "${SMTP_PID-}" ]; then
		for ((i = 0; i < 50; i++)); do
			kill -0 "$SMTP_PID" 2> /dev/null || break
			sleep 0.02
		done
		kill -9 "$SMTP_PID" 2> /dev/null || true
		wait "$SMTP_PID" 2> /dev/null || true
		SMTP_PID=
	fi
}

# --- logs ----------------------------------------------------------------------------------------

# log_check PYTHON [FILE]: parse FILE (default $SMTP_ERR) as JSON log lines and run PYTHON
# with ev (the list of events), by(message) (events with that message) and one(message) (the only
# such event) defined, plus fields(message) = one(message)['fields']. An assert fails the test.
log_check() {
	/usr/bin/python3 - "${2:-$SMTP_ERR}" "$1" << 'EOF' || { show_session; return 1; }
import json, re, sys
path, code = sys.argv[1], sys.argv[2]
raw = open(path, 'rb').read().decode('utf-8')
lines = raw.split('\n')
assert lines[-1] == '', f'log does not end with a newline: {raw[-80:]!r}'
ev = []
for l in lines[:-1]:
    try:
        ev.append(json.loads(l))
    except ValueError as e:
        raise AssertionError(f'not a JSON log line: {l!r} ({e})')
def by(m):
    return [e for e in ev if e.get('message') == m]
def one(m):
    r = by(m)
    assert len(r) == 1, f'want exactly one {m!r} event, got {len(r)}: {r}'
    return r[0]
def fields(m):
    return one(m)['fields']
exec(code)
EOF
}

# --- Maildir -----------------------------------------------------------------------------------

# maildir_files DIR: the files in DIR/new, one name a line, sorted.
maildir_files() {
	find "$1/new" -mindepth 1 -maxdepth 1 2> /dev/null | sort
}

# expect_maildir_count DIR N: exactly N files in DIR/new, none left in DIR/tmp.
expect_maildir_count() {
	local n
	n=$(find "$1/new" -mindepth 1 -maxdepth 1 2> /dev/null | wc -l)
	if [ "$n" -ne "$2" ]; then
		echo "files in $1/new: got $n, want $2"
		ls -la "$1" "$1/new" 2>&1
		show_session
		return 1
	fi
	if [ -d "$1/tmp" ] && [ -n "$(ls -A "$1/tmp")" ]; then
		echo "$1/tmp is not empty:"
		ls -la "$1/tmp"
		return 1
	fi
}

# expect_no_mail DIR: nothing stored anywhere under DIR (regular files).
expect_no_mail() {
	local f
	f=$(find "$1" -type f 2> /dev/null | head -5)
	if [ -n "$f" ]; then
		echo "files left under $1:"
		echo "$f"
		return 1
	fi
}

# expect_stored FILE SENDER RCPTS HELO PROTO BODYFILE [HOSTNAME]: FILE holds exactly
#   Return-Path: <SENDER>\r\n
#   X-BadSMTP-Rcpt-To: RCPTS\r\n
#   Received: from HELO (pipe) by HOSTNAME with PROTO id {session_id}; {RFC 5322 date}\r\n
#     ("pipe" is $STORED_CLIENT_IP when set: a PROXY header's client, SPEC §20)
#   X-BadSMTP-Violations: {name}, {name}\r\n   (only when the client had any, SPEC §19, §21)
# and then the bytes of BODYFILE (an X-BadSMTP-DSN: header, which comes before the violations
# line, belongs at the start of BODYFILE); {session_id} is the one in the log ($SMTP_ERR, JSON), the date
# is within two minutes of now, and the violations are those the log shows before the message
# was stored, in that order (a pipelined client has some; which may depend on timing).
expect_stored() {
	/usr/bin/python3 - "$@" "$SMTP_ERR" << 'EOF' || { show_session; return 1; }
import json, os, re, sys, time, email.utils
path, sender, rcpts, helo, proto, bodyfile = sys.argv[1:7]
host = sys.argv[7] if len(sys.argv) > 8 else 'badsmtp.test'
log = sys.argv[-1]
sid = None
seen = []
stored = False
for l in open(log, encoding='utf-8'):
    try:
        e = json.loads(l)
    except ValueError:
        continue
    sid = sid or e['fields'].get('session_id')
    if e['message'] == 'SMTP client violation' and not stored:
        seen.append(e['fields']['violation'])
    if e['message'] == 'SMTP message stored successfully' and \
       os.path.basename(e['fields'].get('path', '')) == os.path.basename(path):
        stored = True
data = open(path, 'rb').read()
body = open(bodyfile, 'rb').read()
parts = data.split(b'\r\n', 3)
assert len(parts) == 4, f'stored file has fewer than three CRLF header lines: {data[:300]!r}'
want = f'Return-Path: <{sender}>'.encode()
assert parts[0] == want, f'line 1: got {parts[0]!r}, want {want!r}'
want = f'X-BadSMTP-Rcpt-To: {rcpts}'.encode()
assert parts[1] == want, f'line 2: got {parts[1]!r}, want {want!r}'
rec = parts[2].decode('utf-8')
m = re.fullmatch(r'Received: from (.*) \((.*)\) by (.*) with (\S+) id (\S+); (.*)', rec)
assert m, f'line 3 is not a Received line of the SPEC form: {rec!r}'
got = m.groups()[:5]
want = (helo, os.environ.get('STORED_CLIENT_IP', 'pipe'), host, proto, sid if sid else m.group(5))
assert got == want, f'Received fields: got {got}, want {want}'
assert re.fullmatch(r'sess_[0-9a-f]{12}', m.group(5)), f'bad id {m.group(5)!r}'
date = m.group(6)
assert re.fullmatch(r'((Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d(:\d\d)? [+-]\d{4}', date), f'not an RFC 5322 date: {date!r}'
t = email.utils.parsedate_to_datetime(date).timestamp()
assert abs(t - time.time()) < 120, f'date {date!r} is not now'
rest = parts[3]
assert stored, f'no "SMTP message stored successfully" event for {path} in the log'
dsn = re.match(rb'X-BadSMTP-DSN: .*\r\n(?: .*\r\n)*', rest)
dsn, rest = (dsn.group(0), rest[dsn.end():]) if dsn else (b'', rest)
if seen:
    want = ('X-BadSMTP-Violations: ' + ', '.join(seen) + '\r\n').encode()
    assert rest.startswith(want), f'line 4: got {rest[:len(want) + 20]!r}, want {want!r}'
    rest = rest[len(want):]
rest = dsn + rest
if rest != body:
    i = next((i for i in range(min(len(rest), len(body))) if rest[i] != body[i]), min(len(rest), len(body)))
    raise AssertionError(f'body differs at octet {i} (got {len(rest)} octets, want {len(body)}): got {rest[max(0,i-20):i+40]!r}, want {body[max(0,i-20):i+40]!r}')
EOF
}

# body_file NAME: path of a scratch file for a message body.
body_file() {
	echo "$T/$1"
}

# want_ehlo [KEY=VALUE...]: set WANT to the EHLO reply of §3 with these changes:
#   host=NAME, auth=none|TEXT, size=none|N, and 8bit|pipelining|starttls|chunking|smtputf8|enhanced=none.
want_ehlo() {
	local host=badsmtp.test auth='PLAIN LOGIN CRAM-MD5 CRAM-SHA256 XOAUTH2' size=10485760
	local b8=1 pipe=1 tls=1 chunk=1 utf=1 enh=1 kv
	for kv; do
		case $kv in
		host=*) host=${kv#host=} ;;
		auth=none) auth= ;;
		auth=*) auth=${kv#auth=} ;;
		size=none) size= ;;
		size=*) size=${kv#size=} ;;
		8bit=none) b8= ;;
		pipelining=none) pipe= ;;
		starttls=none) tls= ;;
		chunking=none) chunk= ;;
		smtputf8=none) utf= ;;
		enhanced=none) enh= ;;
		*) fail "want_ehlo: bad argument $kv" ;;
		esac
	done
	WANT=("250-$host")
	[ -z "$auth" ] || WANT+=("250-AUTH $auth")
	[ -z "$b8" ] || WANT+=('250-8BITMIME')
	[ -z "$size" ] || WANT+=("250-SIZE $size")
	[ -z "$pipe" ] || WANT+=('250-PIPELINING')
	[ -z "$tls" ] || WANT+=('250-STARTTLS')
	[ -z "$chunk" ] || WANT+=('250-CHUNKING')
	[ -z "$utf" ] || WANT+=('250-SMTPUTF8')
	[ -z "$enh" ] || WANT+=('250-ENHANCEDSTATUSCODES')
	WANT+=('250 OK')
}

# make_body N FILE: a body of exactly N octets as stored: lines of 'x' (at most 998 + CRLF).
make_body() {
	/usr/bin/python3 -c '
import sys
n, path = int(sys.argv[1]), sys.argv[2]
full, rest = divmod(n, 1000)
out = (b"x" * 998 + b"\r\n") * full
if rest == 1:
    out = (b"x" * 998 + b"\r\n") * (full - 1) + b"x" * 997 + b"\r\n" + b"\r\n"
elif rest:
    out += b"x" * (rest - 2) + b"\r\n"
assert len(out) == n, (len(out), n)
open(path, "wb").write(out)
' "$1" "$2"
}

# --- TLS (tls.bats, tls-faults.bats) ---------------------------------------------------------

# tls_client [OPTION...] -- [FLAG...]: run tls_client.py against the binary (with --cert-cache
# $CACHE and FLAGs), the dialogue from $SMTP_IN (one line per line, see tls_client.py); its
# transcript in $output and $T/client.out, the server's log in $SMTP_ERR.
tls_client() {
	local opts=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	shift
	timeout 20 /usr/bin/python3 "$BATS_TEST_DIRNAME/tls_client.py" "${opts[@]}" -- \
		"$BADSMTP_BIN" --cert-cache "$CACHE" "$@" < "$SMTP_DIALOGUE" > "$T/client.out" 2> "$SMTP_ERR"
	output=$(cat "$T/client.out")
}

# dialogue LINE...: the tls_client script.
dialogue() {
	SMTP_DIALOGUE=$T/dialogue
	printf '%s\n' "$@" > "$SMTP_DIALOGUE"
}

# has LINE: $output contains this exact line.
has() {
	grep -qxF -- "$1" <<< "$output" || fail "want line: $1" "--- transcript:" "$output" "--- log:" "$(cat "$SMTP_ERR")"
}

# lacks LINE: $output does not contain this exact line.
lacks() {
	! grep -qxF -- "$1" <<< "$output" || fail "unwanted line: $1" "--- transcript:" "$output"
}

# make_pair NAME: $T/NAME.crt and $T/NAME.key, self-signed ECDSA for CN=NAME.
make_pair() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-subj "/CN=$1" -keyout "$T/$1.key" -out "$T/$1.crt" 2> /dev/null
}
