/*
 * test_stop.c - a server stops when told, whatever its clients did.
 *
 *   abandoned writes   clients that give up on their writes while those
 *                      wait for the committer (they close their
 *                      connections) leave nothing the stop waits for: a
 *                      SIGTERM afterwards ends the node, cleanly, in
 *                      seconds.
 *
 * The clients post orders with a timeout of a few milliseconds, shorter
 * than a write's way through the committer, so that many connections are
 * closed while their write is suspended and is answered to nobody.
 */
#include "harness.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#define CLIENTS 16
#define POSTS 40

static struct ordo_node node;

struct client {
	pthread_t thread;
	int id;
	const char *key;
	int given_up; /* posts the client abandoned */
};

static size_t sink(char *p, size_t size, size_t n, void *ud)
{
	(void)p;
	(void)ud;
	return size * n;
}

static void *client_run(void *arg)
{
	struct client *cl = arg;
	char url[128], auth[HARNESS_KEY_MAX + 32], ext[64];
	struct curl_slist *h = NULL;
	CURL *c = curl_easy_init();
	int i;

	snprintf(url, sizeof(url), "%s/v1/orders", node.base_url);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", cl->key);
	h = curl_slist_append(h, auth);
	h = curl_slist_append(h, "Content-Type: application/json");
	for (i = 0; c && i < POSTS; i++) {
		json_t *o;
		char *body;

		snprintf(ext, sizeof(ext), "STOP-%d-%d", cl->id, i);
		o = order_one_line(ext, "MUG-12OZ", 1, "12.50");
		body = json_dumps(o, JSON_COMPACT);
		json_decref(o);
		curl_easy_setopt(c, CURLOPT_URL, url);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
		/* Gives up long before a write is durable. */
		curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 1L + (i % 4));
		if (curl_easy_perform(c) == CURLE_OPERATION_TIMEDOUT)
			cl->given_up++;
		free(body);
	}
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return NULL;
}

API_TEST(abandoned_writes_do_not_hold_the_stop)
{
	struct client cl[CLIENTS];
	int i, given_up = 0, rc;
	long t0;

	/* A node of its own on the group's database, to stop here. */
	assert_int_equal(harness_node_start(&node, NULL), 0);
	for (i = 0; i < CLIENTS; i++) {
		cl[i] = (struct client){.id = i, .key = srv->key_acme};
		pthread_create(&cl[i].thread, NULL, client_run, &cl[i]);
	}
	for (i = 0; i < CLIENTS; i++) {
		pthread_join(cl[i].thread, NULL);
		given_up += cl[i].given_up;
	}
	check(given_up > 0, "no client gave up on a write: the test shows "
	      "nothing");
	/* Let the abandoned writes finish; then the stop must not wait. */
	harness_sleep_ms(500);
	t0 = harness_now_ms();
	rc = harness_node_stop(&node);
	check(harness_now_ms() - t0 < 10000,
	      "the node took %ld ms to stop after %d abandoned writes",
	      harness_now_ms() - t0, given_up);
	check(rc == 0, "the node exited with %d", rc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(abandoned_writes_do_not_hold_the_stop),
	};

	return cmocka_run_group_tests_name("stop", tests,
					   harness_group_setup,
					   harness_group_teardown);
}
