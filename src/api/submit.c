/*
 * submit.c - writes over HTTP: a command handed to the committer with its
 * connection suspended (and the bound on how many may wait), its
 * Idempotency-Key's identity, and its answer once durable: an error, a
 * replay, or the answer encoded from the command's outputs, kept first
 * for its key. server.c's handler calls api_finish_write when the
 * committer resumes the connection.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "channels/json_fields.h"
#include "channels/native_out.h"
#include "log/log.h"

/* A text answer (malloc'd, taken), fresh or replayed. */
static enum MHD_Result queue_text(api_request *r, unsigned status,
					   char *text, bool replayed)
{
	return api_queue_body(r, status, text, false, replayed);
}

bool api_path_id(api_request *r, const char *what, char *dst, size_t size,
		 enum MHD_Result *ret)
{
	if (ordo_strlcpy(dst, r->params[0], size) == 0)
		return true;
	*ret = api_reply_fail(r, ORDO_ENOTFOUND, "id", "no %s \"%.64s\"",
			      what, r->params[0]);
	return false;
}

enum MHD_Result api_submit_on_id(api_request *r, app_write *w, char *id,
				 size_t id_size, const char *what,
				 api_reply_fn reply)
{
	static const char *const no_query[] = {NULL};
	enum MHD_Result ret;

	if (!api_query_only(r, no_query, &ret) || !api_body_none(r, &ret) ||
	    !api_path_id(r, what, id, id_size, &ret)) {
		api_write_free(w);
		return ret;
	}
	return api_submit_write(r, w, reply, api_write_free);
}

void api_write_free(app_write *w)
{
	app_write_free(w);
	free(w);
}

char *api_answer_with_secret(char *body, const char *member,
			     const char *secret)
{
	json_t *j = json_loads(body, 0, NULL);
	char *out = NULL;

	/* Without memory for the secret there is no answer to give: an
	 * answer without it would lose the secret for good (NULL: the
	 * server says the write was done but its answer could not be
	 * made). */
	if (j && json_object_set_new(j, member, json_string(secret)) == 0)
		out = native_dump(j);
	json_decref(j);
	free(body);
	return out;
}

ordo_time api_now(const api_request *r)
{
	return ordo_clock_now(r->srv->clock);
}

/* Called by the committer once the write (or the keeping of its answer)
 * is durable or has failed: hand back to the connection's thread. */
static void write_done(app_write *w)
{
	api_request *r = w->done_arg;

	/* The request stays counted in flight (writes_in_flight) until its
	 * own thread has finished with the write (handle): it may submit
	 * again (an answer to keep, a key to ask about again), and the
	 * server must not stop in between. */
	atomic_store(&r->write_done, true);
	MHD_resume_connection(r->conn);
}

/*
 * The request's identity for Idempotency-Key: method, path (and, for an
 * integration key, which key asks) and the body's meaning. The body is parsed and written out again with sorted members and
 * no whitespace, so a retry that serialises the same document differently
 * (member order, spacing, escapes) is the same request. Numbers stay as
 * parsed: 1 and 1.0 are an integer and a real, two different documents. A
 * body that is not JSON (no write takes one past its handler) counts as its
 * bytes. Fills r->request_hash; false when out of memory.
 */
static bool request_identity(api_request *r, char out[65])
{
	char *canon = NULL, *hashed, who[32] = "";
	const char *body = r->body ? r->body : "";
	size_t blen = r->body_len, head, hlen;

	if (r->body_len > 0) {
		json_t *doc = json_loadb(r->body, r->body_len,
					 JSON_REJECT_DUPLICATES |
						 JSON_DECODE_ANY,
					 NULL);

		if (doc) {
			canon = native_dump_flags(doc, JSON_SORT_KEYS |
							       JSON_COMPACT |
							       JSON_ENCODE_ANY);
			json_decref(doc);
			if (!canon)
				return false;
			body = canon;
			blen = strlen(canon);
		}
	}
	/* An integration key's requests are its own (app_caller.scoped):
	 * another key using its Idempotency-Key is another request, never
	 * answered with its stored answer. */
	if (r->caller.scoped)
		snprintf(who, sizeof(who), "key %lld\n",
			 (long long)r->caller.key_id);
	head = strlen(r->method) + strlen(r->path) + 2 + strlen(who);
	hlen = head + blen;
	hashed = malloc(hlen + 1);
	if (!hashed) {
		free(canon);
		return false;
	}
	snprintf(hashed, hlen + 1, "%s %s\n%s", r->method, r->path, who);
	if (blen)
		memcpy(hashed + head, body, blen);
	ordo_sha256_hex(hashed, hlen, out);
	free(hashed);
	free(canon);
	return true;
}

