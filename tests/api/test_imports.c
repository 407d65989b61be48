/*
 * test_imports.c - order files taken in: POST /v1/imports, GET
 * /v1/imports[/{id}], and `ordo import csv`.
 *
 *   real file    the UCI retail day (tests/samples/csv) through a csv
 *                channel with its saved mapping: every invoice taken or
 *                refused, each refused row named with its line and column,
 *                the report paged; the same file again takes nothing twice.
 *   mixed        semicolons, decimal commas, day-first dates, a quoted
 *                line break: the good orders taken as the file says, the
 *                bad row's order not taken, the report naming the line.
 *   refused      a file the mapping does not fit fails as a whole, saying
 *                why; a wrong media type, an empty body, an unknown query
 *                parameter, a channel that is not a csv one are refused.
 *   write path   a large file does not hold other writes: an order posted
 *                while it runs is answered while it still runs. A node
 *                runs two imports at once (ORDO_IMPORTS_RUNNING): a third
 *                meanwhile is 503 and stores nothing, and is taken once
 *                one has ended.
 *   the command  `ordo import csv` prints the import; bad usage exits 2.
 */
#include "harness.h"
#include "proc.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define RETAIL ORDO_SOURCE_DIR "/tests/samples/csv/databricks_Spark-The-"     \
			       "Definitive-Guide__data_retail-data_by-day_"   \
			       "2010-12-01.csv"
#define RETAIL_MAP                                                             \
	"{\"columns\": {\"external_id\": \"InvoiceNo\", \"sku\": "             \
	"\"StockCode\", \"title\": \"Description\", \"quantity\": "            \
	"\"Quantity\", \"unit_price\": \"UnitPrice\", \"placed_at\": "         \
	"\"InvoiceDate\", \"customer_external_id\": \"CustomerID\", "          \
	"\"ship_to_country\": \"Country\"}, \"currency\": \"GBP\"}"

static const char *acme(void)
{
	return srv->key_acme;
}

static const char *const csv_type[] = {"Content-Type: text/csv", NULL};

/* A csv channel of acme's named name with mapping map (JSON text). */
static void csv_channel(const char *name, const char *map)
{
	char body[2048];
	struct resp *r;

	snprintf(body, sizeof(body),
		 "{\"kind\": \"csv\", \"name\": \"%s\", \"map\": %s}", name,
		 map);
	r = http("POST", "/v1/channels", acme(), body, strlen(body), NULL);
	assert_status(r, 201);
	resp_free(r);
}

/* POST the file text as an import through channel (NULL: none); assert
 * 202 and return the import's id (malloc'd). */
static char *import_post(const char *channel, const char *text, size_t len)
{
	char path[256];
	struct resp *r;
	char *id;

	snprintf(path, sizeof(path), "/v1/imports%s%s",
		 channel ? "?channel=" : "", channel ? channel : "");
	r = http("POST", path, acme(), text, len, csv_type);
	assert_status(r, 202);
	check(streq(jstr(r->json, "state"), "running"), "%s", r->body);
	id = strdup(jstr(r->json, "id"));
	resp_free(r);
	return id;
}

/* GET the import until it is no longer running; its answer. */
static json_t *import_wait(const char *id)
{
	long deadline = harness_now_ms() + 120000 * harness_slow();

	for (;;) {
		struct resp *r = http_get(acme(), "/v1/imports/%s", id);
		json_t *j;

		assert_status(r, 200);
		if (!streq(jstr(r->json, "state"), "running")) {
			j = json_incref(r->json);
			resp_free(r);
			return j;
		}
		resp_free(r);
		check(harness_now_ms() < deadline, "import %s still running",
		      id);
		harness_sleep_ms(50);
	}
}

/* Whether j written compactly holds needle. */
static bool json_has(const json_t *j, const char *needle)
{
	char *text = json_dumps(j, 0);
	bool has = text && strstr(text, needle);

	free(text);
	return has;
}

static long long num(const json_t *j, const char *path)
{
	return (long long)json_integer_value(jget(j, path));
}

