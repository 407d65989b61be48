/*
 * test_limits.c - requests a second per API key: a server started with
 * --rate-per-key 50 answers a key that asks faster 429 rate_limited with a
 * Retry-After, answers its other keys meanwhile, and answers that key
 * again once it has waited that long.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RATE 50

static const char *const serve_args[] = {"--rate-per-key", "50", NULL};

static int group_setup(void **state)
{
	harness_set_serve_args(serve_args);
	return harness_group_setup(state);
}

API_TEST(a_key_past_its_rate_is_told_to_wait)
{
	char key[HARNESS_KEY_MAX], after[16];
	struct resp *r = NULL;
	long started = harness_now_ms(), elapsed;
	int i, ok = 0, wait_s;

	key_create("acme", "viewer", "hasty", key, sizeof(key));
	for (i = 0; i < 2000; i++) {
		r = http_get(key, "/v1/orders?limit=1");
		if (r->status != 200)
			break;
		ok++;
		resp_free(r);
		r = NULL;
	}
	elapsed = harness_now_ms() - started;
	check(r != NULL, "2000 requests as fast as they go: none refused");
	assert_error(r, 429, "rate_limited", NULL);
	check(resp_header(r, "Retry-After", after, sizeof(after)) &&
		      atoi(after) >= 1,
	      "a 429 says when to try again: \"%s\"", after);
	wait_s = atoi(after);
	resp_free(r);
	/* A full bucket (two seconds' worth), then the rate. */
	check(ok >= 2 * RATE && ok <= 2 * RATE + RATE * (elapsed / 1000 + 1),
	      "%d answered in %ld ms before the first 429, at %d a second",
	      ok, elapsed, RATE);
	/* The tenant's other keys are answered meanwhile. */
	r = http_get(srv->key_acme, "/v1/orders?limit=1");
	assert_status(r, 200);
	resp_free(r);
	harness_sleep_ms(wait_s * 1000L);
	r = http_get(key, "/v1/orders?limit=1");
	assert_status(r, 200);
	resp_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_key_past_its_rate_is_told_to_wait),
	};

	return cmocka_run_group_tests(tests, group_setup,
				      harness_group_teardown);
}
