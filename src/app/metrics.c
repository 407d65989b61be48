/*
 * metrics.c - counting the work as it happens, and reading the figures
 * back (app/metrics.h).
 *
 * THE COUNTS
 *
 * Scope "" (the tenant) and "channel:<name>", in the hour of the order's
 * receipt (a change's: its asking):
 *
 *   received, held, touched, released, released_on_time, shipped, rework,
 *   defective                    orders, once each (core/metrics.h)
 *   held_type (key: the type)    orders that got a hold of the type
 *   release_ms, ship_ms (bins)   receipt to first release, to shipped
 *   change_ms (key: the kind)    a change's asking to its decision
 *   rule_approved, rule_approved_defective (key: the rule)
 *                                orders the policy's approve rule let
 *                                through, and those later defective
 *
 * Scope "holds", in the hour the hold was raised, each under the keys
 * "type:<type>", "rule:<rule>" and, once a person decided it,
 * "agent:<actor>":
 *
 *   holds_raised, holds_resolved, holds_approved (resolved by approve,
 *   unchanged), holds_passed (approve or correct: the order let on),
 *   passed_defective (passed, the order later defective), handling_ms
 *   (bins: first claim to resolution, people's decisions)
 *
 * Gauges: "all/<state>" and "channel:<name>/<state>" (open orders by
 * state and the hour they were received) and "alerts_open".
 */
#include "app/metrics.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/policy.h"
#include "channels/native_out.h"
#include "core/fulfillment.h"
#include "core/lifecycle.h"
#include "core/timeutil.h"

#define SCOPE_HOLDS "holds"

/* ---- counting -------------------------------------------------------------- */

/* Count n of metric (key, bin) at `at` for the tenant and the order's
 * channel. */
static ordo_code tally_both(store_tx *tx, const order *o, const char *metric,
			    const char *key, int64_t at, int bin, int64_t n,
			    ordo_err *err)
{
	char scope[48];
	ordo_code rc = store_tally(tx, o->tenant_id, "", metric, key, at, bin,
				   n, err);

	snprintf(scope, sizeof(scope), "channel:%s", o->channel);
	return rc ? rc
		  : store_tally(tx, o->tenant_id, scope, metric, key, at, bin,
				n, err);
}

static bool person_resolution(const order_hold *h)
{
	return h->status == HOLD_RESOLVED && h->resolution[0] &&
	       strcmp(h->resolution, "system") != 0;
}

static bool passed(const order_hold *h)
{
	return h->status == HOLD_RESOLVED &&
	       (strcmp(h->resolution, "approve") == 0 ||
		strcmp(h->resolution, "correct") == 0);
}

/* Count n of metric of hold h under each of its keys (its type, its rule,
 * and the person who decided it, once one did), in bin. */
static ordo_code tally_hold_at(store_tx *tx, const order *o,
			       const order_hold *h, const char *metric,
			       int bin, int64_t count, ordo_err *err)
{
	char keys[3][ORDO_ACTOR_MAX + 8];
	size_t n = 0, i;
	ordo_code rc = ORDO_OK;

	snprintf(keys[n++], sizeof(keys[0]), "type:%s",
		 hold_type_name(h->type));
	if (h->rule_id[0])
		snprintf(keys[n++], sizeof(keys[0]), "rule:%.72s", h->rule_id);
	if (person_resolution(h) && h->resolved_by[0])
		snprintf(keys[n++], sizeof(keys[0]), "agent:%.128s",
			 h->resolved_by);
	for (i = 0; rc == ORDO_OK && i < n; i++)
		rc = store_tally(tx, o->tenant_id, SCOPE_HOLDS, metric, keys[i],
				 h->created_at, bin, count, err);
	return rc;
}

static ordo_code tally_hold(store_tx *tx, const order *o, const order_hold *h,
			    const char *metric, int bin, ordo_err *err)
{
	return tally_hold_at(tx, o, h, metric, bin, 1, err);
}

static ordo_code tally_hold_n(store_tx *tx, const order *o,
			      const order_hold *h, const char *metric,
			      int64_t n, ordo_err *err)
{
	return tally_hold_at(tx, o, h, metric, 0, n, err);
}

static ordo_code tally_holds(store_tx *tx, order *o, ordo_err *err)
{
	size_t i;
	ordo_code rc = ORDO_OK;

	for (i = 0; rc == ORDO_OK && i < o->n_holds; i++) {
		order_hold *h = &o->holds[i];

		if (h->was == 0)
			rc = tally_hold(tx, o, h, "holds_raised", 0, err);
		if (rc == ORDO_OK && h->status == HOLD_RESOLVED &&
		    h->was != 2) {
			rc = tally_hold(tx, o, h, "holds_resolved", 0, err);
			if (rc == ORDO_OK &&
			    strcmp(h->resolution, "approve") == 0)
				rc = tally_hold(tx, o, h, "holds_approved", 0,
						err);
			if (rc == ORDO_OK && passed(h))
				rc = tally_hold(tx, o, h, "holds_passed", 0,
						err);
			/* Let on after a defect was found: defective at once
			 * (one found in this write counts every pass itself,
			 * tally_defective). */
			if (rc == ORDO_OK && passed(h) &&
			    (o->marks & MARK_DEFECT))
				rc = tally_hold(tx, o, h, "passed_defective", 0,
						err);
			if (rc == ORDO_OK && person_resolution(h) &&
			    h->claimed_at > 0 && h->resolved_at >= h->claimed_at)
				rc = tally_hold(
					tx, o, h, "handling_ms",
					metric_bin((h->resolved_at -
						    h->claimed_at) *
						   1000),
					err);
			/* The seconds people spent, summed (bin 0, n the
			 * seconds): the review hours. */
			if (rc == ORDO_OK && person_resolution(h) &&
			    h->claimed_at > 0 && h->resolved_at > h->claimed_at)
				rc = tally_hold_n(tx, o, h, "handling_s",
						  h->resolved_at - h->claimed_at,
						  err);
		}
		h->was = h->status == HOLD_OPEN ? 1 : 2;
	}
	return rc;
}

