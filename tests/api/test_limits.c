/*
 * test_limits.c - requests a second per API key, per person and per
 * client address: a server started with --rate-per-key 50 answers a key
 * (or a person's session) that asks faster 429 rate_limited with a
 * Retry-After, answers its other keys meanwhile, and answers that key
 * again once it has waited that long; with --rate-per-address 100, a
 * client asking faster with many keys, or none, is answered 429 too. The
 * address's rate is low enough that one client's requests in a row pass
 * it on a slow, loaded machine (about 150 a second are enough), and,
 * spread over 13 callers, no key reaches its own rate before the address
 * does.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RATE 50
#define ADDRESS_RATE 100

static const char *const serve_args[] = {"--rate-per-key", "50",
					 "--rate-per-address", "100", NULL};

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

API_TEST(a_person_past_the_rate_is_told_to_wait)
{
	const char *args[] = {"user",	"create", "rushed@example.com",
			      "--tenant", "acme",   "--role",
			      "viewer", "--db",	    srv->db_path, NULL};
	char pw[64], body[160], set[256], cookie[200], after[16];
	const char *headers[2] = {cookie, NULL};
	struct cli_result cr;
	struct resp *r = NULL;
	int i, ok = 0;

	cli_run(&cr, args);
	check(cr.exit_status == 0 && last_line(cr.out, pw, sizeof(pw)) == 0,
	      "%s%s", cr.out, cr.err);
	cli_result_free(&cr);
	snprintf(body, sizeof(body),
		 "{\"email\": \"rushed@example.com\", \"password\": \"%s\"}",
		 pw);
	r = http("POST", "/v1/session", NULL, body, strlen(body), NULL);
	assert_status(r, 201);
	check(resp_header(r, "Set-Cookie", set, sizeof(set)), "a cookie");
	resp_free(r);
	snprintf(cookie, sizeof(cookie), "Cookie: %.*s", (int)strcspn(set, ";"),
		 set);
	for (i = 0; i < 2000; i++) {
		r = http("GET", "/v1/orders?limit=1", NULL, NULL, 0, headers);
		if (r->status != 200)
			break;
		ok++;
		resp_free(r);
		r = NULL;
	}
	check(r != NULL, "2000 requests of one person: none refused");
	assert_error(r, 429, "rate_limited", NULL);
	check(strstr(r->body, "this person") &&
		      resp_header(r, "Retry-After", after, sizeof(after)),
	      "%s", r->body);
	check(ok >= 2 * RATE, "%d answered first", ok);
	resp_free(r);
	harness_sleep_ms(atoi(after) * 1000L);
}

API_TEST(a_client_address_past_its_rate_is_told_to_wait)
{
	char keys[12][HARNESS_KEY_MAX], after[16];
	struct resp *r = NULL;
	int i, ok = 0;

	for (i = 0; i < 12; i++) {
		char name[32];

		snprintf(name, sizeof(name), "spread-%d", i);
		key_create("acme", "viewer", name, keys[i], sizeof(keys[i]));
	}
	/* Twelve keys, each kept under its own rate (the address's burst
	 * over 13 is under a key's), and requests with none: the address
	 * counts them all. */
	for (i = 0; i < 5000; i++) {
		r = i % 13 == 12 ? http_get(NULL, "/healthz")
				 : http_get(keys[i % 13], "/v1/orders?limit=1");
		if (r->status != 200)
			break;
		ok++;
		resp_free(r);
		r = NULL;
	}
	check(r != NULL, "5000 requests from one address: none refused");
	assert_error(r, 429, "rate_limited", NULL);
	check(strstr(r->body, "client address") &&
		      resp_header(r, "Retry-After", after, sizeof(after)) &&
		      atoi(after) >= 1,
	      "%s", r->body);
	check(ok >= ADDRESS_RATE, "%d answered first", ok);
	resp_free(r);
	harness_sleep_ms(atoi(after) * 1000L);
	r = http_get(NULL, "/healthz");
	assert_status(r, 200);
	resp_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_key_past_its_rate_is_told_to_wait),
		cmocka_unit_test(a_person_past_the_rate_is_told_to_wait),
		cmocka_unit_test(a_client_address_past_its_rate_is_told_to_wait),
	};

	return cmocka_run_group_tests(tests, group_setup,
				      harness_group_teardown);
}
