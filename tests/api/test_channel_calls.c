/*
 * test_channel_calls.c - ordo tells a storefront when it ships or cancels
 * one of that store's orders, through the outbox, against a stand-in shop
 * on this host that answers as Shopify's and WooCommerce's APIs do.
 *
 *   shopify      a shipment of a Shopify order: ordo reads the order's
 *                fulfillment orders, then posts the fulfillment of the
 *                shipped units by fulfillment order line, with carrier and
 *                tracking number, with the channel's access token; a
 *                cancellation posts orders/{id}/cancel.
 *   retries      a store that answers 503 is called again until it takes
 *                the call; nothing is lost.
 *   refusals     a call the store refuses (422), or one ordo cannot make
 *                (units the store has no open line for), fails that
 *                delivery with the reason, and the next call goes on.
 *   woocommerce  a shipped order sets its status completed, with the REST
 *                key as basic credentials.
 *   x12          a trading partner's 850 is answered with its 855 once
 *                allocated, posted to the partner's endpoint; a release
 *                at a warehouse channel's location is handed to it as a
 *                940, naming both ISA identities; the other warehouse
 *                hears nothing.
 *   settings     the token is never shown; the channel's own webhook is
 *                listed with its channel, cannot be deleted as a webhook,
 *                and goes with the token; orders of other channels and of
 *                the API call nothing.
 */
#include "harness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>
#include <sodium.h>

#define SECRET "shpss_calls"
#define TOKEN "shpat_0123456789abcdef"
#define WOO_SECRET "wc-calls-signing-secret"
#define WOO_KEY "ck_abc:cs_def"
#define WAIT_MS 20000
#define ADMIN "/admin/api/2026-10"

static const char *acme(void)
{
	return srv->key_acme;
}

/* ---- the stand-in shop ----------------------------------------------------- */

struct call {
	char method[8];
	char path[160];
	char token[96];	 /* X-Shopify-Access-Token */
	char auth[160];	 /* Authorization */
	char ctype[64];	 /* Content-Type */
	char *body;
};

static struct shop {
	struct MHD_Daemon *daemon;
	int port;
	pthread_mutex_t mu;
	struct call calls[256];
	size_t n;
	int fail_next;	     /* answer 503 to this many calls */
	int refuse_next;     /* answer 422 to this many calls */
	int lose_next;	     /* take this many fulfillments, answer 503 */
	char fo_answer[2048]; /* what GET fulfillment_orders answers */
	char tracking[16][32]; /* of the fulfillments taken */
	size_t n_tracking;
} shop = {.mu = PTHREAD_MUTEX_INITIALIZER};

struct upload {
	char *data;
	size_t len;
};

static void header(struct MHD_Connection *c, const char *name, char *out,
		   size_t size)
{
	const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);

	snprintf(out, size, "%s", v ? v : "");
}

static enum MHD_Result on_call(void *cls, struct MHD_Connection *c,
			       const char *url, const char *method,
			       const char *version, const char *data,
			       size_t *data_size, void **con_cls)
{
	struct upload *up = *con_cls;
	struct call *k = NULL;
	struct MHD_Response *resp;
	const char *answer = "{}";
	unsigned status = 200;
	enum MHD_Result ret;

	(void)cls;
	(void)version;
	if (!up) {
		*con_cls = up = calloc(1, sizeof(*up));
		return up ? MHD_YES : MHD_NO;
	}
	if (*data_size) {
		char *d = realloc(up->data, up->len + *data_size + 1);

		if (!d)
			return MHD_NO;
		memcpy(d + up->len, data, *data_size);
		up->data = d;
		up->len += *data_size;
		d[up->len] = '\0';
		*data_size = 0;
		return MHD_YES;
	}
	pthread_mutex_lock(&shop.mu);
	if (shop.n < sizeof(shop.calls) / sizeof(shop.calls[0])) {
		k = &shop.calls[shop.n++];
		snprintf(k->method, sizeof(k->method), "%s", method);
		snprintf(k->path, sizeof(k->path), "%s", url);
		header(c, "X-Shopify-Access-Token", k->token,
		       sizeof(k->token));
		header(c, "Authorization", k->auth, sizeof(k->auth));
		header(c, "Content-Type", k->ctype, sizeof(k->ctype));
		k->body = up->data ? up->data : strdup("");
		up->data = NULL;
	}
	if (shop.fail_next > 0) {
		shop.fail_next--;
		status = 503;
		answer = "{\"errors\":\"try again\"}";
	} else if (shop.refuse_next > 0) {
		shop.refuse_next--;
		status = 422;
		answer = "{\"errors\":\"Order has already been cancelled\"}";
	} else if (strstr(url, "/fulfillment_orders.json")) {
		answer = shop.fo_answer;
	} else if (strstr(url, "/fulfillments.json") &&
		   strcmp(method, "GET") == 0) {
		/* The fulfillments taken, as Shopify lists an order's. */
		static char list[1024];
		size_t i, len;

		len = (size_t)snprintf(list, sizeof(list),
				       "{\"fulfillments\": [");
		for (i = 0; i < shop.n_tracking; i++)
			len += (size_t)snprintf(
				list + len, sizeof(list) - len,
				"%s{\"id\": %zu, \"status\": \"success\", "
				"\"tracking_number\": \"%s\"}",
				i ? ", " : "", i + 1, shop.tracking[i]);
		snprintf(list + len, sizeof(list) - len, "]}");
		answer = list;
	} else if (strstr(url, "/fulfillments.json")) {
		const char *t = k ? strstr(k->body, "\"number\":\"") : NULL;

		if (t && shop.n_tracking < 16)
			sscanf(t + 10, "%31[^\"]",
			       shop.tracking[shop.n_tracking++]);
		status = 201;
		answer = "{\"fulfillment\":{\"id\":255858046}}";
		if (shop.lose_next > 0) {
			/* Taken, but its answer lost on the way. */
			shop.lose_next--;
			status = 503;
			answer = "{}";
		}
	}
	resp = MHD_create_response_from_buffer(strlen(answer), (void *)answer,
					       MHD_RESPMEM_MUST_COPY);
	pthread_mutex_unlock(&shop.mu);
	if (!resp)
		return MHD_NO;
	ret = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
		    enum MHD_RequestTerminationCode toe)
{
	struct upload *up = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (up) {
		free(up->data);
		free(up);
		*con_cls = NULL;
	}
}

