/* config: one table of options, each a flag with an environment twin and a parser. No config
 * file of our own: systemd passes Environment=, inetd passes arguments. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef BADSMTP_VERSION
#define BADSMTP_VERSION "1.0.0"
#endif

enum kind { OPT_STRING, OPT_PORT, OPT_SECONDS, OPT_SCALE, OPT_HOSTNAME, OPT_PROFILE,
            OPT_FORMAT, OPT_LEVEL, OPT_BASE };

static const struct option {
	const char *flag;   /* NULL: environment only */
	const char *env;
	enum kind kind;
	size_t offset;
} options[] = {
	{ "--profile", "BADSMTP_PROFILE", OPT_PROFILE, offsetof(struct config, profile) },
	{ "--port", "BADSMTP_PORT", OPT_PORT, offsetof(struct config, port) },
	{ "--hostname", "BADSMTP_HOSTNAME", OPT_HOSTNAME, offsetof(struct config, hostname) },
	{ "--maildir", "BADSMTP_MAILDIR", OPT_STRING, offsetof(struct config, maildir) },
	{ "--tls-cert", "BADSMTP_TLS_CERT", OPT_STRING, offsetof(struct config, tls_cert) },
	{ "--tls-key", "BADSMTP_TLS_KEY", OPT_STRING, offsetof(struct config, tls_key) },
	{ "--cert-cache", "BADSMTP_CERT_CACHE", OPT_STRING, offsetof(struct config, cert_cache) },
	{ "--log-format", "BADSMTP_LOG_FORMAT", OPT_FORMAT, offsetof(struct config, log_format) },
	{ "--log-level", "BADSMTP_LOG_LEVEL", OPT_LEVEL, offsetof(struct config, log_level) },
	{ "--log-target", "BADSMTP_LOG_TARGET", OPT_STRING, offsetof(struct config, log_target) },
	{ "--timeout", "BADSMTP_TIMEOUT", OPT_SECONDS, offsetof(struct config, timeout) },
	{ "--data-timeout", "BADSMTP_DATA_TIMEOUT", OPT_SECONDS, offsetof(struct config, data_timeout) },
	{ NULL, "BADSMTP_TIME_SCALE", OPT_SCALE, offsetof(struct config, time_scale) },
	{ NULL, "BADSMTP_GREETING_DELAY_PORT_START", OPT_BASE,
	  offsetof(struct config, bases.greeting_delay) },
	{ NULL, "BADSMTP_COMMAND_DELAY_PORT_START", OPT_BASE,
	  offsetof(struct config, bases.command_delay) },
	{ NULL, "BADSMTP_DROP_DELAY_PORT_START", OPT_BASE, offsetof(struct config, bases.drop) },
};

static const char usage[] =
	"Usage: badsmtp-session [OPTION]...\n"
	"Serve one SMTP session on stdin/stdout that misbehaves on request (a test server).\n"
	"Run it from a socket launcher (systemd Accept=yes, inetd, systemd-socket-activate\n"
	"--inetd) or on a pipe:  printf 'EHLO x\\r\\nQUIT\\r\\n' | badsmtp-session\n"
	"\n"
	"  --profile NAME       force a profile: plain, starttls-required, smtps,\n"
	"                       greeting-delay-N, command-delay-N, drop-N   [BADSMTP_PROFILE]\n"
	"  --port N             act as if connected to local port N          [BADSMTP_PORT]\n"
	"  --hostname NAME      our name (default badsmtp.test)              [BADSMTP_HOSTNAME]\n"
	"  --maildir DIR        store accepted messages in this Maildir      [BADSMTP_MAILDIR]\n"
	"  --tls-cert FILE      PEM certificate chain (default: generated)   [BADSMTP_TLS_CERT]\n"
	"  --tls-key FILE       PEM private key                              [BADSMTP_TLS_KEY]\n"
	"  --cert-cache DIR     where generated certificates are kept        [BADSMTP_CERT_CACHE]\n"
	"  --log-format F       json (default) or text                       [BADSMTP_LOG_FORMAT]\n"
	"  --log-level L        debug, info (default), warn or error         [BADSMTP_LOG_LEVEL]\n"
	"  --log-target T       auto (default), stderr, journal, syslog or file:PATH\n"
	"                                                                    [BADSMTP_LOG_TARGET]\n"
	"  --timeout S          idle seconds allowed for a command (300)     [BADSMTP_TIMEOUT]\n"
	"  --data-timeout S     idle seconds allowed inside a body (180)     [BADSMTP_DATA_TIMEOUT]\n"
	"  --help, --version    print this or the version, and exit\n"
	"\n"
	"BADSMTP_TIME_SCALE multiplies every delay and timeout (tests use 0.01).\n"
	"BADSMTP_{GREETING_DELAY,COMMAND_DELAY,DROP_DELAY}_PORT_START move the port families.\n"
	"Exit status: 0 client ended, 1 server ended, 100 usage error, 111 system failure.\n"
	"See badsmtp-session(8) for triggers, EHLO keywords and profiles.\n";

static int parse_number(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (*s == '\0' || *end != '\0' || errno != 0 || !isfinite(v) || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int valid_hostname(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 253)
		return 0;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '.'))
			return 0;
	return 1;
}

