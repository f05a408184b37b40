/* cert: the certificates behind the tls module (SPEC §7, §16). Generated certificates — §7's
 * self-signed one, the test CA, and the certificates of the TLS faults — and their cache, the
 * name a certificate is made for, and the --tls-cert/--tls-key pair check with its
 * verified-stamp. Part of the tls module: only tls.c uses it. */
#ifndef BADSMTP_CERT_H
#define BADSMTP_CERT_H

#include <stddef.h>

#include "tlsdl.h"
#include "tlsfault.h"

#define CERT_PEM_MAX 16384
#define CERT_NAME_MAX 256

/* A certificate and its private key, PEM, each NUL-terminated; in the cache they are two files,
 * the certificate alone in the one people trust. */
struct cert_pem {
	char cert[CERT_PEM_MAX];
	size_t cert_len;
	char key[CERT_PEM_MAX];
	size_t key_len;
};

/* 1 when s is an IPv4 or IPv6 address literal. Pure. */
int cert_is_ip(const char *s);
/* The name a generated certificate is for: the SNI (lower-cased) when it is a DNS name and not
 * an IP literal (msmtp sends "127.0.0.1"), else hostname. Returns buf. Pure. */
const char *cert_choose_name(const char *sni, size_t sni_len, const char *hostname, char *buf,
                             size_t buflen);
/* A cache file name for a name: kind ("cert" or "key") + "-" + the name with every octet
 * outside [a-z0-9.-] replaced by '_' (plus a hash when anything was replaced or cut) + ".pem".
 * Never contains '/' and never is "." or "..". 0, or -1 when out is too small. Pure. */
int cert_file_name(const char *kind, const char *name, char *out, size_t outlen);

/* The certificate of that kind for name (tlsfault.h; wronghost's is for its own name) and its
 * key: from cache_dir when a cached pair is whole, matching, signed by the CA in force and still
 * in its window (valid for more than a day; expired; not yet valid for more than a day), else
 * generated, its CA first (and cached; when cache_dir is NULL or unusable it lives in memory
 * only and a warning is logged). chain: the issuing CA's certificate follows the leaf in
 * out->cert. Never a pair whose key is not the certificate's. Loads GnuTLS. 0 or -1 + err. */
int cert_get(enum tlsfault_cert kind, int chain, const char *name, const char *cache_dir,
             struct cert_pem *out, char *err, size_t errlen);
/* The test CA (SPEC §16), from cache_dir or generated into it: -1 + err when it cannot be kept
 * there (a CA in this process's memory is trusted by nobody). Loads GnuTLS. */
int cert_test_ca(const char *cache_dir, struct cert_pem *out, char *err, size_t errlen);

/* Loads --tls-cert/--tls-key into cred (PEM chain and key, which must match). 0 or -1 + err. */
int cert_load_files(const char *cert_file, const char *key_file,
                    gnutls_certificate_credentials_t cred, char *err, size_t errlen);
/* Start-up check of --tls-cert/--tls-key: both readable and PEM-looking (cheap, no GnuTLS),
 * then either a verified-stamp in cache_dir matching both files' path, device, inode, size and
 * mtime, or a full GnuTLS check of the pair, after which the stamp is written. 0 or -1 + err;
 * 1 when the full check is due and this process cannot load GnuTLS (handoff.h). */
int cert_check_files(const char *cert_file, const char *key_file, const char *cache_dir,
                     char *err, size_t errlen);

#endif
