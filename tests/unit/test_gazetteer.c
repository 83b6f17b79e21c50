/*
 * test_gazetteer — the address gazetteer on a real SQLite database with the
 * Beijing demo catalog: built-in entries and their aliases, resolution
 * (exact codes, evidence, ambiguity, contradictions), CSV imports refused
 * whole with the line and field, and an imported road found in an address.
 *
 * Codes come from data/beijing/: 八宝山街道 110107001 (石景山区 110107),
 * 沙河地区 110114004 (昌平区 110114), 多福巷社区居委会 110101001001 (东华门街道
 * 110101001, 东城区 110101), 中关村街道 110108011 (海淀区 110108), and
 * 小黄庄社区居委会, a name two communities carry: 110101010017 (东城区和平里街道)
 * and 110105007045 (朝阳区和平街街道).
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
#include "domain/geo.h"

/*
 * Built-in entries for the demo units: 16 + 349 + 7,535 official names and
 * their aliases, 22,901 (name, unit) pairs in all (the alias rules of
 * aliases_of() applied to the CSV files in data/beijing/).
 */
#define N_BUILTIN 22901

struct fixture {
	char dir[64];
	char path[96];
	struct store *st;
	struct gazetteer *g;
};

static struct fixture F;

static int group_setup(void **state)
{
	struct err e;
	size_t count = 0;
	err_init(&e);
	snprintf(F.dir, sizeof(F.dir), "/tmp/jiesu-gaz-XXXXXX");
	if (!mkdtemp(F.dir))
		return -1;
	snprintf(F.path, sizeof(F.path), "%s/test.db", F.dir);
	if (store_open(F.path, &F.st, &e) != OK || catalog_load_builtin(F.st, true, NULL, NULL, &e) != OK ||
	    gazetteer_build_builtin(F.st, &count, &e) != OK || gazetteer_load(F.st, &F.g, &e) != OK) {
		fprintf(stderr, "setup: %s (%s)\n", e.msg, e.field);
		return -1;
	}
	*state = &F;
	return 0;
}

