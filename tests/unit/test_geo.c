/*
 * test_geo — boundaries and point lookup (geo_index.c, DOMAIN.md §10) on
 * real SQLite databases in temporary directories.
 *
 * The hand-made city (WGS84, near 0°,0° where no conversion applies):
 *   甲区 (A)  the square 0..1 × 0..1 with a hole 0.4..0.6 × 0.4..0.6
 *   乙区 (B)  the square 1..2 × 0..1, sharing the edge x = 1 with A
 *   丙区 (M)  a MultiPolygon: 3..4 × 0..1 and 5..6 × 0..1
 * and at street level 东街 (S2, under B) at 7..8 × 0..1 where no district
 * polygon is, and 西街 (S3, under A) at 1.2..1.4 × 0.2..0.4, inside B.
 * Every refused import is checked for its exact message and for leaving
 * the database exactly as it was (units and boundaries).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain/geo.h"

#define SQ(x0, y0, x1, y1) "[[" #x0 "," #y0 "],[" #x1 "," #y0 "],[" #x1 "," #y1 "],[" #x0 "," #y1 "],[" #x0 "," #y0 "]]"
#define FEATURE(code, geom) "{\"type\":\"Feature\",\"properties\":{\"code\":\"" code "\"},\"geometry\":" geom "}"
#define POLYGON(...) "{\"type\":\"Polygon\",\"coordinates\":[" __VA_ARGS__ "]}"
#define COLLECTION(...) "{\"type\":\"FeatureCollection\",\"features\":[" __VA_ARGS__ "]}"

static const char city[] = COLLECTION(
	FEATURE("A", POLYGON(SQ(0, 0, 1, 1) "," SQ(0.4, 0.4, 0.6, 0.6))) ","
	FEATURE("B", POLYGON(SQ(1, 0, 2, 1))) ","
	"{\"type\":\"Feature\",\"properties\":{\"code\":\"M\",\"area\":2},\"geometry\":"
	"{\"type\":\"MultiPolygon\",\"coordinates\":[[" SQ(3, 0, 4, 1) "],[" SQ(5, 0, 6, 1) "]]}}");

static const char streets[] = COLLECTION(FEATURE("S2", POLYGON(SQ(7, 0, 8, 1))) ","
					 FEATURE("S3", POLYGON(SQ(1.2, 0.2, 1.4, 0.4))));

struct fixture {
	char dir[64];
	char path[96];
	struct store *st;
	struct geo_index *gi;
};

static void put_unit(struct store *st, const char *code, const char *name, enum unit_kind kind, const char *parent)
{
	struct unit u;
	struct err e;
	memset(&u, 0, sizeof(u));
	err_init(&e);
	snprintf(u.code, sizeof(u.code), "%s", code);
	snprintf(u.name, sizeof(u.name), "%s", name);
	snprintf(u.parent, sizeof(u.parent), "%s", parent);
	u.kind = kind;
	assert_int_equal(store_unit_put(st, &u, &e), OK);
}

static struct fixture *fixture_open(void)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct err e;
	err_init(&e);
	snprintf(f->dir, sizeof(f->dir), "/tmp/jiesu-geo-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/test.db", f->dir);
	assert_int_equal(store_open(f->path, &f->st, &e), OK);
	return f;
}

static void fixture_close(struct fixture *f)
{
	static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
	char p[128];
	geo_index_free(f->gi);
	store_close(f->st);
	for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++) {
		snprintf(p, sizeof(p), "%s%s", f->path, suffixes[i]);
		unlink(p);
	}
	rmdir(f->dir);
	free(f);
}

static struct boundary_import opts(const char *level)
{
	struct boundary_import o = {.level = level, .code_property = "code", .crs = CRS_WGS84};
	return o;
}

/* The hand-made city: units, then district and street boundaries, then the index. */
static int setup_city(void **state)
{
	struct fixture *f = fixture_open();
	struct boundary_import o = opts("district");
	struct err e;
	size_t n = 0;
	err_init(&e);
	put_unit(f->st, "C", "测试市", UNIT_CENTRE, "");
	put_unit(f->st, "A", "甲区", UNIT_DISTRICT, "C");
	put_unit(f->st, "B", "乙区", UNIT_DISTRICT, "C");
	put_unit(f->st, "M", "丙区", UNIT_DISTRICT, "C");
	put_unit(f->st, "S2", "东街", UNIT_STREET, "B");
	put_unit(f->st, "S3", "西街", UNIT_STREET, "A");
	assert_int_equal(geo_import_boundaries(f->st, city, strlen(city), &o, NULL, NULL, &n, &e), OK);
	assert_int_equal(n, 3);
	o = opts("street");
	assert_int_equal(geo_import_boundaries(f->st, streets, strlen(streets), &o, NULL, NULL, &n, &e), OK);
	assert_int_equal(n, 2);
	assert_int_equal(geo_index_load(f->st, &f->gi, &e), OK);
	*state = f;
	return 0;
}

/* Only the district polygons (no street level). */
static int setup_districts(void **state)
{
	struct fixture *f = fixture_open();
	struct boundary_import o = opts("district");
	struct err e;
	err_init(&e);
	put_unit(f->st, "C", "测试市", UNIT_CENTRE, "");
	put_unit(f->st, "A", "甲区", UNIT_DISTRICT, "C");
	put_unit(f->st, "B", "乙区", UNIT_DISTRICT, "C");
	put_unit(f->st, "M", "丙区", UNIT_DISTRICT, "C");
	assert_int_equal(geo_import_boundaries(f->st, city, strlen(city), &o, NULL, NULL, NULL, &e), OK);
	assert_int_equal(geo_index_load(f->st, &f->gi, &e), OK);
	*state = f;
	return 0;
}

