/*
 * geo_index.c — unit boundaries (DOMAIN.md §10): GeoJSON import checked
 * with GEOS, and point lookup over GEOS prepared geometries with an STRtree
 * per level and coordinate system.
 *
 * Import: jansson parses the file; each geometry is built into GEOS from its
 * coordinates here rather than by GEOS's GeoJSON reader, because the reader
 * (GEOS 3.11) reports a malformed position as a bare exception text with no
 * ring or position, accepts unclosed rings only to fail later, and cannot
 * cap the vertices before allocating them. The builder also writes the
 * geometry back as compact GeoJSON (shortest round-trip numbers, positions
 * cut to [lon, lat]); that text is what the store keeps, in the system it
 * was imported in, and what geo_index_load builds from again.
 *
 * Lookup: a point is converted to each boundary set's system, the set's
 * STRtree gives the polygons whose envelope holds it (a MultiPolygon is
 * indexed as its polygons: tighter envelopes), and each is tested with
 * GEOSPreparedContains_r. One unit containing it answers; two mean
 * overlapping polygons. When none contains it yet some envelope held it,
 * a bit of the set's edge grid says whether it can lie on a boundary at
 * all, and only then the edge tree (below, edges_build) says whether it
 * does (shared, or the city's outline). Overlap, edge and nothing all
 * leave the decision to the district or the centre (needs_decision). A
 * polygon imported as an area no unit handles (a park, an airport) does
 * not count as containing the point; a point in one and in no other is
 * proposed to the nearest boundary of a unit that does handle cases
 * (level_nearest, from a cache built per area at load), for a person to
 * confirm. The evidence sentence is assembled from pieces measured at load
 * and a hand-written coordinate formatter; an index of districts alone in
 * one system (the usual case) takes a short path (resolve_single). Each of
 * these was measured against a bare GEOS loop in bench/geo.c.
 *
 * Threads: GEOS contexts are per thread; a lookup uses its thread's own
 * context, created on first use and freed at thread exit (a context per
 * call, GEOS_init_r/GEOS_finish_r, measured up to 10% slower). The
 * geometries, prepared geometries and trees belong to the index's load
 * context (all contexts share GEOS's default geometry factory). GEOS builds
 * a prepared polygon's point locator, the locator's interval index and an
 * STRtree lazily on first use; geo_index_load makes that first use itself
 * (one contains per polygon, one query per tree), so after it returns the
 * prepared geometries, trees, grids and caches are only read, and lookups
 * from several threads are safe.
 */
#include "geo.h"

#include <float.h>
#include <geos_c.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GEO_MAX_FEATURES 100000
#define GEO_MAX_VERTICES 1000000
#define GEO_MAX_GEOJSON (64u * 1024 * 1024) /* stored text of one geometry: 1M vertices fit */
#define PROGRESS_EVERY 100
#define LEVELS 3    /* district, street, community */
#define CRS_COUNT 3 /* wgs84, gcj02, bd09 */
#define DEMO_FILE "data/beijing/districts_echarts.geojson"

/* ---------------------------------------------------------------- helpers */

/* A GEOS context with its last error message kept for reports. Never moved after gctx_init. */
struct gctx {
	GEOSContextHandle_t h;
	char msg[256];
};

static void gctx_message(const char *m, void *ud)
{
	struct gctx *g = ud;
	snprintf(g->msg, sizeof(g->msg), "%s", m);
}

static GEOSContextHandle_t geos_context_new(void)
{
	GEOSContextHandle_t h = GEOS_init_r();
	if (!h) {
		fputs("jiesu: GEOS context: out of memory\n", stderr);
		abort();
	}
	return h;
}

static void gctx_init(struct gctx *g)
{
	g->h = geos_context_new();
	g->msg[0] = '\0';
	GEOSContext_setErrorMessageHandler_r(g->h, gctx_message, g);
}

/*
 * The calling thread's GEOS context for lookups, made on first use and
 * finished when the thread exits (the main thread's lives until exit).
 */
static pthread_key_t tls_key;
static pthread_once_t tls_once = PTHREAD_ONCE_INIT;
static _Thread_local GEOSContextHandle_t tls_ctx;

static void tls_finish(void *h)
{
	GEOS_finish_r(h);
}

static void tls_make_key(void)
{
	if (pthread_key_create(&tls_key, tls_finish) != 0)
		abort();
}

static GEOSContextHandle_t thread_ctx(void)
{
	if (!tls_ctx) {
		pthread_once(&tls_once, tls_make_key);
		tls_ctx = geos_context_new();
		pthread_setspecific(tls_key, tls_ctx);
	}
	return tls_ctx;
}

/* A code's index (struct strmap from core), or (size_t)-1. */
static size_t index_of(const struct strmap *m, const char *key)
{
	const int64_t *v = strmap_get(m, key);
	return v ? (size_t)*v : (size_t)-1;
}

/* At most 40 bytes of s for a message, cut at a UTF-8 boundary, "…" when shortened. */
static const char *clip(const char *s, char out[48])
{
	size_t n = strlen(s);
	if (n <= 40) {
		memcpy(out, s, n + 1);
		return out;
	}
	n = 40;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	memcpy(out, s, n);
	memcpy(out + n, "…", sizeof("…"));
	return out;
}

/* Level index 0–2 of a unit kind, or -1 if the kind carries no boundary. */
static int level_index(enum unit_kind k)
{
	switch (k) {
	case UNIT_DISTRICT:
		return 0;
	case UNIT_STREET:
		return 1;
	case UNIT_COMMUNITY:
		return 2;
	default:
		return -1;
	}
}

static const char *const level_words[LEVELS] = {"区", "街道", "社区"};

static const char *kind_word(enum unit_kind k)
{
	static const char *const words[] = {"中心", "区", "街道", "社区", "部门", "企业"};
	return (unsigned)k < ARRAY_SIZE(words) ? words[k] : "?";
}

/* A JSON string's value, or "" for anything else. */
static const char *jstr(json_t *v)
{
	const char *s = json_string_value(v);
	return s ? s : "";
}

/* The shortest "%.Ng" (15–17 digits) that reads back as exactly v. */
static void num_format(double v, char out[32])
{
	for (int p = 15; p <= 17; p++) {
		snprintf(out, 32, "%.*g", p, v);
		if (strtod(out, NULL) == v)
			return;
	}
}

/* ------------------------------------------------- GeoJSON → GEOS geometry */

/*
 * Builds one Polygon or MultiPolygon. why receives the reason for a
 * refusal; json (if not NULL) the geometry written back.
 */
struct build {
	struct gctx *g;
	struct buf *json;
	size_t vertices;
	double *xy; /* scratch: one ring's coordinates, x y x y ... */
	size_t xy_cap;
	char why[224];
};

static void build_release(struct build *b)
{
	free(b->xy);
	b->xy = NULL;
	b->xy_cap = 0;
}

/* One ring: at least 4 [lon, lat] positions in range, closed. where names it ("外环"). */
static GEOSGeometry *ring_build(struct build *b, json_t *ring, const char *where)
{
	char num[32];
	size_t n;

	if (!json_is_array(ring)) {
		snprintf(b->why, sizeof(b->why), "%s不是坐标数组", where);
		return NULL;
	}
	n = json_array_size(ring);
	if (n < 4) {
		snprintf(b->why, sizeof(b->why), "%s至少需要 4 个坐标，实际 %zu 个", where, n);
		return NULL;
	}
	if (b->vertices + n > GEO_MAX_VERTICES) {
		snprintf(b->why, sizeof(b->why), "顶点超过 %d 个", GEO_MAX_VERTICES);
		return NULL;
	}
	b->vertices += n;
	if (2 * n > b->xy_cap) {
		b->xy_cap = 2 * n;
		b->xy = xrealloc(b->xy, b->xy_cap * sizeof(*b->xy));
	}
	for (size_t k = 0; k < n; k++) {
		json_t *pos = json_array_get(ring, k);
		json_t *x = json_array_get(pos, 0), *y = json_array_get(pos, 1);
		if (!json_is_array(pos) || !json_is_number(x) || !json_is_number(y)) {
			snprintf(b->why, sizeof(b->why), "%s第 %zu 个坐标应为 [经度, 纬度]", where, k + 1);
			return NULL;
		}
		double lon = json_number_value(x), lat = json_number_value(y);
		if (!isfinite(lon) || !isfinite(lat) || lon < -180 || lon > 180 || lat < -90 || lat > 90) {
			snprintf(b->why, sizeof(b->why), "%s第 %zu 个坐标超出经纬度范围", where, k + 1);
			return NULL;
		}
		b->xy[2 * k] = lon;
		b->xy[2 * k + 1] = lat;
	}
	if (b->xy[0] != b->xy[2 * n - 2] || b->xy[1] != b->xy[2 * n - 1]) {
		snprintf(b->why, sizeof(b->why), "%s未闭合（首尾坐标不同）", where);
		return NULL;
	}
	if (b->json) {
		buf_adds(b->json, "[");
		for (size_t k = 0; k < n; k++) {
			buf_adds(b->json, k ? ",[" : "[");
			num_format(b->xy[2 * k], num);
			buf_adds(b->json, num);
			buf_adds(b->json, ",");
			num_format(b->xy[2 * k + 1], num);
			buf_adds(b->json, num);
			buf_adds(b->json, "]");
		}
		buf_adds(b->json, "]");
	}
	GEOSCoordSequence *seq = GEOSCoordSeq_copyFromBuffer_r(b->g->h, b->xy, (unsigned)n, 0, 0);
	GEOSGeometry *g = seq ? GEOSGeom_createLinearRing_r(b->g->h, seq) : NULL;
	if (!g)
		snprintf(b->why, sizeof(b->why), "%s：%.120s", where, b->g->msg);
	return g;
}

/* A polygon's rings: the shell, then holes. prefix names the polygon within a MultiPolygon, or "". */
static GEOSGeometry *polygon_build(struct build *b, json_t *rings, const char *prefix)
{
	char where[96];
	size_t n, nholes = 0;
	GEOSGeometry *shell = NULL, **holes = NULL, *poly = NULL;

	if (!json_is_array(rings) || (n = json_array_size(rings)) == 0) {
		snprintf(b->why, sizeof(b->why), "%s没有环", *prefix ? prefix : "多边形");
		return NULL;
	}
	if (b->json)
		buf_adds(b->json, "[");
	snprintf(where, sizeof(where), "%s外环", prefix);
	if (!(shell = ring_build(b, json_array_get(rings, 0), where)))
		return NULL;
	holes = xcalloc(n, sizeof(*holes));
	for (size_t r = 1; r < n; r++) {
		if (b->json)
			buf_adds(b->json, ",");
		snprintf(where, sizeof(where), "%s第 %zu 个内环", prefix, r);
		if (!(holes[nholes] = ring_build(b, json_array_get(rings, r), where)))
			goto out;
		nholes++;
	}
	if (b->json)
		buf_adds(b->json, "]");
	poly = GEOSGeom_createPolygon_r(b->g->h, shell, holes, (unsigned)nholes);
	if (poly)
		shell = NULL, nholes = 0; /* owned by poly now */
	else
		snprintf(b->why, sizeof(b->why), "%s%.120s", prefix, b->g->msg);
out:
	for (size_t i = 0; i < nholes; i++)
		GEOSGeom_destroy_r(b->g->h, holes[i]);
	free(holes);
	if (shell)
		GEOSGeom_destroy_r(b->g->h, shell);
	return poly;
}

