/* fuzz_trigger: a local part through trigger_parse, an AUTH username through
 * trigger_parse_username and an EHLO argument through trigger_parse_helo. Invariants: a trigger
 * has a known verb, action and point; a code in 400-599 when it replies; its numbers within
 * their ranges (SPEC §18); an enhanced code that is x.y.z of 1-3 digits or empty; and printing
 * it back gives the input again, ignoring case: nothing else ever fires. A username's trigger is
 * an AUTH reply, at the end of the exchange, keyed by the whole username. */
#include "fuzz.h"

#include "trigger.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int trigger_enhanced_ok(const char *e)
{
	int parts = 0, digits = 0;

	if (*e == '\0')
		return 1;
	for (;; e++) {
		if (*e >= '0' && *e <= '9') {
			if (++digits > 3)
				return 0;
		} else if ((*e == '.' || *e == '\0') && digits > 0) {
			parts++;
			digits = 0;
			if (*e == '\0')
				return parts == 3;
		} else {
			return 0;
		}
	}
}

int fuzz_trigger(const uint8_t *data, size_t size)
{
	char *p = fuzz_dup(data, size), back[64];
	struct trigger t;
	int code, fired = trigger_parse(p, size, &t);

	if (fired) {
		int replies = t.action == TRIGGER_REPLY || t.action == TRIGGER_REPLY_AT;

		FUZZ_CHECK(t.verb > VERB_NONE && t.verb < VERB_COUNT);
		FUZZ_CHECK(t.action >= TRIGGER_REPLY && t.action <= TRIGGER_GREYLIST);
		FUZZ_CHECK(t.at >= TRIGGER_AT_COMMAND && t.at <= TRIGGER_AT_STORED);
		FUZZ_CHECK(replies ? t.code >= 400 && t.code <= 599 : t.code == 0);
		FUZZ_CHECK(t.fail_n >= 0 && t.fail_n <= 100 && (t.fail_n == 0 || t.action == TRIGGER_REPLY));
		FUZZ_CHECK(t.action != TRIGGER_WAIT || (t.number >= 1 && t.number <= 605));
		FUZZ_CHECK(t.action != TRIGGER_GREYLIST || (t.number >= 1 && t.number <= 86400));
		FUZZ_CHECK((t.action != TRIGGER_DATA_DROP && t.action != TRIGGER_REPLY_AT) || t.number >= 1);
		FUZZ_CHECK((t.at == TRIGGER_IN_BODY) ==
		           (t.action == TRIGGER_DATA_DROP || t.action == TRIGGER_REPLY_AT));
		FUZZ_CHECK(memchr(t.enhanced, '\0', sizeof t.enhanced) != NULL);
		FUZZ_CHECK(trigger_enhanced_ok(t.enhanced));
		trigger_name(&t, back, sizeof back);
		FUZZ_CHECK(strlen(back) == size && strncasecmp(back, p, size) == 0);
	} else {
		FUZZ_CHECK(t.verb == VERB_NONE);
	}
	if (trigger_parse_username(p, size, &t)) {
		const char *at = memchr(p, '@', size);
		size_t local = at != NULL ? (size_t)(at - p) : size;

		FUZZ_CHECK(t.verb == VERB_AUTH && t.action == TRIGGER_REPLY && t.at == TRIGGER_AT_AUTH_END);
		trigger_name(&t, back, sizeof back);
		FUZZ_CHECK(strlen(back) == local && strncasecmp(back, p, local) == 0);
		FUZZ_CHECK(strncasecmp(t.key, p, size < sizeof t.key ? size : sizeof t.key - 1) == 0);
	} else {
		FUZZ_CHECK(t.verb == VERB_NONE);
	}
	code = trigger_parse_helo(VERB_EHLO, p, size, &t) ? t.code : 0;
	FUZZ_CHECK(code == 0 || (code >= 400 && code <= 599));
	if (code != 0)
		FUZZ_CHECK(size >= 7 && (size == 7 || p[7] == '.') &&
		           (strncasecmp(p, "helo", 4) == 0 || strncasecmp(p, "ehlo", 4) == 0));
	free(p);
	return 0;
}
