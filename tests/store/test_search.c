/*
 * test_search.c - the order search index in the store, on each backend:
 * an order is found by its words as it is inserted, by its new words and
 * no longer by its old once its content is corrected, by a tracking
 * number once shipped; another tenant's orders never match; exact ids
 * rank first, however old; pages follow next_before_seq to every match,
 * newest first, through a history of many spans (SEARCH BY SPANS), and a
 * page of a common word is no more work in twice the history; the words a
 * batch's new orders keep until its end are written for the jobs that
 * stand, once, and for no other.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "store/store_int.h" /* TX_KEPT */

/* The external ids of a search of tenant for q (pages of page orders,
 * all of them), comma-separated, into out; the number of orders. */
static size_t found(struct fx *f, int64_t tenant, const char *q, int page,
		    char *out, size_t size)
{
	order_filter flt;
	ordo_err err = ORDO_ERR_INIT;
	size_t total = 0, len = 0, i;

	memset(&flt, 0, sizeof(flt));
	assert_int_equal(search_query_parse(q, "q", &flt.search, &err),
			 ORDO_OK);
	flt.limit = page;
	out[0] = '\0';
	for (;;) {
		order_page p;

		assert_int_equal(list(f, tenant, &flt, &p), ORDO_OK);
		for (i = 0; i < p.n; i++) {
			if (len + 1 < size)
				snprintf(out + len, size - len, "%s%s",
					 total ? "," : "",
					 p.orders[i].external_id);
			len = strlen(out);
			total++;
		}
		flt.before_seq = p.next_before_seq;
		order_page_free(&p);
		if (!flt.before_seq)
			break;
	}
	return total;
}

#define assert_found(f, tenant, q, want)                                       \
	do {                                                                   \
		char got_[2048];                                               \
		found((f), (tenant), (q), 50, got_, sizeof(got_));            \
		if (strcmp(got_, (want)) != 0)                                 \
			fail_msg("q=%s found [%s], want [%s]", (q), got_,      \
				 (want));                                      \
	} while (0)

/* Order ext of tenant, received at `at`, its customer named name. */
static void order_named(struct fx *f, int64_t tenant, const char *ext,
			const char *name, ordo_time at)
{
	char id[64];
	order o;

	snprintf(id, sizeof(id), "ord_s_%lld_%s", (long long)tenant, ext);
	order_make(&o, tenant, id, "web", ext, at, ORDER_ACCEPTED, 1);
	ordo_strlcpy(o.customer.name, name, sizeof(o.customer.name));
	order_put(f, &o);
	order_free(&o);
}

static void test_found_by_its_words_in_its_tenant_only(void **state)
{
	struct fx *f = *state;

	order_named(f, f->ta, "S-1", "Rowena Marchbanks", 1700000001);
	order_named(f, f->ta, "S-2", "Rowena Pike", 1700000002);
	order_named(f, f->tb, "S-B", "Rowena Marchbanks", 1700000003);

	assert_found(f, f->ta, "rowena", "S-2,S-1");
	assert_found(f, f->ta, "MARCHB", "S-1");
	assert_found(f, f->ta, "rowena pike", "S-2");
	assert_found(f, f->tb, "rowena", "S-B");
	assert_found(f, f->tb, "pike", "");
	/* order_make's email and phone, on every order. */
	assert_found(f, f->tb, "ada@example.com", "S-B");
	assert_found(f, f->tb, "(207) 123-4567", "S-B");
}

/*
 * A term is matched by its bytes, however it is looked up: U+FFFF is not
 * U+FFFD (SQLite's LIKE reads both as U+FFFD) beside a rarer term.
 */
static void test_a_term_matches_its_bytes_only(void **state)
{
	struct fx *f = *state;

	order_named(f, f->ta, "U-1", "Quillon X\xef\xbf\xbd", 1700000001);
	order_named(f, f->ta, "U-2", "Ormolu X\xef\xbf\xbf", 1700000002);
	assert_found(f, f->ta, "quillon x\xef\xbf\xbd", "U-1");
	assert_found(f, f->ta, "quillon x\xef\xbf\xbf", "");
	assert_found(f, f->ta, "ormolu x\xef\xbf\xbd", "");
	assert_found(f, f->ta, "ormolu x\xef\xbf\xbf", "U-2");
}

