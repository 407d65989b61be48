/*
 * test_io_faults.c - the disk under the database fills up or fails: every
 * write is answered 503 unavailable with Retry-After and a message that
 * says so, never 201; nothing of a refused write is stored; reads go on
 * answering from what was committed; the server stays up, and takes
 * writes again by itself once the disk does.
 *
 * A second `ordo serve` runs on the group's database with
 * ORDO_TEST_IO_FAULTS naming a control file (for tests only; see
 * src/store/sqlite_faults.c): while the file says "full" each write of
 * SQLite's fails as on a disk with no space left, "eio" as on a disk that
 * fails writes, "fsync" as on one that fails to flush them - the
 * database's own files (so a write fails at its COMMIT), and with "temp"
 * SQLite's temporary files too (so it fails in its statements, where a
 * savepoint's journal spills to one); "after=N" lets N calls through
 * first (a fault in the middle of a commit) and "delay_ms=N" makes each
 * flush that slow (writes queue up behind it into one batch). The group's
 * own server has no faults. The fault is a SQLite VFS, so this test runs
 * on SQLite only (tests/CMakeLists.txt).
 */
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "harness.h"

#define BATCH_WRITERS 6

static struct ordo_node node;
static char control[HARNESS_PATH_MAX];

/* The control file's text, replaced at once (a rename): the server never
 * reads half of it. */
static void faults_set(const char *text)
{
	char tmp[HARNESS_PATH_MAX + 8];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.new", control);
	f = fopen(tmp, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(rename(tmp, control), 0);
}

static int group_setup(void **state)
{
	int rc = harness_group_setup(state);

	if (rc)
		return rc;
	snprintf(control, sizeof(control), "%s/io-faults", srv->dir);
	faults_set("");
	setenv("ORDO_TEST_IO_FAULTS", control, 1);
	rc = harness_node_start(&node, NULL);
	unsetenv("ORDO_TEST_IO_FAULTS");
	return rc;
}

static int group_teardown(void **state)
{
	/* 0 only when the node exited cleanly: no crash and no sanitizer
	 * report on the paths of the faults. */
	int node_rc = harness_node_stop(&node);
	int rc = harness_group_teardown(state);

	if (node_rc)
		fprintf(stderr, "the I/O fault node exited with %d\n", node_rc);
	return rc ? rc : node_rc;
}

/* After each test, whatever happened: the disk mended. */
static int faults_clear(void **state)
{
	(void)state;
	faults_set("");
	return 0;
}

/* ---- helpers -------------------------------------------------------------- */

struct posted {
	long status;
	char code[64];
	char message[512];
	bool retry_after;
};

/* POST the order to the fault node. */
static void post_order(const json_t *order, struct posted *p)
{
	char *body = json_dumps(order, JSON_COMPACT);
	struct resp *r = http_at(node.base_url, "POST", "/v1/orders",
				 srv->key_acme, body, strlen(body), NULL);
	char after[32];
	const char *s;

	memset(p, 0, sizeof(*p));
	p->status = r->status;
	if ((s = jstr(r->json, "error.code")))
		snprintf(p->code, sizeof(p->code), "%s", s);
	if ((s = jstr(r->json, "error.message")))
		snprintf(p->message, sizeof(p->message), "%s", s);
	p->retry_after = resp_header(r, "Retry-After", after, sizeof(after)) &&
			 after[0];
	if (r->status != 201 && r->status != 503)
		resp_print(r);
	resp_free(r);
	free(body);
}

/* Orders of the tenant with this external id, as the fault node reads
 * them. */
static long node_count(const char *external_id)
{
	char path[HARNESS_PATH_MAX];
	struct resp *r;
	long n;

	snprintf(path, sizeof(path), "/v1/orders?external_id=%s",
		 external_id);
	r = http_at(node.base_url, "GET", path, srv->key_acme, NULL, 0, NULL);
	check(r->status == 200, "GET %s answered %ld while the disk was at "
	      "fault: reads must go on", path, r->status);
	n = (long)json_array_size(json_object_get(r->json, "orders"));
	resp_free(r);
	return n;
}

/* A figure of the fault node's /metrics; -1 if absent. */
static long long node_metric(const char *name)
{
	struct resp *r = http_at(node.base_url, "GET", "/metrics", NULL, NULL,
				 0, NULL);
	size_t len = strlen(name);
	const char *line = r->body;
	long long v = -1;

	while (line && *line) {
		if (strncmp(line, name, len) == 0 && line[len] == ' ') {
			v = strtoll(line + len + 1, NULL, 10);
			break;
		}
		line = strchr(line, '\n');
		line = line ? line + 1 : NULL;
	}
	resp_free(r);
	return v;
}

/* The node is the process it was, still running: no crash, no restart. */
static void assert_node_up(pid_t pid)
{
	int status;
	struct resp *r;

	check(node.pid == pid, "the node's pid changed");
	check(waitpid(pid, &status, WNOHANG) == 0 && kill(pid, 0) == 0,
	      "the node (pid %ld) is no longer running", (long)pid);
	r = http_at(node.base_url, "GET", "/healthz", NULL, NULL, 0, NULL);
	check(r->status == 200, "/healthz answered %ld", r->status);
	resp_free(r);
}

/* PRAGMA integrity_check of the database, from outside the server. */
static void assert_database_intact(void)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	const unsigned char *v = NULL;

	check(sqlite3_open_v2(srv->db_path, &db, SQLITE_OPEN_READWRITE,
			      NULL) == SQLITE_OK,
	      "open %s", srv->db_path);
	sqlite3_busy_timeout(db, 5000);
	check(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s,
				 NULL) == SQLITE_OK,
	      "integrity_check: %s", sqlite3_errmsg(db));
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_text(s, 0);
	check(v && strcmp((const char *)v, "ok") == 0,
	      "integrity_check answered \"%s\"", v ? (const char *)v : "");
	sqlite3_finalize(s);
	sqlite3_close(db);
}

