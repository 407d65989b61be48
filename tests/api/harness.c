/*
 * harness.c - start a real ordo server on a free port and talk to it.
 *
 * Why it is long: it is the one harness every API test links (servers,
 * nodes, the clock, HTTP, the CLI, seeding, checks); split, its helpers
 * would be harder to find, not easier.
 *
 * Life of a group:
 *
 *   harness_group_setup
 *     mkdtemp /tmp/ordo-api-XXXXXX
 *     ordo tenant create acme   --db DIR/ordo.db  -> key on last stdout line
 *     ordo tenant create globex --db DIR/ordo.db  -> key
 *     fork/exec ordo serve --db DIR/ordo.db --listen 127.0.0.1:PORT
 *       (PORT from binding port 0; if the server does not come up - e.g.
 *        someone took the port in between - try again with a new one)
 *     poll GET /healthz until 200
 *     seed both tenants from data/catalog.json
 *   tests ...
 *   harness_group_teardown
 *     SIGTERM, wait (SIGKILL after 20 s), rm -rf DIR
 *
 * The server writes stdout and stderr to DIR/server.log. The log is printed
 * after a failed test (the part written during it) and in full when the
 * server did not exit cleanly. An atexit handler kills a server left behind
 * by a failed setup so that no process outlives the test binary.
 */
#include "harness.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <curl/curl.h>

#ifndef ORDO_BIN
#error "ORDO_BIN must name the ordo binary"
#endif
#ifndef ORDO_TESTDATA_DIR
#error "ORDO_TESTDATA_DIR must name tests/api/data"
#endif

#define SERVER_START_ATTEMPTS 5
#define SERVER_READY_TIMEOUT_MS (15000 * harness_slow())
#define SERVER_STOP_TIMEOUT_MS (20000 * harness_slow())
#define CLI_TIMEOUT_MS (60000 * harness_slow())
#define HTTP_TIMEOUT_S (60L * harness_slow())
#define WRAP_WORDS_MAX 32
#define LIST_MAX_PAGES 10000

struct ordo_server *srv;

/* Extra `ordo serve` arguments for the next group (NULL-terminated). */
static const char *const *serve_extra_args;

static const char *current_test;
static long current_test_log_offset;
static int current_test_running;
static int atexit_registered;

/* ---- small utilities ----------------------------------------------------- */

/*
 * Every ordo the harness starts (servers, nodes, command lines) runs under
 * ORDO_TEST_WRAP when it is set: a command line, its words split on
 * spaces. `make valgrind` sets it to Valgrind's memcheck, and
 * ORDO_TEST_SLOW (a whole factor, default 1) to stretch the harness's own
 * waits to match.
 */
long harness_slow(void)
{
	static long factor;

	if (!factor) {
		const char *v = getenv("ORDO_TEST_SLOW");
		long f = v ? strtol(v, NULL, 10) : 1;

		factor = f >= 1 && f <= 1000 ? f : 1;
	}
	return factor;
}

static const char *wrap_words[WRAP_WORDS_MAX + 1];

/* The wrapper's words, read once; called before fork(), so that the child
 * only reads them. */
static size_t wrap_prepare(void)
{
	static char *copy;
	static size_t n;

	if (!copy) {
		const char *v = getenv("ORDO_TEST_WRAP");
		char *w, *save = NULL;

		copy = strdup(v ? v : "");
		assert_non_null(copy);
		for (w = strtok_r(copy, " ", &save); w && n < WRAP_WORDS_MAX;
		     w = strtok_r(NULL, " ", &save))
			wrap_words[n++] = w;
	}
	return n;
}

/* In a child: become ordo with argv (argv[0] "ordo", NULL-terminated),
 * under the wrapper if there is one. */
static void exec_ordo(const char *const *argv)
{
	const char *all[WRAP_WORDS_MAX + 64];
	size_t n = 0, i;

	for (i = 0; wrap_words[i]; i++)
		all[n++] = wrap_words[i];
	if (n == 0) {
		execv(ORDO_BIN, (char *const *)argv);
		_exit(127);
	}
	all[n++] = ORDO_BIN;
	for (i = 1; argv[i] && n < sizeof(all) / sizeof(all[0]) - 1; i++)
		all[n++] = argv[i];
	all[n] = NULL;
	execvp(all[0], (char *const *)all);
	_exit(127);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Whole file as a NUL-terminated string (empty string if unreadable). */
static char *slurp(const char *path, long from)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0;

	if (f && from > 0)
		fseek(f, from, SEEK_SET);
	for (;;) {
		if (len + 4097 > cap) {
			cap = cap ? cap * 2 : 8192;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		if (!f)
			break;
		size_t n = fread(buf + len, 1, cap - len - 1, f);
		if (n == 0)
			break;
		len += n;
	}
	if (f)
		fclose(f);
	buf[len] = '\0';
	return buf;
}

static long file_size(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return 0;
	return (long)st.st_size;
}

static void rm_rf(const char *path)
{
	struct stat st;

	if (lstat(path, &st) != 0)
		return;
	if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(path);
		struct dirent *e;

		while (d && (e = readdir(d)) != NULL) {
			char child[1024];

			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			snprintf(child, sizeof(child), "%s/%s", path, e->d_name);
			rm_rf(child);
		}
		if (d)
			closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}

/* A port nobody listens on right now (it may be taken before we use it). */
static int free_port(void)
{
	struct sockaddr_in addr;
	socklen_t len = sizeof(addr);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int port = -1;

	if (fd < 0)
		return -1;
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	addr.sin_port = 0;
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&addr, &len) == 0)
		port = ntohs(addr.sin_port);
	close(fd);
	return port;
}

/* Wait for pid up to timeout_ms; returns the wait status or -1 on timeout. */
static int wait_timeout(pid_t pid, long timeout_ms)
{
	long deadline = now_ms() + timeout_ms;
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return status;
		if (r < 0 && errno != EINTR)
			return -1;
		if (now_ms() > deadline)
			return -1;
		sleep_ms(20);
	}
}

static int status_to_exit(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 255;
}

/* ---- CLI ------------------------------------------------------------------ */

int last_line(const char *s, char *out, size_t out_size)
{
	const char *end = s + strlen(s);
	const char *start;

	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	start = end;
	while (start > s && start[-1] != '\n')
		start--;
	while (start < end && isspace((unsigned char)*start))
		start++;
	if (start == end || (size_t)(end - start) >= out_size)
		return -1;
	memcpy(out, start, (size_t)(end - start));
	out[end - start] = '\0';
	return 0;
}

void cli_run(struct cli_result *r, const char *const *args)
{
	cli_run_input(r, args, NULL);
}

static void note_secret(const char *v, size_t len);
static const char *flaw_in(const char *text, const char **what);
static void flaw_print(const char *whose, const char *what, const char *text,
		       const char *at);

void cli_run_input(struct cli_result *r, const char *const *args,
		   const char *input)
{
	char out_path[] = "/tmp/ordo-api-cli-out-XXXXXX";
	char err_path[] = "/tmp/ordo-api-cli-err-XXXXXX";
	char in_path[] = "/tmp/ordo-api-cli-in-XXXXXX";
	const char *argv[32];
	size_t n = 0;
	int out_fd, err_fd, in_fd = -1, status;
	pid_t pid;

	/* A password, on its first line (test_sessions). */
	if (input)
		note_secret(input, strcspn(input, "\r\n"));

	memset(r, 0, sizeof(*r));
	argv[n++] = "ordo";
	for (size_t i = 0; args[i]; i++) {
		assert_true(n < sizeof(argv) / sizeof(argv[0]) - 1);
		argv[n++] = args[i];
	}
	argv[n] = NULL;

	out_fd = mkstemp(out_path);
	err_fd = mkstemp(err_path);
	assert_true(out_fd >= 0 && err_fd >= 0);
	if (input) {
		size_t len = strlen(input);

		in_fd = mkstemp(in_path);
		assert_true(in_fd >= 0);
		assert_true(write(in_fd, input, len) == (ssize_t)len);
		assert_true(lseek(in_fd, 0, SEEK_SET) == 0);
	}
	wrap_prepare();
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int devnull = in_fd >= 0 ? in_fd : open("/dev/null", O_RDONLY);

		if (devnull >= 0)
			dup2(devnull, STDIN_FILENO);
		dup2(out_fd, STDOUT_FILENO);
		dup2(err_fd, STDERR_FILENO);
		exec_ordo(argv);
	}
	close(out_fd);
	close(err_fd);
	if (in_fd >= 0) {
		close(in_fd);
		unlink(in_path);
	}
	status = wait_timeout(pid, CLI_TIMEOUT_MS);
	if (status == -1) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		r->exit_status = 255;
	} else {
		r->exit_status = status_to_exit(status);
	}
	r->out = slurp(out_path, 0);
	r->err = slurp(err_path, 0);
	{
		const char *what, *at = flaw_in(r->err, &what);

		if (at) {
			flaw_print("ordo's command line", what, r->err, at);
			cli_result_free(r);
			fail_msg("ordo %s: its standard error %s", args[0], what);
		}
	}
	unlink(out_path);
	unlink(err_path);
}

