/*
 * allocate.h - deciding where each line of an order ships from.
 *
 * Pure decision: given the units still to promise on each line, the
 * tenant's locations (which destinations each serves, its priority) and the
 * stock available to promise at each, produce a plan of (line, location,
 * quantity) reservations. The caller reserves exactly what the plan says, in
 * the same transaction in which it read the stock.
 *
 * Rules, in order:
 *   1. Only active locations that serve the destination are candidates. A
 *      location serves a destination when its serve list is empty (serves
 *      everywhere) or holds the destination country ("US") or the country
 *      and region ("US-CA"). Locations named in `excluded` are never used
 *      (a warehouse that rejected this order).
 *   2. Ship complete from one location when one can: the candidate of best
 *      (lowest) priority that has every remaining unit of every line; ties
 *      go to the location code in byte order so plans are deterministic.
 *   3. Otherwise split across the fewest locations: the smallest set of
 *      candidates that together cover the most units (exhaustively for up
 *      to ALLOCATE_EXACT_MAX candidates, greedily beyond), preferring, among
 *      sets of that size covering as many units, the one with the best
 *      priorities. Within the chosen set each line takes from the set's
 *      locations in priority order.
 *   4. What no candidate can cover stays unallocated (the caller backorders
 *      it or holds the order, as the tenant chose).
 *
 * The plan never takes more than `available` from any (location, sku), and
 * never more than a line's remaining quantity: allocate_plan_check() asserts
 * both.
 */
#ifndef ORDO_CORE_ALLOCATE_H
#define ORDO_CORE_ALLOCATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/catalog.h"
#include "core/err.h"

/* ALLOCATE_EXACT_MAX and ALLOCATE_MAX_LOCATIONS are in core/limits.h. */
#define ALLOCATE_MAX_SERVES LOCATION_MAX_SERVES
#define ALLOCATE_SERVE_MAX LOCATION_SERVE_MAX

typedef struct {
	char code[ORDO_LOCATION_CODE_MAX];
	int priority; /* lower ships first */
	bool active;
	size_t n_serves; /* 0 = serves everywhere */
	char serves[ALLOCATE_MAX_SERVES][ALLOCATE_SERVE_MAX];
} allocate_location;

typedef struct {
	int line_no;
	char sku[ORDO_SKU_MAX];
	int64_t remaining; /* units still to promise */
} allocate_line;

/* Available to promise at one location for one SKU (absent = 0). */
typedef struct {
	char location[ORDO_LOCATION_CODE_MAX];
	char sku[ORDO_SKU_MAX];
	int64_t available;
} allocate_stock;

typedef struct {
	const char *country; /* destination ISO 3166-1 alpha-2 */
	const char *region;  /* destination region, may be "" */
	const allocate_line *lines;
	size_t n_lines;
	const allocate_location *locations;
	size_t n_locations;
	const allocate_stock *stock;
	size_t n_stock;
	const char *const *excluded; /* location codes never to use */
	size_t n_excluded;
} allocate_request;

typedef struct {
	int line_no;
	char location[ORDO_LOCATION_CODE_MAX];
	int64_t quantity;
} allocate_pick;

typedef struct {
	allocate_pick *picks; /* owned; allocate_plan_free */
	size_t n_picks;
	size_t n_locations_used;
	bool complete;		 /* every remaining unit is planned */
	bool single_location;	 /* complete from one location */
	int64_t units_unplanned; /* sum over lines of what stays open */
} allocate_plan;

/* True when location l may ship to country/region (rule 1, less exclusion). */
bool allocate_location_serves(const allocate_location *l, const char *country,
			      const char *region);

/*
 * Make the plan. Returns ORDO_OK (a plan that covers nothing is still a
 * plan), ORDO_EINVALID for a request past the limits above, ORDO_ENOMEM.
 */
ordo_code allocate_plan_make(const allocate_request *req, allocate_plan *plan,
			     ordo_err *err);

void allocate_plan_free(allocate_plan *plan);

/* Assert the plan respects stock and line quantities (programmer error). */
void allocate_plan_check(const allocate_request *req,
			 const allocate_plan *plan);

#endif
