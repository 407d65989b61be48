/*
 * policy_parse.c - the recursive-descent parser and type checker of the
 * review-policy language, the checks on a rule's id and outcome, and the
 * default policy. See policy.h for the language, policy_int.h for the tree.
 *
 * NOTES ON THE DESIGN
 *
 * Compiling one condition is a single pass. The lexer hands the parser one
 * token at a time; the parser builds the tree bottom-up and gives every node
 * its type the moment the node is made (node_* constructors and the checks
 * in parse_*), so a type error is reported at the token that caused it, and
 * a tree that exists is well typed. The first problem ends the pass: the
 * parser records a column and a reason, frees what it built and returns
 * NULL; policy_compile() turns that into the ordo_err.
 *
 * Depth. Each "(", "[" and "not" opens a level; more than POLICY_MAX_DEPTH
 * open levels are refused. A level adds at most four tree levels (or, and,
 * compare, value), so both the parser's and the evaluator's recursion are
 * bounded by a small constant times POLICY_MAX_DEPTH.
 */
#include "core/policy_int.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


const char *const policy_field_names[] = {
#define FIELD_X_NAME(e, name, type) name,
	FIELD_MAP(FIELD_X_NAME)
#undef FIELD_X_NAME
	NULL
};

const vtype policy_field_types[F_COUNT] = {
#define FIELD_X_TYPE(e, name, type) type,
	FIELD_MAP(FIELD_X_TYPE)
#undef FIELD_X_TYPE
};

static const char *vtype_name(vtype t)
{
	switch (t) {
	case VT_BOOL:
		return "bool";
	case VT_INT:
		return "int";
	case VT_MONEY:
		return "money";
	case VT_STRING:
		return "string";
	case VT_LIST:
		return "list";
	case VT_NUMBER:
		return "number";
	}
	return "?";
}

static bool vtype_numeric(vtype t)
{
	return t == VT_INT || t == VT_MONEY || t == VT_NUMBER;
}

void policy_expr_free(policy_expr *e)
{
	size_t i;

	if (!e)
		return;
	for (i = 0; i < e->n_kids; i++)
		policy_expr_free(e->kids[i]);
	free(e->kids);
	free(e->str);
	free(e);
}

/* ---- parser ------------------------------------------------------------ */

static policy_expr *node_new(parser *p, node_kind kind, vtype type, int col)
{
	policy_expr *e = calloc(1, sizeof(*e));

	if (!e) {
		policy_fail_nomem(p);
		return NULL;
	}
	e->kind = kind;
	e->type = type;
	e->col = col;
	return e;
}

/* Append kid to e (taking it); on failure frees kid and returns false. */
static bool node_add(parser *p, policy_expr *e, policy_expr *kid)
{
	policy_expr **k;
	size_t cap;

	if (e->n_kids == e->cap_kids) {
		cap = e->cap_kids ? e->cap_kids * 2 : 2;
		k = realloc(e->kids, cap * sizeof(*k));
		if (!k) {
			policy_expr_free(kid);
			policy_fail_nomem(p);
			return false;
		}
		e->kids = k;
		e->cap_kids = cap;
	}
	e->kids[e->n_kids++] = kid;
	return true;
}

/* A node with two kids, taking both (freed on failure). */
static policy_expr *node_pair(parser *p, node_kind kind, int col,
			      policy_expr *a, policy_expr *b)
{
	policy_expr *e = node_new(p, kind, VT_BOOL, col);

	if (!e) {
		policy_expr_free(a);
		policy_expr_free(b);
		return NULL;
	}
	if (!node_add(p, e, a)) {
		policy_expr_free(b);
		policy_expr_free(e);
		return NULL;
	}
	if (!node_add(p, e, b)) {
		policy_expr_free(e);
		return NULL;
	}
	return e;
}

static bool enter(parser *p, int depth, int col)
{
	if (depth + 1 > POLICY_MAX_DEPTH) {
		policy_fail(p, col, "nesting too deep: at most %d levels of "
			     "parentheses, lists and \"not\"",
			    POLICY_MAX_DEPTH);
		return false;
	}
	return true;
}

static policy_expr *parse_or(parser *p, int depth);
static policy_expr *parse_value(parser *p, int depth);

