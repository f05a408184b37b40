"""client.py: the python client of the TCP suites (launchers.bats, wait.bats, proxy.bats), one
mode per kind of exchange; python, so that timings are measured where they happen.
usage: client.py MODE PORT [ARG...]"""
import selectors, smtplib, socket, ssl, struct, sys, threading, time

mode, port = sys.argv[1], int(sys.argv[2])
HOST = "127.0.0.1"
MSG = b"Subject: launcher test\r\n\r\nhello\r\n"
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE

def connect():
    return socket.create_connection((HOST, port), timeout=30)

def read_all(s):
    """everything until the server closes; "<reset>" at the end when it reset instead"""
    data = b""
    while True:
        try:
            chunk = s.recv(65536)
        except ConnectionResetError:
            return data + b"<reset>"
        if not chunk:
            return data
        data += chunk

V2SIG = b"\r\n\r\n\x00\r\nQUIT\n"

def proxy_header(kind, ip="192.0.2.7", port=4242):
    """a PROXY header saying the client is ip:port: v1, v2, local, unknown, bad or none"""
    if kind == "v1":
        return b"PROXY TCP4 %s 127.0.0.1 %d 25\r\n" % (ip.encode(), port)
    if kind == "v2":
        body = socket.inet_aton(ip) + socket.inet_aton("127.0.0.1") + struct.pack(">HH", port, 25)
        return V2SIG + b"\x21\x11" + struct.pack(">H", len(body)) + body
    if kind == "local":
        return V2SIG + b"\x20\x00\x00\x00"
    if kind == "unknown":
        return b"PROXY UNKNOWN\r\n"
    if kind == "bad":
        return b"PROXY TCP4 %s 127.0.0.1 99999 25\r\n" % ip.encode()
    return b""

if mode == "drop":            # connect, read to EOF: bytes=N elapsed=S
    t = time.monotonic(); s = connect()
    data = read_all(s)
    print("bytes=%d elapsed=%.3f" % (len(data), time.monotonic() - t))
elif mode == "greet":         # time until the greeting line
    t = time.monotonic(); s = connect(); f = s.makefile("rb")
    line = f.readline()
    print("elapsed=%.3f line=%s" % (time.monotonic() - t, line.decode().rstrip()))
    s.sendall(b"QUIT\r\n"); f.readline()
elif mode == "raw":           # a lock-step transaction; prints every byte received
    s = connect(); f = s.makefile("rb"); out = []
    def reply():
        while True:
            line = f.readline(); out.append(line)
            if len(line) < 4 or line[3:4] != b"-":
                return line
    reply()
    for cmd in (b"EHLO raw.example.com", b"MAIL FROM:<a@example.com>",
                b"RCPT TO:<b@example.com>", b"RCPT TO:<rcpt550@example.com>", b"DATA"):
        s.sendall(cmd + b"\r\n"); reply()
    s.sendall(MSG + b".\r\n"); reply()
    s.sendall(b"QUIT\r\n"); reply()
    out.append(read_all(s))
    sys.stdout.write(b"".join(out).decode("utf-8", "replace"))
elif mode == "smtplib":       # a full transaction; prints the replies' codes
    c = smtplib.SMTP(HOST, port, timeout=20)
    print("ehlo", c.ehlo("smtplib.example.com")[0])
    print("mail", c.mail("a@example.com")[0])
    print("rcpt", c.rcpt("b@example.com")[0])
    print("data", c.data(MSG)[0])
    print("quit", c.quit()[0])
elif mode == "starttls-required":
    c = smtplib.SMTP(HOST, port, timeout=20)
    c.ehlo("client.example.com")
    code, text = c.mail("a@example.com")
    print("%d %s" % (code, text.decode()))
    c.quit()
elif mode == "concurrent":    # N sessions open at once, then each runs a transaction
    n = int(sys.argv[3]); ok = []; errors = []
    barrier = threading.Barrier(n, timeout=60)
    def one(i):
        try:
            c = smtplib.SMTP(HOST, port, timeout=60)
            barrier.wait()
            codes = (c.ehlo("c%d.example.com" % i)[0], c.mail("a%d@example.com" % i)[0],
                     c.rcpt("b@example.com")[0], c.data(MSG)[0], c.quit()[0])
            if codes == (250, 250, 250, 250, 221):
                ok.append(i)
            else:
                errors.append("%d: %r" % (i, codes))
        except Exception as e:
            errors.append("%d: %r" % (i, e))
            try:
                barrier.abort()
            except Exception:
                pass
    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads: t.start()
    for t in threads: t.join()
    print("ok=%d" % len(ok))
    for e in errors[:5]: print("error", e)
elif mode == "all":           # everything the server sends until it closes
    s = connect()
    sys.stdout.write(read_all(s).decode("utf-8", "replace"))
elif mode == "starttls":      # STARTTLS, then a NOOP: its code and how long its reply took
    c = smtplib.SMTP(HOST, port, timeout=30); c.ehlo("x")
    code = c.starttls(context=ctx)[0]; c.ehlo("x")
    t = time.monotonic(); n = c.noop()[0]
    print(code, n, "noop=%.3f" % (time.monotonic() - t)); c.quit()
