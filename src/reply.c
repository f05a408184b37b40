/* reply: every reply text in two tables, so the wire strings of doc/spec.md live in one place,
 * and the one renderer. Built-in replies carry no enhanced code (SPEC §4.2), except the few that
 * SPEC gives one. */
#include "reply.h"

#include "buf.h"

#include <string.h>

static const struct {
	int code;
	const char *enhanced;
	const char *text;
} replies[REPLY_COUNT] = {
	[REPLY_OK]               = { 250, NULL, "OK" },
	[REPLY_BYE]              = { 221, NULL, "Bye" },
	[REPLY_GREETING]         = { 220, NULL, "%s ESMTP BadSMTP Server" },
	[REPLY_HELO_OK]          = { 250, NULL, "%s" },
	[REPLY_DATA_GO]          = { 354, NULL, "End data with <CR><LF>.<CR><LF>" },
	[REPLY_MESSAGE_ACCEPTED] = { 250, NULL, "OK Message accepted for delivery" },
	[REPLY_TOO_LONG]         = { 500, NULL, "Command too long" },
	[REPLY_UNRECOGNISED]     = { 500, NULL, "Command not recognised" },
	[REPLY_SYNTAX]           = { 501, NULL, "Syntax error in parameters" },
	[REPLY_NOT_IMPLEMENTED]  = { 502, NULL, "Command not implemented" },
	[REPLY_BAD_SEQUENCE]     = { 503, NULL, "Bad sequence - %s not allowed in %s state" },
	[REPLY_PARAMS]           = { 555, NULL, "MAIL FROM/RCPT TO parameters not recognized or not implemented" },
	[REPLY_SIZE_EXCEEDED]    = { 552, NULL, "Message size exceeds fixed maximum of %s bytes" },
	[REPLY_NON_ASCII]        = { 553, "5.6.7", "Non-ASCII address requires SMTPUTF8" },
	[REPLY_TOO_MANY_RCPTS]   = { 452, NULL, "Too many recipients" },
	[REPLY_NO_RCPTS]         = { 554, NULL, "No valid recipients" },
	[REPLY_STORAGE]          = { 452, NULL, "Requested action not taken: insufficient system storage" },
	[REPLY_TIMEOUT]          = { 421, NULL, "Timeout, closing transmission channel" },
	[REPLY_SHUTDOWN]         = { 421, NULL, "Service shutting down" },
	[REPLY_STARTTLS_GO]      = { 220, NULL, "Ready to start TLS" },
	[REPLY_TLS_ALREADY]      = { 554, NULL, "TLS already started" },
	[REPLY_TLS_UNAVAILABLE]  = { 454, NULL, "TLS not available due to temporary reason" },
	[REPLY_TLS_FAULT_REFUSED] = { 454, "4.7.0", "TLS not available due to temporary reason" },
	[REPLY_TLS_INJECTED]     = { 250, NULL, "Injected before TLS" },
	[REPLY_STARTTLS_FIRST]   = { 530, NULL, "Must issue a STARTTLS command first" },
	[REPLY_AUTH_OK]          = { 235, NULL, "Authentication successful" },
	[REPLY_AUTH_FAILED]      = { 535, NULL, "Authentication failed" },
	[REPLY_AUTH_ALREADY]     = { 503, NULL, "Already authenticated" },
	[REPLY_AUTH_MECHANISM]   = { 504, NULL, "Authentication mechanism not supported" },
	[REPLY_AUTH_CANCELLED]   = { 501, NULL, "Authentication cancelled" },
	[REPLY_AUTH_UNAVAILABLE] = { 454, "4.7.0", "Temporary authentication failure" },
	[REPLY_AUTH_CHALLENGE]   = { 334, NULL, "%s" },
	[REPLY_VRFY_EXISTS]      = { 250, NULL, "%s User exists" },
	[REPLY_VRFY_NOT_LOCAL]   = { 551, NULL, "User not local; please try forward path" },
	[REPLY_VRFY_AMBIGUOUS]   = { 553, NULL, "Requested action not taken: mailbox name not allowed" },
	[REPLY_VRFY_UNAVAILABLE] = { 550, NULL, "Requested action not taken: mailbox unavailable" },
	/* SPEC §17: the greeting faults; noclearauth; dsn */
	[REPLY_GREETING_LINES]   = { 220, NULL, "%s ESMTP BadSMTP Server\nThis greeting has three lines\n%s ready" },
	[REPLY_NO_SERVICE]       = { 554, NULL, "No SMTP service here" },
	[REPLY_NO_SERVICE_SEQUENCE] = { 503, NULL, "Bad sequence of commands" },
	[REPLY_EARLY_TALKER]     = { 554, "5.5.1", "Protocol error: talked before the greeting" },
	[REPLY_AUTH_NEEDS_TLS]   = { 530, "5.7.0", "Must issue a STARTTLS command first" },
	[REPLY_DSN_INVALID]      = { 501, "5.5.4", "Invalid DSN parameter" },
	/* SPEC §18 */
	[REPLY_GREYLISTED]       = { 450, "4.7.1", "Greylisted, please try again in %s seconds" },
	[REPLY_STATE_FAILED]     = { 451, "4.3.0", "Requested action aborted: local error in processing" },
	/* the acceptor's own, with their enhanced codes (SPEC §15) */
	[REPLY_TOO_MANY_SESSIONS] = { 421, "4.3.2", "Too many connections, try again later" },
	[REPLY_NO_SESSION]       = { 421, "4.3.2", "Cannot start a session now, try again later" },
};

