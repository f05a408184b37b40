/* session: the SMTP state machine of one connection (SPEC §2-§10): the command table with the
 * states each command is legal in, the fault verdicts of triggers, and the handlers. The only
 * module that sees struct session. */
#ifndef BADSMTP_SESSION_H
#define BADSMTP_SESSION_H

#include "activation.h"
#include "config.h"
#include "profile.h"

/* Runs the whole session on fds 0 and 1; returns the exit status (SPEC §1). */
int session_run(const struct config *cfg, const struct profile *profile, const struct peer *peer);

#endif
