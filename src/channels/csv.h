/*
 * csv.h - order files (CSV) into ordo orders.
 *
 * A shop's or an ERP's own export, imported as it is: one row per order
 * line, the rows of one order tied together by a column that holds the
 * order's number. The module reads from a buffer alone and knows nothing of
 * storage: it turns a file into orders, given one at a time to a callback,
 * and a report of the rows it did not take, given to another.
 *
 * READING
 *
 * RFC 4180 and what real files do besides: the delimiter is a comma, a
 * semicolon or a tab (given by the mapping, or the one of the three found
 * most often outside quotes in the header line); fields may be quoted, with
 * "" for a quote and line breaks inside; lines end in LF, CRLF or CR; a
 * UTF-8 byte-order mark is skipped; blank lines (and lines of empty cells
 * only, as spreadsheets write them) are skipped; the last line may lack its
 * line end; a row may end in a delimiter. A file that is not valid UTF-8 is
 * read as Windows-1252 and converted (the report says so once). The first
 * line that is not blank is the header. Every row knows the line it starts
 * on, counted from 1 as an editor counts (so a header on the first line is
 * line 1, and a quoted line break moves the rows after it down). Cells are
 * trimmed of spaces and tabs; an empty cell or a literal NULL / null is
 * absent. A row shorter than the header lacks its last cells; one longer
 * is a problem unless the cells past the header are empty (a trailing
 * delimiter). A quote in the middle of an unquoted cell is taken as it is;
 * text after a closing quote is a problem of that cell; a quote never
 * closed refuses the file. On a tie the comma wins detection.
 *
 * MAPPING
 *
 * A csv_map says which header column holds each ordo field (CSV_FIELD_MAP
 * below), and how the file writes numbers and dates. Header names are
 * matched without regard to ASCII case. With no column mapped at all, each
 * field is read from the column named as the field ("external_id", "sku",
 * "quantity", ...). The mapping must give columns for external_id, sku,
 * quantity and unit_price (ordo's line has a price, and a missing one
 * cannot be told from a free item), and a currency: a currency column, or
 * the map's currency for the rows that name none.
 *
 * VALUES
 *
 *   quantity   a whole number 1 .. ORDO_MAX_QUANTITY ("3.0" is 3); zero or
 *              negative (a cancellation or return row) is a row problem
 *   money      unit_price, shipping_amount, tax, discount, total: amounts
 *              of money, never negative, in the row's currency; with the
 *              map's decimal separator ("." or ","), the other of the two
 *              (and, with ",", a space or no-break space) grouping
 *              thousands in threes; more decimals than the currency has
 *              are refused unless they are zeros. discount is an amount,
 *              not a fraction: a column of rates (0.05 for 5 %) has no
 *              ordo field and is left unmapped.
 *   times      ISO 8601 / RFC 3339 dates with or without a time and an
 *              offset ("2010-12-01", "2010-12-01 08:26:00",
 *              "2010-12-01T08:26:00Z", "1996-07-04 00:00:00.000"), or
 *              numeric dates with "/", "." or "-" in the map's date order
 *              ("12/1/2010 8:26" mdy, "01.12.2010" dmy; the year has four
 *              digits, and a date that starts with one is year-first
 *              whatever the order), a time H:MM[:SS[.fff]] with an
 *              optional AM/PM and offset. A time without an offset is UTC.
 *   country    an ISO 3166-1 alpha-2 or alpha-3 code, or an English name
 *              ("United Kingdom", "EIRE", "USA", "UK", "Germany"); a row
 *              that names none takes the map's country.
 *   payment    one of ordo's payment statuses, in any case.
 *
 * Text that identifies something (external ids, SKU, email, phone, region,
 * postal code) is refused when longer than ordo's field; descriptive text
 * (names, company, address lines, city, title, shipping method, notes) is
 * cut at a character boundary.
 *
 * ORDERS
 *
 * Rows with the same external_id form one order, wherever they are in the
 * file; orders come out in the order of their first row, their lines in
 * the order of their rows (line_no 1, 2, ...). An order's header fields
 * (placed_at, currency, customer, ship_to, shipping, tax, discount, total,
 * payment_status, notes) come from its first row that gives each. The
 * currency and the amounts are the order's, not a line's: a row that gives
 * one that differs from an earlier row's is a problem (a column of
 * per-line tax mapped to "tax" would otherwise make a wrong order). Without
 * a total column, totals are the order's own arithmetic:
 *
 *     subtotal = sum of quantity x unit_price;
 *     total    = subtotal + shipping + tax - discount
 *
 * An order with any bad row is not taken at all, and every one of its
 * rows is reported: the bad ones with each column at fault and why, the
 * others as not taken because of the first bad one. So is an order of more
 * than ORDO_MAX_LINES rows. A row with no external_id belongs to no order
 * and is reported alone. Good orders are taken whatever is wrong with
 * other rows of the file. Taking the same file twice gives the same orders
 * with the same external ids (ordo's intake catches them as duplicates).
 *
 * MEMORY
 *
 * Grouping needs the whole file, so the rows are indexed first: a few
 * words per row and per order, plus the order numbers' text, plus a UTF-8
 * copy of the file when it had to be converted; nothing in proportion to
 * orders x ORDO_MAX_LINES. Then each order is built, given to the
 * callback, and freed before the next one is built.
 *
 * A file refused as a whole (the mapping does not fit its header, a quote
 * is never closed, a limit is passed, ...) is refused before any order is
 * given to the callback.
 */