void cli_result_free(struct cli_result *r)
{
	free(r->out);
	free(r->err);
	r->out = NULL;
	r->err = NULL;
}

/* Create a tenant with the CLI; its key into key. 0 or -1 (with a message). */
static int tenant_create(struct ordo_server *s, const char *slug, char *key,
			 size_t key_size)
{
	const char *args[] = { "tenant", "create", slug, "--db", s->db_path, NULL };
	struct cli_result r;
	int rc = 0;

	cli_run(&r, args);
	if (r.exit_status != 0 || last_line(r.out, key, key_size) != 0) {
		fprintf(stderr,
			"harness: `ordo tenant create %s` exited %d\n"
			"stdout:\n%s\nstderr:\n%s\n",
			slug, r.exit_status, r.out, r.err);
		rc = -1;
	}
	cli_result_free(&r);
	return rc;
}

/* ---- server --------------------------------------------------------------- */

void harness_dump_log(const struct ordo_server *s, long from)
{
	char *log;

	if (!s)
		return;
	log = slurp(s->log_path, from);
	fprintf(stderr, "---- ordo server log (%s, from byte %ld) ----\n%s"
		"---- end of server log ----\n", s->log_path, from, log);
	free(log);
}

char *harness_log_text(const struct ordo_server *s)
{
	return slurp(s->log_path, 0);
}

static int healthz_ok(const char *base_url)
{
	CURL *c = curl_easy_init();
	char url[128];
	long code = 0;
	CURLcode rc;

	if (!c)
		return 0;
	snprintf(url, sizeof(url), "%s/healthz", base_url);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROXY, "");
	curl_easy_setopt(c, CURLOPT_NOBODY, 0L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 1000L * harness_slow());
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, NULL);
	{
		FILE *sink = fopen("/dev/null", "wb");

		curl_easy_setopt(c, CURLOPT_WRITEDATA, sink);
		rc = curl_easy_perform(c);
		if (sink)
			fclose(sink);
	}
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(c);
	return code == 200;
}

/* ---- the servers' clock ---------------------------------------------------- */

/* The group's clock file (`ordo serve --clock-file`), and the offset it
 * holds: every server of the group runs that many seconds ahead. */
static char clock_path[128];
static long clock_offset;
static long long clock_still_at; /* 0: the clock runs */

/* Write the offset, or with still_at the time the clock stands at. */
static void clock_write(long offset, long long still_at)
{
	char tmp[160];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.new", clock_path);
	f = fopen(tmp, "w");
	assert_non_null(f);
	if (still_at)
		fprintf(f, "@%lld\n", still_at);
	else
		fprintf(f, "%ld\n", offset);
	assert_int_equal(fclose(f), 0);
	/* Renamed into place, so a server never reads half a number. */
	assert_int_equal(rename(tmp, clock_path), 0);
	clock_offset = offset;
	clock_still_at = still_at;
}

void harness_clock_advance(long seconds)
{
	assert_true(clock_path[0] != '\0');
	assert_true(seconds > 0);
	if (clock_still_at)
		clock_write(clock_offset, clock_still_at + seconds);
	else
		clock_write(clock_offset + seconds, 0);
}

void harness_clock_stop(void)
{
	assert_true(clock_path[0] != '\0');
	if (!clock_still_at)
		clock_write(clock_offset, harness_clock_now());
}

void harness_clock_run(void)
{
	assert_true(clock_path[0] != '\0');
	if (clock_still_at)
		clock_write((long)(clock_still_at - (long long)time(NULL)), 0);
}

long long harness_clock_now(void)
{
	return clock_still_at ? clock_still_at
			      : (long long)time(NULL) + clock_offset;
}

long harness_clock_ms(void)
{
	return clock_still_at ? (long)(clock_still_at * 1000)
			      : harness_now_ms() + clock_offset * 1000;
}

/* Start `ordo serve`; 0 when it answers /healthz, -1 after all attempts. */
/*
 * Start `ordo serve` on db_path with its output in log_path and wait until
 * it answers /healthz; fills *pid, *port and base_url.
 */
static int spawn_serve(const char *db_path, const char *log_path, pid_t *pid_out,
		       int *port_out, char *base_url, size_t base_size)
{
	for (int attempt = 0; attempt < SERVER_START_ATTEMPTS; attempt++) {
		char listen[32];
		long deadline;
		pid_t pid;
		int port = free_port();

		if (port <= 0)
			continue;
		snprintf(listen, sizeof(listen), "127.0.0.1:%d", port);
		wrap_prepare();
		fflush(NULL);
		pid = fork();
		if (pid < 0)
			return -1;
		if (pid == 0) {
			int log = open(log_path,
				       O_WRONLY | O_CREAT | O_APPEND, 0644);
			int devnull = open("/dev/null", O_RDONLY);

			if (devnull >= 0)
				dup2(devnull, STDIN_FILENO);
			if (log >= 0) {
				dup2(log, STDOUT_FILENO);
				dup2(log, STDERR_FILENO);
			}
			{
				const char *argv[48];
				size_t n = 0;

				argv[n++] = "ordo";
				argv[n++] = "serve";
				argv[n++] = "--db";
				argv[n++] = db_path;
				argv[n++] = "--listen";
				argv[n++] = listen;
				argv[n++] = "--clock-file";
				argv[n++] = clock_path;
				for (size_t i = 0; serve_extra_args &&
						   serve_extra_args[i] &&
						   n < sizeof(argv) /
								   sizeof(argv[0]) -
							   1;
				     i++)
					argv[n++] = serve_extra_args[i];
				argv[n] = NULL;
				exec_ordo(argv);
			}
		}
		*pid_out = pid;
		*port_out = port;
		snprintf(base_url, base_size, "http://%s", listen);
		deadline = now_ms() + SERVER_READY_TIMEOUT_MS;
		while (now_ms() < deadline) {
			int status;

			if (waitpid(pid, &status, WNOHANG) == pid) {
				fprintf(stderr,
					"harness: ordo serve on port %d exited "
					"with %d before it was ready\n",
					port, status_to_exit(status));
				*pid_out = 0;
				break;
			}
			if (healthz_ok(base_url))
				return 0;
			sleep_ms(50);
		}
		if (*pid_out > 0) {
			fprintf(stderr, "harness: ordo serve on port %d not "
				"ready after %ld ms\n", port,
				SERVER_READY_TIMEOUT_MS);
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			*pid_out = 0;
		}
	}
	return -1;
}

static int server_spawn(struct ordo_server *s)
{
	if (spawn_serve(s->db_path, s->log_path, &s->pid, &s->port,
			s->base_url, sizeof(s->base_url)) == 0)
		return 0;
	harness_dump_log(s, 0);
	return -1;
}

int harness_node_start(struct ordo_node *n, const char *db)
{
	memset(n, 0, sizeof(*n));
	snprintf(n->log_path, sizeof(n->log_path), "%s/node-%ld.log",
		 srv->dir, (long)now_ms());
	return spawn_serve(db ? db : srv->db_path, n->log_path, &n->pid,
			   &n->port, n->base_url, sizeof(n->base_url));
}

int harness_node_stop(struct ordo_node *n)
{
	int status = 0;
	long deadline = now_ms() + SERVER_STOP_TIMEOUT_MS;

	if (n->pid <= 0)
		return 0;
	kill(n->pid, SIGTERM);
	while (waitpid(n->pid, &status, WNOHANG) == 0) {
		if (now_ms() > deadline) {
			kill(n->pid, SIGKILL);
			waitpid(n->pid, &status, 0);
			break;
		}
		sleep_ms(20);
	}
	n->pid = 0;
	return status_to_exit(status);
}