static policy_expr *parse_list(parser *p, int depth)
{
	policy_expr *list, *item;

	list = node_new(p, N_LIST, VT_LIST, p->tok.col);
	if (!list)
		return NULL;
	policy_lex_next(p);
	if (p->tok.kind == T_RBRACK) {
		policy_lex_next(p);
		return list;
	}
	for (;;) {
		if (list->n_kids == POLICY_MAX_LIST) {
			policy_fail(p, p->tok.col,
				    "list too long: at most %d items",
				    POLICY_MAX_LIST);
			goto bad;
		}
		item = parse_value(p, depth);
		if (!item)
			goto bad;
		if (item->type != VT_STRING) {
			policy_fail(p, item->col,
				    "list items must be strings, not %s",
				    vtype_name(item->type));
			policy_expr_free(item);
			goto bad;
		}
		if (!node_add(p, list, item))
			goto bad;
		if (p->tok.kind == T_RBRACK)
			break;
		if (p->tok.kind != T_COMMA) {
			policy_fail_unexpected(p, "expected \",\" or \"]\"");
			goto bad;
		}
		policy_lex_next(p);
	}
	policy_lex_next(p);
	return list;
bad:
	policy_expr_free(list);
	return NULL;
}

static policy_expr *parse_field(parser *p)
{
	const token *t = &p->tok;
	policy_expr *e;
	size_t i;

	for (i = 0; i < F_COUNT; i++)
		if (strlen(policy_field_names[i]) == t->len &&
		    memcmp(policy_field_names[i], t->start, t->len) == 0)
			break;
	if (i == F_COUNT) {
		policy_fail(p, t->col, "unknown field \"%.*s\"",
			    (int)(t->len > QUOTE_MAX ? QUOTE_MAX : t->len),
			    t->start);
		return NULL;
	}
	e = node_new(p, N_FIELD, policy_field_types[i], t->col);
	if (!e)
		return NULL;
	e->field = (field_id)i;
	policy_lex_next(p);
	return e;
}

static policy_expr *parse_value(parser *p, int depth)
{
	token t = p->tok;
	policy_expr *e;

	switch (t.kind) {
	case T_NUM:
		e = node_new(p, N_NUM, VT_NUMBER, t.col);
		if (!e)
			return NULL;
		e->num = t.num;
		e->decimals = t.decimals;
		policy_lex_next(p);
		return e;
	case T_STR:
		e = node_new(p, N_STR, VT_STRING, t.col);
		if (!e)
			return NULL;
		e->str = malloc(p->sval_len + 1);
		if (!e->str) {
			policy_expr_free(e);
			policy_fail_nomem(p);
			return NULL;
		}
		memcpy(e->str, p->sval, p->sval_len + 1);
		policy_lex_next(p);
		return e;
	case T_TRUE:
	case T_FALSE:
		e = node_new(p, N_BOOL, VT_BOOL, t.col);
		if (!e)
			return NULL;
		e->b = t.kind == T_TRUE;
		policy_lex_next(p);
		return e;
	case T_IDENT:
		return parse_field(p);
	case T_LBRACK:
		if (!enter(p, depth, t.col))
			return NULL;
		return parse_list(p, depth + 1);
	case T_LPAREN:
		if (!enter(p, depth, t.col))
			return NULL;
		policy_lex_next(p);
		e = parse_or(p, depth + 1);
		if (!e)
			return NULL;
		if (p->tok.kind != T_RPAREN) {
			policy_fail_unexpected(p, "expected \")\"");
			policy_expr_free(e);
			return NULL;
		}
		policy_lex_next(p);
		return e;
	default:
		policy_fail_unexpected(p, "expected a value");
		return NULL;
	}
}

static bool tok_is_cmp(tok_kind k, cmp_op *op)
{
	switch (k) {
	case T_EQ:
		*op = OP_EQ;
		return true;
	case T_NE:
		*op = OP_NE;
		return true;
	case T_LT:
		*op = OP_LT;
		return true;
	case T_LE:
		*op = OP_LE;
		return true;
	case T_GT:
		*op = OP_GT;
		return true;
	case T_GE:
		*op = OP_GE;
		return true;
	default:
		return false;
	}
}

/* Type-check "a OP b" (the operator token is op_tok); policy_fail() if wrong.
 */
