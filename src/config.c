/* config: one table of options, each a flag with an environment twin, a parser and its help;
 * --help is rendered from it and --list-profiles from profile.c's table. No config file of our
 * own: systemd passes Environment=, inetd passes arguments. */
#include "config.h"

#include "buf.h"
#include "text.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROXY_FROM_DEFAULT "127.0.0.0/8,::1/128"
#define MAX_SESSIONS_LIMIT 1000000

#ifndef BADSMTP_VERSION
#define BADSMTP_VERSION "1.0.0"
#endif

enum kind { OPT_STRING, OPT_PORT, OPT_SECONDS, OPT_SCALE, OPT_HOSTNAME, OPT_PROFILE,
            OPT_FORMAT, OPT_LEVEL, OPT_BASE, OPT_COUNT, OPT_IDLE, OPT_SWITCH, OPT_CIDRS };

/* The options, and --help: each row's help, and its default as config_defaults sets it (or
 * .unset when the field starts empty), so the usage cannot drift from what is parsed. */
static const struct option {
	const char *flag;   /* NULL: environment only */
	const char *env;
	const char *value;  /* the value's name in --help; NULL for a switch, which takes none */
	const char *help;
	const char *unset;  /* the default in --help when the field starts unset */
	enum kind kind;
	size_t offset;
	enum profile_family family;   /* OPT_BASE: whose base; its variable is profile.c's */
} options[] = {
	{ .flag = "--profile", .env = "BADSMTP_PROFILE", .value = "NAME", .kind = OPT_PROFILE,
	  .offset = offsetof(struct config, profile),
	  .help = "force a profile: one that --list-profiles prints, or its family with another "
	          "delay (drop-45)",
	  .unset = "from the port" },
	{ .flag = "--port", .env = "BADSMTP_PORT", .value = "N", .kind = OPT_PORT,
	  .offset = offsetof(struct config, port),
	  .help = "act as if connected to local port N: its profile applies",
	  .unset = "the socket's local port" },
	{ .flag = "--hostname", .env = "BADSMTP_HOSTNAME", .value = "NAME", .kind = OPT_HOSTNAME,
	  .offset = offsetof(struct config, hostname),
	  .help = "our name in the greeting, EHLO, Received: and certificates" },
	{ .flag = "--maildir", .env = "BADSMTP_MAILDIR", .value = "DIR", .kind = OPT_STRING,
	  .offset = offsetof(struct config, maildir),
	  .help = "store accepted messages in this Maildir", .unset = "none, storage off" },
	{ .flag = "--tls-cert", .env = "BADSMTP_TLS_CERT", .value = "FILE", .kind = OPT_STRING,
	  .offset = offsetof(struct config, tls_cert),
	  .help = "PEM certificate chain, with --tls-key", .unset = "generated" },
	{ .flag = "--tls-key", .env = "BADSMTP_TLS_KEY", .value = "FILE", .kind = OPT_STRING,
	  .offset = offsetof(struct config, tls_key),
	  .help = "PEM private key, with --tls-cert", .unset = "generated" },
	{ .flag = "--cert-cache", .env = "BADSMTP_CERT_CACHE", .value = "DIR", .kind = OPT_STRING,
	  .offset = offsetof(struct config, cert_cache),
	  .help = "where generated certificates are kept",
	  .unset = "$CACHE_DIRECTORY, else $XDG_CACHE_HOME/badsmtp, else /tmp/badsmtp-UID" },
	{ .flag = "--state-dir", .env = "BADSMTP_STATE_DIR", .value = "DIR", .kind = OPT_STRING,
	  .offset = offsetof(struct config, state_dir),
	  .help = "where fail-N counts and greylisting are kept, shared by every session",
	  .unset = "$STATE_DIRECTORY, else $XDG_STATE_HOME/badsmtp, else /tmp/badsmtp-UID/state" },
	{ .flag = "--log-format", .env = "BADSMTP_LOG_FORMAT", .value = "FORMAT",
	  .kind = OPT_FORMAT, .offset = offsetof(struct config, log_format),
	  .help = "the form of a log line" },
	{ .flag = "--log-level", .env = "BADSMTP_LOG_LEVEL", .value = "LEVEL", .kind = OPT_LEVEL,
	  .offset = offsetof(struct config, log_level), .help = "the lowest level logged" },
	{ .flag = "--log-target", .env = "BADSMTP_LOG_TARGET", .value = "TARGET",
	  .kind = OPT_STRING, .offset = offsetof(struct config, log_target),
	  .help = "auto, stderr, journal, syslog or file:PATH" },
	{ .flag = "--timeout", .env = "BADSMTP_TIMEOUT", .value = "SECONDS", .kind = OPT_SECONDS,
	  .offset = offsetof(struct config, timeout),
	  .help = "idle time allowed while waiting for a command" },
	{ .flag = "--data-timeout", .env = "BADSMTP_DATA_TIMEOUT", .value = "SECONDS",
	  .kind = OPT_SECONDS, .offset = offsetof(struct config, data_timeout),
	  .help = "idle time allowed inside a DATA or BDAT body" },
	{ .flag = "--max-sessions", .env = "BADSMTP_MAX_SESSIONS", .value = "N", .kind = OPT_COUNT,
	  .offset = offsetof(struct config, max_sessions),
	  .help = "wait mode (listening sockets): sessions at once; past it a connection gets "
	          "421 4.3.2 and is closed" },
	{ .flag = "--idle-exit", .env = "BADSMTP_IDLE_EXIT", .value = "SECONDS", .kind = OPT_IDLE,
	  .offset = offsetof(struct config, idle_exit),
	  .help = "wait mode: exit after this long with no session and no connection (0: never)" },
	{ .flag = "--proxy-protocol", .env = "BADSMTP_PROXY_PROTOCOL", .kind = OPT_SWITCH,
	  .offset = offsetof(struct config, proxy_protocol),
	  .help = "every connection starts with a PROXY protocol v1 or v2 header, whose client "
	          "address is logged (the variable: 1 or 0)" },
	{ .flag = "--proxy-from", .env = "BADSMTP_PROXY_FROM", .value = "CIDR,...", .kind = OPT_CIDRS,
	  .offset = offsetof(struct config, proxy_from),
	  .help = "the peers whose PROXY header is believed; any other is refused" },
	{ .env = "BADSMTP_TIME_SCALE", .kind = OPT_SCALE,
	  .offset = offsetof(struct config, time_scale),
	  .help = "multiplies every delay and timeout (tests use 0.01)" },
	{ .family = PROFILE_FAMILY_GREETING_DELAY, .kind = OPT_BASE,
	  .offset = offsetof(struct config, bases.base[PROFILE_FAMILY_GREETING_DELAY]),
	  .help = "the first of the ten greeting-delay ports" },
	{ .family = PROFILE_FAMILY_COMMAND_DELAY, .kind = OPT_BASE,
	  .offset = offsetof(struct config, bases.base[PROFILE_FAMILY_COMMAND_DELAY]),
	  .help = "the first of the ten command-delay ports" },
	{ .family = PROFILE_FAMILY_DROP, .kind = OPT_BASE,
	  .offset = offsetof(struct config, bases.base[PROFILE_FAMILY_DROP]),
	  .help = "the first of the ten drop ports" },
	{ .family = PROFILE_FAMILY_TLS_FAULT, .kind = OPT_BASE,
	  .offset = offsetof(struct config, bases.base[PROFILE_FAMILY_TLS_FAULT]),
	  .help = "the first of the eighteen tls- ports (implicit TLS with a TLS fault)" },
	{ .family = PROFILE_FAMILY_GREETING_FAULT, .kind = OPT_BASE,
	  .offset = offsetof(struct config, bases.base[PROFILE_FAMILY_GREETING_FAULT]),
	  .help = "the first of the five greeting-fault ports" },
};

