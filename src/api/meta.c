/*
 * meta.c - the endpoints about the server itself: /healthz and the OpenAPI
 * document (compiled into the binary from docs/openapi.json).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "embedded.h"

extern const struct ordo_embedded docs_files[];
extern const size_t docs_files_count;

/* None of these endpoints reads a query parameter: any is refused. */
static const char *const no_query[] = {NULL};

enum MHD_Result api_health(api_request *r)
{
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	enum MHD_Result ret;

	if (!api_query_only(r, no_query, &ret))
		return ret;
	/* Healthy means the database answers a read. */
	if (app_health(r->srv->st, err) != ORDO_OK) {
		err->code = ORDO_EUNAVAILABLE;
		ret = api_reply_error(r, err);
	} else {
		ret = api_reply_json(r, MHD_HTTP_OK,
				     json_pack("{s:s}", "status", "ok"));
	}
	ordo_err_clear(err);
	return ret;
}

enum MHD_Result api_openapi(api_request *r)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	size_t i;

	if (!api_query_only(r, no_query, &ret))
		return ret;
	for (i = 0; i < docs_files_count; i++) {
		if (strcmp(docs_files[i].name, "openapi.json") != 0)
			continue;
		resp = MHD_create_response_from_buffer(
			docs_files[i].len, (void *)docs_files[i].data,
			MHD_RESPMEM_PERSISTENT);
		if (!resp)
			return api_reply_nomem(r);
		MHD_add_response_header(resp, "Content-Type",
					"application/json");
		ret = MHD_queue_response(r->conn, MHD_HTTP_OK, resp);
		MHD_destroy_response(resp);
		r->status = MHD_HTTP_OK;
		return ret;
	}
	return api_reply_fail(r, ORDO_ENOTFOUND, NULL,
			      "the OpenAPI document is not built in");
}

/*
 * Prometheus text metrics of the process. Nothing here is tenant data: only
 * how the server and its store are doing.
 */
enum MHD_Result api_metrics(api_request *r)
{
	store_commit_stats cs;
	struct MHD_Response *resp;
	enum MHD_Result ret;
	char text[3072];
	int len;

	if (!api_query_only(r, no_query, &ret))
		return ret;
	store_commit_stats_get(r->srv->st, &cs);
	len = snprintf(
		text, sizeof(text),
		"# HELP ordo_store_write_jobs_total Writes run by the "
		"committer.\n"
		"# TYPE ordo_store_write_jobs_total counter\n"
		"ordo_store_write_jobs_total %llu\n"
		"# HELP ordo_store_commits_total Transactions committed (one "
		"fsync each).\n"
		"# TYPE ordo_store_commits_total counter\n"
		"ordo_store_commits_total %llu\n"
		"# HELP ordo_store_write_statements_total Statements run by "
		"the committer's writes.\n"
		"# TYPE ordo_store_write_statements_total counter\n"
		"ordo_store_write_statements_total %llu\n"
		"# HELP ordo_store_write_round_trips_total Waits of the "
		"committers for the database's answers (0 on SQLite).\n"
		"# TYPE ordo_store_write_round_trips_total counter\n"
		"ordo_store_write_round_trips_total %llu\n"
		"# HELP ordo_store_write_retries_total Writes run again after "
		"losing a deadlock or a lock wait to another transaction.\n"
		"# TYPE ordo_store_write_retries_total counter\n"
		"ordo_store_write_retries_total %llu\n"
		"# HELP ordo_store_stock_reruns_total Batches run again with "
		"their stock locked from their start: stock taken or added "
		"by another transaction meanwhile, or set to a count.\n"
		"# TYPE ordo_store_stock_reruns_total counter\n"
		"ordo_store_stock_reruns_total %llu\n"
		"# HELP ordo_store_batch_reruns_total Batches run again, "
		"each write waiting at its end, after a write's deferred "
		"statement failed unseen.\n"
		"# TYPE ordo_store_batch_reruns_total counter\n"
		"ordo_store_batch_reruns_total %llu\n"
		"# HELP ordo_store_commit_batch_max Most writes committed "
		"together.\n"
		"# TYPE ordo_store_commit_batch_max gauge\n"
		"ordo_store_commit_batch_max %llu\n"
		"# HELP ordo_http_writes_in_flight Writes waiting for their "
		"commit.\n"
		"# TYPE ordo_http_writes_in_flight gauge\n"
		"ordo_http_writes_in_flight %d\n"
		"# HELP ordo_http_writes_queued Writes taken in and not yet "
		"answered (refused with 503 past --max-queued-writes).\n"
		"# TYPE ordo_http_writes_queued gauge\n"
		"ordo_http_writes_queued %d\n"
		"# HELP ordo_webhook_claims_total Claims of webhook work by "
		"the outbox.\n"
		"# TYPE ordo_webhook_claims_total counter\n"
		"ordo_webhook_claims_total %llu\n"
		"# HELP ordo_webhook_claim_rows_read Work of the last claim "
		"(rows read; SQLite: VM steps).\n"
		"# TYPE ordo_webhook_claim_rows_read gauge\n"
		"ordo_webhook_claim_rows_read %lld\n"
		"# HELP ordo_webhook_claim_rows_read_max Work of the costliest "
		"claim so far.\n"
		"# TYPE ordo_webhook_claim_rows_read_max gauge\n"
		"ordo_webhook_claim_rows_read_max %lld\n"
		"# HELP ordo_store_checkpoints_total Checkpoints run beside "
		"the committer (SQLite's WAL copied back).\n"
		"# TYPE ordo_store_checkpoints_total counter\n"
		"ordo_store_checkpoints_total %llu\n",
		(unsigned long long)cs.jobs, (unsigned long long)cs.commits,
		(unsigned long long)cs.write_statements,
		(unsigned long long)cs.write_round_trips,
		(unsigned long long)cs.retries,
		(unsigned long long)cs.stock_reruns,
		(unsigned long long)cs.batch_reruns,
		(unsigned long long)cs.max_batch,
		atomic_load(&r->srv->writes_in_flight),
		atomic_load(&r->srv->writes_queued),
		(unsigned long long)cs.outbox_claims,
		(long long)cs.outbox_claim_rows_last,
		(long long)cs.outbox_claim_rows_max,
		(unsigned long long)cs.checkpoints);
	if (len < 0 || (size_t)len >= sizeof(text))
		return MHD_NO;
	resp = MHD_create_response_from_buffer((size_t)len, text,
					       MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return api_reply_nomem(r);
	MHD_add_response_header(resp, "Content-Type",
				"text/plain; version=0.0.4");
	ret = MHD_queue_response(r->conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	r->status = MHD_HTTP_OK;
	return ret;
}
