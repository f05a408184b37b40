/* cert: certificates for the tls module (SPEC §7, §16).
 * - Generated, each by a recipe (the tables below): §7's self-signed ECDSA P-256 leaf, CN and
 *   SAN (DNS, or IP for an address) = the name, valid from one hour ago for 30 days, random
 *   128-bit serial, key usage digitalSignature, EKU serverAuth (RFC 5280 §4.2.1.3, §4.2.1.12);
 *   three CAs (the test CA, its intermediate, the untrusted CA: keyCertSign, cRLSign, CA:TRUE,
 *   10 years); and the leaves of the TLS faults, each §7's leaf signed by a CA with one thing
 *   changed (window, name, digest, key). A leaf carries its CA's key identifier (RFC 5280
 *   §4.2.1.1), so one signed by a CA that has been replaced since is made anew.
 * - Cached as two files per certificate in the cert cache (directory 0700, files 0600): the
 *   certificate alone (people copy it into clients as a trust anchor) and its PKCS#8 key; names
 *   in entry_names. A certificate file with the key inside (the cache before the split) is split
 *   in two. Each file is written whole (file.h), the key first, and read after the certificate;
 *   a pair is served only when the key is the certificate's. Writers take turns (an flock) and
 *   look again before generating, so sessions that start together make one pair, and a reader
 *   that meets a pair being replaced waits its turn and finds it whole. Reused while its window
 *   is still right: valid for more than a day; an expired one stays expired; a not-yet-valid
 *   one until a day before it would become valid. An unusable cache means an in-memory
 *   certificate and a warning, never a failed handshake.
 * - --tls-cert/--tls-key: checked at start-up, cheaply when a verified-stamp says this exact pair
 *   of files (path, device, inode, size, mtime) already loaded and matched once.
 * It does no TLS session work and does not decide when to run: tls.c does. */
#include "cert.h"

#include "file.h"
#include "library.h"
#include "log.h"
#include "text.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define FILE_MAX (1024 * 1024)   /* a PEM chain and key bigger than this is not one */
#define HOUR (60 * 60LL)
#define DAY (24 * HOUR)
#define LEAF_DAYS 30
#define CA_DAYS 3650             /* SPEC §16: the test CA is valid 10 years */
#define RENEW_WITHIN DAY
#define FILE_NAME_KEEP 200       /* name octets kept in a file name before the hash */
#define LOCK_FILE ".lock"

/* The octets of s as an IP address into addr[16]: 4 (IPv4), 16 (IPv6), or 0 (not an address). */
static size_t ip_octets(const char *s, unsigned char *addr)
{
	return inet_pton(AF_INET, s, addr) == 1 ? 4 : inet_pton(AF_INET6, s, addr) == 1 ? 16 : 0;
}

int cert_is_ip(const char *s)
{
	unsigned char addr[16];

	return ip_octets(s, addr) > 0;
}

/* At most cap - 1 octets of src, lower-cased: a name in a certificate is compared as such. */
static void lower_copy(char *dst, size_t cap, const char *src, size_t n)
{
	text_lower_copy(dst, src, n < cap ? n : cap - 1);
}

const char *cert_choose_name(const char *sni, size_t sni_len, const char *hostname, char *buf,
                             size_t buflen)
{
	if (sni != NULL && sni_len < buflen &&
	    text_dns_name(sni, sni_len, 253, TEXT_DNS_UNDERSCORE)) {
		lower_copy(buf, buflen, sni, sni_len);
		if (!cert_is_ip(buf))
			return buf;
	}
	lower_copy(buf, buflen, hostname, strlen(hostname));
	return buf;
}

static uint64_t fnv1a(const char *p, size_t n)
{
	uint64_t h = 14695981039346656037ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

int cert_file_name(const char *kind, const char *name, char *out, size_t outlen)
{
	size_t n = strlen(name), keep = n > FILE_NAME_KEEP ? FILE_NAME_KEEP : n, o = 0;
	int altered = keep < n;
	char safe[FILE_NAME_KEEP + 1];
	int w;

	for (size_t i = 0; i < keep; i++) {
		char c = name[i];

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-') {
			safe[o++] = c;
		} else {
			safe[o++] = '_';
			altered = 1;
		}
	}
	safe[o] = '\0';
	if (altered)
		w = snprintf(out, outlen, "%s-%s-%016llx.pem", kind, safe,
		             (unsigned long long)fnv1a(name, n));
	else
		w = snprintf(out, outlen, "%s-%s.pem", kind, safe);
	return w < 0 || (size_t)w >= outlen ? -1 : 0;
}

