/*
 * test_tenants.c - tenants, API keys, per-tenant settings, the rule that
 * one tenant never sees another's rows, and the deployment's secrets.
 *
 * Each test gets a fresh, migrated database with two tenants, A ("acme") and
 * B ("bolt"), from setup() in fixture.c, on the backend chosen by the
 * environment (see fixture.h). Writes go through store_write / store_submit
 * exactly as the app layer does, so every test also exercises the
 * committer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fixture.h"

/* ---- tenants and keys ---------------------------------------------------- */

static void test_tenants(void **state)
{
	struct fx *f = *state;
	store_tenant t;
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;

	memset(&t, 0, sizeof(t));
	ordo_strlcpy(t.slug, "acme", sizeof(t.slug));
	assert_int_equal(store_write(f->st, job_tenant_insert, &t, &err),
			 ORDO_ECONFLICT);
	assert_int_equal(err.code, ORDO_ECONFLICT);
	assert_string_equal(err.field, "slug");

	tx = rd(f);
	assert_int_equal(store_tenant_by_slug(tx, "acme", &t, &err), ORDO_OK);
	assert_int_equal(t.id, f->ta);
	assert_string_equal(t.slug, "acme");
	assert_int_equal(t.created_at, 1700000000);
	assert_int_equal(store_tenant_by_id(tx, f->tb, &t, &err), ORDO_OK);
	assert_string_equal(t.slug, "bolt");
	assert_int_equal(store_tenant_by_slug(tx, "nope", &t, &err),
			 ORDO_ENOTFOUND);
	assert_int_equal(store_tenant_by_id(tx, 999999, &t, &err),
			 ORDO_ENOTFOUND);
	/* A write through a read snapshot is refused. */
	assert_int_equal(store_tenant_insert(tx, &t, &err), ORDO_EINTERNAL);
	store_read_end(tx);
}

static void test_api_keys(void **state)
{
	struct fx *f = *state;
	store_api_key k, got;
	store_tenant t;
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;

	memset(&k, 0, sizeof(k));
	k.tenant_id = f->ta;
	ordo_strlcpy(k.name, "shopify", sizeof(k.name));
	ordo_strlcpy(k.role, "channel", sizeof(k.role));
	memset(k.key_hash, 'a', 64);
	k.created_at = 1700000050;
	assert_int_equal(wr(f, f->ta, w_api_key_insert, &k, &err), ORDO_OK);
	assert_true(k.id > 0);
	k.id = 0;
	ordo_strlcpy(k.name, "shopify-2", sizeof(k.name));
	assert_int_equal(wr(f, f->ta, w_api_key_insert, &k, &err),
			 ORDO_ECONFLICT);
	assert_string_equal(err.field, "key_hash");
	/* A name is one key's within its tenant, so the timeline's actor
	 * ("key:<name>") names one key; another tenant may use it. */
	ordo_strlcpy(k.name, "shopify", sizeof(k.name));
	memset(k.key_hash, 'c', 64);
	assert_int_equal(wr(f, f->ta, w_api_key_insert, &k, &err),
			 ORDO_ECONFLICT);
	assert_string_equal(err.field, "name");
	assert_non_null(strstr(err.message, "shopify"));
	k.tenant_id = f->tb;
	assert_int_equal(wr(f, f->tb, w_api_key_insert, &k, &err), ORDO_OK);
	k.tenant_id = f->ta;
	memset(k.key_hash, 'a', 64);

	tx = rd(f);
	memset(&t, 0, sizeof(t));
	assert_int_equal(store_api_key_by_hash(tx, k.key_hash, &got, &t, &err),
			 ORDO_OK);
	/* With its tenant. */
	assert_int_equal(t.id, f->ta);
	assert_string_equal(t.slug, "acme");
	assert_true(t.created_at > 0);
	assert_true(got.id > 0);
	assert_int_equal(got.tenant_id, f->ta);
	assert_string_equal(got.name, "shopify");
	assert_string_equal(got.role, "channel");
	assert_string_equal(got.key_hash, k.key_hash);
	assert_int_equal(got.created_at, 1700000050);
	assert_int_equal(store_api_key_by_hash(tx, "bbbb", &got, NULL, &err),
			 ORDO_ENOTFOUND);
	store_read_end(tx);
}

