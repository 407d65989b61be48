/*
 * ratelimit.c - requests per second per caller (see ratelimit.h).
 */
#include "core/ratelimit.h"

#include <string.h>

void ratelimit_init(ratelimit *rl, int64_t rate, int64_t burst)
{
	memset(rl->slots, 0, sizeof(rl->slots));
	rl->rate = rate > 0 ? rate : 1;
	rl->burst = burst > 0 ? burst : 1;
}

/* who's slot: its own, else a free one, else the one seen longest ago
 * among its RATELIMIT_PROBE, given to who with a full bucket. */
static struct ratelimit_slot *slot_of(ratelimit *rl, uint64_t who,
				      long long now_ms)
{
	/* A multiplicative hash spreads keys' ids, which come in a row. */
	size_t at = (size_t)((who * UINT64_C(0x9E3779B97F4A7C15)) >> 52) %
		    RATELIMIT_SLOTS;
	struct ratelimit_slot *pick = NULL;
	size_t i;

	for (i = 0; i < RATELIMIT_PROBE; i++) {
		struct ratelimit_slot *s =
			&rl->slots[(at + i) % RATELIMIT_SLOTS];

		if (s->who == who)
			return s;
		if (!pick || (pick->who != 0 &&
			      (s->who == 0 || s->at_ms < pick->at_ms)))
			pick = s;
	}
	pick->who = who;
	pick->tokens_milli = rl->burst * 1000;
	pick->at_ms = now_ms;
	return pick;
}

int ratelimit_take(ratelimit *rl, uint64_t who, long long now_ms)
{
	struct ratelimit_slot *s;
	int wait = 0;

	s = slot_of(rl, who, now_ms);
	if (now_ms > s->at_ms) {
		/* rate tokens a second is rate thousandths a millisecond. */
		int64_t add = (int64_t)(now_ms - s->at_ms) * rl->rate;

		s->tokens_milli = add >= rl->burst * 1000 - s->tokens_milli
					  ? rl->burst * 1000
					  : s->tokens_milli + add;
		s->at_ms = now_ms;
	}
	if (s->tokens_milli >= 1000) {
		s->tokens_milli -= 1000;
	} else {
		int64_t ms = (1000 - s->tokens_milli + rl->rate - 1) / rl->rate;

		wait = (int)((ms + 999) / 1000);
		if (wait < 1)
			wait = 1;
	}
	return wait;
}
