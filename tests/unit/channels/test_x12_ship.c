/*
 * test_x12_ship.c - warehouses' 856 ship notices and 945 warehouse
 * shipping advices read as notices of what shipped (channels/x12_ship.c),
 * from the real samples (tests/samples/x12) and from files written here.
 */
#include "files.h"

#include <string.h>

#include "channels/x12.h"

#define X12_DIR ORDO_SAMPLES_DIR "/x12/"

/* The notices of the first 856 or 945 set of text. */
static x12_notice *notices_of(const char *text, size_t len, size_t *n)
{
	ordo_err err = ORDO_ERR_INIT;
	ordo_channel ch;
	x12_notice *v = NULL;
	x12_doc d;
	size_t s;

	channel_init(&ch);
	x12_doc_init(&d);
	x12_read(text, len, &ch, &d, &err);
	ordo_err_clear(&err);
	for (s = 0; s < d.n_sets && !x12_set_is_notice(&d, s); s++)
		;
	assert_true(s < d.n_sets);
	assert_int_equal(x12_set_notices(&d, s, &v, n, &err), ORDO_OK);
	x12_doc_free(&d);
	return v;
}

static x12_notice *sample(const char *name, size_t *n)
{
	char path[512];
	size_t len;
	char *text;
	x12_notice *v;

	snprintf(path, sizeof(path), "%s%s", X12_DIR, name);
	text = read_file(path, &len);
	v = notices_of(text, len, n);
	free(text);
	return v;
}

static void test_an_856_of_two_orders(void **state)
{
	size_t n;
	x12_notice *v = sample("EdiFabric_X12.NET__Files_X12_ShipNotice.txt",
			       &n);

	(void)state;
	assert_int_equal(n, 2);
	assert_string_equal(v[0].order_ref, "9988776655");
	assert_string_equal(v[1].order_ref, "2288115555");
	/* TD503, the SCAC; REF CN beats REF BM. */
	assert_string_equal(v[0].carrier, "JBHT");
	assert_string_equal(v[0].tracking, "082131");
	assert_string_equal(v[1].tracking, "082131");
	/* DTM 011 "200" is no date. */
	assert_int_equal(v[0].shipped_at, 0);
	assert_int_equal(v[0].n_lines, 2);
	assert_string_equal(v[0].lines[0].ids[0].q, "UP");
	assert_string_equal(v[0].lines[0].ids[0].id, "008815509183");
	assert_int_equal(v[0].lines[0].quantity, 4);
	assert_int_equal(v[0].lines[1].quantity, 9);
	assert_string_equal(v[0].problem, "");
	x12_notices_free(v, n);
}

static void test_an_856_with_line_ids_and_two_codes(void **state)
{
	size_t n;
	x12_notice *v = sample("aaronhuggins_node-x12__test_test-data_856.edi",
			       &n);
	ordo_channel ch;
	channel_sku map = {"999999311746", "RED-WIDGET"};
	char sku[64];
	ordo_err err = ORDO_ERR_INIT;

	(void)state;
	assert_int_equal(n, 1);
	assert_string_equal(v[0].order_ref, "99999817");
	assert_string_equal(v[0].tracking, "5787970539"); /* REF CN */
	assert_int_equal(v[0].shipped_at, 1323129600);	  /* 2011-12-06 */
	assert_int_equal(v[0].n_lines, 2);
	assert_string_equal(v[0].lines[0].line_id, "1");
	assert_int_equal(v[0].lines[0].quantity, 24);
	assert_string_equal(v[0].lines[1].line_id, "2");
	assert_int_equal(v[0].lines[1].quantity, 6);
	/* The vendor's part number is the SKU, unless the mapping names a
	 * code of the line. */
	channel_init(&ch);
	assert_true(x12_notice_line_sku(&ch, &v[0].lines[1], sku,
					sizeof(sku)));
	assert_string_equal(sku, "99887D");
	assert_int_equal(channel_set_skus(&ch, &map, 1, &err), ORDO_OK);
	assert_true(x12_notice_line_sku(&ch, &v[0].lines[1], sku,
					sizeof(sku)));
	assert_string_equal(sku, "RED-WIDGET");
	channel_free(&ch);
	x12_notices_free(v, n);
}

