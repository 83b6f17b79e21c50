/*
 * test_admin.c — the administration API over HTTP: accounts, units,
 * categories and the holiday calendar. Each endpoint's success path; that
 * only the centre's admins may change anything (and list accounts); bad
 * input, each with its exact status, error code and field, and the proof
 * that a refused request changed nothing (the accounts, units, categories
 * and calendar read back byte for byte the same); that a changed account
 * takes effect at the user's next request; and that a calendar change is
 * used for deadlines from the next start of the server, as the reply says.
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

#define DEMO_USERS 24      /* accounts made by jiesu init --demo */
#define SJS_USERS 20       /* of them at 石景山区 (110107) or below */
#define DEMO_CATEGORIES 381 /* rows of data/categories.csv */
#define HOLIDAYS_2026 39   /* entries for 2026 in data/calendar/ */

static const char complaint[] =
	"{\"type\":\"complaint\",\"title\":\"小区夜间施工噪音扰民\",\"content\":\"工地每晚十一点后仍在施工。\","
	"\"requester\":{\"name\":\"张三\",\"phone\":\"13812345678\"},\"place\":{\"street\":\"110107001\"}}";

/* Send a request and check the refusal: status, error code, error field (NULL: null). */
#define EXPECT_REFUSED(h, method, path, tok, body, status, code, field) \
	EXPECT_ERROR((h), http((h), (method), (path), (tok), (body), NULL), (status), (code), (field))

/* s repeated n times, owned by the harness. */
static const char *repeat(struct harness *h, const char *s, size_t n)
{
	size_t len = strlen(s);
	char *buf = malloc(len * n + 1);
	assert_non_null(buf);
	for (size_t i = 0; i < n; i++)
		memcpy(buf + i * len, s, len);
	buf[len * n] = '\0';
	const char *out = hpath(h, "%s", buf);
	free(buf);
	return out;
}

/* The raw body of a GET that must answer 200, owned by the harness. */
static const char *get_raw(struct harness *h, const char *path, const char *tok)
{
	long st;
	http(h, "GET", path, tok, NULL, &st);
	EXPECT_STATUS(h, st, 200);
	return hpath(h, "%s", h->last_body ? h->last_body : "");
}

/*
 * Everything the administration API can change, as the admin reads it:
 * every account, the units under 石景山区 and under 八宝山街道, the unit
 * count, the categories and the 2026 calendar.
 */
struct snap {
	const char *users, *district, *street, *health, *categories, *holidays;
};

static struct snap snapshot(struct harness *h, const char *admin)
{
	struct snap s;
	s.users = get_raw(h, "/api/v1/users?per_page=100", admin);
	s.district = get_raw(h, "/api/v1/units?parent=110107", admin);
	s.street = get_raw(h, "/api/v1/units?parent=110107001", admin);
	s.health = get_raw(h, "/healthz", NULL);
	s.categories = get_raw(h, "/api/v1/categories", admin);
	s.holidays = get_raw(h, "/api/v1/holidays?year=2026", admin);
	return s;
}

#define EXPECT_UNCHANGED(h, admin, before) expect_unchanged((h), (admin), (before), __LINE__)
static void expect_unchanged(struct harness *h, const char *admin, struct snap before, int line)
{
	struct snap now = snapshot(h, admin);
	h_check_true(!strcmp(now.users, before.users), "accounts unchanged", now.users, __FILE__, line);
	h_check_true(!strcmp(now.district, before.district), "units of 110107 unchanged", now.district, __FILE__,
		     line);
	h_check_true(!strcmp(now.street, before.street), "units of 110107001 unchanged", now.street, __FILE__, line);
	h_check_true(!strcmp(now.health, before.health), "unit count unchanged", now.health, __FILE__, line);
	h_check_true(!strcmp(now.categories, before.categories), "categories unchanged", "(long)", __FILE__, line);
	h_check_true(!strcmp(now.holidays, before.holidays), "calendar unchanged", now.holidays, __FILE__, line);
}

/* Whether the array at path holds an object whose key has value want. */
static bool has_item(json_t *j, const char *path, const char *key, const char *want)
{
	json_t *arr = jpath(j, path), *v;
	size_t i;
	json_array_foreach(arr, i, v)
	{
		const char *s = json_string_value(json_object_get(v, key));
		if (s && !strcmp(s, want))
			return true;
	}
	return false;
}

/* ------------------------------------------------------------ accounts */

