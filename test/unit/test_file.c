/* test_file: the file module in a temporary directory, one table per function. file_ensure_dir:
 * what exists afterwards, with which modes, and which errno when it cannot be done (a file in the
 * way, a parent that is a file: nothing made under it). file_write_atomic: the exact bytes and
 * mode, a reader of the old file still reading the old bytes, no temporary file left, failures
 * that leave the target as it was. file_read: lengths at and around the cap, and which errno for
 * a directory, a symlink under FILE_MINE, a file not ours. file_write_all, file_sync_dir. */
#include "file.h"
#include "tap.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char base[256];

/* base/rel into out (rel "" is base itself). */
static const char *at(char *out, size_t cap, const char *rel)
{
	snprintf(out, cap, "%s%s%s", base, rel[0] ? "/" : "", rel);
	return out;
}

/* A path as it must be: 'd' directory, 'f' regular file, '-' absent; mode checked unless 0. */
struct node {
	const char *path;
	char kind;
	mode_t mode;
};

static void make_node(const struct node *n)
{
	char p[FILE_PATH_MAX];
	int fd;

	at(p, sizeof p, n->path);
	if (n->kind == 'd') {
		mkdir(p, n->mode);
		chmod(p, n->mode);
	} else if (n->kind == 'f') {
		fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, n->mode);
		if (fd >= 0)
			close(fd);
		chmod(p, n->mode);
	}
}

static int node_is(const struct node *n)
{
	char p[FILE_PATH_MAX];
	struct stat st;

	if (lstat(at(p, sizeof p, n->path), &st) != 0)
		return n->kind == '-';
	if (n->kind == 'd' && !S_ISDIR(st.st_mode))
		return 0;
	if (n->kind == 'f' && !S_ISREG(st.st_mode))
		return 0;
	if (n->kind == '-')
		return 0;
	return n->mode == 0 || (st.st_mode & 07777) == n->mode;
}

/* rc and errno of fn for row what, against want_errno (0: success). */
static void expect_result(const char *fn, const char *what, int rc, int e, int want_errno)
{
	char name[400];

	snprintf(name, sizeof name, "%s, %s: result", fn, what);
	tap_int(rc, want_errno ? -1 : 0, name);
	if (want_errno) {
		snprintf(name, sizeof name, "%s, %s: errno", fn, what);
		tap_int(e, want_errno, name);
	}
}

static const struct {
	const char *what;
	struct node before[3];
	const char *path;   /* under base; NULL: a path longer than FILE_PATH_MAX */
	mode_t mode;
	int want_errno;     /* 0: success */
	struct node after[5];
} dir_rows[] = {
	{ "a new directory", { { 0 } }, "a", 0700, 0, { { "a", 'd', 0700 } } },
	{ "missing parents, each made with the mode", { { "p", 'd', 0755 } }, "p/q/r/s", 0700, 0,
	  { { "p", 'd', 0755 }, { "p/q", 'd', 0700 }, { "p/q/r", 'd', 0700 },
	    { "p/q/r/s", 'd', 0700 } } },
	{ "an existing directory is left as it is", { { "e", 'd', 0751 } }, "e", 0700, 0,
	  { { "e", 'd', 0751 } } },
	{ "existing parents keep their modes", { { "k", 'd', 0755 }, { "k/l", 'd', 0711 } },
	  "k/l/m", 0700, 0, { { "k", 'd', 0755 }, { "k/l", 'd', 0711 }, { "k/l/m", 'd', 0700 } } },
	{ "another mode", { { 0 } }, "m/n", 0750, 0, { { "m", 'd', 0750 }, { "m/n", 'd', 0750 } } },
	{ "doubled and trailing slashes", { { 0 } }, "t//u/", 0700, 0,
	  { { "t", 'd', 0700 }, { "t/u", 'd', 0700 } } },
	{ "a file where the directory should be", { { "f", 'f', 0600 } }, "f", 0700, ENOTDIR,
	  { { "f", 'f', 0600 } } },
	{ "a parent that is a file: nothing made", { { "g", 'd', 0755 }, { "g/file", 'f', 0600 } },
	  "g/file/x/y", 0700, ENOTDIR, { { "g/file", 'f', 0600 }, { "g/file/x", '-', 0 } } },
	{ "a path too long", { { 0 } }, NULL, 0700, ENAMETOOLONG, { { 0 } } },
};

