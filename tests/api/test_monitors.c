/*
 * test_monitors.c - SLA monitors and their alerts:
 *
 *   monitors     written whole (PUT) and read back; every bad monitor
 *                refused naming its member, the set left as it was
 *   state_age    an order in a state longer than the monitor says raises
 *                one alert (timeline, webhook, GET /v1/alerts), however
 *                many sweeps pass; one not yet that long raises none;
 *                leaving the state clears it
 *   hold_overdue an open hold past its due time, of the monitor's type,
 *                raises one; resolving the hold clears it, and so does
 *                removing the monitor
 *   listing      newest first, paged, by status; another tenant's alerts
 *                are not seen
 *
 * The server's clock is the group's (harness_clock_advance); the sweep
 * runs every second, so each wait polls.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PRICE "10.00"

static const char *acme(void)
{
	return srv->key_acme;
}

static struct resp *monitors_put(const char *key, const char *body)
{
	return http("PUT", "/v1/monitors", key, body, strlen(body), NULL);
}

static void monitors_set(const char *body)
{
	struct resp *r = monitors_put(acme(), body);

	assert_status(r, 200);
	resp_free(r);
}

static int monitors_clear(void **state)
{
	(void)state;
	monitors_set("{\"monitors\": []}");
	return settings_reset(state);
}

/* A clean order of a SKU and location of its own, kept allocated (wave
 * release), then held by a person for policy_exception. */
static char *held_order(const char *sku, const char *loc)
{
	char path[128];
	const char *b = "{\"type\": \"policy_exception\", \"reason\": "
			"\"customer called: wait\"}";
	json_t *body;
	struct resp *r;
	char *id;

	settings_patch(acme(), "{\"release_mode\": \"wave\"}");
	make_sku(acme(), sku, sku, PRICE, 1);
	make_location_serving(acme(), loc, 5, NULL);
	set_stock(acme(), loc, sku, 10);
	body = order_one_line(sku, sku, 1, PRICE);
	id = order_create(acme(), body);
	json_decref(body);
	snprintf(path, sizeof(path), "/v1/orders/%s/holds", id);
	r = http("POST", path, acme(), b, strlen(b), NULL);
	assert_status(r, 201);
	resp_free(r);
	return id;
}

/* The alerts of order id (status "open", "cleared" or NULL: all), as
 * GET /v1/alerts lists them. New reference. */
static json_t *alerts_of(const char *key, const char *id, const char *status)
{
	char path[64];
	json_t *all, *a, *mine = json_array();
	size_t i;

	snprintf(path, sizeof(path), "/v1/alerts%s%s",
		 status ? "?status=" : "", status ? status : "");
	all = list_all(key, path, "alerts", 100);
	json_array_foreach(all, i, a)
		if (streq(jstr(a, "order_id"), id))
			json_array_append(mine, a);
	json_decref(all);
	return mine;
}

/* Poll until order id has n alerts of status; the last list. */
static json_t *alerts_wait(const char *id, const char *status, size_t n)
{
	json_t *list = NULL;
	int i;

	for (i = 0; i < 60; i++) {
		json_decref(list);
		list = alerts_of(acme(), id, status);
		if (json_array_size(list) == n)
			break;
		harness_sleep_ms(100);
	}
	return list;
}

/* A webhook of acme's for the alert events, to a receiver that is not
 * there: its deliveries wait, listed. */
static void hook(char *id, size_t size)
{
	const char *body = "{\"url\": \"http://127.0.0.1:9/hook\", "
			   "\"events\": [\"alert.raised\", \"alert.cleared\"]}";
	struct resp *r = http("POST", "/v1/webhooks", acme(), body,
			      strlen(body), NULL);

	assert_status(r, 201);
	snprintf(id, size, "%s", jstr(r->json, "id"));
	resp_free(r);
}

static void unhook(const char *id)
{
	char path[128];
	struct resp *r;

	snprintf(path, sizeof(path), "/v1/webhooks/%s", id);
	r = http("DELETE", path, acme(), NULL, 0, NULL);
	resp_free(r);
}

/* How many deliveries to webhook whk are of event type about order id. */
static size_t delivered_of(const char *whk, const char *type, const char *id)
{
	json_t *all = list_all(acme(), "/v1/webhooks/deliveries",
			       "deliveries", 200), *d;
	size_t i, n = 0;

	json_array_foreach(all, i, d)
		n += streq(jstr(d, "webhook_id"), whk) &&
		     streq(jstr(d, "event_type"), type) &&
		     (!id || streq(jstr(d, "order_id"), id));
	json_decref(all);
	return n;
}

