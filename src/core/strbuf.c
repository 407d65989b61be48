/*
 * strbuf.c - text that grows as it is written (strbuf.h).
 */
#include "core/strbuf.h"

#include <stdlib.h>
#include <string.h>

void strbuf_init(strbuf *b)
{
	memset(b, 0, sizeof(*b));
}

void strbuf_put(strbuf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->text, cap);
		if (!p) {
			b->failed = true;
			return;
		}
		b->text = p;
		b->cap = cap;
	}
	memcpy(b->text + b->len, s, n);
	b->len += n;
	b->text[b->len] = '\0';
}

void strbuf_free(strbuf *b)
{
	free(b->text);
	strbuf_init(b);
}