/* Flags that print something and end the process instead of setting an option. */
enum action { ACTION_HELP, ACTION_VERSION, ACTION_LIST_PROFILES, ACTION_PRINT_CA };

static const struct {
	const char *flag, *alias;
	const char *help;
} actions[] = {
	[ACTION_HELP] = { .flag = "--help", .alias = "-h", .help = "print this help and exit" },
	[ACTION_VERSION] = { .flag = "--version", .help = "print the version and exit" },
	[ACTION_LIST_PROFILES] = {
		.flag = "--list-profiles",
		.help = "print the port table (port, profile, behaviour) and exit; the "
		        "BADSMTP_*_PORT_START variables move it",
	},
	[ACTION_PRINT_CA] = {
		.flag = "--print-ca",
		.help = "print the test CA's certificate (PEM), which signs the certificates of the "
		        "TLS faults, and exit; it is made in the cert cache when missing",
	},
};

static const char *const format_names[] = {
	[LOG_FORMAT_JSON] = "json", [LOG_FORMAT_TEXT] = "text",
};
static const char *const level_names[] = {
	[LOG_LEVEL_DEBUG] = "debug", [LOG_LEVEL_INFO] = "info", [LOG_LEVEL_WARN] = "warn",
	[LOG_LEVEL_ERROR] = "error",
};