static void test_an_exact_id_ranks_first(void **state)
{
	struct fx *f = *state;
	char got[512];

	order_named(f, f->ta, "K-7", "Kestrel One", 1700000001);
	order_named(f, f->ta, "K-7-B", "Kestrel Two", 1700000002);
	order_named(f, f->ta, "K-7-C", "Kestrel Three", 1700000003);
	assert_found(f, f->ta, "k-7", "K-7,K-7-C,K-7-B");
	/* The same across pages of one. */
	found(f, f->ta, "k-7", 1, got, sizeof(got));
	assert_string_equal(got, "K-7,K-7-C,K-7-B");
	found(f, f->ta, "kestrel", 2, got, sizeof(got));
	assert_string_equal(got, "K-7-C,K-7-B,K-7");
}

static ordo_code w_update_content(store_tx *tx, struct wctx *w, ordo_err *err)
{
	return store_order_update_content(tx, w->p, err);
}

static void test_a_correction_rewrites_the_words(void **state)
{
	struct fx *f = *state;
	ordo_err err = ORDO_ERR_INIT;
	order o;

	order_make(&o, f->ta, "ord_fix", "web", "FIX-1", 1700000001,
		   ORDER_ON_HOLD, 2);
	ordo_strlcpy(o.ship_to.postal_code, "QQ9Z", sizeof(o.ship_to.postal_code));
	ordo_strlcpy(o.lines[1].sku, "OLD-SKU", sizeof(o.lines[1].sku));
	order_put(f, &o);
	assert_found(f, f->ta, "qq9z", "FIX-1");
	assert_found(f, f->ta, "old-sku", "FIX-1");

	ordo_strlcpy(o.ship_to.postal_code, "10118", sizeof(o.ship_to.postal_code));
	ordo_strlcpy(o.lines[1].sku, "NEW-SKU", sizeof(o.lines[1].sku));
	assert_int_equal(wr(f, f->ta, w_update_content, &o, &err), ORDO_OK);
	order_free(&o);
	assert_found(f, f->ta, "qq9z", "");
	assert_found(f, f->ta, "old-sku", "");
	assert_found(f, f->ta, "10118 new-sku", "FIX-1");
}

static ordo_code w_ful_insert(store_tx *tx, struct wctx *w, ordo_err *err)
{
	return store_fulfillment_insert(tx, w->tenant, w->p, err);
}

static ordo_code w_ship_insert(store_tx *tx, struct wctx *w, ordo_err *err)
{
	return store_shipment_insert(tx, w->tenant, w->p, err);
}

