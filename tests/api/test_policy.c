/*
 * test_policy.c - review policy as rules: the built-in default, versions,
 * refusals, and what the rules do to orders at intake.
 *
 *   default      GET /v1/policy is version 0 with the five default rules;
 *                their effects at intake: total >= 1000 -> high_value p2
 *                (rule large-value), payment pending/unknown/voided ->
 *                payment_unverified p2, a ship-to no location serves ->
 *                shipping_conflict p2, an incomplete contact ->
 *                missing_contact p4 (never twice with validation's), a
 *                first order with express shipping and a bill/ship country
 *                mismatch -> risky_order p1; every hold has the rule id and
 *                policy_version 0.
 *   versions     PUT -> 201 version 1, 2, ...; GET returns the active one;
 *                GET /v1/policy/versions lists them newest first; holds
 *                raised afterwards carry the new version and the new rules
 *                replace the old ones; supervisors may PUT, agents, viewers
 *                and integrations may not.
 *   approve      an approve rule placed first exempts what it matches;
 *                placed after a hold rule it does not.
 *   language     fields of the documented language work on real orders
 *                (skus, lines.count, quantity.*, ship_to.po_box,
 *                ship_to.region in [...], hour, weekday, channel).
 *   refusals     unknown field, syntax error, unterminated string, type
 *                mismatch, not boolean, bad hold type, bad priority, bad
 *                outcome, duplicate id, bad id, missing when, too long, too
 *                deep: 400 with details field rules[i].when (.id, .then),
 *                a message naming the rule id and the column; the active
 *                policy is unchanged.
 *
 * The default-policy tests run first, before any PUT.
 */
#include "harness.h"

#include <stdio.h>
#include <string.h>

static const char *acme(void)
{
	return srv->key_acme;
}

static char supervisor_key[HARNESS_KEY_MAX], agent_key[HARNESS_KEY_MAX];
static char viewer_key[HARNESS_KEY_MAX], integration_key[HARNESS_KEY_MAX];

static const char *lazy_key(char *slot, const char *role, const char *name)
{
	if (!slot[0])
		key_create("acme", role, name, slot, HARNESS_KEY_MAX);
	return slot;
}

static void dump_order(const char *why, const json_t *o)
{
	char *text = json_dumps(o, JSON_INDENT(1));

	print_error("%s\norder: %s\n", why, text ? text : "?");
	free(text);
}

/* POST the order; returns it as stored (new reference). */
static json_t *intake(const json_t *body)
{
	char *id = order_create(acme(), body);
	json_t *o = order_fetch(acme(), id);

	free(id);
	return o;
}

/*
 * The order has exactly one open hold, of type, raised by rule_id under
 * policy version with priority.
 */
static void expect_policy_hold(const json_t *o, const char *type,
			       const char *rule_id, long version,
			       long priority)
{
	json_t *h = find_hold(o, type);
	const char *why = NULL;

	if (!streq(jstr(o, "state"), "on_hold"))
		why = "the order must be on_hold";
	else if (open_holds(o, NULL) != 1)
		why = "want exactly one open hold";
	else if (!h)
		why = "no open hold of the type";
	else if (!streq(jstr(h, "rule_id"), rule_id))
		why = "wrong rule_id";
	else if (json_integer_value(json_object_get(h, "policy_version")) !=
			 version ||
		 !json_is_integer(json_object_get(h, "policy_version")))
		why = "wrong policy_version";
	else if (json_integer_value(json_object_get(h, "priority")) !=
		 priority)
		why = "wrong priority";
	else if (!jstr(h, "message") || !jstr(h, "message")[0])
		why = "the hold has no message";
	if (why) {
		char msg[256];

		snprintf(msg, sizeof(msg),
			 "%s: want one %s hold from rule %s, policy version "
			 "%ld, priority %ld",
			 why, type, rule_id, version, priority);
		dump_order(msg, o);
		fail();
	}
}

static void expect_clean_order(const json_t *o, const char *why)
{
	if (!state_is_clean(jstr(o, "state")) || open_holds(o, NULL) != 0) {
		dump_order(why, o);
		fail();
	}
}

/* A one-line order (HOODIE-GRY-L x qty at 54.00) with shipping `ship`. */
static json_t *hoodies(const char *ext, long qty, const char *ship)
{
	json_t *o = order_one_line(ext, "HOODIE-GRY-L", qty, "54.00");

	jset(o, "shipping.amount", json_string(ship));
	jset(o, "totals.shipping", json_string(ship));
	order_fix_totals(o);
	return o;
}

/* ---- policy documents ---------------------------------------------------------- */

static json_t *policy_get(void)
{
	struct resp *r = http_get(acme(), "/v1/policy");
	json_t *p;

	assert_status(r, 200);
	p = json_incref(r->json);
	resp_free(r);
	return p;
}

