/*
 * test_x12.c - X12 interchanges: every real partner file under
 * tests/samples/x12 (each 850 imported element by element or refused with
 * its segment and reason, every other set recognised as not an order), each
 * separator style built synthetically, broken SE, CTT, GE and IEA counts,
 * two interchanges in one file, the limits, the 997 and 855 replies text
 * for text and read back by the reader itself, and bytes that are no X12
 * at all - every prefix of every sample, every byte replaced by a
 * separator, a line feed or NUL - refused without a crash or a leak (the
 * test build runs under ASan), each refusal with its reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "files.h"

#include "channels/x12.h"
#include "core/channel.h"
#include "core/limits.h"
#include "core/order.h"
#include "core/timeutil.h"

#define X12_DIR ORDO_SAMPLES_DIR "/x12/"
#define EDIFABRIC X12_DIR "EdiFabric_X12.NET__Files_X12_"
#define OOPFACTORY                                                             \
	X12_DIR "Inteligenz_X12Parser__tests_OopFactory.X12.Tests.Unit_"     \
		"Parsing__SampleEdiFiles_"
#define STEDI X12_DIR "Stedi-Demos_bootstrap-archived__src_resources_X12_5010_"
#define NODEX12 X12_DIR "aaronhuggins_node-x12__test_test-data_"
#define EDIENGINE X12_DIR "olmelabs_EdiEngine__EdiEngine.Tests_TestData_"

#define S_MIXED EDIFABRIC "MixedTransactions.txt"
#define S_PO EDIFABRIC "PurchaseOrder.txt"
#define S_PO_INVALID EDIFABRIC "PurchaseOrderInvalid.txt"
#define S_POS EDIFABRIC "PurchaseOrders.txt"
#define S_SHIPNOTICE EDIFABRIC "ShipNotice.txt"
#define S_WSA EDIFABRIC "WarehouseShippingAdvice.txt"
#define S_PGW OOPFACTORY "ORD__850_Example1_PGWGlass.txt"
#define S_ADOBE OOPFACTORY "ORD__850_Example2_Adobe_TLP.txt"
#define S_856_1 OOPFACTORY "ORD__856_Example1.txt"
#define S_856_2 OOPFACTORY "ORD__856_Example2.txt"
#define S_945 OOPFACTORY "WAR__945_inter-americanproducts.txt"
#define S_STEDI_850 STEDI "850_input.edi"
#define S_STEDI_855 STEDI "855_inbound.edi"
#define S_NODE_850 NODEX12 "850.edi"
#define S_NODE_850_2 NODEX12 "850_2.edi"
#define S_NODE_855 NODEX12 "855.edi"
#define S_NODE_856 NODEX12 "856.edi"
#define S_940 EDIENGINE "940.OK.edi"
#define S_MULTI EDIENGINE "MultipleInterchangesAndGroups.edi"

#define NOW ((ordo_time)1795774500) /* 2026-11-27T10:15:00Z */

static ordo_channel chan;
static x12_doc doc;
static order o;
static ordo_err err;

static int setup(void **state)
{
	(void)state;
	channel_init(&chan);
	snprintf(chan.name, sizeof(chan.name), "edi-partner");
	snprintf(chan.currency, sizeof(chan.currency), "USD");
	x12_doc_init(&doc);
	order_init(&o);
	ordo_err_init(&err);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	x12_doc_free(&doc);
	order_free(&o);
	ordo_err_clear(&err);
	channel_free(&chan);
	return 0;
}

/* Start over between two reads within one test. */
static void reset(void)
{
	x12_doc_free(&doc);
	order_free(&o);
	order_init(&o);
	ordo_err_clear(&err);
}

static ordo_code read_sample(const char *path)
{
	size_t len;
	char *buf = read_file(path, &len);
	ordo_code rc = x12_read(buf, len, &chan, &doc, &err);

	free(buf);
	return rc;
}

static ordo_code read_text(const char *text)
{
	return x12_read(text, strlen(text), &chan, &doc, &err);
}

/* The order of set i, which must be taken. */
static void take(size_t i)
{
	ordo_err e = ORDO_ERR_INIT;

	order_free(&o);
	order_init(&o);
	if (x12_set_order(&doc, i, &chan, &o, &e) != ORDO_OK)
		fail_msg("set %zu refused: %s (%s: %s)", i, e.message,
			 e.n_details ? e.details[0].field : "",
			 e.n_details ? e.details[0].message : "");
	ordo_err_clear(&e);
}

static ordo_time day(const char *ymd)
{
	char text[32];
	int64_t t;

	snprintf(text, sizeof(text), "%sT00:00:00Z", ymd);
	assert_int_equal(time_parse_rfc3339(text, &t), 0);
	return t;
}

/* The kept problem at file segment seg with this level and code. */
static const x12_problem *problem_at(size_t seg, x12_level level, int code)
{
	size_t i;

	for (i = 0; i < doc.n_problems; i++)
		if (doc.problems[i].segment == seg &&
		    doc.problems[i].level == level &&
		    doc.problems[i].code == code)
			return &doc.problems[i];
	return NULL;
}

static void line_is(size_t i, const char *sku, int64_t qty, int64_t price,
		    const char *title)
{
	assert_true(i < o.n_lines);
	assert_int_equal(o.lines[i].line_no, (int)i + 1);
	assert_string_equal(o.lines[i].sku, sku);
	assert_int_equal(o.lines[i].quantity, qty);
	assert_int_equal(o.lines[i].unit_price, price);
	assert_string_equal(o.lines[i].title, title);
	assert_int_equal(o.lines[i].qty_open, qty);
	assert_true(order_line_consistent(&o.lines[i]));
}

static char *build_997(size_t ic, int64_t control)
{
	x12_reply_opts opts = { .interchange_control = control,
				.group_control = 500,
				.now = NOW,
				.newline = true };
	ordo_err e = ORDO_ERR_INIT;
	char *out = NULL;
	size_t len = 0;

	if (x12_997_build(&doc, ic, &opts, &out, &len, &e) != ORDO_OK)
		fail_msg("997 refused: %s", e.message);
	assert_int_equal(strlen(out), len);
	ordo_err_clear(&e);
	return out;
}

/* Read text (a reply ordo wrote) with a doc of its own: no problem at
 * all, and every set of the given type (none at all when a TA1 alone
 * answers, with set_id NULL). */
static void reads_clean(const char *text, const char *set_id)
{
	x12_doc d;
	ordo_err e = ORDO_ERR_INIT;
	size_t i;

	x12_doc_init(&d);
	if (x12_read(text, strlen(text), &chan, &d, &e) != ORDO_OK)
		fail_msg("reply does not read back: %s (%s: %s)\n%s",
			 e.message, e.n_details ? e.details[0].field : "",
			 e.n_details ? e.details[0].message : "", text);
	assert_int_equal(d.n_problems, 0);
	assert_true(set_id == NULL || d.n_sets >= 1);
	for (i = 0; i < d.n_sets; i++) {
		assert_string_equal(d.sets[i].id, set_id ? set_id : "997");
		assert_true(d.sets[i].accepted);
		assert_int_equal(d.sets[i].kind, X12_SET_NOT_ORDER);
	}
	x12_doc_free(&d);
	ordo_err_clear(&e);
}

/* ---- the real partner files --------------------------------------------- */

/* Stedi's 5010 drop-ship PO: zero-padded quantities, ids VC and SK, no
 * CUR (the channel's USD), PER with phone and email, ISA11 "U" although
 * 5010 makes it the repetition separator. */
