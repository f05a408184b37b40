/* session_impl: the inside of the session module, shared by its two files: session.c, the engine
 * (a session's life, its state and resets, the reply funnel's use, triggers and the one verdict,
 * the dispatcher and the loop), and commands.c, the command table (each verb's legal states, its
 * trigger, its flags, its check and proceed steps). Nothing outside the session module includes
 * it. */
#ifndef BADSMTP_SESSION_IMPL_H
#define BADSMTP_SESSION_IMPL_H

#include "auth.h"
#include "command.h"
#include "config.h"
#include "ehlo.h"
#include "handoff.h"
#include "io.h"
#include "message.h"
#include "profile.h"
#include "reply.h"
#include "respond.h"
#include "trigger.h"

enum state { ST_GREETING, ST_HELO, ST_MAIL, ST_RCPT, ST_DATA, ST_BDAT };

struct session {
	const struct config *cfg;
	const struct profile *profile;
	int port;                    /* the port the profile came from, for logs; 0 for none */
	enum state state;
	struct handoff id;           /* session id and start time: all that crosses into the twin */
	const char *client_ip;

	/* What EHLO/HELO set up; reset by the next one and by STARTTLS. That one was accepted is
	 * the state: MAIL or later. */
	int extended;                /* the accepted one was EHLO */
	struct ehlo_opts opts;
	char helo_name[256];
	int tls_on;
	int authenticated;
	struct trigger armed;        /* from the last accepted MAIL FROM */
	int tls_started;             /* STARTTLS is done and no command has come since */
	struct violations violations;   /* SPEC §19: the client's, for the whole connection */

	int no_service;              /* greeting-554: only NO_SERVICE_OK rows served (SPEC §17) */
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
	struct auth_request auth;    /* AUTH */
};

#define IN(st) (1u << (st))

enum row_flags {
	ENDS_GROUP = 1,      /* the client must wait for its reply (RFC 2920 §3.1, RFC 3207, 4954) */
	TRIGGER_FIRST = 2,   /* its trigger answers before its own checks (SPEC §5) */
	CLOSES = 4,          /* the session ends after it, whatever its reply */
	AFTER_TLS = 8,       /* it may be the first command after STARTTLS (RFC 3207 §4.2) */
	NO_SERVICE_OK = 16,  /* served after greeting-554 too; the rest get 503 (RFC 5321 §3.1) */
	CREDENTIAL = 32,     /* its words after the first are a credential: logged as one
	                        "[redacted]" (SPEC §11) */
	NOT_ARMED = 64,      /* a MAIL FROM naming its trigger does not arm it: it is that MAIL's
	                        own, or each RCPT's (SPEC §4.1) */
};

/* A verb's row: everything particular about the command. */
struct command_row {
	unsigned states;      /* where the command is legal; anything else gets 503 */
	enum verb trigger;    /* whose trigger fires on it; VERB_NONE: none */
	unsigned flags;
	unsigned needs_ext;   /* without this extension it is an unknown command (SPEC §3) */
	void (*before)(struct session *, struct cmd *);   /* ahead of even the state check */
	int (*check)(struct session *, struct cmd *);     /* 0, or it answered: -1 */
	void (*proceed)(struct session *, struct cmd *);
};

/* commands.c */
extern const struct command_row session_commands[VERB_COUNT];
/* The handshake of STARTTLS or of a resumed session, then RFC 3207 §4.2's reset. */
void session_start_tls(struct session *s);

/* session.c: replies (all through the respond funnel) */
void session_send(struct session *s, const struct reply *r);
void session_reply(struct session *s, enum reply_id id);
void session_reply_args(struct session *s, enum reply_id id, const char *const *args, size_t n);
/* A catalogue reply whose one "%s" is value (texts without one ignore it). */
void session_reply_number(struct session *s, enum reply_id id, unsigned long long value);
void session_close(struct session *s, int status);

/* session.c: state */
void session_set_state(struct session *s, enum state next);
void session_set_opts(struct session *s, const struct ehlo_opts *o);
void session_set_delay(struct session *s, int seconds);
void session_clear_transaction(struct session *s);
void session_reset(struct session *s);
void session_log_behaviour(struct session *s, const char *behaviour, int delay);
/* SPEC §19: the client must now wait for the reply to after ("EHLO" …: a static string) before
 * it sends more; ends_group: that command ends a pipelining group. */
void session_expect_reply(struct session *s, const char *after, int ends_group);
int session_command_timeout_ms(const struct session *s);
int session_data_timeout_ms(const struct session *s);
/* A wait that brought no input ends the session (timeout 421, SIGTERM 421, EOF). */
void session_end_on_io(struct session *s, enum io_status st);

/* session.c: triggers */
/* The trigger that fires on command v at point `at`, if any: the one k names, else the armed
 * one. */
const struct trigger *session_trigger_for(const struct session *s, const struct cmd *k,
                                          enum verb v, enum trigger_point at);
/* Carries out t (NULL: nothing). 1 when it answered the command or ended the session, 0 when
 * the command goes on (a wait, a fail-N trigger past its N, a greylisted triplet let through). */
int session_verdict(struct session *s, const struct trigger *t);
/* Where the body's reading must stop for a trigger in the middle of it; 0: at its end. */
unsigned long long session_body_cutoff(const struct session *s);

#endif