/*
 * PostgreSQL: a read's transaction ends on the server once the read ends,
 * though its caller does not wait for the ROLLBACK's answer: no session of
 * the store is left inside it (holding its snapshot back from vacuum), and
 * the next reads on the same connections work. Reads one after another
 * take the pool's connections in turn (the one returned longest ago
 * first), so that a ROLLBACK is answered before its connection's next
 * BEGIN: three reads in a row, on a pool of 4, end on three sessions at
 * least.
 */
static void test_a_read_ends_on_the_server_at_once(void **state)
{
	struct fx *f = *state;
	const char *url = test_pg_url();
	PGconn *c;
	store_tenant t;
	ordo_err err = ORDO_ERR_INIT;
	int i, waited;

	if (!url) {
		skip();
		return;
	}
	c = test_pg_connect(f->url);
	for (i = 0; i < 3; i++) {
		store_tx *tx = rd(f);

		assert_int_equal(store_tenant_by_id(tx, f->tb, &t, &err),
				 ORDO_OK);
		assert_string_equal(t.slug, "bolt");
		store_read_end(tx);
	}
	/* Every session that ran the read ends it: none is still in it. */
	for (waited = 0;; waited++) {
		PGresult *res = PQexec(
			c, "SELECT count(*) FILTER (WHERE query <> 'ROLLBACK' "
			   "OR state <> 'idle'), count(*) "
			   "FROM pg_stat_activity "
			   "WHERE datname = current_database() "
			   "AND pid <> pg_backend_pid() "
			   "AND (query LIKE '%FROM tenants WHERE id%' "
			   "OR query = 'ROLLBACK')");
		long in_read, ended;
		struct timespec ms10 = {0, 10 * 1000 * 1000};

		assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
		in_read = atol(PQgetvalue(res, 0, 0));
		ended = atol(PQgetvalue(res, 0, 1)) - in_read;
		PQclear(res);
		if (in_read == 0 && ended >= 3)
			break;
		if (waited == 300)
			fail_msg("%ld sessions still in a read, %ld ended "
				 "(want 3 or more) after 3 s",
				 in_read, ended);
		nanosleep(&ms10, NULL);
	}
	PQfinish(c);
}

/* ---- people and sessions -------------------------------------------------- */

struct people_job {
	store_user user;
	int64_t tenant;
	const char *role;
	store_session session;
	/* 0 person and role, 1 session, 2 seen, 3 delete, 4 purge, 5 role,
	 * 6 failures */
	int what;
	ordo_time now;
	int64_t purged;
	int64_t failures;
};

static ordo_code people_run(store_tx *tx, void *arg, ordo_err *err)
{
	struct people_job *j = arg;
	ordo_code rc = ORDO_OK;

	switch (j->what) {
	case 0:
		rc = store_user_insert(tx, &j->user, err);
		if (rc == ORDO_OK)
			rc = store_user_role_put(tx, j->user.id, j->tenant,
						 j->role, err);
		break;
	case 1:
		rc = store_session_insert(tx, &j->session, err);
		break;
	case 2:
		rc = store_session_seen(tx, j->session.token_hash, j->now, err);
		break;
	case 3:
		rc = store_session_delete(tx, j->session.token_hash, err);
		break;
	case 5:
		rc = store_user_role_put(tx, j->user.id, j->tenant, j->role,
					 err);
		break;
	case 6:
		rc = store_login_failures_put(tx, "email:ada@example.com",
					      j->failures, j->now, err);
		break;
	default:
		j->purged = 0;
		rc = store_people_purge(tx, j->now, j->now, &j->purged, err);
		break;
	}
	return rc;
}

/*
 * A person is one email across tenants, with a role in each; a session
 * is found by its hash with its person; its last use is kept to the
 * minute; a person's sessions come oldest first; the purge forgets
 * sessions and counts of failed logins past their time.
 */