static void test_945s(void **state)
{
	size_t n;
	x12_notice *v = sample(
		"EdiFabric_X12.NET__Files_X12_WarehouseShippingAdvice.txt", &n);

	(void)state;
	assert_int_equal(n, 1);
	assert_string_equal(v[0].order_ref, "12345"); /* W0602 */
	assert_string_equal(v[0].carrier, "TRUK");    /* W2702 */
	assert_string_equal(v[0].tracking, "123456"); /* W0604 */
	assert_true(v[0].n_lines >= 2);
	assert_int_equal(v[0].lines[0].quantity, 72);
	assert_string_equal(v[0].lines[0].ids[0].q, "UK");
	assert_string_equal(v[0].lines[0].ids[0].id, "10071179016458");
	assert_string_equal(v[0].problem, "");
	x12_notices_free(v, n);

	/* No depositor order number, no PO: nothing to ship against. */
	v = sample("Inteligenz_X12Parser__tests_OopFactory.X12.Tests.Unit_"
		   "Parsing__SampleEdiFiles_WAR__945_inter-americanproducts."
		   "txt",
		   &n);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].order_ref, "");
	assert_int_equal(v[0].n_lines, 3);
	assert_string_equal(v[0].lines[2].ids[0].q, "IN");
	assert_string_equal(v[0].lines[2].ids[0].id, "133848");
	assert_int_equal(v[0].lines[2].quantity, 400);
	assert_string_equal(v[0].tracking, "K018293-00010"); /* N9 2I */
	assert_int_equal(v[0].shipped_at, 1032134400);	     /* G62 11 */
	assert_non_null(strstr(v[0].problem, "names no order"));
	x12_notices_free(v, n);
}

#define ISA "ISA*00*          *00*          *ZZ*WAREHOUSE      *ZZ*ORDO " \
	    "          *261206*1200*U*00401*000000101*0*P*>~"

static void test_what_is_no_shipment(void **state)
{
	static const char half[] =
		ISA "GS*SH*WAREHOUSE*ORDO*20261206*1200*1*X*004010~"
		    "ST*856*0001~BSN*00*S1*20261206*1200~HL*1**S~"
		    "HL*2*1*O~PRF*PO-9~HL*3*2*I~LIN*1*VP*MUG~SN1*1*1.5*EA~"
		    "SE*9*0001~GE*1*1~IEA*1*000000101~";
	static const char none[] =
		ISA "GS*SH*WAREHOUSE*ORDO*20261206*1200*1*X*004010~"
		    "ST*856*0001~BSN*00*S1*20261206*1200~HL*1**S~"
		    "HL*2*1*O~PRF*PO-9~HL*3*2*I~LIN*1*VP*MUG~SN1*1*0*EA~"
		    "SE*9*0001~GE*1*1~IEA*1*000000101~";
	size_t n;
	x12_notice *v = notices_of(half, sizeof(half) - 1, &n);

	(void)state;
	assert_int_equal(n, 1);
	assert_non_null(strstr(v[0].problem, "\"1.5\""));
	assert_non_null(strstr(v[0].problem, "segment 10"));
	x12_notices_free(v, n);
	v = notices_of(none, sizeof(none) - 1, &n);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].n_lines, 0);
	assert_non_null(strstr(v[0].problem, "ships no unit"));
	/* The BSN02 is the tracking when nothing better is given. */
	assert_string_equal(v[0].tracking, "S1");
	x12_notices_free(v, n);
}

static void test_an_856_of_two_shipments(void **state)
{
	static const char two[] =
		ISA "GS*SH*WAREHOUSE*ORDO*20261206*1200*1*X*004010~"
		    "ST*856*0001~BSN*00*S1*20261206*1200~"
		    "HL*1**S~TD5*B*2*UPSN~REF*CN*TRACK-A~"
		    "HL*2*1*O~PRF*PO-1~HL*3*2*I~LIN*1*VP*MUG~SN1*1*1*EA~"
		    "HL*4**S~TD5*B*2*FDEG~REF*BM*BOL-B~DTM*011*20261207~"
		    "HL*5*4*O~PRF*PO-2~HL*6*5*I~LIN*1*VP*CAP~SN1*1*2*EA~"
		    "SE*19*0001~GE*1*1~IEA*1*000000101~";
	size_t n;
	x12_notice *v = notices_of(two, sizeof(two) - 1, &n);

	(void)state;
	assert_int_equal(n, 2);
	assert_string_equal(v[0].carrier, "UPSN");
	assert_string_equal(v[0].tracking, "TRACK-A");
	assert_int_equal(v[0].shipped_at, 0);
	/* The second shipment's own, nothing of the first's. */
	assert_string_equal(v[1].order_ref, "PO-2");
	assert_string_equal(v[1].carrier, "FDEG");
	assert_string_equal(v[1].tracking, "BOL-B");
	assert_int_equal(v[1].shipped_at, 1796601600); /* 2026-12-07 */
	assert_int_equal(v[1].n_lines, 1);
	assert_int_equal(v[1].lines[0].quantity, 2);
	x12_notices_free(v, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_an_856_of_two_orders),
		cmocka_unit_test(test_an_856_with_line_ids_and_two_codes),
		cmocka_unit_test(test_945s),
		cmocka_unit_test(test_what_is_no_shipment),
		cmocka_unit_test(test_an_856_of_two_shipments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
