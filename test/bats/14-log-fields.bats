#!/usr/bin/env bats
# SPEC §11, as one table: every event a session over a pipe can produce, each at its level with
# its fields, and every field of every event of the type §11 gives it (numbers, booleans, arrays
# of strings, strings otherwise; the fields of §15-§20 by the same rule).

load helpers

@test "SPEC §11: every event of the table, its level, its fields, and the type of every field" {
	local all=$T/all.log
	: > "$all"
	# A whole transaction: a delay keyword (behaviour), AUTH failed then successful, a trigger
	# (error simulation, error response), a stored message; pipelined (client violations).
	smtp_input 'EHLO dlay1-types.example' 'AUTH PLAIN AGJhZGF1dGgAeA==' 'AUTH PLAIN AHVzZXIAcGFzcw==' \
		'MAIL FROM:<a@example.com>' 'RCPT TO:<rcpt550@example.com>' 'RCPT TO:<b@example.com>' \
		'DATA' 'hi' '.' 'QUIT'
	smtp_session --maildir "$T/md"
	expect_status 0
	expect_maildir_count "$T/md" 1
	cat "$SMTP_ERR" >> "$all"
	# A command-delay port (behaviour, with a port that is not 0).
	smtp_input 'EHLO x' 'QUIT'
	smtp_session --port 25401
	expect_status 0
	cat "$SMTP_ERR" >> "$all"
	# smtps given garbage: tls_enabled true, a failed handshake, exit status 1.
	smtp_input 'this is not a ClientHello'
	smtp_session --profile smtps --cert-cache "$T/cache"
	expect_status 1
	cat "$SMTP_ERR" >> "$all"
	# STARTTLS and a message over TLS: a successful handshake.
	run timeout 20 swaks --pipe "$BADSMTP_BIN --cert-cache $T/cache 2>$SMTP_ERR" --tls \
		--ehlo client.example --from a@example.com --to b@example.com
	[ "$status" -eq 0 ] || fail "swaks exit $status" "$output"
	cat "$SMTP_ERR" >> "$all"
	# SPEC §17-§18: DSN parameters (the dsn field), fail-N (attempt, of), greylisting
	# (retry_after_seconds), a lost 250; then an unusable state directory (its reason).
	smtp_input 'EHLO dsn.example' 'MAIL FROM:<datalost@example.com> RET=HDRS' 'RCPT TO:<rcpt451x1@types.example>' \
		'RCPT TO:<grey60@types.example>' 'RCPT TO:<b@example.com> NOTIFY=NEVER' 'DATA' 'x' '.'
	smtp_session --state-dir "$T/state" --maildir "$T/md"
	expect_status 1
	cat "$SMTP_ERR" >> "$all"
	: > "$T/file"
	smtp_input 'EHLO x' 'MAIL FROM:<a@example.com>' 'RCPT TO:<rcpt451x1@types.example>' 'QUIT'
	smtp_session --state-dir "$T/file"
	expect_status 0
	cat "$SMTP_ERR" >> "$all"

	# A PROXY header (client_port), and a connection refused for want of one (SPEC §20).
	smtp_input
	smtp_append_raw 'PROXY TCP4 192.0.2.7 127.0.0.1 4242 25\r\nQUIT\r\n'
	smtp_session --proxy-protocol
	expect_status 0
	cat "$SMTP_ERR" >> "$all"
	smtp_input 'QUIT'
	smtp_session --proxy-protocol
	expect_status 1
	cat "$SMTP_ERR" >> "$all"

	log_check "
NUMBER = {'port', 'error_code', 'rcpt_count', 'message_size', 'duration_ms', 'delay_seconds',
          'exit_status', 'sockets', 'max_sessions', 'sessions_served', 'attempt', 'of',
          'retry_after_seconds', 'client_port'}
BOOLEAN = {'tls_enabled', 'success'}
STRINGS = {'args', 'rcpt_to', 'violations'}
SPEC = {   # message: (level, fields)
    'SMTP connection established': ('INFO', 'session_id client_ip port profile tls_enabled'),
    'SMTP command received': ('INFO', 'session_id client_ip command args smtp_state'),
    'SMTP response sent': ('INFO', 'session_id client_ip response response_code'),
    'SMTP error response sent': ('WARN', 'session_id client_ip response response_code'),
    'SMTP error simulation triggered': ('WARN', 'session_id client_ip error_code trigger smtp_stage'),
    'SMTP behaviour triggered': ('INFO', 'session_id client_ip behaviour port delay_seconds'),
    'SMTP authentication successful': ('INFO', 'session_id client_ip auth_mechanism username success'),
    'SMTP authentication failed': ('WARN', 'session_id client_ip auth_mechanism username success'),
    'SMTP message processing started': ('INFO', 'session_id client_ip mail_from rcpt_to rcpt_count'),
    'SMTP message stored successfully': ('INFO', 'session_id client_ip mail_from rcpt_to message_size path'),
    'TLS handshake successful': ('INFO', 'session_id client_ip tls_version cipher sni tls_fault'),
    'TLS handshake failed': ('ERROR', 'session_id client_ip tls_version cipher sni tls_fault'),
    'SMTP client violation': ('WARN', 'session_id client_ip violation detail'),
    'SMTP connection closed': ('INFO', 'session_id client_ip duration_ms exit_status violations'),
    'SMTP state directory unusable': ('ERROR', 'session_id client_ip state_dir error'),
    'SMTP connection refused': ('WARN', 'session_id client_ip port reason'),
}

def kind(k):
    return 'number' if k in NUMBER else 'boolean' if k in BOOLEAN else \
           'array of strings' if k in STRINGS else 'string'

def is_kind(v, want):
    if want == 'number':
        return type(v) in (int, float)
    if want == 'boolean':
        return type(v) is bool
    if want == 'array of strings':
        return type(v) is list and all(type(x) is str for x in v)
    return type(v) is str

wrong = {}
for e in ev:
    m, f = e['message'], e['fields']
    assert m in SPEC, f'an event that is not in SPEC §11: {e}'
    level, names = SPEC[m]
    assert e['level'] == level, f'{m}: level {e[\"level\"]}, want {level}'
    missing = set(names.split()) - set(f)
    assert not missing, f'{m}: no {sorted(missing)} in {f}'
    assert list(f) == sorted(f), f'{m}: fields not sorted: {list(f)}'
    assert re.fullmatch(r'sess_[0-9a-f]{12}', f['session_id']), f
    for k, v in f.items():
        if not is_kind(v, kind(k)):
            wrong.setdefault((m, k), f'{m}: {k} is {v!r}, want a {kind(k)}')
assert not wrong, 'fields of the wrong type:\n' + '\n'.join(wrong.values())
seen = {k for e in ev for k in e['fields']}
assert {'attempt', 'of', 'retry_after_seconds', 'dsn'} <= seen, sorted(seen)
assert any('client_port' in e['fields'] for e in ev), 'no client_port logged'
unseen = set(SPEC) - {e['message'] for e in ev}
assert not unseen, f'events never produced: {sorted(unseen)}'
" "$all"
}
