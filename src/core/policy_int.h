/*
 * policy_int.h - what the parts of the review-policy language share: the
 * typed expression tree, the field table, the tokens and the parser state.
 * Only src/core/policy*.c include it (and the evaluator's white-box unit
 * test, which builds trees the parser would never make); everything else
 * goes through core/policy.h.
 *
 * NOTES ON THE DESIGN
 *
 * The language is compiled in one pass and evaluated many times:
 *
 *     policy_lex.c    text -> tokens (policy_lex_next), and the one way
 *                     a compile fails (policy_fail and friends)
 *     policy_parse.c  tokens -> typed tree; rule ids and outcomes; the
 *                     default policy (policy_compile, policy_free)
 *     policy_eval.c   tree + order -> bool (policy_evaluate)
 *     policy_customer.c  the customer identity behind
 *                     customer.orders_count (policy_customer_key)
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
 * The parser gives every node its type the moment it makes it, so a tree
 * that exists is well typed; the evaluator still checks the shape it relies
 * on and fails with ORDO_EINTERNAL rather than read a wrong member, because
 * that check must hold in release builds too.
 */
#ifndef ORDO_CORE_POLICY_INT_H
#define ORDO_CORE_POLICY_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/policy.h"

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

/* Each field's type, in FIELD_MAP order (policy_parse.c). */
extern const vtype policy_field_types[];

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

/* Free e and everything under it; NULL is fine. */
void policy_expr_free(policy_expr *e);

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

/* Record the first problem of a compile (later ones are ignored). */
void policy_fail(parser *p, int col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void policy_fail_nomem(parser *p);
/* "unexpected token" for the current token; hint may be NULL. */
void policy_fail_unexpected(parser *p, const char *hint);
/* Read the next token into p->tok; on a lexical error fail and T_ERROR. */
void policy_lex_next(parser *p);

/* ---- characters: ASCII only, whatever the locale ------------------------ */

static inline bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

static inline char ascii_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static inline bool ascii_caseeq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (ascii_lower(*a) != ascii_lower(*b))
			return false;
	return *a == *b;
}

#endif
