/*
 * strbuf.h - text that grows as it is written: bytes appended to a
 * malloc'd, NUL-terminated buffer that doubles as it fills. Out of memory,
 * it keeps what it had and says so (failed), so that a writer appends
 * without a check per piece and looks once at its end.
 */
#ifndef ORDO_CORE_STRBUF_H
#define ORDO_CORE_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
	char *text; /* NULL while nothing was written; owned */
	size_t len, cap;
	bool failed; /* out of memory: text is incomplete */
} strbuf;

/* Empty (no memory held). */
void strbuf_init(strbuf *b);

/* Append the n bytes at s (nothing once failed). */
void strbuf_put(strbuf *b, const char *s, size_t n);

/* Give the memory back; b is empty again. */
void strbuf_free(strbuf *b);

#endif
