/* profile: the port table of SPEC §8 as data: a port or a profile name → the behaviour of the
 * session (plain, starttls-required, smtps, greeting/command delay, drop). Pure. */
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
};

struct profile {
	enum profile_kind kind;
	int delay_seconds;
	char name[40];   /* canonical: "plain", "greeting-delay-8" … */
};

/* First ports of the three ten-port families; settable through the environment. */
struct port_bases {
	int greeting_delay, command_delay, drop;
};
#define PORT_BASES_DEFAULT ((struct port_bases){ 25200, 25400, 25600 })
#define PROFILE_FAMILY_PORTS 10
#define PROFILE_MAX_DELAY 86400

/* 0, or -1 with err when a family leaves 1..65535 or overlaps another or a fixed port. */
int profile_check_bases(const struct port_bases *b, char *err, size_t errlen);
void profile_for_port(int port, const struct port_bases *b, struct profile *p);
/* 0 for a known name ("drop-30", "smtps" …), -1 otherwise. */
int profile_from_name(const char *name, struct profile *p);
/* The delay of family member k (0-9): 0 1 2 8 10 30 60 120 300 600. */
int profile_family_delay(int k);
/* The port of row i of the port table under bases b (the fixed ports, then each family in
 * order), or -1 past its last row: what --list-profiles walks through with profile_for_port. */
int profile_table_port(size_t i, const struct port_bases *b);
/* What the profile does, in a few words ("greeting after 8 s, then a normal session"): 0, or
 * -1 when it does not fit in cap. */
int profile_describe(const struct profile *p, char *buf, size_t cap);

#endif
