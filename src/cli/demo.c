/*
 * demo.c - `ordo demo`: a tenant to look at, then the server.
 *
 * Seeds tenant "demo" (once per database) with a catalog, two warehouses
 * with stock, and a stream of realistic orders sent through the same intake
 * as the API - so the holds and duplicates it shows are ordo's real
 * judgement, not canned data. Some orders trip each validation and
 * duplicate rule on purpose; then the desk reviews, the warehouses ship,
 * customers change their minds (an edit, a cancellation the warehouse
 * refuses) and send something back (a return). Then it mints a fresh admin key, prints the URL
 * and the key, and serves until interrupted. Its channels, one of each
 * kind with the orders they sent, are demo_channels.c's.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/catalog.h"
#include "app/changes.h"
#include "app/flow.h"
#include "app/fulfillment.h"
#include "app/intake.h"
#include "app/people.h"
#include "app/returns.h"
#include "app/review.h"
#include "app/stock.h"
#include "app/tenants.h"
#include "channels/native.h"
#include "cli/cli.h"
#include "cli/demo_int.h"
#include "core/money.h"
#include "core/timeutil.h"
#include "outbox/worker.h"

#define DEMO_SLUG "demo"
/* The demo's Shopify store signs with this (README, Channels). */
#define DEMO_DB CLI_DEMO_DB

/* The time by the process's clock (cli.h). */
ordo_time demo_now(void)
{
	return ordo_clock_now(cli_clock);
}

static const struct {
	const char *sku, *title, *price;
	bool active;
} demo_skus[] = {
	{"MUG-BLK-12", "Stoneware mug, black, 12 oz", "14.00", true},
	{"MUG-WHT-12", "Stoneware mug, white, 12 oz", "14.00", true},
	{"TEE-NAVY-M", "Organic tee, navy, M", "28.00", true},
	{"TEE-NAVY-L", "Organic tee, navy, L", "28.00", true},
	{"TOTE-CNV", "Canvas tote bag", "19.50", true},
	{"BEAN-1KG", "Whole bean coffee, 1 kg", "32.00", true},
	{"GRIND-MAN", "Manual burr grinder", "89.00", true},
	{"KETTLE-GN", "Gooseneck kettle", "64.00", true},
	{"FILTER-100", "Paper filters, 100 pack", "6.50", true},
	{"MUG-RED-12", "Stoneware mug, red, 12 oz (retired)", "12.00",
	 false},
};

static const struct {
	const char *code, *name, *city, *region, *postal;
	int priority;
} demo_locations[] = {
	{"WH-NJ", "Newark fulfillment center", "Newark", "NJ", "07102", 1},
	{"WH-NV", "Reno fulfillment center", "Reno", "NV", "89502", 2},
};

static const struct {
	const char *name, *email, *phone, *line1, *city, *region, *postal;
} demo_customers[] = {
	{"Maria Lopez", "maria.lopez@example.com", "+1 212 555 0141",
	 "350 Fifth Avenue", "New York", "NY", "10118"},
	{"James Chen", "jchen@example.org", "", "1 Market Street",
	 "San Francisco", "CA", "94105"},
	{"Aisha Patel", "aisha.patel@example.net", "+1 312 555 0199",
	 "233 S Wacker Dr", "Chicago", "IL", "60606"},
	{"Tom Becker", "tom.becker@example.com", "",
	 "400 Broad St", "Seattle", "WA", "98109"},
	{"Grace O'Neil", "grace.oneil@example.com", "+1 617 555 0110",
	 "1 Beacon St", "Boston",
	 "MA", "02108"},
	{"Luis Romero", "luis.romero@example.com", "", "100 Congress Ave",
	 "Austin", "TX", "78701"},
};

const char *demo_sku_price(const char *sku)
{
	size_t k;

	for (k = 0; k < sizeof(demo_skus) / sizeof(demo_skus[0]); k++)
		if (strcmp(demo_skus[k].sku, sku) == 0)
			return demo_skus[k].price;
	return NULL;
}

struct demo_order {
	const char *channel;
	const char *customer_override; /* JSON object text, or NULL */
	const char *ship_override;     /* JSON object text, or NULL */
	const char *sku1;
	int qty1;
	const char *price1; /* NULL: catalog price */
	const char *sku2;   /* NULL: one line */
	int qty2;
	const char *total_override; /* NULL: correct total */
	const char *why;	    /* what the order shows */
	const char *payment;	    /* NULL: "paid" */
	const char *bill_country;   /* a bill-to in this country, or NULL */
	bool express;
};

