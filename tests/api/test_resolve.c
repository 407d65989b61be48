/*
 * test_resolve.c - deciding holds: POST /v1/holds/{id}/resolve and
 * POST /v1/holds/bulk.
 *
 * Why it is long: every decision (approve, correct, cancel_order,
 * escalate, bulk) is checked end to end against one seeded group; the
 * cases share their order builders.
 *
 *   approve       the last open hold -> the order continues on its own
 *                 (accepted, allocated, released); not the last -> it stays
 *                 on_hold.
 *   correct       changes.ship_to.postal_code fixes a bad ZIP: the order's
 *                 validation holds are superseded and the order continues;
 *                 a correction that leaves or makes a problem raises a new
 *                 hold; bad change values -> 400 naming changes.<path> and
 *                 nothing changes; after allocation -> 409.
 *   cancel_order  the order is cancelled with its units, its other open
 *                 holds resolved with cancel_order, its stock unreserved and
 *                 its fulfillments cancelled, order.cancelled sent; once a
 *                 unit shipped -> 409. A supervisor's decision: an agent
 *                 is refused (403 naming action) and nothing changes.
 *   escalate      the hold stays open with priority 1, escalated, unclaimed.
 *   refusals      reason required (1..255), action checked, changes only
 *                 with correct, resolved holds 409, another agent's live
 *                 claim 409, unknown / other tenant's 404.
 *   events        every decision is an order event (hold_resolved /
 *                 hold_escalated) with the actor and the reason.
 *   bulk          a dry run reports matched and ids and changes nothing;
 *                 the real run applies and skips holds others claim into
 *                 "failed"; each filter; supervisors only.
 */
#include "harness.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define PRICE "10.00"
#define WAIT_MS 10000

static const char *acme(void)
{
	return srv->key_acme;
}

/* ---- keys --------------------------------------------------------------------- */

static char agent1_key[HARNESS_KEY_MAX], agent2_key[HARNESS_KEY_MAX];
static char supervisor_key[HARNESS_KEY_MAX], viewer_key[HARNESS_KEY_MAX];

static const char *lazy_key(char *slot, const char *role, const char *name)
{
	if (!slot[0])
		key_create("acme", role, name, slot, HARNESS_KEY_MAX);
	return slot;
}

/* actor key:ragent1 */
static const char *agent1(void)
{
	return lazy_key(agent1_key, "agent", "ragent1");
}

/* actor key:ragent2 */
static const char *agent2(void)
{
	return lazy_key(agent2_key, "agent", "ragent2");
}

/* actor key:rsuper */
static const char *supervisor(void)
{
	return lazy_key(supervisor_key, "supervisor", "rsuper");
}

static const char *viewer(void)
{
	return lazy_key(viewer_key, "viewer", "rviewer");
}

/* ---- orders -------------------------------------------------------------------- */

static void dump_order(const char *why, const json_t *o)
{
	char *text = json_dumps(o, JSON_INDENT(1));

	print_error("%s\norder: %s\n", why, text ? text : "?");
	free(text);
}

/* A clean order in channel; big: total >= 1000 (high_value hold). */
static json_t *body_in(const char *ext, const char *channel)
{
	json_t *o = order_new(ext);

	jset(o, "channel", json_string(channel));
	return o;
}

static void make_big(json_t *o)
{
	/* 60 x 19.99 + 12.50 + 5.00 = 1216.90 */
	jset(o, "lines[0].quantity", json_integer(60));
	order_fix_totals(o);
}

/* POST body, assert 201 and on_hold; the id into id. Returns the order. */
static json_t *create_held(const json_t *body, char *id)
{
	char *oid = order_create(acme(), body);
	json_t *o = order_fetch(acme(), oid);

	snprintf(id, 64, "%s", oid);
	free(oid);
	if (!streq(jstr(o, "state"), "on_hold")) {
		dump_order("the order must be on_hold", o);
		fail();
	}
	return o;
}

static void expect_clean(const char *id)
{
	json_t *o = order_fetch(acme(), id);

	if (!state_is_clean(jstr(o, "state")) || open_holds(o, NULL) != 0) {
		dump_order("the order must have continued (accepted, allocated "
			   "or released) with no open hold",
			   o);
		fail();
	}
	json_decref(o);
}

static void expect_state(const char *id, const char *state)
{
	json_t *o = order_fetch(acme(), id);

	if (!streq(jstr(o, "state"), state)) {
		char msg[96];

		snprintf(msg, sizeof(msg), "the order must be %s", state);
		dump_order(msg, o);
		fail();
	}
	json_decref(o);
}

/*
 * The order's hold hold_id has status and resolution (NULL: null; "*": any
 * resolution, e.g. a validation hold a correction superseded).
 */
static void expect_hold(const char *order_id, const char *hold_id,
			const char *status, const char *resolution)
{
	json_t *o = order_fetch(acme(), order_id);
	json_t *h = order_hold_by_id(o, hold_id);
	int ok = h && streq(jstr(h, "status"), status) &&
		 (!resolution ? json_is_null(json_object_get(h, "resolution"))
		  : streq(resolution, "*") ? jstr(h, "resolution") != NULL
					   : streq(jstr(h, "resolution"),
						   resolution));

	if (!ok) {
		char msg[160];

		snprintf(msg, sizeof(msg), "hold %s must be %s with resolution "
			 "%s", hold_id, status, resolution ? resolution : "null");
		dump_order(msg, o);
		fail();
	}
	json_decref(o);
}

/* The decision is an event of the order with the actor and the reason. */
static void expect_decision_event(const char *order_id, const char *type,
				  const char *hold_id, const char *actor,
				  const char *reason)
{
	json_t *events = order_events(acme(), order_id);
	json_t *e = event_find(events, type, hold_id);
	const char *msg = e ? jstr(e, "message") : NULL;
	const char *rsn = e ? jstr(e, "reason") : NULL;

	if (!e || !streq(jstr(e, "actor"), actor) ||
	    !is_rfc3339(jstr(e, "at")) ||
	    !((msg && strstr(msg, reason)) || (rsn && strstr(rsn, reason)))) {
		char *text = json_dumps(events, JSON_INDENT(1));

		print_error("want a %s event for hold %s with actor %s, a time "
			    "and the reason \"%s\"\nevents: %s\n",
			    type, hold_id, actor, reason, text);
		free(text);
		json_decref(events);
		fail();
	}
	json_decref(events);
}

/* 200 {"hold": {...}, "order": {...}} with the hold decided as said. */
static void expect_resolved_answer(const struct resp *r, const char *hold_id,
				   const char *resolution, const char *actor,
				   const char *reason)
{
	json_t *h = json_object_get(r->json, "hold");

	if (r->status != 200 || !streq(jstr(h, "id"), hold_id) ||
	    !streq(jstr(h, "status"), "resolved") ||
	    !streq(jstr(h, "resolution"), resolution) ||
	    !streq(jstr(h, "resolution_reason"), reason) ||
	    !streq(jstr(h, "resolved_by"), actor) ||
	    !json_is_object(json_object_get(r->json, "order")) ||
	    !jstr(r->json, "order.id")) {
		resp_print(r);
		fail_msg("want 200 {hold, order} with hold %s resolved by %s, "
			 "resolution %s, reason \"%s\"",
			 hold_id, actor, resolution, reason);
	}
}

