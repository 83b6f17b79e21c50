/*
 * test_auth — accounts, argon2id password hashes, login tokens and the
 * acting user, on a real SQLite database with the Beijing demo units in a
 * temporary directory (shared by the tests: each uses its own logins).
 *
 * Every time is passed explicitly; JIESU_TOKEN_TTL is cleared so the
 * default lifetime (12 h) applies unless a test sets it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain/auth.h"
#include "domain/catalog.h"

#include "assert_code.h"

#define STREET "110107001" /* 八宝山街道 */
#define DISTRICT "110107"  /* 石景山区 */
#define PASSWORD "correct-horse-1"

struct fx {
	char dir[64], path[96];
	struct store *st;
	int64_t now;
	struct user alice; /* a handler at the street, made by the setup */
};


static int64_t T(const char *iso)
{
	int64_t t = 0;
	if (!time_parse_iso(iso, &t))
		fail_msg("bad ISO time in test: %s", iso);
	return t;
}

static int group_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct err e;
	err_init(&e);
	unsetenv("JIESU_TOKEN_TTL");
	if (!auth_init())
		goto fail;
	snprintf(f->dir, sizeof(f->dir), "/tmp/jiesu-auth-XXXXXX");
	if (!mkdtemp(f->dir))
		goto fail;
	snprintf(f->path, sizeof(f->path), "%s/test.db", f->dir);
	f->now = T("2026-03-02T09:00:00+08:00");
	if (store_open(f->path, &f->st, &e) != OK ||
	    catalog_load_builtin(f->st, true, NULL, NULL, &e) != OK ||
	    auth_user_add(f->st, "alice", PASSWORD, "爱丽丝", STREET, "handler", f->now, &f->alice, &e) != OK)
		goto fail;
	*state = f;
	return 0;
fail:
	fprintf(stderr, "setup: %s (%s)\n", e.msg, e.field);
	store_close(f->st);
	free(f);
	return -1;
}

