/*
 * test_metrics.c - the figures of GET /v1/metrics/summary and
 * GET /v1/metrics/series:
 *
 *   exact        a small scenario of 10 orders (3 held, 1 approved by a
 *                person and later found defective) gives exactly the
 *                figures worked out by hand: exception rate 0.3, accuracy
 *                0.9, the agent's downstream accuracy, the defect
 *                attributed to the agent and the rule
 *   cross-check  a generated history of 10,000 orders over 27 hours
 *                (holds raised and decided by people, cancellations,
 *                escalations, shipments, defects, changes accepted and
 *                refused), then every figure recomputed by brute force
 *                from the orders, shipments and changes as the API reads
 *                them, over several ranges and per channel, and compared
 *   strictness   bad ranges, metrics and buckets are refused by name
 *
 * The server's clock is the group's (harness_clock_advance): time passes
 * between the steps of the history, so that durations, hours and days
 * differ.
 */
#include "harness.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/metrics.h"

static const char *acme(void)
{
	return srv->key_acme;
}

static struct resp *post(const char *key, const char *path, const char *body)
{
	return http("POST", path, key, body, strlen(body), NULL);
}

/* An order of one line (sku at price) on channel, created; its answer's
 * order (new reference). */
static json_t *order_of(const char *channel, const char *ext, const char *sku,
			long quantity, const char *price)
{
	json_t *body = order_one_line(ext, sku, quantity, price), *o;
	struct resp *r;

	jset(body, "channel", json_string(channel));
	r = order_post(acme(), body, NULL);
	json_decref(body);
	assert_status(r, 201);
	o = json_incref(r->json);
	resp_free(r);
	return o;
}

static json_t *order_on(const char *channel, const char *ext, const char *sku,
			const char *price)
{
	return order_of(channel, ext, sku, 1, price);
}

static json_t *summary(const char *query)
{
	struct resp *r = http_get(acme(), "/v1/metrics/summary?%s", query);
	json_t *j;

	assert_status(r, 200);
	j = json_incref(r->json);
	resp_free(r);
	return j;
}

static long long ival(const json_t *j, const char *path)
{
	json_t *v = jget(j, path);

	return json_is_integer(v) ? (long long)json_integer_value(v) : -999999;
}

static double rval(const json_t *j, const char *path)
{
	json_t *v = jget(j, path);

	return json_is_number(v) ? json_number_value(v) : -1.0;
}

static int near(double a, double b)
{
	return a > b - 0.00005 && a < b + 0.00005;
}

/* The element of an array whose member `name` is value; borrowed. */
static json_t *find_by(const json_t *arr, const char *name, const char *value)
{
	size_t i;
	json_t *it;

	json_array_foreach(arr, i, it)
		if (streq(jstr(it, name), value))
			return it;
	return NULL;
}

/* ---- exact figures of a small scenario -------------------------------------- */

