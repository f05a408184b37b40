/* handoff: the execve from the static badsmtp-session into its dynamically linked twin (see
 * handoff.h for when and why). The twin is found beside the running program, through
 * /proc/self/exe, so a build tree, /usr/local/bin and a package all work without a configured
 * path; argv[0] is the fallback where /proc is not mounted. */
#include "handoff.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HANDOFF_VAR "BADSMTP_HANDOFF"

static char **saved_argv;

void handoff_init(char **argv)
{
	saved_argv = argv;
}

static int twin_path(char *out, size_t cap)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	const char *slash;
	int w;

	if (n > 0) {
		self[n] = '\0';
	} else if (saved_argv != NULL && saved_argv[0] != NULL && strchr(saved_argv[0], '/')) {
		w = snprintf(self, sizeof self, "%s", saved_argv[0]);
		if (w < 0 || (size_t)w >= sizeof self)
			return -1;
	} else {
		return -1;
	}
	slash = strrchr(self, '/');
	w = snprintf(out, cap, "%.*s/%s", (int)(slash - self), self, HANDOFF_TWIN);
	return w < 0 || (size_t)w >= cap ? -1 : 0;
}

int handoff_check(char *err, size_t errlen)
{
	char path[4200];

	if (twin_path(path, sizeof path) != 0) {
		snprintf(err, errlen, "cannot tell where %s is (no /proc/self/exe)", HANDOFF_TWIN);
		return -1;
	}
	if (access(path, X_OK) != 0) {
		snprintf(err, errlen, "cannot run %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int handoff_exec(const struct handoff *resume, char *err, size_t errlen)
{
	char path[4200], state[64];
	int w;

	/* No access() first: execv says itself, in errno, why the twin cannot run. */
	if (twin_path(path, sizeof path) != 0) {
		snprintf(err, errlen, "cannot tell where %s is (no /proc/self/exe)", HANDOFF_TWIN);
		return -1;
	}
	if (resume != NULL) {
		w = snprintf(state, sizeof state, "%s %lld", resume->session_id, resume->started_ms);
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
	/* "<session id> <start ms>": the id as session.c makes it, the time a plain decimal */
	space = strchr(state, ' ');
	id_len = space != NULL ? (size_t)(space - state) : 0;
	if (id_len > 0 && id_len < sizeof resume->session_id &&
	    strspn(state, "abcdefghijklmnopqrstuvwxyz0123456789_") == id_len &&
	    space[1] >= '0' && space[1] <= '9') {
		errno = 0;
		started = strtoll(space + 1, &end, 10);
		if (errno != 0 || *end != '\0')
			started = -1;
	}
	if (started >= 0) {
		memcpy(resume->session_id, state, id_len);
		resume->session_id[id_len] = '\0';
		resume->started_ms = started;
	}
	unsetenv(HANDOFF_VAR);   /* nothing this session runs later should see it */
	return started >= 0;
}