static const struct demo_order demo_problem_orders[] = {
	{"web", NULL, NULL, "MUG-GRN-12", 2, "14.00", NULL, 0, NULL,
	 "unknown SKU", NULL, NULL, false},
	{"web", NULL, NULL, "MUG-RED-12", 1, NULL, NULL, 0, NULL,
	 "inactive SKU", NULL, NULL, false},
	{"marketplace", NULL, NULL, "GRIND-MAN", 1, "79.00", NULL, 0, NULL,
	 "price mismatch", NULL, NULL, false},
	{"web", NULL, NULL, "BEAN-1KG", 2, NULL, "FILTER-100", 1, "70.00",
	 "totals that do not add up", NULL, NULL, false},
	{"phone", NULL,
	 "{\"name\":\"Dana White\",\"line1\":\"12 Elm St\",\"city\":"
	 "\"Springfield\",\"region\":\"IL\",\"postal_code\":\"6270\","
	 "\"country\":\"US\"}",
	 "TOTE-CNV", 1, NULL, NULL, 0, NULL, "implausible ZIP code", NULL, NULL, false},
	{"web", NULL,
	 "{\"name\":\"Omar Haddad\",\"line1\":\"8 Harbor Rd\","
	 "\"postal_code\":\"04101\",\"country\":\"US\",\"region\":\"ME\"}",
	 "KETTLE-GN", 1, NULL, NULL, 0, NULL, "address without a city", NULL, NULL, false},
	{"web", NULL,
	 "{\"name\":\"Ines Costa\",\"line1\":\"Rua Augusta 10\",\"city\":"
	 "\"Lisboa\",\"postal_code\":\"1100-053\",\"country\":\"XP\"}",
	 "TEE-NAVY-M", 1, NULL, NULL, 0, NULL, "unknown country", NULL, NULL, false},
	{"csv", "{\"name\":\"Walk-in customer\"}", NULL, "MUG-WHT-12", 4,
	 NULL, NULL, 0, NULL, "no email or phone", NULL, NULL, false},
	{"web", "{\"name\":\"Kim Park\",\"email\":\"kim.park@example\"}",
	 NULL, "FILTER-100", 3, NULL, NULL, 0, NULL, "malformed email", NULL, NULL, false},
	{"edi", NULL, NULL, "GRIND-MAN", 200, NULL, NULL, 0, NULL,
	 "high value; once approved, more than one warehouse holds: split",
	 NULL, NULL, false},
	{"edi", NULL, NULL, "KETTLE-GN", 400, NULL, NULL, 0, NULL,
	 "high value; once approved, more than all warehouses hold: "
	 "backordered",
	 NULL, NULL, false},
	{"web", NULL, NULL, "BEAN-1KG", 1, NULL, NULL, 0, NULL,
	 "payment not yet verified", "pending", NULL, false},
	{"web", NULL,
	 "{\"name\":\"Chloe Martin\",\"line1\":\"100 Queen St W\","
	 "\"city\":\"Toronto\",\"region\":\"ON\",\"postal_code\":"
	 "\"M5H 2N2\",\"country\":\"CA\"}",
	 "TOTE-CNV", 2, NULL, NULL, 0, NULL,
	 "a destination no warehouse serves", NULL, NULL, false},
	{"web",
	 "{\"name\":\"Noah Fischer\",\"email\":\"noah.fischer@example.com\"}",
	 NULL, "KETTLE-GN", 1, NULL, NULL, 0, NULL,
	 "first order, express, billed abroad", NULL, "GB", true},
	/* Two the desk leaves in the queue for whoever tries the README:
	 * a high-value order and a ZIP code to correct. */
	{"web", NULL, NULL, "GRIND-MAN", 12, NULL, NULL, 0, NULL,
	 "high value, waiting for a reviewer", NULL, NULL, false},
	{"phone", NULL,
	 "{\"name\":\"Sam Reed\",\"line1\":\"400 E Adams St\",\"city\":"
	 "\"Springfield\",\"region\":\"IL\",\"postal_code\":\"627O1\","
	 "\"country\":\"US\"}",
	 "FILTER-100", 2, NULL, NULL, 0, NULL,
	 "a ZIP code typed with a letter O, waiting for a reviewer", NULL,
	 NULL, false},
};

