/* maildir: the delivery protocol of maildir(5): unique name {seconds}.M{usec}P{pid}Q{n}.{host},
 * O_EXCL create in tmp/, fsync, rename(2) into new/, fsync the directory so the rename itself
 * survives a crash. A 250 is only sent after maildir_commit returns 0. */
#include "maildir.h"

#include "buf.h"
#include "clock.h"
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#define DIR_MODE 0700
#define VIOLATIONS_LINE_MAX 400   /* every name of SPEC §19 fits */

static int dirs_made;

/* The Maildir with its missing parents, like mkdir -p, and its tmp/, new/ and cur/, created
 * when missing (SPEC §12). */
static int make_dirs(const char *dir)
{
	char sub[FILE_PATH_MAX];

	if (file_ensure_dir(dir, DIR_MODE) != 0)
		return -1;
	for (const char *const *s = (const char *const[]){ "tmp", "new", "cur", NULL }; *s; s++) {
		int n = snprintf(sub, sizeof sub, "%s/%s", dir, *s);

		if (n < 0 || (size_t)n >= sizeof sub || file_ensure_dir(sub, DIR_MODE) != 0)
			return -1;
	}
	return 0;
}

/* maildir(5)'s unique name {seconds}.M{usec}P{pid}Q{n}.{host}, where a '/' or ':' in our
 * hostname would break the syntax: they are escaped as maildir(5) says. */
static void unique_name(struct buf *b, const char *hostname)
{
	static unsigned delivery;
	struct timeval tv;

	gettimeofday(&tv, NULL);
	buf_add_decimal(b, (long long)tv.tv_sec, 0);
	buf_adds(b, ".M");
	buf_add_decimal(b, (long long)tv.tv_usec, 0);
	buf_addc(b, 'P');
	buf_add_decimal(b, (long long)getpid(), 0);
	buf_addc(b, 'Q');
	buf_add_decimal(b, ++delivery, 0);
	buf_addc(b, '.');
	for (const char *h = hostname; *h != '\0'; h++) {
		if (*h == '/' || *h == ':')
			buf_adds(b, *h == '/' ? "\\057" : "\\072");
		else
			buf_addc(b, *h);
	}
}

/* Read-write: maildir_set_violations reads the copy back. */
static int create(const char *path)
{
	return open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
}

int maildir_open(struct maildir_msg *m, const char *dir, const char *hostname)
{
	char storage[512];
	struct buf name;
	int n;

	m->fd = -1;
	m->failed = 1;
	m->pending = 0;
	m->written = 0;
	m->violations_at = 0;
	m->violations_len = 0;
	m->tmp_path[0] = m->new_path[0] = '\0';
	/* Once per process: a long session's later messages skip four mkdir calls. */
	if (!dirs_made && make_dirs(dir) != 0)
		return -1;
	dirs_made = 1;
	buf_init(&name, storage, sizeof storage);
	unique_name(&name, hostname);
	if (name.truncated)
		return -1;
	n = snprintf(m->tmp_path, sizeof m->tmp_path, "%s/tmp/%s", dir, name.p);
	if (n < 0 || (size_t)n >= sizeof m->tmp_path)
		return -1;
	n = snprintf(m->new_path, sizeof m->new_path, "%s/new/%s", dir, name.p);
	if (n < 0 || (size_t)n >= sizeof m->new_path)
		return -1;
	m->fd = create(m->tmp_path);
	if (m->fd < 0 && errno == ENOENT && make_dirs(dir) == 0)   /* removed since: again */
		m->fd = create(m->tmp_path);
	if (m->fd < 0)
		return -1;
	m->failed = 0;
	return 0;
}

static void write_all(struct maildir_msg *m, const char *p, size_t n)
{
	/* ENOSPC, EDQUOT, EFBIG, EIO: the message cannot be kept */
	if (!m->failed && file_write_all(m->fd, p, n) != 0)
		m->failed = 1;
}

static void drain(struct maildir_msg *m)
{
	write_all(m, m->buf, m->pending);
	m->pending = 0;
}

void maildir_write(struct maildir_msg *m, const char *p, size_t n)
{
	if (m->failed)
		return;
	m->written += n;
	if (m->pending + n > sizeof m->buf)
		drain(m);
	if (n >= sizeof m->buf) {
		write_all(m, p, n);   /* large runs go straight through, without a copy */
		return;
	}
	memcpy(m->buf + m->pending, p, n);
	m->pending += n;
}

void maildir_abort(struct maildir_msg *m)
{
	if (m->fd >= 0) {
		close(m->fd);
		unlink(m->tmp_path);
	}
	m->fd = -1;
	m->failed = 1;
}

int maildir_commit(struct maildir_msg *m)
{
	char dir[FILE_PATH_MAX];
	char *slash;
	int synced;

	if (m->fd < 0)
		return -1;
	snprintf(dir, sizeof dir, "%s", m->new_path);
	slash = strrchr(dir, '/');
	if (slash != NULL)
		*slash = '\0';
	drain(m);
	synced = !m->failed && fsync(m->fd) == 0;
	synced = close(m->fd) == 0 && synced;
	m->fd = -1;
	/* new/ may have been removed since the directories were made: make it again. */
	if (!synced || (rename(m->tmp_path, m->new_path) != 0 &&
	                (errno != ENOENT || file_ensure_dir(dir, DIR_MODE) != 0 ||
	                 rename(m->tmp_path, m->new_path) != 0))) {
		unlink(m->tmp_path);
		m->failed = 1;
		return -1;
	}
	/* The message is in new/ whatever this says; only its surviving a crash is in doubt. */
	(void)file_sync_dir(dir);
	return 0;
}

