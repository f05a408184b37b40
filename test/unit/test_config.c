/* test_config: SPEC §1's flag table. Defaults; every flag in both "--flag value" and
 * "--flag=value" form and its BADSMTP_* environment twin; flags win over the environment;
 * unknown flags, missing and bad values, and --tls-cert without --tls-key are CONFIG_ERROR with
 * a message; --help and --version print to stdout (captured here) and give CONFIG_DONE; the
 * certificate cache default chain. The environment is cleared before every row. */
#include "config.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static const char *const env_names[] = {
	"BADSMTP_PROFILE", "BADSMTP_PORT", "BADSMTP_HOSTNAME", "BADSMTP_MAILDIR",
	"BADSMTP_TLS_CERT", "BADSMTP_TLS_KEY", "BADSMTP_CERT_CACHE", "BADSMTP_LOG_FORMAT",
	"BADSMTP_LOG_LEVEL", "BADSMTP_LOG_TARGET", "BADSMTP_TIMEOUT", "BADSMTP_DATA_TIMEOUT",
	"BADSMTP_TIME_SCALE", "BADSMTP_GREETING_DELAY_PORT_START",
	"BADSMTP_COMMAND_DELAY_PORT_START", "BADSMTP_DROP_DELAY_PORT_START",
	"BADSMTP_TLS_FAULT_PORT_START", "CACHE_DIRECTORY", "XDG_CACHE_HOME",
	"BADSMTP_GREETING_FAULT_PORT_START", "BADSMTP_STATE_DIR", "STATE_DIRECTORY", "XDG_STATE_HOME",
	"BADSMTP_MAX_SESSIONS", "BADSMTP_IDLE_EXIT", "BADSMTP_PROXY_PROTOCOL", "BADSMTP_PROXY_FROM",
};

static void clear_env(void)
{
	for (size_t i = 0; i < sizeof env_names / sizeof env_names[0]; i++)
		unsetenv(env_names[i]);
}

/* "NAME=value" pairs. */
static void set_env(const char *const *env)
{
	for (; *env != NULL; env++) {
		char name[128];
		const char *eq = strchr(*env, '=');

		snprintf(name, sizeof name, "%.*s", (int)(eq - *env), *env);
		setenv(name, eq + 1, 1);
	}
}

/* One field of the config as text, so that every row can name what it checks. */
static void field_text(const struct config *c, const char *field, char *out, size_t cap)
{
	static const char *const levels[] = { "debug", "info", "warn", "error" };
#define STR(f) ((f) != NULL ? (f) : "(null)")

	if (strcmp(field, "profile") == 0)
		snprintf(out, cap, "%s", STR(c->profile));
	else if (strcmp(field, "port") == 0)
		snprintf(out, cap, "%d", c->port);
	else if (strcmp(field, "hostname") == 0)
		snprintf(out, cap, "%s", STR(c->hostname));
	else if (strcmp(field, "maildir") == 0)
		snprintf(out, cap, "%s", STR(c->maildir));
	else if (strcmp(field, "tls") == 0)
		snprintf(out, cap, "%s %s", STR(c->tls_cert), STR(c->tls_key));
	else if (strcmp(field, "cert_cache") == 0)
		snprintf(out, cap, "%s", STR(c->cert_cache));
	else if (strcmp(field, "state_dir") == 0)
		snprintf(out, cap, "%s", STR(c->state_dir));
	else if (strcmp(field, "log_target") == 0)
		snprintf(out, cap, "%s", STR(c->log_target));
	else if (strcmp(field, "log_format") == 0)
		snprintf(out, cap, "%s", c->log_format == LOG_FORMAT_JSON ? "json" :
		         c->log_format == LOG_FORMAT_TEXT ? "text" : "?");
	else if (strcmp(field, "log_level") == 0)
		snprintf(out, cap, "%s", (unsigned)c->log_level < 4 ? levels[c->log_level] : "?");
	else if (strcmp(field, "timeout") == 0)
		snprintf(out, cap, "%g", c->timeout);
	else if (strcmp(field, "data_timeout") == 0)
		snprintf(out, cap, "%g", c->data_timeout);
	else if (strcmp(field, "time_scale") == 0)
		snprintf(out, cap, "%g", c->time_scale);
	else if (strcmp(field, "bases") == 0)
		for (size_t f = 0, used = 0; f < PROFILE_FAMILIES && used < cap; f++)
			used += (size_t)snprintf(out + used, cap - used, "%s%d", f ? "/" : "",
			                         c->bases.base[f]);
	else if (strcmp(field, "max_sessions") == 0)
		snprintf(out, cap, "%d", c->max_sessions);
	else if (strcmp(field, "idle_exit") == 0)
		snprintf(out, cap, "%g", c->idle_exit);
	else if (strcmp(field, "proxy") == 0)
		snprintf(out, cap, "%d %s %zu", c->proxy_protocol, STR(c->proxy_from),
		         c->proxy_trust.n);
	else
		snprintf(out, cap, "unknown field %s", field);
#undef STR
}

