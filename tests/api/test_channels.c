/*
 * test_channels.c - channels, a Shopify store's order webhook, and an
 * order's source document.
 *
 *   management   an admin makes, lists, reads, changes and deletes a
 *                channel; the secret is never shown back; every bad member
 *                is named; a name is unique in its tenant; at most 50
 *                channels; another tenant sees none of it; other roles may
 *                read but not write.
 *   shopify      the real order payload (tests/samples/shopify), signed
 *                with the channel's secret, becomes an order: its ids,
 *                customer, addresses, lines (codes mapped to SKUs), money
 *                and payment as Shopify sent them, kept byte for byte as
 *                its source, made by the channel as its actor.
 *   signatures   a missing, wrong, other-secret or stale (body changed)
 *                signature is 401 and stores nothing.
 *   duplicates   the same delivery again is replayed; another delivery of
 *                the same Shopify order finds it (200); one order stored.
 *   topics       a topic ordo does not take is refused, naming it.
 *   loose        a payload as real stores send them (ids and quantities
 *                as strings, no customer, no shipping address, yen) is
 *                taken, and held where it lacks what a shipment needs.
 *   sources      a native order's source is the body posted.
 *   woocommerce  the real refunded order (tests/samples/woocommerce),
 *                signed X-WC-Webhook-Signature, taken as WooCommerce sent
 *                it; its unsigned ping answered and nothing stored; a bad
 *                signature 401; a delivery again replayed.
 */
#include "harness.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#define SAMPLE ORDO_SOURCE_DIR "/tests/samples/shopify/"                      \
			       "Shopify_shopify_python_api__test_fixtures_"   \
			       "order.json"
#define SECRET "shpss_0123456789abcdef"
#define WOO_SAMPLE ORDO_SOURCE_DIR "/tests/samples/woocommerce/woocommerce_" \
			   "woocommerce-ios__Networking_NetworkingTests_"     \
			   "Responses_order-fully-refunded.json"
#define WOO_SECRET "wc-webhook-secret-42"

static const char *acme(void)
{
	return srv->key_acme;
}

/* A request with a body of text. */
static struct resp *req(const char *method, const char *path, const char *key,
			const char *body)
{
	return http(method, path, key, body, strlen(body), NULL);
}

/* POST a channel; assert the status; its id into id (may be NULL). */
static json_t *channel_post(const char *key, const char *body, long status,
			    char *id, size_t id_size)
{
	struct resp *r = req("POST", "/v1/channels", key, body);
	json_t *j;

	assert_status(r, status);
	j = json_incref(r->json);
	if (id)
		snprintf(id, id_size, "%s", jstr(r->json, "id"));
	resp_free(r);
	return j;
}

/* The base64 HMAC-SHA256 of body with secret, as Shopify signs it. */
static void shopify_sign(const char *secret, const char *body, size_t len,
			 char out[64])
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;

	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret,
				    strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2base64(out, 64, mac, sizeof(mac),
			  sodium_base64_VARIANT_ORIGINAL);
}

/* POST body to the channel's Shopify endpoint as a store would: signed
 * with `secret` (NULL: no signature header), topic and delivery id. */
static struct resp *shopify_post(const char *channel, const char *body,
				 const char *secret, const char *topic,
				 const char *delivery)
{
	char path[128], sig[64], h_sig[128], h_topic[96], h_id[96];
	const char *headers[4] = {NULL};
	int n = 0;

	snprintf(path, sizeof(path), "/v1/channels/%s/shopify/orders",
		 channel);
	if (secret) {
		shopify_sign(secret, body, strlen(body), sig);
		snprintf(h_sig, sizeof(h_sig), "X-Shopify-Hmac-Sha256: %s",
			 sig);
		headers[n++] = h_sig;
	}
	snprintf(h_topic, sizeof(h_topic), "X-Shopify-Topic: %s", topic);
	headers[n++] = h_topic;
	snprintf(h_id, sizeof(h_id), "X-Shopify-Webhook-Id: %s", delivery);
	headers[n++] = h_id;
	return http("POST", path, NULL, body, strlen(body), headers);
}

/* The sample's order object, as Shopify's webhook sends it (the file is
 * the REST answer {"order": {...}}), with id as given. */
static char *sample_body(long long id)
{
	json_t *doc = json_load_file(SAMPLE, 0, NULL), *o;
	char *text;

	assert_non_null(doc);
	o = json_incref(json_object_get(doc, "order"));
	json_decref(doc);
	assert_non_null(o);
	json_object_set_new(o, "id", json_integer(id));
	text = json_dumps(o, JSON_INDENT(2));
	json_decref(o);
	return text;
}

/* A Shopify channel of acme's mapping the sample's variants to the
 * catalog; its id into id. */
static void shopify_channel(const char *name, char *id, size_t id_size)
{
	char body[512];

	snprintf(body, sizeof(body),
		 "{\"kind\": \"shopify\", \"name\": \"%s\", \"secret\": "
		 "\"" SECRET "\", \"skus\": ["
		 "{\"code\": \"39072856\", \"sku\": \"TSHIRT-BLK-M\"},"
		 "{\"code\": \"49148385\", \"sku\": \"MUG-12OZ\"},"
		 "{\"code\": \"IPOD2008BLACK\", \"sku\": \"HOODIE-GRY-L\"}]}",
		 name);
	json_decref(channel_post(acme(), body, 201, id, id_size));
}

