/*
 * sql_order_list.c - the order list: one statement per combination of
 * its filters, newest first, a page and one more row to know whether
 * another page follows, then the lines and holds of the whole page in two
 * statements more, whatever its size. Orders, lines and holds are read by
 * sql_orders.c's mappings (q_read_order, q_col_line, q_col_hold). See
 * store.h for the contract of each public function.
 *
 * A search (q) is one more filter of the same scheme: its statements walk
 * the search index (migration 0010, kept by sql_search.c) newest first in
 * two tiers, the orders whose id, email, phone or tracking number is
 * exactly q, then the others, each with the other filters and stopping
 * at a page (SQL_SEARCH_TEXT); its cursor is the tier and seq of the last
 * order of the page.
 */
#include "store/sql_int.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- SQL ----------------------------------------------------------------- */

static const char *const sql_text[SQL_COUNT] = {
	/* The lines and the holds of a whole page of orders, each by one
	 * statement (SQL_PAGE_IN: the page's seqs, taken from rows that
	 * matched the tenant), grouped by order: the primary key of
	 * order_lines and holds_order. The holds are not matched on the
	 * tenant again: that would let a planner walk all the tenant's
	 * holds (holds_due) instead of probing the page's orders. */
	[SQL_PAGE_LINES] = "SELECT order_seq, " SQL_LINE_COLS
			   " FROM order_lines "
			   "WHERE order_seq IN " SQL_PAGE_IN " "
			   "ORDER BY order_seq, line_no",
	[SQL_PAGE_HOLDS] = "SELECT order_seq, " SQL_HOLD_COLS " FROM holds "
			   "WHERE order_seq IN " SQL_PAGE_IN " "
			   "ORDER BY order_seq, created_at, rowid",
	/* How many entries a token has, up to a bound (SEARCH BY THE
	 * RAREST TERM below). */
	[SQL_SEARCH_PROBE] = "SELECT count(*) FROM (SELECT rowid "
			     "FROM order_search_fts(?) LIMIT ?) p",
	/* The tenant's newest order below a bound: where a search by
	 * spans starts (SEARCH BY SPANS). */
	[SQL_SEARCH_NEWEST] = "SELECT seq FROM orders WHERE tenant_id = ? "
			      "AND seq < ? ORDER BY seq DESC LIMIT 1",
	/* An integration key's own orders (order_filter.created_key),
	 * newest first below the cursor: orders_created_key, which holds
	 * theirs alone; by an external id, the few orders of that id
	 * (orders_external), each tested for the key (coalesce: a test
	 * that implies no "created_key IS NOT NULL", which would offer the
	 * planner orders_created_key, every order of the tenant's keys, to
	 * walk and test for the id instead). Binds the tenant,
	 * [the external id,] the key, the cursor, the page size. */
	[SQL_ORDER_LIST_MINE] = "SELECT " SQL_ORDER_COLS " FROM orders "
				"WHERE tenant_id = ? AND created_key = ? "
				"AND seq < ? ORDER BY seq DESC LIMIT ?",
	[SQL_ORDER_LIST_MINE_EXTERNAL] = "SELECT " SQL_ORDER_COLS
					 " FROM orders WHERE tenant_id = ? "
					 "AND external_id = ? "
					 "AND coalesce(created_key, 0) = ? "
					 "AND seq < ? ORDER BY seq DESC "
					 "LIMIT ?",
};

/* This file's text of statement id, NULL if another file holds it (for
 * store_statement_text). */
const char *sql_order_list_text_of(unsigned id)
{
	return id < SQL_COUNT ? sql_text[id] : NULL;
}

/*
 * The order list: "SELECT ... WHERE tenant_id = ?", then the fragment of
 * every filter present, in this order and bound in this order, then
 * " ORDER BY seq DESC LIMIT ?".
 */
enum order_list_filter {
	OLF_STATE,
	OLF_CHANNEL,
	OLF_EXTERNAL_ID,
	OLF_RECEIVED_FROM,
	OLF_RECEIVED_TO,
	OLF_BEFORE_SEQ,
	OLF_HOLD_TYPE, /* binds the type, then the open status */
	OLF_SEARCH,    /* binds its own way: see SQL_SEARCH_TEXT */
	OLF_COUNT
};

static const char *const order_list_where[OLF_COUNT] = {
	[OLF_STATE] = " AND state = ?",
	[OLF_CHANNEL] = " AND channel = ?",
	[OLF_EXTERNAL_ID] = " AND external_id = ?",
	[OLF_RECEIVED_FROM] = " AND received_at >= ?",
	[OLF_RECEIVED_TO] = " AND received_at < ?",
	[OLF_BEFORE_SEQ] = " AND seq < ?",
	/* Within each tier of a search only (a list by hold type alone is
	 * read from the holds: SQL_HELD_FROM). Each candidate is probed by
	 * its seq alone (holds_order), as the page's holds are. */
	[OLF_HOLD_TYPE] = " AND EXISTS (SELECT 1 FROM holds h"
			  " WHERE h.order_seq = orders.seq"
			  " AND h.type = ? AND h.status = ?)",
	/* In SQL_SEARCH_TEXT, not after the tenant. */
	[OLF_SEARCH] = "",
};

