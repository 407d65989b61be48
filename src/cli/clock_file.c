/*
 * clock_file.c - the clock of `ordo serve --clock-file PATH`, for tests.
 *
 * The system's clock moved by a whole number of seconds that the file
 * holds (e.g. "3600" runs an hour ahead; it may be negative), or held
 * still at a time the file gives after an '@' ("@1796600000": seconds
 * since 1970, for a test that counts whole seconds). The file is
 * read at every reading, so a test moves the server's time by writing a
 * new number into it - a lease runs out, a retry falls due, a window
 * passes - instead of waiting for it in real time. A file that cannot be
 * read at some moment (a test is rewriting it) leaves the last offset in
 * force. Not in any help: a running ordo's time is the system's.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "core/limits.h"
#include "log/log.h"

static char clock_path[CLI_PATH_MAX];
static _Atomic long long clock_offset;
static atomic_bool clock_still; /* clock_offset is the time itself */

/* The offset (or, *still, the time) the file says, or -1 when it says no
 * whole number. */
static int read_offset(long long *out, bool *still)
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
	*still = buf[0] == '@';
	errno = 0;
	*out = strtoll(buf + (*still ? 1 : 0), &end, 10);
	while (*end == '\n' || *end == ' ')
		end++;
	if (errno || end == buf || *end)
		return -1;
	return 0;
}

static ordo_time file_now(const ordo_clock *c)
{
	long long off;
	bool still;

	(void)c;
	if (read_offset(&off, &still) == 0) {
		atomic_store(&clock_offset, off);
		atomic_store(&clock_still, still);
	}
	if (atomic_load(&clock_still))
		return (ordo_time)atomic_load(&clock_offset);
	return (ordo_time)time(NULL) + atomic_load(&clock_offset);
}

static const ordo_clock file_clock = {.now = file_now, .ctx = NULL};

int cli_clock_file_use(const char *path)
{
	long long off;
	bool still;

	if (strlen(path) >= sizeof(clock_path))
		return cli_usage_error("serve", "--clock-file: the path is "
						"longer than %d bytes",
				       CLI_PATH_MAX - 1);
	memcpy(clock_path, path, strlen(path) + 1);
	if (read_offset(&off, &still) != 0)
		return cli_usage_error("serve",
				       "--clock-file: \"%s\" must hold a whole "
				       "number of seconds",
				       path);
	atomic_store(&clock_offset, off);
	atomic_store(&clock_still, still);
	cli_clock = &file_clock;
	/* Log lines say the time the server runs on. */
	log_set_clock(cli_clock);
	return CLI_OK;
}
