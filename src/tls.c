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
 * - Priority "NORMAL" limited to TLS 1.3 and 1.2, set up once per process; a fault that pins a
 *   version gets "NORMAL" with that version only.
 * - TLS faults (SPEC §16, tlsfault.h): the fault is settled in the post-client-hello callback —
 *   the EHLO keyword's, else the SNI's, else the port's — before GnuTLS has written a byte. There
 *   it sets the fault's priority (GnuTLS negotiates the version again after the callback), its
 *   certificate and a client certificate request, or ends the handshake for abort, alert and
 *   hang, which tls_server_start then carries out on the bare record layer.
 * It does not speak SMTP, reply, or log the handshake result: the session does that from
 * tls_info and err. */
#include "tls.h"

#include "cert.h"
#include "clock.h"
#include "log.h"
#include "text.h"
#include "tlsdl.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

/* What the callback returns to end the handshake for abort, alert and hang. */
#define CUT_SHORT GNUTLS_E_APPLICATION_ERROR_MIN

/* One priority per version a fault may pin, and the open one a handshake starts with when the
 * SNI may still pin any: GnuTLS negotiates the version before on_client_hello and again after
 * it, within the priority set there, so the first must not rule out what the second allows. */
enum { VERSION_OPEN = TLSFAULT_VERSION_COUNT, PRIORITIES };

static const char *const priorities[PRIORITIES] = {
	[VERSION_OPEN] = "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:+VERS-TLS1.1:+VERS-TLS1.0",
	[TLSFAULT_VERSION_ANY] = "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2",
	[TLSFAULT_VERSION_10] = "NORMAL:-VERS-ALL:+VERS-TLS1.0",
	[TLSFAULT_VERSION_11] = "NORMAL:-VERS-ALL:+VERS-TLS1.1",
	[TLSFAULT_VERSION_12] = "NORMAL:-VERS-ALL:+VERS-TLS1.2",
	[TLSFAULT_VERSION_13] = "NORMAL:-VERS-ALL:+VERS-TLS1.3",
};

