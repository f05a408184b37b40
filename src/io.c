/* io: buffered, deadline-bounded reading and writing of the client's byte stream.
 * Output is held until the session is about to block on input (RFC 2920 §3.1: a server may
 * answer a pipelined group at once), so one write answers a whole pipelined group.
 * It knows nothing of SMTP beyond "a line ends in LF", and, told which reply the client must
 * wait for, whether input came before it was written (SPEC §19). */
#include "io.h"

#include "clock.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* The plain transport: the io itself is the context, so both fds are at hand. */
static ssize_t fd_read(void *ctx, void *buf, size_t n)
{
	return read(((struct io *)ctx)->in_fd, buf, n);
}

static ssize_t fd_write(void *ctx, const void *buf, size_t n)
{
	return write(((struct io *)ctx)->out_fd, buf, n);
}

void io_init(struct io *io, int in_fd, int out_fd, volatile int *interrupted,
             struct violations *violations)
{
	io->in_fd = in_fd;
	io->out_fd = out_fd;
	io->in_off = io->in_len = io->out_len = 0;
	io->write_failed = 0;
	io->interrupted = interrupted;
	io->violations = violations;
	io->expect = VIOLATION_NONE;
	io->expect_after = NULL;
	io->reply_due = 0;
	io->line_octets = 0;
	io->line_bare_lf = 0;
	io->transport = (struct io_transport){ .read = fd_read, .write = fd_write, .ctx = io };
}

void io_set_transport(struct io *io, const struct io_transport *t)
{
	io->transport = *t;
}

static ssize_t transport_read(struct io *io, void *buf, size_t n)
{
	return io->transport.read(io->transport.ctx, buf, n);
}

static ssize_t transport_write(struct io *io, const void *buf, size_t n)
{
	return io->transport.write(io->transport.ctx, buf, n);
}

static size_t transport_pending(const struct io *io)
{
	return io->transport.pending ? io->transport.pending(io->transport.ctx) : 0;
}

void io_expect(struct io *io, enum violation_id v, const char *after)
{
	io->expect = v;
	io->expect_after = after;
	io->reply_due = 1;
}

/* SPEC §19: input that is here while the reply it had to wait for is unwritten (buffered, held
 * by the transport, or, with ask_kernel, readable on the fd) was sent without waiting. Asking
 * the kernel costs a system call: only the flush, about to write that reply, does. */
static void check_early_input(struct io *io, int ask_kernel)
{
	size_t waiting;
	int queued = 0;

	if (!io->reply_due || io->out_len == 0 || !violation_wanted(io->violations, io->expect))
		return;
	waiting = io->in_len - io->in_off + transport_pending(io);
	if (waiting == 0 && ask_kernel && ioctl(io->in_fd, FIONREAD, &queued) == 0 && queued > 0)
		waiting = (size_t)queued;
	if (waiting == 0)
		return;
	if (io->expect_after != NULL)
		violation_record(io->violations, io->expect, "%zu octets before the reply to %s",
		                 waiting, io->expect_after);
	else
		violation_record(io->violations, io->expect, "%zu octets before the greeting",
		                 waiting);
}

int io_flush(struct io *io)
{
	size_t done = 0;

	check_early_input(io, 1);
	if (io->out_len > 0)
		io->reply_due = 0;   /* it goes out now: what the client sends next may come */

	while (done < io->out_len && !io->write_failed) {
		ssize_t w = transport_write(io, io->out + done, io->out_len - done);

		if (w > 0) {
			done += (size_t)w;
		} else if (w < 0 && errno == EINTR) {
			continue;
		} else if (w < 0 && errno == EAGAIN) {
			struct pollfd pfd = { .fd = io->out_fd, .events = POLLOUT };

			clock_wait(&pfd, 1, -1);
		} else {
			io->write_failed = 1;
		}
	}
	io->out_len = 0;
	return io->write_failed ? -1 : 0;
}

int io_put(struct io *io, const char *p, size_t n)
{
	while (n > 0 && !io->write_failed) {
		size_t room = sizeof io->out - io->out_len;
		size_t take = n < room ? n : room;

		memcpy(io->out + io->out_len, p, take);
		io->out_len += take;
		p += take;
		n -= take;
		if (io->out_len == sizeof io->out)
			io_flush(io);
	}
	return io->write_failed ? -1 : 0;
}

int io_write_paced(struct io *io, const char *p, size_t n, size_t piece, int gap_ms)
{
	io_no_delay(io);   /* so that the pieces leave as separate segments */
	io_flush(io);
	for (size_t done = 0; done < n && !io->write_failed; done += piece) {
		size_t take = n - done < piece ? n - done : piece;

		if (done > 0 && gap_ms > 0 && !(io->interrupted && *io->interrupted))
			clock_sleep_ms(gap_ms, io->interrupted);
		io_put(io, p + done, take);
		io_flush(io);
	}
	return io->write_failed ? -1 : 0;
}

/* Reads at least one more byte into the input buffer, flushing output first because the
 * client may be waiting for our replies before it sends more. deadline < 0: none. */
