# Judging one run (a library on a scenario) from three sources: what the library reported (its
# client's JSON line), the Maildir, and badsmtp's JSON log, with the relay's transcript (wire.py)
# where the bytes themselves matter.
#
# badsmtp's rules, checked on every run whatever the library (a broken one fails the run):
#   every reply well-formed, on the wire and in the log, and the two agree (SPEC §2, §11);
#   every session ends with `SMTP connection closed` and an exit_status once the client is gone;
#   a 421 is the last reply and the connection closes right after it (SPEC §4.2, §10);
#   every reply shaped exactly as the session's EHLO keywords ask, from that EHLO's reply on
#   (SPEC §17), and no other reply shaped;
#   a TLS fault row's handshakes carry that fault, and a failed one ends the session (SPEC §16);
#   `datalost` stores the whole message and closes with no reply to it (SPEC §18);
#   the violations badsmtp names are those the bytes show (SPEC §19, plaintext sessions);
#   a drop profile writes nothing (SPEC §8); greeting and command delays are honoured (SPEC §8);
#   each stored file is the three added header lines (and X-BadSMTP-DSN:/-Violations: where they
#   apply, the violations the session logged), then exactly the body sent, dot-unstuffed
#   (SPEC §6, §12), one file per `250 OK Message accepted`, with the accepted recipients;
#   AUTH succeeds unless the user contains `badauth` (SPEC §5);
#   the row's own expected replies (scenarios.py).
# What the library made of it is not judged: it becomes the cell of the table and, when it
# contradicts the server's side, a note.
import json
import re

import wire

REPLY_LINE = re.compile(wire.REPLY_LINE.pattern.decode())   # the logged (text) form
ENHANCED = re.compile(r"\b([245]\.[0-9]{1,3}\.[0-9]{1,3})\b")
PAD = " " + "x" * 600             # SPEC §17 replylong
CORRECT_TLS = {"trusted", "chain"}    # SPEC §16: the faults a verifying client accepts
SHAPING = {"replysplit", "replybytes", "replybare", "replymulti", "replylong", "replylf",
           "authequals"}
SMTP_VERBS = {b"QUIT", b"RSET", b"NOOP", b"EHLO", b"HELO", b"MAIL", b"DATA"}


class Session:
    """One session as badsmtp logged it."""

    def __init__(self, sid):
        self.id = sid
        self.greeting = []            # replies before any command
        self.exchanges = []           # {"verb", "args", "replies"}
        self.stored = []              # `SMTP message stored successfully` fields
        self.auth = []                # `SMTP authentication ...` fields
        self.tls = False
        self.tls_faults = []          # `tls_fault` of each TLS handshake event
        self.tls_failed = False
        self.lost = 0                 # `datalost` behaviours (SPEC §18)
        self.violations = []          # (violation, detail) as logged (SPEC §19)
        self.closed = None            # `SMTP connection closed` fields
        self.lines = []               # the raw log lines, for the evidence file
        self.shaping = set()          # reply shaping keywords in force (SPEC §17)

    def responses(self):
        return self.greeting + [r for ex in self.exchanges for r in ex["replies"]]


def read_sessions(text):
    """Sessions established in these JSON log lines, in order."""
    sessions = {}
    for line in text.splitlines():
        try:
            ev = json.loads(line)
        except ValueError:
            continue
        f = ev.get("fields", {})
        sid = f.get("session_id")
        if not sid:
            continue
        msg = ev.get("message", "")
        if sid not in sessions and msg != "SMTP connection established":
            continue                  # a session that began before these lines
        s = sessions.setdefault(sid, Session(sid))
        s.lines.append(line)
        if msg == "SMTP command received":
            verb, args = f.get("command", ""), " ".join(f.get("args", []))
            if verb in ("EHLO", "HELO"):
                s.shaping = keywords(args) & SHAPING if verb == "EHLO" else set()
            s.exchanges.append({"verb": verb, "args": args, "replies": [], "lost": False,
                                "shaping": s.shaping})
        elif msg in ("SMTP response sent", "SMTP error response sent"):
            (s.exchanges[-1]["replies"] if s.exchanges else s.greeting).append(f.get("response"))
        elif msg == "SMTP message stored successfully":
            s.stored.append(f)
        elif msg.startswith("SMTP authentication"):
            s.auth.append(f)
        elif msg.startswith("TLS handshake"):
            s.tls_faults.append(f.get("tls_fault"))
            s.tls = s.tls or msg == "TLS handshake successful"
            s.tls_failed = s.tls_failed or msg == "TLS handshake failed"
            s.shaping = set()         # the STARTTLS reset (SPEC §7, §17)
        elif msg == "SMTP client violation":
            s.violations.append((f.get("violation"), f.get("detail")))
        elif msg == "SMTP behaviour triggered" and f.get("behaviour") == "data_lost":
            s.lost += 1
            if s.exchanges:
                s.exchanges[-1]["lost"] = True
        elif msg == "SMTP connection closed":
            s.closed = f
    return list(sessions.values())


