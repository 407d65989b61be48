/*
 * policy_lex.c - the lexer of the review-policy language, and the one way a
 * compile fails. See policy.h for the language, policy_int.h for how the
 * parts fit.
 *
 * NOTES ON THE DESIGN
 *
 * The parser pulls one token at a time (policy_lex_next); nothing is
 * tokenized ahead, so a lexical error is reported at the place the parser
 * reached, and the first problem ends the compile: policy_fail records a
 * column and a reason once and every later call is ignored.
 *
 * A NUMBER literal is kept exactly as (mantissa, decimals), at most
 * POLICY_NUM_MAX_DIGITS (core/limits.h) significant digits and as many
 * decimals; it never touches floating point. "12abc", "1.2.3" and "12." are one bad number,
 * not two tokens. A STRING is decoded into the parser's sval buffer, which
 * is as long as the whole condition, so decoding cannot overflow it.
 *
 * Columns are 1-based byte offsets into the condition text (a newline is
 * one byte like any other); a problem at the end of the text is reported
 * at length + 1.
 */
#include "core/policy_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void policy_fail(parser *p, int col, const char *fmt, ...)
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

void policy_fail_nomem(parser *p)
{
	if (p->failed)
		return;
	p->failed = true;
	p->code = ORDO_ENOMEM;
	p->err_col = 1;
	ordo_strlcpy(p->reason, "out of memory", sizeof(p->reason));
}

static bool is_ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_ident_char(char c)
{
	return is_ident_start(c) || is_digit(c) || c == '.';
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
		if (++digits > POLICY_NUM_MAX_DIGITS)
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
			if (++decimals > POLICY_NUM_MAX_DIGITS ||
			    digits > POLICY_NUM_MAX_DIGITS)
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
		if (digits > POLICY_NUM_MAX_DIGITS ||
		    decimals > POLICY_NUM_MAX_DIGITS)
			policy_fail(
				p, t->col,
				"bad number \"%.*s\": at most %d digits and %d "
				"decimals",
				(int)(t->len > QUOTE_MAX ? QUOTE_MAX : t->len),
				t->start, POLICY_NUM_MAX_DIGITS,
				POLICY_NUM_MAX_DIGITS);
		else
			policy_fail(
				p, t->col,
				"bad number \"%.*s\": write digits with at "
				"most one \".\" between digits, such as 12 "
				"or 12.5",
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
			policy_fail(p, t->col, "unterminated string");
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
				policy_fail(p, t->col, "unterminated string");
			else if (s[i + 1] > ' ' && s[i + 1] < 0x7f)
				policy_fail(
					p, col_at(i),
					"bad escape \"\\%c\" in string; only "
					"\\\" and \\\\ are allowed",
					s[i + 1]);
			else
				policy_fail(
					p, col_at(i),
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
		policy_fail(p, t->col,
			    "unexpected character \"=\"; use \"==\" to "
			    "compare");
	else if (c == '!')
		policy_fail(p, t->col,
			    "unexpected character \"!\"; use \"!=\" or "
			    "\"not\"");
	else if (c == '&')
		policy_fail(p, t->col,
			    "unexpected character \"&\"; use \"and\"");
	else if (c == '|')
		policy_fail(p, t->col,
			    "unexpected character \"|\"; use \"or\"");
	else if (c == '-' || c == '+')
		policy_fail(
			p, t->col,
			"unexpected character \"%c\"; numbers have no sign and "
			"there is no arithmetic",
			c);
	else if (c == '\'')
		policy_fail(p, t->col,
			    "unexpected character \"'\"; strings are "
			    "written in double quotes");
	else if (u < 0x20 || u >= 0x7f)
		policy_fail(p, t->col, "unexpected character 0x%02x", u);
	else
		policy_fail(p, t->col, "unexpected character \"%c\"", c);
}

/* Read the next token into p->tok; on a lexical error policy_fail() and
 * T_ERROR. */
void policy_lex_next(parser *p)
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

void policy_fail_unexpected(parser *p, const char *hint)
{
	const token *t = &p->tok;

	if (t->kind == T_ERROR)
		return; /* the lexer already said why */
	if (t->kind == T_END) {
		policy_fail(p, t->col, "unexpected end of condition%s%s",
			    hint ? ", " : "", hint ? hint : "");
		return;
	}
	policy_fail(p, t->col, "unexpected token \"%.*s\"%s%s",
		    (int)(t->len > QUOTE_MAX ? QUOTE_MAX : t->len), t->start,
		    hint ? ", " : "", hint ? hint : "");
}