static void shop_start(void)
{
	struct sockaddr_in addr;
	const union MHD_DaemonInfo *info;

	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	shop.daemon = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION,
		0, NULL, NULL, on_call, NULL, MHD_OPTION_SOCK_ADDR,
		(struct sockaddr *)&addr, MHD_OPTION_NOTIFY_COMPLETED, on_done,
		NULL, MHD_OPTION_END);
	assert_non_null(shop.daemon);
	info = MHD_get_daemon_info(shop.daemon, MHD_DAEMON_INFO_BIND_PORT);
	assert_non_null(info);
	shop.port = info->port;
}

static void shop_stop(void)
{
	size_t i;

	if (shop.daemon)
		MHD_stop_daemon(shop.daemon);
	shop.daemon = NULL;
	for (i = 0; i < shop.n; i++)
		free(shop.calls[i].body);
	shop.n = 0;
}

static void shop_answers(const char *fo_answer, int fail_next, int refuse_next)
{
	pthread_mutex_lock(&shop.mu);
	snprintf(shop.fo_answer, sizeof(shop.fo_answer), "%s", fo_answer);
	shop.fail_next = fail_next;
	shop.refuse_next = refuse_next;
	pthread_mutex_unlock(&shop.mu);
}

/* Wait for a call from the since'th on whose method and path (a suffix)
 * are these; its index, or -1 when none came in time. */
static int shop_wait(const char *method, const char *path_end, size_t since)
{
	long deadline = harness_now_ms() + WAIT_MS;

	for (;;) {
		size_t i, len = strlen(path_end);

		pthread_mutex_lock(&shop.mu);
		for (i = since; i < shop.n; i++) {
			size_t pl = strlen(shop.calls[i].path);

			if (strcmp(shop.calls[i].method, method) == 0 &&
			    pl >= len &&
			    strcmp(shop.calls[i].path + pl - len, path_end) ==
				    0) {
				pthread_mutex_unlock(&shop.mu);
				return (int)i;
			}
		}
		pthread_mutex_unlock(&shop.mu);
		if (harness_now_ms() > deadline)
			return -1;
		harness_sleep_ms(50);
	}
}

/* No call from the since'th on has this method and path suffix. */
static bool shop_wait_none(const char *method, const char *path_end,
			   size_t since)
{
	size_t i, len = strlen(path_end);
	bool none = true;

	pthread_mutex_lock(&shop.mu);
	for (i = since; i < shop.n; i++) {
		size_t pl = strlen(shop.calls[i].path);

		if (strcmp(shop.calls[i].method, method) == 0 && pl >= len &&
		    strcmp(shop.calls[i].path + pl - len, path_end) == 0)
			none = false;
	}
	pthread_mutex_unlock(&shop.mu);
	return none;
}

static size_t shop_count(void)
{
	size_t n;

	pthread_mutex_lock(&shop.mu);
	n = shop.n;
	pthread_mutex_unlock(&shop.mu);
	return n;
}

/* ---- ordo's side ------------------------------------------------------------ */

static struct resp *send_json(const char *method, const char *path,
			      const char *body)
{
	return http(method, path, acme(), body, strlen(body), NULL);
}

static void sign(const char *secret, const char *body, char out[64])
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];

	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret,
				    strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body,
				      strlen(body));
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2base64(out, 64, mac, sizeof(mac),
			  sodium_base64_VARIANT_ORIGINAL);
}

/* A channel of acme's calling the stand-in shop; its id into id. */
static void channel_make(const char *kind, const char *name,
			 const char *secret, const char *token, char *id,
			 size_t size)
{
	char body[512];
	struct resp *r;

	snprintf(body, sizeof(body),
		 "{\"kind\": \"%s\", \"name\": \"%s\", \"secret\": \"%s\", "
		 "\"base_url\": \"http://127.0.0.1:%d/\", "
		 "\"api_token\": \"%s\"}",
		 kind, name, secret, shop.port, token);
	r = http("POST", "/v1/channels", acme(), body, strlen(body), NULL);
	assert_status(r, 201);
	check(json_is_true(jget(r->json, "api_token_set")) &&
		      !jget(r->json, "api_token") &&
		      !strstr(r->body, token),
	      "the token is never shown: %s", r->body);
	snprintf(id, size, "%s", jstr(r->json, "id"));
	resp_free(r);
}

/* A clean Shopify order (store id sid, line item 7001 of 2 x
 * TSHIRT-BLK-M, line item 7002 of sku2 x 1, at the catalog's prices),
 * its customer and address its own (no duplicate suspect) as its webhook sends it. */
static struct resp *shopify_send(const char *ch, long long sid,
				 const char *sku2, const char *topic)
{
	char body[2048], path[128], sig[64], h_sig[128], h_id[96];
	char h_topic[64];
	const char *headers[] = {h_sig, h_topic, h_id, NULL};

	snprintf(body, sizeof(body),
		 "{\"id\": %lld, \"name\": \"#%lld\", \"created_at\": "
		 "\"2026-12-01T10:00:00-05:00\", \"currency\": \"USD\", "
		 "\"financial_status\": \"paid\", \"email\": "
		 "\"jon%lld@example.com\", \"customer\": {\"id\": %lld, "
		 "\"first_name\": \"Jon\", \"last_name\": \"Snow\"}, "
		 "\"shipping_address\": {\"first_name\": \"Jon\", "
		 "\"last_name\": \"Snow\", \"address1\": \"%lld Main Street\", "
		 "\"city\": \"Springfield\", \"province_code\": \"IL\", "
		 "\"zip\": \"62701\", \"country_code\": \"US\"}, "
		 "\"line_items\": [{\"id\": 7001, \"sku\": \"TSHIRT-BLK-M\", "
		 "\"title\": \"T-shirt\", \"quantity\": 2, \"price\": "
		 "\"19.99\"}, {\"id\": 7002, \"sku\": \"%s\", \"title\": "
		 "\"Mug\", \"quantity\": 1, \"price\": \"12.50\"}], "
		 "\"subtotal_price\": \"52.48\", \"total_tax\": \"0.00\", "
		 "\"total_discounts\": \"0.00\", \"total_price\": \"52.48\"}",
		 sid, sid, sid, sid, sid, sku2);
	sign(SECRET, body, sig);
	snprintf(h_sig, sizeof(h_sig), "X-Shopify-Hmac-Sha256: %s", sig);
	snprintf(h_id, sizeof(h_id), "X-Shopify-Webhook-Id: wh-%lld-%s", sid,
		 topic);
	snprintf(h_topic, sizeof(h_topic), "X-Shopify-Topic: %s", topic);
	snprintf(path, sizeof(path), "/v1/channels/%s/shopify/orders", ch);
	return http("POST", path, NULL, body, strlen(body), headers);
}

