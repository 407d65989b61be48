/*
 * test_queue.c - the review queue: what holds carry, how the queue lists
 * them, and claiming them without colliding.
 *
 * Why it is long: the queue's parts (holds, listing, filters, claims,
 * races, expiry) are tested on one group whose expiry spans it: the first
 * test claims, the last moves the clock past the lease.
 *
 *   holds        every hold carries rule_id, policy_version, priority and
 *                due_at = created_at + the type's SLA (from settings
 *                "holds"); PATCH settings changes SLA and priority of new
 *                holds only; bad "holds" settings are refused.
 *   queue        GET /v1/queue lists open holds oldest-due first (due_at,
 *                then creation) with the order summary, age and overdue;
 *                each filter (type, priority, min_age_s, assignee name and
 *                "-", channel, escalated); cursor paging visits each open
 *                hold once.
 *   claims       claim -> assignee "key:<name>" and claimed_until = now +
 *                lease (default 900 s); the same caller renews; another
 *                caller gets 409 naming the holder; lease bounds; resolved
 *                holds 409; viewer/integration 403; release own / other's
 *                (agent 403, supervisor 200); assign (supervisor only).
 *   race         32 agents with 32 keys claim one hold at once: exactly
 *                one wins, the 31 others get 409 naming the winner.
 *   expiry       the first test claims a hold with lease_s 60 (the
 *                minimum) and the LAST test moves the servers' clock past
 *                the lease (harness_clock_advance: nothing waits for it),
 *                then checks the hold is free: not listed for its old
 *                assignee, listed as unclaimed and overdue, claimable by
 *                another agent.
 *
 * Each test works in its own channel so that the holds other tests leave
 * in the queue do not disturb it.
 */
#include "harness.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define RACERS 32
#define LEASE_TOLERANCE_S 5

static const char *acme(void)
{
	return srv->key_acme;
}

/* ---- keys ----------------------------------------------------------------- */

static char agent_keys[RACERS][HARNESS_KEY_MAX];
static char supervisor_key[HARNESS_KEY_MAX];
static char viewer_key[HARNESS_KEY_MAX];
static char integration_key[HARNESS_KEY_MAX];

/* Agent i's key (name "agent<i>", actor "key:agent<i>"), made on first use. */
static const char *agent(int i)
{
	if (!agent_keys[i][0]) {
		char name[32];

		snprintf(name, sizeof(name), "agent%d", i);
		key_create("acme", "agent", name, agent_keys[i],
			   sizeof(agent_keys[i]));
	}
	return agent_keys[i];
}

static const char *role_key(char *slot, const char *role)
{
	if (!slot[0])
		key_create("acme", role, role, slot, HARNESS_KEY_MAX);
	return slot;
}

static const char *supervisor(void)
{
	return role_key(supervisor_key, "supervisor");
}

static const char *viewer(void)
{
	return role_key(viewer_key, "viewer");
}

static const char *integration(void)
{
	return role_key(integration_key, "integration");
}

/* ---- settings ------------------------------------------------------------- */

/* The "holds" settings as the server started with them. */
static json_t *holds_defaults;

static int group_setup(void **state)
{
	struct resp *r;
	int rc = harness_group_setup(state);

	if (rc)
		return rc;
	r = http_get(srv->key_acme, "/v1/settings");
	if (r->status != 200 ||
	    !json_is_object(json_object_get(r->json, "holds"))) {
		fprintf(stderr, "GET /v1/settings: %ld %s (want 200 with a "
			"\"holds\" object)\n", r->status, r->body);
		resp_free(r);
		/* The tests report it; keep going. */
		holds_defaults = json_object();
		return 0;
	}
	holds_defaults = json_incref(json_object_get(r->json, "holds"));
	resp_free(r);
	return 0;
}

static int group_teardown(void **state)
{
	json_decref(holds_defaults);
	holds_defaults = NULL;
	return harness_group_teardown(state);
}

/* Teardown: hold SLAs and priorities back to what they were. */
static int holds_reset(void **state)
{
	json_t *body;
	struct resp *r;
	int rc = 0;

	(void)state;
	if (!srv || !holds_defaults || json_object_size(holds_defaults) == 0)
		return 0;
	body = json_pack("{sO}", "holds", holds_defaults);
	r = http_json("PATCH", "/v1/settings", srv->key_acme, body, NULL);
	if (r->status != 200) {
		fprintf(stderr, "resetting hold settings failed: %ld %s\n",
			r->status, r->body);
		rc = -1;
	}
	resp_free(r);
	json_decref(body);
	return rc;
}

/* The SLA or priority ("sla_s", "priority") of a hold type, per settings. */
static long hold_setting(const char *type, const char *what)
{
	struct resp *r = http_get(acme(), "/v1/settings");
	char path[96];
	json_t *v;
	long n;

	assert_status(r, 200);
	snprintf(path, sizeof(path), "holds.%s.%s", type, what);
	v = jget(r->json, path);
	if (!json_is_integer(v)) {
		resp_print(r);
		fail_msg("settings have no integer %s", path);
	}
	n = (long)json_integer_value(v);
	resp_free(r);
	return n;
}

/* ---- held orders ------------------------------------------------------------ */

enum kind {
	BAD_ZIP,     /* address_unverifiable, validation */
	UNKNOWN_SKU, /* unknown_sku, validation */
	BIG,	     /* high_value, default policy rule large-value (p2) */
	PENDING,     /* payment_unverified, rule payment-not-verified (p2) */
};

static const char *kind_type(enum kind k)
{
	switch (k) {
	case BAD_ZIP:
		return "address_unverifiable";
	case UNKNOWN_SKU:
		return "unknown_sku";
	case BIG:
		return "high_value";
	case PENDING:
		return "payment_unverified";
	}
	return "?";
}

