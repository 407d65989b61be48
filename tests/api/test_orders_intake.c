/*
 * test_orders_intake.c - well-formed orders: accepted when clean, stored on
 * hold with one typed hold per business problem otherwise, and their
 * timelines.
 *
 * Each hold rule is a row of `hold_cases`: a change to the clean order of
 * data/order_clean_us.json and the one hold it must raise. Every order is
 * built by order_new(), whose content is unique, so no case trips the
 * duplicate rule by accident.
 */
#include "harness.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* GET /v1/orders/{id}; new reference to the order object. */
static json_t *order_get(const char *key, const char *id)
{
	struct resp *r = http_get(key, "/v1/orders/%s", id);
	json_t *o;

	assert_status(r, 200);
	o = json_incref(r->json);
	resp_free(r);
	return o;
}

static void check_same_order(const json_t *posted, const json_t *got)
{
	char *a, *b;

	if (json_equal(posted, got))
		return;
	a = json_dumps(posted, JSON_COMPACT | JSON_SORT_KEYS);
	b = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS);
	print_error("GET /v1/orders/{id} differs from the POST answer\n"
		    "post: %s\nget:  %s\n", a ? a : "?", b ? b : "?");
	free(a);
	free(b);
	fail();
}

static long long int_at(const json_t *j, const char *path)
{
	json_t *v = jget(j, path);

	check(json_is_integer(v), "%s is not an integer", path);
	return (long long)json_integer_value(v);
}

