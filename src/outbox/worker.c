/*
 * worker.c - sending webhook deliveries, at least once, in order per order,
 * without one receiver slowing anyone else.
 *
 * THE SCHEDULE. The unit of work is a webhook, not a delivery. Each thread
 * loops:
 *
 *     claim    an outbox transaction (store_outbox_run: its own connection,
 *              never the committer's): the due webhook that waited longest
 *              (round robin) is leased - its next_attempt_at moved to the
 *              end of the lease, so no other thread or node sends to it -
 *              with up to `batch` of its ready deliveries
 *     send     POST each event's JSON with X-Ordo-Signature (signature.h),
 *              one at a time, each bounded by timeout_ms; a channel's own
 *              webhook instead makes the calls to the store's API that
 *              channels/calls.c plans of the event (send_store)
 *     record   an outbox transaction per delivery: 2xx -> delivered; the
 *              webhook then due again at once (it may have more)
 *
 * THE CIRCUIT BREAKER. Anything but a 2xx (a status, a timeout, a refused
 * connection, an address not allowed) fails the WEBHOOK - but a call a
 * store refuses as wrong in itself, or one ordo cannot make (SENT_REFUSED:
 * that delivery alone fails, at once) - : the rest of the
 * batch is left as it was, and the webhook backs off as a whole,
 * outbox_backoff_s(failures in a row) (1 s, 2 s, 4 s ... capped at 1 h).
 * A dead receiver so costs one attempt per backoff period, whatever its
 * backlog, and the claim never even reads a webhook that backs off. The
 * delivery attempted is failed once the next attempt would fall past its
 * retry_until, and the next one of its webhook goes next time.
 *
 * PAUSING. A webhook that has failed for OUTBOX_PAUSE_AFTER_S (a day) with no
 * success in between is paused: its deliveries are kept, pending; nothing
 * is sent to it until an admin resumes it (POST /v1/webhooks/{id}/resume);
 * a webhook.paused event goes to the tenant's other webhooks subscribed to
 * it, and a JSON line is logged.
 *
 * ORDER PER ORDER. The store hands out only ready deliveries: one that
 * has an earlier pending delivery of the same webhook and order waits, and
 * becomes ready when that one ends (store_delivery_update). So a receiver
 * sees each order's events in order even while it is down.
 *
 * SAFETY. A receiver must be on the internet: the address curl connects to
 * (after any DNS answer, so rebinding a name does not help) is checked in
 * the open-socket callback against netaddr_internal and the operator's
 * allow list. What is recorded of a failure is the receiver's status or a
 * short neutral reason, never curl's text with addresses and ports.
 *
 * STOPPING. Every wait checks the stop flag; a send in progress is aborted
 * by curl's progress callback within about a second, its lease left to run
 * out. A crash between send and record likewise leaves the lease to expire
 * and the delivery is sent again: at least once, never lost.
 */
#include "outbox/worker.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "app/flow.h"
#include "channels/calls.h"
#include "log/log.h"
#include "core/signature.h"
#include "core/timeutil.h"

/* A webhook with nothing to send is idle: an event for it wakes it at once
 * (store_webhook_wake, which also covers an emit in flight during the
 * claim), and OUTBOX_IDLE_S (core/limits.h) is only a safety net, after
 * which it is looked at again anyway. Idle webhooks thus cost a claim each
 * per that period, not per second. */

struct outbox_worker {
	store *st;
	outbox_options opts;
	pthread_t threads[OUTBOX_MAX_THREADS];
	int n_threads;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stopping;
	atomic_bool stop_flag; /* the same, for curl's callbacks */
};

/* ---- the rules -------------------------------------------------------- */

static netaddr_list rules_allow;
void outbox_rules_set(const netaddr_list *allow)
{
	if (allow)
		rules_allow = *allow;
	else
		memset(&rules_allow, 0, sizeof(rules_allow));
}

bool outbox_address_allowed(int family, const unsigned char *addr)
{
	return !netaddr_internal(family, addr) ||
	       netaddr_list_match(&rules_allow, family, addr);
}

/* The family and bytes of a socket address; 0 when neither IPv4 nor 6. */
static int sockaddr_bytes(const struct sockaddr *sa, const unsigned char **b)
{
	if (sa->sa_family == AF_INET) {
		*b = (const unsigned char *)&((const struct sockaddr_in *)
						      (const void *)sa)
			     ->sin_addr;
		return 4;
	}
	if (sa->sa_family == AF_INET6) {
		*b = (const unsigned char *)&((const struct sockaddr_in6 *)
						      (const void *)sa)
			     ->sin6_addr;
		return 6;
	}
	return 0;
}

