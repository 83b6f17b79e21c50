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
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/store.h"

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
	assert_int_equal(sql_int(f->path, "SELECT count(*) FROM schema_migrations"), 1);
	assert_int_equal(sql_int(f->path, "SELECT max(version) FROM schema_migrations"), 1);
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

static void test_unit_move(void **state)
{
	struct fixture *f = *state;
	struct unit u = {.kind = UNIT_STREET};
	put_unit(f->st, "12345", UNIT_CENTRE, "", "");
	put_unit(f->st, "110101", UNIT_DISTRICT, "12345", "");
	put_unit(f->st, "110102", UNIT_DISTRICT, "12345", "");
	put_unit(f->st, "110101001", UNIT_STREET, "110101", "");
	put_unit(f->st, "110101001001", UNIT_COMMUNITY, "110101001", "");
	put_unit(f->st, "110101002", UNIT_STREET, "110101", "");

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
		struct tier_rule x = {(enum tier)t, 60 * (t + 1), 30, 120, 7, SPAN_WORKING_DAYS, 75};
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
	struct tier_rule x = {TIER_COMPLEX, 1440, 60, 120, 15, SPAN_CALENDAR_DAYS, 80};
	assert_int_equal(store_tier_put(f->st, &x, &f->e), OK);
	assert_int_equal(store_tiers_load(f->st, r, &f->e), OK);
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
	assert_int_equal(store_case_put(f->st, c, &f->e), OK);
	assert_int_equal(store_case_get(f->st, 1, got, &f->e), OK);
	assert_memory_equal(got, c, sizeof(*c));

	assert_int_equal(store_case_get(f->st, 2, got, &f->e), E_NOT_FOUND);
	assert_string_equal(f->e.msg, "案件 2 不存在");
	c->id = 2;
	assert_int_equal(store_case_put(f->st, c, &f->e), E_NOT_FOUND);
	free(c);
	free(got);
}

struct links {
	int n;
	char unit[8][LIMIT_CODE + 1];
	char rel[8][8];
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

	/* re-dispatch to D, keep only copy B: A and C stay linked as former */
	strcpy(c->lead_unit, "D");
	c->ncopies = 1;
	strcpy(c->copies[0], "B");
	assert_int_equal(store_case_put(f->st, c, &f->e), OK);
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
	assert_int_equal(store_case_put(f->st, c, &f->e), OK);
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
	assert_int_equal(store_case_put(f->st, c, &f->e), E_INVALID);
	assert_string_equal(f->e.field, "copies");
	free(c);
	free(got);
}

struct event_log {
	int n;
	int seq[8];
	char payload[8][32];
	char action[8][32];
	int stop_at;
};

static int collect_event(void *ctx, const struct event_rec *ev)
{
	struct event_log *l = ctx;
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
	static const int order[] = {2, 1, 3};
	char payload[32];
	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		ev.seq = order[i];
		snprintf(ev.action, sizeof(ev.action), "act%d", order[i]);
		snprintf(payload, sizeof(payload), "{\"n\":%d}", order[i]);
		ev.payload = order[i] == 3 ? NULL : payload;
		assert_int_equal(store_event_append(f->st, &ev, &f->e), OK);
		assert_int_equal(ev.id, (int64_t)i + 1);
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

static void test_cases_list(void **state)
{
	struct fixture *f = *state;
	struct case_rec *c;
	put_unit(f->st, "12345", UNIT_CENTRE, "", "");
	put_unit(f->st, "110101", UNIT_DISTRICT, "12345", "");
	put_unit(f->st, "110101001", UNIT_STREET, "110101", "");
	put_unit(f->st, "110101002", UNIT_STREET, "110101", "");
	put_unit(f->st, "110102", UNIT_DISTRICT, "12345", "");
	put_unit(f->st, "110102001", UNIT_STREET, "110102", "");
	put_unit(f->st, "1101019", UNIT_DEPARTMENT, "12345", ""); /* path shares the prefix "/12345/110101" */

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
	assert_int_equal(store_case_put(f->st, c, &f->e), OK);
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
	q.unit_path = NULL;

	/* viewer: linked as lead, copy or former lead, or recorded by the subtree */
	q.viewer_path = "/12345/110102/";
	expect_cases(f->st, &q, 3, 3, 5, 4, 3);
	q.viewer_path = "/12345/110101/";
	expect_cases(f->st, &q, 4, 4, 5, 3, 2, 1);
	q.viewer_path = "/12345/110101/110101002/";
	expect_cases(f->st, &q, 1, 1, 2);
	q.viewer_path = NULL;

	q.overdue = 1;
	expect_cases(f->st, &q, 1, 1, 2);
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
	assert_int_equal(store_case_put(d->st, c, &e), OK);
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

/* ---- transactions ---- */

static void test_transactions(void **state)
{
	struct fixture *f = *state;
	struct unit u;
	struct unit bad = {.kind = UNIT_STREET};
	put_unit(f->st, "12345", UNIT_CENTRE, "", "");

	assert_int_equal(store_begin(f->st, &f->e), OK);
	assert_int_equal(store_begin(f->st, &f->e), E_INTERNAL);
	put_unit(f->st, "110101", UNIT_DISTRICT, "12345", "");
	assert_int_equal(store_units_count(f->st), 2);
	store_rollback(f->st);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_open_twice, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_open_wal, setup, teardown),
	    cmocka_unit_test(test_open_not_a_database),
	    cmocka_unit_test_setup_teardown(test_unit_tree, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unit_unknown_parent, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unit_move, setup, teardown),
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
	    cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
