/* test_reply: the reply catalogue against doc/spec.md's exact wire strings: every row of the §4.2
 * trigger table and "Unknown error" for the rest, triggered replies with and without their
 * enhanced code, every built-in reply (which never carries an enhanced code, except the few SPEC
 * gives one), "%s" substitution, the buffer-size contract (0 when it does not fit), and the reply
 * shaping of §17 (bare, multi, long, LF ends, alone and combined, in §21's order). */
#include "reply.h"
#include "tap.h"

#include <stdio.h>

/* The catalogue's reply id with args, rendered with or without enhanced codes. */
static size_t render(char *buf, size_t cap, enum reply_id id, int enhanced,
                     const char *const *args, size_t nargs)
{
	static struct reply r;

	reply_make(&r, id, args, nargs);
	return reply_render(&r, enhanced ? REPLY_WITH_ENHANCED : 0, buf, cap);
}

/* A triggered reply: code, the table's text, the enhanced code when given. */
static size_t render_code(char *buf, size_t cap, int code, const char *enhanced)
{
	static struct reply r;

	reply_make_code(&r, code, enhanced);
	return reply_render(&r, REPLY_WITH_ENHANCED, buf, cap);
}

/* SPEC §4.2, row by row. */
static const struct {
	int code;
	const char *text;
} trigger_rows[] = {
	{ 421, "Service not available, closing transmission channel" },
	{ 450, "Requested mail action not taken: mailbox unavailable" },
	{ 451, "Requested action aborted: local error in processing" },
	{ 452, "Requested action not taken: insufficient system storage" },
	{ 454, "TLS not available due to temporary reason" },
	{ 455, "Server unable to accommodate parameters" },
	{ 500, "Syntax error, command unrecognized" },
	{ 501, "Syntax error in parameters or arguments" },
	{ 502, "Command not implemented" },
	{ 503, "Bad sequence of commands" },
	{ 504, "Command parameter not implemented" },
	{ 521, "Machine does not accept mail" },
	{ 530, "Authentication required" },
	{ 534, "Authentication mechanism is too weak" },
	{ 535, "Authentication failed" },
	{ 550, "Requested action not taken: mailbox unavailable" },
	{ 551, "User not local; please try forward path" },
	{ 552, "Requested mail action aborted: exceeded storage allocation" },
	{ 553, "Requested action not taken: mailbox name not allowed" },
	{ 554, "Transaction failed" },
	{ 555, "MAIL FROM/RCPT TO parameters not recognized or not implemented" },
	{ 571, "Blocked - see https://example.com/blocked" },
};

/* Codes in 400-599 that are not in the table. */
static const int unknown_codes[] = { 400, 401, 420, 422, 449, 453, 456, 499, 505, 520, 522, 531,
                                     536, 549, 556, 570, 572, 599 };

static void test_trigger_texts(void)
{
	char name[128];

	for (size_t i = 0; i < sizeof trigger_rows / sizeof trigger_rows[0]; i++) {
		snprintf(name, sizeof name, "reply_trigger_text(%d)", trigger_rows[i].code);
		tap_str(reply_trigger_text(trigger_rows[i].code), trigger_rows[i].text, name);
	}
	for (size_t i = 0; i < sizeof unknown_codes / sizeof unknown_codes[0]; i++) {
		snprintf(name, sizeof name, "reply_trigger_text(%d) is Unknown error", unknown_codes[i]);
		tap_str(reply_trigger_text(unknown_codes[i]), "Unknown error", name);
	}
}

/* {code, enhanced, want}: what a triggered reply looks like on the wire. */
static const struct {
	int code;
	const char *enhanced;
	const char *want;
} render_rows[] = {
	{ 550, "5.1.1", "550 5.1.1 Requested action not taken: mailbox unavailable\r\n" },
	{ 550, NULL, "550 Requested action not taken: mailbox unavailable\r\n" },
	{ 550, "", "550 Requested action not taken: mailbox unavailable\r\n" },
	{ 421, NULL, "421 Service not available, closing transmission channel\r\n" },
	{ 421, "4.3.2", "421 4.3.2 Service not available, closing transmission channel\r\n" },
	{ 452, "4.2.2", "452 4.2.2 Requested action not taken: insufficient system storage\r\n" },
	{ 571, "5.7.1", "571 5.7.1 Blocked - see https://example.com/blocked\r\n" },
	{ 599, NULL, "599 Unknown error\r\n" },
	{ 432, "4.7.12", "432 4.7.12 Unknown error\r\n" },
	{ 555, "5.5.4", "555 5.5.4 MAIL FROM/RCPT TO parameters not recognized or not implemented\r\n" },
};