/* A message cut short is still a message: truncation is accepted here. */
static void set_err(char *err, size_t errlen, const char *what, const char *detail)
{
	if (err != NULL && errlen > 0 && snprintf(err, errlen, "%s: %s", what, detail) < 0)
		err[0] = '\0';
}

/* mkdir -p with mode 0700 for what we create, then insist the directory is ours and not
 * writable by others: a cache in a shared /tmp must not take certificates planted there. A
 * symlink is followed (systemd's DynamicUser= makes /var/cache/badsmtp one, to
 * private/badsmtp): what counts is the directory it leads to. One stat when it is there (it
 * is asked for each certificate a session uses: a fault's, its CA's). */
static int cache_dir_ready(const char *dir, char *err, size_t errlen)
{
	struct stat st;

	if (stat(dir, &st) != 0 &&
	    (errno != ENOENT || file_ensure_dir(dir, 0700) != 0 || stat(dir, &st) != 0)) {
		set_err(err, errlen, dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		set_err(err, errlen, dir, strerror(ENOTDIR));
		return -1;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 022) != 0) {
		set_err(err, errlen, dir, "not a directory owned by us and closed to others");
		return -1;
	}
	return 0;
}

static int gnutls_fail(char *err, size_t errlen, const char *what, int rc)
{
	set_err(err, errlen, what, tlsdl.gnutls_strerror(rc));
	return -1;
}

static int join(char *out, size_t cap, const char *dir, const char *file)
{
	int w = snprintf(out, cap, "%s/%s", dir, file);

	return w < 0 || (size_t)w >= cap ? -1 : 0;
}

/* ---- what is made, and when a cached one is still right ---- */

/* When a certificate is still what it is meant to be: valid for more than a day yet (SPEC §7),
 * expired (it stays so), or not yet valid for more than a day (SPEC §16). */
enum window { WINDOW_CURRENT, WINDOW_PAST, WINDOW_FUTURE };

struct recipe {
	const char *tag;              /* file names: see entry_names */
	const char *fixed_name;       /* the CN whatever name is asked for (CAs, wronghost) */
	const struct recipe *issuer;  /* NULL: self-signed */
	int ca, path_len;             /* a CA (keyCertSign, cRLSign, CA:TRUE), its path length */
	int slot;                     /* a CA: its place in issuers[] */
	long long from, until;        /* the validity window, in seconds from now */
	enum window window;
	unsigned rsa_bits;            /* 0: ECDSA P-256 */
	gnutls_digest_algorithm_t digest;
};

static const struct recipe test_ca = {
	.tag = "ca", .fixed_name = "BadSMTP Test CA", .ca = 1, .path_len = -1, .slot = 0,
	.from = -HOUR, .until = CA_DAYS * DAY, .digest = GNUTLS_DIG_SHA256,
};
static const struct recipe intermediate_ca = {
	.tag = "intermediate-ca", .fixed_name = "BadSMTP Test Intermediate CA", .issuer = &test_ca,
	.ca = 1, .path_len = 0, .slot = 1, .from = -HOUR, .until = CA_DAYS * DAY,
	.digest = GNUTLS_DIG_SHA256,
};
static const struct recipe untrusted_ca = {
	.tag = "untrusted-ca", .fixed_name = "BadSMTP Untrusted CA", .ca = 1, .path_len = -1,
	.slot = 2, .from = -HOUR, .until = CA_DAYS * DAY, .digest = GNUTLS_DIG_SHA256,
};

/* SPEC §16's certificates; the others are §7's leaf signed by the test CA with one thing
 * changed. */