API_TEST(ten_orders_three_held_one_defect_give_the_figures_by_hand)
{
	char ann[HARNESS_KEY_MAX], from[32], to[32], query[160], hold[64];
	time_t start = (time_t)harness_clock_now();
	json_t *o, *big = NULL, *s, *it;
	struct resp *r;
	char ext[32], path[128];
	int i;

	key_create("acme", "agent", "metrics-ann", ann, sizeof(ann));
	make_sku(acme(), "MX-1", "mug", "10.00", 1);
	make_sku(acme(), "MX-BIG", "espresso machine", "1500.00", 1);
	make_location_serving(acme(), "MX-W", 5, NULL);
	set_stock(acme(), "MX-W", "MX-1", 1000);
	set_stock(acme(), "MX-W", "MX-BIG", 1000);
	/* seven clean, released at once */
	for (i = 0; i < 7; i++) {
		snprintf(ext, sizeof(ext), "MX-%d", i);
		json_decref(order_on("exact", ext, "MX-1", "10.00"));
	}
	/* two of a SKU ordo does not know: held */
	json_decref(order_on("exact", "MX-7", "MX-NOPE", "10.00"));
	json_decref(order_on("exact", "MX-8", "MX-NOPE", "10.00"));
	/* one over 1000: held by the policy's large-value rule; approved two
	 * minutes later by a person, who claimed it first */
	big = order_on("exact", "MX-9", "MX-BIG", "1500.00");
	hold_id_of(big, "high_value", hold, sizeof(hold));
	r = hold_post(ann, hold, "claim", NULL);
	assert_status(r, 200);
	resp_free(r);
	harness_clock_advance(120);
	r = hold_resolve(ann, hold, "approve", "customer known", NULL);
	assert_status(r, 200);
	resp_free(r);
	/* and it turns out wrong downstream */
	snprintf(path, sizeof(path), "/v1/orders/%s/defects",
		 jstr(big, "id"));
	r = post(acme(), path, "{\"type\": \"wrong_item\", "
			       "\"found_by\": \"Warehouse MX\"}");
	assert_status(r, 201);
	check(streq(jstr(r->json, "attributed_to.step"), "review") &&
		      streq(jstr(r->json, "attributed_to.actor"),
			    "key:metrics-ann") &&
		      streq(jstr(r->json, "attributed_to.rule_id"),
			    "large-value"),
	      "attributed to the person and the rule: %s", r->body);
	resp_free(r);

	/* another, on a channel of its own: found wrong while still held,
	 * then approved by the same person a minute after her claim - a
	 * pass of an order already defective */
	{
		json_t *late = order_on("exact-late", "MX-10", "MX-BIG",
					"1500.00");
		char late_hold[64];

		hold_id_of(late, "high_value", late_hold, sizeof(late_hold));
		snprintf(path, sizeof(path), "/v1/orders/%s/defects",
			 jstr(late, "id"));
		r = post(acme(), path, "{\"type\": \"wrong_item\", "
				       "\"found_by\": \"Warehouse MX\"}");
		assert_status(r, 201);
		resp_free(r);
		r = hold_post(ann, late_hold, "claim", NULL);
		assert_status(r, 200);
		resp_free(r);
		harness_clock_advance(60);
		r = hold_resolve(ann, late_hold, "approve", "known", NULL);
		assert_status(r, 200);
		resp_free(r);
		json_decref(late);
	}

	rfc3339(start - 3600, from, sizeof(from));
	rfc3339((time_t)harness_clock_now() + 3600, to, sizeof(to));
	snprintf(query, sizeof(query), "channel=exact&from=%s&to=%s", from,
		 to);
	s = summary(query);
	check(ival(s, "orders_received") == 10, "received: %s",
	      json_dumps(s, 0));
	check(near(rval(s, "exception_rate"), 0.3) &&
		      near(rval(s, "exception_rate_by_type.unknown_sku"), 0.2) &&
		      near(rval(s, "exception_rate_by_type.high_value"), 0.1) &&
		      json_object_size(jget(s, "exception_rate_by_type")) == 2,
	      "exceptions: %s", json_dumps(s, 0));
	check(near(rval(s, "accuracy"), 0.9) &&
		      near(rval(s, "rework_rate"), 0.1) &&
		      near(rval(s, "straight_through_rate"), 0.9) &&
		      near(rval(s, "on_time_release_rate"), 1.0),
	      "rates: %s", json_dumps(s, 0));
	/* released: the seven at once (0 ms) and the big one 2 minutes in */
	check(ival(s, "counts.released") == 8 &&
		      ival(s, "cycle_time_ms.received_to_released.p50") == 0 &&
		      ival(s, "cycle_time_ms.received_to_released.p99") ==
			      metric_bin_upper(metric_bin(120000)),
	      "cycle time: %s", json_dumps(s, 0));
	/* two on hold, eight released: all open */
	check(ival(s, "backlog.count") == 10 &&
		      ival(s, "backlog.by_state.on_hold") == 2 &&
		      ival(s, "backlog.by_state.released") == 8,
	      "backlog: %s", json_dumps(s, 0));
	json_decref(s);

	/* the agent, tenant-wide */
	snprintf(query, sizeof(query), "from=%s&to=%s", from, to);
	s = summary(query);
	it = find_by(jget(s, "agents"), "agent", "key:metrics-ann");
	check(it && ival(it, "holds_resolved") == 2 &&
		      jget(it, "holds_raised") == NULL &&
		      ival(it, "approved_unchanged") == 2 &&
		      ival(it, "passed") == 2 &&
		      ival(it, "passed_defective") == 2 &&
		      near(rval(it, "passed_accuracy"), 0.0) &&
		      ival(it, "handling_ms.p50") ==
			      metric_bin_upper(metric_bin(60000)) &&
		      ival(it, "handling_ms.p90") ==
			      metric_bin_upper(metric_bin(120000)) &&
		      near(rval(it, "review_hours"), 0.05),
	      "the agent: %s", json_dumps(it, 0));
	it = find_by(jget(s, "rules"), "rule_id", "large-value");
	check(it && ival(it, "holds_raised") >= 1 &&
		      ival(it, "passed_defective") >= 1,
	      "the rule: %s", json_dumps(s, 0));
	json_decref(s);
	json_decref(big);
	(void)o;

	/* the same figures as a table, from the command line */
	{
		const char *args[] = {"report", "--tenant", "acme", "--channel",
				      "exact", "--from", from, "--to", to,
				      "--db", srv->db_path, NULL};
		struct cli_result cr;

		cli_run(&cr, args);
		check(cr.exit_status == 0 &&
			      strstr(cr.out, "Orders received in the range") &&
			      strstr(cr.out, "channel exact") &&
			      strstr(cr.out, "exception rate") &&
			      strstr(cr.out, "30.0%") &&
			      strstr(cr.out, "90.0%") &&
			      strstr(cr.out, " 10\n"),
		      "ordo report (%d): %s%s", cr.exit_status, cr.out,
		      cr.err);
		cli_result_free(&cr);
	}
	{
		const char *args[] = {"report", "--db", srv->db_path, NULL};
		const char *bad_time[] = {"report", "--tenant", "acme",
					  "--from", "monday", "--db",
					  srv->db_path, NULL};
		const char *no_tenant[] = {"report", "--tenant", "nobody",
					   "--db", srv->db_path, NULL};
		struct cli_result cr;

		cli_run(&cr, args);
		check(cr.exit_status == 2 && strstr(cr.err, "--tenant"),
		      "no tenant: %d %s", cr.exit_status, cr.err);
		cli_result_free(&cr);
		cli_run(&cr, bad_time);
		check(cr.exit_status == 2 && strstr(cr.err, "--from"),
		      "a bad time: %d %s", cr.exit_status, cr.err);
		cli_result_free(&cr);
		cli_run(&cr, no_tenant);
		check(cr.exit_status == 1 && strstr(cr.err, "nobody"),
		      "an unknown tenant: %d %s", cr.exit_status, cr.err);
		cli_result_free(&cr);
	}
}

/* ---- the cross-check -------------------------------------------------------- */

#define XC_ORDERS 10000
#define XC_CHUNK 250
#define XC_STEP_S 2400
#define XC_THREADS 4

static const char *const xc_channels[] = {"xc-a", "xc-b", "xc-c"};

/* What the history did to order i, as it did it. */
struct xc_order {
	char id[40];
	char ful[40];
	char hold[40];
	char change[40];
	int kind; /* 0 unknown SKU, 1 over 1000, 2 clean */
};