/* Lines of the node's log with msg. */
static int node_logged(const char *msg)
{
	char want[128], line[4096];
	FILE *f = fopen(node.log_path, "r");
	int n = 0;

	snprintf(want, sizeof(want), "\"msg\":\"%s\"", msg);
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, want) != NULL;
	fclose(f);
	return n;
}

static void assert_refused(const struct posted *p, const char *ext,
			   const char *says)
{
	check(p->status == 503, "%s was answered %ld (%s), not 503 while "
	      "the disk was at fault", ext, p->status, p->message);
	check(strcmp(p->code, "unavailable") == 0, "%s: code \"%s\"", ext,
	      p->code);
	check(strstr(p->message, says) != NULL,
	      "%s: the message \"%s\" does not say \"%s\"", ext, p->message,
	      says);
	check(p->retry_after, "%s: a 503 without Retry-After", ext);
}

/*
 * The one shape of every fault: an order stored before it, three refused
 * while it lasts (each 503 saying so, none stored, reads answered), the
 * same three taken once it clears, each once; the node the same process
 * throughout and the database intact.
 */
static void refuse_then_resume(const char *fault, const char *prefix,
			       const char *says)
{
	pid_t pid = node.pid;
	int failed = node_logged("database_write_failed");
	int resumed = node_logged("database_writes_resumed");
	json_t *orders[3];
	char ext[64], before[64];
	struct posted p;
	json_t *o;
	int i;

	snprintf(before, sizeof(before), "%s-BEFORE", prefix);
	o = order_new(before);
	post_order(o, &p);
	json_decref(o);
	check(p.status == 201, "an order before the fault: %ld %s", p.status,
	      p.message);

	faults_set(fault);
	for (i = 0; i < 3; i++) {
		snprintf(ext, sizeof(ext), "%s-%d", prefix, i);
		orders[i] = order_new(ext);
		post_order(orders[i], &p);
		assert_refused(&p, ext, says);
	}
	/* Reads answer from what was committed, while the fault lasts. */
	check(node_count(before) == 1, "the order stored before the fault "
	      "must still be read");
	for (i = 0; i < 3; i++) {
		snprintf(ext, sizeof(ext), "%s-%d", prefix, i);
		check(node_count(ext) == 0, "%s was refused and must not be "
		      "stored", ext);
	}
	assert_node_up(pid);
	/* Logged when it began, once, not once per write. */
	check(node_logged("database_write_failed") == failed + 1,
	      "the node's log must say database_write_failed once");

	/* The disk mended: the same orders are taken, with no restart. */
	faults_set("");
	for (i = 0; i < 3; i++) {
		snprintf(ext, sizeof(ext), "%s-%d", prefix, i);
		post_order(orders[i], &p);
		check(p.status == 201, "%s sent again once the disk was "
		      "mended: %ld %s", ext, p.status, p.message);
		check(node_count(ext) == 1, "%s must be stored once", ext);
		json_decref(orders[i]);
	}
	check(node_logged("database_writes_resumed") == resumed + 1,
	      "the node's log must say database_writes_resumed once");
	assert_node_up(pid);
	assert_database_intact();
}

