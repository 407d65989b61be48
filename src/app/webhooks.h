/*
 * app/webhooks.h - webhook subscriptions and deliveries.
 */
#ifndef ORDO_APP_WEBHOOKS_H
#define ORDO_APP_WEBHOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/caller.h"
#include "app/write.h"
#include "core/catalog.h"
#include "core/fulfillment.h"
#include "core/order.h"
#include "core/policy.h"
#include "core/settings.h"
#include "core/validate.h"
#include "store/store.h"

/* ---- webhooks (app/webhooks.c) ---------------------------------------- */

/* Known webhook event types. */
bool app_event_type_known(const char *type);
extern const char *const app_event_types[];

/* Whether w's url is an http:// or https:// one: checked before its
 * creation is submitted (with the url's host: outbox_url_check). */
ordo_code app_webhook_check(const webhook_sub *w, ordo_err *err);

/* Create a subscription (passed by app_webhook_check); w->id, secret and
 * created_at are filled. */
ordo_code app_webhook_create(store_tx *tx, const app_caller *c,
			     webhook_sub *w, ordo_time now, ordo_err *err);
ordo_code app_webhook_delete(store_tx *tx, const app_caller *c,
			     const char *id, ordo_err *err);
/* Send to a paused webhook again; *w is the webhook afterwards. */
ordo_code app_webhook_resume(store_tx *tx, const app_caller *c,
			     const char *id, ordo_time now, webhook_sub *w,
			     ordo_err *err);
/* Send a delivery again. ORDO_ECONFLICT when its webhook was deleted or
 * is paused (resume the webhook first). */
ordo_code app_delivery_redeliver(store_tx *tx, const app_caller *c,
				 const char *id, ordo_time now, delivery *out,
				 ordo_err *err);

/*
 * The commands (write.h). Creation: the subscription (url, events,
 * location) in, as stored out - with its secret, which only the answer to
 * this request may show. The others: the path's id in; the webhook or
 * delivery afterwards out.
 */
typedef struct {
	app_write w;
	webhook_sub sub;    /* in */
	webhook_sub stored; /* out */
} app_webhook_cmd;

void app_webhook_cmd_init(app_webhook_cmd *c, const app_caller *caller,
			  ordo_time now);

typedef struct {
	app_write w;
	char id[ORDO_ID_MAX]; /* in */
} app_webhook_delete_cmd;

void app_webhook_delete_cmd_init(app_webhook_delete_cmd *c,
				 const app_caller *caller, ordo_time now);

typedef struct {
	app_write w;
	char id[ORDO_ID_MAX]; /* in */
	webhook_sub stored;   /* out */
} app_webhook_resume_cmd;

void app_webhook_resume_cmd_init(app_webhook_resume_cmd *c,
				 const app_caller *caller, ordo_time now);

/* A new secret for webhook id, the old one signing beside it for grace_s
 * seconds (0..ORDO_SECRET_GRACE_MAX_S). Out: the webhook with its new
 * secret, which only the answer to this request may show. A channel's own
 * webhook is refused (ORDO_ECONFLICT): its secret is the channel's API
 * token. */
typedef struct {
	app_write w;
	char id[ORDO_ID_MAX]; /* in */
	int64_t grace_s;      /* in */
	webhook_sub stored;   /* out */
} app_webhook_rotate_cmd;

void app_webhook_rotate_cmd_init(app_webhook_rotate_cmd *c,
				 const app_caller *caller, ordo_time now);

typedef struct {
	app_write w;
	char id[ORDO_ID_MAX]; /* in: the delivery */
	delivery stored;      /* out: owned (store_delivery_free) */
} app_redeliver_cmd;

void app_redeliver_cmd_init(app_redeliver_cmd *c, const app_caller *caller,
			    ordo_time now);

#endif