static void test_a_shipment_adds_its_tracking_number(void **state)
{
	struct fx *f = *state;
	ordo_err err = ORDO_ERR_INIT;
	fulfillment ful;
	fulfillment_line fl;
	shipment sh;
	shipment_line sl;
	int i;

	catalog_add(f, f->ta);
	order_named(f, f->ta, "SHIP-1", "Tracy Parcel", 1700000001);
	memset(&ful, 0, sizeof(ful));
	memset(&fl, 0, sizeof(fl));
	ordo_strlcpy(ful.id, "ful_s1", sizeof(ful.id));
	snprintf(ful.order_id, sizeof(ful.order_id), "ord_s_%lld_SHIP-1",
		 (long long)f->ta);
	ordo_strlcpy(ful.location, "WH1", sizeof(ful.location));
	ful.state = FULFILLMENT_RELEASED;
	ful.created_at = ful.updated_at = 1700000100;
	fl.line_no = 1;
	ordo_strlcpy(fl.sku, "SKU-1", sizeof(fl.sku));
	fl.quantity = 2;
	ful.lines = &fl;
	ful.n_lines = 1;
	if (wr(f, f->ta, w_ful_insert, &ful, &err) != ORDO_OK)
		fail_msg("fulfillment: %s", err.message);
	assert_found(f, f->ta, "1ZTRACK", "");

	/* Two shipments: each number finds the order. */
	for (i = 0; i < 2; i++) {
		memset(&sh, 0, sizeof(sh));
		memset(&sl, 0, sizeof(sl));
		snprintf(sh.id, sizeof(sh.id), "shp_s%d", i);
		ordo_strlcpy(sh.fulfillment_id, "ful_s1",
			     sizeof(sh.fulfillment_id));
		ordo_strlcpy(sh.carrier, "ups", sizeof(sh.carrier));
		snprintf(sh.tracking_number, sizeof(sh.tracking_number),
			 "1ZTRACK-%d", i);
		sh.shipped_at = 1700000200;
		ordo_strlcpy(sl.sku, "SKU-1", sizeof(sl.sku));
		sl.quantity = 1;
		sh.lines = &sl;
		sh.n_lines = 1;
		if (wr(f, f->ta, w_ship_insert, &sh, &err) != ORDO_OK)
			fail_msg("shipment: %s", err.message);
	}
	assert_found(f, f->ta, "1ztrack-0", "SHIP-1");
	assert_found(f, f->ta, "1ZTRACK 1", "SHIP-1");
	assert_found(f, f->ta, "tracy 1ztrack", "SHIP-1");
	assert_found(f, f->tb, "1ztrack", "");
}

/* MANY orders of one name, in one job. */
#define MANY 1005

static ordo_code w_many(store_tx *tx, struct wctx *w, ordo_err *err)
{
	ordo_code rc = ORDO_OK;
	int k;

	for (k = 0; rc == ORDO_OK && k < MANY; k++) {
		char id[32], ext[32];
		order o;

		snprintf(id, sizeof(id), "ord_m%d", k);
		snprintf(ext, sizeof(ext), "MANYx%d", k);
		order_make(&o, w->tenant, id, "web", ext, 1700000000 + k,
			   ORDER_ACCEPTED, 1);
		ordo_strlcpy(o.customer.name, "Multitude",
			     sizeof(o.customer.name));
		rc = store_order_insert(tx, &o, err);
		order_free(&o);
	}
	return rc;
}

/*
 * Every match is found by paging, however many; an exact match comes
 * first however old, before every newer order the words match (MANYx1's
 * words "manyx1" begin 115 newer ids: manyx10 .. manyx1004).
 */
static void test_every_match_pages_and_exact_ones_lead(void **state)
{
	struct fx *f = *state;
	ordo_err err = ORDO_ERR_INIT;
	char got[64];
	size_t n;

	assert_int_equal(wr(f, f->ta, w_many, NULL, &err), ORDO_OK);
	n = found(f, f->ta, "multitude", 200, got, sizeof(got));
	assert_int_equal(n, MANY);
	n = found(f, f->ta, "manyx1", 50, got, sizeof(got));
	assert_int_equal(n, 116);
	assert_true(strncmp(got, "MANYx1,", 7) == 0);
	/* The newest of the others follows it. */
	assert_true(strncmp(got + 7, "MANYx1004,", 10) == 0);
	assert_found(f, f->ta, "multitude manyx0", "MANYx0");
}

/* ---- a long history ------------------------------------------------------ */

/*
 * HISTORY orders of tenant A, and one of tenant B beside every other one
 * with the same words, each named by the words its number k has: every
 * (all), tenth (k % 10 == 0), seldom (k % 700 == 0), rare (three: an old,
 * a middle and a new one), odd (k % 2 == 1) and none, which no order has.
 */
#define HISTORY 2600

static bool has_word(const char *word, int k)
{
	const char *space = strchr(word, ' ');

	if (space) { /* two words: both */
		char first[16];

		snprintf(first, sizeof(first), "%.*s", (int)(space - word),
			 word);
		return has_word(first, k) && has_word(space + 1, k);
	}
	if (strcmp(word, "every") == 0)
		return true;
	if (strcmp(word, "tenth") == 0)
		return k % 10 == 0;
	if (strcmp(word, "seldom") == 0)
		return k % 700 == 0;
	if (strcmp(word, "rare") == 0)
		return k == 3 || k == 1300 || k == HISTORY - 2;
	if (strcmp(word, "odd") == 0)
		return k % 2 == 1;
	return false;
}