API_TEST(channels_are_made_read_changed_and_deleted)
{
	char id[64], path[128], agent[HARNESS_KEY_MAX];
	struct resp *r;
	json_t *j;

	j = channel_post(acme(),
			 "{\"kind\": \"shopify\", \"name\": \"store-eu\", "
			 "\"secret\": \"s3cret\", \"base_url\": "
			 "\"http://127.0.0.1:9/eu\", \"currency\": \"EUR\", "
			 "\"skus\": [{\"code\": \"v-2\", \"sku\": \"MUG-12OZ\"},"
			 " {\"code\": \"v-1\", \"sku\": \"TSHIRT-BLK-M\"}]}",
			 201, id, sizeof(id));
	check(strncmp(id, "chn_", 4) == 0, "id %s", id);
	check(streq(jstr(j, "kind"), "shopify") &&
		      streq(jstr(j, "name"), "store-eu") &&
		      streq(jstr(j, "currency"), "EUR") &&
		      streq(jstr(j, "base_url"), "http://127.0.0.1:9/eu"),
	      "created %s", json_dumps(j, 0));
	check(json_is_true(jget(j, "secret_set")) && !jget(j, "secret"),
	      "the secret is never shown back");
	check(streq(jstr(j, "skus[0].code"), "v-1") &&
		      streq(jstr(j, "skus[1].sku"), "MUG-12OZ"),
	      "mapping sorted by code: %s", json_dumps(jget(j, "skus"), 0));
	check(strstr(jstr(j, "endpoint"), id) != NULL, "endpoint %s",
	      jstr(j, "endpoint"));
	json_decref(j);

	r = http_get(acme(), "/v1/channels");
	assert_status(r, 200);
	check(json_array_size(jget(r->json, "channels")) >= 1 &&
		      !strstr(r->body, "s3cret"),
	      "list %s", r->body);
	resp_free(r);

	snprintf(path, sizeof(path), "/v1/channels/%s", id);
	r = req("PATCH", path, acme(),
		"{\"skus\": [], \"currency\": \"\", \"base_url\": null}");
	assert_status(r, 200);
	check(streq(jstr(r->json, "name"), "store-eu") &&
		      json_array_size(jget(r->json, "skus")) == 0 &&
		      json_is_null(jget(r->json, "currency")) &&
		      json_is_null(jget(r->json, "base_url")) &&
		      json_is_true(jget(r->json, "secret_set")),
	      "changed %s", r->body);
	resp_free(r);
	/* Its orders carry its name: it never changes. */
	r = req("PATCH", path, acme(), "{\"name\": \"store-de\"}");
	assert_error(r, 400, NULL, "name");
	resp_free(r);

	/* Nothing a caller writes is passed over. */
	r = req("PATCH", path, acme(),
		"{\"kind\": \"csv\"}");
	assert_error(r, 400, NULL, "kind");
	resp_free(r);
	r = req("PATCH", path, acme(),
		"{\"nmae\": \"x\"}");
	assert_error(r, 400, NULL, "nmae");
	check(strstr(r->body, "did you mean") != NULL, "%s", r->body);
	resp_free(r);
	r = req("PATCH", path, acme(),
		"{\"secret\": null}");
	assert_error(r, 400, NULL, "secret");
	resp_free(r);

	/* Another tenant sees nothing; a reader may read, not write. */
	r = http_get(srv->key_globex, "%s", path);
	assert_error(r, 404, NULL, "id");
	resp_free(r);
	key_create("acme", "agent", "chan-agent", agent, sizeof(agent));
	r = http_get(agent, "%s", path);
	assert_status(r, 200);
	resp_free(r);
	r = http("DELETE", path, agent, NULL, 0, NULL);
	assert_status(r, 403);
	resp_free(r);

	r = http("DELETE", path, acme(), NULL, 0, NULL);
	assert_status(r, 204);
	resp_free(r);
	r = http_get(acme(), "%s", path);
	assert_error(r, 404, NULL, "id");
	resp_free(r);
}

API_TEST(bad_channels_are_refused_naming_each_problem)
{
	static const char *const bad[][2] = {
		{"{\"kind\": \"shopfy\", \"name\": \"a\", \"secret\": \"s\"}",
		 "kind"},
		{"{\"kind\": \"csv\"}", "name"},
		{"{\"kind\": \"csv\", \"name\": \"Big Shop\"}", "name"},
		{"{\"kind\": \"shopify\", \"name\": \"nosecret\"}", "secret"},
		{"{\"kind\": \"woocommerce\", \"name\": \"nosecret\"}",
		 "secret"},
		{"{\"kind\": \"csv\", \"name\": \"u\", \"base_url\": "
		 "\"ftp://x\"}",
		 "base_url"},
		{"{\"kind\": \"csv\", \"name\": \"c\", \"currency\": \"XYZ\"}",
		 "currency"},
		{"{\"kind\": \"csv\", \"name\": \"d\", \"skus\": [{\"code\": "
		 "\"a\", \"sku\": \"X\"}, {\"code\": \"a\", \"sku\": \"Y\"}]}",
		 "skus[1].code"},
		{"{\"kind\": \"csv\", \"name\": \"e\", \"skus\": [{\"code\": "
		 "\"a\"}]}",
		 "skus[0].sku"},
		{"{\"kind\": \"csv\", \"name\": \"f\", \"id\": \"chn_1\"}", "id"},
		{"{\"kind\": \"csv\", \"name\": \"g\", \"colour\": \"red\"}",
		 "colour"},
	};
	char agent[HARNESS_KEY_MAX];
	struct resp *r;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = req("POST", "/v1/channels", acme(), bad[i][0]);
		check(r->status == 400 &&
			      error_details_naming(r, bad[i][1]) > 0,
		      "%s -> %ld %s (want 400 naming %s)", bad[i][0],
		      r->status, r->body, bad[i][1]);
		resp_free(r);
	}
	/* What members ask of each other is said, not only named. */
	r = req("POST", "/v1/channels", acme(),
		"{\"kind\": \"shopify\", \"name\": \"with-map\", "
		"\"secret\": \"s\", \"map\": {}}");
	assert_error(r, 400, NULL, "map");
	check(strstr(r->body, "csv channel") != NULL, "%s", r->body);
	resp_free(r);
	r = req("POST", "/v1/channels", acme(),
		"{\"kind\": \"shopify\", \"name\": \"no-secret\"}");
	check(strstr(r->body, "secret Shopify signs") != NULL, "%s", r->body);
	resp_free(r);

	/* Two problems at once are both named. */
	r = req("POST", "/v1/channels", acme(),
		"{\"kind\": \"x\", \"name\": \"A B\"}");
	check(error_details_naming(r, "kind") && error_details_naming(r, "name"),
	      "%s", r->body);
	resp_free(r);

	/* A name is its tenant's once; another tenant may use it. */
	json_decref(channel_post(acme(), "{\"kind\": \"csv\", \"name\": "
					 "\"sheet\"}",
				 201, NULL, 0));
	r = req("POST", "/v1/channels", acme(),
		"{\"kind\": \"x12\", \"name\": \"sheet\"}");
	assert_error(r, 409, NULL, "name");
	resp_free(r);
	json_decref(channel_post(srv->key_globex,
				 "{\"kind\": \"csv\", \"name\": \"sheet\"}",
				 201, NULL, 0));

	key_create("acme", "agent", "chan-agent-2", agent, sizeof(agent));
	r = req("POST", "/v1/channels", agent,
		"{\"kind\": \"csv\", \"name\": \"mine\"}");
	assert_status(r, 403);
	resp_free(r);
}

API_TEST(a_tenant_has_at_most_50_channels)
{
	char body[128];
	struct resp *r;
	size_t have, i;

	r = http_get(srv->key_globex, "/v1/channels");
	have = json_array_size(jget(r->json, "channels"));
	resp_free(r);
	for (i = have; i < 50; i++) {
		snprintf(body, sizeof(body),
			 "{\"kind\": \"csv\", \"name\": \"many-%zu\"}", i);
		json_decref(channel_post(srv->key_globex, body, 201, NULL, 0));
	}
	r = req("POST", "/v1/channels", srv->key_globex,
		"{\"kind\": \"csv\", \"name\": \"one-more\"}");
	assert_error(r, 400, "limit_exceeded", NULL);
	resp_free(r);
}

