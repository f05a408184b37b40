/* activation: getsockname/getpeername on fd 0, and LISTEN_FDNAMES through libsystemd.
 * systemd 252 names every Accept=yes connection "connection" whatever FileDescriptorName=
 * says (fixed in 257), so that name, or no name at all, costs no dlopen. */
#include "activation.h"

#include "library.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

void activation_peer(int fd, struct peer *p)
{
	struct sockaddr_storage local, remote;
	socklen_t llen = sizeof local, rlen = sizeof remote;

	snprintf(p->client_ip, sizeof p->client_ip, "pipe");
	p->local_port = -1;
	if (getsockname(fd, (struct sockaddr *)&local, &llen) != 0)
		return;
	if (local.ss_family == AF_INET)
		p->local_port = ntohs(((struct sockaddr_in *)&local)->sin_port);
	else if (local.ss_family == AF_INET6)
		p->local_port = ntohs(((struct sockaddr_in6 *)&local)->sin6_port);
	else
		snprintf(p->client_ip, sizeof p->client_ip, "local");
	if (getpeername(fd, (struct sockaddr *)&remote, &rlen) != 0)
		return;
	if (remote.ss_family == AF_INET) {
		inet_ntop(AF_INET, &((struct sockaddr_in *)&remote)->sin_addr, p->client_ip,
		          sizeof p->client_ip);
	} else if (remote.ss_family == AF_INET6) {
		const struct in6_addr *a = &((struct sockaddr_in6 *)&remote)->sin6_addr;

		/* An IPv4 client on a dual-stack socket is logged as plain IPv4. */
		if (IN6_IS_ADDR_V4MAPPED(a))
			inet_ntop(AF_INET, &a->s6_addr[12], p->client_ip, sizeof p->client_ip);
		else
			inet_ntop(AF_INET6, a, p->client_ip, sizeof p->client_ip);
	}
}

int activation_has_socket_name(void)
{
	const char *names = getenv("LISTEN_FDNAMES");

	return names != NULL && *names != '\0' && strcmp(names, "connection") != 0;
}

int activation_socket_name(char *out, size_t cap)
{
	int (*with_names)(int, char ***);
	char **list = NULL;
	int n, found = 0;

	if (!activation_has_socket_name())
		return 0;
	*(void **)&with_names = library_symbol(library_open("libsystemd.so.0", NULL, 0),
	                                       "sd_listen_fds_with_names");
	/* unset_environment = 0: the names stay visible to anything we exec. */
	n = with_names ? with_names(0, &list) : 0;
	if (n > 0 && list != NULL && list[0] != NULL && strcmp(list[0], "connection") != 0) {
		snprintf(out, cap, "%s", list[0]);
		found = 1;
	}
	for (int i = 0; n > 0 && list != NULL && i < n; i++)
		free(list[i]);
	free(list);
	return found;
}
