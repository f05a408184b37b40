/* test_buf: bounded appends — exact contents, always NUL-terminated, cut at the capacity and
 * remembered, never written past it; decimals with padding and signs; printable text. */
#include "buf.h"
#include "tap.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

static void test_appends(void)
{
	char store[16];
	struct buf b;

	memset(store, '#', sizeof store);
	buf_init(&b, store, 8);
	tap_str(b.p, "", "a new buf is empty and terminated");
	buf_adds(&b, "abc");
	buf_addc(&b, '-');
	buf_add(&b, "xyz!", 2);
	tap_mem(b.p, b.len, "abc-xy", 6, "adds, addc and add(p, n) in order");
	tap_int(b.truncated, 0, "... not truncated");
	tap_int(store[6], '\0', "... NUL after the content");
	buf_adds(&b, "12345");
	tap_mem(b.p, b.len, "abc-xy1", 7, "cut at cap - 1 octets");
	tap_int(b.truncated, 1, "... and truncated is set");
	tap_int(store[7], '\0', "... NUL in the last octet");
	tap_int(store[8], '#', "... nothing written past the capacity");
	buf_adds(&b, "more");
	tap_int((long long)b.len, 7, "a full buf takes nothing more");
	buf_init(&b, store, 1);
	buf_adds(&b, "x");
	tap_int((long long)b.len, 0, "a capacity of 1 holds the NUL only");
	tap_int(b.truncated, 1, "... and an append to it truncates");
}

static void test_decimals(void)
{
	static const struct {
		long long v;
		int width;
		const char *want;
	} rows[] = {
		{ 0, 0, "0" }, { 7, 0, "7" }, { 42, 0, "42" }, { 7, 2, "07" }, { 2026, 4, "2026" },
		{ 5, 6, "000005" }, { 123456, 3, "123456" }, { -5, 0, "-5" }, { -42, 0, "-42" },
		{ LLONG_MAX, 0, "9223372036854775807" }, { LLONG_MIN, 0, "-9223372036854775808" },
		{ 250, 3, "250" },
	};
	char store[64], name[64];
	struct buf b;

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		buf_init(&b, store, sizeof store);
		buf_add_decimal(&b, rows[i].v, rows[i].width);
		snprintf(name, sizeof name, "buf_add_decimal(%lld, %d)", rows[i].v, rows[i].width);
		tap_str(b.p, rows[i].want, name);
	}
	buf_init(&b, store, 4);
	buf_add_decimal(&b, 12345, 0);
	tap_str(b.p, "123", "a decimal cut at the capacity");
	tap_int(b.truncated, 1, "... truncated");
}

static void test_printable(void)
{
	char store[16];
	struct buf b;

	buf_init(&b, store, sizeof store);
	buf_add_printable(&b, "a\r\nb\tc\x7f\x01" "d\xc3\xa9");
	tap_str(b.p, "a??b?c??d\xc3\xa9", "printable: C0 controls and DEL become '?', 8-bit kept");
	buf_init(&b, store, 4);
	buf_add_printable(&b, "\n\n\n\n");
	tap_str(b.p, "???", "printable: cut at the capacity");
	tap_int(b.truncated, 1, "... truncated");
}

int main(void)
{
	test_appends();
	test_decimals();
	test_printable();
	return tap_done();
}
