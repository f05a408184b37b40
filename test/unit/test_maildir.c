/* test_maildir: SPEC §12 delivery, in a temporary directory. The message appears in new/ with
 * exactly the bytes written (small writes, writes larger than the buffer, an empty message);
 * tmp/ is empty after commit and after abort; the directories are created; the name is
 * {seconds}.M{usec}P{pid}Q{n}.{hostname} with a '/' or ':' in the hostname escaped as \057 and
 * \072 (maildir(5)); missing parents are made 0700 like mkdir -p, existing ones kept as they
 * are; a directory that cannot be created fails with nothing left behind; a rename that fails
 * leaves nothing in tmp/. The headers badsmtp adds, the optional X-BadSMTP-DSN: of SPEC §17
 * after Received:, folded at its "; " only where a line would pass 998 octets; the
 * X-BadSMTP-Violations line after our others, also when the body adds to it (SPEC §21). */
#include "file.h"
#include "maildir.h"
#include "tap.h"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* The clock maildir.c names files by. time(2) reads the coarse clock, which can still show the
 * previous second when gettimeofday already shows the next: bounds from it made the "seconds
 * are now" checks fail near a second boundary. */
static time_t now_seconds(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return tv.tv_sec;
}

static char base[256];

/* Entries of a directory other than . and ..; the first one's name in first. -1: no dir. */
static int count_entries(const char *dir, char *first, size_t cap)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (first != NULL && cap > 0)
		first[0] = '\0';
	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (n++ == 0 && first != NULL)
			snprintf(first, cap, "%s", e->d_name);
	}
	closedir(d);
	return n;
}

static int sub_count(const char *dir, const char *sub, char *first, size_t cap)
{
	char path[1024];

	snprintf(path, sizeof path, "%s/%s", dir, sub);
	return count_entries(path, first, cap);
}