static bool check_compare(parser *p, const token *op_tok, cmp_op op,
			  const policy_expr *a, const policy_expr *b)
{
	int oplen = (int)op_tok->len;

	if (op == OP_EQ || op == OP_NE) {
		if (a->type == VT_LIST || b->type == VT_LIST) {
			policy_fail(p, op_tok->col,
				    "cannot compare lists with \"%.*s\"; use "
				    "\"in\" "
				    "or \"contains\"",
				    oplen, op_tok->start);
			return false;
		}
		if (a->type == b->type)
			return true;
		/* A NUMBER reads as an int or as money in the currency. */
		if (vtype_numeric(a->type) && vtype_numeric(b->type) &&
		    (a->type == VT_NUMBER || b->type == VT_NUMBER))
			return true;
		policy_fail(p, op_tok->col, "cannot compare %s with %s",
			    vtype_name(a->type), vtype_name(b->type));
		return false;
	}
	if (!vtype_numeric(a->type) || !vtype_numeric(b->type)) {
		const policy_expr *bad = vtype_numeric(a->type) ? b : a;

		policy_fail(p, op_tok->col,
			    "\"%.*s\" compares numbers or money, not %s", oplen,
			    op_tok->start, vtype_name(bad->type));
		return false;
	}
	if (a->type == b->type || a->type == VT_NUMBER ||
	    b->type == VT_NUMBER)
		return true;
	policy_fail(p, op_tok->col, "cannot compare %s with %s",
		    vtype_name(a->type), vtype_name(b->type));
	return false;
}

static policy_expr *parse_compare(parser *p, int depth)
{
	policy_expr *a, *b;
	token op_tok;
	node_kind kind;
	cmp_op op = OP_EQ, next_op;
	policy_expr *e;

	a = parse_value(p, depth);
	if (!a)
		return NULL;
	op_tok = p->tok;
	if (tok_is_cmp(op_tok.kind, &op))
		kind = N_CMP;
	else if (op_tok.kind == T_IN)
		kind = N_IN;
	else if (op_tok.kind == T_CONTAINS)
		kind = N_HAS;
	else
		return a;
	policy_lex_next(p);
	b = parse_value(p, depth);
	if (!b)
		goto bad;

	if (kind == N_CMP && !check_compare(p, &op_tok, op, a, b))
		goto bad;
	if (kind == N_IN) {
		if (a->type != VT_STRING) {
			policy_fail(p, a->col,
				    "\"in\" needs a string on its left, not %s",
				    vtype_name(a->type));
			goto bad;
		}
		if (b->type != VT_LIST) {
			policy_fail(p, b->col,
				    "\"in\" needs a list on its right, not %s",
				    vtype_name(b->type));
			goto bad;
		}
	}
	if (kind == N_HAS) {
		if (a->type != VT_LIST && a->type != VT_STRING) {
			policy_fail(
				p, a->col,
				"\"contains\" needs a list or a string on its "
				"left, not %s",
				vtype_name(a->type));
			goto bad;
		}
		if (b->type != VT_STRING) {
			policy_fail(p, b->col,
				    "\"contains\" needs a string on its right, "
				    "not %s",
				    vtype_name(b->type));
			goto bad;
		}
	}

	/* Comparisons do not chain: "a == b == c" means nothing here. */
	if (tok_is_cmp(p->tok.kind, &next_op) || p->tok.kind == T_IN ||
	    p->tok.kind == T_CONTAINS) {
		policy_fail_unexpected(
			p, "comparisons do not chain; join them with "
			   "\"and\"");
		goto bad;
	}
	e = node_pair(p, kind, a->col, a, b);
	if (e)
		e->op = op;
	return e;
bad:
	policy_expr_free(a);
	policy_expr_free(b);
	return NULL;
}

static bool check_bool(parser *p, const policy_expr *e, const char *what)
{
	if (e->type == VT_BOOL)
		return true;
	policy_fail(p, e->col, "%s needs true or false, not %s", what,
		    vtype_name(e->type));
	return false;
}

static policy_expr *parse_not(parser *p, int depth)
{
	policy_expr *e, *kid;
	int col = p->tok.col;

	if (p->tok.kind != T_NOT)
		return parse_compare(p, depth);
	if (!enter(p, depth, col))
		return NULL;
	policy_lex_next(p);
	kid = parse_not(p, depth + 1);
	if (!kid)
		return NULL;
	if (!check_bool(p, kid, "\"not\"")) {
		policy_expr_free(kid);
		return NULL;
	}
	e = node_new(p, N_NOT, VT_BOOL, col);
	if (!e) {
		policy_expr_free(kid);
		return NULL;
	}
	if (!node_add(p, e, kid)) {
		policy_expr_free(e);
		return NULL;
	}
	return e;
}

/* One n-ary level: sub (OP sub)*, used for "and" over "not" and for "or"
 * over "and". A single operand is returned as it is. */
