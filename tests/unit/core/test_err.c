/*
 * test_err.c - the UTF-8 safety of ordo_err: validation, cutting between
 * characters, scrubbing, and messages that echo cut or invalid text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

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
	ordo_err err;
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
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_valid),
		cmocka_unit_test(test_utf8_cut),
		cmocka_unit_test(test_strlcpy_cuts_between_characters),
		cmocka_unit_test(test_scrub),
		cmocka_unit_test(test_messages_stay_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
