/*
 * people.c - people, their passwords and their sessions (people.h).
 */
#include "app/people.h"

#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/audit.h"
#include "app/tenants.h"
#include "app/write.h"
#include "core/login.h"

/* ---- checks ---------------------------------------------------------------- */

ordo_code app_email_check(const char *email, char out[ORDO_EMAIL_MAX],
			  ordo_err *err)
{
	size_t n = strlen(email), i, at = 0, ats = 0;

	if (n < 3 || n >= ORDO_EMAIL_MAX)
		return ordo_err_set(err, ORDO_EINVALID, "email",
				    "an email of 3 to %d characters is "
				    "required",
				    ORDO_EMAIL_MAX - 1);
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)email[i];

		if (ch <= ' ' || ch == 0x7f)
			return ordo_err_set(err, ORDO_EINVALID, "email",
					    "an email has no spaces or "
					    "control characters");
		if (ch == '@') {
			at = i;
			ats++;
		}
		out[i] = (char)(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
	}
	out[n] = '\0';
	if (ats != 1 || at == 0 || at == n - 1)
		return ordo_err_set(err, ORDO_EINVALID, "email",
				    "\"%.254s\" is not an email: it takes one "
				    "'@' between a name and a domain",
				    email);
	return ORDO_OK;
}

ordo_code app_password_check(const char *password, ordo_err *err)
{
	size_t n = strlen(password), i;

	if (n < ORDO_PASSWORD_MIN || n > ORDO_PASSWORD_MAX)
		return ordo_err_set(err, ORDO_EINVALID, "password",
				    "a password is %d to %d characters "
				    "(this one is %zu)",
				    ORDO_PASSWORD_MIN, ORDO_PASSWORD_MAX, n);
	for (i = 0; i < n; i++)
		if ((unsigned char)password[i] < ' ' ||
		    password[i] == 0x7f)
			return ordo_err_set(err, ORDO_EINVALID, "password",
					    "a password has no control "
					    "characters");
	return ORDO_OK;
}

void app_password_generate(char out[APP_PASSWORD_GENERATED + 1])
{
	static const char alphabet[] = "abcdefghjkmnpqrstuvwxyz23456789AB";
	size_t i;

	for (i = 0; i < APP_PASSWORD_GENERATED; i++)
		out[i] = alphabet[randombytes_uniform(32)];
	out[APP_PASSWORD_GENERATED] = '\0';
}

/* ---- hashing, a few at a time ---------------------------------------------- */

static atomic_int hashing;

/* Take one of ORDO_PASSWORD_HASHES_AT_ONCE places; false: all taken. */
static bool hash_begin(void)
{
	int n = atomic_load(&hashing);

	while (n < ORDO_PASSWORD_HASHES_AT_ONCE)
		if (atomic_compare_exchange_weak(&hashing, &n, n + 1))
			return true;
	return false;
}

static void hash_end(void)
{
	atomic_fetch_sub(&hashing, 1);
}

