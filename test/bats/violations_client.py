#!/usr/bin/python3
"""violations_client.py: hand-written SMTP clients for SPEC §19, each doing one thing wrong, or
the right thing next to it, against badsmtp-session over a pair of pipes or over TCP.

Usage:
  violations_client.py pipe SCENARIO --log FILE -- CMD [ARG...]
      CMD runs with its stdin and stdout on pipes and its stderr (the JSON log) into FILE; input
      a scenario sends "early" is in the pipe before CMD starts.
  violations_client.py tcp SCENARIO --log FILE --port N
      a launcher on 127.0.0.1:N logs (JSON) to FILE; the events of this connection are those
      after the file's end at connect time.
  violations_client.py closed --log FILE --since OFFSET
      waits for the first connection logged after OFFSET to close and prints its `violations`
      and the details of its `SMTP client violation` events, as JSON: what a real client did.
  violations_client.py list
      the scenario names, one a line.

Each scenario says what the client sends and, exactly, every reply it must get (violations never
change one), the `SMTP client violation` events (name and detail, in order), the `violations` of
`SMTP connection closed`, and for each stored message its X-BadSMTP-Violations header (or none)
and its bytes after our headers. Prints what differs and exits 1; exits 0 when all holds.
STARTTLS runs over ssl.MemoryBIO, so TLS works on pipes as on sockets.
"""
import argparse
import json
import os
import select
import socket
import ssl
import subprocess
import sys
import time

HOST = 'badsmtp.test'
G = '220 %s ESMTP BadSMTP Server' % HOST
OK = '250 OK'
GO = '354 End data with <CR><LF>.<CR><LF>'
ACCEPTED = '250 OK Message accepted for delivery'
BYE = '221 Bye'


def ehlo_reply(pipelining=True, starttls=True):
    lines = ['250-' + HOST, '250-AUTH PLAIN LOGIN CRAM-MD5 CRAM-SHA256 XOAUTH2', '250-8BITMIME',
             '250-SIZE 10485760']
    lines += ['250-PIPELINING'] if pipelining else []
    lines += ['250-STARTTLS'] if starttls else []
    return lines + ['250-CHUNKING', '250-SMTPUTF8', '250-ENHANCEDSTATUSCODES', '250 OK']


class Mismatch(Exception):
    pass


