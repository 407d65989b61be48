/*
 * imports.c - order files over HTTP: POST /v1/imports takes a CSV file
 * (text/csv, up to CSV_MAX_FILE_BYTES) and answers 202 with the import as
 * soon as it is recorded; a thread of its own then takes the file's orders
 * in (app/imports.h), one write each, so that the import never holds the
 * write path, while GET /v1/imports/{id} shows how far it got and every
 * row it did not take. A server runs at most ORDO_IMPORTS_RUNNING imports
 * at once (each holds its file in memory); one more is 503. A stopping
 * server tells its imports to stop, and waits for them: each records
 * itself failed ("stopped"), its orders taken so far kept; the same file
 * imported again takes the rest.
 *
 * The orders' channel is ?channel=NAME, a csv channel of the tenant's
 * whose saved mapping (csv_map) reads the file, or "csv" and ordo's own
 * column names without one.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "app/channels.h"
#include "app/imports.h"
#include "channels/json_fields.h"
#include "log/log.h"

/* The orders' channel of an import that names none. */
#define IMPORT_DEFAULT_CHANNEL "csv"

json_t *api_import_json(const store_import *im, bool with_rows,
			const import_problem *p, size_t n, int64_t next)
{
	json_t *j = json_object(), *arr = json_array();
	size_t i;

	json_object_set_new(j, "id", json_string(im->id));
	json_object_set_new(j, "channel", json_string(im->channel));
	json_object_set_new(j, "file_name", json_string(im->file_name));
	json_object_set_new(j, "state", json_string(im->state));
	json_object_set_new(j, "rows", json_integer(im->rows_total));
	json_object_set_new(j, "orders", json_integer(im->orders_total));
	json_object_set_new(j, "orders_done", json_integer(im->orders_done));
	json_object_set_new(j, "orders_taken", json_integer(im->orders_taken));
	json_object_set_new(j, "orders_existing",
			    json_integer(im->orders_existing));
	json_object_set_new(j, "orders_refused",
			    json_integer(im->orders_refused));
	json_object_set_new(j, "rows_refused", json_integer(im->rows_refused));
	json_object_set_new(j, "message", json_string(im->message));
	json_object_set_new(j, "created_at", native_time_json(im->created_at));
	json_object_set_new(j, "updated_at", native_time_json(im->updated_at));
	json_object_set_new(j, "finished_at",
			    native_time_json(im->finished_at));
	if (!with_rows)
		return j;
	for (i = 0; i < n; i++)
		json_array_append_new(
			arr, json_pack("{s:I, s:I, s:s, s:s, s:s}", "n",
				       (json_int_t)p[i].n, "line",
				       (json_int_t)p[i].line, "column",
				       p[i].column, "external_id",
				       p[i].external_id, "reason",
				       p[i].reason));
	json_object_set_new(j, "rows_not_taken", arr);
	json_object_set_new(j, "next_cursor", api_cursor_json(next));
	return j;
}

/* ---- running one --------------------------------------------------------- */

struct import_run {
	struct api_server *srv;
	app_caller caller;
	char channel[ORDO_CHANNEL_MAX];
	char file_name[ORDO_IMPORT_NAME_MAX];
	ordo_channel ch; /* named by the query, or zeroed; owned */
	bool has_channel;
	csv_map map;
	char *body; /* owned */
	size_t len;
	ordo_time now;
	/* The handler waits for the import's record (begun). */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool begun;
	ordo_code rc;
	ordo_err err;
	store_import im;
};

