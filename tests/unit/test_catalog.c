/*
 * test_catalog — the built-in reference set (with the Beijing demo) and the
 * CSV imports, on a real SQLite database in a temporary directory.
 *
 * Expected numbers: 16 districts, 349 streets and 7,535 communities come
 * from the files in data/beijing/; 35 departments and 4 enterprises per district
 * from data/departments.csv; 352 Beijing categories plus 29 of jiesu's own
 * from data/categories.csv; 72 calendar rows from data/calendar/.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain/catalog.h"

#define N_DISTRICTS 16
#define N_STREETS 349
#define N_COMMUNITIES 7535
#define N_DEPTS_PER_DISTRICT 35
#define N_ENTERPRISES_PER_DISTRICT 4
#define N_UNITS                                                                                                \
	(1 + N_DISTRICTS + N_STREETS + N_COMMUNITIES + N_DISTRICTS * (N_DEPTS_PER_DISTRICT + N_ENTERPRISES_PER_DISTRICT))
#define N_CATEGORIES_BEIJING 352
#define N_CATEGORIES_OWN 29
#define N_CATEGORIES (N_CATEGORIES_BEIJING + N_CATEGORIES_OWN)
#define N_HOLIDAYS 72

/* A database in its own temporary directory, removed at teardown. */
struct fixture {
	char dir[64];
	char path[96];
	struct store *st;
	/* progress calls seen during setup */
	char stages[16][16];
	size_t stage_done[16], stage_total[16], stage_calls[16];
	int nstages;
};

/* Record progress: one slot per stage, the last call's numbers win. */
static void record_progress(void *ctx, const char *what, size_t done, size_t total)
{
	struct fixture *f = ctx;
	int i = f->nstages - 1;
	if (i < 0 || strcmp(f->stages[i], what)) {
		if (f->nstages == 16)
			return;
		i = f->nstages++;
		snprintf(f->stages[i], sizeof(f->stages[i]), "%s", what);
		f->stage_calls[i] = 0;
	}
	f->stage_done[i] = done;
	f->stage_total[i] = total;
	f->stage_calls[i]++;
}

static struct fixture *fixture_open(bool demo)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct err e;
	err_init(&e);
	snprintf(f->dir, sizeof(f->dir), "/tmp/jiesu-catalog-XXXXXX");
	if (!mkdtemp(f->dir))
		goto fail;
	snprintf(f->path, sizeof(f->path), "%s/test.db", f->dir);
	if (store_open(f->path, &f->st, &e) != OK)
		goto fail;
	if (catalog_load_builtin(f->st, demo, record_progress, f, &e) != OK) {
		fprintf(stderr, "load_builtin: %s (%s)\n", e.msg, e.field);
		goto fail;
	}
	return f;
fail:
	fprintf(stderr, "fixture: %s\n", e.msg);
	if (f->st)
		store_close(f->st);
	free(f);
	return NULL;
}

/* Close the store and remove the directory with everything SQLite left in it. */
static void fixture_close(struct fixture *f)
{
	static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
	char p[128];
	store_close(f->st);
	for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++) {
		snprintf(p, sizeof(p), "%s%s", f->path, suffixes[i]);
		unlink(p);
	}
	rmdir(f->dir);
	free(f);
}

static int setup_demo(void **state)
{
	*state = fixture_open(true);
	return *state ? 0 : -1;
}

static int setup_plain(void **state)
{
	*state = fixture_open(false);
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	fixture_close(*state);
	return 0;
}

static int count_unit(void *ctx, const struct unit *u)
{
	(*(size_t *)ctx)++;
	return 0;
}

/* Units of a kind (< 0: any) under a parent (NULL: anywhere). */
static size_t units(struct store *st, int kind, const char *parent)
{
	size_t n = 0;
	struct err e;
	err_init(&e);
	assert_int_equal(store_units_list(st, kind, parent, count_unit, &n, &e), OK);
	return n;
}

static int count_category(void *ctx, const struct category *c)
{
	(*(size_t *)ctx)++;
	return 0;
}

static size_t categories(struct store *st)
{
	size_t n = 0;
	struct err e;
	err_init(&e);
	assert_int_equal(store_categories_list(st, count_category, &n, &e), OK);
	return n;
}

