/*
 * test_orders_duplicates.c - the three duplicate rules.
 *
 *   Idempotency-Key   same key + same body: the first response replayed
 *                     byte for byte with Idempotent-Replayed: true;
 *                     same key + other body: 409 idempotency_key_reused.
 *   channel + external_id   the existing order, 200, nothing stored;
 *                     also when 16 clients post it at the same moment.
 *   content           same customer + ship_to + lines under another
 *                     external_id: stored with a duplicate_suspect hold
 *                     naming the earlier order, however the address is
 *                     capitalised or spaced; never across tenants.
 */
#include "harness.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static size_t count_ext(const char *key, const char *ext)
{
	char query[256];

	snprintf(query, sizeof(query), "external_id=%s", ext);
	return orders_count(key, query);
}

static int replayed(const struct resp *r)
{
	char v[64];

	return resp_header(r, "Idempotent-Replayed", v, sizeof(v)) &&
	       !strcasecmp(v, "true");
}

API_TEST(idempotency_key_replays_the_first_response)
{
	json_t *order = order_new("IDEM-1");
	const char *ikey = "3f6c2a8e-idem-1-b7d4-4c1e9a0f5d21";
	struct resp *first = order_post(srv->key_acme, order, ikey);
	struct resp *again;

	assert_status(first, 201);
	check(!replayed(first), "a first response must not say it is replayed");
	for (int i = 0; i < 2; i++) {
		again = order_post(srv->key_acme, order, ikey);
		assert_status(again, 201);
		check(again->body_len == first->body_len &&
			      !memcmp(again->body, first->body, first->body_len),
		      "replayed body differs\nfirst: %s\nagain: %s", first->body,
		      again->body);
		check(replayed(again),
		      "a replay must carry Idempotent-Replayed: true; headers:\n%s",
		      again->headers);
		resp_free(again);
	}
	check(count_ext(srv->key_acme, "IDEM-1") == 1,
	      "a replay must not store another order");
	resp_free(first);
	json_decref(order);
}

API_TEST(idempotency_key_with_another_body_is_409)
{
	json_t *order = order_new("IDEM-2");
	json_t *other = order_new("IDEM-3");
	const char *ikey = "idem-2-9b1d0c34";
	struct resp *r = order_post(srv->key_acme, order, ikey);

	assert_status(r, 201);
	resp_free(r);
	r = order_post(srv->key_acme, other, ikey);
	assert_error(r, 409, "idempotency_key_reused", NULL);
	check(!replayed(r), "a refused reuse is not a replay");
	resp_free(r);
	check(count_ext(srv->key_acme, "IDEM-3") == 0,
	      "the second body must not be stored");

	/* The same body with one byte changed is another body. */
	jset(order, "notes", json_string("Leave with the concierge."));
	r = order_post(srv->key_acme, order, ikey);
	assert_error(r, 409, "idempotency_key_reused", NULL);
	resp_free(r);
	check(count_ext(srv->key_acme, "IDEM-2") == 1, "one IDEM-2 order");
	json_decref(order);
	json_decref(other);
}

API_TEST(idempotency_keys_are_per_tenant)
{
	json_t *a = order_new("IDEM-4");
	json_t *b = order_new("IDEM-5");
	const char *ikey = "shared-key-between-tenants";
	struct resp *r = order_post(srv->key_acme, a, ikey);

	assert_status(r, 201);
	resp_free(r);
	r = order_post(srv->key_globex, b, ikey);
	assert_status(r, 201);
	check(!replayed(r), "another tenant's key must not replay");
	resp_free(r);
	check(count_ext(srv->key_globex, "IDEM-5") == 1, "globex order stored");
	json_decref(a);
	json_decref(b);
}