static void *import_thread(void *arg)
{
	struct import_run *run = arg;
	struct api_server *srv = run->srv;
	app_import_watch watch = {.stop = &srv->stopping};
	ordo_err err = ORDO_ERR_INIT;
	/* What this thread keeps: the handler frees run once it has the
	 * import's record and has answered. */
	app_caller caller = run->caller;
	csv_map map = run->map;
	char *body = run->body;
	size_t len = run->len;
	ordo_channel ch = run->ch;
	bool has_channel = run->has_channel;
	store_import im;
	ordo_code rc;

	run->body = NULL;
	channel_init(&run->ch);
	rc = app_import_begin(srv->st, &caller, run->channel, run->file_name,
			      run->now, &im, &err);
	pthread_mutex_lock(&run->mu);
	run->rc = rc;
	run->im = im;
	ordo_err_copy(&run->err, &err);
	run->begun = true;
	pthread_cond_signal(&run->cv);
	pthread_mutex_unlock(&run->mu);
	if (rc == ORDO_OK) {
		rc = app_import_csv(srv->st, &caller,
				    has_channel ? &ch : NULL, srv->clock, &im,
				    body, len, &map, &watch, &err);
		if (rc != ORDO_OK)
			log_event("warn", "import ended without all its orders",
				  json_pack("{s:s, s:s, s:s}", "import", im.id,
					    "state", im.state, "reason",
					    err.message));
	}
	free(body);
	channel_free(&ch);
	ordo_err_clear(&err);
	atomic_fetch_sub(&srv->imports_running, 1);
	atomic_fetch_sub(&srv->writes_in_flight, 1);
	return NULL;
}

static enum MHD_Result reply_error(api_request *r, ordo_err *err)
{
	enum MHD_Result ret = api_reply_error(r, err);

	ordo_err_clear(err);
	return ret;
}

/* The channel named in the query into run (its name and mapping). */
static bool import_channel(api_request *r, struct import_run *run,
			   enum MHD_Result *ret)
{
	const char *name = api_query(r, "channel");
	ordo_err err = ORDO_ERR_INIT;
	ordo_channel *ch = &run->ch;

	csv_map_init(&run->map);
	snprintf(run->channel, sizeof(run->channel), "%s",
		 IMPORT_DEFAULT_CHANNEL);
	if (!name)
		return true;
	if (app_channel_by_name(r->srv->st, &r->caller, name, ch, &err) ==
		    ORDO_OK &&
	    ch->kind != CHANNEL_CSV)
		ordo_err_set(&err, ORDO_EINVALID, "channel",
			     "channel %s is a %s channel; a file is "
			     "imported through a csv one",
			     name, channel_kind_name(ch->kind));
	if (err.code == ORDO_OK && ch->csv_map[0])
		csv_map_parse(ch->csv_map, strlen(ch->csv_map), &run->map,
			      &err);
	snprintf(run->channel, sizeof(run->channel), "%s", ch->name);
	run->has_channel = true;
	if (err.code == ORDO_OK)
		return true;
	channel_free(ch);
	*ret = reply_error(r, &err);
	return false;
}

enum MHD_Result api_import_create(api_request *r)
{
	static const char *const query[] = {"channel", "file_name", NULL};
	const char *file_name = api_query(r, "file_name");
	struct import_run *run;
	enum MHD_Result ret;
	pthread_t thread;
	json_t *j;

