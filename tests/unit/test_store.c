/*
 * test_store — the SQLite engine of the store, on a fresh database file
 * per test in a temporary directory that is removed afterwards.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/store.h"
#include "store/store_sqlite_int.h"

static char tmpdir[] = "/tmp/jiesu-test-store-XXXXXX";
static int db_counter;

struct fixture {
	char path[256];
	struct store *st;
	struct err e;
};

static int group_setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

/* Remove the temporary directory and whatever a failed test left in it. */
static int group_teardown(void **state)
{
	char p[300];
	struct dirent *d;
	DIR *dir = opendir(tmpdir);
	(void)state;
	while (dir && (d = readdir(dir))) {
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", tmpdir, d->d_name);
		unlink(p);
	}
	if (dir)
		closedir(dir);
	return rmdir(tmpdir);
}

static void remove_db(const char *path)
{
	char p[300];
	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	snprintf(f->path, sizeof(f->path), "%s/t%d.db", tmpdir, ++db_counter);
	err_init(&f->e);
	if (store_open(f->path, &f->st, &f->e) != OK) {
		fprintf(stderr, "store_open: %s\n", f->e.msg);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	store_close(f->st);
	remove_db(f->path);
	free(f);
	return 0;
}

/* Run one integer-valued SQL query on the file through a separate connection. */
static int64_t sql_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	int64_t v = -1;
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

static void put_unit(struct store *st, const char *code, enum unit_kind kind, const char *parent,
		     const char *sector)
{
	struct unit u = {0};
	struct err e;
	err_init(&e);
	strcpy(u.code, code);
	snprintf(u.name, sizeof(u.name), "单位%s", code);
	u.kind = kind;
	strcpy(u.parent, parent);
	strcpy(u.sector, sector);
	assert_int_equal(store_unit_put(st, &u, &e), OK);
}

static void assert_path(struct store *st, const char *code, const char *path)
{
	struct unit u;
	struct err e;
	err_init(&e);
	assert_int_equal(store_unit_get(st, code, &u, &e), OK);
	assert_string_equal(u.path, path);
}

/*
 * A handle keeps the units it read: its own changes and rollbacks show at
 * once, another handle's after store_refresh.
 */
static void test_unit_cache(void **state)
{
	struct fixture *f = *state;
	struct store *other;
	struct unit u;
	put_unit(f->st, "C", UNIT_CENTRE, "", "");
	put_unit(f->st, "D", UNIT_DISTRICT, "C", "");
	assert_int_equal(store_unit_get(f->st, "D", &u, &f->e), OK);
	assert_string_equal(u.name, "单位D");
	/* its own change: at once */
	strcpy(u.name, "改名一");
	assert_int_equal(store_unit_put(f->st, &u, &f->e), OK);
	assert_int_equal(store_unit_get(f->st, "D", &u, &f->e), OK);
	assert_string_equal(u.name, "改名一");
	/* a change rolled back: forgotten */
	assert_int_equal(store_begin(f->st, &f->e), OK);
	strcpy(u.name, "未保存");
	assert_int_equal(store_unit_put(f->st, &u, &f->e), OK);
	assert_int_equal(store_unit_get(f->st, "D", &u, &f->e), OK);
	assert_string_equal(u.name, "未保存");
	store_rollback(f->st);
	assert_int_equal(store_unit_get(f->st, "D", &u, &f->e), OK);
	assert_string_equal(u.name, "改名一");
	/* another handle's change: after store_refresh */
	store_refresh(f->st);
	assert_int_equal(store_unit_get(f->st, "D", &u, &f->e), OK);
	assert_int_equal(store_open(f->path, &other, &f->e), OK);
	strcpy(u.name, "改名二");
	assert_int_equal(store_unit_put(other, &u, &f->e), OK);
	store_close(other);
	assert_int_equal(store_unit_get(f->st, "D", &u, &f->e), OK);
	assert_string_equal(u.name, "改名一");
	store_refresh(f->st);
	assert_int_equal(store_unit_get(f->st, "D", &u, &f->e), OK);
	assert_string_equal(u.name, "改名二");
	/* a unit not there is not kept as missing */
	assert_int_equal(store_unit_get(f->st, "E", &u, &f->e), E_NOT_FOUND);
	put_unit(f->st, "E", UNIT_STREET, "D", "");
	assert_int_equal(store_unit_get(f->st, "E", &u, &f->e), OK);
	assert_string_equal(u.path, "/C/D/E/");
	/* a change undone at a nested level: forgotten, the transaction goes on */
	assert_int_equal(store_begin(f->st, &f->e), OK);
	put_unit(f->st, "F", UNIT_STREET, "D", "");
	assert_int_equal(store_begin(f->st, &f->e), OK);
	assert_int_equal(store_unit_get(f->st, "E", &u, &f->e), OK);
	strcpy(u.name, "嵌套中改名");
	assert_int_equal(store_unit_put(f->st, &u, &f->e), OK);
	assert_int_equal(store_unit_get(f->st, "E", &u, &f->e), OK);
	assert_string_equal(u.name, "嵌套中改名");
	store_rollback(f->st);
	assert_int_equal(store_unit_get(f->st, "E", &u, &f->e), OK);
	assert_string_equal(u.name, "单位E");
	assert_int_equal(store_unit_get(f->st, "F", &u, &f->e), OK);
	assert_int_equal(store_commit(f->st, &f->e), OK);
	assert_int_equal(store_unit_get(f->st, "F", &u, &f->e), OK);
	assert_string_equal(u.path, "/C/D/F/");
}

/* More units than the cache holds at once (16,384): every answer still right. */
static void test_unit_cache_many(void **state)
{
	struct fixture *f = *state;
	enum { N = 17000 };
	char code[16];
	struct unit u;
	put_unit(f->st, "C", UNIT_CENTRE, "", "");
	assert_int_equal(store_begin(f->st, &f->e), OK);
	for (int i = 0; i < N; i++) {
		snprintf(code, sizeof(code), "S%05d", i);
		put_unit(f->st, code, UNIT_STREET, "C", "");
	}
	assert_int_equal(store_commit(f->st, &f->e), OK);
	for (int round = 0; round < 2; round++)
		for (int i = 0; i < N; i += round ? 7 : 1) {
			snprintf(code, sizeof(code), "S%05d", i);
			assert_int_equal(store_unit_get(f->st, code, &u, &f->e), OK);
			assert_string_equal(u.code, code);
			assert_string_equal(u.parent, "C");
		}
}

/* ---- open and migrations ---- */

static void test_open_twice(void **state)
{
	struct fixture *f = *state;
	struct store *again;
	store_close(f->st);
	f->st = NULL;
	assert_int_equal(store_open(f->path, &again, &f->e), OK);
	store_close(again);
	assert_int_equal(store_open(f->path, &f->st, &f->e), OK);
	assert_int_equal(sql_int(f->path, "SELECT count(*) FROM schema_migrations"), 18);
	assert_int_equal(sql_int(f->path, "SELECT max(version) FROM schema_migrations"), 18);
	assert_int_equal(store_units_count(f->st), 0);
}

static void test_open_wal(void **state)
{
	struct fixture *f = *state;
	sqlite3 *db;
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(s, 0), "wal");
	sqlite3_finalize(s);
	sqlite3_close(db);
}

static void test_open_not_a_database(void **state)
{
	char path[256];
	struct store *st = (struct store *)1;
	struct err e;
	(void)state;
	err_init(&e);
	snprintf(path, sizeof(path), "%s/garbage.db", tmpdir);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	for (int i = 0; i < 200; i++)
		fputs("this is not a database file\n", fp);
	fclose(fp);
	assert_int_equal(store_open(path, &st, &e), E_DB);
	assert_null(st);
	assert_non_null(strstr(e.msg, path));
	assert_non_null(strstr(e.msg, "不是数据库文件"));
	remove_db(path);

	snprintf(path, sizeof(path), "%s/no/such/dir/x.db", tmpdir);
	err_init(&e);
	assert_int_equal(store_open(path, &st, &e), E_IO);
	assert_null(st);
	assert_non_null(strstr(e.msg, path));
}

/* ---- units ---- */

struct names {
	int n;
	char v[16][LIMIT_CODE + 1];
	struct store *st;
};

static int collect_unit(void *ctx, const struct unit *u)
{
	struct names *l = ctx;
	strcpy(l->v[l->n++], u->code);
	return 0;
}

static void test_unit_tree(void **state)
{
	struct fixture *f = *state;
	struct unit u;
	struct names l = {0};
	put_unit(f->st, "12345", UNIT_CENTRE, "", "");
	put_unit(f->st, "110107", UNIT_DISTRICT, "12345", "");
	put_unit(f->st, "110107001", UNIT_STREET, "110107", "");
	put_unit(f->st, "110107002", UNIT_STREET, "110107", "");
	put_unit(f->st, "110107001001", UNIT_COMMUNITY, "110107001", "");
	assert_int_equal(store_units_count(f->st), 5);

	assert_int_equal(store_unit_get(f->st, "110107001001", &u, &f->e), OK);
	assert_string_equal(u.code, "110107001001");
	assert_string_equal(u.name, "单位110107001001");
	assert_int_equal(u.kind, UNIT_COMMUNITY);
	assert_string_equal(u.parent, "110107001");
	assert_string_equal(u.sector, "");
	assert_string_equal(u.path, "/12345/110107/110107001/110107001001/");
	assert_path(f->st, "12345", "/12345/");
	assert_int_equal(store_unit_get(f->st, "12345", &u, &f->e), OK);
	assert_string_equal(u.parent, "");

	/* put again: an update, not a second row */
	put_unit(f->st, "110107002", UNIT_STREET, "110107", "");
	assert_int_equal(store_units_count(f->st), 5);

	assert_int_equal(store_units_list(f->st, UNIT_STREET, NULL, collect_unit, &l, &f->e), OK);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0], "110107001");
	assert_string_equal(l.v[1], "110107002");
	l.n = 0;
	assert_int_equal(store_units_list(f->st, -1, "", collect_unit, &l, &f->e), OK);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0], "12345");
	l.n = 0;
	assert_int_equal(store_units_list(f->st, -1, "110107", collect_unit, &l, &f->e), OK);
	assert_int_equal(l.n, 2);
	l.n = 0;
	assert_int_equal(store_units_list(f->st, -1, NULL, collect_unit, &l, &f->e), OK);
	assert_int_equal(l.n, 5);
	assert_string_equal(l.v[0], "110107");

	assert_int_equal(store_unit_get(f->st, "999", &u, &f->e), E_NOT_FOUND);
	assert_string_equal(f->e.msg, "单位 999 不存在");
}

static void test_unit_unknown_parent(void **state)
{
	struct fixture *f = *state;
	struct unit u = {.kind = UNIT_STREET};
	put_unit(f->st, "12345", UNIT_CENTRE, "", "");
	strcpy(u.code, "110107001");
	strcpy(u.parent, "110107");
	assert_int_equal(store_unit_put(f->st, &u, &f->e), E_INVALID);
	assert_string_equal(f->e.field, "parent");
	assert_string_equal(f->e.msg, "上级单位 110107 不存在");
	assert_int_equal(store_units_count(f->st), 1);

	strcpy(u.code, "a/b");
	strcpy(u.parent, "12345");
	assert_int_equal(store_unit_put(f->st, &u, &f->e), E_INVALID);
	assert_string_equal(f->e.field, "code");
}

/*
 * Two districts under the centre: 110101 with the streets 110101001 (and its
 * community 110101001001) and 110101002, 110102 with 110102001; and the
 * department 1101019, whose path shares the prefix "/12345/110101".
 */
static void put_two_districts(struct store *st)
{
	put_unit(st, "12345", UNIT_CENTRE, "", "");
	put_unit(st, "110101", UNIT_DISTRICT, "12345", "");
	put_unit(st, "110102", UNIT_DISTRICT, "12345", "");
	put_unit(st, "110101001", UNIT_STREET, "110101", "");
	put_unit(st, "110101001001", UNIT_COMMUNITY, "110101001", "");
	put_unit(st, "110101002", UNIT_STREET, "110101", "");
	put_unit(st, "110102001", UNIT_STREET, "110102", "");
	put_unit(st, "1101019", UNIT_DEPARTMENT, "12345", "");
}

static void test_unit_move(void **state)
{
	struct fixture *f = *state;
	struct unit u = {.kind = UNIT_STREET};
	put_two_districts(f->st);

	put_unit(f->st, "110101001", UNIT_STREET, "110102", "");
	assert_path(f->st, "110101001", "/12345/110102/110101001/");
	assert_path(f->st, "110101001001", "/12345/110102/110101001/110101001001/");
	assert_path(f->st, "110101002", "/12345/110101/110101002/");

	/* a unit cannot move under itself or its subtree */
	strcpy(u.code, "110102");
	strcpy(u.parent, "110101001001");
	u.kind = UNIT_DISTRICT;
	assert_int_equal(store_unit_put(f->st, &u, &f->e), E_INVALID);
	assert_string_equal(f->e.field, "parent");
	assert_path(f->st, "110102", "/12345/110102/");
}

static void test_unit_by_sector(void **state)
{
	struct fixture *f = *state;
	struct unit u;
	put_unit(f->st, "12345", UNIT_CENTRE, "", "");
	put_unit(f->st, "110101", UNIT_DISTRICT, "12345", "");
	put_unit(f->st, "110102", UNIT_DISTRICT, "12345", "");
	put_unit(f->st, "110101D01", UNIT_DEPARTMENT, "110101", "chengguan");
	put_unit(f->st, "110102D01", UNIT_DEPARTMENT, "110102", "chengguan");
	put_unit(f->st, "110102E01", UNIT_ENTERPRISE, "110102", "water");
	assert_int_equal(store_unit_by_sector(f->st, "110102", "chengguan", &u, &f->e), OK);
	assert_string_equal(u.code, "110102D01");
	assert_string_equal(u.sector, "chengguan");
	assert_int_equal(store_unit_by_sector(f->st, "110102", "water", &u, &f->e), OK);
	assert_string_equal(u.code, "110102E01");
	assert_int_equal(store_unit_by_sector(f->st, "110101", "water", &u, &f->e), E_NOT_FOUND);
	/* the answers are kept: the same again, found or not */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(store_unit_by_sector(f->st, "110102", "chengguan", &u, &f->e), OK);
		assert_string_equal(u.code, "110102D01");
		assert_string_equal(u.path, "/12345/110102/110102D01/");
		assert_int_equal(store_unit_by_sector(f->st, "110101", "water", &u, &f->e), E_NOT_FOUND);
	}
	/* until the tree changes: this handle's change at once */
	put_unit(f->st, "110101E01", UNIT_ENTERPRISE, "110101", "water");
	assert_int_equal(store_unit_by_sector(f->st, "110101", "water", &u, &f->e), OK);
	assert_string_equal(u.code, "110101E01");
	/* another handle's after store_refresh */
	struct store *other;
	assert_int_equal(store_open(f->path, &other, &f->e), OK);
	put_unit(other, "110102D00", UNIT_DEPARTMENT, "110102", "chengguan");
	store_close(other);
	store_refresh(f->st);
	assert_int_equal(store_unit_by_sector(f->st, "110102", "chengguan", &u, &f->e), OK);
	assert_string_equal(u.code, "110102D00");
}

static int nested_unit(void *ctx, const struct unit *u)
{
	struct names *l = ctx;
	struct names inner = {0};
	struct err e;
	err_init(&e);
	/* re-enter the same statement while the outer iteration runs */
	assert_int_equal(store_units_list(l->st, -1, NULL, collect_unit, &inner, &e), OK);
	assert_int_equal(inner.n, 3);
	strcpy(l->v[l->n++], u->code);
	return l->n == 2 ? 42 : 0;
}

