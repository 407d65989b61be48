/*
 * review.c - the review queue over HTTP: the queue itself, claims,
 * decisions, bulk actions, and downstream defects.
 *
 * Each write is decoded and checked here, on the server's thread, into a
 * command of app/review.h - a correction's changes into an order_patch,
 * whose money and line numbers the use case checks against the stored
 * order as it applies them - and handed to the committer; its answer is
 * encoded from the command's outputs once the write is durable.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api_int.h"
#include "channels/json_fields.h"
#include "core/money.h"
#include "core/timeutil.h"

/* ---- the queue ----------------------------------------------------------- */

/* The members of a queue filter: a bulk body's "filter", or the query
 * parameters of GET /v1/queue (with limit and cursor). */
static const char *const filter_members[] = {
	"type", "priority", "min_age_s", "assignee", "channel", "escalated",
	NULL,
};
static const char *const queue_query[] = {
	"type",	   "priority",  "min_age_s", "assignee", "channel",
	"escalated", "limit",	"cursor",    NULL,
};
static const char *const no_query[] = {NULL};
/* Read the queue filter from a JSON object (bulk) or the query string. */
static void filter_from_json(const json_t *obj, queue_filter *f,
			     ordo_err *err)
{
	char text[40];
	int64_t n;

	jf_only(obj, "filter", filter_members, NULL, err);
	if (jf_string(obj, "filter", "type", false, text, sizeof(text), err)) {
		if (hold_type_parse(text, &f->type) != 0) {
			char list[JF_LIST_MAX];

			JF_ENUM_LIST(list, sizeof(list), hold_type_name,
				     HOLD_TYPE_COUNT);
			ordo_err_add(err, ORDO_EINVALID, "filter.type",
				     "\"%s\" is not a hold type; one of: %s",
				     text, list);
		}
		f->has_type = true;
	}
	if (jf_int(obj, "filter", "priority", false, POLICY_PRIORITY_MIN,
		   POLICY_PRIORITY_MAX, &n, err))
		f->priority = (int)n;
	jf_int(obj, "filter", "min_age_s", false, 0, QUEUE_MIN_AGE_MAX_S,
	       &f->min_age_s, err);
	jf_string(obj, "filter", "assignee", false, f->assignee,
		  sizeof(f->assignee), err);
	jf_string(obj, "filter", "channel", false, f->channel,
		  sizeof(f->channel), err);
	if (jf_bool(obj, "filter", "escalated", false, &f->escalated, err))
		f->has_escalated = true;
}

static bool filter_from_query(api_request *r, queue_filter *f,
			      enum MHD_Result *ret)
{
	json_t *obj = json_object();
	const char *names[] = {"type", "assignee", "channel"};
	const char *v;
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	int64_t priority, min_age_s;
	bool escalated, has_priority, has_min_age, has_escalated;
	size_t i;
	bool ok;

	/* Numbers and booleans are read strictly here, then checked with the
	 * bulk filter's members by filter_from_json. */
	if (!api_query_int(r, "priority", POLICY_PRIORITY_MIN,
			   POLICY_PRIORITY_MAX, &priority, &has_priority,
			   ret) ||
	    !api_query_int(r, "min_age_s", 0, QUEUE_MIN_AGE_MAX_S, &min_age_s,
			   &has_min_age, ret) ||
	    !api_query_bool(r, "escalated", &escalated, &has_escalated, ret)) {
		json_decref(obj);
		return false;
	}
	for (i = 0; i < 3; i++)
		if ((v = api_query(r, names[i])))
			json_object_set_new(obj, names[i], json_string(v));
	if (has_priority)
		json_object_set_new(obj, "priority", json_integer(priority));
	if (has_min_age)
		json_object_set_new(obj, "min_age_s", json_integer(min_age_s));
	if (has_escalated)
		json_object_set_new(obj, "escalated", json_boolean(escalated));
	filter_from_json(obj, f, err);
	json_decref(obj);
	ok = err->code == ORDO_OK;
	if (!ok) {
		/* Query parameters are named without the "filter." prefix. */
		for (i = 0; i < err->n_details; i++)
			if (strncmp(err->details[i].field, "filter.", 7) == 0)
				memmove(err->details[i].field,
					err->details[i].field + 7,
					strlen(err->details[i].field + 7) + 1);
		if (err->n_details > 0)
			ordo_err_set_message(err, "%s",
					     err->details[0].message);
		*ret = api_reply_error(r, err);
	}
	ordo_err_clear(err);
	return ok;
}