	if (!api_query_only(r, query, &ret))
		return ret;
	if (!r->body_len)
		return api_reply_fail(r, ORDO_EINVALID, "body",
				      "send the file as the body (text/csv)");
	if (file_name && strlen(file_name) >= ORDO_IMPORT_NAME_MAX)
		return api_reply_fail(r, ORDO_EINVALID, "file_name",
				      "file_name is longer than %d "
				      "characters",
				      ORDO_IMPORT_NAME_MAX - 1);
	run = calloc(1, sizeof(*run));
	if (!run)
		return api_reply_nomem(r);
	run->err = (ordo_err)ORDO_ERR_INIT;
	if (!import_channel(r, run, &ret)) {
		free(run);
		return ret;
	}
	if (atomic_fetch_add(&r->srv->imports_running, 1) >=
	    ORDO_IMPORTS_RUNNING) {
		atomic_fetch_sub(&r->srv->imports_running, 1);
		channel_free(&run->ch);
		free(run);
		return api_reply_fail(r, ORDO_EUNAVAILABLE, NULL,
				      "%d imports are running, the most a "
				      "node runs at once; send it again "
				      "when one has ended",
				      ORDO_IMPORTS_RUNNING);
	}
	run->srv = r->srv;
	run->caller = r->caller;
	snprintf(run->file_name, sizeof(run->file_name), "%s",
		 file_name ? file_name : "");
	run->now = api_now(r);
	/* The thread takes the body over. */
	run->body = r->body;
	run->len = r->body_len;
	r->body = NULL;
	r->body_len = r->body_cap = 0;
	pthread_mutex_init(&run->mu, NULL);
	pthread_cond_init(&run->cv, NULL);
	/* Counted in flight until it ends: a stopping server waits for it. */
	atomic_fetch_add(&r->srv->writes_in_flight, 1);
	if (pthread_create(&thread, NULL, import_thread, run) != 0) {
		atomic_fetch_sub(&r->srv->writes_in_flight, 1);
		atomic_fetch_sub(&r->srv->imports_running, 1);
		channel_free(&run->ch);
		free(run->body);
		free(run);
		return api_reply_fail(r, ORDO_EUNAVAILABLE, NULL,
				      "could not start the import");
	}
	pthread_detach(thread);
	pthread_mutex_lock(&run->mu);
	while (!run->begun)
		pthread_cond_wait(&run->cv, &run->mu);
	pthread_mutex_unlock(&run->mu);
	if (run->rc != ORDO_OK) {
		ret = api_reply_error(r, &run->err);
	} else {
		j = api_import_json(&run->im, false, NULL, 0, 0);
		ret = api_reply_json(r, 202, j);
	}
	ordo_err_clear(&run->err);
	pthread_cond_destroy(&run->cv);
	pthread_mutex_destroy(&run->mu);
	free(run->body);
	free(run);
	return ret;
}

enum MHD_Result api_import_get(api_request *r)
{
	static const char *const query[] = {"limit", "cursor", NULL};
	const char *cursor = api_query(r, "cursor");
	ordo_err err = ORDO_ERR_INIT;
	import_problem *p = NULL;
	store_import im;
	enum MHD_Result ret;
	int64_t after = 0, next = 0;
	size_t n = 0;
	int limit;
	json_t *j;

	if (!api_query_only(r, query, &ret) || !api_query_limit(r, &limit, &ret))
		return ret;
	if (cursor && !api_parse_cursor(r, cursor, &after, &ret))
		return ret;
	if (app_import_problems(r->srv->st, &r->caller, r->params[0], after,
				limit + 1, &im, &p, &n, &err))
		return reply_error(r, &err);
	if (n > (size_t)limit) {
		n = (size_t)limit;
		next = p[n - 1].n;
	}
	j = api_import_json(&im, true, p, n, next);
	free(p);
	return api_reply_json(r, MHD_HTTP_OK, j);
}

enum MHD_Result api_import_list(api_request *r)
{
	static const char *const query[] = {"limit", "cursor", NULL};
	const char *cursor = api_query(r, "cursor");
	ordo_err err = ORDO_ERR_INIT;
	store_import *items = NULL;
	enum MHD_Result ret;
	int64_t before = 0, next = 0;
	size_t n = 0, i;
	int limit;
	json_t *arr, *j;

	if (!api_query_only(r, query, &ret) || !api_query_limit(r, &limit, &ret))
		return ret;
	if (cursor && !api_parse_cursor(r, cursor, &before, &ret))
		return ret;
	if (app_import_list(r->srv->st, &r->caller, before, limit, &items, &n,
			    &next, &err))
		return reply_error(r, &err);
	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(arr,
				      api_import_json(&items[i], false, NULL, 0, 0));
	free(items);
	j = json_pack("{s:o}", "imports", arr);
	json_object_set_new(j, "next_cursor", api_cursor_json(next));
	return api_reply_json(r, MHD_HTTP_OK, j);
}