/* ---- the faults ----------------------------------------------------------- */

API_TEST(a_full_disk_refuses_writes_with_503_until_space_returns)
{
	/* The COMMIT is the first to write the database's files. */
	refuse_then_resume("full", "IOF-FULL", "the database is full");
}

API_TEST(a_full_disk_refuses_writes_before_their_commit_too)
{
	/* The temporary files on the full disk too: a write's savepoint
	 * journal spills to one, and its statements fail before COMMIT. */
	refuse_then_resume("full temp", "IOF-TEMP", "the database is full");
}

API_TEST(a_disk_failing_writes_refuses_them_with_503_until_it_mends)
{
	refuse_then_resume("eio", "IOF-EIO", "the database could not be "
			   "written");
}

API_TEST(a_disk_failing_to_flush_refuses_writes_with_503_until_it_mends)
{
	refuse_then_resume("fsync", "IOF-FSYNC", "the database could not be "
			   "written");
}

API_TEST(a_fault_half_way_through_a_commit_leaves_nothing_of_it)
{
	/* The node fails the commit after two writes of it went through:
	 * the WAL holds part of the batch's frames. */
	pid_t pid = node.pid;
	json_t *o = order_new("IOF-MID-0");
	struct posted p;

	faults_set("eio after=2");
	post_order(o, &p);
	assert_refused(&p, "IOF-MID-0", "the database could not be written");
	check(node_count("IOF-MID-0") == 0, "the half-written order must "
	      "not be stored");
	faults_set("");
	post_order(o, &p);
	check(p.status == 201, "sent again: %ld %s", p.status, p.message);
	check(node_count("IOF-MID-0") == 1, "stored once");
	json_decref(o);
	assert_node_up(pid);
	assert_database_intact();
}

struct writer {
	pthread_t thread;
	json_t *order;
	char ext[32];
	struct posted p;
};

static void *writer_main(void *arg)
{
	struct writer *w = arg;

	post_order(w->order, &w->p);
	return NULL;
}

/* Wait until the node has n writes taken in and unanswered. */
static bool queued_reach(long long n, long ms)
{
	long deadline = harness_now_ms() + ms;

	while (harness_now_ms() < deadline) {
		if (node_metric("ordo_http_writes_queued") >= n)
			return true;
		harness_sleep_ms(20);
	}
	return false;
}

/*
 * The first order's commit flushes slowly; the others, sent while it
 * does, queue up behind it into the next batch, and the disk takes fault
 * for that batch: all of its writes are refused, none is stored, and the
 * batches after it are taken.
 */
