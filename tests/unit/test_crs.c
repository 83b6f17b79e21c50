/*
 * test_crs — WGS84 ⇄ GCJ-02 ⇄ BD-09 (geo_crs.c, DOMAIN.md §10): names,
 * published reference pairs, round trips over Beijing and elsewhere in
 * China, the "outside China" box, and identity conversions.
 *
 * Tolerances, and why:
 * - Pairs printed at full double precision by open-source converters of
 *   the same published formulas must agree to 1e-9° (about 0.1 mm): the
 *   arithmetic is the same, only libm rounding (~1e-13°) differs. This is
 *   tight enough to catch a wrong constant: the WGS84 semi-major axis in
 *   place of Krasovsky's moves the offset by about 1 cm (1e-7°).
 * - Pairs printed to 8 decimals (gcoord) agree to 2e-8° (their rounding,
 *   5e-9°, with a margin); the one printed to 7 decimals to 1e-7°.
 * - Pairs from Amap's own conversion service agree within 0.3 m: that
 *   server is not the published code (measured difference about 4 cm),
 *   and its input is limited to 6 decimals (0.1 m).
 * - Round trips must come back within 0.5 m, the promise in geo.h; both
 *   inverses are also checked to 1e-8° (1 mm) against their forwards, which
 *   fails the one-step approximations most converters print (GCJ-02: up
 *   to 2.8 m over Beijing; BD-09: up to 0.22 m).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "domain/geo.h"

#define EARTH_R 6371008.8  /* mean Earth radius, metres */
#define EXACT_DEG 1e-9	   /* same formulas, full precision */
#define PRINTED_DEG 2e-8   /* gcoord's 8-decimal printouts */
#define PROVIDER_M 0.3	   /* a map provider's own server */
#define ROUND_TRIP_M 0.5   /* geo.h's promise */
#define INVERSE_DEG 1e-8   /* an inverse checked against its forward */
#define BD_ONE_STEP_M 0.25 /* Baidu's published one-step inverse */

/* Great-circle distance in metres (haversine on a sphere). */
static double haversine_m(double lon1, double lat1, double lon2, double lat2)
{
	double p1 = lat1 * M_PI / 180.0, p2 = lat2 * M_PI / 180.0;
	double dp = p2 - p1, dl = (lon2 - lon1) * M_PI / 180.0;
	double h = sin(dp / 2) * sin(dp / 2) + cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2);
	return 2.0 * EARTH_R * asin(sqrt(h));
}

struct ref {
	const char *source;
	enum crs from, to;
	double lon, lat; /* input */
	double want_lon, want_lat;
	double tol_deg;
};

/*
 * Published pairs.
 * [ct]   wandergis/coordtransform, test/app.js: the README example point
 *        116.404,39.915 (near Tiananmen) with its printed results.
 * [evil] googollee/eviltransform, go/transform_test.go: Shanghai, Shenzhen
 *        and Beijing WGS84 → GCJ-02 test points.
 * [gc]   hujiulong/gcoord, test/unit/crs/{WGS84,GCJ02,BD09}.spec.*: the
 *        point 123,45 (north-east China) in each direction.
 */
static const struct ref refs[] = {
    {"ct wgs84→gcj02", CRS_WGS84, CRS_GCJ02, 116.404, 39.915, 116.41024449916938, 39.91640428150164,
     EXACT_DEG},
    {"ct gcj02→bd09", CRS_GCJ02, CRS_BD09, 116.404, 39.915, 116.41036949371029, 39.92133699351021, EXACT_DEG},
    {"evil shanghai", CRS_WGS84, CRS_GCJ02, 121.5272106, 31.1774276, 121.531541859215, 31.17530398364597,
     EXACT_DEG},
    {"evil shenzhen", CRS_WGS84, CRS_GCJ02, 113.912316, 22.543847, 113.9171764808363, 22.540796131694766,
     EXACT_DEG},
    {"evil beijing", CRS_WGS84, CRS_GCJ02, 116.377817, 39.911954, 116.38404722455657, 39.91334545536069,
     EXACT_DEG},
    {"gc wgs84→gcj02", CRS_WGS84, CRS_GCJ02, 123, 45, 123.00607541, 45.00197815, PRINTED_DEG},
    {"gc gcj02→bd09", CRS_GCJ02, CRS_BD09, 123, 45, 123.00636499, 45.00636899, PRINTED_DEG},
    /* printed to 7 decimals, truncated */
    {"gc wgs84→bd09", CRS_WGS84, CRS_BD09, 123, 45, 123.0124491, 45.0083293, 1e-7},
};