/* Build an order document as JSON text; caller frees. */
static char *demo_order_json(int seq, const struct demo_order *d,
			     time_t placed)
{
	const char *cur = "USD";
	size_t ci = (size_t)seq % (sizeof(demo_customers) /
				   sizeof(demo_customers[0]));
	json_t *doc, *lines, *customer, *ship;
	json_int_t subtotal_minor = 0;
	char placed_s[32], ext[32], buf[32];
	char *text;
	size_t i;

	struct {
		const char *sku;
		int qty;
		const char *price;
	} l[2] = {{d->sku1, d->qty1, d->price1}, {d->sku2, d->qty2, NULL}};

	time_format_rfc3339(placed, placed_s, sizeof(placed_s));
	snprintf(ext, sizeof(ext), "%s-%05d", d->channel, 1000 + seq);
	if (d->customer_override)
		customer = json_loads(d->customer_override, 0, NULL);
	else
		customer = json_pack("{s:s, s:s, s:s}", "name",
				     demo_customers[ci].name, "email",
				     demo_customers[ci].email, "phone",
				     demo_customers[ci].phone);
	if (d->ship_override)
		ship = json_loads(d->ship_override, 0, NULL);
	else
		ship = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "name",
				 demo_customers[ci].name, "line1",
				 demo_customers[ci].line1, "city",
				 demo_customers[ci].city, "region",
				 demo_customers[ci].region, "postal_code",
				 demo_customers[ci].postal, "country", "US");
	lines = json_array();
	for (i = 0; i < 2 && l[i].sku; i++) {
		const char *price = l[i].price;
		size_t k;
		int64_t cents = 0;

		for (k = 0; !price && k < sizeof(demo_skus) /
						  sizeof(demo_skus[0]);
		     k++)
			if (strcmp(demo_skus[k].sku, l[i].sku) == 0)
				price = demo_skus[k].price;
		if (!price)
			price = "10.00";
		if (money_parse(price, cur, false, &cents, "price", NULL))
			cents = 0;
		subtotal_minor += (json_int_t)cents * l[i].qty;
		json_array_append_new(lines,
				      json_pack("{s:s, s:i, s:s}", "sku",
						l[i].sku, "quantity", l[i].qty,
						"unit_price", price));
	}
	doc = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:s}",
			"external_id", ext, "channel", d->channel, "placed_at",
			placed_s, "currency", cur, "customer", customer,
			"ship_to", ship, "lines", lines, "payment_status",
			d->payment ? d->payment : "paid");
	if (d->bill_country) {
		json_t *bill = json_deep_copy(ship);

		json_object_set_new(bill, "country",
				    json_string(d->bill_country));
		json_object_set_new(bill, "region", json_string(""));
		json_object_set_new(bill, "postal_code",
				    json_string("SW1A 1AA"));
		json_object_set_new(doc, "bill_to", bill);
	}
	snprintf(buf, sizeof(buf), "%lld.%02lld",
		 (long long)(subtotal_minor + 595) / 100,
		 (long long)(subtotal_minor + 595) % 100);
	json_object_set_new(
		doc, "shipping",
		json_pack("{s:s, s:s}", "method",
			  d->express || seq % 5 == 0 ? "express" : "standard",
			  "amount",
			  "5.95"));
	{
		char sub[32];

		snprintf(sub, sizeof(sub), "%lld.%02lld",
			 (long long)subtotal_minor / 100,
			 (long long)subtotal_minor % 100);
		json_object_set_new(
			doc, "totals",
			json_pack("{s:s, s:s, s:s}", "subtotal", sub,
				  "shipping", "5.95", "total",
				  d->total_override ? d->total_override
						    : buf));
	}
	text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	return text;
}

struct intake_job {
	const app_caller *caller;
	order *o;
	intake_outcome outcome;
};

static ordo_code intake_run(store_tx *tx, void *arg, ordo_err *err)
{
	struct intake_job *j = arg;
	order in, stored;
	ordo_code rc;

	order_init(&in);
	order_init(&stored);
	rc = order_copy(&in, j->o, err);
	if (rc == ORDO_OK)
		rc = app_order_intake(tx, j->caller, &in, demo_now(),
				      &j->outcome, &stored, err);
	order_free(&in);
	order_free(&stored);
	return rc;
}

/* Take in the order o decoded from text (its source, kept with it). */
ordo_code demo_take(store *st, const app_caller *c, order *o,
			   const char *text, intake_outcome *outcome,
			   ordo_err *err)
{
	struct intake_job j = {.caller = c, .o = o};
	ordo_code rc;

	o->source = strdup(text);
	if (!o->source)
		return ordo_err_set(err, ORDO_ENOMEM, NULL, "oom");
	snprintf(o->source_type, sizeof(o->source_type), "application/json");
	rc = store_write(st, intake_run, &j, err);
	*outcome = j.outcome;
	return rc;
}

/* Decode and take in one order document; returns ORDO_OK or the error. */
static ordo_code demo_send(store *st, const app_caller *c, const char *text,
			   intake_outcome *outcome, ordo_err *err)
{
	json_t *doc = json_loads(text, 0, NULL);
	order o;
	ordo_code rc;

	order_init(&o);
	rc = native_order_decode(doc, &o, err);
	json_decref(doc);
	if (rc == ORDO_OK)
		rc = demo_take(st, c, &o, text, outcome, err);
	order_free(&o);
	return rc;
}

struct seed_job {
	const app_caller *caller;
};

