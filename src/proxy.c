/* proxy: PROXY protocol v1 (one text line: "PROXY TCP4 src dst sport dport\r\n", at most 107
 * octets) and v2 (a 12-octet signature, version and command, family and transport, a length,
 * then the addresses and TLVs), as HAProxy's specification gives them, and CIDR ranges.
 * A header is judged as soon as its first octets allow: a client that sends "EHLO" is refused at
 * its first octet, not after a timeout. */
#include "proxy.h"

#include "text.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#define V1_MAX 107
#define V2_HEAD 16

static const char v1_sig[] = "PROXY ";
static const unsigned char v2_sig[12] = { 0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D,
                                          0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A };

enum { V2_LOCAL = 0x0, V2_PROXY = 0x1 };
enum { FAM_UNSPEC = 0x0, FAM_INET = 0x1, FAM_INET6 = 0x2, FAM_UNIX = 0x3 };

/* Fills h's address from a binary IPv4 or IPv6 address; IPv4-mapped IPv6 as plain IPv4, as
 * activation.c logs a socket peer. */
static void set_address(struct proxy_header *h, int family, const unsigned char *addr, int port)
{
	if (family == AF_INET6 && IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)addr)) {
		family = AF_INET;
		addr += 12;
	}
	h->has_address = inet_ntop(family, addr, h->client_ip, sizeof h->client_ip) != NULL;
	h->client_port = port;
}

/* ---- version 1 ------------------------------------------------------------------------------ */

/* Splits [p, end) at single spaces into exactly n words, each copied NUL-terminated into
 * words[i] (cap octets each). -1 for another count, an empty word (two spaces, a space at
 * either end) or a word longer than cap - 1. */
static int split(const char *p, const char *end, char (*words)[48], int n)
{
	for (int i = 0; i < n; i++) {
		const char *space = memchr(p, ' ', (size_t)(end - p));
		const char *stop = space != NULL ? space : end;
		size_t len = (size_t)(stop - p);

		if (len == 0 || len >= sizeof words[i] || (space == NULL) != (i == n - 1))
			return -1;
		memcpy(words[i], p, len);
		words[i][len] = '\0';
		p = stop + (space != NULL);
	}
	return 0;
}

static int port_number(const char *s)
{
	size_t n = strlen(s);
	unsigned long long v;

	if (n == 0 || n > 5 || text_decimal(s, n, &v) != n || v > 65535)
		return -1;
	return (int)v;
}

/* The line between "PROXY " and its CRLF. */
static enum proxy_status v1_line(const char *p, const char *end, struct proxy_header *h)
{
	static const char unknown[] = "UNKNOWN";
	size_t ulen = sizeof unknown - 1;
	char w[5][48];
	unsigned char a[16], b[16];
	int family, port;

	/* UNKNOWN: whatever follows it on the line is to be ignored */
	if ((size_t)(end - p) >= ulen && memcmp(p, unknown, ulen) == 0 &&
	    ((size_t)(end - p) == ulen || p[ulen] == ' '))
		return PROXY_OK;
	if (split(p, end, w, 5) != 0)
		return PROXY_INVALID;
	family = strcmp(w[0], "TCP4") == 0 ? AF_INET : strcmp(w[0], "TCP6") == 0 ? AF_INET6 : 0;
	if (family == 0 || inet_pton(family, w[1], a) != 1 || inet_pton(family, w[2], b) != 1 ||
	    (port = port_number(w[3])) < 0 || port_number(w[4]) < 0)
		return PROXY_INVALID;
	set_address(h, family, a, port);
	return PROXY_OK;
}

static enum proxy_status v1(const char *p, size_t n, struct proxy_header *h)
{
	size_t sig = sizeof v1_sig - 1, scan = n < V1_MAX ? n : V1_MAX;
	const char *lf;

	if (memcmp(p, v1_sig, n < sig ? n : sig) != 0)
		return PROXY_INVALID;
	lf = memchr(p, '\n', scan);
	if (lf == NULL)
		return n >= V1_MAX ? PROXY_INVALID : PROXY_INCOMPLETE;
	if (lf - p < (ptrdiff_t)sig + 1 || lf[-1] != '\r')
		return PROXY_INVALID;
	h->len = (size_t)(lf - p) + 1;
	return v1_line(p + sig, lf - 1, h);
}

/* ---- version 2 ------------------------------------------------------------------------------ */

static int be16(const unsigned char *p)
{
	return p[0] << 8 | p[1];
}

static enum proxy_status v2(const unsigned char *p, size_t n, struct proxy_header *h)
{
	size_t len;
	int command, family;