/* Orders k of the history from *(int *)w->p, up to HISTORY / 2 of them. */
static ordo_code w_history(store_tx *tx, struct wctx *w, ordo_err *err)
{
	static const char *const words[] = {"tenth", "seldom", "rare", "odd"};
	int from = *(const int *)w->p, k, t, i;
	ordo_code rc = ORDO_OK;

	for (k = from; rc == ORDO_OK && k < from + HISTORY / 2; k++) {
		for (t = 0; rc == ORDO_OK && t < (k % 2 ? 1 : 2); t++) {
			int64_t tenant = t ? w->f->tb : w->f->ta;
			char id[32], ext[32], name[64] = "every";
			order o;

			for (i = 0; i < 4; i++)
				if (has_word(words[i], k))
					snprintf(name + strlen(name),
						 sizeof(name) - strlen(name),
						 " %s", words[i]);
			snprintf(id, sizeof(id), "ord_h%d_%d", t, k);
			snprintf(ext, sizeof(ext), "H%d", k);
			order_make(&o, tenant, id, "web", ext, 1700000000 + k,
				   ORDER_ACCEPTED, 1);
			ordo_strlcpy(o.customer.name, name,
				     sizeof(o.customer.name));
			rc = store_order_insert(tx, &o, err);
			order_free(&o);
		}
	}
	return rc;
}

/* The work of the first page of 50 of a search of tenant A for q
 * (list_work). */
static int64_t search_work(struct fx *f, const char *q)
{
	order_filter flt;
	ordo_err err = ORDO_ERR_INIT;

	memset(&flt, 0, sizeof(flt));
	assert_int_equal(search_query_parse(q, "q", &flt.search, &err),
			 ORDO_OK);
	flt.limit = 50;
	return list_work(f, f->ta, &flt, 50);
}

/*
 * A word's orders are found newest first, each once, through the whole
 * history and in pages of any size, whether every order has it or a few
 * old ones do, and never another tenant's, as are two words' (their
 * rarest looked up alone: SEARCH BY THE RAREST TERM); and a page of a word many
 * orders share is no more work when the history is twice as long. On
 * PostgreSQL each page is read span of history by span (SEARCH BY SPANS
 * in sql_order_list.c), and pages end inside spans and across them; read
 * from the whole index, a page of "every" read each of its orders.
 */
static void test_a_word_pages_newest_first_through_history(void **state)
{
	static const char *const words[] = {
		"every",      "tenth",	    "seldom",	   "rare",     "none",
		"every rare", "odd rare",   "tenth every", "odd tenth", "every none"};
	static const int pages[] = {1, 7, 50, 200};
	struct fx *f = *state;
	ordo_err err = ORDO_ERR_INIT;
	static char got[HISTORY * 8], want[HISTORY * 8];
	size_t size = sizeof(got), len, w, p;
	int64_t every, tenth;
	int half = 0, k;

	assert_int_equal(wr(f, f->ta, w_history, &half, &err), ORDO_OK);
	analyzed(f);
	every = search_work(f, "every");
	tenth = search_work(f, "tenth");
	half = HISTORY / 2;
	assert_int_equal(wr(f, f->ta, w_history, &half, &err), ORDO_OK);
	analyzed(f);
	if (search_work(f, "every") > every * 5 / 4 ||
	    search_work(f, "tenth") > tenth * 5 / 4)
		fail_msg("a page of 50 took %lld and %lld of work at %d orders, "
			 "then %lld and %lld at %d",
			 (long long)every, (long long)tenth, HISTORY / 2,
			 (long long)search_work(f, "every"),
			 (long long)search_work(f, "tenth"), HISTORY);
	for (w = 0; w < sizeof(words) / sizeof(words[0]); w++) {
		size_t n = 0;

		want[0] = '\0';
		len = 0;
		for (k = HISTORY - 1; k >= 0; k--)
			if (has_word(words[w], k)) {
				snprintf(want + len, size - len, "%sH%d",
					 n++ ? "," : "", k);
				len = strlen(want);
			}
		for (p = 0; p < sizeof(pages) / sizeof(pages[0]); p++) {
			/* One order a page through 2,600 is slow for no
			 * more proof: pages of one for the few only. */
			if (pages[p] == 1 && n > 300)
				continue;
			assert_int_equal(found(f, f->ta, words[w], pages[p],
					       got, size),
					 n);
			if (strcmp(got, want) != 0)
				fail_msg("q=%s in pages of %d: found [%.200s], "
					 "want [%.200s]",
					 words[w], pages[p], got, want);
		}
	}
}

