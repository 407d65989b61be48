/*
 * fingerprint.c - the duplicate-order fingerprint. See fingerprint.h.
 *
 * The canonical text is
 *
 *     c=<customer>|n=<ship-to name>|a=<line1>|<line2>|<city>|<postal>|
 *     <country>|l=<SKU>*<qty>,<SKU>*<qty>...
 *
 * (one line, no breaks), where
 *
 *   - <customer> is "e:" + the email, trimmed and lower-cased, when there is
 *     one; else "p:" + the digits of the phone, when it has any; else "n:" +
 *     the normalised customer name. The prefix keeps a phone number from
 *     ever equalling a name.
 *   - names and address parts are normalised: ASCII letters lower-cased,
 *     ASCII digits kept, every other ASCII character (spaces, punctuation)
 *     dropped. Bytes >= 0x80 (UTF-8 text) are kept as they are, so names in
 *     other scripts are not erased into empty strings that would all match.
 *   - lines are merged per SKU (trimmed, upper-cased) with their quantities
 *     summed, and sorted by SKU bytes.
 *   - in the email and SKUs, the separators '|', ',', '*', '=' and '%' are
 *     written as %XX so no field can imitate another.
 *
 * Sorting uses an index array on the stack (ORDO_MAX_LINES entries of
 * uint16_t), so fingerprint_canonical() never allocates; it requires
 * n_lines <= ORDO_MAX_LINES (asserted; order_lines_alloc() guarantees it); fingerprint_order()
 * measures the text, allocates it on the heap, hashes it with SHA-256
 * (libsodium) and writes 64 lower-case hex digits into o->fingerprint.
 */
#include "core/fingerprint.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

_Static_assert(ORDO_MAX_LINES <= UINT16_MAX, "line index must fit uint16_t");
_Static_assert(sizeof(((order *)0)->fingerprint) ==
		       crypto_hash_sha256_BYTES * 2 + 1,
	       "fingerprint holds hex SHA-256");

/* Appends to a buffer that may be too small, counting what it needs. */
struct writer {
	char *buf;
	size_t size;
	size_t len; /* needed so far, excluding NUL */
};

static void put_char(struct writer *w, char c)
{
	if (w->len + 1 < w->size)
		w->buf[w->len] = c;
	w->len++;
}

static void put_str(struct writer *w, const char *s)
{
	for (; *s; s++)
		put_char(w, *s);
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

static char to_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static char to_upper(char c)
{
	return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

/* Names and addresses: lower-case ASCII alphanumerics and non-ASCII bytes. */
static void put_normalised(struct writer *w, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c >= 0x80)
			put_char(w, (char)c);
		else if (c >= 'A' && c <= 'Z')
			put_char(w, to_lower((char)c));
	}
}

/* The span of s without surrounding whitespace. */
static const char *trim_span(const char *s, size_t *len)
{
	const char *end;

	while (is_space(*s))
		s++;
	end = s + strlen(s);
	while (end > s && is_space(end[-1]))
		end--;
	*len = (size_t)(end - s);
	return s;
}

/* Write one byte, escaping the canonical text's separators. */
static void put_escaped(struct writer *w, char c)
{
	static const char hex[] = "0123456789ABCDEF";

	if (c == '|' || c == ',' || c == '*' || c == '=' || c == '%') {
		put_char(w, '%');
		put_char(w, hex[((unsigned char)c >> 4) & 0xf]);
		put_char(w, hex[(unsigned char)c & 0xf]);
	} else {
		put_char(w, c);
	}
}

static void put_email(struct writer *w, const char *email)
{
	size_t n, i;
	const char *s = trim_span(email, &n);

	for (i = 0; i < n; i++)
		put_escaped(w, to_lower(s[i]));
}

static void put_sku(struct writer *w, const char *sku)
{
	size_t n, i;
	const char *s = trim_span(sku, &n);

	for (i = 0; i < n; i++)
		put_escaped(w, to_upper(s[i]));
}

