# The client libraries of the cookbook: what each needs installed, how it is built, how its
# client program (clients/lib/) is run. `fast` marks the subset of `make clients-fast`, which
# needs nothing beyond what `make check` installs. `raw` says the program hands the message file
# to the library as it is (PHPMailer composes its own message from the subject and body).
import os

HERE = os.path.dirname(os.path.abspath(__file__))
LIB = os.path.join(HERE, "lib")
PY = "/usr/bin/python3"
NODEMAILER = "nodemailer@10.6.1"
JAKARTA_CP = "/usr/share/java/jakarta-mail.jar:/usr/share/java/jakarta-activation.jar"


def libraries(build):
    """The table; `build` is the directory for what is built or fetched (build/clients)."""
    return [
        {"key": "phpmailer", "name": "PHPMailer", "raw": False,
         "apt": {"php": "php-cli",
                 "/usr/share/php/libphp-phpmailer/autoload.php": "libphp-phpmailer"},
         "cmd": ["php", os.path.join(LIB, "phpmailer_client.php")]},
        {"key": "smtplib", "name": "Python smtplib", "raw": True, "fast": True,
         "apt": {PY: "python3"},
         "cmd": [PY, os.path.join(LIB, "smtplib_client.py")]},
        {"key": "netsmtp", "name": "Ruby net-smtp", "raw": True,
         "apt": {"ruby": "ruby"},
         "cmd": ["ruby", os.path.join(LIB, "netsmtp_client.rb")]},
        {"key": "nodemailer", "name": "nodemailer", "raw": True,
         "apt": {"node": "nodejs", "npm": "npm"},
         "npm": NODEMAILER,
         "env": {"NODE_PATH": os.path.join(build, "node_modules")},
         "cmd": ["node", os.path.join(LIB, "nodemailer_client.js")]},
        {"key": "gosmtp", "name": "Go net/smtp", "raw": True,
         "apt": {"go": "golang-go"},
         "build": {"src": os.path.join(LIB, "gosmtp_client.go"),
                   "out": os.path.join(build, "gosmtp_client"),
                   "cmd": ["go", "build", "-o", os.path.join(build, "gosmtp_client"),
                           os.path.join(LIB, "gosmtp_client.go")]},
         "build_env": {"GOCACHE": os.path.join(build, "gocache"), "GOPROXY": "off",
                       "GO111MODULE": "off"},
         "cmd": [os.path.join(build, "gosmtp_client")]},
        {"key": "jakarta", "name": "Jakarta Mail", "raw": True,
         "apt": {"javac": "default-jdk-headless",
                 "/usr/share/java/jakarta-mail.jar": "libjakarta-mail-java"},
         "build": {"src": os.path.join(LIB, "JakartaClient.java"),
                   "out": os.path.join(build, "java", "JakartaClient.class"),
                   "cmd": ["javac", "-cp", JAKARTA_CP, "-d", os.path.join(build, "java"),
                           os.path.join(LIB, "JakartaClient.java")]},
         "cmd": ["java", "-XX:TieredStopAtLevel=1",
                 "-cp", os.path.join(build, "java") + ":" + JAKARTA_CP, "JakartaClient"]},
        {"key": "curl", "name": "curl", "raw": True, "fast": True,
         "apt": {"curl": "curl", PY: "python3"},
         "cmd": [PY, os.path.join(LIB, "curl_client.py")]},
        {"key": "swaks", "name": "swaks", "raw": True, "fast": True,
         "apt": {"swaks": "swaks", "/usr/share/perl5/IO/Socket/SSL.pm": "libio-socket-ssl-perl",
                 PY: "python3"},
         "cmd": [PY, os.path.join(LIB, "swaks_client.py")]},
        {"key": "msmtp", "name": "msmtp", "raw": True, "fast": True,
         "apt": {"msmtp": "msmtp", PY: "python3"},
         "cmd": [PY, os.path.join(LIB, "msmtp_client.py")]},
    ]
