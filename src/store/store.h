/*
 * store.h - the one door to storage.
 *
 * Everything ordo keeps goes through the functions below; nothing above this
 * layer knows SQL or which backend answers. Each function is written once
 * (in the sql_*.c file of its area: sql_tenants.c, sql_catalog.c,
 * sql_orders.c, sql_order_list.c, sql_fulfillment.c, sql_shipments.c,
 * sql_webhooks.c, sql_outbox.c, sql_review.c, sql_history.c) over a small
 * database driver (db.h; sqlite.c, pg.c) that store_open chooses by the
 * url.
 *
 * TRANSACTIONS AND GROUP COMMIT
 *
 * Every write is a job: a function that runs inside a transaction and either
 * succeeds or leaves nothing behind. Jobs are handed to the store's committer
 * thread, which runs as many queued jobs as it has (up to
 * ORDO_COMMIT_BATCH_MAX) in one transaction, each inside its own savepoint,
 * then commits once - one fsync for the whole batch. A job that fails is
 * rolled back to its savepoint and does not disturb the others. Each job's
 * done callback is called only after its batch is durable (or has failed), so
 * a caller acknowledges a request only once it is safe on disk.
 *
 *     submit -> queue -> [BEGIN; SAVEPOINT; job1; RELEASE; SAVEPOINT; job2;
 *                         ... ; COMMIT (fsync)] -> done(job1), done(job2), ...
 *
 * THE JOB CONTRACT
 *
 * The committer is the one thread every write passes through, and while a
 * job runs it holds the write transaction - the database's write lock on
 * SQLite, row locks on PostgreSQL - for every other job of the batch and for
 * every other node. So a job does storage work only:
 *
 *   - It may call store_* functions on the tx it is given, and nothing else
 *     that does I/O: no files, no network, no logging, no sleeping, no
 *     waiting on other threads (store_write would wait for the committer
 *     itself and is refused). Decoding, checking and encoding are done
 *     before store_submit and in done, outside the transaction.
 *   - It may run more than once. A job that lost to a concurrent
 *     transaction (a deadlock, a serialization failure, a lock wait that
 *     timed out, SQLite busy) is rolled back to its savepoint and queued
 *     again at the front of the queue; it runs again in a later batch,
 *     after a short backoff, up to STORE_JOB_ATTEMPTS times in all, and
 *     only the last failure is answered. Its earlier runs left nothing in
 *     the database. So a job must not consume or change its input (arg):
 *     it only writes its outputs, and resets them at the start of every
 *     run, so that a run sees exactly what the first one saw.
 *   - It must not touch other jobs (their args, their outputs, the queue),
 *     the store's committer state, or the read pool (store_read_begin):
 *     a read snapshot taken inside a job would not see the job's own
 *     writes, and waits for a pooled connection.
 *
 * The other jobs of a batch are answered when their batch commits; a job
 * queued again never holds them back.
 *
 * Reads take a transaction of their own from a small pool of read
 * connections (store_read_begin / store_read_end); they see a consistent
 * snapshot and never wait for the writer.
 *
 * OWNERSHIP
 *
 * Functions that fill caller structs copy into them; anything they allocate
 * (order lines and holds, event arrays, idempotency bodies, pages) is owned by
 * the caller and freed with the named free function. Errors: ORDO_ENOTFOUND
 * for a missing row, ORDO_ECONFLICT for a unique key already taken,
 * ORDO_ESTORAGE for everything the database itself refused.
 *
 * TENANCY
 *
 * Every function that touches tenant data takes the tenant id and scopes its
 * query by it; a row of another tenant is ORDO_ENOTFOUND, never an answer.
 */
#ifndef ORDO_STORE_STORE_H
#define ORDO_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/catalog.h"
#include "core/channel.h"
#include "core/err.h"
#include "core/fulfillment.h"
#include "core/order.h"
#include "core/returns.h"
#include "core/search.h"
#include "core/settings.h"

typedef struct store store;
typedef struct store_tx store_tx;

/* ---- opening, migrations ---------------------------------------------- */

typedef struct {
	/* Read connections kept open; reads beyond this wait for one. */
	int read_pool_size;
	/* How long a job may wait for the database lock before failing
	 * (SQLite's busy timeout; PostgreSQL's lock_timeout). */
	int busy_timeout_ms;
	/* Batches that run their jobs at once (committer.c, THE COMMITTERS),
	 * each in a write transaction on a writer connection of its own;
	 * where the database takes several writers, one more begins while
	 * a batch commits. 0 is the backend's own number: 1 on SQLite,
	 * where one writer holds the whole database and 1 is the only
	 * number taken, STORE_WRITERS_PG on PostgreSQL. */
	int writers;
	/* For ordo's own tests only (ORDO_TEST_IO_FAULTS): the path of a
	 * control file that makes the disk under a SQLite database fill up
	 * or fail on demand (sqlite_faults.c); NULL, as always in
	 * production: none. Other backends ignore it. */
	const char *test_io_faults;
} store_options;

#define STORE_OPTIONS_DEFAULT {.read_pool_size = 8, .busy_timeout_ms = 5000}

/* Batches running at once on PostgreSQL unless told
 * (STORE_OPTIONS_DEFAULT), and at most, on any backend. */
#define STORE_WRITERS_PG 1
#define STORE_WRITERS_MAX 16

/*
 * Open the store named by url: a file path (SQLite), optionally written
 * "sqlite:PATH", or a postgres:// or postgresql:// url (PostgreSQL, given
 * to libpq as is; ORDO_EUNAVAILABLE when it cannot be reached). Does not
 * migrate. *out is freed with store_close.
 */
ordo_code store_open(const char *url, const store_options *opts, store **out,
		     ordo_err *err);

/* Stop the committer (after finishing queued jobs) and close everything. */
void store_close(store *st);

/*
 * Apply every migration not yet applied, each in its own transaction, and
 * report how many ran and the version reached; each is recorded as applied
 * at now. Safe to run again.
 */
ordo_code store_migrate(store *st, ordo_time now, int *applied, int *version,
			ordo_err *err);

/*
 * Copy the database, while it is in use, to the new file dest (SQLite).
 * ORDO_EINVALID for a backend with its own backup tools (PostgreSQL).
 */
ordo_code store_backup(store *st, const char *dest, ordo_err *err);

/* Schema version currently applied (0 for an empty database). */
ordo_code store_schema_version(store *st, int *version, ordo_err *err);

/* ---- writes: jobs and group commit ------------------------------------- */

typedef ordo_code (*store_job_fn)(store_tx *tx, void *arg, ordo_err *err);
typedef void (*store_done_fn)(void *arg, ordo_code rc, const ordo_err *err);

/* Named locks a job names before it runs (store_intake_keys), at most. */
#define STORE_JOB_LOCKS 3
#define STORE_LOCK_NAME_MAX 256

/*
 * What an intake job will look up before it writes its new order
 * (store_intake_lookup), said before the job runs: a batch asks every
 * job's at once, at its start (sql_lookups.c, A BATCH'S LOOKUPS), after
 * taking the named locks that guard them (locks, in the order the job
 * takes them, each as given to store_lock_named; the job's own calls for
 * them then send nothing). Said wrong, nothing is wrong but the time: a
 * job whose lookup differs from what it said is looked up as it runs.
 */
typedef struct store_intake_keys {
	int64_t tenant;
	char channel[ORDO_CHANNEL_MAX];
	char external_id[ORDO_EXTERNAL_ID_MAX];
	char fingerprint[65];
	char customer_key[ORDO_EMAIL_MAX];
	bool by_content;
	ordo_time since;  /* store_intake_lookup's */
	ordo_time before; /* the order's received_at */
	char locks[STORE_JOB_LOCKS][STORE_LOCK_NAME_MAX];
	int n_locks;
} store_intake_keys;

/* Runs of one job, at most: STORE_JOB_ATTEMPTS (core/limits.h). */

/*
 * A write job (see THE JOB CONTRACT above). run is called on the committer
 * thread inside the write transaction, once or more; it reads arg and writes
 * only the outputs it owns, resetting them first on every run. It returns
 * ORDO_OK or the error it set in err, and on an error leaves nothing behind.
 */
typedef struct store_job {
	store_job_fn run;
	store_done_fn done; /* called from the committer thread */
	void *arg;
	/*
	 * The stock the job will lock, when it can say before it runs: its
	 * tenant and the SKUs whose stock rows it reserves or counts, up to
	 * max of them put in skus (pointers into arg, unchanged and valid
	 * until done is called: the committers compare them while the job
	 * is queued and while its batch runs);
	 * returns how many there are (more than max: asked again with room
	 * for all). NULL for a job that locks no stock. On a backend with
	 * row locks, a batch locks the stock of all its jobs' SKUs at once,
	 * in one order, before the first job runs (committer.c, STOCK LOCKS).
	 */
	size_t (*stock_skus)(void *arg, int64_t *tenant, const char **skus,
			     size_t max);
	/*
	 * The job sets stock to what it finds (a count takes back what it
	 * no longer covers): it reads each row as committed, locked, rather
	 * than changing the row as its batch read it. Its batch runs exact
	 * (store_int.h, STOCK WRITTEN AT THE BATCH'S END).
	 */
	bool stock_exact;
	/*
	 * For a job that takes a new order: fills *keys with what it will
	 * look up and answers true; false when it will not (or cannot say).
	 * Called on the committer thread, inside the batch's transaction,
	 * before the job runs (it may read the tenant's settings); NULL for
	 * a job that takes no order.
	 */
	bool (*intake_keys)(store_tx *tx, void *arg, store_intake_keys *keys);
	/* owned by the store while queued; err (ORDO_ERR_INIT, or a zeroed
	 * job) is the job owner's to clear once done has been called */
	ordo_code rc;
	ordo_err err;
	int runs;	/* times run so far (at most STORE_JOB_ATTEMPTS) */
	int64_t due_ns; /* a job queued again waits until this (monotonic) */
	struct store_job *next;
} store_job;

/*
 * Queue a job; job must stay valid until done is called. done is called
 * exactly once, after the batch holding the job's last run is durable (rc
 * ORDO_OK) or failed (rc and err set; nothing of the job is stored).
 */