static int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void rm_tree(const char *path)
{
	nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

struct name_parts {
	long long seconds, usec, pid, q;
	char host[256];
};

/* {seconds}.M{usec}P{pid}Q{n}.{hostname}; 0 when the name has that shape. */
static int parse_name(const char *name, struct name_parts *np)
{
	regex_t re;
	regmatch_t m[6];
	int ok;

	if (regcomp(&re, "^([0-9]+)\\.M([0-9]+)P([0-9]+)Q([0-9]+)\\.(.+)$", REG_EXTENDED) != 0)
		return -1;
	ok = regexec(&re, name, 6, m, 0) == 0;
	regfree(&re);
	if (!ok)
		return -1;
	np->seconds = strtoll(name + m[1].rm_so, NULL, 10);
	np->usec = strtoll(name + m[2].rm_so, NULL, 10);
	np->pid = strtoll(name + m[3].rm_so, NULL, 10);
	np->q = strtoll(name + m[4].rm_so, NULL, 10);
	snprintf(np->host, sizeof np->host, "%s", name + m[5].rm_so);
	return 0;
}

/* How a message is written: in pieces of these sizes, cycling. */
struct delivery {
	const char *what;
	const char *hostname;
	size_t len;
	size_t pieces[4];
	const char *want_host;   /* as it must appear in the file name */
};

static const struct delivery deliveries[] = {
	{ "a small message in one write", "badsmtp.test", 60, { 60 }, "badsmtp.test" },
	{ "an empty message", "badsmtp.test", 0, { 1 }, "badsmtp.test" },
	{ "one octet at a time", "badsmtp.test", 3000, { 1 }, "badsmtp.test" },
	{ "pieces across the buffer edge", "badsmtp.test", 50000, { 1000, 7, 16383, 2 },
	  "badsmtp.test" },
	{ "one write larger than the buffer", "badsmtp.test", 100000, { 100000 }, "badsmtp.test" },
	{ "exactly the buffer size", "badsmtp.test", 16384, { 16384 }, "badsmtp.test" },
	{ "buffer-size writes after a small one", "badsmtp.test", 40000, { 5, 16384 },
	  "badsmtp.test" },
	{ "a '/' in the hostname", "a/b", 10, { 10 }, "a\\057b" },
	{ "a ':' in the hostname", "host:2525", 10, { 10 }, "host\\0722525" },
	{ "both", "x/y:z", 10, { 10 }, "x\\057y\\072z" },
};

static void test_delivery(const struct delivery *dv, int k, long long *last_q)
{
	char dir[512], name[1024], first[600], path[1200];
	static char want[200000], got[200000];
	struct maildir_msg *m = malloc(sizeof *m);
	struct name_parts np;
	time_t before = now_seconds(), after;
	size_t at = 0;
	int piece = 0;
	long n;

	snprintf(dir, sizeof dir, "%s/md%d", base, k);
	for (size_t i = 0; i < dv->len; i++)
		want[i] = "Return-Path: <a@b>\r\n\0\xff.x"[i % 24];
	snprintf(name, sizeof name, "%s: maildir_open", dv->what);
	tap_int(maildir_open(m, dir, dv->hostname), 0, name);
	snprintf(name, sizeof name, "%s: tmp/ new/ cur/ created", dv->what);
	snprintf(path, sizeof path, "%s/tmp", dir);
	tap_ok(is_dir(path) && (snprintf(path, sizeof path, "%s/new", dir), is_dir(path)) &&
	       (snprintf(path, sizeof path, "%s/cur", dir), is_dir(path)), name);
	snprintf(name, sizeof name, "%s: the open file is in tmp/", dv->what);
	tap_int(sub_count(dir, "tmp", NULL, 0), 1, name);
	while (at < dv->len) {
		size_t len = dv->pieces[piece];

		if (len == 0)
			len = dv->pieces[piece = 0];
		if (len > dv->len - at)
			len = dv->len - at;
		maildir_write(m, want + at, len);
		at += len;
		piece = (piece + 1) % 4;
	}
	snprintf(name, sizeof name, "%s: nothing in new/ before commit", dv->what);
	tap_int(sub_count(dir, "new", NULL, 0), 0, name);
	snprintf(name, sizeof name, "%s: maildir_commit", dv->what);
	tap_int(maildir_commit(m), 0, name);
	after = now_seconds();
	snprintf(name, sizeof name, "%s: tmp/ empty after commit", dv->what);
	tap_int(sub_count(dir, "tmp", NULL, 0), 0, name);
	snprintf(name, sizeof name, "%s: one file in new/", dv->what);
	tap_int(sub_count(dir, "new", first, sizeof first), 1, name);
	snprintf(name, sizeof name, "%s: nothing in cur/", dv->what);
	tap_int(sub_count(dir, "cur", NULL, 0), 0, name);

	snprintf(path, sizeof path, "%s/new/%s", dir, first);
	snprintf(name, sizeof name, "%s: new_path names the file", dv->what);
	tap_str(m->new_path, path, name);
	n = file_read(path, got, sizeof got, 0);
	snprintf(name, sizeof name, "%s: the file holds exactly the %zu octets written", dv->what,
	         dv->len);
	if (n >= 0 && (size_t)n == dv->len && memcmp(got, want, dv->len) == 0) {
		tap_ok(1, name);
	} else {
		tap_ok(0, name);
		printf("#   got %ld octets, want %zu\n", n, dv->len);
	}

	snprintf(name, sizeof name, "%s: name %s is {seconds}.M{usec}P{pid}Q{n}.{host}", dv->what,
	         first);
	tap_int(parse_name(first, &np), 0, name);
	snprintf(name, sizeof name, "%s: name's seconds are now", dv->what);
	tap_ok(np.seconds >= (long long)before && np.seconds <= (long long)after, name);
	snprintf(name, sizeof name, "%s: name's microseconds < 1000000", dv->what);
	tap_ok(np.usec >= 0 && np.usec < 1000000, name);
	snprintf(name, sizeof name, "%s: name's pid", dv->what);
	tap_int(np.pid, (long long)getpid(), name);
	snprintf(name, sizeof name, "%s: name's hostname", dv->what);
	tap_str(np.host, dv->want_host, name);
	if (*last_q >= 0) {
		snprintf(name, sizeof name, "%s: Q counts deliveries (previous %lld)", dv->what,
		         *last_q);
		tap_int(np.q, *last_q + 1, name);
	}
	*last_q = np.q;
	free(m);
}

static void test_abort(void)
{
	char dir[512];
	struct maildir_msg *m = malloc(sizeof *m);

	snprintf(dir, sizeof dir, "%s/abort", base);
	tap_int(maildir_open(m, dir, "badsmtp.test"), 0, "abort: maildir_open");
	maildir_write(m, "Subject: x\r\n\r\nbody\r\n", 20);
	tap_int(sub_count(dir, "tmp", NULL, 0), 1, "abort: the file is in tmp/");
	maildir_abort(m);
	tap_int(sub_count(dir, "tmp", NULL, 0), 0, "abort: tmp/ empty after abort");
	tap_int(sub_count(dir, "new", NULL, 0), 0, "abort: new/ empty after abort");
	maildir_abort(m);
	tap_ok(1, "abort: a second abort is harmless");
	tap_int(maildir_commit(m), -1, "abort: commit after abort fails");
	tap_int(sub_count(dir, "new", NULL, 0), 0, "abort: still nothing in new/");

	/* a large message aborted after some of it reached the disk */
	tap_int(maildir_open(m, dir, "badsmtp.test"), 0, "abort large: maildir_open");
	for (int i = 0; i < 100; i++)
		maildir_write(m, "0123456789012345678901234567890123456789012345678901234567890123"
		              "0123456789012345678901234567890123456789012345678901234567890123"
		              "0123456789012345678901234567890123456789012345678901234567890123"
		              "0123456789012345678901234567890123456789012345678901234567890123", 256);
	maildir_abort(m);
	tap_int(sub_count(dir, "tmp", NULL, 0), 0, "abort large: tmp/ empty");
	tap_int(sub_count(dir, "new", NULL, 0), 0, "abort large: new/ empty");
	free(m);
}

/* Failures: nothing may be left in tmp/ or new/. */
static void test_failures(void)
{
	char file[512], dir[600], path[700];
	struct maildir_msg *m = malloc(sizeof *m);
	int fd;

	/* a path under a regular file cannot be created */
	snprintf(file, sizeof file, "%s/plainfile", base);
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd >= 0)
		close(fd);
	snprintf(dir, sizeof dir, "%s/md", file);
	tap_int(maildir_open(m, dir, "badsmtp.test"), -1, "under a regular file: maildir_open fails");
	tap_int(m->failed, 1, "... the message is marked failed");
	tap_int(m->fd, -1, "... no fd is open");
	maildir_write(m, "x", 1);
	tap_int(maildir_commit(m), -1, "... commit fails");
	maildir_abort(m);
	tap_ok(1, "... abort after a failed open is harmless");
	tap_int(count_entries(base, NULL, 0), 1, "... nothing was created next to it");

	/* the Maildir path is itself a regular file */
	tap_int(maildir_open(m, file, "badsmtp.test"), -1, "a regular file as the Maildir fails");
	maildir_abort(m);

	/* tmp is a regular file: open fails, nothing in new/ */
	snprintf(dir, sizeof dir, "%s/badtmp", base);
	mkdir(dir, 0700);
	snprintf(path, sizeof path, "%s/tmp", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd >= 0)
		close(fd);
	tap_int(maildir_open(m, dir, "badsmtp.test"), -1, "tmp is a file: maildir_open fails");
	tap_ok(sub_count(dir, "new", NULL, 0) <= 0, "... nothing in new/");
	maildir_abort(m);

	/* new is a regular file: the rename fails at commit, and tmp/ is cleaned up */
	snprintf(dir, sizeof dir, "%s/badnew", base);
	mkdir(dir, 0700);
	snprintf(path, sizeof path, "%s/new", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd >= 0)
		close(fd);
	if (maildir_open(m, dir, "badsmtp.test") == 0) {
		maildir_write(m, "body\r\n", 6);
		tap_int(maildir_commit(m), -1, "new is a file: commit fails");
		tap_int(sub_count(dir, "tmp", NULL, 0), 0, "... nothing left in tmp/");
		maildir_abort(m);
	} else {
		tap_ok(1, "new is a file: maildir_open fails already");
		tap_int(sub_count(dir, "tmp", NULL, 0), 0, "... nothing left in tmp/");
	}

	/* a path too long for the buffers fails cleanly */
	{
		static char longdir[5000];

		memset(longdir, 'd', sizeof longdir - 1);
		longdir[0] = '/';
		tap_int(maildir_open(m, longdir, "badsmtp.test"), -1, "a 4999-octet path fails");
		maildir_abort(m);
	}
	free(m);
}

