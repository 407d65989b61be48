/*
 * app/metrics.h - measuring the work by its downstream quality.
 *
 * COUNTING (app_tally_order). Each write that stores an order counts what
 * it did, in the same transaction (store.h, METRIC ROLLUPS): a new order
 * received; each of its marks (core/metrics.h) the first time it holds -
 * held (and of which hold types), touched by a person, released (on time,
 * and how long after receipt), shipped (how long after receipt),
 * reworked, defective; each hold raised and each hold resolved (by type,
 * rule and agent: approved unchanged or not, handling time); and its move
 * between the backlog's states. A change decided counts its handling time
 * (app_tally_change).
 *
 * Orders count in the hour and day they were received (a cohort: "of the
 * orders received on Monday, 3% were held"), holds in the hour they were
 * raised, changes in the hour they were asked.
 *
 * READING (app_metrics_summary, app_metrics_series). A range reads the
 * counts of its whole days and of the hours at its edges: as fast at a
 * million orders as at ten thousand. The backlog is read from the gauges,
 * as it stands.
 */
#ifndef ORDO_APP_METRICS_H
#define ORDO_APP_METRICS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "app/caller.h"
#include "core/metrics.h"
#include "core/order.h"
#include "store/store.h"

/*
 * Count what this write did to o, before it is stored: is_new for an
 * order being taken in. Afterwards o's marks, stored state and holds'
 * `was` are as counted, so that saving it again counts nothing twice. An
 * order stored before the rollups (no MARK_COUNTED) counts nothing.
 */
ordo_code app_tally_order(store_tx *tx, order *o, bool is_new, ordo_time now,
			  ordo_err *err);
/* Count a change of o decided (applied, accepted, refused or expired):
 * its kind and the time from its asking to its decision. */
ordo_code app_tally_change(store_tx *tx, const order *o, const char *kind,
			   ordo_time requested_at, ordo_time decided_at,
			   ordo_err *err);
/* One more open alert of the tenant (n = 1), or one fewer (n = -1). */
ordo_code app_tally_alert(store_tx *tx, int64_t tenant, int n, ordo_err *err);

/* What a summary or a series reads: [from, to) in whole hours (from
 * rounded down, to up), one channel or all (""). */
typedef struct {
	int64_t from, to;
	char channel[ORDO_CHANNEL_MAX];
} app_metrics_range;

/* The longest range, in days. */
#define APP_METRICS_RANGE_MAX_DAYS 3660

/* Round the range to whole hours and check it (from < to, at most
 * APP_METRICS_RANGE_MAX_DAYS). */
ordo_code app_metrics_range_check(app_metrics_range *r, ordo_err *err);

/* GET /v1/metrics/summary: every figure over the range (*out: new). */
ordo_code app_metrics_summary(store *st, const app_caller *c,
			      const app_metrics_range *r, ordo_time now,
			      json_t **out, ordo_err *err);

/* The longest series by the hour, in days. */
#define APP_METRICS_SERIES_HOURS_MAX_DAYS 92

/* The metrics a series can follow. */
extern const char *const app_metric_series_names[];
/* GET /v1/metrics/series: one metric by hour or day (*out: new). */
ordo_code app_metrics_series(store *st, const app_caller *c,
			     const app_metrics_range *r, const char *metric,
			     char bucket, json_t **out, ordo_err *err);

/*
 * GET /v1/metrics/automation: per hold type and per rule, over the range,
 * the holds raised and decided, the share approved unchanged, handling
 * time, review hours and the downstream defects of what people let
 * through; the hold rules of the active policy people approve unchanged
 * at least APP_AUTOMATE_APPROVED_PCT% of the time (of at least min_holds
 * decided) with no defect after (candidates to stop holding), and the
 * approve rules whose orders later had defects (candidates to tighten),
 * each with the policy without it, ready for POST /v1/policy/simulate.
 */
#define APP_AUTOMATE_APPROVED_PCT 95
#define APP_AUTOMATE_MIN_HOLDS 20
ordo_code app_metrics_automation(store *st, const app_caller *c,
				 const app_metrics_range *r,
				 int64_t min_holds, json_t **out,
				 ordo_err *err);

#endif
