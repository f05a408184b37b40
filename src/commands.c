/* commands: the command table of the session module, and each command's steps (SPEC §2-§9). A
 * row says everything particular about its verb — where it is legal, whose trigger fires on it,
 * whether that trigger answers before its checks (AUTH), whether its chunk is read before
 * anything (BDAT), whether it ends a pipelining group or the session — and names its check step
 * (its own errors, answered) and its proceed step. The engine (session.c) runs them in order. */
#include "session_impl.h"

#include "handshake.h"
#include "log.h"
#include "text.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define RCPT_MAX 1000
#define DSN_TEXT_MAX 640   /* RCPT's NOTIFY= and an ORCPT= of at most 500 octets */
#define AFTER_GREETING (IN(ST_HELO) | IN(ST_MAIL) | IN(ST_RCPT) | IN(ST_BDAT))

/* ---- messages -------------------------------------------------------------------------------- */

static void begin_message(struct session *s)
{
	message_begin(&s->msg, s->cfg->maildir, s->cfg->hostname, &(struct maildir_envelope){
		.helo = s->helo_name, .client_ip = s->client_ip, .hostname = s->cfg->hostname,
		.session_id = s->id.session_id, .extended = s->extended, .tls = s->tls_on,
		.authenticated = s->authenticated, .received = (long long)time(NULL) },
		(unsigned long long)s->opts.size_limit);
}

static void refuse_size(struct session *s)
{
	unsigned long long limit = s->msg.limit;

	session_clear_transaction(s);
	session_reply_number(s, REPLY_SIZE_EXCEEDED, limit);
}

/* A data trigger at point `at` of the body, carried out: 1 when it answered or ended it all. */
static int body_verdict(struct session *s, enum trigger_point at)
{
	return session_verdict(s, session_trigger_for(s, NULL, VERB_DATA, at));
}

/* The end of a body (DATA's final dot, BDAT LAST; or its cutoff, SPEC §18): the verdicts of
 * the triggers in it and at its end, else 552, 452 or 250 — and a lost 250 after the message
 * is stored; either way the transaction is over. */
static void end_message(struct session *s)
{
	if (body_verdict(s, TRIGGER_IN_BODY) || body_verdict(s, TRIGGER_AT_BODY_END))
		return;
	if (message_over_limit(&s->msg)) {
		refuse_size(s);
		return;
	}
	if (message_commit(&s->msg, s->cfg->maildir) != 0) {
		session_clear_transaction(s);
		session_reply(s, REPLY_STORAGE);
		return;
	}
	if (body_verdict(s, TRIGGER_AT_STORED))
		return;
	session_clear_transaction(s);
	session_reply(s, REPLY_MESSAGE_ACCEPTED);
}

/* ---- check steps: each answers its own errors and returns -1, or returns 0 ------------------- */

static int no_argument(struct session *s, struct cmd *k)
{
	if (k->c->arg_len == 0)
		return 0;
	session_reply(s, REPLY_SYNTAX);
	return -1;
}

static int starttls_required(struct session *s)
{
	if (s->profile->kind != PROFILE_STARTTLS_REQUIRED || s->tls_on)
		return 0;
	session_reply(s, REPLY_STARTTLS_FIRST);
	return -1;
}

/* EHLO/HELO: a new greeting resets the session whatever its outcome (RFC 5321 §4.1.4), so the
 * reset comes before the verdict, and a refused greeting leaves the client in HELO state. */
static int check_greeting(struct session *s, struct cmd *k)
{
	const struct command *c = k->c;

	if (c->arg_len == 0 || text_has_control(c->arg, c->arg_len)) {
		session_reply(s, REPLY_SYNTAX);
		return -1;
	}
	ehlo_parse(c->arg, c->arg_len, c->verb == VERB_HELO, &k->opts);
	trigger_parse_helo(c->verb, c->arg, c->arg_len, &k->named);
	session_reset(s);
	if (k->opts.delay_seconds > 0) {
		session_set_delay(s, k->opts.delay_seconds);
		session_log_behaviour(s, "command_delay", k->opts.delay_seconds);
	}
	return 0;
}