/* A defect found: every hold a person let the order on by, and the
 * policy's approve rule, count one defective order. */
static ordo_code tally_defective(store_tx *tx, const order *o, ordo_err *err)
{
	size_t i;
	ordo_code rc = ORDO_OK;

	for (i = 0; rc == ORDO_OK && i < o->n_holds; i++)
		if (passed(&o->holds[i]))
			rc = tally_hold(tx, o, &o->holds[i], "passed_defective",
					0, err);
	if (rc == ORDO_OK && o->approved_rule[0])
		rc = tally_both(tx, o, "rule_approved_defective",
				o->approved_rule, o->received_at, 0, 1, err);
	return rc;
}

/* n more open orders of o's tenant and channel in state s, received in
 * o's hour: gauges "all/<state>" and "channel:<name>/<state>", and by
 * the day "day:all/<state>" and "day:channel:<name>/<state>". */
static ordo_code gauge_state(store_tx *tx, const order *o, order_state s,
			     int64_t n, ordo_err *err)
{
	int64_t hour = o->received_at - o->received_at % 3600;
	int64_t day = o->received_at - o->received_at % 86400;
	char name[64], scope[56];
	int k;
	ordo_code rc = ORDO_OK;

	for (k = 0; rc == ORDO_OK && k < 2; k++) {
		if (k == 0)
			snprintf(scope, sizeof(scope), "all/%s",
				 order_state_name(s));
		else
			snprintf(scope, sizeof(scope), "channel:%.32s/%s",
				 o->channel, order_state_name(s));
		rc = store_gauge_add(tx, o->tenant_id, scope, hour, n, err);
		snprintf(name, sizeof(name), "day:%s", scope);
		if (rc == ORDO_OK)
			rc = store_gauge_add(tx, o->tenant_id, name, day, n,
					     err);
	}
	return rc;
}

/* The order's move between the backlog's states since it was stored. */
static ordo_code tally_backlog(store_tx *tx, order *o, bool is_new,
			       ordo_err *err)
{
	ordo_code rc = ORDO_OK;

	if (!is_new && o->stored_state == o->state)
		return ORDO_OK;
	if (!is_new && metric_state_open(o->stored_state))
		rc = gauge_state(tx, o, o->stored_state, -1, err);
	if (rc == ORDO_OK && metric_state_open(o->state))
		rc = gauge_state(tx, o, o->state, 1, err);
	o->stored_state = o->state;
	return rc;
}

/* When o shipped: its last shipment's shipped_at (which a warehouse may
 * report late), else now. */
static ordo_time shipped_at(const order *o, ordo_time now)
{
	ordo_time last = 0;
	size_t i;

	for (i = 0; i < o->n_shipments; i++)
		if (o->shipments[i].shipped_at > last)
			last = o->shipments[i].shipped_at;
	return last ? last : now;
}

/* What each mark counts the first time it holds. */
static ordo_code tally_marks(store_tx *tx, const order *o, int64_t gained,
			     ordo_time now, ordo_err *err)
{
	static const struct {
		int64_t mark;
		const char *metric;
	} simple[] = {
		{MARK_COUNTED, "received"},
		{MARK_HELD, "held"},
		{MARK_TOUCHED, "touched"},
		{MARK_RELEASED, "released"},
		{MARK_ON_TIME, "released_on_time"},
		{MARK_SHIPPED, "shipped"},
		{MARK_REWORK, "rework"},
		{MARK_DEFECT, "defective"},
	};
	int64_t at = o->received_at;
	size_t i;
	int t;
	ordo_code rc = ORDO_OK;

	for (i = 0; rc == ORDO_OK && i < sizeof(simple) / sizeof(simple[0]);
	     i++)
		if (gained & simple[i].mark)
			rc = tally_both(tx, o, simple[i].metric, "", at, 0, 1,
					err);
	for (t = 0; rc == ORDO_OK && t < HOLD_TYPE_COUNT; t++)
		if (gained & MARK_HOLD_TYPE(t))
			rc = tally_both(tx, o, "held_type",
					hold_type_name((hold_type)t), at, 0, 1,
					err);
	if (rc == ORDO_OK && (gained & MARK_RELEASED))
		rc = tally_both(tx, o, "release_ms", "", at,
				metric_bin((o->released_at - at) * 1000), 1,
				err);
	if (rc == ORDO_OK && (gained & MARK_SHIPPED))
		rc = tally_both(tx, o, "ship_ms", "", at,
				metric_bin((shipped_at(o, now) - at) * 1000), 1,
				err);
	if (rc == ORDO_OK && (gained & MARK_COUNTED) && o->approved_rule[0])
		rc = tally_both(tx, o, "rule_approved", o->approved_rule, at, 0,
				1, err);
	if (rc == ORDO_OK && (gained & MARK_DEFECT))
		rc = tally_defective(tx, o, err);
	return rc;
}

