/* forkfloor: the floor of wait mode (SPEC §15): handed one listening socket by
 * systemd-socket-activate without -a (fd 3, LISTEN_FDS=1), it accepts and forks a child per
 * connection that runs floor.h's dialogue on it; no exec, no logs, no limits, and children
 * reaped by the kernel (SIGCHLD ignored). Linked statically. Benchmark use only. */
#include "floor.h"

#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
	signal(SIGCHLD, SIG_IGN);
	for (;;) {
		int conn = accept(3, NULL, NULL);

		if (conn < 0)
			continue;
		if (fork() == 0) {
			close(3);
			dup2(conn, 0);
			dup2(conn, 1);
			close(conn);
			_exit(floor_session());
		}
		close(conn);
	}
}
