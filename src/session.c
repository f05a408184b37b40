/* session: one SMTP conversation, RFC 5321 with the faults of SPEC.md. Each command is one row
 * of the command table, and goes through the same steps in dispatch(): parse → legal in this
 * state? (503) → its check step (its own 501, 502, 504, 530, 555 …) → the trigger's verdict →
 * its proceed step. A row says everything particular about its command (where its chunk is read,
 * whether its trigger answers before its checks, whether it closes the session); session_verdict() is the
 * one place a trigger is carried out, and session_send() the one funnel every reply leaves by.
 * Not here: byte buffering (io), reply texts and rendering (reply), syntax (command, trigger,
 * ehlo), SASL (auth), TLS (tls, through handoff), storage and its headers (maildir). */
#include "session.h"

#include "session_impl.h"

#include "clock.h"
#include "greeting.h"
#include "log.h"
#include "text.h"
#include "tls.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define ARGS_LOGGED_MAX 32
#define LINGER_MS 200

static const char *const state_names[] = {
	[ST_GREETING] = "GREETING", [ST_HELO] = "HELO", [ST_MAIL] = "MAIL",
	[ST_RCPT] = "RCPT", [ST_DATA] = "DATA", [ST_BDAT] = "BDAT",
};

static volatile int *terminated;   /* set by SIGTERM (clock.h) */

/* ---- replies ---------------------------------------------------------------------------- */

void session_close(struct session *s, int status)
{
	s->closing = 1;
	s->exit_status = status;
}

/* SIGTERM: whatever was queued goes first, then this, then we close (SPEC §10). */
static void shut_down(struct session *s)
{
	struct reply r;

	reply_make(&r, REPLY_SHUTDOWN, NULL, 0);
	if (respond_now(&s->out, &r) != 0)
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

	snprintf(number, sizeof number, "%llu", value);
	session_reply_args(s, id, args, 1);
}

void session_set_state(struct session *s, enum state next)
{
	if (s->state != next && log_enabled(LOG_LEVEL_DEBUG))
		LOG_EVENT(LOG_LEVEL_DEBUG, "SMTP state changed", LOG_S("from", state_names[s->state]),
		          LOG_S("to", state_names[next]));
	s->state = next;
}

void session_log_behaviour(struct session *s, const char *behaviour, int delay)
{
	LOG_EVENT(LOG_LEVEL_INFO, "SMTP behaviour triggered", LOG_S("behaviour", behaviour),
	          LOG_N("port", s->port), LOG_N("delay_seconds", delay));
}

/* ---- transaction and session resets ------------------------------------------------------ */

void session_clear_transaction(struct session *s)
{
	message_clear(&s->msg);
	session_set_state(s, s->greeted ? ST_MAIL : ST_HELO);
}

void session_set_delay(struct session *s, int seconds)
{
	s->out.delay_ms = clock_scaled_ms(seconds);
}

/* The extensions and limits of the session, and so how its replies render. */
void session_set_opts(struct session *s, const struct ehlo_opts *o)
{
	s->opts = *o;
	s->out.render = o->ext & EXT_ENHANCEDSTATUSCODES ? REPLY_WITH_ENHANCED : 0;
}

/* What a new EHLO/HELO or STARTTLS forgets (SPEC §4.1, §7). */
void session_reset(struct session *s)
{
	struct ehlo_opts defaults;

	s->greeted = s->extended = 0;
	s->armed = (struct trigger){ 0 };
	ehlo_parse("", 0, 0, &defaults);
	session_set_opts(s, &defaults);
	session_set_delay(s, s->profile->kind == PROFILE_COMMAND_DELAY ? s->profile->delay_seconds : 0);
	s->helo_name[0] = '\0';
	session_clear_transaction(s);
}

/* ---- triggers --------------------------------------------------------------------------- */

/* Which trigger fires on command v (SPEC §4.1): the one its own argument names (MAIL FROM and
 * RCPT TO addresses, the EHLO label), else the one the last MAIL FROM armed. A BDAT transfer has
 * no DATA command: its last chunk is where a data trigger fires. */
