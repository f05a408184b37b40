/* handshake: the glue between a session and the tls module. The handshake is bounded by the data
 * timeout, and by 30 real seconds whatever that is: no real client needs more, and one that
 * stalls mid-handshake must not hold the process. The hang fault alone waits the whole data
 * timeout (SPEC §16). */
#include "handshake.h"

#include "clock.h"
#include "library.h"
#include "log.h"
#include "tls.h"

#include <stdio.h>
#include <string.h>

#define HANDSHAKE_MAX_MS 30000

static struct tls_settings settings_for(const struct config *cfg, enum tlsfault fault,
                                        enum tlsfault port_fault, char *cache, size_t cap)
{
	int timeout = clock_scaled_ms(cfg->data_timeout);

	return (struct tls_settings){
		.cert_file = cfg->tls_cert, .key_file = cfg->tls_key,
		.cache_dir = config_cert_cache(cfg, cache, cap), .hostname = cfg->hostname,
		.timeout_ms = timeout < HANDSHAKE_MAX_MS ? timeout : HANDSHAKE_MAX_MS,
		.fault = fault, .port_fault = port_fault, .hang_ms = timeout,
	};
}

/* Where this process cannot load GnuTLS: the twin must be there, and a fault chosen by EHLO that
 * a GnuTLS may refuse is put to it (handoff_probe), for the 454 that must come instead of the 220
 * to STARTTLS. On implicit TLS the twin finds a refusal itself, and closes. */
static int twin_ready(enum tlsfault f, char *err, size_t errlen)
{
	if (handoff_check(err, errlen) != 0)
		return -1;
	if (f != TLSFAULT_NONE && tlsfault_spec(f)->may_refuse)
		return handoff_probe(f, err, errlen) == 0 ? 0 : -2;
	return 0;
}

int handshake_ready(const struct config *cfg, enum tlsfault fault, enum tlsfault port_fault)
{
	char cache[4096], err[512] = "";
	struct tls_settings settings = settings_for(cfg, fault, port_fault, cache, sizeof cache);
	enum tlsfault f = fault != TLSFAULT_NONE ? fault : port_fault;
	int rc = library_loadable() ? tls_preload(&settings, err, sizeof err)
	                            : twin_ready(fault, err, sizeof err);

	if (rc != 0)
		LOG_EVENT(LOG_LEVEL_ERROR, "TLS not available", LOG_S("error", err),
		          LOG_S("tls_fault", tlsfault_name(f)));
	return rc;
}

int handshake_probe(const struct config *cfg, enum tlsfault fault)
{
	char cache[4096], err[512] = "";
	struct tls_settings settings = settings_for(cfg, fault, TLSFAULT_NONE, cache, sizeof cache);

	if (tls_preload(&settings, err, sizeof err) == 0)
		return 0;
	(void)printf("%s", err);
	return 1;
}

void handshake_preload(const struct config *cfg)
{
	char cache[4096], err[256] = "";
	struct tls_settings settings = settings_for(cfg, TLSFAULT_NONE, TLSFAULT_NONE, cache,
	                                            sizeof cache);

	if (handshake_ready(cfg, TLSFAULT_NONE, TLSFAULT_NONE) == 0 && library_loadable() &&
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

int handshake_run(struct io *io, const struct config *cfg, const struct handoff *resume,
                  enum tlsfault port_fault)
{
	char cache[4096], err[512] = "";
	struct tls_settings settings = settings_for(cfg, resume->tls_fault, port_fault, cache,
	                                            sizeof cache);
	struct tls_info info;

	memset(&info, 0, sizeof info);
	info.fault = resume->tls_fault != TLSFAULT_NONE ? resume->tls_fault : port_fault;
	if (start(io, &settings, resume, &info, err, sizeof err) != 0) {
		LOG_EVENT(LOG_LEVEL_ERROR, "TLS handshake failed", LOG_S("tls_version", ""),
		          LOG_S("cipher", ""), LOG_S("sni", info.sni), LOG_S("error", err),
		          LOG_S("tls_fault", tlsfault_name(info.fault)));
		return -1;
	}
	/* The client's certificate, when the clientcert fault asked for one (SPEC §16). */
	const struct log_field fields[] = {
		LOG_S("tls_version", info.version), LOG_S("cipher", info.cipher), LOG_S("sni", info.sni),
		LOG_S("tls_fault", tlsfault_name(info.fault)), LOG_S("client_cert", info.client_cert),
	};
	log_event(LOG_LEVEL_INFO, "TLS handshake successful", fields,
	          sizeof fields / sizeof fields[0] - (info.client_cert[0] == '\0'));
	return 0;
}
