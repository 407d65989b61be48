-- 0010_search.sql - the order search index (GET /v1/orders?q=), on
-- PostgreSQL 15; the twin of migrations/sqlite/0010_search.sql.
--
-- What is searched is an order's customer name, email and phone, its
-- ship-to name, postal code and phone, its external id, its lines' SKUs
-- and its shipments' tracking numbers. Those are ids, emails, phone
-- numbers and codes ("SW1A 1AA", "TSHIRT-RED-M", "1Z999AA10123456784"),
-- not prose: no stemming, no stop words, no language. So the store does
-- not leave the splitting to a text search parser ('simple' still reads
-- "jane.doe@example.com" as one email token and "TSHIRT-RED-M" as a
-- hyphenated word with its parts, each its own way): src/core/search.c
-- writes each order's tokens itself - its words, lowercased and split at
-- punctuation, each under every prefix ("jane" as j, ja, jan, jane), every
-- long enough run of each phone's digits - each prefixed with its tenant
-- ("t7zjan"). The tsvector is read from that text as it is (a cast, no
-- configuration), split at spaces only, as SQLite's FTS5 "ascii"
-- tokenizer does, so both backends find the same orders. Because every
-- token starts with its tenant, a lookup for one tenant reads that
-- tenant's entries of the GIN index alone: another tenant's orders never
-- match and never cost.
--
-- Built-in full text (tsvector and GIN) rather than pg_trgm: a term is a
-- word prefix ("jane@exa", "SW1A", "TSHIRT-RE"), which a GIN index answers
-- as one whole token of the tenant; trigrams would match inside words,
-- need an extension, and cannot carry the tenant in the key.
--
-- order_search holds each order's tokens (head: the order's own fields,
-- rewritten when they change; tracking: appended by each shipment), words
-- their tsvector, and, apart, its exact tokens ("t7e<id run together>":
-- external id, email, phones, tracking numbers), in the tsvector too: the
-- orders whose id, email, phone or tracking number is exactly q, which a
-- search lists first, are found by that one token. order_search_fts(lookup) answers the seqs (as
-- rowid) of the orders holding every token of the lookup ("t7zjane
-- t7zexa", search_match_text): the same SQL text as SQLite's FTS5
-- table-valued function. A SQL function of one SELECT, it is inlined into
-- the statements that call it, and planned with them. Its rowid is seq +
-- 0, which no B-tree is ordered by: a plan for "the newest matches" could
-- otherwise walk order_search backwards by its primary key, testing every
-- row's words until enough match - every order of every tenant for a rare
-- term. So the matches are read from the GIN index (the tenant's entries
-- for each term) and the newest taken of them; unlike FTS5's walk in seq
-- order, that reads every match of the terms, so on PostgreSQL a search
-- costs what its terms match together.
--
-- The orders stored before this migration are given their tokens by the
-- migration job itself (store.c after this script: sql_search_fill), from
-- the same code that writes every new order's, which SQL here could only
-- imitate.
CREATE TABLE order_search (
	seq BIGINT PRIMARY KEY REFERENCES orders(seq),
	head_exact TEXT NOT NULL,
	tracking_exact TEXT NOT NULL DEFAULT '',
	head TEXT NOT NULL,
	tracking TEXT NOT NULL DEFAULT '',
	words tsvector GENERATED ALWAYS AS
		(CAST(head || ' ' || tracking || ' ' || head_exact || ' ' ||
		      tracking_exact AS tsvector)) STORED
);
CREATE INDEX order_search_words ON order_search USING gin (words);
CREATE FUNCTION order_search_fts(lookup TEXT)
RETURNS TABLE (rowid BIGINT) LANGUAGE sql STABLE AS $$
	SELECT seq + 0 FROM order_search
	WHERE words @@ CAST('''' || replace(lookup, ' ', ''' & ''') || ''''
			    AS tsquery)
$$;