static void test_list_reentrant_and_stop(void **state)
{
	struct fixture *f = *state;
	struct names l = {.st = f->st};
	put_unit(f->st, "1", UNIT_CENTRE, "", "");
	put_unit(f->st, "2", UNIT_DISTRICT, "1", "");
	put_unit(f->st, "3", UNIT_DISTRICT, "1", "");
	assert_int_equal(store_units_list(f->st, -1, NULL, nested_unit, &l, &f->e), 42);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[1], "2");
	/* the cached statement is usable again */
	l.n = 0;
	assert_int_equal(store_units_list(f->st, -1, NULL, collect_unit, &l, &f->e), OK);
	assert_int_equal(l.n, 3);
}

/* ---- reference data ---- */

static int count_category(void *ctx, const struct category *c)
{
	int *n = ctx;
	(*n)++;
	assert_true(c->id > 0);
	return 0;
}

static void test_categories(void **state)
{
	struct fixture *f = *state;
	struct category c = {.tier = TIER_GENERAL}, d = {.tier = TIER_UTILITIES}, got;
	int n = 0;
	strcpy(c.path, "住房->小区配套->电梯");
	strcpy(c.handling, "street");
	strcpy(d.path, "公用事业->供水->停水");
	strcpy(d.handling, "sector:water");
	assert_int_equal(store_category_put(f->st, &c, &f->e), OK);
	assert_int_equal(c.id, 1);
	assert_int_equal(store_category_put(f->st, &d, &f->e), OK);
	assert_int_equal(d.id, 2);

	/* same path, id 0: updates the existing row and returns its id */
	struct category again = {.tier = TIER_COMPLEX};
	strcpy(again.path, "住房->小区配套->电梯");
	strcpy(again.handling, "sector:housing");
	assert_int_equal(store_category_put(f->st, &again, &f->e), OK);
	assert_int_equal(again.id, 1);
	assert_int_equal(store_category_get(f->st, 1, &got, &f->e), OK);
	assert_string_equal(got.path, "住房->小区配套->电梯");
	assert_int_equal(got.tier, TIER_COMPLEX);
	assert_string_equal(got.handling, "sector:housing");

	/* an explicit id taking another row's path */
	d.id = 2;
	strcpy(d.path, "住房->小区配套->电梯");
	assert_int_equal(store_category_put(f->st, &d, &f->e), E_CONFLICT);
	assert_string_equal(f->e.field, "path");

	assert_int_equal(store_categories_list(f->st, count_category, &n, &f->e), OK);
	assert_int_equal(n, 2);
	assert_int_equal(store_category_get(f->st, 77, &got, &f->e), E_NOT_FOUND);
}

static int collect_holiday(void *ctx, const struct holiday *h)
{
	struct holiday *out = ctx;
	int i = 0;
	while (out[i].day)
		i++;
	out[i] = *h;
	return 0;
}

static void test_tiers_and_holidays(void **state)
{
	struct fixture *f = *state;
	struct tier_rule r[TIER_COUNT];
	struct holiday h[4] = {{0}};
	struct holiday a = {.day = 20482, .work = false}, b = {.day = 20480, .work = true};
	strcpy(a.name, "元旦");
	strcpy(b.name, "元旦调休");

	for (int t = 0; t < TIER_COUNT - 1; t++) {
		struct tier_rule x = {(enum tier)t, 60 * (t + 1), 30, 120, 7, SPAN_WORKING_DAYS, 75, false};
		assert_int_equal(store_tier_put(f->st, &x, &f->e), OK);
	}
	/* a tier without a stored rule keeps the caller's default */
	memset(r, 0, sizeof(r));
	r[TIER_COMPLEX].tier = TIER_COMPLEX;
	r[TIER_COMPLEX].dispatch_minutes = 999;
	assert_int_equal(store_tiers_load(f->st, r, &f->e), E_NOT_FOUND);
	assert_non_null(strstr(f->e.msg, "complex"));
	assert_int_equal(r[TIER_COMPLEX].dispatch_minutes, 999);
	assert_int_equal(r[TIER_EMERGENCY].dispatch_minutes, 60);
	assert_int_equal(r[TIER_GENERAL].tier, TIER_GENERAL);
	assert_int_equal(r[TIER_GENERAL].dispatch_minutes, 180);
	struct tier_rule x = {TIER_COMPLEX, 1440, 60, 120, 15, SPAN_CALENDAR_DAYS, 80, true};
	assert_int_equal(store_tier_put(f->st, &x, &f->e), OK);
	assert_int_equal(store_tiers_load(f->st, r, &f->e), OK);
	assert_true(r[TIER_COMPLEX].redispatch_keeps_due);
	assert_false(r[TIER_GENERAL].redispatch_keeps_due);
	assert_int_equal(r[TIER_UTILITIES].tier, TIER_UTILITIES);
	assert_int_equal(r[TIER_UTILITIES].dispatch_minutes, 120);
	assert_int_equal(r[TIER_UTILITIES].feedback_unit, SPAN_WORKING_DAYS);
	assert_int_equal(r[TIER_COMPLEX].feedback_amount, 15);
	assert_int_equal(r[TIER_COMPLEX].feedback_unit, SPAN_CALENDAR_DAYS);
	assert_int_equal(r[TIER_COMPLEX].warn_percent, 80);
	assert_int_equal(r[TIER_COMPLEX].contact_minutes, 120);

	assert_int_equal(store_holiday_put(f->st, &a, &f->e), OK);
	assert_int_equal(store_holiday_put(f->st, &b, &f->e), OK);
	assert_int_equal(store_holidays_list(f->st, collect_holiday, h, &f->e), OK);
	assert_int_equal(h[0].day, 20480);
	assert_true(h[0].work);
	assert_string_equal(h[0].name, "元旦调休");
	assert_int_equal(h[1].day, 20482);
	assert_false(h[1].work);
	assert_int_equal(h[2].day, 0);
}

/* ---- users and tokens ---- */

static void test_users(void **state)
{
	struct fixture *f = *state;
	struct user u = {.role = ROLE_DISPATCHER, .active = true, .created_at = 1700000000}, got;
	put_unit(f->st, "12345", UNIT_CENTRE, "", "");
	strcpy(u.login, "zhang");
	strcpy(u.name, "张三");
	strcpy(u.pw_hash, "$argon2id$v=19$m=65536,t=2,p=1$abc$def");
	strcpy(u.unit, "12345");
	assert_int_equal(store_user_insert(f->st, &u, &f->e), OK);
	assert_int_equal(u.id, 1);

	assert_int_equal(store_user_by_login(f->st, "zhang", &got, &f->e), OK);
	assert_int_equal(got.id, 1);
	assert_string_equal(got.name, "张三");
	assert_string_equal(got.pw_hash, u.pw_hash);
	assert_string_equal(got.unit, "12345");
	assert_int_equal(got.role, ROLE_DISPATCHER);
	assert_true(got.active);
	assert_int_equal(got.created_at, 1700000000);
	assert_int_equal(store_user_by_id(f->st, 1, &got, &f->e), OK);
	assert_string_equal(got.login, "zhang");

	struct user dup = u;
	dup.id = 0;
	assert_int_equal(store_user_insert(f->st, &dup, &f->e), E_CONFLICT);
	assert_string_equal(f->e.field, "login");

	struct user nounit = u;
	nounit.id = 0;
	strcpy(nounit.login, "li");
	strcpy(nounit.unit, "nowhere");
	assert_int_equal(store_user_insert(f->st, &nounit, &f->e), E_INVALID);
	assert_string_equal(f->e.field, "unit");
	strcpy(nounit.unit, "");
	nounit.active = false;
	nounit.role = ROLE_ADMIN;
	assert_int_equal(store_user_insert(f->st, &nounit, &f->e), OK);
	assert_int_equal(nounit.id, 2);
	assert_int_equal(store_user_by_id(f->st, 2, &got, &f->e), OK);
	assert_string_equal(got.unit, "");
	assert_false(got.active);
	assert_int_equal(got.role, ROLE_ADMIN);

	assert_int_equal(store_user_by_login(f->st, "wang", &got, &f->e), E_NOT_FOUND);
	assert_int_equal(store_user_by_id(f->st, 9, &got, &f->e), E_NOT_FOUND);
	assert_string_equal(f->e.msg, "用户 9 不存在");
}

static void test_tokens(void **state)
{
	struct fixture *f = *state;
	struct user u = {.role = ROLE_AGENT, .active = true};
	int64_t uid = 0, exp = 0;
	strcpy(u.login, "a");
	assert_int_equal(store_user_insert(f->st, &u, &f->e), OK);
	assert_int_equal(store_token_insert(f->st, "abcd", u.id, 100, 200, &f->e), OK);
	assert_int_equal(store_token_insert(f->st, "abcd", u.id, 100, 200, &f->e), E_CONFLICT);
	assert_int_equal(store_token_insert(f->st, "ef01", 99, 100, 200, &f->e), E_INVALID);
	assert_int_equal(store_token_get(f->st, "abcd", &uid, &exp, &f->e), OK);
	assert_int_equal(uid, u.id);
	assert_int_equal(exp, 200);
	assert_int_equal(store_token_delete(f->st, "abcd", &f->e), OK);
	assert_int_equal(store_token_get(f->st, "abcd", &uid, &exp, &f->e), E_NOT_FOUND);
	assert_int_equal(store_token_delete(f->st, "abcd", &f->e), OK);
}

/* ---- cases ---- */

static struct case_rec *case_new(const char *lead, int64_t created_at)
{
	struct case_rec *c = calloc(1, sizeof(*c));
	c->status = lead[0] ? CS_DISPATCHED : CS_RECEIVED;
	c->type = CT_COMPLAINT;
	c->tier = TIER_GENERAL;
	c->solved = -1;
	strcpy(c->lead_unit, lead);
	c->created_at = c->updated_at = created_at;
	return c;
}

/* A case with every field set to a distinct value. */
static struct case_rec *case_full(void)
{
	struct case_rec *c = calloc(1, sizeof(*c));
	c->seq = 7;
	c->status = CS_IN_PROGRESS;
	c->type = CT_REPORT;
	strcpy(c->channel, "phone");
	strcpy(c->title, "小区电梯停运");
	memset(c->content, 'x', LIMIT_CONTENT * 4);
	memcpy(c->content, "内容", strlen("内容"));
	strcpy(c->address, "石景山区八宝山街道某小区 3 号楼");
	c->has_location = true;
	c->lat = 39.906217;
	c->lon = 116.2284013;
	strcpy(c->crs, "gcj02");
	c->category_id = 12;
	c->tier = TIER_COMPLEX;
	strcpy(c->req_name, "李四");
	strcpy(c->req_phone, "13812345678");
	c->confidential = true;
	strcpy(c->district, "110107");
	strcpy(c->street, "110107001");
	strcpy(c->community, "110107001001");
	strcpy(c->lead_unit, "110107001");
	c->ncopies = 2;
	strcpy(c->copies[0], "110107");
	strcpy(c->copies[1], "110107D01");
	strcpy(c->referral, "none");
	strcpy(c->answer, "已答复");
	strcpy(c->result, "已修复");
	c->solved = 1;
	c->created_by = 3;
	strcpy(c->created_unit, "12345");
	c->created_at = 1767571200;
	c->updated_at = 1767574800;
	c->closed_at = 1767578400;
	for (int k = 0; k < CLOCK_COUNT; k++) {
		c->clocks[k].start = 1000 + k;
		c->clocks[k].due = 2000 + k;
		c->clocks[k].warn_at = 3000 + k;
		c->clocks[k].done_at = 4000 + k;
		c->clocks[k].warned = k == 1 || k == 3;
		c->clocks[k].overdue = k == 2;
	}
	c->next_check_at = 5000;
	return c;
}

static void test_case_roundtrip(void **state)
{
	struct fixture *f = *state;
	struct case_rec *c = case_full(), *got = calloc(1, sizeof(*got));
	assert_int_equal(store_case_insert(f->st, c, &f->e), OK);
	assert_int_equal(c->id, 1);
	assert_int_equal(store_case_get(f->st, 1, got, &f->e), OK);
	assert_int_equal(got->id, 1);
	assert_int_equal(got->seq, 7);
	assert_int_equal(got->status, CS_IN_PROGRESS);
	assert_int_equal(got->type, CT_REPORT);
	assert_string_equal(got->title, "小区电梯停运");
	assert_int_equal(strlen(got->content), LIMIT_CONTENT * 4);
	assert_true(got->has_location);
	assert_true(got->lat == 39.906217);
	assert_true(got->lon == 116.2284013);
	assert_int_equal(got->tier, TIER_COMPLEX);
	assert_string_equal(got->req_phone, "13812345678");
	assert_true(got->confidential);
	assert_int_equal(got->ncopies, 2);
	assert_string_equal(got->copies[0], "110107");
	assert_string_equal(got->copies[1], "110107D01");
	assert_int_equal(got->solved, 1);
	assert_int_equal(got->closed_at, 1767578400);
	assert_int_equal(got->clocks[CLK_FEEDBACK].warn_at, 3003);
	assert_true(got->clocks[CLK_SIGN].warned);
	assert_false(got->clocks[CLK_CONTACT].warned);
	assert_true(got->clocks[CLK_CONTACT].overdue);
	assert_int_equal(got->next_check_at, 5000);
	c->id = 1;
	/* both records were zeroed before their fields were set: compare every byte */
	assert_memory_equal(got, c, sizeof(*c));

	/* no location reads back as no location */
	c->has_location = false;
	c->lat = c->lon = 0;
	assert_int_equal(store_case_update(f->st, NULL, c, &f->e), OK);
	assert_int_equal(store_case_get(f->st, 1, got, &f->e), OK);
	assert_memory_equal(got, c, sizeof(*c));

	/* given the stored row, only what changed is written; it reads back whole */
	struct case_rec *before = malloc(sizeof(*before));
	*before = *got;
	c->seq++;
	c->status = CS_CLOSED;
	c->has_location = true;
	c->lat = 39.9;
	c->lon = 116.2;
	memset(c->title, 0, sizeof(c->title));
	strcpy(c->title, "新标题");
	c->clocks[CLK_FEEDBACK].done_at = 4000;
	c->clocks[CLK_SIGN].overdue = true;
	c->next_check_at = 0;
	c->callback_satisfaction = SAT_BASIC;
	assert_int_equal(store_case_update(f->st, before, c, &f->e), OK);
	assert_int_equal(store_case_get(f->st, 1, got, &f->e), OK);
	assert_memory_equal(got, c, sizeof(*c));
	/* nothing changed: nothing written, still OK */
	assert_int_equal(store_case_update(f->st, got, c, &f->e), OK);
	free(before);

	assert_int_equal(store_case_get(f->st, 2, got, &f->e), E_NOT_FOUND);
	assert_string_equal(f->e.msg, "案件 2 不存在");
	c->id = 2;
	assert_int_equal(store_case_update(f->st, NULL, c, &f->e), E_NOT_FOUND);
	free(c);
	free(got);
}

struct links {
	int n;
	char unit[8][LIMIT_CODE + 1];
	char rel[8][16];
};

static int collect_link(void *ctx, const char *unit, const char *rel)
{
	struct links *l = ctx;
	strcpy(l->unit[l->n], unit);
	strcpy(l->rel[l->n++], rel);
	return 0;
}

