/*
 * test_audit.c - the audit log (GET /v1/audit): each kind of change it
 * records, with who, when, from where, before and after; a change refused
 * records nothing, and no row holds a secret; the filters by kind, actor
 * and time, and its pages; another tenant's changes are not in it.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A literal body and its length. */
#define B(text) text, strlen(text)

/* The newest row of kind (and target, unless NULL) in acme's log (a new
 * reference), or NULL. */
static json_t *newest(const char *kind, const char *target)
{
	struct resp *r = http_get(srv->key_acme, "/v1/audit?kind=%s&limit=200",
				  kind);
	json_t *row, *found = NULL;
	size_t i;

	assert_status(r, 200);
	json_array_foreach(jget(r->json, "audit"), i, row)
		if (!found && (!target || streq(jstr(row, "target"), target)))
			found = json_incref(row);
	resp_free(r);
	return found;
}

/* Whether row's text holds text. */
static int row_has(const json_t *row, const char *text)
{
	char *dump = json_dumps(row, 0);
	int has = dump && strstr(dump, text) != NULL;

	free(dump);
	return has;
}

/* The row is by actor, from the test's address, at the servers' time. */
static void expect_row(json_t *row, const char *kind, const char *actor)
{
	check(row, "no %s row", kind);
	check(streq(jstr(row, "kind"), kind) &&
		      streq(jstr(row, "actor"), actor) &&
		      streq(jstr(row, "address"), "127.0.0.1") &&
		      llabs((long long)rfc3339_parse(jstr(row, "at")) -
			    harness_clock_now()) < 60,
	      "%s by %s: %s", kind, actor, json_dumps(row, 0));
}

API_TEST(key_changes_are_recorded)
{
	struct resp *r = http("POST", "/v1/keys", srv->key_acme,
			      B("{\"name\": \"audited\", \"role\": \"agent\"}"),
			      NULL);
	char id[64], path[128];
	json_t *row;

	assert_status(r, 201);
	snprintf(id, sizeof(id), "%s", jstr(r->json, "id"));
	resp_free(r);
	row = newest("key.created", id);
	expect_row(row, "key.created", "key:admin");
	check(streq(jstr(row, "after.name"), "audited") &&
		      streq(jstr(row, "after.role"), "agent") &&
		      json_is_null(jget(row, "before")) &&
		      !row_has(row, "ordo_sk_"),
	      "%s", json_dumps(row, 0));
	json_decref(row);
	snprintf(path, sizeof(path), "/v1/keys/%s/rotate", id);
	r = http("POST", path, srv->key_acme, NULL, 0, NULL);
	assert_status(r, 200);
	resp_free(r);
	row = newest("key.rotated", id);
	expect_row(row, "key.rotated", "key:admin");
	json_decref(row);
	snprintf(path, sizeof(path), "/v1/keys/%s", id);
	r = http("DELETE", path, srv->key_acme, NULL, 0, NULL);
	assert_status(r, 200);
	resp_free(r);
	row = newest("key.revoked", id);
	expect_row(row, "key.revoked", "key:admin");
	check(streq(jstr(row, "before.role"), "agent"), "%s",
	      json_dumps(row, 0));
	json_decref(row);
}

API_TEST(settings_and_policy_changes_are_recorded_with_before_and_after)
{
	struct resp *r;
	json_t *row;
	long was;

	r = http_get(srv->key_acme, "/v1/settings");
	was = (long)json_integer_value(jget(r->json, "bulk_limit"));
	resp_free(r);
	r = http("PATCH", "/v1/settings", srv->key_acme,
		 B("{\"bulk_limit\": 77}"), NULL);
	assert_status(r, 200);
	resp_free(r);
	row = newest("settings.changed", NULL);
	expect_row(row, "settings.changed", "key:admin");
	check(json_integer_value(jget(row, "before.bulk_limit")) == was &&
		      json_integer_value(jget(row, "after.bulk_limit")) == 77 &&
		      !jget(row, "after.duplicate_window_s"),
	      "only what changed, before and after: %s", json_dumps(row, 0));
	json_decref(row);
	/* A change refused records nothing. */
	r = http("PATCH", "/v1/settings", srv->key_acme,
		 B("{\"bulk_limit\": -5}"), NULL);
	assert_status(r, 400);
	resp_free(r);
	row = newest("settings.changed", NULL);
	check(json_integer_value(jget(row, "after.bulk_limit")) == 77,
	      "the refused change is not recorded: %s", json_dumps(row, 0));
	json_decref(row);

	r = http("PUT", "/v1/policy", srv->key_acme, B("{\"rules\": []}"),
		 NULL);
	assert_status(r, 201);
	{
		long v = (long)json_integer_value(jget(r->json, "version"));

		resp_free(r);
		row = newest("policy.changed", NULL);
		expect_row(row, "policy.changed", "key:admin");
		check(json_integer_value(jget(row, "after.version")) == v &&
			      json_integer_value(jget(row, "before.version")) ==
				      v - 1,
		      "%s", json_dumps(row, 0));
		json_decref(row);
	}
}