static ordo_code seed_catalog(store_tx *tx, void *arg, ordo_err *err)
{
	struct seed_job *j = arg;
	size_t i, k;
	ordo_code rc;

	for (i = 0; i < sizeof(demo_skus) / sizeof(demo_skus[0]); i++) {
		catalog_sku s;
		bool created;

		memset(&s, 0, sizeof(s));
		ordo_strlcpy(s.sku, demo_skus[i].sku, sizeof(s.sku));
		ordo_strlcpy(s.title, demo_skus[i].title, sizeof(s.title));
		ordo_strlcpy(s.currency, "USD", sizeof(s.currency));
		rc = money_parse(demo_skus[i].price, "USD", false,
				 &s.unit_price, "unit_price", err);
		if (rc)
			return rc;
		s.active = demo_skus[i].active;
		rc = app_sku_put(tx, j->caller, &s, demo_now(), &created,
				 err);
		if (rc)
			return rc;
	}
	for (i = 0; i < sizeof(demo_locations) / sizeof(demo_locations[0]);
	     i++) {
		catalog_location l;
		bool created;

		memset(&l, 0, sizeof(l));
		ordo_strlcpy(l.code, demo_locations[i].code, sizeof(l.code));
		ordo_strlcpy(l.name, demo_locations[i].name, sizeof(l.name));
		ordo_strlcpy(l.address.city, demo_locations[i].city,
			     sizeof(l.address.city));
		ordo_strlcpy(l.address.region, demo_locations[i].region,
			     sizeof(l.address.region));
		ordo_strlcpy(l.address.postal_code, demo_locations[i].postal,
			     sizeof(l.address.postal_code));
		ordo_strlcpy(l.address.country, "US",
			     sizeof(l.address.country));
		l.priority = demo_locations[i].priority;
		l.active = true;
		l.n_serves = 1;
		ordo_strlcpy(l.serves[0], "US", sizeof(l.serves[0]));
		rc = app_location_put(tx, j->caller, &l, demo_now(),
				      &created, err);
		if (rc)
			return rc;
		for (k = 0; k < sizeof(demo_skus) / sizeof(demo_skus[0]);
		     k++) {
			stock_level level;

			if (!demo_skus[k].active)
				continue;
			rc = app_stock_count(tx, j->caller, l.code,
					     demo_skus[k].sku,
					     (int64_t)(20 + 13 * k + 40 * i),
					     -1, demo_now(), &level, err);
			if (rc)
				return rc;
		}
	}
	return ORDO_OK;
}

static ordo_code demo_seed(store *st, const app_caller *c, ordo_err *err)
{
	static const char *const clean_skus[] = {
		"MUG-BLK-12", "TEE-NAVY-L", "BEAN-1KG", "TOTE-CNV",
		"FILTER-100", "KETTLE-GN", "MUG-WHT-12", "TEE-NAVY-M",
	};
	static const char *const channels[] = {"web", "marketplace", "edi",
					       "web", "csv"};
	struct seed_job sj = {.caller = c};
	ordo_time now = demo_now();
	intake_outcome outcome;
	char *first_clean = NULL, *text;
	int seq = 0, i;
	ordo_code rc;

	rc = store_write(st, seed_catalog, &sj, err);
	if (rc)
		return rc;

	/* A day of ordinary, clean orders. */
	for (i = 0; i < 24; i++, seq++) {
		struct demo_order d = {
			.channel = channels[i % 5],
			.sku1 = clean_skus[i % 8],
			.qty1 = 1 + i % 3,
			.sku2 = i % 3 == 0 ? clean_skus[(i + 3) % 8] : NULL,
			.qty2 = 1,
		};

		text = demo_order_json(seq, &d, now - (24 - i) * 3600);
		if (!text)
			return ordo_err_set(err, ORDO_ENOMEM, NULL, "oom");
		rc = demo_send(st, c, text, &outcome, err);
		if (rc == ORDO_OK && !first_clean)
			first_clean = text;
		else
			free(text);
		if (rc)
			goto out;
	}
	/* Orders that trip each validation rule, and two wholesale orders. */
	for (i = 0; i < (int)(sizeof(demo_problem_orders) /
			      sizeof(demo_problem_orders[0]));
	     i++, seq++) {
		text = demo_order_json(seq, &demo_problem_orders[i],
				       now - (20 - i) * 300);
		if (!text) {
			rc = ordo_err_set(err, ORDO_ENOMEM, NULL, "oom");
			goto out;
		}
		rc = demo_send(st, c, text, &outcome, err);
		free(text);
		if (rc)
			goto out;
	}
	/* The first order again from its channel (stores nothing), and its
	 * content again under a new external id (a suspected duplicate). */
	if (first_clean) {
		json_t *doc = json_loads(first_clean, 0, NULL);

		rc = demo_send(st, c, first_clean, &outcome, err);
		if (rc == ORDO_OK) {
			json_object_set_new(doc, "external_id",
					    json_string("web-09999"));
			text = json_dumps(doc, JSON_COMPACT);
			rc = text ? demo_send(st, c, text, &outcome, err)
				  : ORDO_ENOMEM;
			free(text);
		}
		json_decref(doc);
	}
	if (rc == ORDO_OK)
		rc = demo_channels(st, c, err);
out:
	free(first_clean);
	return rc;
}

/*
 * Play the order desk: approve the wholesale (EDI) orders held for their
 * value (they go on to be split and backordered), correct the first bad
 * ZIP code, cancel an order for a discontinued item, escalate the risky
 * one - and leave the rest in the queue for whoever opens the console,
 * among them a high-value web order and a second bad ZIP code, which the
 * README's queue examples work on.
 */
/* The desk's correction of the one order with a bad ZIP code. */
/* The demo's one correction: the ZIP the customer confirmed. */
static void demo_fix_zip(order_patch *p)
{
	order_patch_init(p);
	p->ship_to_set.postal_code = true;
	ordo_strlcpy(p->ship_to.postal_code, "62701",
		     sizeof(p->ship_to.postal_code));
}

