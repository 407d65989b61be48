/*
 * fuzz_route.c - a request target as a client sends it: the edge's check
 * of its path and query (edge_check_target), then the path as
 * libmicrohttpd unescapes it matched against every route of the table
 * (api_route_match), as the dispatcher does.
 *
 * Checked: a target the edge lets through unescapes to clean text (no
 * NUL, no control character, valid UTF-8), which is what the edge
 * promises every handler; a refusal is a 400, 414 or 503 with a message;
 * a match gives one non-empty segment without '/' per '*' of its
 * pattern, and the pattern with its segments put back is the path.
 */
#include "fuzz.h"

#include <string.h>

#include "api/api_int.h"
#include "api/routes.h"

static size_t stars(const char *pattern)
{
	size_t n = 0;

	for (; *pattern; pattern++)
		n += *pattern == '*';
	return n;
}

static void match_check(const char *pattern, const char *path,
			char *params[API_MAX_PARAMS])
{
	char rebuilt[ORDO_MAX_URI_BYTES * 2 + 64];
	size_t k = 0, used = 0, i, n;

	FUZZ_CHECK(stars(pattern) <= API_MAX_PARAMS);
	for (; *pattern; pattern++) {
		const char *part = pattern;

		n = 1;
		if (*pattern == '*') {
			part = params[k++];
			FUZZ_CHECK(part && part[0] && !strchr(part, '/'));
			n = strlen(part);
		}
		FUZZ_CHECK(used + n < sizeof(rebuilt));
		memcpy(rebuilt + used, part, n);
		used += n;
	}
	rebuilt[used] = '\0';
	FUZZ_CHECK(strcmp(rebuilt, path) == 0);
	for (i = k; i < API_MAX_PARAMS; i++)
		FUZZ_CHECK(params[i] == NULL);
}

/* What the edge promises a handler of the text it let through. */
static void clean_check(const char *s, size_t n)
{
	size_t i;

	FUZZ_CHECK(strlen(s) == n);
	for (i = 0; i < n; i++)
		FUZZ_CHECK((unsigned char)s[i] >= 0x20 && s[i] != 0x7F);
	FUZZ_CHECK(ordo_utf8_valid(s, n));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	api_request *r = calloc(1, sizeof(*r));
	char *path;
	size_t i, n;

	FUZZ_CHECK(r);
	r->raw_uri = fuzz_text(data, size);
	edge_check_target(r);
	if (r->refusal) {
		FUZZ_CHECK(r->refusal_status == MHD_HTTP_BAD_REQUEST ||
			   r->refusal_status == MHD_HTTP_URI_TOO_LONG ||
			   r->refusal_status ==
				   MHD_HTTP_SERVICE_UNAVAILABLE);
		FUZZ_CHECK(r->refusal_err.message[0]);
		goto out;
	}
	/* libmicrohttpd hands the handler the path before any '?',
	 * unescaped. */
	path = strdup(r->raw_uri);
	FUZZ_CHECK(path);
	path[strcspn(path, "?")] = '\0';
	n = MHD_http_unescape(path);
	clean_check(path, n);
	for (i = 0; i < api_n_routes; i++) {
		char *params[API_MAX_PARAMS] = {NULL, NULL};

		if (!api_route_match(api_routes[i].pattern, path, params))
			continue;
		match_check(api_routes[i].pattern, path, params);
		free(params[0]);
		free(params[1]);
	}
	free(path);
out:
	ordo_err_clear(&r->refusal_err);
	free(r->raw_uri);
	free(r);
	return 0;
}
