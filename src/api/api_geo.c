/*
 * api_geo.c — place lookup (GET /api/v1/geo/resolve, by address or by
 * coordinates) and the gazetteer's entries (list, add, delete).
 *
 * The gazetteer and the boundaries are loaded once per process into the
 * shared case context (read-only, shared by every worker thread). An entry
 * added or deleted here is written to the database at once, but the loaded
 * gazetteer is not rebuilt under running requests: it takes effect at the
 * next start of the server (the response says so).
 */
#include "api_int.h"
#include "../domain/geo.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* {"district":…,"street":…,"community":…,"method",…}: the resolution as the API shows it. */
static json_t *resolution_json(struct store *st, const struct place_resolution *r)
{
	return json_pack("{s:o, s:o, s:o, s:s, s:f, s:s, s:s, s:b}", "district",
			 api_unit_ref(st, r->district), "street", api_unit_ref(st, r->street), "community",
			 api_unit_ref(st, r->community), "method", r->method, "confidence",
			 round(r->confidence * 100) / 100, "matched", r->matched, "evidence", r->evidence,
			 "needs_decision", r->needs_decision);
}

/* A query parameter as a finite number. */
static enum err_code query_double(const struct api_request *req, const char *key, double lo, double hi,
				  double *out, struct err *e)
{
	const char *v = api_query(req, key);
	char *end;
	if (!v)
		return err_set(e, E_INVALID, key, "缺少参数 %s", key);
	*out = strtod(v, &end);
	if (*end || end == v || !isfinite(*out) || *out < lo || *out > hi)
		return err_set(e, E_INVALID, key, "参数 %s 须为 %g 到 %g 之间的数", key, lo, hi);
	return OK;
}

/*
 * GET /api/v1/geo/resolve?address=… or ?lat=…&lon=…[&crs=wgs84|gcj02|bd09]
 * (crs defaults to gcj02, what Chinese maps give). 503-like E_INTERNAL when
 * the gazetteer or the boundaries are not loaded.
 */
HANDLER(api_geo_resolve)
{
	const char *address = api_query(req, "address");
	struct place_resolution r;
	enum err_code rc;

	if (address) {
		if (!ctx->cx.gaz)
			return err_set(e, E_INTERNAL, NULL, "地名库未加载");
		rc = gazetteer_resolve(ctx->cx.gaz, address, &r, e);
	} else if (api_query(req, "lat") || api_query(req, "lon")) {
		double lat, lon;
		const char *crs = api_query(req, "crs");
		int c = crs ? crs_parse(crs) : CRS_GCJ02;
		if ((rc = query_double(req, "lat", -90, 90, &lat, e)) ||
		    (rc = query_double(req, "lon", -180, 180, &lon, e)))
			return rc;
		if (c < 0)
			return err_set(e, E_INVALID, "crs", "坐标系须为 wgs84、gcj02 或 bd09");
		if (!ctx->cx.geo)
			return err_set(e, E_INTERNAL, NULL, "边界数据未加载");
		rc = geo_resolve_point(ctx->cx.geo, lon, lat, (enum crs)c, &r, e);
	} else {
		return err_set(e, E_INVALID, "address", "须提供 address，或 lat 和 lon");
	}
	if (rc != OK)
		return rc;
	res->body = resolution_json(ctx->cx.st, &r);
	return OK;
}

static json_t *entry_json(struct store *st, const struct gaz_entry *g)
{
	return json_pack("{s:I, s:s, s:o, s:s, s:s}", "id", (json_int_t)g->id, "name", g->name, "unit",
			 api_unit_ref(st, g->unit), "kind", g->kind, "source", g->source);
}

/* One page of the entries matching the filters. */
struct entry_page {
	struct store *st;
	const char *unit, *q, *kind, *source;
	long first, last; /* indexes of the page's matches [first, last) */
	long total;
	json_t *arr;
};

static int entry_page_add(void *ctx, const struct gaz_entry *g)
{
	struct entry_page *p = ctx;
	if ((p->unit && strcmp(g->unit, p->unit)) || (p->q && !strstr(g->name, p->q)) ||
	    (p->kind && strcmp(g->kind, p->kind)) || (p->source && strcmp(g->source, p->source)))
		return 0;
	if (p->total >= p->first && p->total < p->last)
		json_array_append_new(p->arr, entry_json(p->st, g));
	p->total++;
	return 0;
}

