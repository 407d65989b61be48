/*
 * fuzz_csv.c - an order file (csv_import) with its column map
 * (csv_map_parse), and the same bytes as any table (csv_table_read).
 *
 * The input is the map's JSON, a NUL byte, then the file; an input with
 * no NUL is a file read with ordo's own column names. (A NUL byte can be
 * neither in the map's JSON nor in a file the import takes, so it is the
 * one separator that hides nothing.) Every order the import gives must
 * have one row per line and its source in UTF-8, and goes through what
 * intake does with it (fuzz_order_exercise); every report has a message.
 */
#include "fuzz.h"

#include <string.h>

#include "channels/csv.h"

struct seen {
	size_t orders, reports;
};

static ordo_code on_order(void *ctx, order *o, const csv_rows *rows,
			  ordo_err *err)
{
	struct seen *s = ctx;

	(void)err;
	s->orders++;
	FUZZ_CHECK(rows->n == o->n_lines);
	FUZZ_CHECK(o->source &&
		   ordo_utf8_valid(o->source, strlen(o->source)));
	fuzz_order_exercise(o);
	return ORDO_OK;
}

static void on_report(void *ctx, const csv_report *r)
{
	struct seen *s = ctx;

	s->reports++;
	FUZZ_CHECK(r->message && r->message[0]);
	FUZZ_CHECK(r->column && r->external_id);
}

static ordo_code on_row(void *ctx, uint32_t line, bool header,
			const char *const *cells, size_t n, ordo_err *err)
{
	size_t i;

	(void)ctx;
	(void)line;
	(void)header;
	(void)err;
	for (i = 0; i < n; i++)
		FUZZ_CHECK(cells[i]);
	return ORDO_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nul = memchr(data, '\0', size);
	const char *file = (const char *)data;
	size_t len = size;
	struct seen seen = {0, 0};
	csv_handler h = {on_order, on_report, &seen, NULL};
	ordo_err err = ORDO_ERR_INIT;
	csv_summary sum;
	csv_map map;
	bool mapped = false;

	if (nul) {
		if (csv_map_parse(file, (size_t)(nul - file), &map, &err) !=
		    ORDO_OK) {
			ordo_err_clear(&err);
			return 0;
		}
		mapped = true;
		len = size - (size_t)(nul - file) - 1;
		file = nul + 1;
	}
	memset(&sum, 0, sizeof(sum));
	if (csv_import(file, len, mapped ? &map : NULL, "fuzz", &h, &sum,
		       &err) == ORDO_OK) {
		FUZZ_CHECK(sum.orders_taken == seen.orders);
		FUZZ_CHECK(sum.orders_taken + sum.orders_refused ==
			   sum.orders);
	}
	ordo_err_clear(&err);
	(void)csv_table_read(file, len, on_row, NULL, &err);
	ordo_err_clear(&err);
	return 0;
}
