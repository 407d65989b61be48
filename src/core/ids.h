/*
 * ids.h - public ids and hashes.
 */
#ifndef ORDO_CORE_IDS_H
#define ORDO_CORE_IDS_H

#include <stddef.h>

#include "core/limits.h"

/* A new random public id: prefix + 26 base32 characters, e.g. "ord_...". */
void ordo_id_new(const char *prefix, char out[ORDO_ID_MAX]);

/* Hex SHA-256 of data (65 bytes with NUL). */
void ordo_sha256_hex(const void *data, size_t len, char out[65]);

#endif
