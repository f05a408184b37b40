/* Unit tests of cert: the pure name rules (table-driven), then the cache in a temporary
 * directory, one row per state a cache entry can be in (empty, whole, the old combined file,
 * a key that is not the certificate's, half an entry, a stray key in the certificate file): what
 * cert_get serves, and what the two files hold afterwards. Then sessions that start together,
 * the certificates of the TLS faults (SPEC §16: their files, reuse, windows that must stay
 * wrong, a replaced CA, the chain, the test CA itself), and the --tls-cert/--tls-key start-up
 * check. */
#include "cert.h"
#include "text.h"
#include "tap.h"
#include "tls.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const struct { const char *in; int want; } dns_rows[] = {
	{ "badsmtp.test", 1 }, { "a", 1 }, { "mx-1.example.com", 1 }, { "_dmarc.example", 1 },
	{ "127.0.0.1", 1 },                       /* syntactically a name: cert_is_ip decides */
	{ "", 0 }, { ".", 0 }, { "a..b", 0 }, { ".a", 0 }, { "a.", 0 }, { "-a.b", 0 },
	{ "a-.b", 0 }, { "../../etc/passwd", 0 }, { "a/b", 0 }, { "a b", 0 }, { "::1", 0 },
	{ "a!b", 0 },
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.b", 1 },   /* 63 */
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.b", 0 },  /* 64 */
};

static const struct { const char *in; int want; } ip_rows[] = {
	{ "127.0.0.1", 1 }, { "::1", 1 }, { "2001:db8::5", 1 }, { "10.1.2.3", 1 },
	{ "badsmtp.test", 0 }, { "1.2.3", 0 }, { "999.1.1.1", 0 }, { "", 0 },
};

static const struct { const char *sni; const char *hostname; const char *want; } choose_rows[] = {
	{ "mail.example.com", "badsmtp.test", "mail.example.com" },
	{ "MAIL.Example.COM", "badsmtp.test", "mail.example.com" },
	{ NULL, "badsmtp.test", "badsmtp.test" },
	{ "", "badsmtp.test", "badsmtp.test" },
	{ "127.0.0.1", "badsmtp.test", "badsmtp.test" },   /* msmtp sends the IP it connects to */
	{ "::1", "badsmtp.test", "badsmtp.test" },
	{ "../x", "badsmtp.test", "badsmtp.test" },
	{ NULL, "Host.Example", "host.example" },
	{ NULL, "10.0.0.1", "10.0.0.1" },
};

static const struct { const char *kind, *name, *want; } file_rows[] = {
	{ "cert", "badsmtp.test", "cert-badsmtp.test.pem" },
	{ "key", "badsmtp.test", "key-badsmtp.test.pem" },
	{ "cert", "10.1.2.3", "cert-10.1.2.3.pem" },
	{ "cert", "::1", "cert-__1-" },                  /* prefix: a hash follows */
	{ "key", "::1", "key-__1-" },
	{ "cert", "../../etc", "cert-.._.._etc-" },
	{ "cert", "..", "cert-...pem" },
};

static void test_names(void)
{
	char buf[CERT_NAME_MAX], file[300], name[300];

	for (size_t i = 0; i < sizeof dns_rows / sizeof dns_rows[0]; i++) {
		snprintf(name, sizeof name, "dns name \"%s\"", dns_rows[i].in);
		tap_int(text_dns_name(dns_rows[i].in, strlen(dns_rows[i].in), 253, TEXT_DNS_UNDERSCORE),
		        dns_rows[i].want, name);
	}
	for (size_t i = 0; i < sizeof ip_rows / sizeof ip_rows[0]; i++) {
		snprintf(name, sizeof name, "ip \"%s\"", ip_rows[i].in);
		tap_int(cert_is_ip(ip_rows[i].in), ip_rows[i].want, name);
	}
	for (size_t i = 0; i < sizeof choose_rows / sizeof choose_rows[0]; i++) {
		const char *sni = choose_rows[i].sni;

		snprintf(name, sizeof name, "name for sni \"%s\"", sni ? sni : "(none)");
		tap_str(cert_choose_name(sni, sni ? strlen(sni) : 0, choose_rows[i].hostname, buf,
		                         sizeof buf),
		        choose_rows[i].want, name);
	}
	for (size_t i = 0; i < sizeof file_rows / sizeof file_rows[0]; i++) {
		size_t n = strlen(file_rows[i].want);

		snprintf(name, sizeof name, "%s file name for \"%s\"", file_rows[i].kind,
		         file_rows[i].name);
		tap_ok(cert_file_name(file_rows[i].kind, file_rows[i].name, file, sizeof file) == 0 &&
		       strncmp(file, file_rows[i].want, n) == 0 && strchr(file, '/') == NULL, name);
		if (strncmp(file, file_rows[i].want, n) != 0)
			printf("#   got \"%s\", want \"%s…\"\n", file, file_rows[i].want);
	}
	memset(name, 'a', 260);
	name[260] = '\0';
	tap_ok(cert_file_name("cert", name, file, sizeof file) == 0 && strlen(file) < 255,
	       "a 260-octet name still makes a legal file name");
}

