/* text: ASCII only, on purpose: the C library's tolower() and strncasecmp() follow the locale,
 * and a protocol's keywords do not. */
#include "text.h"

#include <stdint.h>
#include <string.h>

char text_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

char text_upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

void text_lower_copy(char *dst, const char *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = text_lower(src[i]);
	dst[n] = '\0';
}

int text_case_prefix(const char *p, size_t n, const char *prefix)
{
	size_t i = 0;

	for (; prefix[i] != '\0'; i++)
		if (i == n || text_lower(p[i]) != text_lower(prefix[i]))
			return 0;
	return 1;
}

int text_case_equal(const char *p, size_t n, const char *word)
{
	for (size_t i = 0; i < n; i++)
		if (word[i] == '\0' || text_lower(p[i]) != text_lower(word[i]))
			return 0;
	return word[n] == '\0';
}

size_t text_decimal(const char *p, size_t n, unsigned long long *value)
{
	size_t i = 0;

	*value = 0;
	for (; i < n && p[i] >= '0' && p[i] <= '9'; i++)
		*value = *value >= TEXT_DECIMAL_MAX / 10 ? TEXT_DECIMAL_MAX
		                                         : *value * 10 + (unsigned)(p[i] - '0');
	return i;
}

int text_has_control(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)p[i] < 0x20 && p[i] != '\t') || p[i] == 0x7F)
			return 1;
	return 0;
}

/* 32 octets at a time while none is 8-bit: every DATA body is scanned whole (SPEC §19). */
size_t text_eight_bit(const char *p, size_t n)
{
	size_t i = 0;

	for (uint64_t w[4]; i + sizeof w <= n; i += sizeof w) {
		memcpy(w, p + i, sizeof w);
		if ((w[0] | w[1] | w[2] | w[3]) & 0x8080808080808080ULL)
			break;
	}
	while (i < n && (unsigned char)p[i] < 0x80)
		i++;
	return i;
}

static int label_octet(unsigned char c, unsigned flags)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || (c == '_' && (flags & TEXT_DNS_UNDERSCORE)) ||
	       (c >= 0x80 && (flags & TEXT_DNS_UTF8));
}

int text_dns_name(const char *p, size_t n, size_t max, unsigned flags)
{
	size_t label = 0;

	if (n == 0 || n > max)
		return 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || p[i] == '.') {
			if (label == 0 || p[i - 1] == '-')
				return 0;
			label = 0;
		} else if (!label_octet((unsigned char)p[i], flags) || (p[i] == '-' && label == 0) ||
		           ++label > 63) {
			return 0;
		}
	}
	return 1;
}