/* GET /api/v1/geo/gazetteer?unit=&q=&kind=&source=&page=&per_page= — by id. */
HANDLER(api_gazetteer_list)
{
	struct entry_page p = {.st = ctx->cx.st};
	long page, per_page;
	enum err_code rc;

	p.unit = api_query(req, "unit");
	p.q = api_query(req, "q");
	p.kind = api_query(req, "kind");
	p.source = api_query(req, "source");
	if (p.q && utf8_len(p.q) > 64)
		return err_set(e, E_INVALID, "q", "参数 q 不能超过 64 个字");
	if ((rc = api_query_int(req, "page", 1, 1000000, 1, &page, e)) ||
	    (rc = api_query_int(req, "per_page", 1, API_MAX_PER_PAGE, API_DEFAULT_PER_PAGE, &per_page, e)))
		return rc;
	p.first = (page - 1) * per_page;
	p.last = p.first + per_page;
	p.arr = json_array();
	rc = store_gazetteer_list(ctx->cx.st, entry_page_add, &p, e);
	if (rc != OK) {
		json_decref(p.arr);
		return rc;
	}
	res->body = json_pack("{s:o, s:I, s:i, s:i}", "entries", p.arr, "total", (json_int_t)p.total, "page",
			      (int)page, "per_page", (int)per_page);
	return OK;
}

/*
 * Admins manage entries: at the centre any, elsewhere those pointing
 * inside their own unit's subtree (a district's admin for its streets).
 */
static enum err_code may_manage(struct store *st, const struct actor *who, const char *unit, struct err *e)
{
	struct unit u;
	struct err ignore;
	char needle[LIMIT_CODE + 3];
	if (who->user.role != ROLE_ADMIN)
		return err_set(e, E_FORBIDDEN, NULL, "只有管理员可以维护地名库");
	if (who->unit.kind == UNIT_CENTRE)
		return OK;
	snprintf(needle, sizeof(needle), "/%s/", who->unit.code);
	if (store_unit_get(st, unit, &u, &ignore) == OK && !strstr(u.path, needle))
		return err_set(e, E_FORBIDDEN, "unit", "单位 %s 不在您所在单位（%s）的辖区内", unit,
			       who->unit.name);
	return OK;
}

#define RELOAD_NOTE "已写入数据库；地址定位在服务重启后使用新的地名库"

/* POST /api/v1/geo/gazetteer {"name","unit","kind"} → 201 with the entry. */
HANDLER(api_gazetteer_add)
{
	static const char *const keys[] = {"name", "unit", "kind", NULL};
	struct gaz_entry g = {0};
	json_t *body = NULL;
	enum err_code rc;

	if ((rc = api_parse_body(req, &body, e)))
		return rc;
	if ((rc = api_check_keys(body, keys, NULL, e)) ||
	    (rc = api_get_string(body, "name", NULL, g.name, sizeof(g.name), 64, true, e)) ||
	    (rc = api_get_string(body, "unit", NULL, g.unit, sizeof(g.unit), LIMIT_CODE, true, e)) ||
	    (rc = api_get_string(body, "kind", NULL, g.kind, sizeof(g.kind), 15, true, e)) ||
	    (rc = may_manage(ctx->cx.st, who, g.unit, e)))
		goto out;
	strlcpy_ok(g.source, "api", sizeof(g.source));
	if ((rc = gazetteer_entry_add(ctx->cx.st, &g, e)))
		goto out;
	res->status = 201;
	res->body = json_pack("{s:o, s:s}", "entry", entry_json(ctx->cx.st, &g), "note", RELOAD_NOTE);
out:
	json_decref(body);
	return rc;
}

struct entry_find {
	int64_t id;
	struct gaz_entry found;
	bool ok;
};

static int entry_find_cb(void *ctx, const struct gaz_entry *g)
{
	struct entry_find *f = ctx;
	if (g->id != f->id)
		return 0;
	f->found = *g;
	f->ok = true;
	return 0;
}

