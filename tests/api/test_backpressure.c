/*
 * test_backpressure.c - a node takes in at most --max-queued-writes writes
 * before their commit; one more is refused at once with 503 and
 * Retry-After, never held in memory behind the others, and the node takes
 * writes again as soon as the queue drains.
 *
 * The server runs with --max-queued-writes 2. The test holds the database
 * from outside (hold_db.h) so that the committer cannot finish anything,
 * and lets it go within a second or two, so the held writes succeed.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "hold_db.h"

static const char *const serve_args[] = {"--max-queued-writes", "2", NULL};

static int group_setup(void **state)
{
	harness_set_serve_args(serve_args);
	return harness_group_setup(state);
}

/* ---- writes in the background ------------------------------------------ */

struct poster {
	pthread_t thread;
	char ext[64];
	long status;
};

static void *post_one(void *arg)
{
	struct poster *p = arg;
	json_t *order = order_new(p->ext);
	struct resp *r = order_post(srv->key_acme, order, NULL);

	p->status = r->status;
	resp_free(r);
	json_decref(order);
	return NULL;
}

/* The server's ordo_http_writes_queued gauge. */
static long writes_queued(void)
{
	struct resp *r = http_get(NULL, "/metrics");
	const char *at = strstr(r->body, "\nordo_http_writes_queued ");
	long n = at ? strtol(at + strlen("\nordo_http_writes_queued "),
			     NULL, 10)
		    : -1;

	resp_free(r);
	return n;
}

API_TEST(a_write_past_the_queue_is_refused_at_once)
{
	/* static: the posters outlive a failed check */
	static struct poster held[2];
	struct resp *r;
	json_t *order;
	char retry[16];
	long waited, t0;
	size_t i;

	/* The harness's own setup writes leave the count when their
	 * requests complete, just after their answers went out: start from
	 * an empty queue, or one of them takes a held write's place. */
	for (waited = 0; waited < 100 && writes_queued() != 0; waited++)
		harness_sleep_ms(20);
	check(writes_queued() == 0, "the queue is empty before the test");
	hold_database();
	for (i = 0; i < 2; i++) {
		memset(&held[i], 0, sizeof(held[i]));
		snprintf(held[i].ext, sizeof(held[i].ext), "BP-HELD-%zu", i);
		pthread_create(&held[i].thread, NULL, post_one, &held[i]);
	}
	for (waited = 0; waited < 100 && writes_queued() < 2; waited++)
		harness_sleep_ms(20);
	check(writes_queued() == 2, "two writes must be waiting, not %ld",
	      writes_queued());

	/* The third is refused at once, and says when to come back. */
	t0 = harness_now_ms();
	order = order_new("BP-REFUSED");
	r = order_post(srv->key_acme, order, NULL);
	assert_status(r, 503);
	check(harness_now_ms() - t0 < 1000, "the refusal must not wait");
	check(streq(jstr(r->json, "error.code"), "unavailable"), "code: %s",
	      r->body);
	check(strstr(jstr(r->json, "error.message"), "--max-queued-writes") !=
		      NULL,
	      "the message names the limit: %s", r->body);
	check(resp_header(r, "Retry-After", retry, sizeof(retry)) == 1 &&
		      streq(retry, "1"),
	      "Retry-After: 1 expected; headers:\n%s", r->headers);
	resp_free(r);

	let_go();
	for (i = 0; i < 2; i++) {
		pthread_join(held[i].thread, NULL);
		check(held[i].status == 201, "held write %zu answered %ld", i,
		      held[i].status);
	}
	/* The queue drained: the refused order goes in now, once. */
	r = order_post(srv->key_acme, order, NULL);
	assert_status(r, 201);
	resp_free(r);
	json_decref(order);
	/* A write leaves the count when its request completes, just after
	 * its answer went out. */
	for (waited = 0; waited < 100 && writes_queued() != 0; waited++)
		harness_sleep_ms(20);
	check(writes_queued() == 0, "nothing is left waiting");
}

/* One client's writes, each sent once the last was answered, never find
 * the last one still counted: the queue holds only writes not yet
 * answered. */
API_TEST(writes_one_after_another_are_never_refused)
{
	int i;

	for (i = 0; i < 300; i++) {
		char ext[32];
		json_t *order;
		struct resp *r;

		snprintf(ext, sizeof(ext), "BP-SEQ-%d", i);
		order = order_new(ext);
		r = order_post(srv->key_acme, order, NULL);
		assert_status(r, 201);
		resp_free(r);
		json_decref(order);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_write_past_the_queue_is_refused_at_once),
		cmocka_unit_test(writes_one_after_another_are_never_refused),
	};

	return harness_run_group(tests, group_setup,
				      harness_group_teardown);
}
