/* tls: one server-side TLS session over the session's own fds (SPEC §7; RFC 3207 STARTTLS,
 * RFC 8314 implicit TLS), through GnuTLS loaded with dlopen (tlsdl.c).
 * - Transport: our own push/pull over io->in_fd/io->out_fd with read(2)/writev(2), because
 *   GnuTLS's default recv()/sendmsg() fail on pipes. Pull never blocks: it reads only what
 *   poll() says is there, else EAGAIN, so after the handshake the io layer's own deadline and
 *   SIGTERM handling govern every wait for input. During the handshake GnuTLS waits in our
 *   pull_timeout (a clock_wait, SIGTERM let in) within gnutls_handshake_set_timeout's bound.
 *   GnuTLS pulls a record header, then its body: pull reads whatever has arrived into its own
 *   buffer and serves those small reads from it (one read per segment, not two per record).
 *   Bytes in that buffer are input the fd no longer shows, so every wait of the handshake asks
 *   the buffer before poll(): a ClientHello in two records, or garbage behind a first record,
 *   arrives in one read and must not leave us waiting on the fd for what we already hold.
 *   Push takes a whole flight of records in one writev, and waits for POLLOUT at most
 *   timeout_ms, so a client that stops reading cannot hang us.
 * - Certificates: --tls-cert/--tls-key loaded before the handshake; otherwise chosen after the
 *   ClientHello (post-client-hello callback) for the SNI name, generated or cached by cert.c.
 * - Priority "NORMAL" limited to TLS 1.3 and 1.2, set up once per process.
 * It does not speak SMTP, reply, or log the handshake result: the session does that from
 * tls_info and err. */
#include "tls.h"

#include "cert.h"
#include "clock.h"
#include "log.h"
#include "tlsdl.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#define PRIORITY "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

static struct {
	int ready;                                      /* priority (and file credentials) loaded */
	gnutls_priority_t priority;
	gnutls_certificate_credentials_t file_cred;     /* --tls-cert/--tls-key */
	gnutls_certificate_credentials_t gen_cred;      /* generated, for gen_name */
	char gen_name[CERT_NAME_MAX];
	const struct tls_settings *settings;            /* during tls_server_start only */
	int timeout_ms;                                 /* push's bound, for the whole session */
	gnutls_session_t session;
	int started, up, ended;
	int cred_failed;
	char cred_err[512];
	char sni[256];
	struct cert_pem pem;
	unsigned char in[16 * 1024 + 512];              /* pulled from in_fd, not yet given GnuTLS */
	size_t in_off, in_len;
} T;

static int timeout_of(const struct tls_settings *s)
{
	return s->timeout_ms > 0 ? s->timeout_ms : -1;
}

/* ---- transport ---- */

static size_t pulled(void)
{
	return T.in_len - T.in_off;
}

static ssize_t pull(gnutls_transport_ptr_t ptr, void *buf, size_t n)
{
	struct io *io = ptr;

	if (pulled() == 0) {
		struct pollfd pfd = { .fd = io->in_fd, .events = POLLIN };
		int r = poll(&pfd, 1, 0);

		if (r <= 0) {
			if (r == 0)
				errno = EAGAIN;
			return -1;
		}
		ssize_t got = read(io->in_fd, T.in, sizeof T.in);

		if (got <= 0)
			return got;
		T.in_off = 0;
		T.in_len = (size_t)got;
	}
	if (n > pulled())
		n = pulled();
	memcpy(buf, T.in + T.in_off, n);
	T.in_off += n;
	return (ssize_t)n;
}

/* Waits at most wait_ms (< 0: forever) for input to GnuTLS: bytes already pulled count as
 * input, since poll() on the fd cannot see them. The handshake waits only here (after it, the io
 * layer asks record_pending). Returns like poll(). */
static int wait_input(struct io *io, int wait_ms)
{
	struct pollfd pfd = { .fd = io->in_fd, .events = POLLIN };

	if (pulled() > 0)
		return 1;
	return clock_wait(&pfd, 1, wait_ms);
}

static int pull_timeout(gnutls_transport_ptr_t ptr, unsigned int ms)
{
	struct io *io = ptr;
	int wait_ms = ms == GNUTLS_INDEFINITE_TIMEOUT ? -1 : ms > INT_MAX ? INT_MAX : (int)ms;
	int r = wait_input(io, wait_ms);

	if (r < 0 && errno == EINTR && !(io->interrupted && *io->interrupted))
		errno = EAGAIN;   /* a signal we do not stop for: GnuTLS calls us again */
	return r;
}