static int count_holiday(void *ctx, const struct holiday *h)
{
	(*(size_t *)ctx)++;
	return 0;
}

static size_t holidays(struct store *st)
{
	size_t n = 0;
	struct err e;
	err_init(&e);
	assert_int_equal(store_holidays_list(st, count_holiday, &n, &e), OK);
	return n;
}

/* Find a category by path (the list is the only way to search). */
struct cat_find {
	const char *path;
	struct category found;
	int hits;
};

static int find_category(void *ctx, const struct category *c)
{
	struct cat_find *f = ctx;
	if (!strcmp(c->path, f->path)) {
		f->found = *c;
		f->hits++;
	}
	return 0;
}

static struct category category(struct store *st, const char *path)
{
	struct cat_find f = {.path = path};
	struct err e;
	err_init(&e);
	assert_int_equal(store_categories_list(st, find_category, &f, &e), OK);
	if (f.hits != 1)
		fail_msg("category %s found %d times", path, f.hits);
	return f.found;
}

static struct unit unit(struct store *st, const char *code)
{
	struct unit u;
	struct err e;
	err_init(&e);
	if (store_unit_get(st, code, &u, &e) != OK)
		fail_msg("unit %s: %s", code, e.msg);
	return u;
}

static bool unit_exists(struct store *st, const char *code)
{
	struct unit u;
	struct err e;
	err_init(&e);
	return store_unit_get(st, code, &u, &e) == OK;
}

/* ---------------------------------------------------------------- built-in set */

static void test_demo_unit_counts(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(units(f->st, UNIT_CENTRE, NULL), 1);
	assert_int_equal(units(f->st, UNIT_DISTRICT, NULL), N_DISTRICTS);
	assert_int_equal(units(f->st, UNIT_STREET, NULL), N_STREETS);
	assert_int_equal(units(f->st, UNIT_COMMUNITY, NULL), N_COMMUNITIES);
	assert_int_equal(units(f->st, UNIT_DEPARTMENT, NULL), N_DISTRICTS * N_DEPTS_PER_DISTRICT);
	assert_int_equal(units(f->st, UNIT_ENTERPRISE, NULL), N_DISTRICTS * N_ENTERPRISES_PER_DISTRICT);
	assert_int_equal(units(f->st, -1, NULL), N_UNITS);
	assert_int_equal(store_units_count(f->st), N_UNITS);
	/* 石景山区: 9 streets, 35 departments, 4 enterprises directly below it. */
	assert_int_equal(units(f->st, UNIT_STREET, "110107"), 9);
	assert_int_equal(units(f->st, -1, "110107"), 9 + N_DEPTS_PER_DISTRICT + N_ENTERPRISES_PER_DISTRICT);
	assert_int_equal(units(f->st, UNIT_DISTRICT, CENTRE_CODE), N_DISTRICTS);
}

static void test_demo_tree(void **state)
{
	struct fixture *f = *state;
	struct unit u = unit(f->st, CENTRE_CODE);
	assert_string_equal(u.name, "12345市民服务热线中心");
	assert_int_equal(u.kind, UNIT_CENTRE);
	assert_string_equal(u.parent, "");
	assert_string_equal(u.path, "/12345/");

	u = unit(f->st, "110107");
	assert_string_equal(u.name, "石景山区");
	assert_int_equal(u.kind, UNIT_DISTRICT);
	assert_string_equal(u.path, "/12345/110107/");

	u = unit(f->st, "110107001");
	assert_string_equal(u.name, "八宝山街道");
	assert_int_equal(u.kind, UNIT_STREET);
	assert_string_equal(u.parent, "110107");
	assert_string_equal(u.path, "/12345/110107/110107001/");

	/* Official community names are kept whole. */
	u = unit(f->st, "110101001001");
	assert_string_equal(u.name, "多福巷社区居委会");
	assert_int_equal(u.kind, UNIT_COMMUNITY);
	assert_string_equal(u.parent, "110101001");
	assert_string_equal(u.path, "/12345/110101/110101001/110101001001/");
	assert_string_equal(u.sector, "");
}

