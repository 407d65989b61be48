/*
 * test_settings.c - defaults are within bounds, every bound refuses, and
 * the names and cut-off text round-trip.
 */
#include <setjmp.h>
#include <stdarg.h>
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_are_valid),
		cmocka_unit_test(every_bound_refuses),
		cmocka_unit_test(names_and_cutoffs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
