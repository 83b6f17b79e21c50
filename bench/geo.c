/*
 * bench/geo.c — point lookup: agreement with ground truth and speed beside
 * a bare GEOS loop in the same run (docs/PERFORMANCE.md, bench/geo.sh).
 *
 *   build/bench/geo DATA_DIR POINTS
 *
 * Agreement: NYC's 71 community districts (DATA_DIR/us/, WGS84) imported
 * into a temporary database through geo_import_boundaries (--create-units
 * under a city unit), then every geocoded row of the 2011 311 sample
 * resolved and compared with the row's own "Community Board" ("11
 * BROOKLYN" → BoroCD 311). "Unspecified …" rows count as not matching and
 * are reported apart, as are points the resolver flags; a row whose
 * district is right but was proposed from an area no unit handles (a
 * person confirms it) counts as matching and is also counted apart.
 *
 * Speed: POINTS random points (fixed seed) in the boundaries' bounding box,
 * NYC and the Beijing demo districts (GCJ-02), on one thread:
 *   - jiesu: geo_resolve_point for each point;
 *   - bare: the same stored geometries read with GEOS's own GeoJSON reader,
 *     prepared, in a GEOS STRtree; per point make the point, query the tree,
 *     test each candidate with GEOSPreparedContains_r (and, separately,
 *     GEOSPreparedIntersects_r); the faster of the two is the baseline.
 * The points are timed in blocks of BLOCK, the three loops interleaved
 * block by block, ROUNDS times; each loop's time is the sum over blocks of
 * its best round, so a shared machine's noise hits both sides alike and
 * mostly not at all. Time is the thread's CPU time (one core). Each loop
 * runs twice over a block and only the second run is timed, so each finds
 * its own data in the caches: timed one after the other, the second bare
 * loop ran on the points and polygons the first had just read and was
 * 5–12% faster than the same loop run first (whichever of contains and
 * intersects came second), an advantage neither the first bare loop nor
 * jiesu had.
 *
 * NYC is imported twice: with its Joint Interest Areas marked as areas no
 * unit handles (NYC_JOINT_INTEREST_AREAS below), and plain; agreement and
 * speed are measured on both. With the areas marked, a random point in one
 * (about 3.6% of them) costs jiesu the nearest-boundary search on top of
 * the lookup the bare loop does.
 *
 * The data is test-only and never copied: without DATA_DIR/us the NYC part
 * prints "skip:" and the Beijing part (embedded demo data) still runs.
 * Output: one "key value..." line per figure, read by bench/geo.sh.
 */
#include "domain/geo.h"

#include <geos_c.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 5
#define BLOCK 20000 /* points timed together; the best of ROUNDS is kept per block */

/*
 * CPU time of this thread, ms: the figures are "on one core", and on a
 * shared machine wall time also counts the time other processes ran.
 */
static double cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ---------------------------------------------------------------- temp db */

struct tmpdb {
	char dir[64];
	char path[96];
	struct store *st;
};

static void die(const char *what, const struct err *e)
{
	fprintf(stderr, "bench geo: %s: %s\n", what, e ? e->msg : "");
	exit(1);
}

static void tmpdb_open(struct tmpdb *t)
{
	struct err e;
	err_init(&e);
	snprintf(t->dir, sizeof(t->dir), "/tmp/jiesu-bench-geo-XXXXXX");
	if (!mkdtemp(t->dir))
		die("mkdtemp", NULL);
	snprintf(t->path, sizeof(t->path), "%s/b.db", t->dir);
	if (store_open(t->path, &t->st, &e) != OK)
		die("store_open", &e);
}

static void tmpdb_close(struct tmpdb *t)
{
	static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
	char p[128];
	store_close(t->st);
	for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++) {
		snprintf(p, sizeof(p), "%s%s", t->path, suffixes[i]);
		unlink(p);
	}
	rmdir(t->dir);
}

/* ---------------------------------------------------------------- the bare loop */

/* The stored boundaries as plain GEOS objects, independent of geo_index.c. */
struct bare {
	GEOSContextHandle_t h;
	GEOSGeometry *geoms[4096];
	const GEOSPreparedGeometry *prep[4096];
	size_t n;
	GEOSSTRtree *tree;
	GEOSGeoJSONReader *reader;
	double x0, y0, x1, y1; /* bounding box of all */
};

