/*
 * test_orders_search.c - GET /v1/orders?q=: each searched field finds its
 * order (customer name, email, phone however punctuated, ship-to postal
 * code, external id, SKU, a tracking number once shipped, a corrected
 * address by its new postal code and no longer by its old), terms AND-ed,
 * prefixes and case, ranking (an exact external id first), paging by the
 * cursor and its binding to q, the state filter with q, tenant isolation,
 * the limits on q, and query-syntax characters taken as text.
 *
 * Each test uses words of its own, so that the orders of the others never
 * match it.
 */
#include "harness.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WAIT_MS 10000

static const char *acme(void)
{
	return srv->key_acme;
}

/* The query-string form of s (RFC 3986 unreserved kept, the rest %XX). */
static void escape(const char *s, char *out, size_t size)
{
	size_t n = 0;

	for (; *s && n + 4 < size; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c))
			out[n++] = (char)c;
		else
			n += (size_t)snprintf(out + n, size - n, "%%%02X", c);
	}
	out[n] = '\0';
}

/* GET /v1/orders?q=<q>[&extra] as key; the response. */
static struct resp *search(const char *key, const char *q, const char *extra)
{
	char esc[1024];

	escape(q, esc, sizeof(esc));
	return http_get(key, "/v1/orders?q=%s%s%s", esc, extra ? "&" : "",
			extra ? extra : "");
}

/* The external ids of every order the search lists (all pages of page
 * orders), comma-separated in listed order, into out. */
static void found(const char *key, const char *q, const char *extra,
		  int page, char *out, size_t size)
{
	char esc[1024], path[1536];
	json_t *all, *o;
	size_t i, len = 0;

	escape(q, esc, sizeof(esc));
	snprintf(path, sizeof(path), "/v1/orders?q=%s%s%s", esc,
		 extra ? "&" : "", extra ? extra : "");
	all = list_all(key, path, "orders", page);
	out[0] = '\0';
	json_array_foreach(all, i, o) {
		snprintf(out + len, size - len, "%s%s", i ? "," : "",
			 jstr(o, "external_id"));
		len = strlen(out);
	}
	json_decref(all);
}

#define assert_found_as(key, q, extra, want)                                   \
	do {                                                                   \
		char got_[4096];                                               \
		found((key), (q), (extra), 50, got_, sizeof(got_));            \
		check(streq(got_, (want)),                                     \
		      "q=%s %s found [%s], expected [%s]", (q),                \
		      (extra) ? (extra) : "", got_, (want));                   \
	} while (0)
#define assert_found(q, want) assert_found_as(acme(), (q), NULL, (want))

/* Store an order of acme: the default one with external id ext, then
 * the fields set by each (path, value) pair, NULL-ended. Its id (free()). */
static char *order_with(const char *ext, ...)
{
	json_t *o = order_new(ext);
	const char *path;
	char *id;
	va_list ap;

	va_start(ap, ext);
	while ((path = va_arg(ap, const char *)) != NULL)
		jset(o, path, json_string(va_arg(ap, const char *)));
	va_end(ap);
	id = order_create(acme(), o);
	json_decref(o);
	return id;
}

API_TEST(each_searched_field_finds_its_order)
{
	free(order_with("SRCH-EXT-0001", "customer.name", "Zebulon Quartermaine",
			"customer.email", "zeb.q@searchco.test",
			"customer.phone", "+1 (555) 010-2345",
			"ship_to.postal_code", "SW1A 1AA", "lines[1].sku",
			"ZZTOP-RED-M", NULL));
	free(order_with("SRCH-EXT-0002", "customer.name", "Ysolde Pennywhistle",
			"customer.phone", "555.010.7777", NULL));

	assert_found("Zebulon", "SRCH-EXT-0001");
	assert_found("quartermaine", "SRCH-EXT-0001");
	assert_found("zeb.q@searchco.test", "SRCH-EXT-0001");
	assert_found("zeb.q@searchc", "SRCH-EXT-0001");
	assert_found("SW1A 1AA", "SRCH-EXT-0001");
	assert_found("sw1a", "SRCH-EXT-0001");
	assert_found("SRCH-EXT-0001", "SRCH-EXT-0001");
	assert_found("ZZTOP-RED-M", "SRCH-EXT-0001");
	assert_found("zztop", "SRCH-EXT-0001");
	/* A phone by its digits, however either side punctuates them. */
	assert_found("5550102345", "SRCH-EXT-0001");
	assert_found("+1 (555) 010-2345", "SRCH-EXT-0001");
	assert_found("555-010-2345", "SRCH-EXT-0001");
	assert_found("(555) 010 7777", "SRCH-EXT-0002");
	assert_found("5550107777", "SRCH-EXT-0002");
	assert_found("pennywhistle", "SRCH-EXT-0002");
	/* Nothing else: a word no order has. */
	assert_found("zebulonx", "");
}

