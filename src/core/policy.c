/*
 * policy.c - the review-policy rule language: lexer, recursive-descent
 * parser with static types, evaluator, and the default policy. See policy.h
 * for the language itself.
 *
 * NOTES ON THE DESIGN
 *
 * Compiling one condition is a single pass. The lexer hands the parser one
 * token at a time (lex_next); the parser builds the tree bottom-up and gives
 * every node its type the moment the node is made (node_* constructors and
 * the checks in parse_*), so a type error is reported at the token that
 * caused it, and a tree that exists is well typed. The first problem ends
 * the pass: the parser records a column and a reason, frees what it built
 * and returns NULL; policy_compile() turns that into the ordo_err.
 *
 * The tree (struct policy_expr):
 *
 *     N_BOOL   true / false                      type bool
 *     N_NUM    NUMBER as mantissa * 10^-decimals  type number
 *     N_STR    STRING, decoded, owned            type string
 *     N_FIELD  one of FIELD_MAP                  its field's type
 *     N_LIST   [kid, ...], every kid a string    type list
 *     N_NOT    kid[0]                            type bool
 *     N_AND    kid[0] and kid[1] and ...         type bool (n-ary, so a
 *     N_OR     kid[0] or kid[1] or ...           long chain stays shallow)
 *     N_CMP    kid[0] op kid[1]                  type bool
 *     N_IN     kid[0] in kid[1]                  type bool
 *     N_HAS    kid[0] contains kid[1]            type bool
 *
 *     "a or b and not (c == 1)"  =>   OR
 *                                    /  \
 *                                   a   AND
 *                                       /  \
 *                                      b   NOT
 *                                           |
 *                                          CMP(==)
 *                                          /    \
 *                                         c      1
 *
 * Depth. Each "(", "[" and "not" opens a level; more than POLICY_MAX_DEPTH
 * open levels are refused. A level adds at most four tree levels (or, and,
 * compare, value), so both the parser's and the evaluator's recursion are
 * bounded by a small constant times POLICY_MAX_DEPTH.
 *
 * Numbers never touch floating point. A NUMBER literal is kept exactly as
 * (mantissa, decimals), at most NUM_MAX_DIGITS significant digits and
 * NUM_MAX_DIGITS decimals. A field is read as (value, scale): ints have
 * scale 0, money has the scale of the order's currency exponent (USD 2,
 * JPY 0, KWD 3). dec_cmp() compares two such pairs exactly by dividing the
 * finer one down (floor division plus remainder) instead of multiplying the
 * coarser one up, so it cannot overflow and never rounds: "total > 999.999"
 * on a USD order compares 999.99 with 999.999, not with a rounded 1000.00.
 *
 * Evaluation allocates nothing. Strings are read in place from the order,
 * except shipping.method, which is lower-cased into a small buffer on the
 * caller's stack. Lists are walked where they are: a list literal item by
 * item, the skus field line by line.
 *
 * Columns are 1-based byte offsets into the condition text (a newline is one
 * byte like any other); a problem at the end of the text is reported at
 * length + 1.
 */
#include "core/policy.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/money.h"

/* Significant digits of a NUMBER literal, and decimals after its point.
 * 15 digits is far past any money or count ordo stores (limits.h), and
 * keeps 10^(decimals + 3) inside int64 for dec_cmp(). */
#define NUM_MAX_DIGITS 15
/* How much of a token or name an error message quotes. */
#define QUOTE_MAX 64
#define REASON_MAX 192

/* ---- fields ------------------------------------------------------------ */

typedef enum { VT_BOOL, VT_INT, VT_MONEY, VT_STRING, VT_LIST, VT_NUMBER } vtype;