static struct xc_order *xc;

struct xc_slice {
	int from, to, step;
};

static void *xc_create(void *arg)
{
	const struct xc_slice *s = arg;
	int i;

	for (i = s->from; i < s->to; i += s->step) {
		struct xc_order *x = &xc[i];
		char ext[32];
		json_t *o;

		snprintf(ext, sizeof(ext), "XC-%d", i);
		x->kind = i % 20 == 0 ? 0 : i % 20 == 1 ? 1 : 2;
		/* those to be changed have two units, one to take back */
		o = order_of(xc_channels[i % 3], ext,
			     x->kind == 0   ? "XC-NOPE"
			     : x->kind == 1 ? "XC-BIG"
					    : "XC-1",
			     i % 100 == 4 || i % 100 == 9 ? 2 : 1,
			     x->kind == 1 ? "1500.00" : "10.00");
		snprintf(x->id, sizeof(x->id), "%s", jstr(o, "id"));
		if (jstr(o, "fulfillments[0].id"))
			snprintf(x->ful, sizeof(x->ful), "%s",
				 jstr(o, "fulfillments[0].id"));
		if (x->kind < 2)
			hold_id_of(o, x->kind ? "high_value" : "unknown_sku",
				   x->hold, sizeof(x->hold));
		json_decref(o);
	}
	return NULL;
}

static void xc_expect(struct resp *r, long status, const char *what, int i)
{
	if (r->status != status)
		resp_print(r);
	check(r->status == status, "%s of order %d: %ld", what, i, r->status);
	resp_free(r);
}

/* What comes of order i one step after it was taken in. */
static void xc_step1(int i)
{
	struct xc_order *x = &xc[i];
	char path[160], body[256];

	if (x->kind == 1) {
		/* a person claims it; decides it next step */
		xc_expect(hold_post(acme(), x->hold, "claim", NULL), 200,
			  "claim", i);
		return;
	}
	if (x->kind == 0) {
		if ((i / 20) % 2 == 0)
			xc_expect(hold_resolve(acme(), x->hold, "cancel_order",
					       "no such product", NULL),
				  200, "cancel", i);
		return;
	}
	if (i % 5 == 2) {
		char when[64] = "";

		/* one in two reported late: shipped ten minutes before */
		if (i % 10 == 2) {
			char at[32];

			rfc3339((time_t)harness_clock_now() - 600, at,
				sizeof(at));
			snprintf(when, sizeof(when), ", \"shipped_at\": \"%s\"",
				 at);
		}
		snprintf(path, sizeof(path), "/v1/fulfillments/%s/shipments",
			 x->ful);
		snprintf(body, sizeof(body),
			 "{\"lines\": [{\"sku\": \"XC-1\", \"quantity\": 1}], "
			 "\"carrier\": \"UPS\", \"tracking_number\": "
			 "\"1ZXC%d\"%s}",
			 i, when);
		xc_expect(post(acme(), path, body), 201, "shipment", i);
	} else if (i % 100 == 4 || i % 100 == 9) {
		struct resp *r;

		snprintf(path, sizeof(path), "/v1/orders/%s/changes", x->id);
		r = post(acme(), path,
			 "{\"kind\": \"quantity\", \"line_no\": 1, "
			 "\"quantity\": 1, \"reason\": \"customer asked\"}");
		check(r->status == 202, "change of order %d: %s", i, r->body);
		snprintf(x->change, sizeof(x->change), "%s",
			 jstr(r->json, "change.id") ? jstr(r->json, "change.id")
						    : "");
		resp_free(r);
	}
}

/* What comes of order i two steps after it was taken in. */
static void xc_step2(int i)
{
	struct xc_order *x = &xc[i];
	char path[160];

	if (x->kind == 1) {
		static const char *const actions[] = {"approve", "cancel_order",
						      "escalate", NULL};
		const char *a = actions[(i / 20) % 4];

		if (a)
			xc_expect(hold_resolve(acme(), x->hold, a, "looked at",
					       NULL),
				  200, a, i);
		if (a && streq(a, "approve") && i % 80 == 1) {
			snprintf(path, sizeof(path), "/v1/orders/%s/defects",
				 x->id);
			xc_expect(post(acme(), path,
				       "{\"type\": \"wrong_item\", "
				       "\"found_by\": \"Warehouse XC\"}"),
				  201, "defect", i);
		}
		return;
	}
	if (x->kind == 2 && x->change[0]) {
		snprintf(path, sizeof(path), "/v1/change-requests/%s/%s",
			 x->change, i % 100 == 4 ? "accept" : "refuse");
		xc_expect(post(acme(), path,
			       i % 100 == 4 ? "{}"
					    : "{\"reason\": \"already packed\"}"),
			  200, "decision", i);
	}
	if (x->kind == 2 && i % 50 == 7) {
		snprintf(path, sizeof(path), "/v1/orders/%s/defects", x->id);
		xc_expect(post(acme(), path,
			       "{\"type\": \"missing_item\", "
			       "\"found_by\": \"customer\"}"),
			  201, "defect", i);
	}
}

