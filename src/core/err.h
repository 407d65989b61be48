/*
 * err.h - the one error type of ordo.
 *
 * Every fallible function returns an ordo_code (ORDO_OK is zero) and, when it
 * fails, fills an ordo_err: a stable machine code, a message a person can act
 * on, the field at fault, and - for input that has several problems at once -
 * a bounded list of details, one per problem; past ORDO_ERR_MAX_DETAILS the
 * error says how many more problems there were.
 *
 * An ordo_err is small (code, message and field inline, a few hundred bytes)
 * so that it lives on the stack of whoever wants the answer. The details are
 * the only part on the heap, and only when there are any: an array grown on
 * demand up to ORDO_ERR_MAX_DETAILS. Reporting an error never fails: when a
 * detail cannot be stored (the list is full, or there is no memory for it)
 * it is counted in n_dropped, and the code, message and field are set all
 * the same, so the caller still gets the top-level answer.
 *
 * OWNERSHIP
 *
 *   - An ordo_err starts empty: ORDO_ERR_INIT, ordo_err_init(), or all-zero
 *     bytes (calloc, memset, `= {0}` of a struct holding one) all make one.
 *   - Its owner - whoever declared it or holds the struct it is in - calls
 *     ordo_err_clear() when done with it. Clearing frees the details and
 *     leaves an empty error, ready to be used again; clearing twice is fine.
 *   - A function given an ordo_err * fills it and may clear it first; it
 *     never keeps it. So every ordo_err passed down must have been
 *     initialised, even when the callee is expected only to set it.
 *   - An ordo_err is never copied by struct assignment or memcpy: two copies
 *     would own one details array. ordo_err_copy() makes an independent
 *     copy; ordo_err_move() hands the details over and empties the source.
 *
 * Codes and their names come from one X-macro so the two never drift apart.
 * The API maps codes to HTTP statuses in one table (api/errors.c).
 */
#ifndef ORDO_CORE_ERR_H
#define ORDO_CORE_ERR_H

#include <stdbool.h>
#include <stddef.h>

#include "core/limits.h" /* ORDO_ERR_MESSAGE_MAX and the other sizes */

/* X(enum, machine name) */
#define ORDO_CODE_MAP(X)                                                       \
	X(ORDO_OK, "ok")                                                       \
	X(ORDO_EINVALID, "invalid_request")                                    \
	X(ORDO_ETOOLARGE, "payload_too_large")                                 \
	X(ORDO_EMEDIA, "unsupported_media_type")                               \
	X(ORDO_EUNAUTHORIZED, "unauthorized")                                  \
	X(ORDO_EFORBIDDEN, "forbidden")                                        \
	X(ORDO_ENOTFOUND, "not_found")                                         \
	X(ORDO_EMETHOD, "method_not_allowed")                                  \
	X(ORDO_ECONFLICT, "conflict")                                          \
	X(ORDO_EIDEMPOTENCY, "idempotency_key_reused")                         \
	X(ORDO_ESTATE, "invalid_state_transition")                             \
	X(ORDO_EPRECONDITION, "precondition_failed")                           \
	X(ORDO_ELIMIT, "limit_exceeded")                                       \
	X(ORDO_ERATE, "rate_limited")                                          \
	X(ORDO_ESTORAGE, "storage_error")                                      \
	X(ORDO_EUNAVAILABLE, "unavailable")                                    \
	X(ORDO_ENOMEM, "out_of_memory")                                        \
	X(ORDO_EINTERNAL, "internal_error")

typedef enum {
#define ORDO_X_ENUM(e, name) e,
	ORDO_CODE_MAP(ORDO_X_ENUM)
#undef ORDO_X_ENUM
	ORDO_CODE_COUNT
} ordo_code;

typedef struct {
	char field[ORDO_ERR_FIELD_MAX];
	char message[ORDO_ERR_MESSAGE_MAX];
} ordo_err_detail;

typedef struct {
	ordo_code code;
	char message[ORDO_ERR_MESSAGE_MAX];
	char field[ORDO_ERR_FIELD_MAX];
	size_t n_details;
	/* Details that did not fit or could not be allocated. */
	size_t n_dropped;
	/* n_details of them, in an array of details_cap (owned; NULL when
	 * there are none). */
	ordo_err_detail *details;
	size_t details_cap;
} ordo_err;

/* An empty error, for declarations: `ordo_err err = ORDO_ERR_INIT;`. */
#define ORDO_ERR_INIT { .code = ORDO_OK }

/* The stable machine name of a code, e.g. "not_found". */
const char *ordo_code_name(ordo_code code);

/*
 * Make *err empty without looking at what it held: for storage that has not
 * been initialised yet (never for an error that may hold details: those
 * would leak).
 */
void ordo_err_init(ordo_err *err);

/*
 * Free the details and reset to ORDO_OK with no message: the owner's last
 * call on an error, and how an error is emptied for reuse. err must have
 * been initialised (see OWNERSHIP above). err may be NULL.
 */
void ordo_err_clear(ordo_err *err);

/*
 * Make dst an independent copy of src (both initialised). dst is cleared
 * first. When there is no memory for the details, the copy keeps the code,
 * message and field and counts the details in n_dropped.
 */
void ordo_err_copy(ordo_err *dst, const ordo_err *src);

/*
 * Hand src over to dst: dst is cleared first, then takes src's code,
 * message, field and details; src is left empty. Never allocates. With dst
 * NULL (a caller that wants no error) src is only cleared.
 */
void ordo_err_move(ordo_err *dst, ordo_err *src);

/*
 * Set code, field (may be NULL) and a printf-style message; returns code so
 * callers can write `return ordo_err_set(err, ORDO_ENOTFOUND, "id", "...")`.
 * err may be NULL, in which case only the code is returned.
 */
ordo_code ordo_err_set(ordo_err *err, ordo_code code, const char *field,
		       const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Append one problem to the details list (and set the code if it is still
 * ORDO_OK). The first detail also becomes the top-level field. The list
 * grows on demand; a detail past ORDO_ERR_MAX_DETAILS, or one there is no
 * memory for, is counted in n_dropped instead.
 */
void ordo_err_add(ordo_err *err, ordo_code code, const char *field,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Set only the top-level message (printf-style), keeping code and details. */
void ordo_err_set_message(ordo_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Bounded string copy that always terminates; returns 0, or -1 if truncated.
 * A truncated copy ends between UTF-8 characters, never inside one.
 */
int ordo_strlcpy(char *dst, const char *src, size_t size);

/* True when the n bytes at s are well-formed UTF-8 (NUL bytes included). */
bool ordo_utf8_valid(const char *s, size_t n);

/*
 * The length to keep of the n bytes at s so that a UTF-8 character the cut
 * at n would split is dropped whole: n, or up to three bytes less.
 */
size_t ordo_utf8_cut(const char *s, size_t n);

/*
 * Make the NUL-terminated s valid UTF-8 in place: a character cut short (a
 * lead byte without all its continuation bytes, as a fixed-size buffer or a
 * "%.32s" leaves it) is dropped whole, and every other byte that is not
 * UTF-8 becomes '?'. The string never grows. Every string an ordo_err holds
 * has been through this, so it can always go into JSON.
 */
void ordo_utf8_scrub(char *s);

#endif
