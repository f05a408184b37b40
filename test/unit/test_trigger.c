/* test_trigger: SPEC §4.1 ({verb}{code}[_{x.y.z}] local parts, every verb, case-insensitive,
 * codes 400-599 only, and the ordinary local parts SPEC names), §4.3 (helo{code}/ehlo{code}
 * as the whole first label, exactly three digits in 400-599) and §18 (the faults of a
 * transaction: each form, its action, the point where it fires, its numbers and their ranges,
 * the AUTH username's trigger, and the names logs give them). */
#include "text.h"
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

/* SPEC §18: {local, verb, action, point, code, enhanced, number, fail_n}; verb VERB_NONE: an
 * ordinary local part (§4.1's rule for malformed triggers). */
#define R TRIGGER_REPLY
#define COMMAND TRIGGER_AT_COMMAND
#define BODY TRIGGER_IN_BODY
#define END TRIGGER_AT_BODY_END
static const struct fault_row {
	const char *local;
	enum verb verb;
	enum trigger_action action;
	enum trigger_point at;
	int code;
	const char *enhanced;
	unsigned long long number;
	int fail_n;
} fault_rows[] = {
	/* {verb}wait{N}, N 1..605; data's is about the end of its body */
	{ "mailwait1", VERB_MAIL, TRIGGER_WAIT, COMMAND, 0, "", 1, 0 },
	{ "rcptwait605", VERB_RCPT, TRIGGER_WAIT, COMMAND, 0, "", 605, 0 },
	{ "datawait600", VERB_DATA, TRIGGER_WAIT, END, 0, "", 600, 0 },
	{ "BDATWait5", VERB_BDAT, TRIGGER_WAIT, COMMAND, 0, "", 5, 0 },
	{ "rsetwait2", VERB_RSET, TRIGGER_WAIT, COMMAND, 0, "", 2, 0 },
	{ "noopwait2", VERB_NOOP, TRIGGER_WAIT, COMMAND, 0, "", 2, 0 },
	{ "quitwait2", VERB_QUIT, TRIGGER_WAIT, COMMAND, 0, "", 2, 0 },
	{ "starttlswait2", VERB_STARTTLS, TRIGGER_WAIT, COMMAND, 0, "", 2, 0 },
	{ "authwait2", VERB_AUTH, TRIGGER_WAIT, COMMAND, 0, "", 2, 0 },
	{ "mailwait0", VERB_NONE, R, COMMAND, 0, "", 0, 0 },
	{ "mailwait606", VERB_NONE, R, COMMAND, 0, "", 0, 0 },
	{ "mailwait05", VERB_NONE, R, COMMAND, 0, "", 0, 0 },
	{ "mailwait", VERB_NONE, R, COMMAND, 0, "", 0, 0 },
	{ "mailwait5x", VERB_NONE, R, COMMAND, 0, "", 0, 0 },
	{ "mailwait5_4.0.0", VERB_NONE, R, COMMAND, 0, "", 0, 0 },
	{ "mailwait99999999999999999999", VERB_NONE, R, COMMAND, 0, "", 0, 0 },
	/* {verb}drop */
	{ "maildrop", VERB_MAIL, TRIGGER_DROP, COMMAND, 0, "", 0, 0 },
	{ "rcptdrop", VERB_RCPT, TRIGGER_DROP, COMMAND, 0, "", 0, 0 },
	{ "datadrop", VERB_DATA, TRIGGER_DROP, END, 0, "", 0, 0 },
	{ "bdatdrop", VERB_BDAT, TRIGGER_DROP, COMMAND, 0, "", 0, 0 },
	{ "QuitDrop", VERB_QUIT, TRIGGER_DROP, COMMAND, 0, "", 0, 0 },
	{ "authdrop", VERB_AUTH, TRIGGER_DROP, COMMAND, 0, "", 0, 0 },
	{ "maildrops", VERB_NONE, R, COMMAND, 0, "", 0, 0 },
	{ "maildrop1", VERB_NONE, R, COMMAND, 0, "", 0, 0 },
	/* datadrop{K}, datalost: data only */
	{ "datadrop1", VERB_DATA, TRIGGER_DATA_DROP, BODY, 0, "", 1, 0 },
	{ "datadrop65536", VERB_DATA, TRIGGER_DATA_DROP, BODY, 0, "", 65536, 0 },
	{ "datadrop99999999999999999", VERB_DATA, TRIGGER_DATA_DROP, BODY, 0, "", 99999999999999999ULL, 0 },
	{ "datadrop0", VERB_NONE, R, COMMAND, 0, "", 0, 0 },
	{ "datadrop01", VERB_NONE, R, COMMAND, 0, "", 0, 0 },
	{ "datadrop100000000000000000", VERB_NONE, R, COMMAND, 0, "", 0, 0 },
	{ "bdatdrop5", VERB_NONE, R, COMMAND, 0, "", 0, 0 },
	{ "datalost", VERB_DATA, TRIGGER_DATA_LOST, TRIGGER_AT_STORED, 0, "", 0, 0 },
	{ "DataLost", VERB_DATA, TRIGGER_DATA_LOST, TRIGGER_AT_STORED, 0, "", 0, 0 },
	{ "maillost", VERB_NONE, R, COMMAND, 0, "", 0, 0 },
	{ "datalost1", VERB_NONE, R, COMMAND, 0, "", 0, 0 },
	/* dataend{code}[x{N}][_{x.y.z}] */
	{ "dataend554", VERB_DATA, R, END, 554, "", 0, 0 },
	{ "dataend550_5.7.1", VERB_DATA, R, END, 550, "5.7.1", 0, 0 },
	{ "dataend451x2", VERB_DATA, R, END, 451, "", 0, 2 },
	{ "dataend451x2_4.3.0", VERB_DATA, R, END, 451, "4.3.0", 0, 2 },
	{ "dataend250", VERB_NONE, R, COMMAND, 0, "", 0, 0 },
	{ "dataend", VERB_NONE, R, COMMAND, 0, "", 0, 0 },
	{ "dataendwait5", VERB_NONE, R, COMMAND, 0, "", 0, 0 },
	{ "dataend554at5", VERB_NONE, R, COMMAND, 0, "", 0, 0 },
	/* data{code}at{K}[_{x.y.z}] */
	{ "data552at1", VERB_DATA, TRIGGER_REPLY_AT, BODY, 552, "", 1, 0 },
	{ "data554at100_5.7.1", VERB_DATA, TRIGGER_REPLY_AT, BODY, 554, "5.7.1", 100, 0 },
	{ "DATA421AT7", VERB_DATA, TRIGGER_REPLY_AT, BODY, 421, "", 7, 0 },
	{ "data552at0", VERB_NONE, R, COMMAND, 0, "", 0, 0 },
	{ "data552at", VERB_NONE, R, COMMAND, 0, "", 0, 0 },
	{ "data552at5x2", VERB_NONE, R, COMMAND, 0, "", 0, 0 },
	{ "mail552at5", VERB_NONE, R, COMMAND, 0, "", 0, 0 },
	/* {verb}{code}x{N}[_{x.y.z}], N 1..100, every verb */
	{ "rcpt451x3", VERB_RCPT, R, COMMAND, 451, "", 0, 3 },
	{ "RCPT451X3", VERB_RCPT, R, COMMAND, 451, "", 0, 3 },
	{ "mail450x1_4.2.0", VERB_MAIL, R, COMMAND, 450, "4.2.0", 0, 1 },
	{ "data451x100", VERB_DATA, R, COMMAND, 451, "", 0, 100 },
	{ "bdat451x2", VERB_BDAT, R, COMMAND, 451, "", 0, 2 },
	{ "rset421x1", VERB_RSET, R, COMMAND, 421, "", 0, 1 },
	{ "noop450x9", VERB_NOOP, R, COMMAND, 450, "", 0, 9 },
	{ "quit554x2", VERB_QUIT, R, COMMAND, 554, "", 0, 2 },
	{ "starttls454x2_4.7.0", VERB_STARTTLS, R, COMMAND, 454, "4.7.0", 0, 2 },
	{ "auth454x3", VERB_AUTH, R, COMMAND, 454, "", 0, 3 },
	{ "rcpt451x0", VERB_NONE, R, COMMAND, 0, "", 0, 0 },
	{ "rcpt451x101", VERB_NONE, R, COMMAND, 0, "", 0, 0 },
	{ "rcpt451x03", VERB_NONE, R, COMMAND, 0, "", 0, 0 },
	{ "rcpt451x", VERB_NONE, R, COMMAND, 0, "", 0, 0 },
	{ "rcpt451x3_", VERB_NONE, R, COMMAND, 0, "", 0, 0 },
	{ "rcpt451x3x3", VERB_NONE, R, COMMAND, 0, "", 0, 0 },
	{ "rcpt451_4.5.1x3", VERB_NONE, R, COMMAND, 0, "", 0, 0 },
	/* grey{S}, S 1..86400: RCPT's */
	{ "grey1", VERB_RCPT, TRIGGER_GREYLIST, COMMAND, 0, "", 1, 0 },
	{ "grey60", VERB_RCPT, TRIGGER_GREYLIST, COMMAND, 0, "", 60, 0 },
	{ "GREY86400", VERB_RCPT, TRIGGER_GREYLIST, COMMAND, 0, "", 86400, 0 },
	{ "grey0", VERB_NONE, R, COMMAND, 0, "", 0, 0 },
	{ "grey86401", VERB_NONE, R, COMMAND, 0, "", 0, 0 },
	{ "grey", VERB_NONE, R, COMMAND, 0, "", 0, 0 },
	{ "grey60x", VERB_NONE, R, COMMAND, 0, "", 0, 0 },
	{ "grey450", VERB_RCPT, TRIGGER_GREYLIST, COMMAND, 0, "", 450, 0 },
	{ "greywait5", VERB_NONE, R, COMMAND, 0, "", 0, 0 },
	{ "rcptgrey60", VERB_NONE, R, COMMAND, 0, "", 0, 0 },
};

