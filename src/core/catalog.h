/*
 * catalog.h - what a tenant sells and where it keeps it: SKUs, locations and
 * stock levels. Plain records; the rules that use them live in validate.c
 * (and, later, in allocation).
 *
 * Stock per SKU and location: available = on_hand - reserved - safety_stock,
 * never reported below zero; reserved never exceeds on_hand.
 */
#ifndef ORDO_CORE_CATALOG_H
#define ORDO_CORE_CATALOG_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/order.h"

/* ORDO_LOCATION_CODE_MAX, LOCATION_MAX_SERVES and ORDO_MAX_STOCK are in
 * core/limits.h (through order.h). */

typedef struct {
	char sku[ORDO_SKU_MAX];
	char title[ORDO_TITLE_MAX];
	ordo_money unit_price; /* in the tenant's catalog currency */
	char currency[ORDO_CURRENCY_MAX];
	bool active;
	ordo_time updated_at;
} catalog_sku;

typedef struct {
	char code[ORDO_LOCATION_CODE_MAX];
	char name[ORDO_NAME_MAX];
	order_address address; /* address.country is the location's country */
	int priority;	       /* lower ships first when several can */
	size_t n_serves;       /* 0 = serves everywhere */
	char serves[LOCATION_MAX_SERVES][LOCATION_SERVE_MAX];
	bool active;
	ordo_time updated_at;
} catalog_location;

typedef struct {
	char location[ORDO_LOCATION_CODE_MAX];
	char sku[ORDO_SKU_MAX];
	int64_t on_hand;
	int64_t reserved;
	int64_t safety_stock;
	ordo_time updated_at;
} stock_level;

/* on_hand - reserved - safety_stock, floored at zero. */
int64_t stock_available(const stock_level *s);

/*
 * ORDO_OK when 0 <= reserved <= on_hand <= ORDO_MAX_STOCK and 0 <=
 * safety_stock <= ORDO_MAX_STOCK; otherwise ORDO_EINTERNAL naming the SKU,
 * the location and the counts. Callers refuse impossible input before they
 * compute a level, so a level that fails here is ordo's mistake: the app
 * checks every level before it writes it, in every build, and the job
 * writes nothing.
 */
ordo_code stock_level_check(const stock_level *s, ordo_err *err);

#endif