/* An existing Maildir is used as it is; messages accumulate with distinct names. */
static void test_existing(void)
{
	char dir[512], name1[600], name2[600];
	struct maildir_msg *m = malloc(sizeof *m);
	int n;

	snprintf(dir, sizeof dir, "%s/existing", base);
	tap_int(maildir_open(m, dir, "h"), 0, "existing: first message");
	maildir_write(m, "1", 1);
	tap_int(maildir_commit(m), 0, "existing: first commit");
	sub_count(dir, "new", name1, sizeof name1);
	tap_int(maildir_open(m, dir, "h"), 0, "existing: second message in the same Maildir");
	maildir_write(m, "2", 1);
	tap_int(maildir_commit(m), 0, "existing: second commit");
	n = sub_count(dir, "new", NULL, 0);
	tap_int(n, 2, "existing: two files in new/");
	tap_int(sub_count(dir, "tmp", NULL, 0), 0, "existing: tmp/ empty");
	snprintf(name2, sizeof name2, "%s", strrchr(m->new_path, '/') + 1);
	tap_ok(strcmp(name1, name2) != 0, "existing: the two names differ");
	free(m);
}

static int mode_is(const char *path, mode_t mode)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 07777) == mode;
}

/* A Maildir under missing parents (SPEC §12: created like mkdir -p). */
static void test_parents(void)
{
	char top[512], dir[600], path[700];
	struct maildir_msg *m = malloc(sizeof *m);

	snprintf(top, sizeof top, "%s/parents", base);
	mkdir(top, 0755);
	chmod(top, 0755);
	snprintf(dir, sizeof dir, "%s/deep/er/Maildir", top);
	tap_int(maildir_open(m, dir, "h"), 0, "parents: maildir_open under missing parents");
	maildir_write(m, "x", 1);
	tap_int(maildir_commit(m), 0, "parents: commit");
	tap_int(sub_count(dir, "new", NULL, 0), 1, "parents: the message is in new/");
	snprintf(path, sizeof path, "%s/deep", top);
	tap_ok(mode_is(path, 0700), "parents: a new parent is 0700");
	snprintf(path, sizeof path, "%s/deep/er", top);
	tap_ok(mode_is(path, 0700), "parents: the next one too");
	tap_ok(mode_is(dir, 0700), "parents: the Maildir is 0700");
	tap_ok(mode_is(top, 0755), "parents: an existing parent keeps its mode");
	free(m);
}