void store_submit(store *st, store_job *job);

/*
 * store_submit, but the job joins the queue only once delay_ms have
 * passed, at its tail; it holds up no other job meanwhile. For a caller
 * that asks again after a moment (a retry waiting for an earlier
 * request's answer), not for ordering.
 */
void store_submit_after(store *st, store_job *job, int delay_ms);

/* Run one job and wait until it is durable. */
ordo_code store_write(store *st, store_job_fn fn, void *arg, ordo_err *err);

/*
 * The bounds (inclusive) of the histograms of store_commit_stats: writes
 * per committed batch, powers of two up to ORDO_COMMIT_BATCH_MAX (no batch
 * carries more); COMMIT's time in microseconds, from 0.1 ms (a commit
 * that reaches no disk) to 2.5 s (a disk or a network in trouble).
 */
#define STORE_BATCH_BOUNDS 1, 2, 4, 8, 16, 32, 64, 128, 256
#define STORE_BATCH_BUCKETS 9
#define STORE_COMMIT_US_BOUNDS                                                 \
	100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000,  \
		500000, 1000000, 2500000
#define STORE_COMMIT_BUCKETS 14

/* Statistics of the committer, for tests and /metrics. */
typedef struct {
	uint64_t jobs;	    /* jobs the committer answered, each once */
	uint64_t commits;   /* batches committed */
	uint64_t max_batch; /* most jobs run in one transaction */
	/* Statements the committer's jobs ran (not counting BEGIN, COMMIT
	 * and the savepoints around each job). */
	uint64_t write_statements;
	/* Waits of the committers for the database's answers, BEGIN and
	 * COMMIT included (network round trips; 0 on SQLite). */
	uint64_t write_round_trips;
	/* Runs of a job again, after it lost a deadlock or a lock wait to a
	 * concurrent transaction (another node's). */
	uint64_t retries;
	/* Batches run again with their stock locked from their start: the
	 * stock they read was taken or added by another transaction before
	 * their end, or a write of theirs set stock to what it found, not
	 * submitted as such (STOCK WRITTEN AT THE BATCH'S END). */
	uint64_t stock_reruns;
	/* Batches run again with each write waiting for its deferred
	 * statements' answers at its end: one of them had failed, found only
	 * with a later write's (pg_pipe.c). */
	uint64_t batch_reruns;
	/* The outbox's claims (store_outbox_claim) and the work the last and
	 * the costliest of them did (store_tx_rows_read). */
	uint64_t outbox_claims;
	int64_t outbox_claim_rows_last;
	int64_t outbox_claim_rows_max;
	/* Checkpoints run beside the committer, not in its commits (SQLite:
	 * the WAL copied back into the database). */
	uint64_t checkpoints;
	/*
	 * Two histograms of the committed batches, one observation each (so
	 * that either's count is `commits`): the writes a batch carried
	 * (jobs answered by its commit, failed ones included), and how long
	 * its COMMIT took - the fsync, in microseconds. Bucket i counts the
	 * batches above bound i - 1 and at most bound i (STORE_BATCH_BOUNDS,
	 * STORE_COMMIT_US_BOUNDS); the last, those above every bound. Not
	 * cumulative: /metrics adds them up.
	 */
	uint64_t batch_writes[STORE_BATCH_BUCKETS + 1];
	uint64_t batch_writes_sum;
	uint64_t commit_us[STORE_COMMIT_BUCKETS + 1];
	uint64_t commit_us_sum;
} store_commit_stats;

void store_commit_stats_get(store *st, store_commit_stats *out);

/* ---- the backlog, read when /metrics is scraped (sql_scrape.c) --------- */

/* A tenant's open holds of one type, and those of them past due. */
typedef struct {
	char type[32]; /* hold_type_name() */
	int64_t open;
	int64_t overdue; /* due_at < now */
} store_scrape_holds;

/* A webhook's deliveries waiting to go, and whether it is paused. */
typedef struct {
	char id[ORDO_ID_MAX];
	bool paused;
	int64_t pending;
} store_scrape_webhook;

typedef struct {
	int64_t id;
	char slug[ORDO_SLUG_MAX];
	store_scrape_holds holds[HOLD_TYPE_COUNT]; /* types with open holds */
	size_t n_holds;
	store_scrape_webhook *webhooks; /* owned; oldest first */
	size_t n_webhooks;
} store_scrape_tenant;

/* The scrape's gauges: store_scrape_free. */
typedef struct {
	store_scrape_tenant *tenants; /* ascending id */
	size_t n;
	bool more; /* the database has tenants past those read */
} store_scrape;

/*
 * Read, in one read snapshot of its own (the API sees no transaction), the
 * backlog of the first max tenants (by id; *more says whether others were
 * left out): each one's open holds by type with those past due at now, and
 * each of its webhooks (its own and its channels') with its pending
 * deliveries. Two statements a tenant and one for the tenants, each read
 * through an index: the holds by holds_due (the review queue's: only open
 * holds are read, never a resolved one) and the deliveries by
 * deliveries_ready (a webhook's pending ones); what it reads grows with the
 * backlog, never with history. out is the caller's, freed with
 * store_scrape_free (also after an error).
 */
ordo_code store_scrape_read(store *st, ordo_time now, size_t max,
			    store_scrape *out, ordo_err *err);
void store_scrape_free(store_scrape *s);

/* ---- reads ------------------------------------------------------------- */

ordo_code store_read_begin(store *st, store_tx **tx, ordo_err *err);
void store_read_end(store_tx *tx);

/* ---- tenants and API keys ---------------------------------------------- */

typedef struct {
	int64_t id;
	char slug[ORDO_SLUG_MAX];
	ordo_time created_at;
} store_tenant;

/* Insert t (slug, created_at); sets t->id. ORDO_ECONFLICT if the slug is
 * taken. Its settings are the defaults until store_settings_put. */
ordo_code store_tenant_insert(store_tx *tx, store_tenant *t, ordo_err *err);
/*
 * The deployment's secret called name, into out (size bytes), in a write
 * job: the value stored, or else fresh, stored now. Every node that asks
 * gets the value the first one stored.
 */
ordo_code store_secret(store_tx *tx, const char *name, const char *fresh,
		       char *out, size_t size, ordo_err *err);

ordo_code store_tenant_by_slug(store_tx *tx, const char *slug, store_tenant *t,
			       ordo_err *err);
ordo_code store_tenant_by_id(store_tx *tx, int64_t id, store_tenant *t,
			     ordo_err *err);

typedef struct {
	int64_t id;
	int64_t tenant_id;
	char public_id[ORDO_ID_MAX]; /* "key_...": its id in the API */
	char name[ORDO_NAME_MAX];
	char role[ORDO_ROLE_MAX];
	char key_hash[65]; /* hex SHA-256 of the whole key; the key is never kept */
	ordo_time created_at;
	ordo_time last_used_at; /* 0: never (kept to STORE_KEY_USED_GRAIN_S) */
	ordo_time revoked_at;	/* 0: live */
	/* An integration key's location (migration 0030): it answers as
	 * that warehouse and reads its fulfillments only. "": none. */
	char location[ORDO_LOCATION_CODE_MAX];
} store_api_key;

/* How finely a key's last use is kept: a key in use is written once per
 * this many seconds, not once a request. */
#define STORE_KEY_USED_GRAIN_S 60

/* Insert k; sets k->id. ORDO_ECONFLICT if the hash exists, or naming
 * "name" if the tenant has a key of that name already (names are unique
 * per tenant: the timeline's actor "key:<name>" names one key). */
ordo_code store_api_key_insert(store_tx *tx, store_api_key *k, ordo_err *err);
/* A tenant's live keys, oldest first (*out: free()). */
ordo_code store_api_key_list(store_tx *tx, int64_t tenant,
			     store_api_key **out, size_t *n, ordo_err *err);
/* The tenant's live key of public id id; ORDO_ENOTFOUND naming "id". */
ordo_code store_api_key_get(store_tx *tx, int64_t tenant, const char *id,
			    store_api_key *k, ordo_err *err);
/* How many live keys the tenant has, of role role (NULL: of any). */
ordo_code store_api_key_count(store_tx *tx, int64_t tenant, const char *role,
			      int64_t *n, ordo_err *err);
/* Revoke the live key id (refused from the next lookup on), or give it a
 * new hash (the old one stops at once); ORDO_ENOTFOUND naming "id". */
ordo_code store_api_key_revoke(store_tx *tx, int64_t tenant, const char *id,
			       ordo_time now, ordo_err *err);
ordo_code store_api_key_rotate(store_tx *tx, int64_t tenant, const char *id,
			       const char *key_hash, ordo_err *err);
/* Note that key (its row id) was used at now, unless it was noted less
 * than STORE_KEY_USED_GRAIN_S before. */
ordo_code store_api_key_used(store_tx *tx, int64_t key, ordo_time now,
			     ordo_err *err);
/* The live key of the hash, and its tenant into *t (unless NULL): a
 * request's caller in one statement. */
ordo_code store_api_key_by_hash(store_tx *tx, const char *key_hash,
				store_api_key *k, store_tenant *t,
				ordo_err *err);

/* ---- people, their sessions, failed logins (sql_people.c) -------------- */

/* libsodium's Argon2id string: crypto_pwhash_STRBYTES. */
#define STORE_PASSWORD_HASH_MAX 128

typedef struct {
	int64_t id;
	char public_id[ORDO_ID_MAX]; /* "usr_..." */
	char email[ORDO_EMAIL_MAX];  /* lower case */
	char password_hash[STORE_PASSWORD_HASH_MAX];
	ordo_time created_at;
} store_user;

/* A tenant a person serves, and their role there. */
typedef struct {
	int64_t tenant_id;
	char tenant_slug[ORDO_SLUG_MAX];
	char role[ORDO_ROLE_MAX];
} store_user_role;

typedef struct {
	char token_hash[65]; /* hex SHA-256 of the token; the token is not kept */
	int64_t user_id;
	ordo_time created_at;
	ordo_time seen_at; /* kept to STORE_KEY_USED_GRAIN_S */
	char address[64];  /* the client address it was made from */
} store_session;