API_TEST(every_term_must_match_as_a_prefix_in_any_case)
{
	free(order_with("SRCH-AND-1", "customer.name", "Ophelia Brandywine",
			NULL));
	free(order_with("SRCH-AND-2", "customer.name", "Ophelia Thistlewood",
			NULL));

	/* Newest first. */
	assert_found("ophelia", "SRCH-AND-2,SRCH-AND-1");
	assert_found("OPHEL", "SRCH-AND-2,SRCH-AND-1");
	assert_found("ophelia thistle", "SRCH-AND-2");
	assert_found("brandy OPHELIA", "SRCH-AND-1");
	assert_found("ophelia nobody", "");
}

API_TEST(an_exact_external_id_ranks_before_newer_matches)
{
	/* The older order is RANK-77 itself; the newer ones merely share its
	 * words, in a SKU and in another external id. */
	free(order_with("RANK-77", NULL));
	free(order_with("SRCH-RANK-2", "lines[1].sku", "RANK-77-XL", NULL));
	free(order_with("RANK-77-B", NULL));

	assert_found("rank-77", "RANK-77,RANK-77-B,SRCH-RANK-2");
	assert_found("RANK 77", "RANK-77,RANK-77-B,SRCH-RANK-2");
	/* An exact email too. */
	free(order_with("SRCH-RANK-3", "customer.email", "rank77@x.test",
			NULL));
	free(order_with("SRCH-RANK-4", "customer.email", "rank77@x.test.org",
			NULL));
	assert_found("rank77@x.test", "SRCH-RANK-3,SRCH-RANK-4");
}

API_TEST(pages_follow_the_cursor_which_is_bound_to_q)
{
	char want[512] = "", ext[32], got[4096], esc[400];
	const char *cursor;
	struct resp *r, *r2;
	int i;

	for (i = 1; i <= 5; i++) {
		snprintf(ext, sizeof(ext), "SRCH-PAGE-%d", i);
		free(order_with(ext, "customer.name", "Pagina Quillfeather",
				NULL));
	}
	for (i = 5; i >= 1; i--)
		snprintf(want + strlen(want), sizeof(want) - strlen(want),
			 "%sSRCH-PAGE-%d", i < 5 ? "," : "", i);
	/* One, two and five a page: the same orders, in the same order. */
	found(acme(), "quillfeather", NULL, 1, got, sizeof(got));
	check(streq(got, want), "pages of 1: [%s], want [%s]", got, want);
	found(acme(), "quillfeather", NULL, 2, got, sizeof(got));
	check(streq(got, want), "pages of 2: [%s], want [%s]", got, want);
	assert_found("quillfeather", want);

	r = search(acme(), "quillfeather", "limit=2");
	assert_status(r, 200);
	cursor = jstr(r->json, "next_cursor");
	check(cursor != NULL, "a first page of 2 of 5 has a next_cursor: %s",
	      r->body);
	escape(cursor, esc, sizeof(esc));
	/* Read against another q, or with no q, it is refused. */
	{
		char extra[480];

		snprintf(extra, sizeof(extra), "limit=2&cursor=%s", esc);
		r2 = search(acme(), "pagina", extra);
		assert_error(r2, 400, NULL, "cursor");
		resp_free(r2);
		r2 = http_get(acme(), "/v1/orders?limit=2&cursor=%s", esc);
		assert_error(r2, 400, NULL, "cursor");
		resp_free(r2);
		/* A plain list's cursor is no search's. */
		r2 = http_get(acme(), "/v1/orders?limit=1");
		assert_status(r2, 200);
		check(jstr(r2->json, "next_cursor") != NULL,
		      "a list of one has a next_cursor: %s", r2->body);
		{
			char plain[1024], q[sizeof(plain) + 16];

			escape(jstr(r2->json, "next_cursor"), plain,
			       sizeof(plain));
			resp_free(r2);
			snprintf(q, sizeof(q), "cursor=%s", plain);
			r2 = search(acme(), "quillfeather", q);
		}
		assert_error(r2, 400, NULL, "cursor");
		resp_free(r2);
		/* The same terms, written otherwise, page on. */
		r2 = search(acme(), "QUILLFEATHER", extra);
		assert_status(r2, 200);
		check(json_array_size(json_object_get(r2->json, "orders")) ==
			      2 &&
			      streq(jstr(r2->json, "orders[0].external_id"),
				    "SRCH-PAGE-3"),
		      "the second page is SRCH-PAGE-3 and 2: %s", r2->body);
		resp_free(r2);
	}
	resp_free(r);
}

