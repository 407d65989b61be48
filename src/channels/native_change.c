/*
 * native_change.c - a change asked of an order, from ordo's own JSON, into
 * a core order_change (see native.h).
 *
 *     {"kind": "ship_to", "ship_to": {address}}
 *     {"kind": "quantity", "line_no": 2, "quantity": 3}
 *     {"kind": "add_line", "line": {"sku", "title", "quantity",
 *                                    "unit_price": "12.50"}}
 *     {"kind": "remove_line", "line_no": 2}
 *     {"kind": "shipping_method", "method": "express", "amount": "9.90"}
 *     {"kind": "cancel", "lines": [{"line_no": 1, "quantity": 2}]}
 *
 * Each kind takes its own members and no other's: a member of another
 * kind is refused by name, so that a change never does less than it said.
 * Money stays the text it came as; its decimals are checked against the
 * order's currency when the change is applied (order_change_apply).
 */
#include "channels/native.h"

#include <stdio.h>
#include <string.h>

#include "channels/json_fields.h"

static const char *const all_members[] = {
	"kind",	  "reason",   "ship_to", "line_no", "quantity",
	"line",	  "method",   "amount",	 "lines",   NULL,
};

/* The members of each kind besides "kind" and "reason". */
static const char *const *kind_members(change_kind k)
{
	static const char *const ship_to[] = {"ship_to", NULL};
	static const char *const quantity[] = {"line_no", "quantity", NULL};
	static const char *const add_line[] = {"line", NULL};
	static const char *const remove_line[] = {"line_no", NULL};
	static const char *const method[] = {"method", "amount", NULL};
	static const char *const cancel[] = {"lines", NULL};

	switch (k) {
	case CHANGE_SHIP_TO:
		return ship_to;
	case CHANGE_QUANTITY:
		return quantity;
	case CHANGE_ADD_LINE:
		return add_line;
	case CHANGE_REMOVE_LINE:
		return remove_line;
	case CHANGE_SHIPPING_METHOD:
		return method;
	case CHANGE_CANCEL:
	case CHANGE_KIND_COUNT:
		break;
	}
	return cancel;
}

static bool listed(const char *const *list, const char *name)
{
	for (; *list; list++)
		if (strcmp(*list, name) == 0)
			return true;
	return false;
}

/* A decimal amount as text ("12.50"), its scale checked later. */
static void money_text(const json_t *obj, const char *parent, const char *key,
		       bool required, char *dst, size_t size, ordo_err *err)
{
	char path[ORDO_ERR_FIELD_MAX];
	const json_t *v = json_object_get(obj, key);
	const char *s;
	size_t i, dots = 0;

	if (!v && !required)
		return;
	jf_path(path, sizeof(path), parent, key);
	/* Given, it says something: "" or null is no amount. */
	if (!jf_string(obj, parent, key, true, dst, size, err))
		return;
	s = dst;
	for (i = 0; s[i]; i++) {
		if (s[i] == '.')
			dots++;
		else if (s[i] < '0' || s[i] > '9')
			break;
	}
	if (s[i] || dots > 1 || !s[0] || s[0] == '.')
		ordo_err_add(err, ORDO_EINVALID, path,
			     "must be a decimal amount such as \"12.50\"");
}

static void decode_line(const json_t *doc, order_change *c, ordo_err *err)
{
	static const char *const members[] = {"sku",	    "title",
					      "quantity",   "unit_price",
					      "external_id", NULL};
	const json_t *l = jf_object(doc, "", "line", true, err);
	int64_t q = 0;

	if (!l)
		return;
	jf_only(l, "line", members, NULL, err);
	jf_string(l, "line", "sku", true, c->add.sku, sizeof(c->add.sku), err);
	jf_string(l, "line", "title", false, c->add.title,
		  sizeof(c->add.title), err);
	jf_string(l, "line", "external_id", false, c->add.external_id,
		  sizeof(c->add.external_id), err);
	if (jf_int(l, "line", "quantity", true, 1, ORDO_MAX_QUANTITY, &q, err))
		c->add.quantity = q;
	money_text(l, "line", "unit_price", true, c->add_price,
		   sizeof(c->add_price), err);
}

static void decode_cancel_lines(const json_t *doc, order_change *c,
				ordo_err *err)
{
	static const char *const members[] = {"line_no", "quantity", NULL};
	const json_t *arr = jf_array(doc, "", "lines", false, err), *l;
	char path[ORDO_ERR_FIELD_MAX];
	size_t i;

	/* null is not "the whole order": that is said by leaving it out. */
	if (json_is_null(json_object_get(doc, "lines"))) {
		ordo_err_add(err, ORDO_EINVALID, "lines",
			     "must be an array; leave it out to cancel the "
			     "whole order");
		return;
	}
	if (!arr)
		return;
	if (json_array_size(arr) == 0) {
		ordo_err_add(err, ORDO_EINVALID, "lines",
			     "names no line; leave it out to cancel the "
			     "whole order");
		return;
	}
	if (json_array_size(arr) > CHANGE_LINES_MAX) {
		ordo_err_add(err, ORDO_ELIMIT, "lines",
			     "at most %d lines are cancelled at once",
			     CHANGE_LINES_MAX);
		return;
	}
	json_array_foreach(arr, i, l) {
		int64_t v = 0;

		jf_index_path(path, sizeof(path), "lines", i);
		if (!json_is_object(l)) {
			ordo_err_add(err, ORDO_EINVALID, path,
				     "must be an object");
			continue;
		}
		jf_only(l, path, members, NULL, err);
		if (jf_int(l, path, "line_no", true, 1, ORDO_MAX_LINES, &v,
			   err))
			c->lines[c->n_lines].line_no = (int)v;
		if (jf_int(l, path, "quantity", true, 1, ORDO_MAX_QUANTITY, &v,
			   err))
			c->lines[c->n_lines].quantity = v;
		c->n_lines++;
	}
}