static void test_stedi_850(void **state)
{
	const x12_interchange *ic;

	(void)state;
	assert_int_equal(read_sample(S_STEDI_850), ORDO_OK);
	assert_int_equal(doc.n_interchanges, 1);
	assert_int_equal(doc.n_sets, 1);
	ic = &doc.interchanges[0];
	assert_true(ic->readable);
	assert_string_equal(ic->sender_qualifier, "ZZ");
	assert_string_equal(ic->sender, "AMERCHANT");
	assert_string_equal(ic->receiver, "ANOTHERMERCH");
	assert_string_equal(ic->control, "000000057");
	assert_string_equal(ic->version, "00501");
	assert_int_equal(ic->repetition_sep, 0); /* "U" is no separator */
	assert_string_equal(doc.groups[0].id, "OW");
	assert_string_equal(doc.groups[0].version, "005010");
	assert_string_equal(doc.sets[0].id, "850");
	assert_string_equal(doc.sets[0].control, "000000057");
	assert_int_equal(doc.sets[0].kind, X12_SET_ORDER);
	assert_string_equal(doc.sets[0].purpose, "00");
	assert_string_equal(doc.sets[0].po_type, "DS");
	assert_string_equal(doc.sets[0].po_number, "365465413");
	assert_int_equal(doc.sets[0].n_lines, 2);

	take(0);
	assert_string_equal(o.external_id, "365465413");
	assert_string_equal(o.channel, "edi-partner");
	assert_int_equal(o.placed_at, day("2022-08-30"));
	assert_string_equal(o.currency, "USD");
	assert_string_equal(o.customer.name, "Marvin Acme");
	assert_string_equal(o.customer.email, "marvin@acme.com");
	assert_string_equal(o.customer.phone, "973-555-1212");
	assert_string_equal(o.ship_to.name, "Wile E Coyote");
	assert_string_equal(o.ship_to.line1, "111 Canyon Court");
	assert_string_equal(o.ship_to.city, "Phoenix");
	assert_string_equal(o.ship_to.region, "AZ");
	assert_string_equal(o.ship_to.postal_code, "85001");
	assert_string_equal(o.ship_to.country, "US");
	assert_false(o.has_bill_to);
	assert_int_equal(o.n_lines, 2);
	/* "0008" is 8; without a mapping the vendor's catalog number (VC)
	 * is the SKU, not the buyer's SK. */
	line_is(0, "VND1234567", 8, 40000, "400 pound anvil");
	line_is(1, "VND000111222", 4, 12500, "Detonator");
	assert_int_equal(o.totals.subtotal, 370000);
	assert_int_equal(o.totals.total, 370000); /* AMT*TT*3700 */
	assert_int_equal(o.totals.shipping, 0);
	assert_int_equal(o.state, ORDER_RECEIVED);
	assert_non_null(strstr(o.notes, "REF CO: ACME-4567"));
	assert_non_null(strstr(o.notes, "PO type: DS"));
	assert_non_null(o.source);
	assert_true(strncmp(o.source, "ST*850*000000057~", 17) == 0);
	assert_non_null(strstr(o.source, "SE*16*000000057~"));
	assert_null(strstr(o.source, "GE*"));
	assert_string_equal(o.source_type, "application/edi-x12");
}

/* The channel's mapping names the partner's codes: the buyer's SK is
 * mapped, and wins over the vendor's catalog number. */
static void test_stedi_850_mapped(void **state)
{
	channel_sku map[] = { { "ACM/8900-400", "ANVIL-400" },
			      { "VND000111222", "DET-1" } };

	(void)state;
	assert_int_equal(channel_set_skus(&chan, map, 2, &err), ORDO_OK);
	assert_int_equal(read_sample(S_STEDI_850), ORDO_OK);
	take(0);
	assert_string_equal(o.lines[0].sku, "ANVIL-400");
	assert_string_equal(o.lines[1].sku, "DET-1");
}

/* PGW Glass: "|" ends segments though ISA16 is "~"; BOM, CRLF and
 * indentation; BEG01 05 (a replacement), CUR, lines with BP only. */
static void test_pgw_850(void **state)
{
	(void)state;
	assert_int_equal(read_sample(S_PGW), ORDO_OK);
	assert_int_equal(doc.interchanges[0].element_sep, '*');
	assert_int_equal(doc.interchanges[0].component_sep, '~');
	assert_int_equal(doc.interchanges[0].segment_term, '|');
	assert_string_equal(doc.sets[0].purpose, "05");
	take(0);
	assert_string_equal(o.external_id, "S41000439");
	assert_int_equal(o.placed_at, day("2010-08-10"));
	assert_string_equal(o.currency, "USD");
	assert_string_equal(o.customer.name, "Doe, Jane");
	assert_string_equal(o.ship_to.name, "");
	assert_string_equal(o.ship_to.line1, "WORKS 41");
	assert_string_equal(o.ship_to.line2, "2290 MENELAUS ROAD");
	assert_string_equal(o.ship_to.city, "BEREA");
	assert_string_equal(o.ship_to.region, "KY");
	assert_string_equal(o.ship_to.postal_code, "40403");
	assert_string_equal(o.ship_to.country, "US");
	assert_int_equal(o.n_lines, 4);
	line_is(0, "0459001004", 5, 509, "FUSE, BUSSMAN FNA-4/10");
	line_is(1, "0650002027", 12, 6311, "LAMP, MAXLITE 35873, 200W,");
	line_is(2, "0670104514", 2, 802, "DIN RAIL, 35MM, 3 FT LENGTH,");
	line_is(3, "0684202074", 1, 8525, "SWITCH, PROXIMITY,");
	assert_int_equal(o.totals.subtotal, 88406);
	assert_int_equal(o.totals.total, 88406); /* AMT*TT*884.06 */
	assert_non_null(strstr(o.notes, "PO purpose: 05"));
	assert_non_null(
		strstr(o.notes, "Line 4 Delivery requested: 2010-08-20"));
}

/* Adobe: "~" separates elements, CR ends segments (CRLF after each), the
 * last segment has no terminator; seven N1 loops with N2/N3/N4/REF/PER. */
static void test_adobe_850(void **state)
{
	(void)state;
	assert_int_equal(read_sample(S_ADOBE), ORDO_OK);
	assert_int_equal(doc.interchanges[0].element_sep, '~');
	assert_int_equal(doc.interchanges[0].segment_term, '\r');
	assert_string_equal(doc.sets[0].control, "114640004");
	take(0);
	assert_string_equal(o.external_id, "TLP-X12");
	assert_int_equal(o.placed_at, day("2010-06-14"));
	assert_string_equal(o.customer.name, "SOLD TO");
	assert_string_equal(o.customer.external_id, "ID Number");
	assert_string_equal(o.customer.email, "john@doe.com");
	assert_string_equal(o.ship_to.name, "SHIP TO");
	assert_string_equal(o.ship_to.company, "ShipTo NameII");
	assert_string_equal(o.ship_to.line1, "123 MAIN STREET");
	assert_string_equal(o.ship_to.city, "CEDAR RAPIDS");
	assert_string_equal(o.ship_to.region, "IA");
	assert_string_equal(o.ship_to.postal_code, "524032140");
	assert_string_equal(o.ship_to.phone, "8015551234");
	assert_true(o.has_bill_to);
	assert_string_equal(o.bill_to.name, "BILL TO");
	/* MG (the manufacturer's part) before BP (the buyer's). */
	assert_int_equal(o.n_lines, 1);
	line_is(0, "64113730AD01A00", 1, 66500, "");
	/* AMT*TT*12 as the partner wrote it: validation holds the order
	 * for the mismatch, the decoder does not judge it. */
	assert_int_equal(o.totals.subtotal, 66500);
	assert_int_equal(o.totals.total, 1200);
}

/* node-x12's VICS PO, with "~" + newline and with bare newlines: the same
 * order either way. */
static void test_node_850_both_terminators(void **state)
{
	order first;
	size_t i;

	(void)state;
	assert_int_equal(read_sample(S_NODE_850), ORDO_OK);
	assert_int_equal(doc.interchanges[0].segment_term, '~');
	take(0);
	assert_string_equal(o.external_id, "08292233294");
	assert_int_equal(o.placed_at, day("2010-11-27"));
	assert_string_equal(o.ship_to.name, "XYZ RETAIL");
	assert_string_equal(o.ship_to.line1, "31875 SOLON RD");
	assert_string_equal(o.ship_to.city, "SOLON");
	assert_string_equal(o.ship_to.region, "OH");
	assert_string_equal(o.ship_to.postal_code, "44139");
	assert_string_equal(o.ship_to.country, "");
	assert_int_equal(o.n_lines, 6);
	/* CB (buyer's catalog) and PR (a promotion, no product) lose to VN. */
	line_is(0, "AB3542", 120, 925, "SMALL WIDGET");
	line_is(1, "RD5322", 220, 1379, "MEDIUM WIDGET");
	line_is(2, "XY5266", 126, 1099, "LARGE WIDGET");
	line_is(3, "VX2332", 76, 435, "NANO WIDGET");
	line_is(4, "RV0524", 72, 750, "BLUE WIDGET");
	line_is(5, "DX1875", 696, 955, "ORANGE WIDGET");
	assert_int_equal(o.totals.subtotal, 1304594); /* AMT*1*13045.94 */
	assert_int_equal(o.totals.total, 1304594);
	assert_non_null(strstr(o.notes, "Delivery requested: 2010-12-14"));

	first = o;
	order_init(&o);
	x12_doc_free(&doc);
	assert_int_equal(read_sample(S_NODE_850_2), ORDO_OK);
	assert_int_equal(doc.interchanges[0].segment_term, '\n');
	take(0);
	assert_string_equal(o.external_id, first.external_id);
	assert_int_equal(o.placed_at, first.placed_at);
	assert_memory_equal(&o.ship_to, &first.ship_to, sizeof(o.ship_to));
	assert_int_equal(o.n_lines, first.n_lines);
	for (i = 0; i < o.n_lines; i++)
		assert_memory_equal(&o.lines[i], &first.lines[i],
				    sizeof(o.lines[i]));
	assert_memory_equal(&o.totals, &first.totals, sizeof(o.totals));
	assert_string_equal(o.notes, first.notes);
	order_free(&first);
}

