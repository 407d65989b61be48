/*
 * order.c - names of the order's enums, and the memory and quantity rules of
 * an order. See order.h.
 *
 * Ownership: an order owns its lines and holds arrays; order_free() releases
 * both and leaves a zeroed order, so it may be called twice. Lines are
 * allocated once, in one block, by order_lines_alloc(); holds grow one at a
 * time up to ORDO_MAX_HOLDS (both arrays must come from malloc).
 *
 * The quantity identity of a line,
 *
 *     ordered = open + allocated + released + shipped + cancelled
 *     0 <= returned <= shipped, every count >= 0
 *
 * is a programmer invariant: order_line_check() asserts it, while
 * order_line_consistent() only reports it, for tests and for rows read back
 * from a store, where a broken identity is an operating error to report.
 * order_check() is the guard on the way out: the app calls it before every
 * write of an order's lines, in every build (asserts are compiled out of
 * release builds), and a broken line fails the job with ORDO_EINTERNAL.
 */
#include "core/order.h"

#include "core/fulfillment.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

static const char *const hold_type_names[] = {
#define HOLD_X_NAME(e, name) name,
	HOLD_TYPE_MAP(HOLD_X_NAME)
#undef HOLD_X_NAME
};

static const char *const payment_status_names[] = {
#define PAYMENT_X_NAME(e, name) name,
	PAYMENT_STATUS_MAP(PAYMENT_X_NAME)
#undef PAYMENT_X_NAME
};

const char *hold_type_name(hold_type t)
{
	if ((unsigned)t >= HOLD_TYPE_COUNT)
		return "unknown";
	return hold_type_names[t];
}

int hold_type_parse(const char *name, hold_type *out)
{
	size_t i;

	if (!name)
		return -1;
	for (i = 0; i < HOLD_TYPE_COUNT; i++) {
		if (strcmp(name, hold_type_names[i]) == 0) {
			*out = (hold_type)i;
			return 0;
		}
	}
	return -1;
}

const char *hold_status_name(hold_status s)
{
	switch (s) {
	case HOLD_OPEN:
		return "open";
	case HOLD_RESOLVED:
		return "resolved";
	}
	return "unknown";
}

bool hold_claim_live(const order_hold *h, ordo_time now)
{
	return h->claimed_until >= now;
}

const char *payment_status_name(payment_status p)
{
	if ((unsigned)p >= PAYMENT_STATUS_COUNT)
		return "unknown";
	return payment_status_names[p];
}

int payment_status_parse(const char *name, payment_status *out)
{
	size_t i;

	if (!name)
		return -1;
	for (i = 0; i < PAYMENT_STATUS_COUNT; i++) {
		if (strcmp(name, payment_status_names[i]) == 0) {
			*out = (payment_status)i;
			return 0;
		}
	}
	return -1;
}

void order_fulfillments_free(order *o)
{
	size_t i;

	for (i = 0; i < o->n_fulfillments; i++)
		fulfillment_free(&o->fulfillments[i]);
	free(o->fulfillments);
	o->fulfillments = NULL;
	o->n_fulfillments = 0;
}

void order_shipments_free(order *o)
{
	size_t i;

	for (i = 0; i < o->n_shipments; i++)
		shipment_free(&o->shipments[i]);
	free(o->shipments);
	o->shipments = NULL;
	o->n_shipments = 0;
}

void order_init(order *o)
{
	memset(o, 0, sizeof(*o));
	o->lines = NULL;
	o->holds = NULL;
}

void order_free(order *o)
{
	if (!o)
		return;
	free(o->lines);
	free(o->holds);
	free(o->defects);
	free(o->source);
	order_fulfillments_free(o);
	order_shipments_free(o);
	order_init(o);
}

ordo_code order_copy(order *dst, const order *src, ordo_err *err)
{
	*dst = *src;
	dst->lines = NULL;
	dst->holds = NULL;
	dst->fulfillments = NULL;
	dst->n_fulfillments = 0;
	dst->shipments = NULL;
	dst->n_shipments = 0;
	dst->defects = NULL;
	dst->n_defects = 0;
	dst->source = NULL;
	if (src->source) {
		dst->source = strdup(src->source);
		if (!dst->source)
			goto nomem;
	}
	if (src->n_lines) {
		dst->lines = malloc(src->n_lines * sizeof(*dst->lines));
		if (!dst->lines)
			goto nomem;
		memcpy(dst->lines, src->lines,
		       src->n_lines * sizeof(*dst->lines));
	}
	if (src->n_holds) {
		dst->holds = malloc(src->n_holds * sizeof(*dst->holds));
		if (!dst->holds)
			goto nomem;
		memcpy(dst->holds, src->holds,
		       src->n_holds * sizeof(*dst->holds));
	}
	return ORDO_OK;
nomem:
	free(dst->source);
	free(dst->lines);
	order_init(dst);
	return ordo_err_set(err, ORDO_ENOMEM, NULL,
			    "out of memory copying an order");
}

