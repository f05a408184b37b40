/* test_text: the lexical helpers every parser shares — ASCII case folding and comparison on
 * (p, n) strings, the saturating decimal reader, the control-octet check and the DNS-name rule
 * with its two widenings (underscore, UTF-8 octets). */
#include "text.h"
#include "tap.h"

#include <stdio.h>
#include <string.h>

static void test_case(void)
{
	static const struct {
		const char *p;
		size_t n;
		const char *word;
		int equal, prefix;
	} rows[] = {
		{ "MAIL", 4, "mail", 1, 1 },
		{ "mail", 4, "MAIL", 1, 1 },
		{ "MaIl", 4, "mAiL", 1, 1 },
		{ "MAILFROM", 8, "MAIL", 0, 1 },
		{ "MAI", 3, "MAIL", 0, 0 },
		{ "", 0, "", 1, 1 },
		{ "", 0, "x", 0, 0 },
		{ "x", 1, "", 0, 1 },
		{ "mail550", 4, "mail", 1, 1 },   /* only n octets count */
		{ "M\0IL", 4, "MAIL", 0, 0 },
		{ "\xc4\x80", 2, "\xc4\x80", 1, 1 },
		{ "[", 1, "{", 0, 0 },            /* 0x5b vs 0x7b: not letters, not folded */
		{ "@", 1, "`", 0, 0 },
	};
	char name[96];

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		snprintf(name, sizeof name, "text_case_equal(#%zu \"%.*s\", \"%s\")", i,
		         (int)rows[i].n, rows[i].p, rows[i].word);
		tap_int(text_case_equal(rows[i].p, rows[i].n, rows[i].word), rows[i].equal, name);
		snprintf(name, sizeof name, "text_case_prefix(#%zu)", i);
		tap_int(text_case_prefix(rows[i].p, rows[i].n, rows[i].word), rows[i].prefix, name);
	}
	for (int c = 0; c < 256; c++) {
		char want_lower = c >= 'A' && c <= 'Z' ? (char)(c + 32) : (char)c;
		char want_upper = c >= 'a' && c <= 'z' ? (char)(c - 32) : (char)c;

		if (text_lower((char)c) != want_lower || text_upper((char)c) != want_upper) {
			snprintf(name, sizeof name, "text_lower/text_upper(0x%02x)", c);
			tap_ok(0, name);
			return;
		}
	}
	tap_ok(1, "text_lower/text_upper fold A-Z/a-z only, all 256 octets");
	char buf[8];

	text_lower_copy(buf, "AbC-Z9", 6);
	tap_str(buf, "abc-z9", "text_lower_copy lower-cases and terminates");
}

static void test_decimal(void)
{
	static const struct {
		const char *p;
		size_t n;
		size_t digits;
		unsigned long long value;
	} rows[] = {
		{ "0", 1, 1, 0 },
		{ "123", 3, 3, 123 },
		{ "123abc", 6, 3, 123 },
		{ "12345", 3, 3, 123 },   /* only n octets */
		{ "", 0, 0, 0 },
		{ "x1", 2, 0, 0 },
		{ "-1", 2, 0, 0 },
		{ "+1", 2, 0, 0 },
		{ " 1", 2, 0, 0 },
		{ "0010", 4, 4, 10 },
		{ "9999999999999999", 16, 16, 9999999999999999ULL },
		{ "99999999999999999", 17, 17, 99999999999999999ULL },   /* below the cap: exact */
		{ "123456789012345678", 18, 18, TEXT_DECIMAL_MAX },
		{ "18446744073709551616", 20, 20, TEXT_DECIMAL_MAX },
		{ "999999999999999999999999999999999999999999", 42, 42, TEXT_DECIMAL_MAX },
	};
	char name[96];

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		unsigned long long v = 77;
		size_t d = text_decimal(rows[i].p, rows[i].n, &v);

		snprintf(name, sizeof name, "text_decimal(\"%.*s\") digits", (int)rows[i].n, rows[i].p);
		tap_int((long long)d, (long long)rows[i].digits, name);
		snprintf(name, sizeof name, "text_decimal(\"%.*s\") value", (int)rows[i].n, rows[i].p);
		tap_int((long long)v, (long long)rows[i].value, name);
	}
}

static void test_controls(void)
{
	char name[64];

	for (int c = 0; c < 256; c++) {
		char s[3] = { 'a', (char)c, 'b' };
		int want = (c < 0x20 && c != '\t') || c == 0x7f;

		if (text_has_control(s, 3) != want) {
			snprintf(name, sizeof name, "text_has_control(a 0x%02x b)", c);
			tap_int(text_has_control(s, 3), want, name);
			return;
		}
	}
	tap_ok(1, "text_has_control: C0 but TAB, and DEL; nothing else, all 256 octets");
	tap_int(text_has_control("ab\r", 2), 0, "text_has_control reads only n octets");
	tap_int(text_has_control("", 0), 0, "text_has_control of nothing");
}

