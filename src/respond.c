/* respond: replies are rendered once, here, from a reply value; nothing reads a code back out
 * of bytes. The log shows each reply as it was written, its lines apart, without line ends.
 * A paced reply (SPEC §17) is written at once, after what was queued before it, so a pipelining
 * client still gets every reply in order, and one paced reply never shares a write with
 * another. */
#include "respond.h"

#include "buf.h"
#include "clock.h"
#include "log.h"

/* SPEC §17, before BADSMTP_TIME_SCALE. */
#define SPLIT_AT 3
#define SPLIT_GAP_S 0.050
#define BYTE_GAP_S 0.002

void respond_init(struct respond *o, struct io *io, volatile int *interrupted)
{
	*o = (struct respond){ .io = io, .interrupted = interrupted };
}

void respond_shape(struct respond *o, unsigned render, unsigned pacing)
{
	o->render = render;
	o->pacing = pacing;
	o->byte_gap_ms = clock_scaled_ms(BYTE_GAP_S);
}

static void log_reply(const struct reply *r, const char *wire, size_t len)
{
	char response[1024], code[8];
	struct buf c;
	size_t n = 0;

	for (size_t i = 0; i < len && n < sizeof response - 1; i++)
		if (wire[i] != '\r' && !(wire[i] == '\n' && i + 1 == len))
			response[n++] = wire[i];
	response[n] = '\0';
	buf_init(&c, code, sizeof code);
	buf_add_decimal(&c, r->code, 3);
	LOG_EVENT(r->code >= 400 ? LOG_LEVEL_WARN : LOG_LEVEL_INFO,
	          r->code >= 400 ? "SMTP error response sent" : "SMTP response sent",
	          LOG_S("response", response), LOG_S("response_code", code));
}

int respond_now(struct respond *o, const struct reply *r)
{
	static char wire[REPLY_WIRE_MAX];
	size_t n = reply_render(r, o->render, wire, sizeof wire);
	size_t piece = o->pacing & REPLY_BYTES ? 1 : n;

	o->delay_due = 0;
	if (n == 0) {
		LOG_EVENT(LOG_LEVEL_ERROR, "SMTP reply too long to send",
		          LOG_S("error", "reply text over REPLY_TEXT_MAX"));
		return 1;
	}
	if (o->pacing == 0) {
		io_put(o->io, wire, n);
	} else if ((o->pacing & REPLY_SPLIT) && n > SPLIT_AT) {
		io_write_paced(o->io, wire, SPLIT_AT, piece, o->byte_gap_ms);
		clock_sleep_ms(clock_scaled_ms(SPLIT_GAP_S), o->interrupted);
		io_write_paced(o->io, wire + SPLIT_AT, n - SPLIT_AT, piece, o->byte_gap_ms);
	} else {
		io_write_paced(o->io, wire, n, piece, o->byte_gap_ms);
	}
	log_reply(r, wire, n);
	return r->code == 421;
}

int respond_shutdown(struct respond *o)
{
	struct reply r;

	reply_make(&r, REPLY_SHUTDOWN, NULL, 0);
	return respond_now(o, &r);
}

int respond_send(struct respond *o, const struct reply *r)
{
	if (o->delay_due && o->delay_ms > 0) {
		io_flush(o->io);
		if (clock_sleep_ms(o->delay_ms, o->interrupted) != 0)
			return respond_shutdown(o);
	}
	return respond_now(o, r);
}
