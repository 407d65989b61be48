/*
 * demo_channels.c - the demo's channels: one of each kind, each with
 * orders that came through it the way such orders come - a Shopify and
 * a WooCommerce store's webhooks (decoded as their stores send them), a
 * spreadsheet imported through a csv channel's saved mapping, and a
 * trading partner's EDI purchase order, on hold until a person approves
 * its terms. The README signs its examples with these stores' secrets.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/channels.h"
#include "app/imports.h"
#include "channels/shopify.h"
#include "channels/woocommerce.h"
#include "cli/cli.h"
#include "cli/demo_int.h"
#include "core/money.h"
#include "core/timeutil.h"

/* The demo's stores sign with these (README, Channels). */
#define DEMO_SHOPIFY_SECRET "shpss_demo_only"
#define DEMO_WOO_SECRET "wc_demo_only"

/* The Shopify store's customers. */
static const struct {
	const char *name, *email, *line1, *city, *region, *postal;
} store_customers[] = {
	{"Aisha Patel", "aisha.patel@example.net", "233 S Wacker Dr",
	 "Chicago", "IL", "60606"},
	{"Tom Becker", "tom.becker@example.com", "400 Broad St", "Seattle",
	 "WA", "98109"},
};

struct channel_job {
	const app_caller *caller;
	ordo_channel ch;
};

static ordo_code channel_run(store_tx *tx, void *arg, ordo_err *err)
{
	struct channel_job *j = arg;

	return app_channel_create(tx, j->caller, &j->ch, demo_now(), err);
}

/* Customer ci's order of qty sku as a Shopify store's webhook sends it. */
static char *shopify_order_json(long long id, size_t ci, const char *sku,
				int qty, ordo_time placed)
{
	const char *name = store_customers[ci].name, *sp = strchr(name, ' ');
	const char *price = demo_sku_price(sku);
	int64_t unit = 0, sub;
	char placed_s[32], first[64], sub_s[32], total_s[32];
	json_t *doc;
	char *text;

	if (!price)
		price = "10.00";
	if (money_parse(price, "USD", false, &unit, "price", NULL))
		unit = 0;
	sub = unit * qty;
	money_format(sub, "USD", sub_s, sizeof(sub_s));
	money_format(sub + 595, "USD", total_s, sizeof(total_s));
	snprintf(first, sizeof(first), "%.*s",
		 (int)(sp ? (size_t)(sp - name) : strlen(name)), name);
	time_format_rfc3339(placed, placed_s, sizeof(placed_s));
	doc = json_pack(
		"{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s,"
		" s:{s:I, s:s, s:s}, s:{s:s, s:s, s:s, s:s, s:s, s:s},"
		" s:[{s:I, s:s, s:s, s:i, s:s}], s:[{s:s, s:s, s:s}]}",
		"id", (json_int_t)id, "name", "#1001", "created_at", placed_s,
		"currency", "USD", "email", store_customers[ci].email,
		"financial_status", "paid", "total_line_items_price", sub_s,
		"subtotal_price", sub_s, "total_tax", "0.00", "total_price",
		total_s, "customer", "id", (json_int_t)(id + 500), "first_name",
		first, "last_name", sp ? sp + 1 : "", "shipping_address",
		"name", name, "address1", store_customers[ci].line1, "city",
		store_customers[ci].city, "province_code",
		store_customers[ci].region, "zip", store_customers[ci].postal,
		"country_code", "US", "line_items", "variant_id",
		(json_int_t)(id + 900), "sku", sku, "title", sku, "quantity",
		qty, "price", price, "shipping_lines", "code", "standard",
		"title", "Standard", "price", "5.95");
	text = doc ? json_dumps(doc, JSON_INDENT(2)) : NULL;
	json_decref(doc);
	return text;
}

