/*
 * alloc.h - the allocator of the paths that must say "out of memory"
 * rather than fail silently: an ordo_err's details and a request's own
 * buffers in the HTTP server.
 *
 * These are malloc, calloc and realloc with one addition, for tests only:
 * an allocation budget per thread. A test (or `ordo serve` started with
 * ORDO_TEST_FAIL_ALLOC, see api/server.c) sets how many more allocations the
 * current thread may make through these functions; past that they fail as
 * malloc does when memory is exhausted, so that the failure paths run for
 * real rather than being assumed. The budget is per thread so that one
 * thread's failures never leak into another's (the store's committer, a
 * test runner). It is unlimited unless set, which is all production code
 * ever sees.
 */
#ifndef ORDO_CORE_ALLOC_H
#define ORDO_CORE_ALLOC_H

#include <stddef.h>

/* As malloc, calloc and realloc; NULL also once the budget is spent. */
void *ordo_malloc(size_t size);
void *ordo_calloc(size_t n, size_t size);
void *ordo_realloc(void *p, size_t size);

/* Allocations this thread may still make (-1: no limit, the default). */
long ordo_alloc_budget(void);

/* Let this thread make n more allocations here (n < 0: no limit). */
void ordo_alloc_budget_set(long n);

#endif