/* Insert u (its public_id, email, password_hash, created_at); sets u->id.
 * ORDO_ECONFLICT naming "email" when the email is a person's already. */
ordo_code store_user_insert(store_tx *tx, store_user *u, ordo_err *err);
/* The person of email; ORDO_ENOTFOUND naming "email". */
ordo_code store_user_by_email(store_tx *tx, const char *email, store_user *u,
			      ordo_err *err);
/* Give the person role in tenant (their role there until now, if any, is
 * replaced). */
ordo_code store_user_role_put(store_tx *tx, int64_t user, int64_t tenant,
			      const char *role, ordo_err *err);
/* The tenants the person serves (not disabled there), by tenant id (*out:
 * free()); at most ORDO_USER_TENANTS_MAX. */
ordo_code store_user_roles(store_tx *tx, int64_t user, store_user_role **out,
			   size_t *n, ordo_err *err);

/* A person as a tenant's admin sees them: their role there. */
typedef struct {
	int64_t user_id; /* the page's order */
	char public_id[ORDO_ID_MAX];
	char email[ORDO_EMAIL_MAX];
	char role[ORDO_ROLE_MAX];
	ordo_time created_at;  /* the person's */
	ordo_time disabled_at; /* in this tenant; 0: serves it */
} store_tenant_user;

/* The people of tenant, newest first, before user row before (0: from the
 * newest), at most limit; *next the cursor of the next page (0: none). */
ordo_code store_tenant_users(store_tx *tx, int64_t tenant, int64_t before,
			     int limit, store_tenant_user **out, size_t *n,
			     int64_t *next, ordo_err *err);
/* The person of public id id, if they have a role in tenant (disabled or
 * not); ORDO_ENOTFOUND naming "id". */
ordo_code store_tenant_user_get(store_tx *tx, int64_t tenant, const char *id,
				store_tenant_user *u, ordo_err *err);
/* Set the person's role in tenant, disabled there since disabled_at (0:
 * not disabled). */
ordo_code store_user_role_set(store_tx *tx, int64_t user, int64_t tenant,
			      const char *role, ordo_time disabled_at,
			      ordo_err *err);

ordo_code store_session_insert(store_tx *tx, const store_session *s,
			       ordo_err *err);
/* The session of the hash and its person; ORDO_ENOTFOUND naming
 * "session". */
ordo_code store_session_get(store_tx *tx, const char *token_hash,
			    store_session *s, store_user *u, ordo_err *err);
ordo_code store_session_delete(store_tx *tx, const char *token_hash,
			       ordo_err *err);
/* Note the session seen at now, unless it was less than
 * STORE_KEY_USED_GRAIN_S before. */
ordo_code store_session_seen(store_tx *tx, const char *token_hash,
			     ordo_time now, ordo_err *err);
/* The person's sessions, oldest first (*out: free()). */
ordo_code store_sessions_of_user(store_tx *tx, int64_t user,
				 store_session **out, size_t *n,
				 ordo_err *err);

/* The count of failed logins under name ("email:...", "address:...");
 * 0 and 0 when there is none. */
ordo_code store_login_failures_get(store_tx *tx, const char *name,
				   int64_t *failures, ordo_time *last,
				   ordo_err *err);
/* Keep the count (0 failures: forget it). */
ordo_code store_login_failures_put(store_tx *tx, const char *name,
				   int64_t failures, ordo_time last,
				   ordo_err *err);
/* Forget sessions made before sessions_before and counts last failed
 * before failures_before; *purged += the rows deleted. */
ordo_code store_people_purge(store_tx *tx, ordo_time sessions_before,
			     ordo_time failures_before, int64_t *purged,
			     ordo_err *err);

/* ---- the audit log (sql_audit.c) -------------------------------------- */

/* A change to a tenant's: who, when, from where, what, and its detail
 * (JSON: {"before", "after"}). */
typedef struct {
	int64_t seq;
	ordo_time at;
	char actor[ORDO_ACTOR_MAX];
	char address[64];
	char kind[48];	  /* "key.revoked", "settings.changed", ... */
	char target[ORDO_ID_MAX + ORDO_EMAIL_MAX]; /* what it is about */
	char *detail;	  /* owned (store_audit_free); "{}" when none */
} store_audit;

ordo_code store_audit_insert(store_tx *tx, int64_t tenant,
			     const store_audit *a, ordo_err *err);

/* Which rows of the log: of kind and of actor ("": any), at or after from
 * and before to (0: no bound; the rows from the first at or after from to
 * the last before to, in the log's order), before row before (0: from the
 * newest), at most limit. */
typedef struct {
	char kind[48];
	char actor[ORDO_ACTOR_MAX];
	ordo_time from, to;
	int64_t before;
	int limit;
} store_audit_filter;

/* A page of the tenant's log, newest first (*out: store_audit_free); *next
 * the cursor of the next page, 0: none. */
ordo_code store_audit_list(store_tx *tx, int64_t tenant,
			   const store_audit_filter *f, store_audit **out,
			   size_t *n, int64_t *next, ordo_err *err);
void store_audit_free(store_audit *items, size_t n);

/* ---- catalog: SKUs, locations, stock ----------------------------------- */

/* Insert or replace by (tenant, sku). */
ordo_code store_sku_put(store_tx *tx, int64_t tenant, const catalog_sku *s,
			ordo_err *err);
ordo_code store_sku_get(store_tx *tx, int64_t tenant, const char *sku,
			catalog_sku *s, ordo_err *err);

/* Pages are ordered by key ascending; `after` is the last key of the previous
 * page ("" for the first); limit is 1..STORE_LIST_MAX, which is one more than
 * a page so that a caller can ask for a page and one row to learn whether
 * another page follows. *out is malloc'd; free() it. */
ordo_code store_sku_list(store_tx *tx, int64_t tenant, const char *after,
			 int limit, catalog_sku **out, size_t *n, ordo_err *err);

ordo_code store_location_put(store_tx *tx, int64_t tenant,
			     const catalog_location *l, ordo_err *err);
ordo_code store_location_get(store_tx *tx, int64_t tenant, const char *code,
			     catalog_location *l, ordo_err *err);
ordo_code store_location_list(store_tx *tx, int64_t tenant, const char *after,
			      int limit, catalog_location **out, size_t *n,
			      ordo_err *err);

/*
 * Set the counted on_hand of (location, sku); reserved and safety stock are
 * kept (a new row starts with both zero). ORDO_ENOTFOUND names "location" or
 * "sku" when either is unknown to the tenant. On success *level holds the row
 * as stored.
 */
ordo_code store_stock_set(store_tx *tx, int64_t tenant, const char *location,
			  const char *sku, int64_t on_hand, ordo_time now,
			  stock_level *level, ordo_err *err);
ordo_code store_stock_get(store_tx *tx, int64_t tenant, const char *location,
			  const char *sku, stock_level *level, ordo_err *err);

/* ---- orders ------------------------------------------------------------ */

/*
 * Insert a new order with its lines and holds (ids already assigned by the
 * caller); sets o->seq. ORDO_ECONFLICT naming external_id if (tenant,
 * channel, external_id) exists, naming id if the order id does: from this
 * call, or, where the insert is deferred (db.h), as the job's failure,
 * which then also voids the seq set.
 */
ordo_code store_order_insert(store_tx *tx, order *o, ordo_err *err);

/* Write o's marks alone (core/metrics.h): what the rollups counted of a
 * stored order, when nothing else of it changed. */
ordo_code store_order_set_marks(store_tx *tx, const order *o, ordo_err *err);

/* Load an order with its lines and holds into o (order_init'ed by caller;
 * free with order_free). */
ordo_code store_order_get(store_tx *tx, int64_t tenant, const char *id,
			  order *o, ordo_err *err);

/* An order's seq (its store ordinal, unique in the database) by its id,
 * and the id of the tenant's order of a seq; ORDO_ENOTFOUND when the
 * tenant has none so. An X12 940 names an order by its seq
 * (x12_depositor_ref), which the warehouse's 945 names back. */
ordo_code store_order_seq(store_tx *tx, int64_t tenant, const char *id,
			  int64_t *seq, ordo_err *err);
ordo_code store_order_id_by_seq(store_tx *tx, int64_t tenant, int64_t seq,
				char id_out[ORDO_ID_MAX], ordo_err *err);

/* The id of the order with this channel and external id, if any. */
ordo_code store_order_find_external(store_tx *tx, int64_t tenant,
				    const char *channel,
				    const char *external_id,
				    char id_out[ORDO_ID_MAX], ordo_err *err);

/*
 * Serialise writers that take the same name (within the tenant) until the
 * transaction ends: for checks that no unique key can express, such as
 * "no order with this content in the last day", when several nodes write
 * at once. A no-op where writes never overlap (SQLite).
 */
ordo_code store_lock_named(store_tx *tx, int64_t tenant, const char *name,
			   ordo_err *err);

/*
 * What intake looks up before it writes the new order o, in one statement
 * (on PostgreSQL one round trip where three were): the order taken before
 * with o's channel and external id; when by_content, the newest order with
 * o's fingerprint received at or after `since`; and o's customer's history
 * before o (store_customer_history with o->received_at and INT64_MAX).
 * It answers nothing itself: until the job inserts an order or ends,
 * store_order_find_external, store_order_find_fingerprint and
 * store_customer_history asked exactly the same answer from it, with no
 * statement of their own. Take any named locks the lookups need first.
 * Where the job said what it would look up (store_job.intake_keys), its
 * batch asked it at its start, and this sends nothing when asked that.
 */
ordo_code store_intake_lookup(store_tx *tx, const order *o, bool by_content,
			      ordo_time since, ordo_err *err);

/* The id of the most recently received order with this content fingerprint
 * received at or after `since`, if any. */
ordo_code store_order_find_fingerprint(store_tx *tx, int64_t tenant,
				       const char *fingerprint,
				       ordo_time since,
				       char id_out[ORDO_ID_MAX],
				       ordo_err *err);

/* Write the order's header state and updated_at (lines and holds are
 * written by their own functions). */
ordo_code store_order_set_state(store_tx *tx, int64_t tenant, const char *id,
				order_state state, ordo_time now,
				ordo_err *err);

