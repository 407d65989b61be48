/*
 * json_fields.h - reading typed fields out of JSON objects, reporting every
 * problem with its field path.
 *
 * Each reader looks up `key` in `obj`, checks its type and bounds, copies the
 * value out, and on a problem appends one detail to err (code
 * ORDO_EINVALID) naming the full path ("lines[2].unit_price") and saying
 * what is wrong. Readers never stop at the first problem: a decoder calls
 * them all and the caller sees every problem at once.
 *
 * Each returns true when the field was present and valid, false when it was
 * absent (a problem only if required) or invalid (always a problem).
 */
#ifndef ORDO_CHANNELS_JSON_FIELDS_H
#define ORDO_CHANNELS_JSON_FIELDS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* Path of a member: "parent.key", or "key" when parent is "". */
void jf_path(char *buf, size_t size, const char *parent, const char *key);
/* Path of an array element: "parent[i]". */
void jf_index_path(char *buf, size_t size, const char *parent, size_t i);

/* A string of 0..size-1 bytes (the NUL not counted). Empty strings count as
 * absent when required. */
bool jf_string(const json_t *obj, const char *parent, const char *key,
	       bool required, char *dst, size_t size, ordo_err *err);

/* An integer within [min, max]. */
bool jf_int(const json_t *obj, const char *parent, const char *key,
	    bool required, int64_t min, int64_t max, int64_t *out,
	    ordo_err *err);

bool jf_bool(const json_t *obj, const char *parent, const char *key,
	     bool required, bool *out, ordo_err *err);

/* A decimal string of money in `currency` (see money.h). */
bool jf_money(const json_t *obj, const char *parent, const char *key,
	      bool required, const char *currency, bool allow_negative,
	      int64_t *out, ordo_err *err);

/* An RFC 3339 time string. */
bool jf_time(const json_t *obj, const char *parent, const char *key,
	     bool required, int64_t *out, ordo_err *err);

/* An object member (returned borrowed), or NULL. */
json_t *jf_object(const json_t *obj, const char *parent, const char *key,
		  bool required, ordo_err *err);

/* An array member (returned borrowed), or NULL. */
json_t *jf_array(const json_t *obj, const char *parent, const char *key,
		 bool required, ordo_err *err);

/*
 * Parse a request body as a JSON object. Reports bad JSON (with line and
 * column), a non-object top level and nesting deeper than
 * ORDO_MAX_JSON_DEPTH. Returns a new reference or NULL.
 */
json_t *jf_parse_object(const char *body, size_t len, ordo_err *err);

#endif
