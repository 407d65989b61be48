/*
 * idempotency.c - at most one effect per Idempotency-Key.
 *
 * The first request with a key runs and its answer (status and body) is
 * stored in the same transaction as its effects, so either both are durable
 * or neither is. A retry with the same key and the same request (same hash of
 * method, path and the body's meaning: the API hashes the body's JSON in a
 * canonical form, so spacing and member order do not count) gets the stored
 * answer back and changes nothing; a
 * different request under a used key is refused, since the client has mixed
 * up its keys and guessing which request it meant would be wrong. Failed
 * requests store nothing, so a client may retry them with the same key.
 */
#include "app/idempotency.h"
#include "app/policy.h"
#include "app/tenants.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

ordo_code app_idempotent(store_tx *tx, const app_caller *c, const char *key,
			 const char *request_hash, ordo_time now,
			 app_answer_fn fn, void *arg, int *status, char **body,
			 bool *replayed, ordo_err *err)
{
	char lock[ORDO_IDEMPOTENCY_KEY_MAX + 8];
	store_idempotency rec;
	ordo_code rc;

	*replayed = false;
	*body = NULL;
	if (!key || key[0] == '\0')
		return fn(tx, arg, status, body, err);

	/* A retry racing its original on another node waits for it here. */
	snprintf(lock, sizeof(lock), "idem:%s", key);
	rc = store_lock_named(tx, c->tenant_id, lock, err);
	if (rc)
		return rc;
	memset(&rec, 0, sizeof(rec));
	rc = store_idempotency_get(tx, c->tenant_id, key, &rec, err);
	if (rc == ORDO_OK) {
		if (strcmp(rec.request_hash, request_hash) != 0) {
			store_idempotency_free(&rec);
			return ordo_err_set(err, ORDO_EIDEMPOTENCY,
					    "Idempotency-Key",
					    "the key \"%s\" was already used "
					    "for a different request",
					    key);
		}
		*status = rec.status;
		*body = rec.body; /* hand over */
		rec.body = NULL;
		*replayed = true;
		return ORDO_OK;
	}
	if (rc != ORDO_ENOTFOUND)
		return rc;
	ordo_err_clear(err);

	rc = fn(tx, arg, status, body, err);
	if (rc)
		return rc;
	ordo_strlcpy(rec.key, key, sizeof(rec.key));
	ordo_strlcpy(rec.request_hash, request_hash, sizeof(rec.request_hash));
	rec.status = *status;
	rec.body = *body;
	rec.created_at = now;
	rc = store_idempotency_put(tx, c->tenant_id, &rec, err);
	if (rc) {
		free(*body);
		*body = NULL;
	}
	return rc;
}

ordo_code app_purge(store_tx *tx, ordo_time now, int64_t *purged,
		    ordo_err *err)
{
	return store_purge(tx, now - ORDO_IDEMPOTENCY_KEEP_S,
			   now - ORDO_DELIVERED_KEEP_S, purged, err);
}
