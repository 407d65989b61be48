/*
 * harness.h - black-box API test harness: a real ordo server on a free port,
 * driven over HTTP with libcurl.
 *
 * Servers are started with ORDO_WEBHOOK_ALLOW=127.0.0.0/8,::1/128 in their
 * environment, so webhooks may go to receivers on this host; a group that
 * wants the default (loopback refused) passes --webhook-allow with another
 * range through harness_set_serve_args (the flag wins).
 *
 * One server per test group. harness_group_setup() makes a private temporary
 * directory, creates two tenants there with the CLI ("acme" and "globex"),
 * starts `ordo serve` on a free port, waits for /healthz and seeds both
 * tenants with the catalog in data/catalog.json. harness_group_teardown()
 * stops the server and removes the directory; it fails the group when the
 * server did not exit cleanly (e.g. a sanitizer report), and prints the
 * server's log in that case.
 *
 * Tests are declared with API_TEST(name) so the harness knows whether each
 * test ran to its end; after a test that failed, the server log written
 * during that test is printed.
 *
 * The seeded stock (data/catalog.json) is far more than all tests order, so
 * allocation never runs short and raises no stock holds.
 *
 * Ownership: every `struct resp *` returned is the caller's, freed with
 * resp_free(). json_t values passed to helpers are borrowed unless the
 * helper says it steals them. Helpers assert (cmocka) on harness failures,
 * so tests never check their return values for errors.
 */
#ifndef ORDO_TESTS_API_HARNESS_H
#define ORDO_TESTS_API_HARNESS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include <cmocka.h>
#include <jansson.h>

#define HARNESS_KEY_MAX 256
#define HARNESS_PATH_MAX 512

struct ordo_server {
	char dir[64];		/* private temp dir, removed at stop */
	char db_path[256];	/* file path, or PostgreSQL URL */
	char pg_db[64];		/* the PostgreSQL database made for it */
	char log_path[128];	/* server stdout + stderr */
	char base_url[64];	/* http://127.0.0.1:PORT */
	int port;
	pid_t pid;
	char key_acme[HARNESS_KEY_MAX];	  /* admin key of tenant "acme" */
	char key_globex[HARNESS_KEY_MAX]; /* admin key of tenant "globex" */
};

/* Another `ordo serve` on the group's database: a second node. */
struct ordo_node {
	pid_t pid;
	int port;
	char base_url[64];
	char log_path[160];
};

/* Start a node on db (NULL: srv's database) and wait until it is healthy;
 * 0 or -1. */
int harness_node_start(struct ordo_node *n, const char *db);
/* SIGTERM and wait; returns its exit status (non-zero: it failed, e.g. a
 * sanitizer report). */
int harness_node_stop(struct ordo_node *n);

/*
 * A crash of the group's server (tests/crash): harness_server_kill sends it
 * SIGKILL - no clean shutdown, no sanitizer report - and reaps it;
 * harness_server_restart starts `ordo serve` again on the same database
 * (same arguments, the log appended to), waits until it is healthy and
 * updates srv's pid, port and base_url (the port may change). 0 or -1.
 */
void harness_server_kill(void);
int harness_server_restart(void);

/* The server of the running group (NULL outside a group). */
extern struct ordo_server *srv;

/* Group fixtures: start/stop a server with two seeded tenants. */
int harness_group_setup(void **state);
int harness_group_teardown(void **state);

/*
 * Run a group of tests as cmocka_run_group_tests(_name) does, returning how
 * many failed, with a failed group teardown counted as one: cmocka 1.1
 * prints it but leaves it out of what it returns, and the teardowns check
 * what the whole group did (the server's exit, every log line).
 */
int harness_run_tests(const char *name, const struct CMUnitTest *tests,
		      size_t n, CMFixtureFunction setup,
		      CMFixtureFunction teardown);
#define harness_run_group_name(name, tests, setup, teardown)                   \
	harness_run_tests(name, tests, sizeof(tests) / sizeof((tests)[0]),     \
			  setup, teardown)