typedef struct {
	bool has_state;
	order_state state;
	char channel[ORDO_CHANNEL_MAX];		/* "" = any */
	bool has_hold_type;			/* orders with an open hold of */
	hold_type hold_type;			/* this type */
	char external_id[ORDO_EXTERNAL_ID_MAX]; /* "" = any */
	ordo_time received_from;		/* inclusive; 0 = open */
	ordo_time received_to;			/* exclusive; 0 = open */
	int64_t before_seq;			/* cursor; 0 = first page */
	int limit;				/* 1..ORDO_PAGE_MAX */
	/* Orders matching every term (search_query_parse; n_terms 0 = no
	 * search). before_seq is then the next_before_seq of the page
	 * before, for the same terms. */
	search_query search;
	/* Only the orders this integration key created (order.created_key);
	 * with external_id and the cursor alone. 0 = anyone's. */
	int64_t created_key;
} order_filter;

typedef struct {
	order *orders; /* each with lines and holds loaded */
	size_t n;
	int64_t next_before_seq; /* 0 when this is the last page */
} order_page;

/*
 * Newest first (seq descending). With a search (f->search), the orders of
 * the tenant matching every term, narrowed by the other filters: those
 * whose external id, email, phone or tracking number is exactly the terms
 * first, then the others, each newest first; next_before_seq then carries
 * the tier with the seq, and is only good for the same terms. A page
 * reads the rows it returns, however many orders match.
 */
ordo_code store_order_list(store_tx *tx, int64_t tenant, const order_filter *f,
			   order_page *page, ordo_err *err);
void order_page_free(order_page *page);

/* ---- events (the order timeline) --------------------------------------- */

/* Append ev to the order's timeline (ev->seq is not set: the list reads
 * the seqs the store gave). */
ordo_code store_event_append(store_tx *tx, int64_t tenant,
			     const char *order_id, const order_event *ev,
			     ordo_err *err);

/* All events of one order, oldest first. ORDO_ENOTFOUND if the order is not
 * the tenant's. *out is malloc'd; free() it. */
ordo_code store_event_list(store_tx *tx, int64_t tenant, const char *order_id,
			   order_event **out, size_t *n, ordo_err *err);

/* ---- idempotency ------------------------------------------------------- */

typedef struct {
	char key[ORDO_IDEMPOTENCY_KEY_MAX];
	char request_hash[65]; /* hex SHA-256 of method, path and body */
	int status;	       /* the first response's status */
	char *body;	       /* the first response's body; owned */
	ordo_time created_at;
} store_idempotency;

ordo_code store_idempotency_get(store_tx *tx, int64_t tenant, const char *key,
				store_idempotency *rec, ordo_err *err);
/* Insert the key; or, when it is stored with status 0 (an answer still to
 * come) for the same request hash, set its status and body. Otherwise
 * ORDO_ECONFLICT (field "key"): the key is taken. */
ordo_code store_idempotency_put(store_tx *tx, int64_t tenant,
				const store_idempotency *rec, ordo_err *err);
void store_idempotency_free(store_idempotency *rec);

/*
 * Retention, any tenant: forget idempotency keys made before
 * idempotency_before, webhook deliveries delivered before
 * delivered_before, and outbox events older than that with no delivery
 * left. Failed and pending deliveries are kept (they can be sent again).
 * *purged counts the rows removed.
 */
ordo_code store_purge(store_tx *tx, ordo_time idempotency_before,
		      ordo_time delivered_before, int64_t *purged,
		      ordo_err *err);

/* ---- tenant settings --------------------------------------------------- */

/* The tenant's settings; defaults (settings_defaults) when none were saved. */
ordo_code store_settings_get(store_tx *tx, int64_t tenant, tenant_settings *s,
			     ordo_err *err);
/* Save all settings (insert or replace). */
ordo_code store_settings_put(store_tx *tx, int64_t tenant,
			     const tenant_settings *s, ordo_err *err);

/* ---- stock ------------------------------------------------------------- */

/*
 * Write a stock row as given (insert or replace by tenant, location, sku):
 * on_hand, reserved, safety_stock, updated_at. The caller read it in the
 * same write transaction and checked 0 <= reserved <= on_hand; the store
 * checks again (ORDO_ECONFLICT naming "on_hand" if not). On PostgreSQL,
 * store_stock_get inside a write transaction locks the row (FOR UPDATE) so
 * that read-modify-write is safe across nodes.
 */
ordo_code store_stock_put(store_tx *tx, int64_t tenant,
			  const stock_level *level, ordo_err *err);

/*
 * The running job sets stock to what it finds (a count, an adjustment
 * taking back what it no longer covers), not by changes to what it read:
 * it must read stock as committed, locked. On PostgreSQL a batch keeps its
 * stock changes for its end (store_job.stock_exact says why); there this
 * fails (ORDO_ECONFLICT) and the batch runs again with its stock locked
 * from its start, where it answers ORDO_OK, as it does on SQLite. A job
 * submitted with stock_exact set never meets the failure.
 */
ordo_code store_stock_exact(store_tx *tx, ordo_err *err);

/*
 * A job of the running write found too little of sku's stock for what it
 * needed (it left units waiting or held). On PostgreSQL, where a batch
 * keeps its stock changes for its end (store_job.stock_exact says why),
 * stock of that SKU freed or added by another transaction meanwhile runs
 * the batch again with its stock locked from its start, where the job
 * finds it. Nothing elsewhere.
 */
void store_stock_short(store_tx *tx, int64_t tenant, const char *sku);

/* Every location's row for one SKU, by location code. *out: free(). */
ordo_code store_stock_of_sku(store_tx *tx, int64_t tenant, const char *sku,
			     stock_level **out, size_t *n, ordo_err *err);

typedef struct {
	int64_t seq;
	char location[ORDO_LOCATION_CODE_MAX];
	char sku[ORDO_SKU_MAX];
	char type[16]; /* count, adjustment, reserve, unreserve, ship */
	int64_t delta_on_hand;
	int64_t delta_reserved;
	int64_t on_hand;  /* after */
	int64_t reserved; /* after */
	char reason[32];
	char note[ORDO_MESSAGE_MAX];
	char actor[ORDO_ACTOR_MAX];
	char order_id[ORDO_ID_MAX]; /* "" when not about an order */
	ordo_time at;
} stock_event;

/* Appends ev (its seq is the database's, read by the list). */
ordo_code store_stock_event_append(store_tx *tx, int64_t tenant,
				   const stock_event *ev, ordo_err *err);
/* Newest first; sku required, location "" = any; before_seq 0 = first
 * page. *next is the cursor of the next page or 0. *out: free(). */
ordo_code store_stock_event_list(store_tx *tx, int64_t tenant, const char *sku,
				 const char *location, int64_t before_seq,
				 int limit, stock_event **out, size_t *n,
				 int64_t *next, ordo_err *err);

/* Orders with units of sku still open, in a state that may take stock
 * (accepted, allocated, released, on_hold), oldest first. ids: free(). */
ordo_code store_orders_awaiting_sku(store_tx *tx, int64_t tenant,
				    const char *sku, int limit,
				    char (**ids)[ORDO_ID_MAX], size_t *n,
				    ordo_err *err);

/* ---- orders: whole-order update ---------------------------------------- */

/*
 * Write back an order read in the same transaction: header fields that
 * change after intake (state, updated_at, accepted_at, release_due_at,
 * released_at, delivered_at, closed_at), every line's quantities, and its
 * holds (new ones inserted, existing ones updated by id).
 */
ordo_code store_order_update(store_tx *tx, const order *o, ordo_err *err);

/*
 * Write back what a correction may change: customer, ship-to, bill-to,
 * shipping, totals, payment status, notes, fingerprint and customer key,
 * and each line's sku, title, quantity and unit price (with its
 * quantities). Holds, state and times go through store_order_update.
 */
ordo_code store_order_update_content(store_tx *tx, const order *o,
				     ordo_err *err);

typedef struct {
	int64_t tenant_id;
	char id[ORDO_ID_MAX];
} store_order_ref;

/* Delivered orders whose tenant's closing period has passed at `now`, any
 * tenant, oldest first. *out: free(). */
ordo_code store_orders_due_to_close(store_tx *tx, ordo_time now, int limit,
				    store_order_ref **out, size_t *n,
				    ordo_err *err);

/* ---- fulfillments and shipments ---------------------------------------- */

/* Insert f with its lines (id assigned by the caller). */
ordo_code store_fulfillment_insert(store_tx *tx, int64_t tenant,
				   const fulfillment *f, ordo_err *err);
/* Write back state, reject reason/message, released_at, updated_at and
 * every line's quantity and shipped (lines may have been added). */
ordo_code store_fulfillment_update(store_tx *tx, int64_t tenant,
				   const fulfillment *f, ordo_err *err);
/* f: zeroed or previously loaded; free with fulfillment_free. */
ordo_code store_fulfillment_get(store_tx *tx, int64_t tenant, const char *id,
				fulfillment *f, ordo_err *err);
/* An order's fulfillments, oldest first. Free each, then free(*out). */
ordo_code store_fulfillments_of_order(store_tx *tx, int64_t tenant,
				      const char *order_id, fulfillment **out,
				      size_t *n, ordo_err *err);

typedef struct {
	char location[ORDO_LOCATION_CODE_MAX]; /* "" = any */
	bool has_state;
	fulfillment_state state;
	int64_t before_seq; /* cursor; 0 = first page */
	int limit;	    /* 1..STORE_LIST_MAX */
} fulfillment_filter;

/* Newest first. Free each, then free(*out); *next: cursor or 0. */
ordo_code store_fulfillment_list(store_tx *tx, int64_t tenant,
				 const fulfillment_filter *f,
				 fulfillment **out, size_t *n, int64_t *next,
				 ordo_err *err);

ordo_code store_shipment_insert(store_tx *tx, int64_t tenant,
				const shipment *s, ordo_err *err);
ordo_code store_shipment_get(store_tx *tx, int64_t tenant, const char *id,
			     shipment *s, ordo_err *err);
ordo_code store_shipment_set_delivered(store_tx *tx, int64_t tenant,
				       const char *id, ordo_time at,
				       ordo_err *err);
