/* violation: the record of what the client did wrong (SPEC §19): the names, each kept once per
 * session in the order of its first occurrence and logged then (`SMTP client violation`, with a
 * short detail), and what the rest of the session shows of them: the `violations` array of the
 * closing event, the value of the X-BadSMTP-Violations header, the list that crosses into the TLS
 * twin. Detection belongs where the bytes are seen (io, data, the session); this module only
 * keeps the record, and never changes what the client is answered. */
#ifndef BADSMTP_VIOLATION_H
#define BADSMTP_VIOLATION_H

#include <stddef.h>

enum violation_id {
	VIOLATION_NONE,
	VIOLATION_EARLY_TALKER,
	VIOLATION_BARE_LF,
	VIOLATION_BARE_CR,
	VIOLATION_LONG_COMMAND_LINE,
	VIOLATION_LONG_TEXT_LINE,
	VIOLATION_EIGHT_BIT,
	VIOLATION_PIPELINING_NOT_OFFERED,
	VIOLATION_PIPELINING_GROUP,
	VIOLATION_AUTH_IN_CLEAR,
	VIOLATION_NO_EHLO_AFTER_STARTTLS,
	VIOLATION_UTF8,
	VIOLATION_NO_QUIT,
	VIOLATION_COUNT
};

/* RFC 5321 §4.5.3.1.4 and §4.5.3.1.6: the octets of a line, its CRLF included. */
#define VIOLATION_COMMAND_LINE_MAX 512
#define VIOLATION_TEXT_LINE_MAX 1000
/* Room for every name, ", "-separated, and the NUL. */
#define VIOLATION_LIST_MAX 320

struct violations {
	unsigned seen;                          /* bit 1 << id for each one recorded */
	unsigned char order[VIOLATION_COUNT];   /* the ids, in order of first occurrence */
	size_t count;
};

/* 1 when id is worth looking for: not recorded yet, and recording is on. Detection that costs
 * anything asks first. */
int violation_wanted(const struct violations *v, enum violation_id id);
/* Records id the first time, and logs it with the detail (printf format); later calls do
 * nothing, not even the formatting. */
void violation_record(struct violations *v, enum violation_id id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "early_talker" …; NULL outside 1 … VIOLATION_COUNT - 1. */
const char *violation_name(enum violation_id id);
/* The names in order into names (room for VIOLATION_COUNT); returns how many. */
size_t violation_names(const struct violations *v, const char **names);
/* The names in order, ", "-separated ("" when clean): the header value (SPEC §19). */
void violation_list(const struct violations *v, char *out, size_t cap);
/* Records, without logging again, the names of a list made by violation_list in another process
 * (the TLS twin, handoff.h); a name it does not know is skipped. */
void violation_restore(struct violations *v, const char *list);
/* Test-only: with on = 0 nothing is detected or recorded, so fuzz_session can show that the
 * client's replies are the same either way. */
void violation_enable(int on);

#endif