/* The Beijing demo: the built-in units, then the embedded district polygons. */
static int setup_beijing(void **state)
{
	struct fixture *f = fixture_open();
	struct err e;
	err_init(&e);
	assert_int_equal(catalog_load_builtin(f->st, true, NULL, NULL, &e), OK);
	assert_int_equal(store_begin(f->st, &e), OK);
	assert_int_equal(geo_load_demo_boundaries(f->st, &e), OK);
	assert_int_equal(store_commit(f->st, &e), OK);
	assert_int_equal(geo_index_load(f->st, &f->gi, &e), OK);
	*state = f;
	return 0;
}

static int setup_empty(void **state)
{
	struct fixture *f = fixture_open();
	put_unit(f->st, "C", "测试市", UNIT_CENTRE, "");
	put_unit(f->st, "A", "甲区", UNIT_DISTRICT, "C");
	put_unit(f->st, "S3", "西街", UNIT_STREET, "A");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture_close(*state);
	return 0;
}

static struct place_resolution resolve(struct fixture *f, double lon, double lat, enum crs crs)
{
	struct place_resolution r;
	struct err e;
	err_init(&e);
	memset(&r, 0x55, sizeof(r)); /* every field must be written */
	assert_int_equal(geo_resolve_point(f->gi, lon, lat, crs, &r, &e), OK);
	return r;
}

static void check(struct fixture *f, double lon, double lat, const char *district, const char *street,
		  const char *method, double confidence, bool needs, const char *evidence)
{
	struct place_resolution r = resolve(f, lon, lat, CRS_WGS84);
	assert_string_equal(r.district, district);
	assert_string_equal(r.street, street);
	assert_string_equal(r.community, "");
	assert_string_equal(r.method, method);
	assert_true(r.confidence == confidence);
	assert_int_equal(r.needs_decision, needs);
	assert_string_equal(r.evidence, evidence);
	assert_string_equal(r.matched, "");
}

/* ---------------------------------------------------------------- lookups */

static void test_lookup_districts(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(geo_index_size(f->gi), 3);
	check(f, 0.2, 0.5, "A", "", "point", 1.0, false, "坐标（WGS84）0.2,0.5 位于甲区边界内");
	check(f, 1.5, 0.5, "B", "", "point", 1.0, false, "坐标（WGS84）1.5,0.5 位于乙区边界内");
	check(f, 3.5, 0.5, "M", "", "point", 1.0, false, "坐标（WGS84）3.5,0.5 位于丙区边界内");
	check(f, 5.5, 0.25, "M", "", "point", 1.0, false, "坐标（WGS84）5.5,0.25 位于丙区边界内");
	check(f, 0.6, 0.6, "", "", "point", 0.5, true, "坐标（WGS84）0.6,0.6 位于甲区的边界线上，需由中心研判");
	check(f, -0.000001, -12.3456789, "", "", "none", 0.0, true,
	      "坐标（WGS84）-0.000001,-12.345679 不在任何区的边界内，需由中心研判");
}

/* A point in the hole, on the shared edge, on an outer edge, between the MultiPolygon's parts. */
static void test_lookup_needs_decision(void **state)
{
	struct fixture *f = *state;
	check(f, 0.5, 0.5, "", "", "none", 0.0, true, "坐标（WGS84）0.5,0.5 不在任何区的边界内，需由中心研判");
	check(f, 1, 0.5, "", "", "point", 0.5, true, "坐标（WGS84）1,0.5 位于甲区与乙区的边界上，需由中心研判");
	check(f, 1, 1, "", "", "point", 0.5, true, "坐标（WGS84）1,1 位于甲区与乙区的边界上，需由中心研判");
	check(f, 0, 0.3, "", "", "point", 0.5, true, "坐标（WGS84）0,0.3 位于甲区的边界线上，需由中心研判");
	check(f, 4.5, 0.5, "", "", "none", 0.0, true, "坐标（WGS84）4.5,0.5 不在任何区的边界内，需由中心研判");
	check(f, 2.5, 0.5, "", "", "none", 0.0, true, "坐标（WGS84）2.5,0.5 不在任何区的边界内，需由中心研判");
}

/* Street polygons: the district filled from the unit tree, a street on the wrong side flagged. */
static void test_lookup_levels(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(geo_index_size(f->gi), 5);
	check(f, 0.2, 0.5, "A", "", "point", 1.0, false, "坐标（WGS84）0.2,0.5 位于甲区边界内");
	check(f, 7.5, 0.5, "B", "S2", "point", 1.0, false,
	      "坐标（WGS84）7.5,0.5 位于东街边界内，所属乙区据单位树补全");
	check(f, 1.3, 0.3, "B", "S3", "point", 0.5, true,
	      "坐标（WGS84）1.3,0.3 位于乙区、西街边界内，但西街不属于乙区，需由中心研判");
	/* the street's edge inside a resolved district: the district decides */
	check(f, 1.2, 0.3, "B", "", "point", 0.5, true,
	      "坐标（WGS84）1.2,0.3 位于乙区边界内，但位于西街的边界线上，需由乙区研判");
}

/* Overlapping polygons: a point inside both is flagged, naming both. */
static void test_lookup_overlap(void **state)
{
	struct fixture *f = *state;
	static const char over[] = COLLECTION(FEATURE("D", POLYGON(SQ(1.5, 0, 2.5, 1))));
	struct boundary_import o = opts("district");
	struct err e;
	err_init(&e);
	put_unit(f->st, "D", "丁区", UNIT_DISTRICT, "C");
	assert_int_equal(geo_import_boundaries(f->st, over, strlen(over), &o, NULL, NULL, NULL, &e), OK);
	geo_index_free(f->gi);
	assert_int_equal(geo_index_load(f->st, &f->gi, &e), OK);
	assert_int_equal(geo_index_size(f->gi), 4);
	struct place_resolution r = resolve(f, 1.75, 0.5, CRS_WGS84);
	assert_string_equal(r.district, "");
	assert_true(r.needs_decision);
	assert_true(r.confidence == 0.5);
	assert_true(strstr(r.evidence, "同时位于") && strstr(r.evidence, "乙区") && strstr(r.evidence, "丁区"));
	check(f, 2.25, 0.5, "D", "", "point", 1.0, false, "坐标（WGS84）2.25,0.5 位于丁区边界内");
}