/* A channel's body with n SKU mappings; malloc'd. */
static char *channel_with_skus(const char *name, size_t n)
{
	size_t size = 128 + n * 48, o;
	char *body = malloc(size);

	assert_non_null(body);
	o = (size_t)snprintf(body, size,
			     "{\"kind\": \"csv\", \"name\": \"%s\", "
			     "\"skus\": [", name);
	for (size_t i = 0; i < n; i++)
		o += (size_t)snprintf(body + o, size - o,
				      "%s{\"code\": \"c-%zu\", \"sku\": "
				      "\"MUG-12OZ\"}", i ? ", " : "", i);
	snprintf(body + o, size - o, "]}");
	return body;
}

API_TEST(a_channel_maps_at_most_1000_skus)
{
	char *body = channel_with_skus("mapped-1000", 1000), id[64], path[96];
	struct resp *r;
	json_t *j = channel_post(acme(), body, 201, id, sizeof(id));

	check(json_array_size(jget(j, "skus")) == 1000, "1000 kept");
	json_decref(j);
	free(body);
	body = channel_with_skus("mapped-1001", 1001);
	r = req("POST", "/v1/channels", acme(), body);
	assert_error(r, 400, "limit_exceeded", "skus");
	check(strstr(r->body, "at most 1000"), "names the limit: %s", r->body);
	resp_free(r);
	free(body);
	snprintf(path, sizeof(path), "/v1/channels/%s", id);
	r = http("DELETE", path, acme(), NULL, 0, NULL);
	check(r->status == 204, "deleted: %ld", r->status);
	resp_free(r);
}

API_TEST(a_shopify_order_is_taken_as_shopify_sent_it)
{
	char ch[64], path[160];
	char *body = sample_body(450789469);
	struct resp *r = NULL;
	const char *order_id;
	json_t *o;

	shopify_channel("shop", ch, sizeof(ch));
	r = shopify_post(ch, body, SECRET, "orders/create", "wh-create-1");
	assert_status(r, 201);
	o = r->json;
	order_id = jstr(o, "id");
	check(streq(jstr(o, "external_id"), "450789469") &&
		      streq(jstr(o, "channel"), "shop") &&
		      streq(jstr(o, "channel_kind"), "shopify") &&
		      streq(jstr(o, "currency"), "USD") &&
		      streq(jstr(o, "placed_at"), "2008-01-10T16:00:00Z"),
	      "header %s", r->body);
	check(streq(jstr(o, "customer.name"), "Bob Norman") &&
		      streq(jstr(o, "customer.email"),
			    "bob.norman@hostmail.com") &&
		      streq(jstr(o, "customer.external_id"), "207119551"),
	      "customer %s", json_dumps(jget(o, "customer"), 0));
	check(streq(jstr(o, "ship_to.line1"), "Chestnut Street 92") &&
		      streq(jstr(o, "ship_to.city"), "Louisville") &&
		      streq(jstr(o, "ship_to.region"), "KY") &&
		      streq(jstr(o, "ship_to.postal_code"), "40202") &&
		      streq(jstr(o, "ship_to.country"), "US") &&
		      streq(jstr(o, "bill_to.city"), "Louisville"),
	      "addresses %s", r->body);
	/* Mapped by variant id, by variant id, and by Shopify's SKU. */
	check(streq(jstr(o, "lines[0].sku"), "TSHIRT-BLK-M") &&
		      streq(jstr(o, "lines[1].sku"), "MUG-12OZ") &&
		      streq(jstr(o, "lines[2].sku"), "HOODIE-GRY-L") &&
		      streq(jstr(o, "lines[0].unit_price"), "199.00") &&
		      json_integer_value(jget(o, "lines[2].quantity")) == 1,
	      "lines %s", json_dumps(jget(o, "lines"), 0));
	check(streq(jstr(o, "totals.subtotal"), "398.00") &&
		      streq(jstr(o, "totals.tax"), "11.94") &&
		      streq(jstr(o, "totals.total"), "409.94") &&
		      streq(jstr(o, "payment_status"), "authorized"),
	      "money %s %s", json_dumps(jget(o, "totals"), 0),
	      jstr(o, "payment_status"));
	/* The sample's own totals do not add up (three lines of 199.00,
	 * a subtotal of 398.00): held for a person, as any order would be. */
	check(open_holds(o, "totals_mismatch") == 1, "holds %s",
	      json_dumps(jget(o, "holds"), 0));

	snprintf(path, sizeof(path), "/v1/orders/%s/source", order_id);
	{
		struct resp *s = http_get(acme(), "%s", path);
		char type[64] = "";

		assert_status(s, 200);
		check(s->body_len == strlen(body) &&
			      memcmp(s->body, body, s->body_len) == 0,
		      "the source is the body as it came (%zu bytes, sent "
		      "%zu)",
		      s->body_len, strlen(body));
		check(resp_header(s, "Content-Type", type, sizeof(type)) &&
			      streq(type, "application/json"),
		      "type %s", type);
		resp_free(s);
		s = http_get(srv->key_globex, "%s", path);
		assert_error(s, 404, NULL, "id");
		resp_free(s);
	}
	snprintf(path, sizeof(path), "/v1/orders/%s/events", order_id);
	{
		struct resp *e = http_get(acme(), "%s", path);

		check(streq(jstr(e->json, "events[0].actor"), "channel:shop"),
		      "the channel took it in: %s", e->body);
		resp_free(e);
	}
	resp_free(r);
	free(body);
}

/* POST order n of a store's kind to channel ch, signed with secret, as
 * delivery. */
typedef struct resp *(*signed_post)(const char *ch, long long n,
				    const char *secret, const char *delivery);

static struct resp *shopify_signed(const char *ch, long long n,
				   const char *secret, const char *delivery)
{
	char *body = sample_body(n);
	struct resp *r =
		shopify_post(ch, body, secret, "orders/create", delivery);

	free(body);
	return r;
}

/*
 * A store's secret changed with a grace: what the store signed with the
 * secret before (old) still verifies until the grace ends; then only the
 * new one. Without a grace the old secret stops at once. The store signs
 * in the header named signature.
 */