static void test_demo_departments(void **state)
{
	struct fixture *f = *state;
	struct unit u;
	struct err e;
	err_init(&e);

	assert_int_equal(store_unit_by_sector(f->st, "110107", "chengguan", &u, &e), OK);
	assert_string_equal(u.code, "110107801");
	assert_string_equal(u.name, "石景山区城市管理委员会");
	assert_int_equal(u.kind, UNIT_DEPARTMENT);
	assert_string_equal(u.parent, "110107");
	assert_string_equal(u.path, "/12345/110107/110107801/");

	/* {s} is the short name without 区. */
	assert_int_equal(store_unit_by_sector(f->st, "110107", "gongan", &u, &e), OK);
	assert_string_equal(u.name, "北京市公安局石景山分局");
	assert_int_equal(store_unit_by_sector(f->st, "110107", "guihua", &u, &e), OK);
	assert_string_equal(u.name, "北京市规划和自然资源委员会石景山分局");
	assert_int_equal(store_unit_by_sector(f->st, "110108", "zhifa", &u, &e), OK);
	assert_string_equal(u.code, "110108802");
	assert_string_equal(u.name, "海淀区城市管理综合行政执法局");

	/* The four utilities are enterprises with codes 901–904. */
	static const char *const util[][3] = {{"water", "110107901", "北京市自来水集团石景山营业所"},
					      {"power", "110107902", "国网北京石景山供电公司"},
					      {"gas", "110107903", "北京燃气石景山分公司"},
					      {"heat", "110107904", "北京热力石景山分公司"}};
	for (size_t i = 0; i < ARRAY_SIZE(util); i++) {
		assert_int_equal(store_unit_by_sector(f->st, "110107", util[i][0], &u, &e), OK);
		assert_string_equal(u.code, util[i][1]);
		assert_string_equal(u.name, util[i][2]);
		assert_int_equal(u.kind, UNIT_ENTERPRISE);
	}
	/* Every district got the template, e.g. the last one. */
	assert_int_equal(store_unit_by_sector(f->st, "110119", "heat", &u, &e), OK);
	assert_string_equal(u.name, "北京热力延庆分公司");
	assert_int_equal(store_unit_by_sector(f->st, "110119", "nosuchsector", &u, &e), E_NOT_FOUND);
}

/* Every category's handling resolves to a unit in a district. */
struct handling_check {
	struct store *st;
	size_t n, street, tiers[TIER_COUNT];
	char bad[1200];
};

static int check_handling(void *ctx, const struct category *c)
{
	struct handling_check *h = ctx;
	struct unit u;
	struct err e;
	err_init(&e);
	h->n++;
	h->tiers[c->tier]++;
	if (!strcmp(c->handling, "street")) {
		h->street++;
		return 0;
	}
	if (strncmp(c->handling, "sector:", 7) ||
	    store_unit_by_sector(h->st, "110107", c->handling + 7, &u, &e) != OK)
		snprintf(h->bad, sizeof(h->bad), "%s → %s", c->path, c->handling);
	return 0;
}

static void test_demo_categories(void **state)
{
	struct fixture *f = *state;
	struct handling_check h = {.st = f->st};
	struct err e;
	err_init(&e);

	assert_int_equal(store_categories_list(f->st, check_handling, &h, &e), OK);
	if (h.bad[0])
		fail_msg("handling without a unit: %s", h.bad);
	assert_int_equal(h.n, N_CATEGORIES);
	assert_int_equal(h.street, 56);
	assert_int_equal(h.tiers[TIER_EMERGENCY], 4);
	assert_int_equal(h.tiers[TIER_UTILITIES], 9);
	assert_int_equal(h.tiers[TIER_GENERAL], 349);
	assert_int_equal(h.tiers[TIER_COMPLEX], 19);

	struct category c = category(f->st, "教育->入学升学->幼升小");
	assert_int_equal(c.tier, TIER_GENERAL);
	assert_string_equal(c.handling, "sector:jiaoyu");
	assert_true(c.id > 0);
	c = category(f->st, "住房->老楼改造->加装电梯");
	assert_int_equal(c.tier, TIER_COMPLEX);
	assert_string_equal(c.handling, "street");
	c = category(f->st, "住房->住房困难"); /* a two-level path */
	assert_string_equal(c.handling, "sector:zhujian");
	c = category(f->st, "公用事业->供气->燃气泄漏");
	assert_int_equal(c.tier, TIER_EMERGENCY);
	assert_string_equal(c.handling, "sector:gas");
	c = category(f->st, "公用事业->供暖->供暖不热");
	assert_int_equal(c.tier, TIER_UTILITIES);
	assert_string_equal(c.handling, "sector:heat");
}