static ssize_t push(gnutls_transport_ptr_t ptr, const giovec_t *giov, int n)
{
	struct io *io = ptr;
	int timeout = T.timeout_ms;
	long long deadline = timeout < 0 ? -1 : clock_monotonic_ms() + timeout;
	struct iovec iov[16];   /* GnuTLS takes a short write as one: the rest goes next call */
	int count = n < (int)(sizeof iov / sizeof iov[0]) ? n : (int)(sizeof iov / sizeof iov[0]);

	for (int i = 0; i < count; i++)
		iov[i] = (struct iovec){ .iov_base = giov[i].iov_base, .iov_len = giov[i].iov_len };
	for (;;) {
		ssize_t w = writev(io->out_fd, iov, count);

		if (w >= 0 || (errno != EAGAIN && errno != EINTR))
			return w;
		struct pollfd pfd = { .fd = io->out_fd, .events = POLLOUT };
		int r = clock_wait(&pfd, 1, deadline < 0 ? -1 : clock_ms_until(deadline));

		if (r == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (r < 0 && errno != EINTR)
			return -1;
	}
}

/* The io side: GnuTLS results as read(2)/write(2) results. */
static ssize_t record_read(void *ctx, void *buf, size_t n)
{
	gnutls_session_t s = ctx;
	ssize_t r;

	if (T.ended) {
		errno = EPIPE;
		return -1;
	}
	r = tlsdl.gnutls_record_recv(s, buf, n);
	if (r >= 0)
		return r;
	switch (r) {
	case GNUTLS_E_AGAIN:
		errno = EAGAIN;
		return -1;
	case GNUTLS_E_INTERRUPTED:
		errno = EINTR;
		return -1;
	case GNUTLS_E_REHANDSHAKE:
		/* A TLS 1.2 client asking to renegotiate: refuse, keep the session. */
		tlsdl.gnutls_alert_send(s, GNUTLS_AL_WARNING, GNUTLS_A_NO_RENEGOTIATION);
		errno = EAGAIN;
		return -1;
	case GNUTLS_E_PREMATURE_TERMINATION:
		return 0;   /* the client closed without close_notify: still just the end */
	default:
		if (!tlsdl.gnutls_error_is_fatal((int)r)) {
			errno = EAGAIN;
			return -1;
		}
		LOG_EVENT(LOG_LEVEL_DEBUG, "TLS record receive failed",
		          LOG_S("error", tlsdl.gnutls_strerror((int)r)));
		errno = EIO;
		return -1;
	}
}

static ssize_t record_write(void *ctx, const void *buf, size_t n)
{
	gnutls_session_t s = ctx;
	ssize_t r;

	if (T.ended) {
		errno = EPIPE;
		return -1;
	}
	do
		r = tlsdl.gnutls_record_send(s, buf, n);
	while (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED);
	if (r >= 0)
		return r;
	errno = EPIPE;
	return -1;
}

static size_t record_pending(void *ctx)
{
	return T.ended ? 0 : tlsdl.gnutls_record_check_pending(ctx) + pulled();
}

/* ---- set-up ---- */

int tls_check_settings(const struct tls_settings *s, char *err, size_t errlen)
{
	if ((s->cert_file == NULL) != (s->key_file == NULL)) {
		snprintf(err, errlen, "--tls-cert and --tls-key must be given together");
		return -1;
	}
	if (s->cert_file == NULL)
		return 0;
	if (s->cert_file[0] == '\0' || s->key_file[0] == '\0') {
		snprintf(err, errlen, "--tls-cert and --tls-key must name files");
		return -1;
	}
	return cert_check_files(s->cert_file, s->key_file, s->cache_dir, err, errlen);
}

int tls_preload(const struct tls_settings *s, char *err, size_t errlen)
{
	const char *where;
	int rc;

	if (T.ready)
		return 0;
	signal(SIGPIPE, SIG_IGN);
	if (tlsdl_load(err, errlen) != 0)
		return -1;
	/* A preload that failed on credentials is retried by the next STARTTLS: keep the priority. */
	if (T.priority == NULL &&
	    (rc = tlsdl.gnutls_priority_init(&T.priority, PRIORITY, &where)) < 0) {
		T.priority = NULL;
		snprintf(err, errlen, "TLS priority \"%s\" at \"%s\": %s", PRIORITY, where,
		         tlsdl.gnutls_strerror(rc));
		return -1;
	}
	if (s->cert_file != NULL && s->key_file != NULL) {
		if ((rc = tlsdl.gnutls_certificate_allocate_credentials(&T.file_cred)) < 0) {
			snprintf(err, errlen, "TLS credentials: %s", tlsdl.gnutls_strerror(rc));
			return -1;
		}
		if (cert_load_files(s->cert_file, s->key_file, T.file_cred, err, errlen) != 0) {
			tlsdl.gnutls_certificate_free_credentials(T.file_cred);
			T.file_cred = NULL;
			return -1;
		}
	}
	T.ready = 1;
	return 0;
}

/* Generated credentials for name, kept for the process (one session, one name normally). */
static int generated_credentials(const char *name)
{
	gnutls_datum_t c, k;
	int rc;

	if (T.gen_cred != NULL && strcmp(T.gen_name, name) == 0)
		return 0;
	if (T.gen_cred != NULL) {
		tlsdl.gnutls_certificate_free_credentials(T.gen_cred);
		T.gen_cred = NULL;
	}
	if (cert_get(name, T.settings->cache_dir, &T.pem, T.cred_err, sizeof T.cred_err) != 0)
		return -1;
	if ((rc = tlsdl.gnutls_certificate_allocate_credentials(&T.gen_cred)) < 0) {
		snprintf(T.cred_err, sizeof T.cred_err, "TLS credentials: %s",
		         tlsdl.gnutls_strerror(rc));
		return -1;
	}
	c = (gnutls_datum_t){ (unsigned char *)T.pem.cert, (unsigned)T.pem.cert_len };
	k = (gnutls_datum_t){ (unsigned char *)T.pem.key, (unsigned)T.pem.key_len };
	rc = tlsdl.gnutls_certificate_set_x509_key_mem(T.gen_cred, &c, &k, GNUTLS_X509_FMT_PEM);
	if (rc < 0) {
		snprintf(T.cred_err, sizeof T.cred_err, "certificate for %s: %s", name,
		         tlsdl.gnutls_strerror(rc));
		tlsdl.gnutls_certificate_free_credentials(T.gen_cred);
		T.gen_cred = NULL;
		return -1;
	}
	snprintf(T.gen_name, sizeof T.gen_name, "%s", name);
	return 0;
}

int tls_preload_default(const struct tls_settings *s, char *err, size_t errlen)
{
	char name[CERT_NAME_MAX];
	int rc;

	if (T.file_cred != NULL)
		return 0;
	T.settings = s;
	rc = generated_credentials(cert_choose_name("", 0, s->hostname, name, sizeof name));
	T.settings = NULL;
	if (rc != 0)
		snprintf(err, errlen, "%s", T.cred_err);
	return rc;
}

/* After the ClientHello, before the cipher suite and certificate are chosen: note the SNI and,
 * without --tls-cert, pick the certificate for it. */
static int on_client_hello(gnutls_session_t s)
{
	char raw[256], name[CERT_NAME_MAX];
	size_t len = sizeof raw - 1, o = 0;
	unsigned type = 0;
	const char *hostname = T.settings->hostname;

	if (tlsdl.gnutls_server_name_get(s, raw, &len, &type, 0) < 0 || type != GNUTLS_NAME_DNS)
		len = 0;
	for (size_t i = 0; i < len && o + 1 < sizeof T.sni; i++)
		if ((unsigned char)raw[i] > 0x20 && (unsigned char)raw[i] < 0x7f)
			T.sni[o++] = raw[i];
	T.sni[o] = '\0';
	if (T.file_cred != NULL)
		return 0;
	cert_choose_name(raw, len, hostname, name, sizeof name);
	if (generated_credentials(name) != 0) {
		T.cred_failed = 1;
		return GNUTLS_E_CERTIFICATE_ERROR;
	}
	return tlsdl.gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, T.gen_cred);
}