static json_t *held_body(const char *ext, const char *channel, enum kind k)
{
	json_t *o = order_new(ext);

	jset(o, "channel", json_string(channel));
	switch (k) {
	case BAD_ZIP:
		jset(o, "ship_to.postal_code", json_string("ABCDE"));
		break;
	case UNKNOWN_SKU:
		jset(o, "lines[1].sku", json_string("NO-SUCH-SKU"));
		break;
	case BIG:
		/* 60 x 19.99 + 12.50 + 5.00 = 1216.90 */
		jset(o, "lines[0].quantity", json_integer(60));
		order_fix_totals(o);
		break;
	case PENDING:
		jset(o, "payment_status", json_string("pending"));
		break;
	}
	return o;
}

/*
 * Place an order in channel that gets a hold of kind k; the hold's id into
 * hold_id, the order's into order_id (may be NULL). Returns the order (new
 * reference).
 */
static json_t *place_held(const char *ext, const char *channel, enum kind k,
			  char *order_id, char *hold_id)
{
	json_t *body = held_body(ext, channel, k);
	char *id = order_create(acme(), body);
	json_t *o = order_fetch(acme(), id);

	if (!streq(jstr(o, "state"), "on_hold")) {
		char *text = json_dumps(o, JSON_INDENT(1));

		print_error("order %s must be on_hold\n%s\n", ext, text);
		free(text);
		fail();
	}
	hold_id_of(o, kind_type(k), hold_id, 64);
	if (order_id)
		snprintf(order_id, 64, "%s", id);
	free(id);
	json_decref(body);
	return o;
}

static void place(const char *ext, const char *channel, enum kind k,
		  char *hold_id)
{
	json_decref(place_held(ext, channel, k, NULL, hold_id));
}

/* The hold ids of queue items, as text for messages. */
static void ids_text(const json_t *items, char *out, size_t size)
{
	json_t *it;
	size_t i, n = 0;

	out[0] = '\0';
	json_array_foreach(items, i, it) {
		int w = snprintf(out + n, size - n, "%s%s", i ? ", " : "",
				 jstr(it, "hold.id") ? jstr(it, "hold.id")
						     : "(no hold.id)");

		if (w < 0 || (size_t)w >= size - n)
			break;
		n += (size_t)w;
	}
}

/*
 * GET /v1/queue?query lists exactly the holds in want (n of them), in that
 * order when ordered.
 */
static void expect_queue(const char *key, const char *query,
			 const char *const *want, size_t n, int ordered)
{
	json_t *items = queue_items(key, query);
	char got[2048];
	size_t i;
	int ok = json_array_size(items) == n;

	for (i = 0; ok && i < n; i++) {
		if (ordered)
			ok = streq(jstr(json_array_get(items, i), "hold.id"),
				   want[i]);
		else
			ok = queue_find(items, want[i]) != NULL;
	}
	if (!ok) {
		char exp[2048];
		size_t len = 0;

		exp[0] = '\0';
		for (i = 0; i < n && len < sizeof(exp) - 70; i++)
			len += (size_t)snprintf(exp + len, sizeof(exp) - len,
						"%s%s", i ? ", " : "", want[i]);
		ids_text(items, got, sizeof(got));
		json_decref(items);
		fail_msg("GET /v1/queue?%s\n  listed: [%s]\n  want%s: [%s]",
			 query, got, ordered ? " (in this order)" : "", exp);
	}
	json_decref(items);
}

/* A hold object in a claim/release/assign answer, or the answer's "hold". */
static json_t *answer_hold(const struct resp *r)
{
	json_t *h = json_object_get(r->json, "hold");

	return json_is_object(h) ? h : r->json;
}

static void expect_claimed_by(const struct resp *r, const char *actor,
			      long lease_s)
{
	json_t *h = answer_hold(r);
	const char *until = jstr(h, "claimed_until");
	time_t t = until ? rfc3339_parse(until) : (time_t)-1;
	long want = (long)harness_clock_now() + lease_s;

	if (!streq(jstr(h, "assignee"), actor) || t == (time_t)-1 ||
	    labs((long)t - want) > LEASE_TOLERANCE_S) {
		resp_print(r);
		fail_msg("want assignee %s and claimed_until about now + %ld "
			 "s",
			 actor, lease_s);
	}
}

static void expect_unclaimed(const struct resp *r)
{
	json_t *h = answer_hold(r);

	if (!json_is_null(json_object_get(h, "assignee")) ||
	    !json_is_null(json_object_get(h, "claimed_until"))) {
		resp_print(r);
		fail_msg("want assignee and claimed_until null");
	}
}

/* 409 conflict naming `holder` in the message and details field assignee. */
static void expect_conflict(const struct resp *r, const char *holder)
{
	const char *msg = jstr(r->json, "error.message");

	assert_error(r, 409, "conflict", "assignee");
	if (!msg || !strstr(msg, holder)) {
		resp_print(r);
		fail_msg("the 409 message must name the holder %s", holder);
	}
}

/* ---- expiry, part 1 (the last test is part 2) -------------------------------- */

static struct {
	char hold[64];
	time_t claimed_until;
	int started;
} expiry;

/*
 * SLOW, part 1: a hold due 60 s after it was raised, claimed by agent0
 * with the minimum lease (60 s). The last test checks both ran out.
 */
