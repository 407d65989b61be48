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

int search_match_text(const search_query *q, int64_t tenant, char *buf,
		      size_t size)
{
	size_t i, at = 0;
	int n;

	if (size)
		buf[0] = '\0';
	for (i = 0; i < q->n_terms; i++) {
		n = snprintf(at < size ? buf + at : NULL,
			     at < size ? size - at : 0, "%st%lldz%s*",
			     i ? " " : "", (long long)tenant, q->terms[i]);
		if (n < 0)
			return n;
		at += (size_t)n;
	}
	return (int)at;
}

int search_exact_pattern(const search_query *q, int64_t tenant, char *buf,
			 size_t size)
{
	return snprintf(buf, size, "%% t%llde%s %%", (long long)tenant,
			q->exact);
}

/* ---- an order's document ------------------------------------------------- */

void search_doc_init(search_doc *d)
{
	memset(d, 0, sizeof(*d));
}

void search_doc_free(search_doc *d)
{
	free(d->text);
	search_doc_init(d);
}

const char *search_doc_text(const search_doc *d)
{
	return d->text ? d->text : "";
}

/* Append n bytes of s; on no memory mark the document failed. */
static void doc_put(search_doc *d, const char *s, size_t n)
{
	if (d->failed)
		return;
	if (d->len + n + 1 > d->cap) {
		size_t cap = d->cap ? d->cap : 256;
		char *t;

		while (cap < d->len + n + 1)
			cap *= 2;
		t = realloc(d->text, cap);
		if (!t) {
			d->failed = true;
			return;
		}
		d->text = t;
		d->cap = cap;
	}
	memcpy(d->text + d->len, s, n);
	d->len += n;
	d->text[d->len] = '\0';
}

/* Start a token of tenant of the kind mark ('z' a word, 'e' exact). */
static void doc_token(search_doc *d, int64_t tenant, char mark)
{
	char head[32];
	int n = snprintf(head, sizeof(head), " t%lld%c", (long long)tenant,
			 mark);

	doc_put(d, head, (size_t)n);
}

/* The words of text, lowered, each a token. */
static void doc_words(search_doc *d, int64_t tenant, const char *text)
{
	const char *p = text;

	while (*p) {
		while (*p && !word_byte((unsigned char)*p))
			p++;
		if (!*p)
			break;
		doc_token(d, tenant, 'z');
		for (; *p && word_byte((unsigned char)*p); p++) {
			char c = lower((unsigned char)*p);

			doc_put(d, &c, 1);
		}
	}
}

/* The words of text run together, lowered (an exact key). */
static void doc_joined(search_doc *d, const char *text, bool digits_only)
{
	const char *p;

	for (p = text; *p; p++) {
		bool keep = digits_only ? *p >= '0' && *p <= '9'
					: word_byte((unsigned char)*p);

		if (keep) {
			char c = lower((unsigned char)*p);

			doc_put(d, &c, 1);
		}
	}
}

static size_t digit_count(const char *text)
{
	size_t n = 0;

	for (; *text; text++)
		if (*text >= '0' && *text <= '9')
			n++;
	return n;
}

void search_doc_add(search_doc *d, int64_t tenant, const char *text,
		    enum search_field kind)
{
	size_t digits, skip;

	doc_words(d, tenant, text);
	if (kind == SEARCH_WORDS)
		return;
	if (kind == SEARCH_EXACT) {
		const char *p = text;

		while (*p && !word_byte((unsigned char)*p))
			p++;
		if (!*p)
			return;
		doc_token(d, tenant, 'e');
		doc_joined(d, text, false);
		return;
	}
	digits = digit_count(text);
	if (digits < SEARCH_PHONE_MIN_DIGITS)
		return;
	doc_token(d, tenant, 'e');
	doc_joined(d, text, true);
	/* Every run of digits ending with the last, down to the shortest
	 * a phone number is looked up by. */
	for (skip = 0; skip + SEARCH_PHONE_MIN_DIGITS <= digits; skip++) {
		const char *p = text;
		size_t seen = 0;

		doc_token(d, tenant, 'z');
		for (; *p; p++) {
			if (*p < '0' || *p > '9')
				continue;
			if (seen++ >= skip)
				doc_put(d, p, 1);
		}
	}
}

static ordo_code doc_done(const search_doc *d, ordo_err *err)
{
	return d->failed ? ordo_err_set(err, ORDO_ENOMEM, NULL,
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
