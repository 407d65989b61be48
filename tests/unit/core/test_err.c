/*
 * test_err.c - ordo_err: its UTF-8 safety (validation, cutting between
 * characters, scrubbing, messages that echo cut or invalid text) and its
 * memory: small enough for the stack, details allocated on demand and
 * bounded, an allocation failure that still leaves the top-level error,
 * and clear, copy and move that own the details exactly once (ASan in the
 * test build reports any detail array leaked or freed twice).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/alloc.h"
#include "core/err.h"

static void test_utf8_valid(void **state)
{
	(void)state;
	static const char *const good[] = {
		"", "plain", "\xc3\xa9t\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x93\xa6",
		"\xef\xbf\xbf", "\xf4\x8f\xbf\xbf",
	};
	static const char *const bad[] = {
		"\xff", "\xc3", "a\xc3", "\xe2\x82", "\x80", "\xc0\xaf",
		"\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xf8\x88\x80\x80\x80",
		"\xc3\x28",
	};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!ordo_utf8_valid(good[i], strlen(good[i])))
			fail_msg("good text %zu refused", i);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (ordo_utf8_valid(bad[i], strlen(bad[i])))
			fail_msg("bad text %zu accepted", i);
	/* A NUL byte is a character; the edge refuses it separately. */
	assert_true(ordo_utf8_valid("a\0b", 3));
}

static void test_utf8_cut(void **state)
{
	(void)state;
	const char *s = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x93\xa6"; /* a é € 📦 */

	assert_int_equal(ordo_utf8_cut(s, 1), 1);
	assert_int_equal(ordo_utf8_cut(s, 2), 1);  /* inside é */
	assert_int_equal(ordo_utf8_cut(s, 3), 3);
	assert_int_equal(ordo_utf8_cut(s, 4), 3);  /* inside € */
	assert_int_equal(ordo_utf8_cut(s, 5), 3);
	assert_int_equal(ordo_utf8_cut(s, 6), 6);
	assert_int_equal(ordo_utf8_cut(s, 7), 6);  /* inside 📦 */
	assert_int_equal(ordo_utf8_cut(s, 9), 6);
	assert_int_equal(ordo_utf8_cut(s, 10), 10);
	assert_int_equal(ordo_utf8_cut(s, 0), 0);
}

static void test_strlcpy_cuts_between_characters(void **state)
{
	(void)state;
	char buf[4];

	/* "aéé" is 5 bytes; 3 fit, and the third would split the 2nd é. */
	assert_int_equal(ordo_strlcpy(buf, "a\xc3\xa9\xc3\xa9", sizeof(buf)),
			 -1);
	assert_string_equal(buf, "a\xc3\xa9");
	assert_int_equal(ordo_strlcpy(buf, "ab\xc3\xa9", sizeof(buf)), -1);
	assert_string_equal(buf, "ab");
	assert_int_equal(ordo_strlcpy(buf, "abc", sizeof(buf)), 0);
	assert_string_equal(buf, "abc");
}

static void test_scrub(void **state)
{
	(void)state;
	char a[] = "ok \xff mid \xe2\x82( \x80\xc0\xaf end";
	char b[] = "cut at the end \xe2\x82";
	char c[] = "fine \xc3\xa9";

	/* Cut characters go, other bad bytes show as '?'. */
	ordo_utf8_scrub(a);
	assert_string_equal(a, "ok ? mid ( ??? end");
	ordo_utf8_scrub(b);
	assert_string_equal(b, "cut at the end ");
	ordo_utf8_scrub(c);
	assert_string_equal(c, "fine \xc3\xa9");
}

/* A message that echoes a value cut by "%.Ns" or by the message buffer is
 * still valid UTF-8. */
