/* respond: the one funnel every reply of a session leaves by (SPEC §4.2, §10): the command delay
 * before the reply to a command, the rendering with the session's options (enhanced codes, reply
 * shaping: SPEC §17), the log event, and the queueing into io, whose output goes out just before
 * the session blocks (RFC 2920) — or, for a paced reply, the writing of it at once, in parts. It
 * knows that a 421 closes the channel; it does not know SMTP states. */
#ifndef BADSMTP_RESPOND_H
#define BADSMTP_RESPOND_H

#include "io.h"
#include "reply.h"

struct respond {
	struct io *io;
	unsigned render;             /* reply_render flags for this session */
	unsigned pacing;             /* REPLY_SPLIT, REPLY_BYTES: each reply written on its own */
	int byte_gap_ms;             /* REPLY_BYTES: between two octets */
	int delay_ms;                /* before the reply to each command: dlay, command-delay */
	int delay_due;               /* a command came since the last reply */
	volatile int *interrupted;   /* SIGTERM: a delay ends early */
};

void respond_init(struct respond *o, struct io *io, volatile int *interrupted);
/* How replies render (reply_render flags: enhanced codes, REPLY_BARE …) and are written
 * (REPLY_SPLIT, REPLY_BYTES with the octets 2 ms apart), the gaps scaled by BADSMTP_TIME_SCALE
 * (SPEC §17). */
void respond_shape(struct respond *o, unsigned render, unsigned pacing);
/* Sends r after the command delay when one is due. Returns 0, or 1 when the channel is closed
 * now: r was a 421, or a SIGTERM cut the delay short and the 421 of SPEC §10 went instead. */
int respond_send(struct respond *o, const struct reply *r);
/* Sends r at once, whatever delay is due. Same result as respond_send. */
int respond_now(struct respond *o, const struct reply *r);
/* Sends SPEC §10's 421 of a SIGTERM at once. Same result as respond_send (1 but when it could
 * not be written). */
int respond_shutdown(struct respond *o);

#endif
