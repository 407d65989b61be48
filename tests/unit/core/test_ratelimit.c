/*
 * test_ratelimit.c - token buckets per caller: a full bucket's burst, then
 * the wait until the next token, refilled at the rate and never past the
 * burst; callers apart; a caller not seen lately gives its slot up.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "core/ratelimit.h"

static void burst_then_wait_then_refill(void **state)
{
	ratelimit *rl = malloc(sizeof(*rl));
	int i;

	(void)state;
	assert_non_null(rl);
	ratelimit_init(rl, 5, 10);
	for (i = 0; i < 10; i++)
		assert_int_equal(ratelimit_take(rl, 7, 1000), 0);
	/* Empty: one token is 200 ms away, said as 1 s. */
	assert_int_equal(ratelimit_take(rl, 7, 1000), 1);
	assert_int_equal(ratelimit_take(rl, 7, 1199), 1);
	assert_int_equal(ratelimit_take(rl, 7, 1200), 0);
	assert_int_equal(ratelimit_take(rl, 7, 1200), 1);
	/* Another caller has its own bucket. */
	assert_int_equal(ratelimit_take(rl, 8, 1200), 0);
	/* A long pause refills to the burst, not past it. */
	for (i = 0; i < 10; i++)
		assert_int_equal(ratelimit_take(rl, 7, 100000), 0);
	assert_int_equal(ratelimit_take(rl, 7, 100000), 1);
	free(rl);
}

static void a_slow_rate_waits_whole_seconds(void **state)
{
	ratelimit *rl = malloc(sizeof(*rl));

	(void)state;
	assert_non_null(rl);
	ratelimit_init(rl, 1, 1);
	assert_int_equal(ratelimit_take(rl, 1, 0), 0);
	assert_int_equal(ratelimit_take(rl, 1, 0), 1);
	assert_int_equal(ratelimit_take(rl, 1, 999), 1);
	assert_int_equal(ratelimit_take(rl, 1, 1000), 0);
	free(rl);
}

/* More callers than slots: every one is answered, each new one with a full
 * bucket, and the table keeps its size. */
static void more_callers_than_slots(void **state)
{
	ratelimit *rl = malloc(sizeof(*rl));
	uint64_t who;

	(void)state;
	assert_non_null(rl);
	ratelimit_init(rl, 1, 2);
	for (who = 1; who <= 4 * RATELIMIT_SLOTS; who++) {
		assert_int_equal(ratelimit_take(rl, who, (long long)who), 0);
		assert_int_equal(ratelimit_take(rl, who, (long long)who), 0);
		assert_int_equal(ratelimit_take(rl, who, (long long)who), 1);
	}
	free(rl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(burst_then_wait_then_refill),
		cmocka_unit_test(a_slow_rate_waits_whole_seconds),
		cmocka_unit_test(more_callers_than_slots),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
