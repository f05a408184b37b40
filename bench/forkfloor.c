/* forkfloor: the floor of wait mode (SPEC §15): handed one listening socket by
 * systemd-socket-activate without -a (fd 3, LISTEN_FDS=1), it accepts and forks a child per
 * connection that runs floor.h's dialogue on it; no exec, no logs, no limits, no signals. It
 * reaps what has ended before each accept (as any acceptor that counts its children must; and
 * so their CPU time shows in its own /proc stat, where the bench reads it). Linked statically.
 * Benchmark use only. */
#include "floor.h"

#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	for (;;) {
		int conn;

		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		conn = accept(3, NULL, NULL);
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
