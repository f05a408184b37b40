/* auth: the fake SASL mechanisms of SPEC §5 as a table of small state machines. Framing follows
 * RFC 4954 (334 challenges, "=" as an empty initial response, "*" cancels, no initial response
 * for server-first mechanisms); PLAIN follows RFC 4616, CRAM-MD5 RFC 2195 (CRAM-SHA256 is the
 * same with a 64-digit digest), XOAUTH2 Google's format. No account exists: the outcome depends
 * on the username only, and passwords, tokens and digests are parsed for shape, never checked
 * and never kept (decoded buffers are wiped).
 *
 * Not here: replies, logging, the mechanism restriction by EHLO keywords (the session's), and a
 * base64 codec: we use glibc libresolv's b64_pton/b64_ntop, linked from libresolv.a so that no
 * session loads a shared library for them. b64_pton skips white space; we check the alphabet and
 * padding first, so what we accept is strict RFC 4648. */
#include "auth.h"

#include "text.h"

#include <netinet/in.h>
#include <resolv.h>
#include <stdio.h>
#include <string.h>

#define AUTH_B64_MAX     2732                      /* base64 octets of one response: 2 KiB */
#define AUTH_DECODED_MAX (AUTH_B64_MAX / 4 * 3)    /* 2049: what the longest response decodes to */

enum {
	ST_NONE,          /* no exchange, or it is over */
	ST_PLAIN,         /* waiting for authzid\0authcid\0password */
	ST_LOGIN_USER,    /* waiting for the username */
	ST_LOGIN_PASS,    /* waiting for the password */
	ST_CRAM,          /* waiting for "user digest" */
	ST_XOAUTH2,       /* waiting for user=…\1auth=…\1\1 */
	ST_XOAUTH2_ERROR, /* sent the error challenge; waiting for the client's (empty) line */
	ST_COUNT
};

struct mech {
	int bit;
	const char *name;
	int first;             /* the state that takes the first client response */
	const char *prompt;    /* plain text of the first challenge; NULL: the CRAM msg-id */
	size_t hex_len;        /* CRAM digest length in hex digits; 0: no initial response allowed */
};

/* In EHLO order; the order of auth_mech_list. */
static const struct mech mechs[] = {
	{ .bit = AUTH_PLAIN, .name = "PLAIN", .first = ST_PLAIN, .prompt = "" },
	{ .bit = AUTH_LOGIN, .name = "LOGIN", .first = ST_LOGIN_USER, .prompt = "Username:" },
	{ .bit = AUTH_CRAM_MD5, .name = "CRAM-MD5", .first = ST_CRAM, .hex_len = 32 },
	{ .bit = AUTH_CRAM_SHA256, .name = "CRAM-SHA256", .first = ST_CRAM, .hex_len = 64 },
	{ .bit = AUTH_XOAUTH2, .name = "XOAUTH2", .first = ST_XOAUTH2, .prompt = "" },
};
#define NMECHS (sizeof mechs / sizeof mechs[0])

static const char xoauth2_error[] =
	"{\"status\":\"401\",\"schemes\":\"bearer\",\"scope\":\"https://mail.google.com/\"}";

/* ---- base64, strict ---- */

static int b64_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/';
}

/* Strict base64 (RFC 4648 §4: alphabet, '=' only as the final padding, whole quanta) into dst.
 * Returns the decoded length, or -1. b64_pton itself rejects non-zero pad bits and data after
 * the padding, but skips white space and needs a NUL-terminated copy. */
static int b64_decode(const char *p, size_t n, unsigned char *dst, size_t cap)
{
	char enc[AUTH_B64_MAX + 1];
	size_t i, pad = 0;
	int r;

	if (n > AUTH_B64_MAX || n % 4 != 0)
		return -1;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c == '=') {
			pad++;
		} else if (!b64_char(c) || pad > 0) {
			return -1;
		}
	}
	if (pad > 2)
		return -1;
	memcpy(enc, p, n);
	enc[n] = '\0';
	r = b64_pton(enc, dst, cap);
	explicit_bzero(enc, n);
	return r;
}

