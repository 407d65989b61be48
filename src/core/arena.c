/*
 * arena.c - a request's memory (arena.h). Blocks of ORDO_ARENA_BLOCK_BYTES,
 * newest first; an allocation larger than a quarter of a block gets a block
 * of its own, behind the newest, so that the newest keeps its room.
 */
#include "core/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/limits.h"

struct ordo_arena_block {
	ordo_arena_block *next;
	size_t size; /* bytes of data[] */
	alignas(max_align_t) unsigned char data[];
};

#define ALIGN(n) (((n) + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1))

static ordo_arena_block *block_new(size_t size)
{
	ordo_arena_block *b;

	if (size > SIZE_MAX - sizeof(*b))
		return NULL;
	b = malloc(sizeof(*b) + size);
	if (b)
		b->size = size;
	return b;
}

void *ordo_arena_alloc(ordo_arena *a, size_t size)
{
	ordo_arena_block *b;
	size_t need = ALIGN(size ? size : 1);

	if (need < size)
		return NULL; /* size near SIZE_MAX */
	if (need > ORDO_ARENA_BLOCK_BYTES / 4) {
		b = block_new(need);
		if (!b)
			return NULL;
		if (a->blocks) { /* behind the newest, which keeps its room */
			b->next = a->blocks->next;
			a->blocks->next = b;
		} else {
			b->next = NULL;
			a->blocks = b;
			a->used = need;
		}
		a->bytes += need;
		a->allocations++;
		return b->data;
	}
	if (!a->blocks || a->used + need > a->blocks->size) {
		b = block_new(ORDO_ARENA_BLOCK_BYTES);
		if (!b)
			return NULL;
		b->next = a->blocks;
		a->blocks = b;
		a->used = 0;
		a->bytes += ORDO_ARENA_BLOCK_BYTES;
	}
	a->used += need;
	a->allocations++;
	return a->blocks->data + a->used - need;
}

bool ordo_arena_owns(const ordo_arena *a, const void *p)
{
	const ordo_arena_block *b;
	uintptr_t at = (uintptr_t)p;

	for (b = a->blocks; b; b = b->next)
		if (at >= (uintptr_t)b->data && at < (uintptr_t)b->data + b->size)
			return true;
	return false;
}

void ordo_arena_release(ordo_arena *a)
{
	ordo_arena_block *b = a->blocks, *next;

	for (; b; b = next) {
		next = b->next;
		free(b);
	}
	a->blocks = NULL;
	a->used = 0;
	a->bytes = 0;
	a->allocations = 0;
}