/*
 * Pairs judged by distance.
 * [amap] Amap Web Service API, 坐标转换 (lbs.amap.com/api/webservice/guide/
 *        api/convert), request/response example: coordsys=gps,
 *        116.481499,39.990475|116.481499,39.990375 →
 *        116.487585177952,39.991754014757;116.487585177952,39.991653917101.
 * [ct], [gc] BD-09 → GCJ-02: both print Baidu's one-step inverse, which
 *        we refine to the exact solution; the one-step form is at most
 *        0.22 m off anywhere in China (5 cm at these points): held to 0.25 m.
 * [gc]   gcoord's GCJ-02 inverse stops earlier than ours (about 1.5 cm off
 *        the exact solution): held to 5 cm.
 */
static const struct {
	const char *source;
	enum crs from, to;
	double lon, lat, want_lon, want_lat;
	double tol_m;
} refs_m[] = {
    {"amap gps 1", CRS_WGS84, CRS_GCJ02, 116.481499, 39.990475, 116.487585177952, 39.991754014757,
     PROVIDER_M},
    {"amap gps 2", CRS_WGS84, CRS_GCJ02, 116.481499, 39.990375, 116.487585177952, 39.991653917101,
     PROVIDER_M},
    {"ct bd09→gcj02", CRS_BD09, CRS_GCJ02, 116.404, 39.915, 116.39762729119315, 39.90865673957631,
     BD_ONE_STEP_M},
    {"gc bd09→gcj02", CRS_BD09, CRS_GCJ02, 123, 45, 122.99363304, 44.99365430, BD_ONE_STEP_M},
    {"gc gcj02→wgs84", CRS_GCJ02, CRS_WGS84, 123, 45, 122.99395597, 44.99804071, 0.05},
    {"gc bd09→wgs84", CRS_BD09, CRS_WGS84, 123, 45, 122.98762210, 44.99171540, BD_ONE_STEP_M},
};

static void test_parse_name(void **state)
{
	static const enum crs all[] = {CRS_WGS84, CRS_GCJ02, CRS_BD09};

	for (size_t i = 0; i < ARRAY_SIZE(all); i++)
		assert_int_equal(crs_parse(crs_name(all[i])), (int)all[i]);
	assert_string_equal(crs_name(CRS_WGS84), "wgs84");
	assert_string_equal(crs_name(CRS_GCJ02), "gcj02");
	assert_string_equal(crs_name(CRS_BD09), "bd09");
	assert_string_equal(crs_name((enum crs)3), "unknown");

	/* only the API's spellings (docs/API.md): no case folding, no aliases */
	static const char *const bad[] = {"",	    "WGS84",  "wgs-84", "gcj-02", "GCJ02",     "bd09ll",
					  "bd09mc", "wgs84 ", " wgs84", "gcj",	  "epsg:4326", "unknown"};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		if (crs_parse(bad[i]) != -1)
			fail_msg("crs_parse(\"%s\") accepted", bad[i]);
	}
	assert_int_equal(crs_parse(NULL), -1);
}

static void test_reference_pairs(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(refs); i++) {
		const struct ref *r = &refs[i];
		double lon, lat;

		crs_convert(r->from, r->to, r->lon, r->lat, &lon, &lat);
		if (fabs(lon - r->want_lon) > r->tol_deg || fabs(lat - r->want_lat) > r->tol_deg)
			fail_msg("%s: got %.12f,%.12f want %.12f,%.12f (tol %g°)", r->source, lon, lat,
				 r->want_lon, r->want_lat, r->tol_deg);
	}
}

