/* floor: the trivial SMTP handler that bounds what a process-per-connection server can do: the
 * dialogue of floor.h on fds 0/1, started by a launcher per connection (one exec each).
 * Benchmark use only. */
#include "floor.h"

int main(void)
{
	return floor_session();
}
