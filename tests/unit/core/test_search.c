/*
 * test_search.c - the words an order is found by and the terms a caller's
 * text becomes: splitting and lowering, phone numbers by their digits,
 * exact tokens, the tenant in every token, the limits on q, and query
 * syntax taken as text.
 */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/search.h"

/* The terms of text, space-separated, into out; the parse's code. */
static ordo_code terms_of(const char *text, char *out, size_t size)
{
	search_query q;
	ordo_err err = ORDO_ERR_INIT;
	ordo_code rc = search_query_parse(text, "q", &q, &err);
	size_t i, len = 0;

	out[0] = '\0';
	for (i = 0; rc == ORDO_OK && i < q.n_terms; i++) {
		snprintf(out + len, size - len, "%s%s", i ? " " : "",
			 q.terms[i]);
		len = strlen(out);
	}
	if (rc)
		assert_string_equal(err.field, "q");
	ordo_err_clear(&err);
	return rc;
}

static void test_terms(void **state)
{
	char t[512];

	(void)state;
	assert_int_equal(terms_of("Jane Doe", t, sizeof(t)), ORDO_OK);
	assert_string_equal(t, "jane doe");
	assert_int_equal(terms_of("jane@exa", t, sizeof(t)), ORDO_OK);
	assert_string_equal(t, "jane exa");
	assert_int_equal(terms_of("TSHIRT-RED-M", t, sizeof(t)), ORDO_OK);
	assert_string_equal(t, "tshirt red m");
	assert_int_equal(terms_of("SW1A 1AA", t, sizeof(t)), ORDO_OK);
	assert_string_equal(t, "sw1a 1aa");
	/* Query syntax is separators and words like any other. */
	assert_int_equal(terms_of("\"a\" OR b* NEAR(c) x:y -z", t, sizeof(t)),
			 ORDO_OK);
	assert_string_equal(t, "a or b near c x y z");
	/* Multi-byte characters are part of words, kept as they are. */
	assert_int_equal(terms_of("Ålborg Ärger", t, sizeof(t)), ORDO_OK);
	assert_string_equal(t, "Ålborg Ärger");
}

static void test_phone_terms(void **state)
{
	char t[512];

	(void)state;
	assert_int_equal(terms_of("+1 (555) 010-2345", t, sizeof(t)), ORDO_OK);
	assert_string_equal(t, "15550102345");
	assert_int_equal(terms_of("555.010.2345", t, sizeof(t)), ORDO_OK);
	assert_string_equal(t, "5550102345");
	/* Fewer digits than a phone number: words. */
	assert_int_equal(terms_of("555 010", t, sizeof(t)), ORDO_OK);
	assert_string_equal(t, "555 010");
	/* A letter: not a phone number. */
	assert_int_equal(terms_of("555 010 2345 x", t, sizeof(t)), ORDO_OK);
	assert_string_equal(t, "555 010 2345 x");
}

static void test_limits(void **state)
{
	char text[ORDO_SEARCH_Q_MAX + 2], t[512];

	(void)state;
	memset(text, 'a', ORDO_SEARCH_Q_MAX);
	text[ORDO_SEARCH_Q_MAX] = '\0';
	assert_int_equal(terms_of(text, t, sizeof(t)), ORDO_OK);
	text[ORDO_SEARCH_Q_MAX] = 'a';
	text[ORDO_SEARCH_Q_MAX + 1] = '\0';
	assert_int_equal(terms_of(text, t, sizeof(t)), ORDO_EINVALID);
	assert_int_equal(terms_of("a b c d e f g h", t, sizeof(t)), ORDO_OK);
	assert_int_equal(terms_of("a b c d e f g h i", t, sizeof(t)),
			 ORDO_EINVALID);
	assert_int_equal(terms_of("", t, sizeof(t)), ORDO_EINVALID);
	assert_int_equal(terms_of(" \"*:()- ", t, sizeof(t)), ORDO_EINVALID);
}

static void test_lookup_texts(void **state)
{
	search_query q, q2;
	ordo_err err = ORDO_ERR_INIT;
	char buf[256];

	(void)state;
	assert_int_equal(search_query_parse("Jane@Exa", "q", &q, &err),
			 ORDO_OK);
	assert_int_equal(search_match_text(&q, 7, buf, sizeof(buf)),
			 (int)strlen("t7zjane t7zexa"));
	assert_string_equal(buf, "t7zjane t7zexa");
	assert_int_equal(search_exact_token(&q, 42, buf, sizeof(buf)),
			 (int)strlen("t42ejaneexa"));
	assert_string_equal(buf, "t42ejaneexa");
	/* The same terms however written hash alike; others do not. */
	assert_int_equal(search_query_parse("jane exa", "q", &q2, &err),
			 ORDO_OK);
	assert_int_equal(q.hash, q2.hash);
	assert_int_equal(search_query_parse("jane exb", "q", &q2, &err),
			 ORDO_OK);
	assert_int_not_equal(q.hash, q2.hash);
	/* What the parse writes is valid; a term with syntax is not. */
	assert_true(search_query_valid(&q));
	q2 = q;
	ordo_strlcpy(q2.terms[1], "exa\" OR", sizeof(q2.terms[1]));
	assert_false(search_query_valid(&q2));
	q2 = q;
	q2.terms[0][0] = '\0';
	assert_false(search_query_valid(&q2));
	/* Too small a buffer: the length it needs, the text cut. */
	assert_int_equal(search_match_text(&q, 7, buf, 4),
			 (int)strlen("t7zjane t7zexa"));
	/* A term past ORDO_SEARCH_PREFIX_MAX bytes: its first bytes. */
	assert_int_equal(search_query_parse("abcdefghijklmnopqrstuvwxyz0123",
					    "q", &q, &err),
			 ORDO_OK);
	search_match_text(&q, 7, buf, sizeof(buf));
	assert_string_equal(buf, "t7zabcdefghijklmnopqrstuvwx");
	/* Not inside a character: 23 ASCII bytes then a 2-byte one. */
	assert_int_equal(search_query_parse("abcdefghijklmnopqrstuvwéz",
					    "q", &q, &err),
			 ORDO_OK);
	search_match_text(&q, 7, buf, sizeof(buf));
	assert_string_equal(buf, "t7zabcdefghijklmnopqrstuvw");
}