API_TEST(a_real_export_is_taken_with_its_saved_mapping)
{
	char *text = proc_slurp(RETAIL), *id, *again;
	json_t *im, *all;
	size_t seen = 0;
	long long n_prev = 0;
	char path[400];

	csv_channel("retail", RETAIL_MAP);
	id = import_post("retail", text, strlen(text));
	im = import_wait(id);
	/* 143 invoices: the 6 "C" (cancellation) invoices and one other
	 * of negative quantities, and two of more rows than an order holds
	 * lines, are not taken. */
	check(streq(jstr(im, "state"), "done") && num(im, "rows") == 3108 &&
		      num(im, "orders") == 143 &&
		      num(im, "orders_taken") == 134 &&
		      num(im, "orders_refused") == 9 &&
		      num(im, "rows_refused") == 1146 &&
		      streq(jstr(im, "channel"), "retail"),
	      "import %s", json_dumps(im, 0));
	check(streq(jstr(im, "rows_not_taken[0].column"), "Quantity") &&
		      num(im, "rows_not_taken[0].line") == 143 &&
		      streq(jstr(im, "rows_not_taken[0].external_id"),
			    "C536379"),
	      "first row not taken %s",
	      json_dumps(jget(im, "rows_not_taken[0]"), 0));
	json_decref(im);

	/* Every row not taken is reached by paging, each once, in order. */
	snprintf(path, sizeof(path), "/v1/imports/%s?limit=200", id);
	for (;;) {
		struct resp *r = http_get(acme(), "%s", path);
		json_t *rows = jget(r->json, "rows_not_taken"), *row;
		size_t i;

		assert_status(r, 200);
		json_array_foreach(rows, i, row) {
			check(num(row, "n") == n_prev + 1, "n %lld after %lld",
			      num(row, "n"), n_prev);
			n_prev = num(row, "n");
			seen++;
		}
		if (json_is_null(jget(r->json, "next_cursor"))) {
			resp_free(r);
			break;
		}
		snprintf(path, sizeof(path),
			 "/v1/imports/%s?limit=200&cursor=%s", id,
			 jstr(r->json, "next_cursor"));
		resp_free(r);
	}
	check(seen == 1146, "paged %zu rows not taken", seen);

	/* An order as the file has it: invoice 536365, 7 lines. */
	all = list_all(acme(), "/v1/orders?channel=retail&external_id=536365",
		       "orders", 10);
	check(json_array_size(all) == 1 &&
		      json_array_size(jget(json_array_get(all, 0), "lines")) ==
			      7 &&
		      streq(jstr(json_array_get(all, 0), "lines[0].sku"),
			    "85123A") &&
		      streq(jstr(json_array_get(all, 0), "lines[0].unit_price"),
			    "2.55") &&
		      streq(jstr(json_array_get(all, 0), "currency"), "GBP") &&
		      streq(jstr(json_array_get(all, 0), "channel_kind"),
			    "csv") &&
		      streq(jstr(json_array_get(all, 0), "placed_at"),
			    "2010-12-01T08:26:00Z"),
	      "order %s", json_dumps(all, 0));
	{
		struct resp *s = http_get(
			acme(), "/v1/orders/%s/source",
			jstr(json_array_get(all, 0), "id"));
		char type[64] = "";

		check(s->status == 200 && strstr(s->body, "InvoiceNo") &&
			      strstr(s->body, "536365") &&
			      !strstr(s->body, "536366") &&
			      resp_header(s, "Content-Type", type,
					  sizeof(type)) &&
			      streq(type, "text/csv"),
		      "source (%s): %.300s", type, s->body);
		resp_free(s);
	}
	json_decref(all);

	/* The same file again: nothing taken twice. */
	again = import_post("retail", text, strlen(text));
	im = import_wait(again);
	check(num(im, "orders_taken") == 0 && num(im, "orders_existing") == 134,
	      "again %s", json_dumps(im, 0));
	json_decref(im);
	check(orders_count(acme(), "channel=retail") == 134, "134 orders");
	free(again);
	free(id);
	free(text);
}