static int bare_add(void *ctx, const char *unit, enum unit_kind level, const char *crs, const char *geojson)
{
	struct bare *b = ctx;
	if (b->n == ARRAY_SIZE(b->geoms))
		return E_TOO_LARGE;
	GEOSGeometry *g = GEOSGeoJSONReader_readGeometry_r(b->h, b->reader, geojson);
	if (!g) {
		fprintf(stderr, "bench geo: GEOS cannot read the boundary of %s\n", unit);
		return E_INTERNAL;
	}
	double x0, y0, x1, y1;
	GEOSGeom_getXMin_r(b->h, g, &x0);
	GEOSGeom_getYMin_r(b->h, g, &y0);
	GEOSGeom_getXMax_r(b->h, g, &x1);
	GEOSGeom_getYMax_r(b->h, g, &y1);
	if (!b->n || x0 < b->x0)
		b->x0 = x0;
	if (!b->n || y0 < b->y0)
		b->y0 = y0;
	if (!b->n || x1 > b->x1)
		b->x1 = x1;
	if (!b->n || y1 > b->y1)
		b->y1 = y1;
	b->geoms[b->n++] = g;
	return 0;
}

static void nothing(void *item, void *ud)
{
}

static struct bare *bare_load(struct store *st)
{
	struct bare *b = calloc(1, sizeof(*b));
	struct err e;
	err_init(&e);
	b->h = GEOS_init_r();
	b->reader = GEOSGeoJSONReader_create_r(b->h);
	if (store_boundaries_list(st, -1, bare_add, b, &e) != OK)
		die("bare load", &e);
	b->tree = GEOSSTRtree_create_r(b->h, 10);
	for (size_t i = 0; i < b->n; i++) {
		b->prep[i] = GEOSPrepare_r(b->h, b->geoms[i]);
		GEOSSTRtree_insert_r(b->h, b->tree, b->geoms[i], (void *)(uintptr_t)i);
	}
	/* the same warm-up as geo_index_load: lazy indexes built before timing */
	for (size_t i = 0; i < b->n; i++) {
		GEOSGeometry *p = GEOSPointOnSurface_r(b->h, b->geoms[i]);
		GEOSPreparedContains_r(b->h, b->prep[i], p);
		GEOSPreparedIntersects_r(b->h, b->prep[i], p);
		GEOSSTRtree_query_r(b->h, b->tree, p, nothing, NULL);
		GEOSGeom_destroy_r(b->h, p);
	}
	return b;
}

static void bare_free(struct bare *b)
{
	GEOSSTRtree_destroy_r(b->h, b->tree);
	for (size_t i = 0; i < b->n; i++) {
		GEOSPreparedGeom_destroy_r(b->h, b->prep[i]);
		GEOSGeom_destroy_r(b->h, b->geoms[i]);
	}
	GEOSGeoJSONReader_destroy_r(b->h, b->reader);
	GEOS_finish_r(b->h);
	free(b);
}

struct bare_q {
	struct bare *b;
	const GEOSGeometry *pt;
	bool intersects;
	int hits;
};

static void bare_candidate(void *item, void *ud)
{
	struct bare_q *q = ud;
	size_t i = (size_t)(uintptr_t)item;
	char r = q->intersects ? GEOSPreparedIntersects_r(q->b->h, q->b->prep[i], q->pt)
			       : GEOSPreparedContains_r(q->b->h, q->b->prep[i], q->pt);
	if (r == 1)
		q->hits++;
}

/* One pass of the bare loop; returns points in exactly one polygon. */
static size_t bare_pass(struct bare *b, const double *xy, size_t n, bool intersects)
{
	size_t one = 0;
	for (size_t i = 0; i < n; i++) {
		GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(b->h, xy[2 * i], xy[2 * i + 1]);
		struct bare_q q = {b, pt, intersects, 0};
		GEOSSTRtree_query_r(b->h, b->tree, pt, bare_candidate, &q);
		one += q.hits == 1;
		GEOSGeom_destroy_r(b->h, pt);
	}
	return one;
}

/*
 * One pass of jiesu's resolver; returns points resolved to a district, and
 * adds to *proposed those of them proposed from an area no unit handles.
 */
static size_t jiesu_pass(const struct geo_index *gi, const double *xy, size_t n, enum crs crs, size_t *proposed)
{
	struct place_resolution r;
	struct err e;
	size_t found = 0;
	for (size_t i = 0; i < n; i++) {
		if (geo_resolve_point(gi, xy[2 * i], xy[2 * i + 1], crs, &r, &e) != OK)
			die("resolve", &e);
		found += r.district[0] != '\0';
		*proposed += r.district[0] != '\0' && r.needs_decision;
	}
	return found;
}

