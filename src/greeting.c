/* greeting: the profiles' behaviour before the first command. Every wait here ends early on
 * SIGTERM with the 421 of SPEC §10 — except on a drop port, where nothing is ever written. */
#include "greeting.h"

#include "clock.h"
#include "handshake.h"
#include "log.h"

static void log_behaviour(const char *behaviour, int port, int delay)
{
	LOG_EVENT(LOG_LEVEL_INFO, "SMTP behaviour triggered", LOG_S("behaviour", behaviour),
	          LOG_N("port", port), LOG_N("delay_seconds", delay));
}

static int wait_seconds(struct respond *out, int seconds)
{
	struct reply r;

	if (clock_sleep_ms(clock_scaled_ms(seconds), out->interrupted) == 0)
		return 0;
	reply_make(&r, REPLY_SHUTDOWN, NULL, 0);
	respond_now(out, &r);
	return -1;
}

int greeting_run(const struct config *cfg, const struct profile *p, int port,
                 struct respond *out, const struct handoff *resume)
{
	struct reply r;

	io_expect(out->io, VIOLATION_EARLY_TALKER, NULL);   /* SPEC §19: nothing before it */
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