static void test_people_and_sessions(void **state)
{
	struct fx *f = *state;
	struct people_job j;
	store_user u;
	store_user_role *roles = NULL;
	store_session s, *all = NULL;
	ordo_err err = ORDO_ERR_INIT;
	store_tx *tx;
	int64_t failures;
	ordo_time last;
	size_t n;

	memset(&j, 0, sizeof(j));
	ordo_strlcpy(j.user.public_id, "usr_1", sizeof(j.user.public_id));
	ordo_strlcpy(j.user.email, "ada@example.com", sizeof(j.user.email));
	ordo_strlcpy(j.user.password_hash, "$argon2id$x",
		     sizeof(j.user.password_hash));
	j.user.created_at = 1700000000;
	j.tenant = f->ta;
	j.role = "agent";
	assert_int_equal(store_write(f->st, people_run, &j, &err), ORDO_OK);
	assert_true(j.user.id > 0);
	/* The same email again is refused, naming it. */
	ordo_strlcpy(j.user.public_id, "usr_2", sizeof(j.user.public_id));
	assert_int_equal(store_write(f->st, people_run, &j, &err),
			 ORDO_ECONFLICT);
	assert_string_equal(err.field, "email");
	ordo_err_clear(&err);

	tx = rd(f);
	assert_int_equal(store_user_by_email(tx, "ada@example.com", &u, &err),
			 ORDO_OK);
	assert_string_equal(u.public_id, "usr_1");
	assert_string_equal(u.password_hash, "$argon2id$x");
	assert_int_equal(store_user_by_email(tx, "bob@example.com", &u, &err),
			 ORDO_ENOTFOUND);
	store_read_end(tx);
	ordo_err_clear(&err);

	/* A role in a second tenant; a role put again replaces the one
	 * there. */
	j.user.id = u.id;
	j.what = 5;
	j.tenant = f->tb;
	j.role = "viewer";
	assert_int_equal(store_write(f->st, people_run, &j, &err), ORDO_OK);
	j.tenant = f->ta;
	j.role = "supervisor";
	assert_int_equal(store_write(f->st, people_run, &j, &err), ORDO_OK);
	tx = rd(f);
	assert_int_equal(store_user_roles(tx, u.id, &roles, &n, &err), ORDO_OK);
	assert_int_equal(n, 2);
	assert_int_equal(roles[0].tenant_id, f->ta);
	assert_string_equal(roles[0].tenant_slug, "acme");
	assert_string_equal(roles[0].role, "supervisor");
	assert_int_equal(roles[1].tenant_id, f->tb);
	assert_string_equal(roles[1].tenant_slug, "bolt");
	assert_string_equal(roles[1].role, "viewer");
	free(roles);
	store_read_end(tx);

	/* Two sessions; the first found by its hash, with its person. */
	memset(&j.session, 0, sizeof(j.session));
	memset(j.session.token_hash, 'a', 64);
	j.session.user_id = u.id;
	j.session.created_at = j.session.seen_at = 1700001000;
	ordo_strlcpy(j.session.address, "192.0.2.7",
		     sizeof(j.session.address));
	j.what = 1;
	assert_int_equal(store_write(f->st, people_run, &j, &err), ORDO_OK);
	memset(j.session.token_hash, 'b', 64);
	j.session.created_at = j.session.seen_at = 1700002000;
	assert_int_equal(store_write(f->st, people_run, &j, &err), ORDO_OK);
	memset(j.session.token_hash, 'a', 64);
	/* Seen 30 s on: kept as it was; a minute on: noted. */
	j.what = 2;
	j.now = 1700001030;
	assert_int_equal(store_write(f->st, people_run, &j, &err), ORDO_OK);
	tx = rd(f);
	assert_int_equal(store_session_get(tx, j.session.token_hash, &s, &u,
					   &err),
			 ORDO_OK);
	assert_int_equal(s.seen_at, 1700001000);
	assert_int_equal(s.created_at, 1700001000);
	assert_string_equal(u.email, "ada@example.com");
	store_read_end(tx);
	j.now = 1700001060;
	assert_int_equal(store_write(f->st, people_run, &j, &err), ORDO_OK);
	tx = rd(f);
	assert_int_equal(store_session_get(tx, j.session.token_hash, &s, &u,
					   &err),
			 ORDO_OK);
	assert_int_equal(s.seen_at, 1700001060);
	assert_int_equal(store_sessions_of_user(tx, u.id, &all, &n, &err),
			 ORDO_OK);
	assert_int_equal(n, 2);
	assert_int_equal(all[0].created_at, 1700001000);
	assert_int_equal(all[1].created_at, 1700002000);
	free(all);
	store_read_end(tx);

	/* Failed logins: none, counted, counted again, cleared by 0. */
	tx = rd(f);
	assert_int_equal(store_login_failures_get(tx, "email:ada@example.com",
						  &failures, &last, &err),
			 ORDO_OK);
	assert_int_equal(failures, 0);
	assert_int_equal(last, 0);
	store_read_end(tx);
	j.what = 6;
	j.failures = 1;
	j.now = 1700001500;
	assert_int_equal(store_write(f->st, people_run, &j, &err), ORDO_OK);
	j.failures = 2;
	j.now = 1700001600;
	assert_int_equal(store_write(f->st, people_run, &j, &err), ORDO_OK);
	tx = rd(f);
	assert_int_equal(store_login_failures_get(tx, "email:ada@example.com",
						  &failures, &last, &err),
			 ORDO_OK);
	assert_int_equal(failures, 2);
	assert_int_equal(last, 1700001600);
	store_read_end(tx);
	j.failures = 0;
	assert_int_equal(store_write(f->st, people_run, &j, &err), ORDO_OK);
	tx = rd(f);
	assert_int_equal(store_login_failures_get(tx, "email:ada@example.com",
						  &failures, &last, &err),
			 ORDO_OK);
	assert_int_equal(failures, 0);
	store_read_end(tx);
	j.failures = 3;
	assert_int_equal(store_write(f->st, people_run, &j, &err), ORDO_OK);

	/* The first session ends; the purge then forgets the second once
	 * it was made before the time given. */
	j.what = 3;
	assert_int_equal(store_write(f->st, people_run, &j, &err), ORDO_OK);
	tx = rd(f);
	assert_int_equal(store_session_get(tx, j.session.token_hash, &s, &u,
					   &err),
			 ORDO_ENOTFOUND);
	store_read_end(tx);
	ordo_err_clear(&err);
	/* The count (last failed at 1700001600) and the second session
	 * (made at 1700002000) go once the time given passes each. */
	j.what = 4;
	j.now = 1700001600;
	assert_int_equal(store_write(f->st, people_run, &j, &err), ORDO_OK);
	assert_int_equal(j.purged, 0);
	j.now = 1700002000;
	assert_int_equal(store_write(f->st, people_run, &j, &err), ORDO_OK);
	assert_int_equal(j.purged, 1);
	j.now = 1700002001;
	assert_int_equal(store_write(f->st, people_run, &j, &err), ORDO_OK);
	assert_int_equal(j.purged, 1);
	tx = rd(f);
	assert_int_equal(store_sessions_of_user(tx, u.id, &all, &n, &err),
			 ORDO_OK);
	assert_int_equal(n, 0);
	free(all);
	store_read_end(tx);
}