API_TEST(expiry_part1_claim_with_minimum_lease)
{
	struct resp *r;
	const char *mine[1];

	settings_patch(acme(),
		       "{\"holds\": {\"address_unverifiable\": {\"sla_s\": 60}}}");
	place("Q-EXP-1", "q-expiry", BAD_ZIP, expiry.hold);
	holds_reset(NULL);

	r = hold_post(agent(0), expiry.hold, "claim", "{\"lease_s\": 60}");
	assert_status(r, 200);
	expect_claimed_by(r, "key:agent0", 60);
	expiry.claimed_until =
		rfc3339_parse(jstr(answer_hold(r), "claimed_until"));
	resp_free(r);
	expiry.started = 1;

	mine[0] = expiry.hold;
	expect_queue(acme(), "channel=q-expiry&assignee=key%3Aagent0", mine,
		     1, 1);
	expect_queue(acme(), "channel=q-expiry&assignee=-", NULL, 0, 1);
	r = hold_post(agent(1), expiry.hold, "claim", NULL);
	expect_conflict(r, "key:agent0");
	resp_free(r);
}

/* ---- holds ------------------------------------------------------------------- */

static void expect_hold_fields(const json_t *h, const char *type,
			       const char *rule_id, long priority,
			       long sla_s)
{
	const char *created = jstr(h, "created_at"), *due = jstr(h, "due_at");
	time_t c = created ? rfc3339_parse(created) : (time_t)-1;
	time_t d = due ? rfc3339_parse(due) : (time_t)-1;
	json_t *pv = json_object_get(h, "policy_version");
	json_t *pr = json_object_get(h, "priority");
	const char *why = NULL;

	if (!streq(jstr(h, "type"), type))
		why = "type";
	else if (!streq(jstr(h, "rule_id"), rule_id))
		why = "rule_id";
	else if (!json_is_integer(pv) || json_integer_value(pv) != 0)
		why = "policy_version must be 0 (the built-in default)";
	else if (!json_is_integer(pr) || json_integer_value(pr) != priority)
		why = "priority";
	else if (c == (time_t)-1 || d == (time_t)-1)
		why = "created_at and due_at must be RFC 3339 UTC times";
	else if ((long)(d - c) != sla_s)
		why = "due_at must be created_at + the type's sla_s";
	else if (!json_is_null(json_object_get(h, "assignee")) ||
		 !json_is_null(json_object_get(h, "claimed_until")))
		why = "a new hold is unclaimed (assignee, claimed_until null)";
	else if (!json_is_false(json_object_get(h, "escalated")))
		why = "escalated must be false";
	else if (!json_is_null(json_object_get(h, "resolution")))
		why = "resolution must be null while open";
	else if (!json_object_get(h, "resolution_reason") ||
		 !json_object_get(h, "resolved_by"))
		why = "resolution_reason and resolved_by must be present";
	if (why) {
		char *text = json_dumps(h, JSON_INDENT(1));

		print_error("%s (want type %s rule_id %s priority %ld sla %ld)"
			    "\nhold: %s\n",
			    why, type, rule_id, priority, sla_s, text);
		free(text);
		fail();
	}
}

API_TEST(holds_carry_rule_policy_priority_and_due)
{
	static const char *const types[] = {
		"unknown_sku",	     "inactive_sku",	 "price_mismatch",
		"totals_mismatch",   "address_unverifiable", "missing_contact",
		"invalid_data",	     "duplicate_suspect", "payment_unverified",
		"high_value",	     "risky_order",	 "shipping_conflict",
		"insufficient_stock", "policy_exception",
	};
	struct resp *r = http_get(acme(), "/v1/settings");
	char hold[64];
	json_t *o;

	assert_status(r, 200);
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		char p1[96], p2[96];
		json_t *sla, *pr;

		snprintf(p1, sizeof(p1), "holds.%s.sla_s", types[i]);
		snprintf(p2, sizeof(p2), "holds.%s.priority", types[i]);
		sla = jget(r->json, p1);
		pr = jget(r->json, p2);
		if (!json_is_integer(sla) || json_integer_value(sla) < 60 ||
		    json_integer_value(sla) > 2592000 || !json_is_integer(pr) ||
		    json_integer_value(pr) < 1 || json_integer_value(pr) > 5) {
			resp_print(r);
			fail_msg("settings.holds.%s must have sla_s 60..2592000 "
				 "and priority 1..5",
				 types[i]);
		}
	}
	resp_free(r);

	/* A validation hold: priority and SLA from the settings. */
	o = place_held("Q-FIELDS-ZIP", "q-fields", BAD_ZIP, NULL, hold);
	expect_hold_fields(order_hold_by_id(o, hold), "address_unverifiable",
			   "validation.address_unverifiable",
			   hold_setting("address_unverifiable", "priority"),
			   hold_setting("address_unverifiable", "sla_s"));
	json_decref(o);

	/* A policy hold: the rule's priority, the type's SLA. */
	o = place_held("Q-FIELDS-BIG", "q-fields", BIG, NULL, hold);
	expect_hold_fields(order_hold_by_id(o, hold), "high_value",
			   "large-value", 2,
			   hold_setting("high_value", "sla_s"));
	json_decref(o);

	o = place_held("Q-FIELDS-PAY", "q-fields", PENDING, NULL, hold);
	expect_hold_fields(order_hold_by_id(o, hold), "payment_unverified",
			   "payment-not-verified", 2,
			   hold_setting("payment_unverified", "sla_s"));
	json_decref(o);

	/* The queue shows the same hold object. */
	{
		json_t *items = queue_items(acme(), "channel=q-fields");
		json_t *it = queue_find(items, hold);

		check(it != NULL, "hold %s not in the queue", hold);
		expect_hold_fields(json_object_get(it, "hold"),
				   "payment_unverified", "payment-not-verified",
				   2, hold_setting("payment_unverified", "sla_s"));
		json_decref(items);
	}
}

