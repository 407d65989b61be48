/*
 * test_sessions.c - people log in: `ordo user create|grant`, POST, GET
 * and DELETE /v1/session, and every route through a session's cookie.
 *
 * The cookie is HttpOnly, SameSite=Strict, Path=/, and Secure behind a
 * proxy that says the request came over TLS. A person names the tenant a
 * request is about (Ordo-Tenant) when they serve several, has the role
 * they hold there, and acts under their email. Writes need the session's
 * CSRF token. A session ends after an hour idle and 12 hours after its
 * login; logging out ends it at once. Failed logins slow down and then
 * lock the account, for a known email and an unknown one alike, and the
 * client address is counted too. No password reaches the server's log.
 */
#include "harness.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ALICE "alice@example.com"
#define ALICE_PW "correct horse battery staple"

/* A literal body and its length. */
#define B(text) text, strlen(text)

/* A session, as the tests hold it. */
struct sess {
	char cookie[160];  /* "Cookie: ordo_session=..." */
	char csrf[120];	   /* "X-CSRF-Token: ..." */
	char set_cookie[256];
};

/* `ordo user ARGS... --db <the group's db>` with input; asserts exit 0 and
 * answers stdout (malloc'd). */
static char *user_cli(const char *input, const char *what, const char *email,
		      const char *tenant, const char *role)
{
	const char *args[] = {"user",	  what,	  email, "--tenant", tenant,
			      "--role", role, "--db",	 srv->db_path, NULL};
	struct cli_result r;
	char *out;

	cli_run_input(&r, args, input);
	check(r.exit_status == 0, "ordo user %s %s: %s%s", what, email, r.out,
	      r.err);
	out = r.out;
	r.out = NULL;
	cli_result_free(&r);
	return out;
}

/* POST /v1/session; the answer (the caller frees it). */
static struct resp *login(const char *email, const char *password,
			  const char *const *headers)
{
	char body[512];

	snprintf(body, sizeof(body),
		 "{\"email\": \"%s\", \"password\": \"%s\"}", email, password);
	return http("POST", "/v1/session", NULL, body, strlen(body), headers);
}

/* Log in as email; asserts 201 and fills s. */
static void login_ok(const char *email, const char *password, struct sess *s)
{
	struct resp *r = login(email, password, NULL);
	char *end;

	assert_status(r, 201);
	check(resp_header(r, "Set-Cookie", s->set_cookie,
			  sizeof(s->set_cookie)),
	      "a login sets its cookie: %s", r->headers);
	check(!strncmp(s->set_cookie, "ordo_session=ordo_ss_", 21),
	      "the cookie: %s", s->set_cookie);
	snprintf(s->cookie, sizeof(s->cookie), "Cookie: %.150s", s->set_cookie);
	end = strchr(s->cookie, ';');
	if (end)
		*end = '\0';
	check(jstr(r->json, "csrf_token") &&
		      strlen(jstr(r->json, "csrf_token")) == 64,
	      "a CSRF token: %s", r->body);
	snprintf(s->csrf, sizeof(s->csrf), "X-CSRF-Token: %s",
		 jstr(r->json, "csrf_token"));
	resp_free(r);
}

/* A request with the session (tenant NULL: no Ordo-Tenant; csrf: send the
 * token). */
static struct resp *as(const struct sess *s, const char *tenant, bool csrf,
		       const char *method, const char *path, const char *body)
{
	char t[96];
	const char *headers[4] = {s->cookie, NULL, NULL, NULL};
	int n = 1;

	if (tenant) {
		snprintf(t, sizeof(t), "Ordo-Tenant: %s", tenant);
		headers[n++] = t;
	}
	if (csrf)
		headers[n++] = s->csrf;
	return http(method, path, NULL, body, body ? strlen(body) : 0,
		    headers);
}

static long status_of(struct resp *r)
{
	long st = r->status;

	resp_free(r);
	return st;
}

/* A request of s at the servers' time, then until its use is kept (a
 * write the request does not wait for): GET /v1/session says the idle
 * end the kept use gives. Asserts the request's 200. */
static void use(const struct sess *s)
{
	long waited;

	assert_int_equal(status_of(as(s, "acme", false, "GET",
				      "/v1/orders?limit=1", NULL)),
			 200);
	for (waited = 0;; waited += 20) {
		struct resp *r = as(s, NULL, false, "GET", "/v1/session", NULL);
		long long idle = rfc3339_parse(jstr(r->json, "idle_expires_at"));
		long long end = rfc3339_parse(jstr(r->json, "expires_at"));

		assert_status(r, 200);
		resp_free(r);
		if (idle == harness_clock_now() + 3600 || idle == end)
			return;
		check(waited < 10000, "the use is kept within 10 s");
		harness_sleep_ms(20);
	}
}

static int group_setup(void **state)
{
	int rc = harness_group_setup(state);
	char *out;

	if (rc)
		return rc;
	/* Alice serves acme as an agent and globex as a supervisor; her
	 * password comes on standard input, and is not printed. */
	out = user_cli(ALICE_PW "\n", "create", "Alice@Example.com", "acme",
		       "agent");
	check(!strstr(out, ALICE_PW), "the password is not printed: %s", out);
	free(out);
	free(user_cli(NULL, "grant", ALICE, "globex", "supervisor"));
	return 0;
}

