/* cert: certificates for the tls module (SPEC §7).
 * - Generated: self-signed ECDSA P-256, CN and SAN (DNS, or IP for an address) = the name, valid
 *   from one hour ago for 30 days, random 128-bit serial, key usage digitalSignature, EKU
 *   serverAuth (RFC 5280 §4.2.1.3, §4.2.1.12).
 * - Cached one file per name (certificate then PKCS#8 key, PEM) in the cert cache: directory
 *   0700, files 0600, written to a temporary file, fsync'd and renamed, so a reader never sees
 *   half a file; reused until a day before expiry. An unusable cache means an in-memory
 *   certificate and a warning, never a failed handshake.
 * - --tls-cert/--tls-key: checked at start-up, cheaply when a verified-stamp says this exact pair
 *   of files (path, device, inode, size, mtime) already loaded and matched once.
 * It does no TLS session work and does not decide when to run: tls.c does. */
#include "cert.h"

#include "library.h"
#include "log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define FILE_MAX (1024 * 1024)   /* a PEM chain and key bigger than this is not one */
#define VALID_BEFORE (60 * 60)
#define VALID_FOR (30 * 24 * 60 * 60)
#define RENEW_WITHIN (24 * 60 * 60)
#define FILE_NAME_KEEP 200       /* name octets kept in a file name before the hash */

int cert_is_dns_name(const char *p, size_t n)
{
	size_t label = 0;

	if (n == 0 || n > 253)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '.') {
			if (label == 0 || p[i - 1] == '-')
				return 0;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return 0;
		if (c == '-' && label == 0)
			return 0;
		if (++label > 63)
			return 0;
	}
	return label > 0 && p[n - 1] != '-';
}

int cert_is_ip(const char *s)
{
	unsigned char addr[16];

	return inet_pton(AF_INET, s, addr) == 1 || inet_pton(AF_INET6, s, addr) == 1;
}

static void lower_copy(char *dst, size_t dstlen, const char *src, size_t n)
{
	size_t i;

	if (dstlen == 0)
		return;
	for (i = 0; i < n && i + 1 < dstlen; i++) {
		char c = src[i];

		dst[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	dst[i] = '\0';
}

const char *cert_choose_name(const char *sni, size_t sni_len, const char *hostname, char *buf,
                             size_t buflen)
{
	if (sni != NULL && sni_len < buflen && cert_is_dns_name(sni, sni_len)) {
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

int cert_file_name(const char *name, char *out, size_t outlen)
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
		w = snprintf(out, outlen, "cert-%s-%016llx.pem", safe,
		             (unsigned long long)fnv1a(name, n));
	else
		w = snprintf(out, outlen, "cert-%s.pem", safe);
	return w < 0 || (size_t)w >= outlen ? -1 : 0;
}

/* A message cut short is still a message: truncation is accepted here. */
static void set_err(char *err, size_t errlen, const char *what, const char *detail)
{
	if (err != NULL && errlen > 0 && snprintf(err, errlen, "%s: %s", what, detail) < 0)
		err[0] = '\0';
}

/* mkdir -p with mode 0700 for what we create, then insist the directory is ours and not
 * writable by others: a cache in a shared /tmp must not take certificates planted there. */
static int cache_dir_ready(const char *dir, char *err, size_t errlen)
{
	char path[4096];
	struct stat st;
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof path) {
		set_err(err, errlen, "cert cache", "bad directory name");
		return -1;
	}
	memcpy(path, dir, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST) {
			set_err(err, errlen, dir, strerror(errno));
			return -1;
		}
		path[i] = i < n ? '/' : '\0';
	}
	if (lstat(dir, &st) != 0) {
		set_err(err, errlen, dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022) != 0) {
		set_err(err, errlen, dir, "not a directory owned by us and closed to others");
		return -1;
	}
	return 0;
}

/* Reads a whole regular file of at most max - 1 octets, NUL-terminated. mine: it must also be
 * ours and not a symlink (cache files). Returns the length or -1 with errno. */
static ssize_t read_file(const char *path, char *buf, size_t max, int mine)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | (mine ? O_NOFOLLOW : 0));
	struct stat st;
	size_t len = 0;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (mine && st.st_uid != geteuid())) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	for (;;) {
		ssize_t r = read(fd, buf + len, max - 1 - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			close(fd);
			errno = e;
			return -1;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len == max - 1) {
			close(fd);
			errno = EFBIG;
			return -1;
		}
	}
	close(fd);
	buf[len] = '\0';
	return (ssize_t)len;
}

