/* handshake: the glue between a session and the tls module. The handshake is bounded by the data
 * timeout, and by 30 real seconds whatever that is: no real client needs more, and one that
 * stalls mid-handshake must not hold the process. */
#include "handshake.h"

#include "clock.h"
#include "library.h"
#include "log.h"
#include "tls.h"

#include <stdio.h>
#include <string.h>

#define HANDSHAKE_MAX_MS 30000

static struct tls_settings settings_for(const struct config *cfg, char *cache, size_t cap)
{
	int timeout = clock_scaled_ms(cfg->data_timeout);

	return (struct tls_settings){
		.cert_file = cfg->tls_cert, .key_file = cfg->tls_key,
		.cache_dir = config_cert_cache(cfg, cache, cap), .hostname = cfg->hostname,
		.timeout_ms = timeout < HANDSHAKE_MAX_MS ? timeout : HANDSHAKE_MAX_MS,
	};
}

int handshake_ready(const struct config *cfg)
{
	char cache[4096], err[256] = "";
	struct tls_settings settings = settings_for(cfg, cache, sizeof cache);

	if ((library_loadable() ? tls_preload(&settings, err, sizeof err)
	                        : handoff_check(err, sizeof err)) == 0)
		return 0;
	LOG_EVENT(LOG_LEVEL_ERROR, "TLS not available", LOG_S("error", err));
	return -1;
}

void handshake_preload(const struct config *cfg)
{
	char cache[4096], err[256] = "";
	struct tls_settings settings = settings_for(cfg, cache, sizeof cache);

	if (handshake_ready(cfg) == 0 && library_loadable() &&
	    tls_preload_default(&settings, err, sizeof err) != 0)
		LOG_EVENT(LOG_LEVEL_ERROR, "TLS not available", LOG_S("error", err));
}

static int start(struct io *io, const struct tls_settings *settings,
                 const struct handoff *resume, struct tls_info *info, char *err, size_t errlen)
{
	if (!library_loadable()) {
		io_flush(io);
		log_flush();
		return handoff_exec(resume, err, errlen);
	}
	io_no_delay(io);
	/* Preloaded already, unless this is the twin resuming after the 220 to STARTTLS. */
	if (tls_preload(settings, err, errlen) != 0)
		return -1;
	return tls_server_start(io, settings, info, err, errlen);
}

int handshake_run(struct io *io, const struct config *cfg, const struct handoff *resume)
{
	char cache[4096], err[256] = "";
	struct tls_settings settings = settings_for(cfg, cache, sizeof cache);
	struct tls_info info;

	memset(&info, 0, sizeof info);
	if (start(io, &settings, resume, &info, err, sizeof err) != 0) {
		LOG_EVENT(LOG_LEVEL_ERROR, "TLS handshake failed", LOG_S("tls_version", ""),
		          LOG_S("cipher", ""), LOG_S("sni", info.sni), LOG_S("error", err));
		return -1;
	}
	LOG_EVENT(LOG_LEVEL_INFO, "TLS handshake successful", LOG_S("tls_version", info.version),
	          LOG_S("cipher", info.cipher), LOG_S("sni", info.sni));
	return 0;
}
