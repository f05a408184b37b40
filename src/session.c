/* session: one SMTP conversation, RFC 5321 with the faults of doc/spec.md; this file is its engine.
 * Each command is one row of the command table (commands.c) and goes through the same steps in
 * dispatch(): parse → legal in this state? (503) → its check step (its own 501, 502, 504, 530,
 * 555 …) → the trigger's verdict → its proceed step. session_verdict() is the one place a
 * trigger is carried out, and session_send() the one way out for a reply (the respond funnel).
 * Not here: byte buffering (io), reply texts and rendering (reply, respond), syntax (command,
 * trigger, ehlo), SASL (auth), the greeting (greeting), TLS (handshake), the message (message). */
#include "session.h"

#include "session_impl.h"

#include "buf.h"
#include "clock.h"
#include "file.h"
#include "greeting.h"
#include "log.h"
#include "state.h"
#include "text.h"
#include "tls.h"

#include <stddef.h>
#include <string.h>

#define ARGS_LOGGED_MAX 32
#define LINGER_MS 200
#define STATE_KEY_MAX 1024   /* "grey", an IP address and two addresses fit well */

static const char *const state_names[] = {
	[ST_GREETING] = "GREETING", [ST_HELO] = "HELO", [ST_MAIL] = "MAIL",
	[ST_RCPT] = "RCPT", [ST_DATA] = "DATA", [ST_BDAT] = "BDAT",
};

static volatile int *terminated;   /* set by SIGTERM (clock.h) */

/* ---- replies --------------------------------------------------------------------------------- */

void session_close(struct session *s, int status)
{
	s->closing = 1;
	s->exit_status = status;
}

/* SIGTERM: whatever was queued goes first, then this, then we close (SPEC §10). */
static void shut_down(struct session *s)
{
	if (respond_shutdown(&s->out) != 0)
		session_close(s, 1);
}

/* Every reply leaves by the respond funnel; a 421 closes the session (SPEC §4.2). */
void session_send(struct session *s, const struct reply *r)
{
	if (!s->closing && respond_send(&s->out, r) != 0)
		session_close(s, 1);
}

void session_reply_args(struct session *s, enum reply_id id, const char *const *args, size_t n)
{
	reply_make(&s->reply, id, args, n);
	session_send(s, &s->reply);
}

void session_reply(struct session *s, enum reply_id id)
{
	session_reply_args(s, id, NULL, 0);
}

void session_reply_number(struct session *s, enum reply_id id, unsigned long long value)
{
	char number[24];
	const char *args[] = { number };
	struct buf b;

	buf_init(&b, number, sizeof number);
	buf_add_decimal(&b, (long long)value, 0);   /* a size limit or seconds: far below 2^63 */
	session_reply_args(s, id, args, 1);
}

void session_set_state(struct session *s, enum state next)
{
	if (s->state != next && log_enabled(LOG_LEVEL_DEBUG))
		LOG_EVENT(LOG_LEVEL_DEBUG, "SMTP state changed", LOG_S("from", state_names[s->state]),
		          LOG_S("to", state_names[next]));
	s->state = next;
}

/* extra: the fields some behaviours add (SPEC §18: attempt and of, retry_after_seconds). */
static void log_behaviour(struct session *s, const char *behaviour, long long delay,
                          const struct log_field *extra, size_t nextra)
{
	struct log_field fields[5] = {
		LOG_S("behaviour", behaviour), LOG_N("port", s->port), LOG_N("delay_seconds", delay),
	};

	for (size_t i = 0; i < nextra && i < 2; i++)
		fields[3 + i] = extra[i];
	log_event(LOG_LEVEL_INFO, "SMTP behaviour triggered", fields, 3 + (nextra < 2 ? nextra : 2));
}

void session_log_behaviour(struct session *s, const char *behaviour, int delay)
{
	log_behaviour(s, behaviour, delay, NULL, 0);
}

/* RFC 2920: without PIPELINING (before EHLO, after HELO, with nopipelining) every reply must be
 * waited for; with it, the reply to a command that ends a group. */
