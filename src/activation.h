/* activation: what the launcher handed us: the peer's address, the local port of fd 0, and
 * the name systemd gave the activating socket (SPEC §1). Learns from the environment first and
 * the socket second, and loads libsystemd only when a socket name could carry information. */
#ifndef BADSMTP_ACTIVATION_H
#define BADSMTP_ACTIVATION_H

#include <stddef.h>

struct peer {
	char client_ip[64];   /* "pipe" when fd 0 is not a socket */
	int local_port;       /* -1 when fd 0 is not a TCP socket */
};

void activation_peer(int fd, struct peer *p);
/* 1 when LISTEN_FDNAMES carries a name other than systemd's "connection" default: reading it
 * takes libsystemd. */
int activation_has_socket_name(void);
/* The activating socket's name from sd_listen_fds_with_names(), when systemd gave one other
 * than its "connection" default; 1 and the name in out, else 0. */
int activation_socket_name(char *out, size_t cap);

#endif