API_TEST(clean_order_is_accepted)
{
	json_t *order = order_new("WEB-100231");
	struct resp *r = order_post(srv->key_acme, order, NULL);
	json_t *o, *line, *got;
	size_t i;

	assert_status(r, 201);
	o = r->json;
	check(state_is_clean(jstr(o, "state")),
	      "a clean order must be accepted (or moved on to allocated/"
	      "released): %s", r->body);
	check(json_is_array(json_object_get(o, "holds")) &&
		      json_array_size(json_object_get(o, "holds")) == 0,
	      "a clean order must have holds []: %s", r->body);
	check(jstr(o, "id") && !strncmp(jstr(o, "id"), "ord_", 4),
	      "id must start with ord_: %s", r->body);
	{
		static const char *keys[] = {
			"id", "external_id", "channel", "state", "placed_at",
			"received_at", "updated_at", "currency", "customer",
			"ship_to", "bill_to", "shipping", "totals",
			"payment_status", "notes", "lines", "holds",
		};
		static const char *line_keys[] = {
			"line_no", "sku", "title", "quantity", "unit_price",
			"open", "allocated", "released", "shipped",
			"cancelled", "returned",
		};

		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			check(json_object_get(o, keys[i]) != NULL,
			      "the order has no \"%s\": %s", keys[i], r->body);
		for (i = 0; i < sizeof(line_keys) / sizeof(line_keys[0]); i++)
			check(jget(o, "lines[0]") &&
				      json_object_get(jget(o, "lines[0]"),
						      line_keys[i]) != NULL,
			      "a line has no \"%s\": %s", line_keys[i], r->body);
	}
	check(streq(jstr(o, "external_id"), "WEB-100231"), "external_id");
	check(streq(jstr(o, "channel"), "web"), "channel");
	check(streq(jstr(o, "currency"), "USD"), "currency");
	check(streq(jstr(o, "payment_status"), "paid"), "payment_status");
	check(streq(jstr(o, "notes"), jstr(order, "notes")), "notes");
	check(is_rfc3339(jstr(o, "placed_at")), "placed_at: %s", r->body);
	check(is_rfc3339(jstr(o, "received_at")), "received_at: %s", r->body);
	check(is_rfc3339(jstr(o, "updated_at")), "updated_at: %s", r->body);
	check(streq(jstr(o, "customer.email"), jstr(order, "customer.email")),
	      "customer.email not kept: %s", r->body);
	check(streq(jstr(o, "ship_to.postal_code"), "10118") &&
		      streq(jstr(o, "ship_to.line1"), "350 Fifth Avenue"),
	      "ship_to not kept: %s", r->body);
	check(json_is_null(json_object_get(o, "bill_to")),
	      "bill_to must be null when not sent: %s", r->body);
	check(streq(jstr(o, "totals.subtotal"), jstr(order, "totals.subtotal")) &&
		      streq(jstr(o, "totals.total"), jstr(order, "totals.total")),
	      "totals not kept as decimal strings: %s", r->body);
	check(streq(jstr(o, "shipping.amount"), "5.00") &&
		      streq(jstr(o, "shipping.method"), "standard"),
	      "shipping not kept: %s", r->body);

	check(json_array_size(json_object_get(o, "lines")) == 2, "2 lines");
	json_array_foreach(json_object_get(o, "lines"), i, line) {
		char path[64];
		long long qty;

		snprintf(path, sizeof(path), "lines[%zu].quantity", i);
		qty = int_at(order, path);
		check(int_at(line, "line_no") == (long long)i + 1,
		      "line_no of line %zu", i);
		check(int_at(line, "quantity") == qty, "quantity of line %zu", i);
		/*
		 * ordered = open + allocated + released + shipped + cancelled;
		 * an order just accepted has everything open (allocation,
		 * when it runs on its own, may already have moved units on).
		 */
		check(int_at(line, "open") + int_at(line, "allocated") +
				      int_at(line, "released") +
				      int_at(line, "shipped") +
				      int_at(line, "cancelled") ==
			      qty,
		      "line %zu: open + allocated + released + shipped + "
		      "cancelled must equal quantity: %s", i, r->body);
		if (streq(jstr(o, "state"), "accepted"))
			check(int_at(line, "open") == qty,
			      "open must equal quantity on a new accepted order "
			      "(line %zu)", i);
		check(int_at(line, "shipped") == 0 &&
			      int_at(line, "cancelled") == 0 &&
			      int_at(line, "returned") == 0,
		      "line %zu of a new order must have nothing shipped/"
		      "cancelled/returned", i);
		snprintf(path, sizeof(path), "lines[%zu].unit_price", i);
		check(streq(jstr(line, "unit_price"), jstr(order, path)),
		      "unit_price of line %zu", i);
		snprintf(path, sizeof(path), "lines[%zu].sku", i);
		check(streq(jstr(line, "sku"), jstr(order, path)), "sku of line %zu",
		      i);
	}

	got = order_get(srv->key_acme, jstr(o, "id"));
	check_same_order(o, got);
	json_decref(got);
	resp_free(r);
	json_decref(order);
}

/* Without a payment status the order is taken as "unknown", and the
 * default review policy holds an unverified payment. */
API_TEST(payment_status_defaults_to_unknown_and_is_held)
{
	json_t *order = order_new("WEB-PAY-UNKNOWN"), *h;
	struct resp *r;

	jset(order, "payment_status", NULL);
	r = order_post(srv->key_acme, order, NULL);
	assert_status(r, 201);
	check(streq(jstr(r->json, "payment_status"), "unknown"),
	      "payment_status must default to unknown: %s", r->body);
	check(streq(jstr(r->json, "state"), "on_hold") &&
		      json_array_size(json_object_get(r->json, "holds")) == 1,
	      "an unknown payment must be held, by one hold: %s", r->body);
	h = json_array_get(json_object_get(r->json, "holds"), 0);
	check(streq(jstr(h, "type"), "payment_unverified") &&
		      streq(jstr(h, "rule_id"), "payment-not-verified") &&
		      json_integer_value(json_object_get(h, "policy_version")) ==
			      0,
	      "the hold must come from the default policy's "
	      "payment-not-verified rule: %s",
	      r->body);
	resp_free(r);
	json_decref(order);
}