/*
 * The fulfillments (each with its lines), shipments (each with its lines)
 * and defects of every order of a page of store_order_list, none loaded
 * yet, each order's as store_fulfillments_of_order, store_shipments_of_order
 * and store_defects_of_order give them: five statements, whatever the size
 * of the page. On failure some orders may have some loaded;
 * order_page_free frees them all.
 */
ordo_code store_order_page_fulfillment(store_tx *tx, int64_t tenant,
				       order_page *page, ordo_err *err);
/* An order's shipments, oldest first. Free each, then free(*out). */
ordo_code store_shipments_of_order(store_tx *tx, int64_t tenant,
				   const char *order_id, shipment **out,
				   size_t *n, ordo_err *err);

/* Every filter is exact; "" = any. An unknown order or fulfillment id
 * matches nothing. */
typedef struct {
	char order_id[ORDO_ID_MAX];
	char fulfillment_id[ORDO_ID_MAX];
	char location[ORDO_LOCATION_CODE_MAX];
	char carrier[ORDO_METHOD_MAX];
	char tracking_number[ORDO_EXTERNAL_ID_MAX];
	int64_t before_seq; /* cursor; 0 = first page */
	int limit;	    /* 1..STORE_LIST_MAX */
} shipment_filter;

/* Newest first, each with its lines; every combination of filters is
 * served by an index (migration 0005). Free each, then free(*out);
 * *next: cursor or 0. */
ordo_code store_shipment_list(store_tx *tx, int64_t tenant,
			      const shipment_filter *f, shipment **out,
			      size_t *n, int64_t *next, ordo_err *err);

/* ---- channels (sql_channels.c) ------------------------------------------ */

/*
 * Insert c (its id, kind, name, secret, base_url, currency, times and SKU
 * mapping) for the tenant; c->seq and c->tenant_id are set. A name the
 * tenant's channels have already is ORDO_ECONFLICT naming "name".
 */
ordo_code store_channel_insert(store_tx *tx, int64_t tenant, ordo_channel *c,
			       ordo_err *err);
/*
 * One channel with its SKU mapping into c (channel_init'ed or read
 * before; freed with channel_free). tenant 0 reads it by its id alone,
 * for what a channel sends with no API key (c->tenant_id says whose it
 * is); otherwise another tenant's channel is ORDO_ENOTFOUND naming "id",
 * as one that does not exist.
 */
ordo_code store_channel_get(store_tx *tx, int64_t tenant, const char *id,
			    ordo_channel *c, ordo_err *err);
/* The tenant's channel named name, with its mapping; ORDO_ENOTFOUND
 * naming "channel" when it has none so. */
ordo_code store_channel_by_name(store_tx *tx, int64_t tenant,
				const char *name, ordo_channel *c,
				ordo_err *err);
/* The tenant's channels by name, each with n_skus counted and skus NULL
 * (free *out with free()). */
ordo_code store_channel_list(store_tx *tx, int64_t tenant, ordo_channel **out,
			     size_t *n, ordo_err *err);
/* How many channels the tenant has (for ORDO_CHANNELS_MAX). */
ordo_code store_channel_count(store_tx *tx, int64_t tenant, int64_t *n,
			      ordo_err *err);
/*
 * Write c's name, secret, base_url, currency and updated_at over the
 * tenant's channel c->id (ORDO_ENOTFOUND naming "id" when it has none so),
 * and when skus, its SKU mapping too; c->seq is set.
 */
ordo_code store_channel_update(store_tx *tx, int64_t tenant, ordo_channel *c,
			       bool skus, ordo_err *err);
/* Delete the tenant's channel, its mapping and the interchanges it read.
 * Its orders keep their channel's name. ORDO_ENOTFOUND naming "id" for no
 * such channel. */
ordo_code store_channel_delete(store_tx *tx, int64_t tenant, const char *id,
			       ordo_err *err);
/*
 * The document an order came in (*body, malloc'd, NUL-terminated) and its
 * media type. ORDO_ENOTFOUND naming "id" for no such order of the tenant's,
 * naming "source" for one taken in before sources were kept.
 */
ordo_code store_order_source(store_tx *tx, int64_t tenant,
			     const char *order_id, char *type,
			     size_t type_size, char **body, ordo_err *err);

/*
 * An EDI interchange the channel has read before (its sender, ISA06, and
 * control number, ISA13): *ack is the 997 it was answered with (malloc'd),
 * NULL when it is new. store_x12_keep records one as read, with its 997;
 * the same one kept twice (two nodes at once) is ORDO_ECONFLICT.
 */
ordo_code store_x12_seen(store_tx *tx, int64_t channel_seq, const char *sender,
			 const char *control_number, char **ack, ordo_err *err);
ordo_code store_x12_keep(store_tx *tx, int64_t channel_seq, const char *sender,
			 const char *control_number, int64_t received_at,
			 const char *ack, ordo_err *err);

/* ---- changes and cancellations (sql_changes.c) ------------------------- */

/* The most a change's detail (its JSON) may take, with its NUL. */
#define STORE_CHANGE_DETAIL_MAX 8192
/* The fulfillments one change request asks, as "ful_a,ful_b". */
#define STORE_CHANGE_FULS_MAX 2048

/*
 * A change or cancellation asked of an order (migration 0019): what, why,
 * who asked and when, and how it ended - applied at once before release;
 * requested, then accepted, refused or expired after it.
 */
typedef struct {
	int64_t seq;
	int64_t tenant_id;
	char id[ORDO_ID_MAX]; /* "chg_..." */
	char order_id[ORDO_ID_MAX];
	char kind[24];
	char detail[STORE_CHANGE_DETAIL_MAX]; /* the change, as JSON */
	char summary[ORDO_MESSAGE_MAX];
	char reason[ORDO_MESSAGE_MAX];
	char state[16];
	char requested_by[ORDO_ACTOR_MAX];
	int64_t requested_at;
	int64_t due_at; /* a request's answer is due; 0 when applied */
	char decided_by[ORDO_ACTOR_MAX];
	int64_t decided_at; /* 0 while requested */
	char decision_reason[ORDO_MESSAGE_MAX];
	char fulfillments[STORE_CHANGE_FULS_MAX];
	char hold_id[ORDO_ID_MAX]; /* raised by a refusal or expiry */
} store_change;

ordo_code store_change_insert(store_tx *tx, int64_t tenant,
			      store_change *c, ordo_err *err);
/*
 * Record how the change ended (state, decided_by, decided_at,
 * decision_reason, hold_id) - only while it is still in state `from`:
 * otherwise ORDO_ECONFLICT naming "state" (someone decided it first).
 */
ordo_code store_change_decide(store_tx *tx, int64_t tenant,
			      const store_change *c, const char *from,
			      ordo_err *err);
/* One change of the tenant by id; ORDO_ENOTFOUND naming "id". */
ordo_code store_change_get(store_tx *tx, int64_t tenant, const char *id,
			   store_change *c, ordo_err *err);
/* The changes of an order, oldest first: at most STORE_CHANGES_MAX, the
 * most one order takes. */
#define STORE_CHANGES_MAX 200
ordo_code store_changes_of_order(store_tx *tx, int64_t tenant,
				 const char *order_id, store_change **out,
				 size_t *n, ordo_err *err);
/* The change request of the order still waiting for its answer, if any
 * (*found); how many changes the order has had. */
ordo_code store_change_waiting(store_tx *tx, int64_t tenant,
			       const char *order_id, store_change *c,
			       bool *found, ordo_err *err);
ordo_code store_changes_count(store_tx *tx, int64_t tenant,
			      const char *order_id, int64_t *n, ordo_err *err);
/* Requests of any tenant whose answer was due by now, oldest due first,
 * at most limit. */
ordo_code store_changes_due(store_tx *tx, int64_t now, int limit,
			    store_change **out, size_t *n, ordo_err *err);

/* A change request as its tenant's list shows it: with its order's
 * external id and customer's name, read by the join that names the
 * order's id. */
typedef struct {
	store_change change;
	char external_id[ORDO_EXTERNAL_ID_MAX];
	char customer_name[ORDO_NAME_MAX];
} store_change_request;

/*
 * The tenant's change requests waiting for an answer (state requested),
 * oldest due first (due_at, then seq), those after (after_due,
 * after_seq) alone (after_seq 0: from the first), at most limit
 * (1..ORDO_PAGE_MAX); *more when another page follows. *out: free().
 */
ordo_code store_change_requests(store_tx *tx, int64_t tenant,
				ordo_time after_due, int64_t after_seq,
				int limit, store_change_request **out,
				size_t *n, bool *more, ordo_err *err);

/* A return of an order (core/returns.h), its lines with it: written when
 * authorised (insert: r->seq set), then its course and lines as it is
 * received and refunded (update). */
ordo_code store_return_insert(store_tx *tx, int64_t tenant, order_return *r,
			      ordo_err *err);
ordo_code store_return_update(store_tx *tx, int64_t tenant,
			      const order_return *r, ordo_err *err);
/* One return of the tenant by id; ORDO_ENOTFOUND naming "id". */
ordo_code store_return_get(store_tx *tx, int64_t tenant, const char *id,
			   order_return *r, ordo_err *err);
/* The returns of an order, oldest first, at most STORE_RETURNS_MAX
 * (*out: free()). */
#define STORE_RETURNS_MAX 50
ordo_code store_returns_count(store_tx *tx, int64_t tenant,
			      const char *order_id, int64_t *n, ordo_err *err);
ordo_code store_returns_of_order(store_tx *tx, int64_t tenant,
				 const char *order_id, order_return **out,
				 size_t *n, ordo_err *err);
/*
 * The tenant's returns, newest first, in state (NULL: any), before the
 * return of seq before_seq (0: from the newest), at most limit, each with
 * its lines (one statement for all of them); *next the cursor of the
 * page after (0: none). *out: free().
 */
ordo_code store_return_list(store_tx *tx, int64_t tenant, const char *state,
			    int64_t before_seq, int limit, order_return **out,
			    size_t *n, int64_t *next, ordo_err *err);

/* Add a line to a stored order (a change's add_line): the line as it is,
 * the order's other lines and its course written by store_order_update. */
ordo_code store_order_line_add(store_tx *tx, const order *o,
			       const order_line *l, ordo_err *err);