static void test_edifabric_850(void **state)
{
	(void)state;
	assert_int_equal(read_sample(S_PO), ORDO_OK);
	/* ISA12 00204 and GS01 "IN" (wrong for an 850): read by ST01. */
	assert_string_equal(doc.interchanges[0].version, "00204");
	assert_string_equal(doc.groups[0].id, "IN");
	take(0);
	assert_string_equal(o.external_id, "XX-1234");
	assert_int_equal(o.placed_at, day("2017-03-01"));
	assert_string_equal(o.customer.name, "ABC AEROSPACE");
	assert_string_equal(o.customer.external_id, "1234567890101");
	assert_string_equal(o.customer.phone, "8001234567");
	line_is(0, "XYZ-1234", 25, 3600, "");
	assert_int_equal(o.totals.total, 90000);
}

/* SE01 says 15 segments, the set has 14; PO1-03 "INVALID" is no unit of
 * measure (element 355 is 2 characters). */
static void test_purchase_order_invalid(void **state)
{
	const x12_problem *p;
	size_t i;

	(void)state;
	assert_int_equal(read_sample(S_PO_INVALID), ORDO_EINVALID);
	assert_false(doc.sets[0].accepted);
	assert_int_equal(doc.sets[0].n_problems, 2);
	p = problem_at(10, X12_LEVEL_ELEMENT, 5);
	assert_non_null(p);
	assert_string_equal(p->segment_id, "PO1");
	assert_int_equal(p->position, 8);
	assert_int_equal(p->element, 3);
	assert_string_equal(p->value, "INVALID");
	assert_non_null(strstr(p->reason, "unit of measure"));
	p = problem_at(16, X12_LEVEL_SET, 4);
	assert_non_null(p);
	assert_string_equal(p->segment_id, "SE");
	assert_int_equal(p->position, 14);
	assert_non_null(strstr(p->reason, "SE01 says 15"));
	assert_non_null(strstr(p->reason, "has 14"));
	assert_int_equal(err.n_details, 2);
	assert_string_equal(err.details[0].field, "segment 10 PO1-03");
	assert_string_equal(err.details[1].field, "segment 16 SE-01");

	/* Never half an order. */
	ordo_err_clear(&err);
	assert_int_equal(x12_set_order(&doc, 0, &chan, &o, &err),
			 ORDO_EINVALID);
	assert_int_equal(o.n_lines, 0);
	assert_int_equal(err.n_details, 2);
	for (i = 0; i < err.n_details; i++)
		assert_true(err.details[i].message[0] != '\0');
}

static void test_purchase_orders_second_invalid(void **state)
{
	const x12_problem *p;

	(void)state;
	assert_int_equal(read_sample(S_POS), ORDO_EINVALID);
	assert_int_equal(doc.n_sets, 2);
	assert_true(doc.sets[0].accepted);
	assert_false(doc.sets[1].accepted);
	take(0);
	assert_string_equal(o.external_id, "XX-1234");
	line_is(0, "XYZ-1234", 25, 3600, "");
	p = problem_at(26, X12_LEVEL_ELEMENT, 5);
	assert_non_null(p);
	assert_int_equal(p->set, 1);
	assert_int_equal(p->position, 9);
	ordo_err_clear(&err);
	assert_int_equal(x12_set_order(&doc, 1, &chan, &o, &err),
			 ORDO_EINVALID);
}

static void test_mixed_transactions(void **state)
{
	(void)state;
	assert_int_equal(read_sample(S_MIXED), ORDO_OK);
	assert_int_equal(doc.n_groups, 2);
	assert_int_equal(doc.n_sets, 2);
	assert_int_equal(doc.sets[0].kind, X12_SET_ORDER);
	assert_int_equal(doc.sets[1].kind, X12_SET_NOT_ORDER);
	assert_string_equal(doc.sets[1].id, "810");
	assert_string_equal(x12_set_type_name("810"), "Invoice");
	take(0);
	assert_string_equal(o.external_id, "XX-1234");
	order_free(&o);
	order_init(&o);
	assert_int_equal(x12_set_order(&doc, 1, &chan, &o, &err),
			 ORDO_EINVALID);
	assert_non_null(strstr(err.message, "810 Invoice"));
}

/* Every file under tests/samples/x12, declaratively: what reading gives,
 * set by set, and each problem as "level:code@segment". */
static const struct sample_case {
	const char *path;
	ordo_code rc;
	size_t n_interchanges, n_groups;
	const char *sets; /* "850+ 810+": ST01, + accepted, - refused */
	const char *problems;
} samples[] = {
	{ S_MIXED, ORDO_OK, 1, 2, "850+ 810+", "" },
	{ S_PO, ORDO_OK, 1, 1, "850+", "" },
	{ S_PO_INVALID, ORDO_EINVALID, 1, 1, "850-",
	  "element:5@10 set:4@16" },
	{ S_POS, ORDO_EINVALID, 1, 1, "850+ 850-", "element:5@26" },
	/* GE*2 closes a group of one set, in both EdiFabric files. */
	{ S_SHIPNOTICE, ORDO_EINVALID, 1, 1, "856-", "group:5@47" },
	{ S_WSA, ORDO_EINVALID, 1, 1, "945-", "group:5@25" },
	{ S_PGW, ORDO_OK, 1, 1, "850+", "" },
	{ S_ADOBE, ORDO_OK, 1, 1, "850+", "" },
	{ S_856_1, ORDO_OK, 1, 1, "856+", "" },
	{ S_856_2, ORDO_OK, 1, 1, "856+", "" },
	/* Its GS has ten elements (GS03 empty, a date in GS06), its ST02 ten
	 * characters, and GE02 does not close GS06. */
	{ S_945, ORDO_EINVALID, 1, 1, "945-",
	  "interchange:24@2 set:7@3 group:4@20" },
	{ S_STEDI_850, ORDO_OK, 1, 1, "850+", "" },
	{ S_STEDI_855, ORDO_OK, 1, 1, "855+", "" },
	{ S_NODE_850, ORDO_OK, 1, 1, "850+", "" },
	{ S_NODE_850_2, ORDO_OK, 1, 1, "850+", "" },
	{ S_NODE_855, ORDO_OK, 1, 1, "855+", "" },
	{ S_NODE_856, ORDO_OK, 1, 1, "856+", "" },
	{ S_940, ORDO_OK, 1, 1, "940+", "" },
	/* IEA*2*3438 closes ISA13 000003438: compared as numbers. */
	{ S_MULTI, ORDO_OK, 2, 4, "940+ 940+ 940+ 940+ 940+ 940+", "" },
};

