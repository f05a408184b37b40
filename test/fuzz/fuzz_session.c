/* fuzz_session: a whole SMTP session. The input is everything the client sends, fed to
 * session_run() through session_harness.h; the invariants are the harness's: the process
 * survives, the client sees only reply lines, no half-written file is left in tmp/, and every
 * "250 OK Message accepted for delivery" has exactly one file in new/ (a file without one only
 * when that 250 was bare, or was lost on purpose at the session's end: datalost).
 * Each input runs twice, the second time with the client violation recorder off (SPEC §19):
 * the replies, the exit status and the stored messages (but for the lines naming the run) must
 * be the same byte for byte. CRAM challenges differ per session by design: their 334 lines are
 * compared by code only. */
#include "session_harness.h"

#include <stdlib.h>

/* 334 lines lose their text, in place; returns the new length. */
static size_t mask_challenges(char *out, size_t len)
{
	size_t i = 0, o = 0;

	while (i < len) {
		const char *lf = memchr(out + i, '\n', len - i);
		size_t end = lf != NULL ? (size_t)(lf - out) + 1 : len;

		if (end - i >= 4 && memcmp(out + i, "334 ", 4) == 0) {
			memmove(out + o, "334\n", 4);
			o += 4;
		} else {
			memmove(out + o, out + i, end - i);
			o += end - i;
		}
		i = end;
	}
	return o;
}

int fuzz_session(const uint8_t *data, size_t size)
{
	size_t len, plain_len, stored_len, plain_stored_len, files, plain_files;
	int status, plain_status;
	char *out = session_h_run(data, size, &len, &status);
	size_t bare, accepted = session_h_check_replies(out, len, SESSION_ACCEPTED, &bare);
	char *stored = session_h_take_stored(&stored_len, &files), *plain, *plain_stored;

	FUZZ_CHECK(files >= accepted && files <= accepted + bare + (status == 1));
	violation_enable(0);
	plain = session_h_run(data, size, &plain_len, &plain_status);
	violation_enable(1);
	plain_stored = session_h_take_stored(&plain_stored_len, &plain_files);
	len = mask_challenges(out, len);
	plain_len = mask_challenges(plain, plain_len);
	FUZZ_CHECK(status == plain_status);
	FUZZ_CHECK(len == plain_len && memcmp(out, plain, len) == 0);
	FUZZ_CHECK(files == plain_files);
	FUZZ_CHECK(stored_len == plain_stored_len && memcmp(stored, plain_stored, stored_len) == 0);
	free(out);
	free(plain);
	free(stored);
	free(plain_stored);
	return 0;
}
