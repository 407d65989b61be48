/*
 * test_csv.c - order files (CSV) into orders: the three real samples
 * (the UCI retail day, Northwind's order details and its orders without
 * lines), each delimiter, decimal commas, day-first dates, quoting, line
 * ends, byte-order mark and Windows-1252, good and bad rows mixed, the
 * mapping's refusals, the limits, and files that are not order files at
 * all - every prefix and many one-byte corruptions of a small one - which
 * must be refused or reported without a crash or a leak (the test build
 * runs under ASan). 100,000 generated rows check that a large file goes
 * through in one go.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "files.h"
#include <jansson.h>

#include "channels/csv.h"
#include "core/limits.h"
#include "core/money.h"
#include "core/order.h"
#include "core/timeutil.h"

#define RETAIL_CSV                                                             \
	ORDO_SAMPLES_DIR "/csv/databricks_Spark-The-Definitive-Guide__data_"   \
			 "retail-data_by-day_2010-12-01.csv"
#define NW_DETAILS_CSV                                                         \
	ORDO_SAMPLES_DIR "/csv/neo4j-contrib_northwind-neo4j__data_order-"     \
			 "details.csv"
#define NW_ORDERS_CSV                                                          \
	ORDO_SAMPLES_DIR "/csv/neo4j-contrib_northwind-neo4j__data_orders.csv"

#define RETAIL_MAP                                                             \
	"{\"columns\": {\"external_id\": \"InvoiceNo\", \"sku\": "             \
	"\"StockCode\", \"title\": \"Description\", \"quantity\": "            \
	"\"Quantity\", \"unit_price\": \"UnitPrice\", \"placed_at\": "         \
	"\"InvoiceDate\", \"customer_external_id\": \"CustomerID\", "          \
	"\"ship_to_country\": \"Country\"}, \"currency\": \"GBP\", "           \
	"\"date_order\": \"mdy\"}"

/* One entry of the report, copied. */
typedef struct {
	csv_report_kind kind;
	int64_t line;
	char column[CSV_COLUMN_NAME_MAX];
	char external_id[ORDO_EXTERNAL_ID_MAX];
	char message[ORDO_ERR_MESSAGE_MAX];
} rep;

/* What an import gave: the orders (moved out of the callback, unless
 * only counted), the lines of their rows, and the report. */
typedef struct {
	bool count_only;
	order *orders;
	int64_t **rows;
	size_t *n_rows;
	size_t n_orders, cap;
	rep *reps;
	size_t n_reps, reps_cap;
	size_t lines_seen;
	/* With count_only: the first and last order's external ids. */
	char first_id[ORDO_EXTERNAL_ID_MAX], last_id[ORDO_EXTERNAL_ID_MAX];
	size_t n_count; /* orders seen with count_only */
	/* Stop the import at this order (1-based); 0: never. */
	size_t stop_at;
	/* What on_start said, and the orders given before it (none). */
	size_t start_rows, start_orders, orders_before_start;
	bool started;
} sink;

static sink S;
static csv_map map;
static csv_summary sum;
static ordo_err err;

static void sink_free(void)
{
	size_t i;

	for (i = 0; i < S.n_orders; i++) {
		order_free(&S.orders[i]);
		free(S.rows[i]);
	}
	free(S.orders);
	free(S.rows);
	free(S.n_rows);
	free(S.reps);
	memset(&S, 0, sizeof(S));
}

static int setup(void **state)
{
	(void)state;
	memset(&S, 0, sizeof(S));
	csv_map_init(&map);
	memset(&sum, 0, sizeof(sum));
	ordo_err_init(&err);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sink_free();
	ordo_err_clear(&err);
	return 0;
}

/* Start over between two imports within one test. */
static void reset(void)
{
	bool count_only = S.count_only;

	sink_free();
	S.count_only = count_only;
	ordo_err_clear(&err);
}

/* What every order given out must be, whatever the file. */
static void check_order_shape(const order *o, const csv_rows *rows)
{
	size_t i;

	assert_non_null(o->source);
	assert_true(ordo_utf8_valid(o->source, strlen(o->source)));
	assert_string_equal(o->source_type, "text/csv");
	assert_true(o->external_id[0] != '\0');
	assert_true(money_currency_known(o->currency));
	assert_int_equal(o->state, ORDER_RECEIVED);
	assert_true(o->n_lines >= 1 && o->n_lines <= ORDO_MAX_LINES);
	assert_int_equal(rows->n, o->n_lines);
	for (i = 0; i < o->n_lines; i++) {
		const order_line *l = &o->lines[i];

		assert_int_equal(l->line_no, (int)i + 1);
		assert_true(l->sku[0] != '\0');
		assert_true(l->quantity >= 1 &&
			    l->quantity <= ORDO_MAX_QUANTITY);
		assert_int_equal(l->qty_open, l->quantity);
		assert_true(l->unit_price >= 0);
		assert_true(i == 0 || rows->lines[i] > rows->lines[i - 1]);
		assert_true(rows->lines[i] >= 2);
	}
	assert_true(ordo_utf8_valid(o->notes, strlen(o->notes)));
}

static ordo_code on_order(void *ctx, order *o, const csv_rows *rows,
			  ordo_err *e)
{
	sink *s = ctx;

	check_order_shape(o, rows);
	s->lines_seen += o->n_lines;
	if (s->stop_at && s->n_orders + s->n_count + 1 == s->stop_at)
		return ordo_err_set(e, ORDO_ESTORAGE, NULL,
				    "the store is full");
	if (s->count_only) {
		if (s->n_count == 0)
			memcpy(s->first_id, o->external_id,
			       sizeof(s->first_id));
		memcpy(s->last_id, o->external_id, sizeof(s->last_id));
		s->n_count++;
		return ORDO_OK;
	}
	if (s->n_orders == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->orders = realloc(s->orders, s->cap * sizeof(*s->orders));
		s->rows = realloc(s->rows, s->cap * sizeof(*s->rows));
		s->n_rows = realloc(s->n_rows, s->cap * sizeof(*s->n_rows));
		assert_non_null(s->orders);
		assert_non_null(s->rows);
		assert_non_null(s->n_rows);
	}
	s->orders[s->n_orders] = *o;
	order_init(o);
	s->rows[s->n_orders] = malloc(rows->n * sizeof(int64_t));
	assert_non_null(s->rows[s->n_orders]);
	memcpy(s->rows[s->n_orders], rows->lines, rows->n * sizeof(int64_t));
	s->n_rows[s->n_orders] = rows->n;
	s->n_orders++;
	return ORDO_OK;
}

static void on_report(void *ctx, const csv_report *r)
{
	sink *s = ctx;
	rep *p;

	assert_non_null(r->message);
	assert_true(r->message[0] != '\0');
	assert_true(ordo_utf8_valid(r->message, strlen(r->message)));
	if (s->n_reps == s->reps_cap) {
		s->reps_cap = s->reps_cap ? s->reps_cap * 2 : 64;
		s->reps = realloc(s->reps, s->reps_cap * sizeof(*s->reps));
		assert_non_null(s->reps);
	}
	p = &s->reps[s->n_reps++];
	p->kind = r->kind;
	p->line = r->line;
	snprintf(p->column, sizeof(p->column), "%s", r->column);
	snprintf(p->external_id, sizeof(p->external_id), "%s",
		 r->external_id);
	snprintf(p->message, sizeof(p->message), "%s", r->message);
}

static void on_start(void *ctx, const csv_summary *s)
{
	sink *k = ctx;

	k->started = true;
	k->start_rows = s->rows;
	k->start_orders = s->orders;
	k->orders_before_start = k->n_orders + k->n_count;
}

static const csv_handler handler = {on_order, on_report, &S, on_start};

static void dump(void)
{
	size_t i;

	print_message("refused: %s\n", err.message);
	for (i = 0; i < err.n_details; i++)
		print_message("  %s: %s\n", err.details[i].field,
			      err.details[i].message);
	for (i = 0; i < S.n_reps && i < 40; i++)
		print_message("  line %lld [%s] %s: %s\n",
			      (long long)S.reps[i].line, S.reps[i].column,
			      S.reps[i].external_id, S.reps[i].message);
}

static ordo_code import_n(const char *buf, size_t len, const csv_map *m)
{
	return csv_import(buf, len, m, "csv-import", &handler, &sum, &err);
}

