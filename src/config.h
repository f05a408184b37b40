/* config: command-line flags and their BADSMTP_* environment twins (SPEC §1), validated up
 * front so that a bad value ends the process with exit 100 before the client sees a byte. */
#ifndef BADSMTP_CONFIG_H
#define BADSMTP_CONFIG_H

#include "log.h"
#include "profile.h"
#include "proxy.h"

#include <stddef.h>

struct config {
	const char *profile;      /* --profile, or NULL */
	int port;                 /* --port, or -1 */
	const char *hostname;
	const char *maildir;      /* NULL: storage off */
	const char *tls_cert, *tls_key;
	const char *cert_cache;   /* NULL: the default of SPEC §1, see config_cert_cache */
	const char *state_dir;    /* NULL: the default of SPEC §18, see config_state_dir */
	const char *log_target;
	enum log_format log_format;
	enum log_level log_level;
	double timeout, data_timeout, time_scale;
	struct port_bases bases;
	int max_sessions;         /* wait mode: sessions at once (SPEC §15) */
	double idle_exit;         /* wait mode: seconds idle before the acceptor exits; 0: never */
	int proxy_protocol;       /* a PROXY header comes first (SPEC §20) */
	const char *proxy_from;   /* the peers allowed to send one, as given */
	struct proxy_trust proxy_trust;   /* ... and parsed */
};

enum config_result { CONFIG_RUN, CONFIG_DONE, CONFIG_ERROR, CONFIG_PRINT_CA };

/* Flags win over the environment. CONFIG_DONE: --help, --version or --list-profiles was printed
 * to stdout. CONFIG_PRINT_CA: --print-ca, for the caller to carry out with the options before it
 * (--cert-cache) applied. */
enum config_result config_load(struct config *c, int argc, char **argv, char *err,
                               size_t errlen);
/* The port a session is on (SPEC §1): --port, else local_port, else 0 (not TCP: a pipe). */
int config_port(const struct config *c, int local_port);
/* The certificate cache directory: --cert-cache, else the first of $CACHE_DIRECTORY, else
 * $XDG_CACHE_HOME/badsmtp, else /tmp/badsmtp-{uid}. */
const char *config_cert_cache(const struct config *c, char *buf, size_t cap);
/* The state directory of fail-N and greylisting: --state-dir, else the first of
 * $STATE_DIRECTORY, else $XDG_STATE_HOME/badsmtp, else /tmp/badsmtp-{uid}/state. */
const char *config_state_dir(const struct config *c, char *buf, size_t cap);

#endif
