/* fuzz_session: a whole SMTP session. The input is everything the client sends, fed to
 * session_run() through session_harness.h; the invariants are the harness's: the process
 * survives, the client sees only reply lines, no half-written file is left in tmp/, and every
 * "250 OK Message accepted for delivery" has exactly one file in new/ (a file without one only
 * when that 250 was bare, or was lost on purpose at the session's end: datalost). */
#include "session_harness.h"

#include <stdlib.h>

int fuzz_session(const uint8_t *data, size_t size)
{
	size_t len;
	int status;
	char *out = session_h_run(data, size, &len, &status);
	size_t bare, accepted = session_h_check_replies(out, len, SESSION_ACCEPTED, &bare);
	size_t files = session_h_sweep("new", NULL, NULL);

	FUZZ_CHECK(files >= accepted && files <= accepted + bare + (status == 1));
	free(out);
	return 0;
}