static void test_messages_stay_utf8(void **state)
{
	(void)state;
	ordo_err err = ORDO_ERR_INIT;
	char id[1 + 400 + 1];

	id[0] = 'a';
	for (int i = 0; i < 200; i++)
		memcpy(id + 1 + 2 * i, "\xc3\xa9", 2);
	id[401] = '\0';
	ordo_err_clear(&err);
	ordo_err_set(&err, ORDO_ENOTFOUND, "id", "no order \"%.32s\"", id);
	assert_true(ordo_utf8_valid(err.message, strlen(err.message)));
	/* 32 bytes are "a" and 15 whole characters; the 16th is dropped. */
	assert_int_equal(strlen(err.message), strlen("no order \"\"") + 31);
	ordo_err_set(&err, ORDO_ENOTFOUND, id, "no order \"%s\"", id);
	assert_true(ordo_utf8_valid(err.message, strlen(err.message)));
	assert_true(ordo_utf8_valid(err.field, strlen(err.field)));
	ordo_err_clear(&err);
	ordo_err_add(&err, ORDO_EINVALID, id, "bad \"%s\"", id);
	assert_true(ordo_utf8_valid(err.details[0].message,
				    strlen(err.details[0].message)));
	assert_true(ordo_utf8_valid(err.details[0].field,
				    strlen(err.details[0].field)));
	ordo_err_set_message(&err, "%.7s\xff", id);
	assert_true(ordo_utf8_valid(err.message, strlen(err.message)));
	ordo_err_clear(&err);
}

/* An error lives on the stack: code, message and field inline, nothing
 * else; no inline array of details. */
static void test_fits_on_the_stack(void **state)
{
	(void)state;
	assert_true(sizeof(ordo_err) <= ORDO_ERR_MESSAGE_MAX +
						 ORDO_ERR_FIELD_MAX + 64);
}

/* No details, no allocation; the first detail allocates, and clear frees
 * it and leaves an empty error that can be used again. */
static void test_details_allocated_on_demand(void **state)
{
	ordo_err err = ORDO_ERR_INIT;

	(void)state;
	assert_null(err.details);
	ordo_err_set(&err, ORDO_ENOTFOUND, "id", "no order \"%s\"", "x");
	assert_null(err.details);
	assert_int_equal(err.n_details, 0);
	ordo_err_clear(&err);

	ordo_err_add(&err, ORDO_EINVALID, "lines[0].sku", "is required");
	assert_int_equal(err.code, ORDO_EINVALID);
	assert_string_equal(err.field, "lines[0].sku");
	assert_int_equal(err.n_details, 1);
	assert_non_null(err.details);
	assert_string_equal(err.details[0].field, "lines[0].sku");
	assert_string_equal(err.details[0].message, "is required");

	ordo_err_clear(&err);
	assert_int_equal(err.code, ORDO_OK);
	assert_null(err.details);
	assert_int_equal(err.n_details, 0);
	assert_int_equal(err.n_dropped, 0);
	assert_string_equal(err.message, "");
	assert_string_equal(err.field, "");
	ordo_err_clear(&err); /* clearing twice is fine */

	ordo_err_add(&err, ORDO_EINVALID, "currency", "is required");
	assert_int_equal(err.n_details, 1);
	ordo_err_clear(&err);
}

/* Past ORDO_ERR_MAX_DETAILS a detail is counted, not kept: the list never
 * grows beyond the limit, and every detail kept is the one added. */
static void test_details_bounded(void **state)
{
	ordo_err err = ORDO_ERR_INIT;
	int i;

	(void)state;
	for (i = 0; i < ORDO_ERR_MAX_DETAILS + 9; i++)
		ordo_err_add(&err, ORDO_EINVALID, "f", "problem %d", i);
	assert_int_equal(err.n_details, ORDO_ERR_MAX_DETAILS);
	assert_int_equal(err.n_dropped, 9);
	assert_true(err.details_cap <= ORDO_ERR_MAX_DETAILS);
	for (i = 0; i < ORDO_ERR_MAX_DETAILS; i++) {
		char want[32];

		snprintf(want, sizeof(want), "problem %d", i);
		assert_string_equal(err.details[i].message, want);
	}
	ordo_err_clear(&err);
}

/* With no memory for details, reporting still works: the code, message
 * and field are set and the details are counted as dropped. Once memory
 * is back, details are kept again. */