ordo_code order_lines_alloc(order *o, size_t n, ordo_err *err)
{
	order_line *lines;

	/* Replacing lines would leak or confuse ownership: programmer error. */
	assert(o->lines == NULL && o->n_lines == 0);
	if (n > ORDO_MAX_LINES)
		return ordo_err_set(
			err, ORDO_ELIMIT, "lines",
			"an order may have at most %d lines, not %zu",
			ORDO_MAX_LINES, n);
	if (n == 0)
		return ORDO_OK;
	lines = calloc(n, sizeof(*lines));
	if (!lines)
		return ordo_err_set(err, ORDO_ENOMEM, "lines",
				    "out of memory allocating %zu lines", n);
	o->lines = lines;
	o->n_lines = n;
	return ORDO_OK;
}

/*
 * The holds array's capacity is not stored in the order (the struct is shared
 * with the store and the API, which may build the array themselves with
 * malloc), so every append reallocates to exactly n_holds + 1. An order has
 * at most ORDO_MAX_HOLDS holds and realloc usually grows in place, so the
 * cost is small and no code has to agree on a hidden capacity.
 */
order_hold *order_hold_add(order *o, const order_hold *h)
{
	order_hold *nh;

	if (o->n_holds >= ORDO_MAX_HOLDS)
		return NULL;
	nh = realloc(o->holds, (o->n_holds + 1) * sizeof(*nh));
	if (!nh)
		return NULL;
	o->holds = nh;
	o->holds[o->n_holds] = *h;
	return &o->holds[o->n_holds++];
}

size_t order_open_holds(const order *o)
{
	size_t i, n = 0;

	for (i = 0; i < o->n_holds; i++)
		if (o->holds[i].status == HOLD_OPEN)
			n++;
	return n;
}

void order_lines_open_all(order *o)
{
	size_t i;

	for (i = 0; i < o->n_lines; i++) {
		order_line *l = &o->lines[i];

		l->qty_open = l->quantity;
		l->qty_allocated = 0;
		l->qty_released = 0;
		l->qty_shipped = 0;
		l->qty_cancelled = 0;
		l->qty_returned = 0;
		order_line_check(l);
	}
}

ordo_code order_line_set_quantity(order_line *l, int64_t qty, ordo_err *err)
{
	int64_t promised, ordered;

	order_line_check(l);
	if (qty < 1 || qty > ORDO_MAX_QUANTITY)
		return ordo_err_set(err, ORDO_EINVALID, "quantity",
				    "must be between 1 and %lld (got %lld)",
				    (long long)ORDO_MAX_QUANTITY,
				    (long long)qty);
	/* The identity holds (checked above), so this sum fits. */
	promised = l->qty_allocated + l->qty_released + l->qty_shipped;
	if (qty < promised)
		return ordo_err_set(err, ORDO_ESTATE, "quantity",
				    "line %d has %lld units promised or "
				    "shipped; it cannot be made %lld",
				    l->line_no, (long long)promised,
				    (long long)qty);
	if (__builtin_add_overflow(qty, l->qty_cancelled, &ordered))
		return ordo_err_set(err, ORDO_EINVALID, "quantity",
				    "line %d cannot be made %lld units",
				    l->line_no, (long long)qty);
	l->qty_open = qty - promised;
	l->quantity = ordered;
	order_line_check(l);
	return ORDO_OK;
}

bool order_line_consistent(const order_line *l)
{
	int64_t sum;

	if (l->quantity < 0 || l->qty_open < 0 || l->qty_allocated < 0 ||
	    l->qty_released < 0 || l->qty_shipped < 0 || l->qty_cancelled < 0 ||
	    l->qty_returned < 0)
		return false;
	/* Each part is bounded by ORDO_MAX_QUANTITY in practice, but a row read
	 * back from a store may hold anything: add with overflow checks. */
	if (__builtin_add_overflow(l->qty_open, l->qty_allocated, &sum) ||
	    __builtin_add_overflow(sum, l->qty_released, &sum) ||
	    __builtin_add_overflow(sum, l->qty_shipped, &sum) ||
	    __builtin_add_overflow(sum, l->qty_cancelled, &sum))
		return false;
	return sum == l->quantity && l->qty_returned <= l->qty_shipped;
}

void order_line_check(const order_line *l)
{
	assert(order_line_consistent(l));
	(void)l;
}

ordo_code order_check(const order *o, ordo_err *err)
{
	const order_line *l;
	size_t i;

	if (o->n_lines > 0 && !o->lines)
		return ordo_err_set(err, ORDO_EINTERNAL, "lines",
				    "order %s: %zu lines without their array",
				    o->id, o->n_lines);
	for (i = 0; i < o->n_lines; i++) {
		l = &o->lines[i];
		if (order_line_consistent(l))
			continue;
		return ordo_err_set(
			err, ORDO_EINTERNAL, "lines",
			"order %s, line %d (%.64s): ordered %lld must equal "
			"open %lld + allocated %lld + released %lld + shipped "
			"%lld + cancelled %lld, with 0 <= returned %lld <= "
			"shipped and no count negative; not written",
			o->id, l->line_no, l->sku, (long long)l->quantity,
			(long long)l->qty_open, (long long)l->qty_allocated,
			(long long)l->qty_released, (long long)l->qty_shipped,
			(long long)l->qty_cancelled, (long long)l->qty_returned);
	}
	return ORDO_OK;
}
