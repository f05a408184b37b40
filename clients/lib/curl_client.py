#!/usr/bin/python3
# curl through badsmtp, as a script uses it: smtp://host:port/EHLO-NAME (curl takes the URL's
# path as the EHLO name), --mail-from, --mail-rcpt, --upload-file, --ssl-reqd, --cacert, -k,
# --login-options AUTH=..., --oauth2-bearer. What it tells its caller: the exit status, the
# error line on stderr and %{response_code} (the last reply code, CURLINFO_RESPONSE_CODE).
# Arguments and output: common.py.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

LIB = "curl"
# --tls mode -> curl's options; "{ca}" is the pinned PEM. curl never upgrades unless asked.
TLS = {"starttls": ["--ssl-reqd"], "starttls-noverify": ["--ssl-reqd", "-k"],
       "starttls-ca": ["--ssl-reqd", "--cacert", "{ca}"], "implicit": ["-k"],
       "implicit-ca": ["--cacert", "{ca}"]}


def main():
    a = common.parse_args()
    version = common.tool_version(["curl", "--version"]).split(" (")[0]
    scheme = "smtps" if a.tls.startswith("implicit") else "smtp"
    cmd = ["curl", "-sS", "--url", "%s://%s:%d/%s" % (scheme, a.host, a.port, a.ehlo),
           "--mail-from", a.sender, "--upload-file", a.message, "-w", "%{response_code}",
           "--connect-timeout", str(a.timeout), "--max-time", str(3 * a.timeout)]
    for rcpt in a.to:
        cmd += ["--mail-rcpt", rcpt]
    cmd += [opt.format(ca=a.ca) for opt in TLS.get(a.tls, [])]
    if a.auth == "XOAUTH2":
        cmd += ["--user", a.user + ":", "--oauth2-bearer", a.password,
                "--login-options", "AUTH=XOAUTH2"]
    elif a.auth != "none":
        cmd += ["--user", "%s:%s" % (a.user, a.password), "--login-options", "AUTH=" + a.auth]
    rc, out, err = common.run_tool(cmd, 4 * a.timeout)
    code = int(out) if out.strip().isdigit() and int(out) > 0 else None
    if rc == 0:
        common.emit(LIB, version, "sent", exit_status=0, detail={"response_code": code})
        return
    message = err.decode("utf-8", "replace").strip()
    # the last reply's code, as curl gives it; only a 4xx or 5xx is the error's code
    common.emit(LIB, version, "error",
                common.error("exit %d" % rc, message, code if code and code >= 400 else None),
                exit_status=rc, detail={"response_code": code})


main()