def keywords(ehlo_arg):
    """SPEC §3: the first label of the EHLO argument, lower-cased, split on '-'."""
    return set(ehlo_arg.split(".")[0].lower().split("-"))


def accepted(verb, args, replies):
    """A message accepted: DATA's reply after the body, or BDAT LAST's, is a 250 (by code, since
    replybare leaves nothing else of `250 OK Message accepted for delivery`)."""
    if verb == "DATA":
        return len(replies) >= 2 and replies[0][:3] == "354" and replies[-1][:3] == "250"
    return verb == "BDAT" and "LAST" in args.upper() and replies[-1:] != [] and \
        replies[-1][:3] == "250"


def unshaped(lines, shaping):
    """SPEC §17 undone on one reply's lines (built as bare, then multi, then long): the reply as
    it would have been, and what in the lines is not what the shaping asks for."""
    out, bad = list(lines), []
    if "replylong" in shaping:
        if out[-1].endswith(PAD):
            out[-1] = out[-1][:-len(PAD)]
        else:
            bad.append("replylong: the last line %r is not padded" % out[-1][-40:])
    elif out[-1].endswith(PAD):
        bad.append("a line padded as replylong without the keyword")
    auth = [i for i, ln in enumerate(out) if ln[4:9] == "AUTH "]
    equals = [i for i, ln in enumerate(out) if ln[4:9] == "AUTH="]
    if "authequals" in shaping and auth:
        want = out[auth[0]][:8] + "=" + out[auth[0]][9:]
        if equals != [auth[0] + 1] or out[auth[0] + 1] != want:
            bad.append("authequals: no %r right after the AUTH line" % want)
        else:
            del out[auth[0] + 1]
    elif equals and "authequals" not in shaping:
        bad.append("an AUTH= line without authequals")
    twin = len(out) == 2 and out[0][3:4] == "-" and out[0][4:] == out[1][4:]
    if "replymulti" in shaping:
        if len(out) == 1:
            bad.append("replymulti: a single-line reply %r" % out[0][:40])
        elif twin:
            out = [out[1]]
    elif twin:
        bad.append("a reply doubled as replymulti without the keyword: %r" % out[1][:40])
    if len(out) == 1 and out[0][:1] in "23" and out[0][:3] != "334":
        if "replybare" in shaping and len(out[0]) != 3:
            bad.append("replybare: %r keeps its text" % out[0][:40])
        elif "replybare" not in shaping and len(out[0]) == 3:
            bad.append("a bare %r without replybare" % out[0])
    return out, bad


def reply_problems(response):
    """SPEC §2: each line a code and text, continuation lines with '-' and the same code."""
    if not isinstance(response, str) or not response:
        return ["a logged response that is not a string: %r" % (response,)]
    lines = response.split("\n")
    out = []
    for i, ln in enumerate(lines):
        m = REPLY_LINE.match(ln)
        if not m:
            out.append("malformed reply line %r" % ln[:80])
            continue
        last = i == len(lines) - 1
        cont = m.group(2) is not None and m.group(2).startswith("-")
        if cont == last or m.group(1) != lines[0][:3]:
            out.append("bad multi-line reply %r" % response[:120])
    return out


def received_proto(s):
    """SPEC §12: ESMTP, +S after TLS, +A after a successful AUTH."""
    authed = any(a.get("success") for a in s.auth)
    return "ESMTP" + ("S" if s.tls else "") + ("A" if authed else "")


