/* handoff: badsmtp-session is linked statically, because process start-up is what a session per
 * connection costs, and a static glibc program cannot dlopen GnuTLS or libsystemd. When a session
 * needs one of them, the process replaces itself (execve, same pid, same fds) with its twin,
 * badsmtp-session-tls: the same program linked dynamically, installed beside it, which loads the
 * libraries as it needs them. This module owns that exec and the little state that crosses it.
 *
 * Two hand-off points:
 *   start-up     journald logging, a systemd socket name, a --tls-cert pair not yet verified:
 *                nothing has been read, written or logged, so the twin starts afresh with the
 *                same arguments and environment.
 *   handshake    after the 220 to STARTTLS (plaintext behind it already discarded), or before the
 *                greeting on smtps: RFC 3207 makes the session forget all it learnt, so only its
 *                identity crosses, in BADSMTP_HANDOFF: its id and start, its profile and the
 *                connection's addresses, which the twin could not learn again (the acceptor's
 *                socket name chose the profile, a PROXY header gave the client's address). The
 *                twin resumes at the handshake.
 * A dynamically linked build (the twin itself, the sanitizer and valgrind builds) never hands
 * off: library_loadable() is 1 there and everything happens in process. */
#ifndef BADSMTP_HANDOFF_H
#define BADSMTP_HANDOFF_H

#include "activation.h"

#include <stddef.h>

#define HANDOFF_TWIN "badsmtp-session-tls"

struct handoff {
	char session_id[24];
	long long started_ms;   /* clock_monotonic_ms() when the connection began */
	char profile[40];       /* its profile's name */
	struct peer peer;       /* the client as logged (a PROXY header's), our local port */
};

/* A new connection's identity: a fresh session id ("sess_" + 12 lower-case hex digits, SPEC
 * §11) and its start time; profile and peer as given. */
void handoff_new(struct handoff *id, const char *profile, const struct peer *peer);

/* Remembers argv for the exec; main() calls it first. */
void handoff_init(char **argv);

/* 0 when the twin exists beside this program and is executable, else -1 with err. */
int handoff_check(char *err, size_t errlen);

/* Execs the twin with this process's argv; resume NULL is a start-up hand-off. Returns only on
 * failure: -1 with err. */
int handoff_exec(const struct handoff *resume, char *err, size_t errlen);

/* In the twin: 1 and *resume filled when this process continues a session handed off at the
 * handshake (the variable is then removed from the environment), else 0. */
int handoff_take(struct handoff *resume);

#endif