/* ---- SLA monitors and their alerts (sql_monitors.c) -------------------- */

/* The most monitors a tenant has. */
#define STORE_MONITORS_MAX 20
/* The longest monitor id, with its NUL. */
#define STORE_MONITOR_ID_MAX 41

/*
 * A tenant's SLA monitor (migration 0020): kind "state_age" (an order in
 * `state` for longer than after_s seconds) or "hold_overdue" (an open
 * hold, of hold_type or of any type when "", past its due time).
 */
typedef struct {
	int64_t seq; /* read: a monitor written anew has a new one */
	int64_t tenant_id;
	char id[STORE_MONITOR_ID_MAX];
	char kind[16];
	char state[16];
	int64_t after_s;
	char hold_type[24];
	int64_t created_at;
	/* How far the sweep has looked: what came due after it is new
	 * (store_monitor_due). Not written by store_monitors_put. */
	int64_t swept_to;
} store_monitor;

/* Replace the tenant's monitors with m[0..n-1]; every sweep starts over. */
ordo_code store_monitors_put(store_tx *tx, int64_t tenant,
			     const store_monitor *m, size_t n, ordo_err *err);
/* The tenant's monitors by id (*out: free()). */
ordo_code store_monitors_of(store_tx *tx, int64_t tenant, store_monitor **out,
			    size_t *n, ordo_err *err);
/* Every tenant's monitors after seq after_seq, by seq, at most limit
 * (*out: free()). */
ordo_code store_monitors_all(store_tx *tx, int64_t after_seq, int limit,
			     store_monitor **out, size_t *n, ordo_err *err);

/* What a monitor finds due: the order (and the hold) and since when the
 * condition has held (the order's state_since, the hold's due time). */
typedef struct {
	int64_t order_seq;
	char order_id[ORDO_ID_MAX];
	char order_state[16];
	int64_t since;
	char hold_id[ORDO_ID_MAX];
	char hold_type[24];
} store_due;

/*
 * What monitor m finds due by now that came due after its swept_to and
 * that it has no open alert of, earliest first, at most limit.
 */
ordo_code store_monitor_due(store_tx *tx, const store_monitor *m,
			    ordo_time now, int limit, store_due **out,
			    size_t *n, ordo_err *err);
/* Record how far monitor seq has looked (never back); *still false when
 * it is gone (removed, or written anew). */
ordo_code store_monitor_swept(store_tx *tx, int64_t seq, int64_t swept_to,
			      bool *still, ordo_err *err);

/*
 * An alert a monitor raised about an order (and a hold): open while
 * cleared_at is 0. store_alerts_open reads with each what tells whether
 * it still holds (the now_* members; "" when the monitor or the hold is
 * gone).
 */
typedef struct {
	int64_t seq;
	int64_t tenant_id;
	char id[ORDO_ID_MAX]; /* "alr_..." */
	char order_id[ORDO_ID_MAX];
	char monitor_id[STORE_MONITOR_ID_MAX];
	char kind[16];
	char hold_id[ORDO_ID_MAX];
	int64_t since;
	char message[ORDO_MESSAGE_MAX];
	int64_t raised_at;
	int64_t cleared_at;
	char now_order_state[16];
	int64_t now_state_since;
	char now_hold_status[16];
	int64_t now_hold_due_at;
	char now_monitor_kind[16];
	char now_monitor_state[16];
	char now_monitor_hold_type[24];
	char now_hold_type[24];
	int64_t now_monitor_after_s;
} store_alert;

/* Raise a: *raised false (nothing written) when the monitor has an open
 * alert of the same order and hold already (another node raised it). */
ordo_code store_alert_insert(store_tx *tx, int64_t tenant, int64_t order_seq,
			     store_alert *a, bool *raised, ordo_err *err);
/* Clear the open alert of a's monitor, order and hold raised with
 * another `since` (an earlier stay in the state), if any: *cleared, and
 * what it was into *old. */
ordo_code store_alert_clear_stale(store_tx *tx, const store_alert *a,
				  int64_t order_seq, ordo_time now,
				  store_alert *old, bool *cleared,
				  ordo_err *err);
/* Open alerts of every tenant after after_seq, by seq, at most limit. */
ordo_code store_alerts_open(store_tx *tx, int64_t after_seq, int limit,
			    store_alert **out, size_t *n, ordo_err *err);
/* Clear an open alert; *cleared false when it was cleared already. */
ordo_code store_alert_clear(store_tx *tx, int64_t tenant, const char *id,
			    ordo_time now, bool *cleared, ordo_err *err);
/* A page of the tenant's alerts, newest first: status "open", "cleared"
 * or "" for all; before_seq the cursor (0: the first page). */
ordo_code store_alert_list(store_tx *tx, int64_t tenant, const char *status,
			   int64_t before_seq, int limit, store_alert **out,
			   size_t *n, int64_t *next, ordo_err *err);

/* ---- metric rollups (sql_rollups.c) ------------------------------------- */

/*
 * METRIC ROLLUPS. The metrics are read from counts kept as the work happens
 * (migration 0021), never from the orders themselves: a write counts what
 * it did (store_tally: one more order received, one more released within
 * so many ms, ...) in the hour and the day of `at`, under a scope ("" the
 * tenant, "channel:<name>"), a metric, a key (a hold type, a rule, an
 * agent, or "") and a bin (a duration's, core/metrics.h, else 0); and what
 * stands changes a gauge (store_gauge_add: an open order in a state, by
 * the hour it was received; an open alert). Both are kept in the
 * transaction and written at the batch's end (store_int.h). A range's
 * counts read back summed (store_rollups_sum), however long the range, in
 * as many rows as it has metrics, keys and bins.
 */
#define STORE_ROLLUP_ROWS_MAX 100000

typedef struct {
	int64_t bucket; /* series and gauges: the bucket's start, the minute */
	char metric[64]; /* a gauge's name, for gauges */
	char key[ORDO_ACTOR_MAX];
	int bin;
	int64_t n;
} store_rollup;

ordo_code store_tally(store_tx *tx, int64_t tenant, const char *scope,
		      const char *metric, const char *key, int64_t at, int bin,
		      int64_t n, ordo_err *err);
ordo_code store_gauge_add(store_tx *tx, int64_t tenant, const char *gauge,
			  int64_t hour, int64_t n, ordo_err *err);
/* The counts of buckets [from, to) of grain 'h' or 'd', summed by metric,
 * key and bin (*out: free()). */
ordo_code store_rollups_sum(store_tx *tx, int64_t tenant, char grain,
			    const char *scope, int64_t from, int64_t to,
			    store_rollup **out, size_t *n, ordo_err *err);
/* The counts of two metrics (the same twice for one) in buckets
 * [from, to), by bucket, oldest first. */
ordo_code store_rollups_series(store_tx *tx, int64_t tenant, char grain,
			       const char *scope, const char *const metrics[2],
			       int64_t from, int64_t to, store_rollup **out,
			       size_t *n, ordo_err *err);
/* The tenant's gauges whose names begin with prefix and that are not 0,
 * by name and hour (bucket). */
ordo_code store_gauges_read(store_tx *tx, int64_t tenant, const char *prefix,
			    store_rollup **out, size_t *n, ordo_err *err);
/*
 * Holds raised and resolved since the store was opened, by tenant and
 * type, as committed (taken from each batch's rollups once its commit
 * stood): /metrics's counters. The first STORE_HOLD_COUNT_TENANTS tenants
 * seen have a row each; the others share one of tenant_id 0. *n rows.
 */
#define STORE_HOLD_COUNT_TENANTS 64
typedef struct {
	int64_t tenant_id;
	int64_t raised[HOLD_TYPE_COUNT];
	int64_t resolved[HOLD_TYPE_COUNT];
} store_hold_counts;
void store_hold_counts_get(store *st, store_hold_counts *out, size_t *n);

/* Orders taken in since the store was opened, as committed, by tenant and
 * channel (by any way in: the API, a store's webhook, a CSV import, an
 * X12 interchange): the first STORE_INTAKE_CHANNELS channels of a tenant
 * seen are named, the others add up in `other`; tenants as in
 * store_hold_counts. */
#define STORE_INTAKE_CHANNELS 16
typedef struct {
	int64_t tenant_id;
	size_t n;
	char channel[STORE_INTAKE_CHANNELS][ORDO_CHANNEL_MAX];
	int64_t orders[STORE_INTAKE_CHANNELS];
	int64_t other;
} store_intake_counts;
void store_intake_counts_get(store *st, store_intake_counts *out, size_t *n);

/* One gauge's rows (not 0) of hours [from, to), oldest first. */
ordo_code store_gauge_hours(store_tx *tx, int64_t tenant, const char *gauge,
			    int64_t from, int64_t to, store_rollup **out,
			    size_t *n, ordo_err *err);

/* Remove the gauges' rows counted down to 0 (every tenant's). */
ordo_code store_gauges_purge(store_tx *tx, int64_t *purged, ordo_err *err);

/* ---- imports (sql_imports.c) -------------------------------------------- */

/* An order file taken in (migration 0015). */
typedef struct {
	int64_t seq;
	char id[ORDO_ID_MAX]; /* "imp_..." */
	char channel[ORDO_CHANNEL_MAX];
	char file_name[ORDO_IMPORT_NAME_MAX];
	char state[16]; /* running, done, failed */
	int64_t rows_total, orders_total;
	/* Orders dealt with so far: taken, found taken already (the same
	 * channel and external id), refused (a bad row, or intake said no). */
	int64_t orders_done, orders_taken, orders_existing, orders_refused;
	int64_t rows_refused;
	char message[ORDO_MESSAGE_MAX]; /* why it failed, or "" */
	int64_t created_at, updated_at, finished_at;
} store_import;

/* A row an import did not take. */
typedef struct {
	int64_t n;    /* 1, 2, ... in the order found */
	int64_t line; /* in the file; 0 for the file as a whole */
	char column[ORDO_CSV_COLUMN_MAX]; /* as the file names it, or "" */
	char external_id[ORDO_EXTERNAL_ID_MAX];
	char reason[ORDO_MESSAGE_MAX];
} import_problem;