API_TEST(a_login_sets_a_cookie_no_script_reads)
{
	static const char *const tls[] = {"X-Forwarded-Proto: https", NULL};
	char set[256];
	struct resp *r = login("ALICE@example.com", ALICE_PW, NULL);
	json_t *t;

	assert_status(r, 201);
	assert_secure_headers(r);
	check(resp_header(r, "Set-Cookie", set, sizeof(set)) &&
		      strstr(set, "; HttpOnly") &&
		      strstr(set, "; SameSite=Strict") &&
		      strstr(set, "; Path=/") && strstr(set, "; Max-Age=43200") &&
		      !strstr(set, "Secure"),
	      "over plain HTTP: %s", set);
	check(streq(jstr(r->json, "user.email"), ALICE) &&
		      !strncmp(jstr(r->json, "user.id"), "usr_", 4),
	      "who: %s", r->body);
	t = jget(r->json, "tenants");
	check(json_array_size(t) == 2 &&
		      streq(jstr(json_array_get(t, 0), "tenant"), "acme") &&
		      streq(jstr(json_array_get(t, 0), "role"), "agent") &&
		      streq(jstr(json_array_get(t, 1), "tenant"), "globex") &&
		      streq(jstr(json_array_get(t, 1), "role"), "supervisor"),
	      "the tenants served, with a role in each: %s", r->body);
	check(rfc3339_parse(jstr(r->json, "expires_at")) -
			      rfc3339_parse(jstr(r->json, "created_at")) ==
		      43200 &&
		      rfc3339_parse(jstr(r->json, "idle_expires_at")) -
				      rfc3339_parse(jstr(r->json, "created_at")) ==
			      3600,
	      "its ends: %s", r->body);
	check(!strstr(r->body, ALICE_PW) && !strstr(r->body, "argon2"),
	      "no password or hash in the answer: %s", r->body);
	resp_free(r);
	/* Behind a proxy that says the request came over TLS: Secure. */
	r = login(ALICE, ALICE_PW, tls);
	assert_status(r, 201);
	check(resp_header(r, "Set-Cookie", set, sizeof(set)) &&
		      strstr(set, "; Secure"),
	      "behind TLS: %s", set);
	resp_free(r);
	/* No password is in the server's log. */
	{
		char *log = harness_log_text(srv);

		check(!strstr(log, ALICE_PW), "the password is logged");
		check(!strstr(log, "ordo_ss_"), "a session token is logged");
		free(log);
	}
}

API_TEST(a_session_says_who_and_works_the_tenant_it_names)
{
	struct sess s;
	struct resp *r;

	login_ok(ALICE, ALICE_PW, &s);
	r = as(&s, NULL, false, "GET", "/v1/session", NULL);
	assert_status(r, 200);
	check(streq(jstr(r->json, "user.email"), ALICE) &&
		      json_array_size(jget(r->json, "tenants")) == 2 &&
		      strlen(jstr(r->json, "csrf_token")) == 64,
	      "%s", r->body);
	resp_free(r);
	/* Two tenants: which one is named. */
	r = as(&s, NULL, false, "GET", "/v1/orders?limit=1", NULL);
	assert_error(r, 400, "invalid_request", "Ordo-Tenant");
	check(strstr(r->body, "acme, globex"), "lists them: %s", r->body);
	resp_free(r);
	assert_int_equal(status_of(as(&s, "acme", false, "GET",
				      "/v1/orders?limit=1", NULL)),
			 200);
	/* A tenant she does not serve, whether or not it exists. */
	r = as(&s, "initech", false, "GET", "/v1/orders?limit=1", NULL);
	assert_error(r, 403, "forbidden", "Ordo-Tenant");
	resp_free(r);
	/* Her role is the tenant's: an agent of acme works the queue but
	 * does not set the policy; a supervisor of globex does. */
	r = as(&s, "acme", true, "PUT", "/v1/policy", "{\"rules\": []}");
	assert_error(r, 403, "forbidden", NULL);
	resp_free(r);
	r = as(&s, "globex", true, "PUT", "/v1/policy", "{\"rules\": []}");
	assert_status(r, 201);
	resp_free(r);
	/* No key is needed with a session; a key still works alone. */
	assert_int_equal(status_of(http_get(srv->key_acme,
					    "/v1/orders?limit=1")),
			 200);
}

API_TEST(a_person_acts_under_their_own_name)
{
	struct sess s;
	json_t *events, *e;
	char *id, path[128];
	struct resp *r;
	size_t i;
	int found = 0;
	json_t *o = order_new("SESS-NOTE-1");

	id = order_create(srv->key_acme, o);
	json_decref(o);
	login_ok(ALICE, ALICE_PW, &s);
	snprintf(path, sizeof(path), "/v1/orders/%s/notes", id);
	r = as(&s, "acme", true, "POST", path,
	       "{\"text\": \"called the customer\"}");
	assert_status(r, 201);
	check(streq(jstr(r->json, "actor"), "user:" ALICE), "%s", r->body);
	resp_free(r);
	events = order_events(srv->key_acme, id);
	json_array_foreach(events, i, e)
		if (streq(jstr(e, "type"), "note") &&
		    streq(jstr(e, "actor"), "user:" ALICE))
			found++;
	check(found == 1, "the timeline names her: %s",
	      json_dumps(events, 0));
	json_decref(events);
	free(id);
}

