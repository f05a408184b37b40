/* command: the pure SMTP command parser (RFC 5321 §4.1): the one verb enum and its names, the
 * MAIL FROM / RCPT TO path with its address checks, the ESMTP parameters and the extension each
 * belongs to, BDAT's and VRFY's arguments, and the words of a command line for the log. It
 * decides syntax only: what a command does, and whether an extension is on, belong to the
 * session. */
#ifndef BADSMTP_COMMAND_H
#define BADSMTP_COMMAND_H

#include "reply.h"

#include <stddef.h>

/* Every verb badsmtp knows, in one place: the session's command table and the trigger grammar
 * use these. VERB_NONE: an unknown command, or no verb at all. */
enum verb {
	VERB_NONE,
	VERB_HELO, VERB_EHLO, VERB_MAIL, VERB_RCPT, VERB_DATA, VERB_BDAT, VERB_RSET,
	VERB_NOOP, VERB_QUIT, VERB_STARTTLS, VERB_VRFY, VERB_AUTH,
	VERB_COUNT
};

#define COMMAND_LINE_MAX 4096

/* A command line split into verb and argument; pointers into the caller's line. */
struct command {
	enum verb verb;
	const char *verb_text;  /* as sent, for logs */
	size_t verb_len;
	const char *arg;        /* trimmed, may be empty */
	size_t arg_len;
};

/* Returns 0, or -1 when the line holds a NUL octet (the caller answers 500). An empty (all
 * blank) line gives VERB_NONE with verb_len 0. */
int command_parse(const char *line, size_t n, struct command *cmd);
const char *command_verb_name(enum verb v);   /* "MAIL" …; "UNKNOWN" for VERB_NONE */

#define ADDRESS_LOCAL_MAX 64
#define ADDRESS_DOMAIN_MAX 255

struct address {
	char local[ADDRESS_LOCAL_MAX + 1];  /* as given (case kept; quotes kept) */
	char domain[ADDRESS_DOMAIN_MAX + 1];/* lower-cased; "" for <> and <postmaster> */
	int is_null;                        /* <> */
	int non_ascii;                      /* needs SMTPUTF8 */
};

#define PARAMS_MAX 16

struct param {
	const char *key, *value;   /* pointers into the argument; value NULL when absent */
	size_t key_len, value_len;
};

struct path {
	struct address addr;
	struct param params[PARAMS_MAX];
	size_t nparams;
};

enum path_kind { PATH_MAIL, PATH_RCPT };

/* Parses "FROM:<a@b> params" (PATH_MAIL) or "TO:<a@b> params" (PATH_RCPT). Returns 0, or -1 on
 * any syntax error (501). <> is allowed for MAIL only, <postmaster> for RCPT only. */
int command_parse_path(enum path_kind kind, const char *arg, size_t n, struct path *out);

/* Parses one address "local@domain" (no brackets); 0 or -1. */
int command_parse_address(const char *p, size_t n, struct address *out);
/* The address as text: "local@domain", "postmaster", or "" for the null sender. */
void command_address_text(const struct address *a, char *out, size_t cap);

/* What MAIL FROM's parameters declare of the message (RFC 6152, RFC 6531): the bits of
 * BODY=8BITMIME and SMTPUTF8, each only when well-formed. */
enum { COMMAND_8BITMIME = 1, COMMAND_SMTPUTF8 = 2 };
unsigned command_path_declares(const struct path *p);

/* What a parsed MAIL FROM / RCPT TO path gets under a session's extensions ext (EXT_* bits)
 * and size limit (SPEC §2): REPLY_OK when it may be used; REPLY_NON_ASCII for a non-ASCII
 * address without SMTPUTF8; REPLY_PARAMS for a parameter that is unknown, not allowed on this
 * command, or of an extension that is off; REPLY_SYNTAX for a malformed value (REPLY_DSN_INVALID
 * for a DSN one, SPEC §17); REPLY_SIZE_EXCEEDED for SIZE= over the limit. */
enum reply_id command_path_policy(enum path_kind kind, const struct path *p, unsigned ext,
                                  unsigned long long size_limit);

/* The DSN parameters of a path as SPEC §17 records them, keywords upper-cased, values as given:
 * "RET=HDRS; ENVID=QQ314159" (MAIL), "NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b@example.com" (RCPT).
 * Returns the length (0: none, or it did not fit in cap). */
size_t command_dsn_text(enum path_kind kind, const struct path *p, char *out, size_t cap);

/* A BDAT chunk may not claim more than this: far above any size limit, far below overflow. */
#define BDAT_CHUNK_MAX 1000000000000ULL
/* "n" or "n LAST" (RFC 3030): 0, or -1 for bad arguments (501). *size is the chunk to read
 * either way: n whenever the first word is a number within BDAT_CHUNK_MAX (so "BDAT 6 FOO"
 * still has its 6 octets read: they must never be taken for commands), else 0. */
int command_parse_bdat(const char *arg, size_t n, unsigned long long *size, int *last);

/* VRFY's argument (SPEC §9): its words joined with single spaces; the address inside <…> when
 * there is one, split at its last '@'. 0, with the address in out (which holds n + 1 octets)
 * as SPEC §9 echoes it (the local part as given, the domain lower-cased) and the local
 * part's length; or -1 (501): a control octet, no '@', an empty local part or domain. */
int command_parse_vrfy(const char *arg, size_t n, char *out, size_t *local_len);

/* The blank-separated words of arg, for the log: copied into copy (n + 1 octets), NUL-split,
 * at most max of them pointed to by words. Returns how many. */
size_t command_words(const char *arg, size_t n, char *copy, const char **words, size_t max);

#endif
