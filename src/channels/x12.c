/*
 * x12.c - EDI ANSI X12 interchanges: reading, 850s into orders, 997 and
 * 855 replies. See x12.h for the interface and its decisions.
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
 * second pass decodes every 850 set (po_decode), with problems counted
 * against the set. x12_set_order decodes an accepted set again, into the
 * caller's order: the decoder is deterministic, so the order is the one
 * whose absence of problems the first pass saw; no order is kept in the
 * doc, and memory stays in proportion to the file, not to its orders.
 *
 * NOTES ON THE 850 MAPPING
 *
 *   BEG   BEG01 purpose, BEG02 type (kept on the set, and in the notes
 *         when not an original stand-alone order), BEG03 PO number ->
 *         external_id, BEG05 CCYYMMDD (or YYMMDD) -> placed_at, 00:00 UTC
 *   CUR   CUR02 -> currency; else the channel's; else refused (channel.h:
 *         "such an order is refused") - X12 has no default currency of
 *         its own, the trading partner agreement has, and the channel is
 *         where ordo keeps that agreement
 *   REF   header references -> notes ("REF DP: 038")
 *   PER   TE -> phone, EM -> email, PER02 -> name: in the header or the
 *         BY loop for the customer, in the ST loop the ship-to's phone
 *         (and the customer's email when none came otherwise)
 *   N1    ST -> ship_to, BT -> bill_to (N1-02 name, N2 company, N3 lines,
 *         N4 city, state, postal code, country: a 2-letter code, or a
 *         3-letter one ordo knows, "USA" -> "US"); BY -> customer name and
 *         N1-04 -> customer external_id. A second ship-to is refused: an
 *         order goes to one address.
 *   DTM   -> notes ("Delivery requested: 2010-12-14"), header and lines
 *   PO1   PO1-02 quantity: X12 type R ("8", "0008", "1.0"), a whole number
 *         1 .. ORDO_MAX_QUANTITY; PO1-03 unit: a 2-character code (element
 *         355 is ID 2/2, so "INVALID" is refused as too long); a
 *         well-formed unit ordo does not convert is kept, and noted on the
 *         order when it is not EA; PO1-04 unit price: type R, required
 *         ("0" is a free item; a missing price cannot be told from one);
 *         PO1-06/07, 08/09, ...: qualifier / product ID pairs -> the SKU
 *         (see SKU below)
 *   PID   PID05 -> the line's title (several are joined)
 *   SAC   header: SAC05 charges -> shipping, allowances -> discount.
 *         SAC05 is type N2, two implied decimals ("1500" is 15.00); one
 *         written with a point ("15.00") is taken as written. On a line
 *         (ordo has no line charges) and as a percent or rate only: noted,
 *         not in the totals.
 *   TXI   header TXI02 -> tax
 *   CTT   CTT01 must count the PO1 segments (CTT02, the hash total, is not
 *         checked: partners compute it in too many ways)
 *   AMT   TT -> total, 1 (line items total) -> subtotal, when outside a
 *         line; otherwise the totals are the order's own arithmetic
 *   MSG   header -> notes
 *
 * SKU. The channel's mapping names the partner's codes, so its lookups
 * try the buyer's codes first - BP, IN, SK, CB, PI - then the seller's and
 * global ones - VP, VN, VC, VA, MG, UP, UK, EN, UA, UI, IB, ZZ. Without a
 * mapping, the vendor part is the SKU (VP, VN, VC, VA: ordo is the
 * vendor), else the manufacturer part or a GTIN (MG, UP, UK, EN, UA, UI,
 * IB), else the buyer part (BP, IN, SK, CB, PI), else ZZ. Other qualifiers
 * (PR promotion, B6 author, ...) are not products. Validation then holds
 * a SKU the catalog does not know, for a person to map.
 *
 * Text that identifies something (PO number, customer id, SKU, phone,
 * email, state, postal code, country) is refused when longer than ordo's
 * field; descriptive text (names, address lines, city, title, notes) is
 * cut at a character boundary. Every element was checked for control
 * characters and UTF-8 while the envelope was read.
 */
#include "channels/x12.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/money.h"
#include "core/strbuf.h"
#include "core/timeutil.h"

#define X12_ISA_LEN 106
#define X12_SOURCE_TYPE "application/edi-x12"
/* Room for any element ordo reads whole (longer ones are errors). */
#define ELEM_BUF (X12_MAX_ELEMENT_BYTES + 1)
/* Room for one note line before it joins the notes. */
#define NOTE_MAX 320
/* The most product ID pairs one PO1 can hold within X12_MAX_ELEMENTS. */
#define PO1_MAX_IDS (X12_MAX_ELEMENTS / 2)
/* BAK08, the seller's order number: element 127 is AN 1/30 in 004010. */
#define X12_ORDER_ID_MAX 30
/* The most elements a reply segment ordo writes has (ISA: 16). */
#define W_MAX_ELEMENTS 20

/* ---- characters and text ----------------------------------------------- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static bool is_alnum(char c)
{
	return is_digit(c) || is_upper(c) || (c >= 'a' && c <= 'z');
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_printable(char c)
{
	return c >= 0x20 && c <= 0x7e;
}

static bool all_digits(const char *s, size_t n)
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
static bool number_of(const char *s, size_t n, int64_t *out)
{
	int64_t v = 0;
	size_t i;

	if (n == 0 || n > 18 || !all_digits(s, n))
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

static void text_trim(char *s)
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
static void text_append(char *dst, size_t size, const char *sep,
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
static bool date_parse(const char *s, size_t n, ordo_time *out)
{
	int64_t y;
	unsigned m, d;

	if (!all_digits(s, n) || (n != 8 && n != 6))
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
	return n == 4 && all_digits(s, 4) && two_digits(s) < 24 &&
	       two_digits(s + 2) < 60;
}

/* X12 type R: an optional minus, digits, an optional point and digits,
 * at least one digit ("8", "0008", "1.0", ".5", "5."). */
static bool r_syntax(const char *s)
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