static void test_case_links(void **state)
{
	struct fixture *f = *state;
	struct case_rec *c = case_new("A", 100), *got = calloc(1, sizeof(*got));
	struct links l = {0};
	c->ncopies = 2;
	strcpy(c->copies[0], "C");
	strcpy(c->copies[1], "B");
	assert_int_equal(store_case_insert(f->st, c, &f->e), OK);
	assert_int_equal(store_case_units(f->st, c->id, collect_link, &l, &f->e), OK);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.unit[0], "A");
	assert_string_equal(l.rel[0], "lead");
	assert_string_equal(l.unit[1], "C");
	assert_string_equal(l.rel[1], "copy");
	assert_string_equal(l.unit[2], "B");
	assert_string_equal(l.rel[2], "copy");

	/* re-dispatch to D, keep only copy B: A and C stay linked as former (written from the stored row) */
	assert_int_equal(store_case_get(f->st, c->id, got, &f->e), OK);
	strcpy(c->lead_unit, "D");
	c->ncopies = 1;
	strcpy(c->copies[0], "B");
	assert_int_equal(store_case_update(f->st, got, c, &f->e), OK);
	assert_int_equal(store_case_get(f->st, c->id, got, &f->e), OK);
	assert_string_equal(got->lead_unit, "D");
	assert_int_equal(got->ncopies, 1);
	assert_string_equal(got->copies[0], "B");
	memset(&l, 0, sizeof(l));
	assert_int_equal(store_case_units(f->st, c->id, collect_link, &l, &f->e), OK);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.unit[0], "D");
	assert_string_equal(l.rel[0], "lead");
	assert_string_equal(l.unit[1], "B");
	assert_string_equal(l.rel[1], "copy");
	assert_string_equal(l.unit[2], "A");
	assert_string_equal(l.rel[2], "former");
	assert_string_equal(l.unit[3], "C");
	assert_string_equal(l.rel[3], "former");

	/* back to A: a former link becomes the lead again, D becomes former */
	strcpy(c->lead_unit, "A");
	c->ncopies = 0;
	assert_int_equal(store_case_update(f->st, NULL, c, &f->e), OK);
	memset(&l, 0, sizeof(l));
	assert_int_equal(store_case_units(f->st, c->id, collect_link, &l, &f->e), OK);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.unit[0], "A");
	assert_string_equal(l.rel[0], "lead");
	assert_string_equal(l.unit[1], "B");
	assert_string_equal(l.rel[1], "former");
	assert_string_equal(l.unit[3], "D");
	assert_string_equal(l.rel[3], "former");
	assert_int_equal(sql_int(f->path, "SELECT count(*) FROM case_units"), 4);

	c->ncopies = MAX_COPY_UNITS + 1;
	assert_int_equal(store_case_update(f->st, NULL, c, &f->e), E_INVALID);
	assert_string_equal(f->e.field, "copies");
	free(c);
	free(got);
}

struct event_log {
	int n;
	int seq[8];
	char payload[8][32];
	char action[8][32];
	struct event_rec ev[8]; /* without payloads */
	int stop_at;
};

static int collect_event(void *ctx, const struct event_rec *ev)
{
	struct event_log *l = ctx;
	l->ev[l->n] = *ev;
	l->ev[l->n].payload = NULL;
	l->seq[l->n] = ev->seq;
	strcpy(l->payload[l->n], ev->payload);
	strcpy(l->action[l->n], ev->action);
	l->n++;
	return l->n == l->stop_at ? 7 : 0;
}

static void test_events(void **state)
{
	struct fixture *f = *state;
	struct event_log l = {0};
	struct event_rec ev = {.case_id = 5, .at = 1000, .user_id = 2};
	static const int order[] = {1, 2, 3};
	char payload[32];
	/* the chain needs the event before: seq 2 cannot come first */
	ev.seq = 2;
	strcpy(ev.action, "act2");
	assert_int_equal(store_event_append(f->st, &ev, &f->e), E_DB);
	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		ev.seq = order[i];
		snprintf(ev.action, sizeof(ev.action), "act%d", order[i]);
		snprintf(payload, sizeof(payload), "{\"n\":%d}", order[i]);
		ev.payload = order[i] == 3 ? NULL : payload;
		assert_int_equal(store_event_append(f->st, &ev, &f->e), OK);
	}
	ev.case_id = 6;
	ev.seq = 1;
	ev.payload = NULL;
	assert_int_equal(store_event_append(f->st, &ev, &f->e), OK);
	ev.case_id = 5;
	assert_int_equal(store_event_append(f->st, &ev, &f->e), E_CONFLICT);

	assert_int_equal(store_events_list(f->st, 5, collect_event, &l, &f->e), OK);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.seq[0], 1);
	assert_int_equal(l.seq[1], 2);
	assert_int_equal(l.seq[2], 3);
	assert_string_equal(l.payload[0], "{\"n\":1}");
	assert_string_equal(l.action[1], "act2");
	assert_string_equal(l.payload[2], "{}");
	/* each hash covers the one before it: recomputed from the stored fields they match */
	unsigned char prev[EVENT_HASH_BYTES] = {0}, h[EVENT_HASH_BYTES];
	for (int i = 0; i < 3; i++) {
		l.ev[i].payload = l.payload[i];
		store_event_hash(prev, &l.ev[i], h);
		assert_true(l.ev[i].hashed);
		assert_memory_equal(h, l.ev[i].hash, EVENT_HASH_BYTES);
		memcpy(prev, h, sizeof(prev));
	}
	/* and any field changes it */
	strcpy(l.ev[2].reason, "x");
	store_event_hash(l.ev[1].hash, &l.ev[2], h);
	assert_memory_not_equal(h, l.ev[2].hash, EVENT_HASH_BYTES);

	memset(&l, 0, sizeof(l));
	l.stop_at = 2;
	assert_int_equal(store_events_list(f->st, 5, collect_event, &l, &f->e), 7);
	assert_int_equal(l.n, 2);
}

struct id_log {
	int n;
	int64_t v[32];
};

static int collect_case(void *ctx, const struct case_rec *c)
{
	struct id_log *l = ctx;
	l->v[l->n++] = c->id;
	return 0;
}

/* Query with the given filters and compare ids (newest first) and total. */
static void expect_cases(struct store *st, const struct case_query *q, int64_t total, int n, ...)
{
	struct id_log l = {0};
	int64_t t = -1;
	struct err e;
	va_list ap;
	err_init(&e);
	assert_int_equal(store_cases_list(st, q, collect_case, &l, &t, &e), OK);
	assert_int_equal(t, total);
	assert_int_equal(l.n, n);
	va_start(ap, n);
	for (int i = 0; i < n; i++)
		assert_int_equal(l.v[i], va_arg(ap, int));
	va_end(ap);
}

/* Insert c (which is freed). */
static void insert_case(struct store *st, struct case_rec *c)
{
	struct err e;
	err_init(&e);
	assert_int_equal(store_case_insert(st, c, &e), OK);
	free(c);
}

static int64_t file_bytes(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 ? (int64_t)sb.st_size : -1;
}

/* An unplaced case of 4,000 bytes of content, recorded at t. */
static struct case_rec *case_large(int64_t t)
{
	struct case_rec *c = case_new("", t);
	memset(c->content, 'x', LIMIT_CONTENT);
	return c;
}

/*
 * The page cache and the log's size are checked, and the log's size is
 * SQLite's: below it the commits stay in the log, the database file as it
 * was; the first commit past it copies the log back into the file.
 */
static void test_connection_sizes(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(store_cache_mib(f->st, 0, &f->e), E_INVALID);
	assert_string_equal(f->e.field, "cache");
	assert_int_equal(store_cache_mib(f->st, 65537, &f->e), E_INVALID);
	assert_int_equal(store_checkpoint_mib(f->st, 0, &f->e), E_INVALID);
	assert_string_equal(f->e.field, "checkpoint");
	assert_int_equal(store_checkpoint_mib(f->st, 65537, &f->e), E_INVALID);
	assert_int_equal(store_cache_mib(f->st, 8, &f->e), OK);

	assert_int_equal(store_checkpoint_mib(f->st, 64, &f->e), OK);
	int64_t before = file_bytes(f->path);
	for (int i = 0; i < 500; i++) /* 2 MB of content, a commit each */
		insert_case(f->st, case_large(1000 + i));
	assert_int_equal(file_bytes(f->path), before); /* all of it in the log */

	assert_int_equal(store_checkpoint_mib(f->st, 1, &f->e), OK);
	insert_case(f->st, case_large(2000)); /* the log is past 1 MiB: copied back */
	assert_true(file_bytes(f->path) >= before + 2000000);
	assert_int_equal(sql_int(f->path, "SELECT count(*) FROM cases"), 501);
}

/*
 * Who may see a case follows its units through the tree: a street moved to
 * another district takes the sight of its cases along, and the old
 * district keeps only those linked to it elsewhere (case_scope). Paged
 * (case_scope alone) and whole lists agree.
 */
static void test_cases_scope_move(void **state)
{
	struct fixture *f = *state;
	struct case_rec *c;
	put_two_districts(f->st);
	insert_case(f->st, case_new("110101001001", 1000)); /* 1: led by the community */
	c = case_new("110101002", 2000);		     /* 2: led by the other street, copied to 110101001 */
	c->ncopies = 1;
	strcpy(c->copies[0], "110101001");
	insert_case(f->st, c);
	c = case_new("110101002", 3000); /* 3: recorded by the community */
	strcpy(c->created_unit, "110101001001");
	insert_case(f->st, c);
	insert_case(f->st, case_new("", 4000)); /* 4: no unit yet */

	struct case_query q = {.overdue = -1, .viewer_path = "/12345/110101/"};
	for (int paged = 0; paged < 2; paged++) {
		q.page = 1;
		q.per_page = paged ? 10 : 0;
		q.viewer_path = "/12345/110101/";
		expect_cases(f->st, &q, 3, 3, 3, 2, 1);
		q.viewer_path = "/12345/110102/";
		expect_cases(f->st, &q, 0, 0);
		q.viewer_path = "/12345/110101/110101001/";
		expect_cases(f->st, &q, 3, 3, 3, 2, 1);
	}
	put_unit(f->st, "110101001", UNIT_STREET, "110102", "");
	for (int paged = 0; paged < 2; paged++) {
		q.per_page = paged ? 10 : 0;
		q.viewer_path = "/12345/110101/"; /* 1 is gone; 2 and 3 are led by 110101002 */
		expect_cases(f->st, &q, 2, 2, 3, 2);
		q.viewer_path = "/12345/110102/"; /* all three, through the street that moved */
		expect_cases(f->st, &q, 3, 3, 3, 2, 1);
		q.viewer_path = "/12345/110102/110101001/";
		expect_cases(f->st, &q, 3, 3, 3, 2, 1);
	}
	/* a page of one, then the next */
	q.per_page = 1;
	q.page = 2;
	expect_cases(f->st, &q, 3, 1, 2);
	/* with another filter too */
	q.per_page = 10;
	q.page = 1;
	q.from = 1500;
	expect_cases(f->st, &q, 2, 2, 3, 2);
}

static void test_cases_list(void **state)
{
	struct fixture *f = *state;
	struct case_rec *c;
	put_two_districts(f->st);

	insert_case(f->st, case_new("110101001", 1000)); /* 1 */
	c = case_new("110101002", 2000);		 /* 2: overdue */
	c->clocks[CLK_FEEDBACK].overdue = true;
	insert_case(f->st, c);
	c = case_new("110102001", 3000); /* 3: closed, copy to 110101 */
	c->status = CS_CLOSED;
	c->ncopies = 1;
	strcpy(c->copies[0], "110101");
	insert_case(f->st, c);
	c = case_new("", 4000); /* 4: received by the 110102 district */
	strcpy(c->created_unit, "110102");
	insert_case(f->st, c);
	c = case_new("110102001", 5000); /* 5: first led by 110102001, now by 110101001 */
	insert_case(f->st, c);
	c = case_new("110101001", 5000);
	c->id = 5;
	assert_int_equal(store_case_update(f->st, NULL, c, &f->e), OK);
	free(c);
	insert_case(f->st, case_new("1101019", 6000)); /* 6 */

	struct case_query q = {.overdue = -1};
	expect_cases(f->st, &q, 6, 6, 6, 5, 4, 3, 2, 1);
	q.status = "dispatched";
	expect_cases(f->st, &q, 4, 4, 6, 5, 2, 1);
	q.status = "closed";
	expect_cases(f->st, &q, 1, 1, 3);
	q.status = NULL;

	q.unit_path = "/12345/110101/";
	expect_cases(f->st, &q, 3, 3, 5, 2, 1);
	q.unit_path = "/12345/110102/";
	expect_cases(f->st, &q, 1, 1, 3);
	/* paged: along the subtree root's case_scope rows (5 is seen by 110102 as its former lead) */
	q.page = 1;
	q.per_page = 1;
	expect_cases(f->st, &q, 1, 1, 3);
	q.unit_path = "/12345/110101/";
	expect_cases(f->st, &q, 3, 1, 5);
	q.page = 3;
	expect_cases(f->st, &q, 3, 1, 1);
	q.unit_path = "/12345/"; /* the centre: no rows of its own */
	q.page = 1;
	q.per_page = 10;
	expect_cases(f->st, &q, 5, 5, 6, 5, 3, 2, 1);
	q.page = 0;
	q.per_page = 0;
	q.unit_path = NULL;

	/* viewer: linked as lead, copy or former lead, or recorded by the subtree */
	q.viewer_path = "/12345/110102/";
	expect_cases(f->st, &q, 3, 3, 5, 4, 3);
	q.viewer_path = "/12345/110101/";
	expect_cases(f->st, &q, 4, 4, 5, 3, 2, 1);
	q.viewer_path = "/12345/110101/110101002/";
	expect_cases(f->st, &q, 1, 1, 2);
	/* by lead unit: within the viewer's subtree all of them, above it only what it may see */
	q.unit_path = "/12345/110101/";
	expect_cases(f->st, &q, 1, 1, 2);
	q.viewer_path = "/12345/110101/";
	q.unit_path = "/12345/110101/110101001/";
	expect_cases(f->st, &q, 2, 2, 5, 1);
	q.unit_path = NULL;
	q.viewer_path = NULL;

	q.overdue = 1;
	expect_cases(f->st, &q, 1, 1, 2);
	/* overdue alone is read from cases_overdue, then each case's sight checked */
	q.viewer_path = "/12345/110101/";
	expect_cases(f->st, &q, 1, 1, 2);
	q.viewer_path = "/12345/110102/";
	expect_cases(f->st, &q, 0, 0);
	q.viewer_path = NULL;
	q.unit_path = "/12345/110101/"; /* by lead unit: from cases_overdue_lead */
	expect_cases(f->st, &q, 1, 1, 2);
	q.unit_path = "/12345/110102/";
	expect_cases(f->st, &q, 0, 0);
	q.unit_path = NULL;
	q.lead_code = "110101002";
	expect_cases(f->st, &q, 1, 1, 2);
	q.lead_code = "110101001";
	expect_cases(f->st, &q, 0, 0);
	q.lead_code = NULL;
	q.status = "dispatched"; /* with another filter: the overdue test as before */
	expect_cases(f->st, &q, 1, 1, 2);
	q.status = NULL;
	q.overdue = 0;
	expect_cases(f->st, &q, 5, 5, 6, 5, 4, 3, 1);
	q.overdue = -1;

	q.from = 2000;
	q.to = 5000;
	expect_cases(f->st, &q, 3, 3, 4, 3, 2);
	q.from = 0;
	expect_cases(f->st, &q, 4, 4, 4, 3, 2, 1);
	q.to = 0;

	q.per_page = 4;
	q.page = 1;
	expect_cases(f->st, &q, 6, 4, 6, 5, 4, 3);
	q.page = 2;
	expect_cases(f->st, &q, 6, 2, 2, 1);
	q.page = 3;
	expect_cases(f->st, &q, 6, 0);

	q.page = 1;
	q.per_page = 1;
	q.status = "dispatched";
	q.viewer_path = "/12345/110101/";
	q.overdue = 0;
	expect_cases(f->st, &q, 2, 1, 5);
}

/*
 * Within a date range a list is newest first by creation time (a page walks
 * cases_created_at back and stops), elsewhere by id: the two differ for a
 * case recorded later than a newer one.
 */
