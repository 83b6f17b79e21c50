/*
 * fixture.h — the database fixture shared by the domain unit tests that
 * work on a real SQLite store (test_case, test_assess).
 *
 * A template database is built once per test program by the group setup:
 * a fresh temporary directory, the Beijing demo catalog, and the program's
 * own table of users (argon2id costs ~0.1 s a user, so they are made once),
 * then the store is closed so the WAL is checkpointed into the main file.
 * Each test's setup copies the template into its own temporary directory,
 * opens it, loads the case context and one actor per user; the teardown
 * removes every file again. Tests never see each other's rows.
 *
 * Usage: call fixture_use() in main() before cmocka_run_group_tests(), and
 * pass fixture_group_setup/fixture_group_teardown to it and
 * fixture_setup/fixture_teardown to each test that needs a database. The
 * test's state is then a struct fx *, owned by the fixture.
 *
 * Include <stdarg.h>, <stddef.h>, <setjmp.h>, <stdint.h> and <cmocka.h>
 * before this header.
 */
#ifndef JIESU_TEST_FIXTURE_H
#define JIESU_TEST_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "domain/auth.h"
#include "domain/case.h"

#define FIXTURE_PASSWORD "correct-horse-1" /* every fixture user's password */

/* One account of the template database. */
struct fixture_user {
	const char *login, *unit, *role;
};

/* One test's database; a[i] is the actor of users[i] as given to fixture_use(). */
struct fx {
	char dir[64], path[96];
	struct store *st;
	struct case_ctx cx;
	int64_t now; /* the test's clock: 2026-03-02T09:00+08:00 (a Monday, no holiday near) at setup */
	struct actor a[];
};

/*
 * Choose the users of the template and the name that marks the temporary
 * directories (/tmp/jiesu-<name>-XXXXXX). Both are kept by pointer: pass
 * static storage. Call once, before the group setup runs.
 */
void fixture_use(const char *name, const struct fixture_user *users, size_t n_users);

/* cmocka callbacks: the template database (group) and each test's copy. */
int fixture_group_setup(void **state);
int fixture_group_teardown(void **state);
int fixture_setup(void **state);
int fixture_teardown(void **state);

/* Parse an ISO time or fail the test. */
int64_t T(const char *iso);

#include "assert_code.h" /* assert_code(rc, want, e) */

#endif