API_TEST(webhook_changes_are_recorded)
{
	struct resp *r = http("POST", "/v1/webhooks", srv->key_acme,
			      B("{\"url\": \"http://127.0.0.1:9/audit\", "
				"\"events\": [\"order.accepted\"]}"),
			      NULL);
	char id[64], path[128];
	json_t *row;

	assert_status(r, 201);
	snprintf(id, sizeof(id), "%s", jstr(r->json, "id"));
	resp_free(r);
	row = newest("webhook.created", id);
	expect_row(row, "webhook.created", "key:admin");
	check(streq(jstr(row, "after.url"), "http://127.0.0.1:9/audit") &&
		      !row_has(row, "whsec_"),
	      "no secret: %s", json_dumps(row, 0));
	json_decref(row);
	snprintf(path, sizeof(path), "/v1/webhooks/%s/resume", id);
	r = http("POST", path, srv->key_acme, NULL, 0, NULL);
	assert_status(r, 200);
	resp_free(r);
	row = newest("webhook.resumed", id);
	expect_row(row, "webhook.resumed", "key:admin");
	json_decref(row);
	/* Its secret rotated: recorded, the secrets not. */
	snprintf(path, sizeof(path), "/v1/webhooks/%s/rotate", id);
	r = http("POST", path, srv->key_acme, B("{\"grace_s\": 60}"), NULL);
	assert_status(r, 200);
	resp_free(r);
	row = newest("webhook.rotated", id);
	expect_row(row, "webhook.rotated", "key:admin");
	check(!row_has(row, "whsec_"), "no secret: %s", json_dumps(row, 0));
	json_decref(row);
	snprintf(path, sizeof(path), "/v1/webhooks/%s", id);
	r = http("DELETE", path, srv->key_acme, NULL, 0, NULL);
	assert_status(r, 204);
	resp_free(r);
	row = newest("webhook.deleted", id);
	expect_row(row, "webhook.deleted", "key:admin");
	json_decref(row);
}

