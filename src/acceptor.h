/* acceptor: wait mode (SPEC §15). Handed listening sockets, the process accepts on all of them
 * and forks one child per connection, which serves that one session exactly as a process
 * started on it would; the acceptor itself never speaks SMTP, but for the 421 of a connection
 * over --max-sessions (or one it cannot fork for). It owns the children: reaping, the limit,
 * SIGTERM with its grace period, --idle-exit. */
#ifndef BADSMTP_ACCEPTOR_H
#define BADSMTP_ACCEPTOR_H

#include "activation.h"
#include "config.h"

#include <stddef.h>

/* Runs the acceptor on ls[0..n) until SIGTERM or --idle-exit. Returns twice over, like fork:
 *   in the acceptor, when it is done: its exit status, *from NULL;
 *   in each child: 0, *from the listener its connection came on, *peer the connection as
 *   activation_peer would describe it. Fds 0 and 1 (and 2, where that was a listening socket)
 *   are the connection, no listening socket is open, the signals are as a session sets them
 *   (clock_reset_signals; systemd's variables, naming the acceptor's pid, no longer apply):
 *   main serves the session from there. */
int acceptor_run(const struct config *cfg, const struct listener *ls, size_t n,
                 const struct listener **from, struct peer *peer);

#endif
