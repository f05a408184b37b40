/* trigger: the pure grammar of error triggers (SPEC §4, §18): address local parts of the form
 * {verb}{code}[_{x.y.z}] and the faults of a transaction ({verb}wait{N}, {verb}drop,
 * datadrop{K}, datalost, dataend{code}, data{code}at{K}, {verb}{code}x{N}, grey{S}), the AUTH
 * username's trigger and the helo{code}/ehlo{code} EHLO label, parsed into a value the session's
 * verdict carries out. No session state here: when a trigger fires is the session's business
 * (its command table and session_trigger_for), what it does is session_verdict's. */
#ifndef BADSMTP_TRIGGER_H
#define BADSMTP_TRIGGER_H

#include "command.h"

#include <stddef.h>

#define TRIGGER_ENHANCED_MAX 12
/* An address (local part, '@', domain) or an AUTH username, with its NUL. */
#define TRIGGER_KEY_MAX (ADDRESS_LOCAL_MAX + ADDRESS_DOMAIN_MAX + 2)

/* What the trigger does when it fires. */
enum trigger_action {
	TRIGGER_REPLY,       /* {code} {text} instead of the reply (fail_n: the first N times only) */
	TRIGGER_WAIT,        /* the normal reply, number seconds later */
	TRIGGER_DROP,        /* close without a reply */
	TRIGGER_DATA_DROP,   /* close after number octets of the body; nothing stored */
	TRIGGER_DATA_LOST,   /* the message stored, then close without the 250 */
	TRIGGER_REPLY_AT,    /* {code} {text} after number octets of the body, then close */
	TRIGGER_GREYLIST,    /* 450 until number seconds after the first attempt of the triplet */
};

/* Where in the session it fires. */
enum trigger_point {
	TRIGGER_AT_COMMAND,   /* when its command comes (BDAT: after the chunk) */
	TRIGGER_IN_BODY,      /* after number octets of the body have arrived */
	TRIGGER_AT_BODY_END,  /* the body read whole: DATA's final dot, BDAT LAST's chunk */
	TRIGGER_AT_STORED,    /* the message in new/, before the 250 */
	TRIGGER_AT_AUTH_END,  /* the AUTH exchange over: instead of its 235 */
};

struct trigger {
	enum verb verb;                       /* the command it fires on; VERB_NONE: none */
	int code;                             /* 400-599 (REPLY, REPLY_AT) */
	char enhanced[TRIGGER_ENHANCED_MAX];  /* "5.1.1", or "" */
	enum trigger_action action;
	enum trigger_point at;
	unsigned long long number;            /* WAIT and GREYLIST seconds, DATA_DROP, REPLY_AT octets */
	int fail_n;                           /* x{N}: N (1-100); 0: it fires every time */
	char key[TRIGGER_KEY_MAX];            /* whose trigger, lower-cased: what fail-N counts by */
};

/* Parses a local part (case-insensitively). Returns 1 and fills t for a trigger, 0 for an
 * ordinary local part (t->verb = VERB_NONE). Numbers out of their range, or with a leading
 * zero, make an ordinary local part. */
int trigger_parse(const char *local, size_t n, struct trigger *t);

/* The trigger an AUTH username asks for (SPEC §18): its part before any '@' is auth{code},
 * auth{code}_{x.y.z} or auth{code}x{N}[_{x.y.z}]. 1 and t (firing at the end of the exchange,
 * keyed by the whole username), else 0. */
int trigger_parse_username(const char *user, size_t n, struct trigger *t);

/* Sets t->key: p[0..n) lower-cased (cut to TRIGGER_KEY_MAX - 1). */
void trigger_set_key(struct trigger *t, const char *p, size_t n);

/* helo{code} / ehlo{code} as the whole first label of the argument of command v (HELO or
 * EHLO): 1 and t (firing on v, no enhanced code: SPEC §4.3), else 0. */
int trigger_parse_helo(enum verb v, const char *arg, size_t n, struct trigger *t);

/* The trigger as the client wrote it, lower-case, for logs: "mail550_5.1.1", "rcpt451x3",
 * "datadrop100". */
void trigger_name(const struct trigger *t, char *out, size_t cap);

#endif