API_TEST(a_file_of_good_and_bad_rows_keeps_its_good_orders)
{
	/* A European export: semicolons, decimal commas, day-first dates,
	 * a quoted line break; order MX-2's second row has a bad quantity. */
	static const char file[] =
		"Order;Date;SKU;Qty;Price;Name;Street;City;Zip;Land\r\n"
		"MX-1;03.02.2026;MUG-12OZ;2;12,50;Anna Weber;\"Hauptstr. 1\r\n"
		"Hinterhaus\";Berlin;10115;Germany\r\n"
		"MX-1;03.02.2026;TSHIRT-BLK-M;1;19,99;Anna Weber;Hauptstr. 1;"
		"Berlin;10115;Germany\r\n"
		"MX-2;04.02.2026;MUG-12OZ;1;12,50;Jan Berg;Ring 2;Hamburg;20095;"
		"DE\r\n"
		"MX-2;04.02.2026;HOODIE-GRY-L;zwei;54,00;Jan Berg;Ring 2;Hamburg;"
		"20095;DE\r\n"
		"MX-3;05.02.2026;HOODIE-GRY-L;1;1.054,00;Eva Roth;Weg 3;Bonn;"
		"53111;DE\r\n";
	char *id;
	json_t *im, *all;

	csv_channel("eu-shop",
		    "{\"columns\": {\"external_id\": \"Order\", \"placed_at\": "
		    "\"Date\", \"sku\": \"SKU\", \"quantity\": \"Qty\", "
		    "\"unit_price\": \"Price\", \"ship_to_name\": \"Name\", "
		    "\"customer_name\": \"Name\", \"ship_to_line1\": "
		    "\"Street\", \"ship_to_city\": \"City\", "
		    "\"ship_to_postal_code\": \"Zip\", \"ship_to_country\": "
		    "\"Land\"}, \"decimal\": \",\", \"date_order\": \"dmy\", "
		    "\"currency\": \"EUR\"}");
	id = import_post("eu-shop", file, sizeof(file) - 1);
	im = import_wait(id);
	check(streq(jstr(im, "state"), "done") && num(im, "orders") == 3 &&
		      num(im, "orders_taken") == 2 &&
		      num(im, "orders_refused") == 1 &&
		      num(im, "rows_refused") == 2,
	      "import %s", json_dumps(im, 0));
	/* The bad row named with its line (after the quoted line break)
	 * and column; its order's other row said to go with it. */
	check(json_has(jget(im, "rows_not_taken"),
		       "\"line\": 6, \"column\": \"Qty\"") ||
		      (num(im, "rows_not_taken[1].line") == 6 &&
		       streq(jstr(im, "rows_not_taken[1].column"), "Qty")) ||
		      (num(im, "rows_not_taken[0].line") == 6 &&
		       streq(jstr(im, "rows_not_taken[0].column"), "Qty")),
	      "report %s", json_dumps(jget(im, "rows_not_taken"), 0));
	json_decref(im);

	all = list_all(acme(), "/v1/orders?channel=eu-shop", "orders", 10);
	check(json_array_size(all) == 2, "2 orders: %s", json_dumps(all, 0));
	{
		json_t *o = NULL, *x;
		size_t i;

		json_array_foreach(all, i, x)
			if (streq(jstr(x, "external_id"), "MX-1"))
				o = x;
		check(o && streq(jstr(o, "currency"), "EUR") &&
			      streq(jstr(o, "placed_at"),
				    "2026-02-03T00:00:00Z") &&
			      streq(jstr(o, "lines[0].unit_price"), "12.50") &&
			      streq(jstr(o, "lines[1].unit_price"), "19.99") &&
			      streq(jstr(o, "ship_to.country"), "DE") &&
			      strstr(jstr(o, "ship_to.line1"), "Hinterhaus"),
		      "MX-1 %s", o ? json_dumps(o, 0) : "missing");
		json_array_foreach(all, i, x)
			if (streq(jstr(x, "external_id"), "MX-3"))
				check(streq(jstr(x, "lines[0].unit_price"),
					    "1054.00"),
				      "MX-3 %s", json_dumps(x, 0));
	}
	json_decref(all);
	free(id);
}

