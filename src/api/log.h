/*
 * log.h - structured logs: one JSON object per line on stderr, e.g.
 *   {"ts":"2026-11-27T10:15:00Z","level":"info","msg":"request",
 *    "method":"POST","path":"/v1/orders","status":201,"ms":3}
 */
#ifndef ORDO_API_LOG_H
#define ORDO_API_LOG_H

#include <jansson.h>

/* Log msg at level with extra fields (stolen reference; may be NULL). */
void log_event(const char *level, const char *msg, json_t *fields);

/* printf-style convenience without extra fields. */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
