/* fuzz_command: one command line (as io_read_line hands it over: no CRLF) through
 * command_parse, then its argument through command_parse_path as MAIL and as RCPT, the way
 * session.c does. Invariants: every pointer stays inside the line, the verb is a whole word,
 * a parsed path's address fits its fields, and parameters lie inside the argument. */
#include "fuzz.h"

#include "command.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int command_inside(const char *base, size_t n, const char *p, size_t len)
{
	return p >= base && len <= n && (size_t)(p - base) <= n - len;
}

static void command_check_address(const struct address *a)
{
	size_t ll = strnlen(a->local, sizeof a->local), dl = strnlen(a->domain, sizeof a->domain);

	FUZZ_CHECK(ll <= ADDRESS_LOCAL_MAX && dl <= ADDRESS_DOMAIN_MAX);
	for (size_t i = 0; i < dl; i++)
		FUZZ_CHECK(!(a->domain[i] >= 'A' && a->domain[i] <= 'Z'));
	if (a->is_null)
		FUZZ_CHECK(ll == 0 && dl == 0);
}

static void command_check_path(enum path_kind kind, const struct command *c)
{
	struct path path;

	if (command_parse_path(kind, c->arg, c->arg_len, &path) != 0)
		return;
	command_check_address(&path.addr);
	FUZZ_CHECK(path.nparams <= PARAMS_MAX);
	if (kind == PATH_RCPT)
		FUZZ_CHECK(!path.addr.is_null);
	for (size_t i = 0; i < path.nparams; i++) {
		const struct param *pm = &path.params[i];

		FUZZ_CHECK(pm->key_len > 0 && command_inside(c->arg, c->arg_len, pm->key, pm->key_len));
		if (pm->value != NULL)
			FUZZ_CHECK(pm->value_len > 0 &&
			           command_inside(c->arg, c->arg_len, pm->value, pm->value_len));
	}
}

int fuzz_command(const uint8_t *data, size_t size)
{
	char *line = fuzz_dup(data, size);
	struct command c;

	if (command_parse(line, size, &c) != 0) {
		FUZZ_CHECK(memchr(line, '\0', size) != NULL);
		free(line);
		return 0;
	}
	FUZZ_CHECK(memchr(line, '\0', size) == NULL);
	FUZZ_CHECK(command_inside(line, size, c.verb_text, c.verb_len));
	FUZZ_CHECK(command_inside(line, size, c.arg, c.arg_len));
	FUZZ_CHECK(c.verb >= VERB_NONE && c.verb < VERB_COUNT);
	if (c.verb != VERB_NONE) {
		const char *name = command_verb_name(c.verb);

		FUZZ_CHECK(strlen(name) == c.verb_len && strncasecmp(name, c.verb_text, c.verb_len) == 0);
	}
	if (c.verb_len == 0)
		FUZZ_CHECK(c.arg_len == 0);
	else
		FUZZ_CHECK(c.arg >= c.verb_text + c.verb_len);
	command_check_path(PATH_MAIL, &c);
	command_check_path(PATH_RCPT, &c);
	free(line);
	return 0;
}