ordo_code app_tally_order(store_tx *tx, order *o, bool is_new, ordo_time now,
			  ordo_err *err)
{
	int64_t marks, gained;
	ordo_code rc;

	if (!is_new && !(o->marks & MARK_COUNTED))
		return ORDO_OK; /* stored before the rollups */
	if (is_new)
		o->marks_new |= MARK_COUNTED;
	marks = order_marks(o);
	gained = marks & ~o->marks;
	rc = tally_marks(tx, o, gained, now, err);
	if (rc == ORDO_OK)
		rc = tally_holds(tx, o, err);
	if (rc == ORDO_OK)
		rc = tally_backlog(tx, o, is_new, err);
	if (rc == ORDO_OK) {
		o->marks = marks;
		o->marks_new = 0;
	}
	return rc;
}

ordo_code app_tally_change(store_tx *tx, const order *o, const char *kind,
			   ordo_time requested_at, ordo_time decided_at,
			   ordo_err *err)
{
	if (!(o->marks & MARK_COUNTED))
		return ORDO_OK;
	return tally_both(tx, o, "change_ms", kind, requested_at,
			  metric_bin((decided_at - requested_at) * 1000), 1,
			  err);
}

ordo_code app_tally_alert(store_tx *tx, int64_t tenant, int n, ordo_err *err)
{
	return store_gauge_add(tx, tenant, "alerts_open", 0, n, err);
}

/* ---- the range ------------------------------------------------------------ */

ordo_code app_metrics_range_check(app_metrics_range *r, ordo_err *err)
{
	r->from -= ((r->from % 3600) + 3600) % 3600;
	if (r->to % 3600)
		r->to += 3600 - ((r->to % 3600) + 3600) % 3600;
	if (r->to <= r->from)
		return ordo_err_set(err, ORDO_EINVALID, "to",
				    "to must come after from");
	if (r->to - r->from > (int64_t)APP_METRICS_RANGE_MAX_DAYS * 86400)
		return ordo_err_set(err, ORDO_EINVALID, "from",
				    "a range is at most %d days",
				    APP_METRICS_RANGE_MAX_DAYS);
	return ORDO_OK;
}

static void scope_of(const app_metrics_range *r, char *scope, size_t size)
{
	if (r->channel[0])
		snprintf(scope, size, "channel:%s", r->channel);
	else
		scope[0] = '\0';
}

/* Append the rows of buckets [from, to) of scope, summed: whole days
 * from the day rows, the hours at the edges from the hour rows. */
static ordo_code read_range(store_tx *tx, int64_t tenant, const char *scope,
			    int64_t from, int64_t to, store_rollup **rows,
			    size_t *n, ordo_err *err)
{
	int64_t day_from = from + (86400 - from % 86400) % 86400;
	int64_t day_to = to - to % 86400;
	struct part {
		char grain;
		int64_t from, to;
	} parts[3];
	size_t np = 0, i;
	ordo_code rc = ORDO_OK;

	if (day_from < day_to) {
		parts[np++] = (struct part){'h', from, day_from};
		parts[np++] = (struct part){'d', day_from, day_to};
		parts[np++] = (struct part){'h', day_to, to};
	} else {
		parts[np++] = (struct part){'h', from, to};
	}
	for (i = 0; rc == ORDO_OK && i < np; i++) {
		store_rollup *part = NULL, *all;
		size_t k = 0;

		if (parts[i].from >= parts[i].to)
			continue;
		rc = store_rollups_sum(tx, tenant, parts[i].grain, scope,
				       parts[i].from, parts[i].to, &part, &k,
				       err);
		if (rc || k == 0) {
			free(part);
			continue;
		}
		all = realloc(*rows, (*n + k) * sizeof(**rows));
		if (!all) {
			free(part);
			rc = ordo_err_set(err, ORDO_ENOMEM, NULL,
					  "out of memory");
			break;
		}
		memcpy(all + *n, part, k * sizeof(*part));
		*rows = all;
		*n += k;
		free(part);
	}
	return rc;
}

/* ---- the figures ---------------------------------------------------------- */

/* The order-level counts of a range or a bucket. */
struct counts {
	int64_t received, held, touched, released, on_time, shipped, rework,
		defective;
	int64_t held_type[HOLD_TYPE_COUNT];
	int64_t release_ms[METRIC_BINS], ship_ms[METRIC_BINS],
		change_ms[METRIC_BINS];
};

static void counts_add(struct counts *c, const store_rollup *r)
{
	static const struct {
		const char *metric;
		size_t offset;
	} plain[] = {
		{"received", offsetof(struct counts, received)},
		{"held", offsetof(struct counts, held)},
		{"touched", offsetof(struct counts, touched)},
		{"released", offsetof(struct counts, released)},
		{"released_on_time", offsetof(struct counts, on_time)},
		{"shipped", offsetof(struct counts, shipped)},
		{"rework", offsetof(struct counts, rework)},
		{"defective", offsetof(struct counts, defective)},
	};
	int b = r->bin < 0 || r->bin >= METRIC_BINS ? 0 : r->bin;
	hold_type t;
	size_t i;

	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		if (strcmp(r->metric, plain[i].metric) == 0) {
			*(int64_t *)((char *)c + plain[i].offset) += r->n;
			return;
		}
	if (strcmp(r->metric, "held_type") == 0 &&
	    hold_type_parse(r->key, &t) == 0)
		c->held_type[t] += r->n;
	else if (strcmp(r->metric, "release_ms") == 0)
		c->release_ms[b] += r->n;
	else if (strcmp(r->metric, "ship_ms") == 0)
		c->ship_ms[b] += r->n;
	else if (strcmp(r->metric, "change_ms") == 0)
		c->change_ms[b] += r->n;
}

/* A share of whole, 0..1 to 4 places; null when whole is 0. */
static json_t *rate(int64_t part, int64_t whole)
{
	if (whole <= 0)
		return json_null();
	return json_real(round((double)part / (double)whole * 10000.0) /
			 10000.0);
}