static void test_render_code(void)
{
	char buf[512], name[128];

	for (size_t i = 0; i < sizeof render_rows / sizeof render_rows[0]; i++) {
		size_t n = render_code(buf, sizeof buf, render_rows[i].code, render_rows[i].enhanced);

		snprintf(name, sizeof name, "render %d %s", render_rows[i].code,
		         render_rows[i].enhanced ? render_rows[i].enhanced : "(none)");
		tap_mem(buf, n, render_rows[i].want, strlen(render_rows[i].want), name);
	}
	/* every table row, both forms */
	for (size_t i = 0; i < sizeof trigger_rows / sizeof trigger_rows[0]; i++) {
		char want[256];
		int code = trigger_rows[i].code, w;
		size_t n;

		n = render_code(buf, sizeof buf, code, NULL);
		w = snprintf(want, sizeof want, "%d %s\r\n", code, trigger_rows[i].text);
		snprintf(name, sizeof name, "render %d without enhanced code", code);
		tap_mem(buf, n, want, (size_t)w, name);
		n = render_code(buf, sizeof buf, code, code < 500 ? "4.0.0" : "5.0.0");
		w = snprintf(want, sizeof want, "%d %s %s\r\n", code, code < 500 ? "4.0.0" : "5.0.0",
		             trigger_rows[i].text);
		snprintf(name, sizeof name, "render %d with enhanced code", code);
		tap_mem(buf, n, want, (size_t)w, name);
	}
}

