/* test_profile: SPEC §8, §16, §17. Every default port → profile name, kind, delay and member
 * (2525 plain, 25465 smtps, 25587 starttls-required, the three ten-port families with delays
 * 0 1 2 8 10 30 60 120 300 600, the 18 tls- ports with their TLS faults, the five greeting
 * faults on 25800-25804, any other port plain); moved family bases; names round-trip through
 * profile_from_name; unknown names are rejected; overlapping or out-of-range bases are, each
 * family by its own size; what --list-profiles says of a profile. */
#include "profile.h"
#include "tap.h"
#include "tlsfault.h"

#include <stdio.h>

static const char *kind_name(enum profile_kind k)
{
	static const char *const names[] = {
		[PROFILE_PLAIN] = "PLAIN", [PROFILE_STARTTLS_REQUIRED] = "STARTTLS_REQUIRED",
		[PROFILE_SMTPS] = "SMTPS", [PROFILE_GREETING_DELAY] = "GREETING_DELAY",
		[PROFILE_COMMAND_DELAY] = "COMMAND_DELAY", [PROFILE_DROP] = "DROP",
		[PROFILE_TLS_FAULT] = "TLS_FAULT",
		[PROFILE_GREETING_FAULT] = "GREETING_FAULT",
	};
	return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "?";
}

struct row {
	int port;
	enum profile_kind kind;
	int delay;
	const char *name;
};

#define G PROFILE_GREETING_DELAY
#define C PROFILE_COMMAND_DELAY
#define DR PROFILE_DROP
#define TF PROFILE_TLS_FAULT
#define GF PROFILE_GREETING_FAULT

