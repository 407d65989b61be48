/*
 * reconcile.c - POST /v1/reconciliations: a location's view of its open
 * work, as JSON or as a CSV file, answered with every difference from
 * ordo's (app/reconcile.h).
 *
 *   JSON  {"location": "WH-1", "items": [{"fulfillment_id" | "order",
 *          "status", "lines": [{"sku", "quantity", "shipped"}]}]}
 *   CSV   ?location=WH-1, one row per line: fulfillment_id, order,
 *          status, sku, quantity, shipped (header names in any case;
 *          the rows of one fulfillment or order together make its item)
 *
 * It changes nothing. The differences name the item by its place in the
 * items (JSON) or the line its first row is on (CSV).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api_int.h"
#include "app/reconcile.h"
#include "channels/csv.h"
#include "channels/json_fields.h"

static const char *const json_query[] = {NULL};
static const char *const csv_query[] = {"location", NULL};

struct view {
	char location[ORDO_LOCATION_CODE_MAX];
	recon_item *items;
	size_t n, cap;
	bool csv;
};

static recon_item *item_new(struct view *v, size_t where, ordo_err *err)
{
	recon_item *p;

	if (v->n >= RECONCILE_ITEMS_MAX) {
		ordo_err_set(err, ORDO_ELIMIT, v->csv ? "file" : "items",
			     "a view holds at most %d items",
			     RECONCILE_ITEMS_MAX);
		return NULL;
	}
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 16;

		p = realloc(v->items, cap * sizeof(*p));
		if (!p) {
			ordo_err_set(err, ORDO_ENOMEM, NULL, "out of memory");
			return NULL;
		}
		v->items = p;
		v->cap = cap;
	}
	p = &v->items[v->n++];
	memset(p, 0, sizeof(*p));
	p->where = where;
	return p;
}

/* A status an item may have, or an error naming path. */
static void status_of(const char *text, const char *path, recon_item *it,
		      ordo_err *err)
{
	if (fulfillment_state_parse(text, &it->status) != 0 ||
	    !recon_status_ok(it->status))
		ordo_err_add(err, ORDO_EINVALID, path,
			     "\"%s\" is not a status of a fulfillment a "
			     "warehouse holds; one of: released, accepted, "
			     "shipped, cancelled",
			     text);
}

static void json_item(const json_t *j, size_t i, struct view *v,
		      ordo_err *err)
{
	static const char *const members[] = {"fulfillment_id", "order",
					      "status", "lines", NULL};
	static const char *const line_members[] = {"sku", "quantity",
						   "shipped", NULL};
	char path[ORDO_ERR_FIELD_MAX], lpath[ORDO_ERR_FIELD_MAX], st[32];
	const json_t *lines, *l;
	recon_item *it;
	size_t k;

	jf_index_path(path, sizeof(path), "items", i);
	if (!json_is_object(j)) {
		ordo_err_add(err, ORDO_EINVALID, path, "must be an object");
		return;
	}
	it = item_new(v, i, err);
	if (!it)
		return;
	jf_only(j, path, members, NULL, err);
	jf_string(j, path, "fulfillment_id", false, it->fulfillment_id,
		  sizeof(it->fulfillment_id), err);
	jf_string(j, path, "order", false, it->order_ref,
		  sizeof(it->order_ref), err);
	if (!it->fulfillment_id[0] && !it->order_ref[0])
		ordo_err_add(err, ORDO_EINVALID, path,
			     "names no fulfillment_id and no order");
	if (it->fulfillment_id[0] && it->order_ref[0])
		ordo_err_add(err, ORDO_EINVALID, path,
			     "names its fulfillment_id and its order: one of "
			     "them, so that the one is never taken for the "
			     "other");
	if (jf_string(j, path, "status", true, st, sizeof(st), err)) {
		jf_path(lpath, sizeof(lpath), path, "status");
		status_of(st, lpath, it, err);
	}
	lines = jf_array(j, path, "lines", true, err);
	if (json_array_size(lines) > RECONCILE_LINES_MAX) {
		jf_path(lpath, sizeof(lpath), path, "lines");
		ordo_err_add(err, ORDO_ELIMIT, lpath,
			     "an item has at most %d lines",
			     RECONCILE_LINES_MAX);
		return;
	}
	json_array_foreach(lines, k, l) {
		recon_line *rl = &it->lines[it->n_lines++];
		char base[ORDO_ERR_FIELD_MAX];
		int64_t q = 0;

		jf_path(base, sizeof(base), path, "lines");
		jf_index_path(lpath, sizeof(lpath), base, k);
		rl->shipped = -1;
		if (!json_is_object(l)) {
			ordo_err_add(err, ORDO_EINVALID, lpath,
				     "must be an object");
			continue;
		}
		jf_only(l, lpath, line_members, NULL, err);
		jf_string(l, lpath, "sku", true, rl->sku, sizeof(rl->sku), err);
		if (jf_int(l, lpath, "quantity", true, 0, ORDO_MAX_QUANTITY,
			   &q, err))
			rl->quantity = q;
		if (jf_int(l, lpath, "shipped", false, 0, ORDO_MAX_QUANTITY, &q,
			   err))
			rl->shipped = q;
		if (rl->shipped > rl->quantity)
			ordo_err_add(err, ORDO_EINVALID, lpath,
				     "shipped %lld of %lld: more than it has "
				     "to ship",
				     (long long)rl->shipped,
				     (long long)rl->quantity);
	}
}