enum MHD_Result api_submit_write(api_request *r, app_write *w,
				 api_reply_fn reply,
				 void (*free_cmd)(app_write *w))
{
	const char *key = MHD_lookup_connection_value(
		r->conn, MHD_HEADER_KIND, "Idempotency-Key");

	/* A key the handler set itself (a storefront's delivery id) when
	 * the request names none. */
	if (!key && w->idempotency_key[0])
		key = w->idempotency_key;

	r->write = w;
	r->write_free = free_cmd;
	r->reply = reply;
	if (key) {
		size_t klen = strlen(key);

		if (klen == 0 || klen >= sizeof(w->idempotency_key))
			return api_reply_fail(
				r, ORDO_EINVALID, "Idempotency-Key",
				"Idempotency-Key must be 1 to %zu characters",
				sizeof(w->idempotency_key) - 1);
		memmove(w->idempotency_key, key, klen + 1);
		if (!request_identity(r, w->request_hash))
			return api_reply_fail(r, ORDO_ENOMEM, NULL,
					      "out of memory");
	}
	/*
	 * A bounded queue: past max_queued_writes a write is refused at once
	 * (503, Retry-After) rather than held in memory behind the others.
	 * A request that submits again (keeping its answer, asking again
	 * about a key) was counted when it first came.
	 */
	if (!r->queued) {
		if (atomic_fetch_add(&r->srv->writes_queued, 1) >=
		    r->srv->max_queued_writes) {
			atomic_fetch_sub(&r->srv->writes_queued, 1);
			return api_reply_fail(
				r, ORDO_EUNAVAILABLE, NULL,
				"%d writes are waiting for the database, the "
				"most this node takes in (--max-queued-writes); "
				"send it again in a moment",
				r->srv->max_queued_writes);
		}
		r->queued = true;
	}
	w->done = write_done;
	w->done_arg = r;
	r->write_pending = true;
	/* Counted in flight since dispatch(); suspend before submitting, so
	 * that the resume cannot come first. */
	MHD_suspend_connection(r->conn);
	app_write_submit(r->srv->st, w);
	return MHD_YES;
}

/*
 * The answer of a write that was done but whose own answer could not be
 * made (memory ran out encoding it): never "try again later", since the
 * write is durable and doing it again would do it twice. Preformatted, so
 * saying it needs no memory; kept for an Idempotency-Key like any answer.
 */
static char answer_lost_body[] =
	"{\"error\":{\"code\":\"internal_error\",\"message\":\"the write "
	"was done, but its answer could not be made (out of memory): read "
	"what it changed rather than send it again\",\"details\":[]}}";

/* Send a write's own answer (not a replay): answer_fresh may add to it. */
static enum MHD_Result send_fresh(api_request *r, int status, char *text)
{
	if (r->answer_fresh)
		text = r->answer_fresh(r, text);
	if (!text)
		return api_queue_body(r, MHD_HTTP_INTERNAL_SERVER_ERROR,
				  answer_lost_body, true, false);
	return queue_text(r, (unsigned)status, text, false);
}

/*
 * The database refusing writes (ORDO_EUNAVAILABLE from the store: its disk
 * full or failing, on PostgreSQL out of reach) is logged when it starts,
 * "database_write_failed" with the first refusal's reason, and when a
 * write is stored again, "database_writes_resumed" with how many were
 * refused meanwhile; not once per write (the request lines are that).
 * Nothing is to be done for it to resume: the next write that the
 * database takes ends it.
 */