/*
 * A search (OLF_SEARCH), in two tiers, each a walk of the search index
 * (order_search_fts: the FTS5 index on SQLite, migration 0010's function
 * over the GIN index on PostgreSQL; the same text) newest first that
 * stops once it has a page:
 *
 *   exact  the orders holding q's exact token (an external id, email,
 *          phone or tracking number that is exactly q), keyed by their
 *          seq + SQL_SEARCH_EXACT;
 *   words  the orders holding every term's token, but not the exact
 *          token (those are in the first tier), keyed by their seq: its
 *          lookup says so itself ("<terms> NOT <exact token>"), so that
 *          the index leaves them out as it walks its entries (FTS5 in the
 *          walk of the two tokens' lists, GIN as it combines them; each
 *          had been looked up in the index again, a read for each order
 *          of the exact token, however many: a buyer's email on every
 *          one of thousands of orders).
 *
 * Each tier takes the list's filters and at most a page; the page is the
 * two merged by key, descending: exact matches first, each tier newest
 * first, and the key of the last is the cursor. Each tier binds its
 * lookup, the bound its keys stay below (the cursor's part in it:
 * search_bounds), then the tenant, the filters and the page size as the
 * list does; then the page size.
 * Nothing is read beyond the rows a page needs from each tier, whatever
 * the history (FTS5 walks each token's entries in seq order; the GIN
 * index reads the tenant's entries of the tokens in one span of history,
 * SEARCH BY SPANS). An order is found by "orders.seq = f.rowid + 0", not
 * "= f.rowid": the order of the hits is then theirs alone, which no index
 * of orders gives, so that no plan walks the tenant's orders newest first
 * and looks each up among the hits (PostgreSQL's plan for any values did,
 * through every order newer than the span).
 *
 * SEARCH BY THE RAREST TERM. FTS5 answers "every term" by walking each
 * term's entries: a rare term beside a common one ("edi-00000007" is edi
 * and 00000007; an email's words end in example and com) walks the
 * common term's entries back to the rare one's, a read that grows with
 * history. Where the driver says so (db.h), a search of several terms
 * first counts each term's entries up to SEARCH_RAREST_MAX
 * (SQL_SEARCH_PROBE; in the newest span alone, SEARCH BY SPANS, where
 * the search reads by spans); when one has no more, the words tier looks that
 * term up alone and checks each of the others on the order's words in
 * order_search (LIKE '% <token> %': whole tokens, as the index matches
 * them), reading at most SEARCH_RAREST_MAX rows. The tier binds after
 * the exact token whether it does (1, then one pattern per other term, a
 * "%" for each slot left) or not (0: every term looked up in the index).
 */
#define SEARCH_RAREST_MAX 64
#define SQL_SEARCH_OTHER "(' ' || s.head || ' ' || s.tracking || ' ') LIKE ?"
#define SQL_SEARCH_OTHERS                                                      \
	" AND (? = 0 OR EXISTS (SELECT 1 FROM order_search s"                  \
	" WHERE s.seq = f.rowid AND " SQL_SEARCH_OTHER                         \
	" AND " SQL_SEARCH_OTHER " AND " SQL_SEARCH_OTHER                      \
	" AND " SQL_SEARCH_OTHER " AND " SQL_SEARCH_OTHER                      \
	" AND " SQL_SEARCH_OTHER " AND " SQL_SEARCH_OTHER "))"
#define SEARCH_OTHERS (ORDO_SEARCH_TERMS_MAX - 1)
_Static_assert(SEARCH_OTHERS == 7, "one SQL_SEARCH_OTHER per other term");
#define SQL_SEARCH_EXACT "4611686018427387904" /* 2^62, above every seq */
#define SQL_SEARCH_TIER(key, exclude)                                          \
	"SELECT * FROM (SELECT " key " AS hit_key, " SQL_ORDER_COLS            \
	" FROM order_search_fts(?) f CROSS JOIN orders"                        \
	" WHERE f.rowid < ?" exclude " AND orders.seq = f.rowid + 0"           \
	" AND tenant_id = ?%s%s%s%s%s%s"                                       \
	" ORDER BY f.rowid DESC LIMIT ?)"
#define SQL_SEARCH_TEXT                                                        \
	SQL_SEARCH_TIER("f.rowid + " SQL_SEARCH_EXACT, "") " x UNION ALL "     \
	SQL_SEARCH_TIER("f.rowid", SQL_SEARCH_OTHERS)                          \
	" w ORDER BY hit_key DESC LIMIT ?"