static void test_lookup_no_boundaries(void **state)
{
	struct fixture *f = *state;
	struct err e;
	err_init(&e);
	assert_int_equal(geo_index_load(f->st, &f->gi, &e), OK);
	assert_int_equal(geo_index_size(f->gi), 0);
	check(f, 116.4, 39.9, "", "", "none", 0.0, true,
	      "坐标（WGS84）116.4,39.9 无法按边界判定：尚未导入任何边界，需由中心研判");
}

static void test_lookup_bad_point(void **state)
{
	struct fixture *f = *state;
	struct place_resolution r;
	struct err e;
	err_init(&e);
	assert_int_equal(geo_resolve_point(f->gi, 181, 0, CRS_WGS84, &r, &e), E_INVALID);
	assert_string_equal(e.msg, "坐标超出经纬度范围");
	err_init(&e);
	assert_int_equal(geo_resolve_point(f->gi, 0, NAN, CRS_WGS84, &r, &e), E_INVALID);
	err_init(&e);
	assert_int_equal(geo_resolve_point(f->gi, 0, 0, (enum crs)7, &r, &e), E_INVALID);
	assert_string_equal(e.msg, "坐标系应为 wgs84、gcj02 或 bd09");
}

/* Lookups from several threads at once agree with the single-threaded answers. */
struct thread_run {
	struct fixture *f;
	int wrong;
};

static void *lookup_thread(void *arg)
{
	struct thread_run *t = arg;
	static const double pts[][2] = {{0.2, 0.5}, {1.5, 0.5}, {3.5, 0.5}, {0.5, 0.5}, {1, 0.5}};
	static const char *const want[] = {"A", "B", "M", "", ""};
	for (int k = 0; k < 2000; k++) {
		struct place_resolution r;
		struct err e;
		int i = k % 5;
		if (geo_resolve_point(t->f->gi, pts[i][0], pts[i][1], CRS_WGS84, &r, &e) != OK ||
		    strcmp(r.district, want[i]))
			t->wrong++;
	}
	return NULL;
}