static void test_reference_pairs_metres(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(refs_m); i++) {
		double lon, lat, d;

		crs_convert(refs_m[i].from, refs_m[i].to, refs_m[i].lon, refs_m[i].lat, &lon, &lat);
		d = haversine_m(lon, lat, refs_m[i].want_lon, refs_m[i].want_lat);
		if (!(d <= refs_m[i].tol_m))
			fail_msg("%s: %.3f m from the published point (tol %.2f m)", refs_m[i].source, d,
				 refs_m[i].tol_m);
	}
}

/*
 * WGS84 → sys → WGS84 at one point; returns the error in metres and checks
 * the GCJ-02 point lies hundreds of metres from the WGS84 one (§10).
 */
static double round_trip_m(enum crs sys, double lon, double lat)
{
	double mlon, mlat, blon, blat, glon, glat;

	crs_convert(CRS_WGS84, sys, lon, lat, &mlon, &mlat);
	crs_convert(sys, CRS_WGS84, mlon, mlat, &blon, &blat);

	crs_convert(CRS_WGS84, CRS_GCJ02, lon, lat, &glon, &glat);
	double off = haversine_m(lon, lat, glon, glat);
	if (off < 50.0 || off > 1000.0)
		fail_msg("GCJ-02 offset at %.3f,%.3f is %.1f m", lon, lat, off);
	return haversine_m(lon, lat, blon, blat);
}

/*
 * sys → GCJ-02 → sys must land on the start: GCJ-02 → WGS84 and BD-09 →
 * GCJ-02 are each the exact inverse of their forward.
 */
static void check_inverse(enum crs sys, double lon0, double lat0)
{
	double glon, glat, lon, lat;

	crs_convert(sys, CRS_GCJ02, lon0, lat0, &glon, &glat);
	crs_convert(CRS_GCJ02, sys, glon, glat, &lon, &lat);
	if (fabs(lon - lon0) > INVERSE_DEG || fabs(lat - lat0) > INVERSE_DEG)
		fail_msg("%s inverse at %.4f,%.4f misses by %.3e°,%.3e°", crs_name(sys), lon0, lat0,
			 lon - lon0, lat - lat0);
}

/* Beijing, 116.0–116.8 × 39.6–40.2 every 0.01° (81 × 61 points). */
static void test_round_trip_beijing(void **state)
{
	double max_gcj = 0, max_bd = 0;
	int n = 0;

	for (int i = 0; i <= 80; i++) {
		for (int j = 0; j <= 60; j++) {
			double lon = 116.0 + i * 0.01, lat = 39.6 + j * 0.01;

			max_gcj = fmax(max_gcj, round_trip_m(CRS_GCJ02, lon, lat));
			max_bd = fmax(max_bd, round_trip_m(CRS_BD09, lon, lat));
			check_inverse(CRS_WGS84, lon, lat);
			check_inverse(CRS_BD09, lon, lat);
			n++;
		}
	}
	assert_int_equal(n, 81 * 61);
	print_message("beijing: %d points, max round trip via gcj02 %.2e m, via bd09 %.2e m\n", n, max_gcj,
		      max_bd);
	if (!(max_gcj < ROUND_TRIP_M) || !(max_bd < ROUND_TRIP_M))
		fail_msg("round trip error %.3f / %.3f m", max_gcj, max_bd);
}

static void test_round_trip_china(void **state)
{
	static const struct {
		const char *name;
		double lon, lat;
	} pts[] = {
	    {"上海 人民广场", 121.4737, 31.2304}, {"广州 天河", 113.3245, 23.1291},
	    {"乌鲁木齐", 87.6168, 43.8256},	  {"拉萨", 91.1322, 29.6604},
	    {"哈尔滨", 126.5349, 45.8038},	  {"三亚", 109.5119, 18.2528},
	    {"昆明", 102.8329, 24.8801},	  {"漠河", 122.5380, 52.9720},
	    {"喀什", 75.9897, 39.4704},		  {"曾母暗沙 (far south)", 112.2833, 3.9667},
	};
	double worst = 0;

	for (size_t i = 0; i < ARRAY_SIZE(pts); i++) {
		double eg = round_trip_m(CRS_GCJ02, pts[i].lon, pts[i].lat);
		double eb = round_trip_m(CRS_BD09, pts[i].lon, pts[i].lat);

		check_inverse(CRS_WGS84, pts[i].lon, pts[i].lat);
		check_inverse(CRS_BD09, pts[i].lon, pts[i].lat);
		if (!(eg < ROUND_TRIP_M) || !(eb < ROUND_TRIP_M))
			fail_msg("%s: round trip %.3f / %.3f m", pts[i].name, eg, eb);
		worst = fmax(worst, fmax(eg, eb));
	}
	print_message("china: max round trip %.2e m\n", worst);
}

