# The cookbook's scenarios: one row per fault, run with every library (clients/run).
#
# badsmtp runs in wait mode (SPEC §15): one `systemd-socket-activate` without `-a` per time
# scale, one listening socket per launcher below, each named by its profile (`--fdname`), so
# each connection gets the profile of the socket it came to. Sessions run at
# BADSMTP_TIME_SCALE=TIME_SCALE unless their launcher says `scale`; a launcher's delays are what
# the judge expects on the wire, scale included.
# A row says what the library is asked to do (the client options of clients/lib/common.py) and
# what badsmtp must answer when the library gets that far: `expect` is a list of
# (verb, text in the arguments, "first"|"final", exact reply). "first" is the first reply to that
# command; "final" the reply that ends its exchange (AUTH after its 334s, DATA after the body).
# A row with `attempts` runs the library once per attempt, as a test suite retrying would: each
# attempt waits `wait` seconds first and has its own `expect`. `{lib}` in an address is the
# library's key, so that state kept across sessions (fail-N counts, greylisting, SPEC §18) is
# each library's own. `tls_fault`: the fault badsmtp must log for every handshake (SPEC §16).
# `cell: "violations"`: the cell is badsmtp's verdict on the client (SPEC §19), not its report.
# Every other rule (replies well-formed, 421 then close, stored copies byte-exact, reply shaping
# as SPEC §17 says...) is checked on every run whatever the row (clients/judge.py).
#
# New faults are new rows; new port families are new launchers. A row may also name `ca`:
# "pinned" (the PEM fetched from the plain launcher before the run) or "testca" (the test CA,
# `badsmtp-session --print-ca`).

# Every delay of SPEC §8, §17 and §18 is multiplied by this (BADSMTP_TIME_SCALE).
TIME_SCALE = 0.125

LAUNCHERS = {
    # name: the profile (the socket's name), and the delays it implies in seconds, scaled
    "plain": {"profile": "plain"},
    # replysplit and replybytes paced as SPEC §17 says, unscaled (a scaled 2 ms rounds to none)
    "plain-unscaled": {"profile": "plain", "scale": 1},
    "smtps": {"profile": "smtps", "tls": True},
    "greeting-delay-2": {"profile": "greeting-delay-2", "greeting_delay": 2 * TIME_SCALE},
    "command-delay-1": {"profile": "command-delay-1", "command_delay": 1 * TIME_SCALE},
    "drop-0": {"profile": "drop-0", "drop": True},
    "tls-expired": {"profile": "tls-expired", "tls": True},
}

# Exact reply texts from SPEC §4.2, §5, §6.
R421 = "421 Service not available, closing transmission channel"
R451 = "451 Requested action aborted: local error in processing"
R452 = "452 Requested action not taken: insufficient system storage"
R550_511 = "550 5.1.1 Requested action not taken: mailbox unavailable"
R550_571 = "550 5.7.1 Requested action not taken: mailbox unavailable"
R554_560 = "554 5.6.0 Transaction failed"
R552_SIZE = "552 Message size exceeds fixed maximum of 10000 bytes"
R235 = "235 Authentication successful"
R535 = "535 Authentication failed"
R502 = "502 Command not implemented"
R250 = "250 OK"
R450_GREY = "450 4.7.1 Greylisted, please try again in 8 seconds"    # SPEC §18, grey8

FROM = "sender@example.com"
TO = "rcpt@example.com"


def row(name, title, **kw):
    r = {"name": name, "title": title, "launcher": "plain", "ehlo": "cookbook.example.com",
         "from": FROM, "to": [TO], "message": "small", "auth": "none", "user": "", "tls": "none",
         "ca": None, "pipeline": False, "timeout": 10, "expect": [], "attempts": None,
         "tls_fault": None, "cell": None}
    r.update(kw)
    return r