static void xc_generate(void)
{
	int chunk, t, i;

	make_sku(acme(), "XC-1", "mug", "10.00", 1);
	make_sku(acme(), "XC-BIG", "espresso machine", "1500.00", 1);
	make_location_serving(acme(), "XC-W", 5, NULL);
	set_stock(acme(), "XC-W", "XC-1", 1000000);
	set_stock(acme(), "XC-W", "XC-BIG", 1000000);
	settings_patch(acme(), "{\"change_window_s\": 86400}");
	for (chunk = 0; chunk * XC_CHUNK < XC_ORDERS + 2 * XC_CHUNK; chunk++) {
		int from = chunk * XC_CHUNK;
		pthread_t th[XC_THREADS];
		struct xc_slice sl[XC_THREADS];

		if (from < XC_ORDERS) {
			for (t = 0; t < XC_THREADS; t++) {
				sl[t] = (struct xc_slice){from + t,
							  from + XC_CHUNK,
							  XC_THREADS};
				pthread_create(&th[t], NULL, xc_create, &sl[t]);
			}
			for (t = 0; t < XC_THREADS; t++)
				pthread_join(th[t], NULL);
		}
		for (i = from - XC_CHUNK; i >= 0 && i < from && i < XC_ORDERS;
		     i++)
			xc_step1(i);
		for (i = from - 2 * XC_CHUNK;
		     i >= 0 && i < from - XC_CHUNK && i < XC_ORDERS; i++)
			xc_step2(i);
		harness_clock_advance(XC_STEP_S);
	}
}

/* ---- the brute force ---------------------------------------------------------- */

/* Every figure of a range and a channel ("" all), recomputed. */
struct brute {
	long long received, held, touched, released, on_time, shipped, rework,
		defective, changes;
	long long held_type[64];
	int64_t release_ms[METRIC_BINS], ship_ms[METRIC_BINS],
		change_ms[METRIC_BINS];
	/* the "holds" figures of one agent (the admin key) and one type */
	long long admin_resolved, admin_approved, admin_passed,
		admin_passed_defective, hv_raised, hv_resolved;
	int64_t admin_handling[METRIC_BINS];
	/* the backlog now: open orders by state, their ages (from the hour
	 * received) */
	long long open_by_state[4], open;
	long long *ages;
	size_t n_ages;
};

static const char *const open_states[] = {"on_hold", "accepted", "allocated",
					  "released"};

static const char *const type_names[] = {
	"missing_data",	      "invalid_data",	  "address_unverifiable",
	"missing_contact",    "unknown_sku",	  "inactive_sku",
	"price_mismatch",     "totals_mismatch",  "duplicate_suspect",
	"payment_unverified", "high_value",	  "risky_order",
	"insufficient_stock", "shipping_conflict", "policy_exception",
	"change_after_release", NULL,
};

static int type_index(const char *name)
{
	int t;

	for (t = 0; type_names[t]; t++)
		if (streq(type_names[t], name))
			return t;
	return 63;
}

static time_t tval(const json_t *j, const char *path)
{
	const char *s = jstr(j, path);

	return s ? rfc3339_parse(s) : 0;
}

static int person(const json_t *h)
{
	const char *res = jstr(h, "resolution");

	return streq(jstr(h, "status"), "resolved") && res &&
	       !streq(res, "system");
}

static int passed(const json_t *h)
{
	const char *res = jstr(h, "resolution");

	return streq(jstr(h, "status"), "resolved") && res &&
	       (streq(res, "approve") || streq(res, "correct"));
}

/* The history as the API reads it back: every order of the tenant (the
 * generated ones and the few of the tests before), the time each
 * shipped, the changes of those that had one. */
struct history {
	json_t *orders;
	json_t *shipped;  /* order id -> the last shipped_at */
	json_t *changes;  /* order id -> its changes */
};

static void history_read(struct history *h)
{
	json_t *all;
	json_t *s;
	size_t i;
	int k;

	h->orders = list_all(acme(), "/v1/orders", "orders", 200);
	h->shipped = json_object();
	all = list_all(acme(), "/v1/shipments", "shipments", 200);
	json_array_foreach(all, i, s) {
		const char *id = jstr(s, "order_id");
		json_t *was = json_object_get(h->shipped, id);

		if (!was || tval(s, "shipped_at") >
				    rfc3339_parse(json_string_value(was)))
			json_object_set_new(h->shipped, id,
					    json_string(jstr(s, "shipped_at")));
	}
	json_decref(all);
	h->changes = json_object();
	for (k = 0; k < XC_ORDERS; k++) {
		struct resp *r;

		if (!xc[k].change[0])
			continue;
		r = http_get(acme(), "/v1/orders/%s/changes", xc[k].id);
		assert_status(r, 200);
		json_object_set(h->changes, xc[k].id, jget(r->json, "changes"));
		resp_free(r);
	}
}

