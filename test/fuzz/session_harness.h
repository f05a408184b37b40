/* session_harness.h: runs the real session loop, session_run(), in-process over an in-memory
 * transport, for fuzz_session and fuzz_bdat. The client's bytes sit in a memfd dup2'ed onto
 * fd 0 (a regular file: always readable, and EOF at its end ends the session), replies go to a
 * second memfd on fd 1, the caller's fds 0 and 1 are put back afterwards. Time scale 0: every
 * delay is zero and no wait ever blocks (the memfd is always ready). Messages go to a Maildir
 * in a temporary directory (on /dev/shm when there is one: fsync is free there), the fail-N and
 * greylisting state to its state/ (emptied before each run, so a run depends on its input
 * only); both are removed at exit. TLS cannot start (the --tls-cert pair does not exist:
 * STARTTLS gets 454): GnuTLS is not ours to fuzz and allows one handshake per process.
 * After every run: exit status 0 or 1; stdout is nothing but well-formed reply lines, as shaped
 * (SPEC §17: a bare code, LF line ends and long lines allowed); tmp/ is empty; every "Message
 * accepted" reply has its file in new/, and a file has no such reply only when the reply was
 * bare, or lost on purpose (datalost: the session's last).
 * The input sits whole in a regular file, so to the session every command after the first came
 * before the reply to the one before (SPEC §19): the client violation paths run all the time. */
#ifndef BADSMTP_FUZZ_SESSION_HARNESS_H
#define BADSMTP_FUZZ_SESSION_HARNESS_H

#include "fuzz.h"

#include "activation.h"
#include "clock.h"
#include "config.h"
#include "log.h"
#include "profile.h"
#include "session.h"
#include "violation.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define SESSION_ACCEPTED "250 OK Message accepted for delivery\r\n"

static struct {
	int ready;
	int in_fd, out_fd;
	char dir[256];
	char state[300];
	struct config cfg;
	struct profile profile;
	struct peer peer;
} session_h;

/* Unlinks the files of dir/sub; calls each(path) first when given. Returns how many. */
static size_t session_h_sweep(const char *sub, void (*each)(const char *path, void *ctx),
                              void *ctx)
{
	char path[1024];
	size_t n = 0;
	DIR *d;
	struct dirent *e;

	snprintf(path, sizeof path, "%s/%s", session_h.dir, sub);
	d = opendir(path);
	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s/%s", session_h.dir, sub, e->d_name);
		if (each != NULL)
			each(path, ctx);
		unlink(path);
		n++;
	}
	closedir(d);
	return n;
}

static void session_h_remove(void)
{
	char path[1024];

	session_h_sweep("new", NULL, NULL);
	session_h_sweep("tmp", NULL, NULL);
	session_h_sweep("cur", NULL, NULL);
	session_h_sweep("state", NULL, NULL);
	for (const char *const *s = (const char *const[]){ "new", "tmp", "cur", "state", NULL }; *s; s++) {
		snprintf(path, sizeof path, "%s/%s", session_h.dir, *s);
		rmdir(path);
	}
	rmdir(session_h.dir);
}

static void session_h_init(void)
{
	char err[512];
	char *argv[] = { (char *)"fuzz", NULL };
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");

	if (session_h.ready)
		return;
	if (log_open("file:/dev/null", LOG_FORMAT_JSON, LOG_LEVEL_DEBUG, err, sizeof err) != 0 ||
	    config_load(&session_h.cfg, 1, argv, err, sizeof err) != CONFIG_RUN ||
	    profile_from_name("plain", &session_h.profile) != 0) {
		fprintf(stderr, "fuzz session set-up: %s\n", err);
		abort();
	}
	snprintf(session_h.dir, sizeof session_h.dir, "%s/badsmtp-fuzz-XXXXXX",
	         base != NULL && *base != '\0' ? base : "/tmp");
	if (mkdtemp(session_h.dir) == NULL)
		abort();
	atexit(session_h_remove);
	session_h.cfg.hostname = "badsmtp.test";
	session_h.cfg.maildir = session_h.dir;
	session_h.cfg.tls_cert = "/nonexistent/badsmtp-fuzz-cert.pem";
	session_h.cfg.tls_key = "/nonexistent/badsmtp-fuzz-key.pem";
	session_h.cfg.cert_cache = "/nonexistent/badsmtp-fuzz-cache";
	snprintf(session_h.state, sizeof session_h.state, "%s/state", session_h.dir);
	session_h.cfg.state_dir = session_h.state;
	session_h.cfg.timeout = session_h.cfg.data_timeout = 300;
	clock_set_scale(0);
	snprintf(session_h.peer.client_ip, sizeof session_h.peer.client_ip, "pipe");
	session_h.peer.local_port = -1;
	session_h.in_fd = memfd_create("badsmtp-fuzz-in", MFD_CLOEXEC);
	session_h.out_fd = memfd_create("badsmtp-fuzz-out", MFD_CLOEXEC);
	if (session_h.in_fd < 0 || session_h.out_fd < 0)
		abort();
	session_h.ready = 1;
}

/* Every line a reply: three digits 2xx-5xx, then ' ' or '-' and text without control octets
 * (8-bit octets may be UTF-8), or the code alone (replybare), then CRLF (or LF: replylf);
 * nothing after the last line end. Returns the number of lines that begin with line's text
 * (line less its CRLF: replylong extends it, replymulti repeats it with '-': only final lines
 * count); *bare the number of bare 250 lines ("250", or "250 x…" with replylong). */