/* One item of the queue, with its tenant (NULL: the caller's). */
struct queue_entry {
	queue_item item;
	const char *tenant;
};

static int entry_order(const void *a, const void *b)
{
	const queue_item *x = &((const struct queue_entry *)a)->item;
	const queue_item *y = &((const struct queue_entry *)b)->item;

	if (x->hold.due_at != y->hold.due_at)
		return (x->hold.due_at > y->hold.due_at) -
		       (x->hold.due_at < y->hold.due_at);
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/*
 * The queues of every tenant the request's session (api/auth.c) serves
 * with a role that reads it, as one: each tenant's page from the same
 * cursor (due_at, then the hold's number, which no two holds share), put
 * in that order, the first limit kept. Into *out (free()) and *n; *more
 * when a tenant has more or more were found than kept.
 */
static ordo_code every_queue(api_request *r, const queue_filter *f,
			     struct queue_entry **out, size_t *n, bool *more,
			     ordo_err *err)
{
	const app_session *s = &r->session;
	struct queue_entry *all = NULL;
	size_t i, k, have = 0;
	ordo_code rc = ORDO_OK;

	*out = NULL;
	*n = 0;
	*more = false;
	for (i = 0; rc == ORDO_OK && i < s->n_roles; i++) {
		app_caller c = r->caller;
		queue_item *items = NULL;
		size_t got = 0;
		bool more_here = false;
		struct queue_entry *grown;

		if (strcmp(s->roles[i].role, "integration") == 0)
			continue;
		c.tenant_id = s->roles[i].tenant_id;
		ordo_strlcpy(c.tenant_slug, s->roles[i].tenant_slug,
			     sizeof(c.tenant_slug));
		rc = app_queue_list(r->srv->st, &c, f, &items, &got,
				    &more_here, err);
		if (rc)
			break;
		*more = *more || more_here;
		grown = got ? realloc(all, (have + got) * sizeof(*all)) : all;
		if (got && !grown) {
			free(items);
			rc = ordo_err_set(err, ORDO_ENOMEM, NULL,
					  "no memory for the queue");
			break;
		}
		all = grown;
		for (k = 0; k < got; k++) {
			all[have + k].item = items[k];
			all[have + k].tenant = s->roles[i].tenant_slug;
		}
		have += got;
		free(items);
	}
	if (rc) {
		free(all);
		return rc;
	}
	if (have)
		qsort(all, have, sizeof(*all), entry_order);
	if (have > (size_t)f->limit) {
		have = (size_t)f->limit;
		*more = true;
	}
	*out = all;
	*n = have;
	return ORDO_OK;
}

enum MHD_Result api_queue_list(api_request *r)
{
	const char *cursor = api_query(r, "cursor");
	queue_item *items = NULL;
	struct queue_entry *entries = NULL;
	queue_filter f;
	bool more = false;
	ordo_time now = api_now(r);
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	json_t *arr, *j;
	size_t n = 0, i;
	enum MHD_Result ret;

	memset(&f, 0, sizeof(f));
	f.now = now;
	if (!api_query_only(r, queue_query, &ret) ||
	    !api_query_limit(r, &f.limit, &ret) ||
	    !filter_from_query(r, &f, &ret))
		return ret;
	if (cursor &&
	    !api_parse_due_cursor(r, cursor, &f.after_due, &f.after_seq, &ret))
		return ret;
	if (r->every_tenant) {
		if (every_queue(r, &f, &entries, &n, &more, err)) {
			ret = api_reply_error(r, err);
			ordo_err_clear(err);
			return ret;
		}
	} else if (app_queue_list(r->srv->st, &r->caller, &f, &items, &n,
				  &more, err)) {
		ret = api_reply_error(r, err);
		ordo_err_clear(err);
		return ret;
	}
	ordo_err_clear(err);
	arr = json_array();
	for (i = 0; i < n; i++) {
		const queue_item *q = entries ? &entries[i].item : &items[i];
		json_t *item;
		char total[40];

		money_format(q->total, q->currency, total, sizeof(total));
		item = json_pack("{s:s, s:o, s:{s:s, s:s, s:s, s:s, s:s, s:s, "
				 "s:s, s:o}, s:I, s:b}",
				 "tenant",
				 entries ? entries[i].tenant
					 : r->caller.tenant_slug,
				 "hold", native_hold_json(&q->hold, now),
				 "order", "id", q->order_id, "external_id",
				 q->external_id, "channel", q->channel,
				 "state", order_state_name(q->order_state),
				 "total", total, "currency", q->currency,
				 "customer_name", q->customer_name,
				 "received_at",
				 native_time_json(q->received_at), "age_s",
				 (json_int_t)(now - q->hold.created_at),
				 "overdue", q->hold.due_at < now);
		json_array_append_new(arr, item);
	}
	j = json_pack("{s:o}", "items", arr);
	if (n > 0) {
		const queue_item *last =
			entries ? &entries[n - 1].item : &items[n - 1];

		json_object_set_new(j, "next_cursor",
				    api_due_cursor_json(more, last->hold.due_at,
							last->seq));
	} else {
		json_object_set_new(j, "next_cursor", json_null());
	}
	free(items);
	free(entries);
	return api_reply_json(r, MHD_HTTP_OK, j);
}

/* ---- claims -------------------------------------------------------------- */

/* A claim takes its lease; an assignment also names who takes the hold. */
static void claim_decode(const json_t *doc, void *out, ordo_err *err)
{
	static const char *const members[] = {"lease_s", NULL};
	app_claim_cmd *c = out;
	int64_t lease_s = c->lease_s;

	jf_only(doc, "", members, NULL, err);
	if (jf_int(doc, "", "lease_s", false, APP_CLAIM_LEASE_MIN_S,
		   APP_CLAIM_LEASE_MAX_S, &lease_s, err))
		c->lease_s = (int)lease_s;
}

static void assign_decode(const json_t *doc, void *out, ordo_err *err)
{
	static const char *const members[] = {"assignee", "lease_s", NULL};
	app_claim_cmd *c = out;
	int64_t lease_s = c->lease_s;

	jf_only(doc, "", members, NULL, err);
	if (jf_int(doc, "", "lease_s", false, APP_CLAIM_LEASE_MIN_S,
		   APP_CLAIM_LEASE_MAX_S, &lease_s, err))
		c->lease_s = (int)lease_s;
	jf_string(doc, "", "assignee", false, c->assignee,
		  sizeof(c->assignee), err);
}

/* 200 with the hold as the claim left it. */
static json_t *claim_reply(api_request *r, const app_write *w, int *status)
{
	(void)r;
	*status = 200;
	return native_hold_json(&((const app_claim_cmd *)w)->hold, w->now);
}

/* decode NULL: the operation takes no body. */
static enum MHD_Result claim_like(api_request *r, app_claim_op op,
				  void (*decode)(const json_t *doc, void *out,
						 ordo_err *err))
{
	char id[ORDO_ID_MAX];
	app_claim_cmd *c;
	enum MHD_Result ret;

	if (!api_query_only(r, no_query, &ret) ||
	    !api_path_id(r, "hold", id, sizeof(id), &ret))
		return ret;
	if (!decode && !api_body_none(r, &ret))
		return ret;
	c = calloc(1, sizeof(*c));
	if (!c)
		return api_reply_nomem(r);
	app_claim_cmd_init(c, &r->caller, api_now(r), op, id);
	if (decode && r->body_len > 0 &&
	    !api_decode_body(r, decode, c, &ret)) {
		free(c);
		return ret;
	}
	if (op == APP_CLAIM_ASSIGN && !c->assignee[0]) {
		free(c);
		return api_reply_fail(r, ORDO_EINVALID, "assignee",
				      "name who takes the hold, e.g. "
				      "\"key:alice\"");
	}
	return api_submit_write(r, &c->w, claim_reply, api_write_free);
}

enum MHD_Result api_hold_claim(api_request *r)
{
	return claim_like(r, APP_CLAIM_TAKE, claim_decode);
}

enum MHD_Result api_hold_release(api_request *r)
{
	return claim_like(r, APP_CLAIM_RELEASE, NULL);
}

enum MHD_Result api_hold_assign(api_request *r)
{
	return claim_like(r, APP_CLAIM_ASSIGN, assign_decode);
}

/* ---- decisions ----------------------------------------------------------- */

/* The body of a decision as read: the command, and the "changes" object
 * until it is decoded into the command's patch. */
struct resolve_input {
	app_resolve_cmd *cmd;
	json_t *changes; /* owned */
};

/* "one of: ..." for an action, every action but `except`. */
static void action_list(char *buf, size_t size, review_action except)
{
	int a;

	buf[0] = '\0';
	for (a = 0; a <= (int)REVIEW_RELEASE; a++)
		if (a != (int)except)
			jf_list_add(buf, size, review_action_name(a));
}

/* The members of a correction's changes, object by object. The shape is
 * checked first, with the rest of the body; the values are decoded next
 * (changes_decode), both before the write. */
static const char *const changes_members[] = {
	"customer", "ship_to", "bill_to", "shipping", "totals",
	"payment_status", "notes", "lines", NULL,
};
static const char *const changes_customer[] = {"name", "email", "phone",
					       NULL};
static const char *const changes_address[] = {
	"name", "company", "line1", "line2", "city", "region", "postal_code",
	"country", "phone", NULL,
};
static const char *const changes_shipping[] = {"method", "amount", NULL};
static const char *const changes_totals[] = {
	"subtotal", "shipping", "tax", "discount", "total", NULL,
};
static const char *const changes_line[] = {
	"line_no", "sku", "title", "unit_price", "quantity", NULL,
};

static void changes_check(const json_t *ch, ordo_err *err)
{
	static const struct {
		const char *key;
		const char *const *members;
	} objects[] = {
		{"customer", changes_customer}, {"ship_to", changes_address},
		{"bill_to", changes_address},	{"shipping", changes_shipping},
		{"totals", changes_totals},
	};
	char path[ORDO_ERR_FIELD_MAX];
	const json_t *obj, *lines, *l;
	size_t i;

	jf_only(ch, "changes", changes_members, NULL, err);
	for (i = 0; i < sizeof(objects) / sizeof(objects[0]); i++) {
		obj = jf_object(ch, "changes", objects[i].key, false, err);
		jf_path(path, sizeof(path), "changes", objects[i].key);
		if (obj)
			jf_only(obj, path, objects[i].members, NULL, err);
	}
	lines = jf_array(ch, "changes", "lines", false, err);
	json_array_foreach(lines, i, l) {
		jf_index_path(path, sizeof(path), "changes.lines", i);
		jf_only(l, path, changes_line, NULL, err);
	}
}

static void resolve_decode(const json_t *doc, void *out, ordo_err *err)
{
	static const char *const members[] = {"action", "reason", "changes",
					      NULL};
	struct resolve_input *in = out;
	app_resolve_cmd *c = in->cmd;
	char action[32], list[JF_LIST_MAX];
	json_t *changes;

	jf_only(doc, "", members, NULL, err);
	if (jf_string(doc, "", "action", true, action, sizeof(action), err) &&
	    (review_action_parse(action, &c->action) != 0 ||
	     c->action == REVIEW_RELEASE)) {
		action_list(list, sizeof(list), REVIEW_RELEASE);
		ordo_err_add(err, ORDO_EINVALID, "action",
			     "\"%s\" is not a decision; one of: %s", action,
			     list);
	}
	jf_string(doc, "", "reason", true, c->reason, sizeof(c->reason), err);
	changes = jf_object(doc, "", "changes", false, err);
	if (changes)
		changes_check(changes, err);
	if (changes && c->action != REVIEW_CORRECT)
		ordo_err_add(err, ORDO_EINVALID, "changes",
			     "changes go with the action \"correct\" only");
	if (!changes && c->action == REVIEW_CORRECT && err->code == ORDO_OK)
		ordo_err_add(err, ORDO_EINVALID, "changes",
			     "\"correct\" needs the changes to make");
	if (changes)
		in->changes = json_incref(changes);
}

/*
 * Copy a present string member into dst and mark it set (absent or null:
 * left unset; "" sets it empty). size is dst's, at most ORDO_NOTES_MAX.
 */
static void patch_string(const json_t *obj, const char *parent,
			 const char *key, char *dst, size_t size, bool *set,
			 ordo_err *err)
{
	const json_t *v = json_object_get(obj, key);

	if (!v)
		return;
	if (jf_string(obj, parent, key, false, dst, size, err) ||
	    (json_is_string(v) && json_string_length(v) == 0))
		*set = true;
}

static void patch_address(const json_t *changes, const char *key,
			  order_patch_address_set *set, order_address *a,
			  ordo_err *err)
{
	const json_t *obj = jf_object(changes, "changes", key, false, err);
	char parent[32];

	if (!obj)
		return;
	snprintf(parent, sizeof(parent), "changes.%s", key);
#define PATCH_ADDRESS(m)                                                       \
	patch_string(obj, parent, #m, a->m, sizeof(a->m), &set->m, err)
	PATCH_ADDRESS(name);
	PATCH_ADDRESS(company);
	PATCH_ADDRESS(line1);
	PATCH_ADDRESS(line2);
	PATCH_ADDRESS(city);
	PATCH_ADDRESS(region);
	PATCH_ADDRESS(postal_code);
	PATCH_ADDRESS(country);
	PATCH_ADDRESS(phone);
#undef PATCH_ADDRESS
}

/* A present money member: its decimal text, converted with the order's
 * currency when the patch is applied (order_patch_apply). */
static void patch_money(const json_t *obj, const char *parent,
			const char *key, char **dst, ordo_err *err)
{
	char path[ORDO_ERR_FIELD_MAX];
	const json_t *v = json_object_get(obj, key);

	if (!v)
		return;
	jf_path(path, sizeof(path), parent, key);
	if (json_is_null(v)) {
		ordo_err_add(err, ORDO_EINVALID, path, "is required");
		return;
	}
	if (!json_is_string(v)) {
		ordo_err_add(err, ORDO_EINVALID, path,
			     "must be a decimal string such as \"12.50\"");
		return;
	}
	if (order_patch_money(dst, json_string_value(v), err) != ORDO_OK)
		ordo_err_add(err, ORDO_ENOMEM, path, "out of memory");
}

static void patch_lines(const json_t *changes, order_patch *p,
			ordo_err *err)
{
	json_t *lines = jf_array(changes, "changes", "lines", false, err), *l;
	char path[ORDO_ERR_FIELD_MAX];
	size_t i;

	if (!lines)
		return;
	json_array_foreach(lines, i, l) {
		order_patch_line *pl;
		int64_t no = 0, q;

		jf_index_path(path, sizeof(path), "changes.lines", i);
		if (!json_is_object(l)) {
			ordo_err_add(err, ORDO_EINVALID, path,
				     "must be an object");
			continue;
		}
		if (!jf_int(l, path, "line_no", true, 1, ORDO_MAX_LINES, &no,
			    err))
			continue;
		pl = order_patch_line_add(p, i);
		if (!pl) {
			ordo_err_add(err, ORDO_ELIMIT, path,
				     "at most %d lines change at once",
				     ORDO_MAX_LINES);
			continue;
		}
		pl->line_no = (int)no;
		patch_string(l, path, "sku", pl->sku, sizeof(pl->sku),
			     &pl->has_sku, err);
		patch_string(l, path, "title", pl->title, sizeof(pl->title),
			     &pl->has_title, err);
		patch_money(l, path, "unit_price", &pl->unit_price, err);
		if (json_object_get(l, "quantity") &&
		    jf_int(l, path, "quantity", true, 1, ORDO_MAX_QUANTITY, &q,
			   err)) {
			pl->has_quantity = true;
			pl->quantity = q;
		}
	}
}

/* Decode a correction's "changes" (their shape already checked) into p;
 * every bad value is added to err with its path. */
static void changes_decode(const json_t *ch, order_patch *p, ordo_err *err)
{
	const json_t *obj;
	char text[32];

	if ((obj = jf_object(ch, "changes", "customer", false, err))) {
		patch_string(obj, "changes.customer", "name", p->customer.name,
			     sizeof(p->customer.name), &p->has_customer_name,
			     err);
		patch_string(obj, "changes.customer", "email",
			     p->customer.email, sizeof(p->customer.email),
			     &p->has_customer_email, err);
		patch_string(obj, "changes.customer", "phone",
			     p->customer.phone, sizeof(p->customer.phone),
			     &p->has_customer_phone, err);
	}
	patch_address(ch, "ship_to", &p->ship_to_set, &p->ship_to, err);
	if (json_object_get(ch, "bill_to")) {
		p->has_bill_to = true;
		patch_address(ch, "bill_to", &p->bill_to_set, &p->bill_to,
			      err);
	}
	if ((obj = jf_object(ch, "changes", "shipping", false, err))) {
		patch_string(obj, "changes.shipping", "method",
			     p->shipping_method, sizeof(p->shipping_method),
			     &p->has_shipping_method, err);
		patch_money(obj, "changes.shipping", "amount",
			    &p->shipping_amount, err);
	}
	if ((obj = jf_object(ch, "changes", "totals", false, err))) {
		patch_money(obj, "changes.totals", "subtotal", &p->subtotal,
			    err);
		patch_money(obj, "changes.totals", "shipping", &p->shipping,
			    err);
		patch_money(obj, "changes.totals", "tax", &p->tax, err);
		patch_money(obj, "changes.totals", "discount", &p->discount,
			    err);
		patch_money(obj, "changes.totals", "total", &p->total, err);
	}
	if (json_object_get(ch, "payment_status") &&
	    jf_string(ch, "changes", "payment_status", true, text,
		      sizeof(text), err)) {
		if (payment_status_parse(text, &p->payment) == 0) {
			p->has_payment = true;
		} else {
			char list[JF_LIST_MAX];

			JF_ENUM_LIST(list, sizeof(list), payment_status_name,
				     PAYMENT_STATUS_COUNT);
			ordo_err_add(err, ORDO_EINVALID,
				     "changes.payment_status",
				     "\"%s\" is not a payment status; one "
				     "of: %s",
				     text, list);
		}
	}
	patch_string(ch, "changes", "notes", p->notes, sizeof(p->notes),
		     &p->has_notes, err);
	patch_lines(ch, p, err);
}

/* Decode in->changes into the command's patch, or answer 400 listing
 * every bad value and return false. */
static bool changes_ok(api_request *r, struct resolve_input *in,
		       enum MHD_Result *ret)
{
	ordo_err err = ORDO_ERR_INIT;
	bool ok;

	if (!in->changes)
		return true;
	changes_decode(in->changes, &in->cmd->changes, &err);
	ok = err.code == ORDO_OK;
	if (!ok) {
		ordo_err_set_message(&err, "the changes have %zu problem%s",
				     err.n_details,
				     err.n_details == 1 ? "" : "s");
		*ret = api_reply_error(r, &err);
	}
	ordo_err_clear(&err);
	return ok;
}

/* 200 with the hold as decided and its order after. */
static json_t *resolve_reply(api_request *r, const app_write *w,
			     int *status)
{
	const app_resolve_cmd *c = (const app_resolve_cmd *)w;

	(void)r;
	*status = 200;
	return json_pack("{s:o, s:o}", "hold",
			 native_hold_json(&c->hold, w->now), "order",
			 native_order_json(&c->order, w->now));
}

enum MHD_Result api_hold_resolve(api_request *r)
{
	struct resolve_input in = {NULL, NULL};
	char id[ORDO_ID_MAX];
	enum MHD_Result ret;
	bool ok;

	if (!api_path_id(r, "hold", id, sizeof(id), &ret))
		return ret;
	in.cmd = calloc(1, sizeof(*in.cmd));
	if (!in.cmd)
		return api_reply_nomem(r);
	app_resolve_cmd_init(in.cmd, &r->caller, api_now(r), id);
	ok = api_query_only(r, no_query, &ret) &&
	     api_decode_body(r, resolve_decode, &in, &ret) &&
	     changes_ok(r, &in, &ret);
	json_decref(in.changes);
	if (!ok) {
		api_write_free(&in.cmd->w);
		return ret;
	}
	return api_submit_write(r, &in.cmd->w, resolve_reply, api_write_free);
}

/* ---- bulk ---------------------------------------------------------------- */

_Static_assert(ORDO_BULK_MAX <= STORE_BULK_MAX,
	       "a bulk action's limit must fit one queue read");

/*
 * A bulk action must say what it acts on: an empty (or absent) filter
 * matches every open hold of the tenant, so it is refused unless the
 * request also says "all": true - and "all" with a filter is refused as
 * contradictory. How many holds it may touch is its "limit" (see
 * limits.h); app_holds_bulk refuses a filter that matches more.
 */
static void bulk_decode(const json_t *doc, void *out, ordo_err *err)
{
	static const char *const members[] = {
		"filter", "action", "reason", "dry_run", "all", "limit", NULL,
	};
	app_bulk_cmd *c = out;
	json_t *filter, *v;
	char action[32], list[JF_LIST_MAX];
	const char *key;
	size_t criteria = 0;
	bool all = false;
	int64_t limit = 0; /* the tenant's bulk_limit (app_holds_bulk) */

	jf_only(doc, "", members, NULL, err);
	filter = jf_object(doc, "", "filter", false, err);
	if (filter) {
		filter_from_json(filter, &c->filter, err);
		json_object_foreach(filter, key, v)
			if (!json_is_null(v))
				criteria++;
	}
	jf_bool(doc, "", "all", false, &all, err);
	if (criteria > 0 && all)
		ordo_err_add(err, ORDO_EINVALID, "all",
			     "\"all\": true goes with an empty filter only; "
			     "leave it out to act on the holds the filter "
			     "matches");
	else if (criteria == 0 && !all &&
		 (filter || json_is_null(json_object_get(doc, "filter")) ||
		  !json_object_get(doc, "filter")))
		ordo_err_add(err, ORDO_EINVALID, "filter",
			     "an empty filter matches every open hold; name "
			     "which holds (e.g. {\"type\": \"high_value\"}), "
			     "or say \"all\": true to act on all of them");
	jf_int(doc, "", "limit", false, 1, ORDO_BULK_MAX, &limit, err);
	c->limit = (int)limit;
	if (jf_string(doc, "", "action", true, action, sizeof(action), err) &&
	    (review_action_parse(action, &c->action) != 0 ||
	     c->action == REVIEW_CORRECT)) {
		action_list(list, sizeof(list), REVIEW_CORRECT);
		ordo_err_add(err, ORDO_EINVALID, "action",
			     "\"%s\" is not a bulk action; one of: %s",
			     action, list);
	}
	jf_string(doc, "", "reason", true, c->reason, sizeof(c->reason), err);
	jf_bool(doc, "", "dry_run", false, &c->dry_run, err);
}

/* 200 with what matched, what was applied and what was skipped. */
static json_t *bulk_reply(api_request *r, const app_write *w, int *status)
{
	const app_bulk_cmd *c = (const app_bulk_cmd *)w;
	const app_bulk_result *res = &c->result;
	json_t *ids, *failed;
	size_t i;

	(void)r;
	ids = json_array();
	for (i = 0; i < res->matched; i++)
		json_array_append_new(ids, json_string(res->ids[i]));
	failed = json_array();
	for (i = 0; i < res->n_failed; i++)
		json_array_append_new(failed,
				      json_pack("{s:s, s:s}", "hold_id",
						res->failed[i].hold_id, "error",
						res->failed[i].error));
	*status = 200;
	return json_pack("{s:b, s:I, s:I, s:b, s:o, s:o}", "dry_run",
			 c->dry_run, "matched", (json_int_t)res->matched,
			 "applied", (json_int_t)res->applied, "more",
			 res->more, "hold_ids", ids, "failed", failed);
}

enum MHD_Result api_holds_bulk(api_request *r)
{
	app_bulk_cmd *c = calloc(1, sizeof(*c));
	enum MHD_Result ret;

	if (!c)
		return api_reply_nomem(r);
	app_bulk_cmd_init(c, &r->caller, api_now(r));
	if (!api_query_only(r, no_query, &ret) ||
	    !api_decode_body(r, bulk_decode, c, &ret)) {
		free(c);
		return ret;
	}
	return api_submit_write(r, &c->w, bulk_reply, api_write_free);
}

/* ---- notes --------------------------------------------------------------- */

static void note_decode(const json_t *doc, void *out, ordo_err *err)
{
	static const char *const members[] = {"text", "hold_id", NULL};
	static const char *const computed[] = {"order_id", "actor", "at",
					       NULL};
	app_note *n = out;

	jf_only(doc, "", members, computed, err);
	jf_string(doc, "", "text", true, n->text, sizeof(n->text), err);
	jf_string(doc, "", "hold_id", false, n->hold_id, sizeof(n->hold_id),
		  err);
}

/* 201 with the note as written. */
static json_t *note_reply(api_request *r, const app_write *w, int *status)
{
	const app_note *n = &((const app_note_cmd *)w)->stored;

	(void)r;
	*status = 201;
	return json_pack("{s:s, s:o, s:s, s:s, s:o}", "order_id", n->order_id,
			 "hold_id",
			 n->hold_id[0] ? json_string(n->hold_id) : json_null(),
			 "text", n->text, "actor", n->actor, "at",
			 native_time_json(n->at));
}

enum MHD_Result api_note_create(api_request *r)
{
	char id[ORDO_ID_MAX];
	app_note_cmd *c;
	enum MHD_Result ret;
	ordo_err err = ORDO_ERR_INIT;

	if (!api_path_id(r, "order", id, sizeof(id), &ret))
		return ret;
	c = calloc(1, sizeof(*c));
	if (!c)
		return api_reply_nomem(r);
	app_note_cmd_init(c, &r->caller, api_now(r), id);
	if (!api_query_only(r, no_query, &ret) ||
	    !api_decode_body(r, note_decode, &c->note, &ret)) {
		free(c);
		return ret;
	}
	if (app_note_check(&c->note, &err) != ORDO_OK) {
		ret = api_reply_error(r, &err);
		ordo_err_clear(&err);
		free(c);
		return ret;
	}
	return api_submit_write(r, &c->w, note_reply, api_write_free);
}

/* ---- defects ------------------------------------------------------------- */

static void defect_decode(const json_t *doc, void *out, ordo_err *err)
{
	static const char *const members[] = {"type", "found_by", "note",
					      NULL};
	static const char *const computed[] = {
		"id", "order_id", "reported_by", "created_at", "attributed_to",
		NULL,
	};
	order_defect *d = out;

	jf_only(doc, "", members, computed, err);
	jf_string(doc, "", "type", true, d->type, sizeof(d->type), err);
	jf_string(doc, "", "found_by", true, d->found_by, sizeof(d->found_by),
		  err);
	jf_string(doc, "", "note", false, d->note, sizeof(d->note), err);
}

/* 201 with the defect as recorded. */
static json_t *defect_reply(api_request *r, const app_write *w, int *status)
{
	(void)r;
	*status = 201;
	return native_defect_json(&((const app_defect_cmd *)w)->stored);
}

enum MHD_Result api_defect_create(api_request *r)
{
	char id[ORDO_ID_MAX];
	app_defect_cmd *c;
	enum MHD_Result ret;
	ordo_err err = ORDO_ERR_INIT;

	if (!api_path_id(r, "order", id, sizeof(id), &ret))
		return ret;
	c = calloc(1, sizeof(*c));
	if (!c)
		return api_reply_nomem(r);
	app_defect_cmd_init(c, &r->caller, api_now(r), id);
	if (!api_query_only(r, no_query, &ret) ||
	    !api_decode_body(r, defect_decode, &c->defect, &ret)) {
		free(c);
		return ret;
	}
	/* The type is checked here too, so that a bad one is refused
	 * before the write rather than inside it. */
	if (app_defect_check(&c->defect, &err) != ORDO_OK) {
		ret = api_reply_error(r, &err);
		ordo_err_clear(&err);
		free(c);
		return ret;
	}
	return api_submit_write(r, &c->w, defect_reply, api_write_free);
}

enum MHD_Result api_defect_list(api_request *r)
{
	const char *type = api_query(r, "type");
	const char *rule_id = api_query(r, "rule_id");
	const char *cursor = api_query(r, "cursor");
	int64_t from = 0, to = 0, before = 0, next = 0;
	order_defect *items = NULL;
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	json_t *arr, *j;
	size_t n = 0, i;
	enum MHD_Result ret;
	int limit;
	static const char *const query[] = {"type", "rule_id", "from", "to",
					    "limit", "cursor", NULL};

	if (!api_query_only(r, query, &ret) ||
	    !api_query_limit(r, &limit, &ret))
		return ret;
	if (cursor && !api_parse_cursor(r, cursor, &before, &ret))
		return ret;
	if (type && !app_defect_type_known(type)) {
		char list[JF_LIST_MAX] = "";

		for (i = 0; app_defect_types[i]; i++)
			jf_list_add(list, sizeof(list), app_defect_types[i]);
		return api_reply_fail(r, ORDO_EINVALID, "type",
				      "\"%s\" is not a defect type; one of: %s",
				      type, list);
	}
	if (!api_query_time(r, "from", &from, NULL, &ret) ||
	    !api_query_time(r, "to", &to, NULL, &ret))
		return ret;
	if (app_defect_list(r->srv->st, &r->caller, type ? type : "",
			    rule_id ? rule_id : "", from,
			    to, before, limit, &items, &n, &next, err)) {
		ret = api_reply_error(r, err);
		ordo_err_clear(err);
		return ret;
	}
	ordo_err_clear(err);
	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(arr, native_defect_json(&items[i]));
	free(items);
	j = json_pack("{s:o}", "defects", arr);
	json_object_set_new(j, "next_cursor", api_cursor_json(next));
	return api_reply_json(r, MHD_HTTP_OK, j);
}