static void test_demo_tiers_holidays(void **state)
{
	struct fixture *f = *state;
	struct tier_rule r[TIER_COUNT];
	struct err e;
	err_init(&e);
	assert_int_equal(store_tiers_load(f->st, r, &e), OK);
	assert_int_equal(r[TIER_GENERAL].feedback_amount, 7);
	assert_int_equal(r[TIER_GENERAL].feedback_unit, SPAN_WORKING_DAYS);
	assert_int_equal(r[TIER_EMERGENCY].dispatch_minutes, 60);
	assert_int_equal(r[TIER_COMPLEX].feedback_amount, 15);
	assert_int_equal(holidays(f->st), N_HOLIDAYS);
}

/* Progress: one stage after another, each ending with its full count. */
static void test_demo_progress(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *stage;
		size_t done, calls;
	} want[] = {
		{"centre", 1, 1},
		{"tiers", 4, 1},
		{"holidays", N_HOLIDAYS, 1},
		{"categories", N_CATEGORIES, 1},
		{"districts", N_DISTRICTS, 1},
		{"streets", N_STREETS, 1},
		{"communities", N_COMMUNITIES, N_COMMUNITIES / 500 + 1},
		{"departments", N_DISTRICTS * (N_DEPTS_PER_DISTRICT + N_ENTERPRISES_PER_DISTRICT), 2},
	};
	assert_int_equal(f->nstages, ARRAY_SIZE(want));
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		assert_string_equal(f->stages[i], want[i].stage);
		assert_int_equal(f->stage_done[i], want[i].done);
		assert_int_equal(f->stage_total[i], want[i].done);
		assert_int_equal(f->stage_calls[i], want[i].calls);
	}
}

/* Loading again changes nothing: every row is put by its key. */
static void test_demo_reload(void **state)
{
	struct fixture *f = *state;
	struct err e;
	err_init(&e);
	assert_int_equal(catalog_load_builtin(f->st, true, NULL, NULL, &e), OK);
	assert_int_equal(store_units_count(f->st), N_UNITS);
	assert_int_equal(categories(f->st), N_CATEGORIES);
	assert_int_equal(holidays(f->st), N_HOLIDAYS);
	assert_string_equal(unit(f->st, "110107001").path, "/12345/110107/110107001/");
}

/* ---------------------------------------------------------------- imports */

static void test_plain_builtin(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(store_units_count(f->st), 1);
	assert_int_equal(categories(f->st), N_CATEGORIES);
	assert_int_equal(holidays(f->st), N_HOLIDAYS);
	assert_int_equal(f->nstages, 4);
}

static void test_import_units_good(void **state)
{
	struct fixture *f = *state;
	static const char csv[] = "code,name,kind,parent,sector\r\n"
				  "110107,\"石景山区\",district,12345,\r\n"
				  "110107001,八宝山街道,street,110107,\r\n"
				  "110107001001,\"八宝山社区居委会\",community,110107001,\r\n"
				  "\r\n"
				  "110107801,石景山区城市管理委员会,department,110107,chengguan\r\n"
				  "110107902,国网北京石景山供电公司,enterprise,110107,power\r\n"
				  "HD-01_a,海淀区分中心,centre,12345,\r\n";
	struct err e;
	size_t n = 99;
	err_init(&e);
	assert_int_equal(catalog_import_units(f->st, csv, strlen(csv), NULL, NULL, &n, &e), OK);
	assert_int_equal(n, 6);
	assert_int_equal(store_units_count(f->st), 7);
	assert_string_equal(unit(f->st, "110107001001").path, "/12345/110107/110107001/110107001001/");
	assert_string_equal(unit(f->st, "110107902").sector, "power");
	assert_string_equal(unit(f->st, "HD-01_a").path, "/12345/HD-01_a/");

	/* Without the sector column, and a re-import of an existing unit renames it. */
	static const char csv4[] = "code,name,kind,parent\n110107002,老山街道,street,110107\n"
				   "110107001,八宝山街道办事处,street,110107\n";
	assert_int_equal(catalog_import_units(f->st, csv4, strlen(csv4), NULL, NULL, &n, &e), OK);
	assert_int_equal(n, 2);
	assert_int_equal(store_units_count(f->st), 8);
	assert_string_equal(unit(f->st, "110107001").name, "八宝山街道办事处");
}