static json_t *pcts(const int64_t *bins, const int *ps, size_t n)
{
	json_t *j = json_object();
	size_t i;

	for (i = 0; i < n; i++) {
		char name[8];

		snprintf(name, sizeof(name), "p%d", ps[i]);
		json_object_set_new(
			j, name,
			json_integer((json_int_t)metric_percentile(bins,
								   ps[i])));
	}
	return j;
}

static const int p_cycle[] = {50, 90, 99};
static const int p_two[] = {50, 90};

/* ---- a summary ------------------------------------------------------------ */

/* A key's figures of the "holds" scope. */
struct keyed {
	char key[ORDO_ACTOR_MAX + 8];
	int64_t raised, resolved, approved, passed, passed_defective;
	int64_t handling_s;
	int64_t handling[METRIC_BINS];
};

struct keyeds {
	struct keyed *items;
	size_t n;
};

static struct keyed *keyed_get(struct keyeds *k, const char *key)
{
	struct keyed *more;
	size_t i;

	for (i = 0; i < k->n; i++)
		if (strcmp(k->items[i].key, key) == 0)
			return &k->items[i];
	more = realloc(k->items, (k->n + 1) * sizeof(*more));
	if (!more)
		return NULL;
	k->items = more;
	memset(&more[k->n], 0, sizeof(*more));
	ordo_strlcpy(more[k->n].key, key, sizeof(more[k->n].key));
	return &more[k->n++];
}

static bool keyed_add(struct keyeds *k, const store_rollup *r)
{
	struct keyed *it = keyed_get(k, r->key);
	int b = r->bin < 0 || r->bin >= METRIC_BINS ? 0 : r->bin;

	if (!it)
		return false;
	if (strcmp(r->metric, "holds_raised") == 0)
		it->raised += r->n;
	else if (strcmp(r->metric, "holds_resolved") == 0)
		it->resolved += r->n;
	else if (strcmp(r->metric, "holds_approved") == 0)
		it->approved += r->n;
	else if (strcmp(r->metric, "holds_passed") == 0)
		it->passed += r->n;
	else if (strcmp(r->metric, "passed_defective") == 0)
		it->passed_defective += r->n;
	else if (strcmp(r->metric, "handling_ms") == 0)
		it->handling[b] += r->n;
	else if (strcmp(r->metric, "handling_s") == 0)
		it->handling_s += r->n;
	return true;
}

static int keyed_cmp(const void *a, const void *b)
{
	return strcmp(((const struct keyed *)a)->key,
		      ((const struct keyed *)b)->key);
}

static json_t *keyed_json(const struct keyed *k, const char *name_member,
			  const char *name)
{
	json_t *j = json_object();

	json_object_set_new(j, name_member, json_string(name));
	/* A person decides holds; none is raised by one's key here. */
	if (strcmp(name_member, "agent") != 0)
		json_object_set_new(j, "holds_raised", json_integer(k->raised));
	json_object_set_new(j, "holds_resolved", json_integer(k->resolved));
	json_object_set_new(j, "approved_unchanged",
			    json_integer(k->approved));
	json_object_set_new(j, "approved_unchanged_rate",
			    rate(k->approved, k->resolved));
	json_object_set_new(j, "passed", json_integer(k->passed));
	json_object_set_new(j, "passed_defective",
			    json_integer(k->passed_defective));
	json_object_set_new(j, "passed_accuracy",
			    rate(k->passed - k->passed_defective, k->passed));
	json_object_set_new(j, "handling_ms", pcts(k->handling, p_two, 2));
	json_object_set_new(j, "review_hours",
			    json_real(round((double)k->handling_s / 36.0) /
				      100.0));
	return j;
}

/* The "holds" scope's figures: by hold type (an object), by rule and by
 * agent (arrays, by name). */
static void holds_json(struct keyeds *k, json_t *summary)
{
	json_t *by_type = json_object(), *rules = json_array(),
	       *agents = json_array();
	size_t i;

	if (k->n > 1)
		qsort(k->items, k->n, sizeof(*k->items), keyed_cmp);
	for (i = 0; i < k->n; i++) {
		const struct keyed *it = &k->items[i];

		if (strncmp(it->key, "type:", 5) == 0)
			json_object_set_new(by_type, it->key + 5,
					    keyed_json(it, "type", it->key + 5));
		else if (strncmp(it->key, "rule:", 5) == 0)
			json_array_append_new(
				rules, keyed_json(it, "rule_id", it->key + 5));
		else if (strncmp(it->key, "agent:", 6) == 0)
			json_array_append_new(
				agents, keyed_json(it, "agent", it->key + 6));
	}
	json_object_set_new(summary, "holds_by_type", by_type);
	json_object_set_new(summary, "rules", rules);
	json_object_set_new(summary, "agents", agents);
}

/* The policy's approve rules: orders let through and later defective. */
static json_t *approve_rules_json(const store_rollup *rows, size_t n)
{
	json_t *by = json_object(), *arr = json_array(), *v;
	const char *key;
	size_t i;

	for (i = 0; i < n; i++) {
		bool let = strcmp(rows[i].metric, "rule_approved") == 0;
		bool bad = strcmp(rows[i].metric, "rule_approved_defective") ==
			   0;
		json_t *it;

		if (!let && !bad)
			continue;
		it = json_object_get(by, rows[i].key);
		if (!it) {
			it = json_pack("{s:s, s:I, s:I}", "rule_id",
				       rows[i].key, "orders", (json_int_t)0,
				       "defective", (json_int_t)0);
			json_object_set_new(by, rows[i].key, it);
		}
		v = json_object_get(it, let ? "orders" : "defective");
		json_integer_set(v, json_integer_value(v) + rows[i].n);
	}
	json_object_foreach(by, key, v) {
		json_object_set_new(
			v, "accuracy",
			rate(json_integer_value(json_object_get(v, "orders")) -
				     json_integer_value(
					     json_object_get(v, "defective")),
			     json_integer_value(json_object_get(v, "orders"))));
		json_array_append(arr, v);
	}
	json_decref(by);
	return arr;
}

