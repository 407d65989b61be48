/*
 * imports.c - order files taken in.
 *
 * An import is recorded first (app_import_begin), then its file is read
 * (channels/csv.h) and each good order handed to the committer as an
 * intake command of its own: the same use case as POST /v1/orders. Up to
 * ORDO_IMPORT_IN_FLIGHT wait at once, in slots: the reader fills a free
 * slot and submits it; the committer's done callback only marks the slot
 * done; the reader, needing a slot or at the end, takes each done one's
 * outcome (taken, existing, refused with intake's reason) and frees it. So
 * the file never holds the write path: other requests' writes join the
 * same batches as the import's.
 *
 * What the import learns - its counts, the rows not taken - is recorded by
 * writes of its own: every ORDO_IMPORT_PROGRESS_ORDERS orders, whenever
 * IMPORT_PROBLEMS_KEPT rows not taken wait, and at its end. An import
 * stopped by a crash stays "running" with the counts of its last record;
 * importing the file again takes the orders it did not (the others are
 * found by their channel and external id).
 */
#include "app/imports.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/intake.h"
#include "core/clock.h"
#include "core/ids.h"

/* Rows not taken kept in memory before they are written. */
#define IMPORT_PROBLEMS_KEPT 256

struct slot {
	app_intake_cmd cmd; /* first: the command's done finds its slot */
	bool busy;	    /* submitted, its outcome not yet taken */
	bool done;	    /* the committer is done with it */
	int64_t line;	    /* the order's first row */
	size_t rows;
	struct run *run;
};

struct run {
	store *st;
	const app_caller *caller;
	const ordo_channel *ch;
	const ordo_clock *clock;
	store_import *im;
	const app_import_watch *watch;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct slot slots[ORDO_IMPORT_IN_FLIGHT];
	import_problem problems[IMPORT_PROBLEMS_KEPT];
	size_t n_problems;
	int64_t problems_total;
	int64_t since_record; /* orders dealt with since the last record */
	ordo_code failed;     /* a record that could not be written */
	ordo_err err;
};

/* ---- records ------------------------------------------------------------- */

struct record_job {
	const app_caller *caller;
	store_import *im;
	const import_problem *problems;
	size_t n_problems;
	bool insert;
};

static ordo_code record_run(store_tx *tx, void *arg, ordo_err *err)
{
	struct record_job *j = arg;
	ordo_code rc = j->insert
			       ? store_import_insert(tx, j->caller->tenant_id,
						     j->im, err)
			       : store_import_update(tx, j->caller->tenant_id,
						     j->im, err);

	if (rc == ORDO_OK && j->n_problems)
		rc = store_import_problems_add(tx, j->im->seq, j->problems,
					       j->n_problems, err);
	return rc;
}

ordo_code app_import_begin(store *st, const app_caller *c, const char *channel,
			   const char *file_name, ordo_time now,
			   store_import *im, ordo_err *err)
{
	struct record_job j = {.caller = c, .im = im, .insert = true};

	memset(im, 0, sizeof(*im));
	ordo_id_new("imp_", im->id);
	ordo_strlcpy(im->channel, channel, sizeof(im->channel));
	ordo_strlcpy(im->file_name, file_name ? file_name : "",
		     sizeof(im->file_name));
	snprintf(im->state, sizeof(im->state), "running");
	im->created_at = im->updated_at = now;
	return store_write(st, record_run, &j, err);
}

/* Write the import's counts and the rows not taken kept so far. */
static void record(struct run *r)
{
	struct record_job j = {.caller = r->caller,
			       .im = r->im,
			       .problems = r->problems,
			       .n_problems = r->n_problems};
	ordo_err err = ORDO_ERR_INIT;

	r->im->updated_at = ordo_clock_now(r->clock);
	if (store_write(r->st, record_run, &j, &err) != ORDO_OK &&
	    !r->failed) {
		r->failed = err.code;
		ordo_err_move(&r->err, &err);
	}
	ordo_err_clear(&err);
	r->n_problems = 0;
	r->since_record = 0;
	if (r->watch && r->watch->progress)
		r->watch->progress(r->watch->ctx, r->im);
}

static void problem_add(struct run *r, int64_t line, const char *column,
			const char *external_id, const char *reason)
{
	import_problem *p;

	if (r->n_problems == IMPORT_PROBLEMS_KEPT)
		record(r);
	p = &r->problems[r->n_problems++];
	memset(p, 0, sizeof(*p));
	p->n = ++r->problems_total;
	p->line = line;
	ordo_strlcpy(p->column, column ? column : "", sizeof(p->column));
	ordo_strlcpy(p->external_id, external_id ? external_id : "",
		     sizeof(p->external_id));
	ordo_strlcpy(p->reason, reason, sizeof(p->reason));
}

/* ---- the orders' slots --------------------------------------------------- */

static void slot_done(app_write *w)
{
	struct slot *s = (struct slot *)w;

	pthread_mutex_lock(&s->run->mu);
	s->done = true;
	pthread_cond_broadcast(&s->run->cv);
	pthread_mutex_unlock(&s->run->mu);
}

/* Take a done slot's outcome and free it (r->mu not held). */
static void harvest(struct run *r, struct slot *s)
{
	app_intake_cmd *c = &s->cmd;
	store_import *im = r->im;

	if (c->w.job.rc == ORDO_OK && c->outcome == INTAKE_CREATED) {
		im->orders_taken++;
	} else if (c->w.job.rc == ORDO_OK) {
		im->orders_existing++;
	} else {
		im->orders_refused++;
		im->rows_refused += (int64_t)s->rows;
		problem_add(r, s->line, "", c->order.external_id,
			    c->w.job.err.message[0] ? c->w.job.err.message
						    : "not taken");
	}
	im->orders_done++;
	r->since_record++;
	app_write_free(&c->w);
	s->busy = s->done = false;
	if (r->since_record >= ORDO_IMPORT_PROGRESS_ORDERS)
		record(r);
}

