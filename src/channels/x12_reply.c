/*
 * x12_reply.c - the replies ordo writes to what a partner sent: the 997
 * functional acknowledgment (with a TA1 where an envelope is at fault)
 * and the 855 purchase order acknowledgment, from a doc x12_read made.
 * See x12.h, REPLIES, for what each holds.
 */
#include "channels/x12.h"
#include "channels/x12_int.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/timeutil.h"

/* ---- writing replies ---------------------------------------------------- */

struct writer {
	strbuf b;
	char sep, comp, term;
	bool newline;
	size_t n_set; /* segments since the ST */
	bool bad;     /* an element held a separator */
};

/* Whether s may be an element of a reply: no control character and none
 * of the reply's separators. What the partner wrote is echoed as it came
 * (UTF-8 included); the repetition separator is not avoided, since no
 * element of a reply repeats and partners write data with theirs in it
 * (a "-" in 00406). */
static bool w_ok(const struct writer *w, const char *s)
{
	const char *p;

	for (p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == w->sep ||
		    *p == w->comp || *p == w->term)
			return false;
	return ordo_utf8_valid(s, (size_t)(p - s));
}

static void w_end(struct writer *w)
{
	strbuf_put(&w->b, &w->term, 1);
	if (w->newline && w->term != '\n')
		strbuf_put(&w->b, "\n", 1);
	w->n_set++;
}

/* A segment: its ID, then elements up to a NULL; trailing empty elements
 * are left out, as X12 wants. */
static void w_seg(struct writer *w, const char *id, ...)
{
	const char *el[W_MAX_ELEMENTS];
	size_t n = 0, last = 0, i;
	va_list ap;

	va_start(ap, id);
	for (;;) {
		const char *e = va_arg(ap, const char *);

		if (!e)
			break;
		assert(n < W_MAX_ELEMENTS);
		el[n++] = e;
		if (e[0])
			last = n;
	}
	va_end(ap);
	strbuf_put(&w->b, id, strlen(id));
	for (i = 0; i < last; i++) {
		if (!w_ok(w, el[i]))
			w->bad = true;
		strbuf_put(&w->b, &w->sep, 1);
		strbuf_put(&w->b, el[i], strlen(el[i]));
	}
	w_end(w);
}

/* The reply's ISA: the original's parties swapped. Its fields are fixed
 * width and were checked when read; ISA11, ISA12 and ISA15, which a
 * reply repeats, fall back to plain values when they were not valid. */
static void w_isa(struct writer *w, const x12_interchange *ic,
		  const x12_reply_opts *opts, const char *yymmdd,
		  const char *hhmm)
{
	/* Room for what snprintf may assume each field holds; the fields
	 * are fixed-width, so the line is X12_ISA_LEN - 1 characters. */
	char ctl[24], line[256];

	snprintf(ctl, sizeof(ctl), "%09lld",
		 (long long)opts->interchange_control);
	snprintf(line, sizeof(line),
		 "ISA%c00%c          %c00%c          %c%s%c%s%c%s%c%s%c%s%c%s"
		 "%c%s%c%s%c%s%c0%c%s%c%c",
		 w->sep, w->sep, w->sep, w->sep, w->sep, ic->isa[7], w->sep,
		 ic->isa[8], w->sep, ic->isa[5], w->sep, ic->isa[6], w->sep,
		 yymmdd, w->sep, hhmm, w->sep,
		 x12_isa_field_ok(ic, 11) ? ic->isa[11] : "U", w->sep,
		 x12_isa_field_ok(ic, 12) ? ic->isa[12] : "00401", w->sep, ctl,
		 w->sep, w->sep, x12_isa_field_ok(ic, 15) ? ic->isa[15] : "P",
		 w->sep, w->comp);
	assert(strlen(line) == X12_ISA_LEN - 1);
	strbuf_put(&w->b, line, strlen(line));
	w_end(w);
}

/* Dates and times of `now` in the shapes X12 writes them. */
struct stamp {
	char ccyymmdd[9], yymmdd[7], hhmm[5];
};

