/*
 * x12_int.h - what the X12 files share among themselves (x12.c reads
 * the envelopes, x12_850.c decodes purchase orders, x12_reply.c writes
 * replies); not an interface for anyone else: see x12.h.
 */
#ifndef ORDO_CHANNELS_X12_INT_H
#define ORDO_CHANNELS_X12_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "channels/x12.h"

/* The ISA segment's fixed length, its terminator included. */
#define X12_ISA_LEN 106
/* Room for any element ordo reads whole (longer ones are errors). */
#define ELEM_BUF (X12_MAX_ELEMENT_BYTES + 1)
/* BAK08, the seller's order number: element 127 is AN 1/30 in 004010. */
#define X12_ORDER_ID_MAX 30
/* The most elements a reply segment ordo writes has (ISA: 16). */
#define W_MAX_ELEMENTS 20

static inline bool x12_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline bool x12_is_printable(char c)
{
	return c >= 0x20 && c <= 0x7e;
}

static inline bool x12_is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static inline bool x12_is_alnum(char c)
{
	return x12_is_digit(c) || x12_is_upper(c) || (c >= 'a' && c <= 'z');
}

/* A non-negative decimal number of 1 to 18 digits. */
bool x12_number_of(const char *s, size_t n, int64_t *out);
/* s without white space at either end, in place. */
void x12_text_trim(char *s);
/* Append s to dst, after sep when both are not empty, cut to fit at a
 * character boundary. */
void x12_text_append(char *dst, size_t size, const char *sep,
		     const char *s);

/* Where a problem goes; the indexes above its level are X12_NONE. */
struct at {
	x12_level level;
	int code;
	bool limit;
	size_t ic, grp, set;
	size_t seg;	    /* index, X12_NONE at the end of the file */
	const char *seg_id; /* NULL: the segment's own */
	unsigned element, component;
	const char *value; /* NULL: the element's own */
};

/* Add a problem of d at `at` (x12.c: within X12_MAX_PROBLEMS, counted on
 * its set, group and interchange). */
void x12_problem_vadd(x12_doc *d, const struct at *at, const char *fmt,
		      va_list ap) __attribute__((format(printf, 3, 0)));

/* Where the 850 decoder's problems go: the doc (reading), or only a
 * count (x12_set_order, which decodes a set known to have none). */
struct sink {
	x12_doc *d;
	size_t count;
};

/*
 * Decode 850 set `set` of d into o (order_init'ed), problems into sink
 * (x12_850.c). With `source`, o->source gets the set's text. Returns
 * ORDO_OK or ORDO_ENOMEM (problems of the document are the sink's, not
 * a failure).
 */
ordo_code x12_po_decode(const x12_doc *d, size_t set, const ordo_channel *ch,
			order *o, struct sink *sink, bool source);

/* The alpha-2 code of an ISO 3166-1 alpha-3 code partners write in N4-04
 * ("USA" -> "US"), or NULL for one ordo does not know. */
const char *x12_country_alpha2(const char *alpha3);
/* Whether the n bytes at s are all digits (n > 0). */
bool x12_all_digits(const char *s, size_t n);
/* An X12 date: CCYYMMDD, or YYMMDD of the older versions (1950-2049),
 * at midnight UTC into *out. */
bool x12_date_parse(const char *s, size_t n, ordo_time *out);
/* X12 type R: an optional minus, digits, an optional point and digits,
 * at least one digit. */
bool x12_r_syntax(const char *s);
/* Whether ISA field f of ic was read as its fixed width asks. */
bool x12_isa_field_ok(const x12_interchange *ic, unsigned f);

#endif
