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
 *
 * An EDI file's accepted 850s go through the same slots (struct pool),
 * one interchange at a time, before its 997 is built and kept.
 */
#include "app/imports.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/changes.h"
#include "app/channels.h"
#include "app/flow.h"
#include "app/intake.h"
#include "app/queries.h"
#include "channels/x12.h"
#include "core/clock.h"
#include "core/ids.h"
#include "core/strbuf.h"
#include "log/log.h"

/* Append ": " and s to dst (cut at a character's end when it must). */
static void reason_join(char *dst, size_t size, const char *s)
{
	size_t used = strlen(dst);

	if (used + 2 < size) {
		memcpy(dst + used, ": ", 3);
		ordo_strlcpy(dst + used + 2, s, size - used - 2);
	}
}

/* Rows not taken kept in memory before they are written. */
#define IMPORT_PROBLEMS_KEPT 256

struct pool;

struct slot {
	app_intake_cmd cmd; /* first: the command's done finds its slot */
	bool busy;	    /* submitted, its outcome not yet taken */
	bool done;	    /* the committer is done with it */
	int64_t line;	    /* the order's first row (0: none) */
	size_t rows;
	struct pool *pool;
};

/*
 * Intake commands in flight, at most ORDO_IMPORT_IN_FLIGHT at once: the
 * submitting thread fills a free slot and submits it; the committer's
 * done callback only marks it done; the submitting thread, needing a slot
 * or waiting for all, tells `harvest` each done one's outcome and frees
 * it. Orders of a file so join the committer's batches with everyone
 * else's writes, rather than one commit each.
 */
struct pool {
	store *st;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct slot slots[ORDO_IMPORT_IN_FLIGHT];
	void (*harvest)(void *ctx, const struct slot *s);
	void *ctx;
};

