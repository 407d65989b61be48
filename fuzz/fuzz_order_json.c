/*
 * fuzz_order_json.c - ordo's own order document (POST /v1/orders) and
 * change document (POST /v1/orders/{id}/changes): the body read as the
 * API reads it (jf_parse_object), then native_order_decode and
 * native_change_decode. A decoded order goes through what intake does
 * with it, a decoded change through what a change request does
 * (fuzz_order_exercise, fuzz_changes_exercise).
 */
#include "fuzz.h"

#include <string.h>

#include <jansson.h>

#include "channels/json_fields.h"
#include "channels/native.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ordo_err err = ORDO_ERR_INIT;
	order_change c;
	json_t *doc;
	order o;

	doc = jf_parse_object((const char *)data, size, &err);
	ordo_err_clear(&err);
	if (!doc)
		return 0;
	order_init(&o);
	if (native_order_decode(doc, &o, &err) == ORDO_OK)
		fuzz_order_exercise(&o);
	order_free(&o);
	ordo_err_clear(&err);

	order_change_init(&c);
	if (native_change_decode(doc, &c, &err) == ORDO_OK)
		fuzz_changes_exercise(fuzz_base_order(), &c, 1);
	ordo_err_clear(&err);
	json_decref(doc);
	return 0;
}
