/* session: one SMTP conversation, RFC 5321 with the faults of SPEC.md. Each command goes
 * through the same steps: parse → legal in this state? (503) → its own argument checks (501 …)
 * → the trigger's verdict → proceed. Every reply leaves through send_reply, which applies the
 * command delay, queues the bytes (they go out just before we block: RFC 2920) and logs it.
 * Not here: byte buffering (io), reply texts (reply), syntax (command, trigger, ehlo), SASL
 * (auth), TLS (tls, or handoff where this process cannot load GnuTLS), storage (maildir). */
#include "session.h"

#include "auth.h"
#include "clock.h"
#include "command.h"
#include "data.h"
#include "ehlo.h"
#include "io.h"
#include "library.h"
#include "log.h"
#include "maildir.h"
#include "reply.h"
#include "tls.h"
#include "trigger.h"

#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define RCPT_MAX 1000
#define ARGS_LOGGED_MAX 32
#define LINGER_MS 200
#define HANDSHAKE_MAX_SECONDS 30
#define BDAT_CHUNK_MAX 1000000000000ULL
#define DECIMAL_SATURATED 100000000000000000ULL

enum state { ST_GREETING, ST_HELO, ST_MAIL, ST_RCPT, ST_DATA, ST_BDAT };

static const char *const state_names[] = {
	[ST_GREETING] = "GREETING", [ST_HELO] = "HELO", [ST_MAIL] = "MAIL",
	[ST_RCPT] = "RCPT", [ST_DATA] = "DATA", [ST_BDAT] = "BDAT",
};

struct session {
	const struct config *cfg;
	const struct profile *profile;
	int port;                    /* the port the profile came from, for logs; 0 for none */
	enum state state;
	char session_id[24];
	const char *client_ip;
	long long started_ms;

	/* What EHLO/HELO set up; reset by the next one and by STARTTLS. */
	int greeted;                 /* an EHLO or HELO was accepted */
	int extended;                /* ... and it was EHLO */
	struct ehlo_opts opts;
	char helo_name[256];
	int delay_seconds;           /* before every reply: dlay{N} or a command-delay profile */
	int reply_delay_due;         /* input arrived since the last reply */
	int tls_on;
	int authenticated;
	struct trigger armed;        /* from the last accepted MAIL FROM */

	/* The transaction. */
	char sender[ADDRESS_LOCAL_MAX + ADDRESS_DOMAIN_MAX + 2];
	char **rcpts;
	size_t nrcpts;
	int storing;                 /* a Maildir message is open */
	unsigned long long bdat_size;

	int closing;
	int exit_status;
	struct auth auth;

	/* The big buffers come last: session_run clears only what lies before them, so pages a
	 * short session never uses are never touched. */
	struct io io;
	struct maildir_msg msg;
};

static volatile int terminated;

static void on_sigterm(int sig)
{
	(void)sig;
	terminated = 1;
}

/* ---- replies ---------------------------------------------------------------------------- */

static void close_with(struct session *s, int status)
{
	s->closing = 1;
	s->exit_status = status;
}

static void log_reply(const char *text, size_t len, int code)
{
	char response[1024];
	size_t n = 0;

	/* The log shows the reply without CRLFs; a multi-line reply keeps its lines apart. */
	for (size_t i = 0; i < len && n < sizeof response - 1; i++) {
		if (text[i] == '\r')
			continue;
		if (text[i] == '\n' && i + 1 == len)
			break;
		response[n++] = text[i];
	}
	response[n] = '\0';
	if (code >= 400)
		LOG_EVENT(LOG_LEVEL_WARN, "SMTP error response sent", LOG_S("response", response),
		          LOG_N("response_code", code));
	else
		LOG_EVENT(LOG_LEVEL_INFO, "SMTP response sent", LOG_S("response", response),
		          LOG_N("response_code", code));
}

static void send_raw(struct session *s, const char *text, size_t len)
{
	int code = atoi(text);

	io_put(&s->io, text, len);
	log_reply(text, len, code);
	if (code == 421)
		close_with(s, 1);
}

/* SIGTERM: whatever was queued goes first, then this, then we close (SPEC §10). */
static void shut_down(struct session *s)
{
	char buf[128];
	size_t n = reply_render(buf, sizeof buf, REPLY_SHUTDOWN, 0, NULL, 0);

	send_raw(s, buf, n);
}

/* The funnel every reply goes through. */
static void send_reply(struct session *s, const char *text, size_t len)
{
	if (s->closing || len == 0)
		return;
	if (s->reply_delay_due && s->delay_seconds > 0) {
		io_flush(&s->io);
		if (clock_sleep_ms(clock_scaled_ms(s->delay_seconds), &terminated) != 0) {
			shut_down(s);
			return;
		}
	}
	s->reply_delay_due = 0;
	send_raw(s, text, len);
}

static void reply_args(struct session *s, enum reply_id id, const char *const *args, size_t n)
{
	char buf[1200];
	int enhanced = (s->opts.ext & EXT_ENHANCEDSTATUSCODES) != 0;

	send_reply(s, buf, reply_render(buf, sizeof buf, id, enhanced, args, n));
}

static void reply(struct session *s, enum reply_id id)
{
	reply_args(s, id, NULL, 0);
}

static void reply_bad_sequence(struct session *s, enum verb v)
{
	const char *args[] = { command_verb_name(v), state_names[s->state] };

	reply_args(s, REPLY_BAD_SEQUENCE, args, 2);
}