static void test_ensure_dir(void)
{
	static char path[FILE_PATH_MAX + 100];
	char name[300];

	for (size_t i = 0; i < sizeof dir_rows / sizeof dir_rows[0]; i++) {
		const char *what = dir_rows[i].what;
		int rc;

		for (const struct node *n = dir_rows[i].before; n->path != NULL; n++)
			make_node(n);
		if (dir_rows[i].path != NULL) {
			at(path, sizeof path, dir_rows[i].path);
		} else {
			memset(path, 'x', sizeof path - 1);
			path[0] = '/';
			path[sizeof path - 1] = '\0';
		}
		errno = 0;
		rc = file_ensure_dir(path, dir_rows[i].mode);
		expect_result("ensure_dir", what, rc, errno, dir_rows[i].want_errno);
		for (const struct node *n = dir_rows[i].after; n->path != NULL; n++) {
			snprintf(name, sizeof name, "ensure_dir, %s: %s is %c %04o", what, n->path,
			         n->kind, (unsigned)n->mode);
			tap_ok(node_is(n), name);
		}
	}
	tap_int(file_ensure_dir("", 0700), -1, "ensure_dir, the empty path fails");
}

/* Entries of base/rel whose name starts with '.' (temporary files), other than . and .. */
static int dot_files(const char *rel)
{
	char p[FILE_PATH_MAX];
	DIR *d = opendir(at(p, sizeof p, rel));
	struct dirent *de;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] == '.' && strcmp(de->d_name, ".") != 0 &&
		     strcmp(de->d_name, "..") != 0;
	closedir(d);
	return n;
}

/* The whole of base/rel, up to cap; its length or -1. */
static long slurp(const char *rel, char *buf, size_t cap)
{
	char p[FILE_PATH_MAX];
	FILE *f = fopen(at(p, sizeof p, rel), "rb");
	size_t n;

	if (f == NULL)
		return -1;
	n = fread(buf, 1, cap, f);
	fclose(f);
	return (long)n;
}

static const struct {
	const char *what;
	const char *dir, *name;   /* dir under base */
	const char *before;       /* the file's content before, NULL: absent */
	int before_is_dir;        /* name is a directory */
	const char *data;
	mode_t mode;
	int want_errno;
	const char *after;        /* the file's content after */
} write_rows[] = {
	{ "a new file", "w", "new", NULL, 0, "hello\r\n", 0600, 0, "hello\r\n" },
	{ "over an existing file", "w", "old", "the old bytes", 0, "new", 0600, 0, "new" },
	{ "empty data", "w", "empty", "x", 0, "", 0600, 0, "" },
	{ "another mode", "w", "public", NULL, 0, "p", 0644, 0, "p" },
	{ "a directory that does not exist", "nodir", "x", NULL, 0, "x", 0600, ENOENT, NULL },
	{ "a directory in the name's place", "w", "adir", NULL, 1, "x", 0600, EISDIR, NULL },
};