static ordo_code import(const char *text, const csv_map *m)
{
	return import_n(text, strlen(text), m);
}

static void expect_ok(ordo_code rc)
{
	if (rc != ORDO_OK) {
		dump();
		fail_msg("refused: %s", err.message);
	}
}

static void map_set(const char *json)
{
	ordo_err e = ORDO_ERR_INIT;

	csv_map_init(&map);
	if (csv_map_parse(json, strlen(json), &map, &e) != ORDO_OK) {
		size_t i;

		for (i = 0; i < e.n_details; i++)
			print_message("  %s: %s\n", e.details[i].field,
				      e.details[i].message);
		fail_msg("mapping refused: %s", e.message);
	}
	ordo_err_clear(&e);
}

static const order *order_by_id(const char *id)
{
	size_t i;

	for (i = 0; i < S.n_orders; i++)
		if (strcmp(S.orders[i].external_id, id) == 0)
			return &S.orders[i];
	return NULL;
}

static size_t order_index(const char *id)
{
	size_t i;

	for (i = 0; i < S.n_orders; i++)
		if (strcmp(S.orders[i].external_id, id) == 0)
			return i;
	fail_msg("order %s not taken", id);
	return 0;
}

/* The reports on a line; the first one's message must contain why, and
 * its column be column (when not NULL). */
static const rep *rep_on(int64_t line)
{
	size_t i;

	for (i = 0; i < S.n_reps; i++)
		if (S.reps[i].line == line)
			return &S.reps[i];
	return NULL;
}

static void expect_rep(int64_t line, const char *column, const char *why)
{
	const rep *r = rep_on(line);

	if (!r) {
		dump();
		fail_msg("nothing reported on line %lld", (long long)line);
	}
	if (column && strcmp(r->column, column) != 0)
		fail_msg("line %lld: column \"%s\", not \"%s\" (%s)",
			 (long long)line, r->column, column, r->message);
	if (why && !strstr(r->message, why))
		fail_msg("line %lld: \"%s\" lacks \"%s\"", (long long)line,
			 r->message, why);
}

static const ordo_err_detail *detail(const char *field)
{
	size_t i;

	for (i = 0; i < err.n_details; i++)
		if (strcmp(err.details[i].field, field) == 0)
			return &err.details[i];
	return NULL;
}

static void expect_detail(const char *field, const char *why)
{
	const ordo_err_detail *d = detail(field);

	assert_int_not_equal(err.code, ORDO_OK);
	if (!d) {
		dump();
		fail_msg("no problem reported on %s", field);
	}
	if (why && !strstr(d->message, why))
		fail_msg("%s: \"%s\" lacks \"%s\"", field, d->message, why);
}

static int64_t utc(const char *rfc3339)
{
	int64_t t;

	assert_int_equal(time_parse_rfc3339(rfc3339, &t), 0);
	return t;
}

/* ---- the UCI retail day ------------------------------------------------ */

static void check_line(const order_line *l, const char *sku, int64_t qty,
		       int64_t price)
{
	assert_string_equal(l->sku, sku);
	assert_int_equal(l->quantity, qty);
	assert_int_equal(l->unit_price, price);
}

static void test_retail_sample(void **state)
{
	size_t len, i, lines = 0;
	char *buf = read_file(RETAIL_CSV, &len);
	const order *o;
	size_t k;
	int64_t subtotals = 0;

	(void)state;
	map_set(RETAIL_MAP);
	expect_ok(import_n(buf, len, &map));

	/* 143 invoices: the 6 "C" cancellations (negative quantities),
	 * 536589 (one row of -10 at price 0), and 536544 and 536592 (527
	 * and 592 rows, past ORDO_MAX_LINES) are not taken. */
	assert_int_equal(sum.rows, 3108);
	/* Told before the first order how much the file holds. */
	assert_true(S.started);
	assert_int_equal(S.start_rows, 3108);
	assert_int_equal(S.start_orders, 143);
	assert_int_equal(S.orders_before_start, 0);
	assert_int_equal(sum.orders, 143);
	assert_int_equal(sum.orders_taken, 134);
	assert_int_equal(sum.orders_refused, 9);
	assert_int_equal(S.n_orders, 134);
	assert_int_equal(sum.rows_refused, 26 + 1 + 527 + 592);
	assert_int_equal(S.n_reps, sum.rows_refused);
	assert_int_equal(sum.delimiter, ',');
	assert_false(sum.converted);
	for (i = 0; i < S.n_orders; i++) {
		lines += S.orders[i].n_lines;
		subtotals += S.orders[i].totals.subtotal;
		assert_int_equal(S.orders[i].totals.total,
				 S.orders[i].totals.subtotal);
		assert_string_equal(S.orders[i].channel, "csv-import");
	}
	assert_int_equal(lines, 3108 - sum.rows_refused);
	/* Computed apart from ordo, from the same file. */
	assert_int_equal(subtotals, 4652400);

	/* The first invoice, element by element; orders come out in the
	 * order of their first row. */
	assert_string_equal(S.orders[0].external_id, "536365");
	o = &S.orders[0];
	assert_int_equal(o->n_lines, 7);
	check_line(&o->lines[0], "85123A", 6, 255);
	assert_string_equal(o->lines[0].title,
			    "WHITE HANGING HEART T-LIGHT HOLDER");
	check_line(&o->lines[1], "71053", 6, 339);
	check_line(&o->lines[2], "84406B", 8, 275);
	check_line(&o->lines[5], "22752", 2, 765);
	check_line(&o->lines[6], "21730", 6, 425);
	assert_int_equal(o->lines[6].line_no, 7);
	assert_int_equal(o->placed_at, utc("2010-12-01T08:26:00Z"));
	assert_string_equal(o->currency, "GBP");
	assert_string_equal(o->customer.external_id, "17850.0");
	assert_string_equal(o->ship_to.country, "GB");
	assert_int_equal(o->totals.subtotal, 13912);
	assert_int_equal(o->payment, PAYMENT_UNKNOWN);
	assert_string_equal(o->shipping.method, "standard");
	for (k = 0; k < 7; k++)
		assert_int_equal(S.rows[0][k], (int64_t)(2 + k));
	/* Its source: the header and its seven rows, as in the file. */
	assert_true(strncmp(o->source, buf, strlen(o->source)) == 0);
	assert_int_equal(strlen(o->source),
			 (size_t)(strstr(buf, "536366,") - buf));

	/* A quoted description with a comma in it, on line 111. */
	k = order_index("536381");
	o = &S.orders[k];
	assert_string_equal(o->lines[3].title, "AIRLINE LOUNGE,METAL SIGN");
	assert_int_equal(S.rows[k][3], 111);
	check_line(&o->lines[3], "82567", 2, 210);

	/* EIRE is Ireland; "" is a quote. */
	o = order_by_id("536540");
	assert_non_null(o);
	assert_string_equal(o->ship_to.country, "IE");
	assert_string_equal(o->lines[2].title,
			    "CHARLIE+LOLA\"EXTREMELY BUSY\" SIGN");
	assert_int_equal(o->n_lines, 20);

	/* An invoice without a CustomerID is an order without a customer;
	 * a price of 0.0 is a free line. */
	o = order_by_id("536414");
	assert_non_null(o);
	assert_string_equal(o->customer.external_id, "");
	check_line(&o->lines[0], "22139", 56, 0);
	assert_string_equal(o->lines[0].title, "");

	/* The cancellations: each row with its line, column and reason. */
	assert_null(order_by_id("C536379"));
	expect_rep(143, "Quantity", "negative");
	assert_string_equal(rep_on(143)->external_id, "C536379");
	expect_rep(156, "Quantity", "negative");
	expect_rep(1975, "Quantity", "negative");
	/* 536589's one row: -10 at 0.0. */
	assert_null(order_by_id("536589"));
	expect_rep(2408, "Quantity", "negative");
	/* Too many rows: every row reported, the first saying why. */
	assert_null(order_by_id("536592"));
	assert_null(order_by_id("536544"));
	expect_rep(1445, "", "ORDO_MAX_LINES");
	expect_rep(1446, "", "536544 is not taken");
	for (i = 0; i < S.n_reps; i++) {
		assert_int_equal(S.reps[i].kind, CSV_REPORT_ROW);
		assert_true(S.reps[i].line >= 2);
	}
	free(buf);
}