static int group_teardown(void **state)
{
	char cmd[160];
	gazetteer_free(F.g);
	store_close(F.st);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", F.dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Entries in the table, optionally only those with this name. */
struct counter {
	const char *name;
	size_t n;
};
static int count_cb(void *ctx, const struct gaz_entry *g)
{
	struct counter *c = ctx;
	if (!c->name || !strcmp(c->name, g->name))
		c->n++;
	return 0;
}
static size_t entries(const char *name)
{
	struct counter c = {name, 0};
	struct err e;
	err_init(&e);
	assert_int_equal(store_gazetteer_list(F.st, count_cb, &c, &e), OK);
	return c.n;
}

static void resolve(const char *address, struct place_resolution *r)
{
	struct err e;
	err_init(&e);
	assert_int_equal(gazetteer_resolve(F.g, address, r, &e), OK);
}

static void test_builtin_entries(void **state)
{
	struct err e;
	size_t count = 0;
	err_init(&e);
	assert_int_equal(entries(NULL), N_BUILTIN);
	/* idempotent: a second run writes the same set and nothing more */
	assert_int_equal(gazetteer_build_builtin(F.st, &count, &e), OK);
	assert_int_equal(count, N_BUILTIN);
	assert_int_equal(entries(NULL), N_BUILTIN);
	assert_int_equal(entries("石景山"), 1);
	assert_int_equal(entries("沙河镇"), 1);
	assert_int_equal(entries("多福巷社区"), 1);
	assert_int_equal(entries("多福巷"), 1);
	assert_int_equal(entries("小黄庄"), 2); /* ambiguous, kept */
	assert_int_equal(entries("东"), 0);	/* shorter than 2 characters: never */
}

static void test_official_names(void **state)
{
	struct place_resolution r;
	resolve("北京市石景山区八宝山街道某小区", &r);
	assert_string_equal(r.district, "110107");
	assert_string_equal(r.street, "110107001");
	assert_string_equal(r.community, "");
	assert_string_equal(r.method, "address");
	assert_string_equal(r.matched, "八宝山街道");
	assert_false(r.needs_decision);
	assert_true(r.confidence > 0.93 && r.confidence < 0.95); /* 0.9 + 0.04 for the district named too */
	assert_string_equal(r.evidence,
			    "地址中的“八宝山街道”对应石景山区八宝山街道（正式名称）；“石景山区”与之相符。");
}

static void test_town_alias(void **state)
{
	struct place_resolution r;
	resolve("沙河镇", &r);
	assert_string_equal(r.street, "110114004");
	assert_string_equal(r.district, "110114");
	assert_false(r.needs_decision);
	assert_string_equal(r.evidence, "地址中的“沙河镇”对应昌平区沙河地区（别名）。");
}

static void test_street_without_jiedao(void **state)
{
	struct place_resolution r;
	resolve("八宝山", &r);
	assert_string_equal(r.street, "110107001");
	assert_string_equal(r.district, "110107");
	assert_string_equal(r.evidence, "地址中的“八宝山”对应石景山区八宝山街道（别名）。");
	resolve("海淀区中关村南大街5号", &r);
	assert_string_equal(r.street, "110108011");
	assert_string_equal(r.district, "110108");
	assert_string_equal(r.matched, "中关村");
	assert_false(r.needs_decision);
}

static void test_community_without_juweihui(void **state)
{
	struct place_resolution r;
	resolve("多福巷社区", &r);
	assert_string_equal(r.community, "110101001001");
	assert_string_equal(r.street, "110101001");
	assert_string_equal(r.district, "110101");
	assert_false(r.needs_decision);
	resolve("东城区多福巷12号", &r);
	assert_string_equal(r.community, "110101001001");
	assert_string_equal(r.matched, "多福巷");
	assert_string_equal(
	    r.evidence, "地址中的“多福巷”对应东城区东华门街道多福巷社区居委会（别名）；“东城区”与之相符。");
}

static void test_unknown(void **state)
{
	struct place_resolution r;
	resolve("火星基地一号楼", &r);
	assert_string_equal(r.method, "none");
	assert_true(r.needs_decision);
	assert_string_equal(r.district, "");
	assert_string_equal(r.street, "");
	assert_string_equal(r.matched, "");
	assert_true(r.confidence == 0);
	assert_string_equal(r.evidence, "地址中没有找到已知的区、街乡、社区或地名，需要人工确定。");
	resolve("", &r);
	assert_string_equal(r.method, "none");
	assert_true(r.needs_decision);
}

static void test_ambiguous(void **state)
{
	struct place_resolution r;
	resolve("小黄庄", &r);
	assert_true(r.needs_decision);
	assert_string_equal(r.method, "address");
	assert_string_equal(r.street, "");
	assert_string_equal(r.district, "");
	assert_string_equal(r.matched, "小黄庄");
	assert_string_equal(r.evidence,
			    "地址中的“小黄庄”对应 2 个同名单位：东城区和平里街道小黄庄社区居委会、"
			    "朝阳区和平街街道小黄庄社区居委会，需要人工确定。");
	/* the district tells them apart */
	resolve("朝阳区小黄庄北里3号楼", &r);
	assert_false(r.needs_decision);
	assert_string_equal(r.community, "110105007045");
	assert_string_equal(r.street, "110105007");
	assert_string_equal(r.district, "110105");
	assert_non_null(strstr(r.evidence, "同名单位共 2 个，由地址中的其他地名确定"));
	resolve("东城区小黄庄", &r);
	assert_string_equal(r.community, "110101010017");
	assert_string_equal(r.street, "110101010");
}

static void test_contradicting_district(void **state)
{
	struct place_resolution r;
	resolve("朝阳区八宝山街道", &r);
	assert_string_equal(r.street, "110107001");
	assert_string_equal(r.district, "110107"); /* from the tree, not the text */
	assert_true(r.confidence > 0.64 && r.confidence < 0.66);
	assert_false(r.needs_decision);
	assert_non_null(strstr(r.evidence, "但“朝阳区”与之不符，请核对"));
}

static void test_district_only(void **state)
{
	struct place_resolution r;
	resolve("石景山区某小区", &r);
	assert_string_equal(r.district, "110107");
	assert_string_equal(r.street, "");
	assert_true(r.needs_decision);
	assert_non_null(strstr(r.evidence, "未能确定街乡，由区里确定"));
}

static void test_weak_alias(void **state)
{
	struct place_resolution r;
	/* a two-character alias alone is a guess: nothing filled in */
	resolve("八角", &r);
	assert_true(r.needs_decision);
	assert_string_equal(r.street, "");
	assert_string_equal(r.district, "");
	assert_string_equal(r.method, "address");
	assert_string_equal(
	    r.evidence,
	    "地址中的“八角”可能指石景山区八角街道（两个字的简称），但单独出现不足以定位，需要人工确定。");
	/* with its district named it resolves */
	resolve("石景山区八角", &r);
	assert_false(r.needs_decision);
	assert_string_equal(r.street, "110107003");
	assert_true(r.confidence > 0.59 && r.confidence < 0.61);
	/* two communities called 西二, both in 沙河地区: the street is certain, the community is not */
	resolve("昌平区西二", &r);
	assert_false(r.needs_decision);
	assert_string_equal(r.street, "110114004");
	assert_string_equal(r.community, "");
	assert_non_null(strstr(r.evidence, "均属沙河地区，社区需要人工确定"));
}

static void test_normalised(void **state)
{
	struct place_resolution r;
	/* full-width digits, an ideographic space and ASCII spaces */
	resolve("石景山区　八宝山 街道３号楼", &r);
	assert_string_equal(r.street, "110107001");
	assert_string_equal(r.matched, "八宝山 街道"); /* as written */
	assert_false(r.needs_decision);
}

static void test_too_long(void **state)
{
	struct place_resolution r;
	struct err e;
	char s[4 * 201 + 1] = "";
	for (int i = 0; i < 201; i++)
		strcat(s, "路");
	err_init(&e);
	assert_int_equal(gazetteer_resolve(F.g, s, &r, &e), E_INVALID);
	assert_string_equal(e.field, "address");
}

/* Import data and expect it refused on field at the given message prefix, with nothing written. */
static void refused(const char *csv, const char *field, const char *msg_prefix)
{
	struct err e;
	size_t count = 99, before = entries(NULL);
	err_init(&e);
	assert_int_equal(gazetteer_import(F.st, csv, strlen(csv), &count, &e), E_INVALID);
	assert_string_equal(e.field, field);
	if (strncmp(e.msg, msg_prefix, strlen(msg_prefix)))
		fail_msg("message \"%s\" does not start with \"%s\"", e.msg, msg_prefix);
	assert_int_equal(count, 0);
	assert_int_equal(entries(NULL), before);
	assert_int_equal(entries("阜石路"), 0);
}

static void test_import_refused(void **state)
{
	refused("name,unit,kind\n阜石路,110107003,road\n某路,999999999,road\n", "unit",
		"第 3 行：单位 999999999 不存在");
	refused("name,unit,kind\n阜石路,110107003,road\n石景山游乐园,110107003,park\n", "kind",
		"第 3 行：地名类型 park 不认识");
	refused("name,unit,kind\n阜石路,110107003,road\n路,110107003,road\n", "name",
		"第 3 行：地名“路”太短");
	refused("name,unit,kind\n阜石路,110107,road\n", "unit", "第 2 行：地名只能指向街乡或社区");
	refused("name,unit,kind\n阜石路,110107003,road\n阜石路,110107003,road\n", "name", "第 3 行：");
	refused("name,unit\n阜石路,110107003\n", "header", "第 1 行：表头应为 name,unit,kind");
	refused("", "header", "文件为空");
}

static void test_import_road_resolves(void **state)
{
	static const char csv[] = "name,unit,kind\n阜石路,110107003,road\n首钢园,110107006,landmark\n";
	struct gazetteer *g2 = NULL;
	struct place_resolution r;
	struct err e;
	size_t count = 0;
	err_init(&e);
	assert_int_equal(gazetteer_import(F.st, csv, strlen(csv), &count, &e), OK);
	assert_int_equal(count, 2);
	assert_int_equal(entries(NULL), N_BUILTIN + 2);
	/* the built-in run keeps a city's entries */
	assert_int_equal(gazetteer_build_builtin(F.st, &count, &e), OK);
	assert_int_equal(entries(NULL), N_BUILTIN + 2);

	assert_int_equal(gazetteer_load(F.st, &g2, &e), OK);
	assert_int_equal(gazetteer_resolve(g2, "阜石路88号院", &r, &e), OK);
	assert_string_equal(r.street, "110107003");
	assert_string_equal(r.district, "110107");
	assert_false(r.needs_decision);
	assert_string_equal(r.evidence, "地址中的“阜石路”对应石景山区八角街道（道路）。");
	/* the old matcher does not see it until it is loaded again */
	assert_int_equal(gazetteer_resolve(F.g, "阜石路88号院", &r, &e), OK);
	assert_string_equal(r.method, "none");
	gazetteer_free(g2);
}

static void test_entry_add(void **state)
{
	struct gaz_entry g = {0};
	struct err e;
	err_init(&e);
	strcpy(g.name, "鲁谷大街");
	strcpy(g.unit, "110107011");
	strcpy(g.kind, "street");
	assert_int_equal(gazetteer_entry_add(F.st, &g, &e), E_INVALID);
	assert_string_equal(e.field, "kind");
	strcpy(g.kind, "road");
	err_init(&e);
	assert_int_equal(gazetteer_entry_add(F.st, &g, &e), OK);
	assert_true(g.id > 0);
	assert_string_equal(g.source, "api");
	/* the same (name, unit) again: updated in place, same id */
	int64_t id = g.id;
	strcpy(g.kind, "landmark");
	assert_int_equal(gazetteer_entry_add(F.st, &g, &e), OK);
	assert_int_equal(g.id, id);
	assert_int_equal(store_gazetteer_delete(F.st, id, &e), OK);
	assert_int_equal(store_gazetteer_delete(F.st, id, &e), E_NOT_FOUND);
	assert_string_equal(e.field, "id");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_builtin_entries),
	    cmocka_unit_test(test_official_names),
	    cmocka_unit_test(test_town_alias),
	    cmocka_unit_test(test_street_without_jiedao),
	    cmocka_unit_test(test_community_without_juweihui),
	    cmocka_unit_test(test_unknown),
	    cmocka_unit_test(test_ambiguous),
	    cmocka_unit_test(test_contradicting_district),
	    cmocka_unit_test(test_district_only),
	    cmocka_unit_test(test_weak_alias),
	    cmocka_unit_test(test_normalised),
	    cmocka_unit_test(test_too_long),
	    cmocka_unit_test(test_import_refused),
	    cmocka_unit_test(test_import_road_resolves),
	    cmocka_unit_test(test_entry_add),
	};
	return cmocka_run_group_tests_name("gazetteer", tests, group_setup, group_teardown);
}