API_TEST(clean_order_variants_are_accepted)
{
	static const char *variants[][2] = {
		/* ZIP+4 */
		{ "ship_to.postal_code", "\"10118-0110\"" },
		/* phone only is contact enough */
		{ "customer.email", NULL },
		/* no totals at all */
		{ "totals", NULL },
		/* a bill-to address */
		{ "bill_to", "{\"name\": \"Hollis & Reed Architects\", "
			     "\"line1\": \"11 Park Place\", \"city\": \"New York\", "
			     "\"region\": \"NY\", \"postal_code\": \"10007\", "
			     "\"country\": \"US\"}" },
	};

	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		char ext[64];
		json_t *order;
		struct resp *r;

		snprintf(ext, sizeof(ext), "WEB-2000%zu", i);
		order = order_new(ext);
		jset(order, variants[i][0],
		     variants[i][1] ? jparse(variants[i][1]) : NULL);
		r = order_post(srv->key_acme, order, NULL);
		if (r->status != 201 || !state_is_clean(jstr(r->json, "state")))
			print_error("variant: %s = %s\n", variants[i][0],
				    variants[i][1] ? variants[i][1] : "(deleted)");
		assert_status(r, 201);
		check(state_is_clean(jstr(r->json, "state")) &&
			      json_array_size(json_object_get(r->json, "holds")) == 0,
		      "variant %s must be accepted without holds: %s",
		      variants[i][0], r->body);
		if (!strcmp(variants[i][0], "payment_status"))
			check(streq(jstr(r->json, "payment_status"), "unknown"),
			      "payment_status must default to unknown: %s",
			      r->body);
		if (!strcmp(variants[i][0], "bill_to"))
			check(streq(jstr(r->json, "bill_to.postal_code"), "10007"),
			      "bill_to not kept: %s", r->body);
		resp_free(r);
		json_decref(order);
	}
}

API_TEST(order_shipping_to_great_britain_needs_no_region)
{
	json_t *order = order_new("WEB-GB-1");
	struct resp *r;

	jset(order, "ship_to.line1", json_string("10 Downing Street"));
	jset(order, "ship_to.city", json_string("London"));
	jset(order, "ship_to.region", NULL);
	jset(order, "ship_to.postal_code", json_string("SW1A 2AA"));
	jset(order, "ship_to.country", json_string("GB"));
	r = order_post(srv->key_acme, order, NULL);
	assert_status(r, 201);
	check(state_is_clean(jstr(r->json, "state")),
	      "a GB address without region must be accepted: %s", r->body);
	resp_free(r);
	json_decref(order);
}

API_TEST(unicode_text_round_trips)
{
	static const char name[] = "Zo\u00eb \u00d1\u00fa\u00f1ez \u5c71\u7530";
	static const char city[] = "San Jos\u00e9";
	json_t *order = order_new("WEB-UNICODE-1");
	struct resp *r;
	char *id;
	json_t *got;

	jset(order, "customer.name", jparse("\"Zo\\u00eb \\u00d1\\u00fa\\u00f1ez "
					    "\\u5c71\\u7530\""));
	jset(order, "ship_to.city", jparse("\"San Jos\\u00e9\""));
	jset(order, "ship_to.postal_code", json_string("95113"));
	jset(order, "ship_to.region", json_string("CA"));
	jset(order, "notes",
	     json_string("Fragile \u2014 handle with care \u2713"));
	r = order_post(srv->key_acme, order, NULL);
	assert_status(r, 201);
	check(streq(jstr(r->json, "customer.name"), name),
	      "customer.name changed: %s", r->body);
	check(streq(jstr(r->json, "ship_to.city"), city),
	      "ship_to.city changed: %s", r->body);
	check(streq(jstr(r->json, "notes"), jstr(order, "notes")),
	      "notes changed: %s", r->body);
	id = strdup(jstr(r->json, "id"));
	assert_non_null(id);
	got = order_get(srv->key_acme, id);
	check(streq(jstr(got, "customer.name"), name), "stored name changed");
	json_decref(got);
	free(id);
	resp_free(r);
	json_decref(order);
}

struct hold_case {
	const char *what;
	const char *path[2];	/* changes to the clean order */
	const char *value[2];	/* JSON text; NULL deletes */
	int fix_totals;		/* recompute totals after the change */
	const char *type;
	const char *field;
};