/* The header lines badsmtp adds (SPEC §12), byte for byte, for every with-keyword of RFC 3848. */
static void test_headers(void)
{
	static const struct {
		int extended, tls, authenticated;
		const char *with;
	} rows[] = {
		{ 0, 0, 0, "SMTP" }, { 0, 1, 1, "SMTP" }, { 1, 0, 0, "ESMTP" }, { 1, 1, 0, "ESMTPS" },
		{ 1, 0, 1, "ESMTPA" }, { 1, 1, 1, "ESMTPSA" },
	};
	static const char *const rcpts[] = { "b@example.com", "Postmaster" };
	char dir[512], want[1024], got[1024], name[96];

	snprintf(dir, sizeof dir, "%s/headers", base);
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct maildir_msg m;
		int fd, n;
		ssize_t len;

		maildir_open(&m, dir, "mx.example");
		maildir_write_headers(&m, &(struct maildir_envelope){
			.sender = i == 0 ? "" : "a@example.com", .rcpts = rcpts, .nrcpts = 2,
			.helo = "client.example", .client_ip = "192.0.2.1", .hostname = "mx.example",
			.session_id = "sess_0123456789ab", .extended = rows[i].extended,
			.tls = rows[i].tls, .authenticated = rows[i].authenticated,
			.received = 951868799 });
		tap_int(maildir_commit(&m), 0, "headers: committed");
		n = snprintf(want, sizeof want, "Return-Path: <%s>\r\n"
		             "X-BadSMTP-Rcpt-To: b@example.com, Postmaster\r\n"
		             "Received: from client.example (192.0.2.1) by mx.example with %s id "
		             "sess_0123456789ab; Tue, 29 Feb 2000 23:59:59 +0000\r\n",
		             i == 0 ? "" : "a@example.com", rows[i].with);
		fd = open(m.new_path, O_RDONLY);
		len = fd >= 0 ? read(fd, got, sizeof got) : -1;
		if (fd >= 0)
			close(fd);
		snprintf(name, sizeof name, "headers: with %s, sender %s", rows[i].with,
		         i == 0 ? "<>" : "a@example.com");
		tap_mem(got, len > 0 ? (size_t)len : 0, want, (size_t)n, name);
		unlink(m.new_path);
	}
}

