/* proxy: the PROXY protocol header a load balancer puts before a connection's first byte (SPEC
 * §20; HAProxy's "PROXY protocol" specification, versions 1 and 2), and the --proxy-from list of
 * peers allowed to send one. Pure: bytes in, a verdict out; reading them is greeting.c's. */
#ifndef BADSMTP_PROXY_H
#define BADSMTP_PROXY_H

#include <stddef.h>

/* The longest header accepted: v1's own limit is 107 octets; a v2 header's address block and
 * TLVs are capped here (HAProxy sends a few dozen octets). */
#define PROXY_V2_MAX (16 + 2048)

enum proxy_status {
	PROXY_OK,           /* a whole, well-formed header */
	PROXY_INCOMPLETE,   /* what came so far can still begin one: read more */
	PROXY_INVALID,      /* not a header, or a malformed one */
};

struct proxy_header {
	size_t len;            /* octets of the header: what follows is the client's */
	int has_address;       /* 0: v2 LOCAL, v1 UNKNOWN, or an address that is not IPv4/IPv6:
	                          the socket's peer stands */
	char client_ip[64];    /* as activation writes one: IPv4-mapped IPv6 as plain IPv4 */
	int client_port;
};

/* Parses the header at the start of (p, n). */
enum proxy_status proxy_parse(const char *p, size_t n, struct proxy_header *h);

#define PROXY_CIDRS_MAX 32

struct proxy_cidr {
	int family;                 /* AF_INET or AF_INET6 */
	unsigned char addr[16];
	int bits;
};

struct proxy_trust {
	size_t n;
	struct proxy_cidr cidr[PROXY_CIDRS_MAX];
};

/* "127.0.0.0/8,::1/128": comma-separated addresses, each with an optional /bits (none: the
 * whole address). 0, or -1 when an entry is not one or there are more than PROXY_CIDRS_MAX. */
int proxy_parse_trust(const char *list, struct proxy_trust *t);
/* 1 when ip (an IPv4 or IPv6 address as text) is inside one of t's ranges. */
int proxy_trusted(const struct proxy_trust *t, const char *ip);

#endif
