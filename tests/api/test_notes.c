/*
 * test_notes.c - people write notes on orders and their holds: each on
 * the order's timeline with who and when; every bad note refused, naming
 * what is wrong; only people write them, in their own tenant.
 */
#include "harness.h"

#include <stdio.h>
#include <string.h>

static const char *acme(void)
{
	return srv->key_acme;
}

static struct resp *note(const char *key, const char *order_id,
			 const char *body)
{
	char path[128];

	snprintf(path, sizeof(path), "/v1/orders/%s/notes", order_id);
	return http("POST", path, key, body, strlen(body), NULL);
}

/* The order's timeline events of type "note". New reference. */
static json_t *notes_of(const char *order_id)
{
	struct resp *r = http_get(acme(), "/v1/orders/%s/events", order_id);
	json_t *out = json_array(), *e;
	size_t i;

	assert_status(r, 200);
	json_array_foreach(jget(r->json, "events"), i, e)
		if (streq(jstr(e, "type"), "note"))
			json_array_append(out, e);
	resp_free(r);
	return out;
}

API_TEST(notes_go_on_the_timeline_with_who_and_when)
{
	char agent[HARNESS_KEY_MAX], hold[64] = "", long_text[300];
	json_t *body = order_new("NOTE-1"), *o, *notes, *h;
	char *id;
	struct resp *r;
	size_t i;

	key_create("acme", "agent", "note-agent", agent, sizeof(agent));
	/* An unknown SKU: held, so that a hold can carry a note too. */
	jset(body, "lines[0].sku", json_string("NO-SUCH-SKU"));
	id = order_create(acme(), body);
	o = order_fetch(acme(), id);
	json_array_foreach(jget(o, "holds"), i, h)
		snprintf(hold, sizeof(hold), "%s", jstr(h, "id"));
	check(hold[0], "held: %s", json_dumps(o, 0));

	r = note(agent, id, "{\"text\": \"Customer called: hold until Monday\"}");
	assert_status(r, 201);
	check(streq(jstr(r->json, "actor"), "key:note-agent") &&
		      streq(jstr(r->json, "text"),
			    "Customer called: hold until Monday") &&
		      jget(r->json, "hold_id") == json_null() &&
		      rfc3339_parse(jstr(r->json, "at")) > 0,
	      "%s", r->body);
	resp_free(r);
	{
		char text[128];

		snprintf(text, sizeof(text),
			 "{\"text\": \"SKU typo, asked the shop\", "
			 "\"hold_id\": \"%s\"}",
			 hold);
		r = note(agent, id, text);
		assert_status(r, 201);
		check(streq(jstr(r->json, "hold_id"), hold), "%s", r->body);
		resp_free(r);
	}
	notes = notes_of(id);
	check(json_array_size(notes) == 2 &&
		      streq(jstr(json_array_get(notes, 0), "actor"),
			    "key:note-agent") &&
		      streq(jstr(json_array_get(notes, 0), "message"),
			    "Customer called: hold until Monday") &&
		      streq(jstr(json_array_get(notes, 1), "hold_id"), hold),
	      "the timeline: %s", json_dumps(notes, 0));
	json_decref(notes);

	/* What a note may not be; each refused, naming what, storing
	 * nothing. */
	r = note(agent, id, "{\"text\": \"\"}");
	assert_error(r, 400, NULL, "text");
	resp_free(r);
	r = note(agent, id, "{\"txt\": \"typo\"}");
	assert_error(r, 400, NULL, "txt");
	resp_free(r);
	r = note(agent, id, "{\"text\": \"bell\\u0007\"}");
	assert_error(r, 400, NULL, "text");
	resp_free(r);
	memset(long_text, 'x', sizeof(long_text));
	{
		char big[400];

		snprintf(big, sizeof(big), "{\"text\": \"%.*s\"}", 256,
			 long_text);
		r = note(agent, id, big);
		assert_error(r, 400, NULL, "text");
		resp_free(r);
		/* 255 bytes fit. */
		snprintf(big, sizeof(big), "{\"text\": \"%.*s\"}", 255,
			 long_text);
		r = note(agent, id, big);
		assert_status(r, 201);
		resp_free(r);
	}
	r = note(agent, id, "{\"text\": \"x\", \"hold_id\": \"hld_nosuch\"}");
	assert_error(r, 404, NULL, "hold_id");
	resp_free(r);
	/* Another tenant's order is no order. */
	r = note(srv->key_globex, id, "{\"text\": \"peek\"}");
	assert_error(r, 404, NULL, "id");
	resp_free(r);
	notes = notes_of(id);
	check(json_array_size(notes) == 3, "nothing else written: %s",
	      json_dumps(notes, 0));
	json_decref(notes);
	json_decref(o);
	json_decref(body);
	free(id);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(notes_go_on_the_timeline_with_who_and_when),
	};

	return harness_run_group(tests, harness_group_setup,
				      harness_group_teardown);
}
