/*
 * test_fingerprint.c - the duplicate fingerprint: what must not change it
 * (case, spacing, punctuation, line order, split lines, channel, external id,
 * prices, notes, times) and what must (customer, address, SKU, quantity).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/fingerprint.h"

static void set_line(order *o, size_t i, const char *sku, int64_t qty,
		     ordo_money price)
{
	ordo_strlcpy(o->lines[i].sku, sku, sizeof(o->lines[i].sku));
	o->lines[i].line_no = (int)i + 1;
	o->lines[i].quantity = qty;
	o->lines[i].unit_price = price;
}

static void base_header(order *o)
{
	order_init(o);
	ordo_strlcpy(o->channel, "web", sizeof(o->channel));
	ordo_strlcpy(o->external_id, "1001", sizeof(o->external_id));
	ordo_strlcpy(o->currency, "USD", sizeof(o->currency));
	ordo_strlcpy(o->customer.name, "Ann Smith", sizeof(o->customer.name));
	ordo_strlcpy(o->customer.email, "ann@example.com",
		     sizeof(o->customer.email));
	ordo_strlcpy(o->ship_to.name, "Ann Smith", sizeof(o->ship_to.name));
	ordo_strlcpy(o->ship_to.line1, "1 Main St.", sizeof(o->ship_to.line1));
	ordo_strlcpy(o->ship_to.line2, "Apt 4", sizeof(o->ship_to.line2));
	ordo_strlcpy(o->ship_to.city, "Springfield", sizeof(o->ship_to.city));
	ordo_strlcpy(o->ship_to.region, "IL", sizeof(o->ship_to.region));
	ordo_strlcpy(o->ship_to.postal_code, "62701",
		     sizeof(o->ship_to.postal_code));
	ordo_strlcpy(o->ship_to.country, "US", sizeof(o->ship_to.country));
}

/* Ann orders 2 x SKU-A and 1 x SKU-B. */
static void base(order *o)
{
	base_header(o);
	assert_int_equal(order_lines_alloc(o, 2, NULL), ORDO_OK);
	set_line(o, 0, "SKU-A", 2, 1000);
	set_line(o, 1, "SKU-B", 1, 500);
}

static void fp(order *o)
{
	ordo_err err = ORDO_ERR_INIT;

	ordo_err_clear(&err);
	assert_int_equal(fingerprint_order(o, &err), ORDO_OK);
	assert_int_equal(strlen(o->fingerprint), 64);
	assert_int_equal(strspn(o->fingerprint, "0123456789abcdef"), 64);
}

static char base_fp[65];

static int setup(void **state)
{
	order o;

	(void)state;
	base(&o);
	fp(&o);
	memcpy(base_fp, o.fingerprint, sizeof(base_fp));
	order_free(&o);
	return 0;
}

static void assert_same(order *o)
{
	char text[512];

	fp(o);
	fingerprint_canonical(o, text, sizeof(text));
	if (strcmp(o->fingerprint, base_fp) != 0)
		fail_msg("fingerprint changed; canonical text: %s", text);
	order_free(o);
}

static void assert_different(order *o)
{
	fp(o);
	assert_string_not_equal(o->fingerprint, base_fp);
	order_free(o);
}

static void test_canonical_text(void **unused)
{
	order o;
	char buf[512];
	const char *want = "c=e:ann@example.com|n=annsmith|a=1mainst|apt4|"
			   "springfield|62701|us|l=SKU-A*2,SKU-B*1";
	size_t n;

	(void)unused;
	base(&o);
	n = fingerprint_canonical(&o, buf, sizeof(buf));
	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));

	/* snprintf semantics: the length needed whatever the size. */
	assert_int_equal(fingerprint_canonical(&o, NULL, 0), n);
	assert_int_equal(fingerprint_canonical(&o, buf, 6), n);
	assert_string_equal(buf, "c=e:a");
	assert_int_equal(fingerprint_canonical(&o, buf, n), n);
	assert_int_equal(strlen(buf), n - 1);
	assert_int_equal(fingerprint_canonical(&o, buf, n + 1), n);
	assert_string_equal(buf, want);
	order_free(&o);
}

static void test_known_hash(void **unused)
{
	order o;

	(void)unused;
	/* Computed independently: printf '<canonical text>' | sha256sum */
	base(&o);
	fp(&o);
	assert_string_equal(o.fingerprint, "a4b064fa9ea60f9f4d383c953005fe03"
					   "66b3e839ddea57745f172ffe395d0391");
	order_free(&o);

	order_init(&o); /* empty: "c=n:|n=|a=|||||l=" */
	fp(&o);
	assert_string_equal(o.fingerprint, "822c6b4978c1f47ca9b85a38594f8e2a"
					   "bfc699c333501b1754841562ee837a16");
	order_free(&o);
}

static void test_stable(void **unused)
{
	order o;

	(void)unused;
	base(&o);
	assert_same(&o);
}