/* A GeoJSON geometry object: Polygon or MultiPolygon, nothing else. */
static GEOSGeometry *geom_build(struct build *b, json_t *geom)
{
	json_t *coords = json_object_get(geom, "coordinates");
	const char *type = json_string_value(json_object_get(geom, "type"));
	char prefix[64], t[48];

	if (!json_is_object(geom) || !type) {
		snprintf(b->why, sizeof(b->why), "几何不是带 type 的 GeoJSON 对象");
		return NULL;
	}
	if (!strcmp(type, "Polygon")) {
		if (b->json)
			buf_adds(b->json, "{\"type\":\"Polygon\",\"coordinates\":");
		GEOSGeometry *g = polygon_build(b, coords, "");
		if (b->json)
			buf_adds(b->json, "}");
		return g;
	}
	if (strcmp(type, "MultiPolygon")) {
		snprintf(b->why, sizeof(b->why), "几何类型为 %s，只接受 Polygon 或 MultiPolygon", clip(type, t));
		return NULL;
	}
	size_t n = json_array_size(coords);
	if (!json_is_array(coords) || n == 0) {
		snprintf(b->why, sizeof(b->why), "MultiPolygon 没有多边形");
		return NULL;
	}
	if (b->json)
		buf_adds(b->json, "{\"type\":\"MultiPolygon\",\"coordinates\":[");
	GEOSGeometry **polys = xcalloc(n, sizeof(*polys)), *multi = NULL;
	size_t built = 0;
	for (; built < n; built++) {
		if (b->json && built)
			buf_adds(b->json, ",");
		snprintf(prefix, sizeof(prefix), "第 %zu 个多边形的", built + 1);
		if (!(polys[built] = polygon_build(b, json_array_get(coords, built), prefix)))
			goto out;
	}
	if (b->json)
		buf_adds(b->json, "]}");
	multi = GEOSGeom_createCollection_r(b->g->h, GEOS_MULTIPOLYGON, polys, (unsigned)n);
	if (multi)
		built = 0; /* owned by multi now */
	else
		snprintf(b->why, sizeof(b->why), "%.120s", b->g->msg);
out:
	for (size_t i = 0; i < built; i++)
		GEOSGeom_destroy_r(b->g->h, polys[i]);
	free(polys);
	return multi;
}

/*
 * GEOS's validity check. On failure why holds the reason as GEOS gives it,
 * its location in brackets turned into a Chinese phrase:
 * "Self-intersection[1 1]" → "Self-intersection（位于 1 1）".
 */
static bool geom_valid(struct gctx *g, const GEOSGeometry *geom, char *why, size_t n)
{
	char v = GEOSisValid_r(g->h, geom);
	if (v == 1)
		return true;
	if (v != 0) {
		snprintf(why, n, "GEOS 无法检查几何：%s", g->msg);
		return false;
	}
	char *reason = GEOSisValidReason_r(g->h, geom);
	const char *r = reason ? reason : "原因未知";
	const char *lb = strchr(r, '['), *rb = lb ? strchr(lb, ']') : NULL;
	if (lb && rb)
		snprintf(why, n, "%.*s（位于 %.*s）", (int)(lb - r), r, (int)(rb - lb - 1), lb + 1);
	else
		snprintf(why, n, "%s", r);
	if (reason)
		GEOSFree_r(g->h, reason);
	return false;
}

/*
 * Repair an invalid geometry (only for the built-in demo, whose coarse
 * polygons touch themselves): GEOS's "structure" MakeValid keeps the area,
 * drops collapsed spikes; the result written back with GEOS's GeoJSON writer.
 */
static GEOSGeometry *geom_repair(struct gctx *g, GEOSGeometry *geom, struct buf *json)
{
	GEOSMakeValidParams *p = GEOSMakeValidParams_create_r(g->h);
	GEOSMakeValidParams_setMethod_r(g->h, p, GEOS_MAKE_VALID_STRUCTURE);
	GEOSMakeValidParams_setKeepCollapsed_r(g->h, p, 0);
	GEOSGeometry *fixed = GEOSMakeValidWithParams_r(g->h, geom, p);
	GEOSMakeValidParams_destroy_r(g->h, p);
	if (!fixed)
		return NULL;
	int t = GEOSGeomTypeId_r(g->h, fixed);
	if ((t != GEOS_POLYGON && t != GEOS_MULTIPOLYGON) || GEOSisEmpty_r(g->h, fixed) != 0) {
		GEOSGeom_destroy_r(g->h, fixed);
		return NULL;
	}
	GEOSGeoJSONWriter *w = GEOSGeoJSONWriter_create_r(g->h);
	char *text = GEOSGeoJSONWriter_writeGeometry_r(g->h, w, fixed, -1);
	GEOSGeoJSONWriter_destroy_r(g->h, w);
	if (!text) {
		GEOSGeom_destroy_r(g->h, fixed);
		return NULL;
	}
	buf_reset(json);
	buf_adds(json, text);
	GEOSFree_r(g->h, text);
	return fixed;
}

/* ---------------------------------------------------------------- import */

enum code_status { CODE_OK, CODE_MISSING, CODE_BAD_TYPE };

/*
 * The feature's code: properties[prop] as a string or an integer. For prop
 * "id", a feature without properties.id falls back to the feature's own id
 * member (RFC 7946 §3.2), as in the demo file. out holds 64 bytes.
 */
static enum code_status feature_code(json_t *feature, const char *prop, char out[64])
{
	json_t *props = json_object_get(feature, "properties");
	json_t *v = json_is_object(props) ? json_object_get(props, prop) : NULL;
	if (!v && !strcmp(prop, "id"))
		v = json_object_get(feature, "id");
	if (!v || json_is_null(v))
		return CODE_MISSING;
	if (json_is_string(v)) {
		snprintf(out, 64, "%s", json_string_value(v));
		return CODE_OK;
	}
	if (json_is_integer(v)) {
		snprintf(out, 64, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return CODE_OK;
	}
	if (json_is_real(v)) {
		double d = json_real_value(v);
		if (d == floor(d) && fabs(d) < 1e15) {
			snprintf(out, 64, "%.0f", d);
			return CODE_OK;
		}
	}
	return CODE_BAD_TYPE;
}

/* State of one import. */
struct import_run {
	struct store *st;
	const struct boundary_import *opt;
	enum unit_kind level;
	bool repair;
	const char *src; /* "" or "data/beijing/… " for built-in files */
	int64_t now;
	struct gctx g;
	struct strmap seen;        /* code → feature number */
	struct strmap no_handling; /* codes of areas no unit handles (opt->no_handling) */
	struct buf json;
};

/* Find or (with create_units) create the unit of a feature. at prefixes messages. */
static enum err_code feature_unit(struct import_run *r, json_t *feature, const char *code, const char *at,
				  struct err *e)
{
	const struct boundary_import *opt = r->opt;
	struct unit u;
	struct err e2;
	char c[48];
	enum err_code rc;

	err_init(&e2);
	rc = store_unit_get(r->st, code, &u, &e2);
	if (rc == OK) {
		if (u.kind != r->level)
			return err_set(e, E_INVALID, NULL, "%s单位 %s 是%s，不是%s", at, code, kind_word(u.kind),
				       kind_word(r->level));
		return OK;
	}
	if (rc != E_NOT_FOUND) {
		*e = e2;
		return rc;
	}
	if (!opt->create_units)
		return err_set(e, E_NOT_FOUND, NULL, "%s单位 %s 不存在", at, code);
	memset(&u, 0, sizeof(u));
	strlcpy_ok(u.code, code, sizeof(u.code));
	u.kind = r->level;
	strlcpy_ok(u.parent, opt->parent, sizeof(u.parent));
	const char *name = code;
	if (opt->name_property && *opt->name_property) {
		json_t *v = json_object_get(json_object_get(feature, "properties"), opt->name_property);
		if (!json_is_string(v) || !*json_string_value(v))
			return err_set(e, E_INVALID, NULL, "%s缺少名称属性 %s", at, clip(opt->name_property, c));
		name = json_string_value(v);
	}
	if (utf8_len(name) > LIMIT_UNIT_NAME || !strlcpy_ok(u.name, name, sizeof(u.name)))
		return err_set(e, E_INVALID, NULL, "%s名称超过 %d 个字", at, LIMIT_UNIT_NAME);
	for (const char *p = u.name; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return err_set(e, E_INVALID, NULL, "%s名称含控制字符", at);
	return store_unit_put(r->st, &u, e);
}

/* Check one feature and put its boundary. i is its number from 1. */
static enum err_code import_feature(struct import_run *r, json_t *f, size_t i, struct err *e)
{
	const char *prop = r->opt->code_property;
	char code[64], at[192], c1[48], c2[48];
	struct build b = {.g = &r->g, .json = &r->json};
	GEOSGeometry *geom = NULL;
	enum err_code rc = OK;

	if (!json_is_object(f) || strcmp(jstr(json_object_get(f, "type")), "Feature"))
		return err_set(e, E_INVALID, NULL, "%s第 %zu 个要素：不是 Feature 对象", r->src, i);
	switch (feature_code(f, prop, code)) {
	case CODE_MISSING:
		return err_set(e, E_INVALID, NULL, "%s第 %zu 个要素：缺少属性 %s", r->src, i, clip(prop, c1));
	case CODE_BAD_TYPE:
		return err_set(e, E_INVALID, NULL, "%s第 %zu 个要素：属性 %s 应为字符串或整数", r->src, i,
			       clip(prop, c1));
	case CODE_OK:
		break;
	}
	snprintf(at, sizeof(at), "%s第 %zu 个要素（%s=%s）：", r->src, i, clip(prop, c1), clip(code, c2));
	if (!catalog_code_valid(code))
		return err_set(e, E_INVALID, NULL, "%s代码不合法（应为 1–%d 位字母、数字、_ 或 -）", at, LIMIT_CODE);
	const int64_t *first = strmap_add(&r->seen, code, (int64_t)i);
	if (first)
		return err_set(e, E_CONFLICT, NULL, "%s与第 %zu 个要素的代码重复", at, (size_t)*first);
	if ((rc = feature_unit(r, f, code, at, e)) != OK)
		return rc;

