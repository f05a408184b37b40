#!/usr/bin/python3
# Python smtplib through badsmtp: SMTP/SMTP_SSL, starttls(), auth(), sendmail(), as an
# application would call them. Arguments and output: common.py.
import os
import platform
import smtplib
import ssl
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

LIB = "smtplib"
VERSION = "Python " + platform.python_version()


def context(a):
    if a.tls in ("starttls-noverify", "implicit"):
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        return ctx
    return ssl.create_default_context(cafile=a.ca)


def authenticate(s, a):
    """login() picks CRAM-MD5, PLAIN or LOGIN from what EHLO offered (the rows offer one);
    XOAUTH2 goes through auth() with an authobject: smtplib has no method of its own for it."""
    if a.auth == "XOAUTH2":
        def xoauth2(challenge=None):
            # an error challenge is answered with an empty line, as Google documents (SPEC §5)
            return common.xoauth2_initial(a.user, a.password) if challenge is None else ""
        s.ehlo_or_helo_if_needed()
        s.auth("XOAUTH2", xoauth2)
    elif a.auth != "none":
        s.login(a.user, a.password)


def recipients(to, refused):
    out = []
    for addr in to:
        if addr in refused:
            code, text = refused[addr]
            out.append({"address": addr, "accepted": False, "code": code,
                        "message": text.decode("utf-8", "replace")})
        else:
            out.append({"address": addr, "accepted": True, "code": None, "message": None})
    return out


def main():
    a = common.parse_args()
    with open(a.message, "rb") as f:
        msg = f.read()
    try:
        if a.tls.startswith("implicit"):
            s = smtplib.SMTP_SSL(a.host, a.port, local_hostname=a.ehlo, timeout=a.timeout,
                                 context=context(a))
        else:
            s = smtplib.SMTP(a.host, a.port, local_hostname=a.ehlo, timeout=a.timeout)
        with s:
            if a.tls.startswith("starttls"):
                s.ehlo()
                s.starttls(context=context(a))
            authenticate(s, a)
            refused = s.sendmail(a.sender, a.to, msg)
    except smtplib.SMTPRecipientsRefused as e:
        err = common.error(type(e).__name__, str(e))
        common.emit(LIB, VERSION, "error", err, recipients(a.to, e.recipients))
        return
    except smtplib.SMTPResponseException as e:
        err = common.error(type(e).__name__, e.smtp_error.decode("utf-8", "replace"),
                           e.smtp_code)
        common.emit(LIB, VERSION, "error", err)
        return
    except Exception as e:  # the library's other failures: connection, TLS, timeouts
        common.emit(LIB, VERSION, "error", common.error(type(e).__name__, str(e)))
        return
    common.emit(LIB, VERSION, "sent", recipients=recipients(a.to, refused))


main()