/* The gauges' prefix of the range's scope. */
static void gauge_prefix(const app_metrics_range *r, char *out, size_t size)
{
	if (r->channel[0])
		snprintf(out, size, "channel:%s/", r->channel);
	else
		snprintf(out, size, "all/");
}

/* The hour of rank `rank` (1-based, youngest first, after `seen` in the
 * younger days) among the hours of day of the scope's states that day
 * (days: the scope's day rows), or with rank 0 the oldest hour that
 * day; -1 when none. */
static int64_t backlog_hour(store_tx *tx, int64_t tenant,
			    const store_rollup *days, size_t n_days,
			    int64_t day, int64_t seen, int64_t rank,
			    ordo_err *err, ordo_code *rc)
{
	int64_t found = -1, count[24] = {0};
	size_t i, k;
	int h;

	for (i = 0; *rc == ORDO_OK && i < n_days; i++) {
		store_rollup *hours = NULL;
		size_t nh = 0;

		if (days[i].bucket != day || days[i].n <= 0)
			continue;
		/* "day:<scope>/<state>": its hours are "<scope>/<state>" */
		*rc = store_gauge_hours(tx, tenant, days[i].metric + 4, day,
					day + 86400, &hours, &nh, err);
		for (k = 0; *rc == ORDO_OK && k < nh; k++)
			count[(hours[k].bucket - day) / 3600 % 24] +=
				hours[k].n;
		free(hours);
	}
	for (h = 23; h >= 0; h--) {
		if (count[h] <= 0)
			continue;
		seen += count[h];
		found = day + (int64_t)h * 3600;
		if (rank > 0 && seen >= rank)
			return found;
	}
	return rank > 0 ? -1 : found;
}

static int day_age_cmp(const void *a, const void *b)
{
	int64_t x = ((const store_rollup *)a)->bucket;
	int64_t y = ((const store_rollup *)b)->bucket;

	/* newest first: youngest age first */
	return (x < y) - (x > y);
}

/*
 * The backlog of the scope (prefix) as it stands: open orders by state,
 * their ages from the hour each was received (the median: of rank
 * ceil(n/2), youngest first), and the open alerts (of all). Read from
 * the scope's day gauges, then the hours of the two days the median and
 * the oldest fall in: as many rows as the backlog has days, however many
 * orders it holds.
 */
static ordo_code backlog_read(store_tx *tx, int64_t tenant,
			      const char *prefix, int64_t alerts,
			      ordo_time now, json_t **out, ordo_err *err)
{
	json_t *by_state = json_object();
	char day_prefix[64];
	store_rollup *days = NULL, *sorted = NULL;
	int64_t count = 0, rank, seen = 0, p50 = 0, oldest = 0, day50 = -1,
		seen50 = 0, day_oldest = -1, h;
	size_t n = 0, i, k = 0;
	ordo_code rc;

	*out = NULL;
	snprintf(day_prefix, sizeof(day_prefix), "day:%s", prefix);
	rc = store_gauges_read(tx, tenant, day_prefix, &days, &n, err);
	if (rc == ORDO_OK && n)
		sorted = malloc(n * sizeof(*sorted));
	if (rc == ORDO_OK && n && !sorted)
		rc = ordo_err_set(err, ORDO_ENOMEM, NULL, "out of memory");
	for (i = 0; rc == ORDO_OK && i < n; i++) {
		const char *slash = strrchr(days[i].metric, '/');
		const char *state = slash ? slash + 1 : days[i].metric;
		json_t *v = json_object_get(by_state, state);
		int64_t was = v ? json_integer_value(v) : 0;

		json_object_set_new(by_state, state,
				    json_integer(was + days[i].n));
		count += days[i].n;
		if (days[i].n > 0)
			sorted[k++] = days[i];
	}
	if (rc == ORDO_OK && k > 1)
		qsort(sorted, k, sizeof(*sorted), day_age_cmp);
	rank = (count + 1) / 2;
	for (i = 0; rc == ORDO_OK && i < k; i++) {
		if (day50 < 0 && seen + sorted[i].n >= rank) {
			day50 = sorted[i].bucket;
			seen50 = seen;
		}
		seen += sorted[i].n;
		day_oldest = sorted[i].bucket;
	}
	/* The days were summed over states: the median's day may hold it
	 * in any of them; its hours say which. */
	if (rc == ORDO_OK && day50 >= 0) {
		/* the rows of day50 are consecutive in sorted, but seen50
		 * counted the day's earlier states' rows too: recount */
		seen50 = 0;
		for (i = 0; i < k && sorted[i].bucket != day50; i++)
			seen50 += sorted[i].n;
		h = backlog_hour(tx, tenant, days, n, day50, seen50, rank, err,
				 &rc);
		if (h >= 0)
			p50 = (now - h) * 1000;
	}
	if (rc == ORDO_OK && day_oldest >= 0) {
		h = backlog_hour(tx, tenant, days, n, day_oldest, 0, 0, err,
				 &rc);
		if (h >= 0)
			oldest = (now - h) * 1000;
	}
	free(days);
	free(sorted);
	if (rc) {
		json_decref(by_state);
		return rc;
	}
	*out = json_pack("{s:I, s:o, s:{s:I, s:I}, s:I}", "count",
			 (json_int_t)count, "by_state", by_state, "age_ms",
			 "p50", (json_int_t)(p50 > 0 ? p50 : 0), "max",
			 (json_int_t)(oldest > 0 ? oldest : 0), "over_sla",
			 (json_int_t)alerts);
	return ORDO_OK;
}

