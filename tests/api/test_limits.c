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
 *
 * Behind a proxy: a server with --trusted-proxies 127.0.0.1 counts each
 * client its X-Forwarded-For names apart, believing only the entry its
 * proxy wrote, and records that client in the audit log; one without it
 * believes no X-Forwarded-For at all.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RATE 50
#define ADDRESS_RATE 100

static const char *const serve_args[] = {"--rate-per-key", "50",
					 "--rate-per-address", "100", NULL};

static const char *const proxied_args[] = {
	"--rate-per-address", "100", "--trusted-proxies", "127.0.0.1", NULL};

static int group_setup(void **state)
{
	harness_set_serve_args(serve_args);
	return harness_group_setup(state);
}

static int proxied_setup(void **state)
{
	harness_set_serve_args(proxied_args);
	return harness_group_setup(state);
}

/* GET /healthz as sent on by a proxy with X-Forwarded-For: forwarded
 * (NULL: none) until the first answer that is not 200, at most n times;
 * that answer (NULL if none), and how many were 200 in *ok. */
static struct resp *ask_until_refused(const char *forwarded, int n, int *ok)
{
	char header[160];
	const char *headers[2] = {header, NULL};

	snprintf(header, sizeof(header), "X-Forwarded-For: %s",
		 forwarded ? forwarded : "");
	for (*ok = 0; *ok < n; ++*ok) {
		struct resp *r = http("GET", "/healthz", NULL, NULL, 0,
				      forwarded ? headers : NULL);

		if (r->status != 200)
			return r;
		resp_free(r);
	}
	return NULL;
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

/* The client the server's log line names for GET /healthz sent on by a
 * proxy with X-Forwarded-For: forwarded (a static buffer). */
static const char *client_of(const char *forwarded)
{
	static unsigned n;
	static char client[64];
	char id_header[64], xff[160], id[48], *text, *line;
	const char *headers[] = {id_header, xff, NULL};
	struct resp *r;

	snprintf(id, sizeof(id), "client-of-%u", ++n);
	snprintf(id_header, sizeof(id_header), "X-Request-Id: %s", id);
	snprintf(xff, sizeof(xff), "X-Forwarded-For: %s", forwarded);
	r = http("GET", "/healthz", NULL, NULL, 0, headers);
	resp_free(r);
	client[0] = '\0';
	/* The line is written as the answer goes: wait for it. */
	for (long until = harness_now_ms() + 5000 * harness_slow();
	     !client[0] && harness_now_ms() < until; harness_sleep_ms(20)) {
		text = harness_log_text(srv);
		for (line = strtok(text, "\n"); line;
		     line = strtok(NULL, "\n")) {
			json_t *j = strstr(line, id) ? json_loads(line, 0, NULL)
						     : NULL;

			if (j && streq(jstr(j, "request_id"), id))
				snprintf(client, sizeof(client), "%s",
					 jstr(j, "client"));
			json_decref(j);
		}
		free(text);
	}
	if (client[0])
		return client;
	print_error("no log line for %s (X-Forwarded-For: %s)\n", id,
		    forwarded);
	return "";
}

/* Without --trusted-proxies, X-Forwarded-For is the client's own word:
 * an address naming a new one each time is still one address. */
API_TEST(a_forwarded_for_is_not_believed_from_a_client)
{
	struct resp *r = NULL;
	char header[64], after[16] = "1";
	const char *headers[2] = {header, NULL};
	int i;

	for (i = 0; i < 5000; i++) {
		snprintf(header, sizeof(header),
			 "X-Forwarded-For: 198.51.100.%d", i % 250);
		r = http("GET", "/healthz", NULL, NULL, 0, headers);
		if (r->status != 200)
			break;
		resp_free(r);
		r = NULL;
	}
	check(r != NULL, "5000 requests naming other clients: none refused");
	assert_error(r, 429, "rate_limited", NULL);
	resp_header(r, "Retry-After", after, sizeof(after));
	resp_free(r);
	harness_sleep_ms(2000 + 1000L * atoi(after));
}

/* Behind a trusted proxy each client has its own rate; what a client
 * wrote in X-Forwarded-For itself, left of what its proxy added, is not
 * believed. */
API_TEST(clients_behind_a_trusted_proxy_are_counted_apart)
{
	int ok;
	struct resp *r = ask_until_refused("198.51.100.7", 5000, &ok);

	check(r != NULL, "5000 requests of one client: none refused");
	assert_error(r, 429, "rate_limited", NULL);
	check(ok >= ADDRESS_RATE, "%d answered first", ok);
	resp_free(r);
	/* Another client of the proxy, and the proxy itself. */
	r = ask_until_refused("198.51.100.8", 1, &ok);
	check(r == NULL, "another client behind the proxy is answered: %d",
	      r ? (int)r->status : 200);
	r = ask_until_refused(NULL, 1, &ok);
	check(r == NULL, "the proxy itself is answered: %d",
	      r ? (int)r->status : 200);
	/* Whom the server takes a request for, by its log line: a client
	 * naming another in front of its own address, behind a second
	 * trusted proxy, or behind an entry that is no address. */
	check(streq(client_of("198.51.100.8, 198.51.100.7"), "198.51.100.7") &&
		      streq(client_of("198.51.100.8, 198.51.100.7 , 127.0.0.1"),
			    "198.51.100.7") &&
		      streq(client_of("[2001:db8::9]"), "2001:db8::9") &&
		      streq(client_of("198.51.100.7, 203.0.113.1:443"),
			    "127.0.0.1") &&
		      streq(client_of("198.51.100.7, nobody"), "127.0.0.1"),
	      "each request is from the client its proxy named");
	harness_sleep_ms(3000);
}

/* The audit log records the client behind the proxy. */
API_TEST(the_audit_log_names_the_client_behind_a_trusted_proxy)
{
	const char *headers[] = {"X-Forwarded-For: 2001:db8::17", NULL};
	const char *body = "{\"name\": \"proxied\", \"role\": \"viewer\"}";
	struct resp *r = http("POST", "/v1/keys", srv->key_acme, body,
			      strlen(body), headers);
	char id[64], path[160];

	assert_status(r, 201);
	snprintf(id, sizeof(id), "%s", jstr(r->json, "id"));
	resp_free(r);
	snprintf(path, sizeof(path), "/v1/audit?kind=key.created&limit=5");
	r = http_get(srv->key_acme, "%s", path);
	assert_status(r, 200);
	{
		size_t i;
		json_t *row;
		int found = 0;

		json_array_foreach(jget(r->json, "audit"), i, row)
			if (streq(jstr(row, "target"), id))
				found = streq(jstr(row, "address"),
					      "2001:db8::17");
		check(found, "the key's row names 2001:db8::17: %s", r->body);
	}
	resp_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_key_past_its_rate_is_told_to_wait),
		cmocka_unit_test(a_person_past_the_rate_is_told_to_wait),
		cmocka_unit_test(a_client_address_past_its_rate_is_told_to_wait),
		cmocka_unit_test(a_forwarded_for_is_not_believed_from_a_client),
	};
	const struct CMUnitTest proxied[] = {
		cmocka_unit_test(clients_behind_a_trusted_proxy_are_counted_apart),
		cmocka_unit_test(the_audit_log_names_the_client_behind_a_trusted_proxy),
	};
	int failed = harness_run_group(tests, group_setup,
				       harness_group_teardown);

	return failed + harness_run_group(proxied, proxied_setup,
					  harness_group_teardown);
}