	if (memcmp(p, v2_sig, n < sizeof v2_sig ? n : sizeof v2_sig) != 0)
		return PROXY_INVALID;
	if (n > 12 && ((p[12] >> 4) != 2 || (p[12] & 0xF) > V2_PROXY))
		return PROXY_INVALID;
	/* families 0-3, transports 0-2, and UNSPEC only with UNSPEC */
	if (n > 13 && ((p[13] >> 4) > FAM_UNIX || (p[13] & 0xF) > 2 ||
	               (p[13] != 0 && ((p[13] >> 4) == 0 || (p[13] & 0xF) == 0))))
		return PROXY_INVALID;
	if (n < V2_HEAD)
		return PROXY_INCOMPLETE;
	len = V2_HEAD + (size_t)be16(p + 14);
	if (len > PROXY_V2_MAX)
		return PROXY_INVALID;
	if (n < len)
		return PROXY_INCOMPLETE;
	h->len = len;
	command = p[12] & 0xF;
	family = p[13] >> 4;
	p += V2_HEAD;
	len -= V2_HEAD;
	if (command == V2_LOCAL)
		return PROXY_OK;   /* a health check: the block, whatever it holds, is skipped */
	/* src, dst, src port, dst port; then TLVs, which we do not need */
	if (family == FAM_INET && len >= 12)
		set_address(h, AF_INET, p, be16(p + 8));
	else if (family == FAM_INET6 && len >= 36)
		set_address(h, AF_INET6, p, be16(p + 32));
	else if ((family == FAM_INET && len < 12) || (family == FAM_INET6 && len < 36) ||
	         (family == FAM_UNIX && len < 216))
		return PROXY_INVALID;
	return PROXY_OK;
}

enum proxy_status proxy_parse(const char *p, size_t n, struct proxy_header *h)
{
	memset(h, 0, sizeof *h);
	h->client_port = -1;
	if (n == 0)
		return PROXY_INCOMPLETE;
	if (p[0] == v1_sig[0])
		return v1(p, n, h);
	return v2((const unsigned char *)p, n, h);
}

/* ---- trusted peers -------------------------------------------------------------------------- */

/* An address as (family, 16 octets): IPv4 and IPv4-mapped IPv6 both as IPv4 in the first four,
 * so that "127.0.0.1" falls inside "::ffff:127.0.0.0/104"; c->bits shifts with it. -1 when s is
 * no address, or a mapped range is wider than the mapped block. */
static int address(const char *s, struct proxy_cidr *c)
{
	memset(c->addr, 0, sizeof c->addr);
	if (inet_pton(AF_INET, s, c->addr) == 1) {
		c->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, c->addr) != 1)
		return -1;
	c->family = AF_INET6;
	if (IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)c->addr)) {
		if (c->bits < 96)
			return -1;
		memmove(c->addr, c->addr + 12, 4);
		memset(c->addr + 4, 0, 12);
		c->family = AF_INET;
		c->bits -= 96;
	}
	return 0;
}

/* "ADDR" or "ADDR/BITS", BITS at most the address's length. */
static int parse_cidr(const char *p, size_t n, struct proxy_cidr *c)
{
	char text[64];
	const char *slash = memchr(p, '/', n);
	size_t alen = slash != NULL ? (size_t)(slash - p) : n;

	if (alen == 0 || alen >= sizeof text)
		return -1;
	memcpy(text, p, alen);
	text[alen] = '\0';
	c->bits = strchr(text, ':') != NULL ? 128 : 32;
	if (slash != NULL) {
		size_t digits = n - alen - 1;
		unsigned long long bits;

		if (digits == 0 || digits > 3 || text_decimal(slash + 1, digits, &bits) != digits ||
		    bits > (unsigned long long)c->bits)
			return -1;
		c->bits = (int)bits;
	}
	return address(text, c);
}

int proxy_parse_trust(const char *list, struct proxy_trust *t)
{
	t->n = 0;
	for (const char *p = list;; p++) {
		size_t n = strcspn(p, ",");

		if (t->n == PROXY_CIDRS_MAX || parse_cidr(p, n, &t->cidr[t->n]) != 0)
			return -1;
		t->n++;
		p += n;
		if (*p == '\0')
			return 0;
	}
}

static int inside(const struct proxy_cidr *range, const struct proxy_cidr *a)
{
	int whole = range->bits / 8, rest = range->bits % 8;

	if (range->family != a->family || memcmp(range->addr, a->addr, (size_t)whole) != 0)
		return 0;
	return rest == 0 ||
	       ((range->addr[whole] ^ a->addr[whole]) & (unsigned char)(0xFF << (8 - rest))) == 0;
}

int proxy_trusted(const struct proxy_trust *t, const char *ip)
{
	struct proxy_cidr a = { .bits = 128 };

	if (address(ip, &a) != 0)
		return 0;
	for (size_t i = 0; i < t->n; i++)
		if (inside(&t->cidr[i], &a))
			return 1;
	return 0;
}
