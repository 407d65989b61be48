/*
 * clock.h - the one clock.
 *
 * ordo reads the time in one place: the edge (the server, the CLI, the
 * outbox worker) holds an ordo_clock and passes the time it reads down to
 * the use cases, which never ask the system themselves. A test runs the
 * server on a clock it can move (see `ordo serve --clock-file`), so no
 * test waits in real time for a lease, a retry or a window to pass.
 *
 * The clock gives UTC seconds since the epoch (ordo_time). It is read-only
 * once made and safe to read from any thread.
 */
#ifndef ORDO_CORE_CLOCK_H
#define ORDO_CORE_CLOCK_H

#include "core/order.h"

typedef struct ordo_clock ordo_clock;

struct ordo_clock {
	/* The time now; ctx is the clock's own state. */
	ordo_time (*now)(const ordo_clock *c);
	void *ctx;
};

/* The system's clock (time(2)). */
extern const ordo_clock ordo_clock_system;

/* The time by c; the system's clock when c is NULL. */
ordo_time ordo_clock_now(const ordo_clock *c);

#endif