/* NUL-terminated base64 of src into out; -1 when it does not fit. */
static int b64_encode(const void *src, size_t n, char *out, size_t cap)
{
	if (out == NULL || cap == 0)
		return -1;
	if (n == 0) {
		out[0] = '\0';
		return 0;
	}
	return b64_ntop(src, n, out, cap) < 0 ? -1 : 0;
}

/* ---- the pieces every mechanism shares ---- */

/* 0 and the username kept, or -1: empty, too long, or a control octet (NUL, CR, LF, …: they
 * would end up in logs). */
static int set_user(struct auth *a, const unsigned char *p, size_t n)
{
	size_t i;

	if (n == 0 || n > AUTH_USER_MAX)
		return -1;
	for (i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] == 0x7f)
			return -1;
	memcpy(a->user, p, n);
	a->user[n] = '\0';
	a->user_len = n;
	return 0;
}

static int user_fails(const struct auth *a)
{
	static const char bad[] = "badauth";
	size_t i, n = sizeof bad - 1;

	for (i = 0; i + n <= a->user_len; i++)
		if (text_case_equal(a->user + i, n, bad))
			return 1;
	return 0;
}

/* Ends the exchange. A malformed one has no username: a half-parsed one is not worth logging. */
static enum auth_step finish(struct auth *a, enum auth_step step)
{
	a->state = ST_NONE;
	if (step == AUTH_MALFORMED) {
		a->user_len = 0;
		a->user[0] = '\0';
	}
	return step;
}

static enum auth_step verdict(struct auth *a)
{
	return finish(a, user_fails(a) ? AUTH_FAILED : AUTH_OK);
}

static enum auth_step challenge(struct auth *a, int next, const void *text, size_t n, char *out,
                                size_t outcap)
{
	if (b64_encode(text, n, out, outcap) < 0)
		return finish(a, AUTH_UNAVAILABLE);
	a->state = next;
	return AUTH_CHALLENGE;
}

static const struct mech *mech_of(int bit)
{
	size_t i;

	for (i = 0; i < NMECHS; i++)
		if (mechs[i].bit == bit)
			return &mechs[i];
	return NULL;
}

/* ---- one step per state: d/n is the decoded client response ---- */

typedef enum auth_step (*step_fn)(struct auth *a, const unsigned char *d, size_t n, char *out,
                                  size_t outcap);

/* authzid \0 authcid \0 passwd (RFC 4616 §2): exactly two NULs; username = authcid. */
static enum auth_step step_plain(struct auth *a, const unsigned char *d, size_t n, char *out,
                                 size_t outcap)
{
	const unsigned char *nul1, *nul2;

	(void)out, (void)outcap;
	nul1 = memchr(d, '\0', n);
	if (nul1 == NULL)
		return finish(a, AUTH_MALFORMED);
	nul2 = memchr(nul1 + 1, '\0', n - (size_t)(nul1 + 1 - d));
	if (nul2 == NULL || memchr(nul2 + 1, '\0', n - (size_t)(nul2 + 1 - d)) != NULL)
		return finish(a, AUTH_MALFORMED);
	if (set_user(a, nul1 + 1, (size_t)(nul2 - nul1 - 1)) < 0)
		return finish(a, AUTH_MALFORMED);
	return verdict(a);
}

static enum auth_step step_login_user(struct auth *a, const unsigned char *d, size_t n, char *out,
                                      size_t outcap)
{
	static const char prompt[] = "Password:";

	if (set_user(a, d, n) < 0)
		return finish(a, AUTH_MALFORMED);
	return challenge(a, ST_LOGIN_PASS, prompt, sizeof prompt - 1, out, outcap);
}

/* Any password, even an empty one: it is not checked. */
static enum auth_step step_login_pass(struct auth *a, const unsigned char *d, size_t n, char *out,
                                      size_t outcap)
{
	(void)d, (void)n, (void)out, (void)outcap;
	return verdict(a);
}

static int is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* "user digest" (RFC 2195): the digest is after the last space, so a username may hold spaces;
 * it must be hex of the mechanism's length (either case) and is not verified. */
