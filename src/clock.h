/* clock: the one place time lives. Every delay and timeout goes through the scale knob
 * (BADSMTP_TIME_SCALE) so a 600-second profile tests in milliseconds. */
#ifndef BADSMTP_CLOCK_H
#define BADSMTP_CLOCK_H

void clock_set_scale(double scale);
/* seconds * scale, in milliseconds, clamped to [0, INT_MAX]. */
int clock_scaled_ms(double seconds);
long long clock_monotonic_ms(void);
/* The real-time clock, in ms since 1970: for times other processes and hosts compare. */
long long clock_unix_ms(void);
struct pollfd;
/* SIGTERM ends a session (SPEC §10): from this call on it is caught into the flag returned,
 * cleared here. SIGPIPE and SIGXFSZ are ignored: a vanished client, or a file size limit, is a
 * failed write, not a death. Set up once per process image (a forked child keeps it). */
volatile int *clock_catch_sigterm(void);
/* The acceptor's signals (SPEC §15): SIGCHLD caught into the flag returned, let in by clock_wait
 * as SIGTERM is; SIGHUP ignored. */
volatile int *clock_catch_sigchld(void);
/* In a forked child: the acceptor's own signals (SIGCHLD, SIGHUP) back to their defaults, as in a
 * process the launcher started; SIGTERM, SIGPIPE and SIGXFSZ stay as clock_catch_sigterm set
 * them, which is what the session needs. */
void clock_reset_signals(void);
/* SIGTERM (and the acceptor's SIGCHLD) stay blocked while the process works and are let in only
 * here, atomically with the wait (ppoll), so a signal can never slip in between a check and a
 * block. Returns like ppoll; timeout_ms < 0 waits forever. */
int clock_wait(struct pollfd *fds, unsigned nfds, int timeout_ms);
/* fn runs in every clock_wait that may block (timeout_ms != 0), just before it does: the log
 * writes out the lines it gathered (log.c), so nothing sits in a buffer while the session
 * waits. One hook; NULL removes it. */
void clock_on_block(void (*fn)(void));
/* Sleeps ms; returns -1 early when *interrupted becomes set (a signal arrived). */
int clock_sleep_ms(int ms, volatile int *interrupted);
/* Milliseconds left until deadline (a clock_monotonic_ms value); never negative. */
int clock_ms_until(long long deadline);

struct buf;
/* RFC 5322 §3.3 date of a Unix time, in UTC: "Sun, 06 Dec 2026 06:34:52 +0000". */
void clock_rfc5322(long long unix_seconds, struct buf *out);
/* SPEC §11's log timestamp of the real-time clock now: "2026-01-07T12:17:41.569203Z". */
void clock_iso8601_now(struct buf *out);

/* UTC calendar fields of a Unix time. gmtime_r would do, but glibc's first call loads the
 * time zone database (open, read, malloc) on every session start. */
struct clock_utc {
	int year, month, day, hour, minute, second, weekday;   /* month 1-12, weekday 0 = Sunday */
};
void clock_utc(long long unix_seconds, struct clock_utc *out);

#endif
