/*
 * ids.c - public ids and hashes.
 *
 * Public ids are a short type prefix and 26 characters of Crockford base32
 * drawn from 128 random bits (libsodium's randombytes): unguessable, so an
 * id reveals nothing about other orders or tenants, and safe in URLs.
 * Every layer that makes an id (the use cases, the store for the few rows it
 * makes itself) makes it here.
 */
#include "core/ids.h"

#include <sodium.h>
#include <string.h>

static const char base32[] = "0123456789abcdefghjkmnpqrstvwxyz";

void ordo_id_new(const char *prefix, char out[ORDO_ID_MAX])
{
	unsigned char raw[16];
	size_t plen = strlen(prefix), i, bit = 0;

	randombytes_buf(raw, sizeof(raw));
	memcpy(out, prefix, plen);
	/* 26 characters x 5 bits = 130 bits; the last 2 bits read as zero. */
	for (i = 0; i < 26; i++, bit += 5) {
		unsigned v = 0, b;

		for (b = 0; b < 5; b++) {
			size_t at = bit + b;
			unsigned set = at < 128 ?
				(raw[at / 8] >> (7 - at % 8)) & 1u : 0u;

			v = (v << 1) | set;
		}
		out[plen + i] = base32[v];
	}
	out[plen + 26] = '\0';
}

void ordo_sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char digest[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(digest, data, len);
	sodium_bin2hex(out, 65, digest, sizeof(digest));
}
