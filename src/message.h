/* message: one message from its first body octet to its place in the Maildir (SPEC §6, §12):
 * a DATA body decoded up to its final dot (data.c), or BDAT chunks taken raw, both counted
 * against the size limit as they arrive and written to the Maildir file while they fit. The
 * session decides what to answer; this module reads, counts and stores. */
#ifndef BADSMTP_MESSAGE_H
#define BADSMTP_MESSAGE_H

#include "data.h"
#include "io.h"
#include "maildir.h"

struct message {
	int storing;               /* a Maildir file is open (or failed: msg.failed) */
	unsigned long long size;   /* octets as stored so far, counted past the limit too */
	unsigned long long limit;
	struct data_body body;
	struct maildir_msg file;
};

/* A new message. maildir NULL: storage off, the body is only counted. */
void message_begin(struct message *m, const char *maildir, const char *hostname,
                   const struct maildir_envelope *e, unsigned long long limit);
/* The DATA body, up to and including its final dot; what follows stays in io. */
enum io_status message_read_data(struct message *m, struct io *io, int timeout_ms);
/* A BDAT chunk of exactly n octets; keep = 0 reads and discards it. */
enum io_status message_read_chunk(struct message *m, struct io *io, unsigned long long n,
                                  int keep, int timeout_ms);
int message_over_limit(const struct message *m);
/* Into new/ when storing: 0 (also when storage is off), or -1: nothing left behind. */
int message_commit(struct message *m);
/* Drops the message, whatever state it is in; safe to call twice. */
void message_abort(struct message *m);

#endif
