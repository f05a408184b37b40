# The cookbook's scenarios: one row per fault, run with every library (clients/run).
#
# A launcher is one `systemd-socket-activate --inetd -a` per port family; the profile comes from
# `--port` (SPEC §8). Its delays are what the judge expects on the wire, scale included.
# A row says what the library is asked to do (the client options of clients/lib/common.py) and
# what badsmtp must answer when the library gets that far: `expect` is a list of
# (verb, text in the arguments, "first"|"final", exact reply). "first" is the first reply to that
# command; "final" the reply that ends its exchange (AUTH after its 334s, DATA after the body).
# Every other rule (replies well-formed, 421 then close, stored copies byte-exact...) is checked
# on every run whatever the row (clients/judge.py).
#
# New faults are new rows; new port families are new launchers. A row may also name
# `ca: "pinned"` (the PEM fetched from the plain launcher before the run).

LAUNCHERS = {
    # name: port given to --port, BADSMTP_TIME_SCALE, and the delays it implies in seconds
    "plain": {"port": 2525, "scale": 1},
    "smtps": {"port": 25465, "scale": 1, "tls": True},
    "greeting-delay-2": {"port": 25202, "scale": 1, "greeting_delay": 2.0},
    # command-delay-2 scaled to 0.25 s a reply, so that a whole session stays short
    "command-delay-2": {"port": 25402, "scale": 0.125, "command_delay": 0.25},
    "drop-0": {"port": 25600, "scale": 1, "drop": True},
}

# The messages the driver writes before a run (CRLF line ends; see clients/run make_messages).
MESSAGES = ("small", "dots", "size20k", "big2m")

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

FROM = "sender@example.com"
TO = "rcpt@example.com"


def row(name, title, **kw):
    r = {"name": name, "title": title, "launcher": "plain", "ehlo": "cookbook.example.com",
         "from": FROM, "to": [TO], "message": "small", "auth": "none", "user": "", "tls": "none",
         "ca": None, "pipeline": False, "timeout": 10, "expect": []}
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


SCENARIOS = [
    row("plain", "a plain send, no TLS (opportunistic STARTTLS off)"),
    row("defaults", "a plain send with the library's TLS defaults untouched", tls="default"),
    row("rcpt550", "refused recipient with an enhanced code", to=["rcpt550_5.1.1@example.com"],
        expect=[("RCPT", "rcpt550_5.1.1@", "first", R550_511)]),
    row("mail451", "4xx at MAIL", **{"from": "mail451@example.com"},
        expect=[("MAIL", "mail451@", "first", R451)]),
    row("mail550", "5xx at MAIL", **{"from": "mail550_5.7.1@example.com"},
        expect=[("MAIL", "mail550_5.7.1@", "first", R550_571)]),
    row("rcpt452", "4xx at RCPT", to=["rcpt452@example.com"],
        expect=[("RCPT", "rcpt452@", "first", R452)]),
    row("data451", "4xx at DATA", **{"from": "data451@example.com"},
        expect=[("DATA", "", "first", R451)]),
    row("data554", "5xx at DATA", **{"from": "data554_5.6.0@example.com"},
        expect=[("DATA", "", "first", R554_560)]),
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
    row("greeting-delay", "the greeting comes after 2 s", launcher="greeting-delay-2"),
    row("command-delay", "every reply comes 0.25 s late (2 s scaled by 0.125)",
        launcher="command-delay-2"),
    row("drop", "the connection is closed at once, nothing written", launcher="drop-0"),
    row("size", "a 20 kB message over the 10000-octet SIZE of EHLO size10000",
        ehlo="size10000.example.com", message="size20k",
        expect=[("MAIL", "SIZE=", "first", R552_SIZE), ("DATA", "", "final", R552_SIZE)]),
    row("pipelining", "PIPELINING offered, two recipients (asked for where there is a switch)",
        to=[TO, "second@example.com"], pipeline=True),
    row("big", "a 2 MB message", message="big2m"),
    row("dots", "dot-stuffing: lines starting with '.', a line of one '.'", message="dots"),
]