/* Temporary file, fsync, rename, fsync of the directory: the file is whole or absent. */
static int write_atomic(const char *dir, const char *file, const char *data, size_t n)
{
	char tmp[4096], path[4096];
	int fd, w1, w2, e;
	size_t done = 0;

	w1 = snprintf(path, sizeof path, "%s/%s", dir, file);
	w2 = snprintf(tmp, sizeof tmp, "%s/.%s.%ld.tmp", dir, file, (long)getpid());
	if (w1 < 0 || (size_t)w1 >= sizeof path || w2 < 0 || (size_t)w2 >= sizeof tmp) {
		errno = ENAMETOOLONG;
		return -1;
	}
	unlink(tmp);   /* a leftover of a crashed process with our pid */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	while (done < n) {
		ssize_t w = write(fd, data + done, n - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto fail;
		done += (size_t)w;
	}
	if (fsync(fd) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		goto fail;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	return 0;
fail:
	e = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	errno = e;
	return -1;
}

static int gnutls_fail(char *err, size_t errlen, const char *what, int rc)
{
	set_err(err, errlen, what, tlsdl.gnutls_strerror(rc));
	return -1;
}

/* The cached certificate at path, when it is for name and valid for more than a day. */
static int load_cached(const char *path, const char *name, struct cert_pem *out)
{
	gnutls_x509_crt_t crt;
	gnutls_datum_t d;
	char cn[CERT_NAME_MAX];
	size_t cn_len = sizeof cn;
	ssize_t n = read_file(path, out->pem, sizeof out->pem, 1);
	time_t expires;
	int ok;

	if (n < 0 || strstr(out->pem, "PRIVATE KEY-----") == NULL)
		return -1;
	out->len = (size_t)n;
	if (tlsdl.gnutls_x509_crt_init(&crt) < 0)
		return -1;
	d.data = (unsigned char *)out->pem;
	d.size = (unsigned)n;
	ok = tlsdl.gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM) >= 0 &&
	     tlsdl.gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, cn,
	                                         &cn_len) >= 0 &&
	     strcmp(cn, name) == 0;
	expires = ok ? tlsdl.gnutls_x509_crt_get_expiration_time(crt) : 0;
	tlsdl.gnutls_x509_crt_deinit(crt);
	return ok && expires != (time_t)-1 && expires - time(NULL) > RENEW_WITHIN ? 0 : -1;
}

static int generate(const char *name, struct cert_pem *out, char *serial_hex, char *err,
                    size_t errlen)
{
	gnutls_x509_privkey_t key = NULL;
	gnutls_x509_crt_t crt = NULL;
	unsigned char serial[16], ip[16], key_id[64];
	size_t key_id_len = sizeof key_id, size;
	time_t now = time(NULL);
	int rc, ret = -1;

	if ((rc = tlsdl.gnutls_x509_privkey_init(&key)) < 0 ||
	    (rc = tlsdl.gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
	                  GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0)) < 0) {
		gnutls_fail(err, errlen, "generating an ECDSA P-256 key", rc);
		goto out;
	}
	if (getrandom(serial, sizeof serial, 0) != (ssize_t)sizeof serial) {
		set_err(err, errlen, "random serial", strerror(errno));
		goto out;
	}
	serial[0] = (unsigned char)((serial[0] & 0x7f) | 0x40);   /* positive, full length */
	for (size_t i = 0; i < sizeof serial; i++)
		snprintf(serial_hex + 2 * i, 3, "%02x", serial[i]);
	if (inet_pton(AF_INET, name, ip) == 1)
		size = 4;
	else if (inet_pton(AF_INET6, name, ip) == 1)
		size = 16;
	else
		size = 0;
	if ((rc = tlsdl.gnutls_x509_crt_init(&crt)) < 0 ||
	    (rc = tlsdl.gnutls_x509_crt_set_version(crt, 3)) < 0 ||
	    (rc = tlsdl.gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, name,
	                                              (unsigned)strlen(name))) < 0 ||
	    (rc = size > 0
	          ? tlsdl.gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, ip,
	                                                       (unsigned)size, GNUTLS_FSAN_SET)
	          : tlsdl.gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, name,
	                                                       (unsigned)strlen(name),
	                                                       GNUTLS_FSAN_SET)) < 0 ||
	    (rc = tlsdl.gnutls_x509_crt_set_activation_time(crt, now - VALID_BEFORE)) < 0 ||
	    (rc = tlsdl.gnutls_x509_crt_set_expiration_time(crt, now + VALID_FOR)) < 0 ||
	    (rc = tlsdl.gnutls_x509_crt_set_serial(crt, serial, sizeof serial)) < 0 ||
	    (rc = tlsdl.gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE)) < 0 ||
	    (rc = tlsdl.gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER, 0)) < 0 ||
	    (rc = tlsdl.gnutls_x509_crt_set_basic_constraints(crt, 0, -1)) < 0 ||
	    (rc = tlsdl.gnutls_x509_crt_set_key(crt, key)) < 0 ||
	    (rc = tlsdl.gnutls_x509_crt_get_key_id(crt, 0, key_id, &key_id_len)) < 0 ||
	    (rc = tlsdl.gnutls_x509_crt_set_subject_key_id(crt, key_id, key_id_len)) < 0 ||
	    (rc = tlsdl.gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0)) < 0) {
		gnutls_fail(err, errlen, "building the certificate", rc);
		goto out;
	}
	size = sizeof out->pem - 1;
	if ((rc = tlsdl.gnutls_x509_crt_export(crt, GNUTLS_X509_FMT_PEM, out->pem, &size)) < 0) {
		gnutls_fail(err, errlen, "exporting the certificate", rc);
		goto out;
	}
	out->len = size;
	size = sizeof out->pem - 1 - out->len;
	if ((rc = tlsdl.gnutls_x509_privkey_export_pkcs8(key, GNUTLS_X509_FMT_PEM, NULL,
	                                                 GNUTLS_PKCS_PLAIN, out->pem + out->len,
	                                                 &size)) < 0) {
		gnutls_fail(err, errlen, "exporting the key", rc);
		goto out;
	}
	out->len += size;
	out->pem[out->len] = '\0';
	ret = 0;
