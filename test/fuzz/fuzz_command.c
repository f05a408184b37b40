/* fuzz_command: one command line (as io_read_line hands it over: no CRLF) through
 * command_parse, then its argument through every argument parser the session uses: the path as
 * MAIL and as RCPT and its policy under all and no extensions, BDAT's size, VRFY's address, the
 * words for the log. Invariants: every pointer stays inside the line, the verb is a whole word,
 * a parsed path's address fits its fields, parameters lie inside the argument, a policy answer
 * is one SPEC §2 names, a BDAT chunk is bounded, a VRFY address is its input's printable
 * octets with one '@' after the local part. */
#include "fuzz.h"

#include "command.h"
#include "ehlo.h"

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
	for (unsigned ext = 0; ext <= EXT_ALL; ext += EXT_ALL) {
		enum reply_id r = command_path_policy(kind, &path, ext, 10485760);

		FUZZ_CHECK(r == REPLY_OK || r == REPLY_NON_ASCII || r == REPLY_PARAMS ||
		           r == REPLY_SYNTAX || r == REPLY_SIZE_EXCEEDED);
		if (path.nparams == 0 && !path.addr.non_ascii)
			FUZZ_CHECK(r == REPLY_OK);
	}
}

static void command_check_arguments(const struct command *c)
{
	unsigned long long size;
	int last;
	char *out = malloc(c->arg_len + 1);
	const char **words = malloc(sizeof *words * 8);
	size_t local_len, n;

	if (out == NULL || words == NULL)
		abort();
	if (command_parse_bdat(c->arg, c->arg_len, &size, &last) == 0)
		FUZZ_CHECK(size <= BDAT_CHUNK_MAX && (last == 0 || last == 1));
	FUZZ_CHECK(size <= BDAT_CHUNK_MAX);
	if (command_parse_vrfy(c->arg, c->arg_len, out, &local_len) == 0) {
		size_t len = strnlen(out, c->arg_len + 1);

		FUZZ_CHECK(local_len > 0 && local_len + 1 < len && out[local_len] == '@');
		FUZZ_CHECK(memchr(out + local_len + 1, '@', len - local_len - 1) == NULL);
		for (size_t i = 0; i < len; i++)
			FUZZ_CHECK((unsigned char)out[i] >= 0x20 && out[i] != 0x7f);
	}
	n = command_words(c->arg, c->arg_len, out, words, 8);
	FUZZ_CHECK(n <= 8);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(words[i][0] != '\0' && command_inside(out, c->arg_len, words[i],
		                                                  strlen(words[i])));
	free(words);
	free(out);
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
	command_check_arguments(&c);
	free(line);
	return 0;
}