	json_t *gj = json_object_get(f, "geometry");
	if (!gj || json_is_null(gj))
		return err_set(e, E_INVALID, NULL, "%s没有几何", at);
	buf_reset(&r->json);
	if (!(geom = geom_build(&b, gj))) {
		rc = err_set(e, E_INVALID, NULL, "%s%s", at, b.why);
		goto out;
	}
	if (r->json.overflow) {
		rc = err_set(e, E_TOO_LARGE, NULL, "%s几何文本超过 %u MiB", at, GEO_MAX_GEOJSON >> 20);
		goto out;
	}
	if (!geom_valid(&r->g, geom, b.why, sizeof(b.why))) {
		GEOSGeometry *fixed = r->repair ? geom_repair(&r->g, geom, &r->json) : NULL;
		if (!fixed) {
			rc = err_set(e, E_INVALID, NULL, "%s几何无效：%s", at, b.why);
			goto out;
		}
		GEOSGeom_destroy_r(r->g.h, geom);
		geom = fixed;
	}
	rc = store_boundary_put(r->st, code, r->level, crs_name(r->opt->crs), r->json.s,
				!strmap_get(&r->no_handling, code), r->now, e);
out:
	build_release(&b);
	if (geom)
		GEOSGeom_destroy_r(r->g.h, geom);
	return rc;
}

/*
 * opt->no_handling ("164,355,480") into r->no_handling: codes as
 * catalog_code_valid wants them, separated by single commas, at most
 * GEO_MAX_FEATURES. Whether each is in the file is checked after the import.
 */
static enum err_code no_handling_parse(struct import_run *r, const char *list, struct err *e)
{
	char piece[64], c[48];
	size_t n = 0;

	if (!list || !*list)
		return OK;
	for (const char *p = list;;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p), m = len < sizeof(piece) - 1 ? len : sizeof(piece) - 1;
		memcpy(piece, p, m);
		piece[m] = '\0';
		if (len > LIMIT_CODE || !catalog_code_valid(piece))
			return err_set(e, E_INVALID, "no_handling",
				       "无承办单位区域的代码“%s”不合法（以逗号分隔，每个 1–%d 位字母、数字、_ 或 -）",
				       clip(piece, c), LIMIT_CODE);
		if (++n > GEO_MAX_FEATURES)
			return err_set(e, E_TOO_LARGE, "no_handling", "无承办单位区域超过 %d 个", GEO_MAX_FEATURES);
		strmap_add(&r->no_handling, piece, 0);
		if (!end)
			return OK;
		p = end + 1;
	}
}

/* Every code of list (checked by no_handling_parse) must have been a feature of the file: the first that was not is named. */
static enum err_code no_handling_check(struct import_run *r, const char *list, struct err *e)
{
	char code[LIMIT_CODE + 1];

	for (const char *p = list; p && *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		memcpy(code, p, len);
		code[len] = '\0';
		if (!strmap_get(&r->seen, code))
			return err_set(e, E_INVALID, "no_handling", "%s无承办单位区域的代码 %s 不在文件中", r->src, code);
		p = end ? end + 1 : p + len;
	}
	return OK;
}

/*
 * The import itself, inside the caller's transaction. src prefixes every
 * message ("" for a user's file); repair lets GEOS mend invalid geometries
 * instead of refusing them (the built-in demo only).
 */
static enum err_code import_collection(struct store *st, const char *src, const char *data, size_t len,
				       const struct boundary_import *opt, bool repair, progress_fn pf, void *pctx,
				       size_t *count, struct err *e)
{
	struct import_run r = {.st = st, .opt = opt, .repair = repair, .src = src, .now = clock_now()};
	json_error_t je;
	json_t *root = NULL, *features;
	enum err_code rc = OK;
	struct unit parent;
	char c[48];
	size_t n = 0;
	int level = opt->level ? unit_kind_parse(opt->level) : -1;

	if (count)
		*count = 0;
	if (level < 0 || level_index((enum unit_kind)level) < 0)
		return err_set(e, E_INVALID, "level", "层级应为 district、street 或 community");
	r.level = (enum unit_kind)level;
	if (!opt->code_property || !*opt->code_property)
		return err_set(e, E_INVALID, "code_property", "须指定存放单位代码的属性名");
	if ((unsigned)opt->crs >= CRS_COUNT)
		return err_set(e, E_INVALID, "crs", "坐标系应为 wgs84、gcj02 或 bd09");
	if (opt->create_units) {
		if (!opt->parent || !*opt->parent)
			return err_set(e, E_INVALID, "parent", "创建单位须指定上级单位");
		if ((rc = store_unit_get(st, opt->parent, &parent, e)) != OK)
			return rc == E_NOT_FOUND ? err_set(e, E_INVALID, "parent", "上级单位 %s 不存在",
							   clip(opt->parent, c))
						 : rc;
	}
	if (len > GEO_IMPORT_MAX_FILE)
		return err_set(e, E_TOO_LARGE, NULL, "%s文件超过 %d MiB", src, GEO_IMPORT_MAX_FILE >> 20);
	if (!(root = json_loadb(data, len, 0, &je)))
		return err_set(e, E_INVALID, NULL, "%s文件不是合法的 JSON（第 %d 行第 %d 列）：%s", src, je.line,
			       je.column, je.text);
	features = json_object_get(root, "features");
	if (!json_is_object(root) ||
	    strcmp(jstr(json_object_get(root, "type")), "FeatureCollection") ||
	    !json_is_array(features)) {
		rc = err_set(e, E_INVALID, NULL, "%s文件不是 GeoJSON FeatureCollection", src);
		goto out;
	}
	n = json_array_size(features);
	if (n == 0) {
		rc = err_set(e, E_INVALID, NULL, "%sFeatureCollection 中没有要素", src);
		goto out;
	}
	if (n > GEO_MAX_FEATURES) {
		rc = err_set(e, E_TOO_LARGE, NULL, "%s要素超过 %d 个", src, GEO_MAX_FEATURES);
		goto out;
	}
	if ((rc = no_handling_parse(&r, opt->no_handling, e)) != OK)
		goto out;
	gctx_init(&r.g);
	buf_init(&r.json, GEO_MAX_GEOJSON);
	for (size_t i = 0; i < n && rc == OK; i++) {
		rc = import_feature(&r, json_array_get(features, i), i + 1, e);
		if (rc == OK && pf && ((i + 1) % PROGRESS_EVERY == 0 || i + 1 == n))
			pf(pctx, "boundaries", i + 1, n);
	}
	if (rc == OK)
		rc = no_handling_check(&r, opt->no_handling, e);
	buf_release(&r.json);
	strmap_release(&r.seen);
	GEOS_finish_r(r.g.h);
	if (rc == OK && count)
		*count = n;
out:
	strmap_release(&r.no_handling);
	json_decref(root);
	return rc;
}

enum err_code geo_import_boundaries(struct store *st, const char *data, size_t len, const struct boundary_import *opt,
				    progress_fn pf, void *pctx, size_t *count, struct err *e)
{
	enum err_code rc = store_begin(st, e);
	if (rc != OK)
		return rc;
	rc = import_collection(st, "", data, len, opt, false, pf, pctx, count, e);
	if (rc == OK)
		return store_commit(st, e);
	store_rollback(st);
	return rc;
}

enum err_code geo_load_demo_boundaries(struct store *st, struct err *e)
{
	const struct embedded_file *ef = embed_find(DEMO_FILE);
	const struct boundary_import opt = {.level = "district", .code_property = "id", .crs = CRS_GCJ02};
	struct err nested;
	enum err_code rc;
	bool own;