void session_expect_reply(struct session *s, const char *after, int ends_group)
{
	int pipelining = s->extended && (s->opts.ext & EXT_PIPELINING);

	io_expect(&s->io, !pipelining ? VIOLATION_PIPELINING_NOT_OFFERED
	                  : ends_group ? VIOLATION_PIPELINING_GROUP : VIOLATION_NONE, after);
}

/* ---- transaction and session resets ---------------------------------------------------------- */

void session_clear_transaction(struct session *s)
{
	message_clear(&s->msg);
	session_set_state(s, s->state >= ST_MAIL ? ST_MAIL : ST_HELO);
}

void session_set_delay(struct session *s, int seconds)
{
	s->out.delay_ms = clock_scaled_ms(seconds);
}

/* The extensions and limits of the session, and so how its replies render and are written. */
void session_set_opts(struct session *s, const struct ehlo_opts *o)
{
	s->opts = *o;
	respond_shape(&s->out, (o->ext & EXT_ENHANCEDSTATUSCODES ? REPLY_WITH_ENHANCED : 0) | o->render,
	              o->pacing);
}

/* What a new EHLO/HELO or STARTTLS forgets (SPEC §4.1, §7). */
void session_reset(struct session *s)
{
	struct ehlo_opts defaults;

	s->extended = 0;
	s->armed = (struct trigger){ 0 };
	ehlo_parse("", 0, 0, &defaults);
	session_set_opts(s, &defaults);
	session_set_delay(s, s->profile->kind == PROFILE_COMMAND_DELAY ? s->profile->delay_seconds
	                                                              : 0);
	s->helo_name[0] = '\0';
	message_clear(&s->msg);
	session_set_state(s, ST_HELO);
}

/* ---- triggers -------------------------------------------------------------------------------- */

/* Which trigger fires on command v at point `at` (SPEC §4.1, §18): the one its own argument
 * names (MAIL FROM and RCPT TO addresses, the EHLO label, the AUTH username), else the one the
 * last MAIL FROM armed. A BDAT transfer has no DATA command: its last chunk is where a data
 * trigger of the command fires, as those of the body's end do. */
const struct trigger *session_trigger_for(const struct session *s, const struct cmd *k,
                                          enum verb v, enum trigger_point at)
{
	const struct trigger *t = k != NULL && k->named.verb == v ? &k->named
	                          : s->armed.verb == v ? &s->armed : NULL;

	if (v == VERB_NONE || t == NULL)
		return NULL;
	if (t->at == at ||
	    (at == TRIGGER_AT_BODY_END && t->at == TRIGGER_AT_COMMAND && s->state == ST_BDAT))
		return t;
	return NULL;
}

unsigned long long session_body_cutoff(const struct session *s)
{
	const struct trigger *t = session_trigger_for(s, NULL, VERB_DATA, TRIGGER_IN_BODY);

	return t != NULL ? t->number : 0;
}

/* The state key of t (SPEC §18): "fail {VERB} {address}", or "grey {client IP} {sender}
 * {recipient}" for the greylisting triplet; addresses lower-cased. 0, or -1 when it does not
 * fit. */
static int state_key(const struct session *s, const struct trigger *t, char *key, size_t cap)
{
	char sender[MESSAGE_ADDRESS_MAX];
	struct buf b;

	buf_init(&b, key, cap);
	if (t->action == TRIGGER_GREYLIST) {
		text_lower_copy(sender, s->msg.sender, strlen(s->msg.sender));
		buf_adds(&b, "grey ");
		buf_adds(&b, s->client_ip);
		buf_addc(&b, ' ');
		buf_adds(&b, sender);
	} else {
		buf_adds(&b, "fail ");
		buf_adds(&b, command_verb_name(t->verb));
	}
	buf_addc(&b, ' ');
	buf_adds(&b, t->key);
	return b.truncated ? -1 : 0;
}

/* Fail-N and greylisting count in the state directory (SPEC §18). 1: t fires this time; 0: it
 * does not (past its N, or the triplet's time is up); -1: the state is unusable, 451 4.3.0
 * answered, the reason logged. */
