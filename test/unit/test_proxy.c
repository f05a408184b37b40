/* test_proxy: SPEC §20 and HAProxy's PROXY protocol specification. v1 lines (TCP4, TCP6,
 * UNKNOWN with or without the rest of its line) and v2 blocks (PROXY over IPv4 and IPv6, with
 * TLVs, LOCAL, UNSPEC, UNIX), each followed by the client's own bytes, which are not the
 * header's; malformed headers, refused as soon as their first wrong octet is in, and every
 * prefix of a good header still incomplete. Then --proxy-from lists and addresses inside and
 * outside them. */
#include "proxy.h"
#include "tap.h"

#include <stdio.h>

#define SIG "\r\n\r\n\0\r\nQUIT\n"   /* the v2 signature: 12 octets */

struct row {
	const char *name;
	const char *in;
	size_t n;              /* octets of in */
	enum proxy_status want;
	size_t len;            /* PROXY_OK: the header's length */
	const char *ip;        /* PROXY_OK: "" when the socket's peer stands */
	int port;
};

/* A header found: its length, the client in it ("" for none) and its port (-1 for none). */
#define OK(nm, text, l, addr, p) \
	{ .name = nm, .in = text, .n = sizeof text - 1, .want = PROXY_OK, .len = l, .ip = addr, \
	  .port = p }
#define NOT(nm, text, status) { .name = nm, .in = text, .n = sizeof text - 1, .want = status }

