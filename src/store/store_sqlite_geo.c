/*
 * store_sqlite_geo.c — the SQLite engine's boundaries (DOMAIN.md §10):
 * one polygon geometry per unit, kept as the GeoJSON text it was imported
 * as, with its coordinate system. Statements are prepared per call (an
 * import writes at most 100,000 rows; the index loads them once at start).
 */
#include "store_sqlite_int.h"

#include <string.h>

/* Levels that can carry a boundary. */
static bool boundary_level(enum unit_kind k)
{
	return k == UNIT_DISTRICT || k == UNIT_STREET || k == UNIT_COMMUNITY;
}

/* Insert the unit's boundary or replace the one it had. */
enum err_code store_boundary_put(struct store *st, const char *unit, enum unit_kind level, const char *crs,
				 const char *geojson, bool handling, int64_t now, struct err *e)
{
	static const char sql[] = "INSERT INTO boundaries (unit, level, crs, geojson, imported_at, handling) "
				  "VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
				  "ON CONFLICT (unit) DO UPDATE SET level = excluded.level, crs = excluded.crs, "
				  "geojson = excluded.geojson, imported_at = excluded.imported_at, "
				  "handling = excluded.handling";
	sqlite3 *db = store_sqlite_db(st);
	sqlite3_stmt *s = NULL;
	enum err_code rc = OK;

	if (!unit || !*unit)
		return err_set(e, E_INVALID, "unit", "边界缺少单位代码");
	if (!boundary_level(level))
		return err_set(e, E_INVALID, "level", "只有区、街道、社区可以有边界");
	if (!geojson || !*geojson)
		return err_set(e, E_INVALID, "geojson", "单位 %.*s 的边界几何为空", LIMIT_CODE, unit);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return store_sqlite_fail(st, e, "写入边界");
	sqlite3_bind_text(s, 1, unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, unit_kind_name(level), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, crs, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, geojson, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, now);
	sqlite3_bind_int(s, 6, handling ? 1 : 0);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = store_sqlite_fail(st, e, "写入边界");
	sqlite3_finalize(s);
	return rc;
}

/*
 * Every boundary of one level (or all), by unit code. A row whose level
 * is not a boundary level cannot exist (the table's CHECK), so it is read
 * with unit_kind_parse and trusted.
 */
enum err_code store_boundaries_list(struct store *st, int level, boundary_fn fn, void *ctx, struct err *e)
{
	static const char sql[] = "SELECT unit, level, crs, geojson FROM boundaries "
				  "WHERE ?1 IS NULL OR level = ?1 ORDER BY unit";
	sqlite3 *db = store_sqlite_db(st);
	sqlite3_stmt *s = NULL;
	enum err_code rc = OK;
	int r;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return store_sqlite_fail(st, e, "列出边界");
	if (level >= 0)
		sqlite3_bind_text(s, 1, unit_kind_name((enum unit_kind)level), -1, SQLITE_STATIC);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		const char *unit = (const char *)sqlite3_column_text(s, 0);
		int kind = unit_kind_parse((const char *)sqlite3_column_text(s, 1));
		const char *crs = (const char *)sqlite3_column_text(s, 2);
		const char *geojson = (const char *)sqlite3_column_text(s, 3);
		if (kind < 0) {
			rc = err_set(e, E_DB, NULL, "边界 %.*s 的层级不合法", LIMIT_CODE, unit ? unit : "");
			goto out;
		}
		if ((rc = (enum err_code)fn(ctx, unit ? unit : "", (enum unit_kind)kind, crs ? crs : "",
					    geojson ? geojson : "")) != OK)
			goto out;
	}
	if (r != SQLITE_DONE)
		rc = store_sqlite_fail(st, e, "列出边界");
out:
	sqlite3_finalize(s);
	return rc;
}

enum err_code store_boundaries_unhandled(struct store *st, code_fn fn, void *ctx, struct err *e)
{
	static const char sql[] = "SELECT unit FROM boundaries WHERE handling = 0 ORDER BY unit";
	sqlite3 *db = store_sqlite_db(st);
	sqlite3_stmt *s = NULL;
	enum err_code rc = OK;
	int r;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return store_sqlite_fail(st, e, "列出无承办单位的区域");
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		const char *unit = (const char *)sqlite3_column_text(s, 0);
		if ((rc = (enum err_code)fn(ctx, unit ? unit : "")) != OK)
			goto out;
	}
	if (r != SQLITE_DONE)
		rc = store_sqlite_fail(st, e, "列出无承办单位的区域");
out:
	sqlite3_finalize(s);
	return rc;
}
