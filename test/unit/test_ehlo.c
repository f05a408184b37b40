/* test_ehlo: SPEC §3 and §17. Every keyword and its effect on the extensions, the AUTH
 * mechanisms, the size limit and the delay; clamping; first-number-wins for size; last-auth-wins;
 * whole-part matching ("nosizes" does nothing); only the first label counts; case-insensitivity;
 * HELO sessions (no extensions, default size); the shaping keywords, authequals, noclearauth and
 * dsn; and the full EHLO reply text, line by line. */
#include "auth.h"
#include "ehlo.h"
#include "tap.h"

#include <stdio.h>

#define HOST "badsmtp.test"
#define MECHS_ALL (AUTH_PLAIN | AUTH_LOGIN | AUTH_CRAM_MD5 | AUTH_CRAM_SHA256 | AUTH_XOAUTH2)

struct row {
	const char *arg;
	int helo;
	unsigned ext;
	unsigned mechs;
	long size;
	int delay;
	int reject;
};

#define D EHLO_SIZE_DEFAULT
#define ALL EXT_ALL

static const struct row rows[] = {
	/* defaults */
	{ "client.example.com", 0, ALL, MECHS_ALL, D, 0, 0 },
	{ "", 0, ALL, MECHS_ALL, D, 0, 0 },
	{ "localhost", 0, ALL, MECHS_ALL, D, 0, 0 },
	{ "[127.0.0.1]", 0, ALL, MECHS_ALL, D, 0, 0 },
	/* one keyword each */
	{ "reject.example.com", 0, ALL, MECHS_ALL, D, 0, 1 },
	{ "noehl.example.com", 0, ALL, MECHS_ALL, D, 0, 1 },
	{ "noauth.example.com", 0, ALL & ~EXT_AUTH, MECHS_ALL, D, 0, 0 },
	{ "authplain.example.com", 0, ALL, AUTH_PLAIN, D, 0, 0 },
	{ "authlogin.example.com", 0, ALL, AUTH_LOGIN, D, 0, 0 },
	{ "authcram.example.com", 0, ALL, AUTH_CRAM_MD5 | AUTH_CRAM_SHA256, D, 0, 0 },
	{ "authoauth.example.com", 0, ALL, AUTH_XOAUTH2, D, 0, 0 },
	{ "no8bit.example.com", 0, ALL & ~EXT_8BITMIME, MECHS_ALL, D, 0, 0 },
	{ "nosize.example.com", 0, ALL & ~EXT_SIZE, MECHS_ALL, D, 0, 0 },
	{ "nopipelining.example.com", 0, ALL & ~EXT_PIPELINING, MECHS_ALL, D, 0, 0 },
	{ "nostarttls.example.com", 0, ALL & ~EXT_STARTTLS, MECHS_ALL, D, 0, 0 },
	{ "nochunking.example.com", 0, ALL & ~EXT_CHUNKING, MECHS_ALL, D, 0, 0 },
	{ "nosmtputf8.example.com", 0, ALL & ~EXT_SMTPUTF8, MECHS_ALL, D, 0, 0 },
	{ "noenhancedstatuscodes.example.com", 0, ALL & ~EXT_ENHANCEDSTATUSCODES, MECHS_ALL, D, 0,
	  0 },
	/* size{digits} */
	{ "size10000.example.com", 0, ALL, MECHS_ALL, 10000, 0, 0 },
	{ "size1.example.com", 0, ALL, MECHS_ALL, 1000, 0, 0 },
	{ "size999.example.com", 0, ALL, MECHS_ALL, 1000, 0, 0 },
	{ "size1000.example.com", 0, ALL, MECHS_ALL, 1000, 0, 0 },
	{ "size1001.example.com", 0, ALL, MECHS_ALL, 1001, 0, 0 },
	{ "size9999999.example.com", 0, ALL, MECHS_ALL, 9999999, 0, 0 },
	{ "size10000000.example.com", 0, ALL, MECHS_ALL, 10000000, 0, 0 },
	{ "size10000001.example.com", 0, ALL, MECHS_ALL, 10000000, 0, 0 },
	{ "size20000000.example.com", 0, ALL, MECHS_ALL, 10000000, 0, 0 },
	{ "size10485760.example.com", 0, ALL, MECHS_ALL, 10000000, 0, 0 },
	{ "size99999999999999999999999.example.com", 0, ALL, MECHS_ALL, 10000000, 0, 0 },
	{ "size0.example.com", 0, ALL, MECHS_ALL, D, 0, 0 },
	{ "size000.example.com", 0, ALL, MECHS_ALL, D, 0, 0 },
	{ "size.example.com", 0, ALL, MECHS_ALL, D, 0, 0 },
	{ "sizeabc.example.com", 0, ALL, MECHS_ALL, D, 0, 0 },
	{ "size12abc.example.com", 0, ALL, MECHS_ALL, D, 0, 0 },
	{ "size-5000.example.com", 0, ALL, MECHS_ALL, D, 0, 0 },
	{ "size05000.example.com", 0, ALL, MECHS_ALL, 5000, 0, 0 },
	{ "size5000-size6000.example.com", 0, ALL, MECHS_ALL, 5000, 0, 0 },
	{ "size0-size6000.example.com", 0, ALL, MECHS_ALL, 6000, 0, 0 },
	{ "size-size6000.example.com", 0, ALL, MECHS_ALL, 6000, 0, 0 },
	{ "sizeabc-size6000-size7000.example.com", 0, ALL, MECHS_ALL, 6000, 0, 0 },
	{ "size1-size6000.example.com", 0, ALL, MECHS_ALL, 1000, 0, 0 },
	{ "nosize-size5000.example.com", 0, ALL & ~EXT_SIZE, MECHS_ALL, 5000, 0, 0 },
	/* dlay{N}: 1..605, 0 and junk ignored */
	{ "dlay5.example.com", 0, ALL, MECHS_ALL, D, 5, 0 },
	{ "dlay1.example.com", 0, ALL, MECHS_ALL, D, 1, 0 },
	{ "dlay605.example.com", 0, ALL, MECHS_ALL, D, 605, 0 },
	{ "dlay606.example.com", 0, ALL, MECHS_ALL, D, 605, 0 },
	{ "dlay99999999999.example.com", 0, ALL, MECHS_ALL, D, 605, 0 },
	{ "dlay0.example.com", 0, ALL, MECHS_ALL, D, 0, 0 },
	{ "dlay.example.com", 0, ALL, MECHS_ALL, D, 0, 0 },
	{ "dlayx.example.com", 0, ALL, MECHS_ALL, D, 0, 0 },
	{ "dlay5x.example.com", 0, ALL, MECHS_ALL, D, 0, 0 },
	{ "delay5.example.com", 0, ALL, MECHS_ALL, D, 0, 0 },
	/* last auth* wins; noauth still removes the line */
	{ "authplain-authlogin.example.com", 0, ALL, AUTH_LOGIN, D, 0, 0 },
	{ "authlogin-authplain.example.com", 0, ALL, AUTH_PLAIN, D, 0, 0 },
	{ "authcram-authoauth-authplain.example.com", 0, ALL, AUTH_PLAIN, D, 0, 0 },
	{ "authplain-authcram.example.com", 0, ALL, AUTH_CRAM_MD5 | AUTH_CRAM_SHA256, D, 0, 0 },
	{ "authplain-noauth.example.com", 0, ALL & ~EXT_AUTH, AUTH_PLAIN, D, 0, 0 },
	/* SPEC §3 examples */
	{ "size10000-no8bit-authplain.example.com", 0, ALL & ~EXT_8BITMIME, AUTH_PLAIN, 10000, 0,
	  0 },
	{ "nosize-nopipelining-authlogin.example.com", 0, ALL & ~(EXT_SIZE | EXT_PIPELINING),
	  AUTH_LOGIN, D, 0, 0 },
	/* everything off */
	{ "noauth-no8bit-nosize-nopipelining-nostarttls-nochunking-nosmtputf8-"
	  "noenhancedstatuscodes.example.com", 0, 0, MECHS_ALL, D, 0, 0 },
	/* whole parts only */
	{ "nosizes.example.com", 0, ALL, MECHS_ALL, D, 0, 0 },
	{ "xnosize.example.com", 0, ALL, MECHS_ALL, D, 0, 0 },
	{ "nosizenoauth.example.com", 0, ALL, MECHS_ALL, D, 0, 0 },
	{ "noauthx.example.com", 0, ALL, MECHS_ALL, D, 0, 0 },
	{ "authplainx.example.com", 0, ALL, MECHS_ALL, D, 0, 0 },
	{ "rejected.example.com", 0, ALL, MECHS_ALL, D, 0, 0 },
	{ "noehlo.example.com", 0, ALL, MECHS_ALL, D, 0, 0 },
	{ "no8bitmime.example.com", 0, ALL, MECHS_ALL, D, 0, 0 },
	{ "no_size.example.com", 0, ALL, MECHS_ALL, D, 0, 0 },
	{ "no-size.example.com", 0, ALL, MECHS_ALL, D, 0, 0 },
	{ "my-nosize-host.example.com", 0, ALL & ~EXT_SIZE, MECHS_ALL, D, 0, 0 },
	{ "-nosize-.example.com", 0, ALL & ~EXT_SIZE, MECHS_ALL, D, 0, 0 },
	{ "nosize--no8bit.example.com", 0, ALL & ~(EXT_SIZE | EXT_8BITMIME), MECHS_ALL, D, 0, 0 },
	/* only the first label */
	{ "client.nosize.example.com", 0, ALL, MECHS_ALL, D, 0, 0 },
	{ "client.size5000", 0, ALL, MECHS_ALL, D, 0, 0 },
	{ "x.reject", 0, ALL, MECHS_ALL, D, 0, 0 },
	{ "nosize", 0, ALL & ~EXT_SIZE, MECHS_ALL, D, 0, 0 },
	{ "nosize.", 0, ALL & ~EXT_SIZE, MECHS_ALL, D, 0, 0 },
	{ ".nosize", 0, ALL, MECHS_ALL, D, 0, 0 },
	/* case-insensitive */
	{ "NOSIZE.EXAMPLE.COM", 0, ALL & ~EXT_SIZE, MECHS_ALL, D, 0, 0 },
	{ "NoSize-No8Bit.Example.Com", 0, ALL & ~(EXT_SIZE | EXT_8BITMIME), MECHS_ALL, D, 0, 0 },
	{ "SIZE5000.example.com", 0, ALL, MECHS_ALL, 5000, 0, 0 },
	{ "AuthPlain.example.com", 0, ALL, AUTH_PLAIN, D, 0, 0 },
	{ "REJECT", 0, ALL, MECHS_ALL, D, 0, 1 },
	{ "DLAY7.example.com", 0, ALL, MECHS_ALL, D, 7, 0 },
	/* helo{code} labels carry no keyword */
	{ "helo500.example.com", 0, ALL, MECHS_ALL, D, 0, 0 },
	/* HELO: no extension at all, the default size limit, no reject */
	{ "client.example.com", 1, 0, MECHS_ALL, D, 0, 0 },
	{ "size5000.example.com", 1, 0, MECHS_ALL, D, 0, 0 },
	{ "reject.example.com", 1, 0, MECHS_ALL, D, 0, 0 },
	{ "noehl.example.com", 1, 0, MECHS_ALL, D, 0, 0 },
	{ "nosize-authplain.example.com", 1, 0, MECHS_ALL, D, 0, 0 },
};