static void test_cases_date_order(void **state)
{
	struct fixture *f = *state;
	put_two_districts(f->st);
	insert_case(f->st, case_new("110101001", 3000)); /* 1 */
	insert_case(f->st, case_new("110101001", 1000)); /* 2 */
	insert_case(f->st, case_new("110101002", 2000)); /* 3 */
	struct case_query q = {.overdue = -1, .page = 1, .per_page = 10};
	expect_cases(f->st, &q, 3, 3, 3, 2, 1);
	q.from = 500;
	expect_cases(f->st, &q, 3, 3, 1, 3, 2);
	q.viewer_path = "/12345/110101/";
	q.to = 2500;
	expect_cases(f->st, &q, 2, 2, 3, 2);
	q.per_page = 1;
	q.page = 2;
	expect_cases(f->st, &q, 2, 1, 2);
}

/* Write case id anew (links from its lead and copy, full row), as status. */
static void set_case(struct store *st, int64_t id, const char *lead, const char *copy, enum case_status status)
{
	struct case_rec *c = case_new(lead, 1000 * id);
	struct err e;
	err_init(&e);
	c->id = id;
	c->status = status;
	if (copy[0]) {
		c->ncopies = 1;
		strcpy(c->copies[0], copy);
	}
	assert_int_equal(store_case_update(st, NULL, c, &e), OK);
	free(c);
}

/* q's count is total, and its page (per_page at least total) lists as many. */
static void expect_listed(struct store *st, const struct case_query *q, int64_t total)
{
	struct id_log l = {0};
	int64_t t = -1;
	struct err e;
	err_init(&e);
	assert_int_equal(store_cases_list(st, q, collect_case, &l, &t, &e), OK);
	assert_int_equal(t, total);
	assert_int_equal(l.n, total);
}

/*
 * The count of q (one page asked, so the store counts), checked against the
 * same count with a filter that every case passes (created since 1), which
 * takes another way: each case read, or the days of scope_days or
 * lead_days (what a unit may see, what a subtree or a unit leads).
 */
static void expect_count(struct store *st, struct case_query q, int64_t total)
{
	for (int pass = 0; pass < 2; pass++, q.from = 1)
		expect_listed(st, &q, total);
}

/*
 * Counts of cases in final states come from lead_counts and scope_counts
 * (0014-status-counts.sql), kept by triggers as cases are written, closed,
 * reopened, led by another unit, and as units move: each equals the count
 * of the cases themselves.
 */
static void test_final_counts(void **state)
{
	struct fixture *f = *state;
	put_two_districts(f->st);
	insert_case(f->st, case_new("110101001", 1000)); /* 1 */
	insert_case(f->st, case_new("110101002", 2000)); /* 2 */
	insert_case(f->st, case_new("110102001", 3000)); /* 3 */
	set_case(f->st, 1, "110101001", "110102", CS_CLOSED);
	set_case(f->st, 2, "110101002", "", CS_ANSWERED);

	struct case_query all = {.overdue = -1, .page = 1, .per_page = 20, .status = "closed"};
	struct case_query d1 = all, d2 = all, u1 = all, u2 = all, lead = all;
	d1.viewer_path = "/12345/110101/";
	d2.viewer_path = "/12345/110102/";
	u1.unit_path = "/12345/110101/";
	u2.unit_path = "/12345/110102/";
	lead.lead_code = "110101001";
	expect_count(f->st, all, 1);
	expect_count(f->st, d1, 1);
	expect_count(f->st, d2, 1); /* a copy */
	expect_count(f->st, u1, 1);
	expect_count(f->st, u2, 0);
	expect_count(f->st, lead, 1);
	struct case_query both = d1;
	both.status = NULL;
	both.statuses = "closed,answered";
	expect_count(f->st, both, 2);
	/* any state, or final and other states: the kept counts plus the others counted */
	struct case_query any = all, any_u1 = u1, any_lead = lead, mixed = d2;
	any.status = any_u1.status = any_lead.status = mixed.status = NULL;
	mixed.statuses = "closed,dispatched";
	expect_count(f->st, any, 3);
	expect_count(f->st, any_u1, 2);
	expect_count(f->st, any_lead, 1);
	expect_count(f->st, mixed, 2);

	set_case(f->st, 3, "110102001", "", CS_CLOSED); /* closed */
	expect_count(f->st, d2, 2);
	expect_count(f->st, u2, 1);
	set_case(f->st, 1, "110101001", "110102", CS_IN_PROGRESS); /* reopened */
	expect_count(f->st, all, 1);
	expect_count(f->st, d1, 0);
	expect_count(f->st, d2, 1);
	expect_count(f->st, lead, 0);
	set_case(f->st, 3, "110101002", "", CS_CLOSED); /* closed, led by another district's street */
	expect_count(f->st, u1, 1);
	expect_count(f->st, u2, 0);
	expect_count(f->st, d1, 1); /* seen now */
	expect_count(f->st, d2, 1); /* still: its former lead */
	expect_count(f->st, all, 1);

	put_unit(f->st, "110101002", UNIT_STREET, "110102", ""); /* the street moves with cases 2 and 3 */
	expect_count(f->st, d1, 0);
	expect_count(f->st, d2, 1);
	expect_count(f->st, u2, 1);
	d1.status = d2.status = "answered";
	expect_count(f->st, d1, 0);
	expect_count(f->st, d2, 1);
}

struct due_ctx {
	struct store *st;
	struct id_log log;
};

/* Record the id and clear the case's next check, writing while the sweep iterates. */
static int sweep_case(void *ctx, int64_t id)
{
	struct due_ctx *d = ctx;
	struct case_rec *c = calloc(1, sizeof(*c));
	struct err e;
	err_init(&e);
	d->log.v[d->log.n++] = id;
	assert_int_equal(store_case_get(d->st, id, c, &e), OK);
	c->next_check_at = 0;
	assert_int_equal(store_case_update(d->st, NULL, c, &e), OK);
	free(c);
	return 0;
}

static int collect_id(void *ctx, int64_t id)
{
	struct id_log *l = ctx;
	l->v[l->n++] = id;
	return 0;
}

static void test_cases_due(void **state)
{
	struct fixture *f = *state;
	static const int64_t next[] = {0, 500, 300, 900, 600};
	struct due_ctx d = {.st = f->st};
	struct id_log l = {0};
	for (size_t i = 0; i < ARRAY_SIZE(next); i++) {
		struct case_rec *c = case_new("X", 100);
		c->next_check_at = next[i];
		insert_case(f->st, c);
	}
	assert_int_equal(store_cases_due(f->st, 600, 2, collect_id, &l, &f->e), OK);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0], 3);
	assert_int_equal(l.v[1], 2);

	assert_int_equal(store_cases_due(f->st, 600, 0, sweep_case, &d, &f->e), OK);
	assert_int_equal(d.log.n, 3);
	assert_int_equal(d.log.v[0], 3);
	assert_int_equal(d.log.v[1], 2);
	assert_int_equal(d.log.v[2], 5);
	l.n = 0;
	assert_int_equal(store_cases_due(f->st, 1000, 10, collect_id, &l, &f->e), OK);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0], 4);

	l.n = 0;
	assert_int_equal(store_case_ids(f->st, collect_id, &l, &f->e), OK);
	assert_int_equal(l.n, 5);
	for (int i = 0; i < 5; i++)
		assert_int_equal(l.v[i], i + 1);
}

/* A walk over every case with readers ahead: ids in order, writes inside, an early stop. */
struct walk {
	struct store *st;
	int64_t n, last, stop_at;
	bool ascending;
};

static int walk_case(void *ctx, int64_t id)
{
	struct walk *w = ctx;
	struct case_rec c;
	struct err e;
	err_init(&e);
	w->ascending = w->ascending && id > w->last;
	w->last = id;
	w->n++;
	if (w->stop_at && w->n == w->stop_at)
		return E_CONFLICT;
	if (store_case_get(w->st, id, &c, &e) != OK)
		return E_DB;
	c.updated_at++; /* the walk's own writes go on beside the readers */
	return store_case_update(w->st, NULL, &c, &e);
}

static void test_case_ids_readahead(void **state)
{
	struct fixture *f = *state;
	enum { N = 3000 };
	put_unit(f->st, "12345", UNIT_CENTRE, "", "");
	assert_int_equal(store_begin(f->st, &f->e), OK);
	for (int i = 0; i < N; i++) {
		struct case_rec *c = case_new("", 100 + i);
		memset(c->content, 'x', 600);
		insert_case(f->st, c);
	}
	assert_int_equal(store_commit(f->st, &f->e), OK);

	static const int readers[] = {0, 1, 8, 64};
	for (size_t k = 0; k < ARRAY_SIZE(readers); k++) {
		store_readahead(f->st, STORE_AHEAD_CASES | STORE_AHEAD_EVENTS | STORE_AHEAD_FACTS,
				readers[k]);
		struct walk w = {.st = f->st, .ascending = true};
		assert_int_equal(store_begin(f->st, &f->e), OK);
		assert_int_equal(store_case_ids(f->st, walk_case, &w, &f->e), OK);
		assert_int_equal(store_commit(f->st, &f->e), OK);
		assert_int_equal(w.n, N);
		assert_true(w.ascending);
		assert_int_equal(w.last, N);
		struct case_rec c;
		assert_int_equal(store_case_get(f->st, N, &c, &f->e), OK);
		assert_int_equal(c.updated_at, 100 + N - 1 + (int64_t)k + 1);

		/* a walk that stops early returns its code, and its readers with it */
		struct walk stop = {.st = f->st, .ascending = true, .stop_at = 700};
		assert_int_equal(store_case_ids(f->st, walk_case, &stop, &f->e), E_CONFLICT);
		assert_int_equal(stop.n, 700);
	}
	store_readahead(f->st, STORE_AHEAD_EVENTS, 1000); /* more than allowed: at most 64 */
	struct walk w = {.st = f->st, .ascending = true};
	assert_int_equal(store_case_ids(f->st, walk_case, &w, &f->e), OK);
	assert_int_equal(w.n, N);
}

/* ---- transactions ---- */

static void test_transactions(void **state)
{
	struct fixture *f = *state;
	struct unit u;
	struct unit bad = {.kind = UNIT_STREET};
	put_unit(f->st, "12345", UNIT_CENTRE, "", "");

	assert_int_equal(store_begin(f->st, &f->e), OK);
	assert_int_equal(store_begin(f->st, &f->e), OK); /* nests: a savepoint (test_store_tx.c) */
	put_unit(f->st, "110101", UNIT_DISTRICT, "12345", "");
	assert_int_equal(store_commit(f->st, &f->e), OK); /* into the outer transaction */
	assert_int_equal(store_units_count(f->st), 2);
	store_rollback(f->st); /* the outer rollback drops the nested work too */
	assert_int_equal(store_units_count(f->st), 1);
	assert_int_equal(store_unit_get(f->st, "110101", &u, &f->e), E_NOT_FOUND);
	store_rollback(f->st); /* no transaction: a no-op */

	/* a failed operation inside a transaction undoes only itself */
	assert_int_equal(store_begin(f->st, &f->e), OK);
	put_unit(f->st, "110102", UNIT_DISTRICT, "12345", "");
	strcpy(bad.code, "110102001");
	strcpy(bad.parent, "nowhere");
	assert_int_equal(store_unit_put(f->st, &bad, &f->e), E_INVALID);
	struct case_rec *c = case_new("110102", 10);
	assert_int_equal(store_case_insert(f->st, c, &f->e), OK);
	assert_int_equal(store_commit(f->st, &f->e), OK);
	assert_int_equal(store_units_count(f->st), 2);
	assert_path(f->st, "110102", "/12345/110102/");
	assert_int_equal(sql_int(f->path, "SELECT count(*) FROM cases"), 1);
	assert_int_equal(sql_int(f->path, "SELECT count(*) FROM case_units"), 1);

	/* a rolled-back case leaves neither the row nor its links */
	assert_int_equal(store_begin(f->st, &f->e), OK);
	c->id = 0;
	assert_int_equal(store_case_insert(f->st, c, &f->e), OK);
	assert_int_equal(c->id, 2);
	store_rollback(f->st);
	assert_int_equal(sql_int(f->path, "SELECT count(*) FROM cases"), 1);
	assert_int_equal(sql_int(f->path, "SELECT count(*) FROM case_units"), 1);
	free(c);
}

/* ---- the second stage of the workflow: tasks, supervision, callbacks ---- */

/* Run SQL statements on the file through a separate read-write connection. */
static void sql_exec(const char *path, const char *sql)
{
	sqlite3 *db;
	char *msg = NULL;
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL),
			 SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
	sqlite3_close(db);
}

/* Set task i of c, every field distinct (from base). */
static void task_set(struct case_rec *c, int i, int no, enum task_kind kind, const char *unit, int64_t base)
{
	struct case_task *t = &c->tasks[i];
	memset(t, 0, sizeof(*t));
	t->no = no;
	t->kind = kind;
	snprintf(t->unit, sizeof(t->unit), "%s", unit);
	strcpy(t->by_unit, "110107001");
	t->at = base + 1;
	t->report_due = base + 2;
	t->reported_at = base + 3;
	t->on_site = i % 2 == 0;
	t->finished_at = base + 4;
	t->rated_at = base + 5;
	t->rating[0] = 1 + i % 5;
	t->rating[1] = 1 + (i + 1) % 5;
	t->rating[2] = 1 + (i + 2) % 5;
}

/* Set supervision i of c field by field, so its padding stays as calloc left it. */
static void sup_set(struct case_rec *c, int i, int no, const char *unit, int64_t at, int64_t due,
		    int64_t answered)
{
	struct case_supervision *v = &c->supervisions[i];
	memset(v, 0, sizeof(*v));
	v->no = no;
	snprintf(v->unit, sizeof(v->unit), "%s", unit);
	v->at = at;
	v->due = due;
	v->answered_at = answered;
}

/* Set every field added for the second stage to a distinct, non-default value. */
static void workflow_fill(struct case_rec *c)
{
	c->ntasks = 3;
	task_set(c, 0, 1, TASK_WHISTLE, "110107D01", 4102444800); /* beyond 2^32 seconds - 2100 */
	task_set(c, 1, 1, TASK_WHISTLE, "110107D02", 10010);
	c->tasks[1].reported_at = c->tasks[1].finished_at = c->tasks[1].rated_at = 0;
	memset(c->tasks[1].rating, 0, sizeof(c->tasks[1].rating));
	task_set(c, 2, 1, TASK_SUBDISPATCH, "110107001001", 10020);
	c->nwhistles = 1;
	c->nsubdispatches = 1;
	c->nsupervisions = 2;
	sup_set(c, 0, 1, "12345", 20001, 20002, 20003);
	sup_set(c, 1, 2, "110107", 20011, 20012, 0);
	c->return_from = CS_ACCEPTED;
	strcpy(c->return_reason, "ownership");
	c->returns = 2;
	c->extensions = 1;
	c->reopens = 3;
	c->extension_due = 30001;
	c->escalation = 2;
	c->parked_until = 30002;
	c->merged_into = 5000000000;
	c->repeat_of = 42;
	c->scope = SCOPE_RESPONSE_ONLY;
	c->exclusion_requested = SCOPE_EXCLUDED + 1;
	c->callback_at = 30003;
	c->callback_valid = true;
	c->callback_contacted = 1;
	c->callback_solved = 0;
	c->callback_satisfaction = SAT_BASIC;
}