/* A free slot, taking the outcomes of done ones while waiting; NULL only
 * with all = true, once every slot is free. */
static struct slot *slot_free(struct run *r, bool all)
{
	for (;;) {
		struct slot *done = NULL, *free_slot = NULL;
		size_t i, busy = 0;

		pthread_mutex_lock(&r->mu);
		for (;;) {
			busy = 0;
			for (i = 0; i < ORDO_IMPORT_IN_FLIGHT; i++) {
				struct slot *s = &r->slots[i];

				if (s->busy && s->done && !done)
					done = s;
				if (!s->busy && !free_slot)
					free_slot = s;
				busy += s->busy;
			}
			if (done || (!all && free_slot) || (all && !busy))
				break;
			pthread_cond_wait(&r->cv, &r->mu);
		}
		pthread_mutex_unlock(&r->mu);
		if (done) {
			harvest(r, done);
			continue;
		}
		return all ? NULL : free_slot;
	}
}

static ordo_code on_order(void *ctx, order *o, const csv_rows *rows,
			  ordo_err *err)
{
	struct run *r = ctx;
	struct slot *s;
	size_t i;

	if (r->watch && r->watch->stop && atomic_load(r->watch->stop))
		return ordo_err_set(err, ORDO_EUNAVAILABLE, NULL,
				    "the import was stopped");
	/* The channel's own codes, as its mapping names them. */
	for (i = 0; i < o->n_lines; i++) {
		const char *sku = channel_sku_of(r->ch, o->lines[i].sku);

		if (sku)
			ordo_strlcpy(o->lines[i].sku, sku,
				     sizeof(o->lines[i].sku));
	}
	s = slot_free(r, false);
	app_intake_cmd_init(&s->cmd, r->caller, ordo_clock_now(r->clock));
	s->cmd.order = *o;
	order_init(o);
	s->line = rows->n ? rows->lines[0] : 0;
	s->rows = rows->n;
	s->run = r;
	s->busy = true;
	s->done = false;
	s->cmd.w.done = slot_done;
	s->cmd.w.done_arg = s;
	app_write_submit(r->st, &s->cmd.w);
	return ORDO_OK;
}

static void on_report(void *ctx, const csv_report *rep)
{
	struct run *r = ctx;
	store_import *im = r->im;

	if (rep->kind == CSV_REPORT_NOTE) {
		/* Said of the file as a whole, nothing refused. */
		if (!im->message[0])
			ordo_strlcpy(im->message, rep->message,
				     sizeof(im->message));
		return;
	}
	problem_add(r, rep->line, rep->column, rep->external_id,
		    rep->message);
}

ordo_code app_import_csv(store *st, const app_caller *c,
			 const ordo_channel *ch, const ordo_clock *clock,
			 store_import *im, const char *buf, size_t len,
			 const csv_map *map, const app_import_watch *watch,
			 ordo_err *err)
{
	struct run *r = calloc(1, sizeof(*r));
	csv_handler h = {.on_order = on_order, .on_report = on_report};
	csv_summary sum = {0};
	csv_map with = map ? *map : (csv_map){0};
	ordo_code rc;

	if (!r)
		return ordo_err_set(err, ORDO_ENOMEM, NULL, "out of memory");
	if (!map)
		csv_map_init(&with);
	/* The channel's currency for rows and maps that name none. */
	if (!with.currency[0] && ch && ch->currency[0])
		ordo_strlcpy(with.currency, ch->currency,
			     sizeof(with.currency));
	r->st = st;
	r->caller = c;
	r->ch = ch;
	r->clock = clock;
	r->im = im;
	r->watch = watch;
	r->err = (ordo_err)ORDO_ERR_INIT;
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cv, NULL);
	h.ctx = r;
	rc = csv_import(buf, len, &with, im->channel, &h, &sum, err);
	slot_free(r, true);
	im->rows_total = (int64_t)sum.rows;
	im->rows_refused += (int64_t)sum.rows_refused;
	im->orders_refused += (int64_t)sum.orders_refused;
	im->orders_done += (int64_t)sum.orders_refused;
	im->orders_total = im->orders_done;
	if (rc == ORDO_OK) {
		snprintf(im->state, sizeof(im->state), "done");
	} else {
		snprintf(im->state, sizeof(im->state), "failed");
		ordo_strlcpy(im->message, err->message, sizeof(im->message));
		if (rc == ORDO_EINVALID || rc == ORDO_ELIMIT) {
			/* The file refused as a whole: each reason, line 0. */
			size_t i;

			for (i = 0; i < err->n_details; i++)
				problem_add(r, 0, err->details[i].field, "",
					    err->details[i].message);
			if (!err->n_details)
				problem_add(r, 0, err->field, "",
					    err->message);
		}
	}
	im->finished_at = ordo_clock_now(clock);
	record(r);
	if (rc == ORDO_OK && r->failed) {
		rc = r->failed;
		ordo_err_move(err, &r->err);
	}
	ordo_err_clear(&r->err);
	pthread_cond_destroy(&r->cv);
	pthread_mutex_destroy(&r->mu);
	free(r);
	return rc;
}
