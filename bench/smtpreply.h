/* smtpreply.h: the one rule the bench clients (probe.c, tlsload.c) read replies by. */
#ifndef BENCH_SMTPREPLY_H
#define BENCH_SMTPREPLY_H

#include <stdlib.h>
#include <string.h>

/* buf[0..n) as read so far, NUL-terminated: the reply's code once its last line ("ddd ") is in,
 * else 0 (read more). */
static inline int reply_complete(const char *buf, size_t n)
{
	const char *last;

	if (n < 2 || buf[n - 2] != '\r' || buf[n - 1] != '\n')
		return 0;
	last = buf + n - 2;
	while (last > buf && last[-1] != '\n')
		last--;
	return strlen(last) >= 4 && last[3] == ' ' ? atoi(last) : 0;
}

#endif