static ordo_code review_run(store_tx *tx, void *arg, ordo_err *err)
{
	const app_caller *c = arg;
	ordo_time now = demo_now();
	queue_filter f;
	queue_item *items = NULL;
	size_t n = 0, i;
	bool more = false, zip_corrected = false;
	order_patch zip;
	ordo_code rc;

	demo_fix_zip(&zip);
	memset(&f, 0, sizeof(f));
	f.now = now;
	f.limit = STORE_BULK_MAX;
	rc = store_queue_list(tx, c->tenant_id, &f, &items, &n, &more, err);
	for (i = 0; rc == ORDO_OK && i < n; i++) {
		const order_hold *h = &items[i].hold;
		review_action action;
		const char *reason;
		order_hold out;
		order o;

		if (h->type == HOLD_HIGH_VALUE &&
		    strcmp(items[i].channel, "edi") == 0) {
			action = REVIEW_APPROVE;
			reason = "known wholesale customer; value confirmed "
				 "with the buyer";
		} else if (h->type == HOLD_ADDRESS_UNVERIFIABLE &&
			   strcmp(h->field, "ship_to.postal_code") == 0 &&
			   !zip_corrected) {
			zip_corrected = true;
			action = REVIEW_CORRECT;
			reason = "customer confirmed ZIP 62701 by phone";
		} else if (h->type == HOLD_UNKNOWN_SKU) {
			action = REVIEW_CANCEL;
			reason = "the item was discontinued; customer agreed to "
				 "cancel";
		} else if (h->type == HOLD_RISKY_ORDER) {
			action = REVIEW_ESCALATE;
			reason = "needs a supervisor's look at the billing "
				 "address";
		} else {
			continue;
		}
		rc = app_hold_claim(tx, c, h->id, APP_CLAIM_LEASE_DEFAULT_S,
				    now - 300, &out, err);
		order_init(&o);
		if (rc == ORDO_OK)
			rc = app_hold_resolve(tx, c, h->id, action, reason,
					      &zip, now, &out, &o, err);
		order_free(&o);
		if (rc == ORDO_ESTATE) {
			ordo_err_clear(err);
			rc = ORDO_OK;
		}
	}
	free(items);
	order_patch_free(&zip);
	return rc;
}

struct defect_job {
	const app_caller *caller;
};

/* Report what came back from downstream on two of the shipped orders. */
static ordo_code defects_run(store_tx *tx, void *arg, ordo_err *err)
{
	struct defect_job *j = arg;
	order_filter f;
	order_page page;
	size_t i, reported = 0;
	ordo_code rc;

	memset(&f, 0, sizeof(f));
	memset(&page, 0, sizeof(page));
	f.has_state = true;
	f.state = ORDER_DELIVERED;
	f.limit = 10;
	rc = store_order_list(tx, j->caller->tenant_id, &f, &page, err);
	for (i = 0; rc == ORDO_OK && i < page.n && reported < 2; i++) {
		order_defect d;

		memset(&d, 0, sizeof(d));
		ordo_strlcpy(d.order_id, page.orders[i].id,
			     sizeof(d.order_id));
		ordo_strlcpy(d.type, reported ? "missing_item" : "wrong_address",
			     sizeof(d.type));
		ordo_strlcpy(d.found_by, reported ? "customer" : "carrier",
			     sizeof(d.found_by));
		ordo_strlcpy(d.note,
			     reported ? "one mug missing from the box"
				      : "returned to sender: no such suite",
			     sizeof(d.note));
		rc = app_defect_report(tx, j->caller, &d, demo_now(), err);
		reported++;
	}
	order_page_free(&page);
	return rc;
}

/* Ask change c (its detail the JSON text detail) of order_id as caller;
 * *rec how it went. A change the order's stage refuses is no error. */
static ordo_code demo_change(store_tx *tx, const app_caller *caller,
			     const char *order_id, const order_change *c,
			     const char *detail, const char *reason,
			     store_change *rec, ordo_err *err)
{
	app_change_cmd *cmd = calloc(1, sizeof(*cmd));
	ordo_code rc;

	if (!cmd)
		return ordo_err_set(err, ORDO_ENOMEM, NULL, "out of memory");
	app_change_cmd_init(cmd, caller, demo_now(), order_id);
	cmd->change = *c;
	ordo_strlcpy(cmd->detail, detail, sizeof(cmd->detail));
	ordo_strlcpy(cmd->reason, reason, sizeof(cmd->reason));
	rc = app_order_change(tx, caller, cmd, rec, &cmd->order, demo_now(),
			      err);
	if (rc == ORDO_ESTATE) {
		ordo_err_clear(err);
		rc = ORDO_OK;
		rec->state[0] = '\0';
	}
	app_write_free(&cmd->w);
	free(cmd);
	return rc;
}

/*
 * Play the customers' second thoughts: one adds a second bag of coffee to
 * an order still held for its payment (an edit, applied at once); one
 * cancels an order its warehouse already has, and the warehouse refuses
 * (the order waits for a person with a change_after_release hold).
 */