static void brute_force(const struct history *h, time_t from, time_t to,
			const char *channel, struct brute *b)
{
	json_t *o, *hd, *c, *changes;
	const char *oid;
	size_t i, k;

	memset(b, 0, sizeof(*b));
	b->ages = calloc(json_array_size(h->orders) + 1, sizeof(*b->ages));
	assert_non_null(b->ages);
	json_array_foreach(h->orders, i, o) {
		time_t rec = tval(o, "received_at"), rel = tval(o, "released_at");
		time_t due = tval(o, "release_due_at");
		const char *state = jstr(o, "state");
		json_t *holds = jget(o, "holds");
		int in = rec >= from && rec < to &&
			 (!channel[0] || streq(jstr(o, "channel"), channel));
		int defective = json_array_size(jget(o, "defects")) > 0;
		int held = json_array_size(holds) > 0, touched = 0, rework = 0;
		long long seen_type[64] = {0};

		/* the holds, by when they were raised (the tenant only) */
		json_array_foreach(holds, k, hd) {
			time_t hc = tval(hd, "created_at");
			time_t claimed = tval(hd, "claimed_at");
			int t = type_index(jstr(hd, "type"));

			if (person(hd) || json_is_true(jget(hd, "escalated")) ||
			    streq(jstr(hd, "raised_by"), "person"))
				touched = 1;
			if (rel > 0 && hc > rel)
				rework = 1;
			seen_type[t] = 1;
			if (channel[0] || hc < from || hc >= to)
				continue;
			if (streq(jstr(hd, "type"), "high_value")) {
				b->hv_raised++;
				b->hv_resolved +=
					streq(jstr(hd, "status"), "resolved");
			}
			if (!person(hd) ||
			    !streq(jstr(hd, "resolved_by"), "key:admin"))
				continue;
			b->admin_resolved++;
			b->admin_approved +=
				streq(jstr(hd, "resolution"), "approve");
			b->admin_passed += passed(hd);
			b->admin_passed_defective += passed(hd) && defective;
			if (claimed > 0)
				b->admin_handling[metric_bin(
					((int64_t)tval(hd, "resolved_at") -
					 claimed) *
					1000)]++;
		}
		/* its changes, by when they were asked */
		oid = jstr(o, "id");
		changes = json_object_get(h->changes, oid);
		json_array_foreach(changes, k, c) {
			time_t asked = tval(c, "requested_at");

			if (streq(jstr(c, "state"), "accepted") ||
			    (streq(jstr(c, "state"), "applied") && rel > 0 &&
			     asked > rel))
				rework = 1;
			if (asked < from || asked >= to ||
			    (channel[0] &&
			     !streq(jstr(o, "channel"), channel)) ||
			    streq(jstr(c, "state"), "requested"))
				continue;
			b->changes++;
			b->change_ms[metric_bin(
				((int64_t)tval(c, "decided_at") - asked) *
				1000)]++;
		}
		/* the backlog, whatever the range */
		if (!channel[0] || streq(jstr(o, "channel"), channel)) {
			for (k = 0; k < 4; k++)
				if (streq(state, open_states[k])) {
					b->open_by_state[k]++;
					b->open++;
					b->ages[b->n_ages++] =
						(long long)(rec - rec % 3600);
				}
		}
		if (!in)
			continue;
		b->received++;
		b->held += held;
		for (k = 0; k < 64; k++)
			b->held_type[k] += seen_type[k];
		b->touched += touched;
		b->defective += defective;
		b->rework += rework || defective;
		if (rel > 0) {
			b->released++;
			b->on_time += due == 0 || rel <= due;
			b->release_ms[metric_bin(((int64_t)rel - rec) *
						 1000)]++;
		}
		if (streq(state, "shipped") || streq(state, "delivered") ||
		    streq(state, "closed")) {
			json_t *at = json_object_get(h->shipped, oid);

			b->shipped++;
			if (at)
				b->ship_ms[metric_bin(
					((int64_t)rfc3339_parse(
						 json_string_value(at)) -
					 rec) *
					1000)]++;
		}
	}
}

static int newest_first(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x < y) - (x > y);
}

static double share(long long part, long long whole)
{
	return whole ? (double)(long long)((double)part / (double)whole *
						   10000.0 +
					   0.5) /
			       10000.0
		     : -1.0;
}