void harness_server_kill(void)
{
	assert_non_null(srv);
	if (srv->pid <= 0)
		return;
	kill(srv->pid, SIGKILL);
	waitpid(srv->pid, NULL, 0);
	srv->pid = 0;
}

int harness_server_restart(void)
{
	assert_non_null(srv);
	assert_true(srv->pid <= 0);
	return server_spawn(srv);
}

/*
 * Stop the server: 0 when it exited with status 0 or by our SIGTERM, -1
 * when it crashed, reported sanitizer errors, or had to be killed.
 */
static int server_stop(struct ordo_server *s)
{
	int status, rc = 0;

	if (s->pid <= 0)
		return 0;
	kill(s->pid, SIGTERM);
	status = wait_timeout(s->pid, SERVER_STOP_TIMEOUT_MS);
	if (status == -1) {
		fprintf(stderr, "harness: ordo serve did not stop within %ld ms "
			"of SIGTERM; killing it\n", SERVER_STOP_TIMEOUT_MS);
		kill(s->pid, SIGKILL);
		waitpid(s->pid, &status, 0);
		rc = -1;
	} else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
		fprintf(stderr, "harness: ordo serve exited with status %d\n",
			WEXITSTATUS(status));
		rc = -1;
	} else if (WIFSIGNALED(status) && WTERMSIG(status) != SIGTERM) {
		fprintf(stderr, "harness: ordo serve died of signal %d\n",
			WTERMSIG(status));
		rc = -1;
	}
	s->pid = 0;
	return rc;
}

static void db_drop(struct ordo_server *s);

static void harness_atexit(void)
{
	if (srv && srv->pid > 0) {
		kill(srv->pid, SIGKILL);
		waitpid(srv->pid, NULL, 0);
		srv->pid = 0;
		db_drop(srv);
		rm_rf(srv->dir);
	}
}

static int seed_catalog_checked(const char *key);

void harness_set_serve_args(const char *const *args)
{
	serve_extra_args = args;
}

long harness_now_ms(void)
{
	return now_ms();
}

void harness_sleep_ms(long ms)
{
	sleep_ms(ms);
}

/*
 * The database the server runs on: an SQLite file in the group's directory,
 * or - when ORDO_TEST_DB is a PostgreSQL URL (tests/with-backend) - a fresh
 * database on that server, made here and dropped at teardown.
 */
static int pg_counter;

static const char *pg_base(void)
{
	const char *db = getenv("ORDO_TEST_DB");

	return db && strncmp(db, "postgres", 8) == 0 ? db : NULL;
}

static int pg_run(const char *sql)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd),
		 "psql -X -q -v ON_ERROR_STOP=1 '%s' -c '%s' >/dev/null",
		 pg_base(), sql);
	return system(cmd) == 0 ? 0 : -1;
}

static int db_prepare(struct ordo_server *s)
{
	const char *base = pg_base(), *slash;
	char sql[160];

	if (!base) {
		snprintf(s->db_path, sizeof(s->db_path), "%s/ordo.db",
			 s->dir);
		return 0;
	}
	snprintf(s->pg_db, sizeof(s->pg_db), "ordo_api_%ld_%d",
		 (long)getpid(), ++pg_counter);
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", s->pg_db);
	if (pg_run(sql))
		return -1;
	slash = strrchr(base, '/');
	snprintf(s->db_path, sizeof(s->db_path), "%.*s/%s",
		 (int)(slash - base), base, s->pg_db);
	return 0;
}

static void db_drop(struct ordo_server *s)
{
	char sql[160];

	if (!s->pg_db[0])
		return;
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)",
		 s->pg_db);
	pg_run(sql);
	s->pg_db[0] = '\0';
}

int harness_group_setup(void **state)
{
	struct ordo_server *s;

	if (!atexit_registered) {
		atexit(harness_atexit);
		atexit_registered = 1;
	}
	if (curl_global_init(CURL_GLOBAL_ALL) != CURLE_OK)
		return -1;
	/* Test receivers listen on this host, which servers refuse as a
	 * webhook address unless allowed; a group that passes its own
	 * --webhook-allow overrides this. */
	setenv("ORDO_WEBHOOK_ALLOW", "127.0.0.0/8,::1/128", 0);
	s = calloc(1, sizeof(*s));
	if (!s)
		return -1;
	snprintf(s->dir, sizeof(s->dir), "/tmp/ordo-api-XXXXXX");
	if (!mkdtemp(s->dir)) {
		free(s);
		return -1;
	}
	snprintf(s->log_path, sizeof(s->log_path), "%s/server.log", s->dir);
	snprintf(clock_path, sizeof(clock_path), "%s/clock", s->dir);
	clock_write(0, 0);
	srv = s;
	*state = s;
	if (db_prepare(s))
		goto fail;

	if (tenant_create(s, "acme", s->key_acme, sizeof(s->key_acme)) ||
	    tenant_create(s, "globex", s->key_globex, sizeof(s->key_globex)))
		goto fail;
	if (server_spawn(s))
		goto fail;
	if (seed_catalog_checked(s->key_acme) ||
	    seed_catalog_checked(s->key_globex)) {
		harness_dump_log(s, 0);
		goto fail;
	}
	return 0;
fail:
	server_stop(s);
	db_drop(s);
	rm_rf(s->dir);
	free(s);
	srv = NULL;
	*state = NULL;
	curl_global_cleanup();
	return -1;
}

static void report_unfinished_test(void)
{
	if (!current_test_running || !srv)
		return;
	fprintf(stderr, "harness: test %s failed; the server wrote:\n",
		current_test);
	harness_dump_log(srv, current_test_log_offset);
	current_test_running = 0;
}

/*
 * The first secret ordo made (an API key, "ordo_sk_" and hex, a
 * session's token, "ordo_ss_" and hex, or a webhook secret, "whsec_" and
 * hex; 16 hex digits are enough to be one) in text, or NULL: no log line
 * may hold one.
 */
/*
 * The secrets the tests gave the servers - each X-CSRF-Token sent, and
 * the value of every "password", "secret", "api_token" and
 * "consumer_secret" member of a JSON body sent - which no log line may
 * hold either (secret_in). Values under 8 characters (a refused "short"
 * password) are not secrets worth the name, nor unique enough to look for.
 */
static char **noted;
static size_t n_noted, noted_cap;

static pthread_mutex_t noted_mu = PTHREAD_MUTEX_INITIALIZER;

static void note_secret(const char *v, size_t len)
{
	size_t i;

	if (len < 8)
		return;
	/* Tests may send from several threads at once. */
	pthread_mutex_lock(&noted_mu);
	for (i = 0; i < n_noted; i++)
		if (strlen(noted[i]) == len && !memcmp(noted[i], v, len))
			break;
	if (i == n_noted) {
		/* Every one is kept: a secret not looked for is a log line
		 * not checked. */
		if (n_noted == noted_cap) {
			noted_cap = noted_cap ? 2 * noted_cap : 256;
			noted = realloc(noted, noted_cap * sizeof(*noted));
			assert_non_null(noted);
		}
		noted[n_noted] = strndup(v, len);
		assert_non_null(noted[n_noted]);
		n_noted++;
	}
	pthread_mutex_unlock(&noted_mu);
}

static void note_members(const json_t *j)
{
	static const char *const names[] = {"password", "secret", "api_token",
					    "consumer_secret"};
	const char *k;
	json_t *v;
	size_t i;

	if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			note_members(v);
		return;
	}
	json_object_foreach((json_t *)j, k, v) {
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (!strcmp(k, names[i]) && json_is_string(v))
				note_secret(json_string_value(v),
					    json_string_length(v));
		note_members(v);
	}
}

static void note_secrets_sent(const char *body, size_t body_len,
			      const char *const *headers)
{
	static const char csrf[] = "X-CSRF-Token: ";

	for (size_t i = 0; headers && headers[i]; i++)
		if (!strncasecmp(headers[i], csrf, sizeof(csrf) - 1))
			note_secret(headers[i] + sizeof(csrf) - 1,
				    strlen(headers[i] + sizeof(csrf) - 1));
	if (body && body_len) {
		json_t *j = json_loadb(body, body_len, 0, NULL);

		if (j)
			note_members(j);
		json_decref(j);
	}
}