API_TEST(idempotency_key_too_long_is_refused)
{
	char ikey[130];
	json_t *order = order_new("IDEM-6");
	struct resp *r;

	memset(ikey, 'k', 129);
	ikey[129] = '\0';
	r = order_post(srv->key_acme, order, ikey);
	assert_error(r, 400, "invalid_request", NULL);
	resp_free(r);
	check(count_ext(srv->key_acme, "IDEM-6") == 0, "nothing stored");

	/* 128 characters is fine. */
	ikey[128] = '\0';
	r = order_post(srv->key_acme, order, ikey);
	assert_status(r, 201);
	resp_free(r);
	json_decref(order);
}

API_TEST(same_channel_and_external_id_returns_the_existing_order)
{
	json_t *order = order_new("AMZ-113-5528391-1");
	char *id = order_create(srv->key_acme, order);
	struct resp *r;

	/* Posted again, even with changed content: the stored order. */
	jset(order, "notes", json_string("Please gift wrap."));
	r = order_post(srv->key_acme, order, NULL);
	assert_status(r, 200);
	check(streq(jstr(r->json, "id"), id), "id differs: %s", r->body);
	check(streq(jstr(r->json, "notes"),
		    "Leave with the concierge if nobody answers."),
	      "the 200 body must be the existing order: %s", r->body);
	check(open_holds(r->json, NULL) == 0, "no holds expected: %s", r->body);
	resp_free(r);

	r = order_post(srv->key_acme, order, "a-fresh-idempotency-key-1");
	assert_status(r, 200);
	check(streq(jstr(r->json, "id"), id), "id differs: %s", r->body);
	resp_free(r);

	check(count_ext(srv->key_acme, "AMZ-113-5528391-1") == 1,
	      "only one order may exist");
	free(id);
	json_decref(order);
}

API_TEST(same_external_id_in_another_channel_is_another_order)
{
	json_t *a = order_new("10045");
	json_t *b = order_new("10045");
	char *id_a, *id_b;

	jset(b, "channel", json_string("shopify"));
	id_a = order_create(srv->key_acme, a);
	id_b = order_create(srv->key_acme, b);
	check(strcmp(id_a, id_b), "two channels, two orders");
	check(count_ext(srv->key_acme, "10045") == 2, "both stored");
	free(id_a);
	free(id_b);
	json_decref(a);
	json_decref(b);
}

static void check_duplicate_suspect(const struct resp *r, const char *first_id)
{
	json_t *h;

	assert_status(r, 201);
	assert_single_hold(r->json, "duplicate_suspect", "lines");
	h = find_hold(r->json, "duplicate_suspect");
	check(streq(jstr(h, "related_order_id"), first_id),
	      "related_order_id must be %s: %s", first_id, r->body);
}

API_TEST(same_content_under_another_external_id_is_a_suspect)
{
	json_t *a = order_new("WEB-300100");
	json_t *b = json_deep_copy(a);
	struct resp *r;
	char *id_a = order_create(srv->key_acme, a);

	jset(b, "external_id", json_string("WEB-300101"));
	r = order_post(srv->key_acme, b, NULL);
	check_duplicate_suspect(r, id_a);
	check(strcmp(jstr(r->json, "id"), id_a), "a new order is stored");
	resp_free(r);
	free(id_a);
	json_decref(a);
	json_decref(b);
}

API_TEST(suspect_is_caught_through_case_and_spacing)
{
	json_t *a = order_new("WEB-300200");
	json_t *b = json_deep_copy(a);
	struct resp *r;
	char *id_a = order_create(srv->key_acme, a);

	jset(b, "external_id", json_string("WEB-300201"));
	jset(b, "ship_to.name", json_string("MARGARET  HOLLIS"));
	jset(b, "ship_to.line1", json_string("  350 fifth   AVENUE "));
	jset(b, "ship_to.city", json_string("new york"));
	jset(b, "ship_to.region", json_string("ny"));
	jset(b, "customer.name", json_string("margaret hollis"));
	r = order_post(srv->key_acme, b, NULL);
	check_duplicate_suspect(r, id_a);
	resp_free(r);
	free(id_a);
	json_decref(a);
	json_decref(b);
}