def check_stored(s, f, fails):
    """One stored message: the file, its three header lines (and the optional ones after them:
    X-BadSMTP-DSN:, X-BadSMTP-Violations:, SPEC §17, §19), its body against the wire."""
    path = f.get("path", "")
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as e:
        fails.append("stored file %s unreadable: %s" % (path, e))
        return None
    head = data.split(b"\r\n", 3)
    if len(head) < 4:
        fails.append("stored file %s has fewer than three header lines" % path)
        return None
    want = [b"Return-Path: <%s>" % f.get("mail_from", "").encode(),
            b"X-BadSMTP-Rcpt-To: " + ", ".join(f.get("rcpt_to", [])).encode()]
    if head[:2] != want:
        fails.append("stored header lines %r, want %r" % (head[:2], want))
    rx = rb"^Received: from \S+ \(127\.0\.0\.1\) by \S+ with %s id %s; .+$" % (
        received_proto(s).encode(), s.id.encode())
    if not re.match(rx, head[2]):
        fails.append("stored Received line %r does not match %r" % (head[2], rx))
    body = head[3]
    extra = re.match(rb"(X-BadSMTP-DSN: .*\r\n(?: .*\r\n)*)?(X-BadSMTP-Violations: (.*)\r\n)?",
                     body)
    if extra.group(3) is not None:
        named = extra.group(3).decode().split(", ")
        seen = (s.closed or {}).get("violations", [])
        if named != seen[:len(named)]:
            fails.append("stored X-BadSMTP-Violations: %s, but the session's are %s"
                         % (", ".join(named), seen))
    body = body[extra.end():]
    if len(body) != f.get("message_size"):
        fails.append("stored body is %d octets, the log says message_size %s"
                     % (len(body), f.get("message_size")))
    return body


def check_session(s, conn, launcher, row, expect, fails):
    """badsmtp's rules for one session; returns its stored messages as (log fields, body)."""
    if s.closed is None or not isinstance(s.closed.get("exit_status"), int):
        fails.append("%s: no `SMTP connection closed` with an exit_status after the client "
                     "went" % s.id)
    for r in s.responses():
        fails.extend("%s: %s" % (s.id, p) for p in reply_problems(r))
    for ex in expectations(s, expect):
        fails.append("%s: %s" % (s.id, ex))
    for a in s.auth:
        if a.get("success") == ("badauth" in a.get("username", "")):
            fails.append("%s: AUTH for %r ended with success=%s (SPEC §5)"
                         % (s.id, a.get("username"), a.get("success")))
    resp = s.responses()
    n421 = [i for i, r in enumerate(resp) if r.startswith("421")]
    if n421 and n421[0] != len(resp) - 1:
        fails.append("%s: replies after a 421: %r" % (s.id, resp[n421[0] + 1:]))
    if n421 and s.closed and s.closed.get("exit_status") != 1:
        fails.append("%s: exit_status %s after a 421, want 1" % (s.id, s.closed.get("exit_status")))
    if launcher.get("drop"):
        if resp:
            fails.append("%s: a drop profile logged replies %r" % (s.id, resp))
        if s.closed and s.closed.get("exit_status") != 1:
            fails.append("%s: drop exit_status %s, want 1" % (s.id, s.closed.get("exit_status")))
    n_ok = sum(1 for ex in s.exchanges if accepted(ex["verb"], ex["args"], ex["replies"]))
    if n_ok + s.lost != len(s.stored):
        fails.append("%s: %d messages accepted and %d lost (datalost), but %d stored"
                     % (s.id, n_ok, s.lost, len(s.stored)))
    if row["tls_fault"] and s.tls_faults != [row["tls_fault"]] * len(s.tls_faults):
        fails.append("%s: TLS handshakes logged with tls_fault %s, want %s (SPEC §16)"
                     % (s.id, s.tls_faults, row["tls_fault"]))
    if s.tls_failed and s.closed and (s.closed.get("exit_status") != 1 or s.stored):
        fails.append("%s: a failed handshake, then exit_status %s and %d stored, want 1 and 0"
                     % (s.id, s.closed.get("exit_status"), len(s.stored)))
    check_recipients(s, fails)
    bodies = [check_stored(s, f, fails) for f in s.stored]
    if conn is not None:
        check_wire(s, conn, launcher, bodies, n421, fails)
    for ex in s.exchanges:
        for r in ex["replies"]:
            fails.extend("%s: %s" % (s.id, p) for p in unshaped(r.split("\n"), ex["shaping"])[1])
    return list(zip(s.stored, bodies))