static const char *secret_in(const char *text)
{
	static const char *const prefixes[] = {"ordo_sk_", "ordo_ss_",
					       "whsec_"};
	const char *p;
	size_t i;

	for (i = 0; i < n_noted; i++)
		if ((p = strstr(text, noted[i])) != NULL)
			return p;
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		for (p = strstr(text, prefixes[i]); p;
		     p = strstr(p + 1, prefixes[i])) {
			const char *h = p + strlen(prefixes[i]);

			if (strspn(h, "0123456789abcdef") >= 16)
				return p;
		}
	return NULL;
}

/* Where text has a report of Valgrind's (a line "==PID== ..."). */
static const char *valgrind_report_in(const char *text)
{
	const char *line = text;

	while (line && *line) {
		size_t d = line[0] == '=' && line[1] == '='
				   ? strspn(line + 2, "0123456789")
				   : 0;

		if (d > 0 && line[2 + d] == '=' && line[3 + d] == '=')
			return line;
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return NULL;
}

/* What is wrong in the output of an ordo the tests ran: a secret it
 * logged, or a report of Valgrind's (make valgrind); NULL when nothing. */
static const char *flaw_in(const char *text, const char **what)
{
	const char *at = secret_in(text);

	*what = "logs a secret";
	if (!at) {
		at = valgrind_report_in(text);
		*what = "has Valgrind's report";
	}
	return at;
}

/* Print the line of text at `at`, saying whose and what is wrong. */
static void flaw_print(const char *whose, const char *what, const char *text,
		       const char *at)
{
	const char *line, *end;

	for (line = at; line > text && line[-1] != '\n'; line--)
		;
	end = strchr(at, '\n');
	fprintf(stderr, "harness: %s %s:\n%.*s\n", whose, what,
		(int)(end ? end - line : (long)strlen(line)), line);
}

/* Whether a log in s's directory (the server's, its nodes') holds a
 * secret or a report of Valgrind's; the line is printed. */
static int logs_flawed(const struct ordo_server *s)
{
	DIR *d = opendir(s->dir);
	struct dirent *e;
	int leaked = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		char path[sizeof(s->dir) + 256];
		const char *at, *what;
		char *text;

		if (n < 4 || strcmp(e->d_name + n - 4, ".log") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", s->dir, e->d_name);
		text = slurp(path, 0);
		at = flaw_in(text, &what);
		if (at) {
			flaw_print(path, what, text, at);
			leaked = 1;
		}
		free(text);
	}
	closedir(d);
	return leaked;
}

int harness_group_teardown(void **state)
{
	struct ordo_server *s = *state;
	int rc;

	report_unfinished_test();
	if (!s)
		return 0;
	rc = server_stop(s);
	if (rc)
		harness_dump_log(s, 0);
	/* No secret in any log line of the whole suite, and nothing
	 * Valgrind found. */
	if (logs_flawed(s))
		rc = rc ? rc : 1;
	db_drop(s);
	rm_rf(s->dir);
	free(s);
	srv = NULL;
	*state = NULL;
	curl_global_cleanup();
	return rc;
}

static CMFixtureFunction run_teardown;
static int run_teardown_failed;

static int run_teardown_checked(void **state)
{
	int rc = run_teardown ? run_teardown(state) : 0;

	if (rc)
		run_teardown_failed = 1;
	return rc;
}

int harness_run_tests(const char *name, const struct CMUnitTest *tests,
		      size_t n, CMFixtureFunction setup,
		      CMFixtureFunction teardown)
{
	int failed;

	run_teardown = teardown;
	run_teardown_failed = 0;
	failed = _cmocka_run_group_tests(name, tests, n, setup,
					 run_teardown_checked);
	run_teardown = NULL;
	return failed ? failed : run_teardown_failed;
}

void harness_test_begin(const char *name)
{
	report_unfinished_test();
	current_test = name;
	current_test_log_offset = srv ? file_size(srv->log_path) : 0;
	current_test_running = 1;
	if (srv && srv->pid > 0) {
		int status;

		if (waitpid(srv->pid, &status, WNOHANG) == srv->pid) {
			srv->pid = 0;
			harness_dump_log(srv, 0);
			fail_msg("ordo serve died (exit %d) before test %s",
				 status_to_exit(status), name);
		}
	}
}

void harness_test_end(void)
{
	current_test_running = 0;
}

/* ---- HTTP ----------------------------------------------------------------- */

struct buf {
	char *data;
	size_t len;
	size_t cap;
};

static int buf_append(struct buf *b, const char *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		char *d;

		while (b->len + n + 1 > cap)
			cap *= 2;
		d = realloc(b->data, cap);
		if (!d)
			return -1;
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	if (buf_append(ud, p, size * n))
		return 0;
	return size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	struct buf *b = ud;

	/* A new status line (after 100 Continue) starts a new header block. */
	if (size * n >= 5 && !strncmp(p, "HTTP/", 5))
		b->len = 0;
	if (buf_append(b, p, size * n))
		return 0;
	return size * n;
}

static int has_header(const char *const *headers, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; headers && headers[i]; i++)
		if (!strncasecmp(headers[i], name, len) &&
		    headers[i][len] == ':')
			return 1;
	return 0;
}

struct resp *http_at(const char *base_url, const char *method,
		     const char *path, const char *key, const char *body,
		     size_t body_len, const char *const *headers)
{
	struct resp *r = calloc(1, sizeof(*r));
	struct buf bb = { 0 }, hb = { 0 };
	struct curl_slist *hl = NULL;
	char url[HARNESS_PATH_MAX + 128];
	char auth[HARNESS_KEY_MAX + 32];
	CURL *c = curl_easy_init();
	CURLcode rc;

	assert_non_null(r);
	assert_non_null(c);
	note_secrets_sent(body, body_len, headers);
	snprintf(r->request, sizeof(r->request), "%s %s", method, path);
	snprintf(url, sizeof(url), "%s%s", base_url, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROXY, "");
	curl_easy_setopt(c, CURLOPT_TIMEOUT, HTTP_TIMEOUT_S);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &bb);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &hb);
	if (key) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key);
		hl = curl_slist_append(hl, auth);
	}
	for (size_t i = 0; headers && headers[i]; i++)
		hl = curl_slist_append(hl, headers[i]);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)body_len);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		if (!has_header(headers, "Content-Type"))
			hl = curl_slist_append(hl,
					       "Content-Type: application/json");
	} else if (!strcmp(method, "POST") || !strcmp(method, "PUT")) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)0);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
		if (!has_header(headers, "Content-Type"))
			hl = curl_slist_append(hl, "Content-Type:");
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	rc = curl_easy_perform(c);
	/*
	 * A server may answer (413) and close before reading a large body;
	 * curl then reports a send error but has the response.
	 */
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	if (rc != CURLE_OK && r->status == 0)
		fprintf(stderr, "harness: %s failed: %s\n", r->request,
			curl_easy_strerror(rc));
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);

	if (!bb.data)
		buf_append(&bb, "", 0);
	if (!hb.data)
		buf_append(&hb, "", 0);
	assert_non_null(bb.data);
	assert_non_null(hb.data);
	r->body = bb.data;
	r->body_len = bb.len;
	r->headers = hb.data;
	r->json = json_loadb(r->body, r->body_len, JSON_ALLOW_NUL, NULL);
	return r;
}

struct resp *http(const char *method, const char *path, const char *key,
		  const char *body, size_t body_len,
		  const char *const *headers)
{
	assert_non_null(srv);
	return http_at(srv->base_url, method, path, key, body, body_len,
		       headers);
}

