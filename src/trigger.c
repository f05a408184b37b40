/* trigger: {verb}{code}[_{x.y.z}] local parts and helo{code} labels. The code must be three
 * digits in 400-599 and the enhanced code three dot-separated runs of 1-3 digits (RFC 3463);
 * anything else is an ordinary address, so real mailboxes never fire by accident. */
#include "trigger.h"

#include <string.h>
#include <strings.h>

static const char *const verb_names[TRIGGER_COUNT] = {
	[TRIGGER_NONE] = "", [TRIGGER_MAIL] = "mail", [TRIGGER_RCPT] = "rcpt",
	[TRIGGER_DATA] = "data", [TRIGGER_BDAT] = "bdat", [TRIGGER_RSET] = "rset",
	[TRIGGER_NOOP] = "noop", [TRIGGER_QUIT] = "quit", [TRIGGER_STARTTLS] = "starttls",
	[TRIGGER_AUTH] = "auth",
};

const char *trigger_verb_name(enum trigger_verb v)
{
	return verb_names[v];
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Three digits in 400-599 at p; the code or 0. */
static int error_code(const char *p, size_t n)
{
	if (n < 3 || !is_digit(p[0]) || !is_digit(p[1]) || !is_digit(p[2]))
		return 0;
	int code = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');

	return code >= 400 && code <= 599 ? code : 0;
}

/* x.y.z with 1-3 digits each, exactly filling n octets. */
static int valid_enhanced(const char *p, size_t n)
{
	size_t i = 0;

	for (int part = 0; part < 3; part++) {
		size_t digits = 0;

		while (i < n && is_digit(p[i]) && digits < 3) {
			i++;
			digits++;
		}
		if (digits == 0)
			return 0;
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
	for (int v = TRIGGER_MAIL; v < TRIGGER_COUNT; v++) {
		size_t vlen = strlen(verb_names[v]);
		const char *rest = local + vlen;
		size_t rest_len = n - vlen;
		int code;

		if (n < vlen + 3 || strncasecmp(local, verb_names[v], vlen) != 0 ||
		    (code = error_code(rest, rest_len)) == 0)
			continue;
		if (rest_len == 3) {
			t->verb = (enum trigger_verb)v;
			t->code = code;
			return 1;
		}
		if (rest[3] != '_' || !valid_enhanced(rest + 4, rest_len - 4))
			return 0;
		t->verb = (enum trigger_verb)v;
		t->code = code;
		memcpy(t->enhanced, rest + 4, rest_len - 4);
		return 1;
	}
	return 0;
}

int trigger_parse_helo(const char *arg, size_t n)
{
	const char *dot = memchr(arg, '.', n);
	size_t label = dot ? (size_t)(dot - arg) : n;

	if (label != 7 || (strncasecmp(arg, "helo", 4) != 0 && strncasecmp(arg, "ehlo", 4) != 0))
		return 0;
	return error_code(arg + 4, 3);
}
