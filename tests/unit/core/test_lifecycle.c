/*
 * test_lifecycle.c - the order state machine: names, terminal states, and
 * every one of the 11 x 11 moves checked against an expected table written
 * here independently of lifecycle.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/lifecycle.h"

struct move {
	const char *from;
	const char *to;
};

/* The allowed moves, by name, as the lifecycle design states them. */
static const struct move expected_moves[] = {
	{ "received", "validated" },  { "received", "on_hold" },
	{ "received", "rejected" },   { "received", "cancelled" },
	{ "validated", "accepted" },  { "validated", "on_hold" },
	{ "validated", "rejected" },  { "validated", "cancelled" },
	{ "on_hold", "validated" },   { "on_hold", "accepted" },
	{ "on_hold", "allocated" },   { "on_hold", "released" },
	{ "on_hold", "rejected" },    { "on_hold", "cancelled" },
	{ "on_hold", "shipped" },
	{ "accepted", "allocated" },  { "accepted", "on_hold" },
	{ "accepted", "cancelled" },  { "allocated", "released" },
	{ "allocated", "accepted" },  { "allocated", "on_hold" },
	{ "allocated", "cancelled" }, { "released", "shipped" },
	{ "released", "allocated" },  { "released", "on_hold" },
	{ "released", "cancelled" },  { "shipped", "delivered" },
	{ "delivered", "closed" },
};

static const char *const all_states[] = {
	"received", "validated", "on_hold", "accepted", "allocated", "released",
	"shipped",  "delivered", "closed",  "rejected", "cancelled",
};

#define N_STATES (sizeof(all_states) / sizeof(all_states[0]))

static bool expected_allowed(const char *from, const char *to)
{
	size_t i;

	for (i = 0; i < sizeof(expected_moves) / sizeof(expected_moves[0]); i++)
		if (strcmp(expected_moves[i].from, from) == 0 &&
		    strcmp(expected_moves[i].to, to) == 0)
			return true;
	return false;
}

static order_state state(const char *name)
{
	order_state s;

	assert_int_equal(order_state_parse(name, &s), 0);
	return s;
}

static void test_names_round_trip(void **unused)
{
	size_t i;
	order_state s;

	(void)unused;
	assert_int_equal(N_STATES, ORDER_STATE_COUNT);
	for (i = 0; i < N_STATES; i++) {
		s = state(all_states[i]);
		assert_string_equal(order_state_name(s), all_states[i]);
	}
	assert_int_equal(order_state_parse("shipping", &s), -1);
	assert_int_equal(order_state_parse("", &s), -1);
	assert_int_equal(order_state_parse("RECEIVED", &s), -1);
	assert_int_equal(order_state_parse(NULL, &s), -1);
	assert_string_equal(order_state_name((order_state)99), "unknown");
}

static void test_terminal(void **unused)
{
	size_t i;

	(void)unused;
	for (i = 0; i < N_STATES; i++) {
		const char *n = all_states[i];
		bool term = strcmp(n, "closed") == 0 ||
			    strcmp(n, "rejected") == 0 ||
			    strcmp(n, "cancelled") == 0;

		assert_int_equal(lifecycle_is_terminal(state(n)), term);
	}
}

static void test_every_pair(void **unused)
{
	size_t i, j, allowed = 0;

	(void)unused;
	for (i = 0; i < N_STATES; i++) {
		for (j = 0; j < N_STATES; j++) {
			bool want =
				expected_allowed(all_states[i], all_states[j]);
			bool got = lifecycle_can_move(state(all_states[i]),
						      state(all_states[j]));

			if (want != got)
				fail_msg("%s -> %s: expected %s, got %s",
					 all_states[i], all_states[j],
					 want ? "allowed" : "refused",
					 got ? "allowed" : "refused");
			if (got)
				allowed++;
		}
	}
	assert_int_equal(allowed,
			 sizeof(expected_moves) / sizeof(expected_moves[0]));
}

static void test_same_state_and_terminal_refused(void **unused)
{
	size_t i, j;

	(void)unused;
	for (i = 0; i < N_STATES; i++) {
		order_state s = state(all_states[i]);

		assert_false(lifecycle_can_move(s, s));
		if (!lifecycle_is_terminal(s))
			continue;
		for (j = 0; j < N_STATES; j++)
			assert_false(
				lifecycle_can_move(s, state(all_states[j])));
	}
	assert_false(lifecycle_can_move((order_state)99, ORDER_CLOSED));
	assert_false(lifecycle_can_move(ORDER_RECEIVED, (order_state)99));
}

static void test_move_applies_every_allowed(void **unused)
{
	size_t i, j;
	ordo_err err = ORDO_ERR_INIT;

	(void)unused;
	for (i = 0; i < N_STATES; i++) {
		for (j = 0; j < N_STATES; j++) {
			order_state s = state(all_states[i]);
			order_state to = state(all_states[j]);
			ordo_code rc;

			ordo_err_clear(&err);
			rc = lifecycle_move(&s, to, &err);
			if (expected_allowed(all_states[i], all_states[j])) {
				assert_int_equal(rc, ORDO_OK);
				assert_int_equal(s, to);
			} else {
				assert_int_equal(rc, ORDO_ESTATE);
				assert_int_equal(err.code, ORDO_ESTATE);
				assert_int_equal(s, state(all_states[i]));
				assert_non_null(
					strstr(err.message, all_states[i]));
				assert_non_null(
					strstr(err.message, all_states[j]));
			}
		}
	}
}

static void test_move_message(void **unused)
{
	order_state s = ORDER_SHIPPED;
	ordo_err err = ORDO_ERR_INIT;

	(void)unused;
	ordo_err_clear(&err);
	assert_int_equal(lifecycle_move(&s, ORDER_ACCEPTED, &err), ORDO_ESTATE);
	assert_string_equal(err.message,
			    "cannot move order from shipped to accepted");
	assert_string_equal(ordo_code_name(err.code),
			    "invalid_state_transition");
	assert_int_equal(s, ORDER_SHIPPED);
	/* A NULL err is allowed: only the code comes back. */
	assert_int_equal(lifecycle_move(&s, ORDER_RECEIVED, NULL), ORDO_ESTATE);
}

static void test_happy_path(void **unused)
{
	static const order_state path[] = {
		ORDER_VALIDATED, ORDER_ACCEPTED, ORDER_ALLOCATED,
		ORDER_RELEASED,	 ORDER_SHIPPED,	 ORDER_DELIVERED,
		ORDER_CLOSED,
	};
	order_state s = ORDER_RECEIVED;
	size_t i;

	(void)unused;
	for (i = 0; i < sizeof(path) / sizeof(path[0]); i++)
		assert_int_equal(lifecycle_move(&s, path[i], NULL), ORDO_OK);
	assert_int_equal(s, ORDER_CLOSED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_round_trip),
		cmocka_unit_test(test_terminal),
		cmocka_unit_test(test_every_pair),
		cmocka_unit_test(test_same_state_and_terminal_refused),
		cmocka_unit_test(test_move_applies_every_allowed),
		cmocka_unit_test(test_move_message),
		cmocka_unit_test(test_happy_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