struct resp *http_get(const char *key, const char *fmt, ...)
{
	char path[HARNESS_PATH_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	assert_true(n > 0 && (size_t)n < sizeof(path));
	return http("GET", path, key, NULL, 0, NULL);
}

struct resp *http_json(const char *method, const char *path, const char *key,
		       const json_t *body, const char *const *headers)
{
	char *text = json_dumps(body, JSON_COMPACT);
	struct resp *r;

	assert_non_null(text);
	r = http(method, path, key, text, strlen(text), headers);
	free(text);
	return r;
}

void resp_free(struct resp *r)
{
	if (!r)
		return;
	free(r->body);
	free(r->headers);
	json_decref(r->json);
	free(r);
}

int resp_header(const struct resp *r, const char *name, char *out,
		size_t out_size)
{
	size_t len = strlen(name);
	const char *p = r->headers;

	while (p && *p) {
		const char *eol = strchr(p, '\n');
		size_t line_len = eol ? (size_t)(eol - p) : strlen(p);

		if (line_len > len && !strncasecmp(p, name, len) &&
		    p[len] == ':') {
			const char *v = p + len + 1;
			const char *end = p + line_len;
			size_t n;

			while (v < end && (*v == ' ' || *v == '\t'))
				v++;
			while (end > v && isspace((unsigned char)end[-1]))
				end--;
			n = (size_t)(end - v);
			if (n >= out_size)
				n = out_size - 1;
			memcpy(out, v, n);
			out[n] = '\0';
			return 1;
		}
		if (!eol)
			break;
		p = eol + 1;
	}
	return 0;
}

/* ---- JSON ------------------------------------------------------------------ */

json_t *jparse(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, JSON_DECODE_ANY, &e);

	if (!j)
		fail_msg("bad JSON in test (%d:%d): %s\n%s", e.line, e.column,
			 e.text, text);
	return j;
}

/*
 * Fixtures live in tests/api/data beside this file: ORDO_TESTDATA_DIR, or
 * failing that the data/ directory next to this source file (so the tests
 * still find them if the build points elsewhere).
 */
json_t *fixture(const char *name)
{
	char path[1024];
	const char *slash = strrchr(__FILE__, '/');
	json_error_t e;
	json_t *j;

	snprintf(path, sizeof(path), "%s/%s", ORDO_TESTDATA_DIR, name);
	j = json_load_file(path, 0, &e);
	if (!j && slash) {
		snprintf(path, sizeof(path), "%.*s/data/%s",
			 (int)(slash - __FILE__), __FILE__, name);
		j = json_load_file(path, 0, &e);
	}
	if (!j)
		fail_msg("cannot load fixture %s: %s", name, e.text);
	return j;
}

struct path_step {
	char key[64];	/* member name, or "" for an index step */
	long index;
};

/* Split "a.b[2].c" into steps; returns the count or -1. */
static int path_split(const char *path, struct path_step *steps, int max)
{
	int n = 0;
	const char *p = path;

	while (*p) {
		if (n >= max)
			return -1;
		if (*p == '[') {
			char *end;

			errno = 0;
			steps[n].key[0] = '\0';
			steps[n].index = strtol(p + 1, &end, 10);
			if (errno || *end != ']')
				return -1;
			p = end + 1;
		} else {
			size_t len = strcspn(p, ".[");

			if (len == 0 || len >= sizeof(steps[n].key))
				return -1;
			memcpy(steps[n].key, p, len);
			steps[n].key[len] = '\0';
			p += len;
		}
		n++;
		if (*p == '.')
			p++;
	}
	return n;
}

static json_t *step_get(const json_t *j, const struct path_step *st)
{
	if (st->key[0])
		return json_is_object(j) ? json_object_get(j, st->key) : NULL;
	return json_is_array(j) ? json_array_get(j, (size_t)st->index) : NULL;
}

json_t *jget(const json_t *root, const char *path)
{
	struct path_step steps[16];
	int n = path_split(path, steps, 16);
	const json_t *j = root;

	if (n < 0)
		return NULL;
	for (int i = 0; i < n && j; i++)
		j = step_get(j, &steps[i]);
	return (json_t *)j;
}

const char *jstr(const json_t *root, const char *path)
{
	return json_string_value(jget(root, path));
}

void jset(json_t *root, const char *path, json_t *value)
{
	struct path_step steps[16];
	int n = path_split(path, steps, 16);
	json_t *parent = root;
	struct path_step *last;

	if (n <= 0)
		fail_msg("jset: bad path %s", path);
	for (int i = 0; i < n - 1; i++) {
		parent = step_get(parent, &steps[i]);
		if (!parent)
			fail_msg("jset: %s: no %s", path,
				 steps[i].key[0] ? steps[i].key : "[index]");
	}
	last = &steps[n - 1];
	if (last->key[0]) {
		if (!json_is_object(parent))
			fail_msg("jset: %s: parent is not an object", path);
		if (value)
			json_object_set_new(parent, last->key, value);
		else
			json_object_del(parent, last->key);
	} else {
		if (!json_is_array(parent))
			fail_msg("jset: %s: parent is not an array", path);
		if (value)
			json_array_set_new(parent, (size_t)last->index, value);
		else
			json_array_remove(parent, (size_t)last->index);
	}
}

/* ---- assertions ------------------------------------------------------------ */

static void print_resp(const struct resp *r)
{
	print_error("request: %s\nresponse: HTTP %ld\n%.4000s%s\n", r->request,
		    r->status, r->body, r->body_len > 4000 ? "..." : "");
}

void harness_assert_status(const struct resp *r, long status, const char *file,
			   int line)
{
	if (r->status == status)
		return;
	print_error("expected HTTP %ld, got %ld\n", status, r->status);
	print_resp(r);
	_fail(file, line);
}

size_t error_details_naming(const struct resp *r, const char *field)
{
	json_t *details = jget(r->json, "error.details");
	size_t i, n = 0;
	json_t *d;

	json_array_foreach(details, i, d) {
		const char *f = json_string_value(json_object_get(d, "field"));

		if (f && !strcmp(f, field))
			n++;
	}
	return n;
}

void harness_assert_secure_headers(const struct resp *r, const char *file,
				   int line)
{
	static const char *const want[][2] = {
		{"X-Content-Type-Options", "nosniff"},
		{"X-Frame-Options", "DENY"},
		{"Referrer-Policy", "no-referrer"},
		{"Cache-Control", "no-store"},
	};
	char v[512] = "";
	const char *why = NULL;
	size_t i;

	for (i = 0; !why && i < sizeof(want) / sizeof(want[0]); i++)
		if (!resp_header(r, want[i][0], v, sizeof(v)) ||
		    strcmp(v, want[i][1]) != 0)
			why = want[i][0];
	if (!why && (!resp_header(r, "Content-Security-Policy", v, sizeof(v)) ||
		     !strstr(v, "default-src 'self'") ||
		     !strstr(v, "frame-ancestors 'none'") ||
		     !strstr(v, "object-src 'none'")))
		why = "Content-Security-Policy";
	if (!why && resp_header(r, "Server", v, sizeof(v)))
		why = "Server";
	if (!why)
		return;
	print_error("the answer's %s header is wrong or missing (or a Server "
		    "banner is there)\n",
		    why);
	print_resp(r);
	_fail(file, line);
}

void harness_assert_error(const struct resp *r, long status, const char *code,
			  const char *field, const char *file, int line)
{
	json_t *err = json_object_get(r->json, "error");
	json_t *details = json_object_get(err, "details");
	const char *got_code = json_string_value(json_object_get(err, "code"));
	const char *msg = json_string_value(json_object_get(err, "message"));
	const char *why = NULL;
	size_t i;
	json_t *d;

	if (r->status != status)
		why = "wrong HTTP status";
	else if (!json_is_object(err))
		why = "body is not {\"error\": {...}}";
	else if (!got_code)
		why = "error.code is not a string";
	else if (!msg || !*msg)
		why = "error.message is missing or empty";
	else if (!json_is_array(details))
		why = "error.details is not an array";
	else if (code && strcmp(code, got_code))
		why = "wrong error.code";
	if (!why) {
		json_array_foreach(details, i, d) {
			if (!json_is_object(d) ||
			    !json_is_string(json_object_get(d, "field")) ||
			    !json_is_string(json_object_get(d, "message")))
				why = "a detail is not {\"field\", \"message\"}";
		}
	}
	if (!why && field && error_details_naming(r, field) == 0)
		why = "no error detail names the expected field";
	if (!why)
		return;
	print_error("%s: expected HTTP %ld code %s field %s\n", why, status,
		    code ? code : "(any)", field ? field : "(any)");
	print_resp(r);
	_fail(file, line);
}