/* ---- tenancy ------------------------------------------------------------- */

static void test_tenant_scoping(void **state)
{
	struct fx *f = *state;
	struct state_args a = {"ord_a", ORDER_CANCELLED, 1700009000};
	char id[ORDO_ID_MAX];
	order_filter flt;
	order_page page;
	order got;
	order_event *evs = NULL;
	size_t n = 0;
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;

	order_add(f, f->ta, "ord_a", "web", "TA", 1700001000, ORDER_RECEIVED);

	order_init(&got);
	tx = rd(f);
	assert_int_equal(store_order_get(tx, f->tb, "ord_a", &got, &err),
			 ORDO_ENOTFOUND);
	assert_int_equal(store_event_list(tx, f->tb, "ord_a", &evs, &n, &err),
			 ORDO_ENOTFOUND);
	assert_int_equal(store_order_find_external(tx, f->tb, "web", "TA", id,
						   &err),
			 ORDO_ENOTFOUND);
	assert_int_equal(store_order_find_fingerprint(tx, f->tb, "fp-ord_a", 0,
						      id, &err),
			 ORDO_ENOTFOUND);
	store_read_end(tx);
	memset(&flt, 0, sizeof(flt));
	flt.limit = 50;
	assert_int_equal(list(f, f->tb, &flt, &page), ORDO_OK);
	assert_int_equal(page.n, 0);
	assert_int_equal(page.next_before_seq, 0);
	order_page_free(&page);
	/* Nor change it. */
	assert_int_equal(wr(f, f->tb, w_set_state, &a, &err), ORDO_ENOTFOUND);
	tx = rd(f);
	assert_int_equal(store_order_get(tx, f->ta, "ord_a", &got, &err),
			 ORDO_OK);
	store_read_end(tx);
	assert_int_equal(got.state, ORDER_RECEIVED);
	order_free(&got);
}

/* ---- settings ------------------------------------------------------------ */