static void test_every_sample(void **state)
{
	size_t k, i;

	(void)state;
	for (k = 0; k < sizeof(samples) / sizeof(samples[0]); k++) {
		const struct sample_case *c = &samples[k];
		char sets[256] = "", problems[512] = "";

		reset();
		if (read_sample(c->path) != c->rc)
			fail_msg("%s: %s", c->path, err.message);
		assert_int_equal(doc.n_interchanges, c->n_interchanges);
		assert_int_equal(doc.n_groups, c->n_groups);
		for (i = 0; i < doc.n_sets; i++) {
			const x12_set *s = &doc.sets[i];
			size_t used = strlen(sets);

			snprintf(sets + used, sizeof(sets) - used, "%s%s%c",
				 i ? " " : "", s->id, s->accepted ? '+' : '-');
			/* Other types are recognised, not orders. */
			if (strcmp(s->id, "850") != 0) {
				assert_int_equal(s->kind, X12_SET_NOT_ORDER);
				assert_non_null(x12_set_type_name(s->id));
				assert_int_equal(x12_set_order(&doc, i, &chan,
							       &o, &err),
						 ORDO_EINVALID);
			} else if (s->accepted) {
				take(i);
			}
		}
		for (i = 0; i < doc.n_problems; i++) {
			const x12_problem *p = &doc.problems[i];
			size_t used = strlen(problems);

			snprintf(problems + used, sizeof(problems) - used,
				 "%s%s:%d@%zu", i ? " " : "",
				 x12_level_name(p->level), p->code,
				 p->segment);
			assert_true(p->reason[0] != '\0');
		}
		if (strcmp(sets, c->sets) != 0 ||
		    strcmp(problems, c->problems) != 0)
			fail_msg("%s:\n sets \"%s\" (want \"%s\")\n problems "
				 "\"%s\" (want \"%s\")",
				 c->path, sets, c->sets, problems,
				 c->problems);
	}
}

/* ---- synthetic interchanges --------------------------------------------- */

/* An 850 in the plain style: "*" elements, ">" components (ISA16 only),
 * "~" ends each segment. */
static const char po_template[] =
	"ISA*00*          *00*          *ZZ*BUYER          *ZZ*ORDO           "
	"*260115*0930*U*00401*000000101*0*P*>~"
	"GS*PO*BUYER*ORDO*20260115*0930*7001*X*004010~"
	"ST*850*0001~"
	"BEG*00*SA*PO-1001**20260114~"
	"CUR*BY*USD~"
	"PER*BD*Ann Buyer*TE*555-0100*EM*ann@buyer.example~"
	"SAC*C*D240***1500~"
	"N1*ST*Dock 4*92*W1~"
	"N3*1 Harbor Way*Suite 9~"
	"N4*Springfield*IL*62701*USA~"
	"PO1*1*0003*EA*12.50**VP*W-100*BP*B-9~"
	"PID*F****Widget~"
	"PO1*2*1.0*CA*0**UP*012345678905~"
	"PID*F****Free case~"
	"CTT*2~"
	"AMT*TT*52.50~"
	"SE*15*0001~"
	"GE*1*7001~"
	"IEA*1*000000101~";

/* The template with s replaced by r (once, which must be there). */
static char *edit(const char *src, const char *s, const char *r)
{
	const char *at = strstr(src, s);
	size_t n = strlen(src) - strlen(s) + strlen(r) + 1;
	char *out = malloc(n);

	assert_non_null(at);
	assert_non_null(out);
	snprintf(out, n, "%.*s%s%s", (int)(at - src), src, r, at + strlen(s));
	return out;
}

/* src in another style: '*' -> sep, '>' -> comp, '~' -> term followed by
 * `after`, with `before` in front of it all. */
static char *restyle(const char *src, char sep, char comp, char term,
		     const char *before, const char *after)
{
	size_t n = strlen(src), i, k = 0;
	char *out = malloc(strlen(before) + n * (2 + strlen(after)) + 1);

	assert_non_null(out);
	k += (size_t)sprintf(out, "%s", before);
	for (i = 0; i < n; i++) {
		if (src[i] == '*') {
			out[k++] = sep;
		} else if (src[i] == '>') {
			out[k++] = comp;
		} else if (src[i] == '~') {
			out[k++] = term;
			k += (size_t)sprintf(out + k, "%s", after);
		} else {
			out[k++] = src[i];
		}
	}
	out[k] = '\0';
	return out;
}

static void synthetic_order_is_right(void)
{
	take(0);
	assert_string_equal(o.external_id, "PO-1001");
	assert_int_equal(o.placed_at, day("2026-01-14"));
	assert_string_equal(o.currency, "USD");
	assert_string_equal(o.customer.name, "Ann Buyer");
	assert_string_equal(o.customer.phone, "555-0100");
	assert_string_equal(o.customer.email, "ann@buyer.example");
	assert_string_equal(o.ship_to.name, "Dock 4");
	assert_string_equal(o.ship_to.line1, "1 Harbor Way");
	assert_string_equal(o.ship_to.line2, "Suite 9");
	assert_string_equal(o.ship_to.city, "Springfield");
	assert_string_equal(o.ship_to.region, "IL");
	assert_string_equal(o.ship_to.postal_code, "62701");
	assert_string_equal(o.ship_to.country, "US"); /* from "USA" */
	assert_int_equal(o.n_lines, 2);
	line_is(0, "W-100", 3, 1250, "Widget"); /* "0003" */
	line_is(1, "012345678905", 1, 0, "Free case"); /* "1.0", price 0 */
	/* SAC05 1500 has two implied decimals: 15.00. */
	assert_int_equal(o.shipping.amount, 1500);
	assert_int_equal(o.totals.shipping, 1500);
	assert_int_equal(o.totals.subtotal, 3750);
	assert_int_equal(o.totals.total, 5250);
	/* The unit is kept, and said. */
	assert_non_null(strstr(o.notes, "Line 2 unit: CA"));
}

static void test_separator_styles(void **state)
{
	static const struct {
		char sep, comp, term;
		const char *before, *after;
	} styles[] = {
		{ '*', '>', '~', "", "" },
		{ '*', '>', '~', "", "\n" },
		{ '*', '>', '~', "\xEF\xBB\xBF \r\n", "\r\n" },
		{ '~', '>', '\r', "", "\n  " },	 /* Adobe */
		{ '*', '~', '|', "", "\r\n    " }, /* PGW Glass */
		{ '*', '>', '\n', "", "" },	 /* 850_2.edi */
		{ '*', '`', '\'', "", "" },
		{ '^', ':', '~', "", "\n" },
		{ '\x1d', '\x1f', '\x1e', "", "" }, /* control characters */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(styles) / sizeof(styles[0]); i++) {
		char *text = restyle(po_template, styles[i].sep,
				     styles[i].comp, styles[i].term,
				     styles[i].before, styles[i].after);

		reset();
		if (read_text(text) != ORDO_OK)
			fail_msg("style %zu: %s (%s: %s)", i, err.message,
				 err.n_details ? err.details[0].field : "",
				 err.n_details ? err.details[0].message : "");
		assert_int_equal(doc.interchanges[0].element_sep,
				 styles[i].sep);
		assert_int_equal(doc.interchanges[0].component_sep,
				 styles[i].comp);
		assert_int_equal(doc.interchanges[0].segment_term,
				 styles[i].term);
		synthetic_order_is_right();
		free(text);
	}
}

/* 5010 with a repetition separator: recorded, and elements not split on
 * it. */
static void test_repetition_separator(void **state)
{
	char *a = edit(po_template, "*U*00401*", "*^*00501*");
	char *b = edit(a, "004010~", "005010~");

	(void)state;
	assert_int_equal(read_text(b), ORDO_OK);
	assert_int_equal(doc.interchanges[0].repetition_sep, '^');
	synthetic_order_is_right();
	free(a);
	free(b);
	/* Before 00402, ISA11 is no separator. */
	reset();
	assert_int_equal(read_text(po_template), ORDO_OK);
	assert_int_equal(doc.interchanges[0].repetition_sep, 0);
}

static void test_broken_se_count(void **state)
{
	char *text = edit(po_template, "SE*15*", "SE*16*");
	const x12_problem *p;
	char *ack;

	(void)state;
	assert_int_equal(read_text(text), ORDO_EINVALID);
	p = problem_at(17, X12_LEVEL_SET, 4);
	assert_non_null(p);
	assert_int_equal(p->position, 15);
	assert_int_equal(p->element, 1);
	assert_string_equal(err.details[0].field, "segment 17 SE-01");
	assert_false(doc.sets[0].accepted);
	ack = build_997(0, 9);
	assert_non_null(strstr(ack, "AK2*850*0001~\nAK5*R*4~\nAK9*R*1*1*0~"));
	reads_clean(ack, "997");
	free(ack);
	free(text);

	/* SE02 that does not close ST02. */
	reset();
	text = edit(po_template, "SE*15*0001", "SE*15*0002");
	assert_int_equal(read_text(text), ORDO_EINVALID);
	assert_non_null(problem_at(17, X12_LEVEL_SET, 3));
	free(text);

	/* No SE at all: the GE comes first. */
	reset();
	text = edit(po_template, "SE*15*0001~", "");
	assert_int_equal(read_text(text), ORDO_EINVALID);
	p = problem_at(17, X12_LEVEL_SET, 2);
	assert_non_null(p);
	assert_string_equal(p->segment_id, "GE");
	free(text);
}

