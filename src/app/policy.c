/*
 * policy.c - the tenant's review policy: versions, judging orders, and
 * simulating a candidate over past orders.
 *
 * A policy version is stored as its JSON document ({"rules": [...]}) and
 * compiled (core/policy.c) when used; version 0 is the built-in default,
 * in force until a tenant saves its own. Judging an order evaluates the
 * rules against the order and its context - the customer's earlier orders
 * and defects, and whether any location serves the destination - and
 * raises one hold per matching hold rule (not twice the same type), each
 * recording its rule id and the policy version.
 *
 * A new version is decoded and compiled before its write
 * (app_policy_check), so that a policy that does not compile is refused
 * without holding the committer; the write stores the checked text.
 *
 * A simulation replays a candidate and the active policy over the orders
 * received in a period, each judged as at its receipt, in one read
 * transaction: it writes nothing.
 */
#include "app/audit.h"
#include "app/caller.h"
#include "app/policy.h"
#include "app/tenants.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channels/json_fields.h"
#include "channels/native_out.h"
#include "core/allocate.h"

/* Default handling time when no hold has been worked yet. */
#define APP_DEFAULT_HANDLING_S 600

void app_policy_doc_free(app_policy_doc *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		free(d->whens[i]);
	free(d->whens);
	free(d->src);
	memset(d, 0, sizeof(*d));
}

/* A rule's outcome: "approve", or {"hold": TYPE, "priority": 1..5}. */
static void decode_then(const json_t *then, size_t i, policy_rule_src *s,
			ordo_err *err)
{
	char path[64], type[40];
	int64_t prio = 3;

	if (json_is_string(then) &&
	    strcmp(json_string_value(then), "approve") == 0) {
		s->approve = true;
		return;
	}
	snprintf(path, sizeof(path), "rules[%zu].then", i);
	if (!json_is_object(then)) {
		ordo_err_add(err, ORDO_EINVALID, path,
			     "must be \"approve\" or {\"hold\": TYPE, "
			     "\"priority\": 1..5}");
		return;
	}
	if (jf_string(then, path, "hold", true, type, sizeof(type), err) &&
	    hold_type_parse(type, &s->hold) != 0) {
		char list[JF_LIST_MAX];

		JF_ENUM_LIST(list, sizeof(list), hold_type_name,
			     HOLD_TYPE_COUNT);
		ordo_err_add(err, ORDO_EINVALID, path,
			     "\"%s\" is not a hold type; one of: %s", type,
			     list);
	}
	jf_int(then, path, "priority", false, POLICY_PRIORITY_MIN,
	       POLICY_PRIORITY_MAX, &prio, err);
	s->priority = (int)prio;
}

ordo_code app_policy_decode(const json_t *doc, app_policy_doc *d,
			    ordo_err *err)
{
	json_t *rules = jf_array(doc, "", "rules", true, err), *r;
	char path[ORDO_ERR_FIELD_MAX];
	size_t i, n;

	memset(d, 0, sizeof(*d));
	if (!rules)
		return err->code;
	n = json_array_size(rules);
	if (n > POLICY_MAX_RULES)
		return ordo_err_set(err, ORDO_EINVALID, "rules",
				    "a policy holds at most %d rules",
				    POLICY_MAX_RULES);
	d->src = calloc(n + 1, sizeof(*d->src));
	d->whens = calloc(n + 1, sizeof(*d->whens));
	if (!d->src || !d->whens) {
		app_policy_doc_free(d);
		return ordo_err_set(err, ORDO_ENOMEM, NULL, "out of memory");
	}
	json_array_foreach(rules, i, r) {
		policy_rule_src *s = &d->src[d->n];
		char when[POLICY_WHEN_MAX + 1];
		size_t first = err->n_details, k;
		json_t *then;

		d->n++;
		jf_index_path(path, sizeof(path), "rules", i);
		if (!json_is_object(r)) {
			ordo_err_add(err, ORDO_EINVALID, path,
				     "must be an object");
			continue;
		}
		jf_string(r, path, "id", true, s->id, sizeof(s->id), err);
		if (jf_string(r, path, "when", true, when, sizeof(when), err))
			d->whens[d->n - 1] = strdup(when);
		s->when = d->whens[d->n - 1] ? d->whens[d->n - 1] : "";
		then = json_object_get(r, "then");
		decode_then(then, i, s, err);
		/* Say which rule each problem is in, as compile errors do. */
		for (k = first; k < err->n_details; k++) {
			char msg[ORDO_ERR_MESSAGE_MAX];

			snprintf(msg, sizeof(msg),
				 "rule \"%.64s\" (rules[%zu]): %.400s",
				 s->id[0] ? s->id : "?", i,
				 err->details[k].message);
			ordo_strlcpy(err->details[k].message, msg,
				     sizeof(err->details[k].message));
		}
	}
	if (err->code != ORDO_OK) {
		if (err->n_details > 0)
			ordo_err_set_message(err, "%s",
					     err->details[0].message);
		app_policy_doc_free(d);
		return err->code;
	}
	return ORDO_OK;
}

