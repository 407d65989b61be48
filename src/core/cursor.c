/*
 * cursor.c - page cursors sealed for the tenant they were given to (see
 * cursor.h).
 */
#include "core/cursor.h"

#include <string.h>

#include <sodium.h>

#define HEAD (crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
#define BOUND 16 /* the tenant, the list's hash */
#define PLAIN_MAX (BOUND + ORDO_CURSOR_INNER_MAX - 1)

_Static_assert(ORDO_CURSOR_KEY_BYTES == crypto_secretbox_KEYBYTES,
	       "a cursor key is a secretbox key");
_Static_assert(ORDO_CURSOR_TEXT_MAX >= ((HEAD + PLAIN_MAX + 2) / 3) * 4 + 1,
	       "the longest cursor fits its text");

/* What a cursor is bound to: the tenant, then the list's hash. */
static void bound_bytes(int64_t tenant, const char *list,
			unsigned char out[BOUND])
{
	unsigned char hash[crypto_generichash_BYTES_MIN];
	uint64_t v = (uint64_t)tenant;
	int i;

	for (i = 0; i < 8; i++)
		out[i] = (unsigned char)(v >> (8 * i));
	crypto_generichash(hash, sizeof(hash), (const unsigned char *)list,
			   strlen(list), NULL, 0);
	memcpy(out + 8, hash, BOUND - 8);
}

int ordo_cursor_seal(const unsigned char key[ORDO_CURSOR_KEY_BYTES],
		     int64_t tenant, const char *list, const char *inner,
		     char out[ORDO_CURSOR_TEXT_MAX])
{
	unsigned char plain[PLAIN_MAX], sealed[HEAD + PLAIN_MAX];
	size_t n = strlen(inner);

	if (n >= ORDO_CURSOR_INNER_MAX)
		return -1;
	bound_bytes(tenant, list, plain);
	memcpy(plain + BOUND, inner, n);
	randombytes_buf(sealed, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(sealed + crypto_secretbox_NONCEBYTES, plain,
			      BOUND + n, sealed, key);
	sodium_bin2base64(out, ORDO_CURSOR_TEXT_MAX, sealed, HEAD + BOUND + n,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return 0;
}

int ordo_cursor_open(const unsigned char key[ORDO_CURSOR_KEY_BYTES],
		     int64_t tenant, const char *list, const char *text,
		     char inner[ORDO_CURSOR_INNER_MAX])
{
	unsigned char sealed[HEAD + PLAIN_MAX], plain[PLAIN_MAX], want[BOUND];
	size_t len = 0, n;

	if (strlen(text) >= ORDO_CURSOR_TEXT_MAX ||
	    sodium_base642bin(sealed, sizeof(sealed), text, strlen(text), NULL,
			      &len, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    len < HEAD + BOUND ||
	    crypto_secretbox_open_easy(plain,
				       sealed + crypto_secretbox_NONCEBYTES,
				       len - crypto_secretbox_NONCEBYTES,
				       sealed, key) != 0)
		return -1;
	bound_bytes(tenant, list, want);
	n = len - HEAD - BOUND;
	if (sodium_memcmp(plain, want, BOUND) != 0 ||
	    memchr(plain + BOUND, '\0', n))
		return -1;
	memcpy(inner, plain + BOUND, n);
	inner[n] = '\0';
	return 0;
}