API_TEST(settings_holds_change_new_holds_only)
{
	char before[64], after[64], path[160];
	long old_sla = hold_setting("address_unverifiable", "sla_s");
	long old_pr = hold_setting("address_unverifiable", "priority");
	long new_pr = old_pr == 5 ? 4 : 5;
	struct resp *r;
	json_t *o;

	place("Q-SET-1", "q-settings", BAD_ZIP, before);
	snprintf(path, sizeof(path),
		 "{\"holds\": {\"address_unverifiable\": {\"sla_s\": 120, "
		 "\"priority\": %ld}, \"unknown_sku\": {\"priority\": 1}}}",
		 new_pr);
	r = http("PATCH", "/v1/settings", acme(), path, strlen(path), NULL);
	assert_status(r, 200);
	check(json_integer_value(jget(r->json,
				      "holds.address_unverifiable.sla_s")) ==
			      120 &&
		      json_integer_value(jget(
			      r->json, "holds.address_unverifiable.priority")) ==
			      new_pr &&
		      json_integer_value(jget(r->json,
					      "holds.unknown_sku.priority")) ==
			      1,
	      "PATCH must answer the whole settings with the new values: %s",
	      r->body);
	/* A subset of keys: unknown_sku kept its SLA. */
	check(json_is_integer(jget(r->json, "holds.unknown_sku.sla_s")),
	      "holds.unknown_sku.sla_s must stay: %s", r->body);
	resp_free(r);

	o = place_held("Q-SET-2", "q-settings", BAD_ZIP, NULL, after);
	expect_hold_fields(order_hold_by_id(o, after), "address_unverifiable",
			   "validation.address_unverifiable", new_pr, 120);
	json_decref(o);
	o = place_held("Q-SET-3", "q-settings", UNKNOWN_SKU, NULL, after);
	check(json_integer_value(json_object_get(find_hold(o, "unknown_sku"),
						 "priority")) == 1,
	      "unknown_sku holds must now have priority 1");
	json_decref(o);

	/* The hold raised before keeps its priority and due time. */
	{
		json_t *items = queue_items(acme(), "channel=q-settings");
		json_t *h = json_object_get(queue_find(items, before), "hold");

		check(h != NULL, "hold %s left the queue", before);
		expect_hold_fields(h, "address_unverifiable",
				   "validation.address_unverifiable", old_pr,
				   old_sla);
		json_decref(items);
	}

	/* Bad values are refused, naming the setting. */
	{
		static const char *const bad[] = {
			"{\"holds\": {\"address_unverifiable\": {\"sla_s\": 59}}}",
			"{\"holds\": {\"address_unverifiable\": {\"sla_s\": 2592001}}}",
			"{\"holds\": {\"address_unverifiable\": {\"priority\": 0}}}",
			"{\"holds\": {\"address_unverifiable\": {\"priority\": 6}}}",
			"{\"holds\": {\"no_such_type\": {\"priority\": 2}}}",
			"{\"holds\": {\"address_unverifiable\": {\"color\": 2}}}",
			"{\"holds\": {\"address_unverifiable\": {\"priority\": \"2\"}}}",
			"{\"holds\": 5}",
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			r = http("PATCH", "/v1/settings", acme(), bad[i],
				 strlen(bad[i]), NULL);
			check(r->status == 400, "PATCH /v1/settings %s -> HTTP "
			      "%ld %.300s (want 400)", bad[i], r->status,
			      r->body);
			assert_error(r, 400, "invalid_request", NULL);
			check(error_field_prefix(r, "holds"),
			      "PATCH %s: a detail must name holds...: %s",
			      bad[i], r->body);
			resp_free(r);
		}
		check(hold_setting("address_unverifiable", "sla_s") == 120,
		      "a refused PATCH must change nothing");
	}
}

/* ---- the queue ---------------------------------------------------------------- */

static void expect_item_summary(const json_t *it, const char *channel)
{
	json_t *age = json_object_get(it, "age_s");
	const char *why = NULL;

	if (!jstr(it, "order.id") || strncmp(jstr(it, "order.id"), "ord_", 4))
		why = "order.id";
	else if (!jstr(it, "order.external_id"))
		why = "order.external_id";
	else if (!streq(jstr(it, "order.channel"), channel))
		why = "order.channel";
	else if (!streq(jstr(it, "order.state"), "on_hold"))
		why = "order.state";
	else if (!jstr(it, "order.total"))
		why = "order.total (a money string)";
	else if (!streq(jstr(it, "order.currency"), "USD"))
		why = "order.currency";
	else if (!streq(jstr(it, "order.customer_name"), "Margaret Hollis"))
		why = "order.customer_name";
	else if (!is_rfc3339(jstr(it, "order.received_at")))
		why = "order.received_at";
	else if (!json_is_integer(age) || json_integer_value(age) < 0 ||
		 json_integer_value(age) > 120)
		why = "age_s (an integer, seconds since the hold was raised)";
	else if (!json_is_false(json_object_get(it, "overdue")))
		why = "overdue must be false for a hold due in the future";
	else if (!streq(jstr(it, "hold.status"), "open"))
		why = "hold.status";
	if (why) {
		char *text = json_dumps(it, JSON_INDENT(1));

		print_error("queue item: bad %s\nitem: %s\n", why, text);
		free(text);
		fail();
	}
}