static const struct recipe leaves[TLSFAULT_CERT_COUNT] = {
	[TLSFAULT_CERT_SELFSIGNED] = { .from = -HOUR, .until = LEAF_DAYS * DAY,
	                               .digest = GNUTLS_DIG_SHA256 },
	[TLSFAULT_CERT_TRUSTED] = { .tag = "trusted", .issuer = &test_ca, .from = -HOUR,
	                            .until = LEAF_DAYS * DAY, .digest = GNUTLS_DIG_SHA256 },
	[TLSFAULT_CERT_EXPIRED] = { .tag = "expired", .issuer = &test_ca, .from = -60 * DAY,
	                            .until = -DAY, .window = WINDOW_PAST,
	                            .digest = GNUTLS_DIG_SHA256 },
	[TLSFAULT_CERT_NOTYETVALID] = { .tag = "notyetvalid", .issuer = &test_ca, .from = 30 * DAY,
	                                .until = 60 * DAY, .window = WINDOW_FUTURE,
	                                .digest = GNUTLS_DIG_SHA256 },
	[TLSFAULT_CERT_WRONGHOST] = { .tag = "wronghost", .fixed_name = "wrong.host.invalid",
	                              .issuer = &test_ca, .from = -HOUR, .until = LEAF_DAYS * DAY,
	                              .digest = GNUTLS_DIG_SHA256 },
	[TLSFAULT_CERT_UNTRUSTED] = { .tag = "untrusted", .issuer = &untrusted_ca, .from = -HOUR,
	                              .until = LEAF_DAYS * DAY, .digest = GNUTLS_DIG_SHA256 },
	[TLSFAULT_CERT_INTERMEDIATE] = { .tag = "chain", .issuer = &intermediate_ca,
	                                 .from = -HOUR, .until = LEAF_DAYS * DAY,
	                                 .digest = GNUTLS_DIG_SHA256 },
	[TLSFAULT_CERT_SHA1] = { .tag = "sha1", .issuer = &test_ca, .from = -HOUR,
	                         .until = LEAF_DAYS * DAY, .digest = GNUTLS_DIG_SHA1 },
	[TLSFAULT_CERT_RSA1024] = { .tag = "rsa1024", .issuer = &test_ca, .from = -HOUR,
	                            .until = LEAF_DAYS * DAY, .rsa_bits = 1024,
	                            .digest = GNUTLS_DIG_SHA256 },
};

/* A CA's pair as this process knows it (each is needed for several certificates, and one made
 * in memory must stay the same one for the whole process), with its subject key identifier,
 * which the certificates it signed carry as their authority key identifier. */
struct issuer {
	int whole;
	char dir[FILE_PATH_MAX];      /* the cache it came from ("" none) */
	int kept;                     /* it is in that cache */
	unsigned char ski[64];
	size_t ski_len;
	struct cert_pem pem;
};

static struct issuer issuers[3];

/* The pair is for name, in its window, signed by the issuer (its authority key identifier is
 * the issuer's subject key identifier), and the key is the certificate's (the same public key
 * identifier: concurrent writers can leave one's key beside another's certificate). */
static int pair_usable(const struct recipe *r, const char *name, const struct issuer *issuer,
                       const struct cert_pem *p)
{
	gnutls_x509_crt_t crt;
	gnutls_x509_privkey_t key;
	gnutls_datum_t c = { (unsigned char *)p->cert, (unsigned)p->cert_len };
	gnutls_datum_t k = { (unsigned char *)p->key, (unsigned)p->key_len };
	unsigned char crt_id[64], key_id[64], aki[64];
	size_t crt_id_len = sizeof crt_id, key_id_len = sizeof key_id, aki_len = sizeof aki;
	char cn[CERT_NAME_MAX];
	size_t cn_len = sizeof cn;
	time_t now = time(NULL), from, until;
	int ok;

	if (tlsdl.gnutls_x509_crt_init(&crt) < 0)
		return 0;
	if (tlsdl.gnutls_x509_privkey_init(&key) < 0) {
		tlsdl.gnutls_x509_crt_deinit(crt);
		return 0;
	}
	ok = tlsdl.gnutls_x509_crt_import(crt, &c, GNUTLS_X509_FMT_PEM) >= 0 &&
	     tlsdl.gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, cn,
	                                         &cn_len) >= 0 &&
	     strcmp(cn, name) == 0 &&
	     (from = tlsdl.gnutls_x509_crt_get_activation_time(crt)) != (time_t)-1 &&
	     (until = tlsdl.gnutls_x509_crt_get_expiration_time(crt)) != (time_t)-1 &&
	     (r->window == WINDOW_CURRENT ? until - now > RENEW_WITHIN
	      : r->window == WINDOW_PAST  ? until < now
	                                  : from - now > RENEW_WITHIN) &&
	     tlsdl.gnutls_x509_privkey_import(key, &k, GNUTLS_X509_FMT_PEM) >= 0 &&
	     tlsdl.gnutls_x509_crt_get_key_id(crt, 0, crt_id, &crt_id_len) >= 0 &&
	     tlsdl.gnutls_x509_privkey_get_key_id(key, 0, key_id, &key_id_len) >= 0 &&
	     crt_id_len == key_id_len && memcmp(crt_id, key_id, key_id_len) == 0 &&
	     (issuer == NULL ||
	      (tlsdl.gnutls_x509_crt_get_authority_key_id(crt, aki, &aki_len, NULL) >= 0 &&
	       aki_len == issuer->ski_len && memcmp(aki, issuer->ski, aki_len) == 0));
	tlsdl.gnutls_x509_privkey_deinit(key);
	tlsdl.gnutls_x509_crt_deinit(crt);
	return ok;
}

