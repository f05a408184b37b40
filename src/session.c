/* session: one SMTP conversation, RFC 5321 with the faults of SPEC.md. Each command is one row
 * of the command table, and goes through the same steps in dispatch(): parse → legal in this
 * state? (503) → its check step (its own 501, 502, 504, 530, 555 …) → the trigger's verdict →
 * its proceed step. A row says everything particular about its command (where its chunk is read,
 * whether its trigger answers before its checks, whether it closes the session); verdict() is the
 * one place a trigger is carried out, and send_reply() the one funnel every reply leaves by.
 * Not here: byte buffering (io), reply texts and rendering (reply), syntax (command, trigger,
 * ehlo), SASL (auth), TLS (tls, through handoff), storage and its headers (maildir). */
#include "session.h"

#include "auth.h"
#include "clock.h"
#include "command.h"
#include "ehlo.h"
#include "handshake.h"
#include "io.h"
#include "log.h"
#include "message.h"
#include "reply.h"
#include "respond.h"
#include "text.h"
#include "tls.h"
#include "trigger.h"

#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define RCPT_MAX 1000
#define ARGS_LOGGED_MAX 32
#define LINGER_MS 200

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
	int tls_on;
	int authenticated;
	struct trigger armed;        /* from the last accepted MAIL FROM */

	/* The transaction. */
	char sender[ADDRESS_LOCAL_MAX + ADDRESS_DOMAIN_MAX + 2];
	char **rcpts;
	size_t nrcpts;

	int closing;
	int exit_status;
	struct auth auth;
	struct respond out;

	/* The big buffers come last: session_run clears only what lies before them, so pages a
	 * short session never uses are never touched. */
	struct reply reply;          /* the one being built: replies are built and sent one by one */
	struct io io;
	struct message msg;          /* the body of the transaction */
};

