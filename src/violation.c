/* violation: the names of SPEC §19's table, and the record of one session: a bit per name for
 * "once per session", an array for "in order of first occurrence". */
#include "violation.h"

#include "buf.h"
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define DETAIL_MAX 256

static const char *const names[VIOLATION_COUNT] = {
	[VIOLATION_EARLY_TALKER] = "early_talker",
	[VIOLATION_BARE_LF] = "bare_lf",
	[VIOLATION_BARE_CR] = "bare_cr",
	[VIOLATION_LONG_COMMAND_LINE] = "long_command_line",
	[VIOLATION_LONG_TEXT_LINE] = "long_text_line",
	[VIOLATION_EIGHT_BIT] = "eight_bit_without_8bitmime",
	[VIOLATION_PIPELINING_NOT_OFFERED] = "pipelining_not_offered",
	[VIOLATION_PIPELINING_GROUP] = "pipelining_group_not_ended",
	[VIOLATION_AUTH_IN_CLEAR] = "auth_in_clear",
	[VIOLATION_NO_EHLO_AFTER_STARTTLS] = "no_ehlo_after_starttls",
	[VIOLATION_UTF8] = "utf8_without_smtputf8",
	[VIOLATION_NO_QUIT] = "no_quit",
};

static int disabled;

void violation_enable(int on)
{
	disabled = !on;
}

const char *violation_name(enum violation_id id)
{
	return id > VIOLATION_NONE && id < VIOLATION_COUNT ? names[id] : NULL;
}

int violation_wanted(const struct violations *v, enum violation_id id)
{
	return !disabled && violation_name(id) != NULL && !(v->seen & 1u << id);
}

static void add(struct violations *v, enum violation_id id)
{
	v->seen |= 1u << id;
	v->order[v->count++] = (unsigned char)id;
}

void violation_record(struct violations *v, enum violation_id id, const char *fmt, ...)
{
	char detail[DETAIL_MAX];
	va_list ap;

	if (!violation_wanted(v, id))
		return;
	add(v, id);
	va_start(ap, fmt);
	if (vsnprintf(detail, sizeof detail, fmt, ap) < 0)
		detail[0] = '\0';
	va_end(ap);
	LOG_EVENT(LOG_LEVEL_WARN, "SMTP client violation", LOG_S("violation", names[id]),
	          LOG_S("detail", detail));
}

size_t violation_names(const struct violations *v, const char **out)
{
	for (size_t i = 0; i < v->count; i++)
		out[i] = names[v->order[i]];
	return v->count;
}

void violation_list(const struct violations *v, char *out, size_t cap)
{
	struct buf b;

	buf_init(&b, out, cap);
	for (size_t i = 0; i < v->count; i++) {
		if (i > 0)
			buf_adds(&b, ", ");
		buf_adds(&b, names[v->order[i]]);
	}
}

void violation_restore(struct violations *v, const char *list)
{
	while (*list != '\0') {
		size_t n = strcspn(list, ", ");

		for (int id = VIOLATION_NONE + 1; id < VIOLATION_COUNT; id++)
			if (strlen(names[id]) == n && strncmp(list, names[id], n) == 0 &&
			    !(v->seen & 1u << id))
				add(v, (enum violation_id)id);
		list += n;
		list += strspn(list, ", ");
	}
}
