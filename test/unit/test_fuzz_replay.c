/* test_fuzz_replay: every fuzz target of test/fuzz/ linked into one ordinary program that
 * replays each file of test/fuzz/corpus/<name>/ (seeds and every crash ever found) as a TAP
 * test "<name>/<file>", so `make check` (and `make check-sanitize`, under ASan and UBSan) keeps
 * them fixed without libFuzzer. A broken invariant is "not ok" with its reason; a crash ends
 * the program, which test/run-tests counts as a failure.
 * The corpus is found through $FUZZ_CORPUS_DIR, else beside this source file (the build runs
 * from the top of the tree), else test/fuzz/corpus under the working directory. */
#include "../fuzz/fuzz_address.c"
#include "../fuzz/fuzz_auth_cram_md5.c"
#include "../fuzz/fuzz_auth_cram_sha256.c"
#include "../fuzz/fuzz_auth_login.c"
#include "../fuzz/fuzz_auth_plain.c"
#include "../fuzz/fuzz_auth_xoauth2.c"
#include "../fuzz/fuzz_bdat.c"
#include "../fuzz/fuzz_command.c"
#include "../fuzz/fuzz_data.c"
#include "../fuzz/fuzz_ehlo.c"
#include "../fuzz/fuzz_proxy.c"
#include "../fuzz/fuzz_session.c"
#include "../fuzz/fuzz_trigger.c"

#include "tap.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const struct {
	const char *name;
	int (*run)(const uint8_t *, size_t);
} targets[] = {
	{ "address", fuzz_address },
	{ "auth_cram_md5", fuzz_auth_cram_md5 },
	{ "auth_cram_sha256", fuzz_auth_cram_sha256 },
	{ "auth_login", fuzz_auth_login },
	{ "auth_plain", fuzz_auth_plain },
	{ "auth_xoauth2", fuzz_auth_xoauth2 },
	{ "bdat", fuzz_bdat },
	{ "command", fuzz_command },
	{ "data", fuzz_data },
	{ "ehlo", fuzz_ehlo },
	{ "proxy", fuzz_proxy },
	{ "session", fuzz_session },
	{ "trigger", fuzz_trigger },
};

static jmp_buf replay_jmp;
static char replay_reason[512];

_Noreturn void fuzz_fail(const char *file, int line, const char *what)
{
	snprintf(replay_reason, sizeof replay_reason, "%s:%d: %s", file, line, what);
	longjmp(replay_jmp, 1);
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

static int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static const char *corpus_root(char *buf, size_t cap)
{
	const char *env = getenv("FUZZ_CORPUS_DIR");
	const char *slash = strrchr(__FILE__, '/');

	if (env != NULL && *env != '\0')
		return env;
	if (slash != NULL) {
		snprintf(buf, cap, "%.*s/../fuzz/corpus", (int)(slash - __FILE__), __FILE__);
		if (is_dir(buf))
			return buf;
	}
	return "test/fuzz/corpus";
}

static int not_hidden(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

static uint8_t *read_file(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0;

	*n = 0;
	if (f == NULL)
		return NULL;
	for (;;) {
		if (*n == cap) {
			uint8_t *grown = realloc(buf, cap = cap ? cap * 2 : 4096);

			if (grown == NULL)
				abort();
			buf = grown;
		}
		size_t got = fread(buf + *n, 1, cap - *n, f);

		if (got == 0)
			break;
		*n += got;
	}
	fclose(f);
	return buf;
}

/* volatile: these live across the longjmp back from fuzz_fail */
static void replay_one(const char *name, int (*run)(const uint8_t *, size_t), const char *path,
                       const char *file)
{
	char test[512];
	size_t n;
	uint8_t *volatile data = read_file(path, &n);

	snprintf(test, sizeof test, "%s/%s", name, file);
	if (data == NULL) {
		tap_ok(0, test);
		printf("#   cannot read %s\n", path);
		return;
	}
	if (setjmp(replay_jmp) == 0) {
		run(data, n);
		tap_ok(1, test);
	} else {
		tap_ok(0, test);
		printf("#   %s\n", replay_reason);
	}
	free(data);
}

int main(void)
{
	char buf[4096], dir[4096], path[8192];
	const char *root = corpus_root(buf, sizeof buf);

	printf("# corpus: %s\n", root);
	for (size_t t = 0; t < sizeof targets / sizeof targets[0]; t++) {
		struct dirent **list;
		int n;

		int w = snprintf(dir, sizeof dir, "%s/%s", root, targets[t].name);

		n = w < 0 || (size_t)w >= sizeof dir ? -1 : scandir(dir, &list, not_hidden, alphasort);
		if (n <= 0) {
			tap_ok(0, targets[t].name);
			printf("#   no corpus in %s\n", dir);
			continue;
		}
		for (int i = 0; i < n; i++) {
			w = snprintf(path, sizeof path, "%s/%s", dir, list[i]->d_name);
			if (w > 0 && (size_t)w < sizeof path)
				replay_one(targets[t].name, targets[t].run, path, list[i]->d_name);
			free(list[i]);
		}
		free(list);
	}
	return tap_done();
}
