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
 * take over; for a TLS fault chosen already (by EHLO, or the port: SPEC §16) also its versions,
 * and, for one a GnuTLS may refuse, whether this one does. Else, logged: -1 TLS is not
 * available, -2 the fault is refused. */
int handshake_ready(const struct config *cfg, enum tlsfault fault, enum tlsfault port_fault);

/* In an acceptor, before its first fork (SPEC §15): GnuTLS, the credentials and the generated
 * certificate for --hostname, loaded once for every session; a failure is logged, and each
 * session then meets it in handshake_ready. */
void handshake_preload(const struct config *cfg);

/* The twin's side of handoff_probe: 0 when fault is available, else 1 and the reason on
 * stdout. */
int handshake_probe(const struct config *cfg, enum tlsfault fault);

/* The handshake on io (after the 220 to STARTTLS was flushed, or before an implicit-TLS
 * greeting), with resume->tls_fault (EHLO's) and the port's fault. 0 when TLS is up; -1 when it
 * failed (logged): the session must end, exit 1. Where this process cannot load GnuTLS it execs
 * the twin, which resumes the session described by resume. */
int handshake_run(struct io *io, const struct config *cfg, const struct handoff *resume,
                  enum tlsfault port_fault);

#endif
