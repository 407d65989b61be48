/*
 * log.c - JSON log lines on stderr. One fputs per line under stdio's own
 * lock, so lines from concurrent threads never interleave.
 *
 * Every line is JSON, including libmicrohttpd's own messages (log_mhd), and
 * text that is not valid UTF-8 is scrubbed rather than losing the line.
 */
#include "log/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/timeutil.h"

static const ordo_clock *log_clock;

void log_set_clock(const ordo_clock *clock)
{
	log_clock = clock;
}

json_t *log_text(const char *s)
{
	json_t *j = json_string(s ? s : "");
	char *copy;

	if (j || !s)
		return j;
	copy = strdup(s);
	if (!copy)
		return NULL;
	ordo_utf8_scrub(copy);
	j = json_string(copy);
	free(copy);
	return j;
}

/* The line as text in malloc'd memory, whatever memory jansson works in
 * on this thread (a request's arena: channels/json_pool.h). */
static char *line_text(const json_t *line)
{
	size_t flags = JSON_COMPACT | JSON_PRESERVE_ORDER;
	size_t n = json_dumpb(line, NULL, 0, flags);
	char *text = n ? malloc(n + 1) : NULL;

	if (text && json_dumpb(line, text, n, flags) == n) {
		text[n] = '\0';
		return text;
	}
	free(text);
	return NULL;
}

void log_event(const char *level, const char *msg, json_t *fields)
{
	json_t *line = json_object();
	char ts[32], *text;

	time_format_rfc3339(ordo_clock_now(log_clock), ts, sizeof(ts));
	json_object_set_new(line, "ts", json_string(ts));
	json_object_set_new(line, "level", json_string(level));
	json_object_set_new(line, "msg", log_text(msg));
	if (fields && json_is_object(fields))
		json_object_update(line, fields);
	json_decref(fields);
	text = line_text(line);
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

void log_mhd(void *cls, const char *fmt, va_list ap)
{
	char text[1024];
	size_t n;
	json_t *f = json_object();

	(void)cls;
	vsnprintf(text, sizeof(text), fmt, ap);
	n = strlen(text);
	while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r'))
		text[--n] = '\0';
	json_object_set_new(f, "detail", log_text(text));
	log_event("warn", "http", f);
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