static void test_parse(void)
{
	char name[256];

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const struct row *r = &rows[i];
		struct ehlo_opts o;
		const char *cmd = r->helo ? "HELO" : "EHLO";

		ehlo_parse(r->arg, strlen(r->arg), r->helo, &o);
		snprintf(name, sizeof name, "%s %s: extensions 0x%02x", cmd, r->arg, r->ext);
		tap_int(o.ext, r->ext, name);
		if (!r->helo || r->mechs != MECHS_ALL) {
			snprintf(name, sizeof name, "%s %s: auth mechanisms 0x%02x", cmd, r->arg,
			         r->mechs);
			tap_int(o.auth_mechs, r->mechs, name);
		}
		snprintf(name, sizeof name, "%s %s: size limit %ld", cmd, r->arg, r->size);
		tap_int(o.size_limit, r->size, name);
		snprintf(name, sizeof name, "%s %s: delay %d", cmd, r->arg, r->delay);
		tap_int(o.delay_seconds, r->delay, name);
		snprintf(name, sizeof name, "%s %s: reject %d", cmd, r->arg, r->reject);
		tap_int(o.reject, r->reject, name);
	}
}

/* tls{fault} (SPEC §16): the last tls… part naming a fault wins, with the other keywords. */
static const struct {
	const char *arg;
	enum tlsfault want;
	unsigned ext;
} fault_rows[] = {
	{ "client.example.com", TLSFAULT_NONE, ALL },
	{ "tlsexpired.example.com", TLSFAULT_EXPIRED, ALL },
	{ "tlswronghost-nopipelining.example.com", TLSFAULT_WRONGHOST, ALL & ~EXT_PIPELINING },
	{ "nosize-tlsV12-tlsbogus", TLSFAULT_V12, ALL & ~EXT_SIZE },
	{ "tlsexpired-tlschain.x", TLSFAULT_CHAIN, ALL },
	{ "tlsinject.x", TLSFAULT_INJECT, ALL },
	{ "inject.x", TLSFAULT_INJECT, ALL },
	{ "tlsexpired-inject.x", TLSFAULT_INJECT, ALL },
	{ "inject-tlsexpired.x", TLSFAULT_EXPIRED, ALL },
	{ "injects.x", TLSFAULT_NONE, ALL },
	{ "tls-expired.x", TLSFAULT_NONE, ALL },
	{ "x.tlsexpired", TLSFAULT_NONE, ALL },
};