static void test_users_list(void **state)
{
	struct harness *h = *state;
	long st;
	assert_true(h_start(h, H_NOW, NULL));
	const char *admin = login(h, "admin", H_PASSWORD);

	json_t *j = http(h, "GET", "/api/v1/users?unit=110107001", admin, NULL, &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_INT(j, "total", 2);
	EXPECT_INT(j, "page", 1);
	EXPECT_INT(j, "per_page", 20);
	EXPECT_SIZE(j, "users", 2);
	EXPECT_STR(j, "users.0.login", "babaoshan.handler");
	EXPECT_STR(j, "users.0.name", "八宝山街道承办人");
	EXPECT_STR(j, "users.0.role", "handler");
	EXPECT_STR(j, "users.0.unit.code", "110107001");
	EXPECT_STR(j, "users.0.unit.name", "八宝山街道");
	EXPECT_STR(j, "users.0.unit.kind", "street");
	EXPECT_BOOL(j, "users.0.active", true);
	EXPECT_TRUE(jstr(j, "users.0.created_at") != NULL, h->last_body);
	EXPECT_STR(j, "users.1.login", "babaoshan.head");
	/* never a password hash, under any name */
	EXPECT_TRUE(jpath(j, "users.0.pw_hash") == NULL, h->last_body);
	EXPECT_TRUE(strstr(h->last_body, "argon2") == NULL, h->last_body);
	EXPECT_TRUE(strstr(h->last_body, "pw_hash") == NULL, h->last_body);

	/* a unit and everything below it: the district, its streets and departments */
	j = http(h, "GET", "/api/v1/users?unit=110107", admin, NULL, &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_INT(j, "total", SJS_USERS);
	EXPECT_TRUE(has_item(j, "users", "login", "sjs.supervisor"), h->last_body);
	EXPECT_TRUE(has_item(j, "users", "login", "lugu.handler"), h->last_body);
	EXPECT_TRUE(has_item(j, "users", "login", "sjs.water.handler"), h->last_body);
	EXPECT_TRUE(!has_item(j, "users", "login", "agent"), h->last_body);

	/* everyone, by id, a page at a time */
	j = http(h, "GET", "/api/v1/users", admin, NULL, &st);
	EXPECT_INT(j, "total", DEMO_USERS);
	EXPECT_SIZE(j, "users", 20);
	EXPECT_STR(j, "users.0.login", "agent");
	EXPECT_STR(j, "users.2.login", "admin");
	j = http(h, "GET", "/api/v1/users?page=3&per_page=10", admin, NULL, &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_INT(j, "total", DEMO_USERS);
	EXPECT_INT(j, "page", 3);
	EXPECT_SIZE(j, "users", DEMO_USERS - 20);
	EXPECT_INT(j, "users.0.id", 21);
	j = http(h, "GET", "/api/v1/users?page=9", admin, NULL, &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_SIZE(j, "users", 0);
	EXPECT_INT(j, "total", DEMO_USERS);
}

static void test_user_create_and_login(void **state)
{
	struct harness *h = *state;
	long st;
	assert_true(h_start(h, H_NOW, NULL));
	const char *admin = login(h, "admin", H_PASSWORD);

	json_t *u = http(h, "POST", "/api/v1/users", admin,
			 "{\"login\":\"babaoshan.wang\",\"name\":\"王芳\",\"role\":\"handler\",\"unit\":\"110107001\","
			 "\"password\":\"bbs-pass-2026\"}",
			 &st);
	EXPECT_STATUS(h, st, 201);
	EXPECT_TRUE(jint(u, "id") == DEMO_USERS + 1, h->last_body);
	EXPECT_STR(u, "login", "babaoshan.wang");
	EXPECT_STR(u, "name", "王芳");
	EXPECT_STR(u, "role", "handler");
	EXPECT_STR(u, "unit.code", "110107001");
	EXPECT_STR(u, "unit.kind", "street");
	EXPECT_BOOL(u, "active", true);
	EXPECT_STR(u, "created_at", H_NOW);
	EXPECT_TRUE(strstr(h->last_body, "password") == NULL && strstr(h->last_body, "argon2") == NULL,
		    h->last_body);

	/* the new account logs in and works at once */
	const char *tok = login(h, "babaoshan.wang", "bbs-pass-2026");
	json_t *me = http(h, "GET", "/api/v1/me", tok, NULL, &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_STR(me, "login", "babaoshan.wang");
	EXPECT_STR(me, "role", "handler");
	EXPECT_STR(me, "unit.code", "110107001");
	json_t *j = http(h, "GET", "/api/v1/users?unit=110107001", admin, NULL, &st);
	EXPECT_INT(j, "total", 3);
	EXPECT_STR(j, "users.2.login", "babaoshan.wang");

	/* an admin of a district fits any unit (but is not an admin of the centre: see test_admin_only) */
	u = http(h, "POST", "/api/v1/users", admin,
		 "{\"login\":\"sjs.admin\",\"name\":\"区管理员\",\"role\":\"admin\",\"unit\":\"110107\","
		 "\"password\":\"sjs-admin-pw\"}",
		 &st);
	EXPECT_STATUS(h, st, 201);
	EXPECT_STR(u, "role", "admin");
	EXPECT_STR(u, "unit.code", "110107");
}

static void test_user_update(void **state)
{
	struct harness *h = *state;
	long st;
	assert_true(h_start(h, H_NOW, NULL));
	const char *admin = login(h, "admin", H_PASSWORD);
	json_t *u = http(h, "POST", "/api/v1/users", admin,
			 "{\"login\":\"li.na\",\"name\":\"李娜\",\"role\":\"handler\",\"unit\":\"110107001\","
			 "\"password\":\"first-pass-1\"}",
			 &st);
	EXPECT_STATUS(h, st, 201);
	long long id = jint(u, "id");
	const char *P = hpath(h, "/api/v1/users/%lld", id);

	/* a new name: the session goes on */
	const char *tok = login(h, "li.na", "first-pass-1");
	u = http(h, "PATCH", P, admin, "{\"name\":\"李娜（八宝山）\"}", &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_STR(u, "name", "李娜（八宝山）");
	EXPECT_STR(u, "login", "li.na");
	EXPECT_STR(u, "role", "handler");
	json_t *me = http(h, "GET", "/api/v1/me", tok, NULL, &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_STR(me, "name", "李娜（八宝山）");

	/* a new password ends the session; the old password no longer works, the new one does */
	u = http(h, "PATCH", P, admin, "{\"password\":\"second-pass-2\"}", &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_ERROR(h, http(h, "GET", "/api/v1/me", tok, NULL, &st), 401, "unauthenticated", NULL);
	EXPECT_REFUSED(h, "POST", "/api/v1/auth/login", NULL, "{\"login\":\"li.na\",\"password\":\"first-pass-1\"}",
		       401, "bad_credentials", NULL);
	tok = login(h, "li.na", "second-pass-2");

	/* a new role ends the session too */
	u = http(h, "PATCH", P, admin, "{\"role\":\"head\"}", &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_STR(u, "role", "head");
	EXPECT_ERROR(h, http(h, "GET", "/api/v1/me", tok, NULL, &st), 401, "unauthenticated", NULL);
	tok = login(h, "li.na", "second-pass-2");
	EXPECT_STR(http(h, "GET", "/api/v1/me", tok, NULL, &st), "role", "head");

	/* and a new unit */
	u = http(h, "PATCH", P, admin, "{\"unit\":\"110107002\"}", &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_STR(u, "unit.code", "110107002");
	EXPECT_STR(u, "unit.name", "老山街道");
	EXPECT_ERROR(h, http(h, "GET", "/api/v1/me", tok, NULL, &st), 401, "unauthenticated", NULL);
	tok = login(h, "li.na", "second-pass-2");
	EXPECT_STR(http(h, "GET", "/api/v1/me", tok, NULL, &st), "unit.code", "110107002");

	/* role and unit together: a handler at a street becomes a dispatcher at the centre */
	u = http(h, "PATCH", P, admin, "{\"role\":\"dispatcher\",\"unit\":\"12345\"}", &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_STR(u, "role", "dispatcher");
	EXPECT_STR(u, "unit.code", "12345");
	EXPECT_ERROR(h, http(h, "GET", "/api/v1/me", tok, NULL, &st), 401, "unauthenticated", NULL);

	/* deactivation: the session ends at once and login is refused like a wrong password */
	tok = login(h, "li.na", "second-pass-2");
	const char *tok2 = login(h, "li.na", "second-pass-2");
	u = http(h, "PATCH", P, admin, "{\"active\":false}", &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_BOOL(u, "active", false);
	EXPECT_ERROR(h, http(h, "GET", "/api/v1/me", tok, NULL, &st), 401, "unauthenticated", NULL);
	EXPECT_ERROR(h, http(h, "GET", "/api/v1/cases", tok2, NULL, &st), 401, "unauthenticated", NULL);
	EXPECT_REFUSED(h, "POST", "/api/v1/auth/login", NULL, "{\"login\":\"li.na\",\"password\":\"second-pass-2\"}",
		       401, "bad_credentials", NULL);
	EXPECT_REFUSED(h, "POST", "/api/v1/auth/session", NULL,
		       "{\"login\":\"li.na\",\"password\":\"second-pass-2\"}", 401, "bad_credentials", NULL);
	json_t *j = http(h, "GET", "/api/v1/users?unit=12345&per_page=100", admin, NULL, &st);
	EXPECT_TRUE(has_item(j, "users", "login", "li.na"), h->last_body); /* still listed, as inactive */

	/* and back */
	u = http(h, "PATCH", P, admin, "{\"active\":true}", &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_BOOL(u, "active", true);
	tok = login(h, "li.na", "second-pass-2");
	EXPECT_STR(http(h, "GET", "/api/v1/me", tok, NULL, &st), "role", "dispatcher");

	/* the admin's own session was never touched; another admin may deactivate this one */
	EXPECT_STR(http(h, "GET", "/api/v1/me", admin, NULL, &st), "login", "admin");
	u = http(h, "POST", "/api/v1/users", admin,
		 "{\"login\":\"admin2\",\"name\":\"第二管理员\",\"role\":\"admin\",\"unit\":\"12345\","
		 "\"password\":\"admin2-pass\"}",
		 &st);
	EXPECT_STATUS(h, st, 201);
	const char *admin2 = login(h, "admin2", "admin2-pass");
	u = http(h, "PATCH", "/api/v1/users/3", admin2, "{\"active\":false}", &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_STR(u, "login", "admin");
	EXPECT_BOOL(u, "active", false);
	EXPECT_ERROR(h, http(h, "GET", "/api/v1/me", admin, NULL, &st), 401, "unauthenticated", NULL);
}

/* ------------------------------------------------------------ units and categories */

static void test_units(void **state)
{
	struct harness *h = *state;
	long st;
	assert_true(h_start(h, H_NOW, NULL));
	const char *admin = login(h, "admin", H_PASSWORD);
	long long units = jint(http(h, "GET", "/healthz", NULL, NULL, &st), "units");

	/* a new street under 石景山区 */
	json_t *u = http(h, "POST", "/api/v1/units", admin,
			 "{\"code\":\"110107099\",\"name\":\"石景山测试街道\",\"kind\":\"street\",\"parent\":\"110107\"}",
			 &st);
	EXPECT_STATUS(h, st, 201);
	EXPECT_STR(u, "code", "110107099");
	EXPECT_STR(u, "name", "石景山测试街道");
	EXPECT_STR(u, "kind", "street");
	EXPECT_STR(u, "parent", "110107");
	EXPECT_TRUE(jpath(u, "sector") == NULL, h->last_body);
	json_t *j = http(h, "GET", "/api/v1/units?parent=110107", admin, NULL, &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_TRUE(has_item(j, "units", "code", "110107099"), h->last_body);
	j = http(h, "GET", "/api/v1/units?kind=street&parent=110107", admin, NULL, &st);
	EXPECT_TRUE(has_item(j, "units", "name", "石景山测试街道"), h->last_body);
	EXPECT_INT(http(h, "GET", "/healthz", NULL, NULL, &st), "units", units + 1);

	/* a community under it, a department with a new remit under the district */
	u = http(h, "POST", "/api/v1/units", admin,
		 "{\"code\":\"110107099001\",\"name\":\"测试社区\",\"kind\":\"community\",\"parent\":\"110107099\"}", &st);
	EXPECT_STATUS(h, st, 201);
	EXPECT_STR(u, "parent", "110107099");
	u = http(h, "POST", "/api/v1/units", admin,
		 "{\"code\":\"110107899\",\"name\":\"石景山区无人机管理办公室\",\"kind\":\"department\","
		 "\"parent\":\"110107\",\"sector\":\"drone\"}",
		 &st);
	EXPECT_STATUS(h, st, 201);
	EXPECT_STR(u, "kind", "department");
	EXPECT_STR(u, "sector", "drone");
	/* a new district under the centre */
	u = http(h, "POST", "/api/v1/units", admin,
		 "{\"code\":\"110199\",\"name\":\"测试新区\",\"kind\":\"district\",\"parent\":\"12345\"}", &st);
	EXPECT_STATUS(h, st, 201);
	EXPECT_STR(u, "parent", "12345");

	/* rename the street, move the department's remit */
	u = http(h, "PATCH", "/api/v1/units/110107099", admin, "{\"name\":\"石景山新街道\"}", &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_STR(u, "name", "石景山新街道");
	EXPECT_STR(u, "parent", "110107");
	EXPECT_STR(http(h, "GET", "/api/v1/units/110107099", admin, NULL, &st), "name", "石景山新街道");
	u = http(h, "PATCH", "/api/v1/units/110107899", admin, "{\"sector\":\"uav\",\"name\":\"石景山区低空办\"}", &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_STR(u, "sector", "uav");
	EXPECT_STR(u, "name", "石景山区低空办");
	/* the community still hangs under the renamed street */
	j = http(h, "GET", "/api/v1/units?parent=110107099", admin, NULL, &st);
	EXPECT_SIZE(j, "units", 1);
	EXPECT_STR(j, "units.0.code", "110107099001");

	/* the new street is usable at once: an account there, and a case dispatched to it */
	u = http(h, "POST", "/api/v1/users", admin,
		 "{\"login\":\"xin.handler\",\"name\":\"新街道承办人\",\"role\":\"handler\",\"unit\":\"110107099\","
		 "\"password\":\"xin-pass-01\"}",
		 &st);
	EXPECT_STATUS(h, st, 201);
	const char *agent = login(h, "agent", H_PASSWORD), *disp = login(h, "dispatcher", H_PASSWORD);
	json_t *c = http(h, "POST", "/api/v1/cases", agent, complaint, &st);
	EXPECT_STATUS(h, st, 201);
	long long id = jint(c, "id");
	c = http(h, "POST", hpath(h, "/api/v1/cases/%lld/actions/dispatch", id), disp, "{\"unit\":\"110107099\"}", &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_STR(c, "lead_unit.code", "110107099");
	EXPECT_STR(c, "lead_unit.name", "石景山新街道");
	const char *xin = login(h, "xin.handler", "xin-pass-01");
	c = http(h, "POST", hpath(h, "/api/v1/cases/%lld/actions/sign", id), xin, "{}", &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_STR(c, "status", "accepted");

	/* the history names units as they are now: a rename reaches a history already drawn (and kept) */
	char last[32];
	for (int i = 0; i < 4; i++) /* on every worker thread */
		c = http(h, "GET", hpath(h, "/api/v1/cases/%lld", id), xin, NULL, &st);
	snprintf(last, sizeof(last), "events.%zu.unit.name", jsize(c, "events") - 1);
	EXPECT_STR(c, last, "石景山新街道");
	u = http(h, "PATCH", "/api/v1/units/110107099", admin, "{\"name\":\"石景山又一新街道\"}", &st);
	EXPECT_STATUS(h, st, 200);
	for (int i = 0; i < 4; i++) {
		c = http(h, "GET", hpath(h, "/api/v1/cases/%lld", id), xin, NULL, &st);
		EXPECT_STATUS(h, st, 200);
		EXPECT_STR(c, last, "石景山又一新街道");
		EXPECT_STR(c, "lead_unit.name", "石景山又一新街道");
	}
}

static void test_categories(void **state)
{
	struct harness *h = *state;
	long st;
	assert_true(h_start(h, H_NOW, NULL));
	const char *admin = login(h, "admin", H_PASSWORD);
	EXPECT_SIZE(http(h, "GET", "/api/v1/categories", admin, NULL, &st), "categories", DEMO_CATEGORIES);

	json_t *c = http(h, "POST", "/api/v1/categories", admin,
			 "{\"path\":\"城市管理->低空飞行->无人机扰民\",\"tier\":\"utilities\",\"handling\":\"sector:chengguan\"}",
			 &st);
	EXPECT_STATUS(h, st, 201);
	long long id = jint(c, "id");
	EXPECT_TRUE(id == DEMO_CATEGORIES + 1, h->last_body);
	EXPECT_STR(c, "path", "城市管理->低空飞行->无人机扰民");
	EXPECT_STR(c, "tier", "utilities");
	EXPECT_STR(c, "handling", "sector:chengguan");
	/* one level is a path too */
	c = http(h, "POST", "/api/v1/categories", admin, "{\"path\":\"其他\",\"tier\":\"general\",\"handling\":\"street\"}",
		 &st);
	EXPECT_STATUS(h, st, 201);
	EXPECT_STR(c, "handling", "street");
	json_t *j = http(h, "GET", "/api/v1/categories", admin, NULL, &st);
	EXPECT_SIZE(j, "categories", DEMO_CATEGORIES + 2);
	EXPECT_TRUE(has_item(j, "categories", "path", "城市管理->低空飞行->无人机扰民"), "new category listed");

	c = http(h, "PATCH", hpath(h, "/api/v1/categories/%lld", id), admin, "{\"tier\":\"emergency\"}", &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_STR(c, "tier", "emergency");
	EXPECT_STR(c, "handling", "sector:chengguan");
	EXPECT_STR(c, "path", "城市管理->低空飞行->无人机扰民");
	c = http(h, "PATCH", hpath(h, "/api/v1/categories/%lld", id), admin, "{\"handling\":\"street\"}", &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_STR(c, "tier", "emergency");
	EXPECT_STR(c, "handling", "street");
	EXPECT_SIZE(http(h, "GET", "/api/v1/categories", admin, NULL, &st), "categories", DEMO_CATEGORIES + 2);

	/* a case of that category takes its tier at once */
	const char *agent = login(h, "agent", H_PASSWORD);
	json_t *body = json_loads(complaint, 0, NULL);
	json_object_set_new(body, "category", json_integer(id));
	char *text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	c = http(h, "POST", "/api/v1/cases", agent, text, &st);
	free(text);
	EXPECT_STATUS(h, st, 201);
	EXPECT_STR(c, "tier", "emergency");
}

/* ------------------------------------------------------------ holidays */

static void test_holidays(void **state)
{
	struct harness *h = *state;
	long st;
	assert_true(h_start(h, H_NOW, NULL));
	const char *admin = login(h, "admin", H_PASSWORD);
	const char *agent = login(h, "agent", H_PASSWORD), *disp = login(h, "dispatcher", H_PASSWORD);

	/* anyone logged in reads the calendar; the year defaults to the current one */
	json_t *j = http(h, "GET", "/api/v1/holidays?year=2026", agent, NULL, &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_INT(j, "year", 2026);
	EXPECT_SIZE(j, "days", HOLIDAYS_2026);
	EXPECT_STR(j, "days.0.date", "2026-01-01");
	EXPECT_STR(j, "days.0.kind", "off");
	EXPECT_STR(j, "days.0.name", "元旦");
	EXPECT_TRUE(has_item(j, "days", "name", "春节调休上班"), h->last_body);
	j = http(h, "GET", "/api/v1/holidays", agent, NULL, &st);
	EXPECT_INT(j, "year", 2026);
	EXPECT_SIZE(j, "days", HOLIDAYS_2026);
	EXPECT_SIZE(http(h, "GET", "/api/v1/holidays?year=2025", agent, NULL, &st), "days", 72 - HOLIDAYS_2026);
	EXPECT_SIZE(http(h, "GET", "/api/v1/holidays?year=2030", agent, NULL, &st), "days", 0);

	/* a day off on Wednesday 2026-03-04, a working Saturday 2026-03-07 */
	j = http(h, "PUT", "/api/v1/holidays/2026-03-04", admin, "{\"kind\":\"off\",\"name\":\"测试假日\"}", &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_STR(j, "date", "2026-03-04");
	EXPECT_STR(j, "kind", "off");
	EXPECT_STR(j, "name", "测试假日");
	EXPECT_STR(j, "effective", "restart");
	j = http(h, "PUT", "/api/v1/holidays/2026-03-07", admin, "{\"kind\":\"work\",\"name\":\"测试调休上班\"}", &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_STR(j, "kind", "work");
	j = http(h, "GET", "/api/v1/holidays?year=2026", agent, NULL, &st);
	EXPECT_SIZE(j, "days", HOLIDAYS_2026 + 2);
	EXPECT_TRUE(has_item(j, "days", "date", "2026-03-04") && has_item(j, "days", "name", "测试假日"),
		    h->last_body);
	/* PUT again replaces the day */
	j = http(h, "PUT", "/api/v1/holidays/2026-03-07", admin, "{\"kind\":\"off\",\"name\":\"改为休息\"}", &st);
	EXPECT_STATUS(h, st, 200);
	j = http(h, "GET", "/api/v1/holidays?year=2026", agent, NULL, &st);
	EXPECT_SIZE(j, "days", HOLIDAYS_2026 + 2);
	EXPECT_TRUE(has_item(j, "days", "name", "改为休息") && !has_item(j, "days", "name", "测试调休上班"),
		    h->last_body);
	j = http(h, "DELETE", "/api/v1/holidays/2026-03-07", admin, NULL, &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_BOOL(j, "ok", true);
	EXPECT_STR(j, "effective", "restart");
	EXPECT_SIZE(http(h, "GET", "/api/v1/holidays?year=2026", agent, NULL, &st), "days", HOLIDAYS_2026 + 1);
	EXPECT_REFUSED(h, "DELETE", "/api/v1/holidays/2026-03-07", admin, NULL, 404, "not_found", "date");

	/*
	 * "effective": "restart": this server still counts 7 working days from
	 * Monday 2026-03-02 09:00 without the new day off (due Wednesday 03-11);
	 * after a restart the same count skips 03-04 (due Thursday 03-12).
	 */
	json_t *c = http(h, "POST", "/api/v1/cases", agent, complaint, &st);
	long long id = jint(c, "id");
	c = http(h, "POST", hpath(h, "/api/v1/cases/%lld/actions/dispatch", id), disp, "{}", &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_STR(c, "tier", "general");
	EXPECT_STR(c, "deadlines.feedback.due", "2026-03-11T09:00:00+08:00");
	assert_true(h_start(h, H_NOW, NULL));
	agent = login(h, "agent", H_PASSWORD);
	disp = login(h, "dispatcher", H_PASSWORD);
	c = http(h, "POST", "/api/v1/cases", agent, complaint, &st);
	id = jint(c, "id");
	c = http(h, "POST", hpath(h, "/api/v1/cases/%lld/actions/dispatch", id), disp, "{}", &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_STR(c, "deadlines.feedback.due", "2026-03-12T09:00:00+08:00");
	/* the first case keeps the deadline it was given */
	EXPECT_STR(http(h, "GET", "/api/v1/cases/1", agent, NULL, &st), "deadlines.feedback.due",
		   "2026-03-11T09:00:00+08:00");
}

/* ------------------------------------------------------------ who may */

static void test_admin_only(void **state)
{
	struct harness *h = *state;
	long st;
	assert_true(h_start(h, H_NOW, NULL));
	const char *admin = login(h, "admin", H_PASSWORD);
	/* an admin, but of a district: not an admin of the centre */
	http(h, "POST", "/api/v1/users", admin,
	     "{\"login\":\"sjs.admin\",\"name\":\"区管理员\",\"role\":\"admin\",\"unit\":\"110107\",\"password\":\"sjs-admin-pw\"}",
	     &st);
	EXPECT_STATUS(h, st, 201);
	const char *who[] = {
		login(h, "agent", H_PASSWORD),          login(h, "dispatcher", H_PASSWORD),
		login(h, "babaoshan.handler", H_PASSWORD), login(h, "sjs.supervisor", H_PASSWORD),
		login(h, "centre.assessor", H_PASSWORD), login(h, "sjs.admin", "sjs-admin-pw"),
	};
	struct snap before = snapshot(h, admin);

	for (size_t i = 0; i < sizeof(who) / sizeof(who[0]); i++) {
		const char *t = who[i];
		EXPECT_REFUSED(h, "GET", "/api/v1/users", t, NULL, 403, "forbidden", NULL);
		EXPECT_REFUSED(h, "GET", "/api/v1/users?unit=110107001", t, NULL, 403, "forbidden", NULL);
		EXPECT_REFUSED(h, "POST", "/api/v1/users", t,
			       "{\"login\":\"x.y\",\"name\":\"某人\",\"role\":\"handler\",\"unit\":\"110107001\","
			       "\"password\":\"whatever-1\"}",
			       403, "forbidden", NULL);
		EXPECT_REFUSED(h, "PATCH", "/api/v1/users/8", t, "{\"active\":false}", 403, "forbidden", NULL);
		EXPECT_REFUSED(h, "PATCH", "/api/v1/users/3", t, "{\"password\":\"taken-over-1\"}", 403, "forbidden",
			       NULL);
		EXPECT_REFUSED(h, "POST", "/api/v1/units", t,
			       "{\"code\":\"110107098\",\"name\":\"某街道\",\"kind\":\"street\",\"parent\":\"110107\"}", 403,
			       "forbidden", NULL);
		EXPECT_REFUSED(h, "PATCH", "/api/v1/units/110107001", t, "{\"name\":\"改名街道\"}", 403, "forbidden",
			       NULL);
		EXPECT_REFUSED(h, "POST", "/api/v1/categories", t,
			       "{\"path\":\"某->分类\",\"tier\":\"general\",\"handling\":\"street\"}", 403, "forbidden",
			       NULL);
		EXPECT_REFUSED(h, "PATCH", "/api/v1/categories/1", t, "{\"tier\":\"emergency\"}", 403, "forbidden", NULL);
		EXPECT_REFUSED(h, "PUT", "/api/v1/holidays/2026-03-04", t, "{\"kind\":\"off\",\"name\":\"假日\"}", 403,
			       "forbidden", NULL);
		EXPECT_REFUSED(h, "DELETE", "/api/v1/holidays/2026-01-01", t, NULL, 403, "forbidden", NULL);
		/* reading the calendar is for everyone */
		EXPECT_SIZE(http(h, "GET", "/api/v1/holidays?year=2026", t, NULL, &st), "days", HOLIDAYS_2026);
		EXPECT_STATUS(h, st, 200);
	}
	/* without a login: 401 */
	EXPECT_REFUSED(h, "GET", "/api/v1/users", NULL, NULL, 401, "unauthenticated", NULL);
	EXPECT_REFUSED(h, "GET", "/api/v1/holidays", NULL, NULL, 401, "unauthenticated", NULL);
	EXPECT_REFUSED(h, "POST", "/api/v1/units", NULL, "{}", 401, "unauthenticated", NULL);
	/* a method the path does not have */
	EXPECT_REFUSED(h, "DELETE", "/api/v1/users/8", admin, NULL, 405, "method_not_allowed", NULL);
	EXPECT_REFUSED(h, "POST", "/api/v1/holidays/2026-03-04", admin, "{}", 405, "method_not_allowed", NULL);

	EXPECT_UNCHANGED(h, admin, before);
	/* every one of them still logged in: nothing they tried touched an account */
	for (size_t i = 0; i < sizeof(who) / sizeof(who[0]); i++) {
		http(h, "GET", "/api/v1/me", who[i], NULL, &st);
		EXPECT_STATUS(h, st, 200);
	}
}

/* ------------------------------------------------------------ bad input */

static void test_bad_users(void **state)
{
	struct harness *h = *state;
	long st;
	assert_true(h_start(h, H_NOW, NULL));
	const char *admin = login(h, "admin", H_PASSWORD);
	const char *handler = login(h, "babaoshan.handler", H_PASSWORD);
	struct snap before = snapshot(h, admin);
	const char *P = "/api/v1/users";
#define NEWUSER(login, name, role, unit, pw)                                                                \
	"{\"login\":" login ",\"name\":" name ",\"role\":" role ",\"unit\":" unit ",\"password\":" pw "}"

	EXPECT_REFUSED(h, "POST", P, admin, NEWUSER("\"Wang Fang\"", "\"王芳\"", "\"handler\"", "\"110107001\"", "\"pass-word-1\""),
		       400, "invalid", "login");
	EXPECT_REFUSED(h, "POST", P, admin, NEWUSER("\"王芳\"", "\"王芳\"", "\"handler\"", "\"110107001\"", "\"pass-word-1\""),
		       400, "invalid", "login");
	EXPECT_REFUSED(h, "POST", P, admin, NEWUSER("42", "\"王芳\"", "\"handler\"", "\"110107001\"", "\"pass-word-1\""), 400,
		       "invalid", "login");
	EXPECT_REFUSED(h, "POST", P, admin,
		       "{\"name\":\"王芳\",\"role\":\"handler\",\"unit\":\"110107001\",\"password\":\"pass-word-1\"}", 400,
		       "invalid", "login");
	EXPECT_REFUSED(h, "POST", P, admin, NEWUSER("\"agent\"", "\"王芳\"", "\"agent\"", "\"12345\"", "\"pass-word-1\""), 409,
		       "conflict", "login");
	EXPECT_REFUSED(h, "POST", P, admin, NEWUSER("\"wang.fang\"", "\"王芳\"", "\"handler\"", "\"110107001\"", "\"short\""),
		       400, "invalid", "password");
	EXPECT_REFUSED(h, "POST", P, admin,
		       NEWUSER("\"wang.fang\"", "\"王芳\"", "\"handler\"", "\"110107001\"",
			       "\"1234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890\""),
		       400, "invalid", "password");
	EXPECT_REFUSED(h, "POST", P, admin, NEWUSER("\"wang.fang\"", "\"王芳\"", "\"boss\"", "\"110107001\"", "\"pass-word-1\""),
		       400, "invalid", "role");
	EXPECT_REFUSED(h, "POST", P, admin, NEWUSER("\"wang.fang\"", "\"王芳\"", "\"agent\"", "\"110107001\"", "\"pass-word-1\""),
		       400, "invalid", "role");
	EXPECT_REFUSED(h, "POST", P, admin, NEWUSER("\"wang.fang\"", "\"王芳\"", "\"handler\"", "\"12345\"", "\"pass-word-1\""),
		       400, "invalid", "role");
	EXPECT_REFUSED(h, "POST", P, admin,
		       NEWUSER("\"wang.fang\"", "\"王芳\"", "\"supervisor\"", "\"110107001\"", "\"pass-word-1\""), 400,
		       "invalid", "role");
	EXPECT_REFUSED(h, "POST", P, admin, NEWUSER("\"wang.fang\"", "\"王芳\"", "\"handler\"", "\"999999\"", "\"pass-word-1\""),
		       400, "invalid", "unit");
	EXPECT_REFUSED(h, "POST", P, admin, NEWUSER("\"wang.fang\"", "\"\"", "\"handler\"", "\"110107001\"", "\"pass-word-1\""),
		       400, "invalid", "name");
	EXPECT_REFUSED(h, "POST", P, admin,
		       hpath(h, NEWUSER("\"wang.fang\"", "\"%s\"", "\"handler\"", "\"110107001\"", "\"pass-word-1\""),
			     repeat(h, "王", 51)),
		       400, "invalid", "name");
	EXPECT_REFUSED(h, "POST", P, admin,
		       "{\"login\":\"wang.fang\",\"name\":\"王芳\",\"role\":\"handler\",\"unit\":\"110107001\","
		       "\"password\":\"pass-word-1\",\"email\":\"w@example.cn\"}",
		       400, "invalid", "email");
	EXPECT_REFUSED(h, "POST", P, admin, "{\"login\":\"wang.fang\",", 400, "malformed_json", NULL);

	/* changes */
	EXPECT_REFUSED(h, "PATCH", "/api/v1/users/abc", admin, "{\"name\":\"某\"}", 400, "invalid", "id");
	EXPECT_REFUSED(h, "PATCH", "/api/v1/users/0", admin, "{\"name\":\"某\"}", 400, "invalid", "id");
	EXPECT_REFUSED(h, "PATCH", "/api/v1/users/99999", admin, "{\"name\":\"某\"}", 404, "not_found", "id");
	EXPECT_REFUSED(h, "PATCH", "/api/v1/users/8", admin, "{\"login\":\"bbs.h\"}", 400, "invalid", "login");
	EXPECT_REFUSED(h, "PATCH", "/api/v1/users/8", admin, "{}", 400, "invalid", NULL);
	EXPECT_REFUSED(h, "PATCH", "/api/v1/users/8", admin, "{\"active\":\"no\"}", 400, "invalid", "active");
	EXPECT_REFUSED(h, "PATCH", "/api/v1/users/8", admin, "{\"role\":null}", 400, "invalid", "role");
	EXPECT_REFUSED(h, "PATCH", "/api/v1/users/8", admin, "{\"nickname\":\"小王\"}", 400, "invalid", "nickname");
	EXPECT_REFUSED(h, "PATCH", "/api/v1/users/8", admin, "{\"password\":\"1234567\"}", 400, "invalid", "password");
	EXPECT_REFUSED(h, "PATCH", "/api/v1/users/8", admin, "{\"role\":\"agent\"}", 400, "invalid", "role");
	/* the handler's unit alone cannot become the centre: the role no longer fits, said on unit */
	EXPECT_REFUSED(h, "PATCH", "/api/v1/users/8", admin, "{\"unit\":\"12345\"}", 400, "invalid", "unit");
	EXPECT_REFUSED(h, "PATCH", "/api/v1/users/8", admin, "{\"unit\":\"nowhere\"}", 400, "invalid", "unit");
	/* a good field with a bad one: neither is applied */
	EXPECT_REFUSED(h, "PATCH", "/api/v1/users/8", admin, "{\"name\":\"新名字\",\"role\":\"chief\"}", 400, "invalid",
		       "role");
	EXPECT_REFUSED(h, "PATCH", "/api/v1/users/8", admin, "{\"active\":false,\"unit\":\"12345\"}", 400, "invalid",
		       "unit");
	/* the admin may not lock themselves out */
	EXPECT_REFUSED(h, "PATCH", "/api/v1/users/3", admin, "{\"active\":false}", 400, "invalid", "active");
	EXPECT_REFUSED(h, "PATCH", "/api/v1/users/3", admin, "{\"role\":\"agent\"}", 400, "invalid", "role");
	EXPECT_REFUSED(h, "PATCH", "/api/v1/users/3", admin, "{\"unit\":\"110107\"}", 400, "invalid", "unit");
	/* lists */
	EXPECT_REFUSED(h, "GET", "/api/v1/users?unit=999", admin, NULL, 400, "invalid", "unit");
	EXPECT_REFUSED(h, "GET", "/api/v1/users?per_page=101", admin, NULL, 400, "invalid", "per_page");
	EXPECT_REFUSED(h, "GET", "/api/v1/users?page=0", admin, NULL, 400, "invalid", "page");

	EXPECT_UNCHANGED(h, admin, before);
	/* the handler's session survived every refused change to their account */
	EXPECT_STR(http(h, "GET", "/api/v1/me", handler, NULL, &st), "login", "babaoshan.handler");
	EXPECT_STR(http(h, "GET", "/api/v1/me", admin, NULL, &st), "role", "admin");
#undef NEWUSER
}

static void test_bad_units_categories(void **state)
{
	struct harness *h = *state;
	assert_true(h_start(h, H_NOW, NULL));
	const char *admin = login(h, "admin", H_PASSWORD);
	struct snap before = snapshot(h, admin);
	const char *P = "/api/v1/units";
#define NEWUNIT(code, name, kind, parent) \
	"{\"code\":" code ",\"name\":" name ",\"kind\":" kind ",\"parent\":" parent "}"

	EXPECT_REFUSED(h, "POST", P, admin, NEWUNIT("\"11 0107\"", "\"某街道\"", "\"street\"", "\"110107\""), 400, "invalid",
		       "code");
	EXPECT_REFUSED(h, "POST", P, admin, NEWUNIT("\"110107/1\"", "\"某街道\"", "\"street\"", "\"110107\""), 400, "invalid",
		       "code");
	EXPECT_REFUSED(h, "POST", P, admin, NEWUNIT("\"110107001\"", "\"某街道\"", "\"street\"", "\"110107\""), 409,
		       "conflict", "code");
	EXPECT_REFUSED(h, "POST", P, admin, NEWUNIT("\"110107098\"", "\"\"", "\"street\"", "\"110107\""), 400, "invalid",
		       "name");
	EXPECT_REFUSED(h, "POST", P, admin, NEWUNIT("\"110107098\"", "\" 某街道\"", "\"street\"", "\"110107\""), 400,
		       "invalid", "name");
	EXPECT_REFUSED(h, "POST", P, admin, NEWUNIT("\"110107098\"", "\"某\\n街道\"", "\"street\"", "\"110107\""), 400,
		       "invalid", "name");
	EXPECT_REFUSED(h, "POST", P, admin, NEWUNIT("\"110107098\"", "\"某街道\"", "\"city\"", "\"110107\""), 400, "invalid",
		       "kind");
	EXPECT_REFUSED(h, "POST", P, admin, NEWUNIT("\"99999\"", "\"第二中心\"", "\"centre\"", "\"12345\""), 400, "invalid",
		       "kind");
	EXPECT_REFUSED(h, "POST", P, admin, NEWUNIT("\"110107098\"", "\"某街道\"", "\"street\"", "\"999\""), 400, "invalid",
		       "parent");
	EXPECT_REFUSED(h, "POST", P, admin, "{\"code\":\"110107098\",\"name\":\"某街道\",\"kind\":\"street\"}", 400,
		       "invalid", "parent");
	/* the parent must be of the right kind */
	EXPECT_REFUSED(h, "POST", P, admin, NEWUNIT("\"110107098\"", "\"某街道\"", "\"street\"", "\"110107001\""), 400,
		       "invalid", "parent");
	EXPECT_REFUSED(h, "POST", P, admin, NEWUNIT("\"110107098\"", "\"某街道\"", "\"street\"", "\"12345\""), 400,
		       "invalid", "parent");
	EXPECT_REFUSED(h, "POST", P, admin, NEWUNIT("\"110107001999\"", "\"某社区\"", "\"community\"", "\"110107\""), 400,
		       "invalid", "parent");
	EXPECT_REFUSED(h, "POST", P, admin, NEWUNIT("\"110108\"", "\"某区\"", "\"district\"", "\"110107\""), 400, "invalid",
		       "parent");
	EXPECT_REFUSED(h, "POST", P, admin, NEWUNIT("\"110107898\"", "\"某委员会\"", "\"department\"", "\"110107001\""), 400,
		       "invalid", "parent");
	/* sectors */
	EXPECT_REFUSED(h, "POST", P, admin, NEWUNIT("\"110107898\"", "\"某委员会\"", "\"department\"", "\"110107\""), 400,
		       "invalid", "sector");
	EXPECT_REFUSED(h, "POST", P, admin,
		       "{\"code\":\"110107898\",\"name\":\"某委员会\",\"kind\":\"department\",\"parent\":\"110107\","
		       "\"sector\":\"Cheng-Guan\"}",
		       400, "invalid", "sector");
	EXPECT_REFUSED(h, "POST", P, admin,
		       "{\"code\":\"110107898\",\"name\":\"第二城管委\",\"kind\":\"department\",\"parent\":\"110107\","
		       "\"sector\":\"chengguan\"}",
		       409, "conflict", "sector");
	EXPECT_REFUSED(h, "POST", P, admin,
		       "{\"code\":\"110107098\",\"name\":\"某街道\",\"kind\":\"street\",\"parent\":\"110107\","
		       "\"sector\":\"water\"}",
		       400, "invalid", "sector");
	EXPECT_REFUSED(h, "POST", P, admin,
		       "{\"code\":\"110107098\",\"name\":\"某街道\",\"kind\":\"street\",\"parent\":\"110107\","
		       "\"path\":\"/12345/110107/110107098/\"}",
		       400, "invalid", "path");

	/* unit changes */
	EXPECT_REFUSED(h, "PATCH", "/api/v1/units/110107001", admin, "{\"kind\":\"district\"}", 400, "invalid", "kind");
	EXPECT_REFUSED(h, "PATCH", "/api/v1/units/110107001", admin, "{\"parent\":\"110108\"}", 400, "invalid", "parent");
	EXPECT_REFUSED(h, "PATCH", "/api/v1/units/110107001", admin, "{\"code\":\"110107091\"}", 400, "invalid", "code");
	EXPECT_REFUSED(h, "PATCH", "/api/v1/units/110107001", admin, "{\"sector\":\"water\"}", 400, "invalid", "sector");
	EXPECT_REFUSED(h, "PATCH", "/api/v1/units/110107001", admin, hpath(h, "{\"name\":\"%s\"}", repeat(h, "街", 65)),
		       400, "invalid", "name");
	EXPECT_REFUSED(h, "PATCH", "/api/v1/units/110107001", admin, "{\"name\":\"   \"}", 400, "invalid", "name");
	EXPECT_REFUSED(h, "PATCH", "/api/v1/units/110107801", admin, "{\"sector\":\"water\"}", 409, "conflict",
		       "sector");
	EXPECT_REFUSED(h, "PATCH", "/api/v1/units/999", admin, "{\"name\":\"某单位\"}", 404, "not_found", "code");
	EXPECT_REFUSED(h, "PATCH", "/api/v1/units/110107001", admin, "{\"name\":\"新名\",\"kind\":\"district\"}", 400,
		       "invalid", "kind");

	/* categories */
	const char *C = "/api/v1/categories";
	EXPECT_REFUSED(h, "POST", C, admin, "{\"path\":\"城市管理->->噪音\",\"tier\":\"general\",\"handling\":\"street\"}", 400,
		       "invalid", "path");
	EXPECT_REFUSED(h, "POST", C, admin, "{\"path\":\"一->二->三->四\",\"tier\":\"general\",\"handling\":\"street\"}", 400,
		       "invalid", "path");
	EXPECT_REFUSED(h, "POST", C, admin, "{\"path\":\"城市管理-> 噪音\",\"tier\":\"general\",\"handling\":\"street\"}", 400,
		       "invalid", "path");
	EXPECT_REFUSED(h, "POST", C, admin,
		       "{\"path\":\"交通管理->车辆管理->私改车辆\",\"tier\":\"general\",\"handling\":\"street\"}", 409,
		       "conflict", "path");
	EXPECT_REFUSED(h, "POST", C, admin, "{\"path\":\"某->分类\",\"tier\":\"urgent\",\"handling\":\"street\"}", 400,
		       "invalid", "tier");
	EXPECT_REFUSED(h, "POST", C, admin, "{\"path\":\"某->分类\",\"tier\":\"general\",\"handling\":\"district\"}", 400,
		       "invalid", "handling");
	EXPECT_REFUSED(h, "POST", C, admin, "{\"path\":\"某->分类\",\"tier\":\"general\",\"handling\":\"sector:nosuch\"}",
		       400, "invalid", "handling");
	EXPECT_REFUSED(h, "POST", C, admin, "{\"path\":\"某->分类\",\"tier\":\"general\"}", 400, "invalid", "handling");
	EXPECT_REFUSED(h, "PATCH", "/api/v1/categories/1", admin, "{\"path\":\"改->路径\"}", 400, "invalid", "path");
	EXPECT_REFUSED(h, "PATCH", "/api/v1/categories/1", admin, "{\"tier\":\"fast\"}", 400, "invalid", "tier");
	EXPECT_REFUSED(h, "PATCH", "/api/v1/categories/1", admin, "{\"tier\":\"emergency\",\"handling\":\"sector:\"}",
		       400, "invalid", "handling");
	EXPECT_REFUSED(h, "PATCH", "/api/v1/categories/99999", admin, "{\"tier\":\"general\"}", 404, "not_found", "id");
	EXPECT_REFUSED(h, "PATCH", "/api/v1/categories/x1", admin, "{\"tier\":\"general\"}", 400, "invalid", "id");

	EXPECT_UNCHANGED(h, admin, before);
#undef NEWUNIT
}

static void test_bad_holidays(void **state)
{
	struct harness *h = *state;
	assert_true(h_start(h, H_NOW, NULL));
	const char *admin = login(h, "admin", H_PASSWORD);
	struct snap before = snapshot(h, admin);
	const char *ok = "{\"kind\":\"off\",\"name\":\"假日\"}";

	EXPECT_REFUSED(h, "PUT", "/api/v1/holidays/2026-02-30", admin, ok, 400, "invalid", "date");
	EXPECT_REFUSED(h, "PUT", "/api/v1/holidays/20260301", admin, ok, 400, "invalid", "date");
	EXPECT_REFUSED(h, "PUT", "/api/v1/holidays/2026-13-01", admin, ok, 400, "invalid", "date");
	EXPECT_REFUSED(h, "PUT", "/api/v1/holidays/2026-3-4", admin, ok, 400, "invalid", "date");
	EXPECT_REFUSED(h, "PUT", "/api/v1/holidays/2026-03-04", admin, "{\"kind\":\"holiday\",\"name\":\"假日\"}", 400,
		       "invalid", "kind");
	/* a working day on a Wednesday is no 调休 */
	EXPECT_REFUSED(h, "PUT", "/api/v1/holidays/2026-03-04", admin, "{\"kind\":\"work\",\"name\":\"调休\"}", 400,
		       "invalid", "kind");
	EXPECT_REFUSED(h, "PUT", "/api/v1/holidays/2026-03-04", admin, "{\"name\":\"假日\"}", 400, "invalid", "kind");
	EXPECT_REFUSED(h, "PUT", "/api/v1/holidays/2026-03-04", admin, "{\"kind\":\"off\",\"name\":\"\"}", 400, "invalid",
		       "name");
	EXPECT_REFUSED(h, "PUT", "/api/v1/holidays/2026-03-04", admin, "{\"kind\":\"off\"}", 400, "invalid", "name");
	EXPECT_REFUSED(h, "PUT", "/api/v1/holidays/2026-03-04", admin,
		       hpath(h, "{\"kind\":\"off\",\"name\":\"%s\"}", repeat(h, "节", 33)), 400, "invalid", "name");
	EXPECT_REFUSED(h, "PUT", "/api/v1/holidays/2026-03-04", admin, "{\"kind\":\"off\",\"name\":\"a\\tb\"}", 400,
		       "invalid", "name");
	EXPECT_REFUSED(h, "PUT", "/api/v1/holidays/2026-03-04", admin,
		       "{\"kind\":\"off\",\"name\":\"假日\",\"date\":\"2026-03-05\"}", 400, "invalid", "date");
	EXPECT_REFUSED(h, "PUT", "/api/v1/holidays/2026-03-04", admin, "[\"off\"]", 400, "malformed_json", NULL);
	/* a work day on the Saturday with a bad name: nothing stored either */
	EXPECT_REFUSED(h, "PUT", "/api/v1/holidays/2026-03-07", admin, "{\"kind\":\"work\",\"name\":7}", 400, "invalid",
		       "name");
	EXPECT_REFUSED(h, "DELETE", "/api/v1/holidays/2026-03-04", admin, NULL, 404, "not_found", "date");
	EXPECT_REFUSED(h, "DELETE", "/api/v1/holidays/2026-02-29", admin, NULL, 400, "invalid", "date");
	EXPECT_REFUSED(h, "GET", "/api/v1/holidays?year=26x", admin, NULL, 400, "invalid", "year");
	EXPECT_REFUSED(h, "GET", "/api/v1/holidays?year=1969", admin, NULL, 400, "invalid", "year");

	EXPECT_UNCHANGED(h, admin, before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_users_list, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_user_create_and_login, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_user_update, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_units, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_categories, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_holidays, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_admin_only, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_bad_users, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_bad_units_categories, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_bad_holidays, h_setup, h_teardown),
	};
	int failed = cmocka_run_group_tests_name("integration: admin", tests, h_group_setup, h_group_teardown);
	printf("%lu checks\n", h_checks());
	return failed ? 1 : 0;
}