static struct config config_defaults(void)
{
	struct config c = {
		.port = -1, .hostname = "badsmtp.test", .log_target = "auto",
		.log_format = LOG_FORMAT_JSON, .log_level = LOG_LEVEL_INFO,
		.timeout = 300, .data_timeout = 180, .time_scale = 1, .bases = profile_default_bases(),
		.max_sessions = 512, .proxy_from = PROXY_FROM_DEFAULT,
	};

	(void)proxy_parse_trust(c.proxy_from, &c.proxy_trust);   /* a constant that parses */
	return c;
}

/* The names of a kind's values, indexed by the value; NULL for kinds that take free text. */
static const char *const *value_names(enum kind k, size_t *n)
{
	switch (k) {
	case OPT_FORMAT:
		*n = sizeof format_names / sizeof format_names[0];
		return format_names;
	case OPT_LEVEL:
		*n = sizeof level_names / sizeof level_names[0];
		return level_names;
	default:
		*n = 0;
		return NULL;
	}
}

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

/* Ends the error begun in err with the value it quotes, kept on one line whatever it holds
 * (SPEC §1). */
static void end_quoting(char *err, size_t errlen, const char *value)
{
	size_t used = strlen(err);
	struct buf b;

	buf_init(&b, err + used, errlen - used);
	buf_add_printable(&b, value);
	buf_adds(&b, "' (see --help)");
}

/* An option's environment twin: its own, or, for a port base, profile.c's name for it. */
static const char *env_of(const struct option *o)
{
	return o->kind == OPT_BASE ? profile_family_env(o->family) : o->env;
}

/* name: where value came from, the flag or the variable, for the error. */
static int set_option(struct config *c, const struct option *o, const char *name,
                      const char *value, char *err, size_t errlen)
{
	void *field = (char *)c + o->offset;
	double v;
	struct profile unused;

	switch (o->kind) {
	case OPT_STRING:
		if (*value == '\0')
			goto bad;
		*(const char **)field = value;
		return 0;
	case OPT_HOSTNAME:
		/* it goes into replies, headers and certificates: a DNS name (RFC 1123 §2.1) */
		if (!text_dns_name(value, strlen(value), 253, 0))
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
	case OPT_IDLE:
		if (parse_number(value, 0, o->kind == OPT_SCALE ? 1000 : 86400 * 365, &v) != 0)
			goto bad;
		*(double *)field = v;
		return 0;
	case OPT_COUNT:
		if (parse_number(value, 1, MAX_SESSIONS_LIMIT, &v) != 0 || v != (int)v)
			goto bad;
		*(int *)field = (int)v;
		return 0;
	case OPT_SWITCH:
		if (strcmp(value, "0") != 0 && strcmp(value, "1") != 0)
			goto bad;
		*(int *)field = value[0] == '1';
		return 0;
	case OPT_CIDRS:
		if (proxy_parse_trust(value, &c->proxy_trust) != 0)
			goto bad;
		*(const char **)field = value;
		return 0;
	case OPT_FORMAT:
	case OPT_LEVEL: {
		size_t n, i = 0;
		const char *const *names = value_names(o->kind, &n);

		while (i < n && strcmp(value, names[i]) != 0)
			i++;
		if (i == n)
			goto bad;
		if (o->kind == OPT_FORMAT)
			*(enum log_format *)field = (enum log_format)i;
		else
			*(enum log_level *)field = (enum log_level)i;
		return 0;
	}
	}
bad:
	snprintf(err, errlen, "%s: invalid value '", name);
	end_quoting(err, errlen, value);
	return -1;
}