/* The active version's number and compiled rules. */
/* Compile the stored version v, or the built-in default when v is NULL. */
static ordo_code policy_of_version(const policy_version *v, policy *p,
				   ordo_err *err)
{
	app_policy_doc d;
	json_t *doc;
	ordo_code rc;

	memset(p, 0, sizeof(*p));
	if (!v)
		return policy_compile(policy_default_rules,
				      policy_default_count, p, err);
	doc = json_loads(v->document, 0, NULL);
	rc = doc ? app_policy_decode(doc, &d, err)
		 : ordo_err_set(err, ORDO_ESTORAGE, "policy",
				"stored policy version %d does not parse",
				v->version);
	json_decref(doc);
	if (rc == ORDO_OK) {
		rc = policy_compile(d.src, d.n, p, err);
		app_policy_doc_free(&d);
	}
	if (rc == ORDO_OK)
		p->version = v->version;
	return rc;
}

ordo_code app_policy_load(store_tx *tx, int64_t tenant, policy *p,
			  ordo_err *err)
{
	policy_version v;
	ordo_code rc;

	memset(p, 0, sizeof(*p));
	memset(&v, 0, sizeof(v));
	rc = store_policy_active(tx, tenant, &v, err);
	if (rc == ORDO_ENOTFOUND) {
		ordo_err_clear(err);
		return policy_of_version(NULL, p, err);
	}
	if (rc == ORDO_OK)
		rc = policy_of_version(&v, p, err);
	store_policy_version_free(&v);
	return rc;
}

/*
 * COMPILED POLICIES. Every order taken in is judged by its tenant's
 * active policy; decoding and compiling it each time was most of judging.
 * A version never changes once saved (a change is a new version), so a
 * compiled (tenant, version) stays right for as long as the process runs:
 * judging reads which version is active (once per transaction, store.h)
 * and compiles only a version it has not seen. A slot also keeps the
 * document it compiled and is used only for the same text: a version
 * saved in a transaction that then failed, and saved again with other
 * rules, is the same number with another document (so is a database
 * restored under a running node). The few slots are shared by every
 * thread that judges, under judge_mu, held while judging.
 */
#define JUDGE_SLOTS 8

static struct {
	bool used;
	int64_t tenant;
	int version;
	char *document; /* as stored (NULL: the built-in default) */
	policy p;
} judge_slots[JUDGE_SLOTS];
static unsigned judge_next;
static pthread_mutex_t judge_mu = PTHREAD_MUTEX_INITIALIZER;

/* The compiled active policy of the tenant, under judge_mu. */
static ordo_code judge_policy(store_tx *tx, int64_t tenant,
			      const policy **out, ordo_err *err)
{
	policy_version v;
	bool found;
	int version;
	size_t i;
	ordo_code rc;

	memset(&v, 0, sizeof(v));
	rc = store_policy_active(tx, tenant, &v, err);
	found = rc == ORDO_OK;
	if (rc == ORDO_ENOTFOUND) {
		ordo_err_clear(err);
		rc = ORDO_OK;
	}
	if (rc)
		return rc;
	version = found ? v.version : 0;
	for (i = 0; i < JUDGE_SLOTS; i++)
		if (judge_slots[i].used && judge_slots[i].tenant == tenant &&
		    judge_slots[i].version == version &&
		    (found ? judge_slots[i].document &&
				     strcmp(judge_slots[i].document,
					    v.document) == 0
			   : !judge_slots[i].document)) {
			*out = &judge_slots[i].p;
			store_policy_version_free(&v);
			return ORDO_OK;
		}
	i = judge_next;
	judge_next = (judge_next + 1) % JUDGE_SLOTS;
	if (judge_slots[i].used)
		policy_free(&judge_slots[i].p);
	free(judge_slots[i].document);
	judge_slots[i].document = NULL;
	judge_slots[i].used = false;
	rc = policy_of_version(found ? &v : NULL, &judge_slots[i].p, err);
	if (rc == ORDO_OK && found) {
		judge_slots[i].document = v.document; /* taken over */
		v.document = NULL;
	}
	store_policy_version_free(&v);
	if (rc)
		return rc;
	judge_slots[i].used = true;
	judge_slots[i].tenant = tenant;
	judge_slots[i].version = version;
	*out = &judge_slots[i].p;
	return ORDO_OK;
}