int is_rfc3339(const char *s)
{
	/* YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM) */
	static const char pat[] = "dddd-dd-ddTdd:dd:dd";
	size_t i;

	if (!s)
		return 0;
	for (i = 0; pat[i]; i++) {
		if (pat[i] == 'd' ? !isdigit((unsigned char)s[i])
				  : s[i] != pat[i])
			return 0;
	}
	s += i;
	if (*s == '.') {
		s++;
		if (!isdigit((unsigned char)*s))
			return 0;
		while (isdigit((unsigned char)*s))
			s++;
	}
	if (!strcmp(s, "Z"))
		return 1;
	return (s[0] == '+' || s[0] == '-') && isdigit((unsigned char)s[1]) &&
	       isdigit((unsigned char)s[2]) && s[3] == ':' &&
	       isdigit((unsigned char)s[4]) && isdigit((unsigned char)s[5]) &&
	       s[6] == '\0';
}

void rfc3339(time_t t, char *out, size_t out_size)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, out_size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- catalog --------------------------------------------------------------- */

static long post_status(const char *method, const char *path, const char *key,
			const json_t *body)
{
	struct resp *r = http_json(method, path, key, body, NULL);
	long st = r->status;

	if (st != 200 && st != 201) {
		fprintf(stderr, "harness: seeding failed\n");
		print_resp(r);
	}
	resp_free(r);
	return st;
}

static int seed_catalog_checked(const char *key)
{
	json_t *cat = fixture("catalog.json");
	json_t *v;
	size_t i;
	int rc = 0;

	json_array_foreach(json_object_get(cat, "skus"), i, v) {
		long st = post_status("POST", "/v1/skus", key, v);

		if (st != 200 && st != 201)
			rc = -1;
	}
	json_array_foreach(json_object_get(cat, "locations"), i, v) {
		long st = post_status("POST", "/v1/locations", key, v);

		if (st != 200 && st != 201)
			rc = -1;
	}
	json_array_foreach(json_object_get(cat, "stock"), i, v) {
		char path[256];
		json_t *body = json_pack("{sO}", "on_hand",
					 json_object_get(v, "on_hand"));

		snprintf(path, sizeof(path), "/v1/locations/%s/stock/%s",
			 jstr(v, "location"), jstr(v, "sku"));
		if (post_status("PUT", path, key, body) != 200)
			rc = -1;
		json_decref(body);
	}
	json_decref(cat);
	return rc;
}

void seed_catalog(const char *key)
{
	assert_int_equal(seed_catalog_checked(key), 0);
}

void make_sku(const char *key, const char *sku, const char *title,
	      const char *unit_price, int active)
{
	json_t *body = json_pack("{ssssssss sb}", "sku", sku, "title", title,
				 "unit_price", unit_price, "currency", "USD",
				 "active", active);
	struct resp *r = http_json("POST", "/v1/skus", key, body, NULL);

	if (r->status != 200 && r->status != 201) {
		print_resp(r);
		fail_msg("make_sku %s failed", sku);
	}
	resp_free(r);
	json_decref(body);
}

void make_location(const char *key, const char *code, const char *name,
		   const char *country, const char *region)
{
	json_t *body = json_pack("{ssssssss ss ss ss si sb}", "code", code,
				 "name", name, "country", country, "region",
				 region, "city", "Columbus", "postal_code",
				 "43215", "line1", "1 Distribution Dr",
				 "priority", 5, "active", 1);
	struct resp *r = http_json("POST", "/v1/locations", key, body, NULL);

	if (r->status != 200 && r->status != 201) {
		print_resp(r);
		fail_msg("make_location %s failed", code);
	}
	resp_free(r);
	json_decref(body);
}

void set_stock(const char *key, const char *location, const char *sku,
	       long on_hand)
{
	char path[256];
	json_t *body = json_pack("{sI}", "on_hand", (json_int_t)on_hand);
	struct resp *r;

	snprintf(path, sizeof(path), "/v1/locations/%s/stock/%s", location,
		 sku);
	r = http_json("PUT", path, key, body, NULL);
	assert_status(r, 200);
	resp_free(r);
	json_decref(body);
}

static void url_escape(const char *s, char *out, size_t out_size)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		assert_true(n + 4 < out_size);
		if (isalnum(ch) || ch == '-' || ch == '_' || ch == '.' ||
		    ch == '~') {
			out[n++] = (char)ch;
		} else {
			out[n++] = '%';
			out[n++] = hex[ch >> 4];
			out[n++] = hex[ch & 15];
		}
	}
	out[n] = '\0';
}

json_t *list_all(const char *key, const char *path, const char *array_name,
		 int page)
{
	json_t *all = json_array();
	char cursor[HARNESS_PATH_MAX / 2] = "";
	char sep = strchr(path, '?') ? '&' : '?';

	for (int pages = 0;; pages++) {
		char url[HARNESS_PATH_MAX];
		struct resp *r;
		json_t *items, *next;

		assert_true(pages < LIST_MAX_PAGES);
		if (cursor[0])
			snprintf(url, sizeof(url), "%s%climit=%d&cursor=%s",
				 path, sep, page, cursor);
		else
			snprintf(url, sizeof(url), "%s%climit=%d", path, sep,
				 page);
		r = http("GET", url, key, NULL, 0, NULL);
		assert_status(r, 200);
		items = json_object_get(r->json, array_name);
		next = json_object_get(r->json, "next_cursor");
		if (!json_is_array(items) ||
		    !(json_is_string(next) || json_is_null(next))) {
			print_resp(r);
			fail_msg("list %s: no \"%s\" array or next_cursor",
				 path, array_name);
		}
		json_array_extend(all, items);
		if (json_is_null(next) || json_array_size(items) == 0) {
			/* An empty page must end the list. */
			if (json_is_string(next)) {
				print_resp(r);
				fail_msg("empty page with a next_cursor");
			}
			resp_free(r);
			break;
		}
		{
			char esc[HARNESS_PATH_MAX / 2];

			url_escape(json_string_value(next), esc, sizeof(esc));
			if (!strcmp(esc, cursor)) {
				print_resp(r);
				fail_msg("next_cursor did not move");
			}
			memcpy(cursor, esc, sizeof(cursor));
		}
		resp_free(r);
	}
	return all;
}

/* ---- orders ------------------------------------------------------------------ */

static atomic_ulong order_seq; /* tests create orders from several threads */

/* "12.50" -> 1250 (2-decimal currencies only; the tests use USD). */
static long long cents(const char *s)
{
	long long whole = 0, frac = 0;
	int frac_digits = 0;

	assert_non_null(s);
	for (; *s && *s != '.'; s++) {
		assert_true(isdigit((unsigned char)*s));
		whole = whole * 10 + (*s - '0');
	}
	if (*s == '.') {
		for (s++; *s; s++) {
			assert_true(isdigit((unsigned char)*s));
			assert_true(frac_digits < 2);
			frac = frac * 10 + (*s - '0');
			frac_digits++;
		}
	}
	while (frac_digits++ < 2)
		frac *= 10;
	return whole * 100 + frac;
}

static json_t *money(long long c)
{
	char s[32];

	assert_true(c >= 0);
	snprintf(s, sizeof(s), "%lld.%02lld", c / 100, c % 100);
	return json_string(s);
}

void order_fix_totals(json_t *order)
{
	long long sub = 0, ship, tax, disc;
	json_t *line;
	size_t i;

	json_array_foreach(json_object_get(order, "lines"), i, line) {
		json_t *q = json_object_get(line, "quantity");
		const char *p = jstr(line, "unit_price");

		if (!json_is_integer(q) || !p)
			continue;
		sub += json_integer_value(q) * cents(p);
	}
	ship = jstr(order, "totals.shipping") ?
		       cents(jstr(order, "totals.shipping")) :
		       jstr(order, "shipping.amount") ?
		       cents(jstr(order, "shipping.amount")) : 0;
	tax = jstr(order, "totals.tax") ? cents(jstr(order, "totals.tax")) : 0;
	disc = jstr(order, "totals.discount") ?
		       cents(jstr(order, "totals.discount")) : 0;
	jset(order, "totals.subtotal", money(sub));
	jset(order, "totals.total", money(sub + ship + tax - disc));
}