/* The default of o as --help shows it: the value config_defaults gives the field. */
static int default_text(const struct option *o, const struct config *d, char *buf, size_t cap)
{
	const void *field = (const char *)d + o->offset;
	const char *unset = o->unset != NULL ? o->unset : "none";
	int n = -1;

	switch (o->kind) {
	case OPT_STRING:
	case OPT_HOSTNAME:
	case OPT_PROFILE:
	case OPT_CIDRS: {
		const char *v = *(const char *const *)field;

		n = snprintf(buf, cap, "%s", v != NULL ? v : unset);
		break;
	}
	case OPT_PORT:
	case OPT_BASE:
	case OPT_COUNT: {
		int v = *(const int *)field;

		n = v > 0 ? snprintf(buf, cap, "%d", v) : snprintf(buf, cap, "%s", unset);
		break;
	}
	case OPT_SWITCH:
		n = snprintf(buf, cap, "%s", *(const int *)field ? "on" : "off");
		break;
	case OPT_SECONDS:
	case OPT_SCALE:
	case OPT_IDLE:
		n = snprintf(buf, cap, "%g", *(const double *)field);
		break;
	case OPT_FORMAT:
		n = snprintf(buf, cap, "%s", format_names[*(const enum log_format *)field]);
		break;
	case OPT_LEVEL:
		n = snprintf(buf, cap, "%s", level_names[*(const enum log_level *)field]);
		break;
	}
	return n >= 0 && (size_t)n < cap ? 0 : -1;
}

/* ": json, text" for a kind with named values, "" for the others. */
static int choices_text(enum kind k, char *buf, size_t cap)
{
	size_t n, used = 0;
	const char *const *names = value_names(k, &n);

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(buf + used, cap - used, "%s%s", i == 0 ? ": " : ", ", names[i]);

		if (w < 0 || (size_t)w >= cap - used)
			return -1;
		used += (size_t)w;
	}
	return 0;
}

enum { HELP_COLUMN = 26, HELP_WIDTH = 79 };

/* One --help entry: up to two cells of the left column (a flag and its environment twin), the
 * text in the right one, wrapped at spaces. -1 when a write failed: stdout keeps the error,
 * which main's fflush reports. */
static int print_entry(const char *const cells[2], const char *text)
{
	for (size_t line = 0;; line++) {
		const char *cell = line < 2 ? cells[line] : NULL;
		int col;

		if (cell == NULL && *text == '\0')
			return 0;
		col = printf("  %s", cell != NULL ? cell : "");
		if (col < 0)
			return -1;
		/* a long name has a line to itself */
		if (col >= HELP_COLUMN - 1 && *text != '\0') {
			if (putchar('\n') == EOF)
				return -1;
			col = 0;
		}
		if (*text != '\0' && printf("%*s", HELP_COLUMN - col, "") < 0)
			return -1;
		for (col = HELP_COLUMN; *text != '\0';) {
			int word = (int)strcspn(text, " "), w;

			if (col > HELP_COLUMN && col + 1 + word > HELP_WIDTH)
				break;
			w = printf("%s%.*s", col > HELP_COLUMN ? " " : "", word, text);
			if (w < 0)
				return -1;
			col += w;
			text += word;
			text += strspn(text, " ");
		}
		if (putchar('\n') == EOF)
			return -1;
	}
}

