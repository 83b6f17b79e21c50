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

/*
 * The sines of the multiples of one angle a that the published
 * polynomials use: with a = π·t/60, the angles π·t/30, π·t/12, π·t/3, π·t,
 * 2π·t and 6π·t are 2a, 5a, 20a, 60a, 120a and 360a. From sin a and cos a
 * the double-, sum- and triple-angle formulas give them all: the published
 * code calls sin twelve times a point, and those calls were most of a
 * conversion's cost (bench/geo.c). Each step adds about one rounding
 * (1e-16) to a sine, and scaling the angle 360 times scales its error as
 * much: about 1e-13 in the worst term, 1e-17° in the result — far under
 * the tests' 1e-9° and the same order as rounding 6π·t itself
 * (test_crs.c compares with the twelve-sine formula over all of China).
 */
struct multiples {
	double s2, s5, s20, s60, s120, s360; /* sin(k·a) */
};

static void multiples(double s1, double c1, struct multiples *m)
{
	double s2 = 2.0 * s1 * c1, c2 = 1.0 - 2.0 * s1 * s1;
	double s4 = 2.0 * s2 * c2, c4 = 1.0 - 2.0 * s2 * s2;
	double s5 = s4 * c1 + c4 * s1, c5 = c4 * c1 - s4 * s1;
	double s10 = 2.0 * s5 * c5, c10 = 1.0 - 2.0 * s5 * s5;
	double s20 = 2.0 * s10 * c10, c20 = 1.0 - 2.0 * s10 * s10;
	double s60 = s20 * (3.0 - 4.0 * s20 * s20), c60 = c20 * (4.0 * c20 * c20 - 3.0);
	double s120 = 2.0 * s60 * c60;
	m->s2 = s2;
	m->s5 = s5;
	m->s20 = s20;
	m->s60 = s60;
	m->s120 = s120;
	m->s360 = s120 * (3.0 - 4.0 * s120 * s120);
}

/* sin 35°, cos 35°: the latitude φ is 35° + y (below) */
#define SIN35 0.57357643635104609611
#define COS35 0.81915204428899178968

/*
 * The GCJ-02 offset at a WGS84 point, in degrees. The published
 * polynomials in (x, y) = (lon - 105, lat - 35), about metres: latitude
 *   -100 + 2x + 3y + 0.2y² + 0.1xy + 0.2√|x|
 *   + (20 sin 6πx + 20 sin 2πx)·2/3 + (20 sin πy + 40 sin πy/3)·2/3
 *   + (160 sin πy/12 + 320 sin πy/30)·2/3,
 * longitude
 *   300 + x + 2y + 0.1x² + 0.1xy + 0.1√|x|
 *   + (20 sin 6πx + 20 sin 2πx)·2/3 + (20 sin πx + 40 sin πx/3)·2/3
 *   + (150 sin πx/12 + 300 sin πx/30)·2/3,
 * divided by the meridian and parallel radii of curvature of the Krasovsky
 * ellipsoid (M = a(1-e²)/W³, N = a/W, W = sqrt(1 - e² sin² φ)). Two sincos
 * in all: one of πx/60 for the x terms, one of b = πy/180 for the y terms
 * (πy/60 = 3b) and for φ = b + 35°.
 */
static void gcj_offset(double lon, double lat, double *dlon, double *dlat)
{
	double x = lon - 105.0, y = lat - 35.0;
	double sa, ca, sb, cb;
	struct multiples mx, my;

	sincos(M_PI * x / 60.0, &sa, &ca);
	sincos(M_PI * y / 180.0, &sb, &cb);
	multiples(sa, ca, &mx);
	multiples(sb * (3.0 - 4.0 * sb * sb), cb * (4.0 * cb * cb - 3.0), &my);
	double s = sb * COS35 + cb * SIN35, c = cb * COS35 - sb * SIN35; /* sin φ, cos φ */

	double rx = sqrt(fabs(x));
	double wave = (20.0 * mx.s360 + 20.0 * mx.s120) * 2.0 / 3.0; /* in both */
	double p_lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * rx + wave +
		       (20.0 * my.s60 + 40.0 * my.s20) * 2.0 / 3.0 + (160.0 * my.s5 + 320.0 * my.s2) * 2.0 / 3.0;
	double p_lon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * rx + wave +
		       (20.0 * mx.s60 + 40.0 * mx.s20) * 2.0 / 3.0 + (150.0 * mx.s5 + 300.0 * mx.s2) * 2.0 / 3.0;

	double w2 = 1.0 - KRASOVSKY_EE * s * s;
	double w = sqrt(w2);
	/* p / M and p / (N cos φ) in radians, then degrees; one division */
	*dlat = p_lat * (w2 * w) * (180.0 / M_PI / (KRASOVSKY_A * (1.0 - KRASOVSKY_EE)));
	*dlon = p_lon * w / c * (180.0 / M_PI / KRASOVSKY_A);
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