/* A buyer's orders: *(int *)w->p of them from w's counter on, each by
 * the same email, then one more by another email of the same words
 * (its order is the words tier's alone). */
#define BUYER_ORDERS 300
static ordo_code w_buyer(store_tx *tx, struct wctx *w, ordo_err *err)
{
	int *from = w->p, k;
	ordo_code rc = ORDO_OK;

	for (k = *from; rc == ORDO_OK && k <= *from + BUYER_ORDERS; k++) {
		char id[32], ext[32];
		bool other = k == *from + BUYER_ORDERS;
		order o;

		snprintf(id, sizeof(id), "ord_b%d", k);
		snprintf(ext, sizeof(ext), "%s%d", other ? "W" : "E", k);
		order_make(&o, w->f->ta, id, "web", ext, 1700000000 + k,
			   ORDER_ACCEPTED, 1);
		ordo_strlcpy(o.customer.email,
			     other ? "buyer@example.com.au"
				   : "buyer@example.com",
			     sizeof(o.customer.email));
		rc = store_order_insert(tx, &o, err);
		order_free(&o);
	}
	*from = k;
	return rc;
}

/*
 * A search by an email lists the orders of that email first, then those
 * of its words alone, each once; and a page of it is no more work when
 * the email's orders are twice as many: the second tier does not read the
 * first tier's orders again to leave them out (the index leaves them out
 * as it walks its entries).
 */
static void test_an_email_on_many_orders_is_one_read(void **state)
{
	struct fx *f = *state;
	ordo_err err = ORDO_ERR_INIT;
	static char got[BUYER_ORDERS * 2 * 8], want[BUYER_ORDERS * 2 * 8];
	order_filter flt;
	int64_t before, after;
	size_t len = 0;
	int from = 0, k;

	memset(&flt, 0, sizeof(flt));
	assert_int_equal(search_query_parse("buyer@example.com", "q",
					    &flt.search, &err),
			 ORDO_OK);
	flt.limit = 5;
	assert_int_equal(wr(f, f->ta, w_buyer, &from, &err), ORDO_OK);
	analyzed(f);
	before = list_work(f, f->ta, &flt, 5);
	assert_int_equal(wr(f, f->ta, w_buyer, &from, &err), ORDO_OK);
	analyzed(f);
	after = list_work(f, f->ta, &flt, 5);
	if (after > before * 5 / 4 + 8)
		fail_msg("a page of 5 took %lld of work at %d orders of the "
			 "email, then %lld at %d",
			 (long long)before, BUYER_ORDERS, (long long)after,
			 2 * BUYER_ORDERS);
	/* The email's orders newest first, then the two of its words. */
	want[0] = '\0';
	for (k = 2 * BUYER_ORDERS; k >= 0; k--)
		if (k != BUYER_ORDERS) {
			snprintf(want + len, sizeof(want) - len, "%sE%d",
				 len ? "," : "", k);
			len = strlen(want);
		}
	snprintf(want + len, sizeof(want) - len, ",W%d,W%d",
		 2 * BUYER_ORDERS + 1, BUYER_ORDERS);
	assert_int_equal(found(f, f->ta, "buyer@example.com", 50, got,
			       sizeof(got)),
			 2 * BUYER_ORDERS + 2);
	if (strcmp(got, want) != 0)
		fail_msg("found [%.300s], want [%.300s]", got, want);
}