/* The cache entry of one certificate: the certificate file and the key file. */
struct entry {
	char cert_file[300], key_file[300];
	char cert_path[FILE_PATH_MAX], key_path[FILE_PATH_MAX];
};

/* A CA: {tag}.pem and {tag}-key.pem (ca.pem, ca-key.pem: SPEC §16). A leaf: cert-{name}.pem and
 * key-{name}.pem for §7's, cert+{tag}-{name}.pem and key+{tag}-{name}.pem for a fault's: '+'
 * never appears in a name's part (cert_file_name), so no two entries share a file. */
static int entry_names(const struct recipe *r, const char *name, struct entry *e)
{
	char cert_kind[32], key_kind[32];
	int a, b;

	if (r->ca) {
		a = snprintf(e->cert_file, sizeof e->cert_file, "%s.pem", r->tag);
		b = snprintf(e->key_file, sizeof e->key_file, "%s-key.pem", r->tag);
		return a < 0 || (size_t)a >= sizeof e->cert_file || b < 0 ||
		       (size_t)b >= sizeof e->key_file ? -1 : 0;
	}
	a = snprintf(cert_kind, sizeof cert_kind, "cert%s%s", r->tag ? "+" : "", r->tag ? r->tag : "");
	b = snprintf(key_kind, sizeof key_kind, "key%s%s", r->tag ? "+" : "", r->tag ? r->tag : "");
	if (a < 0 || (size_t)a >= sizeof cert_kind || b < 0 || (size_t)b >= sizeof key_kind)
		return -1;
	return cert_file_name(cert_kind, name, e->cert_file, sizeof e->cert_file) != 0 ||
	       cert_file_name(key_kind, name, e->key_file, sizeof e->key_file) != 0 ? -1 : 0;
}

enum cached { CACHED_NONE, CACHED_PAIR, CACHED_COMBINED };

/* The certificate file first, then the key file: the reverse of the order they are written in.
 * CACHED_COMBINED: the certificate file held the key too (the cache before the split); out has
 * them apart, and the entry is to be written again. */
static enum cached load_cached(const struct entry *e, const struct recipe *r, const char *name,
                               const struct issuer *issuer, struct cert_pem *out)
{
	ssize_t n = file_read(e->cert_path, out->cert, sizeof out->cert, FILE_MINE);
	enum cached got = CACHED_PAIR;
	char *key;

	if (n < 0)
		return CACHED_NONE;
	out->cert_len = (size_t)n;
	key = strstr(out->cert, "-----BEGIN PRIVATE KEY-----");
	if (key != NULL) {
		/* out->key is as large as out->cert: the tail fits, with its NUL. */
		out->key_len = out->cert_len - (size_t)(key - out->cert);
		memcpy(out->key, key, out->key_len + 1);
		out->cert_len = (size_t)(key - out->cert);
		*key = '\0';
		got = CACHED_COMBINED;
	} else {
		n = file_read(e->key_path, out->key, sizeof out->key, FILE_MINE);
		if (n < 0)
			return CACHED_NONE;
		out->key_len = (size_t)n;
	}
	/* Any other key in it (not one we wrote): made anew, so the file is rewritten. */
	if (strstr(out->cert, "PRIVATE KEY") != NULL)
		return CACHED_NONE;
	return pair_usable(r, name, issuer, out) ? got : CACHED_NONE;
}

/* The key first: see load_cached. */
static int store(const char *dir, const struct entry *e, const struct cert_pem *p)
{
	if (file_write_atomic(dir, e->key_file, p->key, p->key_len, 0600) != 0)
		return -1;
	return file_write_atomic(dir, e->cert_file, p->cert, p->cert_len, 0600);
}

/* The issuer's certificate and key as GnuTLS objects, to sign with. */
static int import_issuer(const struct issuer *is, gnutls_x509_crt_t *crt,
                         gnutls_x509_privkey_t *key)
{
	gnutls_datum_t c = { (unsigned char *)is->pem.cert, (unsigned)is->pem.cert_len };
	gnutls_datum_t k = { (unsigned char *)is->pem.key, (unsigned)is->pem.key_len };
	int rc;

	if ((rc = tlsdl.gnutls_x509_crt_init(crt)) < 0)
		return rc;
	if ((rc = tlsdl.gnutls_x509_privkey_init(key)) < 0)
		return rc;
	if ((rc = tlsdl.gnutls_x509_crt_import(*crt, &c, GNUTLS_X509_FMT_PEM)) < 0)
		return rc;
	return tlsdl.gnutls_x509_privkey_import(*key, &k, GNUTLS_X509_FMT_PEM);
}