static ordo_code changes_run(store_tx *tx, void *arg, ordo_err *err)
{
	const app_caller *desk = arg;
	app_caller warehouse = *desk;
	store_change *rec = calloc(1, sizeof(*rec));
	queue_filter qf;
	queue_item *items = NULL;
	fulfillment_filter ff;
	fulfillment *fuls = NULL;
	order_change c;
	int64_t next = 0;
	size_t n = 0, i;
	bool more = false;
	ordo_code rc;

	if (!rec)
		return ordo_err_set(err, ORDO_ENOMEM, NULL, "out of memory");
	ordo_strlcpy(warehouse.actor, "demo-warehouse", sizeof(warehouse.actor));
	memset(&qf, 0, sizeof(qf));
	qf.has_type = true;
	qf.type = HOLD_PAYMENT_UNVERIFIED;
	qf.now = demo_now();
	qf.limit = 1;
	rc = store_queue_list(tx, desk->tenant_id, &qf, &items, &n, &more,
			      err);
	if (rc == ORDO_OK && n == 1) {
		order_change_init(&c);
		c.kind = CHANGE_QUANTITY;
		c.line_no = 1;
		c.quantity = 2;
		rc = demo_change(tx, desk, items[0].order_id, &c,
				 "{\"kind\":\"quantity\",\"line_no\":1,"
				 "\"quantity\":2}",
				 "customer called to add a second bag", rec,
				 err);
	}
	free(items);

	memset(&ff, 0, sizeof(ff));
	ff.has_state = true;
	ff.state = FULFILLMENT_RELEASED;
	ff.limit = ORDO_PAGE_MAX;
	n = 0;
	if (rc == ORDO_OK)
		rc = store_fulfillment_list(tx, desk->tenant_id, &ff, &fuls, &n,
					    &next, err);
	for (i = 0; rc == ORDO_OK && i < n; i++) {
		app_decide_cmd *d;
		order o;

		order_change_init(&c);
		c.kind = CHANGE_CANCEL;
		rc = demo_change(tx, desk, fuls[i].order_id, &c,
				 "{\"kind\":\"cancel\"}",
				 "customer changed their mind", rec, err);
		if (rc || strcmp(rec->state, APP_CHANGE_REQUESTED) != 0)
			continue;
		d = calloc(1, sizeof(*d));
		if (!d) {
			rc = ordo_err_set(err, ORDO_ENOMEM, NULL, "oom");
			break;
		}
		app_decide_cmd_init(d, &warehouse, demo_now(), rec->id, false);
		ordo_strlcpy(d->reason, "already picked and packed",
			     sizeof(d->reason));
		order_init(&o);
		rc = app_change_decide(tx, &warehouse, d, rec, &o, demo_now(),
				       err);
		order_free(&o);
		app_write_free(&d->w);
		free(d);
		break;
	}
	for (i = 0; i < n; i++)
		fulfillment_free(&fuls[i]);
	free(fuls);
	free(rec);
	return rc;
}

/*
 * A customer sends back a damaged mug from a delivered order: the return
 * is authorised, the mug comes back into stock at the warehouse that
 * shipped it, and its price is refunded.
 */
static ordo_code return_run(store_tx *tx, void *arg, ordo_err *err)
{
	const app_caller *c = arg;
	app_return_cmd *rc_cmd = calloc(1, sizeof(*rc_cmd));
	app_return_receive_cmd *rv = calloc(1, sizeof(*rv));
	app_return_refund_cmd *rf = calloc(1, sizeof(*rf));
	order_return *r = calloc(1, sizeof(*r));
	order_filter f;
	order_page page;
	order o;
	ordo_code rc = ORDO_OK;

	memset(&page, 0, sizeof(page));
	order_init(&o);
	if (!rc_cmd || !rv || !rf || !r) {
		rc = ordo_err_set(err, ORDO_ENOMEM, NULL, "out of memory");
		goto out;
	}
	memset(&f, 0, sizeof(f));
	f.has_state = true;
	f.state = ORDER_DELIVERED;
	f.limit = 10;
	rc = store_order_list(tx, c->tenant_id, &f, &page, err);
	/* Not the two orders the carrier and a customer report defects of
	 * (defects_run): the last one listed. */
	if (rc || page.n < 3)
		goto out;
	rc = app_order_load(tx, c->tenant_id, page.orders[page.n - 1].id, &o,
			    err);
	if (rc || o.n_fulfillments == 0)
		goto out;
	app_return_cmd_init(rc_cmd, c, demo_now(), o.id);
	rc_cmd->asks[0].line_no = o.lines[0].line_no;
	rc_cmd->asks[0].quantity = 1;
	rc_cmd->n = 1;
	rc_cmd->reason = RETURN_DAMAGED;
	ordo_strlcpy(rc_cmd->note, "arrived chipped", sizeof(rc_cmd->note));
	rc = app_return_authorize(tx, c, rc_cmd, r, demo_now(), err);
	if (rc)
		goto out;
	app_return_receive_cmd_init(rv, c, demo_now(), r->id);
	rv->asks[0] = rc_cmd->asks[0];
	rv->n = 1;
	rv->restock = true;
	ordo_strlcpy(rv->location, o.fulfillments[0].location,
		     sizeof(rv->location));
	rc = app_return_receive(tx, c, rv, r, demo_now(), err);
	if (rc)
		goto out;
	app_return_refund_cmd_init(rf, c, demo_now(), r->id);
	money_format(o.lines[0].unit_price, o.currency, rf->amount,
		     sizeof(rf->amount));
	ordo_strlcpy(rf->reference, "RF-10001", sizeof(rf->reference));
	rc = app_return_refund(tx, c, rf, r, demo_now(), err);
out:
	order_free(&o);
	order_page_free(&page);
	free(rc_cmd);
	free(rv);
	free(rf);
	free(r);
	return rc;
}

