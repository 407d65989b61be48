/*
 * allocate.c - deciding where each line of an order ships from. See
 * allocate.h for the rules; this note says how they are carried out.
 *
 * NOTES ON THE DESIGN OF THE PLANNER
 *
 * Working set. The request is first validated (limits, terminated strings,
 * no negative or absurd counts, no duplicate location code, line number or
 * (location, sku) stock row that the plan would depend on). Then:
 *
 * Location codes, SKUs and excluded codes match byte for byte; only serve
 * entries and the destination compare ignoring ASCII case.
 *
 *   cand[]   the candidates of rule 1, sorted by (priority, code). Every
 *            later "priority order" means this order, so plans do not
 *            depend on the order of the request's arrays.
 *   sku[]    the distinct SKUs of the lines with remaining > 0, and demand[s]
 *            the sum of remaining over those lines: several lines may ask for
 *            one SKU, and they draw on one pool of stock per location.
 *   avail[]  avail[c * n_sku + s], what candidate c can promise of SKU s.
 *
 * Coverage. Lines of one SKU drain the same per-location pools, so a set S
 * of candidates can plan exactly
 *
 *     cover(S) = sum over s of min(demand[s], sum over c in S of avail[c][s])
 *
 * units, whatever the order in which lines take from it; the pick loop below
 * reaches that figure (a line stops short only when every pool of its SKU in
 * S is empty). The most any plan can cover is cover(all candidates).
 *
 * Choosing the set.
 *   Rule 2: the first candidate in priority order with avail >= demand for
 *           every SKU ships the order alone.
 *   Rule 3: otherwise, with n <= ALLOCATE_EXACT_MAX candidates, every subset
 *           is tried by increasing size k; the first k with a subset reaching
 *           the maximum wins, and among those subsets the lowest sum of
 *           priorities, then the lexicographically smallest list of codes
 *           (codes in byte order), is kept. Past ALLOCATE_EXACT_MAX, a greedy
 *           set cover adds the candidate that covers most new units (ties to
 *           priority order) until the maximum is reached, then drops, worst
 *           priority first, any member the rest can do without. Greedy may use
 *           more locations than the optimum; it never covers less.
 *   Nothing coverable: the plan is empty and uses no location.
 *
 * Picks. Lines are visited by line number; each takes what it still needs
 * from the chosen locations in priority order, debiting a per-(location, sku)
 * copy of avail. So picks come out sorted by line number, then location
 * priority, and there is at most one pick per (line, location) - nothing to
 * merge. Every location of a minimal set ends up in some pick.
 *
 * Bounds. remaining <= ORDO_MAX_QUANTITY and lines <= ORDO_MAX_LINES keep
 * demand below 5 * 10^8; available <= ORDO_MAX_STOCK and locations <=
 * ALLOCATE_MAX_LOCATIONS keep any sum of stock below 3 * 10^11: nothing here
 * can overflow int64_t. The exhaustive search costs at most
 * 2^12 subsets * 12 * n_sku additions; the greedy one n^2 * n_sku.
 *
 * Memory: one request's scratch arrays are allocated together and freed
 * before returning; the only thing that outlives the call is plan->picks,
 * owned by the caller and released with allocate_plan_free().
 */
#include "core/allocate.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"

_Static_assert(ALLOCATE_EXACT_MAX <= 30, "subsets are enumerated by index");
_Static_assert(ORDO_MAX_LINES * ORDO_MAX_QUANTITY +
			       ALLOCATE_MAX_LOCATIONS * ORDO_MAX_STOCK <
		       INT64_MAX / 4,
	       "sums of demand and stock must not overflow");

/* ---- destinations ---------------------------------------------------- */

