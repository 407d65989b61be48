/*
 * test_allocate.c - the allocation planner.
 *
 * Why it is long: most of it is the table of hand-written cases; the
 * brute-force check beside them shares its builders.
 *
 * Three kinds of test:
 *   - a table of cases, each a stock layout, order lines, locations and
 *     destination, with the exact picks and flags expected (written here from
 *     the rules in allocate.h, not from allocate.c);
 *   - a table of invalid requests, each expected to be refused with
 *     ORDO_EINVALID and a field naming the fault;
 *   - randomized properties with a fixed seed: every plan passes
 *     allocate_plan_check(), plans as many units as a brute force over all
 *     candidate subsets finds coverable, ships complete from one location
 *     when one can, uses the fewest locations (exact path) and does not
 *     depend on the order of the request's arrays.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/allocate.h"

#define MAX_LOCS 20
#define MAX_LINES 8
#define MAX_STOCK 24
#define MAX_PICKS 16
#define MAX_EXCL 4
#define MAX_SERVE_DEFS 4

struct loc_def {
	const char *code; /* NULL ends the list */
	int priority;
	bool inactive;
	const char *serves[MAX_SERVE_DEFS]; /* NULL-terminated */
};

struct line_def {
	int line_no;
	const char *sku; /* NULL ends the list */
	int64_t remaining;
};

struct stock_def {
	const char *loc; /* NULL ends the list */
	const char *sku;
	int64_t available;
};

struct pick_def {
	int line_no;
	const char *loc; /* NULL ends the list */
	int64_t quantity;
};

struct plan_case {
	const char *name;
	const char *country; /* NULL means "US" */
	const char *region;  /* NULL means "" */
	struct loc_def locs[MAX_LOCS];
	struct line_def lines[MAX_LINES];
	struct stock_def stock[MAX_STOCK];
	const char *excluded[MAX_EXCL];
	/* expected */
	struct pick_def picks[MAX_PICKS];
	bool complete;
	bool single;
	int64_t unplanned;
	size_t n_used;
};

/* A request with room for anything the tests build, on the heap. */
struct req_buf {
	allocate_location locs[ALLOCATE_MAX_LOCATIONS + 1];
	allocate_line lines[ORDO_MAX_LINES + 1];
	allocate_stock stock[MAX_LOCS * 4 + 8];
	const char *excluded[MAX_EXCL];
	allocate_request req;
};

static struct req_buf *req_buf_new(void)
{
	struct req_buf *b = calloc(1, sizeof(*b));

	assert_non_null(b);
	b->req.country = "US";
	b->req.region = "";
	b->req.lines = b->lines;
	b->req.locations = b->locs;
	b->req.stock = b->stock;
	b->req.excluded = b->excluded;
	return b;
}

static void set_str(char *dst, size_t size, const char *src)
{
	assert_int_equal(ordo_strlcpy(dst, src, size), 0);
}

static void add_loc(struct req_buf *b, const char *code, int priority,
		    bool active, const char *const *serves)
{
	allocate_location *l = &b->locs[b->req.n_locations++];

	memset(l, 0, sizeof(*l));
	set_str(l->code, sizeof(l->code), code);
	l->priority = priority;
	l->active = active;
	for (; serves && *serves; serves++)
		set_str(l->serves[l->n_serves++], sizeof(l->serves[0]),
			*serves);
}

static void add_line(struct req_buf *b, int line_no, const char *sku,
		     int64_t remaining)
{
	allocate_line *l = &b->lines[b->req.n_lines++];

	memset(l, 0, sizeof(*l));
	l->line_no = line_no;
	set_str(l->sku, sizeof(l->sku), sku);
	l->remaining = remaining;
}

static void add_stock(struct req_buf *b, const char *loc, const char *sku,
		      int64_t available)
{
	allocate_stock *s = &b->stock[b->req.n_stock++];

	memset(s, 0, sizeof(*s));
	set_str(s->location, sizeof(s->location), loc);
	set_str(s->sku, sizeof(s->sku), sku);
	s->available = available;
}

static struct req_buf *build_case(const struct plan_case *c)
{
	struct req_buf *b = req_buf_new();
	size_t i;

	b->req.country = c->country ? c->country : "US";
	b->req.region = c->region ? c->region : "";
	for (i = 0; i < MAX_LOCS && c->locs[i].code; i++)
		add_loc(b, c->locs[i].code, c->locs[i].priority,
			!c->locs[i].inactive, c->locs[i].serves);
	for (i = 0; i < MAX_LINES && c->lines[i].sku; i++)
		add_line(b, c->lines[i].line_no, c->lines[i].sku,
			 c->lines[i].remaining);
	for (i = 0; i < MAX_STOCK && c->stock[i].loc; i++)
		add_stock(b, c->stock[i].loc, c->stock[i].sku,
			  c->stock[i].available);
	for (i = 0; i < MAX_EXCL && c->excluded[i]; i++)
		b->excluded[b->req.n_excluded++] = c->excluded[i];
	return b;
}

/* ---- the table ---------------------------------------------------------- */

#define EVERYWHERE { NULL }