static const struct hold_case hold_cases[] = {
	{ "unknown SKU", { "lines[1].sku" }, { "\"GHOST-SKU-404\"" }, 0,
	  "unknown_sku", "lines[1].sku" },
	{ "inactive SKU", { "lines[1].sku", "lines[1].unit_price" },
	  { "\"LEGACY-MUG\"", "\"9.00\"" }, 1, "inactive_sku", "lines[1].sku" },
	{ "price below catalog", { "lines[0].unit_price" }, { "\"17.99\"" }, 1,
	  "price_mismatch", "lines[0].unit_price" },
	{ "price above catalog", { "lines[1].unit_price" }, { "\"12.75\"" }, 1,
	  "price_mismatch", "lines[1].unit_price" },
	{ "total does not add up", { "totals.total" }, { "\"999.99\"" }, 0,
	  "totals_mismatch", "totals.total" },
	{ "missing city", { "ship_to.city" }, { NULL }, 0,
	  "address_unverifiable", "ship_to.city" },
	{ "empty city", { "ship_to.city" }, { "\"\"" }, 0,
	  "address_unverifiable", "ship_to.city" },
	{ "missing line1", { "ship_to.line1" }, { NULL }, 0,
	  "address_unverifiable", "ship_to.line1" },
	{ "missing recipient name", { "ship_to.name" }, { NULL }, 0,
	  "address_unverifiable", "ship_to.name" },
	{ "missing postal code", { "ship_to.postal_code" }, { NULL }, 0,
	  "address_unverifiable", "ship_to.postal_code" },
	{ "US zip with 4 digits", { "ship_to.postal_code" }, { "\"1011\"" }, 0,
	  "address_unverifiable", "ship_to.postal_code" },
	{ "US zip with letters", { "ship_to.postal_code" }, { "\"SW1A 2AA\"" },
	  0, "address_unverifiable", "ship_to.postal_code" },
	{ "US zip+4 cut short", { "ship_to.postal_code" }, { "\"10118-01\"" },
	  0, "address_unverifiable", "ship_to.postal_code" },
	{ "unknown country", { "ship_to.country" }, { "\"ZZ\"" }, 0,
	  "address_unverifiable", "ship_to.country" },
	{ "missing country", { "ship_to.country" }, { NULL }, 0,
	  "address_unverifiable", "ship_to.country" },
	{ "missing US region", { "ship_to.region" }, { NULL }, 0,
	  "address_unverifiable", "ship_to.region" },
	{ "missing CA region", { "ship_to.country", "ship_to.region" },
	  { "\"CA\"", NULL }, 0, "address_unverifiable", "ship_to.region" },
	{ "no email and no phone", { "customer.email", "customer.phone" },
	  { NULL, NULL }, 0, "missing_contact", "customer" },
	{ "malformed email", { "customer.email" },
	  { "\"margaret.hollis.example.com\"" }, 0, "invalid_data",
	  "customer.email" },
	{ "placed a day in the future", { "placed_at" }, { "FUTURE" }, 0,
	  "invalid_data", "placed_at" },
};

static json_t *hold_case_order(const struct hold_case *c, const char *ext)
{
	json_t *order = order_new(ext);

	for (int k = 0; k < 2 && c->path[k]; k++) {
		json_t *v = NULL;

		if (c->value[k] && !strcmp(c->value[k], "FUTURE")) {
			char t[32];

			rfc3339(harness_clock_now() + 24 * 3600, t, sizeof(t));
			v = json_string(t);
		} else if (c->value[k]) {
			v = jparse(c->value[k]);
		}
		jset(order, c->path[k], v);
	}
	if (!strcmp(c->what, "missing CA region")) {
		jset(order, "ship_to.city", json_string("Toronto"));
		jset(order, "ship_to.line1", json_string("290 Bremner Blvd"));
		jset(order, "ship_to.postal_code", json_string("M5V 3L9"));
	}
	if (c->fix_totals)
		order_fix_totals(order);
	return order;
}

