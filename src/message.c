/* message: the body side of a transaction. Both ways in — DATA's dot-stuffed stream and BDAT's
 * counted chunks — end in the same sink, so the size rule (SPEC §6: the message as it will be
 * stored, past the limit nothing more is written) is applied once, here. */
#include "message.h"

static void sink(void *ctx, const char *p, size_t n)
{
	struct message *m = ctx;

	if (m->storing)
		maildir_write(&m->file, p, n);
}

void message_begin(struct message *m, const char *maildir, const char *hostname,
                   const struct maildir_envelope *e, unsigned long long limit)
{
	m->size = 0;
	m->limit = limit;
	m->storing = maildir != NULL;
	data_begin(&m->body, limit);
	/* A failed open is remembered in file.failed: the body is still read, then 452. */
	if (m->storing && maildir_open(&m->file, maildir, hostname) == 0)
		maildir_write_headers(&m->file, e);
}

enum io_status message_read_data(struct message *m, struct io *io, int timeout_ms)
{
	while (!m->body.done) {
		const char *p;
		size_t n;
		enum io_status st = io_peek(io, &p, &n, timeout_ms);

		if (st != IO_OK)
			return st;
		io_consume(io, data_feed(&m->body, p, n, sink, m));
	}
	m->size = m->body.size;
	return IO_OK;
}

enum io_status message_read_chunk(struct message *m, struct io *io, unsigned long long n,
                                  int keep, int timeout_ms)
{
	while (n > 0) {
		const char *p;
		size_t avail, take;
		enum io_status st = io_peek(io, &p, &avail, timeout_ms);

		if (st != IO_OK)
			return st;
		take = avail < n ? avail : (size_t)n;
		if (keep && m->size + take <= m->limit)
			sink(m, p, take);
		if (keep)
			m->size += take;
		io_consume(io, take);
		n -= take;
	}
	return IO_OK;
}

int message_over_limit(const struct message *m)
{
	return m->size > m->limit;
}

int message_commit(struct message *m)
{
	if (!m->storing)
		return 0;
	m->storing = 0;
	return maildir_commit(&m->file);
}

void message_abort(struct message *m)
{
	if (m->storing)
		maildir_abort(&m->file);
	m->storing = 0;
}