static ordo_code destination_served(store_tx *tx, const order *o, bool *out,
				    ordo_err *err)
{
	char after[ORDO_LOCATION_CODE_MAX] = "";
	ordo_code rc;

	*out = false;
	for (;;) {
		catalog_location *page = NULL;
		size_t n = 0, i, k;

		rc = store_location_list(tx, o->tenant_id, after, ORDO_PAGE_MAX,
					 &page, &n, err);
		if (rc)
			return rc;
		for (i = 0; i < n && !*out; i++) {
			allocate_location a;

			memset(&a, 0, sizeof(a));
			a.active = page[i].active;
			a.n_serves = page[i].n_serves;
			for (k = 0; k < page[i].n_serves; k++)
				ordo_strlcpy(a.serves[k], page[i].serves[k],
					     sizeof(a.serves[k]));
			*out = a.active && allocate_location_serves(
						   &a, o->ship_to.country,
						   o->ship_to.region);
		}
		if (n < ORDO_PAGE_MAX || *out) {
			free(page);
			return ORDO_OK;
		}
		ordo_strlcpy(after, page[n - 1].code, sizeof(after));
		free(page);
	}
}

ordo_code app_policy_context(store_tx *tx, const order *o,
			     policy_context *ctx, ordo_err *err)
{
	ordo_code rc;

	memset(ctx, 0, sizeof(*ctx));
	ctx->o = o;
	rc = store_customer_history(tx, o->tenant_id, o->customer_key,
				    o->received_at,
				    o->seq > 0 ? o->seq : INT64_MAX,
				    &ctx->customer_orders,
				    &ctx->customer_defects, err);
	return rc ? rc : destination_served(tx, o, &ctx->destination_served,
					    err);
}

/*
 * Does the order already carry what rule r would raise? An open hold of
 * its type, or a hold of the same rule a person approved: judging the
 * order again (after a correction) must not undo that decision.
 */
static bool already_judged(const order *o, const policy_rule *r)
{
	size_t i;

	for (i = 0; i < o->n_holds; i++) {
		const order_hold *h = &o->holds[i];

		if (h->status == HOLD_OPEN && h->type == r->hold)
			return true;
		if (h->status == HOLD_RESOLVED &&
		    strcmp(h->resolution, "approve") == 0 &&
		    strcmp(h->rule_id, r->id) == 0)
			return true;
	}
	return false;
}

/* A policy that cannot be evaluated is a defect of ordo, never the
 * order's: the job fails rather than judge the order on part of it. */
static ordo_code evaluate_failed(const policy *p, const policy_outcome *out,
				 ordo_err *err)
{
	if (out->failed && out->failed_at < p->n_rules)
		return ordo_err_set(err, ORDO_EINTERNAL, NULL,
				    "review policy v%d, rule \"%s\" could not "
				    "be evaluated",
				    p->version, p->rules[out->failed_at].id);
	return ordo_err_set(err, ORDO_EINTERNAL, NULL,
			    "review policy v%d could not be evaluated",
			    p->version);
}

