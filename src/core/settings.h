/*
 * settings.h - a tenant's settings: how its orders are handled.
 *
 * Every setting has a default (settings_defaults) and bounds, checked by
 * settings_check, which names the first setting out of bounds. Times are
 * seconds; the cut-off is minutes after midnight UTC (-1: none).
 */
#ifndef ORDO_CORE_SETTINGS_H
#define ORDO_CORE_SETTINGS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/limits.h"
#include "core/order.h"

typedef enum {
	BACKORDER_KEEP_OPEN, /* "backorder": the rest waits for stock */
	BACKORDER_HOLD,	     /* "hold": insufficient_stock hold */
} backorder_mode;

typedef enum {
	RELEASE_AUTO, /* "auto": release on allocation */
	RELEASE_WAVE, /* "wave": release when a wave is run */
} release_mode;

typedef struct {
	int64_t duplicate_window_s;
	backorder_mode backorder;
	release_mode release;
	int64_t release_sla_s;
	int cutoff_minute; /* -1 = none */
	int64_t closing_period_s;
	int64_t webhook_retry_window_s;
	int64_t low_stock_threshold;
	/* How many holds a bulk action may touch unless it names a larger
	 * "limit" itself. */
	int64_t bulk_limit;
	/* How long a warehouse has to answer a change request before it
	 * expires into a change_after_release hold. */
	int64_t change_window_s;
	/* Per hold type: how soon someone must act, and how urgent it is
	 * (1 most .. 5 least). Defaults from settings_hold_defaults. */
	int64_t hold_sla_s[HOLD_TYPE_COUNT];
	int hold_priority[HOLD_TYPE_COUNT];
} tenant_settings;

/* X(field, name, min, max, default) for the integer settings. */
#define SETTINGS_INT_MAP(X)                                                    \
	X(duplicate_window_s, "duplicate_window_s", 0, 2592000, 86400)         \
	X(release_sla_s, "release_sla_s", 0, 604800, 14400)                    \
	X(closing_period_s, "closing_period_s", 0, 31536000, 1209600)          \
	X(webhook_retry_window_s, "webhook_retry_window_s", 1, 2592000,        \
	  259200)                                                              \
	X(low_stock_threshold, "low_stock_threshold", 0, 1000000, 5)          \
	X(bulk_limit, "bulk_limit", 1, ORDO_BULK_MAX, ORDO_BULK_DEFAULT)     \
	X(change_window_s, "change_window_s", 60, 604800, 14400)

void settings_defaults(tenant_settings *s);

/* The default SLA and priority of a hold type. */
void settings_hold_defaults(hold_type t, int64_t *sla_s, int *priority);

/* ORDO_OK, or ORDO_EINVALID naming the first setting out of bounds. */
ordo_code settings_check(const tenant_settings *s, ordo_err *err);

/*
 * A change to some of the settings (a PATCH): which are given, and their
 * new values in v (what is not given there is not read). Holds are given
 * per hold type and member, so a change of one SLA keeps its priority.
 */
typedef struct {
	tenant_settings v;
#define SETTINGS_X_HAS(field, name, min, max, def) bool has_##field;
	SETTINGS_INT_MAP(SETTINGS_X_HAS)
#undef SETTINGS_X_HAS
	bool has_backorder;
	bool has_release;
	bool has_cutoff; /* v.cutoff_minute -1 clears it */
	bool has_hold_sla_s[HOLD_TYPE_COUNT];
	bool has_hold_priority[HOLD_TYPE_COUNT];
} tenant_settings_patch;

/* A patch that changes nothing. */
void tenant_settings_patch_init(tenant_settings_patch *p);

/*
 * Apply p to s, whole or not at all. Every value given is checked against
 * its bounds, and then the settings that result, as a whole, against
 * settings_check - the check that needs the current settings: a patch can
 * be refused for a setting it does not name. Each problem adds a detail to
 * err naming its setting ("holds.<type>.sla_s" for a hold's); on any, s
 * is left as it was and ORDO_EINVALID is returned.
 */
ordo_code tenant_settings_apply(tenant_settings *s,
				const tenant_settings_patch *p, ordo_err *err);

const char *backorder_mode_name(backorder_mode m);
int backorder_mode_parse(const char *name, backorder_mode *out);
const char *release_mode_name(release_mode m);
int release_mode_parse(const char *name, release_mode *out);

/* "HH:MM" <-> minutes after midnight; parse returns -1 on bad text. */
int settings_cutoff_parse(const char *text);
void settings_cutoff_format(int minute, char buf[6]);

#endif