API_TEST(different_lines_are_not_a_suspect)
{
	json_t *a = order_new("WEB-300300");
	json_t *b = json_deep_copy(a);
	struct resp *r;
	char *id_a = order_create(srv->key_acme, a);

	jset(b, "external_id", json_string("WEB-300301"));
	jset(b, "lines[1].quantity", json_integer(3));
	order_fix_totals(b);
	r = order_post(srv->key_acme, b, NULL);
	assert_status(r, 201);
	check(state_is_clean(jstr(r->json, "state")) &&
		      open_holds(r->json, NULL) == 0,
	      "other quantities are another order: %s", r->body);
	resp_free(r);
	free(id_a);
	json_decref(a);
	json_decref(b);
}

API_TEST(same_content_in_another_tenant_is_not_a_suspect)
{
	json_t *a = order_new("WEB-300400");
	json_t *b = json_deep_copy(a);
	struct resp *r;
	char *id_a = order_create(srv->key_acme, a);

	/* Same external_id and same content, other tenant. */
	r = order_post(srv->key_globex, a, NULL);
	assert_status(r, 201);
	check(state_is_clean(jstr(r->json, "state")) &&
		      open_holds(r->json, NULL) == 0,
	      "another tenant's order is no duplicate: %s", r->body);
	check(strcmp(jstr(r->json, "id"), id_a), "a new id in the other tenant");
	resp_free(r);

	jset(b, "external_id", json_string("WEB-300401"));
	r = order_post(srv->key_globex, b, NULL);
	assert_status(r, 201);
	/* Within globex, b now duplicates globex's copy of a - but not acme's. */
	{
		json_t *h = find_hold(r->json, "duplicate_suspect");

		check(!h || !streq(jstr(h, "related_order_id"), id_a),
		      "a hold points at another tenant's order: %s", r->body);
	}
	resp_free(r);
	check(count_ext(srv->key_acme, "WEB-300400") == 1, "acme has one");
	check(count_ext(srv->key_acme, "WEB-300401") == 0, "acme has none");
	free(id_a);
	json_decref(a);
	json_decref(b);
}

#define N_CLIENTS 16

struct client {
	pthread_t thread;
	pthread_barrier_t *start;
	const char *base_url;
	const char *key;
	const char *body;
	const char *idempotency_key;	/* or NULL */
	long status;
	char id[64];
	char related[64];	/* related_order_id of a duplicate_suspect hold */
	size_t holds;		/* open holds */
	char error[512];
};

static void *client_run(void *arg)
{
	struct client *c = arg;
	char h[200];
	const char *headers[] = { h, NULL };
	struct resp *r;
	const char *id;
	json_t *dup;

	snprintf(h, sizeof(h), "Idempotency-Key: %s",
		 c->idempotency_key ? c->idempotency_key : "");
	pthread_barrier_wait(c->start);
	r = http_at(c->base_url, "POST", "/v1/orders", c->key, c->body,
		    strlen(c->body), c->idempotency_key ? headers : NULL);
	c->status = r->status;
	id = jstr(r->json, "id");
	snprintf(c->id, sizeof(c->id), "%s", id ? id : "");
	dup = find_hold(r->json, "duplicate_suspect");
	id = jstr(dup, "related_order_id");
	snprintf(c->related, sizeof(c->related), "%s", id ? id : "");
	c->holds = open_holds(r->json, NULL);
	snprintf(c->error, sizeof(c->error), "%.500s", r->body);
	resp_free(r);
	return NULL;
}

