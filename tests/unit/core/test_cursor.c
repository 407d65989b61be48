/*
 * test_cursor.c - sealed page cursors: what is sealed opens for its tenant
 * and list alone, under its key alone; nothing of it shows in the text; a changed,
 * cut or foreign text is refused; and the longest position fits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "core/cursor.h"

static unsigned char key[ORDO_CURSOR_KEY_BYTES], other_key[ORDO_CURSOR_KEY_BYTES];

static void round_trip_for_its_tenant_alone(void **state)
{
	char text[ORDO_CURSOR_TEXT_MAX], again[ORDO_CURSOR_TEXT_MAX];
	char inner[ORDO_CURSOR_INNER_MAX];

	(void)state;
	assert_int_equal(ordo_cursor_seal(key, 7, "/v1/orders", "1234567", text), 0);
	assert_null(strstr(text, "1234567"));
	assert_int_equal(strspn(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklm"
				      "nopqrstuvwxyz0123456789-_"),
			 strlen(text));
	assert_int_equal(ordo_cursor_open(key, 7, "/v1/orders", text, inner), 0);
	assert_string_equal(inner, "1234567");
	/* Sealed again: another text, the same position. */
	assert_int_equal(ordo_cursor_seal(key, 7, "/v1/orders", "1234567", again), 0);
	assert_string_not_equal(text, again);
	assert_int_equal(ordo_cursor_open(key, 7, "/v1/orders", again, inner), 0);
	assert_string_equal(inner, "1234567");
	/* Another tenant's, or another deployment's key: not ours. */
	assert_int_equal(ordo_cursor_open(key, 8, "/v1/orders", text, inner), -1);
	assert_int_equal(ordo_cursor_open(key, -7, "/v1/orders", text, inner), -1);
	assert_int_equal(ordo_cursor_open(other_key, 7, "/v1/orders", text, inner), -1);
	/* Another list's: not this one's either. */
	assert_int_equal(ordo_cursor_open(key, 7, "/v1/shipments", text, inner),
			 -1);
	assert_int_equal(ordo_cursor_open(key, 7, "", text, inner), -1);
}

static void changed_cut_or_made_up_texts_are_refused(void **state)
{
	char text[ORDO_CURSOR_TEXT_MAX], bad[ORDO_CURSOR_TEXT_MAX];
	char inner[ORDO_CURSOR_INNER_MAX];
	size_t i, n;

	(void)state;
	assert_int_equal(ordo_cursor_seal(key, 7, "/v1/orders", "1700000000.hld_x", text),
			 0);
	n = strlen(text);
	for (i = 0; i < n; i++) {
		strcpy(bad, text);
		bad[i] = bad[i] == 'A' ? 'B' : 'A';
		assert_int_equal(ordo_cursor_open(key, 7, "/v1/orders", bad, inner), -1);
	}
	for (i = 0; i < n; i++) {
		memcpy(bad, text, i);
		bad[i] = '\0';
		assert_int_equal(ordo_cursor_open(key, 7, "/v1/orders", bad, inner), -1);
	}
	assert_int_equal(ordo_cursor_open(key, 7, "/v1/orders", "12", inner), -1);
	assert_int_equal(ordo_cursor_open(key, 7, "/v1/orders", "9223372036854775807", inner),
			 -1);
	assert_int_equal(ordo_cursor_open(key, 7, "/v1/orders", "!!garbage", inner), -1);
	assert_int_equal(ordo_cursor_open(key, 7, "/v1/orders", "", inner), -1);
	memset(bad, 'A', sizeof(bad) - 1);
	bad[sizeof(bad) - 1] = '\0';
	assert_int_equal(ordo_cursor_open(key, 7, "/v1/orders", bad, inner), -1);
}

static void the_longest_position_fits(void **state)
{
	char longest[ORDO_CURSOR_INNER_MAX + 1], text[ORDO_CURSOR_TEXT_MAX];
	char inner[ORDO_CURSOR_INNER_MAX];

	(void)state;
	memset(longest, 'x', sizeof(longest));
	longest[ORDO_CURSOR_INNER_MAX - 1] = '\0';
	assert_int_equal(ordo_cursor_seal(key, INT64_MAX, "/v1/orders", longest, text), 0);
	assert_true(strlen(text) < ORDO_CURSOR_TEXT_MAX);
	assert_int_equal(ordo_cursor_open(key, INT64_MAX, "/v1/orders", text, inner), 0);
	assert_string_equal(inner, longest);
	/* One more is our bug, refused rather than cut. */
	longest[ORDO_CURSOR_INNER_MAX - 1] = 'x';
	longest[ORDO_CURSOR_INNER_MAX] = '\0';
	assert_int_equal(ordo_cursor_seal(key, 1, "/v1/orders", longest, text), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip_for_its_tenant_alone),
		cmocka_unit_test(changed_cut_or_made_up_texts_are_refused),
		cmocka_unit_test(the_longest_position_fits),
	};

	if (sodium_init() < 0)
		return 1;
	randombytes_buf(key, sizeof(key));
	randombytes_buf(other_key, sizeof(other_key));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