ordo_code app_policy_judge(store_tx *tx, order *o, ordo_time now,
			   ordo_err *err)
{
	policy_context ctx;
	policy_outcome out;
	const policy *pp = NULL;
	size_t i;
	ordo_code rc;

	rc = app_policy_context(tx, o, &ctx, err);
	if (rc)
		return rc;
	pthread_mutex_lock(&judge_mu);
	rc = judge_policy(tx, o->tenant_id, &pp, err);
	if (rc)
		goto out;
	rc = policy_evaluate(pp, &ctx, &out);
	if (rc) {
		rc = evaluate_failed(pp, &out, err);
		goto out;
	}
	/* The approve rule that let it through at intake only (a new order
	 * has no seq yet): a later judging (a correction) is no intake. */
	if (out.approved && !o->approved_rule[0] && o->seq == 0)
		ordo_strlcpy(o->approved_rule, pp->rules[out.approved_by].id,
			     sizeof(o->approved_rule));
	for (i = 0; i < out.n_hits; i++) {
		const policy_rule *r = &pp->rules[out.hits[i]];
		order_hold h, *added;

		if (already_judged(o, r))
			continue;
		memset(&h, 0, sizeof(h));
		h.type = r->hold;
		h.status = HOLD_OPEN;
		h.priority = r->priority;
		h.policy_version = pp->version;
		ordo_strlcpy(h.rule_id, r->id, sizeof(h.rule_id));
		ordo_strlcpy(h.field, "", sizeof(h.field));
		ordo_strlcpy(h.raised_by, "policy", sizeof(h.raised_by));
		h.created_at = now;
		snprintf(h.message, sizeof(h.message),
			 "review policy v%d, rule \"%s\": %.120s", pp->version,
			 r->id, r->when);
		added = order_hold_add(o, &h);
		if (!added) {
			rc = ordo_err_set(err, ORDO_ELIMIT, "holds",
					  "the order carries too many holds");
			goto out;
		}
	}
out:
	pthread_mutex_unlock(&judge_mu);
	return rc;
}

ordo_code app_hold_stamp(store_tx *tx, int64_t tenant, order_hold *h,
			 ordo_err *err)
{
	tenant_settings set;
	policy_version v;
	ordo_code rc = store_settings_get(tx, tenant, &set, err);

	if (rc)
		return rc;
	if (!h->id[0])
		ordo_id_new("hld_", h->id);
	if (!h->rule_id[0])
		snprintf(h->rule_id, sizeof(h->rule_id), "%.40s.%s",
			 h->raised_by[0] ? h->raised_by : "ordo",
			 hold_type_name(h->type));
	if (h->priority == 0)
		h->priority = set.hold_priority[h->type];
	h->due_at = h->created_at + set.hold_sla_s[h->type];
	if (strcmp(h->raised_by, "policy") != 0) {
		memset(&v, 0, sizeof(v));
		rc = store_policy_active(tx, tenant, &v, err);
		if (rc == ORDO_ENOTFOUND) {
			ordo_err_clear(err);
			rc = ORDO_OK;
		}
		h->policy_version = v.version;
		store_policy_version_free(&v);
	}
	return rc;
}

/* ---- versions ------------------------------------------------------------ */

ordo_code app_policy_check(const json_t *doc, char **document, ordo_err *err)
{
	app_policy_doc d;
	policy p;
	ordo_code rc = app_policy_decode(doc, &d, err);

	*document = NULL;
	if (rc)
		return rc;
	memset(&p, 0, sizeof(p));
	rc = policy_compile(d.src, d.n, &p, err);
	app_policy_doc_free(&d);
	policy_free(&p);
	if (rc)
		return rc;
	*document = native_dump_flags(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!*document)
		return ordo_err_set(err, ORDO_ENOMEM, NULL, "out of memory");
	return ORDO_OK;
}

ordo_code app_policy_save(store_tx *tx, const app_caller *c,
			  const char *document, ordo_time now,
			  policy_version *out, ordo_err *err)
{
	memset(out, 0, sizeof(*out));
	out->document = strdup(document);
	if (!out->document)
		return ordo_err_set(err, ORDO_ENOMEM, NULL, "out of memory");
	ordo_strlcpy(out->created_by, c->actor, sizeof(out->created_by));
	out->created_at = now;
	return store_policy_insert(tx, c->tenant_id, out, err);
}

/* ---- the command (write.h) ------------------------------------------------ */

static ordo_code policy_run(store_tx *tx, app_write *w, ordo_err *err)
{
	app_policy_cmd *c = (app_policy_cmd *)w;
	ordo_code rc = app_policy_save(tx, &w->caller, c->document, w->now,
				       &c->stored, err);

	if (rc == ORDO_OK)
		rc = app_audit(tx, &w->caller, w->now, "policy.changed",
			       "policy",
			       json_pack("{s:i}", "version",
					 c->stored.version - 1),
			       json_pack("{s:i}", "version", c->stored.version),
			       err);
	return rc;
}