	if (!ef)
		return err_set(e, E_INTERNAL, NULL, "内置数据 %s 缺失", DEMO_FILE);
	/* all or nothing: in the caller's transaction if there is one (store_begin refuses to nest), else in ours */
	err_init(&nested);
	own = store_begin(st, &nested) == OK;
	rc = import_collection(st, DEMO_FILE " ", (const char *)ef->data, ef->len, &opt, true, NULL, NULL, NULL, e);
	if (!own)
		return rc;
	if (rc == OK)
		return store_commit(st, e);
	store_rollback(st);
	return rc;
}

/* ---------------------------------------------------------------- the index */

/* A unit as lookups need it: the name for the evidence, parent and kind to fill upper levels. */
struct unit_info {
	char code[LIMIT_CODE + 1];
	char parent[LIMIT_CODE + 1];
	char name[TEXT_BYTES(LIMIT_UNIT_NAME)];
	size_t code_len, name_len; /* lookups copy them without strlen */
	enum unit_kind kind;
	char *inside; /* units with a boundary: " 位于<name>边界内", the usual evidence's end */
#define INSIDE_FIXED 64 /* inside is NUL-padded to at least this many bytes */
	size_t inside_len;
	bool no_handling; /* its boundary is an area no unit handles (boundary_import.no_handling) */
};

/*
 * A run of up to EDGE_CHUNK consecutive segments of one ring, indexed by
 * its envelope in the set's edge tree.
 */
#define EDGE_CHUNK 8
struct edge_chunk {
	uint32_t at; /* first point, in geo_set.edge_xy (x y pairs) */
	uint32_t n;  /* points: segments + 1 */
	size_t unit;
	double box[4]; /* envelope: x0 y0 x1 y1 */
};

/*
 * The boundaries of one level in one coordinate system. A MultiPolygon is
 * kept as its polygons (each with the unit's index): smaller envelopes give
 * the tree fewer false candidates.
 */
struct geo_set {
	enum crs crs;
	size_t n, cap;
	GEOSGeometry **geoms; /* polygons */
	const GEOSPreparedGeometry **prep;
	size_t *unit; /* index into geo_index.units */
	GEOSSTRtree *tree;
	/* edges: every ring's points, chunked, in their own tree */
	double *edge_xy;
	struct edge_chunk *chunks;
	size_t nchunks;
	GEOSSTRtree *edge_tree;
	/* a grid over the edges' extent: a bit per cell that some segment's envelope touches (edges_mark) */
	uint64_t *edge_cells;
	uint32_t grid_w, grid_h;
	double gx0, gy0, gx1, gy1; /* the extent */
	double gsx, gsy;           /* cells per unit of x, of y */
	struct area_cache **areas; /* per polygon: for an area no unit handles, its cache (area_caches_build) */
};

struct geo_index {
	struct gctx g; /* owns every geometry, prepared geometry and tree */
	struct geo_set sets[LEVELS][CRS_COUNT];
	struct unit_info *units;
	size_t nunits, units_cap;
	struct strmap unit_by_code;
	size_t count;
	int top; /* highest level (0 = district) with boundaries, -1 = none */
	/* what a lookup visits, so it skips empty sets without looking */
	int ncrs, crs_used[CRS_COUNT];               /* systems with any boundary */
	int nsets[LEVELS], set_crs[LEVELS][CRS_COUNT]; /* per level: its non-empty sets */
	int single; /* 0 when the only non-empty set is one of districts (resolve_single), else -1 */
	char outside[96]; /* " 不在任何区的边界内，需由中心研判" for the top level */
	size_t outside_len;
};

static int load_unit(void *ctx, const struct unit *u)
{
	struct geo_index *gi = ctx;
	if (gi->nunits == gi->units_cap) {
		gi->units_cap = gi->units_cap ? 2 * gi->units_cap : 1024;
		gi->units = xrealloc(gi->units, gi->units_cap * sizeof(*gi->units));
	}
	struct unit_info *ui = &gi->units[gi->nunits];
	memset(ui, 0, sizeof(*ui));
	strlcpy_ok(ui->code, u->code, sizeof(ui->code));
	strlcpy_ok(ui->parent, u->parent, sizeof(ui->parent));
	strlcpy_ok(ui->name, u->name, sizeof(ui->name));
	ui->code_len = strlen(ui->code);
	ui->name_len = strlen(ui->name);
	ui->kind = u->kind;
	ui->inside = NULL;
	ui->inside_len = 0;
	strmap_add(&gi->unit_by_code, ui->code, (int64_t)gi->nunits++);
	return OK;
}

struct load_run {
	struct geo_index *gi;
	struct err *e;
};

/* Build one stored boundary into its set. */
static int load_boundary(void *ctx, const char *unit, enum unit_kind level, const char *crs, const char *geojson)
{
	struct load_run *L = ctx;
	struct geo_index *gi = L->gi;
	int li = level_index(level), c = crs_parse(crs);
	struct build b = {.g = &gi->g};
	json_error_t je;
	json_t *j;
	GEOSGeometry *geom;

	if (li < 0 || c < 0)
		return err_set(L->e, E_DB, NULL, "单位 %s 的边界层级或坐标系不合法", unit);
	size_t ui = index_of(&gi->unit_by_code, unit);
	if (ui == (size_t)-1)
		return err_set(L->e, E_DB, NULL, "边界所属单位 %s 不存在", unit);
	if (!(j = json_loads(geojson, 0, &je)))
		return err_set(L->e, E_DB, NULL, "单位 %s 的边界不是合法的 JSON：%s", unit, je.text);
	geom = geom_build(&b, j);
	json_decref(j);
	build_release(&b);
	if (!geom)
		return err_set(L->e, E_DB, NULL, "单位 %s 的边界无法读取：%s", unit, b.why);
	struct unit_info *u = &gi->units[ui];
	if (!u->inside) {
		struct buf t;
		buf_init(&t, BUF_NOMAX);
		buf_addf(&t, " 位于%s边界内", u->name_len ? u->name : u->code);
		u->inside_len = t.len;
		while (t.len < INSIDE_FIXED)
			buf_add(&t, "", 1); /* padded: the usual copy has a fixed size */
		u->inside = buf_detach(&t);
	}
	struct geo_set *s = &gi->sets[li][c];
	int parts = GEOSGeomTypeId_r(gi->g.h, geom) == GEOS_MULTIPOLYGON ? GEOSGetNumGeometries_r(gi->g.h, geom) : 1;
	for (int k = 0; k < parts; k++) {
		if (s->n == s->cap) {
			s->cap = s->cap ? 2 * s->cap : 16;
			s->geoms = xrealloc(s->geoms, s->cap * sizeof(*s->geoms));
			s->unit = xrealloc(s->unit, s->cap * sizeof(*s->unit));
		}
		GEOSGeometry *part = parts == 1 ? geom : GEOSGeom_clone_r(gi->g.h, GEOSGetGeometryN_r(gi->g.h, geom, k));
		if (!part)
			return err_set(L->e, E_INTERNAL, NULL, "GEOS 无法拆分单位 %s 的边界：%s", unit, gi->g.msg);
		s->geoms[s->n] = part;
		s->unit[s->n++] = ui;
	}
	if (parts != 1)
		GEOSGeom_destroy_r(gi->g.h, geom);
	gi->count++;
	return OK;
}

/* A boundary that is an area no unit handles. */
static int load_unhandled(void *ctx, const char *unit)
{
	struct load_run *L = ctx;
	size_t ui = index_of(&L->gi->unit_by_code, unit);
	if (ui == (size_t)-1)
		return err_set(L->e, E_DB, NULL, "边界所属单位 %s 不存在", unit);
	L->gi->units[ui].no_handling = true;
	return OK;
}

static void query_nothing(void *item, void *ud)
{
	(void)item;
	(void)ud;
}

/* Append one ring's points to the set's edges, in chunks. */
static bool edges_add_ring(struct geo_index *gi, struct geo_set *s, const GEOSGeometry *ring, size_t unit,
			   size_t *xy_cap, size_t *chunk_cap, size_t *npts)
{
	GEOSContextHandle_t h = gi->g.h;
	const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(h, ring);
	unsigned int n;
	if (!seq || !GEOSCoordSeq_getSize_r(h, seq, &n))
		return false;
	if (n < 2)
		return true;
	if (*npts + n > *xy_cap) {
		*xy_cap = 2 * (*npts + n);
		s->edge_xy = xrealloc(s->edge_xy, *xy_cap * 2 * sizeof(double));
	}
	if (!GEOSCoordSeq_copyToBuffer_r(h, seq, s->edge_xy + 2 * *npts, 0, 0))
		return false;
	for (unsigned int start = 0; start + 1 < n; start += EDGE_CHUNK) {
		if (s->nchunks == *chunk_cap) {
			*chunk_cap = *chunk_cap ? 2 * *chunk_cap : 256;
			s->chunks = xrealloc(s->chunks, *chunk_cap * sizeof(*s->chunks));
		}
		struct edge_chunk *ch = &s->chunks[s->nchunks++];
		ch->at = (uint32_t)(*npts + start);
		ch->n = n - start < EDGE_CHUNK + 1 ? n - start : EDGE_CHUNK + 1;
		ch->unit = unit;
	}
	*npts += n;
	return true;
}

/*
 * The edge grid: EDGE_GRID_CELLS cells over the extent of the set's edges,
 * about square, one bit each. A cell's bit is set when the envelope of a
 * segment touches it, so a point whose cell has no bit lies on no edge,
 * and a point outside every polygon is told from one on a boundary by one
 * bit instead of a query of the edge tree (which it still gets when the bit
 * is set). A column or row is the floor of the scaled offset, clamped: the
 * same monotone function of x (of y) for marking and for looking up, so a
 * point on a segment always falls in a cell its envelope marked.
 */
#define EDGE_GRID_CELLS (1u << 20)     /* 128 KiB a set */
#define EDGE_GRID_BUDGET (1u << 26)    /* cell writes; beyond, every cell is marked (correct, slower) */

static inline uint32_t grid_col(const struct geo_set *s, double x)
{
	uint32_t c = (uint32_t)((x - s->gx0) * s->gsx);
	return c < s->grid_w ? c : s->grid_w - 1;
}

static inline uint32_t grid_row(const struct geo_set *s, double y)
{
	uint32_t r = (uint32_t)((y - s->gy0) * s->gsy);
	return r < s->grid_h ? r : s->grid_h - 1;
}

/* Might (x, y) lie on one of the set's edges? false = certainly not. */
static inline bool edge_near(const struct geo_set *s, double x, double y)
{
	if (!(x >= s->gx0 && x <= s->gx1 && y >= s->gy0 && y <= s->gy1))
		return false;
	size_t k = (size_t)grid_row(s, y) * s->grid_w + grid_col(s, x);
	return s->edge_cells[k >> 6] >> (k & 63) & 1;
}

static void edges_mark(struct geo_set *s, size_t npts)
{
	const double *xy = s->edge_xy;
	size_t words, writes = 0;

	s->gx0 = s->gx1 = npts ? xy[0] : 0;
	s->gy0 = s->gy1 = npts ? xy[1] : 0;
	for (size_t k = 1; k < npts; k++) {
		double x = xy[2 * k], y = xy[2 * k + 1];
		s->gx0 = x < s->gx0 ? x : s->gx0;
		s->gx1 = x > s->gx1 ? x : s->gx1;
		s->gy0 = y < s->gy0 ? y : s->gy0;
		s->gy1 = y > s->gy1 ? y : s->gy1;
	}
	double w = s->gx1 - s->gx0, h = s->gy1 - s->gy0;
	if (w > 0 && h > 0) {
		double cols = sqrt((double)EDGE_GRID_CELLS * w / h);
		s->grid_w = cols < 1 ? 1 : cols > EDGE_GRID_CELLS ? EDGE_GRID_CELLS : (uint32_t)cols;
		s->grid_h = EDGE_GRID_CELLS / s->grid_w;
		s->gsx = s->grid_w / w;
		s->gsy = s->grid_h / h;
	} else { /* no area: one cell, always asked */
		s->grid_w = s->grid_h = 1;
		s->gsx = s->gsy = 0;
	}
	words = ((size_t)s->grid_w * s->grid_h + 63) / 64;
	s->edge_cells = xcalloc(words, sizeof(*s->edge_cells));
	for (size_t k = 0; k < s->nchunks; k++) {
		const double *p = xy + 2 * (size_t)s->chunks[k].at;
		for (uint32_t j = 0; j + 1 < s->chunks[k].n; j++, p += 2) {
			uint32_t c0 = grid_col(s, p[0] < p[2] ? p[0] : p[2]), c1 = grid_col(s, p[0] < p[2] ? p[2] : p[0]);
			uint32_t r0 = grid_row(s, p[1] < p[3] ? p[1] : p[3]), r1 = grid_row(s, p[1] < p[3] ? p[3] : p[1]);
			writes += (size_t)(c1 - c0 + 1) * (r1 - r0 + 1);
			if (writes > EDGE_GRID_BUDGET) {
				memset(s->edge_cells, 0xff, words * sizeof(*s->edge_cells));
				return;
			}
			for (uint32_t r = r0; r <= r1; r++)
				for (uint32_t c = c0; c <= c1; c++) {
					size_t b = (size_t)r * s->grid_w + c;
					s->edge_cells[b >> 6] |= (uint64_t)1 << (b & 63);
				}
		}
	}
}

/*
 * The edge tree: every ring of the set cut into chunks of EDGE_CHUNK
 * segments, each inserted with its envelope. Why by hand: GEOS 3.11's C API
 * has no point location that tells a polygon's edge from its outside, and
 * asking GEOSPreparedIntersects_r of every candidate cost a point outside
 * all polygons a second locate per candidate (measured in bench/geo.c).
 * The test on a chunk's segments is GEOS's own robust orientation
 * (GEOSOrientationIndex_r), as its point-in-area locator uses.
 */
static enum err_code edges_build(struct geo_index *gi, struct geo_set *s, struct err *e)
{
	GEOSContextHandle_t h = gi->g.h;
	size_t xy_cap = 0, chunk_cap = 0, npts = 0;
	GEOSGeometry **envs = NULL;
	enum err_code rc = OK;

