/*
 * ratelimit.h - requests per second per caller, as token buckets.
 *
 * Each caller (an API key) has a bucket of `burst` tokens that refills at
 * `rate` tokens a second; a request takes one, and a caller whose bucket is
 * empty is told how many seconds until it has one again. The buckets live
 * in a table of RATELIMIT_SLOTS: a caller not seen lately gives its slot to
 * a new one (its bucket then starts full again, which errs on the caller's
 * side). Pure: the caller gives the time, and serialises the calls.
 */
#ifndef ORDO_CORE_RATELIMIT_H
#define ORDO_CORE_RATELIMIT_H

#include <stdint.h>

#define RATELIMIT_SLOTS 4096
/* Slots a caller may be found in, from its hash on. */
#define RATELIMIT_PROBE 8

struct ratelimit_slot {
	uint64_t who; /* 0: free */
	int64_t tokens_milli; /* tokens, in thousandths */
	long long at_ms;      /* when tokens_milli was last brought up */
};

typedef struct {
	int64_t rate;  /* tokens a second, 1 or more */
	int64_t burst; /* tokens a bucket holds, 1 or more */
	struct ratelimit_slot slots[RATELIMIT_SLOTS];
} ratelimit;

void ratelimit_init(ratelimit *rl, int64_t rate, int64_t burst);

/* Take a token of caller who (not 0) at now_ms (monotonic): 0 when there
 * was one, else the whole seconds (1 or more) until there is. */
int ratelimit_take(ratelimit *rl, uint64_t who, long long now_ms);

#endif