ordo_code outbox_url_check(const char *url, ordo_err *err)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL;
	char name[256];
	struct addrinfo hints, *res = NULL, *ai;
	ordo_code rc = ORDO_OK;
	size_t len;

	if (!u)
		return ordo_err_set(err, ORDO_ENOMEM, NULL, "out of memory");
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		rc = ordo_err_set(err, ORDO_EINVALID, "url",
				  "is not a valid URL");
		goto out;
	}
	if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) {
		rc = ordo_err_set(err, ORDO_EINVALID, "url",
				  "the url must start with http:// or "
				  "https://");
		goto out;
	}
	/* An IPv6 literal comes bracketed. */
	len = strlen(host);
	if (len >= 2 && host[0] == '[' && host[len - 1] == ']')
		snprintf(name, sizeof(name), "%.*s", (int)(len - 2), host + 1);
	else
		snprintf(name, sizeof(name), "%s", host);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(name, NULL, &hints, &res) != 0 || !res) {
		rc = ordo_err_set(err, ORDO_EINVALID, "url",
				  "the host \"%.64s\" does not resolve", name);
		goto out;
	}
	/* Every address: a name may answer one public and one internal. */
	for (ai = res; ai; ai = ai->ai_next) {
		const unsigned char *b;
		int fam = sockaddr_bytes(ai->ai_addr, &b);

		if (fam && !outbox_address_allowed(fam, b)) {
			rc = ordo_err_set(err, ORDO_EINVALID, "url",
					  "the host \"%.64s\" is an internal "
					  "address (loopback, private, "
					  "link-local ...); webhooks go to "
					  "public addresses unless the "
					  "operator allows the range "
					  "(--webhook-allow)",
					  name);
			goto out;
		}
	}
out:
	if (res)
		freeaddrinfo(res);
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return rc;
}

int64_t outbox_backoff_s(int attempts)
{
	int64_t s = 1;

	while (--attempts > 0 && s < OUTBOX_BACKOFF_CAP_S)
		s *= 2;
	return s < OUTBOX_BACKOFF_CAP_S ? s : OUTBOX_BACKOFF_CAP_S;
}

/* ---- sending ------------------------------------------------------------ */

/* What one send learned, for the callbacks and the record. */
struct send_ctx {
	outbox_worker *w;
	bool refused_address; /* the open-socket check said no */
};

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
	(void)p;
	(void)ud;
	return size * n;
}

/* Checked on the address curl is about to connect to, after DNS. */
static curl_socket_t open_socket(void *ud, curlsocktype purpose,
				 struct curl_sockaddr *a)
{
	struct send_ctx *ctx = ud;
	const unsigned char *b;
	int fam;

	(void)purpose;
	fam = sockaddr_bytes(&a->addr, &b);
	if (!fam || !outbox_address_allowed(fam, b)) {
		ctx->refused_address = true;
		return CURL_SOCKET_BAD;
	}
	return socket(a->family, a->socktype, a->protocol);
}

/* Called by curl at least once a second: a non-zero answer aborts. */
static int progress(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut,
		    curl_off_t un)
{
	struct send_ctx *ctx = ud;

	(void)dt;
	(void)dn;
	(void)ut;
	(void)un;
	return atomic_load(&ctx->w->stop_flag) ? 1 : 0;
}

/* A failure as the receiver's owner may read it: what happened, never
 * where (no address, port or library text). */
static void neutral_reason(CURLcode rc, const struct send_ctx *ctx,
			   int timeout_ms, char *why, size_t size)
{
	if (ctx->refused_address) {
		snprintf(why, size, "address not allowed");
		return;
	}
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		snprintf(why, size, "no answer within %d ms", timeout_ms);
		break;
	case CURLE_COULDNT_CONNECT:
		snprintf(why, size, "the connection was refused");
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
		snprintf(why, size, "the host name did not resolve");
		break;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
		snprintf(why, size, "the TLS handshake failed");
		break;
	case CURLE_GOT_NOTHING:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_PARTIAL_FILE:
		snprintf(why, size,
			 "the connection closed without an answer");
		break;
	case CURLE_WEIRD_SERVER_REPLY:
		snprintf(why, size, "the answer was not HTTP");
		break;
	default:
		snprintf(why, size, "the request failed");
		break;
	}
}

