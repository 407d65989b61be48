/*
 * test_policy_eval.c - the evaluator's own checks of the trees it is given.
 *
 * policy_compile only makes well-typed trees, so these cases cannot be
 * written in the language: the test compiles a condition, then breaks the
 * tree by hand through the internal header (a wrong type, a missing kid, a
 * field of the wrong kind, a scale no number has) and checks that
 * policy_evaluate refuses with ORDO_EINTERNAL, names the rule, and draws no
 * verdict - not even the hits of the rules before the broken one. These
 * checks hold in release builds, where assert() is compiled out.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/policy.h"
#include "core/policy_int.h"

static order ord;
static policy_context ctx;

static int order_build(void **unused)
{
	(void)unused;
	order_init(&ord);
	assert_int_equal(ordo_strlcpy(ord.currency, "USD", sizeof(ord.currency)),
			 0);
	ord.totals.total = 150000;
	ctx = (policy_context){ .o = &ord, .destination_served = true };
	return 0;
}

static int order_drop(void **unused)
{
	(void)unused;
	order_free(&ord);
	return 0;
}

/* Compile two hold rules: "big" (which matches ord) and "probe" (when). */
static void compile2(policy *p, const char *when)
{
	policy_rule_src src[2];
	ordo_err err = ORDO_ERR_INIT;

	memset(src, 0, sizeof(src));
	memset(p, 0, sizeof(*p));
	ordo_strlcpy(src[0].id, "big", sizeof(src[0].id));
	src[0].when = "total >= 1000";
	src[0].hold = HOLD_HIGH_VALUE;
	src[0].priority = 2;
	ordo_strlcpy(src[1].id, "probe", sizeof(src[1].id));
	src[1].when = when;
	src[1].hold = HOLD_RISKY_ORDER;
	src[1].priority = 1;
	assert_int_equal(policy_compile(src, 2, p, &err), ORDO_OK);
}

/* The rules compile and judge ord as expected before they are broken. */
static void expect_intact(const policy *p)
{
	policy_outcome out;

	assert_int_equal(policy_evaluate(p, &ctx, &out), ORDO_OK);
	assert_false(out.failed);
	assert_int_equal(out.n_hits, 2);
}

/* The broken rule 1 fails the whole evaluation with no verdict. */
static void expect_refused(const policy *p)
{
	policy_outcome out;

	assert_int_equal(policy_evaluate(p, &ctx, &out), ORDO_EINTERNAL);
	assert_true(out.failed);
	assert_int_equal(out.failed_at, 1);
	assert_int_equal(out.n_hits, 0); /* not even rule 0's hit */
	assert_false(out.approved);
	assert_false(policy_expr_eval(p->rules[1].expr, &ctx));
}

static void test_missing_tree(void **unused)
{
	policy p;
	policy_expr *saved;

	(void)unused;
	compile2(&p, "total > 1");
	expect_intact(&p);
	saved = p.rules[1].expr;
	p.rules[1].expr = NULL;
	expect_refused(&p);
	p.rules[1].expr = saved;
	policy_free(&p);
}

static void test_root_not_bool(void **unused)
{
	policy p;

	(void)unused;
	compile2(&p, "total > 1");
	expect_intact(&p);
	p.rules[1].expr->type = VT_MONEY;
	expect_refused(&p);
	p.rules[1].expr->type = VT_BOOL;
	policy_free(&p);
}

static void test_missing_kid(void **unused)
{
	policy p;
	size_t n;

	(void)unused;
	compile2(&p, "not (total < 1)");
	expect_intact(&p);
	assert_int_equal(p.rules[1].expr->kind, N_NOT);
	n = p.rules[1].expr->n_kids;
	p.rules[1].expr->n_kids = 0;
	expect_refused(&p);
	p.rules[1].expr->n_kids = n;
	policy_free(&p);
}

/* A money-typed field node that names a string field. */
static void test_field_of_wrong_kind(void **unused)
{
	policy p;
	policy_expr *cmp;

	(void)unused;
	compile2(&p, "total > 1");
	expect_intact(&p);
	cmp = p.rules[1].expr;
	assert_int_equal(cmp->kind, N_CMP);
	assert_int_equal(cmp->kids[0]->kind, N_FIELD);
	cmp->kids[0]->field = F_CURRENCY;
	expect_refused(&p);
	cmp->kids[0]->field = F_TOTAL;
	policy_free(&p);
}

/* A bool field read where a string is expected (the "in" operand). */
static void test_string_of_wrong_kind(void **unused)
{
	policy p;
	policy_expr *in;

	(void)unused;
	compile2(&p, "currency in [\"USD\"]");
	expect_intact(&p);
	in = p.rules[1].expr;
	assert_int_equal(in->kind, N_IN);
	in->kids[0]->field = F_DESTINATION_SERVED;
	expect_refused(&p);
	in->kids[0]->field = F_CURRENCY;
	policy_free(&p);
}

/* A NUMBER with more decimals than any power of ten in int64. */
static void test_scale_out_of_range(void **unused)
{
	policy p;
	policy_expr *num;

	(void)unused;
	compile2(&p, "total > 1");
	expect_intact(&p);
	num = p.rules[1].expr->kids[1];
	assert_int_equal(num->kind, N_NUM);
	num->decimals = 40;
	expect_refused(&p);
	num->decimals = 0;
	policy_free(&p);
}

static void test_too_many_rules(void **unused)
{
	policy p;
	policy_outcome out;
	size_t n;

	(void)unused;
	compile2(&p, "total > 1");
	n = p.n_rules;
	p.n_rules = POLICY_MAX_RULES + 1; /* would overrun out.hits */
	assert_int_equal(policy_evaluate(&p, &ctx, &out), ORDO_EINTERNAL);
	assert_int_equal(out.n_hits, 0);
	p.n_rules = n;
	policy_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing_tree),
		cmocka_unit_test(test_root_not_bool),
		cmocka_unit_test(test_missing_kid),
		cmocka_unit_test(test_field_of_wrong_kind),
		cmocka_unit_test(test_string_of_wrong_kind),
		cmocka_unit_test(test_scale_out_of_range),
		cmocka_unit_test(test_too_many_rules),
	};

	return cmocka_run_group_tests(tests, order_build, order_drop);
}