static const struct plan_case plan_cases[] = {
	{
		.name = "single location ships complete",
		.locs = { { "A", 1, false, EVERYWHERE } },
		.lines = { { 1, "X", 3 }, { 2, "Y", 1 } },
		.stock = { { "A", "X", 5 }, { "A", "Y", 1 } },
		.picks = { { 1, "A", 3 }, { 2, "A", 1 } },
		.complete = true, .single = true, .n_used = 1,
	},
	{
		.name = "better priority wins when two ship complete",
		.locs = { { "A", 2, false, EVERYWHERE },
			  { "B", 1, false, EVERYWHERE } },
		.lines = { { 1, "X", 2 } },
		.stock = { { "A", "X", 9 }, { "B", "X", 2 } },
		.picks = { { 1, "B", 2 } },
		.complete = true, .single = true, .n_used = 1,
	},
	{
		.name = "equal priority goes to the code in byte order",
		.locs = { { "WH-B", 1, false, EVERYWHERE },
			  { "WH-A", 1, false, EVERYWHERE },
			  { "wh-0", 1, false, EVERYWHERE } },
		.lines = { { 1, "X", 2 } },
		.stock = { { "WH-B", "X", 2 },
			   { "WH-A", "X", 2 },
			   { "wh-0", "X", 2 } },
		.picks = { { 1, "WH-A", 2 } },
		.complete = true, .single = true, .n_used = 1,
	},
	{
		.name = "complete location beats a better-priority partial one",
		.locs = { { "A", 1, false, EVERYWHERE },
			  { "B", 9, false, EVERYWHERE } },
		.lines = { { 1, "X", 2 }, { 2, "Y", 2 } },
		.stock = { { "A", "X", 2 }, { "B", "X", 2 }, { "B", "Y", 2 } },
		.picks = { { 1, "B", 2 }, { 2, "B", 2 } },
		.complete = true, .single = true, .n_used = 1,
	},
	{
		.name = "split across two when none has everything",
		.locs = { { "A", 1, false, EVERYWHERE },
			  { "B", 2, false, EVERYWHERE } },
		.lines = { { 1, "X", 3 }, { 2, "Y", 2 } },
		.stock = { { "A", "X", 5 }, { "B", "Y", 5 } },
		.picks = { { 1, "A", 3 }, { 2, "B", 2 } },
		.complete = true, .n_used = 2,
	},
	{
		.name = "one line split over two locations in priority order",
		.locs = { { "B", 1, false, EVERYWHERE },
			  { "A", 2, false, EVERYWHERE } },
		.lines = { { 1, "X", 5 } },
		.stock = { { "A", "X", 4 }, { "B", "X", 2 } },
		.picks = { { 1, "B", 2 }, { 1, "A", 3 } },
		.complete = true, .n_used = 2,
	},
	{
		.name = "fewest locations: a pair where priority order takes three",
		.locs = { { "A", 1, false, EVERYWHERE },
			  { "B", 2, false, EVERYWHERE },
			  { "C", 3, false, EVERYWHERE } },
		.lines = { { 1, "X", 1 }, { 2, "Y", 1 }, { 3, "Z", 1 } },
		.stock = { { "A", "X", 1 },
			   { "B", "Y", 1 },
			   { "C", "Y", 1 },
			   { "C", "Z", 1 } },
		.picks = { { 1, "A", 1 }, { 2, "C", 1 }, { 3, "C", 1 } },
		.complete = true, .n_used = 2,
	},
	{
		.name = "pairs of one size tie-break on priority sum",
		.locs = { { "A", 1, false, EVERYWHERE },
			  { "B", 5, false, EVERYWHERE },
			  { "C", 3, false, EVERYWHERE } },
		.lines = { { 1, "X", 1 }, { 2, "Y", 1 } },
		.stock = { { "A", "X", 1 }, { "B", "Y", 1 }, { "C", "Y", 1 } },
		.picks = { { 1, "A", 1 }, { 2, "C", 1 } },
		.complete = true, .n_used = 2,
	},
	{
		.name = "pairs of equal priority sum tie-break on codes",
		.locs = { { "D", 2, false, EVERYWHERE },
			  { "A", 1, false, EVERYWHERE },
			  { "C", 2, false, EVERYWHERE } },
		.lines = { { 1, "X", 1 }, { 2, "Y", 1 } },
		.stock = { { "A", "X", 1 }, { "D", "Y", 1 }, { "C", "Y", 1 } },
		.picks = { { 1, "A", 1 }, { 2, "C", 1 } },
		.complete = true, .n_used = 2,
	},
	{
		.name = "nothing anywhere: empty plan",
		.locs = { { "A", 1, false, EVERYWHERE },
			  { "B", 2, false, EVERYWHERE } },
		.lines = { { 1, "X", 3 }, { 2, "Y", 2 } },
		.stock = { { "A", "X", 0 }, { "B", "Z", 7 } },
		.unplanned = 5,
	},
	{
		.name = "no locations at all: empty plan",
		.lines = { { 1, "X", 3 } },
		.unplanned = 3,
	},
	{
		.name = "partially coverable from one location",
		.locs = { { "A", 1, false, EVERYWHERE },
			  { "B", 2, false, EVERYWHERE } },
		.lines = { { 1, "X", 5 }, { 2, "Y", 1 } },
		.stock = { { "A", "X", 2 }, { "B", "X", 1 } },
		.picks = { { 1, "A", 2 }, { 1, "B", 1 } },
		.unplanned = 3, .n_used = 2,
	},
	{
		.name = "partial: the single best covering location is enough",
		.locs = { { "A", 1, false, EVERYWHERE },
			  { "B", 2, false, EVERYWHERE } },
		.lines = { { 1, "X", 5 }, { 2, "Y", 2 } },
		.stock = { { "A", "X", 5 }, { "B", "X", 5 } },
		.picks = { { 1, "A", 5 } },
		.unplanned = 2, .n_used = 1,
	},
	{
		.name = "destination filtering by country",
		.country = "US",
		.locs = { { "GB1", 1, false, { "GB", NULL } },
			  { "US1", 2, false, { "ca", "us", NULL } } },
		.lines = { { 1, "X", 1 } },
		.stock = { { "GB1", "X", 5 }, { "US1", "X", 5 } },
		.picks = { { 1, "US1", 1 } },
		.complete = true, .single = true, .n_used = 1,
	},
	{
		.name = "destination filtering by country and region",
		.country = "us", .region = "ca",
		.locs = { { "NY", 1, false, { "US-NY", NULL } },
			  { "GB", 2, false, { "GB", NULL } },
			  { "CA", 3, false, { "US-CA", NULL } } },
		.lines = { { 1, "X", 1 } },
		.stock = { { "NY", "X", 5 }, { "GB", "X", 5 }, { "CA", "X", 5 } },
		.picks = { { 1, "CA", 1 } },
		.complete = true, .single = true, .n_used = 1,
	},
	{
		.name = "destination region in ISO 3166-2 form",
		.country = "US", .region = "US-CA",
		.locs = { { "NY", 1, false, { "US-NY", NULL } },
			  { "CA", 3, false, { "us-ca", NULL } } },
		.lines = { { 1, "X", 1 } },
		.stock = { { "NY", "X", 5 }, { "CA", "X", 5 } },
		.picks = { { 1, "CA", 1 } },
		.complete = true, .single = true, .n_used = 1,
	},
	{
		.name = "region entries do not serve a destination without region",
		.country = "US", .region = "",
		.locs = { { "CA", 1, false, { "US-CA", NULL } } },
		.lines = { { 1, "X", 1 } },
		.stock = { { "CA", "X", 5 } },
		.unplanned = 1,
	},
	{
		.name = "inactive locations are skipped",
		.locs = { { "A", 1, true, EVERYWHERE },
			  { "B", 2, false, EVERYWHERE } },
		.lines = { { 1, "X", 1 } },
		.stock = { { "A", "X", 5 }, { "B", "X", 5 } },
		.picks = { { 1, "B", 1 } },
		.complete = true, .single = true, .n_used = 1,
	},
	{
		.name = "excluded locations are skipped",
		.locs = { { "A", 1, false, EVERYWHERE },
			  { "B", 2, false, EVERYWHERE },
			  { "C", 3, false, EVERYWHERE } },
		.lines = { { 1, "X", 1 } },
		.stock = { { "A", "X", 5 }, { "B", "X", 5 }, { "C", "X", 5 } },
		.excluded = { "B", "A" },
		.picks = { { 1, "C", 1 } },
		.complete = true, .single = true, .n_used = 1,
	},
	{
		.name = "two lines of one SKU share a location's stock",
		.locs = { { "A", 1, false, EVERYWHERE },
			  { "B", 2, false, EVERYWHERE } },
		.lines = { { 2, "X", 3 }, { 1, "X", 3 } },
		.stock = { { "A", "X", 5 }, { "B", "X", 5 } },
		.picks = { { 1, "A", 3 }, { 2, "A", 2 }, { 2, "B", 1 } },
		.complete = true, .n_used = 2,
	},
	{
		.name = "two lines of one SKU: one location with the sum wins",
		.locs = { { "A", 1, false, EVERYWHERE },
			  { "B", 2, false, EVERYWHERE } },
		.lines = { { 1, "X", 3 }, { 2, "X", 3 } },
		.stock = { { "A", "X", 5 }, { "B", "X", 6 } },
		.picks = { { 1, "B", 3 }, { 2, "B", 3 } },
		.complete = true, .single = true, .n_used = 1,
	},
	{
		.name = "lines of one SKU short everywhere",
		.locs = { { "A", 1, false, EVERYWHERE } },
		.lines = { { 1, "X", 3 }, { 2, "X", 3 }, { 3, "X", 3 } },
		.stock = { { "A", "X", 4 } },
		.picks = { { 1, "A", 3 }, { 2, "A", 1 } },
		.unplanned = 5, .n_used = 1,
	},
	{
		.name = "zero-remaining lines are ignored",
		.locs = { { "A", 1, false, EVERYWHERE },
			  { "B", 2, false, EVERYWHERE } },
		.lines = { { 1, "X", 0 }, { 2, "Y", 2 } },
		.stock = { { "B", "Y", 2 } },
		.picks = { { 2, "B", 2 } },
		.complete = true, .single = true, .n_used = 1,
	},
	{
		.name = "every line already promised: empty, complete plan",
		.locs = { { "A", 1, false, EVERYWHERE } },
		.lines = { { 1, "X", 0 } },
		.complete = true,
	},
	{
		.name = "greedy path (15 candidates) takes the best ten",
		.locs = { { "L00", 0, false, EVERYWHERE },
			  { "L14", 14, false, EVERYWHERE },
			  { "L01", 1, false, EVERYWHERE },
			  { "L13", 13, false, EVERYWHERE },
			  { "L02", 2, false, EVERYWHERE },
			  { "L12", 12, false, EVERYWHERE },
			  { "L03", 3, false, EVERYWHERE },
			  { "L11", 11, false, EVERYWHERE },
			  { "L04", 4, false, EVERYWHERE },
			  { "L10", 10, false, EVERYWHERE },
			  { "L05", 5, false, EVERYWHERE },
			  { "L09", 9, false, EVERYWHERE },
			  { "L06", 6, false, EVERYWHERE },
			  { "L08", 8, false, EVERYWHERE },
			  { "L07", 7, false, EVERYWHERE } },
		.lines = { { 1, "X", 10 } },
		.stock = { { "L00", "X", 1 }, { "L01", "X", 1 },
			   { "L02", "X", 1 }, { "L03", "X", 1 },
			   { "L04", "X", 1 }, { "L05", "X", 1 },
			   { "L06", "X", 1 }, { "L07", "X", 1 },
			   { "L08", "X", 1 }, { "L09", "X", 1 },
			   { "L10", "X", 1 }, { "L11", "X", 1 },
			   { "L12", "X", 1 }, { "L13", "X", 1 },
			   { "L14", "X", 1 } },
		.picks = { { 1, "L00", 1 }, { 1, "L01", 1 }, { 1, "L02", 1 },
			   { 1, "L03", 1 }, { 1, "L04", 1 }, { 1, "L05", 1 },
			   { 1, "L06", 1 }, { 1, "L07", 1 }, { 1, "L08", 1 },
			   { 1, "L09", 1 } },
		.complete = true, .n_used = 10,
	},
	{
		.name = "greedy path (13 candidates) prefers the big location",
		.locs = { { "L00", 0, false, EVERYWHERE },
			  { "L01", 1, false, EVERYWHERE },
			  { "L02", 2, false, EVERYWHERE },
			  { "L03", 3, false, EVERYWHERE },
			  { "L04", 4, false, EVERYWHERE },
			  { "L05", 5, false, EVERYWHERE },
			  { "L06", 6, false, EVERYWHERE },
			  { "L07", 7, false, EVERYWHERE },
			  { "L08", 8, false, EVERYWHERE },
			  { "L09", 9, false, EVERYWHERE },
			  { "L10", 10, false, EVERYWHERE },
			  { "L11", 11, false, EVERYWHERE },
			  { "BIG", 50, false, EVERYWHERE } },
		.lines = { { 1, "X", 4 }, { 2, "Y", 4 } },
		.stock = { { "L00", "X", 1 }, { "L01", "X", 1 },
			   { "L02", "Y", 1 }, { "L03", "Y", 1 },
			   { "BIG", "X", 4 }, { "BIG", "Y", 3 },
			   { "L11", "Y", 1 } },
		.picks = { { 1, "BIG", 4 }, { 2, "L02", 1 }, { 2, "BIG", 3 } },
		.complete = true, .n_used = 2,
	},
	{
		.name = "greedy path drops a location the others make redundant",
		.locs = { { "P", 0, false, EVERYWHERE },
			  { "Q", 1, false, EVERYWHERE },
			  { "R", 2, false, EVERYWHERE },
			  { "F0", 5, false, EVERYWHERE },
			  { "F1", 5, false, EVERYWHERE },
			  { "F2", 5, false, EVERYWHERE },
			  { "F3", 5, false, EVERYWHERE },
			  { "F4", 5, false, EVERYWHERE },
			  { "F5", 5, false, EVERYWHERE },
			  { "F6", 5, false, EVERYWHERE },
			  { "F7", 5, false, EVERYWHERE },
			  { "F8", 5, false, EVERYWHERE },
			  { "F9", 5, false, EVERYWHERE } },
		.lines = { { 1, "X", 2 }, { 2, "Y", 2 } },
		/* Greedy takes P (2 units, best priority), then Q and R;
		 * Q and R alone cover everything, so P is dropped. */
		.stock = { { "P", "X", 1 }, { "P", "Y", 1 },
			   { "Q", "X", 2 }, { "R", "Y", 2 } },
		.picks = { { 1, "Q", 2 }, { 2, "R", 2 } },
		.complete = true, .n_used = 2,
	},
};