/* SENT_REFUSED: this delivery can never succeed (a store refused what it
 * was told, or ordo cannot say it): failed at once, and the next goes on;
 * the receiver is not at fault and does not back off. */
enum sent { SENT_ANSWERED, SENT_FAILED, SENT_REFUSED, SENT_ABORTED };

/* What a store answered, kept up to OUTBOX_ANSWER_MAX bytes. */
struct answer {
	char *data;
	size_t len;
	bool too_long;
};

static size_t keep(char *p, size_t size, size_t n, void *ud)
{
	struct answer *a = ud;
	size_t add = size * n;
	char *d;

	if (a->too_long || a->len + add > OUTBOX_ANSWER_MAX) {
		a->too_long = true;
		return add;
	}
	d = realloc(a->data, a->len + add + 1);
	if (!d) {
		a->too_long = true;
		return add;
	}
	memcpy(d + a->len, p, add);
	a->data = d;
	a->len += add;
	d[a->len] = '\0';
	return add;
}

/* One HTTP call under the outbox's rules (the receiver's address checked,
 * no proxy, no redirect, bounded by timeout_ms, aborted on stop): method
 * with body (NULL: none) and headers h, basic credentials userpwd (NULL:
 * none); the answer's body into *ans when given. *status is the HTTP
 * status when answered, else why says what went wrong. */
static enum sent perform(outbox_worker *w, CURL *curl, const char *method,
			 const char *url, struct curl_slist *h,
			 const char *body, const char *userpwd,
			 struct answer *ans, long *status, char *why,
			 size_t why_size)
{
	const outbox_options *o = &w->opts;
	struct send_ctx ctx = {.w = w};
	CURLcode rc;

	*status = 0;
	curl_easy_reset(curl);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	if (strcmp(method, "GET") == 0) {
		curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
	} else {
		if (strcmp(method, "POST") != 0)
			curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
		curl_easy_setopt(curl, CURLOPT_POST, 1L);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body ? body : "");
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE,
				 (long)(body ? strlen(body) : 0));
	}
	if (userpwd) {
		curl_easy_setopt(curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(curl, CURLOPT_USERPWD, userpwd);
	}
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)o->timeout_ms);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
			 (long)(o->timeout_ms < OUTBOX_CONNECT_TIMEOUT_MAX_MS
					 ? o->timeout_ms
					 : OUTBOX_CONNECT_TIMEOUT_MAX_MS));
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, ans ? keep : discard);
	if (ans)
		curl_easy_setopt(curl, CURLOPT_WRITEDATA, ans);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	/* Straight to the receiver: a proxy would hide the address checked
	 * below, and a redirect would lead elsewhere. */
	curl_easy_setopt(curl, CURLOPT_PROXY, "");
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, open_socket);
	curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, &ctx);
	curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, progress);
	curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &ctx);
	rc = curl_easy_perform(curl);
	if (rc == CURLE_OK) {
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
		return SENT_ANSWERED;
	}
	if (rc == CURLE_ABORTED_BY_CALLBACK)
		return SENT_ABORTED;
	neutral_reason(rc, &ctx, o->timeout_ms, why, why_size);
	return SENT_FAILED;
}

/* POST one delivery to a webhook, signed. */
static enum sent send_one(outbox_worker *w, CURL *curl, const delivery *d,
			  long *status, char *why, size_t why_size)
{
	struct curl_slist *h = NULL;
	char line[STORE_URL_MAX], sig[SIGNATURE_HEADER_MAX];
	enum sent s;

	ordo_time now = ordo_clock_now(w->opts.clock);

	/* A rotated secret's grace: the old one signs too. */
	signature_make(d->secret,
		       now < d->previous_until ? d->previous_secret : NULL, now,
		       d->payload, strlen(d->payload), sig);
	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, "User-Agent: ordo-webhooks/1");
	snprintf(line, sizeof(line), "X-Ordo-Event-Id: %s", d->event_id);
	h = curl_slist_append(h, line);
	snprintf(line, sizeof(line), "X-Ordo-Event-Type: %s", d->event_type);
	h = curl_slist_append(h, line);
	snprintf(line, sizeof(line), "X-Ordo-Delivery-Id: %s", d->id);
	h = curl_slist_append(h, line);
	snprintf(line, sizeof(line), "X-Ordo-Signature: %s", sig);
	h = curl_slist_append(h, line);
	s = perform(w, curl, "POST", d->url, h, d->payload, NULL, NULL, status,
		    why, why_size);
	curl_slist_free_all(h);
	return s;
}

