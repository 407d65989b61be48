/*
 * fuzz_x12.c - an EDI X12 file as a partner posts it (x12_read), and
 * everything ordo makes of it:
 *
 *   - each 850's order (x12_set_order), put through what intake does with
 *     it, and the source kept with it (app_x12_set_source), which must
 *     read back as the same order;
 *   - the 997 of each interchange and the 855s of each 850 taken
 *     (x12_997_build, x12_855_build, x12_855_of), which ordo must be able
 *     to make, as X12 that reads back without a problem;
 *   - of each accepted set, as app/imports.c takes them, an 856 or 945's
 *     ship notices (x12_set_notices), and an 860's changes asked of the
 *     file's first order or of a clean one (x12_set_change,
 *     x12_changes_of, then what a change request does with them).
 */
#include "fuzz.h"

#include <string.h>

#include "app/imports.h"
#include "channels/x12.h"

static const x12_reply_opts opts = {
	.interchange_control = 1,
	.group_control = 1,
	.now = 1767225600,
	.newline = true,
};

/* A reply ordo must be able to make was made. */
static void built_check(ordo_code rc, ordo_err *err)
{
	if (rc != ORDO_OK) {
		fprintf(stderr, "reply refused: %s %s\n", err->field,
			err->message);
		FUZZ_CHECK(!"a reply ordo owes that it cannot make");
	}
	ordo_err_clear(err);
}

/* The 855s of 850 set s, whose order is o: every line as ordo would
 * answer it (x12_line_answer_of), then the whole order rejected. */
static void replies_855(const x12_doc *d, size_t s, const order *o)
{
	ordo_err err = ORDO_ERR_INIT;
	x12_855_line lines[ORDO_MAX_LINES];
	x12_855_answer answer = {.order_id = o->id, .lines = lines};
	char *out = NULL, *source;
	size_t len = 0, i;

	FUZZ_CHECK(o->n_lines <= ORDO_MAX_LINES);
	for (i = 0; i < o->n_lines; i++)
		lines[i] = x12_line_answer_of(o->lines[i].quantity,
					      o->lines[i].qty_open,
					      o->lines[i].qty_cancelled);
	/* An order ordo took from an 850 is one it can answer, line by
	 * line or rejected whole (app/imports.c, build_855). */
	answer.n_lines = o->n_lines;
	built_check(x12_855_build(d, s, &answer, &opts, &out, &len, &err),
		    &err);
	fuzz_x12_check(out, len);
	free(out);
	out = NULL;
	answer.n_lines = 0;
	built_check(x12_855_build(d, s, &answer, &opts, &out, &len, &err),
		    &err);
	fuzz_x12_check(out, len);
	free(out);
	out = NULL;
	/* The 855 made again later, from the source kept with the order
	 * (app/imports.c, app_order_855). */
	source = app_x12_set_source(d, s);
	FUZZ_CHECK(source);
	built_check(x12_855_of(source, o->external_id, o->id, lines,
			       o->n_lines, 7, opts.now, &out, &len, &err),
		    &err);
	fuzz_x12_check(out, len);
	free(out);
	free(source);
}

/*
 * The source kept with the order of 850 set s (app_x12_set_source) is
 * stored as text, and read again for the order's 855s: valid UTF-8, X12
 * with no problem, its one set the same order.
 */
static void source_check(const x12_doc *d, size_t s, const ordo_channel *ch,
			 const order *o)
{
	ordo_err err = ORDO_ERR_INIT;
	char *source = app_x12_set_source(d, s), *a, *b;
	order again;
	x12_doc e;

	FUZZ_CHECK(source && ordo_utf8_valid(source, strlen(source)));
	x12_doc_init(&e);
	FUZZ_CHECK(x12_read(source, strlen(source), ch, &e, &err) == ORDO_OK);
	FUZZ_CHECK(e.n_sets == 1 && e.sets[0].accepted);
	order_init(&again);
	FUZZ_CHECK(x12_set_order(&e, 0, ch, &again, &err) == ORDO_OK);
	a = fuzz_order_text(o);
	b = fuzz_order_text(&again);
	if (strcmp(a, b) != 0) {
		fprintf(stderr, "order:\n%s\nfrom its source:\n%s\n", a, b);
		FUZZ_CHECK(!"an order read otherwise from its source");
	}
	free(a);
	free(b);
	order_free(&again);
	x12_doc_free(&e);
	free(source);
	ordo_err_clear(&err);
}

