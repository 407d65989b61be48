/*
 * test_signature.c - webhook signatures: a known vector computed
 * independently (RFC 4231-style HMAC-SHA256 over "t.body"), verification,
 * and every refusal; while a rotated secret's grace lasts, one v1 per
 * secret, either verifying.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "core/signature.h"

static void known_vector(void **state)
{
	char sig[SIGNATURE_HEADER_MAX];

	(void)state;
	/* HMAC-SHA256(key="whsec_test", "1700000000.{\"a\":1}"), computed
	 * with a separate implementation (Python's hmac module). */
	signature_make("whsec_test", NULL, 1700000000, "{\"a\":1}", 7, sig);
	assert_string_equal(sig, "t=1700000000,v1="
				 "38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789");
}

static void verifies_and_refuses(void **state)
{
	const char *body = "{\"id\":\"evt_1\"}";
	char sig[SIGNATURE_HEADER_MAX], bad[SIGNATURE_HEADER_MAX];

	(void)state;
	signature_make("s3cret", NULL, 1000, body, strlen(body), sig);
	assert_true(signature_verify("s3cret", sig, body, strlen(body), 1000,
				     300));
	assert_true(signature_verify("s3cret", sig, body, strlen(body), 1299,
				     300));
	/* too old, wrong secret, changed body, mangled header */
	assert_false(signature_verify("s3cret", sig, body, strlen(body), 1301,
				      300));
	assert_false(signature_verify("other", sig, body, strlen(body), 1000,
				      300));
	assert_false(signature_verify("s3cret", sig, "{\"id\":\"evt_2\"}",
				      strlen(body), 1000, 300));
	memcpy(bad, sig, sizeof(bad));
	bad[strlen(bad) - 1] = bad[strlen(bad) - 1] == '0' ? '1' : '0';
	assert_false(signature_verify("s3cret", bad, body, strlen(body), 1000,
				      300));
	assert_false(signature_verify("s3cret", "v1=abc", body, strlen(body),
				      1000, 300));
	assert_false(signature_verify("s3cret", "t=1000,v1=abc", body,
				      strlen(body), 1000, 300));
}

static void both_secrets_sign_while_the_old_one_lasts(void **state)
{
	const char *body = "{\"id\":\"evt_1\"}";
	char sig[SIGNATURE_HEADER_MAX], one[SIGNATURE_HEADER_MAX];

	(void)state;
	signature_make("whsec_new", "whsec_old", 1000, body, strlen(body), sig);
	/* The new one's v1 first, then the old one's. */
	signature_make("whsec_new", "", 1000, body, strlen(body), one);
	assert_int_equal(strncmp(sig, one, strlen(one)), 0);
	assert_int_equal(strlen(sig), strlen(one) + 68);
	assert_true(signature_verify("whsec_new", sig, body, strlen(body),
				     1000, 300));
	assert_true(signature_verify("whsec_old", sig, body, strlen(body),
				     1000, 300));
	assert_false(signature_verify("whsec_other", sig, body, strlen(body),
				      1000, 300));
	/* A v1 cut short, or something after the last, is no signature. */
	sig[strlen(sig) - 1] = '\0';
	assert_false(signature_verify("whsec_new", sig, body, strlen(body),
				      1000, 300));
	signature_make("whsec_new", "whsec_old", 1000, body, strlen(body), sig);
	strcat(sig, ",x");
	assert_false(signature_verify("whsec_new", sig, body, strlen(body),
				      1000, 300));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(known_vector),
		cmocka_unit_test(verifies_and_refuses),
		cmocka_unit_test(both_secrets_sign_while_the_old_one_lasts),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