/* A command in hand: what its check step learnt, for its verdict and its proceed step. */
struct cmd {
	const struct command *c;
	struct trigger named;        /* the trigger its own argument names (address, EHLO label) */
	struct path path;            /* MAIL, RCPT */
	struct ehlo_opts opts;       /* EHLO, HELO */
	unsigned long long chunk;    /* BDAT: its size, LAST, well-formed arguments */
	int last, chunk_ok;
	int mech;                    /* AUTH */
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

/* SIGTERM: whatever was queued goes first, then this, then we close (SPEC §10). */
static void shut_down(struct session *s)
{
	struct reply r;

	reply_make(&r, REPLY_SHUTDOWN, NULL, 0);
	if (respond_now(&s->out, &r) != 0)
		close_with(s, 1);
}

/* Every reply leaves by the respond funnel; a 421 closes the session (SPEC §4.2). */
static void send_reply(struct session *s, const struct reply *r)
{
	if (!s->closing && respond_send(&s->out, r) != 0)
		close_with(s, 1);
}

static void reply_args(struct session *s, enum reply_id id, const char *const *args, size_t n)
{
	reply_make(&s->reply, id, args, n);
	send_reply(s, &s->reply);
}

static void reply(struct session *s, enum reply_id id)
{
	reply_args(s, id, NULL, 0);
}

static void reply_number(struct session *s, enum reply_id id, unsigned long long value)
{
	char number[24];
	const char *args[] = { number };

	snprintf(number, sizeof number, "%llu", value);
	reply_args(s, id, args, 1);
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
	message_abort(&s->msg);
	set_state(s, s->greeted ? ST_MAIL : ST_HELO);
}

static void set_delay(struct session *s, int seconds)
{
	s->out.delay_ms = clock_scaled_ms(seconds);
}

/* The extensions and limits of the session, and so how its replies render. */
static void set_opts(struct session *s, const struct ehlo_opts *o)
{
	s->opts = *o;
	s->out.render = o->ext & EXT_ENHANCEDSTATUSCODES ? REPLY_WITH_ENHANCED : 0;
}

/* What a new EHLO/HELO or STARTTLS forgets (SPEC §4.1, §7). */
static void reset_session(struct session *s)
{
	struct ehlo_opts defaults;

	s->greeted = s->extended = 0;
	s->armed = (struct trigger){ 0 };
	ehlo_parse("", 0, 0, &defaults);
	set_opts(s, &defaults);
	set_delay(s, s->profile->kind == PROFILE_COMMAND_DELAY ? s->profile->delay_seconds : 0);
	s->helo_name[0] = '\0';
	clear_transaction(s);
}

/* ---- triggers --------------------------------------------------------------------------- */

/* Which trigger fires on command v (SPEC §4.1): the one its own argument names (MAIL FROM and
 * RCPT TO addresses, the EHLO label), else the one the last MAIL FROM armed. A BDAT transfer has
 * no DATA command: its last chunk is where a data trigger fires. */
static const struct trigger *trigger_for(const struct session *s, const struct cmd *k,
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
static int verdict(struct session *s, const struct trigger *t)
{
	char name[64];

	if (t == NULL)
		return 0;
	trigger_name(t, name, sizeof name);
	LOG_EVENT(LOG_LEVEL_WARN, "SMTP error simulation triggered", LOG_N("error_code", t->code),
	          LOG_S("trigger", name), LOG_S("smtp_stage", state_names[s->state]));
	if (s->state == ST_DATA || s->state == ST_BDAT)
		clear_transaction(s);
	reply_make_code(&s->reply, t->code, t->enhanced);
	send_reply(s, &s->reply);
	return 1;
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
	message_abort(&s->msg);
	s->out.delay_due = 0;
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

static void begin_message(struct session *s)
{
	LOG_EVENT(LOG_LEVEL_INFO, "SMTP message processing started", LOG_S("mail_from", s->sender),
	          LOG_V("rcpt_to", (const char *const *)s->rcpts, s->nrcpts),
	          LOG_N("rcpt_count", s->nrcpts));
	message_begin(&s->msg, s->cfg->maildir, s->cfg->hostname, &(struct maildir_envelope){
		.sender = s->sender, .rcpts = (const char *const *)s->rcpts, .nrcpts = s->nrcpts,
		.helo = s->helo_name, .client_ip = s->client_ip, .hostname = s->cfg->hostname,
		.session_id = s->session_id, .extended = s->extended, .tls = s->tls_on,
		.authenticated = s->authenticated, .received = (long long)time(NULL) },
		(unsigned long long)s->opts.size_limit);
}

static void refuse_size(struct session *s)
{
	unsigned long long limit = s->msg.limit;

	clear_transaction(s);
	reply_number(s, REPLY_SIZE_EXCEEDED, limit);
}

/* The end of a body that was read whole (DATA's final dot, BDAT LAST): the trigger's verdict,
 * else 552, 452 or 250; either way the transaction is over. */
static void end_message(struct session *s)
{
	int storing = s->msg.storing;

	if (verdict(s, trigger_for(s, NULL, s->state == ST_BDAT ? VERB_DATA : VERB_NONE)))
		return;
	if (message_over_limit(&s->msg)) {
		refuse_size(s);
		return;
	}
	if (message_commit(&s->msg) != 0) {
		LOG_EVENT(LOG_LEVEL_ERROR, "SMTP message storage failed",
		          LOG_S("maildir", s->cfg->maildir));
		clear_transaction(s);
		reply(s, REPLY_STORAGE);
		return;
	}
	if (storing)
		LOG_EVENT(LOG_LEVEL_INFO, "SMTP message stored successfully",
		          LOG_S("mail_from", s->sender),
		          LOG_V("rcpt_to", (const char *const *)s->rcpts, s->nrcpts),
		          LOG_N("message_size", s->msg.size), LOG_S("path", s->msg.file.new_path));
	clear_transaction(s);
	reply(s, REPLY_MESSAGE_ACCEPTED);
}

/* ---- check steps: each answers its own errors and returns -1, or returns 0 ------------------- */

static int no_argument(struct session *s, struct cmd *k)
{
	if (k->c->arg_len == 0)
		return 0;
	reply(s, REPLY_SYNTAX);
	return -1;
}

static int starttls_required(struct session *s)
{
	if (s->profile->kind != PROFILE_STARTTLS_REQUIRED || s->tls_on)
		return 0;
	reply(s, REPLY_STARTTLS_FIRST);
	return -1;
}

/* EHLO/HELO: a new greeting resets the session whatever its outcome (RFC 5321 §4.1.4), so the
 * reset comes before the verdict, and a refused greeting leaves the client in HELO state. */
static int check_greeting(struct session *s, struct cmd *k)
{
	const struct command *c = k->c;

	if (c->arg_len == 0 || text_has_control(c->arg, c->arg_len)) {
		reply(s, REPLY_SYNTAX);
		return -1;
	}
	ehlo_parse(c->arg, c->arg_len, c->verb == VERB_HELO, &k->opts);
	trigger_parse_helo(c->verb, c->arg, c->arg_len, &k->named);
	reset_session(s);
	if (k->opts.delay_seconds > 0) {
		set_delay(s, k->opts.delay_seconds);
		log_behaviour(s, "command_delay", k->opts.delay_seconds);
	}
	return 0;
}

/* 0 when the address may be used; otherwise the reply was sent. */
static int address_allowed(struct session *s, const struct address *a)
{
	if (!a->non_ascii || (s->opts.ext & EXT_SMTPUTF8))
		return 0;
	reply(s, REPLY_NON_ASCII);
	return -1;
}

/* ESMTP parameters (SPEC §2): each belongs to an extension that must be on for the session. */
static int params_allowed(struct session *s, enum path_kind kind, const struct path *path)
{
	for (size_t i = 0; i < path->nparams; i++) {
		struct param_check p;

		command_check_param(kind, &path->params[i], &p);
		if (p.kind == PARAM_UNKNOWN || !(s->opts.ext & p.ext)) {
			reply(s, REPLY_PARAMS);
			return -1;
		}
		if (!p.valid) {
			reply(s, REPLY_SYNTAX);
			return -1;
		}
		if (p.kind == PARAM_SIZE && p.size > (unsigned long long)s->opts.size_limit) {
			reply_number(s, REPLY_SIZE_EXCEEDED, (unsigned long long)s->opts.size_limit);
			return -1;
		}
	}
	return 0;
}

/* MAIL FROM / RCPT TO: the path, its address, its parameters; then the trigger it names. */
static int check_path(struct session *s, struct cmd *k, enum path_kind kind)
{
	const struct address *a = &k->path.addr;

	if (command_parse_path(kind, k->c->arg, k->c->arg_len, &k->path) != 0) {
		reply(s, REPLY_SYNTAX);
		return -1;
	}
	if (address_allowed(s, a) != 0 || params_allowed(s, kind, &k->path) != 0)
		return -1;
	if (kind == PATH_RCPT && s->nrcpts >= RCPT_MAX) {
		reply(s, REPLY_TOO_MANY_RCPTS);
		return -1;
	}
	trigger_parse(a->local, strlen(a->local), &k->named);
	return 0;
}

static int check_mail(struct session *s, struct cmd *k)
{
	return starttls_required(s) != 0 ? -1 : check_path(s, k, PATH_MAIL);
}

static int check_rcpt(struct session *s, struct cmd *k)
{
	return check_path(s, k, PATH_RCPT);
}

static int check_data(struct session *s, struct cmd *k)
{
	if (no_argument(s, k) != 0)
		return -1;
	if (s->nrcpts > 0)
		return 0;
	reply(s, REPLY_NO_RCPTS);
	return -1;
}

/* BDAT (RFC 3030): its chunk is read before anything is answered, errors included, so chunk
 * bytes are never taken for commands (SPEC §6): the row's `before` step, ahead of the state
 * check. A chunk that opens a message starts storing it. */
static void read_chunk_first(struct session *s, struct cmd *k)
{
	enum io_status st;

	k->chunk_ok = command_parse_bdat(k->c->arg, k->c->arg_len, &k->chunk, &k->last) == 0;
	if (k->chunk_ok && s->state == ST_RCPT && s->nrcpts > 0) {
		begin_message(s);
		set_state(s, ST_BDAT);
	}
	st = message_read_chunk(&s->msg, &s->io, k->chunk, k->chunk_ok && s->state == ST_BDAT,
	                        data_timeout_ms(s));
	if (st != IO_OK)
		end_on_io(s, st);
}

static int check_bdat(struct session *s, struct cmd *k)
{
	if (!k->chunk_ok) {
		reply(s, REPLY_SYNTAX);
		return -1;
	}
	if (s->nrcpts > 0)
		return 0;
	reply(s, REPLY_NO_RCPTS);
	return -1;
}

/* Without the extension (nostarttls, HELO) nothing of STARTTLS runs, arguments and triggers
 * included, as on a server that never had it (SPEC §3). */
static int check_starttls(struct session *s, struct cmd *k)
{
	if (s->tls_on || (s->opts.ext & EXT_STARTTLS))
		return no_argument(s, k);
	reply(s, REPLY_NOT_IMPLEMENTED);
	return -1;
}

/* AUTH (SPEC §5): its trigger has answered already (the row's TRIGGER_FIRST). */
static int check_auth(struct session *s, struct cmd *k)
{
	const struct command *c = k->c;
	const char *sp = memchr(c->arg, ' ', c->arg_len);
	size_t mech_len = sp ? (size_t)(sp - c->arg) : c->arg_len;

	if (!(s->opts.ext & EXT_AUTH)) {
		reply(s, REPLY_NOT_IMPLEMENTED);
		return -1;
	}
	if (starttls_required(s) != 0)
		return -1;
	if (s->authenticated) {
		reply(s, REPLY_AUTH_ALREADY);
		return -1;
	}
	if (mech_len == 0 || (sp != NULL && memchr(sp + 1, ' ', c->arg_len - mech_len - 1))) {
		reply(s, REPLY_SYNTAX);
		return -1;
	}
	k->mech = auth_mech_lookup(c->arg, mech_len);
	if (k->mech != 0 && ((unsigned)k->mech & s->opts.auth_mechs))
		return 0;
	reply(s, REPLY_AUTH_MECHANISM);
	return -1;
}

/* ---- proceed steps ----------------------------------------------------------------------------- */

static void greet(struct session *s, struct cmd *k)
{
	int helo = k->c->verb == VERB_HELO;

	if (!helo && k->opts.reject) {
		reply(s, REPLY_NOT_IMPLEMENTED);
		return;
	}
	set_opts(s, &k->opts);
	s->greeted = 1;
	s->extended = !helo;
	snprintf(s->helo_name, sizeof s->helo_name, "%.*s", (int)k->c->arg_len, k->c->arg);
	set_state(s, ST_MAIL);
	if (helo) {
		reply_args(s, REPLY_HELO_OK, &s->cfg->hostname, 1);
	} else {
		ehlo_reply(&s->opts, s->cfg->hostname, s->tls_on, &s->reply);
		send_reply(s, &s->reply);
	}
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

/* A MAIL FROM that did not fire arms its trigger for the rest of the session (SPEC §4.1). */
static void mail(struct session *s, struct cmd *k)
{
	s->armed = k->named.verb == VERB_RCPT ? (struct trigger){ 0 } : k->named;
	format_address(&k->path.addr, s->sender, sizeof s->sender);
	set_state(s, ST_RCPT);
	reply(s, REPLY_OK);
}

static void rcpt(struct session *s, struct cmd *k)
{
	char addr[sizeof s->sender];
	char **grown;

	format_address(&k->path.addr, addr, sizeof addr);
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

static void data(struct session *s, struct cmd *k)
{
	enum io_status st;

	(void)k;
	begin_message(s);
	set_state(s, ST_DATA);
	reply(s, REPLY_DATA_GO);
	if (s->closing)
		return;
	st = message_read_data(&s->msg, &s->io, data_timeout_ms(s));
	if (st != IO_OK) {
		end_on_io(s, st);
		return;
	}
	s->out.delay_due = 1;
	end_message(s);
}

/* A chunk over the size limit abandons the message; later chunks of it meet MAIL state. */
static void bdat(struct session *s, struct cmd *k)
{
	if (k->last)
		end_message(s);
	else if (message_over_limit(&s->msg))
		refuse_size(s);
	else
		reply(s, REPLY_OK);
}

static void rset(struct session *s, struct cmd *k)
{
	(void)k;
	clear_transaction(s);
	reply(s, REPLY_OK);
}

static void ok(struct session *s, struct cmd *k)
{
	(void)k;   /* RFC 5321 §4.1.1.9: NOOP may carry a string, which is ignored */
	reply(s, REPLY_OK);
}

static void quit(struct session *s, struct cmd *k)
{
	(void)k;
	reply(s, REPLY_BYE);
}

/* VRFY (SPEC §9): the local part's prefix decides; nothing is looked up. */
static void vrfy(struct session *s, struct cmd *k)
{
	static const struct {
		const char *prefix;
		enum reply_id id;
	} answers[] = {
		{ "exists", REPLY_VRFY_EXISTS }, { "unknown", REPLY_VRFY_NOT_LOCAL },
		{ "ambiguous", REPLY_VRFY_AMBIGUOUS }, { "", REPLY_VRFY_UNAVAILABLE },
	};
	char joined[COMMAND_LINE_MAX + 1], addr[COMMAND_LINE_MAX + 1];
	const char *args[] = { addr };
	struct vrfy v;
	size_t i = 0;

	if (command_parse_vrfy(k->c->arg, k->c->arg_len, joined, &v) != 0) {
		reply(s, REPLY_SYNTAX);
		return;
	}
	while (!text_case_prefix(v.local, v.local_len, answers[i].prefix))
		i++;
	/* The address as given, but for the domain's case (SPEC §9). */
	memcpy(addr, v.local, v.local_len);
	addr[v.local_len] = '@';
	text_lower_copy(addr + v.local_len + 1, v.domain, v.domain_len);
	reply_args(s, answers[i].id, args, 1);
}

/* ---- TLS ------------------------------------------------------------------------------------------ */

/* The handshake, then RFC 3207 §4.2: forget everything learnt before TLS. A failure closes
 * the session (exit 1). */
static void start_tls(struct session *s)
{
	struct handoff resume = { .started_ms = s->started_ms };

	snprintf(resume.session_id, sizeof resume.session_id, "%s", s->session_id);
	if (handshake_run(&s->io, s->cfg, &resume) != 0) {
		close_with(s, 1);
		return;
	}
	s->tls_on = 1;
	s->authenticated = 0;
	reset_session(s);
}

/* STARTTLS (RFC 3207): reply, flush, drop any plaintext pipelined behind the command (it could
 * be an injected command), handshake. */
static void starttls(struct session *s, struct cmd *k)
{
	size_t injected;

	(void)k;
	if (s->tls_on) {
		reply(s, REPLY_TLS_ALREADY);
		return;
	}
	if (handshake_ready(s->cfg) != 0) {
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
	start_tls(s);
}

/* ---- AUTH ------------------------------------------------------------------------------------------ */

static void authenticate(struct session *s, struct cmd *k)
{
	const struct command *c = k->c;
	char out[AUTH_OUT_MAX], line[COMMAND_LINE_MAX + 1];
	const char *sp = memchr(c->arg, ' ', c->arg_len);
	enum auth_step step;

	step = auth_begin(&s->auth, k->mech, sp ? sp + 1 : NULL,
	                  sp ? c->arg_len - (size_t)(sp + 1 - c->arg) : 0, sp != NULL,
	                  s->cfg->hostname, s->session_id, (long long)time(NULL), out, sizeof out);
	while (step == AUTH_CHALLENGE) {
		size_t len;
		enum io_status st;

		reply_make_text(&s->reply, 334, out, strlen(out));
		send_reply(s, &s->reply);
		if (s->closing)
			return;
		st = io_read_line(&s->io, line, COMMAND_LINE_MAX, &len, command_timeout_ms(s));
		s->out.delay_due = 1;
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
		int good = step == AUTH_OK;

		LOG_EVENT(good ? LOG_LEVEL_INFO : LOG_LEVEL_WARN,
		          good ? "SMTP authentication successful" : "SMTP authentication failed",
		          LOG_S("auth_mechanism", auth_mech_name(k->mech)),
		          LOG_S("username", auth_username(&s->auth)), LOG_B("success", good));
		s->authenticated = good;
	}
	reply(s, step == AUTH_OK ? REPLY_AUTH_OK : step == AUTH_FAILED ? REPLY_AUTH_FAILED
	         : step == AUTH_CANCELLED ? REPLY_AUTH_CANCELLED
	         : step == AUTH_MALFORMED ? REPLY_SYNTAX : REPLY_AUTH_UNAVAILABLE);
}

/* ---- the command table and the loop ----------------------------------------------------------- */

#define IN(st) (1u << (st))
#define AFTER_GREETING (IN(ST_HELO) | IN(ST_MAIL) | IN(ST_RCPT) | IN(ST_BDAT))

enum row_flags {
	ENDS_GROUP = 1,      /* the client must wait for its reply (RFC 2920 §3.1, RFC 3207, 4954) */
	TRIGGER_FIRST = 2,   /* its trigger answers before its own checks (SPEC §5) */
	CLOSES = 4,          /* the session ends after it, whatever its reply */
};

static const struct command_row {
	unsigned states;      /* where the command is legal; anything else gets 503 */
	enum verb trigger;    /* whose trigger fires on it; VERB_NONE: none */
	unsigned flags;
	unsigned needs_ext;   /* without this extension it is an unknown command (SPEC §3) */
	void (*before)(struct session *, struct cmd *);   /* ahead of even the state check */
	int (*check)(struct session *, struct cmd *);
	void (*proceed)(struct session *, struct cmd *);
} commands[VERB_COUNT] = {
	[VERB_HELO] = { IN(ST_HELO) | IN(ST_MAIL) | IN(ST_RCPT), VERB_HELO, 0, 0,
	                NULL, check_greeting, greet },
	[VERB_EHLO] = { IN(ST_HELO) | IN(ST_MAIL) | IN(ST_RCPT), VERB_EHLO, ENDS_GROUP, 0,
	                NULL, check_greeting, greet },
	[VERB_AUTH] = { IN(ST_MAIL), VERB_AUTH, ENDS_GROUP | TRIGGER_FIRST, 0,
	                NULL, check_auth, authenticate },
	[VERB_MAIL] = { IN(ST_MAIL), VERB_MAIL, 0, 0, NULL, check_mail, mail },
	[VERB_RCPT] = { IN(ST_RCPT), VERB_RCPT, 0, 0, NULL, check_rcpt, rcpt },
	[VERB_DATA] = { IN(ST_RCPT), VERB_DATA, ENDS_GROUP, 0, NULL, check_data, data },
	[VERB_BDAT] = { IN(ST_RCPT) | IN(ST_BDAT), VERB_BDAT, 0, EXT_CHUNKING,
	                read_chunk_first, check_bdat, bdat },
	[VERB_RSET] = { AFTER_GREETING, VERB_RSET, 0, 0, NULL, no_argument, rset },
	[VERB_NOOP] = { AFTER_GREETING, VERB_NOOP, ENDS_GROUP, 0, NULL, NULL, ok },
	[VERB_QUIT] = { AFTER_GREETING, VERB_QUIT, ENDS_GROUP | CLOSES, 0, NULL, no_argument, quit },
	[VERB_STARTTLS] = { IN(ST_HELO) | IN(ST_MAIL), VERB_STARTTLS, ENDS_GROUP, 0,
	                    NULL, check_starttls, starttls },
	[VERB_VRFY] = { AFTER_GREETING, VERB_NONE, ENDS_GROUP, 0, NULL, NULL, vrfy },
};

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
	const struct command_row *row = &commands[c->verb];
	struct cmd k = { .c = c };
	const char *bad_sequence[2];

	if (c->verb == VERB_NONE || (row->needs_ext & ~s->opts.ext)) {
		reply(s, REPLY_UNRECOGNISED);
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
		reply_args(s, REPLY_BAD_SEQUENCE, bad_sequence, 2);
		return;
	}
	if (!((row->flags & TRIGGER_FIRST) && verdict(s, trigger_for(s, &k, row->trigger))) &&
	    (row->check == NULL || row->check(s, &k) == 0) &&
	    ((row->flags & TRIGGER_FIRST) || !verdict(s, trigger_for(s, &k, row->trigger))))
		row->proceed(s, &k);
	if ((row->flags & CLOSES) && !s->closing)
		close_with(s, 0);
}

static void handle_line(struct session *s, const char *line, size_t len)
{
	struct command c;

	if (command_parse(line, len, &c) != 0) {
		s->out.delay_due = 1;
		reply(s, REPLY_UNRECOGNISED);
		return;
	}
	if (c.verb_len == 0)
		return;   /* an empty line gets no reply */
	log_command(s, &c);
	s->out.delay_due = 1;
	dispatch(s, &c);
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
		if (handshake_ready(s->cfg) != 0) {
			close_with(s, 1);
			return -1;
		}
		start_tls(s);
		return s->closing ? -1 : 0;
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

	memset(s, 0, offsetof(struct session, reply));
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
	respond_init(&s->out, &s->io, &terminated);
	reset_session(s);
	s->state = ST_GREETING;
	if (resume == NULL)
		LOG_EVENT(LOG_LEVEL_INFO, "SMTP connection established", LOG_N("port", s->port),
		          LOG_S("profile", profile->name),
		          LOG_B("tls_enabled", profile->kind == PROFILE_SMTPS));

	if (resume != NULL && profile->kind != PROFILE_SMTPS) {
		s->state = ST_HELO;   /* STARTTLS was answered; smtps resumes before its greeting */
		start_tls(s);
	} else if (before_greeting(s) == 0) {
		reply_args(s, REPLY_GREETING, &cfg->hostname, 1);
		set_state(s, ST_HELO);
	}
	while (!s->closing) {
		size_t len = 0;
		enum io_status st = io_read_line(&s->io, line, COMMAND_LINE_MAX, &len,
		                                 command_timeout_ms(s));

		if (st == IO_OK) {
			handle_line(s, line, len);
		} else if (st == IO_TOOLONG) {
			s->out.delay_due = 1;
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