/* The demo's Shopify store: its channel, and two orders it sent. */
static ordo_code demo_shopify(store *st, const app_caller *c, ordo_err *err)
{
	struct channel_job j = {.caller = c};
	app_caller store_caller = *c;
	intake_outcome outcome;
	ordo_code rc;
	int i;

	channel_init(&j.ch);
	j.ch.kind = CHANNEL_SHOPIFY;
	snprintf(j.ch.name, sizeof(j.ch.name), "shopify");
	snprintf(j.ch.secret, sizeof(j.ch.secret), DEMO_SHOPIFY_SECRET);
	rc = store_write(st, channel_run, &j, err);
	store_caller.role = ROLE_INTEGRATION;
	snprintf(store_caller.actor, sizeof(store_caller.actor),
		 "channel:%s", j.ch.name);
	for (i = 0; rc == ORDO_OK && i < 2; i++) {
		char *text = shopify_order_json(
			5551000001LL + i, (size_t)i, i ? "TEE-NAVY-M" : "MUG-WHT-12",
			1 + i, demo_now() - 5400 + i * 600);
		order o;

		order_init(&o);
		rc = text ? shopify_order_decode(text, strlen(text), &j.ch, &o,
						 err)
			  : ordo_err_set(err, ORDO_ENOMEM, NULL, "oom");
		if (rc == ORDO_OK)
			rc = demo_take(st, &store_caller, &o, text, &outcome,
				       err);
		order_free(&o);
		free(text);
	}
	channel_free(&j.ch);
	return rc;
}

/* The demo's WooCommerce store: its channel and an order it sent. */
static ordo_code demo_woocommerce(store *st, const app_caller *c,
				  ordo_err *err)
{
	struct channel_job j = {.caller = c};
	app_caller store_caller = *c;
	intake_outcome outcome;
	char placed[32], *text;
	json_t *doc;
	order o;
	ordo_code rc;

	channel_init(&j.ch);
	j.ch.kind = CHANNEL_WOOCOMMERCE;
	snprintf(j.ch.name, sizeof(j.ch.name), "woocommerce");
	snprintf(j.ch.secret, sizeof(j.ch.secret), DEMO_WOO_SECRET);
	rc = store_write(st, channel_run, &j, err);
	store_caller.role = ROLE_INTEGRATION;
	snprintf(store_caller.actor, sizeof(store_caller.actor),
		 "channel:%s", j.ch.name);
	time_format_rfc3339(demo_now() - 4000, placed, sizeof(placed));
	placed[19] = '\0'; /* WooCommerce's GMT times carry no offset */
	doc = json_pack(
		"{s:i, s:s, s:s, s:s, s:s, s:b,"
		" s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s},"
		" s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s},"
		" s:[{s:i, s:s, s:s, s:i, s:s, s:s}], s:[{s:s, s:s}],"
		" s:s, s:s, s:s, s:s}",
		"id", 7101, "date_created_gmt", placed, "currency", "USD",
		"status", "processing", "payment_method", "stripe",
		"needs_payment", 0, "billing", "first_name", "Nora", "last_name",
		"Quinn", "email", "nora.quinn@example.com", "phone",
		"+1 503 555 0123", "address_1", "55 Pine St", "city", "Portland",
		"state", "OR", "postcode", "97204", "country", "US", "shipping",
		"first_name", "Nora", "last_name", "Quinn", "address_1",
		"55 Pine St", "city", "Portland", "state", "OR", "postcode",
		"97204", "country", "US", "line_items", "product_id", 88, "sku",
		"KETTLE-GN", "name", "Gooseneck kettle", "quantity", 1,
		"subtotal", "64.00", "total", "64.00", "shipping_lines",
		"method_id", "flat_rate", "total", "5.95", "shipping_total",
		"5.95", "discount_total", "0.00", "total_tax", "0.00", "total",
		"69.95");
	text = doc ? json_dumps(doc, JSON_INDENT(2)) : NULL;
	json_decref(doc);
	order_init(&o);
	if (rc == ORDO_OK)
		rc = text ? woocommerce_order_decode(text, strlen(text), &j.ch,
						     &o, err)
			  : ordo_err_set(err, ORDO_ENOMEM, NULL, "oom");
	if (rc == ORDO_OK)
		rc = demo_take(st, &store_caller, &o, text, &outcome, err);
	order_free(&o);
	free(text);
	channel_free(&j.ch);
	return rc;
}

/* The demo's order desk spreadsheet: a csv channel with its saved column
 * mapping, and a file of orders imported through it. */