static void check_case(const struct plan_case *c)
{
	struct req_buf *b = build_case(c);
	allocate_plan plan;
	ordo_err err = ORDO_ERR_INIT;
	size_t n_expected = 0, i;

	print_message("case: %s\n", c->name);
	assert_int_equal(allocate_plan_make(&b->req, &plan, &err), ORDO_OK);
	allocate_plan_check(&b->req, &plan);
	while (n_expected < MAX_PICKS && c->picks[n_expected].loc)
		n_expected++;
	assert_int_equal(plan.n_picks, n_expected);
	for (i = 0; i < n_expected; i++) {
		assert_int_equal(plan.picks[i].line_no, c->picks[i].line_no);
		assert_string_equal(plan.picks[i].location, c->picks[i].loc);
		assert_int_equal(plan.picks[i].quantity, c->picks[i].quantity);
	}
	assert_int_equal(plan.complete, c->complete);
	assert_int_equal(plan.single_location, c->single);
	assert_int_equal(plan.units_unplanned, c->unplanned);
	assert_int_equal(plan.n_locations_used, c->n_used);
	allocate_plan_free(&plan);
	assert_null(plan.picks);
	free(b);
}

static void test_plan_table(void **unused)
{
	size_t i;

	(void)unused;
	for (i = 0; i < sizeof(plan_cases) / sizeof(plan_cases[0]); i++)
		check_case(&plan_cases[i]);
}

