/* clock: scaled delays and timeouts on the monotonic clock. */
#include "clock.h"

#include "buf.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <time.h>

static double time_scale = 1.0;
static volatile int sigterm_seen, sigchld_seen;
/* clock_wait's mask: the one in force when it was computed, with the caught signals let in. */
static sigset_t open_mask;
static int have_mask;

static void on_signal(int sig)
{
	if (sig == SIGTERM)
		sigterm_seen = 1;
	else
		sigchld_seen = 1;
}

/* The mask in force but for the caught signals: clock_wait's. */
static void open_up(sigset_t *mask)
{
	sigdelset(mask, SIGTERM);
	sigdelset(mask, SIGCHLD);
	open_mask = *mask;
	have_mask = 1;
}

/* sig caught into its flag, blocked but for clock_wait (no SA_RESTART: waits return EINTR).
 * The mask before the block is clock_wait's, so no wait has to ask for it again. */
static void catch_blocked(int sig)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block, before;

	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, sig);
	if (sigprocmask(SIG_BLOCK, &block, &before) == 0)
		open_up(&before);
	else
		have_mask = 0;
}

volatile int *clock_catch_sigterm(void)
{
	/* once per process image: an acceptor's child inherits it as it is */
	static int caught;

	sigterm_seen = 0;
	if (!caught) {
		catch_blocked(SIGTERM);
		signal(SIGPIPE, SIG_IGN);
		signal(SIGXFSZ, SIG_IGN);
		caught = 1;
	}
	return &sigterm_seen;
}

volatile int *clock_catch_sigchld(void)
{
	sigchld_seen = 0;
	catch_blocked(SIGCHLD);
	signal(SIGHUP, SIG_IGN);
	return &sigchld_seen;
}

void clock_reset_signals(void)
{
	sigset_t chld;

	signal(SIGCHLD, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_UNBLOCK, &chld, NULL);
}
static void (*on_block)(void);

void clock_set_scale(double scale)
{
	time_scale = scale;
}

int clock_scaled_ms(double seconds)
{
	double ms = seconds * time_scale * 1000.0;

	if (!(ms > 0))
		return 0;
	if (ms >= (double)INT_MAX)
		return INT_MAX;
	return (int)(ms + 0.5);
}

long long clock_monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long long clock_unix_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int clock_ms_until(long long deadline)
{
	long long left = deadline - clock_monotonic_ms();

	if (left <= 0)
		return 0;
	return left > INT_MAX ? INT_MAX : (int)left;
}

void clock_on_block(void (*fn)(void))
{
	on_block = fn;
}

int clock_wait(struct pollfd *fds, unsigned nfds, int timeout_ms)
{
	struct timespec ts = { .tv_sec = timeout_ms / 1000,
	                       .tv_nsec = (long)(timeout_ms % 1000) * 1000000 };

	/* Read once, and only when no signal was caught yet, not on every wait. */
	if (!have_mask) {
		sigset_t now;

		sigprocmask(SIG_SETMASK, NULL, &now);
		open_up(&now);
	}
	if (timeout_ms != 0 && on_block != NULL)
		on_block();
	return ppoll(fds, nfds, timeout_ms < 0 ? NULL : &ts, &open_mask);
}

int clock_sleep_ms(int ms, volatile int *interrupted)
{
	long long deadline = clock_monotonic_ms() + ms;
	int left;

	while ((left = clock_ms_until(deadline)) > 0) {
		if (interrupted && *interrupted)
			return -1;
		if (clock_wait(NULL, 0, left) == -1 && errno != EINTR)
			break;
	}
	return interrupted && *interrupted ? -1 : 0;
}

/* Days since 1970-01-01 to a civil date: the proleptic Gregorian algorithm of H. Hinnant's
 * "chrono-Compatible Low-Level Date Algorithms" (civil_from_days), in 400-year eras. */
void clock_utc(long long unix_seconds, struct clock_utc *out)
{
	long long days = unix_seconds / 86400, secs = unix_seconds % 86400;

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	out->hour = (int)(secs / 3600);
	out->minute = (int)(secs / 60 % 60);
	out->second = (int)(secs % 60);
	out->weekday = (int)((days % 7 + 11) % 7);   /* 1970-01-01 was a Thursday */

	long long z = days + 719468;
	long long era = (z >= 0 ? z : z - 146096) / 146097;
	long long doe = z - era * 146097;
	long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long long mp = (5 * doy + 2) / 153;

	out->day = (int)(doy - (153 * mp + 2) / 5 + 1);
	out->month = (int)(mp < 10 ? mp + 3 : mp - 9);
	out->year = (int)(yoe + era * 400 + (out->month <= 2));
}

/* Calendar fields with their widths and separators, as a table: both formats are built from it
 * with buf_add_decimal, not snprintf, because a log line is built on every event. */
struct field {
	long long value;
	int width;
	char after;
};

static void add_fields(struct buf *out, const struct field *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		buf_add_decimal(out, f[i].value, f[i].width);
		if (f[i].after != '\0')
			buf_addc(out, f[i].after);
	}
}

void clock_rfc5322(long long unix_seconds, struct buf *out)
{
	static const char days[][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char months[][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct clock_utc t;

	clock_utc(unix_seconds, &t);
	buf_adds(out, days[t.weekday]);
	buf_add(out, ", ", 2);
	add_fields(out, (const struct field[]){ { t.day, 2, ' ' } }, 1);
	buf_adds(out, months[t.month - 1]);
	buf_addc(out, ' ');
	add_fields(out, (const struct field[]){ { t.year, 4, ' ' }, { t.hour, 2, ':' },
	                                        { t.minute, 2, ':' }, { t.second, 2, ' ' } }, 4);
	buf_adds(out, "+0000");
}

void clock_iso8601_now(struct buf *out)
{
	struct timespec ts;
	struct clock_utc t;

	clock_gettime(CLOCK_REALTIME, &ts);
	clock_utc(ts.tv_sec, &t);
	add_fields(out, (const struct field[]){
		{ t.year, 4, '-' }, { t.month, 2, '-' }, { t.day, 2, 'T' }, { t.hour, 2, ':' },
		{ t.minute, 2, ':' }, { t.second, 2, '.' }, { ts.tv_nsec / 1000, 6, 'Z' },
	}, 7);
}