/* The same file twice: the same orders, the same external ids (ordo's
 * intake catches the second as duplicates). */
static void test_retail_twice(void **state)
{
	size_t len, i, n;
	char *buf = read_file(RETAIL_CSV, &len);
	char (*ids)[ORDO_EXTERNAL_ID_MAX];
	int64_t *totals;

	(void)state;
	map_set(RETAIL_MAP);
	expect_ok(import_n(buf, len, &map));
	n = S.n_orders;
	ids = malloc(n * sizeof(*ids));
	totals = malloc(n * sizeof(*totals));
	assert_non_null(ids);
	assert_non_null(totals);
	for (i = 0; i < n; i++) {
		memcpy(ids[i], S.orders[i].external_id, sizeof(ids[i]));
		totals[i] = S.orders[i].totals.total;
	}
	reset();
	expect_ok(import_n(buf, len, &map));
	assert_int_equal(S.n_orders, n);
	for (i = 0; i < n; i++) {
		assert_string_equal(S.orders[i].external_id, ids[i]);
		assert_int_equal(S.orders[i].totals.total, totals[i]);
	}
	free(ids);
	free(totals);
	free(buf);
}

/* Without a mapping the header must use ordo's names: the retail file's
 * does not, and the refusal lists its columns. */
static void test_retail_without_mapping(void **state)
{
	size_t len;
	char *buf = read_file(RETAIL_CSV, &len);

	(void)state;
	assert_int_equal(import_n(buf, len, NULL), ORDO_EINVALID);
	expect_detail("columns.external_id", "InvoiceNo, StockCode");
	expect_detail("columns.sku", "has no column");
	expect_detail("currency", "no currency");
	assert_int_equal(S.n_orders, 0);
	assert_int_equal(S.n_reps, 0);
	free(buf);
}

/* ---- Northwind -------------------------------------------------------- */

static void test_northwind_details(void **state)
{
	size_t len, i;
	char *buf = read_file(NW_DETAILS_CSV, &len);
	const order *o;
	int64_t subtotals = 0;

	(void)state;
	/* Its discount column is a fraction of the line (0.05 for 5 %):
	 * ordo's discount is an amount of the order, so it stays
	 * unmapped. */
	map_set("{\"columns\": {\"external_id\": \"orderID\", \"sku\": "
		"\"productID\", \"unit_price\": \"unitPrice\", \"quantity\": "
		"\"quantity\"}, \"currency\": \"USD\"}");
	expect_ok(import_n(buf, len, &map));
	assert_int_equal(sum.rows, 2155);
	assert_int_equal(sum.orders_taken, 830);
	assert_int_equal(sum.rows_refused, 0);
	assert_int_equal(S.n_reps, 0);
	for (i = 0; i < S.n_orders; i++)
		subtotals += S.orders[i].totals.subtotal;
	assert_int_equal(subtotals, 135445859);

	o = &S.orders[0];
	assert_string_equal(o->external_id, "10248");
	assert_int_equal(o->n_lines, 3);
	check_line(&o->lines[0], "11", 12, 1400);
	check_line(&o->lines[1], "42", 10, 980);
	check_line(&o->lines[2], "72", 5, 3480);
	assert_int_equal(o->totals.subtotal, 44000);
	assert_int_equal(o->totals.total, 44000);
	assert_string_equal(o->currency, "USD");
	assert_int_equal(o->placed_at, 0); /* the file gives no date */
	o = order_by_id("11077");
	assert_non_null(o);
	assert_int_equal(o->n_lines, 25);
	check_line(&o->lines[0], "2", 24, 1900);
	free(buf);
}

/* Mapping the discount fraction to "discount" anyway: an order whose
 * rows give different discounts is refused, saying the field is the
 * order's. */
static void test_northwind_discount_per_line(void **state)
{
	size_t len;
	char *buf = read_file(NW_DETAILS_CSV, &len);

	(void)state;
	map_set("{\"columns\": {\"external_id\": \"orderID\", \"sku\": "
		"\"productID\", \"unit_price\": \"unitPrice\", \"quantity\": "
		"\"quantity\", \"discount\": \"discount\"}, \"currency\": "
		"\"USD\"}");
	expect_ok(import_n(buf, len, &map));
	assert_null(order_by_id("11077")); /* 0.2, 0, ... */
	assert_non_null(order_by_id("10248")); /* 0 on every line */
	assert_true(sum.orders_refused > 0);
	free(buf);
}

/* Northwind's orders have no line columns: refused as a whole. */
static void test_northwind_orders_no_lines(void **state)
{
	size_t len;
	char *buf = read_file(NW_ORDERS_CSV, &len);
	static const char mapping[] =
		"{\"columns\": {\"external_id\": \"orderID\", "
		"\"placed_at\": \"orderDate\", \"customer_external_id\": "
		"\"customerID\", \"shipping_amount\": \"freight\", "
		"\"ship_to_name\": \"shipName\", \"ship_to_line1\": "
		"\"shipAddress\", \"ship_to_city\": \"shipCity\", "
		"\"ship_to_region\": \"shipRegion\", \"ship_to_postal_code\": "
		"\"shipPostalCode\", \"ship_to_country\": \"shipCountry\"}, "
		"\"currency\": \"USD\"}";
	int f;

	(void)state;
	/* The saved mapping is refused as it is parsed... */
	assert_int_equal(csv_map_parse(mapping, strlen(mapping), &map, &err),
			 ORDO_EINVALID);
	assert_non_null(strstr(err.message, "line column is needed"));
	expect_detail("columns.sku", "is required");
	expect_detail("columns.quantity", "is required");
	expect_detail("columns.unit_price", "is required");
	ordo_err_clear(&err);

	/* ...and the same mapping made in code, by the file. */
	csv_map_init(&map);
	snprintf(map.columns[CSV_F_EXTERNAL_ID], CSV_COLUMN_NAME_MAX,
		 "orderID");
	snprintf(map.columns[CSV_F_PLACED_AT], CSV_COLUMN_NAME_MAX,
		 "orderDate");
	snprintf(map.currency, sizeof(map.currency), "USD");
	assert_int_equal(import_n(buf, len, &map), ORDO_EINVALID);
	assert_non_null(strstr(err.message, "line column is needed"));
	expect_detail("columns.sku", "is required");
	ordo_err_clear(&err);

	/* Without a mapping: no column of ordo's names at all. */
	assert_int_equal(import_n(buf, len, NULL), ORDO_EINVALID);
	assert_non_null(strstr(err.message, "line column is needed"));
	expect_detail("columns.sku", "orderID, customerID");
	assert_int_equal(S.n_orders, 0);
	assert_int_equal(S.n_reps, 0);
	for (f = 0; f < CSV_FIELD_COUNT; f++)
		assert_string_not_equal(csv_field_name((csv_field)f), "?");
	free(buf);
}

/* ---- reading ---------------------------------------------------------- */

static void test_delimiters_detected(void **state)
{
	static const struct {
		const char *text;
		char delim;
	} cases[] = {
		{"external_id,sku,quantity,unit_price,currency\n"
		 "A1,SKU-1,2,3.50,EUR\n",
		 ','},
		{"external_id;sku;quantity;unit_price;currency\n"
		 "A1;SKU-1;2;3.50;EUR\n",
		 ';'},
		{"external_id\tsku\tquantity\tunit_price\tcurrency\n"
		 "A1\tSKU-1\t2\t3.50\tEUR\n",
		 '\t'},
		/* Commas inside quotes do not count. */
		{"\"external_id\";\"sku,a,b,c\";quantity;unit_price;currency\n"
		 "A1;SKU-1;2;3.50;EUR\n",
		 ';'},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		reset();
		csv_map_init(&map);
		if (i == 3)
			snprintf(map.columns[CSV_F_SKU], CSV_COLUMN_NAME_MAX,
				 "sku,a,b,c");
		if (i == 3) {
			snprintf(map.columns[CSV_F_EXTERNAL_ID],
				 CSV_COLUMN_NAME_MAX, "external_id");
			snprintf(map.columns[CSV_F_QUANTITY],
				 CSV_COLUMN_NAME_MAX, "quantity");
			snprintf(map.columns[CSV_F_UNIT_PRICE],
				 CSV_COLUMN_NAME_MAX, "unit_price");
			snprintf(map.columns[CSV_F_CURRENCY],
				 CSV_COLUMN_NAME_MAX, "currency");
		}
		expect_ok(import(cases[i].text, &map));
		assert_int_equal(sum.delimiter, cases[i].delim);
		assert_int_equal(S.n_orders, 1);
		check_line(&S.orders[0].lines[0], "SKU-1", 2, 350);
		assert_string_equal(S.orders[0].currency, "EUR");
	}
}