def check_recipients(s, fails):
    """Each stored message's rcpt_to are the RCPTs answered 250 since the last MAIL."""
    rcpts, k = [], 0
    for ex in s.exchanges:
        if ex["verb"] == "MAIL":
            rcpts = []
        elif ex["verb"] == "RCPT" and ex["replies"][:1] and ex["replies"][0][:3] == "250":
            m = re.search(r"<([^>]*)>", ex["args"])
            rcpts.append(m.group(1).lower() if m else "?")
        elif (accepted(ex["verb"], ex["args"], ex["replies"]) or ex["lost"]) and \
                k < len(s.stored):
            got = [r.lower() for r in s.stored[k].get("rcpt_to", [])]
            if got != rcpts:
                fails.append("%s: stored for %r, accepted RCPTs were %r" % (s.id, got, rcpts))
            k += 1


def expectations(s, expect):
    """The expected replies (of the row, or of this attempt), where the client got that far."""
    out = []
    for verb, text, mode, want in expect:
        for ex in s.exchanges:
            if ex["verb"] != verb or text not in ex["args"] or not ex["replies"]:
                continue
            got = ex["replies"][0] if mode == "first" else ex["replies"][-1]
            got = "\n".join(unshaped(got.split("\n"), ex["shaping"])[0])
            if got != want and not (mode == "final" and got[:1] == "3"):
                out.append("%s %s: reply %r, want %r" % (verb, ex["args"], got, want))
    return out


def check_wire(s, conn, launcher, bodies, n421, fails):
    """What the relay saw: bytes, timing, closing."""
    server = conn.data(wire.SERVER)
    if launcher.get("drop"):
        if server:
            fails.append("%s: the drop profile wrote %r" % (s.id, server[:80]))
        return
    if server and launcher.get("greeting_delay"):
        first = next(t for t, side, _ in conn.chunks if side == wire.SERVER)
        d = launcher["greeting_delay"]
        if not 0.95 * d <= first - conn.t_open <= d + 3:
            fails.append("%s: greeting after %.2f s, want %.1f s" % (s.id, first - conn.t_open, d))
    if launcher.get("tls"):
        return
    walk = wire.Walk(conn)
    fails.extend("%s: on the wire: %s" % (s.id, p) for p in walk.problems)
    wire_lines = [ln for ex in walk.exchanges for ln in ex.reply]
    log_lines = [ln for r in s.responses() for ln in r.split("\n")]
    if (wire_lines != log_lines[:len(wire_lines)]) or (not walk.tls and wire_lines != log_lines):
        fails.append("%s: the wire's replies %r differ from the log's %r"
                     % (s.id, wire_lines[-3:], log_lines[len(wire_lines) - 3:len(wire_lines)]))
    fails.extend("%s: on the wire: %s" % (s.id, p) for p in shaping_problems(conn, walk))
    if not walk.tls and s.closed:
        logged = set(s.closed.get("violations", []))
        must, may = wire_violations(walk, conn, s.lost)
        if must - logged or logged - must - may:
            fails.append("%s: badsmtp names the violations %s, the wire shows %s%s (SPEC §19)"
                         % (s.id, sorted(logged), sorted(must),
                            " and may show %s" % sorted(may) if may else ""))
    if launcher.get("command_delay"):
        d = launcher["command_delay"]
        prev = None
        for ex in walk.exchanges:
            if ex.kind != "greeting" and ex.t_reply is not None:
                gap = ex.t_reply - max(ex.t_sent, prev or 0)
                if gap < 0.9 * d:
                    fails.append("%s: reply to %r after %.2f s, want %.2f s"
                                 % (s.id, ex.sent[:40], gap, d))
            prev = ex.t_done
    if n421 and not walk.tls:
        t421 = next((ex.t_done for ex in walk.exchanges if ex.reply and ex.reply[-1][:3] == "421"),
                    None)
        if conn.server_eof is None or t421 is None or conn.server_eof - t421 > 2:
            fails.append("%s: the connection was not closed within 2 s of the 421" % s.id)
    if not walk.tls:
        lost = [ex for ex in walk.exchanges if ex.kind == "body" and not ex.reply]
        if s.lost and (len(lost) != s.lost or conn.server_eof is None):
            fails.append("%s: datalost, but the wire shows %d bodies without a reply, the server "
                         "%s" % (s.id, len(lost), "closed" if conn.server_eof else "did not close"))
        sent = [wire.unstuff(b) if ex_kind == "DATA" else b
                for b, ex_kind in body_kinds(walk, s.lost)]
        if len(sent) != len(bodies):
            fails.append("%s: %d bodies accepted on the wire, %d stored" % (s.id, len(sent), len(bodies)))
        for got, want in zip(bodies, sent):
            if got is not None and got != want:
                fails.append("%s: stored body differs from the body sent at octet %d"
                             % (s.id, first_difference(got, want)))


