/* session: the SMTP state machine of one connection (SPEC §2-§10): the command table with the
 * states each command is legal in, the fault verdicts of triggers, and the handlers. The only
 * module that sees struct session. */
#ifndef BADSMTP_SESSION_H
#define BADSMTP_SESSION_H

#include "activation.h"
#include "config.h"
#include "handoff.h"
#include "profile.h"

/* Runs the whole session on fds 0 and 1; returns the exit status (SPEC §1). resume: NULL for a
 * new connection, else the session handed off at its TLS handshake (handoff.h), which goes on
 * from there: after the 220 to STARTTLS, or before the greeting on smtps. */
int session_run(const struct config *cfg, const struct profile *profile, const struct peer *peer,
                const struct handoff *resume);

#endif
