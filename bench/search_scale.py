#!/usr/bin/env python3
"""search_scale.py - is order search (GET /v1/orders?q=) flat as history grows?

Makes a SQLite database with ordo's schema (`ordo migrate`), fills it
directly through SQL with N orders (INSERT ... SELECT from a recursive CTE:
orders, their lines and their words in order_search, whose triggers fill
the FTS5 index, in the token format of src/core/search.c), then times the
order list's search statement - the text sql_order_list.c assembles for a
search with no other filter, bound as store_order_list binds it - for a
rare term, a common term (a SKU in 30% of the orders) and a multi-term
query, first page of 50, at each size.

Not part of `make test`: run it by hand.

    bench/search_scale.py [--ordo build/ordo] [--sizes 10000,1000000]
                          [--runs 20] [--dir /tmp]

Orders: 90% in tenant 1 (the one searched), 10% in tenant 2 (whose
matches must cost nothing). Order i: customer "<first> <last>" (100 first
names, 50 last names), email c<i>@example.com, phone +1 555 <i, 7 digits>,
ship-to postal code PC<i mod 5000>, external id EXT-<i>, one line whose
SKU is COMMON-SKU for 30% of the orders, else SKU-<i mod 1000>.
"""
import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time

# sql_order_list.c's statement for a search alone (mask OLF_SEARCH): keep
# in step with SQL_SEARCH_TEXT and sql_order_list_text.
ORDER_COLS = (
    "seq, tenant_id, id, external_id, channel, placed_at, received_at, "
    "currency, customer_external_id, customer_name, customer_email, "
    "customer_phone, ship_to_name, ship_to_company, ship_to_line1, "
    "ship_to_line2, ship_to_city, ship_to_region, ship_to_postal_code, "
    "ship_to_country, ship_to_phone, has_bill_to, bill_to_name, "
    "bill_to_company, bill_to_line1, bill_to_line2, bill_to_city, "
    "bill_to_region, bill_to_postal_code, bill_to_country, bill_to_phone, "
    "shipping_method, shipping_amount, subtotal, shipping_total, tax, "
    "discount, total, payment_status, notes, fingerprint, customer_key, "
    "state, updated_at, accepted_at, release_due_at, released_at, "
    "delivered_at, closed_at")
TIER = (
    "SELECT * FROM (SELECT {key} AS hit_key, " + ORDER_COLS +
    " FROM order_search_fts(?) f CROSS JOIN orders"
    " WHERE f.rowid < ?{exclude} AND orders.seq = f.rowid"
    " AND tenant_id = ? ORDER BY f.rowid DESC LIMIT ?)")
SEARCH_SQL = (
    TIER.format(key="f.rowid + 4611686018427387904", exclude="") +
    " x UNION ALL " +
    TIER.format(key="f.rowid", exclude=(
        " AND NOT EXISTS (SELECT 1 FROM order_search_fts(?) e"
        " WHERE e.rowid = f.rowid)")) +
    " w ORDER BY hit_key DESC LIMIT ?")
TOP = 4611686018427387904  # SQL_SEARCH_EXACT: no cursor bound
PAGE = 50

FIRST = ["ada", "ben", "cleo", "dan", "eve", "finn", "gus", "hana", "ivan",
         "jane"] * 10
LAST = ["smith", "jones", "brown", "taylor", "wilson", "davies", "evans",
        "thomas", "johnson", "roberts"] * 5


def fill(db, n):
    c = sqlite3.connect(db, isolation_level=None)
    c.executescript("""
        PRAGMA journal_mode = WAL;
        PRAGMA synchronous = OFF;
        INSERT INTO tenants (id, slug, created_at)
            VALUES (1, 'one', 0), (2, 'two', 0);
        CREATE TEMP TABLE first_names (k INTEGER PRIMARY KEY, v TEXT);
        CREATE TEMP TABLE last_names (k INTEGER PRIMARY KEY, v TEXT);
    """)
    c.executemany("INSERT INTO first_names VALUES (?, ?)",
                  [(i, f"{v}{i}") for i, v in enumerate(FIRST)])
    c.executemany("INSERT INTO last_names VALUES (?, ?)",
                  list(enumerate(LAST)))
    c.execute("BEGIN")
    c.execute(f"""
        WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g
                                WHERE i < {n})
        INSERT INTO orders (seq, tenant_id, id, external_id, channel,
            placed_at, received_at, updated_at, currency,
            customer_external_id, customer_name, customer_email,
            customer_phone, ship_to_name, ship_to_company, ship_to_line1,
            ship_to_line2, ship_to_city, ship_to_region, ship_to_postal_code,
            ship_to_country, ship_to_phone, has_bill_to, bill_to_name,
            bill_to_company, bill_to_line1, bill_to_line2, bill_to_city,
            bill_to_region, bill_to_postal_code, bill_to_country,
            bill_to_phone, shipping_method, shipping_amount, subtotal,
            shipping_total, tax, discount, total, payment_status, notes,
            state, fingerprint)
        SELECT i, CASE WHEN i % 10 = 0 THEN 2 ELSE 1 END, 'ord_' || i,
            'EXT-' || i, 'web', 1700000000 + i, 1700000000 + i,
            1700000000 + i, 'USD', 'cus_' || i,
            (SELECT v FROM first_names WHERE k = i % 100) || ' ' ||
            (SELECT v FROM last_names WHERE k = i % 50),
            'c' || i || '@example.com',
            '+1 555 ' || substr('0000000' || i, -7), '', '', '1 Main St',
            '', 'Springfield', 'IL', 'PC' || (i % 5000), 'US', '', 0, '',
            '', '', '', '', '', '', '', '', 'standard', 500, 1000, 500, 0,
            0, 1500, 'paid', '', 'accepted', 'fp' || i
        FROM g""")
    c.execute(f"""
        WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g
                                WHERE i < {n})
        INSERT INTO order_lines (order_seq, line_no, sku, title, quantity,
            unit_price, qty_open, qty_allocated, qty_released, qty_shipped,
            qty_cancelled, qty_returned)
        SELECT i, 1, CASE WHEN i % 10 < 3 THEN 'COMMON-SKU'
                          ELSE 'SKU-' || (i % 1000) END,
            'Thing', 1, 1000, 1, 0, 0, 0, 0, 0
        FROM g""")
    # The tokens core/search.c writes for these fields (search_doc_order),
    # by a port of it for ASCII text (search_doc_words, search_doc_exact).
    c.create_function("ordo_words", 7, doc_words, deterministic=True)
    c.create_function("ordo_exact", 4, doc_exact, deterministic=True)
    c.execute("""
        INSERT INTO order_search (seq, head_exact, tracking_exact, head,
                                  tracking)
        SELECT o.seq,
            ordo_exact(o.tenant_id, o.customer_email, o.customer_phone,
                       o.external_id), '',
            ordo_words(o.tenant_id, o.customer_name, o.customer_email,
                       o.customer_phone, o.ship_to_postal_code,
                       o.external_id, l.sku), ''
        FROM orders o JOIN order_lines l ON l.order_seq = o.seq""")
    c.execute("COMMIT")
    c.execute("ANALYZE")
    c.close()