/* DELETE /api/v1/geo/gazetteer/{id} → 200 {"deleted": id}. */
HANDLER(api_gazetteer_delete)
{
	struct entry_find f = {0};
	char *end;
	enum err_code rc;

	f.id = strtoll(params[0], &end, 10);
	if (*end || f.id <= 0)
		return err_set(e, E_INVALID, "id", "地名条目编号须为正整数");
	if (who->user.role != ROLE_ADMIN)
		return err_set(e, E_FORBIDDEN, NULL, "只有管理员可以维护地名库");
	if ((rc = store_gazetteer_list(ctx->cx.st, entry_find_cb, &f, e)))
		return rc;
	if (!f.ok)
		return err_set(e, E_NOT_FOUND, "id", "地名条目 %lld 不存在", (long long)f.id);
	if ((rc = may_manage(ctx->cx.st, who, f.found.unit, e)) ||
	    (rc = store_gazetteer_delete(ctx->cx.st, f.id, e)))
		return rc;
	res->body = json_pack("{s:I, s:s}", "deleted", (json_int_t)f.id, "note", RELOAD_NOTE);
	return OK;
}

struct boundaries_ctx {
	struct store *st;
	const char *unit;   /* only this unit, or NULL */
	const char *within; /* only units whose path starts with this, or NULL */
	json_t *features;
	char crs[8]; /* the first feature's system ("" before it); all should agree */
	bool mixed;
};

static int add_boundary(void *vctx, const char *unit, enum unit_kind level, const char *crs, const char *geojson)
{
	struct boundaries_ctx *x = vctx;
	struct unit u;
	struct err ignore;
	if (x->unit && strcmp(unit, x->unit))
		return OK;
	if (store_unit_get(x->st, unit, &u, &ignore) != OK)
		return OK;
	if (x->within && !str_has_prefix(u.path, x->within))
		return OK;
	json_error_t jerr;
	json_t *geom = json_loads(geojson, 0, &jerr);
	if (!geom)
		return OK; /* checked at import; a row that no longer parses is left out */
	if (!x->crs[0])
		snprintf(x->crs, sizeof(x->crs), "%s", crs);
	else if (strcmp(x->crs, crs))
		x->mixed = true;
	json_array_append_new(x->features,
			      json_pack("{s:s, s:{s:s, s:s, s:s, s:s}, s:o}", "type", "Feature", "properties", "code",
					u.code, "name", u.name, "level", unit_kind_name(level), "crs", crs, "geometry",
					geom));
	return OK;
}

/*
 * GET /api/v1/geo/boundaries?level=district|street|community[&unit=CODE][&within=CODE]
 * → a GeoJSON FeatureCollection (properties code, name, level, crs), so a
 * page can draw the map itself: no online tiles are needed. "crs" names
 * the coordinate system of the coordinates (RFC 7946 would say WGS84;
 * Chinese boundary data is usually GCJ-02), "mixed" when the sets differ.
 */
HANDLER(api_geo_boundaries)
{
	const char *lv = api_query(req, "level"), *unit = api_query(req, "unit"), *within = api_query(req, "within");
	int level = -1;
	struct unit w;
	struct err ignore;
	if (lv && ((level = unit_kind_parse(lv)) < 0 ||
		   (level != UNIT_DISTRICT && level != UNIT_STREET && level != UNIT_COMMUNITY)))
		return err_set(e, E_INVALID, "level", "参数 level 须为 district、street 或 community");
	if (unit && store_unit_get(ctx->cx.st, unit, &w, &ignore) != OK)
		return err_set(e, E_INVALID, "unit", "单位 %s 不存在", unit);
	if (within && store_unit_get(ctx->cx.st, within, &w, &ignore) != OK)
		return err_set(e, E_INVALID, "within", "单位 %s 不存在", within);
	struct boundaries_ctx x = {ctx->cx.st, unit, within ? w.path : NULL, json_array(), "", false};
	enum err_code rc = store_boundaries_list(ctx->cx.st, level, add_boundary, &x, e);
	if (rc != OK) {
		json_decref(x.features);
		return rc;
	}
	res->body = json_pack("{s:s, s:s, s:o}", "type", "FeatureCollection", "crs",
			      x.mixed ? "mixed" : x.crs[0] ? x.crs : "gcj02", "features", x.features);
	return OK;
}
