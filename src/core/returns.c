/*
 * returns.c - authorising, receiving and refunding returns (see
 * returns.h).
 */
#include "core/returns.h"

#include <stdio.h>
#include <string.h>

static const char *const reason_names[] = {
#define RETURN_X_NAME(e, name) name,
	RETURN_REASON_MAP(RETURN_X_NAME)
#undef RETURN_X_NAME
};

const char *return_reason_name(return_reason r)
{
	return (unsigned)r < RETURN_REASON_COUNT ? reason_names[r] : "unknown";
}

int return_reason_parse(const char *name, return_reason *out)
{
	int i;

	for (i = 0; i < RETURN_REASON_COUNT; i++) {
		if (strcmp(name, reason_names[i]) == 0) {
			*out = (return_reason)i;
			return 0;
		}
	}
	return -1;
}

bool return_reason_is_claim(return_reason r)
{
	return r == RETURN_WRONG_ITEM || r == RETURN_MISSING_ITEM;
}

const char *const return_states[] = {
	"authorized", "partly_received", "received", "refunded", NULL,
};

bool return_state_known(const char *name)
{
	size_t i;

	for (i = 0; return_states[i]; i++)
		if (strcmp(name, return_states[i]) == 0)
			return true;
	return false;
}

/* Each line named once: ORDO_EINVALID naming the second. */
static ordo_code asks_distinct(const return_ask *asks, size_t n,
			       ordo_err *err)
{
	char field[ORDO_ERR_FIELD_MAX];
	size_t i, k;

	for (i = 0; i < n; i++) {
		for (k = 0; k < i; k++) {
			if (asks[k].line_no != asks[i].line_no)
				continue;
			snprintf(field, sizeof(field), "lines[%zu].line_no", i);
			return ordo_err_set(err, ORDO_EINVALID, field,
					    "line %d is named twice",
					    asks[i].line_no);
		}
	}
	return ORDO_OK;
}

ordo_code return_authorize(order *o, order_return *r, const return_ask *asks,
			   size_t n, ordo_err *err)
{
	char field[ORDO_ERR_FIELD_MAX];
	size_t i, k;
	ordo_code rc;

	if (n == 0 || n > RETURN_LINES_MAX)
		return ordo_err_set(err, ORDO_EINVALID, "lines",
				    "a return names 1 to %d lines",
				    RETURN_LINES_MAX);
	rc = asks_distinct(asks, n, err);
	if (rc)
		return rc;
	for (i = 0; i < n; i++) {
		const order_line *l = NULL;
		int64_t left;

		for (k = 0; k < o->n_lines && !l; k++)
			if (o->lines[k].line_no == asks[i].line_no)
				l = &o->lines[k];
		snprintf(field, sizeof(field), "lines[%zu].line_no", i);
		if (!l)
			return ordo_err_set(err, ORDO_ENOTFOUND, field,
					    "order %s has no line %d", o->id,
					    asks[i].line_no);
		left = l->qty_shipped - l->qty_returned;
		snprintf(field, sizeof(field), "lines[%zu].quantity", i);
		if (asks[i].quantity < 1 || asks[i].quantity > left)
			return ordo_err_set(err, ORDO_ESTATE, field,
					    "line %d has %lld shipped unit%s "
					    "not yet returned, not %lld",
					    l->line_no, (long long)left,
					    left == 1 ? "" : "s",
					    (long long)asks[i].quantity);
	}
	r->n_lines = n;
	for (i = 0; i < n; i++) {
		return_line *rl = &r->lines[i];

		memset(rl, 0, sizeof(*rl));
		for (k = 0; k < o->n_lines; k++) {
			order_line *l = &o->lines[k];

			if (l->line_no != asks[i].line_no)
				continue;
			l->qty_returned += asks[i].quantity;
			order_line_check(l);
			rl->line_no = l->line_no;
			ordo_strlcpy(rl->sku, l->sku, sizeof(rl->sku));
			rl->quantity = asks[i].quantity;
		}
	}
	ordo_strlcpy(r->state, "authorized", sizeof(r->state));
	return ORDO_OK;
}

ordo_code return_receive(order_return *r, const return_ask *asks, size_t n,
			 bool restock, ordo_err *err)
{
	char field[ORDO_ERR_FIELD_MAX];
	size_t i, k;
	bool all = true;
	ordo_code rc;

	if (strcmp(r->state, "received") == 0)
		return ordo_err_set(err, ORDO_ESTATE, "state",
				    "return %s is received; nothing more comes "
				    "back under it",
				    r->id);
	if (n == 0 || n > RETURN_LINES_MAX)
		return ordo_err_set(err, ORDO_EINVALID, "lines",
				    "a receipt names 1 to %d lines",
				    RETURN_LINES_MAX);
	rc = asks_distinct(asks, n, err);
	if (rc)
		return rc;
	for (i = 0; i < n; i++) {
		const return_line *rl = NULL;
		int64_t left;

		for (k = 0; k < r->n_lines && !rl; k++)
			if (r->lines[k].line_no == asks[i].line_no)
				rl = &r->lines[k];
		snprintf(field, sizeof(field), "lines[%zu].line_no", i);
		if (!rl)
			return ordo_err_set(err, ORDO_ENOTFOUND, field,
					    "return %s has no line %d", r->id,
					    asks[i].line_no);
		left = rl->quantity - rl->received;
		snprintf(field, sizeof(field), "lines[%zu].quantity", i);
		if (asks[i].quantity < 1 || asks[i].quantity > left)
			return ordo_err_set(err, ORDO_ESTATE, field,
					    "line %d of return %s has %lld "
					    "unit%s still to come, not %lld",
					    rl->line_no, r->id, (long long)left,
					    left == 1 ? "" : "s",
					    (long long)asks[i].quantity);
	}
	for (i = 0; i < n; i++) {
		for (k = 0; k < r->n_lines; k++) {
			return_line *rl = &r->lines[k];

			if (rl->line_no != asks[i].line_no)
				continue;
			rl->received += asks[i].quantity;
			if (restock)
				rl->restocked += asks[i].quantity;
		}
	}
	for (k = 0; k < r->n_lines; k++)
		all &= r->lines[k].received == r->lines[k].quantity;
	/* Refunded stays refunded (the money is the last word); what came
	 * back after is in the lines. */
	if (!r->refunded_at)
		ordo_strlcpy(r->state, all ? "received" : "partly_received",
			     sizeof(r->state));
	return ORDO_OK;
}

ordo_code return_refund(order_return *r, ordo_money amount,
			const char *reference, const char *actor,
			ordo_time now, ordo_err *err)
{
	if (r->refunded_at)
		return ordo_err_set(err, ORDO_ESTATE, "state",
				    "return %s was refunded already", r->id);
	if (amount <= 0)
		return ordo_err_set(err, ORDO_EINVALID, "amount",
				    "a refund is more than 0");
	r->refund_amount = amount;
	ordo_strlcpy(r->refund_reference, reference,
		     sizeof(r->refund_reference));
	ordo_strlcpy(r->refunded_by, actor, sizeof(r->refunded_by));
	r->refunded_at = now;
	ordo_strlcpy(r->state, "refunded", sizeof(r->state));
	return ORDO_OK;
}
