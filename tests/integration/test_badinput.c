/*
 * test_badinput — hostile input (issue 7 part 5): hundreds of malformed
 * requests, generated from valid ones. Each must get a 4xx with the error
 * body {"error":{"code","message","field"}} naming the field where one is
 * at fault — never a 5xx — and none may change anything: the database's
 * rows are counted before and after.
 *
 * From every valid body: each field given each wrong JSON type, an unknown
 * field at each level; every body route given broken JSON (cut, not an
 * object, duplicate keys, invalid UTF-8, NUL, deep nesting, too large, the
 * wrong Content-Type); ids and codes in paths that are not; query
 * parameters out of range.
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

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* A route with a valid body, the account that may send it, and the body. */
struct valid {
	const char *method, *path, *who, *body;
};

static const struct valid valids[] = {
    {"POST", "/api/v1/cases", "agent",
     "{\"type\":\"complaint\",\"channel\":\"phone\",\"title\":\"小区夜间施工噪音扰民\",\"content\":\"工地每晚施工。\","
     "\"address\":\"石景山区八宝山街道某小区\",\"tier\":\"general\",\"auto_dispatch\":false,"
     "\"requester\":{\"name\":\"张三\",\"phone\":\"13812345678\",\"confidential\":false},"
     "\"place\":{\"street\":\"110107001\"},\"location\":{\"lat\":39.9,\"lon\":116.2,\"crs\":\"gcj02\"}}"},
    {"POST", "/api/v1/cases/1/actions/dispatch", "dispatcher",
     "{\"unit\":\"110107001\",\"copies\":[\"110107\"],\"tier\":\"general\"}"},
    {"POST", "/api/v1/cases/1/actions/note", "agent", "{\"note\":\"已电话联系\"}"},
    {"POST", "/api/v1/cases/1/reveal", "agent", "{\"reason\":\"回访前核对\"}"},
    {"POST", "/api/v1/users", "admin",
     "{\"login\":\"bad.input\",\"name\":\"某\",\"role\":\"handler\",\"unit\":\"110107001\",\"password\":\"abcdefgh1\"}"},
    {"PATCH", "/api/v1/users/8", "admin", "{\"name\":\"某人\",\"active\":true}"},
    {"POST", "/api/v1/units", "admin",
     "{\"code\":\"110107098\",\"name\":\"测试街道\",\"kind\":\"street\",\"parent\":\"110107\",\"sector\":\"\"}"},
    {"PATCH", "/api/v1/units/110107001", "admin", "{\"name\":\"八宝山街道\",\"sector\":\"\"}"},
    {"POST", "/api/v1/categories", "admin", "{\"path\":\"测试->子类\",\"tier\":\"general\",\"handling\":\"street\"}"},
    {"PATCH", "/api/v1/categories/1", "admin", "{\"tier\":\"general\",\"handling\":\"street\"}"},
    {"PUT", "/api/v1/holidays/2027-01-01", "admin", "{\"kind\":\"off\",\"name\":\"元旦\"}"},
    {"PUT", "/api/v1/config/assessment/street", "admin",
     "{\"weights\":{\"response\":0.1,\"resolution\":0.5,\"satisfaction\":0.4},\"basic_coefficient\":0.9,"
     "\"period_start_day\":1,\"min_callbacks\":5,\"whistle_weight\":0.3333}"},
    {"POST", "/api/v1/geo/gazetteer", "admin", "{\"name\":\"测试小区\",\"unit\":\"110107001\",\"kind\":\"compound\"}"},
    {"POST", "/api/v1/auth/login", NULL, "{\"login\":\"agent\",\"password\":\"jiesu-demo-x\"}"},
    {"POST", "/api/v1/me/password", "babaoshan.head", "{\"current_password\":\"x1234567\",\"new_password\":\"y1234567\"}"},
};

static const char *token_of(struct harness *h, const char *who)
{
	static const char *const whos[] = {"agent", "dispatcher", "admin", "babaoshan.head"};
	static const char *toks[4];
	if (!who)
		return NULL;
	for (size_t i = 0; i < 4; i++)
		if (!strcmp(whos[i], who))
			return toks[i] ? toks[i] : (toks[i] = strdup(login(h, who, H_PASSWORD)));
	return NULL;
}

/* The row counts of every table a request could change, as one string. */
static char *snapshot(struct harness *h)
{
	int code;
	char *s = h_sqlite3(h->db,
			    "SELECT (SELECT count(*) FROM cases), (SELECT count(*) FROM events), (SELECT count(*) FROM facts),"
			    " (SELECT count(*) FROM users), (SELECT group_concat(name || role || active) FROM users),"
			    " (SELECT count(*) FROM units), (SELECT group_concat(name || sector) FROM units WHERE kind = 'street'),"
			    " (SELECT count(*) FROM categories), (SELECT count(*) FROM holidays), (SELECT count(*) FROM gazetteer),"
			    " (SELECT group_concat(w_response || w_resolution || basic_coefficient || period_start_day || min_callbacks || whistle_weight) FROM assess_config), (SELECT group_concat(pw_hash) FROM users);",
			    &code);
	assert_int_equal(code, 0);
	return s;
}

