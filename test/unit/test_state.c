/* test_state: SPEC §18's state directory. Counting a key (first time, again, other keys apart),
 * the file it is kept in (its name, its line), the directory made with mode 0700, expiry after
 * 7 days, an empty or torn entry counting as none, another key's entry refused, an unusable
 * directory (a file in its place) reported, and 20 processes counting one key at once taking
 * the attempts 1 to 1000 exactly once each. */
#include "state.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define NOW 1767225600000LL   /* 2026-01-01T00:00:00Z */

static char dir[256];

static void file_of(const char *key, char *path, size_t cap)
{
	char name[33];

	state_file_name(key, name);
	snprintf(path, cap, "%s/%s", dir, name);
}

static void put(const char *key, const char *content)
{
	char path[512];
	FILE *f;

	file_of(key, path, sizeof path);
	f = fopen(path, "w");
	if (f == NULL || fputs(content, f) == EOF || fclose(f) != 0)
		abort();
}

static void get(const char *key, char *buf, size_t cap)
{
	char path[512];
	FILE *f;
	size_t n;

	file_of(key, path, sizeof path);
	f = fopen(path, "r");
	n = f != NULL ? fread(buf, 1, cap - 1, f) : 0;
	buf[n] = '\0';
	if (f != NULL)
		fclose(f);
}

/* Counts key at now; the count, or -1. */
static long long count(const char *key, long long now, long long *first)
{
	struct state_entry e;
	char err[512];

	if (state_count(dir, key, now, &e, err, sizeof err) != 0)
		return -1;
	*first = e.first_ms;
	return e.count;
}

static void test_names(void)
{
	char a[33], b[33];

	state_file_name("fail RCPT rcpt451x3@t17.example", a);
	tap_int((long long)strlen(a), 32, "a file name is 32 characters");
	tap_int((long long)strspn(a, "0123456789abcdef"), 32, "... of lower-case hex");
	state_file_name("fail RCPT rcpt451x3@t17.example", b);
	tap_str(b, a, "... the same for the same key");
	state_file_name("fail RCPT rcpt451x3@t18.example", b);
	tap_ok(strcmp(a, b) != 0, "... another for another key");
	state_file_name("", b);
	tap_int((long long)strlen(b), 32, "... even for an empty key");
}

static void test_count(void)
{
	char content[256], want[256];
	long long first = 0;
	struct stat st;

	tap_int(count("fail RCPT a@x", NOW, &first), 1, "a new key counts 1");
	tap_int(first, NOW, "... first seen now");
	tap_ok(stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0700,
	       "the directory was made, mode 0700");
	tap_int(count("fail RCPT a@x", NOW + 1000, &first), 2, "again: 2");
	tap_int(first, NOW, "... first seen still the first time");
	tap_int(count("fail RCPT a@x", NOW + 2000, &first), 3, "again: 3");
	tap_int(count("fail RCPT b@x", NOW + 2000, &first), 1, "another key counts apart: 1");
	get("fail RCPT a@x", content, sizeof content);
	snprintf(want, sizeof want, "%lld 3 fail RCPT a@x\n", NOW);
	tap_str(content, want, "the entry's file holds one line: first, count, key");
	tap_int(count("fail RCPT a@x", NOW + STATE_EXPIRY_MS - 1, &first), 4,
	        "just under 7 days later: still counting (4)");
	tap_int(count("fail RCPT a@x", NOW + STATE_EXPIRY_MS, &first), 1,
	        "7 days after the first: expired, counts 1 again");
	tap_int(first, NOW + STATE_EXPIRY_MS, "... first seen now");
}

static void test_bad_entries(void)
{
	long long first = 0;
	struct state_entry e;
	char err[512] = "";

	put("k1", "");
	tap_int(count("k1", NOW, &first), 1, "an empty file: no entry (1)");
	put("k2", "1767225600000 7 k");
	tap_int(count("k2", NOW, &first), 1, "a torn line (no newline): no entry (1)");
	put("k3", "garbage\n");
	tap_int(count("k3", NOW, &first), 1, "a line that is not an entry: no entry (1)");
	put("k4", "1767225600000 7 another key\n");
	tap_int(state_count(dir, "k4", NOW, &e, err, sizeof err), -1,
	        "a whole line for another key (a hash collision): an error, never its count");
	tap_ok(strstr(err, "another key") != NULL, "... said so in the error");
	put("k5", "1767225600000 7 k5\n");
	tap_int(count("k5", NOW, &first), 8, "a whole line for this key: counted on (8)");
}

static void test_unusable(void)
{
	char file[300], sub[320], err[512] = "";
	struct state_entry e;
	int fd;

	snprintf(file, sizeof file, "%s/plain-file", dir);
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		abort();
	close(fd);
	tap_int(state_count(file, "k", NOW, &e, err, sizeof err), -1,
	        "a state directory that is a file: -1");
	tap_ok(strstr(err, file) != NULL && strstr(err, "Not a directory") != NULL,
	       "... with the path and the reason");
	snprintf(sub, sizeof sub, "%s/under", file);
	tap_int(state_count(sub, "k", NOW, &e, err, sizeof err), -1,
	        "a state directory under a file: -1");
}

/* 20 processes, one key, 50 counts each, all released at once: every attempt from 1 to 1000 is
 * taken exactly once (without the lock, two processes read the same count and one update is
 * lost). */
static void test_contention(void)
{
	enum { PROCS = 20, EACH = 50, N = PROCS * EACH };
	static int seen[N + 1];
	int results[2], go[2], ok = 1;
	long long got;
	char start;

	if (pipe(results) != 0 || pipe(go) != 0)
		abort();
	for (int i = 0; i < PROCS; i++) {
		pid_t pid = fork();

		if (pid < 0)
			abort();
		if (pid == 0) {
			long long first, c[EACH];

			close(go[1]);
			if (read(go[0], &start, 1) != 0)   /* EOF: the parent let everyone go */
				_exit(1);
			for (int k = 0; k < EACH; k++)
				c[k] = count("fail RCPT rcpt451x3@race.example", NOW, &first);
			_exit(write(results[1], c, sizeof c) == sizeof c ? 0 : 1);
		}
	}
	close(results[1]);
	close(go[0]);
	close(go[1]);
	for (int i = 0; i < N; i++) {
		if (read(results[0], &got, sizeof got) != sizeof got || got < 1 || got > N ||
		    seen[got]++ != 0)
			ok = 0;
	}
	close(results[0]);
	while (wait(NULL) > 0)
		;
	tap_ok(ok, "20 processes counting one key 50 times each, at once, took 1 to 1000, each once");
	tap_int(count("fail RCPT rcpt451x3@race.example", NOW, &got), N + 1, "... and the next is 1001");
}

int main(void)
{
	char base[] = "/tmp/badsmtp-test-state-XXXXXX", rm[64];

	umask(022);
	if (mkdtemp(base) == NULL)
		abort();
	snprintf(dir, sizeof dir, "%s/state/dir", base);
	test_names();
	test_count();
	test_bad_entries();
	test_unusable();
	test_contention();
	snprintf(rm, sizeof rm, "rm -rf %s", base);
	if (system(rm) != 0)
		tap_ok(0, "removing the test directory");
	return tap_done();
}
