/*
 * fuzz_policy.c - the review policy's rule language (policy_compile:
 * lexer, parser and type checker), and the evaluator on what it compiles
 * (policy_evaluate).
 *
 * An input that starts with '{' is a policy document as PUT /v1/policy
 * takes it ({"rules": [{"id", "when", "then"}, ...]}, app_policy_check);
 * one it takes is stored as the text it answers, which must decode and
 * compile again (as app/policy.c loads the tenant's policy for intake).
 * Any other input is rules, one condition ("when") a line, up to
 * POLICY_MAX_RULES of them; every third rule approves, the others raise a
 * hold. A policy that compiles is evaluated against a clean USD order,
 * the same in yen (no minor units) and an empty order: a tree the
 * compiler made must never fail evaluation.
 */
#include "fuzz.h"

#include <string.h>

#include <jansson.h>

#include "app/policy.h"
#include "channels/json_fields.h"
#include "core/policy.h"

static void judge(const policy *p, const order *o)
{
	policy_context ctx = {.o = o,
			      .customer_orders = 3,
			      .customer_defects = 1,
			      .destination_served = true};
	policy_outcome out;
	size_t i;

	FUZZ_CHECK(policy_evaluate(p, &ctx, &out) == ORDO_OK);
	FUZZ_CHECK(!out.failed && out.n_hits <= p->n_rules);
	for (i = 0; i < out.n_hits; i++)
		FUZZ_CHECK(out.hits[i] < p->n_rules);
	FUZZ_CHECK(!out.approved || out.approved_by < p->n_rules);
}

/* The document as app_policy_check takes it and as intake loads it back
 * from the text stored. */
static void document(const uint8_t *data, size_t size)
{
	ordo_err err = ORDO_ERR_INIT;
	app_policy_doc d;
	char *stored = NULL;
	json_t *doc = jf_parse_object((const char *)data, size, &err);
	policy p;

	if (doc && app_policy_check(doc, &stored, &err) == ORDO_OK) {
		json_decref(doc);
		doc = json_loads(stored, 0, NULL);
		FUZZ_CHECK(doc);
		FUZZ_CHECK(app_policy_decode(doc, &d, &err) == ORDO_OK);
		memset(&p, 0, sizeof(p));
		FUZZ_CHECK(policy_compile(d.src, d.n, &p, &err) == ORDO_OK);
		judge(&p, fuzz_base_order());
		policy_free(&p);
		app_policy_doc_free(&d);
	}
	json_decref(doc);
	free(stored);
	ordo_err_clear(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static order yen, empty;
	static int ready;
	policy_rule_src src[POLICY_MAX_RULES];
	ordo_err err = ORDO_ERR_INIT;
	char *text = fuzz_text(data, size), *line = text, *nl;
	policy p;
	size_t n = 0;

	if (size > 0 && data[0] == '{') {
		document(data, size);
		free(text);
		return 0;
	}
	if (!ready) {
		order_init(&yen);
		FUZZ_CHECK(order_copy(&yen, fuzz_base_order(), &err) ==
			   ORDO_OK);
		snprintf(yen.currency, sizeof(yen.currency), "JPY");
		order_init(&empty);
		ready = 1;
	}
	while (line && n < POLICY_MAX_RULES) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		memset(&src[n], 0, sizeof(src[n]));
		snprintf(src[n].id, sizeof(src[n].id), "r%zu", n);
		src[n].when = line;
		src[n].approve = n % 3 == 2;
		src[n].hold = (hold_type)(n % HOLD_TYPE_COUNT);
		src[n].priority = POLICY_PRIORITY_MIN + (int)(n % 5);
		n++;
		line = nl ? nl + 1 : NULL;
	}
	memset(&p, 0, sizeof(p));
	if (policy_compile(src, n, &p, &err) == ORDO_OK) {
		FUZZ_CHECK(p.n_rules == n);
		judge(&p, fuzz_base_order());
		judge(&p, &yen);
		judge(&p, &empty);
		policy_free(&p);
	} else {
		FUZZ_CHECK(err.code != ORDO_OK && err.message[0]);
		FUZZ_CHECK(p.n_rules == 0 && !p.rules);
	}
	ordo_err_clear(&err);
	free(text);
	return 0;
}
