/* command: the pure SMTP command parser (RFC 5321 §4.1): verb lookup, the MAIL FROM / RCPT TO
 * path with its address checks, and the ESMTP parameter list. It decides syntax only: which
 * parameters an extension allows, and what a command does, belong to the session. */
#ifndef BADSMTP_COMMAND_H
#define BADSMTP_COMMAND_H

#include <stddef.h>

enum verb {
	VERB_UNKNOWN,
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
 * blank) line gives VERB_UNKNOWN with verb_len 0. */
int command_parse(const char *line, size_t n, struct command *cmd);
const char *command_verb_name(enum verb v);   /* "MAIL" … */

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

#endif