static int consult_state(struct session *s, const struct trigger *t)
{
	char dir[FILE_PATH_MAX], key[STATE_KEY_MAX], err[FILE_PATH_MAX + 128] = "state key too long";
	struct state_entry e;
	long long now = clock_unix_ms(), period = clock_scaled_ms((double)t->number), left;
	int grey = t->action == TRIGGER_GREYLIST;

	if (t->fail_n == 0 && !grey)
		return 1;
	config_state_dir(s->cfg, dir, sizeof dir);
	if (state_key(s, t, key, sizeof key) != 0 ||
	    state_count(dir, key, now, &e, err, sizeof err) != 0) {
		LOG_EVENT(LOG_LEVEL_ERROR, "SMTP state directory unusable", LOG_S("state_dir", dir),
		          LOG_S("error", err));
		if (s->state == ST_DATA || s->state == ST_BDAT)
			session_clear_transaction(s);
		session_reply(s, REPLY_STATE_FAILED);
		return -1;
	}
	if (!grey) {
		if (e.count > t->fail_n)
			return 0;
		log_behaviour(s, "fail_n", 0, (const struct log_field[]){
			LOG_N("attempt", e.count), LOG_N("of", t->fail_n) }, 2);
		return 1;
	}
	left = e.first_ms + period - now;
	if (e.count > 1 && (left <= 0 || period == 0))
		return 0;
	/* the time left in the client's seconds, rounded up: S at the first attempt, less later */
	left = left < period ? left : period;
	log_behaviour(s, "greylist", 0, (const struct log_field[]){
		LOG_N("retry_after_seconds", period == 0 ? (long long)t->number
		                             : ((long long)t->number * left + period - 1) / period) }, 1);
	return 1;
}

/* The one place a trigger's verdict is carried out (SPEC §4, §18): a reply (a 421 then closes,
 * in respond), a wait, a drop, a lost reply, a greylisting 450. A message it interrupts is
 * abandoned (SPEC §6), except the lost one: it is in new/ already. */
int session_verdict(struct session *s, const struct trigger *t)
{
	char name[64];
	int fires;

	if (t == NULL)
		return 0;
	if ((fires = consult_state(s, t)) <= 0)
		return fires < 0;
	switch (t->action) {
	case TRIGGER_WAIT:
		session_log_behaviour(s, "wait", (int)t->number);
		io_flush(&s->io);
		if (clock_sleep_ms(clock_scaled_ms((double)t->number), terminated) == 0)
			return 0;
		shut_down(s);
		return 1;
	case TRIGGER_DROP:
	case TRIGGER_DATA_DROP:
	case TRIGGER_DATA_LOST:
		session_log_behaviour(s, t->action == TRIGGER_DROP ? "drop"
		                         : t->action == TRIGGER_DATA_DROP ? "data_drop" : "data_lost", 0);
		if (t->action != TRIGGER_DATA_LOST)
			session_clear_transaction(s);   /* nothing stored */
		session_close(s, 1);
		return 1;
	case TRIGGER_GREYLIST:
		session_reply_number(s, REPLY_GREYLISTED, t->number);
		return 1;
	case TRIGGER_REPLY:
	case TRIGGER_REPLY_AT:
		break;
	}
	trigger_name(t, name, sizeof name);
	LOG_EVENT(LOG_LEVEL_WARN, "SMTP error simulation triggered", LOG_N("error_code", t->code),
	          LOG_S("trigger", name), LOG_S("smtp_stage", state_names[s->state]));
	if (s->state == ST_DATA || s->state == ST_BDAT)
		session_clear_transaction(s);
	reply_make_code(&s->reply, t->code, t->enhanced);
	session_send(s, &s->reply);
	if (t->action == TRIGGER_REPLY_AT)
		session_close(s, 1);   /* it answered in the middle of the body: nothing more can follow */
	return 1;
}

/* ---- I/O outcomes ---------------------------------------------------------------------------- */

int session_command_timeout_ms(const struct session *s)
{
	return clock_scaled_ms(s->cfg->timeout);
}

int session_data_timeout_ms(const struct session *s)
{
	return clock_scaled_ms(s->cfg->data_timeout);
}

