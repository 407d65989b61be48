/*
 * policy_eval.c - the evaluator of the review-policy language: reads the
 * order's fields and judges a compiled tree against them. See policy.h for
 * the language, policy_int.h for the tree.
 *
 * NOTES ON THE DESIGN
 *
 * Numbers never touch floating point. A NUMBER literal is (mantissa,
 * decimals); a field is read as (value, scale): ints have scale 0, money
 * has the scale of the order's currency exponent (USD 2, JPY 0, KWD 3).
 * dec_cmp() compares two such pairs exactly by dividing the finer one down
 * (floor division plus remainder) instead of multiplying the coarser one
 * up, so it cannot overflow and never rounds: "total > 999.999" on a USD
 * order compares 999.99 with 999.999, not with a rounded 1000.00.
 *
 * Evaluation allocates nothing. Strings are read in place from the order,
 * except shipping.method, which is lower-cased into a small buffer on the
 * caller's stack. Lists are walked where they are: a list literal item by
 * item, the skus field line by line.
 *
 * The parser only makes well-typed trees, so the evaluator could trust
 * them. It does not: every place that relies on a node's kind, type or
 * number of kids checks it, and a tree that breaks the promise marks the
 * evaluation broken (eval_broken) instead of reading a member that is not
 * there. policy_evaluate() then answers ORDO_EINTERNAL with no outcome.
 * These are checks, not assert()s, because release builds compile asserts
 * out, and a wrong verdict on an order is worse than a refused one.
 */
#include "core/policy_int.h"

#include <string.h>

#include "core/money.h"

/* One evaluation: what it reads, and whether the tree broke a promise. */
typedef struct {
	const policy_context *ctx;
	bool broken;
} eval_state;

/* The tree is not what the parser makes; the result will be thrown away. */
static void eval_broken(eval_state *ev)
{
	ev->broken = true;
}

/* ---- reading the order -------------------------------------------------- */

static bool method_expedited(const char *method)
{
	static const char *const fast[] = {
		"express",  "expedited", "overnight",
		"next_day", "priority",	 "same_day",
	};
	char norm[ORDO_METHOD_MAX];
	size_t i;

	/* "Next-Day" and "same day" are the same methods as next_day. */
	for (i = 0; method[i] && i + 1 < sizeof(norm); i++)
		norm[i] = (method[i] == '-' || method[i] == ' ')
				  ? '_'
				  : ascii_lower(method[i]);
	norm[i] = '\0';
	for (i = 0; i < sizeof(fast) / sizeof(fast[0]); i++)
		if (strcmp(norm, fast[i]) == 0)
			return true;
	return false;
}

#define PO_WORDS_MAX 64
#define PO_WORD_MAX 16

static bool is_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool word_is(const char *w, const char *s)
{
	return strcmp(w, s) == 0;
}

/* "pob" followed by a number ("POB 12") or "pobox12". */
static bool starts_digit(const char *w)
{
	return is_digit(w[0]);
}

/*
 * A PO box: the line, split into lower-cased words of letters and digits,
 * has "po box", "p o box", "pobox", "post office box", "p o b <number>" or
 * "pob <number>" (which covers "P.O. Box", "P. O. Box", "PO-Box",
 * "P.O.B. 12", "POB 12"). Whole words only, so "Tempo Box Rd" is not one.
 */