API_TEST(writes_through_a_session_need_its_csrf_token)
{
	static const char *const bodies[] = {
		"{\"text\": \"CSRF-1\"}",
	};
	struct sess s, other;
	const char *headers[4];
	char path[128], events[128], *id;
	json_t *o = order_new("SESS-CSRF-1");
	struct resp *r;

	/* A note on an order: a write an agent may make. */
	id = order_create(srv->key_acme, o);
	json_decref(o);
	snprintf(path, sizeof(path), "/v1/orders/%s/notes", id);
	free(id);
	login_ok(ALICE, ALICE_PW, &s);
	login_ok(ALICE, ALICE_PW, &other);
	r = as(&s, "acme", false, "POST", path, bodies[0]);
	assert_error(r, 403, "forbidden", "X-CSRF-Token");
	resp_free(r);
	/* Another session's token is not this one's. */
	headers[0] = s.cookie;
	headers[1] = "Ordo-Tenant: acme";
	headers[2] = other.csrf;
	headers[3] = NULL;
	r = http("POST", path, NULL, B(bodies[0]), headers);
	assert_error(r, 403, "forbidden", "X-CSRF-Token");
	resp_free(r);
	/* Nothing was written. */
	snprintf(events, sizeof(events), "%.*s/events",
		 (int)(strlen(path) - strlen("/notes")), path);
	r = http_get(srv->key_acme, "%s", events);
	check(!strstr(r->body, "CSRF-1"), "no note was made: %s", r->body);
	resp_free(r);
	r = as(&s, "acme", true, "POST", path, bodies[0]);
	assert_status(r, 201);
	resp_free(r);
	r = http_get(srv->key_acme, "%s", events);
	check(strstr(r->body, "CSRF-1"), "the note is on the timeline: %s",
	      r->body);
	resp_free(r);
	/* Logging out is a write too. */
	r = as(&s, NULL, false, "DELETE", "/v1/session", NULL);
	assert_error(r, 403, "forbidden", "X-CSRF-Token");
	resp_free(r);
	assert_int_equal(status_of(as(&s, NULL, false, "GET", "/v1/session",
				      NULL)),
			 200);
}

API_TEST(logging_out_ends_the_session_at_once)
{
	struct sess s, kept;
	char set[256];
	struct resp *r;

	login_ok(ALICE, ALICE_PW, &s);
	login_ok(ALICE, ALICE_PW, &kept);
	r = as(&s, NULL, true, "DELETE", "/v1/session", NULL);
	assert_status(r, 204);
	check(resp_header(r, "Set-Cookie", set, sizeof(set)) &&
		      !strncmp(set, "ordo_session=;", 14) &&
		      strstr(set, "Max-Age=0"),
	      "the cookie is cleared: %s", set);
	resp_free(r);
	r = as(&s, "acme", false, "GET", "/v1/orders?limit=1", NULL);
	assert_error(r, 401, "unauthorized", "session");
	resp_free(r);
	r = as(&s, NULL, false, "GET", "/v1/session", NULL);
	assert_error(r, 401, "unauthorized", "session");
	resp_free(r);
	/* Her other session goes on. */
	assert_int_equal(status_of(as(&kept, "acme", false, "GET",
				      "/v1/orders?limit=1", NULL)),
			 200);
	/* A made-up cookie is no session. */
	{
		const char *bad[] = {"Cookie: ordo_session=ordo_ss_0000", NULL};

		r = http("GET", "/v1/orders?limit=1", NULL, NULL, 0, bad);
		assert_error(r, 401, "unauthorized", "session");
		resp_free(r);
	}
}

API_TEST(a_session_ends_after_an_idle_hour_and_after_twelve_hours)
{
	struct sess s;
	struct resp *r;
	int i;

	harness_clock_stop();
	login_ok(ALICE, ALICE_PW, &s);
	harness_clock_advance(3599);
	use(&s);
	/* That request kept it alive for another hour. */
	harness_clock_advance(3599);
	use(&s);
	harness_clock_advance(3600);
	r = as(&s, "acme", false, "GET", "/v1/orders?limit=1", NULL);
	assert_error(r, 401, "unauthorized", "session");
	check(strstr(r->body, "without a request"), "says why: %s", r->body);
	resp_free(r);

	/* Used every half hour, it still ends 12 hours after its login. */
	login_ok(ALICE, ALICE_PW, &s);
	for (i = 1; i < 24; i++) {
		harness_clock_advance(1800);
		use(&s);
	}
	harness_clock_advance(1799);
	use(&s);
	harness_clock_advance(1);
	r = as(&s, "acme", false, "GET", "/v1/orders?limit=1", NULL);
	assert_error(r, 401, "unauthorized", "session");
	check(strstr(r->body, "12 hours"), "says why: %s", r->body);
	resp_free(r);
	harness_clock_run();
}

/* A wrong login answers 401 (wrong) or 429 (wait); the status. */
static long wrong(const char *email, char *after, size_t size)
{
	struct resp *r = login(email, "not the password at all", NULL);
	long st = r->status;

	if (st == 401) {
		assert_error(r, 401, "unauthorized", "password");
		check(strstr(r->body, "the email or the password is wrong"),
		      "one answer for both: %s", r->body);
	} else {
		assert_error(r, 429, "rate_limited", NULL);
		check(resp_header(r, "Retry-After", after, size),
		      "a 429 says when: %s", r->headers);
	}
	resp_free(r);
	return st;
}

/* n wrong logins of email; fails past the first unless each is 401. */
static void failures(const char *email, int n)
{
	while (n-- > 0) {
		struct resp *r = login(email, "not the password at all", NULL);

		check(r->status == 401, "a wrong login of %s: %ld %s", email,
		      r->status, r->body);
		resp_free(r);
	}
}

/* A refused login leaves a line in the server's log, whoever's email it
 * tried: one that is nobody's is in no tenant's audit log. */