/* A store's answer that says the call itself is wrong (the request
 * malformed, the order already so): sending it again would change
 * nothing. A refused token (401, 403), a shop frozen or locked (402,
 * 423), a path not found (404: a wrong base_url as likely as a gone
 * order), a timeout or throttling (408, 429) and the store's own trouble
 * (5xx) fail the channel's webhook, which backs off and is retried. */
static bool store_refused(long status)
{
	return status >= 400 && status < 500 && status != 401 &&
	       status != 402 && status != 403 && status != 404 &&
	       status != 408 && status != 423 && status != 429;
}

/* The store's refusal as the delivery's last_error: its status and the
 * start of its answer, valid UTF-8 without control characters. */
static void store_said(long status, const struct answer *ans, char *why,
		       size_t why_size)
{
	char said[201] = "";
	size_t n = ans->data ? ans->len : 0, i;

	if (n > sizeof(said) - 1)
		n = ordo_utf8_cut(ans->data, sizeof(said) - 1);
	if (n)
		memcpy(said, ans->data, n);
	said[n] = '\0';
	for (i = 0; i < n; i++)
		if ((unsigned char)said[i] < 0x20 || said[i] == 0x7f)
			said[i] = ' ';
	ordo_utf8_scrub(said);
	snprintf(why, why_size, "the store refused it (%ld): %s", status,
		 said);
}

/*
 * Tell a storefront of one delivery of its channel's own webhook: the
 * calls channel_call_plan makes of the event, in turn, each answered 2xx
 * before the next (the last one's status is the delivery's). The
 * webhook's url is the store's base URL, its secret the API token.
 */
static enum sent send_store(outbox_worker *w, CURL *curl,
			    const webhook_sub *hk, const delivery *d,
			    long *status, char *why, size_t why_size)
{
	struct answer ans = {0};
	channel_call_ctx ctx = {0};
	ordo_channel ch;
	channel_kind kind;
	enum sent s = SENT_ANSWERED;
	int step;

	channel_init(&ch);
	*status = 0;
	if (channel_kind_parse(hk->protocol, &kind) != 0) {
		snprintf(why, why_size, "no channel protocol \"%s\"",
			 hk->protocol);
		return SENT_FAILED;
	}
	ctx.now = ordo_clock_now(w->opts.clock);
	ctx.token = hk->secret;
	ctx.control = d->seq;
	/* A 940 is written as the channel names both ends, as it is now,
	 * for the order by its seq. */
	if (kind == CHANNEL_X12 &&
	    strncmp(d->event_type, "fulfillment.", 12) == 0) {
		ordo_err cerr = ORDO_ERR_INIT;
		store_tx *tx;

		if (store_read_begin(w->st, &tx, &cerr) == ORDO_OK) {
			if (store_channel_by_name(tx, d->tenant_id,
						  hk->channel, &ch,
						  &cerr) == ORDO_OK)
				store_order_seq(tx, d->tenant_id, d->order_id,
						&ctx.order_seq, &cerr);
			store_read_end(tx);
		}
		if (cerr.code != ORDO_OK) {
			snprintf(why, why_size,
				 "reading channel %s or order %s failed",
				 hk->channel, d->order_id);
			ordo_err_clear(&cerr);
			channel_free(&ch);
			return SENT_FAILED;
		}
		ctx.edi_own_id = ch.edi_own_id;
		ctx.edi_partner_id = ch.edi_partner_id;
	}
	for (step = 0;; step++) {
		struct curl_slist *h = NULL;
		channel_call call;
		char line[STORE_SECRET_MAX + 40];
		ordo_err err = ORDO_ERR_INIT;

		if (channel_call_plan(kind, hk->url, d->event_type, d->payload,
				      step, ans.data, ans.len, &ctx, &call,
				      &err) != ORDO_OK) {
			ordo_strlcpy(why, err.message, why_size);
			s = err.code == ORDO_ENOMEM ? SENT_FAILED
						    : SENT_REFUSED;
			break;
		}
		if (!call.method[0])
			break; /* all told */
		free(ans.data);
		memset(&ans, 0, sizeof(ans));
		snprintf(line, sizeof(line), "Content-Type: %s",
			 call.content_type);
		h = curl_slist_append(h, line);
		h = curl_slist_append(h, "User-Agent: ordo-channels/1");
		if (call.auth_header[0])
			h = curl_slist_append(h, call.auth_header);
		if (call.accept[0]) {
			snprintf(line, sizeof(line), "Accept: %s", call.accept);
			h = curl_slist_append(h, line);
		}
		s = perform(w, curl, call.method, call.url, h, call.body,
			    call.userpwd[0] ? call.userpwd : NULL, &ans,
			    status, why, why_size);
		curl_slist_free_all(h);
		channel_call_free(&call);
		if (s == SENT_ANSWERED && store_refused(*status)) {
			store_said(*status, &ans, why, why_size);
			s = SENT_REFUSED;
		}
		if (s != SENT_ANSWERED || *status < 200 || *status >= 300)
			break;
		if (ans.too_long) {
			snprintf(why, why_size,
				 "the store's answer was over %d bytes",
				 OUTBOX_ANSWER_MAX);
			s = SENT_FAILED;
			break;
		}
	}
	free(ans.data);
	channel_free(&ch);
	return s;
}

