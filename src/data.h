/* data: the DATA body decoder (RFC 5321 §4.1.4, §4.5.2): finds the end at CRLF.CRLF only (a
 * bare LF or CR never ends the body: no SMTP smuggling), removes dot-stuffing, counts the
 * message as stored and stops passing bytes on once it is over the limit; and, when watched,
 * notes what the client got wrong in the body's lines (SPEC §19). Pure: bytes in, bytes out
 * through a callback. BDAT chunks need none of this: they are raw octets. */
#ifndef BADSMTP_DATA_H
#define BADSMTP_DATA_H

#include "violation.h"

#include <stddef.h>

/* Receives unstuffed message bytes in order; a sink that fails is the caller's business. */
typedef void data_sink(void *ctx, const char *p, size_t n);

struct data_body {
	int state;
	int done;               /* CRLF.CRLF seen */
	unsigned long long size;  /* octets of the message as stored, counted even past the limit */
	unsigned long long limit;
	/* SPEC §19: the lines as received (dot-stuffing and line ends included) */
	struct violations *violations;   /* NULL: not watched */
	int eight_bit_ok;                /* BODY=8BITMIME or SMTPUTF8 was declared */
	int after_cr;
	unsigned long long line, line_octets;   /* the line being received, from 1; its octets */
};

void data_begin(struct data_body *d, unsigned long long limit);
/* After data_begin: bare LF and CR, lines over 1000 octets, and (unless eight_bit_ok) octets
 * >= 0x80 in the body are recorded in v as they arrive. */
void data_watch(struct data_body *d, struct violations *v, int eight_bit_ok);
/* Feeds n octets; returns how many were consumed (fewer than n only when the end was found:
 * the rest belongs to the next command). Bytes go to sink while size stays within limit. */
size_t data_feed(struct data_body *d, const char *p, size_t n, data_sink *sink, void *ctx);

#endif
