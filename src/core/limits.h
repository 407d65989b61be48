/*
 * limits.h - every limit ordo enforces, in one place, with its reason.
 *
 * Input past a limit is refused with an error naming the field and the
 * limit; nothing is truncated silently. Tests exercise each limit.
 *
 * Every limit a caller, an operator or a receiver of ordo's webhooks can
 * meet - a size, a count, a rate, a timeout, a retention - is defined here,
 * under the name the code has always used for it. What stays elsewhere are
 * sizes internal to one module, which nobody outside it can reach; each is
 * next to the code it bounds, with its reason, and listed at the end of
 * this file so that a reader looking for a limit learns it is not one.
 *
 * This header includes nothing, so that every layer (err.h included) can
 * include it.
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
/* A connection idle this long is closed (a client that stopped mid-request
 * holds nothing for long), and at most this many are open at once (each
 * is a socket and its memory; past it new connections wait in the
 * listening socket's queue, unanswered, until one closes). */
#define ORDO_CONNECTION_IDLE_S 30
/* A request's line and headers arrive within this long of the connection
 * (or of the answer before, on a connection kept open): a client that
 * sends them a byte at a time, each before the idle time runs out, holds
 * nothing past it (its connection is closed). Longer than the idle time,
 * so that an idle connection is closed by that first. */
#define ORDO_REQUEST_HEAD_S 45
/* A request's body arrives within ORDO_REQUEST_BODY_S of its head, and a
 * second more for each ORDO_REQUEST_BODY_RATE bytes it declares (or, sent
 * in chunks, its route may take): 1 MiB has 109 s, a 64 MiB file of orders
 * 69 minutes, which a link of 128 kbit/s keeps up with. A body sent a byte
 * now and then, each before the idle time runs out, holds nothing past it
 * (its connection is closed). */
#define ORDO_REQUEST_BODY_S 45
#define ORDO_REQUEST_BODY_RATE 16384
/* The largest file of the console served (console.c): its modules and
 * the charting library are tens of kilobytes; a larger file in its folder
 * is a mistake, answered 500 rather than read into memory. */
#define ORDO_CONSOLE_FILE_MAX (2 * 1024 * 1024)
#define ORDO_CONNECTIONS_MAX 1024
/* Connections one client address may hold at once: half of them, so that
 * one client (or many behind one address) cannot take every connection
 * and shut the others out; past it its new connections are closed at
 * once. A proxy in front of ordo is one address, and stays under it by
 * keeping fewer connections to a node (docs/nginx-ordo.conf keeps 32). */
#define ORDO_CONNECTIONS_PER_ADDRESS 512
/* Room kept for others: the last ORDO_CONNECTIONS_KEPT connections of a
 * node go only to client addresses that hold fewer than
 * ORDO_CONNECTIONS_FEW, so that a few addresses holding many slow
 * connections (each under its share) cannot take them all, and a client
 * that holds a few, as people and integrations do, still gets in. Only
 * clients from more than (ORDO_CONNECTIONS_MAX - ORDO_CONNECTIONS_KEPT) /
 * ORDO_CONNECTIONS_FEW addresses at once could fill a node, which a
 * firewall or proxy in front must stop. */
#define ORDO_CONNECTIONS_KEPT 64
#define ORDO_CONNECTIONS_FEW 8
/* Requests a second one API key may make, by default (ordo serve
 * --rate-per-key), and at most: past it, 429 with Retry-After, so that
 * one runaway client cannot take a node's time from the others. Its
 * bucket holds two seconds' worth, for bursts. The default is above what
 * one node answers on a small machine (about 2,000 writes a second):
 * set it to what each client should get. */
#define ORDO_RATE_PER_KEY_DEFAULT 5000
#define ORDO_RATE_PER_KEY_MAX 1000000
/* Requests a second one client address may make, by default (ordo serve
 * --rate-per-address), and at most: whatever it sends them with (keys,
 * sessions, or nothing: a login, a storefront's webhook), so that one
 * client cannot take a node's time by spreading its requests over keys,
 * or by sending none. Two seconds' worth for bursts. A proxy in front is
 * one address: the default leaves it room for every client behind it. */
#define ORDO_RATE_PER_ADDRESS_DEFAULT 20000
#define ORDO_RATE_PER_ADDRESS_MAX 1000000

/* Deepest JSON nesting accepted. The order document nests four levels. */
#define ORDO_MAX_JSON_DEPTH 16

/* Lines per order. Large enough for wholesale orders, small enough that one
 * order is validated and stored in one short transaction. */
#define ORDO_MAX_LINES 500

