/* tap.h: a tiny TAP producer for the table-driven C unit tests ("got X, want Y" on failure).
 * Every function is static inline, so a test that uses only some of them builds warning-free. */
#ifndef BADSMTP_TAP_H
#define BADSMTP_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

static inline void tap_ok(int cond, const char *name)
{
	tap_n++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - %s\n", cond ? "" : "not ", tap_n, name);
}

static inline void tap_str(const char *got, const char *want, const char *name)
{
	int same = (got == NULL && want == NULL) ||
	           (got != NULL && want != NULL && strcmp(got, want) == 0);
	tap_ok(same, name);
	if (!same)
		printf("#   got \"%s\", want \"%s\"\n", got ? got : "(null)", want ? want : "(null)");
}

static inline void tap_int(long long got, long long want, const char *name)
{
	tap_ok(got == want, name);
	if (got != want)
		printf("#   got %lld, want %lld\n", got, want);
}

/* Byte strings (CRLF, NUL, 8-bit) compared exactly; shown escaped so TAP lines stay intact. */
static inline void tap_escape(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '\\' || c == '"')
			printf("\\%c", c);
		else if (c == '\r')
			fputs("\\r", stdout);
		else if (c == '\n')
			fputs("\\n", stdout);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
}

static inline void tap_mem(const char *got, size_t got_len, const char *want, size_t want_len,
                           const char *name)
{
	int same = got_len == want_len && (want_len == 0 || memcmp(got, want, want_len) == 0);

	tap_ok(same, name);
	if (!same) {
		fputs("#   got \"", stdout);
		tap_escape(got, got_len);
		fputs("\", want \"", stdout);
		tap_escape(want, want_len);
		fputs("\"\n", stdout);
	}
}

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed != 0;
}

#endif