#ifndef ORDO_CHANNELS_CSV_H
#define ORDO_CHANNELS_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/err.h"
#include "core/limits.h"
#include "core/order.h"

/* LIMITS: CSV_MAX_FILE_BYTES, CSV_MAX_ROWS, CSV_MAX_COLUMNS,
 * CSV_MAX_FIELD_BYTES and CSV_COLUMN_NAME_MAX, in core/limits.h. A file past
 * one is refused as a whole, naming the limit. */

/* The ordo fields a column may give. X(enum, name): the name is the one a
 * mapping uses, and the default header name. */
#define CSV_FIELD_MAP(X)                                                       \
	X(CSV_F_EXTERNAL_ID, "external_id")                                    \
	X(CSV_F_PLACED_AT, "placed_at")                                        \
	X(CSV_F_CURRENCY, "currency")                                          \
	X(CSV_F_CUSTOMER_EXTERNAL_ID, "customer_external_id")                  \
	X(CSV_F_CUSTOMER_NAME, "customer_name")                                \
	X(CSV_F_CUSTOMER_EMAIL, "customer_email")                              \
	X(CSV_F_CUSTOMER_PHONE, "customer_phone")                              \
	X(CSV_F_SHIP_TO_NAME, "ship_to_name")                                  \
	X(CSV_F_SHIP_TO_COMPANY, "ship_to_company")                            \
	X(CSV_F_SHIP_TO_LINE1, "ship_to_line1")                                \
	X(CSV_F_SHIP_TO_LINE2, "ship_to_line2")                                \
	X(CSV_F_SHIP_TO_CITY, "ship_to_city")                                  \
	X(CSV_F_SHIP_TO_REGION, "ship_to_region")                              \
	X(CSV_F_SHIP_TO_POSTAL_CODE, "ship_to_postal_code")                    \
	X(CSV_F_SHIP_TO_COUNTRY, "ship_to_country")                            \
	X(CSV_F_SHIP_TO_PHONE, "ship_to_phone")                                \
	X(CSV_F_SKU, "sku")                                                    \
	X(CSV_F_TITLE, "title")                                                \
	X(CSV_F_QUANTITY, "quantity")                                          \
	X(CSV_F_UNIT_PRICE, "unit_price")                                      \
	X(CSV_F_SHIPPING_METHOD, "shipping_method")                            \
	X(CSV_F_SHIPPING_AMOUNT, "shipping_amount")                            \
	X(CSV_F_TAX, "tax")                                                    \
	X(CSV_F_DISCOUNT, "discount")                                          \
	X(CSV_F_TOTAL, "total")                                                \
	X(CSV_F_PAYMENT_STATUS, "payment_status")                              \
	X(CSV_F_NOTES, "notes")

typedef enum {
#define CSV_X_ENUM(e, name) e,
	CSV_FIELD_MAP(CSV_X_ENUM)
#undef CSV_X_ENUM
	CSV_FIELD_COUNT
} csv_field;

/* How numeric dates are written when the year is not first. */
#define CSV_DATE_ORDER_MAP(X)                                                  \
	X(CSV_DATE_YMD, "ymd")                                                 \
	X(CSV_DATE_DMY, "dmy")                                                 \
	X(CSV_DATE_MDY, "mdy")

typedef enum {
#define CSV_X_ENUM(e, name) e,
	CSV_DATE_ORDER_MAP(CSV_X_ENUM)
#undef CSV_X_ENUM
	CSV_DATE_ORDER_COUNT
} csv_date_order;

typedef struct {
	/* The header column of each field, "" for none. No column at all
	 * means ordo's own field names (see MAPPING above). */
	char columns[CSV_FIELD_COUNT][CSV_COLUMN_NAME_MAX];
	char delimiter;		   /* ',', ';' or '\t'; 0: detect */
	char decimal;		   /* '.' or ',' */
	csv_date_order date_order; /* for dates that are not year-first */
	char currency[ORDO_CURRENCY_MAX]; /* for rows naming none; "" none */
	char country[ORDO_COUNTRY_MAX];	  /* alpha-2, for rows naming none */
} csv_map;

/* The name of a field ("ship_to_city"), or "?" for a value out of range. */
const char *csv_field_name(csv_field f);
/* Returns 0 and sets *out, or -1 when name is no field. */
int csv_field_parse(const char *name, csv_field *out);
const char *csv_date_order_name(csv_date_order d);

/* No columns, delimiter detected, "." decimals, ymd, no currency or
 * country. */
void csv_map_init(csv_map *m);

