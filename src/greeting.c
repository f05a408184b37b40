/* greeting: the profiles' behaviour before the first command. Every wait here ends early on
 * SIGTERM with the 421 of SPEC §10 — except on a drop port, where nothing is ever written. */
#include "greeting.h"

#include "clock.h"
#include "handshake.h"
#include "log.h"
#include "proxy.h"
#include "tlsfault.h"

#include <stdio.h>
#include <string.h>

static void log_behaviour(const char *behaviour, int port, int delay)
{
	LOG_EVENT(LOG_LEVEL_INFO, "SMTP behaviour triggered", LOG_S("behaviour", behaviour),
	          LOG_N("port", port), LOG_N("delay_seconds", delay));
}

/* SIGTERM before the greeting: its 421 all the same (SPEC §10). */
static int shut_down(struct respond *out)
{
	respond_shutdown(out);
	return -1;
}

static int wait_seconds(struct respond *out, int seconds)
{
	return clock_sleep_ms(clock_scaled_ms(seconds), out->interrupted) == 0 ? 0 : shut_down(out);
}

int greeting_proxy(const struct config *cfg, struct respond *out, struct peer *peer, int port)
{
	long long deadline = clock_monotonic_ms() + clock_scaled_ms(cfg->timeout);
	int from_pipe = peer->client_port < 0 && strcmp(peer->client_ip, "pipe") == 0;
	enum proxy_status ps = PROXY_INCOMPLETE;
	enum io_status st = IO_OK;
	struct proxy_header h;
	const char *p;
	size_t n;

	/* an untrusted peer is refused before a byte of it is read (SPEC §20) */
	if (!from_pipe && !proxy_trusted(&cfg->proxy_trust, peer->client_ip))
		ps = PROXY_INVALID;
	while (ps == PROXY_INCOMPLETE &&
	       (st = io_read_more(out->io, clock_ms_until(deadline))) == IO_OK) {
		io_peek(out->io, &p, &n, 0);
		ps = proxy_parse(p, n, &h);
	}
	if (st == IO_INTR)
		return shut_down(out);
	if (ps != PROXY_OK) {
		LOG_EVENT(LOG_LEVEL_WARN, "SMTP connection refused", LOG_N("port", port),
		          LOG_S("reason", "proxy_header"));
		return -1;
	}
	io_consume(out->io, h.len);
	if (h.has_address) {
		snprintf(peer->client_ip, sizeof peer->client_ip, "%s", h.client_ip);
		peer->client_port = h.client_port;
	}
	return 0;
}

/* SPEC §17, before BADSMTP_TIME_SCALE */
#define PAUSE_S 3
#define TRICKLE_GAP_S 0.100

static const char *const fault_names[] = {
	[GREETING_MULTILINE] = "greeting_multiline", [GREETING_421] = "greeting_421",
	[GREETING_554] = "greeting_554", [GREETING_PAUSE] = "greeting_pause",
	[GREETING_TRICKLE] = "greeting_trickle",
};

/* greeting-pause: a client that talks before the greeting gets the 554 at once (SPEC §21). */
static int pause_for_silence(struct respond *out)
{
	const char *unused;
	size_t n;
	struct reply r;

	switch (io_peek(out->io, &unused, &n, clock_scaled_ms(PAUSE_S))) {
	case IO_OK:
		reply_make(&r, REPLY_EARLY_TALKER, NULL, 0);
		respond_now(out, &r);
		return -1;
	case IO_INTR:
		return shut_down(out);
	default:
		return 0;   /* silence; or a client gone, which its first read will tell */
	}
}

/* The greeting faults of SPEC §17: the greeting they send instead of r's, or the session's
 * end. */
static enum greeting_outcome fault(const struct config *cfg, const struct profile *p, int port,
                                   struct respond *out, struct reply *r)
{
	const char *const names[] = { cfg->hostname, cfg->hostname };

	log_behaviour(fault_names[p->member], port, p->member == GREETING_PAUSE ? PAUSE_S : 0);
	switch ((enum greeting_fault)p->member) {
	case GREETING_MULTILINE:
		reply_make(r, REPLY_GREETING_LINES, names, 2);
		return GREETING_SENT;
	case GREETING_421:
		reply_make_code(r, 421, NULL);
		return GREETING_SENT;
	case GREETING_554:
		reply_make(r, REPLY_NO_SERVICE, NULL, 0);
		return GREETING_NO_SERVICE;
	case GREETING_PAUSE:
		return pause_for_silence(out) != 0 ? GREETING_CLOSED : GREETING_SENT;
	case GREETING_TRICKLE:
		out->pacing = REPLY_BYTES;
		out->byte_gap_ms = clock_scaled_ms(TRICKLE_GAP_S);
		return GREETING_SENT;
	}
	return GREETING_SENT;
}

enum greeting_outcome greeting_run(const struct config *cfg, const struct profile *p, int port,
                                   struct respond *out, const struct handoff *resume)
{
	struct reply r;
	enum greeting_outcome outcome = GREETING_SENT;
	enum tlsfault port_fault = p->kind == PROFILE_TLS_FAULT ? tlsfault_for_port(p->member)
	                                                        : TLSFAULT_NONE;
	int closed;

	reply_make(&r, REPLY_GREETING, &cfg->hostname, 1);
	io_expect(out->io, VIOLATION_EARLY_TALKER, NULL);   /* SPEC §19: nothing before it */
	switch (p->kind) {
	case PROFILE_DROP:
		log_behaviour("drop", port, p->delay_seconds);
		clock_sleep_ms(clock_scaled_ms(p->delay_seconds), out->interrupted);
		return GREETING_CLOSED;
	case PROFILE_GREETING_DELAY:
		log_behaviour("greeting_delay", port, p->delay_seconds);
		if (wait_seconds(out, p->delay_seconds) != 0)
			return GREETING_CLOSED;
		break;
	case PROFILE_COMMAND_DELAY:
		log_behaviour("command_delay", port, p->delay_seconds);
		break;
	case PROFILE_SMTPS:
	case PROFILE_TLS_FAULT:
		if (handshake_ready(cfg, TLSFAULT_NONE, port_fault) != 0 ||
		    handshake_run(out->io, cfg, resume, port_fault) != 0)
			return GREETING_CLOSED;
		break;
	case PROFILE_GREETING_FAULT:
		if ((outcome = fault(cfg, p, port, out, &r)) == GREETING_CLOSED)
			return GREETING_CLOSED;
		break;
	default:
		break;
	}
	closed = respond_send(out, &r);
	out->pacing = 0;   /* greeting-trickle paces the greeting only */
	return closed ? GREETING_CLOSED : outcome;
}
