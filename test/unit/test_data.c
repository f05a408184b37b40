/* test_data: SPEC §6 and §14, the DATA body decoder. The end is CRLF.CRLF only (".\r\n" at the
 * start is an empty body; "\n.\n" never ends; bare CR and LF are kept); a line's leading dot is
 * removed; ".\r" followed by anything but LF keeps its CR; bytes after the end are left for the
 * next command; the size is the unstuffed size, counted past the limit, while the sink gets
 * only `limit` octets. Every row is fed in one piece, byte by byte, and in every 2-chunk split,
 * and all must agree; an exhaustive sweep over short strings of '.', CR, LF and 'a' checks the
 * decoder against an independent reference. The watch (SPEC §19): bare LF, bare CR, lines over
 * 1000 octets as received and 8-bit octets, each with its body line, in order of occurrence,
 * whole or split anywhere. */
#include "data.h"
#include "log_capture.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>

struct sink {
	char buf[4096];
	size_t len;
	size_t calls;
	int overflow;
};

static void collect(void *ctx, const char *p, size_t n)
{
	struct sink *s = ctx;

	s->calls++;
	if (s->len + n > sizeof s->buf) {
		s->overflow = 1;
		return;
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
}

struct result {
	struct sink out;
	size_t consumed;
	int done;
	unsigned long long size;
	int over;
};

/* Feeds in at most three pieces: [0,a) [a,b) [b,n); stops feeding once the decoder stops
 * consuming (the end was found), as the session does. */
static void run(const char *in, size_t n, unsigned long long limit, size_t a, size_t b,
                struct result *r)
{
	struct data_body d;
	size_t cuts[3] = { a, b, n }, at = 0;

	memset(r, 0, sizeof *r);
	data_begin(&d, limit);
	for (int k = 0; k < 3; k++) {
		size_t len = cuts[k] - at, used;

		if (len == 0)
			continue;
		used = data_feed(&d, in + at, len, collect, &r->out);
		r->consumed += used;
		at += used;
		if (used < len)
			break;
	}
	r->done = d.done;
	r->size = d.size;
	r->over = d.size > d.limit;
}

static void run_bytes(const char *in, size_t n, unsigned long long limit, struct result *r)
{
	struct data_body d;

	memset(r, 0, sizeof *r);
	data_begin(&d, limit);
	for (size_t i = 0; i < n; i++) {
		size_t used = data_feed(&d, in + i, 1, collect, &r->out);

		r->consumed += used;
		if (used == 0)
			break;
	}
	r->done = d.done;
	r->size = d.size;
	r->over = d.size > d.limit;
}

static int same(const struct result *x, const struct result *y)
{
	return x->out.len == y->out.len && memcmp(x->out.buf, y->out.buf, x->out.len) == 0 &&
	       x->consumed == y->consumed && x->done == y->done && x->size == y->size &&
	       x->over == y->over && !x->out.overflow && !y->out.overflow;
}

#define S(lit) lit, sizeof lit - 1
#define NOLIMIT 1000000ULL

struct row {
	const char *name;
	const char *in;
	size_t n;
	unsigned long long limit;
	const char *want;
	size_t want_len;
	size_t consumed;
	int done;
	unsigned long long size;
};

static const struct row rows[] = {
	{ "simple body", S("Hello\r\n.\r\n"), NOLIMIT, S("Hello\r\n"), 10, 1, 7 },
	{ "two lines", S("Subject: x\r\n\r\nbody\r\n.\r\n"), NOLIMIT,
	  S("Subject: x\r\n\r\nbody\r\n"), 23, 1, 20 },
	{ ".CRLF at the start: empty body", S(".\r\n"), NOLIMIT, S(""), 3, 1, 0 },
	{ "CRLF then .CRLF: one empty line", S("\r\n.\r\n"), NOLIMIT, S("\r\n"), 5, 1, 2 },
	{ "dot-unstuffing ..", S("..\r\n.\r\n"), NOLIMIT, S(".\r\n"), 7, 1, 3 },
	{ "dot-unstuffing ..foo", S("..foo\r\nbar\r\n.\r\n"), NOLIMIT, S(".foo\r\nbar\r\n"), 15, 1,
	  11 },
	{ "a single leading dot is removed too", S(".foo\r\n.\r\n"), NOLIMIT, S("foo\r\n"), 9, 1, 5 },
	{ "dot-unstuffing mid-body", S("a\r\n..\r\n.\r\n"), NOLIMIT, S("a\r\n.\r\n"), 10, 1, 6 },
	{ "dot space", S("a\r\n. \r\n.\r\n"), NOLIMIT, S("a\r\n \r\n"), 10, 1, 6 },
	{ "only the first dot of a line", S("...x\r\n.\r\n"), NOLIMIT, S("..x\r\n"), 9, 1, 5 },
	{ "dots inside a line are kept", S("a.b..c.\r\n.\r\n"), NOLIMIT, S("a.b..c.\r\n"), 12, 1, 9 },
	{ "\\n.\\n never ends", S("a\n.\nb\r\n.\r\n"), NOLIMIT, S("a\n.\nb\r\n"), 10, 1, 7 },
	{ "\\n.\\n alone: not done", S("a\n.\n"), NOLIMIT, S("a\n.\n"), 4, 0, 4 },
	{ "\\r.\\r never ends", S("a\r.\r\n"), NOLIMIT, S("a\r.\r\n"), 5, 0, 5 },
	{ "bare CR then end", S("a\r.\r\n.\r\n"), NOLIMIT, S("a\r.\r\n"), 8, 1, 5 },
	{ "\\n.\\r\\n does not end", S("a\n.\r\n"), NOLIMIT, S("a\n.\r\n"), 5, 0, 5 },
	{ "\\r\\n.\\n does not end", S("a\r\n.\nb"), NOLIMIT, S("a\r\n\nb"), 6, 0, 5 },
	{ "\\r\\n.\\n then .\\r\\n (not at a line start)", S("a\r\n.\n.\r\n"), NOLIMIT,
	  S("a\r\n\n.\r\n"), 8, 0, 7 },
	{ "bare LF lines kept", S("line1\nline2\n\r\n.\r\n"), NOLIMIT, S("line1\nline2\n\r\n"), 17,
	  1, 14 },
	{ "bare CR kept", S("a\rb\r\n.\r\n"), NOLIMIT, S("a\rb\r\n"), 8, 1, 5 },
	{ ".\\r then X: CR kept, dot removed", S(".\rX\r\n.\r\n"), NOLIMIT, S("\rX\r\n"), 8, 1, 4 },
	{ ".\\r\\r\\n: CR kept, then a line end", S(".\r\r\n.\r\n"), NOLIMIT, S("\r\r\n"), 7, 1, 3 },
	{ ".\\r. : CR kept", S(".\r.\r\n.\r\n"), NOLIMIT, S("\r.\r\n"), 8, 1, 4 },
	{ "CR CR LF is a line end", S("\r\r\n.\r\n"), NOLIMIT, S("\r\r\n"), 6, 1, 3 },
	{ "NUL and 8-bit octets pass", S("a\0b\xff\xc3\xa9\r\n.\r\n"), NOLIMIT,
	  S("a\0b\xff\xc3\xa9\r\n"), 11, 1, 8 },
	{ "CRLF CRLF . CRLF", S("a\r\n\r\n.\r\n"), NOLIMIT, S("a\r\n\r\n"), 8, 1, 5 },
	/* the end: the rest is the next command's */
	{ "leftover command not consumed", S("a\r\n.\r\nMAIL FROM:<x@y>\r\n"), NOLIMIT, S("a\r\n"), 6,
	  1, 3 },
	{ "empty body, leftover QUIT", S(".\r\nQUIT\r\n"), NOLIMIT, S(""), 3, 1, 0 },
	{ "a second terminator is leftover", S("x\r\n.\r\n.\r\n"), NOLIMIT, S("x\r\n"), 6, 1, 3 },
	{ "leftover of one octet", S("x\r\n.\r\nQ"), NOLIMIT, S("x\r\n"), 6, 1, 3 },
	/* unfinished bodies: a dot (and a CR after it) at a line start is withheld */
	{ "unfinished: trailing dot withheld", S("a\r\n."), NOLIMIT, S("a\r\n"), 4, 0, 3 },
	{ "unfinished: trailing .CR withheld", S("a\r\n.\r"), NOLIMIT, S("a\r\n"), 5, 0, 3 },
	{ "unfinished: trailing CR kept", S("a\r"), NOLIMIT, S("a\r"), 2, 0, 2 },
	{ "unfinished: trailing CRLF kept", S("a\r\n"), NOLIMIT, S("a\r\n"), 3, 0, 3 },
	{ "nothing at all", S(""), NOLIMIT, S(""), 0, 0, 0 },
	/* the size limit: counted as stored, past the limit too; the sink gets `limit` octets */
	{ "limit 13 = size: the sink gets it all", S("Hello world\r\n.\r\n"), 13, S("Hello world\r\n"), 16, 1,
	  13 },
	{ "limit 12: one octet cut", S("Hello world\r\n.\r\n"), 12, S("Hello world\r"), 16, 1, 13 },
	{ "limit 5", S("Hello world\r\n.\r\n"), 5, S("Hello"), 16, 1, 13 },
	{ "limit 0", S("Hello world\r\n.\r\n"), 0, S(""), 16, 1, 13 },
	{ "limit 0, empty body", S(".\r\n"), 0, S(""), 3, 1, 0 },
	{ "limit counts unstuffed octets", S("..ab\r\n.\r\n"), 5, S(".ab\r\n"), 9, 1, 5 },
	{ "limit 3 with stuffing", S("..ab\r\n.\r\n"), 3, S(".ab"), 9, 1, 5 },
	{ "limit 1 with .\\rX", S(".\rX\r\n.\r\n"), 1, S("\r"), 8, 1, 4 },
	{ "limit past the end, leftover kept", S("abcdef\r\n.\r\nQUIT\r\n"), 2, S("ab"), 11, 1, 8 },
};

static void check_row(const struct row *r)
{
	struct result one, other;
	char name[200];
	int all_same = 1;

	run(r->in, r->n, r->limit, r->n, r->n, &one);
	snprintf(name, sizeof name, "%s: output", r->name);
	tap_mem(one.out.buf, one.out.len, r->want, r->want_len, name);
	snprintf(name, sizeof name, "%s: consumed", r->name);
	tap_int((long long)one.consumed, (long long)r->consumed, name);
	snprintf(name, sizeof name, "%s: done", r->name);
	tap_int(one.done, r->done, name);
	snprintf(name, sizeof name, "%s: size", r->name);
	tap_int((long long)one.size, (long long)r->size, name);
	snprintf(name, sizeof name, "%s: over the limit %d", r->name, r->size > r->limit);
	tap_int(one.over, r->size > r->limit, name);

	run_bytes(r->in, r->n, r->limit, &other);
	snprintf(name, sizeof name, "%s: byte by byte = one piece", r->name);
	tap_ok(same(&other, &one), name);
	if (!same(&other, &one)) {
		printf("#   byte by byte: ");
		tap_escape(other.out.buf, other.out.len);
		printf(" consumed %zu done %d size %llu\n", other.consumed, other.done, other.size);
	}
	for (size_t a = 0; a <= r->n && all_same; a++) {
		run(r->in, r->n, r->limit, a, a, &other);
		if (!same(&other, &one)) {
			all_same = 0;
			snprintf(name, sizeof name, "%s: split at %zu = one piece", r->name, a);
			tap_ok(0, name);
			printf("#   got ");
			tap_escape(other.out.buf, other.out.len);
			printf(" consumed %zu done %d size %llu\n", other.consumed, other.done, other.size);
		}
	}
	if (all_same) {
		snprintf(name, sizeof name, "%s: every 2-chunk split = one piece", r->name);
		tap_ok(1, name);
	}
	for (size_t a = 0; a <= r->n && all_same; a++) {
		for (size_t b = a; b <= r->n && all_same; b++) {
			run(r->in, r->n, r->limit, a, b, &other);
			if (!same(&other, &one)) {
				all_same = 0;
				snprintf(name, sizeof name, "%s: split at %zu and %zu = one piece", r->name, a,
				         b);
				tap_ok(0, name);
			}
		}
	}
	if (all_same) {
		snprintf(name, sizeof name, "%s: every 3-chunk split = one piece", r->name);
		tap_ok(1, name);
	}
}

/* After the end, the decoder takes nothing more; and the sink never sees an empty call or
 * more than the limit. */
static void test_after_end(void)
{
	struct data_body d;
	struct sink s = { .len = 0 };

	data_begin(&d, NOLIMIT);
	tap_int((long long)data_feed(&d, S("a\r\n.\r\n"), collect, &s), 6, "end found after 6");
	tap_int(d.done, 1, "done set");
	tap_int((long long)data_feed(&d, S("MAIL FROM:<a@b>\r\n"), collect, &s), 0,
	        "after the end, data_feed consumes nothing");
	tap_mem(s.buf, s.len, S("a\r\n"), "after the end, nothing more reaches the sink");

	data_begin(&d, 4);
	memset(&s, 0, sizeof s);
	for (int i = 0; i < 100; i++)
		data_feed(&d, S("0123456789"), collect, &s);
	tap_int((long long)d.size, 1000, "1000 octets counted past a limit of 4");
	tap_mem(s.buf, s.len, S("0123"), "the sink got exactly the first 4 octets");
	tap_int(d.size > d.limit, 1, "over the limit");
	data_feed(&d, S("\r\n.\r\n"), collect, &s);
	tap_int(d.done, 1, "the end is still found past the limit");
	tap_int((long long)d.size, 1002, "size 1002 (CRLF counted as two)");

	data_begin(&d, 0);
	tap_int(d.done, 0, "data_begin: not done");
	tap_int((long long)d.size, 0, "data_begin: size 0");
	tap_int((long long)d.limit, 0, "data_begin: limit kept");
	tap_int(d.size > d.limit, 0, "data_begin: not over a limit of 0");
}

/* ---- the exhaustive sweep against a reference decoder ---- */

/* The reference: the body ends at the first CRLF.CRLF of CRLF + input; every line (start of
 * input, or after CRLF) that starts with '.' loses it; an unfinished body withholds a last line
 * that is "." or ".\r" (it may yet be the terminator). */
static void reference(const char *in, size_t n, struct result *r)
{
	char s[64];
	size_t end = n, i;
	int done = 0;

	memset(r, 0, sizeof *r);
	s[0] = '\r';
	s[1] = '\n';
	memcpy(s + 2, in, n);
	for (i = 0; i + 5 <= n + 2; i++) {
		if (memcmp(s + i, "\r\n.\r\n", 5) == 0) {
			done = 1;
			end = i;        /* body = in[0 .. i), i.e. s[2 .. i+2) */
			break;
		}
	}
	r->done = done;
	r->consumed = done ? end + 3 : n;
	for (i = 0; i < end; i++) {
		int line_start = i == 0 || (i >= 2 && in[i - 2] == '\r' && in[i - 1] == '\n');

		if (line_start && in[i] == '.')
			continue;
		r->out.buf[r->out.len++] = in[i];
	}
	if (!done) {
		size_t last = 0;

		for (i = 0; i + 1 < n; i++)
			if (in[i] == '\r' && in[i + 1] == '\n')
				last = i + 2;
		if (n - last == 2 && in[last] == '.' && in[last + 1] == '\r')
			r->out.len--;   /* the withheld CR of a last line ".\r" */
	}
	r->size = r->out.len;
	r->over = 0;
}

static void test_sweep(void)
{
	static const char alphabet[4] = { '.', '\r', '\n', 'a' };
	char in[16], name[160];
	long strings = 0, bad_ref = 0, bad_split = 0;

	for (size_t len = 0; len <= 8; len++) {
		size_t total = 1;

		for (size_t k = 0; k < len; k++)
			total *= 4;
		for (size_t code = 0; code < total; code++) {
			struct result one, ref, other;
			size_t c = code;

			for (size_t k = 0; k < len; k++, c /= 4)
				in[k] = alphabet[c % 4];
			strings++;
			run(in, len, NOLIMIT, len, len, &one);
			reference(in, len, &ref);
			if (!same(&one, &ref) && bad_ref++ == 0) {
				printf("# first mismatch with the reference: \"");
				tap_escape(in, len);
				printf("\": got \"");
				tap_escape(one.out.buf, one.out.len);
				printf("\" consumed %zu done %d, want \"", one.consumed, one.done);
				tap_escape(ref.out.buf, ref.out.len);
				printf("\" consumed %zu done %d\n", ref.consumed, ref.done);
			}
			for (size_t a = 0; a <= len; a++) {
				run(in, len, NOLIMIT, a, a, &other);
				if (!same(&other, &one) && bad_split++ == 0) {
					printf("# first split mismatch: \"");
					tap_escape(in, len);
					printf("\" split at %zu\n", a);
				}
			}
			/* with a limit of 2 the sink sees the first 2 octets of the same output */
			run(in, len, 2, len, len, &other);
			if ((other.out.len != (ref.out.len < 2 ? ref.out.len : 2) ||
			     memcmp(other.out.buf, ref.out.buf, other.out.len) != 0 ||
			     other.size != ref.size || other.over != (ref.size > 2)) && bad_ref++ == 0) {
				printf("# first limit mismatch: \"");
				tap_escape(in, len);
				printf("\"\n");
			}
		}
	}
	snprintf(name, sizeof name, "%ld strings of '.', CR, LF, 'a' (length 0-8) match the reference",
	         strings);
	tap_int(bad_ref, 0, name);
	snprintf(name, sizeof name, "%ld strings: every 2-chunk split matches one piece", strings);
	tap_int(bad_split, 0, name);
}

/* ---- the watch ---- */

/* "violation=detail;" for each event logged since the last call. */
static void take_events(char *out, size_t cap)
{
	char log[4096], *line = log, *lf;
	size_t n = 0;

	log_capture_take(log, sizeof log);
	out[0] = '\0';
	for (; (lf = strchr(line, '\n')) != NULL && n < cap; line = lf + 1) {
		char *detail = strstr(line, "detail=\""), *violation = strstr(line, " violation=");

		*lf = '\0';
		if (detail == NULL || violation == NULL)
			continue;
		*strchr(detail + 8, '"') = '\0';
		n += (size_t)snprintf(out + n, cap - n, "%s=%s;", violation + 11, detail + 8);
	}
}

static void discard(void *ctx, const char *p, size_t n)
{
	(void)ctx;
	(void)p;
	(void)n;
}

/* Feeds [0,a) [a,b) [b,n) with the watch on; the events into out. */
static void watch_run(const char *in, size_t n, int eight_bit_ok, size_t a, size_t b, char *out,
                      size_t cap)
{
	struct data_body d;
	struct violations v = { 0 };
	size_t cuts[3] = { a, b, n }, at = 0;

	data_begin(&d, NOLIMIT);
	data_watch(&d, &v, eight_bit_ok);
	for (int k = 0; k < 3 && !d.done; k++) {
		at += data_feed(&d, in + at, cuts[k] - at, discard, NULL);
		at = cuts[k] < at ? at : cuts[k];
	}
	take_events(out, cap);
}

struct watch_row {
	const char *name;
	const char *in;
	size_t n;
	int eight_bit_ok;
	const char *want;
};

static const struct watch_row watch_rows[] = {
	{ "clean", S("Subject: x\r\n\r\nhi\r\n.\r\n"), 0, "" },
	{ "bare LF", S("a\r\nb\nc\r\n.\r\n"), 0, "bare_lf=body line 2;" },
	{ "bare LF on the first line", S("\n.\r\n"), 0, "bare_lf=body line 1;" },
	{ "bare LF before the final dot", S("a\n\r\n.\r\n"), 0, "bare_lf=body line 1;" },
	{ "bare CR", S("a\r\nb\rc\r\n.\r\n"), 0, "bare_cr=body line 2;" },
	{ "CR CR LF: the first CR is bare", S("a\r\r\n.\r\n"), 0, "bare_cr=body line 1;" },
	{ "CR at a line's end before a bare LF line", S("a\rb\nc\r\n.\r\n"), 0,
	  "bare_cr=body line 1;bare_lf=body line 1;" },
	{ "a dot-stuffed CR", S(".\rX\r\n.\r\n"), 0, "bare_cr=body line 1;" },
	{ "once each: the first occurrence", S("\n\n\r\r\n.\r\n"), 0,
	  "bare_lf=body line 1;bare_cr=body line 3;" },
	{ "8-bit octet", S("ascii\r\ncaf\xc3\xa9\r\n.\r\n"), 0,
	  "eight_bit_without_8bitmime=body line 2;" },
	{ "8-bit octet in the ninth column", S("12345678\x80\r\n.\r\n"), 0,
	  "eight_bit_without_8bitmime=body line 1;" },
	{ "8-bit octet, then a bare CR in the same line", S("a\xc3\xa9\rb\r\n.\r\n"), 0,
	  "eight_bit_without_8bitmime=body line 1;bare_cr=body line 1;" },
	{ "a bare CR, then an 8-bit octet in the same line", S("a\rb\xc3\xa9\r\n.\r\n"), 0,
	  "bare_cr=body line 1;eight_bit_without_8bitmime=body line 1;" },
	{ "8-bit with BODY=8BITMIME", S("caf\xc3\xa9\r\n.\r\n"), 1, "" },
	{ "NUL and DEL are not 8-bit", S("a\0b\x7f\r\n.\r\n"), 0, "" },
	{ "what follows the final dot is not the body's", S("a\r\n.\r\nb\n\x80"), 0, "" },
};

/* Lines of a given length (octets with CRLF, as received: a leading dot counts). */
static void test_long_lines(void)
{
	static char in[3000];
	char got[512], want[200];
	static const struct {
		size_t octets;
		int dot;
	} lines[] = { { 1000, 0 }, { 1001, 0 }, { 1000, 1 }, { 1001, 1 }, { 2500, 0 } };

	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		size_t n = 0, content = lines[i].octets - 2;
		char name[160];

		n += (size_t)snprintf(in, sizeof in, "line one\r\n");
		memset(in + n, 'x', content);
		if (lines[i].dot)
			in[n] = '.';
		n += content;
		memcpy(in + n, "\r\n.\r\n", 5);
		n += 5;
		watch_run(in, n, 0, n, n, got, sizeof got);
		if (lines[i].octets > 1000)
			snprintf(want, sizeof want, "long_text_line=body line 2, %zu octets;", lines[i].octets);
		else
			want[0] = '\0';
		snprintf(name, sizeof name, "watch: a line of %zu octets%s", lines[i].octets,
		         lines[i].dot ? " (a dot-stuffed one)" : "");
		tap_str(got, want, name);
		watch_run(in, n, 0, 700, 1003, got, sizeof got);
		snprintf(name, sizeof name, "watch: a line of %zu octets%s, in three pieces",
		         lines[i].octets, lines[i].dot ? " (a dot-stuffed one)" : "");
		tap_str(got, want, name);
	}
}