/* CTT01 that does not count the PO1s: a problem named at the CTT, AK3
 * code 8 without an AK4 (no AK4 code says it). */
static void test_broken_ctt_count(void **state)
{
	char *text = edit(po_template, "CTT*2~", "CTT*3~");
	const x12_problem *p;
	char *ack;

	(void)state;
	assert_int_equal(read_text(text), ORDO_EINVALID);
	p = problem_at(15, X12_LEVEL_ELEMENT, 0);
	assert_non_null(p);
	assert_string_equal(p->segment_id, "CTT");
	assert_int_equal(p->position, 13);
	assert_int_equal(p->element, 1);
	assert_non_null(strstr(p->reason, "3 line items"));
	assert_non_null(strstr(p->reason, "2 PO1"));
	ack = build_997(0, 9);
	assert_non_null(strstr(ack, "AK3*CTT*13**8~\nAK5*R*5~"));
	reads_clean(ack, "997");
	free(ack);
	free(text);
}

static void test_broken_ge_count(void **state)
{
	char *text = edit(po_template, "GE*1*7001", "GE*2*7001");
	char *ack;

	(void)state;
	assert_int_equal(read_text(text), ORDO_EINVALID);
	assert_non_null(problem_at(18, X12_LEVEL_GROUP, 5));
	/* The set is sound, but its group is rejected: no order. */
	assert_int_equal(doc.sets[0].n_problems, 0);
	assert_false(doc.sets[0].accepted);
	assert_int_equal(x12_set_order(&doc, 0, &chan, &o, &err),
			 ORDO_EINVALID);
	ack = build_997(0, 9);
	assert_non_null(strstr(ack, "AK2*850*0001~\nAK5*R~\nAK9*R*2*1*0*5~"));
	reads_clean(ack, "997");
	free(ack);
	free(text);

	reset();
	text = edit(po_template, "GE*1*7001", "GE*1*7002");
	assert_int_equal(read_text(text), ORDO_EINVALID);
	assert_non_null(problem_at(18, X12_LEVEL_GROUP, 4));
	ack = build_997(0, 9);
	assert_non_null(strstr(ack, "AK9*R*1*1*0*4~"));
	free(ack);
	free(text);
}

/* The interchange's own envelope at fault: a TA1 rejects it, every set
 * in it is rejected. */
static void test_broken_iea_count(void **state)
{
	char *text = edit(po_template, "IEA*1*", "IEA*3*");
	char *ack;

	(void)state;
	assert_int_equal(read_text(text), ORDO_EINVALID);
	assert_non_null(problem_at(19, X12_LEVEL_INTERCHANGE, 21));
	assert_false(doc.sets[0].accepted);
	ack = build_997(0, 9);
	assert_true(strncmp(ack + 106, "\nTA1*000000101*260115*0930*R*021~",
			    33) == 0);
	assert_non_null(strstr(ack, "AK5*R~\nAK9*R*1*1*0~"));
	reads_clean(ack, "997");
	free(ack);
	free(text);

	reset();
	text = edit(po_template, "IEA*1*000000101", "IEA*1*000000102");
	assert_int_equal(read_text(text), ORDO_EINVALID);
	assert_non_null(problem_at(19, X12_LEVEL_INTERCHANGE, 1));
	free(text);

	/* No IEA: the file ends first. */
	reset();
	text = edit(po_template, "IEA*1*000000101~", "");
	assert_int_equal(read_text(text), ORDO_EINVALID);
	assert_non_null(problem_at(0, X12_LEVEL_INTERCHANGE, 23));
	free(text);
}

/* Two interchanges, in two styles, one after the other: segments are
 * numbered across them. */
static void test_two_interchanges(void **state)
{
	char *second = restyle(po_template, '~', ':', '\r', "", "\n");
	char *b = edit(second, "000000101", "000000102");
	char *c = edit(b, "000000101", "000000102");
	char *d = edit(c, "PO-1001", "PO-1002");
	char *both = malloc(strlen(po_template) + strlen(d) + 2);
	const x12_problem *p;

	(void)state;
	sprintf(both, "%s\n%s", po_template, d);
	assert_int_equal(read_text(both), ORDO_OK);
	assert_int_equal(doc.n_interchanges, 2);
	assert_int_equal(doc.n_sets, 2);
	assert_int_equal(doc.interchanges[1].segment, 19); /* 0-based */
	assert_string_equal(doc.interchanges[1].control, "000000102");
	assert_string_equal(doc.sets[1].po_number, "PO-1002");
	take(0);
	assert_string_equal(o.external_id, "PO-1001");
	take(1);
	assert_string_equal(o.external_id, "PO-1002");

	/* A problem in the second one names its segment in the file. */
	free(both);
	reset();
	{
		char *bad = edit(d, "PO1~2~1.0~CA", "PO1~2~1.5~CA");

		both = malloc(strlen(po_template) + strlen(bad) + 1);
		sprintf(both, "%s%s", po_template, bad);
		free(bad);
	}
	assert_int_equal(read_text(both), ORDO_EINVALID);
	/* Its second PO1: segment 13 of the second 19. */
	p = problem_at(19 + 13, X12_LEVEL_ELEMENT, 0);
	assert_non_null(p);
	assert_int_equal(p->interchange, 1);
	assert_int_equal(p->set, 1);
	assert_int_equal(p->position, 11);
	assert_non_null(strstr(p->reason, "whole number"));
	assert_true(doc.sets[0].accepted);
	assert_false(doc.sets[1].accepted);
	free(both);
	free(second);
	free(b);
	free(c);
	free(d);
}

/* What a PO1 and a SAC may write, and what the currency comes from. */
static void test_values(void **state)
{
	static const struct {
		const char *from, *to;
		x12_level level;
		int code; /* -1: accepted */
	} cases[] = {
		{ "PO1*1*0003*", "PO1*1*0*", X12_LEVEL_ELEMENT, 0 },
		{ "PO1*1*0003*", "PO1*1*-3*", X12_LEVEL_ELEMENT, 0 },
		{ "PO1*1*0003*", "PO1*1*3x*", X12_LEVEL_ELEMENT, 6 },
		{ "PO1*1*0003*", "PO1*1**", X12_LEVEL_ELEMENT, 2 },
		{ "PO1*1*0003*", "PO1*1*2000000*", X12_LEVEL_ELEMENT, 0 },
		{ "*EA*12.50*", "*EA*12.505*", X12_LEVEL_ELEMENT, 0 },
		{ "*EA*12.50*", "*EA*12.5000*", X12_LEVEL_ELEMENT, -1 },
		{ "*EA*12.50*", "*EA**", X12_LEVEL_ELEMENT, 2 },
		{ "*EA*12.50*", "*EA*$12*", X12_LEVEL_ELEMENT, 6 },
		{ "*EA*12.50*", "*E*12.50*", X12_LEVEL_ELEMENT, 4 },
		{ "*EA*12.50*", "*E!*12.50*", X12_LEVEL_ELEMENT, 6 },
		{ "*EA*12.50*", "*XX*12.50*", X12_LEVEL_ELEMENT, -1 },
		{ "*VP*W-100*BP*B-9~", "~", X12_LEVEL_ELEMENT, 2 },
		{ "*VP*W-100*", "**W-100*", X12_LEVEL_ELEMENT, 2 },
		{ "*VP*W-100*", "*VP**", X12_LEVEL_ELEMENT, 2 },
		{ "20260114~", "20260230~", X12_LEVEL_ELEMENT, 8 },
		{ "BEG*00*SA*PO-1001*", "BEG*00*SA**", X12_LEVEL_ELEMENT, 1 },
		{ "CUR*BY*USD~", "CUR*BY*XYZ~", X12_LEVEL_ELEMENT, 7 },
		{ "*62701*USA~", "*62701*ZZZ~", X12_LEVEL_ELEMENT, 7 },
		{ "SAC*C*", "SAC*X*", X12_LEVEL_ELEMENT, 7 },
		{ "***1500~", "***15x0~", X12_LEVEL_ELEMENT, 6 },
		{ "N1*ST*Dock 4*92*W1~", "N1*ST*Dock 4*92*W1~N1*ST*Dock 5~",
		  X12_LEVEL_ELEMENT, 0 },
		{ "BEG*00*SA*PO-1001**20260114~", "CUR*BY*USD~",
		  X12_LEVEL_SEGMENT, 3 },
		{ "PID*F****Widget~", "PID*F****Widget~BEG*00*SA*X**20260114~",
		  X12_LEVEL_SEGMENT, 5 },
		{ "PO1*", "P@1*", X12_LEVEL_SEGMENT, 1 },
	};
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *text = edit(po_template, cases[i].from, cases[i].to);
		bool found = false;

		reset();
		read_text(text);
		if (cases[i].code < 0) {
			if (doc.n_problems)
				fail_msg("case %zu: %s", i,
					 doc.problems[0].reason);
			take(0);
		} else {
			for (k = 0; k < doc.n_problems; k++)
				found = found ||
					(doc.problems[k].level ==
						 cases[i].level &&
					 doc.problems[k].code ==
						 cases[i].code &&
					 doc.problems[k].reason[0]);
			if (!found)
				fail_msg("case %zu: no %s problem with code "
					 "%d (first: %s)",
					 i, x12_level_name(cases[i].level),
					 cases[i].code,
					 doc.n_problems
						 ? doc.problems[0].reason
						 : "none");
			assert_false(doc.sets[0].accepted);
		}
		free(text);
	}
}

