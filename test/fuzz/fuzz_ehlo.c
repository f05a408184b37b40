/* fuzz_ehlo: the first input byte chooses HELO/EHLO, TLS on/off and an output capacity; the rest
 * is the argument through ehlo_parse, then ehlo_reply, rendered into a heap buffer of exactly that
 * capacity. Invariants: the limits stay in range, HELO has no extension, and a rendered reply
 * is complete multi-line SMTP (250- lines, then "250 OK") that fits, or 0 when it cannot. */
#include "fuzz.h"

#include "auth.h"
#include "ehlo.h"

#include <stdlib.h>
#include <string.h>

static void ehlo_check_reply(const char *buf, size_t len, const struct ehlo_opts *o, int tls)
{
	size_t lines = 0;

	FUZZ_CHECK(len >= 8 && memcmp(buf + len - 8, "250 OK\r\n", 8) == 0);
	for (size_t i = 0; i < len; i++) {
		if (i == 0 || buf[i - 1] == '\n') {
			FUZZ_CHECK(len - i >= 6);
			FUZZ_CHECK(memcmp(buf + i, i + 8 == len ? "250 " : "250-", 4) == 0);
			lines++;
		}
		if (buf[i] == '\n')
			FUZZ_CHECK(i > 0 && buf[i - 1] == '\r');
		else if (buf[i] != '\r')
			FUZZ_CHECK(buf[i] >= 0x20 && buf[i] < 0x7f);
	}
	/* the host line, one line per extension on, "250 OK" */
	size_t want = 2;

	for (unsigned e = 1; e < EXT_ALL; e <<= 1)
		want += (o->ext & e) && !(tls && e == EXT_STARTTLS);
	FUZZ_CHECK(lines == want);
	FUZZ_CHECK(((o->ext & EXT_STARTTLS) && !tls) == (memmem(buf, len, "250-STARTTLS\r\n", 14) != NULL));
}

int fuzz_ehlo(const uint8_t *data, size_t size)
{
	static struct reply r;
	struct ehlo_opts o;
	int helo, tls;
	size_t cap, len;
	char *arg, *buf;

	if (size == 0)
		return 0;
	helo = data[0] & 1;
	tls = (data[0] >> 1) & 1;
	cap = (data[0] & 0x80) ? (size_t)(data[0] & 0x7f) * 4 : 1024;   /* 0 .. 508, or roomy */
	arg = fuzz_dup(data + 1, size - 1);
	ehlo_parse(arg, size - 1, helo, &o);
	FUZZ_CHECK((o.ext & ~(unsigned)EXT_ALL) == 0);
	FUZZ_CHECK(o.auth_mechs != 0 && (o.auth_mechs & ~(unsigned)AUTH_ALL) == 0);
	FUZZ_CHECK(o.size_limit == EHLO_SIZE_DEFAULT ||
	           (o.size_limit >= EHLO_SIZE_MIN && o.size_limit <= EHLO_SIZE_MAX));
	FUZZ_CHECK(o.delay_seconds >= 0 && o.delay_seconds <= EHLO_DELAY_MAX);
	if (helo)
		FUZZ_CHECK(o.ext == 0 && o.reject == 0 && o.size_limit == EHLO_SIZE_DEFAULT);
	buf = malloc(cap > 0 ? cap : 1);
	if (buf == NULL)
		abort();
	ehlo_reply(&o, "badsmtp.test", tls, &r);
	len = reply_render(&r, REPLY_WITH_ENHANCED, buf, cap);
	if (cap >= 1024)
		FUZZ_CHECK(len > 0);   /* the longest reply is about 200 octets */
	if (len > 0) {
		FUZZ_CHECK(len < cap && buf[len] == '\0');
		FUZZ_CHECK(memcmp(buf, "250-badsmtp.test\r\n", 18) == 0);
		ehlo_check_reply(buf, len, &o, tls);
	}
	free(buf);
	free(arg);
	return 0;
}