/* ---- monitors ------------------------------------------------------------- */

API_TEST(monitors_are_written_whole_and_read_back)
{
	struct resp *r;
	json_t *m;

	monitors_set("{\"monitors\": ["
		     "{\"id\": \"held-1h\", \"kind\": \"state_age\", "
		     "\"state\": \"on_hold\", \"after_s\": 3600},"
		     "{\"id\": \"overdue\", \"kind\": \"hold_overdue\"},"
		     "{\"id\": \"addr\", \"kind\": \"hold_overdue\", "
		     "\"hold_type\": \"address_unverifiable\"}]}");
	r = http_get(acme(), "/v1/monitors");
	assert_status(r, 200);
	m = jget(r->json, "monitors");
	check(json_array_size(m) == 3, "%s", r->body);
	/* by id */
	check(streq(jstr(m, "[0].id"), "addr") &&
		      streq(jstr(m, "[0].hold_type"), "address_unverifiable") &&
		      streq(jstr(m, "[1].id"), "held-1h") &&
		      streq(jstr(m, "[1].state"), "on_hold") &&
		      json_integer_value(jget(m, "[1].after_s")) == 3600 &&
		      streq(jstr(m, "[2].id"), "overdue") &&
		      json_is_null(jget(m, "[2].hold_type")),
	      "%s", r->body);
	resp_free(r);
	/* written whole: the next set replaces it */
	monitors_set("{\"monitors\": [{\"id\": \"overdue\", "
		     "\"kind\": \"hold_overdue\", \"hold_type\": null}]}");
	r = http_get(acme(), "/v1/monitors");
	check(json_array_size(jget(r->json, "monitors")) == 1, "%s", r->body);
	resp_free(r);
	/* another tenant has its own */
	r = http_get(srv->key_globex, "/v1/monitors");
	assert_status(r, 200);
	check(json_array_size(jget(r->json, "monitors")) == 0, "%s", r->body);
	resp_free(r);
}

