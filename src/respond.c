/* respond: replies are rendered once, here, from a reply value; nothing reads a code back out
 * of bytes. The log shows each reply as it was written, its lines apart, without line ends. */
#include "respond.h"

#include "buf.h"
#include "clock.h"
#include "log.h"

#define WIRE_MAX (REPLY_TEXT_MAX + 512)

void respond_init(struct respond *o, struct io *io, volatile int *interrupted)
{
	*o = (struct respond){ .io = io, .interrupted = interrupted };
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
	static char wire[WIRE_MAX];
	size_t n = reply_render(r, o->render, wire, sizeof wire);

	o->delay_due = 0;
	if (n == 0) {
		LOG_EVENT(LOG_LEVEL_ERROR, "SMTP reply too long to send",
		          LOG_S("error", "reply text over REPLY_TEXT_MAX"));
		return 1;
	}
	io_put(o->io, wire, n);
	log_reply(r, wire, n);
	return r->code == 421;
}

int respond_send(struct respond *o, const struct reply *r)
{
	if (o->delay_due && o->delay_ms > 0) {
		io_flush(o->io);
		if (clock_sleep_ms(o->delay_ms, o->interrupted) != 0) {
			struct reply shutdown;

			reply_make(&shutdown, REPLY_SHUTDOWN, NULL, 0);
			return respond_now(o, &shutdown);
		}
	}
	return respond_now(o, r);
}