static json_t *figures_json(const struct counts *c)
{
	json_t *j = json_object(), *by_type = json_object(), *counts;
	int t;

	json_object_set_new(j, "orders_received", json_integer(c->received));
	json_object_set_new(j, "exception_rate", rate(c->held, c->received));
	for (t = 0; t < HOLD_TYPE_COUNT; t++)
		if (c->held_type[t])
			json_object_set_new(
				by_type, hold_type_name((hold_type)t),
				rate(c->held_type[t], c->received));
	json_object_set_new(j, "exception_rate_by_type", by_type);
	json_object_set_new(j, "straight_through_rate",
			    rate(c->received - c->touched, c->received));
	json_object_set_new(j, "accuracy",
			    rate(c->received - c->defective, c->received));
	json_object_set_new(j, "rework_rate", rate(c->rework, c->received));
	json_object_set_new(j, "on_time_release_rate",
			    rate(c->on_time, c->released));
	json_object_set_new(
		j, "cycle_time_ms",
		json_pack("{s:o, s:o}", "received_to_released",
			  pcts(c->release_ms, p_cycle, 3),
			  "received_to_shipped",
			  pcts(c->ship_ms, p_cycle, 3)));
	json_object_set_new(j, "change_handling_ms",
			    pcts(c->change_ms, p_two, 2));
	counts = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			   "received", (json_int_t)c->received, "held",
			   (json_int_t)c->held, "touched",
			   (json_int_t)c->touched, "released",
			   (json_int_t)c->released, "released_on_time",
			   (json_int_t)c->on_time, "shipped",
			   (json_int_t)c->shipped, "reworked",
			   (json_int_t)c->rework, "defective",
			   (json_int_t)c->defective);
	{
		int64_t changes = 0;
		int b;

		for (b = 0; b < METRIC_BINS; b++)
			changes += c->change_ms[b];
		json_object_set_new(counts, "changes_decided",
				    json_integer(changes));
	}
	json_object_set_new(j, "counts", counts);
	return j;
}

ordo_code app_metrics_summary(store *st, const app_caller *c,
			      const app_metrics_range *r, ordo_time now,
			      json_t **out, ordo_err *err)
{
	store_rollup *rows = NULL, *holds = NULL;
	json_t *backlog = NULL;
	size_t n = 0, nh = 0, i;
	int64_t alerts = 0;
	struct keyeds k = {0};
	struct counts *cs = calloc(1, sizeof(*cs));
	char scope[48];
	store_tx *tx;
	ordo_code rc;

	*out = NULL;
	if (!cs)
		return ordo_err_set(err, ORDO_ENOMEM, NULL, "out of memory");
	scope_of(r, scope, sizeof(scope));
	rc = store_read_begin(st, &tx, err);
	if (rc) {
		free(cs);
		return rc;
	}
	rc = read_range(tx, c->tenant_id, scope, r->from, r->to, &rows, &n,
			err);
	if (rc == ORDO_OK && !r->channel[0])
		rc = read_range(tx, c->tenant_id, SCOPE_HOLDS, r->from, r->to,
				&holds, &nh, err);
	if (rc == ORDO_OK) {
		store_rollup *a = NULL;
		size_t na = 0, i2;

		rc = store_gauges_read(tx, c->tenant_id, "alerts_open", &a,
				       &na, err);
		for (i2 = 0; i2 < na; i2++)
			alerts += a[i2].n;
		free(a);
	}
	if (rc == ORDO_OK) {
		char prefix[48];

		gauge_prefix(r, prefix, sizeof(prefix));
		rc = backlog_read(tx, c->tenant_id, prefix, alerts, now,
				  &backlog, err);
	}
	store_read_end(tx);
	for (i = 0; rc == ORDO_OK && i < n; i++)
		counts_add(cs, &rows[i]);
	for (i = 0; rc == ORDO_OK && i < nh; i++)
		if (!keyed_add(&k, &holds[i]))
			rc = ordo_err_set(err, ORDO_ENOMEM, NULL,
					  "out of memory");
	if (rc == ORDO_OK) {
		char from[32], to[32];

		*out = figures_json(cs);
		time_format_rfc3339(r->from, from, sizeof(from));
		time_format_rfc3339(r->to, to, sizeof(to));
		json_object_set_new(*out, "from", json_string(from));
		json_object_set_new(*out, "to", json_string(to));
		json_object_set_new(*out, "channel",
				    r->channel[0] ? json_string(r->channel)
						  : json_null());
		json_object_set_new(*out, "backlog", backlog);
		backlog = NULL;
		json_object_set_new(*out, "approve_rules",
				    approve_rules_json(rows, n));
		if (!r->channel[0])
			holds_json(&k, *out);
	}
	free(k.items);
	free(rows);
	free(holds);
	json_decref(backlog);
	free(cs);
	return rc;
}

/* ---- a series ------------------------------------------------------------- */

/* A series' metric: the counts it reads (two; the same twice for one),
 * and its value from a bucket's counts. */
struct series_def {
	const char *name;
	const char *reads[2];
	json_t *(*value)(const struct counts *c);
};

