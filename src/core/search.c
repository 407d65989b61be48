/*
 * search.c - the words an order is found by and the terms a caller's text
 * is looked up as (search.h says what each is). Everything here is plain
 * byte work: a byte is part of a word when it is an ASCII letter or digit,
 * or any byte of a multi-byte UTF-8 character; ASCII letters are lowered.
 */
#include "core/search.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c >= 0x80;
}

/* Whether byte c starts a character (is no UTF-8 continuation byte). */
static bool char_start(unsigned char c)
{
	return c < 0x80 || c >= 0xC0;
}

static char lower(unsigned char c)
{
	return (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
}

/* ---- the caller's text --------------------------------------------------- */

/* Whether text is a phone number: digits and the punctuation phone
 * numbers are written with, at least SEARCH_PHONE_MIN_DIGITS digits. */
static bool phone_like(const char *text)
{
	size_t digits = 0;
	const char *p;

	for (p = text; *p; p++) {
		if (*p >= '0' && *p <= '9')
			digits++;
		else if (!strchr(" +-.()/", *p))
			return false;
	}
	return digits >= SEARCH_PHONE_MIN_DIGITS;
}

/* FNV-1a over the terms, each ended by a space. */
static uint32_t terms_hash(const search_query *q)
{
	uint32_t h = 2166136261u;
	size_t i;
	const char *p;

	for (i = 0; i < q->n_terms; i++) {
		for (p = q->terms[i]; *p; p++)
			h = (h ^ (unsigned char)*p) * 16777619u;
		h = (h ^ ' ') * 16777619u;
	}
	return h;
}

ordo_code search_query_parse(const char *text, const char *field,
			     search_query *q, ordo_err *err)
{
	size_t len = strlen(text), n = 0, w = 0;
	const char *p;
	bool phone;

	memset(q, 0, sizeof(*q));
	if (len > ORDO_SEARCH_Q_MAX)
		return ordo_err_set(err, ORDO_EINVALID, field,
				    "%s is %zu bytes long; at most %d", field,
				    len, ORDO_SEARCH_Q_MAX);
	phone = phone_like(text);
	for (p = text;; p++) {
		bool in = *p && (phone ? *p >= '0' && *p <= '9'
				       : word_byte((unsigned char)*p));

		if (in) {
			if (w == 0 && n == ORDO_SEARCH_TERMS_MAX)
				return ordo_err_set(
					err, ORDO_EINVALID, field,
					"%s has more than %d terms", field,
					ORDO_SEARCH_TERMS_MAX);
			q->terms[n][w++] = lower((unsigned char)*p);
			continue;
		}
		if (w > 0 && !(phone && *p)) {
			q->terms[n][w] = '\0';
			n++;
			w = 0;
		}
		if (!*p)
			break;
	}
	if (n == 0)
		return ordo_err_set(err, ORDO_EINVALID, field,
				    "%s has no letters or digits to search "
				    "for",
				    field);
	q->n_terms = n;
	/* The terms are at most len bytes together: exact fits. */
	for (len = 0, w = 0; w < n; w++) {
		size_t t = strlen(q->terms[w]);

		memcpy(q->exact + len, q->terms[w], t);
		len += t;
	}
	q->exact[len] = '\0';
	q->hash = terms_hash(q);
	return ORDO_OK;
}

bool search_query_valid(const search_query *q)
{
	size_t i;
	const char *p;

	if (q->n_terms == 0 || q->n_terms > ORDO_SEARCH_TERMS_MAX)
		return false;
	for (i = 0; i < q->n_terms; i++) {
		if (!q->terms[i][0] ||
		    !memchr(q->terms[i], '\0', sizeof(q->terms[i])))
			return false;
		for (p = q->terms[i]; *p; p++)
			if (!word_byte((unsigned char)*p) ||
			    (*p >= 'A' && *p <= 'Z'))
				return false;
	}
	return true;
}

int search_term_token(const search_query *q, size_t i, int64_t tenant,
		      char *buf, size_t size)
{
	size_t len = strlen(q->terms[i]);

	/* The longest prefix the document holds of a longer word. */
	if (len > ORDO_SEARCH_PREFIX_MAX) {
		len = ORDO_SEARCH_PREFIX_MAX;
		while (len > 0 && !char_start((unsigned char)q->terms[i][len]))
			len--;
	}
	return snprintf(buf, size, "t%lldz%.*s", (long long)tenant, (int)len,
			q->terms[i]);
}

int search_match_text(const search_query *q, int64_t tenant, char *buf,
		      size_t size)
{
	size_t i, at = 0;
	int n;

	if (size)
		buf[0] = '\0';
	for (i = 0; i < q->n_terms; i++) {
		if (i > 0) {
			if (at + 1 < size)
				buf[at] = ' ', buf[at + 1] = '\0';
			at++;
		}
		n = search_term_token(q, i, tenant, at < size ? buf + at : NULL,
				      at < size ? size - at : 0);
		if (n < 0)
			return n;
		at += (size_t)n;
	}
	return (int)at;
}

int search_exact_token(const search_query *q, int64_t tenant, char *buf,
		       size_t size)
{
	return snprintf(buf, size, "t%llde%s", (long long)tenant, q->exact);
}

/* ---- an order's document ------------------------------------------------- */

void search_doc_init(search_doc *d)
{
	strbuf_init(&d->words);
	strbuf_init(&d->exact);
}

void search_doc_free(search_doc *d)
{
	free(d->words.text);
	free(d->exact.text);
	search_doc_init(d);
}

const char *search_doc_words(const search_doc *d)
{
	return d->words.text ? d->words.text : "";
}

const char *search_doc_exact(const search_doc *d)
{
	return d->exact.text ? d->exact.text : "";
}

/* Append " t<tenant><mark>" and the n bytes at s, lowered. */
static void text_token(search_text *t, int64_t tenant, char mark,
		       const char *s, size_t n)
{
	char head[32];
	int h = snprintf(head, sizeof(head), " t%lld%c", (long long)tenant,
			 mark);
	size_t i;

	strbuf_put(t, head, (size_t)h);
	for (i = 0; i < n; i++) {
		char c = lower((unsigned char)s[i]);

		strbuf_put(t, &c, 1);
	}
}

/* The n bytes of a word as tokens: each of its prefixes that ends at a
 * character's end and is at most ORDO_SEARCH_PREFIX_MAX bytes long, and
 * the whole word when it is longer. */
static void word_tokens(search_text *t, int64_t tenant, const char *w,
			size_t n)
{
	size_t k;

	for (k = 1; k <= n && k <= ORDO_SEARCH_PREFIX_MAX; k++)
		if (k == n || char_start((unsigned char)w[k]))
			text_token(t, tenant, 'z', w, k);
	if (n > ORDO_SEARCH_PREFIX_MAX)
		text_token(t, tenant, 'z', w, n);
}

/* The words of text, each as its tokens. */
static void doc_words(search_text *t, int64_t tenant, const char *text)
{
	const char *p = text;

	while (*p) {
		const char *w;

		while (*p && !word_byte((unsigned char)*p))
			p++;
		for (w = p; *p && word_byte((unsigned char)*p); p++)
			;
		if (p > w)
			word_tokens(t, tenant, w, (size_t)(p - w));
	}
}

/* The exact token of text: its word bytes (digits_only: its digits) run
 * together, lowered; none when it has none. */
static void doc_exact(search_text *t, int64_t tenant, const char *text,
		      bool digits_only)
{
	char key[ORDO_SEARCH_Q_MAX + 1];
	size_t n = 0;
	const char *p;

	for (p = text; *p; p++) {
		bool keep = digits_only ? *p >= '0' && *p <= '9'
					: word_byte((unsigned char)*p);

		/* A key longer than any q can never be typed whole. */
		if (keep && n == sizeof(key) - 1)
			return;
		if (keep)
			key[n++] = *p;
	}
	if (n > 0)
		text_token(t, tenant, 'e', key, n);
}

void search_doc_add(search_doc *d, int64_t tenant, const char *text,
		    enum search_field kind)
{
	char digits[ORDO_PHONE_MAX];
	size_t n = 0, from, len;
	const char *p;

	doc_words(&d->words, tenant, text);
	if (kind == SEARCH_EXACT)
		doc_exact(&d->exact, tenant, text, false);
	if (kind != SEARCH_PHONE)
		return;
	for (p = text; *p && n < sizeof(digits); p++)
		if (*p >= '0' && *p <= '9')
			digits[n++] = *p;
	if (n < SEARCH_PHONE_MIN_DIGITS || *p)
		return;
	doc_exact(&d->exact, tenant, text, true);
	/* Every run of SEARCH_PHONE_MIN_DIGITS digits or more, each a
	 * token: a number is found by any long enough part of it, with or
	 * without its country and area codes. */
	for (from = 0; from + SEARCH_PHONE_MIN_DIGITS <= n; from++)
		for (len = SEARCH_PHONE_MIN_DIGITS; from + len <= n; len++)
			text_token(&d->words, tenant, 'z', digits + from,
				   len < ORDO_SEARCH_PREFIX_MAX
					   ? len
					   : ORDO_SEARCH_PREFIX_MAX);
}

static ordo_code doc_done(const search_doc *d, ordo_err *err)
{
	return d->words.failed || d->exact.failed
		       ? ordo_err_set(err, ORDO_ENOMEM, NULL,
				      "no memory for an order's search "
				      "words")
		       : ORDO_OK;
}

ordo_code search_doc_order(search_doc *d, int64_t tenant, const order *o,
			   ordo_err *err)
{
	size_t i;

	search_doc_add(d, tenant, o->customer.name, SEARCH_WORDS);
	search_doc_add(d, tenant, o->customer.email, SEARCH_EXACT);
	search_doc_add(d, tenant, o->customer.phone, SEARCH_PHONE);
	search_doc_add(d, tenant, o->ship_to.name, SEARCH_WORDS);
	search_doc_add(d, tenant, o->ship_to.postal_code, SEARCH_WORDS);
	search_doc_add(d, tenant, o->ship_to.phone, SEARCH_PHONE);
	search_doc_add(d, tenant, o->external_id, SEARCH_EXACT);
	for (i = 0; i < o->n_lines; i++)
		search_doc_add(d, tenant, o->lines[i].sku, SEARCH_WORDS);
	return doc_done(d, err);
}

ordo_code search_doc_tracking(search_doc *d, int64_t tenant,
			      const char *tracking, ordo_err *err)
{
	search_doc_add(d, tenant, tracking, SEARCH_EXACT);
	return doc_done(d, err);
}