json_t *order_new(const char *external_id)
{
	json_t *o = fixture("order_clean_us.json");
	unsigned long n = atomic_fetch_add(&order_seq, 1) + 1;
	char buf[128];

	jset(o, "external_id", json_string(external_id));
	rfc3339(harness_clock_now() - 3600, buf, sizeof(buf));
	jset(o, "placed_at", json_string(buf));
	snprintf(buf, sizeof(buf), "margaret.hollis+%lu@example.com", n);
	jset(o, "customer.email", json_string(buf));
	snprintf(buf, sizeof(buf), "Suite %lu", 4100 + n);
	jset(o, "ship_to.line2", json_string(buf));
	jset(o, "lines[0].quantity", json_integer((json_int_t)(1 + n % 5)));
	order_fix_totals(o);
	return o;
}

struct resp *order_post(const char *key, const json_t *order,
			const char *idempotency_key)
{
	char h[256];
	const char *headers[] = { h, NULL };

	if (!idempotency_key)
		return http_json("POST", "/v1/orders", key, order, NULL);
	snprintf(h, sizeof(h), "Idempotency-Key: %s", idempotency_key);
	return http_json("POST", "/v1/orders", key, order, headers);
}

char *order_create(const char *key, const json_t *order)
{
	struct resp *r = order_post(key, order, NULL);
	const char *id;
	char *copy;

	assert_status(r, 201);
	id = jstr(r->json, "id");
	if (!id) {
		print_resp(r);
		fail_msg("order without an id");
	}
	copy = strdup(id);
	assert_non_null(copy);
	resp_free(r);
	return copy;
}

size_t orders_count(const char *key, const char *query)
{
	char path[HARNESS_PATH_MAX];
	json_t *all;
	size_t n;

	snprintf(path, sizeof(path), "/v1/orders%s%s", query[0] ? "?" : "",
		 query);
	all = list_all(key, path, "orders", 200);
	n = json_array_size(all);
	json_decref(all);
	return n;
}

int state_is_clean(const char *state)
{
	return streq(state, "accepted") || streq(state, "allocated") ||
	       streq(state, "released");
}

static int hold_is_open(const json_t *h)
{
	const char *st = jstr(h, "status");

	return st && !strcmp(st, "open");
}

size_t open_holds(const json_t *order, const char *type)
{
	json_t *h;
	size_t i, n = 0;

	json_array_foreach(json_object_get(order, "holds"), i, h) {
		const char *t = jstr(h, "type");

		if (hold_is_open(h) && (!type || (t && !strcmp(t, type))))
			n++;
	}
	return n;
}

json_t *find_hold(const json_t *order, const char *type)
{
	json_t *h;
	size_t i;

	json_array_foreach(json_object_get(order, "holds"), i, h) {
		const char *t = jstr(h, "type");

		if (hold_is_open(h) && t && !strcmp(t, type))
			return h;
	}
	return NULL;
}

void harness_assert_single_hold(const json_t *order, const char *type,
				const char *field, const char *file, int line)
{
	const char *state = jstr(order, "state");
	json_t *h = find_hold(order, type);
	const char *why = NULL;

	if (!state || strcmp(state, "on_hold"))
		why = "state is not on_hold";
	else if (!json_is_array(json_object_get(order, "holds")))
		why = "holds is not an array";
	else if (open_holds(order, NULL) != 1)
		why = "not exactly one open hold";
	else if (!h)
		why = "no open hold of the expected type";
	else if (field && (!jstr(h, "field") || strcmp(jstr(h, "field"), field)))
		why = "the hold names another field";
	else if (!jstr(h, "message") || !jstr(h, "message")[0])
		why = "the hold has no message";
	else if (!jstr(h, "id") || strncmp(jstr(h, "id"), "hld_", 4))
		why = "the hold has no hld_ id";
	if (!why)
		return;
	{
		char *text = json_dumps(order, JSON_INDENT(1));

		print_error("%s: expected one open %s hold on %s\norder: %s\n",
			    why, type, field ? field : "(any field)",
			    text ? text : "?");
		free(text);
	}
	_fail(file, line);
}

/* ---- stock, allocation, fulfillment (issue 3) ------------------------------ */

static json_t *order_line(const char *sku, long quantity,
			  const char *unit_price)
{
	char title[160];

	snprintf(title, sizeof(title), "Test item %s", sku);
	return json_pack("{ss ss sI ss}", "sku", sku, "title", title,
			 "quantity", (json_int_t)quantity, "unit_price",
			 unit_price);
}

json_t *order_one_line(const char *external_id, const char *sku, long quantity,
		       const char *unit_price)
{
	json_t *o = order_new(external_id);
	json_t *lines = json_array();

	json_array_append_new(lines, order_line(sku, quantity, unit_price));
	jset(o, "lines", lines);
	order_fix_totals(o);
	return o;
}

void order_add_line(json_t *order, const char *sku, long quantity,
		    const char *unit_price)
{
	json_array_append_new(json_object_get(order, "lines"),
			      order_line(sku, quantity, unit_price));
	order_fix_totals(order);
}

void harness_assert_line_identity(const json_t *order, const char *file,
				  int line)
{
	static const char *const parts[] = { "open", "allocated", "released",
					     "shipped", "cancelled" };
	json_t *lines = json_object_get(order, "lines");
	json_t *l;
	size_t i;
	const char *why = NULL;
	size_t bad = 0;

	if (!json_is_array(lines) || json_array_size(lines) == 0)
		why = "order has no lines array";
	json_array_foreach(lines, i, l) {
		json_t *q = json_object_get(l, "quantity");
		json_int_t sum = 0;

		if (why)
			break;
		if (!json_is_integer(q)) {
			why = "line quantity is not an integer";
			bad = i;
			break;
		}
		for (size_t k = 0; k < sizeof(parts) / sizeof(parts[0]); k++) {
			json_t *v = json_object_get(l, parts[k]);

			if (!json_is_integer(v) || json_integer_value(v) < 0) {
				why = "a line quantity field is missing or "
				      "negative";
				bad = i;
				break;
			}
			sum += json_integer_value(v);
		}
		if (!why && sum != json_integer_value(q)) {
			why = "quantity != open + allocated + released + "
			      "shipped + cancelled";
			bad = i;
		}
	}
	if (!why)
		return;
	{
		char *text = json_dumps(order, JSON_INDENT(1));

		print_error("line identity broken (lines[%zu]): %s\norder: %s\n",
			    bad, why, text ? text : "?");
		free(text);
	}
	_fail(file, line);
}

json_t *order_fetch(const char *key, const char *id)
{
	struct resp *r = http_get(key, "/v1/orders/%s", id);
	json_t *o;

	assert_status(r, 200);
	o = json_incref(r->json);
	resp_free(r);
	assert_line_identity(o);
	return o;
}

json_t *order_wait(const char *key, const char *id,
		   int (*pred)(const json_t *order, const void *arg),
		   const void *arg, long timeout_ms)
{
	long deadline = now_ms() + timeout_ms * harness_slow();

	for (;;) {
		json_t *o = order_fetch(key, id);

		if (pred(o, arg) || now_ms() > deadline)
			return o;
		json_decref(o);
		sleep_ms(100);
	}
}

int order_in_state(const json_t *order, const void *state)
{
	return streq(jstr(order, "state"), state);
}

json_t *order_wait_state(const char *key, const char *id, const char *state,
			 long timeout_ms)
{
	return order_wait(key, id, order_in_state, state, timeout_ms);
}

long order_units(const json_t *order, const char *field, const char *sku)
{
	json_t *l;
	size_t i;
	long n = 0;

	json_array_foreach(json_object_get(order, "lines"), i, l) {
		if (sku && !streq(jstr(l, "sku"), sku))
			continue;
		n += (long)json_integer_value(json_object_get(l, field));
	}
	return n;
}

json_t *order_fulfillment(const json_t *order, const char *location,
			  const char *state)
{
	json_t *f;
	size_t i;

	json_array_foreach(json_object_get(order, "fulfillments"), i, f) {
		if (location && !streq(jstr(f, "location"), location))
			continue;
		if (state && !streq(jstr(f, "state"), state))
			continue;
		return f;
	}
	return NULL;
}

