/* ehlo: keyword parsing and the EHLO reply. The first label of the EHLO argument, lower-cased
 * and split on '-', is a list of keywords matched whole (the Go original matched substrings, so
 * "nosizes" switched SIZE off; we do not). */
#include "ehlo.h"

#include "auth.h"
#include "buf.h"
#include "text.h"

#include <string.h>

/* Keywords whose effect is a fixed change of the options: an extension off (or on), AUTH narrowed
 * to some mechanisms, the reply shaping of SPEC §17, AUTH's manners, EHLO refused, a TLS
 * fault. */
static const struct {
	const char *word;
	unsigned ext_off, ext_on;
	unsigned auth_only;
	unsigned auth_flags;
	unsigned render, pacing;
	int reject;
	enum tlsfault tls_fault;
} keywords[] = {
	{ .word = "noauth", .ext_off = EXT_AUTH },
	{ .word = "no8bit", .ext_off = EXT_8BITMIME },
	{ .word = "nosize", .ext_off = EXT_SIZE },
	{ .word = "nopipelining", .ext_off = EXT_PIPELINING },
	{ .word = "nostarttls", .ext_off = EXT_STARTTLS },
	{ .word = "nochunking", .ext_off = EXT_CHUNKING },
	{ .word = "nosmtputf8", .ext_off = EXT_SMTPUTF8 },
	{ .word = "noenhancedstatuscodes", .ext_off = EXT_ENHANCEDSTATUSCODES },
	{ .word = "dsn", .ext_on = EXT_DSN },
	{ .word = "authplain", .auth_only = AUTH_PLAIN },
	{ .word = "authlogin", .auth_only = AUTH_LOGIN },
	{ .word = "authcram", .auth_only = AUTH_CRAM_MD5 | AUTH_CRAM_SHA256 },
	{ .word = "authoauth", .auth_only = AUTH_XOAUTH2 },
	{ .word = "authequals", .auth_flags = EHLO_AUTH_EQUALS },
	{ .word = "noclearauth", .auth_flags = EHLO_NO_CLEAR_AUTH },
	{ .word = "replysplit", .pacing = REPLY_SPLIT },
	{ .word = "replybytes", .pacing = REPLY_BYTES },
	{ .word = "replybare", .render = REPLY_BARE },
	{ .word = "replymulti", .render = REPLY_MULTI },
	{ .word = "replylong", .render = REPLY_LONG },
	{ .word = "replylf", .render = REPLY_LF },
	{ .word = "reject", .reject = 1 },
	{ .word = "noehl", .reject = 1 },
	/* SPEC §16 names it `inject`, "EHLO keyword only", and also uses fault names in tls{fault}
	 * keywords: both spellings ask for it (the last tls… part wins) */
	{ .word = "inject", .tls_fault = TLSFAULT_INJECT },
};

/* The number after prefix when word is prefix{digits}, saturating; -1 otherwise. */
static long long number_after(const char *word, size_t n, const char *prefix)
{
	size_t plen = strlen(prefix);
	unsigned long long v;

	if (n <= plen || memcmp(word, prefix, plen) != 0 ||
	    text_decimal(word + plen, n - plen, &v) != n - plen)
		return -1;
	return (long long)v;
}

static void apply_keyword(const char *w, size_t n, struct ehlo_opts *o, int *size_seen)
{
	long long v;
	enum tlsfault f;

	for (size_t k = 0; k < sizeof keywords / sizeof keywords[0]; k++) {
		if (strlen(keywords[k].word) == n && memcmp(keywords[k].word, w, n) == 0) {
			o->ext = (o->ext & ~keywords[k].ext_off) | keywords[k].ext_on;
			o->auth_flags |= keywords[k].auth_flags;
			o->render |= keywords[k].render;
			o->pacing |= keywords[k].pacing;
			o->reject |= keywords[k].reject;
			if (keywords[k].auth_only)
				o->auth_mechs = keywords[k].auth_only;   /* the last such part wins */
			if (keywords[k].tls_fault != TLSFAULT_NONE)
				o->tls_fault = keywords[k].tls_fault;
			return;
		}
	}
	if ((v = number_after(w, n, "size")) > 0 && !*size_seen) {
		*size_seen = 1;   /* the first part with a number > 0 wins */
		o->size_limit = v < EHLO_SIZE_MIN ? EHLO_SIZE_MIN : v > EHLO_SIZE_MAX ? EHLO_SIZE_MAX
		                                                                      : (long)v;
	} else if ((v = number_after(w, n, "dlay")) > 0) {
		o->delay_seconds = v > EHLO_DELAY_MAX ? EHLO_DELAY_MAX : (int)v;
	} else if ((f = tlsfault_from_part(w, n, TLSFAULT_BY_EHLO)) != TLSFAULT_NONE) {
		o->tls_fault = f;   /* the last tls… part wins (SPEC §16) */
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
	text_lower_copy(label, arg, label_len);
	for (size_t start = 0, i = 0; i <= label_len; i++) {
		if (i == label_len || label[i] == '-') {
			if (i > start)
				apply_keyword(label + start, i - start, o, &size_seen);
			start = i + 1;
		}
	}
	if (helo) {
		/* After HELO no extension exists (SPEC §3); dlay, the size limit and the shaping of the
		 * replies (SPEC §17: not an extension) remain. */
		o->ext = 0;
		o->reject = 0;
		o->size_limit = EHLO_SIZE_DEFAULT;
	}
}

void ehlo_reply(const struct ehlo_opts *o, const char *hostname, int tls_active,
                struct reply *r)
{
	char mechs[128], equals[128], size[32];
	struct buf b;
	/* noclearauth: no AUTH before TLS (SPEC §17) */
	unsigned auth = (o->auth_flags & EHLO_NO_CLEAR_AUTH) && !tls_active ? 0 : EXT_AUTH;
	const struct {
		unsigned ext;
		const char *line;
	} lines[] = {
		{ auth, mechs },
		/* authequals: the pre-RFC 4954 form some old clients look for */
		{ o->auth_flags & EHLO_AUTH_EQUALS ? auth : 0, equals },
		{ EXT_8BITMIME, "8BITMIME" },
		{ EXT_SIZE, size },
		{ EXT_DSN, "DSN" },
		{ EXT_PIPELINING, "PIPELINING" },
		{ tls_active ? 0 : EXT_STARTTLS, "STARTTLS" },
		{ EXT_CHUNKING, "CHUNKING" },
		{ EXT_SMTPUTF8, "SMTPUTF8" },
		{ EXT_ENHANCEDSTATUSCODES, "ENHANCEDSTATUSCODES" },
	};

	memcpy(mechs, "AUTH ", 5);
	auth_mech_list(o->auth_mechs, mechs + 5, sizeof mechs - 5);
	buf_init(&b, equals, sizeof equals);
	buf_adds(&b, "AUTH=");
	buf_adds(&b, mechs + 5);
	buf_init(&b, size, sizeof size);
	buf_adds(&b, "SIZE ");
	buf_add_decimal(&b, o->size_limit, 0);
	reply_make(r, REPLY_HELO_OK, &hostname, 1);   /* HELO's whole reply is EHLO's first line */
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
		if (o->ext & lines[i].ext)
			reply_add_line(r, lines[i].line, strlen(lines[i].line));
	reply_add_line(r, "OK", 2);
}