static const struct row rows[] = {
	OK("v1 TCP4", "PROXY TCP4 192.0.2.1 127.0.0.1 56324 25\r\nEHLO x\r\n", 41,
	    "192.0.2.1", 56324),
	OK("v1 TCP6", "PROXY TCP6 2001:db8::1 ::1 443 25\r\n", 35, "2001:db8::1", 443),
	OK("v1 TCP6, an IPv4-mapped client as IPv4", "PROXY TCP6 ::ffff:192.0.2.7 ::1 1 25\r\n",
	    38, "192.0.2.7", 1),
	OK("v1 TCP6, written long, logged short", "PROXY TCP6 2001:0db8:0:0:0:0:0:0001 ::1 7 25\r\n",
	    46, "2001:db8::1", 7),
	OK("v1 ports 0 and 65535", "PROXY TCP4 10.0.0.1 10.0.0.2 0 65535\r\n", 38,
	    "10.0.0.1", 0),
	OK("v1 UNKNOWN", "PROXY UNKNOWN\r\nEHLO", 15, "", -1),
	OK("v1 UNKNOWN, the rest of its line ignored", "PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n",
	    35, "", -1),
	NOT("v1 cut short", "PROXY TCP4 192.0.2.1 127.0", PROXY_INCOMPLETE),
	NOT("v1, the signature only begun", "PRO", PROXY_INCOMPLETE),
	NOT("nothing yet", "", PROXY_INCOMPLETE),
	NOT("v1 port 65536", "PROXY TCP4 192.0.2.1 127.0.0.1 65536 25\r\n", PROXY_INVALID),
	NOT("v1 port not a number", "PROXY TCP4 192.0.2.1 127.0.0.1 x 25\r\n", PROXY_INVALID),
	NOT("v1 bare LF", "PROXY TCP4 192.0.2.1 127.0.0.1 1 25\n", PROXY_INVALID),
	NOT("v1 two spaces", "PROXY TCP4  192.0.2.1 127.0.0.1 1 25\r\n", PROXY_INVALID),
	NOT("v1 a space before CRLF", "PROXY TCP4 192.0.2.1 127.0.0.1 1 25 \r\n", PROXY_INVALID),
	NOT("v1 a field missing", "PROXY TCP4 192.0.2.1 127.0.0.1 1\r\n", PROXY_INVALID),
	NOT("v1 a field too many", "PROXY TCP4 192.0.2.1 127.0.0.1 1 2 3\r\n", PROXY_INVALID),
	NOT("v1 IPv6 under TCP4", "PROXY TCP4 2001:db8::1 127.0.0.1 1 25\r\n", PROXY_INVALID),
	NOT("v1 IPv4 under TCP6", "PROXY TCP6 192.0.2.1 ::1 1 25\r\n", PROXY_INVALID),
	NOT("v1 an unknown protocol", "PROXY UDP4 192.0.2.1 127.0.0.1 1 25\r\n", PROXY_INVALID),
	NOT("v1 UNKNOWNX", "PROXY UNKNOWNX\r\n", PROXY_INVALID),
	NOT("v1 lower case", "proxy TCP4 192.0.2.1 127.0.0.1 1 25\r\n", PROXY_INVALID),
	NOT("v1 empty", "PROXY \r\n", PROXY_INVALID),
	NOT("v1 no CRLF within 107 octets",
	    "PROXY UNKNOWN 0123456789012345678901234567890123456789012345678901234567890123456789"
	    "01234567890123456789012", PROXY_INVALID),
	OK("v1 of 107 octets with its CRLF",
	    "PROXY UNKNOWN 0123456789012345678901234567890123456789012345678901234567890123456789"
	    "012345678901234567890\r\n", 107, "", -1),
	NOT("no header: a command", "EHLO client.example\r\n", PROXY_INVALID),
	NOT("no header: TLS", "\x16\x03\x01\x02\x00\x01", PROXY_INVALID),
	OK("v2 PROXY IPv4", SIG "\x21\x11\x00\x0c" "\xc0\x00\x02\x09" "\x7f\x00\x00\x01"
	    "\x9c\x40\x00\x19" "EHLO x\r\n", 28, "192.0.2.9", 40000),
	OK("v2 PROXY IPv4 with TLVs", SIG "\x21\x11\x00\x10" "\x0a\x01\x02\x03" "\x7f\x00\x00\x01"
	    "\x00\x05\x00\x19" "\x04\x00\x01\x00", 32, "10.1.2.3", 5),
	OK("v2 PROXY IPv6", SIG "\x21\x21\x00\x24"
	    "\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02"
	    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01" "\x01\xbb\x00\x19",
	    52, "2001:db8::2", 443),
	OK("v2 PROXY over UDP (DGRAM)", SIG "\x21\x12\x00\x0c" "\xc0\x00\x02\x09" "\x7f\x00\x00\x01"
	    "\x00\x01\x00\x19", 28, "192.0.2.9", 1),
	OK("v2 LOCAL, no block", SIG "\x20\x00\x00\x00" "EHLO", 16, "", -1),
	OK("v2 LOCAL with an address block", SIG "\x20\x11\x00\x0c" "\xc0\x00\x02\x09"
	    "\x7f\x00\x00\x01" "\x00\x01\x00\x19", 28, "", -1),
	OK("v2 PROXY UNSPEC", SIG "\x21\x00\x00\x00", 16, "", -1),
	NOT("v2 cut in its signature", SIG "", PROXY_INCOMPLETE),
	NOT("v2 cut in its block", SIG "\x21\x11\x00\x0c" "\xc0\x00", PROXY_INCOMPLETE),
	NOT("v2 version 1", SIG "\x11\x11\x00\x0c", PROXY_INVALID),
	NOT("v2 command 2", SIG "\x22\x11\x00\x0c", PROXY_INVALID),
	NOT("v2 family 4", SIG "\x21\x41\x00\x0c", PROXY_INVALID),
	NOT("v2 transport 3", SIG "\x21\x13\x00\x0c", PROXY_INVALID),
	NOT("v2 INET with UNSPEC transport", SIG "\x21\x10\x00\x0c", PROXY_INVALID),
	NOT("v2 IPv4 block too short", SIG "\x21\x11\x00\x08" "\xc0\x00\x02\x09\x7f\x00\x00\x01",
	    PROXY_INVALID),
	NOT("v2 longer than we take", SIG "\x21\x11\xff\xff", PROXY_INVALID),
	NOT("v2 signature wrong", "\r\n\r\n\0\r\nQUIX\n", PROXY_INVALID),
};