static void test_decimal_comma_and_day_first(void **state)
{
	static const char text[] =
		"Bestellung;Artikel;Menge;Preis;Datum;Versand;Land\n"
		"B-1;X;1;1.234,56;01.12.2010 14:05;4,90;Deutschland\n"
		"B-1;Y;2;0,5;01.12.2010 14:05;4,90;Deutschland\n"
		"B-2;Z;1.000;1 234 567,00;31/12/2010;;AT\n"
		"B-3;Z;1;12\xC2\xA0" "345,5;2010-12-31;;Germany\n";
	const order *o;

	(void)state;
	map_set("{\"columns\": {\"external_id\": \"Bestellung\", \"sku\": "
		"\"Artikel\", \"quantity\": \"Menge\", \"unit_price\": "
		"\"Preis\", \"placed_at\": \"Datum\", \"shipping_amount\": "
		"\"Versand\", \"ship_to_country\": \"Land\"}, \"decimal\": "
		"\",\", \"date_order\": \"dmy\", \"currency\": \"EUR\"}");
	expect_ok(import(text, &map));
	assert_int_equal(sum.delimiter, ';');
	assert_int_equal(S.n_orders, 3);
	o = &S.orders[0];
	check_line(&o->lines[0], "X", 1, 123456);
	check_line(&o->lines[1], "Y", 2, 50);
	assert_int_equal(o->placed_at, utc("2010-12-01T14:05:00Z"));
	assert_int_equal(o->shipping.amount, 490);
	assert_int_equal(o->totals.subtotal, 123556);
	assert_int_equal(o->totals.total, 123556 + 490);
	assert_string_equal(o->ship_to.country, "DE");
	o = &S.orders[1];
	check_line(&o->lines[0], "Z", 1000, 123456700);
	assert_int_equal(o->placed_at, utc("2010-12-31T00:00:00Z"));
	assert_string_equal(o->ship_to.country, "AT");
	o = &S.orders[2];
	check_line(&o->lines[0], "Z", 1, 1234550);
}

static void test_dates_and_times(void **state)
{
	static const struct {
		const char *cell;
		const char *order;
		const char *utc; /* NULL: refused */
	} cases[] = {
		{"2010-12-01", "ymd", "2010-12-01T00:00:00Z"},
		{"2010-12-01 08:26:00", "ymd", "2010-12-01T08:26:00Z"},
		{"2010-12-01T08:26:00Z", "dmy", "2010-12-01T08:26:00Z"},
		{"2010-12-01T08:26:00+01:00", "ymd", "2010-12-01T07:26:00Z"},
		{"2010-12-01 08:26:00 -0500", "ymd", "2010-12-01T13:26:00Z"},
		{"1996-07-04 00:00:00.000", "ymd", "1996-07-04T00:00:00Z"},
		{"2010/12/01 8:26", "mdy", "2010-12-01T08:26:00Z"},
		{"12/1/2010 8:26", "mdy", "2010-12-01T08:26:00Z"},
		{"12/1/2010 8:26 PM", "mdy", "2010-12-01T20:26:00Z"},
		{"12/1/2010 12:05 AM", "mdy", "2010-12-01T00:05:00Z"},
		{"01.12.2010", "dmy", "2010-12-01T00:00:00Z"},
		{"1-12-2010 23:59:59", "dmy", "2010-12-01T23:59:59Z"},
		{"29.02.2012", "dmy", "2012-02-29T00:00:00Z"},
		{"29.02.2011", "dmy", NULL},
		{"12/1/2010", "ymd", NULL},
		{"12/1/10", "mdy", NULL},
		{"13/13/2010", "dmy", NULL},
		{"2010-12-01 24:00", "ymd", NULL},
		{"2010-12-01 08:26 tomorrow", "ymd", NULL},
		{"yesterday", "ymd", NULL},
		{"2010-12-01T", "ymd", NULL},
	};
	char text[256], json[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		reset();
		snprintf(text, sizeof(text),
			 "external_id,sku,quantity,unit_price,placed_at\n"
			 "A,S,1,1.00,\"%s\"\n",
			 cases[i].cell);
		snprintf(json, sizeof(json),
			 "{\"currency\": \"USD\", \"date_order\": \"%s\"}",
			 cases[i].order);
		map_set(json);
		expect_ok(import(text, &map));
		if (cases[i].utc) {
			if (S.n_orders != 1) {
				dump();
				fail_msg("%s refused", cases[i].cell);
			}
			assert_int_equal(S.orders[0].placed_at,
					 utc(cases[i].utc));
		} else {
			if (S.n_orders != 0)
				fail_msg("%s taken", cases[i].cell);
			expect_rep(2, "placed_at", NULL);
		}
	}
}

static void test_values(void **state)
{
	static const struct {
		const char *qty, *price, *country;
		int64_t want_qty, want_price;
		const char *want_country; /* NULL: the row is refused */
		const char *column, *why;
	} cases[] = {
		{"3", "2.55", "United Kingdom", 3, 255, "GB", NULL, NULL},
		{"3.0", "2.550", "uk", 3, 255, "GB", NULL, NULL},
		{"+3", "2.5", "EIRE", 3, 250, "IE", NULL, NULL},
		{"1,000", "1,234.5", "U.S.A.", 1000, 123450, "US", NULL, NULL},
		{"2", ".5", "de", 2, 50, "DE", NULL, NULL},
		{"2", "0", "DEU", 2, 0, "DE", NULL, NULL},
		{"2", "7", "NULL", 2, 700, "", NULL, NULL},
		{"2", "7", "Cote d'Ivoire", 2, 700, "CI", NULL, NULL},
		{"2", "7", "Türkiye", 2, 700, "TR", NULL, NULL},
		{"2", "7", "Atlantis", 0, 0, NULL, "country",
		 "not a country"},
		{"3.5", "1", "GB", 0, 0, NULL, "quantity", "whole number"},
		{"0", "1", "GB", 0, 0, NULL, "quantity", "at least 1"},
		{"-2", "1", "GB", 0, 0, NULL, "quantity", "negative"},
		{"2000000", "1", "GB", 0, 0, NULL, "quantity",
		 "ORDO_MAX_QUANTITY"},
		{"two", "1", "GB", 0, 0, NULL, "quantity", "not a number"},
		{"", "1", "GB", 0, 0, NULL, "quantity", "is empty"},
		{"2", "2.555", "GB", 0, 0, NULL, "unit_price", "decimal"},
		{"2", "-1.00", "GB", 0, 0, NULL, "unit_price", "negative"},
		{"2", "1,5", "GB", 0, 0, NULL, "unit_price", "decimal"},
		{"2", "1234,567.00", "GB", 0, 0, NULL, "unit_price",
		 "decimal"},
		{"2", "12,34,567", "GB", 0, 0, NULL, "unit_price", "decimal"},
		{"1,0000", "1", "GB", 0, 0, NULL, "quantity", "decimal"},
		{"2", "$1.50", "GB", 0, 0, NULL, "unit_price", "number"},
		{"2", "null", "GB", 0, 0, NULL, "unit_price", "is empty"},
		{"2", "99999999999999", "GB", 0, 0, NULL, "unit_price",
		 "at most"},
	};
	char text[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		reset();
		snprintf(text, sizeof(text),
			 "external_id,sku,quantity,unit_price,currency,"
			 "country\n"
			 "A,S,\"%s\",\"%s\",gbp,\"%s\"\n",
			 cases[i].qty, cases[i].price, cases[i].country);
		csv_map_init(&map);
		map_set("{\"columns\": {\"external_id\": \"external_id\", "
			"\"sku\": \"sku\", \"quantity\": \"quantity\", "
			"\"unit_price\": \"unit_price\", \"currency\": "
			"\"currency\", \"ship_to_country\": \"country\"}}");
		expect_ok(import(text, &map));
		if (cases[i].want_country) {
			if (S.n_orders != 1) {
				dump();
				fail_msg("case %zu refused", i);
			}
			check_line(&S.orders[0].lines[0], "S",
				   cases[i].want_qty, cases[i].want_price);
			assert_string_equal(S.orders[0].ship_to.country,
					    cases[i].want_country);
			assert_string_equal(S.orders[0].currency, "GBP");
		} else {
			if (S.n_orders != 0)
				fail_msg("case %zu taken", i);
			expect_rep(2, cases[i].column, cases[i].why);
		}
	}
}