static enum io_status fill(struct io *io, long long deadline)
{
	if (io->in_off == io->in_len) {
		io->in_off = io->in_len = 0;
	} else if (io->in_off > 0 && io->in_len == sizeof io->in) {
		memmove(io->in, io->in + io->in_off, io->in_len - io->in_off);
		io->in_len -= io->in_off;
		io->in_off = 0;
	}
	io_flush(io);
	for (;;) {
		if (io->interrupted && *io->interrupted)
			return IO_INTR;
		if (transport_pending(io) == 0) {
			struct pollfd pfd = { .fd = io->in_fd, .events = POLLIN };
			int wait_ms = deadline < 0 ? -1 : clock_ms_until(deadline);
			int r = clock_wait(&pfd, 1, wait_ms);

			if (r == 0)
				return IO_TIMEOUT;
			if (r < 0) {
				if (errno == EINTR)
					continue;
				return IO_ERROR;
			}
		}
		ssize_t got = transport_read(io, io->in + io->in_len, sizeof io->in - io->in_len);

		if (got > 0) {
			io->in_len += (size_t)got;
			return IO_OK;
		}
		if (got == 0)
			return IO_EOF;
		if (errno == EINTR || errno == EAGAIN)
			continue;
		return errno == ECONNRESET || errno == EPIPE ? IO_EOF : IO_ERROR;
	}
}

static long long deadline_after(int timeout_ms)
{
	return timeout_ms < 0 ? -1 : clock_monotonic_ms() + timeout_ms;
}

enum io_status io_read_line(struct io *io, char *line, size_t cap, size_t *len, int timeout_ms)
{
	long long deadline = deadline_after(timeout_ms);
	int too_long = 0, dropped_cr = 0;
	size_t dropped = 0;

	check_early_input(io, 0);
	for (;;) {
		char *start = io->in + io->in_off;
		size_t avail = io->in_len - io->in_off;
		char *lf = memchr(start, '\n', avail);

		if (lf != NULL) {
			size_t n = (size_t)(lf - start);
			int cr = n > 0 ? start[n - 1] == '\r' : dropped_cr;

			if (n > 0 && cr)
				n--;
			if (n > cap)
				too_long = 1;
			if (!too_long) {
				memcpy(line, start, n);
				*len = n;
			}
			io->line_octets = dropped + (size_t)(lf - start) + 1;
			io->line_bare_lf = !cr;
			io->reply_due = 1;
			io_consume(io, (size_t)(lf - start) + 1);
			return too_long ? IO_TOOLONG : IO_OK;
		}
		/* No end in sight past cap+1 octets (content plus a possible CR): the line is too
		 * long whatever follows, so drop what we have instead of buffering it. */
		if (avail > cap + 1) {
			too_long = 1;
			dropped += avail;
			dropped_cr = start[avail - 1] == '\r';
			io->in_off = io->in_len;
		}
		enum io_status st = fill(io, deadline);

		if (st != IO_OK)
			return st;
	}
}

enum io_status io_peek(struct io *io, const char **p, size_t *n, int timeout_ms)
{
	check_early_input(io, 0);
	if (io->in_off == io->in_len) {
		enum io_status st = fill(io, deadline_after(timeout_ms));

		if (st != IO_OK)
			return st;
	}
	*p = io->in + io->in_off;
	*n = io->in_len - io->in_off;
	return IO_OK;
}

enum io_status io_read_more(struct io *io, int timeout_ms)
{
	if (io->in_off == 0 && io->in_len == sizeof io->in)
		return IO_TOOLONG;
	return fill(io, deadline_after(timeout_ms));
}

void io_consume(struct io *io, size_t n)
{
	io->in_off += n;
	if (io->in_off == io->in_len)
		io->in_off = io->in_len = 0;
}

size_t io_discard_input(struct io *io)
{
	size_t n = io->in_len - io->in_off;

	io->in_off = io->in_len = 0;
	return n;
}

size_t io_take_input(struct io *io, char *out, size_t cap)
{
	size_t n = io->in_len - io->in_off;

	if (n > cap)
		n = cap;
	memcpy(out, io->in + io->in_off, n);
	io_consume(io, n);
	return n;
}

void io_linger(struct io *io, int ms)
{
	struct pollfd pfd = { .fd = io->in_fd, .events = POLLIN };
	long long deadline = clock_monotonic_ms() + ms;
	char sink[4096];
	int unread = 0;

	/* Octets unread, not merely readable: a client's FIN alone makes no reset. */
	if (ioctl(io->in_fd, FIONREAD, &unread) != 0 || unread <= 0 ||
	    shutdown(io->out_fd, SHUT_WR) != 0)
		return;   /* nothing unread, or not a socket: a plain close is clean */
	while (clock_wait(&pfd, 1, clock_ms_until(deadline)) > 0)
		if (read(io->in_fd, sink, sizeof sink) <= 0)
			break;
}

void io_no_delay(struct io *io)
{
	int on = 1;

	/* Fails with ENOTSOCK or EOPNOTSUPP on pipes and Unix sockets: nothing to do there. */
	(void)setsockopt(io->out_fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}
