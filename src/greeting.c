/* greeting: the profiles' behaviour before the first command. Every wait here ends early on
 * SIGTERM with the 421 of SPEC §10 — except on a drop port, where nothing is ever written. */
#include "greeting.h"

#include "clock.h"
#include "handshake.h"
#include "log.h"
#include "proxy.h"

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
	struct reply r;

	reply_make(&r, REPLY_SHUTDOWN, NULL, 0);
	respond_now(out, &r);
	return -1;
}

static int wait_seconds(struct respond *out, int seconds)
{
	if (clock_sleep_ms(clock_scaled_ms(seconds), out->interrupted) == 0)
		return 0;
	return shut_down(out);
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

int greeting_run(const struct config *cfg, const struct profile *p, int port,
                 struct respond *out, const struct handoff *resume)
{
	struct reply r;

	switch (p->kind) {
	case PROFILE_DROP:
		log_behaviour("drop", port, p->delay_seconds);
		clock_sleep_ms(clock_scaled_ms(p->delay_seconds), out->interrupted);
		return -1;
	case PROFILE_GREETING_DELAY:
		log_behaviour("greeting_delay", port, p->delay_seconds);
		if (wait_seconds(out, p->delay_seconds) != 0)
			return -1;
		break;
	case PROFILE_COMMAND_DELAY:
		log_behaviour("command_delay", port, p->delay_seconds);
		break;
	case PROFILE_SMTPS:
		if (handshake_ready(cfg) != 0 || handshake_run(out->io, cfg, resume) != 0)
			return -1;
		break;
	default:
		break;
	}
	reply_make(&r, REPLY_GREETING, &cfg->hostname, 1);
	return respond_send(out, &r) == 0 ? 0 : -1;
}
