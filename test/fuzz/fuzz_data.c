/* fuzz_data: the DATA body decoder against a reference. Input: byte 0 picks the size limit,
 * byte 1 seeds the chunk split, the rest is the client's body; the harness appends
 * "\r\n.\r\n" and then "QUIT\r\n" (the next command), so every body ends. Invariants:
 * - the unstuffed message equals a line-by-line reference (lines end at CRLF only; a leading
 *   '.' is dropped; the body ends at the first line that is exactly ".");
 * - the decoder consumes exactly up to that terminator, and nothing after it;
 * - size counts the whole message, even past the limit; the sink gets exactly its first
 *   min(size, limit) octets; data_over_limit says size > limit;
 * - all of it is the same whether the stream comes whole, one octet at a time, or in chunks. */
#include "fuzz.h"

#include "data.h"

#include <stdlib.h>
#include <string.h>

struct data_out {
	char *p;
	size_t len, cap;
};

static void data_sink_to(void *ctx, const char *p, size_t n)
{
	struct data_out *o = ctx;

	FUZZ_CHECK(n <= o->cap - o->len);
	memcpy(o->p + o->len, p, n);
	o->len += n;
}

/* The reference: returns the offset just past the terminating ".\r\n" (or 0 when none) and
 * writes the unstuffed message to out. */
static size_t data_reference(const char *s, size_t n, char *out, size_t *out_len)
{
	size_t pos = 0;

	*out_len = 0;
	for (;;) {
		size_t end;

		if (n - pos >= 3 && memcmp(s + pos, ".\r\n", 3) == 0)
			return pos + 3;
		for (end = pos; end + 1 < n && !(s[end] == '\r' && s[end + 1] == '\n'); end++)
			;
		if (end + 1 >= n)
			return 0;
		end += 2;   /* past the CRLF */
		size_t from = s[pos] == '.' ? pos + 1 : pos;

		memcpy(out + *out_len, s + from, end - from);
		*out_len += end - from;
		pos = end;
	}
}

/* Feeds s in pieces; step(i) is the size of piece i (0: the rest at once). Returns what was
 * consumed. */
static size_t data_run(const char *s, size_t n, unsigned long long limit, unsigned seed,
                       int mode, struct data_body *d, struct data_out *o)
{
	size_t off = 0;
	unsigned x = seed * 2654435761u + 1;

	data_begin(d, limit);
	o->len = 0;
	while (off < n && !d->done) {
		size_t piece = n - off;

		if (mode == 1) {
			piece = 1;
		} else if (mode == 2) {
			x ^= x << 13, x ^= x >> 17, x ^= x << 5;
			piece = 1 + x % 97;
			if (piece > n - off)
				piece = n - off;
		}
		size_t used = data_feed(d, s + off, piece, data_sink_to, o);

		FUZZ_CHECK(used <= piece);
		if (used < piece)
			FUZZ_CHECK(d->done);
		off += used;
	}
	/* after the end, nothing more is taken */
	if (d->done && off < n)
		FUZZ_CHECK(data_feed(d, s + off, n - off, data_sink_to, o) == 0);
	return off;
}

int fuzz_data(const uint8_t *data, size_t size)
{
	static const char tail[] = "\r\n.\r\nQUIT\r\n";
	unsigned long long limit;
	unsigned seed;
	size_t n, ref_end, ref_len;
	char *s, *ref;
	struct data_out first = { 0 };

	if (size < 2)
		return 0;
	limit = data[0] == 0xff ? ~0ULL : (unsigned long long)data[0] * 5;
	seed = data[1];
	n = size - 2 + sizeof tail - 1;
	s = malloc(n);
	ref = malloc(n);
	if (s == NULL || ref == NULL)
		abort();
	memcpy(s, data + 2, size - 2);
	memcpy(s + size - 2, tail, sizeof tail - 1);
	ref_end = data_reference(s, n, ref, &ref_len);
	FUZZ_CHECK(ref_end > 0);
	for (int mode = 0; mode < 3; mode++) {
		struct data_body d;
		struct data_out o = { .p = malloc(n), .cap = n };

		if (o.p == NULL)
			abort();
		size_t used = data_run(s, n, limit, seed, mode, &d, &o);

		FUZZ_CHECK(d.done);
		FUZZ_CHECK(used == ref_end);
		FUZZ_CHECK(d.size == ref_len);
		FUZZ_CHECK((d.size > d.limit) == (ref_len > limit));
		FUZZ_CHECK(o.len == (ref_len < limit ? ref_len : limit));
		FUZZ_CHECK(memcmp(o.p, ref, o.len) == 0);
		if (mode == 0) {
			first = o;
		} else {
			FUZZ_CHECK(o.len == first.len && memcmp(o.p, first.p, o.len) == 0);
			free(o.p);
		}
	}
	free(first.p);
	free(ref);
	free(s);
	return 0;
}
