/*
 * metrics.c - an order's marks and the duration bins (core/metrics.h).
 */
#include "core/metrics.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"

static bool person_touched(const order_hold *h)
{
	return h->escalated || strcmp(h->raised_by, "person") == 0 ||
	       (h->status == HOLD_RESOLVED &&
		strcmp(h->resolution, "system") != 0 && h->resolution[0]);
}

int64_t order_marks(const order *o)
{
	int64_t m = o->marks | o->marks_new;
	size_t i;

	for (i = 0; i < o->n_holds; i++) {
		const order_hold *h = &o->holds[i];

		m |= MARK_HELD | MARK_HOLD_TYPE(h->type);
		if (person_touched(h))
			m |= MARK_TOUCHED;
		if (o->released_at > 0 && h->created_at > o->released_at)
			m |= MARK_REWORK;
	}
	if (o->released_at > 0) {
		m |= MARK_RELEASED;
		if (o->release_due_at == 0 ||
		    o->released_at <= o->release_due_at)
			m |= MARK_ON_TIME;
	}
	if (o->state == ORDER_SHIPPED || o->state == ORDER_DELIVERED ||
	    o->state == ORDER_CLOSED)
		m |= MARK_SHIPPED;
	if (m & MARK_DEFECT)
		m |= MARK_REWORK;
	return m;
}

void defect_attribute(const order *o, order_defect *d)
{
	const order_hold *last = NULL;
	size_t i;

	for (i = 0; i < o->n_holds; i++) {
		const order_hold *h = &o->holds[i];

		if (h->status != HOLD_RESOLVED ||
		    (strcmp(h->resolution, "approve") != 0 &&
		     strcmp(h->resolution, "correct") != 0))
			continue;
		if (!last || h->resolved_at >= last->resolved_at)
			last = h;
	}
	if (last) {
		ordo_strlcpy(d->attributed_step, "review",
			     sizeof(d->attributed_step));
		ordo_strlcpy(d->attributed_rule, last->rule_id,
			     sizeof(d->attributed_rule));
		ordo_strlcpy(d->attributed_actor, last->resolved_by,
			     sizeof(d->attributed_actor));
		return;
	}
	ordo_strlcpy(d->attributed_step,
		     o->approved_rule[0] ? "policy" : "intake",
		     sizeof(d->attributed_step));
	ordo_strlcpy(d->attributed_rule, o->approved_rule,
		     sizeof(d->attributed_rule));
	snprintf(d->attributed_actor, sizeof(d->attributed_actor),
		 "channel:%s", o->channel);
}

bool metric_state_open(order_state s)
{
	return s == ORDER_ON_HOLD || s == ORDER_ACCEPTED ||
	       s == ORDER_ALLOCATED || s == ORDER_RELEASED;
}

/* ---- duration bins -------------------------------------------------------- */

/*
 * Bin b >= 1 holds (2^((b-1)/4), 2^(b/4)] ms, rounded to whole ms; the
 * edges are computed once from the same formula everywhere, so a value
 * and its bin agree wherever they are computed.
 */
int64_t metric_bin_upper(int b)
{
	if (b <= 0)
		return 0;
	if (b >= METRIC_BINS)
		b = METRIC_BINS - 1;
	return (int64_t)llround(pow(2.0, (double)b / 4.0));
}

int metric_bin(int64_t ms)
{
	int lo = 1, hi = METRIC_BINS - 1;

	if (ms <= 0)
		return 0;
	/* The first bin whose upper edge is at or above ms. */
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (metric_bin_upper(mid) >= ms)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

int64_t metric_percentile(const int64_t *bins, int p)
{
	int64_t n = 0, rank, seen = 0;
	int b;

	for (b = 0; b < METRIC_BINS; b++)
		n += bins[b];
	if (n == 0)
		return 0;
	/* ceil(p * n / 100), in integers */
	rank = (p * n + 99) / 100;
	if (rank < 1)
		rank = 1;
	for (b = 0; b < METRIC_BINS; b++) {
		seen += bins[b];
		if (seen >= rank)
			return metric_bin_upper(b);
	}
	return metric_bin_upper(METRIC_BINS - 1);
}
