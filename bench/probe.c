/* probe: plain-SMTP helper for the benchmark, no TLS.
 *   probe greet PORT N      N sequential connections; time connect() -> complete "220 " line;
 *                           prints "p50_us=… p99_us=… failed=…"
 *   probe hold PORT BYTES   EHLO, then (BYTES > 0) one message of BYTES bytes; prints "ready" and
 *                           waits for stdin EOF before QUIT, so the bench can read the server's RSS.
 *   probe many PORT N       N connections held open at once, each read to its first reply;
 *                           prints "greeted=… refused=… failed=…" (220, 421, anything else) and
 *                           waits for stdin EOF before closing them all. */
#include "smtpreply.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int dial(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
		close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return fd;
}

/* One whole reply (through its "ddd " line); returns the code or -1. */
static int reply(int fd)
{
	char buf[8192];
	int code;
	size_t n = 0;

	for (;;) {
		ssize_t r = read(fd, buf + n, sizeof buf - 1 - n);
		if (r <= 0)
			return -1;
		n += (size_t)r;
		buf[n] = '\0';
		if ((code = reply_complete(buf, n)) != 0)
			return code;
		if (n == sizeof buf - 1)
			return -1;
	}
}

static int say(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t r = write(fd, p, n);
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static int greet(int port, int n)
{
	double *us = calloc((size_t)n, sizeof *us);
	int got = 0, failed = 0;

	if (us == NULL)
		return 111;
	for (int i = 0; i < n; i++) {
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		int fd = dial(port);
		int code = fd >= 0 ? reply(fd) : -1;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (code == 220)
			us[got++] = (double)(t1.tv_sec - t0.tv_sec) * 1e6 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e3;
		else
			failed++;
		if (fd >= 0) {
			say(fd, "QUIT\r\n", 6);
			reply(fd);
			close(fd);
		}
	}
	if (got == 0)
		return 1;
	qsort(us, (size_t)got, sizeof *us, cmp);
	printf("p50_us=%.0f p99_us=%.0f failed=%d\n", us[got / 2], us[(got * 99) / 100], failed);
	return failed != 0;
}

static int hold(int port, long bytes)
{
	static const char line[] = "Subject: benchmark filler line, seventy-eight octets before its CRLF....\r\n";
	int fd = dial(port);
	char c;

	if (fd < 0 || reply(fd) != 220 || say(fd, "EHLO probe.test\r\n", 17) != 0 || reply(fd) != 250)
		return 1;
	if (bytes > 0) {
		if (say(fd, "MAIL FROM:<a@b.c>\r\n", 19) != 0 || reply(fd) != 250 ||
		    say(fd, "RCPT TO:<d@e.f>\r\n", 17) != 0 || reply(fd) != 250 ||
		    say(fd, "DATA\r\n", 6) != 0 || reply(fd) != 354)
			return 1;
		for (long sent = 0; sent < bytes; sent += (long)sizeof line - 1)
			if (say(fd, line, sizeof line - 1) != 0)
				return 1;
		if (say(fd, ".\r\n", 3) != 0 || reply(fd) != 250)
			return 1;
	}
	printf("ready\n");
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	if (say(fd, "QUIT\r\n", 6) != 0 || reply(fd) != 221)
		return 1;
	close(fd);
	return 0;
}

static int many(int port, int n)
{
	struct rlimit lim;
	int *fds = calloc((size_t)n, sizeof *fds), greeted = 0, refused = 0, failed = 0;
	char c;

	if (fds == NULL)
		return 111;
	/* as many descriptors as the hard limit allows */
	if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
		lim.rlim_cur = lim.rlim_max;
		setrlimit(RLIMIT_NOFILE, &lim);
	}
	for (int i = 0; i < n; i++) {
		int code;

		fds[i] = dial(port);
		code = fds[i] >= 0 ? reply(fds[i]) : -1;
		if (code == 220)
			greeted++;
		else if (code == 421)
			refused++;
		else
			failed++;
	}
	printf("greeted=%d refused=%d failed=%d\n", greeted, refused, failed);
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(fds);
	return greeted == n ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "greet") == 0)
		return greet(atoi(argv[2]), atoi(argv[3]));
	if (argc == 4 && strcmp(argv[1], "hold") == 0)
		return hold(atoi(argv[2]), atol(argv[3]));
	if (argc == 4 && strcmp(argv[1], "many") == 0)
		return many(atoi(argv[2]), atoi(argv[3]));
	fprintf(stderr, "usage: probe greet PORT N | probe hold PORT BYTES | probe many PORT N\n");
	return 2;
}