	for (size_t i = 0; i < s->n; i++) {
		const GEOSGeometry *shell = GEOSGetExteriorRing_r(h, s->geoms[i]);
		int nholes = GEOSGetNumInteriorRings_r(h, s->geoms[i]);
		bool ok = shell && nholes >= 0 && edges_add_ring(gi, s, shell, s->unit[i], &xy_cap, &chunk_cap, &npts);
		for (int k = 0; ok && k < nholes; k++)
			ok = edges_add_ring(gi, s, GEOSGetInteriorRingN_r(h, s->geoms[i], k), s->unit[i], &xy_cap,
					    &chunk_cap, &npts);
		if (!ok)
			return err_set(e, E_INTERNAL, NULL, "GEOS 无法读取单位 %s 的边界线：%s",
				       gi->units[s->unit[i]].code, gi->g.msg);
	}
	edges_mark(s, npts);
	if (!(s->edge_tree = GEOSSTRtree_create_r(h, 10)))
		return err_set(e, E_INTERNAL, NULL, "GEOS 无法建立空间索引：%s", gi->g.msg);
	/* the tree keeps envelopes, read from these geometries; they go once it is built */
	envs = xcalloc(s->nchunks, sizeof(*envs));
	for (size_t k = 0; k < s->nchunks; k++) {
		const double *xy = s->edge_xy + 2 * (size_t)s->chunks[k].at;
		double *box = s->chunks[k].box;
		box[0] = box[2] = xy[0];
		box[1] = box[3] = xy[1];
		for (uint32_t j = 1; j < s->chunks[k].n; j++) {
			double x = xy[2 * j], y = xy[2 * j + 1];
			box[0] = x < box[0] ? x : box[0];
			box[1] = y < box[1] ? y : box[1];
			box[2] = x > box[2] ? x : box[2];
			box[3] = y > box[3] ? y : box[3];
		}
		GEOSCoordSequence *seq = GEOSCoordSeq_copyFromBuffer_r(h, box, 2, 0, 0);
		if (!seq || !(envs[k] = GEOSGeom_createLineString_r(h, seq))) {
			rc = err_set(e, E_INTERNAL, NULL, "GEOS 无法建立边界线索引：%s", gi->g.msg);
			goto out;
		}
		GEOSSTRtree_insert_r(h, s->edge_tree, envs[k], (void *)(uintptr_t)k);
	}
	if (s->nchunks)
		GEOSSTRtree_query_r(h, s->edge_tree, envs[0], query_nothing, NULL); /* builds the tree */
out:
	for (size_t k = 0; k < s->nchunks; k++)
		if (envs[k])
			GEOSGeom_destroy_r(h, envs[k]);
	free(envs);
	return rc;
}

/* ------------------------------------------------------- nearest boundary */

/*
 * The nearest boundary of a unit that handles cases, for a point in an area
 * no unit handles (boundary_import.no_handling): the nearest segment of the
 * set's edges (edges_build) whose unit handles cases, Euclidean in degrees
 * of the set's system. Why not GEOS's distance: 3.11's nearest points of a
 * prepared polygon is the brute-force DistanceOp over every vertex, and
 * GEOS's prepared distance per polygon through the STRtree's nearest-
 * neighbour search cost a point in one of NYC's parks about 100 µs, 30
 * times a contains test (bench/geo.c); over the edges, with the cache
 * below, it costs about one.
 */
struct near_search {
	const struct geo_set *set;
	const struct unit_info *units;
	double x, y;   /* the point, in the set's system */
	double best2;  /* squared distance to the nearest segment so far */
	double qx, qy; /* the nearest point on it */
	size_t unit;   /* its unit, (size_t)-1 while none */
};

/* Chunk k against the point: the nearest of its segments, if its unit handles cases and its envelope is near enough. */
static void near_scan(struct near_search *n, size_t k)
{
	const struct edge_chunk *ch = &n->set->chunks[k];
	double bx = fmax(fmax(ch->box[0] - n->x, n->x - ch->box[2]), 0);
	double by = fmax(fmax(ch->box[1] - n->y, n->y - ch->box[3]), 0);
	if (n->units[ch->unit].no_handling || bx * bx + by * by >= n->best2)
		return;
	const double *xy = n->set->edge_xy + 2 * (size_t)ch->at;
	for (uint32_t j = 0; j + 1 < ch->n; j++, xy += 2) {
		double dx = xy[2] - xy[0], dy = xy[3] - xy[1], len2 = dx * dx + dy * dy;
		double t = len2 > 0 ? ((n->x - xy[0]) * dx + (n->y - xy[1]) * dy) / len2 : 0;
		t = t < 0 ? 0 : t > 1 ? 1 : t;
		double qx = xy[0] + t * dx, qy = xy[1] + t * dy;
		double d2 = (n->x - qx) * (n->x - qx) + (n->y - qy) * (n->y - qy);
		if (d2 < n->best2) {
			n->best2 = d2;
			n->qx = qx;
			n->qy = qy;
			n->unit = ch->unit;
		}
	}
}

static void near_chunk(void *item, void *ud)
{
	near_scan(ud, (uintptr_t)item);
}

/*
 * The nearest over the whole set, through the edge tree: boxes around the
 * point from a cell of the edge grid, four times larger each time, until
 * the nearest segment found lies within the box (a nearer one would cross
 * the box, so its chunk was returned); once one is found, a last box
 * fitted to it. false only when GEOS fails.
 */
static bool near_search_box(GEOSContextHandle_t h, struct near_search *n)
{
	const struct geo_set *s = n->set;
	double r = fmax(1 / s->gsx, 1 / s->gsy);

	for (;;) {
		GEOSGeometry *box = GEOSGeom_createRectangle_r(h, n->x - r, n->y - r, n->x + r, n->y + r);
		if (!box)
			return false;
		GEOSSTRtree_query_r(h, s->edge_tree, box, near_chunk, n);
		GEOSGeom_destroy_r(h, box);
		if (n->best2 <= r * r)
			return true;
		if (n->x - r <= s->gx0 && n->x + r >= s->gx1 && n->y - r <= s->gy0 && n->y + r >= s->gy1)
			return true; /* the box held every edge: there is none */
		r = n->unit != (size_t)-1 ? sqrt(n->best2) * (1 + 1e-9) : 4 * r;
	}
}

/*
 * For each area no unit handles, a grid over its envelope (at most
 * AREA_GRID × AREA_GRID cells, none smaller than a cell of the edge grid)
 * and, per cell, the chunks that can hold the nearest segment of some
 * point of the cell. With c the cell's centre, h half its diagonal and d
 * the distance to the nearest segment, d(p) ≤ d(c) + h for every p of the
 * cell (a distance to a set moves no faster than the point), so p's nearest
 * segment lies within d(c) + 2h of c: those chunks, nearest to c first, are
 * all a lookup scans (near_from_cache). Built at load with one tree query
 * a cell: the previous cell's d bounds this one's.
 */
#define AREA_GRID 16
struct area_cache {
	double x0, y0, sx, sy; /* the envelope's corner; cells per unit of x, of y */
	uint32_t w, h;
	uint32_t *start; /* w·h + 1 offsets into chunk */
	uint32_t *chunk; /* per cell, chunk indices */
};

struct near_item {
	uint32_t k;
	double d2;
};

/* Chunks near a cell's centre: each handling chunk returned, with its distance. */
struct near_collect {
	struct near_search n; /* the point (the centre); scratch for one chunk */
	double reach2;        /* squared: chunks farther are not wanted */
	struct near_item *items;
	size_t count, cap;
};

static void collect_chunk(void *item, void *ud)
{
	struct near_collect *c = ud;
	c->n.best2 = c->reach2;
	c->n.unit = (size_t)-1;
	near_scan(&c->n, (uintptr_t)item);
	if (c->n.unit == (size_t)-1)
		return; /* an area no unit handles, or beyond reach */
	if (c->count == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 64;
		c->items = xrealloc(c->items, c->cap * sizeof(*c->items));
	}
	c->items[c->count++] = (struct near_item){(uint32_t)(uintptr_t)item, c->n.best2};
}

static int near_item_cmp(const void *a, const void *b)
{
	const struct near_item *x = a, *y = b;
	return x->d2 < y->d2 ? -1 : x->d2 > y->d2 ? 1 : (x->k > y->k) - (x->k < y->k);
}

static enum err_code area_cache_build(struct geo_index *gi, struct geo_set *s, size_t poly, struct err *e)
{
	GEOSContextHandle_t h = gi->g.h;
	struct area_cache *a = xcalloc(1, sizeof(*a));
	struct near_collect col = {.n = {.set = s, .units = gi->units}};
	size_t used = 0, cap = 0;
	double x1, y1, d_prev = DBL_MAX, px = 0, py = 0, d_row = DBL_MAX, rx = 0, ry = 0;
	enum err_code rc = OK;