def body_kinds(walk, lost):
    """The stored bodies of a walk with how they came (DATA is dot-stuffed, BDAT is not): those
    accepted, and with `lost` (datalost) those that got no reply."""
    out, last = [], b""
    for ex in walk.exchanges:
        if ex.kind == "line":
            last = ex.sent
        elif ex.kind == "body" and (ex.code() == 250 or (lost and not ex.reply)):
            verb = last.split(b" ", 1)[0].upper()
            if verb == b"DATA" or b"LAST" in last.upper():
                out.append((ex.sent, "DATA" if verb == b"DATA" else "BDAT"))
    return out


def wire_violations(walk, conn, lost):
    """SPEC §19 from a plaintext connection's bytes: (the violations it must name, those it may).
    Those that turn on when badsmtp wrote a reply (early_talker, the pipelining ones) are allowed
    only where the relay saw the client not wait: a lock-step client never has them."""
    must, may = set(), set()
    for kind, line in walk.lines:
        if line.endswith(b"\n") and not line.endswith(b"\r\n"):
            (may if kind == "empty" else must).add("bare_lf")
        if len(line) > 510:       # over 512 with its CRLF; where it is close, or an AUTH answer
            (must if kind == "line" and len(line) > 513 else may).add("long_command_line")
    offered, mail, last, quit, n421 = False, b"", "", False, False
    for ex in walk.exchanges:
        n421 |= ex.code() == 421
        if ex.pipelined:
            may.update(("pipelining_not_offered", "pipelining_group_not_ended"))
        if ex.kind == "line":
            last = ex.verb()
            quit |= last == "QUIT"
            if last in ("EHLO", "HELO"):
                offered = any(ln[4:] == "STARTTLS" for ln in ex.reply)
            if last in ("MAIL", "RCPT") and any(c >= 0x80 for c in ex.sent):
                may.add("utf8_without_smtputf8")
            mail = ex.sent.upper() if last == "MAIL" else mail
            if last == "AUTH" and offered:
                must.add("auth_in_clear")
        elif ex.kind == "body" and last == "DATA":
            b = ex.sent
            if re.search(rb"(?<!\r)\n", b):
                must.add("bare_lf")
            if re.search(rb"\r(?!\n)", b):
                must.add("bare_cr")
            longest = max(len(ln) + 2 for ln in b.split(b"\r\n"))
            if longest > 998:
                (must if longest > 1002 else may).add("long_text_line")
            if any(c >= 0x80 for c in b) and b"BODY=8BITMIME" not in mail and \
                    b"SMTPUTF8" not in mail:
                must.add("eight_bit_without_8bitmime")
    first = next((side for _, side, _ in conn.chunks), None)
    if first == wire.CLIENT:
        may.add("early_talker")
    client_first = conn.client_eof is not None and (conn.server_eof is None or
                                                    conn.client_eof <= conn.server_eof)
    if not quit and not n421 and not lost and client_first:
        must.add("no_quit")
    return must, may - must


