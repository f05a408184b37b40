/* auth_harness.h: the exchange driver shared by the five fuzz_auth_* targets (one per SASL
 * mechanism). Input: byte 0 holds flags, the rest is client lines separated by '\n':
 *   bit 0: the first line is the initial response of "AUTH mech ir";
 *   bit 1: the harness base64-encodes every line first (so the fuzzer reaches the decoded
 *          grammar: NULs, \1 fields, digests), else lines go as sent (bad base64, "*", "=").
 * Invariants, at every step: out is a NUL-terminated base64 text within AUTH_OUT_MAX; the
 * username is printable, at most AUTH_USER_MAX octets; OK means a username without "badauth",
 * FAILED one with it (any case), MALFORMED and UNAVAILABLE none; a finished exchange answers
 * MALFORMED to anything more; with encoded lines, PLAIN's username is the authcid between the
 * two NULs and CRAM's the text before the last space. */
#ifndef BADSMTP_FUZZ_AUTH_HARNESS_H
#define BADSMTP_FUZZ_AUTH_HARNESS_H

#include "fuzz.h"

#include "auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define AUTH_HARNESS_HOST "badsmtp.test"
#define AUTH_HARNESS_UNIQ "sess_0123456789ab"

static size_t auth_harness_b64(const uint8_t *p, size_t n, char *out)
{
	static const char abc[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
		             (i + 2 < n ? p[i + 2] : 0);

		out[o++] = abc[v >> 18 & 63];
		out[o++] = abc[v >> 12 & 63];
		out[o++] = i + 1 < n ? abc[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? abc[v & 63] : '=';
	}
	return o;
}

static int auth_harness_has_badauth(const char *u)
{
	size_t n = strlen(u);

	for (size_t i = 0; i + 7 <= n; i++)
		if (strncasecmp(u + i, "badauth", 7) == 0)
			return 1;
	return 0;
}

static void auth_harness_check_out(const char *out, enum auth_step step)
{
	size_t n = strnlen(out, AUTH_OUT_MAX);

	FUZZ_CHECK(n < AUTH_OUT_MAX);
	if (step != AUTH_CHALLENGE)
		return;
	FUZZ_CHECK(n % 4 == 0);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=",
		                  out[i]) != NULL);
}

static void auth_harness_check_user(const struct auth *a, enum auth_step step)
{
	const char *u = auth_username(a);
	size_t n;

	FUZZ_CHECK(u != NULL);
	n = strnlen(u, AUTH_USER_MAX + 1);
	FUZZ_CHECK(n <= AUTH_USER_MAX);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK((unsigned char)u[i] >= 0x20 && (unsigned char)u[i] != 0x7f);
	if (step == AUTH_OK)
		FUZZ_CHECK(n > 0 && !auth_harness_has_badauth(u));
	if (step == AUTH_FAILED)
		FUZZ_CHECK(n > 0 && auth_harness_has_badauth(u));
	if (step == AUTH_MALFORMED || step == AUTH_UNAVAILABLE)
		FUZZ_CHECK(n == 0);
}

/* With encoded lines the decoded response is known: the username must come from it. */
static void auth_harness_check_reference(int mech, const uint8_t *d, size_t n, const char *user)
{
	if (mech == AUTH_PLAIN) {
		const uint8_t *nul1 = memchr(d, 0, n), *nul2;

		FUZZ_CHECK(nul1 != NULL);
		nul2 = memchr(nul1 + 1, 0, n - (size_t)(nul1 + 1 - d));
		FUZZ_CHECK(nul2 != NULL && memchr(nul2 + 1, 0, n - (size_t)(nul2 + 1 - d)) == NULL);
		FUZZ_CHECK((size_t)(nul2 - nul1 - 1) == strlen(user) &&
		           memcmp(nul1 + 1, user, strlen(user)) == 0);
	} else if (mech == AUTH_CRAM_MD5 || mech == AUTH_CRAM_SHA256) {
		size_t sp = n;

		while (sp > 0 && d[sp - 1] != ' ')
			sp--;
		FUZZ_CHECK(sp > 0 && n - sp == (mech == AUTH_CRAM_MD5 ? 32u : 64u));
		FUZZ_CHECK(sp - 1 == strlen(user) && memcmp(d, user, sp - 1) == 0);
	}
}

