/* profile: the port table of SPEC §8 as data: a port or a profile name → the behaviour of the
 * session. Fixed ports (plain, starttls-required, smtps) and families of ten ports base + k,
 * whose members are either delays (greeting-delay-8, drop-30: k → 0 1 2 8 10 30 60 120 300 600
 * seconds) or named (a family lists its members' names: tls-expired is the TLS fault of that
 * name, tlsfault.h; greeting-421 a greeting fault; port base + k for the k-th of them). One
 * table of families holds each one's prefix, base and its environment variable, so the ports,
 * the names, --list-profiles and the error messages cannot disagree. Pure. */
#ifndef BADSMTP_PROFILE_H
#define BADSMTP_PROFILE_H

#include <stddef.h>

enum profile_kind {
	PROFILE_PLAIN,
	PROFILE_STARTTLS_REQUIRED,
	PROFILE_SMTPS,
	PROFILE_GREETING_DELAY,
	PROFILE_COMMAND_DELAY,
	PROFILE_DROP,
	PROFILE_TLS_FAULT,   /* implicit TLS with the TLS fault of its member (SPEC §16) */
	PROFILE_GREETING_FAULT,
};

/* The ten-port families, in the order --list-profiles shows them. */
enum profile_family {
	PROFILE_FAMILY_GREETING_DELAY,
	PROFILE_FAMILY_COMMAND_DELAY,
	PROFILE_FAMILY_DROP,
	PROFILE_FAMILY_TLS_FAULT,
	PROFILE_FAMILY_GREETING_FAULT,
	PROFILE_FAMILIES
};

/* The members of the greeting-fault family (SPEC §17), by k. */
enum greeting_fault {
	GREETING_MULTILINE,
	GREETING_421,
	GREETING_554,
	GREETING_PAUSE,
	GREETING_TRICKLE,
};

struct profile {
	enum profile_kind kind;
	int delay_seconds;   /* a delay family's member; 0 otherwise */
	int member;          /* a named family's member k; -1 otherwise */
	char name[40];       /* canonical: "plain", "greeting-delay-8" … */
};

/* The first port of each family; settable through the environment. A family has ten ports, or
 * as many as it has named members. */
struct port_bases {
	int base[PROFILE_FAMILIES];
};
#define PROFILE_FAMILY_PORTS 10
#define PROFILE_MAX_DELAY 86400

struct port_bases profile_default_bases(void);
/* The environment variable that moves family f ("BADSMTP_DROP_DELAY_PORT_START"). */
const char *profile_family_env(enum profile_family f);
/* 0, or -1 with err when a family leaves 1..65535 or overlaps another or a fixed port. */
int profile_check_bases(const struct port_bases *b, char *err, size_t errlen);
void profile_for_port(int port, const struct port_bases *b, struct profile *p);
/* 0 for a known name ("drop-30", "smtps" …; a delay family takes any delay up to
 * PROFILE_MAX_DELAY: "drop-45"), -1 otherwise. */
int profile_from_name(const char *name, struct profile *p);
/* 1 when the handshake comes before the greeting (smtps, the tls- family). */
int profile_implicit_tls(const struct profile *p);
/* The port of row i of the port table under bases b (the fixed ports, then each family's
 * members in order), or -1 past its last row: what --list-profiles walks through. */
int profile_table_port(size_t i, const struct port_bases *b);
/* What the profile does, in a few words ("greeting after 8 s, then a normal session"): 0, or
 * -1 when it does not fit in cap. */
int profile_describe(const struct profile *p, char *buf, size_t cap);

#endif
