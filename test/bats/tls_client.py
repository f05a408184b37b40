#!/usr/bin/python3
"""tls_client.py: an SMTP client that speaks TLS to badsmtp-session over a pair of pipes.

Python's ssl.MemoryBIO lets us run the TLS state machine over the child's stdin/stdout, so a
test sees every reply in plain text, and can do what swaks cannot (STARTTLS twice, commands after
TLS, SNI, forced versions, the server certificate).

Usage: tls_client.py [--sni NAME] [--tls 1.0|1.1|1.2|1.3] [--cert-out FILE] [--timeout S]
                     [--split-hello] [--ca FILE] [--client-cert FILE]
                     -- CMD [ARG...]
--split-hello sends the ClientHello in two TLS records, both in one write (RFC 8446 §5.1 lets a
handshake message span records).
--ca FILE verifies the server as a careful client does: FILE is the only trust anchor, and the
certificate must be for the SNI name; a failed verification prints "VERIFY: code message"
(OpenSSL's X509_V_ERR code and text). Without it nothing is verified.
--tls 1.0 and 1.1 also lower OpenSSL's security level, which refuses them otherwise.
--client-cert FILE: a PEM file holding the client's certificate and its key.
The dialogue comes on stdin, one client line per line:
  !tls       implicit TLS: handshake now (before the greeting is read)
  !greeting  read the greeting
  !maps      print "MAPS gnutls=yes|no" from /proc/<server pid>/maps
  !raw TEXT  send TEXT (with \\r \\n escapes) without reading a reply
  !records A|B|...  after TLS: each command in a TLS record of its own, all records in one write,
             then read one reply per command (pipelining across records)
  anything else: send it with CRLF and read one reply; after a 220 to STARTTLS, handshake.
Output: "S: line" per reply line, "TLS: version cipher" after a handshake, "EOF" when the server
closes, "EXIT n" with the server's exit status. The child's stderr is inherited.
"""
import argparse
import os
import select
import ssl
import subprocess
import sys
import time
import warnings


class Conn:
    def __init__(self, proc, timeout):
        self.proc = proc
        self.timeout = timeout
        self.tls = None
        self.inb = ssl.MemoryBIO()
        self.outb = ssl.MemoryBIO()
        self.buf = b''
        self.eof = False

    def _raw_read(self):
        """Bytes from the child, or b'' at EOF; raises TimeoutError."""
        fd = self.proc.stdout.fileno()
        r, _, _ = select.select([fd], [], [], self.timeout)
        if not r:
            raise TimeoutError('no data from the server within %ss' % self.timeout)
        return os.read(fd, 65536)

    def _raw_write(self, data):
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        except BrokenPipeError:
            pass

    def _flush_tls(self):
        data = self.outb.read()
        if data:
            self._raw_write(data)

    def send(self, data):
        if self.tls is None:
            self._raw_write(data)
        else:
            self.tls.write(data)
            self._flush_tls()

    def send_records(self, lines):
        """After TLS: each line (CRLF added) in a TLS record of its own, all in one write."""
        for line in lines:
            self.tls.write(line + b'\r\n')
        self._flush_tls()

    def _fill(self):
        """More plaintext into self.buf; sets eof."""
        if self.tls is None:
            d = self._raw_read()
            if not d:
                self.eof = True
            self.buf += d
            return
        while True:
            try:
                d = self.tls.read(65536)
                if not d:
                    self.eof = True
                self.buf += d
                return
            except ssl.SSLWantReadError:
                raw = self._raw_read()
                if not raw:
                    self.inb.write_eof()
                else:
                    self.inb.write(raw)
            except (ssl.SSLEOFError, ssl.SSLZeroReturnError):
                self.eof = True
                return

    def reply(self):
        lines = []
        while True:
            while b'\n' not in self.buf:
                if self.eof:
                    return lines
                self._fill()
            line, self.buf = self.buf.split(b'\n', 1)
            line = line.rstrip(b'\r').decode('utf-8', 'replace')
            lines.append(line)
            print('S: ' + line, flush=True)
            if len(line) < 4 or line[3] != '-':
                return lines

    def handshake(self, ctx, sni, split_hello=False):
        self.tls = ctx.wrap_bio(self.inb, self.outb, server_side=False, server_hostname=sni)
        while True:
            try:
                self.tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                if split_hello:
                    self._raw_write(split_record(self.outb.read()))
                    split_hello = False
                self._flush_tls()
                raw = self._raw_read()
                if not raw:
                    raise ConnectionError('server closed during the handshake')
                self.inb.write(raw)
        self._flush_tls()
        print('TLS: %s %s' % (self.tls.version(), self.tls.cipher()[0]), flush=True)
        return self.tls.getpeercert(binary_form=True)

    def try_handshake(self, ctx, sni, split_hello=False):
        """handshake(), a failed verification printed as "VERIFY: code message"."""
        try:
            return self.handshake(ctx, sni, split_hello)
        except ssl.SSLCertVerificationError as e:
            self._flush_tls()   # the client's alert
            print('VERIFY: %d %s' % (e.verify_code, e.verify_message), flush=True)
            raise


