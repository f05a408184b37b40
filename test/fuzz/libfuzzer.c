/* libfuzzer.c: the thin libFuzzer wrapper around one target. Built once per target with
 * -DFUZZ_ENTRY=fuzz_<name> (mk/fuzz.mk). */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef FUZZ_ENTRY
#error "build with -DFUZZ_ENTRY=fuzz_<name>"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FUZZ_ENTRY(data, size);
	return 0;
}

_Noreturn void fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: invariant broken: %s\n", file, line, what);
	abort();
}

void *fuzz_dup(const uint8_t *data, size_t n)
{
	void *p = calloc(n > 0 ? n : 1, 1);

	if (p == NULL)
		abort();
	if (n > 0)
		memcpy(p, data, n);
	return p;
}