/*
 * The list by hold type (OLF_HOLD_TYPE without a search): the open holds
 * of the type, newest order first (holds_by_type: tenant, type, status,
 * order_seq + 0), each order once (an order holds one open unknown_sku per
 * line: only its first such hold leads to it), and each one's order by
 * its seq. Walking the orders newest first instead, probing each for
 * such a hold, read the whole history when the type was rare. The order
 * is that of order_seq + 0, which holds_by_type alone holds: ordered by
 * order_seq, PostgreSQL's plan made for any values could walk holds_order
 * (every tenant's holds) and test each one, and joined on k.held alone,
 * walk the orders' primary key along with it (a walk of the history for a
 * type the tenant's orders do not have). Binds the tenant, the type, the
 * open status and the cursor (%s: " AND h.order_seq + 0 < ?" or ""), then
 * the tenant and the filters as the list does. CROSS JOIN keeps the holds
 * first on SQLite.
 */
#define SQL_HELD_FROM                                                          \
	" FROM (SELECT h.order_seq + 0 AS held FROM holds h"                   \
	" WHERE h.tenant_id = ? AND h.type = ? AND h.status = ?%s"             \
	" AND NOT EXISTS (SELECT 1 FROM holds d"                               \
	" WHERE d.order_seq = h.order_seq AND d.type = h.type"                 \
	" AND d.status = h.status AND d.rowid < h.rowid)) k"                   \
	" CROSS JOIN orders"

_Static_assert(OLF_SEARCH == SQL_ORDER_LIST_SEARCH_BIT,
	       "sql_int.h names the search's bit for the plans test");
_Static_assert(OLF_COUNT == SQL_ORDER_LIST_FILTERS,
	       "sql_int.h numbers one statement per combination of filters");

/* ---- the list ------------------------------------------------------------ */

int sql_order_list_text(unsigned mask, char *buf, size_t size)
{
	const char *frag[OLF_COUNT];
	int i;

	for (i = 0; i < OLF_COUNT; i++)
		frag[i] = mask & (1u << i) ? order_list_where[i] : "";
	_Static_assert(OLF_COUNT == 8, "one %s per filter below");
	if (mask & (1u << OLF_SEARCH))
		/* The cursor is in the bounds each tier binds. */
		return snprintf(buf, size, SQL_SEARCH_TEXT, frag[0], frag[1],
				frag[2], frag[3], frag[4], frag[6], frag[0],
				frag[1], frag[2], frag[3], frag[4], frag[6]);
	if (mask & (1u << OLF_HOLD_TYPE))
		return snprintf(buf, size,
				"SELECT " SQL_ORDER_COLS SQL_HELD_FROM " "
				"WHERE orders.seq = k.held + 0 "
				"AND tenant_id = ?%s%s%s%s%s "
				"ORDER BY k.held DESC LIMIT ?",
				mask & (1u << OLF_BEFORE_SEQ)
					? " AND h.order_seq + 0 < ?"
					: "",
				frag[0], frag[1], frag[2], frag[3], frag[4]);
	return snprintf(buf, size,
			"SELECT " SQL_ORDER_COLS " FROM orders "
			"WHERE tenant_id = ?%s%s%s%s%s%s%s "
			"ORDER BY seq DESC LIMIT ?",
			frag[0], frag[1], frag[2], frag[3], frag[4], frag[5],
			frag[6]);
}

/* A lookup (at most 1,023 bytes) with its span's token beside it. */
#define SPAN_MATCH_MAX (1024 + 32)

/* What a search binds: its exact token and its lookup, kept by the
 * caller until the statement is closed (bound text is not copied), the
 * bound each tier's keys stay below (search_bounds), and its statement,
 * which a search by spans opens once per span. */
struct search_texts {
	char exact[1024];
	char match[1024];
	bool by_rarest;
	char others[SEARCH_OTHERS][ORDO_SEARCH_PREFIX_MAX + 48];
	int64_t exact_below, words_below;
	int64_t top; /* SEARCH BY SPANS: the tenant's newest order below */
	char span_match[SPAN_MATCH_MAX];
	char exact_match[SPAN_MATCH_MAX]; /* the exact token in a span, or "" */
	char words[SPAN_MATCH_MAX + 1024 + 8]; /* the words' lookup, bound */
	bool has[OLF_COUNT];
	unsigned id;
	char sql[4096];
};

/* The entries of token, up to SEARCH_RAREST_MAX + 1. */
static ordo_code search_probe(store_tx *tx, const char *token, int64_t *n,
			      ordo_err *err)
{
	struct q q;
	bool row;
	ordo_code rc = q_open(&q, tx, SQL_SEARCH_PROBE, err);

	if (rc == ORDO_OK) {
		q_str(&q, token);
		q_i64(&q, SEARCH_RAREST_MAX + 1);
		rc = q_step(&q, &row, "searching orders", NULL, err);
		*n = rc == ORDO_OK && row ? q_col_i64(&q) : 0;
	}
	q_close(&q);
	return rc;
}