static void test_watch(void)
{
	char got[512], other[512], name[200];

	for (size_t i = 0; i < sizeof watch_rows / sizeof watch_rows[0]; i++) {
		const struct watch_row *r = &watch_rows[i];
		int all_same = 1;

		watch_run(r->in, r->n, r->eight_bit_ok, r->n, r->n, got, sizeof got);
		snprintf(name, sizeof name, "watch: %s", r->name);
		tap_str(got, r->want, name);
		for (size_t a = 0; a <= r->n && all_same; a++)
			for (size_t b = a; b <= r->n && all_same; b++) {
				watch_run(r->in, r->n, r->eight_bit_ok, a, b, other, sizeof other);
				if (strcmp(other, got) != 0) {
					all_same = 0;
					snprintf(name, sizeof name, "watch: %s, split at %zu and %zu", r->name, a, b);
					tap_str(other, got, name);
				}
			}
		if (all_same) {
			snprintf(name, sizeof name, "watch: %s, the same in any three pieces", r->name);
			tap_ok(1, name);
		}
	}
	test_long_lines();
}

int main(void)
{
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		check_row(&rows[i]);
	test_after_end();
	test_sweep();
	if (log_capture_open("test-data") != 0)
		return 1;
	test_watch();
	log_capture_close();
	return tap_done();
}
