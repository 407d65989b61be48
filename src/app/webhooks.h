/*
 * app/webhooks.h - webhook subscriptions and deliveries.
 */
#ifndef ORDO_APP_WEBHOOKS_H
#define ORDO_APP_WEBHOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/caller.h"
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

/* Create a subscription; w->id, secret and created_at are filled. */
ordo_code app_webhook_create(store_tx *tx, const app_caller *c,
			     webhook_sub *w, ordo_err *err);
ordo_code app_webhook_delete(store_tx *tx, const app_caller *c,
			     const char *id, ordo_err *err);
/* Send to a paused webhook again; *w is the webhook afterwards. */
ordo_code app_webhook_resume(store_tx *tx, const app_caller *c,
			     const char *id, webhook_sub *w, ordo_err *err);
/* Send a delivery again. ORDO_ECONFLICT when its webhook was deleted or
 * is paused (resume the webhook first). */
ordo_code app_delivery_redeliver(store_tx *tx, const app_caller *c,
				 const char *id, delivery *out, ordo_err *err);

#endif