static const struct row default_rows[] = {
	{ 2525, PROFILE_PLAIN, 0, "plain" },
	{ 25465, PROFILE_SMTPS, 0, "smtps" },
	{ 25587, PROFILE_STARTTLS_REQUIRED, 0, "starttls-required" },
	{ 25200, G, 0, "greeting-delay-0" },
	{ 25201, G, 1, "greeting-delay-1" },
	{ 25202, G, 2, "greeting-delay-2" },
	{ 25203, G, 8, "greeting-delay-8" },
	{ 25204, G, 10, "greeting-delay-10" },
	{ 25205, G, 30, "greeting-delay-30" },
	{ 25206, G, 60, "greeting-delay-60" },
	{ 25207, G, 120, "greeting-delay-120" },
	{ 25208, G, 300, "greeting-delay-300" },
	{ 25209, G, 600, "greeting-delay-600" },
	{ 25400, C, 0, "command-delay-0" },
	{ 25401, C, 1, "command-delay-1" },
	{ 25402, C, 2, "command-delay-2" },
	{ 25403, C, 8, "command-delay-8" },
	{ 25404, C, 10, "command-delay-10" },
	{ 25405, C, 30, "command-delay-30" },
	{ 25406, C, 60, "command-delay-60" },
	{ 25407, C, 120, "command-delay-120" },
	{ 25408, C, 300, "command-delay-300" },
	{ 25409, C, 600, "command-delay-600" },
	{ 25600, DR, 0, "drop-0" },
	{ 25601, DR, 1, "drop-1" },
	{ 25602, DR, 2, "drop-2" },
	{ 25603, DR, 8, "drop-8" },
	{ 25604, DR, 10, "drop-10" },
	{ 25605, DR, 30, "drop-30" },
	{ 25606, DR, 60, "drop-60" },
	{ 25607, DR, 120, "drop-120" },
	{ 25608, DR, 300, "drop-300" },
	{ 25609, DR, 600, "drop-600" },
	{ 25700, TF, 0, "tls-trusted" },
	{ 25701, TF, 0, "tls-expired" },
	{ 25702, TF, 0, "tls-notyetvalid" },
	{ 25703, TF, 0, "tls-wronghost" },
	{ 25704, TF, 0, "tls-untrusted" },
	{ 25705, TF, 0, "tls-selfsigned" },
	{ 25706, TF, 0, "tls-incomplete" },
	{ 25707, TF, 0, "tls-chain" },
	{ 25708, TF, 0, "tls-sha1" },
	{ 25709, TF, 0, "tls-rsa1024" },
	{ 25710, TF, 0, "tls-v10" },
	{ 25711, TF, 0, "tls-v11" },
	{ 25712, TF, 0, "tls-v12" },
	{ 25713, TF, 0, "tls-v13" },
	{ 25714, TF, 0, "tls-abort" },
	{ 25715, TF, 0, "tls-alert" },
	{ 25716, TF, 0, "tls-hang" },
	{ 25717, TF, 0, "tls-clientcert" },
	{ 25800, GF, 0, "greeting-multiline" },
	{ 25801, GF, 0, "greeting-421" },
	{ 25802, GF, 0, "greeting-554" },
	{ 25803, GF, 0, "greeting-pause" },
	{ 25804, GF, 0, "greeting-trickle" },
	/* everything else is plain */
	{ 25799, PROFILE_PLAIN, 0, "plain" },
	{ 25805, PROFILE_PLAIN, 0, "plain" },
	{ 25, PROFILE_PLAIN, 0, "plain" },
	{ 587, PROFILE_PLAIN, 0, "plain" },
	{ 0, PROFILE_PLAIN, 0, "plain" },
	{ -1, PROFILE_PLAIN, 0, "plain" },
	{ 1, PROFILE_PLAIN, 0, "plain" },
	{ 2524, PROFILE_PLAIN, 0, "plain" },
	{ 2526, PROFILE_PLAIN, 0, "plain" },
	{ 25199, PROFILE_PLAIN, 0, "plain" },
	{ 25210, PROFILE_PLAIN, 0, "plain" },
	{ 25399, PROFILE_PLAIN, 0, "plain" },
	{ 25410, PROFILE_PLAIN, 0, "plain" },
	{ 25464, PROFILE_PLAIN, 0, "plain" },
	{ 25466, PROFILE_PLAIN, 0, "plain" },
	{ 25586, PROFILE_PLAIN, 0, "plain" },
	{ 25588, PROFILE_PLAIN, 0, "plain" },
	{ 25599, PROFILE_PLAIN, 0, "plain" },
	{ 25610, PROFILE_PLAIN, 0, "plain" },
	{ 25699, PROFILE_PLAIN, 0, "plain" },
	{ 25718, PROFILE_PLAIN, 0, "plain" },
	{ 65535, PROFILE_PLAIN, 0, "plain" },
	{ 65536, PROFILE_PLAIN, 0, "plain" },
};

static void check(const char *what, const struct profile *p, const struct row *r)
{
	char name[160];

	snprintf(name, sizeof name, "%s: kind", what);
	tap_str(kind_name(p->kind), kind_name(r->kind), name);
	snprintf(name, sizeof name, "%s: delay", what);
	tap_int(p->delay_seconds, r->delay, name);
	snprintf(name, sizeof name, "%s: name", what);
	tap_str(p->name, r->name, name);
	/* a tls- profile's member is its fault's k: the fault's name follows the prefix; a greeting
	 * fault's is checked by test_greeting_faults */
	snprintf(name, sizeof name, "%s: member", what);
	if (r->kind == PROFILE_TLS_FAULT)
		tap_str(tlsfault_name(tlsfault_for_port(p->member)), r->name + 4, name);
	else if (r->kind != PROFILE_GREETING_FAULT)
		tap_int(p->member, -1, name);
	snprintf(name, sizeof name, "%s: implicit TLS", what);
	tap_int(profile_implicit_tls(p), r->kind == PROFILE_SMTPS || r->kind == PROFILE_TLS_FAULT,
	        name);
}

static void test_default_ports(void)
{
	const struct port_bases defaults = profile_default_bases();
	char what[64];

	for (size_t i = 0; i < sizeof default_rows / sizeof default_rows[0]; i++) {
		struct profile p;

		memset(&p, 0x55, sizeof p);
		profile_for_port(default_rows[i].port, &defaults, &p);
		snprintf(what, sizeof what, "port %d", default_rows[i].port);
		check(what, &p, &default_rows[i]);
	}
}