static policy_expr *parse_chain(parser *p, int depth, tok_kind op,
				node_kind kind,
				policy_expr *(*sub)(parser *, int))
{
	const char *what = op == T_AND ? "\"and\"" : "\"or\"";
	policy_expr *first, *e = NULL, *kid;

	first = sub(p, depth);
	if (!first)
		return NULL;
	if (p->tok.kind != op)
		return first;
	if (!check_bool(p, first, what)) {
		policy_expr_free(first);
		return NULL;
	}
	e = node_new(p, kind, VT_BOOL, first->col);
	if (!e) {
		policy_expr_free(first);
		return NULL;
	}
	if (!node_add(p, e, first))
		goto bad;
	while (p->tok.kind == op) {
		policy_lex_next(p);
		kid = sub(p, depth);
		if (!kid)
			goto bad;
		if (!check_bool(p, kid, what)) {
			policy_expr_free(kid);
			goto bad;
		}
		if (!node_add(p, e, kid))
			goto bad;
	}
	return e;
bad:
	policy_expr_free(e);
	return NULL;
}

static policy_expr *parse_and(parser *p, int depth)
{
	return parse_chain(p, depth, T_AND, N_AND, parse_not);
}

static policy_expr *parse_or(parser *p, int depth)
{
	return parse_chain(p, depth, T_OR, N_OR, parse_and);
}

/*
 * Compile one condition. Returns the tree, or NULL with *col and reason
 * set and the code in *code (ORDO_EINVALID or ORDO_ENOMEM).
 */
static policy_expr *expr_compile(const char *text, int *col, char *reason,
				 size_t reason_size, ordo_code *code)
{
	parser p;
	policy_expr *e = NULL;
	size_t len;

	memset(&p, 0, sizeof(p));
	p.src = text ? text : "";
	len = strnlen(p.src, POLICY_WHEN_MAX + 1);
	p.len = len;
	if (len > POLICY_WHEN_MAX) {
		policy_fail(&p, POLICY_WHEN_MAX + 1,
			    "the condition is longer than %d bytes",
			    POLICY_WHEN_MAX);
		goto out;
	}
	p.sval = malloc(len + 1);
	if (!p.sval) {
		policy_fail_nomem(&p);
		goto out;
	}
	policy_lex_next(&p);
	if (p.tok.kind == T_END) {
		policy_fail(&p, 1, "the condition is empty");
		goto out;
	}
	e = parse_or(&p, 0);
	if (!e)
		goto out;
	if (p.tok.kind != T_END) {
		policy_fail_unexpected(&p,
				       "expected \"and\", \"or\" or the end");
		goto out;
	}
	if (e->type != VT_BOOL)
		policy_fail(&p, e->col,
			    "the condition must be true or false, not %s",
			    vtype_name(e->type));
out:
	free(p.sval);
	/* Every path that returns no tree has failed; say so if one forgot. */
	if (!e && !p.failed)
		policy_fail(&p, 1, "the condition could not be compiled");
	if (p.failed) {
		policy_expr_free(e);
		*col = p.err_col;
		*code = p.code;
		ordo_strlcpy(reason, p.reason, reason_size);
		return NULL;
	}
	return e;
}

/* ---- compiling a policy ------------------------------------------------ */

static bool id_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || is_digit(c) || c == '_' || c == '.' ||
	       c == '-';
}

static bool rule_id_valid(const char *id)
{
	size_t n = strnlen(id, POLICY_RULE_ID_MAX);
	size_t i;

	if (n == 0 || n >= POLICY_RULE_ID_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!id_char_ok(id[i]))
			return false;
	return true;
}

/* "rule "ID" (rules[I])", or just "rules[I]" when the id is not fit to
 * print. */
static void rule_label(const policy_rule_src *r, size_t i, char *buf,
		       size_t size)
{
	if (rule_id_valid(r->id))
		snprintf(buf, size, "rule \"%s\" (rules[%zu])", r->id, i);
	else
		snprintf(buf, size, "rules[%zu]", i);
}

