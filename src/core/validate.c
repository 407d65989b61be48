/*
 * validate.c - business rules over a well-formed order; each problem becomes
 * one open hold. See validate.h for the rules and their hold types.
 *
 * Every hold raised here has raised_by "validation", created_at = now, an
 * EMPTY id (the app layer assigns ids when it stores them), and a field that
 * is the JSON path of the value at fault:
 *
 *     lines[i].sku          unknown_sku, inactive_sku      (i is 0-based)
 *     lines[i].unit_price   price_mismatch
 *     totals.subtotal       totals_mismatch (sum of lines)
 *     totals.total          totals_mismatch (subtotal + shipping + tax -
 *                           discount)
 *     totals.shipping       totals_mismatch (differs from shipping.amount)
 *     ship_to.name, ship_to.line1, ship_to.city, ship_to.postal_code,
 *     ship_to.country, ship_to.region            address_unverifiable
 *     customer              missing_contact
 *     customer.email        invalid_data (malformed email)
 *     placed_at             invalid_data (in the future beyond the skew)
 *     currency              invalid_data (not a known ISO 4217 code)
 *
 * At most one hold is raised per line (unknown before inactive before price
 * mismatch), which is what ORDO_MAX_HOLDS budgets for: one per line plus a
 * handful at order level. Rules run in a fixed order, so the holds of an
 * order come out in the same order every time.
 *
 * Contact: a customer is reachable with a well-formed email or a phone that
 * has at least VALIDATE_PHONE_MIN_DIGITS digits. A malformed email with no
 * phone therefore raises both invalid_data and missing_contact.
 *
 * Money in messages is written with money_format() in the order's currency;
 * sums use money_add()/money_mul(), so absurd amounts raise a
 * totals_mismatch hold rather than overflow.
 */
#include "core/validate.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/money.h"
#include "core/timeutil.h"

#define MONEY_BUF 32

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool is_alnum(char c)
{
	return is_digit(c) || is_alpha(c);
}

