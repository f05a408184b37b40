/* maildir: delivery of one message into a Maildir (tmp/ → write → fsync → rename into new/),
 * so a message is either wholly in new/ or nowhere (SPEC §12). Failures are sticky: once a
 * write fails the message is only waiting to be abandoned. */
#ifndef BADSMTP_MAILDIR_H
#define BADSMTP_MAILDIR_H

#include <stddef.h>

struct maildir_msg {
	int fd;            /* -1 when not open */
	int failed;        /* a write, sync or open failed: the message cannot be stored */
	size_t pending;    /* octets waiting in buf */
	unsigned long long written;   /* octets of the file so far, buf included */
	unsigned long long violations_at;   /* where the X-BadSMTP-Violations line is, or goes */
	size_t violations_len;              /* its length; 0: none was written */
	char tmp_path[4096];
	char new_path[4096];
	char buf[16384];
};

/* Creates the directories when missing (the Maildir with its missing parents like mkdir -p,
 * then tmp/, new/ and cur/; each new one 0700) and opens a new file in tmp/. On failure the
 * message is marked failed (writes are then ignored) and -1 is returned. */
int maildir_open(struct maildir_msg *m, const char *dir, const char *hostname);
void maildir_write(struct maildir_msg *m, const char *p, size_t n);
/* fsync, rename into new/, fsync new/. 0, or -1 with nothing left behind. */
int maildir_commit(struct maildir_msg *m);
/* The envelope of a message, for the header lines badsmtp adds before it (SPEC §12). */
struct maildir_envelope {
	const char *sender;             /* "" for the null sender */
	const char *const *rcpts;
	size_t nrcpts;
	const char *helo, *client_ip, *hostname, *session_id;
	int extended, tls, authenticated;   /* EHLO (not HELO), STARTTLS/smtps, AUTH: RFC 3848 */
	long long received;             /* Unix time */
	const char *dsn;                /* SPEC §17: the X-BadSMTP-DSN: value, or NULL for none */
	const char *violations;         /* SPEC §19: "name, name"; NULL or "": no header */
};
/* Return-Path:, X-BadSMTP-Rcpt-To:, Received:, then X-BadSMTP-DSN: and X-BadSMTP-Violations:
 * when there are any (SPEC §21's order), written into the message. */
void maildir_write_headers(struct maildir_msg *m, const struct maildir_envelope *e);
/* The X-BadSMTP-Violations line becomes "X-BadSMTP-Violations: {violations}" (SPEC §21: the
 * body may add to them after the headers were written): the file in tmp/ is rewritten. A
 * failure marks the message failed. */
void maildir_set_violations(struct maildir_msg *m, const char *violations);
/* Removes the tmp file; safe after any maildir_open, whatever it returned. */
void maildir_abort(struct maildir_msg *m);

#endif