static void secret_grace_holds(const char *ch, signed_post post,
			       const char *old, const char *signature)
{
	char path[128];
	struct resp *r;

	snprintf(path, sizeof(path), "/v1/channels/%s", ch);
	r = req("PATCH", path, acme(),
		"{\"secret\": \"shpss_new\", \"secret_grace_s\": 600}");
	assert_status(r, 200);
	check(llabs((long long)rfc3339_parse(
			    jstr(r->json, "previous_secret_until")) -
		    (harness_clock_now() + 600)) < 60 &&
		      !strstr(r->body, old) && !strstr(r->body, "shpss_new"),
	      "%s", r->body);
	resp_free(r);
	r = post(ch, 930001, old, "wh-rot-1");
	check(r->status == 201 || r->status == 200,
	      "the old secret within the grace: %ld %s", r->status, r->body);
	resp_free(r);
	r = post(ch, 930002, "shpss_new", "wh-rot-2");
	check(r->status == 201 || r->status == 200, "the new secret: %ld %s",
	      r->status, r->body);
	resp_free(r);
	/* The grace over, the old secret is refused. */
	harness_clock_advance(601);
	r = post(ch, 930003, old, "wh-rot-3");
	assert_error(r, 401, "unauthorized", signature);
	resp_free(r);
	/* Changed again without a grace: the one before stops at once. */
	r = req("PATCH", path, acme(), "{\"secret\": \"shpss_third\"}");
	assert_status(r, 200);
	resp_free(r);
	r = post(ch, 930003, "shpss_new", "wh-rot-4");
	assert_error(r, 401, "unauthorized", signature);
	resp_free(r);
	r = post(ch, 930003, "shpss_third", "wh-rot-5");
	check(r->status == 201 || r->status == 200, "the third secret: %ld %s",
	      r->status, r->body);
	resp_free(r);
	/* A grace is for a secret replaced, and at most a week. */
	r = req("PATCH", path, acme(), "{\"secret_grace_s\": 60}");
	assert_error(r, 400, NULL, "secret_grace_s");
	resp_free(r);
	r = req("PATCH", path, acme(),
		"{\"secret\": \"x\", \"secret_grace_s\": 604801}");
	assert_error(r, 400, NULL, "secret_grace_s");
	resp_free(r);
}

API_TEST(a_changed_secret_with_a_grace_verifies_both_until_it_ends)
{
	char ch[64];

	shopify_channel("shop-rotate", ch, sizeof(ch));
	secret_grace_holds(ch, shopify_signed, SECRET, "X-Shopify-Hmac-Sha256");
}

API_TEST(a_signature_that_does_not_hold_stores_nothing)
{
	char ch[64];
	char *body = sample_body(910001);
	struct resp *r;
	size_t before = orders_count(acme(), "channel=shop-sig");

	shopify_channel("shop-sig", ch, sizeof(ch));
	r = shopify_post(ch, body, NULL, "orders/create", "wh-sig-1");
	assert_error(r, 401, "unauthorized", "X-Shopify-Hmac-Sha256");
	resp_free(r);
	r = shopify_post(ch, body, "another secret", "orders/create",
			 "wh-sig-2");
	assert_error(r, 401, "unauthorized", "X-Shopify-Hmac-Sha256");
	resp_free(r);
	{
		/* Signed, then changed on the way. */
		char path[128], sig[64], h_sig[128];
		const char *headers[] = {h_sig, "X-Shopify-Topic: orders/create",
					 NULL};
		char *changed = strdup(body);

		shopify_sign(SECRET, body, strlen(body), sig);
		snprintf(h_sig, sizeof(h_sig), "X-Shopify-Hmac-Sha256: %s",
			 sig);
		changed[strlen(changed) - 3] = ' ';
		snprintf(path, sizeof(path), "/v1/channels/%s/shopify/orders",
			 ch);
		r = http("POST", path, NULL, changed, strlen(changed), headers);
		assert_error(r, 401, "unauthorized", "X-Shopify-Hmac-Sha256");
		resp_free(r);
		h_sig[22] = '\0'; /* "X-Shopify-Hmac-Sha256:" and nothing */
		r = http("POST", path, NULL, body, strlen(body), headers);
		assert_status(r, 401);
		resp_free(r);
		free(changed);
	}
	check(orders_count(acme(), "channel=shop-sig") == before,
	      "nothing stored");
	/* No such channel, or not a Shopify one. */
	r = shopify_post("chn_nosuchchannel00000000000", body, SECRET,
			 "orders/create", "wh-sig-3");
	assert_error(r, 404, NULL, "id");
	resp_free(r);
	{
		char csv[64];

		json_decref(channel_post(acme(),
					 "{\"kind\": \"csv\", \"name\": "
					 "\"not-shopify\", \"secret\": \"" SECRET
					 "\"}",
					 201, csv, sizeof(csv)));
		r = shopify_post(csv, body, SECRET, "orders/create",
				 "wh-sig-4");
		assert_error(r, 404, NULL, "id");
		resp_free(r);
	}
	free(body);
}

API_TEST(a_delivery_twice_and_an_order_twice_store_one_order)
{
	char ch[64], first[64], replayed[16] = "";
	char *body = sample_body(920001);
	struct resp *r;

	shopify_channel("shop-dup", ch, sizeof(ch));
	r = shopify_post(ch, body, SECRET, "orders/create", "wh-dup-1");
	assert_status(r, 201);
	snprintf(first, sizeof(first), "%s", jstr(r->json, "id"));
	resp_free(r);
	/* Shopify sends a delivery again when it heard no answer. */
	r = shopify_post(ch, body, SECRET, "orders/create", "wh-dup-1");
	assert_status(r, 201);
	check(streq(jstr(r->json, "id"), first) &&
		      resp_header(r, "Idempotent-Replayed", replayed,
				  sizeof(replayed)) &&
		      streq(replayed, "true"),
	      "replayed %s", r->body);
	resp_free(r);
	/* orders/updated of the same order, another delivery: found. */
	r = shopify_post(ch, body, SECRET, "orders/updated", "wh-dup-2");
	assert_status(r, 200);
	check(streq(jstr(r->json, "id"), first) &&
		      !jget(r->json, "changes_not_applied"),
	      "same order, nothing changed: %s", r->body);
	resp_free(r);
	check(orders_count(acme(), "channel=shop-dup") == 1, "one order");

	/* The store changes the address: taken as a change by the channel,
	 * as an order at its stage takes one (here: held, so at once). */
	{
		json_t *doc = jparse(body);
		char *changed;

		jset(doc, "shipping_address.address1",
		     json_string("1 Other Street"));
		changed = json_dumps(doc, 0);
		r = shopify_post(ch, changed, SECRET, "orders/updated",
				 "wh-dup-4");
		assert_status(r, 200);
		check(streq(jstr(r->json, "id"), first) &&
			      !jget(r->json, "changes_not_applied") &&
			      streq(jstr(r->json, "state"), "on_hold") &&
			      streq(jstr(r->json, "ship_to.line1"),
				    "1 Other Street"),
		      "%s", r->body);
		resp_free(r);
		r = http_get(acme(), "/v1/orders/%s/changes", first);
		check(json_array_size(jget(r->json, "changes")) == 1 &&
			      streq(jstr(r->json, "changes[0].kind"),
				    "ship_to") &&
			      streq(jstr(r->json, "changes[0].state"),
				    "applied") &&
			      streq(jstr(r->json, "changes[0].requested_by"),
				    "channel:shop-dup") &&
			      streq(jstr(r->json, "changes[0].reason"),
				    "changed at the store"),
		      "%s", r->body);
		resp_free(r);
		/* Sent again, it changes nothing more. */
		r = shopify_post(ch, changed, SECRET, "orders/updated",
				 "wh-dup-5");
		assert_status(r, 200);
		resp_free(r);
		r = http_get(acme(), "/v1/orders/%s/changes", first);
		check(json_array_size(jget(r->json, "changes")) == 1, "%s",
		      r->body);
		resp_free(r);
		free(changed);
		json_decref(doc);
	}

	/* A topic ordo does not take is named, and stores nothing. */
	r = shopify_post(ch, body, SECRET, "orders/paid", "wh-dup-3");
	assert_error(r, 400, NULL, "X-Shopify-Topic");
	check(strstr(r->body, "orders/paid") != NULL, "%s", r->body);
	resp_free(r);
	free(body);
}