static void test_amounts(void **state)
{
	char *a = edit(po_template, "SAC*C*D240***1500~",
		       "SAC*C*D240***1500~SAC*A*C310***250~"
		       "SAC*C*D240*****5~TXI*ST*1.10~");
	char *b = edit(a, "SE*15*", "SE*18*");
	char *c = edit(b, "AMT*TT*52.50~", "");
	char *d = edit(c, "SE*18*", "SE*17*");

	(void)state;
	assert_int_equal(read_text(d), ORDO_OK);
	take(0);
	assert_int_equal(o.totals.shipping, 1500);
	assert_int_equal(o.totals.discount, 250);
	assert_int_equal(o.totals.tax, 110);
	assert_int_equal(o.totals.subtotal, 3750);
	/* 37.50 + 15.00 + 1.10 - 2.50 */
	assert_int_equal(o.totals.total, 5110);
	assert_non_null(strstr(o.notes, "percent or rate"));
	free(a);
	free(b);
	free(c);
	free(d);

	/* Yen: no minor unit, so SAC05's two implied decimals must be 00. */
	reset();
	a = edit(po_template, "CUR*BY*USD", "CUR*BY*JPY");
	b = edit(a, "12.50**VP", "1250**VP");
	c = edit(b, "AMT*TT*52.50~", "AMT*TT*3765~");
	assert_int_equal(read_text(c), ORDO_OK);
	take(0);
	assert_string_equal(o.currency, "JPY");
	assert_int_equal(o.lines[0].unit_price, 1250);
	assert_int_equal(o.totals.shipping, 15);
	free(c);
	c = edit(b, "***1500~", "***1550~");
	reset();
	assert_int_equal(read_text(c), ORDO_EINVALID);
	assert_non_null(problem_at(7, X12_LEVEL_ELEMENT, 0));
	free(a);
	free(b);
	free(c);
}

static void test_currency_from_channel(void **state)
{
	char *a = edit(po_template, "CUR*BY*USD~", "");
	char *text = edit(a, "SE*15*", "SE*14*");
	const x12_problem *p;

	(void)state;
	snprintf(chan.currency, sizeof(chan.currency), "EUR");
	assert_int_equal(read_text(text), ORDO_OK);
	take(0);
	assert_string_equal(o.currency, "EUR");

	/* No CUR and no default: refused, naming the CUR where it would
	 * be, after the BEG. */
	reset();
	chan.currency[0] = '\0';
	assert_int_equal(read_text(text), ORDO_EINVALID);
	p = problem_at(5, X12_LEVEL_SEGMENT, 3);
	assert_non_null(p);
	assert_string_equal(p->segment_id, "CUR");
	assert_int_equal(p->position, 3);
	assert_non_null(strstr(p->reason, "no default currency"));
	free(a);
	free(text);
}

/* ---- limits ------------------------------------------------------------- */

static void test_limits(void **state)
{
	char *big, *text, *seg;
	size_t i, n;
	const x12_problem *p;

	(void)state;
	/* Over X12_MAX_FILE_BYTES: refused before anything is read. */
	n = X12_MAX_FILE_BYTES + 1;
	big = malloc(n);
	assert_non_null(big);
	memset(big, ' ', n);
	memcpy(big, po_template, strlen(po_template));
	assert_int_equal(x12_read(big, n, &chan, &doc, &err), ORDO_ELIMIT);
	assert_true(doc.refused);
	assert_int_equal(doc.n_sets, 0);
	assert_non_null(strstr(err.details[0].message, "X12_MAX_FILE_BYTES"));
	free(big);

	/* Over X12_MAX_SEGMENTS: the whole file is refused, even the set
	 * read before the limit. */
	reset();
	n = strlen(po_template) + (size_t)X12_MAX_SEGMENTS * 8 + 1;
	big = malloc(n);
	assert_non_null(big);
	{
		const char *se = strstr(po_template, "SE*15*");
		size_t k = (size_t)(se - po_template);

		/* The REFs inside the set, before its SE. */
		memcpy(big, po_template, k);
		for (i = 0; i < X12_MAX_SEGMENTS; i++) {
			memcpy(big + k, "REF*ZZ~", 7);
			k += 7;
		}
		strcpy(big + k, se);
	}
	assert_int_equal(read_text(big), ORDO_ELIMIT);
	assert_true(doc.refused);
	assert_false(doc.sets[0].accepted);
	assert_int_equal(x12_set_order(&doc, 0, &chan, &o, &err),
			 ORDO_ELIMIT);
	free(big);

	/* An element over X12_MAX_ELEMENT_BYTES: an error in its set. */
	reset();
	seg = malloc(X12_MAX_ELEMENT_BYTES + 32);
	assert_non_null(seg);
	strcpy(seg, "PID*F****");
	memset(seg + 9, 'x', X12_MAX_ELEMENT_BYTES + 1);
	strcpy(seg + 9 + X12_MAX_ELEMENT_BYTES + 1, "~");
	text = edit(po_template, "PID*F****Widget~", seg);
	assert_int_equal(read_text(text), ORDO_ELIMIT);
	p = problem_at(12, X12_LEVEL_ELEMENT, 5);
	assert_non_null(p);
	assert_true(p->limit);
	assert_non_null(strstr(p->reason, "X12_MAX_ELEMENT_BYTES"));
	free(text);
	free(seg);

	/* A segment over X12_MAX_ELEMENTS. */
	reset();
	seg = malloc(X12_MAX_ELEMENTS * 2 + 16);
	assert_non_null(seg);
	strcpy(seg, "REF");
	for (i = 0; i <= X12_MAX_ELEMENTS; i++)
		strcat(seg, "*1");
	strcat(seg, "~");
	text = edit(po_template, "CUR*BY*USD~", seg);
	assert_int_equal(read_text(text), ORDO_ELIMIT);
	p = problem_at(5, X12_LEVEL_ELEMENT, 3);
	assert_non_null(p);
	assert_int_equal(p->element, X12_MAX_ELEMENTS + 1);
	assert_non_null(strstr(p->reason, "X12_MAX_ELEMENTS"));
	free(text);
	free(seg);

	/* More PO1 lines than an order holds. */
	reset();
	n = (ORDO_MAX_LINES + 1) * 40 + 1;
	seg = malloc(n);
	assert_non_null(seg);
	seg[0] = '\0';
	for (i = 0; i <= ORDO_MAX_LINES; i++)
		strcat(seg, "PO1*1*1*EA*1**VP*A~");
	text = edit(po_template, "CTT*2~", seg);
	assert_int_equal(read_text(text), ORDO_ELIMIT);
	/* The 501st PO1: two in the template, then the inserted ones from
	 * segment 15 on. */
	p = problem_at(15 + ORDO_MAX_LINES - 2, X12_LEVEL_SEGMENT, 4);
	assert_non_null(p);
	assert_non_null(strstr(p->reason, "ORDO_MAX_LINES"));
	free(text);
	free(seg);
}

/* ---- unreadable and broken ISAs ----------------------------------------- */

