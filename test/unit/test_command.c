/* test_command: SPEC §2. Verb parsing (case-insensitive, trimmed, NUL → -1, empty lines),
 * address syntax (local part ≤ 64, dot rules, quoted strings; domain labels, hyphens, 255-octet
 * limit, address literals; non-ASCII flagged, broken UTF-8 refused), MAIL FROM / RCPT TO paths
 * (<> for MAIL only, <postmaster> for RCPT only, "FROM: <a@b>", "FROM:a@b") and the ESMTP
 * parameter list; the parameters' extensions and value rules, and what a path gets under a
 * session's extensions; BDAT's and VRFY's arguments; the words of a line for the log. */
#include "command.h"
#include "ehlo.h"
#include "tap.h"

#include <stdio.h>

/* ---- verbs ---- */

static const struct {
	const char *line;
	size_t n;          /* 0: strlen */
	int ret;
	enum verb verb;
	const char *verb_text;
	const char *arg;
} verb_rows[] = {
	{ "MAIL FROM:<a@b.com>", 0, 0, VERB_MAIL, "MAIL", "FROM:<a@b.com>" },
	{ "mail FROM:<A@B.com>", 0, 0, VERB_MAIL, "mail", "FROM:<A@B.com>" },
	{ "MaIl from:<a@b.com>\r\n", 0, 0, VERB_MAIL, "MaIl", "from:<a@b.com>" },
	{ "HELO client", 0, 0, VERB_HELO, "HELO", "client" },
	{ "helo client", 0, 0, VERB_HELO, "helo", "client" },
	{ "EHLO Client.Example.COM", 0, 0, VERB_EHLO, "EHLO", "Client.Example.COM" },
	{ "  eHlO   Client.Example  \r\n", 0, 0, VERB_EHLO, "eHlO", "Client.Example" },
	{ "RCPT TO:<a@b.com>", 0, 0, VERB_RCPT, "RCPT", "TO:<a@b.com>" },
	{ "DATA", 0, 0, VERB_DATA, "DATA", "" },
	{ "data\r\n", 0, 0, VERB_DATA, "data", "" },
	{ "DATA\r", 0, 0, VERB_DATA, "DATA", "" },
	{ "DATA\n", 0, 0, VERB_DATA, "DATA", "" },
	{ "BDAT 100 LAST", 0, 0, VERB_BDAT, "BDAT", "100 LAST" },
	{ "bdat 0 last\r\n", 0, 0, VERB_BDAT, "bdat", "0 last" },
	{ "RSET", 0, 0, VERB_RSET, "RSET", "" },
	{ "NOOP", 0, 0, VERB_NOOP, "NOOP", "" },
	{ "\tNOOP\t", 0, 0, VERB_NOOP, "NOOP", "" },
	{ "noop anything at all", 0, 0, VERB_NOOP, "noop", "anything at all" },
	{ "QUIT", 0, 0, VERB_QUIT, "QUIT", "" },
	{ "quit\r\n", 0, 0, VERB_QUIT, "quit", "" },
	{ "STARTTLS", 0, 0, VERB_STARTTLS, "STARTTLS", "" },
	{ "StartTLS\r\n", 0, 0, VERB_STARTTLS, "StartTLS", "" },
	{ "VRFY  exists.foo@example.com  ", 0, 0, VERB_VRFY, "VRFY", "exists.foo@example.com" },
	{ "VRFY John Doe <jd@x.com>", 0, 0, VERB_VRFY, "VRFY", "John Doe <jd@x.com>" },
	{ "AUTH PLAIN AGdvb2RhdXRoAHB3", 0, 0, VERB_AUTH, "AUTH", "PLAIN AGdvb2RhdXRoAHB3" },
	{ "auth login", 0, 0, VERB_AUTH, "auth", "login" },
	{ "HELO\tx", 0, 0, VERB_HELO, "HELO", "x" },
	{ " \t HELO \t x \t y \t\r\n", 0, 0, VERB_HELO, "HELO", "x \t y" },
	/* unknown verbs */
	{ "HELP", 0, 0, VERB_NONE, "HELP", "" },
	{ "EXPN list", 0, 0, VERB_NONE, "EXPN", "list" },
	{ "TURN", 0, 0, VERB_NONE, "TURN", "" },
	{ "ETRN example.com", 0, 0, VERB_NONE, "ETRN", "example.com" },
	{ "MAILX FROM:<a@b>", 0, 0, VERB_NONE, "MAILX", "FROM:<a@b>" },
	{ "MAI FROM:<a@b>", 0, 0, VERB_NONE, "MAI", "FROM:<a@b>" },
	{ "MAIL:FROM:<a@b>", 0, 0, VERB_NONE, "MAIL:FROM:<a@b>", "" },
	{ "START TLS", 0, 0, VERB_NONE, "START", "TLS" },
	{ "UNKNOWN", 0, 0, VERB_NONE, "UNKNOWN", "" },
	{ "X", 0, 0, VERB_NONE, "X", "" },
	/* empty lines: VERB_NONE with an empty verb */
	{ "", 0, 0, VERB_NONE, "", "" },
	{ "\r\n", 0, 0, VERB_NONE, "", "" },
	{ "   \t  \r\n", 0, 0, VERB_NONE, "", "" },
	{ "\n", 0, 0, VERB_NONE, "", "" },
	/* a NUL anywhere: -1 */
	{ "NOOP\0", 5, -1, VERB_NONE, NULL, NULL },
	{ "\0", 1, -1, VERB_NONE, NULL, NULL },
	{ "\0NOOP", 5, -1, VERB_NONE, NULL, NULL },
	{ "MAIL FROM:<a\0@b.com>", 20, -1, VERB_NONE, NULL, NULL },
	{ "NO\0OP", 5, -1, VERB_NONE, NULL, NULL },
	{ "QUIT\r\n\0", 7, -1, VERB_NONE, NULL, NULL },
};

static void test_verbs(void)
{
	char name[200], got[128];

	for (size_t i = 0; i < sizeof verb_rows / sizeof verb_rows[0]; i++) {
		struct command cmd;
		size_t n = verb_rows[i].n ? verb_rows[i].n : strlen(verb_rows[i].line);
		int ret;

		memset(&cmd, 0, sizeof cmd);
		ret = command_parse(verb_rows[i].line, n, &cmd);
		snprintf(name, sizeof name, "command_parse #%zu returns %d", i, verb_rows[i].ret);
		tap_int(ret, verb_rows[i].ret, name);
		if (verb_rows[i].ret != 0)
			continue;
		snprintf(name, sizeof name, "command_parse #%zu verb", i);
		tap_str(command_verb_name(cmd.verb), command_verb_name(verb_rows[i].verb), name);
		snprintf(got, sizeof got, "%.*s", (int)cmd.verb_len, cmd.verb_text);
		snprintf(name, sizeof name, "command_parse #%zu verb text", i);
		tap_str(got, verb_rows[i].verb_text, name);
		snprintf(got, sizeof got, "%.*s", (int)cmd.arg_len, cmd.arg);
		snprintf(name, sizeof name, "command_parse #%zu argument", i);
		tap_str(got, verb_rows[i].arg, name);
	}
}

