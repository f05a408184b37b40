/* log: renders events as JSON or text lines and hands them to one target: write(2) for stderr
 * and files, a datagram to the syslog socket, or sd_journal_sendv from a dlopen'd libsystemd.
 * Lines for stderr and files are gathered and written whole, several per write, just before the
 * process blocks (a clock_on_block hook) or ends (log_flush): one write per exchange rather than
 * one per event.
 * The auto target follows SPEC §11: journald when JOURNAL_STREAM names our fd 2, syslog when
 * fd 2 is a socket (inetd hands the client's socket on fds 0-2: never write there), stderr
 * otherwise. Values are escaped so a client's bytes cannot forge fields or lines. */
#include "log.h"

#include "buf.h"
#include "clock.h"
#include "text.h"
#include "library.h"
#include "utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX_LEN 8192
#define JOURNAL_FIELDS_MAX 40

enum target { TARGET_STDERR, TARGET_FILE, TARGET_SYSLOG, TARGET_JOURNAL };

static enum target target = TARGET_STDERR;
static int target_fd = 2;
static enum log_format format = LOG_FORMAT_JSON;
static enum log_level min_level = LOG_LEVEL_INFO;
static const char *ctx_session_id, *ctx_client_ip;
static int (*journal_sendv)(const struct iovec *iov, int n);
/* Whole lines not yet written. Never more than PIPE_BUF in one write: sessions sharing a pipe
 * (a launcher's stderr) or appending to one file cannot interleave inside a line. */
static char pending[PIPE_BUF];
static size_t pending_len;

static const char *const level_names[] = {
	[LOG_LEVEL_DEBUG] = "DEBUG", [LOG_LEVEL_INFO] = "INFO",
	[LOG_LEVEL_WARN] = "WARN", [LOG_LEVEL_ERROR] = "ERROR",
};
static const int syslog_priorities[] = {
	[LOG_LEVEL_DEBUG] = LOG_DEBUG, [LOG_LEVEL_INFO] = LOG_INFO,
	[LOG_LEVEL_WARN] = LOG_WARNING, [LOG_LEVEL_ERROR] = LOG_ERR,
};

/* JOURNAL_STREAM is "device:inode" of the stream systemd connected to our stderr. */
static int is_journal(const char *js, const struct stat *st)
{
	unsigned long long dev, ino;
	char *end;

	if (js == NULL)
		return 0;
	dev = strtoull(js, &end, 10);
	if (end == js || *end != ':')
		return 0;
	js = end + 1;
	ino = strtoull(js, &end, 10);
	if (end == js)
		return 0;
	return (unsigned long long)st->st_dev == dev && (unsigned long long)st->st_ino == ino;
}

enum { FD2_SEEN = 1, FD2_SOCKET = 2, FD2_JOURNAL = 4 };   /* a journal stream is a socket too */

/* What fd 2 is, looked at once: main asks whether the log needs libsystemd, then opens it (and
 * a set-up error may follow), each time on the same fd 2 (held open by main from the start). */
static int fd2_is(int what)
{
	static int seen;
	struct stat st;

	if (seen == 0) {
		seen = FD2_SEEN;
		if (fstat(2, &st) == 0)
			seen |= (S_ISSOCK(st.st_mode) ? FD2_SOCKET : 0) |
			        (is_journal(getenv("JOURNAL_STREAM"), &st) ? FD2_JOURNAL : 0);
	}
	return (seen & what) != 0;
}

static int open_journal(void)
{
	void *lib = library_open("libsystemd.so.0", NULL, 0);

	*(void **)&journal_sendv = library_symbol(lib, "sd_journal_sendv");
	return journal_sendv != NULL ? 0 : -1;
}

int log_target_needs_library(const char *name)
{
	return strcmp(name, "journal") == 0 || (strcmp(name, "auto") == 0 && fd2_is(FD2_JOURNAL));
}

/* The syslog target: one datagram per event to /dev/log, in the RFC 3164 form without the
 * TIMESTAMP, which the daemon then sets (RFC 3164 §4.3.2). Not syslog(3): its local-time stamp
 * links glibc's time-zone code (tzset, sscanf, strftime: an eighth of the static binary) into
 * every session's memory, for a stamp the daemon sets anyway. */