static void test_import_units_progress(void **state)
{
	struct fixture *f = *state;
	struct buf b;
	struct err e;
	size_t n = 0;
	err_init(&e);
	buf_init(&b, BUF_NOMAX);
	buf_adds(&b, "code,name,kind,parent\n");
	for (int i = 0; i < 1200; i++)
		buf_addf(&b, "D%04d,区%d,district,12345\n", i, i);
	f->nstages = 0;
	assert_int_equal(catalog_import_units(f->st, b.s, b.len, record_progress, f, &n, &e), OK);
	assert_int_equal(n, 1200);
	assert_int_equal(f->nstages, 1);
	assert_string_equal(f->stages[0], "units");
	assert_int_equal(f->stage_calls[0], 3); /* 500, 1000, 1200 */
	assert_int_equal(f->stage_done[0], 1200);
	buf_release(&b);
}

struct bad_case {
	const char *csv;
	const char *field;
	const char *msg;
};

/*
 * Each bad file starts with good rows, so a refused import that left
 * anything behind would show in the unit count and in the first row.
 */
static void test_import_units_bad(void **state)
{
	struct fixture *f = *state;
#define GOOD "code,name,kind,parent,sector\n110107,石景山区,district,12345,\n110107001,八宝山街道,street,110107,\n"
	static const struct bad_case cases[] = {
		{GOOD "110107002,老山街道,street,110199,\n", "parent", "第 4 行：上级单位 110199 不存在"},
		{GOOD "110107002,老山街道,town,110107,\n", "kind",
		 "第 4 行：单位类型 town 不认识：应为 centre、district、street、community、department 或 enterprise"},
		{GOOD "110107801,石景山区城市管理委员会,department,110107,\n", "sector",
		 "第 4 行：部门和企业须填写职责领域（sector），单位 110107801 未填写"},
		{GOOD "110107801,城管委,department,110107,ChengGuan\n", "sector",
		 "第 4 行：职责领域 ChengGuan 不合法：应为小写字母或 _"},
		{GOOD "110107002,老山街道,street,110107,water\n", "sector",
		 "第 4 行：只有部门和企业填写职责领域，street 类单位 110107002 应留空"},
		{GOOD "1101 07,老山街道,street,110107,\n", "code",
		 "第 4 行：单位编码 1101 07 不合法：应为 1–31 位字母、数字、_ 或 -"},
		{GOOD "110107001,八宝山,street,110107,\n", "code", "第 4 行：单位编码 110107001 与第 3 行重复"},
		{GOOD "110107002,,street,110107,\n", "name", "第 4 行：单位 110107002 的名称为空"},
		{GOOD "110107002,"
		      "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五六七八"
		      "九十一二三四五六七八九十一二三四五,street,110107,\n", /* 65 characters */
		 "name", "第 4 行：单位 110107002 的名称超过 64 个字"},
		{GOOD "110107002,\"老山\n街道\",street,110107,\n", "name",
		 "第 4 行：单位 110107002 的名称含有换行或其他控制字符"},
		{GOOD "110107002,老山街道,street,,\n", "parent",
		 "第 4 行：单位 110107002 缺少上级单位（只有热线中心可以没有上级）"},
		{GOOD "110107002,老山街道,street,110107002,\n", "parent", "第 4 行：单位 110107002 的上级不能是它自己"},
		{GOOD "12345,热线中心,centre,110107001,\n", "parent",
		 "第 4 行：上级单位 110107001 是单位 12345 的下级，不能成环"},
		{GOOD "110107002,老山街道,street\n", "", "第 4 行：应有 5 列，实际 3 列"},
		{"code,name,type,parent\n110107,石景山区,district,12345\n", "header",
		 "第 1 行：表头应为 code,name,kind,parent[,sector]"},
		{"", "header", "文件为空：第 1 行应为表头 code,name,kind,parent[,sector]"},
		{GOOD "110107002,\"老山街道,street,110107,\n", "", "第 4 行引号未闭合"},
	};
#undef GOOD
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct err e;
		size_t n = 99;
		err_init(&e);
		int64_t before = store_units_count(f->st);
		enum err_code rc = catalog_import_units(f->st, cases[i].csv, strlen(cases[i].csv), NULL, NULL, &n, &e);
		if (rc != E_INVALID || strcmp(e.field, cases[i].field) || strcmp(e.msg, cases[i].msg))
			fail_msg("case %zu: rc %d field \"%s\" msg \"%s\"", i, rc, e.field, e.msg);
		assert_int_equal(n, 0);
		assert_int_equal(store_units_count(f->st), before);
		assert_false(unit_exists(f->st, "110107"));
	}
	assert_string_equal(unit(f->st, CENTRE_CODE).path, "/12345/");
}