static void test_case_spacing_punctuation(void **unused)
{
	order o;

	(void)unused;
	base(&o);
	ordo_strlcpy(o.customer.email, "  ANN@Example.COM ",
		     sizeof(o.customer.email));
	ordo_strlcpy(o.ship_to.name, "ANN  SMITH", sizeof(o.ship_to.name));
	ordo_strlcpy(o.ship_to.line1, "1, main st", sizeof(o.ship_to.line1));
	ordo_strlcpy(o.ship_to.line2, "APT. #4", sizeof(o.ship_to.line2));
	ordo_strlcpy(o.ship_to.city, "SPRING-FIELD", sizeof(o.ship_to.city));
	ordo_strlcpy(o.ship_to.postal_code, " 62701 ",
		     sizeof(o.ship_to.postal_code));
	ordo_strlcpy(o.ship_to.country, "us", sizeof(o.ship_to.country));
	set_line(&o, 0, " sku-a ", 2, 1000);
	assert_same(&o);
}

static void test_line_order_and_split(void **unused)
{
	order o;

	(void)unused;
	/* Reversed. */
	base_header(&o);
	assert_int_equal(order_lines_alloc(&o, 2, NULL), ORDO_OK);
	set_line(&o, 0, "SKU-B", 1, 500);
	set_line(&o, 1, "SKU-A", 2, 1000);
	assert_same(&o);

	/* Split across lines, in mixed case, interleaved. */
	base_header(&o);
	assert_int_equal(order_lines_alloc(&o, 3, NULL), ORDO_OK);
	set_line(&o, 0, "sku-a", 1, 1000);
	set_line(&o, 1, "SKU-B", 1, 500);
	set_line(&o, 2, "Sku-A", 1, 1000);
	assert_same(&o);
}

static void test_ignored_fields(void **unused)
{
	order o;

	(void)unused;
	base(&o);
	ordo_strlcpy(o.channel, "shopify", sizeof(o.channel));
	ordo_strlcpy(o.external_id, "#5555", sizeof(o.external_id));
	ordo_strlcpy(o.id, "ord_other", sizeof(o.id));
	ordo_strlcpy(o.notes, "leave at door", sizeof(o.notes));
	ordo_strlcpy(o.currency, "EUR", sizeof(o.currency));
	o.lines[0].unit_price = 1;
	o.lines[1].unit_price = 999999;
	ordo_strlcpy(o.lines[0].title, "Widget", sizeof(o.lines[0].title));
	o.totals.total = 123456;
	o.shipping.amount = 700;
	o.placed_at = 1;
	o.received_at = 2;
	o.tenant_id = 9;
	o.payment = PAYMENT_PAID;
	ordo_strlcpy(o.ship_to.region, "Illinois", sizeof(o.ship_to.region));
	ordo_strlcpy(o.ship_to.company, "ACME", sizeof(o.ship_to.company));
	ordo_strlcpy(o.ship_to.phone, "555", sizeof(o.ship_to.phone));
	/* Phone and name do not count while there is an email. */
	ordo_strlcpy(o.customer.phone, "555-0100", sizeof(o.customer.phone));
	ordo_strlcpy(o.customer.name, "A. Smith", sizeof(o.customer.name));
	ordo_strlcpy(o.customer.external_id, "cust-9",
		     sizeof(o.customer.external_id));
	o.has_bill_to = true;
	ordo_strlcpy(o.bill_to.line1, "elsewhere", sizeof(o.bill_to.line1));
	assert_same(&o);
}

static void test_differences(void **unused)
{
	order o;

	(void)unused;
	base(&o);
	ordo_strlcpy(o.customer.email, "bob@example.com",
		     sizeof(o.customer.email));
	assert_different(&o);

	base(&o);
	ordo_strlcpy(o.ship_to.name, "Bob Smith", sizeof(o.ship_to.name));
	assert_different(&o);

	base(&o);
	ordo_strlcpy(o.ship_to.line1, "2 Main St", sizeof(o.ship_to.line1));
	assert_different(&o);

	base(&o);
	o.ship_to.line2[0] = '\0';
	assert_different(&o);

	base(&o);
	ordo_strlcpy(o.ship_to.city, "Shelbyville", sizeof(o.ship_to.city));
	assert_different(&o);

	base(&o);
	ordo_strlcpy(o.ship_to.postal_code, "62702",
		     sizeof(o.ship_to.postal_code));
	assert_different(&o);

	base(&o);
	ordo_strlcpy(o.ship_to.country, "CA", sizeof(o.ship_to.country));
	assert_different(&o);

	base(&o);
	set_line(&o, 1, "SKU-C", 1, 500);
	assert_different(&o);

	base(&o);
	set_line(&o, 0, "SKU-A", 3, 1000);
	assert_different(&o);

	/* A line more or a line less. */
	base_header(&o);
	assert_int_equal(order_lines_alloc(&o, 1, NULL), ORDO_OK);
	set_line(&o, 0, "SKU-A", 2, 1000);
	assert_different(&o);

	/* Moving a line from one address part to another still differs. */
	base(&o);
	ordo_strlcpy(o.ship_to.line1, "1 Main St Apt 4",
		     sizeof(o.ship_to.line1));
	o.ship_to.line2[0] = '\0';
	assert_different(&o);
}

