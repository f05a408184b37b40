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
	profile_for_port(config_port(cfg, local_port), &cfg->bases, p);
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
	return profile_implicit_tls(p) || p->kind == PROFILE_STARTTLS_REQUIRED;
}

/* The profile of each listening socket, ps[i] for ls[i], worked out once, before the first fork;
 * 1 when any of them needs GnuTLS: then the acceptor is the twin, with GnuTLS loaded before the
 * first fork, so that no session ever execs (bench/README.md: the figures). */
static int listener_profiles(const struct config *cfg, const struct listener *ls, size_t n,
                             struct profile *ps)
{
	int tls = 0;

	for (size_t i = 0; i < n; i++) {
		choose_profile(cfg, ls[i].name, ls[i].local_port, &ps[i]);
		tls |= needs_tls(&ps[i]);
	}
	return tls;
}

/* One connection on fds 0 and 1, the same for a process a launcher started on it and for an
 * acceptor's child (profile: its listening socket's, peer: the connection, as the acceptor saw
 * it). resume: the twin taking over a session at its handshake. */
static int serve(const struct config *cfg, const struct profile *profile, struct peer peer,
                 const struct handoff *resume)
{
	struct profile own;
	char name[64] = "", err[512];
	int rc;

	if (resume != NULL) {
		peer = resume->peer;
		if (profile_from_name(resume->profile, &own) != 0)
			choose_profile(cfg, NULL, peer.local_port, &own);
		profile = &own;
	} else if (profile == NULL) {
		activation_peer(0, &peer);
		choose_profile(cfg, activation_socket_name(name, sizeof name) ? name : NULL,
		               peer.local_port, &own);
		profile = &own;
		/* implicit TLS needs the twin before its first byte is read: it, not we, reads a
		 * PROXY header and the ClientHello behind it. Without a twin the session goes on,
		 * to fail its handshake as such. */
		if (profile_implicit_tls(&own) && !library_loadable() &&
		    handoff_check(err, sizeof err) == 0)
			return start_twin();
	}
	rc = session_run(cfg, profile, &peer, resume);
	log_flush();
	return rc;
}

int main(int argc, char **argv)
{
	struct config cfg;
	struct handoff resume;
	struct listener ls[ACTIVATION_LISTENERS_MAX];
	struct profile profiles[ACTIVATION_LISTENERS_MAX];
	const struct listener *from = NULL;
	struct peer peer = { .local_port = -1 };
	char err[512], cache[4096];
	enum handoff_kind handed;
	size_t n;
	int rc, need_tls;

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
	/* Per process, once, before any fork: the twin when a library is needed, the log target,
	 * the time scale, the --tls-cert check, and in an acceptor GnuTLS and its certificate. */
	n = activation_listeners(ls, ACTIVATION_LISTENERS_MAX);
	need_tls = listener_profiles(&cfg, ls, n, profiles);
	if (!library_loadable() && (log_target_needs_library(cfg.log_target) || need_tls))
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
		if (need_tls)
			handshake_preload(&cfg);
		rc = acceptor_run(&cfg, ls, n, &from, &peer);
		if (from == NULL)
			return rc;
		/* a child: nothing for exit handlers to do but touch pages shared with the acceptor */
		_exit(serve(&cfg, &profiles[from - ls], peer, NULL));
	}
	return serve(&cfg, NULL, peer, handed == HANDOFF_RESUME ? &resume : NULL);
}