/* Largest quantity on one line, and largest money amount in minor units
 * (10^13 minor units = 100 billion in a 2-decimal currency). Their product,
 * 10^19, is past INT64_MAX (about 9.2 * 10^18), so no code multiplies a
 * price by a quantity directly: money_mul() checks the multiplication for
 * overflow and refuses any result past ORDO_MAX_MONEY_MINOR, and sums go
 * through money_add(), which does the same. */
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
#define ORDO_ACTOR_MAX 261 /* "key:" + a key name, "user:" + an email */
#define ORDO_IDEMPOTENCY_KEY_MAX 129
#define ORDO_LOCATION_CODE_MAX 33
#define ORDO_ROLE_MAX 16	     /* "integration", "supervisor", ... */
#define APP_API_KEY_MAX 80	     /* the whole key as a caller sends it */
#define STORE_URL_MAX 1024	     /* a webhook's URL */
/* A webhook's signing secret, or the token a channel's own webhook calls
 * its API with (WooCommerce's consumer_key:consumer_secret is 87). */
#define STORE_SECRET_MAX 129
#define ORDO_CHANNEL_CODE_MAX 65   /* a channel's product code */
#define ORDO_EDI_ID_MAX 19	   /* "QQ:" and an ISA ID of up to 15 */
#define ORDO_SOURCE_TYPE_MAX 64    /* an order's source's media type */
#define ORDO_IMPORT_NAME_MAX 256   /* an imported file's name */
#define ORDO_CSV_COLUMN_MAX 128    /* a CSV column's name */
#define ORDO_CSV_MAP_MAX 8192      /* a CSV column mapping, as JSON */

/*
 * A CSV file of orders (channels/csv*.c): one past a limit is refused as a
 * whole, naming the limit. 64 MiB holds a million rows of a typical export
 * (about 70 bytes each); more is a job for an export split by date. A
 * million rows bounds the index to a few tens of MiB. 256 columns is past
 * any order export seen (Shopify's has about 80). 64 KiB is far more than
 * any field ordo keeps (notes hold 2 KiB) and bounds one row to 16 MiB. A
 * column name in a mapping is as long as a name ordo keeps.
 */
#define CSV_MAX_FILE_BYTES (64 * 1024 * 1024)
#define CSV_MAX_ROWS 1000000
#define CSV_MAX_COLUMNS 256
#define CSV_MAX_FIELD_BYTES (64 * 1024)
#define CSV_COLUMN_NAME_MAX 129 /* NUL included */

/* The largest view POST /v1/reconciliations takes, 16 times any other
 * body: a warehouse's whole view of its open fulfillments (at most 10,000
 * items) comes in one call. */
#define RECONCILE_BODY_MAX (16 * 1024 * 1024)

/* Imports (app/imports.c): the orders of a file waiting for the committer
 * at once (enough to fill its batches; other writes join the same ones),
 * and how often an import records how far it got. */
#define ORDO_IMPORT_IN_FLIGHT 64
#define ORDO_IMPORT_PROGRESS_ORDERS 500
/* Imports one node runs at once (each holds its file in memory). */
#define ORDO_IMPORTS_RUNNING 2
#define ORDO_CHANNEL_SECRET_MAX 129 /* a channel's signing secret */
#define STORE_EVENTS_MAX 512	     /* a webhook's event names, joined */
#define POLICY_RULE_ID_MAX 65	     /* 1..64 of [a-z0-9_.-] */

/* What one error can say: a message, the field at fault, and at most this
 * many details (one per problem). Fixed so that reporting an error never
 * allocates; past ORDO_ERR_MAX_DETAILS an error says how many more problems
 * there were. The message has room for every accepted value of an enum. */
#define ORDO_ERR_MESSAGE_MAX 512
#define ORDO_ERR_FIELD_MAX 128
#define ORDO_ERR_MAX_DETAILS 32

/* Checks on an order's contents. placed_at may be this far in the future
 * (the sender's clock may run ahead of ours); a phone needs at least this
 * many digits to reach anyone. */
#define VALIDATE_FUTURE_SKEW_S (15 * 60)
#define VALIDATE_PHONE_MIN_DIGITS 5

/* Stock counts: a billion units of one SKU at one location is past any
 * warehouse, and keeps sums of a tenant's stock far from int64 overflow. */
#define ORDO_MAX_STOCK 1000000000LL

/* Locations one tenant may have (allocation weighs every one of them), and
 * destinations one location may serve, each "US" or "US-CA" (up to 7
 * characters). Allocation searches every candidate set exhaustively up to
 * ALLOCATE_EXACT_MAX locations (2^12 sets) and greedily past that, so the
 * cost of one order stays bounded whatever the network. */