static void test_settings(void **state)
{
	struct fx *f = *state;
	tenant_settings s, want, def;
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;
	int t;

	settings_defaults(&def);
	tx = rd(f);
	assert_int_equal(store_settings_get(tx, f->ta, &s, &err), ORDO_OK);
	assert_memory_equal(&s, &def, sizeof(s));
	store_read_end(tx);

	settings_defaults(&want);
	want.duplicate_window_s = 120;
	want.backorder = BACKORDER_HOLD;
	want.release = RELEASE_WAVE;
	want.release_sla_s = 3600;
	want.cutoff_minute = 15 * 60 + 30;
	want.closing_period_s = 7200;
	want.webhook_retry_window_s = 600;
	want.low_stock_threshold = 9;
	want.bulk_limit = 7;
	for (t = 0; t < HOLD_TYPE_COUNT; t++) {
		want.hold_sla_s[t] = 60 + 100 * t;
		want.hold_priority[t] = 1 + (t + 2) % 5;
	}
	assert_int_equal(wr(f, f->ta, w_settings_put, &want, &err), ORDO_OK);
	tx = rd(f);
	assert_int_equal(store_settings_get(tx, f->ta, &s, &err), ORDO_OK);
	assert_memory_equal(&s, &want, sizeof(s));
	/* Tenant B still has the defaults. */
	assert_int_equal(store_settings_get(tx, f->tb, &s, &err), ORDO_OK);
	assert_memory_equal(&s, &def, sizeof(s));
	store_read_end(tx);

	/* Saving again replaces, the hold types' rows too. */
	want.cutoff_minute = -1;
	want.release = RELEASE_AUTO;
	want.hold_sla_s[HOLD_RISKY_ORDER] = SETTINGS_HOLD_SLA_MAX_S;
	want.hold_priority[HOLD_RISKY_ORDER] = 5;
	want.hold_sla_s[HOLD_MISSING_DATA] = def.hold_sla_s[HOLD_MISSING_DATA];
	assert_int_equal(wr(f, f->ta, w_settings_put, &want, &err), ORDO_OK);
	tx = rd(f);
	assert_int_equal(store_settings_get(tx, f->ta, &s, &err), ORDO_OK);
	assert_memory_equal(&s, &want, sizeof(s));
	store_read_end(tx);

	/* Out of bounds, or no such tenant. */
	want.hold_priority[HOLD_UNKNOWN_SKU] = 6;
	assert_int_equal(wr(f, f->ta, w_settings_put, &want, &err),
			 ORDO_EINVALID);
	assert_string_equal(err.field, "holds");
	want.hold_priority[HOLD_UNKNOWN_SKU] = 2;
	want.release_sla_s = -1;
	assert_int_equal(wr(f, f->ta, w_settings_put, &want, &err),
			 ORDO_EINVALID);
	assert_string_equal(err.field, "release_sla_s");
	assert_int_equal(wr(f, 999999, w_settings_put, &def, &err),
			 ORDO_ENOTFOUND);
}

/* ---- the deployment's secrets ------------------------------------------- */

struct secret_job {
	const char *fresh;
	char out[80];
};

static ordo_code w_secret(store_tx *tx, void *arg, ordo_err *err)
{
	struct secret_job *j = arg;

	return store_secret(tx, "cursor_key", j->fresh, j->out,
			    sizeof(j->out), err);
}

/* The first value offered is kept, and every store on the database (every
 * node) reads that one. */
static void test_secrets_are_kept_once(void **state)
{
	struct fx *f = *state;
	store_options o = test_opts();
	ordo_err err = ORDO_ERR_INIT;
	struct secret_job a = {.fresh = "first"}, b = {.fresh = "second"};
	store *second = NULL;

	assert_int_equal(store_write(f->st, w_secret, &a, &err), ORDO_OK);
	assert_string_equal(a.out, "first");
	assert_int_equal(store_open(f->url, &o, &second, &err), ORDO_OK);
	assert_int_equal(store_write(second, w_secret, &b, &err), ORDO_OK);
	assert_string_equal(b.out, "first");
	store_close(second);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tenants, setup, teardown),
		cmocka_unit_test_setup_teardown(test_api_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_people_and_sessions, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_a_read_ends_on_the_server_at_once, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_tenant_scoping, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_settings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_secrets_are_kept_once, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