/*
 * SEARCH BY SPANS. Where the index keeps a token's orders in no order
 * (db.h), a page of the newest matches of a word many orders share would
 * read every one of them. Each order's words there also name the spans of
 * history it falls in (migration 0023: "b<s>s<seq >> s>" for each shift of
 * span_shift), and the search statement is run once per span, newest
 * first, with the span's token beside the words: the index then reads that
 * span's matches alone. It starts at the tenant's newest order below the
 * cursor, in the smallest span, and goes on to the span below the last
 * until the page is full or history ends. While the spans read hold too
 * few matches to fill the rest of the page at the rate they held them
 * (half a match counted for none), the next is wider: the smallest shift
 * at which that rate fills it. So a common word's page is read from one
 * span of 512 orders, a rare word's from a few spans of up to 16,777,216,
 * and no span read holds many more matches than the page needs. The exact
 * tier (an id, email, phone or tracking number that is exactly q: few
 * orders) is read in the first run only, whole. The hits of the runs, each
 * newest first and below the last, are the page in order. A search of
 * several terms looks up the rarest alone (SEARCH BY THE RAREST TERM), as
 * GIN skips through a common term's entries at a cost for each of the
 * span's ("example" and "com" of an email made each run 3 ms at 1,000,000
 * orders): each term is counted in the first span, not in all history.
 */
static const int span_shift[] = {9, 12, 15, 18, 21, 24};
#define SPANS ((int)(sizeof(span_shift) / sizeof(span_shift[0])))

/* The tenant's newest order below `below`, 0 for none. */
static ordo_code search_newest(store_tx *tx, int64_t tenant, int64_t below,
			       int64_t *seq, ordo_err *err)
{
	struct q q;
	bool row;
	ordo_code rc = q_open(&q, tx, SQL_SEARCH_NEWEST, err);

	*seq = 0;
	if (rc == ORDO_OK) {
		q_i64(&q, tenant);
		q_i64(&q, below);
		rc = q_step(&q, &row, "searching orders", NULL, err);
		if (rc == ORDO_OK && row)
			*seq = q_col_i64(&q);
	}
	q_close(&q);
	return rc;
}

/* The words tier's lookup of f's terms for tenant into st (SEARCH BY THE
 * RAREST TERM), each term's entries counted with span beside it ("" for
 * all). */
static ordo_code search_words(store_tx *tx, const order_filter *f,
			      int64_t tenant, struct search_texts *st,
			      const char *span, ordo_err *err)
{
	char token[ORDO_SEARCH_PREFIX_MAX + 40], probe[sizeof(token) + 32];
	size_t i, rarest = 0, k = 0;
	int64_t fewest = INT64_MAX;
	ordo_code rc;
	int n;

	st->by_rarest = false;
	n = search_match_text(&f->search, tenant, st->match,
			      sizeof(st->match));
	if (n < 0 || (size_t)n >= sizeof(st->match))
		return ordo_err_set(err, ORDO_EINTERNAL, "q",
				    "the search does not fit");
	if (!tx->db->search_by_rarest || f->search.n_terms < 2)
		return ORDO_OK;
	for (i = 0; i < f->search.n_terms; i++) {
		int64_t entries;

		search_term_token(&f->search, i, tenant, token, sizeof(token));
		snprintf(probe, sizeof(probe), "%s%s", token, span);
		rc = search_probe(tx, probe, &entries, err);
		if (rc)
			return rc;
		if (entries < fewest) {
			fewest = entries;
			rarest = i;
		}
		if (entries == 0)
			break; /* nothing matches: that lookup is the cheapest */
	}
	if (fewest > SEARCH_RAREST_MAX)
		return ORDO_OK;
	for (i = 0; i < f->search.n_terms; i++) {
		if (i == rarest)
			continue;
		search_term_token(&f->search, i, tenant, token, sizeof(token));
		/* SQLite's LIKE reads U+FFFE and U+FFFF as U+FFFD, where the
		 * index compares bytes: such a term is looked up in it. */
		if (strstr(token, "\xef\xbf\xbd") ||
		    strstr(token, "\xef\xbf\xbe") ||
		    strstr(token, "\xef\xbf\xbf"))
			return ORDO_OK;
		snprintf(st->others[k++], sizeof(st->others[0]), "%% %s %%",
			 token);
	}
	st->by_rarest = true;
	search_term_token(&f->search, rarest, tenant, st->match,
			  sizeof(st->match));
	while (k < SEARCH_OTHERS)
		snprintf(st->others[k++], sizeof(st->others[0]), "%%");
	return ORDO_OK;
}