static struct resp *claim(const char *key, const char *hold)
{
	return hold_post(key, hold, "claim", NULL);
}

/* ---- split orders: allocated at two locations -------------------------------------- */

/*
 * An order for RS-A (stocked only at RS-L1) and RS-B (only at RS-L2):
 * released from both locations. Its id into id, the fulfillment ids into
 * f1 (RS-L1) and f2 (RS-L2).
 */
static void split_order(const char *ext, char *id, char *f1, char *f2)
{
	static int ready;
	json_t *body, *o;
	char *oid;

	if (!ready) {
		make_sku(acme(), "RS-A", "Resolve widget A", PRICE, 1);
		make_sku(acme(), "RS-B", "Resolve widget B", PRICE, 1);
		make_location_serving(acme(), "RS-L1", 1, NULL);
		make_location_serving(acme(), "RS-L2", 2, NULL);
		set_stock(acme(), "RS-L1", "RS-A", 100);
		set_stock(acme(), "RS-L2", "RS-B", 100);
		ready = 1;
	}
	body = order_one_line(ext, "RS-A", 1, PRICE);
	order_add_line(body, "RS-B", 1, PRICE);
	jset(body, "channel", json_string("r-split"));
	oid = order_create(acme(), body);
	snprintf(id, 64, "%s", oid);
	free(oid);
	json_decref(body);
	o = order_fetch(acme(), id);
	if (!order_fulfillment(o, "RS-L1", "released") ||
	    !order_fulfillment(o, "RS-L2", "released")) {
		dump_order("want released fulfillments at RS-L1 and RS-L2", o);
		fail();
	}
	snprintf(f1, 64, "%s", jstr(order_fulfillment(o, "RS-L1", NULL), "id"));
	snprintf(f2, 64, "%s", jstr(order_fulfillment(o, "RS-L2", NULL), "id"));
	json_decref(o);
}

/* Reject fulfillment f with reason other: a policy_exception hold. */
static void reject_other(const char *order_id, const char *f, char *hold)
{
	static const char body[] = "{\"reason\": \"other\", \"message\": "
				   "\"pallet damaged, call the customer\"}";
	char path[128];
	struct resp *r;
	json_t *o;

	snprintf(path, sizeof(path), "/v1/fulfillments/%s/reject", f);
	r = http("POST", path, acme(), body, strlen(body), NULL);
	assert_status(r, 200);
	resp_free(r);
	o = order_fetch(acme(), order_id);
	hold_id_of(o, "policy_exception", hold, 64);
	json_decref(o);
}

/* ---- approve ------------------------------------------------------------------------ */

API_TEST(approve_the_last_hold_and_the_order_continues)
{
	json_t *body = body_in("R-APP-1", "r-approve"), *o;
	char id[64], hold[64];
	struct resp *r;

	make_big(body);
	o = create_held(body, id);
	assert_single_hold(o, "high_value", NULL);
	hold_id_of(o, "high_value", hold, sizeof(hold));
	json_decref(o);
	json_decref(body);

	r = claim(agent1(), hold);
	assert_status(r, 200);
	resp_free(r);
	r = hold_resolve(agent1(), hold, "approve",
			 "customer is a known school district", NULL);
	expect_resolved_answer(r, hold, "approve", "key:ragent1",
			       "customer is a known school district");
	check(state_is_clean(jstr(r->json, "order.state")),
	      "the answer's order must have continued: %s", r->body);
	resp_free(r);

	expect_clean(id);
	o = order_fetch(acme(), id);
	check(order_units(o, "allocated", NULL) +
			      order_units(o, "released", NULL) ==
		      order_units(o, "quantity", NULL),
	      "the approved order must be allocated in full (stock is "
	      "plenty)");
	json_decref(o);
	expect_decision_event(id, "hold_resolved", hold, "key:ragent1",
			      "customer is a known school district");
	{
		json_t *items = queue_items(acme(), "channel=r-approve");

		check(queue_find(items, hold) == NULL,
		      "a resolved hold must leave the queue");
		json_decref(items);
	}
}

API_TEST(approve_one_of_two_holds_and_the_order_stays_on_hold)
{
	json_t *body = body_in("R-APP-2", "r-approve"), *o;
	char id[64], big[64], pay[64];
	struct resp *r;

	make_big(body);
	jset(body, "payment_status", json_string("pending"));
	o = create_held(body, id);
	check(open_holds(o, NULL) == 2, "want high_value and "
	      "payment_unverified holds");
	hold_id_of(o, "high_value", big, sizeof(big));
	hold_id_of(o, "payment_unverified", pay, sizeof(pay));
	json_decref(o);
	json_decref(body);

	/* Unclaimed holds may be resolved directly. */
	r = hold_resolve(agent2(), big, "approve", "value is normal for them",
			 NULL);
	expect_resolved_answer(r, big, "approve", "key:ragent2",
			       "value is normal for them");
	check(streq(jstr(r->json, "order.state"), "on_hold"),
	      "another hold is open: the order stays on_hold: %s", r->body);
	resp_free(r);
	expect_state(id, "on_hold");
	expect_hold(id, pay, "open", NULL);

	r = hold_resolve(agent1(), pay, "approve", "payment captured by phone",
			 NULL);
	expect_resolved_answer(r, pay, "approve", "key:ragent1",
			       "payment captured by phone");
	resp_free(r);
	expect_clean(id);
	expect_decision_event(id, "hold_resolved", big, "key:ragent2",
			      "value is normal for them");
	expect_decision_event(id, "hold_resolved", pay, "key:ragent1",
			      "payment captured by phone");
}

/* ---- correct -------------------------------------------------------------------------- */