def shaping_problems(conn, walk):
    """SPEC §17 on the wire: each reply's line ends, and the writes of replysplit/replybytes
    (loosely: at least one reply seen cut where the keyword cuts it, since TCP may merge)."""
    out, shaping, t_ehlo = [], set(), None
    for ex in walk.exchanges:
        if ex.kind == "line" and ex.verb() in ("EHLO", "HELO"):
            ehlo = ex.sent.split(b" ", 1)[1:] if ex.verb() == "EHLO" else []
            shaping = keywords(ehlo[0].decode("latin-1")) & SHAPING if ehlo else set()
            t_ehlo = ex.t_sent if shaping else None
        lf = "replylf" in shaping
        if ex.reply and ex.crlf != [not lf] * len(ex.crlf):
            out.append("reply %r: line ends %s, want %s" % (
                ex.reply[0][:40], ["CRLF" if c else "LF" for c in ex.crlf], "LF" if lf else "CRLF"))
    pieces = [d for t, side, d in conn.chunks if side == wire.SERVER and t_ehlo and t > t_ehlo]
    if "replysplit" in shaping and pieces and \
            not any(len(d) == 3 and d.isdigit() for d in pieces):
        out.append("replysplit: no reply came as its 3-octet code, then the rest")
    if "replybytes" in shaping and pieces and not any(len(d) == 1 for d in pieces):
        out.append("replybytes: no reply came one octet at a time")
    return out


def first_difference(a, b):
    n = min(len(a), len(b))
    return next((i for i in range(n) if a[i] != b[i]), n)


def judge(row, expect, launcher, lib, result, conns, sessions, message):
    """Returns (badsmtp failures, facts for the cell and the notes); `expect` is the row's
    expected replies, or this attempt's."""
    fails = []
    if len(conns) != len(sessions):
        fails.append("%d connections reached the relay, badsmtp logged %d sessions"
                     % (len(conns), len(sessions)))
    stored = []
    for s, conn in zip(sessions, conns):
        stored += check_session(s, conn, launcher, row, expect, fails)
    for s in sessions[len(conns):]:
        stored += check_session(s, None, launcher, row, expect, fails)
    return fails, facts(row, launcher, lib, result, conns, sessions, stored, message)


# ---- what the library made of it --------------------------------------------------------------

def facts(row, launcher, lib, result, conns, sessions, stored, message):
    """What the cell and the notes are made of: the first error reply, what was stored, TLS,
    pipelining, and the library's odd moves seen on the wire."""
    f = {"stored": [fields.get("rcpt_to", []) for fields, _ in stored],
         "decisive": None, "starttls": False, "tls": False,
         "unanswered334": False, "pipelined": [], "altered": None, "clear_mail": False,
         "command_as_answer": None, "elapsed": result.get("elapsed"), "violations": [],
         "handshake_failed": False, "violation_details": []}
    for s in sessions:
        f["tls"] |= s.tls
        f["handshake_failed"] |= s.tls_failed
        f["violations"] += [v for v in (s.closed or {}).get("violations", [])
                            if v not in f["violations"]]
        f["violation_details"] += ["%s (%s)" % v for v in s.violations]
        for ex in s.exchanges:
            if ex["verb"] == "STARTTLS":
                f["starttls"] = True
            if ex["verb"] == "MAIL" and not s.tls and (
                    row["tls"].startswith("starttls") or row["tls"] == "implicit"):
                f["clear_mail"] = True
            if ex["verb"] == "AUTH" and ex["replies"] and ex["replies"][-1].startswith("334"):
                f["unanswered334"] = True
        for r in s.responses():
            if f["decisive"] is None and r[:1] in "45":
                f["decisive"] = r.split("\n")[-1]
    for conn in [] if launcher.get("tls") else conns:
        walk = wire.Walk(conn)
        f["pipelined"] += ["+".join(g) for g in walk.groups()]
        for ex in walk.exchanges:
            if ex.kind == "answer" and ex.sent.strip().upper() in SMTP_VERBS:
                f["command_as_answer"] = ex.sent.strip().decode("latin-1")
    if lib.get("raw") and stored:
        body = stored[0][1]
        if body is not None and body != message:
            f["altered"] = alteration(message, body)
    return f


