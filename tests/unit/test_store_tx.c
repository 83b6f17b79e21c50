/*
 * test_store_tx — nested store transactions: a store_begin inside an open
 * transaction is a savepoint whose commit joins the enclosing transaction
 * and whose rollback undoes only its own work; nothing is durable before
 * the outer commit (a second connection sees nothing until then).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "store/store.h"

struct fx {
	char dir[64], path[96];
	struct store *st, *other;
	struct err e;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/jiesu-store-tx-XXXXXX");
	if (!f || !mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/t.db", f->dir);
	err_init(&f->e);
	if (store_open(f->path, &f->st, &f->e) != OK || store_open(f->path, &f->other, &f->e) != OK)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char p[128];
	store_close(f->st);
	store_close(f->other);
	unlink(f->path);
	snprintf(p, sizeof(p), "%s-wal", f->path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", f->path);
	unlink(p);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void put_holiday(struct fx *f, int64_t day, const char *name)
{
	struct holiday h = {.day = day, .work = false};
	snprintf(h.name, sizeof(h.name), "%s", name);
	assert_int_equal(store_holiday_put(f->st, &h, &f->e), OK);
}

static int count_cb(void *ctx, const struct holiday *h)
{
	(void)h;
	(*(int *)ctx)++;
	return 0;
}

static int count(struct store *st)
{
	int n = 0;
	struct err e;
	err_init(&e);
	assert_int_equal(store_holidays_list(st, count_cb, &n, &e), OK);
	return n;
}

static void test_nested_commit_and_rollback(void **state)
{
	struct fx *f = *state;
	assert_int_equal(store_begin(f->st, &f->e), OK);
	put_holiday(f, 20000, "外层");

	/* a nested level that commits joins the outer transaction */
	assert_int_equal(store_begin(f->st, &f->e), OK);
	put_holiday(f, 20001, "内层一");
	assert_int_equal(store_commit(f->st, &f->e), OK);

	/* a nested level that rolls back undoes only its own rows */
	assert_int_equal(store_begin(f->st, &f->e), OK);
	put_holiday(f, 20002, "内层二");
	assert_int_equal(count(f->st), 3);
	store_rollback(f->st);
	assert_int_equal(count(f->st), 2);

	/* two levels deep, then back out */
	assert_int_equal(store_begin(f->st, &f->e), OK);
	assert_int_equal(store_begin(f->st, &f->e), OK);
	put_holiday(f, 20003, "内层三");
	assert_int_equal(store_commit(f->st, &f->e), OK);
	store_rollback(f->st); /* undoes 20003 with its level */
	assert_int_equal(count(f->st), 2);

	/* nothing is visible to another connection before the outer commit */
	assert_int_equal(count(f->other), 0);
	assert_int_equal(store_commit(f->st, &f->e), OK);
	assert_int_equal(count(f->other), 2);

	/* after the outer commit a begin starts a fresh transaction, and rollback drops it whole */
	assert_int_equal(store_begin(f->st, &f->e), OK);
	put_holiday(f, 20004, "回滚");
	store_rollback(f->st);
	assert_int_equal(count(f->other), 2);
	assert_int_equal(count(f->st), 2);
	/* rollback with nothing open is harmless */
	store_rollback(f->st);
	assert_int_equal(store_begin(f->st, &f->e), OK);
	assert_int_equal(store_commit(f->st, &f->e), OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_nested_commit_and_rollback, setup, teardown),
	};
	return cmocka_run_group_tests_name("store transactions", tests, NULL, NULL);
}