static void test_lookup_threads(void **state)
{
	struct thread_run runs[4];
	pthread_t th[4];
	for (int i = 0; i < 4; i++) {
		runs[i] = (struct thread_run){*state, 0};
		assert_int_equal(pthread_create(&th[i], NULL, lookup_thread, &runs[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(runs[i].wrong, 0);
	}
}

/* ---------------------------------------------------------------- imports */

static int collect_boundary(void *ctx, const char *unit, enum unit_kind level, const char *crs, const char *geojson)
{
	struct buf *b = ctx;
	buf_addf(b, "%s|%s|%s|%s\n", unit, unit_kind_name(level), crs, geojson);
	return 0;
}

static int collect_unhandled(void *ctx, const char *code)
{
	buf_addf(ctx, "no handling unit: %s\n", code);
	return 0;
}

static int count_unit(void *ctx, const struct unit *u)
{
	(*(size_t *)ctx)++;
	return 0;
}

/* Everything an import may touch, as text: the units' count and every boundary row. */
static char *snapshot(struct store *st)
{
	struct buf b;
	struct err e;
	size_t n = 0;
	err_init(&e);
	buf_init(&b, BUF_NOMAX);
	assert_int_equal(store_units_list(st, -1, NULL, count_unit, &n, &e), OK);
	buf_addf(&b, "units %zu\n", n);
	assert_int_equal(store_boundaries_list(st, -1, collect_boundary, &b, &e), OK);
	assert_int_equal(store_boundaries_unhandled(st, collect_unhandled, &b, &e), OK);
	char *s = buf_detach(&b);
	return s;
}

/* The stored text: compact, positions as [lon, lat], numbers as written. */
static void test_import_stored(void **state)
{
	struct fixture *f = *state;
	char *s = snapshot(f->st);
	assert_string_equal(
		s, "units 6\n"
		   "A|district|wgs84|{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,1],[0,0]],"
		   "[[0.4,0.4],[0.6,0.4],[0.6,0.6],[0.4,0.6],[0.4,0.4]]]}\n"
		   "B|district|wgs84|{\"type\":\"Polygon\",\"coordinates\":[[[1,0],[2,0],[2,1],[1,1],[1,0]]]}\n"
		   "M|district|wgs84|{\"type\":\"MultiPolygon\",\"coordinates\":[[[[3,0],[4,0],[4,1],[3,1],[3,0]]],"
		   "[[[5,0],[6,0],[6,1],[5,1],[5,0]]]]}\n"
		   "S2|street|wgs84|{\"type\":\"Polygon\",\"coordinates\":[[[7,0],[8,0],[8,1],[7,1],[7,0]]]}\n"
		   "S3|street|wgs84|{\"type\":\"Polygon\",\"coordinates\":[[[1.2,0.2],[1.4,0.2],[1.4,0.4],[1.2,0.4],"
		   "[1.2,0.2]]]}\n");
	free(s);
}

/* Import text with options; must fail with code and exactly msg, leaving the database as it was. */
static void refused(struct fixture *f, const char *text, const struct boundary_import *o, enum err_code code,
		    const char *msg)
{
	char *before = snapshot(f->st), *after;
	struct err e;
	size_t n = 99;
	err_init(&e);
	assert_int_equal(geo_import_boundaries(f->st, text, strlen(text), o, NULL, NULL, &n, &e), code);
	assert_string_equal(e.msg, msg);
	assert_int_equal(n, 0);
	after = snapshot(f->st);
	assert_string_equal(after, before);
	free(before);
	free(after);
}

static void test_import_refused(void **state)
{
	struct fixture *f = *state;
	struct boundary_import o = opts("district");
	struct boundary_import create = o;
	create.create_units = true;
	create.parent = "C";
	create.name_property = "name";

	/* the bow-tie second, after a good feature (and, with create_units, a new unit) */
	refused(f,
		COLLECTION(FEATURE("A", POLYGON(SQ(0, 0, 1, 1))) ","
			   FEATURE("B", POLYGON("[[0,0],[1,1],[1,0],[0,1],[0,0]]"))),
		&o, E_INVALID, "第 2 个要素（code=B）：几何无效：Self-intersection（位于 0.5 0.5）");
	refused(f,
		COLLECTION("{\"type\":\"Feature\",\"properties\":{\"code\":\"N1\",\"name\":\"新区\"},\"geometry\":" POLYGON(
			SQ(0, 0, 1, 1)) "},"
			   "{\"type\":\"Feature\",\"properties\":{\"code\":\"N2\",\"name\":\"坏区\"},\"geometry\":" POLYGON(
				   "[[0,0],[1,1],[1,0],[0,1],[0,0]]") "}"),
		&create, E_INVALID, "第 2 个要素（code=N2）：几何无效：Self-intersection（位于 0.5 0.5）");
	refused(f, COLLECTION(FEATURE("A", POLYGON(SQ(0, 0, 1, 1))) "," FEATURE("Z", POLYGON(SQ(0, 0, 1, 1)))), &o,
		E_NOT_FOUND, "第 2 个要素（code=Z）：单位 Z 不存在");
	refused(f,
		COLLECTION("{\"type\":\"Feature\",\"properties\":{\"BoroCD\":311},\"geometry\":" POLYGON(
			SQ(0, 0, 1, 1)) "}"),
		&o, E_INVALID, "第 1 个要素：缺少属性 code");
	refused(f,
		COLLECTION("{\"type\":\"Feature\",\"properties\":null,\"geometry\":" POLYGON(SQ(0, 0, 1, 1)) "}"), &o,
		E_INVALID, "第 1 个要素：缺少属性 code");
	refused(f,
		COLLECTION("{\"type\":\"Feature\",\"properties\":{\"code\":[1]},\"geometry\":" POLYGON(
			SQ(0, 0, 1, 1)) "}"),
		&o, E_INVALID, "第 1 个要素：属性 code 应为字符串或整数");
	refused(f, FEATURE("A", POLYGON(SQ(0, 0, 1, 1))), &o, E_INVALID, "文件不是 GeoJSON FeatureCollection");
	refused(f, "[1,2]", &o, E_INVALID, "文件不是 GeoJSON FeatureCollection");
	refused(f, "{\"type\":\"FeatureCollection\",\"features\":[", &o, E_INVALID,
		"文件不是合法的 JSON（第 1 行第 40 列）：']' expected near end of file");
	refused(f, COLLECTION(), &o, E_INVALID, "FeatureCollection 中没有要素");
	refused(f, COLLECTION(FEATURE("A", "{\"type\":\"Point\",\"coordinates\":[0.5,0.5]}")), &o, E_INVALID,
		"第 1 个要素（code=A）：几何类型为 Point，只接受 Polygon 或 MultiPolygon");
	refused(f, COLLECTION(FEATURE("A", "null")), &o, E_INVALID, "第 1 个要素（code=A）：没有几何");
	refused(f, COLLECTION("{\"type\":\"Polygon\",\"coordinates\":[" SQ(0, 0, 1, 1) "]}"), &o, E_INVALID,
		"第 1 个要素：不是 Feature 对象");
	refused(f, COLLECTION(FEATURE("A", POLYGON("[[0,0],[1,0],[1,1],[0,1]]"))), &o, E_INVALID,
		"第 1 个要素（code=A）：外环未闭合（首尾坐标不同）");
	refused(f, COLLECTION(FEATURE("A", POLYGON("[[0,0],[1,0],[0,0]]"))), &o, E_INVALID,
		"第 1 个要素（code=A）：外环至少需要 4 个坐标，实际 3 个");
	refused(f, COLLECTION(FEATURE("A", POLYGON(SQ(0, 0, 1, 1) ",[[0,0],[1,\"x\"],[1,1],[0,0]]"))), &o,
		E_INVALID, "第 1 个要素（code=A）：第 1 个内环第 2 个坐标应为 [经度, 纬度]");
	refused(f, COLLECTION(FEATURE("A", POLYGON(SQ(0, 0, 1, 91)))), &o, E_INVALID,
		"第 1 个要素（code=A）：外环第 3 个坐标超出经纬度范围");
	refused(f,
		COLLECTION(FEATURE("A", "{\"type\":\"MultiPolygon\",\"coordinates\":[[" SQ(0, 0, 1, 1) "],[]]}")),
		&o, E_INVALID, "第 1 个要素（code=A）：第 2 个多边形的没有环");
	refused(f, COLLECTION(FEATURE("A", POLYGON(SQ(0, 0, 1, 1))) "," FEATURE("A", POLYGON(SQ(1, 0, 2, 1)))), &o,
		E_CONFLICT, "第 2 个要素（code=A）：与第 1 个要素的代码重复");
	refused(f, COLLECTION(FEATURE("S2", POLYGON(SQ(0, 0, 1, 1)))), &o, E_INVALID,
		"第 1 个要素（code=S2）：单位 S2 是街道，不是区");
	refused(f, COLLECTION(FEATURE("a b", POLYGON(SQ(0, 0, 1, 1)))), &o, E_INVALID,
		"第 1 个要素（code=a b）：代码不合法（应为 1–31 位字母、数字、_ 或 -）");
	refused(f, COLLECTION(FEATURE("N1", POLYGON(SQ(0, 0, 1, 1)))), &create, E_INVALID,
		"第 1 个要素（code=N1）：缺少名称属性 name");

	/* the options */
	struct boundary_import bad = o;
	bad.level = "department";
	refused(f, city, &bad, E_INVALID, "层级应为 district、street 或 community");
	bad = o;
	bad.code_property = "";
	refused(f, city, &bad, E_INVALID, "须指定存放单位代码的属性名");
	bad = create;
	bad.parent = "NOPE";
	refused(f, city, &bad, E_INVALID, "上级单位 NOPE 不存在");
	bad = o;
	bad.no_handling = "B,,M";
	refused(f, city, &bad, E_INVALID, "无承办单位区域的代码“”不合法（以逗号分隔，每个 1–31 位字母、数字、_ 或 -）");
	bad.no_handling = "B, M";
	refused(f, city, &bad, E_INVALID, "无承办单位区域的代码“ M”不合法（以逗号分隔，每个 1–31 位字母、数字、_ 或 -）");
	bad.no_handling = "B,";
	refused(f, city, &bad, E_INVALID, "无承办单位区域的代码“”不合法（以逗号分隔，每个 1–31 位字母、数字、_ 或 -）");
	bad.no_handling = "B,Z";
	refused(f, city, &bad, E_INVALID, "无承办单位区域的代码 Z 不在文件中");
	bad.no_handling = "S2"; /* a unit, but not a feature of this file */
	refused(f, city, &bad, E_INVALID, "无承办单位区域的代码 S2 不在文件中");
}

/* create_units: new units named from the property, under the parent; integer codes as BoroCD. */
static void test_import_create_units(void **state)
{
	struct fixture *f = *state;
	static const char nyc[] = COLLECTION(
		"{\"type\":\"Feature\",\"id\":0,\"properties\":{\"BoroCD\":311,\"name\":\"Brooklyn CD 11\"},\"geometry\":" POLYGON(
			SQ(-74, 40.5, -73.9, 40.6)) "},"
		"{\"type\":\"Feature\",\"properties\":{\"BoroCD\":312.0,\"name\":\"Brooklyn CD 12\"},\"geometry\":" POLYGON(
			"[[-74.1,40.5,7],[-74,40.5,7],[-74,40.6,7],[-74.1,40.6,7],[-74.1,40.5,7]]") "}");
	struct boundary_import o = {.level = "district",
				    .code_property = "BoroCD",
				    .name_property = "name",
				    .crs = CRS_WGS84,
				    .create_units = true,
				    .parent = "A"};
	struct unit u;
	struct err e;
	size_t n = 0;
	err_init(&e);
	assert_int_equal(geo_import_boundaries(f->st, nyc, strlen(nyc), &o, NULL, NULL, &n, &e), OK);
	assert_int_equal(n, 2);
	assert_int_equal(store_unit_get(f->st, "311", &u, &e), OK);
	assert_string_equal(u.name, "Brooklyn CD 11");
	assert_int_equal(u.kind, UNIT_DISTRICT);
	assert_string_equal(u.parent, "A");
	assert_int_equal(store_unit_get(f->st, "312", &u, &e), OK);
	assert_string_equal(u.name, "Brooklyn CD 12");
	/* a second import of the same file replaces, it does not add */
	assert_int_equal(geo_import_boundaries(f->st, nyc, strlen(nyc), &o, NULL, NULL, &n, &e), OK);
	geo_index_free(f->gi);
	assert_int_equal(geo_index_load(f->st, &f->gi, &e), OK);
	assert_int_equal(geo_index_size(f->gi), 7);
	check(f, -73.95, 40.55, "311", "", "point", 1.0, false,
	      "坐标（WGS84）-73.95,40.55 位于Brooklyn CD 11边界内");
	check(f, -74.05, 40.55, "312", "", "point", 1.0, false,
	      "坐标（WGS84）-74.05,40.55 位于Brooklyn CD 12边界内");
}

static void record_progress(void *ctx, const char *what, size_t done, size_t total)
{
	size_t *calls = ctx;
	assert_string_equal(what, "boundaries");
	assert_int_equal(total, 2);
	assert_true(done == 2);
	(*calls)++;
}

/* Re-importing a level's file (here the streets, with progress) keeps the other boundaries. */
static void test_import_progress(void **state)
{
	struct fixture *f = *state;
	struct boundary_import o = opts("street");
	struct err e;
	size_t calls = 0, n = 0;
	err_init(&e);
	assert_int_equal(geo_import_boundaries(f->st, streets, strlen(streets), &o, record_progress, &calls, &n, &e),
			 OK);
	assert_int_equal(calls, 1);
	assert_int_equal(n, 2);
	test_import_stored(state);
}

/* ---------------------------------------------------------------- Beijing */

static void test_beijing_demo(void **state)
{
	struct fixture *f = *state;
	static const struct {
		double lon, lat;
		const char *code, *name;
	} pts[] = {
		{116.2229, 39.9063, "110107", "石景山区"}, /* 石景山区 government area */
		{116.4168, 39.9282, "110101", "东城区"},   /* 东城区, east of the Forbidden City */
		{116.3660, 39.9120, "110102", "西城区"},
		{116.4864, 39.9214, "110105", "朝阳区"},
		{116.3100, 39.9600, "110108", "海淀区"},
		{116.2350, 40.2180, "110114", "昌平区"},
	};
	assert_int_equal(geo_index_size(f->gi), 16);
	for (size_t i = 0; i < ARRAY_SIZE(pts); i++) {
		char want[256];
		struct place_resolution r = resolve(f, pts[i].lon, pts[i].lat, CRS_GCJ02);
		assert_string_equal(r.district, pts[i].code);
		assert_false(r.needs_decision);
		snprintf(want, sizeof(want), "位于%s边界内", pts[i].name);
		assert_non_null(strstr(r.evidence, want));
		assert_non_null(strstr(r.evidence, "坐标（GCJ-02）"));
		/* the same place given in WGS84 and BD-09 is converted and lands in the same district */
		double wlon, wlat, blon, blat;
		crs_convert(CRS_GCJ02, CRS_WGS84, pts[i].lon, pts[i].lat, &wlon, &wlat);
		crs_convert(CRS_GCJ02, CRS_BD09, pts[i].lon, pts[i].lat, &blon, &blat);
		assert_true(wlon < pts[i].lon - 0.004); /* hundreds of metres apart: a real conversion */
		r = resolve(f, wlon, wlat, CRS_WGS84);
		assert_string_equal(r.district, pts[i].code);
		assert_non_null(strstr(r.evidence, "坐标（WGS84）"));
		r = resolve(f, blon, blat, CRS_BD09);
		assert_string_equal(r.district, pts[i].code);
	}
	struct place_resolution r = resolve(f, 116.2229, 39.9063, CRS_GCJ02);
	assert_string_equal(r.evidence, "坐标（GCJ-02）116.2229,39.9063 位于石景山区边界内");
	assert_true(r.confidence == 1.0);
	/* Tianjin is in no Beijing district */
	r = resolve(f, 117.2, 39.1, CRS_GCJ02);
	assert_true(r.needs_decision);
	assert_string_equal(r.evidence, "坐标（GCJ-02）117.2,39.1 不在任何区的边界内，需由中心研判");
}

/* Outside a transaction (as jiesu init --demo calls it) the demo import runs in its own; again, it replaces. */
static void test_beijing_own_transaction(void **state)
{
	struct fixture *f = *state;
	struct err e;
	char *before, *after;
	err_init(&e);
	before = snapshot(f->st);
	assert_int_equal(geo_load_demo_boundaries(f->st, &e), OK);
	after = snapshot(f->st);
	assert_string_equal(after, before);
	free(before);
	free(after);
}

/* Every stored demo boundary is GCJ-02 and valid to GEOS after mending; a user's import refuses the same file. */
static void test_beijing_refused_unmended(void **state)
{
	struct fixture *f = *state;
	const struct embedded_file *ef = embed_find("data/beijing/districts_echarts.geojson");
	struct boundary_import o = {.level = "district", .code_property = "id", .crs = CRS_GCJ02};
	struct err e;
	char *before, *after;
	assert_non_null(ef);
	before = snapshot(f->st);
	assert_non_null(strstr(before, "110107|district|gcj02|{\"type\":\"Polygon\""));
	err_init(&e);
	assert_int_equal(geo_import_boundaries(f->st, (const char *)ef->data, ef->len, &o, NULL, NULL, NULL, &e),
			 E_INVALID);
	assert_string_equal(e.msg,
			    "第 1 个要素（id=110101）：几何无效：Ring Self-intersection（位于 116.4375 39.9296875）");
	after = snapshot(f->st);
	assert_string_equal(after, before);
	free(before);
	free(after);
}

/* ---------------------------------------------------------------- areas no unit handles */

/*
 * 甲区 A 0..1 × 0..1, a park P 1..2 × 0..1 that no unit handles, 乙区 B
 * 2..4 × 0..1: a point in the park goes to the nearer of A and B.
 */
static const char park_city[] = COLLECTION(FEATURE("A", POLYGON(SQ(0, 0, 1, 1))) ","
					   FEATURE("P", POLYGON(SQ(1, 0, 2, 1))) ","
					   FEATURE("B", POLYGON(SQ(2, 0, 4, 1))));

static int setup_park(void **state)
{
	struct fixture *f = fixture_open();
	struct boundary_import o = opts("district");
	struct err e;
	err_init(&e);
	put_unit(f->st, "C", "测试市", UNIT_CENTRE, "");
	put_unit(f->st, "A", "甲区", UNIT_DISTRICT, "C");
	put_unit(f->st, "B", "乙区", UNIT_DISTRICT, "C");
	put_unit(f->st, "P", "公园", UNIT_DISTRICT, "C");
	put_unit(f->st, "S2", "东街", UNIT_STREET, "B");
	o.no_handling = "P";
	assert_int_equal(geo_import_boundaries(f->st, park_city, strlen(park_city), &o, NULL, NULL, NULL, &e), OK);
	assert_int_equal(geo_index_load(f->st, &f->gi, &e), OK);
	*state = f;
	return 0;
}

static void check_park(struct fixture *f)
{
	check(f, 1.2, 0.5, "A", "", "point", 0.6, true,
	      "坐标（WGS84）1.2,0.5 位于公园（无承办单位的区域）内，最近的有承办单位的区为甲区（边界相距约 22238 "
	      "米），需由中心研判");
	check(f, 1.9, 0.25, "B", "", "point", 0.6, true,
	      "坐标（WGS84）1.9,0.25 位于公园（无承办单位的区域）内，最近的有承办单位的区为乙区（边界相距约 11119 "
	      "米），需由中心研判");
	check(f, 0.5, 0.5, "A", "", "point", 1.0, false, "坐标（WGS84）0.5,0.5 位于甲区边界内");
	check(f, 3, 0.5, "B", "", "point", 1.0, false, "坐标（WGS84）3,0.5 位于乙区边界内");
	check(f, 1, 0.5, "", "", "point", 0.5, true, "坐标（WGS84）1,0.5 位于甲区与公园的边界上，需由中心研判");
}

/* The short path (districts only) and the general one (a street level too) answer alike. */
static void test_area_nearest(void **state)
{
	struct fixture *f = *state;
	struct boundary_import o = opts("street");
	struct err e;
	err_init(&e);
	char *s = snapshot(f->st);
	assert_non_null(strstr(s, "no handling unit: P\n"));
	assert_null(strstr(s, "no handling unit: A"));
	free(s);
	check_park(f);
	assert_int_equal(geo_import_boundaries(f->st, streets, 0, &o, NULL, NULL, NULL, &e), E_INVALID); /* empty */
	static const char east[] = COLLECTION(FEATURE("S2", POLYGON(SQ(7, 0, 8, 1))));
	assert_int_equal(geo_import_boundaries(f->st, east, strlen(east), &o, NULL, NULL, NULL, &e), OK);
	geo_index_free(f->gi);
	assert_int_equal(geo_index_load(f->st, &f->gi, &e), OK);
	check_park(f);
	check(f, 7.5, 0.5, "B", "S2", "point", 1.0, false,
	      "坐标（WGS84）7.5,0.5 位于东街边界内，所属乙区据单位树补全");
}

/* Importing the file again without the option makes the park an ordinary district. */
static void test_area_reimport(void **state)
{
	struct fixture *f = *state;
	struct boundary_import o = opts("district");
	struct err e;
	err_init(&e);
	assert_int_equal(geo_import_boundaries(f->st, park_city, strlen(park_city), &o, NULL, NULL, NULL, &e), OK);
	char *s = snapshot(f->st);
	assert_null(strstr(s, "no handling unit"));
	free(s);
	geo_index_free(f->gi);
	assert_int_equal(geo_index_load(f->st, &f->gi, &e), OK);
	check(f, 1.2, 0.5, "P", "", "point", 1.0, false, "坐标（WGS84）1.2,0.5 位于公园边界内");
}

/* A park whose only neighbours are other areas no unit handles: nothing to propose. */
static void test_area_alone(void **state)
{
	struct fixture *f = *state;
	struct boundary_import o = opts("district");
	struct err e;
	err_init(&e);
	o.no_handling = "A,P,B";
	assert_int_equal(geo_import_boundaries(f->st, park_city, strlen(park_city), &o, NULL, NULL, NULL, &e), OK);
	geo_index_free(f->gi);
	assert_int_equal(geo_index_load(f->st, &f->gi, &e), OK);
	check(f, 1.2, 0.5, "", "", "point", 0.0, true,
	      "坐标（WGS84）1.2,0.5 位于公园（无承办单位的区域）内，附近没有有承办单位的区，需由中心研判");
}

/*
 * A park 0..10 × 0..10 and four districts around it with jagged edges and
 * gaps: for a grid of points in the park, the unit proposed and the
 * distance given agree with a brute-force search over every segment (the
 * lookup scans only the chunks its cache kept for the point's cell).
 */
static const struct {
	const char *code, *name;
	double xy[12][2];
	int n;
} jagged[] = {
	{"W", "西区", {{-5, 0}, {-0.3, 0}, {-0.1, 2.3}, {-0.7, 4.1}, {-0.05, 6.6}, {-0.4, 8.2}, {-0.2, 10}, {-5, 10}, {-5, 0}}, 9},
	{"E", "东区", {{10.2, 0}, {15, 0}, {15, 10}, {10.6, 10}, {10.05, 7.7}, {10.9, 5.2}, {10.1, 3.1}, {10.2, 0}}, 8},
	{"N", "北区", {{0, 10.3}, {3.3, 10.05}, {6.1, 10.8}, {10, 10.2}, {10, 15}, {0, 15}, {0, 10.3}}, 7},
	{"S", "南区", {{0, -5}, {10, -5}, {10, -0.1}, {7.2, -0.6}, {4.4, -0.02}, {0, -0.4}, {0, -5}}, 7},
};

static double haversine_m(double lon1, double lat1, double lon2, double lat2)
{
	double p1 = lat1 * M_PI / 180.0, p2 = lat2 * M_PI / 180.0;
	double sp = sin((p2 - p1) / 2), sl = sin((lon2 - lon1) * M_PI / 360.0);
	return 2.0 * 6371008.8 * asin(sqrt(sp * sp + cos(p1) * cos(p2) * sl * sl));
}

static void test_area_nearest_exact(void **state)
{
	struct fixture *f = *state;
	struct boundary_import o = opts("district");
	struct buf g;
	struct err e;
	err_init(&e);
	buf_init(&g, BUF_NOMAX);
	buf_adds(&g, "{\"type\":\"FeatureCollection\",\"features\":[" FEATURE("PK", POLYGON(SQ(0, 0, 10, 10))));
	put_unit(f->st, "PK", "大公园", UNIT_DISTRICT, "C");
	for (size_t i = 0; i < ARRAY_SIZE(jagged); i++) {
		put_unit(f->st, jagged[i].code, jagged[i].name, UNIT_DISTRICT, "C");
		buf_addf(&g, ",{\"type\":\"Feature\",\"properties\":{\"code\":\"%s\"},\"geometry\":"
			     "{\"type\":\"Polygon\",\"coordinates\":[[", jagged[i].code);
		for (int k = 0; k < jagged[i].n; k++)
			buf_addf(&g, "%s[%.17g,%.17g]", k ? "," : "", jagged[i].xy[k][0], jagged[i].xy[k][1]);
		buf_adds(&g, "]]}}");
	}
	buf_adds(&g, "]}");
	o.no_handling = "PK";
	assert_int_equal(geo_import_boundaries(f->st, g.s, g.len, &o, NULL, NULL, NULL, &e), OK);
	buf_release(&g);
	geo_index_free(f->gi);
	assert_int_equal(geo_index_load(f->st, &f->gi, &e), OK);

	int compared = 0;
	for (int i = 0; i < 97; i++)
		for (int j = 0; j < 97; j++) {
			double x = 0.013 + i * 0.1031, y = 0.029 + j * 0.1029;
			double best = INFINITY, second = INFINITY, qx = 0, qy = 0;
			const char *unit = NULL;
			for (size_t u = 0; u < ARRAY_SIZE(jagged); u++) {
				double mine = INFINITY, mx = 0, my = 0;
				for (int k = 0; k + 1 < jagged[u].n; k++) {
					const double *a = jagged[u].xy[k], *b = jagged[u].xy[k + 1];
					double dx = b[0] - a[0], dy = b[1] - a[1];
					double t = ((x - a[0]) * dx + (y - a[1]) * dy) / (dx * dx + dy * dy);
					t = t < 0 ? 0 : t > 1 ? 1 : t;
					double px = a[0] + t * dx, py = a[1] + t * dy, d = hypot(x - px, y - py);
					if (d < mine)
						mine = d, mx = px, my = py;
				}
				if (mine < best) {
					second = best;
					best = mine, qx = mx, qy = my, unit = jagged[u].code;
				} else if (mine < second) {
					second = mine;
				}
			}
			struct place_resolution r = resolve(f, x, y, CRS_WGS84);
			assert_true(r.needs_decision);
			assert_true(r.confidence == 0.6);
			if (second - best < 1e-9)
				continue; /* a tie: either is right */
			if (strcmp(r.district, unit))
				fail_msg("%.4f,%.4f: proposed %s, nearest is %s (%.6f° against %.6f°)", x, y, r.district,
					 unit, best, second);
			const char *m = strstr(r.evidence, "边界相距约 ");
			assert_non_null(m);
			double metres = atof(m + strlen("边界相距约 ")), want = haversine_m(x, y, qx, qy);
			if (fabs(metres - want) > 1)
				fail_msg("%.4f,%.4f: %s gives %.0f m, brute force %.1f m", x, y, unit, metres, want);
			compared++;
		}
	assert_true(compared > 9000);
}

/* Only street polygons: the district comes from the unit tree (the short path is for districts alone). */
static void test_lookup_streets_only(void **state)
{
	struct fixture *f = *state;
	struct boundary_import o = opts("street");
	struct err e;
	err_init(&e);
	static const char west[] = COLLECTION(FEATURE("S3", POLYGON(SQ(1.2, 0.2, 1.4, 0.4))));
	assert_int_equal(geo_import_boundaries(f->st, west, strlen(west), &o, NULL, NULL, NULL, &e), OK);
	assert_int_equal(geo_index_load(f->st, &f->gi, &e), OK);
	check(f, 1.3, 0.3, "A", "S3", "point", 1.0, false, "坐标（WGS84）1.3,0.3 位于西街边界内，所属甲区据单位树补全");
	check(f, 5, 5, "", "", "none", 0.0, true, "坐标（WGS84）5,5 不在任何街道的边界内，需由中心研判");
}

/*
 * Points exactly on long diagonal edges are on the boundary: the edge grid
 * (one bit a cell) must mark every cell a segment crosses.
 */
static void test_lookup_diagonal_edges(void **state)
{
	struct fixture *f = *state;
	struct boundary_import o = opts("district");
	struct err e;
	char want[160];
	err_init(&e);
	static const char tri[] = COLLECTION(FEATURE("A", POLYGON("[[0,0],[8,4],[0,4],[0,0]]")) ","
					     FEATURE("B", POLYGON("[[0,0],[8,0],[8,4],[0,0]]")));
	put_unit(f->st, "B", "乙区", UNIT_DISTRICT, "C");
	assert_int_equal(geo_import_boundaries(f->st, tri, strlen(tri), &o, NULL, NULL, NULL, &e), OK);
	assert_int_equal(geo_index_load(f->st, &f->gi, &e), OK);
	for (int k = 1; k < 64; k++) {
		double x = k * 0.125, y = k * 0.0625;
		snprintf(want, sizeof(want), "坐标（WGS84）%g,%g 位于甲区与乙区的边界上，需由中心研判", x, y);
		check(f, x, y, "", "", "point", 0.5, true, want);
	}
	/* the outline (one polygon's edge) off the axes, and just off it */
	check(f, 4, 4, "", "", "point", 0.5, true, "坐标（WGS84）4,4 位于甲区的边界线上，需由中心研判");
	check(f, 8, 2, "", "", "point", 0.5, true, "坐标（WGS84）8,2 位于乙区的边界线上，需由中心研判");
	check(f, 8.000001, 2, "", "", "none", 0.0, true, "坐标（WGS84）8.000001,2 不在任何区的边界内，需由中心研判");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lookup_districts, setup_districts, teardown),
		cmocka_unit_test_setup_teardown(test_lookup_needs_decision, setup_districts, teardown),
		cmocka_unit_test_setup_teardown(test_lookup_levels, setup_city, teardown),
		cmocka_unit_test_setup_teardown(test_lookup_overlap, setup_districts, teardown),
		cmocka_unit_test_setup_teardown(test_lookup_no_boundaries, setup_empty, teardown),
		cmocka_unit_test_setup_teardown(test_lookup_bad_point, setup_districts, teardown),
		cmocka_unit_test_setup_teardown(test_lookup_threads, setup_districts, teardown),
		cmocka_unit_test_setup_teardown(test_import_stored, setup_city, teardown),
		cmocka_unit_test_setup_teardown(test_import_refused, setup_city, teardown),
		cmocka_unit_test_setup_teardown(test_import_create_units, setup_city, teardown),
		cmocka_unit_test_setup_teardown(test_import_progress, setup_city, teardown),
		cmocka_unit_test_setup_teardown(test_beijing_demo, setup_beijing, teardown),
		cmocka_unit_test_setup_teardown(test_beijing_refused_unmended, setup_beijing, teardown),
		cmocka_unit_test_setup_teardown(test_beijing_own_transaction, setup_beijing, teardown),
		cmocka_unit_test_setup_teardown(test_area_nearest, setup_park, teardown),
		cmocka_unit_test_setup_teardown(test_area_reimport, setup_park, teardown),
		cmocka_unit_test_setup_teardown(test_area_alone, setup_park, teardown),
		cmocka_unit_test_setup_teardown(test_area_nearest_exact, setup_empty, teardown),
		cmocka_unit_test_setup_teardown(test_lookup_streets_only, setup_empty, teardown),
		cmocka_unit_test_setup_teardown(test_lookup_diagonal_edges, setup_empty, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
