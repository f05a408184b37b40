/* handshake: a session's TLS coming up (SPEC §7): the TLS settings from the configuration, the
 * check before the 220 to STARTTLS (or before the smtps handshake) that nothing a handshake
 * needs is missing, and the handshake itself — in this process, or in the twin a static build
 * execs for it (handoff.h) — with its log events. */
#ifndef BADSMTP_HANDSHAKE_H
#define BADSMTP_HANDSHAKE_H

#include "config.h"
#include "handoff.h"
#include "io.h"

/* 0 when a handshake can follow: GnuTLS and the credentials loaded here, or the twin there to
 * take over; else -1, logged. */
int handshake_ready(const struct config *cfg);

/* In an acceptor, before its first fork (SPEC §15): GnuTLS, the credentials and the generated
 * certificate for --hostname, loaded once for every session; a failure is logged, and each
 * session then meets it in handshake_ready. */
void handshake_preload(const struct config *cfg);

/* The handshake on io (after the 220 to STARTTLS was flushed, or before the smtps greeting).
 * 0 when TLS is up; -1 when it failed (logged): the session must end, exit 1. Where this process
 * cannot load GnuTLS it execs the twin, which resumes the session described by resume. */
int handshake_run(struct io *io, const struct config *cfg, const struct handoff *resume);

#endif
