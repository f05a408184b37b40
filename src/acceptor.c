/* acceptor: poll on the listening sockets, accept, fork. The loop allocates nothing after its
 * start (one table of child pids, sized by --max-sessions), so its memory stays flat however many
 * connections it serves. SIGCHLD and SIGTERM are blocked but for the one wait (clock_wait), so
 * children are reaped as soon as they end and a SIGTERM is never missed. The listening sockets
 * are the launcher's: their backlog is whatever it set, never changed here. */
#include "acceptor.h"

#include "clock.h"
#include "log.h"
#include "reply.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define GRACE_SECONDS 5       /* after SIGTERM, for the sessions' 421 (SPEC §15) */
#define PAUSE_MS 100          /* after an accept that failed for want of resources */

/* The table of running sessions, allocated once. A child leaves it alone (a free would only
 * touch pages it shares with the acceptor); kept here, it is not a leak there either. */
static pid_t *sessions_table;

struct acceptor {
	const struct config *cfg;
	const struct listener *ls;
	size_t n;
	pid_t *pids;              /* the sessions running, in no order (sessions_table) */
	size_t running;
	int stderr_listens;       /* inetd: fd 2 is the listening socket too */
	long long served;
	long long idle_since;     /* when the last session ended, or the start */
	volatile int *terminated, *child_ended;
};

/* The acceptor's own 421, written without ever blocking: a client that does not read gets
 * nothing rather than the acceptor stuck. */
static void refuse(const struct acceptor *a, int conn, const struct listener *l,
                   const struct sockaddr_storage *remote, enum reply_id id, const char *reason)
{
	struct reply r;
	struct peer peer;
	char wire[128];
	size_t len;

	reply_make(&r, id, NULL, 0);
	len = reply_render(&r, REPLY_WITH_ENHANCED, wire, sizeof wire);
	if (len > 0 && send(conn, wire, len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
		/* the client is gone or not reading: it is refused all the same */
	}
	activation_accepted(l, remote, &peer);
	LOG_EVENT(LOG_LEVEL_WARN, "SMTP connection refused", LOG_S("client_ip", peer.client_ip),
	          LOG_N("port", config_port(a->cfg, l->local_port)), LOG_S("reason", reason));
}

static void reap(struct acceptor *a)
{
	pid_t pid;

	while ((pid = waitpid(-1, NULL, WNOHANG)) > 0) {
		for (size_t i = 0; i < a->running; i++) {
			if (a->pids[i] == pid) {
				a->pids[i] = a->pids[--a->running];
				break;
			}
		}
		if (a->running == 0)
			a->idle_since = clock_monotonic_ms();
	}
}

/* In the child: the connection on fds 0 and 1, nothing of the acceptor's left (SPEC §15: no
 * listening socket held, signals as a launcher leaves them). Under inetd fds 0-2 are all the
 * listening socket; fd 2 then becomes the connection too, as inetd's own nowait does. systemd's
 * variables may stay: they name the acceptor's pid, so this process and any it execs ignore
 * them. */
static void become_session(struct acceptor *a, int conn)
{
	clock_reset_signals();
	if (a->stderr_listens)
		dup2(conn, 2);
	dup2(conn, 0);
	dup2(conn, 1);
	for (size_t i = 0; i < a->n; i++)
		if (a->ls[i].fd > 2)
			close(a->ls[i].fd);
	if (conn > 2)
		close(conn);
}

/* One connection: a child for it, or the 421. 1 in the child, with *peer filled. */
static int take(struct acceptor *a, int conn, const struct listener *l,
                const struct sockaddr_storage *remote, struct peer *peer)
{
	pid_t pid;

	if (a->running >= (size_t)a->cfg->max_sessions)
		reap(a);   /* sessions may have ended since the last SIGCHLD was seen */
	if (a->running >= (size_t)a->cfg->max_sessions) {
		refuse(a, conn, l, remote, REPLY_TOO_MANY_SESSIONS, "max_sessions");
		close(conn);
		return 0;
	}
	log_flush();   /* or the child would write the acceptor's pending lines again */
	pid = fork();
	if (pid == 0) {
		become_session(a, conn);
		activation_accepted(l, remote, peer);
		return 1;
	}
	if (pid < 0) {
		refuse(a, conn, l, remote, REPLY_NO_SESSION, "fork_failed");
	} else {
		a->pids[a->running++] = pid;
		a->served++;
	}
	close(conn);
	return 0;
}

/* The next connection waiting on l, if any: one per socket and wake-up, so that a flood on one
 * port does not starve the others, and an idle round costs no accept that finds nothing.
 * 1 in a child. */
static int accept_one(struct acceptor *a, const struct listener *l, struct peer *peer)
{
	struct sockaddr_storage remote;
	socklen_t len = sizeof remote;
	int conn;

	do
		conn = accept4(l->fd, (struct sockaddr *)&remote, &len, SOCK_CLOEXEC);
	while (conn < 0 && errno == EINTR);
	if (conn >= 0)
		return take(a, conn, l, &remote, peer);
	if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ECONNABORTED && errno != EPROTO) {
		LOG_EVENT(LOG_LEVEL_ERROR, "SMTP connection failed",
		          LOG_N("port", config_port(a->cfg, l->local_port)),
		          LOG_S("error", strerror(errno)));
		clock_sleep_ms(PAUSE_MS, a->terminated);
	}
	return 0;
}