API_TEST(each_business_problem_raises_one_hold)
{
	for (size_t i = 0; i < sizeof(hold_cases) / sizeof(hold_cases[0]); i++) {
		const struct hold_case *c = &hold_cases[i];
		char ext[64];
		json_t *order, *got;
		struct resp *r;

		snprintf(ext, sizeof(ext), "WEB-HOLD-%zu", i);
		order = hold_case_order(c, ext);
		r = order_post(srv->key_acme, order, NULL);
		if (r->status != 201)
			print_error("case: %s\n", c->what);
		assert_status(r, 201);
		if (open_holds(r->json, NULL) != 1 || !find_hold(r->json, c->type))
			print_error("case: %s\n", c->what);
		assert_single_hold(r->json, c->type, c->field);
		check(json_is_null(json_object_get(find_hold(r->json, c->type),
						   "related_order_id")),
		      "%s: related_order_id must be null: %s", c->what, r->body);
		check(is_rfc3339(jstr(find_hold(r->json, c->type), "created_at")),
		      "%s: hold created_at: %s", c->what, r->body);
		check(jstr(find_hold(r->json, c->type), "raised_by") &&
			      jstr(find_hold(r->json, c->type), "raised_by")[0],
		      "%s: hold raised_by: %s", c->what, r->body);

		got = order_get(srv->key_acme, jstr(r->json, "id"));
		check_same_order(r->json, got);
		json_decref(got);
		resp_free(r);
		json_decref(order);
	}
}

API_TEST(wrong_subtotal_raises_totals_mismatch)
{
	json_t *order = order_new("WEB-SUBTOTAL-1");
	struct resp *r;
	json_t *h;
	size_t i, on_subtotal = 0;

	jset(order, "totals.subtotal", json_string("1.00"));
	r = order_post(srv->key_acme, order, NULL);
	assert_status(r, 201);
	check(streq(jstr(r->json, "state"), "on_hold"), "state: %s", r->body);
	/*
	 * Whether the total is also reported depends on whether it is checked
	 * against the lines or the stated subtotal; only totals holds may
	 * appear, and one of them names the subtotal.
	 */
	json_array_foreach(json_object_get(r->json, "holds"), i, h) {
		check(streq(jstr(h, "type"), "totals_mismatch"),
		      "only totals_mismatch holds expected: %s", r->body);
		if (streq(jstr(h, "field"), "totals.subtotal"))
			on_subtotal++;
	}
	check(on_subtotal == 1, "one hold must name totals.subtotal: %s",
	      r->body);
	resp_free(r);
	json_decref(order);
}

API_TEST(shipping_differing_from_totals_raises_totals_mismatch)
{
	json_t *order = order_new("WEB-SHIPPING-1");
	struct resp *r;
	json_t *h;
	size_t i, on_shipping = 0;

	/* Shipping says 5.00, totals say 7.00 (and add up with 7.00). */
	jset(order, "totals.shipping", json_string("7.00"));
	order_fix_totals(order);
	r = order_post(srv->key_acme, order, NULL);
	assert_status(r, 201);
	check(streq(jstr(r->json, "state"), "on_hold"), "state: %s", r->body);
	json_array_foreach(json_object_get(r->json, "holds"), i, h) {
		check(streq(jstr(h, "type"), "totals_mismatch"),
		      "only totals_mismatch holds expected: %s", r->body);
		if (streq(jstr(h, "field"), "totals.shipping"))
			on_shipping++;
	}
	check(on_shipping == 1, "one hold must name totals.shipping: %s",
	      r->body);
	resp_free(r);
	json_decref(order);
}