/* A wait that did not bring input ends the session: EOF is the client's doing (exit 0). */
void session_end_on_io(struct session *s, enum io_status st)
{
	message_clear(&s->msg);
	s->out.delay_due = 0;
	switch (st) {
	case IO_TIMEOUT:
		session_reply(s, REPLY_TIMEOUT);
		break;
	case IO_INTR:
		shut_down(s);
		break;
	case IO_EOF:
		violation_record(&s->violations, VIOLATION_NO_QUIT, "closed in %s state",
		                 state_names[s->state]);
		session_close(s, 0);
		break;
	default:
		LOG_EVENT(LOG_LEVEL_ERROR, "SMTP connection failed", LOG_S("error", "transport error"));
		session_close(s, 1);
		break;
	}
}

/* ---- the loop -------------------------------------------------------------------------------- */

static void log_command(struct session *s, const struct command *c)
{
	char verb[16], copy[COMMAND_LINE_MAX + 1];
	const char *args[ARGS_LOGGED_MAX];
	size_t verb_len = c->verb_len < sizeof verb ? c->verb_len : sizeof verb - 1, nargs;

	if (!log_enabled(LOG_LEVEL_INFO))
		return;
	for (size_t i = 0; i < verb_len; i++)
		verb[i] = text_upper(c->verb_text[i]);
	verb[verb_len] = '\0';
	nargs = command_words(c->arg, c->arg_len, copy, args, ARGS_LOGGED_MAX);
	if ((session_commands[c->verb].flags & CREDENTIAL) && nargs > 1) {
		args[1] = "[redacted]";
		nargs = 2;
	}
	LOG_EVENT(LOG_LEVEL_INFO, "SMTP command received", LOG_S("command", verb),
	          LOG_V("args", args, nargs), LOG_S("smtp_state", state_names[s->state]));
}

/* The check step and the verdict of the command's trigger, in the row's order; 1 when either
 * answered. */
static int answered(struct session *s, struct cmd *k, const struct command_row *row)
{
	int trigger_first = (row->flags & TRIGGER_FIRST) != 0;

	if (trigger_first && session_verdict(s, session_trigger_for(s, k, row->trigger,
	                                                            TRIGGER_AT_COMMAND)))
		return 1;
	if (row->check != NULL && row->check(s, k) != 0)
		return 1;
	return !trigger_first &&
	       session_verdict(s, session_trigger_for(s, k, row->trigger, TRIGGER_AT_COMMAND));
}

/* Every command, the same steps (see the top of this file). */
static void dispatch(struct session *s, const struct command *c)
{
	const struct command_row *row = &session_commands[c->verb];
	struct cmd k = { .c = c };
	const char *bad_sequence[2];

	if (c->verb == VERB_NONE || (row->needs_ext & ~s->opts.ext)) {
		session_reply(s, REPLY_UNRECOGNISED);
		return;
	}
	if (row->before != NULL) {
		row->before(s, &k);
		if (s->closing)
			return;
	}
	if (!(row->states & IN(s->state))) {
		bad_sequence[0] = command_verb_name(c->verb);
		bad_sequence[1] = state_names[s->state];
		session_reply_args(s, REPLY_BAD_SEQUENCE, bad_sequence, 2);
		return;
	}
	if (!answered(s, &k, row))
		row->proceed(s, &k);
	if ((row->flags & CLOSES) && !s->closing)
		session_close(s, 0);
}

/* SPEC §19: what a command line shows of the client: how it came, where it came, and that the
 * client must now wait for its reply. */
static void watch_line(struct session *s, enum verb v)
{
	const char *name = command_verb_name(v);

	if (s->io.line_bare_lf)
		violation_record(&s->violations, VIOLATION_BARE_LF, "%s command", name);
	if (s->io.line_octets > VIOLATION_COMMAND_LINE_MAX)
		violation_record(&s->violations, VIOLATION_LONG_COMMAND_LINE,
		                 "%s command, %zu octets", name, s->io.line_octets);
	if (s->tls_started && !(session_commands[v].flags & AFTER_TLS))
		violation_record(&s->violations, VIOLATION_NO_EHLO_AFTER_STARTTLS, "%s command",
		                 name);
	s->tls_started = 0;
	session_expect_reply(s, name, session_commands[v].flags & ENDS_GROUP);
}