static bool stamp_of(ordo_time now, struct stamp *st)
{
	char iso[32];

	/* 9999-12-31T23:59:59Z: X12 dates have four-digit years. */
	if (now < 0 || now > 253402300799LL)
		return false;
	time_format_rfc3339(now, iso, sizeof(iso));
	memcpy(st->ccyymmdd, iso, 4);
	memcpy(st->ccyymmdd + 4, iso + 5, 2);
	memcpy(st->ccyymmdd + 6, iso + 8, 2);
	st->ccyymmdd[8] = '\0';
	memcpy(st->yymmdd, st->ccyymmdd + 2, 7);
	memcpy(st->hhmm, iso + 11, 2);
	memcpy(st->hhmm + 2, iso + 14, 2);
	st->hhmm[4] = '\0';
	return true;
}

static ordo_code opts_check(const x12_reply_opts *opts, size_t n_groups,
			    struct stamp *st, ordo_err *err)
{
	if (opts->interchange_control < 1 ||
	    opts->interchange_control > 999999999)
		return ordo_err_set(err, ORDO_EINVALID, "interchange_control",
				    "must be 1 to 999999999 (ISA13 has nine "
				    "digits)");
	if (opts->group_control < 1 ||
	    opts->group_control + (int64_t)(n_groups ? n_groups - 1 : 0) >
		    999999999)
		return ordo_err_set(err, ORDO_EINVALID, "group_control",
				    "must be 1 to 999999999 for each of the "
				    "reply's %zu groups (GS06 has at most nine "
				    "digits)",
				    n_groups);
	if (!stamp_of(opts->now, st))
		return ordo_err_set(err, ORDO_EINVALID, "now",
				    "must be a time between 1970 and 9999");
	return ORDO_OK;
}

static ordo_code reply_check(const x12_doc *d, size_t interchange,
			     ordo_err *err)
{
	const x12_interchange *ic;
	size_t i;

	if (interchange >= d->n_interchanges)
		return ordo_err_set(err, ORDO_EINVALID, "interchange",
				    "the file has %zu interchanges; there is "
				    "no interchange %zu",
				    d->n_interchanges, interchange);
	ic = &d->interchanges[interchange];
	if (ic->readable)
		return ORDO_OK;
	for (i = 0; i < d->n_problems; i++)
		if (d->problems[i].level == X12_LEVEL_INTERCHANGE &&
		    d->problems[i].interchange == interchange)
			return ordo_err_set(
				err, ORDO_EINVALID, "interchange",
				"interchange %zu cannot be answered: its ISA "
				"cannot be read (TA1 note code %03d: %s)",
				interchange, d->problems[i].code,
				d->problems[i].reason);
	return ordo_err_set(err, ORDO_EINVALID, "interchange",
			    "interchange %zu cannot be answered: its ISA "
			    "cannot be read",
			    interchange);
}

static void w_init(struct writer *w, const x12_interchange *ic,
		   const x12_reply_opts *opts)
{
	memset(w, 0, sizeof(*w));
	strbuf_init(&w->b);
	w->sep = ic->element_sep;
	w->comp = ic->component_sep;
	w->term = ic->segment_term;
	w->newline = opts->newline;
}

/* Hand the text over, or fail (out of memory, or - a programmer error
 * the checks before writing should make impossible - a separator in
 * an element). */
static ordo_code w_finish(struct writer *w, char **out, size_t *out_len,
			  ordo_err *err)
{
	if (w->b.failed) {
		strbuf_free(&w->b);
		return ordo_err_set(err, ORDO_ENOMEM, NULL,
				    "out of memory writing an X12 reply");
	}
	if (w->bad) {
		strbuf_free(&w->b);
		return ordo_err_set(err, ORDO_EINTERNAL, NULL,
				    "an element of the X12 reply held one of "
				    "its separators");
	}
	*out = w->b.text;
	*out_len = w->b.len;
	return ORDO_OK;
}

/* GS of a reply to group g: parties swapped (the interchange's when the
 * group's are empty), the original's agency, version and date shape. */
