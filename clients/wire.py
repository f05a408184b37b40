# The wire between a client library and badsmtp: a recording TCP relay on 127.0.0.1 that the
# library connects to instead of the launcher, and the reading of what it recorded.
#
# The relay forwards bytes as they come and mirrors the ends of the connection, so the library
# sees what it would see talking to badsmtp directly: when badsmtp closes, the relay closes the
# library's socket at once (a QUIT written after a 421 then meets a reset, as it would); when the
# library shuts its side, the relay shuts badsmtp's. Every chunk is kept with its arrival time.
# A transcript is plain text only up to TLS: once a STARTTLS is answered with 220, or on an
# implicit-TLS port, the rest is ciphertext and the judge relies on badsmtp's log instead.
import re
import selectors
import socket
import threading
import time

CLIENT, SERVER = "C", "S"


class Conn:
    """One relayed connection: chunks as (monotonic time, CLIENT|SERVER, bytes)."""

    def __init__(self):
        self.t_open = time.monotonic()
        self.chunks = []
        self.client_eof = None      # time the library closed (or reset) its side
        self.server_eof = None      # time badsmtp closed
        self.server_reset = False
        self.done = threading.Event()

    def data(self, side):
        return b"".join(d for _, s, d in self.chunks if s == side)

    def text(self, max_lines=40):
        """The transcript as lines '+seconds S: line', each chunk cut after max_lines lines."""
        out = []
        for t, side, d in self.chunks:
            lines = d.split(b"\n")
            for line in lines[:max_lines]:
                if line:
                    shown = line if len(line) <= 200 else line[:200] + b"...(%d octets)" % len(line)
                    out.append((t, "%s: %s" % (side, shown.decode("latin-1"))))
            if len(lines) > max_lines:
                out.append((t, "%s: ...(%d more lines)" % (side, len(lines) - max_lines)))
        ends = ((self.client_eof, "C: <closed>"),
                (self.server_eof, "S: <reset>" if self.server_reset else "S: <closed>"))
        out += [(t, what) for t, what in ends if t is not None]
        out.sort(key=lambda e: e[0])
        return "\n".join("+%.3f %s" % (t - self.t_open, what) for t, what in out)


class Relay:
    """Listens on a free loopback port; each connection is relayed to 127.0.0.1:upstream."""

    def __init__(self, upstream):
        self.upstream = upstream
        self.conns = []
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.stopping = False
        self.threads = [threading.Thread(target=self._accept, daemon=True)]
        self.threads[0].start()

    def _accept(self):
        while not self.stopping:
            try:
                cs, _ = self.listener.accept()
            except OSError:
                return
            conn = Conn()
            self.conns.append(conn)
            t = threading.Thread(target=self._pump, args=(cs, conn), daemon=True)
            self.threads.append(t)
            t.start()

    def _pump(self, cs, conn):
        try:
            us = socket.create_connection(("127.0.0.1", self.upstream), timeout=5)
        except OSError:
            conn.server_eof = time.monotonic()
            cs.close()
            conn.done.set()
            return
        conn.t_open = time.monotonic()
        us.settimeout(None)
        for s in (cs, us):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sel = selectors.DefaultSelector()
        sel.register(cs, selectors.EVENT_READ, CLIENT)
        sel.register(us, selectors.EVENT_READ, SERVER)
        while not self.stopping and conn.server_eof is None:
            for key, _ in sel.select(timeout=0.2):
                side = key.data
                try:
                    d = key.fileobj.recv(65536)
                except OSError:
                    d = None          # a reset
                now = time.monotonic()
                if d:
                    conn.chunks.append((now, side, d))
                    try:
                        (us if side == CLIENT else cs).sendall(d)
                    except OSError:
                        pass          # that end is gone: its own recv will tell
                elif side == SERVER:
                    conn.server_eof, conn.server_reset = now, d is None
                    break
                else:
                    conn.client_eof = now
                    sel.unregister(cs)
                    try:
                        us.shutdown(socket.SHUT_WR)
                    except OSError:
                        pass
        sel.close()
        for s in (cs, us):
            s.close()
        conn.done.set()

    def wait_idle(self, seconds):
        """Waits until every connection has ended, at most `seconds`."""
        deadline = time.monotonic() + seconds
        for c in list(self.conns):
            c.done.wait(max(0.0, deadline - time.monotonic()))
        return all(c.done.is_set() for c in self.conns)

    def close(self):
        self.stopping = True
        try:
            self.listener.shutdown(socket.SHUT_RDWR)   # wakes the thread blocked in accept()
        except OSError:
            pass
        self.listener.close()
        for t in self.threads[1:]:
            t.join(2)


# ---- reading a transcript --------------------------------------------------------------------

REPLY_LINE = re.compile(rb"^([2-5][0-9][0-9])([ -][\x20-\x7e]*)?$")


class Exchange:
    """One thing the client sent that wants one reply: the greeting's wait ("greeting"), a
    command line ("line"), an answer to a 334 ("answer"), or a message body ("body": DATA's up
    to CRLF.CRLF, BDAT's n octets)."""

    def __init__(self, kind, sent, t_sent):
        self.kind, self.sent, self.t_sent = kind, sent, t_sent
        self.reply = []               # reply lines, line ends stripped
        self.crlf = []                # for each reply line: it ended in CRLF (else a bare LF)
        self.t_reply = None           # arrival of the reply's first octet
        self.t_done = None            # arrival of its last line
        self.pipelined = False        # sent while an earlier exchange still waited for its reply

    def verb(self):
        return self.sent.split(b" ", 1)[0].strip().upper().decode("latin-1")

    def code(self):
        return int(self.reply[-1][:3]) if self.reply else None