API_TEST(a_refused_login_is_logged_even_for_nobody)
{
	char *text, *line;
	int found = 0;

	failures("ghost-logged@example.com", 1);
	text = harness_log_text(srv);
	for (line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
		if (strstr(line, "\"login_refused\"") &&
		    strstr(line, "\"email\":\"ghost-logged@example.com\"") &&
		    strstr(line, "\"client\":\"127.0.0.1\"") &&
		    strstr(line, "\"code\":\"unauthorized\""))
			found = 1;
	free(text);
	check(found, "no login_refused line for ghost-logged@example.com");
}

/* One login of many at once (busy_login). */
struct busy {
	pthread_barrier_t *start;
	long status;
	char retry_after[16];
};

static void *busy_login(void *arg)
{
	struct busy *b = arg;
	struct resp *r;

	pthread_barrier_wait(b->start);
	r = login("busy@example.com", ALICE_PW, NULL);
	b->status = r->status;
	if (r->status == 429)
		resp_header(r, "Retry-After", b->retry_after,
			    sizeof(b->retry_after));
	resp_free(r);
	return NULL;
}

/* A node hashes at most ORDO_PASSWORD_HASHES_AT_ONCE (2) passwords at
 * once (each takes 64 MiB): of 8 logins at once on its 4 threads, some
 * are told to come back in a second (429, Retry-After: 1), and the rest
 * log in. */
API_TEST(a_node_hashes_two_passwords_at_once)
{
	enum { N = 8, ROUNDS = 5 };
	struct busy b[N];
	pthread_t t[N];
	pthread_barrier_t start;
	int ok = 0, busy = 0, i, round;

	free(user_cli(ALICE_PW "\n", "create", "busy@example.com", "acme",
		      "viewer"));
	/* Logins let go at once still reach a busy machine one by one at
	 * times: a round in which none overlapped shows nothing, and the
	 * next is tried. */
	for (round = 0; round < ROUNDS && !(ok >= 1 && busy >= 1); round++) {
		ok = busy = 0;
		pthread_barrier_init(&start, NULL, N);
		for (i = 0; i < N; i++) {
			memset(&b[i], 0, sizeof(b[i]));
			b[i].start = &start;
			assert_int_equal(pthread_create(&t[i], NULL, busy_login,
							&b[i]),
					 0);
		}
		for (i = 0; i < N; i++)
			pthread_join(t[i], NULL);
		pthread_barrier_destroy(&start);
		for (i = 0; i < N; i++) {
			ok += b[i].status == 201;
			busy += b[i].status == 429 &&
				streq(b[i].retry_after, "1");
			check(b[i].status == 201 || b[i].status == 429,
			      "a login at once answered %ld", b[i].status);
		}
		if (!busy)
			harness_sleep_ms(1100); /* past the Retry-After */
	}
	check(ok >= 1 && busy >= 1, "%d logged in, %d told to wait, in %d "
	      "rounds", ok, busy, round);
}

/* A person serves at most ORDO_USER_TENANTS_MAX (64) tenants (every
 * login reads them all): a grant in a 65th is refused naming the limit,
 * and their logins go on. */
API_TEST(a_person_serves_at_most_64_tenants)
{
	enum { MAX = 64 };
	struct cli_result cr;
	struct sess s;
	char slug[32];
	int k;

	/* acme is the first. */
	free(user_cli(ALICE_PW "\n", "create", "wide@example.com", "acme",
		      "viewer"));
	for (k = 1; k <= MAX; k++) {
		const char *tenant[] = {"tenant", "create", slug, "--db",
					srv->db_path, NULL};
		const char *grant[] = {"user",	 "grant",  "wide@example.com",
				       "--tenant", slug,     "--role",
				       "viewer",   "--db",   srv->db_path,
				       NULL};

		snprintf(slug, sizeof(slug), "wide-%02d", k);
		cli_run(&cr, tenant);
		check(cr.exit_status == 0, "%s%s", cr.out, cr.err);
		cli_result_free(&cr);
		cli_run(&cr, grant);
		if (k < MAX) {
			check(cr.exit_status == 0, "grant %d: %s%s", k, cr.out,
			      cr.err);
		} else {
			check(cr.exit_status == 1 &&
				      strstr(cr.err, "ORDO_USER_TENANTS_MAX"),
			      "a 65th tenant: exit %d, %s%s", cr.exit_status,
			      cr.out, cr.err);
		}
		cli_result_free(&cr);
	}
	login_ok("wide@example.com", ALICE_PW, &s);
	{
		struct resp *got = as(&s, NULL, false, "GET", "/v1/session",
				      NULL);

		assert_status(got, 200);
		check(json_array_size(jget(got->json, "tenants")) == MAX,
		      "the person serves %zu tenants",
		      json_array_size(jget(got->json, "tenants")));
		resp_free(got);
	}
}

/* A person keeps at most ORDO_SESSIONS_PER_USER_MAX (20) sessions: the
 * login past them ends the oldest, and only it. */
API_TEST(a_login_past_twenty_sessions_ends_the_oldest)
{
	struct sess first, second, s;
	int k;

	free(user_cli(ALICE_PW "\n", "create", "many@example.com", "acme",
		      "viewer"));
	login_ok("many@example.com", ALICE_PW, &first);
	harness_clock_advance(1);
	login_ok("many@example.com", ALICE_PW, &second);
	for (k = 2; k < 20; k++)
		login_ok("many@example.com", ALICE_PW, &s);
	assert_int_equal(status_of(as(&first, NULL, false, "GET",
				      "/v1/session", NULL)),
			 200);
	login_ok("many@example.com", ALICE_PW, &s);
	assert_int_equal(status_of(as(&first, NULL, false, "GET",
				      "/v1/session", NULL)),
			 401);
	assert_int_equal(status_of(as(&second, NULL, false, "GET",
				      "/v1/session", NULL)),
			 200);
	assert_int_equal(status_of(as(&s, NULL, false, "GET", "/v1/session",
				      NULL)),
			 200);
}

API_TEST(failed_logins_slow_down_then_lock_the_account)
{
	static const char *const emails[] = {ALICE, "nobody@example.com"};
	char after[16];
	size_t e;
	int k;

	/* Waits are whole seconds of the servers' clock: held still, a
	 * slow disk cannot make one pass unseen. */
	harness_clock_stop();
	for (e = 0; e < 2; e++) {
		const char *email = emails[e];

		/* Three cost nothing; from the fourth on, the next waits 1,
		 * 2, 4 ... s after the last; the tenth locks the account
		 * for 15 minutes. */
		failures(email, 3);
		for (k = 4; k <= 10; k++) {
			long wait = k < 10 ? 1L << (k - 4) : 900;
			struct resp *r;

			failures(email, 1);
			assert_int_equal(wrong(email, after, sizeof(after)),
					 429);
			check(atol(after) == wait, "%s after %d: wait %s, not "
			      "%ld", email, k, after, wait);
			/* Even the right password waits. */
			r = login(email, ALICE_PW, NULL);
			assert_error(r, 429, "rate_limited", "email");
			check(strstr(r->body, k < 10 ? "waits" : "locked"),
			      "says why: %s", r->body);
			resp_free(r);
			harness_clock_advance(wait);
		}
		/* A refused login is a failed login in the audit log too,
		 * saying why it was refused. */
		if (e == 0) {
			struct resp *a = http_get(srv->key_acme,
						  "/v1/audit?kind=login.failed"
						  "&limit=200");

			assert_status(a, 200);
			check(strstr(a->body, "\"refused\":\"locked\"") &&
				      strstr(a->body,
					     "\"refused\":\"waiting\""),
			      "refused logins are recorded: %s", a->body);
			resp_free(a);
		}
	}
	/* A lock's length on, the right password logs in and clears the
	 * count. */
	{
		struct sess s;

		login_ok(ALICE, ALICE_PW, &s);
		failures(ALICE, 3);
		login_ok(ALICE, ALICE_PW, &s);
	}
	harness_clock_run();
}

API_TEST(logins_from_one_address_are_counted_too)
{
	char email[64], after[16];
	struct resp *r;
	long st = 401;
	int n;

	/* A new email each time, none failing twice: only the address
	 * counts them. */
	harness_clock_advance(900);
	harness_clock_stop();
	for (n = 0; n < 22 && st == 401; n++) {
		snprintf(email, sizeof(email), "guess-%d@example.com", n);
		st = wrong(email, after, sizeof(after));
	}
	check(st == 429 && n == 22,
	      "the 22nd guess from one address waits (%d guesses, %ld)", n,
	      st);
	r = login(ALICE, ALICE_PW, NULL);
	assert_error(r, 429, "rate_limited", NULL);
	check(strstr(r->body, "this address"), "says why: %s", r->body);
	resp_free(r);
	harness_clock_advance(atol(after));
	{
		struct sess s;

		login_ok(ALICE, ALICE_PW, &s);
	}
	harness_clock_run();
}

/* The 100th failed login from one address locks it for 15 minutes, its
 * people's right passwords too; each failure before, from the 21st on,
 * waits its turn (waited out here on the servers' held clock). */
API_TEST(an_address_is_locked_after_100_failures)
{
	char email[64], after[16];
	struct resp *r;
	int i, failed = 0, locked = 0;

	harness_clock_advance(900);
	harness_clock_stop();
	for (i = 0; i < 400 && !locked; i++) {
		snprintf(email, sizeof(email), "lock-%d@example.com", i);
		if (wrong(email, after, sizeof(after)) == 401)
			failed++;
		else if (atol(after) > 60)
			locked = 1;
		else
			harness_clock_advance(atol(after));
	}
	check(locked && failed == 100,
	      "locked after %d failures (locked: %d)", failed, locked);
	r = login(ALICE, ALICE_PW, NULL);
	assert_error(r, 429, "rate_limited", NULL);
	check(strstr(r->body, "locked") && strstr(r->body, "this address"),
	      "says why: %s", r->body);
	resp_free(r);
	harness_clock_advance(900);
	{
		struct sess s;

		login_ok(ALICE, ALICE_PW, &s);
	}
	harness_clock_run();
}

/* A password is at most 128 characters (ORDO_PASSWORD_MAX): one past it
 * is refused on the command line and at login, naming the limit. */
API_TEST(a_password_is_at_most_128_characters)
{
	const char *args[] = {"user",	"create", "longpw@example.com",
			      "--tenant", "acme",   "--role",
			      "viewer", "--db",	    srv->db_path, NULL};
	char pw[131], input[132];
	struct cli_result r;
	struct sess s;
	struct resp *got;

	memset(pw, 'p', 129);
	pw[129] = '\0';
	snprintf(input, sizeof(input), "%s\n", pw);
	cli_run_input(&r, args, input);
	check(r.exit_status == 2 && strstr(r.err, "over 128 characters"),
	      "129 characters: exit %d, %s", r.exit_status, r.err);
	cli_result_free(&r);
	pw[128] = '\0';
	snprintf(input, sizeof(input), "%s\n", pw);
	cli_run_input(&r, args, input);
	check(r.exit_status == 0, "128 characters: exit %d, %s",
	      r.exit_status, r.err);
	cli_result_free(&r);
	login_ok("longpw@example.com", pw, &s);
	pw[128] = 'p';
	got = login("longpw@example.com", pw, NULL);
	assert_error(got, 400, NULL, "password");
	resp_free(got);
}

API_TEST(people_are_made_and_given_roles_on_the_command_line)
{
	struct cli_result r;
	char pw[64];
	struct sess s;

	/* With no password on standard input, one is made and shown. */
	{
		const char *args[] = {"user",	"create", "bo@example.com",
				      "--tenant", "acme", "--role",
				      "viewer", "--db", srv->db_path, NULL};

		cli_run(&r, args);
		check(r.exit_status == 0 &&
			      last_line(r.out, pw, sizeof(pw)) == 0 &&
			      strlen(pw) == 24,
		      "a password is made: %s%s", r.out, r.err);
		cli_result_free(&r);
	}
	login_ok("bo@example.com", pw, &s);
	/* A viewer reads, and writes nothing. */
	assert_int_equal(status_of(as(&s, NULL, true, "POST", "/v1/skus",
				      "{}")),
			 403);
	/* The same email again, a short password, a bad email, an unknown
	 * tenant or role: refused, naming what is wrong. */
	{
		static const struct {
			const char *input, *email, *tenant, *role, *says;
			int exit;
		} bad[] = {
			{"long enough password\n", "BO@example.com", "acme",
			 "viewer", "already", 1},
			{"short\n", "cy@example.com", "acme", "viewer",
			 "12 to 128", 1},
			{"long enough password\n", "not-an-email", "acme",
			 "viewer", "not an email", 1},
			{"long enough password\n", "cy@example.com", "initech",
			 "viewer", "no tenant", 1},
			{"long enough password\n", "cy@example.com", "acme",
			 "owner", "not a role", 2},
			/* A system's role, not a person's. */
			{"long enough password\n", "cy@example.com", "acme",
			 "integration", "for API keys", 1},
		};
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			const char *args[] = {"user",	  "create",
					      bad[i].email, "--tenant",
					      bad[i].tenant, "--role",
					      bad[i].role,  "--db",
					      srv->db_path, NULL};

			cli_run_input(&r, args, bad[i].input);
			check(r.exit_status == bad[i].exit &&
				      strstr(r.err, bad[i].says),
			      "ordo user create %s: exit %d, %s%s",
			      bad[i].email, r.exit_status, r.out, r.err);
			cli_result_free(&r);
		}
	}
	/* grant changes a role; a new login has it. */
	free(user_cli(NULL, "grant", "bo@example.com", "acme", "agent"));
	login_ok("bo@example.com", pw, &s);
	{
		struct resp *got = as(&s, NULL, false, "GET", "/v1/session",
				      NULL);

		check(streq(jstr(json_array_get(jget(got->json, "tenants"), 0),
				 "role"),
			    "agent"),
		      "%s", got->body);
		resp_free(got);
	}
	assert_int_equal(status_of(as(&s, "acme", false, "GET", "/v1/orders",
				      NULL)),
			 200);
	/* disable: the session there ends at once, and so do logins. */
	{
		const char *args[] = {"user", "disable", "bo@example.com",
				      "--tenant", "acme", "--db", srv->db_path,
				      NULL};
		struct resp *row;

		cli_run(&r, args);
		check(r.exit_status == 0 && strstr(r.out, "disabled"),
		      "ordo user disable: %s%s", r.out, r.err);
		cli_result_free(&r);
		row = http_get(srv->key_acme, "/v1/audit?kind=user.changed");
		check(strstr(row->body, "bo@example.com") &&
			      strstr(row->body, "\"disabled\""),
		      "the disabling is in the audit log: %s", row->body);
		resp_free(row);
	}
	check(status_of(as(&s, "acme", false, "GET", "/v1/orders", NULL)) !=
		      200,
	      "a disabled person's session still reads acme");
	{
		const char *args[] = {"user", "disable", "nobody@example.com",
				      "--tenant", "acme", "--db", srv->db_path,
				      NULL};

		cli_run(&r, args);
		check(r.exit_status == 1 && strstr(r.err, "nobody@example.com"),
		      "disabling no one: %s%s", r.out, r.err);
		cli_result_free(&r);
	}
}