API_TEST(q_combines_with_the_state_filter)
{
	char *held = order_with("SRCH-STATE-HELD", "customer.name",
				"Combostate Held", "lines[0].sku",
				"GHOST-SRCH-1", NULL);
	json_t *o = order_fetch(acme(), held);

	check(streq(jstr(o, "state"), "on_hold"),
	      "an unknown SKU holds the order: %s", jstr(o, "state"));
	json_decref(o);
	free(order_with("SRCH-STATE-CLEAN", "customer.name", "Combostate Clean",
			NULL));
	assert_found("combostate", "SRCH-STATE-CLEAN,SRCH-STATE-HELD");
	assert_found_as(acme(), "combostate", "state=on_hold",
			"SRCH-STATE-HELD");
	assert_found_as(acme(), "combostate", "hold_type=unknown_sku",
			"SRCH-STATE-HELD");
	assert_found_as(acme(), "combostate", "channel=nowhere", "");
	free(held);
}

API_TEST(another_tenants_orders_never_match)
{
	json_t *o = order_new("SRCH-TENANT-G");
	char *id;

	jset(o, "customer.name", json_string("Tenantia Globexine"));
	id = order_create(srv->key_globex, o);
	json_decref(o);
	free(id);
	free(order_with("SRCH-TENANT-A", "customer.name", "Tenantia Acmeline",
			NULL));

	assert_found("tenantia", "SRCH-TENANT-A");
	assert_found("globexine", "");
	assert_found_as(srv->key_globex, "tenantia", NULL, "SRCH-TENANT-G");
	assert_found_as(srv->key_globex, "acmeline", NULL, "");
	/* Its external id, exactly: still not acme's. */
	assert_found("SRCH-TENANT-G", "");
}

API_TEST(q_limits_are_refused_naming_q)
{
	char q[512];
	struct resp *r;
	size_t i;

	/* ORDO_SEARCH_Q_MAX bytes pass; one more is refused. */
	memset(q, 'a', 200);
	q[200] = '\0';
	r = search(acme(), q, NULL);
	assert_status(r, 200);
	resp_free(r);
	q[200] = 'a';
	q[201] = '\0';
	r = search(acme(), q, NULL);
	assert_error(r, 400, "invalid_request", "q");
	resp_free(r);
	/* ORDO_SEARCH_TERMS_MAX terms pass; nine are refused. */
	r = search(acme(), "a b c d e f g h", NULL);
	assert_status(r, 200);
	resp_free(r);
	r = search(acme(), "a b c d e f g h i", NULL);
	assert_error(r, 400, "invalid_request", "q");
	resp_free(r);
	r = search(acme(), "a-b-c-d-e-f-g-h-i", NULL);
	assert_error(r, 400, "invalid_request", "q");
	resp_free(r);
	/* Nothing to search for. */
	{
		static const char *const empty[] = {
			"", " ", "\"", "!!! --- ???", "(", "%_", "\\",
			"+ - * /"};

		for (i = 0; i < sizeof(empty) / sizeof(empty[0]); i++) {
			r = search(acme(), empty[i], NULL);
			assert_error(r, 400, "invalid_request", "q");
			resp_free(r);
		}
	}
}