API_TEST(a_file_or_request_that_cannot_be_imported_is_refused)
{
	static const char no_price[] = "external_id,sku,quantity\n"
				       "A-1,MUG-12OZ,1\n";
	struct resp *r;
	json_t *im;
	char *id;

	/* The mapping (ordo's own column names) does not fit: the import
	 * fails as a whole, saying why, and takes nothing. */
	id = import_post(NULL, no_price, sizeof(no_price) - 1);
	im = import_wait(id);
	check(streq(jstr(im, "state"), "failed") &&
		      strstr(jstr(im, "message"), "mapping") &&
		      json_has(jget(im, "rows_not_taken"), "unit_price") &&
		      num(im, "orders_taken") == 0,
	      "failed import %s", json_dumps(im, 0));
	json_decref(im);
	free(id);

	r = http("POST", "/v1/imports", acme(), no_price, sizeof(no_price) - 1,
		 NULL);
	assert_error(r, 415, NULL, "Content-Type");
	check(strstr(r->body, "text/csv") != NULL, "%s", r->body);
	resp_free(r);
	r = http("POST", "/v1/imports", acme(), NULL, 0, csv_type);
	assert_error(r, 400, NULL, "body");
	resp_free(r);
	/* A file is kept only for a caller whose key says who it is:
	 * without one, a body past the ordinary limit is not kept. */
	{
		size_t big = 2u * 1024 * 1024;
		char *blob = malloc(big);

		assert_non_null(blob);
		memset(blob, 'a', big);
		r = http("POST", "/v1/imports", NULL, blob, big, csv_type);
		check(r->status == 413 || r->status == 401, "%ld %s",
		      r->status, r->body);
		resp_free(r);
		free(blob);
	}
	r = http("POST", "/v1/imports?chanel=x", acme(), no_price,
		 sizeof(no_price) - 1, csv_type);
	assert_error(r, 400, NULL, "chanel");
	resp_free(r);
	r = http("POST", "/v1/imports?channel=no-such", acme(), no_price,
		 sizeof(no_price) - 1, csv_type);
	assert_error(r, 404, NULL, "channel");
	resp_free(r);
	r = http("POST", "/v1/channels", acme(),
		 "{\"kind\": \"shopify\", \"name\": \"not-csv\", "
		 "\"secret\": \"s\"}",
		 strlen("{\"kind\": \"shopify\", \"name\": \"not-csv\", "
			"\"secret\": \"s\"}"),
		 NULL);
	assert_status(r, 201);
	resp_free(r);
	r = http("POST", "/v1/imports?channel=not-csv", acme(), no_price,
		 sizeof(no_price) - 1, csv_type);
	assert_error(r, 400, NULL, "channel");
	resp_free(r);
	/* A mapping is checked when it is saved. */
	r = http("POST", "/v1/channels", acme(),
		 "{\"kind\": \"csv\", \"name\": \"badmap\", \"map\": "
		 "{\"colums\": {}}}",
		 strlen("{\"kind\": \"csv\", \"name\": \"badmap\", \"map\": "
			"{\"colums\": {}}}"),
		 NULL);
	assert_error(r, 400, NULL, "map.colums");
	resp_free(r);
	r = http_get(acme(), "/v1/imports/imp_nosuchimport0000000000000");
	assert_error(r, 404, NULL, "id");
	resp_free(r);
	r = http_get(srv->key_globex, "/v1/imports");
	assert_status(r, 200);
	check(json_array_size(jget(r->json, "imports")) == 0,
	      "globex sees no import of acme's: %s", r->body);
	resp_free(r);
}

API_TEST(a_large_file_does_not_hold_other_writes)
{
	enum { ORDERS = 4000 };
	static const char third[] = "external_id,sku,quantity,unit_price,"
				    "currency,customer_name\n"
				    "THIRD-1,MUG-12OZ,1,12.50,USD,A B\n";
	size_t cap = (size_t)ORDERS * 120 + 64, len = 0;
	char *file = malloc(cap), *id, *second, *at_once;
	json_t *im, *o;
	struct resp *r, *during;
	int i;

	assert_non_null(file);
	len += (size_t)snprintf(file, cap,
				"external_id,sku,quantity,unit_price,"
				"currency,customer_name\n");
	for (i = 0; i < ORDERS; i++)
		len += (size_t)snprintf(file + len, cap - len,
					"BIG-%05d,MUG-12OZ,1,12.50,USD,A B\n"
					"BIG-%05d,TSHIRT-BLK-M,2,19.99,USD,"
					"A B\n",
					i, i);
	id = import_post(NULL, file, len);
	o = order_new("DURING-IMPORT");
	during = order_post(acme(), o, NULL);
	assert_status(during, 201);
	r = http_get(acme(), "/v1/imports/%s", id);
	check(streq(jstr(r->json, "state"), "running"),
	      "the order was answered only once the import had ended (%s)",
	      r->body);
	resp_free(r);
	resp_free(during);
	json_decref(o);
	/* Another file of as many orders is a second import at once; a
	 * third is one too many while both run. */
	second = strdup(file);
	assert_non_null(second);
	for (char *at = strstr(second, "BIG-"); at; at = strstr(at, "BIG-"))
		memcpy(at, "TWO-", 4);
	at_once = import_post(NULL, second, len);
	free(second);
	second = at_once;
	r = http("POST", "/v1/imports", acme(), third, strlen(third), csv_type);
	assert_error(r, 503, "unavailable", NULL);
	check(strstr(r->body, "2 imports are running"), "%s", r->body);
	resp_free(r);
	r = http_get(acme(), "/v1/orders?external_id=THIRD-1");
	check(json_array_size(jget(r->json, "orders")) == 0,
	      "the refused import stored %s", r->body);
	resp_free(r);
	json_decref(import_wait(second));
	free(second);
	second = import_post(NULL, third, strlen(third));
	im = import_wait(second);
	check(streq(jstr(im, "state"), "done") && num(im, "orders_taken") == 1,
	      "once one ended, the third is taken: %s", json_dumps(im, 0));
	json_decref(im);
	free(second);
	im = import_wait(id);
	check(streq(jstr(im, "state"), "done") &&
		      num(im, "orders_taken") == ORDERS &&
		      num(im, "rows") == 2 * ORDERS &&
		      json_is_array(jget(im, "rows_not_taken")) &&
		      json_array_size(jget(im, "rows_not_taken")) == 0,
	      "import %s", json_dumps(im, 0));
	json_decref(im);
	free(id);
	free(file);
}