static void json_view(const json_t *doc, void *out, ordo_err *err)
{
	static const char *const members[] = {"location", "items", NULL};
	struct view *v = out;
	const json_t *items, *j;
	size_t i;

	jf_only(doc, "", members, NULL, err);
	jf_string(doc, "", "location", true, v->location,
		  sizeof(v->location), err);
	items = jf_array(doc, "", "items", true, err);
	json_array_foreach(items, i, j) {
		json_item(j, i, v, err);
		if (err->code == ORDO_ELIMIT || err->code == ORDO_ENOMEM)
			break;
	}
}

/* ---- CSV ------------------------------------------------------------------- */

enum col { C_FUL, C_ORDER, C_STATUS, C_SKU, C_QTY, C_SHIPPED, C_COUNT };

static const char *const col_names[C_COUNT] = {
	"fulfillment_id", "order", "status", "sku", "quantity", "shipped",
};

struct csv_ctx {
	struct view *v;
	int col[C_COUNT]; /* -1: the file has none */
	size_t width;	  /* the header's cells */
};

static const char *cell(const struct csv_ctx *x, enum col c,
			const char *const *cells, size_t n)
{
	return x->col[c] >= 0 && (size_t)x->col[c] < n ? cells[x->col[c]]
							: "";
}

/* A count 0 .. ORDO_MAX_QUANTITY written in digits. */
static bool whole(const char *s, int64_t *out)
{
	int64_t v = 0;

	if (!s[0] || strlen(s) > 7 || strspn(s, "0123456789") != strlen(s))
		return false;
	for (; *s; s++)
		v = v * 10 + (*s - '0');
	*out = v;
	return v <= ORDO_MAX_QUANTITY;
}

