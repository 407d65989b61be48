/*
 * test_settings.c - defaults are within bounds, every bound refuses, the
 * names and cut-off text round-trip, and a patch is applied setting by
 * setting, whole or not at all.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/settings.h"

static void defaults_are_valid(void **state)
{
	tenant_settings s;
	ordo_err err = ORDO_ERR_INIT;

	(void)state;
	settings_defaults(&s);
	ordo_err_clear(&err);
	assert_int_equal(settings_check(&s, &err), ORDO_OK);
	assert_int_equal(s.duplicate_window_s, 86400);
	assert_int_equal(s.webhook_retry_window_s, 3 * 86400);
	assert_int_equal(s.cutoff_minute, -1);
	assert_int_equal(s.backorder, BACKORDER_KEEP_OPEN);
	assert_int_equal(s.release, RELEASE_AUTO);
}

static void every_bound_refuses(void **state)
{
	tenant_settings s;
	ordo_err err = ORDO_ERR_INIT;

	(void)state;
#define SETTINGS_X_TEST(f, name, min, max, def)                            \
	settings_defaults(&s);                                                 \
	s.f = (min) - 1;                                                   \
	assert_int_equal(settings_check(&s, &err), ORDO_EINVALID);             \
	assert_string_equal(err.field, name);                                  \
	s.f = (max) + 1;                                                   \
	assert_int_equal(settings_check(&s, &err), ORDO_EINVALID);             \
	s.f = (max);                                                       \
	assert_int_equal(settings_check(&s, &err), ORDO_OK);
	SETTINGS_INT_MAP(SETTINGS_X_TEST)
#undef SETTINGS_X_TEST
	settings_defaults(&s);
	s.cutoff_minute = 24 * 60;
	assert_int_equal(settings_check(&s, &err), ORDO_EINVALID);
	assert_string_equal(err.field, "cutoff_utc");
}

static void names_and_cutoffs(void **state)
{
	backorder_mode b;
	release_mode r;
	char buf[6];

	(void)state;
	assert_int_equal(backorder_mode_parse("hold", &b), 0);
	assert_int_equal(b, BACKORDER_HOLD);
	assert_string_equal(backorder_mode_name(b), "hold");
	assert_int_equal(backorder_mode_parse("never", &b), -1);
	assert_int_equal(release_mode_parse("wave", &r), 0);
	assert_string_equal(release_mode_name(r), "wave");
	assert_int_equal(release_mode_parse("Auto", &r), -1);
	assert_int_equal(settings_cutoff_parse("15:30"), 15 * 60 + 30);
	assert_int_equal(settings_cutoff_parse("00:00"), 0);
	assert_int_equal(settings_cutoff_parse("24:00"), -1);
	assert_int_equal(settings_cutoff_parse("9:30"), -1);
	assert_int_equal(settings_cutoff_parse("09:60"), -1);
	assert_int_equal(settings_cutoff_parse("09:3a"), -1);
	settings_cutoff_format(9 * 60 + 5, buf);
	assert_string_equal(buf, "09:05");
}

/* Field by field: padding between members is no setting. */
static bool settings_same(const tenant_settings *a, const tenant_settings *b)
{
	int t;

#define SETTINGS_X_SAME(f, name, min, max, def)                            \
	if (a->f != b->f)                                                      \
		return false;
	SETTINGS_INT_MAP(SETTINGS_X_SAME)
#undef SETTINGS_X_SAME
	if (a->backorder != b->backorder || a->release != b->release ||
	    a->cutoff_minute != b->cutoff_minute)
		return false;
	for (t = 0; t < HOLD_TYPE_COUNT; t++)
		if (a->hold_sla_s[t] != b->hold_sla_s[t] ||
		    a->hold_priority[t] != b->hold_priority[t])
			return false;
	return true;
}

/* The value each integer setting is patched to: its maximum, which no
 * default equals, so a setting not applied shows. */
static void patch_every_setting(tenant_settings_patch *p)
{
	tenant_settings_patch_init(p);
#define SETTINGS_X_PATCH(f, name, min, max, def)                           \
	p->has_##f = true;                                                     \
	p->v.f = (max);
	SETTINGS_INT_MAP(SETTINGS_X_PATCH)
#undef SETTINGS_X_PATCH
	p->has_backorder = true;
	p->v.backorder = BACKORDER_HOLD;
	p->has_release = true;
	p->v.release = RELEASE_WAVE;
	p->has_cutoff = true;
	p->v.cutoff_minute = 15 * 60 + 30;
	p->has_hold_sla_s[HOLD_HIGH_VALUE] = true;
	p->v.hold_sla_s[HOLD_HIGH_VALUE] = 600;
	p->has_hold_priority[HOLD_RISKY_ORDER] = true;
	p->v.hold_priority[HOLD_RISKY_ORDER] = 5;
}