static ordo_code rule_check(const policy_rule_src *src, size_t i,
			    ordo_err *err)
{
	const policy_rule_src *r = &src[i];
	char label[POLICY_RULE_ID_MAX + 32];
	char field[ORDO_ERR_FIELD_MAX];
	size_t j;

	rule_label(r, i, label, sizeof(label));
	snprintf(field, sizeof(field), "rules[%zu].id", i);
	if (!rule_id_valid(r->id))
		return ordo_err_set(err, ORDO_EINVALID, field,
				    "%s: the id must be 1 to %d characters of "
				    "a-z, 0-9, \"_\", \".\" and \"-\"",
				    label, POLICY_RULE_ID_MAX - 1);
	for (j = 0; j < i; j++)
		if (strcmp(src[j].id, r->id) == 0)
			return ordo_err_set(err, ORDO_EINVALID, field,
					    "%s: duplicate id, already used "
					    "by rules[%zu]",
					    label, j);
	if (r->approve)
		return ORDO_OK;
	snprintf(field, sizeof(field), "rules[%zu].then", i);
	if ((int)r->hold < 0 || r->hold >= HOLD_TYPE_COUNT)
		return ordo_err_set(err, ORDO_EINVALID, field,
				    "%s: unknown hold type", label);
	if (r->priority < POLICY_PRIORITY_MIN ||
	    r->priority > POLICY_PRIORITY_MAX)
		return ordo_err_set(err, ORDO_EINVALID, field,
				    "%s: priority must be %d to %d, not %d",
				    label, POLICY_PRIORITY_MIN,
				    POLICY_PRIORITY_MAX, r->priority);
	return ORDO_OK;
}

ordo_code policy_compile(const policy_rule_src *src, size_t n, policy *p,
			 ordo_err *err)
{
	char label[POLICY_RULE_ID_MAX + 32];
	char field[ORDO_ERR_FIELD_MAX];
	char reason[REASON_MAX];
	ordo_code rc = ORDO_OK;
	policy_rule *r;
	size_t i;
	int col = 1; /* set by expr_compile whenever it fails */

	assert(p);
	assert(src || n == 0);
	p->n_rules = 0;
	p->rules = NULL;
	if (n > POLICY_MAX_RULES)
		return ordo_err_set(err, ORDO_EINVALID, "rules",
				    "a policy has at most %d rules, not %zu",
				    POLICY_MAX_RULES, n);
	if (n == 0)
		return ORDO_OK;
	p->rules = calloc(n, sizeof(*p->rules));
	if (!p->rules)
		return ordo_err_set(err, ORDO_ENOMEM, NULL, "out of memory");
	for (i = 0; i < n; i++) {
		rc = rule_check(src, i, err);
		if (rc)
			goto fail;
		r = &p->rules[i];
		p->n_rules = i + 1; /* so policy_free() sees this rule */
		r->expr = expr_compile(src[i].when, &col, reason,
				       sizeof(reason), &rc);
		if (!r->expr) {
			rule_label(&src[i], i, label, sizeof(label));
			snprintf(field, sizeof(field), "rules[%zu].when", i);
			if (rc == ORDO_ENOMEM)
				ordo_err_set(err, rc, field, "out of memory");
			else
				ordo_err_set(err, rc, field,
					     "%s, column %d: %s", label, col,
					     reason);
			goto fail;
		}
		r->when = strdup(src[i].when);
		if (!r->when) {
			rc = ordo_err_set(err, ORDO_ENOMEM, NULL,
					  "out of memory");
			goto fail;
		}
		ordo_strlcpy(r->id, src[i].id, sizeof(r->id));
		r->approve = src[i].approve;
		r->hold = src[i].hold;
		r->priority = src[i].priority;
	}
	return ORDO_OK;
fail:
	policy_free(p);
	return rc;
}

void policy_free(policy *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n_rules; i++) {
		policy_expr_free(p->rules[i].expr);
		free(p->rules[i].when);
	}
	free(p->rules);
	p->rules = NULL;
	p->n_rules = 0;
}

/* ---- the default policy ------------------------------------------------- */

const policy_rule_src policy_default_rules[] = {
	{ .id = "large-value",
	  .when = "total >= 1000",
	  .hold = HOLD_HIGH_VALUE,
	  .priority = 2 },
	{ .id = "first-express-mismatch",
	  .when = "customer.orders_count == 0 and shipping.expedited and "
		  "address.mismatch",
	  .hold = HOLD_RISKY_ORDER,
	  .priority = 1 },
	{ .id = "incomplete-contact",
	  .when = "customer.name == \"\" or "
		  "(customer.email == \"\" and customer.phone == \"\")",
	  .hold = HOLD_MISSING_CONTACT,
	  .priority = 4 },
	{ .id = "no-location-serves",
	  .when = "not destination.served",
	  .hold = HOLD_SHIPPING_CONFLICT,
	  .priority = 2 },
	{ .id = "payment-not-verified",
	  .when = "payment_status in [\"pending\", \"unknown\", \"voided\"]",
	  .hold = HOLD_PAYMENT_UNVERIFIED,
	  .priority = 2 },
};

const size_t policy_default_count =
	sizeof(policy_default_rules) / sizeof(policy_default_rules[0]);