API_TEST(several_problems_raise_several_holds)
{
	json_t *order = order_new("WEB-MANY-1");
	struct resp *r;

	jset(order, "lines[1].sku", json_string("GHOST-SKU-405"));
	jset(order, "ship_to.city", NULL);
	jset(order, "customer.email", NULL);
	jset(order, "customer.phone", NULL);
	r = order_post(srv->key_acme, order, NULL);
	assert_status(r, 201);
	check(streq(jstr(r->json, "state"), "on_hold"), "state: %s", r->body);
	check(open_holds(r->json, NULL) == 3, "3 holds expected: %s", r->body);
	check(find_hold(r->json, "unknown_sku") &&
		      streq(jstr(find_hold(r->json, "unknown_sku"), "field"),
			    "lines[1].sku"),
	      "unknown_sku hold on lines[1].sku: %s", r->body);
	check(find_hold(r->json, "address_unverifiable") &&
		      streq(jstr(find_hold(r->json, "address_unverifiable"),
				 "field"), "ship_to.city"),
	      "address hold on ship_to.city: %s", r->body);
	check(find_hold(r->json, "missing_contact") != NULL,
	      "missing_contact hold: %s", r->body);
	resp_free(r);
	json_decref(order);
}

API_TEST(unknown_sku_on_every_line_gives_a_hold_per_line)
{
	json_t *order = order_new("WEB-GHOSTS-1");
	struct resp *r;
	json_t *h;
	size_t i;
	int seen[2] = { 0, 0 };

	jset(order, "lines[0].sku", json_string("GHOST-A"));
	jset(order, "lines[1].sku", json_string("GHOST-B"));
	r = order_post(srv->key_acme, order, NULL);
	assert_status(r, 201);
	check(open_holds(r->json, "unknown_sku") == 2 &&
		      open_holds(r->json, NULL) == 2,
	      "two unknown_sku holds expected: %s", r->body);
	json_array_foreach(json_object_get(r->json, "holds"), i, h) {
		if (streq(jstr(h, "field"), "lines[0].sku"))
			seen[0]++;
		if (streq(jstr(h, "field"), "lines[1].sku"))
			seen[1]++;
	}
	check(seen[0] == 1 && seen[1] == 1, "one hold per line: %s", r->body);
	resp_free(r);
	json_decref(order);
}

/* GET events; new reference to the events array. */
static json_t *events_of(const char *id)
{
	struct resp *r = http_get(srv->key_acme, "/v1/orders/%s/events", id);
	json_t *ev;

	assert_status(r, 200);
	ev = json_object_get(r->json, "events");
	check(json_is_array(ev), "no events array: %s", r->body);
	json_incref(ev);
	resp_free(r);
	return ev;
}

static void check_event_shape(const json_t *ev, const json_t *events)
{
	static const char *keys[] = { "seq", "type", "from_state", "to_state",
				      "hold_id", "actor", "message", "at" };
	char *text = json_dumps(events, JSON_COMPACT);

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		check(json_object_get(ev, keys[i]) != NULL,
		      "an event has no \"%s\" (null if unused): %s", keys[i],
		      text);
	check(json_is_integer(json_object_get(ev, "seq")), "seq: %s", text);
	check(jstr(ev, "type") != NULL, "type: %s", text);
	check(jstr(ev, "actor") && jstr(ev, "actor")[0], "actor: %s", text);
	check(is_rfc3339(jstr(ev, "at")), "at must be RFC 3339: %s", text);
	free(text);
}