	s->areas[poly] = a;
	if (!GEOSGeom_getXMin_r(h, s->geoms[poly], &a->x0) || !GEOSGeom_getYMin_r(h, s->geoms[poly], &a->y0) ||
	    !GEOSGeom_getXMax_r(h, s->geoms[poly], &x1) || !GEOSGeom_getYMax_r(h, s->geoms[poly], &y1))
		return err_set(e, E_INTERNAL, NULL, "GEOS 无法读取单位 %s 的边界范围：%s", gi->units[s->unit[poly]].code,
			       gi->g.msg);
	double cw = ceil((x1 - a->x0) * s->gsx), ch = ceil((y1 - a->y0) * s->gsy);
	a->w = cw < 1 ? 1 : cw > AREA_GRID ? AREA_GRID : (uint32_t)cw;
	a->h = ch < 1 ? 1 : ch > AREA_GRID ? AREA_GRID : (uint32_t)ch;
	double sw = (x1 - a->x0) / a->w, sh = (y1 - a->y0) / a->h; /* a cell's size */
	a->sx = sw > 0 ? 1 / sw : 0;
	a->sy = sh > 0 ? 1 / sh : 0;
	double half = 0.5 * sqrt(sw * sw + sh * sh);
	a->start = xcalloc((size_t)a->w * a->h + 1, sizeof(*a->start));
	for (uint32_t r = 0; r < a->h; r++)
		for (uint32_t q = 0; q < a->w; q++) {
			double cx = a->x0 + (q + 0.5) * sw, cy = a->y0 + (r + 0.5) * sh, d;
			col.n.x = cx;
			col.n.y = cy;
			if (q == 0) { /* a row starts from the cell above */
				d_prev = d_row;
				px = rx;
				py = ry;
			}
			if (d_prev == DBL_MAX && !(r == 0 && q == 0)) {
				d = DBL_MAX; /* the first cell found no segment: there is none */
				col.count = 0;
			} else {
				/* the nearest segment of c lies within: the first cell searches, the others use the previous */
				double reach;
				if (r == 0 && q == 0) {
					struct near_search n = {s, gi->units, cx, cy, DBL_MAX, 0, 0, (size_t)-1};
					if (!near_search_box(h, &n)) {
						rc = err_set(e, E_INTERNAL, NULL, "GEOS 无法建立空间索引：%s", gi->g.msg);
						goto out;
					}
					reach = n.unit == (size_t)-1 ? -1 : sqrt(n.best2) + 2 * half;
				} else {
					reach = d_prev + hypot(cx - px, cy - py) + 2 * half;
				}
				col.count = 0;
				if (reach >= 0) {
					reach = reach * (1 + 1e-9) + 1e-12; /* rounding */
					col.reach2 = reach * reach;
					GEOSGeometry *box = GEOSGeom_createRectangle_r(h, cx - reach, cy - reach, cx + reach,
											  cy + reach);
					if (!box) {
						rc = err_set(e, E_INTERNAL, NULL, "GEOS 无法建立空间索引：%s", gi->g.msg);
						goto out;
					}
					GEOSSTRtree_query_r(h, s->edge_tree, box, collect_chunk, &col);
					GEOSGeom_destroy_r(h, box);
				}
				d = DBL_MAX;
				for (size_t i = 0; i < col.count; i++)
					d = fmin(d, sqrt(col.items[i].d2));
			}
			/* keep the chunks within d + 2h, nearest first */
			size_t keep = 0;
			double lim = (d + 2 * half) * (1 + 1e-9) + 1e-12;
			for (size_t i = 0; i < col.count; i++)
				if (sqrt(col.items[i].d2) <= lim)
					col.items[keep++] = col.items[i];
			if (keep > 1)
				qsort(col.items, keep, sizeof(*col.items), near_item_cmp);
			if (used + keep > cap) {
				cap = 2 * (used + keep) + 64;
				a->chunk = xrealloc(a->chunk, cap * sizeof(*a->chunk));
			}
			for (size_t i = 0; i < keep; i++)
				a->chunk[used++] = col.items[i].k;
			a->start[(size_t)r * a->w + q + 1] = (uint32_t)used;
			d_prev = d;
			px = cx;
			py = cy;
			if (q == 0) {
				d_row = d;
				rx = cx;
				ry = cy;
			}
		}
out:
	free(col.items);
	return rc;
}

/* The nearest for a point inside the cached area: its cell's chunks. */
static void near_from_cache(struct near_search *n, const struct area_cache *a)
{
	uint32_t q = (uint32_t)fmax(0, (n->x - a->x0) * a->sx), r = (uint32_t)fmax(0, (n->y - a->y0) * a->sy);
	size_t cell = (size_t)(r < a->h ? r : a->h - 1) * a->w + (q < a->w ? q : a->w - 1);
	for (uint32_t i = a->start[cell]; i < a->start[cell + 1]; i++)
		near_scan(n, a->chunk[i]);
}

/* A cache for every area no unit handles in the set (after edges_build). */
static enum err_code area_caches_build(struct geo_index *gi, struct geo_set *s, struct err *e)
{
	enum err_code rc;
	for (size_t i = 0; i < s->n; i++) {
		if (!gi->units[s->unit[i]].no_handling)
			continue;
		if (!s->areas)
			s->areas = xcalloc(s->n, sizeof(*s->areas));
		if ((rc = area_cache_build(gi, s, i, e)) != OK)
			return rc;
	}
	return OK;
}

/*
 * Prepare a set and index it. Then use every lazy structure once under the
 * load (see the file comment) so that lookups only read.
 */
static enum err_code set_prepare(struct geo_index *gi, struct geo_set *s, struct err *e)
{
	GEOSContextHandle_t h = gi->g.h;
	s->prep = xcalloc(s->n, sizeof(*s->prep));
	s->tree = GEOSSTRtree_create_r(h, 10);
	if (!s->tree)
		return err_set(e, E_INTERNAL, NULL, "GEOS 无法建立空间索引：%s", gi->g.msg);
	for (size_t i = 0; i < s->n; i++) {
		if (!(s->prep[i] = GEOSPrepare_r(h, s->geoms[i])))
			return err_set(e, E_INTERNAL, NULL, "GEOS 无法预处理单位 %s 的边界：%s",
				       gi->units[s->unit[i]].code, gi->g.msg);
		GEOSSTRtree_insert_r(h, s->tree, s->geoms[i], (void *)(uintptr_t)i);
	}
	for (size_t i = 0; i < s->n; i++) {
		GEOSGeometry *p = GEOSPointOnSurface_r(h, s->geoms[i]);
		if (!p)
			continue;
		GEOSPreparedContains_r(h, s->prep[i], p);
		if (i == 0)
			GEOSSTRtree_query_r(h, s->tree, p, query_nothing, NULL); /* builds the tree */
		GEOSGeom_destroy_r(h, p);
	}
	enum err_code rc = edges_build(gi, s, e);
	return rc == OK ? area_caches_build(gi, s, e) : rc;
}

enum err_code geo_index_load(struct store *st, struct geo_index **out, struct err *e)
{
	struct geo_index *gi = xcalloc(1, sizeof(*gi));
	struct load_run L = {gi, e};
	enum err_code rc;

	*out = NULL;
	gctx_init(&gi->g);
	gi->top = -1;
	for (int l = 0; l < LEVELS; l++)
		for (int c = 0; c < CRS_COUNT; c++)
			gi->sets[l][c].crs = (enum crs)c;
	if ((rc = store_units_list(st, -1, NULL, load_unit, gi, e)) != OK)
		goto fail;
	if ((rc = store_boundaries_list(st, -1, load_boundary, &L, e)) != OK ||
	    (rc = store_boundaries_unhandled(st, load_unhandled, &L, e)) != OK)
		goto fail;
	for (int l = LEVELS - 1; l >= 0; l--)
		for (int c = 0; c < CRS_COUNT; c++) {
			if (!gi->sets[l][c].n)
				continue;
			gi->top = l;
			gi->set_crs[l][gi->nsets[l]++] = c;
			if ((rc = set_prepare(gi, &gi->sets[l][c], e)) != OK)
				goto fail;
		}
	/* districts in one system and nothing below: resolve_single (no level above to fill from the unit tree) */
	gi->single = gi->nsets[0] == 1 && !gi->nsets[1] && !gi->nsets[2] ? 0 : -1;
	if (gi->top >= 0)
		gi->outside_len = (size_t)snprintf(gi->outside, sizeof(gi->outside), " 不在任何%s的边界内，需由中心研判",
						   level_words[gi->top]);
	for (int c = 0; c < CRS_COUNT; c++)
		for (int l = 0; l < LEVELS; l++)
			if (gi->sets[l][c].n) {
				gi->crs_used[gi->ncrs++] = c;
				break;
			}
	*out = gi;
	return OK;
fail:
	geo_index_free(gi);
	return rc;
}

void geo_index_free(struct geo_index *gi)
{
	if (!gi)
		return;
	GEOSContextHandle_t h = gi->g.h;
	for (int l = 0; l < LEVELS; l++)
		for (int c = 0; c < CRS_COUNT; c++) {
			struct geo_set *s = &gi->sets[l][c];
			if (s->tree)
				GEOSSTRtree_destroy_r(h, s->tree);
			for (size_t i = 0; i < s->n; i++) {
				if (s->prep && s->prep[i])
					GEOSPreparedGeom_destroy_r(h, s->prep[i]);
				GEOSGeom_destroy_r(h, s->geoms[i]);
			}
			if (s->edge_tree)
				GEOSSTRtree_destroy_r(h, s->edge_tree);
			free(s->prep);
			free(s->geoms);
			free(s->unit);
			free(s->edge_xy);
			free(s->edge_cells);
			for (size_t i = 0; s->areas && i < s->n; i++)
				if (s->areas[i]) {
					free(s->areas[i]->start);
					free(s->areas[i]->chunk);
					free(s->areas[i]);
				}
			free(s->areas);
			free(s->chunks);
		}
	for (size_t i = 0; i < gi->nunits; i++)
		free(gi->units[i].inside);
	free(gi->units);
	strmap_release(&gi->unit_by_code);
	GEOS_finish_r(h);
	free(gi);
}

size_t geo_index_size(const struct geo_index *gi)
{
	return gi ? gi->count : 0;
}

/* ---------------------------------------------------------------- lookup */

/* What one level said about the point. */
enum lv_state {
	LV_EMPTY, /* the level has no boundaries */
	LV_NONE,  /* in no polygon */
	LV_ONE,   /* inside exactly one */
	LV_EDGE,  /* on a polygon's edge (shared or not) */
	LV_TWO,   /* inside two or more (overlapping polygons) */
	LV_AREA,  /* inside an area no unit handles only: unit[0] is the nearest handling unit, if any */
};

/*
 * What one level's trees said about a point: the units whose polygon
 * contains it, or (edge pass) whose boundary it lies on.
 */
struct probe {
	GEOSContextHandle_t h;
	const struct geo_set *set;
	const struct unit_info *units;
	const GEOSGeometry *pt;
	double x, y;      /* the point in set's system (edge pass) */
	size_t found[2]; /* first two units found (units that handle cases) */
	size_t nfound, ncand;
	size_t area, nareas; /* the first area no unit handles that contains it (unit); how many */
	const struct geo_set *area_set; /* and that first area's set and polygon */
	size_t area_poly;
	bool failed;
};

static void probe_found(struct probe *p, size_t unit)
{
	for (size_t k = 0; k < p->nfound && k < 2; k++)
		if (p->found[k] == unit)
			return;
	if (p->nfound < 2)
		p->found[p->nfound] = unit;
	p->nfound++;
}

/* STRtree callback: a polygon whose envelope holds the point. */
static void probe_contains(void *item, void *ud)
{
	struct probe *p = ud;
	size_t i = (size_t)(uintptr_t)item;
	char r = GEOSPreparedContains_r(p->h, p->set->prep[i], p->pt);
	p->ncand++;
	if (r == 1) {
		size_t u = p->set->unit[i];
		if (!p->units[u].no_handling)
			probe_found(p, u);
		else if (!p->nareas++) {
			p->area = u;
			p->area_set = p->set;
			p->area_poly = i;
		}
	} else if (r != 0) {
		p->failed = true;
	}
}

/* Great-circle distance in metres between two lon/lat points (a sphere of the mean radius). */
static double metres_between(double lon1, double lat1, double lon2, double lat2)
{
	double p1 = lat1 * M_PI / 180.0, p2 = lat2 * M_PI / 180.0;
	double sp = sin((p2 - p1) / 2), sl = sin((lon2 - lon1) * M_PI / 360.0);
	double k = sp * sp + cos(p1) * cos(p2) * sl * sl;
	return 2.0 * 6371008.8 * asin(sqrt(k < 1 ? k : 1));
}

/* Edge-tree callback: is the point on one of this chunk's segments? */
static void probe_edge(void *item, void *ud)
{
	struct probe *p = ud;
	const struct edge_chunk *ch = &p->set->chunks[(uintptr_t)item];
	const double *xy = p->set->edge_xy + 2 * (size_t)ch->at;
	for (uint32_t k = 0; k + 1 < ch->n; k++, xy += 2) {
		double ax = xy[0], ay = xy[1], bx = xy[2], by = xy[3];
		if (p->x < (ax < bx ? ax : bx) || p->x > (ax < bx ? bx : ax) || p->y < (ay < by ? ay : by) ||
		    p->y > (ay < by ? by : ay))
			continue;
		int o = GEOSOrientationIndex_r(p->h, ax, ay, bx, by, p->x, p->y);
		if (o == 0) {
			probe_found(p, ch->unit);
			return;
		}
		if (o != -1 && o != 1)
			p->failed = true;
	}
}

struct level_result {
	enum lv_state state;
	size_t unit[2]; /* the unit found (ONE), the first two touched (EDGE, TWO), the nearest (AREA) */
	size_t nunits;
	size_t area;   /* AREA: the area no unit handles */
	double metres; /* AREA: from the point to the nearest unit's boundary */
};

/*
 * A level whose contains pass found only areas no unit handles (the first
 * of them: area_set's polygon area_poly): the nearest boundary of a unit
 * that handles cases over the level's sets, and how far it is in metres on
 * the sphere. The area's own set answers from its cache, another set (a
 * level imported in two systems) by searching.
 */
static bool level_nearest(const struct geo_index *gi, int l, GEOSContextHandle_t h, const double xs[CRS_COUNT],
			  const double ys[CRS_COUNT], const struct geo_set *area_set, size_t area_poly,
			  struct level_result *lr)
{
	struct near_search best = {.best2 = DBL_MAX, .unit = (size_t)-1};