/* Built-in replies: {id, enhanced on?, args, want}. */
static const struct {
	enum reply_id id;
	int enhanced;
	const char *args[2];
	size_t nargs;
	const char *want;
} builtin_rows[] = {
	{ REPLY_OK, 0, {0}, 0, "250 OK\r\n" },
	{ REPLY_OK, 1, {0}, 0, "250 OK\r\n" },
	{ REPLY_BYE, 1, {0}, 0, "221 Bye\r\n" },
	{ REPLY_GREETING, 0, { "badsmtp.test" }, 1, "220 badsmtp.test ESMTP BadSMTP Server\r\n" },
	{ REPLY_GREETING, 1, { "mx.example.org" }, 1, "220 mx.example.org ESMTP BadSMTP Server\r\n" },
	{ REPLY_HELO_OK, 1, { "badsmtp.test" }, 1, "250 badsmtp.test\r\n" },
	{ REPLY_DATA_GO, 1, {0}, 0, "354 End data with <CR><LF>.<CR><LF>\r\n" },
	{ REPLY_MESSAGE_ACCEPTED, 1, {0}, 0, "250 OK Message accepted for delivery\r\n" },
	{ REPLY_TOO_LONG, 1, {0}, 0, "500 Command too long\r\n" },
	{ REPLY_UNRECOGNISED, 1, {0}, 0, "500 Command not recognised\r\n" },
	{ REPLY_SYNTAX, 1, {0}, 0, "501 Syntax error in parameters\r\n" },
	{ REPLY_NOT_IMPLEMENTED, 1, {0}, 0, "502 Command not implemented\r\n" },
	{ REPLY_BAD_SEQUENCE, 1, { "MAIL", "HELO" }, 2,
	  "503 Bad sequence - MAIL not allowed in HELO state\r\n" },
	{ REPLY_BAD_SEQUENCE, 0, { "BDAT", "MAIL" }, 2,
	  "503 Bad sequence - BDAT not allowed in MAIL state\r\n" },
	{ REPLY_BAD_SEQUENCE, 0, { "DATA" }, 1, "503 Bad sequence - DATA not allowed in  state\r\n" },
	{ REPLY_PARAMS, 1, {0}, 0,
	  "555 MAIL FROM/RCPT TO parameters not recognized or not implemented\r\n" },
	{ REPLY_SIZE_EXCEEDED, 1, { "10485760" }, 1,
	  "552 Message size exceeds fixed maximum of 10485760 bytes\r\n" },
	{ REPLY_SIZE_EXCEEDED, 0, { "1000" }, 1,
	  "552 Message size exceeds fixed maximum of 1000 bytes\r\n" },
	{ REPLY_NON_ASCII, 1, {0}, 0, "553 5.6.7 Non-ASCII address requires SMTPUTF8\r\n" },
	{ REPLY_NON_ASCII, 0, {0}, 0, "553 Non-ASCII address requires SMTPUTF8\r\n" },
	{ REPLY_TOO_MANY_RCPTS, 1, {0}, 0, "452 Too many recipients\r\n" },
	{ REPLY_NO_RCPTS, 1, {0}, 0, "554 No valid recipients\r\n" },
	{ REPLY_STORAGE, 1, {0}, 0, "452 Requested action not taken: insufficient system storage\r\n" },
	{ REPLY_TIMEOUT, 1, {0}, 0, "421 Timeout, closing transmission channel\r\n" },
	{ REPLY_SHUTDOWN, 1, {0}, 0, "421 Service shutting down\r\n" },
	{ REPLY_STARTTLS_GO, 1, {0}, 0, "220 Ready to start TLS\r\n" },
	{ REPLY_TLS_ALREADY, 1, {0}, 0, "554 TLS already started\r\n" },
	{ REPLY_STARTTLS_FIRST, 1, {0}, 0, "530 Must issue a STARTTLS command first\r\n" },
	{ REPLY_AUTH_OK, 1, {0}, 0, "235 Authentication successful\r\n" },
	{ REPLY_AUTH_FAILED, 1, {0}, 0, "535 Authentication failed\r\n" },
	{ REPLY_AUTH_ALREADY, 1, {0}, 0, "503 Already authenticated\r\n" },
	{ REPLY_AUTH_MECHANISM, 1, {0}, 0, "504 Authentication mechanism not supported\r\n" },
	{ REPLY_AUTH_CANCELLED, 1, {0}, 0, "501 Authentication cancelled\r\n" },
	{ REPLY_AUTH_UNAVAILABLE, 1, {0}, 0, "454 4.7.0 Temporary authentication failure\r\n" },
	{ REPLY_AUTH_CHALLENGE, 1, { "VXNlcm5hbWU6" }, 1, "334 VXNlcm5hbWU6\r\n" },
	{ REPLY_AUTH_CHALLENGE, 1, { "" }, 1, "334 \r\n" },
	{ REPLY_VRFY_EXISTS, 1, { "Exists.Foo@example.com" }, 1,
	  "250 Exists.Foo@example.com User exists\r\n" },
	{ REPLY_VRFY_NOT_LOCAL, 1, {0}, 0, "551 User not local; please try forward path\r\n" },
	{ REPLY_VRFY_AMBIGUOUS, 1, {0}, 0,
	  "553 Requested action not taken: mailbox name not allowed\r\n" },
	{ REPLY_VRFY_UNAVAILABLE, 1, {0}, 0,
	  "550 Requested action not taken: mailbox unavailable\r\n" },
	/* SPEC §17, §18 */
	{ REPLY_GREETING_LINES, 1, { "mx.example", "mx.example" }, 2,
	  "220-mx.example ESMTP BadSMTP Server\r\n220-This greeting has three lines\r\n"
	  "220 mx.example ready\r\n" },
	{ REPLY_NO_SERVICE, 1, {0}, 0, "554 No SMTP service here\r\n" },
	{ REPLY_NO_SERVICE_SEQUENCE, 1, {0}, 0, "503 Bad sequence of commands\r\n" },
	{ REPLY_EARLY_TALKER, 1, {0}, 0, "554 5.5.1 Protocol error: talked before the greeting\r\n" },
	{ REPLY_AUTH_NEEDS_TLS, 1, {0}, 0, "530 5.7.0 Must issue a STARTTLS command first\r\n" },
	{ REPLY_AUTH_NEEDS_TLS, 0, {0}, 0, "530 Must issue a STARTTLS command first\r\n" },
	{ REPLY_DSN_INVALID, 1, {0}, 0, "501 5.5.4 Invalid DSN parameter\r\n" },
	{ REPLY_DSN_INVALID, 0, {0}, 0, "501 Invalid DSN parameter\r\n" },
	{ REPLY_GREYLISTED, 1, { "60" }, 1,
	  "450 4.7.1 Greylisted, please try again in 60 seconds\r\n" },
	{ REPLY_GREYLISTED, 0, { "86400" }, 1,
	  "450 Greylisted, please try again in 86400 seconds\r\n" },
	{ REPLY_STATE_FAILED, 1, {0}, 0,
	  "451 4.3.0 Requested action aborted: local error in processing\r\n" },
	{ REPLY_STATE_FAILED, 0, {0}, 0, "451 Requested action aborted: local error in processing\r\n" },
};