/* A CA gets keyCertSign and cRLSign; a leaf digitalSignature and serverAuth, and its name as
 * SAN: an IP address or a DNS name. */
static int set_usage(gnutls_x509_crt_t crt, const struct recipe *r, const char *name)
{
	unsigned char ip[16];
	size_t size = ip_octets(name, ip);
	int rc;

	if (r->ca) {
		if ((rc = tlsdl.gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_KEY_CERT_SIGN |
		                                                   GNUTLS_KEY_CRL_SIGN)) < 0)
			return rc;
		return tlsdl.gnutls_x509_crt_set_basic_constraints(crt, 1, r->path_len);
	}
	if ((rc = size > 0
	          ? tlsdl.gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, ip,
	                                                       (unsigned)size, GNUTLS_FSAN_SET)
	          : tlsdl.gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, name,
	                                                       (unsigned)strlen(name),
	                                                       GNUTLS_FSAN_SET)) < 0 ||
	    (rc = tlsdl.gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE)) < 0 ||
	    (rc = tlsdl.gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER, 0)) < 0)
		return rc;
	return tlsdl.gnutls_x509_crt_set_basic_constraints(crt, 0, -1);
}

static int generate(const struct recipe *r, const char *name, const struct issuer *issuer,
                    struct cert_pem *out, char *serial_hex, char *err, size_t errlen)
{
	gnutls_x509_privkey_t key = NULL, issuer_key = NULL;
	gnutls_x509_crt_t crt = NULL, issuer_crt = NULL;
	unsigned char serial[16], key_id[64];
	size_t key_id_len = sizeof key_id, size;
	time_t now = time(NULL);
	int rc, ret = -1;

	if ((rc = tlsdl.gnutls_x509_privkey_init(&key)) < 0 ||
	    (rc = r->rsa_bits > 0
	          ? tlsdl.gnutls_x509_privkey_generate(key, GNUTLS_PK_RSA, r->rsa_bits, 0)
	          : tlsdl.gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
	                        GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0)) < 0) {
		gnutls_fail(err, errlen, r->rsa_bits > 0 ? "generating an RSA key"
		                                         : "generating an ECDSA P-256 key", rc);
		goto out;
	}
	if (getrandom(serial, sizeof serial, 0) != (ssize_t)sizeof serial) {
		set_err(err, errlen, "random serial", strerror(errno));
		goto out;
	}
	serial[0] = (unsigned char)((serial[0] & 0x7f) | 0x40);   /* positive, full length */
	for (size_t i = 0; i < sizeof serial; i++)
		snprintf(serial_hex + 2 * i, 3, "%02x", serial[i]);
	if (issuer != NULL && (rc = import_issuer(issuer, &issuer_crt, &issuer_key)) < 0) {
		gnutls_fail(err, errlen, "loading the issuing CA", rc);
		goto out;
	}
	if ((rc = tlsdl.gnutls_x509_crt_init(&crt)) < 0 ||
	    (rc = tlsdl.gnutls_x509_crt_set_version(crt, 3)) < 0 ||
	    (rc = tlsdl.gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, name,
	                                              (unsigned)strlen(name))) < 0 ||
	    (rc = tlsdl.gnutls_x509_crt_set_activation_time(crt, now + r->from)) < 0 ||
	    (rc = tlsdl.gnutls_x509_crt_set_expiration_time(crt, now + r->until)) < 0 ||
	    (rc = tlsdl.gnutls_x509_crt_set_serial(crt, serial, sizeof serial)) < 0 ||
	    (rc = set_usage(crt, r, name)) < 0 ||
	    (rc = tlsdl.gnutls_x509_crt_set_key(crt, key)) < 0 ||
	    (rc = tlsdl.gnutls_x509_crt_get_key_id(crt, 0, key_id, &key_id_len)) < 0 ||
	    (rc = tlsdl.gnutls_x509_crt_set_subject_key_id(crt, key_id, key_id_len)) < 0 ||
	    (issuer != NULL &&
	     (rc = tlsdl.gnutls_x509_crt_set_authority_key_id(crt, issuer->ski,
	                                                      issuer->ski_len)) < 0) ||
	    (rc = issuer != NULL
	          ? tlsdl.gnutls_x509_crt_sign2(crt, issuer_crt, issuer_key, r->digest, 0)
	          : tlsdl.gnutls_x509_crt_sign2(crt, crt, key, r->digest, 0)) < 0) {
		gnutls_fail(err, errlen, "building the certificate", rc);
		goto out;
	}
	size = sizeof out->cert - 1;
	if ((rc = tlsdl.gnutls_x509_crt_export(crt, GNUTLS_X509_FMT_PEM, out->cert, &size)) < 0) {
		gnutls_fail(err, errlen, "exporting the certificate", rc);
		goto out;
	}
	out->cert_len = size;
	out->cert[size] = '\0';
	size = sizeof out->key - 1;
	if ((rc = tlsdl.gnutls_x509_privkey_export_pkcs8(key, GNUTLS_X509_FMT_PEM, NULL,
	                                                 GNUTLS_PKCS_PLAIN, out->key, &size)) < 0) {
		gnutls_fail(err, errlen, "exporting the key", rc);
		goto out;
	}
	out->key_len = size;
	out->key[size] = '\0';
	ret = 0;