/* Every length up to 70 (the 32-octet loop and its tail), 0x80 at each place, and a second
 * one after it. */
static void test_eight_bit(void)
{
	char s[70], name[80];
	int bad = 0;

	for (size_t n = 0; n <= sizeof s && !bad; n++) {
		memset(s, 0x7f, sizeof s);
		if (text_eight_bit(s, n) != n) {
			snprintf(name, sizeof name, "text_eight_bit: %zu octets < 0x80", n);
			tap_int((long long)text_eight_bit(s, n), (long long)n, name);
			bad = 1;
		}
		for (size_t at = 0; at < n && !bad; at++) {
			s[at] = (char)0x80;
			s[n - 1] = (char)0xff;
			if (text_eight_bit(s, n) != at) {
				snprintf(name, sizeof name, "text_eight_bit: 0x80 at %zu of %zu", at, n);
				tap_int((long long)text_eight_bit(s, n), (long long)at, name);
				bad = 1;
			}
			memset(s, 0x7f, sizeof s);
		}
	}
	if (!bad)
		tap_ok(1, "text_eight_bit: every length to 70, the first 8-bit octet at every place");
	tap_int((long long)text_eight_bit("abcdefgh\xc3", 8), 8, "text_eight_bit reads only n octets");
}

static void test_dns(void)
{
	static char long_label[70], long_name[260];
	static const struct {
		const char *p;
		size_t max;
		unsigned flags;
		int want;
	} rows[] = {
		{ "badsmtp.test", 253, 0, 1 },
		{ "localhost", 253, 0, 1 },
		{ "a", 253, 0, 1 },
		{ "1.2.3.4", 253, 0, 1 },
		{ "xn--bcher-kva.example", 253, 0, 1 },
		{ "a-b.c-d", 253, 0, 1 },
		{ "", 253, 0, 0 },
		{ ".", 253, 0, 0 },
		{ "a.", 253, 0, 0 },
		{ ".a", 253, 0, 0 },
		{ "a..b", 253, 0, 0 },
		{ "-a.b", 253, 0, 0 },
		{ "a-.b", 253, 0, 0 },
		{ "a.-b", 253, 0, 0 },
		{ "a.b-", 253, 0, 0 },
		{ "a b", 253, 0, 0 },
		{ "a/b", 253, 0, 0 },
		{ "a_b.example", 253, 0, 0 },
		{ "a_b.example", 253, TEXT_DNS_UNDERSCORE, 1 },
		{ "_dmarc.example", 253, TEXT_DNS_UNDERSCORE, 1 },
		{ "b\xc3\xbc" "cher.example", 253, 0, 0 },
		{ "b\xc3\xbc" "cher.example", 253, TEXT_DNS_UTF8, 1 },
		{ "b\xc3\xbc" "cher_x", 253, TEXT_DNS_UTF8, 0 },
		{ "abcd", 3, 0, 0 },
		{ "abc", 3, 0, 1 },
	};
	char name[96];

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		snprintf(name, sizeof name, "text_dns_name(\"%s\", %zu, %u)", rows[i].p, rows[i].max,
		         rows[i].flags);
		tap_int(text_dns_name(rows[i].p, strlen(rows[i].p), rows[i].max, rows[i].flags),
		        rows[i].want, name);
	}
	memset(long_label, 'a', 63);
	tap_int(text_dns_name(long_label, 63, 253, 0), 1, "a 63-octet label");
	memset(long_label, 'a', 64);
	tap_int(text_dns_name(long_label, 64, 253, 0), 0, "a 64-octet label");
	for (size_t i = 0; i < sizeof long_name - 1; i++)
		long_name[i] = i % 2 ? '.' : 'a';
	tap_int(text_dns_name(long_name, 253, 253, 0), 1, "253 octets of one-letter labels");
	tap_int(text_dns_name(long_name, 255, 253, 0), 0, "255 octets over a max of 253");
	tap_int(text_dns_name(long_name, 255, 255, 0), 1, "255 octets within a max of 255");
	tap_int(text_dns_name("ab.c", 2, 253, 0), 1, "text_dns_name reads only n octets");
}

int main(void)
{
	test_case();
	test_decimal();
	test_controls();
	test_eight_bit();
	test_dns();
	return tap_done();
}
