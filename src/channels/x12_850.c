/*
 * x12_850.c - 850 purchase orders decoded into ordo orders, set by set,
 * from a doc x12_read made (see x12.h, 850 PURCHASE ORDERS, and the
 * notes on the design in x12.c).
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
#include "channels/x12_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/money.h"
#include "core/timeutil.h"

#define X12_SOURCE_TYPE "application/edi-x12"
/* Room for one note line before it joins the notes. */
#define NOTE_MAX 320
/* The most product ID pairs one PO1 can hold within X12_MAX_ELEMENTS. */
#define PO1_MAX_IDS (X12_MAX_ELEMENTS / 2)

/* ---- 850 purchase orders ------------------------------------------------ */

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
		x12_problem_vadd(p->sink->d, &at, fmt, ap);
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
	return x12_element(p->d, seg, el, buf, size);
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
	x12_text_append(p->o->notes, sizeof(p->o->notes), "\n", line);
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
		if (!x12_is_alnum(buf[i])) {
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
	x12_text_trim(dst);
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
	if (!x12_r_syntax(buf)) {
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
		po_elem(p, seg, el, x12_all_digits(buf + 1, n - 1) ? 0 : 6,
			"\"%s\" must be an amount of money, not negative",
			buf);
		return false;
	}
	if (!x12_all_digits(buf, n)) {
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
	else if (!x12_date_parse(buf, n, &p->o->placed_at))
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
			ordo_strlcpy(p->per_name, name, sizeof(p->per_name));
		if (!c->phone[0])
			ordo_strlcpy(c->phone, phone, sizeof(c->phone));
	} else if (p->addr && !p->addr->phone[0]) {
		ordo_strlcpy(p->addr->phone, phone,
			     sizeof(p->addr->phone));
	}
	if (!c->email[0])
		ordo_strlcpy(c->email, email, sizeof(c->email));
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
	x12_text_append(p->addr->company, sizeof(p->addr->company), " ", a);
	x12_text_append(p->addr->company, sizeof(p->addr->company), " ", b);
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
		ordo_strlcpy(ad->line1, a, sizeof(ad->line1));
	} else {
		x12_text_append(ad->line2, sizeof(ad->line2), ", ", a);
	}
	x12_text_append(ad->line2, sizeof(ad->line2), ", ", b);
}

/* ISO 3166-1 alpha-3 codes partners write in N4-04, and their alpha-2. */
const char *x12_country_alpha2(const char *alpha3)
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
	if (n == 2 && x12_is_upper(buf[0]) && x12_is_upper(buf[1]))
		memcpy(ad->country, buf, 3);
	else if (n == 3 && x12_country_alpha2(buf))
		memcpy(ad->country, x12_country_alpha2(buf), 3);
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
	if (!x12_date_parse(buf, n, &t)) {
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
	if (!x12_r_syntax(buf)) {
		po_elem(p, seg, 2, 6, "\"%s\" is not a quantity", buf);
		return;
	}
	if (*s == '-') {
		po_elem(p, seg, 2, 0, "\"%s\" must be at least 1", buf);
		return;
	}
	for (; x12_is_digit(*s); s++)
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
	else if (n == 2 && !(x12_is_alnum(buf[0]) && x12_is_alnum(buf[1])))
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
		x12_text_append(l->title, sizeof(l->title), " ", text);
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
	if (!x12_number_of(buf, n, &v)) {
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
ordo_code x12_po_decode(const x12_doc *d, size_t set,
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
