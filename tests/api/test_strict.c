/*
 * test_strict.c - nothing a caller writes is passed over.
 *
 *   every operation   generated from the OpenAPI document the server
 *                     serves: an unknown query parameter is 400 naming it;
 *                     a body with an unknown member is 400 naming it, for
 *                     the operations that take a body and for those that
 *                     take none (accept, redeliver, delete ...).
 *   nested members    an unknown member at any depth is 400 naming its
 *                     full path, with the closest known name: an order's
 *                     customer.emial, shiping, ship_to.contry, lines[i];
 *                     a policy rule's then.priorty; a correction's
 *                     changes.ship_to.contry (the hold stays open); a bulk
 *                     filter's typ; settings; every problem listed at once.
 *   computed members  an order's id, state, timestamps and a line's
 *                     quantities by state are refused, saying ordo
 *                     computes them.
 *   bulk              an empty filter is refused without "all": true; a
 *                     filter matching more holds than the request's limit
 *                     is refused whole (409 "limit"); a dry run shows them.
 *   enums             a refused enum value lists the accepted values.
 *   query values      generated from the OpenAPI document: every integer
 *                     query parameter refuses "+1", " 1", "1 ", "1x",
 *                     "0x10", "1e3", "01", "" and the values just past its
 *                     declared minimum and maximum, and takes both bounds;
 *                     every boolean takes only "true" and "false"; every
 *                     time refuses spaces around it; every cursor with a
 *                     pattern is refused exactly when it does not match
 *                     it. A number past int64 is refused, not wrapped.
 */
#include "harness.h"

#include <inttypes.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>

static const char *acme(void)
{
	return srv->key_acme;
}

/* The first error detail naming field, or NULL. Borrowed. */
static const json_t *detail(const struct resp *r, const char *field)
{
	json_t *details = jget(r->json, "error.details"), *d;
	size_t i;

	json_array_foreach(details, i,
			   d) if (streq(jstr(d, "field"), field)) return d;
	return NULL;
}

/* r is 400 with a detail naming field whose message contains text. */
#define expect_refused(r, field, text)                                         \
	expect_refused_at((r), (field), (text), __FILE__, __LINE__)
static void expect_refused_at(const struct resp *r, const char *field,
			      const char *text, const char *file, int line)
{
	const json_t *d;

	harness_assert_error(r, 400, "invalid_request", field, file, line);
	d = detail(r, field);
	if (text &&
	    !strstr(jstr(d, "message") ? jstr(d, "message") : "", text)) {
		print_error("%s:%d: %s: the detail of \"%s\" does not say "
			    "\"%s\": %s\n",
			    file, line, r->request, field, text, r->body);
		_fail(file, line);
	}
}

/* Send text as a JSON body. */
static struct resp *send(const char *method, const char *path, const char *key,
			 const char *text)
{
	return http(method, path, key, text, strlen(text), NULL);
}

static size_t n_details(const struct resp *r)
{
	return json_array_size(jget(r->json, "error.details"));
}

/* ---- every operation, from the OpenAPI document ------------------------ */

/* path with each {param} replaced by a value no tenant has: the strict
 * checks run before any lookup, so no 404 comes first. */
