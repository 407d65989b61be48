/*
 * catalog.c - stock arithmetic on catalog records. See catalog.h.
 *
 * available = on_hand - reserved - safety_stock, floored at zero: safety
 * stock larger than what is free simply means nothing can be promised. The
 * store keeps every count within 0..ORDO_MAX_STOCK, but the subtraction is
 * checked anyway so a corrupt row yields 0 rather than undefined behaviour.
 *
 * stock_level_check() is the invariant 0 <= reserved <= on_hand, checked
 * (not asserted) before a level is written, so it holds in release builds.
 */
#include "core/catalog.h"

int64_t stock_available(const stock_level *s)
{
	int64_t free_qty, avail;

	if (__builtin_sub_overflow(s->on_hand, s->reserved, &free_qty) ||
	    __builtin_sub_overflow(free_qty, s->safety_stock, &avail))
		return 0;
	return avail > 0 ? avail : 0;
}

ordo_code stock_level_check(const stock_level *s, ordo_err *err)
{
	if (s->on_hand >= 0 && s->on_hand <= ORDO_MAX_STOCK &&
	    s->reserved >= 0 && s->reserved <= s->on_hand &&
	    s->safety_stock >= 0 && s->safety_stock <= ORDO_MAX_STOCK)
		return ORDO_OK;
	return ordo_err_set(err, ORDO_EINTERNAL, "stock",
			    "stock of %.64s at %.32s: on hand %lld, reserved "
			    "%lld, safety stock %lld breaks 0 <= reserved <= "
			    "on hand <= %lld; not written",
			    s->sku, s->location, (long long)s->on_hand,
			    (long long)s->reserved, (long long)s->safety_stock,
			    (long long)ORDO_MAX_STOCK);
}
