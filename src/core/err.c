/*
 * err.c - filling and naming ordo_err. See err.h.
 *
 * Messages and fields often echo what a caller sent (an id, a SKU, a query
 * value), and they end up in JSON, which must be valid UTF-8: an encoder
 * refuses anything else and the caller would get no answer at all. So every
 * string stored in an ordo_err is cut only between characters and scrubbed:
 * a character cut short (by a full buffer, or by a "%.32s" in the middle of
 * a message) is dropped whole, and any other byte that is not UTF-8 becomes
 * '?', in place, so the length never grows.
 *
 * The details array is the one allocation an error makes. It grows by
 * doubling from ERR_DETAILS_FIRST to ORDO_ERR_MAX_DETAILS, through
 * ordo_realloc (core/alloc.h) so that tests can make it fail; a detail that
 * finds no room is counted in n_dropped, and nothing else about the error
 * changes, so an error can always be reported.
 */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"

/* Most errors with details have one or two; start small. */
#define ERR_DETAILS_FIRST 4

static const char *const code_names[] = {
#define ORDO_X_NAME(e, name) name,
	ORDO_CODE_MAP(ORDO_X_NAME)
#undef ORDO_X_NAME
};

const char *ordo_code_name(ordo_code code)
{
	if ((unsigned)code >= ORDO_CODE_COUNT)
		return "internal_error";
	return code_names[code];
}

/*
 * Length of the valid UTF-8 sequence at s (of at most n bytes), or 0 when the
 * bytes there are not one: a stray continuation byte, an overlong form, a
 * surrogate, a value past U+10FFFF or a sequence cut short.
 */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned long cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		len = 2;
		cp = s[0] & 0x1Fu;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		len = 3;
		cp = s[0] & 0x0Fu;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		len = 4;
		cp = s[0] & 0x07u;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0u) != 0x80u)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3Fu);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		return 0;
	return len;
}

bool ordo_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		size_t len = utf8_seq_len(p + i, n - i);

		if (len == 0)
			return false;
		i += len;
	}
	return true;
}

size_t ordo_utf8_cut(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = n, back = 0;

	/* Step back over at most three continuation bytes to the lead byte
	 * of the last character, and drop it when it does not fit. */
	while (i > 0 && back < 3 && (p[i - 1] & 0xC0u) == 0x80u) {
		i--;
		back++;
	}
	if (i > 0 && p[i - 1] >= 0xC0u) {
		size_t need = p[i - 1] >= 0xF0u ? 4 : p[i - 1] >= 0xE0u ? 3 : 2;

		if (back + 1 < need)
			return i - 1;
	}
	return n;
}

/*
 * The length of a character cut short at p (a lead byte and fewer
 * continuation bytes than it needs, then something else), or 0 when the
 * bytes there are not the start of a character at all.
 */
static size_t utf8_cut_len(const unsigned char *p, size_t n)
{
	size_t need, i;

	if (p[0] >= 0xC2 && p[0] <= 0xDF)
		need = 2;
	else if (p[0] >= 0xE0 && p[0] <= 0xEF)
		need = 3;
	else if (p[0] >= 0xF0 && p[0] <= 0xF4)
		need = 4;
	else
		return 0;
	for (i = 1; i < need && i < n && (p[i] & 0xC0u) == 0x80u; i++)
		;
	return i < need ? i : 0;
}

void ordo_utf8_scrub(char *s)
{
	unsigned char *p = (unsigned char *)s;
	size_t n = strlen(s), i = 0, o = 0;

	while (i < n) {
		size_t len = utf8_seq_len(p + i, n - i);

		if (len > 0) {
			memmove(p + o, p + i, len);
			o += len;
			i += len;
			continue;
		}
		/* A character cut short (a "%.32s" or a full buffer cut it)
		 * is dropped whole; any other bad byte shows as '?'. */
		len = utf8_cut_len(p + i, n - i);
		if (len > 0) {
			i += len;
			continue;
		}
		p[o++] = '?';
		i++;
	}
	p[o] = '\0';
}

