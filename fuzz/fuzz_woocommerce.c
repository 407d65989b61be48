/*
 * fuzz_woocommerce.c - a WooCommerce order webhook's body
 * (woocommerce_order_decode, woocommerce_order_cancelled), bare or in its
 * {"data": ...} envelope (a bare one must read the same in the envelope:
 * fuzz_envelope_check), decoded with a channel that has a SKU mapping
 * and a default currency. A decoded order goes through what intake does
 * with it, and through what an update of it does (fuzz_order_exercise,
 * fuzz_channel_update).
 */
#include "fuzz.h"

#include "channels/woocommerce.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)woocommerce_order_cancelled((const char *)data, size);
	fuzz_storefront(data, size, CHANNEL_WOOCOMMERCE, "data",
			woocommerce_order_decode);
	return 0;
}