const struct trigger *session_trigger_for(const struct session *s, const struct cmd *k,
                                         enum verb v)
{
	if (v == VERB_NONE)
		return NULL;
	if (k != NULL && k->named.verb == v)
		return &k->named;
	if (s->armed.verb == v)
		return &s->armed;
	return NULL;
}

/* The one place a trigger's verdict is carried out: its reply (a 421 then closes, in emit). A
 * message it interrupts is abandoned (SPEC §6). 1 when it answered the command. */
int session_verdict(struct session *s, const struct trigger *t)
{
	char name[64];

	if (t == NULL)
		return 0;
	trigger_name(t, name, sizeof name);
	LOG_EVENT(LOG_LEVEL_WARN, "SMTP error simulation triggered", LOG_N("error_code", t->code),
	          LOG_S("trigger", name), LOG_S("smtp_stage", state_names[s->state]));
	if (s->state == ST_DATA || s->state == ST_BDAT)
		session_clear_transaction(s);
	reply_make_code(&s->reply, t->code, t->enhanced);
	session_send(s, &s->reply);
	return 1;
}

/* ---- I/O outcomes -------------------------------------------------------------------------- */

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
		session_close(s, 0);
		break;
	default:
		LOG_EVENT(LOG_LEVEL_ERROR, "SMTP connection failed", LOG_S("error", "transport error"));
		session_close(s, 1);
		break;
	}
}
/* ---- the loop --------------------------------------------------------------------------------- */

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
	/* An AUTH initial response is a credential. */
	if (c->verb == VERB_AUTH && nargs > 1) {
		args[1] = "[redacted]";
		nargs = 2;
	}
	LOG_EVENT(LOG_LEVEL_INFO, "SMTP command received", LOG_S("command", verb),
	          LOG_V("args", args, nargs), LOG_S("smtp_state", state_names[s->state]));
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
	if (!((row->flags & TRIGGER_FIRST) && session_verdict(s, session_trigger_for(s, &k, row->trigger))) &&
	    (row->check == NULL || row->check(s, &k) == 0) &&
	    ((row->flags & TRIGGER_FIRST) || !session_verdict(s, session_trigger_for(s, &k, row->trigger))))
		row->proceed(s, &k);
	if ((row->flags & CLOSES) && !s->closing)
		session_close(s, 0);
}

static void handle_line(struct session *s, const char *line, size_t len)
{
	struct command c;

	if (command_parse(line, len, &c) != 0) {
		s->out.delay_due = 1;
		session_reply(s, REPLY_UNRECOGNISED);
		return;
	}
	if (c.verb_len == 0)
		return;   /* an empty line gets no reply */
	log_command(s, &c);
	s->out.delay_due = 1;
	dispatch(s, &c);
}

/* SPEC §11; with --proxy-protocol also the client's port (SPEC §21). */
static void log_established(const struct session *s)
{
	const struct log_field f[] = {
		LOG_N("port", s->port), LOG_S("profile", s->profile->name),
		LOG_B("tls_enabled", s->profile->kind == PROFILE_SMTPS),
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

	memset(s, 0, offsetof(struct session, reply));
	s->cfg = cfg;
	s->profile = profile;
	if (resume != NULL)
		s->id = *resume;
	else
		handoff_new(&s->id, profile->name, peer);
	s->port = cfg->port > 0 ? cfg->port : s->id.peer.local_port > 0 ? s->id.peer.local_port : 0;
	s->client_ip = s->id.peer.client_ip;
	log_set_context(s->id.session_id, s->client_ip);
	terminated = clock_catch_sigterm();
	io_init(&s->io, 0, 1, terminated);
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

	if (resume != NULL && profile->kind != PROFILE_SMTPS) {
		s->state = ST_HELO;   /* STARTTLS was answered; smtps resumes before its greeting */
		session_start_tls(s);
	} else if (greeting_run(cfg, profile, s->port, &s->out, &s->id) == 0) {
		s->tls_on = profile->kind == PROFILE_SMTPS;
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
	          LOG_N("exit_status", s->exit_status));
	return s->exit_status;
}
