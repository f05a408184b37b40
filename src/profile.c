/* profile: SPEC §8. Fixed ports first, then the families base + k from one table. */
#include "profile.h"

#include "tlsfault.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const int family_delays[PROFILE_FAMILY_PORTS] = { 0, 1, 2, 8, 10, 30, 60, 120, 300, 600 };

static const struct {
	int port;
	enum profile_kind kind;
	const char *name;
} fixed_ports[] = {   /* in port order: the listing's first rows */
	{ .port = 2525, .kind = PROFILE_PLAIN, .name = "plain" },
	{ .port = 25465, .kind = PROFILE_SMTPS, .name = "smtps" },
	{ .port = 25587, .kind = PROFILE_STARTTLS_REQUIRED, .name = "starttls-required" },
};

/* The greeting faults (SPEC §17) by k: their names after the family's prefix, and what each
 * does, for the listing. */
static const char *const greeting_faults[] = {
	[GREETING_MULTILINE] = "multiline", [GREETING_421] = "421", [GREETING_554] = "554",
	[GREETING_PAUSE] = "pause", [GREETING_TRICKLE] = "trickle", NULL,
};
static const char *const greeting_faults_do[] = {
	[GREETING_MULTILINE] = "a three-line greeting, then a normal session",
	[GREETING_421] = "greeting 421, then close",
	[GREETING_554] = "greeting 554; every command but QUIT gets 503",
	[GREETING_PAUSE] = "greeting after 3 s; talking before it gets 554",
	[GREETING_TRICKLE] = "the greeting one octet per 100 ms",
};

static const struct family {
	enum profile_kind kind;
	const char *prefix;
	const char *env;
	int default_base;
	const char *const *members;   /* a named family's members by k, NULL-ended; NULL: delays */
	const char *const *does;      /* what each member does, for the listing; NULL: the kind's
	                                 words (behaviours) before the member's name */
} families[PROFILE_FAMILIES] = {
	[PROFILE_FAMILY_GREETING_DELAY] = { .kind = PROFILE_GREETING_DELAY,
	                                    .prefix = "greeting-delay-", .default_base = 25200,
	                                    .env = "BADSMTP_GREETING_DELAY_PORT_START" },
	[PROFILE_FAMILY_COMMAND_DELAY] = { .kind = PROFILE_COMMAND_DELAY,
	                                   .prefix = "command-delay-", .default_base = 25400,
	                                   .env = "BADSMTP_COMMAND_DELAY_PORT_START" },
	[PROFILE_FAMILY_DROP] = { .kind = PROFILE_DROP, .prefix = "drop-", .default_base = 25600,
	                          .env = "BADSMTP_DROP_DELAY_PORT_START" },
	[PROFILE_FAMILY_TLS_FAULT] = { .kind = PROFILE_TLS_FAULT, .prefix = "tls-",
	                               .default_base = 25700, .members = tlsfault_port_names,
	                               .env = "BADSMTP_TLS_FAULT_PORT_START" },
	[PROFILE_FAMILY_GREETING_FAULT] = { .kind = PROFILE_GREETING_FAULT, .prefix = "greeting-",
	                                    .default_base = 25800, .members = greeting_faults,
	                                    .does = greeting_faults_do,
	                                    .env = "BADSMTP_GREETING_FAULT_PORT_START" },
};

/* What each kind does, for the listing: the words around its delay, or the words for no delay;
 * a named family's member without words of its own: the words before its name. */
static const struct {
	const char *before, *after, *undelayed;
} behaviours[] = {
	[PROFILE_PLAIN] = { .undelayed = "a normal session" },
	[PROFILE_STARTTLS_REQUIRED] = { .undelayed = "MAIL and AUTH get 530 until STARTTLS" },
	[PROFILE_SMTPS] = { .undelayed = "implicit TLS: the handshake comes before the greeting" },
	[PROFILE_GREETING_DELAY] = { .before = "greeting after ",
	                             .after = " s, then a normal session",
	                             .undelayed = "a normal session (no delay)" },
	[PROFILE_COMMAND_DELAY] = { .before = "greeting at once, every reply after ", .after = " s",
	                            .undelayed = "a normal session (no delay)" },
	[PROFILE_DROP] = { .before = "closes after ", .after = " s, writing nothing",
	                   .undelayed = "closes at once, writing nothing" },
	[PROFILE_TLS_FAULT] = { .before = "implicit TLS with the TLS fault " },
};

struct port_bases profile_default_bases(void)
{
	struct port_bases b;

	for (size_t f = 0; f < PROFILE_FAMILIES; f++)
		b.base[f] = families[f].default_base;
	return b;
}

const char *profile_family_env(enum profile_family f)
{
	return families[f].env;
}

/* How many ports of its range family f uses: ten delays, or as many names as it has. */
static int family_size(size_t f)
{
	int n = 0;

	if (families[f].members == NULL)
		return PROFILE_FAMILY_PORTS;
	while (families[f].members[n] != NULL)
		n++;
	return n;
}