static void test_builtin(void)
{
	static struct reply r;
	char buf[512], name[160];

	for (size_t i = 0; i < sizeof builtin_rows / sizeof builtin_rows[0]; i++) {
		size_t n = render(buf, sizeof buf, builtin_rows[i].id, builtin_rows[i].enhanced,
		                  builtin_rows[i].args, builtin_rows[i].nargs);
		const char *want = builtin_rows[i].want;

		snprintf(name, sizeof name, "reply_render #%zu (id %d, enhanced %d): %.*s", i,
		         (int)builtin_rows[i].id, builtin_rows[i].enhanced, (int)strcspn(want, "\r\n"),
		         want);
		tap_mem(buf, n, want, strlen(want), name);
		snprintf(name, sizeof name, "reply_make(id %d) code", (int)builtin_rows[i].id);
		reply_make(&r, builtin_rows[i].id, NULL, 0);
		tap_int(r.code, (want[0] - '0') * 100 + (want[1] - '0') * 10 + (want[2] - '0'), name);
	}
}

static void test_sizes(void)
{
	static const char want[] = "250 OK\r\n";
	char buf[64];
	const char *host = "badsmtp.test";
	size_t n;

	n = render(buf, sizeof want, REPLY_OK, 0, NULL, 0);
	tap_mem(buf, n, want, sizeof want - 1, "reply_render fits exactly (len + NUL)");
	tap_int((long long)render(buf, sizeof want - 1, REPLY_OK, 0, NULL, 0), 0,
	        "reply_render one octet short gives 0");
	tap_int((long long)render(buf, 1, REPLY_OK, 0, NULL, 0), 0, "reply_render cap 1 gives 0");
	n = render_code(buf, 12, 554, NULL);
	tap_int((long long)n, 0, "reply_render_code too small gives 0");
	n = render_code(buf, sizeof "554 Transaction failed\r\n", 554, NULL);
	tap_mem(buf, n, "554 Transaction failed\r\n", 24, "reply_render_code fits exactly");
	n = render(buf, sizeof buf, REPLY_GREETING, 0, &host, 1);
	tap_int((long long)n, (long long)strlen("220 badsmtp.test ESMTP BadSMTP Server\r\n"),
	        "reply_render returns the length");
}

/* An argument too long for the text must not overflow: 0, not a crash; the longest text
 * badsmtp echoes (a whole command line) fits. */
static void test_long_arg(void)
{
	static char big[REPLY_TEXT_MAX + 1], line[4097];
	const char *args[1] = { big };
	static char buf[2 * REPLY_TEXT_MAX];

	memset(big, 'x', sizeof big - 1);
	tap_int((long long)render(buf, sizeof buf, REPLY_HELO_OK, 0, args, 1), 0,
	        "an argument longer than REPLY_TEXT_MAX does not fit: 0");
	tap_int((long long)render(buf, 8, REPLY_HELO_OK, 0, args, 1), 0,
	        "a small buffer and a long argument: 0");
	memset(line, 'x', sizeof line - 1);
	args[0] = line;
	tap_int((long long)render(buf, sizeof buf, REPLY_VRFY_EXISTS, 0, args, 1),
	        (long long)(sizeof line - 1 + strlen("250  User exists\r\n")),
	        "a 4096-octet VRFY echo fits");
}

/* Multi-line replies: "-" on every line but the last, the enhanced code on each line. */
static void test_lines(void)
{
	static const char want[] = "550-5.1.1 Requested action not taken: mailbox unavailable\r\n"
	                           "550 5.1.1 second\r\n";
	static struct reply r;
	char buf[256];
	size_t n;

	reply_make_code(&r, 550, "5.1.1");
	reply_add_line(&r, "second", 6);
	n = reply_render(&r, REPLY_WITH_ENHANCED, buf, sizeof buf);
	tap_mem(buf, n, want, sizeof want - 1, "two lines, enhanced code on both");
	reply_make(&r, REPLY_AUTH_CHALLENGE, (const char *const[]){ "" }, 1);
	n = reply_render(&r, REPLY_WITH_ENHANCED, buf, sizeof buf);
	tap_mem(buf, n, "334 \r\n", 6, "an empty 334 keeps its space (RFC 4954 §4)");
}

/* SPEC §17 and §21's order: bare, then multi, then long; then the line ends. */
#define X10 "xxxxxxxxxx"
#define X100 X10 X10 X10 X10 X10 X10 X10 X10 X10 X10
#define PAD " " X100 X100 X100 X100 X100 X100

enum shape_kind { OK, CHALLENGE, EMPTY_334, DATA_GO, TRIGGERED, TWO_LINES };

