/*
 * settings.c - tenant settings: defaults, bounds, names, and patches
 * applied whole or not at all (tenant_settings_apply). See settings.h.
 */
#include "core/settings.h"

#include <stdio.h>
#include <string.h>

void settings_hold_defaults(hold_type t, int64_t *sla_s, int *priority)
{
	switch (t) {
	case HOLD_PAYMENT_UNVERIFIED:
	case HOLD_RISKY_ORDER:
		*sla_s = 3600;
		*priority = 1;
		return;
	case HOLD_HIGH_VALUE:
	case HOLD_DUPLICATE_SUSPECT:
	case HOLD_SHIPPING_CONFLICT:
	case HOLD_CHANGE_AFTER_RELEASE:
		*sla_s = 2 * 3600;
		*priority = 2;
		return;
	case HOLD_INSUFFICIENT_STOCK:
		*sla_s = 24 * 3600;
		*priority = 4;
		return;
	default:
		*sla_s = 4 * 3600;
		*priority = 3;
		return;
	}
}

void settings_defaults(tenant_settings *s)
{
	int t;

	memset(s, 0, sizeof(*s));
	for (t = 0; t < HOLD_TYPE_COUNT; t++)
		settings_hold_defaults((hold_type)t, &s->hold_sla_s[t],
				       &s->hold_priority[t]);
#define SETTINGS_X_DEFAULT(field, name, min, max, def) s->field = def;
	SETTINGS_INT_MAP(SETTINGS_X_DEFAULT)
#undef SETTINGS_X_DEFAULT
	s->backorder = BACKORDER_KEEP_OPEN;
	s->release = RELEASE_AUTO;
	s->cutoff_minute = -1;
}

ordo_code settings_check(const tenant_settings *s, ordo_err *err)
{
#define SETTINGS_X_CHECK(field, name, min, max, def)                           \
	if (s->field < (min) || s->field > (max))                              \
		return ordo_err_set(err, ORDO_EINVALID, name,                  \
				    name " must be between %lld and %lld",     \
				    (long long)(min), (long long)(max));
	SETTINGS_INT_MAP(SETTINGS_X_CHECK)
#undef SETTINGS_X_CHECK
	if (s->cutoff_minute < -1 || s->cutoff_minute >= 24 * 60)
		return ordo_err_set(err, ORDO_EINVALID, "cutoff_utc",
				    "cutoff_utc must be \"HH:MM\" or null");
	for (int t = 0; t < HOLD_TYPE_COUNT; t++) {
		if (s->hold_sla_s[t] < 60 ||
		    s->hold_sla_s[t] > SETTINGS_HOLD_SLA_MAX_S ||
		    s->hold_priority[t] < 1 || s->hold_priority[t] > 5)
			return ordo_err_set(err, ORDO_EINVALID, "holds",
					    "hold %s: sla_s must be 60 to "
					    "%d and priority 1 to 5",
					    hold_type_name((hold_type)t),
					    SETTINGS_HOLD_SLA_MAX_S);
	}
	if ((unsigned)s->backorder > BACKORDER_HOLD ||
	    (unsigned)s->release > RELEASE_WAVE)
		return ordo_err_set(err, ORDO_EINVALID, "backorder_mode",
				    "unknown mode");
	return ORDO_OK;
}

void tenant_settings_patch_init(tenant_settings_patch *p)
{
	memset(p, 0, sizeof(*p));
	settings_defaults(&p->v);
}

