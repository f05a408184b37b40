/* buf: bounded byte buffers over storage the caller owns, in the spirit of curl's dynbuf but
 * without allocation. Appends past the capacity are cut short and remembered (truncated), never
 * written past the end; the content is always NUL-terminated. Used wherever text is assembled
 * piece by piece: log lines, replies, message headers. */
#ifndef BADSMTP_BUF_H
#define BADSMTP_BUF_H

#include <stddef.h>

struct buf {
	char *p;
	size_t len;
	size_t cap;      /* of the storage, the NUL included */
	int truncated;   /* an append did not fit whole */
};

/* storage must hold at least one octet. */
void buf_init(struct buf *b, char *storage, size_t cap);
void buf_add(struct buf *b, const char *p, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addc(struct buf *b, char c);
/* s with every control octet (C0 and DEL) as '?': text quoted from outside that must stay on
 * one line. */
void buf_add_printable(struct buf *b, const char *s);
/* v in decimal, zero-padded to width digits (0: as many as needed). */
void buf_add_decimal(struct buf *b, long long v, int width);

#endif