API_TEST(queue_lists_oldest_due_first)
{
	char a1[64], b1[64], a2[64], b2[64];
	const char *want[4];
	json_t *items, *it, *prev = NULL;
	size_t i;

	settings_patch(acme(), "{\"holds\": {\"address_unverifiable\": "
			       "{\"sla_s\": 3000}, \"unknown_sku\": "
			       "{\"sla_s\": 600}}}");
	place("Q-ORD-A1", "q-order", BAD_ZIP, a1);
	place("Q-ORD-B1", "q-order", UNKNOWN_SKU, b1);
	place("Q-ORD-A2", "q-order", BAD_ZIP, a2);
	place("Q-ORD-B2", "q-order", UNKNOWN_SKU, b2);
	want[0] = b1;
	want[1] = b2;
	want[2] = a1;
	want[3] = a2;
	expect_queue(acme(), "channel=q-order", want, 4, 1);

	items = queue_items(acme(), "channel=q-order");
	json_array_foreach(items, i, it)
		expect_item_summary(it, "q-order");
	json_decref(items);

	/* The whole queue: due_at never goes down; open holds only. */
	items = queue_items(acme(), "");
	json_array_foreach(items, i, it) {
		check(streq(jstr(it, "hold.status"), "open"),
		      "item %zu: the queue lists open holds only", i);
		if (prev) {
			time_t p = rfc3339_parse(jstr(prev, "hold.due_at"));
			time_t c = rfc3339_parse(jstr(it, "hold.due_at"));

			check(p != (time_t)-1 && c != (time_t)-1 && p <= c,
			      "item %zu (due %s) after one due %s: the queue "
			      "is oldest-due first",
			      i, jstr(it, "hold.due_at"),
			      jstr(prev, "hold.due_at"));
		}
		prev = it;
	}
	json_decref(items);
}

API_TEST(queue_filters)
{
	char zip[64], sku[64], big[64], pend[64], other[64];
	struct resp *r;

	settings_patch(acme(), "{\"holds\": {\"address_unverifiable\": "
			       "{\"priority\": 4}, \"unknown_sku\": "
			       "{\"priority\": 3}}}");
	place("Q-FIL-ZIP", "q-filter", BAD_ZIP, zip);
	place("Q-FIL-SKU", "q-filter", UNKNOWN_SKU, sku);
	place("Q-FIL-BIG", "q-filter", BIG, big);
	place("Q-FIL-OTHER", "q-filter-b", BAD_ZIP, other);
	harness_clock_advance(3);
	place("Q-FIL-PEND", "q-filter", PENDING, pend);

	{
		const char *all[] = { zip, sku, big, pend };
		const char *b[] = { other };
		const char *t[] = { sku };
		const char *p2[] = { big, pend };
		const char *old[] = { zip, sku, big };

		expect_queue(acme(), "channel=q-filter", all, 4, 0);
		expect_queue(acme(), "channel=q-filter-b", b, 1, 0);
		expect_queue(acme(), "channel=q-filter&type=unknown_sku", t, 1,
			     0);
		expect_queue(acme(), "channel=q-filter&type=risky_order", NULL,
			     0, 0);
		expect_queue(acme(), "channel=q-filter&priority=2", p2, 2, 0);
		expect_queue(acme(), "channel=q-filter&min_age_s=2", old, 3, 0);
		expect_queue(acme(), "channel=q-filter&min_age_s=3600", NULL, 0,
			     0);
	}

	/* assignee: a name (live claims of it) or "-" (unclaimed). */
	r = hold_post(agent(2), zip, "claim", NULL);
	assert_status(r, 200);
	resp_free(r);
	{
		const char *mine[] = { zip };
		const char *free_[] = { sku, big, pend };

		expect_queue(acme(), "channel=q-filter&assignee=key%3Aagent2",
			     mine, 1, 0);
		expect_queue(acme(), "channel=q-filter&assignee=-", free_, 3,
			     0);
		expect_queue(acme(), "channel=q-filter&assignee=key%3Aagent3",
			     NULL, 0, 0);
	}

	/* escalated, and priority 1 after escalation. */
	r = hold_resolve(acme(), sku, "escalate", "needs a buyer's call",
			 NULL);
	assert_status(r, 200);
	resp_free(r);
	{
		const char *esc[] = { sku };
		const char *not_esc[] = { zip, big, pend };

		expect_queue(acme(), "channel=q-filter&escalated=true", esc, 1,
			     0);
		expect_queue(acme(), "channel=q-filter&escalated=false",
			     not_esc, 3, 0);
		expect_queue(acme(), "channel=q-filter&priority=1", esc, 1, 0);
		expect_queue(acme(),
			     "channel=q-filter&type=address_unverifiable&"
			     "assignee=-",
			     NULL, 0, 0);
	}

	/* Bad filter values name the parameter. */
	{
		static const char *const bad[][2] = {
			{ "priority=9", "priority" },
			{ "priority=x", "priority" },
			{ "type=no_such_type", "type" },
			{ "min_age_s=-5", "min_age_s" },
			{ "escalated=maybe", "escalated" },
			{ "limit=0", "limit" },
			{ "cursor=%21%21garbage", "cursor" },
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			r = http_get(acme(), "/v1/queue?%s", bad[i][0]);
			assert_error(r, 400, "invalid_request", bad[i][1]);
			resp_free(r);
		}
	}
}