static json_t *v_received(const struct counts *c)
{
	return json_integer(c->received);
}
static json_t *v_exception(const struct counts *c)
{
	return rate(c->held, c->received);
}
static json_t *v_stp(const struct counts *c)
{
	return rate(c->received - c->touched, c->received);
}
static json_t *v_accuracy(const struct counts *c)
{
	return rate(c->received - c->defective, c->received);
}
static json_t *v_rework(const struct counts *c)
{
	return rate(c->rework, c->received);
}
static json_t *v_on_time(const struct counts *c)
{
	return rate(c->on_time, c->released);
}
static json_t *v_release(const struct counts *c)
{
	return pcts(c->release_ms, p_cycle, 3);
}
static json_t *v_ship(const struct counts *c)
{
	return pcts(c->ship_ms, p_cycle, 3);
}
static json_t *v_change(const struct counts *c)
{
	return pcts(c->change_ms, p_two, 2);
}

static const struct series_def series_defs[] = {
	{"orders_received", {"received", "received"}, v_received},
	{"exception_rate", {"held", "received"}, v_exception},
	{"straight_through_rate", {"touched", "received"}, v_stp},
	{"accuracy", {"defective", "received"}, v_accuracy},
	{"rework_rate", {"rework", "received"}, v_rework},
	{"on_time_release_rate", {"released_on_time", "released"}, v_on_time},
	{"received_to_released_ms", {"release_ms", "release_ms"}, v_release},
	{"received_to_shipped_ms", {"ship_ms", "ship_ms"}, v_ship},
	{"change_handling_ms", {"change_ms", "change_ms"}, v_change},
};

const char *const app_metric_series_names[] = {
	"orders_received",	   "exception_rate",
	"straight_through_rate",   "accuracy",
	"rework_rate",		   "on_time_release_rate",
	"received_to_released_ms", "received_to_shipped_ms",
	"change_handling_ms",	   NULL,
};

ordo_code app_metrics_series(store *st, const app_caller *c,
			     const app_metrics_range *r, const char *metric,
			     char bucket, json_t **out, ordo_err *err)
{
	const struct series_def *def = NULL;
	int64_t step = bucket == 'd' ? 86400 : 3600, from = r->from, b;
	store_rollup *rows = NULL;
	struct counts *cs;
	json_t *points;
	char scope[48];
	size_t n = 0, i, at = 0;
	store_tx *tx;
	ordo_code rc;

	*out = NULL;
	for (i = 0; i < sizeof(series_defs) / sizeof(series_defs[0]); i++)
		if (strcmp(series_defs[i].name, metric) == 0)
			def = &series_defs[i];
	if (!def)
		return ordo_err_set(err, ORDO_EINVALID, "metric",
				    "\"%s\" is not a metric a series follows",
				    metric);
	if (bucket == 'd')
		from -= from % 86400;
	else if (r->to - r->from > (int64_t)APP_METRICS_SERIES_HOURS_MAX_DAYS * 86400)
		return ordo_err_set(err, ORDO_EINVALID, "bucket",
				    "a series by the hour covers at most %d "
				    "days; ask bucket=day for longer",
				    APP_METRICS_SERIES_HOURS_MAX_DAYS);
	scope_of(r, scope, sizeof(scope));
	rc = store_read_begin(st, &tx, err);
	if (rc)
		return rc;
	rc = store_rollups_series(tx, c->tenant_id, bucket, scope, def->reads,
				  from, r->to, &rows, &n, err);
	store_read_end(tx);
	if (rc)
		return rc;
	cs = malloc(sizeof(*cs));
	points = json_array();
	for (b = from; cs && b < r->to; b += step) {
		char text[32];

		memset(cs, 0, sizeof(*cs));
		while (at < n && rows[at].bucket < b)
			at++;
		while (at < n && rows[at].bucket == b)
			counts_add(cs, &rows[at++]);
		time_format_rfc3339(b, text, sizeof(text));
		json_array_append_new(points,
				      json_pack("{s:s, s:o}", "at", text,
						"value", def->value(cs)));
	}
	free(rows);
	if (!cs) {
		json_decref(points);
		return ordo_err_set(err, ORDO_ENOMEM, NULL, "out of memory");
	}
	free(cs);
	*out = json_pack("{s:s, s:s, s:o}", "metric", metric, "bucket",
			 bucket == 'd' ? "day" : "hour", "points", points);
	return ORDO_OK;
}

/* ---- what is safe to automate --------------------------------------------- */

/* A query value with what is not a letter, digit or -._~ %-escaped. */
static void url_value(char *out, size_t size, const char *v)
{
	size_t k = 0;

	for (; *v && k + 4 < size; v++) {
		unsigned char ch = (unsigned char)*v;

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || strchr("-._~", ch))
			out[k++] = (char)ch;
		else
			k += (size_t)snprintf(out + k, size - k, "%%%02X", ch);
	}
	out[k] = '\0';
}

/* The link to what is behind a figure: path?name=value&from=&to=. */
static json_t *link(const char *path, const char *name, const char *value,
		    const app_metrics_range *r)
{
	char v[3 * 80], from[32], to[32], url[512];

	url_value(v, sizeof(v), value);
	time_format_rfc3339(r->from, from, sizeof(from));
	time_format_rfc3339(r->to, to, sizeof(to));
	snprintf(url, sizeof(url), "%s?%s=%s&from=%s&to=%s", path, name, v,
		 from, to);
	return json_string(url);
}

/* The active policy's rules but skip (an index; n_rules for none), as a
 * policy document to simulate. */
static json_t *policy_without(const policy *p, size_t skip)
{
	json_t *rules = json_array();
	size_t i;

	for (i = 0; i < p->n_rules; i++) {
		const policy_rule *r = &p->rules[i];

		if (i == skip)
			continue;
		json_array_append_new(
			rules,
			json_pack("{s:s, s:s, s:o}", "id", r->id, "when",
				  r->when ? r->when : "", "then",
				  r->approve ? json_string("approve")
					     : json_pack("{s:s, s:i}", "hold",
							 hold_type_name(r->hold),
							 "priority",
							 r->priority)));
	}
	return json_pack("{s:{s:o}}", "policy", "rules", rules);
}

