/*
 * x12.c - EDI ANSI X12 interchanges: reading the envelopes and sets (the
 * 850s are decoded in x12_850.c, the replies, 997 and 855, written in
 * x12_reply.c). See x12.h for the interface and its decisions.
 *
 * NOTES ON THE DESIGN
 *
 * Reading is two passes over a copy of the input. The first splits it into
 * segments (an index of offsets: elements are found on demand by scanning
 * the segment, which is short) and walks the envelope as a small state
 * machine, one move per segment (read_body, dispatch):
 *
 *            ISA                GS                 ST
 *     (file) ---> interchange ----> group (open) ----> set (open)
 *       ^   IEA <-            GE <-               SE <-
 *       '-------'
 *
 * A trailer that never comes is found when something else arrives in its
 * place (GS, ST, GE, IEA, a new ISA, the end of the file): each open level
 * is closed with a "trailer missing" problem (close_set, close_group). The
 * second pass decodes every 850 set (x12_po_decode), with problems counted
 * against the set. x12_set_order decodes an accepted set again, into the
 * caller's order: the decoder is deterministic, so the order is the one
 * whose absence of problems the first pass saw; no order is kept in the
 * doc, and memory stays in proportion to the file, not to its orders.
 */
#include "channels/x12.h"
#include "channels/x12_int.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/money.h"
#include "core/strbuf.h"
#include "core/timeutil.h"


/* ---- characters and text ----------------------------------------------- */

static bool is_digit(char c)
{
	return x12_is_digit(c);
}

static bool is_upper(char c)
{
	return x12_is_upper(c);
}