/* Run n clients (bodies[i], all with idempotency_key) at the same moment. */
static void run_clients(struct client *clients, int n, char **bodies,
			const char *idempotency_key)
{
	pthread_barrier_t start;

	assert_int_equal(pthread_barrier_init(&start, NULL, (unsigned)n), 0);
	for (int i = 0; i < n; i++) {
		memset(&clients[i], 0, sizeof(clients[i]));
		clients[i].start = &start;
		clients[i].base_url = srv->base_url;
		clients[i].key = srv->key_acme;
		clients[i].body = bodies[i];
		clients[i].idempotency_key = idempotency_key;
		assert_int_equal(pthread_create(&clients[i].thread, NULL,
						client_run, &clients[i]), 0);
	}
	for (int i = 0; i < n; i++)
		pthread_join(clients[i].thread, NULL);
	pthread_barrier_destroy(&start);
}

API_TEST(concurrent_posts_of_one_order_store_it_once)
{
	json_t *order = order_new("WEB-RACE-1");
	char *body = json_dumps(order, JSON_COMPACT);
	char *bodies[N_CLIENTS];
	struct client clients[N_CLIENTS];
	int created = 0, existing = 0;
	const char *id = NULL;

	assert_non_null(body);
	for (int i = 0; i < N_CLIENTS; i++)
		bodies[i] = body;
	run_clients(clients, N_CLIENTS, bodies, NULL);
	for (int i = 0; i < N_CLIENTS; i++) {
		if (clients[i].status == 201)
			created++;
		else if (clients[i].status == 200)
			existing++;
		else
			print_error("client %d: HTTP %ld %s\n", i,
				    clients[i].status, clients[i].error);
		if (!id && clients[i].id[0])
			id = clients[i].id;
		check(streq(clients[i].id, id),
		      "client %d got id \"%s\", another got \"%s\"", i,
		      clients[i].id, id ? id : "");
	}
	check(created == 1 && existing == N_CLIENTS - 1,
	      "expected one 201 and %d x 200, got %d x 201 and %d x 200",
	      N_CLIENTS - 1, created, existing);
	check(count_ext(srv->key_acme, "WEB-RACE-1") == 1,
	      "exactly one order may be stored");
	free(body);
	json_decref(order);
}

API_TEST(concurrent_posts_with_one_idempotency_key_store_it_once)
{
	json_t *order = order_new("WEB-RACE-2");
	char *body = json_dumps(order, JSON_COMPACT);
	char *bodies[N_CLIENTS];
	struct client clients[N_CLIENTS];
	const char *id = NULL;
	int created = 0;

	assert_non_null(body);
	for (int i = 0; i < N_CLIENTS; i++)
		bodies[i] = body;
	run_clients(clients, N_CLIENTS, bodies, "race-2-6a0e51c2");
	/*
	 * Every client gets the first response (201) or its replay; a
	 * server may instead refuse a request whose twin is still in flight
	 * with 409 conflict. Never a second order.
	 */
	for (int i = 0; i < N_CLIENTS; i++) {
		check(clients[i].status == 201 || clients[i].status == 409,
		      "client %d: HTTP %ld %s", i, clients[i].status,
		      clients[i].error);
		if (clients[i].status != 201)
			continue;
		created++;
		if (!id)
			id = clients[i].id;
		check(streq(clients[i].id, id),
		      "client %d got id \"%s\", another got \"%s\"", i,
		      clients[i].id, id);
	}
	check(created >= 1, "no client got its order stored");
	check(count_ext(srv->key_acme, "WEB-RACE-2") == 1,
	      "exactly one order may be stored");
	free(body);
	json_decref(order);
}

