/*
 * geo — jurisdiction from the place (DOMAIN.md §10): coordinate systems,
 * unit boundaries with point lookup (GEOS), and the address gazetteer.
 * Both lookups answer with a place_resolution: the district, street and
 * community found, how, how sure, and the evidence in a sentence a
 * dispatcher can check.
 */
#ifndef JIESU_GEO_H
#define JIESU_GEO_H

#include "../store/store.h"
#include "catalog.h"

/* ---- coordinate systems (geo_crs.c) ---- */
enum crs { CRS_WGS84, CRS_GCJ02, CRS_BD09 };
int crs_parse(const char *s); /* -1 if unknown */
const char *crs_name(enum crs c);
/*
 * Convert a point between WGS84 (GPS, Open311), GCJ-02 (Amap, Tencent) and
 * BD-09 (Baidu). GCJ-02 is only offset inside China; outside it the point
 * is returned unchanged, as the published algorithm does. The inverse of
 * GCJ-02 is found by iteration to under half a metre.
 */
void crs_convert(enum crs from, enum crs to, double lon, double lat, double *out_lon, double *out_lat);

/* What a lookup found. Codes are "" when that level was not resolved. */
struct place_resolution {
	char district[LIMIT_CODE + 1];
	char street[LIMIT_CODE + 1];
	char community[LIMIT_CODE + 1];
	char method[16];                 /* "point", "address" or "none" */
	double confidence;               /* 0–1 */
	char matched[TEXT_BYTES(64)];    /* address: the text that matched */
	char evidence[TEXT_BYTES(200)];  /* one sentence, in Chinese */
	bool needs_decision;             /* nothing found, ambiguous, or on a boundary: the district or centre decides */
};

/* ---- boundaries and point lookup (geo_index.c) ---- */

/*
 * Import a GeoJSON FeatureCollection (RFC 7946: Polygon, MultiPolygon,
 * holes) as the boundaries of one level. Each feature's code_property names
 * the unit it belongs to; with create_units, unknown codes become units of
 * that level under parent (name from name_property, may be NULL = the
 * code). Every geometry is checked with GEOS; an invalid geometry, an
 * unknown code, a missing property or a bad file is refused with the
 * feature's index and code, and nothing is imported (one transaction).
 * A feature's code is properties[code_property], a string or an integer;
 * code_property "id" also reads the feature's own id member (RFC 7946
 * §3.2) when properties has none. Positions keep [lon, lat] (an altitude
 * is dropped); the store keeps the geometry in the system it came in.
 * Limits: GEO_IMPORT_MAX_FILE bytes, 100,000 features, 1,000,000 vertices
 * per feature.
 *
 * no_handling lists, comma-separated, the codes of areas that no unit
 * handles although the file draws them as boundaries of their own (a park,
 * an airport: NYC's Joint Interest Areas); each must be a feature of the
 * file. A point in such an area is proposed to the nearest boundary of the
 * level that has a handling unit, for a person to confirm (see
 * geo_resolve_point). Importing a file again sets the flag anew for every
 * feature in it.
 */
#define GEO_IMPORT_MAX_FILE (256 * 1024 * 1024)
struct boundary_import {
	const char *level;         /* district | street | community */
	const char *code_property; /* e.g. "adcode", "BoroCD" */
	const char *name_property; /* for created units; NULL = use the code */
	enum crs crs;
	bool create_units;
	const char *parent;      /* parent of created units */
	const char *no_handling; /* "164,355,480": areas no unit handles; NULL or "" = none */
};
enum err_code geo_import_boundaries(struct store *st, const char *data, size_t len, const struct boundary_import *opt,
				    progress_fn pf, void *pctx, size_t *count, struct err *e);

/*
 * The demo city's district boundaries, embedded in the binary
 * (data/beijing/districts_echarts.geojson, GCJ-02, code in each feature's
 * id), imported at level district, after the districts exist; all or
 * nothing, in the caller's transaction if one is open, else in its own.
 * The file's coarse polygons touch themselves in places, which GEOS calls
 * invalid: here, and only here, they are mended with GEOS's MakeValid
 * instead of refused, and the mended geometry is what the store keeps.
 */
enum err_code geo_load_demo_boundaries(struct store *st, struct err *e);

/*
 * The boundaries of every level, prepared for point-in-polygon with a
 * spatial index. Built once (geo_index_load) and read-only afterwards;
 * lookups are safe from several threads at once.
 */
struct geo_index;
enum err_code geo_index_load(struct store *st, struct geo_index **out, struct err *e);
void geo_index_free(struct geo_index *gi);
/* Number of boundaries loaded (all levels). */
size_t geo_index_size(const struct geo_index *gi);
/*
 * District, street and community for a point given in crs (converted to
 * each boundary set's own system first). A point in none, or in two
 * polygons of a level (on a boundary), sets needs_decision and says so in
 * the evidence; the levels above it still resolve. A point inside an area
 * that no unit handles (boundary_import.no_handling), and in no handling
 * polygon of that level, resolves to the level's nearest handling polygon
 * (GEOS distance, in degrees of the boundaries' system) with confidence
 * 0.6 and needs_decision: the evidence names the area, the unit proposed
 * and how far its boundary is.
 */
enum err_code geo_resolve_point(const struct geo_index *gi, double lon, double lat, enum crs crs,
				struct place_resolution *out, struct err *e);

/* ---- the address gazetteer (gazetteer.c) ---- */

/*
 * Entries come from the unit names (with their aliases: a street named
 * without 街道/地区/镇/乡, a community without 社区/居委会/村委会, known
 * alternative names such as 沙河镇 = 沙河地区) and from entries a city
 * adds (roads, compounds, landmarks → a unit). Built once, read-only after.
 */
struct gazetteer;
/* Write the built-in entries (derived from the unit names) for every district, street and community; idempotent. */
enum err_code gazetteer_build_builtin(struct store *st, size_t *count, struct err *e);
/* Import entries from CSV "name,unit,kind" (kind road|compound|landmark|alias), all or nothing. */
enum err_code gazetteer_import(struct store *st, const char *data, size_t len, size_t *count, struct err *e);
enum err_code gazetteer_load(struct store *st, struct gazetteer **out, struct err *e);
void gazetteer_free(struct gazetteer *g);
/*
 * Resolve an address by the longest match over the text (no word
 * segmentation), preferring the most specific level and names consistent
 * with each other (a street inside the district also named). Unknown or
 * ambiguous → needs_decision.
 */
enum err_code gazetteer_resolve(const struct gazetteer *g, const char *address, struct place_resolution *out,
				struct err *e);
/*
 * Check one entry as an import row is checked (name 2–64 characters, unit
 * an existing street or community, kind road|compound|landmark|alias) and
 * write it with g->source (the API's "api"); g->id is set. A loaded
 * gazetteer does not see it until the next gazetteer_load.
 */
enum err_code gazetteer_entry_add(struct store *st, struct gaz_entry *g, struct err *e);
/* Distinct names in the matcher (for logs and benchmarks). */
size_t gazetteer_size(const struct gazetteer *g);

#endif
