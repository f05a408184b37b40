/* reply: the catalogue of every reply text the server sends (SPEC §2-§9), and the rendering of
 * a reply line with or without its enhanced status code (RFC 2034, RFC 3463). Pure: no I/O. */
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
	REPLY_STARTTLS_FIRST,
	REPLY_AUTH_OK,
	REPLY_AUTH_FAILED,
	REPLY_AUTH_ALREADY,
	REPLY_AUTH_MECHANISM,
	REPLY_AUTH_CANCELLED,
	REPLY_AUTH_UNAVAILABLE,
	REPLY_VRFY_EXISTS,       /* {address} */
	REPLY_VRFY_NOT_LOCAL,
	REPLY_VRFY_AMBIGUOUS,
	REPLY_VRFY_UNAVAILABLE,
	REPLY_COUNT
};

/* Renders "{code} {text}\r\n" (or "{code} {x.y.z} {text}\r\n" when the reply carries an enhanced
 * code and enhanced codes are on), each "%s" in the text replaced by the next of args.
 * Returns the length, or 0 when it does not fit. */
size_t reply_render(char *buf, size_t cap, enum reply_id id, int enhanced,
                    const char *const *args, size_t nargs);
int reply_code(enum reply_id id);

/* A triggered reply (SPEC §4.2): the text for any 4xx/5xx code, enhanced code optional. */
const char *reply_trigger_text(int code);
size_t reply_render_code(char *buf, size_t cap, int code, const char *enhanced_code,
                         const char *text);

#endif