/* An order edited at the store (Shopify's current_quantity, a new line
 * item) is changed in ordo as the store now has it, one change each. */
API_TEST(a_store_edit_is_taken_as_changes)
{
	char ch[64], first[64];
	char *body = sample_body(930001), *edited;
	json_t *doc, *item, *o;
	struct resp *r;

	shopify_channel("shop-edit", ch, sizeof(ch));
	r = shopify_post(ch, body, SECRET, "orders/create", "wh-edit-1");
	assert_status(r, 201);
	snprintf(first, sizeof(first), "%s", jstr(r->json, "id"));
	resp_free(r);

	doc = jparse(body);
	jset(doc, "line_items[0].current_quantity", json_integer(0));
	jset(doc, "line_items[1].current_quantity", json_integer(3));
	item = json_deep_copy(jget(doc, "line_items[1]"));
	json_object_set_new(item, "id", json_integer(999001));
	json_object_set_new(item, "current_quantity", json_integer(2));
	json_object_set_new(item, "quantity", json_integer(2));
	json_array_append_new(json_object_get(doc, "line_items"), item);
	edited = json_dumps(doc, 0);
	r = shopify_post(ch, edited, SECRET, "orders/updated", "wh-edit-2");
	assert_status(r, 200);
	check(!jget(r->json, "changes_not_applied"), "%s", r->body);
	resp_free(r);

	o = order_fetch(acme(), first);
	check(json_integer_value(jget(o, "lines[0].cancelled")) == 1 &&
		      json_integer_value(jget(o, "lines[1].quantity")) == 3 &&
		      json_array_size(jget(o, "lines")) == 4 &&
		      streq(jstr(o, "lines[3].external_id"), "999001") &&
		      json_integer_value(jget(o, "lines[3].quantity")) == 2,
	      "%s", json_dumps(o, 0));
	json_decref(o);
	r = http_get(acme(), "/v1/orders/%s/changes", first);
	check(json_array_size(jget(r->json, "changes")) == 3 &&
		      streq(jstr(r->json, "changes[0].kind"), "add_line") &&
		      streq(jstr(r->json, "changes[1].kind"), "remove_line") &&
		      streq(jstr(r->json, "changes[2].kind"), "quantity") &&
		      streq(jstr(r->json, "changes[0].state"), "applied"),
	      "%s", r->body);
	resp_free(r);
	/* The same again changes nothing. */
	r = shopify_post(ch, edited, SECRET, "orders/updated", "wh-edit-3");
	assert_status(r, 200);
	resp_free(r);
	r = http_get(acme(), "/v1/orders/%s/changes", first);
	check(json_array_size(jget(r->json, "changes")) == 3, "%s", r->body);
	resp_free(r);
	free(edited);
	json_decref(doc);
	free(body);
}

/* Swapping every item at the store keeps the order: the new line comes
 * before the old ones go. */
API_TEST(a_store_swap_keeps_the_order)
{
	char ch[64], first[64];
	char *body = sample_body(940001), *edited;
	json_t *doc, *item, *o;
	struct resp *r;
	size_t i;

	shopify_channel("shop-swap", ch, sizeof(ch));
	r = shopify_post(ch, body, SECRET, "orders/create", "wh-swap-1");
	assert_status(r, 201);
	snprintf(first, sizeof(first), "%s", jstr(r->json, "id"));
	resp_free(r);
	doc = jparse(body);
	item = json_deep_copy(jget(doc, "line_items[0]"));
	for (i = 0; i < json_array_size(jget(doc, "line_items")); i++)
		json_object_set_new(json_array_get(jget(doc, "line_items"), i),
				    "current_quantity", json_integer(0));
	json_object_set_new(item, "id", json_integer(999002));
	json_object_set_new(item, "current_quantity", json_integer(1));
	json_array_append_new(json_object_get(doc, "line_items"), item);
	edited = json_dumps(doc, 0);
	r = shopify_post(ch, edited, SECRET, "orders/updated", "wh-swap-2");
	assert_status(r, 200);
	check(!streq(jstr(r->json, "state"), "cancelled") &&
		      !jget(r->json, "changes_not_applied"),
	      "%s", r->body);
	resp_free(r);
	o = order_fetch(acme(), first);
	check(order_units(o, "cancelled", NULL) == 3 &&
		      streq(jstr(o, "lines[3].external_id"), "999002"),
	      "%s", json_dumps(o, 0));
	json_decref(o);
	free(edited);
	json_decref(doc);
	free(body);
}

/* An order changed in ordo since the store sent it takes no more of the
 * store's edits by itself: each is said, and a person asked once. */