API_TEST(clean_order_timeline)
{
	json_t *order = order_new("WEB-EVENTS-1");
	char *id = order_create(srv->key_acme, order);
	json_t *events = events_of(id), *ev;
	char *text = json_dumps(events, JSON_INDENT(1));
	size_t i;

	/*
	 * received, validated, accepted - then, once allocation and release
	 * run on their own, possibly more moves, but never to on_hold.
	 */
	check(json_array_size(events) >= 3,
	      "a clean order has at least 3 events (received, validated, "
	      "accepted): %s", text);
	json_array_foreach(events, i, ev) {
		check_event_shape(ev, events);
		/* Its place on the order's timeline, not the store's number,
		 * which every tenant's events share. */
		check(json_integer_value(json_object_get(ev, "seq")) ==
			      (json_int_t)i + 1,
		      "seq is the event's place on the timeline: %s", text);
		check(!streq(jstr(ev, "to_state"), "on_hold") &&
			      !streq(jstr(ev, "type"), "hold_raised"),
		      "a clean order must not be held: %s", text);
	}
	ev = json_array_get(events, 0);
	check(streq(jstr(ev, "type"), "received"), "first event: %s", text);
	check(!strncmp(jstr(ev, "actor"), "key:", 4),
	      "received must be by the caller's key (key:<name>): %s", text);
	ev = json_array_get(events, 1);
	check(streq(jstr(ev, "type"), "state_changed") &&
		      streq(jstr(ev, "from_state"), "received") &&
		      streq(jstr(ev, "to_state"), "validated"),
	      "second event must be received -> validated: %s", text);
	check(streq(jstr(ev, "actor"), "system"),
	      "automatic moves are by \"system\": %s", text);
	ev = json_array_get(events, 2);
	check(streq(jstr(ev, "type"), "state_changed") &&
		      streq(jstr(ev, "from_state"), "validated") &&
		      streq(jstr(ev, "to_state"), "accepted"),
	      "third event must be validated -> accepted: %s", text);
	check(streq(jstr(ev, "actor"), "system"),
	      "automatic moves are by \"system\": %s", text);
	free(text);
	json_decref(events);
	free(id);
	json_decref(order);
}

API_TEST(held_order_timeline)
{
	json_t *order = order_new("WEB-EVENTS-2");
	struct resp *r;
	json_t *events, *ev, *h;
	char *text;
	size_t i, j, raised = 0, to_hold = 0;

	jset(order, "lines[0].sku", json_string("GHOST-SKU-406"));
	jset(order, "ship_to.postal_code", json_string("ABC"));
	r = order_post(srv->key_acme, order, NULL);
	assert_status(r, 201);
	check(open_holds(r->json, NULL) == 2, "2 holds expected: %s", r->body);
	events = events_of(jstr(r->json, "id"));
	text = json_dumps(events, JSON_INDENT(1));
	check(streq(jstr(json_array_get(events, 0), "type"), "received"),
	      "first event must be received: %s", text);
	json_array_foreach(events, i, ev) {
		check_event_shape(ev, events);
		if (streq(jstr(ev, "type"), "hold_raised")) {
			int matched = 0;

			raised++;
			json_array_foreach(json_object_get(r->json, "holds"), j, h)
				if (streq(jstr(h, "id"), jstr(ev, "hold_id")))
					matched = 1;
			check(matched, "hold_raised names no hold of the order: %s",
			      text);
		}
		if (streq(jstr(ev, "type"), "state_changed") &&
		    streq(jstr(ev, "to_state"), "on_hold"))
			to_hold++;
		check(!streq(jstr(ev, "to_state"), "accepted"),
		      "a held order must not be accepted: %s", text);
	}
	check(raised == 2, "one hold_raised event per hold: %s", text);
	check(to_hold == 1, "one state_changed to on_hold: %s", text);
	free(text);
	json_decref(events);
	resp_free(r);
	json_decref(order);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(clean_order_is_accepted),
		cmocka_unit_test(clean_order_variants_are_accepted),
		cmocka_unit_test(payment_status_defaults_to_unknown_and_is_held),
		cmocka_unit_test(order_shipping_to_great_britain_needs_no_region),
		cmocka_unit_test(unicode_text_round_trips),
		cmocka_unit_test(each_business_problem_raises_one_hold),
		cmocka_unit_test(wrong_subtotal_raises_totals_mismatch),
		cmocka_unit_test(shipping_differing_from_totals_raises_totals_mismatch),
		cmocka_unit_test(several_problems_raise_several_holds),
		cmocka_unit_test(unknown_sku_on_every_line_gives_a_hold_per_line),
		cmocka_unit_test(clean_order_timeline),
		cmocka_unit_test(held_order_timeline),
	};

	return harness_run_group(tests, harness_group_setup,
				      harness_group_teardown);
}