static struct resp *shopify_order(const char *ch, long long sid,
				  const char *sku2)
{
	return shopify_send(ch, sid, sku2, "orders/create");
}

/* Ship the order's first fulfillment: n_a of TSHIRT-BLK-M and n_b of
 * MUG-12OZ (0: none). */
static void ship(const json_t *order, int n_a, int n_b)
{
	char body[512], path[160], a[64] = "", b[64] = "";
	struct resp *r;

	if (n_a)
		snprintf(a, sizeof(a),
			 "{\"sku\": \"TSHIRT-BLK-M\", \"quantity\": %d}", n_a);
	if (n_b)
		snprintf(b, sizeof(b),
			 "%s{\"sku\": \"MUG-12OZ\", \"quantity\": %d}",
			 n_a ? ", " : "", n_b);
	snprintf(body, sizeof(body),
		 "{\"carrier\": \"UPS\", \"tracking_number\": \"1Z%s\", "
		 "\"lines\": [%s%s]}",
		 jstr(order, "external_id"), a, b);
	snprintf(path, sizeof(path), "/v1/fulfillments/%s/shipments",
		 jstr(order, "fulfillments[0].id"));
	r = http("POST", path, acme(), body, strlen(body), NULL);
	assert_status(r, 201);
	resp_free(r);
}

/* The status of the newest delivery of type for order id, waiting until
 * it is no longer pending; "" when there is none. Its id into last_id. */
static char last_id[64];

static void delivery_outcome(const char *type, const char *order_id,
			     char *status, size_t ssize, char *error,
			     size_t esize)
{
	long deadline = harness_now_ms() + WAIT_MS;

	status[0] = error[0] = '\0';
	for (;;) {
		struct resp *r = http_get(acme(), "/v1/webhooks/deliveries");
		const json_t *d;
		size_t i;

		assert_status(r, 200);
		json_array_foreach(jget(r->json, "deliveries"), i, d) {
			if (streq(jstr(d, "event_type"), type) &&
			    streq(jstr(d, "order_id"), order_id)) {
				snprintf(status, ssize, "%s",
					 jstr(d, "status"));
				snprintf(error, esize, "%s",
					 jstr(d, "last_error"));
				snprintf(last_id, sizeof(last_id), "%s",
					 jstr(d, "id"));
				break;
			}
		}
		resp_free(r);
		if ((status[0] && !streq(status, "pending")) ||
		    harness_now_ms() > deadline)
			return;
		harness_sleep_ms(100);
	}
}

/* The fulfillment orders Shopify would answer for store order 1: one
 * closed, one open with line items 7001 (2 open) and 7002 (1 open). */
static const char fo_open[] =
	"{\"fulfillment_orders\": ["
	"{\"id\": 111, \"status\": \"closed\", \"line_items\": [{\"id\": 1, "
	"\"line_item_id\": 7001, \"fulfillable_quantity\": 2}]},"
	"{\"id\": 1046000778, \"status\": \"open\", \"line_items\": ["
	"{\"id\": 1025578633, \"line_item_id\": 7001, "
	"\"fulfillable_quantity\": 2},"
	"{\"id\": 1025578634, \"line_item_id\": 7002, "
	"\"fulfillable_quantity\": 1}]}]}";