API_TEST(concurrent_posts_of_one_content_flag_all_but_one)
{
	json_t *order = order_new("WEB-RACE-3-0");
	char *bodies[N_CLIENTS];
	struct client clients[N_CLIENTS];
	int clean = 0, suspects = 0;
	const char *clean_id = NULL;

	for (int i = 0; i < N_CLIENTS; i++) {
		char ext[32];

		snprintf(ext, sizeof(ext), "WEB-RACE-3-%d", i);
		jset(order, "external_id", json_string(ext));
		bodies[i] = json_dumps(order, JSON_COMPACT);
		assert_non_null(bodies[i]);
	}
	run_clients(clients, N_CLIENTS, bodies, NULL);
	for (int i = 0; i < N_CLIENTS; i++) {
		check(clients[i].status == 201, "client %d: HTTP %ld %s", i,
		      clients[i].status, clients[i].error);
		if (clients[i].holds == 0) {
			clean++;
			clean_id = clients[i].id;
		} else if (clients[i].related[0] && clients[i].holds == 1) {
			suspects++;
		} else {
			print_error("client %d: %s\n", i, clients[i].error);
		}
	}
	/*
	 * Each order after the first matches an earlier one, however the
	 * requests interleave: one clean order, fifteen suspects, and every
	 * suspect names an order of this batch.
	 */
	check(clean == 1 && suspects == N_CLIENTS - 1,
	      "expected 1 clean order and %d duplicate suspects, got %d and %d",
	      N_CLIENTS - 1, clean, suspects);
	for (int i = 0; i < N_CLIENTS; i++) {
		int found = 0;

		if (!clients[i].related[0])
			continue;
		for (int j = 0; j < N_CLIENTS; j++)
			if (j != i && streq(clients[j].id, clients[i].related))
				found = 1;
		check(found, "client %d's hold names %s, not a batch order", i,
		      clients[i].related);
	}
	check(clean_id != NULL, "no clean order");
	for (int i = 0; i < N_CLIENTS; i++)
		free(bodies[i]);
	json_decref(order);
}

API_TEST(concurrent_posts_of_different_orders_all_succeed)
{
	struct client clients[N_CLIENTS];
	char *bodies[N_CLIENTS];

	for (int i = 0; i < N_CLIENTS; i++) {
		char ext[32];
		json_t *o;

		snprintf(ext, sizeof(ext), "WEB-PAR-%d", i);
		o = order_new(ext);
		bodies[i] = json_dumps(o, JSON_COMPACT);
		assert_non_null(bodies[i]);
		json_decref(o);
	}
	run_clients(clients, N_CLIENTS, bodies, NULL);
	for (int i = 0; i < N_CLIENTS; i++) {
		check(clients[i].status == 201 && clients[i].holds == 0,
		      "client %d: HTTP %ld %s", i, clients[i].status,
		      clients[i].error);
		for (int j = 0; j < i; j++)
			check(strcmp(clients[i].id, clients[j].id),
			      "two orders got the same id %s", clients[i].id);
		free(bodies[i]);
	}
	check(orders_count(srv->key_acme, "external_id=WEB-PAR-0") == 1 &&
		      orders_count(srv->key_acme, "external_id=WEB-PAR-15") == 1,
	      "parallel orders not all stored");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(idempotency_key_replays_the_first_response),
		cmocka_unit_test(idempotency_key_with_another_body_is_409),
		cmocka_unit_test(idempotency_keys_are_per_tenant),
		cmocka_unit_test(idempotency_key_too_long_is_refused),
		cmocka_unit_test(same_channel_and_external_id_returns_the_existing_order),
		cmocka_unit_test(same_external_id_in_another_channel_is_another_order),
		cmocka_unit_test(same_content_under_another_external_id_is_a_suspect),
		cmocka_unit_test(suspect_is_caught_through_case_and_spacing),
		cmocka_unit_test(different_lines_are_not_a_suspect),
		cmocka_unit_test(same_content_in_another_tenant_is_not_a_suspect),
		cmocka_unit_test(concurrent_posts_of_one_order_store_it_once),
		cmocka_unit_test(concurrent_posts_with_one_idempotency_key_store_it_once),
		cmocka_unit_test(concurrent_posts_of_one_content_flag_all_but_one),
		cmocka_unit_test(concurrent_posts_of_different_orders_all_succeed),
	};

	return harness_run_group(tests, harness_group_setup,
				      harness_group_teardown);
}
