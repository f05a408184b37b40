/* trigger: {verb}{code}[_{x.y.z}] local parts and helo{code} labels. The code must be three
 * digits in 400-599 and the enhanced code three dot-separated runs of 1-3 digits (RFC 3463);
 * anything else is an ordinary address, so real mailboxes never fire by accident. */
#include "trigger.h"

#include "text.h"

#include <stdio.h>
#include <string.h>

/* The verbs of SPEC §4.1's table: the commands a local part can make fail. */
static const enum verb trigger_verbs[] = {
	VERB_MAIL, VERB_RCPT, VERB_DATA, VERB_BDAT, VERB_RSET, VERB_NOOP, VERB_QUIT,
	VERB_STARTTLS, VERB_AUTH,
};

/* Exactly three digits in 400-599 at p[0..n); the code or 0. */
static int error_code(const char *p, size_t n)
{
	unsigned long long code;

	if (n < 3 || text_decimal(p, 3, &code) != 3)
		return 0;
	return code >= 400 && code <= 599 ? (int)code : 0;
}

/* x.y.z with 1-3 digits each, exactly filling n octets. */
static int valid_enhanced(const char *p, size_t n)
{
	size_t i = 0;

	for (int part = 0; part < 3; part++) {
		unsigned long long unused;
		size_t digits = text_decimal(p + i, n - i, &unused);

		if (digits == 0 || digits > 3)
			return 0;
		i += digits;
		if (part < 2) {
			if (i >= n || p[i] != '.')
				return 0;
			i++;
		}
	}
	return i == n;
}

int trigger_parse(const char *local, size_t n, struct trigger *t)
{
	memset(t, 0, sizeof *t);
	for (size_t v = 0; v < sizeof trigger_verbs / sizeof trigger_verbs[0]; v++) {
		const char *name = command_verb_name(trigger_verbs[v]);
		size_t vlen = strlen(name);
		const char *rest = local + vlen;
		size_t rest_len = n - vlen;
		int code;

		if (n < vlen + 3 || !text_case_prefix(local, n, name) ||
		    (code = error_code(rest, rest_len)) == 0)
			continue;
		if (rest_len > 3 && (rest[3] != '_' || !valid_enhanced(rest + 4, rest_len - 4)))
			return 0;
		t->verb = trigger_verbs[v];
		t->code = code;
		if (rest_len > 3)
			memcpy(t->enhanced, rest + 4, rest_len - 4);
		return 1;
	}
	return 0;
}

int trigger_parse_helo(enum verb v, const char *arg, size_t n, struct trigger *t)
{
	const char *dot = memchr(arg, '.', n);
	size_t label = dot ? (size_t)(dot - arg) : n;

	memset(t, 0, sizeof *t);
	if (label != 7 || !(text_case_prefix(arg, n, "helo") || text_case_prefix(arg, n, "ehlo")) ||
	    (t->code = error_code(arg + 4, 3)) == 0)
		return 0;
	t->verb = v;
	return 1;
}

void trigger_name(const struct trigger *t, char *out, size_t cap)
{
	char verb[16];
	const char *name = command_verb_name(t->verb);

	text_lower_copy(verb, name, strlen(name) < sizeof verb ? strlen(name) : sizeof verb - 1);
	snprintf(out, cap, "%s%d%s%s", verb, t->code, t->enhanced[0] ? "_" : "", t->enhanced);
}
