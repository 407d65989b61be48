/*
 * foreign.h - another system's JSON, read loosely: numbers as strings,
 * nulls as absent, descriptive text cut to fit, identity refused when too
 * long, money never through floating point.
 *
 * A storefront's order document (Shopify, WooCommerce) is not ordo's: it
 * carries hundreds of members ordo has no use for, which are passed over,
 * and it writes what ordo does read in more than one shape. The readers
 * here take each value in the shapes such systems are known to send it:
 *
 *   ids          a JSON integer, or a string of digits    -> decimal text
 *   quantities   a JSON integer, or a string of digits
 *   money        a decimal string ("199.00"), or a JSON integer ("199");
 *                a JSON real (199.5) is refused: its text is gone once
 *                jansson has read it, and ordo takes no floating point
 *   text         a string; absent, null and "" are all "not given"
 *
 * Money strings may carry more decimals than the currency has (Shopify
 * writes yen as "1000.00"): zeros past the currency's exponent are dropped
 * before money_parse (foreign_money_normalise); any other digit there is
 * refused.
 *
 * Strings that identify something (ids, SKUs, email, phone, currency,
 * country, region, postal code) are read with jf_string, which refuses
 * them when longer than ordo's field, because a truncated one names
 * something else. Descriptive text (titles, names, companies, address
 * lines, city, notes) is cut at a character boundary instead
 * (foreign_text_get): it is not worth refusing an order over.
 *
 * Like json_fields.h, every reader reports each problem it finds into err
 * with its full path and goes on, so a decoder calls them all and the
 * sender sees every problem at once. Each returns true when the value was
 * given and valid, false when it was absent (a problem only if required)
 * or invalid (always a problem).
 *
 * What is particular to one system (its member names beyond these, its
 * statuses, its times, its totals) stays in its own file: shopify.c,
 * woocommerce.c.
 */
#ifndef ORDO_CHANNELS_FOREIGN_H
#define ORDO_CHANNELS_FOREIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/channel.h"
#include "core/err.h"
#include "core/order.h"

/* Room for a numeric id as decimal text: storefront ids are 64-bit
 * integers (at most 20 digits), and a fallback SKU such as
 * "woocommerce-variation-" plus one must still fit in ORDO_SKU_MAX. */
#define FOREIGN_NUM_ID_MAX 21

/* ---- members ----------------------------------------------------------- */

/* The member, or NULL when absent or JSON null (null means "not given"). */
json_t *foreign_member(const json_t *obj, const char *key);

/* Whether obj has key with a value other than null or "": a reader that
 * returned false for such a member found it invalid. */
bool foreign_given(const json_t *obj, const char *key);

/* ---- text -------------------------------------------------------------- */

/* Drop ASCII white space from both ends of s, in place. */
void foreign_text_trim(char *s);

/* Append s to the string in dst, cut at a character boundary to fit. */
void foreign_text_append(char *dst, size_t size, const char *s);

/* "a<sep>b", trimmed, with sep only between two non-empty parts. */
void foreign_text_join(char *dst, size_t size, const char *a,
		       const char *sep, const char *b);

/* Descriptive text: a string, cut at a character boundary to fit size and
 * trimmed. Absent or null is "". Returns true when the text is not empty. */
bool foreign_text_get(const json_t *obj, const char *parent, const char *key,
		      char *dst, size_t size, ordo_err *err);

/* A person's name from two members ("first_name", "last_name"): each read
 * as descriptive text, joined with a space. True when not empty. */
bool foreign_name_get(const json_t *obj, const char *parent,
		      const char *first_key, const char *last_key, char *dst,
		      size_t size, ordo_err *err);

/* ---- numbers ----------------------------------------------------------- */

/* The store's own id of a line item (its "id") into l->external_id when
 * it is one; a line whose id is missing or odd is still taken, without. */
void foreign_line_id(const json_t *item, order_line *l);

/* An id as decimal text: a non-negative JSON integer or a string of
 * digits, at most size - 1 of them. An empty string is absent. */
bool foreign_id_get(const json_t *obj, const char *parent, const char *key,
		    bool required, char *dst, size_t size, ordo_err *err);

/* A line's quantity (required): a JSON integer or a string of digits, 1 to
 * ORDO_MAX_QUANTITY. */
bool foreign_quantity_get(const json_t *obj, const char *parent,
			  const char *key, int64_t *out, ordo_err *err);

/* Drop the zeros a money string carries past the currency's exponent
 * ("1000.00" in yen is "1000"), in place. Any other digit there is left
 * for money_parse to refuse, and text that is not digits is left for it to
 * call malformed. */
void foreign_money_normalise(char *text, int exponent);