/* ---- serves ------------------------------------------------------------- */

static void test_location_serves(void **unused)
{
	static const struct {
		const char *serves[MAX_SERVE_DEFS];
		const char *country, *region;
		bool expected;
	} cases[] = {
		{ EVERYWHERE, "US", "CA", true },
		{ EVERYWHERE, "ZZ", "", true },
		{ { "US", NULL }, "US", "", true },
		{ { "US", NULL }, "us", "NY", true },
		{ { "us", NULL }, "US", "NY", true },
		{ { "US", NULL }, "GB", "", false },
		{ { "USA", NULL }, "US", "", false },
		{ { "U", NULL }, "US", "", false },
		{ { "US-CA", NULL }, "US", "CA", true },
		{ { "US-CA", NULL }, "US", "ca", true },
		{ { "US-CA", NULL }, "US", "US-CA", true },
		{ { "US-CA", NULL }, "US", "NY", false },
		{ { "US-CA", NULL }, "US", "", false },
		{ { "US-CA", NULL }, "CA", "", false },
		{ { "US-CA", NULL }, "GB", "CA", false },
		{ { "GB-ENG", NULL }, "GB", "ENG", true },
		{ { "GB-ENG", NULL }, "GB", "EN", false },
		{ { "GB", "US-NY", "US-CA", NULL }, "US", "CA", true },
		{ { "", NULL }, "US", "", false },
	};
	allocate_location *l = calloc(1, sizeof(*l));
	size_t i;
	const char *const *s;

	(void)unused;
	assert_non_null(l);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(l, 0, sizeof(*l));
		for (s = cases[i].serves; *s; s++)
			set_str(l->serves[l->n_serves++], sizeof(l->serves[0]),
				*s);
		assert_int_equal(allocate_location_serves(l, cases[i].country,
							  cases[i].region),
				 cases[i].expected);
	}
	free(l);
}

