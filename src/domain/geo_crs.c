/*
 * geo_crs.c — conversions between WGS84 (GPS, Open311), GCJ-02 (Amap,
 * Tencent) and BD-09 (Baidu) (DOMAIN.md §10).
 *
 * GCJ-02 is a secret, non-linear offset of WGS84 mandated for maps
 * published in China; the formulas used here are its widely published
 * reconstruction (as in the open-source converters eviltransform and
 * coordtransform and their many ports): two trigonometric polynomials in
 * (lon - 105, lat - 35) give metres-like offsets, scaled to degrees on the
 * Krasovsky 1940 ellipsoid. BD-09 is Baidu's further published distortion
 * of GCJ-02. Neither PROJ nor any other Debian library implements these
 * (they are not geodetic datums), so they are written here from the maths.
 *
 * Every pair of systems goes through GCJ-02. Neither distortion has an
 * exact closed-form inverse, so GCJ-02 → WGS84 and BD-09 → GCJ-02 are
 * found by fixed-point iteration from the usual one-step approximations.
 */
#include "geo.h"

#include <math.h>
#include <string.h>

/* Krasovsky 1940 ellipsoid, as in the published GCJ-02 formulas. */
#define KRASOVSKY_A 6378245.0
#define KRASOVSKY_EE 0.00669342162296594323

/* Baidu's constant: π·3000/180. */
#define BD_X_PI (M_PI * 3000.0 / 180.0)
#define BD_DLON 0.0065
#define BD_DLAT 0.006

/* Stop an inverse when its round trip is this close (degrees, ~0.1 mm). */
#define INVERSE_EPS 1e-9
#define INVERSE_MAX_ITER 30

static const char *const crs_names[] = {
    [CRS_WGS84] = "wgs84",
    [CRS_GCJ02] = "gcj02",
    [CRS_BD09] = "bd09",
};

int crs_parse(const char *s)
{
	if (!s)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(crs_names); i++)
		if (!strcmp(s, crs_names[i]))
			return (int)i;
	return -1;
}

const char *crs_name(enum crs c)
{
	if ((unsigned)c >= ARRAY_SIZE(crs_names))
		return "unknown";
	return crs_names[c];
}

/*
 * The rough bounding box the published algorithm uses for "China": outside
 * it GCJ-02 equals WGS84. (It includes parts of neighbouring countries and
 * is no border; it only has to agree with what the map providers do.)
 */
static bool in_china(double lon, double lat)
{
	return lon >= 72.004 && lon <= 137.8347 && lat >= 0.8293 && lat <= 55.8271;
}

/* The published latitude polynomial, in (lon - 105, lat - 35); result ~ metres. */
static double poly_lat(double x, double y)
{
	double r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt(fabs(x));
	r += (20.0 * sin(6.0 * M_PI * x) + 20.0 * sin(2.0 * M_PI * x)) * 2.0 / 3.0;
	r += (20.0 * sin(M_PI * y) + 40.0 * sin(M_PI * y / 3.0)) * 2.0 / 3.0;
	r += (160.0 * sin(M_PI * y / 12.0) + 320.0 * sin(M_PI * y / 30.0)) * 2.0 / 3.0;
	return r;
}

/* The published longitude polynomial, in (lon - 105, lat - 35). */
static double poly_lon(double x, double y)
{
	double r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt(fabs(x));
	r += (20.0 * sin(6.0 * M_PI * x) + 20.0 * sin(2.0 * M_PI * x)) * 2.0 / 3.0;
	r += (20.0 * sin(M_PI * x) + 40.0 * sin(M_PI * x / 3.0)) * 2.0 / 3.0;
	r += (150.0 * sin(M_PI * x / 12.0) + 300.0 * sin(M_PI * x / 30.0)) * 2.0 / 3.0;
	return r;
}

/*
 * The GCJ-02 offset at a WGS84 point, in degrees: the polynomials divided
 * by the meridian and parallel radii of curvature of the Krasovsky
 * ellipsoid (M = a(1-e²)/W³, N = a/W, W = sqrt(1 - e² sin² φ)).
 */
