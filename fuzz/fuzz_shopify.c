/*
 * fuzz_shopify.c - a Shopify order webhook's body (shopify_order_decode),
 * bare or in its {"order": ...} envelope (a bare one must read the same
 * in the envelope: fuzz_envelope_check), decoded with a channel that has
 * a SKU mapping and a default currency. A decoded order goes through what
 * intake does with it, and through what an update of it does
 * (fuzz_order_exercise, fuzz_channel_update).
 */
#include "fuzz.h"

#include "channels/shopify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_storefront(data, size, CHANNEL_SHOPIFY, "order",
			shopify_order_decode);
	return 0;
}
