/*
 * app/write.h - a write: a use case handed to the store's committer.
 *
 * The committer thread is the scarcest resource ordo has, so a write's
 * transaction holds storage work only. A caller (the API, the CLI) decodes
 * and checks its input first, into a command: a struct of the use case's
 * own (declared in the area's header) whose first member is an app_write.
 * It submits the command; the committer runs the command's `run` inside
 * the batch's transaction; once the batch is durable (or failed) `done` is
 * called, and the caller encodes its answer from the command's outputs,
 * on its own thread. Nothing but `run` sees the transaction.
 *
 *     decode -> command -> app_write_submit -> [run in the batch] -> commit
 *            -> done -> encode the answer from the outputs
 *
 * A run may happen more than once (store.h: a job that lost a deadlock
 * runs again in a later batch), so `run` reads the command's inputs and
 * never changes them, and writes only its outputs, which `clear` empties
 * before every run.
 *
 * IDEMPOTENCY-KEY
 *
 * With a key, the write happens at most once per (tenant, key). The first
 * run stores the key with the request's hash in the same transaction as
 * the write's effects; the answer, encoded after the commit, is kept by a
 * second, small write (app_write_keep_answer) before it is sent. A retry
 * with the same key and request gets that answer back (replayed) and runs
 * nothing; a different request under the key is ORDO_EIDEMPOTENCY. A retry
 * that comes before the answer is kept (the first is still on its way) is
 * `pending`: it changed nothing, and the caller submits it again to wait
 * for the answer, up to ORDO_IDEMPOTENCY_WAIT_MS; a key whose answer was
 * never kept (the server stopped in between) is ORDO_ECONFLICT once it is
 * ORDO_IDEMPOTENCY_LOST_S old.
 * Failed writes store nothing, so a client may retry them with the key.
 */
#ifndef ORDO_APP_WRITE_H
#define ORDO_APP_WRITE_H

#include <stdbool.h>

#include "app/caller.h"
#include "store/store.h"

typedef struct app_write app_write;

typedef struct {
	const char *name; /* for logs: "order_intake", ... */
	/* The storage work (see above). */
	ordo_code (*run)(store_tx *tx, app_write *w, ordo_err *err);
	/* Free and zero the outputs; called before each run and by
	 * app_write_free. May be NULL when there are none to free. */
	void (*clear)(app_write *w);
	/* Free the inputs; may be NULL. */
	void (*free_input)(app_write *w);
	/* The SKUs whose stock the run will lock, from the inputs: up to max
	 * of them into skus, returning how many there are (store_job's
	 * stock_skus). NULL for a command that locks no stock. */
	size_t (*stock_skus)(const app_write *w, const char **skus,
			     size_t max);
	/* The run sets stock to what it finds (store_job's stock_exact). */
	bool stock_exact;
	/* What the run will look up before it takes a new order, and the
	 * named locks it takes for that, appended to keys (store_job's
	 * intake_keys; keys holds the tenant and any lock before them).
	 * NULL for a command that takes no new order. */
	bool (*intake_keys)(store_tx *tx, app_write *w,
			    store_intake_keys *keys);
} app_write_type;

struct app_write {
	const app_write_type *type;
	app_caller caller;
	ordo_time now; /* the time of the request, read at the edge */
	/* Idempotency-Key ("" for none) and the request's identity. */
	char idempotency_key[ORDO_IDEMPOTENCY_KEY_MAX];
	char request_hash[65];

	/* Called from the committer thread once the write is durable or has
	 * failed (job.rc, job.err): it must only hand over, not work. */
	void (*done)(app_write *w);
	void *done_arg;

	/* Results besides the command's outputs. */
	bool pending;	   /* the key's answer is still to come: nothing ran */
	bool replayed;	   /* the answer below is an earlier request's */
	int replay_status; /* and its status */
	char *replay_body; /* owned */

	store_job job; /* job.rc and job.err: how the write ended */
	/* The answer to keep for the key (app_write_keep_answer). */
	int keep_status;
	const char *keep_body;
};

/* Set up w as a command of type t for caller c at now (inputs and
 * outputs of the enclosing struct are the caller's to fill). */
void app_write_init(app_write *w, const app_write_type *t,
		    const app_caller *c, ordo_time now);

/* Hand w to the committer; w must stay valid until done is called. */
void app_write_submit(store *st, app_write *w);
/* The same once delay_ms have passed (a `pending` write asking again). */
void app_write_submit_after(store *st, app_write *w, int delay_ms);

/*
 * Keep the answer (status, body) of a keyed write that ran (not one that
 * was replayed), so that a retry gets it back; done is called again once
 * it is durable. body must stay valid until then. A failure is reported in
 * job.rc like the write's own.
 */
void app_write_keep_answer(store *st, app_write *w, int status,
			   const char *body);

/* The refusal of a retry whose key's answer was never kept. */
ordo_code app_write_lost_answer(const char *key, ordo_err *err);

/* Free the outputs, the inputs and the replayed answer (not w itself). */
void app_write_free(app_write *w);

/*
 * Run fn(tx, a copy of the size bytes at arg) in a write of its own that
 * the caller does not wait for, and whose failure it drops: for a note
 * that a later request makes again if this one is lost (when an API key or
 * a session was last used), never for what must be durable. Without
 * memory for the copy, nothing is written.
 */
void app_write_detached(store *st, store_job_fn fn, const void *arg,
			size_t size);

/* Forget what is past its retention (limits.h): idempotency keys after a
 * day, delivered webhooks after 30 days, sessions after their absolute
 * end, failed logins after a lock's length. */
ordo_code app_purge(store_tx *tx, ordo_time now, int64_t *purged,
		    ordo_err *err);

#endif