static const struct {
	int code;
	const char *text;
} trigger_texts[] = {
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

const char *reply_trigger_text(int code)
{
	for (size_t i = 0; i < sizeof trigger_texts / sizeof trigger_texts[0]; i++)
		if (trigger_texts[i].code == code)
			return trigger_texts[i].text;
	return "Unknown error";
}

static void set_head(struct reply *r, int code, const char *enhanced)
{
	r->code = code;
	r->truncated = 0;
	r->len = 0;
	r->enhanced[0] = '\0';
	if (enhanced != NULL && strlen(enhanced) < sizeof r->enhanced)
		memcpy(r->enhanced, enhanced, strlen(enhanced) + 1);
}

/* The text as a buf over r->text, and back: one bounded append rule for every line. */
static void append(struct reply *r, const char *p, size_t n)
{
	struct buf b = { .p = r->text, .len = r->len, .cap = sizeof r->text };

	buf_add(&b, p, n);
	r->len = b.len;
	r->truncated |= b.truncated;
}

void reply_make_code(struct reply *r, int code, const char *enhanced)
{
	const char *text = reply_trigger_text(code);

	set_head(r, code, enhanced);
	append(r, text, strlen(text));
}

void reply_make(struct reply *r, enum reply_id id, const char *const *args, size_t nargs)
{
	const char *t = replies[id].text;
	size_t next = 0;

	set_head(r, replies[id].code, replies[id].enhanced);
	/* Our own "%s" substitution keeps every format string a literal for the compiler. */
	for (const char *mark; (mark = strstr(t, "%s")) != NULL; t = mark + 2) {
		const char *arg = next < nargs ? args[next++] : "";

		append(r, t, (size_t)(mark - t));
		append(r, arg, strlen(arg));
	}
	append(r, t, strlen(t));
}

void reply_add_line(struct reply *r, const char *text, size_t n)
{
	append(r, "\n", 1);
	append(r, text, n);
}

/* One line: "{code}" and its separator, the enhanced code, the text; the pad of replylong on the
 * last line; the line end. A bare line has neither separator nor text when it is the last. */
static void render_line(struct buf *b, const struct reply *r, const char *text, size_t n,
                        unsigned flags, int last, int bare, int enhanced)
{
	buf_add_decimal(b, r->code, 3);
	if (!(bare && last))
		buf_addc(b, last ? ' ' : '-');
	if (enhanced) {
		buf_adds(b, r->enhanced);
		buf_addc(b, ' ');
	}
	if (!bare)
		buf_add(b, text, n);
	if (last && (flags & REPLY_LONG)) {
		buf_addc(b, ' ');
		for (int i = 0; i < REPLY_LONG_PAD / 10; i++)
			buf_add(b, "xxxxxxxxxx", 10);
	}
	buf_adds(b, flags & REPLY_LF ? "\n" : "\r\n");
}

size_t reply_render(const struct reply *r, unsigned flags, char *out, size_t cap)
{
	struct buf b;
	const char *end = r->text + r->len;
	int single = memchr(r->text, '\n', r->len) == NULL;
	/* SPEC §17, §21: bare first (a 334 that carries data keeps it), then multi, then long. */
	int bare = (flags & REPLY_BARE) && single && r->code >= 200 && r->code < 400 &&
	           !(r->code == 334 && r->len > 0);
	int copies = (flags & REPLY_MULTI) && single ? 2 : 1;
	int enhanced = !bare && (flags & REPLY_WITH_ENHANCED) && r->enhanced[0] != '\0';

	if (r->truncated || cap == 0)
		return 0;
	buf_init(&b, out, cap);
	for (int copy = 1; copy <= copies; copy++) {
		for (const char *line = r->text;;) {
			const char *nl = memchr(line, '\n', (size_t)(end - line));
			const char *stop = nl != NULL ? nl : end;

			render_line(&b, r, line, (size_t)(stop - line), flags, nl == NULL && copy == copies,
			            bare, enhanced);
			if (nl == NULL)
				break;
			line = nl + 1;
		}
	}
	return b.truncated ? 0 : b.len;
}
