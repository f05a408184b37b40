/* test_trigger: SPEC §4.1 ({verb}{code}[_{x.y.z}] local parts, every verb, case-insensitive,
 * codes 400-599 only, and the ordinary local parts SPEC names) and §4.3 (helo{code}/ehlo{code}
 * as the whole first label, exactly three digits in 400-599). */
#include "trigger.h"
#include "tap.h"

#include <stdio.h>

struct row {
	const char *local;
	enum verb verb;   /* VERB_NONE: ordinary */
	int code;
	const char *enhanced;
};

static const struct row rows[] = {
	/* SPEC examples and every verb */
	{ "mail550", VERB_MAIL, 550, "" },
	{ "rcpt452_4.2.2", VERB_RCPT, 452, "4.2.2" },
	{ "MAIL550_5.1.1", VERB_MAIL, 550, "5.1.1" },
	{ "mail550_5.1.1", VERB_MAIL, 550, "5.1.1" },
	{ "Mail421", VERB_MAIL, 421, "" },
	{ "rcpt550", VERB_RCPT, 550, "" },
	{ "RcPt451", VERB_RCPT, 451, "" },
	{ "data554", VERB_DATA, 554, "" },
	{ "DATA451_4.3.0", VERB_DATA, 451, "4.3.0" },
	{ "bdat552", VERB_BDAT, 552, "" },
	{ "BDAT552_5.3.4", VERB_BDAT, 552, "5.3.4" },
	{ "rset500", VERB_RSET, 500, "" },
	{ "RSET421", VERB_RSET, 421, "" },
	{ "noop421", VERB_NOOP, 421, "" },
	{ "NOOP550_5.0.0", VERB_NOOP, 550, "5.0.0" },
	{ "quit421", VERB_QUIT, 421, "" },
	{ "QUIT554", VERB_QUIT, 554, "" },
	{ "starttls454", VERB_STARTTLS, 454, "" },
	{ "STARTTLS454_4.7.0", VERB_STARTTLS, 454, "4.7.0" },
	{ "auth535", VERB_AUTH, 535, "" },
	{ "AUTH535_5.7.8", VERB_AUTH, 535, "5.7.8" },
	/* code bounds */
	{ "mail400", VERB_MAIL, 400, "" },
	{ "mail599", VERB_MAIL, 599, "" },
	{ "mail499", VERB_MAIL, 499, "" },
	{ "mail500", VERB_MAIL, 500, "" },
	{ "mail571_5.7.1", VERB_MAIL, 571, "5.7.1" },
	/* enhanced code: 1-3 digits per part (RFC 3463) */
	{ "mail550_5.10.100", VERB_MAIL, 550, "5.10.100" },
	{ "mail550_5.123.123", VERB_MAIL, 550, "5.123.123" },
	{ "mail550_5.0.0", VERB_MAIL, 550, "5.0.0" },
	/* ordinary local parts (SPEC §4.1 names the first five) */
	{ "test452", VERB_NONE, 0, "" },
	{ "452", VERB_NONE, 0, "" },
	{ "mail45", VERB_NONE, 0, "" },
	{ "mail5500", VERB_NONE, 0, "" },
	{ "mail550_5.1", VERB_NONE, 0, "" },
	{ "mail399", VERB_NONE, 0, "" },
	{ "mail600", VERB_NONE, 0, "" },
	{ "mail000", VERB_NONE, 0, "" },
	{ "mail250", VERB_NONE, 0, "" },
	{ "mail999", VERB_NONE, 0, "" },
	{ "mail550_", VERB_NONE, 0, "" },
	{ "mail550_5.1.1.1", VERB_NONE, 0, "" },
	{ "mail550_a.b.c", VERB_NONE, 0, "" },
	{ "mail550_5.1.", VERB_NONE, 0, "" },
	{ "mail550_5..1", VERB_NONE, 0, "" },
	{ "mail550_.1.1", VERB_NONE, 0, "" },
	{ "mail550_5.1.1.", VERB_NONE, 0, "" },
	{ "mail550_5.1.1x", VERB_NONE, 0, "" },
	{ "mail550_5.1.1000", VERB_NONE, 0, "" },
	{ "mail550_5.1000.1", VERB_NONE, 0, "" },
	{ "mail550-5.1.1", VERB_NONE, 0, "" },
	{ "mail550.5.1.1", VERB_NONE, 0, "" },
	{ "mail550x", VERB_NONE, 0, "" },
	{ "mail55", VERB_NONE, 0, "" },
	{ "mail5", VERB_NONE, 0, "" },
	{ "mail", VERB_NONE, 0, "" },
	{ "mail5a0", VERB_NONE, 0, "" },
	{ "mail 550", VERB_NONE, 0, "" },
	{ "xmail550", VERB_NONE, 0, "" },
	{ "mailx550", VERB_NONE, 0, "" },
	{ "mail-550", VERB_NONE, 0, "" },
	{ "helo550", VERB_NONE, 0, "" },
	{ "ehlo550", VERB_NONE, 0, "" },
	{ "vrfy550", VERB_NONE, 0, "" },
	{ "expn550", VERB_NONE, 0, "" },
	{ "tls454", VERB_NONE, 0, "" },
	{ "start454", VERB_NONE, 0, "" },
	{ "\"mail550\"", VERB_NONE, 0, "" },
	{ "john.doe", VERB_NONE, 0, "" },
	{ "postmaster", VERB_NONE, 0, "" },
	{ "", VERB_NONE, 0, "" },
	{ "d", VERB_NONE, 0, "" },
};

static const char *verb_label(enum verb v)
{
	return v == VERB_NONE ? "(none)" : command_verb_name(v);
}