/* ---- invalid requests --------------------------------------------------- */

static void break_too_many_locations(struct req_buf *b)
{
	char code[32];
	size_t i;

	b->req.n_locations = 0;
	for (i = 0; i <= ALLOCATE_MAX_LOCATIONS; i++) {
		snprintf(code, sizeof(code), "L%zu", i);
		add_loc(b, code, 1, true, NULL);
	}
}

static void break_too_many_serves(struct req_buf *b)
{
	b->locs[0].n_serves = ALLOCATE_MAX_SERVES + 1;
}

static void break_negative_remaining(struct req_buf *b)
{
	b->lines[1].remaining = -1;
}

static void break_huge_remaining(struct req_buf *b)
{
	b->lines[0].remaining = ORDO_MAX_QUANTITY + 1;
}

static void break_negative_available(struct req_buf *b)
{
	b->stock[1].available = -3;
}

static void break_huge_available(struct req_buf *b)
{
	b->stock[0].available = ORDO_MAX_STOCK + 1;
}

static void break_duplicate_location(struct req_buf *b)
{
	set_str(b->locs[1].code, sizeof(b->locs[1].code), "A");
}

static void break_duplicate_line_no(struct req_buf *b)
{
	b->lines[1].line_no = b->lines[0].line_no;
}

static void break_duplicate_stock(struct req_buf *b)
{
	add_stock(b, "A", "X", 1);
}

static void break_no_country(struct req_buf *b)
{
	b->req.country = NULL;
}

static void break_too_many_lines(struct req_buf *b)
{
	int i;

	b->req.n_lines = 0;
	for (i = 0; i <= ORDO_MAX_LINES; i++)
		add_line(b, i + 1, "X", 1);
}

static void break_unterminated_sku(struct req_buf *b)
{
	memset(b->lines[0].sku, 'x', sizeof(b->lines[0].sku));
}

static void break_missing_array(struct req_buf *b)
{
	b->req.stock = NULL;
}