out:
	if (crt != NULL)
		tlsdl.gnutls_x509_crt_deinit(crt);
	if (key != NULL)
		tlsdl.gnutls_x509_privkey_deinit(key);
	return ret;
}

int cert_get(const char *name, const char *cache_dir, int regenerate, struct cert_pem *out,
             char *err, size_t errlen)
{
	char file[300], path[4096], why[512], serial[33] = "";
	int cache_ok = 0, w;

	if (tlsdl_load(err, errlen) != 0)
		return -1;
	if (cert_file_name(name, file, sizeof file) != 0) {
		set_err(err, errlen, name, "name too long");
		return -1;
	}
	if (cache_dir != NULL) {
		w = snprintf(path, sizeof path, "%s/%s", cache_dir, file);
		if (w < 0 || (size_t)w >= sizeof path)
			set_err(why, sizeof why, cache_dir, "path too long");
		else if (cache_dir_ready(cache_dir, why, sizeof why) == 0)
			cache_ok = 1;
		if (cache_ok && !regenerate && load_cached(path, name, out) == 0) {
			LOG_EVENT(LOG_LEVEL_DEBUG, "TLS certificate loaded from cache",
			          LOG_S("sni", name), LOG_S("path", path));
			return 0;
		}
	}
	if (generate(name, out, serial, err, errlen) != 0)
		return -1;
	if (cache_ok && write_atomic(cache_dir, file, out->pem, out->len) != 0) {
		set_err(why, sizeof why, path, strerror(errno));
		cache_ok = 0;
	}
	if (cache_ok) {
		LOG_EVENT(LOG_LEVEL_DEBUG, "TLS certificate generated", LOG_S("sni", name),
		          LOG_S("serial", serial), LOG_S("path", path));
	} else if (cache_dir != NULL) {
		LOG_EVENT(LOG_LEVEL_WARN, "TLS certificate cache not usable, certificate kept in memory",
		          LOG_S("sni", name), LOG_S("serial", serial), LOG_S("error", why));
	} else {
		LOG_EVENT(LOG_LEVEL_DEBUG, "TLS certificate generated", LOG_S("sni", name),
		          LOG_S("serial", serial), LOG_S("path", ""));
	}
	return 0;
}

/* Both files read whole (NUL-terminated): cert and key point into one buffer of 2 * FILE_MAX. */
static int read_pair(const char *cert_file, const char *key_file, char *buf, size_t *cert_len,
                     size_t *key_len, char *err, size_t errlen)
{
	ssize_t n;

	n = read_file(cert_file, buf, FILE_MAX, 0);
	if (n < 0) {
		set_err(err, errlen, cert_file, errno == EINVAL ? "not a regular file" : strerror(errno));
		return -1;
	}
	if (strstr(buf, "-----BEGIN CERTIFICATE-----") == NULL) {
		set_err(err, errlen, cert_file, "no PEM certificate in it");
		return -1;
	}
	*cert_len = (size_t)n;
	n = read_file(key_file, buf + FILE_MAX, FILE_MAX, 0);
	if (n < 0) {
		set_err(err, errlen, key_file, errno == EINVAL ? "not a regular file" : strerror(errno));
		return -1;
	}
	if (strstr(buf + FILE_MAX, "PRIVATE KEY-----") == NULL) {
		set_err(err, errlen, key_file, "no PEM private key in it");
		return -1;
	}
	*key_len = (size_t)n;
	return 0;
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
	char stamp[2 * 4200 + 16], stamp_file[64], seen[sizeof stamp], path[4200];
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
		w = snprintf(path, sizeof path, "%s/%s", cache_dir, stamp_file);
		if (w > 0 && (size_t)w < sizeof path) {
			ssize_t r = read_file(path, seen, sizeof seen, 1);

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
		write_atomic(cache_dir, stamp_file, stamp, n);   /* best effort: next time is cheap */
	return 0;
}