/* Insert im (id ... finished_at) for the tenant; im->seq is set. */
ordo_code store_import_insert(store_tx *tx, int64_t tenant, store_import *im,
			      ordo_err *err);
/* Write im's course (state, its counts, message, updated_at,
 * finished_at) over the tenant's import im->id. */
ordo_code store_import_update(store_tx *tx, int64_t tenant,
			      const store_import *im, ordo_err *err);
/* Add n rows not taken to the import of seq import_seq. */
ordo_code store_import_problems_add(store_tx *tx, int64_t import_seq,
				    const import_problem *p, size_t n,
				    ordo_err *err);
/* One import; ORDO_ENOTFOUND naming "id" when the tenant has none so. */
ordo_code store_import_get(store_tx *tx, int64_t tenant, const char *id,
			   store_import *im, ordo_err *err);
/* The tenant's imports, newest first, limit a page, from before_seq (0:
 * the newest); *next is the cursor of the next page, or 0. */
ordo_code store_import_list(store_tx *tx, int64_t tenant, int64_t before_seq,
			    int limit, store_import **out, size_t *n,
			    int64_t *next, ordo_err *err);
/* Up to limit rows not taken of an import, in order, after the after_n'th
 * (free *out with free()). */
ordo_code store_import_problems(store_tx *tx, int64_t import_seq,
				int64_t after_n, int limit,
				import_problem **out, size_t *n, ordo_err *err);

/* ---- webhooks and the outbox ------------------------------------------- */

typedef struct {
	char id[ORDO_ID_MAX];
	char url[STORE_URL_MAX];
	char secret[STORE_SECRET_MAX];
	/* Comma-separated event types, in the order given, each named once;
	 * stored as rows of webhook_events (migration 0007). */
	char events[STORE_EVENTS_MAX];
	char location[ORDO_LOCATION_CODE_MAX]; /* "" = any */
	ordo_time created_at;
	/* A channel's own webhook (migration 0018): the channel it belongs
	 * to and the protocol its events are sent in (the channel's kind);
	 * "" and "" for the tenant's webhooks. It subscribes to no event
	 * type: store_outbox_emit_to hands it the events of its channel's
	 * orders. The webhook API lists it and may resume it, but neither
	 * counts it (store_webhook_count) nor deletes it: the channel's
	 * base_url and api_token make, change and end it. */
	char channel[ORDO_CHANNEL_MAX];
	char protocol[16];
	/* The secret it had before its last rotation, signing beside the
	 * new one until previous_until (migration 0029); "" and 0: none. */
	char previous_secret[STORE_SECRET_MAX];
	ordo_time previous_until;
	/* How sending to it goes (written by the outbox, not by callers):
	 * paused after failing too long; the consecutive failed attempts,
	 * since when, and what the last one was told; the earliest time
	 * anyone may next send to it (a lease, a backoff or an idle pause). */
	bool paused;
	ordo_time paused_at;
	int failures;
	ordo_time failing_since;
	char last_error[ORDO_MESSAGE_MAX];
	ordo_time next_attempt_at;
} webhook_sub;

ordo_code store_webhook_insert(store_tx *tx, int64_t tenant,
			       const webhook_sub *w, ordo_err *err);
/* Give the tenant's webhook id (not a channel's) the secret secret, its
 * secret until now signing beside it until previous_until; ORDO_ENOTFOUND
 * naming "id". */
ordo_code store_webhook_rotate(store_tx *tx, int64_t tenant, const char *id,
			       const char *secret, ordo_time previous_until,
			       ordo_err *err);
/* Oldest first. *out: free(). */
ordo_code store_webhook_list(store_tx *tx, int64_t tenant, webhook_sub **out,
			     size_t *n, ordo_err *err);
/* One webhook; ORDO_ENOTFOUND naming "id" when the tenant has none so. */
ordo_code store_webhook_get(store_tx *tx, int64_t tenant, const char *id,
			    webhook_sub *w, ordo_err *err);
/* How many webhooks the tenant has of its own, its channels' left out
 * (for ORDO_WEBHOOKS_MAX). */
ordo_code store_webhook_count(store_tx *tx, int64_t tenant, int64_t *n,
			      ordo_err *err);
/* Its pending deliveries are marked failed ("the webhook was deleted"). */
ordo_code store_webhook_delete(store_tx *tx, int64_t tenant, const char *id,
			       ordo_err *err);
/* Active again, due at `now`, its failures forgotten; its pending
 * deliveries go out as they were. ORDO_ENOTFOUND for no such webhook. */
/*
 * An idle webhook (its last claim found nothing to send) is made due at
 * `now`: called for each delivery made ready for it (store_outbox_emit does
 * so itself), so that a webhook waits for no poll. A webhook that is backing
 * off, leased to a sender or paused keeps its time.
 */
ordo_code store_webhook_wake(store_tx *tx, int64_t tenant, const char *id,
			     ordo_time now, ordo_err *err);

ordo_code store_webhook_resume(store_tx *tx, int64_t tenant, const char *id,
			       ordo_time now, ordo_err *err);

/* A channel's own webhook (webhook_sub.channel), *found false when the
 * channel has none. */
ordo_code store_channel_hook_get(store_tx *tx, int64_t tenant,
				 const char *channel, webhook_sub *w,
				 bool *found, ordo_err *err);
/* Its url, secret, location and event types set to w's (matched by
 * tenant and id; an x12 channel's hears fulfillment.released at its
 * location as any webhook of that location would), and sent to
 * anew at `now`, as a resumed webhook is: a changed token is tried at
 * once on what waited. Made with store_webhook_insert; ended with
 * store_webhook_delete. */
ordo_code store_channel_hook_set(store_tx *tx, int64_t tenant,
				 const webhook_sub *w, ordo_time now,
				 ordo_err *err);


typedef struct {
	char id[ORDO_ID_MAX]; /* "evt_..." */
	char type[32];
	char order_id[ORDO_ID_MAX]; /* ordering key; "" for none */
	char location[ORDO_LOCATION_CODE_MAX]; /* fulfillment events */
	char *payload;	/* the JSON body to deliver; owned by the caller */
	ordo_time created_at;
} outbox_event;

/*
 * Record ev and, in the same transaction, one pending delivery to each of
 * the tenant's webhooks subscribed to ev->type (and, for a webhook tied to
 * a location, only for events of that location). retry_window_s bounds how
 * long each delivery is retried. *n_deliveries says how many were made.
 * An event no webhook hears of is not recorded: nothing would ever read
 * it (a webhook created later hears of later events only).
 */
ordo_code store_outbox_emit(store_tx *tx, int64_t tenant,
			    const outbox_event *ev, int64_t retry_window_s,
			    size_t *n_deliveries, ordo_err *err);
/* The same, leaving out the webhook named skip_webhook (the one an event
 * is about, such as webhook.paused). */
ordo_code store_outbox_emit_except(store_tx *tx, int64_t tenant,
				   const outbox_event *ev,
				   int64_t retry_window_s,
				   const char *skip_webhook,
				   size_t *n_deliveries, ordo_err *err);
/* Record ev with one pending delivery, to the webhook webhook_id alone
 * (a channel's own, which subscribes to nothing), waiting behind an
 * earlier pending one of its order as any delivery does. */
ordo_code store_outbox_emit_to(store_tx *tx, int64_t tenant,
			       const outbox_event *ev, int64_t retry_window_s,
			       const char *webhook_id, ordo_err *err);
/* Would an event of this type (about this location, "" for none) reach
 * any webhook but skip_webhook (NULL or "" for none)? Asked before an
 * event's payload is made: an event no webhook hears of is never stored
 * (store_outbox_emit stores nothing then), so it need not be encoded. */
ordo_code store_outbox_subscribed(store_tx *tx, int64_t tenant,
				  const char *type, const char *location,
				  const char *skip_webhook, bool *any,
				  ordo_err *err);

typedef enum {
	DELIVERY_PENDING,
	DELIVERY_DELIVERED,
	DELIVERY_FAILED,
} delivery_status;

const char *delivery_status_name(delivery_status s);
int delivery_status_parse(const char *name, delivery_status *out);

typedef struct {
	int64_t seq;
	char id[ORDO_ID_MAX]; /* "dlv_..." */
	int64_t tenant_id;
	char webhook_id[ORDO_ID_MAX];
	char event_id[ORDO_ID_MAX];
	char event_type[32];
	char order_id[ORDO_ID_MAX];
	delivery_status status;
	int attempts;
	int last_status; /* HTTP status of the last attempt; 0 = none */
	char last_error[ORDO_MESSAGE_MAX];
	ordo_time next_attempt_at;
	ordo_time retry_until;
	ordo_time claimed_until;
	ordo_time delivered_at;
	ordo_time created_at;
	/* filled by store_outbox_claim, for sending */
	char url[STORE_URL_MAX];
	char secret[STORE_SECRET_MAX];
	char previous_secret[STORE_SECRET_MAX]; /* signs too until: */
	ordo_time previous_until;
	char *payload; /* owned; store_delivery_free */
} delivery;

void store_delivery_free(delivery *d);

/*
 * THE OUTBOX'S OWN TRANSACTIONS. The outbox claims and records on a
 * connection of its own, in short transactions of its own, never as jobs
 * of the committer: order writes do not wait behind webhook bookkeeping.
 * store_outbox_run runs fn in one such transaction (BEGIN IMMEDIATE on a
 * second SQLite connection, BEGIN on a second PostgreSQL connection) and
 * commits it when fn answers ORDO_OK, else rolls it back. One runs at a
 * time per store; each is O(its batch).
 */
ordo_code store_outbox_run(store *st, store_job_fn fn, void *arg,
			   ordo_err *err);

/*
 * The work the database has done so far in tx's transaction, in rows read
 * (PostgreSQL: tuples read by scans and fetched through indexes, from
 * pg_stat_xact_user_tables) or virtual machine steps (SQLite). A measure
 * that grows with the rows a statement examines, to prove a claim's cost
 * does not grow with the backlog (tests, /metrics).
 */
ordo_code store_tx_rows_read(store_tx *tx, int64_t *rows, ordo_err *err);

/*
 * How many statements have been run on tx's connection so far (a count
 * that only grows; take the difference around a call). For the tests that
 * prove a read runs a fixed number of statements, whatever its size.
 */