/* The one place a trigger's verdict is carried out: its reply, and a close for 421. */
static void fire(struct session *s, const struct trigger *t)
{
	char buf[256];
	const char *enhanced = s->opts.ext & EXT_ENHANCEDSTATUSCODES ? t->enhanced : NULL;
	char name[64];

	snprintf(name, sizeof name, "%s%d%s%s", trigger_verb_name(t->verb), t->code,
	         t->enhanced[0] ? "_" : "", t->enhanced);
	LOG_EVENT(LOG_LEVEL_WARN, "SMTP error simulation triggered", LOG_N("error_code", t->code),
	          LOG_S("trigger", name), LOG_S("smtp_stage", state_names[s->state]));
	send_reply(s, buf, reply_render_code(buf, sizeof buf, t->code, enhanced,
	                                     reply_trigger_text(t->code)));
}

/* Fires the armed trigger when it is for this verb; 1 when it answered the command. */
static int fire_armed(struct session *s, enum trigger_verb v)
{
	if (s->armed.verb != v)
		return 0;
	fire(s, &s->armed);
	return 1;
}

static void set_state(struct session *s, enum state next)
{
	if (s->state != next && log_enabled(LOG_LEVEL_DEBUG))
		LOG_EVENT(LOG_LEVEL_DEBUG, "SMTP state changed", LOG_S("from", state_names[s->state]),
		          LOG_S("to", state_names[next]));
	s->state = next;
}

static void log_behaviour(struct session *s, const char *behaviour, int delay)
{
	LOG_EVENT(LOG_LEVEL_INFO, "SMTP behaviour triggered", LOG_S("behaviour", behaviour),
	          LOG_N("port", s->port), LOG_N("delay_seconds", delay));
}

/* ---- transaction and session resets ------------------------------------------------------ */

static void clear_transaction(struct session *s)
{
	for (size_t i = 0; i < s->nrcpts; i++)
		free(s->rcpts[i]);
	free(s->rcpts);
	s->rcpts = NULL;
	s->nrcpts = 0;
	s->sender[0] = '\0';
	if (s->storing)
		maildir_abort(&s->msg);
	s->storing = 0;
	set_state(s, s->greeted ? ST_MAIL : ST_HELO);
}

/* What a new EHLO/HELO or STARTTLS forgets (SPEC §4.1, §7). */
static void reset_session(struct session *s)
{
	s->greeted = s->extended = 0;
	s->armed = (struct trigger){ 0 };
	ehlo_parse("", 0, 0, &s->opts);
	s->delay_seconds = s->profile->kind == PROFILE_COMMAND_DELAY ? s->profile->delay_seconds : 0;
	s->helo_name[0] = '\0';
	clear_transaction(s);
}

/* ---- I/O outcomes -------------------------------------------------------------------------- */

static int command_timeout_ms(const struct session *s)
{
	return clock_scaled_ms(s->cfg->timeout);
}

static int data_timeout_ms(const struct session *s)
{
	return clock_scaled_ms(s->cfg->data_timeout);
}

/* A wait that did not bring input ends the session: EOF is the client's doing (exit 0). */
static void end_on_io(struct session *s, enum io_status st)
{
	if (s->storing)
		maildir_abort(&s->msg);
	s->storing = 0;
	s->reply_delay_due = 0;
	switch (st) {
	case IO_TIMEOUT:
		reply(s, REPLY_TIMEOUT);
		break;
	case IO_INTR:
		shut_down(s);
		break;
	case IO_EOF:
		close_with(s, 0);
		break;
	default:
		LOG_EVENT(LOG_LEVEL_ERROR, "SMTP connection failed", LOG_S("error", "transport error"));
		close_with(s, 1);
		break;
	}
}

/* ---- messages ------------------------------------------------------------------------------- */

static void store(void *ctx, const char *p, size_t n)
{
	struct session *s = ctx;

	if (s->storing)
		maildir_write(&s->msg, p, n);
}

static void write_headers(struct session *s)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	char line[1024];
	struct clock_utc t;
	int n;

	clock_utc((long long)time(NULL), &t);
	n = snprintf(line, sizeof line, "Return-Path: <%s>\r\nX-BadSMTP-Rcpt-To: ", s->sender);
	maildir_write(&s->msg, line, (size_t)n < sizeof line ? (size_t)n : 0);
	for (size_t i = 0; i < s->nrcpts; i++) {
		if (i > 0)
			maildir_write(&s->msg, ", ", 2);
		maildir_write(&s->msg, s->rcpts[i], strlen(s->rcpts[i]));
	}
	n = snprintf(line, sizeof line,
	             "\r\nReceived: from %s (%s) by %s with %s%s%s id %s; "
	             "%s, %02d %s %04d %02d:%02d:%02d +0000\r\n",
	             s->helo_name, s->client_ip, s->cfg->hostname, s->extended ? "ESMTP" : "SMTP",
	             s->extended && s->tls_on ? "S" : "", s->extended && s->authenticated ? "A" : "",
	             s->session_id, days[t.weekday], t.day, months[t.month - 1], t.year, t.hour,
	             t.minute, t.second);
	if (n < 0 || (size_t)n >= sizeof line)
		s->msg.failed = 1;
	else
		maildir_write(&s->msg, line, (size_t)n);
}

