/*
 * test_metrics.c - the duration bins, percentiles read from them, an
 * order's marks and who a defect is attributed to (core/metrics.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/metrics.h"

static void test_bins_hold_their_values(void **state)
{
	int64_t ms;
	int b, last = 0;

	(void)state;
	assert_int_equal(metric_bin(0), 0);
	assert_int_equal(metric_bin(-5), 0);
	assert_int_equal(metric_bin_upper(0), 0);
	assert_int_equal(metric_bin(1), 1);
	assert_int_equal(metric_bin_upper(1), 1);
	/* every value is at most its bin's upper edge and above the one
	 * before; bins never go down as values grow; each is at most 19%
	 * wide */
	for (ms = 1; ms < 40000000000LL; ms += ms / 7 + 1) {
		b = metric_bin(ms);
		assert_true(b >= last);
		last = b;
		assert_true(metric_bin_upper(b) >= ms);
		assert_true(metric_bin_upper(b - 1) < ms);
		if (ms > 100)
			assert_true(metric_bin_upper(b) * 100 <= ms * 120);
	}
	/* a year and more: the last bin */
	assert_int_equal(metric_bin(INT64_MAX / 2), METRIC_BINS - 1);
}

static void test_percentiles_read_the_rank(void **state)
{
	int64_t bins[METRIC_BINS];

	(void)state;
	memset(bins, 0, sizeof(bins));
	assert_int_equal(metric_percentile(bins, 50), 0);
	/* ten values: 7 of 0 ms, 2 of 1000 ms, 1 of 60000 ms */
	bins[0] = 7;
	bins[metric_bin(1000)] += 2;
	bins[metric_bin(60000)] += 1;
	assert_int_equal(metric_percentile(bins, 50), 0);
	assert_int_equal(metric_percentile(bins, 70), 0);
	assert_int_equal(metric_percentile(bins, 80),
			 metric_bin_upper(metric_bin(1000)));
	assert_int_equal(metric_percentile(bins, 90),
			 metric_bin_upper(metric_bin(1000)));
	assert_int_equal(metric_percentile(bins, 99),
			 metric_bin_upper(metric_bin(60000)));
	assert_int_equal(metric_percentile(bins, 100),
			 metric_bin_upper(metric_bin(60000)));
}

static order_hold hold_of(hold_type t, const char *raised_by,
			  const char *resolution, ordo_time created)
{
	order_hold h;

	memset(&h, 0, sizeof(h));
	h.type = t;
	h.created_at = created;
	ordo_strlcpy(h.raised_by, raised_by, sizeof(h.raised_by));
	if (resolution) {
		h.status = HOLD_RESOLVED;
		h.resolved_at = created + 100;
		ordo_strlcpy(h.resolution, resolution, sizeof(h.resolution));
		ordo_strlcpy(h.resolved_by, "key:ann", sizeof(h.resolved_by));
		ordo_strlcpy(h.rule_id, "large-value", sizeof(h.rule_id));
	}
	return h;
}

static void test_marks_say_what_the_order_is(void **state)
{
	order_hold holds[2];
	order o;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.state = ORDER_ACCEPTED;
	assert_int_equal(order_marks(&o), 0);

	/* held by validation, resolved by the system: held, not touched */
	holds[0] = hold_of(HOLD_INSUFFICIENT_STOCK, "allocation", "system",
			   1000);
	o.holds = holds;
	o.n_holds = 1;
	assert_int_equal(order_marks(&o),
			 MARK_HELD | MARK_HOLD_TYPE(HOLD_INSUFFICIENT_STOCK));
	/* a person approved another: touched */
	holds[1] = hold_of(HOLD_HIGH_VALUE, "policy", "approve", 1000);
	o.n_holds = 2;
	assert_true(order_marks(&o) & MARK_TOUCHED);
	assert_true(order_marks(&o) & MARK_HOLD_TYPE(HOLD_HIGH_VALUE));

	/* released late, then a hold after release: rework */
	o.released_at = 900;
	o.release_due_at = 800;
	assert_true(order_marks(&o) & MARK_RELEASED);
	assert_false(order_marks(&o) & MARK_ON_TIME);
	assert_true(order_marks(&o) & MARK_REWORK);
	o.release_due_at = 950;
	assert_true(order_marks(&o) & MARK_ON_TIME);
	/* a hold at the moment of release is not after it */
	o.released_at = 1000;
	assert_false(order_marks(&o) & MARK_REWORK);
	/* shipped, and stays marked so once delivered */
	o.state = ORDER_DELIVERED;
	assert_true(order_marks(&o) & MARK_SHIPPED);
	/* a defect is rework too; stored marks stay */
	o.marks_new = MARK_DEFECT;
	assert_true(order_marks(&o) & MARK_REWORK);
	o.marks_new = 0;
	o.marks = MARK_COUNTED;
	assert_true(order_marks(&o) & MARK_COUNTED);
}

static void test_a_defect_goes_to_who_let_it_through(void **state)
{
	order_hold holds[2];
	order_defect d;
	order o;

	(void)state;
	memset(&o, 0, sizeof(o));
	ordo_strlcpy(o.channel, "web", sizeof(o.channel));
	memset(&d, 0, sizeof(d));
	defect_attribute(&o, &d);
	assert_string_equal(d.attributed_step, "intake");
	assert_string_equal(d.attributed_rule, "");
	assert_string_equal(d.attributed_actor, "channel:web");

	ordo_strlcpy(o.approved_rule, "trusted", sizeof(o.approved_rule));
	defect_attribute(&o, &d);
	assert_string_equal(d.attributed_step, "policy");
	assert_string_equal(d.attributed_rule, "trusted");

	/* the last person to approve or correct a hold */
	holds[0] = hold_of(HOLD_HIGH_VALUE, "policy", "approve", 1000);
	holds[1] = hold_of(HOLD_ADDRESS_UNVERIFIABLE, "validation", "correct",
			   2000);
	ordo_strlcpy(holds[1].resolved_by, "key:bob",
		     sizeof(holds[1].resolved_by));
	ordo_strlcpy(holds[1].rule_id, "validation.address_unverifiable",
		     sizeof(holds[1].rule_id));
	o.holds = holds;
	o.n_holds = 2;
	defect_attribute(&o, &d);
	assert_string_equal(d.attributed_step, "review");
	assert_string_equal(d.attributed_actor, "key:bob");
	assert_string_equal(d.attributed_rule,
			    "validation.address_unverifiable");
	/* a cancel is not letting it through */
	ordo_strlcpy(holds[1].resolution, "cancel_order",
		     sizeof(holds[1].resolution));
	defect_attribute(&o, &d);
	assert_string_equal(d.attributed_actor, "key:ann");
	assert_string_equal(d.attributed_rule, "large-value");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bins_hold_their_values),
		cmocka_unit_test(test_percentiles_read_the_rank),
		cmocka_unit_test(test_marks_say_what_the_order_is),
		cmocka_unit_test(test_a_defect_goes_to_who_let_it_through),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
