/*
 * policy.c - the review policy over HTTP: the active version, new
 * versions, the history, and simulation over past orders. The history ends
 * with the built-in default (version 0, "builtin": true), which a tenant
 * restores by putting its rules as a new version.
 *
 * A new version is checked whole here, before the write (its shape, then
 * its rules decoded and compiled); the write only stores it, and the
 * answer is encoded from the version stored once it is durable.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api_int.h"
#include "channels/json_fields.h"
#include "core/timeutil.h"

static const char *const no_query[] = {NULL};

/*
 * The shape of a policy document: {"rules": [{"id", "when", "then"}]},
 * "then" being "approve" or {"hold", "priority"}. Checked before the write
 * (and before a simulation), not where stored documents are read back, so
 * that a version saved before ordo was strict still loads. A version's
 * number and authorship, shown in answers, are ordo's to set.
 */
static void policy_doc_check(const json_t *doc, const char *parent,
			     ordo_err *err)
{
	static const char *const members[] = {"rules", NULL};
	static const char *const computed[] = {"version", "created_at",
					       "created_by", NULL};
	static const char *const rule_members[] = {"id", "when", "then",
						   NULL};
	static const char *const then_members[] = {"hold", "priority", NULL};
	char path[ORDO_ERR_FIELD_MAX], rule[ORDO_ERR_FIELD_MAX];
	const json_t *rules, *r;
	size_t i;

	jf_only(doc, parent, members, computed, err);
	rules = json_object_get(doc, "rules");
	if (!json_is_array(rules))
		return;
	jf_path(path, sizeof(path), parent, "rules");
	json_array_foreach(rules, i, r) {
		jf_index_path(rule, sizeof(rule), path, i);
		jf_only(r, rule, rule_members, NULL, err);
		if (json_is_object(r)) {
			char then[ORDO_ERR_FIELD_MAX];

			jf_path(then, sizeof(then), rule, "then");
			jf_only(json_object_get(r, "then"), then,
				then_members, NULL, err);
		}
	}
}

/* Check doc's shape; on a problem answer 400 and return false. */
static bool policy_doc_ok(api_request *r, const json_t *doc,
			  const char *parent, enum MHD_Result *ret)
{
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	bool ok;

	policy_doc_check(doc, parent, err);
	ok = err->code == ORDO_OK;
	if (!ok) {
		ordo_err_set_message(err, "the policy has %zu problem%s",
				     err->n_details,
				     err->n_details == 1 ? "" : "s");
		*ret = api_reply_error(r, err);
	}
	ordo_err_clear(err);
	return ok;
}

/* The built-in default as a document, in the shape tenants write. */
static json_t *default_rules_json(void)
{
	json_t *rules = json_array();
	size_t i;

	for (i = 0; i < policy_default_count; i++) {
		const policy_rule_src *s = &policy_default_rules[i];

		json_array_append_new(
			rules,
			json_pack("{s:s, s:s, s:o}", "id", s->id, "when",
				  s->when, "then",
				  s->approve
					  ? json_string("approve")
					  : json_pack("{s:s, s:i}", "hold",
						      hold_type_name(s->hold),
						      "priority",
						      s->priority)));
	}
	return rules;
}

static json_t *version_json(const policy_version *v)
{
	json_t *doc = v->document ? json_loads(v->document, 0, NULL) : NULL;
	json_t *j = json_pack("{s:i}", "version", v->version);

	json_object_set_new(j, "rules",
			    doc ? json_incref(json_object_get(doc, "rules"))
				: default_rules_json());
	json_object_set_new(j, "created_at", native_time_json(v->created_at));
	json_object_set_new(j, "created_by", v->created_by[0]
						     ? json_string(v->created_by)
						     : json_null());
	/* Version 0 is ordo's own default, never stored: listed so that it
	 * can be read and put back (PUT /v1/policy with its rules). */
	json_object_set_new(j, "builtin", json_boolean(v->version == 0));
	json_decref(doc);
	return j;
}

enum MHD_Result api_policy_get(api_request *r)
{
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	policy_version v;
	enum MHD_Result ret;
	ordo_code rc;

	if (!api_query_only(r, no_query, &ret)) {
		ordo_err_clear(err);
		return ret;
	}
	memset(&v, 0, sizeof(v));
	rc = app_policy_active(r->srv->st, &r->caller, &v, err);
	if (rc == ORDO_ENOTFOUND) {
		rc = ORDO_OK;
		memset(&v, 0, sizeof(v)); /* version 0: the default */
	}
	if (rc) {
		ret = api_reply_error(r, err);
	} else {
		ret = api_reply_json(r, MHD_HTTP_OK, version_json(&v));
	}
	store_policy_version_free(&v);
	ordo_err_clear(err);
	return ret;
}

enum MHD_Result api_policy_versions(api_request *r)
{
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	policy_version *vs = NULL;
	json_t *arr;
	size_t n = 0, i;
	enum MHD_Result ret;

	if (!api_query_only(r, no_query, &ret)) {
		ordo_err_clear(err);
		return ret;
	}
	if (app_policy_versions(r->srv->st, &r->caller, &vs, &n, err)) {
		ret = api_reply_error(r, err);
		ordo_err_clear(err);
		return ret;
	}
	ordo_err_clear(err);
	arr = json_array();
	for (i = 0; i < n; i++) {
		json_array_append_new(arr, version_json(&vs[i]));
		store_policy_version_free(&vs[i]);
	}
	free(vs);
	/* The built-in default, the oldest version, last. */
	{
		policy_version builtin;

		memset(&builtin, 0, sizeof(builtin));
		json_array_append_new(arr, version_json(&builtin));
	}
	return api_reply_json(r, MHD_HTTP_OK,
			      json_pack("{s:o}", "versions", arr));
}