API_TEST(people_and_their_logins_are_recorded)
{
	const char *args[] = {"user", "create", "aud@example.com", "--tenant",
			      "acme", "--role", "agent", "--db", srv->db_path,
			      NULL};
	char pw[64], body[200], id[64], path[128];
	struct cli_result cr;
	struct resp *r;
	json_t *row;

	cli_run(&cr, args);
	check(cr.exit_status == 0 && last_line(cr.out, pw, sizeof(pw)) == 0,
	      "%s%s", cr.out, cr.err);
	cli_result_free(&cr);
	row = newest("user.created", "aud@example.com");
	check(row && streq(jstr(row, "actor"), "cli") &&
		      streq(jstr(row, "after.role"), "agent"),
	      "made on the command line: %s",
	      row ? json_dumps(row, 0) : "none");
	json_decref(row);
	r = http("POST", "/v1/session", NULL,
		 B("{\"email\": \"aud@example.com\", \"password\": "
		   "\"wrong wrong wrong\"}"),
		 NULL);
	assert_status(r, 401);
	resp_free(r);
	row = newest("login.failed", "aud@example.com");
	expect_row(row, "login.failed", "user:aud@example.com");
	json_decref(row);
	snprintf(body, sizeof(body),
		 "{\"email\": \"aud@example.com\", \"password\": \"%s\"}", pw);
	r = http("POST", "/v1/session", NULL, body, strlen(body), NULL);
	assert_status(r, 201);
	resp_free(r);
	row = newest("login.succeeded", "aud@example.com");
	expect_row(row, "login.succeeded", "user:aud@example.com");
	check(!row_has(row, pw), "no password");
	json_decref(row);
	/* An invitation and a change of role, by the admin. */
	r = http("POST", "/v1/users", srv->key_acme,
		 B("{\"email\": \"aud2@example.com\", \"role\": \"viewer\"}"),
		 NULL);
	assert_status(r, 201);
	snprintf(id, sizeof(id), "%s", jstr(r->json, "id"));
	resp_free(r);
	row = newest("user.invited", "aud2@example.com");
	expect_row(row, "user.invited", "key:admin");
	check(json_is_true(jget(row, "after.new")) &&
		      !jget(row, "after.password"),
	      "%s", json_dumps(row, 0));
	json_decref(row);
	snprintf(path, sizeof(path), "/v1/users/%s", id);
	r = http("PATCH", path, srv->key_acme, B("{\"role\": \"agent\"}"),
		 NULL);
	assert_status(r, 200);
	resp_free(r);
	row = newest("user.changed", "aud2@example.com");
	expect_row(row, "user.changed", "key:admin");
	check(streq(jstr(row, "before.role"), "viewer") &&
		      streq(jstr(row, "after.role"), "agent"),
	      "%s", json_dumps(row, 0));
	json_decref(row);
	/* An email no one has is in no tenant's log. */
	r = http("POST", "/v1/session", NULL,
		 B("{\"email\": \"ghost@example.com\", \"password\": "
		   "\"wrong wrong wrong\"}"),
		 NULL);
	assert_status(r, 401);
	resp_free(r);
	check(!newest("login.failed", "ghost@example.com"),
	      "a stranger's failure is no tenant's");
}

