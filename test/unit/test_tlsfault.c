/* test_tlsfault: SPEC §16's table. Every fault by name and back, its port k, what it changes
 * (certificate, chain, version, cut, client certificate, injection, may be refused); then the
 * `tls{fault}` parts of EHLO and SNI names: whole-part matching, case, the last part winning,
 * unknown parts ignored, only the first label, inject for EHLO only, and names that are not
 * names at all (empty, 255+ octets, NUL and 8-bit octets). */
#include "tlsfault.h"
#include "tap.h"

#include <stdio.h>

static const struct {
	enum tlsfault f;
	const char *name;
	int port;                        /* k of tls-{name}; -1: none */
	enum tlsfault_cert cert;
	int chain;
	enum tlsfault_version version;
	enum tlsfault_cut cut;
	int client_cert, inject, may_refuse;
} faults[] = {
	{ TLSFAULT_TRUSTED, "trusted", 0, TLSFAULT_CERT_TRUSTED, 0, 0, 0, 0, 0, 0 },
	{ TLSFAULT_EXPIRED, "expired", 1, TLSFAULT_CERT_EXPIRED, 0, 0, 0, 0, 0, 0 },
	{ TLSFAULT_NOTYETVALID, "notyetvalid", 2, TLSFAULT_CERT_NOTYETVALID, 0, 0, 0, 0, 0, 0 },
	{ TLSFAULT_WRONGHOST, "wronghost", 3, TLSFAULT_CERT_WRONGHOST, 0, 0, 0, 0, 0, 0 },
	{ TLSFAULT_UNTRUSTED, "untrusted", 4, TLSFAULT_CERT_UNTRUSTED, 0, 0, 0, 0, 0, 0 },
	{ TLSFAULT_SELFSIGNED, "selfsigned", 5, TLSFAULT_CERT_SELFSIGNED, 0, 0, 0, 0, 0, 0 },
	{ TLSFAULT_INCOMPLETE, "incomplete", 6, TLSFAULT_CERT_INTERMEDIATE, 0, 0, 0, 0, 0, 0 },
	{ TLSFAULT_CHAIN, "chain", 7, TLSFAULT_CERT_INTERMEDIATE, 1, 0, 0, 0, 0, 0 },
	{ TLSFAULT_SHA1, "sha1", 8, TLSFAULT_CERT_SHA1, 0, 0, 0, 0, 0, 1 },
	{ TLSFAULT_RSA1024, "rsa1024", 9, TLSFAULT_CERT_RSA1024, 0, 0, 0, 0, 0, 1 },
	{ TLSFAULT_V10, "v10", 10, TLSFAULT_CERT_TRUSTED, 0, TLSFAULT_VERSION_10, 0, 0, 0, 1 },
	{ TLSFAULT_V11, "v11", 11, TLSFAULT_CERT_TRUSTED, 0, TLSFAULT_VERSION_11, 0, 0, 0, 1 },
	{ TLSFAULT_V12, "v12", 12, TLSFAULT_CERT_TRUSTED, 0, TLSFAULT_VERSION_12, 0, 0, 0, 0 },
	{ TLSFAULT_V13, "v13", 13, TLSFAULT_CERT_TRUSTED, 0, TLSFAULT_VERSION_13, 0, 0, 0, 0 },
	{ TLSFAULT_ABORT, "abort", 14, TLSFAULT_CERT_NONE, 0, 0, TLSFAULT_CUT_ABORT, 0, 0, 0 },
	{ TLSFAULT_ALERT, "alert", 15, TLSFAULT_CERT_NONE, 0, 0, TLSFAULT_CUT_ALERT, 0, 0, 0 },
	{ TLSFAULT_HANG, "hang", 16, TLSFAULT_CERT_NONE, 0, 0, TLSFAULT_CUT_HANG, 0, 0, 0 },
	{ TLSFAULT_CLIENTCERT, "clientcert", 17, TLSFAULT_CERT_TRUSTED, 0, 0, 0, 1, 0, 0 },
	{ TLSFAULT_INJECT, "inject", -1, TLSFAULT_CERT_DEFAULT, 0, 0, 0, 0, 1, 0 },
	{ TLSFAULT_NONE, "", -1, TLSFAULT_CERT_DEFAULT, 0, 0, 0, 0, 0, 0 },
};

static void test_table(void)
{
	char name[128];
	int n = 0;

	for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++) {
		const struct tlsfault_spec *s = tlsfault_spec(faults[i].f);
		const char *want = faults[i].name;

		tap_str(tlsfault_name(faults[i].f), want, want);
		snprintf(name, sizeof name, "%s: by its name", want);
		tap_int(tlsfault_from_name(want, strlen(want)), faults[i].f, name);
		snprintf(name, sizeof name, "%s: port k", want);
		if (faults[i].port >= 0)
			tap_int(tlsfault_for_port(faults[i].port), faults[i].f, name);
		snprintf(name, sizeof name, "%s: certificate, chain, version, cut", want);
		tap_ok(s->cert == faults[i].cert && s->chain == faults[i].chain &&
		       s->version == faults[i].version && s->cut == faults[i].cut, name);
		snprintf(name, sizeof name, "%s: client certificate, inject, may be refused", want);
		tap_ok(s->client_cert == faults[i].client_cert && s->inject == faults[i].inject &&
		       s->may_refuse == faults[i].may_refuse, name);
	}
	while (tlsfault_port_names[n] != NULL)
		n++;
	tap_int(n, 18, "18 port faults, k = 0 … 17");
	tap_int(tlsfault_for_port(18), TLSFAULT_NONE, "no port k = 18");
	tap_int(tlsfault_for_port(-1), TLSFAULT_NONE, "no port k = -1");
	tap_str(tlsfault_name(TLSFAULT_COUNT), "", "out of range: no name");
	tap_int(tlsfault_from_name("", 0), TLSFAULT_NONE, "the empty name is no fault");
	tap_int(tlsfault_from_name("EXPIRED", 7), TLSFAULT_EXPIRED, "names ignore case");
	tap_int(tlsfault_from_name("expire", 6), TLSFAULT_NONE, "a prefix is no name");
	tap_int(tlsfault_from_name("expiredx", 8), TLSFAULT_NONE, "a longer word is no name");
}