API_TEST(queue_paging_visits_each_open_hold_once)
{
	char ids[7][64];
	const char *want[7];
	json_t *paged, *whole, *it;
	size_t i;

	for (i = 0; i < 7; i++) {
		char ext[32];

		snprintf(ext, sizeof(ext), "Q-PAGE-%zu", i);
		place(ext, "q-page", i % 2 ? UNKNOWN_SKU : BAD_ZIP, ids[i]);
		want[i] = ids[i];
	}
	/* Pages of 2: every hold once. */
	paged = list_all(acme(), "/v1/queue?channel=q-page", "items", 2);
	check(json_array_size(paged) == 7, "pages of 2 listed %zu items, "
	      "want 7", json_array_size(paged));
	for (i = 0; i < 7; i++)
		check(queue_find(paged, want[i]) != NULL,
		      "hold %s missing from the pages", want[i]);
	json_decref(paged);

	/* The whole queue in pages of 3 equals it in one page, in order. */
	paged = list_all(acme(), "/v1/queue", "items", 3);
	whole = list_all(acme(), "/v1/queue", "items", 200);
	check(json_array_size(paged) == json_array_size(whole),
	      "pages of 3 listed %zu items, one page %zu",
	      json_array_size(paged), json_array_size(whole));
	json_array_foreach(whole, i, it) {
		const char *id = jstr(it, "hold.id");

		check(streq(jstr(json_array_get(paged, i), "hold.id"), id),
		      "item %zu differs between paged and whole listings", i);
		for (size_t k = 0; k < i; k++)
			check(!streq(jstr(json_array_get(whole, k), "hold.id"),
				     id),
			      "hold %s listed twice", id);
	}
	json_decref(paged);
	json_decref(whole);
}

/* ---- claims ------------------------------------------------------------------- */

API_TEST(claim_renew_and_conflict)
{
	char hold[64];
	struct resp *r;

	place("Q-CLAIM-1", "q-claim", BAD_ZIP, hold);

	/* No body: the default lease, 900 s. */
	r = hold_post(agent(4), hold, "claim", NULL);
	assert_status(r, 200);
	expect_claimed_by(r, "key:agent4", 900);
	check(streq(jstr(answer_hold(r), "id"), hold), "claim answers the "
	      "hold: %s", r->body);
	resp_free(r);

	/* The same caller renews, with a lease of its choosing. */
	r = hold_post(agent(4), hold, "claim", "{\"lease_s\": 1800}");
	assert_status(r, 200);
	expect_claimed_by(r, "key:agent4", 1800);
	resp_free(r);
	r = hold_post(agent(4), hold, "claim", "{}");
	assert_status(r, 200);
	expect_claimed_by(r, "key:agent4", 900);
	resp_free(r);

	/* Anyone else: 409 naming the holder, even a supervisor. */
	r = hold_post(agent(5), hold, "claim", NULL);
	expect_conflict(r, "key:agent4");
	resp_free(r);
	r = hold_post(supervisor(), hold, "claim", "{\"lease_s\": 60}");
	expect_conflict(r, "key:agent4");
	resp_free(r);

	/* The queue shows the claim. */
	{
		json_t *items = queue_items(acme(), "channel=q-claim");
		json_t *it = queue_find(items, hold);

		check(it && streq(jstr(it, "hold.assignee"), "key:agent4") &&
			      is_rfc3339(jstr(it, "hold.claimed_until")),
		      "the queue must show assignee key:agent4 and "
		      "claimed_until");
		json_decref(items);
	}
}

API_TEST(claim_refusals)
{
	char hold[64], done[64];
	struct resp *r;

	place("Q-REF-1", "q-refuse", BAD_ZIP, hold);

	{
		static const char *const bad[] = {
			"{\"lease_s\": 59}",   "{\"lease_s\": 3601}",
			"{\"lease_s\": 0}",    "{\"lease_s\": -60}",
			"{\"lease_s\": \"600\"}", "{\"lease_s\": 90.5}",
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			r = hold_post(agent(6), hold, "claim", bad[i]);
			assert_error(r, 400, "invalid_request", "lease_s");
			resp_free(r);
		}
	}
	r = hold_post(agent(6), hold, "claim", "{\"lease_s\": 3600}");
	assert_status(r, 200);
	expect_claimed_by(r, "key:agent6", 3600);
	resp_free(r);
	r = hold_post(agent(6), hold, "release", NULL);
	assert_status(r, 200);
	resp_free(r);

	/* Viewer and integration keys may not claim. */
	r = hold_post(viewer(), hold, "claim", NULL);
	assert_error(r, 403, "forbidden", NULL);
	resp_free(r);
	r = hold_post(integration(), hold, "claim", NULL);
	assert_error(r, 403, "forbidden", NULL);
	resp_free(r);

	/* Unknown and other tenants' holds are 404. */
	r = hold_post(agent(6), "hld_does_not_exist", "claim", NULL);
	assert_error(r, 404, "not_found", NULL);
	resp_free(r);
	r = hold_post(srv->key_globex, hold, "claim", NULL);
	assert_error(r, 404, "not_found", NULL);
	resp_free(r);
	r = hold_post(srv->key_globex, hold, "release", NULL);
	assert_error(r, 404, "not_found", NULL);
	resp_free(r);

	/* A resolved hold cannot be claimed. */
	place("Q-REF-2", "q-refuse", BAD_ZIP, done);
	r = hold_resolve(acme(), done, "approve", "address checked by phone",
			 NULL);
	assert_status(r, 200);
	resp_free(r);
	r = hold_post(agent(6), done, "claim", NULL);
	assert_error(r, 409, "invalid_state_transition", NULL);
	resp_free(r);
}

API_TEST(viewer_and_integration_cannot_work_the_queue)
{
	char hold[64];
	struct resp *r;

	place("Q-VIEW-1", "q-view", BAD_ZIP, hold);
	r = http_get(viewer(), "/v1/queue?channel=q-view");
	assert_status(r, 200);
	resp_free(r);
	r = hold_resolve(viewer(), hold, "approve", "looks fine", NULL);
	assert_error(r, 403, "forbidden", NULL);
	resp_free(r);
	r = hold_post(viewer(), hold, "claim", NULL);
	assert_error(r, 403, "forbidden", NULL);
	resp_free(r);
	r = hold_post(viewer(), hold, "release", NULL);
	assert_error(r, 403, "forbidden", NULL);
	resp_free(r);
	r = hold_post(viewer(), hold, "assign",
		      "{\"assignee\": \"key:agent0\"}");
	assert_error(r, 403, "forbidden", NULL);
	resp_free(r);

	r = hold_resolve(integration(), hold, "approve", "looks fine", NULL);
	assert_error(r, 403, "forbidden", NULL);
	resp_free(r);

	/* Nothing happened to the hold. */
	{
		json_t *items = queue_items(acme(), "channel=q-view");
		json_t *it = queue_find(items, hold);

		check(it && json_is_null(jget(it, "hold.assignee")),
		      "the hold must still be open and unclaimed");
		json_decref(items);
	}

	/* integration: orders in, catalog, stock...; not the queue. */
	r = http_get(integration(), "/v1/queue");
	assert_error(r, 403, "forbidden", NULL);
	resp_free(r);
}

