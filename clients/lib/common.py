# The command line every client program of the cookbook takes, and the one JSON line it prints.
# Shared by the Python clients (smtplib, and the wrappers around curl, swaks and msmtp); the PHP,
# Ruby, JavaScript, Go and Java clients parse the same options themselves.
#
#   --host H --port N --ehlo NAME --from ADDR --to ADDR [--to ADDR ...] --message FILE
#   [--auth none|PLAIN|LOGIN|CRAM-MD5|XOAUTH2 --user U --pass P]
#   [--tls default|none|starttls|starttls-noverify|starttls-ca|implicit|implicit-ca [--ca FILE]]
#   [--timeout SECONDS] [--pipeline]
#
# --tls: default = whatever the library does when told nothing; none = no TLS at all (opportunistic
# STARTTLS switched off); starttls = STARTTLS required, certificate checked against the system's
# trust store; starttls-noverify = STARTTLS required, certificate not checked; starttls-ca =
# STARTTLS required, certificate checked against --ca FILE (the pinned PEM, or the test CA) and
# the host name; implicit = TLS from the first byte, certificate not checked; implicit-ca = TLS
# from the first byte, checked as starttls-ca.
# --pipeline asks for PIPELINING where the library has a switch for it.
#
# Output, one line: {"library", "version", "outcome": "sent"|"error"|"unsupported",
# "error": {"class", "message", "code", "enhanced"} or null, "recipients": [{"address",
# "accepted", "code", "message"}] or null, "exit_status" (command-line tools), "reason"
# (unsupported), "detail" (anything else the library exposes)}. "code"/"enhanced" are set only
# where the library hands them to its caller as values, never parsed out of a message here.
import argparse
import json
import sys

TLS_MODES = ("default", "none", "starttls", "starttls-noverify", "starttls-ca", "implicit",
             "implicit-ca")
AUTH_MECHS = ("none", "PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2")


def parse_args(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("--host", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--ehlo", required=True)
    p.add_argument("--from", dest="sender", required=True)
    p.add_argument("--to", action="append", required=True)
    p.add_argument("--message", required=True)
    p.add_argument("--auth", choices=AUTH_MECHS, default="none")
    p.add_argument("--user", default="")
    p.add_argument("--pass", dest="password", default="")
    p.add_argument("--tls", choices=TLS_MODES, default="none")
    p.add_argument("--ca")
    p.add_argument("--timeout", type=float, default=10)
    p.add_argument("--pipeline", action="store_true")
    return p.parse_args(argv)


def xoauth2_initial(user, token):
    """The XOAUTH2 initial client response (before base64), SPEC §5."""
    return "user=%s\x01auth=Bearer %s\x01\x01" % (user, token)


def emit(library, version, outcome, error=None, recipients=None, **extra):
    out = {"library": library, "version": version, "outcome": outcome, "error": error,
           "recipients": recipients}
    out.update(extra)
    sys.stdout.write(json.dumps(out, sort_keys=True) + "\n")
    sys.stdout.flush()


def error(cls, message, code=None, enhanced=None):
    return {"class": cls, "message": message, "code": code, "enhanced": enhanced}


def unsupported(library, version, reason):
    emit(library, version, "unsupported", reason=reason)
    sys.exit(0)


def run_tool(cmd, timeout, stdin=None):
    """Runs a command-line client: (exit status, stdout, stderr); 124 when it overran."""
    import subprocess
    try:
        p = subprocess.run(cmd, stdin=stdin, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        return 124, e.stdout or b"", e.stderr or b""
    return p.returncode, p.stdout, p.stderr


def tool_version(cmd):
    """The first line a command prints about its version."""
    import subprocess
    out = subprocess.run(cmd, capture_output=True).stdout.decode("utf-8", "replace")
    return out.strip().splitlines()[0] if out.strip() else "unknown"
