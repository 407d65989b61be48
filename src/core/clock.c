/*
 * clock.c - the system clock behind ordo_clock (clock.h).
 */
#include "core/clock.h"

#include <time.h>

static ordo_time system_now(const ordo_clock *c)
{
	(void)c;
	return (ordo_time)time(NULL);
}

const ordo_clock ordo_clock_system = {.now = system_now, .ctx = NULL};

ordo_time ordo_clock_now(const ordo_clock *c)
{
	if (!c)
		c = &ordo_clock_system;
	return c->now(c);
}