#define ALLOCATE_MAX_LOCATIONS 256
#define LOCATION_MAX_SERVES 64
#define LOCATION_SERVE_MAX 8
#define ALLOCATE_EXACT_MAX 12

/* The review policy (policy.h): rules per policy, bytes of one condition,
 * nesting of parentheses, lists and "not" (which bounds the recursion of
 * the parser and the evaluator), items of one list literal, and the
 * significant digits and decimals of a NUMBER (15 keeps 10^(decimals + 3)
 * inside int64 for exact comparison). A hold's priority is 1 (most urgent)
 * to 5. */
#define POLICY_MAX_RULES 200
#define POLICY_WHEN_MAX 2048
#define POLICY_MAX_DEPTH 32
#define POLICY_MAX_LIST 100
#define POLICY_NUM_MAX_DIGITS 15
#define POLICY_PRIORITY_MIN 1
#define POLICY_PRIORITY_MAX 5

/* The longest SLA a tenant may give a hold type: a month; a hold nobody
 * must act on for longer is not a hold. (The bounds of the other tenant
 * settings are in SETTINGS_INT_MAP, core/settings.h, beside each setting's
 * name and default, because that one table also drives the JSON.) */
#define SETTINGS_HOLD_SLA_MAX_S (30 * 86400)

/* A claim on a hold lasts 15 minutes unless the claimer asks otherwise,
 * between a minute (less cannot be worked) and an hour (more hides the
 * hold from everybody else for too long). */
#define APP_CLAIM_LEASE_DEFAULT_S 900
#define APP_CLAIM_LEASE_MIN_S 60
#define APP_CLAIM_LEASE_MAX_S 3600
/* The largest min_age_s a queue filter takes: a year, leap day included
 * (it matches every hold older than that too). */
#define QUEUE_MIN_AGE_MAX_S (366LL * 86400)

/* Holds one order may carry at once: one per line problem plus order-level
 * problems. Bounded so a pathological order cannot flood the queue. */
#define ORDO_MAX_HOLDS (ORDO_MAX_LINES + 32)

/* List pages. The store reads one row past a page to learn whether
 * another follows, hence STORE_LIST_MAX. */
#define ORDO_PAGE_DEFAULT 50
#define ORDO_PAGE_MAX 200
#define STORE_LIST_MAX (ORDO_PAGE_MAX + 1)

/* Order search (GET /v1/orders?q=, core/search.h). The text is at most
 * ORDO_SEARCH_Q_MAX bytes and ORDO_SEARCH_TERMS_MAX terms, every one of
 * which an order must match: enough for a name, an email, a phone number,
 * a postal code and a SKU at once, and a bound on the index lookups one
 * request makes. */
#define ORDO_SEARCH_Q_MAX 200
#define ORDO_SEARCH_TERMS_MAX 8
/* A word is indexed under each of its prefixes up to this many bytes (and
 * whole), so that a term is one token to look up; a longer term is
 * matched by its first ORDO_SEARCH_PREFIX_MAX bytes. Ids, SKUs, tracking
 * numbers and names are shorter. */
#define ORDO_SEARCH_PREFIX_MAX 24

/* Bulk actions on holds: a request touches at most its "limit" holds
 * (default: the tenant's bulk_limit setting, itself ORDO_BULK_DEFAULT
 * unless changed; never above ORDO_BULK_MAX); one whose filter
 * matches more is refused rather than cut short, so that a loose filter is
 * found out before it decides a hundred holds nobody looked at. */
#define ORDO_BULK_DEFAULT 100
#define ORDO_BULK_MAX 1000
/* Most rows one bulk read of the store returns: at least ORDO_BULK_MAX. */
#define STORE_BULK_MAX 1000

/* Retention: an Idempotency-Key is remembered for a day (a client retries
 * within minutes); a delivered webhook is kept for 30 days to look at. */
#define ORDO_IDEMPOTENCY_KEEP_S (24 * 3600)
/* A retry that finds its key's write done but the answer not kept yet (the
 * first request is still on its way) waits this long for the answer, then
 * is refused with 409 (app/write.h); a key left without an answer for
 * longer than ORDO_IDEMPOTENCY_LOST_S (the server stopped in between) is
 * refused at once. */
#define ORDO_IDEMPOTENCY_WAIT_MS 5000
#define ORDO_IDEMPOTENCY_LOST_S 60
#define ORDO_DELIVERED_KEEP_S (30 * 24 * 3600)

/* Webhooks per tenant. Each is a receiver the outbox sends every event to,
 * with a sender and a backoff of its own: a handful serves every system a
 * business runs; more is a mistake, or one tenant taking the outbox. */