static void compare(const struct history *h, time_t from, time_t to,
		    const char *channel)
{
	static const int p3[] = {50, 90, 99};
	char q[200], f[32], t[32];
	long long now_before, now_after;
	struct brute b;
	json_t *s, *it;
	size_t k;

	brute_force(h, from, to, channel, &b);
	rfc3339(from, f, sizeof(f));
	rfc3339(to, t, sizeof(t));
	snprintf(q, sizeof(q), "from=%s&to=%s%s%s", f, t,
		 channel[0] ? "&channel=" : "", channel);
	/* The group's clock runs on between the two: the server's now is
	 * within them. */
	now_before = harness_clock_now();
	s = summary(q);
	now_after = harness_clock_now();
	check(b.received > 0, "the range %s has orders", q);
	check(ival(s, "counts.received") == b.received &&
		      ival(s, "counts.held") == b.held &&
		      ival(s, "counts.touched") == b.touched &&
		      ival(s, "counts.released") == b.released &&
		      ival(s, "counts.released_on_time") == b.on_time &&
		      ival(s, "counts.shipped") == b.shipped &&
		      ival(s, "counts.reworked") == b.rework &&
		      ival(s, "counts.defective") == b.defective &&
		      ival(s, "counts.changes_decided") == b.changes,
	      "%s: counts %s; by brute force received %lld held %lld touched "
	      "%lld released %lld on time %lld shipped %lld rework %lld "
	      "defective %lld changes %lld",
	      q, json_dumps(jget(s, "counts"), 0), b.received, b.held,
	      b.touched, b.released, b.on_time, b.shipped, b.rework,
	      b.defective, b.changes);
	check(near(rval(s, "exception_rate"), share(b.held, b.received)) &&
		      near(rval(s, "straight_through_rate"),
			   share(b.received - b.touched, b.received)) &&
		      near(rval(s, "accuracy"),
			   share(b.received - b.defective, b.received)) &&
		      near(rval(s, "rework_rate"),
			   share(b.rework, b.received)) &&
		      near(rval(s, "on_time_release_rate"),
			   share(b.on_time, b.released)),
	      "%s: rates %s", q, json_dumps(s, 0));
	for (k = 0; type_names[k]; k++) {
		json_t *v = jget(jget(s, "exception_rate_by_type"),
				 type_names[k]);

		check(b.held_type[k] ? v && near(json_number_value(v),
						 share(b.held_type[k],
						       b.received))
				     : v == NULL,
		      "%s: exception rate of %s", q, type_names[k]);
	}
	for (k = 0; k < 3; k++) {
		char path[80];

		snprintf(path, sizeof(path),
			 "cycle_time_ms.received_to_released.p%d", p3[k]);
		check(ival(s, path) == metric_percentile(b.release_ms, p3[k]),
		      "%s: %s %lld, by brute force %lld", q, path,
		      ival(s, path),
		      (long long)metric_percentile(b.release_ms, p3[k]));
		snprintf(path, sizeof(path),
			 "cycle_time_ms.received_to_shipped.p%d", p3[k]);
		check(ival(s, path) == metric_percentile(b.ship_ms, p3[k]),
		      "%s: %s %lld, by brute force %lld", q, path,
		      ival(s, path),
		      (long long)metric_percentile(b.ship_ms, p3[k]));
	}
	/* the backlog as it stands: ages from the hour received, the
	 * median the age of rank ceil(n/2), youngest first */
	{
		long long p50 = 0, oldest = 0, got_p50, got_max;
		long long slack = (now_after - now_before) * 1000;

		qsort(b.ages, b.n_ages, sizeof(*b.ages), newest_first);
		if (b.n_ages) {
			p50 = (now_before - b.ages[(b.n_ages + 1) / 2 - 1]) *
			      1000;
			oldest = (now_before - b.ages[b.n_ages - 1]) * 1000;
		}
		got_p50 = ival(s, "backlog.age_ms.p50");
		got_max = ival(s, "backlog.age_ms.max");
		check(ival(s, "backlog.count") == b.open &&
			      got_p50 >= p50 && got_p50 <= p50 + slack &&
			      got_max >= oldest && got_max <= oldest + slack,
		      "%s: backlog %s; by brute force %lld open, p50 %lld, "
		      "max %lld (+ %lld ms)",
		      q, json_dumps(jget(s, "backlog"), 0), b.open, p50,
		      oldest, slack);
		for (k = 0; k < 4; k++) {
			json_t *v = jget(jget(s, "backlog.by_state"),
					 open_states[k]);

			check(b.open_by_state[k]
				      ? v && json_integer_value(v) ==
						     b.open_by_state[k]
				      : v == NULL,
			      "%s: backlog %s: %lld by brute force", q,
			      open_states[k], b.open_by_state[k]);
		}
	}
	free(b.ages);
	check(ival(s, "change_handling_ms.p50") ==
			      metric_percentile(b.change_ms, 50) &&
		      ival(s, "change_handling_ms.p90") ==
			      metric_percentile(b.change_ms, 90),
	      "%s: change handling %s", q,
	      json_dumps(jget(s, "change_handling_ms"), 0));
	if (!channel[0]) {
		it = find_by(jget(s, "agents"), "agent", "key:admin");
		check(it && ival(it, "holds_resolved") == b.admin_resolved &&
			      ival(it, "approved_unchanged") ==
				      b.admin_approved &&
			      ival(it, "passed") == b.admin_passed &&
			      ival(it, "passed_defective") ==
				      b.admin_passed_defective &&
			      ival(it, "handling_ms.p50") ==
				      metric_percentile(b.admin_handling, 50),
		      "%s: the admin's figures %s; by brute force resolved "
		      "%lld approved %lld passed %lld defective %lld",
		      q, it ? json_dumps(it, 0) : "(none)", b.admin_resolved,
		      b.admin_approved, b.admin_passed,
		      b.admin_passed_defective);
		it = jget(s, "holds_by_type.high_value");
		check(it && ival(it, "holds_raised") == b.hv_raised &&
			      ival(it, "holds_resolved") == b.hv_resolved,
		      "%s: high_value holds %s; by brute force %lld raised, "
		      "%lld resolved",
		      q, it ? json_dumps(it, 0) : "(none)", b.hv_raised,
		      b.hv_resolved);
	}
	json_decref(s);
}

API_TEST(every_figure_matches_a_brute_force_count_of_10000_orders)
{
	time_t start, end;
	struct history h;
	json_t *first;
	char q[160], f[32], t[32];
	struct resp *r;

	xc = calloc(XC_ORDERS, sizeof(*xc));
	assert_non_null(xc);
	start = (time_t)harness_clock_now();
	start -= start % 3600;
	xc_generate();
	end = (time_t)harness_clock_now() + 3600;
	end -= end % 3600;
	history_read(&h);
	{
		json_t *o;
		size_t i, n = 0;

		json_array_foreach(h.orders, i, o)
			n += !strncmp(jstr(o, "channel"), "xc-", 3);
		check(n == XC_ORDERS, "%zu orders read back", n);
	}

	/* all of it; per channel; a day's worth inside; hours at both
	 * edges of a day; a single hour */
	compare(&h, start, end, "");
	compare(&h, start, end, "xc-b");
	compare(&h, start + 3 * 3600, end - 5 * 3600, "");
	compare(&h, start + 3 * 3600, end - 5 * 3600, "xc-c");
	first = json_array_get(h.orders, json_array_size(h.orders) / 2);
	{
		time_t mid = tval(first, "received_at");

		compare(&h, mid - mid % 3600, mid - mid % 3600 + 3600, "");
		compare(&h, mid - mid % 86400, mid - mid % 86400 + 86400,
			"xc-a");
	}

	/* a series by the hour adds up to the summary */
	rfc3339(start, f, sizeof(f));
	rfc3339(end, t, sizeof(t));
	snprintf(q, sizeof(q),
		 "/v1/metrics/series?metric=orders_received&bucket=hour&"
		 "from=%s&to=%s&channel=xc-a",
		 f, t);
	r = http_get(acme(), "%s", q);
	assert_status(r, 200);
	{
		json_t *p;
		size_t i;
		long long sum = 0;

		json_array_foreach(jget(r->json, "points"), i, p)
			sum += ival(p, "value");
		check(sum == (XC_ORDERS + 2) / 3 &&
			      json_array_size(jget(r->json, "points")) ==
				      (size_t)((end - start) / 3600),
		      "the hours add up to %lld: %.300s", sum, r->body);
	}
	resp_free(r);
	snprintf(q, sizeof(q),
		 "/v1/metrics/series?metric=accuracy&bucket=day&from=%s&to=%s",
		 f, t);
	r = http_get(acme(), "%s", q);
	assert_status(r, 200);
	check(json_array_size(jget(r->json, "points")) >= 2 &&
		      rval(r->json, "points[0].value") > 0.9,
	      "by the day: %.300s", r->body);
	resp_free(r);

	json_decref(h.orders);
	json_decref(h.shipped);
	json_decref(h.changes);
	free(xc);
}

