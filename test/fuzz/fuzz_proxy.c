/* fuzz_proxy: the first octets of a connection through proxy_parse, and the same octets as a
 * --proxy-from list and as a peer address. Invariants: a header found is a prefix of the input
 * that starts with a v1 or v2 signature (v1: at most 107 octets, ending in CRLF; v2: at most
 * PROXY_V2_MAX) and carries, when it has one, an address that parses back and a port of 0-65535;
 * every shorter prefix of it is PROXY_INCOMPLETE (a header is never judged before its end), and
 * once PROXY_INVALID, more octets never make it valid; a trust list parses to ranges no wider
 * than their addresses. */
#include "fuzz.h"

#include "proxy.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

static void check_header(const char *p, size_t n, const struct proxy_header *h)
{
	unsigned char addr[16];

	FUZZ_CHECK(h->len > 0 && h->len <= n);
	if (p[0] == 'P') {
		FUZZ_CHECK(h->len <= 107 && memcmp(p, "PROXY ", 6) == 0);
		FUZZ_CHECK(p[h->len - 2] == '\r' && p[h->len - 1] == '\n');
	} else {
		FUZZ_CHECK(h->len >= 16 && h->len <= PROXY_V2_MAX);
		FUZZ_CHECK(memcmp(p, "\r\n\r\n\0\r\nQUIT\n", 12) == 0);
	}
	if (h->has_address) {
		FUZZ_CHECK(memchr(h->client_ip, '\0', sizeof h->client_ip) != NULL);
		FUZZ_CHECK(inet_pton(AF_INET, h->client_ip, addr) == 1 ||
		           inet_pton(AF_INET6, h->client_ip, addr) == 1);
		FUZZ_CHECK(h->client_port >= 0 && h->client_port <= 65535);
	}
}

/* data with one more octet, c, after it */
static char *extended(const uint8_t *data, size_t size, char c)
{
	char *p = malloc(size + 1);

	if (p == NULL)
		abort();
	if (size > 0)
		memcpy(p, data, size);
	p[size] = c;
	return p;
}

int fuzz_proxy(const uint8_t *data, size_t size)
{
	char *p = fuzz_dup(data, size), *text = extended(data, size, '\0');
	struct proxy_header h, shorter;
	struct proxy_trust t;
	enum proxy_status st = proxy_parse(p, size, &h);

	FUZZ_CHECK(st == PROXY_OK || st == PROXY_INCOMPLETE || st == PROXY_INVALID);
	if (st == PROXY_OK) {
		check_header(p, size, &h);
		for (size_t n = 0; n < h.len; n++)
			FUZZ_CHECK(proxy_parse(p, n, &shorter) == PROXY_INCOMPLETE);
	} else if (st == PROXY_INVALID && size < PROXY_V2_MAX) {
		char *more = extended(data, size, '\n');

		FUZZ_CHECK(proxy_parse(more, size + 1, &shorter) == PROXY_INVALID);
		free(more);
	}
	/* the same octets as text: a --proxy-from list, and a peer to check against it */
	if (proxy_parse_trust(text, &t) == 0) {
		FUZZ_CHECK(t.n > 0 && t.n <= PROXY_CIDRS_MAX);
		for (size_t i = 0; i < t.n; i++)
			FUZZ_CHECK(t.cidr[i].bits >= 0 &&
			           t.cidr[i].bits <= (t.cidr[i].family == AF_INET ? 32 : 128));
	}
	(void)proxy_trusted(&t, text);
	free(text);
	free(p);
	return 0;
}
