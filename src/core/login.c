/*
 * login.c - how long a login must wait after failed ones (login.h).
 */
#include "core/login.h"

#include "core/limits.h"

const login_rule login_per_account = {ORDO_LOGIN_FREE_FAILS,
				      ORDO_LOGIN_LOCK_FAILS};
const login_rule login_per_address = {ORDO_LOGIN_ADDRESS_FREE_FAILS,
				      ORDO_LOGIN_ADDRESS_LOCK_FAILS};

login_count login_count_at(login_count c, int64_t now)
{
	if (c.failures > 0 && now - c.last_failed_at >= ORDO_LOGIN_LOCK_S) {
		c.failures = 0;
		c.last_failed_at = 0;
	}
	return c;
}

int64_t login_wait(const login_rule *rule, login_count c, int64_t now,
		   bool *locked)
{
	int64_t wait, until;

	c = login_count_at(c, now);
	*locked = c.failures >= rule->lock;
	if (c.failures <= rule->free)
		return 0;
	if (*locked) {
		wait = ORDO_LOGIN_LOCK_S;
	} else {
		int64_t shift = c.failures - rule->free - 1;

		wait = shift >= 30 ? ORDO_LOGIN_WAIT_MAX_S : (int64_t)1 << shift;
		if (wait > ORDO_LOGIN_WAIT_MAX_S)
			wait = ORDO_LOGIN_WAIT_MAX_S;
	}
	until = c.last_failed_at + wait;
	return until > now ? until - now : 0;
}

login_count login_failed(login_count c, int64_t now)
{
	c = login_count_at(c, now);
	c.failures++;
	c.last_failed_at = now;
	return c;
}