/* ---- words kept for the batch's end ---------------------------------- */

enum step { INSERT, CORRECT, INSERT_MANY };

/* A job of one batch: a step, then a failure when fails. */
struct bjob {
	store_job job;
	struct fx *f;
	enum step step;
	const char *ext, *name;
	bool fails;
	ordo_code rc;
	pthread_mutex_t *mu;
	pthread_cond_t *cv;
	int *answered;
};

static void named(order *o, int64_t tenant, const char *ext, const char *name)
{
	char id[64];

	snprintf(id, sizeof(id), "ord_s_%lld_%s", (long long)tenant, ext);
	order_make(o, tenant, id, "web", ext, 1700000001, ORDER_ACCEPTED, 1);
	ordo_strlcpy(o->customer.name, name, sizeof(o->customer.name));
	ordo_strlcpy(o->ship_to.name, name, sizeof(o->ship_to.name));
}

/* An event of order o, its message msg. */
static ordo_code note(store_tx *tx, const order *o, const char *msg,
		      ordo_err *err)
{
	order_event ev;

	memset(&ev, 0, sizeof(ev));
	ordo_strlcpy(ev.type, "note", sizeof(ev.type));
	ordo_strlcpy(ev.actor, "test", sizeof(ev.actor));
	ordo_strlcpy(ev.message, msg, sizeof(ev.message));
	ev.from_state = ev.to_state = o->state;
	ev.at = 1700002000;
	return store_event_append(tx, o->tenant_id, o->id, &ev, err);
}

static ordo_code bjob_run(store_tx *tx, void *arg, ordo_err *err)
{
	struct bjob *j = arg;
	ordo_code rc = ORDO_OK;
	int k;
	order o;

	switch (j->step) {
	case INSERT:
		named(&o, j->f->ta, j->ext, j->name);
		rc = store_order_insert(tx, &o, err);
		if (rc == ORDO_OK)
			rc = note(tx, &o, "first", err);
		if (rc == ORDO_OK)
			rc = note(tx, &o, "\"then\"\\ \xc3\xa9\t", err);
		order_free(&o);
		break;
	case CORRECT:
		named(&o, j->f->ta, j->ext, j->name);
		rc = store_order_update_content(tx, &o, err);
		if (rc == ORDO_OK)
			rc = note(tx, &o, "corrected", err);
		order_free(&o);
		break;
	case INSERT_MANY:
		/* More rows than the transaction keeps: written in the
		 * job. */
		for (k = 0; rc == ORDO_OK && k < TX_KEPT + 6; k++) {
			char ext[32];

			snprintf(ext, sizeof(ext), "%s-%d", j->ext, k);
			named(&o, j->f->ta, ext, j->name);
			rc = store_order_insert(tx, &o, err);
			if (rc == ORDO_OK)
				rc = note(tx, &o, ext, err);
			order_free(&o);
		}
		break;
	}
	if (rc == ORDO_OK && j->fails)
		rc = ordo_err_set(err, ORDO_EINVALID, "test", "failing");
	return rc;
}

static void bjob_done(void *arg, ordo_code rc, const ordo_err *err)
{
	struct bjob *j = arg;

	(void)err;
	j->rc = rc;
	pthread_mutex_lock(j->mu);
	(*j->answered)++;
	pthread_cond_broadcast(j->cv);
	pthread_mutex_unlock(j->mu);
}

/* The messages of the events of order ext of tenant A, '|'-separated, in
 * their order, are want. */
static void assert_events(struct fx *f, const char *ext, const char *want)
{
	ordo_err err = ORDO_ERR_INIT;
	order_event *ev = NULL;
	char id[64], got[512] = "";
	size_t n = 0, i;
	store_tx *tx = rd(f);

	snprintf(id, sizeof(id), "ord_s_%lld_%s", (long long)f->ta, ext);
	assert_int_equal(store_event_list(tx, f->ta, id, &ev, &n, &err),
			 ORDO_OK);
	store_read_end(tx);
	for (i = 0; i < n; i++) {
		assert_string_equal(ev[i].type, "note");
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s",
			 i ? "|" : "", ev[i].message);
	}
	free(ev);
	if (strcmp(got, want) != 0)
		fail_msg("%s: events [%s], want [%s]", ext, got, want);
}

