/*
 * log.h - structured logs: one JSON object per line on stderr, e.g.
 *   {"ts":"2026-11-27T10:15:00Z","level":"info","msg":"request",
 *    "method":"POST","path":"/v1/orders","status":201,"ms":3}
 *
 * Its own layer, below everything that logs (app, outbox, api, cli) and
 * above only core: it knows nothing of what it logs.
 */
#ifndef ORDO_LOG_LOG_H
#define ORDO_LOG_LOG_H

#include <jansson.h>
#include <stdarg.h>

#include "core/clock.h"

/* The clock the lines' "ts" is read from (NULL: the system's); set once
 * at start, before any thread logs. */
void log_set_clock(const ordo_clock *clock);

/* Log msg at level with extra fields (stolen reference; may be NULL). */
void log_event(const char *level, const char *msg, json_t *fields);

/* printf-style convenience without extra fields. */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * A JSON string of s for a log field; text that is not valid UTF-8 is
 * scrubbed ('?') rather than lost. New reference.
 */
json_t *log_text(const char *s);

/*
 * libmicrohttpd's error messages (MHD_OPTION_EXTERNAL_LOGGER), logged as
 *   {"level":"warn","msg":"http","detail":"..."}
 */
void log_mhd(void *cls, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

#endif