static void begin_message(struct session *s)
{
	LOG_EVENT(LOG_LEVEL_INFO, "SMTP message processing started", LOG_S("mail_from", s->sender),
	          LOG_V("rcpt_to", (const char *const *)s->rcpts, s->nrcpts),
	          LOG_N("rcpt_count", s->nrcpts));
	if (s->cfg->maildir == NULL)
		return;
	s->storing = 1;
	/* A failed open is remembered in msg.failed: the body is still read, then 452. */
	if (maildir_open(&s->msg, s->cfg->maildir, s->cfg->hostname) == 0)
		write_headers(s);
}

/* The end of a body that was read whole: 552, 452 or 250, and the transaction is over. */
static void finish_message(struct session *s, unsigned long long size, unsigned long long limit)
{
	char max[32];

	if (size > limit) {
		const char *args[] = { max };

		snprintf(max, sizeof max, "%llu", limit);
		clear_transaction(s);
		reply_args(s, REPLY_SIZE_EXCEEDED, args, 1);
		return;
	}
	if (s->storing) {
		s->storing = 0;
		if (maildir_commit(&s->msg) != 0) {
			LOG_EVENT(LOG_LEVEL_ERROR, "SMTP message storage failed",
			          LOG_S("maildir", s->cfg->maildir));
			clear_transaction(s);
			reply(s, REPLY_STORAGE);
			return;
		}
		LOG_EVENT(LOG_LEVEL_INFO, "SMTP message stored successfully",
		          LOG_S("mail_from", s->sender),
		          LOG_V("rcpt_to", (const char *const *)s->rcpts, s->nrcpts),
		          LOG_N("message_size", size), LOG_S("path", s->msg.new_path));
	}
	clear_transaction(s);
	reply(s, REPLY_MESSAGE_ACCEPTED);
}

/* ---- command handlers ------------------------------------------------------------------------ */

/* The leading decimal digits of p[0..n) (the command line is not NUL-terminated), saturating
 * far above any size we accept; returns how many digits there were. */
static size_t decimal(const char *p, size_t n, unsigned long long *value)
{
	size_t i = 0;

	*value = 0;
	for (; i < n && p[i] >= '0' && p[i] <= '9'; i++)
		*value = *value > DECIMAL_SATURATED ? *value : *value * 10 + (unsigned)(p[i] - '0');
	return i;
}

static int no_argument(struct session *s, const struct command *c)
{
	if (c->arg_len == 0)
		return 1;
	reply(s, REPLY_SYNTAX);
	return 0;
}

/* A control octet other than TAB (a bare CR above all): client text that we echo in a reply
 * or store in a header must not carry one (RFC 5321 §4.2: reply text is printable). */
static int has_control(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)p[i] < 0x20 && p[i] != '\t') || p[i] == 0x7F)
			return 1;
	return 0;
}

static void do_ehlo_or_helo(struct session *s, const struct command *c)
{
	int helo = c->verb == VERB_HELO;
	struct ehlo_opts opts;
	int code;

	if (c->arg_len == 0 || has_control(c->arg, c->arg_len)) {
		reply(s, REPLY_SYNTAX);
		return;
	}
	ehlo_parse(c->arg, c->arg_len, helo, &opts);
	code = trigger_parse_helo(c->arg, c->arg_len);
	reset_session(s);
	if (opts.delay_seconds > 0) {
		s->delay_seconds = opts.delay_seconds;
		log_behaviour(s, "command_delay", opts.delay_seconds);
	}
	/* A refused greeting leaves the client where it was before any: HELO state. */
	if (code != 0) {
		char buf[256];

		LOG_EVENT(LOG_LEVEL_WARN, "SMTP error simulation triggered", LOG_N("error_code", code),
		          LOG_S("trigger", helo ? "helo" : "ehlo"),
		          LOG_S("smtp_stage", state_names[s->state]));
		send_reply(s, buf, reply_render_code(buf, sizeof buf, code, NULL,
		                                     reply_trigger_text(code)));
		return;
	}
	if (!helo && opts.reject) {
		reply(s, REPLY_NOT_IMPLEMENTED);
		return;
	}
	s->opts = opts;
	s->greeted = 1;
	s->extended = !helo;
	snprintf(s->helo_name, sizeof s->helo_name, "%.*s", (int)c->arg_len, c->arg);
	set_state(s, ST_MAIL);
	if (helo) {
		const char *args[] = { s->cfg->hostname };

		reply_args(s, REPLY_HELO_OK, args, 1);
	} else {
		char buf[1024];

		send_reply(s, buf, ehlo_render(&s->opts, s->cfg->hostname, s->tls_on, buf, sizeof buf));
	}
}

/* 1 when the address may be used; otherwise the reply was sent. */
static int address_allowed(struct session *s, const struct address *a)
{
	if (a->non_ascii && !(s->opts.ext & EXT_SMTPUTF8)) {
		reply(s, REPLY_NON_ASCII);
		return 0;
	}
	return 1;
}

static int param_is(const struct param *p, const char *key)
{
	return strlen(key) == p->key_len && strncasecmp(p->key, key, p->key_len) == 0;
}

static int value_is(const struct param *p, const char *value)
{
	return p->value && strlen(value) == p->value_len && strncasecmp(p->value, value, p->value_len) == 0;
}