/* Member k of family f (a valid k). */
static void set_member(struct profile *p, size_t f, int k, int delay)
{
	const struct family *fam = &families[f];

	p->kind = fam->kind;
	p->delay_seconds = fam->members == NULL ? delay : 0;
	p->member = fam->members == NULL ? -1 : k;
	if (fam->members == NULL)
		snprintf(p->name, sizeof p->name, "%s%d", fam->prefix, delay);
	else
		snprintf(p->name, sizeof p->name, "%s%s", fam->prefix, fam->members[k]);
}

static void set_fixed(struct profile *p, size_t i)
{
	p->kind = fixed_ports[i].kind;
	p->delay_seconds = 0;
	p->member = -1;
	snprintf(p->name, sizeof p->name, "%s", fixed_ports[i].name);
}

int profile_check_bases(const struct port_bases *b, char *err, size_t errlen)
{
	for (size_t f = 0; f < PROFILE_FAMILIES; f++) {
		int base = b->base[f];

		int size = family_size(f);

		if (base < 1 || base > 65536 - size) {
			snprintf(err, errlen, "%s=%d: not a port range start (1-%d)", families[f].env,
			         base, 65536 - size);
			return -1;
		}
		for (size_t g = f + 1; g < PROFILE_FAMILIES; g++) {
			if (base < b->base[g] + family_size(g) && b->base[g] < base + size) {
				snprintf(err, errlen, "%s=%d and %s=%d: port ranges overlap",
				         families[f].env, base, families[g].env, b->base[g]);
				return -1;
			}
		}
		for (size_t i = 0; i < sizeof fixed_ports / sizeof fixed_ports[0]; i++) {
			if (fixed_ports[i].port >= base && fixed_ports[i].port < base + size) {
				snprintf(err, errlen, "%s=%d: range overlaps port %d (%s)", families[f].env,
				         base, fixed_ports[i].port, fixed_ports[i].name);
				return -1;
			}
		}
	}
	return 0;
}

void profile_for_port(int port, const struct port_bases *b, struct profile *p)
{
	for (size_t i = 0; i < sizeof fixed_ports / sizeof fixed_ports[0]; i++) {
		if (fixed_ports[i].port == port) {
			set_fixed(p, i);
			return;
		}
	}
	for (size_t f = 0; f < PROFILE_FAMILIES; f++) {
		int k = port - b->base[f];

		if (k >= 0 && k < family_size(f)) {
			set_member(p, f, k, families[f].members == NULL ? family_delays[k] : 0);
			return;
		}
	}
	set_fixed(p, 0);   /* any other port: plain */
}

int profile_from_name(const char *name, struct profile *p)
{
	for (size_t i = 0; i < sizeof fixed_ports / sizeof fixed_ports[0]; i++) {
		if (strcmp(name, fixed_ports[i].name) == 0) {
			set_fixed(p, i);
			return 0;
		}
	}
	for (size_t f = 0; f < PROFILE_FAMILIES; f++) {
		size_t plen = strlen(families[f].prefix);
		const char *rest = name + plen;
		char *end;
		long d;

		if (strncmp(name, families[f].prefix, plen) != 0)
			continue;
		for (int k = 0; families[f].members != NULL && families[f].members[k] != NULL; k++) {
			if (strcmp(rest, families[f].members[k]) == 0) {
				set_member(p, f, k, 0);
				return 0;
			}
		}
		if (families[f].members != NULL || *rest < '0' || *rest > '9')
			continue;
		d = strtol(rest, &end, 10);
		if (*end != '\0' || d > PROFILE_MAX_DELAY)
			return -1;
		set_member(p, f, -1, (int)d);
		return 0;
	}
	return -1;
}

int profile_table_port(size_t i, const struct port_bases *b)
{
	size_t nfixed = sizeof fixed_ports / sizeof fixed_ports[0];

	if (i < nfixed)
		return fixed_ports[i].port;
	i -= nfixed;
	for (size_t f = 0; f < PROFILE_FAMILIES; f++) {
		if (i < (size_t)family_size(f))
			return b->base[f] + (int)i;
		i -= (size_t)family_size(f);
	}
	return -1;
}

/* The family of a named family's member (p->member >= 0). */
static const struct family *family_of(const struct profile *p)
{
	for (size_t f = 0; f < PROFILE_FAMILIES; f++)
		if (families[f].kind == p->kind && families[f].members != NULL)
			return &families[f];
	return NULL;
}

int profile_implicit_tls(const struct profile *p)
{
	return p->kind == PROFILE_SMTPS || p->kind == PROFILE_TLS_FAULT;
}

int profile_describe(const struct profile *p, char *buf, size_t cap)
{
	const struct family *fam = p->member >= 0 ? family_of(p) : NULL;
	int n;

	if (fam != NULL && fam->does != NULL)
		n = snprintf(buf, cap, "%s", fam->does[p->member]);
	else if (fam != NULL)
		n = snprintf(buf, cap, "%s%s", behaviours[p->kind].before, fam->members[p->member]);
	else if (p->delay_seconds == 0 || behaviours[p->kind].before == NULL)
		n = snprintf(buf, cap, "%s", behaviours[p->kind].undelayed);
	else
		n = snprintf(buf, cap, "%s%d%s", behaviours[p->kind].before, p->delay_seconds,
		             behaviours[p->kind].after);
	return n >= 0 && (size_t)n < cap ? 0 : -1;
}