static int auth_harness(int mech, const uint8_t *data, size_t size)
{
	struct auth a;
	char out[AUTH_OUT_MAX];
	enum auth_step step;
	int has_ir, encode;
	size_t pos = 1;
	const uint8_t *last = NULL;
	size_t last_len = 0;
	int fed = 0;   /* a response (not an absent or empty initial one) reached the mechanism */
	/* the longest line, base64-encoded, plus a NUL */
	char *enc = malloc(size / 3 * 4 + 8), *line;

	if (enc == NULL)
		abort();
	if (size == 0) {
		free(enc);
		return 0;
	}
	has_ir = data[0] & 1;
	encode = (data[0] >> 1) & 1;

	/* next_line: the next '\n'-separated piece as a heap copy of exactly its length */
#define AUTH_HARNESS_NEXT(p_, n_) \
	do { \
		const uint8_t *s_ = data + pos, *e_ = memchr(s_, '\n', size - pos); \
		size_t l_ = e_ ? (size_t)(e_ - s_) : size - pos; \
		pos += l_ + (e_ != NULL); \
		last = s_, last_len = l_; \
		if (encode) \
			l_ = auth_harness_b64(s_, l_, enc), s_ = (const uint8_t *)enc; \
		(p_) = fuzz_dup(s_, l_); \
		(n_) = l_; \
	} while (0)

	if (has_ir && pos < size) {
		size_t n;

		AUTH_HARNESS_NEXT(line, n);
		step = auth_begin(&a, mech, line, n, 1, AUTH_HARNESS_HOST, AUTH_HARNESS_UNIQ,
		                  1700000000LL, out, sizeof out);
		if (n > 0 && (mech == AUTH_CRAM_MD5 || mech == AUTH_CRAM_SHA256))
			FUZZ_CHECK(step == AUTH_MALFORMED);
		fed = n > 0;
		free(line);
	} else {
		step = auth_begin(&a, mech, NULL, 0, 0, AUTH_HARNESS_HOST, AUTH_HARNESS_UNIQ,
		                  1700000000LL, out, sizeof out);
		FUZZ_CHECK(step == AUTH_CHALLENGE);
		if (mech == AUTH_CRAM_MD5 || mech == AUTH_CRAM_SHA256)
			FUZZ_CHECK(strcmp(out, "PHNlc3NfMDEyMzQ1Njc4OWFiLjE3MDAwMDAwMDBAYmFkc210cC50ZXN0Pg==") == 0);
	}
	for (;;) {
		size_t n;

		auth_harness_check_out(out, step);
		auth_harness_check_user(&a, step);
		if (encode && fed && (step == AUTH_OK || step == AUTH_FAILED))
			auth_harness_check_reference(mech, last, last_len, auth_username(&a));
		if (mech == AUTH_XOAUTH2 && step == AUTH_CHALLENGE && fed)
			FUZZ_CHECK(auth_harness_has_badauth(auth_username(&a)));
		if (step != AUTH_CHALLENGE || pos >= size)
			break;
		AUTH_HARNESS_NEXT(line, n);
		step = auth_continue(&a, line, n, out, sizeof out);
		fed = 1;
		free(line);
	}
#undef AUTH_HARNESS_NEXT
	if (step != AUTH_CHALLENGE) {
		char user[AUTH_USER_MAX + 1];

		snprintf(user, sizeof user, "%s", auth_username(&a));
		FUZZ_CHECK(auth_continue(&a, "dGVzdA==", 8, out, sizeof out) == AUTH_MALFORMED);
		FUZZ_CHECK(strcmp(user, auth_username(&a)) == 0);
	}
	free(enc);
	return 0;
}

#endif
