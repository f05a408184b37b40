/* message: one mail transaction's envelope and body (SPEC §2, §6, §12): the sender and the
 * accepted recipients with their DSN parameters (SPEC §17), then the body: a DATA stream decoded
 * up to its final dot (data.c) or BDAT chunks taken raw, counted against the size limit as it
 * arrives and written to a Maildir file while it fits, then committed or dropped, with the log
 * events of a message and the client's violations in its header (SPEC §19). The body may be read
 * only up to a cutoff (the faults of SPEC §18 that strike in the middle of it). The session
 * decides what to answer; this module keeps, reads, counts and stores. */
#ifndef BADSMTP_MESSAGE_H
#define BADSMTP_MESSAGE_H

#include "command.h"
#include "data.h"
#include "io.h"
#include "maildir.h"

#define MESSAGE_ADDRESS_MAX (ADDRESS_LOCAL_MAX + ADDRESS_DOMAIN_MAX + 2)
/* MAIL's DSN parameters as recorded: RET= and an ENVID= of at most 100 octets. */
#define MESSAGE_DSN_MAX 160

struct message {
	char sender[MESSAGE_ADDRESS_MAX];
	struct violations *violations;   /* the session's (SPEC §19): set once, never cleared */
	char dsn[MESSAGE_DSN_MAX];  /* MAIL's DSN parameters, or "" */
	unsigned declares;         /* COMMAND_8BITMIME, COMMAND_SMTPUTF8 of its MAIL FROM */
	size_t violations_named;   /* how many the header written at message_begin names */
	/* each an address, its NUL, then its DSN parameters ("" for none): read as strings, the
	 * list of addresses the log and the headers take */
	char **rcpts;
	size_t nrcpts;
	int storing;               /* a Maildir file is open (or its open failed: file.failed) */
	unsigned long long size;   /* octets as stored so far, counted past the limit too */
	unsigned long long limit;
	unsigned long long received;   /* octets of the body as received (before unstuffing) */
	int cut;                   /* reading stopped at a cutoff, before the body's end */
	struct data_body body;
	struct maildir_msg file;
};

/* Forgets the sender, the recipients and any body; safe on a zeroed or cleared message. */
void message_clear(struct message *m);
/* The sender of an accepted MAIL FROM, what its parameters declare, and its DSN parameters as
 * command_dsn_text gives them ("" for none). */
void message_set_sender(struct message *m, const struct path *p, const char *dsn);
/* 0, or -1 when memory ran out (the recipient is not added). */
int message_add_rcpt(struct message *m, const struct address *a, const char *dsn);

/* The body begins: logged, and with a Maildir (NULL: storage off, the body is only counted)
 * a file opened and the headers of e written, with the sender, the recipients and the
 * violations so far filled in here. */
void message_begin(struct message *m, const char *maildir, const char *hostname,
                   const struct maildir_envelope *e, unsigned long long limit);
/* The DATA body, up to and including its final dot; what follows stays in io. cutoff > 0: stop
 * once that many octets of the body have been received (m->cut then says so). */
enum io_status message_read_data(struct message *m, struct io *io, int timeout_ms,
                                 unsigned long long cutoff);
/* A BDAT chunk of exactly n octets; keep = 0 reads and discards it. A kept chunk counts towards
 * cutoff, as for DATA (the octets of the message's chunks so far). */
enum io_status message_read_chunk(struct message *m, struct io *io, unsigned long long n,
                                  int keep, int timeout_ms, unsigned long long cutoff);
int message_over_limit(const struct message *m);
/* Into new/ (when storing), logged, its header naming the violations up to now (SPEC §21): 0,
 * or -1 with nothing left behind. */
int message_commit(struct message *m, const char *maildir);

#endif
