/*
 * fuzz_query.c - a query string, as GET /v1/orders?... brings it: the
 * edge's check of each name and value (edge_check_target), the names
 * against the list the operation reads (jf_unknown, its closest-name
 * hint), and every value through each reader a handler reads values
 * with: integers (api_int_text, as limit and cursors), a due-time cursor
 * (api_due_cursor_read), RFC 3339 times, order states, hold types and
 * payment statuses, the search text q (search_query_parse and its
 * tokens), and a sealed cursor (ordo_cursor_open).
 *
 * Checked: what the edge lets through is clean text once libmicrohttpd
 * has unescaped it; each reader takes a value only in the one way ordo
 * writes it (an integer, a cursor, a name read back are the text they
 * came from; a time formats and parses back to itself); a parsed search
 * is one search_query_valid accepts; a value sealed as a cursor opens
 * again for its tenant and list alone.
 */
#include "fuzz.h"

#include <inttypes.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "api/api_int.h"
#include "channels/json_fields.h"
#include "core/cursor.h"
#include "core/search.h"
#include "core/timeutil.h"

/* GET /v1/orders's parameters (api/orders.c). */
static const char *const list_query[] = {
	"limit",       "cursor",	"state",       "hold_type", "channel",
	"external_id", "received_from", "received_to", "q",	    NULL,
};

static const unsigned char key[ORDO_CURSOR_KEY_BYTES] = "fuzz-cursor-key";

static void int_check(const char *v, size_t n, int64_t min, int64_t max)
{
	char text[32];
	int64_t x;

	if (!api_int_text(v, n, min, max, &x))
		return;
	FUZZ_CHECK(x >= min && x <= max);
	snprintf(text, sizeof(text), "%" PRId64, x);
	FUZZ_CHECK(strlen(text) == n && memcmp(text, v, n) == 0);
}

static void cursor_check(const char *v)
{
	char sealed[ORDO_CURSOR_TEXT_MAX], inner[ORDO_CURSOR_INNER_MAX];
	int64_t due, seq;
	json_t *j;

	if (api_due_cursor_read(v, &due, &seq)) {
		j = api_due_cursor_json(true, due, seq);
		FUZZ_CHECK(j && strcmp(json_string_value(j), v) == 0);
		json_decref(j);
	}
	(void)ordo_cursor_open(key, 7, "/v1/orders", v, inner);
	if (strlen(v) >= ORDO_CURSOR_INNER_MAX)
		return;
	FUZZ_CHECK(ordo_cursor_seal(key, 7, "/v1/orders", v, sealed) == 0);
	FUZZ_CHECK(ordo_cursor_open(key, 7, "/v1/orders", sealed, inner) ==
		   0);
	FUZZ_CHECK(strcmp(inner, v) == 0);
	FUZZ_CHECK(ordo_cursor_open(key, 8, "/v1/orders", sealed, inner) != 0);
	FUZZ_CHECK(ordo_cursor_open(key, 7, "/v1/holds", sealed, inner) != 0);
}

static void search_check(const char *v)
{
	ordo_err err = ORDO_ERR_INIT;
	search_query q;
	char buf[4096];
	size_t i;

	if (search_query_parse(v, "q", &q, &err) == ORDO_OK) {
		FUZZ_CHECK(search_query_valid(&q));
		FUZZ_CHECK(search_match_text(&q, 7, buf, sizeof(buf)) <
			   (int)sizeof(buf));
		for (i = 0; i < q.n_terms; i++)
			FUZZ_CHECK(search_term_token(&q, i, 7, buf,
						     sizeof(buf)) <
				   (int)sizeof(buf));
		FUZZ_CHECK(search_exact_token(&q, 7, buf, sizeof(buf)) <
			   (int)sizeof(buf));
	}
	ordo_err_clear(&err);
}

static void value_check(const char *v, size_t n)
{
	char text[32];
	int64_t t, again;
	order_state st;
	hold_type ht;
	payment_status ps;

	int_check(v, n, 1, ORDO_PAGE_MAX);
	int_check(v, n, 1, INT64_MAX);
	int_check(v, n, INT64_MIN, INT64_MAX);
	cursor_check(v);
	if (time_parse_rfc3339(v, &t) == 0) {
		time_format_rfc3339(t, text, sizeof(text));
		FUZZ_CHECK(time_parse_rfc3339(text, &again) == 0 && again == t);
	}
	if (order_state_parse(v, &st) == 0)
		FUZZ_CHECK(strcmp(order_state_name(st), v) == 0);
	if (hold_type_parse(v, &ht) == 0)
		FUZZ_CHECK(strcmp(hold_type_name(ht), v) == 0);
	if (payment_status_parse(v, &ps) == 0)
		FUZZ_CHECK(strcmp(payment_status_name(ps), v) == 0);
	search_check(v);
}

static bool listed(const char *name)
{
	size_t i;

	for (i = 0; list_query[i]; i++)
		if (strcmp(name, list_query[i]) == 0)
			return true;
	return false;
}

/* One name=value of the query, as libmicrohttpd splits and unescapes it
 * ('+' a space, then %-escapes). */
static void param_check(char *p)
{
	ordo_err err = ORDO_ERR_INIT;
	char *eq = strchr(p, '='), *s;
	size_t n;

	if (eq)
		*eq = '\0';
	for (s = p; *s; s++)
		if (*s == '+')
			*s = ' ';
	n = MHD_http_unescape(p);
	FUZZ_CHECK(strlen(p) == n && ordo_utf8_valid(p, n));
	if (!listed(p))
		jf_unknown(p, p, list_query, "query parameter", &err);
	ordo_err_clear(&err);
	if (!eq)
		return;
	for (s = eq + 1; *s; s++)
		if (*s == '+')
			*s = ' ';
	n = MHD_http_unescape(eq + 1);
	FUZZ_CHECK(strlen(eq + 1) == n && ordo_utf8_valid(eq + 1, n));
	value_check(eq + 1, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char prefix[] = "/v1/orders?";
	static int ready;
	api_request *r = calloc(1, sizeof(*r));
	char *query, *p, *amp;
	size_t n;

	if (!ready) {
		FUZZ_CHECK(sodium_init() >= 0);
		ready = 1;
	}
	FUZZ_CHECK(r);
	query = fuzz_text(data, size);
	n = strlen(query);
	r->raw_uri = malloc(sizeof(prefix) + n);
	FUZZ_CHECK(r->raw_uri);
	memcpy(r->raw_uri, prefix, sizeof(prefix) - 1);
	memcpy(r->raw_uri + sizeof(prefix) - 1, query, n + 1);
	edge_check_target(r);
	if (r->refusal)
		goto out;
	for (p = query; p && *p; p = amp) {
		amp = strchr(p, '&');
		if (amp)
			*amp++ = '\0';
		if (*p)
			param_check(p);
	}
out:
	ordo_err_clear(&r->refusal_err);
	free(r->raw_uri);
	free(r);
	free(query);
	return 0;
}