out:
	if (crt != NULL)
		tlsdl.gnutls_x509_crt_deinit(crt);
	if (key != NULL)
		tlsdl.gnutls_x509_privkey_deinit(key);
	if (issuer_crt != NULL)
		tlsdl.gnutls_x509_crt_deinit(issuer_crt);
	if (issuer_key != NULL)
		tlsdl.gnutls_x509_privkey_deinit(issuer_key);
	return ret;
}

/* Writers of the cache take turns: an exclusive flock on its .lock file, held from the second
 * look into the cache until both files are written. The fd, or -1 when the lock cannot be had
 * (then we write unlocked, and readers still never serve a mismatched pair). */
static int lock_cache(const char *dir)
{
	char path[FILE_PATH_MAX];
	int fd;

	if (join(path, sizeof path, dir, LOCK_FILE) != 0)
		return -1;
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	while (flock(fd, LOCK_EX) != 0) {
		if (errno != EINTR) {
			close(fd);
			return -1;
		}
	}
	return fd;
}

static const struct issuer *issuer_of(const struct recipe *r, const char *cache_dir, char *err,
                                      size_t errlen);

/* The pair of recipe r for name: from the cache when it is there and still right, else made
 * (its issuer first) and cached. *kept: it is in the cache. The issuer is taken before this
 * entry's lock: one process never holds two. */
static int obtain(const struct recipe *r, const char *name, const char *cache_dir,
                  struct cert_pem *out, int *kept, char *err, size_t errlen)
{
	const struct issuer *issuer = NULL;
	struct entry e;
	char why[512], serial[33] = "";
	enum cached got = CACHED_NONE;
	int cache_ok = 0, lock = -1, rc = 0;

	*kept = 0;
	if (r->issuer != NULL && (issuer = issuer_of(r->issuer, cache_dir, err, errlen)) == NULL)
		return -1;
	if (r->fixed_name != NULL)
		name = r->fixed_name;
	if (entry_names(r, name, &e) != 0) {
		set_err(err, errlen, name, "name too long");
		return -1;
	}
	e.cert_path[0] = '\0';
	if (cache_dir != NULL) {
		if (join(e.cert_path, sizeof e.cert_path, cache_dir, e.cert_file) != 0 ||
		    join(e.key_path, sizeof e.key_path, cache_dir, e.key_file) != 0) {
			e.cert_path[0] = '\0';
			set_err(why, sizeof why, cache_dir, "path too long");
		} else if (cache_dir_ready(cache_dir, why, sizeof why) == 0) {
			cache_ok = 1;
			got = load_cached(&e, r, name, issuer, out);
		}
	}
	/* A miss may be another writer's work in progress, or just done: look again in turn. */
	if (cache_ok && got != CACHED_PAIR && (lock = lock_cache(cache_dir)) >= 0)
		got = load_cached(&e, r, name, issuer, out);
	if (got == CACHED_PAIR) {
		*kept = 1;
		LOG_EVENT(LOG_LEVEL_DEBUG, "TLS certificate loaded from cache", LOG_S("sni", name),
		          LOG_S("path", e.cert_path));
		goto out;
	}
	if (got == CACHED_NONE && generate(r, name, issuer, out, serial, err, errlen) != 0) {
		rc = -1;
		goto out;
	}
	if (cache_ok && store(cache_dir, &e, out) != 0) {
		set_err(why, sizeof why, e.cert_path, strerror(errno));
		cache_ok = 0;
	}
	*kept = cache_ok;
	if (cache_dir != NULL && !cache_ok)
		LOG_EVENT(LOG_LEVEL_WARN, "TLS certificate cache not usable, certificate kept in memory",
		          LOG_S("sni", name), LOG_S("serial", serial), LOG_S("error", why));
	else if (got == CACHED_COMBINED)
		LOG_EVENT(LOG_LEVEL_DEBUG, "TLS certificate cache entry split into certificate and key",
		          LOG_S("sni", name), LOG_S("path", e.cert_path));
	else
		LOG_EVENT(LOG_LEVEL_DEBUG, "TLS certificate generated", LOG_S("sni", name),
		          LOG_S("serial", serial), LOG_S("path", e.cert_path));
out:
	if (lock >= 0)
		close(lock);
	return rc;
}

