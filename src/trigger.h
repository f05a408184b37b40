/* trigger: the pure grammar of error triggers (SPEC §4): address local parts of the form
 * {verb}{code}[_{x.y.z}] and the helo{code}/ehlo{code} EHLO label, parsed into a value the
 * session's verdict carries out. No session state here: when a trigger fires is the session's
 * business (its command table). */
#ifndef BADSMTP_TRIGGER_H
#define BADSMTP_TRIGGER_H

#include "command.h"

#include <stddef.h>

#define TRIGGER_ENHANCED_MAX 12

struct trigger {
	enum verb verb;                       /* the command it fires on; VERB_NONE: none */
	int code;                             /* 400-599 */
	char enhanced[TRIGGER_ENHANCED_MAX];  /* "5.1.1", or "" */
};

/* Parses a local part (case-insensitively). Returns 1 and fills t for a trigger, 0 for an
 * ordinary local part (t->verb = VERB_NONE). */
int trigger_parse(const char *local, size_t n, struct trigger *t);

/* helo{code} / ehlo{code} as the whole first label of the argument of command v (HELO or
 * EHLO): 1 and t (firing on v, no enhanced code: SPEC §4.3), else 0. */
int trigger_parse_helo(enum verb v, const char *arg, size_t n, struct trigger *t);

/* The trigger as the client wrote it, lower-case, for logs: "mail550_5.1.1". */
void trigger_name(const struct trigger *t, char *out, size_t cap);

#endif
