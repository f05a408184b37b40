/* badsmtp-session: serve one SMTP session on fds 0 and 1, then exit (SPEC §1); or, handed
 * listening sockets, accept on them and fork one such session per connection (SPEC §15). */
#include "acceptor.h"
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

/* SPEC §1: --profile, else systemd's socket name, else --port, else the local port, else plain
 * (SPEC §15, §21: the same for each listening socket of an acceptor). */
static void choose_profile(const struct config *cfg, const char *socket_name, int local_port,
                           struct profile *p)
{
	if (cfg->profile != NULL && profile_from_name(cfg->profile, p) == 0)
		return;
	if (socket_name != NULL && socket_name[0] != '\0' && profile_from_name(socket_name, p) == 0)
		return;
	profile_for_port(cfg->port > 0 ? cfg->port : local_port, &cfg->bases, p);
}

/* The static build cannot load libraries: the twin takes over, from the start (handoff.h). */
static int start_twin(void)
{
	char err[512];

	handoff_exec(NULL, err, sizeof err);
	log_fatal_setup(err);
	return 111;
}

/* Every session of these profiles needs GnuTLS. */
static int needs_tls(const struct profile *p)
{
	return p->kind == PROFILE_SMTPS || p->kind == PROFILE_STARTTLS_REQUIRED;
}

/* Any listening socket whose sessions need GnuTLS: then the acceptor is the twin, with GnuTLS
 * loaded before the first fork, so that no session ever execs (bench/README.md: the figures). */
static int listeners_need_tls(const struct config *cfg, const struct listener *ls, size_t n)
{
	struct profile p;

	for (size_t i = 0; i < n; i++) {
		choose_profile(cfg, ls[i].name, ls[i].local_port, &p);
		if (needs_tls(&p))
			return 1;
	}
	return 0;
}

/* One connection on fds 0 and 1, the same for a process a launcher started on it and for an
 * acceptor's child (from: the listening socket it came on). resume: the twin taking over a
 * session at its handshake. */
static int serve(const struct config *cfg, const struct listener *from,
                 const struct handoff *resume)
{
	struct profile profile;
	struct peer peer;
	char name[64] = "", err[512];
	int rc;

	if (resume != NULL) {
		peer = resume->peer;
		if (profile_from_name(resume->profile, &profile) != 0)
			choose_profile(cfg, NULL, peer.local_port, &profile);
	} else {
		activation_peer(0, &peer);
		if (from == NULL)
			(void)activation_socket_name(name, sizeof name);
		choose_profile(cfg, from != NULL ? from->name : name, peer.local_port, &profile);
		/* smtps needs the twin before its first byte is read: it, not we, reads a PROXY
		 * header and the ClientHello behind it. Without a twin the session goes on, to
		 * fail its handshake as such. */
		if (profile.kind == PROFILE_SMTPS && !library_loadable() &&
		    handoff_check(err, sizeof err) == 0)
			return start_twin();
	}
	rc = session_run(cfg, &profile, &peer, resume);
	log_flush();
	return rc;
}

int main(int argc, char **argv)
{
	struct config cfg;
	struct handoff resume;
	struct listener ls[ACTIVATION_LISTENERS_MAX];
	const struct listener *from = NULL;
	char err[512], cache[4096];
	size_t n;
	int rc;

	handoff_init(argv);
	hold_standard_fds();
	switch (config_load(&cfg, argc, argv, err, sizeof err)) {
	case CONFIG_DONE:
		return fflush(stdout) == 0 ? 0 : 111;
	case CONFIG_ERROR:
		log_fatal_setup(err);
		return 100;
	case CONFIG_RUN:
		break;
	}
	/* Per process, once, before any fork: the twin when a library is needed, the log target,
	 * the time scale, the --tls-cert check, and in an acceptor GnuTLS and its certificate. */
	n = activation_listeners(ls, ACTIVATION_LISTENERS_MAX);
	if (!library_loadable() && (log_target_needs_library(cfg.log_target) ||
	                            (n > 0 && listeners_need_tls(&cfg, ls, n))))
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
	if (n > 0) {
		if (listeners_need_tls(&cfg, ls, n))
			handshake_preload(&cfg);
		rc = acceptor_run(&cfg, ls, n, &from);
		if (from == NULL)
			return rc;
		/* a child: nothing for exit handlers to do but touch pages shared with the acceptor */
		_exit(serve(&cfg, from, NULL));
	}
	return serve(&cfg, NULL, handoff_take(&resume) ? &resume : NULL);
}
