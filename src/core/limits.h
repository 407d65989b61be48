/*
 * limits.h - every limit ordo enforces, in one place, with its reason.
 *
 * Input past a limit is refused with an error naming the field and the
 * limit; nothing is truncated silently. Tests exercise each limit.
 */
#ifndef ORDO_CORE_LIMITS_H
#define ORDO_CORE_LIMITS_H

/* Largest request body accepted. A large B2B order with 500 lines and long
 * notes is well under 512 KiB; anything bigger is a mistake or an attack. */
#define ORDO_MAX_BODY_BYTES (1024 * 1024)

/* An oversized body is still read (and thrown away) up to this many bytes
 * before the 413 is sent: a client that is still sending when the server
 * closes gets a connection reset instead of the answer. Past this, closing
 * early is fair. A declared Content-Length past it is refused at once. */
#define ORDO_MAX_DISCARD_BYTES (16LL * ORDO_MAX_BODY_BYTES)

/* Longest request target (path and query, as sent, escapes included): 414
 * past it. ordo's longest real URLs are a few hundred bytes. */
#define ORDO_MAX_URI_BYTES 8192

/* Most bytes of request headers (names and values of all of them): 431
 * past it. A bearer key and an Idempotency-Key are well under 1 KiB. */
#define ORDO_MAX_HEADER_BYTES 16384

/* Memory libmicrohttpd may use per connection for the request line and
 * headers. Larger than the two limits above so that ordo, not the HTTP
 * library, answers requests over them (in ordo's JSON error shape). */
#define ORDO_CONNECTION_MEMORY_BYTES (128 * 1024)

/* Deepest JSON nesting accepted. The order document nests four levels. */
#define ORDO_MAX_JSON_DEPTH 16

/* Lines per order. Large enough for wholesale orders, small enough that one
 * order is validated and stored in one short transaction. */
#define ORDO_MAX_LINES 500

/* Largest quantity on one line, and largest money amount in minor units
 * (10^13 minor units = 100 billion in a 2-decimal currency). Both keep every
 * product and sum of an order far from int64 overflow. */
#define ORDO_MAX_QUANTITY 1000000LL
#define ORDO_MAX_MONEY_MINOR 10000000000000LL

/* String field sizes, including the terminating NUL. */
#define ORDO_ID_MAX 32		/* public ids: "ord_" + 26 characters */
#define ORDO_EXTERNAL_ID_MAX 129 /* ids assigned by channels */
#define ORDO_CHANNEL_MAX 33
#define ORDO_SLUG_MAX 64
#define ORDO_SKU_MAX 65
#define ORDO_TITLE_MAX 257
#define ORDO_NAME_MAX 129
#define ORDO_EMAIL_MAX 255
#define ORDO_PHONE_MAX 33
#define ORDO_ADDRESS_LINE_MAX 129
#define ORDO_CITY_MAX 65
#define ORDO_REGION_MAX 65
#define ORDO_POSTAL_MAX 17
#define ORDO_COUNTRY_MAX 3 /* ISO 3166-1 alpha-2 */
#define ORDO_CURRENCY_MAX 4 /* ISO 4217 */
#define ORDO_METHOD_MAX 33
#define ORDO_NOTES_MAX 2049
#define ORDO_MESSAGE_MAX 256
#define ORDO_ACTOR_MAX 136 /* "key:" + a key name */
#define ORDO_IDEMPOTENCY_KEY_MAX 129

/* Holds one order may carry at once: one per line problem plus order-level
 * problems. Bounded so a pathological order cannot flood the queue. */
#define ORDO_MAX_HOLDS (ORDO_MAX_LINES + 32)

/* List pages. */
#define ORDO_PAGE_DEFAULT 50
#define ORDO_PAGE_MAX 200

/* Bulk actions on holds: a request touches at most its "limit" holds
 * (default: the tenant's bulk_limit setting, itself ORDO_BULK_DEFAULT
 * unless changed; never above ORDO_BULK_MAX); one whose filter
 * matches more is refused rather than cut short, so that a loose filter is
 * found out before it decides a hundred holds nobody looked at. */
#define ORDO_BULK_DEFAULT 100
#define ORDO_BULK_MAX 1000

/* Retention: an Idempotency-Key is remembered for a day (a client retries
 * within minutes); a delivered webhook is kept for 30 days to look at. */
#define ORDO_IDEMPOTENCY_KEEP_S (24 * 3600)
#define ORDO_DELIVERED_KEEP_S (30 * 24 * 3600)

/* Webhooks per tenant. Each is a receiver the outbox sends every event to,
 * with a sender and a backoff of its own: a handful serves every system a
 * business runs; more is a mistake, or one tenant taking the outbox. */
#define ORDO_WEBHOOKS_MAX 20

/* Group commit: most write jobs batched into one transaction. */
#define ORDO_COMMIT_BATCH_MAX 256

#endif