/*
 * A mapping from its JSON object, as a user saves it on a channel or
 * passes it with --map:
 *
 *   {"columns": {"external_id": "InvoiceNo", "sku": "StockCode", ...},
 *    "delimiter": ",", "decimal": ".", "date_order": "mdy",
 *    "currency": "GBP", "country": "GB"}
 *
 * Every member is optional; "delimiter" is ",", ";", "\t" or "comma",
 * "semicolon", "tab"; "country" a code or a name as in a cell. Strict: an
 * unknown member or field is refused naming it (with the closest known
 * name), and so is a value out of its set, an empty or over-long column
 * name, and - when "columns" is given - a missing column for external_id,
 * sku, quantity or unit_price. Every problem is reported at once
 * (ORDO_EINVALID, one detail each, field the JSON path). m is set only on
 * success.
 */
ordo_code csv_map_from_json(const json_t *obj, csv_map *m, ordo_err *err);
/* The same from JSON text (len bytes). */
ordo_code csv_map_parse(const char *text, size_t len, csv_map *m,
			ordo_err *err);

/* The lines of the file an order was built from, one per order line;
 * borrowed for the callback. */
typedef struct {
	const int64_t *lines; /* lines[i] is where line_no i + 1's row starts */
	size_t n;
} csv_rows;

/*
 * An order built from the file: o->channel is the caller's channel name;
 * o->source is the header line and the order's rows as they are in the
 * file (in UTF-8 when the file was converted), o->source_type "text/csv";
 * lines are allocated with all units open, state ORDER_RECEIVED; id,
 * tenant and times of receipt are the caller's; placed_at is 0 when no row
 * gives one. o belongs to csv_import, which frees it when the callback
 * returns: a callback that keeps the order moves it out (`*mine = *o;
 * order_init(o);`) or copies it (order_copy). Returning anything but
 * ORDO_OK stops the import, which returns that code (the callback fills
 * err, or the import says it was stopped).
 */
typedef ordo_code (*csv_order_fn)(void *ctx, order *o, const csv_rows *rows,
				  ordo_err *err);

typedef enum {
	CSV_REPORT_ROW,	 /* a row not taken */
	CSV_REPORT_NOTE, /* something done to the file, nothing refused */
} csv_report_kind;

/* One entry of the report. The strings are borrowed for the call. */
typedef struct {
	csv_report_kind kind;
	int64_t line;	     /* where the row starts; 0: the whole file */
	const char *column;  /* as in the header; "" for the whole row */
	const char *external_id; /* the row's order; "" when it has none */
	const char *message; /* never empty */
} csv_report;

typedef void (*csv_report_fn)(void *ctx, const csv_report *r);

typedef struct csv_summary csv_summary;

typedef struct {
	csv_order_fn on_order;	 /* required */
	csv_report_fn on_report; /* NULL: the report is only counted */
	void *ctx;
	/* Told once the file is read whole and before its first order:
	 * sum->rows and sum->orders say how much there is. NULL: none. */
	void (*on_start)(void *ctx, const csv_summary *sum);
} csv_handler;

struct csv_summary {
	size_t rows;		/* data rows read (blank lines not counted) */
	size_t orders;		/* orders the file holds, good and bad */
	size_t rows_refused;	/* rows reported as not taken */
	size_t orders_taken;	/* orders given to on_order */
	size_t orders_refused;	/* orders not taken */
	char delimiter;		/* the one the file was read with */
	bool converted;		/* read as Windows-1252 */
};

/*
 * Import the order file buf (len bytes, not NUL-terminated necessarily):
 * every good order to h->on_order, every row not taken to h->on_report.
 * map NULL is csv_map_init's (ordo's own column names); channel (NULL
 * for none) becomes each order's channel. sum (may be NULL) is filled
 * as far as the import got.
 *
 * Returns ORDO_OK when the file was read, however many of its rows were
 * refused (the report says which). Refuses the file as a whole, before
 * any order is given, with ORDO_EINVALID (no header line, the mapping
 * names a column the header lacks or lacks a required one, a quote never
 * closed, a NUL byte, a bad channel name) or ORDO_ELIMIT (past a CSV_MAX_
 * limit), err naming what and where. ORDO_ENOMEM when memory ran out, or
 * the callback's code when it stopped the import.
 */
ordo_code csv_import(const char *buf, size_t len, const csv_map *map,
		     const char *channel, const csv_handler *h,
		     csv_summary *sum, ordo_err *err);

/*
 * Any table, read as an order file is (READING above; the delimiter
 * detected): its header line and then each row that is not blank to fn,
 * with the line it starts on and its cells (trimmed; an absent cell is
 * ""). fn returns ORDO_OK to go on, or an error (err set) that stops the
 * reading and is returned. A file with no header, a quote never closed or
 * text after a closing quote is ORDO_EINVALID naming "file".
 */
typedef ordo_code (*csv_row_fn)(void *ctx, uint32_t line, bool header,
				const char *const *cells, size_t n,
				ordo_err *err);
ordo_code csv_table_read(const char *buf, size_t len, csv_row_fn fn,
			 void *ctx, ordo_err *err);

#endif