/* POST /v1/users {"email", "role"} as key; the answer. */
static struct resp *invite(const char *key, const char *email,
			   const char *role, const char *const *headers)
{
	char body[256];

	snprintf(body, sizeof(body), "{\"email\": \"%s\", \"role\": \"%s\"}",
		 email, role);
	return http("POST", "/v1/users", key, body, strlen(body), headers);
}

/* PATCH /v1/users/{id} body as key; its status. */
static long patch_user(const char *key, const char *id, const char *body)
{
	char path[128];

	snprintf(path, sizeof(path), "/v1/users/%s", id);
	return status_of(http("PATCH", path, key, body, strlen(body), NULL));
}

API_TEST(an_admin_invites_changes_and_disables_people)
{
	static const char *const idem[] = {"Idempotency-Key: invite-dee-1",
					   NULL};
	char id[64], pw[64];
	struct sess s;
	struct resp *r;
	json_t *u;
	size_t i;
	int listed = 0;

	/* Someone new: made, with a password shown once. */
	r = invite(srv->key_acme, "Dee@Example.com", "agent", idem);
	assert_status(r, 201);
	check(streq(jstr(r->json, "email"), "dee@example.com") &&
		      streq(jstr(r->json, "role"), "agent") &&
		      streq(jstr(r->json, "status"), "active") &&
		      jstr(r->json, "password") &&
		      strlen(jstr(r->json, "password")) == 24,
	      "%s", r->body);
	snprintf(id, sizeof(id), "%s", jstr(r->json, "id"));
	snprintf(pw, sizeof(pw), "%s", jstr(r->json, "password"));
	resp_free(r);
	r = invite(srv->key_acme, "Dee@Example.com", "agent", idem);
	assert_status(r, 201);
	check(streq(jstr(r->json, "id"), id) && !jget(r->json, "password"),
	      "a replay shows no password: %s", r->body);
	resp_free(r);
	r = http_get(srv->key_acme, "/v1/users");
	assert_status(r, 200);
	json_array_foreach(jget(r->json, "users"), i, u)
		if (streq(jstr(u, "id"), id))
			listed++;
	check(listed == 1 && !strstr(r->body, "password"), "%s", r->body);
	resp_free(r);
	login_ok("dee@example.com", pw, &s);
	/* A role changed holds from the next request on. */
	assert_int_equal(patch_user(srv->key_acme, id, "{\"role\": \"viewer\"}"),
			 200);
	assert_int_equal(status_of(as(&s, NULL, true, "POST",
				      "/v1/orders/ord_x/notes",
				      "{\"text\": \"x\"}")),
			 403);
	/* Disabled here: she serves acme no more; enabled: again. */
	assert_int_equal(patch_user(srv->key_acme, id,
				    "{\"status\": \"disabled\"}"),
			 200);
	r = as(&s, NULL, false, "GET", "/v1/orders?limit=1", NULL);
	assert_error(r, 403, "forbidden", NULL);
	resp_free(r);
	assert_int_equal(patch_user(srv->key_acme, id,
				    "{\"status\": \"active\"}"),
			 200);
	assert_int_equal(status_of(as(&s, NULL, false, "GET",
				      "/v1/orders?limit=1", NULL)),
			 200);
	/* Another tenant's admin finds no such person, and changes nothing. */
	r = http("PATCH", "/v1/users/x", srv->key_globex, B("{}"), NULL);
	resp_free(r);
	{
		char path[128];

		snprintf(path, sizeof(path), "/v1/users/%s", id);
		r = http("PATCH", path, srv->key_globex,
			 B("{\"status\": \"disabled\"}"), NULL);
		assert_error(r, 404, "not_found", "id");
		resp_free(r);
	}
	assert_int_equal(status_of(as(&s, NULL, false, "GET",
				      "/v1/orders?limit=1", NULL)),
			 200);
	/* Someone with a password already keeps it, and serves one more
	 * tenant. */
	r = invite(srv->key_globex, "dee@example.com", "supervisor", NULL);
	assert_status(r, 201);
	check(!jget(r->json, "password"), "no new password: %s", r->body);
	resp_free(r);
	login_ok("dee@example.com", pw, &s);
	r = as(&s, NULL, false, "GET", "/v1/session", NULL);
	check(json_array_size(jget(r->json, "tenants")) == 2, "%s", r->body);
	resp_free(r);
}