static void test_family_delays(void)
{
	static const int want[PROFILE_FAMILY_PORTS] = { 0, 1, 2, 8, 10, 30, 60, 120, 300, 600 };
	const struct port_bases b = profile_default_bases();
	char name[64];

	for (int k = 0; k < PROFILE_FAMILY_PORTS; k++) {
		struct profile p;

		profile_for_port(b.base[PROFILE_FAMILY_DROP] + k, &b, &p);
		snprintf(name, sizeof name, "a delay family's member %d waits", k);
		tap_int(p.delay_seconds, want[k], name);
	}
}

/* Every profile a port gives, by name, gives the same profile back. */
static void test_round_trip(void)
{
	char what[96];

	for (size_t i = 0; i < sizeof default_rows / sizeof default_rows[0]; i++) {
		struct profile p;
		int ret;

		memset(&p, 0x55, sizeof p);
		ret = profile_from_name(default_rows[i].name, &p);
		snprintf(what, sizeof what, "profile_from_name(\"%s\") returns 0", default_rows[i].name);
		tap_int(ret, 0, what);
		snprintf(what, sizeof what, "profile_from_name(\"%s\")", default_rows[i].name);
		check(what, &p, &default_rows[i]);
	}
}

static const struct {
	const char *name;
	int ret;
} name_rows[] = {
	{ "plain", 0 }, { "smtps", 0 }, { "starttls-required", 0 },
	{ "greeting-delay-0", 0 }, { "command-delay-600", 0 }, { "drop-0", 0 },
	{ "", -1 },
	{ "PLAIN", -1 },
	{ "Plain", -1 },
	{ "plain ", -1 },
	{ " plain", -1 },
	{ "plainx", -1 },
	{ "smtp", -1 },
	{ "starttls", -1 },
	{ "starttls-required-1", -1 },
	{ "tls", -1 },
	{ "drop", -1 },
	{ "drop-", -1 },
	{ "drop-x", -1 },
	{ "drop-1x", -1 },
	{ "drop--1", -1 },
	{ "drop-+1", -1 },
	{ "drop- 1", -1 },
	{ "drop-1.5", -1 },
	{ "drop-1 ", -1 },
	{ "drop-86401", -1 },
	{ "drop-99999999999999999999", -1 },
	{ "greeting-delay", -1 },
	{ "greeting-delay-", -1 },
	{ "greeting_delay_8", -1 },
	{ "greeting-8", -1 },
	{ "command-delay-", -1 },
	{ "command-delay-abc", -1 },
	{ "connection", -1 },
	{ "badsmtp-2525", -1 },
	{ "2525", -1 },
	{ "tls-expired", 0 },
	{ "tls-", -1 },
	{ "tls-bogus", -1 },
	{ "tls-inject", -1 },
	{ "tls-EXPIRED", -1 },
	{ "tls-0", -1 },
	{ "tls-expired-1", -1 },
	{ "tlsexpired", -1 },
	{ "greeting-multiline", 0 }, { "greeting-421", 0 }, { "greeting-554", 0 },
	{ "greeting-pause", 0 }, { "greeting-trickle", 0 },
	{ "greeting-", -1 },
	{ "greeting-422", -1 },
	{ "greeting-Multiline", -1 },
	{ "greeting-pause-3", -1 },
	{ "greeting-fault", -1 },
	{ "greeting-delay-x", -1 },
};

static void test_names(void)
{
	char name[96];

	for (size_t i = 0; i < sizeof name_rows / sizeof name_rows[0]; i++) {
		struct profile p;

		snprintf(name, sizeof name, "profile_from_name(\"%s\") returns %d", name_rows[i].name,
		         name_rows[i].ret);
		tap_int(profile_from_name(name_rows[i].name, &p), name_rows[i].ret, name);
	}
}