API_TEST(a_shopify_shipment_becomes_a_fulfillment_in_the_shop)
{
	char ch[64], st[32], why[512];
	struct resp *r;
	json_t *body, *group, *o;
	int get, post;

	size_t since = shop_count();

	channel_make("shopify", "calls", SECRET, TOKEN, ch, sizeof(ch));
	shop_answers(fo_open, 0, 0);
	r = shopify_order(ch, 1001, "MUG-12OZ");
	assert_status(r, 201);
	o = json_incref(r->json);
	resp_free(r);
	check(streq(jstr(o, "state"), "released") &&
		      streq(jstr(o, "lines[0].external_id"), "7001") &&
		      streq(jstr(o, "lines[1].external_id"), "7002"),
	      "a clean order, released, its store line ids kept: %s %s",
	      jstr(o, "state"), json_dumps(jget(o, "holds"), 0));

	ship(o, 2, 0);
	get = shop_wait("GET", "/orders/1001/fulfillment_orders.json", since);
	post = shop_wait("POST", ADMIN "/fulfillments.json", since);
	check(get >= 0 && post > get, "the shop was asked, then told "
				       "(%d, %d)",
	      get, post);
	check(streq(shop.calls[get].path,
		    ADMIN "/orders/1001/fulfillment_orders.json") &&
		      streq(shop.calls[get].token, TOKEN) &&
		      streq(shop.calls[post].token, TOKEN),
	      "with the access token: %s %s", shop.calls[get].path,
	      shop.calls[get].token);
	body = json_loads(shop.calls[post].body, 0, NULL);
	assert_non_null(body);
	group = jget(body, "fulfillment.line_items_by_fulfillment_order[0]");
	check(json_integer_value(jget(group, "fulfillment_order_id")) ==
			      1046000778 &&
		      json_array_size(jget(body, "fulfillment.line_items_by_"
						 "fulfillment_order")) == 1 &&
		      json_array_size(jget(group, "fulfillment_order_line_"
						  "items")) == 1 &&
		      json_integer_value(jget(group, "fulfillment_order_line_"
						     "items[0].id")) ==
			      1025578633 &&
		      json_integer_value(jget(group, "fulfillment_order_line_"
						     "items[0].quantity")) ==
			      2 &&
		      streq(jstr(body, "fulfillment.tracking_info.number"),
			    "1Z1001") &&
		      streq(jstr(body, "fulfillment.tracking_info.company"),
			    "UPS"),
	      "the shipped units by fulfillment order line: %s",
	      shop.calls[post].body);
	json_decref(body);
	delivery_outcome("shipment.created", jstr(o, "id"), st, sizeof(st),
			 why, sizeof(why));
	check(streq(st, "delivered"), "delivered: %s %s", st, why);
	/* Told again, the store would fulfill the units twice. */
	{
		char path[160];

		snprintf(path, sizeof(path),
			 "/v1/webhooks/deliveries/%s/redeliver", last_id);
		r = http("POST", path, acme(), NULL, 0, NULL);
		assert_error(r, 409, NULL, "id");
		resp_free(r);
	}

	/* The channel's own webhook is listed, and is not the webhook API's
	 * to delete. */
	r = http_get(acme(), "/v1/webhooks");
	{
		const json_t *w, *mine = NULL;
		size_t i;
		char path[128];

		json_array_foreach(jget(r->json, "webhooks"), i, w)
			if (streq(jstr(w, "channel"), "calls"))
				mine = w;
		check(mine && !strstr(r->body, TOKEN) &&
			      streq(jstr(mine, "events[0]"),
				    "shipment.created"),
		      "listed with its channel, no token: %s", r->body);
		snprintf(path, sizeof(path), "/v1/webhooks/%s",
			 mine ? jstr(mine, "id") : "none");
		resp_free(r);
		r = http("DELETE", path, acme(), NULL, 0, NULL);
		assert_error(r, 409, NULL, "id");
	}
	resp_free(r);
	json_decref(o);
}

API_TEST(a_store_that_fails_is_called_again_and_a_refusal_moves_on)
{
	char ch[64], st[32], why[512];
	struct resp *r;
	json_t *a, *b;
	size_t before;

	channel_make("shopify", "retry", SECRET, TOKEN, ch, sizeof(ch));
	r = shopify_order(ch, 2001, "MUG-12OZ");
	assert_status(r, 201);
	a = json_incref(r->json);
	resp_free(r);
	r = shopify_order(ch, 2002, "MUG-12OZ");
	assert_status(r, 201);
	b = json_incref(r->json);
	resp_free(r);

	/* Down twice: the shipment is told on the third try. */
	shop_answers(fo_open, 2, 0);
	before = shop_count();
	ship(a, 2, 1);
	check(shop_wait("POST", ADMIN "/fulfillments.json", before) >= 0,
	      "told after the store came back");
	delivery_outcome("shipment.created", jstr(a, "id"), st, sizeof(st),
			 why, sizeof(why));
	check(streq(st, "delivered") && shop_count() >= before + 4,
	      "delivered after retries: %s %s (%zu calls)", st, why,
	      shop_count() - before);

	/* The store takes the fulfillment but its answer is lost: asked
	 * again, ordo finds it there (its tracking number) and does not
	 * fulfill twice. */
	{
		json_t *c3;
		size_t posts = 0, m;

		r = shopify_order(ch, 2003, "MUG-12OZ");
		assert_status(r, 201);
		c3 = json_incref(r->json);
		resp_free(r);
		pthread_mutex_lock(&shop.mu);
		shop.lose_next = 1;
		pthread_mutex_unlock(&shop.mu);
		before = shop_count();
		ship(c3, 2, 1);
		delivery_outcome("shipment.created", jstr(c3, "id"), st,
				 sizeof(st), why, sizeof(why));
		pthread_mutex_lock(&shop.mu);
		for (m = before; m < shop.n; m++)
			if (strcmp(shop.calls[m].method, "POST") == 0 &&
			    strstr(shop.calls[m].path, "/fulfillments.json") &&
			    strstr(shop.calls[m].body, "1Z2003"))
				posts++;
		pthread_mutex_unlock(&shop.mu);
		check(streq(st, "delivered") && posts == 1,
		      "one fulfillment, delivered: %s %s (%zu posts)", st, why,
		      posts);
		json_decref(c3);
	}

	/* The store has nothing open for order b: failed with the reason,
	 * at once; the next event of the channel still goes. */
	shop_answers("{\"fulfillment_orders\": []}", 0, 0);
	ship(b, 2, 0);
	delivery_outcome("shipment.created", jstr(b, "id"), st, sizeof(st),
			 why, sizeof(why));
	check(streq(st, "failed") &&
		      strstr(why, "no open fulfillment order line") &&
		      strstr(why, "TSHIRT-BLK-M"),
	      "refused with why: %s %s", st, why);
	shop_answers(fo_open, 0, 1);
	ship(b, 0, 1);
	{
		char st2[32];

		/* This one the store itself refuses (422). */
		delivery_outcome("shipment.created", jstr(b, "id"), st2,
				 sizeof(st2), why, sizeof(why));
		check(streq(st2, "failed") && strstr(why, "422") &&
			      strstr(why, "already"),
		      "the store's refusal recorded: %s %s", st2, why);
	}
	json_decref(a);
	json_decref(b);
}