/* ---- the handshake ---- */

static void describe_failure(int rc, int timeout, char *err, size_t errlen)
{
	if (rc == GNUTLS_E_TIMEDOUT)
		snprintf(err, errlen, "handshake timed out after %d ms", timeout);
	else if (rc == GNUTLS_E_PREMATURE_TERMINATION || rc == GNUTLS_E_PULL_ERROR ||
	         rc == GNUTLS_E_PUSH_ERROR)
		snprintf(err, errlen, "client went away during the handshake (%s)",
		         tlsdl.gnutls_strerror(rc));
	else if (rc == GNUTLS_E_FATAL_ALERT_RECEIVED)
		snprintf(err, errlen, "client sent fatal alert: %s",
		         tlsdl.gnutls_alert_get_name(tlsdl.gnutls_alert_get(T.session)));
	else
		snprintf(err, errlen, "%s", tlsdl.gnutls_strerror(rc));
}

static void fill_info(struct tls_info *info)
{
	const char *v = tlsdl.gnutls_protocol_get_name(tlsdl.gnutls_protocol_get_version(T.session));
	const char *c = NULL;

	if (tlsdl.gnutls_ciphersuite_get != NULL)
		c = tlsdl.gnutls_ciphersuite_get(T.session);
	if (c == NULL)
		c = tlsdl.gnutls_cipher_suite_get_name(tlsdl.gnutls_kx_get(T.session),
		                                       tlsdl.gnutls_cipher_get(T.session),
		                                       tlsdl.gnutls_mac_get(T.session));
	snprintf(info->version, sizeof info->version, "%s", v ? v : "");
	snprintf(info->cipher, sizeof info->cipher, "%s", c ? c : "");
}