static void batch_fault(const char *fault, const char *prefix,
			const char *says)
{
	pid_t pid = node.pid;
	struct writer first, w[BATCH_WRITERS];
	int i;

	faults_set("delay_ms=2500");
	memset(&first, 0, sizeof(first));
	snprintf(first.ext, sizeof(first.ext), "%s-FIRST", prefix);
	first.order = order_new(first.ext);
	assert_int_equal(pthread_create(&first.thread, NULL, writer_main,
					&first),
			 0);
	check(queued_reach(1, 5000), "the first order never reached the "
	      "committer");
	for (i = 0; i < BATCH_WRITERS; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		snprintf(w[i].ext, sizeof(w[i].ext), "%s-%d", prefix, i);
		w[i].order = order_new(w[i].ext);
	}
	for (i = 0; i < BATCH_WRITERS; i++)
		assert_int_equal(pthread_create(&w[i].thread, NULL,
						writer_main, &w[i]),
				 0);
	check(queued_reach(1 + BATCH_WRITERS, 2000),
	      "the writes did not queue up behind the slow commit");
	faults_set(fault);
	pthread_join(first.thread, NULL);
	for (i = 0; i < BATCH_WRITERS; i++)
		pthread_join(w[i].thread, NULL);

	/* They were one batch, and all of it was refused. */
	check(node_metric("ordo_store_commit_batch_max") >= BATCH_WRITERS,
	      "the writes were not taken as one batch (most: %lld)",
	      node_metric("ordo_store_commit_batch_max"));
	for (i = 0; i < BATCH_WRITERS; i++) {
		assert_refused(&w[i].p, w[i].ext, says);
		check(node_count(w[i].ext) == 0, "%s was refused and must "
		      "not be stored", w[i].ext);
	}
	/* The first one's commit was made before the fault, unless the
	 * log started over with it (then the fault met it too); either
	 * way its answer tells the truth. */
	check(first.p.status == 201 || first.p.status == 503,
	      "the first order: %ld", first.p.status);
	check(node_count(first.ext) == (first.p.status == 201 ? 1 : 0),
	      "the first order answered %ld is stored %ld times",
	      first.p.status, node_count(first.ext));

	/* The next batches are taken. */
	faults_set("");
	for (i = 0; i < BATCH_WRITERS; i++)
		assert_int_equal(pthread_create(&w[i].thread, NULL,
						writer_main, &w[i]),
				 0);
	for (i = 0; i < BATCH_WRITERS; i++) {
		pthread_join(w[i].thread, NULL);
		check(w[i].p.status == 201, "%s sent again: %ld %s", w[i].ext,
		      w[i].p.status, w[i].p.message);
		check(node_count(w[i].ext) == 1, "%s stored once", w[i].ext);
		json_decref(w[i].order);
	}
	json_decref(first.order);
	assert_node_up(pid);
	assert_database_intact();
}

API_TEST(a_fault_in_a_batch_of_concurrent_writes_fails_that_batch_only)
{
	/* Its COMMIT fails after two of its writes reached the WAL. */
	batch_fault("eio after=2", "IOF-BATCH", "the database could not be "
		    "written");
}

API_TEST(a_disk_failing_in_a_batchs_statements_fails_that_batch_only)
{
	/* Its first write's statements fail, and on an I/O error SQLite
	 * rolls the whole transaction back (on a full disk, only the
	 * statement): the batch's other writes are refused with it. */
	batch_fault("eio temp", "IOF-BATCHT", "the database could not be "
		    "written");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(
			a_full_disk_refuses_writes_with_503_until_space_returns,
			faults_clear),
		cmocka_unit_test_teardown(
			a_full_disk_refuses_writes_before_their_commit_too,
			faults_clear),
		cmocka_unit_test_teardown(
			a_disk_failing_writes_refuses_them_with_503_until_it_mends,
			faults_clear),
		cmocka_unit_test_teardown(
			a_disk_failing_to_flush_refuses_writes_with_503_until_it_mends,
			faults_clear),
		cmocka_unit_test_teardown(
			a_fault_half_way_through_a_commit_leaves_nothing_of_it,
			faults_clear),
		cmocka_unit_test_teardown(
			a_fault_in_a_batch_of_concurrent_writes_fails_that_batch_only,
			faults_clear),
		cmocka_unit_test_teardown(
			a_disk_failing_in_a_batchs_statements_fails_that_batch_only,
			faults_clear),
	};

	return harness_run_group(tests, group_setup, group_teardown);
}
