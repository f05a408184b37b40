/* profile: SPEC §8. Fixed ports first, then the three families base+k whose delays come from
 * one table, so the ports, the names and the docs cannot disagree. */
#include "profile.h"

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

static const struct {
	enum profile_kind kind;
	const char *prefix;
} families[] = {
	{ .kind = PROFILE_GREETING_DELAY, .prefix = "greeting-delay-" },
	{ .kind = PROFILE_COMMAND_DELAY, .prefix = "command-delay-" },
	{ .kind = PROFILE_DROP, .prefix = "drop-" },
};

/* What each kind does, for the listing: the words around its delay, or the words for no delay. */
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
};

int profile_family_delay(int k)
{
	return family_delays[k];
}

static int family_base(const struct port_bases *b, enum profile_kind kind)
{
	return kind == PROFILE_GREETING_DELAY ? b->greeting_delay
	     : kind == PROFILE_COMMAND_DELAY ? b->command_delay : b->drop;
}

static void set_family(struct profile *p, size_t f, int delay)
{
	p->kind = families[f].kind;
	p->delay_seconds = delay;
	snprintf(p->name, sizeof p->name, "%s%d", families[f].prefix, delay);
}

int profile_check_bases(const struct port_bases *b, char *err, size_t errlen)
{
	static const char *const env_names[] = {
		"BADSMTP_GREETING_DELAY_PORT_START", "BADSMTP_COMMAND_DELAY_PORT_START",
		"BADSMTP_DROP_DELAY_PORT_START",
	};

	for (size_t f = 0; f < 3; f++) {
		int base = family_base(b, families[f].kind);

		if (base < 1 || base > 65536 - PROFILE_FAMILY_PORTS) {
			snprintf(err, errlen, "%s=%d: not a port range start (1-%d)", env_names[f], base,
			         65536 - PROFILE_FAMILY_PORTS);
			return -1;
		}
		for (size_t g = f + 1; g < 3; g++) {
			int other = family_base(b, families[g].kind);

			if (abs(base - other) < PROFILE_FAMILY_PORTS) {
				snprintf(err, errlen, "%s=%d and %s=%d: port ranges overlap", env_names[f],
				         base, env_names[g], other);
				return -1;
			}
		}
		for (size_t i = 0; i < sizeof fixed_ports / sizeof fixed_ports[0]; i++) {
			if (fixed_ports[i].port >= base && fixed_ports[i].port < base + PROFILE_FAMILY_PORTS) {
				snprintf(err, errlen, "%s=%d: range overlaps port %d (%s)", env_names[f], base,
				         fixed_ports[i].port, fixed_ports[i].name);
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
			p->kind = fixed_ports[i].kind;
			p->delay_seconds = 0;
			snprintf(p->name, sizeof p->name, "%s", fixed_ports[i].name);
			return;
		}
	}
	for (size_t f = 0; f < sizeof families / sizeof families[0]; f++) {
		int k = port - family_base(b, families[f].kind);

		if (k >= 0 && k < PROFILE_FAMILY_PORTS) {
			set_family(p, f, family_delays[k]);
			return;
		}
	}
	p->kind = PROFILE_PLAIN;
	p->delay_seconds = 0;
	snprintf(p->name, sizeof p->name, "plain");
}

int profile_from_name(const char *name, struct profile *p)
{
	for (size_t i = 0; i < sizeof fixed_ports / sizeof fixed_ports[0]; i++) {
		if (strcmp(name, fixed_ports[i].name) == 0) {
			profile_for_port(fixed_ports[i].port, &PORT_BASES_DEFAULT, p);
			return 0;
		}
	}
	for (size_t f = 0; f < sizeof families / sizeof families[0]; f++) {
		size_t plen = strlen(families[f].prefix);
		const char *digits = name + plen;
		char *end;
		long d;

		if (strncmp(name, families[f].prefix, plen) != 0 || *digits < '0' || *digits > '9')
			continue;
		d = strtol(digits, &end, 10);
		if (*end != '\0' || d > PROFILE_MAX_DELAY)
			return -1;
		set_family(p, f, (int)d);
		return 0;
	}
	return -1;
}

int profile_table_port(size_t i, const struct port_bases *b)
{
	size_t nfixed = sizeof fixed_ports / sizeof fixed_ports[0], f;

	if (i < nfixed)
		return fixed_ports[i].port;
	f = (i - nfixed) / PROFILE_FAMILY_PORTS;
	if (f >= sizeof families / sizeof families[0])
		return -1;
	return family_base(b, families[f].kind) + (int)((i - nfixed) % PROFILE_FAMILY_PORTS);
}

int profile_describe(const struct profile *p, char *buf, size_t cap)
{
	int n;

	if (p->delay_seconds == 0 || behaviours[p->kind].before == NULL)
		n = snprintf(buf, cap, "%s", behaviours[p->kind].undelayed);
	else
		n = snprintf(buf, cap, "%s%d%s", behaviours[p->kind].before, p->delay_seconds,
		             behaviours[p->kind].after);
	return n >= 0 && (size_t)n < cap ? 0 : -1;
}