class Walk:
    """The plaintext part of a connection, exchange by exchange (SPEC §2, §6, §10)."""

    def __init__(self, conn):
        self.exchanges = [Exchange("greeting", b"", conn.t_open)]
        self.problems = []            # badsmtp's replies that are not well-formed
        self.tls = False              # a STARTTLS was answered 220: the rest is ciphertext
        self.lines = []               # (kind, line as sent, line end included) outside bodies:
                                      # "line", "answer" or "empty"
        self._awaiting = [self.exchanges[0]]
        self._cbuf = b""
        self._sbuf = b""
        self._body = None             # "DATA", or the octets of a BDAT chunk still to come
        self._data_wanted = None      # the DATA exchange whose 354 opens a body
        self._reply_started = None
        self._challenged = False      # the last reply was a 334: the next line answers it
        for t, side, d in conn.chunks:
            if self.tls:
                break
            if side == SERVER:
                self._server(t, d)
            else:
                self._client(t, d)
        if self._sbuf and not self.tls:
            self.problems.append("bytes after the last line end: %r" % self._sbuf[:80])

    def _open(self, kind, sent, t):
        ex = Exchange(kind, sent, t)
        ex.pipelined = bool(self._awaiting)
        self.exchanges.append(ex)
        self._awaiting.append(ex)
        return ex

    def _client(self, t, d):
        self._cbuf += d
        while True:
            if self._body is not None and not self._take_body(t):
                return
            j = self._cbuf.find(b"\n")
            if j < 0:
                return
            line, self._cbuf = self._cbuf[:j + 1], self._cbuf[j + 1:]
            text = line.rstrip(b"\r\n")
            if self._challenged:      # an AUTH answer, the empty one included (SPEC §5)
                self._challenged = False
                self.lines.append(("answer", line))
                self._open("answer", text, t)
                continue
            if not text.strip():
                self.lines.append(("empty", line))
                continue              # an empty line gets no reply (SPEC §2)
            self.lines.append(("line", line))
            ex = self._open("line", text, t)
            if text.strip().upper() == b"DATA":
                self._data_wanted = ex
            elif ex.verb() == "BDAT":
                parts = text.split()
                if len(parts) >= 2 and parts[1].isdigit():
                    self._body, self._body_bytes = int(parts[1]), b""

    def _take_body(self, t):
        """Moves body octets out of the client buffer; True once the body is complete."""
        if self._body == "DATA":
            self._body_bytes += self._cbuf
            b, self._cbuf = self._body_bytes, b""
            if b.startswith(b".\r\n"):
                body, rest = b"", b[3:]
            else:
                k = b.find(b"\r\n.\r\n")
                if k < 0:
                    return False
                body, rest = b[:k + 2], b[k + 5:]
        else:
            take = self._cbuf[:self._body]
            self._body_bytes += take
            self._cbuf = self._cbuf[len(take):]
            self._body -= len(take)
            if self._body > 0:
                return False
            body, rest = self._body_bytes, self._cbuf
        self._cbuf = rest
        self._body = None
        self._open("body", body, t)
        return True

    def _server(self, t, d):
        if self._reply_started is None:
            self._reply_started = t
        self._sbuf += d
        while True:
            j = self._sbuf.find(b"\n")
            if j < 0:
                return
            line, self._sbuf = self._sbuf[:j], self._sbuf[j + 1:]
            crlf = line.endswith(b"\r")
            line = line[:-1] if crlf else line
            m = REPLY_LINE.match(line)
            if not m:
                self.problems.append("malformed reply line %r" % line[:80])
                continue
            if not self._awaiting:
                self.problems.append("a reply nobody asked for: %r" % line[:80])
                self._awaiting.append(Exchange("unsolicited", b"", t))
            ex = self._awaiting[0]
            if ex.t_reply is None:
                ex.t_reply = self._reply_started
            if ex.reply and ex.reply[-1][:3] != line[:3].decode():
                self.problems.append("continuation with another code: %r" % line[:80])
            ex.reply.append(line.decode("latin-1"))
            ex.crlf.append(crlf)
            if m.group(2) is not None and m.group(2)[:1] == b"-":
                continue
            ex.t_done = t
            self._awaiting.pop(0)
            self._challenged = ex.code() == 334
            self._reply_started = t if self._sbuf else None
            if ex is self._data_wanted:
                self._data_wanted = None
                if ex.code() == 354:
                    self._body, self._body_bytes = "DATA", b""
            if ex.kind == "line" and ex.verb() == "STARTTLS" and ex.code() == 220:
                self.tls = True
                return

    def bodies(self):
        """(the body as sent, its reply code) for every body the server took in."""
        return [(ex.sent, ex.code()) for ex in self.exchanges if ex.kind == "body"]

    def groups(self):
        """The pipelined groups: each a list of command verbs sent without waiting (RFC 2920)."""
        out = []
        for prev, ex in zip(self.exchanges, self.exchanges[1:]):
            if ex.kind != "line" or not ex.pipelined:
                continue
            if out and out[-1][1] is prev:
                out[-1] = (out[-1][0] + [ex.verb()], ex)
            else:
                out.append(([prev.verb() if prev.kind == "line" else prev.kind, ex.verb()], ex))
        return [verbs for verbs, _ in out]


def unstuff(body):
    """SPEC §6: a line starting with '.' loses that dot."""
    return b"\r\n".join(ln[1:] if ln.startswith(b".") else ln for ln in body.split(b"\r\n"))