API_TEST(release_own_and_others)
{
	char hold[64];
	struct resp *r;

	place("Q-REL-1", "q-release", BAD_ZIP, hold);

	r = hold_post(agent(7), hold, "claim", NULL);
	assert_status(r, 200);
	resp_free(r);
	r = hold_post(agent(7), hold, "release", NULL);
	assert_status(r, 200);
	expect_unclaimed(r);
	resp_free(r);
	{
		const char *h[] = { hold };

		expect_queue(acme(), "channel=q-release&assignee=-", h, 1, 0);
	}

	/* Another agent may not release it; a supervisor may. */
	r = hold_post(agent(7), hold, "claim", NULL);
	assert_status(r, 200);
	resp_free(r);
	r = hold_post(agent(8), hold, "release", NULL);
	assert_error(r, 403, "forbidden", NULL);
	resp_free(r);
	r = hold_post(agent(8), hold, "claim", NULL);
	expect_conflict(r, "key:agent7");
	resp_free(r);
	r = hold_post(supervisor(), hold, "release", NULL);
	assert_status(r, 200);
	expect_unclaimed(r);
	resp_free(r);

	/* Released: the other agent gets it now. */
	r = hold_post(agent(8), hold, "claim", NULL);
	assert_status(r, 200);
	expect_claimed_by(r, "key:agent8", 900);
	resp_free(r);

	/* An admin may release someone else's claim too. */
	r = hold_post(acme(), hold, "release", NULL);
	assert_status(r, 200);
	expect_unclaimed(r);
	resp_free(r);
}

/* An assignment's lease is the lease_s given (default 900 s), as for a
 * claim: claimed_until = now + lease_s. */
API_TEST(assign_takes_the_lease_given)
{
	char hold[64];
	struct resp *r;

	place("Q-ASN-L", "q-assign-lease", BAD_ZIP, hold);
	r = hold_post(supervisor(), hold, "assign",
		      "{\"assignee\": \"key:agent11\", \"lease_s\": 120}");
	assert_status(r, 200);
	expect_claimed_by(r, "key:agent11", 120);
	resp_free(r);
	r = hold_post(supervisor(), hold, "assign",
		      "{\"assignee\": \"key:agent11\", \"lease_s\": 3600}");
	assert_status(r, 200);
	expect_claimed_by(r, "key:agent11", 3600);
	resp_free(r);
	r = hold_post(supervisor(), hold, "assign",
		      "{\"assignee\": \"key:agent11\", \"lease_s\": 30}");
	assert_error(r, 400, "invalid_request", "lease_s");
	resp_free(r);
}

API_TEST(assign_is_for_supervisors)
{
	char hold[64];
	struct resp *r;

	place("Q-ASN-1", "q-assign", BAD_ZIP, hold);
	/* Make sure the key exists, so the assignment names a real key. */
	(void)agent(10);

	r = hold_post(agent(9), hold, "assign",
		      "{\"assignee\": \"key:agent10\"}");
	assert_error(r, 403, "forbidden", NULL);
	resp_free(r);

	r = hold_post(supervisor(), hold, "assign",
		      "{\"assignee\": \"key:agent10\"}");
	assert_status(r, 200);
	expect_claimed_by(r, "key:agent10", 900);
	resp_free(r);
	{
		const char *h[] = { hold };

		expect_queue(acme(), "channel=q-assign&assignee=key%3Aagent10",
			     h, 1, 0);
	}
	r = hold_post(agent(9), hold, "claim", NULL);
	expect_conflict(r, "key:agent10");
	resp_free(r);
	/* The assignee holds it: it renews. */
	r = hold_post(agent(10), hold, "claim", NULL);
	assert_status(r, 200);
	expect_claimed_by(r, "key:agent10", 900);
	resp_free(r);

	/* Reassign to someone else over a live claim: supervisor's call. */
	r = hold_post(acme(), hold, "assign", "{\"assignee\": \"key:agent9\"}");
	assert_status(r, 200);
	expect_claimed_by(r, "key:agent9", 900);
	resp_free(r);
	r = hold_post(agent(10), hold, "claim", NULL);
	expect_conflict(r, "key:agent9");
	resp_free(r);

	r = hold_post(supervisor(), hold, "assign", "{}");
	assert_error(r, 400, "invalid_request", "assignee");
	resp_free(r);
}

/* ---- the race ------------------------------------------------------------------ */

struct racer {
	pthread_t thread;
	pthread_barrier_t *start;
	const char *key;
	const char *path;
	long status;
	char assignee[64];
	char message[512];
};

static void *racer_run(void *arg)
{
	struct racer *c = arg;
	struct resp *r;

	pthread_barrier_wait(c->start);
	r = http_at(srv->base_url, "POST", c->path, c->key, NULL, 0, NULL);
	c->status = r->status;
	snprintf(c->assignee, sizeof(c->assignee), "%s",
		 jstr(r->json, "assignee") ? jstr(r->json, "assignee") : "");
	snprintf(c->message, sizeof(c->message), "%s",
		 jstr(r->json, "error.message") ? jstr(r->json, "error.message")
						: r->body);
	resp_free(r);
	return NULL;
}