static void test_case_roundtrip_workflow(void **state)
{
	struct fixture *f = *state;
	struct case_rec *c = case_full(), *got = calloc(1, sizeof(*got));
	workflow_fill(c);
	assert_int_equal(store_case_insert(f->st, c, &f->e), OK);
	assert_int_equal(store_case_get(f->st, c->id, got, &f->e), OK);
	assert_int_equal(got->ntasks, 3);
	assert_string_equal(got->tasks[2].unit, "110107001001");
	assert_int_equal(got->tasks[2].kind, TASK_SUBDISPATCH);
	assert_int_equal(got->tasks[0].at, 4102444801);
	assert_true(got->tasks[0].on_site);
	assert_int_equal(got->tasks[0].rating[2], 3);
	assert_int_equal(got->nsupervisions, 2);
	assert_int_equal(got->supervisions[1].due, 20012);
	assert_int_equal(got->merged_into, 5000000000);
	assert_int_equal(got->scope, SCOPE_RESPONSE_ONLY);
	assert_int_equal(got->callback_satisfaction, SAT_BASIC);
	assert_memory_equal(got, c, sizeof(*c));
	assert_int_equal(sql_int(f->path, "SELECT json_array_length(tasks_json) FROM cases"), 3);
	assert_int_equal(sql_int(f->path, "SELECT json_extract(tasks_json, '$[1].report_due') FROM cases"),
			 10012);
	assert_int_equal(sql_int(f->path,
				 "SELECT count(*) FROM cases WHERE scope = 'response_only'"
				 " AND callback_satisfaction = 'basic' AND return_from = 'accepted'"),
			 1);

	/* every task and supervision slot in use */
	c->ntasks = MAX_TASKS;
	for (int i = 0; i < MAX_TASKS; i++) {
		char unit[16];
		snprintf(unit, sizeof(unit), "D%02d", i);
		task_set(c, i, 1 + i / 4, i % 3 ? TASK_WHISTLE : TASK_SUBDISPATCH, unit, 100 * i);
	}
	c->nsupervisions = MAX_SUPERVISIONS;
	for (int i = 0; i < MAX_SUPERVISIONS; i++)
		sup_set(c, i, i + 1, "12345", i, 2 * i, 3 * i);
	assert_int_equal(store_case_update(f->st, NULL, c, &f->e), OK);
	assert_int_equal(store_case_get(f->st, c->id, got, &f->e), OK);
	assert_memory_equal(got, c, sizeof(*c));

	/* back to none: the arrays empty, every new field zero */
	memset(c, 0, sizeof(*c));
	c->id = 1;
	assert_int_equal(store_case_update(f->st, NULL, c, &f->e), OK);
	assert_int_equal(store_case_get(f->st, 1, got, &f->e), OK);
	assert_memory_equal(got, c, sizeof(*c));
	assert_int_equal(sql_int(f->path, "SELECT tasks_json = '[]' AND supervisions_json = '[]' FROM cases"),
			 1);

	/* limits */
	c->ntasks = MAX_TASKS + 1;
	assert_int_equal(store_case_update(f->st, NULL, c, &f->e), E_INVALID);
	assert_string_equal(f->e.field, "tasks");
	c->ntasks = 0;
	c->nsupervisions = MAX_SUPERVISIONS + 1;
	assert_int_equal(store_case_update(f->st, NULL, c, &f->e), E_INVALID);
	assert_string_equal(f->e.field, "supervisions");
	c->nsupervisions = 0;
	c->scope = (enum assess_scope)7;
	assert_int_equal(store_case_update(f->st, NULL, c, &f->e), E_INVALID);
	assert_string_equal(f->e.field, "scope");
	free(c);
	free(got);
}

/* A freshly zeroed record round-trips exactly (id aside). */
static void test_case_roundtrip_zero(void **state)
{
	struct fixture *f = *state;
	struct case_rec *c = calloc(1, sizeof(*c)), *got = calloc(1, sizeof(*got));
	assert_int_equal(store_case_insert(f->st, c, &f->e), OK);
	assert_int_equal(c->id, 1);
	memset(got, 0xA5, sizeof(*got));
	assert_int_equal(store_case_get(f->st, 1, got, &f->e), OK);
	assert_memory_equal(got, c, sizeof(*c));
	free(c);
	free(got);
}

/* What the store wrote but cannot read back is E_DB, not a silently half-read case. */
static void test_case_bad_json(void **state)
{
	struct fixture *f = *state;
	struct case_rec *c = case_new("A", 100), *got = calloc(1, sizeof(*got));
	workflow_fill(c);
	assert_int_equal(store_case_insert(f->st, c, &f->e), OK);
	sql_exec(f->path, "UPDATE cases SET tasks_json = json_remove(tasks_json, '$[1].rated_at')");
	assert_int_equal(store_case_get(f->st, 1, got, &f->e), E_DB);
	sql_exec(f->path, "UPDATE cases SET tasks_json = '[]', supervisions_json = '{\"no\": 1}'");
	assert_int_equal(store_case_get(f->st, 1, got, &f->e), E_DB);
	sql_exec(f->path, "UPDATE cases SET supervisions_json = 'not json'");
	assert_int_equal(store_case_get(f->st, 1, got, &f->e), E_DB);
	sql_exec(f->path, "UPDATE cases SET supervisions_json = '[]'");
	assert_int_equal(store_case_get(f->st, 1, got, &f->e), OK);
	assert_int_equal(got->ntasks, 0);
	assert_int_equal(got->nsupervisions, 0);
	free(c);
	free(got);
}

/* The count of what viewer may see recorded in [from, to) (0: no bound), as a page lists it too. */
static void expect_dates(struct store *st, const char *viewer, int64_t from, int64_t to, int64_t total)
{
	struct case_query q = {.overdue = -1, .page = 1, .per_page = 20, .viewer_path = viewer, .from = from, .to = to};
	expect_listed(st, &q, total);
}

/* What store_counts_check found: how many, and the last (unit, status or day, kept, counted). */
struct count_found {
	int n;
	bool sight;
	char unit[LIMIT_CODE + 1], what[24];
	int64_t kept, counted;
};

static int count_found(void *ctx, bool sight, const char *unit, const char *status, int64_t kept, int64_t counted)
{
	struct count_found *c = ctx;
	c->n++;
	c->sight = sight;
	snprintf(c->unit, sizeof(c->unit), "%s", unit);
	snprintf(c->what, sizeof(c->what), "%s", status);
	c->kept = kept;
	c->counted = counted;
	return 0;
}

/* The cases of dates_setup: 1-6 led by 110101001 at these times after DAYS_T0, 7 by 110102001 at 100. */
#define DAYS_T0 1764518400 /* 2025-12-01T00:00:00+08:00 */
static void dates_setup(struct store *st)
{
	static const int64_t at[] = {-1, 0, 3600, 86410, 172805, 222800};
	put_two_districts(st);
	for (size_t i = 0; i < ARRAY_SIZE(at); i++)
		insert_case(st, case_new("110101001", DAYS_T0 + at[i]));
	insert_case(st, case_new("110102001", DAYS_T0 + 100));
}

/*
 * The cases of dates_setup in 110101 within bounds on a day's start or
 * within it, one bound or both, both within one day, the wrong way round,
 * in either order: seen by the district (lead false) or led within it.
 */
static void expect_dates_bounds(struct store *st, bool lead)
{
	enum { NONE = INT32_MIN };
	static const struct {
		int32_t from, to, total; /* after DAYS_T0, or NONE */
	} b[] = {{0, NONE, 5},	  {1, NONE, 4},	   {NONE, 86400, 3}, {NONE, 86410, 3}, {NONE, 86411, 4},
		 {1800, 3601, 1}, {3601, 3600, 0}, {-1, 172806, 5},  {100, 222801, 4}};
	for (size_t i = 0; i < ARRAY_SIZE(b); i++) {
		int64_t from = b[i].from == NONE ? 0 : DAYS_T0 + b[i].from,
			to = b[i].to == NONE ? 0 : DAYS_T0 + b[i].to;
		struct case_query q = {.overdue = -1, .page = 1, .per_page = 20, .from = from, .to = to};
		*(lead ? &q.unit_path : &q.viewer_path) = "/12345/110101/";
		expect_listed(st, &q, b[i].total);
		q.sort_due = true; /* nearest deadline first: the same count */
		expect_listed(st, &q, b[i].total);
	}
}

/*
 * verify's recount (store_counts_check) of the days of dates_setup after
 * the street moved: none differ; then 110101001's row of 2 December in
 * table, raised by 2, is the one it names (sight: a table of what units see).
 */
static void expect_days_recount(struct fixture *f, const char *table, bool sight)
{
	char sql[128];
	struct count_found c = {0};
	assert_int_equal(store_counts_check(f->st, count_found, &c, &f->e), OK);
	assert_int_equal(c.n, 0);
	snprintf(sql, sizeof(sql), "UPDATE %s SET n = n + 2 WHERE unit = '110101001' AND day = 20424", table);
	sql_exec(f->path, sql);
	assert_int_equal(store_counts_check(f->st, count_found, &c, &f->e), OK);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.sight, sight);
	assert_string_equal(c.unit, "110101001");
	assert_string_equal(c.what, "2025-12-02");
	assert_int_equal(c.kept, 3);
	assert_int_equal(c.counted, 1);
	snprintf(sql, sizeof(sql), "UPDATE %s SET n = n - 2 WHERE unit = '110101001' AND day = 20424", table);
	sql_exec(f->path, sql);
}

/*
 * A unit's count of cases within dates (0017): the whole Beijing days from
 * scope_days, the part of a day at either end from the cases; bounds on a
 * day's start or within it, one bound or both, both within one day, the
 * wrong way round; a street moved with its cases; verify's recount.
 */
static void test_scope_days(void **state)
{
	struct fixture *f = *state;
	const int64_t t0 = DAYS_T0;
	const char *d1 = "/12345/110101/", *d2 = "/12345/110102/";
	dates_setup(f->st);
	expect_dates_bounds(f->st, false);
	expect_dates(f->st, d2, t0, t0 + 86400, 1);
	assert_int_equal(sql_int(f->path, "SELECT n FROM scope_days WHERE unit = '110101' AND day = 20423"), 2);

	put_unit(f->st, "110101001", UNIT_STREET, "110102", ""); /* the street moves with its cases */
	expect_dates(f->st, d1, t0 - 86400, 0, 0);
	expect_dates(f->st, d2, t0, 0, 6);
	expect_dates(f->st, d2, t0 + 1, t0 + 172806, 4);

	expect_days_recount(f, "scope_days", true);
}

/* The cases led within a unit's subtree (or by the unit alone: exact) recorded within [from, to): total. */
static void expect_led_dates(struct store *st, const char *unit, bool exact, int64_t from, int64_t to,
			     int64_t total)
{
	struct case_query q = {.overdue = -1, .page = 1, .per_page = 20, .from = from, .to = to};
	if (exact)
		q.lead_code = unit;
	else
		q.unit_path = unit;
	expect_listed(st, &q, total);
}

/*
 * The cases a subtree or a unit leads within dates (0018): the whole
 * Beijing days from lead_days, the part of a day at either end from the
 * cases; a case dispatched to another street moves its count, a street
 * moved to another district takes its counts along; a case not placed is
 * counted under no unit; verify's recount names a wrong row.
 */
static void test_lead_days(void **state)
{
	struct fixture *f = *state;
	const int64_t t0 = DAYS_T0;
	const char *d1 = "/12345/110101/", *d2 = "/12345/110102/";
	dates_setup(f->st);
	insert_case(f->st, case_new("1101019", t0 + 200)); /* 8, a department under the centre */
	insert_case(f->st, case_new("", t0 + 300));	   /* 9, not placed yet */
	expect_dates_bounds(f->st, true);
	expect_led_dates(f->st, d2, false, t0, t0 + 86400, 1);
	expect_led_dates(f->st, "/12345/", false, t0, t0 + 86400, 4); /* not case 9 */
	expect_led_dates(f->st, "110101001", true, t0 + 1, t0 + 172806, 3);
	expect_led_dates(f->st, "110101002", true, t0, 0, 0);
	assert_int_equal(sql_int(f->path, "SELECT n FROM lead_days WHERE unit = '110101001' AND day = 20423"),
			 2);
	assert_int_equal(sql_int(f->path, "SELECT n FROM lead_days WHERE unit = '' AND day = 20423"), 1);

	struct case_rec *c = calloc(1, sizeof(*c)), *after = calloc(1, sizeof(*after));
	assert_int_equal(store_case_get(f->st, 3, c, &f->e), OK);
	*after = *c; /* case 3 (day 20423) dispatched again, to 110101002: only the changed columns written */
	strcpy(after->lead_unit, "110101002");
	assert_int_equal(store_case_update(f->st, c, after, &f->e), OK);
	expect_led_dates(f->st, "110101001", true, t0, t0 + 86400, 1);
	expect_led_dates(f->st, "110101002", true, t0, t0 + 86400, 1);
	expect_led_dates(f->st, d1, false, t0, t0 + 86400, 2);
	*c = *after; /* and on to the other district; the whole row written */
	strcpy(after->lead_unit, "110102001");
	assert_int_equal(store_case_update(f->st, NULL, after, &f->e), OK);
	expect_led_dates(f->st, d1, false, t0, t0 + 86400, 1);
	expect_led_dates(f->st, d2, false, t0, t0 + 86400, 2);

	put_unit(f->st, "110101001", UNIT_STREET, "110102", ""); /* the street moves with its cases */
	expect_led_dates(f->st, d1, false, t0 - 86400, 0, 0);
	expect_led_dates(f->st, d2, false, t0, 0, 6);
	expect_led_dates(f->st, d2, false, t0 + 1, t0 + 172806, 4);

	expect_days_recount(f, "lead_days", false);
	free(c);
	free(after);
}

/* What store_tasks_check found: rows missing [0] and too many [1], the last of each. */
struct task_found {
	int n[2];
	char unit[2][LIMIT_CODE + 1];
	int64_t case_id[2];
};

static int task_found(void *ctx, const char *unit, int64_t case_id, bool extra)
{
	struct task_found *t = ctx;
	t->n[extra]++;
	snprintf(t->unit[extra], sizeof(t->unit[extra]), "%s", unit);
	t->case_id[extra] = case_id;
	return 0;
}

/*
 * open_tasks (0016), kept by triggers from the tasks in the case row: a
 * unit's whistled tab lists a case while its task is open, whether the row
 * is written in part or whole, and not once the task is finished;
 * store_tasks_check names a row missing and one too many; migration 0016
 * fills the table from the rows already there.
 */
static void test_open_tasks(void **state)
{
	struct fixture *f = *state;
	struct case_rec *c = case_new("110107001", 1000), *after = calloc(1, sizeof(*after));
	c->ntasks = 2;
	c->nwhistles = 2;
	task_set(c, 0, 1, TASK_WHISTLE, "110107D01", 2000); /* finished */
	task_set(c, 1, 2, TASK_WHISTLE, "110107D02", 3000);
	c->tasks[1].finished_at = 0; /* open */
	assert_int_equal(store_case_insert(f->st, c, &f->e), OK);
	struct case_query q = {.overdue = -1, .page = 1, .per_page = 20, .task_unit = "110107D02"};
	expect_count(f->st, q, 1);
	q.task_unit = "110107D01";
	expect_count(f->st, q, 0);
	assert_int_equal(sql_int(f->path, "SELECT count(*) FROM open_tasks"), 1);

	*after = *c; /* D02 finishes its task: only the changed columns are written */
	after->tasks[1].finished_at = 3500;
	assert_int_equal(store_case_update(f->st, c, after, &f->e), OK);
	q.task_unit = "110107D02";
	expect_count(f->st, q, 0);
	assert_int_equal(sql_int(f->path, "SELECT count(*) FROM open_tasks"), 0);
	after->ntasks = 3; /* D01 whistled again; the whole row written */
	after->nwhistles = 3;
	task_set(after, 2, 3, TASK_WHISTLE, "110107D01", 4000);
	after->tasks[2].finished_at = 0;
	assert_int_equal(store_case_update(f->st, NULL, after, &f->e), OK);
	q.task_unit = "110107D01";
	expect_count(f->st, q, 1);

	struct task_found t = {0};
	assert_int_equal(store_tasks_check(f->st, task_found, &t, &f->e), OK);
	assert_int_equal(t.n[0] + t.n[1], 0);
	sql_exec(f->path, "INSERT INTO open_tasks VALUES ('110107D02', 1); DELETE FROM open_tasks WHERE unit = '110107D01'");
	assert_int_equal(store_tasks_check(f->st, task_found, &t, &f->e), OK);
	assert_int_equal(t.n[0], 1);
	assert_string_equal(t.unit[0], "110107D01");
	assert_int_equal(t.n[1], 1);
	assert_string_equal(t.unit[1], "110107D02");
	assert_int_equal(t.case_id[0] + t.case_id[1], 2);

	/* a database from before 0016 (0017 and 0018 undone with it): the migration finds D01's open task */
	sql_exec(f->path, "DROP TRIGGER open_tasks_insert; DROP TRIGGER open_tasks_update; DROP TABLE open_tasks;"
			  "DROP TRIGGER scope_days_insert; DROP TRIGGER scope_days_delete; DROP TRIGGER scope_days_moved;"
			  "DROP TABLE scope_days; DROP TRIGGER lead_days_insert; DROP TRIGGER lead_days_update;"
			  "DROP TABLE lead_days; DROP INDEX cases_lead_created;"
			  "DELETE FROM schema_migrations WHERE version >= 16");
	store_close(f->st);
	assert_int_equal(store_open(f->path, &f->st, &f->e), OK);
	assert_int_equal(sql_int(f->path, "SELECT count(*) FROM open_tasks"), 1);
	assert_int_equal(sql_int(f->path, "SELECT count(*) FROM open_tasks WHERE unit = '110107D01' AND case_id = 1"), 1);
	free(c);
	free(after);
}