class Client:
    """The client's side of one connection: raw bytes, or TLS over memory BIOs."""

    def __init__(self, mode, log, port=None, cmd=None, timeout=10):
        self.mode, self.log, self.port, self.argv, self.timeout = mode, log, port, cmd, timeout
        self.early_bytes = b''
        self.started = False
        self.tls = None
        self.buf = b''
        self.eof = False
        self.proc = self.sock = None
        self.log_offset = os.path.getsize(log) if mode == 'tcp' and os.path.exists(log) else 0

    # ---- transport ----
    def start(self):
        if self.started:
            return
        self.started = True
        if self.mode == 'pipe':
            r, w = os.pipe()
            os.write(w, self.early_bytes)   # in the pipe before the server exists
            with open(self.log, 'wb') as err:
                self.proc = subprocess.Popen(self.argv, stdin=r, stdout=subprocess.PIPE, stderr=err)
            os.close(r)
            self.wfd, self.rfd = w, self.proc.stdout.fileno()
        else:
            self.sock = socket.create_connection(('127.0.0.1', self.port), timeout=self.timeout)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self.early_bytes:
                self.sock.sendall(self.early_bytes)

    def raw_write(self, data):
        self.start()
        try:
            if self.sock is not None:
                self.sock.sendall(data)
            else:
                while data:
                    data = data[os.write(self.wfd, data):]
        except (BrokenPipeError, ConnectionResetError):
            pass

    def raw_read(self):
        fd = self.sock.fileno() if self.sock is not None else self.rfd
        if not select.select([fd], [], [], self.timeout)[0]:
            raise Mismatch('no reply within %ss' % self.timeout)
        try:
            return self.sock.recv(65536) if self.sock is not None else os.read(fd, 65536)
        except ConnectionResetError:
            return b''

    def close_write(self):
        self.start()
        if self.sock is not None:
            self.sock.shutdown(socket.SHUT_WR)
        else:
            os.close(self.wfd)

    # ---- what a scenario does ----
    def early(self, data):
        """Bytes that must be there before the greeting is written."""
        self.early_bytes += data

    def send(self, data):
        if self.tls is None:
            self.raw_write(data)
        else:
            self.tls.write(data)
            self.raw_write(self.outb.read())

    def send_split(self, data, gap=0.002):
        """A lock-step client whose bytes the network splits: one octet per write."""
        for i in range(len(data)):
            self.send(data[i:i + 1])
            time.sleep(gap)

    def fill(self):
        if self.tls is None:
            d = self.raw_read()
            self.eof = not d
            self.buf += d
            return
        while True:
            try:
                d = self.tls.read(65536)
                self.eof = not d
                self.buf += d
                return
            except ssl.SSLWantReadError:
                raw = self.raw_read()
                if raw:
                    self.inb.write(raw)
                else:
                    self.inb.write_eof()
            except (ssl.SSLEOFError, ssl.SSLZeroReturnError):
                self.eof = True
                return

    def reply(self):
        self.start()
        lines = []
        while True:
            while b'\n' not in self.buf:
                if self.eof:
                    raise Mismatch('the server closed; reply so far %r' % lines)
                self.fill()
            line, self.buf = self.buf.split(b'\n', 1)
            if not line.endswith(b'\r'):
                raise Mismatch('reply line without CRLF: %r' % line)
            lines.append(line[:-1].decode('utf-8', 'replace'))
            if len(lines[-1]) < 4 or lines[-1][3] != '-':
                return lines

    def expect(self, *want):
        got = self.reply()
        if got != list(want):
            raise Mismatch('reply: got %r, want %r' % (got, list(want)))

    def cmd(self, line, *want):
        self.send(line.encode() + b'\r\n')
        self.expect(*want)

    def greeting(self):
        self.expect(G)

    def starttls(self):
        self.send(b'STARTTLS\r\n')
        self.starttls_handshake()

    def starttls_handshake(self):
        """After STARTTLS was sent: its 220, then the handshake."""
        self.expect('220 Ready to start TLS')
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        self.inb, self.outb = ssl.MemoryBIO(), ssl.MemoryBIO()
        self.tls = ctx.wrap_bio(self.inb, self.outb, server_side=False)
        while True:
            try:
                self.tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                self.raw_write(self.outb.read())
                raw = self.raw_read()
                if not raw:
                    raise Mismatch('the server closed during the handshake')
                self.inb.write(raw)
        self.raw_write(self.outb.read())

    def expect_eof(self):
        while not self.eof:
            self.fill()
        if self.buf:
            raise Mismatch('more after the last reply: %r' % self.buf)

    def quit(self):
        self.cmd('QUIT', BYE)
        self.expect_eof()

    def hang_up(self):
        """Close without QUIT; the server then closes too."""
        self.close_write()
        self.expect_eof()

    def message(self, body, mail='MAIL FROM:<a@example.com>', rcpt='RCPT TO:<b@example.com>'):
        """A lock-step transaction; body is the DATA stream, its final dot included."""
        self.cmd(mail, OK)
        self.cmd(rcpt, OK)
        self.cmd('DATA', GO)
        self.send(body)
        self.expect(ACCEPTED)

    # ---- what the server logged and stored ----
    def events(self):
        """This connection's events, once its `SMTP connection closed` is in the log."""
        deadline = time.time() + self.timeout
        while True:
            with open(self.log, 'rb') as f:
                f.seek(self.log_offset)
                lines = f.read().decode('utf-8').splitlines()
            ev = [json.loads(line) for line in lines if line.startswith('{')]
            if ev:
                sid = ev[0]['fields']['session_id']
                ev = [e for e in ev if e['fields'].get('session_id') == sid]
                if any(e['message'] == 'SMTP connection closed' for e in ev):
                    return ev
            if time.time() > deadline:
                raise Mismatch('no "SMTP connection closed" in the log: %r' % lines[-5:])
            time.sleep(0.05)

    def finish(self):
        if self.proc is not None:
            try:
                self.proc.wait(self.timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                raise Mismatch('the server did not exit')
        if self.sock is not None:
            self.sock.close()


BODY = b'Subject: test\r\n\r\nhello\r\n.\r\n'


def unstuffed(body):
    """What a body of these tests is stored as: without its final dot (none is dot-stuffed)."""
    assert body.endswith(b'\r\n.\r\n')
    return body[:-3]


def clean(c):
    c.greeting()
    c.cmd('EHLO client.example', *ehlo_reply())
    c.message(BODY)
    c.quit()


def early_talker(c):
    c.early(b'EHLO client.example\r\n')
    c.greeting()
    c.expect(*ehlo_reply())
    c.message(BODY)
    c.quit()


def bare_lf_command(c):
    c.greeting()
    c.send(b'EHLO client.example\n')
    c.expect(*ehlo_reply())
    c.message(BODY)
    c.quit()


def body_scenario(body, mail='MAIL FROM:<a@example.com>'):
    def run(c):
        c.greeting()
        c.cmd('EHLO client.example', *ehlo_reply())
        c.message(body, mail=mail)
        c.quit()
    run.body = body
    return run


def noop_of(octets):
    def run(c):
        c.greeting()
        c.cmd('EHLO client.example', *ehlo_reply())
        c.cmd('NOOP ' + 'x' * (octets - len('NOOP \r\n')), OK)
        c.message(BODY)
        c.quit()
    return run


def pipelined_without_pipelining(c):
    c.greeting()
    c.cmd('EHLO nopipelining.example', *ehlo_reply(pipelining=False))
    c.send(b'MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\n')
    c.expect(OK)
    c.expect(OK)
    c.cmd('DATA', GO)
    c.send(BODY)
    c.expect(ACCEPTED)
    c.quit()


def lockstep_without_pipelining(c):
    c.greeting()
    c.cmd('EHLO nopipelining.example', *ehlo_reply(pipelining=False))
    c.message(BODY)
    c.quit()


def lockstep_split(c):
    """Every command and the body one octet per write: segmentation is not pipelining."""
    c.greeting()
    c.send_split(b'EHLO nopipelining.example\r\n')
    c.expect(*ehlo_reply(pipelining=False))
    for line, want in ((b'MAIL FROM:<a@example.com>\r\n', OK), (b'RCPT TO:<b@example.com>\r\n', OK),
                       (b'DATA\r\n', GO), (BODY, ACCEPTED), (b'NOOP\r\n', OK)):
        c.send_split(line)
        c.expect(want)
    c.send_split(b'QUIT\r\n')
    c.expect(BYE)
    c.expect_eof()


def message_after_noop(c):
    """MAIL sent with NOOP, which ends a group (RFC 2920 §3.1), then a lock-step message."""
    c.send(b'NOOP\r\nMAIL FROM:<a@example.com>\r\n')
    c.expect(OK)
    c.expect(OK)
    c.cmd('RCPT TO:<b@example.com>', OK)
    c.cmd('DATA', GO)
    c.send(BODY)
    c.expect(ACCEPTED)


def group_not_ended(c):
    c.greeting()
    c.cmd('EHLO client.example', *ehlo_reply())
    message_after_noop(c)
    c.quit()


def group_ended(c):
    """RFC 2920 allows MAIL, RCPT and DATA in one group: DATA ends it."""
    c.greeting()
    c.cmd('EHLO client.example', *ehlo_reply())
    c.send(b'MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n')
    c.expect(OK)
    c.expect(OK)
    c.expect(GO)
    c.send(BODY)
    c.expect(ACCEPTED)
    c.quit()


AUTH = 'AUTH PLAIN AHVzZXIAcGFzcw=='
AUTH_OK = '235 Authentication successful'


def auth_after_ehlo(name, starttls):
    """EHLO name (whose reply offers STARTTLS or not), then AUTH in clear."""
    def run(c):
        c.greeting()
        c.cmd('EHLO ' + name, *ehlo_reply(starttls=starttls))
        c.cmd(AUTH, AUTH_OK)
        c.message(BODY)
        c.quit()
    return run


def auth_after_tls(c):
    c.greeting()
    c.cmd('EHLO client.example', *ehlo_reply())
    c.starttls()
    c.cmd('EHLO client.example', *ehlo_reply(starttls=False))
    c.cmd(AUTH, AUTH_OK)
    c.message(BODY)
    c.quit()


def no_ehlo_after_starttls(c):
    c.greeting()
    c.cmd('EHLO client.example', *ehlo_reply())
    c.starttls()
    c.cmd('MAIL FROM:<a@example.com>', '503 Bad sequence - MAIL not allowed in HELO state')
    c.cmd('EHLO client.example', *ehlo_reply(starttls=False))
    c.message(BODY)
    c.quit()


def utf8_transaction(mail, rcpt):
    def run(c):
        c.greeting()
        c.cmd('EHLO client.example', *ehlo_reply())
        c.message(BODY, mail=mail, rcpt=rcpt)
        c.quit()
    return run


def no_quit(c):
    c.greeting()
    c.cmd('EHLO client.example', *ehlo_reply())
    c.message(BODY)
    c.hang_up()


def after_our_421(c):
    c.greeting()
    c.cmd('EHLO client.example', *ehlo_reply())
    c.cmd('MAIL FROM:<mail421@example.com>', '421 Service not available, closing transmission channel')
    c.expect_eof()


BARE_LF_BODY = b'Subject: lf\r\n\r\nline one\nline two\r\n.\r\n'


def header_accumulates(c):
    """Each message's header names the session's violations up to its end (SPEC §21)."""
    c.greeting()
    c.cmd('EHLO client.example', *ehlo_reply())
    c.message(BODY)
    c.message(BARE_LF_BODY)
    message_after_noop(c)
    c.quit()


def bdat_pipelined(c):
    """BDAT without PIPELINING: the second chunk before the reply to the first. BDAT chunks are
    raw octets: their bare LF is no violation (SPEC §19 names DATA bodies)."""
    c.greeting()
    c.cmd('EHLO nopipelining.example', *ehlo_reply(pipelining=False))
    c.cmd('MAIL FROM:<a@example.com>', OK)
    c.cmd('RCPT TO:<b@example.com>', OK)
    c.send(b'BDAT 6\r\nhello\nBDAT 6 LAST\r\nworld\n')
    c.expect(OK)
    c.expect(ACCEPTED)
    c.quit()


def violation_before_starttls(c):
    """A violation in plaintext is the connection's: it crosses into the TLS twin (handoff.h)."""
    c.greeting()
    c.send(b'EHLO client.example\n')
    c.expect(*ehlo_reply())
    c.starttls()
    c.cmd('EHLO client.example', *ehlo_reply(starttls=False))
    c.message(BODY)
    c.quit()


def starttls_pipelined(c):
    """Plaintext behind STARTTLS is discarded (SPEC §7), and was sent too early."""
    c.greeting()
    c.cmd('EHLO client.example', *ehlo_reply())
    c.send(b'STARTTLS\r\nEHLO client.example\r\n')
    c.starttls_handshake()
    c.cmd('EHLO client.example', *ehlo_reply(starttls=False))
    c.message(BODY)
    c.quit()


BIG_BODY = b'Subject: big\r\n\r\n' + (b'x' * 78 + b'\r\n') * 500 + b'last\nmore\r\n.\r\n'

# name: (client, [(violation, detail)], [(header or None, stored bytes after our headers)])
SCENARIOS = {
    'clean': (clean, [], [(None, unstuffed(BODY))]),
    'early_talker': (early_talker, [('early_talker', '21 octets before the greeting')],
                     [('early_talker', unstuffed(BODY))]),
    'bare_lf_command': (bare_lf_command, [('bare_lf', 'EHLO command')],
                        [('bare_lf', unstuffed(BODY))]),
    'bare_lf_body': (body_scenario(BARE_LF_BODY), [('bare_lf', 'body line 3')],
                     [('bare_lf', unstuffed(BARE_LF_BODY))]),
    'bare_cr_body': (body_scenario(b'Subject: cr\r\n\r\nline one\rline two\r\n.\r\n'),
                     [('bare_cr', 'body line 3')], [('bare_cr', None)]),
    'long_command_line': (noop_of(513), [('long_command_line', 'NOOP command, 513 octets')],
                          [('long_command_line', unstuffed(BODY))]),
    'command_line_512': (noop_of(512), [], [(None, unstuffed(BODY))]),
    'long_text_line': (body_scenario(b'Subject: long\r\n\r\n' + b'x' * 999 + b'\r\n.\r\n'),
                       [('long_text_line', 'body line 3, 1001 octets')], [('long_text_line', None)]),
    'text_line_1000': (body_scenario(b'Subject: long\r\n\r\n' + b'x' * 998 + b'\r\n.\r\n'), [],
                       [(None, None)]),
    'eight_bit': (body_scenario('Subject: café\r\n\r\ncafé\r\n.\r\n'.encode()),
                  [('eight_bit_without_8bitmime', 'body line 1')],
                  [('eight_bit_without_8bitmime', None)]),
    'eight_bit_8bitmime': (body_scenario('Subject: café\r\n\r\ncafé\r\n.\r\n'.encode(),
                                         mail='MAIL FROM:<a@example.com> BODY=8BITMIME'), [],
                           [(None, None)]),
    'eight_bit_smtputf8': (body_scenario('Subject: café\r\n\r\ncafé\r\n.\r\n'.encode(),
                                         mail='MAIL FROM:<a@example.com> SMTPUTF8'), [],
                           [(None, None)]),
    'pipelining_not_offered': (pipelined_without_pipelining,
                               [('pipelining_not_offered', '25 octets before the reply to MAIL')],
                               [('pipelining_not_offered', unstuffed(BODY))]),
    'lockstep_without_pipelining': (lockstep_without_pipelining, [], [(None, unstuffed(BODY))]),
    'lockstep_split': (lockstep_split, [], [(None, unstuffed(BODY))]),
    'pipelining_group_not_ended': (group_not_ended,
                                   [('pipelining_group_not_ended',
                                     '27 octets before the reply to NOOP')],
                                   [('pipelining_group_not_ended', unstuffed(BODY))]),
    'pipelining_group_ended': (group_ended, [], [(None, unstuffed(BODY))]),
    'auth_in_clear': (auth_after_ehlo('client.example', True), [('auth_in_clear', 'AUTH PLAIN')],
                      [('auth_in_clear', unstuffed(BODY))]),
    'auth_after_tls': (auth_after_tls, [], [(None, unstuffed(BODY))]),
    'auth_without_starttls': (auth_after_ehlo('nostarttls.example', False), [], [(None, unstuffed(BODY))]),
    'no_ehlo_after_starttls': (no_ehlo_after_starttls, [('no_ehlo_after_starttls', 'MAIL command')],
                               [('no_ehlo_after_starttls', unstuffed(BODY))]),
    'utf8_without_smtputf8': (utf8_transaction('MAIL FROM:<jörg@example.com>', 'RCPT TO:<b@example.com>'),
                              [('utf8_without_smtputf8', 'MAIL FROM:<jörg@example.com>')],
                              [('utf8_without_smtputf8', unstuffed(BODY))]),
    'utf8_rcpt_without_smtputf8': (utf8_transaction('MAIL FROM:<a@example.com>',
                                                    'RCPT TO:<jörg@example.com>'),
                                   [('utf8_without_smtputf8', 'RCPT TO:<jörg@example.com>')],
                                   [('utf8_without_smtputf8', unstuffed(BODY))]),
    'utf8_with_smtputf8': (utf8_transaction('MAIL FROM:<jörg@example.com> SMTPUTF8',
                                            'RCPT TO:<ünal@example.com>'), [],
                           [(None, unstuffed(BODY))]),
    'no_quit': (no_quit, [('no_quit', 'closed in MAIL state')], [(None, unstuffed(BODY))]),
    'after_our_421': (after_our_421, [], []),
    'header_accumulates': (header_accumulates, [('bare_lf', 'body line 3'),
                                                ('pipelining_group_not_ended',
                                                 '27 octets before the reply to NOOP')],
                           [(None, unstuffed(BODY)), ('bare_lf', unstuffed(BARE_LF_BODY)),
                            ('bare_lf, pipelining_group_not_ended', unstuffed(BODY))]),
    'bdat_pipelined': (bdat_pipelined,
                       [('pipelining_not_offered', '19 octets before the reply to BDAT')],
                       [('pipelining_not_offered', b'hello\nworld\n')]),
    'violation_before_starttls': (violation_before_starttls, [('bare_lf', 'EHLO command')],
                                  [('bare_lf', unstuffed(BODY))]),
    'starttls_pipelined': (starttls_pipelined,
                           [('pipelining_group_not_ended', '21 octets before the reply to STARTTLS')],
                           [('pipelining_group_not_ended', unstuffed(BODY))]),
    'big_body_bare_lf': (body_scenario(BIG_BODY), [('bare_lf', 'body line 503')],
                         [('bare_lf', unstuffed(BIG_BODY))]),
}


def stored_rest(path):
    """The header X-BadSMTP-Violations (or None) and the bytes after our header lines."""
    data = open(path, 'rb').read()
    parts = data.split(b'\r\n', 3)
    if not (parts[0].startswith(b'Return-Path: ') and parts[1].startswith(b'X-BadSMTP-Rcpt-To: ')
            and parts[2].startswith(b'Received: ')):
        raise Mismatch('%s: not our three header lines first: %r' % (path, data[:300]))
    rest = parts[3]
    if rest.startswith(b'X-BadSMTP-Violations: '):
        line, rest = rest.split(b'\r\n', 1)
        return line[len(b'X-BadSMTP-Violations: '):].decode(), rest
    return None, rest


def check(name, c):
    run, want_violations, want_stored = SCENARIOS[name]
    problems = []
    try:
        run(c)
    except Mismatch as e:
        problems.append('client: %s' % e)
    try:
        c.finish()
        ev = c.events()
    except Mismatch as e:
        return problems + [str(e)]
    got = [(e['fields']['violation'], e['fields']['detail']) for e in ev
           if e['message'] == 'SMTP client violation']
    if got != want_violations:
        problems.append('violation events: got %r, want %r' % (got, want_violations))
    if any(e['level'] != 'WARN' for e in ev if e['message'] == 'SMTP client violation'):
        problems.append('a violation event not at WARN')
    closed = [e for e in ev if e['message'] == 'SMTP connection closed'][0]['fields']
    if closed.get('violations') != [v for v, _ in want_violations]:
        problems.append('SMTP connection closed: violations %r, want %r' %
                        (closed.get('violations'), [v for v, _ in want_violations]))
    paths = [e['fields']['path'] for e in ev if e['message'] == 'SMTP message stored successfully']
    if len(paths) != len(want_stored):
        problems.append('stored %d messages, want %d' % (len(paths), len(want_stored)))
    for path, (header, body) in zip(paths, want_stored):
        try:
            got_header, rest = stored_rest(path)
        except (Mismatch, OSError) as e:
            problems.append(str(e))
            continue
        if got_header != header:
            problems.append('%s: X-BadSMTP-Violations %r, want %r' % (path, got_header, header))
        want_body = body if body is not None else unstuffed(run.body)
        if rest != want_body:
            problems.append('%s: stored %r..., want %r...' % (path, rest[:80], want_body[:80]))
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('mode', choices=['pipe', 'tcp', 'closed', 'list'])
    ap.add_argument('--since', type=int, default=0)
    ap.add_argument('scenario', nargs='?')
    ap.add_argument('--log')
    ap.add_argument('--port', type=int)
    argv = sys.argv[1:]
    cmd = argv[argv.index('--') + 1:] if '--' in argv else []
    a = ap.parse_args(argv[:len(argv) - len(cmd) - (1 if cmd else 0)])
    if a.mode == 'list':
        print('\n'.join(SCENARIOS))
        return 0
    if a.mode == 'closed':
        c = Client('tcp', a.log)
        c.log_offset = a.since
        ev = c.events()
        print(json.dumps({
            'violations': [e for e in ev if e['message'] == 'SMTP connection closed'][0]['fields']['violations'],
            'details': [e['fields']['detail'] for e in ev if e['message'] == 'SMTP client violation']}))
        return 0
    c = Client(a.mode, a.log, port=a.port, cmd=cmd)
    problems = check(a.scenario, c)
    for p in problems:
        print('%s (%s): %s' % (a.scenario, a.mode, p))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