API_TEST(claim_race_exactly_one_of_32_wins)
{
	for (int round = 0; round < 3; round++) {
		struct racer cl[RACERS];
		pthread_barrier_t start;
		char hold[64], ext[32], path[128], winner[64] = "";
		int wins = 0, conflicts = 0, i;

		for (i = 0; i < RACERS; i++)
			(void)agent(i);
		snprintf(ext, sizeof(ext), "Q-RACE-%d", round);
		place(ext, "q-race", round == 1 ? BIG : BAD_ZIP, hold);
		snprintf(path, sizeof(path), "/v1/holds/%s/claim", hold);

		pthread_barrier_init(&start, NULL, RACERS);
		for (i = 0; i < RACERS; i++) {
			memset(&cl[i], 0, sizeof(cl[i]));
			cl[i].start = &start;
			cl[i].key = agent(i);
			cl[i].path = path;
			pthread_create(&cl[i].thread, NULL, racer_run, &cl[i]);
		}
		for (i = 0; i < RACERS; i++)
			pthread_join(cl[i].thread, NULL);
		pthread_barrier_destroy(&start);

		for (i = 0; i < RACERS; i++) {
			if (cl[i].status == 200) {
				wins++;
				snprintf(winner, sizeof(winner), "key:agent%d",
					 i);
				check(streq(cl[i].assignee, winner),
				      "round %d: agent%d won but the hold "
				      "says assignee %s",
				      round, i, cl[i].assignee);
			} else if (cl[i].status == 409) {
				conflicts++;
			} else {
				fail_msg("round %d: agent%d got HTTP %ld: %s",
					 round, i, cl[i].status,
					 cl[i].message);
			}
		}
		check(wins == 1 && conflicts == RACERS - 1,
		      "round %d: %d claims won and %d got 409; want exactly "
		      "1 and %d",
		      round, wins, conflicts, RACERS - 1);
		for (i = 0; i < RACERS; i++)
			check(cl[i].status == 200 ||
				      strstr(cl[i].message, winner),
			      "round %d: agent%d's 409 must name the holder "
			      "%s: %s",
			      round, i, winner, cl[i].message);
		{
			json_t *items = queue_items(acme(), "channel=q-race");
			json_t *it = queue_find(items, hold);

			check(it && streq(jstr(it, "hold.assignee"), winner),
			      "round %d: the queue must show %s holding it",
			      round, winner);
			json_decref(items);
		}
	}
}

/* ---- expiry, part 2 -------------------------------------------------------------- */

/*
 * Part 2 (must stay the last test, since it moves the clock a minute on):
 * once the 60 s lease taken in part 1 has run out, the hold is free and
 * overdue.
 */
API_TEST(expiry_part2_an_expired_lease_frees_the_hold)
{
	json_t *items, *it;
	struct resp *r;

	check(expiry.started, "part 1 did not get to claim the hold");
	/* The lease runs out: the servers' clock moves past it (the tests
	 * between may have taken it past already, under Valgrind). */
	if (expiry.claimed_until + 2 > harness_clock_now())
		harness_clock_advance((long)(expiry.claimed_until + 2 -
					     harness_clock_now()));

	expect_queue(acme(), "channel=q-expiry&assignee=key%3Aagent0", NULL, 0,
		     1);
	{
		const char *h[] = { expiry.hold };

		expect_queue(acme(), "channel=q-expiry&assignee=-", h, 1, 1);
	}
	items = queue_items(acme(), "channel=q-expiry");
	it = queue_find(items, expiry.hold);
	check(it && json_is_true(json_object_get(it, "overdue")) &&
		      json_integer_value(json_object_get(it, "age_s")) >= 60,
	      "the hold was due 60 s after it was raised: overdue must be "
	      "true and age_s >= 60");
	/* Nobody holds it any more, and the hold says so. */
	check(it && json_is_null(json_object_get(
			    json_object_get(it, "hold"), "assignee")) &&
		      json_is_null(json_object_get(
			      json_object_get(it, "hold"), "claimed_until")),
	      "a lapsed claim must show no assignee");
	json_decref(items);

	r = hold_post(agent(1), expiry.hold, "claim", NULL);
	assert_status(r, 200);
	expect_claimed_by(r, "key:agent1", 900);
	resp_free(r);
	/* The old holder has lost it. */
	r = hold_post(agent(0), expiry.hold, "claim", NULL);
	expect_conflict(r, "key:agent1");
	resp_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(expiry_part1_claim_with_minimum_lease),
		cmocka_unit_test(holds_carry_rule_policy_priority_and_due),
		cmocka_unit_test_teardown(settings_holds_change_new_holds_only,
					  holds_reset),
		cmocka_unit_test_teardown(queue_lists_oldest_due_first,
					  holds_reset),
		cmocka_unit_test_teardown(queue_filters, holds_reset),
		cmocka_unit_test(queue_paging_visits_each_open_hold_once),
		cmocka_unit_test(claim_renew_and_conflict),
		cmocka_unit_test(claim_refusals),
		cmocka_unit_test(viewer_and_integration_cannot_work_the_queue),
		cmocka_unit_test(release_own_and_others),
		cmocka_unit_test(assign_is_for_supervisors),
		cmocka_unit_test(assign_takes_the_lease_given),
		cmocka_unit_test(claim_race_exactly_one_of_32_wins),
		/* Keep last: it waits out part 1's lease. */
		cmocka_unit_test(expiry_part2_an_expired_lease_frees_the_hold),
	};

	return harness_run_group(tests, group_setup, group_teardown);
}