static enum auth_step step_cram(struct auth *a, const unsigned char *d, size_t n, char *out,
                                size_t outcap)
{
	const struct mech *m = mech_of(a->mech);
	size_t sp, i;

	(void)out, (void)outcap;
	for (sp = n; sp > 0 && d[sp - 1] != ' '; sp--)
		;
	if (sp == 0 || m == NULL || n - sp != m->hex_len)
		return finish(a, AUTH_MALFORMED);
	for (i = sp; i < n; i++)
		if (!is_hex(d[i]))
			return finish(a, AUTH_MALFORMED);
	if (set_user(a, d, sp - 1) < 0)
		return finish(a, AUTH_MALFORMED);
	return verdict(a);
}

/* user={user}\1auth={type token}\1\1: fields end in \1, an empty field ends the list and must be
 * last; user= and a non-empty auth= are required, each once; other fields are ignored. */
static enum auth_step step_xoauth2(struct auth *a, const unsigned char *d, size_t n, char *out,
                                   size_t outcap)
{
	size_t pos = 0;
	int have_user = 0, have_auth = 0;

	if (n < 2 || d[n - 1] != 1 || d[n - 2] != 1)
		return finish(a, AUTH_MALFORMED);
	n--;   /* drop the terminating empty field's \1: every remaining field ends in \1 */
	while (pos < n) {
		const unsigned char *e = memchr(d + pos, 1, n - pos);
		size_t len = (size_t)(e - (d + pos));   /* e != NULL: d[n - 1] is \1 */

		if (len == 0)
			return finish(a, AUTH_MALFORMED);
		if (len >= 5 && memcmp(d + pos, "user=", 5) == 0) {
			if (have_user || set_user(a, d + pos + 5, len - 5) < 0)
				return finish(a, AUTH_MALFORMED);
			have_user = 1;
		} else if (len >= 5 && memcmp(d + pos, "auth=", 5) == 0) {
			if (have_auth || len == 5)
				return finish(a, AUTH_MALFORMED);
			have_auth = 1;
		}
		pos += len + 1;
	}
	if (!have_user || !have_auth)
		return finish(a, AUTH_MALFORMED);
	if (!user_fails(a))
		return finish(a, AUTH_OK);
	/* Google's failure: a 334 with the error status, then 535 after the client's line */
	return challenge(a, ST_XOAUTH2_ERROR, xoauth2_error, sizeof xoauth2_error - 1, out, outcap);
}

static const step_fn steps[ST_COUNT] = {
	[ST_PLAIN] = step_plain,
	[ST_LOGIN_USER] = step_login_user,
	[ST_LOGIN_PASS] = step_login_pass,
	[ST_CRAM] = step_cram,
	[ST_XOAUTH2] = step_xoauth2,
};

/* Decodes one client response and runs the current state's step. */
static enum auth_step feed(struct auth *a, const char *p, size_t n, int empty, char *out,
                           size_t outcap)
{
	unsigned char dec[AUTH_DECODED_MAX];
	enum auth_step step;
	int len = 0;

	if (!empty) {
		len = b64_decode(p, n, dec, sizeof dec);
		if (len < 0)
			return finish(a, AUTH_MALFORMED);
	}
	step = steps[a->state](a, dec, (size_t)len, out, outcap);
	explicit_bzero(dec, (size_t)len);
	return step;
}

/* ---- the interface ---- */

int auth_parse_request(const char *arg, size_t n, struct auth_request *req)
{
	const char *sp = memchr(arg, ' ', n);
	size_t mech_len = sp ? (size_t)(sp - arg) : n;

	*req = (struct auth_request){ .ir = sp ? sp + 1 : NULL, .ir_len = sp ? n - mech_len - 1 : 0 };
	if (mech_len == 0 || (sp != NULL && memchr(req->ir, ' ', req->ir_len) != NULL))
		return -1;
	req->mech = auth_mech_lookup(arg, mech_len);
	return 0;
}