/*
 * The bounds a search's tiers bind from its cursor (0: the first page):
 * the exact tier's seqs stay below *exact, the words' below *words. A
 * cursor in the exact tier (at or above SQL_SEARCH_EXACT) goes on there,
 * and the words start from the newest; one in the words tier is past
 * every exact match.
 */
static void search_bounds(int64_t cursor, int64_t *exact, int64_t *words)
{
	const int64_t tier = INT64_C(4611686018427387904); /* SQL_SEARCH_EXACT */

	if (cursor == 0) {
		*exact = *words = tier;
	} else if (cursor >= tier) {
		*exact = cursor - tier;
		*words = tier;
	} else {
		*exact = 0;
		*words = cursor;
	}
}

/* The tenant and the filters of f present in has, bound in the order of
 * order_list_where, and the limit. */
static void bind_filters(struct q *q, const bool *has, const order_filter *f,
			 int64_t tenant, int64_t limit)
{
	q_i64(q, tenant);
	if (has[OLF_STATE])
		q_str(q, order_state_name(f->state));
	if (has[OLF_CHANNEL])
		q_str(q, f->channel);
	if (has[OLF_EXTERNAL_ID])
		q_str(q, f->external_id);
	if (has[OLF_RECEIVED_FROM])
		q_i64(q, f->received_from);
	if (has[OLF_RECEIVED_TO])
		q_i64(q, f->received_to);
	if (has[OLF_BEFORE_SEQ])
		q_i64(q, f->before_seq);
	if (has[OLF_HOLD_TYPE]) {
		q_str(q, hold_type_name(f->hold_type));
		q_str(q, hold_status_name(HOLD_OPEN));
	}
	q_i64(q, limit);
}

/* A lookup no order matches: every token of the index begins with its
 * tenant ("t7...") or its span ("b9s..."). */
#define SEARCH_NOTHING "x"

/* Open st's search statement with its bounds and lookups, all bound: the
 * exact tier's is st->exact_match when set; the words' is st->span_match
 * when set, without the exact token's orders; a tier whose bound is 0
 * (none of its orders left to read) looks up nothing, not its token's
 * orders only to leave each out. */
static ordo_code search_open(struct q *q, store_tx *tx, const order_filter *f,
			     int64_t tenant, int64_t limit,
			     struct search_texts *st, ordo_err *err)
{
	ordo_code rc;
	int k;

	if (st->words_below == 0)
		snprintf(st->words, sizeof(st->words), SEARCH_NOTHING);
	else
		snprintf(st->words, sizeof(st->words), "%s NOT %s",
			 st->span_match[0] ? st->span_match : st->match,
			 st->exact);
	rc = q_open_sql(q, tx, st->id, st->sql, err);
	if (rc)
		return rc;
	if (st->exact_below == 0)
		q_str(q, SEARCH_NOTHING);
	else
		q_str(q, st->exact_match[0] ? st->exact_match : st->exact);
	q_i64(q, st->exact_below);
	bind_filters(q, st->has, f, tenant, limit);
	q_str(q, st->words);
	q_i64(q, st->words_below);
	q_i64(q, st->by_rarest);
	for (k = 0; k < SEARCH_OTHERS; k++)
		q_str(q, st->by_rarest ? st->others[k] : "%");
	bind_filters(q, st->has, f, tenant, limit);
	q_i64(q, limit);
	return ORDO_OK;
}

/* Open the order list statement for the filters of f, with all bound
 * (a search's texts written into st). */
static ordo_code order_list_open(struct q *q, store_tx *tx, int64_t tenant,
				 const order_filter *f, int64_t limit,
				 struct search_texts *st, ordo_err *err)
{
	bool has[OLF_COUNT] = {
		[OLF_STATE] = f->has_state,
		[OLF_CHANNEL] = f->channel[0] != '\0',
		[OLF_EXTERNAL_ID] = f->external_id[0] != '\0',
		[OLF_RECEIVED_FROM] = f->received_from != 0,
		[OLF_RECEIVED_TO] = f->received_to != 0,
		[OLF_BEFORE_SEQ] = f->before_seq != 0,
		[OLF_HOLD_TYPE] = f->has_hold_type,
		[OLF_SEARCH] = f->search.n_terms > 0,
	};
	char sql[4096];
	unsigned mask = 0;
	int i, len;
	ordo_code rc;

	for (i = 0; i < OLF_COUNT; i++)
		if (has[i])
			mask |= 1u << i;
	len = sql_order_list_text(mask, sql, sizeof(sql));
	/* Fixed fragments in a fixed buffer: too small is our bug. */
	if (len < 0 || (size_t)len >= sizeof(sql))
		return ordo_err_set(err, ORDO_EINTERNAL, NULL,
				    "the order list query does not fit");

