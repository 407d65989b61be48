/*
 * common.c - what the fuzz targets share (fuzz.h).
 */
#include "fuzz.h"

#include <string.h>

#include <jansson.h>

#include "channels/json_fields.h"
#include "channels/native.h"
#include "channels/native_out.h"
#include "channels/x12.h"
#include "core/fingerprint.h"
#include "core/policy.h"
#include "core/search.h"
#include "core/validate.h"

char *fuzz_text(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	FUZZ_CHECK(s);
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

void fuzz_channel(ordo_channel *ch, channel_kind kind)
{
	static const channel_sku skus[] = {
		{"39072856", "IPOD-NANO-PINK"}, /* a Shopify variant */
		{"52", "WOO-HOODIE"},		/* a WooCommerce product */
		{"XYZ-1234", "MUG-12OZ"},	/* an X12 buyer's part */
	};
	ordo_err err = ORDO_ERR_INIT;

	channel_init(ch);
	ch->kind = kind;
	snprintf(ch->name, sizeof(ch->name), "fuzz");
	snprintf(ch->currency, sizeof(ch->currency), "USD");
	FUZZ_CHECK(channel_set_skus(ch, skus, sizeof(skus) / sizeof(skus[0]),
				    &err) == ORDO_OK);
	ordo_err_clear(&err);
}

/* The catalog: SKUs starting with a letter up to 'M' are known, the
 * vowels' inactive, each at 12.50 in the order's currency. */
static ordo_code catalog_lookup(void *ctx, const char *sku,
				catalog_entry *e, ordo_err *err)
{
	(void)ctx;
	(void)err;
	memset(e, 0, sizeof(*e));
	e->found = sku[0] >= 'A' && sku[0] <= 'M';
	e->active = !strchr("AEI", sku[0]);
	e->unit_price = 1250;
	snprintf(e->currency, sizeof(e->currency), "USD");
	return ORDO_OK;
}

static const policy *default_policy(void)
{
	static policy p;
	static int compiled;
	ordo_err err = ORDO_ERR_INIT;

	if (!compiled) {
		FUZZ_CHECK(policy_compile(policy_default_rules,
					  policy_default_count, &p,
					  &err) == ORDO_OK);
		ordo_err_clear(&err);
		compiled = 1;
	}
	return &p;
}

void fuzz_x12_check(const char *text, size_t len)
{
	ordo_err err = ORDO_ERR_INIT;
	ordo_channel none;
	x12_doc d;

	channel_init(&none);
	x12_doc_init(&d);
	if (x12_read(text, len, &none, &d, &err) != ORDO_OK) {
		fprintf(stderr, "ordo's X12:\n%.*s\nreads as: %s: %s %s\n",
			(int)len, text, err.message,
			err.n_details ? err.details[0].field : "",
			err.n_details ? err.details[0].message : "");
		FUZZ_CHECK(!"X12 of ordo's own that ordo cannot read");
	}
	x12_doc_free(&d);
	ordo_err_clear(&err);
}

/* The 940 that hands o to a warehouse (channels/calls.c makes it from the
 * order as the API writes it): X12 that reads back without a problem. */
static void warehouse_order(const order *o)
{
	ordo_err err = ORDO_ERR_INIT;
	x12_940_line lines[ORDO_MAX_LINES];
	x12_940_order w;
	char *out = NULL;
	size_t len = 0, i;

	FUZZ_CHECK(o->n_lines <= ORDO_MAX_LINES);
	for (i = 0; i < o->n_lines; i++) {
		lines[i].sku = o->lines[i].sku;
		lines[i].title = o->lines[i].title;
		lines[i].quantity = o->lines[i].quantity;
	}
	memset(&w, 0, sizeof(w));
	w.sender = "ZZ:ORDO";
	w.receiver = "01:WAREHOUSE-9";
	w.control = 42;
	w.now = 1767225600;
	w.depositor_ref = "ORDO42";
	w.order_id = o->id;
	w.po_number = o->external_id;
	w.ship_to_name = o->ship_to.name;
	w.ship_to = &o->ship_to;
	w.method = o->shipping.method;
	w.n_lines = o->n_lines;
	w.lines = lines;
	if (x12_940_build(&w, &out, &len, &err) == ORDO_OK)
		fuzz_x12_check(out, len);
	free(out);
	ordo_err_clear(&err);
}

void fuzz_order_exercise(order *o)
{
	const ordo_time now = 1767225600; /* 2026-01-01T00:00:00Z */
	ordo_err err = ORDO_ERR_INIT;
	policy_context ctx = {.o = o, .destination_served = true};
	policy_outcome out;
	search_doc doc;
	json_t *j;
	char *text;

	snprintf(o->id, sizeof(o->id), "ord_fuzz");
	o->tenant_id = 7;
	o->received_at = o->updated_at = now;
	o->state = ORDER_RECEIVED;
	order_lines_open_all(o);
	FUZZ_CHECK(order_check(o, &err) == ORDO_OK);
	policy_customer_key(&o->customer, o->customer_key,
			    sizeof(o->customer_key));
	FUZZ_CHECK(fingerprint_order(o, &err) == ORDO_OK);
	FUZZ_CHECK(validate_order(o, catalog_lookup, NULL, now, &err) ==
		   ORDO_OK);
	FUZZ_CHECK(policy_evaluate(default_policy(), &ctx, &out) == ORDO_OK);
	search_doc_init(&doc);
	FUZZ_CHECK(search_doc_order(&doc, o->tenant_id, o, &err) == ORDO_OK);
	search_doc_free(&doc);
	/* The answer of the API: an order a parser took must be one the
	 * JSON encoder can write (valid UTF-8 everywhere). */
	j = native_order_json(o, now);
	FUZZ_CHECK(j);
	text = native_dump(j);
	FUZZ_CHECK(text);
	free(text);
	json_decref(j);
	warehouse_order(o);
	ordo_err_clear(&err);
}

char *fuzz_order_text(const order *o)
{
	json_t *j = native_order_json(o, 1767225600);
	char *text;

	FUZZ_CHECK(j);
	text = native_dump(j);
	FUZZ_CHECK(text);
	json_decref(j);
	return text;
}

void fuzz_envelope_check(const uint8_t *data, size_t size, const char *member,
			 fuzz_decode_fn decode, const ordo_channel *ch,
			 const order *bare)
{
	ordo_err err = ORDO_ERR_INIT;
	json_t *doc = json_loadb((const char *)data, size, 0, NULL);
	size_t n = strlen(member);
	char *body, *a, *b;
	order o;

	if (!doc || json_object_get(doc, member)) {
		json_decref(doc);
		return;
	}
	json_decref(doc);
	body = malloc(size + n + 6);
	FUZZ_CHECK(body);
	body[0] = '{';
	body[1] = '"';
	memcpy(body + 2, member, n);
	memcpy(body + 2 + n, "\":", 2);
	memcpy(body + 4 + n, data, size);
	body[4 + n + size] = '}';
	order_init(&o);
	if (decode(body, size + n + 5, ch, &o, &err) == ORDO_OK) {
		a = fuzz_order_text(bare);
		b = fuzz_order_text(&o);
		if (strcmp(a, b) != 0) {
			fprintf(stderr, "bare:\n%s\nin {\"%s\": ...}:\n%s\n", a,
				member, b);
			FUZZ_CHECK(!"an order read otherwise in its envelope");
		}
		free(a);
		free(b);
	}
	order_free(&o);
	ordo_err_clear(&err);
	free(body);
}

/* The clean order: tests/api/data/order_clean_us.json, its units open. */
static const char base_json[] =
	"{\"external_id\": \"A-1001\", \"channel\": \"fuzz\", \"placed_at\": "
	"\"2026-01-01T09:00:00Z\", \"currency\": \"USD\", \"customer\": "
	"{\"name\": \"Margaret Hollis\", \"email\": "
	"\"margaret.hollis@example.com\"}, \"ship_to\": {\"name\": "
	"\"Margaret Hollis\", \"line1\": \"350 Fifth Avenue\", \"city\": "
	"\"New York\", \"region\": \"NY\", \"postal_code\": \"10118\", "
	"\"country\": \"US\"}, \"lines\": [{\"sku\": \"TSHIRT-BLK-M\", "
	"\"external_id\": \"1\", \"quantity\": 2, \"unit_price\": "
	"\"19.99\"}, {\"sku\": \"MUG-12OZ\", \"external_id\": \"2\", "
	"\"quantity\": 1, \"unit_price\": \"12.50\"}], \"shipping\": "
	"{\"method\": \"standard\", \"amount\": \"5.00\"}}";

const order *fuzz_base_order(void)
{
	static order o;
	static int made;
	ordo_err err = ORDO_ERR_INIT;
	json_t *doc;

	if (!made) {
		doc = jf_parse_object(base_json, strlen(base_json), &err);
		FUZZ_CHECK(doc);
		order_init(&o);
		FUZZ_CHECK(native_order_decode(doc, &o, &err) == ORDO_OK);
		json_decref(doc);
		snprintf(o.id, sizeof(o.id), "ord_base");
		order_lines_open_all(&o);
		made = 1;
	}
	return &o;
}

/* A change waiting for a warehouse is stored as this text
 * (app/changes.c, channel_ask) and decoded again when it answers
 * (api/changes.c, change_read): it must read back as the same change. */
static void change_round_trip(const order_change *c)
{
	ordo_err err = ORDO_ERR_INIT;
	order_change again;
	json_t *j, *k;
	char *detail;

	j = native_change_json(c);
	FUZZ_CHECK(j);
	detail = native_dump_flags(j, JSON_COMPACT | JSON_SORT_KEYS);
	FUZZ_CHECK(detail);
	k = json_loads(detail, 0, NULL);
	FUZZ_CHECK(k);
	order_change_init(&again);
	if (native_change_decode(k, &again, &err) != ORDO_OK) {
		fprintf(stderr, "change stored as %s reads back as: %s %s\n",
			detail, err.n_details ? err.details[0].field : "",
			err.n_details ? err.details[0].message : err.message);
		FUZZ_CHECK(!"a stored change that cannot be read back");
	}
	json_decref(k);
	k = native_change_json(&again);
	FUZZ_CHECK(k && json_equal(j, k));
	json_decref(k);
	json_decref(j);
	free(detail);
	ordo_err_clear(&err);
}

void fuzz_changes_exercise(const order *base, const order_change *all,
			   size_t n)
{
	ordo_err err = ORDO_ERR_INIT;
	change_plan plan;
	order o;
	char text[ORDO_MESSAGE_MAX];
	size_t i;

	order_init(&o);
	FUZZ_CHECK(order_copy(&o, base, &err) == ORDO_OK);
	for (i = 0; i < n; i++) {
		change_round_trip(&all[i]);
		order_change_describe(&o, &all[i], text, sizeof(text));
		memset(&plan, 0, sizeof(plan));
		if (order_change_plan(&o, &all[i], &plan, &err) != ORDO_OK) {
			ordo_err_clear(&err);
			continue;
		}
		/* A change that fails to apply leaves o unusable. */
		if (order_change_apply(&o, &all[i], &plan, &err) != ORDO_OK) {
			change_plan_free(&plan);
			break;
		}
		change_plan_free(&plan);
		FUZZ_CHECK(order_check(&o, &err) == ORDO_OK);
	}
	ordo_err_clear(&err);
	order_free(&o);
}

void fuzz_channel_update(const order *theirs)
{
	order_change all[FUZZ_CHANGES_MAX];
	size_t n = 0;

	(void)order_channel_changes(fuzz_base_order(), theirs, all,
				    FUZZ_CHANGES_MAX, &n);
	fuzz_changes_exercise(fuzz_base_order(), all, n);
	n = 0;
	(void)order_channel_changes(theirs, fuzz_base_order(), all,
				    FUZZ_CHANGES_MAX, &n);
	fuzz_changes_exercise(theirs, all, n);
}

void fuzz_storefront(const uint8_t *data, size_t size, channel_kind kind,
		     const char *member, fuzz_decode_fn decode)
{
	/* One channel of each kind, made once. */
	static ordo_channel ch[2];
	static int ready[2];
	int k = kind == CHANNEL_SHOPIFY ? 0 : 1;
	ordo_err err = ORDO_ERR_INIT;
	order o;

	if (!ready[k]) {
		fuzz_channel(&ch[k], kind);
		ready[k] = 1;
	}
	order_init(&o);
	if (decode((const char *)data, size, &ch[k], &o, &err) == ORDO_OK) {
		fuzz_envelope_check(data, size, member, decode, &ch[k], &o);
		fuzz_order_exercise(&o);
		fuzz_channel_update(&o);
	}
	order_free(&o);
	ordo_err_clear(&err);
}
