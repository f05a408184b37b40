/* log_capture.h: for unit tests of modules that log (SPEC §11): the log goes to a file of the
 * test's own, in text form, and log_capture_take returns the events logged since its last call
 * without their timestamps ("[WARN] SMTP client violation detail=... violation=...\n" ...). */
#ifndef BADSMTP_TEST_LOG_CAPTURE_H
#define BADSMTP_TEST_LOG_CAPTURE_H

#include "buf.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char log_capture_path[256];

/* 0, or -1 with a "Bail out!" line printed. */
static inline int log_capture_open(const char *name)
{
	const char *tmp = getenv("TMPDIR");
	char err[256], target[300];

	snprintf(log_capture_path, sizeof log_capture_path, "%s/badsmtp-%s-%ld.log",
	         tmp != NULL && *tmp != '\0' ? tmp : "/tmp", name, (long)getpid());
	snprintf(target, sizeof target, "file:%s", log_capture_path);
	if (log_open(target, LOG_FORMAT_TEXT, LOG_LEVEL_INFO, err, sizeof err) == 0)
		return 0;
	printf("Bail out! %s\n", err);
	return -1;
}

static inline void log_capture_take(char *out, size_t cap)
{
	char line[1024];
	struct buf b;
	FILE *f;

	log_flush();
	buf_init(&b, out, cap);
	f = fopen(log_capture_path, "r");
	while (f != NULL && fgets(line, sizeof line, f) != NULL) {
		const char *rest = strstr(line, " [");

		buf_adds(&b, rest != NULL ? rest + 1 : line);
	}
	if (f != NULL)
		fclose(f);
	if (truncate(log_capture_path, 0) != 0)
		out[0] = '\0';
}

static inline void log_capture_close(void)
{
	unlink(log_capture_path);
}

#endif