def auth_rows():
    out = []
    for mech, keyword in (("PLAIN", "authplain"), ("LOGIN", "authlogin"),
                          ("CRAM-MD5", "authcram"), ("XOAUTH2", "authoauth")):
        for good in (True, False):
            user = "goodauth@example.com" if good else "badauth@example.com"
            out.append(row(
                "auth-%s-%s" % (mech.lower(), "good" if good else "bad"),
                "AUTH %s, user %s (EHLO %s: only %s offered)" % (
                    mech, user.split("@")[0], keyword, mech),
                ehlo="%s.example.com" % keyword, auth=mech, user=user,
                expect=[("AUTH", mech, "final", R235 if good else R535)]))
    return out


def tls_fault_rows():
    """SPEC §16 by EHLO keyword, the test CA trusted: two correct cases, then one refusal each."""
    out = []
    for fault, what in (("trusted", "a leaf signed by the test CA (correct)"),
                        ("chain", "a leaf and its intermediate (correct)"),
                        ("expired", "a certificate that expired yesterday"),
                        ("wronghost", "a certificate for wrong.host.invalid"),
                        ("untrusted", "a leaf signed by a CA nobody trusts"),
                        ("selfsigned", "a self-signed certificate"),
                        ("incomplete", "a leaf sent without its intermediate")):
        out.append(row("tls-" + fault, "STARTTLS, the test CA trusted, EHLO tls%s: %s"
                       % (fault, what), ehlo="tls%s.example.com" % fault, tls="starttls-ca",
                       ca="testca", tls_fault=fault))
    out.append(row("tls-expired-implicit", "implicit TLS on the tls-expired port, the test CA "
                   "trusted", launcher="tls-expired", tls="implicit-ca", ca="testca",
                   tls_fault="expired"))
    return out


def retry_rows():
    """SPEC §18: what a second (third) attempt gets, the library run once per attempt."""
    failn = "rcpt451x2@{lib}.failn.example"
    grey = "grey8@{lib}.grey.example"
    return [
        row("failn", "RCPT %s: 451 twice, then accepted (three attempts)" % failn, to=[failn],
            attempts=[{"wait": 0, "expect": [("RCPT", "rcpt451x2@", "first", R451)]},
                      {"wait": 0, "expect": [("RCPT", "rcpt451x2@", "first", R451)]},
                      {"wait": 0, "expect": [("RCPT", "rcpt451x2@", "first", R250)]}]),
        row("greylist", "RCPT %s: greylisted for 8 s (1 s scaled); retried at once, then "
            "after the period" % grey, to=[grey],
            attempts=[{"wait": 0, "expect": [("RCPT", "grey8@", "first", R450_GREY)]},
                      {"wait": 0, "expect": [("RCPT", "grey8@", "first", R450_GREY)]},
                      {"wait": 8 * TIME_SCALE + 0.25,
                       "expect": [("RCPT", "grey8@", "first", R250)]}]),
        row("datalost", "MAIL FROM datalost: stored, then closed before the 250; sent twice, "
            "as a retry would", **{"from": "datalost@example.com"},
            attempts=[{"wait": 0, "expect": []}, {"wait": 0, "expect": []}]),
    ]


PACED = ("replysplit", "replybytes")


def shaping_rows():
    """SPEC §17: every reply from the EHLO on is shaped; a plain send (authequals: AUTH PLAIN,
    the one reply it changes is EHLO's)."""
    out = []
    for word, what in (("replysplit", "in two writes, 3 octets then the rest"),
                       ("replybytes", "one octet per write"),
                       ("replybare", "a single-line 2xx/3xx is its code alone"),
                       ("replymulti", "a single-line reply comes as two lines"),
                       ("replylong", "the last line is padded past 512 octets"),
                       ("replylf", "lines end in a bare LF")):
        out.append(row(word, "EHLO %s: every reply %s" % (word, what),
                       ehlo="%s.example.com" % word, timeout=3,
                       launcher="plain-unscaled" if word in PACED else "plain"))
    out.append(row("authequals", "EHLO authequals: the EHLO reply also has `250-AUTH=...`, then "
                   "AUTH PLAIN", ehlo="authequals-authplain.example.com", auth="PLAIN",
                   user="goodauth@example.com", timeout=3,
                   expect=[("AUTH", "PLAIN", "final", R235)]))
    return out