static char ascii_upper(char c)
{
	return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

/* Compare a[0..na) with b[0..nb) ignoring ASCII case. */
static bool ci_equal_n(const char *a, size_t na, const char *b, size_t nb)
{
	size_t i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
		if (ascii_upper(a[i]) != ascii_upper(b[i]))
			return false;
	return true;
}

/*
 * One serve entry against a destination: "US" matches the country, "US-CA"
 * the country and region. A destination region may itself be written in the
 * ISO 3166-2 form "US-CA"; its country prefix is then ignored.
 */
static bool serve_matches(const char *entry, size_t entry_max,
			  const char *country, const char *region)
{
	size_t n = strnlen(entry, entry_max);
	const char *dash = memchr(entry, '-', n);
	size_t nc = strlen(country);
	size_t nr;

	if (n == 0 || nc == 0)
		return false;
	if (!dash)
		return ci_equal_n(entry, n, country, nc);
	if (!ci_equal_n(entry, (size_t)(dash - entry), country, nc))
		return false;
	nr = strlen(region);
	if (nr > nc && region[nc] == '-' && ci_equal_n(region, nc, country, nc)) {
		region += nc + 1;
		nr -= nc + 1;
	}
	if (nr == 0)
		return false;
	return ci_equal_n(dash + 1, n - (size_t)(dash - entry) - 1, region, nr);
}

bool allocate_location_serves(const allocate_location *l, const char *country,
			      const char *region)
{
	size_t i, n;

	assert(l && l->n_serves <= ALLOCATE_MAX_SERVES);
	if (l->n_serves == 0)
		return true;
	if (!country)
		return false;
	if (!region)
		region = "";
	n = l->n_serves < ALLOCATE_MAX_SERVES ? l->n_serves :
						ALLOCATE_MAX_SERVES;
	for (i = 0; i < n; i++)
		if (serve_matches(l->serves[i], sizeof(l->serves[i]), country,
				  region))
			return true;
	return false;
}

static bool is_excluded(const allocate_request *req, const char *code)
{
	size_t i;

	for (i = 0; i < req->n_excluded; i++)
		if (req->excluded[i] && strcmp(req->excluded[i], code) == 0)
			return true;
	return false;
}

static bool is_candidate(const allocate_request *req,
			 const allocate_location *l)
{
	return l->active &&
	       allocate_location_serves(l, req->country, req->region) &&
	       !is_excluded(req, l->code);
}

/* ---- sorting helpers ---------------------------------------------------- */

/* Priority order: lower priority first, then code in byte order. */
static int location_cmp(const void *a, const void *b)
{
	const allocate_location *x = *(const allocate_location *const *)a;
	const allocate_location *y = *(const allocate_location *const *)b;

	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	return strcmp(x->code, y->code);
}

/* A string with the index it stands for, sortable and searchable by string. */
typedef struct {
	const char *key;
	size_t idx;
} keyed;

static int keyed_cmp(const void *a, const void *b)
{
	const keyed *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static const keyed *keyed_find(const keyed *v, size_t n, const char *key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(v[mid].key, key);

		if (c == 0)
			return &v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Lines by line number (ties by index, which validation rules out). */
typedef struct {
	int line_no;
	size_t idx;
} numbered;

static int numbered_cmp(const void *a, const void *b)
{
	const numbered *x = a, *y = b;

	if (x->line_no != y->line_no)
		return x->line_no < y->line_no ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* ---- validation --------------------------------------------------------- */

static bool terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

static const char *field_at(char *buf, size_t size, const char *array,
			    size_t i, const char *member)
{
	snprintf(buf, size, "%s[%zu]%s%s", array, i, *member ? "." : "",
		 member);
	return buf;
}

static ordo_code validate_request(const allocate_request *req, ordo_err *err)
{
	char f[ORDO_ERR_FIELD_MAX];
	size_t i, j;

	if (!req->country)
		return ordo_err_set(err, ORDO_EINVALID, "country",
				    "destination country is missing");
	if ((req->n_lines && !req->lines) ||
	    (req->n_locations && !req->locations) ||
	    (req->n_stock && !req->stock) ||
	    (req->n_excluded && !req->excluded))
		return ordo_err_set(err, ORDO_EINVALID, NULL,
				    "an array with a count has no elements");
	if (req->n_lines > ORDO_MAX_LINES)
		return ordo_err_set(err, ORDO_EINVALID, "lines",
				    "%zu lines, at most %d allowed",
				    req->n_lines, ORDO_MAX_LINES);
	if (req->n_locations > ALLOCATE_MAX_LOCATIONS)
		return ordo_err_set(err, ORDO_EINVALID, "locations",
				    "%zu locations, at most %d allowed",
				    req->n_locations, ALLOCATE_MAX_LOCATIONS);
	for (i = 0; i < req->n_lines; i++) {
		const allocate_line *l = &req->lines[i];

		if (!terminated(l->sku, sizeof(l->sku)))
			return ordo_err_set(err, ORDO_EINVALID,
					    field_at(f, sizeof(f), "lines", i,
						     "sku"),
					    "sku is not terminated");
		if (l->remaining < 0 || l->remaining > ORDO_MAX_QUANTITY)
			return ordo_err_set(
				err, ORDO_EINVALID,
				field_at(f, sizeof(f), "lines", i, "remaining"),
				"remaining %" PRId64
				" is outside 0..%lld",
				l->remaining, ORDO_MAX_QUANTITY);
	}
	for (i = 0; i < req->n_locations; i++) {
		const allocate_location *l = &req->locations[i];

		if (!terminated(l->code, sizeof(l->code)))
			return ordo_err_set(err, ORDO_EINVALID,
					    field_at(f, sizeof(f), "locations",
						     i, "code"),
					    "code is not terminated");
		if (l->n_serves > ALLOCATE_MAX_SERVES)
			return ordo_err_set(err, ORDO_EINVALID,
					    field_at(f, sizeof(f), "locations",
						     i, "serves"),
					    "%zu destinations, at most %d "
					    "allowed",
					    l->n_serves, ALLOCATE_MAX_SERVES);
		for (j = 0; j < l->n_serves; j++)
			if (!terminated(l->serves[j], sizeof(l->serves[j])))
				return ordo_err_set(
					err, ORDO_EINVALID,
					field_at(f, sizeof(f), "locations", i,
						 "serves"),
					"destination %zu is not terminated", j);
	}
	for (i = 0; i < req->n_stock; i++) {
		const allocate_stock *s = &req->stock[i];

		if (!terminated(s->location, sizeof(s->location)) ||
		    !terminated(s->sku, sizeof(s->sku)))
			return ordo_err_set(err, ORDO_EINVALID,
					    field_at(f, sizeof(f), "stock", i,
						     ""),
					    "location or sku is not "
					    "terminated");
		if (s->available < 0 || s->available > ORDO_MAX_STOCK)
			return ordo_err_set(
				err, ORDO_EINVALID,
				field_at(f, sizeof(f), "stock", i, "available"),
				"available %" PRId64 " is outside 0..%lld",
				s->available, ORDO_MAX_STOCK);
	}
	return ORDO_OK;
}

/* Duplicate location codes and line numbers make the plan ambiguous. */
static ordo_code check_unique(const allocate_request *req, keyed *codes,
			      numbered *nums, ordo_err *err)
{
	char f[ORDO_ERR_FIELD_MAX];
	size_t i;

	for (i = 0; i < req->n_locations; i++) {
		codes[i].key = req->locations[i].code;
		codes[i].idx = i;
	}
	if (req->n_locations)
		qsort(codes, req->n_locations, sizeof(*codes), keyed_cmp);
	for (i = 1; i < req->n_locations; i++)
		if (strcmp(codes[i - 1].key, codes[i].key) == 0)
			return ordo_err_set(err, ORDO_EINVALID,
					    field_at(f, sizeof(f), "locations",
						     codes[i].idx, "code"),
					    "location \"%s\" appears twice",
					    codes[i].key);
	for (i = 0; i < req->n_lines; i++) {
		nums[i].line_no = req->lines[i].line_no;
		nums[i].idx = i;
	}
	if (req->n_lines)
		qsort(nums, req->n_lines, sizeof(*nums), numbered_cmp);
	for (i = 1; i < req->n_lines; i++)
		if (nums[i - 1].line_no == nums[i].line_no)
			return ordo_err_set(err, ORDO_EINVALID,
					    field_at(f, sizeof(f), "lines",
						     nums[i].idx, "line_no"),
					    "line number %d appears twice",
					    nums[i].line_no);
	return ORDO_OK;
}

/* ---- the working set ---------------------------------------------------- */

typedef struct {
	size_t n_cand;
	const allocate_location **cand; /* priority order */
	keyed *cand_by_code;		/* for stock rows */
	size_t n_sku;
	keyed *sku_by_name; /* idx = dense sku index */
	int64_t *demand;    /* per sku */
	int64_t *avail;	    /* n_cand x n_sku */
	bool *avail_set;    /* a stock row was seen (duplicates) */
	size_t n_live;
	size_t *live;	   /* request line indices by line number */
	size_t *line_sku;  /* per request line: dense sku index */
	int64_t *cur;	   /* per sku scratch */
	bool *chosen;	   /* per candidate */
} allocate_ws;

static void ws_free(allocate_ws *ws)
{
	free(ws->cand);
	free(ws->cand_by_code);
	free(ws->sku_by_name);
	free(ws->demand);
	free(ws->avail);
	free(ws->avail_set);
	free(ws->live);
	free(ws->line_sku);
	free(ws->cur);
	free(ws->chosen);
}

static void *alloc_n(size_t n, size_t size)
{
	return calloc(n ? n : 1, size);
}

static ordo_code ws_build(const allocate_request *req, allocate_ws *ws,
			  const numbered *by_line_no, ordo_err *err)
{
	char f[ORDO_ERR_FIELD_MAX];
	size_t nl = req->n_lines, nloc = req->n_locations;
	size_t i, n_keys = 0;

	ws->cand = alloc_n(nloc, sizeof(*ws->cand));
	ws->cand_by_code = alloc_n(nloc, sizeof(*ws->cand_by_code));
	ws->sku_by_name = alloc_n(nl, sizeof(*ws->sku_by_name));
	ws->demand = alloc_n(nl, sizeof(*ws->demand));
	ws->live = alloc_n(nl, sizeof(*ws->live));
	ws->line_sku = alloc_n(nl, sizeof(*ws->line_sku));
	ws->cur = alloc_n(nl, sizeof(*ws->cur));
	ws->chosen = alloc_n(nloc, sizeof(*ws->chosen));
	if (!ws->cand || !ws->cand_by_code || !ws->sku_by_name ||
	    !ws->demand || !ws->live || !ws->line_sku || !ws->cur ||
	    !ws->chosen)
		return ordo_err_set(err, ORDO_ENOMEM, NULL,
				    "out of memory planning allocation");

	/* Rule 1: candidates, in priority order. */
	for (i = 0; i < nloc; i++)
		if (is_candidate(req, &req->locations[i]))
			ws->cand[ws->n_cand++] = &req->locations[i];
	if (ws->n_cand)
		qsort(ws->cand, ws->n_cand, sizeof(*ws->cand), location_cmp);
	for (i = 0; i < ws->n_cand; i++) {
		ws->cand_by_code[i].key = ws->cand[i]->code;
		ws->cand_by_code[i].idx = i;
	}
	if (ws->n_cand)
		qsort(ws->cand_by_code, ws->n_cand, sizeof(*ws->cand_by_code),
		      keyed_cmp);

	/* Live lines by line number, and their distinct SKUs. */
	for (i = 0; i < nl; i++) {
		size_t li = by_line_no[i].idx;

		if (req->lines[li].remaining > 0)
			ws->live[ws->n_live++] = li;
	}
	for (i = 0; i < ws->n_live; i++) {
		ws->sku_by_name[n_keys].key = req->lines[ws->live[i]].sku;
		ws->sku_by_name[n_keys].idx = ws->live[i];
		n_keys++;
	}
	if (n_keys)
		qsort(ws->sku_by_name, n_keys, sizeof(*ws->sku_by_name),
		      keyed_cmp);
	/* Collapse equal names; idx becomes the dense SKU index. */
	for (i = 0; i < n_keys; i++) {
		size_t li = ws->sku_by_name[i].idx;

		if (i == 0 || strcmp(ws->sku_by_name[ws->n_sku - 1].key,
				     ws->sku_by_name[i].key) != 0) {
			ws->sku_by_name[ws->n_sku].key = ws->sku_by_name[i].key;
			ws->sku_by_name[ws->n_sku].idx = ws->n_sku;
			ws->n_sku++;
		}
		ws->line_sku[li] = ws->n_sku - 1;
		ws->demand[ws->n_sku - 1] += req->lines[li].remaining;
	}

	ws->avail = alloc_n(ws->n_cand * ws->n_sku, sizeof(*ws->avail));
	ws->avail_set = alloc_n(ws->n_cand * ws->n_sku,
				sizeof(*ws->avail_set));
	if (!ws->avail || !ws->avail_set)
		return ordo_err_set(err, ORDO_ENOMEM, NULL,
				    "out of memory planning allocation");
	for (i = 0; i < req->n_stock; i++) {
		const allocate_stock *s = &req->stock[i];
		const keyed *c, *k;
		size_t at;

		c = keyed_find(ws->cand_by_code, ws->n_cand, s->location);
		k = keyed_find(ws->sku_by_name, ws->n_sku, s->sku);
		if (!c || !k)
			continue;
		at = c->idx * ws->n_sku + k->idx;
		if (ws->avail_set[at])
			return ordo_err_set(err, ORDO_EINVALID,
					    field_at(f, sizeof(f), "stock", i,
						     ""),
					    "stock of \"%s\" at \"%s\" appears "
					    "twice",
					    s->sku, s->location);
		ws->avail_set[at] = true;
		ws->avail[at] = s->available;
	}
	return ORDO_OK;
}

static int64_t avail_at(const allocate_ws *ws, size_t c, size_t s)
{
	return ws->avail[c * ws->n_sku + s];
}

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* cover(S) for S given as candidate indices. */
static int64_t cover_set(const allocate_ws *ws, const size_t *set, size_t k)
{
	int64_t total = 0;
	size_t s, i;

	for (s = 0; s < ws->n_sku; s++) {
		int64_t sum = 0;

		for (i = 0; i < k && sum < ws->demand[s]; i++)
			sum += avail_at(ws, set[i], s);
		total += min64(ws->demand[s], sum);
	}
	return total;
}

static int64_t cover_chosen(const allocate_ws *ws)
{
	int64_t total = 0;
	size_t s, c;

	for (s = 0; s < ws->n_sku; s++) {
		int64_t sum = 0;

		for (c = 0; c < ws->n_cand; c++)
			if (ws->chosen[c])
				sum += avail_at(ws, c, s);
		total += min64(ws->demand[s], sum);
	}
	return total;
}

/* ---- choosing the set --------------------------------------------------- */

/* Rule 2: the first candidate that has everything, or n_cand. */
static size_t find_single(const allocate_ws *ws)
{
	size_t c, s;

	for (c = 0; c < ws->n_cand; c++) {
		for (s = 0; s < ws->n_sku; s++)
			if (avail_at(ws, c, s) < ws->demand[s])
				break;
		if (s == ws->n_sku)
			return c;
	}
	return ws->n_cand;
}

static int64_t priority_sum(const allocate_ws *ws, const size_t *set, size_t k)
{
	int64_t sum = 0;
	size_t i;

	for (i = 0; i < k; i++)
		sum += ws->cand[set[i]]->priority;
	return sum;
}

/* The set's codes in byte order (k <= ALLOCATE_EXACT_MAX). */
static void sorted_codes(const allocate_ws *ws, const size_t *set, size_t k,
			 const char **out)
{
	size_t i, j;

	for (i = 0; i < k; i++) {
		const char *code = ws->cand[set[i]]->code;

		for (j = i; j > 0 && strcmp(out[j - 1], code) > 0; j--)
			out[j] = out[j - 1];
		out[j] = code;
	}
}

/* Negative when set a is preferred to set b of the same size and cover. */
static int set_cmp(const allocate_ws *ws, const size_t *a, const size_t *b,
		   size_t k)
{
	const char *ca[ALLOCATE_EXACT_MAX], *cb[ALLOCATE_EXACT_MAX];
	int64_t pa = priority_sum(ws, a, k), pb = priority_sum(ws, b, k);
	size_t i;

	if (pa != pb)
		return pa < pb ? -1 : 1;
	sorted_codes(ws, a, k, ca);
	sorted_codes(ws, b, k, cb);
	for (i = 0; i < k; i++) {
		int c = strcmp(ca[i], cb[i]);

		if (c)
			return c;
	}
	return 0;
}

/* Rule 3, exhaustively: every k-subset for k = 1, 2, ... */
static void choose_exact(allocate_ws *ws, int64_t max_cover)
{
	size_t idx[ALLOCATE_EXACT_MAX], best[ALLOCATE_EXACT_MAX];
	size_t n = ws->n_cand, k, i;
	bool found = false;

	assert(n <= ALLOCATE_EXACT_MAX);
	for (k = 1; k <= n && !found; k++) {
		for (i = 0; i < k; i++)
			idx[i] = i;
		for (;;) {
			if (cover_set(ws, idx, k) == max_cover &&
			    (!found || set_cmp(ws, idx, best, k) < 0)) {
				memcpy(best, idx, k * sizeof(idx[0]));
				found = true;
			}
			/* Next combination in lexicographic order. */
			i = k;
			while (i > 0 && idx[i - 1] == n - k + i - 1)
				i--;
			if (i == 0)
				break;
			idx[i - 1]++;
			for (; i < k; i++)
				idx[i] = idx[i - 1] + 1;
		}
		if (found)
			for (i = 0; i < k; i++)
				ws->chosen[best[i]] = true;
	}
	assert(found);
}

/* Rule 3, greedily, then pruned. */
static void choose_greedy(allocate_ws *ws, int64_t max_cover)
{
	int64_t covered = 0;
	size_t s, c;

	memset(ws->cur, 0, ws->n_sku * sizeof(*ws->cur));
	while (covered < max_cover) {
		size_t best = ws->n_cand;
		int64_t best_gain = 0;

		for (c = 0; c < ws->n_cand; c++) {
			int64_t gain = 0;

			if (ws->chosen[c])
				continue;
			for (s = 0; s < ws->n_sku; s++) {
				int64_t d = ws->demand[s], have = ws->cur[s];

				gain += min64(d, have + avail_at(ws, c, s)) -
					min64(d, have);
			}
			if (gain > best_gain) {
				best_gain = gain;
				best = c;
			}
		}
		assert(best < ws->n_cand);
		ws->chosen[best] = true;
		for (s = 0; s < ws->n_sku; s++)
			ws->cur[s] += avail_at(ws, best, s);
		covered += best_gain;
	}
	for (c = ws->n_cand; c-- > 0;) {
		if (!ws->chosen[c])
			continue;
		ws->chosen[c] = false;
		if (cover_chosen(ws) < max_cover)
			ws->chosen[c] = true;
	}
}

/* ---- the plan ----------------------------------------------------------- */

static ordo_code emit_picks(const allocate_request *req, allocate_ws *ws,
			    allocate_plan *plan, ordo_err *err)
{
	size_t n_chosen = 0, i, c, p;
	int64_t *left;
	bool *used;

	for (c = 0; c < ws->n_cand; c++)
		n_chosen += ws->chosen[c];
	if (n_chosen == 0)
		return ORDO_OK;
	left = alloc_n(ws->n_cand * ws->n_sku, sizeof(*left));
	used = alloc_n(ws->n_cand, sizeof(*used));
	plan->picks = alloc_n(ws->n_live * n_chosen, sizeof(*plan->picks));
	if (!left || !used || !plan->picks) {
		free(left);
		free(used);
		return ordo_err_set(err, ORDO_ENOMEM, NULL,
				    "out of memory planning allocation");
	}
	memcpy(left, ws->avail, ws->n_cand * ws->n_sku * sizeof(*left));
	for (i = 0; i < ws->n_live; i++) {
		const allocate_line *l = &req->lines[ws->live[i]];
		size_t s = ws->line_sku[ws->live[i]];
		int64_t need = l->remaining;

		for (c = 0; c < ws->n_cand && need > 0; c++) {
			int64_t *pool = &left[c * ws->n_sku + s];
			int64_t take;
			allocate_pick *pk;

			if (!ws->chosen[c] || *pool == 0)
				continue;
			take = min64(need, *pool);
			*pool -= take;
			need -= take;
			used[c] = true;
			pk = &plan->picks[plan->n_picks++];
			pk->line_no = l->line_no;
			ordo_strlcpy(pk->location, ws->cand[c]->code,
				     sizeof(pk->location));
			pk->quantity = take;
		}
		plan->units_unplanned += need;
	}
	for (c = 0; c < ws->n_cand; c++)
		plan->n_locations_used += used[c];
	for (p = 0; p < plan->n_picks; p++)
		assert(plan->picks[p].quantity > 0);
	free(left);
	free(used);
	return ORDO_OK;
}

ordo_code allocate_plan_make(const allocate_request *req, allocate_plan *plan,
			     ordo_err *err)
{
	allocate_ws ws = { 0 };
	keyed *codes = NULL;
	numbered *nums = NULL;
	int64_t total = 0, max_cover;
	ordo_code rc;
	size_t i, single;

	assert(req && plan);
	memset(plan, 0, sizeof(*plan));
	ordo_err_clear(err);
	rc = validate_request(req, err);
	if (rc)
		return rc;
	codes = alloc_n(req->n_locations, sizeof(*codes));
	nums = alloc_n(req->n_lines, sizeof(*nums));
	if (!codes || !nums) {
		rc = ordo_err_set(err, ORDO_ENOMEM, NULL,
				  "out of memory planning allocation");
		goto out;
	}
	rc = check_unique(req, codes, nums, err);
	if (rc)
		goto out;
	rc = ws_build(req, &ws, nums, err);
	if (rc)
		goto out;

	for (i = 0; i < ws.n_sku; i++)
		total += ws.demand[i];
	for (i = 0; i < ws.n_cand; i++)
		ws.chosen[i] = true;
	max_cover = cover_chosen(&ws);
	memset(ws.chosen, 0, ws.n_cand * sizeof(*ws.chosen));

	/* With nothing to plan, or nothing any candidate can cover, the plan
	 * is empty and uses no location. */
	plan->units_unplanned = total;
	if (max_cover > 0) {
		single = find_single(&ws);
		if (single < ws.n_cand)
			ws.chosen[single] = true;
		else if (ws.n_cand <= ALLOCATE_EXACT_MAX)
			choose_exact(&ws, max_cover);
		else
			choose_greedy(&ws, max_cover);
		plan->units_unplanned = 0;
		rc = emit_picks(req, &ws, plan, err);
		if (rc)
			goto out;
	}
	assert(plan->units_unplanned == total - max_cover);
	plan->complete = plan->units_unplanned == 0;
	plan->single_location = plan->complete && plan->n_locations_used == 1;
out:
	if (rc)
		allocate_plan_free(plan);
	free(codes);
	free(nums);
	ws_free(&ws);
	return rc;
}

void allocate_plan_free(allocate_plan *plan)
{
	if (!plan)
		return;
	free(plan->picks);
	memset(plan, 0, sizeof(*plan));
}

/* ---- the check ---------------------------------------------------------- */

#ifdef NDEBUG

void allocate_plan_check(const allocate_request *req,
			 const allocate_plan *plan)
{
	(void)req;
	(void)plan;
}

#else

typedef struct {
	const char *location;
	const char *sku;
	int64_t quantity;
} taken;

static int taken_cmp(const void *a, const void *b)
{
	const taken *x = a, *y = b;
	int c = strcmp(x->location, y->location);

	return c ? c : strcmp(x->sku, y->sku);
}

static const allocate_line *check_line(const allocate_request *req,
				       int line_no)
{
	size_t i;

	for (i = 0; i < req->n_lines; i++)
		if (req->lines[i].line_no == line_no)
			return &req->lines[i];
	return NULL;
}

static int64_t check_available(const allocate_request *req, const char *loc,
			       const char *sku)
{
	int64_t sum = 0;
	size_t i;

	/* Duplicate rows are refused by allocate_plan_make; summing them here
	 * only makes the check weaker, never wrong. */
	for (i = 0; i < req->n_stock; i++)
		if (strcmp(req->stock[i].location, loc) == 0 &&
		    strcmp(req->stock[i].sku, sku) == 0)
			sum += req->stock[i].available;
	return sum;
}

/*
 * Independent of the planner: recomputes everything from the request. Costs
 * O(picks * (lines + locations) + pairs * stock), meant for tests and debug
 * builds; with NDEBUG it is empty.
 */
void allocate_plan_check(const allocate_request *req,
			 const allocate_plan *plan)
{
	taken *t;
	int64_t total = 0, planned = 0;
	size_t i, j, used = 0;

	assert(req && plan);
	assert(plan->n_picks == 0 || plan->picks);
	for (i = 0; i < req->n_lines; i++) {
		int64_t sum = 0;

		total += req->lines[i].remaining;
		for (j = 0; j < plan->n_picks; j++)
			if (plan->picks[j].line_no == req->lines[i].line_no)
				sum += plan->picks[j].quantity;
		assert(sum <= req->lines[i].remaining);
	}
	for (i = 0; i < plan->n_picks; i++) {
		const allocate_pick *p = &plan->picks[i];
		const allocate_location *loc = NULL;

		assert(p->quantity > 0);
		assert(check_line(req, p->line_no) != NULL);
		for (j = 0; j < req->n_locations; j++)
			if (strcmp(req->locations[j].code, p->location) == 0)
				loc = &req->locations[j];
		assert(loc && is_candidate(req, loc));
		planned += p->quantity;
	}
	assert(plan->units_unplanned == total - planned);
	assert(plan->complete == (plan->units_unplanned == 0));
	assert(!plan->single_location ||
	       (plan->complete && plan->n_locations_used == 1));
	if (plan->n_picks == 0) {
		assert(plan->n_locations_used == 0);
		return;
	}

	t = calloc(plan->n_picks, sizeof(*t));
	assert(t);
	if (!t)
		return;
	for (i = 0; i < plan->n_picks; i++) {
		const allocate_line *l = check_line(req, plan->picks[i].line_no);

		t[i].location = plan->picks[i].location;
		t[i].sku = l ? l->sku : "";
		t[i].quantity = plan->picks[i].quantity;
	}
	qsort(t, plan->n_picks, sizeof(*t), taken_cmp);
	for (i = 0; i < plan->n_picks; i = j) {
		int64_t sum = 0;

		for (j = i; j < plan->n_picks && taken_cmp(&t[i], &t[j]) == 0;
		     j++)
			sum += t[j].quantity;
		assert(sum <= check_available(req, t[i].location, t[i].sku));
		used += i == 0 || strcmp(t[i - 1].location, t[i].location) != 0;
	}
	assert(plan->n_locations_used == used);
	free(t);
}

#endif /* NDEBUG */