struct warehouse_job {
	const app_caller *caller;
	int acted;
};

/*
 * Play the warehouses: of the released fulfillments, reject one for want of
 * stock (ordo re-routes it), accept some, ship some in part and some in
 * full, and mark some shipments delivered - so the demo shows every stage.
 */
static ordo_code warehouse_run(store_tx *tx, void *arg, ordo_err *err)
{
	struct warehouse_job *j = arg;
	fulfillment_filter f;
	fulfillment *page = NULL;
	int64_t next = 0;
	size_t n = 0, i;
	ordo_code rc;

	memset(&f, 0, sizeof(f));
	f.has_state = true;
	f.state = FULFILLMENT_RELEASED;
	f.limit = ORDO_PAGE_MAX;
	rc = store_fulfillment_list(tx, j->caller->tenant_id, &f, &page, &n,
				    &next, err);
	for (i = 0; rc == ORDO_OK && i < n; i++) {
		shipment_line lines[8];
		fulfillment out;
		shipment s;
		size_t k;

		memset(&out, 0, sizeof(out));
		memset(&s, 0, sizeof(s));
		for (k = 0; k < page[i].n_lines && k < 8; k++) {
			lines[k].quantity = page[i].lines[k].quantity;
			ordo_strlcpy(lines[k].sku, page[i].lines[k].sku,
				     sizeof(lines[k].sku));
		}
		s.lines = lines;
		s.n_lines = k;
		ordo_strlcpy(s.carrier, i % 2 ? "UPS" : "FedEx",
			     sizeof(s.carrier));
		snprintf(s.tracking_number, sizeof(s.tracking_number),
			 "1Z%08zu", 40000 + i);
		switch (i % 6) {
		case 0: /* the warehouse is out: ordo routes elsewhere */
			if (lines[0].quantity > 50)
				break; /* leave the wholesale orders be */
			rc = app_fulfillment_reject(tx, j->caller, page[i].id,
						    REJECT_OUT_OF_STOCK,
						    "bin empty at pick",
						    demo_now(), &out, err);
			fulfillment_free(&out);
			break;
		case 1: /* accepted, not yet shipped */
			rc = app_fulfillment_accept(tx, j->caller, page[i].id,
						    demo_now(), &out, err);
			fulfillment_free(&out);
			break;
		case 2: /* shipped in part */
			if (lines[0].quantity < 2)
				break;
			lines[0].quantity /= 2;
			s.n_lines = 1;
			rc = app_shipment_create(tx, j->caller, page[i].id, &s,
						 demo_now(), err);
			break;
		case 3: /* shipped in full and delivered */
		case 4: {
			shipment done;

			rc = app_shipment_create(tx, j->caller, page[i].id, &s,
						 demo_now(), err);
			if (rc == ORDO_OK && i % 6 == 3) {
				rc = app_shipment_delivered(tx, j->caller,
							    s.id, 0, demo_now(),
							    &done, err);
				shipment_free(&done);
			}
			break;
		}
		default: /* still with the warehouse */
			break;
		}
		if (rc == ORDO_ESTATE || rc == ORDO_ECONFLICT) {
			/* an earlier step moved this one on: skip it */
			ordo_err_clear(err);
			rc = ORDO_OK;
		}
		j->acted++;
	}
	for (i = 0; i < n; i++)
		fulfillment_free(&page[i]);
	free(page);
	return rc;
}

/* The demo's people, one of each role, who log in to the console with
 * DEMO_PASSWORD: made once per database, kept after. */
#define DEMO_PASSWORD "ordo-demo-password"
static const char *const demo_roles[] = {"admin", "supervisor", "agent",
					 "viewer"};

static ordo_code demo_people(store *st, ordo_err *err)
{
	size_t i;

	for (i = 0; i < sizeof(demo_roles) / sizeof(demo_roles[0]); i++) {
		char email[64];

		snprintf(email, sizeof(email), "%s@demo.example",
			 demo_roles[i]);
		if (app_user_create(st, email, DEMO_PASSWORD, DEMO_SLUG,
				    demo_roles[i], demo_now(), err) ==
		    ORDO_ECONFLICT)
			ordo_err_clear(err);
		if (err->code != ORDO_OK)
			return err->code;
	}
	return ORDO_OK;
}