/* MAIL FROM parameters (SPEC §2): each belongs to an extension that must be on. 1 when all are
 * acceptable; otherwise the reply was sent. */
static int mail_params_ok(struct session *s, const struct path *path)
{
	for (size_t i = 0; i < path->nparams; i++) {
		const struct param *p = &path->params[i];
		unsigned ext = param_is(p, "SIZE") ? EXT_SIZE : param_is(p, "BODY") ? EXT_8BITMIME
		             : param_is(p, "SMTPUTF8") ? EXT_SMTPUTF8 : param_is(p, "AUTH") ? EXT_AUTH : 0;

		if (ext == 0 || !(s->opts.ext & ext)) {
			reply(s, REPLY_PARAMS);
			return 0;
		}
		if (ext == EXT_SIZE) {
			unsigned long long size;
			char max[32];
			const char *args[] = { max };

			if (p->value == NULL || decimal(p->value, p->value_len, &size) != p->value_len) {
				reply(s, REPLY_SYNTAX);
				return 0;
			}
			if (size > (unsigned long long)s->opts.size_limit) {
				snprintf(max, sizeof max, "%ld", s->opts.size_limit);
				reply_args(s, REPLY_SIZE_EXCEEDED, args, 1);
				return 0;
			}
		} else if ((ext == EXT_8BITMIME && !value_is(p, "7BIT") && !value_is(p, "8BITMIME")) ||
		           (ext == EXT_SMTPUTF8 && p->value != NULL) ||
		           (ext == EXT_AUTH && p->value == NULL)) {
			reply(s, REPLY_SYNTAX);
			return 0;
		}
	}
	return 1;
}

static int starttls_required(struct session *s)
{
	if (s->profile->kind != PROFILE_STARTTLS_REQUIRED || s->tls_on)
		return 0;
	reply(s, REPLY_STARTTLS_FIRST);
	return 1;
}

static void format_address(const struct address *a, char *out, size_t cap)
{
	if (a->is_null)
		snprintf(out, cap, "%s", "");
	else if (a->domain[0] == '\0')
		snprintf(out, cap, "%s", a->local);
	else
		snprintf(out, cap, "%s@%s", a->local, a->domain);
}

static void do_mail(struct session *s, const struct command *c)
{
	struct path path;
	struct trigger t;

	if (starttls_required(s))
		return;
	if (command_parse_path(PATH_MAIL, c->arg, c->arg_len, &path) != 0) {
		reply(s, REPLY_SYNTAX);
		return;
	}
	if (!address_allowed(s, &path.addr) || !mail_params_ok(s, &path))
		return;
	trigger_parse(path.addr.local, strlen(path.addr.local), &t);
	if (t.verb == TRIGGER_MAIL) {
		fire(s, &t);
		return;
	}
	s->armed = t.verb == TRIGGER_RCPT ? (struct trigger){ 0 } : t;
	format_address(&path.addr, s->sender, sizeof s->sender);
	set_state(s, ST_RCPT);
	reply(s, REPLY_OK);
}

static void do_rcpt(struct session *s, const struct command *c)
{
	char addr[sizeof s->sender];
	struct path path;
	struct trigger t;
	char **grown;

	if (command_parse_path(PATH_RCPT, c->arg, c->arg_len, &path) != 0) {
		reply(s, REPLY_SYNTAX);
		return;
	}
	if (!address_allowed(s, &path.addr))
		return;
	if (path.nparams > 0) {
		reply(s, REPLY_PARAMS);
		return;
	}
	if (s->nrcpts >= RCPT_MAX) {
		reply(s, REPLY_TOO_MANY_RCPTS);
		return;
	}
	if (trigger_parse(path.addr.local, strlen(path.addr.local), &t) && t.verb == TRIGGER_RCPT) {
		fire(s, &t);
		return;
	}
	format_address(&path.addr, addr, sizeof addr);
	grown = realloc(s->rcpts, (s->nrcpts + 1) * sizeof *s->rcpts);
	if (grown == NULL || (grown[s->nrcpts] = strdup(addr)) == NULL) {
		if (grown != NULL)
			s->rcpts = grown;
		reply(s, REPLY_STORAGE);
		return;
	}
	s->rcpts = grown;
	s->nrcpts++;
	reply(s, REPLY_OK);
}

static void do_data(struct session *s, const struct command *c)
{
	struct data_body body;

	if (!no_argument(s, c))
		return;
	if (s->nrcpts == 0) {
		reply(s, REPLY_NO_RCPTS);
		return;
	}
	if (fire_armed(s, TRIGGER_DATA))
		return;
	begin_message(s);
	set_state(s, ST_DATA);
	reply(s, REPLY_DATA_GO);
	if (s->closing)
		return;
	data_begin(&body, (unsigned long long)s->opts.size_limit);
	while (!body.done) {
		const char *p;
		size_t n;
		enum io_status st = io_peek(&s->io, &p, &n, data_timeout_ms(s));

		if (st != IO_OK) {
			end_on_io(s, st);
			return;
		}
		io_consume(&s->io, data_feed(&body, p, n, store, s));
	}
	s->reply_delay_due = 1;
	finish_message(s, body.size, body.limit);
}

