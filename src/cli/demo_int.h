/*
 * demo_int.h - what the demo's files share (demo.c, demo_channels.c).
 */
#ifndef ORDO_CLI_DEMO_INT_H
#define ORDO_CLI_DEMO_INT_H

#include "app/caller.h"
#include "app/intake.h"
#include "core/order.h"
#include "store/store.h"

/* The time by the process's clock (cli.h). */
ordo_time demo_now(void);

/* The catalog price of one of the demo's SKUs ("14.00"), or NULL. */
const char *demo_sku_price(const char *sku);

/* Take in the order o decoded from text (its source, kept with it), as
 * c; *outcome says whether it was new. */
ordo_code demo_take(store *st, const app_caller *c, order *o,
		    const char *text, intake_outcome *outcome, ordo_err *err);

/* The demo's channels, one of each kind, each with orders it sent
 * (demo_channels.c). */
ordo_code demo_channels(store *st, const app_caller *c, ordo_err *err);

#endif