	if (has[OLF_SEARCH]) {
		char span[32] = "";
		int n_exact;

		search_bounds(has[OLF_BEFORE_SEQ] ? f->before_seq : 0,
			      &st->exact_below, &st->words_below);
		has[OLF_BEFORE_SEQ] = false; /* in the bounds */
		st->top = 0;
		if (tx->db->search_by_spans) {
			rc = search_newest(tx, tenant, st->words_below,
					   &st->top, err);
			if (rc)
				return rc;
			if (st->top > 0) /* its terms counted in its span */
				snprintf(span, sizeof(span), " b%ds%lld",
					 span_shift[0],
					 (long long)(st->top >> span_shift[0]));
		}
		rc = search_words(tx, f, tenant, st, span, err);
		if (rc)
			return rc;
		/* Terms of a q of at most ORDO_SEARCH_Q_MAX bytes, each
		 * with its tenant: too long is our bug. */
		n_exact = search_exact_token(&f->search, tenant, st->exact,
					     sizeof(st->exact));
		if (n_exact < 0 || (size_t)n_exact >= sizeof(st->exact))
			return ordo_err_set(err, ORDO_EINTERNAL, "q",
					    "the search does not fit");
		memcpy(st->has, has, sizeof(st->has));
		st->id = SQL_ORDER_LIST_BASE + mask;
		memcpy(st->sql, sql, (size_t)len + 1);
		st->span_match[0] = st->exact_match[0] = '\0';
		if (tx->db->search_by_spans)
			return ORDO_OK; /* opened span by span */
		return search_open(q, tx, f, tenant, limit, st, err);
	}
	rc = q_open_sql(q, tx, SQL_ORDER_LIST_BASE + mask, sql, err);
	if (rc)
		return rc;
	if (has[OLF_HOLD_TYPE]) {
		/* SQL_HELD_FROM: the holds first, the cursor with them. */
		q_i64(q, tenant);
		q_str(q, hold_type_name(f->hold_type));
		q_str(q, hold_status_name(HOLD_OPEN));
		if (has[OLF_BEFORE_SEQ])
			q_i64(q, f->before_seq);
		has[OLF_BEFORE_SEQ] = false;
		has[OLF_HOLD_TYPE] = false;
	}
	bind_filters(q, has, f, tenant, limit);
	return ORDO_OK;
}

/* A row of SQL_PAGE_LINES or SQL_PAGE_HOLDS: the order's seq, then it. */
struct page_line {
	int64_t order_seq;
	order_line l;
};
struct page_hold {
	int64_t order_seq;
	order_hold h;
};

static ordo_code read_page_line(struct q *q, void *item, ordo_err *err)
{
	struct page_line *r = item;

	r->order_seq = q_col_i64(q);
	q_col_line(q, &r->l);
	return q_row_end(q, "reading order lines", err);
}

static ordo_code read_page_hold(struct q *q, void *item, ordo_err *err)
{
	struct page_hold *r = item;

	r->order_seq = q_col_i64(q);
	return q_col_hold(q, &r->h, err);
}

/*
 * The lines (checked as order_lines_load does) and the holds of the n
 * orders of a page, none loaded yet: two statements, whatever n.
 */
static ordo_code page_children_load(store_tx *tx, order *orders, size_t n,
				    ordo_err *err)
{
	struct q_parent *lines = NULL, *holds = NULL;
	struct page_line *lrows = NULL;
	struct page_hold *hrows = NULL;
	const order_page page = {.orders = orders, .n = n};
	void *raw = NULL;
	size_t n_l = 0, n_h = 0, i;
	ordo_code rc;

	if (n == 0)
		return ORDO_OK;
	lines = calloc(n, sizeof(*lines));
	holds = calloc(n, sizeof(*holds));
	if (!lines || !holds) {
		rc = sql_no_memory(err, "listing orders");
		goto out;
	}
	for (i = 0; i < n; i++) {
		lines[i] = (struct q_parent){orders[i].seq, &orders[i].lines,
					     &orders[i].n_lines};
		holds[i] = (struct q_parent){orders[i].seq, &orders[i].holds,
					     &orders[i].n_holds};
	}
	rc = q_page_rows(tx, SQL_PAGE_LINES, &page, sizeof(*lrows),
			 read_page_line, &raw, &n_l, "reading order lines",
			 err);
	lrows = raw;
	raw = NULL;
	for (i = 0; rc == ORDO_OK && i < n_l; i++)
		if (!order_line_consistent(&lrows[i].l))
			rc = ordo_err_set(err, ORDO_ESTORAGE, NULL,
					  "order seq %lld line %d breaks the "
					  "quantity identity",
					  (long long)lrows[i].order_seq,
					  lrows[i].l.line_no);
	if (rc == ORDO_OK)
		rc = q_spread(lines, n, lrows, n_l, sizeof(*lrows),
			      offsetof(struct page_line, l), sizeof(order_line),
			      ORDO_MAX_LINES, "reading order lines", err);
	if (rc)
		goto out;

	rc = q_page_rows(tx, SQL_PAGE_HOLDS, &page, sizeof(*hrows),
			 read_page_hold, &raw, &n_h, "reading holds", err);
	hrows = raw;
	if (rc == ORDO_OK)
		rc = q_spread(holds, n, hrows, n_h, sizeof(*hrows),
			      offsetof(struct page_hold, h), sizeof(order_hold),
			      ORDO_MAX_HOLDS, "reading holds", err);
out:
	free(lrows);
	free(hrows);
	free(lines);
	free(holds);
	return rc;
}

