/* file: the file-system habits of qmail's and OpenSMTPD's delivery code, once: directories made
 * like mkdir -p, writes that either land whole (O_EXCL temporary file, fsync, rename(2), fsync of
 * the directory) or not at all, and bounded reads of small files. Paths are bounded by
 * FILE_PATH_MAX; nothing is allocated. It does not decide modes, names or what a failure means:
 * its callers do. */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* mkdir(path), where an existing directory is success too. */
static int make_one(const char *path, mode_t mode)
{
	struct stat st;

	if (mkdir(path, mode) == 0)
		return 0;
	if (errno != EEXIST)
		return -1;
	if (stat(path, &st) != 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

int file_ensure_dir(const char *path, mode_t mode)
{
	char p[FILE_PATH_MAX];
	size_t n = strlen(path);

	if (n == 0) {
		errno = ENOENT;
		return -1;
	}
	if (n >= sizeof p) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(p, path, n + 1);
	while (n > 1 && p[n - 1] == '/')
		p[--n] = '\0';
	/* The usual case, parents present, costs one mkdir. */
	if (make_one(p, mode) == 0)
		return 0;
	if (errno != ENOENT)
		return -1;
	for (size_t i = 1; i < n; i++) {
		int r, e;

		if (p[i] != '/' || p[i - 1] == '/')
			continue;
		p[i] = '\0';
		r = mkdir(p, mode);
		e = errno;
		p[i] = '/';
		/* EEXIST may be a file: the next mkdir says ENOTDIR then. */
		if (r != 0 && e != EEXIST) {
			errno = e;
			return -1;
		}
	}
	return make_one(p, mode);
}

int file_write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	size_t done = 0;

	while (done < n) {
		ssize_t w = write(fd, c + done, n - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		if (w == 0) {
			errno = EIO;
			return -1;
		}
		done += (size_t)w;
	}
	return 0;
}

int file_sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r, e;

	if (fd < 0)
		return -1;
	r = fsync(fd);
	e = errno;
	close(fd);
	errno = e;
	return r;
}

int file_write_atomic(const char *dir, const char *name, const void *data, size_t n, mode_t mode)
{
	char tmp[FILE_PATH_MAX], path[FILE_PATH_MAX];
	int fd, w1, w2, e;

	w1 = snprintf(path, sizeof path, "%s/%s", dir, name);
	w2 = snprintf(tmp, sizeof tmp, "%s/.%s.%ld.tmp", dir, name, (long)getpid());
	if (w1 < 0 || (size_t)w1 >= sizeof path || w2 < 0 || (size_t)w2 >= sizeof tmp) {
		errno = ENAMETOOLONG;
		return -1;
	}
	unlink(tmp);   /* a leftover of a crashed process with our pid */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return -1;
	if (file_write_all(fd, data, n) != 0 || fsync(fd) != 0) {
		e = errno;
		close(fd);
		goto fail;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		e = errno;
		goto fail;
	}
	/* The file is in place whatever this says; only its surviving a crash is in doubt. */
	(void)file_sync_dir(dir);
	return 0;
fail:
	unlink(tmp);
	errno = e;
	return -1;
}

ssize_t file_read(const char *path, char *buf, size_t cap, int flags)
{
	int mine = (flags & FILE_MINE) != 0;
	int fd, e;
	struct stat st;
	size_t len = 0;

	if (cap == 0) {
		errno = EINVAL;
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | (mine ? O_NOFOLLOW : 0));
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (mine && st.st_uid != geteuid())) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	/* Up to cap octets are read, so a file that fills the buffer is told from one that fits
	 * with its NUL. */
	for (;;) {
		ssize_t r = read(fd, buf + len, cap - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		if (r == 0)
			break;
		len += (size_t)r;
		if (len == cap) {
			errno = EFBIG;
			goto fail;
		}
	}
	close(fd);
	buf[len] = '\0';
	return (ssize_t)len;
fail:
	e = errno;
	close(fd);
	errno = e;
	return -1;
}