/* SPEC §19: a non-ASCII address in a transaction whose MAIL FROM did not declare SMTPUTF8
 * (RFC 6531 §3.4), whatever it is answered. */
static void watch_utf8(struct session *s, const struct cmd *k, enum path_kind kind)
{
	unsigned declares = kind == PATH_MAIL ? command_path_declares(&k->path) : s->msg.declares;

	if (k->path.addr.non_ascii && !(declares & COMMAND_SMTPUTF8))
		violation_record(&s->violations, VIOLATION_UTF8, "%s<%s@%s>",
		                 kind == PATH_MAIL ? "MAIL FROM:" : "RCPT TO:", k->path.addr.local,
		                 k->path.addr.domain);
}

/* MAIL FROM / RCPT TO: the path, its address, its parameters; then the trigger it names. */
static int check_path(struct session *s, struct cmd *k, enum path_kind kind)
{
	unsigned long long limit = (unsigned long long)s->opts.size_limit;
	int parsed = command_parse_path(kind, k->c->arg, k->c->arg_len, &k->path) == 0;
	enum reply_id answer = parsed ? command_path_policy(kind, &k->path, s->opts.ext, limit)
	                              : REPLY_SYNTAX;

	if (parsed)
		watch_utf8(s, k, kind);
	if (answer == REPLY_OK && kind == PATH_RCPT && s->msg.nrcpts >= RCPT_MAX)
		answer = REPLY_TOO_MANY_RCPTS;
	if (answer != REPLY_OK) {
		/* the limit is REPLY_SIZE_EXCEEDED's {max}; the other texts have no "%s" */
		session_reply_number(s, answer, limit);
		return -1;
	}
	if (trigger_parse(k->path.addr.local, strlen(k->path.addr.local), &k->named)) {
		char address[MESSAGE_ADDRESS_MAX];

		command_address_text(&k->path.addr, address, sizeof address);
		trigger_set_key(&k->named, address, strlen(address));
	}
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

/* DATA and BDAT: no message without a recipient (SPEC §2). */
static int check_recipients(struct session *s)
{
	if (s->msg.nrcpts > 0)
		return 0;
	session_reply(s, REPLY_NO_RCPTS);
	return -1;
}

static int check_data(struct session *s, struct cmd *k)
{
	return no_argument(s, k) != 0 ? -1 : check_recipients(s);
}

/* BDAT (RFC 3030): its chunk is read before anything is answered, errors included, so chunk
 * bytes are never taken for commands (SPEC §6): the row's `before` step, ahead of the state
 * check. A chunk that opens a message starts storing it. */
static void read_chunk_first(struct session *s, struct cmd *k)
{
	enum io_status st;

	k->chunk_ok = command_parse_bdat(k->c->arg, k->c->arg_len, &k->chunk, &k->last) == 0;
	if (k->chunk_ok && s->state == ST_RCPT && s->msg.nrcpts > 0) {
		begin_message(s);
		session_set_state(s, ST_BDAT);
	}
	st = message_read_chunk(&s->msg, &s->io, k->chunk, k->chunk_ok && s->state == ST_BDAT,
	                        session_data_timeout_ms(s), session_body_cutoff(s));
	if (st != IO_OK)
		session_end_on_io(s, st);
	else if (s->msg.cut)
		body_verdict(s, TRIGGER_IN_BODY);
}

static int check_bdat(struct session *s, struct cmd *k)
{
	if (k->chunk_ok)
		return check_recipients(s);
	session_reply(s, REPLY_SYNTAX);
	return -1;
}

/* Without the extension (nostarttls, HELO) nothing of STARTTLS runs, arguments and triggers
 * included, as on a server that never had it (SPEC §3). */
static int check_starttls(struct session *s, struct cmd *k)
{
	if (s->tls_on || (s->opts.ext & EXT_STARTTLS))
		return no_argument(s, k);
	session_reply(s, REPLY_NOT_IMPLEMENTED);
	return -1;
}

/* SPEC §19: AUTH sent in clear, though STARTTLS was offered; ahead of every check (the row's
 * `before`): the credentials went out whatever the answer. */
static void watch_auth(struct session *s, struct cmd *k)
{
	struct auth_request req;
	const char *mech;

	if (s->tls_on || !s->extended || !(s->opts.ext & EXT_STARTTLS))
		return;
	mech = auth_parse_request(k->c->arg, k->c->arg_len, &req) == 0 ? auth_mech_name(req.mech)
	                                                               : "";
	violation_record(&s->violations, VIOLATION_AUTH_IN_CLEAR, "AUTH%s%s", *mech ? " " : "",
	                 mech);
}

/* AUTH (SPEC §5): its trigger has answered already (the row's TRIGGER_FIRST). */
static int check_auth(struct session *s, struct cmd *k)
{
	if (!(s->opts.ext & EXT_AUTH)) {
		session_reply(s, REPLY_NOT_IMPLEMENTED);
		return -1;
	}
	if (starttls_required(s) != 0)
		return -1;
	if ((s->opts.auth_flags & EHLO_NO_CLEAR_AUTH) && !s->tls_on) {
		session_reply(s, REPLY_AUTH_NEEDS_TLS);   /* noclearauth (SPEC §17) */
		return -1;
	}
	if (s->authenticated) {
		session_reply(s, REPLY_AUTH_ALREADY);
		return -1;
	}
	if (auth_parse_request(k->c->arg, k->c->arg_len, &k->auth) != 0) {
		session_reply(s, REPLY_SYNTAX);
		return -1;
	}
	if ((unsigned)k->auth.mech & s->opts.auth_mechs)
		return 0;
	session_reply(s, REPLY_AUTH_MECHANISM);
	return -1;
}

/* ---- proceed steps --------------------------------------------------------------------------- */

static void greet(struct session *s, struct cmd *k)
{
	int helo = k->c->verb == VERB_HELO;
	size_t n;

	if (!helo && k->opts.reject) {
		session_reply(s, REPLY_NOT_IMPLEMENTED);
		return;
	}
	session_set_opts(s, &k->opts);
	s->extended = !helo;
	n = k->c->arg_len < sizeof s->helo_name ? k->c->arg_len : sizeof s->helo_name - 1;
	memcpy(s->helo_name, k->c->arg, n);
	s->helo_name[n] = '\0';
	session_set_state(s, ST_MAIL);
	if (helo) {
		session_reply_args(s, REPLY_HELO_OK, &s->cfg->hostname, 1);
	} else {
		ehlo_reply(&s->opts, s->cfg->hostname, s->tls_on, &s->reply);
		session_send(s, &s->reply);
	}
}

/* A MAIL FROM that did not answer arms its trigger for the rest of the session (SPEC §4.1),
 * unless its verb's row says NOT_ARMED. */
static void mail(struct session *s, struct cmd *k)
{
	char dsn[DSN_TEXT_MAX];

	command_dsn_text(PATH_MAIL, &k->path, dsn, sizeof dsn);
	s->armed = session_commands[k->named.verb].flags & NOT_ARMED ? (struct trigger){ 0 }
	                                                             : k->named;
	message_set_sender(&s->msg, &k->path, dsn);
	session_set_state(s, ST_RCPT);
	session_reply(s, REPLY_OK);
}

static void rcpt(struct session *s, struct cmd *k)
{
	char dsn[DSN_TEXT_MAX];

	command_dsn_text(PATH_RCPT, &k->path, dsn, sizeof dsn);
	session_reply(s, message_add_rcpt(&s->msg, &k->path.addr, dsn) == 0 ? REPLY_OK
	                                                                   : REPLY_STORAGE);
}

static void data(struct session *s, struct cmd *k)
{
	enum io_status st;

	(void)k;
	begin_message(s);
	session_set_state(s, ST_DATA);
	session_reply(s, REPLY_DATA_GO);
	if (s->closing)
		return;
	st = message_read_data(&s->msg, &s->io, session_data_timeout_ms(s), session_body_cutoff(s));
	if (st != IO_OK) {
		session_end_on_io(s, st);
		return;
	}
	session_expect_reply(s, "DATA", 0);   /* the body's end does not end a group (RFC 2920) */
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
		session_reply(s, REPLY_OK);
}

static void rset(struct session *s, struct cmd *k)
{
	(void)k;
	session_clear_transaction(s);
	session_reply(s, REPLY_OK);
}

static void ok(struct session *s, struct cmd *k)
{
	(void)k;   /* RFC 5321 §4.1.1.9: NOOP may carry a string, which is ignored */
	session_reply(s, REPLY_OK);
}

static void quit(struct session *s, struct cmd *k)
{
	(void)k;
	session_reply(s, REPLY_BYE);
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
	char addr[COMMAND_LINE_MAX + 1];
	const char *args[] = { addr };
	size_t local_len, i = 0;

	if (command_parse_vrfy(k->c->arg, k->c->arg_len, addr, &local_len) != 0) {
		session_reply(s, REPLY_SYNTAX);
		return;
	}
	while (!text_case_prefix(addr, local_len, answers[i].prefix))
		i++;
	session_reply_args(s, answers[i].id, args, 1);
}

/* ---- TLS ------------------------------------------------------------------------------------- */

/* The handshake, then RFC 3207 §4.2: forget everything learnt before TLS. A failure closes
 * the session (exit 1). */
void session_start_tls(struct session *s)
{
	if (handshake_run(&s->io, s->cfg, &s->id, TLSFAULT_NONE) != 0) {
		session_close(s, 1);
		return;
	}
	s->tls_on = 1;
	s->authenticated = 0;
	session_reset(s);
	s->tls_started = 1;
}

/* STARTTLS (RFC 3207): reply, flush, drop any plaintext pipelined behind the command (it could
 * be an injected command), handshake with the TLS fault EHLO chose (SPEC §16): a refused one
 * gets 454 and the session goes on; inject adds a 250 to the 220's write. */
static void starttls(struct session *s, struct cmd *k)
{
	size_t injected;
	int ready;

	(void)k;
	if (s->tls_on) {
		session_reply(s, REPLY_TLS_ALREADY);
		return;
	}
	s->id.tls_fault = s->opts.tls_fault;
	ready = handshake_ready(s->cfg, s->id.tls_fault, TLSFAULT_NONE);
	if (ready != 0) {
		session_reply(s, ready == -2 ? REPLY_TLS_FAULT_REFUSED : REPLY_TLS_UNAVAILABLE);
		return;
	}
	session_reply(s, REPLY_STARTTLS_GO);
	if (tlsfault_spec(s->id.tls_fault)->inject)
		session_reply(s, REPLY_TLS_INJECTED);
	if (s->closing || io_flush(&s->io) != 0)
		return;
	injected = io_discard_input(&s->io);
	if (injected > 0)
		LOG_EVENT(LOG_LEVEL_WARN, "Plaintext after STARTTLS discarded",
		          LOG_N("bytes", injected));
	/* what the twin must know, should the handshake hand the session over (handoff.h) */
	violation_list(&s->violations, s->id.violations, sizeof s->id.violations);
	session_start_tls(s);
}

/* ---- AUTH ------------------------------------------------------------------------------------ */

static void authenticate(struct session *s, struct cmd *k)
{
	char out[AUTH_OUT_MAX], line[COMMAND_LINE_MAX + 1];
	const char *challenge[] = { out };
	enum auth_step step;

	step = auth_begin(&s->auth, k->auth.mech, k->auth.ir, k->auth.ir_len, k->auth.ir != NULL,
	                  s->cfg->hostname, s->id.session_id, (long long)time(NULL), out, sizeof out);
	while (step == AUTH_CHALLENGE) {
		size_t len;
		enum io_status st;

		session_reply_args(s, REPLY_AUTH_CHALLENGE, challenge, 1);
		if (s->closing)
			return;
		st = io_read_line(&s->io, line, COMMAND_LINE_MAX, &len, session_command_timeout_ms(s));
		s->out.delay_due = 1;
		if (st == IO_TOOLONG) {
			step = AUTH_MALFORMED;
		} else if (st != IO_OK) {
			session_end_on_io(s, st);
			return;
		} else {
			step = auth_continue(&s->auth, line, len, out, sizeof out);
		}
	}
	/* SPEC §18: the username's trigger replaces the 235, the exchange kept */
	if (step == AUTH_OK &&
	    trigger_parse_username(auth_username(&s->auth), strlen(auth_username(&s->auth)), &k->named) &&
	    session_verdict(s, session_trigger_for(s, k, VERB_AUTH, TRIGGER_AT_AUTH_END)))
		return;
	if (step == AUTH_OK || step == AUTH_FAILED) {
		int good = step == AUTH_OK;

		LOG_EVENT(good ? LOG_LEVEL_INFO : LOG_LEVEL_WARN,
		          good ? "SMTP authentication successful" : "SMTP authentication failed",
		          LOG_S("auth_mechanism", auth_mech_name(k->auth.mech)),
		          LOG_S("username", auth_username(&s->auth)), LOG_B("success", good));
		s->authenticated = good;
	}
	session_reply(s, step == AUTH_OK ? REPLY_AUTH_OK : step == AUTH_FAILED ? REPLY_AUTH_FAILED
	         : step == AUTH_CANCELLED ? REPLY_AUTH_CANCELLED
	         : step == AUTH_MALFORMED ? REPLY_SYNTAX : REPLY_AUTH_UNAVAILABLE);
}
/* ---- the table ------------------------------------------------------------------------------- */

const struct command_row session_commands[VERB_COUNT] = {
	[VERB_HELO] = { IN(ST_HELO) | IN(ST_MAIL) | IN(ST_RCPT), VERB_HELO, AFTER_TLS, 0,
	                NULL, check_greeting, greet },
	[VERB_EHLO] = { IN(ST_HELO) | IN(ST_MAIL) | IN(ST_RCPT), VERB_EHLO, ENDS_GROUP | AFTER_TLS, 0,
	                NULL, check_greeting, greet },
	[VERB_AUTH] = { IN(ST_MAIL), VERB_AUTH, ENDS_GROUP | TRIGGER_FIRST | CREDENTIAL, 0,
	                watch_auth, check_auth, authenticate },
	[VERB_MAIL] = { IN(ST_MAIL), VERB_MAIL, NOT_ARMED, 0, NULL, check_mail, mail },
	[VERB_RCPT] = { IN(ST_RCPT), VERB_RCPT, NOT_ARMED, 0, NULL, check_rcpt, rcpt },
	[VERB_DATA] = { IN(ST_RCPT), VERB_DATA, ENDS_GROUP, 0, NULL, check_data, data },
	[VERB_BDAT] = { IN(ST_RCPT) | IN(ST_BDAT), VERB_BDAT, 0, EXT_CHUNKING,
	                read_chunk_first, check_bdat, bdat },
	[VERB_RSET] = { AFTER_GREETING, VERB_RSET, AFTER_TLS, 0, NULL, no_argument, rset },
	[VERB_NOOP] = { AFTER_GREETING, VERB_NOOP, ENDS_GROUP | AFTER_TLS, 0, NULL, NULL, ok },
	[VERB_QUIT] = { AFTER_GREETING, VERB_QUIT, ENDS_GROUP | CLOSES | AFTER_TLS | NO_SERVICE_OK,
	                0, NULL, no_argument, quit },
	[VERB_STARTTLS] = { IN(ST_HELO) | IN(ST_MAIL), VERB_STARTTLS, ENDS_GROUP, 0,
	                    NULL, check_starttls, starttls },
	[VERB_VRFY] = { AFTER_GREETING, VERB_NONE, ENDS_GROUP, 0, NULL, NULL, vrfy },
};