static void gcj_offset(double lon, double lat, double *dlon, double *dlat)
{
	double phi = lat * M_PI / 180.0;
	double s = sin(phi);
	double w2 = 1.0 - KRASOVSKY_EE * s * s;
	double w = sqrt(w2);
	double m = KRASOVSKY_A * (1.0 - KRASOVSKY_EE) / (w2 * w);
	double n = KRASOVSKY_A / w;

	*dlat = poly_lat(lon - 105.0, lat - 35.0) * 180.0 / (m * M_PI);
	*dlon = poly_lon(lon - 105.0, lat - 35.0) * 180.0 / (n * cos(phi) * M_PI);
}

/* WGS84 → GCJ-02 without the box check: the point plus its offset. */
static void gcj_apply(double lon, double lat, double *olon, double *olat)
{
	double dlon, dlat;

	gcj_offset(lon, lat, &dlon, &dlat);
	*olon = lon + dlon;
	*olat = lat + dlat;
}

/* Baidu's published forward formula: a small polar distortion plus a shift. */
static void gcj_to_bd(double lon, double lat, double *olon, double *olat)
{
	double z = sqrt(lon * lon + lat * lat) + 0.00002 * sin(lat * BD_X_PI);
	double t = atan2(lat, lon) + 0.000003 * cos(lon * BD_X_PI);

	*olon = z * cos(t) + BD_DLON;
	*olat = z * sin(t) + BD_DLAT;
}

/*
 * Solve fwd(p) = (lon, lat) for p, starting from (*plon, *plat), by
 * correcting p with the remaining round-trip error. fwd is the identity
 * plus a distortion whose slope is far below 1 (GCJ-02 about 1e-3, BD-09
 * about 2e-2), so each step shrinks the error by that factor and three or
 * four steps reach INVERSE_EPS.
 */
static void invert(void (*fwd)(double, double, double *, double *), double lon, double lat, double *plon,
		   double *plat)
{
	for (int i = 0; i < INVERSE_MAX_ITER; i++) {
		double flon, flat, elon, elat;

		fwd(*plon, *plat, &flon, &flat);
		elon = flon - lon;
		elat = flat - lat;
		if (!(fabs(elon) >= INVERSE_EPS || fabs(elat) >= INVERSE_EPS))
			break; /* close enough (or NaN in: nothing to refine) */
		*plon -= elon;
		*plat -= elat;
	}
}

static void wgs_to_gcj(double lon, double lat, double *olon, double *olat)
{
	if (!in_china(lon, lat)) {
		*olon = lon;
		*olat = lat;
		return;
	}
	gcj_apply(lon, lat, olon, olat);
}

/* First guess: subtract the offset taken at the GCJ-02 point itself. */
static void gcj_to_wgs(double lon, double lat, double *olon, double *olat)
{
	double dlon, dlat;

	if (!in_china(lon, lat)) {
		*olon = lon;
		*olat = lat;
		return;
	}
	gcj_offset(lon, lat, &dlon, &dlat);
	*olon = lon - dlon;
	*olat = lat - dlat;
	invert(gcj_apply, lon, lat, olon, olat);
}

/*
 * First guess: Baidu's published inverse (undo the shift, then the
 * distortion evaluated at the shifted point). On its own it is up to
 * 0.2 m off, because the distortion was computed at the GCJ-02 point;
 * refining makes BD-09 → GCJ-02 → BD-09 exact.
 */
static void bd_to_gcj(double lon, double lat, double *olon, double *olat)
{
	double x = lon - BD_DLON, y = lat - BD_DLAT;
	double z = sqrt(x * x + y * y) - 0.00002 * sin(y * BD_X_PI);
	double t = atan2(y, x) - 0.000003 * cos(x * BD_X_PI);

	*olon = z * cos(t);
	*olat = z * sin(t);
	invert(gcj_to_bd, lon, lat, olon, olat);
}

void crs_convert(enum crs from, enum crs to, double lon, double lat, double *out_lon, double *out_lat)
{
	double glon = lon, glat = lat;

	if (from == to) {
		*out_lon = lon;
		*out_lat = lat;
		return;
	}
	/* to GCJ-02 */
	if (from == CRS_WGS84)
		wgs_to_gcj(lon, lat, &glon, &glat);
	else if (from == CRS_BD09)
		bd_to_gcj(lon, lat, &glon, &glat);
	/* and on to the target */
	if (to == CRS_WGS84)
		gcj_to_wgs(glon, glat, out_lon, out_lat);
	else if (to == CRS_BD09)
		gcj_to_bd(glon, glat, out_lon, out_lat);
	else {
		*out_lon = glon;
		*out_lat = glat;
	}
}