static int syslog_fd = -1;

static void syslog_connect(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX, .sun_path = "/dev/log" };

	if (syslog_fd >= 0)
		close(syslog_fd);
	syslog_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (syslog_fd >= 0 && connect(syslog_fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
		close(syslog_fd);
		syslog_fd = -1;
	}
}

static void open_syslog(void)
{
	syslog_connect();
	target = TARGET_SYSLOG;
}

static void send_syslog(int priority, const char *text, size_t n)
{
	char head[64];
	struct buf h;
	struct iovec iov[2];

	/* by hand, as every log line is: not printf's code in every session for one header */
	buf_init(&h, head, sizeof head);
	buf_addc(&h, '<');
	buf_add_decimal(&h, LOG_MAIL | priority, 0);
	buf_adds(&h, ">badsmtp-session[");
	buf_add_decimal(&h, getpid(), 0);
	buf_adds(&h, "]: ");
	if (h.truncated)
		return;
	iov[0] = (struct iovec){ head, h.len };
	iov[1] = (struct iovec){ (void *)text, n };
	/* No daemon at start, or one that restarted since: connect again, once per event. */
	if (syslog_fd < 0 || writev(syslog_fd, iov, 2) < 0) {
		syslog_connect();
		if (syslog_fd >= 0 && writev(syslog_fd, iov, 2) < 0) {
			/* Nowhere left to report a logging failure; the session goes on. */
		}
	}
}

static void write_out(const char *p, size_t n)
{
	if (write(target_fd, p, n) < 0) {
		/* Nowhere left to report a logging failure; the session goes on. */
	}
}

void log_flush(void)
{
	if (pending_len > 0)
		write_out(pending, pending_len);
	pending_len = 0;
}

