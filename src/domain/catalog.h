/*
 * catalog — the reference data: the unit tree, the category tree with its
 * deadline tier and default handling, the tier rules and the holiday
 * calendar. Imports from CSV (checked row by row, all-or-nothing in one
 * transaction) and the Beijing demo set embedded in the binary.
 */
#ifndef JIESU_CATALOG_H
#define JIESU_CATALOG_H

#include "../store/store.h"

/* Progress callback for long imports: done of total rows (total may be 0 if unknown). */
typedef void (*progress_fn)(void *ctx, const char *what, size_t done, size_t total);

/*
 * Units CSV, header "code,name,kind,parent[,sector]"; kind as unit_kind_name().
 * Parents must exist already or come earlier in the file.
 */
enum err_code catalog_import_units(struct store *st, const char *data, size_t len, progress_fn pf, void *pctx,
				   size_t *count, struct err *e);
/*
 * Categories CSV, header "path,tier,handling"; path "一级->二级->三级",
 * handling "street" or "sector:<key>".
 */
enum err_code catalog_import_categories(struct store *st, const char *data, size_t len, size_t *count,
					struct err *e);
enum err_code catalog_import_tiers(struct store *st, const char *data, size_t len, size_t *count, struct err *e);
enum err_code catalog_import_holidays(struct store *st, const char *data, size_t len, size_t *count,
				      struct err *e);

/*
 * Load the built-in reference set into an empty database: the 12345 centre,
 * default tier rules and the holiday calendars, and the category tree.
 * With demo, also Beijing's 16 districts, 349 streets, 7,535 communities and
 * each district's standard departments and enterprises.
 */
enum err_code catalog_load_builtin(struct store *st, bool demo, progress_fn pf, void *pctx, struct err *e);

/*
 * The demo's accounts (every role at 石景山区 and its streets, departments
 * and enterprises), all with the password CATALOG_DEMO_PASSWORD. unit is a
 * code, or "sector:KEY" for 石景山区's department or enterprise with that remit.
 */
#define CATALOG_DEMO_PASSWORD "jiesu-demo"
struct catalog_demo_user {
	const char *login, *name, *unit, *role;
};
extern const struct catalog_demo_user catalog_demo_users[];
extern const size_t catalog_demo_users_count;
/* Create the demo accounts (after catalog_load_builtin with demo). */
enum err_code catalog_add_demo_users(struct store *st, int64_t now, progress_fn pf, void *pctx, struct err *e);

/*
 * One record at a time, for the administration API. Strings are as the
 * client sent them; each error names the field (code, name, kind, parent,
 * sector, path, tier, handling, date) in words for a form. Each call is
 * its own transaction: a refused change leaves everything as it was.
 *
 * catalog_unit_add: a new unit (never the centre). The parent must exist
 * and be of the kind the new unit hangs under (district → centre; street,
 * department, enterprise → district; community → street). Departments and
 * enterprises need a sector key no other unit of that district carries
 * (E_CONFLICT on "sector"); other kinds take none. An existing code is
 * E_CONFLICT on "code". *out (may be NULL) gets the unit with its path.
 */
enum err_code catalog_unit_add(struct store *st, const char *code, const char *name, const char *kind,
			       const char *parent, const char *sector, struct unit *out, struct err *e);
/* Rename a unit or change a department's sector (NULL: unchanged); code, kind and parent stay. */
enum err_code catalog_unit_update(struct store *st, const char *code, const char *name, const char *sector,
				  struct unit *out, struct err *e);
/*
 * A new category: path "一级->二级->三级" (1–3 levels), tier by name,
 * handling "street" or "sector:KEY" where some department or enterprise has
 * KEY. A path already used is E_CONFLICT on "path".
 */
enum err_code catalog_category_add(struct store *st, const char *path, const char *tier, const char *handling,
				   struct category *out, struct err *e);
/* Change a category's tier or handling (NULL: unchanged); E_NOT_FOUND on "id". */
enum err_code catalog_category_update(struct store *st, int64_t id, const char *tier, const char *handling,
				      struct category *out, struct err *e);
/*
 * Add or replace the calendar entry of date ("YYYY-MM-DD"): kind "off" (any
 * day) or "work" (a Saturday or Sunday only: 调休上班), name 1–32
 * characters. Deadlines already set are not recomputed.
 */
#define HOLIDAY_NAME_CHARS 32
enum err_code catalog_holiday_set(struct store *st, const char *date, const char *kind, const char *name,
				  struct holiday *out, struct err *e);
/* Remove date's entry; E_NOT_FOUND on "date" if there is none. */
enum err_code catalog_holiday_delete(struct store *st, const char *date, struct err *e);

/* A unit code: 1–LIMIT_CODE characters of [0-9A-Za-z_-] (every import checks codes with this). */
bool catalog_code_valid(const char *s);

/* The code of the hotline centre, the root of the unit tree. */
#define CENTRE_CODE "12345"

#endif
