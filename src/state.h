/* state: what outlives a session (SPEC §18): how often a fail-N trigger has fired, and when a
 * greylisting triplet was first seen, shared by every session and process that uses the same
 * state directory. One small file per key, each update a read-modify-write under flock(2), so two
 * sessions never take the same attempt number. It knows keys and counts, not SMTP. */
#ifndef BADSMTP_STATE_H
#define BADSMTP_STATE_H

#include <stddef.h>

/* An entry older than this counts as absent: it starts again (SPEC §18: removed as met). */
#define STATE_EXPIRY_MS (7LL * 24 * 3600 * 1000)

struct state_entry {
	long long first_ms;   /* Unix time in ms of the entry's first count */
	long long count;      /* how many times it has been counted, this time included */
};

/* Counts key once more in directory dir (created like mkdir -p, mode 0700, when missing), at
 * Unix time now_ms, and says what the entry holds afterwards. 0, or -1 with the reason in err:
 * the directory or the file cannot be made, read or written. */
int state_count(const char *dir, const char *key, long long now_ms, struct state_entry *e,
                char *err, size_t errlen);

/* The file name of key: 32 hex digits of a hash (keys are longer than a name may be, and hold
 * '/'). out holds 33 octets. */
void state_file_name(const char *key, char *out);

#endif