void make_location_serving(const char *key, const char *code, int priority,
			   const char *serves_json)
{
	json_t *body = json_pack("{ss ss ss ss ss ss ss si sb}", "code", code,
				 "name", code, "country", "US", "region", "OH",
				 "city", "Columbus", "postal_code", "43215",
				 "line1", "1 Distribution Dr", "priority",
				 priority, "active", 1);
	struct resp *r;

	if (serves_json)
		json_object_set_new(body, "serves", jparse(serves_json));
	r = http_json("POST", "/v1/locations", key, body, NULL);
	if (r->status != 200 && r->status != 201) {
		print_resp(r);
		fail_msg("make_location_serving %s failed", code);
	}
	if (serves_json) {
		json_t *want = jparse(serves_json);

		if (!json_equal(json_object_get(r->json, "serves"), want)) {
			print_resp(r);
			fail_msg("location %s: serves not returned as sent (%s)",
				 code, serves_json);
		}
		json_decref(want);
	}
	resp_free(r);
	json_decref(body);
}

json_t *stock_get(const char *key, const char *sku)
{
	struct resp *r = http_get(key, "/v1/stock?sku=%s", sku);
	json_t *j;

	assert_status(r, 200);
	j = json_incref(r->json);
	resp_free(r);
	return j;
}

json_t *stock_at(const json_t *stock, const char *location)
{
	json_t *l;
	size_t i;

	json_array_foreach(json_object_get(stock, "locations"), i, l)
		if (streq(jstr(l, "location"), location))
			return l;
	return NULL;
}

long stock_figure(const char *key, const char *sku, const char *location,
		  const char *figure)
{
	json_t *st = stock_get(key, sku);
	json_t *v = json_object_get(stock_at(st, location), figure);
	long n = json_is_integer(v) ? (long)json_integer_value(v) : -1;

	json_decref(st);
	return n;
}

void stock_adjust(const char *key, const char *location, const char *sku,
		  long delta, const char *reason)
{
	char path[256];
	json_t *body = json_pack("{sI ss}", "delta", (json_int_t)delta,
				 "reason", reason);
	struct resp *r;

	snprintf(path, sizeof(path), "/v1/locations/%s/stock/%s/adjustments",
		 location, sku);
	r = http_json("POST", path, key, body, NULL);
	assert_status(r, 200);
	resp_free(r);
	json_decref(body);
}

void settings_patch(const char *key, const char *json_text)
{
	struct resp *r = http("PATCH", "/v1/settings", key, json_text,
			      strlen(json_text), NULL);

	assert_status(r, 200);
	resp_free(r);
}

int settings_reset(void **state)
{
	static const char defaults[] =
		"{\"duplicate_window_s\": 86400, \"backorder_mode\": "
		"\"backorder\", \"release_mode\": \"auto\", \"release_sla_s\": "
		"14400, \"cutoff_utc\": null, \"closing_period_s\": 1209600, "
		"\"webhook_retry_window_s\": 259200, \"low_stock_threshold\": 5, "
		"\"bulk_limit\": 100, \"change_window_s\": 14400}";
	const char *keys[2];
	int rc = 0;

	(void)state;
	if (!srv)
		return 0;
	keys[0] = srv->key_acme;
	keys[1] = srv->key_globex;
	for (int i = 0; i < 2; i++) {
		struct resp *r = http("PATCH", "/v1/settings", keys[i],
				      defaults, strlen(defaults), NULL);

		if (r->status != 200) {
			fprintf(stderr, "harness: resetting settings failed\n");
			print_resp(r);
			rc = -1;
		}
		resp_free(r);
	}
	return rc;
}

/* ---- review queue, policy, defects (issue 5) ------------------------------ */

void resp_print(const struct resp *r)
{
	print_resp(r);
}

void key_create(const char *slug, const char *role, const char *name,
		char *out, size_t out_size)
{
	key_create_at(slug, role, name, NULL, out, out_size);
}

void key_create_at(const char *slug, const char *role, const char *name,
		   const char *location, char *out, size_t out_size)
{
	const char *args[] = { "key",  "create", slug,		"--role", role,
			       "--name", name,	 "--db", srv->db_path,
			       location ? "--location" : NULL, location,
			       NULL };
	struct cli_result r;

	assert_non_null(srv);
	cli_run(&r, args);
	if (r.exit_status != 0 || last_line(r.out, out, out_size) != 0) {
		print_error("`ordo key create %s --role %s --name %s%s%s` "
			    "exited %d\nstdout:\n%s\nstderr:\n%s\n",
			    slug, role, name, location ? " --location " : "",
			    location ? location : "", r.exit_status, r.out,
			    r.err);
		cli_result_free(&r);
		fail();
	}
	cli_result_free(&r);
}

time_t rfc3339_parse(const char *s)
{
	struct tm tm;
	const char *p;

	if (!is_rfc3339(s))
		return (time_t)-1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = atoi(s) - 1900;
	tm.tm_mon = atoi(s + 5) - 1;
	tm.tm_mday = atoi(s + 8);
	tm.tm_hour = atoi(s + 11);
	tm.tm_min = atoi(s + 14);
	tm.tm_sec = atoi(s + 17);
	p = s + 19;
	if (*p == '.')
		while (*++p && isdigit((unsigned char)*p))
			;
	if (*p != 'Z')
		return (time_t)-1;
	return timegm(&tm);
}

struct resp *hold_post(const char *key, const char *hold_id, const char *what,
		       const char *body)
{
	char path[HARNESS_PATH_MAX];

	snprintf(path, sizeof(path), "/v1/holds/%s/%s", hold_id, what);
	return http("POST", path, key, body, body ? strlen(body) : 0, NULL);
}

struct resp *hold_resolve(const char *key, const char *hold_id,
			  const char *action, const char *reason,
			  const char *changes_json)
{
	json_t *body = json_object();
	struct resp *r;
	char *text;

	if (action)
		json_object_set_new(body, "action", json_string(action));
	if (reason)
		json_object_set_new(body, "reason", json_string(reason));
	if (changes_json)
		json_object_set_new(body, "changes", jparse(changes_json));
	text = json_dumps(body, JSON_COMPACT);
	assert_non_null(text);
	r = hold_post(key, hold_id, "resolve", text);
	free(text);
	json_decref(body);
	return r;
}

json_t *queue_items(const char *key, const char *query)
{
	char path[HARNESS_PATH_MAX];

	snprintf(path, sizeof(path), "/v1/queue%s%s",
		 query && query[0] ? "?" : "", query ? query : "");
	return list_all(key, path, "items", 100);
}

json_t *queue_find(const json_t *items, const char *hold_id)
{
	json_t *it;
	size_t i;

	json_array_foreach(items, i, it)
		if (streq(jstr(it, "hold.id"), hold_id))
			return it;
	return NULL;
}

json_t *order_hold_by_id(const json_t *order, const char *hold_id)
{
	json_t *h;
	size_t i;

	json_array_foreach(json_object_get(order, "holds"), i, h)
		if (streq(jstr(h, "id"), hold_id))
			return h;
	return NULL;
}

json_t *order_events(const char *key, const char *id)
{
	struct resp *r = http_get(key, "/v1/orders/%s/events", id);
	json_t *ev;

	assert_status(r, 200);
	ev = json_object_get(r->json, "events");
	if (!json_is_array(ev)) {
		print_resp(r);
		fail_msg("no events array");
	}
	json_incref(ev);
	resp_free(r);
	return ev;
}

json_t *event_find(const json_t *events, const char *type,
		   const char *hold_id)
{
	json_t *e;
	size_t i;

	json_array_foreach(events, i, e)
		if (streq(jstr(e, "type"), type) &&
		    (!hold_id || streq(jstr(e, "hold_id"), hold_id)))
			return e;
	return NULL;
}

void hold_id_of(const json_t *order, const char *type, char *out,
		size_t out_size)
{
	json_t *h = find_hold(order, type);

	if (!h || !jstr(h, "id")) {
		char *text = json_dumps(order, JSON_INDENT(1));

		print_error("expected an open %s hold\norder: %s\n", type,
			    text ? text : "?");
		free(text);
		fail();
	}
	snprintf(out, out_size, "%s", jstr(h, "id"));
}

int error_field_prefix(const struct resp *r, const char *prefix)
{
	json_t *d;
	size_t i;

	json_array_foreach(jget(r->json, "error.details"), i, d) {
		const char *f = jstr(d, "field");

		if (f && !strncmp(f, prefix, strlen(prefix)))
			return 1;
	}
	return 0;
}