/* ---- the store's side ---------------------------------------------------- */

struct claim_job {
	int limit;
	int lease_s;
	ordo_time now; /* read before the claim, by the worker's clock */
	outbox_claim c;
};

static ordo_code claim_run(store_tx *tx, void *arg, ordo_err *err)
{
	struct claim_job *j = arg;
	ordo_time now = j->now;

	return store_outbox_claim(tx, now, now + j->lease_s,
				  now + OUTBOX_IDLE_S, j->limit, &j->c, err);
}

struct record_job {
	int64_t tenant;
	const delivery *d;	 /* NULL: the webhook only */
	const webhook_sub *hook; /* its state after the attempt */
	bool paused_now;	 /* tell the tenant: webhook.paused */
};

/*
 * The webhook first: deleted meanwhile, its deliveries were failed with
 * it ("the webhook was deleted") and must stay so, not come back pending
 * with nothing left to send them.
 */
static ordo_code record_run(store_tx *tx, void *arg, ordo_err *err)
{
	struct record_job *j = arg;
	ordo_code rc = store_webhook_record(tx, j->tenant, j->hook, err);

	if (rc == ORDO_ENOTFOUND) {
		ordo_err_clear(err);
		return ORDO_OK;
	}
	if (rc == ORDO_OK && j->d)
		rc = store_delivery_update(tx, j->d, err);
	if (rc == ORDO_OK && j->paused_now)
		rc = app_webhook_paused_emit(tx, j->tenant, j->hook, err);
	return rc;
}

/* The tenant is told by webhook.paused; the operator by the log. */
static void log_paused(const outbox_claim *c)
{
	log_event("warn", "webhook paused",
		  json_pack("{s:I, s:s, s:I, s:o}", "tenant_id",
			    (json_int_t)c->tenant_id, "webhook_id", c->hook.id,
			    "failing_s",
			    (json_int_t)(c->hook.paused_at -
					 c->hook.failing_since),
			    "last_error", log_text(c->hook.last_error)));
}

/* A delivery that did not go: what the receiver or the network said,
 * and what comes of it (tried again when, or failed for good). Never the
 * body or the secret. */
static void log_failed(const outbox_claim *c, const delivery *d,
		       const char *outcome)
{
	log_event("warn", "webhook delivery failed",
		  json_pack("{s:I, s:s, s:s, s:I, s:o, s:s, s:I}", "tenant_id",
			    (json_int_t)c->tenant_id, "webhook_id", c->hook.id,
			    "delivery_id", d->id, "attempt",
			    (json_int_t)d->attempts, "error",
			    log_text(d->last_error), "outcome", outcome,
			    "next_attempt_at",
			    (json_int_t)(d->status == DELIVERY_FAILED
						 ? 0
						 : d->next_attempt_at)));
}

/* ---- failed attempts, counted (worker.h) ---------------------------------- */

/* Shared by every worker of the process, as the log is; under failures_mu. */
static pthread_mutex_t failures_mu = PTHREAD_MUTEX_INITIALIZER;
static outbox_failures failures[OUTBOX_FAILURES_TRACKED];
static size_t failures_n;
static uint64_t failures_other;

