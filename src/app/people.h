/*
 * app/people.h - people, their passwords and their sessions.
 *
 * A person is an email and a password, and a role in each tenant they
 * serve (a team working for several client businesses serves each). The
 * password is kept only as its Argon2id hash (libsodium); a session only
 * as the SHA-256 of its token, which lives in the person's cookie. A
 * session ends after ORDO_SESSION_IDLE_S without a request, and
 * ORDO_SESSION_ABSOLUTE_S after its login whatever happens; a person keeps
 * at most ORDO_SESSIONS_PER_USER_MAX at once (a login past them ends the
 * oldest). Failed logins slow down and then lock the account and the
 * client address (core/login.h). A request a session makes names the
 * tenant it is about (the API's Ordo-Tenant header) unless the person
 * serves one tenant only; its caller's actor is "user:<email>".
 *
 * Writes that change state through a session carry its CSRF token, which
 * is derived from the session's token (a keyed BLAKE2b), so that a page
 * of another site cannot make them: it can neither read the cookie nor
 * the token.
 */
#ifndef ORDO_APP_PEOPLE_H
#define ORDO_APP_PEOPLE_H

#include <stdbool.h>
#include <stddef.h>

#include "app/caller.h"
#include "app/write.h"
#include "store/store.h"

/* "ordo_ss_" and 64 hex digits. */
#define APP_SESSION_TOKEN_MAX 80
/* A CSRF token: 64 hex digits. */
#define APP_CSRF_MAX 65
/* A generated password: 24 characters of 32. */
#define APP_PASSWORD_GENERATED 24

/* A person's role: one of app/caller.h's but integration, which is for
 * API keys (ORDO_EINVALID naming "role"). */
ordo_code app_person_role_check(const char *role, ordo_err *err);

/* email, trimmed of nothing and lower-cased into out: an address of 3 to
 * 254 characters with one '@', no spaces or control characters. */
ordo_code app_email_check(const char *email, char out[ORDO_EMAIL_MAX],
			  ordo_err *err);
/* ORDO_PASSWORD_MIN to ORDO_PASSWORD_MAX characters, no control
 * characters. */
ordo_code app_password_check(const char *password, ordo_err *err);
/* A password of APP_PASSWORD_GENERATED letters and digits. */
void app_password_generate(char out[APP_PASSWORD_GENERATED + 1]);

/* Make the person email (checked) with the password (checked, hashed
 * here: call it outside any write) and role in tenant slug.
 * ORDO_ECONFLICT naming "email" when the email is a person's already. */
ordo_code app_user_create(store *st, const char *email, const char *password,
			  const char *slug, const char *role, ordo_time now,
			  ordo_err *err);
/* Give the person email role in tenant slug (replacing their role
 * there). */
ordo_code app_user_grant(store *st, const char *email, const char *slug,
			 const char *role, ordo_time now, ordo_err *err);
/* Disable the person email in tenant slug: their sessions there end at
 * once, and they log in there no more (PATCH /v1/users/{id} enables them
 * again). */
ordo_code app_user_disable(store *st, const char *email, const char *slug,
			   ordo_time now, ordo_err *err);

/* ---- a tenant's people, for its admins ----------------------------------- */

/* The people of the caller's tenant, newest first (store_tenant_users). */
ordo_code app_tenant_users(store *st, const app_caller *c, int64_t before,
			   int limit, store_tenant_user **out, size_t *n,
			   int64_t *next, ordo_err *err);

/*
 * Invite email (checked) with role into the caller's tenant: a person new
 * to ordo is made with the password in (made by app_user_invite_cmd_init
 * and hashed there, before the write), shown once (`made` out); one who
 * has a password keeps it and is given the role here. Out: the person as
 * the tenant sees them.
 */
typedef struct {
	app_write w;
	char email[ORDO_EMAIL_MAX];		     /* in */
	char role[ORDO_ROLE_MAX];		     /* in */
	char password[APP_PASSWORD_GENERATED + 1];   /* in: shown if made */
	char password_hash[STORE_PASSWORD_HASH_MAX]; /* in */
	bool made;				     /* out */
	store_tenant_user stored;		     /* out */
} app_user_invite_cmd;

/* Also makes the password and its hash (a tenth of a second). */
ordo_code app_user_invite_cmd_init(app_user_invite_cmd *c,
				   const app_caller *caller, ordo_time now,
				   ordo_err *err);

/* Change the role of person id in the caller's tenant, or disable or
 * enable them there (role "" or disabled -1: unchanged). Out: the person
 * afterwards. ORDO_ENOTFOUND naming "id" for anyone not of the tenant. */
typedef struct {
	app_write w;
	char id[ORDO_ID_MAX];	  /* in */
	char role[ORDO_ROLE_MAX]; /* in */
	int disabled;		  /* in: 1, 0, or -1 */
	store_tenant_user stored; /* out */
} app_user_update_cmd;

void app_user_update_cmd_init(app_user_update_cmd *c,
			      const app_caller *caller, ordo_time now);

/* A session, as a login makes it or a request finds it. */
typedef struct {
	char token[APP_SESSION_TOKEN_MAX]; /* a login's only */
	char csrf[APP_CSRF_MAX];
	store_user user;
	store_user_role *roles; /* owned: app_session_free */
	size_t n_roles;
	ordo_time created_at;
	ordo_time expires_at;	   /* absolute */
	/* If no request comes before: from the last use kept (to the
	 * minute), so up to a minute early. */
	ordo_time idle_expires_at;
} app_session;

void app_session_free(app_session *s);

/*
 * Log in from address at now. A wrong email or password is
 * ORDO_EUNAUTHORIZED (the same answer for both); a login that must wait
 * after failed ones, or that finds ORDO_PASSWORD_HASHES_AT_ONCE hashes
 * running, is ORDO_ERATE with *retry_after_s set. On success *out holds
 * the new session with its token.
 */
ordo_code app_login(store *st, const char *email, const char *password,
		    const char *address, ordo_time now, app_session *out,
		    int *retry_after_s, ordo_err *err);

/* The session of token at now (ORDO_EUNAUTHORIZED naming "session" when
 * there is none, or it has ended), into *out unless NULL; its last use is
 * noted (as for keys: once a minute, in a write of its own). */
ordo_code app_session_find(store *st, const char *token, ordo_time now,
			   app_session *out, ordo_err *err);

/* The caller a request of session s makes about tenant (NULL: the one the
 * person serves, if only one). ORDO_EINVALID naming tenant_field when it
 * names none of several; ORDO_EFORBIDDEN when the person does not serve
 * the tenant named. */
ordo_code app_session_caller(const app_session *s, const char *tenant,
			     const char *tenant_field, app_caller *caller,
			     ordo_err *err);

/* Whether csrf is the session token's CSRF token (in constant time). */
bool app_csrf_ok(const char *token, const char *csrf);

/* End the session of token (nothing when there is none). */
ordo_code app_logout(store *st, const char *token, ordo_err *err);

#endif
