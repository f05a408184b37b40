/* data: the DATA body decoder (RFC 5321 §4.1.4, §4.5.2): finds the end at CRLF.CRLF only (a
 * bare LF or CR never ends the body: no SMTP smuggling), removes dot-stuffing, counts the
 * message as stored and stops passing bytes on once it is over the limit. Pure: bytes in,
 * bytes out through a callback. BDAT chunks need none of this: they are raw octets. */
#ifndef BADSMTP_DATA_H
#define BADSMTP_DATA_H

#include <stddef.h>

/* Receives unstuffed message bytes in order; a sink that fails is the caller's business. */
typedef void data_sink(void *ctx, const char *p, size_t n);

struct data_body {
	int state;
	int done;               /* CRLF.CRLF seen */
	unsigned long long size;  /* octets of the message as stored, counted even past the limit */
	unsigned long long limit;
};

void data_begin(struct data_body *d, unsigned long long limit);
/* Feeds n octets; returns how many were consumed (fewer than n only when the end was found:
 * the rest belongs to the next command). Bytes go to sink while size stays within limit. */
size_t data_feed(struct data_body *d, const char *p, size_t n, data_sink *sink, void *ctx);

#endif
