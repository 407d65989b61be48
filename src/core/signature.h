/*
 * signature.h - signing webhook deliveries.
 *
 * Each delivery carries "X-Ordo-Signature: t=UNIX,v1=HEX" where HEX is the
 * lowercase hex HMAC-SHA256, keyed with the subscription's secret, of the
 * text "<t>.<body>". Receivers recompute it and also check that t is recent,
 * which stops a captured delivery from being replayed later. While a
 * rotated secret's grace lasts, the header carries one v1 for each secret,
 * the new one first ("t=UNIX,v1=NEW,v1=OLD"): a receiver that has either
 * finds one that verifies.
 */
#ifndef ORDO_CORE_SIGNATURE_H
#define ORDO_CORE_SIGNATURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "t=" + 20 digits + twice ",v1=" + 64 hex + NUL */
#define SIGNATURE_HEADER_MAX 168

/* Sign with secret, and with previous too unless it is NULL or "". */
void signature_make(const char *secret, const char *previous, int64_t t,
		    const char *body, size_t len,
		    char out[SIGNATURE_HEADER_MAX]);

/*
 * True when one v1 of header is a valid signature of body with secret,
 * made no more than tolerance_s away from now. Compares in constant time.
 */
bool signature_verify(const char *secret, const char *header,
		      const char *body, size_t len, int64_t now,
		      int64_t tolerance_s);

/*
 * A storefront's signature (Shopify's X-Shopify-Hmac-Sha256, WooCommerce's
 * X-WC-Webhook-Signature): header is the base64 (standard alphabet, with
 * padding) of the HMAC-SHA256 of the raw body, keyed with the secret.
 * True when it is; compares in constant time.
 */
bool signature_verify_base64(const char *secret, const char *header,
			     const char *body, size_t len);

#endif