static const struct {
	enum shape_kind kind;
	unsigned flags;
	const char *want;
} shape_rows[] = {
	{ OK, REPLY_BARE, "250\r\n" },
	{ DATA_GO, REPLY_BARE, "354\r\n" },
	{ CHALLENGE, REPLY_BARE, "334 VXNlcm5hbWU6\r\n" },
	{ EMPTY_334, REPLY_BARE, "334\r\n" },
	{ EMPTY_334, 0, "334 \r\n" },
	{ TRIGGERED, REPLY_BARE | REPLY_WITH_ENHANCED, "550 5.1.1 Requested action not taken: mailbox unavailable\r\n" },
	{ TWO_LINES, REPLY_BARE, "250-first\r\n250 second\r\n" },
	{ OK, REPLY_MULTI, "250-OK\r\n250 OK\r\n" },
	{ TRIGGERED, REPLY_MULTI | REPLY_WITH_ENHANCED,
	  "550-5.1.1 Requested action not taken: mailbox unavailable\r\n"
	  "550 5.1.1 Requested action not taken: mailbox unavailable\r\n" },
	{ TRIGGERED, REPLY_MULTI, "550-Requested action not taken: mailbox unavailable\r\n"
	                          "550 Requested action not taken: mailbox unavailable\r\n" },
	{ TWO_LINES, REPLY_MULTI, "250-first\r\n250 second\r\n" },
	{ OK, REPLY_LONG, "250 OK" PAD "\r\n" },
	{ TWO_LINES, REPLY_LONG, "250-first\r\n250 second" PAD "\r\n" },
	{ TRIGGERED, REPLY_LONG | REPLY_WITH_ENHANCED,
	  "550 5.1.1 Requested action not taken: mailbox unavailable" PAD "\r\n" },
	{ OK, REPLY_LF, "250 OK\n" },
	{ TWO_LINES, REPLY_LF, "250-first\n250 second\n" },
	{ OK, REPLY_BARE | REPLY_MULTI, "250-\r\n250\r\n" },
	{ OK, REPLY_BARE | REPLY_LONG, "250" PAD "\r\n" },
	{ OK, REPLY_MULTI | REPLY_LONG, "250-OK\r\n250 OK" PAD "\r\n" },
	{ OK, REPLY_BARE | REPLY_MULTI | REPLY_LONG | REPLY_LF, "250-\n250" PAD "\n" },
	{ DATA_GO, REPLY_MULTI | REPLY_LF,
	  "354-End data with <CR><LF>.<CR><LF>\n354 End data with <CR><LF>.<CR><LF>\n" },
};

static void test_shapes(void)
{
	static struct reply r;
	static char buf[REPLY_WIRE_MAX];
	char name[160];

	for (size_t i = 0; i < sizeof shape_rows / sizeof shape_rows[0]; i++) {
		size_t n;

		switch (shape_rows[i].kind) {
		case OK:
			reply_make(&r, REPLY_OK, NULL, 0);
			break;
		case CHALLENGE:
			reply_make(&r, REPLY_AUTH_CHALLENGE, (const char *const[]){ "VXNlcm5hbWU6" }, 1);
			break;
		case EMPTY_334:
			reply_make(&r, REPLY_AUTH_CHALLENGE, (const char *const[]){ "" }, 1);
			break;
		case DATA_GO:
			reply_make(&r, REPLY_DATA_GO, NULL, 0);
			break;
		case TRIGGERED:
			reply_make_code(&r, 550, "5.1.1");
			break;
		case TWO_LINES:
			reply_make(&r, REPLY_HELO_OK, (const char *const[]){ "first" }, 1);
			reply_add_line(&r, "second", 6);
			break;
		}
		n = reply_render(&r, shape_rows[i].flags, buf, sizeof buf);
		snprintf(name, sizeof name, "shape #%zu (flags 0x%x): %.*s", i, shape_rows[i].flags,
		         (int)strcspn(shape_rows[i].want, "\r\n"), shape_rows[i].want);
		tap_mem(buf, n, shape_rows[i].want, strlen(shape_rows[i].want), name);
	}
}

/* The longest reply, shaped as much as it can be, still fits REPLY_WIRE_MAX. */
static void test_wire_max(void)
{
	static char big[REPLY_TEXT_MAX - 20];
	static char buf[REPLY_WIRE_MAX];
	const char *args[1] = { big };
	static struct reply r;

	memset(big, 'v', sizeof big - 1);
	reply_make(&r, REPLY_VRFY_EXISTS, args, 1);
	tap_ok(!r.truncated, "a VRFY echo near REPLY_TEXT_MAX is a reply");
	tap_ok(reply_render(&r, REPLY_MULTI | REPLY_LONG | REPLY_WITH_ENHANCED, buf, sizeof buf) > 0,
	       "... which, multi and long, fits REPLY_WIRE_MAX");
}

int main(void)
{
	test_trigger_texts();
	test_render_code();
	test_builtin();
	test_shapes();
	test_wire_max();
	test_sizes();
	test_long_arg();
	test_lines();
	return tap_done();
}
