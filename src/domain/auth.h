/*
 * auth — accounts, passwords, login tokens and the acting user.
 *
 * Passwords are hashed with argon2id (libsodium crypto_pwhash_str, the
 * "interactive" cost). A login returns a random 256-bit bearer token; only
 * its BLAKE2b digest is stored, with an expiry. Roles and units decide what
 * a user may see and do; the rules per action live in case.c.
 */
#ifndef JIESU_AUTH_H
#define JIESU_AUTH_H

#include "../store/store.h"

#define TOKEN_CHARS 43 /* base64url of 32 bytes, no padding */
#define TOKEN_TTL_DEFAULT (12 * 3600)
#define PASSWORD_MIN 8
#define PASSWORD_MAX 128

/* Who is acting: the user and their unit (with its tree path). */
struct actor {
	struct user user;
	struct unit unit;
};

/* Initialise libsodium once per process; false if it cannot start. */
bool auth_init(void);

/*
 * Create an account after checking every field: login [a-z0-9._-]{1,64},
 * password 8–128 characters, unit exists, role known and fits the unit's
 * kind (agents and dispatchers work at the centre; handlers and heads at a
 * handling unit; supervisors at a district or the centre).
 */
enum err_code auth_user_add(struct store *st, const char *login, const char *password, const char *name,
			    const char *unit, const char *role, int64_t now, struct user *out, struct err *e);

/* A change to an account: NULL (or active -1) leaves that field as it is. */
struct user_change {
	const char *name;
	const char *role;
	const char *unit;
	const char *password;
	int active; /* -1 unchanged, 0 deactivate, 1 activate */
};

/*
 * Change account id on behalf of the admin whose user id is by. Each given
 * field is checked as auth_user_add checks it, and the resulting role and
 * unit must still fit together (E_INVALID on "role" when a role was given,
 * else on "unit"). by may not deactivate their own account, give up their
 * own admin role or leave the centre (fields active, role, unit). A new
 * password is hashed with argon2id. Deactivation and any change of
 * password, role or unit delete the user's tokens in the same transaction,
 * so the change holds from their next request. Runs in its own
 * transaction (not inside the caller's). E_NOT_FOUND (field "id") if there
 * is no such user; *out (may be NULL) gets the stored account.
 */
enum err_code auth_user_update(struct store *st, int64_t by, int64_t id, const struct user_change *ch,
			       struct user *out, struct err *e);

/* Check credentials; on success write a new token (NUL-terminated) and its expiry. */
enum err_code auth_login(struct store *st, const char *login, const char *password, int64_t now,
			 char token[TOKEN_CHARS + 1], int64_t *expires, struct err *e);

/*
 * A user changes their own password: current must be right (E_INVALID on
 * current_password), next must be a valid password other than current
 * (E_INVALID on new_password). Every session of the account ends; the
 * caller gets a new one (token, expires). Its own transaction.
 */
enum err_code auth_password_change(struct store *st, int64_t user_id, const char *current, const char *next,
				   int64_t now, char token[TOKEN_CHARS + 1], int64_t *expires, struct err *e);

/*
 * Throttling of failed logins, per account and per client address (either
 * may be NULL), for the whole process. check: E_TOO_MANY (field "login"
 * when it is the account) while a lock runs, with the seconds to wait in
 * *retry_after. record: a wrong password counts against both; from the
 * 5th in 15 minutes the account waits 1 minute, doubling up to 15; from
 * the 20th, the address waits 5 minutes. A success clears the account.
 */
enum err_code auth_throttle_check(const char *login, const char *address, double now_ms, int *retry_after,
				  struct err *e);
void auth_throttle_record(const char *login, const char *address, bool ok, double now_ms);

/* Resolve a bearer token to the acting user: E_UNAUTHENTICATED or E_TOKEN_EXPIRED. */
enum err_code auth_token_actor(struct store *st, const char *token, int64_t now, struct actor *out, struct err *e);

/* Revoke a token (logout). */
enum err_code auth_logout(struct store *st, const char *token, struct err *e);

/* Load the actor for a login (for the command line, which trusts the local operator). */
enum err_code auth_actor_by_login(struct store *st, const char *login, struct actor *out, struct err *e);

/*
 * The CSRF token of a browser session: base64url of BLAKE2b-256 keyed by
 * the session token over a fixed label. The page learns it from the login
 * reply or GET /me (same-origin only) and sends it back in X-CSRF-Token on
 * every change; a cross-site request carries the cookie but cannot know it.
 */
#define CSRF_CHARS 43
void auth_csrf(const char *token, char out[CSRF_CHARS + 1]);
/* Constant-time check of a presented CSRF token against the session token. */
bool auth_csrf_ok(const char *token, const char *presented);

/* Token lifetime in seconds: JIESU_TOKEN_TTL or the default. */
int64_t auth_token_ttl(void);

#endif