/* The order's fields from its first row that has each; totals are its
 * own arithmetic; amounts that differ between rows are refused. */
static void test_order_fields(void **state)
{
	static const char text[] =
		"order,when,sku,qty,price,cur,cust,name,email,phone,ship_name,"
		"company,street,street2,city,region,zip,country,ship_phone,"
		"method,shipping,tax,discount,paid,note\n"
		"O1,,A,2,10.00,,,,,,,,,,,,,,,,,,,,\n"
		"O1,2024-03-01T10:00:00Z,B,1,5.00,USD,C-9,Ann Lee,ann@x.test,"
		"555-0100,Ann Lee,Acme,1 Main St,Suite 2,Springfield,IL,62701,"
		"USA,555-0101,Express,4.50,1.25,2.00,Paid,leave at door\n"
		"O1,2024-03-02T10:00:00Z,C,1,1.00,USD,C-8,Bob,,,,,,,,,,,,,4.50,"
		",,,\n"
		"O2,2024-03-01,A,1,1.00,USD,,,,,,,,,,,,,,,4.50,,,,\n"
		"O2,2024-03-01,A,1,1.00,USD,,,,,,,,,,,,,,,5.00,,,,\n"
		"O3,2024-03-01,A,1,1.00,USD,,,,,,,,,,,,,,,,,,,\n"
		"O3,2024-03-01,A,1,1.00,EUR,,,,,,,,,,,,,,,,,,,\n"
		"O4,2024-03-01,A,1,1.00,USD,,,,,,,,,,,,,,,,,,maybe,\n";
	const order *o;

	(void)state;
	map_set("{\"columns\": {\"external_id\": \"order\", \"placed_at\": "
		"\"when\", \"sku\": \"sku\", \"quantity\": \"qty\", "
		"\"unit_price\": \"price\", \"currency\": \"cur\", "
		"\"customer_external_id\": \"cust\", \"customer_name\": "
		"\"name\", \"customer_email\": \"email\", \"customer_phone\": "
		"\"phone\", \"ship_to_name\": \"ship_name\", "
		"\"ship_to_company\": \"company\", \"ship_to_line1\": "
		"\"street\", \"ship_to_line2\": \"street2\", \"ship_to_city\": "
		"\"city\", \"ship_to_region\": \"region\", "
		"\"ship_to_postal_code\": \"zip\", \"ship_to_country\": "
		"\"country\", \"ship_to_phone\": \"ship_phone\", "
		"\"shipping_method\": \"method\", \"shipping_amount\": "
		"\"shipping\", \"tax\": \"tax\", \"discount\": \"discount\", "
		"\"payment_status\": \"paid\", \"notes\": \"note\"}, "
		"\"currency\": \"USD\", \"country\": \"GB\"}");
	expect_ok(import(text, &map));
	assert_int_equal(S.n_orders, 1);
	o = &S.orders[0];
	assert_string_equal(o->external_id, "O1");
	assert_int_equal(o->placed_at, utc("2024-03-01T10:00:00Z"));
	assert_string_equal(o->currency, "USD");
	assert_string_equal(o->customer.external_id, "C-9");
	assert_string_equal(o->customer.name, "Ann Lee");
	assert_string_equal(o->customer.email, "ann@x.test");
	assert_string_equal(o->customer.phone, "555-0100");
	assert_string_equal(o->ship_to.name, "Ann Lee");
	assert_string_equal(o->ship_to.company, "Acme");
	assert_string_equal(o->ship_to.line1, "1 Main St");
	assert_string_equal(o->ship_to.line2, "Suite 2");
	assert_string_equal(o->ship_to.city, "Springfield");
	assert_string_equal(o->ship_to.region, "IL");
	assert_string_equal(o->ship_to.postal_code, "62701");
	assert_string_equal(o->ship_to.country, "US");
	assert_string_equal(o->ship_to.phone, "555-0101");
	assert_string_equal(o->shipping.method, "Express");
	assert_int_equal(o->shipping.amount, 450);
	assert_int_equal(o->payment, PAYMENT_PAID);
	assert_string_equal(o->notes, "leave at door");
	assert_int_equal(o->n_lines, 3);
	assert_int_equal(o->totals.subtotal, 2600);
	assert_int_equal(o->totals.shipping, 450);
	assert_int_equal(o->totals.tax, 125);
	assert_int_equal(o->totals.discount, 200);
	assert_int_equal(o->totals.total, 2600 + 450 + 125 - 200);

	/* O2: two shipping amounts; O3: two currencies; O4: no such
	 * payment status. */
	expect_rep(6, "shipping", "line 5 gave 4.50");
	expect_rep(5, "", "order O2 is not taken: the row on line 6");
	expect_rep(8, "cur", "one currency");
	expect_rep(9, "paid", "one of: pending");
	assert_int_equal(sum.orders_refused, 3);
	assert_int_equal(sum.rows_refused, 5);
}

static void test_total_column(void **state)
{
	(void)state;
	map_set("{\"columns\": {\"external_id\": \"id\", \"sku\": \"sku\", "
		"\"quantity\": \"q\", \"unit_price\": \"p\", \"total\": "
		"\"t\"}, \"currency\": \"JPY\"}");
	expect_ok(import("id,sku,q,p,t\n1,A,2,1000.00,2100\n1,B,1,5,2100\n",
			 &map));
	assert_int_equal(S.n_orders, 1);
	check_line(&S.orders[0].lines[0], "A", 2, 1000);
	assert_int_equal(S.orders[0].totals.subtotal, 2005);
	assert_int_equal(S.orders[0].totals.total, 2100);
	reset();
	expect_ok(import("id,sku,q,p,t\n1,A,2,1000.5,\n", &map));
	expect_rep(2, "p", "decimal");
}

static void test_quoting_and_line_numbers(void **state)
{
	static const char text[] =
		"external_id,sku,title,quantity,unit_price,notes\n"
		"A,S1,\"Chair, oak\",1,10.00,\"said \"\"hello\"\"\"\n"
		"A,S2,\"Table\nwith two\r\nline breaks\",1,20.00,\n"
		"\n"
		"B,S3,plain,1,1.00,\n"
		"C,S4,\"x\",oops,1.00,\n"
		",,,,,\n"
		"  \n"
		"D,S5, spaced ,2, 3.00 ,\n";
	const order *o;

	(void)state;
	map_set("{\"currency\": \"EUR\"}");
	expect_ok(import(text, &map));
	assert_int_equal(S.n_orders, 3);
	o = &S.orders[0];
	assert_string_equal(o->lines[0].title, "Chair, oak");
	assert_string_equal(o->notes, "said \"hello\"");
	assert_string_equal(o->lines[1].title,
			    "Table\nwith two\nline breaks");
	assert_int_equal(S.rows[0][0], 2);
	assert_int_equal(S.rows[0][1], 3);
	/* The quoted field spans lines 3 to 5; the blank line is 6. */
	assert_string_equal(S.orders[1].external_id, "B");
	assert_int_equal(S.rows[1][0], 7);
	expect_rep(8, "quantity", "\"oops\"");
	assert_int_equal(sum.rows, 5); /* blank lines are no rows */
	o = &S.orders[2];
	assert_string_equal(o->external_id, "D");
	assert_int_equal(S.rows[2][0], 11);
	assert_string_equal(o->lines[0].title, "spaced");
	check_line(&o->lines[0], "S5", 2, 300);
	/* The source keeps the rows as they were, the multi-line one
	 * included. */
	assert_string_equal(S.orders[0].source,
			    "external_id,sku,title,quantity,unit_price,notes\n"
			    "A,S1,\"Chair, oak\",1,10.00,\"said "
			    "\"\"hello\"\"\"\n"
			    "A,S2,\"Table\nwith two\r\nline breaks\",1,"
			    "20.00,\n");
}