API_TEST(an_invitation_is_asked_for_exactly)
{
	static const struct {
		const char *body, *field;
	} bad[] = {
		{"{\"email\": \"e1@example.com\", \"role\": \"viewer\", "
		 "\"password\": \"mine-mine-mine\"}",
		 "password"},
		{"{\"email\": \"e2@example.com\", \"role\": \"owner\"}", "role"},
		{"{\"email\": \"not an email\", \"role\": \"viewer\"}", "email"},
		{"{\"role\": \"viewer\"}", "email"},
		{"{\"email\": \"e3@example.com\"}", "role"},
		{"{\"email\": \"e4@example.com\", \"role\": \"viewer\", "
		 "\"team\": \"x\"}",
		 "team"},
	};
	struct resp *r;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = http("POST", "/v1/users", srv->key_acme, bad[i].body,
			 strlen(bad[i].body), NULL);
		assert_error(r, 400, NULL, bad[i].field);
		resp_free(r);
	}
	r = http_get(srv->key_acme, "/v1/users?limit=200");
	check(!strstr(r->body, "e1@") && !strstr(r->body, "e4@"),
	      "nothing refused was made: %s", r->body);
	resp_free(r);
	/* A change names what it changes. */
	r = http_get(srv->key_acme, "/v1/users?limit=1");
	{
		char path[128];
		struct resp *p;

		snprintf(path, sizeof(path), "/v1/users/%s",
			 jstr(json_array_get(jget(r->json, "users"), 0), "id"));
		p = http("PATCH", path, srv->key_acme, B("{}"), NULL);
		assert_error(p, 400, NULL, NULL);
		resp_free(p);
		p = http("PATCH", path, srv->key_acme,
			 B("{\"status\": \"gone\"}"), NULL);
		assert_error(p, 400, NULL, "status");
		resp_free(p);
	}
	resp_free(r);
}

