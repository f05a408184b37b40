/* ehlo: the EHLO name's keywords (SPEC §3, §17) as a table, and the EHLO reply they shape. Pure:
 * it turns "size10000-no8bit-authplain.example.com" into the extensions of a session, and
 * "replysplit-replybare.example.com" into the way its replies are shaped. */
#ifndef BADSMTP_EHLO_H
#define BADSMTP_EHLO_H

#include "reply.h"
#include "tlsfault.h"

#include <stddef.h>

enum ext {
	EXT_AUTH = 1 << 0,
	EXT_8BITMIME = 1 << 1,
	EXT_SIZE = 1 << 2,
	EXT_PIPELINING = 1 << 3,
	EXT_STARTTLS = 1 << 4,
	EXT_CHUNKING = 1 << 5,
	EXT_SMTPUTF8 = 1 << 6,
	EXT_ENHANCEDSTATUSCODES = 1 << 7,
	EXT_ALL = (1 << 8) - 1,   /* on unless a keyword switches them off */
	EXT_DSN = 1 << 8,         /* on only by the dsn keyword (SPEC §17) */
};

/* Keywords that change AUTH's manners rather than its mechanisms (SPEC §17). */
enum ehlo_auth_flags {
	EHLO_AUTH_EQUALS = 1,     /* authequals: an extra "AUTH=" line in the EHLO reply */
	EHLO_NO_CLEAR_AUTH = 2,   /* noclearauth: AUTH only after STARTTLS */
};

#define EHLO_SIZE_DEFAULT 10485760L
#define EHLO_SIZE_MIN 1000L
#define EHLO_SIZE_MAX 10000000L
#define EHLO_DELAY_MAX 605

struct ehlo_opts {
	unsigned ext;          /* EXT_* on for the session */
	unsigned auth_mechs;   /* AUTH_* mask offered */
	long size_limit;       /* enforced whether or not SIZE is advertised */
	int delay_seconds;     /* dlay{N}: 0 = none */
	int reject;            /* reject / noehl: EHLO gets 502 */
	unsigned auth_flags;   /* EHLO_AUTH_* */
	unsigned render;       /* reply shaping: REPLY_BARE … (reply.h) */
	unsigned pacing;       /* REPLY_SPLIT, REPLY_BYTES */
	enum tlsfault tls_fault;   /* tls{fault}: for the STARTTLS that follows (SPEC §16) */
};

/* Keywords of an EHLO argument. helo = 1 computes a HELO session: no extension at all (the
 * delay and the reply shaping remain). */
void ehlo_parse(const char *arg, size_t n, int helo, struct ehlo_opts *o);

/* The multi-line EHLO reply of SPEC §3 into r; tls_active drops STARTTLS (and, with
 * noclearauth, brings AUTH back). */
void ehlo_reply(const struct ehlo_opts *o, const char *hostname, int tls_active,
                struct reply *r);

#endif
