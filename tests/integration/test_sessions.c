/*
 * test_sessions — logins and sessions (issue 7 part 4): failed logins
 * throttled per account and per address with a clear message and
 * Retry-After; a password changed by its owner ends every other session;
 * logout revokes; HTTPS through libmicrohttpd's GnuTLS with a Secure
 * cookie and HSTS. (Token expiry: test_auth; security headers: test_errors.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *try_login(struct harness *h, const char *login, const char *password, long *st)
{
	char body[256];
	snprintf(body, sizeof(body), "{\"login\":\"%s\",\"password\":\"%s\"}", login, password);
	return http(h, "POST", "/api/v1/auth/login", NULL, body, st);
}

static void test_login_throttled_per_account(void **state)
{
	struct harness *h = *state;
	long st;
	assert_true(h_start(h, H_NOW, NULL));
	for (int i = 0; i < 5; i++)
		EXPECT_ERROR(h, try_login(h, "agent", "wrong-pass", &st), 401, "bad_credentials", NULL);
	/* locked: even the right password waits, and the answer says how long */
	json_t *j = try_login(h, "agent", H_PASSWORD, &st);
	EXPECT_ERROR(h, j, 429, "too_many_attempts", "login");
	EXPECT_TRUE(strstr(jstr(j, "error.message"), "秒后再试") != NULL, h->last_body);
	const char *ra = h_header(h, "Retry-After");
	EXPECT_TRUE(ra && atoi(ra) > 0 && atoi(ra) <= 60, ra ? ra : "no Retry-After");
	/* another account is not affected */
	login(h, "dispatcher", H_PASSWORD);
	/* a success clears an account's count */
	for (int i = 0; i < 4; i++)
		EXPECT_ERROR(h, try_login(h, "babaoshan.handler", "wrong-pass", &st), 401, "bad_credentials", NULL);
	login(h, "babaoshan.handler", H_PASSWORD);
	for (int i = 0; i < 4; i++)
		EXPECT_ERROR(h, try_login(h, "babaoshan.handler", "wrong-pass", &st), 401, "bad_credentials", NULL);
	login(h, "babaoshan.handler", H_PASSWORD);
}

static void test_login_throttled_per_address(void **state)
{
	struct harness *h = *state;
	long st;
	char name[32];
	assert_true(h_start(h, H_NOW, NULL));
	/* guessing across many accounts from one address: 20 failures, then the address waits */
	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "nobody.%02d", i);
		EXPECT_ERROR(h, try_login(h, name, "wrong-pass", &st), 401, "bad_credentials", NULL);
	}
	json_t *j = try_login(h, "agent", H_PASSWORD, &st);
	EXPECT_ERROR(h, j, 429, "too_many_attempts", NULL);
	EXPECT_TRUE(strstr(jstr(j, "error.message"), "本机") != NULL, h->last_body);
	EXPECT_TRUE(h_header(h, "Retry-After") != NULL, h->last_headers);
}

