/* fuzz_address: one address "local@domain" through command_parse_address. Invariants: the
 * parts fit their fields, the domain is lower-cased, non_ascii is exactly "has an 8-bit
 * octet", and an accepted address is a fixed point: local@domain parses again to the same. */
#include "fuzz.h"

#include "command.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fuzz_address(const uint8_t *data, size_t size)
{
	char *p = fuzz_dup(data, size), again[ADDRESS_LOCAL_MAX + ADDRESS_DOMAIN_MAX + 2];
	struct address a, b;
	int high = 0, n;

	if (command_parse_address(p, size, &a) != 0) {
		free(p);
		return 0;
	}
	for (size_t i = 0; i < size; i++)
		high |= data[i] >= 0x80;
	FUZZ_CHECK(a.non_ascii == high);
	FUZZ_CHECK(!a.is_null);
	FUZZ_CHECK(strlen(a.local) > 0 && strlen(a.local) <= ADDRESS_LOCAL_MAX);
	FUZZ_CHECK(strlen(a.domain) > 0 && strlen(a.domain) <= ADDRESS_DOMAIN_MAX);
	FUZZ_CHECK(strlen(a.local) + 1 + strlen(a.domain) == size);
	for (const char *d = a.domain; *d; d++)
		FUZZ_CHECK(!(*d >= 'A' && *d <= 'Z'));
	n = snprintf(again, sizeof again, "%s@%s", a.local, a.domain);
	FUZZ_CHECK(n > 0 && (size_t)n == size);
	FUZZ_CHECK(command_parse_address(again, (size_t)n, &b) == 0);
	FUZZ_CHECK(memcmp(&a, &b, sizeof a) == 0);
	free(p);
	return 0;
}