static int group_teardown(void **state)
{
	static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
	struct fx *f = *state;
	char p[128];
	store_close(f->st);
	for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++) {
		snprintf(p, sizeof(p), "%s%s", f->path, suffixes[i]);
		unlink(p);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

/* auth_user_add must refuse with E_INVALID on field, and create nothing. */
static void expect_add_invalid(struct fx *f, const char *login, const char *password, const char *unit,
			       const char *role, const char *field)
{
	struct user u;
	struct err e;
	err_init(&e);
	enum err_code rc = auth_user_add(f->st, login, password, NULL, unit, role, f->now, &u, &e);
	if (rc != E_INVALID || strcmp(e.field, field) != 0)
		fail_msg("add %s/%s/%s: expected invalid %s, got %s on \"%s\" (%s)", login ? login : "(null)",
			 unit ? unit : "(null)", role, field, err_code_name(rc), e.field, e.msg);
	if (login && *login) {
		err_init(&e);
		assert_code(store_user_by_login(f->st, login, &u, &e), E_NOT_FOUND, &e);
	}
}

static void test_user_add_checks(void **state)
{
	struct fx *f = *state;
	char long_login[LIMIT_LOGIN + 2], long_pw[PASSWORD_MAX + 2];
	memset(long_login, 'a', LIMIT_LOGIN + 1);
	long_login[LIMIT_LOGIN + 1] = '\0';
	memset(long_pw, 'p', PASSWORD_MAX + 1);
	long_pw[PASSWORD_MAX + 1] = '\0';

	/* login: [a-z0-9._-]{1,64} */
	expect_add_invalid(f, "Bob", PASSWORD, STREET, "handler", "login");
	expect_add_invalid(f, "bob smith", PASSWORD, STREET, "handler", "login");
	expect_add_invalid(f, "bob@x", PASSWORD, STREET, "handler", "login");
	expect_add_invalid(f, "张三", PASSWORD, STREET, "handler", "login");
	expect_add_invalid(f, "", PASSWORD, STREET, "handler", "login");
	expect_add_invalid(f, NULL, PASSWORD, STREET, "handler", "login");
	expect_add_invalid(f, long_login, PASSWORD, STREET, "handler", "login");
	/* password: 8–128 characters */
	expect_add_invalid(f, "bob", "1234567", STREET, "handler", "password");
	expect_add_invalid(f, "bob", "", STREET, "handler", "password");
	expect_add_invalid(f, "bob", NULL, STREET, "handler", "password");
	expect_add_invalid(f, "bob", long_pw, STREET, "handler", "password");
	/* unit must exist */
	expect_add_invalid(f, "bob", PASSWORD, "999999", "handler", "unit");
	expect_add_invalid(f, "bob", PASSWORD, NULL, "handler", "unit");
	/* role known and fitting the unit's kind */
	expect_add_invalid(f, "bob", PASSWORD, STREET, "boss", "role");
	expect_add_invalid(f, "bob", PASSWORD, STREET, "agent", "role");
	expect_add_invalid(f, "bob", PASSWORD, STREET, "dispatcher", "role");
	expect_add_invalid(f, "bob", PASSWORD, CENTRE_CODE, "handler", "role");
	expect_add_invalid(f, "bob", PASSWORD, CENTRE_CODE, "head", "role");
	expect_add_invalid(f, "bob", PASSWORD, STREET, "supervisor", "role");

	/* the limits pass: 8-character password, 64-character login, . _ - digits */
	struct user u;
	struct err e;
	long_login[LIMIT_LOGIN] = '\0';
	err_init(&e);
	assert_code(
	    auth_user_add(f->st, long_login, "12345678", NULL, DISTRICT, "supervisor", f->now, &u, &e), OK,
	    &e);
	assert_true(u.id > 0);
	assert_string_equal(u.login, long_login);
	assert_string_equal(u.name, long_login); /* no name: the login */
	assert_int_equal(u.role, ROLE_SUPERVISOR);
	err_init(&e);
	assert_code(auth_user_add(f->st, "bob.w_2-x", PASSWORD, "王五", STREET, "head", f->now, &u, &e), OK,
		    &e);
	assert_string_equal(u.name, "王五");
	assert_string_equal(u.unit, STREET);
	assert_int_equal(u.role, ROLE_HEAD);
	assert_true(u.active);
	assert_int_equal(u.created_at, f->now);
}

static void test_duplicate_login(void **state)
{
	struct fx *f = *state;
	struct user u, got;
	struct err e;
	err_init(&e);
	assert_code(auth_user_add(f->st, "agent1", PASSWORD, NULL, CENTRE_CODE, "agent", f->now, &u, &e), OK,
		    &e);
	err_init(&e);
	assert_code(
	    auth_user_add(f->st, "agent1", "another-pass", NULL, CENTRE_CODE, "dispatcher", f->now, NULL, &e),
	    E_CONFLICT, &e);
	assert_string_equal(e.field, "login");
	/* the first account is untouched */
	err_init(&e);
	assert_code(store_user_by_login(f->st, "agent1", &got, &e), OK, &e);
	assert_int_equal(got.id, u.id);
	assert_int_equal(got.role, ROLE_AGENT);
	assert_string_equal(got.pw_hash, u.pw_hash);
}

static void test_hash_stored(void **state)
{
	struct fx *f = *state;
	struct user got;
	struct err e;
	err_init(&e);
	assert_code(store_user_by_login(f->st, "alice", &got, &e), OK, &e);
	assert_int_equal(got.id, f->alice.id);
	assert_true(str_has_prefix(got.pw_hash, "$argon2id$"));
	assert_string_not_equal(got.pw_hash, PASSWORD);
	assert_null(strstr(got.pw_hash, PASSWORD));
	assert_int_equal(crypto_pwhash_str_verify(got.pw_hash, PASSWORD, strlen(PASSWORD)), 0);
	assert_int_not_equal(crypto_pwhash_str_verify(got.pw_hash, "wrong-horse-1", 13), 0);
	assert_string_equal(got.unit, STREET);
	assert_string_equal(got.name, "爱丽丝");
	assert_int_equal(got.role, ROLE_HANDLER);
}

static bool base64url(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '-' || *s == '_'))
			return false;
	return true;
}

