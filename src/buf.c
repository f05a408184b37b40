/* buf: bounded appends. Nothing here formats with printf: log lines and replies are built on
 * every event, and a hand-made decimal costs a fraction of snprintf. */
#include "buf.h"

#include <string.h>

void buf_init(struct buf *b, char *storage, size_t cap)
{
	b->p = storage;
	b->len = 0;
	b->cap = cap;
	b->truncated = 0;
	storage[0] = '\0';
}

void buf_add(struct buf *b, const char *p, size_t n)
{
	size_t room = b->cap - 1 - b->len;

	if (n > room) {
		n = room;
		b->truncated = 1;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void buf_add_printable(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++)
		buf_addc(b, (unsigned char)*s < 0x20 || *s == 0x7F ? '?' : *s);
}

void buf_add_decimal(struct buf *b, long long v, int width)
{
	char digits[24];
	int i = (int)sizeof digits;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

	do {
		digits[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u > 0 || (int)sizeof digits - i < width);
	if (v < 0)
		digits[--i] = '-';
	buf_add(b, digits + i, sizeof digits - (size_t)i);
}
