/* utf8: RFC 3629 §4's table: the second octet's range depends on the first. */
#include "utf8.h"

size_t utf8_sequence_len(const unsigned char *p, size_t n)
{
	unsigned char lo = 0x80, hi = 0xBF;
	size_t len;

	if (n == 0)
		return 0;
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xC2 && p[0] <= 0xDF)
		len = 2;
	else if (p[0] >= 0xE0 && p[0] <= 0xEF)
		len = 3;
	else if (p[0] >= 0xF0 && p[0] <= 0xF4)
		len = 4;
	else
		return 0;
	if (p[0] == 0xE0)
		lo = 0xA0;          /* overlong */
	else if (p[0] == 0xED)
		hi = 0x9F;          /* surrogates */
	else if (p[0] == 0xF0)
		lo = 0x90;          /* overlong */
	else if (p[0] == 0xF4)
		hi = 0x8F;          /* above U+10FFFF */
	if (len > n || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if ((p[i] & 0xC0) != 0x80)
			return 0;
	return len;
}

int utf8_valid(const unsigned char *p, size_t n)
{
	for (size_t i = 0, len; i < n; i += len)
		if ((len = utf8_sequence_len(p + i, n - i)) == 0)
			return 0;
	return 1;
}