static void test_import_categories(void **state)
{
	struct fixture *f = *state;
	static const char good[] = "path,tier,handling\n"
				   "住房->老楼改造->加装电梯,general,sector:zhujian\n"
				   "城市管理->园林绿化->树木修剪,general,street\n"
				   "其他,general,street\n";
	struct err e;
	size_t n = 0;
	err_init(&e);
	int64_t id = category(f->st, "住房->老楼改造->加装电梯").id;
	assert_int_equal(catalog_import_categories(f->st, good, strlen(good), &n, &e), OK);
	assert_int_equal(n, 3);
	assert_int_equal(categories(f->st), N_CATEGORIES + 2); /* one was replaced by path */
	struct category c = category(f->st, "住房->老楼改造->加装电梯");
	assert_int_equal(c.tier, TIER_GENERAL);
	assert_string_equal(c.handling, "sector:zhujian");
	assert_int_equal(c.id, id);
	assert_string_equal(category(f->st, "其他").handling, "street");

#define GOOD "path,tier,handling\n教育->其他,complex,sector:jiaoyu\n新分类->甲,general,street\n"
	static const struct bad_case cases[] = {
		{GOOD "新分类->乙,urgent,street\n", "tier",
		 "第 4 行：时限等级 urgent 不认识：应为 emergency、utilities、general 或 complex"},
		{GOOD "新分类->乙,general,district\n", "handling",
		 "第 4 行：默认承办 district 不合法：应为 street（属地街乡）或 sector:<职责领域>，领域为小写字母或 _"},
		{GOOD "新分类->乙,general,sector:\n", "handling",
		 "第 4 行：默认承办 sector: 不合法：应为 street（属地街乡）或 sector:<职责领域>，领域为小写字母或 _"},
		{GOOD "新分类->乙,general,sector:Water\n", "handling",
		 "第 4 行：默认承办 sector:Water 不合法：应为 street（属地街乡）或 sector:<职责领域>，领域为小写字母或 _"},
		{GOOD "一->二->三->四,general,street\n", "path",
		 "第 4 行：分类路径 一->二->三->四 不合法：应为 1 到 3 级，用 -> 连接，每级不能为空或首尾带空格"},
		{GOOD "新分类->->乙,general,street\n", "path",
		 "第 4 行：分类路径 新分类->->乙 不合法：应为 1 到 3 级，用 -> 连接，每级不能为空或首尾带空格"},
		{GOOD "新分类->,general,street\n", "path",
		 "第 4 行：分类路径 新分类-> 不合法：应为 1 到 3 级，用 -> 连接，每级不能为空或首尾带空格"},
		{GOOD "新分类->甲,general,street\n", "path", "第 4 行：分类路径与第 3 行重复"},
		{GOOD "新分类-> 乙,general,street\n", "path",
		 "第 4 行：分类路径 新分类-> 乙 不合法：应为 1 到 3 级，用 -> 连接，每级不能为空或首尾带空格"},
		{GOOD "新分类->乙,general\n", "", "第 4 行：应有 3 列，实际 2 列"},
		{"path,tier\n新分类->乙,general\n", "header", "第 1 行：表头应为 path,tier,handling"},
		{"\n\n", "header", "文件为空：第 1 行应为表头 path,tier,handling"},
	};
#undef GOOD
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		err_init(&e);
		n = 99;
		size_t before = categories(f->st);
		enum err_code rc = catalog_import_categories(f->st, cases[i].csv, strlen(cases[i].csv), &n, &e);
		if (rc != E_INVALID || strcmp(e.field, cases[i].field) || strcmp(e.msg, cases[i].msg))
			fail_msg("case %zu: rc %d field \"%s\" msg \"%s\"", i, rc, e.field, e.msg);
		assert_int_equal(n, 0);
		assert_int_equal(categories(f->st), before);
		assert_int_equal(category(f->st, "教育->其他").tier, TIER_GENERAL);
	}
}

