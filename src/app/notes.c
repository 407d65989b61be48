/*
 * notes.c - what people write on an order or one of its holds: a note on
 * the order's timeline (event "note"), with who wrote it and when.
 */
#include "app/review.h"

#include <string.h>

#include "app/flow.h"

ordo_code app_note_check(const app_note *n, ordo_err *err)
{
	size_t i;

	if (!n->text[0])
		return ordo_err_set(err, ORDO_EINVALID, "text",
				    "a note says something: give its text");
	for (i = 0; n->text[i]; i++)
		if ((unsigned char)n->text[i] < 0x20 && n->text[i] != '\n' &&
		    n->text[i] != '\t')
			return ordo_err_set(err, ORDO_EINVALID, "text",
					    "may not hold control characters "
					    "but line breaks and tabs");
	return ORDO_OK;
}

ordo_code app_note_write(store_tx *tx, const app_caller *c, app_note *n,
			 ordo_time now, ordo_err *err)
{
	order o;
	size_t i;
	ordo_code rc = app_note_check(n, err);

	if (rc)
		return rc;
	order_init(&o);
	rc = store_order_get(tx, c->tenant_id, n->order_id, &o, err);
	if (rc == ORDO_OK && n->hold_id[0]) {
		for (i = 0; i < o.n_holds; i++)
			if (strcmp(o.holds[i].id, n->hold_id) == 0)
				break;
		if (i == o.n_holds)
			rc = ordo_err_set(err, ORDO_ENOTFOUND, "hold_id",
					  "order %s has no hold %s",
					  n->order_id, n->hold_id);
	}
	if (rc == ORDO_OK) {
		ordo_strlcpy(n->actor, c->actor, sizeof(n->actor));
		n->at = now;
		rc = app_event(tx, &o, "note", o.state, o.state,
			       n->hold_id[0] ? n->hold_id : NULL, c->actor,
			       n->text, now, err);
	}
	order_free(&o);
	return rc;
}

static ordo_code note_run(store_tx *tx, app_write *w, ordo_err *err)
{
	app_note_cmd *c = (app_note_cmd *)w;

	c->stored = c->note;
	return app_note_write(tx, &w->caller, &c->stored, w->now, err);
}

static const app_write_type note_type = {.name = "order_note",
					 .run = note_run};

void app_note_cmd_init(app_note_cmd *c, const app_caller *caller,
		       ordo_time now, const char *order_id)
{
	memset(c, 0, sizeof(*c));
	app_write_init(&c->w, &note_type, caller, now);
	ordo_strlcpy(c->note.order_id, order_id, sizeof(c->note.order_id));
}