static const char long_label[] =
	"tlsexpired-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-tlsv12.x";

static const struct {
	const char *in;
	size_t n;                        /* 0: strlen(in) */
	enum tlsfault ehlo, sni;
} labels[] = {
	{ "tlsexpired.example.com", 0, TLSFAULT_EXPIRED, TLSFAULT_EXPIRED },
	{ "tlsexpired", 0, TLSFAULT_EXPIRED, TLSFAULT_EXPIRED },
	{ "TLSExpired.Example", 0, TLSFAULT_EXPIRED, TLSFAULT_EXPIRED },
	{ "tlswronghost-nopipelining.example.com", 0, TLSFAULT_WRONGHOST, TLSFAULT_WRONGHOST },
	{ "tlsuntrusted-x.localhost", 0, TLSFAULT_UNTRUSTED, TLSFAULT_UNTRUSTED },
	{ "x-tlsv12.example", 0, TLSFAULT_V12, TLSFAULT_V12 },
	/* the last tls… part that names a fault wins; unknown parts are ignored (SPEC §3) */
	{ "tlsexpired-tlsv13.x", 0, TLSFAULT_V13, TLSFAULT_V13 },
	{ "tlsexpired-tlsbogus.x", 0, TLSFAULT_EXPIRED, TLSFAULT_EXPIRED },
	{ "tlsbogus.x", 0, TLSFAULT_NONE, TLSFAULT_NONE },
	{ "tls.x", 0, TLSFAULT_NONE, TLSFAULT_NONE },
	{ "tls-.x", 0, TLSFAULT_NONE, TLSFAULT_NONE },
	{ "tls-expired.x", 0, TLSFAULT_NONE, TLSFAULT_NONE },   /* the port's form, not a part's */
	{ "tlsexpiredx.x", 0, TLSFAULT_NONE, TLSFAULT_NONE },
	{ "xtlsexpired.x", 0, TLSFAULT_NONE, TLSFAULT_NONE },
	{ "expired.x", 0, TLSFAULT_NONE, TLSFAULT_NONE },
	/* only the first label */
	{ "mail.tlsexpired.example", 0, TLSFAULT_NONE, TLSFAULT_NONE },
	{ ".tlsexpired", 0, TLSFAULT_NONE, TLSFAULT_NONE },
	/* inject: EHLO only */
	{ "tlsinject.example", 0, TLSFAULT_INJECT, TLSFAULT_NONE },
	{ "tlsexpired-tlsinject.x", 0, TLSFAULT_INJECT, TLSFAULT_EXPIRED },
	/* not names at all */
	{ "", 0, TLSFAULT_NONE, TLSFAULT_NONE },
	{ "--", 0, TLSFAULT_NONE, TLSFAULT_NONE },
	{ "tlsexpired\0tlsv12", 17, TLSFAULT_NONE, TLSFAULT_NONE },
	{ "tlsexpired-tls\xe9.x", 0, TLSFAULT_EXPIRED, TLSFAULT_EXPIRED },
	{ "tlsexpired", 7, TLSFAULT_NONE, TLSFAULT_NONE },       /* cut at n */
	{ long_label, 0, TLSFAULT_V12, TLSFAULT_V12 },            /* 280 octets */
};

static void test_labels(void)
{
	char name[400];

	for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++) {
		size_t n = labels[i].n ? labels[i].n : strlen(labels[i].in);

		snprintf(name, sizeof name, "EHLO %.60s (%zu octets)", labels[i].in, n);
		tap_str(tlsfault_name(tlsfault_from_label(labels[i].in, n, TLSFAULT_BY_EHLO)),
		        tlsfault_name(labels[i].ehlo), name);
		snprintf(name, sizeof name, "SNI %.60s (%zu octets)", labels[i].in, n);
		tap_str(tlsfault_name(tlsfault_from_label(labels[i].in, n, TLSFAULT_BY_SNI)),
		        tlsfault_name(labels[i].sni), name);
	}
	tap_int(tlsfault_from_part("tlsv10", 6, TLSFAULT_BY_SNI), TLSFAULT_V10, "part tlsv10");
	tap_int(tlsfault_from_part("tlsinject", 9, TLSFAULT_BY_SNI), TLSFAULT_NONE,
	        "part tlsinject from an SNI: nothing");
	tap_int(tlsfault_from_part("tls", 3, TLSFAULT_BY_EHLO), TLSFAULT_NONE, "part tls: nothing");
}

int main(void)
{
	test_table();
	test_labels();
	return tap_done();
}