elif mode == "smtps":
    c = smtplib.SMTP_SSL(HOST, port, timeout=30, context=ctx)
    print(c.noop()[0], c.quit()[0])
elif mode == "hold":          # N sessions greeted; "ready"; then each one's next line and EOF
    n = int(sys.argv[3]); socks = []
    for _ in range(n):
        s = connect(); f = s.makefile("rb")
        assert f.readline().startswith(b"220 "); socks.append((s, f))
    print("ready", flush=True)
    got = {}
    for s, f in socks:
        line = f.readline().decode().rstrip(); rest = f.read()
        key = line + (" +EOF" if rest == b"" else " +more")
        got[key] = got.get(key, 0) + 1
    for k, v in sorted(got.items()): print(v, k)
elif mode == "flood":         # N connections at once, then each greeted and QUIT
    n = int(sys.argv[3]); sel = selectors.DefaultSelector(); socks = []
    for _ in range(n):
        s = socket.socket(); s.setblocking(False)
        s.connect_ex((HOST, port)); socks.append(s)
        sel.register(s, selectors.EVENT_READ, [b"", 0])
    done = 0; bad = []; deadline = time.monotonic() + 120
    while done + len(bad) < n and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=1):
            s, st = key.fileobj, key.data
            try:
                chunk = s.recv(4096)
            except OSError as e:
                bad.append(repr(e)); sel.unregister(s); continue
            if not chunk:
                bad.append(st[0][:60]); sel.unregister(s); continue
            st[0] += chunk
            if st[1] == 0 and st[0].endswith(b"\r\n"):
                if not st[0].startswith(b"220 "):
                    bad.append(st[0][:60]); sel.unregister(s); continue
                st[0] = b""; st[1] = 1; s.setblocking(True); s.sendall(b"QUIT\r\n"); s.setblocking(False)
            elif st[1] == 1 and st[0].endswith(b"\r\n"):
                if st[0] == b"221 Bye\r\n": done += 1
                else: bad.append(st[0][:60])
                sel.unregister(s)
    print("ok=%d bad=%d" % (done, len(bad)))
    for b in bad[:5]: print("bad", b)
elif mode == "silent":        # connects and holds the connection without a byte until killed
    s = connect(); print("connected", flush=True); time.sleep(3600)
elif mode == "middata":       # DATA and half a body, then "ready" and wait to be cut off
    c = socket.create_connection((HOST, port), timeout=30); f = c.makefile("rb")
    f.readline()
    for cmd in (b"EHLO x", b"MAIL FROM:<a@example.com>", b"RCPT TO:<b@example.com>", b"DATA"):
        c.sendall(cmd + b"\r\n")
        while True:
            line = f.readline()
            if line[3:4] != b"-": break
    assert line.startswith(b"354"), line
    c.sendall(b"Subject: cut\r\n\r\nhalf a body\r\n")
    print("ready", flush=True)
    print("eof" if f.read() == b"" else "more")
elif mode == "proxied":  # proxied PORT KIND [SOURCE]: a PROXY header and "EHLO x QUIT" in one write
    kind = sys.argv[3]; source = sys.argv[4] if len(sys.argv) > 4 else "127.0.0.1"
    s = socket.create_connection((HOST, port), timeout=30, source_address=(source, 0))
    s.sendall(proxy_header(kind) + b"EHLO x\r\nQUIT\r\n")
    data = read_all(s)
    # the code of each whole reply (its last line), then how the connection ended
    codes = [l[:3].decode() for l in data.split(b"\r\n") if l[3:4] == b" "]
    print(" ".join(codes) or "nothing", "+reset" if data.endswith(b"<reset>") else "")
elif mode == "proxied-smtps":  # proxied-smtps PORT KIND: the header, then TLS straight away
    kind = sys.argv[3]
    raw = socket.create_connection((HOST, port), timeout=30)
    raw.sendall(proxy_header(kind))
    s = ctx.wrap_socket(raw, server_hostname="badsmtp.test")
    f = s.makefile("rb"); print(f.readline().decode().rstrip())
    s.sendall(b"QUIT\r\n"); print(f.readline().decode().rstrip())
elif mode == "txn-from":  # txn-from PORT N SOURCE: N transactions from SOURCE; their client ports
    n, source = int(sys.argv[3]), sys.argv[4]; ports = []
    for i in range(n):
        c = smtplib.SMTP(HOST, port, timeout=30, source_address=(source, 0))
        ports.append(c.sock.getsockname()[1])
        codes = (c.ehlo("c%d.example" % i)[0], c.mail("a@example.com")[0], c.rcpt("b@example.com")[0],
                 c.data(b"Subject: via haproxy\r\n\r\nhi\r\n")[0], c.quit()[0])
        assert codes == (250, 250, 250, 250, 221), codes
    print(" ".join(map(str, ports)))
