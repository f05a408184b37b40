/* tlsfault: SPEC §16's table of TLS faults as data, and the `tls{fault}` parts of a name. */
#include "tlsfault.h"

#include "text.h"

#include <string.h>

#define PART_PREFIX "tls"

const char *const tlsfault_port_names[] = {
	"trusted", "expired", "notyetvalid", "wronghost", "untrusted", "selfsigned", "incomplete",
	"chain", "sha1", "rsa1024", "v10", "v11", "v12", "v13", "abort", "alert", "hang",
	"clientcert", NULL
};

/* One name per port fault, in the enum's order: TLSFAULT_TRUSTED is k = 0. */
_Static_assert(sizeof tlsfault_port_names / sizeof tlsfault_port_names[0] == TLSFAULT_INJECT,
               "tlsfault_port_names and enum tlsfault disagree");

static const struct tlsfault_spec faults[TLSFAULT_COUNT] = {
	[TLSFAULT_NONE] = { .name = "", .cert = TLSFAULT_CERT_DEFAULT },
	[TLSFAULT_TRUSTED] = { .cert = TLSFAULT_CERT_TRUSTED },
	[TLSFAULT_EXPIRED] = { .cert = TLSFAULT_CERT_EXPIRED },
	[TLSFAULT_NOTYETVALID] = { .cert = TLSFAULT_CERT_NOTYETVALID },
	[TLSFAULT_WRONGHOST] = { .cert = TLSFAULT_CERT_WRONGHOST },
	[TLSFAULT_UNTRUSTED] = { .cert = TLSFAULT_CERT_UNTRUSTED },
	[TLSFAULT_SELFSIGNED] = { .cert = TLSFAULT_CERT_SELFSIGNED },
	[TLSFAULT_INCOMPLETE] = { .cert = TLSFAULT_CERT_INTERMEDIATE },
	[TLSFAULT_CHAIN] = { .cert = TLSFAULT_CERT_INTERMEDIATE, .chain = 1 },
	[TLSFAULT_SHA1] = { .cert = TLSFAULT_CERT_SHA1, .may_refuse = 1 },
	[TLSFAULT_RSA1024] = { .cert = TLSFAULT_CERT_RSA1024, .may_refuse = 1 },
	[TLSFAULT_V10] = { .cert = TLSFAULT_CERT_TRUSTED, .version = TLSFAULT_VERSION_10,
	                   .may_refuse = 1 },
	[TLSFAULT_V11] = { .cert = TLSFAULT_CERT_TRUSTED, .version = TLSFAULT_VERSION_11,
	                   .may_refuse = 1 },
	[TLSFAULT_V12] = { .cert = TLSFAULT_CERT_TRUSTED, .version = TLSFAULT_VERSION_12 },
	[TLSFAULT_V13] = { .cert = TLSFAULT_CERT_TRUSTED, .version = TLSFAULT_VERSION_13 },
	[TLSFAULT_ABORT] = { .cut = TLSFAULT_CUT_ABORT },
	[TLSFAULT_ALERT] = { .cut = TLSFAULT_CUT_ALERT },
	[TLSFAULT_HANG] = { .cut = TLSFAULT_CUT_HANG },
	[TLSFAULT_CLIENTCERT] = { .cert = TLSFAULT_CERT_TRUSTED, .client_cert = 1 },
	[TLSFAULT_INJECT] = { .name = "inject", .cert = TLSFAULT_CERT_DEFAULT, .inject = 1 },
};

const struct tlsfault_spec *tlsfault_spec(enum tlsfault f)
{
	return &faults[(unsigned)f < TLSFAULT_COUNT ? f : TLSFAULT_NONE];
}

const char *tlsfault_name(enum tlsfault f)
{
	if (f > TLSFAULT_NONE && f < TLSFAULT_INJECT)
		return tlsfault_port_names[f - TLSFAULT_TRUSTED];
	return tlsfault_spec(f)->name;
}

enum tlsfault tlsfault_from_name(const char *p, size_t n)
{
	for (int f = TLSFAULT_TRUSTED; f < TLSFAULT_COUNT; f++)
		if (text_case_equal(p, n, tlsfault_name((enum tlsfault)f)))
			return (enum tlsfault)f;
	return TLSFAULT_NONE;
}

enum tlsfault tlsfault_for_port(int k)
{
	return k >= 0 && k < TLSFAULT_INJECT - TLSFAULT_TRUSTED ? (enum tlsfault)(TLSFAULT_TRUSTED + k)
	                                                        : TLSFAULT_NONE;
}

enum tlsfault tlsfault_from_part(const char *p, size_t n, enum tlsfault_selector by)
{
	size_t plen = strlen(PART_PREFIX);
	enum tlsfault f;

	if (n <= plen || !text_case_prefix(p, n, PART_PREFIX))
		return TLSFAULT_NONE;
	f = tlsfault_from_name(p + plen, n - plen);
	return f == TLSFAULT_INJECT && by != TLSFAULT_BY_EHLO ? TLSFAULT_NONE : f;
}

enum tlsfault tlsfault_from_label(const char *p, size_t n, enum tlsfault_selector by)
{
	const char *dot = memchr(p, '.', n);
	size_t label = dot != NULL ? (size_t)(dot - p) : n;
	enum tlsfault chosen = TLSFAULT_NONE;

	for (size_t start = 0, i = 0; i <= label; i++) {
		if (i == label || p[i] == '-') {
			enum tlsfault f = tlsfault_from_part(p + start, i - start, by);

			if (f != TLSFAULT_NONE)
				chosen = f;
			start = i + 1;
		}
	}
	return chosen;
}