/* Moved bases: the families follow, the fixed ports stay, the old family ports are plain. */
static void test_moved_bases(void)
{
	struct port_bases b = profile_default_bases();
	static const struct row rows[] = {
		{ 3000, G, 0, "greeting-delay-0" },
		{ 3003, G, 8, "greeting-delay-8" },
		{ 3009, G, 600, "greeting-delay-600" },
		{ 3010, PROFILE_PLAIN, 0, "plain" },
		{ 3104, C, 10, "command-delay-10" },
		{ 3200, DR, 0, "drop-0" },
		{ 3205, DR, 30, "drop-30" },
		{ 2999, PROFILE_PLAIN, 0, "plain" },
		{ 25203, PROFILE_PLAIN, 0, "plain" },
		{ 25405, PROFILE_PLAIN, 0, "plain" },
		{ 25601, PROFILE_PLAIN, 0, "plain" },
		{ 2525, PROFILE_PLAIN, 0, "plain" },
		{ 25465, PROFILE_SMTPS, 0, "smtps" },
		{ 25587, PROFILE_STARTTLS_REQUIRED, 0, "starttls-required" },
	};
	char what[64];
	char err[256];

	b.base[PROFILE_FAMILY_GREETING_DELAY] = 3000;
	b.base[PROFILE_FAMILY_COMMAND_DELAY] = 3100;
	b.base[PROFILE_FAMILY_DROP] = 3200;
	tap_int(profile_check_bases(&b, err, sizeof err), 0, "bases 3000/3100/3200 are valid");
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct profile p;

		profile_for_port(rows[i].port, &b, &p);
		snprintf(what, sizeof what, "bases 3000/3100/3200: port %d", rows[i].port);
		check(what, &p, &rows[i]);
	}
}

/* The bases of the greeting-delay, command-delay, drop and tls- families; a tls- base of 0
 * keeps its default. A refusal names the variables to change. */
#define ENV_GD "BADSMTP_GREETING_DELAY_PORT_START="
#define ENV_CD "BADSMTP_COMMAND_DELAY_PORT_START="
#define ENV_DD "BADSMTP_DROP_DELAY_PORT_START="
#define ENV_TF "BADSMTP_TLS_FAULT_PORT_START="
static const struct {
	int b[4];
	int ret;
	const char *why;
	const char *err;
} base_rows[] = {
	{ { 25200, 25400, 25600 }, 0, "the defaults", NULL },
	{ { 25200, 25210, 25220 }, 0, "adjacent ranges", NULL },
	{ { 25220, 25210, 25200 }, 0, "adjacent ranges, reversed", NULL },
	{ { 1, 11, 21 }, 0, "lowest ports", NULL },
	{ { 65526, 65516, 65506 }, 0, "highest ports (65526-65535)", NULL },
	{ { 25200, 25209, 25600 }, -1, "greeting and command overlap by one",
	  ENV_GD "25200 and " ENV_CD "25209: port ranges overlap" },
	{ { 25200, 25205, 25600 }, -1, "greeting and command overlap",
	  ENV_GD "25200 and " ENV_CD "25205: port ranges overlap" },
	{ { 25200, 25400, 25200 }, -1, "greeting and drop equal",
	  ENV_GD "25200 and " ENV_DD "25200: port ranges overlap" },
	{ { 25200, 25400, 25391 }, -1, "drop overlaps command from below",
	  ENV_CD "25400 and " ENV_DD "25391: port ranges overlap" },
	{ { 25200, 25400, 25409 }, -1, "drop overlaps command's last port",
	  ENV_CD "25400 and " ENV_DD "25409: port ranges overlap" },
	{ { 25500, 25500, 25500 }, -1, "all equal",
	  ENV_GD "25500 and " ENV_CD "25500: port ranges overlap" },
	{ { 2520, 25400, 25600 }, -1, "greeting covers 2525",
	  ENV_GD "2520: range overlaps port 2525 (plain)" },
	{ { 2516, 25400, 25600 }, -1, "greeting's last port is 2525",
	  ENV_GD "2516: range overlaps port 2525 (plain)" },
	{ { 25200, 25460, 25600 }, -1, "command covers 25465",
	  ENV_CD "25460: range overlaps port 25465 (smtps)" },
	{ { 25200, 25400, 25580 }, -1, "drop covers 25587",
	  ENV_DD "25580: range overlaps port 25587 (starttls-required)" },
	{ { 25587, 25400, 25600 }, -1, "greeting starts at 25587",
	  ENV_GD "25587: range overlaps port 25587 (starttls-required)" },
	{ { 2525, 25400, 25600 }, -1, "greeting starts at 2525",
	  ENV_GD "2525: range overlaps port 2525 (plain)" },
	{ { 2515, 25400, 25600 }, 0, "greeting ends at 2524", NULL },
	{ { 2526, 25400, 25600 }, 0, "greeting starts at 2526", NULL },
	{ { 0, 25400, 25600 }, -1, "base 0",
	  ENV_GD "0: not a port range start (1-65526)" },
	{ { -5, 25400, 25600 }, -1, "negative base",
	  ENV_GD "-5: not a port range start (1-65526)" },
	{ { 25200, 65527, 25600 }, -1, "range past 65535",
	  ENV_CD "65527: not a port range start (1-65526)" },
	{ { 25200, 25400, 70000 }, -1, "base past 65535",
	  ENV_DD "70000: not a port range start (1-65526)" },
	{ { 25200, 25400, 25600, 25610 }, 0, "tls- right after drop", NULL },
	{ { 25200, 25400, 25682, 25700 }, 0, "drop ends right before tls-", NULL },
	{ { 25200, 25400, 25690, 25700 }, 0, "drop 25690-25699, tls- 25700-25717", NULL },
	{ { 25200, 25400, 25717, 25700 }, -1, "drop starts at tls-'s last port (18 ports)",
	  ENV_DD "25717 and " ENV_TF "25700: port ranges overlap" },
	{ { 25200, 25400, 25710, 25700 }, -1, "drop inside tls- (its 11th port)",
	  ENV_DD "25710 and " ENV_TF "25700: port ranges overlap" },
	{ { 25200, 25400, 25600, 25609 }, -1, "tls- starts at drop's last port",
	  ENV_DD "25600 and " ENV_TF "25609: port ranges overlap" },
	{ { 25200, 25400, 25600, 25448 }, -1, "tls- covers 25465 (18 ports)",
	  ENV_TF "25448: range overlaps port 25465 (smtps)" },
	{ { 25200, 25400, 25600, 65518 }, 0, "tls- ends at 65535", NULL },
	{ { 25200, 25400, 25600, 65519 }, -1, "tls- past 65535",
	  ENV_TF "65519: not a port range start (1-65518)" },
};