def split_record(data):
    """One TLS record (data holds exactly one) as two records of the same type and version."""
    ctype, version, n = data[0], data[1:3], int.from_bytes(data[3:5], 'big')
    assert len(data) == 5 + n, 'more than one record in the first flight'
    body, half = data[5:], n // 2

    def record(b):
        return bytes([ctype]) + version + len(b).to_bytes(2, 'big') + b
    return record(body[:half]) + record(body[half:])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--sni')
    ap.add_argument('--tls', choices=['1.0', '1.1', '1.2', '1.3'])
    ap.add_argument('--ca')
    ap.add_argument('--client-cert')
    ap.add_argument('--cert-out')
    ap.add_argument('--timeout', type=float, default=5)
    ap.add_argument('--split-hello', action='store_true')
    ap.add_argument('cmd', nargs='+')
    a = ap.parse_args()

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if a.ca:
        ctx.load_verify_locations(cafile=a.ca)
    else:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if a.client_cert:
        ctx.load_cert_chain(a.client_cert)
    if a.tls:
        v = {'1.0': ssl.TLSVersion.TLSv1, '1.1': ssl.TLSVersion.TLSv1_1,
             '1.2': ssl.TLSVersion.TLSv1_2, '1.3': ssl.TLSVersion.TLSv1_3}[a.tls]
        if a.tls in ('1.0', '1.1'):
            ctx.set_ciphers('DEFAULT@SECLEVEL=0')
        with warnings.catch_warnings():
            warnings.simplefilter('ignore', DeprecationWarning)   # TLS 1.0 and 1.1 are
            ctx.minimum_version = ctx.maximum_version = v

    proc = subprocess.Popen(a.cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    c = Conn(proc, a.timeout)

    def got_cert(der):
        if a.cert_out and der:
            with open(a.cert_out, 'w') as f:
                f.write(ssl.DER_cert_to_PEM_cert(der))

    try:
        for line in sys.stdin.read().splitlines():
            if line == '!tls':
                got_cert(c.try_handshake(ctx, a.sni, a.split_hello))
            elif line == '!greeting':
                c.reply()
            elif line == '!maps':
                with open('/proc/%d/maps' % proc.pid) as f:
                    print('MAPS gnutls=%s' % ('yes' if 'libgnutls' in f.read() else 'no'), flush=True)
            elif line.startswith('!records '):
                commands = line[len('!records '):].encode().split(b'|')
                c.send_records(commands)
                for _ in commands:
                    c.reply()
            elif line.startswith('!raw '):
                c.send(line[5:].encode().decode('unicode_escape').encode('latin-1'))
            else:
                c.send(line.encode() + b'\r\n')
                r = c.reply()
                if line.upper() == 'STARTTLS' and r and r[-1].startswith('220'):
                    got_cert(c.try_handshake(ctx, a.sni, a.split_hello))
            if c.eof and not c.buf:
                break
    except (TimeoutError, ConnectionError, ssl.SSLError) as e:
        print('ERROR: %s' % e, flush=True)
    # Drain whatever else comes, then hang up and collect the exit status.
    try:
        while not c.eof:
            c.reply()
    except (TimeoutError, ssl.SSLError, OSError):
        pass
    if c.eof:
        print('EOF', flush=True)
    try:
        proc.stdin.close()
    except BrokenPipeError:
        pass
    try:
        rc = proc.wait(a.timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        rc = proc.wait()
    print('EXIT %d' % rc, flush=True)


if __name__ == '__main__':
    main()