SCENARIOS = [
    row("plain", "a plain send, no TLS (opportunistic STARTTLS off)"),
    row("defaults", "a plain send with the library's TLS defaults untouched", tls="default"),
    row("rcpt550", "refused recipient with an enhanced code", to=["rcpt550_5.1.1@example.com"],
        expect=[("RCPT", "rcpt550_5.1.1@", "first", R550_511)]),
    row("mail451", "4xx at MAIL", **{"from": "mail451@example.com"},
        expect=[("MAIL", "mail451@", "first", R451)]),
    row("mail550", "5xx at MAIL", **{"from": "mail550_5.7.1@example.com"},
        expect=[("MAIL", "mail550_5.7.1@", "first", R550_571)]),
    row("rcpt451", "451 at RCPT", to=["rcpt451@example.com"],
        expect=[("RCPT", "rcpt451@", "first", R451)]),
    row("rcpt452", "4xx at RCPT", to=["rcpt452@example.com"],
        expect=[("RCPT", "rcpt452@", "first", R452)]),
    row("data451", "4xx at DATA", **{"from": "data451@example.com"},
        expect=[("DATA", "", "first", R451)]),
    row("data554", "5xx at DATA", **{"from": "data554_5.6.0@example.com"},
        expect=[("DATA", "", "first", R554_560)]),
    row("dataend451", "451 after the final dot", **{"from": "dataend451@example.com"},
        expect=[("DATA", "", "final", R451)]),
    row("dataend554", "554 after the final dot (where real servers reject content)",
        **{"from": "dataend554_5.6.0@example.com"}, expect=[("DATA", "", "final", R554_560)]),
    row("rcpt421", "421 at RCPT: the server closes mid-session", to=["rcpt421@example.com"],
        expect=[("RCPT", "rcpt421@", "first", R421)]),
    row("mixed", "two recipients, the second refused", to=[TO, "rcpt550_5.1.1@example.com"],
        expect=[("RCPT", "rcpt550_5.1.1@", "first", R550_511)]),
] + auth_rows() + [
    row("starttls-noverify", "STARTTLS required, certificate not checked",
        tls="starttls-noverify"),
    row("starttls-pinned", "STARTTLS required, certificate pinned (the PEM fetched first)",
        tls="starttls-ca", ca="pinned"),
    row("implicit", "implicit TLS (profile smtps), certificate not checked", launcher="smtps",
        tls="implicit"),
    row("nostarttls", "STARTTLS required but not offered (EHLO nostarttls)",
        ehlo="nostarttls.example.com", tls="starttls-noverify",
        expect=[("STARTTLS", "", "first", R502)]),
    row("greeting-delay", "the greeting comes 0.25 s late (2 s scaled)",
        launcher="greeting-delay-2"),
    row("command-delay", "every reply comes 0.125 s late (1 s scaled)",
        launcher="command-delay-1"),
    row("drop", "the connection is closed at once, nothing written", launcher="drop-0"),
    row("size", "a 20 kB message over the 10000-octet SIZE of EHLO size10000",
        ehlo="size10000.example.com", message="size20k",
        expect=[("MAIL", "SIZE=", "first", R552_SIZE), ("DATA", "", "final", R552_SIZE)]),
    row("pipelining", "PIPELINING offered, two recipients (asked for where there is a switch)",
        to=[TO, "second@example.com"], pipeline=True),
    row("big", "a 2 MB message", message="big2m"),
    row("dots", "dot-stuffing: lines starting with '.', a line of one '.'", message="dots"),
    row("clean", "is this library clean? badsmtp's verdict on a plain send (SPEC §19)",
        cell="violations"),
] + tls_fault_rows() + retry_rows() + shaping_rows()
