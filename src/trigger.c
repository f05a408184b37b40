/* trigger: local parts as a verb (or dataend, grey) followed by one of a few forms (SPEC §4.1,
 * §18), and helo{code} labels. The code must be three digits in 400-599, the enhanced code three
 * dot-separated runs of 1-3 digits (RFC 3463), numbers within their range and without a leading
 * zero; anything else is an ordinary address, so real mailboxes never fire by accident. */
#include "trigger.h"

#include "buf.h"
#include "text.h"

#include <stdio.h>
#include <string.h>

/* What may follow a verb in a local part (SPEC §4.1, §18). */
enum form {
	FORM_CODE = 1,        /* {code}[_{x.y.z}] */
	FORM_FAIL_N = 2,      /* {code}x{N}[_{x.y.z}] */
	FORM_AT = 4,          /* {code}at{K}[_{x.y.z}] */
	FORM_WAIT = 8,        /* wait{N} */
	FORM_DROP = 16,       /* drop */
	FORM_DATA_DROP = 32,  /* drop{K} */
	FORM_LOST = 64,       /* lost */
	FORM_GREY = 128,      /* {S} */
};
#define VERB_FORMS (FORM_CODE | FORM_FAIL_N | FORM_WAIT | FORM_DROP)

/* The words a local part starts with: the verbs of SPEC §4.1's table, dataend and grey. A code
 * reply fires at code_at; wait and drop at word_at (data's: at the end of the body). */
static const struct prefix {
	const char *word;
	enum verb verb;
	unsigned forms;
	enum trigger_point code_at, word_at;
} prefixes[] = {
	{ .word = "mail", .verb = VERB_MAIL, .forms = VERB_FORMS },
	{ .word = "rcpt", .verb = VERB_RCPT, .forms = VERB_FORMS },
	{ .word = "data", .verb = VERB_DATA,
	  .forms = VERB_FORMS | FORM_AT | FORM_DATA_DROP | FORM_LOST,
	  .word_at = TRIGGER_AT_BODY_END },
	{ .word = "dataend", .verb = VERB_DATA, .forms = FORM_CODE | FORM_FAIL_N,
	  .code_at = TRIGGER_AT_BODY_END },
	{ .word = "bdat", .verb = VERB_BDAT, .forms = VERB_FORMS },
	{ .word = "rset", .verb = VERB_RSET, .forms = VERB_FORMS },
	{ .word = "noop", .verb = VERB_NOOP, .forms = VERB_FORMS },
	{ .word = "quit", .verb = VERB_QUIT, .forms = VERB_FORMS },
	{ .word = "starttls", .verb = VERB_STARTTLS, .forms = VERB_FORMS },
	{ .word = "auth", .verb = VERB_AUTH, .forms = VERB_FORMS },
	{ .word = "grey", .verb = VERB_RCPT, .forms = FORM_GREY },
};

/* The number a form takes: its range (lo = 0: none). */
#define FAIL_N_MAX 100
#define OCTETS_MAX (TEXT_DECIMAL_MAX - 1)