static void concrete_path(const char *path, const char *query, char *out,
			  size_t size)
{
	char *o = out;
	const char *p;

	for (p = path; *p && o < out + size - 64;) {
		if (*p == '{') {
			memcpy(o, "zz-none", 7);
			o += 7;
			p = strchr(p, '}');
			p = p ? p + 1 : p + strlen(p);
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	if (query)
		snprintf(o, (size_t)(out + size - o), "?%s", query);
}

API_TEST(every_operation_refuses_unknown_query_parameters_and_members)
{
	static const char *const methods[] = {"get", "post", "put", "patch",
					      "delete"};
	struct resp *doc = http_get(NULL, "/openapi.json");
	json_t *paths = json_object_get(doc->json, "paths"), *ops;
	const char *path;
	size_t queries = 0, bodies = 0;

	json_object_foreach(paths, path, ops)
	{
		for (size_t m = 0; m < 5; m++) {
			json_t *op = json_object_get(ops, methods[m]);
			char upper[8], url[512];
			struct resp *r;
			size_t k;

			if (!op)
				continue;
			for (k = 0; methods[m][k]; k++)
				upper[k] = (char)(methods[m][k] - 'a' + 'A');
			upper[k] = '\0';

			/* An unknown query parameter; a body of {} where the
			 * operation takes one, so the query is what is
			 * refused (none where it takes another system's
			 * document, whose media type it checks first). */
			int foreign = json_object_get(op, "x-foreign-document") != NULL;

			concrete_path(path, "zz_unknown=1", url, sizeof(url));
			r = http(upper, url, acme(),
				 m == 0 || foreign ? NULL : "{}",
				 m == 0 || foreign ? 0 : 2, NULL);
			expect_refused(r, "zz_unknown",
				       "is not a query parameter");
			resp_free(r);
			queries++;

			/* Every operation that can carry a body: an unknown
			 * member, whether it takes a body or none; but for
			 * another system's own document (a storefront's
			 * order), which ordo keeps whole as it came. */
			if (m == 0 || foreign)
				continue;
			concrete_path(path, NULL, url, sizeof(url));
			r = send(upper, url, acme(), "{\"zz_unknown\": 1}");
			expect_refused(r, "zz_unknown", "is not a member");
			resp_free(r);
			bodies++;
		}
	}
	check(queries >= 40, "only %zu operations documented", queries);
	check(bodies >= 20, "only %zu operations with a body", bodies);
	resp_free(doc);
}

API_TEST(query_parameters_are_checked_by_name_and_once)
{
	struct resp *r;

	/* The filter a caller meant is not there: not every order. */
	r = http_get(acme(), "/v1/orders?customer_email=a@example.com");
	expect_refused(r, "customer_email", "it takes: ");
	resp_free(r);

	r = http_get(acme(), "/v1/orders?stat=on_hold&hold_typ=high_value");
	expect_refused(r, "stat", "did you mean \"state\"?");
	expect_refused(r, "hold_typ", "did you mean \"hold_type\"?");
	check(n_details(r) == 2, "both problems are listed: %s", r->body);
	resp_free(r);

	/* Only the first of two would be read. */
	r = http_get(acme(), "/v1/orders?state=on_hold&state=accepted");
	expect_refused(r, "state", "more than once");
	resp_free(r);

	r = http_get(acme(), "/v1/queue?priority=high");
	expect_refused(r, "priority", "must be an integer");
	resp_free(r);

	/* Without a value it would read as absent. */
	r = http_get(acme(), "/v1/queue?escalated");
	expect_refused(r, "escalated", "needs a value");
	resp_free(r);
	r = http_get(acme(), "/v1/queue?channel=%%FF");
	expect_refused(r, "channel", "UTF-8");
	resp_free(r);

	r = http_get(acme(), "/v1/queue?prority=1");
	expect_refused(r, "prority", "did you mean \"priority\"?");
	resp_free(r);

	r = http_get(acme(), "/v1/orders?state=on_hold&limit=5");
	assert_status(r, 200);
	resp_free(r);
}

/* ---- orders ----------------------------------------------------------------
 */

API_TEST(order_members_are_checked_at_every_depth)
{
	json_t *o = order_new("strict-1");
	struct resp *r;

	jset(o, "customer.emial", json_string("ann@example.com"));
	jset(o, "shiping", json_pack("{s:s}", "amount", "5.00"));
	jset(o, "ship_to.contry", json_string("US"));
	jset(o, "lines[0].quantiy", json_integer(2));
	jset(o, "totals.totl", json_string("1.00"));
	r = order_post(acme(), o, NULL);
	expect_refused(r, "customer.emial", "did you mean \"email\"?");
	expect_refused(r, "shiping", "did you mean \"shipping\"?");
	expect_refused(r, "ship_to.contry", "did you mean \"country\"?");
	expect_refused(r, "lines[0].quantiy", "did you mean \"quantity\"?");
	expect_refused(r, "totals.totl", "did you mean \"total\"?");
	check(n_details(r) == 5, "every problem is listed: %s", r->body);
	resp_free(r);
	check(orders_count(acme(), "external_id=strict-1") == 0,
	      "a refused order was stored");

	/* A name nothing is close to: the members it takes are listed. */
	json_decref(o);
	o = order_new("strict-1");
	jset(o, "bill_to", json_pack("{s:s}", "vat_number", "X1"));
	r = order_post(acme(), o, NULL);
	expect_refused(r, "bill_to.vat_number", "it takes: name, company");
	resp_free(r);
	json_decref(o);

	/* The same order without them is taken. */
	o = order_new("strict-1");
	free(order_create(acme(), o));
	json_decref(o);
}

API_TEST(order_members_ordo_computes_are_refused)
{
	json_t *o = order_new("strict-2"), *got;
	char *id;
	struct resp *r;

	jset(o, "id", json_string("ord_mine"));
	jset(o, "state", json_string("accepted"));
	jset(o, "received_at", json_string("2026-01-01T00:00:00Z"));
	jset(o, "holds", json_array());
	jset(o, "lines[0].allocated", json_integer(1));
	r = order_post(acme(), o, NULL);
	expect_refused(r, "id", "computed by ordo");
	expect_refused(r, "state", "computed by ordo");
	expect_refused(r, "received_at", "computed by ordo");
	expect_refused(r, "holds", "computed by ordo");
	expect_refused(r, "lines[0].allocated", "computed by ordo");
	resp_free(r);
	json_decref(o);

	/* An order as ordo answers it is not an order to post. */
	o = order_new("strict-2");
	id = order_create(acme(), o);
	got = order_fetch(acme(), id);
	jset(got, "external_id", json_string("strict-2b"));
	r = order_post(acme(), got, NULL);
	expect_refused(r, "updated_at", "computed by ordo");
	expect_refused(r, "lines[0].open", "computed by ordo");
	resp_free(r);
	json_decref(got);
	json_decref(o);
	free(id);
}

/* ---- holds: resolve and bulk -----------------------------------------------
 */

/* A high_value hold (default policy: total >= 1000) in channel. */
static char *held_order(const char *ext, const char *channel, char *hold_id)
{
	json_t *o = order_new(ext), *got;
	char *id;

	jset(o, "channel", json_string(channel));
	jset(o, "lines[0].quantity", json_integer(60));
	order_fix_totals(o);
	id = order_create(acme(), o);
	got = order_fetch(acme(), id);
	check(streq(jstr(got, "state"), "on_hold"), "not held: %s", id);
	snprintf(hold_id, 64, "%s", jstr(find_hold(got, "high_value"), "id"));
	json_decref(got);
	json_decref(o);
	return id;
}

static size_t open_holds_of(const char *id)
{
	json_t *o = order_fetch(acme(), id);
	size_t n = open_holds(o, NULL);

	json_decref(o);
	return n;
}

API_TEST(a_correction_with_an_unknown_member_changes_nothing)
{
	char hold[64], path[128];
	char *id = held_order("strict-3", "strict-c", hold);
	json_t *before = order_fetch(acme(), id), *after;
	struct resp *r;

	snprintf(path, sizeof(path), "/v1/holds/%s/resolve", hold);
	r = send("POST", path, acme(),
		 "{\"action\": \"correct\", \"reason\": \"fix\", "
		 "\"changes\": {\"ship_to\": {\"contry\": \"CA\"}, "
		 "\"lines\": [{\"line_no\": 1, \"qty\": 1}], "
		 "\"customer\": {\"emial\": \"x@example.com\"}, "
		 "\"note\": \"n\"}}");
	expect_refused(r, "changes.ship_to.contry",
		       "did you mean \"country\"?");
	expect_refused(r, "changes.lines[0].qty", NULL);
	expect_refused(r, "changes.customer.emial", "did you mean \"email\"?");
	expect_refused(r, "changes.note", "did you mean \"notes\"?");
	resp_free(r);
	check(open_holds_of(id) == 1, "the hold was resolved");
	after = order_fetch(acme(), id);
	check(streq(jstr(after, "updated_at"), jstr(before, "updated_at")),
	      "the order changed");
	json_decref(after);
	json_decref(before);
	free(id);
}

API_TEST(bulk_must_say_what_it_acts_on)
{
	char h1[64], h2[64];
	char *a = held_order("strict-b1", "strict-bulk", h1);
	char *b = held_order("strict-b2", "strict-bulk", h2);
	struct resp *r;

	/* A typo in the filter used to match every open hold. */
	r = send("POST", "/v1/holds/bulk", acme(),
		 "{\"filter\": {\"typ\": \"high_value\"}, "
		 "\"action\": \"approve\", \"reason\": \"ok\"}");
	expect_refused(r, "filter.typ", "did you mean \"type\"?");
	resp_free(r);

	/* No filter, or {}: refused without "all". */
	r = send("POST", "/v1/holds/bulk", acme(),
		 "{\"action\": \"approve\", \"reason\": \"ok\"}");
	expect_refused(r, "filter", "\"all\": true");
	resp_free(r);
	r = send("POST", "/v1/holds/bulk", acme(),
		 "{\"filter\": {}, \"action\": \"approve\", "
		 "\"reason\": \"ok\"}");
	expect_refused(r, "filter", "every open hold");
	resp_free(r);
	r = send("POST", "/v1/holds/bulk", acme(),
		 "{\"filter\": {\"channel\": \"strict-bulk\"}, "
		 "\"all\": true, \"action\": \"approve\", "
		 "\"reason\": \"ok\"}");
	expect_refused(r, "all", "empty filter only");
	resp_free(r);
	check(open_holds_of(a) == 1 && open_holds_of(b) == 1,
	      "a refused bulk action decided a hold");

	/* Said explicitly, a dry run shows every open hold. */
	r = send("POST", "/v1/holds/bulk", acme(),
		 "{\"all\": true, \"dry_run\": true, "
		 "\"action\": \"approve\", \"reason\": \"ok\"}");
	assert_status(r, 200);
	check(json_integer_value(jget(r->json, "matched")) >= 2, "all: %s",
	      r->body);
	resp_free(r);
	check(open_holds_of(a) == 1 && open_holds_of(b) == 1,
	      "a dry run decided a hold");
	free(a);
	free(b);
}

API_TEST(bulk_over_its_limit_is_refused_whole)
{
	char h1[64], h2[64], h3[64];
	char *a = held_order("strict-l1", "strict-limit", h1);
	char *b = held_order("strict-l2", "strict-limit", h2);
	char *c = held_order("strict-l3", "strict-limit", h3);
	struct resp *r;

	r = send("POST", "/v1/holds/bulk", acme(),
		 "{\"filter\": {\"channel\": \"strict-limit\"}, "
		 "\"limit\": 2, \"action\": \"approve\", "
		 "\"reason\": \"ok\"}");
	assert_error(r, 409, "conflict", "limit");
	check(strstr(jstr(r->json, "error.message"), "more than 2"), "%s",
	      r->body);
	resp_free(r);
	check(open_holds_of(a) + open_holds_of(b) + open_holds_of(c) == 3,
	      "a refused bulk action decided a hold");

	/* A dry run shows the first of them and that there are more. */
	r = send("POST", "/v1/holds/bulk", acme(),
		 "{\"filter\": {\"channel\": \"strict-limit\"}, "
		 "\"limit\": 2, \"dry_run\": true, "
		 "\"action\": \"approve\", \"reason\": \"ok\"}");
	assert_status(r, 200);
	check(json_integer_value(jget(r->json, "matched")) == 2 &&
		      json_is_true(jget(r->json, "more")),
	      "%s", r->body);
	resp_free(r);

	r = send("POST", "/v1/holds/bulk", acme(),
		 "{\"filter\": {\"channel\": \"strict-limit\"}, "
		 "\"limit\": 1001, \"action\": \"approve\", "
		 "\"reason\": \"ok\"}");
	expect_refused(r, "limit", "between 1 and 1000");
	resp_free(r);

	/* Within the limit, it is done. */
	r = send("POST", "/v1/holds/bulk", acme(),
		 "{\"filter\": {\"channel\": \"strict-limit\"}, "
		 "\"limit\": 3, \"action\": \"approve\", "
		 "\"reason\": \"ok\"}");
	assert_status(r, 200);
	check(json_integer_value(jget(r->json, "applied")) == 3, "%s", r->body);
	resp_free(r);
	free(a);
	free(b);
	free(c);
}

API_TEST(bulk_without_a_limit_keeps_to_the_tenants_bulk_limit)
{
	char h1[64], h2[64], h3[64];
	char *a = held_order("strict-t1", "strict-tenant-limit", h1);
	char *b = held_order("strict-t2", "strict-tenant-limit", h2);
	char *c = held_order("strict-t3", "strict-tenant-limit", h3);
	struct resp *r;

	r = send("PATCH", "/v1/settings", acme(), "{\"bulk_limit\": 2}");
	assert_status(r, 200);
	check(json_integer_value(jget(r->json, "bulk_limit")) == 2, "%s",
	      r->body);
	resp_free(r);

	/* Three match, the tenant allows two: refused whole, named. */
	r = send("POST", "/v1/holds/bulk", acme(),
		 "{\"filter\": {\"channel\": \"strict-tenant-limit\"}, "
		 "\"action\": \"approve\", \"reason\": \"ok\"}");
	assert_error(r, 409, "conflict", "limit");
	check(strstr(jstr(r->json, "error.message"), "bulk_limit"), "%s",
	      r->body);
	resp_free(r);
	check(open_holds_of(a) + open_holds_of(b) + open_holds_of(c) == 3,
	      "a refused bulk action decided a hold");

	/* Saying so explicitly is how a request touches more. */
	r = send("POST", "/v1/holds/bulk", acme(),
		 "{\"filter\": {\"channel\": \"strict-tenant-limit\"}, "
		 "\"limit\": 3, \"action\": \"approve\", "
		 "\"reason\": \"ok\"}");
	assert_status(r, 200);
	check(json_integer_value(jget(r->json, "applied")) == 3, "%s", r->body);
	resp_free(r);

	r = send("PATCH", "/v1/settings", acme(), "{\"bulk_limit\": 1001}");
	expect_refused(r, "bulk_limit", NULL);
	resp_free(r);
	r = send("PATCH", "/v1/settings", acme(), "{\"bulk_limit\": 100}");
	assert_status(r, 200);
	resp_free(r);
	free(a);
	free(b);
	free(c);
}

API_TEST(claim_takes_its_lease_only)
{
	char hold[64], path[128];
	char *id = held_order("strict-4", "strict-claim", hold);
	struct resp *r;

	snprintf(path, sizeof(path), "/v1/holds/%s/claim", hold);
	r = send("POST", path, acme(),
		 "{\"lease_s\": 600, \"assignee\": \"key:bob\"}");
	expect_refused(r, "assignee", NULL);
	resp_free(r);
	snprintf(path, sizeof(path), "/v1/holds/%s/release", hold);
	r = send("POST", path, acme(), "{\"lease_s\": 600}");
	expect_refused(r, "lease_s", "it takes none");
	resp_free(r);
	free(id);
}

/* ---- policy and settings --------------------------------------------------
 */

API_TEST(policy_rules_are_checked_member_by_member)
{
	struct resp *before = http_get(acme(), "/v1/policy"), *r, *after;

	r = send("PUT", "/v1/policy", acme(),
		 "{\"rules\": [{\"id\": \"big\", \"when\": "
		 "\"total >= 500\", \"then\": {\"hold\": "
		 "\"high_value\", \"priorty\": 1}}, {\"id\": "
		 "\"b\", \"whn\": \"total >= 1\", \"then\": "
		 "\"approve\"}]}");
	expect_refused(r, "rules[0].then.priorty",
		       "did you mean \"priority\"?");
	expect_refused(r, "rules[1].whn", "did you mean \"when\"?");
	resp_free(r);
	after = http_get(acme(), "/v1/policy");
	check(json_equal(jget(before->json, "version"),
			 jget(after->json, "version")),
	      "a refused policy was saved: %s", after->body);
	resp_free(after);

	/* A version as ordo answers it: its number is ordo's. */
	r = http_json("PUT", "/v1/policy", acme(), before->json, NULL);
	expect_refused(r, "version", "computed by ordo");
	resp_free(r);
	resp_free(before);

	r = send("POST", "/v1/policy/simulate", acme(),
		 "{\"policy\": {\"rules\": [{\"id\": \"a\", "
		 "\"when\": \"total >= 1\", \"then\": {\"hold\": "
		 "\"high_value\", \"prio\": 2}}]}, \"form\": "
		 "\"2026-01-01T00:00:00Z\"}");
	expect_refused(r, "policy.rules[0].then.prio", NULL);
	expect_refused(r, "form", "did you mean \"from\"?");
	resp_free(r);
}

API_TEST(settings_are_checked_before_the_write)
{
	struct resp *r;

	r = send("PATCH", "/v1/settings", acme(),
		 "{\"releas_mode\": \"wave\", \"release_sla_s\": -1, "
		 "\"holds\": "
		 "{\"high_valu\": {\"sla_s\": 600}, "
		 "\"risky_order\": {\"slas\": 600}}}");
	expect_refused(r, "releas_mode", "did you mean \"release_mode\"?");
	expect_refused(r, "holds.high_valu", "did you mean \"high_value\"?");
	expect_refused(r, "holds.risky_order.slas", "did you mean \"sla_s\"?");
	/* A bad value is listed with them. */
	expect_refused(r, "release_sla_s", "must be between");
	resp_free(r);
	r = http_get(acme(), "/v1/settings");
	check(streq(jstr(r->json, "release_mode"), "auto"), "%s", r->body);
	resp_free(r);
}

/* ---- enumerations
 * ------------------------------------------------------------ */

API_TEST(refused_enum_values_list_the_accepted_ones)
{
	char hold[64], path[128];
	char *id = held_order("strict-5", "strict-enum", hold);
	json_t *o;
	struct resp *r;

	r = http_get(acme(), "/v1/orders?state=onhold");
	expect_refused(r, "state",
		       "one of: received, validated, on_hold, accepted");
	resp_free(r);
	r = http_get(acme(), "/v1/orders?hold_type=big");
	expect_refused(r, "hold_type", "one of: missing_data, invalid_data");
	expect_refused(r, "hold_type", "change_after_release");
	resp_free(r);
	r = http_get(acme(), "/v1/fulfillments?state=open");
	expect_refused(r, "state", "one of: ");
	resp_free(r);
	r = http_get(acme(), "/v1/webhooks/deliveries?status=done");
	expect_refused(r, "status", "one of: pending, delivered, failed");
	resp_free(r);
	r = http_get(acme(), "/v1/defects?type=broken");
	expect_refused(r, "type", "one of: wrong_address, missing_item");
	resp_free(r);
	r = http_get(acme(), "/v1/queue?type=big");
	expect_refused(r, "type", "one of: missing_data");
	resp_free(r);

	o = order_new("strict-6");
	jset(o, "payment_status", json_string("payed"));
	r = order_post(acme(), o, NULL);
	expect_refused(r, "payment_status", "one of: pending, authorized");
	resp_free(r);
	json_decref(o);

	snprintf(path, sizeof(path), "/v1/holds/%s/resolve", hold);
	r = send("POST", path, acme(),
		 "{\"action\": \"aprove\", \"reason\": \"x\"}");
	expect_refused(r, "action",
		       "one of: approve, correct, cancel_order, escalate");
	resp_free(r);
	r = send("POST", "/v1/holds/bulk", acme(),
		 "{\"filter\": {\"type\": \"high_value\"}, "
		 "\"action\": \"correct\", \"reason\": \"x\"}");
	expect_refused(r, "action",
		       "one of: approve, cancel_order, escalate, release");
	resp_free(r);
	r = send("POST", "/v1/webhooks", acme(),
		 "{\"url\": \"http://127.0.0.1:9/\", \"events\": "
		 "[\"order.shipt\"]}");
	expect_refused(r, "events[0]", "one of: order.accepted");
	resp_free(r);
	r = send("PATCH", "/v1/settings", acme(),
		 "{\"backorder_mode\": \"wait\", "
		 "\"release_mode\": \"manual\"}");
	expect_refused(r, "backorder_mode", "one of: backorder, hold");
	expect_refused(r, "release_mode", "one of: auto, wave");
	resp_free(r);
	r = send("POST", "/v1/fulfillments/zz-none/reject", acme(),
		 "{\"reason\": \"lost\"}");
	expect_refused(r, "reason", "one of: incorrect_address");
	resp_free(r);
	snprintf(path, sizeof(path), "/v1/orders/%s/defects", id);
	r = send("POST", path, acme(),
		 "{\"type\": \"broken\", \"found_by\": \"me\"}");
	expect_refused(r, "type", "one of: wrong_address");
	resp_free(r);
	r = send("POST", "/v1/locations/zz-none/stock/zz-none/adjustments",
		 acme(), "{\"delta\": 1, \"reason\": \"lost\"}");
	expect_refused(r, "reason", "one of: receipt, damage");
	resp_free(r);
	free(id);
}

API_TEST(ordo_simulate_checks_the_policy_file)
{
	char file[HARNESS_PATH_MAX];
	const char *args[] = {"simulate", "--tenant", "acme",	    "--policy",
			      file,	  "--db",     srv->db_path, NULL};
	struct cli_result c;
	FILE *f;

	snprintf(file, sizeof(file), "%s/strict-policy.json", srv->dir);
	f = fopen(file, "w");
	check(f != NULL, "cannot write %s", file);
	fputs("{\"rules\": [{\"id\": \"a\", \"when\": \"total >= 1\", "
	      "\"then\": {\"hold\": \"high_value\", \"priorty\": 1}}]}",
	      f);
	fclose(f);
	cli_run(&c, args);
	check(c.exit_status != 0 && strstr(c.err, "rules[0].then.priorty") &&
		      strstr(c.err, "did you mean \\\"priority\\\"?"),
	      "exit %d, stderr: %s", c.exit_status, c.err);
	cli_result_free(&c);
	remove(file);
}

API_TEST(a_refused_role_lists_the_roles)
{
	const char *args[] = {"key",	    "create", "acme", "--role",
			      "superviser", "--name", "x",    "--db",
			      srv->db_path, NULL};
	struct cli_result c;

	cli_run(&c, args);
	check(c.exit_status != 0 &&
		      strstr(c.err, "one of: admin, supervisor, agent, "
				    "integration, viewer"),
	      "exit %d, stderr: %s", c.exit_status, c.err);
	cli_result_free(&c);
}

/* ---- query values, from the OpenAPI document ---------------------------- */

/* p, or the parameter of components.parameters its $ref names. Borrowed. */
static json_t *param_resolve(json_t *doc, json_t *p)
{
	static const char prefix[] = "#/components/parameters/";
	const char *ref = json_string_value(json_object_get(p, "$ref"));
	json_t *all;

	if (!ref)
		return p;
	check(strncmp(ref, prefix, sizeof(prefix) - 1) == 0,
	      "a $ref the test cannot follow: %s", ref);
	all = json_object_get(json_object_get(doc, "components"),
			      "parameters");
	p = json_object_get(all, ref + sizeof(prefix) - 1);
	check(p != NULL, "$ref %s names no parameter", ref);
	return p;
}

/* name=value with every byte of value but letters and digits
 * percent-encoded, so that what the server decodes is value exactly. */
static void query_text(const char *name, const char *value, char *out,
		       size_t size)
{
	size_t n = (size_t)snprintf(out, size, "%s=", name);
	const unsigned char *v;

	for (v = (const unsigned char *)value; *v && n + 4 < size; v++) {
		if ((*v >= '0' && *v <= '9') || (*v >= 'a' && *v <= 'z') ||
		    (*v >= 'A' && *v <= 'Z'))
			out[n++] = (char)*v;
		else
			n += (size_t)snprintf(out + n, size - n, "%%%02X", *v);
	}
	out[n] = '\0';
}

/* An operation of the document, with the query parameters it requires
 * given a value ("zz-none" for each, as no tenant has that name). */
struct query_op {
	const char *method; /* "get" ... */
	const char *path;
	char required[256]; /* "" or "sku=zz-none&" */
};

/* The operation's request with ?name=value (a body of {} unless GET). */
static struct resp *query_send(const struct query_op *op, const char *name,
			       const char *value)
{
	char query[512], url[768], upper[8];
	size_t k, n;

	for (k = 0; op->method[k] && k + 1 < sizeof(upper); k++)
		upper[k] = (char)(op->method[k] - 'a' + 'A');
	upper[k] = '\0';
	n = (size_t)snprintf(query, sizeof(query), "%s", op->required);
	query_text(name, value, query + n, sizeof(query) - n);
	concrete_path(op->path, query, url, sizeof(url));
	return http(upper, url, acme(), streq(op->method, "get") ? NULL : "{}",
		    streq(op->method, "get") ? 0 : 2, NULL);
}

/* The value is refused, 400 naming the parameter, saying `says`. */
static void query_refused(const struct query_op *op, const char *name,
			  const char *value, const char *says)
{
	struct resp *r = query_send(op, name, value);

	if (r->status != 400 || !detail(r, name))
		print_error("\"%s\" was not refused as %s\n", value, name);
	expect_refused(r, name, says);
	resp_free(r);
}

/* The value is taken: whatever the answer, it does not refuse it. */
static void query_taken(const struct query_op *op, const char *name,
			const char *value)
{
	struct resp *r = query_send(op, name, value);

	check(r->status != 400 && r->status != 0,
	      "%s: \"%s\" is a good %s, refused: %s", r->request, value,
	      name, r->body);
	resp_free(r);
}

static void check_integer_param(const struct query_op *op, const char *name,
				const json_t *schema)
{
	static const char *const malformed[] = {
		"+1",  " 1",  "1 ",   "1x",  "0x10", "1e3",
		"",    "01",  "-0",   "1.0", "1,0",  "99999999999999999999",
		"-99999999999999999999", NULL};
	const json_t *min = json_object_get(schema, "minimum");
	const json_t *max = json_object_get(schema, "maximum");
	char says[96], text[32];
	json_int_t lo, hi;
	size_t i;

	check(json_is_integer(min) && json_is_integer(max),
	      "%s %s: %s declares no minimum and maximum", op->method,
	      op->path, name);
	lo = json_integer_value(min);
	hi = json_integer_value(max);
	snprintf(says, sizeof(says), "must be an integer from %" JSON_INTEGER_FORMAT
		 " to %" JSON_INTEGER_FORMAT, lo, hi);
	for (i = 0; malformed[i]; i++)
		query_refused(op, name, malformed[i], says);
	snprintf(text, sizeof(text), "%" JSON_INTEGER_FORMAT, lo - 1);
	query_refused(op, name, text, says);
	snprintf(text, sizeof(text), "%" JSON_INTEGER_FORMAT, hi + 1);
	query_refused(op, name, text, says);
	snprintf(text, sizeof(text), "%" JSON_INTEGER_FORMAT, lo);
	query_taken(op, name, text);
	snprintf(text, sizeof(text), "%" JSON_INTEGER_FORMAT, hi);
	query_taken(op, name, text);
}

static void check_boolean_param(const struct query_op *op, const char *name)
{
	static const char *const malformed[] = {
		"TRUE", "True", "1", "0", "yes", "", " true", "false ", NULL};
	size_t i;

	for (i = 0; malformed[i]; i++)
		query_refused(op, name, malformed[i],
			      "must be true or false");
	query_taken(op, name, "true");
	query_taken(op, name, "false");
}

static void check_time_param(const struct query_op *op, const char *name)
{
	static const char *const malformed[] = {
		" 2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z ",
		"2026-01-01 00:00:00Z", "", "2026-01-01", NULL};
	size_t i;

	for (i = 0; malformed[i]; i++)
		query_refused(op, name, malformed[i], "RFC 3339");
	query_taken(op, name, "2026-01-01T00:00:00Z");
	query_taken(op, name, "2026-01-01T00:00:00+02:00");
}

/* A parameter with a pattern (the cursors): a value is refused exactly
 * when it does not match the pattern the document gives. */
static void check_pattern_param(const struct query_op *op, const char *name,
				const char *pattern)
{
	static const char *const values[] = {
		"1",	 "5",	  "12",	   "1.1",   "-5.1", "0.1",  "+1",
		" 1",	 "1 ",	  "1x",	   "0x10",  "1e3",  "",	    "01",
		"-1",	 "0",	  "-0",	   "1.",    ".1",   "+1.1", "1.+1",
		"1. 1",	 " 1.1",  "1.1 ",  "1.01",  "01.1", "-0.1", "1.0",
		"1.1.1", "-+1.1", "1.-1",  NULL};
	regex_t re;
	size_t i;

	check(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) == 0,
	      "%s: the pattern of %s is not a regular expression: %s",
	      op->path, name, pattern);
	for (i = 0; values[i]; i++) {
		if (regexec(&re, values[i], 0, NULL, 0) == 0)
			query_taken(op, name, values[i]);
		else
			query_refused(op, name, values[i], NULL);
	}
	regfree(&re);
}

/* The query parameters of an operation (its path's, then its own), each
 * resolved, in *params; the number. */
static size_t query_params(json_t *doc, json_t *ops, json_t *op,
			   json_t *params[], size_t max)
{
	json_t *lists[2], *p;
	size_t l, i, n = 0;

	lists[0] = json_object_get(ops, "parameters");
	lists[1] = json_object_get(op, "parameters");
	for (l = 0; l < 2; l++) {
		json_array_foreach(lists[l], i, p)
		{
			json_t *q = param_resolve(doc, p);

			if (streq(jstr(q, "in"), "query") && n < max)
				params[n++] = q;
		}
	}
	return n;
}

API_TEST(every_query_value_is_read_strictly)
{
	static const char *const methods[] = {"get", "post", "put", "patch",
					      "delete"};
	struct resp *doc = http_get(NULL, "/openapi.json");
	json_t *paths = json_object_get(doc->json, "paths"), *ops;
	const char *path;
	size_t integers = 0, booleans = 0, times = 0, patterns = 0;

	json_object_foreach(paths, path, ops)
	{
		for (size_t m = 0; m < 5; m++) {
			json_t *op = json_object_get(ops, methods[m]);
			json_t *params[32];
			struct query_op qo;
			size_t n, i, len = 0;

			if (!op)
				continue;
			qo.method = methods[m];
			qo.path = path;
			qo.required[0] = '\0';
			n = query_params(doc->json, ops, op, params, 32);
			/* A required parameter takes the first value of its
			 * enumeration, if it has one (it is not what is
			 * tested), else one no resource has. */
			for (i = 0; i < n; i++) {
				json_t *e = json_object_get(
					json_object_get(params[i], "schema"),
					"enum");

				if (json_is_true(
					    json_object_get(params[i],
							    "required")))
					len += (size_t)snprintf(
						qo.required + len,
						sizeof(qo.required) - len,
						"%s=%s&",
						jstr(params[i], "name"),
						json_is_array(e)
							? json_string_value(
								  json_array_get(
									  e, 0))
							: "zz-none");
			}
			for (i = 0; i < n; i++) {
				json_t *schema =
					json_object_get(params[i], "schema");
				const char *name = jstr(params[i], "name");
				const char *type = jstr(schema, "type");

				if (streq(type, "integer")) {
					check_integer_param(&qo, name, schema);
					integers++;
				} else if (streq(type, "boolean")) {
					check_boolean_param(&qo, name);
					booleans++;
				} else if (streq(jstr(schema, "format"),
						 "date-time")) {
					check_time_param(&qo, name);
					times++;
				} else if (jstr(schema, "pattern")) {
					check_pattern_param(
						&qo, name,
						jstr(schema, "pattern"));
					patterns++;
				}
			}
		}
	}
	check(integers >= 10 && booleans >= 1 && times >= 4 && patterns >= 7,
	      "too few query parameters documented: %zu integers, %zu "
	      "booleans, %zu times, %zu patterns",
	      integers, booleans, times, patterns);
	resp_free(doc);
}

API_TEST(query_numbers_past_int64_are_refused_not_wrapped)
{
	static const char *const refused[] = {
		"/v1/orders?cursor=9223372036854775808",
		"/v1/orders?cursor=18446744073709551617",
		"/v1/queue?cursor=9223372036854775808.1",
		"/v1/queue?cursor=-9223372036854775809.1",
		"/v1/queue?cursor=1.9223372036854775808",
		"/v1/queue?limit=18446744073709551617",
		"/v1/queue?priority=18446744073709551617",
		"/v1/queue?min_age_s=-18446744073709551616",
	};
	struct resp *r;
	size_t i;

	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		const char *name = strchr(refused[i], '?') + 1;
		char field[32];

		snprintf(field, sizeof(field), "%.*s",
			 (int)(strchr(name, '=') - name), name);
		r = http_get(acme(), "%s", refused[i]);
		expect_refused(r, field, NULL);
		resp_free(r);
	}

}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			every_operation_refuses_unknown_query_parameters_and_members),
		cmocka_unit_test(query_parameters_are_checked_by_name_and_once),
		cmocka_unit_test(order_members_are_checked_at_every_depth),
		cmocka_unit_test(order_members_ordo_computes_are_refused),
		cmocka_unit_test(
			a_correction_with_an_unknown_member_changes_nothing),
		cmocka_unit_test(bulk_must_say_what_it_acts_on),
		cmocka_unit_test(bulk_over_its_limit_is_refused_whole),
		cmocka_unit_test(
			bulk_without_a_limit_keeps_to_the_tenants_bulk_limit),
		cmocka_unit_test(claim_takes_its_lease_only),
		cmocka_unit_test(policy_rules_are_checked_member_by_member),
		cmocka_unit_test(settings_are_checked_before_the_write),
		cmocka_unit_test(refused_enum_values_list_the_accepted_ones),
		cmocka_unit_test(ordo_simulate_checks_the_policy_file),
		cmocka_unit_test(a_refused_role_lists_the_roles),
		cmocka_unit_test(every_query_value_is_read_strictly),
		cmocka_unit_test(
			query_numbers_past_int64_are_refused_not_wrapped),
	};

	return harness_run_group(tests, harness_group_setup,
				      harness_group_teardown);
}