static void w_gs(struct writer *w, const x12_doc *d, const x12_group *g,
		 const char *functional_id, int64_t control,
		 const struct stamp *st)
{
	const x12_interchange *ic = &d->interchanges[g->interchange];
	char ctl[16];

	snprintf(ctl, sizeof(ctl), "%lld", (long long)control);
	w_seg(w, "GS", functional_id,
	      g->receiver[0] && w_ok(w, g->receiver) ? g->receiver
						     : ic->receiver,
	      g->sender[0] && w_ok(w, g->sender) ? g->sender : ic->sender,
	      g->date_digits == 6 ? st->yymmdd : st->ccyymmdd, st->hhmm, ctl,
	      w_ok(w, g->agency) ? g->agency : "X",
	      g->version[0] && w_ok(w, g->version) ? g->version : "004010",
	      (const char *)NULL);
}

/* AK3/AK4 for the problems of set s, AK5 for the set. */
static void w_ak_set(struct writer *w, const x12_doc *d, size_t s)
{
	const x12_set *set = &d->sets[s];
	char pos[24], el[24], code[8];
	int codes[5];
	size_t n_codes = 0, i, k, last_seg = 0;
	bool seg_errors = false;

	for (i = 0; i < d->n_problems; i++) {
		const x12_problem *p = &d->problems[i];

		if (p->set != s)
			continue;
		if (p->level == X12_LEVEL_SET) {
			for (k = 0; k < n_codes && codes[k] != p->code; k++)
				;
			if (k == n_codes && n_codes < 5)
				codes[n_codes++] = p->code;
			continue;
		}
		seg_errors = true;
		/* AK301 must be a segment ID; one that is not cannot be
		 * named, and AK5 code 5 still says it. */
		if (!p->segment_id[0] || !p->position)
			continue;
		snprintf(pos, sizeof(pos), "%zu", p->position);
		if (p->level == X12_LEVEL_SEGMENT) {
			snprintf(code, sizeof(code), "%d", p->code);
			w_seg(w, "AK3", p->segment_id, pos, "", code,
			      (const char *)NULL);
			last_seg = 0;
			continue;
		}
		if (p->segment != last_seg) {
			w_seg(w, "AK3", p->segment_id, pos, "", "8",
			      (const char *)NULL);
			last_seg = p->segment;
		}
		if (p->code == 0)
			continue;
		if (p->component)
			snprintf(el, sizeof(el), "%u%c%u", p->element, w->comp,
				 p->component);
		else
			snprintf(el, sizeof(el), "%u", p->element);
		snprintf(code, sizeof(code), "%d", p->code);
		w_seg(w, "AK4", el, "", code,
		      p->value[0] && w_ok(w, p->value) ? p->value : "",
		      (const char *)NULL);
	}
	if (seg_errors) {
		for (k = 0; k < n_codes && codes[k] != 5; k++)
			;
		if (k == n_codes && n_codes < 5)
			codes[n_codes++] = 5;
	}
	{
		char c[5][8];

		for (k = 0; k < 5; k++)
			c[k][0] = '\0';
		for (k = 0; k < n_codes; k++)
			snprintf(c[k], sizeof(c[k]), "%d", codes[k]);
		w_seg(w, "AK5", set->accepted ? "A" : "R", c[0], c[1], c[2],
		      c[3], c[4], (const char *)NULL);
	}
}