/* Reads a BDAT chunk of exactly n octets, storing what fits within the size limit. */
static enum io_status read_chunk(struct session *s, unsigned long long n, int keep)
{
	while (n > 0) {
		const char *p;
		size_t avail;
		enum io_status st = io_peek(&s->io, &p, &avail, data_timeout_ms(s));

		if (st != IO_OK)
			return st;
		size_t take = avail < n ? avail : (size_t)n;

		if (keep && s->bdat_size + take <= (unsigned long long)s->opts.size_limit)
			store(s, p, take);
		if (keep)
			s->bdat_size += take;
		io_consume(&s->io, take);
		n -= take;
	}
	return IO_OK;
}

/* "n" or "n LAST"; 0 or -1. *size is the chunk to read either way: n whenever the first word
 * is a number (so "BDAT 6 FOO" still has its 6 octets read), else 0. */
static int parse_bdat(const struct command *c, unsigned long long *size, int *last)
{
	size_t i = decimal(c->arg, c->arg_len, size);

	if (i == 0 || *size > BDAT_CHUNK_MAX || (i < c->arg_len && c->arg[i] != ' ')) {
		*size = 0;
		return -1;
	}
	while (i < c->arg_len && c->arg[i] == ' ')
		i++;
	*last = c->arg_len - i == 4 && strncasecmp(c->arg + i, "LAST", 4) == 0;
	return *last || i == c->arg_len ? 0 : -1;
}

/* BDAT (RFC 3030): the chunk is read before any reply, errors included, so chunk bytes are
 * never taken for commands; that is why this handler does its own state check, which still
 * comes before the argument check (SPEC §2). */
static void do_bdat(struct session *s, const struct command *c)
{
	unsigned long long size;
	int last, in_message = s->state == ST_RCPT || s->state == ST_BDAT;
	int bad_arguments = parse_bdat(c, &size, &last) != 0;
	enum io_status st;

	if (!bad_arguments && s->state == ST_RCPT && s->nrcpts > 0) {
		s->bdat_size = 0;
		begin_message(s);
		set_state(s, ST_BDAT);
	}
	st = read_chunk(s, size, !bad_arguments && s->state == ST_BDAT);
	if (st != IO_OK) {
		end_on_io(s, st);
		return;
	}
	if (!in_message) {
		reply_bad_sequence(s, VERB_BDAT);
		return;
	}
	if (bad_arguments) {
		reply(s, REPLY_SYNTAX);
		return;
	}
	if (s->nrcpts == 0) {
		reply(s, REPLY_NO_RCPTS);
		return;
	}
	/* A failed chunk abandons the message; later chunks of it meet MAIL state (SPEC §6). */
	if (s->armed.verb == TRIGGER_BDAT || (last && s->armed.verb == TRIGGER_DATA)) {
		clear_transaction(s);
		fire(s, &s->armed);
		return;
	}
	if (s->bdat_size > (unsigned long long)s->opts.size_limit || last) {
		finish_message(s, s->bdat_size, (unsigned long long)s->opts.size_limit);
		return;
	}
	reply(s, REPLY_OK);
}

static void do_rset(struct session *s, const struct command *c)
{
	if (!no_argument(s, c) || fire_armed(s, TRIGGER_RSET))
		return;
	clear_transaction(s);
	reply(s, REPLY_OK);
}

static void do_noop(struct session *s, const struct command *c)
{
	(void)c;   /* RFC 5321 §4.1.1.9: NOOP may carry a string, which is ignored */
	if (!fire_armed(s, TRIGGER_NOOP))
		reply(s, REPLY_OK);
}

static void do_quit(struct session *s, const struct command *c)
{
	if (!no_argument(s, c))
		return;
	if (!fire_armed(s, TRIGGER_QUIT))
		reply(s, REPLY_BYE);
	if (!s->closing)
		close_with(s, 0);
}

/* VRFY (SPEC §9): the local part's prefix decides; nothing is looked up. */
static void do_vrfy(struct session *s, const struct command *c)
{
	char joined[COMMAND_LINE_MAX + 1], addr[COMMAND_LINE_MAX + 1];
	size_t n = 0;
	const char *lt, *gt, *at, *start = joined, *end;

	if (has_control(c->arg, c->arg_len)) {
		reply(s, REPLY_SYNTAX);
		return;
	}
	for (size_t i = 0; i < c->arg_len; i++)
		if (c->arg[i] != ' ' && c->arg[i] != '\t')
			joined[n++] = c->arg[i];
		else if (n > 0 && joined[n - 1] != ' ')
			joined[n++] = ' ';
	joined[n] = '\0';
	end = joined + n;
	lt = strchr(joined, '<');
	gt = lt ? strchr(lt, '>') : NULL;
	if (lt != NULL && gt != NULL) {
		start = lt + 1;
		end = gt;
	}
	at = memrchr(start, '@', (size_t)(end - start));
	if (at == NULL || at == start || at + 1 == end) {
		reply(s, REPLY_SYNTAX);
		return;
	}
	size_t local_len = (size_t)(at - start);

	if (local_len >= 6 && strncasecmp(start, "exists", 6) == 0) {
		const char *args[] = { addr };
		size_t k = local_len + 1;

		memcpy(addr, start, k);
		for (const char *d = at + 1; d < end; d++)
			addr[k++] = (char)(*d >= 'A' && *d <= 'Z' ? *d + 32 : *d);
		addr[k] = '\0';
		reply_args(s, REPLY_VRFY_EXISTS, args, 1);
	} else if (local_len >= 7 && strncasecmp(start, "unknown", 7) == 0) {
		reply(s, REPLY_VRFY_NOT_LOCAL);
	} else if (local_len >= 9 && strncasecmp(start, "ambiguous", 9) == 0) {
		reply(s, REPLY_VRFY_AMBIGUOUS);
	} else {
		reply(s, REPLY_VRFY_UNAVAILABLE);
	}
}