API_TEST(a_cancelled_shopify_order_is_cancelled_in_the_shop)
{
	char ch[64], sup[HARNESS_KEY_MAX], hold[64] = "", path[128];
	char st[32], why[512];
	struct resp *r;
	const json_t *h;
	json_t *o;
	size_t i;
	size_t since = shop_count();
	int k;

	key_create("acme", "supervisor", "calls-super", sup, sizeof(sup));
	channel_make("shopify", "cancels", SECRET, TOKEN, ch, sizeof(ch));
	/* A SKU ordo does not know: held, then cancelled by a person. */
	r = shopify_order(ch, 3001, "NO-SUCH-SKU");
	assert_status(r, 201);
	o = json_incref(r->json);
	resp_free(r);
	json_array_foreach(jget(o, "holds"), i, h)
		if (streq(jstr(h, "type"), "unknown_sku"))
			snprintf(hold, sizeof(hold), "%s", jstr(h, "id"));
	check(hold[0], "held for the unknown SKU: %s", json_dumps(o, 0));
	r = hold_post(sup, hold, "claim", NULL);
	assert_status(r, 200);
	resp_free(r);
	r = hold_resolve(sup, hold, "cancel_order", "the shop sells none",
			 NULL);
	assert_status(r, 200);
	resp_free(r);
	k = shop_wait("POST", ADMIN "/orders/3001/cancel.json", since);
	check(k >= 0 && streq(shop.calls[k].token, TOKEN),
	      "the shop was told to cancel");
	delivery_outcome("order.cancelled", jstr(o, "id"), st, sizeof(st),
			 why, sizeof(why));
	check(streq(st, "delivered"), "delivered: %s %s", st, why);

	/* No token, no calls: its webhook goes with it. */
	snprintf(path, sizeof(path), "/v1/channels/%s", ch);
	r = send_json("PATCH", path, "{\"api_token\": null}");
	assert_status(r, 200);
	check(json_is_false(jget(r->json, "api_token_set")), "%s", r->body);
	resp_free(r);
	r = http_get(acme(), "/v1/webhooks");
	check(!strstr(r->body, "\"cancels\""), "its webhook is gone: %s",
	      r->body);
	resp_free(r);
	json_decref(o);
}

API_TEST(a_shipped_woocommerce_order_is_completed_in_the_store)
{
	char ch[64], path[128], sig[64], h_sig[128];
	char basic[160], b64[128], st[32], why[512];
	const char *headers[] = {"X-WC-Webhook-Topic: order.created",
				 "X-WC-Webhook-Delivery-ID: wc-calls-1", h_sig,
				 NULL};
	static const char body[] =
		"{\"id\": 727, \"status\": \"processing\", \"currency\": "
		"\"USD\", \"date_created_gmt\": \"2026-12-01T10:00:00\", "
		"\"total\": \"39.98\", \"total_tax\": \"0.00\", "
		"\"shipping_total\": \"0.00\", \"discount_total\": \"0.00\", "
		"\"billing\": {\"first_name\": \"Ann\", \"last_name\": "
		"\"Lee\", \"email\": \"ann@example.com\"}, "
		"\"shipping\": {\"first_name\": \"Ann\", \"last_name\": "
		"\"Lee\", \"address_1\": \"5 Oak Avenue\", \"city\": "
		"\"Portland\", \"state\": \"OR\", \"postcode\": \"97201\", "
		"\"country\": \"US\"}, \"date_paid_gmt\": "
		"\"2026-12-01T10:00:00\", \"payment_method\": \"stripe\", "
		"\"line_items\": [{\"id\": 315, \"sku\": \"TSHIRT-BLK-M\", "
		"\"name\": \"T-shirt\", \"quantity\": 2, \"subtotal\": "
		"\"39.98\", \"total\": \"39.98\", \"price\": 19.99}]}";
	struct resp *r;
	json_t *o;
	size_t since = shop_count();
	int k;

	channel_make("woocommerce", "wc-calls", WOO_SECRET, WOO_KEY, ch,
		     sizeof(ch));
	sign(WOO_SECRET, body, sig);
	snprintf(h_sig, sizeof(h_sig), "X-WC-Webhook-Signature: %s", sig);
	snprintf(path, sizeof(path), "/v1/channels/%s/woocommerce/orders", ch);
	r = http("POST", path, NULL, body, strlen(body), headers);
	assert_status(r, 201);
	o = json_incref(r->json);
	resp_free(r);
	check(streq(jstr(o, "state"), "released") &&
		      streq(jstr(o, "lines[0].external_id"), "315"),
	      "released: %s %s", jstr(o, "state"),
	      json_dumps(jget(o, "holds"), 0));
	ship(o, 2, 0);
	k = shop_wait("PUT", "/wp-json/wc/v3/orders/727", since);
	check(k >= 0, "the store was told");
	sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)WOO_KEY,
			  strlen(WOO_KEY), sodium_base64_VARIANT_ORIGINAL);
	snprintf(basic, sizeof(basic), "Basic %s", b64);
	check(k >= 0 && streq(shop.calls[k].auth, basic) &&
		      streq(shop.calls[k].body, "{\"status\":\"completed\"}"),
	      "completed, with the REST key: %s %s",
	      k >= 0 ? shop.calls[k].auth : "", k >= 0 ? shop.calls[k].body : "");
	delivery_outcome("order.shipped", jstr(o, "id"), st, sizeof(st), why,
			 sizeof(why));
	check(streq(st, "delivered"), "delivered: %s %s", st, why);
	json_decref(o);
}

API_TEST(orders_of_other_channels_call_nothing)
{
	char ch[64];
	struct resp *r;
	size_t before;
	json_t *o;

	/* A Shopify channel with no token: nothing to call with. */
	{
		static const char body[] =
			"{\"kind\": \"shopify\", \"name\": \"quiet\", "
			"\"secret\": \"" SECRET "\"}";

		r = http("POST", "/v1/channels", acme(), body, strlen(body),
			 NULL);
		assert_status(r, 201);
		snprintf(ch, sizeof(ch), "%s", jstr(r->json, "id"));
		resp_free(r);
	}
	before = shop_count();
	r = shopify_order(ch, 4001, "MUG-12OZ");
	assert_status(r, 201);
	o = json_incref(r->json);
	resp_free(r);
	ship(o, 2, 1);
	harness_sleep_ms(1500);
	check(shop_count() == before, "no call for a channel without a "
				      "token (%zu)",
	      shop_count() - before);
	json_decref(o);

	/* A token needs a base URL, and is only for a store. */
	r = send_json("POST", "/v1/channels",
		      "{\"kind\": \"shopify\", \"name\": \"nourl\", "
		      "\"secret\": \"s\", \"api_token\": \"t\"}");
	assert_error(r, 400, NULL, "base_url");
	resp_free(r);
	r = send_json("POST", "/v1/channels",
		      "{\"kind\": \"woocommerce\", \"name\": \"nocolon\", "
		      "\"secret\": \"s\", \"base_url\": "
		      "\"http://127.0.0.1:9\", \"api_token\": \"ck_only\"}");
	assert_error(r, 400, NULL, "api_token");
	resp_free(r);
	/* A token goes over TLS, or not off this machine. */
	r = send_json("POST", "/v1/channels",
		      "{\"kind\": \"shopify\", \"name\": \"plain\", "
		      "\"secret\": \"s\", \"base_url\": \"http://8.8.8.8/\", "
		      "\"api_token\": \"t\"}");
	assert_error(r, 400, NULL, "base_url");
	check(strstr(r->body, "https://") != NULL, "%s", r->body);
	resp_free(r);
}