/* Money in minor units of currency: a decimal string or a JSON integer of
 * major units. Negative only when allow_negative. */
bool foreign_money_get(const json_t *obj, const char *parent, const char *key,
		       bool required, const char *currency,
		       bool allow_negative, int64_t *out, ordo_err *err);

/* ---- the order's parts ------------------------------------------------- */

/* The members an address object is read from. The name is `name` when
 * that is given, else first and last joined; the region is `region`, else
 * `region_alt` when `region` was not read. Only `name` and `region_alt` may
 * be NULL (the system has no such member). */
typedef struct {
	const char *name;
	const char *first_name;
	const char *last_name;
	const char *company;
	const char *line1;
	const char *line2;
	const char *city;
	const char *region;
	const char *region_alt;
	const char *postal_code;
	const char *country;
	const char *phone;
} foreign_address_keys;

/* Read the address object obj (at path) into a: descriptive members cut
 * to fit, identifying ones (region, postal code, country, phone) refused
 * when too long. */
void foreign_address_decode(const json_t *obj, const char *path,
			    const foreign_address_keys *keys,
			    order_address *a, ordo_err *err);

/* Whether every field of a is empty. */
bool foreign_address_empty(const order_address *a);

/* The document's `currency` (upper-cased; an ISO 4217 code ordo knows),
 * else the channel's; sets o->currency, or reports why there is none. */
void foreign_currency_decode(const json_t *doc, const char *parent,
			     const ordo_channel *ch, order *o, ordo_err *err);

/* The array of line items doc holds under key (required): NULL, with the
 * problem reported, when it is absent, not an array, empty, or longer than
 * ORDO_MAX_LINES (ORDO_ELIMIT: call this before any other reader, so that
 * the error's code is the limit whatever else is wrong). */
const json_t *foreign_lines_get(const json_t *doc, const char *parent,
				const char *key, ordo_err *err);

/* Decode one line item (an object, at path) into l; ctx is the caller's. */
typedef void (*foreign_line_fn)(const json_t *item, const char *path,
				void *ctx, order_line *l, ordo_err *err);

/* Allocate o's lines for the items of arr (at path), number them, decode
 * each object with decode (an item that is not an object is a problem) and
 * open all their units. */
void foreign_lines_decode(const json_t *arr, const char *path,
			  foreign_line_fn decode, void *ctx, order *o,
			  ordo_err *err);

/*
 * A line's SKU: the channel's mapping (channel_sku_of) of sku, else of
 * first_id, else of second_id; else sku itself; else first_prefix followed
 * by first_id, or second_prefix by second_id (SKUs no catalog holds, so
 * validation holds the order as an unknown SKU and a person can map it).
 * Empty strings are absent. False when the line names none of them.
 */
bool foreign_line_sku(const ordo_channel *ch, const char *sku,
		      const char *first_id, const char *first_prefix,
		      const char *second_id, const char *second_prefix,
		      char *dst, size_t size);

/*
 * The shipping lines doc holds under array_key (optional) into o->shipping:
 * the method is the first line's method_key, else method_alt_key,
 * lower-cased (ASCII) and cut to fit ("standard" when there is none); the
 * amount is the sum of every line's amount_key. Returns true when the array
 * was there (even empty).
 */
bool foreign_shipping_lines_decode(const json_t *doc, const char *parent,
				   const char *array_key,
				   const char *method_key,
				   const char *method_alt_key,
				   const char *amount_key,
				   const char *currency, order *o,
				   ordo_err *err);

/* The sum of o's lines (unit price times quantity) into *out; on a value
 * past the money limit, a problem on path and false. */
bool foreign_lines_subtotal(const order *o, const char *path, int64_t *out,
			    ordo_err *err);

/* t->total = subtotal + shipping + tax - discount; on a value past the
 * money limit, a problem on path and false. */
bool foreign_total_compute(order_totals *t, const char *path, ordo_err *err);

/* ---- the body ---------------------------------------------------------- */

/*
 * Parse body (len bytes) as a JSON object (jf_parse_object) and find the
 * order in it: the object under `envelope` when that is the body's only
 * member and an object (a REST answer), else the body itself (a webhook).
 * Returns the root (a new reference; json_decref it when done) and sets
 * *doc (borrowed from it) and *parent ("" or envelope, the prefix of every
 * path); NULL, with the problem reported, when the body is not an object.
 */
json_t *foreign_parse(const char *body, size_t len, const char *envelope,
		      const json_t **doc, const char **parent, ordo_err *err);

/* Give a refusal its message, "the <system> order has N problems", when it
 * has none; returns err->code. */
ordo_code foreign_finish(ordo_err *err, const char *system);

#endif