API_TEST(bad_monitors_are_refused_naming_the_member)
{
	static const struct {
		const char *body;
		const char *field;
	} bad[] = {
		{"{}", "monitors"},
		{"{\"monitors\": [], \"monitor\": 1}", "monitor"},
		{"{\"monitors\": [{\"id\": \"a\", \"kind\": \"state_age\", "
		 "\"state\": \"on_hold\", \"afer_s\": 3600}]}",
		 "monitors[0].afer_s"},
		{"{\"monitors\": [{\"id\": \"a\", \"kind\": \"late\"}]}",
		 "monitors[0].kind"},
		{"{\"monitors\": [{\"id\": \"a\"}]}", "monitors[0].kind"},
		{"{\"monitors\": [{\"id\": \"a\", \"kind\": \"state_age\", "
		 "\"state\": \"closed\", \"after_s\": 3600}]}",
		 "monitors[0].state"},
		{"{\"monitors\": [{\"id\": \"a\", \"kind\": \"state_age\", "
		 "\"state\": \"on_hold\", \"after_s\": 59}]}",
		 "monitors[0].after_s"},
		{"{\"monitors\": [{\"id\": \"a\", \"kind\": \"state_age\", "
		 "\"state\": \"on_hold\"}]}",
		 "monitors[0].after_s"},
		{"{\"monitors\": [{\"id\": \"a\", \"kind\": \"state_age\", "
		 "\"state\": \"on_hold\", \"after_s\": 31536001}]}",
		 "monitors[0].after_s"},
		{"{\"monitors\": [{\"id\": \"a\", \"kind\": \"hold_overdue\", "
		 "\"hold_type\": \"adress_unverifiable\"}]}",
		 "monitors[0].hold_type"},
		{"{\"monitors\": [{\"id\": \"a\", \"kind\": \"hold_overdue\", "
		 "\"after_s\": 600}]}",
		 "monitors[0].after_s"},
		{"{\"monitors\": [{\"id\": \"Late Orders\", "
		 "\"kind\": \"hold_overdue\"}]}",
		 "monitors[0].id"},
		{"{\"monitors\": [{\"kind\": \"hold_overdue\"}]}",
		 "monitors[0].id"},
		{"{\"monitors\": [{\"id\": \"a\", \"kind\": \"hold_overdue\"},"
		 "{\"id\": \"a\", \"kind\": \"hold_overdue\"}]}",
		 "monitors[1].id"},
		{"{\"monitors\": [7]}", "monitors[0]"},
		{"{\"monitors\": [{\"id\": \"a\", \"kind\": \"hold_overdue\", "
		 "\"state\": \"\"}]}",
		 "monitors[0].state"},
		{"{\"monitors\": [{\"id\": \"a\", \"kind\": \"hold_overdue\", "
		 "\"after_s\": 0}]}",
		 "monitors[0].after_s"},
		{"{\"monitors\": [{\"id\": \"a\", \"kind\": \"state_age\", "
		 "\"state\": \"on_hold\", \"after_s\": 3600, "
		 "\"hold_type\": \"\"}]}",
		 "monitors[0].hold_type"},
		{"{\"monitors\": [{\"id\": \"a\", \"kind\": \"state_age\", "
		 "\"after_s\": 3600}]}",
		 "monitors[0].state"},
	};
	char many[4096];
	struct resp *r;
	size_t i, len;

	monitors_set("{\"monitors\": [{\"id\": \"kept\", "
		     "\"kind\": \"hold_overdue\"}]}");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = monitors_put(acme(), bad[i].body);
		assert_error(r, 400, "invalid_request", bad[i].field);
		resp_free(r);
	}
	/* at most 20 */
	len = (size_t)snprintf(many, sizeof(many), "{\"monitors\": [");
	for (i = 0; i < 21; i++)
		len += (size_t)snprintf(many + len, sizeof(many) - len,
					"%s{\"id\": \"m%zu\", "
					"\"kind\": \"hold_overdue\"}",
					i ? "," : "", i);
	snprintf(many + len, sizeof(many) - len, "]}");
	r = monitors_put(acme(), many);
	assert_error(r, 400, "limit_exceeded", "monitors");
	resp_free(r);
	/* twenty are taken */
	many[len - (sizeof(",{\"id\": \"m20\", \"kind\": \"hold_overdue\"}") -
		    1)] = '\0';
	strcat(many, "]}");
	r = monitors_put(acme(), many);
	assert_status(r, 200);
	check(json_array_size(jget(r->json, "monitors")) == 20, "%s",
	      r->body);
	resp_free(r);
	monitors_set("{\"monitors\": [{\"id\": \"kept\", "
		     "\"kind\": \"hold_overdue\"}]}");
	/* nothing refused was written */
	r = http_get(acme(), "/v1/monitors");
	check(json_array_size(jget(r->json, "monitors")) == 1 &&
		      streq(jstr(r->json, "monitors[0].id"), "kept"),
	      "%s", r->body);
	resp_free(r);
	/* a query parameter it does not take */
	r = http("PUT", "/v1/monitors?dry_run=1", acme(), "{\"monitors\": []}",
		 strlen("{\"monitors\": []}"), NULL);
	assert_error(r, 400, "invalid_request", "dry_run");
	resp_free(r);
}

/* ---- state_age ------------------------------------------------------------ */

