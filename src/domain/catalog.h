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

/* A unit code: 1–LIMIT_CODE characters of [0-9A-Za-z_-] (every import checks codes with this). */
bool catalog_code_valid(const char *s);

/* The code of the hotline centre, the root of the unit tree. */
#define CENTRE_CODE "12345"

#endif
