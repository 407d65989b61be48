-- 0032_search_not.sql - a search lookup that leaves out one token's
-- orders, on PostgreSQL 15; the twin of
-- migrations/sqlite/0032_search_not.sql.
--
-- A search's second tier (the orders holding every term's token, but not
-- q's exact token, whose orders the first tier lists: sql_order_list.c)
-- looked each of its matches up again by the exact token, to leave out
-- those of the first tier: a read for each order of the exact token,
-- however many there were (a buyer's email on every one of thousands of
-- purchase orders). Its lookup now says it itself, in FTS5's words:
-- "t7zjane t7zexa NOT t7ejaneexamplecom". order_search_fts reads " NOT "
-- as the negation of the token after it ('t7zjane' & 't7zexa' &
-- !'t7ejaneexamplecom'), which the GIN index evaluates as it combines the
-- tokens' entries: the exact token's orders are left out there, without
-- reading their rows. Tokens are letters and digits (core/search.h), so
-- neither " NOT " nor '~' is ever part of one.
CREATE OR REPLACE FUNCTION order_search_fts(lookup TEXT)
RETURNS TABLE (rowid BIGINT) LANGUAGE sql STABLE AS $$
	SELECT seq + 0 FROM order_search
	WHERE words @@ CAST('''' || replace(replace(replace(lookup,
			    ' NOT ', '~'), ' ', ''' & '''), '~', ''' & !''')
			    || '''' AS tsquery)
$$;