API_TEST(work_on_orders_stock_and_channels_is_recorded)
{
	json_t *o = order_new("AUDIT-HELD"), *got, *row;
	char *held, *held2, *clean, path[160], hold[64] = "", hold2[64] = "",
		chn[64];
	struct resp *r;
	size_t i;

	/* A hold resolved. */
	jset(o, "lines[0].sku", json_string("NO-SUCH-SKU"));
	held = order_create(srv->key_acme, o);
	json_decref(o);
	got = order_fetch(srv->key_acme, held);
	json_array_foreach(jget(got, "holds"), i, row)
		snprintf(hold, sizeof(hold), "%s", jstr(row, "id"));
	json_decref(got);
	r = hold_post(srv->key_acme, hold, "resolve",
		      "{\"action\": \"escalate\", \"reason\": \"ask the shop\"}");
	assert_status(r, 200);
	resp_free(r);
	row = newest("hold.resolved", hold);
	expect_row(row, "hold.resolved", "key:admin");
	check(streq(jstr(row, "after.action"), "escalate") &&
		      streq(jstr(row, "after.reason"), "ask the shop") &&
		      streq(jstr(row, "before.order"), held),
	      "%s", json_dumps(row, 0));
	json_decref(row);
	/* A bulk action; its dry run records nothing. */
	r = http("POST", "/v1/holds/bulk", srv->key_acme,
		 B("{\"action\": \"escalate\", \"reason\": \"dry\", "
		   "\"filter\": {\"type\": \"unknown_sku\"}, \"dry_run\": true}"),
		 NULL);
	assert_status(r, 200);
	resp_free(r);
	check(!newest("holds.bulk", NULL), "a dry run is not recorded");
	r = http("POST", "/v1/holds/bulk", srv->key_acme,
		 B("{\"action\": \"escalate\", \"reason\": \"all of them\", "
		   "\"filter\": {\"type\": \"unknown_sku\"}}"),
		 NULL);
	assert_status(r, 200);
	resp_free(r);
	row = newest("holds.bulk", "escalate");
	expect_row(row, "holds.bulk", "key:admin");
	check(json_integer_value(jget(row, "after.matched")) >= 1 &&
		      row_has(row, hold),
	      "the bulk row names each hold it matched: %s",
	      json_dumps(row, 0));
	json_decref(row);
	/* A cancellation decided in review is a cancellation too. */
	o = order_new("AUDIT-HELD-2");
	jset(o, "lines[0].sku", json_string("NO-SUCH-SKU"));
	held2 = order_create(srv->key_acme, o);
	json_decref(o);
	got = order_fetch(srv->key_acme, held2);
	json_array_foreach(jget(got, "holds"), i, row)
		snprintf(hold2, sizeof(hold2), "%s", jstr(row, "id"));
	json_decref(got);
	r = hold_post(srv->key_acme, hold2, "resolve",
		      "{\"action\": \"cancel_order\", \"reason\": \"no such "
		      "mug\"}");
	assert_status(r, 200);
	resp_free(r);
	row = newest("order.cancelled", held2);
	expect_row(row, "order.cancelled", "key:admin");
	check(streq(jstr(row, "before.state"), "on_hold") &&
		      streq(jstr(row, "after.state"), "cancelled") &&
		      streq(jstr(row, "after.hold"), hold2) &&
		      streq(jstr(row, "after.reason"), "no such mug"),
	      "%s", json_dumps(row, 0));
	json_decref(row);
	/* The monitors, before and after. */
	r = http("PUT", "/v1/monitors", srv->key_acme,
		 B("{\"monitors\": [{\"id\": \"audit-late\", \"kind\": "
		   "\"state_age\", \"state\": \"on_hold\", \"after_s\": "
		   "3600}]}"),
		 NULL);
	assert_status(r, 200);
	resp_free(r);
	row = newest("monitors.changed", "monitors");
	expect_row(row, "monitors.changed", "key:admin");
	check(json_is_array(jget(row, "before")) &&
		      streq(jstr(row, "after[0].id"), "audit-late"),
	      "%s", json_dumps(row, 0));
	json_decref(row);
	/* An order cancelled. */
	o = order_new("AUDIT-CANCEL");
	clean = order_create(srv->key_acme, o);
	json_decref(o);
	snprintf(path, sizeof(path), "/v1/orders/%s/cancel", clean);
	r = http("POST", path, srv->key_acme,
		 B("{\"reason\": \"customer changed their mind\"}"), NULL);
	check(r->status == 200 || r->status == 202, "%ld %s", r->status,
	      r->body);
	resp_free(r);
	row = newest("order.cancelled", clean);
	expect_row(row, "order.cancelled", "key:admin");
	check(streq(jstr(row, "after.reason"), "customer changed their mind"),
	      "%s", json_dumps(row, 0));
	json_decref(row);
	/* A stock count, before and after. */
	r = http("PUT", "/v1/locations/WH-EAST/stock/MUG-12OZ", srv->key_acme,
		 B("{\"on_hand\": 4321}"), NULL);
	assert_status(r, 200);
	resp_free(r);
	row = newest("stock.counted", "WH-EAST/MUG-12OZ");
	expect_row(row, "stock.counted", "key:admin");
	check(json_integer_value(jget(row, "after.on_hand")) == 4321 &&
		      jget(row, "before.on_hand"),
	      "%s", json_dumps(row, 0));
	json_decref(row);
	/* A channel made, changed (its secret: not shown) and deleted. */
	r = http("POST", "/v1/channels", srv->key_acme,
		 B("{\"kind\": \"shopify\", \"name\": \"audit-shop\", "
		   "\"secret\": \"s3cret-audit\"}"),
		 NULL);
	assert_status(r, 201);
	snprintf(chn, sizeof(chn), "%s", jstr(r->json, "id"));
	resp_free(r);
	row = newest("channel.created", chn);
	expect_row(row, "channel.created", "key:admin");
	check(streq(jstr(row, "after.name"), "audit-shop") &&
		      !row_has(row, "s3cret"),
	      "%s", json_dumps(row, 0));
	json_decref(row);
	snprintf(path, sizeof(path), "/v1/channels/%s", chn);
	r = http("PATCH", path, srv->key_acme,
		 B("{\"secret\": \"n3w-secret-audit\"}"), NULL);
	assert_status(r, 200);
	resp_free(r);
	row = newest("channel.changed", chn);
	expect_row(row, "channel.changed", "key:admin");
	check(json_is_true(jget(row, "after.secret")) &&
		      json_is_false(jget(row, "after.base_url")) &&
		      json_is_object(jget(row, "before.settings")) &&
		      json_is_object(jget(row, "after.settings")) &&
		      !row_has(row, "n3w-secret") && !row_has(row, "s3cret"),
	      "which changed, not to what: %s", json_dumps(row, 0));
	json_decref(row);
	/* A setting that is no secret, before and after. */
	r = http("PATCH", path, srv->key_acme,
		 B("{\"location\": \"WH-EAST\"}"), NULL);
	assert_status(r, 200);
	resp_free(r);
	row = newest("channel.changed", chn);
	check(streq(jstr(row, "before.settings.location"), "") &&
		      streq(jstr(row, "after.settings.location"), "WH-EAST"),
	      "the location, before and after: %s", json_dumps(row, 0));
	json_decref(row);
	r = http("DELETE", path, srv->key_acme, NULL, 0, NULL);
	assert_status(r, 204);
	resp_free(r);
	row = newest("channel.deleted", chn);
	expect_row(row, "channel.deleted", "key:admin");
	json_decref(row);
	free(held);
	free(held2);
	free(clean);
}