/* Where a problem goes; the indexes above its level are X12_NONE. */
struct at {
	x12_level level;
	int code;
	bool limit;
	size_t ic, grp, set;
	size_t seg;	    /* index, X12_NONE at the end of the file */
	const char *seg_id; /* NULL: the segment's own */
	unsigned element, component;
	const char *value; /* NULL: the element's own */
};

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

static void problem_vadd(x12_doc *d, const struct at *at, const char *fmt,
			 va_list ap) __attribute__((format(printf, 3, 0)));

static void problem_vadd(x12_doc *d, const struct at *at, const char *fmt,
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
	problem_vadd(d, at, fmt, ap);
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
	problem_vadd(r->d, &at, fmt, ap);
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
	problem_vadd(r->d, &at, fmt, ap);
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
	problem_vadd(r->d, &at, fmt, ap);
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
	problem_vadd(d, &at, fmt, ap);
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
static bool isa_field_ok(const x12_interchange *ic, unsigned f)
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
		return all_digits(v, 2);
	case 5:
	case 7:
		return is_alnum(v[0]) && is_alnum(v[1]);
	case 6:
	case 8:
		return !blank;
	case 9: {
		ordo_time t;

		return date_parse(v, 6, &t);
	}
	case 10:
		return time_ok(v, 4);
	case 11:
		return v[0] != ' ';
	case 12:
		return all_digits(v, 5);
	case 13:
		return all_digits(v, 9);
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
		if ((f <= 8 || f == 13) && !isa_field_ok(ic, f)) {
			ic_problem(r, isa_code[f], seg, f,
				   "ISA%02u \"%s\" is not valid, so no reply "
				   "can be addressed",
				   f, ic->isa[f]);
			return false;
		}
	}
	for (f = 1; f <= 15; f++)
		if (!isa_field_ok(ic, f))
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
	if (n >= 1 && n <= 9 && all_digits(buf, n))
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
	if (!number_of(buf, n, &v))
		grp_problem(r, 5, seg, 1,
			    "GE01 \"%s\" is not a number of transaction sets",
			    buf);
	else if ((g->declared_sets = v) != (int64_t)g->n_sets)
		grp_problem(r, 5, seg, 1,
			    "GE01 says %lld transaction sets; the group has "
			    "%zu",
			    (long long)v, g->n_sets);
	n = elem_text(d, seg, 2, buf, sizeof(buf));
	if (!g->control[0] || !number_of(buf, n, &v) ||
	    !number_of(g->control, strlen(g->control), &w) || v != w)
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
	if (n == 3 && all_digits(buf, 3)) {
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
	if (!number_of(buf, n, &v))
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
	if (!number_of(buf, n, &v) || v != (int64_t)ic->n_groups)
		ic_problem(r, 21, seg, 1,
			   "IEA01 \"%s\" does not count the interchange's %zu "
			   "functional group%s",
			   buf, ic->n_groups, ic->n_groups == 1 ? "" : "s");
	n = elem_text(d, seg, 2, buf, sizeof(buf));
	if (!number_of(buf, n, &v) || !number_of(ic->control, 9, &w) ||
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

/* ---- 850 purchase orders ------------------------------------------------ */

/* Where the decoder's problems go: the doc (reading), or only a count
 * (x12_set_order, which decodes a set known to have none). */
struct sink {
	x12_doc *d;
	size_t count;
};

enum party { P_NONE, P_ST, P_BT, P_BY, P_OTHER };

struct po {
	const x12_doc *d;
	struct sink *sink;
	size_t set, first, last; /* the body: after ST, before SE */
	const ordo_channel *ch;
	order *o;
	const char *currency; /* o->currency when known, else "XXX" */
	size_t beg;	      /* index of the BEG, X12_NONE */
	size_t n_po1;
	bool lines_ok;	 /* o->lines allocated, one per PO1 */
	size_t line;	 /* PO1 index of the current line, X12_NONE */
	bool in_summary; /* after CTT */
	enum party party;
	order_address *addr; /* the current N1 loop's address, or NULL */
	bool have_ship_to, have_bill_to, have_by;
	char by_name[ORDO_NAME_MAX], per_name[ORDO_NAME_MAX];
	bool has_total, has_subtotal;
	ordo_money total, subtotal, shipping, discount, tax;
	char purpose[3], po_type[3];
};

static void po_vproblem(struct po *p, x12_level level, int code, bool limit,
			size_t seg, const char *seg_id, unsigned el,
			const char *fmt, va_list ap)
	__attribute__((format(printf, 8, 0)));

static void po_vproblem(struct po *p, x12_level level, int code, bool limit,
			size_t seg, const char *seg_id, unsigned el,
			const char *fmt, va_list ap)
{
	const x12_set *s = &p->d->sets[p->set];
	struct at at = { .level = level,
			 .code = code,
			 .limit = limit,
			 .ic = p->d->groups[s->group].interchange,
			 .grp = s->group,
			 .set = p->set,
			 .seg = seg,
			 .seg_id = seg_id,
			 .element = el };

	p->sink->count++;
	if (p->sink->d)
		problem_vadd(p->sink->d, &at, fmt, ap);
}

/* A problem with element el of segment seg (AK4 code, or 0). */
static void po_elem(struct po *p, size_t seg, unsigned el, int code,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void po_elem(struct po *p, size_t seg, unsigned el, int code,
		    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	po_vproblem(p, X12_LEVEL_ELEMENT, code, false, seg, NULL, el, fmt,
		    ap);
	va_end(ap);
}

/* A problem with a segment (AK3 code): seg_id names a missing one. */
static void po_seg(struct po *p, size_t seg, const char *seg_id, int code,
		   bool limit, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static void po_seg(struct po *p, size_t seg, const char *seg_id, int code,
		   bool limit, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	po_vproblem(p, X12_LEVEL_SEGMENT, code, limit, seg, seg_id, 0, fmt,
		    ap);
	va_end(ap);
}

static size_t po_get(const struct po *p, size_t seg, unsigned el, char *buf,
		     size_t size)
{
	return elem_text(p->d, seg, el, buf, size);
}

static void po_note(struct po *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void po_note(struct po *p, const char *fmt, ...)
{
	char line[NOTE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	ordo_utf8_scrub(line);
	text_append(p->o->notes, sizeof(p->o->notes), "\n", line);
}

/*
 * A code element (an X12 ID): min to max letters and digits. Absent is a
 * problem with code `missing` (1 mandatory, 2 conditional) unless 0.
 * True when given and valid.
 */
static bool po_code(struct po *p, size_t seg, unsigned el, int missing,
		    size_t min, size_t max, char *buf, size_t size)
{
	size_t n = po_get(p, seg, el, buf, size), i;

	if (n == 0) {
		if (missing)
			po_elem(p, seg, el, missing, "is required");
		return false;
	}
	if (n < min || n > max) {
		char range[32];

		if (min == max)
			snprintf(range, sizeof(range), "%zu", min);
		else
			snprintf(range, sizeof(range), "%zu to %zu", min, max);
		po_elem(p, seg, el, n < min ? 4 : 5,
			"\"%s\" is %zu characters; this code has %s", buf, n,
			range);
		return false;
	}
	for (i = 0; i < n; i++)
		if (!is_alnum(buf[i])) {
			po_elem(p, seg, el, 6,
				"\"%s\" is not a code (letters and digits)",
				buf);
			return false;
		}
	return true;
}

/*
 * Identity text: refused (AK4 5) when longer than size - 1. True when
 * given and it fits.
 */
static bool po_ident(struct po *p, size_t seg, unsigned el, char *dst,
		     size_t size, const char *what)
{
	char buf[ELEM_BUF];
	size_t n = po_get(p, seg, el, buf, sizeof(buf));

	if (n == 0)
		return false;
	if (n >= size) {
		po_elem(p, seg, el, 5,
			"is %zu characters; ordo keeps a %s of at most %zu",
			n, what, size - 1);
		return false;
	}
	memcpy(dst, buf, n + 1);
	return true;
}

/* Descriptive text: cut at a character boundary to fit. */
static bool po_text(struct po *p, size_t seg, unsigned el, char *dst,
		    size_t size)
{
	po_get(p, seg, el, dst, size);
	text_trim(dst);
	return dst[0] != '\0';
}

/*
 * Money of X12 type R ("9.25", "665", "0", ".5") in the order's currency.
 * Zeros past the currency's decimals are dropped; any other digit there,
 * a negative amount, or an amount past ordo's limit is a problem (code 0);
 * what is not a number, code 6.
 */
static bool po_money_r(struct po *p, size_t seg, unsigned el, int64_t *out)
{
	char buf[ELEM_BUF], num[ELEM_BUF + 1];
	ordo_err e = ORDO_ERR_INIT;
	char *dot;
	size_t n;
	int exponent = money_currency_exponent(p->currency);

	n = po_get(p, seg, el, buf, sizeof(buf));
	if (n == 0)
		return false;
	if (!r_syntax(buf)) {
		po_elem(p, seg, el, 6, "\"%s\" is not a decimal number", buf);
		return false;
	}
	if (buf[0] == '-') {
		po_elem(p, seg, el, 0, "\"%s\" must not be negative", buf);
		return false;
	}
	/* money_parse wants a digit on both sides of a point. */
	snprintf(num, sizeof(num), "%s%s", buf[0] == '.' ? "0" : "", buf);
	n = strlen(num);
	if (num[n - 1] == '.')
		num[--n] = '\0';
	dot = strchr(num, '.');
	if (dot && strlen(dot + 1) > (size_t)exponent) {
		size_t i;

		for (i = (size_t)exponent; dot[1 + i] == '0'; i++)
			;
		if (dot[1 + i] == '\0')
			dot[exponent ? 1 + exponent : 0] = '\0';
	}
	if (money_parse(num, p->currency, false, out, "amount", &e) !=
	    ORDO_OK) {
		po_elem(p, seg, el, 0, "\"%s\": %s", buf, e.message);
		ordo_err_clear(&e);
		return false;
	}
	return true;
}

/*
 * Money of X12 type N2 (SAC05): digits with two implied decimals, "1500"
 * is 15.00, converted to the currency's minor units. Written with a
 * point, it is taken as written (type R).
 */
static bool po_money_n2(struct po *p, size_t seg, unsigned el, int64_t *out)
{
	char buf[ELEM_BUF];
	size_t n = po_get(p, seg, el, buf, sizeof(buf)), i;
	int exponent = money_currency_exponent(p->currency);
	int64_t v = 0;

	if (n == 0)
		return false;
	if (strchr(buf, '.'))
		return po_money_r(p, seg, el, out);
	if (buf[0] == '-') {
		po_elem(p, seg, el, all_digits(buf + 1, n - 1) ? 0 : 6,
			"\"%s\" must be an amount of money, not negative",
			buf);
		return false;
	}
	if (!all_digits(buf, n)) {
		po_elem(p, seg, el, 6,
			"\"%s\" is not an amount (digits, two of them "
			"decimals)",
			buf);
		return false;
	}
	for (i = 0; i < n && v <= ORDO_MAX_MONEY_MINOR * 100; i++)
		v = v * 10 + (buf[i] - '0');
	if (exponent > 2) {
		for (i = 2; i < (size_t)exponent &&
			    v <= ORDO_MAX_MONEY_MINOR * 100;
		     i++)
			v *= 10;
	} else if (exponent < 2) {
		int64_t div = exponent == 1 ? 10 : 100;

		if (v % div) {
			po_elem(p, seg, el, 0,
				"\"%s\" (two implied decimals) has fractions "
				"%s does not have",
				buf, p->currency);
			return false;
		}
		v /= div;
	}
	if (v > ORDO_MAX_MONEY_MINOR) {
		po_elem(p, seg, el, 0,
			"\"%s\" is more than the largest amount ordo accepts",
			buf);
		return false;
	}
	*out = v;
	return true;
}

static void po_beg(struct po *p, size_t seg)
{
	char buf[ELEM_BUF];
	size_t n;

	if (po_code(p, seg, 1, 1, 2, 2, buf, sizeof(buf)))
		memcpy(p->purpose, buf, 3);
	if (po_code(p, seg, 2, 1, 2, 2, buf, sizeof(buf)))
		memcpy(p->po_type, buf, 3);
	n = po_get(p, seg, 3, buf, sizeof(buf));
	if (n == 0)
		po_elem(p, seg, 3, 1, "is required: the PO number");
	else
		po_ident(p, seg, 3, p->o->external_id,
			 sizeof(p->o->external_id), "PO number");
	n = po_get(p, seg, 5, buf, sizeof(buf));
	if (n == 0)
		po_elem(p, seg, 5, 1, "is required: the PO date");
	else if (!date_parse(buf, n, &p->o->placed_at))
		po_elem(p, seg, 5, 8,
			"\"%s\" is not a date (CCYYMMDD)", buf);
	if (p->purpose[0] && strcmp(p->purpose, "00") != 0)
		po_note(p, "PO purpose: %s (BEG01)", p->purpose);
	if (p->po_type[0] && strcmp(p->po_type, "SA") != 0)
		po_note(p, "PO type: %s (BEG02)", p->po_type);
}

/* The currency: CUR02 of the header's first CUR, else the channel's. */
static void po_currency(struct po *p, size_t cur)
{
	char buf[ELEM_BUF];
	size_t i, at;

	if (cur != X12_NONE) {
		if (!po_code(p, cur, 2, 1, 3, 3, buf, sizeof(buf)))
			return;
		for (i = 0; buf[i]; i++)
			if (buf[i] >= 'a' && buf[i] <= 'z')
				buf[i] = (char)(buf[i] - 'a' + 'A');
		if (!money_currency_known(buf)) {
			po_elem(p, cur, 2, 7,
				"\"%s\" is not an ISO 4217 currency code ordo "
				"knows",
				buf);
			return;
		}
		memcpy(p->o->currency, buf, 4);
		return;
	}
	/* Where the CUR would be: after the BEG. */
	at = (p->beg != X12_NONE ? p->beg : p->d->sets[p->set].first) + 1;
	if (!p->ch->currency[0]) {
		po_seg(p, at, "CUR", 3, false,
		       "CUR is required: the 850 names no currency and "
		       "channel \"%s\" has no default currency",
		       p->ch->name);
		return;
	}
	if (!money_currency_known(p->ch->currency)) {
		po_seg(p, at, "CUR", 3, false,
		       "CUR is required: the 850 names no currency and "
		       "channel \"%s\"'s default \"%s\" is not an ISO 4217 "
		       "code",
		       p->ch->name, p->ch->currency);
		return;
	}
	ordo_strlcpy(p->o->currency, p->ch->currency, sizeof(p->o->currency));
}

static void po_ref(struct po *p, size_t seg)
{
	char q[ELEM_BUF], id[ELEM_BUF], desc[ELEM_BUF];

	po_get(p, seg, 1, q, sizeof(q));
	po_get(p, seg, 2, id, sizeof(id));
	po_get(p, seg, 3, desc, sizeof(desc));
	if (id[0] || desc[0])
		po_note(p, "REF %.8s: %.120s%s%.120s", q, id,
			id[0] && desc[0] ? " " : "", desc);
}

static void po_per(struct po *p, size_t seg)
{
	char name[ORDO_NAME_MAX], q[ELEM_BUF];
	char phone[ORDO_PHONE_MAX] = "", email[ORDO_EMAIL_MAX] = "";
	order_customer *c = &p->o->customer;
	bool customer = p->party == P_BY ||
			(p->party == P_NONE && p->line == X12_NONE &&
			 !p->in_summary);
	unsigned el;

	if (!customer && p->party != P_ST)
		return;
	po_text(p, seg, 2, name, sizeof(name));
	for (el = 3; el + 1 <= 8; el += 2) {
		po_get(p, seg, el, q, sizeof(q));
		if (strcmp(q, "TE") == 0 && !phone[0])
			po_ident(p, seg, el + 1, phone, sizeof(phone),
				 "phone number");
		else if (strcmp(q, "EM") == 0 && !email[0])
			po_ident(p, seg, el + 1, email, sizeof(email),
				 "email address");
	}
	if (customer) {
		if (!p->per_name[0])
			memcpy(p->per_name, name, sizeof(name));
		if (!c->phone[0])
			memcpy(c->phone, phone, sizeof(phone));
	} else if (p->addr && !p->addr->phone[0]) {
		memcpy(p->addr->phone, phone, sizeof(phone));
	}
	if (!c->email[0])
		memcpy(c->email, email, sizeof(email));
}

static void po_n1(struct po *p, size_t seg)
{
	char q[ELEM_BUF];

	p->party = P_OTHER;
	p->addr = NULL;
	if (!po_code(p, seg, 1, 1, 2, 3, q, sizeof(q)) || p->line != X12_NONE ||
	    p->in_summary)
		return;
	if (strcmp(q, "ST") == 0) {
		if (p->have_ship_to) {
			po_elem(p, seg, 1, 0,
				"a second ship-to party: ordo ships an order "
				"to one address");
			return;
		}
		p->have_ship_to = true;
		p->party = P_ST;
		p->addr = &p->o->ship_to;
	} else if (strcmp(q, "BT") == 0 && !p->have_bill_to) {
		p->have_bill_to = true;
		p->o->has_bill_to = true;
		p->party = P_BT;
		p->addr = &p->o->bill_to;
	} else if (strcmp(q, "BY") == 0 && !p->have_by) {
		p->have_by = true;
		p->party = P_BY;
		po_text(p, seg, 2, p->by_name, sizeof(p->by_name));
		po_ident(p, seg, 4, p->o->customer.external_id,
			 sizeof(p->o->customer.external_id), "customer id");
		return;
	} else {
		return;
	}
	po_text(p, seg, 2, p->addr->name, sizeof(p->addr->name));
}

static void po_n2(struct po *p, size_t seg)
{
	char a[ORDO_NAME_MAX], b[ORDO_NAME_MAX];

	if (!p->addr)
		return;
	po_text(p, seg, 1, a, sizeof(a));
	po_text(p, seg, 2, b, sizeof(b));
	text_append(p->addr->company, sizeof(p->addr->company), " ", a);
	text_append(p->addr->company, sizeof(p->addr->company), " ", b);
}

static void po_n3(struct po *p, size_t seg)
{
	char a[ORDO_ADDRESS_LINE_MAX], b[ORDO_ADDRESS_LINE_MAX];
	order_address *ad = p->addr;

	if (!ad)
		return;
	po_text(p, seg, 1, a, sizeof(a));
	po_text(p, seg, 2, b, sizeof(b));
	if (!ad->line1[0]) {
		memcpy(ad->line1, a, sizeof(a));
	} else {
		text_append(ad->line2, sizeof(ad->line2), ", ", a);
	}
	text_append(ad->line2, sizeof(ad->line2), ", ", b);
}

/* ISO 3166-1 alpha-3 codes partners write in N4-04, and their alpha-2. */
static const char *country_alpha2(const char *alpha3)
{
	static const char *const map[][2] = {
		{ "USA", "US" }, { "CAN", "CA" }, { "MEX", "MX" },
		{ "GBR", "GB" }, { "DEU", "DE" }, { "FRA", "FR" },
		{ "NLD", "NL" }, { "IRL", "IE" }, { "AUS", "AU" },
		{ "CHN", "CN" }, { "JPN", "JP" }, { "PRI", "PR" },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(alpha3, map[i][0]) == 0)
			return map[i][1];
	return NULL;
}

static void po_n4(struct po *p, size_t seg)
{
	char buf[ELEM_BUF];
	order_address *ad = p->addr;
	size_t n, i;

	if (!ad)
		return;
	po_text(p, seg, 1, ad->city, sizeof(ad->city));
	po_ident(p, seg, 2, ad->region, sizeof(ad->region), "state");
	po_ident(p, seg, 3, ad->postal_code, sizeof(ad->postal_code),
		 "postal code");
	n = po_get(p, seg, 4, buf, sizeof(buf));
	if (n == 0)
		return;
	for (i = 0; i < n; i++)
		if (buf[i] >= 'a' && buf[i] <= 'z')
			buf[i] = (char)(buf[i] - 'a' + 'A');
	if (n == 2 && is_upper(buf[0]) && is_upper(buf[1]))
		memcpy(ad->country, buf, 3);
	else if (n == 3 && country_alpha2(buf))
		memcpy(ad->country, country_alpha2(buf), 3);
	else
		po_elem(p, seg, 4, 7,
			"\"%s\" is not a country code ordo knows (ISO 3166 "
			"alpha-2, or alpha-3 such as USA)",
			buf);
}

static const char *dtm_name(const char *q)
{
	static const char *const names[][2] = {
		{ "001", "Cancel after" },
		{ "002", "Delivery requested" },
		{ "010", "Ship requested" },
		{ "017", "Estimated delivery" },
		{ "037", "Ship not before" },
		{ "038", "Ship no later" },
		{ "063", "Do not deliver after" },
		{ "064", "Do not deliver before" },
		{ "068", "Current schedule ship" },
		{ "106", "Required by" },
		{ "118", "Requested pick-up" },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(q, names[i][0]) == 0)
			return names[i][1];
	return NULL;
}

static void po_dtm(struct po *p, size_t seg)
{
	char q[ELEM_BUF], buf[ELEM_BUF], day[24];
	const char *name;
	ordo_time t;
	size_t n;

	if (!po_code(p, seg, 1, 1, 3, 3, q, sizeof(q)))
		return;
	n = po_get(p, seg, 2, buf, sizeof(buf));
	if (n == 0)
		return;
	if (!date_parse(buf, n, &t)) {
		po_elem(p, seg, 2, 8, "\"%s\" is not a date (CCYYMMDD)", buf);
		return;
	}
	time_format_rfc3339(t, day, sizeof(day));
	day[10] = '\0';
	name = dtm_name(q);
	if (p->line != X12_NONE)
		po_note(p, "Line %zu %s%s: %s", p->line + 1,
			name ? "" : "date ", name ? name : q, day);
	else
		po_note(p, "%s%s: %s", name ? "" : "Date ", name ? name : q,
			day);
}

static void po_sac(struct po *p, size_t seg)
{
	char ind[ELEM_BUF], code[ELEM_BUF], amount_text[32];
	int64_t amount = 0;
	bool has_amount;

	if (!po_code(p, seg, 1, 1, 1, 1, ind, sizeof(ind)))
		return;
	if (strcmp(ind, "A") != 0 && strcmp(ind, "C") != 0 &&
	    strcmp(ind, "N") != 0) {
		po_elem(p, seg, 1, 7,
			"\"%s\" is not A (allowance), C (charge) or N", ind);
		return;
	}
	po_get(p, seg, 2, code, sizeof(code));
	has_amount = po_money_n2(p, seg, 5, &amount);
	if (ind[0] == 'N')
		return;
	if (!has_amount) {
		char pct[ELEM_BUF], rate[ELEM_BUF];

		if (po_get(p, seg, 7, pct, sizeof(pct)) ||
		    po_get(p, seg, 8, rate, sizeof(rate)))
			po_note(p,
				"%s %.8s given as a percent or rate, not an "
				"amount: not in the totals",
				ind[0] == 'A' ? "Allowance" : "Charge", code);
		return;
	}
	money_format(amount, p->currency, amount_text, sizeof(amount_text));
	if (p->line != X12_NONE || p->in_summary) {
		po_note(p, "Line %zu %s %.8s %s: not in the totals",
			p->line == X12_NONE ? p->n_po1 : p->line + 1,
			ind[0] == 'A' ? "allowance" : "charge", code,
			amount_text);
		return;
	}
	if (!money_add(ind[0] == 'A' ? p->discount : p->shipping, amount,
		       ind[0] == 'A' ? &p->discount : &p->shipping))
		po_elem(p, seg, 5, 0,
			"the %s add up to more than the largest amount ordo "
			"accepts",
			ind[0] == 'A' ? "allowances" : "charges");
}

static void po_txi(struct po *p, size_t seg)
{
	int64_t amount;

	if (p->line != X12_NONE || p->in_summary)
		return;
	if (po_money_r(p, seg, 2, &amount) &&
	    !money_add(p->tax, amount, &p->tax))
		po_elem(p, seg, 2, 0,
			"the taxes add up to more than the largest amount "
			"ordo accepts");
}

/* A PO1 quantity (type R): a whole number 1 .. ORDO_MAX_QUANTITY. */
static void po_quantity(struct po *p, size_t seg, int64_t *out)
{
	char buf[ELEM_BUF];
	const char *s = buf;
	size_t n = po_get(p, seg, 2, buf, sizeof(buf));
	int64_t v = 0;

	if (n == 0) {
		po_elem(p, seg, 2, 2, "is required: the quantity ordered");
		return;
	}
	if (!r_syntax(buf)) {
		po_elem(p, seg, 2, 6, "\"%s\" is not a quantity", buf);
		return;
	}
	if (*s == '-') {
		po_elem(p, seg, 2, 0, "\"%s\" must be at least 1", buf);
		return;
	}
	for (; is_digit(*s); s++)
		if (v <= ORDO_MAX_QUANTITY)
			v = v * 10 + (*s - '0');
	if (*s == '.')
		for (s++; *s == '0'; s++)
			;
	if (*s) {
		po_elem(p, seg, 2, 0,
			"\"%s\" is not a whole number of units", buf);
		return;
	}
	if (v < 1 || v > ORDO_MAX_QUANTITY) {
		po_elem(p, seg, 2, 0, "\"%s\" must be between 1 and %lld",
			buf, (long long)ORDO_MAX_QUANTITY);
		return;
	}
	*out = v;
}

/* Product ID qualifiers in the order the mapping is tried, and in the
 * order an unmapped ID becomes the SKU (see the top of this file). */
const char *const x12_sku_mapped_order[X12_PRODUCT_QUALIFIERS] = {
	"BP", "IN", "SK", "CB", "PI", "VP", "VN", "VC", "VA",
	"MG", "UP", "UK", "EN", "UA", "UI", "IB", "ZZ",
};
const char *const x12_sku_plain_order[X12_PRODUCT_QUALIFIERS] = {
	"VP", "VN", "VC", "VA", "MG", "UP", "UK", "EN", "UA",
	"UI", "IB", "BP", "IN", "SK", "CB", "PI", "ZZ",
};

struct po1_id {
	char q[3];
	unsigned el; /* the ID's element */
};

static void po_sku(struct po *p, size_t seg, const struct po1_id *ids,
		   size_t n, order_line *l)
{
	const size_t n_q = X12_PRODUCT_QUALIFIERS;
	char buf[ELEM_BUF];
	const char *mapped;
	size_t i, k;

	for (k = 0; k < n_q; k++)
		for (i = 0; i < n; i++) {
			if (strcmp(ids[i].q, x12_sku_mapped_order[k]) != 0)
				continue;
			po_get(p, seg, ids[i].el, buf, sizeof(buf));
			mapped = channel_sku_of(p->ch, buf);
			if (mapped) {
				ordo_strlcpy(l->sku, mapped, sizeof(l->sku));
				return;
			}
		}
	for (k = 0; k < n_q; k++)
		for (i = 0; i < n; i++) {
			if (strcmp(ids[i].q, x12_sku_plain_order[k]) != 0)
				continue;
			po_ident(p, seg, ids[i].el, l->sku, sizeof(l->sku),
				 "SKU");
			return;
		}
	po_elem(p, seg, 7, 2,
		"the line names no product ordo can use: a pair such as "
		"VP, VN, BP, UP, SK or MG with its ID");
}

static void po_po1(struct po *p, size_t seg)
{
	char buf[ELEM_BUF], q[ELEM_BUF];
	struct po1_id ids[PO1_MAX_IDS];
	order_line scratch, *l;
	unsigned n_el = p->d->segments[seg].n_elements, el;
	size_t n, n_ids = 0;

	p->line = p->line == X12_NONE ? 0 : p->line + 1;
	if (p->line >= ORDO_MAX_LINES) {
		if (p->line == ORDO_MAX_LINES)
			po_seg(p, seg, NULL, 4, true,
			       "the PO has more than %d lines; ordo takes at "
			       "most that many in one order (ORDO_MAX_LINES)",
			       ORDO_MAX_LINES);
		return;
	}
	memset(&scratch, 0, sizeof(scratch));
	l = p->lines_ok ? &p->o->lines[p->line] : &scratch;
	l->line_no = (int)p->line + 1;
	/* PO1-01, the partner's own line number: what its 856 and 855
	 * name the line by. */
	if (po_get(p, seg, 1, buf, sizeof(buf)) > 0)
		ordo_strlcpy(l->external_id, buf, sizeof(l->external_id));
	po_quantity(p, seg, &l->quantity);

	n = po_get(p, seg, 3, buf, sizeof(buf));
	if (n == 1 || n > 2)
		po_elem(p, seg, 3, n == 1 ? 4 : 5,
			"\"%s\" is %zu characters; a unit of measure code "
			"(X12 element 355) has 2",
			buf, n);
	else if (n == 2 && !(is_alnum(buf[0]) && is_alnum(buf[1])))
		po_elem(p, seg, 3, 6, "\"%s\" is not a unit of measure code",
			buf);
	else if (n == 2 && strcmp(buf, "EA") != 0)
		po_note(p, "Line %zu unit: %s (the quantity counts these)",
			p->line + 1, buf);

	if (po_get(p, seg, 4, buf, sizeof(buf)) == 0)
		po_elem(p, seg, 4, 2,
			"is required: ordo needs the unit price (\"0\" for a "
			"free item)");
	else
		po_money_r(p, seg, 4, &l->unit_price);

	for (el = 6; el <= n_el && el < X12_MAX_ELEMENTS; el += 2) {
		size_t nq = po_get(p, seg, el, q, sizeof(q));
		size_t nv = po_get(p, seg, el + 1, buf, sizeof(buf));

		if (nq == 0 && nv == 0)
			continue;
		if (nq == 0) {
			po_elem(p, seg, el, 2,
				"is required: PO1-%02u gives a product ID "
				"without its qualifier",
				el + 1);
			continue;
		}
		if (nv == 0) {
			po_elem(p, seg, el + 1, 2,
				"is required: PO1-%02u gives the qualifier "
				"\"%s\" without a product ID",
				el, q);
			continue;
		}
		if (!po_code(p, seg, el, 0, 2, 2, q, sizeof(q)))
			continue;
		memcpy(ids[n_ids].q, q, 3);
		ids[n_ids++].el = el + 1;
	}
	po_sku(p, seg, ids, n_ids, l);
}

static void po_pid(struct po *p, size_t seg)
{
	char text[ORDO_TITLE_MAX];
	order_line *l;

	if (p->line == X12_NONE || p->in_summary || !p->lines_ok ||
	    p->line >= ORDO_MAX_LINES)
		return;
	l = &p->o->lines[p->line];
	if (po_text(p, seg, 5, text, sizeof(text)))
		text_append(l->title, sizeof(l->title), " ", text);
}

static void po_ctt(struct po *p, size_t seg)
{
	char buf[ELEM_BUF];
	size_t n = po_get(p, seg, 1, buf, sizeof(buf));
	int64_t v;

	p->in_summary = true;
	if (n == 0) {
		po_elem(p, seg, 1, 1, "is required: the number of PO1 lines");
		return;
	}
	if (!number_of(buf, n, &v)) {
		po_elem(p, seg, 1, 6, "\"%s\" is not a number of lines", buf);
		return;
	}
	if (v != (int64_t)p->n_po1)
		po_elem(p, seg, 1, 0,
			"CTT01 says %lld line items; the PO has %zu PO1 "
			"segments",
			(long long)v, p->n_po1);
}

static void po_amt(struct po *p, size_t seg)
{
	char q[ELEM_BUF];

	/* An AMT in a line's loop is that line's. */
	if (p->line != X12_NONE && !p->in_summary)
		return;
	if (!po_code(p, seg, 1, 1, 1, 3, q, sizeof(q)))
		return;
	if (strcmp(q, "TT") == 0 && !p->has_total) {
		if (po_money_r(p, seg, 2, &p->total))
			p->has_total = true;
	} else if (strcmp(q, "1") == 0 && !p->has_subtotal) {
		if (po_money_r(p, seg, 2, &p->subtotal))
			p->has_subtotal = true;
	}
}

/* Segments of the N1 loop: they leave the current party as it is. */
static bool in_n1_loop(const char *id)
{
	static const char *const ids[] = {
		"N1",  "N2", "N3",  "N4",  "NX2", "REF", "PER",
		"SI",  "FOB", "TD1", "TD5", "TD3", "TD4", "PKG",
	};
	size_t i;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if (strcmp(id, ids[i]) == 0)
			return true;
	return false;
}

static void po_totals(struct po *p)
{
	order *o = p->o;
	size_t i;

	o->shipping.amount = p->shipping;
	o->totals.shipping = p->shipping;
	o->totals.discount = p->discount;
	o->totals.tax = p->tax;
	o->totals.subtotal = p->subtotal;
	o->totals.total = p->total;
	/* Arithmetic on values that failed to decode would only add
	 * problems that are not the sender's. */
	if (p->sink->count || !p->lines_ok)
		return;
	if (!p->has_subtotal) {
		for (i = 0; i < o->n_lines; i++) {
			int64_t ext;

			if (!money_mul(o->lines[i].unit_price,
				       o->lines[i].quantity, &ext) ||
			    !money_add(o->totals.subtotal, ext,
				       &o->totals.subtotal)) {
				po_seg(p, p->first, NULL, 8, false,
				       "the lines add up to more than the "
				       "largest amount ordo accepts");
				return;
			}
		}
	}
	if (!p->has_total &&
	    (!money_add(o->totals.subtotal, o->totals.shipping,
			&o->totals.total) ||
	     !money_add(o->totals.total, o->totals.tax, &o->totals.total) ||
	     !money_add(o->totals.total, -o->totals.discount,
			&o->totals.total)))
		po_seg(p, p->first, NULL, 8, false,
		       "the order's total is more than the largest amount "
		       "ordo accepts");
}

/*
 * Decode 850 set `set` of d into o (order_init'ed), problems into sink.
 * With `source`, o->source gets the set's text. Returns ORDO_OK or
 * ORDO_ENOMEM (problems of the document are the sink's, not a failure).
 */
static ordo_code po_decode(const x12_doc *d, size_t set,
			   const ordo_channel *ch, order *o, struct sink *sink,
			   bool source)
{
	const x12_set *s = &d->sets[set];
	struct po p;
	size_t seg, cur = X12_NONE, n_beg = 0;
	ordo_err e = ORDO_ERR_INIT;

	memset(&p, 0, sizeof(p));
	p.d = d;
	p.sink = sink;
	p.set = set;
	p.ch = ch;
	p.o = o;
	p.first = s->first + 1;
	p.last = s->has_trailer ? s->end - 1 : s->end;
	p.beg = X12_NONE;
	p.line = X12_NONE;
	o->state = ORDER_RECEIVED;
	o->payment = PAYMENT_UNKNOWN;
	ordo_strlcpy(o->channel, ch->name, sizeof(o->channel));
	ordo_strlcpy(o->channel_kind, channel_kind_name(CHANNEL_X12),
		     sizeof(o->channel_kind));
	ordo_strlcpy(o->shipping.method, "standard",
		     sizeof(o->shipping.method));

	/* First pass: the BEG, the header's CUR, the number of lines. */
	for (seg = p.first; seg < p.last; seg++) {
		const char *id = d->segments[seg].id;

		if (strcmp(id, "BEG") == 0) {
			if (n_beg++ == 0)
				p.beg = seg;
			else
				po_seg(&p, seg, NULL, 5, false,
				       "a second BEG: an 850 has one");
		} else if (strcmp(id, "CUR") == 0 && !p.n_po1 &&
			   cur == X12_NONE) {
			cur = seg;
		} else if (strcmp(id, "PO1") == 0) {
			p.n_po1++;
		}
	}
	if (p.beg == X12_NONE)
		po_seg(&p, p.first < p.last ? p.first : s->first, "BEG", 3,
		       false, "BEG is missing: an 850 starts with one");
	else if (p.beg != p.first)
		po_seg(&p, p.beg, NULL, 7, false,
		       "BEG must be the first segment after ST");
	if (p.beg != X12_NONE)
		po_beg(&p, p.beg);
	po_currency(&p, cur);
	p.currency = money_currency_known(o->currency) ? o->currency : "XXX";
	if (p.n_po1 == 0) {
		po_seg(&p, p.last < d->n_segments ? p.last : s->first, "PO1",
		       3, false, "the PO has no line: PO1 is missing");
	} else if (p.n_po1 <= ORDO_MAX_LINES) {
		if (order_lines_alloc(o, p.n_po1, &e) != ORDO_OK) {
			ordo_err_clear(&e);
			return ORDO_ENOMEM;
		}
		p.lines_ok = true;
	}

	/* Second pass: everything else, in order. */
	for (seg = p.first; seg < p.last; seg++) {
		const char *id = d->segments[seg].id;

		if (!in_n1_loop(id)) {
			p.party = P_NONE;
			p.addr = NULL;
		}
		if (strcmp(id, "PO1") == 0)
			po_po1(&p, seg);
		else if (strcmp(id, "PID") == 0)
			po_pid(&p, seg);
		else if (strcmp(id, "N1") == 0)
			po_n1(&p, seg);
		else if (strcmp(id, "N2") == 0)
			po_n2(&p, seg);
		else if (strcmp(id, "N3") == 0)
			po_n3(&p, seg);
		else if (strcmp(id, "N4") == 0)
			po_n4(&p, seg);
		else if (strcmp(id, "PER") == 0)
			po_per(&p, seg);
		else if (strcmp(id, "REF") == 0 && p.party == P_NONE &&
			 p.line == X12_NONE && !p.in_summary)
			po_ref(&p, seg);
		else if (strcmp(id, "DTM") == 0 && !p.in_summary)
			po_dtm(&p, seg);
		else if (strcmp(id, "SAC") == 0)
			po_sac(&p, seg);
		else if (strcmp(id, "TXI") == 0)
			po_txi(&p, seg);
		else if (strcmp(id, "CTT") == 0)
			po_ctt(&p, seg);
		else if (strcmp(id, "AMT") == 0)
			po_amt(&p, seg);
		else if (strcmp(id, "MSG") == 0 && p.line == X12_NONE &&
			 !p.in_summary) {
			char text[NOTE_MAX];

			if (po_text(&p, seg, 1, text, sizeof(text)))
				po_note(&p, "%s", text);
		}
	}

	ordo_strlcpy(o->customer.name, p.by_name[0] ? p.by_name : p.per_name,
		     sizeof(o->customer.name));
	po_totals(&p);
	if (p.lines_ok)
		order_lines_open_all(o);
	if (sink->d) {
		x12_set *ws = &sink->d->sets[set];

		memcpy(ws->purpose, p.purpose, sizeof(p.purpose));
		memcpy(ws->po_type, p.po_type, sizeof(p.po_type));
		memcpy(ws->po_number, o->external_id, sizeof(ws->po_number));
		ws->n_lines = p.n_po1;
	}
	if (source) {
		const x12_segment *a = &d->segments[s->first];
		const x12_segment *z = &d->segments[s->end - 1];
		size_t stop = z->offset + z->len;

		if (stop < d->len)
			stop++; /* the terminator */
		if (ordo_utf8_valid(d->text + a->offset, stop - a->offset)) {
			o->source = malloc(stop - a->offset + 1);
			if (!o->source)
				return ORDO_ENOMEM;
			memcpy(o->source, d->text + a->offset,
			       stop - a->offset);
			o->source[stop - a->offset] = '\0';
			ordo_strlcpy(o->source_type, X12_SOURCE_TYPE,
				     sizeof(o->source_type));
		}
	}
	return ORDO_OK;
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
		rc = po_decode(d, i, ch, &o, &sink, false);
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
	rc = po_decode(d, set, ch, o, &sink, true);
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
		 isa_field_ok(ic, 11) ? ic->isa[11] : "U", w->sep,
		 isa_field_ok(ic, 12) ? ic->isa[12] : "00401", w->sep, ctl,
		 w->sep, w->sep, isa_field_ok(ic, 15) ? ic->isa[15] : "P",
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
		      all_digits(ic->isa[9], 6) ? ic->isa[9] : "000000",
		      all_digits(ic->isa[10], 4) ? ic->isa[10] : "0000",
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
		if (!is_printable(*s))
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

	if (!r_syntax(s) || *s == '-')
		return;
	while (*p == '0' && is_digit(p[1]))
		p++;
	digits = p;
	while (is_digit(*p))
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
	elem_text(d, seg, 3, uom, sizeof(uom));
	if (!uom[0])
		memcpy(uom, "EA", 3);
	switch (l->answer) {
	case X12_LINE_ACCEPTED:
		/* The quantity ordered, "0008" and "8.0" written as 8. */
		elem_text(d, seg, 2, qty, sizeof(qty));
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
		elem_text(d, beg, 5, po_date, sizeof(po_date));
		elem_text(d, beg, 4, release, sizeof(release));
	}
	if (beg == X12_NONE || !s->po_number[0] ||
	    !date_parse(po_date, strlen(po_date), &t) ||
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