/* One more failed attempt to the claim's webhook. A linear search: at most
 * OUTBOX_FAILURES_TRACKED ids, against an attempt that took a network's
 * answer (or its timeout). */
static void failures_note(const outbox_claim *c)
{
	size_t i;

	pthread_mutex_lock(&failures_mu);
	for (i = 0; i < failures_n; i++)
		if (failures[i].tenant_id == c->tenant_id &&
		    strcmp(failures[i].webhook_id, c->hook.id) == 0)
			break;
	if (i == failures_n && failures_n < OUTBOX_FAILURES_TRACKED) {
		failures[i].tenant_id = c->tenant_id;
		snprintf(failures[i].webhook_id, sizeof(failures[i].webhook_id),
			 "%s", c->hook.id);
		failures_n++;
	}
	if (i < failures_n)
		failures[i].attempts++;
	else
		failures_other++;
	pthread_mutex_unlock(&failures_mu);
}

size_t outbox_failures_get(outbox_failures *out, size_t max)
{
	size_t n;

	pthread_mutex_lock(&failures_mu);
	n = failures_n < max ? failures_n : max;
	memcpy(out, failures, n * sizeof(*out));
	if (failures_other && n < max) {
		out[n] = (outbox_failures){.attempts = failures_other};
		snprintf(out[n].webhook_id, sizeof(out[n].webhook_id),
			 "_other");
		n++;
	}
	pthread_mutex_unlock(&failures_mu);
	return n;
}

/* ---- the threads ---------------------------------------------------------- */

/* Wait up to ms, or until stopping; returns true when stopping. */
static bool nap(outbox_worker *w, int ms)
{
	struct timespec until;
	bool stop;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&w->mu);
	if (!w->stopping)
		pthread_cond_timedwait(&w->cv, &w->mu, &until);
	stop = w->stopping;
	pthread_mutex_unlock(&w->mu);
	return stop;
}

/* Record, in an outbox transaction; a failure leaves the lease to run out
 * and the delivery to be sent again: at least once. */
static void record(outbox_worker *w, struct record_job *j, ordo_err *err)
{
	ordo_err_clear(err);
	if (store_outbox_run(w->st, record_run, j, err) == ORDO_OK)
		return;
	log_event("error", "recording a webhook delivery failed",
		  json_pack("{s:o}", "error", log_text(err->message)));
}

/* Send a claimed webhook's deliveries until one fails. */
static void send_claim(outbox_worker *w, CURL *curl, outbox_claim *c,
		       ordo_err *err)
{
	webhook_sub *hk = &c->hook;
	size_t i;

	for (i = 0; i < c->n; i++) {
		delivery *d = &c->items[i];
		struct record_job j = {.tenant = c->tenant_id, .d = d,
				       .hook = hk};
		char why[ORDO_MESSAGE_MAX] = "";
		long status;
		enum sent s;
		ordo_time now;

		if (atomic_load(&w->stop_flag))
			return; /* the lease runs out; sent again later */
		s = hk->protocol[0]
			    ? send_store(w, curl, hk, d, &status, why,
					 sizeof(why))
			    : send_one(w, curl, d, &status, why, sizeof(why));
		if (s == SENT_ABORTED)
			return;
		now = ordo_clock_now(w->opts.clock);
		d->attempts++;
		d->last_status = (int)status;
		d->claimed_until = 0;
		if (s == SENT_ANSWERED && status >= 200 && status < 300) {
			d->status = DELIVERY_DELIVERED;
			d->delivered_at = now;
			d->last_error[0] = '\0';
			hk->failures = 0;
			hk->failing_since = 0;
			hk->last_error[0] = '\0';
			record(w, &j, err);
			continue;
		}
		if (s == SENT_REFUSED) {
			d->status = DELIVERY_FAILED;
			snprintf(d->last_error, sizeof(d->last_error), "%s",
				 why);
			record(w, &j, err);
			failures_note(c);
			log_failed(c, d, "refused: not sent again");
			continue;
		}
		/* The webhook fails as a whole and backs off. */
		if (s == SENT_ANSWERED)
			snprintf(why, sizeof(why), "the receiver answered %ld",
				 status);
		snprintf(d->last_error, sizeof(d->last_error), "%s", why);
		snprintf(hk->last_error, sizeof(hk->last_error), "%s", why);
		hk->failures++;
		if (!hk->failing_since)
			hk->failing_since = now;
		hk->next_attempt_at = now + outbox_backoff_s(hk->failures);
		d->next_attempt_at = hk->next_attempt_at;
		if (now - hk->failing_since >= OUTBOX_PAUSE_AFTER_S) {
			/* Paused: its deliveries wait, pending, for the
			 * resume; none is given up meanwhile. */
			hk->paused = true;
			hk->paused_at = now;
			j.paused_now = true;
		} else if (d->next_attempt_at > d->retry_until) {
			d->status = DELIVERY_FAILED;
		}
		record(w, &j, err);
		failures_note(c);
		log_failed(c, d,
			   hk->paused ? "the webhook is paused"
			   : d->status == DELIVERY_FAILED
				   ? "failed: its retry window is over"
				   : "retried with backoff");
		if (hk->paused)
			log_paused(c);
		return;
	}
	/* All sent: due again at once, for whatever came meanwhile. */
	hk->next_attempt_at = ordo_clock_now(w->opts.clock);
	{
		struct record_job j = {.tenant = c->tenant_id, .hook = hk};

		record(w, &j, err);
	}
}

