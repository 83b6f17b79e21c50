/*
 * store_sqlite_gaz.c — the address gazetteer table (0004-geo.sql) for the
 * SQLite engine. Statements are prepared per call (store_sqlite_int.h):
 * the gazetteer is written by imports and read once at start-up.
 */
#include "store_sqlite_int.h"

#include <string.h>

/* Copy a text column into a fixed array; false if it does not fit. */
static bool col_copy(sqlite3_stmt *s, int i, char *dst, size_t n)
{
	const unsigned char *v = sqlite3_column_text(s, i);
	return strlcpy_ok(dst, v ? (const char *)v : "", n);
}

/*
 * Insert (name, unit), or update kind and source of the existing row with
 * the same name and unit; g->id gets the row's id either way. An unknown
 * unit or kind is E_INVALID on that field.
 */
enum err_code store_gazetteer_put(struct store *st, struct gaz_entry *g, struct err *e)
{
	static const char sql[] =
	    "INSERT INTO gazetteer (name, unit, kind, source) VALUES (?1, ?2, ?3, ?4) "
	    "ON CONFLICT (name, unit) DO UPDATE SET kind = excluded.kind, source = excluded.source "
	    "RETURNING id";
	sqlite3 *db = store_sqlite_db(st);
	sqlite3_stmt *s = NULL;
	enum err_code rc = OK;

	if (!g->name[0])
		return err_set(e, E_INVALID, "name", "地名不能为空");
	if (!g->unit[0])
		return err_set(e, E_INVALID, "unit", "地名须指向一个单位");
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return store_sqlite_fail(st, e, "准备写入地名");
	sqlite3_bind_text(s, 1, g->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, g->unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, g->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, g->source[0] ? g->source : "import", -1, SQLITE_STATIC);
	int r = sqlite3_step(s);
	if (r == SQLITE_ROW) {
		g->id = sqlite3_column_int64(s, 0);
		r = sqlite3_step(s);
	}
	if (r != SQLITE_DONE) {
		switch (sqlite3_extended_errcode(db)) {
		case SQLITE_CONSTRAINT_FOREIGNKEY:
			rc = err_set(e, E_INVALID, "unit", "单位 %s 不存在", g->unit);
			break;
		case SQLITE_CONSTRAINT_CHECK:
			rc = err_set(e, E_INVALID, "kind",
				     "地名类型 %s 不认识：应为 unit、alias、road、compound 或 landmark",
				     g->kind);
			break;
		case SQLITE_CONSTRAINT_NOTNULL:
			rc = err_set(e, E_INVALID, NULL, "地名条目缺少必填字段");
			break;
		default:
			rc = store_sqlite_fail(st, e, "写入地名");
		}
	}
	sqlite3_finalize(s);
	return rc;
}

/* Delete one entry by id; E_NOT_FOUND if there is none. */
enum err_code store_gazetteer_delete(struct store *st, int64_t id, struct err *e)
{
	sqlite3 *db = store_sqlite_db(st);
	sqlite3_stmt *s = NULL;
	enum err_code rc = OK;

	if (sqlite3_prepare_v2(db, "DELETE FROM gazetteer WHERE id = ?1", -1, &s, NULL) != SQLITE_OK)
		return store_sqlite_fail(st, e, "准备删除地名");
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = store_sqlite_fail(st, e, "删除地名");
	else if (sqlite3_changes(db) == 0)
		rc = err_set(e, E_NOT_FOUND, "id", "地名条目 %lld 不存在", (long long)id);
	sqlite3_finalize(s);
	return rc;
}

/* Every entry, by id. A callback's non-zero return stops the walk and is returned. */
enum err_code store_gazetteer_list(struct store *st, gaz_fn fn, void *ctx, struct err *e)
{
	sqlite3 *db = store_sqlite_db(st);
	sqlite3_stmt *s = NULL;
	enum err_code rc = OK;
	int r;

	if (sqlite3_prepare_v2(db, "SELECT id, name, unit, kind, source FROM gazetteer ORDER BY id", -1, &s,
			       NULL) != SQLITE_OK)
		return store_sqlite_fail(st, e, "准备读取地名");
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		struct gaz_entry g = {0};
		g.id = sqlite3_column_int64(s, 0);
		if (!col_copy(s, 1, g.name, sizeof(g.name)) || !col_copy(s, 2, g.unit, sizeof(g.unit)) ||
		    !col_copy(s, 3, g.kind, sizeof(g.kind)) || !col_copy(s, 4, g.source, sizeof(g.source))) {
			rc = err_set(e, E_DB, NULL, "地名条目 %lld 的字段超长", (long long)g.id);
			break;
		}
		int stop = fn(ctx, &g);
		if (stop) {
			rc = (enum err_code)stop;
			break;
		}
	}
	if (rc == OK && r != SQLITE_DONE)
		rc = store_sqlite_fail(st, e, "读取地名");
	sqlite3_finalize(s);
	return rc;
}