/* Each value given, against its own bounds: one detail per problem. */
static void patch_values_check(const tenant_settings_patch *p, ordo_err *err)
{
	char path[ORDO_ERR_FIELD_MAX];
	int t;

#define SETTINGS_X_PATCH_CHECK(field, name, min, max, def)                     \
	if (p->has_##field && (p->v.field < (min) || p->v.field > (max)))        \
		ordo_err_add(err, ORDO_EINVALID, name,                         \
			     "must be between %lld and %lld (got %lld)",        \
			     (long long)(min), (long long)(max),                \
			     (long long)p->v.field);
	SETTINGS_INT_MAP(SETTINGS_X_PATCH_CHECK)
#undef SETTINGS_X_PATCH_CHECK
	if (p->has_backorder && (unsigned)p->v.backorder > BACKORDER_HOLD)
		ordo_err_add(err, ORDO_EINVALID, "backorder_mode",
			     "is not a backorder mode");
	if (p->has_release && (unsigned)p->v.release > RELEASE_WAVE)
		ordo_err_add(err, ORDO_EINVALID, "release_mode",
			     "is not a release mode");
	if (p->has_cutoff &&
	    (p->v.cutoff_minute < -1 || p->v.cutoff_minute >= 24 * 60))
		ordo_err_add(err, ORDO_EINVALID, "cutoff_utc",
			     "must be \"HH:MM\" (UTC) or null");
	for (t = 0; t < HOLD_TYPE_COUNT; t++) {
		const char *type = hold_type_name((hold_type)t);

		if (p->has_hold_sla_s[t] &&
		    (p->v.hold_sla_s[t] < 60 ||
		     p->v.hold_sla_s[t] > SETTINGS_HOLD_SLA_MAX_S)) {
			snprintf(path, sizeof(path), "holds.%s.sla_s", type);
			ordo_err_add(err, ORDO_EINVALID, path,
				     "must be between 60 and %d (got %lld)",
				     SETTINGS_HOLD_SLA_MAX_S,
				     (long long)p->v.hold_sla_s[t]);
		}
		if (p->has_hold_priority[t] &&
		    (p->v.hold_priority[t] < 1 || p->v.hold_priority[t] > 5)) {
			snprintf(path, sizeof(path), "holds.%s.priority", type);
			ordo_err_add(err, ORDO_EINVALID, path,
				     "must be between 1 and 5 (got %d)",
				     p->v.hold_priority[t]);
		}
	}
}

ordo_code tenant_settings_apply(tenant_settings *s,
				const tenant_settings_patch *p, ordo_err *err)
{
	tenant_settings next = *s;
	ordo_err whole = ORDO_ERR_INIT;
	int t;

	patch_values_check(p, err);
	if (err->code == ORDO_OK) {
#define SETTINGS_X_APPLY(field, name, min, max, def)                           \
	if (p->has_##field)                                                    \
		next.field = p->v.field;
		SETTINGS_INT_MAP(SETTINGS_X_APPLY)
#undef SETTINGS_X_APPLY
		if (p->has_backorder)
			next.backorder = p->v.backorder;
		if (p->has_release)
			next.release = p->v.release;
		if (p->has_cutoff)
			next.cutoff_minute = p->v.cutoff_minute;
		for (t = 0; t < HOLD_TYPE_COUNT; t++) {
			if (p->has_hold_sla_s[t])
				next.hold_sla_s[t] = p->v.hold_sla_s[t];
			if (p->has_hold_priority[t])
				next.hold_priority[t] = p->v.hold_priority[t];
		}
		/* The settings as they would be, whole: what the patch leaves
		 * must hold too, or they could not be saved. */
		if (settings_check(&next, &whole) != ORDO_OK)
			ordo_err_add(err, whole.code, whole.field, "%s",
				     whole.message);
		ordo_err_clear(&whole);
	}
	if (err->code != ORDO_OK) {
		ordo_err_set_message(err, "the settings have %zu problem%s",
				     err->n_details,
				     err->n_details == 1 ? "" : "s");
		return err->code;
	}
	*s = next;
	return ORDO_OK;
}

const char *backorder_mode_name(backorder_mode m)
{
	return m == BACKORDER_HOLD ? "hold" : "backorder";
}

int backorder_mode_parse(const char *name, backorder_mode *out)
{
	if (strcmp(name, "backorder") == 0)
		*out = BACKORDER_KEEP_OPEN;
	else if (strcmp(name, "hold") == 0)
		*out = BACKORDER_HOLD;
	else
		return -1;
	return 0;
}

const char *release_mode_name(release_mode m)
{
	return m == RELEASE_WAVE ? "wave" : "auto";
}

int release_mode_parse(const char *name, release_mode *out)
{
	if (strcmp(name, "auto") == 0)
		*out = RELEASE_AUTO;
	else if (strcmp(name, "wave") == 0)
		*out = RELEASE_WAVE;
	else
		return -1;
	return 0;
}

int settings_cutoff_parse(const char *t)
{
	int h, m;

	if (strlen(t) != 5 || t[2] != ':' || t[0] < '0' || t[0] > '9' ||
	    t[1] < '0' || t[1] > '9' || t[3] < '0' || t[3] > '9' ||
	    t[4] < '0' || t[4] > '9')
		return -1;
	h = (t[0] - '0') * 10 + (t[1] - '0');
	m = (t[3] - '0') * 10 + (t[4] - '0');
	if (h > 23 || m > 59)
		return -1;
	return h * 60 + m;
}

void settings_cutoff_format(int minute, char buf[6])
{
	unsigned m = (unsigned)minute % (24 * 60);

	buf[0] = (char)('0' + m / 600);
	buf[1] = (char)('0' + m / 60 % 10);
	buf[2] = ':';
	buf[3] = (char)('0' + m % 60 / 10);
	buf[4] = (char)('0' + m % 10);
	buf[5] = '\0';
}
