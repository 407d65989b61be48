-- 0010_search.sql - the order search index (GET /v1/orders?q=), on SQLite;
-- the twin of migrations/postgres/0010_search.sql.
--
-- What is searched is an order's customer name, email and phone, its
-- ship-to name, postal code and phone, its external id, its lines' SKUs
-- and its shipments' tracking numbers. Those are ids, emails, phone
-- numbers and codes ("SW1A 1AA", "TSHIRT-RED-M", "1Z999AA10123456784"),
-- not prose: no stemming, no stop words, no language. So the store does
-- not leave the splitting to a tokenizer of either database, which would
-- split "jane.doe@example.com" or "+1 (555) 010-2345" each its own way:
-- src/core/search.c writes each order's tokens itself - its words,
-- lowercased and split at punctuation, each under every prefix ("jane" as
-- j, ja, jan, jane), every long enough run of each phone's digits - each
-- prefixed with its tenant ("t7zjan"). The index then only splits at
-- spaces, which FTS5's "ascii" tokenizer and PostgreSQL's tsvector input
-- do alike, so both backends find the same orders. Because every token
-- starts with its tenant, a lookup for one tenant reads that tenant's
-- entries alone: another tenant's orders never match and never cost.
--
-- A term is looked up as one whole token, never as an FTS5 prefix query
-- ("jan*" merges the entries of every word it covers before the first
-- row comes back): FTS5 answers "every term, newest first" by walking each
-- term's entries in rowid (order seq) order and stops once a page is
-- full, a read that stays the same as history grows.
-- detail='none': no positions or columns are kept, as no phrase is ever
-- looked up.
--
-- order_search holds each order's tokens (head: the order's own fields,
-- rewritten when they change; tracking: appended by each shipment) and,
-- apart, its exact tokens ("t7e<id run together>": external id, email,
-- phones, tracking numbers), indexed too: the orders whose id, email,
-- phone or tracking number is exactly q, which a search lists first, are
-- found by that one token.
-- The triggers keep the contentless FTS5 index order_search_fts in step
-- with it, in the same transaction. The statements that write and read
-- both are the same text on PostgreSQL, whose twin is a table with a GIN
-- index and a function named order_search_fts.
--
-- The orders stored before this migration are given their tokens by the
-- migration job itself (store.c after this script: sql_search_fill), from
-- the same code that writes every new order's, which SQL here could only
-- imitate.
CREATE TABLE order_search (
	seq INTEGER PRIMARY KEY REFERENCES orders(seq),
	head_exact TEXT NOT NULL,
	tracking_exact TEXT NOT NULL DEFAULT '',
	head TEXT NOT NULL,
	tracking TEXT NOT NULL DEFAULT ''
);
CREATE VIRTUAL TABLE order_search_fts USING fts5(
	head, tracking, content='', tokenize='ascii', detail='none'
);
CREATE TRIGGER order_search_insert AFTER INSERT ON order_search BEGIN
	INSERT INTO order_search_fts (rowid, head, tracking)
		VALUES (new.seq, new.head || ' ' || new.head_exact,
			new.tracking || ' ' || new.tracking_exact);
END;
CREATE TRIGGER order_search_update
AFTER UPDATE OF head, tracking, head_exact, tracking_exact
ON order_search BEGIN
	INSERT INTO order_search_fts (order_search_fts, rowid, head, tracking)
		VALUES ('delete', old.seq, old.head || ' ' || old.head_exact,
			old.tracking || ' ' || old.tracking_exact);
	INSERT INTO order_search_fts (rowid, head, tracking)
		VALUES (new.seq, new.head || ' ' || new.head_exact,
			new.tracking || ' ' || new.tracking_exact);
END;
CREATE TRIGGER order_search_delete AFTER DELETE ON order_search BEGIN
	INSERT INTO order_search_fts (order_search_fts, rowid, head, tracking)
		VALUES ('delete', old.seq, old.head || ' ' || old.head_exact,
			old.tracking || ' ' || old.tracking_exact);
END;
