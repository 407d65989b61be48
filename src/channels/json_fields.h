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
 * STRICT OBJECTS
 *
 * Nothing a caller writes is passed over in silence: each decoder calls
 * jf_only() once for each object it reads, naming the members it takes
 * (`known`) and the members ordo computes itself (`computed`, which a caller
 * may echo back from an answer but never sets). Every other member is a
 * problem, reported with its full path and, when a known name is close to
 * it, that name ("customer.emial: is not a member here; did you mean
 * \"email\"?"). Both lists end with NULL; computed may be NULL.
 */
void jf_only(const json_t *obj, const char *parent, const char *const known[],
	     const char *const computed[], ordo_err *err);

/* The known name closest to `name` by edit distance (adjacent swaps count
 * as one edit), or NULL when none is close enough to be a likely typo. */
const char *jf_closest(const char *name, const char *const known[]);

/* The unknown-name detail jf_only adds, for callers checking names that
 * are not JSON members: `what` is "member" or "query parameter". */
void jf_unknown(const char *path, const char *name, const char *const known[],
		const char *what, ordo_err *err);

/* Append `name` to the ", "-separated list in buf (truncating safely). */
void jf_list_add(char *buf, size_t size, const char *name);

/*
 * Fill buf with the names of an enumeration, from the same name function
 * its parser uses: JF_ENUM_LIST(buf, sizeof(buf), hold_type_name,
 * HOLD_TYPE_COUNT). Refusals say "one of: " and this list, so the accepted
 * values are written in one place only.
 */
#define JF_ENUM_LIST(buf, size, name_fn, count)                                \
	do {                                                                   \
		int jf_i_;                                                     \
		(buf)[0] = '\0';                                               \
		for (jf_i_ = 0; jf_i_ < (int)(count); jf_i_++)                 \
			jf_list_add((buf), (size), name_fn(jf_i_));            \
	} while (0)

/* Room for any enumeration's list of names. */
#define JF_LIST_MAX 400

/*
 * Parse a request body as a JSON object. Reports bad JSON (with line and
 * column), a non-object top level and nesting deeper than
 * ORDO_MAX_JSON_DEPTH. Returns a new reference or NULL.
 */
json_t *jf_parse_object(const char *body, size_t len, ordo_err *err);

#endif