static void test_faults(void)
{
	char name[256];

	for (size_t i = 0; i < sizeof fault_rows / sizeof fault_rows[0]; i++) {
		struct ehlo_opts o;

		ehlo_parse(fault_rows[i].arg, strlen(fault_rows[i].arg), 0, &o);
		snprintf(name, sizeof name, "EHLO %s: TLS fault \"%s\"", fault_rows[i].arg,
		         tlsfault_name(fault_rows[i].want));
		tap_str(tlsfault_name(o.tls_fault), tlsfault_name(fault_rows[i].want), name);
		snprintf(name, sizeof name, "EHLO %s: extensions 0x%02x", fault_rows[i].arg,
		         fault_rows[i].ext);
		tap_int(o.ext, fault_rows[i].ext, name);
	}
}

/* The argument is (p, n): a keyword after n, or a missing NUL, changes nothing. */
static void test_lengths(void)
{
	struct ehlo_opts o;
	const char buf[] = { 'n', 'o', 's', 'i', 'z', 'e', '-', 'n', 'o', 'a', 'u', 't', 'h' };
	char big[600];

	ehlo_parse(buf, 6, 0, &o);
	tap_int(o.ext, EXT_ALL & ~EXT_SIZE, "ehlo_parse reads only n octets (nosize of nosize-noauth)");
	ehlo_parse(buf, sizeof buf, 0, &o);
	tap_int(o.ext, EXT_ALL & ~(EXT_SIZE | EXT_AUTH), "ehlo_parse without a NUL terminator");
	ehlo_parse("size5000", 5, 0, &o);
	tap_int(o.size_limit, 1000, "ehlo_parse(\"size5\" of size5000) clamps to 1000");
	/* a first label far longer than any buffer: no overflow, keywords early in it still count */
	memset(big, 'a', sizeof big);
	memcpy(big, "nosize-", 7);
	ehlo_parse(big, sizeof big, 0, &o);
	tap_int(o.ext, EXT_ALL & ~EXT_SIZE, "a 600-octet first label: nosize at its start counts");
}