API_TEST(the_log_is_read_by_kind_actor_time_and_page)
{
	char after[HARNESS_KEY_MAX];
	json_t *all, *row;
	struct resp *r;
	size_t i;
	long long now = harness_clock_now();

	/* Every row of a kind is of that kind; of an actor, that actor's. */
	r = http_get(srv->key_acme, "/v1/audit?actor=cli&limit=200");
	assert_status(r, 200);
	check(json_array_size(jget(r->json, "audit")) >= 1, "%s", r->body);
	json_array_foreach(jget(r->json, "audit"), i, row)
		check(streq(jstr(row, "actor"), "cli"), "%s", r->body);
	resp_free(r);
	r = http_get(srv->key_acme,
		     "/v1/audit?actor=key:admin&kind=key.created&limit=200");
	assert_status(r, 200);
	json_array_foreach(jget(r->json, "audit"), i, row)
		check(streq(jstr(row, "actor"), "key:admin") &&
			      streq(jstr(row, "kind"), "key.created"),
		      "%s", r->body);
	resp_free(r);
	/* Pages of 2 give the whole log, newest first, once each. */
	all = list_all(srv->key_acme, "/v1/audit", "audit", 2);
	check(json_array_size(all) >= 10, "%zu rows", json_array_size(all));
	for (i = 1; i < json_array_size(all); i++)
		check(rfc3339_parse(jstr(json_array_get(all, i - 1), "at")) >=
			      rfc3339_parse(jstr(json_array_get(all, i), "at")),
		      "newest first");
	json_decref(all);
	/* A window in the future holds nothing; one around now, rows. */
	rfc3339((time_t)(now + 3600), after, sizeof(after));
	r = http_get(srv->key_acme, "/v1/audit?from=%s", after);
	assert_status(r, 200);
	check(json_array_size(jget(r->json, "audit")) == 0, "%s", r->body);
	resp_free(r);
	rfc3339((time_t)(now - 3600), after, sizeof(after));
	r = http_get(srv->key_acme, "/v1/audit?from=%s&limit=5", after);
	assert_status(r, 200);
	check(json_array_size(jget(r->json, "audit")) == 5, "%s", r->body);
	resp_free(r);
	r = http_get(srv->key_acme, "/v1/audit?to=%s", after);
	assert_status(r, 200);
	check(json_array_size(jget(r->json, "audit")) == 0, "%s", r->body);
	resp_free(r);
	r = http_get(srv->key_acme, "/v1/audit?from=yesterday");
	assert_error(r, 400, NULL, "from");
	resp_free(r);
	r = http_get(srv->key_acme, "/v1/audit?who=me");
	assert_error(r, 400, NULL, "who");
	resp_free(r);
	/* globex's log has none of acme's rows. */
	r = http_get(srv->key_globex, "/v1/audit?limit=200");
	assert_status(r, 200);
	check(!strstr(r->body, "audited") && !strstr(r->body, "aud@"),
	      "%s", r->body);
	resp_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(key_changes_are_recorded),
		cmocka_unit_test(
			settings_and_policy_changes_are_recorded_with_before_and_after),
		cmocka_unit_test(webhook_changes_are_recorded),
		cmocka_unit_test(people_and_their_logins_are_recorded),
		cmocka_unit_test(work_on_orders_stock_and_channels_is_recorded),
		cmocka_unit_test(the_log_is_read_by_kind_actor_time_and_page),
	};

	return harness_run_group(tests, harness_group_setup,
				      harness_group_teardown);
}
