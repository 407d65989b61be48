/*
 * test_login.c - how long a login waits after failed ones: free failures,
 * then doubling waits from the last failure, capped; a lock at the rule's
 * count for ORDO_LOGIN_LOCK_S; failures a lock's length apart forgotten.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/limits.h"
#include "core/login.h"

#define T 1800000000LL

/* n failures one second apart, the last at T. */
static login_count failed(int n)
{
	login_count c = {0, 0};
	int i;

	for (i = 0; i < n; i++)
		c = login_failed(c, T - n + 1 + i);
	return c;
}

static void free_failures_then_doubling_waits(void **state)
{
	const login_rule *r = &login_per_account;
	bool locked = true;
	int n;

	(void)state;
	for (n = 0; n <= ORDO_LOGIN_FREE_FAILS; n++) {
		assert_int_equal(login_wait(r, failed(n), T, &locked), 0);
		assert_false(locked);
	}
	/* The 4th failure: 1 s, then 2, 4, ... from the last failure. */
	assert_int_equal(login_wait(r, failed(4), T, &locked), 1);
	assert_int_equal(login_wait(r, failed(4), T + 1, &locked), 0);
	assert_int_equal(login_wait(r, failed(5), T, &locked), 2);
	assert_int_equal(login_wait(r, failed(6), T, &locked), 4);
	assert_int_equal(login_wait(r, failed(6), T + 3, &locked), 1);
	assert_int_equal(login_wait(r, failed(9), T, &locked), 32);
	assert_false(locked);
}

static void the_lock_count_locks_for_its_length(void **state)
{
	const login_rule *r = &login_per_account;
	login_count c = failed(ORDO_LOGIN_LOCK_FAILS);
	bool locked = false;

	(void)state;
	assert_int_equal(login_wait(r, c, T, &locked), ORDO_LOGIN_LOCK_S);
	assert_true(locked);
	assert_int_equal(login_wait(r, c, T + ORDO_LOGIN_LOCK_S - 1, &locked),
			 1);
	assert_true(locked);
	/* A lock's length on, the failures are forgotten. */
	assert_int_equal(login_wait(r, c, T + ORDO_LOGIN_LOCK_S, &locked), 0);
	assert_false(locked);
	c = login_failed(c, T + ORDO_LOGIN_LOCK_S);
	assert_int_equal(c.failures, 1);
}

static void waits_are_capped(void **state)
{
	login_rule wide = {0, 1000};
	bool locked;

	(void)state;
	assert_int_equal(login_wait(&wide, failed(7), T, &locked), 60);
	assert_int_equal(login_wait(&wide, failed(90), T, &locked),
			 ORDO_LOGIN_WAIT_MAX_S);
	assert_false(locked);
}

static void an_address_has_more_room_than_an_account(void **state)
{
	bool locked;

	(void)state;
	assert_int_equal(login_wait(&login_per_address,
				    failed(ORDO_LOGIN_ADDRESS_FREE_FAILS), T,
				    &locked),
			 0);
	assert_int_equal(login_wait(&login_per_address,
				    failed(ORDO_LOGIN_ADDRESS_FREE_FAILS + 1),
				    T, &locked),
			 1);
	assert_int_equal(login_wait(&login_per_address,
				    failed(ORDO_LOGIN_ADDRESS_LOCK_FAILS), T,
				    &locked),
			 ORDO_LOGIN_LOCK_S);
	assert_true(locked);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(free_failures_then_doubling_waits),
		cmocka_unit_test(the_lock_count_locks_for_its_length),
		cmocka_unit_test(waits_are_capped),
		cmocka_unit_test(an_address_has_more_room_than_an_account),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