int log_open(const char *name, enum log_format fmt, enum log_level level, char *err, size_t errlen)
{
	clock_on_block(log_flush);
	format = fmt;
	min_level = level;
	if (strcmp(name, "auto") == 0) {
		if (fd2_is(FD2_JOURNAL) && open_journal() == 0)
			target = TARGET_JOURNAL;
		else if (fd2_is(FD2_SOCKET))
			open_syslog();
		else
			target = TARGET_STDERR;
	} else if (strcmp(name, "stderr") == 0) {
		target = TARGET_STDERR;
	} else if (strcmp(name, "syslog") == 0) {
		open_syslog();
	} else if (strcmp(name, "journal") == 0) {
		if (open_journal() != 0) {
			snprintf(err, errlen, "--log-target journal: cannot load libsystemd.so.0");
			return -1;
		}
		target = TARGET_JOURNAL;
	} else if (strncmp(name, "file:", 5) == 0 && name[5] != '\0') {
		target_fd = open(name + 5, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
		if (target_fd < 0) {
			snprintf(err, errlen, "--log-target %s: %s", name, strerror(errno));
			return -1;
		}
		target = TARGET_FILE;
	} else {
		snprintf(err, errlen, "--log-target: unknown target '%s'", name);
		return -1;
	}
	return 0;
}

void log_set_context(const char *session_id, const char *client_ip)
{
	ctx_session_id = session_id;
	ctx_client_ip = client_ip;
}

int log_enabled(enum log_level level)
{
	return level >= min_level;
}

/* JSON string escaping; invalid UTF-8 becomes U+FFFD so every line is valid JSON. Runs of bytes
 * that need nothing are copied at once: most values are plain ASCII. */
static void put_escaped(struct buf *l, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);

	while (n > 0) {
		size_t run = 0, seq = 1;

		while (run < n && p[run] >= 0x20 && p[run] < 0x7F && p[run] != '"' && p[run] != '\\')
			run++;
		buf_add(l, (const char *)p, run);
		p += run;
		n -= run;
		if (n == 0)
			break;
		if (*p == '"' || *p == '\\') {
			char esc[2] = { '\\', (char)*p };

			buf_add(l, esc, 2);
		} else if (*p < 0x20 || *p == 0x7F) {
			char esc[6] = { '\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15] };

			buf_add(l, esc, 6);
		} else if ((seq = utf8_sequence_len(p, n)) > 0) {
			buf_add(l, (const char *)p, seq);
		} else {
			buf_adds(l, "\\ufffd");
			seq = 1;
		}
		p += seq;
		n -= seq;
	}
}

static void put_quoted(struct buf *l, const char *s)
{
	buf_adds(l, "\"");
	put_escaped(l, s);
	buf_adds(l, "\"");
}

static void put_value(struct buf *l, const struct log_field *f)
{
	switch (f->type) {
	case LOG_STR:
		put_quoted(l, f->str ? f->str : "");
		break;
	case LOG_NUM:
		buf_add_decimal(l, f->num, 0);
		break;
	case LOG_BOOL:
		buf_adds(l, f->num ? "true" : "false");
		break;
	case LOG_STRV:
		buf_adds(l, "[");
		for (size_t i = 0; i < f->strc; i++) {
			if (i > 0)
				buf_adds(l, ",");
			put_quoted(l, f->strv[i]);
		}
		buf_adds(l, "]");
		break;
	}
}

/* Text form: plain words stay bare, anything with spaces, quotes or controls is quoted. */
static void put_text_value(struct buf *l, const struct log_field *f)
{
	const char *s = f->str ? f->str : "";

	if (f->type == LOG_STR && *s != '\0' && strpbrk(s, " \"\\=\t\r\n") == NULL) {
		for (const unsigned char *p = (const unsigned char *)s; *p; p++)
			if (*p < 0x20 || *p >= 0x7F)
				goto quoted;
		buf_adds(l, s);
		return;
	}
quoted:
	put_value(l, f);
}

/* Fields sorted by name (SPEC §11); a handful per event, so insertion sort of pointers. */
static size_t sorted_fields(const struct log_field *in, size_t n, const struct log_field **out,
                            const struct log_field *extra, size_t nextra, size_t cap)
{
	size_t count = 0;

	for (size_t i = 0; i < n + nextra && count < cap; i++) {
		const struct log_field *f = i < n ? &in[i] : &extra[i - n];
		size_t j = count++;

		while (j > 0 && strcmp(out[j - 1]->key, f->key) > 0) {
			out[j] = out[j - 1];
			j--;
		}
		out[j] = f;
	}
	return count;
}

static void render(struct buf *l, enum log_level level, const char *message,
                   const struct log_field **fields, size_t n)
{
	if (format == LOG_FORMAT_JSON) {
		buf_adds(l, "{\"timestamp\":\"");
		clock_iso8601_now(l);
		buf_adds(l, "\",\"level\":\"");
		buf_adds(l, level_names[level]);
		buf_adds(l, "\",\"message\":");
		put_quoted(l, message);
		buf_adds(l, ",\"fields\":{");
		for (size_t i = 0; i < n; i++) {
			if (i > 0)
				buf_adds(l, ",");
			put_quoted(l, fields[i]->key);
			buf_adds(l, ":");
			put_value(l, fields[i]);
		}
		buf_adds(l, "}}");
	} else {
		clock_iso8601_now(l);
		buf_adds(l, " [");
		buf_adds(l, level_names[level]);
		buf_adds(l, "] ");
		buf_adds(l, message);
		for (size_t i = 0; i < n; i++) {
			buf_adds(l, " ");
			buf_adds(l, fields[i]->key);
			buf_adds(l, "=");
			put_text_value(l, fields[i]);
		}
	}
}

/* journald: one upper-case SMTP_* field per log field; arrays become repeated fields. */
static void send_journal(enum log_level level, const char *message,
                         const struct log_field **fields, size_t n)
{
	static char store[LINE_MAX_LEN * 2];
	struct iovec iov[JOURNAL_FIELDS_MAX];
	size_t used = 0;
	int niov = 0;

	/* Appends "NAME=value" to the store and points an iovec at it. */
#define ADD(...) do { \
		int w_ = snprintf(store + used, sizeof store - used, __VA_ARGS__); \
		if (w_ < 0 || (size_t)w_ >= sizeof store - used || niov == JOURNAL_FIELDS_MAX) \
			break; \
		iov[niov++] = (struct iovec){ store + used, (size_t)w_ }; \
		used += (size_t)w_ + 1; \
	} while (0)

	ADD("MESSAGE=%s", message);
	ADD("PRIORITY=%d", syslog_priorities[level]);
	ADD("SYSLOG_IDENTIFIER=badsmtp-session");
	for (size_t i = 0; i < n; i++) {
		char key[64];
		size_t k;

		for (k = 0; fields[i]->key[k] && k < sizeof key - 1; k++)
			key[k] = text_upper(fields[i]->key[k]);
		key[k] = '\0';
		/* smtp_state is SMTP_STATE, not SMTP_SMTP_STATE */
		const char *prefix = strncmp(key, "SMTP_", 5) == 0 ? "" : "SMTP_";

		switch (fields[i]->type) {
		case LOG_STR:
			ADD("%s%s=%s", prefix, key, fields[i]->str ? fields[i]->str : "");
			break;
		case LOG_NUM:
			ADD("%s%s=%lld", prefix, key, fields[i]->num);
			break;
		case LOG_BOOL:
			ADD("%s%s=%s", prefix, key, fields[i]->num ? "true" : "false");
			break;
		case LOG_STRV:
			for (size_t j = 0; j < fields[i]->strc; j++)
				ADD("%s%s=%s", prefix, key, fields[i]->strv[j]);
			break;
		}
	}
#undef ADD
	journal_sendv(iov, niov);
}