static void test_faults(void)
{
	char name[160], back[80], want[80];

	for (size_t i = 0; i < sizeof fault_rows / sizeof fault_rows[0]; i++) {
		const struct fault_row *r = &fault_rows[i];
		struct trigger t;
		int got = trigger_parse(r->local, strlen(r->local), &t);

		snprintf(name, sizeof name, "trigger_parse(\"%s\"): %s", r->local,
		         r->verb == VERB_NONE ? "ordinary" : "a trigger");
		tap_int(got, r->verb != VERB_NONE, name);
		snprintf(name, sizeof name, "trigger_parse(\"%s\"): verb, action, point", r->local);
		tap_ok(t.verb == r->verb && t.action == r->action && t.at == r->at, name);
		if (t.verb != r->verb || t.action != r->action || t.at != r->at)
			printf("#   got verb %d action %d point %d, want %d %d %d\n", (int)t.verb,
			       (int)t.action, (int)t.at, (int)r->verb, (int)r->action, (int)r->at);
		snprintf(name, sizeof name, "trigger_parse(\"%s\"): code, enhanced, number, N", r->local);
		tap_ok(t.code == r->code && strcmp(t.enhanced, r->enhanced) == 0 &&
		       t.number == r->number && t.fail_n == r->fail_n, name);
		if (r->verb == VERB_NONE)
			continue;
		trigger_name(&t, back, sizeof back);
		text_lower_copy(want, r->local, strlen(r->local));
		snprintf(name, sizeof name, "trigger_name of \"%s\" is the local part, lower-cased",
		         r->local);
		tap_str(back, want, name);
	}
}