static int sent, refused_with_field;

/* Send one malformed request; it must be refused with a 4xx (want: the status, or 0 for any 4xx) and field. */
static void expect_refused(struct harness *h, const char *method, const char *path, const char *who, const char *body,
			   size_t len, const char *ctype, long want, const char *field)
{
	long st;
	json_t *j = http_ct(h, method, path, token_of(h, who), body, len, ctype, &st);
	sent++;
	char what[1024];
	snprintf(what, sizeof(what), "%s %s as %s, body %.300s → %ld %.300s", method, path, who ? who : "nobody",
		 body ? body : "(none)", st, h->last_body);
	EXPECT_TRUE(st >= 400 && st < 500, what);
	if (want)
		EXPECT_TRUE(st == want, what);
	json_t *err = jpath(j, "error");
	EXPECT_TRUE(json_is_string(jpath(err, "code")) && json_is_string(jpath(err, "message")) &&
			strlen(jstr(err, "message")) > 0 && jpath(err, "field") != NULL,
		    what);
	if (field) {
		const char *f = jstr(err, "field");
		EXPECT_TRUE(f && !strcmp(f, field), what);
		refused_with_field++;
	}
}

/* Every field of obj (under prefix) given each wrong type, and an unknown key added at this level. */
static void vary(struct harness *h, const struct valid *v, json_t *root, json_t *obj, const char *prefix)
{
	const char *key;
	json_t *val;
	char field[128];
	void *tmp;
	json_object_foreach_safe(obj, tmp, key, val)
	{
		snprintf(field, sizeof(field), "%s%s%s", prefix, *prefix ? "." : "", key);
		json_t *keep = json_incref(val);
		json_t *wrong[5];
		int n = 0;
		if (json_is_string(val)) {
			wrong[n++] = json_integer(12345);
			wrong[n++] = json_array();
			wrong[n++] = json_object();
			wrong[n++] = json_true();
		} else if (json_is_number(val)) {
			wrong[n++] = json_string("一");
			wrong[n++] = json_array();
			wrong[n++] = json_true();
		} else if (json_is_boolean(val)) {
			wrong[n++] = json_string("yes");
			wrong[n++] = json_integer(1);
			wrong[n++] = json_object();
		} else if (json_is_object(val)) {
			wrong[n++] = json_string("x");
			wrong[n++] = json_integer(1);
			wrong[n++] = json_array();
		} else if (json_is_array(val)) {
			wrong[n++] = json_string("x");
			wrong[n++] = json_integer(7);
			wrong[n++] = json_pack("[i]", 1);
		}
		for (int i = 0; i < n; i++) {
			json_object_set_new(obj, key, wrong[i]);
			char *text = json_dumps(root, JSON_COMPACT);
			/* an element of a list of codes is named by its list */
			expect_refused(h, v->method, v->path, v->who, text, strlen(text), "application/json", 400, field);
			free(text);
		}
		json_object_set_new(obj, key, keep);
		if (json_is_object(val))
			vary(h, v, root, val, field);
	}
	json_object_set_new(obj, "zz_unknown", json_integer(1));
	snprintf(field, sizeof(field), "%s%szz_unknown", prefix, *prefix ? "." : "");
	char *text = json_dumps(root, JSON_COMPACT);
	expect_refused(h, v->method, v->path, v->who, text, strlen(text), "application/json", 400, field);
	free(text);
	json_object_del(obj, "zz_unknown");
}

