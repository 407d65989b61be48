/*
 * login.h - how long a login must wait after failed ones.
 *
 * Failed logins are counted twice: per account (the email asked for,
 * whether or not a person has it, so that the answers do not tell which
 * emails are people's) and per client address. Each count runs while its
 * failures come less than ORDO_LOGIN_LOCK_S apart; a success clears the
 * account's count (not the address's: a person with one good password
 * must not clear the way for guesses at others). With n failures in a
 * row, the next attempt waits:
 *
 *   n <= free                       nothing
 *   free < n < lock                 2^(n - free - 1) s after the last
 *                                   failure, at most ORDO_LOGIN_WAIT_MAX_S
 *   n >= lock                       ORDO_LOGIN_LOCK_S after the last
 *                                   failure: locked
 *
 * An attempt made while it must wait is refused without its password
 * being looked at, and counts as nothing. Pure: the caller gives the time.
 */
#ifndef ORDO_CORE_LOGIN_H
#define ORDO_CORE_LOGIN_H

#include <stdbool.h>
#include <stdint.h>

/* What one count is allowed (the account's or the address's). */
typedef struct {
	int64_t free; /* failures that cost nothing */
	int64_t lock; /* failures that lock */
} login_rule;

extern const login_rule login_per_account;
extern const login_rule login_per_address;

/* A count of failures in a row, and when the last was (0: none). */
typedef struct {
	int64_t failures;
	int64_t last_failed_at;
} login_count;

/* The count as it stands at now: failures a lock's length ago are
 * forgotten. */
login_count login_count_at(login_count c, int64_t now);

/* Seconds an attempt at now must still wait (0: it may go ahead); *locked
 * says whether the count has reached its rule's lock. */
int64_t login_wait(const login_rule *rule, login_count c, int64_t now,
		   bool *locked);

/* The count after a failure at now. */
login_count login_failed(login_count c, int64_t now);

#endif