int auth_mech_lookup(const char *name, size_t n)
{
	size_t i;

	if (name == NULL)
		return 0;
	for (i = 0; i < NMECHS; i++)
		if (text_case_equal(name, n, mechs[i].name))
			return mechs[i].bit;
	return 0;
}

const char *auth_mech_name(int mech)
{
	const struct mech *m = mech_of(mech);

	return m != NULL ? m->name : "";
}

size_t auth_mech_list(unsigned mask, char *out, size_t cap)
{
	size_t i, len = 0;

	if (out != NULL && cap > 0)
		out[0] = '\0';
	for (i = 0; i < NMECHS; i++) {
		const char *name = mechs[i].name;
		size_t k, nlen = strlen(name);

		if (!(mask & (unsigned)mechs[i].bit))
			continue;
		for (k = len > 0 ? 0 : 1; k <= nlen; k++, len++) {
			char c = k == 0 ? ' ' : name[k - 1];
			if (out != NULL && len + 1 < cap) {
				out[len] = c;
				out[len + 1] = '\0';
			}
		}
	}
	return len;
}

/* printable ASCII, 1..max octets, none of the octets in bad */
static int token_ok(const char *s, size_t max, const char *bad)
{
	size_t n;

	if (s == NULL)
		return 0;
	n = strnlen(s, max + 1);
	if (n == 0 || n > max)
		return 0;
	for (; *s != '\0'; s++)
		if (*s <= ' ' || *s >= 0x7f || strchr(bad, *s) != NULL)
			return 0;
	return 1;
}

static enum auth_step cram_challenge(struct auth *a, const char *hostname, const char *unique,
                                     long long now, char *out, size_t outcap)
{
	char msgid[1 + 64 + 1 + 20 + 1 + 255 + 1 + 1];
	int len;

	if (!token_ok(unique, 64, "<>@") || !token_ok(hostname, 255, "<>"))
		return finish(a, AUTH_UNAVAILABLE);
	len = snprintf(msgid, sizeof msgid, "<%s.%lld@%s>", unique, now, hostname);
	if (len < 0 || (size_t)len >= sizeof msgid)
		return finish(a, AUTH_UNAVAILABLE);
	return challenge(a, ST_CRAM, msgid, (size_t)len, out, outcap);
}

enum auth_step auth_begin(struct auth *a, int mech, const char *ir, size_t irlen, int has_ir,
                          const char *hostname, const char *unique, long long now_seconds,
                          char *out, size_t outcap)
{
	const struct mech *m = mech_of(mech);

	a->state = ST_NONE;
	a->mech = mech;
	a->user_len = 0;
	a->user[0] = '\0';
	if (out != NULL && outcap > 0)
		out[0] = '\0';
	if (m == NULL)
		return AUTH_UNAVAILABLE;
	if (has_ir && irlen > 0 && ir != NULL) {
		if (m->prompt == NULL)   /* server-first: RFC 4954 §4 forbids an initial response */
			return AUTH_MALFORMED;
		a->state = m->first;
		return feed(a, ir, irlen, irlen == 1 && ir[0] == '=', out, outcap);
	}
	if (m->prompt == NULL)
		return cram_challenge(a, hostname, unique, now_seconds, out, outcap);
	return challenge(a, m->first, m->prompt, strlen(m->prompt), out, outcap);
}

enum auth_step auth_continue(struct auth *a, const char *line, size_t n, char *out, size_t outcap)
{
	if (out != NULL && outcap > 0)
		out[0] = '\0';
	if (a->state <= ST_NONE || a->state >= ST_COUNT)
		return AUTH_MALFORMED;   /* no exchange: a caller bug; keep what the last one left */
	if (n > 0 && line == NULL)
		return finish(a, AUTH_MALFORMED);
	if (n == 1 && line[0] == '*')
		return finish(a, AUTH_CANCELLED);
	if (a->state == ST_XOAUTH2_ERROR)
		return finish(a, AUTH_FAILED);
	return feed(a, line, n, 0, out, outcap);
}

const char *auth_username(const struct auth *a)
{
	return a->user_len > 0 ? a->user : "";
}