static struct tls_settings tls_settings_for(const struct session *s, char *cache, size_t cap)
{
	return (struct tls_settings){
		.cert_file = s->cfg->tls_cert, .key_file = s->cfg->tls_key,
		.cache_dir = config_cert_cache(s->cfg, cache, cap), .hostname = s->cfg->hostname,
		/* A client that stalls mid-handshake must not hold the process for a whole
		 * --data-timeout: no real handshake needs more than this, in real seconds. */
		.timeout_ms = data_timeout_ms(s) < HANDSHAKE_MAX_SECONDS * 1000
		              ? data_timeout_ms(s) : HANDSHAKE_MAX_SECONDS * 1000,
	};
}

/* The handshake and its log line; 0 on success, else the session is closing (exit 1). A process
 * that cannot load GnuTLS execs its twin here, which resumes with the handshake (handoff.h). */
static int start_tls(struct session *s)
{
	char cache[4096], err[256] = "";
	struct tls_settings settings = tls_settings_for(s, cache, sizeof cache);
	struct tls_info info = { 0 };

	if (!library_loadable()) {
		struct handoff resume = { .started_ms = s->started_ms };

		snprintf(resume.session_id, sizeof resume.session_id, "%s", s->session_id);
		io_flush(&s->io);
		log_flush();
		handoff_exec(&resume, err, sizeof err);
	} else {
		io_no_delay(&s->io);
		/* Preloaded already, unless this is the twin resuming after the 220 to STARTTLS. */
		if (tls_preload(&settings, err, sizeof err) == 0 &&
		    tls_server_start(&s->io, &settings, &info, err, sizeof err) == 0) {
			s->tls_on = 1;
			LOG_EVENT(LOG_LEVEL_INFO, "TLS handshake successful",
			          LOG_S("tls_version", info.version), LOG_S("cipher", info.cipher),
			          LOG_S("sni", info.sni));
			return 0;
		}
	}
	LOG_EVENT(LOG_LEVEL_ERROR, "TLS handshake failed", LOG_S("tls_version", ""),
	          LOG_S("cipher", ""), LOG_S("sni", info.sni), LOG_S("error", err));
	close_with(s, 1);
	return -1;
}

/* Before the 220 to STARTTLS or the smtps handshake: everything the handshake needs is there. */
static int preload_tls(struct session *s)
{
	char cache[4096], err[256] = "";
	struct tls_settings settings = tls_settings_for(s, cache, sizeof cache);

	if ((library_loadable() ? tls_preload(&settings, err, sizeof err)
	                        : handoff_check(err, sizeof err)) == 0)
		return 0;
	LOG_EVENT(LOG_LEVEL_ERROR, "TLS not available", LOG_S("error", err));
	return -1;
}

/* After the 220 to STARTTLS: the handshake, then forget everything learnt before TLS. */
static void starttls_handshake(struct session *s)
{
	if (start_tls(s) == 0) {
		s->authenticated = 0;
		reset_session(s);
	}
}

/* STARTTLS (RFC 3207): reply, flush, drop any plaintext pipelined behind the command (it could
 * be an injected command), handshake, then forget everything learnt before TLS. */
static void do_starttls(struct session *s, const struct command *c)
{
	size_t injected;

	/* Without the extension (nostarttls, HELO) nothing of it runs, arguments and triggers
	 * included, as on a server that never had it (SPEC §3); once TLS is up, the 554 instead. */
	if (!s->tls_on && !(s->opts.ext & EXT_STARTTLS)) {
		reply(s, REPLY_NOT_IMPLEMENTED);
		return;
	}
	if (!no_argument(s, c) || fire_armed(s, TRIGGER_STARTTLS))
		return;
	if (s->tls_on) {
		reply(s, REPLY_TLS_ALREADY);
		return;
	}
	if (preload_tls(s) != 0) {
		reply(s, REPLY_TLS_UNAVAILABLE);
		return;
	}
	reply(s, REPLY_STARTTLS_GO);
	if (s->closing || io_flush(&s->io) != 0)
		return;
	injected = io_discard_input(&s->io);
	if (injected > 0)
		LOG_EVENT(LOG_LEVEL_WARN, "Plaintext after STARTTLS discarded",
		          LOG_N("bytes", injected));
	starttls_handshake(s);
}