static long active_version(void)
{
	json_t *p = policy_get();
	json_t *v = json_object_get(p, "version");
	long n = json_is_integer(v) ? (long)json_integer_value(v) : -1;

	json_decref(p);
	return n;
}

static size_t versions_count(void)
{
	struct resp *r = http_get(acme(), "/v1/policy/versions");
	size_t n;

	assert_status(r, 200);
	n = json_array_size(json_object_get(r->json, "versions"));
	resp_free(r);
	return n;
}

static struct resp *policy_put(const char *key, const char *doc)
{
	return http("PUT", "/v1/policy", key, doc, strlen(doc), NULL);
}

/* PUT doc; assert 201 and return the new version. */
static long policy_put_ok(const char *doc)
{
	struct resp *r = policy_put(acme(), doc);
	long v;

	assert_status(r, 201);
	v = (long)json_integer_value(json_object_get(r->json, "version"));
	resp_free(r);
	return v;
}

/* ---- the default policy ---------------------------------------------------------- */

API_TEST(default_policy_is_version_0_with_five_rules)
{
	static const struct {
		const char *id, *hold;
		long priority;
	} want[] = {
		{ "large-value", "high_value", 2 },
		{ "first-express-mismatch", "risky_order", 1 },
		{ "incomplete-contact", "missing_contact", 4 },
		{ "no-location-serves", "shipping_conflict", 2 },
		{ "payment-not-verified", "payment_unverified", 2 },
	};
	json_t *p = policy_get(), *rules = json_object_get(p, "rules");
	char *text = json_dumps(p, JSON_INDENT(1));
	struct resp *r;

	check(json_is_integer(json_object_get(p, "version")) &&
		      json_integer_value(json_object_get(p, "version")) == 0,
	      "the default policy is version 0: %s", text);
	check(json_is_null(json_object_get(p, "created_at")) &&
		      json_is_null(json_object_get(p, "created_by")),
	      "the built-in policy has created_at and created_by null: %s",
	      text);
	check(json_array_size(rules) == 5, "want 5 default rules: %s", text);
	for (size_t i = 0; i < 5; i++) {
		json_t *rule = json_array_get(rules, i);

		check(streq(jstr(rule, "id"), want[i].id) &&
			      jstr(rule, "when") && jstr(rule, "when")[0] &&
			      streq(jstr(rule, "then.hold"), want[i].hold) &&
			      json_integer_value(jget(rule, "then.priority")) ==
				      want[i].priority,
		      "rules[%zu] must be %s -> %s p%ld: %s", i, want[i].id,
		      want[i].hold, want[i].priority, text);
	}
	check(streq(jstr(json_array_get(rules, 0), "when"), "total >= 1000"),
	      "large-value: when \"total >= 1000\": %s", text);
	free(text);
	json_decref(p);

	/* Reading the policy is for every role. */
	r = http_get(lazy_key(viewer_key, "viewer", "pviewer"), "/v1/policy");
	assert_status(r, 200);
	resp_free(r);
	r = http_get(lazy_key(agent_key, "agent", "pagent"), "/v1/policy");
	assert_status(r, 200);
	resp_free(r);
}

API_TEST(default_large_value)
{
	json_t *body = hoodies("P-LV-1000", 18, "28.00"), *o;

	check(streq(jstr(body, "totals.total"), "1000.00"), "test setup: %s",
	      jstr(body, "totals.total"));
	o = intake(body);
	expect_policy_hold(o, "high_value", "large-value", 0, 2);
	json_decref(o);
	json_decref(body);

	body = hoodies("P-LV-999", 18, "27.99");
	o = intake(body);
	expect_clean_order(o, "999.99 is under the large-value threshold");
	json_decref(o);
	json_decref(body);
}