/* X(enum, name, type) - policy_field_names follows this order. */
#define FIELD_MAP(X)                                                           \
	X(F_TOTAL, "total", VT_MONEY)                                          \
	X(F_SUBTOTAL, "subtotal", VT_MONEY)                                    \
	X(F_SHIPPING_AMOUNT, "shipping.amount", VT_MONEY)                      \
	X(F_CURRENCY, "currency", VT_STRING)                                   \
	X(F_CHANNEL, "channel", VT_STRING)                                     \
	X(F_PAYMENT_STATUS, "payment_status", VT_STRING)                       \
	X(F_SHIPPING_METHOD, "shipping.method", VT_STRING)                     \
	X(F_SHIPPING_EXPEDITED, "shipping.expedited", VT_BOOL)                 \
	X(F_LINES_COUNT, "lines.count", VT_INT)                                \
	X(F_QUANTITY_TOTAL, "quantity.total", VT_INT)                          \
	X(F_QUANTITY_MAX, "quantity.max", VT_INT)                              \
	X(F_SKUS, "skus", VT_LIST)                                             \
	X(F_SHIP_TO_COUNTRY, "ship_to.country", VT_STRING)                     \
	X(F_SHIP_TO_REGION, "ship_to.region", VT_STRING)                       \
	X(F_SHIP_TO_POSTAL_CODE, "ship_to.postal_code", VT_STRING)             \
	X(F_SHIP_TO_CITY, "ship_to.city", VT_STRING)                           \
	X(F_BILL_TO_COUNTRY, "bill_to.country", VT_STRING)                     \
	X(F_BILL_TO_REGION, "bill_to.region", VT_STRING)                       \
	X(F_ADDRESS_MISMATCH, "address.mismatch", VT_BOOL)                     \
	X(F_SHIP_TO_PO_BOX, "ship_to.po_box", VT_BOOL)                         \
	X(F_CUSTOMER_EMAIL, "customer.email", VT_STRING)                       \
	X(F_CUSTOMER_PHONE, "customer.phone", VT_STRING)                       \
	X(F_CUSTOMER_NAME, "customer.name", VT_STRING)                         \
	X(F_CUSTOMER_ORDERS_COUNT, "customer.orders_count", VT_INT)            \
	X(F_CUSTOMER_DEFECTS_COUNT, "customer.defects_count", VT_INT)          \
	X(F_DESTINATION_SERVED, "destination.served", VT_BOOL)                 \
	X(F_HOUR, "hour", VT_INT)                                              \
	X(F_WEEKDAY, "weekday", VT_INT)

typedef enum {
#define FIELD_X_ENUM(e, name, type) e,
	FIELD_MAP(FIELD_X_ENUM)
#undef FIELD_X_ENUM
	F_COUNT
} field_id;

const char *const policy_field_names[] = {
#define FIELD_X_NAME(e, name, type) name,
	FIELD_MAP(FIELD_X_NAME)
#undef FIELD_X_NAME
	NULL
};