/* ---- what is safe to automate ------------------------------------------------ */

/* A rule people always approve unchanged, never with a defect after, is
 * a candidate to stop holding; an approve rule whose orders had a
 * defect, a candidate to tighten; each comes with the policy without it,
 * which simulates as it is; each figure's link lists what is behind it. */
API_TEST(the_holds_safe_to_automate_are_named_with_their_policy_change)
{
	char from[32], to[32], path[400], hold[64];
	time_t start = (time_t)harness_clock_now();
	json_t *policy, *rules, *a, *it, *cand, *o;
	struct resp *r;
	char *text, ext[32], vip_id[64] = "";
	size_t i;
	int k;

	/* the policy in force, with an approve rule first and one more
	 * hold rule last */
	r = http_get(acme(), "/v1/policy");
	assert_status(r, 200);
	rules = json_deep_copy(jget(r->json, "rules"));
	resp_free(r);
	json_array_insert_new(
		rules, 0,
		json_pack("{s:s, s:s, s:s}", "id", "trusted-vip", "when",
			  "customer.email == \"vip@example.com\"", "then",
			  "approve"));
	json_array_append_new(
		rules, json_pack("{s:s, s:s, s:{s:s, s:i}}", "id",
				 "tiny-orders", "when", "total < 10", "then",
				 "hold", "policy_exception", "priority", 4));
	policy = json_pack("{s:O}", "rules", rules);
	text = json_dumps(policy, 0);
	r = http("PUT", "/v1/policy", acme(), text, strlen(text), NULL);
	assert_status(r, 201);
	resp_free(r);
	free(text);
	json_decref(policy);

	make_sku(acme(), "AU-1", "pencil", "1.00", 1);
	make_location_serving(acme(), "AU-W", 5, NULL);
	set_stock(acme(), "AU-W", "AU-1", 1000);
	/* six tiny orders held, each claimed and approved unchanged */
	for (k = 0; k < 6; k++) {
		snprintf(ext, sizeof(ext), "AU-%d", k);
		o = order_of("auto", ext, "AU-1", 1, "1.00");
		hold_id_of(o, "policy_exception", hold, sizeof(hold));
		json_decref(o);
		r = hold_post(acme(), hold, "claim", NULL);
		assert_status(r, 200);
		resp_free(r);
		r = hold_resolve(acme(), hold, "approve", "fine", NULL);
		assert_status(r, 200);
		resp_free(r);
	}
	/* two orders the approve rule lets through; one turns out wrong */
	for (k = 0; k < 2; k++) {
		json_t *body = order_one_line(k ? "AU-V1" : "AU-V0", "AU-1", 10,
					      "1.00");

		jset(body, "channel", json_string("auto"));
		jset(body, "customer.email", json_string("vip@example.com"));
		r = order_post(acme(), body, NULL);
		json_decref(body);
		assert_status(r, 201);
		check(open_holds(r->json, NULL) == 0, "let through: %s",
		      r->body);
		snprintf(vip_id, sizeof(vip_id), "%s", jstr(r->json, "id"));
		resp_free(r);
	}
	snprintf(path, sizeof(path), "/v1/orders/%s/defects", vip_id);
	r = post(acme(), path, "{\"type\": \"wrong_address\", "
			       "\"found_by\": \"carrier\"}");
	assert_status(r, 201);
	check(streq(jstr(r->json, "attributed_to.step"), "policy") &&
		      streq(jstr(r->json, "attributed_to.rule_id"),
			    "trusted-vip"),
	      "attributed to the approve rule: %s", r->body);
	resp_free(r);

	rfc3339(start - 3600, from, sizeof(from));
	rfc3339((time_t)harness_clock_now() + 3600, to, sizeof(to));
	snprintf(path, sizeof(path),
		 "/v1/metrics/automation?from=%s&to=%s&min_holds=5", from, to);
	r = http_get(acme(), "%s", path);
	assert_status(r, 200);
	a = json_incref(r->json);
	resp_free(r);
	it = find_by(jget(a, "by_rule"), "rule_id", "tiny-orders");
	check(it && ival(it, "holds_raised") == 6 &&
		      ival(it, "holds_resolved") == 6 &&
		      ival(it, "approved_unchanged") == 6 &&
		      near(rval(it, "approved_unchanged_rate"), 1.0) &&
		      ival(it, "passed_defective") == 0 &&
		      json_is_true(jget(it, "in_policy")),
	      "the tiny-orders rule: %s", json_dumps(a, 0));
	cand = find_by(jget(a, "candidates.stop_holding"), "rule_id",
		       "tiny-orders");
	check(cand && strstr(jstr(cand, "change"), "tiny-orders"),
	      "a candidate to stop holding: %s", json_dumps(a, 0));
	/* what it suggests simulates as it is, without the rule */
	if (cand) {
		json_t *sim_rules = jget(cand, "simulate.policy.rules");

		check(find_by(sim_rules, "id", "tiny-orders") == NULL &&
			      find_by(sim_rules, "id", "trusted-vip") != NULL &&
			      json_array_size(sim_rules) ==
				      json_array_size(rules) - 1,
		      "the policy without it: %s",
		      json_dumps(sim_rules, 0));
		text = json_dumps(jget(cand, "simulate"), 0);
		r = post(acme(), "/v1/policy/simulate", text);
		assert_status(r, 200);
		resp_free(r);
		free(text);
	}
	/* large-value is decided otherwise, too often: not a candidate */
	check(find_by(jget(a, "candidates.stop_holding"), "rule_id",
		      "large-value") == NULL,
	      "large-value is no candidate: %s", json_dumps(a, 0));
	cand = find_by(jget(a, "candidates.tighten"), "rule_id",
		       "trusted-vip");
	check(cand && ival(cand, "orders") == 2 &&
		      ival(cand, "defective") == 1 &&
		      find_by(jget(cand, "simulate.policy.rules"), "id",
			      "trusted-vip") == NULL,
	      "a candidate to tighten: %s", json_dumps(a, 0));

	/* the links list what is behind the figures */
	r = http_get(acme(), "%s", jstr(it, "holds"));
	assert_status(r, 200);
	check(json_array_size(jget(r->json, "holds")) == 6, "%s", r->body);
	json_array_foreach(jget(r->json, "holds"), i, o)
		check(streq(jstr(o, "rule_id"), "tiny-orders") &&
			      jstr(o, "order_id") && jstr(o, "claimed_at"),
		      "%s", json_dumps(o, 0));
	resp_free(r);
	/* by pages of two, newest first, none twice */
	{
		char next[300] = "", seen[6][40];
		size_t got = 0, pages = 0;

		do {
			snprintf(path, sizeof(path), "%s&limit=2%s%s",
				 jstr(it, "holds"), next[0] ? "&cursor=" : "",
				 next);
			r = http_get(acme(), "%s", path);
			assert_status(r, 200);
			json_array_foreach(jget(r->json, "holds"), i, o) {
				size_t s;

				for (s = 0; s < got; s++)
					check(!streq(seen[s], jstr(o, "id")),
					      "hold %s twice", jstr(o, "id"));
				if (got < 6)
					snprintf(seen[got++], 40, "%s",
						 jstr(o, "id"));
			}
			snprintf(next, sizeof(next), "%s",
				 jstr(r->json, "next_cursor")
					 ? jstr(r->json, "next_cursor")
					 : "");
			resp_free(r);
			pages++;
		} while (next[0] && pages < 10);
		check(got == 6 && pages == 3, "%zu holds in %zu pages", got,
		      pages);
	}
	r = http_get(acme(), "%s", jstr(cand, "defects"));
	assert_status(r, 200);
	check(json_array_size(jget(r->json, "defects")) == 1 &&
		      streq(jstr(r->json, "defects[0].order_id"), vip_id),
	      "%s", r->body);
	resp_free(r);
	r = http_get(acme(), "/v1/holds?rule_id=tiny-orders&type=high_value");
	assert_error(r, 400, "invalid_request", "type");
	resp_free(r);
	/* all of them: the six among the newest */
	r = http_get(acme(), "/v1/holds?limit=200&from=%s", from);
	assert_status(r, 200);
	{
		size_t tiny = 0;

		json_array_foreach(jget(r->json, "holds"), i, o)
			tiny += streq(jstr(o, "rule_id"), "tiny-orders");
		check(tiny == 6, "%zu of the tiny-orders holds among all",
		      tiny);
	}
	resp_free(r);
	r = http_get(acme(), "/v1/holds?type=high_valu");
	assert_error(r, 400, "invalid_request", "type");
	resp_free(r);
	r = http_get(acme(), "/v1/defects?type=other&rule_id=x");
	assert_error(r, 400, "invalid_request", "rule_id");
	resp_free(r);
	json_decref(a);
	json_decref(rules);
}