static void test_invalid_requests(void **unused)
{
	static const struct {
		const char *name;
		void (*mutate)(struct req_buf *b);
		const char *field;
	} cases[] = {
		{ "too many locations", break_too_many_locations, "locations" },
		{ "too many serves", break_too_many_serves,
		  "locations[0].serves" },
		{ "negative remaining", break_negative_remaining,
		  "lines[1].remaining" },
		{ "remaining past the limit", break_huge_remaining,
		  "lines[0].remaining" },
		{ "negative available", break_negative_available,
		  "stock[1].available" },
		{ "available past the limit", break_huge_available,
		  "stock[0].available" },
		{ "duplicate location", break_duplicate_location,
		  "locations[1].code" },
		{ "duplicate line number", break_duplicate_line_no,
		  "lines[1].line_no" },
		{ "duplicate stock row", break_duplicate_stock, "stock[2]" },
		{ "no country", break_no_country, "country" },
		{ "too many lines", break_too_many_lines, "lines" },
		{ "unterminated sku", break_unterminated_sku, "lines[0].sku" },
		{ "count without array", break_missing_array, "" },
	};
	size_t i;

	(void)unused;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct req_buf *b = req_buf_new();
		allocate_plan plan;
		ordo_err err = ORDO_ERR_INIT;

		print_message("case: %s\n", cases[i].name);
		add_loc(b, "A", 1, true, NULL);
		add_loc(b, "B", 2, true, NULL);
		add_line(b, 1, "X", 2);
		add_line(b, 2, "Y", 2);
		add_stock(b, "A", "X", 5);
		add_stock(b, "B", "Y", 5);
		/* The unbroken request is fine. */
		assert_int_equal(allocate_plan_make(&b->req, &plan, &err),
				 ORDO_OK);
		allocate_plan_free(&plan);

		cases[i].mutate(b);
		memset(&plan, 0xa5, sizeof(plan));
		assert_int_equal(allocate_plan_make(&b->req, &plan, &err),
				 ORDO_EINVALID);
		assert_int_equal(err.code, ORDO_EINVALID);
		assert_string_equal(err.field, cases[i].field);
		assert_true(err.message[0] != '\0');
		assert_null(plan.picks);
		assert_int_equal(plan.n_picks, 0);
		allocate_plan_free(&plan);
		free(b);
	}
}

static void test_limits_are_inclusive(void **unused)
{
	struct req_buf *b = req_buf_new();
	allocate_plan plan;
	ordo_err err = ORDO_ERR_INIT;
	char code[32];
	size_t i;

	(void)unused;
	for (i = 0; i < ALLOCATE_MAX_LOCATIONS; i++) {
		snprintf(code, sizeof(code), "L%03zu", i);
		add_loc(b, code, (int)(i % 7), true, NULL);
	}
	b->locs[0].n_serves = ALLOCATE_MAX_SERVES;
	for (i = 0; i < ALLOCATE_MAX_SERVES; i++)
		set_str(b->locs[0].serves[i], sizeof(b->locs[0].serves[i]),
			"US");
	add_line(b, 1, "X", ORDO_MAX_QUANTITY);
	add_stock(b, "L005", "X", ORDO_MAX_STOCK);
	assert_int_equal(allocate_plan_make(&b->req, &plan, &err), ORDO_OK);
	allocate_plan_check(&b->req, &plan);
	assert_true(plan.single_location);
	assert_string_equal(plan.picks[0].location, "L005");
	allocate_plan_free(&plan);
	free(b);
}

/* ---- randomized properties ---------------------------------------------- */

static uint64_t rng_state;

