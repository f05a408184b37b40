/* utf8: well-formedness of UTF-8 (RFC 3629 §4), the one check both the address parser and the
 * log escaper need: no overlongs, no surrogates, nothing above U+10FFFF. */
#ifndef BADSMTP_UTF8_H
#define BADSMTP_UTF8_H

#include <stddef.h>

/* Length (1-4) of the well-formed sequence at p, or 0 when there is none. */
size_t utf8_sequence_len(const unsigned char *p, size_t n);
int utf8_valid(const unsigned char *p, size_t n);

#endif