/*
 * New orders' words are written at the batch's end, and stand or go with
 * each job: in one batch, a job's words go with its rollback; a rolled
 * back job that had to write the earlier jobs' words (to correct one of
 * their orders, or past the rows a transaction keeps) leaves them to be
 * written still; a correction of an order made earlier in the batch
 * rewrites its words. The jobs' events stand or go with them too.
 */
static void test_a_batch_writes_the_words_of_the_jobs_that_stand(void **state)
{
	struct fx *f = *state;
	struct bjob jobs[] = {
		{.step = INSERT, .ext = "BAT-A", .name = "Alder Ames"},
		{.step = INSERT, .ext = "BAT-B", .name = "Birch Bell",
		 .fails = true},
		{.step = CORRECT, .ext = "BAT-A", .name = "Cedar Cole",
		 .fails = true},
		{.step = INSERT, .ext = "BAT-C", .name = "Cherry Cole"},
		{.step = INSERT_MANY, .ext = "BAT-M", .name = "Maple Moss",
		 .fails = true},
		{.step = INSERT, .ext = "BAT-D", .name = "Dogwood Dunn"},
		{.step = CORRECT, .ext = "BAT-D", .name = "Elm Ede"},
		{.step = INSERT_MANY, .ext = "BAT-W", .name = "Willow Wren"},
	};
	const int n = (int)(sizeof(jobs) / sizeof(jobs[0]));
	pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
	struct fx_gate gate;
	char got[64];
	int i, answered = 0;

	gate_park(f->st, &gate);
	for (i = 0; i < n; i++) {
		jobs[i].f = f;
		jobs[i].mu = &mu;
		jobs[i].cv = &cv;
		jobs[i].answered = &answered;
		jobs[i].job.run = bjob_run;
		jobs[i].job.done = bjob_done;
		jobs[i].job.arg = &jobs[i];
		store_submit(f->st, &jobs[i].job);
	}
	gate_open(&gate);
	pthread_mutex_lock(&mu);
	while (answered < n)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	for (i = 0; i < n; i++)
		assert_int_equal(jobs[i].rc,
				 jobs[i].fails ? ORDO_EINVALID : ORDO_OK);

	assert_found(f, f->ta, "alder", "BAT-A");
	assert_found(f, f->ta, "cedar", "");
	assert_found(f, f->ta, "birch", "");
	assert_found(f, f->ta, "cole", "BAT-C");
	assert_found(f, f->ta, "maple", "");
	assert_found(f, f->ta, "dogwood", "");
	assert_found(f, f->ta, "elm ede", "BAT-D");
	assert_int_equal(found(f, f->ta, "willow", 50, got, sizeof(got)),
			 TX_KEPT + 6);
	/* Each order once: its words were written once. */
	assert_int_equal(found(f, f->ta, "bat", 100, got, sizeof(got)),
			 3 + TX_KEPT + 6);
	/* Events: those of the jobs that stand, in the order written. */
	assert_events(f, "BAT-A", "first|\"then\"\\ \xc3\xa9\t");
	assert_events(f, "BAT-C", "first|\"then\"\\ \xc3\xa9\t");
	assert_events(f, "BAT-D",
		      "first|\"then\"\\ \xc3\xa9\t|corrected");
	assert_events(f, "BAT-W-0", "BAT-W-0");
	assert_events(f, "BAT-W-261", "BAT-W-261"); /* TX_KEPT + 5 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_found_by_its_words_in_its_tenant_only, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_a_term_matches_its_bytes_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_an_exact_id_ranks_first,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_a_correction_rewrites_the_words, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_a_shipment_adds_its_tracking_number, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_every_match_pages_and_exact_ones_lead, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_a_word_pages_newest_first_through_history, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_a_batch_writes_the_words_of_the_jobs_that_stand,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_an_email_on_many_orders_is_one_read, setup,
			teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