int cmd_demo(int argc, char **argv)
{
	struct cli_opts o = {0};
	const char *db, *listen;
	char key[APP_API_KEY_MAX], name[64], banner[1536];
	app_caller caller;
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	store *st;
	int rc;

	rc = cli_parse("demo", CLI_F_DB | CLI_F_LISTEN, argc, argv, &o);
	if (rc)
		return rc;
	if (o.help) {
		printf("usage: ordo demo [--db PATH|URL] [--listen "
		       "HOST:PORT]\n\n"
		       "Seed tenant \"%s\" with a catalog, stock and "
		       "orders (once per database),\n"
		       "print a fresh admin API key and serve.\n"
		       "  --db PATH|URL       database (default ./%s: the "
		       "demo's own, not\n"
		       "                      ./%s, which the other commands "
		       "use by default;\n"
		       "                      give them --db %s to work on "
		       "the demo's)\n"
		       "  --listen HOST:PORT  address to bind (default "
		       "%s)\n",
		       DEMO_SLUG, DEMO_DB, CLI_DEFAULT_DB, DEMO_DB,
		       CLI_DEFAULT_LISTEN);
		return CLI_OK;
	}
	if (o.n_args)
		return cli_usage_error("demo", "unexpected argument \"%s\"",
				       o.args[0]);
	db = o.db ? o.db : DEMO_DB;
	listen = o.listen ? o.listen : CLI_DEFAULT_LISTEN;
	/* Look before seeding: a demo that cannot serve must not leave a
	 * seeded database behind it. */
	rc = cli_check_listen("demo", listen);
	if (rc)
		return rc;
	cli_block_stop_signals();
	st = cli_open_store(db, CLI_DEFAULT_DB_POOL, 0);
	if (!st)
		return CLI_FAIL;
	if (app_tenant_create(st, DEMO_SLUG, demo_now(), key,
			      err) == ORDO_OK) {
		printf("seeding tenant \"%s\" in %s ...\n", DEMO_SLUG, db);
		fflush(stdout);
		if (app_authenticate(st, key, 0, &caller, err) == ORDO_OK) {
			ordo_strlcpy(caller.actor, "demo",
				     sizeof(caller.actor));
			if (demo_seed(st, &caller, err) == ORDO_OK) {
				struct warehouse_job wj = {.caller = &caller};
				struct defect_job dj = {.caller = &caller};

				ordo_strlcpy(caller.actor, "key:demo-desk",
					     sizeof(caller.actor));
				store_write(st, review_run, &caller, err);
				ordo_strlcpy(caller.actor, "demo-warehouse",
					     sizeof(caller.actor));
				if (err->code == ORDO_OK)
					store_write(st, warehouse_run, &wj,
						    err);
				ordo_strlcpy(caller.actor, "demo-carrier",
					     sizeof(caller.actor));
				if (err->code == ORDO_OK)
					store_write(st, defects_run, &dj, err);
				ordo_strlcpy(caller.actor, "key:demo-desk",
					     sizeof(caller.actor));
				if (err->code == ORDO_OK)
					store_write(st, changes_run, &caller,
						    err);
				if (err->code == ORDO_OK)
					store_write(st, return_run, &caller,
						    err);
			}
		}
		if (err->code != ORDO_OK) {
			rc = cli_fail(err);
			goto out;
		}
	} else if (err->code == ORDO_ECONFLICT) {
		ordo_err_clear(err);
		snprintf(name, sizeof(name), "demo-admin-%lld",
			 (long long)demo_now());
		if (app_key_create(st, DEMO_SLUG, "admin", name, "",
				   demo_now(), key, err)) {
			rc = cli_fail(err);
			goto out;
		}
	} else {
		rc = cli_fail(err);
		goto out;
	}
	if (demo_people(st, err) != ORDO_OK) {
		rc = cli_fail(err);
		goto out;
	}
	snprintf(banner, sizeof(banner),
		 "\nordo demo is running: http://%s\n"
		 "the console: http://%s/ - log in as admin@demo.example, "
		 "supervisor@demo.example, agent@demo.example or "
		 "viewer@demo.example, password %s\n"
		 "API key (tenant \"%s\"): %s\n"
		 "the review queue: curl -H 'Authorization: Bearer %s' "
		 "http://%s/v1/queue\n"
		 "simulate a candidate policy: %s simulate --db %s --tenant "
		 "%s --policy docs/examples/candidate-policy.json\n"
		 "another API key: %s key create %s --role agent --name "
		 "alice --db %s\n"
		 "stop with Ctrl-C\n",
		 listen, listen, DEMO_PASSWORD, DEMO_SLUG, key, key, listen,
		 cli_program, db,
		 DEMO_SLUG, cli_program, DEMO_SLUG, db);
	/* The demo runs on one machine: its webhooks may go to receivers on
	 * this host, which a server refuses unless allowed. */
	{
		netaddr_list loopback;

		netaddr_list_parse("127.0.0.0/8,::1/128", &loopback, NULL, 0);
		outbox_rules_set(&loopback);
	}
	{
		api_server_options opts = {.web_dir = CLI_DEFAULT_WEB};

		rc = cli_serve_until_signal(st, listen, banner,
					    CLI_DEFAULT_WEBHOOK_TIMEOUT_MS,
					    &opts);
	}
out:
	ordo_err_clear(err);
	store_close(st);
	return rc;
}
