/* tlsload: TLS load client for the benchmark. Runs N sessions, P at a time (P forked workers),
 * against 127.0.0.1:PORT and prints "sessions=N failed=F seconds=S rate=R" (sessions/s).
 *   -m starttls  220, EHLO, STARTTLS, handshake, EHLO, QUIT   (RFC 3207)
 *   -m smtps     handshake, 220, EHLO, QUIT                   (RFC 8314 implicit TLS)
 *   -H           hold: one session; after the second EHLO print "ready" and wait for stdin EOF
 *                before QUIT (lets the bench read the server's RSS).
 *   -e NAME      the name the first EHLO gives (default load.test): an EHLO keyword such as
 *                tlstrusted.load.test chooses a TLS fault for the STARTTLS that follows.
 * No certificate verification: the servers under test use self-signed certificates. */
#include "smtpreply.h"

#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static gnutls_certificate_credentials_t cred;
static int hold;
static char ehlo[300] = "EHLO load.test\r\n";

/* Reads one whole SMTP reply (through the final "ddd " line); returns its code or -1. */
static int reply(int fd, gnutls_session_t s)
{
	char buf[8192];
	int code;
	size_t n = 0;

	for (;;) {
		ssize_t r = s != NULL ? gnutls_record_recv(s, buf + n, sizeof buf - 1 - n) :
		                        read(fd, buf + n, sizeof buf - 1 - n);
		if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED)
			continue;
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

static int say(int fd, gnutls_session_t s, const char *cmd)
{
	size_t n = strlen(cmd);
	ssize_t r = s != NULL ? gnutls_record_send(s, cmd, n) : write(fd, cmd, n);
	return r == (ssize_t)n ? 0 : -1;
}

static int session(int port, int implicit)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	gnutls_session_t s = NULL;
	int fd, r, ok = -1, one = 1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
		goto out;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (!implicit && (reply(fd, NULL) != 220 || say(fd, NULL, ehlo) != 0 ||
	                  reply(fd, NULL) != 250 || say(fd, NULL, "STARTTLS\r\n") != 0 ||
	                  reply(fd, NULL) != 220))
		goto out;
	if (gnutls_init(&s, GNUTLS_CLIENT) < 0 || gnutls_set_default_priority(s) < 0 ||
	    gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, cred) < 0)
		goto out;
	gnutls_transport_set_int(s, fd);
	do
		r = gnutls_handshake(s);
	while (r < 0 && gnutls_error_is_fatal(r) == 0);
	if (r < 0)
		goto out;
	if (implicit && reply(fd, s) != 220)
		goto out;
	if (say(fd, s, "EHLO load.test\r\n") != 0 || reply(fd, s) != 250)
		goto out;
	if (hold) {
		char c;
		printf("ready\n");
		fflush(stdout);
		while (read(0, &c, 1) > 0)
			;
	}
	if (say(fd, s, "QUIT\r\n") != 0 || reply(fd, s) != 221)
		goto out;
	ok = 0;
out:
	if (s != NULL)
		gnutls_deinit(s);
	if (fd >= 0)
		close(fd);
	return ok;
}

int main(int argc, char **argv)
{
	int port = 0, n = 100, par = 1, implicit = 0, opt, failed = 0;
	struct timespec t0, t1;

	while ((opt = getopt(argc, argv, "p:m:n:c:e:H")) != -1) {
		switch (opt) {
		case 'p': port = atoi(optarg); break;
		case 'm': implicit = strcmp(optarg, "smtps") == 0; break;
		case 'n': n = atoi(optarg); break;
		case 'c': par = atoi(optarg); break;
		case 'H': hold = 1; break;
		case 'e':
			if (snprintf(ehlo, sizeof ehlo, "EHLO %s\r\n", optarg) >= (int)sizeof ehlo)
				return 2;
			break;
		default:
			fprintf(stderr, "usage: tlsload -p PORT [-m starttls|smtps] [-n N] [-c P] [-e NAME] [-H]\n");
			return 2;
		}
	}
	if (port <= 0 || n <= 0 || par <= 0)
		return 2;
	if (gnutls_global_init() < 0 || gnutls_certificate_allocate_credentials(&cred) < 0)
		return 111;
	if (hold)
		return session(port, implicit) == 0 ? 0 : 1;
	if (par > n)
		par = n;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int w = 0; w < par; w++) {
		pid_t pid = fork();
		if (pid < 0)
			return 111;
		if (pid == 0) {
			int bad = 0;
			for (int i = w; i < n; i += par)
				bad += session(port, implicit) != 0;
			_exit(bad > 255 ? 255 : bad);
		}
	}
	for (int st; wait(&st) > 0;)
		failed += WIFEXITED(st) ? WEXITSTATUS(st) : n;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("sessions=%d failed=%d seconds=%.3f rate=%.1f\n", n, failed, secs, (n - failed) / secs);
	return failed != 0;
}