/* One 997, in its own GS ... GE, for group g. */
static void w_997_group(struct writer *w, const x12_doc *d, size_t gi,
			int64_t control, const struct stamp *st)
{
	const x12_group *g = &d->groups[gi];
	char ctl[16], counts[3][24], c[5][8];
	size_t i, accepted = 0, n_codes = 0, k;
	int codes[5];
	const char *ack;

	w_gs(w, d, g, "FA", control, st);
	w->n_set = 0;
	w_seg(w, "ST", "997", "0001", (const char *)NULL);
	w_seg(w, "AK1", g->id, g->control, (const char *)NULL);
	for (i = g->first_set; i < g->first_set + g->n_sets; i++) {
		const x12_set *s = &d->sets[i];

		accepted += s->accepted;
		if (!s->id[0] || !s->control[0] || !w_ok(w, s->control))
			continue;
		w_seg(w, "AK2", s->id, s->control, (const char *)NULL);
		w_ak_set(w, d, i);
	}
	for (i = 0; i < d->n_problems; i++) {
		const x12_problem *p = &d->problems[i];

		if (p->level != X12_LEVEL_GROUP || p->group != gi)
			continue;
		for (k = 0; k < n_codes && codes[k] != p->code; k++)
			;
		if (k == n_codes && n_codes < 5)
			codes[n_codes++] = p->code;
	}
	for (k = 0; k < 5; k++)
		c[k][0] = '\0';
	for (k = 0; k < n_codes; k++)
		snprintf(c[k], sizeof(c[k]), "%d", codes[k]);
	if (g->n_problems || (g->n_sets && accepted == 0))
		ack = "R";
	else if (accepted < g->n_sets)
		ack = "P";
	else
		ack = "A";
	snprintf(counts[0], sizeof(counts[0]), "%lld",
		 (long long)(g->declared_sets >= 0 ? g->declared_sets
						   : (int64_t)g->n_sets));
	snprintf(counts[1], sizeof(counts[1]), "%zu", g->n_sets);
	snprintf(counts[2], sizeof(counts[2]), "%zu", accepted);
	w_seg(w, "AK9", ack, counts[0], counts[1], counts[2], c[0], c[1], c[2],
	      c[3], c[4], (const char *)NULL);
	snprintf(counts[0], sizeof(counts[0]), "%zu", w->n_set + 1);
	w_seg(w, "SE", counts[0], "0001", (const char *)NULL);
	snprintf(ctl, sizeof(ctl), "%lld", (long long)control);
	w_seg(w, "GE", "1", ctl, (const char *)NULL);
}

ordo_code x12_997_build(const x12_doc *d, size_t interchange,
			const x12_reply_opts *opts, char **out, size_t *out_len,
			ordo_err *err)
{
	const x12_interchange *ic;
	struct writer w;
	struct stamp st;
	size_t i, n_named = 0, written = 0;
	int64_t control;
	ordo_code rc;
	char count[24], ctl[16];

	assert(d && opts && out && out_len && err);
	*out = NULL;
	*out_len = 0;
	rc = reply_check(d, interchange, err);
	if (rc != ORDO_OK)
		return rc;
	ic = &d->interchanges[interchange];
	for (i = ic->first_group; i < ic->first_group + ic->n_groups; i++)
		n_named += d->groups[i].named;
	rc = opts_check(opts, n_named, &st, err);
	if (rc != ORDO_OK)
		return rc;

	w_init(&w, ic, opts);
	w_isa(&w, ic, opts, st.yymmdd, st.hhmm);
	if (ic->n_problems || strcmp(ic->isa[14], "1") == 0) {
		int note = 0;

		for (i = 0; i < d->n_problems && ic->n_problems; i++)
			if (d->problems[i].level == X12_LEVEL_INTERCHANGE &&
			    d->problems[i].interchange == interchange) {
				note = d->problems[i].code;
				break;
			}
		/* Problems past X12_MAX_PROBLEMS are counted, not kept. */
		if (ic->n_problems && !note)
			note = 22;
		snprintf(count, sizeof(count), "%03d", note);
		/* TA102 and TA103 name the interchange as it came, even a
		 * date that is no date, when they can be written at all. */
		w_seg(&w, "TA1", ic->control,
		      x12_all_digits(ic->isa[9], 6) ? ic->isa[9] : "000000",
		      x12_all_digits(ic->isa[10], 4) ? ic->isa[10] : "0000",
		      ic->n_problems ? "R" : "A", count, (const char *)NULL);
	}
	control = opts->group_control;
	for (i = ic->first_group; i < ic->first_group + ic->n_groups; i++) {
		if (!d->groups[i].named)
			continue;
		w_997_group(&w, d, i, control++, &st);
		written++;
	}
	snprintf(count, sizeof(count), "%zu", written);
	snprintf(ctl, sizeof(ctl), "%09lld",
		 (long long)opts->interchange_control);
	w_seg(&w, "IEA", count, ctl, (const char *)NULL);
	return w_finish(&w, out, out_len, err);
}

/* The ACK status of each answer. */
static const char *ack_code(x12_line_answer a)
{
	switch (a) {
	case X12_LINE_ACCEPTED:
		return "IA";
	case X12_LINE_QUANTITY_CHANGED:
		return "IQ";
	case X12_LINE_BACKORDERED:
		return "IB";
	case X12_LINE_REJECTED:
		return "IR";
	}
	return NULL;
}