/*
 * The file read ahead of a migration: a connection through the VFS of
 * store_ahead reads and writes as any other, the thread reads the file
 * from where SQLite reads, and once stopped the connection goes on without
 * it (under ASan a read would touch freed memory if the file still pointed
 * at it).
 */
static void test_read_ahead(void **state)
{
	char path[256];
	(void)state;
	snprintf(path, sizeof(path), "%s/ahead.db", tmpdir);
	sql_exec(path, "PRAGMA journal_mode = WAL; CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB);"
		       "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)"
		       " INSERT INTO t SELECT i, randomblob(4000) FROM n;");
	struct store_ahead *a = store_ahead_start(path);
	assert_non_null(a);
	sqlite3 *db = NULL;
	assert_int_equal(store_ahead_open(a, path, SQLITE_OPEN_READWRITE, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "UPDATE t SET b = zeroblob(10) WHERE id = 7", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_stmt *s = NULL;
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*), sum(length(b)) FROM t", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int64(s, 0), 3000);
	assert_int_equal(sqlite3_column_int64(s, 1), 2999 * 4000 + 10);
	sqlite3_reset(s);
	usleep(200 * 1000); /* the thread wakes every 20 ms */
	int64_t bytes = store_ahead_stop(a, db);
	assert_true(bytes >= 4 << 20); /* the file is 12 MB; the thread reads 8 MB at a time */
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int64(s, 0), 3000);
	sqlite3_finalize(s);
	sqlite3_close(db);
	assert_int_equal(sql_int(path, "SELECT length(b) FROM t WHERE id = 7"), 10);
}

/* A database made by 0001 alone: its case reads with the documented defaults after migrating. */
static void test_migrate_old_case(void **state)
{
	const struct embedded_file *init = embed_find("src/store/sql/sqlite/0001-init.sql");
	struct case_rec *got = calloc(1, sizeof(*got));
	struct store *st;
	struct err e;
	char path[256];
	(void)state;
	err_init(&e);
	assert_non_null(init);
	snprintf(path, sizeof(path), "%s/old.db", tmpdir);
	sql_exec(path, (const char *)init->data);
	sql_exec(path, "INSERT INTO schema_migrations VALUES (1, 'src/store/sql/sqlite/0001-init.sql', 0);"
		       "INSERT INTO cases (id, status, type, tier, created_at, updated_at, lead_unit)"
		       " VALUES (7, 'replied', 'complaint', 'general', 100, 100, 'A'),"
		       " (9, 'closed', 'complaint', 'general', 100, 100, 'B');"
		       "INSERT INTO case_units VALUES (7, 'A', 'lead', 0), (7, 'B', 'former', 0), (9, 'B', 'lead', 0);"
		       "INSERT INTO units (code, name, kind, parent, path) VALUES ('12345', 'C', 'centre', NULL, '/12345/'),"
		       " ('A', 'A', 'district', '12345', '/12345/A/'), ('B', 'B', 'street', 'A', '/12345/A/B/');"
		       "INSERT INTO events (case_id, seq, at, action, payload) VALUES (7, 1, 100, 'create', '{}'),"
		       " (7, 2, 100, 'note', '{\"text\":\"旧\"}'), (8, 1, 50, 'create', '{}');");
	assert_int_equal(store_open(path, &st, &e), OK);
	assert_int_equal(sql_int(path, "SELECT max(version) FROM schema_migrations"), 18);
	/* 0012: who may see case 7, from its links: A and B (B below A), not the centre */
	assert_int_equal(sql_int(path, "SELECT count(*) FROM case_scope"), 4);
	assert_int_equal(sql_int(path, "SELECT count(*) FROM case_scope WHERE case_id = 7 AND unit IN ('A', 'B')"), 2);
	/* 0014: the closed case 9, counted for its lead B and for A and B, who see it */
	assert_int_equal(sql_int(path, "SELECT count(*) FROM lead_counts WHERE n > 0"), 1);
	assert_int_equal(sql_int(path, "SELECT n FROM lead_counts WHERE unit = 'B' AND status = 'closed'"), 1);
	assert_int_equal(sql_int(path, "SELECT count(*) FROM scope_counts WHERE n > 0"), 2);
	assert_int_equal(sql_int(path, "SELECT sum(n) FROM scope_counts WHERE unit IN ('A', 'B') AND status = 'closed'"), 2);
	/* 0010 moved every event into the table keyed by (case_id, seq): the rows are there, no rowid */
	assert_int_equal(sql_int(path, "SELECT count(*) FROM events"), 3);
	assert_int_equal(sql_int(path, "SELECT count(*) FROM sqlite_master WHERE name = 'events'"
				       " AND sql LIKE '%WITHOUT ROWID%'"), 1);
	assert_int_equal(sql_int(path, "SELECT count(*) FROM sqlite_master WHERE name = 'events_by_case'"), 0);
	/* 0009 chained the events already there, each case from its first; appends go on from them */
	struct event_log l = {0};
	assert_int_equal(store_events_list(st, 7, collect_event, &l, &e), OK);
	assert_int_equal(l.n, 2);
	unsigned char prev[EVENT_HASH_BYTES] = {0};
	for (int i = 0; i < 2; i++) {
		l.ev[i].payload = l.payload[i];
		store_event_hash(prev, &l.ev[i], prev);
		assert_true(l.ev[i].hashed);
		assert_memory_equal(prev, l.ev[i].hash, EVENT_HASH_BYTES);
	}
	char empty[] = "{}";
	struct event_rec next = {.case_id = 7, .seq = 3, .at = 200, .action = "note", .payload = empty};
	assert_int_equal(store_event_append(st, &next, &e), OK);
	store_event_hash(prev, &next, prev);
	assert_memory_equal(prev, next.hash, EVENT_HASH_BYTES);
	/* the same seq again is a conflict (the key), not a database error */
	assert_int_equal(store_event_append(st, &next, &e), E_CONFLICT);
	assert_int_equal(sql_int(path, "SELECT count(*) FROM events WHERE hash IS NULL"), 0);
	assert_int_equal(store_case_get(st, 7, got, &e), OK);
	assert_int_equal(got->status, CS_REPLIED);
	assert_int_equal(got->ntasks, 0);
	assert_int_equal(got->nsupervisions, 0);
	assert_int_equal(got->return_from, CS_RECEIVED);
	assert_int_equal(got->scope, SCOPE_ALL);
	assert_int_equal(got->callback_at, 0);
	assert_false(got->callback_valid);
	assert_int_equal(got->callback_contacted, -1);
	assert_int_equal(got->callback_solved, -1);
	assert_int_equal(got->callback_satisfaction, SAT_NONE);
	assert_int_equal(got->merged_into, 0);
	assert_int_equal(got->solved, -1);
	/* the rebuilt case_units kept its rows and now takes 'summoned' */
	assert_int_equal(
	    sql_int(path, "SELECT count(*) FROM case_units WHERE case_id = 7 AND rel = 'former'"), 1);
	got->ntasks = 1;
	strcpy(got->tasks[0].unit, "C");
	assert_int_equal(store_case_update(st, NULL, got, &e), OK);
	assert_int_equal(sql_int(path, "SELECT count(*) FROM case_units WHERE case_id = 7"), 3);
	assert_int_equal(
	    sql_int(path, "SELECT count(*) FROM case_units WHERE unit = 'C' AND rel = 'summoned'"), 1);
	store_close(st);
	remove_db(path);
	free(got);
}

/* Expect the links of case id, in store order, as "unit:rel" strings. */
static void expect_links(struct store *st, int64_t id, int n, ...)
{
	struct links l = {0};
	struct err e;
	char want[64], have[64];
	va_list ap;
	err_init(&e);
	assert_int_equal(store_case_units(st, id, collect_link, &l, &e), OK);
	assert_int_equal(l.n, n);
	va_start(ap, n);
	for (int i = 0; i < n; i++) {
		snprintf(want, sizeof(want), "%s", va_arg(ap, const char *));
		snprintf(have, sizeof(have), "%s:%s", l.unit[i], l.rel[i]);
		assert_string_equal(have, want);
	}
	va_end(ap);
}

static void test_case_links_summoned(void **state)
{
	struct fixture *f = *state;
	struct case_rec *c = case_new("S1", 100);
	put_unit(f->st, "12345", UNIT_CENTRE, "", "");
	put_unit(f->st, "110101", UNIT_DISTRICT, "12345", "");
	put_unit(f->st, "S1", UNIT_STREET, "110101", "");
	put_unit(f->st, "S1C1", UNIT_COMMUNITY, "S1", "");
	put_unit(f->st, "D1", UNIT_DEPARTMENT, "110101", "");
	put_unit(f->st, "D2", UNIT_DEPARTMENT, "110101", "");
	put_unit(f->st, "D3", UNIT_DEPARTMENT, "110101", "");
	put_unit(f->st, "S2", UNIT_STREET, "110101", "");
	c->ncopies = 1;
	strcpy(c->copies[0], "D2");
	c->ntasks = 4;
	task_set(c, 0, 1, TASK_WHISTLE, "D3", 1000);
	task_set(c, 1, 1, TASK_WHISTLE, "D2", 1000); /* also a copy: stays a copy */
	task_set(c, 2, 1, TASK_SUBDISPATCH, "S1C1", 1000);
	task_set(c, 3, 2, TASK_WHISTLE, "D3", 2000); /* summoned twice: one link */
	insert_case(f->st, c);
	insert_case(f->st, case_new("S2", 200)); /* 2: nothing to do with D3 */
	expect_links(f->st, 1, 4, "S1:lead", "D2:copy", "D3:summoned", "S1C1:summoned");

	/* the summoned units see the case through viewer_path; others do not */
	struct case_query q = {.overdue = -1, .viewer_path = "/12345/110101/D3/"};
	expect_cases(f->st, &q, 1, 1, 1);
	q.viewer_path = "/12345/110101/S1/S1C1/";
	expect_cases(f->st, &q, 1, 1, 1);
	q.viewer_path = "/12345/110101/D1/";
	expect_cases(f->st, &q, 0, 0);

	/* re-dispatch to D1 without copies: the lead becomes former, the copy
	   that is also summoned becomes summoned, summoned links stay */
	c = calloc(1, sizeof(*c));
	assert_int_equal(store_case_get(f->st, 1, c, &f->e), OK);
	strcpy(c->lead_unit, "D1");
	c->ncopies = 0;
	assert_int_equal(store_case_update(f->st, NULL, c, &f->e), OK);
	expect_links(f->st, 1, 5, "D1:lead", "D2:summoned", "D3:summoned", "S1C1:summoned", "S1:former");

	/* a summoned unit becoming lead is the lead; leaving, it is summoned again (its task remains) */
	strcpy(c->lead_unit, "D3");
	assert_int_equal(store_case_update(f->st, NULL, c, &f->e), OK);
	expect_links(f->st, 1, 5, "D3:lead", "D2:summoned", "S1C1:summoned", "D1:former", "S1:former");
	strcpy(c->lead_unit, "S1");
	assert_int_equal(store_case_update(f->st, NULL, c, &f->e), OK);
	expect_links(f->st, 1, 5, "S1:lead", "D2:summoned", "D3:summoned", "S1C1:summoned", "D1:former");

	/* a projection without the tasks never drops a summoned link */
	c->ntasks = 0;
	assert_int_equal(store_case_update(f->st, NULL, c, &f->e), OK);
	expect_links(f->st, 1, 5, "S1:lead", "D2:summoned", "D3:summoned", "S1C1:summoned", "D1:former");
	q.viewer_path = "/12345/110101/D3/";
	expect_cases(f->st, &q, 1, 1, 1);
	assert_int_equal(sql_int(f->path, "SELECT count(*) FROM case_units"), 6);
	free(c);
}

/* Insert a case for the callback worklist; only a valid callback takes a case off it. */
static void insert_cb_case(struct store *st, enum case_status status, int64_t feedback_due,
			   int64_t callback_at, int64_t merged_into)
{
	struct case_rec *c = case_new("S1", 100);
	c->status = status;
	c->clocks[CLK_FEEDBACK].due = feedback_due;
	c->callback_at = callback_at;
	c->callback_valid = callback_at != 0; /* a callback here is a valid (answered) one */
	c->merged_into = merged_into;
	insert_case(st, c);
}

static void test_callback_due(void **state)
{
	struct fixture *f = *state;
	insert_cb_case(f->st, CS_REPLIED, 0, 0, 0);	    /* 1 yes: replied */
	insert_cb_case(f->st, CS_DISPATCHED, 500, 0, 0);    /* 2 yes: deadline passed */
	insert_cb_case(f->st, CS_ACCEPTED, 1000, 0, 0);	    /* 3 no: due at now is not past */
	insert_cb_case(f->st, CS_IN_PROGRESS, 0, 0, 0);	    /* 4 no: no deadline */
	insert_cb_case(f->st, CS_IN_PROGRESS, 500, 800, 0); /* 5 no: already called back */
	insert_cb_case(f->st, CS_IN_PROGRESS, 999, 0, 0);   /* 6 yes */
	insert_cb_case(f->st, CS_MERGED, 0, 0, 1);	    /* 7 yes: merged into a replied case */
	insert_cb_case(f->st, CS_MERGED, 0, 0, 9);	    /* 8 no: merged into an open case */
	insert_cb_case(f->st, CS_IN_PROGRESS, 0, 0, 0);	    /* 9 */
	insert_cb_case(f->st, CS_MERGED, 0, 0, 11);	    /* 10 yes: merged into a closed case */
	insert_cb_case(f->st, CS_CLOSED, 500, 0, 0);	    /* 11 no: closed */
	insert_cb_case(f->st, CS_MERGED, 0, 900, 11);	    /* 12 no: merged, already called back */
	insert_cb_case(f->st, CS_RETURNED, 500, 0, 0);	    /* 13 no: disputed */
	insert_cb_case(f->st, CS_PARKED, 500, 0, 0);	    /* 14 no: parked */
	insert_cb_case(f->st, CS_MERGED, 0, 0, 99);	    /* 15 no: merged into nothing */
	insert_cb_case(f->st, CS_REPLIED, 0, 700, 0);	    /* 16 yes: replied again after a callback */
	insert_cb_case(f->st, CS_ANSWERED, 500, 0, 0);	    /* 17 no: answered on the spot */

	struct case_query q = {.overdue = -1, .callback_due = true, .now = 1000};
	expect_cases(f->st, &q, 6, 6, 1, 2, 6, 7, 10, 16);
	q.per_page = 2;
	q.page = 2;
	expect_cases(f->st, &q, 6, 2, 6, 7);
	q.per_page = 0;
	q.now = 1001; /* 3 is past due now */
	expect_cases(f->st, &q, 7, 7, 1, 2, 3, 6, 7, 10, 16);
	q.status = "merged";
	expect_cases(f->st, &q, 2, 2, 7, 10);
	q.status = NULL;
	q.now = 600; /* 6 not yet */
	expect_cases(f->st, &q, 5, 5, 1, 2, 7, 10, 16);
	q.callback_due = false;
	struct case_query all = {.overdue = -1, .per_page = 3};
	expect_cases(f->st, &all, 17, 3, 17, 16, 15);
}

