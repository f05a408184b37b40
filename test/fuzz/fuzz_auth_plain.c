/* fuzz_auth_plain: AUTH PLAIN exchanges through auth_begin/auth_continue; the input format and
 * the invariants are those of auth_harness.h. */
#include "auth_harness.h"

int fuzz_auth_plain(const uint8_t *data, size_t size)
{
	return auth_harness(AUTH_PLAIN, data, size);
}
