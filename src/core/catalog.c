/*
 * catalog.c - stock arithmetic on catalog records. See catalog.h.
 *
 * available = on_hand - reserved - safety_stock, floored at zero: safety
 * stock larger than what is free simply means nothing can be promised. The
 * store keeps every count within 0..ORDO_MAX_STOCK, but the subtraction is
 * checked anyway so a corrupt row yields 0 rather than undefined behaviour.
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
