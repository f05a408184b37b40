/* ehlo: keyword parsing and the EHLO reply. The first label of the EHLO argument, lower-cased
 * and split on '-', is a list of keywords matched whole (the Go original matched substrings, so
 * "nosizes" switched SIZE off; we do not). */
#include "ehlo.h"

#include "auth.h"

#include <stdio.h>
#include <string.h>

/* Keywords that switch one extension off, and those that narrow AUTH. */
static const struct {
	const char *word;
	unsigned ext_off;
	unsigned auth_only;
} keywords[] = {
	{ "noauth", EXT_AUTH, 0 },
	{ "no8bit", EXT_8BITMIME, 0 },
	{ "nosize", EXT_SIZE, 0 },
	{ "nopipelining", EXT_PIPELINING, 0 },
	{ "nostarttls", EXT_STARTTLS, 0 },
	{ "nochunking", EXT_CHUNKING, 0 },
	{ "nosmtputf8", EXT_SMTPUTF8, 0 },
	{ "noenhancedstatuscodes", EXT_ENHANCEDSTATUSCODES, 0 },
	{ "authplain", 0, AUTH_PLAIN },
	{ "authlogin", 0, AUTH_LOGIN },
	{ "authcram", 0, AUTH_CRAM_MD5 | AUTH_CRAM_SHA256 },
	{ "authoauth", 0, AUTH_XOAUTH2 },
};

/* The number after prefix when word is prefix{digits}, as long, saturating; -1 otherwise. */
static long number_after(const char *word, size_t n, const char *prefix)
{
	size_t plen = strlen(prefix);
	long v = 0;

	if (n <= plen || memcmp(word, prefix, plen) != 0)
		return -1;
	for (size_t i = plen; i < n; i++) {
		if (word[i] < '0' || word[i] > '9')
			return -1;
		v = v > 100000000L ? 100000000L : v * 10 + (word[i] - '0');
	}
	return v;
}

static void apply_keyword(const char *w, size_t n, struct ehlo_opts *o, int *size_seen)
{
	long v;

	for (size_t k = 0; k < sizeof keywords / sizeof keywords[0]; k++) {
		if (strlen(keywords[k].word) == n && memcmp(keywords[k].word, w, n) == 0) {
			o->ext &= ~keywords[k].ext_off;
			if (keywords[k].auth_only)
				o->auth_mechs = keywords[k].auth_only;   /* the last such part wins */
			return;
		}
	}
	if ((n == 6 && memcmp(w, "reject", 6) == 0) || (n == 5 && memcmp(w, "noehl", 5) == 0)) {
		o->reject = 1;
	} else if ((v = number_after(w, n, "size")) > 0 && !*size_seen) {
		*size_seen = 1;   /* the first part with a number > 0 wins */
		o->size_limit = v < EHLO_SIZE_MIN ? EHLO_SIZE_MIN : v > EHLO_SIZE_MAX ? EHLO_SIZE_MAX : v;
	} else if ((v = number_after(w, n, "dlay")) > 0) {
		o->delay_seconds = v > EHLO_DELAY_MAX ? EHLO_DELAY_MAX : (int)v;
	}
}

void ehlo_parse(const char *arg, size_t n, int helo, struct ehlo_opts *o)
{
	const char *dot = memchr(arg, '.', n);
	size_t label_len = dot ? (size_t)(dot - arg) : n;
	char label[256];
	int size_seen = 0;

	*o = (struct ehlo_opts){ .ext = EXT_ALL, .auth_mechs = AUTH_ALL,
	                         .size_limit = EHLO_SIZE_DEFAULT };
	if (label_len >= sizeof label)
		label_len = sizeof label - 1;
	for (size_t i = 0; i < label_len; i++)
		label[i] = (char)(arg[i] >= 'A' && arg[i] <= 'Z' ? arg[i] + 32 : arg[i]);
	for (size_t start = 0, i = 0; i <= label_len; i++) {
		if (i == label_len || label[i] == '-') {
			if (i > start)
				apply_keyword(label + start, i - start, o, &size_seen);
			start = i + 1;
		}
	}
	if (helo) {
		/* After HELO no extension exists (SPEC §3); only dlay and the size limit remain. */
		o->ext = 0;
		o->reject = 0;
		o->size_limit = EHLO_SIZE_DEFAULT;
	}
}

size_t ehlo_render(const struct ehlo_opts *o, const char *hostname, int tls_active, char *buf,
                   size_t cap)
{
	char mechs[128];
	char size[32];
	const struct {
		unsigned ext;
		const char *word;
		const char *value;
	} lines[] = {
		{ EXT_AUTH, "AUTH", mechs },
		{ EXT_8BITMIME, "8BITMIME", NULL },
		{ EXT_SIZE, "SIZE", size },
		{ EXT_PIPELINING, "PIPELINING", NULL },
		{ tls_active ? 0 : EXT_STARTTLS, "STARTTLS", NULL },
		{ EXT_CHUNKING, "CHUNKING", NULL },
		{ EXT_SMTPUTF8, "SMTPUTF8", NULL },
		{ EXT_ENHANCEDSTATUSCODES, "ENHANCEDSTATUSCODES", NULL },
	};
	size_t len;
	int w;

	auth_mech_list(o->auth_mechs, mechs, sizeof mechs);
	snprintf(size, sizeof size, "%ld", o->size_limit);
	w = snprintf(buf, cap, "250-%s\r\n", hostname);
	if (w < 0 || (size_t)w >= cap)
		return 0;
	len = (size_t)w;
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		if (!(o->ext & lines[i].ext))
			continue;
		w = snprintf(buf + len, cap - len, "250-%s%s%s\r\n", lines[i].word,
		             lines[i].value ? " " : "", lines[i].value ? lines[i].value : "");
		if (w < 0 || (size_t)w >= cap - len)
			return 0;
		len += (size_t)w;
	}
	w = snprintf(buf + len, cap - len, "250 OK\r\n");
	if (w < 0 || (size_t)w >= cap - len)
		return 0;
	return len + (size_t)w;
}