static void write_file(const char *path, const char *p, size_t n)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return;
	fwrite(p, 1, n, f);
	fclose(f);
	chmod(path, 0600);
}

/* 1 when the file holds exactly p[0..n) and has mode 0600. */
static int file_is(const char *path, const char *p, size_t n)
{
	static char buf[CERT_PEM_MAX + 1];
	struct stat st;
	FILE *f = fopen(path, "r");
	size_t got;

	if (f == NULL)
		return 0;
	got = fread(buf, 1, sizeof buf, f);
	fclose(f);
	return got == n && memcmp(buf, p, n) == 0 && stat(path, &st) == 0 &&
	       (st.st_mode & 0777) == 0600;
}

/* Pairs made in memory, for "cache.example" and another name, to plant in the cache. */
static struct cert_pem mine, other;

/* What a cache file is made of. */
enum piece { NONE, MY_CERT, MY_KEY, OTHER_CERT, OTHER_KEY, STRAY_KEY };

static const struct {
	const char *what;
	enum piece cert_file[2], key_file;   /* NONE first: no such file */
	int served_planted;   /* 1: the planted certificate is served; 0: a new one */
} cache_rows[] = {
	{ "empty cache: generated", { NONE }, NONE, 0 },
	{ "whole pair: reused", { MY_CERT }, MY_KEY, 1 },
	{ "old combined file (cert then key): split, same certificate", { MY_CERT, MY_KEY }, NONE,
	  1 },
	{ "certificate beside another certificate's key: made anew", { MY_CERT }, OTHER_KEY, 0 },
	{ "certificate without its key file: made anew", { MY_CERT }, NONE, 0 },
	{ "key file without a certificate: made anew", { NONE }, MY_KEY, 0 },
	{ "certificate for another name: made anew", { OTHER_CERT }, OTHER_KEY, 0 },
	{ "certificate file with a stray EC key in it: made anew", { MY_CERT, STRAY_KEY }, MY_KEY,
	  0 },
};

static size_t append_piece(char *buf, size_t at, enum piece p)
{
	static const char stray[] = "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n";
	const char *src = p == MY_CERT      ? mine.cert
	                  : p == MY_KEY     ? mine.key
	                  : p == OTHER_CERT ? other.cert
	                  : p == OTHER_KEY  ? other.key
	                  : p == STRAY_KEY  ? stray
	                                    : "";

	memcpy(buf + at, src, strlen(src));
	return at + strlen(src);
}

/* The key file first, as cert.c writes them. */
static void plant(const char *cert_path, const char *key_path, size_t row)
{
	static char buf[2 * CERT_PEM_MAX];
	size_t n;

	if (cache_rows[row].key_file != NONE) {
		n = append_piece(buf, 0, cache_rows[row].key_file);
		write_file(key_path, buf, n);
	}
	if (cache_rows[row].cert_file[0] != NONE) {
		n = append_piece(buf, 0, cache_rows[row].cert_file[0]);
		n = append_piece(buf, n, cache_rows[row].cert_file[1]);
		write_file(cert_path, buf, n);
	}
}

