/*
 * json_pool.c - jansson's memory from a request's arena (json_pool.h).
 */
#include "channels/json_pool.h"

#include <stdlib.h>

#include <jansson.h>

static _Thread_local ordo_arena *pool;

static void *pool_malloc(size_t size)
{
	return pool ? ordo_arena_alloc(pool, size) : malloc(size);
}

static void pool_free(void *p)
{
	if (p && pool && ordo_arena_owns(pool, p))
		return; /* given back with the arena */
	free(p);
}

void json_pool_install(void)
{
	json_set_alloc_funcs(pool_malloc, pool_free);
}

ordo_arena *json_pool_use(ordo_arena *a)
{
	ordo_arena *was = pool;

	pool = a;
	return was;
}