int ordo_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n;

	if (size == 0)
		return -1;
	if (!src)
		src = "";
	n = strlen(src);
	if (n >= size) {
		/* Cut between characters, never inside one. */
		n = ordo_utf8_cut(src, size - 1);
		memcpy(dst, src, n);
		dst[n] = '\0';
		return -1;
	}
	memcpy(dst, src, n + 1);
	return 0;
}

void ordo_err_init(ordo_err *err)
{
	if (!err)
		return;
	memset(err, 0, sizeof(*err));
	err->code = ORDO_OK;
	err->details = NULL;
}

void ordo_err_clear(ordo_err *err)
{
	if (!err)
		return;
	free(err->details);
	ordo_err_init(err);
}

void ordo_err_move(ordo_err *dst, ordo_err *src)
{
	if (dst == src)
		return;
	if (!dst) {
		ordo_err_clear(src);
		return;
	}
	ordo_err_clear(dst);
	memcpy(dst, src, sizeof(*dst));
	ordo_err_init(src);
}

void ordo_err_copy(ordo_err *dst, const ordo_err *src)
{
	if (!dst || dst == src)
		return;
	ordo_err_clear(dst);
	memcpy(dst, src, sizeof(*dst));
	dst->details = NULL;
	dst->details_cap = 0;
	if (src->n_details == 0)
		return;
	dst->details = ordo_malloc(src->n_details * sizeof(*dst->details));
	if (!dst->details) {
		/* The top-level error stands; the details are counted. */
		dst->n_dropped += dst->n_details;
		dst->n_details = 0;
		return;
	}
	memcpy(dst->details, src->details,
	       src->n_details * sizeof(*dst->details));
	dst->details_cap = src->n_details;
}

/*
 * Room for one more detail: the next free slot, or NULL when the list is
 * full or cannot grow (the caller counts the detail as dropped).
 */
static ordo_err_detail *detail_slot(ordo_err *err)
{
	ordo_err_detail *grown;
	size_t cap;

	if (err->n_details >= ORDO_ERR_MAX_DETAILS)
		return NULL;
	if (err->n_details < err->details_cap)
		return &err->details[err->n_details];
	cap = err->details_cap ? err->details_cap * 2 : ERR_DETAILS_FIRST;
	if (cap > ORDO_ERR_MAX_DETAILS)
		cap = ORDO_ERR_MAX_DETAILS;
	grown = ordo_realloc(err->details, cap * sizeof(*grown));
	if (!grown)
		return NULL;
	err->details = grown;
	err->details_cap = cap;
	return &err->details[err->n_details];
}

ordo_code ordo_err_set(ordo_err *err, ordo_code code, const char *field,
		       const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	ordo_strlcpy(err->field, field ? field : "", sizeof(err->field));
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	ordo_utf8_scrub(err->message);
	ordo_utf8_scrub(err->field);
	return code;
}

void ordo_err_add(ordo_err *err, ordo_code code, const char *field,
		  const char *fmt, ...)
{
	va_list ap;
	ordo_err_detail *d;

	if (!err)
		return;
	if (err->code == ORDO_OK)
		err->code = code;
	if (err->n_details == 0 && err->n_dropped == 0)
		ordo_strlcpy(err->field, field ? field : "", sizeof(err->field));
	ordo_utf8_scrub(err->field);
	d = detail_slot(err);
	if (!d) {
		err->n_dropped++;
		return;
	}
	err->n_details++;
	ordo_strlcpy(d->field, field ? field : "", sizeof(d->field));
	ordo_utf8_scrub(d->field);
	va_start(ap, fmt);
	vsnprintf(d->message, sizeof(d->message), fmt, ap);
	va_end(ap);
	ordo_utf8_scrub(d->message);
}

void ordo_err_set_message(ordo_err *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	ordo_utf8_scrub(err->message);
}
