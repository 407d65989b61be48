/*
 * core/metrics.h - what ordo measures of the work, as pure functions: the
 * facts about an order that count once each (its marks), and the bins of
 * the duration histograms percentiles are read from.
 *
 * MARKS
 *
 * An order's marks are facts that only ever become true: it got a hold (of
 * each type), a person touched it, it was released (on time or not), it
 * shipped, it was reworked, a defect was found. Each is counted, in the
 * rollups (store.h, METRIC ROLLUPS), the first time it holds: the app
 * compares what order_marks derives with what was stored (orders.marks).
 *
 * BINS
 *
 * Durations (milliseconds) are counted in bins a quarter of a power of two
 * wide (each ends about 19% above where it starts). A percentile is read
 * as the upper edge of the bin its rank falls in: never below the true
 * value, at most 19% above it.
 */
#ifndef ORDO_CORE_METRICS_H
#define ORDO_CORE_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/order.h"

/* ---- marks ---------------------------------------------------------------- */

enum {
	MARK_HELD = 1 << 0,	/* got at least one hold */
	MARK_TOUCHED = 1 << 1,	/* a person decided or escalated a hold,
				 * or held it by hand */
	MARK_RELEASED = 1 << 2, /* released to a warehouse */
	MARK_ON_TIME = 1 << 3,	/* released by its release_due_at */
	MARK_SHIPPED = 1 << 4,	/* every unit shipped */
	MARK_REWORK = 1 << 5,	/* touched again after release: a hold
				 * raised, a change asked; or a defect */
	MARK_DEFECT = 1 << 6,	/* a downstream defect was reported */
	MARK_COUNTED = 1 << 7,	/* counted as received: an order stored
				 * before the rollups has it not, and
				 * nothing of it is counted */
};
/* The mark of having had a hold of type t. */
#define MARK_HOLD_TYPE(t) ((int64_t)1 << (16 + (int)(t)))

/*
 * The marks of o as it stands: its stored marks (o->marks) and what its
 * holds, release and state say now.
 */
int64_t order_marks(const order *o);

/*
 * Who let a defect of o through, into d->attributed_*: the person who
 * last approved or corrected one of its holds in review (step "review",
 * that hold's rule, the person); else the review policy's approve rule
 * that let it through at intake (step "policy", the rule, its channel);
 * else its channel's intake (step "intake", no rule, "channel:<name>").
 */
void defect_attribute(const order *o, order_defect *d);

/* The states an order is open (waiting on the team or the warehouse) in,
 * counted in the backlog. */
bool metric_state_open(order_state s);

/* ---- duration bins -------------------------------------------------------- */

/* Bins 0 (0 ms and less) .. METRIC_BINS - 1 (a year and more). */
#define METRIC_BINS 144

int metric_bin(int64_t ms);
/* The upper edge of bin b, in milliseconds (0 for bin 0). */
int64_t metric_bin_upper(int b);
/*
 * The p-th percentile (0 < p <= 100) of the counts of bins[0..METRIC_BINS):
 * the upper edge of the bin holding the value of rank ceil(p/100 * n)
 * (1-based); 0 when the bins are empty.
 */
int64_t metric_percentile(const int64_t *bins, int p);

#endif
