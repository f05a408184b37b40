/* tls: STARTTLS and implicit TLS for one session (SPEC §7), the only code that touches GnuTLS.
 * GnuTLS is dlopen'd on first need, so a session that never uses TLS never loads it.
 *
 * When the library is loaded and what each call costs:
 *   tls_check_settings  start-up, every session. Without --tls-cert/--tls-key: nothing. With
 *                       them: both must be given, readable and PEM-looking (cheap); then a
 *                       verified-stamp in the cert cache (keyed on both files' path, device,
 *                       inode, size and mtime) says the pair already loaded and matched once, or
 *                       GnuTLS is loaded and the pair checked in full, and the stamp written.
 *                       So a bad path or a mismatched pair is an exit-100 start-up error in
 *                       every profile, and only the first session after the files change pays
 *                       for the library.
 *   tls_preload         loads GnuTLS, the priority string and the --tls-cert/--tls-key
 *                       credentials, and gets ready the TLS fault already chosen (by EHLO, or
 *                       the port): its versions, and for a fault a GnuTLS may refuse (SPEC
 *                       §16) its certificate for --hostname. Call it before the greeting on
 *                       implicit TLS, and before answering STARTTLS (failure: 454 TLS not
 *                       available due to temporary reason, and an error log line), so that
 *                       nothing fails after the 220 for want of credentials. Other generated
 *                       certificates are made later, per name, once the ClientHello's SNI is
 *                       known.
 *   tls_server_start    the handshake; installs the TLS transport on io.
 *   tls_end             close_notify.
 */
#ifndef BADSMTP_TLS_H
#define BADSMTP_TLS_H

#include <stddef.h>

#include "io.h"
#include "tlsfault.h"

struct tls_settings {
	const char *cert_file, *key_file;   /* both NULL: generated certificates */
	const char *cache_dir;              /* resolved by the caller (SPEC §1); NULL: memory only */
	const char *hostname;               /* --hostname */
	int timeout_ms;                     /* bound on the handshake and on each record write;
	                                       < 0 or 0: none */
	enum tlsfault fault;                /* chosen by EHLO: it beats the SNI's (SPEC §16) */
	enum tlsfault port_fault;           /* the profile's: the SNI's beats it */
	int hang_ms;                        /* how long the hang fault waits: the data timeout */
};

/* Filled by tls_server_start: version and cipher on success only; sni whenever the ClientHello
 * carried one (also on failure), printable ASCII, "" when none; fault always. */
struct tls_info {
	char version[16];    /* "TLS1.3", "TLS1.2" */
	char cipher[128];    /* IANA name, e.g. "TLS_AES_256_GCM_SHA384" */
	char sni[256];
	enum tlsfault fault;         /* the one that applied (or would have) */
	char client_cert[256];       /* the subject of the client's certificate, "" when none */
};

/* Start-up check (see above). 0, or -1 with a one-line reason in err (exit 100), or 1 when the
 * pair needs GnuTLS to be checked and this process cannot load it (handoff.h). */
int tls_check_settings(const struct tls_settings *s, char *err, size_t errlen);

/* Loads what a handshake needs up front (see above); idempotent. 0, or with err -1 (TLS is not
 * available) or -2 (this GnuTLS refuses the fault). */
int tls_preload(const struct tls_settings *s, char *err, size_t errlen);

/* For a process that forks sessions (SPEC §15), after tls_preload: the generated certificate
 * for --hostname (cached, or made now), so that a session whose client sends no SNI, or that
 * name, finds it in memory. Nothing to do with --tls-cert. 0, or -1 with err. */
int tls_preload_default(const struct tls_settings *s, char *err, size_t errlen);

/* Server handshake over io->in_fd/io->out_fd with our own push/pull (pipes work as well as
 * sockets). Call it after the 220 to STARTTLS has been flushed and io_discard_input() has thrown
 * away the plaintext behind the STARTTLS line (or before the greeting, on smtps). On success the
 * io reads and writes through TLS (gnutls_record_recv/_send; pending = decrypted bytes not yet
 * read), info is filled, and 0 is returned. -1: the handshake failed (garbage, a client that
 * hung up, a fatal alert, the timeout, SIGTERM, a fault that cuts it short): err says why; the
 * session ends (exit 1). -2: credentials could not be loaded or made, or the SNI asked for a
 * fault this GnuTLS refuses: err says why. At most one handshake per process. */
int tls_server_start(struct io *io, const struct tls_settings *s, struct tls_info *info,
                     char *err, size_t errlen);

/* Prints the test CA's certificate (PEM) on stdout, made in cache_dir when missing (SPEC §16).
 * 0, or -1 with err (it cannot be kept in cache_dir). Loads GnuTLS. */
int tls_print_ca(const char *cache_dir, char *err, size_t errlen);

/* Sends close_notify when a session is up (flush the io first), bounded by the timeout. The
 * io transport then fails every read and write. Safe to call always, more than once. */
void tls_end(void);

#endif