API_TEST(an_order_held_too_long_raises_one_alert_until_it_moves_on)
{
	char whk[64], hold[64], since_text[32];
	json_t *list, *o, *evs;
	struct resp *r;
	char *id, *young;
	time_t since;

	hook(whk, sizeof(whk));
	id = held_order("MON-A", "MON-A1");
	o = order_fetch(acme(), id);
	hold_id_of(o, "policy_exception", hold, sizeof(hold));
	json_decref(o);
	monitors_set("{\"monitors\": [{\"id\": \"held-1h\", "
		     "\"kind\": \"state_age\", \"state\": \"on_hold\", "
		     "\"after_s\": 3600}]}");

	/* not yet an hour: nothing, however many sweeps pass */
	harness_clock_advance(1800);
	young = held_order("MON-B", "MON-B1");
	harness_sleep_ms(2500);
	list = alerts_of(acme(), id, NULL);
	check(json_array_size(list) == 0, "too soon: %s", json_dumps(list, 0));
	json_decref(list);

	/* past the hour: one alert of the first order, not the second */
	harness_clock_advance(1801);
	list = alerts_wait(id, "open", 1);
	check(json_array_size(list) == 1, "raised: %s", json_dumps(list, 0));
	check(!strncmp(jstr(list, "[0].id"), "alr_", 4) &&
		      streq(jstr(list, "[0].monitor_id"), "held-1h") &&
		      streq(jstr(list, "[0].kind"), "state_age") &&
		      streq(jstr(list, "[0].status"), "open") &&
		      json_is_null(jget(list, "[0].hold_id")) &&
		      json_is_null(jget(list, "[0].cleared_at")) &&
		      strstr(jstr(list, "[0].message"), "on_hold for more "
							"than 1h") != NULL,
	      "%s", json_dumps(list, 0));
	since = rfc3339_parse(jstr(list, "[0].since"));
	check(rfc3339_parse(jstr(list, "[0].raised_at")) - since >= 3600,
	      "raised an hour or more after it came on hold: %s",
	      json_dumps(list, 0));
	snprintf(since_text, sizeof(since_text), "%s", jstr(list, "[0].since"));
	json_decref(list);
	harness_sleep_ms(2500);
	list = alerts_of(acme(), id, NULL);
	check(json_array_size(list) == 1, "raised once: %s",
	      json_dumps(list, 0));
	json_decref(list);
	list = alerts_of(acme(), young, NULL);
	check(json_array_size(list) == 0, "the younger order is not late: %s",
	      json_dumps(list, 0));
	json_decref(list);
	evs = order_events(acme(), id);
	check(event_find(evs, "alert_raised", NULL) != NULL,
	      "the timeline says so");
	json_decref(evs);
	check(delivered_of(whk, "alert.raised", id) == 1, "told once");

	/* released from the hold: cleared, told, and raised no more */
	r = hold_resolve(acme(), hold, "approve", "checked with the customer",
			 NULL);
	assert_status(r, 200);
	resp_free(r);
	list = alerts_wait(id, "cleared", 1);
	check(json_array_size(list) == 1 &&
		      streq(jstr(list, "[0].status"), "cleared") &&
		      streq(jstr(list, "[0].since"), since_text) &&
		      rfc3339_parse(jstr(list, "[0].cleared_at")) > 0,
	      "cleared: %s", json_dumps(list, 0));
	json_decref(list);
	evs = order_events(acme(), id);
	check(event_find(evs, "alert_cleared", NULL) != NULL,
	      "the timeline says it cleared");
	json_decref(evs);
	check(delivered_of(whk, "alert.cleared", id) == 1, "told it cleared");
	list = alerts_of(acme(), id, "open");
	check(json_array_size(list) == 0, "none open");
	json_decref(list);

	/* the younger one's turn comes */
	harness_clock_advance(1800);
	list = alerts_wait(young, "open", 1);
	check(json_array_size(list) == 1, "the second in turn: %s",
	      json_dumps(list, 0));
	json_decref(list);
	unhook(whk);
	free(young);
	free(id);
}

/* ---- hold_overdue --------------------------------------------------------- */

API_TEST(a_hold_past_due_raises_one_until_resolved_or_unwatched)
{
	char hold[64], hold2[64];
	json_t *list, *o;
	struct resp *r;
	char *id, *id2;

	settings_patch(acme(), "{\"holds\": {\"policy_exception\": "
			       "{\"sla_s\": 600}}}");
	monitors_set("{\"monitors\": ["
		     "{\"id\": \"exceptions\", \"kind\": \"hold_overdue\", "
		     "\"hold_type\": \"policy_exception\"},"
		     "{\"id\": \"address\", \"kind\": \"hold_overdue\", "
		     "\"hold_type\": \"address_unverifiable\"}]}");
	id = held_order("MON-C", "MON-C1");
	id2 = held_order("MON-D", "MON-D1");
	o = order_fetch(acme(), id);
	hold_id_of(o, "policy_exception", hold, sizeof(hold));
	json_decref(o);
	o = order_fetch(acme(), id2);
	hold_id_of(o, "policy_exception", hold2, sizeof(hold2));
	json_decref(o);

	harness_clock_advance(601);
	list = alerts_wait(id, "open", 1);
	check(json_array_size(list) == 1 &&
		      streq(jstr(list, "[0].monitor_id"), "exceptions") &&
		      streq(jstr(list, "[0].kind"), "hold_overdue") &&
		      streq(jstr(list, "[0].hold_id"), hold) &&
		      strstr(jstr(list, "[0].message"), hold) != NULL,
	      "one, of its type's monitor only: %s", json_dumps(list, 0));
	json_decref(list);
	/* and no more, however many sweeps pass */
	harness_sleep_ms(2500);
	list = alerts_of(acme(), id, NULL);
	check(json_array_size(list) == 1, "raised once: %s",
	      json_dumps(list, 0));
	json_decref(list);
	list = alerts_wait(id2, "open", 1);
	check(json_array_size(list) == 1, "%s", json_dumps(list, 0));
	json_decref(list);

	/* resolved: cleared */
	r = hold_resolve(acme(), hold, "approve", "fine", NULL);
	assert_status(r, 200);
	resp_free(r);
	list = alerts_wait(id, "cleared", 1);
	check(json_array_size(list) == 1, "cleared: %s", json_dumps(list, 0));
	json_decref(list);

	/* no longer watched: cleared too */
	monitors_set("{\"monitors\": [{\"id\": \"address\", "
		     "\"kind\": \"hold_overdue\", "
		     "\"hold_type\": \"address_unverifiable\"}]}");
	list = alerts_wait(id2, "cleared", 1);
	check(json_array_size(list) == 1, "cleared with its monitor: %s",
	      json_dumps(list, 0));
	json_decref(list);
	{
		json_t *evs = order_events(acme(), id2);
		json_t *ev = event_find(evs, "alert_cleared", hold2);

		check(ev && strstr(jstr(ev, "message"),
				   "its monitor was removed") != NULL,
		      "the timeline says why");
		json_decref(evs);
	}
	free(id2);
	free(id);
}

