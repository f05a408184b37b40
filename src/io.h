/* io: the session's only path to the client. One input buffer shared by every reader (command
 * lines, DATA bodies, BDAT chunks, AUTH responses), one output buffer flushed just before the
 * session blocks (RFC 2920 pipelining for free), deadlines on every wait, a transport hook
 * that TLS replaces after its handshake, and what only the byte stream shows of the client's
 * manners (SPEC §19): how each line ended, and input that came before the reply it had to wait
 * for. */
#ifndef BADSMTP_IO_H
#define BADSMTP_IO_H

#include "violation.h"

#include <stddef.h>
#include <sys/types.h>

#define IO_INBUF  65536
#define IO_OUTBUF 16384

/* How bytes move. read/write return a count, 0 for end of stream (read only) or -1 with errno
 * set (EAGAIN/EINTR mean "poll and retry"). pending says how many bytes the transport already
 * holds that the fd will not show as readable (TLS records); NULL means none. */
struct io_transport {
	ssize_t (*read)(void *ctx, void *buf, size_t n);
	ssize_t (*write)(void *ctx, const void *buf, size_t n);
	size_t (*pending)(void *ctx);
	void *ctx;
};

enum io_status {
	IO_OK,
	IO_EOF,       /* the client closed, or vanished */
	IO_TIMEOUT,   /* nothing arrived before the deadline */
	IO_TOOLONG,   /* a line over the cap: it was read to its end and thrown away */
	IO_INTR,      /* a signal (SIGTERM) interrupted the wait */
	IO_ERROR,     /* a transport error (TLS record failure, EIO) */
};

struct io {
	int in_fd, out_fd;
	struct io_transport transport;
	size_t in_off, in_len;
	size_t out_len;
	int write_failed;
	volatile int *interrupted;   /* set by the SIGTERM handler; checked at every wait */
	/* SPEC §19 */
	struct violations *violations;
	enum violation_id expect;    /* what input ahead of the reply due would be (io_expect) */
	const char *expect_after;    /* whose reply that is ("EHLO" …); NULL: the greeting */
	int reply_due;               /* since io_expect or a line read, until a reply is written */
	size_t line_octets;          /* the last line read, as received: its LF included */
	int line_bare_lf;            /* ... and it ended in LF without CR */
	char in[IO_INBUF];
	char out[IO_OUTBUF];
};

/* Plain fds; transport = read(2)/write(2); violations is where the client's faults go. */
void io_init(struct io *io, int in_fd, int out_fd, volatile int *interrupted,
             struct violations *violations);
void io_set_transport(struct io *io, const struct io_transport *t);

/* Queue output; it goes out at io_flush (and when the buffer fills). Returns -1 once a write
 * has failed (the client is gone); later calls are no-ops. */
int io_put(struct io *io, const char *p, size_t n);
int io_flush(struct io *io);
/* Writes p[0..n) now, after whatever was queued: piece octets per write, gap_ms apart (a
 * SIGTERM cuts the gaps short, not the writing). 0, or -1 once a write has failed. */
int io_write_paced(struct io *io, const char *p, size_t n, size_t piece, int gap_ms);

/* SPEC §19: the client must wait for the reply to its last command (after, its name; NULL: for
 * the greeting) before it sends more, and for a reply to each later line io_read_line reads (an
 * AUTH response) until the next io_expect. Input already here, in the kernel included, while
 * such a reply is unwritten is recorded as v; VIOLATION_NONE: it may send at will. Exact,
 * whatever the segmentation: what a client sends after reading a reply cannot be here before
 * the reply is written. */
void io_expect(struct io *io, enum violation_id v, const char *after);

/* A line without its CRLF (or bare LF). Content longer than cap: IO_TOOLONG after the rest of
 * the line is consumed without being buffered. Flushes output before blocking. timeout_ms < 0:
 * wait forever. A line may contain NUL bytes: use *len. Either way line_octets and line_bare_lf
 * say how the line came. */
enum io_status io_read_line(struct io *io, char *line, size_t cap, size_t *len, int timeout_ms);

/* Expose what is buffered (reading more, after a flush, when nothing is): *p and *n point into
 * the input buffer; the caller then calls io_consume for what it used. */
enum io_status io_peek(struct io *io, const char **p, size_t *n, int timeout_ms);
void io_consume(struct io *io, size_t n);
/* Reads at least one more octet into the input buffer, whatever it already holds: for a reader
 * whose unit may be longer than what arrived (a PROXY header). IO_TOOLONG when it is full. */
enum io_status io_read_more(struct io *io, int timeout_ms);

/* Throw away everything buffered (STARTTLS injection defence); returns how much. */
size_t io_discard_input(struct io *io);
/* Moves up to cap buffered octets into out, reading nothing: for a transport that takes the
 * stream over from here (an smtps handshake after a PROXY header). Returns how many. */
size_t io_take_input(struct io *io, char *out, size_t cap);

/* TLS writes a handshake flight as several small records: with Nagle on, the last of them
 * waits for a delayed ACK (~40 ms a handshake). No-op on pipes. */
void io_no_delay(struct io *io);

/* Before exit on a socket with unread input: closing would make the kernel send a reset that
 * can destroy our last reply in flight, so half-close and drain for at most ms first. */
void io_linger(struct io *io, int ms);

#endif