static void test_login(void **state)
{
	struct fx *f = *state;
	char tok[TOKEN_CHARS + 1], tok2[TOKEN_CHARS + 1];
	int64_t exp = 0;
	struct err e;

	unsetenv("JIESU_TOKEN_TTL");
	assert_int_equal(auth_token_ttl(), 12 * 3600);
	err_init(&e);
	assert_code(auth_login(f->st, "alice", PASSWORD, f->now, tok, &exp, &e), OK, &e);
	assert_int_equal(strlen(tok), 43);
	assert_true(base64url(tok));
	assert_int_equal(exp, f->now + 12 * 3600);

	/* each login gets a new token; the lifetime follows JIESU_TOKEN_TTL */
	setenv("JIESU_TOKEN_TTL", "600", 1);
	err_init(&e);
	assert_code(auth_login(f->st, "alice", PASSWORD, f->now + 10, tok2, &exp, &e), OK, &e);
	unsetenv("JIESU_TOKEN_TTL");
	assert_int_equal(exp, f->now + 10 + 600);
	assert_string_not_equal(tok, tok2);

	/* wrong password and unknown login: the same error, telling nothing apart */
	struct err e_wrong, e_unknown;
	err_init(&e_wrong);
	assert_code(auth_login(f->st, "alice", "wrong-horse-1", f->now, tok2, &exp, &e_wrong),
		    E_BAD_CREDENTIALS, &e_wrong);
	err_init(&e_unknown);
	assert_code(auth_login(f->st, "nobody", PASSWORD, f->now, tok2, &exp, &e_unknown), E_BAD_CREDENTIALS,
		    &e_unknown);
	assert_string_equal(e_wrong.msg, e_unknown.msg);
	assert_string_equal(e_wrong.field, e_unknown.field);
	/* a password differing only in case is wrong */
	err_init(&e);
	assert_code(auth_login(f->st, "alice", "CORRECT-HORSE-1", f->now, tok2, &exp, &e), E_BAD_CREDENTIALS,
		    &e);
	/* missing fields */
	err_init(&e);
	assert_code(auth_login(f->st, "", PASSWORD, f->now, tok2, &exp, &e), E_INVALID, &e);
	assert_string_equal(e.field, "login");
	err_init(&e);
	assert_code(auth_login(f->st, "alice", "", f->now, tok2, &exp, &e), E_INVALID, &e);
	assert_string_equal(e.field, "password");
}

