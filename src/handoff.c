/* handoff: the execve from the static badsmtp-session into its dynamically linked twin (see
 * handoff.h for when and why). The twin is found beside the running program, through
 * /proc/self/exe, so a build tree, /usr/local/bin and a package all work without a configured
 * path; argv[0] is the fallback where /proc is not mounted. */
#include "handoff.h"

#include "clock.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#define HANDOFF_VAR "BADSMTP_HANDOFF"

static char **saved_argv;

void handoff_new(struct handoff *id)
{
	unsigned char r[6];

	if (getrandom(r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
		unsigned long long mix = (unsigned long long)getpid() * 2654435761ULL ^
		                         (unsigned long long)clock_monotonic_ms();

		for (size_t i = 0; i < sizeof r; i++)
			r[i] = (unsigned char)(mix >> (8 * i));
	}
	snprintf(id->session_id, sizeof id->session_id, "sess_%02x%02x%02x%02x%02x%02x", r[0], r[1],
	         r[2], r[3], r[4], r[5]);
	id->started_ms = clock_monotonic_ms();
	id->violations[0] = '\0';
}

void handoff_init(char **argv)
{
	saved_argv = argv;
}

/* The twin's path, looked up once per process: a STARTTLS checks it before its 220 and execs it
 * after. NULL, with err, when it cannot be told. */
static const char *twin_path(char *err, size_t errlen)
{
	static char path[4200];
	char self[4096];
	const char *program = self, *slash;
	ssize_t n;
	int w;

	if (path[0] != '\0')
		return path;
	n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n > 0) {
		self[n] = '\0';
	} else if (saved_argv != NULL && saved_argv[0] != NULL && strchr(saved_argv[0], '/')) {
		program = saved_argv[0];
	} else {
		snprintf(err, errlen, "cannot tell where %s is (no /proc/self/exe)", HANDOFF_TWIN);
		return NULL;
	}
	slash = strrchr(program, '/');
	w = snprintf(path, sizeof path, "%.*s/%s", (int)(slash - program), program, HANDOFF_TWIN);
	if (w < 0 || (size_t)w >= sizeof path) {
		path[0] = '\0';
		snprintf(err, errlen, "cannot tell where %s is (path too long)", HANDOFF_TWIN);
		return NULL;
	}
	return path;
}

int handoff_check(char *err, size_t errlen)
{
	const char *path = twin_path(err, errlen);

	if (path == NULL)
		return -1;
	if (access(path, X_OK) != 0) {
		snprintf(err, errlen, "cannot run %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int handoff_exec(const struct handoff *resume, char *err, size_t errlen)
{
	const char *path = twin_path(err, errlen);
	char state[64 + sizeof resume->violations];
	int w;

	/* No access() first: execv says itself, in errno, why the twin cannot run. */
	if (path == NULL)
		return -1;
	if (resume != NULL) {
		w = snprintf(state, sizeof state, "%s %lld %s", resume->session_id, resume->started_ms,
		             resume->violations);
		if (w < 0 || (size_t)w >= sizeof state || setenv(HANDOFF_VAR, state, 1) != 0) {
			snprintf(err, errlen, "cannot hand the session over: %s", strerror(errno));
			return -1;
		}
	}
	execv(path, saved_argv);
	snprintf(err, errlen, "cannot run %s: %s", path, strerror(errno));
	unsetenv(HANDOFF_VAR);
	return -1;
}

int handoff_take(struct handoff *resume)
{
	const char *state = getenv(HANDOFF_VAR), *space;
	char *end;
	size_t id_len;
	long long started = -1;

	if (state == NULL)
		return 0;
	/* "<session id> <start ms> <violations>": the id as session.c makes it, the time a plain
	 * decimal, then the names of violation_list (lower case, '_', ", ") */
	space = strchr(state, ' ');
	id_len = space != NULL ? (size_t)(space - state) : 0;
	if (id_len > 0 && id_len < sizeof resume->session_id &&
	    strspn(state, "abcdefghijklmnopqrstuvwxyz0123456789_") == id_len &&
	    space[1] >= '0' && space[1] <= '9') {
		errno = 0;
		started = strtoll(space + 1, &end, 10);
		if (errno != 0 || *end != ' ' || strlen(end + 1) >= sizeof resume->violations ||
		    strspn(end + 1, "abcdefghijklmnopqrstuvwxyz0123456789_, ") != strlen(end + 1))
			started = -1;
	}
	if (started >= 0) {
		memcpy(resume->session_id, state, id_len);
		resume->session_id[id_len] = '\0';
		resume->started_ms = started;
		memcpy(resume->violations, end + 1, strlen(end + 1) + 1);
	}
	unsetenv(HANDOFF_VAR);   /* nothing this session runs later should see it */
	return started >= 0;
}

