/* Unit tests of cert: the pure name rules (table-driven), then the generate-and-cache cycle in a
 * temporary directory (modes, reuse, regeneration) and the --tls-cert/--tls-key start-up check. */
#include "cert.h"
#include "tap.h"
#include "tls.h"

#include <stdlib.h>
#include <sys/stat.h>
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

static const struct { const char *name; const char *want; } file_rows[] = {
	{ "badsmtp.test", "cert-badsmtp.test.pem" },
	{ "10.1.2.3", "cert-10.1.2.3.pem" },
	{ "::1", "cert-__1-" },                  /* prefix: a hash follows */
	{ "../../etc", "cert-.._.._etc-" },
	{ "..", "cert-...pem" },
};

static void test_names(void)
{
	char buf[CERT_NAME_MAX], file[300], name[300];

	for (size_t i = 0; i < sizeof dns_rows / sizeof dns_rows[0]; i++) {
		snprintf(name, sizeof name, "dns name \"%s\"", dns_rows[i].in);
		tap_int(cert_is_dns_name(dns_rows[i].in, strlen(dns_rows[i].in)), dns_rows[i].want,
		        name);
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

		snprintf(name, sizeof name, "file name for \"%s\"", file_rows[i].name);
		tap_ok(cert_file_name(file_rows[i].name, file, sizeof file) == 0 &&
		       strncmp(file, file_rows[i].want, n) == 0 && strchr(file, '/') == NULL, name);
		if (strncmp(file, file_rows[i].want, n) != 0)
			printf("#   got \"%s\", want \"%s…\"\n", file, file_rows[i].want);
	}
	memset(name, 'a', 260);
	name[260] = '\0';
	tap_ok(cert_file_name(name, file, sizeof file) == 0 && strlen(file) < 255,
	       "a 260-octet name still makes a legal file name");
}

static void test_cache(const char *tmp)
{
	static struct cert_pem a, b, c;
	char dir[512], path[600], err[512];
	struct stat st;

	snprintf(dir, sizeof dir, "%s/sub/cache", tmp);
	tap_ok(!tlsdl_loaded(), "GnuTLS not loaded before the first need");
	tap_int(cert_get("mx.example", dir, 0, &a, err, sizeof err), 0, "generate");
	tap_ok(tlsdl_loaded(), "GnuTLS loaded after generating");
	tap_ok(stat(dir, &st) == 0 && (st.st_mode & 0777) == 0700, "cache dir is 0700");
	snprintf(path, sizeof path, "%s/cert-mx.example.pem", dir);
	tap_ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "cache file is 0600");
	tap_ok(strstr(a.pem, "-----BEGIN CERTIFICATE-----") != NULL &&
	       strstr(a.pem, "-----BEGIN PRIVATE KEY-----") != NULL, "file holds cert and key");
	tap_int(cert_get("mx.example", dir, 0, &b, err, sizeof err), 0, "second lookup");
	tap_ok(a.len == b.len && memcmp(a.pem, b.pem, a.len) == 0, "second lookup reuses the file");
	tap_int(cert_get("mx.example", dir, 1, &c, err, sizeof err), 0, "regenerate");
	tap_ok(a.len != c.len || memcmp(a.pem, c.pem, a.len) != 0, "regenerate makes a new one");
	tap_int(cert_get("mx.example", NULL, 0, &c, err, sizeof err), 0, "no cache dir: memory");
	snprintf(path, sizeof path, "%s/file", tmp);
	fclose(fopen(path, "w"));
	snprintf(dir, sizeof dir, "%s/file/cache", tmp);
	tap_int(cert_get("mx.example", dir, 0, &c, err, sizeof err), 0,
	        "unusable cache dir: still a certificate");
}

static void write_file(const char *path, const char *p, size_t n)
{
	FILE *f = fopen(path, "w");

	fwrite(p, 1, n, f);
	fclose(f);
}

static void test_files(const char *tmp)
{
	static struct cert_pem a, b;
	char cert[512], key[512], key2[512], dir[512], err[512];
	struct tls_settings s = { .cache_dir = dir };
	char *split;

	snprintf(dir, sizeof dir, "%s/files-cache", tmp);
	snprintf(cert, sizeof cert, "%s/cert.pem", tmp);
	snprintf(key, sizeof key, "%s/key.pem", tmp);
	snprintf(key2, sizeof key2, "%s/key2.pem", tmp);
	if (cert_get("files.example", NULL, 0, &a, err, sizeof err) != 0 ||
	    cert_get("other.example", NULL, 0, &b, err, sizeof err) != 0)
		return;
	split = strstr(a.pem, "-----BEGIN PRIVATE KEY-----");
	write_file(cert, a.pem, (size_t)(split - a.pem));
	write_file(key, split, strlen(split));
	split = strstr(b.pem, "-----BEGIN PRIVATE KEY-----");
	write_file(key2, split, strlen(split));

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
	test_files(tmp);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmp);
	return tap_done();
}