static struct {
	int ready;                                      /* priority (and file credentials) loaded */
	gnutls_priority_t priority[PRIORITIES];
	gnutls_certificate_credentials_t file_cred;     /* --tls-cert/--tls-key */
	gnutls_certificate_credentials_t gen_cred;      /* generated: gen_kind for gen_name */
	char gen_name[CERT_NAME_MAX];
	enum tlsfault_cert gen_kind;
	const struct tls_settings *settings;            /* during tls_server_start only */
	int timeout_ms;                                 /* push's bound, for the whole session */
	gnutls_session_t session;
	int started, up, ended;
	enum tlsfault fault;                            /* the one that applies */
	int hello_seen;                                 /* on_client_hello ran */
	int setup_failed;                               /* the callback could not set it up */
	char setup_err[512];
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

/* The priority of a version (or VERSION_OPEN), initialised once. 0, or -1 with err. */
static int priority_ready(int v, char *err, size_t errlen)
{
	const char *where;
	int rc;

	if (T.priority[v] != NULL)
		return 0;
	if ((rc = tlsdl.gnutls_priority_init(&T.priority[v], priorities[v], &where)) < 0) {
		T.priority[v] = NULL;
		snprintf(err, errlen, "TLS priority \"%s\" at \"%s\": %s", priorities[v], where,
		         tlsdl.gnutls_strerror(rc));
		return -1;
	}
	return 0;
}

/* Generated credentials: a certificate of that kind for name (cert.h), kept for the process
 * (one session, one name normally). 0, or -1 with err. */
static int generated_credentials(enum tlsfault_cert kind, int chain, const char *name,
                                 const char *cache_dir, char *err, size_t errlen)
{
	gnutls_datum_t c, k;
	int rc;

	if (T.gen_cred != NULL && T.gen_kind == kind && strcmp(T.gen_name, name) == 0)
		return 0;
	if (T.gen_cred != NULL) {
		tlsdl.gnutls_certificate_free_credentials(T.gen_cred);
		T.gen_cred = NULL;
	}
	if (cert_get(kind, chain, name, cache_dir, &T.pem, err, errlen) != 0)
		return -1;
	if ((rc = tlsdl.gnutls_certificate_allocate_credentials(&T.gen_cred)) < 0) {
		snprintf(err, errlen, "TLS credentials: %s", tlsdl.gnutls_strerror(rc));
		return -1;
	}
	c = (gnutls_datum_t){ (unsigned char *)T.pem.cert, (unsigned)T.pem.cert_len };
	k = (gnutls_datum_t){ (unsigned char *)T.pem.key, (unsigned)T.pem.key_len };
	rc = tlsdl.gnutls_certificate_set_x509_key_mem(T.gen_cred, &c, &k, GNUTLS_X509_FMT_PEM);
	if (rc < 0) {
		snprintf(err, errlen, "certificate for %s: %s", name, tlsdl.gnutls_strerror(rc));
		tlsdl.gnutls_certificate_free_credentials(T.gen_cred);
		T.gen_cred = NULL;
		return -1;
	}
	T.gen_kind = kind;
	snprintf(T.gen_name, sizeof T.gen_name, "%s", name);
	return 0;
}

int tls_preload_default(const struct tls_settings *s, char *err, size_t errlen)
{
	char name[CERT_NAME_MAX];

	if (T.file_cred != NULL)
		return 0;
	/* SPEC §7's self-signed certificate for --hostname: what a client without SNI gets */
	return generated_credentials(TLSFAULT_CERT_SELFSIGNED, 0,
	                             cert_choose_name("", 0, s->hostname, name, sizeof name),
	                             s->cache_dir, err, errlen);
}

/* What fault f needs, made ready for a handshake with certificate name: its version's priority,
 * and its certificate (SPEC §7's own when the fault has none of its own and --tls-cert gave
 * one). 0, or -1 with err: this GnuTLS refuses it. */
static int fault_ready(enum tlsfault f, const char *name, const char *cache_dir, char *err,
                       size_t errlen)
{
	const struct tlsfault_spec *spec = tlsfault_spec(f);
	enum tlsfault_cert kind = spec->cert;
	int rc;

	if (priority_ready(spec->version, err, errlen) != 0)
		rc = -1;
	else if (kind == TLSFAULT_CERT_NONE || (kind == TLSFAULT_CERT_DEFAULT && T.file_cred != NULL))
		rc = 0;
	else
		rc = generated_credentials(kind == TLSFAULT_CERT_DEFAULT ? TLSFAULT_CERT_SELFSIGNED : kind,
		                           spec->chain, name, cache_dir, err, errlen);
	if (rc != 0 && f != TLSFAULT_NONE) {
		char why[400];

		snprintf(why, sizeof why, "%s", err);
		snprintf(err, errlen, "TLS fault %s not available: %s", tlsfault_name(f), why);
	}
	return rc;
}

/* The fault chosen before the ClientHello: the EHLO keyword's, else the port's. */
static enum tlsfault early_fault(const struct tls_settings *s)
{
	return s->fault != TLSFAULT_NONE ? s->fault : s->port_fault;
}

int tls_preload(const struct tls_settings *s, char *err, size_t errlen)
{
	enum tlsfault f = early_fault(s);
	char name[CERT_NAME_MAX];
	int rc = 0;

	if (!T.ready) {
		signal(SIGPIPE, SIG_IGN);
		if (tlsdl_load(err, errlen) != 0)
			return -1;
		/* A preload that failed on credentials is retried by the next STARTTLS: keep the
		 * priority. */
		if (priority_ready(TLSFAULT_VERSION_ANY, err, errlen) != 0)
			return -1;
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
	}
	/* A refusal shows before the 220: the fault's versions, and the certificate of a fault a
	 * GnuTLS may refuse, made for --hostname (the name when the client sends no SNI). */
	if (f != TLSFAULT_NONE && tlsfault_spec(f)->may_refuse)
		rc = fault_ready(f, cert_choose_name(NULL, 0, s->hostname, name, sizeof name),
		                 s->cache_dir, err, errlen);
	else if (f != TLSFAULT_NONE)
		rc = priority_ready(tlsfault_spec(f)->version, err, errlen);
	return rc == 0 ? 0 : -2;
}

/* The client's SNI as sent, when it is a DNS name (len 0 otherwise), and printable in T.sni. */
static size_t read_sni(gnutls_session_t s, char *raw, size_t cap)
{
	size_t len = cap - 1, o = 0;
	unsigned type = 0;

	if (tlsdl.gnutls_server_name_get(s, raw, &len, &type, 0) < 0 || type != GNUTLS_NAME_DNS)
		len = 0;
	for (size_t i = 0; i < len && o + 1 < sizeof T.sni; i++)
		if ((unsigned char)raw[i] > 0x20 && (unsigned char)raw[i] < 0x7f)
			T.sni[o++] = raw[i];
	T.sni[o] = '\0';
	return len;
}

/* After the ClientHello, before GnuTLS has chosen anything or written a byte: note the SNI,
 * settle the fault (SPEC §16: EHLO keyword, else SNI, else port) and set it up — or cut the
 * handshake short. */
static int on_client_hello(gnutls_session_t s)
{
	char raw[256], name[CERT_NAME_MAX];
	size_t len = read_sni(s, raw, sizeof raw);
	const struct tlsfault_spec *spec;
	int rc;

	T.hello_seen = 1;
	/* An SNI that is not a DNS name chooses nothing, as it names nothing (cert_choose_name). */
	if (T.settings->fault == TLSFAULT_NONE && text_dns_name(raw, len, 253, TEXT_DNS_UNDERSCORE)) {
		enum tlsfault by_sni = tlsfault_from_label(raw, len, TLSFAULT_BY_SNI);

		if (by_sni != TLSFAULT_NONE)
			T.fault = by_sni;
	}
	spec = tlsfault_spec(T.fault);
	if (spec->cut != TLSFAULT_CUT_NONE)
		return CUT_SHORT;
	cert_choose_name(raw, len, T.settings->hostname, name, sizeof name);
	if (fault_ready(T.fault, name, T.settings->cache_dir, T.setup_err, sizeof T.setup_err) != 0) {
		T.setup_failed = 1;
		return GNUTLS_E_CERTIFICATE_ERROR;
	}
	if ((rc = tlsdl.gnutls_priority_set(s, T.priority[spec->version])) < 0)
		return rc;
	if (spec->client_cert)
		tlsdl.gnutls_certificate_server_set_request(s, GNUTLS_CERT_REQUIRE);
	if (spec->cert == TLSFAULT_CERT_DEFAULT && T.file_cred != NULL)
		return 0;   /* set before the handshake */
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

/* A handshake that fails on our side after a ClientHello we understood ends with the alert
 * GnuTLS gives for the error (RFC 8446 §6.2): handshake_failure when a pinned version leaves no
 * common ground, certificate_required for clientcert without one. Not after the client's own
 * alert, nor when the transport failed; and garbage is closed on without a word, as before. */
static void answer_failure(int rc)
{
	if (T.hello_seen && rc != GNUTLS_E_FATAL_ALERT_RECEIVED && rc != GNUTLS_E_TIMEDOUT &&
	    rc != GNUTLS_E_PREMATURE_TERMINATION && rc != GNUTLS_E_PULL_ERROR &&
	    rc != GNUTLS_E_PUSH_ERROR)
		tlsdl.gnutls_alert_send_appropriate(T.session, rc);
}

/* The subject of the client's certificate, when it sent one (the clientcert fault asks). */
static void client_subject(char *out, size_t cap)
{
	unsigned n = 0;
	const gnutls_datum_t *peers = tlsdl.gnutls_certificate_get_peers(T.session, &n);
	gnutls_x509_crt_t crt;
	size_t len = cap;

	out[0] = '\0';
	if (peers == NULL || n == 0 || tlsdl.gnutls_x509_crt_init(&crt) < 0)
		return;
	if (tlsdl.gnutls_x509_crt_import(crt, &peers[0], GNUTLS_X509_FMT_DER) < 0 ||
	    tlsdl.gnutls_x509_crt_get_dn(crt, out, &len) < 0)
		out[0] = '\0';
	tlsdl.gnutls_x509_crt_deinit(crt);
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
	client_subject(info->client_cert, sizeof info->client_cert);
}

/* hang: the ClientHello stays unanswered until wait_ms has passed (the data timeout), the
 * client hangs up, or SIGTERM; what it sends meanwhile is read and dropped. */
static void hang(struct io *io, int wait_ms, char *err, size_t errlen)
{
	long long deadline = clock_monotonic_ms() + wait_ms;
	struct pollfd pfd = { .fd = io->in_fd, .events = POLLIN };
	unsigned char drop[4096];

	for (;;) {
		int r = clock_wait(&pfd, 1, clock_ms_until(deadline));

		if (r == 0) {
			snprintf(err, errlen, "hang: the ClientHello stayed unanswered until the data "
			         "timeout (%d ms)", wait_ms);
			return;
		}
		if (r < 0 && errno == EINTR && io->interrupted && *io->interrupted) {
			snprintf(err, errlen, "hang: interrupted by a signal");
			return;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || read(io->in_fd, drop, sizeof drop) <= 0) {
			snprintf(err, errlen, "hang: the client went away before the data timeout");
			return;
		}
	}
}

/* abort, alert, hang (SPEC §16): the ClientHello has been read, nothing written. */
static void cut_short(struct io *io, enum tlsfault_cut cut, int hang_ms, char *err,
                      size_t errlen)
{
	if (cut == TLSFAULT_CUT_ALERT) {
		tlsdl.gnutls_alert_send(T.session, GNUTLS_AL_FATAL, GNUTLS_A_HANDSHAKE_FAILURE);
		snprintf(err, errlen, "alert: handshake_failure sent for the ClientHello");
	} else if (cut == TLSFAULT_CUT_HANG) {
		hang(io, hang_ms, err, errlen);
	} else {
		snprintf(err, errlen, "abort: closed after the ClientHello without a word");
	}
}

static int handshake(struct io *io, const struct tls_settings *s, struct tls_info *info,
                     char *err, size_t errlen)
{
	int timeout = timeout_of(s);
	long long deadline = timeout < 0 ? -1 : clock_monotonic_ms() + timeout;
	enum tlsfault_version pinned = tlsfault_spec(early_fault(s))->version;
	gnutls_priority_t first;
	int rc;

	if (T.started) {
		snprintf(err, errlen, "TLS already started");
		return -1;
	}
	T.started = 1;
	if (tls_preload(s, err, errlen) != 0)
		return -2;
	T.settings = s;
	T.timeout_ms = timeout;
	/* A version pinned already (tls_preload made its priority), else the open one, unless this
	 * GnuTLS refuses even that: then the SNI cannot pin an old version (fault_ready says so). */
	if (pinned != TLSFAULT_VERSION_ANY)
		first = T.priority[pinned];
	else
		first = T.priority[priority_ready(VERSION_OPEN, err, errlen) == 0 ? VERSION_OPEN
		                                                                : TLSFAULT_VERSION_ANY];
	if ((rc = tlsdl.gnutls_init(&T.session, GNUTLS_SERVER)) < 0 ||
	    (rc = tlsdl.gnutls_priority_set(T.session, first)) < 0 ||
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
			return -1;
		}
		if (rc == CUT_SHORT) {
			cut_short(io, tlsfault_spec(T.fault)->cut, s->hang_ms, err, errlen);
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
		if (T.setup_failed) {
			snprintf(err, errlen, "%s", T.setup_err);
			return -2;
		}
		answer_failure(rc);
		describe_failure(rc, timeout, err, errlen);
		return -1;
	}
	fill_info(info);
	T.up = 1;
	io_set_transport(io, &(struct io_transport){ .read = record_read, .write = record_write,
	                                             .pending = record_pending, .ctx = T.session });
	return 0;
}

int tls_server_start(struct io *io, const struct tls_settings *s, struct tls_info *info,
                     char *err, size_t errlen)
{
	int rc;

	memset(info, 0, sizeof *info);
	T.fault = early_fault(s);
	rc = handshake(io, s, info, err, errlen);
	snprintf(info->sni, sizeof info->sni, "%s", T.sni);
	info->fault = T.fault;
	T.settings = NULL;   /* the caller's: not kept past this call */
	return rc;
}

int tls_print_ca(const char *cache_dir, char *err, size_t errlen)
{
	if (cert_test_ca(cache_dir, &T.pem, err, errlen) != 0)
		return -1;
	(void)fwrite(T.pem.cert, 1, T.pem.cert_len, stdout);   /* main's fflush reports a failure */
	return 0;
}

void tls_end(void)
{
	if (!T.up || T.ended)
		return;
	tlsdl.gnutls_bye(T.session, GNUTLS_SHUT_WR);
	T.ended = 1;
}
