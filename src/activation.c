/* activation: getsockname/getpeername, SO_ACCEPTCONN, and systemd's LISTEN_PID, LISTEN_FDS and
 * LISTEN_FDNAMES read as sd_listen_fds_with_names() reads them (fds from 3, names separated by
 * ':'). systemd 252 names every Accept=yes connection "connection" whatever
 * FileDescriptorName= says (fixed in 257); with Accept=no it passes the name of each socket. */
#include "activation.h"

#include "buf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define LISTEN_FDS_START 3

/* The port of a socket address, -1 for anything but IPv4 and IPv6. */
static int port_of(const struct sockaddr_storage *a)
{
	if (a->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)a)->sin_port);
	if (a->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)a)->sin6_port);
	return -1;
}

/* Dotted-quad text of an IPv4 address, by hand: glibc's inet_ntop formats it with sprintf,
 * whose code is pages a forked session would fault in for this alone. */
static void ipv4_text(const unsigned char *a, char *out, size_t cap)
{
	struct buf b;

	buf_init(&b, out, cap);
	for (int i = 0; i < 4; i++) {
		if (i > 0)
			buf_addc(&b, '.');
		buf_add_decimal(&b, a[i], 0);
	}
}

/* p from what is known of a connection: its local port (-1: not TCP) and its peer's address
 * (NULL: none, a pipe). */
static void describe(struct peer *p, int local_port, const struct sockaddr_storage *remote)
{
	static const char pipe_name[] = "pipe", local_name[] = "local";

	memcpy(p->client_ip, pipe_name, sizeof pipe_name);
	p->local_port = local_port;
	p->client_port = -1;
	if (local_port < 0 && remote != NULL)
		memcpy(p->client_ip, local_name, sizeof local_name);
	if (remote == NULL)
		return;
	p->client_port = port_of(remote);
	if (remote->ss_family == AF_INET) {
		ipv4_text((const unsigned char *)&((const struct sockaddr_in *)remote)->sin_addr,
		          p->client_ip, sizeof p->client_ip);
	} else if (remote->ss_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)remote)->sin6_addr;

		/* An IPv4 client on a dual-stack socket is logged as plain IPv4. */
		if (IN6_IS_ADDR_V4MAPPED(a))
			ipv4_text(&a->s6_addr[12], p->client_ip, sizeof p->client_ip);
		else
			inet_ntop(AF_INET6, a, p->client_ip, sizeof p->client_ip);
	}
}

void activation_peer(int fd, struct peer *p)
{
	struct sockaddr_storage local, remote;
	socklen_t llen = sizeof local, rlen = sizeof remote;

	if (getsockname(fd, (struct sockaddr *)&local, &llen) != 0)
		describe(p, -1, NULL);
	else if (getpeername(fd, (struct sockaddr *)&remote, &rlen) != 0)
		describe(p, port_of(&local), NULL);
	else
		describe(p, port_of(&local), &remote);
}

void activation_accepted(const struct listener *l, const struct sockaddr_storage *remote,
                         struct peer *p)
{
	describe(p, l->local_port, remote);
}

/* LISTEN_FDS when LISTEN_PID is this process, else 0 (the variables were meant for another). */
static int read_listen_fds(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	char *end;
	long v;

	if (pid == NULL || fds == NULL)
		return 0;
	errno = 0;
	v = strtol(pid, &end, 10);
	if (errno != 0 || *pid == '\0' || *end != '\0' || v != (long)getpid())
		return 0;
	v = strtol(fds, &end, 10);
	if (errno != 0 || *fds == '\0' || *end != '\0' || v < 0 || v > ACTIVATION_LISTENERS_MAX)
		return 0;
	return (int)v;
}

/* read_listen_fds, read once: main asks for the listeners, then, with none, for the socket's
 * name (systemd's Accept=yes, a process per connection). Once per process image: an acceptor's
 * child, for which the answer would be stale, asks neither (its profile is its listener's). */
static int listen_fds(void)
{
	static int fds = -1;

	if (fds < 0)
		fds = read_listen_fds();
	return fds;
}

/* Name i of LISTEN_FDNAMES into out (cap > 0); "" when there is none. */
static void fd_name(int i, char *out, size_t cap)
{
	const char *p = getenv("LISTEN_FDNAMES");

	out[0] = '\0';
	for (; p != NULL && i > 0; i--) {
		p = strchr(p, ':');
		if (p != NULL)
			p++;
	}
	if (p != NULL)
		snprintf(out, cap, "%.*s", (int)strcspn(p, ":"), p);
}

int activation_socket_name(char *out, size_t cap)
{
	if (listen_fds() < 1)
		return 0;
	fd_name(0, out, cap);
	return out[0] != '\0' && strcmp(out, "connection") != 0;
}

int activation_listening(int fd)
{
	int accepting = 0, type = 0;
	socklen_t alen = sizeof accepting, tlen = sizeof type;

	return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &alen) == 0 && accepting &&
	       getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) == 0 && type == SOCK_STREAM;
}

static void add_listener(struct listener *l, int fd, int name_index)
{
	struct sockaddr_storage local;
	socklen_t len = sizeof local;

	l->fd = fd;
	l->local_port = getsockname(fd, (struct sockaddr *)&local, &len) == 0 ? port_of(&local) : -1;
	if (name_index >= 0)
		fd_name(name_index, l->name, sizeof l->name);
	else
		l->name[0] = '\0';
}

size_t activation_listeners(struct listener *out, size_t cap)
{
	int n = listen_fds();
	size_t found = 0;

	for (int i = 0; i < n && found < cap; i++)
		if (activation_listening(LISTEN_FDS_START + i))
			add_listener(&out[found++], LISTEN_FDS_START + i, i);
	if (found == 0 && cap > 0 && activation_listening(0))
		add_listener(&out[found++], 0, -1);
	return found;
}
