/*
 * app/monitors.h - SLA monitors and the alerts they raise.
 *
 * A tenant's monitors say when work is late: "state_age" (an order in a
 * state for longer than after_s seconds) or "hold_overdue" (a hold, of
 * one type or any, unresolved past its due time). A sweep run every
 * second (app_monitors_sweep) raises an alert for each order (and hold)
 * a monitor finds late - a timeline event "alert_raised" and the webhook
 * alert.raised - and clears it once the condition has ended (the order
 * left the state, the hold was resolved, the monitor was removed):
 * "alert_cleared", alert.cleared. GET /v1/alerts lists them.
 */
#ifndef ORDO_APP_MONITORS_H
#define ORDO_APP_MONITORS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/caller.h"
#include "app/write.h"
#include "store/store.h"

/* A monitor's after_s, for state_age: a minute to a year. */
#define APP_MONITOR_AFTER_MIN_S 60
#define APP_MONITOR_AFTER_MAX_S 31536000
/* What one sweep raises per monitor and clears, at most, per round. */
#define APP_MONITOR_SWEEP_MAX 200

/*
 * Whether m (id, kind, state, after_s, hold_type; path names it in the
 * details, e.g. "monitors[0]") is a monitor ordo can run: one detail
 * added to err per problem.
 */
void app_monitor_check(const store_monitor *m, const char *path,
		       ordo_err *err);

/* The command (write.h): the tenant's monitors, replaced whole. */
typedef struct {
	app_write w;
	store_monitor monitors[STORE_MONITORS_MAX]; /* in */
	size_t n;				    /* in */
} app_monitors_cmd;

/* Checks the whole set (ids each once) into err; ORDO_OK when good. */
ordo_code app_monitors_cmd_check(const app_monitors_cmd *c, ordo_err *err);
void app_monitors_cmd_init(app_monitors_cmd *c, const app_caller *caller,
			   ordo_time now);

ordo_code app_monitors_get(store *st, const app_caller *c,
			   store_monitor **out, size_t *n, ordo_err *err);
ordo_code app_alerts_list(store *st, const app_caller *c, const char *status,
			  int64_t before_seq, int limit, store_alert **out,
			  size_t *n, int64_t *next, ordo_err *err);

json_t *app_monitor_json(const store_monitor *m);
json_t *app_alert_json(const store_alert *a);

/*
 * One round of every tenant's monitors at now: raise what came due,
 * then clear up to APP_MONITOR_SWEEP_MAX open alerts whose condition
 * ended, from *cursor on (kept by the caller between rounds; it wraps
 * round). *raised and *cleared count what it did.
 */
ordo_code app_monitors_sweep(store *st, ordo_time now, int64_t *cursor,
			     size_t *raised, size_t *cleared, ordo_err *err);

#endif