struct fact_log {
	int n, stop_at;
	struct fact v[16];
};

static int collect_fact(void *ctx, const struct fact *fa)
{
	struct fact_log *l = ctx;
	l->v[l->n++] = *fa;
	return l->n == l->stop_at ? 5 : 0;
}

static void put_fact(struct store *st, int64_t case_id, int seq, int64_t at, int64_t user, const char *unit,
		     const char *kind, int64_t value)
{
	struct fact fa = {.case_id = case_id, .seq = seq, .at = at, .user_id = user, .value = value};
	struct err e;
	err_init(&e);
	strcpy(fa.unit, unit);
	strcpy(fa.kind, kind);
	assert_int_equal(store_fact_insert(st, &fa, &e), OK);
}

static void test_facts(void **state)
{
	struct fixture *f = *state;
	struct fact_log l = {0};
	struct fact bad = {.case_id = 1};
	put_fact(f->st, 5, 3, 300, 2, "S1", "sign", 1);
	put_fact(f->st, 5, 2, 200, 1, "S1", "dispatch", 0);
	put_fact(f->st, 4, 9, 900, 0, "S2", "overdue", 3);
	put_fact(f->st, 5, 3, 300, 2, "S1", "contact", 0);
	put_fact(f->st, 5, 3, 300, 0, "S1", "overdue", 1);
	put_fact(f->st, 5, 3, 300, 0, "S1", "overdue", 2);
	put_fact(f->st, 6, 1, 5000000000, 7, "D1", "rating", 543);
	assert_int_equal(store_fact_insert(f->st, &bad, &f->e), E_INVALID);
	assert_string_equal(f->e.field, "kind");

	assert_int_equal(store_facts_list(f->st, 5, collect_fact, &l, &f->e), OK);
	assert_int_equal(l.n, 5);
	assert_string_equal(l.v[0].kind, "dispatch");
	assert_int_equal(l.v[0].seq, 2);
	assert_int_equal(l.v[0].at, 200);
	assert_int_equal(l.v[0].user_id, 1);
	assert_string_equal(l.v[0].unit, "S1");
	assert_string_equal(l.v[1].kind, "contact");
	assert_int_equal(l.v[1].value, 0);
	assert_string_equal(l.v[2].kind, "overdue");
	assert_int_equal(l.v[2].value, 1);
	assert_string_equal(l.v[3].kind, "overdue");
	assert_int_equal(l.v[3].value, 2);
	assert_string_equal(l.v[4].kind, "sign");
	assert_int_equal(l.v[4].case_id, 5);

	memset(&l, 0, sizeof(l));
	assert_int_equal(store_facts_list(f->st, 0, collect_fact, &l, &f->e), OK);
	assert_int_equal(l.n, 7);
	assert_int_equal(l.v[0].case_id, 4);
	assert_int_equal(l.v[1].case_id, 5);
	assert_string_equal(l.v[1].kind, "dispatch");
	assert_int_equal(l.v[6].case_id, 6);
	assert_int_equal(l.v[6].at, 5000000000);
	assert_int_equal(l.v[6].value, 543);

	memset(&l, 0, sizeof(l));
	assert_int_equal(store_facts_list(f->st, 77, collect_fact, &l, &f->e), OK);
	assert_int_equal(l.n, 0);
	l.stop_at = 2;
	assert_int_equal(store_facts_list(f->st, 5, collect_fact, &l, &f->e), 5);
	assert_int_equal(l.n, 2);
}

/* A case with only an id, a lead and an assessment scope, for the counts. */
static void insert_scoped(struct store *st, int64_t id, const char *lead, enum assess_scope scope)
{
	struct case_rec *c = case_new(lead, 100);
	c->id = id;
	c->scope = scope;
	insert_case(st, c);
}

#define CB(contacted, solved, sat)                                                                 \
	(FACT_CB_VALID | ((contacted) ? FACT_CB_CONTACTED : 0) | ((solved) ? FACT_CB_SOLVED : 0) | \
	 ((sat) << FACT_CB_SAT_SHIFT))

struct counts_log {
	int n;
	struct unit_counts v[8];
};

static int collect_counts(void *ctx, const struct unit_counts *c)
{
	struct counts_log *l = ctx;
	l->v[l->n++] = *c;
	return 0;
}

static const char *const count_names[] = {
    "cb_valid",		"cb_contacted",	 "cb_solved",	  "cb_satisfied",   "cb_basic",	   "as_valid",
    "as_contacted",	"as_full_valid", "as_solved",	  "as_satisfied",   "as_basic",	   "dispatches",
    "sign_total",	"sign_ontime",	 "contact_total", "contact_ontime", "reply_total", "reply_ontime",
    "handling_seconds", "returns",	 "extensions",	  "reopens",	    "overdue",	   "reports",
    "reports_ontime",	"ratings",	 "rating_sum"};
_Static_assert(sizeof(struct unit_counts) == offsetof(struct unit_counts, cb_valid) + 27 * sizeof(int64_t),
	       "count_names lists every counter of struct unit_counts");

/* Compare every counter of got with want, naming the first that differs. */
static void expect_counts(const struct unit_counts *got, const char *unit, const int64_t want[27])
{
	const int64_t *have = &got->cb_valid;
	assert_string_equal(got->unit, unit);
	for (int i = 0; i < 27; i++)
		if (have[i] != want[i])
			fail_msg("%s %s: %lld, want %lld", unit, count_names[i], (long long)have[i],
				 (long long)want[i]);
}

static void test_unit_counts(void **state)
{
	struct fixture *f = *state;
	struct counts_log l = {0};
	const char *s1 = "110101001", *s2 = "110101002", *d1 = "110101D01", *d2 = "110101D02";
	for (int id = 1; id <= 8; id++)
		insert_scoped(f->st, id, id <= 5 ? s1 : s2, SCOPE_ALL);
	insert_scoped(f->st, 9, d1, SCOPE_EXCLUDED);
	insert_scoped(f->st, 10, d1, SCOPE_RESPONSE_ONLY);
	insert_scoped(f->st, 11, d1, SCOPE_ALL);

	/* street s1: four valid callbacks, and an invalid one */
	put_fact(f->st, 1, 5, 1100, 9, s1, "callback", CB(1, 1, SAT_SATISFIED));
	put_fact(f->st, 2, 5, 1100, 9, s1, "callback", CB(1, 1, SAT_BASIC));
	put_fact(f->st, 3, 5, 1100, 9, s1, "callback", CB(1, 0, SAT_UNSATISFIED));
	put_fact(f->st, 4, 5, 1100, 9, s1, "callback", CB(0, 0, SAT_UNSATISFIED));
	put_fact(f->st, 5, 5, 1100, 9, s1, "callback", CB(1, 1, SAT_SATISFIED) & ~FACT_CB_VALID);
	/* s2: case 6 called back twice in the period (first for s1, re-dispatched since): only the
	   later valid one counts, for its own unit; a later invalid callback does not replace it */
	put_fact(f->st, 6, 5, 1100, 9, s1, "callback", CB(1, 1, SAT_SATISFIED));
	put_fact(f->st, 6, 8, 1200, 9, s2, "callback", CB(0, 0, SAT_UNSATISFIED));
	put_fact(f->st, 6, 9, 1300, 9, s2, "callback", CB(1, 0, SAT_UNSATISFIED) & ~FACT_CB_VALID);
	/* case 7: callbacks just outside [1000, 2000) */
	put_fact(f->st, 7, 5, 999, 9, s2, "callback", CB(1, 1, SAT_SATISFIED));
	put_fact(f->st, 7, 6, 2000, 9, s2, "callback", CB(1, 1, SAT_SATISFIED));
	/* case 8: the callback in the period counts, a later one after the period does not */
	put_fact(f->st, 8, 3, 1500, 9, s2, "callback", CB(1, 1, SAT_SATISFIED));
	put_fact(f->st, 8, 6, 2500, 9, s2, "callback", CB(0, 0, SAT_UNSATISFIED));
	/* d1: excluded, response only, all */
	put_fact(f->st, 9, 4, 1100, 9, d1, "callback", CB(1, 1, SAT_SATISFIED));
	put_fact(f->st, 10, 4, 1100, 9, d1, "callback", CB(1, 1, SAT_BASIC));
	put_fact(f->st, 11, 4, 1100, 9, d1, "callback", CB(1, 0, SAT_UNSATISFIED));

	/* d2: one or more of every other kind; a fact of case 12 (no case row) counts too */
	put_fact(f->st, 12, 1, 1000, 1, d2, "dispatch", 0);
	put_fact(f->st, 13, 1, 1999, 1, d2, "dispatch", 0);
	put_fact(f->st, 14, 1, 2000, 1, d2, "dispatch", 0); /* after the period */
	put_fact(f->st, 14, 1, 999, 1, d2, "dispatch", 0);  /* before it */
	put_fact(f->st, 12, 2, 1010, 2, d2, "sign", 1);
	put_fact(f->st, 13, 2, 1010, 2, d2, "sign", 0);
	put_fact(f->st, 12, 3, 1020, 2, d2, "contact", 1);
	put_fact(f->st, 12, 4, 1030, 2, d2, "reply", 1);
	put_fact(f->st, 13, 4, 1030, 2, d2, "reply", 0);
	put_fact(f->st, 12, 4, 1030, 2, d2, "handling", 3600);
	put_fact(f->st, 13, 4, 1030, 2, d2, "handling", 7200);
	put_fact(f->st, 12, 5, 1040, 2, d2, "return", 0);
	put_fact(f->st, 12, 6, 1050, 0, d2, "extension", 0);
	put_fact(f->st, 12, 7, 1060, 0, d2, "reopen", 0);
	put_fact(f->st, 13, 7, 1060, 0, d2, "reopen", 0);
	put_fact(f->st, 12, 8, 1070, 0, d2, "overdue", CLK_SIGN);
	put_fact(f->st, 12, 8, 1070, 0, d2, "overdue", CLK_CONTACT);
	put_fact(f->st, 13, 8, 1070, 0, d2, "overdue", CLK_FEEDBACK);
	put_fact(f->st, 12, 9, 1080, 3, d2, "report", 1);
	put_fact(f->st, 13, 9, 1080, 3, d2, "report", 1);
	put_fact(f->st, 13, 10, 1080, 3, d2, "report", 0);
	put_fact(f->st, 12, 11, 1090, 4, d2, "rating", 555);
	put_fact(f->st, 13, 11, 1090, 4, d2, "rating", 342);
	/* a kind the counts do not know, for a unit with nothing else: not listed */
	put_fact(f->st, 12, 12, 1100, 4, "X9", "note", 1);

	assert_int_equal(store_unit_counts(f->st, 1000, 2000, false, collect_counts, &l, &f->e), OK);
	assert_int_equal(l.n, 4);
	/*                        cb: valid cont solv sat bas  as: val cont full solv sat bas */
	expect_counts(&l.v[0], s1, (const int64_t[27]){4, 3, 2, 1, 1, 4, 3, 4, 2, 1, 1});
	expect_counts(&l.v[1], s2, (const int64_t[27]){2, 1, 1, 1, 0, 2, 1, 2, 1, 1, 0});
	expect_counts(&l.v[2], d1, (const int64_t[27]){3, 3, 2, 1, 1, 2, 2, 1, 0, 0, 0});
	/* dispatches, sign total/on time, contact, reply, handling, returns, extensions, reopens,
	   overdue, reports total/on time, ratings, rating_sum (5+5+5 + 3+4+2) */
	expect_counts(&l.v[3], d2,
		      (const int64_t[27]){[11] = 2, 2, 1, 1, 1, 2, 1, 10800, 1, 1, 2, 3, 3, 2, 2, 24});

	/* an empty period lists nothing; the whole time counts case 7's and 8's other callbacks */
	l.n = 0;
	assert_int_equal(store_unit_counts(f->st, 3000, 4000, false, collect_counts, &l, &f->e), OK);
	assert_int_equal(l.n, 0);
	assert_int_equal(store_unit_counts(f->st, 0, 10000, false, collect_counts, &l, &f->e), OK);
	assert_int_equal(l.n, 4);
	/* case 6 (later, not contacted), 7 (at 2000, satisfied), 8 (at 2500, not contacted) */
	expect_counts(&l.v[1], s2, (const int64_t[27]){3, 1, 1, 1, 0, 3, 1, 3, 1, 1, 0});
	assert_int_equal(l.v[3].dispatches, 4);
}

/* Local midnight of day d (days since 1970-01-01, Beijing) plus h hours. */
#define LOCAL_AT(d, h) ((int64_t)(d) * 86400 - LOCAL_UTC_OFFSET + (int64_t)(h) * 3600)

/* The counts of [from, to) read from the per-day counts equal the plain scan's. */
static void expect_days_equal_scan(struct store *st, int64_t from, int64_t to)
{
	struct counts_log fast = {0}, scan = {0};
	struct err e;
	err_init(&e);
	assert_int_equal(store_unit_counts(st, from, to, false, collect_counts, &fast, &e), OK);
	assert_int_equal(store_unit_counts(st, from, to, true, collect_counts, &scan, &e), OK);
	if (fast.n != scan.n)
		fail_msg("[%lld, %lld): %d units by day, %d by scan", (long long)from, (long long)to, fast.n, scan.n);
	for (int i = 0; i < fast.n; i++) {
		int64_t want[UNIT_NCOUNTS];
		memcpy(want, (const char *)&scan.v[i] + offsetof(struct unit_counts, cb_valid), sizeof(want));
		expect_counts(&fast.v[i], scan.v[i].unit, want);
	}
}

/*
 * Inside a transaction the counts are kept and written once per row at the
 * commit: a nested level undone drops its own, one kept joins the rest, a
 * read inside the transaction sees what it added so far, and what is
 * committed equals the scan of the facts that stayed.
 */
