/* test_violation: SPEC §19's recorder. The names are the table's; each is recorded once, in
 * the order of first occurrence, and logged then as `SMTP client violation` (WARN, violation and
 * detail) with its printf detail, later occurrences not even formatted; the list is the header
 * value ("a, b", "" when clean) and fits VIOLATION_LIST_MAX with every name in it; restore takes
 * such a list back in order, silently, skipping unknown and repeated names; with the recorder
 * off nothing is wanted or recorded. */
#include "log_capture.h"
#include "tap.h"
#include "violation.h"

#include <stdio.h>

static const struct {
	enum violation_id id;
	const char *name;
} names[] = {
	{ VIOLATION_EARLY_TALKER, "early_talker" },
	{ VIOLATION_BARE_LF, "bare_lf" },
	{ VIOLATION_BARE_CR, "bare_cr" },
	{ VIOLATION_LONG_COMMAND_LINE, "long_command_line" },
	{ VIOLATION_LONG_TEXT_LINE, "long_text_line" },
	{ VIOLATION_EIGHT_BIT, "eight_bit_without_8bitmime" },
	{ VIOLATION_PIPELINING_NOT_OFFERED, "pipelining_not_offered" },
	{ VIOLATION_PIPELINING_GROUP, "pipelining_group_not_ended" },
	{ VIOLATION_AUTH_IN_CLEAR, "auth_in_clear" },
	{ VIOLATION_NO_EHLO_AFTER_STARTTLS, "no_ehlo_after_starttls" },
	{ VIOLATION_UTF8, "utf8_without_smtputf8" },
	{ VIOLATION_NO_QUIT, "no_quit" },
};

static void test_names(void)
{
	char name[100];

	tap_int(sizeof names / sizeof names[0], VIOLATION_COUNT - 1, "one name per violation of SPEC §19");
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		snprintf(name, sizeof name, "violation_name(%d) is %s", names[i].id, names[i].name);
		tap_str(violation_name(names[i].id), names[i].name, name);
	}
	tap_str(violation_name(VIOLATION_NONE), NULL, "violation_name(NONE) is NULL");
	tap_str(violation_name(VIOLATION_COUNT), NULL, "violation_name(COUNT) is NULL");
}

static void test_record(void)
{
	struct violations v = { 0 };
	const char *got[VIOLATION_COUNT];
	char list[VIOLATION_LIST_MAX], log[4096];

	violation_list(&v, list, sizeof list);
	tap_str(list, "", "clean: the list is empty");
	tap_int((long long)violation_names(&v, got), 0, "clean: no names");
	tap_int(violation_wanted(&v, VIOLATION_BARE_LF), 1, "clean: bare_lf is wanted");
	tap_int(violation_wanted(&v, VIOLATION_NONE), 0, "NONE is never wanted");

	violation_record(&v, VIOLATION_NO_QUIT, "closed in %s state", "MAIL");
	violation_record(&v, VIOLATION_BARE_LF, "body line %d", 3);
	violation_record(&v, VIOLATION_NO_QUIT, "again");
	violation_record(&v, VIOLATION_BARE_LF, "body line %d", 9);
	tap_int((long long)violation_names(&v, got), 2, "two recorded");
	tap_str(got[0], "no_quit", "first occurrence first");
	tap_str(got[1], "bare_lf", "then the next");
	tap_int(violation_wanted(&v, VIOLATION_BARE_LF), 0, "recorded: no longer wanted");
	violation_list(&v, list, sizeof list);
	tap_str(list, "no_quit, bare_lf", "the header value");
	log_capture_take(log, sizeof log);
	tap_str(log, "[WARN] SMTP client violation detail=\"closed in MAIL state\" violation=no_quit\n"
	             "[WARN] SMTP client violation detail=\"body line 3\" violation=bare_lf\n",
	        "each logged once, at WARN, with its detail");
}

static void test_every_name_fits(void)
{
	struct violations v = { 0 }, back = { 0 };
	char list[VIOLATION_LIST_MAX], again[VIOLATION_LIST_MAX], log[4096];
	const char *got[VIOLATION_COUNT];

	for (int id = VIOLATION_COUNT - 1; id > VIOLATION_NONE; id--)
		violation_record(&v, (enum violation_id)id, "x");
	log_capture_take(log, sizeof log);
	violation_list(&v, list, sizeof list);
	tap_str(list, "no_quit, utf8_without_smtputf8, no_ehlo_after_starttls, auth_in_clear, "
	              "pipelining_group_not_ended, pipelining_not_offered, eight_bit_without_8bitmime, "
	              "long_text_line, long_command_line, bare_cr, bare_lf, early_talker",
	        "all twelve, in order, fit VIOLATION_LIST_MAX");
	violation_restore(&back, list);
	violation_list(&back, again, sizeof again);
	tap_str(again, list, "restore takes the whole list back in order");
	log_capture_take(log, sizeof log);
	tap_str(log, "", "restore logs nothing");
	tap_int((long long)violation_names(&back, got), VIOLATION_COUNT - 1, "restore: all twelve");
}

static void test_restore(void)
{
	static const struct {
		const char *what, *in, *want;
	} rows[] = {
		{ "empty", "", "" },
		{ "one", "bare_cr", "bare_cr" },
		{ "unknown names skipped", "foo, bare_lf, early_talkers, no_quit", "bare_lf, no_quit" },
		{ "a repeat skipped", "no_quit, bare_lf, no_quit", "no_quit, bare_lf" },
		{ "commas without spaces", "bare_lf,bare_cr", "bare_lf, bare_cr" },
		{ "stray separators", ", , bare_lf ,", "bare_lf" },
	};
	char name[120], list[VIOLATION_LIST_MAX];

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct violations v = { 0 };

		violation_restore(&v, rows[i].in);
		violation_list(&v, list, sizeof list);
		snprintf(name, sizeof name, "violation_restore: %s", rows[i].what);
		tap_str(list, rows[i].want, name);
	}
}

static void test_off(void)
{
	struct violations v = { 0 };
	char log[4096];

	violation_enable(0);
	tap_int(violation_wanted(&v, VIOLATION_BARE_LF), 0, "off: nothing is wanted");
	violation_record(&v, VIOLATION_BARE_LF, "x");
	tap_int((long long)v.count, 0, "off: nothing is recorded");
	violation_enable(1);
	log_capture_take(log, sizeof log);
	tap_str(log, "", "off: nothing is logged");
	tap_int(violation_wanted(&v, VIOLATION_BARE_LF), 1, "on again: wanted");
}

int main(void)
{
	if (log_capture_open("test-violation") != 0)
		return 1;
	test_names();
	test_record();
	test_every_name_fits();
	test_restore();
	test_off();
	log_capture_close();
	return tap_done();
}