/* SIGTERM: no more connections; the sessions get theirs (each answers its 421) and at most the
 * grace period to end, then SIGKILL. */
static void shut_down(struct acceptor *a)
{
	long long deadline = clock_monotonic_ms() + clock_scaled_ms(GRACE_SECONDS);
	int left;

	for (size_t i = 0; i < a->n; i++)
		close(a->ls[i].fd);
	for (size_t i = 0; i < a->running; i++)
		kill(a->pids[i], SIGTERM);
	while (a->running > 0 && (left = clock_ms_until(deadline)) > 0) {
		clock_wait(NULL, 0, left);   /* a SIGCHLD ends it early */
		reap(a);
	}
	for (size_t i = 0; i < a->running; i++)
		kill(a->pids[i], SIGKILL);
	while (a->running > 0 && waitpid(-1, NULL, 0) > 0)
		a->running--;
}

/* How long the next wait may last: until --idle-exit is due when nothing runs; -1: forever.
 * 0 when it is due now. */
static int idle_wait(const struct acceptor *a)
{
	int idle_ms = clock_scaled_ms(a->cfg->idle_exit);

	if (a->cfg->idle_exit <= 0 || a->running > 0)
		return -1;
	return clock_ms_until(a->idle_since + (idle_ms > 0 ? idle_ms : 1));
}

int acceptor_run(const struct config *cfg, const struct listener *ls, size_t n,
                 const struct listener **from, struct peer *peer)
{
	struct acceptor a = { .cfg = cfg, .ls = ls, .n = n };
	struct pollfd pfd[ACTIVATION_LISTENERS_MAX];
	int wait_ms;

	*from = NULL;
	a.pids = sessions_table = malloc((size_t)cfg->max_sessions * sizeof *a.pids);
	if (a.pids == NULL) {
		log_fatal_setup("cannot allocate the table of sessions (--max-sessions)");
		return 111;
	}
	for (size_t i = 0; i < n; i++) {
		int flags = fcntl(ls[i].fd, F_GETFL);

		if (flags < 0 || fcntl(ls[i].fd, F_SETFL, flags | O_NONBLOCK) != 0) {
			log_fatal_setup("cannot make a listening socket non-blocking");
			free(a.pids);
			return 111;
		}
		pfd[i] = (struct pollfd){ .fd = ls[i].fd, .events = POLLIN };
	}
	a.stderr_listens = activation_listening(2);
	a.terminated = clock_catch_sigterm();
	a.child_ended = clock_catch_sigchld();
	a.idle_since = clock_monotonic_ms();
	LOG_EVENT(LOG_LEVEL_INFO, "SMTP acceptor started", LOG_N("sockets", n),
	          LOG_N("max_sessions", cfg->max_sessions));
	while (!*a.terminated && (wait_ms = idle_wait(&a)) != 0) {
		if (clock_wait(pfd, (unsigned)n, wait_ms) > 0) {
			for (size_t i = 0; i < n; i++) {
				if ((pfd[i].revents & POLLIN) && accept_one(&a, &ls[i], peer)) {
					*from = &ls[i];
					return 0;
				}
			}
		}
		if (*a.child_ended) {
			*a.child_ended = 0;
			reap(&a);
		}
	}
	shut_down(&a);
	LOG_EVENT(LOG_LEVEL_INFO, "SMTP acceptor stopped", LOG_N("sessions_served", a.served));
	log_flush();
	free(a.pids);
	return 0;
}
