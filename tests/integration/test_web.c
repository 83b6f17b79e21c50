/*
 * test_web.c — what the browser relies on: the session cookie (HttpOnly,
 * SameSite=Strict), the CSRF token every change must carry, logout, the
 * pages and assets served from the binary with their own security policy,
 * and gzip for clients that take it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char case_body[] = "{\"type\":\"help\",\"title\":\"路灯不亮\",\"content\":\"小区门口路灯坏了一周。\"}";

/* Log in for a browser session; returns the cookie header line and sets *csrf. */
static const char *session(struct harness *h, const char *user, const char **csrf)
{
	long st;
	json_t *j = http(h, "POST", "/api/v1/auth/session", NULL,
			 hpath(h, "{\"login\":\"%s\",\"password\":\"%s\"}", user, H_PASSWORD), &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_STR(j, "user.login", user);
	*csrf = jstr(j, "csrf");
	EXPECT_TRUE(*csrf && strlen(*csrf) == 43, h->last_body);
	const char *sc = h_header(h, "Set-Cookie");
	EXPECT_TRUE(sc != NULL, h->last_headers);
	EXPECT_TRUE(strstr(sc, "HttpOnly") && strstr(sc, "SameSite=Strict") && strstr(sc, "Path=/"), sc);
	EXPECT_TRUE(!strstr(h->last_body, "\"token\""), h->last_body); /* the token stays in the cookie */
	size_t n = strcspn(sc, ";");
	return hpath(h, "Cookie: theme=dark; %.*s; lang=zh", (int)n, sc);
}

static void test_session_and_csrf(void **state)
{
	struct harness *h = *state;
	long st;
	assert_true(h_start(h, H_NOW, NULL));
	const char *csrf;
	const char *cookie = session(h, "agent", &csrf);

	/* The cookie authenticates reads, and /me hands the page its CSRF token again. */
	const char *hdr1[] = {cookie, NULL};
	h_set_headers(h, hdr1);
	json_t *me = http(h, "GET", "/api/v1/me", NULL, NULL, &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_STR(me, "login", "agent");
	EXPECT_STR(me, "csrf", csrf);
	EXPECT_STR(me, "server_time", H_NOW); /* the page counts deadlines down from the server's clock */

	/* A change without the token, or with a wrong one, is refused and changes nothing. */
	EXPECT_ERROR(h, http(h, "POST", "/api/v1/cases", NULL, case_body, &st), 403, "csrf", "X-CSRF-Token");
	const char *bad[] = {cookie, "X-CSRF-Token: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL};
	h_set_headers(h, bad);
	EXPECT_ERROR(h, http(h, "POST", "/api/v1/cases", NULL, case_body, &st), 403, "csrf", "X-CSRF-Token");
	json_t *list = http(h, "GET", "/api/v1/cases", NULL, NULL, &st);
	EXPECT_INT(list, "total", 0);

	/* With the token it goes through. */
	const char *good[] = {cookie, hpath(h, "X-CSRF-Token: %s", csrf), NULL};
	h_set_headers(h, good);
	json_t *c = http(h, "POST", "/api/v1/cases", NULL, case_body, &st);
	EXPECT_STATUS(h, st, 201);
	EXPECT_STR(c, "status", "received");

	/* A bearer token needs no CSRF token (no browser sends it by itself) and gets none in /me. */
	h_set_headers(h, NULL);
	const char *tok = login(h, "agent", H_PASSWORD);
	me = http(h, "GET", "/api/v1/me", tok, NULL, &st);
	EXPECT_NULL(me, "csrf");
	http(h, "POST", "/api/v1/cases", tok, case_body, &st);
	EXPECT_STATUS(h, st, 201);

	/* Another user's session has another CSRF token: one session's token does not fit another. */
	const char *csrf2;
	const char *cookie2 = session(h, "dispatcher", &csrf2);
	EXPECT_TRUE(strcmp(csrf, csrf2) != 0, csrf2);
	const char *mixed[] = {cookie2, hpath(h, "X-CSRF-Token: %s", csrf), NULL};
	h_set_headers(h, mixed);
	EXPECT_ERROR(h, http(h, "POST", "/api/v1/cases", NULL, case_body, &st), 403, "csrf", "X-CSRF-Token");

	/* Logout (with its CSRF token) clears the cookie and ends the session. */
	h_set_headers(h, good);
	json_t *out = http(h, "POST", "/api/v1/auth/logout", NULL, NULL, &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_BOOL(out, "ok", true);
	const char *sc = h_header(h, "Set-Cookie");
	EXPECT_TRUE(sc && strstr(sc, "jiesu_session=;") && strstr(sc, "Max-Age=0"), h->last_headers);
	EXPECT_ERROR(h, http(h, "GET", "/api/v1/me", NULL, NULL, &st), 401, "unauthenticated", NULL);

	/* A malformed cookie is simply no session. */
	const char *junk[] = {"Cookie: jiesu_session=short; other", NULL};
	h_set_headers(h, junk);
	EXPECT_ERROR(h, http(h, "GET", "/api/v1/me", NULL, NULL, &st), 401, "unauthenticated", NULL);

	/* Bad logins are refused with the same answer as the token login. */
	h_set_headers(h, NULL);
	EXPECT_ERROR(h,
		     http(h, "POST", "/api/v1/auth/session", NULL, "{\"login\":\"agent\",\"password\":\"wrong-pass\"}",
			  &st),
		     401, "bad_credentials", NULL);
	EXPECT_TRUE(h_header(h, "Set-Cookie") == NULL, h->last_headers);
	EXPECT_ERROR(h, http(h, "POST", "/api/v1/auth/session", NULL, "{\"login\":\"agent\"}", &st), 400, "invalid",
		     "password");
	EXPECT_ERROR(h, http(h, "POST", "/api/v1/auth/session", NULL, "{\"login\":\"agent\",\"password\":\"x\",\"a\":1}",
			     &st),
		     400, "invalid", "a");
}

static void test_pages(void **state)
{
	struct harness *h = *state;
	long st;
	assert_true(h_start(h, H_NOW, NULL));

	/* The API's JSON forbids everything to a browser that would render it. */
	http(h, "GET", "/healthz", NULL, NULL, &st);
	EXPECT_STATUS(h, st, 200);
	const char *csp = h_header(h, "Content-Security-Policy");
	EXPECT_TRUE(csp && strstr(csp, "default-src 'none'"), h->last_headers);

	/* The workbench, built into the binary: its page, with the page's policy and no caching surprises. */
	http(h, "GET", "/", NULL, NULL, &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_TRUE(!strncmp(h->last_type, "text/html", 9), h->last_type);
	EXPECT_TRUE(strstr(h->last_body, "/assets/app.js") != NULL, h->last_body);
	csp = h_header(h, "Content-Security-Policy");
	EXPECT_TRUE(csp && strstr(csp, "script-src 'self'") && strstr(csp, "frame-ancestors 'none'"), h->last_headers);
	EXPECT_TRUE(!strcmp(h_header(h, "Cache-Control"), "no-cache"), h->last_headers);
	http(h, "GET", "/assets/app.js", NULL, NULL, &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_TRUE(!strncmp(h->last_type, "text/javascript", 15), h->last_type);
	EXPECT_TRUE(h_header(h, "Content-Encoding") == NULL, h->last_headers);
	size_t plain = h->last_len;
	const char *gz[] = {"Accept-Encoding: gzip, deflate", NULL};
	h_set_headers(h, gz);
	http(h, "GET", "/assets/app.js", NULL, NULL, &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_TRUE(h_header(h, "Content-Encoding") && !strcmp(h_header(h, "Content-Encoding"), "gzip"),
		    h->last_headers);
	EXPECT_TRUE(h->last_len < plain / 2, hpath(h, "gzip %zu bytes vs %zu", h->last_len, plain));
	const char *nogz[] = {"Accept-Encoding: gzip;q=0, identity", NULL};
	h_set_headers(h, nogz);
	http(h, "GET", "/assets/app.js", NULL, NULL, &st);
	EXPECT_TRUE(h_header(h, "Content-Encoding") == NULL, h->last_headers);
	h_set_headers(h, NULL);

	/* Paths outside the flat asset directory are not files. */
	EXPECT_ERROR(h, http(h, "GET", "/assets/.hidden", NULL, NULL, &st), 404, "not_found", NULL);
	EXPECT_ERROR(h, http(h, "GET", "/assets/a/b.js", NULL, NULL, &st), 404, "not_found", NULL);
	EXPECT_ERROR(h, http(h, "GET", "/assets/%2e%2e%2fMakefile", NULL, NULL, &st), 404, "not_found", NULL);
	EXPECT_ERROR(h, http(h, "GET", "/assets/no-such-file.js", NULL, NULL, &st), 404, "not_found", NULL);
	EXPECT_ERROR(h, http(h, "POST", "/", NULL, "{}", &st), 405, "method_not_allowed", NULL);
}

/* The code of the district department whose sector key is sector, via the API. */
static const char *department(struct harness *h, const char *tok, const char *sector)
{
	long st;
	json_t *l = http(h, "GET", "/api/v1/units?kind=department&parent=110107", tok, NULL, &st);
	EXPECT_STATUS(h, st, 200);
	json_t *u;
	size_t i;
	json_array_foreach(json_object_get(l, "units"), i, u)
	{
		const char *sec = json_string_value(json_object_get(u, "sector"));
		if (sec && !strcmp(sec, sector))
			return json_string_value(json_object_get(u, "code"));
	}
	fail_msg("no department with sector %s", sector);
	return NULL;
}

static long long dispatched(struct harness *h, const char *agent, const char *disp, const char *street)
{
	long st;
	json_t *c = http(h, "POST", "/api/v1/cases", agent,
			 hpath(h, "{\"type\":\"complaint\",\"title\":\"占道经营\",\"content\":\"门口有摊贩。\","
				  "\"place\":{\"street\":\"%s\"}}",
			       street),
			 &st);
	EXPECT_STATUS(h, st, 201);
	long long id = jint(c, "id");
	http(h, "POST", hpath(h, "/api/v1/cases/%lld/actions/dispatch", id), disp, "{}", &st);
	EXPECT_STATUS(h, st, 200);
	return id;
}

/* The ids of a case list, as "3,1". */
static const char *ids(struct harness *h, const char *tok, const char *query)
{
	long st;
	json_t *l = http(h, "GET", hpath(h, "/api/v1/cases?%s", query), tok, NULL, &st);
	EXPECT_STATUS(h, st, 200);
	char out[256] = "";
	json_t *c;
	size_t i;
	json_array_foreach(json_object_get(l, "cases"), i, c)
	{
		size_t n = strlen(out);
		snprintf(out + n, sizeof(out) - n, "%s%lld", n ? "," : "", (long long)json_integer_value(json_object_get(c, "id")));
	}
	return hpath(h, "%s", out);
}

#define EXPECT_IDS(h, tok, query, want)                                                   \
	do {                                                                              \
		const char *got_ = ids((h), (tok), (query));                              \
		EXPECT_TRUE(!strcmp(got_, (want)), hpath((h), "%s: got [%s], want [%s]", (query), got_, (want))); \
	} while (0)

static void test_inbox(void **state)
{
	struct harness *h = *state;
	long st;
	assert_true(h_start(h, H_NOW, NULL));
	const char *agent = login(h, "agent", H_PASSWORD), *disp = login(h, "dispatcher", H_PASSWORD);
	const char *bbs = login(h, "babaoshan.handler", H_PASSWORD);
	const char *cg = login(h, "sjs.chengguan.handler", H_PASSWORD);
	const char *zj = login(h, "sjs.zhujian.handler", H_PASSWORD);
	const char *cg_code = department(h, bbs, "chengguan");

	long long a = dispatched(h, agent, disp, "110107001"); /* 八宝山: waits for sign */
	long long b = dispatched(h, agent, disp, "110107001"); /* 八宝山: signed, whistles 城管 */
	long long c = dispatched(h, agent, disp, "110107006"); /* 金顶街: not ours */
	http(h, "POST", hpath(h, "/api/v1/cases/%lld/actions/sign", b), bbs, NULL, &st);
	EXPECT_STATUS(h, st, 200);
	http(h, "POST", hpath(h, "/api/v1/cases/%lld/actions/whistle", b), bbs,
	     hpath(h, "{\"units\":[\"%s\"]}", cg_code), &st);
	EXPECT_STATUS(h, st, 200);

	EXPECT_IDS(h, bbs, "inbox=sign", hpath(h, "%lld", a));
	EXPECT_IDS(h, bbs, "inbox=doing", hpath(h, "%lld", b));
	EXPECT_IDS(h, bbs, "inbox=whistled", "");
	EXPECT_IDS(h, bbs, "inbox=overdue", "");
	EXPECT_IDS(h, cg, "inbox=whistled", hpath(h, "%lld", b));
	EXPECT_IDS(h, cg, "inbox=sign", "");
	EXPECT_IDS(h, zj, "inbox=whistled", "");
	/* sign due (a: 2 h after dispatch) comes before feedback due (b: days away) */
	EXPECT_IDS(h, bbs, "sort=due", hpath(h, "%lld,%lld", a, b));
	EXPECT_IDS(h, bbs, "sort=new", hpath(h, "%lld,%lld", b, a));

	/*
	 * By lead unit: the district's supervisor sees every case led within its
	 * district; a street, or 城管 (summoned on b), only those linked to it.
	 */
	const char *sup = login(h, "sjs.supervisor", H_PASSWORD);
	EXPECT_IDS(h, sup, "unit=110107", hpath(h, "%lld,%lld,%lld", c, b, a));
	EXPECT_IDS(h, sup, "unit=110107001", hpath(h, "%lld,%lld", b, a));
	EXPECT_IDS(h, sup, "unit=110107001&status=dispatched", hpath(h, "%lld", a));
	EXPECT_IDS(h, sup, "unit=110108", "");
	EXPECT_IDS(h, bbs, "unit=110107", hpath(h, "%lld,%lld", b, a));
	EXPECT_IDS(h, bbs, "unit=110107006", "");
	EXPECT_IDS(h, cg, "unit=110107", hpath(h, "%lld", b));

	/* once 城管 has finished its task, the case leaves its whistled tab */
	http(h, "POST", hpath(h, "/api/v1/cases/%lld/actions/report", b), cg, "{}", &st);
	EXPECT_STATUS(h, st, 200);
	http(h, "POST", hpath(h, "/api/v1/cases/%lld/actions/finish", b), cg, "{\"result\":\"已清理\"}", &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_IDS(h, cg, "inbox=whistled", "");

	/* the dispatcher's queue of applications waiting for a decision */
	http(h, "POST", hpath(h, "/api/v1/cases/%lld/actions/extend", b), bbs,
	     "{\"new_due\":\"2026-03-31T18:00:00+08:00\",\"reason\":\"需协调产权单位\"}", &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_IDS(h, disp, "pending=extension", hpath(h, "%lld", b));
	EXPECT_IDS(h, disp, "pending=exclusion", "");
	http(h, "POST", hpath(h, "/api/v1/cases/%lld/actions/decide_extension", b), disp, "{\"approve\":true}", &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_IDS(h, disp, "pending=extension", "");

	EXPECT_ERROR(h, http(h, "GET", "/api/v1/cases?pending=all", disp, NULL, &st), 400, "invalid", "pending");
	EXPECT_ERROR(h, http(h, "GET", "/api/v1/cases?inbox=all", bbs, NULL, &st), 400, "invalid", "inbox");
	EXPECT_ERROR(h, http(h, "GET", "/api/v1/cases?sort=oldest", bbs, NULL, &st), 400, "invalid", "sort");
}

static void test_unit_search(void **state)
{
	struct harness *h = *state;
	long st;
	assert_true(h_start(h, H_NOW, NULL));
	const char *tok = login(h, "dispatcher", H_PASSWORD);
	json_t *l = http(h, "GET", "/api/v1/units?q=%E5%85%AB%E5%AE%9D%E5%B1%B1", tok, NULL, &st); /* 八宝山 */
	EXPECT_STATUS(h, st, 200);
	EXPECT_STR(l, "units.0.code", "110107001");
	EXPECT_STR(l, "units.0.name", "八宝山街道");
	EXPECT_BOOL(l, "more", false);
	/* a code prefix: 石景山区's units, cut at the limit */
	l = http(h, "GET", "/api/v1/units?q=110107&limit=5", tok, NULL, &st);
	EXPECT_SIZE(l, "units", 5);
	EXPECT_BOOL(l, "more", true);
	l = http(h, "GET", "/api/v1/units?q=%E5%85%AB%E5%AE%9D%E5%B1%B1&kind=community", tok, NULL, &st);
	EXPECT_TRUE(jsize(l, "units") == 0, h->last_body); /* no community is named 八宝山… */
	EXPECT_ERROR(h, http(h, "GET", "/api/v1/units?q=a&limit=0", tok, NULL, &st), 400, "invalid", "limit");
	EXPECT_ERROR(h,
		     http(h, "GET", hpath(h, "/api/v1/units?q=%s", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
			  tok, NULL, &st),
		     400, "invalid", "q");
}

static void test_boundaries(void **state)
{
	struct harness *h = *state;
	long st;
	assert_true(h_start(h, H_NOW, NULL));
	const char *sup = login(h, "sjs.supervisor", H_PASSWORD);
	/* The demo's 16 district outlines, GCJ-02, for a map drawn without tiles. */
	json_t *all = http(h, "GET", "/api/v1/geo/boundaries?level=district", sup, NULL, &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_STR(all, "type", "FeatureCollection");
	EXPECT_STR(all, "crs", "gcj02");
	EXPECT_SIZE(all, "features", 16);
	json_t *one = http(h, "GET", "/api/v1/geo/boundaries?level=district&unit=110107", sup, NULL, &st);
	EXPECT_SIZE(one, "features", 1);
	EXPECT_STR(one, "features.0.properties.code", "110107");
	EXPECT_STR(one, "features.0.properties.name", "石景山区");
	const char *gt = jstr(one, "features.0.geometry.type");
	EXPECT_TRUE(gt && (!strcmp(gt, "Polygon") || !strcmp(gt, "MultiPolygon")), h->last_body);
	json_t *none = http(h, "GET", "/api/v1/geo/boundaries?level=street&within=110107", sup, NULL, &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_SIZE(none, "features", 0); /* the demo ships no street outlines */
	EXPECT_ERROR(h, http(h, "GET", "/api/v1/geo/boundaries?level=city", sup, NULL, &st), 400, "invalid", "level");
	EXPECT_ERROR(h, http(h, "GET", "/api/v1/geo/boundaries?unit=999", sup, NULL, &st), 400, "invalid", "unit");
	EXPECT_ERROR(h, http(h, "GET", "/api/v1/geo/boundaries?within=999", sup, NULL, &st), 400, "invalid", "within");
	EXPECT_ERROR(h, http(h, "GET", "/api/v1/geo/boundaries", NULL, NULL, &st), 401, "unauthenticated", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_session_and_csrf, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_pages, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_inbox, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_boundaries, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_unit_search, h_setup, h_teardown),
	};
	int failed = cmocka_run_group_tests_name("integration: web", tests, h_group_setup, h_group_teardown);
	printf("%lu checks\n", h_checks());
	return failed ? 1 : 0;
}
