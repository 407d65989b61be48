/*
 * x12_out.c - what ordo sends a trading partner of its own accord: the 855
 * of an order as it stands (from the 850 it came in), and the 940 that
 * hands a released fulfillment to a warehouse (see x12.h, OUTBOUND).
 */
#include "channels/x12.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/timeutil.h"

x12_855_line x12_line_answer_of(int64_t quantity, int64_t open,
			     int64_t cancelled)
{
	x12_855_line a = {.answer = X12_LINE_ACCEPTED};

	if (cancelled == quantity) {
		a.answer = X12_LINE_REJECTED;
	} else if (open > 0) {
		a.answer = X12_LINE_BACKORDERED;
		a.quantity = open;
	} else if (cancelled > 0) {
		a.answer = X12_LINE_QUANTITY_CHANGED;
		a.quantity = quantity - cancelled;
	}
	return a;
}

ordo_code x12_855_of(const char *source, const char *po_number,
		     const char *order_id, const x12_855_line *lines,
		     size_t n_lines, int64_t control, ordo_time now,
		     char **out, size_t *out_len, ordo_err *err)
{
	x12_reply_opts opts = {.now = now, .newline = true};
	x12_855_answer answer = {.order_id = order_id,
				 .lines = lines,
				 .n_lines = n_lines};
	ordo_channel none;
	ordo_err rerr = ORDO_ERR_INIT;
	x12_doc d;
	size_t s;
	ordo_code rc;

	channel_init(&none);
	x12_doc_init(&d);
	rc = x12_read(source, strlen(source), &none, &d, &rerr);
	ordo_err_clear(&rerr);
	if (rc == ORDO_ENOMEM) {
		x12_doc_free(&d);
		return ordo_err_set(err, rc, NULL, "out of memory");
	}
	for (s = 0; s < d.n_sets; s++)
		if (d.sets[s].kind == X12_SET_ORDER &&
		    strcmp(d.sets[s].po_number, po_number) == 0)
			break;
	if (s == d.n_sets) {
		x12_doc_free(&d);
		return ordo_err_set(err, ORDO_ENOTFOUND, "id",
				    "order %s has no 850 of its PO number in "
				    "its source",
				    order_id);
	}
	opts.interchange_control = (control > 0 ? control : 0) % 999999999 + 1;
	opts.group_control = opts.interchange_control;
	rc = x12_855_build(&d, s, &answer, &opts, out, out_len, err);
	x12_doc_free(&d);
	return rc;
}

/* ---- the 940 ---------------------------------------------------------------- */

void x12_depositor_ref(int64_t seq, char out[X12_DEPOSITOR_REF_MAX])
{
	snprintf(out, X12_DEPOSITOR_REF_MAX, "ORDO%lld", (long long)seq);
}

int64_t x12_depositor_seq(const char *ref)
{
	int64_t v = 0;
	size_t i;

	if (strncmp(ref, "ORDO", 4) != 0 || !ref[4] || strlen(ref) > 22)
		return 0;
	for (i = 4; ref[i]; i++) {
		if (ref[i] < '0' || ref[i] > '9')
			return 0;
		v = v * 10 + (ref[i] - '0');
	}
	return v;
}

static void strbuf_append(strbuf *b, const char *s)
{
	strbuf_put(b, s, strlen(s));
}