static void do_auth(struct session *s, const struct command *c)
{
	char out[AUTH_OUT_MAX], line[COMMAND_LINE_MAX + 1];
	const char *sp = memchr(c->arg, ' ', c->arg_len);
	size_t mech_len = sp ? (size_t)(sp - c->arg) : c->arg_len;
	const char *ir = sp ? sp + 1 : NULL;
	size_t ir_len = sp ? c->arg_len - mech_len - 1 : 0;
	enum auth_step step;
	int mech;

	if (fire_armed(s, TRIGGER_AUTH))
		return;
	if (!(s->opts.ext & EXT_AUTH)) {
		reply(s, REPLY_NOT_IMPLEMENTED);
		return;
	}
	if (starttls_required(s))
		return;
	if (s->authenticated) {
		reply(s, REPLY_AUTH_ALREADY);
		return;
	}
	if (mech_len == 0 || (ir != NULL && memchr(ir, ' ', ir_len) != NULL)) {
		reply(s, REPLY_SYNTAX);
		return;
	}
	mech = auth_mech_lookup(c->arg, mech_len);
	if (mech == 0 || !((unsigned)mech & s->opts.auth_mechs)) {
		reply(s, REPLY_AUTH_MECHANISM);
		return;
	}
	step = auth_begin(&s->auth, mech, ir, ir_len, ir != NULL, s->cfg->hostname, s->session_id,
	                  (long long)time(NULL), out, sizeof out);
	while (step == AUTH_CHALLENGE) {
		char challenge[AUTH_OUT_MAX + 8];
		int n = snprintf(challenge, sizeof challenge, "334 %s\r\n", out);
		size_t len;
		enum io_status st;

		send_reply(s, challenge, n > 0 && (size_t)n < sizeof challenge ? (size_t)n : 0);
		if (s->closing)
			return;
		st = io_read_line(&s->io, line, COMMAND_LINE_MAX, &len, command_timeout_ms(s));
		s->reply_delay_due = 1;
		if (st == IO_TOOLONG) {
			step = AUTH_MALFORMED;
		} else if (st != IO_OK) {
			end_on_io(s, st);
			return;
		} else {
			step = auth_continue(&s->auth, line, len, out, sizeof out);
		}
	}
	if (step == AUTH_OK || step == AUTH_FAILED) {
		int ok = step == AUTH_OK;

		LOG_EVENT(ok ? LOG_LEVEL_INFO : LOG_LEVEL_WARN,
		          ok ? "SMTP authentication successful" : "SMTP authentication failed",
		          LOG_S("auth_mechanism", auth_mech_name(mech)),
		          LOG_S("username", auth_username(&s->auth)), LOG_B("success", ok));
		s->authenticated = ok;
	}
	reply(s, step == AUTH_OK ? REPLY_AUTH_OK : step == AUTH_FAILED ? REPLY_AUTH_FAILED
	         : step == AUTH_CANCELLED ? REPLY_AUTH_CANCELLED
	         : step == AUTH_MALFORMED ? REPLY_SYNTAX : REPLY_AUTH_UNAVAILABLE);
}

/* ---- the command table and the loop ----------------------------------------------------------- */

#define IN(st) (1u << (st))
#define AFTER_GREETING (IN(ST_HELO) | IN(ST_MAIL) | IN(ST_RCPT) | IN(ST_BDAT))

static const struct {
	unsigned states;   /* where the command is legal; anything else gets 503 */
	void (*handle)(struct session *, const struct command *);
} commands[VERB_COUNT] = {
	[VERB_HELO] = { IN(ST_HELO) | IN(ST_MAIL) | IN(ST_RCPT), do_ehlo_or_helo },
	[VERB_EHLO] = { IN(ST_HELO) | IN(ST_MAIL) | IN(ST_RCPT), do_ehlo_or_helo },
	[VERB_AUTH] = { IN(ST_MAIL), do_auth },
	[VERB_MAIL] = { IN(ST_MAIL), do_mail },
	[VERB_RCPT] = { IN(ST_RCPT), do_rcpt },
	[VERB_DATA] = { IN(ST_RCPT), do_data },
	[VERB_BDAT] = { AFTER_GREETING, do_bdat },   /* checks its state after reading the chunk */
	[VERB_RSET] = { AFTER_GREETING, do_rset },
	[VERB_NOOP] = { AFTER_GREETING, do_noop },
	[VERB_QUIT] = { AFTER_GREETING, do_quit },
	[VERB_STARTTLS] = { IN(ST_HELO) | IN(ST_MAIL), do_starttls },
	[VERB_VRFY] = { AFTER_GREETING, do_vrfy },
};

static void log_command(struct session *s, const struct command *c)
{
	char verb[16], args_buf[COMMAND_LINE_MAX + 1];
	const char *args[ARGS_LOGGED_MAX];
	size_t nargs = 0, n = c->arg_len < COMMAND_LINE_MAX ? c->arg_len : COMMAND_LINE_MAX;

	if (!log_enabled(LOG_LEVEL_INFO))
		return;
	snprintf(verb, sizeof verb, "%.*s", (int)(c->verb_len < 15 ? c->verb_len : 15), c->verb_text);
	for (char *v = verb; *v; v++)
		*v = (char)(*v >= 'a' && *v <= 'z' ? *v - 32 : *v);
	memcpy(args_buf, c->arg, n);
	args_buf[n] = '\0';
	for (size_t i = 0; i < n && nargs < ARGS_LOGGED_MAX; i++) {
		if (args_buf[i] == ' ' || args_buf[i] == '\t')
			args_buf[i] = '\0';
		else if (i == 0 || args_buf[i - 1] == '\0')
			args[nargs++] = args_buf + i;
	}
	/* An AUTH initial response is a credential. */
	if (c->verb == VERB_AUTH && nargs > 1) {
		args[1] = "[redacted]";
		nargs = 2;
	}
	LOG_EVENT(LOG_LEVEL_INFO, "SMTP command received", LOG_S("command", verb),
	          LOG_V("args", args, nargs), LOG_S("smtp_state", state_names[s->state]));
}