API_TEST(the_command_imports_a_file)
{
	char map_path[HARNESS_PATH_MAX], file_path[HARNESS_PATH_MAX];
	struct cli_result res;
	FILE *f;
	json_t *j;

	snprintf(map_path, sizeof(map_path), "%s/map.json", srv->dir);
	snprintf(file_path, sizeof(file_path), "%s/orders.csv", srv->dir);
	f = fopen(map_path, "w");
	assert_non_null(f);
	fputs("{\"columns\": {\"external_id\": \"no\", \"sku\": \"item\", "
	      "\"quantity\": \"qty\", \"unit_price\": \"price\"}, "
	      "\"delimiter\": \"tab\", \"currency\": \"USD\"}",
	      f);
	fclose(f);
	f = fopen(file_path, "w");
	assert_non_null(f);
	fputs("\xEF\xBB\xBFno\titem\tqty\tprice\nCLI-1\tMUG-12OZ\t3\t12.50\n"
	      "CLI-2\tMUG-12OZ\t-1\t12.50\n",
	      f);
	fclose(f);
	{
		const char *args[] = {"import", "csv",	 file_path, "--tenant",
				      "acme",	"--map", map_path,  "--db",
				      srv->db_path, NULL};

		cli_run(&res, args);
	}
	check(res.exit_status == 0, "exit %d: %s", res.exit_status, res.err);
	j = jparse(res.out);
	check(streq(jstr(j, "state"), "done") && num(j, "orders_taken") == 1 &&
		      num(j, "orders_refused") == 1 &&
		      num(j, "rows_not_taken[0].line") == 3 &&
		      streq(jstr(j, "rows_not_taken[0].column"), "qty"),
	      "%s", res.out);
	json_decref(j);
	cli_result_free(&res);
	{
		const char *args[] = {"import", "xls", file_path,
				      "--tenant", "acme", "--db", srv->db_path,
				      NULL};

		cli_run(&res, args);
		check(res.exit_status == 2 && strstr(res.err, "xls"), "%d %s",
		      res.exit_status, res.err);
		cli_result_free(&res);
	}
	{
		const char *args[] = {"import", "csv", file_path, "--db",
				      srv->db_path, NULL};

		cli_run(&res, args);
		check(res.exit_status == 2 && strstr(res.err, "--tenant"), "%d %s",
		      res.exit_status, res.err);
		cli_result_free(&res);
	}
	check(orders_count(acme(), "channel=csv&external_id=CLI-1") == 1,
	      "CLI-1 taken");
	/* The file gives no date: placed when it was imported. */
	{
		json_t *all = list_all(acme(),
				       "/v1/orders?channel=csv&external_id=CLI-1",
				       "orders", 10);

		check(is_rfc3339(jstr(json_array_get(all, 0), "placed_at")),
		      "placed_at %s", json_dumps(all, 0));
		json_decref(all);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_real_export_is_taken_with_its_saved_mapping),
		cmocka_unit_test(
			a_file_of_good_and_bad_rows_keeps_its_good_orders),
		cmocka_unit_test(
			a_file_or_request_that_cannot_be_imported_is_refused),
		cmocka_unit_test(a_large_file_does_not_hold_other_writes),
		cmocka_unit_test(the_command_imports_a_file),
	};

	return harness_run_group(tests, harness_group_setup,
				      harness_group_teardown);
}