/*
 * Outside the published box (lon 72.004–137.8347, lat 0.8293–55.8271)
 * GCJ-02 is WGS84. Points just inside each edge must move, points just
 * outside must not, so a wrong edge fails. BD-09 still applies its own
 * distortion there: WGS84 → BD-09 equals GCJ-02 → BD-09 of the same point.
 */
static void test_outside_china(void **state)
{
	static const double outside[][2] = {
	    {-0.1276, 51.5072},	 /* London */
	    {-74.0060, 40.7128}, /* New York */
	    {139.6917, 35.6895}, /* Tokyo: east of the box */
	    {72.0039, 39.0},	 {137.8348, 45.0}, {100.0, 0.8292}, {100.0, 55.8272},
	};
	static const double inside[][2] = {
	    {72.0041, 39.0}, {137.8346, 45.0}, {100.0, 0.8294}, {100.0, 55.8270},
	    {72.004, 39.0},  {137.8347, 45.0}, {100.0, 0.8293}, {100.0, 55.8271}, /* the edges are inside */
	};

	for (size_t i = 0; i < ARRAY_SIZE(outside); i++) {
		double lon = outside[i][0], lat = outside[i][1], x, y, bx, by;

		crs_convert(CRS_WGS84, CRS_GCJ02, lon, lat, &x, &y);
		assert_true(x == lon && y == lat);
		crs_convert(CRS_GCJ02, CRS_WGS84, lon, lat, &x, &y);
		assert_true(x == lon && y == lat);
		crs_convert(CRS_WGS84, CRS_BD09, lon, lat, &x, &y);
		crs_convert(CRS_GCJ02, CRS_BD09, lon, lat, &bx, &by);
		assert_true(x == bx && y == by);
		assert_true(haversine_m(lon, lat, x, y) > 100.0);
	}
	for (size_t i = 0; i < ARRAY_SIZE(inside); i++) {
		double lon = inside[i][0], lat = inside[i][1], x, y;

		crs_convert(CRS_WGS84, CRS_GCJ02, lon, lat, &x, &y);
		if (!(haversine_m(lon, lat, x, y) > 50.0))
			fail_msg("%.4f,%.4f is inside the box but did not move", lon, lat);
		crs_convert(CRS_GCJ02, CRS_WGS84, lon, lat, &x, &y);
		if (!(haversine_m(lon, lat, x, y) > 50.0))
			fail_msg("%.4f,%.4f is inside the box but the inverse did not move", lon, lat);
	}
}

/*
 * The published WGS84 → GCJ-02 formula written out as its sources print it
 * (twelve sines, e.g. coordtransform's transformlat/transformlng), for
 * comparison with geo_crs.c, which derives the sines from one sincos per
 * coordinate (angle-addition formulas).
 */
static void published_wgs_to_gcj(double lon, double lat, double *olon, double *olat)
{
	const double a = 6378245.0, ee = 0.00669342162296594323;
	double x = lon - 105.0, y = lat - 35.0;
	double dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt(fabs(x));
	dlat += (20.0 * sin(6.0 * x * M_PI) + 20.0 * sin(2.0 * x * M_PI)) * 2.0 / 3.0;
	dlat += (20.0 * sin(y * M_PI) + 40.0 * sin(y / 3.0 * M_PI)) * 2.0 / 3.0;
	dlat += (160.0 * sin(y / 12.0 * M_PI) + 320.0 * sin(y * M_PI / 30.0)) * 2.0 / 3.0;
	double dlng = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt(fabs(x));
	dlng += (20.0 * sin(6.0 * x * M_PI) + 20.0 * sin(2.0 * x * M_PI)) * 2.0 / 3.0;
	dlng += (20.0 * sin(x * M_PI) + 40.0 * sin(x / 3.0 * M_PI)) * 2.0 / 3.0;
	dlng += (150.0 * sin(x / 12.0 * M_PI) + 300.0 * sin(x / 30.0 * M_PI)) * 2.0 / 3.0;
	double radlat = lat / 180.0 * M_PI, magic = sin(radlat);
	magic = 1 - ee * magic * magic;
	double sqrtmagic = sqrt(magic);
	dlat = (dlat * 180.0) / ((a * (1 - ee)) / (magic * sqrtmagic) * M_PI);
	dlng = (dlng * 180.0) / (a / sqrtmagic * cos(radlat) * M_PI);
	*olon = lon + dlng;
	*olat = lat + dlat;
}