static void handle_line(struct session *s, const char *line, size_t len)
{
	struct command c;

	if (command_parse(line, len, &c) != 0) {
		s->reply_delay_due = 1;
		reply(s, REPLY_UNRECOGNISED);
		return;
	}
	if (c.verb_len == 0)
		return;   /* an empty line gets no reply */
	log_command(s, &c);
	s->reply_delay_due = 1;
	/* Without CHUNKING, BDAT is an unknown command, as on a server that never had it. */
	if (c.verb == VERB_UNKNOWN ||
	    (c.verb == VERB_BDAT && s->greeted && !(s->opts.ext & EXT_CHUNKING))) {
		reply(s, REPLY_UNRECOGNISED);
		return;
	}
	if (!(commands[c.verb].states & IN(s->state))) {
		reply_bad_sequence(s, c.verb);
		return;
	}
	commands[c.verb].handle(s, &c);
}

static void new_session_id(char *out, size_t cap)
{
	unsigned char r[6];

	if (getrandom(r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
		unsigned long long mix = (unsigned long long)getpid() * 2654435761ULL ^
		                         (unsigned long long)clock_monotonic_ms();

		for (size_t i = 0; i < sizeof r; i++)
			r[i] = (unsigned char)(mix >> (8 * i));
	}
	snprintf(out, cap, "sess_%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2], r[3], r[4], r[5]);
}

static void setup_signals(void)
{
	struct sigaction sa = { .sa_handler = on_sigterm };
	sigset_t block;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);   /* no SA_RESTART: waits return EINTR */
	signal(SIGPIPE, SIG_IGN);        /* a vanished client is a failed write, not a death */
	signal(SIGXFSZ, SIG_IGN);        /* a file size limit is a failed write: 452, not a death */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, NULL);
}

/* Profile behaviour before the greeting; 0 to go on and greet. */
static int before_greeting(struct session *s)
{
	const struct profile *p = s->profile;

	switch (p->kind) {
	case PROFILE_DROP:
		log_behaviour(s, "drop", p->delay_seconds);
		clock_sleep_ms(clock_scaled_ms(p->delay_seconds), &terminated);
		close_with(s, 1);   /* nothing is ever written on a drop port, not even on SIGTERM */
		return -1;
	case PROFILE_GREETING_DELAY:
		log_behaviour(s, "greeting_delay", p->delay_seconds);
		if (clock_sleep_ms(clock_scaled_ms(p->delay_seconds), &terminated) != 0) {
			shut_down(s);
			return -1;
		}
		return 0;
	case PROFILE_COMMAND_DELAY:
		log_behaviour(s, "command_delay", p->delay_seconds);
		return 0;
	case PROFILE_SMTPS:
		if (preload_tls(s) != 0) {
			close_with(s, 1);
			return -1;
		}
		return start_tls(s);
	default:
		return 0;
	}
}

int session_run(const struct config *cfg, const struct profile *profile, const struct peer *peer,
                const struct handoff *resume)
{
	static struct session session;
	struct session *s = &session;
	char line[COMMAND_LINE_MAX + 1];

	memset(s, 0, offsetof(struct session, io));
	terminated = 0;
	s->cfg = cfg;
	s->profile = profile;
	s->port = cfg->port > 0 ? cfg->port : peer->local_port > 0 ? peer->local_port : 0;
	s->client_ip = peer->client_ip;
	if (resume != NULL) {
		s->started_ms = resume->started_ms;
		snprintf(s->session_id, sizeof s->session_id, "%s", resume->session_id);
	} else {
		s->started_ms = clock_monotonic_ms();
		new_session_id(s->session_id, sizeof s->session_id);
	}
	log_set_context(s->session_id, s->client_ip);
	setup_signals();
	io_init(&s->io, 0, 1, &terminated);
	reset_session(s);
	s->state = ST_GREETING;
	if (resume == NULL)
		LOG_EVENT(LOG_LEVEL_INFO, "SMTP connection established", LOG_N("port", s->port),
		          LOG_S("profile", profile->name),
		          LOG_B("tls_enabled", profile->kind == PROFILE_SMTPS));

	if (resume != NULL && profile->kind != PROFILE_SMTPS) {
		s->state = ST_HELO;   /* STARTTLS was answered; smtps resumes before its greeting */
		starttls_handshake(s);
	} else if (before_greeting(s) == 0) {
		const char *args[] = { cfg->hostname };

		reply_args(s, REPLY_GREETING, args, 1);
		set_state(s, ST_HELO);
	}
	while (!s->closing) {
		size_t len = 0;
		enum io_status st = io_read_line(&s->io, line, COMMAND_LINE_MAX, &len,
		                                 command_timeout_ms(s));

		if (st == IO_OK) {
			handle_line(s, line, len);
		} else if (st == IO_TOOLONG) {
			s->reply_delay_due = 1;
			reply(s, REPLY_TOO_LONG);
		} else {
			end_on_io(s, st);
		}
	}
	io_flush(&s->io);
	tls_end();
	io_linger(&s->io, LINGER_MS);
	clear_transaction(s);
	LOG_EVENT(LOG_LEVEL_INFO, "SMTP connection closed",
	          LOG_N("duration_ms", clock_monotonic_ms() - s->started_ms),
	          LOG_N("exit_status", s->exit_status));
	return s->exit_status;
}
