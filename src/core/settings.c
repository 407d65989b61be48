/*
 * settings.c - tenant settings: defaults, bounds, names. See settings.h.
 */
#include "core/settings.h"

#include <string.h>

void settings_defaults(tenant_settings *s)
{
	memset(s, 0, sizeof(*s));
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
