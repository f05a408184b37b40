/* reply: the catalogue of every reply the server sends (SPEC §2-§9, the trigger texts of §4.2)
 * and the one rendering of a reply into wire bytes. A reply is a value — code, enhanced status
 * code, lines of text — from the moment it is made until the session's funnel renders it, once;
 * nothing reads a code back out of rendered bytes. Pure: no I/O. */
#ifndef BADSMTP_REPLY_H
#define BADSMTP_REPLY_H

#include <stddef.h>

enum reply_id {
	REPLY_OK,
	REPLY_BYE,
	REPLY_GREETING,          /* {hostname} */
	REPLY_HELO_OK,           /* {hostname} */
	REPLY_DATA_GO,
	REPLY_MESSAGE_ACCEPTED,
	REPLY_TOO_LONG,
	REPLY_UNRECOGNISED,
	REPLY_SYNTAX,
	REPLY_NOT_IMPLEMENTED,
	REPLY_BAD_SEQUENCE,      /* {VERB} {STATE} */
	REPLY_PARAMS,
	REPLY_SIZE_EXCEEDED,     /* {max} */
	REPLY_NON_ASCII,
	REPLY_TOO_MANY_RCPTS,
	REPLY_NO_RCPTS,
	REPLY_STORAGE,
	REPLY_TIMEOUT,
	REPLY_SHUTDOWN,
	REPLY_STARTTLS_GO,
	REPLY_TLS_ALREADY,
	REPLY_TLS_UNAVAILABLE,
	REPLY_TLS_FAULT_REFUSED,
	REPLY_TLS_INJECTED,
	REPLY_STARTTLS_FIRST,
	REPLY_AUTH_OK,
	REPLY_AUTH_FAILED,
	REPLY_AUTH_ALREADY,
	REPLY_AUTH_MECHANISM,
	REPLY_AUTH_CANCELLED,
	REPLY_AUTH_UNAVAILABLE,
	REPLY_AUTH_CHALLENGE,    /* {base64}: may be empty (RFC 4954 §4) */
	REPLY_VRFY_EXISTS,       /* {address} */
	REPLY_VRFY_NOT_LOCAL,
	REPLY_VRFY_AMBIGUOUS,
	REPLY_VRFY_UNAVAILABLE,
	REPLY_GREETING_LINES,    /* {hostname} {hostname}: greeting-multiline */
	REPLY_NO_SERVICE,        /* greeting-554 */
	REPLY_NO_SERVICE_SEQUENCE,
	REPLY_EARLY_TALKER,      /* greeting-pause */
	REPLY_AUTH_NEEDS_TLS,    /* noclearauth */
	REPLY_DSN_INVALID,
	REPLY_GREYLISTED,        /* {seconds} */
	REPLY_STATE_FAILED,      /* fail-N or greylisting without a usable state directory */
	REPLY_TOO_MANY_SESSIONS,
	REPLY_NO_SESSION,
	REPLY_COUNT
};

/* Room for any text badsmtp sends: the longest is a VRFY echo of a whole command line. */
#define REPLY_TEXT_MAX 4200
#define REPLY_ENHANCED_MAX 16
/* What replylong adds to a reply's last line: a space and this many 'x' (SPEC §17). */
#define REPLY_LONG_PAD 600
/* Room for any reply rendered: its text twice (replymulti) with codes and line ends, and the
 * pad of replylong. */
#define REPLY_WIRE_MAX (2 * REPLY_TEXT_MAX + REPLY_LONG_PAD + 1024)

struct reply {
	int code;
	char enhanced[REPLY_ENHANCED_MAX];   /* "5.1.1", or "" */
	int truncated;                       /* the text did not fit: the reply cannot be sent */
	size_t len;
	char text[REPLY_TEXT_MAX];           /* its lines, separated by '\n' */
};

/* A reply of the catalogue, each "%s" in its text replaced by the next of args. */
void reply_make(struct reply *r, enum reply_id id, const char *const *args, size_t nargs);
/* A triggered reply (SPEC §4.2): the table's text for code, "Unknown error" for the rest of
 * 4xx/5xx; enhanced may be NULL or "". */
void reply_make_code(struct reply *r, int code, const char *enhanced);
/* Appends a line to a multi-line reply. */
void reply_add_line(struct reply *r, const char *text, size_t n);
const char *reply_trigger_text(int code);

enum reply_render_flags {
	REPLY_WITH_ENHANCED = 1,   /* the session has ENHANCEDSTATUSCODES: show the x.y.z */
	/* Reply shaping (SPEC §17), applied in this order (SPEC §21): */
	REPLY_BARE = 2,            /* a single-line 2xx/3xx reply is its code alone (a 334 with data
	                              keeps it) */
	REPLY_MULTI = 4,           /* a single-line reply is sent twice, as "{code}-" and "{code} " */
	REPLY_LONG = 8,            /* the last line gets " " and REPLY_LONG_PAD 'x' */
	REPLY_LF = 16,             /* lines end in a bare LF */
};
/* How a rendered reply is written (SPEC §17): respond's business, chosen by the same EHLO
 * keywords as the flags above, so named here with them. They combine: split into two parts, each
 * written an octet at a time. */
enum reply_pacing {
	REPLY_SPLIT = 1,           /* its first 3 octets, a pause, the rest */
	REPLY_BYTES = 2,           /* one octet per write */
};
/* Wire bytes: every line but the last "{code}-", the last "{code} ", then "{x.y.z} " when the
 * reply has an enhanced code and flags say so, then the line's text and CRLF; shaped as the
 * other flags say. Returns the length, or 0 when the reply is truncated or does not fit in cap
 * (NUL included). */
size_t reply_render(const struct reply *r, unsigned flags, char *out, size_t cap);

#endif