static size_t rule_index(const policy *p, const char *id, bool approve)
{
	size_t i;

	for (i = 0; i < p->n_rules; i++)
		if (strcmp(p->rules[i].id, id) == 0 &&
		    p->rules[i].approve == approve)
			return i;
	return p->n_rules;
}

/* A hold rule people nearly always approve unchanged, whose approvals
 * never led to a defect: a candidate to stop holding. */
static bool safe_to_stop(const struct keyed *k, int64_t min_holds)
{
	return k->resolved >= min_holds && k->passed_defective == 0 &&
	       k->approved * 100 >= k->resolved * APP_AUTOMATE_APPROVED_PCT;
}

ordo_code app_metrics_automation(store *st, const app_caller *c,
				 const app_metrics_range *r,
				 int64_t min_holds, json_t **out,
				 ordo_err *err)
{
	store_rollup *rows = NULL, *holds = NULL;
	size_t n = 0, nh = 0, i;
	struct keyeds k = {0};
	json_t *types, *rules, *approves, *stop, *tighten;
	policy pol;
	store_tx *tx;
	ordo_code rc;

	*out = NULL;
	memset(&pol, 0, sizeof(pol));
	rc = store_read_begin(st, &tx, err);
	if (rc)
		return rc;
	rc = read_range(tx, c->tenant_id, "", r->from, r->to, &rows, &n, err);
	if (rc == ORDO_OK)
		rc = read_range(tx, c->tenant_id, SCOPE_HOLDS, r->from, r->to,
				&holds, &nh, err);
	if (rc == ORDO_OK)
		rc = app_policy_load(tx, c->tenant_id, &pol, err);
	store_read_end(tx);
	for (i = 0; rc == ORDO_OK && i < nh; i++)
		if (!keyed_add(&k, &holds[i]))
			rc = ordo_err_set(err, ORDO_ENOMEM, NULL,
					  "out of memory");
	if (rc) {
		free(rows);
		free(holds);
		free(k.items);
		policy_free(&pol);
		return rc;
	}
	if (k.n > 1)
		qsort(k.items, k.n, sizeof(*k.items), keyed_cmp);
	types = json_array();
	rules = json_array();
	stop = json_array();
	for (i = 0; i < k.n; i++) {
		const struct keyed *it = &k.items[i];
		bool is_type = strncmp(it->key, "type:", 5) == 0;
		bool is_rule = strncmp(it->key, "rule:", 5) == 0;
		const char *name = it->key + 5;
		json_t *row;
		size_t at;

		if (!is_type && !is_rule)
			continue;
		row = keyed_json(it, is_type ? "type" : "rule_id", name);
		json_object_set_new(row, "passed_defect_rate",
				    rate(it->passed_defective, it->passed));
		json_object_set_new(row, "holds",
				    link("/v1/holds",
					 is_type ? "type" : "rule_id", name,
					 r));
		if (is_type) {
			json_array_append_new(types, row);
			continue;
		}
		at = rule_index(&pol, name, false);
		json_object_set_new(row, "in_policy",
				    json_boolean(at < pol.n_rules));
		json_array_append(rules, row);
		if (at < pol.n_rules && safe_to_stop(it, min_holds)) {
			char change[160];

			snprintf(change, sizeof(change),
				 "remove rule \"%s\" from the review policy",
				 name);
			json_object_set_new(row, "change", json_string(change));
			json_object_set_new(row, "simulate",
					    policy_without(&pol, at));
			json_array_append(stop, row);
		}
		json_decref(row);
	}
	/* The approve rules whose orders later had defects. */
	approves = approve_rules_json(rows, n);
	tighten = json_array();
	{
		json_t *a;

		json_array_foreach(approves, i, a) {
			const char *id =
				json_string_value(json_object_get(a, "rule_id"));
			size_t at = rule_index(&pol, id, true);

			json_object_set_new(a, "defects",
					    link("/v1/defects", "rule_id", id,
						 r));
			json_object_set_new(a, "in_policy",
					    json_boolean(at < pol.n_rules));
			if (json_integer_value(json_object_get(a, "defective")) >
				    0 &&
			    at < pol.n_rules) {
				char change[200];

				snprintf(change, sizeof(change),
					 "remove approve rule \"%s\": the "
					 "orders it let through are judged by "
					 "the rules after it",
					 id);
				json_object_set_new(a, "change",
						    json_string(change));
				json_object_set_new(a, "simulate",
						    policy_without(&pol, at));
				json_array_append(tighten, a);
			}
		}
	}
	{
		char from[32], to[32];

		time_format_rfc3339(r->from, from, sizeof(from));
		time_format_rfc3339(r->to, to, sizeof(to));
		*out = json_pack(
			"{s:s, s:s, s:i, s:{s:I, s:f}, s:o, s:o, s:o, "
			"s:{s:o, s:o}}",
			"from", from, "to", to, "policy_version", pol.version,
			"thresholds", "min_holds", (json_int_t)min_holds,
			"approved_unchanged_rate",
			APP_AUTOMATE_APPROVED_PCT / 100.0, "by_hold_type",
			types, "by_rule", rules, "approve_rules", approves,
			"candidates", "stop_holding", stop, "tighten",
			tighten);
	}
	free(rows);
	free(holds);
	free(k.items);
	policy_free(&pol);
	return ORDO_OK;
}