/* The options with a flag (the twin under it), or those of the environment only. */
static int print_options(int env_only)
{
	const struct config d = config_defaults();
	char flag[64], twin[64], def[128], choices[128], text[400];

	for (size_t i = 0; i < sizeof options / sizeof options[0]; i++) {
		const struct option *o = &options[i];
		const char *cells[2] = { env_of(o), NULL };
		int n = 0, t = 0, m;

		if ((o->flag == NULL) != env_only)
			continue;
		if (default_text(o, &d, def, sizeof def) != 0 ||
		    choices_text(o->kind, choices, sizeof choices) != 0)
			return -1;
		if (o->flag != NULL) {
			n = snprintf(flag, sizeof flag, "%s%s%s", o->flag, o->value ? " " : "",
			             o->value ? o->value : "");
			t = snprintf(twin, sizeof twin, "  %s", o->env);   /* under the flag */
			cells[0] = flag;
			cells[1] = twin;
		}
		m = snprintf(text, sizeof text, "%s%s; default: %s", o->help, choices, def);
		if (n < 0 || (size_t)n >= sizeof flag || t < 0 || (size_t)t >= sizeof twin ||
		    m < 0 || (size_t)m >= sizeof text || print_entry(cells, text) != 0)
			return -1;
	}
	return 0;
}

static int print_usage(void)
{
	char name[64];

	if (fputs("Usage: badsmtp-session [OPTION]...\n"
	          "Serve one SMTP session on stdin/stdout that misbehaves on request: a test\n"
	          "server. Run it from a socket launcher (systemd Accept=yes, inetd,\n"
	          "systemd-socket-activate --inetd) or on a pipe:\n"
	          "  printf 'EHLO x\\r\\nQUIT\\r\\n' | badsmtp-session\n"
	          "Handed listening sockets instead (systemd Accept=no, inetd wait,\n"
	          "systemd-socket-activate without -a), it accepts on all of them and forks\n"
	          "one such session per connection.\n"
	          "\n"
	          "Options; under each flag its environment twin (the flag wins):\n",
	          stdout) == EOF || print_options(0) != 0)
		return -1;
	for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++) {
		const char *cells[2] = { name, NULL };
		int n = actions[i].alias != NULL
		        ? snprintf(name, sizeof name, "%s, %s", actions[i].flag, actions[i].alias)
		        : snprintf(name, sizeof name, "%s", actions[i].flag);

		if (n < 0 || (size_t)n >= sizeof name || print_entry(cells, actions[i].help) != 0)
			return -1;
	}
	if (fputs("\nEnvironment only:\n", stdout) == EOF || print_options(1) != 0)
		return -1;
	return fputs("\nExit status: 0 the client ended the session, 1 the server did, 100 usage\n"
	             "error, 111 temporary system failure.\n"
	             "See badsmtp-session(8) for triggers, EHLO keywords and profiles.\n",
	             stdout) == EOF ? -1 : 0;
}

/* The port table of profile.c under the bases in force, one "port profile behaviour" a line. */
static int print_profiles(const struct port_bases *b)
{
	char does[128];
	struct profile p;
	int port;

	if (printf("%-6s %-20s %s\n", "port", "profile", "behaviour") < 0)
		return -1;
	for (size_t i = 0; (port = profile_table_port(i, b)) > 0; i++) {
		profile_for_port(port, b, &p);
		if (profile_describe(&p, does, sizeof does) != 0 ||
		    printf("%-6d %-20s %s\n", port, p.name, does) < 0)
			return -1;
	}
	return 0;
}

/* The action arg names, or -1. */
static int find_action(const char *arg)
{
	for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
		if (strcmp(arg, actions[i].flag) == 0 ||
		    (actions[i].alias != NULL && strcmp(arg, actions[i].alias) == 0))
			return (int)i;
	return -1;
}

/* A failed write to stdout is not ours to report here: stdout keeps the error and main's
 * fflush turns it into exit 111. */
static enum config_result run_action(enum action a, const struct config *c, char *err,
                                     size_t errlen)
{
	switch (a) {
	case ACTION_HELP:
		(void)print_usage();
		break;
	case ACTION_VERSION:
		(void)puts("badsmtp-session " BADSMTP_VERSION);
		break;
	case ACTION_LIST_PROFILES:
		if (profile_check_bases(&c->bases, err, errlen) != 0)
			return CONFIG_ERROR;
		(void)print_profiles(&c->bases);
		break;
	case ACTION_PRINT_CA:
		break;   /* not here: config_load returns it once every option is read */
	}
	return CONFIG_DONE;
}

