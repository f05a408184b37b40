/* message: the transaction's data. Both ways in for a body — DATA's dot-stuffed stream and
 * BDAT's counted chunks — end in the same sink, so the size rule (SPEC §6: the message as it
 * will be stored; past the limit nothing more is written) is applied once, here. */
#include "message.h"

#include "log.h"

#include <stdlib.h>
#include <string.h>

static void drop_body(struct message *m)
{
	if (m->storing)
		maildir_abort(&m->file);
	m->storing = 0;
}

void message_clear(struct message *m)
{
	for (size_t i = 0; i < m->nrcpts; i++)
		free(m->rcpts[i]);
	free(m->rcpts);
	m->rcpts = NULL;
	m->nrcpts = 0;
	m->sender[0] = '\0';
	m->declares = 0;
	drop_body(m);
}

void message_set_sender(struct message *m, const struct path *p)
{
	command_address_text(&p->addr, m->sender, sizeof m->sender);
	m->declares = command_path_declares(p);
}

int message_add_rcpt(struct message *m, const struct address *a)
{
	char text[MESSAGE_ADDRESS_MAX];
	char **grown = realloc(m->rcpts, (m->nrcpts + 1) * sizeof *m->rcpts);

	if (grown == NULL)
		return -1;
	m->rcpts = grown;
	command_address_text(a, text, sizeof text);
	if ((m->rcpts[m->nrcpts] = strdup(text)) == NULL)
		return -1;
	m->nrcpts++;
	return 0;
}

static void sink(void *ctx, const char *p, size_t n)
{
	struct message *m = ctx;

	if (m->storing)
		maildir_write(&m->file, p, n);
}

void message_begin(struct message *m, const char *maildir, const char *hostname,
                   const struct maildir_envelope *e, unsigned long long limit)
{
	char names[VIOLATION_LIST_MAX];
	struct maildir_envelope full = *e;

	LOG_EVENT(LOG_LEVEL_INFO, "SMTP message processing started", LOG_S("mail_from", m->sender),
	          LOG_V("rcpt_to", (const char *const *)m->rcpts, m->nrcpts),
	          LOG_N("rcpt_count", m->nrcpts));
	m->size = 0;
	m->limit = limit;
	m->storing = maildir != NULL;
	data_begin(&m->body, limit);
	data_watch(&m->body, m->violations,
	           (m->declares & (COMMAND_8BITMIME | COMMAND_SMTPUTF8)) != 0);
	violation_list(m->violations, names, sizeof names);
	m->violations_named = m->violations->count;
	full.sender = m->sender;
	full.rcpts = (const char *const *)m->rcpts;
	full.nrcpts = m->nrcpts;
	full.violations = names;
	/* A failed open is remembered in file.failed: the body is still read, then 452. */
	if (m->storing && maildir_open(&m->file, maildir, hostname) == 0)
		maildir_write_headers(&m->file, &full);
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

int message_commit(struct message *m, const char *maildir)
{
	char names[VIOLATION_LIST_MAX];

	if (!m->storing)
		return 0;
	m->storing = 0;
	/* Some came with the body (its lines, input ahead of a reply): the header says so. */
	if (m->violations->count != m->violations_named) {
		violation_list(m->violations, names, sizeof names);
		maildir_set_violations(&m->file, names);
	}
	if (maildir_commit(&m->file) != 0) {
		LOG_EVENT(LOG_LEVEL_ERROR, "SMTP message storage failed", LOG_S("maildir", maildir));
		return -1;
	}
	LOG_EVENT(LOG_LEVEL_INFO, "SMTP message stored successfully", LOG_S("mail_from", m->sender),
	          LOG_V("rcpt_to", (const char *const *)m->rcpts, m->nrcpts),
	          LOG_N("message_size", m->size), LOG_S("path", m->file.new_path));
	return 0;
}