API_TEST(correct_a_bad_zip_and_the_order_continues)
{
	json_t *body = body_in("R-COR-1", "r-correct"), *o;
	char id[64], zip[64], region[64];
	struct resp *r;

	jset(body, "ship_to.postal_code", json_string("ABCDE"));
	jset(body, "ship_to.region", json_string("ZZ"));
	o = create_held(body, id);
	check(open_holds(o, "address_unverifiable") == 2,
	      "want two address_unverifiable holds (postal code, region)");
	{
		json_t *h;
		size_t i;

		zip[0] = region[0] = '\0';
		json_array_foreach(json_object_get(o, "holds"), i, h) {
			if (streq(jstr(h, "field"), "ship_to.postal_code"))
				snprintf(zip, sizeof(zip), "%s", jstr(h, "id"));
			if (streq(jstr(h, "field"), "ship_to.region"))
				snprintf(region, sizeof(region), "%s",
					 jstr(h, "id"));
		}
		if (!zip[0] || !region[0]) {
			dump_order("want holds on ship_to.postal_code and "
				   "ship_to.region",
				   o);
			fail();
		}
	}
	json_decref(o);
	json_decref(body);

	r = claim(agent1(), zip);
	assert_status(r, 200);
	resp_free(r);
	r = hold_resolve(agent1(), zip, "correct",
			 "customer confirmed the address by email",
			 "{\"ship_to\": {\"postal_code\": \"10118\", "
			 "\"region\": \"NY\"}}");
	expect_resolved_answer(r, zip, "correct", "key:ragent1",
			       "customer confirmed the address by email");
	check(streq(jstr(r->json, "order.ship_to.postal_code"), "10118") &&
		      streq(jstr(r->json, "order.ship_to.region"), "NY"),
	      "the answer's order must carry the corrected address: %s",
	      r->body);
	resp_free(r);

	o = order_fetch(acme(), id);
	check(streq(jstr(o, "ship_to.postal_code"), "10118") &&
		      streq(jstr(o, "ship_to.region"), "NY") &&
		      streq(jstr(o, "ship_to.city"), "New York"),
	      "the correction must patch only the fields given");
	json_decref(o);
	/* The region hold was raised by validation: superseded. */
	expect_hold(id, region, "resolved", "*");
	expect_clean(id);
	expect_decision_event(id, "hold_resolved", zip, "key:ragent1",
			      "customer confirmed the address by email");
}

/* The order's timeline records each field a correction changed, from what
 * to what, with the hold and the person; unchanged fields are not named. */
API_TEST(a_correction_records_what_it_changed)
{
	json_t *body = body_in("R-COR-H", "r-correct"), *o, *events, *e;
	char id[64], zip[64];
	const char *want_zip = "ship_to.postal_code: \"6270\" \u2192 \"62701\"";
	const char *want_notes = "notes: \"\" \u2192 \"call first\"";
	int saw_zip = 0, saw_notes = 0, corrected = 0;
	struct resp *r;
	size_t i;

	jset(body, "ship_to.postal_code", json_string("6270"));
	jset(body, "notes", json_string(""));
	o = create_held(body, id);
	hold_id_of(o, "address_unverifiable", zip, sizeof(zip));
	json_decref(o);
	json_decref(body);

	r = hold_resolve(agent1(), zip, "correct", "ZIP typo",
			 "{\"ship_to\": {\"postal_code\": \"62701\", "
			 "\"city\": \"New York\"}, \"notes\": \"call first\"}");
	assert_status(r, 200);
	resp_free(r);

	events = order_events(acme(), id);
	json_array_foreach(events, i, e) {
		if (!streq(jstr(e, "type"), "corrected"))
			continue;
		corrected++;
		check(streq(jstr(e, "hold_id"), zip) &&
			      streq(jstr(e, "actor"), "key:ragent1"),
		      "a corrected event must name the hold and the person: "
		      "%s %s", jstr(e, "hold_id"), jstr(e, "actor"));
		saw_zip += streq(jstr(e, "message"), want_zip);
		saw_notes += streq(jstr(e, "message"), want_notes);
	}
	if (!(saw_zip == 1 && saw_notes == 1 && corrected == 2)) {
		char *text = json_dumps(events, JSON_INDENT(1));

		print_error("events: %s\n", text ? text : "?");
		free(text);
	}
	check(saw_zip == 1 && saw_notes == 1,
	      "the timeline must say '%s' and '%s'", want_zip, want_notes);
	/* The city was "New York" already: not a change. */
	check(corrected == 2, "two fields changed, %d corrected events",
	      corrected);
	json_decref(events);
}

static long long money_cents(const char *s)
{
	long long whole = 0, frac = 0;
	int d = 0;

	for (; s && *s && *s != '.'; s++)
		whole = whole * 10 + (*s - '0');
	if (s && *s == '.')
		for (s++; *s && d < 2; s++, d++)
			frac = frac * 10 + (*s - '0');
	while (d++ < 2)
		frac *= 10;
	return whole * 100 + frac;
}

API_TEST(a_correction_that_leaves_a_problem_raises_a_new_hold)
{
	json_t *body = body_in("R-COR-2", "r-correct"), *o;
	char id[64], zip[64], zip2[64], totals[64], changes[512];
	long long sub;
	struct resp *r;

	jset(body, "ship_to.postal_code", json_string("ABCDE"));
	o = create_held(body, id);
	assert_single_hold(o, "address_unverifiable", "ship_to.postal_code");
	hold_id_of(o, "address_unverifiable", zip, sizeof(zip));
	json_decref(o);

	/* Still not a US ZIP: the same problem, a new hold. */
	r = hold_resolve(agent1(), zip, "correct", "typo in the ZIP",
			 "{\"ship_to\": {\"postal_code\": \"1011\"}}");
	expect_resolved_answer(r, zip, "correct", "key:ragent1",
			       "typo in the ZIP");
	check(streq(jstr(r->json, "order.state"), "on_hold"),
	      "a problem remains: on_hold: %s", r->body);
	resp_free(r);
	o = order_fetch(acme(), id);
	assert_single_hold(o, "address_unverifiable", "ship_to.postal_code");
	hold_id_of(o, "address_unverifiable", zip2, sizeof(zip2));
	check(strcmp(zip, zip2) != 0, "the remaining problem must be a new "
	      "hold, not the resolved %s", zip);
	json_decref(o);
	expect_hold(id, zip, "resolved", "correct");

	/* Fix the ZIP but change a quantity without the totals: a
	 * totals_mismatch hold. */
	r = hold_resolve(agent1(), zip2, "correct", "ZIP and quantity",
			 "{\"ship_to\": {\"postal_code\": \"10118\"}, "
			 "\"lines\": [{\"line_no\": 2, \"quantity\": 3}]}");
	expect_resolved_answer(r, zip2, "correct", "key:ragent1",
			       "ZIP and quantity");
	resp_free(r);
	o = order_fetch(acme(), id);
	check(json_integer_value(jget(o, "lines[1].quantity")) == 3,
	      "lines[1].quantity must be 3 now");
	if (!streq(jstr(o, "state"), "on_hold") ||
	    open_holds(o, "totals_mismatch") < 1 ||
	    open_holds(o, "address_unverifiable") != 0) {
		dump_order("want on_hold with a totals_mismatch hold and no "
			   "address hold",
			   o);
		fail();
	}
	hold_id_of(o, "totals_mismatch", totals, sizeof(totals));
	/* The right totals: subtotal = line 1 + 3 x line 2's price. */
	sub = json_integer_value(jget(o, "lines[0].quantity")) *
		      money_cents(jstr(o, "lines[0].unit_price")) +
	      3 * money_cents(jstr(o, "lines[1].unit_price"));
	json_decref(o);
	json_decref(body);
	snprintf(changes, sizeof(changes),
		 "{\"totals\": {\"subtotal\": \"%lld.%02lld\", \"total\": "
		 "\"%lld.%02lld\"}}",
		 sub / 100, sub % 100, (sub + 500) / 100, (sub + 500) % 100);
	r = hold_resolve(agent1(), totals, "correct", "totals recomputed",
			 changes);
	expect_resolved_answer(r, totals, "correct", "key:ragent1",
			       "totals recomputed");
	resp_free(r);
	expect_clean(id);
}