static void test_verb_names(void)
{
	static const struct {
		enum verb v;
		const char *want;
	} names[] = {
		{ VERB_NONE, "UNKNOWN" }, { VERB_HELO, "HELO" }, { VERB_EHLO, "EHLO" },
		{ VERB_MAIL, "MAIL" }, { VERB_RCPT, "RCPT" }, { VERB_DATA, "DATA" },
		{ VERB_BDAT, "BDAT" }, { VERB_RSET, "RSET" }, { VERB_NOOP, "NOOP" },
		{ VERB_QUIT, "QUIT" }, { VERB_STARTTLS, "STARTTLS" }, { VERB_VRFY, "VRFY" },
		{ VERB_AUTH, "AUTH" },
	};
	char name[64];

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		snprintf(name, sizeof name, "command_verb_name(%d)", (int)names[i].v);
		tap_str(command_verb_name(names[i].v), names[i].want, name);
	}
}

/* The line is (p, n): no NUL terminator needed, nothing past n read. */
static void test_verb_lengths(void)
{
	const char buf[] = { 'Q', 'U', 'I', 'T', 'X' };
	struct command cmd;

	tap_int(command_parse(buf, 4, &cmd), 0, "command_parse(\"QUIT\" of QUITX, 4)");
	tap_str(command_verb_name(cmd.verb), "QUIT", "... is QUIT");
	tap_int(command_parse(buf, 5, &cmd), 0, "command_parse(\"QUITX\", 5)");
	tap_str(command_verb_name(cmd.verb), "UNKNOWN", "... is UNKNOWN");
	tap_int(command_parse("NOOP\0", 4, &cmd), 0, "a NUL after n is not looked at");
}

/* ---- addresses ---- */

struct addr_row {
	const char *in;
	int ret;
	const char *local, *domain;
	int non_ascii;
};

static const struct addr_row addr_rows[] = {
	{ "a@b.com", 0, "a", "b.com", 0 },
	{ "John.Doe@Example.COM", 0, "John.Doe", "example.com", 0 },
	{ "MAIL550_5.1.1@EXAMPLE.com", 0, "MAIL550_5.1.1", "example.com", 0 },
	{ "a@b", 0, "a", "b", 0 },
	{ "user+tag@sub.example.co.uk", 0, "user+tag", "sub.example.co.uk", 0 },
	{ "!#$%&'*+-/=?^_`{|}~@x.com", 0, "!#$%&'*+-/=?^_`{|}~", "x.com", 0 },
	{ "a.b.c@x.com", 0, "a.b.c", "x.com", 0 },
	{ "0@1.2", 0, "0", "1.2", 0 },
	/* dot rules */
	{ ".a@x.com", -1, "", "", 0 },
	{ "a.@x.com", -1, "", "", 0 },
	{ "a..b@x.com", -1, "", "", 0 },
	{ ".@x.com", -1, "", "", 0 },
	/* bad local parts */
	{ "@x.com", -1, "", "", 0 },
	{ "a b@x.com", -1, "", "", 0 },
	{ "a(b)@x.com", -1, "", "", 0 },
	{ "a,b@x.com", -1, "", "", 0 },
	{ "a;b@x.com", -1, "", "", 0 },
	{ "a<b@x.com", -1, "", "", 0 },
	{ "a[b]@x.com", -1, "", "", 0 },
	{ "a\\b@x.com", -1, "", "", 0 },
	{ "a\"b@x.com", -1, "", "", 0 },
	{ "a@b@x.com", -1, "", "", 0 },
	{ "a\tb@x.com", -1, "", "", 0 },
	{ "a\x7f@x.com", -1, "", "", 0 },
	/* quoted strings */
	{ "\"a b\"@x.com", 0, "\"a b\"", "x.com", 0 },
	{ "\"John Doe\"@Example.com", 0, "\"John Doe\"", "example.com", 0 },
	{ "\"a@b\"@x.com", 0, "\"a@b\"", "x.com", 0 },
	{ "\"a\\\"b\"@x.com", 0, "\"a\\\"b\"", "x.com", 0 },
	{ "\"a\\\\b\"@x.com", 0, "\"a\\\\b\"", "x.com", 0 },
	{ "\"a..b\"@x.com", 0, "\"a..b\"", "x.com", 0 },
	{ "\".a\"@x.com", 0, "\".a\"", "x.com", 0 },
	{ "\"(),:;<>[]\"@x.com", 0, "\"(),:;<>[]\"", "x.com", 0 },
	{ "\"\"@x.com", 0, "\"\"", "x.com", 0 },
	{ "\"a\"b\"@x.com", -1, "", "", 0 },
	{ "\"ab@x.com", -1, "", "", 0 },
	{ "ab\"@x.com", -1, "", "", 0 },
	{ "\"@x.com", -1, "", "", 0 },
	{ "\"a\\\"@x.com", -1, "", "", 0 },
	{ "\"a\tb\"@x.com", -1, "", "", 0 },
	{ "\"a\rb\"@x.com", -1, "", "", 0 },
	{ "\"a\x7f\"@x.com", -1, "", "", 0 },
	{ "\"a\"\"b\"@x.com", -1, "", "", 0 },
	{ "\"a\".b@x.com", -1, "", "", 0 },
	/* domain labels */
	{ "a@b-c.com", 0, "a", "b-c.com", 0 },
	{ "a@b--c.com", 0, "a", "b--c.com", 0 },
	{ "a@xn--bcher-kva.example", 0, "a", "xn--bcher-kva.example", 0 },
	{ "a@123.example", 0, "a", "123.example", 0 },
	{ "a@-b.com", -1, "", "", 0 },
	{ "a@b-.com", -1, "", "", 0 },
	{ "a@b.-com", -1, "", "", 0 },
	{ "a@b.com-", -1, "", "", 0 },
	{ "a@-", -1, "", "", 0 },
	{ "a@", -1, "", "", 0 },
	{ "a@.", -1, "", "", 0 },
	{ "a@.b.com", -1, "", "", 0 },
	{ "a@b.com.", -1, "", "", 0 },
	{ "a@b..com", -1, "", "", 0 },
	{ "a@b_c.com", -1, "", "", 0 },
	{ "a@b c.com", -1, "", "", 0 },
	{ "a@b!.com", -1, "", "", 0 },
	{ "a@b.com>", -1, "", "", 0 },
	{ "abc", -1, "", "", 0 },
	{ "", -1, "", "", 0 },
	{ "@", -1, "", "", 0 },
	/* address literals */
	{ "a@[1.2.3.4]", 0, "a", "[1.2.3.4]", 0 },
	{ "a@[255.255.255.255]", 0, "a", "[255.255.255.255]", 0 },
	{ "a@[IPv6:::1]", 0, "a", "[ipv6:::1]", 0 },
	{ "a@[IPv6:2001:db8::1]", 0, "a", "[ipv6:2001:db8::1]", 0 },
	{ "a@[ipv6:2001:DB8::1]", 0, "a", "[ipv6:2001:db8::1]", 0 },
	{ "a@[IPv6:::ffff:1.2.3.4]", 0, "a", "[ipv6:::ffff:1.2.3.4]", 0 },
	{ "a@[1.2.3]", -1, "", "", 0 },
	{ "a@[1.2.3.4.5]", -1, "", "", 0 },
	{ "a@[1.2.3.256]", -1, "", "", 0 },
	{ "a@[::1]", -1, "", "", 0 },
	{ "a@[IPv6:1.2.3.4]", -1, "", "", 0 },
	{ "a@[IPv6:]", -1, "", "", 0 },
	{ "a@[IPv6:::g]", -1, "", "", 0 },
	{ "a@[IPv6::::1]", -1, "", "", 0 },
	{ "a@[IPv4:1.2.3.4]", -1, "", "", 0 },
	{ "a@[]", -1, "", "", 0 },
	{ "a@[", -1, "", "", 0 },
	{ "a@[1.2.3.4", -1, "", "", 0 },
	{ "a@1.2.3.4]", -1, "", "", 0 },
	{ "a@[ 1.2.3.4]", -1, "", "", 0 },
	{ "a@[1.2.3.4]x", -1, "", "", 0 },
	{ "a@[example.com]", -1, "", "", 0 },
	{ "a@[1.2.3.4].com", -1, "", "", 0 },
	/* UTF-8 (RFC 6531): allowed here, flagged for the session to refuse without SMTPUTF8 */
	{ "j\xc3\xb6hn@example.com", 0, "j\xc3\xb6hn", "example.com", 1 },
	{ "john@ex\xc3\xa4mple.com", 0, "john", "ex\xc3\xa4mple.com", 1 },
	{ "JOHN@EX\xc3\xa4MPLE.COM", 0, "JOHN", "ex\xc3\xa4mple.com", 1 },
	{ "\xe7\x94\xa8\xe6\x88\xb7@\xe4\xbe\x8b\xe5\xad\x90.\xe5\xb9\xbf\xe5\x91\x8a", 0,
	  "\xe7\x94\xa8\xe6\x88\xb7", "\xe4\xbe\x8b\xe5\xad\x90.\xe5\xb9\xbf\xe5\x91\x8a", 1 },
	{ "\xf0\x9f\x98\x80@x.com", 0, "\xf0\x9f\x98\x80", "x.com", 1 },
	{ "\"j\xc3\xb6 hn\"@x.com", 0, "\"j\xc3\xb6 hn\"", "x.com", 1 },
	{ "\xf4\x8f\xbf\xbf@x.com", 0, "\xf4\x8f\xbf\xbf", "x.com", 1 },   /* U+10FFFF */
	{ "\xed\x9f\xbf@x.com", 0, "\xed\x9f\xbf", "x.com", 1 },           /* U+D7FF */
	{ "\xe0\xa0\x80@x.com", 0, "\xe0\xa0\x80", "x.com", 1 },           /* U+0800 */
	/* broken UTF-8: a syntax error, not "non-ASCII" */
	{ "j\xf6hn@example.com", -1, "", "", 0 },          /* Latin-1 */
	{ "\xc3@x.com", -1, "", "", 0 },                   /* truncated */
	{ "a@x\xc3", -1, "", "", 0 },                      /* truncated at the end */
	{ "\x80@x.com", -1, "", "", 0 },                   /* lone continuation */
	{ "\xc3\xb6\xb6@x.com", -1, "", "", 0 },           /* extra continuation */
	{ "\xc0\xaf@x.com", -1, "", "", 0 },               /* overlong 2-octet */
	{ "\xc1\xbf@x.com", -1, "", "", 0 },               /* overlong 2-octet */
	{ "\xe0\x80\xaf@x.com", -1, "", "", 0 },           /* overlong 3-octet */
	{ "\xe0\x9f\xbf@x.com", -1, "", "", 0 },           /* overlong 3-octet */
	{ "\xf0\x80\x80\xaf@x.com", -1, "", "", 0 },       /* overlong 4-octet */
	{ "\xed\xa0\x80@x.com", -1, "", "", 0 },           /* surrogate U+D800 */
	{ "\xed\xbf\xbf@x.com", -1, "", "", 0 },           /* surrogate U+DFFF */
	{ "\xf4\x90\x80\x80@x.com", -1, "", "", 0 },       /* above U+10FFFF */
	{ "\xf5\x80\x80\x80@x.com", -1, "", "", 0 },
	{ "\xff@x.com", -1, "", "", 0 },
	{ "\xe4\xbe@x.com", -1, "", "", 0 },               /* 3-octet cut short */
};

