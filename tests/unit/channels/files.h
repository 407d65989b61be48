/*
 * files.h - what the channel decoders' tests share: a sample file read
 * whole (tests/samples, ORDO_SAMPLES_DIR).
 */
#ifndef ORDO_TESTS_UNIT_CHANNELS_FILES_H
#define ORDO_TESTS_UNIT_CHANNELS_FILES_H

#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

/* The file at path, NUL-terminated after its len bytes; the test fails
 * when it cannot be read. */
static inline char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

#endif
