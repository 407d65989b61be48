/*
 * app/channels.h - channels: where a tenant's orders come from.
 */
#ifndef ORDO_APP_CHANNELS_H
#define ORDO_APP_CHANNELS_H

#include <stdbool.h>

#include "app/caller.h"
#include "app/write.h"
#include "core/channel.h"
#include "store/store.h"

/* ---- channels (app/channels.c) ---------------------------------------- */

/* What a channel's members ask of each other, checked once a creation or
 * a change has them all: a storefront that signs what it sends (shopify,
 * woocommerce) needs its secret; only a csv channel has a column mapping
 * (csv_map). */
ordo_code app_channel_check(const ordo_channel *ch, ordo_err *err);

/* Make ch (checked: app_channel_check) the tenant's, within
 * ORDO_CHANNELS_MAX; its id, times and seq are set. */
ordo_code app_channel_create(store_tx *tx, const app_caller *c,
			     ordo_channel *ch, ordo_time now, ordo_err *err);

/* The members a change (PATCH) sets: CHANNEL_SET_* bits. */
enum {
	CHANNEL_SET_NAME = 1u << 0,
	CHANNEL_SET_SECRET = 1u << 1,
	CHANNEL_SET_BASE_URL = 1u << 2,
	CHANNEL_SET_CURRENCY = 1u << 3,
	CHANNEL_SET_SKUS = 1u << 4,
	CHANNEL_SET_CSV_MAP = 1u << 5,
	CHANNEL_SET_API_TOKEN = 1u << 6,
	CHANNEL_SET_LOCATION = 1u << 7,
	CHANNEL_SET_EDI_OWN_ID = 1u << 8,
	CHANNEL_SET_EDI_PARTNER_ID = 1u << 9,
};

/*
 * The commands (write.h). Creation: the channel in (kind, name, secret,
 * base_url, currency, SKU mapping), as stored out. A change: the path's id
 * and the members set (`set`) in, the channel afterwards out. Deletion:
 * the path's id in.
 */
typedef struct {
	app_write w;
	char id[ORDO_ID_MAX]; /* in: the channel changed or deleted */
	unsigned set;	      /* in: a change's CHANNEL_SET_* */
	/* in: a change of secret: how long the secret before it verifies
	 * beside it (0..ORDO_SECRET_GRACE_MAX_S; 0: not at all) */
	int64_t secret_grace_s;
	ordo_channel in;      /* in */
	ordo_channel stored;  /* out */
} app_channel_cmd;

void app_channel_create_cmd_init(app_channel_cmd *c, const app_caller *caller,
				 ordo_time now);
void app_channel_update_cmd_init(app_channel_cmd *c, const app_caller *caller,
				 ordo_time now);
void app_channel_delete_cmd_init(app_channel_cmd *c, const app_caller *caller,
				 ordo_time now);

/* Reads. A channel by the tenant's id, with its mapping; the tenant's
 * channels (mappings counted, not read). */
ordo_code app_channel_get(store *st, const app_caller *c, const char *id,
			  ordo_channel *out, ordo_err *err);
ordo_code app_channel_by_name(store *st, const app_caller *c,
			      const char *name, ordo_channel *out,
			      ordo_err *err);
ordo_code app_channel_list(store *st, const app_caller *c,
			   ordo_channel **out, size_t *n, ordo_err *err);

/*
 * What a channel sends comes with no API key: the channel id (the path's)
 * names the channel, its secret checks the signature, and the caller is
 * the channel itself, in its tenant, as an integration
 * ("channel:<name>"). *ch is the channel; ORDO_ENOTFOUND naming "id" when
 * there is none so, or it is not of kind `kind`.
 */
ordo_code app_channel_caller(store *st, const char *id, channel_kind kind,
			     ordo_channel *ch, app_caller *caller,
			     ordo_err *err);

/* The document an order came in and its media type (*body malloc'd). */
ordo_code app_order_source(store *st, const app_caller *c, const char *id,
			   char *type, size_t type_size, char **body,
			   ordo_err *err);

#endif
