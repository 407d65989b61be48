/*
 * console.c - the operations console's files: web/index.html at /, the
 * other files of web/ at /console/NAME, and the charting library npm put
 * in web/node_modules at /console/vendor/NAME.
 *
 * The files are read from the folder `ordo serve --web` names (by default
 * the web/ of the checkout ordo was built from) each time they are asked
 * for: they are few and small, and a page is loaded once a working day.
 * Only names of one path segment, of letters, digits, '-', '_' and '.',
 * not starting with '.', with a type listed below, are served: nothing
 * outside the folder can be named. The console is plain ES modules that
 * call the API like any client, with the person's session; every answer
 * carries the headers of every answer (server.c: run only what ordo
 * serves, never framed, never cached).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "api/api_int.h"
#include "core/limits.h"

static const char *const no_query[] = {NULL};

/* The types served, by the name's ending. */
static const struct {
	const char *ext;
	const char *type;
} types[] = {
	{".html", "text/html; charset=utf-8"},
	{".js", "text/javascript; charset=utf-8"},
	{".css", "text/css; charset=utf-8"},
	{".svg", "image/svg+xml"},
	{".png", "image/png"},
	{".ico", "image/x-icon"},
};

/* The files of the charting library, as npm lays them out. */
static const struct {
	const char *name;
	const char *path; /* under the web folder */
} vendor[] = {
	{"uPlot.esm.js", "node_modules/uplot/dist/uPlot.esm.js"},
	{"uPlot.min.css", "node_modules/uplot/dist/uPlot.min.css"},
};

/* The type of a name that may be served, or NULL. */
static const char *type_of(const char *name)
{
	size_t len = strlen(name), i;

	if (len == 0 || len > 64 || name[0] == '.')
		return NULL;
	if (strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789-_.") != len)
		return NULL;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		size_t n = strlen(types[i].ext);

		if (len > n && strcmp(name + len - n, types[i].ext) == 0)
			return types[i].type;
	}
	return NULL;
}

static enum MHD_Result not_found(api_request *r, const char *what)
{
	return api_reply_fail(r, ORDO_ENOTFOUND, NULL,
			      "the console has no %s", what);
}

/* Answer with the file at web_dir/rel, of type. */
static enum MHD_Result send_file(api_request *r, const char *rel,
				 const char *type)
{
	const char *dir = r->srv->web_dir;
	char path[API_WEB_DIR_MAX + 80];
	struct stat sb;
	FILE *f;
	char *data;
	size_t got;

	if (!dir[0])
		return api_reply_fail(r, ORDO_ENOTFOUND, NULL,
				      "this node serves no console (ordo "
				      "serve --web DIR)");
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, rel) >=
	    sizeof(path))
		return not_found(r, rel);
	f = fopen(path, "rb");
	if (!f)
		return errno == ENOENT ? not_found(r, rel)
				       : api_reply_fail(r, ORDO_EINTERNAL, NULL,
							"%s cannot be read: %s",
							rel, strerror(errno));
	if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    sb.st_size > ORDO_CONSOLE_FILE_MAX) {
		fclose(f);
		return S_ISDIR(sb.st_mode)
			       ? not_found(r, rel)
			       : api_reply_fail(r, ORDO_EINTERNAL, NULL,
						"%s is not a file of at most "
						"%d bytes",
						rel, ORDO_CONSOLE_FILE_MAX);
	}
	data = malloc((size_t)sb.st_size + 1);
	if (!data) {
		fclose(f);
		return api_reply_nomem(r);
	}
	got = fread(data, 1, (size_t)sb.st_size, f);
	fclose(f);
	if (got != (size_t)sb.st_size) {
		free(data);
		return api_reply_fail(r, ORDO_EINTERNAL, NULL,
				      "%s changed while it was read", rel);
	}
	return api_queue_file(r, data, got, type);
}

enum MHD_Result api_console_index(api_request *r)
{
	enum MHD_Result ret;

	if (!api_query_only(r, no_query, &ret))
		return ret;
	return send_file(r, "index.html", "text/html; charset=utf-8");
}

enum MHD_Result api_console_file(api_request *r)
{
	const char *name = r->params[0];
	const char *type = type_of(name);
	enum MHD_Result ret;

	if (!api_query_only(r, no_query, &ret))
		return ret;
	if (!type)
		return not_found(r, "such file");
	return send_file(r, name, type);
}

enum MHD_Result api_console_vendor(api_request *r)
{
	enum MHD_Result ret;
	size_t i;

	if (!api_query_only(r, no_query, &ret))
		return ret;
	for (i = 0; i < sizeof(vendor) / sizeof(vendor[0]); i++)
		if (strcmp(r->params[0], vendor[i].name) == 0)
			return send_file(r, vendor[i].path,
					 type_of(vendor[i].name));
	return not_found(r, "such file");
}