static void policy_clear(app_write *w)
{
	app_policy_cmd *c = (app_policy_cmd *)w;

	store_policy_version_free(&c->stored);
	memset(&c->stored, 0, sizeof(c->stored));
}

static void policy_free_input(app_write *w)
{
	app_policy_cmd *c = (app_policy_cmd *)w;

	free(c->document);
	c->document = NULL;
}

static const app_write_type policy_type = {
	.name = "policy_save",
	.run = policy_run,
	.clear = policy_clear,
	.free_input = policy_free_input,
};

void app_policy_cmd_init(app_policy_cmd *c, const app_caller *caller,
			 ordo_time now)
{
	memset(c, 0, sizeof(*c));
	app_write_init(&c->w, &policy_type, caller, now);
}

/* ---- simulation ---------------------------------------------------------- */

static ordo_code tally(const policy *p, const policy_context *ctx, bool bad,
		       app_sim_side *side, ordo_err *err)
{
	policy_outcome out;
	size_t i;

	if (policy_evaluate(p, ctx, &out))
		return evaluate_failed(p, &out, err);
	if (out.n_hits > 0)
		side->held++;
	side->holds += (int64_t)out.n_hits;
	for (i = 0; i < out.n_hits; i++)
		side->by_rule[out.hits[i]]++;
	if (bad) {
		if (out.n_hits > 0)
			side->defects_caught++;
		else
			side->defects_missed++;
	}
	return ORDO_OK;
}

static bool cancelled_in_review(const order *o)
{
	size_t i;

	for (i = 0; i < o->n_holds; i++)
		if (strcmp(o->holds[i].resolution, "cancel_order") == 0)
			return true;
	return false;
}

static ordo_code simulate_in(store_tx *tx, const app_caller *c,
			     const policy *candidate, ordo_time from,
			     ordo_time to, app_sim_result *res, ordo_err *err)
{
	order_filter f;
	int64_t handled = 0;
	ordo_code rc;

	rc = app_policy_load(tx, c->tenant_id, &res->active_policy, err);
	if (rc == ORDO_OK)
		rc = store_handling_time(tx, c->tenant_id, &res->mean_handling_s,
					 &handled, err);
	if (rc)
		return rc;
	if (handled == 0)
		res->mean_handling_s = APP_DEFAULT_HANDLING_S;
	memset(&f, 0, sizeof(f));
	f.received_from = from;
	f.received_to = to;
	f.limit = ORDO_PAGE_MAX;
	for (;;) {
		order_page page;
		size_t i;

		memset(&page, 0, sizeof(page));
		rc = store_order_list(tx, c->tenant_id, &f, &page, err);
		if (rc)
			return rc;
		for (i = 0; rc == ORDO_OK && i < page.n; i++) {
			const order *o = &page.orders[i];
			policy_context ctx;
			int64_t defects = 0;
			bool bad;

			rc = app_policy_context(tx, o, &ctx, err);
			if (rc == ORDO_OK)
				rc = store_order_defect_count(
					tx, c->tenant_id, o->id, &defects,
					err);
			if (rc)
				break;
			bad = defects > 0 || cancelled_in_review(o);
			res->orders++;
			rc = tally(candidate, &ctx, bad, &res->candidate, err);
			if (rc == ORDO_OK)
				rc = tally(&res->active_policy, &ctx, bad,
					   &res->active, err);
		}
		f.before_seq = page.next_before_seq;
		order_page_free(&page);
		if (rc || f.before_seq == 0)
			return rc;
	}
}

ordo_code app_policy_simulate(store *st, const app_caller *c,
			      const policy *candidate, ordo_time from,
			      ordo_time to, app_sim_result *res, ordo_err *err)
{
	store_tx *tx;
	ordo_code rc;

	memset(res, 0, sizeof(*res));
	rc = store_read_begin(st, &tx, err);
	if (rc)
		return rc;
	rc = simulate_in(tx, c, candidate, from, to, res, err);
	store_read_end(tx);
	return rc;
}

void app_sim_result_free(app_sim_result *res)
{
	policy_free(&res->active_policy);
}
