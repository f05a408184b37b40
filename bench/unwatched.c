/* unwatched: linked into bench/run's copy of badsmtp-session only, this turns the client-violation
 * recorder (src/violation.h) off before main runs, so that one benchmark run can compare a clean
 * session watched and unwatched: what watching the client costs (target: within 3 %). */
#include "violation.h"

__attribute__((constructor)) static void recorder_off(void)
{
	violation_enable(0);
}