static void *worker_main(void *arg)
{
	outbox_worker *w = arg;
	CURL *curl = curl_easy_init();
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;

	while (curl && !atomic_load(&w->stop_flag)) {
		struct claim_job j = {.limit = w->opts.batch,
				      .lease_s = w->opts.lease_s};

		ordo_err_clear(err);
		j.now = ordo_clock_now(w->opts.clock);
		if (store_outbox_run(w->st, claim_run, &j, err) != ORDO_OK ||
		    j.c.n == 0) {
			store_outbox_claim_free(&j.c);
			if (nap(w, w->opts.poll_ms))
				break;
			continue;
		}
		send_claim(w, curl, &j.c, err);
		store_outbox_claim_free(&j.c);
	}
	curl_easy_cleanup(curl);
	ordo_err_clear(err);
	return NULL;
}

ordo_code outbox_worker_start(store *st, const outbox_options *opts,
			      outbox_worker **out, ordo_err *err)
{
	outbox_worker *w = calloc(1, sizeof(*w));
	int i;

	if (!w)
		return ordo_err_set(err, ORDO_ENOMEM, NULL, "out of memory");
	if (opts->threads < 1 || opts->threads > OUTBOX_MAX_THREADS ||
	    opts->batch < 1 || opts->poll_ms < 1 || opts->timeout_ms < 1) {
		free(w);
		return ordo_err_set(err, ORDO_EINVALID, "outbox",
				    "outbox options out of range (1..%d "
				    "threads)",
				    OUTBOX_MAX_THREADS);
	}
	w->st = st;
	w->opts = *opts;
	atomic_init(&w->stop_flag, false);
	/* A claim must outlast sending its whole batch, each delivery up to
	 * the timeout per call it makes (a store's up to CHANNEL_CALLS_MAX),
	 * or another thread (or node) would claim and send to the same
	 * webhook while this one still works through it. */
	if ((int64_t)w->opts.lease_s * 1000 <
	    (int64_t)w->opts.batch * CHANNEL_CALLS_MAX * w->opts.timeout_ms +
		    OUTBOX_LEASE_MARGIN_MS)
		w->opts.lease_s =
			(int)(((int64_t)w->opts.batch * CHANNEL_CALLS_MAX *
				       w->opts.timeout_ms +
			       OUTBOX_LEASE_MARGIN_MS) /
			      1000);
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	for (i = 0; i < opts->threads; i++) {
		if (pthread_create(&w->threads[i], NULL, worker_main, w) != 0)
			break;
		w->n_threads++;
	}
	if (w->n_threads == 0) {
		outbox_worker_stop(w);
		return ordo_err_set(err, ORDO_EINTERNAL, NULL,
				    "cannot start the webhook threads");
	}
	*out = w;
	return ORDO_OK;
}

void outbox_worker_stop(outbox_worker *w)
{
	int i;

	if (!w)
		return;
	atomic_store(&w->stop_flag, true);
	pthread_mutex_lock(&w->mu);
	w->stopping = true;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	for (i = 0; i < w->n_threads; i++)
		pthread_join(w->threads[i], NULL);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	free(w);
}