/* The CA r, once per process and cache directory (see struct issuer). NULL, with err, when it
 * can be neither loaded nor made. */
static const struct issuer *issuer_of(const struct recipe *r, const char *cache_dir, char *err,
                                      size_t errlen)
{
	const char *dir = cache_dir != NULL ? cache_dir : "";
	struct issuer *is = &issuers[r->slot];
	gnutls_x509_crt_t crt;
	gnutls_datum_t c;
	int rc;

	if (is->whole && strcmp(is->dir, dir) == 0)
		return is;
	is->whole = 0;
	if (obtain(r, r->fixed_name, cache_dir, &is->pem, &is->kept, err, errlen) != 0)
		return NULL;
	c = (gnutls_datum_t){ (unsigned char *)is->pem.cert, (unsigned)is->pem.cert_len };
	is->ski_len = sizeof is->ski;
	if ((rc = tlsdl.gnutls_x509_crt_init(&crt)) >= 0) {
		rc = tlsdl.gnutls_x509_crt_import(crt, &c, GNUTLS_X509_FMT_PEM);
		if (rc >= 0)
			rc = tlsdl.gnutls_x509_crt_get_subject_key_id(crt, is->ski, &is->ski_len, NULL);
		tlsdl.gnutls_x509_crt_deinit(crt);
	}
	if (rc < 0) {
		gnutls_fail(err, errlen, r->fixed_name, rc);
		return NULL;
	}
	snprintf(is->dir, sizeof is->dir, "%s", dir);
	is->whole = 1;
	return is;
}

int cert_get(enum tlsfault_cert kind, int chain, const char *name, const char *cache_dir,
             struct cert_pem *out, char *err, size_t errlen)
{
	const struct recipe *r = &leaves[kind];
	const struct issuer *issuer;
	int kept;

	if (tlsdl_load(err, errlen) != 0)
		return -1;
	if (obtain(r, name, cache_dir, out, &kept, err, errlen) != 0)
		return -1;
	if (!chain || r->issuer == NULL)
		return 0;
	/* the one obtain took: it signed out->cert */
	if ((issuer = issuer_of(r->issuer, cache_dir, err, errlen)) == NULL)
		return -1;
	if (out->cert_len + issuer->pem.cert_len >= sizeof out->cert) {
		set_err(err, errlen, name, "certificate chain too long");
		return -1;
	}
	memcpy(out->cert + out->cert_len, issuer->pem.cert, issuer->pem.cert_len + 1);
	out->cert_len += issuer->pem.cert_len;
	return 0;
}

int cert_test_ca(const char *cache_dir, struct cert_pem *out, char *err, size_t errlen)
{
	const struct issuer *is;

	if (tlsdl_load(err, errlen) != 0)
		return -1;
	if ((is = issuer_of(&test_ca, cache_dir, err, errlen)) == NULL)
		return -1;
	if (!is->kept) {
		set_err(err, errlen, cache_dir != NULL ? cache_dir : "no cert cache",
		        "the test CA cannot be kept there, so no session would use it");
		return -1;
	}
	*out = is->pem;
	return 0;
}

/* path read whole (NUL-terminated) into buf[FILE_MAX], which must hold marker, else err says
 * missing. */
static int read_pem(const char *path, char *buf, const char *marker, const char *missing,
                    size_t *len, char *err, size_t errlen)
{
	ssize_t n = file_read(path, buf, FILE_MAX, 0);

	if (n < 0) {
		set_err(err, errlen, path, errno == EINVAL ? "not a regular file" : strerror(errno));
		return -1;
	}
	if (strstr(buf, marker) == NULL) {
		set_err(err, errlen, path, missing);
		return -1;
	}
	*len = (size_t)n;
	return 0;
}