/* Compare two SKUs as canonicalised: trimmed and upper-cased. */
static int sku_cmp(const char *a, const char *b)
{
	size_t na, nb, i;
	const char *sa = trim_span(a, &na);
	const char *sb = trim_span(b, &nb);

	for (i = 0; i < na && i < nb; i++) {
		unsigned char ca = (unsigned char)to_upper(sa[i]);
		unsigned char cb = (unsigned char)to_upper(sb[i]);

		if (ca != cb)
			return ca < cb ? -1 : 1;
	}
	if (na == nb)
		return 0;
	return na < nb ? -1 : 1;
}

static void put_customer(struct writer *w, const order_customer *c)
{
	size_t n;
	const char *p;

	trim_span(c->email, &n);
	if (n > 0) {
		put_str(w, "e:");
		put_email(w, c->email);
		return;
	}
	for (p = c->phone; *p; p++)
		if (*p >= '0' && *p <= '9')
			break;
	if (*p) {
		put_str(w, "p:");
		for (p = c->phone; *p; p++)
			if (*p >= '0' && *p <= '9')
				put_char(w, *p);
		return;
	}
	put_str(w, "n:");
	put_normalised(w, c->name);
}

static void put_lines(struct writer *w, const order *o)
{
	uint16_t idx[ORDO_MAX_LINES];
	size_t n = o->n_lines, i, j;
	bool first = true;

	assert(n <= ORDO_MAX_LINES);
	if (n > ORDO_MAX_LINES)
		n = ORDO_MAX_LINES;
	/* Insertion sort: stable, no allocation, and at most 500 entries. */
	for (i = 0; i < n; i++) {
		uint16_t cur = (uint16_t)i;

		for (j = i; j > 0 && sku_cmp(o->lines[idx[j - 1]].sku,
					     o->lines[cur].sku) > 0;
		     j--)
			idx[j] = idx[j - 1];
		idx[j] = cur;
	}
	for (i = 0; i < n; i = j) {
		const order_line *l = &o->lines[idx[i]];
		int64_t qty = l->quantity;
		char num[24];

		for (j = i + 1;
		     j < n && sku_cmp(o->lines[idx[j]].sku, l->sku) == 0; j++)
			if (__builtin_add_overflow(
				    qty, o->lines[idx[j]].quantity, &qty))
				qty = INT64_MAX;
		if (!first)
			put_char(w, ',');
		first = false;
		put_sku(w, l->sku);
		snprintf(num, sizeof(num), "*%" PRId64, qty);
		put_str(w, num);
	}
}

size_t fingerprint_canonical(const order *o, char *buf, size_t size)
{
	struct writer w = { .buf = buf, .size = size, .len = 0 };
	const order_address *a = &o->ship_to;

	put_str(&w, "c=");
	put_customer(&w, &o->customer);
	put_str(&w, "|n=");
	put_normalised(&w, a->name);
	put_str(&w, "|a=");
	put_normalised(&w, a->line1);
	put_char(&w, '|');
	put_normalised(&w, a->line2);
	put_char(&w, '|');
	put_normalised(&w, a->city);
	put_char(&w, '|');
	put_normalised(&w, a->postal_code);
	put_char(&w, '|');
	put_normalised(&w, a->country);
	put_str(&w, "|l=");
	put_lines(&w, o);
	if (size > 0)
		buf[w.len < size ? w.len : size - 1] = '\0';
	return w.len;
}

ordo_code fingerprint_order(order *o, ordo_err *err)
{
	unsigned char hash[crypto_hash_sha256_BYTES];
	size_t need;
	char *text;

	if (o->n_lines > ORDO_MAX_LINES)
		return ordo_err_set(err, ORDO_ELIMIT, "lines",
				    "an order may have at most %d lines",
				    ORDO_MAX_LINES);
	if (sodium_init() < 0)
		return ordo_err_set(err, ORDO_EINTERNAL, NULL,
				    "libsodium could not be initialised");
	need = fingerprint_canonical(o, NULL, 0);
	text = malloc(need + 1);
	if (!text)
		return ordo_err_set(err, ORDO_ENOMEM, NULL,
				    "out of memory building the fingerprint "
				    "of an order with %zu lines",
				    o->n_lines);
	fingerprint_canonical(o, text, need + 1);
	crypto_hash_sha256(hash, (const unsigned char *)text, need);
	free(text);
	sodium_bin2hex(o->fingerprint, sizeof(o->fingerprint), hash,
		       sizeof(hash));
	return ORDO_OK;
}
