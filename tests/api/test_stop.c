/*
 * test_stop.c - a server stops when told, whatever its clients did.
 *
 *   abandoned writes   clients that give up on their writes while those
 *                      wait for the committer (they close their
 *                      connections) leave nothing the stop waits for: a
 *                      SIGTERM afterwards ends the node, cleanly, in
 *                      seconds.
 *
 *   writes in flight   SIGTERM while writes wait for their commit (the
 *                      database held from outside, hold_db.h): the node
 *                      takes no new request (503), answers every write
 *                      in flight 201 once its commit is through, and
 *                      exits 0; each of them is kept, once.
 *
 * The clients of the first post orders with a timeout of a few
 * milliseconds, shorter than a write's way through the committer, so that
 * many connections are closed while their write is suspended and is
 * answered to nobody.
 */
#include "harness.h"
#include "hold_db.h"

#include <pthread.h>
#include <signal.h>
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

#define HELD 6

struct held_post {
	pthread_t thread;
	char ext[32];
	long status;
};

static void *held_post_run(void *arg)
{
	struct held_post *p = arg;
	json_t *o = order_one_line(p->ext, "MUG-12OZ", 1, "12.50");
	char *body = json_dumps(o, JSON_COMPACT);
	const char *headers[] = {"Content-Type: application/json", NULL};
	struct resp *r = http_at(node.base_url, "POST", "/v1/orders",
				 srv->key_acme, body, strlen(body), headers);

	p->status = r->status;
	resp_free(r);
	free(body);
	json_decref(o);
	return NULL;
}

/* The node's ordo_http_writes_in_flight. */
static long in_flight(void)
{
	struct resp *r = http_at(node.base_url, "GET", "/metrics", NULL, NULL,
				 0, NULL);
	const char *at = strstr(r->body, "\nordo_http_writes_in_flight ");
	long n = at ? strtol(at + strlen("\nordo_http_writes_in_flight "),
			     NULL, 10)
		    : -1;

	resp_free(r);
	return n;
}

API_TEST(writes_in_flight_are_answered_and_kept_through_a_stop)
{
	/* static: the posters outlive a failed check */
	static struct held_post p[HELD];
	struct resp *r;
	json_t *late;
	int i, waited, rc;

	assert_int_equal(harness_node_start(&node, NULL), 0);
	hold_database();
	for (i = 0; i < HELD; i++) {
		memset(&p[i], 0, sizeof(p[i]));
		snprintf(p[i].ext, sizeof(p[i].ext), "STOP-HELD-%d", i);
		pthread_create(&p[i].thread, NULL, held_post_run, &p[i]);
	}
	for (waited = 0; waited < 100 && in_flight() < HELD; waited++)
		harness_sleep_ms(10);
	/* (The key's last use is a write of its own, that may wait too.) */
	check(in_flight() >= HELD, "%d writes must wait for their commit, "
	      "not %ld", HELD, in_flight());
	kill(node.pid, SIGTERM);
	harness_sleep_ms(200);
	/* Stopping: a new write is turned away, not taken in. */
	late = order_one_line("STOP-LATE", "MUG-12OZ", 1, "12.50");
	{
		char *body = json_dumps(late, JSON_COMPACT);
		const char *headers[] = {"Content-Type: application/json",
					 NULL};

		r = http_at(node.base_url, "POST", "/v1/orders", srv->key_acme,
			    body, strlen(body), headers);
		free(body);
	}
	check(r->status == 503, "a write sent to a stopping node answered "
	      "%ld: %s", r->status, r->body);
	resp_free(r);
	json_decref(late);
	let_go();
	for (i = 0; i < HELD; i++) {
		pthread_join(p[i].thread, NULL);
		check(p[i].status == 201, "the write in flight %s answered %ld",
		      p[i].ext, p[i].status);
	}
	rc = harness_node_stop(&node);
	check(rc == 0, "the node exited with %d", rc);
	/* Each is kept, once; the one turned away is not there. */
	for (i = 0; i < HELD; i++) {
		r = http_get(srv->key_acme, "/v1/orders?external_id=%s",
			     p[i].ext);
		assert_status(r, 200);
		check(json_array_size(json_object_get(r->json, "orders")) == 1,
		      "%s is kept once: %s", p[i].ext, r->body);
		resp_free(r);
	}
	r = http_get(srv->key_acme, "/v1/orders?external_id=STOP-LATE");
	check(json_array_size(json_object_get(r->json, "orders")) == 0,
	      "the write turned away is not kept: %s", r->body);
	resp_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(abandoned_writes_do_not_hold_the_stop),
		cmocka_unit_test(writes_in_flight_are_answered_and_kept_through_a_stop),
	};

	return harness_run_group_name("stop", tests,
					   harness_group_setup,
					   harness_group_teardown);
}