#define ORDO_WEBHOOKS_MAX 20
/* A webhook's secret rotated: how long the old one signs beside the new,
 * by default and at most (a week: a receiver's deploy cycle). */
#define ORDO_SECRET_GRACE_DEFAULT_S 86400
#define ORDO_SECRET_GRACE_MAX_S 604800

/* Live API keys per tenant: one per integration, person or script, with
 * room to rotate; past this a tenant is handing keys out by mistake (and
 * the keys list is read whole). Revoked keys do not count. */
#define ORDO_API_KEYS_MAX 100

/*
 * People and their sessions (app/people.h).
 *
 * A password is 12 to 128 characters: long enough that guessing is
 * hopeless at the rates below, short enough to hash in bounded time. It
 * is hashed with Argon2id at libsodium's interactive limits (64 MiB and
 * about 0.1 s a hash), so at most ORDO_PASSWORD_HASHES_AT_ONCE hashes run
 * at once on a node (128 MiB); a login past them is answered 429 with
 * Retry-After 1 rather than holding a server thread.
 */
#define ORDO_PASSWORD_MIN 12
#define ORDO_PASSWORD_MAX 128
#define ORDO_PASSWORD_HASHES_AT_ONCE 2
/* A session ends after an hour without a request, and 12 hours after its
 * login whatever happens: a working day, and a desk left alone for lunch. */
#define ORDO_SESSION_IDLE_S 3600
#define ORDO_SESSION_ABSOLUTE_S 43200
/* A person's live sessions (browsers, devices); a login past them ends
 * the oldest. */
#define ORDO_SESSIONS_PER_USER_MAX 20
/* Tenants one person serves. */
#define ORDO_USER_TENANTS_MAX 64
/* Failed logins (core/login.h): per account, 3 cost nothing, the 4th and
 * on wait 1, 2, 4, ... s (at most 60 s), the 10th locks the account for
 * 15 minutes; per client address (many people may share one), 20 cost
 * nothing and 100 lock it. */
#define ORDO_LOGIN_FREE_FAILS 3
#define ORDO_LOGIN_LOCK_FAILS 10
#define ORDO_LOGIN_ADDRESS_FREE_FAILS 20
#define ORDO_LOGIN_ADDRESS_LOCK_FAILS 100
#define ORDO_LOGIN_WAIT_MAX_S 60
#define ORDO_LOGIN_LOCK_S 900

/* Channels per tenant, and entries of one channel's SKU mapping. A
 * channel's mapping is read whole with it for each document it sends: it
 * names the exceptions to the channel's own SKUs, not a whole catalog. */
#define ORDO_CHANNELS_MAX 50
#define ORDO_CHANNEL_SKUS_MAX 1000

/* Webhook delivery (outbox/worker.c). By default 4 sending threads (at most
 * OUTBOX_MAX_THREADS), an idle one looks for work every 200 ms, a receiver
 * has 10 s to answer (5 s of it at most to accept the connection; `ordo
 * serve --webhook-timeout-ms` sets 100 ms .. 60 s), and a claim takes up to
 * 4 deliveries of one webhook for 60 s - raised to outlast a whole batch of
 * timeouts plus OUTBOX_LEASE_MARGIN_MS. A failed delivery is retried after
 * 1, 2, 4, ... seconds, never more than an hour apart; a webhook with
 * nothing to send is looked at again every 30 s even if no event wakes it;
 * one that has failed for a day without a success in between is paused. */
#define OUTBOX_THREADS_DEFAULT 4
#define OUTBOX_MAX_THREADS 16
#define OUTBOX_POLL_MS_DEFAULT 200
#define OUTBOX_TIMEOUT_MS_DEFAULT 10000
#define OUTBOX_CONNECT_TIMEOUT_MAX_MS 5000
#define OUTBOX_LEASE_S_DEFAULT 60
#define OUTBOX_LEASE_MARGIN_MS 30000
#define OUTBOX_BATCH_DEFAULT 4
#define OUTBOX_BACKOFF_CAP_S 3600
#define OUTBOX_IDLE_S 30
#define OUTBOX_PAUSE_AFTER_S (24 * 3600)
/* The most of a store's answer a channel call reads (Shopify's
 * fulfillment orders of one order run to a few kB). */
#define OUTBOX_ANSWER_MAX (1024 * 1024)
#define CLI_DEFAULT_WEBHOOK_TIMEOUT_MS OUTBOX_TIMEOUT_MS_DEFAULT
#define CLI_WEBHOOK_TIMEOUT_MIN_MS 100
#define CLI_WEBHOOK_TIMEOUT_MAX_MS 60000

