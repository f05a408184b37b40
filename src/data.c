/* data: a five-state machine over the DATA byte stream. Only CR LF counts as a line end; the
 * bytes before the terminating ".CRLF" (including the CRLF before it) are the message. The
 * watch is a second, simpler pass over the same octets, where any LF ends a line. */
#include "data.h"

#include "text.h"

#include <string.h>

enum {
	AT_LINE_START,   /* after CRLF, or the first octet of the body */
	IN_LINE,
	AFTER_CR,        /* a CR inside a line: a LF next ends the line */
	AFTER_DOT,       /* a '.' at line start, withheld */
	AFTER_DOT_CR,    /* ".\r" at line start: a LF next ends the body */
};

void data_begin(struct data_body *d, unsigned long long limit)
{
	*d = (struct data_body){ .state = AT_LINE_START, .limit = limit, .line = 1 };
}

void data_watch(struct data_body *d, struct violations *v, int eight_bit_ok)
{
	d->violations = v;
	d->eight_bit_ok = eight_bit_ok;
}

/* SPEC §19 over the octets of the body as received, in order, a line at a time: a CR anywhere
 * but right before the LF, an 8-bit octet (whichever comes first first), then at the LF: no CR
 * before it, over 1000 octets. Every body is watched whole, so the 8-bit scan is one pass over
 * the piece, eight octets at a time, and finds the first one if any; once the session has that
 * violation, it is not made at all. */
static void watch(struct data_body *d, const char *p, size_t n)
{
	struct violations *v = d->violations;
	const char *end = p + n;
	const char *eight_bit = d->eight_bit_ok || !violation_wanted(v, VIOLATION_EIGHT_BIT)
	                        ? end : p + text_eight_bit(p, n);

	while (p < end) {
		const char *lf = memchr(p, '\n', (size_t)(end - p));
		const char *stop = lf != NULL ? lf : end;
		size_t len = (size_t)(stop - p);
		const char *cr = memchr(p, '\r', len);
		/* The first CR is enough: one before the last octet is followed by something
		 * else; a CR that ended the last piece, by this piece's first octet. */
		const char *bare_cr = d->after_cr && len > 0 ? p
		                      : cr != NULL && cr + 1 < stop ? cr : end;
		int eight_bit_here = p <= eight_bit && eight_bit < stop;

		if (eight_bit_here && eight_bit < bare_cr)
			violation_record(v, VIOLATION_EIGHT_BIT, "body line %llu", d->line);
		if (bare_cr < stop)
			violation_record(v, VIOLATION_BARE_CR, "body line %llu", d->line);
		if (eight_bit_here)
			violation_record(v, VIOLATION_EIGHT_BIT, "body line %llu", d->line);
		d->line_octets += len;
		if (len > 0)
			d->after_cr = stop[-1] == '\r';
		if (lf == NULL)
			break;
		if (!d->after_cr)
			violation_record(v, VIOLATION_BARE_LF, "body line %llu", d->line);
		if (++d->line_octets > VIOLATION_TEXT_LINE_MAX)
			violation_record(v, VIOLATION_LONG_TEXT_LINE, "body line %llu, %llu octets",
			                 d->line, d->line_octets);
		d->line++;
		d->line_octets = 0;
		d->after_cr = 0;
		p = lf + 1;
	}
}

/* Passes a run of message bytes on, counted, and within the limit only. */
static void emit(struct data_body *d, const char *p, size_t n, data_sink *sink, void *ctx)
{
	if (n == 0)
		return;
	if (d->size <= d->limit) {
		unsigned long long room = d->limit - d->size;

		sink(ctx, p, n <= room ? n : (size_t)room);
	}
	d->size += n;
}

size_t data_feed(struct data_body *d, const char *p, size_t n, data_sink *sink, void *ctx)
{
	size_t i = 0, run = 0;   /* p[run..i) is a pending run of plain bytes to emit */

	while (i < n && !d->done) {
		char c = p[i];

		switch (d->state) {
		case IN_LINE: {
			/* Most of a body is line content: skip to the next CR at memchr speed. */
			const char *cr = memchr(p + i, '\r', n - i);

			i = cr != NULL ? (size_t)(cr - p) + 1 : n;
			if (cr != NULL)
				d->state = AFTER_CR;
			continue;
		}
		case AFTER_CR:
			d->state = c == '\n' ? AT_LINE_START : c == '\r' ? AFTER_CR : IN_LINE;
			i++;
			continue;
		case AT_LINE_START:
			if (c == '.') {
				emit(d, p + run, i - run, sink, ctx);
				run = ++i;
				d->state = AFTER_DOT;
			} else {
				d->state = c == '\r' ? AFTER_CR : IN_LINE;
				i++;
			}
			continue;
		case AFTER_DOT:
			/* The stuffed dot is dropped; what follows it is ordinary line content. */
			d->state = c == '\r' ? AFTER_DOT_CR : IN_LINE;
			if (c == '\r')
				run = i + 1;  /* withhold the CR too until we know it is not ".\r\n" */
			i++;
			continue;
		case AFTER_DOT_CR:
			if (c == '\n') {
				d->done = 1;
				run = ++i;
				break;
			}
			/* ".\r" then something else: the CR is content after all. */
			emit(d, "\r", 1, sink, ctx);
			run = i;
			d->state = AFTER_CR;
			continue;
		}
	}
	if (!d->done)
		emit(d, p + run, i - run, sink, ctx);
	if (d->violations != NULL)
		watch(d, p, i);
	return i;
}