PREFIX_MAX = 24  # ORDO_SEARCH_PREFIX_MAX
PHONE_MIN = 7  # SEARCH_PHONE_MIN_DIGITS


def split_words(text):
    word, out = [], []
    for ch in text.lower() + " ":
        if ch.isascii() and ch.isalnum():
            word.append(ch)
        elif word:
            out.append("".join(word))
            word = []
    return out


def word_tokens(tenant, w):
    toks = [f"t{tenant}z{w[:k]}" for k in range(1, min(len(w), PREFIX_MAX)
                                              + 1)]
    if len(w) > PREFIX_MAX:
        toks.append(f"t{tenant}z{w}")
    return toks


def doc_words(tenant, name, email, phone, postal, ext, sku):
    toks = []
    for field in (name, email, phone, postal, ext, sku):
        for w in split_words(field):
            toks += word_tokens(tenant, w)
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) >= PHONE_MIN:
        for a in range(len(digits) - PHONE_MIN + 1):
            for n in range(PHONE_MIN, len(digits) - a + 1):
                toks.append(f"t{tenant}z{digits[a:a + min(n, PREFIX_MAX)]}")
    return " " + " ".join(toks)


def doc_exact(tenant, email, phone, ext):
    digits = "".join(ch for ch in phone if ch.isdigit())
    return (f" t{tenant}e{''.join(split_words(email))}"
            f" t{tenant}e{digits} t{tenant}e{''.join(split_words(ext))}")


def lookup(tenant, terms):
    """search_match_text and search_exact_token of core/search.c."""
    match = " ".join(f"t{tenant}z{t[:PREFIX_MAX]}" for t in terms)
    exact = f"t{tenant}e{''.join(terms)}"
    return exact, match


def time_query(db, tenant, terms, runs):
    c = sqlite3.connect(db)
    exact, match = lookup(tenant, terms)
    args = (exact, TOP, tenant, PAGE + 1, match, TOP, exact, tenant,
            PAGE + 1, PAGE + 1)
    rows = c.execute(SEARCH_SQL, args).fetchall()  # warm the cache
    best, total = None, 0.0
    for _ in range(runs):
        t0 = time.perf_counter()
        c.execute(SEARCH_SQL, args).fetchall()
        dt = time.perf_counter() - t0
        total += dt
        best = dt if best is None else min(best, dt)
    matches = c.execute("SELECT count(*) FROM order_search_fts(?)",
                        (match,)).fetchone()[0]
    c.close()
    return len(rows), matches, best * 1000, total / runs * 1000


QUERIES = [
    ("rare: c4242@example.com", ["c4242", "example", "com"]),
    ("rare: EXT-4242", ["ext", "4242"]),
    ("common: COMMON-SKU", ["common", "sku"]),
    ("multi: COMMON-SKU jones", ["common", "sku", "jones"]),
    ("multi: jane9 roberts", ["jane9", "roberts"]),
    ("multi: jane9 roberts pc4209", ["jane9", "roberts", "pc4209"]),
    ("prefix: jan rob", ["jan", "rob"]),
    ("phone: (555) 000-4242", ["5550004242"]),
]


def main():
    ap = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--ordo", default=os.path.join(here, "..", "build",
                                                   "ordo"))
    ap.add_argument("--sizes", default="10000,1000000")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--dir", default=None)
    a = ap.parse_args()
    sizes = [int(s) for s in a.sizes.split(",")]
    print(f"{'orders':>9} {'query':<28} {'page':>4} {'matches':>8} "
          f"{'best ms':>8} {'mean ms':>8}")
    for n in sizes:
        with tempfile.TemporaryDirectory(dir=a.dir) as d:
            db = os.path.join(d, "ordo.db")
            subprocess.run([a.ordo, "migrate", "--db", db], check=True,
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            t0 = time.perf_counter()
            fill(db, n)
            print(f"# {n} orders filled in {time.perf_counter() - t0:.1f} s",
                  file=sys.stderr)
            for name, terms in QUERIES:
                page, matches, best, mean = time_query(db, 1, terms, a.runs)
                print(f"{n:>9} {name:<28} {page:>4} {matches:>8} "
                      f"{best:>8.2f} {mean:>8.2f}")


if __name__ == "__main__":
    main()
