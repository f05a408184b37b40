/* tap.h: a tiny TAP producer for the table-driven C unit tests ("got X, want Y" on failure). */
#ifndef BADSMTP_TAP_H
#define BADSMTP_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

static void tap_ok(int cond, const char *name)
{
	tap_n++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - %s\n", cond ? "" : "not ", tap_n, name);
}

static void tap_str(const char *got, const char *want, const char *name)
{
	int same = (got == NULL && want == NULL) ||
	           (got != NULL && want != NULL && strcmp(got, want) == 0);
	tap_ok(same, name);
	if (!same)
		printf("#   got \"%s\", want \"%s\"\n", got ? got : "(null)", want ? want : "(null)");
}

static void tap_int(long long got, long long want, const char *name)
{
	tap_ok(got == want, name);
	if (got != want)
		printf("#   got %lld, want %lld\n", got, want);
}

static int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed != 0;
}

#endif
