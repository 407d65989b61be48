/*
 * clock_file.c - the clock of `ordo serve --clock-file PATH`, for tests.
 *
 * The system's clock moved by a whole number of seconds that the file
 * holds (e.g. "3600" runs an hour ahead; it may be negative). The file is
 * read at every reading, so a test moves the server's time by writing a
 * new number into it - a lease runs out, a retry falls due, a window
 * passes - instead of waiting for it in real time. A file that cannot be
 * read at some moment (a test is rewriting it) leaves the last offset in
 * force. Not in any help: a running ordo's time is the system's.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "core/limits.h"
#include "log/log.h"

static char clock_path[CLI_PATH_MAX];
static _Atomic long long clock_offset;

/* The offset the file says, or -1 when it says no whole number. */
static int read_offset(long long *out)
{
	char buf[32];
	size_t n;
	char *end;
	FILE *f = fopen(clock_path, "r");

	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	errno = 0;
	*out = strtoll(buf, &end, 10);
	while (*end == '\n' || *end == ' ')
		end++;
	if (errno || end == buf || *end)
		return -1;
	return 0;
}

static ordo_time file_now(const ordo_clock *c)
{
	long long off;

	(void)c;
	if (read_offset(&off) == 0)
		atomic_store(&clock_offset, off);
	return (ordo_time)time(NULL) + atomic_load(&clock_offset);
}

static const ordo_clock file_clock = {.now = file_now, .ctx = NULL};

int cli_clock_file_use(const char *path)
{
	long long off;

	if (strlen(path) >= sizeof(clock_path))
		return cli_usage_error("serve", "--clock-file: the path is "
						"longer than %d bytes",
				       CLI_PATH_MAX - 1);
	memcpy(clock_path, path, strlen(path) + 1);
	if (read_offset(&off) != 0)
		return cli_usage_error("serve",
				       "--clock-file: \"%s\" must hold a whole "
				       "number of seconds",
				       path);
	atomic_store(&clock_offset, off);
	cli_clock = &file_clock;
	/* Log lines say the time the server runs on. */
	log_set_clock(cli_clock);
	return CLI_OK;
}
