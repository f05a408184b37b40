/* trigger: the pure grammar of error triggers (SPEC §4): address local parts of the form
 * {verb}{code}[_{x.y.z}] and the helo{code}/ehlo{code} EHLO label. No session state here:
 * which command a trigger fires on is the session's business. */
#ifndef BADSMTP_TRIGGER_H
#define BADSMTP_TRIGGER_H

#include <stddef.h>

enum trigger_verb {
	TRIGGER_NONE,
	TRIGGER_MAIL, TRIGGER_RCPT, TRIGGER_DATA, TRIGGER_BDAT, TRIGGER_RSET, TRIGGER_NOOP,
	TRIGGER_QUIT, TRIGGER_STARTTLS, TRIGGER_AUTH,
	TRIGGER_COUNT
};

struct trigger {
	enum trigger_verb verb;
	int code;              /* 400-599 */
	char enhanced[12];     /* "5.1.1", or "" */
};

/* Parses a local part (case-insensitively). Returns 1 and fills t for a trigger, 0 for an
 * ordinary local part (t->verb = TRIGGER_NONE). */
int trigger_parse(const char *local, size_t n, struct trigger *t);
const char *trigger_verb_name(enum trigger_verb v);   /* "mail" … */

/* helo{code} / ehlo{code} as the whole first label of the EHLO/HELO argument: the code, or 0. */
int trigger_parse_helo(const char *arg, size_t n);

#endif