/* The header lines of envelope e, as stored. */
static void headers_of(const struct maildir_envelope *e, char *got, size_t cap, const char *dir)
{
	struct maildir_msg *m = malloc(sizeof *m);
	char name[600], path[1400];
	FILE *f;
	size_t n = 0;

	got[0] = '\0';
	if (m == NULL || maildir_open(m, dir, "h") != 0)
		abort();
	maildir_write_headers(m, e);
	if (maildir_commit(m) != 0 || sub_count(dir, "new", name, sizeof name) != 1)
		abort();
	snprintf(path, sizeof path, "%s/new/%s", dir, name);
	f = fopen(path, "rb");
	if (f != NULL) {
		n = fread(got, 1, cap - 1, f);
		fclose(f);
	}
	got[n] = '\0';
	unlink(path);
	free(m);
}

static void test_dsn_header(void)
{
	static char got[8192], want[8192], value[4096];
	const char *rcpts[] = { "b@example.com" };
	struct maildir_envelope e = {
		.sender = "a@example.com", .rcpts = rcpts, .nrcpts = 1, .helo = "client",
		.client_ip = "pipe", .hostname = "badsmtp.test", .session_id = "sess_0123456789ab",
		.extended = 1, .received = 0,
	};
	const char *head = "Return-Path: <a@example.com>\r\nX-BadSMTP-Rcpt-To: b@example.com\r\n"
	                   "Received: from client (pipe) by badsmtp.test with ESMTP id "
	                   "sess_0123456789ab; Thu, 01 Jan 1970 00:00:00 +0000\r\n";
	char dir[600];
	size_t len;

	snprintf(dir, sizeof dir, "%s/dsn", base);
	headers_of(&e, got, sizeof got, dir);
	tap_str(got, head, "no DSN parameters: no X-BadSMTP-DSN:");
	e.dsn = "RET=HDRS; ENVID=QQ314159; b@example.com NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b@x";
	headers_of(&e, got, sizeof got, dir);
	snprintf(want, sizeof want, "%sX-BadSMTP-DSN: %s\r\n", head, e.dsn);
	tap_str(got, want, "X-BadSMTP-DSN: after Received:, one line");
	/* items of 300 octets: the fourth would take the line past 998 */
	len = 0;
	for (int i = 0; i < 5; i++)
		len += (size_t)snprintf(value + len, sizeof value - len, "%sr%d@x NOTIFY=NEVER ORCPT=rfc822;%0270d",
		                        i ? "; " : "", i, 0);
	e.dsn = value;
	headers_of(&e, got, sizeof got, dir);
	tap_ok(strstr(got, "X-BadSMTP-DSN: r0@x") != NULL, "a long X-BadSMTP-DSN: starts on its line");
	tap_ok(strstr(got, ";\r\n r3@x NOTIFY") != NULL && strstr(got, ";\r\n r2@x") == NULL,
	       "... folded before the item that would pass 998 octets");
	{
		char *start = strstr(got, "X-BadSMTP-DSN:"), *p = start;
		size_t longest = 0;

		while (p != NULL && *p != '\0') {
			char *crlf = strstr(p, "\r\n");
			size_t n = crlf != NULL ? (size_t)(crlf - p) : strlen(p);

			longest = n > longest ? n : longest;
			p = crlf != NULL ? crlf + 2 : NULL;
		}
		tap_ok(start != NULL && longest <= 998, "... no line longer than 998 octets");
	}
	{
		const char *r3 = strstr(value, "; r3@x");

		snprintf(want, sizeof want, "%sX-BadSMTP-DSN: %.*s;\r\n %s\r\n", head,
		         (int)(r3 - value), value, r3 + 2);
		tap_str(got, want, "... exactly: \"; \" before the fourth item becomes \";\\r\\n \"");
	}
}

/* SPEC §19, §21: the X-BadSMTP-Violations line after Received:, when there are any, and its
 * rewrite when the body adds some: the file is exactly our header lines, that line, the body,
 * whether the body still sat in the buffer or was already written out. */
static const struct {
	const char *what;
	const char *at_begin;   /* the envelope's violations */
	size_t body;            /* octets */
	const char *later;      /* maildir_set_violations, or NULL */
	const char *want;       /* the header value, or NULL for no line */
} violation_rows[] = {
	{ "none", NULL, 40, NULL, NULL },
	{ "an empty list", "", 40, NULL, NULL },
	{ "some at the start", "early_talker, bare_lf", 40, NULL, "early_talker, bare_lf" },
	{ "added by a small body", NULL, 40, "bare_lf", "bare_lf" },
	{ "grown by a small body", "early_talker", 40, "early_talker, bare_cr",
	  "early_talker, bare_cr" },
	{ "added by a body already written out", NULL, 50000, "long_text_line", "long_text_line" },
	{ "grown by a body already written out", "bare_lf", 100000, "bare_lf, eight_bit_without_8bitmime",
	  "bare_lf, eight_bit_without_8bitmime" },
	{ "set to the same", "no_quit", 20000, "no_quit", "no_quit" },
};

