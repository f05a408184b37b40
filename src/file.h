/* file: directories and files that must be whole: mkdir -p with a mode, write-then-rename
 * atomically, read a small file whole. The Maildir (SPEC §12) and the cert cache (SPEC §7) are
 * built on it; it knows nothing of either. */
#ifndef BADSMTP_FILE_H
#define BADSMTP_FILE_H

#include <stddef.h>
#include <sys/types.h>

#define FILE_PATH_MAX 4096

/* file_read flags */
#define FILE_MINE 1   /* the file must be ours (owner = euid) and not a symlink */

/* Like mkdir -p: path and every missing parent are created, each with mode (less the umask, as
 * mkdir(2) does); existing directories are left as they are. 0, or -1 with errno (ENOTDIR when
 * path or a parent exists but is not a directory). */
int file_ensure_dir(const char *path, mode_t mode);

/* Writes all n octets to fd (a short write is continued, EINTR retried). 0, or -1 with errno. */
int file_write_all(int fd, const void *p, size_t n);

/* dir/name holds exactly data[0..n) with mode, or is as it was: a temporary file in dir, written,
 * fsync'd and renamed over dir/name, then dir fsync'd. A reader never sees half a file. 0, or -1
 * with errno and the temporary file removed. */
int file_write_atomic(const char *dir, const char *name, const void *data, size_t n, mode_t mode);

/* fsync of a directory, so that a rename into it survives a crash. 0, or -1 with errno. */
int file_sync_dir(const char *dir);

/* A whole regular file of at most cap - 1 octets into buf, NUL-terminated. flags: FILE_MINE.
 * Returns the length, or -1 with errno: EINVAL not a regular file (or not ours), EFBIG too
 * large, or open's and read's own. */
ssize_t file_read(const char *path, char *buf, size_t cap, int flags);

#endif
