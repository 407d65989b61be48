/*
 * cursor.h - page cursors sealed for the tenant they were given to.
 *
 * A list's next page starts after a position only ordo should read: a
 * sequence number shared by every tenant's rows, a due time and a seq, a
 * hold's time and id. Given out as they are, they would tell a tenant how
 * much every other tenant does. Each is given out sealed instead
 * (libsodium's secretbox: XSalsa20 and Poly1305, a fresh random nonce
 * each time), with the tenant it was given to, under a key all of a
 * deployment's nodes share; a cursor that does not open, or opens for
 * another tenant, is not one ordo gave out.
 *
 * A cursor is also bound to the list it was given out by (its route): read
 * by another list, it is refused rather than paging that list from a
 * position it never had.
 *
 * Text: base64url without padding of nonce || box(tenant (8 bytes, little
 * endian) || the first 8 bytes of the BLAKE2b hash of the list's name ||
 * inner text).
 */
#ifndef ORDO_CORE_CURSOR_H
#define ORDO_CORE_CURSOR_H

#include <stddef.h>
#include <stdint.h>

#define ORDO_CURSOR_KEY_BYTES 32
/* The longest position a list writes (a hold's "<created_at>.<id>", a
 * SKU), with its NUL. */
#define ORDO_CURSOR_INNER_MAX 160
/* The longest sealed cursor, with its NUL: 24 + 16 + 16 + 159 bytes in
 * base64url. */
#define ORDO_CURSOR_TEXT_MAX 296

/* Seal inner for tenant and the list called list into out
 * (ORDO_CURSOR_TEXT_MAX bytes); -1 when inner is too long (our bug), else
 * 0. */
int ordo_cursor_seal(const unsigned char key[ORDO_CURSOR_KEY_BYTES],
		     int64_t tenant, const char *list, const char *inner,
		     char out[ORDO_CURSOR_TEXT_MAX]);

/* Open text, sealed for tenant and list, into inner
 * (ORDO_CURSOR_INNER_MAX bytes); -1 when it is not a cursor sealed with
 * key for them, else 0. */
int ordo_cursor_open(const unsigned char key[ORDO_CURSOR_KEY_BYTES],
		     int64_t tenant, const char *list, const char *text,
		     char inner[ORDO_CURSOR_INNER_MAX]);

#endif
