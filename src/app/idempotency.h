/*
 * app/idempotency.h - writes at most once per Idempotency-Key.
 */
#ifndef ORDO_APP_IDEMPOTENCY_H
#define ORDO_APP_IDEMPOTENCY_H

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

/* ---- idempotent writes (app/idempotency.c) ----------------------------- */

/* Produces a write's answer: an HTTP-like status and a body the caller owns. */
typedef ordo_code (*app_answer_fn)(store_tx *tx, void *arg, int *status,
				   char **body, ordo_err *err);

/*
 * Run fn at most once per (tenant, key): the first run's answer is stored in
 * the same transaction as its effects; a later call with the same key and
 * request hash gets that answer back (*replayed = true) and runs nothing; a
 * different request hash is ORDO_EIDEMPOTENCY. With key NULL or "" fn just
 * runs.
 */
ordo_code app_idempotent(store_tx *tx, const app_caller *c, const char *key,
			 const char *request_hash, ordo_time now,
			 app_answer_fn fn, void *arg, int *status, char **body,
			 bool *replayed, ordo_err *err);

#endif