/* Whether the space-separated text holds token tok. */
static bool has_token(const char *text, const char *tok)
{
	char spaced[8192], want[256];

	snprintf(spaced, sizeof(spaced), " %s ", text);
	snprintf(want, sizeof(want), " %s ", tok);
	return strstr(spaced, want) != NULL;
}

static void test_document(void **state)
{
	static const char *const present[] = {
		/* every prefix of every word */
		"t3zj", "t3zja", "t3zjan", "t3zjane", "t3zd", "t3zdo",
		"t3zdoe", "t3zexample", "t3zexam", "t3zcom", "t3zsw1a",
		"t3zsw", "t3z1aa", "t3zext", "t3z9", "t3ztshirt", "t3zts",
		"t3zred", "t3zm", "t3zmug", "t3z1z", "t3z99",
		/* a phone's words and its runs of 7 digits or more */
		"t3z555", "t3z010", "t3z2345", "t3z15550102345",
		"t3z5550102345", "t3z0102345", "t3z1555010", "t3z5550102",
	};
	static const char *const absent[] = {
		"t3zane", "t3zxample", "t3z102345", "t3zjanedoe",
		"t3zjane@example.com", "t3zTSHIRT", "t3ejaneexamplecom",
	};
	order o;
	order_line lines[2];
	search_doc d;
	ordo_err err = ORDO_ERR_INIT;
	size_t i;

	(void)state;
	order_init(&o);
	memset(lines, 0, sizeof(lines));
	ordo_strlcpy(o.external_id, "EXT-9", sizeof(o.external_id));
	ordo_strlcpy(o.customer.name, "Jane Doe", sizeof(o.customer.name));
	ordo_strlcpy(o.customer.email, "Jane@Example.com",
		     sizeof(o.customer.email));
	ordo_strlcpy(o.customer.phone, "+1 (555) 010-2345",
		     sizeof(o.customer.phone));
	ordo_strlcpy(o.ship_to.postal_code, "SW1A 1AA",
		     sizeof(o.ship_to.postal_code));
	ordo_strlcpy(lines[0].sku, "TSHIRT-RED-M", sizeof(lines[0].sku));
	ordo_strlcpy(lines[1].sku, "MUG", sizeof(lines[1].sku));
	o.lines = lines;
	o.n_lines = 2;
	search_doc_init(&d);
	assert_int_equal(search_doc_order(&d, 3, &o, &err), ORDO_OK);
	assert_int_equal(search_doc_tracking(&d, 3, "1Z-99", &err), ORDO_OK);
	for (i = 0; i < sizeof(present) / sizeof(present[0]); i++)
		if (!has_token(search_doc_words(&d), present[i]))
			fail_msg("no token %s in %s", present[i],
				 search_doc_words(&d));
	for (i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
		if (has_token(search_doc_words(&d), absent[i]))
			fail_msg("token %s in %s", absent[i],
				 search_doc_words(&d));
	/* The exact tokens, apart: email, phone, external id, tracking. */
	assert_string_equal(search_doc_exact(&d),
			    " t3ejaneexamplecom t3e15550102345 t3eext9"
			    " t3e1z99");
	search_doc_free(&d);

	/* A word longer than ORDO_SEARCH_PREFIX_MAX: its prefixes up to
	 * that, and itself whole. */
	search_doc_init(&d);
	search_doc_add(&d, 3, "abcdefghijklmnopqrstuvwxyz0123", SEARCH_WORDS);
	assert_true(has_token(search_doc_words(&d), "t3zabcdefghijklmnopqrstuvwx"));
	assert_false(has_token(search_doc_words(&d),
			       "t3zabcdefghijklmnopqrstuvwxy"));
	assert_true(has_token(search_doc_words(&d),
			      "t3zabcdefghijklmnopqrstuvwxyz0123"));
	search_doc_free(&d);
	/* No prefix ends inside a character. */
	search_doc_init(&d);
	search_doc_add(&d, 3, "Åb", SEARCH_WORDS);
	assert_string_equal(search_doc_words(&d), " t3zÅ t3zÅb");
	search_doc_free(&d);

	/* Nothing to index: empty texts. */
	order_init(&o);
	search_doc_init(&d);
	assert_int_equal(search_doc_order(&d, 3, &o, &err), ORDO_OK);
	assert_string_equal(search_doc_words(&d), "");
	assert_string_equal(search_doc_exact(&d), "");
	search_doc_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_terms),
		cmocka_unit_test(test_phone_terms),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_lookup_texts),
		cmocka_unit_test(test_document),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
