/* text: the small lexical helpers every parser needs, each written once: ASCII case folding and
 * case-insensitive comparison of (p, n) strings (network input is never NUL-terminated), a
 * saturating decimal reader, the control-octet check, and the DNS-name rule. Pure. */
#ifndef BADSMTP_TEXT_H
#define BADSMTP_TEXT_H

#include <stddef.h>

char text_lower(char c);
char text_upper(char c);
/* n octets of src lower-cased into dst, then a NUL: dst holds n + 1. */
void text_lower_copy(char *dst, const char *src, size_t n);
/* 1 when p[0..n) is word, ignoring ASCII case. */
int text_case_equal(const char *p, size_t n, const char *word);
/* 1 when p[0..n) starts with prefix, ignoring ASCII case. */
int text_case_prefix(const char *p, size_t n, const char *prefix);

/* Values saturate here: far above any number badsmtp accepts, far below overflow. */
#define TEXT_DECIMAL_MAX 100000000000000000ULL
/* The leading decimal digits of p[0..n) in *value (saturating at TEXT_DECIMAL_MAX); returns how
 * many digits there were (0: none, *value is 0). */
size_t text_decimal(const char *p, size_t n, unsigned long long *value);

/* 1 when p[0..n) holds a control octet other than TAB, or DEL: client text that we echo in a
 * reply or store in a header must not carry one (RFC 5321 §4.2: reply text is printable). */
int text_has_control(const char *p, size_t n);

/* Where the first octet >= 0x80 of p[0..n) is; n when there is none. */
size_t text_eight_bit(const char *p, size_t n);

enum text_dns {
	TEXT_DNS_UNDERSCORE = 1,   /* '_' in labels (names seen in the wild, SNI) */
	TEXT_DNS_UTF8 = 2,         /* octets >= 0x80 in labels (U-labels, RFC 6531 §3.3) */
};
/* 1 when p[0..n) is 1..max octets of dot-separated labels of 1-63 letters, digits and hyphens
 * (plus what flags allow), no label starting or ending with a hyphen (RFC 1035 §2.3.1,
 * RFC 1123 §2.1). */
int text_dns_name(const char *p, size_t n, size_t max, unsigned flags);

#endif