static void test_parse(void)
{
	char name[160];

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const struct row *r = &rows[i];
		struct trigger t;
		int want_ret = r->verb != VERB_NONE;
		int got = trigger_parse(r->local, strlen(r->local), &t);

		snprintf(name, sizeof name, "trigger_parse(\"%s\") returns %d", r->local, want_ret);
		tap_int(got, want_ret, name);
		snprintf(name, sizeof name, "trigger_parse(\"%s\") verb", r->local);
		tap_str(verb_label(t.verb), verb_label(r->verb), name);
		snprintf(name, sizeof name, "trigger_parse(\"%s\") code", r->local);
		tap_int(t.code, r->code, name);
		snprintf(name, sizeof name, "trigger_parse(\"%s\") enhanced", r->local);
		tap_str(t.enhanced, r->enhanced, name);
	}
}

/* The length is honoured: no NUL terminator is needed, and bytes past n are not looked at. */
static void test_lengths(void)
{
	struct trigger t;
	const char buf[] = { 'm', 'a', 'i', 'l', '5', '5', '0', '1', '2' };   /* no NUL */

	tap_int(trigger_parse(buf, 7, &t), 1, "trigger_parse reads only n octets (7 of mail55012)");
	tap_int(t.code, 550, "... code 550");
	tap_int(trigger_parse(buf, 9, &t), 0, "trigger_parse(\"mail55012\") is ordinary");
	tap_int(trigger_parse("mail550_5.1.1@x", 13, &t), 1, "trigger_parse stops at n (before @)");
	tap_str(t.enhanced, "5.1.1", "... enhanced 5.1.1");
	tap_int(trigger_parse("mail550", 4, &t), 0, "trigger_parse(\"mail\" of mail550) is ordinary");
	tap_int(trigger_parse("", 0, &t), 0, "trigger_parse of 0 octets is ordinary");
	tap_str(verb_label(t.verb), "(none)", "... and verb none");
}

/* The name logs give a trigger: its verb lower-cased, the code, the enhanced code. */
static void test_names(void)
{
	static const struct {
		struct trigger t;
		const char *want;
	} names[] = {
		{ { .verb = VERB_MAIL, .code = 550 }, "mail550" },
		{ { .verb = VERB_RCPT, .code = 452, .enhanced = "4.2.2" }, "rcpt452_4.2.2" },
		{ { .verb = VERB_DATA, .code = 554 }, "data554" },
		{ { .verb = VERB_BDAT, .code = 552 }, "bdat552" },
		{ { .verb = VERB_RSET, .code = 500 }, "rset500" },
		{ { .verb = VERB_NOOP, .code = 421 }, "noop421" },
		{ { .verb = VERB_QUIT, .code = 554 }, "quit554" },
		{ { .verb = VERB_STARTTLS, .code = 454 }, "starttls454" },
		{ { .verb = VERB_AUTH, .code = 535, .enhanced = "5.7.8" }, "auth535_5.7.8" },
	};
	char name[64], got[64];

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		snprintf(name, sizeof name, "trigger_name(%s)", names[i].want);
		trigger_name(&names[i].t, got, sizeof got);
		tap_str(got, names[i].want, name);
	}
}

static const struct {
	const char *arg;
	int want;
} helo_rows[] = {
	{ "helo500.example.com", 500 },
	{ "ehlo500.example.com", 500 },
	{ "helo421.example.com", 421 },
	{ "ehlo421", 421 },
	{ "helo400", 400 },
	{ "helo599.x", 599 },
	{ "HELO554.example.com", 554 },
	{ "EhLo550.Example.Com", 550 },
	{ "helo450.", 450 },
	{ "helo399.example.com", 0 },
	{ "helo600.example.com", 0 },
	{ "helo250.example.com", 0 },
	{ "helo50.example.com", 0 },
	{ "helo5000.example.com", 0 },
	{ "helo50a.example.com", 0 },
	{ "helo.example.com", 0 },
	{ "helo", 0 },
	{ "xhelo500.example.com", 0 },
	{ "hello500.example.com", 0 },
	{ "helo500-nosize.example.com", 0 },
	{ "nosize-helo500.example.com", 0 },
	{ "helo500x.example.com", 0 },
	{ "helo_500.example.com", 0 },
	{ "example.helo500.com", 0 },
	{ "mail550.example.com", 0 },
	{ "rcpt550", 0 },
	{ "500", 0 },
	{ "", 0 },
};

/* The code trigger_parse_helo finds, or 0; a trigger fires on the command it came with. */
static int helo_code(enum verb v, const char *arg, size_t n)
{
	struct trigger t;
	int fired = trigger_parse_helo(v, arg, n, &t);

	if (fired && t.verb != v)
		return -1;
	return fired ? t.code : 0;
}

static void test_helo(void)
{
	char name[160];

	for (size_t i = 0; i < sizeof helo_rows / sizeof helo_rows[0]; i++) {
		snprintf(name, sizeof name, "trigger_parse_helo(\"%s\")", helo_rows[i].arg);
		tap_int(helo_code(VERB_EHLO, helo_rows[i].arg, strlen(helo_rows[i].arg)),
		        helo_rows[i].want, name);
		snprintf(name, sizeof name, "trigger_parse_helo(HELO, \"%s\")", helo_rows[i].arg);
		tap_int(helo_code(VERB_HELO, helo_rows[i].arg, strlen(helo_rows[i].arg)),
		        helo_rows[i].want, name);
	}
	tap_int(helo_code(VERB_EHLO, "helo5001", 7), 500, "trigger_parse_helo reads only n octets");
	tap_int(helo_code(VERB_EHLO, "helo50", 6), 0, "trigger_parse_helo(\"helo50\", 6)");
}

int main(void)
{
	test_parse();
	test_lengths();
	test_names();
	test_helo();
	return tap_done();
}