static void handle_line(struct session *s, const char *line, size_t len)
{
	struct command c;
	int parsed = command_parse(line, len, &c) == 0;

	if (parsed && c.verb_len == 0)
		return;   /* an empty line gets no reply */
	watch_line(s, parsed ? c.verb : VERB_NONE);
	if (parsed)
		log_command(s, &c);
	s->out.delay_due = 1;
	if (s->no_service && !(parsed && (session_commands[c.verb].flags & NO_SERVICE_OK)))
		session_reply(s, REPLY_NO_SERVICE_SEQUENCE);   /* greeting-554, RFC 5321 §3.1 */
	else if (!parsed)
		session_reply(s, REPLY_UNRECOGNISED);
	else
		dispatch(s, &c);
}

/* SPEC §11; with --proxy-protocol also the client's port (SPEC §21). */
static void log_established(const struct session *s)
{
	const struct log_field f[] = {
		LOG_N("port", s->port), LOG_S("profile", s->profile->name),
		LOG_B("tls_enabled", profile_implicit_tls(s->profile)),
		LOG_N("client_port", s->id.peer.client_port),
	};

	log_event(LOG_LEVEL_INFO, "SMTP connection established", f,
	          s->cfg->proxy_protocol && s->id.peer.client_port >= 0 ? 4 : 3);
}

int session_run(const struct config *cfg, const struct profile *profile, const struct peer *peer,
                const struct handoff *resume)
{
	static struct session session;
	struct session *s = &session;
	char line[COMMAND_LINE_MAX + 1];
	enum greeting_outcome greeted;
	const char *names[VIOLATION_COUNT];

	memset(s, 0, offsetof(struct session, reply));
	s->cfg = cfg;
	s->profile = profile;
	if (resume != NULL) {
		s->id = *resume;
		violation_restore(&s->violations, s->id.violations);
	} else {
		handoff_new(&s->id, profile->name, peer);
	}
	s->port = config_port(cfg, s->id.peer.local_port);
	s->client_ip = s->id.peer.client_ip;
	log_set_context(s->id.session_id, s->client_ip);
	terminated = clock_catch_sigterm();
	io_init(&s->io, 0, 1, terminated, &s->violations);
	s->msg.violations = &s->violations;
	respond_init(&s->out, &s->io, terminated);
	session_reset(s);
	s->state = ST_GREETING;
	if (resume == NULL && cfg->proxy_protocol &&
	    greeting_proxy(cfg, &s->out, &s->id.peer, s->port) != 0) {
		io_flush(&s->io);
		io_linger(&s->io, LINGER_MS);
		return 1;
	}
	if (resume == NULL)
		log_established(s);

	if (resume != NULL && !profile_implicit_tls(profile)) {
		s->state = ST_HELO;   /* STARTTLS was answered; implicit TLS resumes before greeting */
		session_start_tls(s);
	} else if ((greeted = greeting_run(cfg, profile, s->port, &s->out, &s->id)) !=
	           GREETING_CLOSED) {
		s->tls_on = profile_implicit_tls(profile);
		s->no_service = greeted == GREETING_NO_SERVICE;
		session_set_state(s, ST_HELO);
	} else {
		session_close(s, 1);
	}
	while (!s->closing) {
		size_t len = 0;
		enum io_status st = io_read_line(&s->io, line, COMMAND_LINE_MAX, &len,
		                                 session_command_timeout_ms(s));

		if (st == IO_OK) {
			handle_line(s, line, len);
		} else if (st == IO_TOOLONG) {
			watch_line(s, VERB_NONE);
			s->out.delay_due = 1;
			session_reply(s, REPLY_TOO_LONG);
		} else {
			session_end_on_io(s, st);
		}
	}
	io_flush(&s->io);
	tls_end();
	io_linger(&s->io, LINGER_MS);
	session_clear_transaction(s);
	LOG_EVENT(LOG_LEVEL_INFO, "SMTP connection closed",
	          LOG_N("duration_ms", clock_monotonic_ms() - s->id.started_ms),
	          LOG_N("exit_status", s->exit_status),
	          LOG_V("violations", names, violation_names(&s->violations, names)));
	return s->exit_status;
}