/* 201 with the version stored. */
static json_t *policy_reply(api_request *r, const app_write *w, int *status)
{
	(void)r;
	*status = 201;
	return version_json(&((const app_policy_cmd *)w)->stored);
}

/*
 * The document's shape is checked, then its rules decoded and compiled
 * (app_policy_check), all before the write: the command carries the
 * checked text, which its run only stores.
 */
enum MHD_Result api_policy_put(api_request *r)
{
	enum MHD_Result ret;
	app_policy_cmd *c;
	ordo_err err = ORDO_ERR_INIT;
	json_t *doc;

	if (!api_query_only(r, no_query, &ret))
		return ret;
	doc = api_body_object(r, &ret);
	if (!doc)
		return ret;
	if (!policy_doc_ok(r, doc, "", &ret)) {
		json_decref(doc);
		return ret;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		json_decref(doc);
		return api_reply_nomem(r);
	}
	app_policy_cmd_init(c, &r->caller, api_now(r));
	if (app_policy_check(doc, &c->document, &err) != ORDO_OK) {
		json_decref(doc);
		ret = api_reply_error(r, &err);
		ordo_err_clear(&err);
		api_write_free(&c->w);
		return ret;
	}
	json_decref(doc);
	return api_submit_write(r, &c->w, policy_reply, api_write_free);
}

static json_t *side_json(const app_sim_side *s, const policy *p,
			 int64_t orders, int64_t mean_handling_s)
{
	json_t *by_rule = json_object();
	size_t i;
	/* Rounded in integers: share to 4 places, hours to 2. */
	int64_t share_e4 = orders ? (s->held * 10000 + orders / 2) / orders
				  : 0;
	int64_t hours_e2 = (s->holds * mean_handling_s * 100 + 1800) / 3600;

	for (i = 0; i < p->n_rules; i++)
		if (!p->rules[i].approve)
			json_object_set_new(by_rule, p->rules[i].id,
					    json_integer(s->by_rule[i]));
	return json_pack("{s:I, s:f, s:o, s:f, s:I, s:I}", "held",
			 (json_int_t)s->held, "share",
			 (double)share_e4 / 10000.0, "by_rule", by_rule,
			 "review_hours", (double)hours_e2 / 100.0,
			 "defects_caught", (json_int_t)s->defects_caught,
			 "defects_missed", (json_int_t)s->defects_missed);
}

/* Run a simulation of candidate (a {"rules": [...]} document); answer
 * the result as JSON in *out. Shared with `ordo simulate`. */
ordo_code api_simulate(store *st, const app_caller *c, const json_t *doc,
		       ordo_time from, ordo_time to, json_t **out,
		       ordo_err *err)
{
	app_policy_doc d;
	app_sim_result res;
	policy candidate;
	ordo_code rc;

	/* The HTTP route checked it already (naming "policy.<path>"); the
	 * CLI's file is checked here. */
	policy_doc_check(doc, "", err);
	if (err->code != ORDO_OK)
		return err->code;
	rc = app_policy_decode(doc, &d, err);
	if (rc)
		return rc;
	memset(&candidate, 0, sizeof(candidate));
	rc = policy_compile(d.src, d.n, &candidate, err);
	app_policy_doc_free(&d);
	if (rc)
		return rc;
	rc = app_policy_simulate(st, c, &candidate, from, to, &res, err);
	if (rc == ORDO_OK) {
		*out = json_pack("{s:I, s:o, s:o, s:I, s:o, s:o}", "orders",
				 (json_int_t)res.orders, "from",
				 native_time_json(from), "to",
				 native_time_json(to), "mean_handling_s",
				 (json_int_t)res.mean_handling_s, "candidate",
				 side_json(&res.candidate, &candidate,
					   res.orders, res.mean_handling_s),
				 "active",
				 side_json(&res.active, &res.active_policy,
					   res.orders, res.mean_handling_s));
		json_object_set_new(*out, "active_version",
				    json_integer(res.active_policy.version));
	}
	app_sim_result_free(&res);
	policy_free(&candidate);
	return rc;
}

enum MHD_Result api_policy_simulate(api_request *r)
{
	static const char *const members[] = {"policy", "from", "to", NULL};
	enum MHD_Result ret;
	json_t *doc, *cand, *answer = NULL;
	int64_t from = 0, to = 0;
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;

	if (!api_query_only(r, no_query, &ret))
		return ret;
	doc = api_body_object(r, &ret);
	if (!doc)
		return ret;
	jf_only(doc, "", members, NULL, err);
	cand = jf_object(doc, "", "policy", true, err);
	if (cand)
		policy_doc_check(cand, "policy", err);
	jf_time(doc, "", "from", false, &from, err);
	jf_time(doc, "", "to", false, &to, err);
	if (err->code == ORDO_OK)
		api_simulate(r->srv->st, &r->caller, cand, from, to, &answer,
			     err);
	json_decref(doc);
	if (err->code != ORDO_OK) {
		if (!err->message[0] && err->n_details)
			ordo_err_set_message(err, "%s",
					     err->details[0].message);
		ret = api_reply_error(r, err);
	} else {
		ret = api_reply_json(r, MHD_HTTP_OK, answer);
	}
	ordo_err_clear(err);
	return ret;
}