struct run {
	store *st;
	const app_caller *caller;
	const ordo_channel *ch;
	const ordo_clock *clock;
	store_import *im;
	const app_import_watch *watch;
	struct pool pool;
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

static void pool_init(struct pool *p, store *st,
		      void (*harvest)(void *ctx, const struct slot *s),
		      void *ctx)
{
	p->st = st;
	p->harvest = harvest;
	p->ctx = ctx;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
}

static void pool_destroy(struct pool *p)
{
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
}

static void slot_done(app_write *w)
{
	struct slot *s = (struct slot *)w;

	pthread_mutex_lock(&s->pool->mu);
	s->done = true;
	pthread_cond_broadcast(&s->pool->cv);
	pthread_mutex_unlock(&s->pool->mu);
}

/* A free slot, telling the outcomes of done ones while waiting; NULL only
 * with all = true, once every slot is free. */
static struct slot *slot_free(struct pool *p, bool all)
{
	for (;;) {
		struct slot *done = NULL, *free_slot = NULL;
		size_t i, busy = 0;

		pthread_mutex_lock(&p->mu);
		for (;;) {
			busy = 0;
			for (i = 0; i < ORDO_IMPORT_IN_FLIGHT; i++) {
				struct slot *s = &p->slots[i];

				if (s->busy && s->done && !done)
					done = s;
				if (!s->busy && !free_slot)
					free_slot = s;
				busy += s->busy;
			}
			if (done || (!all && free_slot) || (all && !busy))
				break;
			pthread_cond_wait(&p->cv, &p->mu);
		}
		pthread_mutex_unlock(&p->mu);
		if (done) {
			p->harvest(p->ctx, done);
			app_write_free(&done->cmd.w);
			done->busy = done->done = false;
			continue;
		}
		return all ? NULL : free_slot;
	}
}

/* Hand o (moved out: o is left empty) to the committer as an intake of
 * c's at now, in a free slot. */
static void pool_submit(struct pool *p, const app_caller *c, ordo_time now,
			order *o, int64_t line, size_t rows)
{
	struct slot *s = slot_free(p, false);

	app_intake_cmd_init(&s->cmd, c, now);
	s->cmd.order = *o;
	order_init(o);
	s->line = line;
	s->rows = rows;
	s->pool = p;
	s->busy = true;
	s->done = false;
	s->cmd.w.done = slot_done;
	s->cmd.w.done_arg = s;
	app_write_submit(p->st, &s->cmd.w);
}

/* An import's order done: counted, and its refusal recorded. */
static void harvest(void *ctx, const struct slot *s)
{
	struct run *r = ctx;
	const app_intake_cmd *c = &s->cmd;
	store_import *im = r->im;

	if (c->w.job.rc == ORDO_OK && c->outcome == INTAKE_CREATED) {
		im->orders_taken++;
	} else if (c->w.job.rc == ORDO_OK) {
		im->orders_existing++;
	} else {
		char reason[ORDO_MESSAGE_MAX];
		const ordo_err *e = &c->w.job.err;

		im->orders_refused++;
		im->rows_refused += (int64_t)s->rows;
		/* Intake's reason: its first problem, with its field. */
		if (e->n_details) {
			ordo_strlcpy(reason, e->details[0].field,
				     sizeof(reason));
			reason_join(reason, sizeof(reason),
				    e->details[0].message);
		} else {
			ordo_strlcpy(reason,
				     e->message[0] ? e->message : "not taken",
				     sizeof(reason));
		}
		problem_add(r, s->line, "", c->order.external_id, reason);
	}
	im->orders_done++;
	r->since_record++;
	if (r->since_record >= ORDO_IMPORT_PROGRESS_ORDERS)
		record(r);
}

static ordo_code on_order(void *ctx, order *o, const csv_rows *rows,
			  ordo_err *err)
{
	struct run *r = ctx;
	size_t i;

	if (r->watch && r->watch->stop && atomic_load(r->watch->stop))
		return ordo_err_set(err, ORDO_EUNAVAILABLE, NULL,
				    "the import was stopped");
	/* A file that gives no date: placed when it came to ordo. */
	if (!o->placed_at)
		o->placed_at = ordo_clock_now(r->clock);
	/* The channel's own codes, as its mapping names them. */
	for (i = 0; i < o->n_lines; i++) {
		const char *sku = channel_sku_of(r->ch, o->lines[i].sku);

		if (sku)
			ordo_strlcpy(o->lines[i].sku, sku,
				     sizeof(o->lines[i].sku));
	}
	pool_submit(&r->pool, r->caller, ordo_clock_now(r->clock), o,
		    rows->n ? rows->lines[0] : 0, rows->n);
	return ORDO_OK;
}

/* The file read whole: its size known, recorded before its orders. */
static void on_start(void *ctx, const csv_summary *sum)
{
	struct run *r = ctx;

	r->im->rows_total = (int64_t)sum->rows;
	r->im->orders_total = (int64_t)sum->orders;
	record(r);
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
	csv_handler h = {.on_order = on_order,
			 .on_report = on_report,
			 .on_start = on_start};
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
	pool_init(&r->pool, st, harvest, r);
	h.ctx = r;
	rc = csv_import(buf, len, &with, im->channel, &h, &sum, err);
	slot_free(&r->pool, true);
	im->rows_total = (int64_t)sum.rows;
	im->orders_total = (int64_t)sum.orders;
	im->rows_refused += (int64_t)sum.rows_refused;
	im->orders_refused += (int64_t)sum.orders_refused;
	im->orders_done += (int64_t)sum.orders_refused;
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
	pool_destroy(&r->pool);
	free(r);
	return rc;
}

/* ---- EDI X12 ------------------------------------------------------------- */

/* What the orders of one interchange came to. */
struct x12_tally {
	app_x12_result *res;
	size_t failed; /* intake could not take them (the store failed) */
};

static void x12_harvest(void *ctx, const struct slot *s)
{
	struct x12_tally *t = ctx;

	if (s->cmd.w.job.rc != ORDO_OK) {
		t->res->orders_refused++;
		t->failed++;
	} else if (s->cmd.outcome == INTAKE_CREATED) {
		t->res->orders_taken++;
	} else {
		t->res->orders_existing++;
	}
}

struct x12_keep {
	int64_t channel_seq;
	const char *sender, *control, *ack;
	ordo_time now;
};

static ordo_code x12_keep_run(store_tx *tx, void *arg, ordo_err *err)
{
	struct x12_keep *k = arg;

	return store_x12_keep(tx, k->channel_seq, k->sender, k->control,
			      k->now, k->ack, err);
}

struct x12_seen {
	int64_t channel_seq;
	const char *sender, *control;
	char *ack;
};

static ordo_code ack_append(app_x12_result *res, const char *ack, size_t len,
			    ordo_err *err)
{
	char *grown = realloc(res->ack, res->ack_len + len + 1);

	if (!grown)
		return ordo_err_set(err, ORDO_ENOMEM, NULL, "out of memory");
	memcpy(grown + res->ack_len, ack, len);
	res->ack_len += len;
	grown[res->ack_len] = '\0';
	res->ack = grown;
	return ORDO_OK;
}

/* Append the n bytes at t and the interchange's terminator (and a line
 * feed, unless the terminator is one) to b. */
static void seg_put(strbuf *b, const char *t, size_t n,
		    const x12_interchange *x)
{
	strbuf_put(b, t, n);
	strbuf_put(b, &x->segment_term, 1);
	if (x->segment_term != '\n')
		strbuf_put(b, "\n", 1);
}

/*
 * The source of set s's order: its interchange's ISA, its group's GS, its
 * own segments as the partner wrote them, and the trailers that close
 * them around this one set. Not the whole file: a file of thousands of
 * purchase orders would be stored again with each of them (and a byte a
 * rejected set holds would be stored with the others).
 */
char *app_x12_set_source(const x12_doc *d, size_t s)
{
	const x12_set *set = &d->sets[s];
	const x12_group *g = &d->groups[set->group];
	const x12_interchange *x = &d->interchanges[g->interchange];
	char sep = x->element_sep, trailer[64];
	strbuf b;
	size_t k;
	int n;

	strbuf_init(&b);
	seg_put(&b, d->text + d->segments[x->segment].offset,
		d->segments[x->segment].len, x);
	seg_put(&b, d->text + d->segments[g->segment].offset,
		d->segments[g->segment].len, x);
	for (k = set->first; k < set->end && k < d->n_segments; k++)
		seg_put(&b, d->text + d->segments[k].offset,
			d->segments[k].len, x);
	n = snprintf(trailer, sizeof(trailer), "GE%c1%c%s", sep, sep,
		     g->control);
	seg_put(&b, trailer, (size_t)n, x);
	n = snprintf(trailer, sizeof(trailer), "IEA%c1%c%s", sep, sep,
		     x->control);
	seg_put(&b, trailer, (size_t)n, x);
	if (b.failed) {
		strbuf_free(&b);
		return NULL;
	}
	return b.text;
}

/* A partner's 860, read, to ask of its order in a write. */
struct x12_change_job {
	const app_caller *caller;
	const ordo_channel *ch;
	const x12_po_change *change;
	ordo_time now;
	bool found; /* out: the order */
};

/* Record what the partner asked that was not taken on the order's
 * timeline. */
static ordo_code x12_change_run(store_tx *tx, void *arg, ordo_err *err)
{
	struct x12_change_job *j = arg;
	order_change *all = calloc(APP_CHANNEL_CHANGES_MAX, sizeof(*all));
	char id[ORDO_ID_MAX], not_applied[ORDO_MESSAGE_MAX];
	size_t n = 0;
	order o;
	ordo_code rc;

	j->found = false;
	if (!all)
		return ordo_err_set(err, ORDO_ENOMEM, NULL, "out of memory");
	order_init(&o);
	rc = store_order_find_external(tx, j->caller->tenant_id, j->ch->name,
				       j->change->po_number, id, err);
	if (rc == ORDO_ENOTFOUND) {
		ordo_err_clear(err);
		rc = ORDO_OK;
		goto out;
	}
	if (rc == ORDO_OK)
		rc = app_order_load(tx, j->caller->tenant_id, id, &o, err);
	if (rc)
		goto out;
	/* An integration key changes the orders it created alone: another's
	 * PO number is one it does not have. */
	if (!app_reaches_order(j->caller, &o))
		goto out;
	j->found = true;
	x12_changes_of(j->change, &o, j->ch, all, APP_CHANNEL_CHANGES_MAX,
		       &n, not_applied, sizeof(not_applied));
	rc = app_channel_ask_all(tx, j->caller, &o, all, n,
				 strcmp(j->change->purpose, "01") == 0
					 ? "cancelled by the partner's 860"
					 : "changed by the partner's 860",
				 not_applied, sizeof(not_applied), j->now, err);
	if (rc == ORDO_OK && not_applied[0]) {
		char message[ORDO_MESSAGE_MAX];

		snprintf(message, sizeof(message),
			 "%.30s's 860 for PO %.30s; not applied: %.150s",
			 o.channel, j->change->po_number, not_applied);
		rc = app_event(tx, &o, "channel_changed", o.state, o.state, "",
			       j->caller->actor, message, j->now, err);
	}
out:
	order_free(&o);
	free(all);
	return rc;
}

/* Ask what 860 set s of d asks of its order: one write. */
static ordo_code x12_take_change(store *st, const app_caller *c,
				 const ordo_channel *ch, const x12_doc *d,
				 size_t s, ordo_time now, app_x12_result *res,
				 ordo_err *err)
{
	x12_po_change change;
	struct x12_change_job j = {c, ch, &change, now, false};
	ordo_code rc = x12_set_change(d, s, &change, err);

	if (rc)
		return rc;
	rc = store_write(st, x12_change_run, &j, err);
	if (rc == ORDO_OK && j.found && !change.problem[0]) {
		res->changes_taken++;
	} else if (rc == ORDO_OK) {
		res->changes_refused++;
		log_event("warn", "purchase order change refused",
			  json_pack("{s:s, s:s, s:I, s:o}", "channel",
				    ch->name, "po", change.po_number,
				    "segment",
				    (json_int_t)d->sets[s].first + 1, "reason",
				    log_text(change.problem[0]
						     ? change.problem
						     : "ordo has no order of "
						       "this PO number")));
	}
	x12_po_change_free(&change);
	return rc;
}

/* Take the accepted 850s of interchange i of d; *accepted counts them,
 * *failed those intake could not take (a store that failed). */
static ordo_code x12_take_orders(store *st, const app_caller *c,
				 const ordo_channel *ch, const x12_doc *d,
				 size_t i, ordo_time now, app_x12_result *res,
				 size_t *accepted, size_t *failed,
				 ordo_err *err)
{
	const x12_interchange *x = &d->interchanges[i];
	struct x12_tally tally = {.res = res};
	struct pool *pool = calloc(1, sizeof(*pool));
	size_t g, s;
	ordo_code rc = ORDO_OK;

	if (!pool)
		return ordo_err_set(err, ORDO_ENOMEM, NULL, "out of memory");
	pool_init(pool, st, x12_harvest, &tally);
	for (g = x->first_group; rc == ORDO_OK && g < x->first_group + x->n_groups;
	     g++) {
		const x12_group *gr = &d->groups[g];

		for (s = gr->first_set;
		     rc == ORDO_OK && s < gr->first_set + gr->n_sets; s++) {
			ordo_err oerr = ORDO_ERR_INIT;
			order o;

			if (x12_set_is_change(d, s) && d->sets[s].accepted) {
				(*accepted)++;
				rc = x12_take_change(st, c, ch, d, s, now, res,
						     err);
				continue;
			}
			if (x12_set_is_notice(d, s) && d->sets[s].accepted) {
				size_t f = 0;

				(*accepted)++;
				rc = app_x12_ship_notices(st, c, ch, d, s, now,
							  res, &f, err);
				tally.failed += f;
				continue;
			}
			if (d->sets[s].kind != X12_SET_ORDER ||
			    !d->sets[s].accepted)
				continue;
			(*accepted)++;
			/* Anything but an original (BEG01 00) - a
			 * cancellation, a change, a replacement - asks to
			 * change an order the partner sent before: not a new
			 * order, and not one ordo takes from a partner yet. */
			if (strcmp(d->sets[s].purpose, "00") != 0) {
				res->orders_refused++;
				continue;
			}
			order_init(&o);
			if (x12_set_order(d, s, ch, &o, &oerr) == ORDO_OK) {
				free(o.source);
				o.source = app_x12_set_source(d, s);
				if (!o.source)
					rc = ordo_err_set(err, ORDO_ENOMEM,
							  NULL,
							  "out of memory");
			}
			if (rc == ORDO_OK && oerr.code == ORDO_OK)
				pool_submit(pool, c, now, &o, 0, o.n_lines);
			else if (rc == ORDO_OK)
				res->orders_refused++;
			ordo_err_clear(&oerr);
			order_free(&o);
		}
	}
	slot_free(pool, true);
	pool_destroy(pool);
	free(pool);
	*failed = tally.failed;
	return rc;
}

static ordo_code x12_seen_read(store *st, struct x12_seen *q, ordo_err *err)
{
	store_tx *tx;
	ordo_code rc = store_read_begin(st, &tx, err);

	if (rc == ORDO_OK) {
		rc = store_x12_seen(tx, q->channel_seq, q->sender, q->control,
				    &q->ack, err);
		store_read_end(tx);
	}
	return rc;
}

ordo_code app_x12_take(store *st, const app_caller *c, const ordo_channel *ch,
		       const ordo_clock *clock, const char *buf, size_t len,
		       app_x12_result *res, ordo_err *err)
{
	ordo_err rerr = ORDO_ERR_INIT;
	x12_doc d;
	ordo_code rc;
	size_t i;

	memset(res, 0, sizeof(*res));
	x12_doc_init(&d);
	rc = x12_read(buf, len, ch, &d, &rerr);
	if (rc == ORDO_ENOMEM || d.refused) {
		ordo_err_move(err, &rerr);
		x12_doc_free(&d);
		return rc;
	}
	rc = ORDO_OK;
	for (i = 0; rc == ORDO_OK && i < d.n_interchanges; i++) {
		const x12_interchange *x = &d.interchanges[i];
		ordo_time now = ordo_clock_now(clock);
		char sender[24];
		struct x12_seen seen = {.channel_seq = ch->seq,
					.sender = sender,
					.control = x->control};
		x12_reply_opts opts = {.now = now, .newline = true};
		char *ack = NULL;
		size_t ack_len = 0, accepted = 0, failed = 0;

		if (!x->readable)
			continue;
		snprintf(sender, sizeof(sender), "%s:%s", x->sender_qualifier,
			 x->sender);
		rc = x12_seen_read(st, &seen, err);
		if (rc == ORDO_OK && seen.ack) {
			rc = ack_append(res, seen.ack, strlen(seen.ack), err);
			free(seen.ack);
			res->interchanges_seen++;
			continue;
		}
		/* The reply's control numbers are those of the interchange
		 * it answers: unique as long as the partner's are, which
		 * this very check holds it to. */
		opts.interchange_control = strtoll(x->control, NULL, 10);
		if (opts.interchange_control < 1)
			opts.interchange_control = 1;
		opts.group_control = opts.interchange_control;
		if (rc == ORDO_OK)
			rc = x12_take_orders(st, c, ch, &d, i, now, res,
					     &accepted, &failed, err);
		if (rc == ORDO_OK)
			rc = x12_997_build(&d, i, &opts, &ack, &ack_len, err);
		/* Kept when it took something and lost nothing: an
		 * interchange the 997 rejected whole may come again,
		 * corrected or once the channel is (its currency), and one
		 * whose order intake could not take (the store failed) must
		 * be taken when it comes again; each is read again, its
		 * orders taken before found by their PO numbers. */
		if (rc == ORDO_OK && accepted && !failed) {
			struct x12_keep k = {ch->seq, sender, x->control, ack,
					     now};
			ordo_err kerr = ORDO_ERR_INIT;

			/* Kept by another node at the same moment: its
			 * orders were found by their PO numbers. */
			if (store_write(st, x12_keep_run, &k, &kerr) !=
				    ORDO_OK &&
			    kerr.code != ORDO_ECONFLICT) {
				rc = kerr.code;
				ordo_err_move(err, &kerr);
			}
			ordo_err_clear(&kerr);
		}
		if (rc == ORDO_OK) {
			rc = ack_append(res, ack, ack_len, err);
			res->interchanges++;
		}
		free(ack);
	}
	if (rc == ORDO_OK && !res->interchanges && !res->interchanges_seen) {
		/* No one to answer: the file's problems are the answer. */
		if (rerr.code != ORDO_OK)
			ordo_err_move(err, &rerr);
		else
			ordo_err_set(err, ORDO_EINVALID, "body",
				     "no interchange (ISA ... IEA) in it");
		rc = err->code;
	}
	ordo_err_clear(&rerr);
	x12_doc_free(&d);
	return rc;
}

/* The 855 of order o, whose source is the EDI file it came in: each line
 * as it stands, or none for an order rejected whole. */
static ordo_code build_855(const order *o, const char *source, ordo_time now,
			   char **out, size_t *out_len, ordo_err *err)
{
	x12_855_line *lines = NULL;
	size_t i, n = 0;
	ordo_code rc;

	if (o->state != ORDER_CANCELLED && o->state != ORDER_REJECTED) {
		lines = calloc(o->n_lines ? o->n_lines : 1, sizeof(*lines));
		if (!lines)
			return ordo_err_set(err, ORDO_ENOMEM, NULL,
					    "out of memory");
		for (i = 0; i < o->n_lines; i++)
			lines[i] = x12_line_answer_of(o->lines[i].quantity,
						      o->lines[i].qty_open,
						      o->lines[i].qty_cancelled);
		n = o->n_lines;
	}
	/* ordo's interchange: a number that moves on with time, so that an
	 * 855 made again (the order changed) is not taken by the partner
	 * for one it has seen. */
	rc = x12_855_of(source, o->external_id, o->id, lines, n, now, now,
			out, out_len, err);
	free(lines);
	return rc;
}

ordo_code app_order_855(store *st, const app_caller *c, const char *id,
			ordo_time now, char **out, size_t *out_len,
			ordo_err *err)
{
	char type[ORDO_SOURCE_TYPE_MAX], *source = NULL;
	order o;
	ordo_code rc;

	*out = NULL;
	*out_len = 0;
	order_init(&o);
	rc = app_order_get(st, c, id, &o, err);
	if (rc == ORDO_OK)
		rc = app_order_source(st, c, id, type, sizeof(type), &source,
				      err);
	if (rc == ORDO_ENOTFOUND && err->field[0] &&
	    strcmp(err->field, "source") == 0) {
		ordo_err_clear(err);
		rc = ordo_err_set(err, ORDO_ENOTFOUND, "id",
				  "order %s did not come in an 850", id);
	}
	if (rc == ORDO_OK && strcmp(type, "application/edi-x12") != 0)
		rc = ordo_err_set(err, ORDO_ENOTFOUND, "id",
				  "order %s came through channel %s, not in "
				  "an 850",
				  id, o.channel);
	if (rc == ORDO_OK &&
	    (o.state == ORDER_RECEIVED || o.state == ORDER_VALIDATED ||
	     o.state == ORDER_ON_HOLD))
		rc = ordo_err_set(err, ORDO_ESTATE, "state",
				  "order %s is %s: its acknowledgment is made "
				  "once it is accepted",
				  id, order_state_name(o.state));
	if (rc == ORDO_OK)
		rc = build_855(&o, source, now, out, out_len, err);
	free(source);
	order_free(&o);
	return rc;
}