/* The forms that are a word, with or without a number after it. */
static const struct word_form {
	enum form form;
	const char *word;
	enum trigger_action action;
	enum trigger_point at;   /* IN_BODY, AT_STORED; COMMAND: the prefix's word_at */
	unsigned long long lo, hi;
} word_forms[] = {
	{ .form = FORM_WAIT, .word = "wait", .action = TRIGGER_WAIT, .lo = 1, .hi = 605 },
	{ .form = FORM_DROP, .word = "drop", .action = TRIGGER_DROP },
	{ .form = FORM_DATA_DROP, .word = "drop", .action = TRIGGER_DATA_DROP,
	  .at = TRIGGER_IN_BODY, .lo = 1, .hi = OCTETS_MAX },
	{ .form = FORM_LOST, .word = "lost", .action = TRIGGER_DATA_LOST, .at = TRIGGER_AT_STORED },
	{ .form = FORM_GREY, .word = "", .action = TRIGGER_GREYLIST, .lo = 1, .hi = 86400 },
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

/* A number in lo..hi at the start of p[0..n), written without a leading zero: how many digits it
 * has, or 0 when there is none of that kind. */
static size_t number(const char *p, size_t n, unsigned long long lo, unsigned long long hi,
                     unsigned long long *v)
{
	size_t digits = text_decimal(p, n, v);

	return digits == 0 || p[0] == '0' || *v < lo || *v > hi ? 0 : digits;
}

/* A word form after prefix pf, filling p[0..n) exactly: 1 and t's action, point and number. */
static int parse_word(const struct prefix *pf, const char *p, size_t n, struct trigger *t)
{
	for (size_t i = 0; i < sizeof word_forms / sizeof word_forms[0]; i++) {
		const struct word_form *w = &word_forms[i];
		size_t len = strlen(w->word), digits = 0;
		unsigned long long v = 0;

		if (!(pf->forms & w->form) || !text_case_prefix(p, n, w->word) ||
		    (w->lo > 0 && (digits = number(p + len, n - len, w->lo, w->hi, &v)) == 0) ||
		    len + digits != n)
			continue;
		t->action = w->action;
		t->at = w->at != TRIGGER_AT_COMMAND ? w->at : pf->word_at;
		t->number = v;
		return 1;
	}
	return 0;
}

/* {code}, then x{N} or at{K} when pf allows them, then _{x.y.z}, filling p[0..n) exactly. */
static int parse_code(const struct prefix *pf, const char *p, size_t n, struct trigger *t)
{
	size_t i = 3, digits;
	unsigned long long v;

	if (!(pf->forms & FORM_CODE) || (t->code = error_code(p, n)) == 0)
		return 0;
	t->action = TRIGGER_REPLY;
	t->at = pf->code_at;
	if ((pf->forms & FORM_FAIL_N) && i < n && text_lower(p[i]) == 'x') {
		if ((digits = number(p + i + 1, n - i - 1, 1, FAIL_N_MAX, &v)) == 0)
			return 0;
		t->fail_n = (int)v;
		i += 1 + digits;
	} else if ((pf->forms & FORM_AT) && text_case_prefix(p + i, n - i, "at")) {
		if ((digits = number(p + i + 2, n - i - 2, 1, OCTETS_MAX, &v)) == 0)
			return 0;
		t->action = TRIGGER_REPLY_AT;
		t->at = TRIGGER_IN_BODY;
		t->number = v;
		i += 2 + digits;
	}
	if (i == n)
		return 1;
	if (p[i] != '_' || !valid_enhanced(p + i + 1, n - i - 1))
		return 0;
	memcpy(t->enhanced, p + i + 1, n - i - 1);
	return 1;
}

int trigger_parse(const char *local, size_t n, struct trigger *t)
{
	for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
		const struct prefix *pf = &prefixes[i];
		size_t len = strlen(pf->word);

		if (!text_case_prefix(local, n, pf->word))
			continue;
		memset(t, 0, sizeof *t);
		if (parse_word(pf, local + len, n - len, t) || parse_code(pf, local + len, n - len, t)) {
			t->verb = pf->verb;
			return 1;
		}
	}
	memset(t, 0, sizeof *t);
	return 0;
}

int trigger_parse_username(const char *user, size_t n, struct trigger *t)
{
	const char *at = memchr(user, '@', n);

	if (!trigger_parse(user, at != NULL ? (size_t)(at - user) : n, t) || t->verb != VERB_AUTH ||
	    t->action != TRIGGER_REPLY) {
		memset(t, 0, sizeof *t);
		return 0;
	}
	t->at = TRIGGER_AT_AUTH_END;
	trigger_set_key(t, user, n);
	return 1;
}

void trigger_set_key(struct trigger *t, const char *p, size_t n)
{
	text_lower_copy(t->key, p, n < sizeof t->key ? n : sizeof t->key - 1);
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
	const char *name = command_verb_name(t->verb), *word = "";
	int numbered = t->action == TRIGGER_REPLY_AT;
	struct buf b;

	text_lower_copy(verb, name, strlen(name) < sizeof verb ? strlen(name) : sizeof verb - 1);
	for (size_t i = 0; i < sizeof word_forms / sizeof word_forms[0]; i++) {
		if (word_forms[i].action == t->action) {
			word = word_forms[i].word;
			numbered = word_forms[i].lo > 0;
		}
	}
	buf_init(&b, out, cap);
	buf_adds(&b, t->action == TRIGGER_GREYLIST ? "grey" : verb);
	buf_adds(&b, t->action == TRIGGER_REPLY && t->at == TRIGGER_AT_BODY_END ? "end" : word);
	if (t->action == TRIGGER_REPLY || t->action == TRIGGER_REPLY_AT)
		buf_add_decimal(&b, t->code, 3);
	if (t->fail_n > 0) {
		buf_addc(&b, 'x');
		buf_add_decimal(&b, t->fail_n, 0);
	}
	buf_adds(&b, t->action == TRIGGER_REPLY_AT ? "at" : "");
	if (numbered)
		buf_add_decimal(&b, (long long)t->number, 0);
	if (t->enhanced[0] != '\0') {
		buf_addc(&b, '_');
		buf_adds(&b, t->enhanced);
	}
}
