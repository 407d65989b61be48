/*
 * alloc.c - malloc with a per-thread budget for tests. See alloc.h.
 *
 * The budget is thread-local, so the check costs no lock and a thread that
 * never sets it (every thread of a production server) always allocates.
 */
#include "core/alloc.h"

#include <stdbool.h>
#include <stdlib.h>

static _Thread_local long budget = -1;

/* True when this allocation may go ahead; spends one unit of the budget. */
static bool budget_take(void)
{
	if (budget < 0)
		return true;
	if (budget == 0)
		return false;
	budget--;
	return true;
}

void *ordo_malloc(size_t size)
{
	return budget_take() ? malloc(size) : NULL;
}

void *ordo_calloc(size_t n, size_t size)
{
	return budget_take() ? calloc(n, size) : NULL;
}

void *ordo_realloc(void *p, size_t size)
{
	return budget_take() ? realloc(p, size) : NULL;
}

long ordo_alloc_budget(void)
{
	return budget;
}

void ordo_alloc_budget_set(long n)
{
	budget = n < 0 ? -1 : n;
}