static void test_details_allocation_failure_keeps_the_error(void **state)
{
	ordo_err err = ORDO_ERR_INIT;
	int i;

	(void)state;
	ordo_alloc_budget_set(0);
	ordo_err_add(&err, ORDO_EINVALID, "email", "is not an email address");
	ordo_err_add(&err, ORDO_EINVALID, "phone", "is too long");
	ordo_err_set_message(&err, "the request has problems");
	ordo_alloc_budget_set(-1);
	assert_int_equal(err.code, ORDO_EINVALID);
	assert_string_equal(err.field, "email"); /* the first problem's */
	assert_string_equal(err.message, "the request has problems");
	assert_int_equal(err.n_details, 0);
	assert_int_equal(err.n_dropped, 2);
	assert_null(err.details);
	ordo_err_clear(&err);

	/* The first array is allocated; growing it past its first size
	 * fails, and what was already kept stays. */
	ordo_alloc_budget_set(1);
	for (i = 0; i < 10; i++)
		ordo_err_add(&err, ORDO_EINVALID, "f", "problem %d", i);
	ordo_alloc_budget_set(-1);
	assert_true(err.n_details >= 1);
	assert_int_equal(err.n_details + err.n_dropped, 10);
	assert_int_equal(err.n_details, err.details_cap);
	assert_string_equal(err.details[err.n_details - 1].field, "f");
	ordo_err_add(&err, ORDO_EINVALID, "g", "after");
	assert_string_equal(err.details[err.n_details - 1].message, "after");
	ordo_err_clear(&err);
}

/* A copy owns its own details; a copy that cannot allocate keeps the top
 * error and counts the details. A move hands the details over and leaves
 * the source empty. */
static void test_copy_and_move(void **state)
{
	ordo_err a = ORDO_ERR_INIT, b = ORDO_ERR_INIT, c = ORDO_ERR_INIT;

	(void)state;
	ordo_err_add(&a, ORDO_EINVALID, "x", "one");
	ordo_err_add(&a, ORDO_EINVALID, "y", "two");
	ordo_err_set_message(&a, "two problems");
	ordo_err_add(&b, ORDO_ECONFLICT, "old", "replaced by the copy");

	ordo_err_copy(&b, &a);
	assert_int_equal(b.code, ORDO_EINVALID);
	assert_string_equal(b.message, "two problems");
	assert_int_equal(b.n_details, 2);
	assert_ptr_not_equal(b.details, a.details);
	ordo_strlcpy(b.details[0].message, "changed",
		     sizeof(b.details[0].message));
	assert_string_equal(a.details[0].message, "one");

	ordo_alloc_budget_set(0);
	ordo_err_copy(&c, &a);
	ordo_alloc_budget_set(-1);
	assert_int_equal(c.code, ORDO_EINVALID);
	assert_string_equal(c.message, "two problems");
	assert_string_equal(c.field, "x");
	assert_int_equal(c.n_details, 0);
	assert_int_equal(c.n_dropped, 2);
	assert_null(c.details);

	ordo_err_move(&c, &a);
	assert_int_equal(a.code, ORDO_OK);
	assert_null(a.details);
	assert_int_equal(a.n_details, 0);
	assert_int_equal(c.n_details, 2);
	assert_int_equal(c.n_dropped, 0);
	assert_string_equal(c.details[1].message, "two");

	ordo_err_move(NULL, &b); /* nobody wants it: b is only cleared */
	assert_null(b.details);
	ordo_err_clear(&a);
	ordo_err_clear(&b);
	ordo_err_clear(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_valid),
		cmocka_unit_test(test_utf8_cut),
		cmocka_unit_test(test_strlcpy_cuts_between_characters),
		cmocka_unit_test(test_scrub),
		cmocka_unit_test(test_messages_stay_utf8),
		cmocka_unit_test(test_fits_on_the_stack),
		cmocka_unit_test(test_details_allocated_on_demand),
		cmocka_unit_test(test_details_bounded),
		cmocka_unit_test(test_details_allocation_failure_keeps_the_error),
		cmocka_unit_test(test_copy_and_move),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