static void test_quote_problems(void **state)
{
	(void)state;
	map_set("{\"currency\": \"EUR\"}");
	/* Text after a closing quote: that cell is at fault. */
	expect_ok(import("external_id,sku,quantity,unit_price\n"
			 "A,\"S1\"x,1,1.00\n"
			 "B,S2,1,1.00\n",
			 &map));
	assert_int_equal(S.n_orders, 1);
	expect_rep(2, "sku", "closing quote");
	/* A quote never closed: the rows after it cannot be told apart. */
	reset();
	assert_int_equal(import("external_id,sku,quantity,unit_price\n"
				"A,S1,1,1.00\n"
				"B,\"S2,1,1.00\n"
				"C,S3,1,1.00\n",
				&map),
			 ORDO_EINVALID);
	assert_non_null(strstr(err.message, "line 3"));
	assert_non_null(strstr(err.message, "never closed"));
	assert_int_equal(S.n_orders, 0);
	/* Too many fields (a delimiter in an unquoted value). */
	reset();
	expect_ok(import("external_id,sku,quantity,unit_price\n"
			 "A,S1,1,1.00,\n"
			 "B,S2,1,1.00,extra\n",
			 &map));
	assert_int_equal(S.n_orders, 1);
	expect_rep(3, "", "has 5 fields; the header has 4");
}

/* The same orders whatever the line ends and with a byte-order mark. */
static void test_line_ends_and_bom(void **state)
{
	static const char *const texts[] = {
		"external_id,sku,quantity,unit_price\nA,S1,1,1.00\n"
		"A,S2,2,2.00\nB,S3,x,1.00\n",
		"external_id,sku,quantity,unit_price\r\nA,S1,1,1.00\r\n"
		"A,S2,2,2.00\r\nB,S3,x,1.00\r\n",
		"external_id,sku,quantity,unit_price\rA,S1,1,1.00\r"
		"A,S2,2,2.00\rB,S3,x,1.00",
		"\xEF\xBB\xBF"
		"external_id,sku,quantity,unit_price\r\nA,S1,1,1.00\r\n"
		"A,S2,2,2.00\r\nB,S3,x,1.00",
	};
	size_t i;

	(void)state;
	map_set("{\"currency\": \"EUR\"}");
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		reset();
		expect_ok(import(texts[i], &map));
		assert_int_equal(S.n_orders, 1);
		assert_int_equal(S.orders[0].n_lines, 2);
		check_line(&S.orders[0].lines[1], "S2", 2, 200);
		assert_int_equal(S.rows[0][1], 3);
		expect_rep(4, "quantity", NULL);
		assert_false(sum.converted);
		/* The byte-order mark is not part of the source. */
		assert_int_equal(strncmp(S.orders[0].source, "external_id", 11),
				 0);
	}
}

static void test_windows_1252(void **state)
{
	static const char text[] = "external_id;sku;title;quantity;unit_price\n"
				   "A;S1;Caf\xE9 cr\xE8me \x80 5;1;1,50\n"
				   "A;S2;na\xEFve;1;2,00\n";
	const order *o;
	size_t i, notes = 0;

	(void)state;
	map_set("{\"currency\": \"EUR\", \"decimal\": \",\"}");
	expect_ok(import(text, &map));
	assert_true(sum.converted);
	assert_int_equal(S.n_orders, 1);
	o = &S.orders[0];
	assert_string_equal(o->lines[0].title,
			    "Caf\xC3\xA9 cr\xC3\xA8me \xE2\x82\xAC 5");
	assert_string_equal(o->lines[1].title, "na\xC3\xAFve");
	check_line(&o->lines[0], "S1", 1, 150);
	assert_non_null(strstr(o->source, "Caf\xC3\xA9"));
	for (i = 0; i < S.n_reps; i++)
		if (S.reps[i].kind == CSV_REPORT_NOTE) {
			notes++;
			assert_non_null(strstr(S.reps[i].message,
					       "Windows-1252"));
			assert_int_equal(S.reps[i].line, 0);
		}
	assert_int_equal(notes, 1);
	assert_int_equal(sum.rows_refused, 0);
}

/* Good orders are taken whatever is wrong elsewhere; an order with a bad
 * row is not taken at all, and each of its rows is reported. */
static void test_good_and_bad_rows(void **state)
{
	static const char text[] =
		"id,sku,qty,price\n"  /* 1 */
		"G1,A,1,1.00\n"	      /* 2 */
		"BAD,A,1,1.00\n"      /* 3 */
		"G2,A,1,1.00\n"	      /* 4 */
		"BAD,B,-1,oops\n"     /* 5: two problems */
		",C,1,1.00\n"	      /* 6: no order */
		"G1,B,2,2.00\n"	      /* 7: G1 again, far from its first */
		"BAD,C,1,1.00\n"      /* 8 */
		"NULL,D,1,1.00\n";    /* 9: no order */
	size_t i;

	(void)state;
	map_set("{\"columns\": {\"external_id\": \"id\", \"sku\": \"sku\", "
		"\"quantity\": \"qty\", \"unit_price\": \"price\"}, "
		"\"currency\": \"GBP\"}");
	expect_ok(import(text, &map));
	assert_int_equal(S.n_orders, 2);
	assert_string_equal(S.orders[0].external_id, "G1");
	assert_int_equal(S.orders[0].n_lines, 2);
	assert_int_equal(S.rows[0][1], 7);
	check_line(&S.orders[0].lines[1], "B", 2, 200);
	/* G1's source: the header and lines 2 and 7. */
	assert_string_equal(S.orders[0].source,
			    "id,sku,qty,price\nG1,A,1,1.00\nG1,B,2,2.00\n");
	assert_string_equal(S.orders[1].external_id, "G2");

	expect_rep(3, "", "order BAD is not taken: the row on line 5 is bad");
	expect_rep(5, "qty", "negative");
	expect_rep(8, "", "line 5");
	expect_rep(6, "id", "belongs to no order");
	expect_rep(9, "id", "belongs to no order");
	for (i = 0; i < S.n_reps; i++)
		if (S.reps[i].line == 5 &&
		    strcmp(S.reps[i].column, "price") == 0)
			break;
	assert_true(i < S.n_reps);
	assert_int_equal(sum.rows, 8);
	assert_int_equal(sum.rows_refused, 5);
	assert_int_equal(sum.orders_refused, 1);
	assert_int_equal(sum.orders_taken, 2);
}

static void test_identity_and_text_lengths(void **state)
{
	char text[2048], sku[ORDO_SKU_MAX + 8], title[ORDO_TITLE_MAX + 40];

	(void)state;
	memset(sku, 'S', sizeof(sku) - 1);
	sku[sizeof(sku) - 1] = '\0';
	/* A title of two-byte characters, longer than the field. */
	{
		size_t i;

		for (i = 0; i + 2 < sizeof(title); i += 2)
			memcpy(title + i, "\xC3\xA9", 2);
		title[i] = '\0';
	}
	map_set("{\"currency\": \"EUR\"}");
	snprintf(text, sizeof(text),
		 "external_id,sku,title,quantity,unit_price\n"
		 "A,%s,t,1,1\nB,S,%s,1,1\n",
		 sku, title);
	expect_ok(import(text, &map));
	expect_rep(2, "sku", "at most 64");
	assert_int_equal(S.n_orders, 1);
	assert_true(strlen(S.orders[0].lines[0].title) < ORDO_TITLE_MAX);
	assert_true(ordo_utf8_valid(S.orders[0].lines[0].title,
				    strlen(S.orders[0].lines[0].title)));
}

static void test_too_many_lines(void **state)
{
	char *text;
	size_t cap = 64 * 1024, len = 0, i;

	(void)state;
	text = malloc(cap);
	assert_non_null(text);
	len += (size_t)snprintf(text + len, cap - len,
				"external_id,sku,quantity,unit_price\n");
	for (i = 0; i < ORDO_MAX_LINES + 1; i++)
		len += (size_t)snprintf(text + len, cap - len,
					"BIG,S%zu,1,1\n", i);
	len += (size_t)snprintf(text + len, cap - len, "OK,S,1,1\n");
	assert_true(len < cap);
	map_set("{\"currency\": \"EUR\"}");
	expect_ok(import_n(text, len, &map));
	assert_int_equal(S.n_orders, 1);
	assert_string_equal(S.orders[0].external_id, "OK");
	assert_int_equal(sum.rows_refused, ORDO_MAX_LINES + 1);
	expect_rep(2, "", "ORDO_MAX_LINES");
	expect_rep(ORDO_MAX_LINES + 2, "", "not taken");
	/* Exactly ORDO_MAX_LINES is an order. */
	reset();
	len = (size_t)(strstr(text, "BIG,S500,") - text);
	expect_ok(import_n(text, len, &map));
	assert_int_equal(S.n_orders, 1);
	assert_int_equal(S.orders[0].n_lines, ORDO_MAX_LINES);
	free(text);
}