static void test_cache(const char *tmp)
{
	static struct cert_pem got, again;
	char dir[512], cert_path[600], key_path[600], err[512], name[300];
	struct stat st;

	tap_ok(!tlsdl_loaded(), "GnuTLS not loaded before the first need");
	if (cert_get(TLSFAULT_CERT_SELFSIGNED, 0, "cache.example", NULL, &mine, err, sizeof err) != 0 ||
	    cert_get(TLSFAULT_CERT_SELFSIGNED, 0, "other.example", NULL, &other, err, sizeof err) != 0) {
		tap_ok(0, err);
		return;
	}
	tap_ok(tlsdl_loaded(), "GnuTLS loaded after generating");
	tap_ok(strstr(mine.cert, "-----BEGIN CERTIFICATE-----") == mine.cert &&
	       strstr(mine.cert, "PRIVATE KEY") == NULL, "the certificate PEM holds no key");
	tap_ok(strstr(mine.key, "-----BEGIN PRIVATE KEY-----") == mine.key &&
	       strstr(mine.key, "CERTIFICATE") == NULL, "the key PEM is PKCS#8 and only that");
	for (size_t i = 0; i < sizeof cache_rows / sizeof cache_rows[0]; i++) {
		const char *what = cache_rows[i].what;
		int same;

		snprintf(dir, sizeof dir, "%s/sub/cache%zu", tmp, i);
		snprintf(cert_path, sizeof cert_path, "%s/cert-cache.example.pem", dir);
		snprintf(key_path, sizeof key_path, "%s/key-cache.example.pem", dir);
		if (i > 0) {
			mkdir(dir, 0700);   /* sub/ was made by the first row */
			plant(cert_path, key_path, i);
		}
		snprintf(name, sizeof name, "%s: cert_get", what);
		tap_int(cert_get(TLSFAULT_CERT_SELFSIGNED, 0, "cache.example", dir, &got, err, sizeof err), 0, name);
		same = got.cert_len == mine.cert_len && memcmp(got.cert, mine.cert, got.cert_len) == 0;
		snprintf(name, sizeof name, "%s: %s certificate served", what,
		         cache_rows[i].served_planted ? "the planted" : "a new");
		tap_int(same, cache_rows[i].served_planted, name);
		snprintf(name, sizeof name, "%s: cert file 0600, the served certificate only", what);
		tap_ok(file_is(cert_path, got.cert, got.cert_len) &&
		       strstr(got.cert, "PRIVATE KEY") == NULL, name);
		snprintf(name, sizeof name, "%s: key file 0600, the served key", what);
		tap_ok(file_is(key_path, got.key, got.key_len), name);
		snprintf(name, sizeof name, "%s: cache dir 0700", what);
		tap_ok(stat(dir, &st) == 0 && (st.st_mode & 0777) == 0700, name);
		/* What is on disk now is a whole, matching pair: the next session reuses it. */
		snprintf(name, sizeof name, "%s: the next lookup reuses the entry", what);
		tap_ok(cert_get(TLSFAULT_CERT_SELFSIGNED, 0, "cache.example", dir, &again, err, sizeof err) == 0 &&
		       again.cert_len == got.cert_len &&
		       memcmp(again.cert, got.cert, got.cert_len) == 0 &&
		       again.key_len == got.key_len && memcmp(again.key, got.key, got.key_len) == 0,
		       name);
	}
	tap_int(cert_get(TLSFAULT_CERT_SELFSIGNED, 0, "cache.example", NULL, &got, err, sizeof err), 0, "no cache dir: memory");
	snprintf(cert_path, sizeof cert_path, "%s/file", tmp);
	write_file(cert_path, "", 0);
	snprintf(dir, sizeof dir, "%s/file/cache", tmp);
	tap_int(cert_get(TLSFAULT_CERT_SELFSIGNED, 0, "cache.example", dir, &got, err, sizeof err), 0,
	        "unusable cache dir: still a certificate");
}

/* Sessions that start together for a new name: one generates, the others take its pair. */
static void test_together(const char *tmp)
{
	enum { SESSIONS = 6 };
	static struct cert_pem got[SESSIONS];
	char dir[512], path[600], err[512];
	int fds[SESSIONS][2], ok = 1, same = 1;
	pid_t pids[SESSIONS];

	snprintf(dir, sizeof dir, "%s/together", tmp);
	for (int i = 0; i < SESSIONS; i++) {
		if (pipe(fds[i]) != 0 || (pids[i] = fork()) < 0) {
			tap_ok(0, "pipe/fork");
			return;
		}
		if (pids[i] == 0) {
			struct cert_pem *p = &got[i];
			int rc = cert_get(TLSFAULT_CERT_SELFSIGNED, 0, "together.example", dir, p, err, sizeof err);

			_exit(rc == 0 && write(fds[i][1], p->cert, p->cert_len) ==
			                         (ssize_t)p->cert_len ? 0 : 1);
		}
		close(fds[i][1]);
	}
	for (int i = 0; i < SESSIONS; i++) {
		int status;
		ssize_t n = read(fds[i][0], got[i].cert, sizeof got[i].cert);

		got[i].cert_len = n > 0 ? (size_t)n : 0;
		close(fds[i][0]);
		ok = ok && waitpid(pids[i], &status, 0) == pids[i] && WIFEXITED(status) &&
		     WEXITSTATUS(status) == 0 && n > 0;
		same = same && got[i].cert_len == got[0].cert_len &&
		       memcmp(got[i].cert, got[0].cert, got[0].cert_len) == 0;
	}
	tap_ok(ok, "sessions together: every one got a certificate");
	tap_ok(same, "sessions together: all got the same certificate (one was generated)");
	snprintf(path, sizeof path, "%s/cert-together.example.pem", dir);
	tap_ok(file_is(path, got[0].cert, got[0].cert_len), "sessions together: it is the cached one");
}

