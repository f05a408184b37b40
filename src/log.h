/* log: structured events, one per line, as JSON or text, to stderr, a file, syslog or journald
 * (SPEC §11). Owns the log target choice, level filtering, field sorting and the fields every
 * event carries (session_id, client_ip). Credentials are redacted by the callers: this module
 * never sees them. */
#ifndef BADSMTP_LOG_H
#define BADSMTP_LOG_H

#include <stddef.h>

enum log_level { LOG_LEVEL_DEBUG, LOG_LEVEL_INFO, LOG_LEVEL_WARN, LOG_LEVEL_ERROR };
enum log_format { LOG_FORMAT_JSON, LOG_FORMAT_TEXT };

enum log_type { LOG_STR, LOG_NUM, LOG_BOOL, LOG_STRV };

struct log_field {
	const char *key;
	enum log_type type;
	const char *str;          /* LOG_STR */
	long long num;            /* LOG_NUM, LOG_BOOL */
	const char *const *strv;  /* LOG_STRV */
	size_t strc;
};

#define LOG_S(k, v) ((struct log_field){ .key = (k), .type = LOG_STR, .str = (v) })
#define LOG_N(k, v) ((struct log_field){ .key = (k), .type = LOG_NUM, .num = (long long)(v) })
#define LOG_B(k, v) ((struct log_field){ .key = (k), .type = LOG_BOOL, .num = !!(v) })
#define LOG_V(k, v, c) ((struct log_field){ .key = (k), .type = LOG_STRV, .strv = (v), .strc = (c) })

/* target: "auto", "stderr", "journal", "syslog" or "file:PATH". Returns -1 (with a message in
 * err) for an unknown target or a file that cannot be opened. */
int log_open(const char *target, enum log_format format, enum log_level min_level,
             char *err, size_t errlen);
/* 1 when log_open(target) would load libsystemd: "journal", or "auto" with fd 2 the journal. */
int log_target_needs_library(const char *target);
/* Fields added to every later event (session_id, client_ip); the strings must outlive logging. */
void log_set_context(const char *session_id, const char *client_ip);
int log_enabled(enum log_level level);
void log_event(enum log_level level, const char *message, const struct log_field *fields,
               size_t nfields);
/* Writes the lines gathered for stderr or a file. Runs before every wait that may block; call it
 * before the process ends or execs. */
void log_flush(void);
/* A one-line set-up error before the session exists (exit 100 or 111 follows); control octets
 * in message are written as '?'. */
void log_fatal_setup(const char *message);

#define LOG_EVENT(level, message, ...) \
	log_event((level), (message), (const struct log_field[]){ __VA_ARGS__ }, \
	          sizeof((const struct log_field[]){ __VA_ARGS__ }) / sizeof(struct log_field))

#endif
