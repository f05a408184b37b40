/* activation: what the launcher handed us (SPEC §1, §15): either one connection on fd 0 (its
 * peer's address and its local port) or listening sockets (inetd `wait` on fd 0, systemd's
 * LISTEN_FDS from fd 3), each with its local port and the name systemd gave it. Learns from the
 * environment first and the socket second; reads systemd's variables itself, as sd-daemon does,
 * so that no session loads libsystemd for them. */
#ifndef BADSMTP_ACTIVATION_H
#define BADSMTP_ACTIVATION_H

#include <stddef.h>
#include <sys/socket.h>

struct peer {
	char client_ip[64];   /* "pipe" when fd 0 is not a socket */
	int client_port;      /* -1 when unknown (a pipe) */
	int local_port;       /* -1 when fd 0 is not a TCP socket */
};

void activation_peer(int fd, struct peer *p);

/* The name systemd gave the activating socket (LISTEN_FDNAMES, for the first of LISTEN_FDS when
 * LISTEN_PID is ours), when it is not systemd 252's "connection" default: 1 and the name in
 * out, else 0. */
int activation_socket_name(char *out, size_t cap);

#define ACTIVATION_LISTENERS_MAX 256

struct listener {
	int fd;
	int local_port;   /* -1 when not a TCP socket */
	char name[64];    /* systemd's FileDescriptorName=, or "" */
};

/* The listening stream sockets handed to us: systemd's LISTEN_FDS (Accept=no,
 * systemd-socket-activate without -a) when LISTEN_PID is ours, else fd 0 when it is one (inetd
 * `wait`). Returns how many were stored in out (at most cap); 0 means a single connection. */
size_t activation_listeners(struct listener *out, size_t cap);

/* The peer of a connection accepted on l, whose address accept(2) gave: what activation_peer
 * would say of it, without asking the socket. */
void activation_accepted(const struct listener *l, const struct sockaddr_storage *remote,
                         struct peer *p);

/* 1 when fd is a listening stream socket. */
int activation_listening(int fd);

#endif