/* The PEM of a whole file, or "" (tests compare what cert_get served with what is on disk). */
static const char *slurp(const char *path)
{
	static char buf[2 * CERT_PEM_MAX];
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f != NULL) {
		n = fread(buf, 1, sizeof buf - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

static int same_pem(const struct cert_pem *a, const struct cert_pem *b)
{
	return a->cert_len == b->cert_len && memcmp(a->cert, b->cert, a->cert_len) == 0;
}

/* A pair of one kind planted as the files of another: its window is wrong there. */
static void plant_as(const char *dir, const char *tag, const struct cert_pem *p)
{
	char path[700];

	snprintf(path, sizeof path, "%s/key+%s-fault.example.pem", dir, tag);
	write_file(path, p->key, p->key_len);
	snprintf(path, sizeof path, "%s/cert+%s-fault.example.pem", dir, tag);
	write_file(path, p->cert, p->cert_len);
}

static void test_fault_certs(const char *tmp)
{
	static struct cert_pem trusted, again, selfsigned, expired;
	char dir[512], path[700], err[512];
	int status;
	pid_t pid;

	snprintf(dir, sizeof dir, "%s/faults", tmp);
	tap_int(cert_get(TLSFAULT_CERT_TRUSTED, 0, "fault.example", dir, &trusted, err, sizeof err),
	        0, "trusted: cert_get");
	snprintf(path, sizeof path, "%s/cert+trusted-fault.example.pem", dir);
	tap_ok(file_is(path, trusted.cert, trusted.cert_len), "trusted: cert+trusted-NAME.pem, 0600");
	snprintf(path, sizeof path, "%s/key+trusted-fault.example.pem", dir);
	tap_ok(file_is(path, trusted.key, trusted.key_len), "trusted: key+trusted-NAME.pem, 0600");
	snprintf(path, sizeof path, "%s/ca.pem", dir);
	tap_ok(strstr(slurp(path), "-----BEGIN CERTIFICATE-----") != NULL, "the test CA in ca.pem");
	snprintf(path, sizeof path, "%s/ca-key.pem", dir);
	tap_ok(strstr(slurp(path), "PRIVATE KEY") != NULL, "its key in ca-key.pem");
	tap_ok(cert_get(TLSFAULT_CERT_TRUSTED, 0, "fault.example", dir, &again, err, sizeof err) ==
	       0 && same_pem(&again, &trusted), "trusted: the second lookup reuses the entry");
	tap_ok(cert_get(TLSFAULT_CERT_SELFSIGNED, 0, "fault.example", dir, &selfsigned, err, sizeof err) ==
	       0 && !same_pem(&selfsigned, &trusted), "selfsigned: not the trusted entry");

	/* an entry whose window is not the fault's own is made anew */
	tap_ok(cert_get(TLSFAULT_CERT_EXPIRED, 0, "fault.example", dir, &expired, err, sizeof err) ==
	       0, "expired: cert_get");
	tap_ok(cert_get(TLSFAULT_CERT_EXPIRED, 0, "fault.example", dir, &again, err, sizeof err) ==
	       0 && same_pem(&again, &expired), "expired: an expired entry is reused");
	plant_as(dir, "expired", &trusted);
	tap_ok(cert_get(TLSFAULT_CERT_EXPIRED, 0, "fault.example", dir, &again, err, sizeof err) ==
	       0 && !same_pem(&again, &trusted), "expired: a valid certificate there is replaced");
	plant_as(dir, "notyetvalid", &expired);
	tap_ok(cert_get(TLSFAULT_CERT_NOTYETVALID, 0, "fault.example", dir, &again, err,
	                sizeof err) == 0 && !same_pem(&again, &expired),
	       "notyetvalid: an expired certificate there is replaced");
	plant_as(dir, "sha1", &trusted);
	tap_ok(cert_get(TLSFAULT_CERT_SHA1, 0, "fault.example", dir, &again, err, sizeof err) == 0 &&
	       same_pem(&again, &trusted), "sha1: a pair in its window, signed by the CA, is reused");

	/* wronghost: one entry, for its own name */
	tap_ok(cert_get(TLSFAULT_CERT_WRONGHOST, 0, "fault.example", dir, &again, err, sizeof err) ==
	       0, "wronghost: cert_get");
	snprintf(path, sizeof path, "%s/cert+wronghost-wrong.host.invalid.pem", dir);
	tap_ok(file_is(path, again.cert, again.cert_len), "wronghost: cached under its own name");

	/* chain: the leaf, then the intermediate CA of intermediate-ca.pem */
	tap_ok(cert_get(TLSFAULT_CERT_INTERMEDIATE, 1, "fault.example", dir, &again, err,
	                sizeof err) == 0, "chain: cert_get");
	snprintf(path, sizeof path, "%s/intermediate-ca.pem", dir);
	tap_ok(again.cert_len > strlen(slurp(path)) &&
	       strcmp(again.cert + again.cert_len - strlen(slurp(path)), slurp(path)) == 0,
	       "chain: the leaf and then intermediate-ca.pem");
	snprintf(path, sizeof path, "%s/cert+chain-fault.example.pem", dir);
	tap_ok(strstr(slurp(path) + 30, "-----BEGIN CERTIFICATE-----") == NULL,
	       "chain: the cache holds the leaf alone");

	/* the test CA: what ca.pem holds; -1 where it cannot be kept */
	tap_ok(cert_test_ca(dir, &again, err, sizeof err) == 0, "cert_test_ca");
	snprintf(path, sizeof path, "%s/ca.pem", dir);
	tap_str(again.cert, slurp(path), "cert_test_ca: ca.pem");
	snprintf(path, sizeof path, "%s/file/cache", tmp);
	tap_int(cert_test_ca(path, &again, err, sizeof err), -1, "cert_test_ca: unusable cache");
	printf("#   %s\n", err);
	tap_int(cert_test_ca(NULL, &again, err, sizeof err), -1, "cert_test_ca: no cache");
	tap_int(cert_get(TLSFAULT_CERT_INTERMEDIATE, 1, "fault.example", NULL, &again, err,
	                 sizeof err), 0, "no cache: a chain made in memory");

	/* A new CA (another process, which knows no CA yet): every leaf of the old one is made
	 * anew. */
	snprintf(path, sizeof path, "%s/ca.pem", dir);
	unlink(path);
	if ((pid = fork()) == 0) {
		static struct cert_pem fresh;

		_exit(cert_get(TLSFAULT_CERT_TRUSTED, 0, "fault.example", dir, &fresh, err,
		               sizeof err) == 0 && !same_pem(&fresh, &trusted) ? 0 : 1);
	}
	tap_ok(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	       WEXITSTATUS(status) == 0, "a new test CA: the trusted leaf is made anew");
}

static void test_files(const char *tmp)
{
	char cert[512], key[512], key2[512], dir[512], err[512];
	struct tls_settings s = { .cache_dir = dir };

	snprintf(dir, sizeof dir, "%s/files-cache", tmp);
	snprintf(cert, sizeof cert, "%s/cert.pem", tmp);
	snprintf(key, sizeof key, "%s/key.pem", tmp);
	snprintf(key2, sizeof key2, "%s/key2.pem", tmp);
	write_file(cert, mine.cert, mine.cert_len);
	write_file(key, mine.key, mine.key_len);
	write_file(key2, other.key, other.key_len);

	tap_int(tls_check_settings(&s, err, sizeof err), 0, "no files: fine");
	s.cert_file = cert;
	tap_int(tls_check_settings(&s, err, sizeof err), -1, "cert without key");
	s.key_file = key;
	tap_int(tls_check_settings(&s, err, sizeof err), 0, "matching pair");
	tap_int(tls_check_settings(&s, err, sizeof err), 0, "matching pair again (stamp)");
	s.key_file = key2;
	tap_int(tls_check_settings(&s, err, sizeof err), -1, "mismatched pair");
	tap_ok(strstr(err, "do not match") != NULL, "mismatch is named");
	printf("#   %s\n", err);
	s.key_file = cert;
	tap_int(tls_check_settings(&s, err, sizeof err), -1, "certificate as key");
	s.key_file = "/nonexistent/key.pem";
	tap_int(tls_check_settings(&s, err, sizeof err), -1, "missing key file");
	tap_ok(strstr(err, "/nonexistent/key.pem") != NULL, "missing file is named");
}

int main(void)
{
	char tmp[] = "/tmp/test_cert.XXXXXX";
	char cmd[64];

	test_names();
	if (mkdtemp(tmp) == NULL) {
		tap_ok(0, "mkdtemp");
		return tap_done();
	}
	test_cache(tmp);
	test_together(tmp);
	test_fault_certs(tmp);
	test_files(tmp);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmp);
	return tap_done();
}
