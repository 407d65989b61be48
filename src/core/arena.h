/*
 * arena.h - a request's memory: the many small allocations of one request
 * (a JSON document decoded, an answer built) carved from a few large
 * blocks, and all given back at once when the request ends.
 *
 * Freeing one allocation gives nothing back (the block is kept until
 * ordo_arena_release); that is what makes it cheap, and why an arena
 * serves one request, never a whole connection or process. The blocks come
 * from malloc: an arena that cannot grow answers NULL as malloc would.
 * (They are not counted by the tests' allocation budget, alloc.h, which
 * counts ordo's own allocations on the request path; jansson's never were.)
 */
#ifndef ORDO_CORE_ARENA_H
#define ORDO_CORE_ARENA_H

#include <stdbool.h>
#include <stddef.h>

typedef struct ordo_arena_block ordo_arena_block;

typedef struct {
	ordo_arena_block *blocks; /* the newest first; NULL until used */
	size_t used;		  /* bytes taken of the newest block */
	size_t bytes;		  /* bytes of all blocks */
	size_t allocations;	  /* allocations served */
} ordo_arena;

#define ORDO_ARENA_INIT {NULL, 0, 0, 0}

/* size bytes, aligned for any object; NULL when no block could be had. */
void *ordo_arena_alloc(ordo_arena *a, size_t size);

/* Whether p was given by a (and a has not been released since). */
bool ordo_arena_owns(const ordo_arena *a, const void *p);

/* Give every block back; a is empty again, ready for use. */
void ordo_arena_release(ordo_arena *a);

#endif