static void note_database(api_request *r, const app_write *w)
{
	struct api_server *srv = r->srv;

	if (w->job.rc == ORDO_EUNAVAILABLE && !atomic_load(&srv->stopping)) {
		atomic_fetch_add(&srv->writes_refused, 1);
		if (!atomic_exchange(&srv->writes_failing, true))
			log_event("error", "database_write_failed",
				  json_pack("{s:o}", "error",
					    log_text(w->job.err.message)));
	} else if (w->job.rc == ORDO_OK &&
		   atomic_load(&srv->writes_failing) &&
		   atomic_exchange(&srv->writes_failing, false)) {
		log_event("info", "database_writes_resumed",
			  json_pack("{s:I}", "writes_refused",
				    (json_int_t)atomic_exchange(
					    &srv->writes_refused, 0)));
	}
}

/*
 * On the connection's thread once the write is durable: answer its error,
 * its replayed answer, or encode its answer from the command's outputs -
 * kept first, in a second write, when it has an Idempotency-Key.
 */
enum MHD_Result api_finish_write(api_request *r)
{
	app_write *w = r->write;
	json_t *j;
	char *text;
	int status = 0;

	if (r->keeping) {
		/* The write is done whether or not its answer was kept: a
		 * retry then is refused rather than run twice (write.h). */
		if (w->job.rc != ORDO_OK) {
			json_t *f = json_object();

			json_object_set_new(f, "error",
					    log_text(w->job.err.message));
			log_event("warning", "answer_not_kept", f);
		}
		r->keeping = false;
		if (!r->answer)
			return api_queue_body(r, MHD_HTTP_INTERNAL_SERVER_ERROR,
					  answer_lost_body, true, false);
		text = r->answer;
		r->answer = NULL;
		return send_fresh(r, r->answer_status, text);
	}
	note_database(r, w);
	if (w->job.rc != ORDO_OK)
		return api_reply_error(r, &w->job.err);
	if (w->pending) {
		/* The key's first request is done, its answer on its way:
		 * ask again (each time in a later batch) until it is kept. */
		if (!r->pending_since_ms)
			r->pending_since_ms = api_now_ms();
		if (api_now_ms() - r->pending_since_ms > ORDO_IDEMPOTENCY_WAIT_MS) {
			ordo_err err = ORDO_ERR_INIT;
			enum MHD_Result ret;

			app_write_lost_answer(w->idempotency_key, &err);
			ret = api_reply_error(r, &err);
			ordo_err_clear(&err);
			return ret;
		}
		/* Each time a little later: the answer is a batch or two
		 * away, and asking holds up no other write meanwhile. */
		r->write_pending = true;
		atomic_store(&r->write_done, false);
		MHD_suspend_connection(r->conn);
		app_write_submit_after(r->srv->st, w,
				       r->pending_rounds < 5
					       ? 2 << r->pending_rounds++
					       : 50);
		return MHD_YES;
	}
	if (w->replayed) {
		text = w->replay_body;
		w->replay_body = NULL;
		return queue_text(r, (unsigned)w->replay_status, text, true);
	}
	j = r->reply(r, w, &status);
	if (j)
		text = native_dump(j);
	else
		text = status == MHD_HTTP_NO_CONTENT ? strdup("") : NULL;
	json_decref(j);
	if (!text && !w->idempotency_key[0])
		return api_queue_body(r, MHD_HTTP_INTERNAL_SERVER_ERROR,
				  answer_lost_body, true, false);
	if (!w->idempotency_key[0])
		return send_fresh(r, status, text);
	/* r->answer NULL: the answer could not be made; the one kept for
	 * the key says so. */
	r->answer = text;
	r->answer_status = text ? status : MHD_HTTP_INTERNAL_SERVER_ERROR;
	r->keeping = true;
	r->write_pending = true;
	atomic_store(&r->write_done, false);
	MHD_suspend_connection(r->conn);
	app_write_keep_answer(r->srv->st, w, r->answer_status,
			      text ? text : answer_lost_body);
	return MHD_YES;
}