static void test_unit_counts_in_a_transaction(void **state)
{
	struct fixture *f = *state;
	const char *a = "110101001", *b = "110101002";
	struct err e;
	err_init(&e);
	for (int id = 1; id <= 3; id++)
		insert_scoped(f->st, id, a, SCOPE_ALL);
	assert_int_equal(store_begin(f->st, &e), OK);
	put_fact(f->st, 1, 2, LOCAL_AT(25, 9), 9, a, "dispatch", 0);
	put_fact(f->st, 1, 3, LOCAL_AT(25, 10), 9, a, "callback", CB(1, 1, SAT_SATISFIED));
	put_fact(f->st, 2, 2, LOCAL_AT(25, 11), 9, a, "dispatch", 0);
	/* a nested level undone: its facts and its counts go */
	assert_int_equal(store_begin(f->st, &e), OK);
	put_fact(f->st, 2, 3, LOCAL_AT(26, 9), 9, b, "sign", 1);
	put_fact(f->st, 1, 4, LOCAL_AT(40, 9), 9, b, "callback", CB(1, 0, SAT_BASIC));
	store_rollback(f->st);
	/* read inside the transaction: what it added so far */
	struct counts_log l = {0};
	assert_int_equal(store_unit_counts(f->st, LOCAL_AT(0, 0), LOCAL_AT(365, 0), false, collect_counts, &l, &e),
			 OK);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].unit, a);
	assert_int_equal(l.v[0].cb_valid, 1);
	expect_days_equal_scan(f->st, LOCAL_AT(0, 0), LOCAL_AT(365, 0));
	/* after that read: a level kept, then one undone */
	assert_int_equal(store_begin(f->st, &e), OK);
	put_fact(f->st, 3, 2, LOCAL_AT(30, 9), 9, b, "dispatch", 0);
	put_fact(f->st, 3, 3, LOCAL_AT(41, 9), 9, b, "callback", CB(1, 1, SAT_BASIC));
	assert_int_equal(store_commit(f->st, &e), OK);
	assert_int_equal(store_begin(f->st, &e), OK);
	put_fact(f->st, 3, 4, LOCAL_AT(42, 9), 9, b, "callback", CB(0, 0, SAT_UNSATISFIED));
	put_fact(f->st, 1, 5, LOCAL_AT(26, 9), 9, a, "reply", 1);
	store_rollback(f->st);
	put_fact(f->st, 2, 4, LOCAL_AT(59, 9), 9, a, "reply", 1);
	assert_int_equal(store_commit(f->st, &e), OK);
	static const int days[] = {0, 25, 26, 31, 41, 42, 59, 60, 365};
	for (size_t i = 0; i < ARRAY_SIZE(days); i++)
		for (size_t j = i; j < ARRAY_SIZE(days); j++)
			expect_days_equal_scan(f->st, LOCAL_AT(days[i], 0), LOCAL_AT(days[j], 0));
	l.n = 0;
	assert_int_equal(store_unit_counts(f->st, LOCAL_AT(0, 0), LOCAL_AT(365, 0), false, collect_counts, &l, &e),
			 OK);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].cb_valid + l.v[1].cb_valid, 2); /* case 1 on day 25 (a), case 3 on day 41 (b) */
	/* a whole transaction undone leaves nothing of its counts behind */
	assert_int_equal(store_begin(f->st, &e), OK);
	put_fact(f->st, 2, 5, LOCAL_AT(60, 9), 9, a, "callback", CB(1, 1, SAT_SATISFIED));
	store_rollback(f->st);
	expect_days_equal_scan(f->st, LOCAL_AT(0, 0), LOCAL_AT(365, 0));
}

/*
 * The counts kept per unit and day, live and as 0006 backfills them, give
 * what the scan gives for every period of whole days: callbacks replaced by
 * later ones on other days and for other units, a scope changed after its
 * callbacks, kinds spread over days.
 */
static void test_unit_counts_days(void **state)
{
	struct fixture *f = *state;
	const char *a = "110101001", *b = "110101002";
	for (int id = 1; id <= 4; id++)
		insert_scoped(f->st, id, a, SCOPE_ALL);
	/* days since 1970-01-01: 31 is February 1st, 59 March 1st */
	/* case 1: valid callbacks on days 25 (a), 40 (b), 59 (b), an invalid one on day 65 */
	put_fact(f->st, 1, 2, LOCAL_AT(25, 9), 9, a, "dispatch", 0);
	put_fact(f->st, 1, 3, LOCAL_AT(25, 10), 9, a, "callback", CB(1, 1, SAT_SATISFIED));
	put_fact(f->st, 1, 5, LOCAL_AT(40, 23), 9, b, "callback", CB(1, 0, SAT_BASIC));
	put_fact(f->st, 1, 7, LOCAL_AT(59, 0), 9, b, "callback", CB(0, 0, SAT_UNSATISFIED));
	put_fact(f->st, 1, 8, LOCAL_AT(65, 1), 9, b, "callback", CB(1, 1, SAT_SATISFIED) & ~FACT_CB_VALID);
	/* case 2: called back twice on one day, then excluded from the assessment */
	put_fact(f->st, 2, 3, LOCAL_AT(31, 8), 9, a, "callback", CB(1, 1, SAT_SATISFIED));
	put_fact(f->st, 2, 4, LOCAL_AT(31, 20), 9, a, "callback", CB(1, 1, SAT_BASIC));
	put_fact(f->st, 2, 5, LOCAL_AT(45, 0), 9, a, "reply", 1);
	put_fact(f->st, 2, 5, LOCAL_AT(45, 0), 9, a, "handling", 7200);
	/* case 3: every other kind, a week apart from day 20 */
	const char *kinds[] = {"sign", "contact", "reply", "return", "extension", "reopen", "overdue", "report",
			       "rating"};
	for (int i = 0; i < (int)ARRAY_SIZE(kinds); i++)
		put_fact(f->st, 3, 10 + i, LOCAL_AT(20 + 7 * i, i), 9, i % 2 ? a : b, kinds[i], i % 3 ? 1 : 543);
	/* case 4: called back in January, again in March, then excluded by a full rewrite of the row */
	put_fact(f->st, 4, 3, LOCAL_AT(28, 12), 9, b, "callback", CB(1, 1, SAT_SATISFIED));
	put_fact(f->st, 4, 6, LOCAL_AT(62, 12), 9, b, "callback", CB(1, 0, SAT_BASIC));

	struct case_rec *c = calloc(1, sizeof(*c)), *before = calloc(1, sizeof(*before));
	struct err e;
	err_init(&e);
	assert_int_equal(store_case_get(f->st, 2, before, &e), OK);
	*c = *before;
	c->scope = SCOPE_RESPONSE_ONLY;
	assert_int_equal(store_case_update(f->st, before, c, &e), OK);
	assert_int_equal(store_case_get(f->st, 4, c, &e), OK);
	c->scope = SCOPE_EXCLUDED;
	assert_int_equal(store_case_update(f->st, NULL, c, &e), OK);

	/* every period between these days: inside a month, across months, whole months, the year */
	static const int days[] = {0, 20, 25, 28, 30, 31, 32, 40, 45, 58, 59, 60, 62, 65, 90, 365};
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < ARRAY_SIZE(days); i++)
			for (size_t j = i; j < ARRAY_SIZE(days); j++)
				expect_days_equal_scan(f->st, LOCAL_AT(days[i], 0), LOCAL_AT(days[j], 0));
		/* the same counts as 0006 builds them from the facts of an older database */
		const struct embedded_file *m = embed_find("src/store/sql/sqlite/0006-unit-day.sql");
		assert_non_null(m);
		sql_exec(f->path, "DROP TABLE unit_counts; DROP TABLE callback_superseded; DROP TABLE superseded_month;");
		sql_exec(f->path, (const char *)m->data);
	}
	/* one period spelled out: February counts case 1's day-40 callback only, for b */
	struct counts_log l = {0};
	assert_int_equal(store_unit_counts(f->st, LOCAL_AT(31, 0), LOCAL_AT(59, 0), false, collect_counts, &l, &e),
			 OK);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[1].unit, b);
	assert_int_equal(l.v[1].cb_valid, 1);
	assert_int_equal(l.v[1].cb_basic, 1);
	/* a's: case 2's later callback, counted for response only */
	assert_int_equal(l.v[0].cb_valid, 1);
	assert_int_equal(l.v[0].as_valid, 1);
	assert_int_equal(l.v[0].as_full_valid, 0);
	free(c);
	free(before);
}

struct person_log {
	int n;
	struct person_counts v[8];
};

static int collect_person(void *ctx, const struct person_counts *c)
{
	struct person_log *l = ctx;
	l->v[l->n++] = *c;
	return 0;
}

static void put_user(struct store *st, const char *login, const char *unit)
{
	struct user u = {.role = ROLE_HANDLER, .active = true};
	struct err e;
	err_init(&e);
	strcpy(u.login, login);
	snprintf(u.name, sizeof(u.name), "姓名%s", login);
	strcpy(u.unit, unit);
	assert_int_equal(store_user_insert(st, &u, &e), OK);
}

/* Compare the counters of got (signs .. callbacks_satisfied) with want. */
static void expect_person(const struct person_counts *got, int64_t id, const char *unit,
			  const int64_t want[13])
{
	static const char *const names[] = {
	    "signs",	      "signs_ontime",	  "contacts",		"contacts_ontime", "replies",
	    "replies_ontime", "reports",	  "reports_ontime",	"ratings",	   "rating_sum",
	    "callbacks",      "callbacks_solved", "callbacks_satisfied"};
	const int64_t *have = &got->signs;
	assert_int_equal(got->user_id, id);
	assert_string_equal(got->unit, unit);
	for (int i = 0; i < 13; i++)
		if (have[i] != want[i])
			fail_msg("user %lld %s: %lld, want %lld", (long long)id, names[i], (long long)have[i],
				 (long long)want[i]);
}

static void test_person_counts(void **state)
{
	struct fixture *f = *state;
	struct person_log l = {0};
	put_unit(f->st, "12345", UNIT_CENTRE, "", "");
	put_unit(f->st, "110101", UNIT_DISTRICT, "12345", "");
	put_unit(f->st, "S1", UNIT_STREET, "110101", "");
	put_unit(f->st, "D1", UNIT_DEPARTMENT, "110101", "");
	put_unit(f->st, "D2", UNIT_DEPARTMENT, "110101", "");
	put_user(f->st, "u1", "S1");	/* 1: street handler */
	put_user(f->st, "u2", "D1");	/* 2: department handler */
	put_user(f->st, "u3", "D2");	/* 3: reported before the period, rated in it */
	put_user(f->st, "u4", "12345"); /* 4: the centre's caller */
	put_user(f->st, "u5", "S1");	/* 5: nothing in the period */

	/* case 1: u1 signs, contacts late and replies; the callback after it credits u1; u2
	   replies again after a rework and the later callback credits u2 */
	put_fact(f->st, 1, 2, 1100, 1, "S1", "sign", 1);
	put_fact(f->st, 1, 3, 1150, 1, "S1", "contact", 0);
	put_fact(f->st, 1, 4, 1200, 1, "S1", "reply", 1);
	put_fact(f->st, 1, 5, 1300, 4, "S1", "callback", CB(1, 1, SAT_SATISFIED));
	put_fact(f->st, 1, 6, 1400, 2, "D1", "reply", 0);
	put_fact(f->st, 1, 7, 1500, 4, "D1", "callback", CB(1, 0, SAT_BASIC));
	/* case 2: u1 replies; an invalid callback and one after the period credit nobody */
	put_fact(f->st, 2, 4, 1200, 1, "S1", "reply", 1);
	put_fact(f->st, 2, 5, 1300, 4, "S1", "callback", 0);
	put_fact(f->st, 2, 6, 2500, 4, "S1", "callback", CB(1, 1, SAT_SATISFIED));
	put_fact(f->st, 5, 1, 2500, 5, "S1", "sign", 1); /* u5, after the period */
	/* case 3: whistles; u2 reports twice for D1 (two whistles), u3 reported for D2 before the
	   period; u1 rates (its own rating facts are not its ratings) */
	put_fact(f->st, 3, 2, 1100, 2, "D1", "report", 1);
	put_fact(f->st, 3, 3, 500, 3, "D2", "report", 0);
	put_fact(f->st, 3, 8, 1600, 1, "D1", "rating", 555);
	put_fact(f->st, 3, 9, 1700, 1, "D2", "rating", 342);
	put_fact(f->st, 3, 10, 3000, 1, "D1", "rating", 111); /* after the period */
	put_fact(f->st, 3, 11, 1800, 2, "D1", "report", 0);

	assert_int_equal(store_person_counts(f->st, 1000, 2000, NULL, collect_person, &l, &f->e), OK);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.v[0].login, "u1");
	assert_string_equal(l.v[0].name, "姓名u1");
	/*                                          sign   contact  reply  report rating  callbacks */
	expect_person(&l.v[0], 1, "S1", (const int64_t[13]){1, 1, 1, 0, 2, 2, 0, 0, 0, 0, 1, 1, 1});
	expect_person(&l.v[1], 2, "D1", (const int64_t[13]){0, 0, 0, 0, 1, 0, 2, 1, 1, 15, 1, 0, 0});
	expect_person(&l.v[2], 3, "D2", (const int64_t[13]){0, 0, 0, 0, 0, 0, 0, 0, 1, 9, 0, 0, 0});
	expect_person(&l.v[3], 4, "12345", (const int64_t[13]){0});

	/* within a subtree */
	l.n = 0;
	assert_int_equal(store_person_counts(f->st, 1000, 2000, "/12345/110101/", collect_person, &l, &f->e),
			 OK);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.v[2].user_id, 3);
	l.n = 0;
	assert_int_equal(
	    store_person_counts(f->st, 1000, 2000, "/12345/110101/S1/", collect_person, &l, &f->e), OK);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].user_id, 1);
	l.n = 0;
	assert_int_equal(store_person_counts(f->st, 1000, 2000, "/99/", collect_person, &l, &f->e), OK);
	assert_int_equal(l.n, 0);
}

/* Field by field: the structs' padding is not part of the value. */
static void expect_config(const struct assess_config *got, const struct assess_config *want)
{
	assert_int_equal(got->pool, want->pool);
	assert_true(got->w_response == want->w_response);
	assert_true(got->w_resolution == want->w_resolution);
	assert_true(got->w_satisfaction == want->w_satisfaction);
	assert_true(got->basic_coefficient == want->basic_coefficient);
	assert_int_equal(got->period_start_day, want->period_start_day);
	assert_int_equal(got->min_callbacks, want->min_callbacks);
	assert_true(got->whistle_weight == want->whistle_weight);
}

static void test_assess_config(void **state)
{
	struct fixture *f = *state;
	struct assess_config c = {UNIT_STREET, 0.1, 0.5, 0.4, 0.9, 19, 5, 0}, got;
	struct assess_config d = {UNIT_DEPARTMENT, 0.3, 0.35, 0.35, 0.8, 1, 3, 1.0 / 3};
	assert_int_equal(store_assess_config_get(f->st, UNIT_STREET, &got, &f->e), E_NOT_FOUND);
	assert_int_equal(store_assess_config_put(f->st, &c, &f->e), OK);
	assert_int_equal(store_assess_config_put(f->st, &d, &f->e), OK);
	assert_int_equal(store_assess_config_get(f->st, UNIT_STREET, &got, &f->e), OK);
	expect_config(&got, &c);
	assert_int_equal(store_assess_config_get(f->st, UNIT_DEPARTMENT, &got, &f->e), OK);
	expect_config(&got, &d);
	assert_true(got.whistle_weight == 1.0 / 3);

	/* put again replaces */
	c.w_response = 0.3;
	c.min_callbacks = 10;
	c.period_start_day = 1;
	assert_int_equal(store_assess_config_put(f->st, &c, &f->e), OK);
	assert_int_equal(store_assess_config_get(f->st, UNIT_STREET, &got, &f->e), OK);
	expect_config(&got, &c);
	assert_int_equal(
	    sql_int(f->path, "SELECT count(*) FROM assess_config WHERE pool IN ('street', 'department')"), 2);

	assert_int_equal(store_assess_config_get(f->st, UNIT_ENTERPRISE, &got, &f->e), E_NOT_FOUND);
	c.pool = (enum unit_kind)UNIT_KIND_COUNT;
	assert_int_equal(store_assess_config_put(f->st, &c, &f->e), E_INVALID);
	assert_string_equal(f->e.field, "pool");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_open_twice, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_open_wal, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_connection_sizes, setup, teardown),
	    cmocka_unit_test(test_open_not_a_database),
	    cmocka_unit_test_setup_teardown(test_unit_tree, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unit_unknown_parent, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unit_move, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cases_scope_move, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_final_counts, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_open_tasks, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_scope_days, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lead_days, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cases_date_order, setup, teardown),
	    cmocka_unit_test(test_read_ahead),
	    cmocka_unit_test_setup_teardown(test_unit_by_sector, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_list_reentrant_and_stop, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_categories, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tiers_and_holidays, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_users, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tokens, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_case_roundtrip, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_case_links, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_events, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cases_list, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cases_due, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_case_ids_readahead, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_case_roundtrip_workflow, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_case_roundtrip_zero, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_case_bad_json, setup, teardown),
	    cmocka_unit_test(test_migrate_old_case),
	    cmocka_unit_test_setup_teardown(test_case_links_summoned, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_callback_due, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_facts, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unit_counts, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unit_cache, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unit_cache_many, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unit_counts_days, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unit_counts_in_a_transaction, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_person_counts, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_assess_config, setup, teardown),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