API_TEST(bad_changes_are_refused_naming_the_path)
{
	static const char *const bad[][2] = {
		{ "{\"ship_to\": {\"postal_code\": 12345}}",
		  "changes.ship_to.postal_code" },
		{ "{\"ship_to\": {\"country\": 7}}", "changes.ship_to.country" },
		{ "{\"customer\": {\"email\": 5}}", "changes.customer.email" },
		{ "{\"lines\": [{\"line_no\": 1, \"quantity\": 0}]}",
		  "changes.lines[0].quantity" },
		{ "{\"lines\": [{\"line_no\": 1, \"quantity\": 2.5}]}",
		  "changes.lines[0].quantity" },
		/* The line itself or its line_no: see below. */
		{ "{\"lines\": [{\"line_no\": 99, \"quantity\": 1}]}",
		  "changes.lines[0]" },
		{ "{\"lines\": [{\"line_no\": 1, \"unit_price\": \"abc\"}]}",
		  "changes.lines[0].unit_price" },
		{ "{\"totals\": {\"total\": \"12.345\"}}",
		  "changes.totals.total" },
		{ "{\"shipping\": {\"amount\": \"-1.00\"}}",
		  "changes.shipping.amount" },
		{ "{\"payment_status\": \"maybe\"}", "changes.payment_status" },
		{ "{\"bill_to\": {\"city\": []}}", "changes.bill_to.city" },
		{ "\"new address\"", "changes" },
	};
	json_t *body = body_in("R-COR-3", "r-correct"), *o;
	char id[64], zip[64];
	struct resp *r;

	jset(body, "ship_to.postal_code", json_string("ABCDE"));
	o = create_held(body, id);
	hold_id_of(o, "address_unverifiable", zip, sizeof(zip));
	json_decref(o);
	json_decref(body);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = hold_resolve(agent1(), zip, "correct", "fixing", bad[i][0]);
		if (streq(bad[i][1], "changes.lines[0]")) {
			/* No such line: naming the line or its line_no. */
			assert_error(r, 400, "invalid_request", NULL);
			check(error_field_prefix(r, "changes.lines[0]"),
			      "want a detail naming changes.lines[0]...: %s",
			      r->body);
		} else {
			assert_error(r, 400, "invalid_request", bad[i][1]);
		}
		resp_free(r);
	}
	/* Nothing changed. */
	o = order_fetch(acme(), id);
	check(streq(jstr(o, "ship_to.postal_code"), "ABCDE") &&
		      streq(jstr(o, "payment_status"), "paid") &&
		      streq(jstr(o, "state"), "on_hold"),
	      "refused corrections must change nothing");
	json_decref(o);
	expect_hold(id, zip, "open", NULL);
}

API_TEST(correct_after_allocation_is_409)
{
	char id[64], f1[64], f2[64], hold[64];
	struct resp *r;

	split_order("R-COR-ALLOC", id, f1, f2);
	reject_other(id, f1, hold);
	expect_state(id, "on_hold");
	r = hold_resolve(agent1(), hold, "correct", "change the address",
			 "{\"ship_to\": {\"line2\": \"Dock 4\"}}");
	assert_error(r, 409, NULL, NULL);
	resp_free(r);
	expect_hold(id, hold, "open", NULL);
	{
		json_t *o = order_fetch(acme(), id);

		check(!streq(jstr(o, "ship_to.line2"), "Dock 4"),
		      "a refused correction must change nothing");
		json_decref(o);
	}
}

/* ---- cancel_order ---------------------------------------------------------------------- */

/* A delivery of event type for order id exists (any status). */
static int delivery_exists(const char *type, const char *order_id)
{
	static const char *const statuses[] = { "pending", "delivered",
						"failed" };

	for (size_t s = 0; s < 3; s++) {
		char path[128];
		json_t *all, *d;
		size_t i;
		int found = 0;

		snprintf(path, sizeof(path),
			 "/v1/webhooks/deliveries?status=%s", statuses[s]);
		all = list_all(acme(), path, "deliveries", 200);
		json_array_foreach(all, i, d)
			if (streq(jstr(d, "event_type"), type) &&
			    streq(jstr(d, "order_id"), order_id))
				found = 1;
		json_decref(all);
		if (found)
			return 1;
	}
	return 0;
}

static char webhook_id[64];

static void webhook_on_cancel(void)
{
	/* Nobody listens on port 9: deliveries stay pending, retried. */
	static const char body[] = "{\"url\": \"http://127.0.0.1:9/hook\", "
				   "\"events\": [\"order.cancelled\"]}";
	struct resp *r = http("POST", "/v1/webhooks", acme(), body,
			      strlen(body), NULL);

	assert_status(r, 201);
	snprintf(webhook_id, sizeof(webhook_id), "%s", jstr(r->json, "id"));
	resp_free(r);
}

static int webhook_delete(void **state)
{
	char path[128];

	(void)state;
	if (!srv || !webhook_id[0])
		return 0;
	snprintf(path, sizeof(path), "/v1/webhooks/%s", webhook_id);
	resp_free(http("DELETE", path, srv->key_acme, NULL, 0, NULL));
	webhook_id[0] = '\0';
	return 0;
}

static void expect_cancel_announced(const char *id)
{
	long deadline = harness_now_ms() + WAIT_MS;

	while (!delivery_exists("order.cancelled", id)) {
		check(harness_now_ms() < deadline,
		      "no order.cancelled delivery for %s", id);
		harness_sleep_ms(200);
	}
}