static void test_customer_identity(void **unused)
{
	order a, b;
	char ta[512], tb[512];

	(void)unused;
	/* Without email, the phone's digits identify the customer. */
	base(&a);
	a.customer.email[0] = '\0';
	ordo_strlcpy(a.customer.phone, "+1 (555) 010-0100",
		     sizeof(a.customer.phone));
	base(&b);
	b.customer.email[0] = '\0';
	ordo_strlcpy(b.customer.phone, "1.555.010.0100",
		     sizeof(b.customer.phone));
	fp(&a);
	fp(&b);
	assert_string_equal(a.fingerprint, b.fingerprint);
	assert_string_not_equal(a.fingerprint, base_fp);
	fingerprint_canonical(&a, ta, sizeof(ta));
	assert_non_null(strstr(ta, "c=p:15550100100|"));
	ordo_strlcpy(b.customer.phone, "1.555.010.0101",
		     sizeof(b.customer.phone));
	fp(&b);
	assert_string_not_equal(a.fingerprint, b.fingerprint);
	order_free(&a);
	order_free(&b);

	/* Without either, the normalised name. */
	base(&a);
	a.customer.email[0] = '\0';
	ordo_strlcpy(a.customer.name, "Ann  Smith", sizeof(a.customer.name));
	base(&b);
	b.customer.email[0] = '\0';
	ordo_strlcpy(b.customer.name, "ann smith.", sizeof(b.customer.name));
	fp(&a);
	fp(&b);
	assert_string_equal(a.fingerprint, b.fingerprint);
	fingerprint_canonical(&a, ta, sizeof(ta));
	fingerprint_canonical(&b, tb, sizeof(tb));
	assert_string_equal(ta, tb);
	assert_non_null(strstr(ta, "c=n:annsmith|"));
	ordo_strlcpy(b.customer.name, "Ann Smyth", sizeof(b.customer.name));
	fp(&b);
	assert_string_not_equal(a.fingerprint, b.fingerprint);
	order_free(&a);
	order_free(&b);
}

static void test_separators_escaped(void **unused)
{
	order a, b;
	char ta[512], tb[512];

	(void)unused;
	/* One SKU "A*1,B" x2 must not read like "A" x1 and "B" x2. */
	base_header(&a);
	assert_int_equal(order_lines_alloc(&a, 1, NULL), ORDO_OK);
	set_line(&a, 0, "A*1,B", 2, 1);
	base_header(&b);
	assert_int_equal(order_lines_alloc(&b, 2, NULL), ORDO_OK);
	set_line(&b, 0, "A", 1, 1);
	set_line(&b, 1, "B", 2, 1);
	fingerprint_canonical(&a, ta, sizeof(ta));
	fingerprint_canonical(&b, tb, sizeof(tb));
	assert_string_not_equal(ta, tb);
	assert_non_null(strstr(ta, "l=A%2A1%2CB*2"));
	fp(&a);
	fp(&b);
	assert_string_not_equal(a.fingerprint, b.fingerprint);
	order_free(&a);
	order_free(&b);
}

static void test_non_ascii_kept(void **unused)
{
	order a, b;

	(void)unused;
	/* Names in other scripts must not all collapse to "". */
	base(&a);
	ordo_strlcpy(a.ship_to.name, "王小明", sizeof(a.ship_to.name));
	base(&b);
	ordo_strlcpy(b.ship_to.name, "李大华", sizeof(b.ship_to.name));
	fp(&a);
	fp(&b);
	assert_string_not_equal(a.fingerprint, b.fingerprint);
	order_free(&a);
	order_free(&b);
}

static void test_max_lines(void **unused)
{
	order a, b;
	size_t i;
	char sku[16];

	(void)unused;
	/* 500 lines, in opposite orders, give the same fingerprint. */
	base_header(&a);
	base_header(&b);
	assert_int_equal(order_lines_alloc(&a, ORDO_MAX_LINES, NULL), ORDO_OK);
	assert_int_equal(order_lines_alloc(&b, ORDO_MAX_LINES, NULL), ORDO_OK);
	for (i = 0; i < ORDO_MAX_LINES; i++) {
		snprintf(sku, sizeof(sku), "LONG-SKU-%05zu", i % 250);
		set_line(&a, i, sku, (int64_t)i + 1, 1);
		set_line(&b, ORDO_MAX_LINES - 1 - i, sku, (int64_t)i + 1, 1);
	}
	fp(&a);
	fp(&b);
	assert_string_equal(a.fingerprint, b.fingerprint);
	assert_true(fingerprint_canonical(&a, NULL, 0) > 250 * 14);
	order_free(&a);
	order_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canonical_text),
		cmocka_unit_test(test_known_hash),
		cmocka_unit_test(test_stable),
		cmocka_unit_test(test_case_spacing_punctuation),
		cmocka_unit_test(test_line_order_and_split),
		cmocka_unit_test(test_ignored_fields),
		cmocka_unit_test(test_differences),
		cmocka_unit_test(test_customer_identity),
		cmocka_unit_test(test_separators_escaped),
		cmocka_unit_test(test_non_ascii_kept),
		cmocka_unit_test(test_max_lines),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