/* ---- the mapping ------------------------------------------------------ */

static ordo_code map_try(const char *json)
{
	ordo_err_clear(&err);
	csv_map_init(&map);
	return csv_map_parse(json, strlen(json), &map, &err);
}

static void test_mapping_refusals(void **state)
{
	(void)state;
	assert_int_equal(map_try("{\"columns\": {\"external_id\": \"a\", "
				 "\"skuu\": \"b\", \"sku\": \"b\", "
				 "\"quantity\": \"c\", \"unit_price\": "
				 "\"d\"}}"),
			 ORDO_EINVALID);
	expect_detail("columns.skuu", "did you mean \"sku\"");
	assert_int_equal(map_try("{\"delimeter\": \";\"}"), ORDO_EINVALID);
	expect_detail("delimeter", "did you mean \"delimiter\"");
	assert_int_equal(map_try("{\"columns\": {\"external_id\": \"a\", "
				 "\"sku\": \"b\", \"unit_price\": \"d\"}}"),
			 ORDO_EINVALID);
	expect_detail("columns.quantity", "is required");
	assert_int_equal(map_try("{\"date_order\": \"ydm\"}"), ORDO_EINVALID);
	expect_detail("date_order", "ymd, dmy, mdy");
	assert_int_equal(map_try("{\"decimal\": \";\"}"), ORDO_EINVALID);
	expect_detail("decimal", NULL);
	assert_int_equal(map_try("{\"delimiter\": \"|\"}"), ORDO_EINVALID);
	expect_detail("delimiter", NULL);
	assert_int_equal(map_try("{\"currency\": \"XYZ\"}"), ORDO_EINVALID);
	expect_detail("currency", "ISO 4217");
	assert_int_equal(map_try("{\"country\": \"Narnia\"}"), ORDO_EINVALID);
	expect_detail("country", "Narnia");
	assert_int_equal(map_try("{\"columns\": {\"sku\": \"\"}}"),
			 ORDO_EINVALID);
	expect_detail("columns.sku", "must name a column");
	assert_int_equal(map_try("{\"columns\": {\"sku\": 3}}"),
			 ORDO_EINVALID);
	expect_detail("columns.sku", "string");
	assert_int_equal(map_try("{\"columns\": []}"), ORDO_EINVALID);
	assert_int_equal(map_try("[1]"), ORDO_EINVALID);
	assert_int_equal(map_try("{not json"), ORDO_EINVALID);
	assert_true(err.message[0] != '\0');

	/* Accepted: every option, named delimiters. */
	assert_int_equal(map_try("{\"delimiter\": \"tab\", \"decimal\": "
				 "\",\", \"date_order\": \"dmy\", "
				 "\"currency\": \"eur\", \"country\": "
				 "\"Germany\"}"),
			 ORDO_OK);
	assert_int_equal(map.delimiter, '\t');
	assert_int_equal(map.decimal, ',');
	assert_int_equal(map.date_order, CSV_DATE_DMY);
	assert_string_equal(map.currency, "EUR");
	assert_string_equal(map.country, "DE");
}

/* A column the header does not have: refused naming it and listing the
 * header's columns; two columns of one name: refused as ambiguous. */
static void test_mapping_against_header(void **state)
{
	(void)state;
	map_set("{\"columns\": {\"external_id\": \"Order\", \"sku\": "
		"\"StockCod\", \"quantity\": \"Qty\", \"unit_price\": "
		"\"Price\"}, \"currency\": \"EUR\"}");
	assert_int_equal(import("order,StockCode,QTY,Price,Price\n"
				"1,A,1,1\n",
				&map),
			 ORDO_EINVALID);
	expect_detail("columns.sku", "did you mean \"StockCode\"");
	expect_detail("columns.sku", "order, StockCode, QTY, Price, Price");
	expect_detail("columns.unit_price", "columns 4 and 5");
	assert_null(detail("columns.quantity")); /* case does not matter */
	assert_null(detail("columns.external_id"));
	assert_int_equal(S.n_orders, 0);
	assert_int_equal(S.n_reps, 0);

	reset();
	map_set("{\"columns\": {\"external_id\": \"a\", \"sku\": \"b\", "
		"\"quantity\": \"c\", \"unit_price\": \"d\"}}");
	assert_int_equal(import("a,b,c,d\n1,A,1,1\n", &map), ORDO_EINVALID);
	expect_detail("currency", "no currency");
}

/* ---- refusals of the whole file and limits ----------------------------- */

static void test_whole_file_refusals(void **state)
{
	static const char utf16[] = "\xFF\xFE" "e\0x\0";
	char nul[] = "external_id,sku,quantity,unit_price\nA,B\0,1,1\n";

	(void)state;
	map_set("{\"currency\": \"EUR\"}");
	assert_int_equal(import("", &map), ORDO_EINVALID);
	assert_non_null(strstr(err.message, "no header"));
	reset();
	assert_int_equal(import("\n\r\n  \n", &map), ORDO_EINVALID);
	assert_non_null(strstr(err.message, "no header"));
	reset();
	assert_int_equal(import_n(nul, sizeof(nul) - 1, &map), ORDO_EINVALID);
	assert_non_null(strstr(err.message, "line 2 holds a NUL"));
	reset();
	assert_int_equal(import_n(utf16, sizeof(utf16) - 1, &map),
			 ORDO_EINVALID);
	assert_non_null(strstr(err.message, "UTF-16"));
	reset();
	assert_int_equal(csv_import("external_id,sku,quantity,unit_price\n",
				    36, &map, "Bad Name", &handler, &sum,
				    &err),
			 ORDO_EINVALID);
	assert_string_equal(err.field, "channel");
	/* A header alone: nothing to take, nothing wrong. */
	reset();
	expect_ok(import("external_id,sku,quantity,unit_price", &map));
	assert_int_equal(S.n_orders, 0);
	assert_int_equal(sum.rows, 0);
}

static void test_limits(void **state)
{
	char *big;
	size_t len, i;

	(void)state;
	map_set("{\"currency\": \"EUR\"}");

	/* Past CSV_MAX_FILE_BYTES. */
	big = malloc((size_t)CSV_MAX_FILE_BYTES + 1);
	assert_non_null(big);
	memset(big, 'a', (size_t)CSV_MAX_FILE_BYTES + 1);
	assert_int_equal(import_n(big, (size_t)CSV_MAX_FILE_BYTES + 1, &map),
			 ORDO_ELIMIT);
	assert_non_null(strstr(err.message, "CSV_MAX_FILE_BYTES"));
	free(big);

	/* Past CSV_MAX_COLUMNS. */
	reset();
	big = malloc(4 * CSV_MAX_COLUMNS + 64);
	assert_non_null(big);
	len = (size_t)sprintf(big, "external_id,sku,quantity,unit_price");
	for (i = 4; i <= CSV_MAX_COLUMNS; i++)
		big[len++] = ',';
	big[len++] = '\n';
	assert_int_equal(import_n(big, len, &map), ORDO_ELIMIT);
	assert_non_null(strstr(err.message, "CSV_MAX_COLUMNS"));
	free(big);

	/* Past CSV_MAX_FIELD_BYTES, in a quoted field. */
	reset();
	big = malloc(CSV_MAX_FIELD_BYTES + 128);
	assert_non_null(big);
	len = (size_t)sprintf(big, "external_id,sku,quantity,unit_price\n"
				   "A,\"");
	memset(big + len, 'x', CSV_MAX_FIELD_BYTES + 1);
	len += CSV_MAX_FIELD_BYTES + 1;
	len += (size_t)sprintf(big + len, "\",1,1\n");
	assert_int_equal(import_n(big, len, &map), ORDO_ELIMIT);
	assert_non_null(strstr(err.message, "CSV_MAX_FIELD_BYTES"));
	assert_non_null(strstr(err.message, "line 2"));
	free(big);

	/* Past CSV_MAX_ROWS: refused before any order is given. */
	reset();
	S.count_only = true;
	{
		static const char head[] =
			"external_id,sku,quantity,unit_price\n";
		static const char row[] = "A,S,1,1\n";
		size_t n = (size_t)CSV_MAX_ROWS + 1;

		len = sizeof(head) - 1 + n * (sizeof(row) - 1);
		big = malloc(len);
		assert_non_null(big);
		memcpy(big, head, sizeof(head) - 1);
		for (i = 0; i < n; i++)
			memcpy(big + sizeof(head) - 1 + i * (sizeof(row) - 1),
			       row, sizeof(row) - 1);
		assert_int_equal(import_n(big, len, &map), ORDO_ELIMIT);
		assert_non_null(strstr(err.message, "CSV_MAX_ROWS"));
		assert_int_equal(S.n_count, 0);
		assert_int_equal(S.n_reps, 0);
		free(big);
	}
}

