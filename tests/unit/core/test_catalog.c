/*
 * test_catalog.c - stock arithmetic on catalog records: what is available
 * to promise, and the stock invariant checked before every write.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/catalog.h"

static void test_available(void **unused)
{
	stock_level s;

	(void)unused;
	memset(&s, 0, sizeof(s));
	s.on_hand = 10;
	s.reserved = 3;
	s.safety_stock = 2;
	assert_int_equal(stock_available(&s), 5);
	s.safety_stock = 9; /* more safety stock than is free: nothing */
	assert_int_equal(stock_available(&s), 0);
}

/* stock_level_check refuses reserved above on hand, naming the counts. */
static void test_stock_level_check(void **unused)
{
	stock_level s;
	ordo_err err = ORDO_ERR_INIT;

	(void)unused;
	memset(&s, 0, sizeof(s));
	ordo_strlcpy(s.sku, "SKU-A", sizeof(s.sku));
	ordo_strlcpy(s.location, "WH1", sizeof(s.location));
	assert_int_equal(stock_level_check(&s, &err), ORDO_OK);
	s.on_hand = 5;
	s.reserved = 5;
	s.safety_stock = 2;
	assert_int_equal(stock_level_check(&s, &err), ORDO_OK);

	s.reserved = 6;
	ordo_err_clear(&err);
	assert_int_equal(stock_level_check(&s, &err), ORDO_EINTERNAL);
	assert_int_equal(err.code, ORDO_EINTERNAL);
	assert_non_null(strstr(err.message, "SKU-A at WH1"));
	assert_non_null(strstr(err.message, "on hand 5, reserved 6"));

	s.reserved = -1;
	assert_int_equal(stock_level_check(&s, &err), ORDO_EINTERNAL);
	s.reserved = 0;
	s.on_hand = -1;
	assert_int_equal(stock_level_check(&s, &err), ORDO_EINTERNAL);
	s.on_hand = ORDO_MAX_STOCK + 1;
	assert_int_equal(stock_level_check(&s, &err), ORDO_EINTERNAL);
	s.on_hand = ORDO_MAX_STOCK;
	assert_int_equal(stock_level_check(&s, &err), ORDO_OK);
	s.safety_stock = -1;
	assert_int_equal(stock_level_check(&s, &err), ORDO_EINTERNAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_available),
		cmocka_unit_test(test_stock_level_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
