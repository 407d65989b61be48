/*
 * search.h - order search: what an order is found by, and how a caller's
 * text becomes what is looked up. Pure: the store keeps the words this
 * module writes in a full-text index (migration 0010), and looks up the
 * terms it parses.
 *
 * WORDS. Text is cut into words at every byte that is not an ASCII letter
 * or digit or part of a multi-byte UTF-8 character; ASCII letters are
 * lowercased. So "Jane.Doe@Example.com" is the words jane, doe, example,
 * com, "TSHIRT-RED-M" is tshirt, red, m and "SW1A 1AA" is sw1a, 1aa. Both
 * indexes (SQLite FTS5's "ascii" tokenizer, PostgreSQL's tsvector read
 * from text) split the stored words at spaces and nothing else, and fold
 * nothing: the two backends find the same orders.
 *
 * TOKENS. Every word is stored as tokens that start with its tenant:
 * "t<tenant>z<prefix>" for each prefix of the word (each that ends at a
 * character's end, up to ORDO_SEARCH_PREFIX_MAX bytes, and the whole word
 * when longer): "jane" is t7zj, t7zja, t7zjan and t7zjane. A term is then
 * looked up as one whole token ("jan" as t7zjan), which both indexes
 * answer by walking that token's entries alone, newest first, and stopping
 * after as many as the page needs; a prefix lookup ("t7zjan*") would read
 * every entry of every word it covers, a read that grows with history. A
 * lookup for tenant 7 reads tokens starting "t7z" only (the tenant's
 * digits end at the 'z'), so another tenant's orders are never read,
 * however many of them match. An order's document holds:
 *
 *     words    the tokens of the words of the customer's name, email and
 *              phone, the ship-to name, postal code and phone, the
 *              external id, each line's SKU and each shipment's tracking
 *              number
 *     phones   every run of SEARCH_PHONE_MIN_DIGITS or more of a phone's
 *              digits, each a token: "+1 (555) 010-2345" is found as
 *              15550102345, as 5550102345 and as 0102345
 *     exact    "t<tenant>e<key>" for the external id, the email, each
 *              phone and each tracking number, the key being its words run
 *              together (a phone's: its digits), kept in a text of their
 *              own and indexed like the words: the orders whose id,
 *              email, phone or tracking number is exactly q are found by
 *              that one token, and come first
 *
 * TERMS. q is cut into words the same way; each is a term, matched as a
 * prefix of a word ("jane@exa" finds jane@example.com; a term longer than
 * ORDO_SEARCH_PREFIX_MAX bytes by its first ORDO_SEARCH_PREFIX_MAX), and
 * an order matches when it matches every term. A q made of digits and the
 * punctuation of phone numbers only (spaces, + - . ( ) /) with at least
 * SEARCH_PHONE_MIN_DIGITS digits is one term, its digits: a phone number
 * however it is written. Quotes, stars, colons, AND, OR, NEAR and the
 * like are words or separators like any other text: nothing a caller
 * types is query syntax.
 */
#ifndef ORDO_CORE_SEARCH_H
#define ORDO_CORE_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/limits.h"
#include "core/order.h"
#include "core/strbuf.h"

/* The fewest digits taken for a phone number (a local number without its
 * area code has seven). */
#define SEARCH_PHONE_MIN_DIGITS 7

typedef struct {
	size_t n_terms; /* 0: no search */
	/* Lowercase words, each matched as the prefix of a word. */
	char terms[ORDO_SEARCH_TERMS_MAX][ORDO_SEARCH_Q_MAX + 1];
	/* The terms run together: an exact id, email, phone or tracking
	 * number ranks first. */
	char exact[ORDO_SEARCH_Q_MAX + 1];
	/* A hash of the terms, which a page cursor carries so that it is
	 * never read against another q. */
	uint32_t hash;
} search_query;

/*
 * Parse the caller's text into q. ORDO_EINVALID naming field when the text
 * is longer than ORDO_SEARCH_Q_MAX bytes, has more than
 * ORDO_SEARCH_TERMS_MAX terms, or none (nothing but spaces and
 * punctuation).
 */
ordo_code search_query_parse(const char *text, const char *field,
			     search_query *q, ordo_err *err);

/*
 * The lookup of q for tenant, into buf of size bytes: each term's token,
 * separated by spaces - FTS5's implicit AND of whole tokens, and the form
 * the PostgreSQL twin of the index turns into a tsquery. Like snprintf,
 * answers the length it needs.
 */
int search_match_text(const search_query *q, int64_t tenant, char *buf,
		      size_t size);

/*
 * The token of q's term i for tenant, into buf of size bytes: what
 * search_match_text writes for it. Like snprintf, answers the length it
 * needs.
 */
int search_term_token(const search_query *q, size_t i, int64_t tenant,
		      char *buf, size_t size);

/*
 * q's exact token for tenant, "t7e<key>": the lookup of the orders whose
 * external id, email, phone or tracking number is exactly q. Like
 * snprintf, answers the length it needs.
 */
int search_exact_token(const search_query *q, int64_t tenant, char *buf,
		       size_t size);

/* Tokens separated by spaces. Owns text (NULL while empty). */
typedef strbuf search_text;

/* A document: the tokens the index holds, and the exact tokens kept
 * beside them. */
typedef struct {
	search_text words;
	search_text exact;
} search_doc;

void search_doc_init(search_doc *d);
void search_doc_free(search_doc *d);
/* The texts, "" while empty. */
const char *search_doc_words(const search_doc *d);
const char *search_doc_exact(const search_doc *d);

/*
 * Append the tokens of o's own searched fields for tenant (see the top:
 * all but the tracking numbers, which come with shipments).
 * ORDO_ENOMEM when there was no memory.
 */
ordo_code search_doc_order(search_doc *d, int64_t tenant, const order *o,
			   ordo_err *err);

/*
 * Whether q holds what search_query_parse writes: 1 to
 * ORDO_SEARCH_TERMS_MAX terms, each non-empty and of word bytes only
 * (lowercase), so that no term can be query syntax to either index.
 */
bool search_query_valid(const search_query *q);

/* Append the tokens of one field's text, each preceded by a space: its
 * words' tokens, and for SEARCH_EXACT its exact token, for SEARCH_PHONE
 * its digits' exact token and runs (see the top). */
enum search_field { SEARCH_WORDS, SEARCH_EXACT, SEARCH_PHONE };
void search_doc_add(search_doc *d, int64_t tenant, const char *text,
		    enum search_field kind);
/* Append a tracking number's tokens (SEARCH_EXACT); ORDO_ENOMEM when
 * there was no memory. */
ordo_code search_doc_tracking(search_doc *d, int64_t tenant,
			      const char *tracking, ordo_err *err);

#endif
