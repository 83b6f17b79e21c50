/*
 * fuzz_geojson.c — the boundary import (geo_import_boundaries: GeoJSON
 * parsing, GEOS validation, codes and properties), then the point lookup
 * over what it stored (geo_index_load, geo_resolve_point), into the demo
 * catalog (harness.h, no boundaries of its own) inside a transaction that
 * is rolled back. An input gives the options of `jiesu import boundaries`
 * on its first line — level, code property, crs, then optionally the parent
 * of created units ("-": create none) and the no-handling codes — and the
 * file after it:
 *
 *     street code wgs84 110107
 *     {"type":"FeatureCollection","features":[...]}
 */
#include "harness.h"
#include "domain/geo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The first position "[x, y" of the text, if any. */
static bool first_position(const char *s, double *x, double *y)
{
	for (const char *p = strchr(s, '['); p; p = strchr(p + 1, '[')) {
		char *end;
		*x = strtod(p + 1, &end);
		if (end == p + 1)
			continue;
		while (*end == ' ')
			end++;
		if (*end != ',')
			continue;
		const char *q = end + 1;
		*y = strtod(q, &end);
		if (end != q)
			return true;
	}
	return false;
}

/* Look up the file's first position, a point just beside it and the middle of 石景山区, in every crs. */
static void resolve_some(struct store *st, const char *text)
{
	struct geo_index *gi = NULL;
	struct place_resolution r;
	struct err e;
	double pts[3][2] = {{116.195, 39.905}, {0, 0}, {0, 0}};
	int n = 1;
	err_init(&e);
	if (geo_index_load(st, &gi, &e) != OK) {
		fprintf(stderr, "fuzz: boundaries imported but not loadable: %s\n", e.msg);
		abort();
	}
	if (first_position(text, &pts[1][0], &pts[1][1])) {
		pts[2][0] = pts[1][0] + 1e-7;
		pts[2][1] = pts[1][1] + 1e-7;
		n = 3;
	}
	for (int i = 0; i < n; i++)
		for (int c = CRS_WGS84; c <= CRS_BD09; c++)
			if (geo_resolve_point(gi, pts[i][0], pts[i][1], (enum crs)c, &r, &e) != OK &&
			    e.code == OK)
				abort();
	geo_index_free(gi);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nl = memchr(data, '\n', size);
	if (!nl)
		return 0;
	char *line = xstrndup((const char *)data, (size_t)(nl - (const char *)data));
	size_t len = size - (size_t)(nl - (const char *)data) - 1;
	char *text = xmalloc(len + 1);
	memcpy(text, nl + 1, len);
	text[len] = '\0';
	char *save = NULL, *word[5] = {NULL};
	for (int i = 0; i < 5; i++)
		word[i] = strtok_r(i ? NULL : line, " ", &save);
	int crs = word[2] ? crs_parse(word[2]) : -1;
	if (crs >= 0) {
		struct boundary_import opt = {
		    .level = word[0],
		    .code_property = word[1],
		    .name_property = "name",
		    .crs = (enum crs)crs,
		    .create_units = word[3] && strcmp(word[3], "-"),
		    .parent = word[3] && strcmp(word[3], "-") ? word[3] : NULL,
		    .no_handling = word[4],
		};
		struct store *st = fuzz_catalog();
		struct err e;
		size_t count = 0;
		err_init(&e);
		fuzz_begin(st);
		enum err_code rc = geo_import_boundaries(st, text, len, &opt, NULL, NULL, &count, &e);
		fuzz_say("import boundaries", rc, &e);
		if (rc == OK)
			resolve_some(st, text);
		else if (e.code == OK || err_http_status(rc) >= 500)
			abort(); /* a refusal says why, and is the file's fault */
		fuzz_end(st);
	}
	free(line);
	free(text);
	return 0;
}
