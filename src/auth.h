/* auth: fake SASL for AUTH (SPEC §5, RFC 4954 framing): PLAIN (RFC 4616), LOGIN, CRAM-MD5
 * (RFC 2195), CRAM-SHA256 and XOAUTH2, each a small state machine fed one client line at a time.
 * No I/O and no logging: the caller sends "334 " + out for AUTH_CHALLENGE, the final reply
 * otherwise, and logs the mechanism, the username and the outcome (never a response line).
 *
 * Outcome: a username containing "badauth", in any case ("BadAuth" too), fails; any other
 * username succeeds. Passwords, tokens and digests are never checked and never kept. */
#ifndef BADSMTP_AUTH_H
#define BADSMTP_AUTH_H

#include <stddef.h>

/* Mechanisms as bits, for the EHLO AUTH line and the keyword restrictions (SPEC §3). */
enum auth_mech {
	AUTH_PLAIN = 1,
	AUTH_LOGIN = 2,
	AUTH_CRAM_MD5 = 4,
	AUTH_CRAM_SHA256 = 8,
	AUTH_XOAUTH2 = 16,
};
#define AUTH_ALL 31

#define AUTH_USER_MAX 255   /* longer usernames are malformed */
#define AUTH_OUT_MAX  512   /* an out buffer this big always holds any challenge (with its NUL) */

enum auth_step {
	AUTH_CHALLENGE,   /* send "334 " + out (out may be empty: "334 "), then auth_continue */
	AUTH_OK,          /* 235 Authentication successful */
	AUTH_FAILED,      /* 535 Authentication failed */
	AUTH_CANCELLED,   /* 501 Authentication cancelled (the client sent "*") */
	AUTH_MALFORMED,   /* 501 Syntax error in parameters (bad base64, bad exchange) */
	AUTH_UNAVAILABLE, /* 454 4.7.0 Temporary authentication failure: a caller bug (bad mech,
	                     out too small, bad hostname) */
};

/* One exchange. Embed it in the session; touch it only through the functions below. */
struct auth {
	int state;
	int mech;
	size_t user_len;
	char user[AUTH_USER_MAX + 1];
};

/* Case-insensitive exact name ("cram-md5") → its bit; 0 when unknown. name need not be
 * NUL-terminated. */
int auth_mech_lookup(const char *name, size_t n);

/* AUTH's argument, "mech [initial-response]" (RFC 4954 §4). */
struct auth_request {
	int mech;              /* its bit, or 0 for a mechanism badsmtp does not know (504) */
	const char *ir;        /* the initial response, or NULL when none was given */
	size_t ir_len;
};
/* 0 and req filled, or -1 for a syntax error (501): no mechanism, or more than two words. */
int auth_parse_request(const char *arg, size_t n, struct auth_request *req);

/* The canonical name of one mechanism bit ("CRAM-MD5"), for logs; "" for anything else. */
const char *auth_mech_name(int mech);

/* The mechanisms of mask, space-separated, always in the order PLAIN LOGIN CRAM-MD5 CRAM-SHA256
 * XOAUTH2 ("" for 0; bits above AUTH_ALL are ignored). Like snprintf: returns the full length;
 * out (when cap > 0) is always NUL-terminated, truncated when the result is >= cap. */
size_t auth_mech_list(unsigned mask, char *out, size_t cap);

/* Starts an exchange for one mechanism bit. The initial response ir/irlen (base64, or "=" for
 * an empty one, RFC 4954 §4) is present when has_ir is set and irlen > 0; "*" there is not a
 * cancellation but bad base64. CRAM-* with an initial response is malformed (server-first
 * mechanisms must not get one). hostname (1..255 octets) and unique (a per-session token such
 * as the session id; 1..64 octets) are printable ASCII without space, '<', '>' (and '@' in
 * unique); they build the CRAM challenge <{unique}.{now_seconds}@{hostname}> and are not used
 * (may be NULL) for other mechanisms. out receives the challenge text, NUL-terminated (a cap of
 * AUTH_OUT_MAX is always enough). */
enum auth_step auth_begin(struct auth *a, int mech, const char *ir, size_t irlen, int has_ir,
                          const char *hostname, const char *unique, long long now_seconds,
                          char *out, size_t outcap);

/* The client's next line, without its CRLF, after an AUTH_CHALLENGE. "*" cancels. After any
 * other step the exchange is over and this returns AUTH_MALFORMED. */
enum auth_step auth_continue(struct auth *a, const char *line, size_t n, char *out, size_t outcap);

/* The username the client gave, NUL-terminated, never NULL. Set after AUTH_OK and AUTH_FAILED
 * (and with the XOAUTH2 failure challenge); after AUTH_CANCELLED only when the client had given
 * it (LOGIN cancelled at the password prompt, XOAUTH2 after the failure challenge); "" after
 * AUTH_MALFORMED and AUTH_UNAVAILABLE. */
const char *auth_username(const struct auth *a);

#endif