static void test_unreadable_isa(void **state)
{
	x12_reply_opts opts = { .interchange_control = 1,
				.group_control = 1,
				.now = NOW };
	char *out = NULL, *text;
	size_t len;
	const x12_problem *p;

	(void)state;
	/* Cut short. */
	assert_int_equal(x12_read(po_template, 60, &chan, &doc, &err),
			 ORDO_EINVALID);
	assert_false(doc.interchanges[0].readable);
	p = problem_at(1, X12_LEVEL_INTERCHANGE, 23);
	assert_non_null(p);
	ordo_err_clear(&err);
	assert_int_equal(x12_997_build(&doc, 0, &opts, &out, &len, &err),
			 ORDO_EINVALID);
	assert_null(out);
	assert_non_null(strstr(err.message, "TA1 note code 023"));

	/* Not fixed-width (ISA06 one character short). */
	reset();
	text = edit(po_template, "*BUYER          *", "*BUYER         *");
	assert_int_equal(read_text(text), ORDO_EINVALID);
	assert_non_null(problem_at(1, X12_LEVEL_INTERCHANGE, 22));
	free(text);

	/* A letter as the element separator. */
	reset();
	text = edit(po_template, "ISA*", "ISAX");
	assert_int_equal(read_text(text), ORDO_EINVALID);
	assert_non_null(problem_at(1, X12_LEVEL_INTERCHANGE, 26));
	free(text);

	/* Not X12 at all. */
	reset();
	assert_int_equal(read_text("{\"order\": 1}"), ORDO_EINVALID);
	assert_int_equal(doc.n_interchanges, 0);
	assert_int_equal(doc.problems[0].level, X12_LEVEL_FILE);
	assert_string_equal(err.details[0].field, "file");
	reset();
	assert_int_equal(read_text(""), ORDO_EINVALID);
	assert_non_null(strstr(doc.problems[0].reason, "no interchange"));

	/* A readable ISA with a bad field: answered with a TA1 R. */
	reset();
	text = edit(po_template, "*260115*0930*", "*261399*0930*");
	assert_int_equal(read_text(text), ORDO_EINVALID);
	p = problem_at(1, X12_LEVEL_INTERCHANGE, 14);
	assert_non_null(p);
	assert_int_equal(p->element, 9);
	assert_false(doc.sets[0].accepted);
	out = build_997(0, 5);
	assert_non_null(strstr(out, "TA1*000000101*261399*0930*R*014~"));
	free(out);
	free(text);
}

/* ---- replies -------------------------------------------------------------- */

static void test_997_for_sample(void **state)
{
	static const char want[] =
		"ISA*00*          *00*          *14*ANOTHERMERCH   *ZZ*"
		"AMERCHANT      *261127*1015*U*00501*000000077*0*T*>~\n"
		"GS*FA*072271711TMS*READDEMO*20261127*1015*500*X*005010~\n"
		"ST*997*0001~\n"
		"AK1*OW*000000057~\n"
		"AK2*850*000000057~\n"
		"AK5*A~\n"
		"AK9*A*1*1*1~\n"
		"SE*6*0001~\n"
		"GE*1*500~\n"
		"IEA*1*000000077~\n";
	char *ack;

	(void)state;
	assert_int_equal(read_sample(S_STEDI_850), ORDO_OK);
	ack = build_997(0, 77);
	assert_string_equal(ack, want);
	reads_clean(ack, "997");
	free(ack);
}

/* The broken EdiFabric PO: AK3/AK4 for the unit, AK5 R with codes 4
 * (SE01) and 5 (segments in error), AK9 R; ISA14 asks for a TA1. */
static void test_997_for_broken_sample(void **state)
{
	static const char want[] =
		"ISA*00*          *00*          *14*RECEIVER1      *16*"
		"INVALID1       *261127*1015*U*00204*000000077*0*T*>~\n"
		"TA1*000000263*071216*1406*A*000~\n"
		"GS*FA*RECEIVER1*INVALID1*20261127*1015*500*X*004010~\n"
		"ST*997*0001~\n"
		"AK1*IN*000000001~\n"
		"AK2*850*0001~\n"
		"AK3*PO1*8**8~\n"
		"AK4*3**5*INVALID~\n"
		"AK5*R*4*5~\n"
		"AK9*R*1*1*0~\n"
		"SE*8*0001~\n"
		"GE*1*500~\n"
		"IEA*1*000000077~\n";
	char *ack;

	(void)state;
	assert_int_equal(read_sample(S_PO_INVALID), ORDO_EINVALID);
	ack = build_997(0, 77);
	assert_string_equal(ack, want);
	reads_clean(ack, "997");
	free(ack);

	/* One good set, one bad: AK9 P. */
	reset();
	assert_int_equal(read_sample(S_POS), ORDO_EINVALID);
	ack = build_997(0, 77);
	assert_non_null(strstr(ack, "AK2*850*0001~\nAK5*A~\nAK2*850*0002~\n"
				    "AK3*PO1*9**8~\nAK4*3**5*INVALID~\n"
				    "AK5*R*5~\nAK9*P*2*2*1~"));
	free(ack);
}

/* The separators of the original: PGW's "|" terminator and "~" ISA16. */
static void test_997_keeps_separators(void **state)
{
	char *ack;

	(void)state;
	assert_int_equal(read_sample(S_PGW), ORDO_OK);
	ack = build_997(0, 3);
	assert_non_null(strstr(ack, "*000000003*0*P*~|\nGS*FA*001903202U*"
				    "828513080*20261127*1015*500*X*004010|"));
	reads_clean(ack, "997");
	free(ack);
	reset();
	assert_int_equal(read_sample(S_NODE_850_2), ORDO_OK);
	ack = build_997(0, 3);
	/* A line feed terminator gets no second line feed. */
	assert_non_null(strstr(ack, "\nAK5*A\nAK9*A*1*1*1\n"));
	assert_null(strstr(ack, "\n\n"));
	reads_clean(ack, "997");
	free(ack);
}

static void test_855_for_sample(void **state)
{
	static const char want[] =
		"ISA*00*          *00*          *14*ANOTHERMERCH   *ZZ*"
		"AMERCHANT      *261127*1015*U*00501*000000078*0*T*>~\n"
		"GS*PR*072271711TMS*READDEMO*20261127*1015*600*X*005010~\n"
		"ST*855*0001~\n"
		"BAK*00*AC*365465413*20220830****ord_123*20261127~\n"
		"PO1*item-1*0008*EA*400**VC*VND1234567*SK*ACM/8900-400~\n"
		"ACK*IA*8*EA~\n"
		"PO1*item-2*0004*EA*125**VC*VND000111222*SK*ACM/1100-001~\n"
		"ACK*IB*4*EA*068*20261201~\n"
		"CTT*2~\n"
		"SE*8*0001~\n"
		"GE*1*600~\n"
		"IEA*1*000000078~\n";
	x12_855_line lines[2] = {
		{ .answer = X12_LINE_ACCEPTED },
		{ .answer = X12_LINE_BACKORDERED,
		  .quantity = 4,
		  .date = 1796083200 /* 2026-12-01 */ },
	};
	x12_855_answer ans = { .n_lines = 2,
			       .lines = lines,
			       .order_id = "ord_123" };
	x12_reply_opts opts = { .interchange_control = 78,
				.group_control = 600,
				.now = NOW,
				.newline = true };
	char *out;
	size_t len;

	(void)state;
	assert_int_equal(read_sample(S_STEDI_850), ORDO_OK);
	assert_int_equal(x12_855_build(&doc, 0, &ans, &opts, &out, &len,
				       &err),
			 ORDO_OK);
	assert_string_equal(out, want);
	reads_clean(out, "855");
	free(out);

	/* All accepted: AD; all rejected: RD; no lines: RJ. */
	lines[1].answer = X12_LINE_ACCEPTED;
	assert_int_equal(x12_855_build(&doc, 0, &ans, &opts, &out, &len,
				       &err),
			 ORDO_OK);
	assert_non_null(strstr(out, "BAK*00*AD*"));
	free(out);
	lines[0].answer = lines[1].answer = X12_LINE_REJECTED;
	assert_int_equal(x12_855_build(&doc, 0, &ans, &opts, &out, &len,
				       &err),
			 ORDO_OK);
	assert_non_null(strstr(out, "BAK*00*RD*"));
	assert_non_null(strstr(out, "ACK*IR*0*EA~"));
	reads_clean(out, "855");
	free(out);
	lines[0].answer = X12_LINE_QUANTITY_CHANGED;
	lines[0].quantity = 5;
	assert_int_equal(x12_855_build(&doc, 0, &ans, &opts, &out, &len,
				       &err),
			 ORDO_OK);
	assert_non_null(strstr(out, "ACK*IQ*5*EA~"));
	free(out);
	ans.n_lines = 0;
	ans.order_id = NULL;
	assert_int_equal(x12_855_build(&doc, 0, &ans, &opts, &out, &len,
				       &err),
			 ORDO_OK);
	assert_non_null(strstr(out, "BAK*00*RJ*365465413*20220830*****"
				    "20261127~\nSE*3*0001~"));
	reads_clean(out, "855");
	free(out);

	/* Refusals. */
	ans.n_lines = 1;
	assert_int_equal(x12_855_build(&doc, 0, &ans, &opts, &out, &len,
				       &err),
			 ORDO_EINVALID);
	ordo_err_clear(&err);
	ans.n_lines = 2;
	ans.order_id = "ord*1";
	assert_int_equal(x12_855_build(&doc, 0, &ans, &opts, &out, &len,
				       &err),
			 ORDO_EINVALID);
	ordo_err_clear(&err);
	ans.order_id = NULL;
	lines[0].quantity = 0;
	assert_int_equal(x12_855_build(&doc, 0, &ans, &opts, &out, &len,
				       &err),
			 ORDO_EINVALID);
	ordo_err_clear(&err);
	lines[0].quantity = 5;
	opts.interchange_control = 1000000000;
	assert_int_equal(x12_855_build(&doc, 0, &ans, &opts, &out, &len,
				       &err),
			 ORDO_EINVALID);
	ordo_err_clear(&err);
}

