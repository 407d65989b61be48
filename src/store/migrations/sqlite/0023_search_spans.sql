-- 0023_search_spans.sql - nothing to change on SQLite; the twin of
-- migrations/postgres/0023_search_spans.sql, so that both databases are at
-- the same schema version.
--
-- FTS5 keeps each token's orders in the order of their seq and walks them
-- newest first, stopping at a page: a search by a common word is read so
-- already, and needs no spans of history in its words.
SELECT 1;
