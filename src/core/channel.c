/*
 * channel.c - channel kinds and SKU mappings. See channel.h.
 */
#include "core/channel.h"

#include <stdlib.h>
#include <string.h>

static const char *const kind_names[] = {
#define CHANNEL_X_NAME(e, name) name,
	CHANNEL_KIND_MAP(CHANNEL_X_NAME)
#undef CHANNEL_X_NAME
};

const char *channel_kind_name(channel_kind k)
{
	return (unsigned)k < CHANNEL_KIND_COUNT ? kind_names[k] : "unknown";
}

int channel_kind_parse(const char *name, channel_kind *out)
{
	size_t i;

	for (i = 0; name && i < CHANNEL_KIND_COUNT; i++) {
		if (strcmp(name, kind_names[i]) == 0) {
			*out = (channel_kind)i;
			return 0;
		}
	}
	return -1;
}

bool channel_name_ok(const char *s)
{
	for (; *s; s++) {
		char c = *s;

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '.'))
			return false;
	}
	return true;
}

void channel_init(ordo_channel *c)
{
	memset(c, 0, sizeof(*c));
}

void channel_free(ordo_channel *c)
{
	free(c->skus);
	channel_init(c);
}

ordo_code channel_copy(ordo_channel *dst, const ordo_channel *src, ordo_err *err)
{
	channel_sku *skus = NULL;

	if (src->n_skus) {
		skus = malloc(src->n_skus * sizeof(*skus));
		if (!skus)
			return ordo_err_set(err, ORDO_ENOMEM, NULL,
					    "out of memory copying a channel");
		memcpy(skus, src->skus, src->n_skus * sizeof(*skus));
	}
	free(dst->skus);
	*dst = *src;
	dst->skus = skus;
	return ORDO_OK;
}

static int by_code(const void *a, const void *b)
{
	return strcmp(((const channel_sku *)a)->code,
		      ((const channel_sku *)b)->code);
}

ordo_code channel_set_skus(ordo_channel *c, const channel_sku *skus, size_t n,
			   ordo_err *err)
{
	channel_sku *sorted = NULL;
	size_t i;
	bool bad = false;

	if (n > ORDO_CHANNEL_SKUS_MAX)
		return ordo_err_set(err, ORDO_ELIMIT, "skus",
				    "%zu SKU mappings; a channel holds at "
				    "most %d",
				    n, ORDO_CHANNEL_SKUS_MAX);
	if (n) {
		sorted = malloc(n * sizeof(*sorted));
		if (!sorted)
			return ordo_err_set(err, ORDO_ENOMEM, "skus",
					    "out of memory");
		memcpy(sorted, skus, n * sizeof(*sorted));
		qsort(sorted, n, sizeof(*sorted), by_code);
	}
	for (i = 0; i < n; i++) {
		if (!sorted[i].code[0] || !sorted[i].sku[0]) {
			ordo_err_add(err, ORDO_EINVALID, "skus",
				     "a mapping needs both a code and a sku%s%s",
				     sorted[i].code[0] ? "; code " : "",
				     sorted[i].code);
			bad = true;
		}
		if (i > 0 && sorted[i].code[0] &&
		    strcmp(sorted[i].code, sorted[i - 1].code) == 0) {
			ordo_err_add(err, ORDO_EINVALID, "skus",
				     "code \"%s\" is mapped twice",
				     sorted[i].code);
			bad = true;
		}
	}
	if (bad) {
		free(sorted);
		return err->code;
	}
	free(c->skus);
	c->skus = sorted;
	c->n_skus = n;
	return ORDO_OK;
}

const char *channel_sku_of(const ordo_channel *c, const char *code)
{
	channel_sku key;
	const channel_sku *hit;

	if (!c || !c->n_skus || !code ||
	    ordo_strlcpy(key.code, code, sizeof(key.code)) != 0)
		return NULL;
	hit = bsearch(&key, c->skus, c->n_skus, sizeof(*c->skus), by_code);
	return hit ? hit->sku : NULL;
}