API_TEST(a_store_edit_of_an_order_changed_in_ordo_waits_for_a_person)
{
	char ch[64], first[64], path[128];
	char *body = sample_body(950001), *edited;
	json_t *doc, *o;
	struct resp *r;
	const char *b = "{\"kind\": \"shipping_method\", \"method\": "
			"\"express\", \"reason\": \"phoned\"}";
	size_t i, holds = 0;
	json_t *h;

	shopify_channel("shop-both", ch, sizeof(ch));
	r = shopify_post(ch, body, SECRET, "orders/create", "wh-both-1");
	assert_status(r, 201);
	snprintf(first, sizeof(first), "%s", jstr(r->json, "id"));
	resp_free(r);
	snprintf(path, sizeof(path), "/v1/orders/%s/changes", first);
	r = http("POST", path, acme(), b, strlen(b), NULL);
	assert_status(r, 200);
	resp_free(r);

	doc = jparse(body);
	jset(doc, "line_items[1].current_quantity", json_integer(2));
	edited = json_dumps(doc, 0);
	r = shopify_post(ch, edited, SECRET, "orders/updated", "wh-both-2");
	assert_status(r, 200);
	check(jstr(r->json, "changes_not_applied") &&
		      strstr(jstr(r->json, "changes_not_applied"),
			     "changed it"),
	      "%s", r->body);
	resp_free(r);
	r = shopify_post(ch, edited, SECRET, "orders/updated", "wh-both-3");
	assert_status(r, 200);
	resp_free(r);
	o = order_fetch(acme(), first);
	json_array_foreach(jget(o, "holds"), i, h)
		holds += streq(jstr(h, "raised_by"), "channel") &&
			 streq(jstr(h, "status"), "open");
	check(holds == 1 &&
		      json_integer_value(jget(o, "lines[1].quantity")) == 1 &&
		      streq(jstr(o, "state"), "on_hold"),
	      "%s", json_dumps(o, 0));
	json_decref(o);
	free(edited);
	json_decref(doc);
	free(body);
}

API_TEST(a_loose_payload_is_taken_and_held_for_what_it_lacks)
{
	static const char loose[] =
		"{\"id\": \"930001\", \"created_at\": "
		"\"2026-03-01T09:30:00+09:00\", \"currency\": \"JPY\", "
		"\"email\": \"kenji@example.jp\", \"shipping_address\": null, "
		"\"billing_address\": null, \"customer\": null, "
		"\"financial_status\": \"paid\", \"total_price\": \"2500\", "
		"\"subtotal_price\": \"2500\", \"total_tax\": \"0\", "
		"\"line_items\": [{\"sku\": \"MUG-12OZ\", \"title\": \"Mug\", "
		"\"quantity\": \"2\", \"price\": \"1250.00\", "
		"\"variant_id\": null}]}";
	char ch[64];
	struct resp *r;

	shopify_channel("shop-loose", ch, sizeof(ch));
	r = shopify_post(ch, loose, SECRET, "orders/create", "wh-loose-1");
	assert_status(r, 201);
	check(streq(jstr(r->json, "currency"), "JPY") &&
		      streq(jstr(r->json, "lines[0].unit_price"), "1250") &&
		      json_integer_value(jget(r->json, "lines[0].quantity")) ==
			      2 &&
		      streq(jstr(r->json, "placed_at"), "2026-03-01T00:30:00Z") &&
		      streq(jstr(r->json, "payment_status"), "paid"),
	      "taken %s", r->body);
	check(streq(jstr(r->json, "state"), "on_hold") &&
		      open_holds(r->json, "address_unverifiable") >= 1,
	      "no address to ship to: held %s",
	      json_dumps(jget(r->json, "holds"), 0));
	resp_free(r);

	/* Not an order at all: refused, naming what is wrong. */
	r = shopify_post(ch, "{\"id\": 5, \"line_items\": []}", SECRET,
			 "orders/create", "wh-loose-2");
	assert_error(r, 400, NULL, "line_items");
	resp_free(r);
	r = shopify_post(ch, "[1, 2]", SECRET, "orders/create", "wh-loose-3");
	assert_status(r, 400);
	resp_free(r);
}

API_TEST(a_native_orders_source_is_the_body_posted)
{
	json_t *o = order_new("src-native-1");
	char *text = json_dumps(o, JSON_INDENT(3) | JSON_SORT_KEYS);
	struct resp *r = http("POST", "/v1/orders", acme(), text, strlen(text),
			      NULL), *s;

	assert_status(r, 201);
	check(json_is_null(jget(r->json, "channel_kind")),
	      "ordo's own API is no configured channel: %s", r->body);
	s = http_get(acme(), "/v1/orders/%s/source", jstr(r->json, "id"));
	assert_status(s, 200);
	check(s->body_len == strlen(text) &&
		      memcmp(s->body, text, s->body_len) == 0,
	      "source %.200s", s->body);
	resp_free(s);
	resp_free(r);
	free(text);
	json_decref(o);
}

/* POST body to the channel's WooCommerce endpoint as a store would. */
static struct resp *woo_post(const char *channel, const char *body,
			     const char *secret, const char *delivery)
{
	char path[128], sig[64], h_sig[128], h_id[96];
	const char *headers[4] = {"X-WC-Webhook-Topic: order.created", h_id,
				  NULL, NULL};

	snprintf(path, sizeof(path), "/v1/channels/%s/woocommerce/orders",
		 channel);
	snprintf(h_id, sizeof(h_id), "X-WC-Webhook-Delivery-ID: %s", delivery);
	if (secret) {
		shopify_sign(secret, body, strlen(body), sig);
		snprintf(h_sig, sizeof(h_sig), "X-WC-Webhook-Signature: %s",
			 sig);
		headers[2] = h_sig;
	}
	return http("POST", path, NULL, body, strlen(body), headers);
}

/* The sample's order, numbered n. */
static struct resp *woo_signed(const char *ch, long long n,
			       const char *secret, const char *delivery)
{
	json_t *doc = json_load_file(WOO_SAMPLE, 0, NULL), *o;
	struct resp *r;
	char *body;

	assert_non_null(doc);
	o = json_object_get(doc, "data");
	assert_non_null(o);
	json_object_set_new(o, "id", json_integer(n));
	body = json_dumps(o, JSON_INDENT(1));
	json_decref(doc);
	r = woo_post(ch, body, secret, delivery);
	free(body);
	return r;
}

/* A WooCommerce store's secret changes as a Shopify store's does. */
API_TEST(a_woocommerce_secret_changed_with_a_grace_verifies_both)
{
	char ch[64];

	json_decref(channel_post(acme(),
				 "{\"kind\": \"woocommerce\", \"name\": "
				 "\"woo-rotate\", \"secret\": \"" WOO_SECRET
				 "\"}",
				 201, ch, sizeof(ch)));
	secret_grace_holds(ch, woo_signed, WOO_SECRET,
			   "X-WC-Webhook-Signature");
}