/* xorshift64*: the same points on every run (speed starts it again for each set). */
#define RNG_SEED 0x9E3779B97F4A7C15ULL
static uint64_t rng = RNG_SEED;
static double uniform(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (double)((rng * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

/*
 * Time both sides over n random points in the box and print
 * "speed NAME jiesu=… bare=… bare_contains=… bare_intersects=… ratio=…".
 * in_crs is the system the points are given in to jiesu (converted to the
 * boundaries' system first when they differ).
 */
static void speed(const char *name, struct store *st, size_t n, enum crs box_crs, enum crs in_crs)
{
	struct geo_index *gi;
	struct err e;
	err_init(&e);
	if (geo_index_load(st, &gi, &e) != OK)
		die("geo_index_load", &e);
	struct bare *b = bare_load(st);
	rng = RNG_SEED;
	double *xy = malloc(2 * n * sizeof(*xy)), *in = malloc(2 * n * sizeof(*in));
	for (size_t i = 0; i < n; i++) {
		xy[2 * i] = b->x0 + (b->x1 - b->x0) * uniform();
		xy[2 * i + 1] = b->y0 + (b->y1 - b->y0) * uniform();
		in[2 * i] = xy[2 * i];
		in[2 * i + 1] = xy[2 * i + 1];
		if (in_crs != box_crs)
			crs_convert(box_crs, in_crs, xy[2 * i], xy[2 * i + 1], &in[2 * i], &in[2 * i + 1]);
	}
	size_t nblocks = (n + BLOCK - 1) / BLOCK, found_j = 0, found_b = 0, proposed = 0, scratch = 0;
	double *best = malloc(3 * nblocks * sizeof(*best)), best_j = 0, best_c = 0, best_i = 0;
	for (size_t k = 0; k < 3 * nblocks; k++)
		best[k] = 1e300;
	for (int round = 0; round < ROUNDS; round++) {
		found_j = found_b = proposed = 0;
		for (size_t blk = 0; blk < nblocks; blk++) {
			size_t at = blk * BLOCK, len = n - at < BLOCK ? n - at : BLOCK;
			double *bb = best + 3 * blk, t0, t1;
			jiesu_pass(gi, in + 2 * at, len, in_crs, &scratch); /* each loop warms its own caches first */
			t0 = cpu_ms();
			found_j += jiesu_pass(gi, in + 2 * at, len, in_crs, &proposed);
			t1 = cpu_ms();
			bb[0] = t1 - t0 < bb[0] ? t1 - t0 : bb[0];
			bare_pass(b, xy + 2 * at, len, false);
			t0 = cpu_ms();
			found_b += bare_pass(b, xy + 2 * at, len, false);
			t1 = cpu_ms();
			bb[1] = t1 - t0 < bb[1] ? t1 - t0 : bb[1];
			bare_pass(b, xy + 2 * at, len, true);
			t0 = cpu_ms();
			bare_pass(b, xy + 2 * at, len, true);
			t1 = cpu_ms();
			bb[2] = t1 - t0 < bb[2] ? t1 - t0 : bb[2];
		}
	}
	for (size_t blk = 0; blk < nblocks; blk++) {
		best_j += best[3 * blk];
		best_c += best[3 * blk + 1];
		best_i += best[3 * blk + 2];
	}
	free(best);
	double pj = n / (best_j / 1000), pc = n / (best_c / 1000), pi = n / (best_i / 1000);
	double bare = pc > pi ? pc : pi;
	printf("speed %s polygons=%zu points=%zu jiesu=%.0f bare=%.0f bare_contains=%.0f bare_intersects=%.0f "
	       "ratio=%.2f inside=%zu bare_inside=%zu proposed=%zu\n",
	       name, b->n, n, pj, bare, pc, pi, pj / bare, found_j, found_b, proposed);
	free(xy);
	free(in);
	bare_free(b);
	geo_index_free(gi);
}

/* ---------------------------------------------------------------- NYC */

/*
 * The file's features numbered above 18 within their borough: NYC's Joint
 * Interest Areas, large parks and airports (164 Central Park, 355 Prospect
 * Park, 480–484 LaGuardia, JFK and parks of Queens, ...) that the city's
 * planning department draws beside the 59 community districts but that
 * belong to no community board. Imported as areas no unit handles
 * (docs/GEO.md), so a point in one is proposed to the nearest board.
 */
#define NYC_JOINT_INTEREST_AREAS "164,226,227,228,355,356,480,481,482,483,484,595"

struct agree {
	struct geo_index *gi;
	int icb, ilat, ilon;
	bool header;
	size_t rows, geocoded, matched, unspecified, flagged, mismatched;
	size_t proposed; /* matched, but as a proposal from an area no unit handles (needs_decision) */
};

/* "11 BROOKLYN" → 311; 0 when the board is not a numbered board of a borough. */
static int boro_cd(const char *cb)
{
	static const char *const boroughs[] = {"MANHATTAN", "BRONX", "BROOKLYN", "QUEENS", "STATEN ISLAND"};
	char *end;
	long num = strtol(cb, &end, 10);
	if (end == cb || *end != ' ' || num <= 0 || num >= 100)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(boroughs); i++)
		if (!strcmp(end + 1, boroughs[i]))
			return (int)(i + 1) * 100 + (int)num;
	return 0;
}

/*
 * The 311 sample has 41 columns, more than core's csv_parse takes (32, a
 * limit for imports): a minimal RFC 4180 reader for this file, by hand.
 * Calls fn for each row with its fields (valid during the call).
 */
#define SAMPLE_MAX_FIELDS 64
static enum err_code sample_rows(const char *data, size_t len, csv_row_fn fn, void *ctx, struct err *e)
{
	char *scratch = malloc(len + 1), *fields[SAMPLE_MAX_FIELDS];
	size_t i = 0, lineno = 0;
	enum err_code rc = OK;
	while (i < len && rc == OK) {
		char *w = scratch + i; /* fields are never longer than their source text */
		int nf = 0;
		lineno++;
		for (;;) {
			if (nf == SAMPLE_MAX_FIELDS) {
				rc = err_set(e, E_INVALID, NULL, "line %zu: more than %d fields", lineno, nf);
				break;
			}
			fields[nf++] = w;
			if (i < len && data[i] == '"') {
				for (i++; i < len; i++) {
					if (data[i] == '"' && i + 1 < len && data[i + 1] == '"')
						*w++ = data[i++];
					else if (data[i] == '"')
						break;
					else
						*w++ = data[i];
				}
				i++;
			}
			while (i < len && data[i] != ',' && data[i] != '\n' && data[i] != '\r')
				*w++ = data[i++];
			*w++ = '\0';
			if (i < len && data[i] == ',') {
				i++;
				continue;
			}
			while (i < len && (data[i] == '\r' || data[i] == '\n'))
				i++;
			break;
		}
		if (rc == OK)
			rc = (enum err_code)fn(ctx, lineno, nf, fields, e);
	}
	free(scratch);
	return rc;
}

static int agree_row(void *ctx, size_t lineno, int nf, char **f, struct err *e)
{
	struct agree *a = ctx;
	if (!a->header) {
		a->icb = a->ilat = a->ilon = -1;
		for (int i = 0; i < nf; i++) {
			if (!strcmp(f[i], "Community Board"))
				a->icb = i;
			else if (!strcmp(f[i], "Latitude"))
				a->ilat = i;
			else if (!strcmp(f[i], "Longitude"))
				a->ilon = i;
		}
		if (a->icb < 0 || a->ilat < 0 || a->ilon < 0)
			return err_set(e, E_INVALID, NULL, "missing Community Board / Latitude / Longitude");
		a->header = true;
		return OK;
	}
	a->rows++;
	if (a->ilat >= nf || a->ilon >= nf || !*f[a->ilat] || !*f[a->ilon])
		return OK;
	a->geocoded++;
	struct place_resolution r;
	if (geo_resolve_point(a->gi, atof(f[a->ilon]), atof(f[a->ilat]), CRS_WGS84, &r, e) != OK)
		return e->code;
	int want = boro_cd(f[a->icb]);
	char code[16];
	snprintf(code, sizeof(code), "%d", want);
	if (want && !strcmp(r.district, code)) {
		a->matched++;
		a->proposed += r.needs_decision;
	} else if (str_has_prefix(f[a->icb], "Unspecified"))
		a->unspecified++;
	else if (r.needs_decision)
		a->flagged++;
	else
		a->mismatched++;
	return OK;
}

/*
 * Import NYC into t (with no_handling, or none) and print the agreement on
 * a line starting with what ("agreement", "agreement_plain").
 */
static void nyc_import_agree(struct tmpdb *t, const char *geo_path, const char *csv_path, const char *no_handling,
			     const char *what)
{
	struct err e;
	char *data;
	size_t len, count = 0;
	err_init(&e);
	tmpdb_open(t);
	struct unit city = {.code = "NYC", .name = "New York City", .kind = UNIT_CENTRE};
	if (store_unit_put(t->st, &city, &e) != OK)
		die("city unit", &e);
	struct boundary_import opt = {.level = "district",
				      .code_property = "BoroCD",
				      .crs = CRS_WGS84,
				      .create_units = true,
				      .parent = "NYC",
				      .no_handling = no_handling};
	double t0 = clock_mono_ms();
	if (file_read_all(geo_path, GEO_IMPORT_MAX_FILE, &data, &len, &e) != OK ||
	    geo_import_boundaries(t->st, data, len, &opt, NULL, NULL, &count, &e) != OK)
		die("import NYC", &e);
	double t1 = clock_mono_ms();
	free(data);
	struct agree a = {0};
	if (geo_index_load(t->st, &a.gi, &e) != OK)
		die("geo_index_load", &e);
	double t2 = clock_mono_ms();
	if (no_handling)
		printf("import nyc polygons=%zu import_ms=%.0f load_ms=%.0f\n", count, t1 - t0, t2 - t1);
	if (file_read_all(csv_path, 16 << 20, &data, &len, &e) != OK || sample_rows(data, len, agree_row, &a, &e) != OK)
		die("NYC 311 sample", &e);
	free(data);
	printf("%s rows=%zu geocoded=%zu matched=%zu share=%.4f unspecified=%zu flagged=%zu mismatched=%zu "
	       "proposed=%zu\n",
	       what, a.rows, a.geocoded, a.matched, a.geocoded ? (double)a.matched / (double)a.geocoded : 0.0,
	       a.unspecified, a.flagged, a.mismatched, a.proposed);
	geo_index_free(a.gi);
	fflush(stdout);
}

/*
 * The agreement and speed with the Joint Interest Areas marked, and both
 * again with the plain import (every feature a district that handles cases).
 */
static void nyc(const char *data_dir, size_t n)
{
	char geo_path[512], csv_path[512];
	struct tmpdb marked, plain;
	snprintf(geo_path, sizeof(geo_path), "%s/us/nyc_community_districts.geojson", data_dir);
	snprintf(csv_path, sizeof(csv_path), "%s/us/nyc311_2011_sample_2000rows.csv", data_dir);
	if (access(geo_path, R_OK) || access(csv_path, R_OK)) {
		printf("skip: %s/us is absent (test-only data, never copied into the repo): NYC figures not measured\n",
		       data_dir);
		return;
	}
	nyc_import_agree(&marked, geo_path, csv_path, NYC_JOINT_INTEREST_AREAS, "agreement");
	nyc_import_agree(&plain, geo_path, csv_path, NULL, "agreement_plain");
	speed("nyc", marked.st, n, CRS_WGS84, CRS_WGS84);
	speed("nyc_plain", plain.st, n, CRS_WGS84, CRS_WGS84);
	tmpdb_close(&marked);
	tmpdb_close(&plain);
}

/* ---------------------------------------------------------------- Beijing */

static void beijing(size_t n)
{
	struct tmpdb t;
	struct err e;
	err_init(&e);
	tmpdb_open(&t);
	if (catalog_load_builtin(t.st, true, NULL, NULL, &e) != OK || store_begin(t.st, &e) != OK ||
	    geo_load_demo_boundaries(t.st, &e) != OK || store_commit(t.st, &e) != OK)
		die("Beijing demo", &e);
	speed("beijing", t.st, n, CRS_GCJ02, CRS_GCJ02);
	fflush(stdout);
	speed("beijing_wgs84_input", t.st, n, CRS_GCJ02, CRS_WGS84);
	tmpdb_close(&t);
}

int main(int argc, char **argv)
{
	const char *data_dir = argc > 1 ? argv[1] : "../shared/data";
	size_t n = argc > 2 ? strtoul(argv[2], NULL, 10) : 1000000;
	if (!n)
		n = 1000000;
	setvbuf(stdout, NULL, _IOLBF, 0);
	nyc(data_dir, n);
	beijing(n);
	return 0;
}