static ordo_code csv_row(void *ctx, uint32_t line, bool header,
			 const char *const *cells, size_t n, ordo_err *err)
{
	struct csv_ctx *x = ctx;
	const char *ful, *ord, *sku;
	recon_item *it = NULL;
	recon_line *rl;
	char path[32];
	size_t i, k;
	int64_t q;

	if (header) {
		for (k = 0; k < C_COUNT; k++)
			x->col[k] = -1;
		x->width = n;
		for (i = 0; i < n; i++) {
			for (k = 0; k < C_COUNT; k++)
				if (strcasecmp(cells[i], col_names[k]) == 0)
					break;
			if (k == C_COUNT)
				return ordo_err_set(
					err, ORDO_EINVALID, "file",
					"column \"%.40s\" is not one ordo "
					"reads; the columns are fulfillment_id, "
					"order, status, sku, quantity and "
					"shipped",
					cells[i]);
			if (x->col[k] >= 0)
				return ordo_err_set(err, ORDO_EINVALID, "file",
						    "column %s is named twice",
						    col_names[k]);
			x->col[k] = (int)i;
		}
		if (x->col[C_STATUS] < 0 || x->col[C_SKU] < 0 ||
		    x->col[C_QTY] < 0 ||
		    (x->col[C_FUL] < 0 && x->col[C_ORDER] < 0))
			return ordo_err_set(err, ORDO_EINVALID, "file",
					    "the header must name the columns "
					    "status, sku, quantity, and "
					    "fulfillment_id or order (shipped "
					    "is optional)");
		return ORDO_OK;
	}
	snprintf(path, sizeof(path), "line %u", (unsigned)line);
	for (i = x->width; i < n; i++)
		if (cells[i][0])
			return ordo_err_set(err, ORDO_EINVALID, path,
					    "has more cells than the header "
					    "names columns");
	ful = cell(x, C_FUL, cells, n);
	ord = cell(x, C_ORDER, cells, n);
	sku = cell(x, C_SKU, cells, n);
	if (!ful[0] && !ord[0])
		return ordo_err_set(err, ORDO_EINVALID, path,
				    "names no fulfillment_id and no order");
	if (ful[0] && ord[0])
		return ordo_err_set(err, ORDO_EINVALID, path,
				    "names its fulfillment_id and its order: "
				    "one of them");
	if (strlen(ful) >= ORDO_ID_MAX || strlen(ord) >= ORDO_EXTERNAL_ID_MAX ||
	    !sku[0] || strlen(sku) >= ORDO_SKU_MAX)
		return ordo_err_set(err, ORDO_EINVALID, path,
				    "a fulfillment id, order or SKU too long, "
				    "or no SKU");
	/* The rows of one item follow each other: the last item, or a new
	 * one. */
	if (x->v->n) {
		recon_item *last = &x->v->items[x->v->n - 1];

		if (strcmp(last->fulfillment_id, ful) == 0 &&
		    strcmp(last->order_ref, ord) == 0)
			it = last;
	}
	for (i = 0; !it && i + 1 < x->v->n; i++)
		if (strcmp(x->v->items[i].fulfillment_id, ful) == 0 &&
		    strcmp(x->v->items[i].order_ref, ord) == 0)
			return ordo_err_set(err, ORDO_EINVALID, path,
					    "the rows of one fulfillment or "
					    "order follow each other (line %zu "
					    "named it already)",
					    x->v->items[i].where);
	if (!it) {
		it = item_new(x->v, line, err);
		if (!it)
			return err->code;
		ordo_strlcpy(it->fulfillment_id, ful, sizeof(it->fulfillment_id));
		ordo_strlcpy(it->order_ref, ord, sizeof(it->order_ref));
		status_of(cell(x, C_STATUS, cells, n), path, it, err);
		if (err->code)
			return err->code;
	} else {
		fulfillment_state s;

		if (fulfillment_state_parse(cell(x, C_STATUS, cells, n), &s) !=
			    0 ||
		    s != it->status)
			return ordo_err_set(err, ORDO_EINVALID, path,
					    "status \"%.20s\" is not the "
					    "status the rows before it give",
					    cell(x, C_STATUS, cells, n));
	}
	if (it->n_lines >= RECONCILE_LINES_MAX)
		return ordo_err_set(err, ORDO_ELIMIT, path,
				    "an item has at most %d lines",
				    RECONCILE_LINES_MAX);
	rl = &it->lines[it->n_lines++];
	ordo_strlcpy(rl->sku, sku, sizeof(rl->sku));
	if (!whole(cell(x, C_QTY, cells, n), &rl->quantity))
		return ordo_err_set(err, ORDO_EINVALID, path,
				    "quantity \"%.20s\" is not a count",
				    cell(x, C_QTY, cells, n));
	rl->shipped = -1;
	if (cell(x, C_SHIPPED, cells, n)[0]) {
		if (!whole(cell(x, C_SHIPPED, cells, n), &q))
			return ordo_err_set(err, ORDO_EINVALID, path,
					    "shipped \"%.20s\" is not a count",
					    cell(x, C_SHIPPED, cells, n));
		rl->shipped = q;
		if (q > rl->quantity)
			return ordo_err_set(err, ORDO_EINVALID, path,
					    "shipped %lld of %lld: more than it "
					    "has to ship",
					    (long long)q,
					    (long long)rl->quantity);
	}
	return ORDO_OK;
}

