#!/usr/bin/python3
# swaks through badsmtp: --server, --port, --helo, --from, --to a,b, --data @FILE, -tls,
# --tls-verify, --tls-ca-path, -tlsc, --auth MECH, --pipeline. What it tells its caller: the exit
# status (its man page's EXIT CODES) and the transcript on stdout, where a refused reply is
# marked '<**'; the per-recipient results are read from that transcript.
# Arguments and output: common.py.
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

LIB = "swaks"
# swaks 20201014 has LOGIN, PLAIN, CRAM-MD5, CRAM-SHA1, DIGEST-MD5, NTLM; no XOAUTH2.
MECHS = ("PLAIN", "LOGIN", "CRAM-MD5")
# --tls mode -> swaks's options; "{ca}" is the pinned PEM. swaks never upgrades unless asked.
TLS = {"starttls": ["-tls", "--tls-verify"], "starttls-noverify": ["-tls"],
       "starttls-ca": ["-tls", "--tls-verify", "--tls-ca-path", "{ca}"], "implicit": ["-tlsc"],
       "implicit-ca": ["-tlsc", "--tls-verify", "--tls-ca-path", "{ca}"]}


def recipients(transcript):
    """Pairs swaks's command lines (' -> ', ' ~> ' under TLS) with its reply lines ('<-  ',
    '<** ' for an error; '<~  ', '<~* ' under TLS), in order, so pipelined groups pair too."""
    out, sent = [], []
    for line in transcript.splitlines():
        m = re.match(r" [-~]> (.*)", line)
        if m:
            sent.append(m.group(1))
            continue
        m = re.match(r"<([-~]|\*\*|~\*) +(\d{3})([ -]?)(.*)", line)
        if not m or m.group(3) == "-" or not sent:
            continue
        cmd = sent.pop(0)
        rcpt = re.match(r"RCPT TO:<([^>]*)>", cmd)
        if rcpt:
            ok = m.group(1) in ("-", "~")
            out.append({"address": rcpt.group(1), "accepted": ok,
                        "code": None if ok else int(m.group(2)),
                        "message": None if ok else m.group(4)})
    return out or None


def main():
    a = common.parse_args()
    version = common.tool_version(["swaks", "--version"])
    if a.auth not in ("none",) + MECHS:
        common.unsupported(LIB, version, "no %s in %s" % (a.auth, version))
    cmd = ["swaks", "--server", a.host, "--port", str(a.port), "--helo", a.ehlo,
           "--from", a.sender, "--to", ",".join(a.to), "--data", "@" + a.message,
           "--timeout", "%ds" % max(1, round(a.timeout)), "--suppress-data"]
    cmd += [opt.format(ca=a.ca) for opt in TLS.get(a.tls, [])]
    if a.auth != "none":
        cmd += ["--auth", a.auth, "--auth-user", a.user, "--auth-password", a.password]
    if a.pipeline:
        cmd.append("--pipeline")
    rc, out, err = common.run_tool(cmd, 4 * a.timeout)
    transcript = out.decode("utf-8", "replace")
    rcpts = recipients(transcript)
    if rc == 0:
        common.emit(LIB, version, "sent", recipients=rcpts, exit_status=0)
        return
    # swaks's errors ('***') and refused replies ('<**'), not a 2xx it marks once in error
    lines = [ln for ln in transcript.splitlines() + err.decode("utf-8", "replace").splitlines()
             if ln.startswith(("<**", "***")) and not re.match(r"<\*\* [23][0-9][0-9]\b", ln)]
    common.emit(LIB, version, "error", common.error("exit %d" % rc, " | ".join(lines)),
                recipients=rcpts, exit_status=rc)


main()