API_TEST(a_woocommerce_order_is_taken_as_woocommerce_sent_it)
{
	json_t *doc = json_load_file(WOO_SAMPLE, 0, NULL);
	char ch[64], path[160], *body;
	struct resp *r;
	json_t *j;

	assert_non_null(doc);
	body = json_dumps(json_object_get(doc, "data"), JSON_INDENT(1));
	json_decref(doc);
	j = channel_post(acme(),
			 "{\"kind\": \"woocommerce\", \"name\": \"woo\", "
			 "\"secret\": \"" WOO_SECRET "\", \"skus\": [{\"code\": "
			 "\"379\", \"sku\": \"HOODIE-GRY-L\"}]}",
			 201, ch, sizeof(ch));
	check(strstr(jstr(j, "endpoint"), "/woocommerce/orders") != NULL,
	      "endpoint %s", jstr(j, "endpoint"));
	json_decref(j);

	/* The ping a store sends as the webhook is saved: no order. */
	{
		static const char ping[] = "webhook_id=17";
		const char *headers[] = {
			"Content-Type: application/x-www-form-urlencoded",
			NULL};

		snprintf(path, sizeof(path),
			 "/v1/channels/%s/woocommerce/orders", ch);
		r = http("POST", path, NULL, ping, sizeof(ping) - 1, headers);
		assert_status(r, 200);
		resp_free(r);
	}
	r = woo_post(ch, body, "not the secret", "woo-1");
	assert_error(r, 401, "unauthorized", "X-WC-Webhook-Signature");
	resp_free(r);
	check(orders_count(acme(), "channel=woo") == 0, "nothing stored");

	r = woo_post(ch, body, WOO_SECRET, "woo-2");
	assert_status(r, 201);
	/* Product 379 mapped; 2 x 90.00 (its subtotal 180.00 / 2). */
	check(streq(jstr(r->json, "external_id"), "609") &&
		      streq(jstr(r->json, "channel"), "woo") &&
		      streq(jstr(r->json, "channel_kind"), "woocommerce") &&
		      streq(jstr(r->json, "lines[0].sku"), "HOODIE-GRY-L") &&
		      streq(jstr(r->json, "lines[0].unit_price"), "90.00") &&
		      json_integer_value(jget(r->json, "lines[0].quantity")) ==
			      2 &&
		      streq(jstr(r->json, "totals.total"), "223.71") &&
		      streq(jstr(r->json, "payment_status"), "refunded") &&
		      streq(jstr(r->json, "placed_at"), "2017-08-24T20:56:57Z") &&
		      streq(jstr(r->json, "ship_to.city"), "Los Angeles"),
	      "order %s", r->body);
	resp_free(r);
	r = woo_post(ch, body, WOO_SECRET, "woo-2");
	{
		char replayed[16] = "";

		check(r->status == 201 &&
			      resp_header(r, "Idempotent-Replayed", replayed,
					  sizeof(replayed)) &&
			      streq(replayed, "true"),
		      "a delivery again is replayed: %ld", r->status);
	}
	resp_free(r);
	check(orders_count(acme(), "channel=woo") == 1, "one order");

	/* Another store numbers its deliveries alike: its own. */
	{
		char ch2[64];

		json_decref(channel_post(acme(),
					 "{\"kind\": \"woocommerce\", "
					 "\"name\": \"woo-2\", \"secret\": "
					 "\"" WOO_SECRET "\"}",
					 201, ch2, sizeof(ch2)));
		r = woo_post(ch2, body, WOO_SECRET, "woo-2");
		assert_status(r, 201);
		resp_free(r);
		check(orders_count(acme(), "channel=woo-2") == 1,
		      "the other store's order taken");
	}
	free(body);
}

/* ---- one order, every channel ---------------------------------------------- */

/* The order of external id ext through channel name (the only one). */
static json_t *order_of(const char *channel, const char *ext)
{
	char q[160];
	json_t *all, *o;

	snprintf(q, sizeof(q), "/v1/orders?channel=%s&external_id=%s", channel,
		 ext);
	all = list_all(acme(), q, "orders", 10);
	assert_int_equal(json_array_size(all), 1);
	o = json_incref(json_array_get(all, 0));
	json_decref(all);
	return o;
}