static void a_patch_applies_every_setting_it_gives(void **state)
{
	tenant_settings s, before;
	tenant_settings_patch p;
	ordo_err err = ORDO_ERR_INIT;
	int64_t sla;
	int priority;

	(void)state;
	settings_defaults(&s);
	before = s;
	patch_every_setting(&p);
	ordo_err_clear(&err);
	assert_int_equal(tenant_settings_apply(&s, &p, &err), ORDO_OK);
	assert_int_equal(err.n_details, 0);
#define SETTINGS_X_APPLIED(f, name, min, max, def)                         \
	if (s.f != (max))                                                      \
		fail_msg("%s was not applied: %lld", name, (long long)s.f);
	SETTINGS_INT_MAP(SETTINGS_X_APPLIED)
#undef SETTINGS_X_APPLIED
	assert_int_equal(s.backorder, BACKORDER_HOLD);
	assert_int_equal(s.release, RELEASE_WAVE);
	assert_int_equal(s.cutoff_minute, 15 * 60 + 30);
	/* A hold type's member given is applied, the other one kept. */
	assert_int_equal(s.hold_sla_s[HOLD_HIGH_VALUE], 600);
	assert_int_equal(s.hold_priority[HOLD_HIGH_VALUE],
			 before.hold_priority[HOLD_HIGH_VALUE]);
	assert_int_equal(s.hold_priority[HOLD_RISKY_ORDER], 5);
	assert_int_equal(s.hold_sla_s[HOLD_RISKY_ORDER],
			 before.hold_sla_s[HOLD_RISKY_ORDER]);
	settings_hold_defaults(HOLD_UNKNOWN_SKU, &sla, &priority);
	assert_int_equal(s.hold_sla_s[HOLD_UNKNOWN_SKU], sla);
	assert_int_equal(s.hold_priority[HOLD_UNKNOWN_SKU], priority);

	/* Nothing given changes nothing; a null cut-off clears it. */
	before = s;
	tenant_settings_patch_init(&p);
	assert_int_equal(tenant_settings_apply(&s, &p, &err), ORDO_OK);
	assert_true(settings_same(&s, &before));
	p.has_cutoff = true;
	p.v.cutoff_minute = -1;
	assert_int_equal(tenant_settings_apply(&s, &p, &err), ORDO_OK);
	assert_int_equal(s.cutoff_minute, -1);
}

/* Each bad value is one detail naming its setting, and none of the
 * patch is applied, not even its good values. */
static void bad_values_are_each_named_and_nothing_is_applied(void **state)
{
	tenant_settings s, before;
	tenant_settings_patch p;
	ordo_err err = ORDO_ERR_INIT;

	(void)state;
	settings_defaults(&s);
	before = s;
	tenant_settings_patch_init(&p);
	p.has_release_sla_s = true;
	p.v.release_sla_s = 900; /* good */
	p.has_low_stock_threshold = true;
	p.v.low_stock_threshold = -1;
	p.has_cutoff = true;
	p.v.cutoff_minute = 24 * 60;
	p.has_hold_priority[HOLD_HIGH_VALUE] = true;
	p.v.hold_priority[HOLD_HIGH_VALUE] = 0;
	ordo_err_clear(&err);
	assert_int_equal(tenant_settings_apply(&s, &p, &err), ORDO_EINVALID);
	assert_int_equal(err.n_details, 3);
	assert_string_equal(err.details[0].field, "low_stock_threshold");
	assert_string_equal(err.details[1].field, "cutoff_utc");
	assert_string_equal(err.details[2].field, "holds.high_value.priority");
	assert_string_equal(err.message, "the settings have 3 problems");
	assert_true(settings_same(&s, &before));
	ordo_err_clear(&err);
}

/* The result is checked whole: a patch of good values is refused when
 * the settings it would leave - here a hold type's priority the patch
 * does not name, out of bounds in the current settings - are not valid,
 * and the refusal names that setting. */
static void a_patch_is_refused_for_the_settings_it_leaves(void **state)
{
	tenant_settings s, before;
	tenant_settings_patch p;
	ordo_err err = ORDO_ERR_INIT;

	(void)state;
	settings_defaults(&s);
	s.hold_priority[HOLD_PRICE_MISMATCH] = 9;
	before = s;
	tenant_settings_patch_init(&p);
	p.has_release_sla_s = true;
	p.v.release_sla_s = 900;
	ordo_err_clear(&err);
	assert_int_equal(tenant_settings_apply(&s, &p, &err), ORDO_EINVALID);
	assert_int_equal(err.n_details, 1);
	assert_string_equal(err.details[0].field, "holds");
	assert_non_null(strstr(err.details[0].message, "price_mismatch"));
	assert_true(settings_same(&s, &before));

	/* The same patch that also puts the priority right is applied. */
	p.has_hold_priority[HOLD_PRICE_MISMATCH] = true;
	p.v.hold_priority[HOLD_PRICE_MISMATCH] = 2;
	ordo_err_clear(&err);
	assert_int_equal(tenant_settings_apply(&s, &p, &err), ORDO_OK);
	assert_int_equal(s.release_sla_s, 900);
	assert_int_equal(s.hold_priority[HOLD_PRICE_MISMATCH], 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_are_valid),
		cmocka_unit_test(every_bound_refuses),
		cmocka_unit_test(names_and_cutoffs),
		cmocka_unit_test(a_patch_applies_every_setting_it_gives),
		cmocka_unit_test(bad_values_are_each_named_and_nothing_is_applied),
		cmocka_unit_test(a_patch_is_refused_for_the_settings_it_leaves),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