/* The full reply, in SPEC §3's order; its usual lines spelt once. */
#define AUTH_LINE "250-AUTH PLAIN LOGIN CRAM-MD5 CRAM-SHA256 XOAUTH2\r\n"
#define TAIL "250-CHUNKING\r\n" "250-SMTPUTF8\r\n" "250-ENHANCEDSTATUSCODES\r\n" "250 OK\r\n"

static const struct {
	const char *arg;
	int helo, tls;
	const char *host;
	const char *want;
} render_rows[] = {
	{ "client.example.com", 0, 0, HOST,
	  "250-badsmtp.test\r\n"
	  AUTH_LINE
	  "250-8BITMIME\r\n"
	  "250-SIZE 10485760\r\n"
	  "250-PIPELINING\r\n"
	  "250-STARTTLS\r\n"
	  TAIL },
	{ "client.example.com", 0, 1, HOST,
	  "250-badsmtp.test\r\n"
	  AUTH_LINE
	  "250-8BITMIME\r\n"
	  "250-SIZE 10485760\r\n"
	  "250-PIPELINING\r\n"
	  TAIL },
	{ "client.example.com", 0, 0, "mx.example.org",
	  "250-mx.example.org\r\n"
	  AUTH_LINE
	  "250-8BITMIME\r\n"
	  "250-SIZE 10485760\r\n"
	  "250-PIPELINING\r\n"
	  "250-STARTTLS\r\n"
	  TAIL },
	{ "size10000-no8bit-authplain.example.com", 0, 0, HOST,
	  "250-badsmtp.test\r\n"
	  "250-AUTH PLAIN\r\n"
	  "250-SIZE 10000\r\n"
	  "250-PIPELINING\r\n"
	  "250-STARTTLS\r\n"
	  TAIL },
	{ "nosize-nopipelining-authlogin.example.com", 0, 0, HOST,
	  "250-badsmtp.test\r\n"
	  "250-AUTH LOGIN\r\n"
	  "250-8BITMIME\r\n"
	  "250-STARTTLS\r\n"
	  TAIL },
	{ "authcram.example.com", 0, 0, HOST,
	  "250-badsmtp.test\r\n"
	  "250-AUTH CRAM-MD5 CRAM-SHA256\r\n"
	  "250-8BITMIME\r\n"
	  "250-SIZE 10485760\r\n"
	  "250-PIPELINING\r\n"
	  "250-STARTTLS\r\n"
	  TAIL },
	{ "authoauth-size1", 0, 0, HOST,
	  "250-badsmtp.test\r\n"
	  "250-AUTH XOAUTH2\r\n"
	  "250-8BITMIME\r\n"
	  "250-SIZE 1000\r\n"
	  "250-PIPELINING\r\n"
	  "250-STARTTLS\r\n"
	  TAIL },
	{ "size20000000", 0, 0, HOST,
	  "250-badsmtp.test\r\n"
	  AUTH_LINE
	  "250-8BITMIME\r\n"
	  "250-SIZE 10000000\r\n"
	  "250-PIPELINING\r\n"
	  "250-STARTTLS\r\n"
	  TAIL },
	{ "noauth-nostarttls-nochunking-nosmtputf8", 0, 0, HOST,
	  "250-badsmtp.test\r\n"
	  "250-8BITMIME\r\n"
	  "250-SIZE 10485760\r\n"
	  "250-PIPELINING\r\n"
	  "250-ENHANCEDSTATUSCODES\r\n"
	  "250 OK\r\n" },
	{ "noenhancedstatuscodes", 0, 1, HOST,
	  "250-badsmtp.test\r\n"
	  AUTH_LINE
	  "250-8BITMIME\r\n"
	  "250-SIZE 10485760\r\n"
	  "250-PIPELINING\r\n"
	  "250-CHUNKING\r\n"
	  "250-SMTPUTF8\r\n"
	  "250 OK\r\n" },
	{ "noauth-no8bit-nosize-nopipelining-nostarttls-nochunking-nosmtputf8-"
	  "noenhancedstatuscodes", 0, 0, HOST,
	  "250-badsmtp.test\r\n"
	  "250 OK\r\n" },
	{ "nosizes-authplainx.example.com", 0, 0, HOST,
	  "250-badsmtp.test\r\n"
	  AUTH_LINE
	  "250-8BITMIME\r\n"
	  "250-SIZE 10485760\r\n"
	  "250-PIPELINING\r\n"
	  "250-STARTTLS\r\n"
	  TAIL },
	/* a HELO session has no extension to list */
	{ "client.example.com", 1, 0, HOST,
	  "250-badsmtp.test\r\n"
	  "250 OK\r\n" },
	/* SPEC §17: DSN after SIZE; AUTH= after AUTH; noclearauth hides AUTH until TLS */
	{ "dsn", 0, 0, HOST,
	  "250-badsmtp.test\r\n"
	  AUTH_LINE
	  "250-8BITMIME\r\n"
	  "250-SIZE 10485760\r\n"
	  "250-DSN\r\n"
	  "250-PIPELINING\r\n"
	  "250-STARTTLS\r\n"
	  TAIL },
	{ "dsn-nosize-authequals-authplain", 0, 0, HOST,
	  "250-badsmtp.test\r\n"
	  "250-AUTH PLAIN\r\n"
	  "250-AUTH=PLAIN\r\n"
	  "250-8BITMIME\r\n"
	  "250-DSN\r\n"
	  "250-PIPELINING\r\n"
	  "250-STARTTLS\r\n"
	  TAIL },
	{ "authequals", 0, 1, HOST,
	  "250-badsmtp.test\r\n"
	  AUTH_LINE
	  "250-AUTH=PLAIN LOGIN CRAM-MD5 CRAM-SHA256 XOAUTH2\r\n"
	  "250-8BITMIME\r\n"
	  "250-SIZE 10485760\r\n"
	  "250-PIPELINING\r\n"
	  TAIL },
	{ "authequals-noauth-nosize-nopipelining-nostarttls-nochunking-nosmtputf8-no8bit", 0, 0, HOST,
	  "250-badsmtp.test\r\n"
	  "250-ENHANCEDSTATUSCODES\r\n"
	  "250 OK\r\n" },
	{ "noclearauth-authequals-nosize-nopipelining-nochunking-nosmtputf8-no8bit", 0, 0, HOST,
	  "250-badsmtp.test\r\n"
	  "250-STARTTLS\r\n"
	  "250-ENHANCEDSTATUSCODES\r\n"
	  "250 OK\r\n" },
	{ "noclearauth-nosize-nopipelining-nochunking-nosmtputf8-no8bit", 0, 1, HOST,
	  "250-badsmtp.test\r\n"
	  AUTH_LINE
	  "250-ENHANCEDSTATUSCODES\r\n"
	  "250 OK\r\n" },
	{ "dsn", 1, 0, HOST,
	  "250-badsmtp.test\r\n"
	  "250 OK\r\n" },
};

