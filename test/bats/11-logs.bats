#!/usr/bin/env bats
# SPEC §11: logs (JSON and text forms, targets, events, field types); stdout carries only replies.

load helpers

# A session that exercises most events of a plaintext session.
rich_session() {
	smtp_input 'EHLO Client.Example' 'MAIL FROM:<Bob@EXAMPLE.COM>' 'RCPT TO:<b@example.com>' 'RCPT TO:<rcpt550_5.1.1@example.com>' \
		'RCPT TO:<C@Example.Org>' 'DATA' 'Subject: x' '' 'hi' '.' 'FOO' 'QUIT'
	smtp_session "$@"
	expect_status 0
	expect_out "$G" "${EHLO_DEFAULT[@]}" '250 OK' '250 OK' '550 5.1.1 Requested action not taken: mailbox unavailable' \
		'250 OK' "$GO_AHEAD" "$ACCEPTED" '500 Command not recognised' "$BYE"
}

@test "JSON form: every line is an object with timestamp, level, message, fields; fields sorted" {
	rich_session
	log_check "
assert len(ev) >= 10, ev
for e, l in zip(ev, open('$SMTP_ERR').read().splitlines()):
    assert list(e) == ['timestamp', 'level', 'message', 'fields'], l
    assert re.fullmatch(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z', e['timestamp']), l
    assert e['level'] in ('DEBUG', 'INFO', 'WARN', 'ERROR'), l
    assert isinstance(e['fields'], dict), l
    assert list(e['fields']) == sorted(e['fields']), 'fields not sorted: ' + l
    assert l.startswith('{\"timestamp\":'), l
"
}

@test "JSON timestamps are now, in UTC" {
	rich_session
	log_check "
import datetime, time
for e in ev:
    t = datetime.datetime.strptime(e['timestamp'], '%Y-%m-%dT%H:%M:%S.%fZ').replace(tzinfo=datetime.timezone.utc).timestamp()
    assert abs(t - time.time()) < 60, e
"
}

@test "session_id: sess_ and 12 lower-case hex digits, the same in every event" {
	rich_session
	log_check "
ids = {e['fields'].get('session_id') for e in ev}
assert len(ids) == 1, ids
sid = ids.pop()
assert isinstance(sid, str) and re.fullmatch(r'sess_[0-9a-f]{12}', sid), sid
assert all(e['fields'].get('client_ip') == 'pipe' for e in ev), [e for e in ev if e['fields'].get('client_ip') != 'pipe']
"
}

@test "session_id is unique per connection" {
	local ids=() i
	for i in 1 2 3; do
		smtp_input 'QUIT'
		smtp_session
		ids+=("$(/usr/bin/python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["fields"]["session_id"])' "$SMTP_ERR")")
	done
	[ "${ids[0]}" != "${ids[1]}" ] && [ "${ids[1]}" != "${ids[2]}" ] && [ "${ids[0]}" != "${ids[2]}" ] ||
		fail "session ids repeat: ${ids[*]}"
}

@test "SMTP connection established: fields and types" {
	rich_session --port 2525
	log_check "
e = one('SMTP connection established')
assert e['level'] == 'INFO', e
f = e['fields']
assert set(f) == {'session_id', 'client_ip', 'port', 'profile', 'tls_enabled'}, f
assert f['client_ip'] == 'pipe' and f['port'] == 2525 and f['profile'] == 'plain', f
assert f['tls_enabled'] is False, f
assert ev[0] is e, 'not the first event'
"
}

@test "SMTP command received: command, args array, smtp_state before the command" {
	rich_session
	log_check "
cs = by('SMTP command received')
assert all(c['level'] == 'INFO' for c in cs), cs
for c in cs:
    f = c['fields']
    assert set(f) == {'session_id', 'client_ip', 'command', 'args', 'smtp_state'}, f
    assert isinstance(f['args'], list) and all(isinstance(a, str) for a in f['args']), f
    assert isinstance(f['command'], str) and isinstance(f['smtp_state'], str), f
got = [(c['fields']['command'].upper(), c['fields']['smtp_state']) for c in cs]
want = [('EHLO', 'HELO'), ('MAIL', 'MAIL'), ('RCPT', 'RCPT'), ('RCPT', 'RCPT'), ('RCPT', 'RCPT'), ('DATA', 'RCPT'), ('FOO', 'MAIL'), ('QUIT', 'MAIL')]
assert got == want, got
ehlo = cs[0]['fields']
assert ' '.join(ehlo['args']) == 'Client.Example', ehlo
mail = cs[1]['fields']
assert ' '.join(mail['args']) == 'FROM:<Bob@EXAMPLE.COM>', mail
"
}

@test "SMTP response sent / SMTP error response sent: levels, response, response_code" {
	rich_session
	log_check "
ok = by('SMTP response sent')
bad = by('SMTP error response sent')
for e in ok:
    f = e['fields']
    assert e['level'] == 'INFO', e
    assert set(f) == {'session_id', 'client_ip', 'response', 'response_code'}, f
    # a string, as in the Go original's logs: SPEC §11 does not list it among the numbers
    assert type(f['response_code']) is str and re.fullmatch('[23][0-9][0-9]', f['response_code']), f
    assert f['response'].startswith(f['response_code']), f
for e in bad:
    f = e['fields']
    assert e['level'] == 'WARN', e
    assert set(f) == {'session_id', 'client_ip', 'response', 'response_code'}, f
    assert type(f['response_code']) is str and re.fullmatch('[45][0-9][0-9]', f['response_code']), f
codes = sorted(e['fields']['response_code'] for e in bad)
assert codes == ['500', '550'], codes
r = {e['fields']['response'] for e in bad}
assert '500 Command not recognised' in r, r
assert '550 5.1.1 Requested action not taken: mailbox unavailable' in r, r
okc = [e['fields']['response_code'] for e in ok]
for c in ('220', '250', '354', '221'):
    assert c in okc, (c, okc)
assert '221 Bye' in {e['fields']['response'] for e in ok}, ok
"
}

@test "SMTP error simulation triggered: error_code, trigger, smtp_stage" {
	rich_session
	log_check "
e = one('SMTP error simulation triggered')
assert e['level'] == 'WARN', e
f = e['fields']
assert set(f) == {'session_id', 'client_ip', 'error_code', 'trigger', 'smtp_stage'}, f
assert f['error_code'] == 550 and type(f['error_code']) is int, f
assert isinstance(f['trigger'], str) and '550' in f['trigger'], f
assert isinstance(f['smtp_stage'], str) and f['smtp_stage'], f
"
}

@test "SMTP message processing started: mail_from, rcpt_to, rcpt_count" {
	rich_session
	log_check "
e = one('SMTP message processing started')
assert e['level'] == 'INFO', e
f = e['fields']
assert set(f) == {'session_id', 'client_ip', 'mail_from', 'rcpt_to', 'rcpt_count'}, f
# the domain is lower-cased for logs; the local part keeps its case
assert f['mail_from'] == 'Bob@example.com', f
assert f['rcpt_to'] == ['b@example.com', 'C@example.org'], f
assert f['rcpt_count'] == 2 and type(f['rcpt_count']) is int, f
"
}

@test "SMTP message stored successfully: message_size and path" {
	rich_session --maildir "$T/md"
	local file
	file=$(maildir_files "$T/md")
	log_check "
e = one('SMTP message stored successfully')
assert e['level'] == 'INFO', e
f = e['fields']
assert set(f) == {'session_id', 'client_ip', 'mail_from', 'rcpt_to', 'message_size', 'path'}, f
assert f['mail_from'] == 'Bob@example.com', f
assert f['rcpt_to'] == ['b@example.com', 'C@example.org'], f
import os
assert os.path.realpath(f['path']) == os.path.realpath('$file'), (f['path'], '$file')
size = f['message_size']
body = len(b'Subject: x\r\n\r\nhi\r\n')
# message_size is the message as received (the §6 size), without the headers we add
assert type(size) is int and size == body, (size, body)
"
}

@test "no message is logged as stored without a maildir" {
	rich_session
	log_check "assert by('SMTP message stored successfully') == [], ev"
}

@test "SMTP connection closed: duration_ms, exit_status and violations, last event" {
	rich_session
	log_check "
e = one('SMTP connection closed')
assert e['level'] == 'INFO', e
f = e['fields']
assert set(f) == {'session_id', 'client_ip', 'duration_ms', 'exit_status', 'violations'}, f
# a pipelined client (SPEC §19): the names of the violation events, in their order
assert f['violations'] == [v['fields']['violation'] for v in by('SMTP client violation')], f
assert 'pipelining_group_not_ended' in f['violations'], f
assert type(f['duration_ms']) is int and 0 <= f['duration_ms'] < 10000, f
assert f['exit_status'] == 0 and type(f['exit_status']) is int, f
assert ev[-1] is e, 'not the last event'
"
}

@test "SMTP connection closed after a 421 has exit_status 1" {
	smtp_input 'EHLO x' 'MAIL FROM:<mail421@example.com>'
	smtp_session
	expect_status 1
	log_check "
f = fields('SMTP connection closed')
assert f['exit_status'] == 1, f
t = fields('SMTP error simulation triggered')
assert t['error_code'] == 421, t
"
}

# bats test_tags=timing
@test "connection closed after a timeout: exit_status 1, duration_ms" {
	# 0.4 s at the 0.02 scale; the default timeout would take 6 s
	export BADSMTP_TIME_SCALE=0.02
	SMTP_HOLD=5
	smtp_session --timeout 20
	expect_status 1
	log_check "
f = fields('SMTP connection closed')
assert f['exit_status'] == 1, f
assert 300 <= f['duration_ms'] < 5000, f
"
}

# --- text form, levels, targets --------------------------------------------------------------

@test "text form: timestamp [LEVEL] message key=value" {
	rich_session --log-format text
	/usr/bin/python3 - "$SMTP_ERR" << 'EOF'
import re, sys
lines = open(sys.argv[1], encoding='utf-8').read().splitlines()
assert len(lines) >= 10, lines
for l in lines:
    assert re.match(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z \[(DEBUG|INFO|WARN|ERROR)\] SMTP ', l), l
    assert not l.startswith('{'), l
first = lines[0]
assert re.match(r'\S+ \[INFO\] SMTP connection established .*\bsession_id=sess_[0-9a-f]{12}\b', first), first
assert re.search(r'\bclient_ip=pipe\b', first), first
assert re.search(r'\bprofile=plain\b', first), first
assert any(re.match(r'\S+ \[WARN\] SMTP error response sent .*response_code=500', l) for l in lines), lines
assert re.match(r'\S+ \[INFO\] SMTP connection closed .*exit_status=0', lines[-1]), lines[-1]
EOF
}

@test "BADSMTP_LOG_FORMAT=text selects the text form" {
	smtp_input 'QUIT'
	BADSMTP_LOG_FORMAT=text smtp_session
	expect_out "$G" "$BYE"
	grep -Eq '^[0-9T:.-]+Z \[INFO\] SMTP connection established ' "$SMTP_ERR" || { show_session; false; }
}

@test "--log-format json wins over BADSMTP_LOG_FORMAT=text" {
	smtp_input 'QUIT'
	BADSMTP_LOG_FORMAT=text smtp_session --log-format json
	log_check "assert one('SMTP connection established')"
}

@test "--log-level warn: only WARN and ERROR events" {
	rich_session --log-level warn
	log_check "
assert ev, 'no events'
assert all(e['level'] in ('WARN', 'ERROR') for e in ev), ev
assert len(by('SMTP error response sent')) == 2, ev
assert len(by('SMTP error simulation triggered')) == 1, ev
"
}

@test "--log-level error: a normal session logs nothing" {
	rich_session --log-level error
	[ ! -s "$SMTP_ERR" ] || { echo "stderr not empty:"; cat "$SMTP_ERR"; false; }
}

@test "BADSMTP_LOG_LEVEL=warn filters INFO" {
	smtp_input 'NOOP' 'FOO' 'QUIT'
	BADSMTP_LOG_LEVEL=warn smtp_session
	# The pipelined client's own faults (SPEC §19) are WARN events too.
	log_check "
assert [e['message'] for e in ev if e['message'] != 'SMTP client violation'] == ['SMTP error response sent'], ev
assert all(e['level'] == 'WARN' for e in ev), ev
assert by('SMTP client violation'), ev"
}

@test "--log-level debug keeps the INFO events" {
	rich_session --log-level debug
	log_check "assert one('SMTP connection established') and one('SMTP connection closed')"
}

@test "--log-target file:PATH writes there, nothing on stderr" {
	rich_session --log-target "file:$T/log.json"
	[ ! -s "$SMTP_ERR" ] || { echo "stderr not empty:"; cat "$SMTP_ERR"; false; }
	log_check "assert one('SMTP connection established') and one('SMTP connection closed')" "$T/log.json"
}

@test "BADSMTP_LOG_TARGET=file:PATH" {
	smtp_input 'QUIT'
	BADSMTP_LOG_TARGET="file:$T/env.log" smtp_session
	[ ! -s "$SMTP_ERR" ]
	log_check "assert one('SMTP connection closed')" "$T/env.log"
}

@test "--log-target file: appends to an existing file" {
	echo '{"timestamp":"x","level":"INFO","message":"earlier","fields":{}}' > "$T/a.log"
	smtp_input 'QUIT'
	smtp_session --log-target "file:$T/a.log"
	log_check "assert ev[0]['message'] == 'earlier' and one('SMTP connection closed')" "$T/a.log"
}

@test "--log-target stderr" {
	smtp_input 'QUIT'
	smtp_session --log-target stderr
	log_check "assert one('SMTP connection closed')"
}

@test "auto target with stderr on a pipe: stderr" {
	smtp_input 'QUIT'
	timeout 10 "$BADSMTP_BIN" < "$SMTP_IN" 2>&1 > "$SMTP_OUT" | cat > "$SMTP_ERR"
	expect_out "$G" "$BYE"
	log_check "assert one('SMTP connection established') and one('SMTP connection closed')"
}

@test "auto target: JOURNAL_STREAM naming another file keeps logs on stderr" {
	smtp_input 'QUIT'
	JOURNAL_STREAM=1:1 smtp_session
	expect_out "$G" "$BYE"
	log_check "assert one('SMTP connection closed')"
}

# --- stdout carries only replies -------------------------------------------------------------

@test "stdout carries only SMTP replies, whatever the session does" {
	smtp_input 'EHLO x' 'FOO' 'MAIL FROM:<mail550@example.com>' 'MAIL FROM:<a@example.com>' 'RCPT TO:<bad' \
		'RCPT TO:<b@example.com>' 'DATA' 'x' '.' 'VRFY exists@example.com' "$(repeat_char Z 5000)" 'QUIT'
	smtp_session --log-level debug --log-format text
	expect_status 0
	expect_stdout_only_replies
	expect_out "$G" "${EHLO_DEFAULT[@]}" '500 Command not recognised' '550 Requested action not taken: mailbox unavailable' \
		'250 OK' '501 Syntax error in parameters' '250 OK' "$GO_AHEAD" "$ACCEPTED" '250 exists@example.com User exists' \
		'500 Command too long' "$BYE"
}

@test "a usage error logs on stderr, never on stdout" {
	smtp_session --log-level nope
	expect_status 100
	expect_out
	[ -s "$SMTP_ERR" ]
}
