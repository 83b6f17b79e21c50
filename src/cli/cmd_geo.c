/*
 * cmd_geo.c — jiesu import boundaries (unit polygons from GeoJSON) and
 * jiesu geo resolve (which district, street and community a point is in).
 * The other geo subcommands (the address gazetteer) live in cmd_gazetteer.c.
 */
#include "cli.h"
#include "../domain/geo.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parse a coordinate option; false (after a message) if it is not a finite number. */
static bool parse_degrees(const char *opt, const char *s, double *out)
{
	char *end;
	if (!s || !*s) {
		fprintf(stderr, "jiesu: %s is required\n", opt);
		return false;
	}
	*out = strtod(s, &end);
	if (*end || !isfinite(*out)) {
		fprintf(stderr, "jiesu: %s '%s' is not a number of degrees\n", opt, s);
		return false;
	}
	return true;
}

/* Parse --crs; false (after a message) if missing or unknown. */
static bool parse_crs(const char *s, enum crs *out)
{
	int c = crs_parse(s);
	if (!s || !*s) {
		fprintf(stderr, "jiesu: --crs wgs84|gcj02|bd09 is required\n");
		return false;
	}
	if (c < 0) {
		fprintf(stderr, "jiesu: --crs '%s' is not wgs84, gcj02 or bd09\n", s);
		return false;
	}
	*out = (enum crs)c;
	return true;
}

/* argv[0] = "import", argv[1] = "boundaries" (cmd_import hands over). */
int cmd_import_boundaries(int argc, char **argv)
{
	const char *db = NULL, *level = NULL, *code_prop = NULL, *name_prop = NULL, *crs = NULL, *parent = NULL;
	const char *no_handling = NULL;
	bool create = false;
	const struct cli_opt opts[] = {
		{"--db", &db, NULL, "database file"},
		{"--level", &level, NULL, "district | street | community"},
		{"--code-property", &code_prop, NULL, "feature property holding the unit code (\"id\": also the feature id)"},
		{"--name-property", &name_prop, NULL, "property holding the name of created units (default: the code)"},
		{"--crs", &crs, NULL, "coordinate system of the file: wgs84 | gcj02 | bd09"},
		{"--create-units", NULL, &create, "create units for codes not yet known"},
		{"--parent", &parent, NULL, "parent unit of created units"},
		{"--no-handling", &no_handling, NULL,
		 "codes (comma-separated) of areas no unit handles, e.g. parks: a point there goes to the nearest unit, "
		 "for a person to confirm"},
		{NULL, NULL, NULL, NULL},
	};
	const char *usage = "jiesu import boundaries --db PATH FILE.geojson --level district|street|community "
			    "--code-property P [--name-property N] --crs wgs84|gcj02|bd09 [--create-units --parent CODE] "
			    "[--no-handling CODE,...]";
	const char *pos[CLI_MAX_POS];
	struct boundary_import opt = {0};
	struct err e;
	struct store *st;
	char *data;
	size_t len, count = 0;
	int ret = 0;

	if (!cli_parse(argc, argv, opts, pos, 2, 2, usage))
		return 2;
	if (!level || !code_prop) {
		fprintf(stderr, "jiesu: %s is required\nusage: %s\n", !level ? "--level" : "--code-property", usage);
		return 2;
	}
	if (!parse_crs(crs, &opt.crs))
		return 2;
	if (create != (parent != NULL)) {
		fprintf(stderr, "jiesu: --create-units and --parent go together\nusage: %s\n", usage);
		return 2;
	}
	opt.level = level;
	opt.code_property = code_prop;
	opt.name_property = name_prop;
	opt.create_units = create;
	opt.parent = parent;
	opt.no_handling = no_handling;
	err_init(&e);
	if (file_read_all(pos[1], GEO_IMPORT_MAX_FILE, &data, &len, &e) != OK)
		return cli_fail(&e);
	if (!cli_open_store(db, &st)) {
		free(data);
		return 1;
	}
	if (geo_import_boundaries(st, data, len, &opt, cli_progress, NULL, &count, &e) != OK)
		ret = cli_fail(&e);
	else
		printf("imported %zu boundaries (%s, %s) from %s\n", count, level, crs_name(opt.crs), pos[1]);
	free(data);
	store_close(st);
	return ret;
}

/* jiesu geo resolve: print the resolution as JSON; exit 3 when it needs a decision. */
static int geo_resolve(int argc, char **argv)
{
	const char *db = NULL, *lat_s = NULL, *lon_s = NULL, *crs_s = NULL;
	const struct cli_opt opts[] = {
		{"--db", &db, NULL, "database file"},
		{"--lat", &lat_s, NULL, "latitude, degrees"},
		{"--lon", &lon_s, NULL, "longitude, degrees"},
		{"--crs", &crs_s, NULL, "coordinate system of the point: wgs84 | gcj02 | bd09"},
		{NULL, NULL, NULL, NULL},
	};
	const char *usage = "jiesu geo resolve --db PATH --lat Y --lon X --crs wgs84|gcj02|bd09";
	const char *pos[CLI_MAX_POS];
	struct place_resolution r;
	struct geo_index *gi = NULL;
	struct store *st;
	struct err e;
	double lat, lon;
	enum crs crs;
	int ret;

	if (!cli_parse(argc, argv, opts, pos, 0, 0, usage))
		return 2;
	if (!parse_degrees("--lat", lat_s, &lat) || !parse_degrees("--lon", lon_s, &lon) || !parse_crs(crs_s, &crs))
		return 2;
	if (!cli_open_store(db, &st))
		return 1;
	err_init(&e);
	if (geo_index_load(st, &gi, &e) != OK || geo_resolve_point(gi, lon, lat, crs, &r, &e) != OK) {
		ret = cli_fail(&e);
		goto out;
	}
	json_t *j = json_pack("{s:{s:f,s:f,s:s},s:s,s:s,s:s,s:s,s:f,s:b,s:s}", "point", "lon", lon, "lat", lat, "crs",
			      crs_name(crs), "district", r.district, "street", r.street, "community", r.community,
			      "method", r.method, "confidence", r.confidence, "needs_decision", r.needs_decision,
			      "evidence", r.evidence);
	char *text = j ? json_dumps(j, JSON_INDENT(2) | JSON_REAL_PRECISION(15)) : NULL;
	if (!text) {
		fprintf(stderr, "jiesu: cannot write the result as JSON\n");
		ret = 1;
	} else {
		printf("%s\n", text);
		ret = r.needs_decision ? 3 : 0;
	}
	free(text);
	json_decref(j);
out:
	geo_index_free(gi);
	store_close(st);
	return ret;
}

/*
 * jiesu geo: "resolve" is the point lookup here; every other subcommand
 * (the address gazetteer's) goes on to cmd_geo_gazetteer.
 */
int cmd_geo(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "resolve"))
		return geo_resolve(argc - 1, argv + 1);
	return cmd_geo_gazetteer(argc, argv);
}