/*
 * Over the whole published box, every 0.1° (659 × 550 points), the
 * conversion equals the twelve-sine formula to 1e-12° (0.1 µm): the
 * angle-addition shortcut changes rounding only.
 */
static void test_same_as_published_formula(void **state)
{
	double worst = 0;
	long n = 0;

	for (double lon = 72.01; lon <= 137.83; lon += 0.1)
		for (double lat = 0.83; lat <= 55.82; lat += 0.1) {
			double x, y, wx, wy;
			crs_convert(CRS_WGS84, CRS_GCJ02, lon, lat, &x, &y);
			published_wgs_to_gcj(lon, lat, &wx, &wy);
			worst = fmax(worst, fmax(fabs(x - wx), fabs(y - wy)));
			n++;
		}
	assert_true(n > 300000);
	print_message("published formula: %ld points, max difference %.2e°\n", n, worst);
	if (!(worst < 1e-12))
		fail_msg("differs from the published formula by %.3e°", worst);
}

/* from == to returns the input bit for bit, inside China or not. */
static void test_identity(void **state)
{
	static const enum crs all[] = {CRS_WGS84, CRS_GCJ02, CRS_BD09};
	static const double pts[][2] = {
	    {116.397128, 39.916527}, {116.0, 39.6}, {-0.1276, 51.5072}, {0.0, 0.0}, {180.0, -90.0},
	};

	for (size_t c = 0; c < ARRAY_SIZE(all); c++) {
		for (size_t i = 0; i < ARRAY_SIZE(pts); i++) {
			double x = -1, y = -1;

			crs_convert(all[c], all[c], pts[i][0], pts[i][1], &x, &y);
			assert_memory_equal(&x, &pts[i][0], sizeof x);
			assert_memory_equal(&y, &pts[i][1], sizeof y);
		}
	}
}

/* Every pair goes through GCJ-02: the composed conversions are the same numbers. */
static void test_via_gcj02(void **state)
{
	double lon = 116.3, lat = 39.9, gx, gy, x, y, vx, vy;

	crs_convert(CRS_WGS84, CRS_GCJ02, lon, lat, &gx, &gy);
	crs_convert(CRS_GCJ02, CRS_BD09, gx, gy, &vx, &vy);
	crs_convert(CRS_WGS84, CRS_BD09, lon, lat, &x, &y);
	assert_true(x == vx && y == vy);

	crs_convert(CRS_BD09, CRS_GCJ02, lon, lat, &gx, &gy);
	crs_convert(CRS_GCJ02, CRS_WGS84, gx, gy, &vx, &vy);
	crs_convert(CRS_BD09, CRS_WGS84, lon, lat, &x, &y);
	assert_true(x == vx && y == vy);

	/* and BD-09 sits north-east of GCJ-02 by roughly its 0.0065/0.006 shift */
	crs_convert(CRS_GCJ02, CRS_BD09, lon, lat, &x, &y);
	assert_true(x - lon > 0.005 && x - lon < 0.008);
	assert_true(y - lat > 0.005 && y - lat < 0.008);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_name),
	    cmocka_unit_test(test_reference_pairs),
	    cmocka_unit_test(test_reference_pairs_metres),
	    cmocka_unit_test(test_same_as_published_formula),
	    cmocka_unit_test(test_round_trip_beijing),
	    cmocka_unit_test(test_round_trip_china),
	    cmocka_unit_test(test_outside_china),
	    cmocka_unit_test(test_identity),
	    cmocka_unit_test(test_via_gcj02),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
