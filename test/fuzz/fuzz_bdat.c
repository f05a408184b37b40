/* fuzz_bdat: the BDAT path (RFC 3030) through the real session. Input: byte 0 holds flags
 * (bit 0: EHLO size1000, a 1000-octet limit; bit 1: the last data chunk carries LAST, else an
 * empty "BDAT 0 LAST" ends the message), then chunks, each a length octet and that many
 * octets (cut short at the end of the input). The harness sends EHLO, MAIL, RCPT, one
 * "BDAT n" per chunk with its octets, the end, and QUIT. Invariants: chunk octets are never
 * read as commands (exactly one reply per command: 250 per chunk, then one final reply); a
 * message within the limit is accepted and stored as exactly the concatenated chunks after
 * our three header lines and the X-BadSMTP-Violations line (the harness pipelines everything:
 * SPEC §19); one over the limit gets 552 and leaves no file. */
#include "session_harness.h"

#include <stdlib.h>
#include <string.h>

struct bdat_want {
	const char *body;
	size_t len;
	size_t files;
};

static void bdat_check_file(const char *path, void *ctx)
{
	struct bdat_want *w = ctx;
	char *got = malloc(w->len + 2048);
	size_t n = 0, lines = 0, i;
	FILE *f = fopen(path, "rb");

	FUZZ_CHECK(f != NULL && got != NULL);
	n = fread(got, 1, w->len + 2048, f);
	fclose(f);
	for (i = 0; i + 1 < n && lines < 3; i++)
		if (got[i] == '\r' && got[i + 1] == '\n')
			lines++, i++;
	FUZZ_CHECK(lines == 3);
	if (n - i >= 22 && memcmp(got + i, "X-BadSMTP-Violations: ", 22) == 0) {
		while (i + 1 < n && !(got[i] == '\r' && got[i + 1] == '\n'))
			i++;
		i += 2;
	}
	FUZZ_CHECK(n - i == w->len && memcmp(got + i, w->body, w->len) == 0);
	w->files++;
	free(got);
}

int fuzz_bdat(const uint8_t *data, size_t size)
{
	static const char head[] = "EHLO fuzz.example\r\nMAIL FROM:<a@b.example>\r\n"
	                           "RCPT TO:<c@d.example>\r\n";
	static const char head_small[] = "EHLO size1000.example\r\nMAIL FROM:<a@b.example>\r\n"
	                                 "RCPT TO:<c@d.example>\r\n";
	char *in, *body, *out;
	size_t pos = 1, ilen = 0, blen = 0, chunks = 0, len, limit;
	int status, last_on_chunk;
	struct bdat_want want = { 0 };

	if (size == 0)
		return 0;
	limit = (data[0] & 1) ? 1000 : 10485760;
	last_on_chunk = (data[0] >> 1) & 1;
	in = malloc(size * 16 + 256);   /* a chunk header ("BDAT 255 LAST\r\n") per input octet at most */
	body = malloc(size + 1);
	if (in == NULL || body == NULL)
		abort();
	memcpy(in, (data[0] & 1) ? head_small : head, (data[0] & 1) ? sizeof head_small - 1 : sizeof head - 1);
	ilen = (data[0] & 1) ? sizeof head_small - 1 : sizeof head - 1;
	while (pos < size) {
		size_t n = data[pos++];
		int last;

		if (n > size - pos)
			n = size - pos;
		last = last_on_chunk && pos + n == size;
		ilen += (size_t)snprintf(in + ilen, 32, "BDAT %zu%s\r\n", n, last ? " LAST" : "");
		memcpy(in + ilen, data + pos, n);
		memcpy(body + blen, data + pos, n);
		ilen += n;
		blen += n;
		pos += n;
		chunks++;
		if (last)
			break;
	}
	if (!last_on_chunk || chunks == 0) {
		memcpy(in + ilen, "BDAT 0 LAST\r\n", 13);
		ilen += 13;
	}
	memcpy(in + ilen, "QUIT\r\n", 6);
	ilen += 6;

	out = session_h_run(in, ilen, &len, &status);
	FUZZ_CHECK(status == 0);
	want.body = body;
	want.len = blen;
	size_t bare, accepted = session_h_check_replies(out, len, SESSION_ACCEPTED, &bare);
	size_t files = session_h_sweep("new", bdat_check_file, &want);

	FUZZ_CHECK(files == accepted && want.files == files && bare == 0);
	if (blen <= limit) {
		FUZZ_CHECK(accepted == 1);
	} else {
		FUZZ_CHECK(accepted == 0);
		FUZZ_CHECK(strstr(out, "\r\n552 Message size exceeds fixed maximum of ") != NULL);
	}
	/* No chunk octet was taken for a command: nothing unrecognised, and the session ended
	 * with our QUIT. */
	FUZZ_CHECK(strstr(out, "\n500 ") == NULL && strstr(out, "\n501 ") == NULL);
	FUZZ_CHECK(len >= 9 && memcmp(out + len - 9, "221 Bye\r\n", 9) == 0);
	free(out);
	free(body);
	free(in);
	return 0;
}