static void test_violations_header(void)
{
	static const char *const rcpts[] = { "c@d.example" };
	static char body[100000], want[110000], got[110000];
	static const char pattern[] = "Subject: x\r\n\r\nbody\r\n";
	static const char head[] = "Return-Path: <a@b.example>\r\nX-BadSMTP-Rcpt-To: c@d.example\r\n"
	                           "Received: from h.example (pipe) by badsmtp.test with ESMTP id "
	                           "sess_0123456789ab; Thu, 01 Jan 1970 00:00:00 +0000\r\n";
	char dir[512], first[600], path[1200], name[200];

	for (size_t i = 0; i < sizeof body; i++)
		body[i] = pattern[i % (sizeof pattern - 1)];
	for (size_t i = 0; i < sizeof violation_rows / sizeof violation_rows[0]; i++) {
		struct maildir_msg *m = malloc(sizeof *m);
		struct maildir_envelope e = {
			.sender = "a@b.example", .rcpts = rcpts, .nrcpts = 1, .helo = "h.example",
			.client_ip = "pipe", .hostname = "badsmtp.test", .session_id = "sess_0123456789ab",
			.extended = 1, .received = 0, .violations = violation_rows[i].at_begin,
		};
		size_t n = 0;
		long len;

		snprintf(dir, sizeof dir, "%s/violations%zu", base, i);
		if (m == NULL || maildir_open(m, dir, "badsmtp.test") != 0) {
			tap_ok(0, "violations: maildir_open");
			free(m);
			continue;
		}
		maildir_write_headers(m, &e);
		for (size_t at = 0; at < violation_rows[i].body; at += 7000)
			maildir_write(m, body + at, violation_rows[i].body - at < 7000 ?
			                            violation_rows[i].body - at : 7000);
		if (violation_rows[i].later != NULL)
			maildir_set_violations(m, violation_rows[i].later);
		snprintf(name, sizeof name, "violations, %s: one file in tmp/ before commit",
		         violation_rows[i].what);
		tap_int(sub_count(dir, "tmp", NULL, 0), 1, name);
		snprintf(name, sizeof name, "violations, %s: commit", violation_rows[i].what);
		tap_int(maildir_commit(m), 0, name);
		snprintf(name, sizeof name, "violations, %s: tmp/ empty, one file in new/",
		         violation_rows[i].what);
		tap_ok(sub_count(dir, "tmp", NULL, 0) == 0 && sub_count(dir, "new", first, sizeof first) == 1,
		       name);
		n = (size_t)snprintf(want, sizeof want, "%s", head);
		if (violation_rows[i].want != NULL)
			n += (size_t)snprintf(want + n, sizeof want - n, "X-BadSMTP-Violations: %s\r\n",
			                      violation_rows[i].want);
		memcpy(want + n, body, violation_rows[i].body);
		n += violation_rows[i].body;
		snprintf(path, sizeof path, "%s/new/%s", dir, first);
		len = file_read(path, got, sizeof got, 0);
		snprintf(name, sizeof name, "violations, %s: the file is exactly our lines, then the body",
		         violation_rows[i].what);
		tap_mem(got, len < 0 ? 0 : (size_t)len, want, n, name);
		free(m);
	}
}

int main(void)
{
	long long last_q = -1;

	snprintf(base, sizeof base, "%s/badsmtp-test-maildir-XXXXXX",
	         getenv("TMPDIR") != NULL && *getenv("TMPDIR") != '\0' ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(base) == NULL) {
		printf("Bail out! mkdtemp %s failed\n", base);
		return 1;
	}
	test_failures();
	for (size_t i = 0; i < sizeof deliveries / sizeof deliveries[0]; i++)
		test_delivery(&deliveries[i], (int)i, &last_q);
	test_abort();
	test_existing();
	test_parents();
	test_headers();
	test_dsn_header();
	test_violations_header();
	rm_tree(base);
	return tap_done();
}