API_TEST(cancel_order_before_allocation)
{
	json_t *body = body_in("R-CAN-1", "r-cancel"), *o, *events;
	char id[64], big[64], pay[64];
	struct resp *r;

	webhook_on_cancel();
	make_big(body);
	jset(body, "payment_status", json_string("pending"));
	o = create_held(body, id);
	hold_id_of(o, "high_value", big, sizeof(big));
	hold_id_of(o, "payment_unverified", pay, sizeof(pay));
	json_decref(o);
	json_decref(body);

	/* An agent approves, corrects or escalates; a supervisor cancels. */
	r = hold_resolve(agent1(), big, "cancel_order",
			 "customer asked to cancel", NULL);
	assert_error(r, 403, "forbidden", "action");
	check(strstr(r->body, "agent") != NULL, "%s", r->body);
	resp_free(r);
	expect_hold(id, big, "open", NULL);
	r = claim(supervisor(), big);
	assert_status(r, 200);
	resp_free(r);
	r = hold_resolve(supervisor(), big, "cancel_order",
			 "customer asked to cancel", NULL);
	expect_resolved_answer(r, big, "cancel_order", "key:rsuper",
			       "customer asked to cancel");
	check(streq(jstr(r->json, "order.state"), "cancelled"),
	      "the answer's order must be cancelled: %s", r->body);
	resp_free(r);

	o = order_fetch(acme(), id);
	if (!streq(jstr(o, "state"), "cancelled") ||
	    order_units(o, "cancelled", NULL) !=
		    order_units(o, "quantity", NULL) ||
	    order_units(o, "open", NULL) != 0 || open_holds(o, NULL) != 0) {
		dump_order("want cancelled, every unit cancelled, no open hold",
			   o);
		fail();
	}
	json_decref(o);
	expect_hold(id, pay, "resolved", "cancel_order");
	expect_decision_event(id, "hold_resolved", big, "key:rsuper",
			      "customer asked to cancel");
	events = order_events(acme(), id);
	{
		json_t *e;
		size_t i;
		int to_cancelled = 0;

		json_array_foreach(events, i, e)
			if (streq(jstr(e, "type"), "state_changed") &&
			    streq(jstr(e, "to_state"), "cancelled"))
				to_cancelled = 1;
		check(to_cancelled, "want a state_changed event to cancelled");
	}
	json_decref(events);
	expect_cancel_announced(id);
	{
		json_t *items = queue_items(acme(), "channel=r-cancel");

		check(!queue_find(items, big) && !queue_find(items, pay),
		      "a cancelled order's holds must leave the queue");
		json_decref(items);
	}
	/* Resolving a hold of a cancelled order: resolved already. */
	r = hold_resolve(agent1(), pay, "approve", "too late", NULL);
	assert_error(r, 409, "invalid_state_transition", NULL);
	resp_free(r);
}

API_TEST(cancel_order_with_allocations_unreserves_stock)
{
	char id[64], f1[64], f2[64], hold[64], path[128];
	long reserved_b, onhand_b;
	struct resp *r;
	json_t *o, *f;

	webhook_on_cancel();
	split_order("R-CAN-ALLOC", id, f1, f2);
	reserved_b = stock_figure(acme(), "RS-B", "RS-L2", "reserved");
	onhand_b = stock_figure(acme(), "RS-B", "RS-L2", "on_hand");
	check(reserved_b >= 1, "RS-B at RS-L2 must be reserved");
	reject_other(id, f1, hold);

	r = hold_resolve(supervisor(), hold, "cancel_order",
			 "warehouse cannot fix it, customer agreed", NULL);
	expect_resolved_answer(r, hold, "cancel_order", "key:rsuper",
			       "warehouse cannot fix it, customer agreed");
	resp_free(r);

	o = order_fetch(acme(), id);
	f = order_fulfillment(o, "RS-L2", NULL);
	if (!streq(jstr(o, "state"), "cancelled") ||
	    order_units(o, "cancelled", NULL) != 2 ||
	    order_units(o, "allocated", NULL) != 0 ||
	    order_units(o, "released", NULL) != 0 ||
	    !streq(jstr(f, "state"), "cancelled")) {
		dump_order("want the order cancelled, both units cancelled and "
			   "the RS-L2 fulfillment cancelled",
			   o);
		fail();
	}
	json_decref(o);
	check(stock_figure(acme(), "RS-B", "RS-L2", "reserved") ==
			      reserved_b - 1 &&
		      stock_figure(acme(), "RS-B", "RS-L2", "on_hand") ==
			      onhand_b,
	      "cancelling must unreserve RS-B at RS-L2 (reserved %ld -> %ld) "
	      "and leave on_hand",
	      reserved_b, stock_figure(acme(), "RS-B", "RS-L2", "reserved"));
	/* The warehouse sees it cancelled. */
	snprintf(path, sizeof(path), "/v1/fulfillments/%s", f2);
	r = http("GET", path, acme(), NULL, 0, NULL);
	assert_status(r, 200);
	check(streq(jstr(r->json, "state"), "cancelled"),
	      "fulfillment %s must be cancelled: %s", f2, r->body);
	resp_free(r);
	expect_decision_event(id, "hold_resolved", hold, "key:rsuper",
			      "warehouse cannot fix it, customer agreed");
	expect_cancel_announced(id);
}

API_TEST(cancel_order_after_shipping_is_409)
{
	char id[64], f1[64], f2[64], hold[64], path[128];
	static const char ship[] =
		"{\"lines\": [{\"sku\": \"RS-B\", \"quantity\": 1}], "
		"\"carrier\": \"UPS\", \"tracking_number\": \"1Z999AA1\"}";
	struct resp *r;
	json_t *o;

	split_order("R-CAN-SHIP", id, f1, f2);
	snprintf(path, sizeof(path), "/v1/fulfillments/%s/shipments", f2);
	r = http("POST", path, acme(), ship, strlen(ship), NULL);
	assert_status(r, 201);
	resp_free(r);
	reject_other(id, f1, hold);

	r = hold_resolve(supervisor(), hold, "cancel_order", "too late",
			 NULL);
	assert_error(r, 409, NULL, NULL);
	resp_free(r);
	o = order_fetch(acme(), id);
	check(!streq(jstr(o, "state"), "cancelled") &&
		      order_units(o, "shipped", NULL) == 1 &&
		      order_units(o, "cancelled", NULL) == 0,
	      "a refused cancel must change nothing");
	json_decref(o);
	expect_hold(id, hold, "open", NULL);
}

/* ---- escalate ----------------------------------------------------------------------------- */

API_TEST(escalate_keeps_the_hold_open_urgent_and_unclaimed)
{
	json_t *body = body_in("R-ESC-1", "r-escalate"), *o, *h;
	char id[64], hold[64];
	struct resp *r;

	jset(body, "ship_to.postal_code", json_string("ABCDE"));
	o = create_held(body, id);
	hold_id_of(o, "address_unverifiable", hold, sizeof(hold));
	json_decref(o);
	json_decref(body);

	r = claim(agent1(), hold);
	assert_status(r, 200);
	resp_free(r);
	r = hold_resolve(agent1(), hold, "escalate",
			 "address looks fraudulent, needs a supervisor", NULL);
	assert_status(r, 200);
	h = json_object_get(r->json, "hold");
	if (!streq(jstr(h, "status"), "open") ||
	    json_integer_value(json_object_get(h, "priority")) != 1 ||
	    !json_is_true(json_object_get(h, "escalated")) ||
	    !json_is_null(json_object_get(h, "assignee")) ||
	    !json_is_null(json_object_get(h, "claimed_until")) ||
	    !json_is_null(json_object_get(h, "resolution"))) {
		resp_print(r);
		fail_msg("escalated: open, priority 1, escalated, unclaimed, "
			 "no resolution");
	}
	resp_free(r);
	expect_state(id, "on_hold");
	expect_decision_event(id, "hold_escalated", hold, "key:ragent1",
			      "address looks fraudulent, needs a supervisor");
	{
		json_t *items = queue_items(acme(),
					    "channel=r-escalate&escalated=true");

		check(queue_find(items, hold) != NULL,
		      "the escalated hold must be listed with escalated=true");
		json_decref(items);
	}
	/* Anyone may take it now. */
	r = claim(supervisor(), hold);
	assert_status(r, 200);
	resp_free(r);
	r = hold_resolve(supervisor(), hold, "approve", "checked, it is fine",
			 NULL);
	expect_resolved_answer(r, hold, "approve", "key:rsuper",
			       "checked, it is fine");
	resp_free(r);
	expect_clean(id);
}