/* "X-BadSMTP-Violations: {violations}" and CRLF, in storage. */
static void violations_line(struct buf *b, char *storage, size_t cap, const char *violations)
{
	buf_init(b, storage, cap);
	buf_adds(b, "X-BadSMTP-Violations: ");
	buf_adds(b, violations);
	buf_adds(b, "\r\n");
}

/* One buffer for a line at a time: a recipient list can be longer than any line. */
static void write_buf(struct maildir_msg *m, const struct buf *b)
{
	if (b->truncated)
		m->failed = 1;   /* a header cut short would be a lie in the stored copy */
	else
		maildir_write(m, b->p, b->len);
}

/* name and value, folded at the value's "; " where a line would pass RFC 5322's 998 octets. */
static void write_folded(struct maildir_msg *m, const char *name, const char *value)
{
	size_t col = strlen(name);

	maildir_write(m, name, col);
	for (const char *item = value; *item != '\0';) {
		const char *sep = strstr(item, "; ");
		size_t n = sep != NULL ? (size_t)(sep - item) : strlen(item);

		if (item != value) {
			int fold = col + 2 + n > 998;

			maildir_write(m, fold ? ";\r\n " : "; ", fold ? 4 : 2);
			col = fold ? 1 : col + 2;
		}
		maildir_write(m, item, n);
		col += n;
		item += n + (sep != NULL ? 2 : 0);
	}
	maildir_write(m, "\r\n", 2);
}

static void write_violations(struct maildir_msg *m, const char *violations)
{
	char line[VIOLATIONS_LINE_MAX];
	struct buf b;

	violations_line(&b, line, sizeof line, violations);
	m->violations_len = b.len;
	write_buf(m, &b);
}

void maildir_write_headers(struct maildir_msg *m, const struct maildir_envelope *e)
{
	char line[1024];
	struct buf b;

	buf_init(&b, line, sizeof line);
	buf_adds(&b, "Return-Path: <");
	buf_adds(&b, e->sender);
	buf_adds(&b, ">\r\nX-BadSMTP-Rcpt-To: ");
	write_buf(m, &b);
	for (size_t i = 0; i < e->nrcpts; i++) {
		if (i > 0)
			maildir_write(m, ", ", 2);
		maildir_write(m, e->rcpts[i], strlen(e->rcpts[i]));
	}
	buf_init(&b, line, sizeof line);
	buf_adds(&b, "\r\nReceived: from ");
	buf_adds(&b, e->helo);
	buf_adds(&b, " (");
	buf_adds(&b, e->client_ip);
	buf_adds(&b, ") by ");
	buf_adds(&b, e->hostname);
	/* RFC 3848: ESMTP, plus S for TLS and A for AUTH; plain SMTP after HELO. */
	buf_adds(&b, e->extended ? " with ESMTP" : " with SMTP");
	buf_adds(&b, e->extended && e->tls ? "S" : "");
	buf_adds(&b, e->extended && e->authenticated ? "A" : "");
	buf_adds(&b, " id ");
	buf_adds(&b, e->session_id);
	buf_adds(&b, "; ");
	clock_rfc5322(e->received, &b);
	buf_adds(&b, "\r\n");
	write_buf(m, &b);
	if (e->dsn != NULL)
		write_folded(m, "X-BadSMTP-DSN: ", e->dsn);
	/* The last of our lines (SPEC §21); maildir_set_violations may put it here later. */
	m->violations_at = m->written;
	if (e->violations != NULL && e->violations[0] != '\0')
		write_violations(m, e->violations);
}

/* Octets [from, to) of the file (to = -1: its end) appended to fd, through buf. */
static int copy_range(struct maildir_msg *m, int fd, off_t from, off_t to)
{
	for (;;) {
		size_t want = to < 0 || to - from > (off_t)sizeof m->buf ? sizeof m->buf
		                                                        : (size_t)(to - from);
		ssize_t got = want > 0 ? pread(m->fd, m->buf, want, from) : 0;

		if (got < 0)
			return -1;
		if (got == 0)
			return 0;
		if (file_write_all(fd, m->buf, (size_t)got) != 0)
			return -1;
		from += got;
	}
}

/* Rare (each violation comes once per session, the most of them before any body): a plain copy
 * into a second file in tmp/, renamed over the first. */
void maildir_set_violations(struct maildir_msg *m, const char *violations)
{
	char path[sizeof m->tmp_path + 2], line[VIOLATIONS_LINE_MAX];
	struct buf b;
	off_t at = (off_t)m->violations_at;
	int fd, n = snprintf(path, sizeof path, "%s,v", m->tmp_path);

	if (m->failed)
		return;
	drain(m);
	violations_line(&b, line, sizeof line, violations);
	fd = n > 0 && (size_t)n < sizeof path && !b.truncated && !m->failed ? create(path) : -1;
	if (fd < 0 || copy_range(m, fd, 0, at) != 0 || file_write_all(fd, b.p, b.len) != 0 ||
	    copy_range(m, fd, at + (off_t)m->violations_len, -1) != 0 ||
	    rename(path, m->tmp_path) != 0) {
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		m->failed = 1;
		return;
	}
	close(m->fd);
	m->fd = fd;
	m->written = m->written - m->violations_len + b.len;
	m->violations_len = b.len;
}