static bool ascii_printable(const char *s)
{
	for (; *s; s++)
		if (!x12_is_printable(*s))
			return false;
	return true;
}

static ordo_code answer_check(const x12_set *s, const x12_855_answer *a,
			      const struct writer *w, ordo_err *err)
{
	size_t i;

	if (a->n_lines != 0 && a->n_lines != s->n_lines)
		return ordo_err_set(err, ORDO_EINVALID, "lines",
				    "the 850 has %zu PO1 lines; the answer "
				    "must give one per line, or none to reject "
				    "the whole order (it gives %zu)",
				    s->n_lines, a->n_lines);
	if (a->order_id && a->order_id[0] &&
	    (strlen(a->order_id) > X12_ORDER_ID_MAX || !w_ok(w, a->order_id) ||
	     !ascii_printable(a->order_id)))
		return ordo_err_set(err, ORDO_EINVALID, "order_id",
				    "must be at most %d printable ASCII "
				    "characters and none of the interchange's "
				    "separators",
				    X12_ORDER_ID_MAX);
	for (i = 0; i < a->n_lines; i++) {
		const x12_855_line *l = &a->lines[i];
		struct stamp st;

		if (!ack_code(l->answer))
			return ordo_err_set(err, ORDO_EINVALID, "lines",
					    "line %zu: not an answer", i + 1);
		if ((l->answer == X12_LINE_QUANTITY_CHANGED ||
		     l->answer == X12_LINE_BACKORDERED) &&
		    (l->quantity < 1 || l->quantity > ORDO_MAX_QUANTITY))
			return ordo_err_set(err, ORDO_EINVALID, "lines",
					    "line %zu: the quantity must be 1 "
					    "to %lld",
					    i + 1,
					    (long long)ORDO_MAX_QUANTITY);
		if (l->answer == X12_LINE_BACKORDERED && l->date &&
		    !stamp_of(l->date, &st))
			return ordo_err_set(err, ORDO_EINVALID, "lines",
					    "line %zu: the date must be "
					    "between 1970 and 9999",
					    i + 1);
	}
	return ORDO_OK;
}

/* A whole number of type R ("0008", "8.0") in place as plain digits
 * ("8"); anything else is left as it is. */
static void whole_number(char *s)
{
	const char *p = s, *digits;
	size_t n;

	if (!x12_r_syntax(s) || *s == '-')
		return;
	while (*p == '0' && x12_is_digit(p[1]))
		p++;
	digits = p;
	while (x12_is_digit(*p))
		p++;
	n = (size_t)(p - digits);
	if (*p == '.')
		for (p++; *p == '0'; p++)
			;
	if (*p || n == 0)
		return;
	memmove(s, digits, n);
	s[n] = '\0';
}

/* One PO1 as the partner wrote it (same separators), then its ACK. */
static void w_855_line(struct writer *w, const x12_doc *d, size_t seg,
		       const x12_855_line *l)
{
	const x12_segment *s = &d->segments[seg];
	char qty[ELEM_BUF], uom[ELEM_BUF];
	struct stamp st;

	strbuf_put(&w->b, d->text + s->offset, s->len);
	w_end(w);
	x12_element(d, seg, 3, uom, sizeof(uom));
	if (!uom[0])
		memcpy(uom, "EA", 3);
	switch (l->answer) {
	case X12_LINE_ACCEPTED:
		/* The quantity ordered, "0008" and "8.0" written as 8. */
		x12_element(d, seg, 2, qty, sizeof(qty));
		whole_number(qty);
		break;
	case X12_LINE_REJECTED:
		memcpy(qty, "0", 2);
		break;
	default:
		snprintf(qty, sizeof(qty), "%lld", (long long)l->quantity);
		break;
	}
	if (l->answer == X12_LINE_BACKORDERED && l->date &&
	    stamp_of(l->date, &st))
		w_seg(w, "ACK", ack_code(l->answer), qty, uom, "068",
		      st.ccyymmdd, (const char *)NULL);
	else
		w_seg(w, "ACK", ack_code(l->answer), qty, uom,
		      (const char *)NULL);
}