/* ---- refusals ---------------------------------------------------------------------------------- */

API_TEST(resolve_refusals)
{
	json_t *body = body_in("R-REF-1", "r-refuse"), *o;
	char id[64], hold[64], reason[300];
	struct resp *r;

	jset(body, "ship_to.postal_code", json_string("ABCDE"));
	o = create_held(body, id);
	hold_id_of(o, "address_unverifiable", hold, sizeof(hold));
	json_decref(o);
	json_decref(body);

	r = hold_resolve(agent1(), hold, "approve", NULL, NULL);
	assert_error(r, 400, "invalid_request", "reason");
	resp_free(r);
	r = hold_resolve(agent1(), hold, "approve", "", NULL);
	assert_error(r, 400, "invalid_request", "reason");
	resp_free(r);
	memset(reason, 'x', 256);
	reason[256] = '\0';
	r = hold_resolve(agent1(), hold, "approve", reason, NULL);
	assert_error(r, 400, "invalid_request", "reason");
	resp_free(r);
	r = hold_post(agent1(), hold, "resolve",
		      "{\"action\": \"approve\", \"reason\": 5}");
	assert_error(r, 400, "invalid_request", "reason");
	resp_free(r);

	r = hold_resolve(agent1(), hold, "bogus", "why not", NULL);
	assert_error(r, 400, "invalid_request", "action");
	resp_free(r);
	r = hold_resolve(agent1(), hold, NULL, "why not", NULL);
	assert_error(r, 400, "invalid_request", "action");
	resp_free(r);
	r = hold_resolve(agent1(), hold, "release", "why not", NULL);
	assert_error(r, 400, "invalid_request", "action");
	resp_free(r);

	r = hold_resolve(agent1(), hold, "approve", "with changes",
			 "{\"notes\": \"x\"}");
	assert_error(r, 400, "invalid_request", "changes");
	resp_free(r);
	r = hold_resolve(agent1(), hold, "escalate", "with changes",
			 "{\"notes\": \"x\"}");
	assert_error(r, 400, "invalid_request", "changes");
	resp_free(r);
	r = hold_post(agent1(), hold, "resolve", "{\"action\": ");
	assert_error(r, 400, "invalid_request", NULL);
	resp_free(r);

	r = hold_resolve(agent1(), "hld_does_not_exist", "approve", "x", NULL);
	assert_error(r, 404, "not_found", NULL);
	resp_free(r);
	r = hold_resolve(srv->key_globex, hold, "approve", "x", NULL);
	assert_error(r, 404, "not_found", NULL);
	resp_free(r);
	r = hold_resolve(viewer(), hold, "approve", "x", NULL);
	assert_error(r, 403, "forbidden", NULL);
	resp_free(r);

	/* None of that touched the hold. */
	expect_hold(id, hold, "open", NULL);

	/* 255 characters is the most a reason may have. */
	memset(reason, 'y', 255);
	reason[255] = '\0';
	r = hold_resolve(agent1(), hold, "approve", reason, NULL);
	expect_resolved_answer(r, hold, "approve", "key:ragent1", reason);
	resp_free(r);
	/* Resolved: every action is refused. */
	r = hold_resolve(agent1(), hold, "approve", "again", NULL);
	assert_error(r, 409, "invalid_state_transition", NULL);
	resp_free(r);
	r = hold_resolve(agent1(), hold, "escalate", "again", NULL);
	assert_error(r, 409, "invalid_state_transition", NULL);
	resp_free(r);
}

API_TEST(resolving_a_hold_another_agent_claims_is_409)
{
	json_t *body = body_in("R-OTHER-1", "r-other"), *o;
	char id[64], hold[64];
	struct resp *r;

	make_big(body);
	o = create_held(body, id);
	hold_id_of(o, "high_value", hold, sizeof(hold));
	json_decref(o);
	json_decref(body);

	r = claim(agent1(), hold);
	assert_status(r, 200);
	resp_free(r);
	r = hold_resolve(agent2(), hold, "approve", "mine now", NULL);
	assert_error(r, 409, "conflict", NULL);
	check(strstr(jstr(r->json, "error.message"), "key:ragent1") != NULL,
	      "the 409 must name the holder: %s", r->body);
	resp_free(r);
	r = hold_resolve(supervisor(), hold, "cancel_order", "mine now", NULL);
	assert_error(r, 409, "conflict", NULL);
	resp_free(r);
	r = hold_resolve(agent2(), hold, "escalate", "mine now", NULL);
	assert_error(r, 409, "conflict", NULL);
	resp_free(r);
	expect_hold(id, hold, "open", NULL);

	r = hold_resolve(agent1(), hold, "approve", "verified", NULL);
	expect_resolved_answer(r, hold, "approve", "key:ragent1", "verified");
	resp_free(r);
	expect_clean(id);
}

/* ---- bulk ------------------------------------------------------------------------------------------ */

static struct resp *bulk(const char *key, const char *filter_json,
			 const char *action, const char *reason, int dry_run)
{
	char body[1024];

	snprintf(body, sizeof(body),
		 "{\"filter\": %s, \"action\": \"%s\", \"reason\": \"%s\"%s}",
		 filter_json, action, reason,
		 dry_run < 0 ? "" : dry_run ? ", \"dry_run\": true"
					    : ", \"dry_run\": false");
	return http("POST", "/v1/holds/bulk", key, body, strlen(body), NULL);
}

static long ival(const json_t *j, const char *path)
{
	json_t *v = jget(j, path);

	return json_is_integer(v) ? (long)json_integer_value(v) : -1;
}

static int ids_include(const json_t *arr, const char *id)
{
	json_t *v;
	size_t i;

	json_array_foreach(arr, i, v)
		if (streq(json_string_value(v), id))
			return 1;
	return 0;
}

/* The queue for query as text, to compare snapshots: every item whole but
 * its age_s, which grows with the clock between two looks. */
static char *queue_snapshot(const char *query)
{
	json_t *items = queue_items(acme(), query), *it;
	size_t i;
	char *text;

	json_array_foreach(items, i, it)
		json_object_del(it, "age_s");
	text = json_dumps(items, JSON_COMPACT | JSON_SORT_KEYS);

	json_decref(items);
	return text;
}

/* A dry run of filter matches exactly n holds. */
static void expect_matched(const char *filter_json, long n)
{
	struct resp *r = bulk(supervisor(), filter_json, "approve", "count",
			      1);

	assert_status(r, 200);
	check(ival(r->json, "matched") == n &&
		      json_array_size(json_object_get(r->json, "hold_ids")) ==
			      (size_t)n,
	      "dry run with filter %s: want matched %ld: %s", filter_json, n,
	      r->body);
	resp_free(r);
}

