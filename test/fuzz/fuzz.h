/* fuzz.h: the fuzz targets of test/fuzz/. Each fuzz_<name>.c defines one entry point
 * fuzz_<name>(data, size) over client bytes and checks the module's invariants with FUZZ_CHECK.
 * Two programs link them: libfuzzer.c (one libFuzzer binary per target, `make fuzz`) and
 * test/unit/test_fuzz_replay.c (every target in one ordinary program that replays
 * test/fuzz/corpus/<name>/ as TAP in `make check`). fuzz_fail is theirs: libFuzzer aborts (a
 * crash it records), the replay reports "not ok" and goes on. */
#ifndef BADSMTP_FUZZ_H
#define BADSMTP_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* An invariant was broken: never returns. */
_Noreturn void fuzz_fail(const char *file, int line, const char *what);
#define FUZZ_CHECK(cond) \
	do { \
		if (!(cond)) \
			fuzz_fail(__FILE__, __LINE__, #cond); \
	} while (0)

int fuzz_command(const uint8_t *data, size_t size);
int fuzz_address(const uint8_t *data, size_t size);
int fuzz_trigger(const uint8_t *data, size_t size);
int fuzz_proxy(const uint8_t *data, size_t size);
int fuzz_ehlo(const uint8_t *data, size_t size);
int fuzz_data(const uint8_t *data, size_t size);
int fuzz_bdat(const uint8_t *data, size_t size);
int fuzz_auth_plain(const uint8_t *data, size_t size);
int fuzz_auth_login(const uint8_t *data, size_t size);
int fuzz_auth_cram_md5(const uint8_t *data, size_t size);
int fuzz_auth_cram_sha256(const uint8_t *data, size_t size);
int fuzz_auth_xoauth2(const uint8_t *data, size_t size);
int fuzz_session(const uint8_t *data, size_t size);

/* A heap copy of exactly n bytes (never NULL, even for n = 0), so that AddressSanitizer sees
 * any read past the end of the client's bytes. */
void *fuzz_dup(const uint8_t *data, size_t n);

#endif