/* A row of a search: its key (tier and seq, SQL_SEARCH_TEXT), then the
 * order. */
struct search_hit {
	int64_t key;
	order o;
};

static ordo_code read_search_hit(struct q *q, void *item, ordo_err *err)
{
	struct search_hit *h = item;

	h->key = q_col_i64(q);
	return q_read_order(q, &h->o, err);
}

/* The orders of the n hits (which own nothing yet), as an array of their
 * own; the hits freed. NULL and *rc set when there is no memory. */
static order *search_hits_orders(void *items, size_t *n, ordo_code *rc,
				 ordo_err *err)
{
	struct search_hit *hits = items;
	order *orders = NULL;
	size_t i;

	if (*n > 0) {
		orders = calloc(*n, sizeof(*orders));
		if (!orders) {
			*rc = sql_no_memory(err, "searching orders");
			*n = 0;
		}
	}
	for (i = 0; orders && i < *n; i++)
		orders[i] = hits[i].o;
	free(hits);
	return orders;
}

/* The hits of f's search (st as order_list_open left it) up to want,
 * span by span, into *items and *n: the exact tier's first, walked span by
 * span itself when its token has more than SEARCH_RAREST_MAX orders (the
 * words tier left out of those runs), then the words'. */
static ordo_code search_by_spans(store_tx *tx, int64_t tenant,
				 const order_filter *f, int64_t want,
				 struct search_texts *st, void **items,
				 size_t *n, ordo_err *err)
{
	const int64_t tier = INT64_C(4611686018427387904); /* SQL_SEARCH_EXACT */
	struct search_hit *hits = NULL;
	int64_t top, have = 0, entries = 0;
	int level = 0;
	bool exact_walk = false;
	ordo_code rc;

	*items = NULL;
	*n = 0;
	top = st->top;
	rc = ORDO_OK;
	if (st->exact_below > 0)
		rc = search_probe(tx, st->exact, &entries, err);
	if (rc == ORDO_OK && entries > SEARCH_RAREST_MAX) {
		rc = search_newest(tx, tenant, st->exact_below, &top, err);
		exact_walk = true;
		st->words_below = 0; /* the words after the exact tier */
	}
	while (rc == ORDO_OK) {
		int64_t low = 0, got_tier = 0, i;
		struct q q;
		void *got = NULL;
		size_t n_got = 0;
		struct search_hit *grown;
		/* The tier this run walks: its lookup in the span, its bound. */
		char *span = exact_walk ? st->exact_match : st->span_match;
		int64_t *below = exact_walk ? &st->exact_below : &st->words_below;

		if (top > 0) {
			low = top >> span_shift[level] << span_shift[level];
			snprintf(span, SPAN_MATCH_MAX, "%s b%ds%lld",
				 exact_walk ? st->exact : st->match,
				 span_shift[level],
				 (long long)(top >> span_shift[level]));
			*below = top + 1;
		} else {
			*below = 0; /* no order left: none */
		}
		rc = search_open(&q, tx, f, tenant, want - have, st, err);
		if (rc == ORDO_OK)
			rc = q_rows(&q, (size_t)(want - have),
				    sizeof(struct search_hit), read_search_hit,
				    &got, &n_got, "searching orders", err);
		q_close(&q);
		if (rc == ORDO_OK && n_got > 0) {
			grown = realloc(hits, ((size_t)have + n_got) *
						      sizeof(*hits));
			if (!grown) {
				rc = sql_no_memory(err, "searching orders");
			} else {
				hits = grown;
				memcpy(hits + have, got,
				       n_got * sizeof(*hits));
				have += (int64_t)n_got;
			}
		}
		free(got);
		for (i = 0; rc == ORDO_OK && i < (int64_t)n_got; i++)
			got_tier += (hits[have - 1 - i].key >= tier) ==
				    exact_walk;
		if (rc || have == want)
			break;
		if (exact_walk && low == 0) {
			/* The exact tier read: the words from their newest. */
			exact_walk = false;
			st->exact_match[0] = '\0';
			st->exact_below = 0;
			top = st->top;
			level = 0;
			if (top > 0)
				continue;
			break;
		}
		if (low == 0)
			break;
		/* The rest of the page from spans below: wider while the
		 * rate of this one's matches fills too little of one. */
		while (level < SPANS - 1 &&
		       (2 * got_tier + 1) << span_shift[level] <
			       2 * (want - have) * (top - low + 1))
			level++;
		top = low - 1;
		if (!exact_walk)
			st->exact_below = 0; /* read whole in the first run */
	}
	st->span_match[0] = st->exact_match[0] = '\0';
	if (rc) {
		free(hits);
		return rc;
	}
	*items = hits;
	*n = (size_t)have;
	return ORDO_OK;
}