/* ---- the answer ------------------------------------------------------------ */

static json_t *answer(const struct view *v, const recon_diff *d, size_t n,
		      size_t matched, size_t open)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < n; i++) {
		json_t *item = d[i].item < 0
				       ? json_null()
				       : json_integer((json_int_t)v->items[d[i].item]
							      .where);

		json_array_append_new(
			arr,
			json_pack("{s:s, s:o, s:o, s:o, s:o, s:s}", "kind",
				  recon_kind_name(d[i].kind),
				  v->csv ? "line" : "item", item,
				  "fulfillment_id",
				  d[i].fulfillment_id[0]
					  ? json_string(d[i].fulfillment_id)
					  : json_null(),
				  "order_id",
				  d[i].order_id[0] ? json_string(d[i].order_id)
						   : json_null(),
				  "sku",
				  d[i].sku[0] ? json_string(d[i].sku)
					      : json_null(),
				  "message", d[i].message));
	}
	return json_pack("{s:s, s:I, s:I, s:I, s:o}", "location", v->location,
			 "items", (json_int_t)v->n, "open_in_ordo",
			 (json_int_t)open, "matched", (json_int_t)matched,
			 "differences", arr);
}

enum MHD_Result api_reconcile(api_request *r)
{
	ordo_err err = ORDO_ERR_INIT;
	struct view v;
	recon_diff *d = NULL;
	size_t n = 0, matched = 0, open = 0;
	enum MHD_Result ret;

	memset(&v, 0, sizeof(v));
	v.csv = api_content_is(r, "text/csv");
	if (v.csv) {
		struct csv_ctx x = {.v = &v};
		const char *loc = api_query(r, "location");

		if (!api_query_only(r, csv_query, &ret))
			return ret;
		if (!loc || !loc[0] || strlen(loc) >= sizeof(v.location))
			return api_reply_fail(r, ORDO_EINVALID, "location",
					      "a CSV view names its location "
					      "in the query: ?location=CODE");
		ordo_strlcpy(v.location, loc, sizeof(v.location));
		if (csv_table_read(r->body ? r->body : "", r->body_len,
				   csv_row, &x, &err) != ORDO_OK)
			goto fail;
	} else {
		if (!api_content_is(r, "application/json"))
			return api_reply_fail(r, ORDO_EMEDIA, "Content-Type",
					      "send the view as "
					      "application/json or text/csv");
		if (!api_query_only(r, json_query, &ret) ||
		    !api_decode_body(r, json_view, &v, &ret)) {
			free(v.items);
			return ret;
		}
	}
	if (app_reconcile(r->srv->st, &r->caller, v.location, v.items, v.n,
			  &d, &n, &matched, &open, &err) != ORDO_OK)
		goto fail;
	ret = api_reply_json(r, MHD_HTTP_OK, answer(&v, d, n, matched, open));
	free(d);
	free(v.items);
	return ret;
fail:
	ret = api_reply_error(r, &err);
	ordo_err_clear(&err);
	free(v.items);
	return ret;
}