static void test_write_atomic(void)
{
	char dir[FILE_PATH_MAX], path[FILE_PATH_MAX + 100], rel[300], buf[256], name[400];
	struct node w = { "w", 'd', 0700 };

	make_node(&w);
	for (size_t i = 0; i < sizeof write_rows / sizeof write_rows[0]; i++) {
		const char *what = write_rows[i].what;
		size_t len = strlen(write_rows[i].data);
		int old_fd = -1, rc;
		struct stat st;
		long n;

		at(dir, sizeof dir, write_rows[i].dir);
		snprintf(path, sizeof path, "%s/%s", dir, write_rows[i].name);
		snprintf(rel, sizeof rel, "%s/%s", write_rows[i].dir, write_rows[i].name);
		if (write_rows[i].before_is_dir)
			mkdir(path, 0700);
		if (write_rows[i].before != NULL) {
			int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

			if (fd >= 0) {
				tap_int(file_write_all(fd, write_rows[i].before,
				                       strlen(write_rows[i].before)), 0, "write_all");
				close(fd);
			}
			old_fd = open(path, O_RDONLY);
		}
		errno = 0;
		rc = file_write_atomic(dir, write_rows[i].name, write_rows[i].data, len,
		                       write_rows[i].mode);
		expect_result("write_atomic", what, rc, errno, write_rows[i].want_errno);
		if (write_rows[i].after != NULL) {
			n = slurp(rel, buf, sizeof buf);
			snprintf(name, sizeof name, "write_atomic, %s: the exact bytes", what);
			tap_mem(buf, n < 0 ? 0 : (size_t)n, write_rows[i].after,
			        strlen(write_rows[i].after), name);
			snprintf(name, sizeof name, "write_atomic, %s: mode %04o", what,
			         (unsigned)write_rows[i].mode);
			tap_ok(stat(path, &st) == 0 && (st.st_mode & 07777) == write_rows[i].mode, name);
		}
		if (old_fd >= 0) {
			/* Replaced by a rename, not rewritten: an open reader keeps the old file. */
			n = read(old_fd, buf, sizeof buf);
			snprintf(name, sizeof name, "write_atomic, %s: a reader of the old file reads it whole",
			         what);
			tap_mem(buf, n < 0 ? 0 : (size_t)n, write_rows[i].before,
			        strlen(write_rows[i].before), name);
			close(old_fd);
		}
		if (write_rows[i].before_is_dir) {
			snprintf(name, sizeof name, "write_atomic, %s: the directory is still there", what);
			tap_ok(stat(path, &st) == 0 && S_ISDIR(st.st_mode), name);
		}
		snprintf(name, sizeof name, "write_atomic, %s: no temporary file left", what);
		tap_int(dot_files(write_rows[i].dir), write_rows[i].want_errno == ENOENT ? -1 : 0, name);
	}
}

enum read_setup { R_CONTENT, R_DIR, R_MISSING, R_SYMLINK, R_NOT_OURS };

static const struct {
	const char *what;
	enum read_setup setup;
	size_t size;        /* R_CONTENT, R_SYMLINK, R_NOT_OURS: a file of this many octets */
	size_t cap;
	int flags;
	long want;          /* the length, or -1 */
	int want_errno;
} read_rows[] = {
	{ "a small file", R_CONTENT, 5, 16, 0, 5, 0 },
	{ "an empty file", R_CONTENT, 0, 16, 0, 0, 0 },
	{ "cap - 1 octets: fits with its NUL", R_CONTENT, 15, 16, 0, 15, 0 },
	{ "cap octets: too large", R_CONTENT, 16, 16, 0, -1, EFBIG },
	{ "far larger than cap", R_CONTENT, 100000, 16, 0, -1, EFBIG },
	{ "cap 0", R_CONTENT, 5, 0, 0, -1, EINVAL },
	{ "a directory", R_DIR, 0, 16, 0, -1, EINVAL },
	{ "a missing file", R_MISSING, 0, 16, 0, -1, ENOENT },
	{ "a symlink", R_SYMLINK, 5, 16, 0, 5, 0 },
	{ "a symlink under FILE_MINE", R_SYMLINK, 5, 16, FILE_MINE, -1, ELOOP },
	{ "ours under FILE_MINE", R_CONTENT, 5, 16, FILE_MINE, 5, 0 },
	{ "not ours", R_NOT_OURS, 5, 16, 0, 5, 0 },
	{ "not ours under FILE_MINE", R_NOT_OURS, 5, 16, FILE_MINE, -1, EINVAL },
};