int64_t store_tx_statements(const store_tx *tx);
/* Likewise the waits for the database's answers (network round trips;
 * always 0 on SQLite), for the tests that prove a write waits few times. */
int64_t store_tx_round_trips(const store_tx *tx);

/*
 * The SQL text of one of the store's statements, named for the tests that
 * EXPLAIN it exactly as it is prepared ("?" placeholders); NULL for a name
 * the store does not know. Names: "webhooks_for_event", the
 * statements that read the children of a page of orders: "page_lines",
 * "page_holds", "page_fulfillments", "page_fulfillment_lines",
 * "page_shipments", "page_shipment_lines", "page_defects", and the lists
 * of change requests and returns: "change_requests", "return_list",
 * "return_list_state".
 */
const char *store_statement_sql(const char *name);

/*
 * The SQL text of statement number id (sql_int.h numbers them: the fixed
 * ones from 0 up to SQL_COUNT, then the assembled ones, one per
 * combination of filters of the order list, the review queue and the
 * shipment list, then the inserts of 2 to SQL_ROWS_MAX rows of each kind
 * of ROWS IN ONE STATEMENT), from whichever store file holds it: a fixed text as it
 * is, an assembled one written into buf (size bytes). NULL for a number
 * whose text the driver holds (its named locks, its table lookup) or that
 * no statement has, and for an assembled text that does not fit. It exists
 * for the store test that EXPLAINs every statement the store prepares
 * (tests/store/test_plans.c) and is no way to run SQL.
 */
const char *store_statement_text(unsigned id, char *buf, size_t size);

/*
 * The planner's settings of every PostgreSQL session the store opens, as
 * SQL ("SET ...; SET ..."), for the store test that plans its statements
 * as its sessions do (tests/store/test_plans.c).
 */
const char *store_pg_planner_settings(void);

/* One webhook claimed, with the ready deliveries to send to it. */
typedef struct {
	int64_t tenant_id;
	/* Its events are not read: a claim sends, it does not match. */
	webhook_sub hook;
	delivery *items; /* seq order; store_outbox_claim_free */
	size_t n;
	int64_t rows_read; /* the claim's work (store_tx_rows_read) */
} outbox_claim;

void store_outbox_claim_free(outbox_claim *c);

/*
 * Claim one webhook that is due (active, next_attempt_at <= now), any
 * tenant, the longest-waiting first (round robin over webhooks), with up
 * to limit of its ready deliveries (pending, not waiting behind an earlier
 * one of their order), in order, each with its payload, url and secret.
 * The webhook is leased (next_attempt_at = lease_until): nobody else sends
 * to it until the outcome is recorded or the lease runs out. A due
 * webhook with nothing ready is set to idle_until (or left due at now, on
 * PostgreSQL, while an emit that wakes it has yet to commit) and the next
 * one looked at, up to a few; c->n == 0 when none had work. Reads only
 * due webhooks and ready deliveries through indexes: the same cost
 * whatever the backlog of webhooks that back off. On PostgreSQL the
 * webhook row is taken FOR UPDATE SKIP LOCKED, so nodes claim different
 * webhooks.
 */
ordo_code store_outbox_claim(store_tx *tx, ordo_time now,
			     ordo_time lease_until, ordo_time idle_until,
			     int limit, outbox_claim *c, ordo_err *err);

/*
 * Write back how sending to a webhook went: failures, failing_since,
 * last_error, next_attempt_at, paused and paused_at of w (matched by
 * tenant and id). ORDO_ENOTFOUND when it was deleted meanwhile.
 */
ordo_code store_webhook_record(store_tx *tx, int64_t tenant,
			       const webhook_sub *w, ordo_err *err);

/* Write back status, attempts, last_status, last_error, next_attempt_at,
 * retry_until, delivered_at, and clear the claim; the delivery is ready
 * (not waiting). When it is no longer pending, the next pending delivery
 * of its webhook and order becomes ready. */
ordo_code store_delivery_update(store_tx *tx, const delivery *d,
				ordo_err *err);

ordo_code store_delivery_get(store_tx *tx, int64_t tenant, const char *id,
			     delivery *d, ordo_err *err);
/* Newest first; status filter optional. *out: free each, then free(). */
ordo_code store_delivery_list(store_tx *tx, int64_t tenant, bool has_status,
			      delivery_status status, int64_t before_seq,
			      int limit, delivery **out, size_t *n,
			      int64_t *next, ordo_err *err);


/* ---- holds and the review queue ----------------------------------------- */

/*
 * One hold by id, with the id of its order. Inside a write transaction on
 * a driver with row locks the hold row is locked (FOR UPDATE), so that of
 * many simultaneous claimers exactly one wins.
 */
ordo_code store_hold_get(store_tx *tx, int64_t tenant, const char *id,
			 order_hold *h, char order_id[ORDO_ID_MAX],
			 ordo_err *err);

/* Write back a hold's mutable fields: status, priority, due_at, assignee,
 * claimed_at, claimed_until, escalated, resolution, resolution_reason,
 * resolved_by, resolved_at. */
/*
 * A tenant's holds, resolved or not, of one rule (rule_id), else of one
 * type, else all, raised in [from, before_at), newest first; before_at and
 * before_id are the cursor (the last of the page before; INT64_MAX and
 * "" for the first). *more when another page follows.
 */
typedef struct {
	char rule_id[72];
	char type[32];
	int64_t from;
	int64_t before_at;
	char before_id[ORDO_ID_MAX];
	int limit;
} store_hold_filter;
typedef struct {
	order_hold hold;
	char order_id[ORDO_ID_MAX];
} store_hold_row;
ordo_code store_hold_history(store_tx *tx, int64_t tenant,
			     const store_hold_filter *f, store_hold_row **out,
			     size_t *n, bool *more, ordo_err *err);
ordo_code store_hold_update(store_tx *tx, int64_t tenant, const order_hold *h,
			    ordo_err *err);

typedef struct {
	bool has_type;
	hold_type type;
	int priority;			 /* 0 = any */
	char assignee[ORDO_ACTOR_MAX];	 /* "" = any; "-" = unclaimed */
	char channel[ORDO_CHANNEL_MAX];	 /* "" = any */
	int64_t min_age_s;		 /* created at least this long ago */
	bool has_escalated;
	bool escalated;
	ordo_time now;			 /* for age and live claims */
	/* cursor: the (due_at, seq) of the last item of the previous page */
	ordo_time after_due;
	int64_t after_seq; /* 0 = first page */
	int limit;	   /* 1..STORE_BULK_MAX */
} queue_filter;

typedef struct {
	int64_t seq; /* the hold's ordinal; with due_at, the cursor */
	order_hold hold;
	char order_id[ORDO_ID_MAX];
	char external_id[ORDO_EXTERNAL_ID_MAX];
	char channel[ORDO_CHANNEL_MAX];
	order_state order_state;
	ordo_money total;
	char currency[ORDO_CURRENCY_MAX];
	char customer_name[ORDO_NAME_MAX];
	ordo_time received_at;
} queue_item;

/*
 * Open holds, oldest-due first (due_at, then seq), with a summary of their
 * order. A claim counts for assignee filtering only while its lease is live
 * at f->now. *more says whether another page follows. *out: free().
 */
ordo_code store_queue_list(store_tx *tx, int64_t tenant, const queue_filter *f,
			   queue_item **out, size_t *n, bool *more,
			   ordo_err *err);

/* ---- review policy versions --------------------------------------------- */

typedef struct {
	int version;
	char *document; /* the policy as JSON text; owned */
	char created_by[ORDO_ACTOR_MAX];
	ordo_time created_at;
} policy_version;

void store_policy_version_free(policy_version *v);

/* The newest version: ORDO_ENOTFOUND when the tenant has none (the
 * built-in default applies). */
ordo_code store_policy_active(store_tx *tx, int64_t tenant,
			      policy_version *out, ordo_err *err);
/* Store v as the next version (v->version is set: the highest + 1). */
ordo_code store_policy_insert(store_tx *tx, int64_t tenant, policy_version *v,
			      ordo_err *err);
/* Every version, newest first. Free each, then free(*out). */
ordo_code store_policy_list(store_tx *tx, int64_t tenant,
			    policy_version **out, size_t *n, ordo_err *err);

/* ---- downstream defects ------------------------------------------------- */

/* order_defect: see core/order.h. */

/* ORDO_ENOTFOUND "order_id" if the order is not the tenant's. */
ordo_code store_defect_insert(store_tx *tx, int64_t tenant,
			      const order_defect *d, ordo_err *err);
/* Oldest first. *out: free(). */
ordo_code store_defects_of_order(store_tx *tx, int64_t tenant,
				 const char *order_id, order_defect **out,
				 size_t *n, ordo_err *err);
/* Newest first; type "" = any; from/to on created_at (0 = open); cursor by
 * seq. *out: free(); *next = cursor or 0. */
ordo_code store_defect_list(store_tx *tx, int64_t tenant, const char *type,
			    const char *rule_id, ordo_time from, ordo_time to,
			    int64_t before_seq, int limit, order_defect **out,
			    size_t *n, int64_t *next, ordo_err *err);

/* ---- what policies are judged on ---------------------------------------- */

/*
 * The customer's orders (by customer_key) that came before the moment
 * (before, before_seq) - received earlier, or in the same second with a
 * lower seq; INT64_MAX for an order not stored yet - and the downstream
 * defects on them reported by `before`: the history as it stood then. An
 * empty key has no history.
 */
ordo_code store_customer_history(store_tx *tx, int64_t tenant,
				 const char *customer_key, ordo_time before,
				 int64_t before_seq,
				 int64_t *orders, int64_t *defects,
				 ordo_err *err);

/* Mean seconds from first claim to resolution over holds resolved by a
 * person (claimed_at > 0 and resolution not "system"); *n how many. */
ordo_code store_handling_time(store_tx *tx, int64_t tenant, int64_t *mean_s,
			      int64_t *n, ordo_err *err);

/* Defects recorded against one order. */
ordo_code store_order_defect_count(store_tx *tx, int64_t tenant,
				   const char *order_id, int64_t *n,
				   ordo_err *err);

#endif