static void test_check_bases(void)
{
	char err[256], name[512];

	for (size_t i = 0; i < sizeof base_rows / sizeof base_rows[0]; i++) {
		struct port_bases b = profile_default_bases();

		b.base[PROFILE_FAMILY_GREETING_DELAY] = base_rows[i].b[0];
		b.base[PROFILE_FAMILY_COMMAND_DELAY] = base_rows[i].b[1];
		b.base[PROFILE_FAMILY_DROP] = base_rows[i].b[2];
		if (base_rows[i].b[3] != 0)
			b.base[PROFILE_FAMILY_TLS_FAULT] = base_rows[i].b[3];
		err[0] = '\0';
		snprintf(name, sizeof name, "profile_check_bases(%d, %d, %d, %d) %s: %d",
		         base_rows[i].b[0], base_rows[i].b[1], base_rows[i].b[2],
		         b.base[PROFILE_FAMILY_TLS_FAULT], base_rows[i].why, base_rows[i].ret);
		tap_int(profile_check_bases(&b, err, sizeof err), base_rows[i].ret, name);
		if (base_rows[i].ret != 0) {
			snprintf(name, sizeof name, "%s: its error message", base_rows[i].why);
			tap_str(err, base_rows[i].err, name);
		}
	}
}

/* SPEC §17: each greeting fault is member k of its family, and says what it does. */
static void test_greeting_faults(void)
{
	static const struct {
		int port;
		enum greeting_fault k;
		const char *does;
	} rows[] = {
		{ 25800, GREETING_MULTILINE, "a three-line greeting, then a normal session" },
		{ 25801, GREETING_421, "greeting 421, then close" },
		{ 25802, GREETING_554, "greeting 554; every command but QUIT gets 503" },
		{ 25803, GREETING_PAUSE, "greeting after 3 s; talking before it gets 554" },
		{ 25804, GREETING_TRICKLE, "the greeting one octet per 100 ms" },
	};
	struct port_bases b = profile_default_bases();
	char name[96], does[128], err[256];
	struct profile p;

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		profile_for_port(rows[i].port, &b, &p);
		snprintf(name, sizeof name, "port %d: member %d", rows[i].port, (int)rows[i].k);
		tap_int(p.member, rows[i].k, name);
		snprintf(name, sizeof name, "port %d: what it does", rows[i].port);
		tap_str(profile_describe(&p, does, sizeof does) == 0 ? does : "(none)", rows[i].does,
		        name);
	}
	profile_for_port(25600, &b, &p);
	tap_int(p.member, -1, "a delay family's member is no named member");
	b.base[PROFILE_FAMILY_GREETING_FAULT] = 25605;
	tap_int(profile_check_bases(&b, err, sizeof err), -1, "greeting faults at 25605 overlap drop");
	b.base[PROFILE_FAMILY_GREETING_FAULT] = 25595;
	tap_int(profile_check_bases(&b, err, sizeof err), 0, "greeting faults 25595-25599 are free");
	b.base[PROFILE_FAMILY_GREETING_FAULT] = 25596;
	tap_int(profile_check_bases(&b, err, sizeof err), -1, "greeting faults 25596-25600 overlap drop-0");
	b.base[PROFILE_FAMILY_GREETING_FAULT] = 25610;
	tap_int(profile_check_bases(&b, err, sizeof err), 0, "greeting faults 25610-25614 are free");
	b.base[PROFILE_FAMILY_GREETING_FAULT] = 2521;
	tap_int(profile_check_bases(&b, err, sizeof err), -1, "greeting faults 2521-2525 cover 2525");
	b.base[PROFILE_FAMILY_GREETING_FAULT] = 2520;
	tap_int(profile_check_bases(&b, err, sizeof err), 0, "greeting faults 2520-2524 are free");
	b.base[PROFILE_FAMILY_GREETING_FAULT] = 65531;
	tap_int(profile_check_bases(&b, err, sizeof err), 0, "greeting faults 65531-65535");
	b.base[PROFILE_FAMILY_GREETING_FAULT] = 65532;
	tap_int(profile_check_bases(&b, err, sizeof err), -1, "greeting faults past 65535");
	b = profile_default_bases();
	b.base[PROFILE_FAMILY_DROP] = 25795;
	tap_int(profile_check_bases(&b, err, sizeof err), -1, "drop 25795-25804 overlaps the faults");
	tap_ok(strstr(err, "BADSMTP_GREETING_FAULT_PORT_START") != NULL, "... and names their variable");
}

/* What --list-profiles says of a profile. */
static const struct {
	const char *name, *want;
} describe_rows[] = {
	{ "plain", "a normal session" },
	{ "greeting-delay-0", "a normal session (no delay)" },
	{ "drop-30", "closes after 30 s, writing nothing" },
	{ "tls-expired", "implicit TLS with the TLS fault expired" },
	{ "tls-clientcert", "implicit TLS with the TLS fault clientcert" },
};

static void test_describe(void)
{
	char got[128], small[20];

	for (size_t i = 0; i < sizeof describe_rows / sizeof describe_rows[0]; i++) {
		struct profile p;

		profile_from_name(describe_rows[i].name, &p);
		if (profile_describe(&p, got, sizeof got) != 0)
			got[0] = '\0';
		tap_str(got, describe_rows[i].want, describe_rows[i].name);
	}
	{
		struct profile p;

		profile_from_name("tls-expired", &p);
		tap_int(profile_describe(&p, small, sizeof small), -1, "a description too long: -1");
	}
}

int main(void)
{
	test_default_ports();
	test_family_delays();
	test_round_trip();
	test_names();
	test_moved_bases();
	test_check_bases();
	test_greeting_faults();
	test_describe();
	return tap_done();
}