#define RUN CONFIG_RUN
#define ERR CONFIG_ERROR
#define PRINT_CA CONFIG_PRINT_CA
#define E(...) { __VA_ARGS__, NULL }
#define A(...) { "badsmtp-session", __VA_ARGS__, NULL }
#define NOARGS { "badsmtp-session", NULL }
#define NOENV { NULL }

struct row {
	const char *env[6];
	const char *argv[10];
	enum config_result want;
	const char *field;      /* checked when want is CONFIG_RUN or CONFIG_PRINT_CA */
	const char *value;
};

static const struct row rows[] = {
	/* defaults (SPEC §1) */
	{ NOENV, NOARGS, RUN, "profile", "(null)" },
	{ NOENV, NOARGS, RUN, "port", "-1" },
	{ NOENV, NOARGS, RUN, "hostname", "badsmtp.test" },
	{ NOENV, NOARGS, RUN, "maildir", "(null)" },
	{ NOENV, NOARGS, RUN, "tls", "(null) (null)" },
	{ NOENV, NOARGS, RUN, "cert_cache", "(null)" },
	{ NOENV, NOARGS, RUN, "state_dir", "(null)" },
	{ NOENV, NOARGS, RUN, "log_target", "auto" },
	{ NOENV, NOARGS, RUN, "log_format", "json" },
	{ NOENV, NOARGS, RUN, "log_level", "info" },
	{ NOENV, NOARGS, RUN, "timeout", "300" },
	{ NOENV, NOARGS, RUN, "data_timeout", "180" },
	{ NOENV, NOARGS, RUN, "time_scale", "1" },
	{ NOENV, NOARGS, RUN, "bases", "25200/25400/25600/25700/25800" },
	{ NOENV, NOARGS, RUN, "max_sessions", "512" },
	{ NOENV, NOARGS, RUN, "idle_exit", "0" },
	{ NOENV, NOARGS, RUN, "proxy", "0 127.0.0.0/8,::1/128 2" },
	/* wait mode and PROXY (SPEC §15, §20): a switch takes no value, 0 sessions is an error */
	{ NOENV, A("--max-sessions", "20000"), RUN, "max_sessions", "20000" },
	{ NOENV, A("--max-sessions=1"), RUN, "max_sessions", "1" },
	{ E("BADSMTP_MAX_SESSIONS=7"), NOARGS, RUN, "max_sessions", "7" },
	{ NOENV, A("--max-sessions", "0"), ERR, NULL, NULL },
	{ E("BADSMTP_MAX_SESSIONS=0"), NOARGS, ERR, NULL, NULL },
	{ NOENV, A("--max-sessions", "1.5"), ERR, NULL, NULL },
	{ NOENV, A("--max-sessions", "-1"), ERR, NULL, NULL },
	{ NOENV, A("--idle-exit", "30"), RUN, "idle_exit", "30" },
	{ NOENV, A("--idle-exit=0"), RUN, "idle_exit", "0" },
	{ E("BADSMTP_IDLE_EXIT=2.5"), NOARGS, RUN, "idle_exit", "2.5" },
	{ NOENV, A("--idle-exit", "-1"), ERR, NULL, NULL },
	{ NOENV, A("--proxy-protocol"), RUN, "proxy", "1 127.0.0.0/8,::1/128 2" },
	{ NOENV, A("--proxy-protocol", "--port", "25"), RUN, "port", "25" },
	{ NOENV, A("--proxy-protocol=0"), RUN, "proxy", "0 127.0.0.0/8,::1/128 2" },
	{ E("BADSMTP_PROXY_PROTOCOL=1"), NOARGS, RUN, "proxy", "1 127.0.0.0/8,::1/128 2" },
	{ E("BADSMTP_PROXY_PROTOCOL=0"), A("--proxy-protocol"), RUN, "proxy",
	  "1 127.0.0.0/8,::1/128 2" },
	{ E("BADSMTP_PROXY_PROTOCOL=yes"), NOARGS, ERR, NULL, NULL },
	{ NOENV, A("--proxy-from", "10.0.0.0/8"), RUN, "proxy", "0 10.0.0.0/8 1" },
	{ E("BADSMTP_PROXY_FROM=10.0.0.1,10.0.0.2,::1"), NOARGS, RUN, "proxy",
	  "0 10.0.0.1,10.0.0.2,::1 3" },
	{ NOENV, A("--proxy-from", "10.0.0.0/33"), ERR, NULL, NULL },
	{ NOENV, A("--proxy-from", "proxy.example"), ERR, NULL, NULL },
	/* every flag, "--flag value" */
	{ NOENV, A("--profile", "smtps"), RUN, "profile", "smtps" },
	{ NOENV, A("--profile", "greeting-delay-8"), RUN, "profile", "greeting-delay-8" },
	{ NOENV, A("--port", "25587"), RUN, "port", "25587" },
	{ NOENV, A("--port", "1"), RUN, "port", "1" },
	{ NOENV, A("--port", "65535"), RUN, "port", "65535" },
	{ NOENV, A("--hostname", "mx.example.org"), RUN, "hostname", "mx.example.org" },
	{ NOENV, A("--hostname", "localhost"), RUN, "hostname", "localhost" },
	{ NOENV, A("--maildir", "/var/mail/bad"), RUN, "maildir", "/var/mail/bad" },
	{ NOENV, A("--tls-cert", "c.pem", "--tls-key", "k.pem"), RUN, "tls", "c.pem k.pem" },
	{ NOENV, A("--cert-cache", "/tmp/cc"), RUN, "cert_cache", "/tmp/cc" },
	{ NOENV, A("--state-dir", "/tmp/st"), RUN, "state_dir", "/tmp/st" },
	{ NOENV, A("--state-dir=/st"), RUN, "state_dir", "/st" },
	{ NOENV, A("--state-dir="), ERR, NULL, NULL },
	{ E("BADSMTP_STATE_DIR=/env/st"), NOARGS, RUN, "state_dir", "/env/st" },
	{ E("BADSMTP_STATE_DIR=/env/st"), A("--state-dir", "/flag"), RUN, "state_dir", "/flag" },
	{ NOENV, A("--log-format", "text"), RUN, "log_format", "text" },
	{ NOENV, A("--log-format", "json"), RUN, "log_format", "json" },
	{ NOENV, A("--log-level", "debug"), RUN, "log_level", "debug" },
	{ NOENV, A("--log-level", "info"), RUN, "log_level", "info" },
	{ NOENV, A("--log-level", "warn"), RUN, "log_level", "warn" },
	{ NOENV, A("--log-level", "error"), RUN, "log_level", "error" },
	{ NOENV, A("--log-target", "stderr"), RUN, "log_target", "stderr" },
	{ NOENV, A("--log-target", "journal"), RUN, "log_target", "journal" },
	{ NOENV, A("--log-target", "syslog"), RUN, "log_target", "syslog" },
	{ NOENV, A("--log-target", "file:/tmp/x.log"), RUN, "log_target", "file:/tmp/x.log" },
	{ NOENV, A("--timeout", "10"), RUN, "timeout", "10" },
	{ NOENV, A("--timeout", "0.5"), RUN, "timeout", "0.5" },
	{ NOENV, A("--data-timeout", "7"), RUN, "data_timeout", "7" },
	/* "--flag=value" */
	{ NOENV, A("--profile=drop-30"), RUN, "profile", "drop-30" },
	{ NOENV, A("--port=2525"), RUN, "port", "2525" },
	{ NOENV, A("--hostname=h.example"), RUN, "hostname", "h.example" },
	{ NOENV, A("--maildir=/m"), RUN, "maildir", "/m" },
	{ NOENV, A("--tls-cert=c.pem", "--tls-key=k.pem"), RUN, "tls", "c.pem k.pem" },
	{ NOENV, A("--cert-cache=/cc"), RUN, "cert_cache", "/cc" },
	{ NOENV, A("--log-format=text"), RUN, "log_format", "text" },
	{ NOENV, A("--log-level=warn"), RUN, "log_level", "warn" },
	{ NOENV, A("--log-target=file:/tmp/a=b.log"), RUN, "log_target", "file:/tmp/a=b.log" },
	{ NOENV, A("--timeout=42"), RUN, "timeout", "42" },
	{ NOENV, A("--data-timeout=3"), RUN, "data_timeout", "3" },
	/* the environment twins */
	{ E("BADSMTP_PROFILE=command-delay-2"), NOARGS, RUN, "profile", "command-delay-2" },
	{ E("BADSMTP_PORT=25465"), NOARGS, RUN, "port", "25465" },
	{ E("BADSMTP_HOSTNAME=env.example"), NOARGS, RUN, "hostname", "env.example" },
	{ E("BADSMTP_MAILDIR=/env/md"), NOARGS, RUN, "maildir", "/env/md" },
	{ E("BADSMTP_TLS_CERT=ec.pem", "BADSMTP_TLS_KEY=ek.pem"), NOARGS, RUN, "tls",
	  "ec.pem ek.pem" },
	{ E("BADSMTP_CERT_CACHE=/env/cc"), NOARGS, RUN, "cert_cache", "/env/cc" },
	{ E("BADSMTP_LOG_FORMAT=text"), NOARGS, RUN, "log_format", "text" },
	{ E("BADSMTP_LOG_LEVEL=error"), NOARGS, RUN, "log_level", "error" },
	{ E("BADSMTP_LOG_TARGET=syslog"), NOARGS, RUN, "log_target", "syslog" },
	{ E("BADSMTP_TIMEOUT=5"), NOARGS, RUN, "timeout", "5" },
	{ E("BADSMTP_DATA_TIMEOUT=6"), NOARGS, RUN, "data_timeout", "6" },
	{ E("BADSMTP_TIME_SCALE=0.01"), NOARGS, RUN, "time_scale", "0.01" },
	{ E("BADSMTP_TIME_SCALE=0"), NOARGS, RUN, "time_scale", "0" },
	{ E("BADSMTP_GREETING_DELAY_PORT_START=3000"), NOARGS, RUN, "bases",
	  "3000/25400/25600/25700/25800" },
	{ E("BADSMTP_COMMAND_DELAY_PORT_START=3100"), NOARGS, RUN, "bases",
	  "25200/3100/25600/25700/25800" },
	{ E("BADSMTP_DROP_DELAY_PORT_START=3200"), NOARGS, RUN, "bases",
	  "25200/25400/3200/25700/25800" },
	{ E("BADSMTP_TLS_FAULT_PORT_START=3300"), NOARGS, RUN, "bases",
	  "25200/25400/25600/3300/25800" },
	/* a family of 18 ends at base + 17: 25690 leaves the drop ports, 65518 the last port */
	{ E("BADSMTP_DROP_DELAY_PORT_START=25690"), NOARGS, RUN, "bases",
	  "25200/25400/25690/25700/25800" },
	{ E("BADSMTP_TLS_FAULT_PORT_START=65518"), NOARGS, RUN, "bases",
	  "25200/25400/25600/65518/25800" },
	{ E("BADSMTP_GREETING_DELAY_PORT_START=3000", "BADSMTP_COMMAND_DELAY_PORT_START=3010",
	    "BADSMTP_DROP_DELAY_PORT_START=3020"), NOARGS, RUN, "bases",
	  "3000/3010/3020/25700/25800" },
	{ E("BADSMTP_GREETING_FAULT_PORT_START=4000"), NOARGS, RUN, "bases",
	  "25200/25400/25600/25700/4000" },
	{ E("BADSMTP_GREETING_FAULT_PORT_START=25805"), NOARGS, RUN, "bases",
	  "25200/25400/25600/25700/25805" },
	{ E("BADSMTP_GREETING_FAULT_PORT_START=25595"), NOARGS, RUN, "bases",
	  "25200/25400/25600/25700/25595" },
	{ E("BADSMTP_GREETING_FAULT_PORT_START=25596"), NOARGS, ERR, NULL, NULL },
	{ E("BADSMTP_GREETING_FAULT_PORT_START=25604"), NOARGS, ERR, NULL, NULL },
	/* the five greeting faults next to the 18 tls- ports: 25718 is their first free port */
	{ E("BADSMTP_GREETING_FAULT_PORT_START=25717"), NOARGS, ERR, NULL, NULL },
	{ E("BADSMTP_GREETING_FAULT_PORT_START=25718"), NOARGS, RUN, "bases",
	  "25200/25400/25600/25700/25718" },
	{ E("BADSMTP_GREETING_FAULT_PORT_START=65531"), NOARGS, RUN, "bases",
	  "25200/25400/25600/25700/65531" },
	{ E("BADSMTP_GREETING_FAULT_PORT_START=65532"), NOARGS, ERR, NULL, NULL },
	/* flags win over the environment */
	{ E("BADSMTP_PROFILE=plain"), A("--profile", "smtps"), RUN, "profile", "smtps" },
	{ E("BADSMTP_PORT=2525"), A("--port", "25465"), RUN, "port", "25465" },
	{ E("BADSMTP_PORT=2525"), A("--port=25587"), RUN, "port", "25587" },
	{ E("BADSMTP_HOSTNAME=env.example"), A("--hostname", "flag.example"), RUN, "hostname",
	  "flag.example" },
	{ E("BADSMTP_MAILDIR=/env"), A("--maildir", "/flag"), RUN, "maildir", "/flag" },
	{ E("BADSMTP_TLS_CERT=ec", "BADSMTP_TLS_KEY=ek"), A("--tls-cert", "fc", "--tls-key", "fk"),
	  RUN, "tls", "fc fk" },
	{ E("BADSMTP_TLS_CERT=ec", "BADSMTP_TLS_KEY=ek"), A("--tls-key", "fk"), RUN, "tls",
	  "ec fk" },
	{ E("BADSMTP_TLS_CERT=ec"), A("--tls-key", "fk"), RUN, "tls", "ec fk" },
	{ E("BADSMTP_CERT_CACHE=/env"), A("--cert-cache", "/flag"), RUN, "cert_cache", "/flag" },
	{ E("BADSMTP_LOG_FORMAT=text"), A("--log-format", "json"), RUN, "log_format", "json" },
	{ E("BADSMTP_LOG_LEVEL=error"), A("--log-level", "debug"), RUN, "log_level", "debug" },
	{ E("BADSMTP_LOG_TARGET=syslog"), A("--log-target", "stderr"), RUN, "log_target",
	  "stderr" },
	{ E("BADSMTP_TIMEOUT=5"), A("--timeout", "9"), RUN, "timeout", "9" },
	{ E("BADSMTP_DATA_TIMEOUT=5"), A("--data-timeout=8"), RUN, "data_timeout", "8" },
	/* the last of a repeated flag */
	{ NOENV, A("--port", "2525", "--port", "25465"), RUN, "port", "25465" },
	/* unknown flags and missing values */
	{ NOENV, A("--bogus"), ERR, NULL, NULL },
	{ NOENV, A("--bogus=1"), ERR, NULL, NULL },
	{ NOENV, A("-x"), ERR, NULL, NULL },
	{ NOENV, A("--Port", "25"), ERR, NULL, NULL },
	{ NOENV, A("--portx=25"), ERR, NULL, NULL },
	{ NOENV, A("--por", "25"), ERR, NULL, NULL },
	{ NOENV, A("port", "25"), ERR, NULL, NULL },
	{ NOENV, A("25"), ERR, NULL, NULL },
	{ NOENV, A("--"), ERR, NULL, NULL },
	{ NOENV, A("--time-scale", "1"), ERR, NULL, NULL },
	{ NOENV, A("--port"), ERR, NULL, NULL },
	{ NOENV, A("--hostname"), ERR, NULL, NULL },
	{ NOENV, A("--port", "25", "--timeout"), ERR, NULL, NULL },
	/* bad values */
	{ NOENV, A("--port", "0"), ERR, NULL, NULL },
	{ NOENV, A("--port", "65536"), ERR, NULL, NULL },
	{ NOENV, A("--port", "-1"), ERR, NULL, NULL },
	{ NOENV, A("--port", "abc"), ERR, NULL, NULL },
	{ NOENV, A("--port", "25x"), ERR, NULL, NULL },
	{ NOENV, A("--port", "1.5"), ERR, NULL, NULL },
	{ NOENV, A("--port", ""), ERR, NULL, NULL },
	{ NOENV, A("--port="), ERR, NULL, NULL },
	{ NOENV, A("--timeout", "0"), ERR, NULL, NULL },
	{ NOENV, A("--timeout", "-1"), ERR, NULL, NULL },
	{ NOENV, A("--timeout", "abc"), ERR, NULL, NULL },
	{ NOENV, A("--timeout", "10s"), ERR, NULL, NULL },
	{ NOENV, A("--timeout", "inf"), ERR, NULL, NULL },
	{ NOENV, A("--timeout", "nan"), ERR, NULL, NULL },
	{ NOENV, A("--timeout", "1e400"), ERR, NULL, NULL },
	{ NOENV, A("--timeout", ""), ERR, NULL, NULL },
	{ NOENV, A("--data-timeout", "0"), ERR, NULL, NULL },
	{ NOENV, A("--data-timeout", "x"), ERR, NULL, NULL },
	{ NOENV, A("--log-format", "xml"), ERR, NULL, NULL },
	{ NOENV, A("--log-format", ""), ERR, NULL, NULL },
	{ NOENV, A("--log-level", "trace"), ERR, NULL, NULL },
	{ NOENV, A("--log-level", "warning"), ERR, NULL, NULL },
	{ NOENV, A("--log-level", ""), ERR, NULL, NULL },
	{ NOENV, A("--log-target", ""), ERR, NULL, NULL },
	{ NOENV, A("--profile", "nope"), ERR, NULL, NULL },
	{ NOENV, A("--profile", ""), ERR, NULL, NULL },
	{ NOENV, A("--profile", "drop-"), ERR, NULL, NULL },
	{ NOENV, A("--hostname", ""), ERR, NULL, NULL },
	{ NOENV, A("--hostname", "bad host"), ERR, NULL, NULL },
	{ NOENV, A("--hostname", "a_b.example"), ERR, NULL, NULL },
	{ NOENV, A("--hostname", "a/b"), ERR, NULL, NULL },
	{ NOENV, A("--hostname", "a\r\nb"), ERR, NULL, NULL },
	{ NOENV, A("--maildir", ""), ERR, NULL, NULL },
	{ NOENV, A("--cert-cache", ""), ERR, NULL, NULL },
	/* --tls-cert and --tls-key go together */
	{ NOENV, A("--tls-cert", "c.pem"), ERR, NULL, NULL },
	{ NOENV, A("--tls-key", "k.pem"), ERR, NULL, NULL },
	{ E("BADSMTP_TLS_CERT=c.pem"), NOARGS, ERR, NULL, NULL },
	{ E("BADSMTP_TLS_KEY=k.pem"), NOARGS, ERR, NULL, NULL },
	/* bad environment values */
	{ E("BADSMTP_PORT=abc"), NOARGS, ERR, NULL, NULL },
	{ E("BADSMTP_PORT=0"), NOARGS, ERR, NULL, NULL },
	{ E("BADSMTP_PROFILE=nope"), NOARGS, ERR, NULL, NULL },
	{ E("BADSMTP_HOSTNAME=bad host"), NOARGS, ERR, NULL, NULL },
	{ E("BADSMTP_LOG_FORMAT=xml"), NOARGS, ERR, NULL, NULL },
	{ E("BADSMTP_LOG_LEVEL=loud"), NOARGS, ERR, NULL, NULL },
	{ E("BADSMTP_TIMEOUT=0"), NOARGS, ERR, NULL, NULL },
	{ E("BADSMTP_DATA_TIMEOUT=-5"), NOARGS, ERR, NULL, NULL },
	{ E("BADSMTP_TIME_SCALE=-1"), NOARGS, ERR, NULL, NULL },
	{ E("BADSMTP_TIME_SCALE=abc"), NOARGS, ERR, NULL, NULL },
	{ E("BADSMTP_TIME_SCALE=1001"), NOARGS, ERR, NULL, NULL },
	{ E("BADSMTP_GREETING_DELAY_PORT_START=abc"), NOARGS, ERR, NULL, NULL },
	{ E("BADSMTP_GREETING_DELAY_PORT_START=0"), NOARGS, ERR, NULL, NULL },
	/* overlapping port families (SPEC §8: exit 100) */
	{ E("BADSMTP_GREETING_DELAY_PORT_START=25400"), NOARGS, ERR, NULL, NULL },
	{ E("BADSMTP_COMMAND_DELAY_PORT_START=25205"), NOARGS, ERR, NULL, NULL },
	{ E("BADSMTP_DROP_DELAY_PORT_START=25395"), NOARGS, ERR, NULL, NULL },
	{ E("BADSMTP_GREETING_DELAY_PORT_START=25460"), NOARGS, ERR, NULL, NULL },
	{ E("BADSMTP_COMMAND_DELAY_PORT_START=2520"), NOARGS, ERR, NULL, NULL },
	{ E("BADSMTP_DROP_DELAY_PORT_START=25580"), NOARGS, ERR, NULL, NULL },
	{ E("BADSMTP_DROP_DELAY_PORT_START=65530"), NOARGS, ERR, NULL, NULL },
	{ E("BADSMTP_DROP_DELAY_PORT_START=25710"), NOARGS, ERR, NULL, NULL },
	{ E("BADSMTP_TLS_FAULT_PORT_START=25592"), NOARGS, ERR, NULL, NULL },
	{ E("BADSMTP_TLS_FAULT_PORT_START=25450"), NOARGS, ERR, NULL, NULL },
	{ E("BADSMTP_TLS_FAULT_PORT_START=65519"), NOARGS, ERR, NULL, NULL },
	/* --print-ca: carried out by main once every option is read (it needs GnuTLS) */
	{ NOENV, A("--print-ca"), PRINT_CA, "cert_cache", "(null)" },
	{ NOENV, A("--print-ca", "--cert-cache", "/c"), PRINT_CA, "cert_cache", "/c" },
	{ NOENV, A("--cert-cache", "/c", "--print-ca"), PRINT_CA, "cert_cache", "/c" },
	{ NOENV, A("--print-ca", "--bogus"), ERR, NULL, NULL },
	{ E("BADSMTP_DROP_DELAY_PORT_START=25205"), A("--print-ca"), ERR, NULL, NULL },
};