/* SPEC §17: the keywords that shape replies, and AUTH's manners; they combine. */
static const struct {
	const char *arg;
	int helo;
	unsigned ext, auth_flags, render, pacing;
} shape_rows[] = {
	{ "x", 0, ALL, 0, 0, 0 },
	{ "replysplit", 0, ALL, 0, 0, REPLY_SPLIT },
	{ "replybytes", 0, ALL, 0, 0, REPLY_BYTES },
	{ "replybare", 0, ALL, 0, REPLY_BARE, 0 },
	{ "replymulti", 0, ALL, 0, REPLY_MULTI, 0 },
	{ "replylong", 0, ALL, 0, REPLY_LONG, 0 },
	{ "replylf", 0, ALL, 0, REPLY_LF, 0 },
	{ "authequals", 0, ALL, EHLO_AUTH_EQUALS, 0, 0 },
	{ "noclearauth", 0, ALL, EHLO_NO_CLEAR_AUTH, 0, 0 },
	{ "dsn", 0, ALL | EXT_DSN, 0, 0, 0 },
	{ "ReplySplit-REPLYBYTES-replybare-replymulti-replylong-replylf-authequals-noclearauth-dsn.x",
	  0, ALL | EXT_DSN, EHLO_AUTH_EQUALS | EHLO_NO_CLEAR_AUTH,
	  REPLY_BARE | REPLY_MULTI | REPLY_LONG | REPLY_LF, REPLY_SPLIT | REPLY_BYTES },
	{ "replybare-nosize.example.com", 0, ALL & ~EXT_SIZE, 0, REPLY_BARE, 0 },
	/* whole parts, first label only */
	{ "replybarex", 0, ALL, 0, 0, 0 },
	{ "reply", 0, ALL, 0, 0, 0 },
	{ "dsns", 0, ALL, 0, 0, 0 },
	{ "nodsn", 0, ALL, 0, 0, 0 },
	{ "x.replylf", 0, ALL, 0, 0, 0 },
	/* HELO: no DSN (an extension), the shaping stays (it is not one) */
	{ "dsn-replylf-replysplit", 1, 0, 0, REPLY_LF, REPLY_SPLIT },
};

