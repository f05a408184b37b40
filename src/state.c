/* state: one file per key, named by a hash of the key, holding one line
 * "{first_ms} {count} {key}\n". An update opens the file (creating it empty), takes flock(LOCK_EX),
 * reads the line, writes the next one in place and closes, which lets the lock go: flock is
 * per open file, so concurrent sessions and processes queue on it, and it is released even when
 * a process dies holding it. Files are never removed, so a waiter never locks a file that is no
 * longer the key's; an expired entry is overwritten instead (SPEC §18: removed as met). An empty
 * or torn line (a crash mid-write) counts as no entry; a whole line for another key (a hash
 * collision) is an error, never someone else's count. */
#include "state.h"

#include "buf.h"
#include "file.h"
#include "text.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#define DIR_MODE 0700
#define FILE_MODE 0600
#define ENTRY_MAX 1024

/* FNV-1a over the key, twice, from two offset bases: 128 bits, so that keys chosen by clients do
 * not share a file by accident. */
void state_file_name(const char *key, char *out)
{
	unsigned long long h[2] = { 0xcbf29ce484222325ULL, 0x84222325cbf29ce4ULL };

	for (const char *p = key; *p != '\0'; p++) {
		for (int i = 0; i < 2; i++) {
			h[i] ^= (unsigned char)*p;
			h[i] *= 0x100000001b3ULL;
		}
	}
	snprintf(out, 33, "%016llx%016llx", h[0], h[1]);
}

/* The entry in buf[0..n) for key at now_ms: 1 and e, 0 when there is none (empty, torn or
 * expired), -1 when the line is another key's. */
static int parse_entry(const char *buf, size_t n, const char *key, long long now_ms,
                       struct state_entry *e)
{
	unsigned long long first, count;
	size_t i = text_decimal(buf, n, &first), j, klen = strlen(key);

	if (i == 0 || i + 1 >= n || buf[i] != ' ')
		return 0;
	j = i + 1 + text_decimal(buf + i + 1, n - i - 1, &count);
	if (j == i + 1 || j >= n || buf[j] != ' ' || buf[n - 1] != '\n')
		return 0;
	if (n - j - 2 != klen || memcmp(buf + j + 1, key, klen) != 0)
		return -1;
	if (now_ms - (long long)first >= STATE_EXPIRY_MS)
		return 0;
	e->first_ms = (long long)first;
	e->count = (long long)count;
	return 1;
}

static int failed(char *err, size_t errlen, const char *what, const char *path)
{
	snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
	return -1;
}

/* Under the lock: read, count, write back. */
static int update(int fd, const char *path, const char *key, long long now_ms,
                  struct state_entry *e, char *err, size_t errlen)
{
	char buf[ENTRY_MAX];
	ssize_t n = pread(fd, buf, sizeof buf, 0);
	struct buf line;

	if (n < 0)
		return failed(err, errlen, "cannot read", path);
	switch (parse_entry(buf, (size_t)n, key, now_ms, e)) {
	case -1:
		snprintf(err, errlen, "%s holds another key's entry", path);
		return -1;
	case 0:
		*e = (struct state_entry){ .first_ms = now_ms };
		break;
	}
	if (e->count < (long long)TEXT_DECIMAL_MAX)
		e->count++;
	buf_init(&line, buf, sizeof buf);
	buf_add_decimal(&line, e->first_ms, 0);
	buf_addc(&line, ' ');
	buf_add_decimal(&line, e->count, 0);
	buf_addc(&line, ' ');
	buf_adds(&line, key);
	buf_addc(&line, '\n');
	if (line.truncated) {
		snprintf(err, errlen, "key too long for %s", path);
		return -1;
	}
	/* ENOSPC, EDQUOT, EFBIG: a full or limited file system is an unusable state directory */
	errno = 0;
	if (pwrite(fd, line.p, line.len, 0) != (ssize_t)line.len) {
		if (errno == 0)
			errno = ENOSPC;
		return failed(err, errlen, "cannot write", path);
	}
	if (ftruncate(fd, (off_t)line.len) != 0)
		return failed(err, errlen, "cannot truncate", path);
	return 0;
}

int state_count(const char *dir, const char *key, long long now_ms, struct state_entry *e,
                char *err, size_t errlen)
{
	char name[33], path[FILE_PATH_MAX];
	int fd, r, w;

	state_file_name(key, name);
	w = snprintf(path, sizeof path, "%s/%s", dir, name);
	if (w < 0 || (size_t)w >= sizeof path) {
		errno = ENAMETOOLONG;
		return failed(err, errlen, "cannot use", dir);
	}
	if (file_ensure_dir(dir, DIR_MODE) != 0)
		return failed(err, errlen, "cannot create", dir);
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, FILE_MODE);
	if (fd < 0)
		return failed(err, errlen, "cannot open", path);
	while ((r = flock(fd, LOCK_EX)) != 0 && errno == EINTR)
		;
	r = r != 0 ? failed(err, errlen, "cannot lock", path)
	           : update(fd, path, key, now_ms, e, err, errlen);
	close(fd);
	return r;
}