static uint32_t rng(void)
{
	/* xorshift64*: fixed seed, same sequence on every platform. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545F4914F6CDD1DULL) >> 32);
}

static size_t rng_below(size_t n)
{
	return n ? rng() % n : 0;
}

static const char *const skus[] = { "S0", "S1", "S2" };
static const char *const serve_pool[] = { "US", "GB", "US-CA", "us-ny", "CA" };

static void random_request(struct req_buf *b, size_t n_locs, size_t n_lines)
{
	char code[32];
	size_t i, j;

	b->req.region = rng_below(2) ? "CA" : "NY";
	for (i = 0; i < n_locs; i++) {
		const char *serves[4] = { NULL };
		size_t n_serves = rng_below(3);

		for (j = 0; j < n_serves; j++)
			serves[j] = serve_pool[rng_below(5)];
		snprintf(code, sizeof(code), "W%zu", rng_below(4) * 10 + i);
		add_loc(b, code, (int)rng_below(4), rng_below(10) != 0,
			serves);
		for (j = 0; j < 3; j++)
			if (rng_below(4) != 0)
				add_stock(b, code, skus[j],
					  (int64_t)rng_below(6));
		if (rng_below(8) == 0)
			b->excluded[b->req.n_excluded++] =
				b->locs[b->req.n_locations - 1].code;
	}
	for (i = 0; i < n_lines; i++)
		add_line(b, (int)(n_lines - i) * 3, skus[rng_below(3)],
			 (int64_t)rng_below(5));
}

/* Rule 1, written again from the header. */
static bool ref_candidate(const allocate_request *req,
			  const allocate_location *l)
{
	size_t i;

	if (!l->active)
		return false;
	for (i = 0; i < req->n_excluded; i++)
		if (strcmp(req->excluded[i], l->code) == 0)
			return false;
	return allocate_location_serves(l, req->country, req->region);
}

static int64_t ref_stock(const allocate_request *req, const char *loc,
			 const char *sku)
{
	size_t i;

	for (i = 0; i < req->n_stock; i++)
		if (strcmp(req->stock[i].location, loc) == 0 &&
		    strcmp(req->stock[i].sku, sku) == 0)
			return req->stock[i].available;
	return 0;
}

/*
 * Units a set of locations (bit mask over req->locations) can plan: lines
 * take from the set's locations in priority order, each (location, sku)
 * drained as it goes. Any line order gives the same total.
 */
static int64_t ref_cover(const allocate_request *req, unsigned mask)
{
	int64_t used[MAX_LOCS][3] = { { 0 } };
	int64_t covered = 0;
	size_t li, k, s;

	for (li = 0; li < req->n_lines; li++) {
		int64_t need = req->lines[li].remaining;

		for (s = 0; s < 3; s++)
			if (strcmp(req->lines[li].sku, skus[s]) == 0)
				break;
		for (k = 0; k < req->n_locations && need > 0; k++) {
			const allocate_location *l = &req->locations[k];
			int64_t left, take;

			if (!(mask & (1u << k)))
				continue;
			left = ref_stock(req, l->code, skus[s]) - used[k][s];
			take = need < left ? need : left;
			used[k][s] += take;
			need -= take;
			covered += take;
		}
	}
	return covered;
}

struct ref_result {
	int64_t total;
	int64_t max_cover;
	size_t min_k;	  /* fewest locations reaching max_cover */
	long best_prio;	  /* lowest priority sum among those */
	int single_prio;  /* best complete single location, or -1 */
	const char *single_code;
};

static struct ref_result reference(const allocate_request *req)
{
	struct ref_result r = { 0, 0, 0, 0, -1, NULL };
	unsigned cand = 0, mask;
	size_t i;

	for (i = 0; i < req->n_lines; i++)
		r.total += req->lines[i].remaining;
	for (i = 0; i < req->n_locations; i++)
		if (ref_candidate(req, &req->locations[i]))
			cand |= 1u << i;
	r.max_cover = ref_cover(req, cand);
	r.min_k = (size_t)-1;
	for (mask = 0; mask <= cand; mask++) {
		size_t k = 0;
		long prio = 0;

		if ((mask & ~cand) || ref_cover(req, mask) != r.max_cover)
			continue;
		for (i = 0; i < req->n_locations; i++)
			if (mask & (1u << i)) {
				k++;
				prio += req->locations[i].priority;
			}
		if (k < r.min_k || (k == r.min_k && prio < r.best_prio)) {
			r.min_k = k;
			r.best_prio = prio;
		}
		if (k == 1 && r.max_cover == r.total && r.total > 0) {
			const allocate_location *l = NULL;

			for (i = 0; i < req->n_locations; i++)
				if (mask & (1u << i))
					l = &req->locations[i];
			if (!r.single_code || l->priority < r.single_prio ||
			    (l->priority == r.single_prio &&
			     strcmp(l->code, r.single_code) < 0)) {
				r.single_prio = l->priority;
				r.single_code = l->code;
			}
		}
	}
	return r;
}

static const allocate_location *find_loc(const allocate_request *req,
					 const char *code)
{
	size_t i;

	for (i = 0; i < req->n_locations; i++)
		if (strcmp(req->locations[i].code, code) == 0)
			return &req->locations[i];
	return NULL;
}

/* Picks sorted by line number, then location priority, then code. */
static void check_pick_order(const allocate_request *req,
			     const allocate_plan *plan)
{
	size_t i;

	for (i = 1; i < plan->n_picks; i++) {
		const allocate_pick *a = &plan->picks[i - 1];
		const allocate_pick *b = &plan->picks[i];
		const allocate_location *la = find_loc(req, a->location);
		const allocate_location *lb = find_loc(req, b->location);

		assert_true(a->line_no <= b->line_no);
		if (a->line_no == b->line_no)
			assert_true(la->priority < lb->priority ||
				    (la->priority == lb->priority &&
				     strcmp(la->code, lb->code) < 0));
	}
}

static void shuffle_request(struct req_buf *b)
{
	size_t i, j;

	for (i = b->req.n_locations; i > 1; i--) {
		allocate_location t;

		j = rng_below(i);
		t = b->locs[i - 1];
		b->locs[i - 1] = b->locs[j];
		b->locs[j] = t;
	}
	for (i = b->req.n_lines; i > 1; i--) {
		allocate_line t;

		j = rng_below(i);
		t = b->lines[i - 1];
		b->lines[i - 1] = b->lines[j];
		b->lines[j] = t;
	}
	for (i = b->req.n_stock; i > 1; i--) {
		allocate_stock t;

		j = rng_below(i);
		t = b->stock[i - 1];
		b->stock[i - 1] = b->stock[j];
		b->stock[j] = t;
	}
}

static bool same_plan(const allocate_plan *a, const allocate_plan *b)
{
	size_t i;

	if (a->n_picks != b->n_picks ||
	    a->n_locations_used != b->n_locations_used ||
	    a->complete != b->complete ||
	    a->single_location != b->single_location ||
	    a->units_unplanned != b->units_unplanned)
		return false;
	for (i = 0; i < a->n_picks; i++)
		if (a->picks[i].line_no != b->picks[i].line_no ||
		    strcmp(a->picks[i].location, b->picks[i].location) != 0 ||
		    a->picks[i].quantity != b->picks[i].quantity)
			return false;
	return true;
}

static void test_random_exact(void **unused)
{
	struct req_buf *b = req_buf_new();
	struct req_buf *shuffled = req_buf_new();
	size_t iter, i;
	unsigned n_single = 0, n_partial = 0, n_split = 0;

	(void)unused;
	rng_state = 0x6f72646f2d616c6cULL;
	for (iter = 0; iter < 2000; iter++) {
		allocate_plan plan, plan2;
		ordo_err err = ORDO_ERR_INIT;
		struct ref_result r;
		long prio = 0;

		memset(b, 0, sizeof(*b));
		b->req = (allocate_request){ .country = "US",
					     .lines = b->lines,
					     .locations = b->locs,
					     .stock = b->stock,
					     .excluded = b->excluded };
		random_request(b, rng_below(7), rng_below(6));
		assert_int_equal(allocate_plan_make(&b->req, &plan, &err),
				 ORDO_OK);
		allocate_plan_check(&b->req, &plan);
		check_pick_order(&b->req, &plan);
		r = reference(&b->req);

		assert_int_equal(r.total - plan.units_unplanned,
				 r.max_cover < r.total ? r.max_cover : r.total);
		if (r.single_code) {
			assert_true(plan.single_location);
			assert_string_equal(plan.picks[0].location,
					    r.single_code);
			n_single++;
		}
		assert_int_equal(plan.n_locations_used, r.min_k);
		for (i = 0; i < b->req.n_locations; i++) {
			size_t p;

			for (p = 0; p < plan.n_picks; p++)
				if (strcmp(plan.picks[p].location,
					   b->locs[i].code) == 0)
					break;
			if (p < plan.n_picks)
				prio += b->locs[i].priority;
		}
		assert_int_equal(prio, r.best_prio);
		n_partial += !plan.complete;
		n_split += plan.n_locations_used > 1;

		/* Same request, arrays in another order: same plan. */
		*shuffled = *b;
		shuffled->req.lines = shuffled->lines;
		shuffled->req.locations = shuffled->locs;
		shuffled->req.stock = shuffled->stock;
		shuffled->req.excluded = shuffled->excluded;
		for (i = 0; i < b->req.n_excluded; i++)
			shuffled->excluded[i] = b->excluded[i];
		shuffle_request(shuffled);
		assert_int_equal(allocate_plan_make(&shuffled->req, &plan2,
						    &err),
				 ORDO_OK);
		assert_true(same_plan(&plan, &plan2));
		allocate_plan_free(&plan);
		allocate_plan_free(&plan2);
	}
	/* The generator reaches every kind of plan. */
	assert_true(n_single > 100);
	assert_true(n_partial > 100);
	assert_true(n_split > 100);
	free(b);
	free(shuffled);
}

static void test_random_greedy(void **unused)
{
	struct req_buf *b = req_buf_new();
	size_t iter, i;

	(void)unused;
	rng_state = 0x677265656479ULL;
	for (iter = 0; iter < 300; iter++) {
		allocate_plan plan;
		ordo_err err = ORDO_ERR_INIT;
		char code[32];
		int64_t total = 0, cover = 0;
		size_t s, l, n_locs, n_lines;

		memset(b, 0, sizeof(*b));
		b->req = (allocate_request){ .country = "US",
					     .region = "CA",
					     .lines = b->lines,
					     .locations = b->locs,
					     .stock = b->stock };
		n_locs = ALLOCATE_EXACT_MAX + 1 + rng_below(8);
		n_lines = 1 + rng_below(5);
		for (i = 0; i < n_locs; i++) {
			snprintf(code, sizeof(code), "G%02zu", i);
			add_loc(b, code, (int)rng_below(3), true, NULL);
			for (s = 0; s < 3; s++)
				if (rng_below(3) == 0)
					add_stock(b, code, skus[s],
						  (int64_t)rng_below(4));
		}
		for (l = 0; l < n_lines; l++)
			add_line(b, (int)l + 1, skus[rng_below(3)],
				 (int64_t)rng_below(12));
		assert_int_equal(allocate_plan_make(&b->req, &plan, &err),
				 ORDO_OK);
		allocate_plan_check(&b->req, &plan);
		check_pick_order(&b->req, &plan);
		/* Greedy may use extra locations, never covers less. */
		for (s = 0; s < 3; s++) {
			int64_t demand = 0, have = 0;

			for (l = 0; l < b->req.n_lines; l++)
				if (strcmp(b->lines[l].sku, skus[s]) == 0)
					demand += b->lines[l].remaining;
			for (l = 0; l < b->req.n_stock; l++)
				if (strcmp(b->stock[l].sku, skus[s]) == 0)
					have += b->stock[l].available;
			total += demand;
			cover += demand < have ? demand : have;
		}
		assert_int_equal(plan.units_unplanned, total - cover);
		allocate_plan_free(&plan);
	}
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_table),
		cmocka_unit_test(test_location_serves),
		cmocka_unit_test(test_invalid_requests),
		cmocka_unit_test(test_limits_are_inclusive),
		cmocka_unit_test(test_random_exact),
		cmocka_unit_test(test_random_greedy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
