/*
 * channel.h - where a tenant's orders come from: a storefront, a file
 * format or a trading partner, configured per tenant.
 *
 * A channel has a kind (the format its documents arrive in), a name (the
 * `channel` every order taken through it carries, unique in its tenant), a
 * secret (the key its signed deliveries are checked with), the base URL of
 * its own API (where ordo tells it about shipments and cancellations), and
 * an API token for that, the location whose warehouse reports through it,
 * and a SKU mapping: the channel's own product codes (a Shopify variant id, a
 * partner's part number) to ordo SKUs. A code the mapping does not name is
 * taken as the SKU itself.
 */
#ifndef ORDO_CORE_CHANNEL_H
#define ORDO_CORE_CHANNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/limits.h"

/* X(enum, name) */
#define CHANNEL_KIND_MAP(X)                                                    \
	X(CHANNEL_SHOPIFY, "shopify")                                          \
	X(CHANNEL_WOOCOMMERCE, "woocommerce")                                  \
	X(CHANNEL_CSV, "csv")                                                  \
	X(CHANNEL_X12, "x12")

typedef enum {
#define CHANNEL_X_ENUM(e, name) e,
	CHANNEL_KIND_MAP(CHANNEL_X_ENUM)
#undef CHANNEL_X_ENUM
	CHANNEL_KIND_COUNT
} channel_kind;

const char *channel_kind_name(channel_kind k);
/* Returns 0 and sets *out, or -1 if name is not a channel kind. */
int channel_kind_parse(const char *name, channel_kind *out);

/* Whether s may name a channel (an order's `channel`): CHANNEL_NAME_RULE. */
bool channel_name_ok(const char *s);
#define CHANNEL_NAME_RULE "may hold only a-z, 0-9, '_', '-' and '.'"

/* One entry of a SKU mapping: the channel's code and the ordo SKU. */
typedef struct {
	char code[ORDO_CHANNEL_CODE_MAX];
	char sku[ORDO_SKU_MAX];
} channel_sku;

typedef struct {
	int64_t seq; /* the store's */
	char id[ORDO_ID_MAX]; /* public id, "chn_..." */
	int64_t tenant_id;
	channel_kind kind;
	char name[ORDO_CHANNEL_MAX];
	char secret[ORDO_CHANNEL_SECRET_MAX]; /* "" = none set */
	/* The secret before its last change, verifying beside it until
	 * previous_until ("" and 0: none). */
	char previous_secret[ORDO_CHANNEL_SECRET_MAX];
	int64_t previous_until;
	char base_url[STORE_URL_MAX];	       /* "" = none */
	/* What ordo calls the channel's API at base_url with: a Shopify
	 * admin API access token, a WooCommerce REST API key as
	 * consumer_key:consumer_secret ("" = none: nothing is called). */
	char api_token[STORE_SECRET_MAX];
	/* The location whose warehouse reports through the channel (X12 856
	 * and 945 ship its fulfillment of the order they name; an x12
	 * channel with a base URL is sent its releases as 940s); "" = the
	 * channel reports no shipments. */
	char location[ORDO_LOCATION_CODE_MAX];
	/* An x12 channel's ISA identities, "QQ:ID" (qualifier, ID): ordo's
	 * and the partner's, for what ordo sends unasked (a 940); "" =
	 * none. */
	char edi_own_id[ORDO_EDI_ID_MAX];
	char edi_partner_id[ORDO_EDI_ID_MAX];
	/* What its documents leave out: the currency of an order that names
	 * none ("" = none; such an order is refused). */
	char currency[ORDO_CURRENCY_MAX];
	/* A csv channel's column mapping, as the JSON object it was given
	 * in ("" = ordo's own column names; channels/csv.h reads it). */
	char csv_map[ORDO_CSV_MAP_MAX];
	size_t n_skus;
	channel_sku *skus; /* owned; sorted by code, each code once */
	int64_t created_at;
	int64_t updated_at;
} ordo_channel;

void channel_init(ordo_channel *c);
/* Free the SKU mapping and zero the channel. Safe on a zeroed channel. */
void channel_free(ordo_channel *c);
/* Copy src into dst (channel_init'ed); ORDO_ENOMEM leaves dst empty. */
ordo_code channel_copy(ordo_channel *dst, const ordo_channel *src, ordo_err *err);

/*
 * Set c's SKU mapping to the n entries of skus (copied), sorted by code.
 * Refuses (ORDO_EINVALID, field "skus", every problem named) a code given
 * twice, an empty code or SKU, and more than ORDO_CHANNEL_SKUS_MAX entries
 * (ORDO_ELIMIT); c is left as it was then.
 */
ordo_code channel_set_skus(ordo_channel *c, const channel_sku *skus, size_t n,
			   ordo_err *err);

/* The ordo SKU the mapping gives code, or NULL when it names none. */
const char *channel_sku_of(const ordo_channel *c, const char *code);

#endif