def alteration(handed, stored):
    """How the stored copy differs from the message the library was handed."""
    def show(b):
        return "`%s`" % repr(b)[2:-1]
    i = first_difference(handed, stored)
    if stored.startswith(handed):
        return "added %s at the end" % show(stored[len(handed):][:40])
    if handed.startswith(stored):
        return "left out %s at the end" % show(handed[len(stored):][:40])
    return "they differ from octet %d: handed %s, stored %s" % (
        i, show(handed[i:i + 30]), show(stored[i:i + 30]))


def reported(result, code):
    """Whether the library's report carries this reply code anywhere."""
    err = result.get("error") or {}
    if err.get("code") == int(code):
        return True
    if any(r.get("code") == int(code) for r in result.get("recipients") or []):
        return True
    text = " ".join(str(x) for x in (err.get("message"), err.get("class"),
                                     json.dumps(result.get("recipients"))))
    return re.search(r"\b%s\b" % code, text) is not None


def short_class(cls):
    """Without namespaces, except a Go package name ("textproto.Error"); Go's plain errors.New
    value is just "error"."""
    cls = cls.lstrip("*")
    if cls == "errors.errorString":
        return "error"
    if cls.count(".") == 1 and cls[:1].islower():
        return cls
    for sep in ("::", "\\", "."):
        cls = cls.rsplit(sep, 1)[-1]
    return cls


def cell(row, result, f):
    """The table's compact text for one run."""
    out = result.get("outcome")
    if row["cell"] == "violations" and out in ("sent", "error"):
        return ("violations: " + ", ".join(f["violations"])) if f["violations"] else "clean"
    if out == "unsupported":
        return "unsupported (%s)" % result.get("reason", "")
    if out == "hung":
        return "hung: killed after %s s" % result.get("after")
    if out not in ("sent", "error"):
        return "client failed"
    rcpts = result.get("recipients") or []
    refused = [r for r in rcpts if not r.get("accepted")]
    err = result.get("error") or {}
    if out == "sent":
        text = "sent"
        if refused:
            r = refused[0]
            text += " to %d of %d; %s refused %s" % (
                len(rcpts) - len(refused), len(rcpts), r["address"].split("@")[0],
                code_text(r.get("code"), r.get("message")))
    else:
        codes = err.get("code") or next((r.get("code") for r in refused if r.get("code")), None)
        msg = err.get("message") or ""
        if codes is None:
            m = re.search(r"\b([2-5][0-9][0-9])\b", msg)
            codes = m.group(1) if m else None
        text = short_class(err.get("class") or "error")
        ct = code_text(codes, msg + " " + " ".join(str(r.get("message")) for r in refused))
        text += (" " + ct) if ct else (": " + short_message(msg))
    if f["decisive"] and not reported(result, f["decisive"][:3]) and out == "error":
        text += " (%s lost)" % f["decisive"][:3]
    if out == "error" and f["stored"]:
        text += "; stored anyway"
    if out == "sent" and not f["stored"]:
        text += "; nothing stored"
    if out == "sent" and row["tls"] == "default":
        text += " over STARTTLS" if f["tls"] else " in clear text"
    if row["pipeline"]:
        text += ("; pipelined %s" % ", ".join(f["pipelined"])) if f["pipelined"] else "; lock-step"
    return text


def code_text(code, message):
    if code is None:
        return ""
    m = ENHANCED.search(message or "")
    return "%s%s" % (code, " " + m.group(1) if m and m.group(1)[0] == str(code)[0] else "")


def short_message(msg, limit=72):
    """The telling part of an error text: the last cause of a chain, without the tool's name,
    the addresses or this run's port numbers; when still too long, its last clauses."""
    msg = msg.split("; caused by ")[-1]
    lines = [ln.strip() for ln in re.split(r"\r?\n| \| ", msg) if ln.strip()]
    # a tool's first line is its error; the lines after it, advice or a summary
    msg = lines[0] if lines and lines[0].startswith(("msmtp:", "curl:", "***")) else " ".join(lines)
    msg = re.sub(r"^(msmtp: |curl: |\*\*\* )", "", msg)
    msg = re.sub(r"^[a-z]+(\.[a-z]+)+\.([A-Za-z]+): ", r"\2: ", msg)
    msg = re.sub(r"(127\.0\.0\.1:|port: )[0-9]+", r"\1PORT", msg)
    # this run's clock (Go's and Java's expiry messages), and replylong's padding
    msg = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ|[A-Z][a-z]{2} [A-Z][a-z]{2} \d\d "
                 r"\d\d:\d\d:\d\d UTC \d{4}", "TIME", msg)
    msg = re.sub(r"x{20,}", "xxx...", msg)
    if len(msg) > limit:
        msg = re.sub(r"\S+@\S+?:? ", "", msg)
    clauses = msg.split(": ")
    while len(": ".join(clauses)) > limit and len(clauses) > 1:
        clauses.pop(0)
    msg = ": ".join(clauses)
    return msg if len(msg) <= limit else "..." + msg[-(limit - 3):]