/* Both files read whole (NUL-terminated): cert and key point into one buffer of 2 * FILE_MAX. */
static int read_pair(const char *cert_file, const char *key_file, char *buf, size_t *cert_len,
                     size_t *key_len, char *err, size_t errlen)
{
	if (read_pem(cert_file, buf, "-----BEGIN CERTIFICATE-----", "no PEM certificate in it",
	             cert_len, err, errlen) != 0)
		return -1;
	return read_pem(key_file, buf + FILE_MAX, "PRIVATE KEY-----", "no PEM private key in it",
	                key_len, err, errlen);
}

static char pair_buf[2 * FILE_MAX];

static int load_pair(const char *cert_file, const char *key_file, size_t cert_len,
                     size_t key_len, gnutls_certificate_credentials_t cred, char *err,
                     size_t errlen)
{
	gnutls_datum_t c = { (unsigned char *)pair_buf, (unsigned)cert_len };
	gnutls_datum_t k = { (unsigned char *)pair_buf + FILE_MAX, (unsigned)key_len };
	int rc = tlsdl.gnutls_certificate_set_x509_key_mem(cred, &c, &k, GNUTLS_X509_FMT_PEM);

	if (rc < 0 && err != NULL && errlen > 0)
		snprintf(err, errlen, "--tls-cert %s / --tls-key %s: %s", cert_file, key_file,
		         tlsdl.gnutls_strerror(rc));
	return rc < 0 ? -1 : 0;
}

int cert_load_files(const char *cert_file, const char *key_file,
                    gnutls_certificate_credentials_t cred, char *err, size_t errlen)
{
	size_t cert_len, key_len;

	if (read_pair(cert_file, key_file, pair_buf, &cert_len, &key_len, err, errlen) != 0)
		return -1;
	return load_pair(cert_file, key_file, cert_len, key_len, cred, err, errlen);
}

static int describe(const char *path, char *out, size_t outlen)
{
	struct stat st;
	int w;

	if (stat(path, &st) != 0)
		return -1;
	w = snprintf(out, outlen, "%s\n%llu %llu %lld %lld.%09ld\n", path,
	             (unsigned long long)st.st_dev, (unsigned long long)st.st_ino,
	             (long long)st.st_size, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	return w < 0 || (size_t)w >= outlen ? -1 : w;
}

int cert_check_files(const char *cert_file, const char *key_file, const char *cache_dir,
                     char *err, size_t errlen)
{
	char stamp[2 * 4200 + 16], stamp_file[64], seen[sizeof stamp], path[FILE_PATH_MAX];
	size_t cert_len, key_len, n = 0;
	gnutls_certificate_credentials_t cred;
	int w, have_stamp = 0, rc;

	if (read_pair(cert_file, key_file, pair_buf, &cert_len, &key_len, err, errlen) != 0)
		return -1;
	memcpy(stamp, "badsmtp-verified 1\n", 19);
	n = 19;
	w = describe(cert_file, stamp + n, sizeof stamp - n);
	if (w > 0) {
		n += (size_t)w;
		w = describe(key_file, stamp + n, sizeof stamp - n);
	}
	if (w > 0 && cache_dir != NULL) {
		n += (size_t)w;
		snprintf(stamp_file, sizeof stamp_file, "verified-%016llx.stamp",
		         (unsigned long long)fnv1a(stamp, n));
		have_stamp = 1;
		if (join(path, sizeof path, cache_dir, stamp_file) == 0) {
			ssize_t r = file_read(path, seen, sizeof seen, FILE_MINE);

			if (r == (ssize_t)n && memcmp(seen, stamp, n) == 0)
				return 0;
		}
	}
	if (!library_loadable())
		return 1;
	if (tlsdl_load(err, errlen) != 0)
		return -1;
	if ((rc = tlsdl.gnutls_certificate_allocate_credentials(&cred)) < 0)
		return gnutls_fail(err, errlen, "TLS credentials", rc);
	rc = load_pair(cert_file, key_file, cert_len, key_len, cred, err, errlen);
	tlsdl.gnutls_certificate_free_credentials(cred);
	if (rc != 0)
		return -1;
	if (have_stamp && cache_dir_ready(cache_dir, NULL, 0) == 0)
		/* best effort: it only makes the next check cheap */
		(void)file_write_atomic(cache_dir, stamp_file, stamp, n, 0600);
	return 0;
}