/* The list of one integration key's orders (SQL_ORDER_LIST_MINE): by
 * an external id and the cursor alone. */
static ordo_code order_list_mine(struct q *q, store_tx *tx, int64_t tenant,
				 const order_filter *f, ordo_err *err)
{
	ordo_code rc;

	/* The API refuses the rest for such a key: here, our bug. */
	if (f->has_state || f->channel[0] || f->has_hold_type ||
	    f->received_from || f->received_to || f->search.n_terms)
		return ordo_err_set(err, ORDO_EINTERNAL, "created_key",
				    "a key's own orders are listed by "
				    "external_id alone");
	rc = q_open(q, tx,
		    f->external_id[0] ? SQL_ORDER_LIST_MINE_EXTERNAL
				      : SQL_ORDER_LIST_MINE,
		    err);
	if (rc)
		return rc;
	q_i64(q, tenant);
	if (f->external_id[0])
		q_str(q, f->external_id);
	q_i64(q, f->created_key);
	q_i64(q, f->before_seq ? f->before_seq : INT64_MAX);
	q_i64(q, (int64_t)f->limit + 1);
	return ORDO_OK;
}

ordo_code store_order_list(store_tx *tx, int64_t tenant, const order_filter *f,
			   order_page *page, ordo_err *err)
{
	struct search_texts texts;
	struct q q = {0};
	void *items = NULL;
	order *orders;
	size_t n = 0, i;
	ordo_code rc;

	memset(page, 0, sizeof(*page));
	rc = sql_check_limit(f->limit, ORDO_PAGE_MAX, err);
	/* Terms that search_query_parse did not write could be query
	 * syntax to the index: our bug, refused before it reaches SQL. */
	if (rc == ORDO_OK && f->search.n_terms > 0 &&
	    !search_query_valid(&f->search))
		rc = ordo_err_set(err, ORDO_EINTERNAL, "q",
				  "the search terms are not parsed ones");
	if (rc == ORDO_OK && f->before_seq < 0)
		rc = ordo_err_set(err, ORDO_EINVALID, "cursor",
				  "the page cursor is not valid");
	if (rc)
		return rc;
	if (f->created_key)
		rc = order_list_mine(&q, tx, tenant, f, err);
	else
		rc = order_list_open(&q, tx, tenant, f, (int64_t)f->limit + 1,
				     &texts, err);
	if (rc == ORDO_OK && f->search.n_terms > 0 &&
	    tx->db->search_by_spans) {
		rc = search_by_spans(tx, tenant, f, (int64_t)f->limit + 1,
				     &texts, &items, &n, err);
		if (rc == ORDO_OK && n == (size_t)f->limit + 1) {
			n--;
			page->next_before_seq =
				((struct search_hit *)items)[n - 1].key;
		}
	} else if (rc == ORDO_OK && f->search.n_terms > 0)
		rc = q_page(&q, f->limit, sizeof(struct search_hit),
			    offsetof(struct search_hit, key), read_search_hit,
			    &items, &n, &page->next_before_seq,
			    "searching orders", err);
	else if (rc == ORDO_OK)
		rc = q_page(&q, f->limit, sizeof(order), offsetof(order, seq),
			    q_read_order, &items, &n, &page->next_before_seq,
			    "listing orders", err);
	q_close(&q);
	if (rc == ORDO_OK && f->search.n_terms > 0)
		items = search_hits_orders(items, &n, &rc, err);
	orders = items;
	if (rc == ORDO_OK)
		rc = page_children_load(tx, orders, n, err);
	if (rc) {
		for (i = 0; i < n; i++)
			order_free(&orders[i]);
		free(orders);
		page->next_before_seq = 0;
		return rc;
	}
	page->orders = orders;
	page->n = n;
	return ORDO_OK;
}

const char *sql_order_list_named(const char *name)
{
	if (strcmp(name, "page_lines") == 0)
		return sql_text[SQL_PAGE_LINES];
	if (strcmp(name, "page_holds") == 0)
		return sql_text[SQL_PAGE_HOLDS];
	return NULL;
}

void order_page_free(order_page *page)
{
	size_t i;

	if (!page)
		return;
	for (i = 0; i < page->n; i++)
		order_free(&page->orders[i]);
	free(page->orders);
	memset(page, 0, sizeof(*page));
}