def notes(row, lib, result, f):
    """Sentences for the surprising cells, each from evidence in the run."""
    out = []
    err = result.get("error") or {}
    if result.get("outcome") == "error" and f["decisive"] and not reported(result, f["decisive"][:3]):
        out.append("badsmtp replied `%s`; the library reported `%s: %s`"
                   % (f["decisive"], short_class(err.get("class", "")),
                      short_message(err.get("message") or "", 160)))
    if result.get("outcome") == "error" and f["stored"]:
        out.append("the library reported an error, but the message was stored for %s"
                   % ", ".join(", ".join(r) for r in f["stored"]))
    if result.get("outcome") == "sent" and not f["stored"]:
        out.append("the library reported success, but nothing was stored")
    if f["starttls"] and row["tls"] in ("default", "none"):
        msg = err.get("message") or ""
        if f["tls"]:
            how = ""
        elif re.search(r"certif|x509|self.signed", msg, re.I):
            how = " and then refused badsmtp's self-signed certificate (`%s`)" % short_message(msg)
        else:
            how = " and then failed the handshake"
        out.append("the library issued STARTTLS on its own" + how)
    fault = row["tls_fault"]
    if fault and fault not in CORRECT_TLS and result.get("outcome") == "sent":
        out.append("the library accepted the `%s` certificate and sent the message" % fault)
    if fault in CORRECT_TLS and result.get("outcome") == "error":
        out.append("the library refused the correct `%s` certificate: `%s`"
                   % (fault, short_message(err.get("message") or "", 120)))
    if row["cell"] == "violations" and f["violation_details"]:
        out.append("badsmtp's log names " + "; ".join(f["violation_details"]))
    else:
        # AUTH without TLS where STARTTLS is offered is what a row with TLS off asks for
        asked = {"auth_in_clear"} if row["tls"] == "none" and row["auth"] != "none" else set()
        own = [v for v in f["violations"] if v not in asked]
        if own:
            out.append("badsmtp's verdict on the client: " + ", ".join(own))
    shaped = sorted(keywords(row["ehlo"]) & SHAPING)
    if shaped and result.get("outcome") in ("error", "hung"):
        out.append("the library could not read the replies shaped by `%s`: `%s`"
                   % ("-".join(shaped), short_message(err.get("message") or "", 120)))
    if f["clear_mail"]:
        out.append("TLS was required, yet the library sent MAIL in clear text")
    if f["unanswered334"]:
        out.append("the library never answered badsmtp's 334 challenge")
    if f["altered"] is not None:
        out.append("the stored copy is what went over the wire, but the library changed the "
                   "message it was handed: %s" % f["altered"])
    if f["command_as_answer"]:
        out.append("the library answered badsmtp's 334 challenge with `%s`, which badsmtp took "
                   "as the SASL response" % f["command_as_answer"])
    slow = f["elapsed"] or 0
    if slow >= 0.9 * row["timeout"] and not row["launcher"].startswith(("greeting", "command")):
        out.append("the library took %.1f s, its whole timeout, to report this" % slow)
    if (err.get("class") or "").endswith("EX_UNAVAILABLE") and (f["decisive"] or "")[:1] == "4":
        out.append("a 4xx (temporary) reply ended as exit 69 EX_UNAVAILABLE, not 75 EX_TEMPFAIL")
    if result.get("outcome") == "hung":
        out.append("the client did not return within %s s and was killed" % result.get("after"))
    return out