enum config_result config_load(struct config *c, int argc, char **argv, char *err,
                               size_t errlen)
{
	int print_ca = 0;

	*c = config_defaults();
	for (size_t i = 0; i < sizeof options / sizeof options[0]; i++) {
		const char *value = getenv(env_of(&options[i]));

		if (value != NULL &&
		    set_option(c, &options[i], env_of(&options[i]), value, err, errlen) != 0)
			return CONFIG_ERROR;
	}
	for (int a = 1; a < argc; a++) {
		const char *arg = argv[a], *eq = strchr(arg, '=');
		size_t name_len = eq ? (size_t)(eq - arg) : strlen(arg);
		const struct option *o = NULL;
		int action = find_action(arg);

		if (action == ACTION_PRINT_CA) {
			print_ca = 1;   /* it uses the options around it: --cert-cache */
			continue;
		}
		if (action >= 0)
			return run_action((enum action)action, c, err, errlen);
		for (size_t i = 0; i < sizeof options / sizeof options[0]; i++)
			if (options[i].flag && strlen(options[i].flag) == name_len &&
			    strncmp(options[i].flag, arg, name_len) == 0)
				o = &options[i];
		if (o == NULL) {
			snprintf(err, errlen, "unknown option '");
			end_quoting(err, errlen, arg);
			return CONFIG_ERROR;
		}
		if (o->value == NULL && eq == NULL) {
			*(int *)((char *)c + o->offset) = 1;   /* a switch given alone: on */
			continue;
		}
		if (eq == NULL && a + 1 >= argc) {
			snprintf(err, errlen, "%s needs a value (see --help)", o->flag);
			return CONFIG_ERROR;
		}
		if (set_option(c, o, o->flag, eq ? eq + 1 : argv[++a], err, errlen) != 0)
			return CONFIG_ERROR;
	}
	if ((c->tls_cert == NULL) != (c->tls_key == NULL)) {
		snprintf(err, errlen, "--tls-cert and --tls-key go together");
		return CONFIG_ERROR;
	}
	if (profile_check_bases(&c->bases, err, errlen) != 0)
		return CONFIG_ERROR;
	return print_ca ? CONFIG_PRINT_CA : CONFIG_RUN;
}

/* A directory: the one given, else the first of a systemd directory variable (a colon-joined
 * list when several are named, SPEC §13), else $XDG_..._HOME/badsmtp, else under
 * /tmp/badsmtp-{uid}. "" when it does not fit in cap: a path cut short would be another
 * directory. */
static const char *dir_of(const char *given, const char *systemd, const char *xdg_home,
                          const char *tmp_sub, char *buf, size_t cap)
{
	const char *list = getenv(systemd), *xdg = getenv(xdg_home);
	int n;

	if (given != NULL)
		n = snprintf(buf, cap, "%s", given);
	else if (list != NULL && *list != '\0')
		n = snprintf(buf, cap, "%.*s", (int)strcspn(list, ":"), list);
	else if (xdg != NULL && *xdg != '\0')
		n = snprintf(buf, cap, "%s/badsmtp", xdg);
	else
		n = snprintf(buf, cap, "/tmp/badsmtp-%u%s", (unsigned)getuid(), tmp_sub);
	if (n < 0 || (size_t)n >= cap)
		buf[0] = '\0';
	return buf;
}

int config_port(const struct config *c, int local_port)
{
	return c->port > 0 ? c->port : local_port > 0 ? local_port : 0;
}

const char *config_cert_cache(const struct config *c, char *buf, size_t cap)
{
	return dir_of(c->cert_cache, "CACHE_DIRECTORY", "XDG_CACHE_HOME", "", buf, cap);
}

const char *config_state_dir(const struct config *c, char *buf, size_t cap)
{
	return dir_of(c->state_dir, "STATE_DIRECTORY", "XDG_STATE_HOME", "/state", buf, cap);
}