static bool is_alnum(char c)
{
	return x12_is_alnum(c);
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_printable(char c)
{
	return x12_is_printable(c);
}

bool x12_all_digits(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return false;
	return true;
}

/* A non-negative decimal number of 1 to 18 digits. */
bool x12_number_of(const char *s, size_t n, int64_t *out)
{
	int64_t v = 0;
	size_t i;

	if (n == 0 || n > 18 || !x12_all_digits(s, n))
		return false;
	for (i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	*out = v;
	return true;
}

static size_t skip_ws(const char *t, size_t len, size_t pos)
{
	while (pos < len && is_ws(t[pos]))
		pos++;
	return pos;
}

/* Whether c may separate elements or components: a single ASCII byte that
 * is no letter, digit, space, NUL or line break. */
static bool sep_ok(char c)
{
	unsigned char u = (unsigned char)c;

	return u != 0 && u < 0x80 && u != ' ' && u != '\r' && u != '\n' &&
	       !is_alnum(c);
}

/* A segment terminator may also be a line break. */
static bool term_ok(char c)
{
	return sep_ok(c) || c == '\r' || c == '\n';
}

void x12_text_trim(char *s)
{
	size_t start = 0, end = strlen(s);

	while (start < end && is_ws(s[start]))
		start++;
	while (end > start && is_ws(s[end - 1]))
		end--;
	memmove(s, s + start, end - start);
	s[end - start] = '\0';
}

/* Append s to dst, after sep when both are not empty, cut to fit at a
 * character boundary. */
void x12_text_append(char *dst, size_t size, const char *sep,
			const char *s)
{
	size_t used = strlen(dst);

	if (!s[0])
		return;
	if (used && sep[0]) {
		if (used + 1 >= size)
			return;
		ordo_strlcpy(dst + used, sep, size - used);
		used = strlen(dst);
	}
	if (used + 1 < size)
		ordo_strlcpy(dst + used, s, size - used);
}

static bool leap_year(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(int64_t y, unsigned m)
{
	static const unsigned days[12] = { 31, 28, 31, 30, 31, 30,
					   31, 31, 30, 31, 30, 31 };

	return m == 2 && leap_year(y) ? 29 : days[m - 1];
}

static unsigned two_digits(const char *s)
{
	return (unsigned)(s[0] - '0') * 10 + (unsigned)(s[1] - '0');
}

/* An X12 date: CCYYMMDD, or YYMMDD of the older versions (1950-2049). */
bool x12_date_parse(const char *s, size_t n, ordo_time *out)
{
	int64_t y;
	unsigned m, d;

	if (!x12_all_digits(s, n) || (n != 8 && n != 6))
		return false;
	if (n == 8) {
		y = (int64_t)two_digits(s) * 100 + two_digits(s + 2);
		s += 4;
	} else {
		y = two_digits(s);
		y += y < 50 ? 2000 : 1900;
		s += 2;
	}
	m = two_digits(s);
	d = two_digits(s + 2);
	if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return false;
	*out = time_days_from_civil(y, m, d) * 86400;
	return true;
}

/* HHMM */
static bool time_ok(const char *s, size_t n)
{
	return n == 4 && x12_all_digits(s, 4) && two_digits(s) < 24 &&
	       two_digits(s + 2) < 60;
}

/* X12 type R: an optional minus, digits, an optional point and digits,
 * at least one digit ("8", "0008", "1.0", ".5", "5."). */
bool x12_r_syntax(const char *s)
{
	bool digit = false;

	if (*s == '-')
		s++;
	for (; is_digit(*s); s++)
		digit = true;
	if (*s == '.')
		for (s++; is_digit(*s); s++)
			digit = true;
	return digit && *s == '\0';
}

/* ---- the doc ------------------------------------------------------------ */

void x12_doc_init(x12_doc *d)
{
	memset(d, 0, sizeof(*d));
}

void x12_doc_free(x12_doc *d)
{
	if (!d)
		return;
	free(d->text);
	free(d->segments);
	free(d->interchanges);
	free(d->groups);
	free(d->sets);
	free(d->problems);
	x12_doc_init(d);
}

const char *x12_level_name(x12_level level)
{
	static const char *const names[] = { "file",	"interchange",
					     "group",	"set",
					     "segment", "element" };

	return (unsigned)level < sizeof(names) / sizeof(names[0])
		       ? names[level]
		       : "?";
}

const char *x12_set_type_name(const char *st01)
{
	static const struct {
		const char *id, *name;
	} types[] = {
		{ "810", "Invoice" },
		{ "812", "Credit/Debit Adjustment" },
		{ "820", "Payment Order/Remittance Advice" },
		{ "824", "Application Advice" },
		{ "830", "Planning Schedule" },
		{ "832", "Price/Sales Catalog" },
		{ "846", "Inventory Inquiry/Advice" },
		{ "850", "Purchase Order" },
		{ "852", "Product Activity Data" },
		{ "855", "Purchase Order Acknowledgment" },
		{ "856", "Ship Notice/Manifest" },
		{ "860", "Purchase Order Change Request" },
		{ "864", "Text Message" },
		{ "865", "Purchase Order Change Acknowledgment" },
		{ "867", "Product Transfer and Resale Report" },
		{ "869", "Order Status Inquiry" },
		{ "870", "Order Status Report" },
		{ "875", "Grocery Products Purchase Order" },
		{ "880", "Grocery Products Invoice" },
		{ "940", "Warehouse Shipping Order" },
		{ "943", "Warehouse Stock Transfer Shipment Advice" },
		{ "944", "Warehouse Stock Transfer Receipt Advice" },
		{ "945", "Warehouse Shipping Advice" },
		{ "947", "Warehouse Inventory Adjustment Advice" },
		{ "990", "Response to a Load Tender" },
		{ "997", "Functional Acknowledgment" },
		{ "999", "Implementation Acknowledgment" },
	};
	size_t i;

	for (i = 0; st01 && i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(st01, types[i].id) == 0)
			return types[i].name;
	return NULL;
}

/*
 * The raw bytes of element el (0 = the segment ID) of segment seg: false
 * (and an empty element) when the segment has fewer elements.
 */
static bool seg_elem(const x12_doc *d, size_t seg, unsigned el,
		     const char **p, size_t *n)
{
	const x12_segment *s = &d->segments[seg];
	const char *t = d->text + s->offset, *end = t + s->len, *start = t;
	unsigned k = 0;

	for (;; t++) {
		if (t == end || *t == s->element_sep) {
			if (k == el) {
				*p = start;
				*n = (size_t)(t - start);
				return true;
			}
			if (t == end)
				break;
			k++;
			start = t + 1;
		}
	}
	*p = end;
	*n = 0;
	return false;
}

/*
 * Element el of segment seg as text, trimmed of white space, in buf (cut
 * at a character boundary to fit size). Returns the trimmed length before
 * any cut: 0 for an element absent or empty.
 */
static size_t elem_text(const x12_doc *d, size_t seg, unsigned el, char *buf,
			size_t size);

size_t x12_element(const x12_doc *d, size_t seg, unsigned el, char *buf,
		   size_t size)
{
	return elem_text(d, seg, el, buf, size);
}

static size_t elem_text(const x12_doc *d, size_t seg, unsigned el, char *buf,
			size_t size)
{
	const char *p;
	size_t n, m;

	seg_elem(d, seg, el, &p, &n);
	while (n && is_ws(*p)) {
		p++;
		n--;
	}
	while (n && is_ws(p[n - 1]))
		n--;
	m = n < size - 1 ? n : ordo_utf8_cut(p, size - 1);
	memcpy(buf, p, m);
	buf[m] = '\0';
	return n;
}

/* ---- problems ----------------------------------------------------------- */

/* Copy the n bytes at s into dst (size X12_VALUE_MAX) so that it can be
 * read, logged and put in JSON: control bytes become '?', and what is not
 * UTF-8 is scrubbed. */
static void value_copy(char *dst, const char *s, size_t n)
{
	size_t i;

	if (n > X12_VALUE_MAX - 1)
		n = ordo_utf8_cut(s, X12_VALUE_MAX - 1);
	for (i = 0; i < n; i++)
		dst[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?'
								    : s[i];
	dst[n] = '\0';
	ordo_utf8_scrub(dst);
}

void x12_problem_vadd(x12_doc *d, const struct at *at, const char *fmt,
			 va_list ap)
{
	x12_problem *p;
	const char *v;
	size_t vn;

	switch (at->level) {
	case X12_LEVEL_FILE:
		d->n_file_problems++;
		break;
	case X12_LEVEL_INTERCHANGE:
		d->interchanges[at->ic].n_problems++;
		break;
	case X12_LEVEL_GROUP:
		d->groups[at->grp].n_problems++;
		break;
	default:
		d->sets[at->set].n_problems++;
		break;
	}
	if (d->n_problems == X12_MAX_PROBLEMS) {
		d->n_dropped++;
		return;
	}
	if (!d->problems) {
		d->problems = calloc(X12_MAX_PROBLEMS, sizeof(*d->problems));
		if (!d->problems) {
			d->n_dropped++;
			return;
		}
	}
	p = &d->problems[d->n_problems++];
	memset(p, 0, sizeof(*p));
	p->level = at->level;
	p->code = at->code;
	p->limit = at->limit;
	p->interchange = at->ic;
	p->group = at->grp;
	p->set = at->set;
	p->element = at->element;
	p->component = at->component;
	if (at->seg != X12_NONE) {
		p->segment = at->seg + 1;
		if (at->set != X12_NONE && at->seg >= d->sets[at->set].first)
			p->position = at->seg - d->sets[at->set].first + 1;
		/* A segment not indexed yet (the ISA that cut an interchange
		 * short) is named by seg_id alone. */
		if (at->seg_id)
			ordo_strlcpy(p->segment_id, at->seg_id,
				     sizeof(p->segment_id));
		else if (at->seg < d->n_segments)
			memcpy(p->segment_id, d->segments[at->seg].id,
			       sizeof(p->segment_id));
		if (at->value)
			ordo_strlcpy(p->value, at->value, sizeof(p->value));
		else if (at->element && at->seg < d->n_segments &&
			 seg_elem(d, at->seg, at->element, &v, &vn))
			value_copy(p->value, v, vn);
	} else if (at->seg_id) {
		ordo_strlcpy(p->segment_id, at->seg_id, sizeof(p->segment_id));
	}
	vsnprintf(p->reason, sizeof(p->reason), fmt, ap);
	ordo_utf8_scrub(p->reason);
}

static void problem_add(x12_doc *d, const struct at *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void problem_add(x12_doc *d, const struct at *at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	x12_problem_vadd(d, at, fmt, ap);
	va_end(ap);
}

/* The segment a problem sorts by: those at the end of the file last. */
static size_t problem_key(const x12_problem *p)
{
	return p->segment ? p->segment : (size_t)-1;
}

/* File order, problems of one segment in the order they were found (an
 * insertion sort: stable, and there are at most X12_MAX_PROBLEMS). */
static void problems_sort(x12_doc *d)
{
	size_t i, j;

	for (i = 1; i < d->n_problems; i++) {
		x12_problem tmp = d->problems[i];

		for (j = i; j > 0 && problem_key(&d->problems[j - 1]) >
					     problem_key(&tmp);
		     j--)
			d->problems[j] = d->problems[j - 1];
		d->problems[j] = tmp;
	}
}

/* ---- reading the envelope ----------------------------------------------- */

struct reader {
	x12_doc *d;
	const char *t;
	size_t len, pos;
	size_t cap_segments, cap_interchanges, cap_groups, cap_sets;
	size_t ic, grp, set; /* the open ones, X12_NONE when none */
	bool orphan;	     /* in a set that has no group */
	bool stop;	     /* read no further */
	bool oom;
};

static bool grow(void **arr, size_t *cap, size_t need, size_t size)
{
	size_t n;
	void *p;

	if (need <= *cap)
		return true;
	n = *cap ? *cap * 2 : 16;
	while (n < need)
		n *= 2;
	p = realloc(*arr, n * size);
	if (!p)
		return false;
	*arr = p;
	*cap = n;
	return true;
}

/* A problem of the open interchange, with its TA1 note code. */
static void ic_problem(struct reader *r, int code, size_t seg, unsigned el,
		       const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void ic_problem(struct reader *r, int code, size_t seg, unsigned el,
		       const char *fmt, ...)
{
	struct at at = { .level = X12_LEVEL_INTERCHANGE,
			 .code = code,
			 .ic = r->ic,
			 .grp = X12_NONE,
			 .set = X12_NONE,
			 .seg = seg,
			 .element = el };
	va_list ap;

	va_start(ap, fmt);
	x12_problem_vadd(r->d, &at, fmt, ap);
	va_end(ap);
}

static void grp_problem(struct reader *r, int code, size_t seg, unsigned el,
			const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void grp_problem(struct reader *r, int code, size_t seg, unsigned el,
			const char *fmt, ...)
{
	struct at at = { .level = X12_LEVEL_GROUP,
			 .code = code,
			 .ic = r->ic,
			 .grp = r->grp,
			 .set = X12_NONE,
			 .seg = seg,
			 .element = el };
	va_list ap;

	va_start(ap, fmt);
	x12_problem_vadd(r->d, &at, fmt, ap);
	va_end(ap);
}

static void set_problem(struct reader *r, x12_level level, int code,
			bool limit, size_t seg, unsigned el, const char *fmt,
			...) __attribute__((format(printf, 7, 8)));

static void set_problem(struct reader *r, x12_level level, int code,
			bool limit, size_t seg, unsigned el, const char *fmt,
			...)
{
	struct at at = { .level = level,
			 .code = code,
			 .limit = limit,
			 .ic = r->ic,
			 .grp = r->grp,
			 .set = r->set,
			 .seg = seg,
			 .element = el };
	va_list ap;

	va_start(ap, fmt);
	x12_problem_vadd(r->d, &at, fmt, ap);
	va_end(ap);
}

static void file_problem(x12_doc *d, bool limit, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void file_problem(x12_doc *d, bool limit, const char *fmt, ...)
{
	struct at at = { .level = X12_LEVEL_FILE,
			 .limit = limit,
			 .ic = X12_NONE,
			 .grp = X12_NONE,
			 .set = X12_NONE,
			 .seg = X12_NONE };
	va_list ap;

	va_start(ap, fmt);
	x12_problem_vadd(d, &at, fmt, ap);
	va_end(ap);
}

/* Index the segment of n bytes at off; false past X12_MAX_SEGMENTS (the
 * file is refused) or out of memory. */
static bool seg_push(struct reader *r, size_t off, size_t n, char sep)
{
	x12_doc *d = r->d;
	x12_segment *s;
	size_t i, idn;

	if (d->n_segments == X12_MAX_SEGMENTS) {
		d->refused = true;
		file_problem(d, true,
			     "the file has more than %d segments; ordo reads "
			     "at most that many (X12_MAX_SEGMENTS)",
			     X12_MAX_SEGMENTS);
		return false;
	}
	if (!grow((void **)&d->segments, &r->cap_segments, d->n_segments + 1,
		  sizeof(*d->segments))) {
		r->oom = true;
		return false;
	}
	s = &d->segments[d->n_segments++];
	memset(s, 0, sizeof(*s));
	s->offset = off;
	s->len = n;
	s->element_sep = sep;
	for (i = 0; i < n; i++)
		s->n_elements += r->t[off + i] == sep;
	for (idn = 0; idn < n && r->t[off + idn] != sep; idn++)
		;
	/* An ID is 2 or 3 capitals and digits, the first a capital. */
	if (idn >= 2 && idn <= 3 && is_upper(r->t[off])) {
		for (i = 1; i < idn && (is_upper(r->t[off + i]) ||
					is_digit(r->t[off + i]));
		     i++)
			;
		if (i == idn)
			memcpy(s->id, r->t + off, idn);
	}
	return true;
}

/* Segments of an 850 that ordo reads elements of: none of their elements
 * is a composite (REF04 apart), so a component separator in one is an
 * invalid character, and must not reach the order or an 855's echo. */
static bool po_reads(const char *id)
{
	static const char *const ids[] = {
		"BEG", "CUR", "REF", "PER", "N1",  "N2",  "N3", "N4",
		"DTM", "SAC", "TXI", "PO1", "PID", "CTT", "AMT", "MSG",
	};
	size_t i;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if (strcmp(id, ids[i]) == 0)
			return true;
	return false;
}

/*
 * Check the syntax every segment shares: its ID, its number of elements,
 * each element's length and characters (in an 850, no component separator
 * where no composite is). In a set (r->set open) each problem is the
 * set's, with its AK3/AK4 code; outside one it is the interchange's, with
 * TA1 note code ic_code.
 */
static void seg_check(struct reader *r, size_t seg, int ic_code)
{
	const x12_segment *s = &r->d->segments[seg];
	bool in_set = r->set != X12_NONE;
	bool po_read = in_set && r->d->sets[r->set].kind == X12_SET_ORDER &&
		       po_reads(s->id);
	char comp = r->d->interchanges[r->ic].component_sep;
	unsigned n = s->n_elements, el;
	const char *p;
	size_t len, i;

	if (!s->id[0]) {
		char v[X12_VALUE_MAX];
		struct at at = { .level = X12_LEVEL_SEGMENT,
				 .code = 1,
				 .ic = r->ic,
				 .grp = r->grp,
				 .set = r->set,
				 .seg = seg,
				 .value = v };

		seg_elem(r->d, seg, 0, &p, &len);
		value_copy(v, p, len);
		if (!in_set)
			ic_problem(r, ic_code, seg, 0,
				   "\"%s\" is not a segment ID", v);
		else if (len)
			problem_add(r->d, &at,
				    "\"%s\" is not a segment ID (2 or 3 "
				    "capitals and digits, the first a capital)",
				    v);
		else
			problem_add(r->d, &at,
				    "an empty segment (two segment terminators "
				    "in a row)");
		return;
	}
	if (n > X12_MAX_ELEMENTS) {
		if (in_set)
			set_problem(r, X12_LEVEL_ELEMENT, 3, true, seg,
				    X12_MAX_ELEMENTS + 1,
				    "the segment has %u elements; ordo reads "
				    "at most %d (X12_MAX_ELEMENTS)",
				    n, X12_MAX_ELEMENTS);
		else
			ic_problem(r, ic_code, seg, X12_MAX_ELEMENTS + 1,
				   "%s has %u elements; ordo reads at most %d "
				   "(X12_MAX_ELEMENTS)",
				   s->id, n, X12_MAX_ELEMENTS);
		n = X12_MAX_ELEMENTS;
	}
	for (el = 1; el <= n; el++) {
		const char *why = NULL;
		char what[80];
		/* REF04 (C040) is the one composite of the segments an 850
		 * is read from. */
		bool simple = po_read &&
			      !(el == 4 && strcmp(s->id, "REF") == 0);

		seg_elem(r->d, seg, el, &p, &len);
		if (len > X12_MAX_ELEMENT_BYTES) {
			if (in_set)
				set_problem(r, X12_LEVEL_ELEMENT, 5, true, seg,
					    el,
					    "the element is %zu bytes; ordo "
					    "reads at most %d "
					    "(X12_MAX_ELEMENT_BYTES)",
					    len, X12_MAX_ELEMENT_BYTES);
			else
				ic_problem(r, ic_code, seg, el,
					   "%s%02u is %zu bytes; ordo reads at "
					   "most %d (X12_MAX_ELEMENT_BYTES)",
					   s->id, el, len,
					   X12_MAX_ELEMENT_BYTES);
			continue;
		}
		for (i = 0; i < len; i++)
			if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
				break;
		if (i < len) {
			snprintf(what, sizeof(what),
				 "holds the control character 0x%02X at byte "
				 "%zu",
				 (unsigned)(unsigned char)p[i], i + 1);
			why = what;
		} else if (!ordo_utf8_valid(p, len)) {
			why = "is not valid UTF-8";
		} else if (simple && memchr(p, comp, len)) {
			snprintf(what, sizeof(what),
				 "holds the component separator '%c', which "
				 "only a composite element may",
				 comp);
			why = what;
		}
		if (!why)
			continue;
		if (in_set)
			set_problem(r, X12_LEVEL_ELEMENT, 6, false, seg, el,
				    "the element %s", why);
		else
			ic_problem(r, ic_code, seg, el, "%s%02u %s", s->id, el,
				   why);
	}
}

/* Widths of ISA01..ISA16, and the TA1 note code (I18) of each when bad. */
static const unsigned isa_width[17] = { 0, 2,  10, 2, 10, 2, 15, 2, 15,
					6, 4,  1,  5, 9,  1, 1,	 1 };
static const int isa_code[17] = { 0,  10, 11, 12, 13, 5,  6,  7, 8,
				  14, 15, 16, 17, 18, 19, 20, 27 };

/* Whether ISA field f may be taken as it is (see read_isa). */
bool x12_isa_field_ok(const x12_interchange *ic, unsigned f)
{
	const char *v = ic->isa[f];
	size_t n = strlen(v), i;
	bool blank = true;

	if (n != isa_width[f]) /* a NUL in it */
		return false;
	for (i = 0; i < n; i++) {
		if (!is_printable(v[i]) || v[i] == ic->element_sep ||
		    v[i] == ic->segment_term ||
		    (f != 16 && v[i] == ic->component_sep))
			return false;
		blank = blank && v[i] == ' ';
	}
	switch (f) {
	case 1:
	case 3:
		return x12_all_digits(v, 2);
	case 5:
	case 7:
		return is_alnum(v[0]) && is_alnum(v[1]);
	case 6:
	case 8:
		return !blank;
	case 9: {
		ordo_time t;

		return x12_date_parse(v, 6, &t);
	}
	case 10:
		return time_ok(v, 4);
	case 11:
		return v[0] != ' ';
	case 12:
		return x12_all_digits(v, 5);
	case 13:
		return x12_all_digits(v, 9);
	case 14:
		return v[0] == '0' || v[0] == '1';
	case 15:
		return v[0] == 'P' || v[0] == 'T' || v[0] == 'I';
	default:
		return true;
	}
}

/* Copy a padded ISA field without its trailing spaces. */
static void isa_trim(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	while (n && src[n - 1] == ' ')
		n--;
	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/*
 * Read the ISA at r->pos into a new interchange. False when it cannot be
 * read (the interchange has a problem saying why, readable is false, and
 * the file is read no further: where this interchange ends is unknown).
 */
static bool read_isa(struct reader *r)
{
	x12_doc *d = r->d;
	size_t start = r->pos, avail = r->len - start, p, seg;
	x12_interchange *ic;
	char sep, comp, term;
	unsigned f;

	if (!grow((void **)&d->interchanges, &r->cap_interchanges,
		  d->n_interchanges + 1, sizeof(*d->interchanges))) {
		r->oom = true;
		return false;
	}
	r->ic = d->n_interchanges++;
	ic = &d->interchanges[r->ic];
	memset(ic, 0, sizeof(*ic));
	ic->segment = d->n_segments;
	ic->first_group = d->n_groups;
	r->grp = r->set = X12_NONE;
	r->orphan = false;

	sep = avail > 3 ? r->t[start + 3] : '\0';
	if (!seg_push(r, start, avail < X12_ISA_LEN ? avail : X12_ISA_LEN - 1,
		      sep_ok(sep) ? sep : '\x01'))
		return false;
	seg = d->n_segments - 1;
	memcpy(d->segments[seg].id, "ISA", 4);
	if (avail < X12_ISA_LEN) {
		ic_problem(r, 23, seg, 0,
			   "the ISA is cut short: the file ends %zu characters "
			   "into its 106",
			   avail);
		return false;
	}
	if (!sep_ok(sep)) {
		ic_problem(r, 26, seg, 0,
			   "the character after \"ISA\" (0x%02X) cannot be an "
			   "element separator",
			   (unsigned)(unsigned char)sep);
		return false;
	}
	p = start + 3;
	for (f = 1; f <= 16; f++) {
		if (r->t[p] != sep) {
			ic_problem(r, 22, seg, f,
				   "the ISA is not fixed-width: ISA%02u should "
				   "start after the separator at character "
				   "%zu",
				   f, p - start + 1);
			return false;
		}
		p++;
		memcpy(ic->isa[f], r->t + p, isa_width[f]);
		ic->isa[f][isa_width[f]] = '\0';
		p += isa_width[f];
	}
	comp = ic->isa[16][0];
	term = r->t[start + X12_ISA_LEN - 1];
	ic->element_sep = sep;
	if (!sep_ok(comp) || comp == sep) {
		ic_problem(r, 27, seg, 16,
			   "ISA16 (0x%02X) cannot be the component separator",
			   (unsigned)(unsigned char)comp);
		return false;
	}
	ic->component_sep = comp;
	if (!term_ok(term) || term == sep || term == comp) {
		ic_problem(r, 4, seg, 0,
			   "the character after ISA16 (0x%02X) cannot be the "
			   "segment terminator",
			   (unsigned)(unsigned char)term);
		return false;
	}
	ic->segment_term = term;
	d->segments[seg].n_elements = 16;

	/* Without a sender, a receiver and a control number no reply can be
	 * addressed: such an ISA is as unreadable as a broken one. */
	for (f = 5; f <= 13; f++) {
		if ((f <= 8 || f == 13) && !x12_isa_field_ok(ic, f)) {
			ic_problem(r, isa_code[f], seg, f,
				   "ISA%02u \"%s\" is not valid, so no reply "
				   "can be addressed",
				   f, ic->isa[f]);
			return false;
		}
	}
	for (f = 1; f <= 15; f++)
		if (!x12_isa_field_ok(ic, f))
			ic_problem(r, isa_code[f], seg, f,
				   "ISA%02u \"%s\" is not valid", f,
				   ic->isa[f]);
	isa_trim(ic->sender_qualifier, sizeof(ic->sender_qualifier),
		 ic->isa[5]);
	isa_trim(ic->sender, sizeof(ic->sender), ic->isa[6]);
	isa_trim(ic->receiver_qualifier, sizeof(ic->receiver_qualifier),
		 ic->isa[7]);
	isa_trim(ic->receiver, sizeof(ic->receiver), ic->isa[8]);
	memcpy(ic->version, ic->isa[12], sizeof(ic->version));
	memcpy(ic->control, ic->isa[13], sizeof(ic->control));
	if (strcmp(ic->version, "00402") >= 0 && sep_ok(ic->isa[11][0]) &&
	    ic->isa[11][0] != sep && ic->isa[11][0] != comp &&
	    ic->isa[11][0] != term)
		ic->repetition_sep = ic->isa[11][0];
	ic->readable = true;
	r->pos = start + X12_ISA_LEN;
	return true;
}

/* Close the open set without its SE: `came` is the segment that arrived
 * instead (X12_NONE at the end of the file). */
static void close_set(struct reader *r, size_t came)
{
	x12_set *s;

	if (r->set == X12_NONE) {
		r->orphan = false;
		return;
	}
	s = &r->d->sets[r->set];
	s->end = came == X12_NONE ? r->d->n_segments : came;
	if (came == X12_NONE)
		set_problem(r, X12_LEVEL_SET, 2, false, X12_NONE, 0,
			    r->pos < r->len
				    ? "a new ISA begins before the set's SE"
				    : "the file ends before the set's SE");
	else
		set_problem(r, X12_LEVEL_SET, 2, false, came, 0,
			    "the set (ST at segment %zu) has no SE: %s came "
			    "first",
			    s->first + 1, r->d->segments[came].id);
	r->set = X12_NONE;
}

static void close_group(struct reader *r, size_t came)
{
	close_set(r, came);
	if (r->grp == X12_NONE)
		return;
	if (came == X12_NONE)
		grp_problem(r, 3, X12_NONE, 0,
			    r->pos < r->len
				    ? "a new ISA begins before the group's GE"
				    : "the file ends before the group's GE");
	else
		grp_problem(r, 3, came, 0,
			    "the group (GS at segment %zu) has no GE: %s came "
			    "first",
			    r->d->groups[r->grp].segment + 1,
			    r->d->segments[came].id);
	r->grp = X12_NONE;
}

static void open_group(struct reader *r, size_t seg)
{
	x12_doc *d = r->d;
	x12_group *g;
	char buf[ELEM_BUF];
	size_t n;

	if (!grow((void **)&d->groups, &r->cap_groups, d->n_groups + 1,
		  sizeof(*d->groups))) {
		r->oom = true;
		return;
	}
	r->grp = d->n_groups++;
	g = &d->groups[r->grp];
	memset(g, 0, sizeof(*g));
	g->interchange = r->ic;
	g->segment = seg;
	g->first_set = d->n_sets;
	g->declared_sets = -1;
	d->interchanges[r->ic].n_groups++;

	n = elem_text(d, seg, 1, buf, sizeof(buf));
	if (n == 2 && is_alnum(buf[0]) && is_alnum(buf[1]))
		memcpy(g->id, buf, 3);
	n = elem_text(d, seg, 6, buf, sizeof(buf));
	if (n >= 1 && n <= 9 && x12_all_digits(buf, n))
		memcpy(g->control, buf, n + 1);
	if (d->segments[seg].n_elements != 8)
		ic_problem(r, 24, seg, 0,
			   "the GS has %u elements; it has 8 (GS01 to GS08)",
			   d->segments[seg].n_elements);
	if (!g->id[0] || !g->control[0])
		ic_problem(r, 24, seg, g->id[0] ? 6 : 1,
			   "a 997 cannot name this group: GS01 must be a "
			   "2-character functional identifier and GS06 a "
			   "control number of 1 to 9 digits");
	if (elem_text(d, seg, 2, buf, sizeof(buf)) < sizeof(g->sender))
		memcpy(g->sender, buf, strlen(buf) + 1);
	else
		ic_problem(r, 24, seg, 2,
			   "GS02 is longer than 15 characters");
	if (elem_text(d, seg, 3, buf, sizeof(buf)) < sizeof(g->receiver))
		memcpy(g->receiver, buf, strlen(buf) + 1);
	else
		ic_problem(r, 24, seg, 3,
			   "GS03 is longer than 15 characters");
	g->date_digits = elem_text(d, seg, 4, buf, sizeof(buf)) == 6 ? 6 : 8;
	n = elem_text(d, seg, 7, buf, sizeof(buf));
	ordo_strlcpy(g->agency, n >= 1 && n <= 2 ? buf : "X",
		     sizeof(g->agency));
	n = elem_text(d, seg, 8, buf, sizeof(buf));
	if (n >= 1 && n < sizeof(g->version))
		memcpy(g->version, buf, n + 1);
	else
		ic_problem(r, 24, seg, 8,
			   "GS08 must name the version in 1 to 12 characters");
	/* A GS with elements missing or too many has them shifted: its
	 * GS06 and GS08 are not what they say, so a 997 cannot name it. */
	g->named = g->id[0] && g->control[0] && g->version[0] &&
		   d->segments[seg].n_elements == 8;
}

static void close_group_ge(struct reader *r, size_t seg)
{
	x12_doc *d = r->d;
	x12_group *g = &d->groups[r->grp];
	char buf[ELEM_BUF];
	int64_t v, w;
	size_t n;

	g->has_trailer = true;
	n = elem_text(d, seg, 1, buf, sizeof(buf));
	if (!x12_number_of(buf, n, &v))
		grp_problem(r, 5, seg, 1,
			    "GE01 \"%s\" is not a number of transaction sets",
			    buf);
	else if ((g->declared_sets = v) != (int64_t)g->n_sets)
		grp_problem(r, 5, seg, 1,
			    "GE01 says %lld transaction sets; the group has "
			    "%zu",
			    (long long)v, g->n_sets);
	n = elem_text(d, seg, 2, buf, sizeof(buf));
	if (!g->control[0] || !x12_number_of(buf, n, &v) ||
	    !x12_number_of(g->control, strlen(g->control), &w) || v != w)
		grp_problem(r, 4, seg, 2,
			    "GE02 \"%s\" does not match GS06 \"%s\" (segment "
			    "%zu)",
			    buf, g->control, g->segment + 1);
	r->grp = X12_NONE;
}

static void open_set(struct reader *r, size_t seg)
{
	x12_doc *d = r->d;
	x12_group *g;
	x12_set *s;
	char buf[ELEM_BUF];
	size_t n, i;

	if (!grow((void **)&d->sets, &r->cap_sets, d->n_sets + 1,
		  sizeof(*d->sets))) {
		r->oom = true;
		return;
	}
	r->set = d->n_sets++;
	s = &d->sets[r->set];
	memset(s, 0, sizeof(*s));
	s->group = r->grp;
	s->first = seg;
	s->end = seg + 1;
	g = &d->groups[r->grp];
	g->n_sets++;

	n = elem_text(d, seg, 1, buf, sizeof(buf));
	if (n == 3 && x12_all_digits(buf, 3)) {
		memcpy(s->id, buf, 4);
		s->kind = strcmp(buf, "850") == 0 ? X12_SET_ORDER
			  : x12_set_type_name(buf) ? X12_SET_NOT_ORDER
						   : X12_SET_UNKNOWN;
	} else {
		s->kind = X12_SET_UNKNOWN;
		set_problem(r, X12_LEVEL_SET, 6, false, seg, 1,
			    "ST01 \"%s\" is not a transaction set identifier "
			    "(3 digits)",
			    buf);
	}
	n = elem_text(d, seg, 2, buf, sizeof(buf));
	for (i = 0; i < n && is_printable(buf[i]); i++)
		;
	if (n < 4 || n > 9 || i < n) {
		set_problem(r, X12_LEVEL_SET, 7, false, seg, 2,
			    "ST02 \"%s\" must be a control number of 4 to 9 "
			    "characters",
			    buf);
		if (n <= 9)
			memcpy(s->control, buf, n + 1);
		return;
	}
	memcpy(s->control, buf, n + 1);
	for (i = g->first_set; i < r->set; i++)
		if (strcmp(d->sets[i].control, s->control) == 0) {
			set_problem(r, X12_LEVEL_SET, 23, false, seg, 2,
				    "ST02 \"%s\" is used by another set of the "
				    "group (segment %zu)",
				    s->control, d->sets[i].first + 1);
			break;
		}
}

static void close_set_se(struct reader *r, size_t seg)
{
	x12_doc *d = r->d;
	x12_set *s = &d->sets[r->set];
	char buf[ELEM_BUF], st02[ELEM_BUF];
	size_t n, count;
	int64_t v;

	s->end = seg + 1;
	s->has_trailer = true;
	count = s->end - s->first;
	n = elem_text(d, seg, 1, buf, sizeof(buf));
	if (!x12_number_of(buf, n, &v))
		set_problem(r, X12_LEVEL_SET, 4, false, seg, 1,
			    "SE01 \"%s\" is not a number of segments", buf);
	else if (v != (int64_t)count)
		set_problem(r, X12_LEVEL_SET, 4, false, seg, 1,
			    "SE01 says %lld segments; the set has %zu (ST and "
			    "SE included)",
			    (long long)v, count);
	/* As ST02 was written, even when it is no valid control number. */
	elem_text(d, seg, 2, buf, sizeof(buf));
	elem_text(d, s->first, 2, st02, sizeof(st02));
	if (strcmp(buf, st02) != 0)
		set_problem(r, X12_LEVEL_SET, 3, false, seg, 2,
			    "SE02 \"%.20s\" does not match ST02 \"%.20s\"",
			    buf, st02);
	r->set = X12_NONE;
}

static void check_iea(struct reader *r, size_t seg)
{
	x12_doc *d = r->d;
	x12_interchange *ic = &d->interchanges[r->ic];
	char buf[ELEM_BUF];
	int64_t v, w;
	size_t n;

	ic->has_trailer = true;
	n = elem_text(d, seg, 1, buf, sizeof(buf));
	if (!x12_number_of(buf, n, &v) || v != (int64_t)ic->n_groups)
		ic_problem(r, 21, seg, 1,
			   "IEA01 \"%s\" does not count the interchange's %zu "
			   "functional group%s",
			   buf, ic->n_groups, ic->n_groups == 1 ? "" : "s");
	n = elem_text(d, seg, 2, buf, sizeof(buf));
	if (!x12_number_of(buf, n, &v) || !x12_number_of(ic->control, 9, &w) ||
	    v != w)
		ic_problem(r, 1, seg, 2,
			   "IEA02 \"%s\" does not match ISA13 \"%s\"", buf,
			   ic->control);
}

/* One segment's move of the envelope state machine; true at the IEA. */
static bool dispatch(struct reader *r, size_t seg)
{
	const char *id = r->d->segments[seg].id;

	if (strcmp(id, "IEA") == 0) {
		close_group(r, seg);
		seg_check(r, seg, 22);
		check_iea(r, seg);
		return true;
	}
	if (strcmp(id, "GS") == 0) {
		close_group(r, seg);
		seg_check(r, seg, 24);
		open_group(r, seg);
		return false;
	}
	if (strcmp(id, "GE") == 0) {
		close_set(r, seg);
		seg_check(r, seg, 24);
		if (r->grp == X12_NONE)
			ic_problem(r, 22, seg, 0,
				   "a GE without a GS before it");
		else
			close_group_ge(r, seg);
		return false;
	}
	if (strcmp(id, "ST") == 0) {
		close_set(r, seg);
		if (r->grp == X12_NONE) {
			ic_problem(r, 22, seg, 0,
				   "an ST outside a functional group (no GS "
				   "before it); its set is not read");
			r->orphan = true;
			return false;
		}
		open_set(r, seg);
		if (r->set != X12_NONE)
			seg_check(r, seg, 22);
		return false;
	}
	if (strcmp(id, "SE") == 0) {
		if (r->set != X12_NONE) {
			seg_check(r, seg, 22);
			close_set_se(r, seg);
		} else if (r->orphan) {
			r->orphan = false;
		} else {
			ic_problem(r, 22, seg, 0,
				   "an SE without an ST before it");
		}
		return false;
	}
	if (r->set != X12_NONE) {
		seg_check(r, seg, 22);
	} else if (strcmp(id, "TA1") == 0 && r->grp == X12_NONE) {
		/* An interchange acknowledgment: it stands between the ISA
		 * and the groups. */
		seg_check(r, seg, 22);
	} else if (!r->orphan) {
		ic_problem(r, 22, seg, 0,
			   "segment \"%s\" is outside any transaction set",
			   id[0] ? id : "?");
	}
	return false;
}

/* The segments after an ISA, up to and including its IEA. */
static void read_body(struct reader *r)
{
	x12_doc *d = r->d;
	char term = d->interchanges[r->ic].segment_term;
	char sep = d->interchanges[r->ic].element_sep;

	for (;;) {
		const char *q;
		size_t start, end, next;

		r->pos = skip_ws(r->t, r->len, r->pos);
		if (r->pos >= r->len) {
			close_group(r, X12_NONE);
			ic_problem(r, 23, X12_NONE, 0,
				   "the file ends before the interchange's "
				   "IEA");
			return;
		}
		start = r->pos;
		/* A new interchange before this one's IEA. */
		if (r->len - start > 3 &&
		    memcmp(r->t + start, "ISA", 3) == 0 &&
		    !is_alnum(r->t[start + 3])) {
			struct at at = { .level = X12_LEVEL_INTERCHANGE,
					 .code = 23,
					 .ic = r->ic,
					 .grp = X12_NONE,
					 .set = X12_NONE,
					 .seg = d->n_segments,
					 .seg_id = "ISA" };

			close_group(r, X12_NONE);
			problem_add(d, &at,
				    "a new ISA begins before the interchange's "
				    "IEA");
			return;
		}
		q = memchr(r->t + start, term, r->len - start);
		if (q) {
			end = (size_t)(q - r->t);
			next = end + 1;
		} else {
			/* The last segment of the file may lack its
			 * terminator. */
			end = r->len;
			while (end > start && is_ws(r->t[end - 1]))
				end--;
			next = r->len;
		}
		if (!seg_push(r, start, end - start, sep)) {
			r->stop = true;
			return;
		}
		r->pos = next;
		if (dispatch(r, d->n_segments - 1) || r->oom)
			return;
	}
}

/* ---- reading: the entry points ------------------------------------------ */

/* "segment 12 PO1-03", "segment 3 SE", "end of file". */
static void problem_field(const x12_problem *p, char *buf, size_t size)
{
	if (!p->segment)
		snprintf(buf, size, "%s",
			 p->level == X12_LEVEL_FILE ? "file" : "end of file");
	else if (p->element)
		snprintf(buf, size, "segment %zu %s-%02u", p->segment,
			 p->segment_id[0] ? p->segment_id : "?", p->element);
	else
		snprintf(buf, size, "segment %zu %s", p->segment,
			 p->segment_id[0] ? p->segment_id : "?");
}

/* Whether problem p bears on set s (its own, its group's, its
 * interchange's). */
static bool problem_of_set(const x12_doc *d, const x12_problem *p, size_t s)
{
	const x12_set *set = &d->sets[s];

	switch (p->level) {
	case X12_LEVEL_FILE:
		return d->refused;
	case X12_LEVEL_INTERCHANGE:
		return p->interchange == d->groups[set->group].interchange;
	case X12_LEVEL_GROUP:
		return p->group == set->group;
	default:
		return p->set == s;
	}
}

/* Report the problems the filter keeps (all of them with s X12_NONE)
 * into err, with a message saying how many there are. */
static ordo_code problems_report(const x12_doc *d, size_t s, ordo_err *err)
{
	char field[ORDO_ERR_FIELD_MAX];
	bool limit = false;
	size_t i, n = 0;

	for (i = 0; i < d->n_problems; i++) {
		const x12_problem *p = &d->problems[i];

		if (s != X12_NONE && !problem_of_set(d, p, s))
			continue;
		problem_field(p, field, sizeof(field));
		ordo_err_add(err, p->limit ? ORDO_ELIMIT : ORDO_EINVALID,
			     field, "%s", p->reason);
		limit = limit || p->limit;
		n++;
	}
	if (s == X12_NONE) {
		n += d->n_dropped;
		err->n_dropped += d->n_dropped;
	}
	if (err->code == ORDO_OK && n == 0)
		return ORDO_OK;
	if (err->code == ORDO_OK) /* only dropped ones */
		err->code = ORDO_EINVALID;
	if (limit || d->refused)
		err->code = ORDO_ELIMIT;
	if (s == X12_NONE)
		ordo_err_set_message(err, "the X12 file has %zu problem%s", n,
				     n == 1 ? "" : "s");
	return err->code;
}

ordo_code x12_read(const char *buf, size_t len, const ordo_channel *ch,
		   x12_doc *d, ordo_err *err)
{
	struct reader r;
	size_t i;

	assert(buf || len == 0);
	assert(ch && d && err);
	memset(&r, 0, sizeof(r));
	r.d = d;
	r.ic = r.grp = r.set = X12_NONE;
	if (len > X12_MAX_FILE_BYTES) {
		d->refused = true;
		file_problem(d, true,
			     "the file is %zu bytes; ordo reads at most %d "
			     "(X12_MAX_FILE_BYTES)",
			     len, X12_MAX_FILE_BYTES);
		return problems_report(d, X12_NONE, err);
	}
	d->text = malloc(len + 1);
	if (!d->text)
		goto oom;
	if (len)
		memcpy(d->text, buf, len);
	d->text[len] = '\0';
	d->len = len;
	r.t = d->text;
	r.len = len;
	if (len >= 3 && memcmp(r.t, "\xEF\xBB\xBF", 3) == 0)
		r.pos = 3;
	for (;;) {
		r.pos = skip_ws(r.t, len, r.pos);
		if (r.pos >= len)
			break;
		if (len - r.pos < 3 || memcmp(r.t + r.pos, "ISA", 3) != 0) {
			char v[X12_VALUE_MAX];

			value_copy(v, r.t + r.pos,
				   len - r.pos < 16 ? len - r.pos : 16);
			file_problem(d, false,
				     "byte %zu should begin an ISA segment; "
				     "it begins \"%s\"",
				     r.pos + 1, v);
			break;
		}
		if (!read_isa(&r))
			break;
		read_body(&r);
		if (r.stop || r.oom)
			break;
	}
	if (r.oom)
		goto oom;
	if (d->n_interchanges == 0 && d->n_file_problems == 0)
		file_problem(d, false,
			     "the file holds no interchange (no ISA segment)");

	for (i = 0; i < d->n_sets; i++) {
		struct sink sink = { .d = d };
		order o;
		ordo_code rc;

		if (d->sets[i].kind != X12_SET_ORDER)
			continue;
		order_init(&o);
		rc = x12_po_decode(d, i, ch, &o, &sink, false);
		order_free(&o);
		if (rc != ORDO_OK)
			goto oom;
	}
	for (i = 0; i < d->n_sets; i++) {
		x12_set *s = &d->sets[i];
		const x12_group *g = &d->groups[s->group];

		s->accepted = !d->refused && s->n_problems == 0 &&
			      g->n_problems == 0 &&
			      d->interchanges[g->interchange].n_problems == 0;
	}
	problems_sort(d);
	return problems_report(d, X12_NONE, err);

oom:
	x12_doc_free(d);
	return ordo_err_set(err, ORDO_ENOMEM, NULL,
			    "out of memory reading an X12 file of %zu bytes",
			    len);
}

ordo_code x12_set_order(const x12_doc *d, size_t set, const ordo_channel *ch,
			order *o, ordo_err *err)
{
	struct sink sink = { .d = NULL };
	const x12_set *s;
	ordo_code rc;

	assert(d && ch && o && err);
	if (set >= d->n_sets)
		return ordo_err_set(err, ORDO_EINVALID, "set",
				    "the file has %zu transaction sets; there "
				    "is no set %zu",
				    d->n_sets, set);
	s = &d->sets[set];
	if (s->kind != X12_SET_ORDER) {
		const char *name = x12_set_type_name(s->id);

		return ordo_err_set(err, ORDO_EINVALID, "set",
				    "set %zu (ST at segment %zu) is a %s%s%s, "
				    "not an 850 purchase order",
				    set, s->first + 1, s->id[0] ? s->id : "?",
				    name ? " " : "", name ? name : "");
	}
	if (!s->accepted) {
		problems_report(d, set, err);
		if (err->code == ORDO_OK)
			err->code = ORDO_EINVALID;
		ordo_err_set_message(err,
				     "purchase order set %zu (ST at segment "
				     "%zu) is refused: %zu problem%s",
				     set, s->first + 1,
				     err->n_details + err->n_dropped,
				     err->n_details + err->n_dropped == 1
					     ? ""
					     : "s");
		return err->code;
	}
	rc = x12_po_decode(d, set, ch, o, &sink, true);
	if (rc != ORDO_OK)
		return ordo_err_set(err, rc, NULL,
				    "out of memory decoding an X12 850");
	if (sink.count)
		return ordo_err_set(err, ORDO_EINVALID, "channel",
				    "purchase order set %zu has %zu problems "
				    "with this channel; read the file again "
				    "with the channel it is decoded with",
				    set, sink.count);
	return ORDO_OK;
}
