/*
 * fulfillment.c - fulfillment states and reasons, the order stage derived
 * from line quantities, and release deadlines. See fulfillment.h.
 */
#include "core/fulfillment.h"

#include <stdlib.h>
#include <string.h>

static const char *const state_names[] = {
#define FULFILLMENT_X_NAME(e, name) name,
	FULFILLMENT_STATE_MAP(FULFILLMENT_X_NAME)
#undef FULFILLMENT_X_NAME
};

const char *fulfillment_state_name(fulfillment_state s)
{
	return (unsigned)s < FULFILLMENT_STATE_COUNT ? state_names[s]
						     : "unknown";
}

int fulfillment_state_parse(const char *name, fulfillment_state *out)
{
	int i;

	for (i = 0; i < FULFILLMENT_STATE_COUNT; i++) {
		if (strcmp(name, state_names[i]) == 0) {
			*out = (fulfillment_state)i;
			return 0;
		}
	}
	return -1;
}

bool fulfillment_can_move(fulfillment_state from, fulfillment_state to)
{
	switch (from) {
	case FULFILLMENT_PENDING:
		return to == FULFILLMENT_RELEASED ||
		       to == FULFILLMENT_CANCELLED;
	case FULFILLMENT_RELEASED:
		return to == FULFILLMENT_ACCEPTED ||
		       to == FULFILLMENT_REJECTED ||
		       to == FULFILLMENT_SHIPPED ||
		       to == FULFILLMENT_CANCELLED;
	case FULFILLMENT_ACCEPTED:
		return to == FULFILLMENT_REJECTED ||
		       to == FULFILLMENT_SHIPPED ||
		       to == FULFILLMENT_CANCELLED;
	case FULFILLMENT_REJECTED:
	case FULFILLMENT_SHIPPED:
	case FULFILLMENT_CANCELLED:
	case FULFILLMENT_STATE_COUNT:
		break;
	}
	return false;
}

ordo_code fulfillment_move(fulfillment_state *state, fulfillment_state to,
			   ordo_err *err)
{
	if (!fulfillment_can_move(*state, to))
		return ordo_err_set(err, ORDO_ESTATE, "state",
				    "cannot move a fulfillment from %s to %s",
				    fulfillment_state_name(*state),
				    fulfillment_state_name(to));
	*state = to;
	return ORDO_OK;
}

static const struct {
	const char *name;
	hold_type hold;
} reasons[] = {
#define REJECT_X_ROW(e, name, hold) {name, hold},
	REJECT_REASON_MAP(REJECT_X_ROW)
#undef REJECT_X_ROW
};

const char *reject_reason_name(reject_reason r)
{
	return (unsigned)r < REJECT_REASON_COUNT ? reasons[r].name : "other";
}

int reject_reason_parse(const char *name, reject_reason *out)
{
	int i;

	for (i = 0; i < REJECT_REASON_COUNT; i++) {
		if (strcmp(name, reasons[i].name) == 0) {
			*out = (reject_reason)i;
			return 0;
		}
	}
	return -1;
}

hold_type reject_reason_hold(reject_reason r)
{
	return (unsigned)r < REJECT_REASON_COUNT ? reasons[r].hold
						 : HOLD_POLICY_EXCEPTION;
}

bool reject_reason_reroutes(reject_reason r)
{
	return r == REJECT_OUT_OF_STOCK || r == REJECT_INVALID_SKU;
}

void fulfillment_free(fulfillment *f)
{
	if (!f)
		return;
	free(f->lines);
	memset(f, 0, sizeof(*f));
}

int64_t fulfillment_unshipped(const fulfillment *f)
{
	int64_t n = 0;
	size_t i;

	for (i = 0; i < f->n_lines; i++)
		n += f->lines[i].quantity - f->lines[i].shipped;
	return n;
}

void shipment_free(shipment *s)
{
	if (!s)
		return;
	free(s->lines);
	memset(s, 0, sizeof(*s));
}

static const char *const bucket_names[] = {"open", "allocated", "released",
					   "shipped", "cancelled"};

const char *qty_bucket_name(qty_bucket b)
{
	return (unsigned)b <= QTY_CANCELLED ? bucket_names[b] : "unknown";
}

static int64_t *bucket(order_line *l, qty_bucket b)
{
	switch (b) {
	case QTY_OPEN:
		return &l->qty_open;
	case QTY_ALLOCATED:
		return &l->qty_allocated;
	case QTY_RELEASED:
		return &l->qty_released;
	case QTY_SHIPPED:
		return &l->qty_shipped;
	case QTY_CANCELLED:
		return &l->qty_cancelled;
	}
	return NULL;
}

ordo_code order_line_move(order_line *l, qty_bucket from, qty_bucket to,
			  int64_t q, ordo_err *err)
{
	int64_t *src = bucket(l, from), *dst = bucket(l, to);

	order_line_check(l);
	/* Shipped and cancelled units never move again (returns are
	 * counted apart, in qty_returned). */
	if (!src || !dst || src == dst || q <= 0 || from == QTY_SHIPPED ||
	    from == QTY_CANCELLED)
		return ordo_err_set(err, ORDO_ECONFLICT, "quantity",
				    "line %d: cannot move %lld units from %s "
				    "to %s",
				    l->line_no, (long long)q,
				    qty_bucket_name(from), qty_bucket_name(to));
	if (*src < q)
		return ordo_err_set(err, ORDO_ECONFLICT, "quantity",
				    "line %d (%s): only %lld units are %s, "
				    "cannot move %lld to %s",
				    l->line_no, l->sku, (long long)*src,
				    qty_bucket_name(from), (long long)q,
				    qty_bucket_name(to));
	*src -= q;
	*dst += q;
	order_line_check(l);
	return ORDO_OK;
}

int64_t order_open_units(const order *o)
{
	int64_t n = 0;
	size_t i;

	for (i = 0; i < o->n_lines; i++)
		n += o->lines[i].qty_open;
	return n;
}

order_state order_stage_from_lines(const order *o)
{
	int64_t live = 0, allocated = 0, released = 0, shipped = 0;
	size_t i;

	for (i = 0; i < o->n_lines; i++) {
		const order_line *l = &o->lines[i];

		order_line_check(l);
		live += l->quantity - l->qty_cancelled;
		allocated += l->qty_allocated;
		released += l->qty_released;
		shipped += l->qty_shipped;
	}
	if (live == 0)
		return ORDER_CANCELLED;
	if (shipped == live)
		return ORDER_SHIPPED;
	if (released + shipped > 0)
		return ORDER_RELEASED;
	if (allocated > 0)
		return ORDER_ALLOCATED;
	return ORDER_ACCEPTED;
}

ordo_time release_due_at(ordo_time accepted_at, int64_t sla_s,
			 int cutoff_minute)
{
	ordo_time due = accepted_at + sla_s, day, cutoff;

	if (cutoff_minute < 0 || cutoff_minute >= 24 * 60)
		return due;
	/* Floor division: times before 1970 still land on their own day. */
	day = accepted_at >= 0 ? accepted_at / 86400
			       : -((-accepted_at + 86399) / 86400);
	cutoff = day * 86400 + (ordo_time)cutoff_minute * 60;
	if (cutoff < accepted_at)
		cutoff += 86400;
	return cutoff < due ? cutoff : due;
}