static void check_address(const char *what, const char *in, int ret, const struct address *a,
                          const struct addr_row *r)
{
	char name[400];

	snprintf(name, sizeof name, "%s(\"%s\") returns %d", what, in, r->ret);
	tap_int(ret, r->ret, name);
	if (r->ret != 0)
		return;
	snprintf(name, sizeof name, "%s(\"%s\") local part", what, in);
	tap_str(a->local, r->local, name);
	snprintf(name, sizeof name, "%s(\"%s\") domain", what, in);
	tap_str(a->domain, r->domain, name);
	snprintf(name, sizeof name, "%s(\"%s\") non_ascii", what, in);
	tap_int(a->non_ascii, r->non_ascii, name);
	snprintf(name, sizeof name, "%s(\"%s\") is_null", what, in);
	tap_int(a->is_null, 0, name);
}

/* Diagnostic names must stay one printable line: escape the 8-bit rows. */
static void printable(const char *in, char *out, size_t cap)
{
	size_t o = 0;

	for (; *in != '\0' && o + 5 < cap; in++) {
		unsigned char c = (unsigned char)*in;

		if (c < 0x20 || c >= 0x7f)
			o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
}

static void test_addresses(void)
{
	char shown[300];

	for (size_t i = 0; i < sizeof addr_rows / sizeof addr_rows[0]; i++) {
		struct address a;
		const struct addr_row *r = &addr_rows[i];
		int ret = command_parse_address(r->in, strlen(r->in), &a);

		printable(r->in, shown, sizeof shown);
		check_address("command_parse_address", shown, ret, &a, r);
	}
}

/* Lengths: local part 64 ok / 65 not (quotes count); labels 63 / 64; domain 255 / 256. */
static void test_address_limits(void)
{
	char buf[700], want_local[256], want_domain[400], name[120];
	struct address a;
	size_t n;

	static const struct {
		size_t local_len;
		int quoted;
		int ret;
	} locals[] = { { 1, 0, 0 }, { 63, 0, 0 }, { 64, 0, 0 }, { 65, 0, -1 }, { 200, 0, -1 },
	               { 64, 1, 0 }, { 65, 1, -1 } };

	for (size_t i = 0; i < sizeof locals / sizeof locals[0]; i++) {
		size_t L = locals[i].local_len;

		memset(want_local, 'x', L);
		if (locals[i].quoted)
			want_local[0] = want_local[L - 1] = '"';
		want_local[L] = '\0';
		n = (size_t)snprintf(buf, sizeof buf, "%s@example.com", want_local);
		snprintf(name, sizeof name, "local part of %zu octets%s", L,
		         locals[i].quoted ? " (quoted, quotes included)" : "");
		tap_int(command_parse_address(buf, n, &a), locals[i].ret, name);
		if (locals[i].ret == 0) {
			snprintf(name, sizeof name, "local part of %zu octets kept whole", L);
			tap_str(a.local, want_local, name);
		}
	}

	/* one label of 63 and of 64 octets */
	memset(want_domain, 'd', 63);
	memcpy(want_domain + 63, ".com", 5);
	n = (size_t)snprintf(buf, sizeof buf, "a@%s", want_domain);
	tap_int(command_parse_address(buf, n, &a), 0, "a 63-octet label");
	memset(want_domain, 'd', 64);
	memcpy(want_domain + 64, ".com", 5);
	n = (size_t)snprintf(buf, sizeof buf, "a@%s", want_domain);
	tap_int(command_parse_address(buf, n, &a), -1, "a 64-octet label");

	/* domains of 253, 254, 255 and 256 octets, labels of at most 63 */
	static const struct {
		size_t len;
		int ret;
	} domains[] = { { 253, 0 }, { 254, 0 }, { 255, 0 }, { 256, -1 }, { 300, -1 } };

	for (size_t i = 0; i < sizeof domains / sizeof domains[0]; i++) {
		size_t len = domains[i].len, o = 0;

		while (o < len) {
			size_t label = len - o > 63 ? 62 : len - o;   /* 62 + '.' keeps labels short */

			memset(want_domain + o, 'A' + (int)(o % 26), label);
			o += label;
			if (o < len)
				want_domain[o++] = '.';
		}
		want_domain[len] = '\0';
		n = (size_t)snprintf(buf, sizeof buf, "a@%s", want_domain);
		snprintf(name, sizeof name, "a domain of %zu octets", len);
		tap_int(command_parse_address(buf, n, &a), domains[i].ret, name);
		if (domains[i].ret == 0) {
			for (size_t k = 0; k < len; k++)
				if (want_domain[k] >= 'A' && want_domain[k] <= 'Z')
					want_domain[k] = (char)(want_domain[k] + 32);
			snprintf(name, sizeof name, "a domain of %zu octets kept whole, lower-cased", len);
			tap_str(a.domain, want_domain, name);
		}
	}

	/* the longest valid address: 64 + 1 + 255 */
	memset(buf, 'l', 64);
	buf[64] = '@';
	for (size_t k = 0; k < 255; k++)
		buf[65 + k] = (k + 1) % 64 == 0 ? '.' : 'd';
	tap_int(command_parse_address(buf, 320, &a), 0, "64-octet local part @ 255-octet domain");
	tap_int((long long)strlen(a.domain), 255, "... domain of 255 octets");
	tap_int((long long)strlen(a.local), 64, "... local part of 64 octets");
	/* (p, n): no NUL terminator, nothing past n */
	tap_int(command_parse_address("a@b.com>junk", 7, &a), 0, "command_parse_address reads n octets");
	tap_str(a.domain, "b.com", "... domain b.com");
}

/* ---- MAIL FROM / RCPT TO ---- */

struct path_row {
	enum path_kind kind;
	const char *arg;
	int ret;
	const char *local, *domain;
	int is_null;
	const char *params;   /* "KEY=value KEY" as parsed */
};

static const struct path_row path_rows[] = {
	{ PATH_MAIL, "FROM:<a@b.com>", 0, "a", "b.com", 0, "" },
	{ PATH_MAIL, "from:<a@b.com>", 0, "a", "b.com", 0, "" },
	{ PATH_MAIL, "From:<User@B.COM>", 0, "User", "b.com", 0, "" },
	{ PATH_MAIL, "FROM: <a@b.com>", 0, "a", "b.com", 0, "" },
	{ PATH_MAIL, "FROM:a@b.com", 0, "a", "b.com", 0, "" },
	{ PATH_MAIL, "FROM: a@b.com", 0, "a", "b.com", 0, "" },
	{ PATH_MAIL, "FROM:a@b.com SIZE=100", 0, "a", "b.com", 0, "SIZE=100" },
	{ PATH_MAIL, "FROM:<>", 0, "", "", 1, "" },
	{ PATH_MAIL, "FROM: <>", 0, "", "", 1, "" },
	{ PATH_MAIL, "FROM:<> SIZE=100", 0, "", "", 1, "SIZE=100" },
	{ PATH_MAIL, "FROM:<mail550_5.1.1@example.com>", 0, "mail550_5.1.1", "example.com", 0, "" },
	{ PATH_MAIL, "FROM:<\"a b\"@x.com>", 0, "\"a b\"", "x.com", 0, "" },
	{ PATH_MAIL, "FROM:<a@[1.2.3.4]>", 0, "a", "[1.2.3.4]", 0, "" },
	{ PATH_MAIL, "FROM:<a@[IPv6:::1]>", 0, "a", "[ipv6:::1]", 0, "" },
	{ PATH_MAIL, "FROM:<j\xc3\xb6@x.com> SMTPUTF8", 0, "j\xc3\xb6", "x.com", 0, "SMTPUTF8" },
	{ PATH_MAIL, "FROM:<@relay.example,@r2.example:a@b.com>", 0, "a", "b.com", 0, "" },
	/* parameters */
	{ PATH_MAIL, "FROM:<a@b.com> SIZE=1000", 0, "a", "b.com", 0, "SIZE=1000" },
	{ PATH_MAIL, "FROM:<a@b.com> SIZE=1000 BODY=8BITMIME", 0, "a", "b.com", 0,
	  "SIZE=1000 BODY=8BITMIME" },
	{ PATH_MAIL, "FROM:<a@b.com>  SIZE=1000   BODY=7BIT  ", 0, "a", "b.com", 0,
	  "SIZE=1000 BODY=7BIT" },
	{ PATH_MAIL, "FROM:<a@b.com> SMTPUTF8", 0, "a", "b.com", 0, "SMTPUTF8" },
	{ PATH_MAIL, "FROM:<a@b.com> AUTH=<>", 0, "a", "b.com", 0, "AUTH=<>" },
	{ PATH_MAIL, "FROM:<a@b.com> RET=HDRS ENVID=QQ314159", 0, "a", "b.com", 0,
	  "RET=HDRS ENVID=QQ314159" },
	{ PATH_MAIL, "FROM:<a@b.com> X-FOO=bar-baz X-1", 0, "a", "b.com", 0, "X-FOO=bar-baz X-1" },
	{ PATH_MAIL, "FROM:<a@b.com> size=1000", 0, "a", "b.com", 0, "size=1000" },
	{ PATH_RCPT, "TO:<a@b.com> NOTIFY=NEVER", 0, "a", "b.com", 0, "NOTIFY=NEVER" },
	{ PATH_RCPT, "TO:<a@b.com> ORCPT=rfc822;a@b.com", 0, "a", "b.com", 0,
	  "ORCPT=rfc822;a@b.com" },
	/* bad parameters */
	{ PATH_MAIL, "FROM:<a@b.com> =x", -1, "", "", 0, "" },
	{ PATH_MAIL, "FROM:<a@b.com> =", -1, "", "", 0, "" },
	{ PATH_MAIL, "FROM:<a@b.com> SIZE=", -1, "", "", 0, "" },
	{ PATH_MAIL, "FROM:<a@b.com> SIZE==1", -1, "", "", 0, "" },
	{ PATH_MAIL, "FROM:<a@b.com> SIZE=1=2", -1, "", "", 0, "" },
	{ PATH_MAIL, "FROM:<a@b.com> -X=1", -1, "", "", 0, "" },
	{ PATH_MAIL, "FROM:<a@b.com> SI_ZE=1", -1, "", "", 0, "" },
	{ PATH_MAIL, "FROM:<a@b.com> SI.ZE=1", -1, "", "", 0, "" },
	{ PATH_MAIL, "FROM:<a@b.com> SIZE=1\t2", -1, "", "", 0, "" },
	/* DEL is a control: RFC 5321 esmtp-value = 1*(%d33-60 / %d62-126) */
	{ PATH_MAIL, "FROM:<a@b.com> SIZE=1\x7f", -1, "", "", 0, "" },
	{ PATH_MAIL, "FROM:<a@b.com> SIZE=\x01", -1, "", "", 0, "" },
	{ PATH_MAIL, "FROM:<a@b.com> <x>", -1, "", "", 0, "" },
	{ PATH_MAIL, "FROM:<a@b.com>SIZE=1", -1, "", "", 0, "" },
	{ PATH_MAIL, "FROM:<a@b.com>\tSIZE=1", -1, "", "", 0, "" },
	/* bad paths */
	{ PATH_MAIL, "FROM:", -1, "", "", 0, "" },
	{ PATH_MAIL, "FROM: ", -1, "", "", 0, "" },
	{ PATH_MAIL, "FROM:<", -1, "", "", 0, "" },
	{ PATH_MAIL, "FROM:<a@b.com", -1, "", "", 0, "" },
	{ PATH_MAIL, "FROM:a@b.com>", -1, "", "", 0, "" },
	{ PATH_MAIL, "FROM<a@b.com>", -1, "", "", 0, "" },
	{ PATH_MAIL, "FROM :<a@b.com>", -1, "", "", 0, "" },
	{ PATH_MAIL, "FRM:<a@b.com>", -1, "", "", 0, "" },
	{ PATH_MAIL, "TO:<a@b.com>", -1, "", "", 0, "" },
	{ PATH_MAIL, "", -1, "", "", 0, "" },
	{ PATH_MAIL, "<a@b.com>", -1, "", "", 0, "" },
	{ PATH_MAIL, "FROM:<a b@c.com>", -1, "", "", 0, "" },
	{ PATH_MAIL, "FROM:<a@b.com >", -1, "", "", 0, "" },
	{ PATH_MAIL, "FROM:< a@b.com>", -1, "", "", 0, "" },
	{ PATH_MAIL, "FROM:<a@-b.com>", -1, "", "", 0, "" },
	{ PATH_MAIL, "FROM:<abc>", -1, "", "", 0, "" },
	{ PATH_MAIL, "FROM:<@relay.example>", -1, "", "", 0, "" },
	/* <> for MAIL only, <postmaster> for RCPT only */
	{ PATH_MAIL, "FROM:<postmaster>", -1, "", "", 0, "" },
	{ PATH_MAIL, "FROM:<postmaster@example.com>", 0, "postmaster", "example.com", 0, "" },
	{ PATH_RCPT, "TO:<>", -1, "", "", 0, "" },
	{ PATH_RCPT, "TO: <>", -1, "", "", 0, "" },
	{ PATH_RCPT, "TO:<postmaster>", 0, "postmaster", "", 0, "" },
	{ PATH_RCPT, "TO:<Postmaster>", 0, "Postmaster", "", 0, "" },
	{ PATH_RCPT, "TO:<POSTMASTER>", 0, "POSTMASTER", "", 0, "" },
	{ PATH_RCPT, "to: <postmaster>", 0, "postmaster", "", 0, "" },
	{ PATH_RCPT, "TO:postmaster", 0, "postmaster", "", 0, "" },
	{ PATH_RCPT, "TO:<postmaster@Example.com>", 0, "postmaster", "example.com", 0, "" },
	{ PATH_RCPT, "TO:<postmasterx>", -1, "", "", 0, "" },
	{ PATH_RCPT, "TO:<postmaste>", -1, "", "", 0, "" },
	/* RCPT forms */
	{ PATH_RCPT, "TO:<a@b.com>", 0, "a", "b.com", 0, "" },
	{ PATH_RCPT, "to:<rcpt452_4.2.2@b.com>", 0, "rcpt452_4.2.2", "b.com", 0, "" },
	{ PATH_RCPT, "TO: <a@b.com>", 0, "a", "b.com", 0, "" },
	{ PATH_RCPT, "TO:a@b.com", 0, "a", "b.com", 0, "" },
	{ PATH_RCPT, "FROM:<a@b.com>", -1, "", "", 0, "" },
	{ PATH_RCPT, "TO:", -1, "", "", 0, "" },
	{ PATH_RCPT, "T0:<a@b.com>", -1, "", "", 0, "" },
};

static void params_text(const struct path *p, char *out, size_t cap)
{
	size_t o = 0;

	out[0] = '\0';
	for (size_t i = 0; i < p->nparams && o < cap; i++) {
		const struct param *pm = &p->params[i];
		int w;

		if (pm->value != NULL)
			w = snprintf(out + o, cap - o, "%s%.*s=%.*s", i ? " " : "", (int)pm->key_len,
			             pm->key, (int)pm->value_len, pm->value);
		else
			w = snprintf(out + o, cap - o, "%s%.*s", i ? " " : "", (int)pm->key_len, pm->key);
		if (w < 0)
			return;
		o += (size_t)w;
	}
}

static void test_paths(void)
{
	char name[400], shown[300], got[300];

	for (size_t i = 0; i < sizeof path_rows / sizeof path_rows[0]; i++) {
		const struct path_row *r = &path_rows[i];
		const char *what = r->kind == PATH_MAIL ? "MAIL" : "RCPT";
		struct path p;
		int ret = command_parse_path(r->kind, r->arg, strlen(r->arg), &p);

		printable(r->arg, shown, sizeof shown);
		snprintf(name, sizeof name, "%s %s returns %d", what, shown, r->ret);
		tap_int(ret, r->ret, name);
		if (r->ret != 0 || ret != 0)
			continue;
		snprintf(name, sizeof name, "%s %s: local part", what, shown);
		tap_str(p.addr.local, r->local, name);
		snprintf(name, sizeof name, "%s %s: domain", what, shown);
		tap_str(p.addr.domain, r->domain, name);
		snprintf(name, sizeof name, "%s %s: is_null", what, shown);
		tap_int(p.addr.is_null, r->is_null, name);
		params_text(&p, got, sizeof got);
		snprintf(name, sizeof name, "%s %s: parameters", what, shown);
		tap_str(got, r->params, name);
	}
}

/* Parameters: key and value pointers, a key without '=', and at most PARAMS_MAX of them. */
static void test_params(void)
{
	char arg[600];
	struct path p;
	size_t o;

	tap_int(command_parse_path(PATH_MAIL, "FROM:<a@b.com> SMTPUTF8 SIZE=5", 30, &p), 0,
	        "two parameters");
	tap_int((long long)p.nparams, 2, "... nparams 2");
	tap_ok(p.params[0].value == NULL && p.params[0].value_len == 0,
	       "... SMTPUTF8 has no value (NULL)");
	tap_int((long long)p.params[1].value_len, 1, "... SIZE value length 1");

	o = (size_t)snprintf(arg, sizeof arg, "FROM:<a@b.com>");
	for (int i = 0; i < PARAMS_MAX; i++)
		o += (size_t)snprintf(arg + o, sizeof arg - o, " P%d=%d", i, i);
	tap_int(command_parse_path(PATH_MAIL, arg, o, &p), 0, "16 parameters are accepted");
	tap_int((long long)p.nparams, PARAMS_MAX, "... all 16 kept");
	o += (size_t)snprintf(arg + o, sizeof arg - o, " P16=16");
	tap_int(command_parse_path(PATH_MAIL, arg, o, &p), -1, "17 parameters are a syntax error");

	/* (arg, n): nothing past n */
	tap_int(command_parse_path(PATH_MAIL, "FROM:<a@b.com> =bad", 14, &p), 0,
	        "command_parse_path reads n octets");
	tap_int((long long)p.nparams, 0, "... no parameters");
}


/* ---- what a path gets under the session's extensions (SPEC §2) ---- */

static const struct {
	enum path_kind kind;
	const char *arg;
	unsigned ext;
	unsigned long long limit;
	enum reply_id want;
} policy_rows[] = {
	{ PATH_MAIL, "FROM:<a@b.c>", EXT_ALL, 10485760, REPLY_OK },
	{ PATH_MAIL, "FROM:<a@b.c>", 0, 10485760, REPLY_OK },
	{ PATH_MAIL, "FROM:<a@b.c> SIZE=1000", EXT_ALL, 10485760, REPLY_OK },
	{ PATH_MAIL, "FROM:<a@b.c> size=10485760", EXT_ALL, 10485760, REPLY_OK },
	{ PATH_MAIL, "FROM:<a@b.c> SIZE=10485761", EXT_ALL, 10485760, REPLY_SIZE_EXCEEDED },
	{ PATH_MAIL, "FROM:<a@b.c> SIZE=1001", EXT_ALL, 1000, REPLY_SIZE_EXCEEDED },
	{ PATH_MAIL, "FROM:<a@b.c> SIZE=99999999999999999999999", EXT_ALL, 1000, REPLY_SIZE_EXCEEDED },
	{ PATH_MAIL, "FROM:<a@b.c> SIZE=12x", EXT_ALL, 10485760, REPLY_SYNTAX },
	{ PATH_MAIL, "FROM:<a@b.c> SIZE", EXT_ALL, 10485760, REPLY_SYNTAX },
	{ PATH_MAIL, "FROM:<a@b.c> SIZE=100", EXT_ALL & ~EXT_SIZE, 10485760, REPLY_PARAMS },
	{ PATH_MAIL, "FROM:<a@b.c> BODY=8BITMIME", EXT_ALL, 10485760, REPLY_OK },
	{ PATH_MAIL, "FROM:<a@b.c> body=7bit", EXT_ALL, 10485760, REPLY_OK },
	{ PATH_MAIL, "FROM:<a@b.c> BODY=BINARYMIME", EXT_ALL, 10485760, REPLY_SYNTAX },
	{ PATH_MAIL, "FROM:<a@b.c> BODY", EXT_ALL, 10485760, REPLY_SYNTAX },
	{ PATH_MAIL, "FROM:<a@b.c> BODY=8BITMIME", EXT_ALL & ~EXT_8BITMIME, 10485760, REPLY_PARAMS },
	{ PATH_MAIL, "FROM:<a@b.c> SMTPUTF8", EXT_ALL, 10485760, REPLY_OK },
	{ PATH_MAIL, "FROM:<a@b.c> SMTPUTF8=yes", EXT_ALL, 10485760, REPLY_SYNTAX },
	{ PATH_MAIL, "FROM:<a@b.c> SMTPUTF8", EXT_ALL & ~EXT_SMTPUTF8, 10485760, REPLY_PARAMS },
	{ PATH_MAIL, "FROM:<a@b.c> AUTH=<>", EXT_ALL, 10485760, REPLY_OK },
	{ PATH_MAIL, "FROM:<a@b.c> AUTH", EXT_ALL, 10485760, REPLY_SYNTAX },
	{ PATH_MAIL, "FROM:<a@b.c> AUTH=<>", EXT_ALL & ~EXT_AUTH, 10485760, REPLY_PARAMS },
	{ PATH_MAIL, "FROM:<a@b.c> RET=FULL", EXT_ALL, 10485760, REPLY_PARAMS },
	{ PATH_MAIL, "FROM:<a@b.c> ENVID=x", EXT_ALL, 10485760, REPLY_PARAMS },
	{ PATH_MAIL, "FROM:<a@b.c> XFOO", EXT_ALL, 10485760, REPLY_PARAMS },
	/* the first refusal wins, in parameter order */
	{ PATH_MAIL, "FROM:<a@b.c> XFOO SIZE=x", EXT_ALL, 10485760, REPLY_PARAMS },
	{ PATH_MAIL, "FROM:<a@b.c> SIZE=x XFOO", EXT_ALL, 10485760, REPLY_SYNTAX },
	/* RCPT takes no parameter at all */
	{ PATH_RCPT, "TO:<a@b.c>", EXT_ALL, 10485760, REPLY_OK },
	{ PATH_RCPT, "TO:<a@b.c> SIZE=1", EXT_ALL, 10485760, REPLY_PARAMS },
	{ PATH_RCPT, "TO:<a@b.c> NOTIFY=NEVER", EXT_ALL, 10485760, REPLY_PARAMS },
	{ PATH_RCPT, "TO:<a@b.c> ORCPT=rfc822;a@b.c", EXT_ALL, 10485760, REPLY_PARAMS },
	/* SPEC §17: DSN's parameters with the dsn keyword (EXT_DSN), malformed ones 501 5.5.4 */
#define DSN (EXT_ALL | EXT_DSN)
	{ PATH_MAIL, "FROM:<a@b.c> RET=FULL", DSN, 10485760, REPLY_OK },
	{ PATH_MAIL, "FROM:<a@b.c> ret=hdrs", DSN, 10485760, REPLY_OK },
	{ PATH_MAIL, "FROM:<a@b.c> RET=HDRS ENVID=QQ314159", DSN, 10485760, REPLY_OK },
	{ PATH_MAIL, "FROM:<a@b.c> ENVID=a+2Bb+3D", DSN, 10485760, REPLY_OK },
	{ PATH_MAIL, "FROM:<a@b.c> RET=ALL", DSN, 10485760, REPLY_DSN_INVALID },
	{ PATH_MAIL, "FROM:<a@b.c> RET", DSN, 10485760, REPLY_DSN_INVALID },
	{ PATH_MAIL, "FROM:<a@b.c> ENVID", DSN, 10485760, REPLY_DSN_INVALID },
	{ PATH_MAIL, "FROM:<a@b.c> ENVID=a+2b", DSN, 10485760, REPLY_DSN_INVALID },
	{ PATH_MAIL, "FROM:<a@b.c> ENVID=a+2", DSN, 10485760, REPLY_DSN_INVALID },
	{ PATH_MAIL, "FROM:<a@b.c> ENVID=a+", DSN, 10485760, REPLY_DSN_INVALID },
	{ PATH_MAIL, "FROM:<a@b.c> ENVID=\xc3\xa9", DSN, 10485760, REPLY_DSN_INVALID },
	{ PATH_MAIL, "FROM:<a@b.c> ENVID=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	  DSN, 10485760, REPLY_OK },
	{ PATH_MAIL, "FROM:<a@b.c> ENVID=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	  DSN, 10485760, REPLY_DSN_INVALID },
	{ PATH_MAIL, "FROM:<a@b.c> NOTIFY=NEVER", DSN, 10485760, REPLY_PARAMS },
	{ PATH_MAIL, "FROM:<a@b.c> ORCPT=rfc822;a@b.c", DSN, 10485760, REPLY_PARAMS },
	{ PATH_RCPT, "TO:<a@b.c> NOTIFY=NEVER", DSN, 10485760, REPLY_OK },
	{ PATH_RCPT, "TO:<a@b.c> NOTIFY=SUCCESS", DSN, 10485760, REPLY_OK },
	{ PATH_RCPT, "TO:<a@b.c> NOTIFY=success,Failure,DELAY", DSN, 10485760, REPLY_OK },
	{ PATH_RCPT, "TO:<a@b.c> NOTIFY=DELAY,FAILURE ORCPT=rfc822;a@b.c", DSN, 10485760, REPLY_OK },
	{ PATH_RCPT, "TO:<a@b.c> ORCPT=rfc822;a+2Bb@b.c", DSN, 10485760, REPLY_OK },
	{ PATH_RCPT, "TO:<a@b.c> ORCPT=utf-8;a@b.c", DSN, 10485760, REPLY_OK },
	{ PATH_RCPT, "TO:<a@b.c> NOTIFY=NEVER,SUCCESS", DSN, 10485760, REPLY_DSN_INVALID },
	{ PATH_RCPT, "TO:<a@b.c> NOTIFY=SUCCESS,SUCCESS", DSN, 10485760, REPLY_DSN_INVALID },
	{ PATH_RCPT, "TO:<a@b.c> NOTIFY=SUCCESS,", DSN, 10485760, REPLY_DSN_INVALID },
	{ PATH_RCPT, "TO:<a@b.c> NOTIFY=,SUCCESS", DSN, 10485760, REPLY_DSN_INVALID },
	{ PATH_RCPT, "TO:<a@b.c> NOTIFY=ALWAYS", DSN, 10485760, REPLY_DSN_INVALID },
	{ PATH_RCPT, "TO:<a@b.c> NOTIFY", DSN, 10485760, REPLY_DSN_INVALID },
	{ PATH_RCPT, "TO:<a@b.c> ORCPT=a@b.c", DSN, 10485760, REPLY_DSN_INVALID },
	{ PATH_RCPT, "TO:<a@b.c> ORCPT=;a@b.c", DSN, 10485760, REPLY_DSN_INVALID },
	{ PATH_RCPT, "TO:<a@b.c> ORCPT=rfc822;", DSN, 10485760, REPLY_DSN_INVALID },
	{ PATH_RCPT, "TO:<a@b.c> ORCPT=rfc_822;a@b.c", DSN, 10485760, REPLY_DSN_INVALID },
	{ PATH_RCPT, "TO:<a@b.c> ORCPT=rfc822;a+zzb", DSN, 10485760, REPLY_DSN_INVALID },
	{ PATH_RCPT, "TO:<a@b.c> RET=FULL", DSN, 10485760, REPLY_PARAMS },
	{ PATH_RCPT, "TO:<a@b.c> SIZE=1", DSN, 10485760, REPLY_PARAMS },
	{ PATH_RCPT, "TO:<a@b.c> NOTIFY=NEVER", EXT_ALL, 10485760, REPLY_PARAMS },
	/* each DSN parameter at most once (RFC 3461 §4) */
	{ PATH_MAIL, "FROM:<a@b.c> RET=FULL ret=HDRS", DSN, 10485760, REPLY_DSN_INVALID },
	{ PATH_MAIL, "FROM:<a@b.c> ENVID=a RET=FULL ENVID=b", DSN, 10485760, REPLY_DSN_INVALID },
	{ PATH_RCPT, "TO:<a@b.c> NOTIFY=NEVER NOTIFY=NEVER", DSN, 10485760, REPLY_DSN_INVALID },
	{ PATH_RCPT, "TO:<a@b.c> ORCPT=rfc822;a ORCPT=rfc822;b", DSN, 10485760, REPLY_DSN_INVALID },
	/* non-ASCII addresses need SMTPUTF8 on */
	{ PATH_MAIL, "FROM:<\xc3\xa9@b.c>", EXT_ALL, 10485760, REPLY_OK },
	{ PATH_MAIL, "FROM:<\xc3\xa9@b.c>", EXT_ALL & ~EXT_SMTPUTF8, 10485760, REPLY_NON_ASCII },
	{ PATH_RCPT, "TO:<a@b\xc3\xa9.c>", 0, 10485760, REPLY_NON_ASCII },
	{ PATH_MAIL, "FROM:<\xc3\xa9@b.c> XFOO", 0, 10485760, REPLY_NON_ASCII },
};

static void test_policy(void)
{
	char name[160];

	for (size_t i = 0; i < sizeof policy_rows / sizeof policy_rows[0]; i++) {
		struct path p;
		int parsed = command_parse_path(policy_rows[i].kind, policy_rows[i].arg,
		                                strlen(policy_rows[i].arg), &p);

		snprintf(name, sizeof name, "policy #%zu %s (ext 0x%x, limit %llu)", i,
		         policy_rows[i].arg, policy_rows[i].ext, policy_rows[i].limit);
		tap_int(parsed == 0 ? (long long)command_path_policy(policy_rows[i].kind, &p,
		                                                     policy_rows[i].ext,
		                                                     policy_rows[i].limit) : -1,
		        (long long)policy_rows[i].want, name);
	}
}

/* SPEC §17: the DSN parameters as recorded, keywords upper-cased, values as given. */
static const struct {
	enum path_kind kind;
	const char *arg;
	const char *want;
} dsn_rows[] = {
	{ PATH_MAIL, "FROM:<a@b.c>", "" },
	{ PATH_MAIL, "FROM:<a@b.c> RET=hdrs", "RET=hdrs" },
	{ PATH_MAIL, "FROM:<a@b.c> envid=QQ314159 SIZE=10 ret=FULL", "ENVID=QQ314159; RET=FULL" },
	{ PATH_RCPT, "TO:<a@b.c> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;a@b.c",
	  "NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;a@b.c" },
	{ PATH_RCPT, "TO:<a@b.c> orcpt=rfc822;x@y", "ORCPT=rfc822;x@y" },
	{ PATH_RCPT, "TO:<a@b.c>", "" },
};

static void test_dsn_text(void)
{
	char out[640], name[160];

	for (size_t i = 0; i < sizeof dsn_rows / sizeof dsn_rows[0]; i++) {
		struct path p;
		size_t n;

		snprintf(name, sizeof name, "command_parse_path(%s)", dsn_rows[i].arg);
		tap_int(command_parse_path(dsn_rows[i].kind, dsn_rows[i].arg, strlen(dsn_rows[i].arg),
		                           &p), 0, name);
		n = command_dsn_text(dsn_rows[i].kind, &p, out, sizeof out);
		snprintf(name, sizeof name, "command_dsn_text(%s)", dsn_rows[i].arg);
		tap_mem(out, n, dsn_rows[i].want, strlen(dsn_rows[i].want), name);
	}
}

/* What MAIL FROM declares of the message (SPEC §19: 8-bit bodies, non-ASCII addresses). */
static const struct {
	const char *arg;
	unsigned want;
} declares_rows[] = {
	{ "FROM:<a@b.c>", 0 },
	{ "FROM:<a@b.c> BODY=8BITMIME", COMMAND_8BITMIME },
	{ "FROM:<a@b.c> body=8bitmime", COMMAND_8BITMIME },
	{ "FROM:<a@b.c> BODY=7BIT", 0 },
	{ "FROM:<a@b.c> BODY=BINARYMIME", 0 },
	{ "FROM:<a@b.c> SMTPUTF8", COMMAND_SMTPUTF8 },
	{ "FROM:<a@b.c> smtputf8", COMMAND_SMTPUTF8 },
	{ "FROM:<a@b.c> SMTPUTF8=yes", 0 },
	{ "FROM:<a@b.c> SIZE=10 BODY=8BITMIME SMTPUTF8", COMMAND_8BITMIME | COMMAND_SMTPUTF8 },
	{ "FROM:<a@b.c> XSMTPUTF8 XBODY=8BITMIME", 0 },
};

static void test_declares(void)
{
	char name[160];

	for (size_t i = 0; i < sizeof declares_rows / sizeof declares_rows[0]; i++) {
		struct path p;
		int parsed = command_parse_path(PATH_MAIL, declares_rows[i].arg,
		                                strlen(declares_rows[i].arg), &p);

		snprintf(name, sizeof name, "command_path_declares(%s)", declares_rows[i].arg);
		tap_int(parsed == 0 ? (long long)command_path_declares(&p) : -1,
		        (long long)declares_rows[i].want, name);
	}
}

/* ---- BDAT n [LAST] (RFC 3030) ---- */

static const struct {
	const char *arg;
	int ret;
	unsigned long long size;
	int last;
} bdat_rows[] = {
	{ "0", 0, 0, 0 },
	{ "0 LAST", 0, 0, 1 },
	{ "100", 0, 100, 0 },
	{ "100 LAST", 0, 100, 1 },
	{ "100 last", 0, 100, 1 },
	{ "100 LaSt", 0, 100, 1 },
	{ "100   LAST", 0, 100, 1 },
	{ "1000000000000", 0, 1000000000000ULL, 0 },
	/* a number that is not followed by a good rest still has its chunk read */
	{ "6 FOO", -1, 6, 0 },
	{ "6 LAST x", -1, 6, 0 },
	{ "6 LASTX", -1, 6, 0 },
	/* no number: nothing to read */
	{ "", -1, 0, 0 },
	{ "LAST", -1, 0, 0 },
	{ "x6", -1, 0, 0 },
	{ "6x", -1, 0, 0 },
	{ "-6", -1, 0, 0 },
	{ "1000000000001", -1, 0, 0 },
	{ "99999999999999999999999", -1, 0, 0 },
};

static void test_bdat(void)
{
	char name[128];

	for (size_t i = 0; i < sizeof bdat_rows / sizeof bdat_rows[0]; i++) {
		unsigned long long size = 77;
		int last = 77, ret = command_parse_bdat(bdat_rows[i].arg, strlen(bdat_rows[i].arg),
		                                        &size, &last);

		snprintf(name, sizeof name, "BDAT %s: result", bdat_rows[i].arg);
		tap_int(ret, bdat_rows[i].ret, name);
		snprintf(name, sizeof name, "BDAT %s: chunk to read", bdat_rows[i].arg);
		tap_int((long long)size, (long long)bdat_rows[i].size, name);
		if (ret == 0) {
			snprintf(name, sizeof name, "BDAT %s: LAST", bdat_rows[i].arg);
			tap_int(last, bdat_rows[i].last, name);
		}
	}
}

/* ---- VRFY (SPEC §9) ---- */

static const struct {
	const char *arg;
	int ret;
	const char *addr;
	size_t local_len;
} vrfy_rows[] = {
	{ "exists.foo@example.com", 0, "exists.foo@example.com", 10 },
	{ "Exists.Foo@EXAMPLE.COM", 0, "Exists.Foo@example.com", 10 },
	{ "John Doe <jd@X.com>", 0, "jd@x.com", 2 },
	{ "John   Doe\t<jd@x.com>", 0, "jd@x.com", 2 },
	{ "<a@b>", 0, "a@b", 1 },
	{ "a@b@C", 0, "a@b@c", 3 },
	{ "\"x y\"@Z", 0, "\"x y\"@z", 5 },
	{ "a  b@C", 0, "a b@c", 3 },
	{ "<a@b", 0, "<a@b", 2 },
	{ "", -1, NULL, 0 },
	{ "nobody", -1, NULL, 0 },
	{ "@b", -1, NULL, 0 },
	{ "a@", -1, NULL, 0 },
	{ "<@b>", -1, NULL, 0 },
	{ "<a@>", -1, NULL, 0 },
	{ "<nobody>", -1, NULL, 0 },
	{ "a@b\rc", -1, NULL, 0 },
	{ "a@b\x7f", -1, NULL, 0 },
};

static void test_vrfy(void)
{
	char out[256], name[128];

	for (size_t i = 0; i < sizeof vrfy_rows / sizeof vrfy_rows[0]; i++) {
		size_t local_len = 0;
		int ret;

		memset(out, '#', sizeof out);   /* the address must end itself */
		ret = command_parse_vrfy(vrfy_rows[i].arg, strlen(vrfy_rows[i].arg), out, &local_len);
		snprintf(name, sizeof name, "VRFY #%zu: result", i);
		tap_int(ret, vrfy_rows[i].ret, name);
		if (ret != 0 || vrfy_rows[i].ret != 0)
			continue;
		snprintf(name, sizeof name, "VRFY #%zu: address", i);
		tap_str(out, vrfy_rows[i].addr, name);
		snprintf(name, sizeof name, "VRFY #%zu: local part length", i);
		tap_int((long long)local_len, (long long)vrfy_rows[i].local_len, name);
	}
}

/* ---- words of a line, for the log; addresses as text ---- */

static void test_words(void)
{
	static const struct {
		const char *arg;
		size_t max;
		const char *want;   /* words joined by '|' */
	} rows[] = {
		{ "", 8, "" },
		{ "a", 8, "a" },
		{ "FROM:<a@b> SIZE=1", 8, "FROM:<a@b>|SIZE=1" },
		{ "x \t  y\tz", 8, "x|y|z" },
		{ "a b c d", 2, "a|b" },   /* the rest is not glued onto the last word */
	};
	char copy[64], got[64], name[96];
	const char *words[8];

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		size_t n = command_words(rows[i].arg, strlen(rows[i].arg), copy, words, rows[i].max);

		size_t len = 0;

		got[0] = '\0';
		for (size_t w = 0; w < n && len < sizeof got; w++)
			len += (size_t)snprintf(got + len, sizeof got - len, "%s%s", w ? "|" : "", words[w]);
		snprintf(name, sizeof name, "command_words(\"%s\", %zu)", rows[i].arg, rows[i].max);
		tap_str(got, rows[i].want, name);
	}
}

static void test_address_text(void)
{
	static const struct {
		enum path_kind kind;
		const char *arg;
		const char *want;
	} rows[] = {
		{ PATH_MAIL, "FROM:<>", "" },
		{ PATH_MAIL, "FROM:<Bob@EXAMPLE.com>", "Bob@example.com" },
		{ PATH_RCPT, "TO:<Postmaster>", "Postmaster" },
		{ PATH_RCPT, "TO:<\"a b\"@[1.2.3.4]>", "\"a b\"@[1.2.3.4]" },
	};
	char out[400], name[96];

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct path p;

		snprintf(name, sizeof name, "command_parse_path(%s)", rows[i].arg);
		tap_int(command_parse_path(rows[i].kind, rows[i].arg, strlen(rows[i].arg), &p), 0,
		        name);
		command_address_text(&p.addr, out, sizeof out);
		snprintf(name, sizeof name, "command_address_text(%s)", rows[i].arg);
		tap_str(out, rows[i].want, name);
	}
}

int main(void)
{
	test_verbs();
	test_verb_names();
	test_verb_lengths();
	test_addresses();
	test_address_limits();
	test_paths();
	test_params();
	test_policy();
	test_dsn_text();
	test_declares();
	test_bdat();
	test_vrfy();
	test_words();
	test_address_text();
	return tap_done();
}
