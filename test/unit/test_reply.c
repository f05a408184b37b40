/* test_reply: the reply catalogue against SPEC.md's exact wire strings: every row of the §4.2
 * trigger table and "Unknown error" for the rest, triggered replies with and without their
 * enhanced code, every built-in reply (which never carries an enhanced code, except the 553
 * 5.6.7 of §2), "%s" substitution, and the buffer-size contract (0 when it does not fit). */
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
	{ REPLY_VRFY_EXISTS, 1, { "Exists.Foo@example.com" }, 1,
	  "250 Exists.Foo@example.com User exists\r\n" },
	{ REPLY_VRFY_NOT_LOCAL, 1, {0}, 0, "551 User not local; please try forward path\r\n" },
	{ REPLY_VRFY_AMBIGUOUS, 1, {0}, 0,
	  "553 Requested action not taken: mailbox name not allowed\r\n" },
	{ REPLY_VRFY_UNAVAILABLE, 1, {0}, 0,
	  "550 Requested action not taken: mailbox unavailable\r\n" },
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
		         (int)builtin_rows[i].id, builtin_rows[i].enhanced, (int)strlen(want) - 2,
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
	reply_make_text(&r, 334, "", 0);
	n = reply_render(&r, REPLY_WITH_ENHANCED, buf, sizeof buf);
	tap_mem(buf, n, "334 \r\n", 6, "an empty 334 keeps its space (RFC 4954 §4)");
}

int main(void)
{
	test_trigger_texts();
	test_render_code();
	test_builtin();
	test_sizes();
	test_long_arg();
	test_lines();
	return tap_done();
}