/* The error stays one line whatever the value holds (SPEC §1): controls become '?'. */
static void append_printable(char *err, size_t errlen, const char *text)
{
	size_t n = strlen(err);

	for (; *text != '\0' && n + 1 < errlen; text++)
		err[n++] = (unsigned char)*text < 0x20 || *text == 0x7F ? '?' : *text;
	err[n] = '\0';
}

static int set_option(struct config *c, const struct option *o, const char *value, char *err,
                      size_t errlen)
{
	void *field = (char *)c + o->offset;
	const char *name = o->flag ? o->flag : o->env;
	double v;
	struct profile unused;

	switch (o->kind) {
	case OPT_STRING:
		if (*value == '\0')
			goto bad;
		*(const char **)field = value;
		return 0;
	case OPT_HOSTNAME:
		if (!valid_hostname(value))
			goto bad;
		*(const char **)field = value;
		return 0;
	case OPT_PROFILE:
		if (profile_from_name(value, &unused) != 0)
			goto bad;
		*(const char **)field = value;
		return 0;
	case OPT_PORT:
	case OPT_BASE:
		if (parse_number(value, 1, 65535, &v) != 0 || v != (int)v)
			goto bad;
		*(int *)field = (int)v;
		return 0;
	case OPT_SECONDS:
		if (parse_number(value, 0.001, 86400 * 365, &v) != 0)
			goto bad;
		*(double *)field = v;
		return 0;
	case OPT_SCALE:
		if (parse_number(value, 0, 1000, &v) != 0)
			goto bad;
		*(double *)field = v;
		return 0;
	case OPT_FORMAT:
		if (strcmp(value, "json") != 0 && strcmp(value, "text") != 0)
			goto bad;
		*(enum log_format *)field = value[0] == 'j' ? LOG_FORMAT_JSON : LOG_FORMAT_TEXT;
		return 0;
	case OPT_LEVEL: {
		static const char *const levels[] = { "debug", "info", "warn", "error" };

		for (int i = 0; i < 4; i++) {
			if (strcmp(value, levels[i]) == 0) {
				*(enum log_level *)field = (enum log_level)i;
				return 0;
			}
		}
		goto bad;
	}
	}
bad:
	snprintf(err, errlen, "%s: invalid value '", name);
	append_printable(err, errlen, value);
	append_printable(err, errlen, "' (see --help)");
	return -1;
}

enum config_result config_load(struct config *c, int argc, char **argv, char *err,
                               size_t errlen)
{
	*c = (struct config){
		.port = -1, .hostname = "badsmtp.test", .log_target = "auto",
		.log_format = LOG_FORMAT_JSON, .log_level = LOG_LEVEL_INFO,
		.timeout = 300, .data_timeout = 180, .time_scale = 1, .bases = PORT_BASES_DEFAULT,
	};
	for (size_t i = 0; i < sizeof options / sizeof options[0]; i++) {
		const char *value = getenv(options[i].env);

		if (value != NULL && set_option(c, &options[i], value, err, errlen) != 0)
			return CONFIG_ERROR;
	}
	for (int a = 1; a < argc; a++) {
		const char *arg = argv[a], *eq = strchr(arg, '=');
		size_t name_len = eq ? (size_t)(eq - arg) : strlen(arg);
		const struct option *o = NULL;

		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			fputs(usage, stdout);
			return CONFIG_DONE;
		}
		if (strcmp(arg, "--version") == 0) {
			puts("badsmtp-session " BADSMTP_VERSION);
			return CONFIG_DONE;
		}
		for (size_t i = 0; i < sizeof options / sizeof options[0]; i++)
			if (options[i].flag && strlen(options[i].flag) == name_len &&
			    strncmp(options[i].flag, arg, name_len) == 0)
				o = &options[i];
		if (o == NULL) {
			snprintf(err, errlen, "unknown option '");
			append_printable(err, errlen, arg);
			append_printable(err, errlen, "' (see --help)");
			return CONFIG_ERROR;
		}
		if (eq == NULL && a + 1 >= argc) {
			snprintf(err, errlen, "%s needs a value (see --help)", o->flag);
			return CONFIG_ERROR;
		}
		if (set_option(c, o, eq ? eq + 1 : argv[++a], err, errlen) != 0)
			return CONFIG_ERROR;
	}
	if ((c->tls_cert == NULL) != (c->tls_key == NULL)) {
		snprintf(err, errlen, "--tls-cert and --tls-key go together");
		return CONFIG_ERROR;
	}
	if (profile_check_bases(&c->bases, err, errlen) != 0)
		return CONFIG_ERROR;
	return CONFIG_RUN;
}

const char *config_cert_cache(const struct config *c, char *buf, size_t cap)
{
	const char *cache = getenv("CACHE_DIRECTORY"), *xdg = getenv("XDG_CACHE_HOME");

	if (c->cert_cache != NULL)
		snprintf(buf, cap, "%s", c->cert_cache);
	else if (cache != NULL && *cache != '\0')
		snprintf(buf, cap, "%.*s", (int)strcspn(cache, ":"), cache);  /* a colon-joined list */
	else if (xdg != NULL && *xdg != '\0')
		snprintf(buf, cap, "%s/badsmtp", xdg);
	else
		snprintf(buf, cap, "/tmp/badsmtp-%u", (unsigned)getuid());
	return buf;
}