static void test_read(void)
{
	static char want[100001], got[100001];
	char path[FILE_PATH_MAX], target[FILE_PATH_MAX], name[300], rel[64];
	struct node r = { "r", 'd', 0700 };

	make_node(&r);
	for (size_t i = 0; i < 100000; i++)
		want[i] = (char)('a' + i % 26);
	for (size_t i = 0; i < sizeof read_rows / sizeof read_rows[0]; i++) {
		const char *what = read_rows[i].what;
		ssize_t n;
		int e, fd;

		snprintf(rel, sizeof rel, "r/%zu", i);
		at(path, sizeof path, rel);
		snprintf(rel, sizeof rel, "r/%zu.target", i);
		at(target, sizeof target, rel);
		switch (read_rows[i].setup) {
		case R_CONTENT:
		case R_SYMLINK:
		case R_NOT_OURS:
			fd = open(read_rows[i].setup == R_SYMLINK ? target : path,
			          O_WRONLY | O_CREAT | O_TRUNC, 0600);
			if (fd < 0 || file_write_all(fd, want, read_rows[i].size) != 0)
				tap_ok(0, "setting up the file");
			if (fd >= 0)
				close(fd);
			if (read_rows[i].setup == R_SYMLINK && symlink(target, path) != 0)
				tap_ok(0, "symlink");
			if (read_rows[i].setup == R_NOT_OURS && chown(path, 65534, 65534) != 0) {
				snprintf(name, sizeof name, "read, %s # SKIP chown needs root", what);
				tap_ok(1, name);
				continue;
			}
			break;
		case R_DIR:
			mkdir(path, 0700);
			break;
		case R_MISSING:
			break;
		}
		memset(got, 0x55, sizeof got);
		errno = 0;
		n = file_read(path, got, read_rows[i].cap, read_rows[i].flags);
		e = errno;
		snprintf(name, sizeof name, "read, %s: result", what);
		tap_int(n, read_rows[i].want, name);
		if (read_rows[i].want < 0) {
			snprintf(name, sizeof name, "read, %s: errno", what);
			tap_int(e, read_rows[i].want_errno, name);
		} else {
			snprintf(name, sizeof name, "read, %s: the bytes, NUL-terminated", what);
			tap_ok(n >= 0 && memcmp(got, want, (size_t)n) == 0 && got[n] == '\0', name);
		}
	}
}

static void test_write_all_and_sync(void)
{
	static char big[300000], back[300001];
	char path[FILE_PATH_MAX];
	int fd, p[2];
	long n;

	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (char)(i * 7);
	fd = open(at(path, sizeof path, "big"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	tap_int(file_write_all(fd, big, sizeof big), 0, "write_all: 300000 octets");
	close(fd);
	n = slurp("big", back, sizeof back);
	tap_ok(n == (long)sizeof big && memcmp(back, big, sizeof big) == 0,
	       "write_all: the file holds them all");
	tap_ok(pipe(p) == 0, "pipe");
	close(p[0]);
	errno = 0;
	tap_int(file_write_all(p[1], "x", 1), -1, "write_all to a pipe nobody reads fails");
	tap_int(errno, EPIPE, "... with EPIPE");
	close(p[1]);
	tap_int(file_write_all(-1, "x", 1), -1, "write_all to a bad fd fails");

	tap_int(file_sync_dir(base), 0, "sync_dir of a directory");
	errno = 0;
	tap_int(file_sync_dir(at(path, sizeof path, "nothing-here")), -1, "sync_dir of nothing");
	tap_int(errno, ENOENT, "... with ENOENT");
	errno = 0;
	tap_int(file_sync_dir(at(path, sizeof path, "big")), -1, "sync_dir of a file");
	tap_int(errno, ENOTDIR, "... with ENOTDIR");
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int main(void)
{
	const char *tmpdir = getenv("TMPDIR");

	umask(022);
	signal(SIGPIPE, SIG_IGN);
	snprintf(base, sizeof base, "%s/badsmtp-test-file-XXXXXX",
	         tmpdir != NULL && *tmpdir != '\0' ? tmpdir : "/tmp");
	if (mkdtemp(base) == NULL) {
		printf("Bail out! mkdtemp %s failed\n", base);
		return 1;
	}
	test_ensure_dir();
	test_write_atomic();
	test_read();
	test_write_all_and_sync();
	nftw(base, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return tap_done();
}