static void check_row(const struct row *r)
{
	struct proxy_header h;
	enum proxy_status got = proxy_parse(r->in, r->n, &h);
	char name[160];

	snprintf(name, sizeof name, "%s: status", r->name);
	tap_int(got, r->want, name);
	if (got != PROXY_OK || r->want != PROXY_OK)
		return;
	snprintf(name, sizeof name, "%s: length", r->name);
	tap_int((long long)h.len, (long long)r->len, name);
	snprintf(name, sizeof name, "%s: client", r->name);
	tap_str(h.has_address ? h.client_ip : "", r->ip, name);
	snprintf(name, sizeof name, "%s: port", r->name);
	tap_int(h.has_address ? h.client_port : -1, r->port, name);
	/* every shorter prefix waits for more */
	for (size_t n = 0; n < r->len; n++) {
		if (proxy_parse(r->in, n, &h) != PROXY_INCOMPLETE) {
			snprintf(name, sizeof name, "%s: its first %zu octets are incomplete", r->name, n);
			tap_ok(0, name);
			return;
		}
	}
	snprintf(name, sizeof name, "%s: every prefix incomplete", r->name);
	tap_ok(1, name);
}

static const struct {
	const char *list;
	int ok;
	const char *ip;
	int trusted;
} trust_rows[] = {
	{ "127.0.0.0/8,::1/128", 1, "127.0.0.1", 1 },
	{ "127.0.0.0/8,::1/128", 1, "127.255.0.9", 1 },
	{ "127.0.0.0/8,::1/128", 1, "::1", 1 },
	{ "127.0.0.0/8,::1/128", 1, "128.0.0.1", 0 },
	{ "127.0.0.0/8,::1/128", 1, "::2", 0 },
	{ "127.0.0.0/8,::1/128", 1, "pipe", 0 },
	{ "192.0.2.128/25", 1, "192.0.2.200", 1 },
	{ "192.0.2.128/25", 1, "192.0.2.127", 0 },
	{ "192.0.2.1", 1, "192.0.2.1", 1 },
	{ "192.0.2.1", 1, "192.0.2.2", 0 },
	{ "0.0.0.0/0", 1, "203.0.113.5", 1 },
	{ "0.0.0.0/0", 1, "2001:db8::1", 0 },
	{ "::/0", 1, "2001:db8::1", 1 },
	{ "2001:db8::/32", 1, "2001:db8:ffff::1", 1 },
	{ "2001:db8::/33", 1, "2001:db8:8000::1", 0 },
	{ "::ffff:10.0.0.0/104", 1, "10.9.8.7", 1 },
	{ "::ffff:10.0.0.0/104", 1, "11.0.0.1", 0 },
	{ "10.0.0.0/8", 1, "::ffff:10.1.1.1", 1 },
	{ "127.0.0.0/33", 0, NULL, 0 },
	{ "::1/129", 0, NULL, 0 },
	{ "::ffff:10.0.0.0/95", 0, NULL, 0 },
	{ "127.0.0.1/", 0, NULL, 0 },
	{ "127.0.0.1/8x", 0, NULL, 0 },
	{ "/8", 0, NULL, 0 },
	{ "", 0, NULL, 0 },
	{ "127.0.0.1,", 0, NULL, 0 },
	{ "localhost", 0, NULL, 0 },
	{ "127.0.0.0/8 ::1/128", 0, NULL, 0 },
};

int main(void)
{
	struct proxy_trust t;
	char name[160], many[1024] = "";

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		check_row(&rows[i]);
	for (size_t i = 0; i < sizeof trust_rows / sizeof trust_rows[0]; i++) {
		int ok = proxy_parse_trust(trust_rows[i].list, &t) == 0;

		snprintf(name, sizeof name, "--proxy-from \"%s\" %s", trust_rows[i].list,
		         trust_rows[i].ok ? "parses" : "is refused");
		tap_int(ok, trust_rows[i].ok, name);
		if (!ok || !trust_rows[i].ok)
			continue;
		snprintf(name, sizeof name, "--proxy-from %s: %s %s", trust_rows[i].list,
		         trust_rows[i].ip, trust_rows[i].trusted ? "trusted" : "not trusted");
		tap_int(proxy_trusted(&t, trust_rows[i].ip), trust_rows[i].trusted, name);
	}
	for (int i = 0; i <= PROXY_CIDRS_MAX; i++) {
		size_t used = 0;

		while (many[used] != '\0')
			used++;
		snprintf(many + used, sizeof many - used, "%s10.0.0.%d", i ? "," : "", i);
	}
	tap_int(proxy_parse_trust(many, &t), -1, "more than PROXY_CIDRS_MAX ranges are refused");
	return tap_done();
}
