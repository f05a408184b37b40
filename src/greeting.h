/* greeting: what a session does before its first command: the PROXY header a load balancer
 * sends first (SPEC §20), then, as its profile says (SPEC §8, §16, §17), a drop port's silence,
 * the greeting delay, the implicit TLS handshake of smtps and of the tls- ports (with their TLS
 * fault), the greeting faults, and the 220 greeting itself. */
#ifndef BADSMTP_GREETING_H
#define BADSMTP_GREETING_H

#include "activation.h"
#include "config.h"
#include "handoff.h"
#include "profile.h"
#include "respond.h"

enum greeting_outcome {
	GREETING_CLOSED = -1,   /* the session is over (exit 1) */
	GREETING_SENT,          /* the greeting is out or queued; commands follow */
	GREETING_NO_SERVICE,    /* greeting-554: commands follow, every one but QUIT refused */
};

/* resume is what crosses into the twin if the smtps handshake needs it (handoff.h). */
enum greeting_outcome greeting_run(const struct config *cfg, const struct profile *p, int port,
                                   struct respond *out, const struct handoff *resume);

/* With --proxy-protocol: reads exactly the PROXY header, within --timeout, from a peer of
 * --proxy-from (a pipe counts as one); bytes after it stay in the io as the client's first
 * input. 0: peer now holds the client's address from the header (unchanged for LOCAL and
 * UNKNOWN). -1: the connection is refused, logged, nothing written (or the 421 of a SIGTERM):
 * the session is over, exit 1. */
int greeting_proxy(const struct config *cfg, struct respond *out, struct peer *peer, int port);

#endif