static ordo_code password_hash(const char *password,
			       char out[STORE_PASSWORD_HASH_MAX],
			       ordo_err *err)
{
	if (crypto_pwhash_str(out, password, strlen(password),
			      crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return ordo_err_set(err, ORDO_ENOMEM, NULL,
				    "no memory to hash a password");
	return ORDO_OK;
}

/* A hash no password of anyone's has, for the time a login of an unknown
 * email takes: the same as a known one's. */
static char dummy_hash[STORE_PASSWORD_HASH_MAX];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void dummy_make(void)
{
	char pw[APP_PASSWORD_GENERATED + 1];
	ordo_err err = ORDO_ERR_INIT;

	app_password_generate(pw);
	if (password_hash(pw, dummy_hash, &err) != ORDO_OK)
		dummy_hash[0] = '\0';
	ordo_err_clear(&err);
	sodium_memzero(pw, sizeof(pw));
}

/* ---- people ---------------------------------------------------------------- */

struct user_job {
	store_user user;
	const char *slug;
	const char *role;
	bool create;
	ordo_time now;
};

/* Give the person role in tenant, unless that would make them serve more
 * than ORDO_USER_TENANTS_MAX tenants (every login reads them all). */
static ordo_code role_put(store_tx *tx, int64_t user, int64_t tenant,
			  const char *role, ordo_err *err)
{
	store_user_role *roles = NULL;
	size_t n = 0, i;
	bool here = false;
	ordo_code rc = store_user_roles(tx, user, &roles, &n, err);

	for (i = 0; rc == ORDO_OK && i < n; i++)
		here = here || roles[i].tenant_id == tenant;
	free(roles);
	if (rc == ORDO_OK && !here && n >= ORDO_USER_TENANTS_MAX)
		return ordo_err_set(err, ORDO_ELIMIT, "tenant",
				    "a person serves at most %d tenants "
				    "(ORDO_USER_TENANTS_MAX); this one "
				    "serves %zu",
				    ORDO_USER_TENANTS_MAX, n);
	return rc ? rc : store_user_role_put(tx, user, tenant, role, err);
}

/* The tenant of slug, as the command line names it (ORDO_ENOTFOUND
 * naming "tenant"). */
static ordo_code tenant_named(store_tx *tx, const char *slug, store_tenant *t,
			      ordo_err *err)
{
	ordo_code rc = store_tenant_by_slug(tx, slug, t, err);

	if (rc != ORDO_ENOTFOUND)
		return rc;
	ordo_err_clear(err);
	return ordo_err_set(err, ORDO_ENOTFOUND, "tenant", "no tenant \"%.63s\"",
			    slug);
}

static ordo_code user_job_run(store_tx *tx, void *arg, ordo_err *err)
{
	struct user_job *j = arg;
	store_tenant t;
	ordo_code rc = tenant_named(tx, j->slug, &t, err);

	if (rc == ORDO_OK && j->create)
		rc = store_user_insert(tx, &j->user, err);
	else if (rc == ORDO_OK)
		rc = store_user_by_email(tx, j->user.email, &j->user, err);
	if (rc == ORDO_OK)
		rc = role_put(tx, j->user.id, t.id, j->role, err);
	if (rc == ORDO_OK) {
		app_caller cli = {.tenant_id = t.id, .actor = "cli"};

		rc = app_audit(tx, &cli, j->now,
			       j->create ? "user.created" : "user.changed",
			       j->user.email, NULL,
			       json_pack("{s:s, s:s}", "role", j->role,
					 "status", "active"),
			       err);
	}
	return rc;
}

ordo_code app_person_role_check(const char *role, ordo_err *err)
{
	ordo_code rc = app_role_check(role, err);

	if (rc == ORDO_OK && strcmp(role, "integration") == 0)
		rc = ordo_err_set(err, ORDO_EINVALID, "role",
				  "integration is a role for API keys, not "
				  "people; a person is an admin, supervisor, "
				  "agent or viewer");
	return rc;
}

static ordo_code user_job_check(struct user_job *j, const char *email,
				const char *role, ordo_err *err)
{
	ordo_code rc = app_email_check(email, j->user.email, err);

	return rc ? rc : app_person_role_check(role, err);
}

ordo_code app_user_create(store *st, const char *email, const char *password,
			  const char *slug, const char *role, ordo_time now,
			  ordo_err *err)
{
	struct user_job j = {.slug = slug, .role = role, .create = true,
			     .now = now};
	ordo_code rc = user_job_check(&j, email, role, err);

	if (rc == ORDO_OK)
		rc = app_password_check(password, err);
	if (rc == ORDO_OK)
		rc = password_hash(password, j.user.password_hash, err);
	if (rc)
		return rc;
	ordo_id_new("usr_", j.user.public_id);
	j.user.created_at = now;
	rc = store_write(st, user_job_run, &j, err);
	sodium_memzero(j.user.password_hash, sizeof(j.user.password_hash));
	return rc;
}

ordo_code app_user_grant(store *st, const char *email, const char *slug,
			 const char *role, ordo_time now, ordo_err *err)
{
	struct user_job j = {.slug = slug, .role = role, .now = now};
	ordo_code rc = user_job_check(&j, email, role, err);

	return rc ? rc : store_write(st, user_job_run, &j, err);
}

/* ---- a tenant's people ------------------------------------------------------ */

ordo_code app_tenant_users(store *st, const app_caller *c, int64_t before,
			   int limit, store_tenant_user **out, size_t *n,
			   int64_t *next, ordo_err *err)
{
	store_tx *tx = NULL;
	ordo_code rc = store_read_begin(st, &tx, err);

	*out = NULL;
	*n = 0;
	*next = 0;
	if (rc)
		return rc;
	rc = store_tenant_users(tx, c->tenant_id, before, limit, out, n, next,
				err);
	store_read_end(tx);
	return rc;
}

static ordo_code invite_run(store_tx *tx, app_write *w, ordo_err *err)
{
	app_user_invite_cmd *c = (app_user_invite_cmd *)w;
	store_user u;
	ordo_code rc = store_user_by_email(tx, c->email, &u, err);

	if (rc == ORDO_ENOTFOUND) {
		ordo_err_clear(err);
		memset(&u, 0, sizeof(u));
		ordo_id_new("usr_", u.public_id);
		ordo_strlcpy(u.email, c->email, sizeof(u.email));
		ordo_strlcpy(u.password_hash, c->password_hash,
			     sizeof(u.password_hash));
		u.created_at = w->now;
		rc = store_user_insert(tx, &u, err);
		c->made = rc == ORDO_OK;
	}
	if (rc == ORDO_OK)
		rc = role_put(tx, u.id, w->caller.tenant_id, c->role, err);
	if (rc == ORDO_OK)
		rc = store_tenant_user_get(tx, w->caller.tenant_id,
					   u.public_id, &c->stored, err);
	if (rc == ORDO_OK)
		rc = app_audit(tx, &w->caller, w->now, "user.invited",
			       c->email, NULL,
			       json_pack("{s:s, s:b}", "role", c->role, "new",
					 c->made),
			       err);
	return rc;
}

static void invite_clear(app_write *w)
{
	app_user_invite_cmd *c = (app_user_invite_cmd *)w;

	c->made = false;
	memset(&c->stored, 0, sizeof(c->stored));
}

static void invite_free(app_write *w)
{
	app_user_invite_cmd *c = (app_user_invite_cmd *)w;

	sodium_memzero(c->password, sizeof(c->password));
}

static const app_write_type invite_type = {.name = "user_invite",
					   .run = invite_run,
					   .clear = invite_clear,
					   .free_input = invite_free};

ordo_code app_user_invite_cmd_init(app_user_invite_cmd *c,
				   const app_caller *caller, ordo_time now,
				   ordo_err *err)
{
	app_write_init(&c->w, &invite_type, caller, now);
	app_password_generate(c->password);
	return password_hash(c->password, c->password_hash, err);
}

/* Person id of c's tenant: role (unless "") and disabled there (1, 0, or
 * -1: unchanged); *u the person after. */
static ordo_code user_update(store_tx *tx, const app_caller *c,
			     const char *id, const char *role, int disabled,
			     ordo_time now, store_tenant_user *u,
			     ordo_err *err)
{
	ordo_code rc = store_tenant_user_get(tx, c->tenant_id, id, u, err);
	json_t *before;

	if (rc)
		return rc;
	before = json_pack("{s:s, s:s}", "role", u->role, "status",
			   u->disabled_at ? "disabled" : "active");
	if (role[0])
		ordo_strlcpy(u->role, role, sizeof(u->role));
	if (disabled == 1 && !u->disabled_at)
		u->disabled_at = now;
	else if (disabled == 0)
		u->disabled_at = 0;
	rc = store_user_role_set(tx, u->user_id, c->tenant_id, u->role,
				 u->disabled_at, err);
	if (rc == ORDO_OK)
		return app_audit(tx, c, now, "user.changed", u->email, before,
				 json_pack("{s:s, s:s}", "role", u->role,
					   "status",
					   u->disabled_at ? "disabled"
							  : "active"),
				 err);
	json_decref(before);
	return rc;
}

static ordo_code update_run(store_tx *tx, app_write *w, ordo_err *err)
{
	app_user_update_cmd *c = (app_user_update_cmd *)w;

	return user_update(tx, &w->caller, c->id, c->role, c->disabled,
			   w->now, &c->stored, err);
}

/* ordo user disable: the person of email, in tenant slug. */
struct disable_job {
	const char *email;
	const char *slug;
	ordo_time now;
};

static ordo_code disable_run(store_tx *tx, void *arg, ordo_err *err)
{
	struct disable_job *j = arg;
	app_caller cli = {.actor = "cli"};
	store_tenant_user tu;
	store_tenant t;
	store_user u;
	ordo_code rc = tenant_named(tx, j->slug, &t, err);

	if (rc == ORDO_OK)
		rc = store_user_by_email(tx, j->email, &u, err);
	if (rc)
		return rc;
	cli.tenant_id = t.id;
	ordo_strlcpy(cli.tenant_slug, t.slug, sizeof(cli.tenant_slug));
	rc = user_update(tx, &cli, u.public_id, "", 1, j->now, &tu, err);
	if (rc == ORDO_ENOTFOUND) {
		ordo_err_clear(err);
		return ordo_err_set(err, ORDO_ENOTFOUND, "email",
				    "%.254s serves no role in tenant %.63s",
				    u.email, t.slug);
	}
	return rc;
}

ordo_code app_user_disable(store *st, const char *email, const char *slug,
			   ordo_time now, ordo_err *err)
{
	char lower[ORDO_EMAIL_MAX];
	struct disable_job j = {.email = lower, .slug = slug, .now = now};
	ordo_code rc = app_email_check(email, lower, err);

	return rc ? rc : store_write(st, disable_run, &j, err);
}

static void update_clear(app_write *w)
{
	memset(&((app_user_update_cmd *)w)->stored, 0,
	       sizeof(store_tenant_user));
}

static const app_write_type update_type = {
	.name = "user_update", .run = update_run, .clear = update_clear};

void app_user_update_cmd_init(app_user_update_cmd *c,
			      const app_caller *caller, ordo_time now)
{
	app_write_init(&c->w, &update_type, caller, now);
	c->disabled = -1;
}

/* ---- sessions ---------------------------------------------------------------- */

void app_session_free(app_session *s)
{
	free(s->roles);
	s->roles = NULL;
	s->n_roles = 0;
	sodium_memzero(s->token, sizeof(s->token));
}

static void csrf_of(const char *token, char out[APP_CSRF_MAX])
{
	static const char what[] = "ordo-csrf";
	unsigned char mac[32];

	crypto_generichash(mac, sizeof(mac), (const unsigned char *)what,
			   sizeof(what) - 1, (const unsigned char *)token,
			   strlen(token) < crypto_generichash_KEYBYTES_MAX
				   ? strlen(token)
				   : crypto_generichash_KEYBYTES_MAX);
	sodium_bin2hex(out, APP_CSRF_MAX, mac, sizeof(mac));
}

bool app_csrf_ok(const char *token, const char *csrf)
{
	char want[APP_CSRF_MAX];

	if (!csrf || strlen(csrf) != APP_CSRF_MAX - 1)
		return false;
	csrf_of(token, want);
	return sodium_memcmp(want, csrf, APP_CSRF_MAX - 1) == 0;
}

static bool token_ok(const char *token)
{
	return strncmp(token, "ordo_ss_", 8) == 0 &&
	       strlen(token) == APP_SESSION_TOKEN_MAX - 8;
}

/* The times a session of created_at, last seen at seen_at, ends. */
static void session_times(app_session *s, ordo_time created_at,
			  ordo_time seen_at)
{
	s->created_at = created_at;
	s->expires_at = created_at + ORDO_SESSION_ABSOLUTE_S;
	s->idle_expires_at = seen_at + ORDO_SESSION_IDLE_S;
	if (s->idle_expires_at > s->expires_at)
		s->idle_expires_at = s->expires_at;
}

/* The login's reads: both counts of failures, and the person (u->id 0:
 * none has the email). */
struct login_read {
	const char *email_name;
	const char *address_name;
	login_count account, address;
	store_user user;
};

static ordo_code login_read(store *st, struct login_read *l, ordo_err *err)
{
	store_tx *tx = NULL;
	ordo_code rc = store_read_begin(st, &tx, err);

	if (rc == ORDO_OK)
		rc = store_login_failures_get(tx, l->email_name,
					      &l->account.failures,
					      &l->account.last_failed_at, err);
	if (rc == ORDO_OK)
		rc = store_login_failures_get(tx, l->address_name,
					      &l->address.failures,
					      &l->address.last_failed_at, err);
	if (rc == ORDO_OK) {
		rc = store_user_by_email(tx, l->user.email, &l->user, err);
		if (rc == ORDO_ENOTFOUND) {
			ordo_err_clear(err);
			l->user.id = 0;
			rc = ORDO_OK;
		}
	}
	store_read_end(tx);
	return rc;
}

static bool session_ended(const store_session *s, ordo_time now)
{
	return now - s->created_at >= ORDO_SESSION_ABSOLUTE_S ||
	       now - s->seen_at >= ORDO_SESSION_IDLE_S;
}

/* The login's write: the counts after it, and its session when it was
 * right. */
struct login_write {
	struct login_read *r;
	const char *address;
	bool ok;
	ordo_time now;
	store_session session;
	store_user_role *roles;
	size_t n_roles;
};

/* The login, right or not, in the log of each tenant its person serves
 * (an email no one has is in none): the roles the login read, or read
 * here for a failure. */
static ordo_code login_audit(store_tx *tx, struct login_write *w, bool ok,
			     ordo_err *err)
{
	app_caller c = {0};
	store_user_role *roles = ok ? w->roles : NULL;
	size_t n = ok ? w->n_roles : 0, i;
	ordo_code rc = ORDO_OK;

	if (!w->r->user.id)
		return ORDO_OK;
	if (!ok)
		rc = store_user_roles(tx, w->r->user.id, &roles, &n, err);
	snprintf(c.actor, sizeof(c.actor), "user:%s", w->r->user.email);
	ordo_strlcpy(c.address, w->address, sizeof(c.address));
	for (i = 0; rc == ORDO_OK && i < n; i++) {
		c.tenant_id = roles[i].tenant_id;
		rc = app_audit(tx, &c, w->now,
			       ok ? "login.succeeded" : "login.failed",
			       w->r->user.email, NULL, NULL, err);
	}
	if (!ok)
		free(roles);
	return rc;
}

/* A login refused before its password was looked at (it waits, or is
 * locked): a failed login too, in each tenant the person serves. */
struct login_refused {
	int64_t user;
	const char *email;
	const char *address;
	const char *why;
	ordo_time now;
};

static ordo_code login_refused_run(store_tx *tx, void *arg, ordo_err *err)
{
	struct login_refused *f = arg;
	store_user_role *roles = NULL;
	app_caller c = {0};
	size_t n = 0, i;
	ordo_code rc = store_user_roles(tx, f->user, &roles, &n, err);

	snprintf(c.actor, sizeof(c.actor), "user:%s", f->email);
	ordo_strlcpy(c.address, f->address, sizeof(c.address));
	for (i = 0; rc == ORDO_OK && i < n; i++) {
		c.tenant_id = roles[i].tenant_id;
		rc = app_audit(tx, &c, f->now, "login.failed", f->email, NULL,
			       json_pack("{s:s}", "refused", f->why), err);
	}
	free(roles);
	return rc;
}

static ordo_code login_write_run(store_tx *tx, void *arg, ordo_err *err)
{
	struct login_write *w = arg;
	struct login_read *r = w->r;
	store_session *old = NULL;
	size_t n = 0, i, live = 0;
	ordo_code rc;

	free(w->roles);
	w->roles = NULL;
	w->n_roles = 0;
	if (!w->ok) {
		login_count a, b;

		/* Counted on the counts as they stand now, each locked: two
		 * failures at once (two threads, two nodes) are two. */
		rc = store_lock_named(tx, 0, r->email_name, err);
		if (rc == ORDO_OK)
			rc = store_lock_named(tx, 0, r->address_name, err);
		if (rc == ORDO_OK)
			rc = store_login_failures_get(
				tx, r->email_name, &r->account.failures,
				&r->account.last_failed_at, err);
		if (rc == ORDO_OK)
			rc = store_login_failures_get(
				tx, r->address_name, &r->address.failures,
				&r->address.last_failed_at, err);
		if (rc)
			return rc;
		a = login_failed(r->account, w->now);
		b = login_failed(r->address, w->now);
		rc = store_login_failures_put(tx, r->email_name, a.failures,
					      a.last_failed_at, err);
		if (rc == ORDO_OK)
			rc = store_login_failures_put(tx, r->address_name,
						      b.failures,
						      b.last_failed_at, err);
		return rc ? rc : login_audit(tx, w, false, err);
	}
	rc = store_login_failures_put(tx, r->email_name, 0, 0, err);
	/* The person's ended sessions go, and the oldest live ones past
	 * the most a person keeps, with the new one. */
	if (rc == ORDO_OK)
		rc = store_sessions_of_user(tx, r->user.id, &old, &n, err);
	for (i = 0; i < n; i++)
		if (!session_ended(&old[i], w->now))
			live++;
	for (i = 0; rc == ORDO_OK && i < n; i++) {
		bool ended = session_ended(&old[i], w->now);

		if (!ended && live < ORDO_SESSIONS_PER_USER_MAX)
			continue;
		if (!ended)
			live--;
		rc = store_session_delete(tx, old[i].token_hash, err);
	}
	free(old);
	if (rc == ORDO_OK)
		rc = store_session_insert(tx, &w->session, err);
	if (rc == ORDO_OK)
		rc = store_user_roles(tx, r->user.id, &w->roles, &w->n_roles,
				      err);
	return rc ? rc : login_audit(tx, w, true, err);
}

ordo_code app_login(store *st, const char *email, const char *password,
		    const char *address, ordo_time now, app_session *out,
		    int *retry_after_s, ordo_err *err)
{
	char email_name[ORDO_EMAIL_MAX + 8], address_name[80];
	struct login_read r = {.email_name = email_name,
			       .address_name = address_name};
	struct login_write w = {.r = &r, .address = address, .now = now};
	int64_t wait_account, wait_address;
	bool locked_account, locked_address;
	unsigned char raw[32];
	char hex[65];
	ordo_code rc;

	memset(out, 0, sizeof(*out));
	*retry_after_s = 0;
	rc = app_email_check(email, r.user.email, err);
	if (rc)
		return rc;
	if (strlen(password) > ORDO_PASSWORD_MAX)
		return ordo_err_set(err, ORDO_EINVALID, "password",
				    "a password is at most %d characters",
				    ORDO_PASSWORD_MAX);
	snprintf(email_name, sizeof(email_name), "email:%s", r.user.email);
	snprintf(address_name, sizeof(address_name), "address:%.64s",
		 address);
	rc = login_read(st, &r, err);
	if (rc)
		return rc;
	wait_account = login_wait(&login_per_account, r.account, now,
				  &locked_account);
	wait_address = login_wait(&login_per_address, r.address, now,
				  &locked_address);
	if (wait_account || wait_address) {
		bool account = wait_account >= wait_address;
		int64_t wait = account ? wait_account : wait_address;

		*retry_after_s = (int)wait;
		/* Recorded like any failed login of a person's; what the
		 * record fails for, the refusal does not. */
		if (r.user.id) {
			struct login_refused f = {
				r.user.id, r.user.email, address,
				(account ? locked_account : locked_address)
					? "locked"
					: "waiting",
				now};
			ordo_err ignored = ORDO_ERR_INIT;

			store_write(st, login_refused_run, &f, &ignored);
			ordo_err_clear(&ignored);
		}
		return ordo_err_set(
			err, ORDO_ERATE, account ? "email" : NULL,
			"%s after %lld failed logins; try again in %lld s",
			account ? (locked_account ? "this account is locked"
						  : "this account waits")
				: (locked_address
					   ? "logins from this address are locked"
					   : "logins from this address wait"),
			(long long)(account ? r.account.failures
					    : r.address.failures),
			(long long)wait);
	}
	if (!hash_begin()) {
		*retry_after_s = 1;
		return ordo_err_set(err, ORDO_ERATE, NULL,
				    "too many logins at once; try again in "
				    "1 s");
	}
	if (r.user.id) {
		w.ok = crypto_pwhash_str_verify(r.user.password_hash, password,
						strlen(password)) == 0;
	} else {
		/* As long as a known email takes, and never right. */
		pthread_once(&dummy_once, dummy_make);
		if (dummy_hash[0] &&
		    crypto_pwhash_str_verify(dummy_hash, password,
					     strlen(password)) == 0)
			w.ok = false; /* no one's password */
	}
	hash_end();
	if (w.ok) {
		randombytes_buf(raw, sizeof(raw));
		sodium_bin2hex(hex, sizeof(hex), raw, sizeof(raw));
		snprintf(out->token, sizeof(out->token), "ordo_ss_%s", hex);
		sodium_memzero(raw, sizeof(raw));
		ordo_sha256_hex(out->token, strlen(out->token),
				w.session.token_hash);
		w.session.user_id = r.user.id;
		w.session.created_at = w.session.seen_at = now;
		ordo_strlcpy(w.session.address, address,
			     sizeof(w.session.address));
	}
	rc = store_write(st, login_write_run, &w, err);
	if (rc == ORDO_OK && !w.ok)
		rc = ordo_err_set(err, ORDO_EUNAUTHORIZED, "password",
				  "the email or the password is wrong");
	if (rc) {
		free(w.roles);
		sodium_memzero(out->token, sizeof(out->token));
		return rc;
	}
	out->user = r.user;
	sodium_memzero(out->user.password_hash,
		       sizeof(out->user.password_hash));
	out->roles = w.roles;
	out->n_roles = w.n_roles;
	csrf_of(out->token, out->csrf);
	session_times(out, now, now);
	return ORDO_OK;
}

/* A session's last use: its hash and when. */
struct seen {
	char token_hash[65];
	ordo_time now;
};

static ordo_code seen_run(store_tx *tx, void *arg, ordo_err *err)
{
	const struct seen *u = arg;

	return store_session_seen(tx, u->token_hash, u->now, err);
}

ordo_code app_session_find(store *st, const char *token, ordo_time now,
			   app_session *out, ordo_err *err)
{
	app_session s;
	store_session row;
	store_tx *tx = NULL;
	char hash[65];
	ordo_code rc;

	memset(&s, 0, sizeof(s));
	if (!token_ok(token))
		return ordo_err_set(err, ORDO_EUNAUTHORIZED, "session",
				    "the session is not valid; log in again "
				    "(POST /v1/session)");
	ordo_sha256_hex(token, strlen(token), hash);
	rc = store_read_begin(st, &tx, err);
	if (rc)
		return rc;
	rc = store_session_get(tx, hash, &row, &s.user, err);
	if (rc == ORDO_OK)
		rc = store_user_roles(tx, s.user.id, &s.roles, &s.n_roles,
				      err);
	store_read_end(tx);
	sodium_memzero(s.user.password_hash, sizeof(s.user.password_hash));
	if (rc == ORDO_ENOTFOUND) {
		ordo_err_clear(err);
		rc = ordo_err_set(err, ORDO_EUNAUTHORIZED, "session",
				  "the session is not valid; log in again "
				  "(POST /v1/session)");
	}
	if (rc == ORDO_OK) {
		session_times(&s, row.created_at, row.seen_at);
		if (now >= s.expires_at)
			rc = ordo_err_set(err, ORDO_EUNAUTHORIZED, "session",
					  "the session ended %d hours after "
					  "its login; log in again",
					  ORDO_SESSION_ABSOLUTE_S / 3600);
		else if (now >= s.idle_expires_at)
			rc = ordo_err_set(err, ORDO_EUNAUTHORIZED, "session",
					  "the session ended after %d "
					  "minutes without a request; log in "
					  "again",
					  ORDO_SESSION_IDLE_S / 60);
	}
	if (rc) {
		app_session_free(&s);
		return rc;
	}
	if (now - row.seen_at >= STORE_KEY_USED_GRAIN_S) {
		struct seen u;

		memcpy(u.token_hash, hash, sizeof(hash));
		u.now = now;
		app_write_detached(st, seen_run, &u, sizeof(u));
	}
	csrf_of(token, s.csrf);
	if (out)
		*out = s;
	else
		app_session_free(&s);
	return ORDO_OK;
}

ordo_code app_session_caller(const app_session *s, const char *tenant,
			     const char *tenant_field, app_caller *caller,
			     ordo_err *err)
{
	const store_user_role *pick = NULL;
	size_t i;

	if (tenant) {
		for (i = 0; i < s->n_roles; i++)
			if (strcmp(s->roles[i].tenant_slug, tenant) == 0)
				pick = &s->roles[i];
		if (!pick)
			return ordo_err_set(err, ORDO_EFORBIDDEN, tenant_field,
					    "%s serves no tenant \"%.63s\"",
					    s->user.email, tenant);
	} else if (s->n_roles == 1) {
		pick = &s->roles[0];
	} else {
		char list[256] = "";
		size_t used = 0;

		for (i = 0; i < s->n_roles && used + 2 < sizeof(list); i++)
			used += (size_t)snprintf(list + used,
						 sizeof(list) - used, "%s%s",
						 i ? ", " : "",
						 s->roles[i].tenant_slug);
		if (s->n_roles == 0)
			return ordo_err_set(err, ORDO_EFORBIDDEN, NULL,
					    "%s serves no tenant",
					    s->user.email);
		return ordo_err_set(err, ORDO_EINVALID, tenant_field,
				    "%s serves several tenants: name one in "
				    "%s (one of: %s)",
				    s->user.email, tenant_field, list);
	}
	memset(caller, 0, sizeof(*caller));
	caller->tenant_id = pick->tenant_id;
	ordo_strlcpy(caller->tenant_slug, pick->tenant_slug,
		     sizeof(caller->tenant_slug));
	if (app_role_parse(pick->role, &caller->role) != 0)
		caller->role = ROLE_VIEWER;
	/* No person is given the integration role (app_person_role_check);
	 * one who had it before this was checked acts as nobody there. */
	if (caller->role == ROLE_INTEGRATION)
		return ordo_err_set(err, ORDO_EFORBIDDEN, tenant_field,
				    "%s is an integration in %s, a role for "
				    "API keys, not people; an admin gives "
				    "them another role there",
				    s->user.email, pick->tenant_slug);
	caller->user_id = s->user.id;
	snprintf(caller->actor, sizeof(caller->actor), "user:%s",
		 s->user.email);
	return ORDO_OK;
}

static ordo_code logout_run(store_tx *tx, void *arg, ordo_err *err)
{
	return store_session_delete(tx, arg, err);
}

ordo_code app_logout(store *st, const char *token, ordo_err *err)
{
	char hash[65];

	if (!token_ok(token))
		return ORDO_OK;
	ordo_sha256_hex(token, strlen(token), hash);
	return store_write(st, logout_run, hash, err);
}