static void test_shape(void)
{
	char name[256];

	for (size_t i = 0; i < sizeof shape_rows / sizeof shape_rows[0]; i++) {
		struct ehlo_opts o;
		const char *cmd = shape_rows[i].helo ? "HELO" : "EHLO";

		ehlo_parse(shape_rows[i].arg, strlen(shape_rows[i].arg), shape_rows[i].helo, &o);
		snprintf(name, sizeof name, "%s %s: extensions", cmd, shape_rows[i].arg);
		tap_int(o.ext, shape_rows[i].ext, name);
		snprintf(name, sizeof name, "%s %s: auth flags", cmd, shape_rows[i].arg);
		tap_int(o.auth_flags, shape_rows[i].auth_flags, name);
		snprintf(name, sizeof name, "%s %s: render flags", cmd, shape_rows[i].arg);
		tap_int(o.render, shape_rows[i].render, name);
		snprintf(name, sizeof name, "%s %s: pacing", cmd, shape_rows[i].arg);
		tap_int(o.pacing, shape_rows[i].pacing, name);
	}
}

/* The EHLO reply as the session's funnel renders it: a reply value, then its wire bytes. */
static size_t ehlo_render(const struct ehlo_opts *o, const char *host, int tls, char *buf,
                          size_t cap)
{
	static struct reply r;

	ehlo_reply(o, host, tls, &r);
	return reply_render(&r, REPLY_WITH_ENHANCED, buf, cap);
}