/* The 855 in the 850's separators and version: the PGW one, 4010. */
static void test_855_keeps_version(void **state)
{
	x12_855_line lines[4] = { { .answer = X12_LINE_ACCEPTED },
				  { .answer = X12_LINE_ACCEPTED },
				  { .answer = X12_LINE_ACCEPTED },
				  { .answer = X12_LINE_REJECTED } };
	x12_855_answer ans = { .n_lines = 4, .lines = lines };
	x12_reply_opts opts = { .interchange_control = 1,
				.group_control = 1,
				.now = NOW };
	char *out;
	size_t len;

	(void)state;
	assert_int_equal(read_sample(S_PGW), ORDO_OK);
	assert_int_equal(x12_855_build(&doc, 0, &ans, &opts, &out, &len,
				       &err),
			 ORDO_OK);
	assert_non_null(strstr(out, "*U*00400*000000001*0*P*~|GS*PR*"));
	assert_non_null(strstr(out, "*1*X*004010|ST*855*0001|BAK*00*AC*"
				    "S41000439*20100810*****20261127|"));
	assert_non_null(strstr(out, "|PO1*4*1*EA*85.25*UM*BP*0684202074|"
				    "ACK*IR*0*EA|CTT*4|"));
	reads_clean(out, "855");
	free(out);
}

/* Every sample's 997 reads back clean, and names each of its sets. */
static void test_round_trip_every_sample(void **state)
{
	size_t k, i;

	(void)state;
	for (k = 0; k < sizeof(samples) / sizeof(samples[0]); k++) {
		reset();
		read_sample(samples[k].path);
		for (i = 0; i < doc.n_interchanges; i++) {
			char *ack = build_997(i, 10 + i);
			size_t s;

			reads_clean(ack, NULL);
			for (s = 0; s < doc.n_sets; s++) {
				char ak2[64];

				if (doc.groups[doc.sets[s].group].interchange !=
					    i ||
				    !doc.groups[doc.sets[s].group].named ||
				    strlen(doc.sets[s].control) < 4)
					continue;
				snprintf(ak2, sizeof(ak2), "AK2%c%s%c%s",
					 doc.interchanges[i].element_sep,
					 doc.sets[s].id,
					 doc.interchanges[i].element_sep,
					 doc.sets[s].control);
				assert_non_null(strstr(ack, ak2));
			}
			free(ack);
		}
	}
}

/* ---- robustness ----------------------------------------------------------- */

/* Read n bytes at buf: whatever they are, every problem has a reason, an
 * error has a message, every 997 that can be built reads back clean, and
 * every accepted 850 gives its order. */
static void read_anything(const char *buf, size_t n)
{
	x12_reply_opts opts = { .interchange_control = 1,
				.group_control = 1,
				.now = NOW };
	ordo_code rc;
	size_t i;

	reset();
	rc = x12_read(buf, n, &chan, &doc, &err);
	assert_true(rc == ORDO_OK || rc == ORDO_EINVALID ||
		    rc == ORDO_ELIMIT);
	if (rc != ORDO_OK) {
		assert_true(err.message[0] != '\0');
		assert_true(doc.n_problems + doc.n_dropped > 0);
	}
	for (i = 0; i < err.n_details; i++)
		assert_true(err.details[i].message[0] != '\0');
	for (i = 0; i < doc.n_problems; i++)
		assert_true(doc.problems[i].reason[0] != '\0');
	for (i = 0; i < doc.n_interchanges; i++) {
		ordo_err e = ORDO_ERR_INIT;
		char *out = NULL;
		size_t len;

		if (x12_997_build(&doc, i, &opts, &out, &len, &e) == ORDO_OK) {
			reads_clean(out, NULL);
			free(out);
		} else {
			assert_false(doc.interchanges[i].readable);
			assert_true(e.message[0] != '\0');
		}
		ordo_err_clear(&e);
	}
	for (i = 0; i < doc.n_sets; i++) {
		ordo_err e = ORDO_ERR_INIT;
		order one;

		order_init(&one);
		rc = x12_set_order(&doc, i, &chan, &one, &e);
		assert_int_equal(rc == ORDO_OK, doc.sets[i].accepted &&
							 doc.sets[i].kind ==
								 X12_SET_ORDER);
		if (rc == ORDO_OK) {
			x12_855_line lines[ORDO_MAX_LINES];
			x12_855_answer ans = { .n_lines = one.n_lines,
					       .lines = lines };
			char *out = NULL;
			size_t len, k;

			assert_int_equal(order_check(&one, &e), ORDO_OK);
			assert_int_equal(one.n_lines, doc.sets[i].n_lines);
			for (k = 0; k < one.n_lines; k++)
				lines[k].answer = X12_LINE_ACCEPTED;
			if (x12_855_build(&doc, i, &ans, &opts, &out, &len,
					  &e) != ORDO_OK)
				fail_msg("855 refused: %s\n%.*s", e.message,
					 (int)n, buf);
			reads_clean(out, "855");
			free(out);
		} else {
			assert_true(e.message[0] != '\0');
		}
		order_free(&one);
		ordo_err_clear(&e);
	}
}

static void test_every_prefix(void **state)
{
	size_t k, n;

	(void)state;
	for (k = 0; k < sizeof(samples) / sizeof(samples[0]); k++) {
		size_t len;
		char *buf = read_file(samples[k].path, &len);

		for (n = 0; n <= len; n++) {
			/* A copy of exactly n bytes, for ASan to watch. */
			char *cut = malloc(n ? n : 1);

			assert_non_null(cut);
			memcpy(cut, buf, n);
			read_anything(cut, n);
			free(cut);
		}
		free(buf);
	}
}

static void test_every_byte_replaced(void **state)
{
	static const char with[] = { '~', '*', '\n', '\0' };
	size_t k, i, w;

	(void)state;
	for (k = 0; k < sizeof(samples) / sizeof(samples[0]); k++) {
		size_t len;
		char *buf = read_file(samples[k].path, &len);

		for (w = 0; w < sizeof(with); w++)
			for (i = 0; i < len; i++) {
				char was = buf[i];

				buf[i] = with[w];
				read_anything(buf, len);
				buf[i] = was;
			}
		free(buf);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stedi_850, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stedi_850_mapped, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pgw_850, setup, teardown),
		cmocka_unit_test_setup_teardown(test_adobe_850, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_node_850_both_terminators,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_edifabric_850, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_purchase_order_invalid,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_purchase_orders_second_invalid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mixed_transactions, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_every_sample, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_separator_styles, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_repetition_separator,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_broken_se_count, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_broken_ctt_count, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_broken_ge_count, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_broken_iea_count, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_two_interchanges, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_amounts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_currency_from_channel,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unreadable_isa, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_997_for_sample, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_997_for_broken_sample,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_997_keeps_separators,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_855_for_sample, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_855_keeps_version, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_round_trip_every_sample,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_prefix, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_every_byte_replaced,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