/* ---- listing -------------------------------------------------------------- */

API_TEST(alerts_are_listed_newest_first_by_page_and_status)
{
	json_t *page1, *all;
	struct resp *r;
	char path[400];
	size_t n_all, n_open, n_cleared;

	all = list_all(acme(), "/v1/alerts", "alerts", 100);
	n_all = json_array_size(all);
	json_decref(all);
	all = list_all(acme(), "/v1/alerts?status=open", "alerts", 100);
	n_open = json_array_size(all);
	json_decref(all);
	all = list_all(acme(), "/v1/alerts?status=cleared", "alerts", 100);
	n_cleared = json_array_size(all);
	json_decref(all);
	check(n_all >= 3 && n_open + n_cleared == n_all,
	      "%zu alerts: %zu open, %zu cleared", n_all, n_open, n_cleared);

	r = http_get(acme(), "/v1/alerts?limit=1");
	assert_status(r, 200);
	page1 = json_incref(jget(r->json, "alerts"));
	check(json_array_size(page1) == 1 &&
		      jstr(r->json, "next_cursor") != NULL,
	      "%s", r->body);
	snprintf(path, sizeof(path), "/v1/alerts?limit=1&cursor=%s",
		 jstr(r->json, "next_cursor"));
	resp_free(r);
	r = http_get(acme(), "%s", path);
	assert_status(r, 200);
	check(rfc3339_parse(jstr(r->json, "alerts[0].raised_at")) <=
			      rfc3339_parse(jstr(page1, "[0].raised_at")) &&
		      !streq(jstr(r->json, "alerts[0].id"),
			     jstr(page1, "[0].id")),
	      "newest first: %s then %s", json_dumps(page1, 0), r->body);
	resp_free(r);
	json_decref(page1);

	r = http_get(acme(), "/v1/alerts?status=late");
	assert_error(r, 400, "invalid_request", "status");
	resp_free(r);
	r = http_get(acme(), "/v1/alerts?monitor=held-1h");
	assert_error(r, 400, "invalid_request", "monitor");
	resp_free(r);
	r = http_get(acme(), "/v1/alerts?limit=0");
	assert_error(r, 400, "invalid_request", "limit");
	resp_free(r);
	/* another tenant sees none of acme's */
	r = http_get(srv->key_globex, "/v1/alerts");
	assert_status(r, 200);
	check(json_array_size(jget(r->json, "alerts")) == 0, "%s", r->body);
	resp_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(
			monitors_are_written_whole_and_read_back,
			monitors_clear),
		cmocka_unit_test_teardown(
			bad_monitors_are_refused_naming_the_member,
			monitors_clear),
		cmocka_unit_test_teardown(
			an_order_held_too_long_raises_one_alert_until_it_moves_on,
			monitors_clear),
		cmocka_unit_test_teardown(
			a_hold_past_due_raises_one_until_resolved_or_unwatched,
			monitors_clear),
		cmocka_unit_test(
			alerts_are_listed_newest_first_by_page_and_status),
	};

	return harness_run_group(tests, harness_group_setup,
				      harness_group_teardown);
}
