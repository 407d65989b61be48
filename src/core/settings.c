/*
 * settings.c - tenant settings: defaults, bounds, names. See settings.h.
 */
#include "core/settings.h"

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
