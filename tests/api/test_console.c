/*
 * test_console.c - `ordo serve --web DIR` serves the console's files: the
 * page at /, the folder's files of the types it knows at /console/NAME,
 * the charting library at /console/vendor/NAME, each with its type and
 * the headers of every answer; and nothing else of the folder, nothing
 * outside it, nothing too large.
 *
 * The server is given a folder the test makes, with files of its own, so
 * that what is served is known to come from --web. (The console itself,
 * in web/, is tried in a real browser by tests/e2e.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

static char web_dir[] = "/tmp/ordo-web-XXXXXX";
static const char *serve_args[] = {"--web", web_dir, NULL};
static char outside[64];

static void put(const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", web_dir, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void dir(const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", web_dir, rel);
	assert_int_equal(mkdir(path, 0755), 0);
}

#define BIG_BYTES (2 * 1024 * 1024 + 1)

static int group_setup(void **state)
{
	char path[256];
	FILE *f;

	if (!mkdtemp(web_dir))
		return -1;
	put("index.html", "<!doctype html><title>the page</title>\n");
	put("app.js", "export const served = 'from --web';\n");
	put("style.css", "body { margin: 0 }\n");
	put("icon.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n");
	put("notes.txt", "not a type the console serves\n");
	put(".hidden.js", "a hidden file\n");
	put("package.json", "{}\n");
	dir("folder.js");
	dir("node_modules");
	dir("node_modules/uplot");
	dir("node_modules/uplot/dist");
	put("node_modules/uplot/dist/uPlot.esm.js", "export default 1;\n");
	put("node_modules/uplot/dist/uPlot.min.css", ".u { }\n");
	put("node_modules/uplot/dist/uPlot.iife.js", "not listed\n");
	snprintf(path, sizeof(path), "%s/big.js", web_dir);
	f = fopen(path, "w");
	assert_non_null(f);
	for (int i = 0; i < BIG_BYTES; i++)
		fputc(' ', f);
	fclose(f);
	/* A file beside the folder, that a way out of it would reach. */
	snprintf(outside, sizeof(outside), "%s-outside.js", web_dir);
	f = fopen(outside, "w");
	assert_non_null(f);
	fputs("served from outside\n", f);
	fclose(f);
	harness_set_serve_args(serve_args);
	return harness_group_setup(state);
}

static int group_teardown(void **state)
{
	int rc = harness_group_teardown(state);
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", web_dir);
	if (system(cmd) != 0)
		rc = -1;
	unlink(outside);
	return rc;
}

/* GET path answers 200 with body and type. */
static void served(const char *path, const char *type, const char *body)
{
	struct resp *r = http_get(NULL, "%s", path);
	char got[128];

	assert_status(r, 200);
	check(resp_header(r, "Content-Type", got, sizeof(got)) == 1 &&
		      streq(got, type),
	      "%s: Content-Type %s, not %s", path, got, type);
	check(streq(r->body, body), "%s: served %s", path, r->body);
	resp_free(r);
}

API_TEST(the_page_and_its_files_are_served_with_their_types)
{
	struct resp *r;
	char csp[256];

	served("/", "text/html; charset=utf-8",
	       "<!doctype html><title>the page</title>\n");
	served("/console/app.js", "text/javascript; charset=utf-8",
	       "export const served = 'from --web';\n");
	served("/console/style.css", "text/css; charset=utf-8",
	       "body { margin: 0 }\n");
	served("/console/icon.svg", "image/svg+xml",
	       "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n");
	served("/console/index.html", "text/html; charset=utf-8",
	       "<!doctype html><title>the page</title>\n");
	served("/console/vendor/uPlot.esm.js", "text/javascript; charset=utf-8",
	       "export default 1;\n");
	served("/console/vendor/uPlot.min.css", "text/css; charset=utf-8",
	       ".u { }\n");
	/* The page runs only what ordo serves, and is never framed. */
	r = http_get(NULL, "/");
	check(resp_header(r, "Content-Security-Policy", csp, sizeof(csp)) ==
			      1 &&
		      strstr(csp, "default-src 'self'") &&
		      strstr(csp, "frame-ancestors 'none'"),
	      "Content-Security-Policy: %s", csp);
	resp_free(r);
}

API_TEST(nothing_else_of_the_folder_and_nothing_outside_it_is_served)
{
	static const char *const refused[] = {
		"/console/notes.txt",	  /* a type it does not serve */
		"/console/package.json",  /* nor this */
		"/console/.hidden.js",	  /* a hidden file */
		"/console/folder.js",	  /* a folder */
		"/console/missing.js",	  /* no such file */
		"/console/%2e%2e",	  /* the folder above */
		"/console/%2e%2e%2fREADME.md", /* the same, encoded */
		"/console/..%2f..%2fetc%2fpasswd.js",
		"/console/vendor/uPlot.iife.js", /* not listed */
		"/console/vendor/..%2fapp.js",
		"/console/node_modules/uplot",
		"/index.html",
	};

	const char *base = strrchr(outside, '/') + 1;
	struct resp *r;

	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		r = http_get(NULL, "%s", refused[i]);

		check(r->status == 404, "%s answered %ld: %s", refused[i],
		      r->status, r->body);
		check(!strstr(r->body, "served") && !strstr(r->body, "root:"),
		      "%s served a file: %s", refused[i], r->body);
		resp_free(r);
	}
	r = http_get(NULL, "/console/..%%2f%s", base);
	check(r->status == 404 && !strstr(r->body, "served from"),
	      "the file beside the folder answered %ld: %s", r->status,
	      r->body);
	resp_free(r);
	r = http_get(NULL, "/console/vendor/..%%2f..%%2f..%%2f..%%2f%s", base);
	check(r->status == 404 && !strstr(r->body, "served from"),
	      "the file beside the folder answered %ld: %s", r->status,
	      r->body);
	resp_free(r);
}

API_TEST(a_file_over_the_limit_is_refused_not_read)
{
	struct resp *r = http_get(NULL, "/console/big.js");

	assert_error(r, 500, "internal_error", NULL);
	check(strstr(jstr(r->json, "error.message"), "2097152 bytes") != NULL,
	      "the message names the limit: %s", r->body);
	resp_free(r);
}

API_TEST(the_console_takes_no_query_and_only_get)
{
	struct resp *r = http_get(NULL, "/?tenant=acme");

	assert_error(r, 400, "invalid_request", "tenant");
	resp_free(r);
	r = http("POST", "/console/app.js", NULL, "{}", 2, NULL);
	assert_status(r, 405);
	resp_free(r);
}

API_TEST(a_missing_page_says_the_console_is_not_there)
{
	char path[256], moved[256];
	struct resp *r;

	snprintf(path, sizeof(path), "%s/index.html", web_dir);
	snprintf(moved, sizeof(moved), "%s/index.moved", web_dir);
	assert_int_equal(rename(path, moved), 0);
	r = http_get(NULL, "/");
	assert_error(r, 404, "not_found", NULL);
	check(strstr(jstr(r->json, "error.message"), "index.html") != NULL,
	      "the message names the file: %s", r->body);
	resp_free(r);
	assert_int_equal(rename(moved, path), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_page_and_its_files_are_served_with_their_types),
		cmocka_unit_test(nothing_else_of_the_folder_and_nothing_outside_it_is_served),
		cmocka_unit_test(a_file_over_the_limit_is_refused_not_read),
		cmocka_unit_test(the_console_takes_no_query_and_only_get),
		cmocka_unit_test(a_missing_page_says_the_console_is_not_there),
	};

	return harness_run_group(tests, group_setup, group_teardown);
}