API_TEST(default_payment_not_verified)
{
	static const struct {
		const char *status; /* NULL: absent, i.e. unknown */
		int held;
	} cases[] = {
		{ "pending", 1 },    { NULL, 1 },	{ "unknown", 1 },
		{ "voided", 1 },     { "paid", 0 },	{ "authorized", 0 },
		{ "partially_paid", 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char ext[48];
		json_t *body, *o;

		snprintf(ext, sizeof(ext), "P-PAY-%zu", i);
		body = order_new(ext);
		jset(body, "payment_status",
		     cases[i].status ? json_string(cases[i].status) : NULL);
		o = intake(body);
		if (cases[i].held) {
			expect_policy_hold(o, "payment_unverified",
					   "payment-not-verified", 0, 2);
		} else {
			char why[96];

			snprintf(why, sizeof(why), "payment %s is verified",
				 cases[i].status);
			expect_clean_order(o, why);
		}
		json_decref(o);
		json_decref(body);
	}
}

API_TEST(default_incomplete_contact)
{
	json_t *body, *o;

	/* No customer name. */
	body = order_new("P-IC-NAME");
	jset(body, "customer.name", json_string(""));
	o = intake(body);
	expect_policy_hold(o, "missing_contact", "incomplete-contact", 0, 4);
	json_decref(o);
	json_decref(body);

	/* Neither email nor phone: validation raises it; never twice. */
	body = order_new("P-IC-NONE");
	jset(body, "customer.email", json_string(""));
	jset(body, "customer.phone", json_string(""));
	o = intake(body);
	if (open_holds(o, "missing_contact") != 1 ||
	    open_holds(o, NULL) != 1) {
		dump_order("want exactly one missing_contact hold (a hold of a "
			   "type already open is not raised twice)",
			   o);
		fail();
	}
	json_decref(o);
	json_decref(body);

	/*
	 * No email, but a phone: a way to reach the customer, so neither
	 * validation nor the default rule (customer.name == "" or
	 * (customer.email == "" and customer.phone == "")) holds it.
	 */
	body = order_new("P-IC-EMAIL");
	jset(body, "customer.email", json_string(""));
	o = intake(body);
	if (open_holds(o, NULL) != 0) {
		dump_order("a phone is contact enough: no hold", o);
		fail();
	}
	json_decref(o);
	json_decref(body);
}

static json_t *risky_body(const char *ext, const char *email,
			  const char *method, int mismatch)
{
	json_t *o = order_new(ext);

	jset(o, "customer.email", json_string(email));
	jset(o, "shipping.method", json_string(method));
	if (mismatch)
		json_object_set_new(
			o, "bill_to",
			jparse("{\"name\": \"Margaret Hollis\", \"line1\": "
			       "\"100 King St W\", \"city\": \"Toronto\", "
			       "\"region\": \"ON\", \"postal_code\": \"M5H 1A1\", "
			       "\"country\": \"CA\"}"));
	return o;
}

/* Move the servers' clock on to a new second. */
static void next_second(void)
{
	harness_clock_advance(1);
}

API_TEST(default_first_order_express_mismatch)
{
	json_t *body, *o;

	body = risky_body("P-RISK-1", "first.timer@example.com", "express", 1);
	o = intake(body);
	expect_policy_hold(o, "risky_order", "first-express-mismatch", 0, 1);
	json_decref(o);
	json_decref(body);
	body = risky_body("P-RISK-5", "fresh.three@example.com", "overnight", 1);
	o = intake(body);
	expect_policy_hold(o, "risky_order", "first-express-mismatch", 0, 1);
	json_decref(o);
	json_decref(body);

	/* First orders without one of the three conditions. */
	body = risky_body("P-RISK-3", "fresh.one@example.com", "express", 0);
	o = intake(body);
	expect_clean_order(o, "express without a country mismatch");
	json_decref(o);
	json_decref(body);
	body = risky_body("P-RISK-4", "fresh.two@example.com", "standard", 1);
	o = intake(body);
	expect_clean_order(o, "a mismatch with standard shipping");
	json_decref(o);
	json_decref(body);

	/*
	 * The first customer again, a second later (email in another case:
	 * the same customer): not a first order.
	 */
	next_second();
	body = risky_body("P-RISK-2", "First.Timer@example.com", "express", 1);
	jset(body, "lines[0].quantity", json_integer(7));
	order_fix_totals(body);
	o = intake(body);
	expect_clean_order(o, "a second order of the customer is not risky");
	json_decref(o);
	json_decref(body);

	/*
	 * Within the same second: the first order was still received
	 * earlier, so the second is not a first order either.
	 */
	next_second();
	body = risky_body("P-RISK-6", "quick.twice@example.com", "express", 1);
	o = intake(body);
	expect_policy_hold(o, "risky_order", "first-express-mismatch", 0, 1);
	json_decref(o);
	json_decref(body);
	body = risky_body("P-RISK-7", "quick.twice@example.com", "express", 1);
	jset(body, "lines[0].quantity", json_integer(8));
	order_fix_totals(body);
	o = intake(body);
	expect_clean_order(o, "an order received right after the customer's "
			      "first (in the same second) is a second order: "
			      "customer.orders_count must be 1");
	json_decref(o);
	json_decref(body);
}

static int serves_reset(void **state)
{
	(void)state;
	if (!srv)
		return 0;
	make_location_serving(srv->key_acme, "WH-EAST", 1, "[]");
	make_location_serving(srv->key_acme, "WH-WEST", 2, "[]");
	return 0;
}

API_TEST(default_no_location_serves)
{
	json_t *body, *o;

	make_location_serving(acme(), "WH-EAST", 1, "[\"US\"]");
	make_location_serving(acme(), "WH-WEST", 2, "[\"US\"]");
	body = order_new("P-SERVE-CA");
	jset(body, "ship_to.line1", json_string("100 King St W"));
	jset(body, "ship_to.city", json_string("Toronto"));
	jset(body, "ship_to.region", json_string("ON"));
	jset(body, "ship_to.postal_code", json_string("M5H 1A1"));
	jset(body, "ship_to.country", json_string("CA"));
	o = intake(body);
	expect_policy_hold(o, "shipping_conflict", "no-location-serves", 0, 2);
	json_decref(o);
	json_decref(body);

	body = order_new("P-SERVE-US");
	o = intake(body);
	expect_clean_order(o, "a US order is served");
	json_decref(o);
	json_decref(body);
}

/* ---- versions ------------------------------------------------------------------------ */

static const char v_big[] =
	"{\"rules\": [{\"id\": \"big-orders\", \"when\": \"total >= 500\", "
	"\"then\": {\"hold\": \"high_value\", \"priority\": 3}}]}";
static const char v_two[] =
	"{\"rules\": [{\"id\": \"big-orders\", \"when\": \"total >= 500\", "
	"\"then\": {\"hold\": \"high_value\", \"priority\": 3}}, "
	"{\"id\": \"pending-pay\", \"when\": \"payment_status == "
	"\\\"pending\\\"\", \"then\": {\"hold\": \"payment_unverified\", "
	"\"priority\": 1}}]}";

API_TEST(put_makes_versions)
{
	json_t *want = jparse(v_big), *p;
	struct resp *r;
	long v1, v2;

	r = policy_put(acme(), v_big);
	assert_status(r, 201);
	v1 = (long)json_integer_value(json_object_get(r->json, "version"));
	check(v1 == 1, "the first PUT makes version 1: %s", r->body);
	check(json_equal(json_object_get(r->json, "rules"),
			 json_object_get(want, "rules")) &&
		      is_rfc3339(jstr(r->json, "created_at")) &&
		      streq(jstr(r->json, "created_by"), "key:admin"),
	      "PUT answers the version with its rules as sent, created_at "
	      "and created_by key:admin: %s",
	      r->body);
	resp_free(r);
	p = policy_get();
	check(json_integer_value(json_object_get(p, "version")) == 1 &&
		      json_equal(json_object_get(p, "rules"),
				 json_object_get(want, "rules")),
	      "GET /v1/policy must answer version 1");
	json_decref(p);
	json_decref(want);

	/* A supervisor may PUT too. */
	r = policy_put(lazy_key(supervisor_key, "supervisor", "psuper"), v_two);
	assert_status(r, 201);
	v2 = (long)json_integer_value(json_object_get(r->json, "version"));
	check(v2 == 2 && streq(jstr(r->json, "created_by"), "key:psuper"),
	      "the second PUT makes version 2 by key:psuper: %s", r->body);
	resp_free(r);

	r = http_get(acme(), "/v1/policy/versions");
	assert_status(r, 200);
	{
		json_t *vs = json_object_get(r->json, "versions");
		json_t *two = jparse(v_two);

		check(json_array_size(vs) >= 2 &&
			      json_integer_value(jget(r->json,
						      "versions[0].version")) ==
				      2 &&
			      json_integer_value(jget(r->json,
						      "versions[1].version")) ==
				      1 &&
			      json_equal(jget(r->json, "versions[0].rules"),
					 json_object_get(two, "rules")) &&
			      streq(jstr(r->json, "versions[0].created_by"),
				    "key:psuper") &&
			      streq(jstr(r->json, "versions[1].created_by"),
				    "key:admin") &&
			      is_rfc3339(jstr(r->json, "versions[1].created_at")),
		      "versions newest first: 2 then 1: %s", r->body);
		for (size_t i = 1; i < json_array_size(vs); i++)
			check(json_integer_value(jget(json_array_get(vs, i),
						      "version")) <
				      json_integer_value(jget(
					      json_array_get(vs, i - 1),
					      "version")),
			      "versions must be newest first: %s", r->body);
		json_decref(two);
	}
	resp_free(r);

	/* Holds raised now carry version 2 and its rules. */
	{
		json_t *body = hoodies("P-V2-BIG", 10, "5.00"), *o;

		o = intake(body);
		expect_policy_hold(o, "high_value", "big-orders", 2, 3);
		json_decref(o);
		json_decref(body);

		body = order_new("P-V2-PEND");
		jset(body, "payment_status", json_string("pending"));
		o = intake(body);
		expect_policy_hold(o, "payment_unverified", "pending-pay", 2, 1);
		json_decref(o);
		json_decref(body);

		/* The default rules are gone: unknown payment, no name. */
		body = order_new("P-V2-UNKNOWN");
		jset(body, "payment_status", NULL);
		jset(body, "customer.name", json_string(""));
		o = intake(body);
		expect_clean_order(o, "version 2 has no rule for unknown "
				      "payment or a missing name");
		json_decref(o);
		json_decref(body);
	}
}

API_TEST(only_admins_and_supervisors_put)
{
	long v = active_version();
	size_t n = versions_count();
	const char *keys[3];
	struct resp *r;

	keys[0] = lazy_key(agent_key, "agent", "pagent");
	keys[1] = lazy_key(viewer_key, "viewer", "pviewer");
	keys[2] = lazy_key(integration_key, "integration", "pintegration");
	for (int i = 0; i < 3; i++) {
		r = policy_put(keys[i], v_big);
		assert_error(r, 403, "forbidden", NULL);
		resp_free(r);
	}
	r = http("POST", "/v1/policy/simulate", keys[2], "{\"policy\": "
		 "{\"rules\": []}}", strlen("{\"policy\": {\"rules\": []}}"),
		 NULL);
	assert_error(r, 403, "forbidden", NULL);
	resp_free(r);
	check(active_version() == v && versions_count() == n,
	      "refused PUTs must change nothing");
}

API_TEST(an_approve_rule_first_exempts)
{
	static const char first[] =
		"{\"rules\": ["
		"{\"id\": \"vip\", \"when\": \"customer.email contains "
		"\\\"vip\\\"\", \"then\": \"approve\"}, "
		"{\"id\": \"big\", \"when\": \"total >= 1000\", \"then\": "
		"{\"hold\": \"high_value\", \"priority\": 3}}, "
		"{\"id\": \"pending\", \"when\": \"payment_status == "
		"\\\"pending\\\"\", \"then\": {\"hold\": \"payment_unverified\", "
		"\"priority\": 1}}]}";
	static const char after[] =
		"{\"rules\": ["
		"{\"id\": \"big\", \"when\": \"total >= 1000\", \"then\": "
		"{\"hold\": \"high_value\", \"priority\": 3}}, "
		"{\"id\": \"vip\", \"when\": \"customer.email contains "
		"\\\"vip\\\"\", \"then\": \"approve\"}, "
		"{\"id\": \"pending\", \"when\": \"payment_status == "
		"\\\"pending\\\"\", \"then\": {\"hold\": \"payment_unverified\", "
		"\"priority\": 1}}]}";
	long v = policy_put_ok(first);
	json_t *body, *o;

	body = hoodies("P-AP-VIP", 20, "5.00");
	jset(body, "customer.email", json_string("vip.buyer@example.com"));
	jset(body, "payment_status", json_string("pending"));
	o = intake(body);
	expect_clean_order(o, "an approve rule placed first exempts the order");
	json_decref(o);
	json_decref(body);

	body = hoodies("P-AP-BIG", 20, "5.00");
	o = intake(body);
	expect_policy_hold(o, "high_value", "big", v, 3);
	json_decref(o);
	json_decref(body);

	/* Every matching hold rule raises its hold. */
	body = hoodies("P-AP-BOTH", 21, "5.00");
	jset(body, "payment_status", json_string("pending"));
	o = intake(body);
	if (open_holds(o, NULL) != 2 ||
	    !streq(jstr(find_hold(o, "high_value"), "rule_id"), "big") ||
	    !streq(jstr(find_hold(o, "payment_unverified"), "rule_id"),
		   "pending")) {
		dump_order("want two holds: high_value (big) and "
			   "payment_unverified (pending)",
			   o);
		fail();
	}
	json_decref(o);
	json_decref(body);

	/* After a hold rule: the hold stands, later rules are skipped. */
	v = policy_put_ok(after);
	body = hoodies("P-AP-VIP2", 20, "5.00");
	jset(body, "customer.email", json_string("vip.two@example.com"));
	jset(body, "payment_status", json_string("pending"));
	o = intake(body);
	expect_policy_hold(o, "high_value", "big", v, 3);
	json_decref(o);
	json_decref(body);
}

API_TEST(the_language_over_real_orders)
{
	static const char doc[] =
		"{\"rules\": ["
		"{\"id\": \"mugs\", \"when\": \"channel == \\\"p-lang\\\" and "
		"skus contains \\\"MUG-12OZ\\\" and lines.count == 2 and "
		"quantity.total >= 2 and quantity.max < 50\", \"then\": "
		"{\"hold\": \"policy_exception\", \"priority\": 3}}, "
		"{\"id\": \"pobox\", \"when\": \"ship_to.po_box\", \"then\": "
		"{\"hold\": \"shipping_conflict\", \"priority\": 3}}, "
		"{\"id\": \"islands\", \"when\": \"ship_to.region in "
		"[\\\"AK\\\", \\\"HI\\\"] and not (channel == \\\"b2b\\\")\", "
		"\"then\": {\"hold\": \"risky_order\", \"priority\": 2}}, "
		"{\"id\": \"clock\", \"when\": \"channel == \\\"p-clock\\\" and "
		"hour >= 0 and hour <= 23 and weekday >= 0 and weekday <= 6 and "
		"subtotal > 1 and shipping.amount >= 5 and currency == "
		"\\\"USD\\\" and ship_to.country == \\\"US\\\" and "
		"bill_to.country == \\\"\\\" and not address.mismatch and "
		"not shipping.expedited and shipping.method == \\\"standard\\\" "
		"and destination.served and customer.orders_count == 0 and "
		"customer.defects_count == 0 and customer.phone != \\\"\\\"\", "
		"\"then\": {\"hold\": \"invalid_data\", \"priority\": 5}}]}";
	long v = policy_put_ok(doc);
	json_t *body, *o;

	/* Two lines with a mug, in channel p-lang. */
	body = order_new("P-LANG-MUG");
	jset(body, "channel", json_string("p-lang"));
	o = intake(body);
	expect_policy_hold(o, "policy_exception", "mugs", v, 3);
	json_decref(o);
	json_decref(body);
	/* Elsewhere: no rule matches. */
	body = order_new("P-LANG-WEB");
	o = intake(body);
	expect_clean_order(o, "no rule matches a plain web order");
	json_decref(o);
	json_decref(body);

	body = order_one_line("P-LANG-POBOX", "TSHIRT-BLK-M", 1, "19.99");
	jset(body, "ship_to.line1", json_string("PO Box 4417"));
	o = intake(body);
	expect_policy_hold(o, "shipping_conflict", "pobox", v, 3);
	json_decref(o);
	json_decref(body);

	body = order_one_line("P-LANG-AK", "TSHIRT-BLK-M", 1, "19.99");
	jset(body, "ship_to.city", json_string("Anchorage"));
	jset(body, "ship_to.region", json_string("AK"));
	jset(body, "ship_to.postal_code", json_string("99501"));
	o = intake(body);
	expect_policy_hold(o, "risky_order", "islands", v, 2);
	json_decref(o);
	json_decref(body);

	body = order_one_line("P-LANG-CLOCK", "TSHIRT-BLK-M", 1, "19.99");
	jset(body, "channel", json_string("p-clock"));
	o = intake(body);
	expect_policy_hold(o, "invalid_data", "clock", v, 5);
	json_decref(o);
	json_decref(body);
}

/* ---- refusals ---------------------------------------------------------------------------- */

#define OK_RULE                                                                \
	"{\"id\": \"ok-rule\", \"when\": \"total >= 1\", \"then\": "          \
	"{\"hold\": \"high_value\", \"priority\": 2}}"
#define THEN_OK "\"then\": {\"hold\": \"high_value\", \"priority\": 2}"

struct refusal {
	const char *rule;   /* rules[1] as JSON text; NULL: doc is whole */
	const char *doc;    /* the whole document, when rule is NULL */
	const char *field;  /* a details field (a prefix when prefix) */
	int prefix;
	const char *needles[3]; /* the message must contain each */
};

API_TEST(refusals_name_the_rule_the_column_and_the_reason)
{
	static char long_when[2300], deep_when[300], long_id[200];
	const struct refusal cases[] = {
		{ "{\"id\": \"typo\", \"when\": \"total >= 10 and totl > 1\", "
		  THEN_OK "}",
		  NULL, "rules[1].when", 0, { "typo", "column 17", "totl" } },
		{ "{\"id\": \"syntax\", \"when\": \"total >= 1000 )\", "
		  THEN_OK "}",
		  NULL, "rules[1].when", 0, { "syntax", "column 15", NULL } },
		{ "{\"id\": \"unterminated\", \"when\": \"channel == \\\"web\", "
		  THEN_OK "}",
		  NULL, "rules[1].when", 0, { "unterminated", "column", NULL } },
		{ "{\"id\": \"mismatch\", \"when\": \"total == \\\"big\\\"\", "
		  THEN_OK "}",
		  NULL, "rules[1].when", 0, { "mismatch", "column", NULL } },
		{ "{\"id\": \"mismatch-2\", \"when\": \"channel < 5\", "
		  THEN_OK "}",
		  NULL, "rules[1].when", 0, { "mismatch-2", "column", NULL } },
		{ "{\"id\": \"mismatch-3\", \"when\": \"lines.count == "
		  "\\\"2\\\"\", " THEN_OK "}",
		  NULL, "rules[1].when", 0, { "mismatch-3", "column", NULL } },
		{ "{\"id\": \"not-bool\", \"when\": \"total\", " THEN_OK "}",
		  NULL, "rules[1].when", 0, { "not-bool", "column", NULL } },
		{ "{\"id\": \"not-bool-2\", \"when\": \"lines.count\", "
		  THEN_OK "}",
		  NULL, "rules[1].when", 0, { "not-bool-2", "column", NULL } },
		{ "{\"id\": \"empty-when\", \"when\": \"\", " THEN_OK "}",
		  NULL, "rules[1].when", 0, { "empty-when", NULL, NULL } },
		{ "{\"id\": \"no-when\", " THEN_OK "}", NULL, "rules[1].when",
		  0, { "no-when", NULL, NULL } },
		{ "{\"id\": \"when-number\", \"when\": 5, " THEN_OK "}", NULL,
		  "rules[1].when", 0, { "when-number", NULL, NULL } },
		{ "{\"id\": \"bad-type\", \"when\": \"total >= 1\", \"then\": "
		  "{\"hold\": \"nonsense\", \"priority\": 2}}",
		  NULL, "rules[1].then", 1, { "bad-type", NULL, NULL } },
		{ "{\"id\": \"prio-0\", \"when\": \"total >= 1\", \"then\": "
		  "{\"hold\": \"high_value\", \"priority\": 0}}",
		  NULL, "rules[1].then", 1, { "prio-0", NULL, NULL } },
		{ "{\"id\": \"prio-6\", \"when\": \"total >= 1\", \"then\": "
		  "{\"hold\": \"high_value\", \"priority\": 6}}",
		  NULL, "rules[1].then", 1, { "prio-6", NULL, NULL } },
		{ "{\"id\": \"no-hold\", \"when\": \"total >= 1\", \"then\": "
		  "{\"priority\": 2}}",
		  NULL, "rules[1].then", 1, { "no-hold", NULL, NULL } },
		{ "{\"id\": \"reject\", \"when\": \"total >= 1\", \"then\": "
		  "\"reject\"}",
		  NULL, "rules[1].then", 1, { "reject", NULL, NULL } },
		{ "{\"id\": \"no-then\", \"when\": \"total >= 1\"}", NULL,
		  "rules[1].then", 1, { "no-then", NULL, NULL } },
		{ "{\"id\": \"ok-rule\", \"when\": \"total >= 2\", " THEN_OK "}",
		  NULL, "rules[1].id", 0, { "ok-rule", NULL, NULL } },
		{ "{\"id\": \"Big Orders!\", \"when\": \"total >= 2\", "
		  THEN_OK "}",
		  NULL, "rules[1].id", 0, { NULL, NULL, NULL } },
		{ "{\"id\": \"\", \"when\": \"total >= 2\", " THEN_OK "}", NULL,
		  "rules[1].id", 0, { NULL, NULL, NULL } },
		{ "{\"when\": \"total >= 2\", " THEN_OK "}", NULL, "rules[1].id",
		  0, { NULL, NULL, NULL } },
		{ long_id, NULL, "rules[1].id", 0, { NULL, NULL, NULL } },
		{ long_when, NULL, "rules[1].when", 0, { "too-long", NULL, NULL } },
		{ deep_when, NULL, "rules[1].when", 0, { "too-deep", NULL, NULL } },
		{ NULL, "{\"rules\": 5}", "rules", 0, { NULL, NULL, NULL } },
		{ NULL, "{}", "rules", 0, { NULL, NULL, NULL } },
		{ NULL, "{\"rules\": [5]}", "rules[0]", 1, { NULL, NULL, NULL } },
	};
	long v = active_version();
	size_t nv = versions_count();
	json_t *before = policy_get();
	int failures = 0;

	/* A condition of 2049 bytes, one nested 40 deep, an id of 65. */
	{
		char when[2050];

		memset(when, ' ', 2049);
		memcpy(when, "total >= 1", 10);
		when[2049] = '\0';
		snprintf(long_when, sizeof(long_when),
			 "{\"id\": \"too-long\", \"when\": \"%s\", " THEN_OK "}",
			 when);
	}
	{
		char when[120];
		size_t n = 0;

		for (int i = 0; i < 40; i++)
			when[n++] = '(';
		memcpy(when + n, "true", 4);
		n += 4;
		for (int i = 0; i < 40; i++)
			when[n++] = ')';
		when[n] = '\0';
		snprintf(deep_when, sizeof(deep_when),
			 "{\"id\": \"too-deep\", \"when\": \"%s\", " THEN_OK "}",
			 when);
	}
	{
		char id[70];

		memset(id, 'a', 65);
		id[65] = '\0';
		snprintf(long_id, sizeof(long_id),
			 "{\"id\": \"%s\", \"when\": \"true\", " THEN_OK "}", id);
	}

	/* Every case is tried; the failures are reported together. */
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char doc[2600];
		const char *msg, *d;
		struct resp *r;

		if (cases[i].rule)
			snprintf(doc, sizeof(doc), "{\"rules\": [%s, %s]}",
				 OK_RULE, cases[i].rule);
		else
			snprintf(doc, sizeof(doc), "%s", cases[i].doc);
		r = policy_put(acme(), doc);
		msg = jstr(r->json, "error.message");
		d = jstr(r->json, "error.details[0].message");
		if (r->status != 400 ||
		    !streq(jstr(r->json, "error.code"), "invalid_request") ||
		    !(cases[i].prefix ? error_field_prefix(r, cases[i].field)
				      : error_details_naming(r, cases[i].field) >
						0)) {
			print_error("case %zu: want 400 invalid_request with a "
				    "detail naming %s%s\n  PUT /v1/policy %.300s"
				    "\n  -> HTTP %ld %s\n",
				    i, cases[i].field,
				    cases[i].prefix ? "..." : "", doc, r->status,
				    r->body);
			failures++;
		}
		for (int k = 0; k < 3; k++) {
			if (!cases[i].needles[k] ||
			    (msg && strstr(msg, cases[i].needles[k])) ||
			    (d && strstr(d, cases[i].needles[k])))
				continue;
			print_error("case %zu: the message must name \"%s\"\n"
				    "  PUT /v1/policy %.300s\n  -> HTTP %ld %s\n",
				    i, cases[i].needles[k], doc, r->status,
				    r->body);
			failures++;
		}
		resp_free(r);

		/* A simulation refuses the same candidate the same way. */
		if (cases[i].rule) {
			char sim[2700];

			snprintf(sim, sizeof(sim), "{\"policy\": %s}", doc);
			r = http("POST", "/v1/policy/simulate", acme(), sim,
				 strlen(sim), NULL);
			if (r->status != 400 ||
			    !(cases[i].prefix
				      ? error_field_prefix(r, cases[i].field)
				      : error_details_naming(r, cases[i].field) >
						0)) {
				print_error("case %zu: simulate: want 400 naming "
					    "%s\n  -> HTTP %ld %s\n",
					    i, cases[i].field, r->status,
					    r->body);
				failures++;
			}
			resp_free(r);
		}
	}
	check(failures == 0, "%d refusal checks failed (above)", failures);

	{
		json_t *after = policy_get();

		check(active_version() == v && versions_count() == nv &&
			      json_equal(before, after),
		      "refused policies must leave the active policy as it "
		      "was");
		json_decref(after);
	}
	json_decref(before);
}

