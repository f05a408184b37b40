/* handoff: the execve from the static badsmtp-session into its dynamically linked twin (see
 * handoff.h for when and why). The twin is found beside the running program, through
 * /proc/self/exe, so a build tree, /usr/local/bin and a package all work without a configured
 * path; argv[0] is the fallback where /proc is not mounted. */
#include "handoff.h"

#include "clock.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <unistd.h>

#define HANDOFF_VAR "BADSMTP_HANDOFF"
/* No TLS fault, where the hand-over names one: a word no fault is called. */
#define NO_FAULT "-"
#define PROBE_WORD "probe"
#define PROBE_MS 10000   /* real time: loading GnuTLS, a priority, perhaps one certificate */

static char **saved_argv;

void handoff_new(struct handoff *id, const char *profile, const struct peer *peer)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char r[6];
	size_t n;

	if (getrandom(r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
		unsigned long long mix = (unsigned long long)getpid() * 2654435761ULL ^
		                         (unsigned long long)clock_monotonic_ms();

		for (size_t i = 0; i < sizeof r; i++)
			r[i] = (unsigned char)(mix >> (8 * i));
	}
	/* by hand, not snprintf: this runs at every connection, and printf's code is pages a
	 * forked session would otherwise fault in for it */
	memcpy(id->session_id, "sess_", 5);
	for (size_t i = 0; i < sizeof r; i++) {
		id->session_id[5 + 2 * i] = hex[r[i] >> 4];
		id->session_id[6 + 2 * i] = hex[r[i] & 15];
	}
	id->session_id[5 + 2 * sizeof r] = '\0';
	id->started_ms = clock_monotonic_ms();
	id->tls_fault = TLSFAULT_NONE;
	id->violations[0] = '\0';
	n = strlen(profile);
	if (n >= sizeof id->profile)
		n = sizeof id->profile - 1;
	memcpy(id->profile, profile, n);
	id->profile[n] = '\0';
	id->peer = *peer;
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
	char state[256 + sizeof resume->violations];
	int w;

	/* No access() first: execv says itself, in errno, why the twin cannot run. */
	if (path == NULL)
		return -1;
	if (resume != NULL) {
		const char *fault = tlsfault_name(resume->tls_fault);

		w = snprintf(state, sizeof state, "%s %lld %s %s %d %d %s %s", resume->session_id,
		             resume->started_ms, *fault ? fault : NO_FAULT, resume->profile,
		             resume->peer.local_port, resume->peer.client_port,
		             resume->peer.client_ip, resume->violations);
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

/* The probe child: its answer on out_fd, nothing of the session's fds. Returns only on
 * failure. */
static void probe_child(const char *path, enum tlsfault fault, int out_fd)
{
	char state[64];
	int null = open("/dev/null", O_RDWR);

	if (null < 0 || dup2(null, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(null, 2) < 0)
		return;
	snprintf(state, sizeof state, PROBE_WORD " %s", tlsfault_name(fault));
	if (setenv(HANDOFF_VAR, state, 1) != 0)
		return;
	execv(path, saved_argv);
}

int handoff_probe(enum tlsfault fault, char *err, size_t errlen)
{
	const char *path = twin_path(err, errlen);
	long long deadline = clock_monotonic_ms() + PROBE_MS;
	char answer[400];
	size_t got = 0;
	int fds[2], status = -1;
	pid_t pid;

	if (path == NULL)
		return -1;
	if (pipe2(fds, O_CLOEXEC) != 0 || (pid = fork()) < 0) {
		snprintf(err, errlen, "cannot run %s: %s", path, strerror(errno));
		return -1;
	}
	if (pid == 0) {
		probe_child(path, fault, fds[1]);
		_exit(127);
	}
	close(fds[1]);
	for (;;) {
		struct pollfd pfd = { .fd = fds[0], .events = POLLIN };
		ssize_t n;

		if (clock_wait(&pfd, 1, clock_ms_until(deadline)) <= 0) {
			kill(pid, SIGKILL);
			break;
		}
		n = read(fds[0], answer + got, sizeof answer - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	answer[got] = '\0';
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	snprintf(err, errlen, "%s", got > 0 ? answer : "no answer from " HANDOFF_TWIN);
	return -1;
}

/* The next space-separated word of *p into out (cap > 1) when it is made of allowed octets
 * only; *p past it and one space. -1 otherwise. */
static int take_word(const char **p, const char *allowed, char *out, size_t cap)
{
	size_t n = strcspn(*p, " ");

	if (n == 0 || n >= cap || strspn(*p, allowed) < n)
		return -1;
	memcpy(out, *p, n);
	out[n] = '\0';
	*p += n + ((*p)[n] == ' ');
	return 0;
}

static int take_number(const char **p, long long lo, long long *out)
{
	char digits[24], *end;

	if (take_word(p, "-0123456789", digits, sizeof digits) != 0)
		return -1;
	errno = 0;
	*out = strtoll(digits, &end, 10);
	return errno == 0 && *end == '\0' && *out >= lo ? 0 : -1;
}

/* "<session id> <start ms> <fault> <profile> <local port> <client port> <client ip>
 * <violations>", as handoff_exec writes it: the TLS fault's name or NO_FAULT, and last the names
 * of violation_list (lower case, '_', ", "; maybe none). 1 when state is one. */
static int parse_resume(const char *state, struct handoff *resume)
{
	const char *p = state;
	char fault[32];
	long long started, local, client;

	if (take_word(&p, "abcdefghijklmnopqrstuvwxyz0123456789_", resume->session_id,
	              sizeof resume->session_id) != 0 ||
	    take_number(&p, 0, &started) != 0 ||
	    take_word(&p, "abcdefghijklmnopqrstuvwxyz0123456789" NO_FAULT, fault, sizeof fault) != 0 ||
	    take_word(&p, "abcdefghijklmnopqrstuvwxyz0123456789-", resume->profile,
	              sizeof resume->profile) != 0 ||
	    take_number(&p, -1, &local) != 0 || local > 65535 ||
	    take_number(&p, -1, &client) != 0 || client > 65535 ||
	    take_word(&p, "abcdefghijklmnopqrstuvwxyz0123456789.:ABCDEF", resume->peer.client_ip,
	              sizeof resume->peer.client_ip) != 0 ||
	    strlen(p) >= sizeof resume->violations ||
	    strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789_, ") != strlen(p))
		return 0;
	resume->tls_fault = tlsfault_from_name(fault, strlen(fault));
	if (resume->tls_fault == TLSFAULT_NONE && strcmp(fault, NO_FAULT) != 0)
		return 0;
	resume->started_ms = started;
	resume->peer.local_port = (int)local;
	resume->peer.client_port = (int)client;
	memcpy(resume->violations, p, strlen(p) + 1);
	return 1;
}

enum handoff_kind handoff_take(struct handoff *resume)
{
	const char *state = getenv(HANDOFF_VAR);
	size_t plen = strlen(PROBE_WORD " ");
	enum handoff_kind kind = HANDOFF_NONE;

	if (state == NULL)
		return HANDOFF_NONE;
	if (strncmp(state, PROBE_WORD " ", plen) == 0) {
		resume->tls_fault = tlsfault_from_name(state + plen, strlen(state + plen));
		if (resume->tls_fault != TLSFAULT_NONE)
			kind = HANDOFF_PROBE;
	} else if (parse_resume(state, resume)) {
		kind = HANDOFF_RESUME;
	}
	unsetenv(HANDOFF_VAR);   /* nothing this session runs later should see it */
	return kind;
}
