/* tlsfault: the TLS faults of SPEC §16 as one table — each fault's name, what it changes in a
 * handshake (the certificate, the versions offered, a handshake cut short, a client certificate
 * required, the plaintext injection), and the parser of the `tls{fault}` parts that choose one
 * in an EHLO name or an SNI name. Pure: how a certificate is made is cert.c's, how a handshake
 * goes wrong tls.c's. */
#ifndef BADSMTP_TLSFAULT_H
#define BADSMTP_TLSFAULT_H

#include <stddef.h>

/* In port order: TLSFAULT_TRUSTED is port k = 0 of the tls- family (see tlsfault_for_port). */
enum tlsfault {
	TLSFAULT_NONE,
	TLSFAULT_TRUSTED,
	TLSFAULT_EXPIRED,
	TLSFAULT_NOTYETVALID,
	TLSFAULT_WRONGHOST,
	TLSFAULT_UNTRUSTED,
	TLSFAULT_SELFSIGNED,
	TLSFAULT_INCOMPLETE,
	TLSFAULT_CHAIN,
	TLSFAULT_SHA1,
	TLSFAULT_RSA1024,
	TLSFAULT_V10,
	TLSFAULT_V11,
	TLSFAULT_V12,
	TLSFAULT_V13,
	TLSFAULT_ABORT,
	TLSFAULT_ALERT,
	TLSFAULT_HANG,
	TLSFAULT_CLIENTCERT,
	TLSFAULT_INJECT,   /* EHLO keyword only: no port, no SNI */
	TLSFAULT_COUNT
};

/* The certificate a fault serves; cert.c knows how each is made. */
enum tlsfault_cert {
	TLSFAULT_CERT_NONE,          /* the handshake ends before a certificate is chosen */
	TLSFAULT_CERT_DEFAULT,       /* SPEC §7's: --tls-cert's, else the self-signed one */
	TLSFAULT_CERT_SELFSIGNED,    /* SPEC §7's self-signed one */
	TLSFAULT_CERT_TRUSTED,       /* a leaf signed by the test CA */
	TLSFAULT_CERT_EXPIRED,
	TLSFAULT_CERT_NOTYETVALID,
	TLSFAULT_CERT_WRONGHOST,
	TLSFAULT_CERT_UNTRUSTED,     /* signed by a CA nobody trusts */
	TLSFAULT_CERT_INTERMEDIATE,  /* signed by the test intermediate CA */
	TLSFAULT_CERT_SHA1,
	TLSFAULT_CERT_RSA1024,
	TLSFAULT_CERT_COUNT
};

/* The only TLS version offered, when a fault pins one. */
enum tlsfault_version {
	TLSFAULT_VERSION_ANY,        /* the default: TLS 1.2 and 1.3 */
	TLSFAULT_VERSION_10,
	TLSFAULT_VERSION_11,
	TLSFAULT_VERSION_12,
	TLSFAULT_VERSION_13,
	TLSFAULT_VERSION_COUNT
};

/* How the handshake is cut short after the ClientHello was read. */
enum tlsfault_cut {
	TLSFAULT_CUT_NONE,
	TLSFAULT_CUT_ABORT,          /* close without a word */
	TLSFAULT_CUT_ALERT,          /* a fatal handshake_failure alert, then close */
	TLSFAULT_CUT_HANG,           /* never answer: the data timeout ends the session */
};

struct tlsfault_spec {
	const char *name;                /* "expired": as in `tlsexpired`, `tls-expired` */
	enum tlsfault_cert cert;
	int chain;                       /* the issuing intermediate CA is sent after the leaf */
	enum tlsfault_version version;
	enum tlsfault_cut cut;
	int client_cert;                 /* a client certificate is required (any is accepted) */
	int inject;                      /* a 250 follows the 220 to STARTTLS in the same write */
	int may_refuse;                  /* a GnuTLS build or its configuration may refuse it:
	                                    checked before the 220 to STARTTLS (SPEC §16) */
};

/* The names of the faults a port chooses, by k, NULL-ended: the tls- family of profile.c. */
extern const char *const tlsfault_port_names[];

/* The row of f (TLSFAULT_NONE: the plain §7 handshake, name ""). */
const struct tlsfault_spec *tlsfault_spec(enum tlsfault f);
const char *tlsfault_name(enum tlsfault f);
/* A fault by its name ("expired"), or TLSFAULT_NONE. */
enum tlsfault tlsfault_from_name(const char *p, size_t n);
/* The fault of port k of the tls- family (0 … 17), or TLSFAULT_NONE. */
enum tlsfault tlsfault_for_port(int k);

/* Which selector is asking: an SNI name cannot choose inject (SPEC §16). */
enum tlsfault_selector { TLSFAULT_BY_EHLO, TLSFAULT_BY_SNI };

/* The fault one '-'-separated part of a name asks for: "tls" + a fault name, compared without
 * regard to case ("tlsExpired" too); anything else, TLSFAULT_NONE. */
enum tlsfault tlsfault_from_part(const char *p, size_t n, enum tlsfault_selector by);
/* The fault a name asks for (SPEC §16): its first label (up to the first '.'), split on '-',
 * the last part that names a fault winning; TLSFAULT_NONE when none does. */
enum tlsfault tlsfault_from_label(const char *p, size_t n, enum tlsfault_selector by);

#endif