/* The callback may stop the import; the import says so. */
static void test_callback_stops(void **state)
{
	(void)state;
	map_set("{\"currency\": \"EUR\"}");
	S.stop_at = 2;
	assert_int_equal(import("external_id,sku,quantity,unit_price\n"
				"A,S,1,1\nB,S,1,1\nC,S,1,1\n",
				&map),
			 ORDO_ESTORAGE);
	assert_string_equal(err.message, "the store is full");
	assert_int_equal(S.n_orders, 1);
	assert_int_equal(sum.orders_taken, 1);
}

/* ---- robustness --------------------------------------------------------- */

static const char small_file[] =
	"\xEF\xBB\xBF"
	"external_id;sku;title;quantity;unit_price;placed_at;country;notes\r\n"
	"1001;A-1;\"Chair; \"\"oak\"\"\";2;1.234,50;01.12.2010 08:26;EIRE;\r\n"
	"1001;A-2;\"two\nlines\";1;0,99;01.12.2010;DE;\"n\"\r\n"
	"\r\n"
	"1002;B-1;plain;3,0;2;2010-12-01T08:26:00Z;United Kingdom;x\r\n"
	"1003;C-1;bad;-1;2;;;\r\n"
	"1002;B-2;;1;NULL;;;\r\n"
	"1004;D-1;last;1;1;31/12/2010;FR;end";

/* Import text (a copy of exactly len bytes, so that ASan sees any read
 * past it) and check what any import must hold. */
static void import_checked(const char *text, size_t len, const csv_map *m)
{
	char *copy = malloc(len ? len : 1);
	ordo_code rc;

	assert_non_null(copy);
	memcpy(copy, text, len);
	reset();
	rc = import_n(copy, len, m);
	if (rc != ORDO_OK) {
		assert_true(err.message[0] != '\0');
		assert_int_equal(S.n_orders, 0);
	} else {
		assert_int_equal(S.n_orders, sum.orders_taken);
		assert_true(sum.rows_refused <= sum.rows);
	}
	free(copy);
}

static void test_every_prefix(void **state)
{
	size_t len = sizeof(small_file) - 1, i;

	(void)state;
	map_set("{\"currency\": \"EUR\", \"decimal\": \",\", \"date_order\": "
		"\"dmy\", \"columns\": {\"external_id\": \"external_id\", "
		"\"sku\": \"sku\", \"title\": \"title\", \"quantity\": "
		"\"quantity\", \"unit_price\": \"unit_price\", \"placed_at\": "
		"\"placed_at\", \"ship_to_country\": \"country\", \"notes\": "
		"\"notes\"}}");
	/* The whole file first: what it is meant to give. */
	import_checked(small_file, len, &map);
	assert_int_equal(S.n_orders, 2);
	assert_string_equal(S.orders[0].external_id, "1001");
	check_line(&S.orders[0].lines[0], "A-1", 2, 123450);
	assert_string_equal(S.orders[0].lines[0].title, "Chair; \"oak\"");
	assert_string_equal(S.orders[0].ship_to.country, "IE");
	assert_string_equal(S.orders[1].external_id, "1004");
	assert_int_equal(S.rows[1][0], 9);
	expect_rep(7, "quantity", "negative");
	expect_rep(8, "unit_price", "is empty");
	expect_rep(6, "", "1002 is not taken");
	for (i = 0; i <= len; i++)
		import_checked(small_file, i, &map);
	/* And with ordo's own column names and a detected delimiter. */
	{
		csv_map own;

		csv_map_init(&own);
		snprintf(own.currency, sizeof(own.currency), "EUR");
		own.decimal = ',';
		for (i = 0; i <= len; i++)
			import_checked(small_file, i, &own);
		for (i = 0; i <= len; i++)
			import_checked(small_file, i, NULL);
	}
}

static void test_every_byte_replaced(void **state)
{
	static const char repl[] = {'"', ',', '\n', '\0', ';', '\r', '\xE9'};
	size_t len = sizeof(small_file) - 1, i, k;
	char *text = malloc(len);

	(void)state;
	assert_non_null(text);
	map_set("{\"currency\": \"EUR\", \"decimal\": \",\", \"date_order\": "
		"\"dmy\", \"columns\": {\"external_id\": \"external_id\", "
		"\"sku\": \"sku\", \"title\": \"title\", \"quantity\": "
		"\"quantity\", \"unit_price\": \"unit_price\", \"placed_at\": "
		"\"placed_at\", \"ship_to_country\": \"country\"}}");
	for (k = 0; k < sizeof(repl); k++)
		for (i = 0; i < len; i++) {
			memcpy(text, small_file, len);
			text[i] = repl[k];
			import_checked(text, len, &map);
		}
	free(text);
}

static void test_mapping_prefixes(void **state)
{
	static const char json[] = RETAIL_MAP;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(json) - 1; i++) {
		ordo_err_clear(&err);
		assert_int_not_equal(csv_map_parse(json, i, &map, &err),
				     ORDO_OK);
		assert_true(err.message[0] != '\0');
	}
}

/* 100,000 rows, 20,000 orders of 5 lines, interleaved so that every
 * order's rows are far apart: one import, every order out, memory freed
 * (ASan's leak check at exit). */
static void test_hundred_thousand_rows(void **state)
{
	const size_t n_orders = 20000, per = 5;
	size_t cap = 16 * 1024 * 1024, len = 0, i, j;
	char *text = malloc(cap);

	(void)state;
	assert_non_null(text);
	len += (size_t)snprintf(text, cap,
				"external_id,sku,title,quantity,unit_price,"
				"placed_at,ship_to_country\n");
	for (j = 0; j < per; j++)
		for (i = 0; i < n_orders; i++) {
			len += (size_t)snprintf(
				text + len, cap - len,
				"ORD-%05zu,SKU-%zu,\"Thing, no. %zu\",%zu,"
				"%zu.%02zu,2024-01-%02zu 10:00:00,"
				"United Kingdom\n",
				i, j, j, j + 1, i % 100, j, 1 + i % 28);
			assert_true(len < cap);
		}
	map_set("{\"currency\": \"GBP\"}");
	S.count_only = true;
	expect_ok(import_n(text, len, &map));
	assert_int_equal(sum.rows, n_orders * per);
	assert_int_equal(sum.orders_taken, n_orders);
	assert_int_equal(sum.rows_refused, 0);
	assert_int_equal(S.lines_seen, n_orders * per);
	assert_int_equal(S.n_count, n_orders);
	assert_string_equal(S.first_id, "ORD-00000");
	assert_string_equal(S.last_id, "ORD-19999");
	free(text);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_retail_sample),
		T(test_retail_twice),
		T(test_retail_without_mapping),
		T(test_northwind_details),
		T(test_northwind_discount_per_line),
		T(test_northwind_orders_no_lines),
		T(test_delimiters_detected),
		T(test_decimal_comma_and_day_first),
		T(test_dates_and_times),
		T(test_values),
		T(test_order_fields),
		T(test_total_column),
		T(test_quoting_and_line_numbers),
		T(test_quote_problems),
		T(test_line_ends_and_bom),
		T(test_windows_1252),
		T(test_good_and_bad_rows),
		T(test_identity_and_text_lengths),
		T(test_too_many_lines),
		T(test_mapping_refusals),
		T(test_mapping_against_header),
		T(test_whole_file_refusals),
		T(test_limits),
		T(test_callback_stops),
		T(test_every_prefix),
		T(test_every_byte_replaced),
		T(test_mapping_prefixes),
		T(test_hundred_thousand_rows),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