/* ---- strictness --------------------------------------------------------------- */

API_TEST(bad_ranges_metrics_and_buckets_are_refused_by_name)
{
	static const struct {
		const char *path;
		const char *field;
	} bad[] = {
		{"/v1/metrics/summary?from=yesterday", "from"},
		{"/v1/metrics/summary?from=2026-12-02T00:00:00Z&"
		 "to=2026-12-01T00:00:00Z",
		 "to"},
		{"/v1/metrics/summary?from=2000-01-01T00:00:00Z&"
		 "to=2026-12-01T00:00:00Z",
		 "from"},
		{"/v1/metrics/summary?chanel=web", "chanel"},
		{"/v1/metrics/series", "metric"},
		{"/v1/metrics/series?metric=happiness", "metric"},
		{"/v1/metrics/series?metric=accuracy&bucket=week", "bucket"},
		{"/v1/metrics/series?metric=accuracy&bucket=hour&"
		 "from=2026-01-01T00:00:00Z&to=2026-12-01T00:00:00Z",
		 "bucket"},
	};
	struct resp *r;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = http_get(acme(), "%s", bad[i].path);
		assert_error(r, 400, "invalid_request", bad[i].field);
		resp_free(r);
	}
	/* a range is read in whole hours */
	r = http_get(acme(), "/v1/metrics/summary?from=2026-12-01T10:20:00Z&"
			     "to=2026-12-01T11:05:00Z");
	assert_status(r, 200);
	check(streq(jstr(r->json, "from"), "2026-12-01T10:00:00Z") &&
		      streq(jstr(r->json, "to"), "2026-12-01T12:00:00Z"),
	      "%s", r->body);
	resp_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			ten_orders_three_held_one_defect_give_the_figures_by_hand),
		cmocka_unit_test_teardown(
			every_figure_matches_a_brute_force_count_of_10000_orders,
			settings_reset),
		cmocka_unit_test(
			the_holds_safe_to_automate_are_named_with_their_policy_change),
		cmocka_unit_test(
			bad_ranges_metrics_and_buckets_are_refused_by_name),
	};

	return harness_run_group(tests, harness_group_setup,
				      harness_group_teardown);
}
