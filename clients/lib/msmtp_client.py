#!/usr/bin/python3
# msmtp through badsmtp, configured entirely on the command line (--file=/dev/null: no user
# configuration): --host, --port, --domain (the EHLO name), --from, --tls, --tls-starttls,
# --tls-certcheck, --tls-trust-file, --auth, --user, --passwordeval; the message on stdin,
# the recipients as arguments. What it tells its caller: a sysexits.h exit status and its
# 'msmtp: ...' lines on stderr. Arguments and output: common.py.
import os
import shlex
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

LIB = "msmtp"
# --tls mode -> msmtp's options; "{ca}" is the pinned PEM. Without a configuration file msmtp
# uses no TLS, so "default" adds nothing.
TLS = {"none": ["--tls=off"], "starttls": ["--tls=on", "--tls-starttls=on"],
       "starttls-noverify": ["--tls=on", "--tls-starttls=on", "--tls-certcheck=off"],
       "starttls-ca": ["--tls=on", "--tls-starttls=on", "--tls-trust-file={ca}"],
       "implicit": ["--tls=on", "--tls-starttls=off", "--tls-certcheck=off"],
       "implicit-ca": ["--tls=on", "--tls-starttls=off", "--tls-trust-file={ca}"]}
SYSEXITS = {64: "EX_USAGE", 65: "EX_DATAERR", 69: "EX_UNAVAILABLE", 70: "EX_SOFTWARE",
            71: "EX_OSERR", 74: "EX_IOERR", 75: "EX_TEMPFAIL", 76: "EX_PROTOCOL",
            77: "EX_NOPERM", 78: "EX_CONFIG"}


def main():
    a = common.parse_args()
    version = common.tool_version(["msmtp", "--version"])
    cmd = ["msmtp", "--file=/dev/null", "--host=" + a.host, "--port=%d" % a.port,
           "--domain=" + a.ehlo, "--from=" + a.sender, "--timeout=%d" % max(1, round(a.timeout))]
    cmd += [opt.format(ca=a.ca) for opt in TLS.get(a.tls, [])]
    if a.auth != "none":
        cmd += ["--auth=" + a.auth.lower(), "--user=" + a.user,
                "--passwordeval=printf %s " + shlex.quote(a.password)]
    cmd += ["--"] + a.to
    with open(a.message, "rb") as f:
        rc, _, err = common.run_tool(cmd, 4 * a.timeout, stdin=f)
    if rc == 0:
        common.emit(LIB, version, "sent", exit_status=0)
        return
    message = " | ".join(err.decode("utf-8", "replace").strip().splitlines())
    common.emit(LIB, version, "error",
                common.error("exit %d %s" % (rc, SYSEXITS.get(rc, "")), message), exit_status=rc)


main()