static void test_token_actor(void **state)
{
	struct fx *f = *state;
	char tok[TOKEN_CHARS + 1], tok2[TOKEN_CHARS + 1], bad[TOKEN_CHARS + 1];
	int64_t exp = 0, exp2 = 0;
	struct actor a;
	struct err e;
	err_init(&e);
	assert_code(auth_login(f->st, "alice", PASSWORD, f->now, tok, &exp, &e), OK, &e);
	err_init(&e);
	assert_code(auth_login(f->st, "alice", PASSWORD, f->now, tok2, &exp2, &e), OK, &e);

	/* valid: the right user and unit */
	memset(&a, 0, sizeof(a));
	err_init(&e);
	assert_code(auth_token_actor(f->st, tok, f->now, &a, &e), OK, &e);
	assert_int_equal(a.user.id, f->alice.id);
	assert_string_equal(a.user.login, "alice");
	assert_int_equal(a.user.role, ROLE_HANDLER);
	assert_string_equal(a.unit.code, STREET);
	assert_string_equal(a.unit.name, "八宝山街道");
	assert_int_equal(a.unit.kind, UNIT_STREET);
	assert_string_equal(a.unit.path, "/12345/110107/110107001/");

	/* the last second before expiry is still valid; from the expiry on it is not */
	err_init(&e);
	assert_code(auth_token_actor(f->st, tok, exp - 1, &a, &e), OK, &e);
	err_init(&e);
	assert_code(auth_token_actor(f->st, tok, exp, &a, &e), E_TOKEN_EXPIRED, &e);
	err_init(&e);
	assert_code(auth_token_actor(f->st, tok, exp + 86400, &a, &e), E_TOKEN_EXPIRED, &e);

	/* garbage, short, NULL, one character changed */
	memset(bad, 'A', TOKEN_CHARS);
	bad[TOKEN_CHARS] = '\0';
	err_init(&e);
	assert_code(auth_token_actor(f->st, bad, f->now, &a, &e), E_UNAUTHENTICATED, &e);
	err_init(&e);
	assert_code(auth_token_actor(f->st, "short", f->now, &a, &e), E_UNAUTHENTICATED, &e);
	err_init(&e);
	assert_code(auth_token_actor(f->st, "", f->now, &a, &e), E_UNAUTHENTICATED, &e);
	err_init(&e);
	assert_code(auth_token_actor(f->st, NULL, f->now, &a, &e), E_UNAUTHENTICATED, &e);
	strlcpy_ok(bad, tok, sizeof(bad));
	bad[10] = bad[10] == 'x' ? 'y' : 'x';
	err_init(&e);
	assert_code(auth_token_actor(f->st, bad, f->now, &a, &e), E_UNAUTHENTICATED, &e);
	char longer[TOKEN_CHARS + 2];
	snprintf(longer, sizeof(longer), "%sx", tok);
	err_init(&e);
	assert_code(auth_token_actor(f->st, longer, f->now, &a, &e), E_UNAUTHENTICATED, &e);

	/* logout revokes that token only; logging out twice is fine */
	err_init(&e);
	assert_code(auth_logout(f->st, tok, &e), OK, &e);
	err_init(&e);
	assert_code(auth_token_actor(f->st, tok, f->now, &a, &e), E_UNAUTHENTICATED, &e);
	err_init(&e);
	assert_code(auth_logout(f->st, tok, &e), OK, &e);
	err_init(&e);
	assert_code(auth_token_actor(f->st, tok2, f->now, &a, &e), OK, &e);
	assert_int_equal(a.user.id, f->alice.id);
	err_init(&e);
	assert_code(auth_logout(f->st, NULL, &e), E_UNAUTHENTICATED, &e);
}

/* The tokens table keeps the BLAKE2b-256 hex digest of a token, never the token. */
static void test_token_not_stored(void **state)
{
	struct fx *f = *state;
	char tok[TOKEN_CHARS + 1], hex[65];
	unsigned char h[32];
	int64_t exp = 0, uid = 0, got_exp = 0;
	struct err e;
	err_init(&e);
	assert_code(auth_login(f->st, "alice", PASSWORD, f->now, tok, &exp, &e), OK, &e);
	err_init(&e);
	assert_code(store_token_get(f->st, tok, &uid, &got_exp, &e), E_NOT_FOUND, &e);

	/* what is stored: the digest, with the user and the expiry */
	crypto_generichash(h, sizeof(h), (const unsigned char *)tok, strlen(tok), NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	err_init(&e);
	assert_code(store_token_get(f->st, hex, &uid, &got_exp, &e), OK, &e);
	assert_int_equal(uid, f->alice.id);
	assert_int_equal(got_exp, exp);

	/* after logout the digest is gone too */
	err_init(&e);
	assert_code(auth_logout(f->st, tok, &e), OK, &e);
	err_init(&e);
	assert_code(store_token_get(f->st, hex, &uid, &got_exp, &e), E_NOT_FOUND, &e);
}

/* An actor for a login (the command line's way in). */
static void test_actor_by_login(void **state)
{
	struct fx *f = *state;
	struct actor a;
	struct err e;
	err_init(&e);
	assert_code(auth_actor_by_login(f->st, "alice", &a, &e), OK, &e);
	assert_int_equal(a.user.id, f->alice.id);
	assert_string_equal(a.unit.code, STREET);
	err_init(&e);
	assert_code(auth_actor_by_login(f->st, "nobody", &a, &e), E_NOT_FOUND, &e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_user_add_checks), cmocka_unit_test(test_duplicate_login),
	    cmocka_unit_test(test_hash_stored),	    cmocka_unit_test(test_login),
	    cmocka_unit_test(test_token_actor),	    cmocka_unit_test(test_token_not_stored),
	    cmocka_unit_test(test_actor_by_login),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
