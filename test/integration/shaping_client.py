#!/usr/bin/python3
"""shaping_client.py: the client side of test/integration/shaping.bats, one mode per test.

Usage: shaping_client.py MODE PORT [ARG...]; each mode prints what its test compares (the reads
a reply came in and their timing, the replies of a pipelined group, what follows each segment of
a body, the codes of concurrent connections...).
"""
import smtplib, socket, sys, threading, time

mode, port = sys.argv[1], int(sys.argv[2])
args = sys.argv[3:]

def connect(source=None):
    s = socket.create_connection(("127.0.0.1", port), timeout=20,
                                 source_address=(source, 0) if source else None)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s

def reply(s):
    """One whole reply, read a byte at a time so that nothing of the next is taken."""
    data = b""
    while True:
        c = s.recv(1)
        if not c:
            raise EOFError("EOF after %r" % data)
        data += c
        if data.endswith(b"\n"):
            last = data.split(b"\n")[-2]
            if len(last) < 4 or last[3:4] != b"-":
                return data

def reads(s, want):
    """Reads until want octets came: (the size of each read, ms from the first to the last)."""
    sizes, t0, got = [], None, 0
    while got < want:
        chunk = s.recv(65536)
        if not chunk:
            break
        t0 = t0 or time.monotonic()
        sizes.append(len(chunk))
        got += len(chunk)
    return sizes, int((time.monotonic() - t0) * 1000)

def read_all(s):
    data = b""
    while True:
        c = s.recv(65536)
        if not c:
            return data
        data += c

def gone(s, wait):
    """'eof', 'open' (nothing within wait s) or the bytes that came."""
    s.settimeout(wait)
    try:
        data = s.recv(65536)
    except socket.timeout:
        return "open"
    except ConnectionResetError:
        return "eof"
    finally:
        s.settimeout(20)
    return "eof" if not data else data.decode().strip()

def transaction(s, sender):
    reply(s)
    for c in (b"EHLO tcp.example", b"MAIL FROM:<%s>" % sender.encode(), b"RCPT TO:<b@example.com>",
              b"DATA"):
        s.sendall(c + b"\r\n")
        r = reply(s)
    assert r.startswith(b"354"), r

if mode == "split":           # the first read is the code alone, the rest a gap later
    s = connect(); reply(s)
    s.sendall(b"EHLO replysplit.example\r\n")
    first = s.recv(65536); t = time.monotonic()
    rest = b""
    while not rest.endswith(b"250 OK\r\n"):
        rest += s.recv(65536)
    print("first=%s gap_ms=%d" % (first.decode(), (time.monotonic() - t) * 1000))
    s.sendall(b"NOOP\r\n")
    first = s.recv(65536); t = time.monotonic(); rest = s.recv(65536)
    print("first=%s gap_ms=%d rest=%s" % (first.decode(), (time.monotonic() - t) * 1000,
                                          rest.decode().rstrip()))
elif mode == "bytes":         # reads of one octet each, 2 ms apart
    s = connect(); reply(s)
    s.sendall(b"EHLO replybytes-noauth.example\r\n")
    want = int(args[0])
    sizes, ms = reads(s, want)
    print("octets=%d reads=%d ones=%d ms=%d" % (sum(sizes), len(sizes), sizes.count(1), ms))
elif mode == "greeting":      # the greeting's reads and time
    s = connect()
    sizes, ms = reads(s, int(args[0]))
    print("octets=%d reads=%d ms=%d" % (sum(sizes), len(sizes), ms))
elif mode == "early":         # talk before the greeting
    s = connect(); t = time.monotonic()
    s.sendall(b"EHLO early.example\r\n")
    data = read_all(s)
    print("ms=%d data=%s" % ((time.monotonic() - t) * 1000, data.decode().strip()))
elif mode == "pipelined":     # a whole group in one write
    s = connect(); reply(s)
    s.sendall(b"EHLO %s.example\r\n" % args[0].encode()); reply(s)
    s.sendall(b"MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\n"
              b"RCPT TO:<rcpt550_5.1.1@example.com>\r\nRSET\r\nQUIT\r\n")
    sys.stdout.write(read_all(s).decode().replace("\r", ""))
elif mode == "segments":      # the body in segments of 1000 octets, 0.3 s apart: what follows each
    sender, segments = args[0], int(args[1])
    s = connect(); transaction(s, sender)
    for i in range(segments):
        s.sendall((b"%04d" % i) + b"x" * 994 + b"\r\n")
        state = gone(s, 0.3)
        print("segment %d: %s" % (i + 1, state))
        if state != "open":
            break
elif mode == "lost":          # smtplib sees the connection go instead of the 250
    c = smtplib.SMTP("127.0.0.1", port, timeout=20)
    try:
        c.sendmail("datalost@example.com", ["b@example.com"], args[0].encode())
        print("accepted")
    except smtplib.SMTPServerDisconnected as e:
        print("disconnected")
elif mode == "concurrent":    # n connections at once, one RCPT each: the codes, sorted
    n, rcpt, codes = int(args[0]), args[1], []
    lock, barrier = threading.Lock(), threading.Barrier(n, timeout=60)
    def one(i):
        c = smtplib.SMTP("127.0.0.1", port, local_hostname="c%d.example" % i, timeout=60)
        c.ehlo()
        c.mail("a@example.com")
        barrier.wait()
        code = c.rcpt(rcpt)[0]
        c.quit()
        with lock:
            codes.append(code)
    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads: t.start()
    for t in threads: t.join()
    print(" ".join(str(c) for c in sorted(codes)))
elif mode == "nodelay":       # TCP_NODELAY on the session's socket, before and after EHLO
    import ctypes, os, subprocess
    libc = ctypes.CDLL(None, use_errno=True)
    def nodelay(launcher):
        """The session's socket (fd 0 of the launcher's child), through pidfd_getfd(2)."""
        pid = int(subprocess.check_output(["pgrep", "-P", launcher]).split()[0])
        fd = libc.syscall(438, os.pidfd_open(pid), 0, 0)   # SYS_pidfd_getfd
        assert fd >= 0, "pidfd_getfd: errno %d" % ctypes.get_errno()
        peer = socket.socket(fileno=fd)
        on = peer.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        peer.detach(); os.close(fd)
        return on
    s = connect(); reply(s)
    s.sendall(b"EHLO plain.example\r\n"); reply(s)
    before = nodelay(args[0])
    s.sendall(b"EHLO %s.example\r\n" % args[1].encode()); reply(s)
    print("before=%d after=%d" % (before, nodelay(args[0]) != 0))
elif mode == "grey":          # from a source address: the RCPT's reply
    source, sender = args
    s = connect(source); reply(s)
    for c in (b"EHLO grey.example", b"MAIL FROM:<%s>" % sender.encode(), b"RCPT TO:<grey100@tcp.example>"):
        s.sendall(c + b"\r\n")
        r = reply(s)
    s.sendall(b"QUIT\r\n"); reply(s)
    print(r.decode().strip())