/* A partner's 850 of 2 MUG-12OZ at 12.50, PO po, control number ctl. */
static char *po_850(const char *po, int ctl)
{
	char *buf = malloc(2048);

	assert_non_null(buf);
	snprintf(buf, 2048,
		 "ISA*00*          *00*          *ZZ*%-15s*ZZ*%-15s*261201*1200*"
		 "U*00401*%09d*0*P*>~\n"
		 "GS*PO*PARTNERA*ORDO*20261201*1200*%d*X*004010~\n"
		 "ST*850*0001~\nBEG*00*SA*%s**20261201~\n"
		 "N1*ST*Pat Buyer~\nN3*100 Main St~\n"
		 "N4*Springfield*IL*62701*US~\n"
		 "PO1*1*2*EA*12.50**VP*MUG-12OZ~\nCTT*1~\n"
		 "SE*8*0001~\nGE*1*%d~\nIEA*1*%09d~\n",
		 "PARTNERA", "ORDO", ctl, ctl, po, ctl, ctl);
	return buf;
}

API_TEST(a_partner_hears_855s_and_a_warehouse_gets_940s)
{
	static const char *const locs[] = {"WH-EAST", "WH-WEST"};
	const char *edi_type[] = {"Content-Type: application/edi-x12", NULL};
	char buyer[64], body[512], path[128], id[64], *file;
	char want_path[64], other_path[64], wh_ids[2][64], depositor[32] = "";
	size_t since = shop_count(), i;
	const json_t *h;
	struct resp *r;
	json_t *o;
	int k;

	snprintf(body, sizeof(body),
		 "{\"kind\": \"x12\", \"name\": \"edi-buyer\", "
		 "\"currency\": \"USD\", "
		 "\"base_url\": \"http://127.0.0.1:%d/edi/buyer\"}",
		 shop.port);
	r = send_json("POST", "/v1/channels", body);
	assert_status(r, 201);
	snprintf(buyer, sizeof(buyer), "%s", jstr(r->json, "id"));
	resp_free(r);
	for (i = 0; i < 2; i++) {
		snprintf(body, sizeof(body),
			 "{\"kind\": \"x12\", \"name\": \"wh-%zu\", "
			 "\"location\": \"%s\", \"edi_own_id\": \"ZZ:ORDO\", "
			 "\"edi_partner_id\": \"ZZ:WAREHOUSE%zu\", "
			 "\"base_url\": \"http://127.0.0.1:%d/edi/%s\"}",
			 i, locs[i], i, shop.port, locs[i]);
		r = send_json("POST", "/v1/channels", body);
		assert_status(r, 201);
		check(streq(jstr(r->json, "edi_partner_id"), i ? "ZZ:WAREHOUSE1"
							      : "ZZ:WAREHOUSE0"),
		      "%s", r->body);
		snprintf(wh_ids[i], sizeof(wh_ids[i]), "%s",
			 jstr(r->json, "id"));
		resp_free(r);
	}
	/* A warehouse sent releases must be named at both ends, rightly. */
	r = send_json("POST", "/v1/channels",
		      "{\"kind\": \"x12\", \"name\": \"wh-x\", "
		      "\"location\": \"WH-EAST\", "
		      "\"base_url\": \"http://127.0.0.1:9/x\"}");
	assert_error(r, 400, NULL, "edi_own_id");
	resp_free(r);
	r = send_json("POST", "/v1/channels",
		      "{\"kind\": \"x12\", \"name\": \"wh-y\", "
		      "\"edi_own_id\": \"ORDO\"}");
	assert_error(r, 400, NULL, "edi_own_id");
	resp_free(r);

	file = po_850("PO-CALLS-1", 901);
	snprintf(path, sizeof(path), "/v1/channels/%s/x12", buyer);
	r = http("POST", path, acme(), file, strlen(file), edi_type);
	assert_status(r, 200);
	resp_free(r);
	free(file);
	r = http_get(acme(), "/v1/orders?channel=edi-buyer");
	assert_status(r, 200);
	snprintf(id, sizeof(id), "%s", jstr(r->json, "orders[0].id"));
	o = json_incref(jget(r->json, "orders[0]"));
	resp_free(r);
	/* On hold until a person approves: nothing told yet. */
	json_array_foreach(jget(o, "holds"), i, h) {
		r = hold_resolve(acme(), jstr(h, "id"), "approve",
				 "known buyer", NULL);
		assert_status(r, 200);
		resp_free(r);
	}
	json_decref(o);
	o = order_wait_state(acme(), id, "released", 10000);

	k = shop_wait("POST", "/edi/buyer", since);
	check(k >= 0 && streq(shop.calls[k].ctype, "application/edi-x12") &&
		      strstr(shop.calls[k].body, "ST*855*") &&
		      strstr(shop.calls[k].body, "BAK*00*AD*PO-CALLS-1") &&
		      strstr(shop.calls[k].body, "ACK*IA*2*EA") &&
		      strstr(shop.calls[k].body,
			     "*ZZ*ORDO           *ZZ*PARTNERA       *"),
	      "the partner's 855: %s", k >= 0 ? shop.calls[k].body : "none");

	snprintf(want_path, sizeof(want_path), "/edi/%s",
		 jstr(o, "fulfillments[0].location"));
	snprintf(other_path, sizeof(other_path), "/edi/%s",
		 streq(jstr(o, "fulfillments[0].location"), "WH-EAST")
			 ? "WH-WEST"
			 : "WH-EAST");
	k = shop_wait("POST", want_path, since);
	{
		char n9[96];
		const char *w05 = k >= 0 ? strstr(shop.calls[k].body, "W05*N*")
					 : NULL;

		/* The depositor order number fits W0502's 22. */
		if (w05)
			sscanf(w05 + 6, "%22[A-Z0-9]", depositor);
		snprintf(n9, sizeof(n9), "N9*CO*%s~", id);
		check(k >= 0 && strstr(shop.calls[k].body, "ST*940*") &&
			      strncmp(depositor, "ORDO", 4) == 0 &&
			      strstr(shop.calls[k].body, "*PO-CALLS-1~") &&
			      strstr(shop.calls[k].body, n9) &&
			      strstr(shop.calls[k].body,
				     "W01*2*EA**VN*MUG-12OZ~") &&
			      strstr(shop.calls[k].body, "N1*ST*Pat Buyer~") &&
			      strstr(shop.calls[k].body, "*ZZ*ORDO           *ZZ*"
							 "WAREHOUSE"),
		      "the warehouse's 940: %s",
		      k >= 0 ? shop.calls[k].body : "none");
	}
	harness_sleep_ms(500);
	check(shop_wait_none("POST", other_path, since),
	      "the other warehouse heard nothing");
	{
		size_t m;

		pthread_mutex_lock(&shop.mu);
		for (m = since; m < shop.n; m++)
			check(!(strstr(shop.calls[m].path, "/edi/buyer") &&
				strstr(shop.calls[m].body, "ST*940")),
			      "no 940 to the buyer");
		pthread_mutex_unlock(&shop.mu);
	}

	/* The warehouse's 945 names the depositor order number back: the
	 * order ships. */
	{
		size_t w = streq(want_path, "/edi/WH-EAST") ? 0 : 1;
		char edi[1024];

		snprintf(edi, sizeof(edi),
			 "ISA*00*          *00*          *ZZ*WAREHOUSE%zu     "
			 "*ZZ*ORDO           *261206*1300*U*00401*000000921*0*"
			 "P*>~\nGS*SW*WAREHOUSE%zu*ORDO*20261206*1300*921*X*"
			 "004010~\nST*945*0001~\nW06*F*%s*20261206*SHP-921~\n"
			 "W27*M*UPSN~\nLX*1~\nW12*CC*2*2**EA**VN*MUG-12OZ~\n"
			 "SE*6*0001~\nGE*1*921~\nIEA*1*000000921~\n",
			 w, w, depositor);
		snprintf(path, sizeof(path), "/v1/channels/%s/x12", wh_ids[w]);
		r = http("POST", path, acme(), edi, strlen(edi), edi_type);
		assert_status(r, 200);
		{
			char v[16] = "";

			resp_header(r, "X-Ordo-Shipments-Taken", v, sizeof(v));
			check(streq(v, "1"), "the 945 taken: %s %s", v, r->body);
		}
		resp_free(r);
		json_decref(o);
		o = order_wait_state(acme(), id, "shipped", 10000);
	}
	json_decref(o);
}