static void describe(const struct row *r, char *out, size_t cap)
{
	size_t o = 0;

	for (const char *const *e = r->env; *e != NULL && o < cap; e++)
		o += (size_t)snprintf(out + o, cap - o, "%s ", *e);
	for (const char *const *a = r->argv + 1; *a != NULL && o < cap; a++)
		o += (size_t)snprintf(out + o, cap - o, "%s%s", a == r->argv + 1 ? "" : " ",
		                      **a ? *a : "''");
	if (o == 0)
		snprintf(out, cap, "(no flags, no environment)");
}

static void test_rows(void)
{
	static const char *const result_names[] = { "CONFIG_RUN", "CONFIG_DONE", "CONFIG_ERROR",
	                                            "CONFIG_PRINT_CA" };
	char what[400], name[1200], got[256];

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const struct row *r = &rows[i];
		char *argv[10];
		int argc = 0;
		struct config c;
		char err[512] = "";
		enum config_result res;

		for (; r->argv[argc] != NULL; argc++)
			argv[argc] = (char *)r->argv[argc];
		argv[argc] = NULL;
		clear_env();
		set_env(r->env);
		describe(r, what, sizeof what);
		for (size_t k = 0; what[k] != '\0'; k++)   /* keep the TAP line one line */
			if (what[k] == '\r' || what[k] == '\n')
				what[k] = '?';
		res = config_load(&c, argc, argv, err, sizeof err);
		snprintf(name, sizeof name, "%s: %s", what, result_names[r->want]);
		tap_str(result_names[res], result_names[r->want], name);
		if (res != r->want && res == CONFIG_ERROR)
			printf("#   error: %s\n", err);
		if (r->want == CONFIG_ERROR) {
			/* SPEC §1: a one-line error, whatever octets the bad value held */
			int one_line = err[0] != '\0' && strpbrk(err, "\r\n") == NULL;

			for (size_t k = 0; err[k] != '\0'; k++)
				if ((unsigned char)err[k] < 0x20)
					err[k] = '?';
			snprintf(name, sizeof name, "%s: a one-line error message (%s)", what, err);
			tap_ok(one_line, name);
		} else if (res == r->want) {
			field_text(&c, r->field, got, sizeof got);
			snprintf(name, sizeof name, "%s: %s", what, r->field);
			tap_str(got, r->value, name);
		}
	}
	clear_env();
}

