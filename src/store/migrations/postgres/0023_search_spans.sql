-- 0023_search_spans.sql - the order search index, read a span of history
-- at a time, on PostgreSQL 15; the twin of
-- migrations/sqlite/0023_search_spans.sql, which has nothing to change.
--
-- A GIN index keeps each token's orders in no order: to return the newest
-- page of a word many orders share, it reads every order that has it (30,000
-- of a million for a first name, 14 ms before the first row), and that grows
-- with history. So each order's words also name the spans of history it
-- falls in: for each shift s of 9, 12, 15, 18, 21 and 24, the token
-- "b<s>s<seq >> s>" ("b9s1996": the 1,997th span of 512 orders). A search
-- (sql_order_list.c, SEARCH BY SPANS) looks its words up with one span's
-- token beside them, newest span first: the index then answers the orders
-- of that span alone (it skips through the common token's entries to the
-- span's), and the search widens the span (8 times, at each shift) only
-- while spans hold too few matches to fill the page. Every token of an
-- order's own words starts with "t" and its tenant, so a span token never
-- matches a word.
--
-- A stored generated column cannot change its expression on PostgreSQL 15:
-- it is made again (and the index with it), rewriting order_search once.
ALTER TABLE order_search DROP COLUMN words;
ALTER TABLE order_search ADD COLUMN words tsvector GENERATED ALWAYS AS
	(CAST(head || ' ' || tracking || ' ' || head_exact || ' ' ||
	      tracking_exact ||
	      ' b9s' || CAST(seq >> 9 AS TEXT) ||
	      ' b12s' || CAST(seq >> 12 AS TEXT) ||
	      ' b15s' || CAST(seq >> 15 AS TEXT) ||
	      ' b18s' || CAST(seq >> 18 AS TEXT) ||
	      ' b21s' || CAST(seq >> 21 AS TEXT) ||
	      ' b24s' || CAST(seq >> 24 AS TEXT) AS tsvector)) STORED;
CREATE INDEX order_search_words ON order_search USING gin (words);
