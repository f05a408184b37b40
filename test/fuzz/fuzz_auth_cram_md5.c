/* fuzz_auth_cram_md5: AUTH CRAM-MD5 exchanges through auth_begin/auth_continue; the input format and
 * the invariants are those of auth_harness.h. */
#include "auth_harness.h"

int fuzz_auth_cram_md5(const uint8_t *data, size_t size)
{
	return auth_harness(AUTH_CRAM_MD5, data, size);
}