static void notices(const x12_doc *d, size_t s, const ordo_channel *ch)
{
	ordo_err err = ORDO_ERR_INIT;
	x12_notice *v = NULL;
	size_t n = 0, i, l;
	char sku[ORDO_SKU_MAX];

	if (x12_set_notices(d, s, &v, &n, &err) == ORDO_OK) {
		for (i = 0; i < n; i++) {
			(void)x12_depositor_seq(v[i].order_ref);
			for (l = 0; l < v[i].n_lines; l++)
				(void)x12_notice_line_sku(ch, &v[i].lines[l],
							  sku, sizeof(sku));
		}
		x12_notices_free(v, n);
	}
	ordo_err_clear(&err);
}

static void changes(const x12_doc *d, size_t s, const ordo_channel *ch,
		    const order *o)
{
	ordo_err err = ORDO_ERR_INIT;
	order_change all[FUZZ_CHANGES_MAX];
	char not_applied[ORDO_MESSAGE_MAX];
	x12_po_change c;
	size_t n = 0;

	memset(&c, 0, sizeof(c));
	if (x12_set_change(d, s, &c, &err) == ORDO_OK) {
		x12_changes_of(&c, o, ch, all, FUZZ_CHANGES_MAX, &n,
			       not_applied, sizeof(not_applied));
		FUZZ_CHECK(n <= FUZZ_CHANGES_MAX);
		fuzz_changes_exercise(o, all, n);
	}
	x12_po_change_free(&c);
	ordo_err_clear(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static ordo_channel ch;
	static int ready;
	ordo_err err = ORDO_ERR_INIT;
	order first;
	bool have_first = false;
	x12_doc d;
	ordo_code rc;
	size_t i;

	if (!ready) {
		fuzz_channel(&ch, CHANNEL_X12);
		ready = 1;
	}
	order_init(&first);
	x12_doc_init(&d);
	if (x12_read((const char *)data, size, &ch, &d, &err) == ORDO_ENOMEM)
		goto out;
	ordo_err_clear(&err);
	for (i = 0; i < d.n_interchanges; i++) {
		char *ack = NULL;
		size_t len = 0;

		rc = x12_997_build(&d, i, &opts, &ack, &len, &err);
		/* An interchange that can be addressed is acknowledged. */
		if (d.interchanges[i].readable)
			built_check(rc, &err);
		if (rc == ORDO_OK)
			fuzz_x12_check(ack, len);
		free(ack);
		ordo_err_clear(&err);
	}
	for (i = 0; i < d.n_sets; i++) {
		order o;

		order_init(&o);
		if (d.sets[i].kind == X12_SET_ORDER &&
		    x12_set_order(&d, i, &ch, &o, &err) == ORDO_OK) {
			source_check(&d, i, &ch, &o);
			fuzz_order_exercise(&o);
			replies_855(&d, i, &o);
			if (!have_first) {
				first = o;
				order_init(&o);
				have_first = true;
			}
		}
		order_free(&o);
		ordo_err_clear(&err);
		/* Ship notices and changes are taken from accepted sets
		 * alone (app/imports.c). */
		if (!d.sets[i].accepted)
			continue;
		if (x12_set_is_notice(&d, i))
			notices(&d, i, &ch);
		if (x12_set_is_change(&d, i))
			changes(&d, i, &ch,
				have_first ? &first : fuzz_base_order());
	}
out:
	x12_doc_free(&d);
	order_free(&first);
	ordo_err_clear(&err);
	return 0;
}
