/*
 * csv_int.h - what the CSV files share among themselves (csv_read.c reads
 * the text and its records, csv_values.c the values of cells, csv.c
 * imports orders from them); not an interface for anyone else: see csv.h.
 */
#ifndef ORDO_CHANNELS_CSV_INT_H
#define ORDO_CHANNELS_CSV_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "channels/csv.h"
#include "core/err.h"

/* Room for a number as text once its grouping is taken out: ORDO_MAX_MONEY
 * has 14 digits, and a few decimals more; a longer number is refused. */
#define CSV_NUMBER_MAX 48
/* How much of a bad value a message quotes. */
#define CSV_QUOTE_MAX 48

static inline char csv_ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static inline bool csv_ascii_caseeq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (csv_ascii_lower(*a) != csv_ascii_lower(*b))
			return false;
	return *a == *b;
}

static inline void csv_ascii_upper(char *s)
{
	for (; *s; s++)
		if (*s >= 'a' && *s <= 'z')
			*s = (char)(*s - 'a' + 'A');
}

static inline bool csv_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* ---- the text and its records (csv_read.c) ------------------------------- */

typedef struct {
	const char *text; /* UTF-8, BOM skipped */
	size_t len;
	char *owned;	  /* the converted copy, or NULL */
	uint32_t bad_line; /* where the first non-UTF-8 byte was */
} csv_text;

typedef struct {
	const char *text;
	size_t len;
	char delim;
	size_t pos;    /* the next record's first byte */
	uint32_t line; /* the line pos is on */
} csv_reader;

typedef struct {
	size_t start, end; /* its bytes in the text, line end included */
	uint32_t line;	   /* the line it starts on */
	size_t n;	   /* cells */
	size_t *off;	   /* cell i is the NUL-terminated buf + off[i] */
	size_t off_cap;
	char *buf;
	size_t buf_len, buf_cap;
	int bad_cell; /* the first cell with text after its closing quote */
	bool blank;   /* every cell empty */
} csv_record;

/* The len bytes at buf as UTF-8 text into t: refuses a file past
 * CSV_MAX_FILE_BYTES, UTF-16 and NUL bytes, skips a byte-order mark, and
 * converts Windows-1252 when the bytes are not UTF-8 (t->owned, freed by
 * the caller; t->bad_line where the first such byte was). */
ordo_code csv_text_prepare(const char *buf, size_t len, csv_text *t,
			   ordo_err *err);

/* Read the record at rd->pos into r; *got false at the end of the text.
 * Refuses (ORDO_EINVALID) a quote never closed, and (ORDO_ELIMIT) a field
 * or a record past its limit. */
ordo_code csv_record_read(csv_reader *rd, csv_record *r, bool *got,
			  ordo_err *err);

/* Cell i of r, "" when r has none. */
const char *csv_record_cell(const csv_record *r, int i);

void csv_record_free(csv_record *r);

/* The delimiter of the header line: the one of comma, semicolon and tab
 * found most outside quotes; a comma when none is. */
char csv_delimiter_detect(const char *t, size_t len);

/* The delimiter as a message names it. */
const char *csv_delimiter_name(char d);

/* ---- values (csv_values.c) ----------------------------------------------- */

/* s quoted for a message into buf: at most CSV_QUOTE_MAX bytes, cut
 * between characters, "..." when cut. Answers buf. */
const char *csv_quoted(const char *s, char *buf, size_t size);

/* The alpha-2 code of a country written as a code (alpha-2 or -3, any
 * case) or a name, or NULL when ordo does not know it. */
const char *csv_country_code(const char *s);

/* Whether a cell holds no value: empty, NULL or null. */
bool csv_value_absent(const char *v);

/* Each answers NULL, or why v is not one (a message's end). */
/* A whole quantity, 1 .. ORDO_MAX_QUANTITY. */
const char *csv_quantity_parse(const char *v, char decimal, int64_t *out);
/* Money, never negative, in currency (why into why_buf). */
const char *csv_money_value(const char *v, char decimal, const char *currency,
			    int64_t *out, char *why_buf, size_t why_size);
/* A date, with or without a time and an offset (see csv.h), in UTC. */
const char *csv_time_value(const char *v, csv_date_order dorder,
			   int64_t *out);

#endif