API_TEST(a_store_cancels_what_has_not_shipped)
{
	char ch[64], path[160];
	struct resp *r;
	json_t *o, *ev;
	size_t since;
	const json_t *e;
	size_t i;
	int seen = 0, k;

	channel_make("shopify", "store-cancels", SECRET, TOKEN, ch,
		     sizeof(ch));
	since = shop_count();
	r = shopify_order(ch, 5001, "MUG-12OZ");
	assert_status(r, 201);
	o = json_incref(r->json);
	resp_free(r);
	check(streq(jstr(o, "state"), "released"), "released first");
	/* The warehouse channels of a_partner_hears_855s_and_a_warehouse_
	 * gets_940s: its location's was handed the release. */
	snprintf(path, sizeof(path), "/edi/%s",
		 jstr(o, "fulfillments[0].location"));
	k = shop_wait("POST", path, since);
	check(k >= 0 && strstr(shop.calls[k].body, "W05*N*"),
	      "the release handed over");

	/* Cancelled at the store: its warehouse has it, so the store's
	 * cancellation is a request the warehouse answers; accepted, the
	 * order is cancelled and its release taken back, and the store is
	 * not told what it did itself. */
	r = shopify_send(ch, 5001, "MUG-12OZ", "orders/cancelled");
	assert_status(r, 200);
	check(streq(jstr(r->json, "state"), "released") &&
		      !jget(r->json, "cancellation_not_applied"),
	      "asked: %s", r->body);
	resp_free(r);
	r = http_get(acme(), "/v1/orders/%s/changes", jstr(o, "id"));
	check(streq(jstr(r->json, "changes[0].kind"), "cancel") &&
		      streq(jstr(r->json, "changes[0].state"), "requested") &&
		      streq(jstr(r->json, "changes[0].requested_by"),
			    "channel:store-cancels"),
	      "%s", r->body);
	snprintf(path, sizeof(path), "/v1/change-requests/%s/accept",
		 jstr(r->json, "changes[0].id"));
	resp_free(r);
	r = http("POST", path, acme(), "{}", 2, NULL);
	assert_status(r, 200);
	check(streq(jstr(r->json, "order.state"), "cancelled") &&
		      json_integer_value(
			      jget(r->json, "order.lines[0].cancelled")) == 2,
	      "cancelled: %s", r->body);
	resp_free(r);
	snprintf(path, sizeof(path), "/edi/%s",
		 jstr(o, "fulfillments[0].location"));
	/* ... and is told it is taken back. */
	k = -1;
	{
		long deadline = harness_now_ms() + WAIT_MS;
		size_t m;

		while (k < 0 && harness_now_ms() < deadline) {
			pthread_mutex_lock(&shop.mu);
			for (m = since; m < shop.n; m++)
				if (strstr(shop.calls[m].path, path) &&
				    strstr(shop.calls[m].body, "W05*F*"))
					k = (int)m;
			pthread_mutex_unlock(&shop.mu);
			if (k < 0)
				harness_sleep_ms(50);
		}
		check(k >= 0, "the warehouse told of the cancellation");
	}
	harness_sleep_ms(1000);
	check(shop_wait_none("POST", "/orders/5001/cancel.json", since),
	      "no echo of the store's own cancellation");
	json_decref(o);

	/* A store's cancellation of an order ordo never had. */
	r = shopify_send(ch, 5999, "MUG-12OZ", "orders/cancelled");
	assert_status(r, 200);
	check(json_is_false(jget(r->json, "cancelled")), "%s", r->body);
	resp_free(r);

	/* Shipped: not applied, but written down. */
	r = shopify_order(ch, 5002, "MUG-12OZ");
	assert_status(r, 201);
	o = json_incref(r->json);
	resp_free(r);
	shop_answers(fo_open, 0, 0);
	ship(o, 2, 0);
	r = shopify_send(ch, 5002, "MUG-12OZ", "orders/cancelled");
	assert_status(r, 200);
	check(!streq(jstr(r->json, "state"), "cancelled") &&
		      strstr(jstr(r->json, "cancellation_not_applied"),
			     "2 units shipped") &&
		      strstr(jstr(r->json, "cancellation_not_applied"),
			     "/returns"),
	      "not applied: %s", r->body);
	resp_free(r);
	snprintf(path, sizeof(path), "/v1/orders/%s/events", jstr(o, "id"));
	r = http_get(acme(), "%s", path);
	ev = jget(r->json, "events");
	json_array_foreach(ev, i, e)
		if (streq(jstr(e, "type"), "channel_cancelled"))
			seen = 1;
	check(seen, "on its timeline: %s", r->body);
	resp_free(r);
	json_decref(o);
}