/* Address ranges in one allow list (ORDO_WEBHOOK_ALLOW, trusted proxies):
 * an operator names a handful; one range is at most NETADDR_TEXT_MAX - 1
 * characters ("ffff:...:ffff/128" with room to spare). */
#define NETADDR_LIST_MAX 32
#define NETADDR_TEXT_MAX 64

/* Pending connections the kernel queues before the server accepts them;
 * past it a client's connect waits or fails. */
#define LISTEN_BACKLOG 128

/* Group commit: most write jobs batched into one transaction. A job that
 * loses to a concurrent transaction (deadlock, serialization) is run again,
 * at most STORE_JOB_ATTEMPTS times in all, then fails. */
#define ORDO_COMMIT_BATCH_MAX 256
/* A request's memory (core/arena.h) comes in blocks of this size; most
 * requests need one. */
#define ORDO_ARENA_BLOCK_BYTES (32 * 1024)
/* Writes a node takes in before their commit (queued for the committer or
 * in its batch): past it a write is refused at once with 503 and
 * Retry-After rather than queued, so that a flood costs at most this many
 * requests' memory (each at most ORDO_MAX_BODY_BYTES of body). `ordo serve
 * --max-queued-writes N` sets it, 1 to the most. */
#define ORDO_QUEUED_WRITES_DEFAULT 512
#define ORDO_QUEUED_WRITES_MAX 65536
/* What a 503 tells the client to wait before trying again, in seconds. */
#define ORDO_RETRY_AFTER_S 1
/* SQLite's WAL: past this many pages (16 MiB at 4 KiB pages; SQLite's
 * own default is 1,000) the checkpointer thread copies it back into the
 * database: the pages every commit touches are copied once per
 * checkpoint, so fewer checkpoints copy less. Past the larger one the
 * writer does it itself, so the WAL stays bounded (about 64 MiB) whatever
 * keeps the checkpointer behind. */
#define SQ_WAL_CHECKPOINT_PAGES 4000
#define SQ_WAL_MAX_PAGES 16000
#define STORE_JOB_ATTEMPTS 4
/* The pause before a job that lost to a concurrent transaction runs again,
 * times its runs so far: long enough for a competing transaction of a few
 * statements to end, short enough that the writes queued behind it hardly
 * notice (2, 4 and 6 ms with STORE_JOB_ATTEMPTS at 4). */
#define STORE_JOB_BACKOFF_MS 2

/* Read connections per node: 8 by default (`ordo serve --db-pool`), at most
 * 64, each a database connection and its file handles. */
#define CLI_DEFAULT_DB_POOL 8
#define CLI_MAX_DB_POOL 64
#define STORE_READ_POOL_MAX 64

/* PostgreSQL: longest any one statement may run (migrations apart), so a
 * stuck query frees its connection; a lost connection is retried after
 * 50 ms, doubling to at most 2 s between attempts. */
#define PG_STATEMENT_TIMEOUT_MS 30000
#define PG_BACKOFF_MIN_MS 50
#define PG_BACKOFF_MAX_MS 2000

/*
 * Internal sizes that stay with their module, because nothing outside it
 * can reach them (each has its reason where it is defined):
 *
 *   API_MAX_PARAMS (api/api_int.h)      path parameters of one route
 *   STRICT_QUERY_SEEN_MAX (api/strict.c)  known query names remembered
 *                                        per request: more than any
 *                                        operation reads
 *   JF_LIST_MAX, JF_NAME_CMP_MAX (channels/json_fields.*)  room for an
 *                                        enumeration's names in a message
 *   DB_STMT_MAX (store/db.h)            prepared statements of one backend
 *   SQL_SCAN_MAX (store/sql_int.h), OUTBOX_CLAIM_PROBE (store/sql_outbox.c)
 *                                        rows or webhooks one
 *                                        internal scan looks at; callers
 *                                        scan again for more
 *   SIGNATURE_HEADER_MAX (core/signature.h)  the header ordo itself writes
 *   QUOTE_MAX, REASON_MAX (core/policy_int.h), PO_WORDS_MAX
 *   (core/policy_eval.c), MONEY_BUF (core/validate.c), DIFF_VALUE_MAX
 *   (core/order_diff.c)                 buffers sized for what they hold
 *   APP_DEFAULT_HANDLING_S (app/policy.c)  an estimate for simulation,
 *                                        not a limit
 *   RATELIMIT_SLOTS, RATELIMIT_PROBE (core/ratelimit.h)  the callers a
 *                                        node's rate table tracks at once;
 *                                        one not found starts a full
 *                                        bucket, erring on its side
 */

#endif