/* SPEC §18: the username's part before any '@' asks for an AUTH reply, at the exchange's end;
 * the key is the whole username, lower-cased. */
static const struct {
	const char *user;
	int code, fail_n;
	const char *enhanced;
} username_rows[] = {
	{ "auth535", 535, 0, "" },
	{ "auth454_4.7.0@example.com", 454, 0, "4.7.0" },
	{ "Auth451x2@Example.COM", 451, 2, "" },
	{ "auth535x3_5.7.8", 535, 3, "5.7.8" },
	{ "auth421@x", 421, 0, "" },
	{ "auth535@x@y", 535, 0, "" },
	{ "user@example.com", 0, 0, "" },
	{ "mail550", 0, 0, "" },
	{ "rcpt451x2@x", 0, 0, "" },
	{ "authwait5", 0, 0, "" },
	{ "authdrop", 0, 0, "" },
	{ "auth250", 0, 0, "" },
	{ "xauth535", 0, 0, "" },
	{ "@auth535", 0, 0, "" },
	{ "", 0, 0, "" },
};

static void test_usernames(void)
{
	char name[160], want[80];

	for (size_t i = 0; i < sizeof username_rows / sizeof username_rows[0]; i++) {
		const char *u = username_rows[i].user;
		struct trigger t;
		int got = trigger_parse_username(u, strlen(u), &t);

		snprintf(name, sizeof name, "trigger_parse_username(\"%s\")", u);
		tap_int(got ? t.code : 0, username_rows[i].code, name);
		if (!got)
			continue;
		snprintf(name, sizeof name, "... AUTH reply at the end of the exchange, x%d, \"%s\"",
		         username_rows[i].fail_n, username_rows[i].enhanced);
		tap_ok(t.verb == VERB_AUTH && t.action == TRIGGER_REPLY && t.at == TRIGGER_AT_AUTH_END &&
		       t.fail_n == username_rows[i].fail_n &&
		       strcmp(t.enhanced, username_rows[i].enhanced) == 0, name);
		text_lower_copy(want, u, strlen(u));
		tap_str(t.key, want, "... keyed by the whole username, lower-cased");
	}
}

static void test_key(void)
{
	struct trigger t;
	char big[TRIGGER_KEY_MAX + 10];

	trigger_set_key(&t, "Rcpt451X3@T17.Example", 21);
	tap_str(t.key, "rcpt451x3@t17.example", "trigger_set_key lower-cases");
	memset(big, 'a', sizeof big);
	trigger_set_key(&t, big, sizeof big);
	tap_int((long long)strlen(t.key), TRIGGER_KEY_MAX - 1, "trigger_set_key cuts a long key");
}

int main(void)
{
	test_parse();
	test_faults();
	test_usernames();
	test_key();
	test_lengths();
	test_names();
	test_helo();
	return tap_done();
}
