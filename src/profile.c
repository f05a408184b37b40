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
} fixed_ports[] = {
	{ 2525, PROFILE_PLAIN, "plain" },
	{ 25587, PROFILE_STARTTLS_REQUIRED, "starttls-required" },
	{ 25465, PROFILE_SMTPS, "smtps" },
};

static const struct {
	enum profile_kind kind;
	const char *prefix;
} families[] = {
	{ PROFILE_GREETING_DELAY, "greeting-delay-" },
	{ PROFILE_COMMAND_DELAY, "command-delay-" },
	{ PROFILE_DROP, "drop-" },
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
