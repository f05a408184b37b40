/* badsmtp-session: serve one SMTP session on fds 0 and 1, then exit (SPEC §1). */
#include "activation.h"
#include "clock.h"
#include "config.h"
#include "handoff.h"
#include "handshake.h"
#include "library.h"
#include "log.h"
#include "profile.h"
#include "session.h"
#include "tls.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

/* A closed fd 0-2 would be reused by the next open(): a Maildir file must never become fd 1. */
static void hold_standard_fds(void)
{
	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) == -1 && open("/dev/null", O_RDWR) != fd)
			_exit(111);
}

/* SPEC §1: --profile, else systemd's socket name, else --port, else the local port, else plain. */
static void choose_profile(const struct config *cfg, const struct peer *peer, struct profile *p)
{
	char name[64];

	if (cfg->profile != NULL && profile_from_name(cfg->profile, p) == 0)
		return;
	if (activation_socket_name(name, sizeof name) && profile_from_name(name, p) == 0)
		return;
	profile_for_port(cfg->port > 0 ? cfg->port : peer->local_port, &cfg->bases, p);
}

/* The static build cannot load libraries: the twin takes over, from the start (handoff.h). */
static int start_twin(void)
{
	char err[512];

	handoff_exec(NULL, err, sizeof err);
	log_fatal_setup(err);
	return 111;
}

int main(int argc, char **argv)
{
	struct config cfg;
	struct profile profile;
	struct peer peer;
	struct handoff resume;
	char err[512], cache[4096];
	enum handoff_kind handed;
	int rc;

	handoff_init(argv);
	hold_standard_fds();
	switch (config_load(&cfg, argc, argv, err, sizeof err)) {
	case CONFIG_DONE:
		return fflush(stdout) == 0 ? 0 : 111;
	case CONFIG_ERROR:
		log_fatal_setup(err);
		return 100;
	case CONFIG_PRINT_CA:
		if (!library_loadable())
			return start_twin();
		if (tls_print_ca(config_cert_cache(&cfg, cache, sizeof cache), err, sizeof err) != 0) {
			log_fatal_setup(err);
			return 111;
		}
		return fflush(stdout) == 0 ? 0 : 111;
	case CONFIG_RUN:
		break;
	}
	handed = handoff_take(&resume);
	if (handed == HANDOFF_PROBE)
		return handshake_probe(&cfg, resume.tls_fault);
	if (!library_loadable() &&
	    (log_target_needs_library(cfg.log_target) || activation_has_socket_name()))
		return start_twin();
	if (log_open(cfg.log_target, cfg.log_format, cfg.log_level, err, sizeof err) != 0) {
		log_fatal_setup(err);
		return 100;
	}
	clock_set_scale(cfg.time_scale);
	if (cfg.tls_cert != NULL) {
		struct tls_settings tls = {
			.cert_file = cfg.tls_cert, .key_file = cfg.tls_key,
			.cache_dir = config_cert_cache(&cfg, cache, sizeof cache),
			.hostname = cfg.hostname,
		};

		rc = tls_check_settings(&tls, err, sizeof err);
		if (rc > 0)
			return start_twin();
		if (rc < 0) {
			log_fatal_setup(err);
			return 100;
		}
	}
	activation_peer(0, &peer);
	choose_profile(&cfg, &peer, &profile);
	rc = session_run(&cfg, &profile, &peer, handed == HANDOFF_RESUME ? &resume : NULL);
	log_flush();
	return rc;
}
