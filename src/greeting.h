/* greeting: what a session does before its first command, as its profile says (SPEC §8): a
 * drop port's silence, the greeting delay, the implicit TLS handshake of smtps and of the tls-
 * ports (with their TLS fault, SPEC §16), then the 220 greeting itself. */
#ifndef BADSMTP_GREETING_H
#define BADSMTP_GREETING_H

#include "config.h"
#include "handoff.h"
#include "profile.h"
#include "respond.h"

/* 0: the greeting is queued and commands follow; -1: the session is over (exit 1). resume is
 * what crosses into the twin if the smtps handshake needs it (handoff.h). */
int greeting_run(const struct config *cfg, const struct profile *p, int port,
                 struct respond *out, const struct handoff *resume);

#endif