	lr->state = LV_AREA;
	for (int k = 0; k < gi->nsets[l]; k++) {
		const struct geo_set *s = &gi->sets[l][gi->set_crs[l][k]];
		struct near_search n = {s, gi->units, xs[s->crs], ys[s->crs], DBL_MAX, 0, 0, (size_t)-1};
		if (s == area_set && s->areas[area_poly])
			near_from_cache(&n, s->areas[area_poly]);
		else if (!near_search_box(h, &n))
			return false;
		if (n.unit != (size_t)-1 && n.best2 < best.best2)
			best = n;
	}
	if (best.unit == (size_t)-1)
		return true;
	lr->metres = metres_between(best.x, best.y, best.qx, best.qy);
	lr->unit[lr->nunits++] = best.unit;
	return true;
}

/*
 * One level: query each of its sets with the point in that set's system.
 * Exactly one unit's polygon containing the point answers; two or more is
 * an overlap. Only when none contains it, yet some envelope held it, is the
 * edge tree asked whether the point lies on a boundary: a point inside
 * costs what a bare GEOS contains loop costs. (A point inside one polygon
 * and on another's edge can only be where polygons overlap; it is the
 * first's.) The level has at least one set; xs, ys are the point per system.
 */
static bool probe_level(const struct geo_index *gi, int l, GEOSContextHandle_t h, GEOSGeometry *const pts[CRS_COUNT],
			const double xs[CRS_COUNT], const double ys[CRS_COUNT], struct level_result *lr)
{
	struct probe p;

	p.h = h;
	p.units = gi->units;
	p.nfound = p.ncand = p.nareas = 0;
	p.failed = false;
	lr->nunits = 0;
	for (int k = 0; k < gi->nsets[l]; k++) {
		int c = gi->set_crs[l][k];
		p.set = &gi->sets[l][c];
		p.pt = pts[c];
		GEOSSTRtree_query_r(h, p.set->tree, p.pt, probe_contains, &p);
	}
	if (p.failed)
		return false;
	if (p.nfound) {
		lr->state = p.nfound == 1 ? LV_ONE : LV_TWO;
	} else if (p.nareas) {
		lr->area = p.area;
		return level_nearest(gi, l, h, xs, ys, p.area_set, p.area_poly, lr);
	} else if (p.ncand) {
		for (int k = 0; k < gi->nsets[l]; k++) {
			int c = gi->set_crs[l][k];
			p.set = &gi->sets[l][c];
			p.x = xs[c];
			p.y = ys[c];
			if (edge_near(p.set, p.x, p.y))
				GEOSSTRtree_query_r(h, p.set->edge_tree, pts[c], probe_edge, &p);
		}
		if (p.failed)
			return false;
		lr->state = p.nfound ? LV_EDGE : LV_NONE;
	} else {
		lr->state = LV_NONE;
	}
	for (size_t k = 0; k < p.nfound && k < 2; k++)
		lr->unit[lr->nunits++] = p.found[k];
	return true;
}

/*
 * A bounded sentence: appends stop at the capacity, never cutting a UTF-8
 * character. Lengths are passed in (literals, names measured at load):
 * lookups run a million times a second and strlen showed in the profile.
 */
struct sentence {
	char *s;
	size_t len, cap;
};

static inline void say_n(struct sentence *w, const char *t, size_t n)
{
	if (w->len + n + 1 > w->cap) {
		n = w->cap - w->len - 1;
		while (n > 0 && ((unsigned char)t[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(w->s + w->len, t, n);
	w->len += n;
	w->s[w->len] = '\0';
}

/* A string literal, its length known at compile time. */
#define SAY(w, lit) say_n((w), (lit), sizeof(lit) - 1)

static const char digit_pairs[] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
				  "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
				  "8081828384858687888990919293949596979899";

/*
 * A coordinate with up to 6 decimals (≈0.1 m), trailing zeros dropped,
 * written at dst (at most 11 bytes); returns its length. Written by hand:
 * snprintf's "%f" costs as much as the GEOS lookup itself.
 */
static size_t coord_write(char *dst, double v)
{
	char *d = dst;
	uint32_t m = (uint32_t)(fabs(v) * 1e6 + 0.5); /* |v| <= 180: fits 32 bits */
	uint32_t ip = m / 1000000, fp = m % 1000000;
	if (v < 0 && m)
		*d++ = '-';
	if (ip >= 100) {
		*d++ = (char)('0' + ip / 100);
		memcpy(d, digit_pairs + 2 * (ip % 100), 2);
		d += 2;
	} else if (ip >= 10) {
		memcpy(d, digit_pairs + 2 * ip, 2);
		d += 2;
	} else {
		*d++ = (char)('0' + ip);
	}
	if (fp) {
		*d++ = '.';
		memcpy(d, digit_pairs + 2 * (fp / 10000), 2);
		memcpy(d + 2, digit_pairs + 2 * (fp / 100 % 100), 2);
		memcpy(d + 4, digit_pairs + 2 * (fp % 100), 2);
		d += 6;
		while (d[-1] == '0')
			d--;
	}
	return (size_t)(d - dst);
}

/*
 * Start the evidence with the point as given: "坐标（GCJ-02）116.2229,39.9063".
 * At most 42 bytes, so it always fits (the sentence is empty). The heads are
 * padded to 24 bytes so the copy has a fixed size.
 */
static void say_point(struct sentence *w, enum crs crs, double lon, double lat)
{
	static const char heads[][24] = {
		[CRS_WGS84] = "坐标（WGS84）", [CRS_GCJ02] = "坐标（GCJ-02）", [CRS_BD09] = "坐标（BD-09）"};
	static const size_t head_len[] = {
		[CRS_WGS84] = sizeof("坐标（WGS84）") - 1, [CRS_GCJ02] = sizeof("坐标（GCJ-02）") - 1,
		[CRS_BD09] = sizeof("坐标（BD-09）") - 1};
	char *p = w->s;
	memcpy(p, heads[crs], sizeof(heads[crs]));
	p += head_len[crs];
	p += coord_write(p, lon);
	*p++ = ',';
	p += coord_write(p, lat);
	*p = '\0';
	w->len = (size_t)(p - w->s);
}

static void say_unit(struct sentence *w, const struct geo_index *gi, size_t ui)
{
	const struct unit_info *u = &gi->units[ui];
	if (u->name_len)
		say_n(w, u->name, u->name_len);
	else
		say_n(w, u->code, u->code_len);
}

/* "A与B" (or "A") of a level's units. */
static void say_units(struct sentence *w, const struct geo_index *gi, const struct level_result *lr)
{
	for (size_t k = 0; k < lr->nunits; k++) {
		if (k)
			SAY(w, "与");
		say_unit(w, gi, lr->unit[k]);
	}
}

/*
 * A point in an area no unit handles, and what was proposed:
 * "位于P（无承办单位的区域）内，最近的有承办单位的区为N（边界相距约 120 米）",
 * after " " when it opens the sentence, else after "，".
 */
static void say_area(struct sentence *w, const struct geo_index *gi, int l, const struct level_result *a, bool first)
{
	if (first)
		SAY(w, " 位于");
	else
		SAY(w, "，位于");
	say_unit(w, gi, a->area);
	SAY(w, "（无承办单位的区域）内，");
	if (!a->nunits) {
		SAY(w, "附近没有有承办单位的");
		say_n(w, level_words[l], strlen(level_words[l]));
		return;
	}
	char m[24], *d = m + sizeof(m);
	uint64_t v = a->metres < 1e15 ? (uint64_t)(a->metres + 0.5) : 999999999999999u;
	do
		*--d = (char)('0' + v % 10);
	while (v /= 10);
	SAY(w, "最近的有承办单位的");
	say_n(w, level_words[l], strlen(level_words[l]));
	SAY(w, "为");
	say_unit(w, gi, a->unit[0]);
	SAY(w, "（边界相距约 ");
	say_n(w, d, (size_t)(m + sizeof(m) - d));
	SAY(w, " 米）");
}

static void set_code(struct place_resolution *out, int l, const struct unit_info *u)
{
	char *dst = l == 0 ? out->district : l == 1 ? out->street : out->community;
	memcpy(dst, u->code, sizeof(u->code)); /* fixed size: the array, NUL-padded */
}

/*
 * The usual index: districts in one system and no level below (the demo, a
 * city's districts). A point inside one polygon, in an area no unit
 * handles, or near none, is answered here without the general
 * bookkeeping; anything else (an edge, an overlap, a GEOS error) returns
 * false and the general path asks again.
 */
static bool resolve_single(const struct geo_index *gi, GEOSContextHandle_t h, double lon, double lat, enum crs crs,
			   struct place_resolution *out, struct sentence *w)
{
	int l = gi->single, c = gi->set_crs[l][0];
	struct probe p;
	double x = lon, y = lat;

	if ((enum crs)c != crs)
		crs_convert(crs, (enum crs)c, lon, lat, &x, &y);
	if (!(p.pt = GEOSGeom_createPointFromXY_r(h, x, y)))
		return false;
	p.h = h;
	p.set = &gi->sets[l][c];
	p.units = gi->units;
	p.nfound = p.ncand = p.nareas = 0;
	p.failed = false;
	GEOSSTRtree_query_r(h, p.set->tree, p.pt, probe_contains, &p);
	bool inside = p.nfound == 1;
	if (!p.failed && !p.nfound && !p.nareas && p.ncand && edge_near(p.set, x, y)) {
		p.x = x;
		p.y = y;
		GEOSSTRtree_query_r(h, p.set->edge_tree, p.pt, probe_edge, &p);
	}
	GEOSGeom_destroy_r(h, (GEOSGeometry *)p.pt);
	if (p.failed || (p.nfound && !inside))
		return false;
	if (!p.nfound && p.nareas) {
		struct level_result lr = {.area = p.area};
		double xs[CRS_COUNT], ys[CRS_COUNT];
		xs[c] = x;
		ys[c] = y;
		if (!level_nearest(gi, l, h, xs, ys, p.area_set, p.area_poly, &lr))
			return false;
		memcpy(out->method, "point", sizeof("point"));
		out->needs_decision = true;
		out->confidence = lr.nunits ? 0.6 : 0.0;
		if (lr.nunits)
			set_code(out, l, &gi->units[lr.unit[0]]);
		say_area(w, gi, l, &lr, true);
		SAY(w, "，需由中心研判");
		return true;
	}
	if (inside) {
		const struct unit_info *u = &gi->units[p.found[0]];
		if (!u->inside)
			return false;
		set_code(out, l, u);
		memcpy(out->method, "point", sizeof("point"));
		out->confidence = 1.0;
		out->needs_decision = false;
		if (u->inside_len < INSIDE_FIXED)
			memcpy(w->s + w->len, u->inside, INSIDE_FIXED);
		else
			memcpy(w->s + w->len, u->inside, u->inside_len + 1);
		return true;
	}
	memcpy(out->method, "none", sizeof("none"));
	out->confidence = 0;
	out->needs_decision = true;
	memcpy(w->s + w->len, gi->outside, gi->outside_len + 1);
	return true;
}

/*
 * Every level of every set: the codes found, filled from the unit tree or
 * proposed, and the evidence after the point (w holds it already).
 */
static enum err_code resolve_levels(const struct geo_index *gi, GEOSContextHandle_t h, double lon, double lat,
				    enum crs crs, struct place_resolution *out, struct sentence *sw, struct err *e)
{
	GEOSGeometry *pts[CRS_COUNT] = {NULL};
	double xs[CRS_COUNT], ys[CRS_COUNT];
	struct level_result lr[LEVELS];
	struct sentence w = *sw;
	size_t resolved[LEVELS] = {(size_t)-1, (size_t)-1, (size_t)-1};
	bool filled[LEVELS] = {false}, near[LEVELS] = {false};
	int flagged = -1, deepest = -1, mismatch = -1, area = -1, nresolved = 0;
	bool any_filled = false;
	enum err_code rc = OK;

	for (int k = 0; k < gi->ncrs; k++) {
		int c = gi->crs_used[k];
		double x = lon, y = lat;
		if ((enum crs)c != crs)
			crs_convert(crs, (enum crs)c, lon, lat, &x, &y);
		xs[c] = x;
		ys[c] = y;
		if (!(pts[c] = GEOSGeom_createPointFromXY_r(h, x, y))) {
			rc = err_set(e, E_INTERNAL, NULL, "GEOS 无法生成坐标点");
			goto out;
		}
	}
	for (int l = 0; l < LEVELS; l++) {
		if (!gi->nsets[l]) {
			lr[l].state = LV_EMPTY;
			continue;
		}
		if (!probe_level(gi, l, h, pts, xs, ys, &lr[l])) {
			rc = err_set(e, E_INTERNAL, NULL, "GEOS 判定坐标时出错");
			goto out;
		}
		if (lr[l].state == LV_ONE) {
			resolved[l] = lr[l].unit[0];
			deepest = l;
			nresolved++;
			set_code(out, l, &gi->units[resolved[l]]);
		} else if (lr[l].state == LV_AREA) {
			if (area < 0)
				area = l;
			if (lr[l].nunits) { /* proposed: the nearest unit that handles cases */
				resolved[l] = lr[l].unit[0];
				near[l] = true;
				deepest = l;
				nresolved++;
				set_code(out, l, &gi->units[resolved[l]]);
			}
		} else if (flagged < 0 && (lr[l].state == LV_EDGE || lr[l].state == LV_TWO)) {
			flagged = l;
		}
	}
	/* Fill the levels above the deepest found from the unit tree; a disagreement is flagged. */
	if (deepest > 0) {
		const struct unit_info *u = &gi->units[resolved[deepest]];
		for (int hops = 0; hops < 8 && u->parent[0]; hops++) {
			size_t pi = index_of(&gi->unit_by_code, u->parent);
			if (pi == (size_t)-1)
				break;
			u = &gi->units[pi];
			int l = level_index(u->kind);
			if (l < 0 || l >= deepest)
				continue;
			if (resolved[l] == (size_t)-1) {
				resolved[l] = pi;
				filled[l] = true;
				any_filled = true;
				set_code(out, l, u);
			} else if (resolved[l] != pi && mismatch < 0) {
				mismatch = l;
			}
		}
	}

	if (deepest >= 0 || flagged >= 0 || area >= 0)
		memcpy(out->method, "point", sizeof("point"));
	else
		memcpy(out->method, "none", sizeof("none"));
	out->needs_decision = flagged >= 0 || mismatch >= 0 || deepest < 0 || area >= 0;
	/* a proposal from an area no unit handles, and nothing else in doubt: 0.6 */
	out->confidence = !out->needs_decision                                ? 1.0
			  : area >= 0 && deepest >= 0 && flagged < 0 && mismatch < 0 ? 0.6
			  : deepest >= 0 || flagged >= 0                          ? 0.5
										  : 0.0;

	/* The evidence. The usual case first: one unit found, nothing else to say (always fits). */
	if (!out->needs_decision && nresolved == 1 && !any_filled && gi->units[resolved[deepest]].inside) {
		const struct unit_info *u = &gi->units[resolved[deepest]];
		if (u->inside_len < INSIDE_FIXED)
			memcpy(w.s + w.len, u->inside, INSIDE_FIXED);
		else
			memcpy(w.s + w.len, u->inside, u->inside_len + 1);
		goto out;
	}
	if (deepest < 0 && flagged < 0 && area < 0) {
		memcpy(w.s + w.len, gi->outside, gi->outside_len + 1);
		goto out;
	}
	bool said = false;
	for (int l = 0; l < LEVELS; l++) {
		if (resolved[l] == (size_t)-1 || filled[l] || near[l])
			continue;
		if (said)
			SAY(&w, "、");
		else
			SAY(&w, " 位于");
		say_unit(&w, gi, resolved[l]);
		said = true;
	}
	if (said)
		SAY(&w, "边界内");
	if (area >= 0)
		say_area(&w, gi, area, &lr[area], !said);
	for (int l = 0, any = 0; l < LEVELS; l++) {
		if (!filled[l])
			continue;
		if (any++)
			SAY(&w, "、");
		else
			SAY(&w, "，所属");
		say_unit(&w, gi, resolved[l]);
		SAY(&w, "据单位树补全");
	}
	if (flagged >= 0) {
		if (said || area >= 0)
			SAY(&w, "，但");
		else
			SAY(&w, " ");
		if (lr[flagged].state == LV_TWO) {
			SAY(&w, "同时位于");
			say_units(&w, gi, &lr[flagged]);
			SAY(&w, "边界内");
		} else {
			SAY(&w, "位于");
			say_units(&w, gi, &lr[flagged]);
			if (lr[flagged].nunits > 1)
				SAY(&w, "的边界上");
			else
				SAY(&w, "的边界线上");
		}
	} else if (mismatch >= 0) {
		SAY(&w, "，但");
		say_unit(&w, gi, resolved[deepest]);
		SAY(&w, "不属于");
		say_unit(&w, gi, resolved[mismatch]);
	}
	if (out->needs_decision) {
		SAY(&w, "，需由");
		/* a street or community undecided inside a known district: that district decides */
		if ((flagged > 0 || (flagged < 0 && area > 0)) && resolved[0] != (size_t)-1 && !near[0])
			say_unit(&w, gi, resolved[0]);
		else
			SAY(&w, "中心");
		SAY(&w, "研判");
	}
out:
	for (int k = 0; k < gi->ncrs; k++)
		if (pts[gi->crs_used[k]])
			GEOSGeom_destroy_r(h, pts[gi->crs_used[k]]);
	return rc;
}

enum err_code geo_resolve_point(const struct geo_index *gi, double lon, double lat, enum crs crs,
				struct place_resolution *out, struct err *e)
{
	struct sentence w = {out->evidence, 0, sizeof(out->evidence)};

	out->district[0] = out->street[0] = out->community[0] = '\0';
	out->matched[0] = out->evidence[0] = '\0';
	if (!(lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90)) /* NaN fails too */
		return err_set(e, E_INVALID, "lon", "坐标超出经纬度范围");
	if ((unsigned)crs >= CRS_COUNT)
		return err_set(e, E_INVALID, "crs", "坐标系应为 wgs84、gcj02 或 bd09");
	say_point(&w, crs, lon, lat);
	if (!gi || gi->top < 0) {
		memcpy(out->method, "none", sizeof("none"));
		out->confidence = 0;
		out->needs_decision = true;
		SAY(&w, " 无法按边界判定：尚未导入任何边界，需由中心研判");
		return OK;
	}
	GEOSContextHandle_t h = thread_ctx();
	if (gi->single >= 0 && resolve_single(gi, h, lon, lat, crs, out, &w))
		return OK;
	return resolve_levels(gi, h, lon, lat, crs, out, &w, e);
}

