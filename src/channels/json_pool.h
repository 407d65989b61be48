/*
 * json_pool.h - jansson's memory from a request's arena.
 *
 * Decoding an order and building its answer take hundreds of small
 * allocations in jansson (every value, string and table). With
 * json_pool_install() once at start, jansson allocates on each thread from
 * the arena that thread was last given with json_pool_use (malloc when it
 * was given none), and freeing a value of that arena costs nothing: the
 * arena goes back whole when the request ends.
 *
 * The rule that keeps this safe: a JSON value made while an arena is in use
 * is released on the same thread, with that arena in use again (the HTTP
 * server gives a request's arena at each of the request's callbacks), or
 * not at all before the arena is. Text meant to outlive the arena (a
 * request's answer, a log line) is written by native_dump, which always
 * answers malloc'd memory.
 */
#ifndef ORDO_CHANNELS_JSON_POOL_H
#define ORDO_CHANNELS_JSON_POOL_H

#include "core/arena.h"

/* Route jansson's allocations through the pool; once, before threads. */
void json_pool_install(void);

/* This thread's arena from now on (NULL: malloc); answers the previous. */
ordo_arena *json_pool_use(ordo_arena *a);

#endif