/* --help and --version print to stdout and return CONFIG_DONE; capture what they print. */
static enum config_result load_captured(const char *flag, char *out, size_t cap)
{
	char *argv[] = { (char *)"badsmtp-session", (char *)flag, NULL };
	struct config c;
	char err[256];
	enum config_result res;
	FILE *tmp = tmpfile();
	int saved;
	size_t n;

	out[0] = '\0';
	if (tmp == NULL)
		return CONFIG_ERROR;
	fflush(stdout);
	saved = dup(1);
	dup2(fileno(tmp), 1);
	res = config_load(&c, 2, argv, err, sizeof err);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	rewind(tmp);
	n = fread(out, 1, cap - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
	return res;
}

static void test_help_version(void)
{
	static char out[8192];

	clear_env();
	tap_int(load_captured("--help", out, sizeof out), CONFIG_DONE, "--help: CONFIG_DONE");
	tap_ok(strncmp(out, "Usage: badsmtp-session", 22) == 0, "--help prints the usage to stdout");
	tap_ok(strstr(out, "--tls-cert") != NULL && strstr(out, "BADSMTP_TIME_SCALE") != NULL,
	       "--help lists the flags and BADSMTP_TIME_SCALE");
	tap_int(load_captured("-h", out, sizeof out), CONFIG_DONE, "-h: CONFIG_DONE");
	tap_ok(strncmp(out, "Usage: badsmtp-session", 22) == 0, "-h prints the usage to stdout");
	tap_int(load_captured("--version", out, sizeof out), CONFIG_DONE, "--version: CONFIG_DONE");
	tap_ok(strncmp(out, "badsmtp-session ", 16) == 0 && strchr(out, '\n') != NULL &&
	       strchr(out, '\n')[1] == '\0', "--version prints one line \"badsmtp-session {version}\"");
	if (strncmp(out, "badsmtp-session ", 16) != 0)
		printf("#   got \"%s\"\n", out);
}

/* The two directories with systemd and XDG defaults (SPEC §1, §18): the flag, the systemd
 * variable (the first of a colon-joined list), $XDG_..._HOME/badsmtp, then /tmp/badsmtp-{uid}. */
static const struct {
	const char *(*get)(const struct config *c, char *buf, size_t cap);
	const char *flag, *twin, *systemd, *xdg, *tmp;
} dir_rows[] = {
	{ config_cert_cache, "--cert-cache", "BADSMTP_CERT_CACHE", "CACHE_DIRECTORY",
	  "XDG_CACHE_HOME", "" },
	{ config_state_dir, "--state-dir", "BADSMTP_STATE_DIR", "STATE_DIRECTORY",
	  "XDG_STATE_HOME", "/state" },
};

static void test_default_dirs(void)
{
	struct config c;
	char err[256], buf[4096], want[128], name[256];

	for (size_t i = 0; i < sizeof dir_rows / sizeof dir_rows[0]; i++) {
		const char *const flag = dir_rows[i].flag, *sys = dir_rows[i].systemd,
		                  *xdg = dir_rows[i].xdg;
		char *argv[] = { (char *)"badsmtp-session", (char *)flag, (char *)"/flag/d", NULL };
		const char *(*get)(const struct config *, char *, size_t) = dir_rows[i].get;

		clear_env();
		setenv(sys, "/run/d", 1);
		setenv(xdg, "/home/u/.x", 1);
		config_load(&c, 3, argv, err, sizeof err);
		snprintf(name, sizeof name, "%s first", flag);
		tap_str(get(&c, buf, sizeof buf), "/flag/d", name);
		config_load(&c, 1, argv, err, sizeof err);
		snprintf(name, sizeof name, "%s: then $%s", flag, sys);
		tap_str(get(&c, buf, sizeof buf), "/run/d", name);
		setenv(sys, "/run/a:/run/b", 1);
		snprintf(name, sizeof name, "%s: the first of a colon-joined $%s", flag, sys);
		tap_str(get(&c, buf, sizeof buf), "/run/a", name);
		unsetenv(sys);
		snprintf(name, sizeof name, "%s: then $%s/badsmtp", flag, xdg);
		tap_str(get(&c, buf, sizeof buf), "/home/u/.x/badsmtp", name);
		unsetenv(xdg);
		snprintf(want, sizeof want, "/tmp/badsmtp-%u%s", (unsigned)getuid(), dir_rows[i].tmp);
		snprintf(name, sizeof name, "%s: else %s", flag, want);
		tap_str(get(&c, buf, sizeof buf), want, name);
		setenv(sys, "", 1);
		setenv(xdg, "", 1);
		snprintf(name, sizeof name, "%s: empty variables count as unset", flag);
		tap_str(get(&c, buf, sizeof buf), want, name);
		setenv(dir_rows[i].twin, "/env/d", 1);
		config_load(&c, 1, argv, err, sizeof err);
		snprintf(name, sizeof name, "%s: %s", flag, dir_rows[i].twin);
		tap_str(get(&c, buf, sizeof buf), "/env/d", name);
	}
	clear_env();
}

/* SPEC §1: --port wins over the local port; a pipe (no local port) with neither is port 0. */
static const struct {
	int flag, local, want;
} port_rows[] = {
	{ -1, 25201, 25201 }, { 2525, 25201, 2525 }, { 2525, -1, 2525 }, { -1, -1, 0 },
};

static void test_port(void)
{
	struct config c = { .port = -1 };
	char name[64];

	for (size_t i = 0; i < sizeof port_rows / sizeof port_rows[0]; i++) {
		c.port = port_rows[i].flag;
		snprintf(name, sizeof name, "config_port: --port %d, local port %d", c.port,
		         port_rows[i].local);
		tap_int(config_port(&c, port_rows[i].local), port_rows[i].want, name);
	}
}

int main(void)
{
	test_rows();
	test_help_version();
	test_default_dirs();
	test_port();
	return tap_done();
}
