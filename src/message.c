/* message: the transaction's data. Both ways in for a body — DATA's dot-stuffed stream and
 * BDAT's counted chunks — end in the same sink, so the size rule (SPEC §6: the message as it
 * will be stored; past the limit nothing more is written) is applied once, here. */
#include "message.h"

#include "buf.h"
#include "log.h"

#include <stdlib.h>
#include <string.h>

void message_clear(struct message *m)
{
	for (size_t i = 0; i < m->nrcpts; i++)
		free(m->rcpts[i]);
	free(m->rcpts);
	m->rcpts = NULL;
	m->nrcpts = 0;
	m->sender[0] = m->dsn[0] = '\0';
	m->declares = 0;
	if (m->storing)
		maildir_abort(&m->file);
	m->storing = 0;
	m->cut = 0;
}

void message_set_sender(struct message *m, const struct path *p, const char *dsn)
{
	struct buf b;

	command_address_text(&p->addr, m->sender, sizeof m->sender);
	m->declares = command_path_declares(p);
	buf_init(&b, m->dsn, sizeof m->dsn);
	buf_adds(&b, dsn);
}

/* A recipient's DSN parameters: stored after its address and its NUL ("" for none). */
static const char *rcpt_dsn(const char *rcpt)
{
	return rcpt + strlen(rcpt) + 1;
}

int message_add_rcpt(struct message *m, const struct address *a, const char *dsn)
{
	char text[MESSAGE_ADDRESS_MAX];
	char **grown = realloc(m->rcpts, (m->nrcpts + 1) * sizeof *m->rcpts);
	size_t len, dsn_len = strlen(dsn);
	char *rcpt;

	if (grown == NULL)
		return -1;
	m->rcpts = grown;
	command_address_text(a, text, sizeof text);
	len = strlen(text);
	if ((rcpt = malloc(len + 1 + dsn_len + 1)) == NULL)
		return -1;
	memcpy(rcpt, text, len + 1);
	memcpy(rcpt + len + 1, dsn, dsn_len + 1);
	m->rcpts[m->nrcpts++] = rcpt;
	return 0;
}

/* SPEC §17: "RET=…; ENVID=…; {rcpt} NOTIFY=… ORCPT=…", the recipients without DSN
 * parameters left out; NULL when there is no DSN parameter at all (or no memory for them). */
static char *dsn_header(const struct message *m)
{
	size_t cap = strlen(m->dsn) + 1;
	struct buf b;
	char *out;

	for (size_t i = 0; i < m->nrcpts; i++)
		if (*rcpt_dsn(m->rcpts[i]) != '\0')
			cap += strlen(m->rcpts[i]) + strlen(rcpt_dsn(m->rcpts[i])) + 3;
	if (cap == 1 || (out = malloc(cap)) == NULL)
		return NULL;
	buf_init(&b, out, cap);
	buf_adds(&b, m->dsn);
	for (size_t i = 0; i < m->nrcpts; i++) {
		if (*rcpt_dsn(m->rcpts[i]) == '\0')
			continue;
		buf_adds(&b, b.len > 0 ? "; " : "");
		buf_adds(&b, m->rcpts[i]);
		buf_addc(&b, ' ');
		buf_adds(&b, rcpt_dsn(m->rcpts[i]));
	}
	return out;
}

static void sink(void *ctx, const char *p, size_t n)
{
	struct message *m = ctx;

	if (m->storing)
		maildir_write(&m->file, p, n);
}

/* The headers of e with the sender, the recipients, the DSN parameters and the violations so
 * far filled in. */
static void write_headers(struct message *m, const struct maildir_envelope *e, const char *dsn)
{
	char names[VIOLATION_LIST_MAX];
	struct maildir_envelope full = *e;

	violation_list(m->violations, names, sizeof names);
	full.sender = m->sender;
	full.rcpts = (const char *const *)m->rcpts;
	full.nrcpts = m->nrcpts;
	full.dsn = dsn;
	full.violations = names;
	maildir_write_headers(&m->file, &full);
}

void message_begin(struct message *m, const char *maildir, const char *hostname,
                   const struct maildir_envelope *e, unsigned long long limit)
{
	char *dsn = dsn_header(m);
	const struct log_field fields[] = {
		LOG_S("mail_from", m->sender), LOG_V("rcpt_to", (const char *const *)m->rcpts, m->nrcpts),
		LOG_N("rcpt_count", m->nrcpts), LOG_S("dsn", dsn),
	};

	/* the DSN parameters only when the client gave some (SPEC §17) */
	log_event(LOG_LEVEL_INFO, "SMTP message processing started", fields, dsn != NULL ? 4 : 3);
	m->size = m->received = 0;
	m->cut = 0;
	m->limit = limit;
	m->storing = maildir != NULL;
	m->violations_named = m->violations->count;
	data_begin(&m->body, limit);
	data_watch(&m->body, m->violations,
	           (m->declares & (COMMAND_8BITMIME | COMMAND_SMTPUTF8)) != 0);
	/* A failed open is remembered in file.failed: the body is still read, then 452. */
	if (m->storing && maildir_open(&m->file, maildir, hostname) == 0)
		write_headers(m, e, dsn);
	free(dsn);
}

/* How much of n octets may be read before the cutoff (0: none). */
static size_t before_cutoff(const struct message *m, size_t n, unsigned long long cutoff)
{
	return cutoff > 0 && n > cutoff - m->received ? (size_t)(cutoff - m->received) : n;
}

/* n more octets of the body were received: past the cutoff, reading stops. */
static void received(struct message *m, size_t n, unsigned long long cutoff)
{
	m->received += n;
	m->cut = cutoff > 0 && m->received >= cutoff;
}

enum io_status message_read_data(struct message *m, struct io *io, int timeout_ms,
                                 unsigned long long cutoff)
{
	while (!m->body.done && !m->cut) {
		const char *p;
		size_t n, used;
		enum io_status st = io_peek(io, &p, &n, timeout_ms);

		if (st != IO_OK)
			return st;
		used = data_feed(&m->body, p, before_cutoff(m, n, cutoff), sink, m);
		io_consume(io, used);
		received(m, used, cutoff);
	}
	m->cut = m->cut && !m->body.done;
	m->size = m->body.size;
	return IO_OK;
}

enum io_status message_read_chunk(struct message *m, struct io *io, unsigned long long n,
                                  int keep, int timeout_ms, unsigned long long cutoff)
{
	/* a chunk that is not kept is read whole, whatever a message before it was cut at */
	while (n > 0 && !(keep && m->cut)) {
		const char *p;
		size_t avail, take;
		enum io_status st = io_peek(io, &p, &avail, timeout_ms);

		if (st != IO_OK)
			return st;
		take = avail < n ? avail : (size_t)n;
		if (keep) {
			take = before_cutoff(m, take, cutoff);
			if (m->size + take <= m->limit)
				sink(m, p, take);
			m->size += take;
			received(m, take, cutoff);
		}
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
