/*
 * test_arena.c - a request's memory: allocations aligned and apart, large
 * ones in blocks of their own, ownership known to the last byte, and all
 * of it given back at once; a size no block can have answers NULL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"
#include "core/limits.h"

static void test_small_allocations_share_a_block(void **state)
{
	ordo_arena a = ORDO_ARENA_INIT;
	unsigned char *p[100];
	int local;
	size_t i;

	(void)state;
	for (i = 0; i < 100; i++) {
		p[i] = ordo_arena_alloc(&a, i + 1);
		assert_non_null(p[i]);
		assert_int_equal((uintptr_t)p[i] % _Alignof(max_align_t), 0);
		memset(p[i], (int)i, i + 1);
	}
	/* Nothing overlaps: each keeps what was written. */
	for (i = 0; i < 100; i++)
		for (size_t k = 0; k <= i; k++)
			assert_int_equal(p[i][k], (unsigned char)i);
	assert_int_equal(a.allocations, 100);
	assert_int_equal(a.bytes, ORDO_ARENA_BLOCK_BYTES);
	assert_true(ordo_arena_owns(&a, p[0]));
	assert_true(ordo_arena_owns(&a, p[99] + 99));
	assert_false(ordo_arena_owns(&a, &local));
	ordo_arena_release(&a);
	assert_false(ordo_arena_owns(&a, p[0]));
	assert_int_equal(a.bytes, 0);
	/* Ready for use again. */
	assert_non_null(ordo_arena_alloc(&a, 8));
	ordo_arena_release(&a);
}

static void test_large_allocations_get_blocks_of_their_own(void **state)
{
	ordo_arena a = ORDO_ARENA_INIT;
	unsigned char *small, *big, *after;
	size_t big_size = ORDO_ARENA_BLOCK_BYTES * 3;

	(void)state;
	small = ordo_arena_alloc(&a, 16);
	big = ordo_arena_alloc(&a, big_size);
	after = ordo_arena_alloc(&a, 16);
	assert_non_null(small);
	assert_non_null(big);
	assert_non_null(after);
	memset(big, 7, big_size);
	/* The small ones stay in the first block, next to each other. */
	assert_ptr_equal(after, small + 16);
	assert_true(ordo_arena_owns(&a, big + big_size - 1));
	assert_int_equal(a.bytes, ORDO_ARENA_BLOCK_BYTES + big_size);
	ordo_arena_release(&a);
}

static void test_an_arena_that_cannot_grow_answers_null(void **state)
{
	ordo_arena a = ORDO_ARENA_INIT;

	(void)state;
	assert_non_null(ordo_arena_alloc(&a, 64));
	/* Sizes no block can have are refused, not wrapped around. */
	assert_null(ordo_arena_alloc(&a, SIZE_MAX - 8));
	assert_null(ordo_arena_alloc(&a, SIZE_MAX));
	assert_int_equal(a.allocations, 1);
	ordo_arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_allocations_share_a_block),
		cmocka_unit_test(test_large_allocations_get_blocks_of_their_own),
		cmocka_unit_test(test_an_arena_that_cannot_grow_answers_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
