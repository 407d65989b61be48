/*
 * log.c - JSON log lines on stderr. One fputs per line under stdio's own
 * lock, so lines from concurrent threads never interleave.
 */
#include "api/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/timeutil.h"

void log_event(const char *level, const char *msg, json_t *fields)
{
	json_t *line = json_object();
	char ts[32], *text;

	time_format_rfc3339(time(NULL), ts, sizeof(ts));
	json_object_set_new(line, "ts", json_string(ts));
	json_object_set_new(line, "level", json_string(level));
	json_object_set_new(line, "msg", json_string(msg));
	if (fields && json_is_object(fields))
		json_object_update(line, fields);
	json_decref(fields);
	text = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (text) {
		fprintf(stderr, "%s\n", text);
		free(text);
	}
	json_decref(line);
}

static void log_v(const char *level, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	log_event(level, msg, NULL);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_v("info", fmt, ap);
	va_end(ap);
}

void log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_v("error", fmt, ap);
	va_end(ap);
}