API_TEST(query_syntax_is_text)
{
	static const char *const texts[] = {
		"a OR b",   "NEAR(",	  "NEAR(a b)", "jane*",   "x:y",
		"-foo",	    "\"quoted\"", "a AND b",   "NOT a",   "^start",
		"col:word", "a%b",	  "a_b",       "'; DROP", "{x}",
		"t1zabc",   "a\"b",	  "ёжик",      "*a*",	  "a:*",
	};
	struct resp *r;
	size_t i;

	free(order_with("SRCH-SYNTAX-1", "customer.name", "Syntaxia Or Near",
			NULL));
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		r = search(acme(), texts[i], NULL);
		check(r->status == 200, "q=%s: HTTP %ld %s", texts[i],
		      r->status, r->body);
		resp_free(r);
	}
	/* OR and NEAR are words an order may have, AND-ed like any. */
	assert_found("syntaxia OR near", "SRCH-SYNTAX-1");
	assert_found("NEAR( syntaxia", "SRCH-SYNTAX-1");
	assert_found("\"syntaxia\"", "SRCH-SYNTAX-1");
	assert_found("syntaxia OR nobody", "");
}

/* ---- what changes after intake -------------------------------------------- */

API_TEST(a_tracking_number_finds_its_order_once_shipped)
{
	json_t *order, *o;
	char *id, path[256], body[512];
	struct resp *r;

	make_sku(acme(), "SRCH-SHIP", "Searched widget", "10.00", 1);
	make_location_serving(acme(), "SRCH-LOC", 5, NULL);
	set_stock(acme(), "SRCH-LOC", "SRCH-SHIP", 10);
	order = order_one_line("SRCH-SHIP-1", "SRCH-SHIP", 1, "10.00");
	id = order_create(acme(), order);
	json_decref(order);
	o = order_wait_state(acme(), id, "released", WAIT_MS);
	check(jstr(o, "fulfillments[0].id") != NULL,
	      "the order must be released: %s", jstr(o, "state"));
	assert_found("1ZSRCH4242", "");

	snprintf(path, sizeof(path), "/v1/fulfillments/%s/shipments",
		 jstr(o, "fulfillments[0].id"));
	snprintf(body, sizeof(body),
		 "{\"lines\": [{\"sku\": \"SRCH-SHIP\", \"quantity\": 1}], "
		 "\"carrier\": \"ups\", \"tracking_number\": \"1ZSRCH4242\"}");
	r = http("POST", path, acme(), body, strlen(body), NULL);
	assert_status(r, 201);
	resp_free(r);
	json_decref(o);
	free(id);

	assert_found("1ZSRCH4242", "SRCH-SHIP-1");
	assert_found("1zsrch42", "SRCH-SHIP-1");
}

API_TEST(a_corrected_address_is_found_by_its_new_postal_code_only)
{
	char agent[HARNESS_KEY_MAX], hold[64] = "";
	char *id = order_with("SRCH-FIX-1", "customer.name", "Correctia Zipwell",
			      "ship_to.postal_code", "QQ9Z", NULL);
	json_t *o = order_fetch(acme(), id), *h;
	struct resp *r;
	size_t i;

	json_array_foreach(json_object_get(o, "holds"), i, h)
		if (streq(jstr(h, "field"), "ship_to.postal_code"))
			snprintf(hold, sizeof(hold), "%s", jstr(h, "id"));
	check(hold[0], "a bad postal code holds the order: %s",
	      jstr(o, "state"));
	json_decref(o);
	assert_found("zipwell qq9z", "SRCH-FIX-1");

	key_create("acme", "agent", "srchagent", agent, sizeof(agent));
	r = hold_post(agent, hold, "claim", NULL);
	assert_status(r, 200);
	resp_free(r);
	r = hold_resolve(agent, hold, "correct", "customer gave the right zip",
			 "{\"ship_to\": {\"postal_code\": \"10118\"}}");
	assert_status(r, 200);
	resp_free(r);

	assert_found("zipwell 10118", "SRCH-FIX-1");
	assert_found("zipwell qq9z", "");
	assert_found("qq9z", "");
	free(id);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(each_searched_field_finds_its_order),
		cmocka_unit_test(
			every_term_must_match_as_a_prefix_in_any_case),
		cmocka_unit_test(
			an_exact_external_id_ranks_before_newer_matches),
		cmocka_unit_test(pages_follow_the_cursor_which_is_bound_to_q),
		cmocka_unit_test(q_combines_with_the_state_filter),
		cmocka_unit_test(another_tenants_orders_never_match),
		cmocka_unit_test(q_limits_are_refused_naming_q),
		cmocka_unit_test(query_syntax_is_text),
		cmocka_unit_test(a_tracking_number_finds_its_order_once_shipped),
		cmocka_unit_test(
			a_corrected_address_is_found_by_its_new_postal_code_only),
	};

	return harness_run_group(tests, harness_group_setup,
				      harness_group_teardown);
}