API_TEST(the_same_order_from_every_channel_looks_alike)
{
	static const char shop_body[] =
		"{\"id\": 9101, \"created_at\": \"2026-12-01T10:00:00Z\", "
		"\"currency\": \"USD\", \"email\": \"lee.alike@example.com\", "
		"\"customer\": {\"id\": 1, \"first_name\": \"Lee\", "
		"\"last_name\": \"Park\"}, \"shipping_address\": {\"first_name\": "
		"\"Lee\", \"last_name\": \"Park\", \"address1\": \"4 Hill Rd\", "
		"\"city\": \"Austin\", \"province_code\": \"TX\", \"zip\": "
		"\"78701\", \"country_code\": \"US\"}, \"line_items\": [{\"id\": "
		"1, \"sku\": \"MUG-12OZ\", \"title\": \"Mug\", \"quantity\": 2, "
		"\"price\": \"12.50\"}], \"total_line_items_price\": \"25.00\", "
		"\"total_tax\": \"0.00\", \"total_price\": \"25.00\", "
		"\"financial_status\": \"paid\"}";
	static const char woo_body[] =
		"{\"id\": 9102, \"status\": \"processing\", \"currency\": \"USD\", "
		"\"date_created_gmt\": \"2026-12-01T10:00:00\", \"billing\": "
		"{\"first_name\": \"Lee\", \"last_name\": \"Park\", \"email\": "
		"\"lee.alike@example.com\"}, \"shipping\": {\"first_name\": "
		"\"Lee\", \"last_name\": \"Park\", \"address_1\": \"4 Hill Rd\", "
		"\"city\": \"Austin\", \"state\": \"TX\", \"postcode\": "
		"\"78701\", \"country\": \"US\"}, \"line_items\": [{\"id\": 1, "
		"\"sku\": \"MUG-12OZ\", \"name\": \"Mug\", \"quantity\": 2, "
		"\"subtotal\": \"25.00\", \"total\": \"25.00\"}], "
		"\"shipping_total\": \"0.00\", \"discount_total\": \"0.00\", "
		"\"total_tax\": \"0.00\", \"total\": \"25.00\", "
		"\"payment_method\": \"stripe\", \"date_paid_gmt\": "
		"\"2026-12-01T10:00:00\"}";
	static const char csv_body[] =
		"external_id,customer_name,customer_email,ship_to_name,"
		"ship_to_line1,ship_to_city,ship_to_region,ship_to_postal_code,"
		"ship_to_country,currency,sku,quantity,unit_price\n"
		"9103,Lee Park,lee.alike@example.com,Lee Park,4 Hill Rd,Austin,"
		"TX,78701,US,USD,MUG-12OZ,2,12.50\n";
	static const char edi_body[] =
		"ISA*00*          *00*          *ZZ*ALIKE          *ZZ*ORDO     "
		"      *261201*1000*U*00401*000009104*0*P*>~\n"
		"GS*PO*ALIKE*ORDO*20261201*1000*9104*X*004010~\n"
		"ST*850*0001~\nBEG*00*SA*9104**20261201~\n"
		"PER*BD*Lee Park*EM*lee.alike@example.com~\n"
		"N1*ST*Lee Park~\nN3*4 Hill Rd~\nN4*Austin*TX*78701*US~\n"
		"PO1*1*2*EA*12.50**VP*MUG-12OZ~\nCTT*1~\nSE*9*0001~\n"
		"GE*1*9104~\nIEA*1*000009104~\n";
	static const char *const csv_type[] = {"Content-Type: text/csv", NULL};
	static const char *const edi_type[] = {
		"Content-Type: application/edi-x12", NULL};
	static const char *const same[] = {
		"currency",	       "ship_to.name",	  "ship_to.line1",
		"ship_to.city",	       "ship_to.region",  "ship_to.postal_code",
		"ship_to.country",     "customer.email",  "lines[0].sku",
		"lines[0].unit_price", "totals.subtotal", NULL,
	};
	static const char *const names[] = {"alike-shop", "alike-woo",
					    "alike-csv", "alike-edi"};
	static const char *const exts[] = {"9101", "9102", "9103", "9104"};
	static const char *const kinds[] = {"shopify", "woocommerce", "csv",
					    "x12"};
	char shop[64], woo[64], edi[64], path[160];
	json_t *o[4];
	struct resp *r;
	size_t i, k;

	json_decref(channel_post(acme(),
				 "{\"kind\": \"shopify\", \"name\": \"alike-shop\", "
				 "\"secret\": \"" SECRET "\"}",
				 201, shop, sizeof(shop)));
	json_decref(channel_post(acme(),
				 "{\"kind\": \"woocommerce\", \"name\": "
				 "\"alike-woo\", \"secret\": \"" WOO_SECRET "\"}",
				 201, woo, sizeof(woo)));
	json_decref(channel_post(acme(),
				 "{\"kind\": \"csv\", \"name\": \"alike-csv\"}",
				 201, NULL, 0));
	json_decref(channel_post(acme(),
				 "{\"kind\": \"x12\", \"name\": \"alike-edi\", "
				 "\"currency\": \"USD\"}",
				 201, edi, sizeof(edi)));

	r = shopify_post(shop, shop_body, SECRET, "orders/create", "alike-1");
	assert_status(r, 201);
	resp_free(r);
	r = woo_post(woo, woo_body, WOO_SECRET, "alike-2");
	assert_status(r, 201);
	resp_free(r);
	r = http("POST", "/v1/imports?channel=alike-csv", acme(), csv_body,
		 strlen(csv_body), csv_type);
	assert_status(r, 202);
	snprintf(path, sizeof(path), "/v1/imports/%s", jstr(r->json, "id"));
	resp_free(r);
	{
		long deadline = harness_now_ms() + 30000;

		for (;;) {
			r = http_get(acme(), "%s", path);
			if (!streq(jstr(r->json, "state"), "running"))
				break;
			resp_free(r);
			check(harness_now_ms() < deadline, "import running");
			harness_sleep_ms(50);
		}
		check(streq(jstr(r->json, "state"), "done") &&
			      json_integer_value(jget(r->json, "orders_taken")) ==
				      1,
		      "%s", r->body);
		resp_free(r);
	}
	snprintf(path, sizeof(path), "/v1/channels/%s/x12", edi);
	r = http("POST", path, acme(), edi_body, strlen(edi_body), edi_type);
	assert_status(r, 200);
	resp_free(r);

	for (i = 0; i < 4; i++) {
		o[i] = order_of(names[i], exts[i]);
		check(streq(jstr(o[i], "channel"), names[i]) &&
			      streq(jstr(o[i], "channel_kind"), kinds[i]) &&
			      streq(jstr(o[i], "external_id"), exts[i]) &&
			      json_integer_value(jget(o[i], "lines[0].quantity")) ==
				      2,
		      "order %zu: %s", i, json_dumps(o[i], 0));
	}
	/* Alike, member by member, whatever the format it came in. */
	for (k = 0; same[k]; k++)
		for (i = 1; i < 4; i++)
			check(streq(jstr(o[i], same[k]), jstr(o[0], same[k])),
			      "%s: %s has \"%s\", %s has \"%s\"", same[k],
			      names[i], jstr(o[i], same[k]), names[0],
			      jstr(o[0], same[k]));
	/* And the same checks see them so: each later one is suspected a
	 * duplicate of one that came before it, through another channel. */
	for (i = 1; i < 4; i++) {
		const json_t *h;
		size_t j, e;
		int dup = 0;

		json_array_foreach(jget(o[i], "holds"), j, h)
			for (e = 0; e < i; e++)
				if (streq(jstr(h, "type"), "duplicate_suspect") &&
				    streq(jstr(h, "related_order_id"),
					  jstr(o[e], "id")))
					dup = 1;
		check(dup, "%s is no suspect of an earlier one: %s", names[i],
		      json_dumps(jget(o[i], "holds"), 0));
	}
	for (i = 0; i < 4; i++)
		json_decref(o[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(channels_are_made_read_changed_and_deleted),
		cmocka_unit_test(bad_channels_are_refused_naming_each_problem),
		cmocka_unit_test(a_tenant_has_at_most_50_channels),
		cmocka_unit_test(a_channel_maps_at_most_1000_skus),
		cmocka_unit_test(a_shopify_order_is_taken_as_shopify_sent_it),
		cmocka_unit_test(a_signature_that_does_not_hold_stores_nothing),
		cmocka_unit_test(
			a_changed_secret_with_a_grace_verifies_both_until_it_ends),
		cmocka_unit_test(
			a_woocommerce_secret_changed_with_a_grace_verifies_both),
		cmocka_unit_test(
			a_delivery_twice_and_an_order_twice_store_one_order),
		cmocka_unit_test(a_store_edit_is_taken_as_changes),
		cmocka_unit_test(a_store_swap_keeps_the_order),
		cmocka_unit_test(
			a_store_edit_of_an_order_changed_in_ordo_waits_for_a_person),
		cmocka_unit_test(
			a_loose_payload_is_taken_and_held_for_what_it_lacks),
		cmocka_unit_test(a_native_orders_source_is_the_body_posted),
		cmocka_unit_test(
			a_woocommerce_order_is_taken_as_woocommerce_sent_it),
		cmocka_unit_test(the_same_order_from_every_channel_looks_alike),
	};

	if (sodium_init() < 0)
		return 1;
	return harness_run_group(tests, harness_group_setup,
				      harness_group_teardown);
}