static void test_import_tiers(void **state)
{
	struct fixture *f = *state;
	static const char good[] = "tier,dispatch_minutes,sign_minutes,contact_minutes,feedback_amount,feedback_unit,"
				   "warn_percent\n"
				   "general,720,60,720,5,working_days,80\n";
	static const char bad[] = "tier,dispatch_minutes,sign_minutes,contact_minutes,feedback_amount,feedback_unit,"
				  "warn_percent\n"
				  "complex,60,60,60,30,calendar_days,50\n"
				  "general,720,60,720,5,fortnights,80\n";
	struct tier_rule r[TIER_COUNT];
	struct err e;
	size_t n = 0;
	err_init(&e);
	assert_int_equal(catalog_import_tiers(f->st, good, strlen(good), &n, &e), OK);
	assert_int_equal(n, 1);
	assert_int_equal(store_tiers_load(f->st, r, &e), OK);
	assert_int_equal(r[TIER_GENERAL].feedback_amount, 5);
	assert_int_equal(r[TIER_GENERAL].warn_percent, 80);
	assert_int_equal(r[TIER_COMPLEX].feedback_amount, 15);

	n = 99;
	assert_int_equal(catalog_import_tiers(f->st, bad, strlen(bad), &n, &e), E_INVALID);
	assert_string_equal(e.field, "feedback_unit");
	assert_int_equal(n, 0);
	err_init(&e);
	assert_int_equal(store_tiers_load(f->st, r, &e), OK);
	assert_int_equal(r[TIER_COMPLEX].feedback_amount, 15); /* the good first row was rolled back */
	assert_int_equal(r[TIER_COMPLEX].feedback_unit, SPAN_WORKING_DAYS);
}

static void test_import_holidays(void **state)
{
	struct fixture *f = *state;
	static const char good[] = "date,kind,name\n2027-01-01,off,元旦\n";
	static const char bad[] = "date,kind,name\n2027-10-01,off,国庆节\n2027-10-04,work,调休\n";
	struct err e;
	size_t n = 0;
	err_init(&e);
	assert_int_equal(catalog_import_holidays(f->st, good, strlen(good), &n, &e), OK);
	assert_int_equal(n, 1);
	assert_int_equal(holidays(f->st), N_HOLIDAYS + 1);
	n = 99;
	/* 2027-10-04 is a Monday: it cannot be a make-up working day. */
	assert_int_equal(catalog_import_holidays(f->st, bad, strlen(bad), &n, &e), E_INVALID);
	assert_string_equal(e.field, "kind");
	assert_int_equal(n, 0);
	assert_int_equal(holidays(f->st), N_HOLIDAYS + 1);
}

int main(void)
{
	const struct CMUnitTest demo[] = {
		cmocka_unit_test(test_demo_unit_counts), cmocka_unit_test(test_demo_tree),
		cmocka_unit_test(test_demo_departments), cmocka_unit_test(test_demo_categories),
		cmocka_unit_test(test_demo_tiers_holidays), cmocka_unit_test(test_demo_progress),
		cmocka_unit_test(test_demo_reload),
	};
	const struct CMUnitTest imports[] = {
		cmocka_unit_test_setup_teardown(test_plain_builtin, setup_plain, teardown),
		cmocka_unit_test_setup_teardown(test_import_units_good, setup_plain, teardown),
		cmocka_unit_test_setup_teardown(test_import_units_progress, setup_plain, teardown),
		cmocka_unit_test_setup_teardown(test_import_units_bad, setup_plain, teardown),
		cmocka_unit_test_setup_teardown(test_import_categories, setup_plain, teardown),
		cmocka_unit_test_setup_teardown(test_import_tiers, setup_plain, teardown),
		cmocka_unit_test_setup_teardown(test_import_holidays, setup_plain, teardown),
	};
	int failed = cmocka_run_group_tests_name("catalog demo", demo, setup_demo, teardown);
	failed += cmocka_run_group_tests_name("catalog imports", imports, NULL, NULL);
	return failed ? 1 : 0;
}