static size_t session_h_check_replies(const char *out, size_t len, const char *line, size_t *bare)
{
	size_t i = 0, count = 0, llen = strlen(line) - 2;

	*bare = 0;
	while (i < len) {
		const char *lf = memchr(out + i, '\n', len - i);
		size_t end, stop;

		FUZZ_CHECK(lf != NULL);
		end = (size_t)(lf - out);
		stop = end > i && out[end - 1] == '\r' ? end - 1 : end;
		FUZZ_CHECK(stop - i >= 3);
		FUZZ_CHECK(out[i] >= '2' && out[i] <= '5');
		FUZZ_CHECK(out[i + 1] >= '0' && out[i + 1] <= '9' && out[i + 2] >= '0' && out[i + 2] <= '9');
		FUZZ_CHECK(stop - i == 3 || out[i + 3] == ' ' || out[i + 3] == '-');
		for (size_t k = i + 4; k < stop; k++)
			FUZZ_CHECK((unsigned char)out[k] >= 0x20 && out[k] != 0x7f);
		if (stop - i >= llen && memcmp(out + i, line, llen) == 0)
			count++;
		if (memcmp(out + i, "250", 3) == 0 &&
		    (stop - i == 3 || (out[i + 3] == ' ' && stop - i > 4 &&
		                       strspn(out + i + 4, "x") >= stop - i - 4)))
			(*bare)++;
		i = end + 1;
	}
	return count;
}

/* The file's bytes without the header lines that name this run rather than the message: Received:
 * (session id, date) and X-BadSMTP-Violations: (the recorder may be off). */
static void session_h_strip(const char *path, void *ctx)
{
	struct { char *p; size_t len, cap; } *all = ctx;
	FILE *f = fopen(path, "rb");
	char line[4096];

	FUZZ_CHECK(f != NULL);
	while (fgets(line, sizeof line, f) != NULL) {
		size_t n = strlen(line);   /* a NUL in a body only splits a line here: compared alike */

		if (strncmp(line, "Received: ", 10) == 0 || strncmp(line, "X-BadSMTP-Violations: ", 22) == 0)
			continue;
		if (all->len + n + 1 > all->cap) {
			all->cap = (all->len + n + 1) * 2;
			all->p = realloc(all->p, all->cap);
			if (all->p == NULL)
				abort();
		}
		memcpy(all->p + all->len, line, n);
		all->len += n;
	}
	all->p[all->len++] = '\0';   /* between files */
	fclose(f);
}

/* Removes the files of new/ and returns them, in delivery order (the Q{n} of their names), as
 * session_h_strip leaves them, one after the other (heap, *len octets); *count: how many. */
static char *session_h_take_stored(size_t *len, size_t *count)
{
	struct { char *p; size_t len, cap; } all = { malloc(64), 0, 64 };
	char path[1024];
	size_t n = 0;
	unsigned lo = ~0u, hi = 0, q;
	DIR *d;
	struct dirent *e;

	snprintf(path, sizeof path, "%s/new", session_h.dir);
	d = opendir(path);   /* none before the process stores its first message */
	if (all.p == NULL)
		abort();
	while (d != NULL && (e = readdir(d)) != NULL) {
		const char *at = strstr(e->d_name, "Q");

		if (e->d_name[0] == '.' || at == NULL || sscanf(at, "Q%u", &q) != 1)
			continue;
		lo = q < lo ? q : lo;
		hi = q > hi ? q : hi;
		n++;
	}
	if (d != NULL)
		closedir(d);
	for (q = lo; n > 0 && q <= hi; q++) {
		char pattern[32];

		d = opendir(path);
		FUZZ_CHECK(d != NULL);
		snprintf(pattern, sizeof pattern, "Q%u.", q);
		while ((e = readdir(d)) != NULL) {
			char file[1400];

			if (strstr(e->d_name, pattern) == NULL)
				continue;
			snprintf(file, sizeof file, "%s/%s", path, e->d_name);
			session_h_strip(file, &all);
			unlink(file);
		}
		closedir(d);
	}
	*len = all.len;
	*count = n;
	return all.p;
}

static void session_h_write(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n > 0) {
		ssize_t w = write(fd, c, n);

		if (w <= 0)
			abort();
		c += w;
		n -= (size_t)w;
	}
}

/* Runs one session on in[0..n); returns the replies (heap, *out_len octets, NUL-terminated) and
 * the exit status in *status. */
static char *session_h_run(const void *in, size_t n, size_t *out_len, int *status)
{
	int saved0, saved1;
	off_t len;
	char *out;

	session_h_init();
	session_h_sweep("state", NULL, NULL);
	if (ftruncate(session_h.in_fd, 0) != 0 || ftruncate(session_h.out_fd, 0) != 0)
		abort();
	lseek(session_h.in_fd, 0, SEEK_SET);
	session_h_write(session_h.in_fd, in, n);
	lseek(session_h.in_fd, 0, SEEK_SET);
	lseek(session_h.out_fd, 0, SEEK_SET);
	fflush(stdout);
	saved0 = dup(0);
	saved1 = dup(1);
	if (saved0 < 0 || saved1 < 0 || dup2(session_h.in_fd, 0) < 0 || dup2(session_h.out_fd, 1) < 0)
		abort();
	*status = session_run(&session_h.cfg, &session_h.profile, &session_h.peer, NULL);
	dup2(saved0, 0);
	dup2(saved1, 1);
	close(saved0);
	close(saved1);
	len = lseek(session_h.out_fd, 0, SEEK_END);
	out = malloc((size_t)len + 1);
	if (len < 0 || out == NULL || pread(session_h.out_fd, out, (size_t)len, 0) != len)
		abort();
	out[len] = '\0';
	*out_len = (size_t)len;
	FUZZ_CHECK(*status == 0 || *status == 1);
	FUZZ_CHECK(session_h_sweep("tmp", NULL, NULL) == 0);   /* nothing half-written */
	return out;
}

#endif