/* An order of key's tenant held for an unknown SKU; its id (free()). */
static char *held_order(const char *key, const char *ext)
{
	json_t *o = order_new(ext);
	char *id;

	jset(o, "lines[0].sku", json_string("NO-SUCH-SKU"));
	id = order_create(key, o);
	json_decref(o);
	return id;
}

API_TEST(the_queue_spans_every_tenant_a_person_serves)
{
	const char *tenant_args[] = {"tenant", "create", "initech", "--db",
				     srv->db_path, NULL};
	char initech[HARNESS_KEY_MAX], cursor[400] = "";
	const char *star[4];
	struct cli_result cr;
	struct sess s;
	struct resp *r;
	json_t *item;
	size_t i, pages = 0, seen_acme = 0, seen_globex = 0, total = 0;
	long long last_due = 0;
	char *ids[3], holds[200][64];
	size_t n_holds = 0;

	/* A third tenant, where Alice's role is disabled: its queue is not
	 * hers to read. */
	cli_run(&cr, tenant_args);
	check(cr.exit_status == 0 &&
		      last_line(cr.out, initech, sizeof(initech)) == 0,
	      "%s%s", cr.out, cr.err);
	cli_result_free(&cr);
	free(user_cli(NULL, "grant", ALICE, "initech", "viewer"));
	{
		json_t *u;
		size_t k;
		char upath[128] = "";

		r = http_get(initech, "/v1/users");
		assert_status(r, 200);
		json_array_foreach(jget(r->json, "users"), k, u)
			if (streq(jstr(u, "email"), ALICE))
				snprintf(upath, sizeof(upath), "/v1/users/%s",
					 jstr(u, "id"));
		resp_free(r);
		check(upath[0], "initech lists Alice");
		r = http("PATCH", upath, initech,
			 B("{\"status\": \"disabled\"}"), NULL);
		assert_status(r, 200);
		resp_free(r);
	}
	ids[0] = held_order(srv->key_acme, "SPAN-ACME");
	ids[1] = held_order(srv->key_globex, "SPAN-GLOBEX");
	ids[2] = held_order(initech, "SPAN-INITECH");
	login_ok(ALICE, ALICE_PW, &s);
	star[0] = s.cookie;
	star[1] = "Ordo-Tenant: *";
	star[2] = NULL;
	/* Page by page, one item a page, in due order across tenants. */
	for (;;) {
		char path[512];

		snprintf(path, sizeof(path), "/v1/queue?limit=1%s%s",
			 cursor[0] ? "&cursor=" : "", cursor);
		r = http("GET", path, NULL, NULL, 0, star);
		assert_status(r, 200);
		json_array_foreach(jget(r->json, "items"), i, item) {
			long long due = rfc3339_parse(jstr(item, "hold.due_at"));

			check(due >= last_due, "in due order: %s", r->body);
			last_due = due;
			total++;
			if (streq(jstr(item, "tenant"), "acme"))
				seen_acme++;
			else if (streq(jstr(item, "tenant"), "globex"))
				seen_globex++;
			else
				fail_msg("an item of %s: %s",
					 jstr(item, "tenant"), r->body);
			check(!streq(jstr(item, "order.id"), ids[2]),
			      "initech's order is not hers to see");
			for (size_t k = 0; k < n_holds; k++)
				check(!streq(holds[k], jstr(item, "hold.id")),
				      "hold %s twice", holds[k]);
			if (n_holds < 200)
				snprintf(holds[n_holds++], sizeof(holds[0]),
					 "%s", jstr(item, "hold.id"));
		}
		pages++;
		if (json_is_null(jget(r->json, "next_cursor"))) {
			resp_free(r);
			break;
		}
		snprintf(cursor, sizeof(cursor), "%s",
			 jstr(r->json, "next_cursor"));
		resp_free(r);
		check(pages < 500, "the pages end");
	}
	check(seen_acme >= 1 && seen_globex >= 1 && total + 1 >= pages,
	      "both tenants' holds, one a page: acme %zu, globex %zu, %zu in "
	      "%zu pages",
	      seen_acme, seen_globex, total, pages);
	/* "*" is for the queue alone. */
	r = http("GET", "/v1/orders?limit=1", NULL, NULL, 0, star);
	assert_error(r, 400, "invalid_request", "Ordo-Tenant");
	resp_free(r);
	for (i = 0; i < 3; i++)
		free(ids[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_login_sets_a_cookie_no_script_reads),
		cmocka_unit_test(a_session_says_who_and_works_the_tenant_it_names),
		cmocka_unit_test(a_person_acts_under_their_own_name),
		cmocka_unit_test(writes_through_a_session_need_its_csrf_token),
		cmocka_unit_test(logging_out_ends_the_session_at_once),
		cmocka_unit_test(
			a_session_ends_after_an_idle_hour_and_after_twelve_hours),
		cmocka_unit_test(people_are_made_and_given_roles_on_the_command_line),
		cmocka_unit_test(a_password_is_at_most_128_characters),
		cmocka_unit_test(an_admin_invites_changes_and_disables_people),
		cmocka_unit_test(an_invitation_is_asked_for_exactly),
		cmocka_unit_test(the_queue_spans_every_tenant_a_person_serves),
		cmocka_unit_test(a_login_past_twenty_sessions_ends_the_oldest),
		cmocka_unit_test(a_person_serves_at_most_64_tenants),
		cmocka_unit_test(a_node_hashes_two_passwords_at_once),
		cmocka_unit_test(failed_logins_slow_down_then_lock_the_account),
		cmocka_unit_test(a_refused_login_is_logged_even_for_nobody),
		cmocka_unit_test(logins_from_one_address_are_counted_too),
		cmocka_unit_test(an_address_is_locked_after_100_failures),
	};

	return harness_run_group(tests, group_setup,
				      harness_group_teardown);
}