ordo_code x12_855_build(const x12_doc *d, size_t set,
			const x12_855_answer *answer,
			const x12_reply_opts *opts, char **out, size_t *out_len,
			ordo_err *err)
{
	const x12_set *s;
	const x12_group *g;
	const x12_interchange *ic;
	struct writer w;
	struct stamp st;
	char po_date[ELEM_BUF], release[ELEM_BUF], count[24], ctl[16];
	const char *bak02;
	size_t i, k, beg = X12_NONE, n_accepted = 0, n_rejected = 0;
	ordo_time t;
	ordo_code rc;

	assert(d && answer && opts && out && out_len && err);
	*out = NULL;
	*out_len = 0;
	if (set >= d->n_sets)
		return ordo_err_set(err, ORDO_EINVALID, "set",
				    "the file has %zu transaction sets; there "
				    "is no set %zu",
				    d->n_sets, set);
	s = &d->sets[set];
	g = &d->groups[s->group];
	rc = reply_check(d, g->interchange, err);
	if (rc != ORDO_OK)
		return rc;
	ic = &d->interchanges[g->interchange];
	if (s->kind != X12_SET_ORDER)
		return ordo_err_set(err, ORDO_EINVALID, "set",
				    "set %zu is not an 850 purchase order",
				    set);
	for (i = s->first + 1; i < s->end && beg == X12_NONE; i++)
		if (strcmp(d->segments[i].id, "BEG") == 0)
			beg = i;
	if (beg != X12_NONE) {
		x12_element(d, beg, 5, po_date, sizeof(po_date));
		x12_element(d, beg, 4, release, sizeof(release));
	}
	if (beg == X12_NONE || !s->po_number[0] ||
	    !x12_date_parse(po_date, strlen(po_date), &t) ||
	    !g->named)
		return ordo_err_set(err, ORDO_EINVALID, "set",
				    "set %zu cannot be acknowledged: an 855 "
				    "needs the 850's PO number and date "
				    "(BEG03, BEG05) and a group a reply can "
				    "name",
				    set);
	rc = opts_check(opts, 1, &st, err);
	if (rc != ORDO_OK)
		return rc;
	w_init(&w, ic, opts);
	rc = answer_check(s, answer, &w, err);
	if (rc != ORDO_OK)
		return rc;
	if (!w_ok(&w, s->po_number) || !w_ok(&w, po_date) ||
	    !w_ok(&w, release))
		return ordo_err_set(err, ORDO_EINVALID, "set",
				    "set %zu's PO number, date or release "
				    "cannot be written back in an 855",
				    set);

	for (i = 0; i < answer->n_lines; i++) {
		n_accepted += answer->lines[i].answer == X12_LINE_ACCEPTED;
		n_rejected += answer->lines[i].answer == X12_LINE_REJECTED;
	}
	bak02 = answer->n_lines == 0		  ? "RJ"
		: n_accepted == answer->n_lines ? "AD"
		: n_rejected == answer->n_lines ? "RD"
						: "AC";

	w_isa(&w, ic, opts, st.yymmdd, st.hhmm);
	w_gs(&w, d, g, "PR", opts->group_control, &st);
	w.n_set = 0;
	w_seg(&w, "ST", "855", "0001", (const char *)NULL);
	w_seg(&w, "BAK", "00", bak02, s->po_number, po_date, release, "", "",
	      answer->order_id ? answer->order_id : "", st.ccyymmdd,
	      (const char *)NULL);
	for (i = s->first + 1, k = 0; i < s->end && k < answer->n_lines;
	     i++) {
		if (strcmp(d->segments[i].id, "PO1") != 0)
			continue;
		w_855_line(&w, d, i, &answer->lines[k++]);
	}
	if (answer->n_lines) {
		snprintf(count, sizeof(count), "%zu", answer->n_lines);
		w_seg(&w, "CTT", count, (const char *)NULL);
	}
	snprintf(count, sizeof(count), "%zu", w.n_set + 1);
	w_seg(&w, "SE", count, "0001", (const char *)NULL);
	snprintf(ctl, sizeof(ctl), "%lld", (long long)opts->group_control);
	w_seg(&w, "GE", "1", ctl, (const char *)NULL);
	snprintf(ctl, sizeof(ctl), "%09lld",
		 (long long)opts->interchange_control);
	w_seg(&w, "IEA", "1", ctl, (const char *)NULL);
	return w_finish(&w, out, out_len, err);
}
