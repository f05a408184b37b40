/* floor.h: the trivial SMTP dialogue of the benchmark's floors (bench/floor.c, one process per
 * connection; bench/forkfloor.c, one forked per connection): badsmtp's plain dialogue (220, EHLO
 * multi-line, 250 to the rest, 354 + body to CRLF.CRLF, 221 to QUIT) on fds 0/1 with stdio,
 * flushing only before it reads. Benchmark use only. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

static int floor_session(void)
{
	char line[4096];

	fputs("220 floor.test ESMTP floor\r\n", stdout);
	while (fflush(stdout) == 0 && fgets(line, sizeof line, stdin) != NULL) {
		if (strncasecmp(line, "EHLO", 4) == 0) {
			fputs("250-floor.test\r\n250-8BITMIME\r\n250-SIZE 10485760\r\n250-PIPELINING\r\n"
			      "250-CHUNKING\r\n250-SMTPUTF8\r\n250-ENHANCEDSTATUSCODES\r\n250 OK\r\n", stdout);
		} else if (strncasecmp(line, "DATA", 4) == 0) {
			fputs("354 End data with <CR><LF>.<CR><LF>\r\n", stdout);
			fflush(stdout);
			while (fgets(line, sizeof line, stdin) != NULL && strcmp(line, ".\r\n") != 0)
				;
			fputs("250 OK Message accepted for delivery\r\n", stdout);
		} else if (strncasecmp(line, "QUIT", 4) == 0) {
			fputs("221 Bye\r\n", stdout);
			return fflush(stdout) != 0;
		} else {
			fputs("250 OK\r\n", stdout);
		}
	}
	return 0;
}