static int handshake(struct io *io, const struct tls_settings *s, struct tls_info *info,
                     char *err, size_t errlen)
{
	int timeout = timeout_of(s);
	long long deadline = timeout < 0 ? -1 : clock_monotonic_ms() + timeout;
	int rc;

	memset(info, 0, sizeof *info);
	if (T.started) {
		snprintf(err, errlen, "TLS already started");
		return -1;
	}
	T.started = 1;
	if (tls_preload(s, err, errlen) != 0)
		return -2;
	T.settings = s;
	T.timeout_ms = timeout;
	if ((rc = tlsdl.gnutls_init(&T.session, GNUTLS_SERVER)) < 0 ||
	    (rc = tlsdl.gnutls_priority_set(T.session, T.priority)) < 0 ||
	    (T.file_cred != NULL &&
	     (rc = tlsdl.gnutls_credentials_set(T.session, GNUTLS_CRD_CERTIFICATE, T.file_cred)) < 0)) {
		snprintf(err, errlen, "TLS session set-up: %s", tlsdl.gnutls_strerror(rc));
		return -2;
	}
	/* What the io read ahead is the ClientHello's: after a PROXY header on smtps */
	T.in_off = 0;
	T.in_len = io_take_input(io, (char *)T.in, sizeof T.in);
	tlsdl.gnutls_transport_set_ptr(T.session, io);
	tlsdl.gnutls_transport_set_pull_function(T.session, pull);
	tlsdl.gnutls_transport_set_pull_timeout_function(T.session, pull_timeout);
	tlsdl.gnutls_transport_set_vec_push_function(T.session, push);
	tlsdl.gnutls_handshake_set_timeout(T.session, timeout < 0 ? 0 : (unsigned)timeout);
	tlsdl.gnutls_handshake_set_post_client_hello_function(T.session, on_client_hello);

	for (;;) {
		rc = tlsdl.gnutls_handshake(T.session);
		if (rc >= 0)
			break;
		if (io->interrupted && *io->interrupted) {
			snprintf(err, errlen, "handshake interrupted by a signal");
			snprintf(info->sni, sizeof info->sni, "%s", T.sni);
			return -1;
		}
		if (rc == GNUTLS_E_AGAIN) {
			/* Also with a timeout: a record that completes no handshake message (a
			 * ClientHello in two records, or garbage) ends the call. The next record may
			 * be in our pull buffer already, which poll() on the fd does not see. */
			if (wait_input(io, deadline < 0 ? -1 : clock_ms_until(deadline)) == 0)
				rc = GNUTLS_E_TIMEDOUT;
			else
				continue;
		}
		if (rc != GNUTLS_E_TIMEDOUT && !tlsdl.gnutls_error_is_fatal(rc))
			continue;
		snprintf(info->sni, sizeof info->sni, "%s", T.sni);
		if (T.cred_failed) {
			snprintf(err, errlen, "%s", T.cred_err);
			return -2;
		}
		describe_failure(rc, timeout, err, errlen);
		return -1;
	}
	snprintf(info->sni, sizeof info->sni, "%s", T.sni);
	fill_info(info);
	T.up = 1;
	io_set_transport(io, &(struct io_transport){ .read = record_read, .write = record_write,
	                                             .pending = record_pending, .ctx = T.session });
	return 0;
}

int tls_server_start(struct io *io, const struct tls_settings *s, struct tls_info *info,
                     char *err, size_t errlen)
{
	int rc = handshake(io, s, info, err, errlen);

	T.settings = NULL;   /* the caller's: not kept past this call */
	return rc;
}

void tls_end(void)
{
	if (!T.up || T.ended)
		return;
	tlsdl.gnutls_bye(T.session, GNUTLS_SHUT_WR);
	T.ended = 1;
}