static ordo_code demo_sheets(store *st, const app_caller *c, ordo_err *err)
{
	static const char map[] =
		"{\"columns\": {\"external_id\": \"Order\", \"customer_name\": "
		"\"Customer\", \"customer_email\": \"Email\", "
		"\"ship_to_name\": \"Customer\", \"ship_to_line1\": "
		"\"Street\", \"ship_to_city\": \"City\", \"ship_to_region\": "
		"\"State\", \"ship_to_postal_code\": \"Zip\", \"sku\": "
		"\"Item\", \"quantity\": \"Qty\", \"unit_price\": "
		"\"Price\", \"payment_status\": \"Payment\"}, \"currency\": "
		"\"USD\", \"country\": \"US\"}";
	static const char file[] =
		"Order;Customer;Email;Street;City;State;Zip;Item;Qty;Price;"
		"Payment\n"
		"S-501;Lena Ortiz;lena.ortiz@example.com;8 Bay Rd;Miami;FL;"
		"33101;FILTER-100;4;6.50;paid\n"
		"S-501;Lena Ortiz;lena.ortiz@example.com;8 Bay Rd;Miami;FL;"
		"33101;MUG-BLK-12;1;14.00;paid\n"
		"S-502;Omar Haddad;omar.h@example.com;77 Lake Dr;Denver;CO;"
		"80202;BEAN-1KG;2;32.00;paid\n";
	struct channel_job j = {.caller = c};
	store_import im;
	csv_map m;
	ordo_code rc;

	channel_init(&j.ch);
	j.ch.kind = CHANNEL_CSV;
	snprintf(j.ch.name, sizeof(j.ch.name), "sheets");
	snprintf(j.ch.csv_map, sizeof(j.ch.csv_map), "%s", map);
	rc = csv_map_parse(map, sizeof(map) - 1, &m, err);
	if (rc == ORDO_OK)
		rc = store_write(st, channel_run, &j, err);
	if (rc == ORDO_OK)
		rc = app_import_begin(st, c, j.ch.name, "desk-orders.csv",
				      demo_now(), &im, err);
	if (rc == ORDO_OK)
		rc = app_import_csv(st, c, &j.ch, cli_clock, &im, file,
				    sizeof(file) - 1, &m, NULL, err);
	channel_free(&j.ch);
	return rc;
}

/* The demo's trading partner: an x12 channel and a purchase order it
 * sent by EDI. */
static ordo_code demo_partner(store *st, const app_caller *c, ordo_err *err)
{
	static const char file[] =
		"ISA*00*          *00*          *ZZ*HARBORHOTELS   *ZZ*DEMOCOFFEE"
		"     *261201*0800*U*00401*000004711*0*P*>~\n"
		"GS*PO*HARBORHOTELS*DEMOCOFFEE*20261201*0800*4711*X*004010~\n"
		"ST*850*0001~\nBEG*00*SA*HH-PO-88231**20261201~\n"
		"PER*BD*Dana Cole*EM*purchasing@harborhotels.example~\n"
		"N1*ST*Harbor Hotel Seattle~\nN3*2 Pier Way~\n"
		"N4*Seattle*WA*98101*US~\n"
		"PO1*1*6*EA*32.00**VP*BEAN-1KG~\nPID*F****Whole bean coffee~\n"
		"PO1*2*24*EA*14.00**VP*MUG-WHT-12~\nPID*F****White mug~\n"
		"CTT*2~\nSE*12*0001~\nGE*1*4711~\nIEA*1*000004711~\n";
	struct channel_job j = {.caller = c};
	app_x12_result res = {0};
	ordo_code rc;

	channel_init(&j.ch);
	j.ch.kind = CHANNEL_X12;
	snprintf(j.ch.name, sizeof(j.ch.name), "harbor-hotels");
	snprintf(j.ch.currency, sizeof(j.ch.currency), "USD");
	rc = store_write(st, channel_run, &j, err);
	if (rc == ORDO_OK)
		rc = app_x12_take(st, c, &j.ch, cli_clock, file,
				  sizeof(file) - 1, &res, err);
	if (rc == ORDO_OK && res.orders_taken != 1)
		rc = ordo_err_set(err, ORDO_EINTERNAL, NULL,
				  "the demo's purchase order was not taken: "
				  "%.200s",
				  res.ack ? res.ack : "");
	free(res.ack);
	channel_free(&j.ch);
	return rc;
}

ordo_code demo_channels(store *st, const app_caller *c, ordo_err *err)
{
	ordo_code rc = demo_shopify(st, c, err);

	if (rc == ORDO_OK)
		rc = demo_woocommerce(st, c, err);
	if (rc == ORDO_OK)
		rc = demo_sheets(st, c, err);
	if (rc == ORDO_OK)
		rc = demo_partner(st, c, err);
	return rc;
}