API_TEST(bulk_dry_run_then_real_run)
{
	char ids[4][64], orders[4][64], decoy[64], decoy_order[64], other[64];
	char *before, *after;
	struct resp *r;
	json_t *o;
	int i;

	for (i = 0; i < 4; i++) {
		char ext[32];
		json_t *body;

		snprintf(ext, sizeof(ext), "R-BULK-%d", i);
		body = body_in(ext, "r-bulk");
		make_big(body);
		o = create_held(body, orders[i]);
		hold_id_of(o, "high_value", ids[i], 64);
		json_decref(o);
		json_decref(body);
	}
	{
		json_t *body = body_in("R-BULK-DECOY", "r-bulk");

		jset(body, "payment_status", json_string("pending"));
		o = create_held(body, decoy_order);
		hold_id_of(o, "payment_unverified", decoy, sizeof(decoy));
		json_decref(o);
		json_decref(body);
		body = body_in("R-BULK-OTHER", "r-bulk-other");
		make_big(body);
		o = create_held(body, other);
		json_decref(o);
		json_decref(body);
	}

	/* Dry run: the count and the ids, nothing touched. */
	before = queue_snapshot("");
	r = bulk(supervisor(),
		 "{\"type\": \"high_value\", \"channel\": \"r-bulk\"}",
		 "approve", "backlog clean-up", 1);
	assert_status(r, 200);
	check(json_is_true(json_object_get(r->json, "dry_run")) &&
		      ival(r->json, "matched") == 4 &&
		      ival(r->json, "applied") == 0 &&
		      json_array_size(json_object_get(r->json, "hold_ids")) ==
			      4 &&
		      json_array_size(json_object_get(r->json, "failed")) == 0,
	      "dry run: want dry_run true, matched 4, applied 0, 4 hold_ids, "
	      "failed []: %s",
	      r->body);
	for (i = 0; i < 4; i++)
		check(ids_include(json_object_get(r->json, "hold_ids"), ids[i]),
		      "hold_ids must list %s: %s", ids[i], r->body);
	resp_free(r);
	after = queue_snapshot("");
	check(strcmp(before, after) == 0, "a dry run must change nothing in "
	      "the queue");
	free(before);
	free(after);
	for (i = 0; i < 4; i++)
		expect_state(orders[i], "on_hold");

	/* Agents may not; a bad action or no reason is refused. */
	r = bulk(agent1(), "{\"channel\": \"r-bulk\"}", "approve", "x", 1);
	assert_error(r, 403, "forbidden", NULL);
	resp_free(r);
	r = bulk(viewer(), "{\"channel\": \"r-bulk\"}", "approve", "x", 1);
	assert_error(r, 403, "forbidden", NULL);
	resp_free(r);
	r = bulk(supervisor(), "{\"channel\": \"r-bulk\"}", "correct", "x", 1);
	assert_error(r, 400, "invalid_request", "action");
	resp_free(r);
	r = bulk(supervisor(), "{\"channel\": \"r-bulk\"}", "approve", "", 0);
	assert_error(r, 400, "invalid_request", "reason");
	resp_free(r);
	{
		static const char body[] =
			"{\"filter\": {\"channel\": \"r-bulk\"}, "
			"\"action\": \"approve\"}";

		r = http("POST", "/v1/holds/bulk", supervisor(), body,
			 strlen(body), NULL);
		assert_error(r, 400, "invalid_request", "reason");
		resp_free(r);
	}
	r = bulk(supervisor(), "{\"priority\": 9}", "approve", "x", 1);
	assert_error(r, 400, "invalid_request", NULL);
	resp_free(r);

	/* One is claimed by an agent: the real run skips it. */
	r = claim(agent1(), ids[0]);
	assert_status(r, 200);
	resp_free(r);
	r = bulk(supervisor(),
		 "{\"type\": \"high_value\", \"channel\": \"r-bulk\"}",
		 "approve", "backlog clean-up", -1);
	assert_status(r, 200);
	check(json_is_false(json_object_get(r->json, "dry_run")) &&
		      ival(r->json, "matched") == 4 &&
		      ival(r->json, "applied") == 3 &&
		      json_array_size(json_object_get(r->json, "failed")) == 1 &&
		      streq(jstr(r->json, "failed[0].hold_id"), ids[0]) &&
		      jstr(r->json, "failed[0].error") != NULL,
	      "real run: want matched 4, applied 3, failed [{hold_id %s, "
	      "error}]: %s",
	      ids[0], r->body);
	resp_free(r);
	for (i = 1; i < 4; i++) {
		expect_clean(orders[i]);
		expect_hold(orders[i], ids[i], "resolved", "approve");
		expect_decision_event(orders[i], "hold_resolved", ids[i],
				      "key:rsuper", "backlog clean-up");
	}
	expect_state(orders[0], "on_hold");
	expect_hold(orders[0], ids[0], "open", NULL);
	expect_hold(decoy_order, decoy, "open", NULL);
	{
		const char *filter = "{\"channel\": \"r-bulk-other\"}";

		expect_matched(filter, 1);
	}
}

API_TEST(bulk_filters_escalate_and_cancel)
{
	char zip[64], zip_order[64], pay[64], pay_order[64], c[2][64];
	char c_hold[2][64];
	struct resp *r;
	json_t *o, *body;
	int i;

	body = body_in("R-BF-ZIP", "r-bulk-f");
	jset(body, "ship_to.postal_code", json_string("ABCDE"));
	o = create_held(body, zip_order);
	hold_id_of(o, "address_unverifiable", zip, sizeof(zip));
	json_decref(o);
	json_decref(body);
	body = body_in("R-BF-PAY", "r-bulk-f");
	jset(body, "payment_status", json_string("pending"));
	o = create_held(body, pay_order);
	hold_id_of(o, "payment_unverified", pay, sizeof(pay));
	json_decref(o);
	json_decref(body);

	expect_matched("{\"channel\": \"r-bulk-f\"}", 2);
	expect_matched("{\"channel\": \"r-bulk-f\", \"type\": "
		       "\"payment_unverified\"}",
		       1);
	expect_matched("{\"channel\": \"r-bulk-f\", \"priority\": 2}", 1);
	expect_matched("{\"channel\": \"r-bulk-f\", \"min_age_s\": 3600}", 0);
	expect_matched("{\"channel\": \"r-bulk-f\", \"escalated\": true}", 0);

	r = claim(agent2(), zip);
	assert_status(r, 200);
	resp_free(r);
	expect_matched("{\"channel\": \"r-bulk-f\", \"assignee\": "
		       "\"key:ragent2\"}",
		       1);
	expect_matched("{\"channel\": \"r-bulk-f\", \"assignee\": \"-\"}", 1);

	/* Escalate the unclaimed one in bulk. */
	r = bulk(supervisor(), "{\"channel\": \"r-bulk-f\", \"assignee\": \"-\"}",
		 "escalate", "overdue backlog", 0);
	assert_status(r, 200);
	check(ival(r->json, "matched") == 1 && ival(r->json, "applied") == 1,
	      "bulk escalate: %s", r->body);
	resp_free(r);
	expect_matched("{\"channel\": \"r-bulk-f\", \"escalated\": true}", 1);
	expect_matched("{\"channel\": \"r-bulk-f\", \"priority\": 1}", 1);
	expect_hold(pay_order, pay, "open", NULL);
	expect_decision_event(pay_order, "hold_escalated", pay, "key:rsuper",
			      "overdue backlog");

	/* Bulk cancel. */
	for (i = 0; i < 2; i++) {
		char ext[32];

		snprintf(ext, sizeof(ext), "R-BC-%d", i);
		body = body_in(ext, "r-bulk-c");
		make_big(body);
		o = create_held(body, c[i]);
		hold_id_of(o, "high_value", c_hold[i], 64);
		json_decref(o);
		json_decref(body);
	}
	r = bulk(supervisor(), "{\"channel\": \"r-bulk-c\"}", "cancel_order",
		 "test orders from the storefront", 0);
	assert_status(r, 200);
	check(ival(r->json, "matched") == 2 && ival(r->json, "applied") == 2,
	      "bulk cancel: %s", r->body);
	resp_free(r);
	for (i = 0; i < 2; i++) {
		expect_state(c[i], "cancelled");
		expect_hold(c[i], c_hold[i], "resolved", "cancel_order");
		expect_decision_event(c[i], "hold_resolved", c_hold[i],
				      "key:rsuper",
				      "test orders from the storefront");
	}
	expect_matched("{\"channel\": \"r-bulk-c\"}", 0);
}