#define harness_run_group(tests, setup, teardown)                              \
	harness_run_group_name(#tests, tests, setup, teardown)

/*
 * Extra arguments for `ordo serve` (e.g. "--webhook-timeout-ms", "500"),
 * used by every later harness_group_setup. args is a NULL-terminated list
 * that must outlive the group; NULL: none.
 */
void harness_set_serve_args(const char *const *args);

/*
 * The group's servers run on a clock the test moves (`ordo serve
 * --clock-file`): harness_clock_advance(s) puts every server of the group
 * s seconds ahead at once - a lease runs out, a retry falls due, a window
 * passes - so no test waits in real time for one. harness_clock_now() is
 * the servers' time (UTC seconds).
 */
void harness_clock_advance(long seconds);
/* Hold the servers' clock still at its time, for a test that counts whole
 * seconds (advance still moves it); and let it run on from there. */
void harness_clock_stop(void);
void harness_clock_run(void);
long long harness_clock_now(void);
/* Monotonic milliseconds on the servers' clock: for spans between events
 * the servers time (a retry's backoff), moved on with the clock. */
long harness_clock_ms(void);

/* Monotonic milliseconds, and a sleep that survives signals. */
long harness_now_ms(void);
void harness_sleep_ms(long ms);
/* How many times slower than usual the ordo under test runs (ORDO_TEST_SLOW:
 * Valgrind's); a test's own deadlines for the server multiply by it. */
long harness_slow(void);

/* Print the server log (from byte offset `from`) to stderr. */
void harness_dump_log(const struct ordo_server *s, long from);
/* The server log so far (stdout and stderr), malloc'd; caller frees. */
char *harness_log_text(const struct ordo_server *s);

/*
 * API_TEST(name) { body } defines a cmocka test whose failure makes the
 * harness print the server log written while it ran.
 */
void harness_test_begin(const char *name);
void harness_test_end(void);
#define API_TEST(name)                                                         \
	static void name##_body(void **state);                                 \
	static void name(void **state)                                         \
	{                                                                      \
		harness_test_begin(#name);                                     \
		name##_body(state);                                            \
		harness_test_end();                                            \
	}                                                                      \
	static void name##_body(void **state __attribute__((unused)))

/* ---- CLI ---------------------------------------------------------------- */

struct cli_result {
	int exit_status;	/* exit code, or 128 + signal */
	char *out;		/* captured stdout, NUL-terminated */
	char *err;		/* captured stderr, NUL-terminated */
};

/*
 * Run ORDO_BIN with args (NULL-terminated, not including the program name),
 * capturing stdout and stderr. Killed after 60 s. Free with cli_result_free().
 */
void cli_run(struct cli_result *r, const char *const *args);
/* cli_run with input (NULL: none, /dev/null) as its standard input. */
void cli_run_input(struct cli_result *r, const char *const *args,
		   const char *input);
void cli_result_free(struct cli_result *r);
/* The last non-empty line of s, trimmed, copied into out. 0 or -1. */
int last_line(const char *s, char *out, size_t out_size);

/* ---- HTTP --------------------------------------------------------------- */

struct resp {
	long status;		/* 0 when the request failed at transport level */
	char *body;		/* NUL-terminated, never NULL */
	size_t body_len;
	json_t *json;		/* parsed body, or NULL if not JSON */
	char *headers;		/* raw header block of the final response */
	char request[HARNESS_PATH_MAX + 16]; /* "METHOD path", for messages */
};

/*
 * Send a request to the group's server. key may be NULL (no Authorization
 * header). body may be NULL (no body). headers is a NULL-terminated list of
 * "Name: value" lines or NULL; unless it sets Content-Type, a request with a
 * body is sent as application/json. To send any other Authorization header,
 * pass key NULL and put the header in `headers`.
 */
struct resp *http(const char *method, const char *path, const char *key,
		  const char *body, size_t body_len,
		  const char *const *headers);
/* Same, against an explicit base URL; usable from several threads at once. */
struct resp *http_at(const char *base_url, const char *method,
		     const char *path, const char *key, const char *body,
		     size_t body_len, const char *const *headers);
struct resp *http_get(const char *key, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Send body as compact JSON. */
struct resp *http_json(const char *method, const char *path, const char *key,
		       const json_t *body, const char *const *headers);
void resp_free(struct resp *r);

/* Copy the value of response header `name` (case-insensitive); 1 if found. */
int resp_header(const struct resp *r, const char *name, char *out,
		size_t out_size);

/* Parse JSON text, failing the test if it does not parse. New reference. */
json_t *jparse(const char *text);
/* Load a fixture from tests/api/data. New reference. */
json_t *fixture(const char *name);

/*
 * Set the value at a path like "customer.email" or "lines[1].quantity".
 * Steals `value`; NULL deletes the member (or array element). Intermediate
 * objects must exist.
 */
void jset(json_t *root, const char *path, json_t *value);
/* Get the value at a path; borrowed, NULL if absent. */
json_t *jget(const json_t *root, const char *path);
/* String at path, or NULL. */
const char *jstr(const json_t *root, const char *path);

/* ---- assertions ---------------------------------------------------------- */

#define assert_status(r, st) harness_assert_status((r), (st), __FILE__, __LINE__)
void harness_assert_status(const struct resp *r, long status, const char *file,
			   int line);

/*
 * The body is {"error": {"code", "message", "details": [{"field",
 * "message"}]}}, the status is `status`, the code is `code` (NULL: any) and
 * some detail names `field` (NULL: not checked).
 */
#define assert_error(r, st, code, field)                                       \
	harness_assert_error((r), (st), (code), (field), __FILE__, __LINE__)
void harness_assert_error(const struct resp *r, long status, const char *code,
			  const char *field, const char *file, int line);
/* r carries the headers of every answer (Content-Security-Policy with
 * frame-ancestors 'none', nosniff, DENY, no-referrer, no-store) and no
 * Server banner. */
#define assert_secure_headers(r)                                               \
	harness_assert_secure_headers((r), __FILE__, __LINE__)
void harness_assert_secure_headers(const struct resp *r, const char *file,
				   int line);
/* Number of error details in r naming field exactly. */
size_t error_details_naming(const struct resp *r, const char *field);

/* Fail the test at file:line with a formatted message. */
#define check(cond, ...)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			print_error("check failed: %s\n", #cond);              \
			print_error(__VA_ARGS__);                              \
			print_error("\n");                                     \
			_fail(__FILE__, __LINE__);                             \
		}                                                              \
	} while (0)

/* NULL-safe string equality. */
static inline int streq(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

/* True if s is an RFC 3339 date-time ("2026-11-27T10:15:00Z", offsets ok). */
int is_rfc3339(const char *s);
/* Format t (UTC) as RFC 3339 into out. */
void rfc3339(time_t t, char *out, size_t out_size);

/* ---- catalog ------------------------------------------------------------ */

/* Create or replace a SKU; asserts 200/201. */
void make_sku(const char *key, const char *sku, const char *title,
	      const char *unit_price, int active);
/* Create or replace a location in the US; asserts 200/201. */
void make_location(const char *key, const char *code, const char *name,
		   const char *country, const char *region);
/* Set on-hand stock; asserts 200. */
void set_stock(const char *key, const char *location, const char *sku,
	       long on_hand);
/* Create everything in data/catalog.json for the tenant of key. */
void seed_catalog(const char *key);

/*
 * Every element of a paged list, following next_cursor: GET path (which may
 * already carry a query string) with limit=page, collecting `array_name`.
 * New reference. Asserts that each page is 200 and that paging ends.
 */
json_t *list_all(const char *key, const char *path, const char *array_name,
		 int page);

/* ---- orders ------------------------------------------------------------- */

/*
 * A clean US order: every SKU in the seeded catalog at its price, totals that
 * add up, a full address and an email. Content (customer email, ship_to
 * line2, first line's quantity) is unique per call so that orders built
 * separately are never duplicate suspects of each other. New reference.
 */
json_t *order_new(const char *external_id);
/* Recompute totals.subtotal and totals.total from lines and shipping. */
void order_fix_totals(json_t *order);
/* POST /v1/orders; idempotency_key may be NULL. */
struct resp *order_post(const char *key, const json_t *order,
			const char *idempotency_key);
/* POST and assert 201; returns the new order's id (malloc'd, caller frees). */
char *order_create(const char *key, const json_t *order);
/* Orders matching a query string ("" or "state=accepted&..."), all pages. */
size_t orders_count(const char *key, const char *query);

/*
 * True for the states a clean order may be in right after intake: issue 2
 * ends intake at "accepted"; once allocation and release run on their own
 * (issue 3) a clean order with stock moves on to "allocated" or "released"
 * before the response is written. Never "on_hold".
 */
int state_is_clean(const char *state);

/* Holds of an order object (open ones) of a type; 0 when type is NULL: all. */
size_t open_holds(const json_t *order, const char *type);
/* The first open hold of type, or NULL. Borrowed. */
json_t *find_hold(const json_t *order, const char *type);
/*
 * Assert the order is on hold with exactly one open hold, of `type`, naming
 * `field` (NULL: not checked), with a non-empty message and an id.
 */
#define assert_single_hold(order, type, field)                                 \
	harness_assert_single_hold((order), (type), (field), __FILE__, __LINE__)
void harness_assert_single_hold(const json_t *order, const char *type,
				const char *field, const char *file, int line);

/* ---- stock, allocation, fulfillment (issue 3) ----------------------------- */

/*
 * A clean order (see order_new) whose only line is quantity x sku at
 * unit_price; order_add_line appends another line. Totals are fixed up.
 */
json_t *order_one_line(const char *external_id, const char *sku, long quantity,
		       const char *unit_price);
void order_add_line(json_t *order, const char *sku, long quantity,
		    const char *unit_price);

/*
 * Every line of order satisfies quantity = open + allocated + released +
 * shipped + cancelled, all of them integers >= 0.
 */
#define assert_line_identity(order)                                            \
	harness_assert_line_identity((order), __FILE__, __LINE__)
void harness_assert_line_identity(const json_t *order, const char *file,
				  int line);

/* GET /v1/orders/{id}: asserts 200 and the line identity. New reference. */
json_t *order_fetch(const char *key, const char *id);
/*
 * Poll order_fetch every 100 ms until pred(order, arg) holds or timeout_ms
 * passes; returns the last order read (new reference), which the caller
 * checks.
 */
json_t *order_wait(const char *key, const char *id,
		   int (*pred)(const json_t *order, const void *arg),
		   const void *arg, long timeout_ms);
/* order_wait for state == arg (a string). */
int order_in_state(const json_t *order, const void *state);
json_t *order_wait_state(const char *key, const char *id, const char *state,
			 long timeout_ms);
/* Sum of a line field ("open", "allocated", ...) over lines; of one sku if sku. */
long order_units(const json_t *order, const char *field, const char *sku);
/*
 * The order's first fulfillment at location whose state is `state` (NULL:
 * any state). Borrowed, NULL if none.
 */
json_t *order_fulfillment(const json_t *order, const char *location,
			  const char *state);

/*
 * Create or replace a location (US, region OH) with a priority and a
 * `serves` list given as JSON text ("[\"US-CA\"]"; NULL: absent). Asserts
 * 200/201.
 */
void make_location_serving(const char *key, const char *code, int priority,
			   const char *serves_json);
/* GET /v1/stock?sku=: asserts 200. New reference. */
json_t *stock_get(const char *key, const char *sku);
/* The entry of location in a stock answer, borrowed; NULL if absent. */
json_t *stock_at(const json_t *stock, const char *location);
/* A stock figure ("on_hand", "reserved", ...) of location, -1 if absent. */
long stock_figure(const char *key, const char *sku, const char *location,
		  const char *figure);
/* POST .../stock/{sku}/adjustments {"delta", "reason"}; asserts 200. */
void stock_adjust(const char *key, const char *location, const char *sku,
		  long delta, const char *reason);

/* PATCH /v1/settings with JSON text; asserts 200. */
void settings_patch(const char *key, const char *json_text);
/*
 * cmocka teardown: every setting of both tenants back to its default.
 * Use as cmocka_unit_test_teardown(test, settings_reset).
 */
int settings_reset(void **state);

/* ---- review queue, policy, defects (issue 5) ------------------------------ */

/*
 * `ordo key create SLUG --role ROLE --name NAME --db <the group's db>`;
 * the key (the last line of stdout) into out. Asserts exit 0. The key's
 * actor in events and holds is "key:NAME".
 */
void key_create(const char *slug, const char *role, const char *name,
		char *out, size_t out_size);
/* The same with --location LOCATION (NULL: none): an integration key
 * that answers as that warehouse. */
void key_create_at(const char *slug, const char *role, const char *name,
		   const char *location, char *out, size_t out_size);

/* Parse an RFC 3339 UTC time ("...Z", fractional seconds dropped); -1 if
 * it is not one. */
time_t rfc3339_parse(const char *s);

/*
 * POST /v1/holds/{id}/{what} (claim, release, assign, resolve) with body as
 * JSON text; NULL sends no body.
 */
struct resp *hold_post(const char *key, const char *hold_id, const char *what,
		       const char *body);
/*
 * POST /v1/holds/{id}/resolve {"action", "reason", "changes"}; reason NULL
 * leaves it out, changes_json NULL leaves "changes" out.
 */
struct resp *hold_resolve(const char *key, const char *hold_id,
			  const char *action, const char *reason,
			  const char *changes_json);
/* Every item of GET /v1/queue?query (all pages). New reference. */
json_t *queue_items(const char *key, const char *query);
/* The queue item whose hold has id hold_id; borrowed, NULL if absent. */
json_t *queue_find(const json_t *items, const char *hold_id);
/* The hold with id hold_id in an order object (open or not); borrowed. */
json_t *order_hold_by_id(const json_t *order, const char *hold_id);
/* GET /v1/orders/{id}/events: the events array. New reference. */
json_t *order_events(const char *key, const char *id);
/* The first event of type whose hold_id is hold_id (NULL: any); borrowed. */
json_t *event_find(const json_t *events, const char *type,
		   const char *hold_id);
/* Copy the id of the order's first open hold of type into out; fails the
 * test (printing the order) if there is none. */
void hold_id_of(const json_t *order, const char *type, char *out,
		size_t out_size);
/* A detail of the error in r names a field starting with prefix. */
int error_field_prefix(const struct resp *r, const char *prefix);
/* Print a response (request line, status, body) as a test failure note. */
void resp_print(const struct resp *r);

#endif