static void test_malformed_requests(void **state)
{
	struct harness *h = *state;
	long st;
	assert_true(h_start(h, H_NOW, NULL));
	/* one case to act on; the rest of the suite must change nothing */
	http(h, "POST", "/api/v1/cases", token_of(h, "agent"), valids[0].body, &st);
	EXPECT_STATUS(h, st, 201);
	for (size_t i = 0; i < ARRAY_SIZE(valids); i++)
		if (valids[i].who)
			token_of(h, valids[i].who);
	char *before = snapshot(h);

	for (size_t i = 0; i < ARRAY_SIZE(valids); i++) {
		const struct valid *v = &valids[i];
		json_error_t jerr;
		json_t *root = json_loads(v->body, 0, &jerr);
		assert_non_null(root);
		vary(h, v, root, root, "");
		json_decref(root);
		/* broken JSON and bodies that are not objects */
		static const char *const broken[] = {
		    "", "{", "}", "[]", "null", "123", "\"text\"", "{\"title\":}", "{\"a\":1,}", "{'a':1}",
		    "{\"type\":\"complaint\",\"type\":\"help\"}", "{\"title\":\"a\\u0000b\"}", "{\"a\":1} trailing",
		    "\xef\xbb\xbf{}", "{\"title\":\"\xff\xfe\"}",
		};
		for (size_t k = 0; k < ARRAY_SIZE(broken); k++)
			if (*broken[k] || !strstr(v->path, "/actions/")) /* an action may come without a body */
				expect_refused(h, v->method, v->path, v->who, broken[k], strlen(broken[k]),
					       "application/json", 0, NULL);
		/* nesting far deeper than any body has */
		char deep[4100];
		memset(deep, '[', 2000);
		memset(deep + 2000, ']', 2000);
		deep[4000] = '\0';
		expect_refused(h, v->method, v->path, v->who, deep, strlen(deep), "application/json", 400, NULL);
		/* the wrong media type, and a body over the limit */
		expect_refused(h, v->method, v->path, v->who, v->body, strlen(v->body), "text/plain", 415, NULL);
		size_t big = 70 * 1024;
		char *huge = malloc(big + 1);
		memset(huge, ' ', big);
		huge[0] = '{';
		huge[big - 1] = '}';
		huge[big] = '\0';
		expect_refused(h, v->method, v->path, v->who, huge, big, "application/json", 413, NULL);
		free(huge);
	}

	/* ids and codes in paths that name nothing valid */
	static const char *const bad_ids[] = {"abc", "0", "-1", "1.5", "99999999999999999999", "1e3", "%00", "1;drop"};
	for (size_t k = 0; k < ARRAY_SIZE(bad_ids); k++) {
		char p[128];
		snprintf(p, sizeof(p), "/api/v1/cases/%s", bad_ids[k]);
		expect_refused(h, "GET", p, "agent", NULL, 0, NULL, 0, NULL);
		snprintf(p, sizeof(p), "/api/v1/cases/%s/actions/note", bad_ids[k]);
		expect_refused(h, "POST", p, "agent", "{\"note\":\"x\"}", 12, "application/json", 0, NULL);
		snprintf(p, sizeof(p), "/api/v1/users/%s", bad_ids[k]);
		expect_refused(h, "PATCH", p, "admin", "{\"name\":\"某\"}", strlen("{\"name\":\"某\"}"), "application/json", 0,
			       NULL);
		snprintf(p, sizeof(p), "/api/v1/holidays/%s", bad_ids[k]);
		expect_refused(h, "PUT", p, "admin", "{\"kind\":\"off\",\"name\":\"假\"}",
			       strlen("{\"kind\":\"off\",\"name\":\"假\"}"), "application/json", 0, NULL);
	}
	expect_refused(h, "POST", "/api/v1/cases/1/actions/no_such_action", "agent", "{}", 2, "application/json", 404,
		       NULL);
	expect_refused(h, "PATCH", "/api/v1/units/nowhere", "admin", "{\"name\":\"某\"}", strlen("{\"name\":\"某\"}"),
		       "application/json", 404, NULL);
	expect_refused(h, "PUT", "/api/v1/config/assessment/nowhere", "admin", valids[11].body, strlen(valids[11].body),
		       "application/json", 404, NULL);

	/* query parameters out of range */
	static const char *const bad_queries[] = {
	    "/api/v1/cases?per_page=0",	     "/api/v1/cases?per_page=101",	"/api/v1/cases?per_page=abc",
	    "/api/v1/cases?page=0",	     "/api/v1/cases?page=-3",		"/api/v1/cases?page=1x",
	    "/api/v1/cases?status=bogus",    "/api/v1/cases?inbox=bogus",	"/api/v1/cases?sort=bogus",
	    "/api/v1/users?per_page=0",	     "/api/v1/users?page=abc",		"/api/v1/holidays?year=abc",
	    "/api/v1/holidays?year=20000",   "/api/v1/reports/rates?period=2026-13",
	    "/api/v1/reports/rates?period=x", "/api/v1/reports/rates?period=2026-03&pool=bogus",
	    "/api/v1/geo/resolve?lat=abc&lon=116.2", "/api/v1/geo/resolve?lat=91&lon=116.2",
	    "/api/v1/geo/resolve?lat=39.9&lon=116.2&crs=bogus",
	};
	for (size_t k = 0; k < ARRAY_SIZE(bad_queries); k++)
		expect_refused(h, "GET", bad_queries[k],
			       strstr(bad_queries[k], "users") || strstr(bad_queries[k], "holidays") ? "admin" : "agent", NULL,
			       0, NULL, 400, NULL);

	char *after = snapshot(h);
	EXPECT_TRUE(!strcmp(before, after), "a refused request changed the database");
	printf("badinput: %d malformed requests, each refused with a 4xx, %d of them naming the field\n", sent,
	       refused_with_field);
	EXPECT_TRUE(sent >= 200, "fewer than 200 malformed requests");
	free(before);
	free(after);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_malformed_requests, h_setup, h_teardown),
	};
	int failed = cmocka_run_group_tests_name("integration: bad input", tests, h_group_setup, h_group_teardown);
	printf("%lu checks\n", h_checks());
	return failed ? 1 : 0;
}