static void strbuf_appendf(strbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void strbuf_appendf(strbuf *b, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		strbuf_put(b, buf, (size_t)n < sizeof(buf) ? (size_t)n
							 : sizeof(buf) - 1);
}

/* "QQ:ID" into its qualifier and ID: 2 characters, then 1 to 15. */
static bool edi_id_split(const char *s, char q[3], char id[16])
{
	const char *colon = strchr(s, ':');
	size_t n;

	if (!colon || colon - s != 2)
		return false;
	n = strlen(colon + 1);
	if (n < 1 || n > 15)
		return false;
	memcpy(q, s, 2);
	q[2] = '\0';
	memcpy(id, colon + 1, n + 1);
	return true;
}

bool x12_edi_id_ok(const char *s)
{
	char q[3], id[16];
	size_t i;

	if (!edi_id_split(s, q, id) || !isalnum((unsigned char)q[0]) ||
	    !isalnum((unsigned char)q[1]))
		return false;
	for (i = 0; s[i]; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e ||
		    strchr("*~>^|", s[i]))
			return false;
	return true;
}

/*
 * The ASCII a letter of Latin-1 or Latin Extended-A is written as where
 * only ASCII goes (an X12 element: partners' translators take the basic
 * and extended character sets, which are ASCII): its base letter, or two
 * for the ligatures; NULL for any other character.
 */
static const char *ascii_of(uint32_t cp)
{
	static const char latin1[] = "AAAAAA?CEEEEIIIIDNOOOOOxOUUUUY?s"
				     "aaaaaa?ceeeeiiiidnooooo/ouuuuy?y";
	static const char ext_a[] = "AaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGg"
				    "GgGgHhHhIiIiIiIiIiJjJjKkkLlLlLlL"
				    "lLlNnNnNnnNnOoOoOo??RrRrRrSsSsSs"
				    "SsTtTtTtUuUuUuUuUuUuWwYyYZzZzZzs";
	static char one[2];

	switch (cp) {
	case 0xC6: return "AE";
	case 0xE6: return "ae";
	case 0xDE: return "TH";
	case 0xFE: return "th";
	case 0xDF: return "ss";
	case 0x152: return "OE";
	case 0x153: return "oe";
	case 0x132: return "IJ";
	case 0x133: return "ij";
	default: break;
	}
	if (cp >= 0xC0 && cp <= 0xFF)
		one[0] = latin1[cp - 0xC0];
	else if (cp >= 0x100 && cp <= 0x17F)
		one[0] = ext_a[cp - 0x100];
	else
		return NULL;
	one[1] = '\0';
	return one[0] == '?' ? NULL : one;
}

/* Text as an element: at most max bytes of ASCII (letters with accents
 * written as their base letters, any other character beyond ASCII as
 * "?"), none of the separators (they become spaces), no control bytes,
 * trimmed. */
static void put_text(strbuf *b, const char *s, size_t max)
{
	size_t n = 0, i, end;
	char buf[256];

	if (max >= sizeof(buf))
		max = sizeof(buf) - 1;
	for (i = 0; s[i] && n < max;) {
		unsigned char c = (unsigned char)s[i];
		uint32_t cp;
		size_t len = 1, k;
		const char *a;

		if (c < 0x80) {
			buf[n++] = (c < 0x20 || c == 0x7f || c == '*' ||
				    c == '~' || c == '>')
					   ? ' '
					   : (char)c;
			i++;
			continue;
		}
		/* A UTF-8 sequence (the text was checked to be UTF-8). */
		len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
		cp = c & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
		for (k = 1; k < len && s[i + k]; k++)
			cp = (cp << 6) | ((unsigned char)s[i + k] & 0x3F);
		i += k;
		a = ascii_of(cp);
		for (a = a ? a : "?"; *a && n < max; a++)
			buf[n++] = *a;
	}
	end = n;
	while (end > 0 && buf[end - 1] == ' ')
		end--;
	i = 0;
	while (i < end && buf[i] == ' ')
		i++;
	strbuf_put(b, buf + i, end - i);
}

/* A segment from its elements (NULL-ended; "" for an empty one), each cut
 * to the width given in the same place of max (0: as it is). */
static void seg(strbuf *b, const char *id, const char *const *el,
		const size_t *max)
{
	size_t i, last = 0;

	for (i = 0; el[i]; i++)
		if (el[i][0])
			last = i + 1;
	strbuf_append(b, id);
	for (i = 0; i < last; i++) {
		strbuf_append(b, "*");
		if (max && max[i])
			put_text(b, el[i], max[i]);
		else
			strbuf_append(b, el[i]);
	}
	strbuf_append(b, "~\n");
}

#define SEG(b, id, max, ...)                                                   \
	seg(b, id, (const char *const[]){__VA_ARGS__, NULL}, max)

ordo_code x12_940_build(const x12_940_order *o, char **out, size_t *out_len,
			ordo_err *err)
{
	char sq[3], sid[16], rq[3], rid[16], ctl[16], gctl[16], date8[9];
	char date6[7], time4[5], iso[32], qty[24], total[24], count[24];
	char isa_s[16], isa_r[16];
	int64_t units = 0;
	size_t i, n_seg;
	strbuf b;
	static const size_t w05[] = {0, 30, 22};
	static const size_t n1[] = {0, 60};
	static const size_t n3[] = {55, 55};
	static const size_t n4[] = {30, 2, 15, 3};
	static const size_t w01[] = {0, 0, 0, 0, 48};
	static const size_t g69[] = {45};

	*out = NULL;
	*out_len = 0;
	if (!edi_id_split(o->sender, sq, sid) ||
	    !edi_id_split(o->receiver, rq, rid))
		return ordo_err_set(err, ORDO_EINVALID, "edi_id",
				    "the ISA identities are \"QQ:ID\": a "
				    "2-character qualifier and an ID of 1 to "
				    "15");
	if (o->n_lines == 0)
		return ordo_err_set(err, ORDO_EINVALID, "lines",
				    "a 940 orders at least one line");
	if (!o->depositor_ref[0] || strlen(o->depositor_ref) > 22)
		return ordo_err_set(err, ORDO_EINVALID, "depositor_ref",
				    "a 940's depositor order number has 1 "
				    "to 22 characters");
	time_format_rfc3339(o->now, iso, sizeof(iso));
	snprintf(date8, sizeof(date8), "%.4s%.2s%.2s", iso, iso + 5, iso + 8);
	snprintf(date6, sizeof(date6), "%.6s", date8 + 2);
	snprintf(time4, sizeof(time4), "%.2s%.2s", iso + 11, iso + 14);
	snprintf(ctl, sizeof(ctl), "%09lld",
		 (long long)(o->control % 999999999 + 1));
	snprintf(gctl, sizeof(gctl), "%lld",
		 (long long)(o->control % 999999999 + 1));
	snprintf(isa_s, sizeof(isa_s), "%-15s", sid);
	snprintf(isa_r, sizeof(isa_r), "%-15s", rid);

	strbuf_init(&b);
	strbuf_appendf(&b,
		       "ISA*00*          *00*          *%s*%s*%s*%s*%s*%s*U*"
		       "00401*%s*0*P*>~\n",
		       sq, isa_s, rq, isa_r, date6, time4, ctl);
	strbuf_appendf(&b, "GS*OW*%s*%s*%s*%s*%s*X*004010~\n", sid, rid,
		       date8, time4, gctl);
	strbuf_append(&b, "ST*940*0001~\n");
	n_seg = 1;
	SEG(&b, "W05", w05, o->cancel ? "F" : "N", o->depositor_ref,
	    strlen(o->po_number) <= 22 ? o->po_number : "");
	SEG(&b, "N1", n1, "ST",
	    o->ship_to_name[0] ? o->ship_to_name : o->order_id);
	n_seg += 2;
	if (o->ship_to->line1[0]) {
		SEG(&b, "N3", n3, o->ship_to->line1, o->ship_to->line2);
		n_seg++;
	}
	if (o->ship_to->city[0]) {
		SEG(&b, "N4", n4, o->ship_to->city,
		    strlen(o->ship_to->region) == 2 ? o->ship_to->region : "",
		    o->ship_to->postal_code, o->ship_to->country);
		n_seg++;
	}
	SEG(&b, "N9", ((const size_t[]){0, 30}), "CO", o->order_id);
	n_seg++;
	if (o->method[0]) {
		SEG(&b, "N9", ((const size_t[]){0, 30}), "ZZ", o->method);
		n_seg++;
	}
	SEG(&b, "G62", NULL, "10", date8);
	n_seg++;
	for (i = 0; i < o->n_lines; i++) {
		char lx[24];

		snprintf(lx, sizeof(lx), "%zu", i + 1);
		snprintf(qty, sizeof(qty), "%lld",
			 (long long)o->lines[i].quantity);
		SEG(&b, "LX", NULL, lx);
		SEG(&b, "W01", w01, qty, "EA", "", "VN", o->lines[i].sku);
		n_seg += 2;
		if (o->lines[i].title[0]) {
			SEG(&b, "G69", g69, o->lines[i].title);
			n_seg++;
		}
		units += o->lines[i].quantity;
	}
	snprintf(total, sizeof(total), "%lld", (long long)units);
	SEG(&b, "W76", NULL, total);
	n_seg += 2; /* W76 and SE */
	snprintf(count, sizeof(count), "%zu", n_seg);
	strbuf_appendf(&b, "SE*%s*0001~\nGE*1*%s~\nIEA*1*%s~\n", count, gctl,
		       ctl);
	if (b.failed) {
		strbuf_free(&b);
		return ordo_err_set(err, ORDO_ENOMEM, NULL, "out of memory");
	}
	*out_len = b.len;
	*out = b.text;
	return ORDO_OK;
}