/* ---- decisions stand, announcements are not repeated ------------------- */

static size_t deliveries_of(const char *type, const char *order_id)
{
	json_t *all = list_all(acme(), "/v1/webhooks/deliveries",
			       "deliveries", 200),
	       *d;
	size_t i, n = 0;

	json_array_foreach(all, i, d)
		if (streq(jstr(d, "event_type"), type) &&
		    streq(jstr(d, "order_id"), order_id))
			n++;
	json_decref(all);
	return n;
}

API_TEST(an_approved_policy_hold_stays_approved_after_a_correction)
{
	json_t *body = body_in("R-APPROVED-STAYS", "r-approved"), *o;
	char id[64], big[64], zip[64];
	struct resp *r;

	make_big(body); /* high_value, from the policy */
	jset(body, "ship_to.postal_code", json_string("1011"));
	o = create_held(body, id);
	hold_id_of(o, "high_value", big, sizeof(big));
	hold_id_of(o, "address_unverifiable", zip, sizeof(zip));
	json_decref(o);
	json_decref(body);

	r = hold_resolve(agent1(), big, "approve", "known buyer", NULL);
	assert_status(r, 200);
	resp_free(r);
	r = hold_resolve(agent1(), zip, "correct", "ZIP confirmed",
			 "{\"ship_to\": {\"postal_code\": \"10118\"}}");
	assert_status(r, 200);
	resp_free(r);
	/* The approval stands: no second high_value hold. */
	expect_clean(id);
}

API_TEST(announcements_are_not_repeated_and_a_cancel_reaches_the_warehouse)
{
	static const char hook[] =
		"{\"url\": \"http://127.0.0.1:9/hook\", \"events\": "
		"[\"order.accepted\", \"fulfillment.cancelled\"]}";
	char id[64], f1[64], f2[64], hold[64], path[128];
	json_t *body, *o;
	struct resp *r;
	char *oid;

	r = http("POST", "/v1/webhooks", acme(), hook, strlen(hook), NULL);
	assert_status(r, 201);
	snprintf(webhook_id, sizeof(webhook_id), "%s", jstr(r->json, "id"));
	resp_free(r);

	/* Accepted, then held for stock in hold mode, then approved: the
	 * order was accepted once, and says so once. */
	settings_patch(acme(), "{\"backorder_mode\": \"hold\"}");
	make_sku(acme(), "RS-NONE", "Never in stock", PRICE, 1);
	body = order_one_line("R-ACCEPTED-ONCE", "RS-NONE", 1, PRICE);
	oid = order_create(acme(), body);
	snprintf(id, sizeof(id), "%s", oid);
	free(oid);
	json_decref(body);
	o = order_fetch(acme(), id);
	hold_id_of(o, "insufficient_stock", hold, sizeof(hold));
	json_decref(o);
	r = hold_resolve(agent1(), hold, "approve", "will come in", NULL);
	assert_status(r, 200);
	resp_free(r);
	settings_patch(acme(), "{\"backorder_mode\": \"backorder\"}");
	check(deliveries_of("order.accepted", id) == 1,
	      "order.accepted was announced %zu times for %s",
	      deliveries_of("order.accepted", id), id);

	/* Cancelled after release: the warehouse that had it is told. */
	split_order("R-CANCEL-TELLS", id, f1, f2);
	reject_other(id, f1, hold);
	r = hold_resolve(supervisor(), hold, "cancel_order", "customer called",
			 NULL);
	assert_status(r, 200);
	resp_free(r);
	check(deliveries_of("fulfillment.cancelled", id) == 1,
	      "the cancelled fulfillment %s was not announced", f2);
	snprintf(path, sizeof(path), "/v1/webhooks/%s", webhook_id);
	resp_free(http("DELETE", path, acme(), NULL, 0, NULL));
	webhook_id[0] = '\0';
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(approve_the_last_hold_and_the_order_continues),
		cmocka_unit_test(
			approve_one_of_two_holds_and_the_order_stays_on_hold),
		cmocka_unit_test(correct_a_bad_zip_and_the_order_continues),
		cmocka_unit_test(a_correction_records_what_it_changed),
		cmocka_unit_test(
			a_correction_that_leaves_a_problem_raises_a_new_hold),
		cmocka_unit_test(bad_changes_are_refused_naming_the_path),
		cmocka_unit_test(correct_after_allocation_is_409),
		cmocka_unit_test_teardown(cancel_order_before_allocation,
					  webhook_delete),
		cmocka_unit_test_teardown(
			cancel_order_with_allocations_unreserves_stock,
			webhook_delete),
		cmocka_unit_test(cancel_order_after_shipping_is_409),
		cmocka_unit_test(
			escalate_keeps_the_hold_open_urgent_and_unclaimed),
		cmocka_unit_test(resolve_refusals),
		cmocka_unit_test(resolving_a_hold_another_agent_claims_is_409),
		cmocka_unit_test(bulk_dry_run_then_real_run),
		cmocka_unit_test(bulk_filters_escalate_and_cancel),
		cmocka_unit_test(
			an_approved_policy_hold_stays_approved_after_a_correction),
		cmocka_unit_test(
			announcements_are_not_repeated_and_a_cancel_reaches_the_warehouse),
	};

	return harness_run_group(tests, harness_group_setup,
				      harness_group_teardown);
}