static void test_render(void)
{
	char buf[1024], name[256];

	for (size_t i = 0; i < sizeof render_rows / sizeof render_rows[0]; i++) {
		struct ehlo_opts o;
		size_t n;

		ehlo_parse(render_rows[i].arg, strlen(render_rows[i].arg), render_rows[i].helo, &o);
		n = ehlo_render(&o, render_rows[i].host, render_rows[i].tls, buf, sizeof buf);
		snprintf(name, sizeof name, "ehlo_render: %s %s (tls %d, host %s)",
		         render_rows[i].helo ? "HELO" : "EHLO", render_rows[i].arg, render_rows[i].tls,
		         render_rows[i].host);
		tap_mem(buf, n, render_rows[i].want, strlen(render_rows[i].want), name);
	}
}

/* The reply is all-or-nothing: 0 when it does not fit, whatever the cap. */
static void test_render_cap(void)
{
	char buf[1024], want[1024], name[96];
	struct ehlo_opts o;
	size_t full, n;
	int bad = 0;

	ehlo_parse("x", 1, 0, &o);
	full = ehlo_render(&o, HOST, 0, want, sizeof want);
	tap_ok(full > 0, "ehlo_render with room succeeds");
	n = ehlo_render(&o, HOST, 0, buf, full + 1);
	tap_mem(buf, n, want, full, "ehlo_render with exactly len + 1 octets");
	for (size_t cap = 1; cap <= full; cap++) {
		n = ehlo_render(&o, HOST, 0, buf, cap);
		if (n != 0 && !bad) {
			bad = 1;
			snprintf(name, sizeof name, "ehlo_render cap %zu of %zu returns 0", cap, full);
			tap_int((long long)n, 0, name);
		}
	}
	if (!bad)
		tap_ok(1, "ehlo_render returns 0 for every cap from 1 to len");
}

int main(void)
{
	test_parse();
	test_faults();
	test_lengths();
	test_shape();
	test_render();
	test_render_cap();
	return tap_done();
}