static bool line_po_box(const char *line)
{
	char words[PO_WORDS_MAX][PO_WORD_MAX];
	size_t n = 0, i, len;
	const char *s = line;

	while (*s && n < PO_WORDS_MAX) {
		while (*s && !is_alnum(*s))
			s++;
		if (!*s)
			break;
		len = 0;
		for (; is_alnum(*s); s++)
			if (len + 1 < PO_WORD_MAX)
				words[n][len++] = ascii_lower(*s);
		words[n++][len] = '\0';
	}
	for (i = 0; i < n; i++) {
		const char *w = words[i];
		const char *w1 = i + 1 < n ? words[i + 1] : "";
		const char *w2 = i + 2 < n ? words[i + 2] : "";
		const char *w3 = i + 3 < n ? words[i + 3] : "";

		if (word_is(w, "pobox") ||
		    (strncmp(w, "pobox", 5) == 0 && starts_digit(w + 5)))
			return true;
		if (word_is(w, "po") && word_is(w1, "box"))
			return true;
		if (word_is(w, "pob") && starts_digit(w1))
			return true;
		if (word_is(w, "p") && word_is(w1, "o") &&
		    (word_is(w2, "box") ||
		     (word_is(w2, "b") && starts_digit(w3))))
			return true;
		if (word_is(w, "post") && word_is(w1, "office") &&
		    word_is(w2, "box"))
			return true;
	}
	return false;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

static int64_t field_int(eval_state *ev, field_id f)
{
	const policy_context *ctx = ev->ctx;
	const order *o = ctx->o;
	int64_t v = 0, day;
	size_t i;

	switch (f) {
	case F_LINES_COUNT:
		return (int64_t)o->n_lines;
	case F_QUANTITY_TOTAL:
		for (i = 0; i < o->n_lines; i++)
			if (!money_add(v, o->lines[i].quantity, &v))
				return INT64_MAX; /* absurd; cannot be stored */
		return v;
	case F_QUANTITY_MAX:
		for (i = 0; i < o->n_lines; i++)
			if (o->lines[i].quantity > v)
				v = o->lines[i].quantity;
		return v;
	case F_CUSTOMER_ORDERS_COUNT:
		return ctx->customer_orders;
	case F_CUSTOMER_DEFECTS_COUNT:
		return ctx->customer_defects;
	case F_HOUR:
		v = o->received_at % 86400;
		return (v < 0 ? v + 86400 : v) / 3600;
	case F_WEEKDAY:
		/* 1970-01-01 was a Thursday (4). */
		day = floor_div(o->received_at, 86400);
		return day - floor_div(day + 4, 7) * 7 + 4;
	case F_TOTAL:
		return o->totals.total;
	case F_SUBTOTAL:
		return o->totals.subtotal;
	case F_SHIPPING_AMOUNT:
		return o->shipping.amount;
	default:
		eval_broken(ev);
		return 0;
	}
}

static bool field_bool(eval_state *ev, field_id f)
{
	const policy_context *ctx = ev->ctx;
	const order *o = ctx->o;

	switch (f) {
	case F_SHIPPING_EXPEDITED:
		return method_expedited(o->shipping.method);
	case F_ADDRESS_MISMATCH:
		/* A bill-to without a country says nothing about a mismatch. */
		return o->has_bill_to && o->bill_to.country[0] &&
		       !ascii_caseeq(o->bill_to.country, o->ship_to.country);
	case F_SHIP_TO_PO_BOX:
		return line_po_box(o->ship_to.line1) ||
		       line_po_box(o->ship_to.line2);
	case F_DESTINATION_SERVED:
		return ctx->destination_served;
	default:
		eval_broken(ev);
		return false;
	}
}

/* A string value; buf holds it when it had to be computed. */
typedef struct {
	char buf[ORDO_METHOD_MAX];
} strbuf;

static const char *field_string(eval_state *ev, field_id f, strbuf *sb)
{
	const order *o = ev->ctx->o;
	size_t i;

	switch (f) {
	case F_CURRENCY:
		return o->currency;
	case F_CHANNEL:
		return o->channel;
	case F_PAYMENT_STATUS:
		return payment_status_name(o->payment);
	case F_SHIPPING_METHOD:
		for (i = 0; o->shipping.method[i] && i + 1 < sizeof(sb->buf);
		     i++)
			sb->buf[i] = ascii_lower(o->shipping.method[i]);
		sb->buf[i] = '\0';
		return sb->buf;
	case F_SHIP_TO_COUNTRY:
		return o->ship_to.country;
	case F_SHIP_TO_REGION:
		return o->ship_to.region;
	case F_SHIP_TO_POSTAL_CODE:
		return o->ship_to.postal_code;
	case F_SHIP_TO_CITY:
		return o->ship_to.city;
	case F_BILL_TO_COUNTRY:
		return o->has_bill_to ? o->bill_to.country : "";
	case F_BILL_TO_REGION:
		return o->has_bill_to ? o->bill_to.region : "";
	case F_CUSTOMER_EMAIL:
		return o->customer.email;
	case F_CUSTOMER_PHONE:
		return o->customer.phone;
	case F_CUSTOMER_NAME:
		return o->customer.name;
	default:
		eval_broken(ev);
		return "";
	}
}

/* ---- evaluation --------------------------------------------------------- */

static bool eval_bool(eval_state *ev, const policy_expr *e);

/* Does e exist, have n kids (each there), and have type t? */
static bool node_ok(eval_state *ev, const policy_expr *e, size_t n, vtype t)
{
	size_t i;

	if (!e || e->type != t || e->n_kids != n || (n > 0 && !e->kids)) {
		eval_broken(ev);
		return false;
	}
	for (i = 0; i < n; i++)
		if (!e->kids[i]) {
			eval_broken(ev);
			return false;
		}
	return true;
}

static const char *eval_string(eval_state *ev, const policy_expr *e,
			       strbuf *sb)
{
	if (!node_ok(ev, e, 0, VT_STRING))
		return "";
	if (e->kind == N_STR && e->str)
		return e->str;
	if (e->kind != N_FIELD) {
		eval_broken(ev);
		return "";
	}
	return field_string(ev, e->field, sb);
}

/* An exact decimal: v * 10^-scale. */
typedef struct {
	int64_t v;
	int scale;
} decimal;

static const int64_t pow10_table[] = {
	1LL,
	10LL,
	100LL,
	1000LL,
	10000LL,
	100000LL,
	1000000LL,
	10000000LL,
	100000000LL,
	1000000000LL,
	10000000000LL,
	100000000000LL,
	1000000000000LL,
	10000000000000LL,
	100000000000000LL,
	1000000000000000LL,
	10000000000000000LL,
	100000000000000000LL,
	1000000000000000000LL,
};

/*
 * Compare a and b exactly: -1, 0 or 1. The finer one is split into
 * floor(v / 10^k) and a remainder in [0, 10^k), so nothing is multiplied.
 * A scale the table cannot hold (no literal or currency has one) breaks the
 * evaluation.
 */
static int dec_cmp(eval_state *ev, decimal a, decimal b)
{
	int64_t unit, q, r;
	int k;

	if (a.scale < 0 || b.scale < 0) {
		eval_broken(ev);
		return 0;
	}
	if (a.scale > b.scale)
		return -dec_cmp(ev, b, a);
	k = b.scale - a.scale;
	if ((size_t)k >= sizeof(pow10_table) / sizeof(pow10_table[0])) {
		eval_broken(ev);
		return 0;
	}
	unit = pow10_table[k];
	q = floor_div(b.v, unit);
	r = b.v % unit;
	if (r < 0)
		r += unit;
	if (a.v < q)
		return -1;
	if (a.v > q)
		return 1;
	return r > 0 ? -1 : 0;
}

static decimal eval_decimal(eval_state *ev, const policy_expr *e)
{
	decimal d = { 0, 0 };

	if (!e || e->n_kids != 0) {
		eval_broken(ev);
		return d;
	}
	if (e->kind == N_NUM && e->type == VT_NUMBER) {
		d.v = e->num;
		d.scale = e->decimals;
		return d;
	}
	if (e->kind != N_FIELD ||
	    (e->type != VT_INT && e->type != VT_MONEY)) {
		eval_broken(ev);
		return d;
	}
	d.v = field_int(ev, e->field);
	if (e->type == VT_MONEY)
		d.scale = money_currency_exponent(ev->ctx->o->currency);
	return d;
}

static bool cmp_result(eval_state *ev, cmp_op op, int c)
{
	switch (op) {
	case OP_EQ:
		return c == 0;
	case OP_NE:
		return c != 0;
	case OP_LT:
		return c < 0;
	case OP_LE:
		return c <= 0;
	case OP_GT:
		return c > 0;
	case OP_GE:
		return c >= 0;
	}
	eval_broken(ev);
	return false;
}

static bool eval_cmp(eval_state *ev, const policy_expr *e)
{
	const policy_expr *a = e->kids[0], *b = e->kids[1];
	strbuf sa, sb;
	int c;

	if (a->type == VT_BOOL) {
		c = (int)eval_bool(ev, a) - (int)eval_bool(ev, b);
	} else if (a->type == VT_STRING) {
		c = strcmp(eval_string(ev, a, &sa), eval_string(ev, b, &sb));
	} else {
		c = dec_cmp(ev, eval_decimal(ev, a), eval_decimal(ev, b));
	}
	return cmp_result(ev, e->op, c);
}

/* Is s an item of the list expression l? */
static bool list_has(eval_state *ev, const policy_expr *l, const char *s)
{
	const order *o = ev->ctx->o;
	strbuf sb;
	size_t i;

	if (l->type != VT_LIST) {
		eval_broken(ev);
		return false;
	}
	if (l->kind == N_LIST) {
		if (l->n_kids > 0 && !l->kids) {
			eval_broken(ev);
			return false;
		}
		for (i = 0; i < l->n_kids; i++)
			if (strcmp(eval_string(ev, l->kids[i], &sb), s) == 0)
				return true;
		return false;
	}
	if (l->kind != N_FIELD || l->field != F_SKUS) {
		eval_broken(ev);
		return false;
	}
	for (i = 0; i < o->n_lines; i++)
		if (strcmp(o->lines[i].sku, s) == 0)
			return true;
	return false;
}

static bool eval_bool(eval_state *ev, const policy_expr *e)
{
	strbuf sa, sb;
	size_t i;

	if (!e || e->type != VT_BOOL) {
		eval_broken(ev);
		return false;
	}
	switch (e->kind) {
	case N_BOOL:
		return e->b;
	case N_FIELD:
		return field_bool(ev, e->field);
	case N_NOT:
		if (!node_ok(ev, e, 1, VT_BOOL))
			return false;
		return !eval_bool(ev, e->kids[0]);
	case N_AND:
		if (!node_ok(ev, e, e->n_kids, VT_BOOL))
			return false;
		for (i = 0; i < e->n_kids; i++)
			if (!eval_bool(ev, e->kids[i]))
				return false;
		return true;
	case N_OR:
		if (!node_ok(ev, e, e->n_kids, VT_BOOL))
			return false;
		for (i = 0; i < e->n_kids; i++)
			if (eval_bool(ev, e->kids[i]))
				return true;
		return false;
	case N_CMP:
		if (!node_ok(ev, e, 2, VT_BOOL))
			return false;
		return eval_cmp(ev, e);
	case N_IN:
		if (!node_ok(ev, e, 2, VT_BOOL))
			return false;
		return list_has(ev, e->kids[1],
				eval_string(ev, e->kids[0], &sa));
	case N_HAS:
		if (!node_ok(ev, e, 2, VT_BOOL))
			return false;
		if (e->kids[0]->type == VT_LIST)
			return list_has(ev, e->kids[0],
					eval_string(ev, e->kids[1], &sb));
		return strstr(eval_string(ev, e->kids[0], &sa),
			      eval_string(ev, e->kids[1], &sb)) != NULL;
	default:
		eval_broken(ev);
		return false;
	}
}

bool policy_expr_eval(const policy_expr *e, const policy_context *ctx)
{
	eval_state ev = { ctx, false };
	bool v;

	if (!ctx || !ctx->o)
		return false;
	v = eval_bool(&ev, e);
	return v && !ev.broken;
}

ordo_code policy_evaluate(const policy *p, const policy_context *ctx,
			  policy_outcome *out)
{
	eval_state ev = { ctx, false };
	size_t i;
	bool v;

	if (!out)
		return ORDO_EINTERNAL;
	memset(out, 0, sizeof(*out));
	if (!p || !ctx || !ctx->o || p->n_rules > POLICY_MAX_RULES ||
	    (p->n_rules > 0 && !p->rules))
		return ORDO_EINTERNAL;
	for (i = 0; i < p->n_rules; i++) {
		v = eval_bool(&ev, p->rules[i].expr);
		if (ev.broken) {
			/* No verdict at all rather than a partial one. */
			memset(out, 0, sizeof(*out));
			out->failed = true;
			out->failed_at = i;
			return ORDO_EINTERNAL;
		}
		if (!v)
			continue;
		if (p->rules[i].approve) {
			out->approved = true;
			out->approved_by = i;
			return ORDO_OK;
		}
		out->hits[out->n_hits++] = i;
	}
	return ORDO_OK;
}
