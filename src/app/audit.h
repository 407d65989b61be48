/*
 * app/audit.h - the audit log: who changed what of a tenant's, when,
 * from which address, before and after.
 *
 * Each change records its row in the transaction of the change itself, so
 * that a change is never without its row, nor a row without its change.
 * Kinds: login.succeeded and login.failed (a person's, in each tenant they
 * serve; a login refused while they wait or are locked too), key.created, key.revoked, key.rotated, user.created,
 * user.invited, user.changed, policy.changed, settings.changed,
 * webhook.created, webhook.deleted, webhook.resumed, webhook.rotated,
 * hold.resolved, holds.bulk (naming each hold it matched),
 * order.cancelled (by a cancellation or a change asked - by a person, a
 * key, or the order's store or trading partner - or a hold resolved with
 * cancel_order, alone or in bulk; before: the order's state), stock.counted, monitors.changed,
 * channel.created, channel.changed, channel.deleted. No row holds a
 * secret.
 */
#ifndef ORDO_APP_AUDIT_H
#define ORDO_APP_AUDIT_H

#include <jansson.h>

#include "app/caller.h"
#include "core/settings.h"
#include "store/store.h"

/* Record kind about target for the caller's tenant at now; before and
 * after (taken; NULL: null) are the detail. */
ordo_code app_audit(store_tx *tx, const app_caller *c, ordo_time now,
		    const char *kind, const char *target, json_t *before,
		    json_t *after, ordo_err *err);

/* settings.changed: the settings that changed, before and after. */
ordo_code app_audit_settings(store_tx *tx, const app_caller *c, ordo_time now,
			     const tenant_settings *before,
			     const tenant_settings *after, ordo_err *err);

/* A page of the caller's tenant's log (store_audit_list). */
ordo_code app_audit_list(store *st, const app_caller *c,
			 const store_audit_filter *f, store_audit **out,
			 size_t *n, int64_t *next, ordo_err *err);

#endif