API_TEST(a_woocommerce_order_updated_to_cancelled_is_cancelled)
{
	char ch[64], path[128], sig[64], h_sig[128];
	const char *headers[] = {"X-WC-Webhook-Topic: order.updated",
				 "X-WC-Webhook-Delivery-ID: wc-cancel-2", h_sig,
				 NULL};
	const char *create[] = {"X-WC-Webhook-Topic: order.created",
				"X-WC-Webhook-Delivery-ID: wc-cancel-1", h_sig,
				NULL};
	char body[2048];
	struct resp *r;
	static const char fmt[] =
		"{\"id\": 828, \"status\": \"%s\", \"currency\": "
		"\"USD\", \"date_created_gmt\": \"2026-12-01T10:00:00\", "
		"\"total\": \"39.98\", \"total_tax\": \"0.00\", "
		"\"shipping_total\": \"0.00\", \"discount_total\": \"0.00\", "
		"\"billing\": {\"first_name\": \"Bo\", \"last_name\": "
		"\"Ek\", \"email\": \"bo@example.com\"}, "
		"\"shipping\": {\"first_name\": \"Bo\", \"last_name\": "
		"\"Ek\", \"address_1\": \"9 Elm Street\", \"city\": "
		"\"Salem\", \"state\": \"OR\", \"postcode\": \"97301\", "
		"\"country\": \"US\"}, \"date_paid_gmt\": "
		"\"2026-12-01T10:00:00\", \"payment_method\": \"stripe\", "
		"\"line_items\": [{\"id\": 316, \"sku\": \"TSHIRT-BLK-M\", "
		"\"name\": \"T-shirt\", \"quantity\": 2, \"subtotal\": "
		"\"39.98\", \"total\": \"39.98\", \"price\": 19.99}]}";

	channel_make("woocommerce", "wc-cancels", WOO_SECRET, WOO_KEY, ch,
		     sizeof(ch));
	snprintf(path, sizeof(path), "/v1/channels/%s/woocommerce/orders", ch);
	snprintf(body, sizeof(body), fmt, "processing");
	sign(WOO_SECRET, body, sig);
	snprintf(h_sig, sizeof(h_sig), "X-WC-Webhook-Signature: %s", sig);
	r = http("POST", path, NULL, body, strlen(body), create);
	assert_status(r, 201);
	resp_free(r);
	snprintf(body, sizeof(body), fmt, "cancelled");
	sign(WOO_SECRET, body, sig);
	snprintf(h_sig, sizeof(h_sig), "X-WC-Webhook-Signature: %s", sig);
	r = http("POST", path, NULL, body, strlen(body), headers);
	assert_status(r, 200);
	/* Released to its warehouse: a request, until it answers. */
	check(streq(jstr(r->json, "state"), "released") &&
		      !jget(r->json, "cancellation_not_applied"),
	      "asked: %s", r->body);
	{
		char id[64];

		snprintf(id, sizeof(id), "%s", jstr(r->json, "id"));
		resp_free(r);
		r = http_get(acme(), "/v1/orders/%s/changes", id);
		check(streq(jstr(r->json, "changes[0].kind"), "cancel") &&
			      streq(jstr(r->json, "changes[0].requested_by"),
				    "channel:wc-cancels"),
		      "%s", r->body);
	}
	resp_free(r);
}

static int group_setup(void **state)
{
	int rc = harness_group_setup(state);

	if (rc == 0)
		shop_start();
	return rc;
}

static int group_teardown(void **state)
{
	shop_stop();
	return harness_group_teardown(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			a_shopify_shipment_becomes_a_fulfillment_in_the_shop),
		cmocka_unit_test(
			a_store_that_fails_is_called_again_and_a_refusal_moves_on),
		cmocka_unit_test(a_cancelled_shopify_order_is_cancelled_in_the_shop),
		cmocka_unit_test(a_shipped_woocommerce_order_is_completed_in_the_store),
		cmocka_unit_test(orders_of_other_channels_call_nothing),
		cmocka_unit_test(a_partner_hears_855s_and_a_warehouse_gets_940s),
		cmocka_unit_test(a_store_cancels_what_has_not_shipped),
		cmocka_unit_test(
			a_woocommerce_order_updated_to_cancelled_is_cancelled),
	};

	if (sodium_init() < 0)
		return 1;
	return harness_run_group(tests, group_setup, group_teardown);
}
