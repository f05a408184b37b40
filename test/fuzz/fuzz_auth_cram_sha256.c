/* fuzz_auth_cram_sha256: AUTH CRAM-SHA256 exchanges through auth_begin/auth_continue; the input format and
 * the invariants are those of auth_harness.h. */
#include "auth_harness.h"

int fuzz_auth_cram_sha256(const uint8_t *data, size_t size)
{
	return auth_harness(AUTH_CRAM_SHA256, data, size);
}
