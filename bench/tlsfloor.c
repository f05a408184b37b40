/* tlsfloor: the TLS floor of a process-per-connection server. One GnuTLS handshake with a
 * certificate loaded from files, then the shortest dialogue tlsload drives: 220, 250 to each
 * command, 221 to QUIT. "tlsfloor starttls CERT KEY" talks plaintext until STARTTLS;
 * "tlsfloor smtps CERT KEY" shakes hands first. fds 0/1 are the socket (inetd style).
 * Benchmark use only. */
#include <gnutls/gnutls.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static int put(const char *s)
{
	size_t n = strlen(s);
	return write(1, s, n) == (ssize_t)n ? 0 : -1;
}

/* Plaintext phase: lines until STARTTLS; nothing after it is read before the handshake. */
static int plain_until_starttls(void)
{
	char line[1024];
	size_t n = 0;

	if (put("220 tlsfloor.test ESMTP\r\n") != 0)
		return -1;
	for (;;) {
		ssize_t r = read(0, line + n, sizeof line - 1 - n);
		if (r <= 0)
			return -1;
		n += (size_t)r;
		line[n] = '\0';
		char *nl;
		while ((nl = strstr(line, "\r\n")) != NULL) {
			int starttls = strncasecmp(line, "STARTTLS", 8) == 0;
			if (put(starttls ? "220 Ready to start TLS\r\n" :
			        strncasecmp(line, "EHLO", 4) == 0 ? "250-tlsfloor.test\r\n250 STARTTLS\r\n" :
			        "250 OK\r\n") != 0)
				return -1;
			if (starttls)
				return 0;
			n -= (size_t)(nl + 2 - line);
			memmove(line, nl + 2, n + 1);
		}
		if (n == sizeof line - 1)
			return -1;
	}
}

int main(int argc, char **argv)
{
	gnutls_certificate_credentials_t cred;
	gnutls_session_t s;
	char buf[4096];
	int r;

	if (argc != 4)
		return 100;
	if (strcmp(argv[1], "starttls") == 0 && plain_until_starttls() != 0)
		return 1;
	if (gnutls_certificate_allocate_credentials(&cred) < 0 ||
	    gnutls_certificate_set_x509_key_file(cred, argv[2], argv[3], GNUTLS_X509_FMT_PEM) < 0 ||
	    gnutls_init(&s, GNUTLS_SERVER) < 0 || gnutls_set_default_priority(s) < 0 ||
	    gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, cred) < 0)
		return 111;
	gnutls_transport_set_int2(s, 0, 1);
	do
		r = gnutls_handshake(s);
	while (r < 0 && gnutls_error_is_fatal(r) == 0);
	if (r < 0)
		return 1;
	if (strcmp(argv[1], "smtps") == 0 && gnutls_record_send(s, "220 tlsfloor.test ESMTP\r\n", 25) < 0)
		return 1;
	while ((r = (int)gnutls_record_recv(s, buf, sizeof buf)) > 0) {
		if (strncasecmp(buf, "QUIT", 4) == 0) {
			gnutls_record_send(s, "221 Bye\r\n", 9);
			gnutls_bye(s, GNUTLS_SHUT_WR);
			return 0;
		}
		if (gnutls_record_send(s, "250 OK\r\n", 8) < 0)
			return 1;
	}
	return r == 0 ? 0 : 1;
}