/* The built-in default is listed among the versions, last, as version 0
 * with its rules, and putting those rules back restores it. */
API_TEST(the_builtin_default_is_listed_and_can_be_restored)
{
	static const char *const ids[] = {
		"large-value", "first-express-mismatch", "incomplete-contact",
		"no-location-serves", "payment-not-verified"};
	struct resp *r;
	json_t *vs, *last, *doc, *p;
	size_t n, i;
	long restored;
	char *text;

	/* Some saved version first, so the default is not in force. */
	r = policy_put(acme(), v_two);
	assert_status(r, 201);
	resp_free(r);

	r = http_get(acme(), "/v1/policy/versions");
	assert_status(r, 200);
	vs = json_object_get(r->json, "versions");
	n = json_array_size(vs);
	check(n >= 2, "a saved version and the built-in one: %s", r->body);
	last = json_array_get(vs, n - 1);
	check(json_integer_value(json_object_get(last, "version")) == 0 &&
		      json_is_true(json_object_get(last, "builtin")) &&
		      json_is_null(json_object_get(last, "created_at")) &&
		      json_is_null(json_object_get(last, "created_by")) &&
		      json_array_size(json_object_get(last, "rules")) == 5,
	      "the last version must be the built-in 0 with its 5 rules: %s",
	      r->body);
	for (i = 0; i < 5; i++)
		check(streq(jstr(json_array_get(json_object_get(last, "rules"),
						i),
				 "id"),
			    ids[i]),
		      "built-in rule %zu must be %s: %s", i, ids[i], r->body);
	for (i = 0; i + 1 < n; i++)
		check(json_is_false(json_object_get(json_array_get(vs, i),
						    "builtin")),
		      "saved versions are not builtin: %s", r->body);

	/* Put back: a new version with the default's rules, in force. */
	doc = json_pack("{s:O}", "rules", json_object_get(last, "rules"));
	text = json_dumps(doc, JSON_COMPACT);
	resp_free(r);
	r = policy_put(acme(), text);
	assert_status(r, 201);
	restored = (long)json_integer_value(json_object_get(r->json, "version"));
	resp_free(r);
	p = policy_get();
	check(json_integer_value(json_object_get(p, "version")) == restored &&
		      restored > 0 &&
		      json_equal(json_object_get(p, "rules"),
				 json_object_get(doc, "rules")) &&
		      json_is_false(json_object_get(p, "builtin")),
	      "the default's rules must be in force again as version %ld",
	      restored);
	json_decref(p);
	json_decref(doc);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		/* The built-in default: before any PUT. */
		cmocka_unit_test(default_policy_is_version_0_with_five_rules),
		cmocka_unit_test(default_large_value),
		cmocka_unit_test(default_payment_not_verified),
		cmocka_unit_test(default_incomplete_contact),
		cmocka_unit_test(default_first_order_express_mismatch),
		cmocka_unit_test_teardown(default_no_location_serves,
					  serves_reset),
		/* Versions. */
		cmocka_unit_test(put_makes_versions),
		cmocka_unit_test(only_admins_and_supervisors_put),
		cmocka_unit_test(an_approve_rule_first_exempts),
		cmocka_unit_test(the_language_over_real_orders),
		cmocka_unit_test(refusals_name_the_rule_the_column_and_the_reason),
		cmocka_unit_test(the_builtin_default_is_listed_and_can_be_restored),
	};

	return harness_run_group(tests, harness_group_setup,
				      harness_group_teardown);
}
