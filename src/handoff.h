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
 *                greeting on implicit TLS: RFC 3207 makes the session forget all it learnt, so
 *                only its identity crosses, in BADSMTP_HANDOFF: its id and start, its profile and
 *                the connection's addresses, which the twin could not learn again (the
 *                acceptor's socket name chose the profile, a PROXY header gave the client's
 *                address), the TLS fault its EHLO asked for (SPEC §16) and the client's
 *                violations so far (they are the connection's, SPEC §19). The twin resumes at
 *                the handshake.
 * And one question: before the 220 to a STARTTLS whose TLS fault a GnuTLS may refuse, the twin
 * is run as a child, to say whether this one does (SPEC §16: the refusal is a 454, not a 220).
 * A dynamically linked build (the twin itself, the sanitizer and valgrind builds) never hands
 * off: library_loadable() is 1 there and everything happens in process. */
#ifndef BADSMTP_HANDOFF_H
#define BADSMTP_HANDOFF_H

#include "activation.h"
#include "tlsfault.h"
#include "violation.h"

#include <stddef.h>

#define HANDOFF_TWIN "badsmtp-session-tls"

struct handoff {
	char session_id[24];
	long long started_ms;   /* clock_monotonic_ms() when the connection began */
	char profile[40];       /* its profile's name */
	struct peer peer;       /* the client as logged (a PROXY header's), our local port */
	enum tlsfault tls_fault;   /* chosen by EHLO for the handshake (SPEC §16) */
	char violations[VIOLATION_LIST_MAX];   /* the client's so far (SPEC §19): "name, name" */
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

/* Runs the twin as a child, its stdin and stderr /dev/null, to ask whether fault is available
 * (handshake_probe answers). 0 yes; -1 no, or no answer within a few seconds, with the reason in
 * err. */
int handoff_probe(enum tlsfault fault, char *err, size_t errlen);

enum handoff_kind {
	HANDOFF_NONE,     /* a fresh start */
	HANDOFF_RESUME,   /* *resume is the session handed off at the handshake */
	HANDOFF_PROBE,    /* resume->tls_fault is the fault a handoff_probe asks about */
};

/* In the twin: what this process is for (the variable is then removed from the environment). */
enum handoff_kind handoff_take(struct handoff *resume);

#endif