static void test_password_change(void **state)
{
	struct harness *h = *state;
	long st;
	assert_true(h_start(h, H_NOW, NULL));
	const char *first = login(h, "dispatcher", H_PASSWORD), *second = login(h, "dispatcher", H_PASSWORD);
	/* refused: wrong current password, a short new one, the same one, unknown fields; nothing changes */
	EXPECT_ERROR(h,
		     http(h, "POST", "/api/v1/me/password", first,
			  "{\"current_password\":\"not-it-123\",\"new_password\":\"new-pass-123\"}", &st),
		     400, "invalid", "current_password");
	EXPECT_ERROR(h,
		     http(h, "POST", "/api/v1/me/password", first,
			  "{\"current_password\":\"" H_PASSWORD "\",\"new_password\":\"short\"}", &st),
		     400, "invalid", "new_password");
	EXPECT_ERROR(h,
		     http(h, "POST", "/api/v1/me/password", first,
			  "{\"current_password\":\"" H_PASSWORD "\",\"new_password\":\"" H_PASSWORD "\"}", &st),
		     400, "invalid", "new_password");
	EXPECT_ERROR(h,
		     http(h, "POST", "/api/v1/me/password", first,
			  "{\"current_password\":\"" H_PASSWORD "\",\"new_password\":\"new-pass-123\",\"x\":1}", &st),
		     400, "invalid", "x");
	EXPECT_ERROR(h, http(h, "POST", "/api/v1/me/password", NULL, "{}", &st), 401, "unauthenticated", NULL);
	http(h, "GET", "/api/v1/me", second, NULL, &st);
	EXPECT_STATUS(h, st, 200);
	/* changed: every session ends but the one that changed it, which goes on under a new token */
	json_t *j = http(h, "POST", "/api/v1/me/password", first,
			 "{\"current_password\":\"" H_PASSWORD "\",\"new_password\":\"new-pass-123\"}", &st);
	EXPECT_STATUS(h, st, 200);
	const char *renewed = jstr(j, "token");
	EXPECT_TRUE(renewed && strlen(renewed) > 20, h->last_body);
	EXPECT_ERROR(h, http(h, "GET", "/api/v1/me", first, NULL, &st), 401, "unauthenticated", NULL);
	EXPECT_ERROR(h, http(h, "GET", "/api/v1/me", second, NULL, &st), 401, "unauthenticated", NULL);
	EXPECT_STR(http(h, "GET", "/api/v1/me", renewed, NULL, &st), "login", "dispatcher");
	EXPECT_ERROR(h, try_login(h, "dispatcher", H_PASSWORD, &st), 401, "bad_credentials", NULL);
	login(h, "dispatcher", "new-pass-123");
	/* logout revokes that token only */
	const char *other = login(h, "dispatcher", "new-pass-123");
	http(h, "POST", "/api/v1/auth/logout", renewed, NULL, &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_ERROR(h, http(h, "GET", "/api/v1/me", renewed, NULL, &st), 401, "unauthenticated", NULL);
	http(h, "GET", "/api/v1/me", other, NULL, &st);
	EXPECT_STATUS(h, st, 200);
}

static void test_https(void **state)
{
	struct harness *h = *state;
	long st;
	snprintf(h->tls_cert, sizeof(h->tls_cert), "tests/data/tls/test-cert.pem");
	snprintf(h->tls_key, sizeof(h->tls_key), "tests/data/tls/test-key.pem");
	assert_true(h_start(h, H_NOW, NULL));
	EXPECT_TRUE(!strncmp(h->base, "https://", 8), h->base);
	http(h, "GET", "/healthz", NULL, NULL, &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_TRUE(h_header(h, "Strict-Transport-Security") != NULL, h->last_headers);
	http(h, "POST", "/api/v1/auth/session", NULL, "{\"login\":\"agent\",\"password\":\"" H_PASSWORD "\"}", &st);
	EXPECT_STATUS(h, st, 200);
	const char *cookie = h_header(h, "Set-Cookie");
	EXPECT_TRUE(cookie && strstr(cookie, "; Secure") && strstr(cookie, "HttpOnly"), cookie ? cookie : "no cookie");
	const char *tok = login(h, "agent", H_PASSWORD);
	http(h, "GET", "/api/v1/cases", tok, NULL, &st);
	EXPECT_STATUS(h, st, 200);
	assert_int_equal(h_stop(h), 0);
	/* a key that is not there, or only one of the pair: refused before anything starts */
	char *err = NULL;
	EXPECT_TRUE(h_run(h, NULL, NULL, &err, "serve", "--db", h->db, "--tls-cert", "tests/data/tls/test-cert.pem",
			  (char *)NULL) == 2,
		    err);
	EXPECT_TRUE(h_run(h, NULL, NULL, &err, "serve", "--db", h->db, "--tls-cert", "tests/data/tls/test-cert.pem",
			  "--tls-key", "/nonexistent.pem", (char *)NULL) == 2 &&
			strstr(err, "--tls-key"),
		    err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_login_throttled_per_account, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_login_throttled_per_address, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_password_change, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_https, h_setup, h_teardown),
	};
	int failed = cmocka_run_group_tests_name("integration: sessions", tests, h_group_setup, h_group_teardown);
	printf("%lu checks\n", h_checks());
	return failed ? 1 : 0;
}