static char to_upper(char c)
{
	return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

/* True when s is NULL, empty or only whitespace. */
static bool blank(const char *s)
{
	if (!s)
		return true;
	for (; *s; s++)
		if (!is_space(*s))
			return false;
	return true;
}

/*
 * Copy s into dst, without surrounding whitespace and upper-cased. Returns
 * false when it does not fit (such input cannot match any code anyway).
 */
static bool copy_trim_upper(char *dst, size_t size, const char *s)
{
	const char *end;
	size_t n, i;

	if (!s)
		s = "";
	while (is_space(*s))
		s++;
	end = s + strlen(s);
	while (end > s && is_space(end[-1]))
		end--;
	n = (size_t)(end - s);
	if (n >= size)
		return false;
	for (i = 0; i < n; i++)
		dst[i] = to_upper(s[i]);
	dst[n] = '\0';
	return true;
}

/* Whether a two-letter code (already upper-case) is in a space-separated
 * list of two-letter codes. */
static bool code_in_list(const char *code, const char *list)
{
	size_t n = strlen(code);
	const char *p;

	if (n == 0)
		return false;
	for (p = list; *p;) {
		const char *e = strchr(p, ' ');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		if (len == n && memcmp(p, code, n) == 0)
			return true;
		if (!e)
			break;
		p = e + 1;
	}
	return false;
}

/* ISO 3166-1 alpha-2: all officially assigned codes. */
static const char iso3166_alpha2[] =
	"AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ "
	"BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ "
	"CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ "
	"DE DJ DK DM DO DZ "
	"EC EE EG EH ER ES ET "
	"FI FJ FK FM FO FR "
	"GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY "
	"HK HM HN HR HT HU "
	"ID IE IL IM IN IO IQ IR IS IT "
	"JE JM JO JP "
	"KE KG KH KI KM KN KP KR KW KY KZ "
	"LA LB LC LI LK LR LS LT LU LV LY "
	"MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ "
	"NA NC NE NF NG NI NL NO NP NR NU NZ "
	"OM "
	"PA PE PF PG PH PK PL PM PN PR PS PT PW PY "
	"QA "
	"RE RO RS RU RW "
	"SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ "
	"TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ "
	"UA UG UM US UY UZ "
	"VA VC VE VG VI VN VU "
	"WF WS "
	"YE YT "
	"ZA ZM ZW";

/*
 * Countries whose addresses carry no postal code, or where it is optional
 * (Ireland's Eircode). A postal code given for one of them is still checked
 * (Eircode shape for IE, the generic shape otherwise).
 */
static const char no_postal_countries[] =
	"AE AG AN AO AW BF BI BJ BO BS BW BZ CD CF CG CI CK CM DJ DM ER FJ GA "
	"GD GM GQ GY HK IE KI KM KN KP LC ML MO MR MW NR NU QA RW SB SC SL SO "
	"SR ST SY TD TF TG TK TL TO TV UG VU YE ZW";

/* Countries whose addresses need a region (state, province, territory). */
static const char region_required_countries[] = "US CA AU";

/* USPS codes: states, DC, territories, freely associated states and the
 * armed forces "states" AA/AE/AP. */
static const char us_region_codes[] =
	"AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN "
	"MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA "
	"WA WV WI WY DC AS GU MP PR VI UM FM MH PW AA AE AP";

/*
 * Postal code shapes, '|' between alternatives. In a shape, '#' is a digit,
 * '@' a letter, '~' a letter or digit, '_' an optional single space; any
 * other character must appear as is (letters compared upper-case).
 */
struct postal_shape {
	const char *country;
	const char *shapes;
};

static const struct postal_shape postal_shapes[] = {
	{ "US", "#####|#####-####" },
	{ "CA", "@#@_#@#" },
	{ "GB", "@#_#@@|@##_#@@|@@#_#@@|@@##_#@@|@#@_#@@|@@#@_#@@|GIR_0AA" },
	{ "DE", "#####" },
	{ "FR", "#####" },
	{ "ES", "#####" },
	{ "IT", "#####" },
	{ "FI", "#####" },
	{ "MX", "#####" },
	{ "KR", "#####" },
	{ "NL", "####_@@" },
	{ "AU", "####" },
	{ "AT", "####" },
	{ "BE", "####" },
	{ "CH", "####" },
	{ "DK", "####" },
	{ "NO", "####" },
	{ "NZ", "####" },
	{ "ZA", "####" },
	{ "JP", "###-####|#######" },
	{ "BR", "#####-###|########" },
	{ "IN", "######|###_###" },
	{ "CN", "######" },
	{ "SG", "######" },
	{ "SE", "###_##" },
	{ "CZ", "###_##" },
	{ "SK", "###_##" },
	{ "PL", "##-###" },
	{ "PT", "####-###" },
	/* Eircode: routing key (letter, two digits, or D6W) and a unique
	 * identifier of four letters or digits. */
	{ "IE", "@##_~~~~|D6W_~~~~" },
};

/* Match one shape (shape[0..shape_len)) against the whole of s. */
static bool shape_match(const char *shape, size_t shape_len, const char *s)
{
	size_t i;

	for (i = 0; i < shape_len; i++) {
		char k = shape[i];

		switch (k) {
		case '#':
			if (!is_digit(*s))
				return false;
			s++;
			break;
		case '@':
			if (!is_alpha(*s))
				return false;
			s++;
			break;
		case '~':
			if (!is_alnum(*s))
				return false;
			s++;
			break;
		case '_':
			if (*s == ' ')
				s++;
			break;
		default:
			if (to_upper(*s) != k)
				return false;
			s++;
			break;
		}
	}
	return *s == '\0';
}

static bool shapes_match(const char *shapes, const char *s)
{
	const char *p = shapes;

	for (;;) {
		const char *e = strchr(p, '|');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		if (shape_match(p, len, s))
			return true;
		if (!e)
			return false;
		p = e + 1;
	}
}

/* Countries without a known shape: 2..10 letters, digits, spaces or dashes
 * with at least one letter or digit. */
static bool generic_postal(const char *s)
{
	size_t n = strlen(s), i;
	bool any = false;

	if (n < 2 || n > 10)
		return false;
	for (i = 0; i < n; i++) {
		if (is_alnum(s[i]))
			any = true;
		else if (s[i] != ' ' && s[i] != '-')
			return false;
	}
	return any;
}

bool validate_country_known(const char *alpha2)
{
	char code[3];

	if (!copy_trim_upper(code, sizeof(code), alpha2) || strlen(code) != 2 ||
	    !is_alpha(code[0]) || !is_alpha(code[1]))
		return false;
	return code_in_list(code, iso3166_alpha2);
}

bool validate_postal_code(const char *country, const char *postal)
{
	char cc[3], pc[ORDO_POSTAL_MAX];
	size_t i;

	if (!copy_trim_upper(pc, sizeof(pc), postal) || pc[0] == '\0')
		return false;
	if (!copy_trim_upper(cc, sizeof(cc), country))
		cc[0] = '\0';
	for (i = 0; i < sizeof(postal_shapes) / sizeof(postal_shapes[0]); i++)
		if (strcmp(cc, postal_shapes[i].country) == 0)
			return shapes_match(postal_shapes[i].shapes, pc);
	return generic_postal(pc);
}

/* RFC 5322 atext, the characters allowed in a dot-atom local part. */
static bool is_atext(char c)
{
	return is_alnum(c) || (c != '\0' && strchr("!#$%&'*+/=?^_`{|}~-", c));
}

/*
 * A practical email check, not full RFC 5322: one '@'; a dot-atom local part
 * of 1..64 characters; a domain of two or more labels, each 1..63 letters,
 * digits or inner hyphens; a top-level label with a letter in it; at most 254
 * characters in all. Surrounding whitespace is ignored.
 */
bool validate_email(const char *email)
{
	const char *s, *end, *at, *p, *label;
	size_t n_labels = 0;
	bool tld_alpha = false;

	if (!email)
		return false;
	s = email;
	while (is_space(*s))
		s++;
	end = s + strlen(s);
	while (end > s && is_space(end[-1]))
		end--;
	if (end - s > 254 || end == s)
		return false;
	at = memchr(s, '@', (size_t)(end - s));
	if (!at || at == s || at - s > 64)
		return false;
	/* Local part: dot-atom. */
	if (*s == '.' || at[-1] == '.')
		return false;
	for (p = s; p < at; p++) {
		if (*p == '.') {
			if (p[1] == '.')
				return false;
		} else if (!is_atext(*p)) {
			return false;
		}
	}
	/* Domain: labels. */
	label = at + 1;
	for (p = label;; p++) {
		if (p == end || *p == '.') {
			size_t len = (size_t)(p - label);
			size_t i;

			if (len == 0 || len > 63 || label[0] == '-' ||
			    p[-1] == '-')
				return false;
			n_labels++;
			tld_alpha = false;
			for (i = 0; i < len; i++)
				if (is_alpha(label[i]))
					tld_alpha = true;
			if (p == end)
				break;
			label = p + 1;
		} else if (!is_alnum(*p) && *p != '-') {
			return false;
		}
	}
	return n_labels >= 2 && tld_alpha;
}

static size_t count_digits(const char *s)
{
	size_t n = 0;

	for (; s && *s; s++)
		if (is_digit(*s))
			n++;
	return n;
}

/* State of one validation run. */
struct run {
	order *o;
	ordo_time now;
	ordo_err *err;
};

static ordo_code raise_hold(struct run *r, hold_type type, const char *field,
			    const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static ordo_code raise_hold(struct run *r, hold_type type, const char *field,
			    const char *fmt, ...)
{
	order_hold h;
	va_list ap;

	memset(&h, 0, sizeof(h));
	h.type = type;
	h.status = HOLD_OPEN;
	ordo_strlcpy(h.field, field, sizeof(h.field));
	ordo_strlcpy(h.raised_by, "validation", sizeof(h.raised_by));
	h.created_at = r->now;
	va_start(ap, fmt);
	vsnprintf(h.message, sizeof(h.message), fmt, ap);
	va_end(ap);
	if (order_hold_add(r->o, &h))
		return ORDO_OK;
	if (r->o->n_holds >= ORDO_MAX_HOLDS)
		return ordo_err_set(r->err, ORDO_ELIMIT, "holds",
				    "order already carries %d holds, the most "
				    "allowed",
				    ORDO_MAX_HOLDS);
	return ordo_err_set(r->err, ORDO_ENOMEM, "holds",
			    "out of memory adding a hold");
}

static void fmt_money(const struct run *r, int64_t v, char *buf)
{
	money_format(v, r->o->currency, buf, MONEY_BUF);
}

static ordo_code check_line(struct run *r, size_t i, catalog_lookup_fn lookup,
			    void *ctx)
{
	const order_line *l = &r->o->lines[i];
	catalog_entry e;
	char field[ORDO_ERR_FIELD_MAX];
	char got[MONEY_BUF], want[MONEY_BUF];
	ordo_code rc;

	memset(&e, 0, sizeof(e));
	rc = lookup(ctx, l->sku, &e, r->err);
	if (rc != ORDO_OK) {
		if (r->err && r->err->code == ORDO_OK)
			ordo_err_set(r->err, rc, "lines",
				     "catalog look-up of SKU \"%s\" failed",
				     l->sku);
		return rc;
	}
	snprintf(field, sizeof(field), "lines[%zu].sku", i);
	if (!e.found)
		return raise_hold(r, HOLD_UNKNOWN_SKU, field,
				  "SKU \"%s\" is not in the catalog", l->sku);
	if (!e.active)
		return raise_hold(r, HOLD_INACTIVE_SKU, field,
				  "SKU \"%s\" is in the catalog but not active",
				  l->sku);
	snprintf(field, sizeof(field), "lines[%zu].unit_price", i);
	if (e.currency[0] && strcmp(e.currency, r->o->currency) != 0)
		return raise_hold(
			r, HOLD_PRICE_MISMATCH, field,
			"the catalog price of SKU \"%s\" is in %s, not "
			"in the order currency %s",
			l->sku, e.currency, r->o->currency);
	if (e.unit_price != l->unit_price) {
		fmt_money(r, l->unit_price, got);
		fmt_money(r, e.unit_price, want);
		return raise_hold(
			r, HOLD_PRICE_MISMATCH, field,
			"unit price %s does not match the catalog price "
			"%s for SKU \"%s\"",
			got, want, l->sku);
	}
	return ORDO_OK;
}

static ordo_code check_totals(struct run *r)
{
	const order *o = r->o;
	const order_totals *t = &o->totals;
	char a[MONEY_BUF], b[MONEY_BUF], c[MONEY_BUF], d[MONEY_BUF];
	char e[MONEY_BUF], f[MONEY_BUF], lim[MONEY_BUF];
	int64_t sum = 0, expect;
	bool ok = true;
	ordo_code rc;
	size_t i;

	fmt_money(r, ORDO_MAX_MONEY_MINOR, lim);
	for (i = 0; i < o->n_lines && ok; i++) {
		int64_t amount;

		/* Cancelled units are no longer the customer's to pay. */
		ok = money_mul(o->lines[i].unit_price,
			       o->lines[i].quantity - o->lines[i].qty_cancelled,
			       &amount) &&
		     money_add(sum, amount, &sum);
	}
	if (!ok) {
		rc = raise_hold(r, HOLD_TOTALS_MISMATCH, "totals.subtotal",
				"the sum of the lines (quantity x unit price) "
				"exceeds the largest amount accepted, %s",
				lim);
		if (rc)
			return rc;
	} else if (sum != t->subtotal) {
		fmt_money(r, t->subtotal, a);
		fmt_money(r, sum, b);
		rc = raise_hold(
			r, HOLD_TOTALS_MISMATCH, "totals.subtotal",
			"subtotal %s does not equal the sum of the lines "
			"%s",
			a, b);
		if (rc)
			return rc;
	}

	ok = t->discount != INT64_MIN &&
	     money_add(t->subtotal, t->shipping, &expect) &&
	     money_add(expect, t->tax, &expect) &&
	     money_add(expect, -t->discount, &expect);
	fmt_money(r, t->total, a);
	fmt_money(r, t->subtotal, b);
	fmt_money(r, t->shipping, c);
	fmt_money(r, t->tax, d);
	fmt_money(r, t->discount, e);
	if (!ok) {
		rc = raise_hold(
			r, HOLD_TOTALS_MISMATCH, "totals.total",
			"subtotal %s + shipping %s + tax %s - discount %s "
			"exceeds the largest amount accepted, %s",
			b, c, d, e, lim);
		if (rc)
			return rc;
	} else if (expect != t->total) {
		fmt_money(r, expect, f);
		rc = raise_hold(
			r, HOLD_TOTALS_MISMATCH, "totals.total",
			"total %s does not equal subtotal %s + shipping %s "
			"+ tax %s - discount %s = %s",
			a, b, c, d, e, f);
		if (rc)
			return rc;
	}

	if (t->shipping != o->shipping.amount) {
		fmt_money(r, t->shipping, a);
		fmt_money(r, o->shipping.amount, b);
		rc = raise_hold(
			r, HOLD_TOTALS_MISMATCH, "totals.shipping",
			"totals shipping %s does not equal the shipping "
			"amount %s",
			a, b);
		if (rc)
			return rc;
	}
	return ORDO_OK;
}

static ordo_code check_ship_to(struct run *r)
{
	const order_address *a = &r->o->ship_to;
	char cc[3] = "";
	bool country_ok;
	ordo_code rc;

#define MISSING(member, what)                                                  \
	do {                                                                   \
		if (blank(a->member)) {                                        \
			rc = raise_hold(r, HOLD_ADDRESS_UNVERIFIABLE,          \
					"ship_to." #member,                    \
					"the ship-to address has no " what);   \
			if (rc)                                                \
				return rc;                                     \
		}                                                              \
	} while (0)

	MISSING(name, "name");
	MISSING(line1, "first address line");
	MISSING(city, "city");
#undef MISSING

	country_ok = validate_country_known(a->country);
	if (country_ok)
		copy_trim_upper(cc, sizeof(cc), a->country);

	if (blank(a->postal_code)) {
		if (!country_ok || !code_in_list(cc, no_postal_countries)) {
			if (country_ok)
				rc = raise_hold(
					r, HOLD_ADDRESS_UNVERIFIABLE,
					"ship_to.postal_code",
					"the ship-to address has no postal "
					"code, which %s addresses require",
					cc);
			else
				rc = raise_hold(
					r, HOLD_ADDRESS_UNVERIFIABLE,
					"ship_to.postal_code",
					"the ship-to address has no postal "
					"code");
			if (rc)
				return rc;
		}
	} else if (country_ok && !validate_postal_code(cc, a->postal_code)) {
		rc = raise_hold(
			r, HOLD_ADDRESS_UNVERIFIABLE, "ship_to.postal_code",
			"postal code \"%s\" is not a valid %s postal code",
			a->postal_code, cc);
		if (rc)
			return rc;
	}

	if (blank(a->country)) {
		rc = raise_hold(r, HOLD_ADDRESS_UNVERIFIABLE, "ship_to.country",
				"the ship-to address has no country");
		if (rc)
			return rc;
	} else if (!country_ok) {
		rc = raise_hold(
			r, HOLD_ADDRESS_UNVERIFIABLE, "ship_to.country",
			"country \"%s\" is not an ISO 3166-1 alpha-2 code",
			a->country);
		if (rc)
			return rc;
	}

	if (country_ok && code_in_list(cc, region_required_countries)) {
		char region[4];

		if (blank(a->region)) {
			rc = raise_hold(r, HOLD_ADDRESS_UNVERIFIABLE,
					"ship_to.region",
					"the ship-to address has no state or "
					"province, which is required for %s",
					cc);
			if (rc)
				return rc;
		} else if (strcmp(cc, "US") == 0 &&
			   (!copy_trim_upper(region, sizeof(region),
					     a->region) ||
			    strlen(region) != 2 ||
			    !code_in_list(region, us_region_codes))) {
			rc = raise_hold(r, HOLD_ADDRESS_UNVERIFIABLE,
					"ship_to.region",
					"region \"%s\" is not a US state or "
					"territory code such as \"CA\"",
					a->region);
			if (rc)
				return rc;
		}
	}
	return ORDO_OK;
}

static ordo_code check_customer(struct run *r)
{
	const order_customer *c = &r->o->customer;
	bool has_email = !blank(c->email);
	bool email_ok = has_email && validate_email(c->email);
	bool phone_ok = count_digits(c->phone) >= VALIDATE_PHONE_MIN_DIGITS;
	ordo_code rc;

	if (has_email && !email_ok) {
		rc = raise_hold(r, HOLD_INVALID_DATA, "customer.email",
				"email \"%s\" is not a valid email address",
				c->email);
		if (rc)
			return rc;
	}
	if (!email_ok && !phone_ok) {
		const char *why;

		if (has_email && !blank(c->phone))
			why = "the customer's email is malformed and the "
			      "phone number has too few digits";
		else if (has_email)
			why = "the customer's email is malformed and there "
			      "is no phone number";
		else if (!blank(c->phone))
			why = "the customer has no email and the phone "
			      "number has too few digits";
		else
			why = "the customer has neither an email address nor "
			      "a phone number";
		rc = raise_hold(r, HOLD_MISSING_CONTACT, "customer", "%s", why);
		if (rc)
			return rc;
	}
	return ORDO_OK;
}

static ordo_code check_header(struct run *r)
{
	const order *o = r->o;
	int64_t limit;
	ordo_code rc;

	if (!money_currency_known(o->currency)) {
		rc = raise_hold(r, HOLD_INVALID_DATA, "currency",
				"currency \"%s\" is not a known ISO 4217 code",
				o->currency);
		if (rc)
			return rc;
	}
	if (!__builtin_add_overflow(r->now, (int64_t)VALIDATE_FUTURE_SKEW_S,
				    &limit) &&
	    o->placed_at > limit) {
		char placed[32], now[32];

		time_format_rfc3339(o->placed_at, placed, sizeof(placed));
		time_format_rfc3339(r->now, now, sizeof(now));
		rc = raise_hold(r, HOLD_INVALID_DATA, "placed_at",
				"placed_at %s is in the future (now is %s)",
				placed, now);
		if (rc)
			return rc;
	}
	return ORDO_OK;
}

ordo_code validate_order(order *o, catalog_lookup_fn lookup, void *ctx,
			 ordo_time now, ordo_err *err)
{
	struct run r = { .o = o, .now = now, .err = err };
	ordo_code rc;
	size_t i;

	ordo_err_clear(err);
	for (i = 0; i < o->n_lines; i++) {
		/* A line cancelled whole (a change took it off) is no
		 * longer the order's to judge. */
		if (o->lines[i].quantity > 0 &&
		    o->lines[i].qty_cancelled == o->lines[i].quantity)
			continue;
		rc = check_line(&r, i, lookup, ctx);
		if (rc)
			return rc;
	}
	rc = check_totals(&r);
	if (rc)
		return rc;
	rc = check_ship_to(&r);
	if (rc)
		return rc;
	rc = check_customer(&r);
	if (rc)
		return rc;
	return check_header(&r);
}
