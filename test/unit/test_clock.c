/* test_clock: the dates badsmtp writes — RFC 5322 §3.3 in the Received: header and SPEC §11's
 * log timestamp — built from clock_utc without the C library's time-zone code; leap days,
 * centuries, 2038 and dates before 1970. The expected strings come from Python's
 * email.utils.formatdate. */
#include "buf.h"
#include "clock.h"
#include "tap.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static void test_rfc5322(void)
{
	static const struct {
		long long t;
		const char *want;
	} rows[] = {
		{ 0, "Thu, 01 Jan 1970 00:00:00 +0000" },
		{ 951782400, "Tue, 29 Feb 2000 00:00:00 +0000" },
		{ 951868799, "Tue, 29 Feb 2000 23:59:59 +0000" },
		{ 1234567890, "Fri, 13 Feb 2009 23:31:30 +0000" },
		{ 1798761599, "Thu, 31 Dec 2026 23:59:59 +0000" },
		{ 4102444800, "Fri, 01 Jan 2100 00:00:00 +0000" },
		{ 2147483648, "Tue, 19 Jan 2038 03:14:08 +0000" },
		{ 86399, "Thu, 01 Jan 1970 23:59:59 +0000" },
		{ -1, "Wed, 31 Dec 1969 23:59:59 +0000" },
		{ 1609459259, "Fri, 01 Jan 2021 00:00:59 +0000" },
	};
	char store[64], name[64];
	struct buf b;

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		buf_init(&b, store, sizeof store);
		clock_rfc5322(rows[i].t, &b);
		snprintf(name, sizeof name, "clock_rfc5322(%lld)", rows[i].t);
		tap_str(b.p, rows[i].want, name);
	}
}

/* "2026-01-07T12:17:41.569203Z", and the date part is today's. */
static void test_iso8601(void)
{
	char store[64], today[16];
	struct buf b;
	time_t now = time(NULL);
	struct tm tm;
	int shape = 1;

	buf_init(&b, store, sizeof store);
	clock_iso8601_now(&b);
	gmtime_r(&now, &tm);
	strftime(today, sizeof today, "%Y-%m-%d", &tm);
	tap_int((long long)b.len, 27, "clock_iso8601_now is 27 octets");
	for (size_t i = 0; i < b.len && i < 27; i++) {
		char want = "0000-00-00T00:00:00.000000Z"[i];

		if (want == '0' ? !(b.p[i] >= '0' && b.p[i] <= '9') : b.p[i] != want)
			shape = 0;
	}
	tap_ok(shape, "clock_iso8601_now has the shape YYYY-MM-DDTHH:MM:SS.uuuuuuZ");
	tap_ok(strncmp(b.p, today, 10) == 0, "clock_iso8601_now is today, in UTC");
}

int main(void)
{
	test_rfc5322();
	test_iso8601();
	return tap_done();
}