static const vtype field_types[] = {
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

/* ---- the tree ---------------------------------------------------------- */

typedef enum {
	N_BOOL,
	N_NUM,
	N_STR,
	N_FIELD,
	N_LIST,
	N_NOT,
	N_AND,
	N_OR,
	N_CMP,
	N_IN,
	N_HAS
} node_kind;

typedef enum { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE } cmp_op;

struct policy_expr {
	node_kind kind;
	vtype type;
	int col;       /* column of the node's first token */
	bool b;	       /* N_BOOL */
	int64_t num;   /* N_NUM mantissa */
	int decimals;  /* N_NUM */
	char *str;     /* N_STR, owned */
	field_id field; /* N_FIELD */
	cmp_op op;     /* N_CMP */
	size_t n_kids;
	size_t cap_kids;
	policy_expr **kids; /* owned */
};

static void expr_free(policy_expr *e)
{
	size_t i;

	if (!e)
		return;
	for (i = 0; i < e->n_kids; i++)
		expr_free(e->kids[i]);
	free(e->kids);
	free(e->str);
	free(e);
}

/* ---- lexer ------------------------------------------------------------- */

typedef enum {
	T_END,
	T_ERROR,
	T_NUM,
	T_STR,
	T_IDENT,
	T_AND,
	T_OR,
	T_NOT,
	T_IN,
	T_CONTAINS,
	T_TRUE,
	T_FALSE,
	T_EQ,
	T_NE,
	T_LT,
	T_LE,
	T_GT,
	T_GE,
	T_LBRACK,
	T_RBRACK,
	T_LPAREN,
	T_RPAREN,
	T_COMMA
} tok_kind;

typedef struct {
	tok_kind kind;
	int col;
	const char *start; /* lexeme in the source */
	size_t len;
	int64_t num; /* T_NUM */
	int decimals;
} token;

typedef struct {
	const char *src;
	size_t len;
	size_t pos;
	token tok;
	/* The decoded value of the current T_STR token. */
	char *sval;
	size_t sval_len;
	/* The first problem; set once. */
	bool failed;
	ordo_code code;
	int err_col;
	char reason[REASON_MAX];
} parser;

static void fail(parser *p, int col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fail(parser *p, int col, const char *fmt, ...)
{
	va_list ap;

	if (p->failed)
		return;
	p->failed = true;
	p->code = ORDO_EINVALID;
	p->err_col = col;
	va_start(ap, fmt);
	vsnprintf(p->reason, sizeof(p->reason), fmt, ap);
	va_end(ap);
}

static void fail_nomem(parser *p)
{
	if (p->failed)
		return;
	p->failed = true;
	p->code = ORDO_ENOMEM;
	p->err_col = 1;
	ordo_strlcpy(p->reason, "out of memory", sizeof(p->reason));
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_ident_char(char c)
{
	return is_ident_start(c) || is_digit(c) || c == '.';
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

static char ascii_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool ascii_caseeq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (ascii_lower(*a) != ascii_lower(*b))
			return false;
	return *a == *b;
}

static const struct {
	const char *word;
	tok_kind kind;
} keywords[] = {
	{ "and", T_AND },     { "or", T_OR },	  { "not", T_NOT },
	{ "in", T_IN },	      { "contains", T_CONTAINS },
	{ "true", T_TRUE },   { "false", T_FALSE },
};

static int col_at(size_t pos)
{
	return (int)pos + 1;
}

static void lex_number(parser *p, token *t)
{
	const char *s = p->src;
	size_t i = p->pos;
	int64_t m = 0;
	int digits = 0, decimals = 0;
	bool bad = false;

	for (; i < p->len && is_digit(s[i]); i++) {
		if (m == 0 && s[i] == '0')
			continue; /* leading zeros are not significant */
		if (++digits > NUM_MAX_DIGITS)
			bad = true;
		else
			m = m * 10 + (s[i] - '0');
	}
	if (i < p->len && s[i] == '.') {
		i++;
		if (i >= p->len || !is_digit(s[i]))
			bad = true;
		for (; i < p->len && is_digit(s[i]); i++) {
			if (m != 0 || s[i] != '0')
				digits++;
			if (++decimals > NUM_MAX_DIGITS ||
			    digits > NUM_MAX_DIGITS)
				bad = true;
			else
				m = m * 10 + (s[i] - '0');
		}
	}
	/* "12abc", "1.2.3" and "12." are one bad number, not two tokens. */
	while (i < p->len && is_ident_char(s[i])) {
		bad = true;
		i++;
	}
	t->len = i - p->pos;
	p->pos = i;
	if (bad) {
		if (digits > NUM_MAX_DIGITS || decimals > NUM_MAX_DIGITS)
			fail(p, t->col,
			     "bad number \"%.*s\": at most %d digits and %d "
			     "decimals",
			     (int)(t->len > QUOTE_MAX ? QUOTE_MAX : t->len),
			     t->start, NUM_MAX_DIGITS, NUM_MAX_DIGITS);
		else
			fail(p, t->col,
			     "bad number \"%.*s\": write digits with at most "
			     "one \".\" between digits, such as 12 or 12.5",
			     (int)(t->len > QUOTE_MAX ? QUOTE_MAX : t->len),
			     t->start);
		t->kind = T_ERROR;
		return;
	}
	t->kind = T_NUM;
	t->num = m;
	t->decimals = decimals;
}

static void lex_string(parser *p, token *t)
{
	const char *s = p->src;
	size_t i = p->pos + 1;

	p->sval_len = 0;
	for (;;) {
		if (i >= p->len) {
			fail(p, t->col, "unterminated string");
			t->kind = T_ERROR;
			return;
		}
		if (s[i] == '"')
			break;
		if (s[i] == '\\') {
			if (i + 1 < p->len && (s[i + 1] == '"' ||
					       s[i + 1] == '\\')) {
				p->sval[p->sval_len++] = s[i + 1];
				i += 2;
				continue;
			}
			if (i + 1 >= p->len)
				fail(p, t->col, "unterminated string");
			else if (s[i + 1] > ' ' && s[i + 1] < 0x7f)
				fail(p, col_at(i),
				     "bad escape \"\\%c\" in string; only "
				     "\\\" and \\\\ are allowed",
				     s[i + 1]);
			else
				fail(p, col_at(i),
				     "bad escape in string; only \\\" and "
				     "\\\\ are allowed");
			t->kind = T_ERROR;
			return;
		}
		p->sval[p->sval_len++] = s[i++];
	}
	p->sval[p->sval_len] = '\0';
	t->kind = T_STR;
	t->len = i + 1 - p->pos;
	p->pos = i + 1;
}

static void lex_bad_char(parser *p, token *t, char c)
{
	unsigned char u = (unsigned char)c;

	t->kind = T_ERROR;
	if (c == '=')
		fail(p, t->col, "unexpected character \"=\"; use \"==\" to "
				"compare");
	else if (c == '!')
		fail(p, t->col, "unexpected character \"!\"; use \"!=\" or "
				"\"not\"");
	else if (c == '&')
		fail(p, t->col, "unexpected character \"&\"; use \"and\"");
	else if (c == '|')
		fail(p, t->col, "unexpected character \"|\"; use \"or\"");
	else if (c == '-' || c == '+')
		fail(p, t->col,
		     "unexpected character \"%c\"; numbers have no sign and "
		     "there is no arithmetic",
		     c);
	else if (c == '\'')
		fail(p, t->col, "unexpected character \"'\"; strings are "
				"written in double quotes");
	else if (u < 0x20 || u >= 0x7f)
		fail(p, t->col, "unexpected character 0x%02x", u);
	else
		fail(p, t->col, "unexpected character \"%c\"", c);
}

/* Read the next token into p->tok; on a lexical error fail() and T_ERROR. */
static void lex_next(parser *p)
{
	const char *s = p->src;
	token *t = &p->tok;
	size_t i;
	char c;

	if (p->failed) {
		t->kind = T_ERROR;
		return;
	}
	while (p->pos < p->len && is_space(s[p->pos]))
		p->pos++;
	memset(t, 0, sizeof(*t));
	t->col = col_at(p->pos);
	t->start = s + p->pos;
	if (p->pos >= p->len) {
		t->kind = T_END;
		return;
	}
	c = s[p->pos];
	if (is_digit(c)) {
		lex_number(p, t);
		return;
	}
	if (c == '"') {
		lex_string(p, t);
		return;
	}
	if (is_ident_start(c)) {
		for (i = p->pos; i < p->len && is_ident_char(s[i]); i++)
			;
		t->len = i - p->pos;
		p->pos = i;
		t->kind = T_IDENT;
		for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
			if (strlen(keywords[i].word) == t->len &&
			    memcmp(keywords[i].word, t->start, t->len) == 0)
				t->kind = keywords[i].kind;
		return;
	}
	t->len = 1;
	switch (c) {
	case '[':
		t->kind = T_LBRACK;
		break;
	case ']':
		t->kind = T_RBRACK;
		break;
	case '(':
		t->kind = T_LPAREN;
		break;
	case ')':
		t->kind = T_RPAREN;
		break;
	case ',':
		t->kind = T_COMMA;
		break;
	case '<':
	case '>':
		if (p->pos + 1 < p->len && s[p->pos + 1] == '=') {
			t->kind = c == '<' ? T_LE : T_GE;
			t->len = 2;
		} else {
			t->kind = c == '<' ? T_LT : T_GT;
		}
		break;
	case '=':
	case '!':
		if (p->pos + 1 < p->len && s[p->pos + 1] == '=') {
			t->kind = c == '=' ? T_EQ : T_NE;
			t->len = 2;
			break;
		}
		lex_bad_char(p, t, c);
		return;
	default:
		lex_bad_char(p, t, c);
		return;
	}
	p->pos += t->len;
}

/* "unexpected token" for the current token; hint may be NULL. */
static void fail_unexpected(parser *p, const char *hint)
{
	const token *t = &p->tok;

	if (t->kind == T_ERROR)
		return; /* the lexer already said why */
	if (t->kind == T_END) {
		fail(p, t->col, "unexpected end of condition%s%s",
		     hint ? ", " : "", hint ? hint : "");
		return;
	}
	fail(p, t->col, "unexpected token \"%.*s\"%s%s",
	     (int)(t->len > QUOTE_MAX ? QUOTE_MAX : t->len), t->start,
	     hint ? ", " : "", hint ? hint : "");
}

/* ---- parser ------------------------------------------------------------ */

static policy_expr *node_new(parser *p, node_kind kind, vtype type, int col)
{
	policy_expr *e = calloc(1, sizeof(*e));

	if (!e) {
		fail_nomem(p);
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
			expr_free(kid);
			fail_nomem(p);
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
		expr_free(a);
		expr_free(b);
		return NULL;
	}
	if (!node_add(p, e, a)) {
		expr_free(b);
		expr_free(e);
		return NULL;
	}
	if (!node_add(p, e, b)) {
		expr_free(e);
		return NULL;
	}
	return e;
}

static bool enter(parser *p, int depth, int col)
{
	if (depth + 1 > POLICY_MAX_DEPTH) {
		fail(p, col, "nesting too deep: at most %d levels of "
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
	lex_next(p);
	if (p->tok.kind == T_RBRACK) {
		lex_next(p);
		return list;
	}
	for (;;) {
		if (list->n_kids == POLICY_MAX_LIST) {
			fail(p, p->tok.col, "list too long: at most %d items",
			     POLICY_MAX_LIST);
			goto bad;
		}
		item = parse_value(p, depth);
		if (!item)
			goto bad;
		if (item->type != VT_STRING) {
			fail(p, item->col, "list items must be strings, not %s",
			     vtype_name(item->type));
			expr_free(item);
			goto bad;
		}
		if (!node_add(p, list, item))
			goto bad;
		if (p->tok.kind == T_RBRACK)
			break;
		if (p->tok.kind != T_COMMA) {
			fail_unexpected(p, "expected \",\" or \"]\"");
			goto bad;
		}
		lex_next(p);
	}
	lex_next(p);
	return list;
bad:
	expr_free(list);
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
		fail(p, t->col, "unknown field \"%.*s\"",
		     (int)(t->len > QUOTE_MAX ? QUOTE_MAX : t->len), t->start);
		return NULL;
	}
	e = node_new(p, N_FIELD, field_types[i], t->col);
	if (!e)
		return NULL;
	e->field = (field_id)i;
	lex_next(p);
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
		lex_next(p);
		return e;
	case T_STR:
		e = node_new(p, N_STR, VT_STRING, t.col);
		if (!e)
			return NULL;
		e->str = malloc(p->sval_len + 1);
		if (!e->str) {
			expr_free(e);
			fail_nomem(p);
			return NULL;
		}
		memcpy(e->str, p->sval, p->sval_len + 1);
		lex_next(p);
		return e;
	case T_TRUE:
	case T_FALSE:
		e = node_new(p, N_BOOL, VT_BOOL, t.col);
		if (!e)
			return NULL;
		e->b = t.kind == T_TRUE;
		lex_next(p);
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
		lex_next(p);
		e = parse_or(p, depth + 1);
		if (!e)
			return NULL;
		if (p->tok.kind != T_RPAREN) {
			fail_unexpected(p, "expected \")\"");
			expr_free(e);
			return NULL;
		}
		lex_next(p);
		return e;
	default:
		fail_unexpected(p, "expected a value");
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

/* Type-check "a OP b" (the operator token is op_tok); fail() if wrong. */
static bool check_compare(parser *p, const token *op_tok, cmp_op op,
			  const policy_expr *a, const policy_expr *b)
{
	int oplen = (int)op_tok->len;

	if (op == OP_EQ || op == OP_NE) {
		if (a->type == VT_LIST || b->type == VT_LIST) {
			fail(p, op_tok->col,
			     "cannot compare lists with \"%.*s\"; use \"in\" "
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
		fail(p, op_tok->col, "cannot compare %s with %s",
		     vtype_name(a->type), vtype_name(b->type));
		return false;
	}
	if (!vtype_numeric(a->type) || !vtype_numeric(b->type)) {
		const policy_expr *bad = vtype_numeric(a->type) ? b : a;

		fail(p, op_tok->col,
		     "\"%.*s\" compares numbers or money, not %s", oplen,
		     op_tok->start, vtype_name(bad->type));
		return false;
	}
	if (a->type == b->type || a->type == VT_NUMBER ||
	    b->type == VT_NUMBER)
		return true;
	fail(p, op_tok->col, "cannot compare %s with %s", vtype_name(a->type),
	     vtype_name(b->type));
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
	lex_next(p);
	b = parse_value(p, depth);
	if (!b)
		goto bad;

	if (kind == N_CMP && !check_compare(p, &op_tok, op, a, b))
		goto bad;
	if (kind == N_IN) {
		if (a->type != VT_STRING) {
			fail(p, a->col,
			     "\"in\" needs a string on its left, not %s",
			     vtype_name(a->type));
			goto bad;
		}
		if (b->type != VT_LIST) {
			fail(p, b->col,
			     "\"in\" needs a list on its right, not %s",
			     vtype_name(b->type));
			goto bad;
		}
	}
	if (kind == N_HAS) {
		if (a->type != VT_LIST && a->type != VT_STRING) {
			fail(p, a->col,
			     "\"contains\" needs a list or a string on its "
			     "left, not %s",
			     vtype_name(a->type));
			goto bad;
		}
		if (b->type != VT_STRING) {
			fail(p, b->col,
			     "\"contains\" needs a string on its right, not %s",
			     vtype_name(b->type));
			goto bad;
		}
	}

	/* Comparisons do not chain: "a == b == c" means nothing here. */
	if (tok_is_cmp(p->tok.kind, &next_op) || p->tok.kind == T_IN ||
	    p->tok.kind == T_CONTAINS) {
		fail_unexpected(p, "comparisons do not chain; join them with "
				   "\"and\"");
		goto bad;
	}
	e = node_pair(p, kind, a->col, a, b);
	if (e)
		e->op = op;
	return e;
bad:
	expr_free(a);
	expr_free(b);
	return NULL;
}

static bool check_bool(parser *p, const policy_expr *e, const char *what)
{
	if (e->type == VT_BOOL)
		return true;
	fail(p, e->col, "%s needs true or false, not %s", what,
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
	lex_next(p);
	kid = parse_not(p, depth + 1);
	if (!kid)
		return NULL;
	if (!check_bool(p, kid, "\"not\"")) {
		expr_free(kid);
		return NULL;
	}
	e = node_new(p, N_NOT, VT_BOOL, col);
	if (!e) {
		expr_free(kid);
		return NULL;
	}
	if (!node_add(p, e, kid)) {
		expr_free(e);
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
		expr_free(first);
		return NULL;
	}
	e = node_new(p, kind, VT_BOOL, first->col);
	if (!e) {
		expr_free(first);
		return NULL;
	}
	if (!node_add(p, e, first))
		goto bad;
	while (p->tok.kind == op) {
		lex_next(p);
		kid = sub(p, depth);
		if (!kid)
			goto bad;
		if (!check_bool(p, kid, what)) {
			expr_free(kid);
			goto bad;
		}
		if (!node_add(p, e, kid))
			goto bad;
	}
	return e;
bad:
	expr_free(e);
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
		fail(&p, POLICY_WHEN_MAX + 1,
		     "the condition is longer than %d bytes", POLICY_WHEN_MAX);
		goto out;
	}
	p.sval = malloc(len + 1);
	if (!p.sval) {
		fail_nomem(&p);
		goto out;
	}
	lex_next(&p);
	if (p.tok.kind == T_END) {
		fail(&p, 1, "the condition is empty");
		goto out;
	}
	e = parse_or(&p, 0);
	if (!e)
		goto out;
	if (p.tok.kind != T_END) {
		fail_unexpected(&p, "expected \"and\", \"or\" or the end");
		goto out;
	}
	if (e->type != VT_BOOL)
		fail(&p, e->col, "the condition must be true or false, not %s",
		     vtype_name(e->type));
out:
	free(p.sval);
	if (p.failed) {
		expr_free(e);
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
	int col;

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
		expr_free(p->rules[i].expr);
		free(p->rules[i].when);
	}
	free(p->rules);
	p->rules = NULL;
	p->n_rules = 0;
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

static int64_t field_int(field_id f, const policy_context *ctx)
{
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
		assert(!"not an int or money field");
		return 0;
	}
}

static bool field_bool(field_id f, const policy_context *ctx)
{
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
		assert(!"not a bool field");
		return false;
	}
}

/* A string value; buf holds it when it had to be computed. */
typedef struct {
	char buf[ORDO_METHOD_MAX];
} strbuf;

static const char *field_string(field_id f, const policy_context *ctx,
				strbuf *sb)
{
	const order *o = ctx->o;
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
		assert(!"not a string field");
		return "";
	}
}

/* ---- evaluation --------------------------------------------------------- */

static bool eval_bool(const policy_expr *e, const policy_context *ctx);

static const char *eval_string(const policy_expr *e,
			       const policy_context *ctx, strbuf *sb)
{
	assert(e->type == VT_STRING);
	if (e->kind == N_STR)
		return e->str;
	assert(e->kind == N_FIELD);
	return field_string(e->field, ctx, sb);
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
 */
static int dec_cmp(decimal a, decimal b)
{
	int64_t unit, q, r;
	int k;

	if (a.scale > b.scale)
		return -dec_cmp(b, a);
	k = b.scale - a.scale;
	assert(k >= 0 &&
	       (size_t)k < sizeof(pow10_table) / sizeof(pow10_table[0]));
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

static decimal eval_decimal(const policy_expr *e, const policy_context *ctx)
{
	decimal d = { 0, 0 };

	if (e->kind == N_NUM) {
		d.v = e->num;
		d.scale = e->decimals;
		return d;
	}
	assert(e->kind == N_FIELD);
	d.v = field_int(e->field, ctx);
	if (e->type == VT_MONEY)
		d.scale = money_currency_exponent(ctx->o->currency);
	return d;
}

static bool cmp_result(cmp_op op, int c)
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
	return false;
}

static bool eval_cmp(const policy_expr *e, const policy_context *ctx)
{
	const policy_expr *a = e->kids[0], *b = e->kids[1];
	strbuf sa, sb;
	int c;

	if (a->type == VT_BOOL) {
		c = (int)eval_bool(a, ctx) - (int)eval_bool(b, ctx);
	} else if (a->type == VT_STRING) {
		c = strcmp(eval_string(a, ctx, &sa), eval_string(b, ctx, &sb));
	} else {
		c = dec_cmp(eval_decimal(a, ctx), eval_decimal(b, ctx));
	}
	return cmp_result(e->op, c);
}

/* Is s an item of the list expression l? */
static bool list_has(const policy_expr *l, const char *s,
		     const policy_context *ctx)
{
	strbuf sb;
	size_t i;

	if (l->kind == N_LIST) {
		for (i = 0; i < l->n_kids; i++)
			if (strcmp(eval_string(l->kids[i], ctx, &sb), s) == 0)
				return true;
		return false;
	}
	assert(l->kind == N_FIELD && l->field == F_SKUS);
	for (i = 0; i < ctx->o->n_lines; i++)
		if (strcmp(ctx->o->lines[i].sku, s) == 0)
			return true;
	return false;
}

static bool eval_bool(const policy_expr *e, const policy_context *ctx)
{
	strbuf sa, sb;
	size_t i;

	assert(e->type == VT_BOOL);
	switch (e->kind) {
	case N_BOOL:
		return e->b;
	case N_FIELD:
		return field_bool(e->field, ctx);
	case N_NOT:
		return !eval_bool(e->kids[0], ctx);
	case N_AND:
		for (i = 0; i < e->n_kids; i++)
			if (!eval_bool(e->kids[i], ctx))
				return false;
		return true;
	case N_OR:
		for (i = 0; i < e->n_kids; i++)
			if (eval_bool(e->kids[i], ctx))
				return true;
		return false;
	case N_CMP:
		return eval_cmp(e, ctx);
	case N_IN:
		return list_has(e->kids[1], eval_string(e->kids[0], ctx, &sa),
				ctx);
	case N_HAS:
		if (e->kids[0]->type == VT_LIST)
			return list_has(e->kids[0],
					eval_string(e->kids[1], ctx, &sb), ctx);
		return strstr(eval_string(e->kids[0], ctx, &sa),
			      eval_string(e->kids[1], ctx, &sb)) != NULL;
	default:
		assert(!"not a boolean node");
		return false;
	}
}

bool policy_expr_eval(const policy_expr *e, const policy_context *ctx)
{
	assert(e && ctx && ctx->o);
	return eval_bool(e, ctx);
}

void policy_evaluate(const policy *p, const policy_context *ctx,
		     policy_outcome *out)
{
	size_t i;

	assert(p && ctx && ctx->o && out);
	assert(p->n_rules <= POLICY_MAX_RULES);
	memset(out, 0, sizeof(*out));
	for (i = 0; i < p->n_rules; i++) {
		if (!eval_bool(p->rules[i].expr, ctx))
			continue;
		if (p->rules[i].approve) {
			out->approved = true;
			out->approved_by = i;
			return;
		}
		out->hits[out->n_hits++] = i;
	}
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

/* ---- customer identity -------------------------------------------------- */

/* Copy s lower-cased without surrounding white space; false if empty. */
static bool key_lower(const char *s, char *out, size_t size)
{
	size_t len, i, n = 0;

	while (*s && is_space(*s))
		s++;
	len = strlen(s);
	while (len > 0 && is_space(s[len - 1]))
		len--;
	if (len == 0)
		return false;
	for (i = 0; i < len && n + 1 < size; i++)
		out[n++] = ascii_lower(s[i]);
	out[n] = '\0';
	return true;
}

void policy_customer_key(const order_customer *c, char *out, size_t size)
{
	size_t n = 0, i;

	if (!out || size == 0)
		return;
	out[0] = '\0';
	if (!c)
		return;
	if (key_lower(c->email, out, size))
		return;
	for (i = 0; c->phone[i] && n + 1 < size; i++)
		if (is_digit(c->phone[i]))
			out[n++] = c->phone[i];
	out[n] = '\0';
	if (n > 0)
		return;
	if (!key_lower(c->name, out, size))
		out[0] = '\0';
}