json_t *native_change_json(const order_change *c)
{
	json_t *j = json_pack("{s:s}", "kind", change_kind_name(c->kind));
	const order_address *a = &c->ship_to;
	size_t i;

	if (!j)
		return NULL;
	switch (c->kind) {
	case CHANGE_SHIP_TO:
		json_object_set_new(
			j, "ship_to",
			json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, "
				  "s:s?, s:s?}",
				  "name", a->name[0] ? a->name : NULL,
				  "company", a->company[0] ? a->company : NULL,
				  "line1", a->line1[0] ? a->line1 : NULL,
				  "line2", a->line2[0] ? a->line2 : NULL,
				  "city", a->city[0] ? a->city : NULL,
				  "region", a->region[0] ? a->region : NULL,
				  "postal_code",
				  a->postal_code[0] ? a->postal_code : NULL,
				  "country", a->country[0] ? a->country : NULL,
				  "phone", a->phone[0] ? a->phone : NULL));
		break;
	case CHANGE_QUANTITY:
		json_object_set_new(j, "quantity", json_integer(c->quantity));
		json_object_set_new(j, "line_no", json_integer(c->line_no));
		break;
	case CHANGE_REMOVE_LINE:
		json_object_set_new(j, "line_no", json_integer(c->line_no));
		break;
	case CHANGE_ADD_LINE: {
		json_t *l = json_pack("{s:s, s:I, s:s}", "sku", c->add.sku,
				      "quantity", (json_int_t)c->add.quantity,
				      "unit_price", c->add_price);

		if (c->add.title[0])
			json_object_set_new(l, "title",
					    json_string(c->add.title));
		if (c->add.external_id[0])
			json_object_set_new(l, "external_id",
					    json_string(c->add.external_id));
		json_object_set_new(j, "line", l);
		break;
	}
	case CHANGE_SHIPPING_METHOD:
		json_object_set_new(j, "method", json_string(c->method));
		if (c->amount[0])
			json_object_set_new(j, "amount",
					    json_string(c->amount));
		break;
	case CHANGE_CANCEL:
		if (c->n_lines) {
			json_t *arr = json_array();

			for (i = 0; i < c->n_lines; i++)
				json_array_append_new(
					arr,
					json_pack("{s:i, s:I}", "line_no",
						  c->lines[i].line_no,
						  "quantity",
						  (json_int_t)c->lines[i]
							  .quantity));
			json_object_set_new(j, "lines", arr);
		}
		break;
	case CHANGE_KIND_COUNT:
		break;
	}
	return j;
}

ordo_code native_change_decode(const json_t *doc, order_change *c,
			       ordo_err *err)
{
	char kind[32], list[JF_LIST_MAX];
	const char *key;
	const json_t *v, *obj;
	int64_t n = 0;

	order_change_init(c);
	jf_only(doc, "", all_members, NULL, err);
	if (!jf_string(doc, "", "kind", true, kind, sizeof(kind), err))
		return err->code;
	if (change_kind_parse(kind, &c->kind) != 0) {
		JF_ENUM_LIST(list, sizeof(list), change_kind_name,
			     CHANGE_KIND_COUNT);
		ordo_err_add(err, ORDO_EINVALID, "kind",
			     "\"%s\" is not a change kind; one of: %s", kind,
			     list);
		return err->code;
	}
	json_object_foreach((json_t *)doc, key, v) {
		if (strcmp(key, "kind") == 0 || strcmp(key, "reason") == 0 ||
		    !listed(all_members, key) ||
		    listed(kind_members(c->kind), key))
			continue;
		ordo_err_add(err, ORDO_EINVALID, key,
			     "does not go with kind \"%s\"", kind);
	}
	switch (c->kind) {
	case CHANGE_SHIP_TO:
		obj = jf_object(doc, "", "ship_to", true, err);
		if (obj)
			native_address_decode(obj, "ship_to", &c->ship_to, err);
		break;
	case CHANGE_QUANTITY:
	case CHANGE_REMOVE_LINE:
		if (jf_int(doc, "", "line_no", true, 1, ORDO_MAX_LINES, &n,
			   err))
			c->line_no = (int)n;
		if (c->kind == CHANGE_QUANTITY &&
		    jf_int(doc, "", "quantity", true, 1, ORDO_MAX_QUANTITY, &n,
			   err))
			c->quantity = n;
		break;
	case CHANGE_ADD_LINE:
		decode_line(doc, c, err);
		break;
	case CHANGE_SHIPPING_METHOD:
		jf_string(doc, "", "method", true, c->method, sizeof(c->method),
			  err);
		money_text(doc, "", "amount", false, c->amount,
			   sizeof(c->amount), err);
		break;
	case CHANGE_CANCEL:
		decode_cancel_lines(doc, c, err);
		break;
	case CHANGE_KIND_COUNT:
		break;
	}
	return err->code;
}