void log_event(enum log_level level, const char *message, const struct log_field *fields,
               size_t nfields)
{
	static char line[LINE_MAX_LEN];
	struct log_field context[2];
	const struct log_field *sorted[JOURNAL_FIELDS_MAX];
	size_t ncontext = 0, n;
	struct buf l;

	if (!log_enabled(level))
		return;
	if (ctx_session_id != NULL)
		context[ncontext++] = LOG_S("session_id", ctx_session_id);
	if (ctx_client_ip != NULL)
		context[ncontext++] = LOG_S("client_ip", ctx_client_ip);
	n = sorted_fields(fields, nfields, sorted, context, ncontext, JOURNAL_FIELDS_MAX);

	if (target == TARGET_JOURNAL) {
		send_journal(level, message, sorted, n);
		return;
	}
	/* Straight into the lines pending, where it fits: no copy, and no line buffer on the stack
	 * of every session (in a forked one, each page it writes is a fault). One octet is held
	 * back, so that the line still ends in its newline. */
	if (target != TARGET_SYSLOG) {
		if (sizeof pending - pending_len < 2)
			log_flush();
		buf_init(&l, pending + pending_len, sizeof pending - pending_len - 1);
		render(&l, level, message, sorted, n);
		if (l.truncated && pending_len > 0) {
			log_flush();
			buf_init(&l, pending, sizeof pending - 1);
			render(&l, level, message, sorted, n);
		}
		if (!l.truncated) {
			l.p[l.len++] = '\n';
			pending_len += l.len;
			return;
		}
	}
	/* syslog's datagram, or a line longer than PIPE_BUF, which goes out alone */
	buf_init(&l, line, sizeof line - 1);
	render(&l, level, message, sorted, n);
	if (target == TARGET_SYSLOG) {
		send_syslog(syslog_priorities[level], l.p, l.len);
		return;
	}
	l.p[l.len++] = '\n';
	write_out(l.p, l.len);
}

void log_fatal_setup(const char *message)
{
	char line[1024];
	struct buf b;

	/* One line whatever the value it quotes held (SPEC §1). */
	buf_init(&b, line, sizeof line);
	buf_add_printable(&b, message);
	if (fd2_is(FD2_SOCKET)) {
		open_syslog();
		send_syslog(LOG_ERR, line, b.len);
	} else {
		dprintf(2, "badsmtp-session: %s\n", line);
	}
}
