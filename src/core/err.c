/*
 * err.c - filling and naming ordo_err. See err.h.
 */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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

int ordo_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n;

	if (size == 0)
		return -1;
	if (!src)
		src = "";
	n = strlen(src);
	if (n >= size) {
		memcpy(dst, src, size - 1);
		dst[size - 1] = '\0';
		return -1;
	}
	memcpy(dst, src, n + 1);
	return 0;
}

void ordo_err_clear(ordo_err *err)
{
	if (!err)
		return;
	err->code = ORDO_OK;
	err->message[0] = '\0';
	err->field[0] = '\0';
	err->n_details = 0;
	err->n_dropped = 0;
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
	if (err->n_details == 0)
		ordo_strlcpy(err->field, field ? field : "", sizeof(err->field));
	if (err->n_details >= ORDO_ERR_MAX_DETAILS) {
		err->n_dropped++;
		return;
	}
	d = &err->details[err->n_details++];
	ordo_strlcpy(d->field, field ? field : "", sizeof(d->field));
	va_start(ap, fmt);
	vsnprintf(d->message, sizeof(d->message), fmt, ap);
	va_end(ap);
}

void ordo_err_set_message(ordo_err *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
}
