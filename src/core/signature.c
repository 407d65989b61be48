/*
 * signature.c - HMAC-SHA256 webhook signatures (libsodium). See
 * signature.h.
 */
#include "core/signature.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void mac_hex(const char *secret, int64_t t, const char *body,
		    size_t len, char hex[65])
{
	crypto_auth_hmacsha256_state st;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	char prefix[32];
	int n = snprintf(prefix, sizeof(prefix), "%" PRId64 ".", t);

	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret,
				    strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)prefix,
				      (unsigned long long)n);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2hex(hex, 65, mac, sizeof(mac));
}

void signature_make(const char *secret, const char *previous, int64_t t,
		    const char *body, size_t len,
		    char out[SIGNATURE_HEADER_MAX])
{
	char hex[65], old[65];

	mac_hex(secret, t, body, len, hex);
	if (previous && previous[0]) {
		mac_hex(previous, t, body, len, old);
		snprintf(out, SIGNATURE_HEADER_MAX,
			 "t=%" PRId64 ",v1=%s,v1=%s", t, hex, old);
	} else {
		snprintf(out, SIGNATURE_HEADER_MAX, "t=%" PRId64 ",v1=%s", t,
			 hex);
	}
}

bool signature_verify(const char *secret, const char *header,
		      const char *body, size_t len, int64_t now,
		      int64_t tolerance_s)
{
	const char *v1;
	char want[65], *end;
	bool ok = false;
	long long t;

	if (strncmp(header, "t=", 2) != 0)
		return false;
	t = strtoll(header + 2, &end, 10);
	if (end == header + 2 || strncmp(end, ",v1=", 4) != 0)
		return false;
	if (t > now + tolerance_s || t < now - tolerance_s)
		return false;
	mac_hex(secret, t, body, len, want);
	/* Each v1 in turn: 64 hex digits, then the next or the end. */
	for (v1 = end; strncmp(v1, ",v1=", 4) == 0; v1 += 68) {
		if (strspn(v1 + 4, "0123456789abcdef") != 64 ||
		    (v1[68] != '\0' && v1[68] != ','))
			return false;
		if (sodium_memcmp(want, v1 + 4, 64) == 0)
			ok = true;
	}
	return ok && *v1 == '\0';
}

static void mac_of(const char *secret, const char *body, size_t len,
		   unsigned char mac[crypto_auth_hmacsha256_BYTES])
{
	crypto_auth_hmacsha256_state st;

	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret,
				    strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
	crypto_auth_hmacsha256_final(&st, mac);
}


bool signature_verify_base64(const char *secret, const char *header,
			     const char *body, size_t len)
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	unsigned char got[crypto_auth_hmacsha256_BYTES];
	size_t n = 0;
	const char *end = NULL;

	if (!secret[0] ||
	    sodium_base642bin(got, sizeof(got), header, strlen(header), NULL,
			      &n, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    n != sizeof(got) || *end != '\0')
		return false;
	mac_of(secret, body, len, mac);
	return sodium_memcmp(mac, got, sizeof(mac)) == 0;
}
