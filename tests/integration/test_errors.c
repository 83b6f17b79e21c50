/*
 * test_errors.c — bad input over HTTP, each with its exact status, error
 * code and field, and the proof that a refused request changed nothing:
 * the case keeps its status and its number of events, the number of cases
 * stays the same. After each test the server still answers /healthz and
 * every case row still equals the fold of its events (rebuild --check).
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

static const char complaint[] =
	"{\"type\":\"complaint\",\"channel\":\"phone\",\"title\":\"小区夜间施工噪音扰民\","
	"\"content\":\"八宝山街道某小区旁工地每晚十一点后仍在施工。\",\"address\":\"八宝山街道某小区\","
	"\"requester\":{\"name\":\"张三\",\"phone\":\"13812345678\"},\"place\":{\"street\":\"110107001\"}}";

/* Send a request and check the refusal: status, error code, error field (NULL: null). */
#define EXPECT_REFUSED(h, method, path, tok, body, status, code, field)                                 \
	EXPECT_ERROR((h), http((h), (method), (path), (tok), (body), NULL), (status), (code), (field))

/* ------------------------------------------------------------ helpers */

/* The complaint with the value at a dotted path replaced (value NULL: key removed). */
static const char *variant(struct harness *h, const char *path, json_t *value)
{
	json_error_t jerr;
	json_t *root = json_loads(complaint, 0, &jerr);
	json_t *obj = root;
	char key[128];
	const char *p = path, *dot;
	while ((dot = strchr(p, '.'))) {
		snprintf(key, sizeof(key), "%.*s", (int)(dot - p), p);
		json_t *next = json_object_get(obj, key);
		if (!json_is_object(next)) {
			next = json_object();
			json_object_set_new(obj, key, next);
		}
		obj = next;
		p = dot + 1;
	}
	if (value)
		json_object_set_new(obj, p, value);
	else
		json_object_del(obj, p);
	char *text = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	const char *out = hpath(h, "%s", text);
	free(text);
	return out;
}

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

static long long count_cases(struct harness *h, const char *centre_tok)
{
	long st;
	json_t *j = http(h, "GET", "/api/v1/cases?per_page=1", centre_tok, NULL, &st);
	EXPECT_STATUS(h, st, 200);
	return jint(j, "total");
}

struct snap {
	char status[32];
	size_t events;
	char updated_at[32];
};

/* The case's status, number of events and last update, as the centre sees it. */
static struct snap snapshot(struct harness *h, const char *centre_tok, long long id)
{
	struct snap s = {"", 0, ""};
	long st;
	json_t *j = http(h, "GET", hpath(h, "/api/v1/cases/%lld", id), centre_tok, NULL, &st);
	EXPECT_STATUS(h, st, 200);
	snprintf(s.status, sizeof(s.status), "%s", jstr(j, "status") ? jstr(j, "status") : "?");
	snprintf(s.updated_at, sizeof(s.updated_at), "%s", jstr(j, "updated_at") ? jstr(j, "updated_at") : "?");
	s.events = jsize(j, "events");
	return s;
}

#define EXPECT_UNCHANGED(h, tok, id, before) expect_unchanged((h), (tok), (id), (before), __LINE__)
static void expect_unchanged(struct harness *h, const char *centre_tok, long long id, struct snap before,
			     int line)
{
	long st;
	json_t *j = http(h, "GET", hpath(h, "/api/v1/cases/%lld", id), centre_tok, NULL, &st);
	h_check_status(h, st, 200, __FILE__, line);
	h_check_str(j, "status", before.status, __FILE__, line);
	h_check_size(j, "events", before.events, __FILE__, line);
	h_check_str(j, "updated_at", before.updated_at, __FILE__, line);
}

/* A complaint recorded by the agent and dispatched to 八宝山街道; returns its id. */
static long long dispatched_case(struct harness *h, const char *agent, const char *dispatcher)
{
	long st;
	json_t *c = http(h, "POST", "/api/v1/cases", agent, complaint, &st);
	EXPECT_STATUS(h, st, 201);
	long long id = jint(c, "id");
	c = http(h, "POST", hpath(h, "/api/v1/cases/%lld/actions/dispatch", id), dispatcher, "{}", &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_STR(c, "status", "dispatched");
	EXPECT_STR(c, "lead_unit.code", "110107001");
	return id;
}

static const char *action_path(struct harness *h, long long id, const char *action)
{
	return hpath(h, "/api/v1/cases/%lld/actions/%s", id, action);
}

/* The server still answers, and every case row equals the fold of its events. */
static void expect_healthy(struct harness *h)
{
	long st;
	json_t *j = http(h, "GET", "/healthz", NULL, NULL, &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_STR(j, "status", "ok");
	EXPECT_TRUE(jint(j, "units") > 0, h->last_body);
	char *out, *err;
	int rc = h_run(h, NULL, &out, &err, "rebuild", "--db", h->db, "--check", (char *)NULL);
	EXPECT_TRUE(rc == 0, err);
	EXPECT_TRUE(strstr(out, " 0 differ") != NULL, out);
}

/* ------------------------------------------------------------ intake */

static void test_intake_malformed(void **state)
{
	struct harness *h = *state;
	assert_true(h_start(h, H_NOW, NULL));
	const char *agent = login(h, "agent", H_PASSWORD);
	const char *P = "/api/v1/cases";

	EXPECT_REFUSED(h, "POST", P, agent, "{\"type\":", 400, "malformed_json", NULL);
	EXPECT_REFUSED(h, "POST", P, agent, "not json at all", 400, "malformed_json", NULL);
	EXPECT_REFUSED(h, "POST", P, agent, "{\"type\":\"complaint\",}", 400, "malformed_json", NULL);
	EXPECT_REFUSED(h, "POST", P, agent, "", 400, "malformed_json", NULL);
	/* JSON, but not an object */
	EXPECT_REFUSED(h, "POST", P, agent, "[1,2,3]", 400, "malformed_json", NULL);
	EXPECT_REFUSED(h, "POST", P, agent, "\"投诉\"", 400, "malformed_json", NULL);
	EXPECT_REFUSED(h, "POST", P, agent, "42", 400, "malformed_json", NULL);
	EXPECT_REFUSED(h, "POST", P, agent, "null", 400, "malformed_json", NULL);
	/* the same key twice */
	EXPECT_REFUSED(h, "POST", P, agent,
		       "{\"type\":\"complaint\",\"type\":\"help\",\"title\":\"标题\",\"content\":\"内容\"}", 400,
		       "malformed_json", NULL);
	/* too big: one byte over 64 KiB is refused, exactly 64 KiB is read */
	const char *pad = repeat(h, " ", 65536 - strlen(complaint));
	char *big = malloc(65536 + 2);
	assert_non_null(big);
	snprintf(big, 65536 + 2, "%s%s", complaint, pad);
	EXPECT_TRUE(strlen(big) == 65536, "a body of exactly 65536 bytes");
	strcat(big, " ");
	EXPECT_REFUSED(h, "POST", P, agent, big, 413, "too_large", NULL);
	big[65536] = '\0';
	long st;
	json_t *c = http(h, "POST", P, agent, big, &st);
	EXPECT_STATUS(h, st, 201);
	EXPECT_STR(c, "title", "小区夜间施工噪音扰民");
	free(big);
	EXPECT_REFUSED(h, "POST", P, agent, repeat(h, "x", 200000), 413, "too_large", NULL);

	EXPECT_INT(http(h, "GET", "/api/v1/cases", agent, NULL, NULL), "total", 1);
	expect_healthy(h);
}

static void test_intake_fields(void **state)
{
	struct harness *h = *state;
	long st;
	assert_true(h_start(h, H_NOW, NULL));
	const char *agent = login(h, "agent", H_PASSWORD);
	const char *P = "/api/v1/cases";

	/* wrong types */
	EXPECT_REFUSED(h, "POST", P, agent, variant(h, "title", json_integer(5)), 400, "invalid", "title");
	EXPECT_REFUSED(h, "POST", P, agent, variant(h, "type", json_true()), 400, "invalid", "type");
	EXPECT_REFUSED(h, "POST", P, agent, variant(h, "content", json_pack("[s]", "内容")), 400, "invalid",
		       "content");
	EXPECT_REFUSED(h, "POST", P, agent, variant(h, "requester.phone", json_integer(123)), 400, "invalid",
		       "requester.phone");
	EXPECT_REFUSED(h, "POST", P, agent, variant(h, "requester.name", json_pack("[s]", "张三")), 400,
		       "invalid", "requester.name");
	EXPECT_REFUSED(h, "POST", P, agent, variant(h, "requester.confidential", json_string("yes")), 400,
		       "invalid", "requester.confidential");
	EXPECT_REFUSED(h, "POST", P, agent, variant(h, "requester", json_string("张三")), 400, "invalid",
		       "requester");
	EXPECT_REFUSED(h, "POST", P, agent, variant(h, "place", json_string("110107001")), 400, "invalid",
		       "place");
	EXPECT_REFUSED(h, "POST", P, agent, variant(h, "place.street", json_integer(110107001)), 400, "invalid",
		       "place.street");
	EXPECT_REFUSED(h, "POST", P, agent,
		       variant(h, "location", json_pack("{s:s, s:f, s:s}", "lat", "x", "lon", 116.2, "crs", "wgs84")),
		       400, "invalid", "location.lat");
	EXPECT_REFUSED(h, "POST", P, agent, variant(h, "location", json_pack("{s:f, s:s}", "lat", 39.9, "crs", "wgs84")),
		       400, "invalid", "location.lon");
	EXPECT_REFUSED(h, "POST", P, agent,
		       variant(h, "location", json_pack("{s:f, s:f, s:s}", "lat", 91.0, "lon", 116.2, "crs", "wgs84")),
		       400, "invalid", "location.lat");
	EXPECT_REFUSED(h, "POST", P, agent,
		       variant(h, "location", json_pack("{s:f, s:f, s:s}", "lat", 39.9, "lon", 116.2, "crs", "utm")),
		       400, "invalid", "location.crs");
	EXPECT_REFUSED(h, "POST", P, agent, variant(h, "location", json_integer(1)), 400, "invalid", "location");
	EXPECT_REFUSED(h, "POST", P, agent, variant(h, "category", json_string("噪音")), 400, "invalid",
		       "category");
	EXPECT_REFUSED(h, "POST", P, agent, variant(h, "category", json_integer(99999999)), 400, "invalid",
		       "category");

	/* missing or empty required fields */
	EXPECT_REFUSED(h, "POST", P, agent, variant(h, "type", NULL), 400, "invalid", "type");
	EXPECT_REFUSED(h, "POST", P, agent, variant(h, "title", NULL), 400, "invalid", "title");
	EXPECT_REFUSED(h, "POST", P, agent, variant(h, "content", NULL), 400, "invalid", "content");
	EXPECT_REFUSED(h, "POST", P, agent, variant(h, "title", json_string("")), 400, "invalid", "title");
	EXPECT_REFUSED(h, "POST", P, agent, variant(h, "title", json_null()), 400, "invalid", "title");
	EXPECT_REFUSED(h, "POST", P, agent, "{}", 400, "invalid", "type");

	/* unknown fields, named */
	EXPECT_REFUSED(h, "POST", P, agent, variant(h, "titel", json_string("标题")), 400, "invalid", "titel");
	EXPECT_REFUSED(h, "POST", P, agent, variant(h, "requester.mobile", json_string("13812345678")), 400,
		       "invalid", "requester.mobile");
	EXPECT_REFUSED(h, "POST", P, agent, variant(h, "place.city", json_string("北京")), 400, "invalid",
		       "place.city");

	/* lengths: 100 characters of title are fine, 101 are not */
	EXPECT_REFUSED(h, "POST", P, agent, variant(h, "title", json_string(repeat(h, "噪", 101))), 400, "invalid",
		       "title");
	EXPECT_REFUSED(h, "POST", P, agent, variant(h, "content", json_string(repeat(h, "吵", 4001))), 400,
		       "invalid", "content");
	EXPECT_REFUSED(h, "POST", P, agent, variant(h, "address", json_string(repeat(h, "路", 201))), 400,
		       "invalid", "address");
	EXPECT_REFUSED(h, "POST", P, agent, variant(h, "requester.name", json_string(repeat(h, "张", 51))), 400,
		       "invalid", "requester.name");
	EXPECT_REFUSED(h, "POST", P, agent, variant(h, "requester.phone", json_string(repeat(h, "1", 21))), 400,
		       "invalid", "requester.phone");
	EXPECT_REFUSED(h, "POST", P, agent, variant(h, "requester.phone", json_string("1381234567a")), 400,
		       "invalid", "requester.phone");
	/* a NUL inside a string (\u0000) is refused by the JSON reader itself */
	EXPECT_REFUSED(h, "POST", P, agent,
		       variant(h, "title", json_stringn("标题\0尾巴", strlen("标题") + 1 + strlen("尾巴"))), 400,
		       "malformed_json", NULL);
	EXPECT_TRUE(count_cases(h, agent) == 0, h->last_body);
	const char *t100 = repeat(h, "噪", 100);
	json_t *c = http(h, "POST", P, agent, variant(h, "title", json_string(t100)), &st);
	EXPECT_STATUS(h, st, 201);
	EXPECT_STR(c, "title", t100);
	const char *c4000 = repeat(h, "吵", 4000);
	c = http(h, "POST", P, agent, variant(h, "content", json_string(c4000)), &st);
	EXPECT_STATUS(h, st, 201);
	EXPECT_STR(c, "content", c4000);
	c = http(h, "POST", P, agent, variant(h, "requester.phone", json_string(repeat(h, "1", 20))), &st);
	EXPECT_STATUS(h, st, 201);
	c = http(h, "POST", hpath(h, "/api/v1/cases/%lld/reveal", jint(c, "id")), agent, "{\"reason\":\"核对号码\"}", &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_STR(c, "phone", repeat(h, "1", 20));

	/* bad enumerations */
	EXPECT_REFUSED(h, "POST", P, agent, variant(h, "type", json_string("rant")), 400, "invalid", "type");
	EXPECT_REFUSED(h, "POST", P, agent, variant(h, "tier", json_string("urgent")), 400, "invalid", "tier");
	EXPECT_REFUSED(h, "POST", P, agent, variant(h, "channel", json_string("fax")), 400, "invalid", "channel");

	/* places that do not exist or contradict each other */
	EXPECT_REFUSED(h, "POST", P, agent, variant(h, "place.street", json_string("999999999")), 400, "invalid",
		       "place.street");
	EXPECT_REFUSED(h, "POST", P, agent, variant(h, "place.street", json_string("110107")), 400, "invalid",
		       "place.street");
	EXPECT_REFUSED(h, "POST", P, agent,
		       variant(h, "place", json_pack("{s:s, s:s}", "district", "110108", "street", "110107001")), 400,
		       "invalid", "place.street");
	EXPECT_REFUSED(h, "POST", P, agent, variant(h, "place", json_pack("{s:s}", "district", "999999")), 400,
		       "invalid", "place.district");
	EXPECT_REFUSED(h, "POST", P, agent, variant(h, "place", json_pack("{s:s}", "district", "110107001")), 400,
		       "invalid", "place.district");
	json_t *u = http(h, "GET", "/api/v1/units?parent=110107001&kind=community", agent, NULL, &st);
	EXPECT_STATUS(h, st, 200);
	const char *community = jstr(u, "units.0.code");
	EXPECT_TRUE(community != NULL, "八宝山街道 has communities");
	EXPECT_REFUSED(h, "POST", P, agent,
		       variant(h, "place", json_pack("{s:s, s:s}", "street", "110107002", "community", community)),
		       400, "invalid", "place.community");
	EXPECT_REFUSED(h, "POST", P, agent, variant(h, "place", json_pack("{s:s}", "community", "110107001")), 400,
		       "invalid", "place.community");

	/* only the centre records requests */
	EXPECT_REFUSED(h, "POST", P, login(h, "babaoshan.handler", H_PASSWORD), complaint, 403, "forbidden", NULL);
	EXPECT_REFUSED(h, "POST", P, login(h, "sjs.supervisor", H_PASSWORD), complaint, 403, "forbidden", NULL);

	EXPECT_TRUE(count_cases(h, agent) == 3, h->last_body);
	expect_healthy(h);
}

/* ------------------------------------------------------------ lookups */

static void test_lookup(void **state)
{
	struct harness *h = *state;
	assert_true(h_start(h, H_NOW, NULL));
	const char *agent = login(h, "agent", H_PASSWORD);
	const char *dispatcher = login(h, "dispatcher", H_PASSWORD);
	const char *handler = login(h, "babaoshan.handler", H_PASSWORD);
	long long id = dispatched_case(h, agent, dispatcher);
	struct snap before = snapshot(h, agent, id);

	EXPECT_REFUSED(h, "GET", "/api/v1/cases/999999", agent, NULL, 404, "not_found", "id");
	EXPECT_REFUSED(h, "GET", "/api/v1/cases/abc", agent, NULL, 404, "not_found", "id");
	EXPECT_REFUSED(h, "GET", "/api/v1/cases/0", agent, NULL, 404, "not_found", "id");
	EXPECT_REFUSED(h, "GET", "/api/v1/cases/-1", agent, NULL, 404, "not_found", "id");
	EXPECT_REFUSED(h, "GET", "/api/v1/cases/1x", agent, NULL, 404, "not_found", "id");
	EXPECT_REFUSED(h, "GET", "/api/v1/cases/99999999999999999999999", agent, NULL, 404, "not_found", "id");
	EXPECT_REFUSED(h, "POST", "/api/v1/cases/999999/actions/sign", handler, NULL, 404, "not_found", "id");
	EXPECT_REFUSED(h, "POST", "/api/v1/cases/abc/actions/sign", handler, NULL, 404, "not_found", "id");
	/* unknown actions, and the ones only the system or intake may write */
	EXPECT_REFUSED(h, "POST", action_path(h, id, "fly"), handler, "{}", 404, "not_found", "action");
	EXPECT_REFUSED(h, "POST", action_path(h, id, "create"), agent, "{}", 404, "not_found", "action");
	EXPECT_REFUSED(h, "POST", action_path(h, id, "overdue"), agent, "{}", 404, "not_found", "action");
	EXPECT_REFUSED(h, "POST", action_path(h, id, "warning"), agent, "{}", 404, "not_found", "action");
	EXPECT_REFUSED(h, "POST", action_path(h, id, "SIGN"), handler, "{}", 404, "not_found", "action");
	/* unknown paths */
	EXPECT_REFUSED(h, "GET", "/api/v1/nothing", agent, NULL, 404, "not_found", NULL);
	EXPECT_REFUSED(h, "GET", "/api/v2/cases", agent, NULL, 404, "not_found", NULL);
	EXPECT_REFUSED(h, "GET", "/api/v1/cases/", agent, NULL, 404, "not_found", NULL);
	EXPECT_REFUSED(h, "GET", "/index.php", NULL, NULL, 404, "not_found", NULL);
	EXPECT_REFUSED(h, "GET", hpath(h, "/api/v1/cases/%lld/events", id), agent, NULL, 404, "not_found", NULL);
	EXPECT_REFUSED(h, "GET", "/api/v1/units/999999999", agent, NULL, 404, "not_found", "code");
	/* known paths, other methods */
	EXPECT_REFUSED(h, "GET", action_path(h, id, "sign"), handler, NULL, 405, "method_not_allowed", NULL);
	EXPECT_REFUSED(h, "DELETE", hpath(h, "/api/v1/cases/%lld", id), agent, NULL, 405, "method_not_allowed",
		       NULL);
	EXPECT_REFUSED(h, "PUT", "/api/v1/cases", agent, complaint, 405, "method_not_allowed", NULL);
	EXPECT_REFUSED(h, "GET", "/api/v1/auth/login", NULL, NULL, 405, "method_not_allowed", NULL);
	EXPECT_REFUSED(h, "POST", "/healthz", NULL, "{}", 405, "method_not_allowed", NULL);

	EXPECT_UNCHANGED(h, agent, id, before);
	EXPECT_TRUE(count_cases(h, agent) == 1, h->last_body);
	expect_healthy(h);
}

/* ------------------------------------------------------------ who may act */

static void test_access(void **state)
{
	struct harness *h = *state;
	assert_true(h_start(h, H_NOW, NULL));
	const char *agent = login(h, "agent", H_PASSWORD);
	const char *dispatcher = login(h, "dispatcher", H_PASSWORD);
	const char *handler = login(h, "babaoshan.handler", H_PASSWORD);
	long long id = dispatched_case(h, agent, dispatcher);
	struct snap before = snapshot(h, agent, id);

	/* another street: the case does not exist for it, whatever it tries */
	const char *laoshan = login(h, "laoshan.handler", H_PASSWORD);
	EXPECT_REFUSED(h, "GET", hpath(h, "/api/v1/cases/%lld", id), laoshan, NULL, 404, "not_found", "id");
	EXPECT_REFUSED(h, "POST", action_path(h, id, "sign"), laoshan, NULL, 404, "not_found", "id");
	EXPECT_REFUSED(h, "POST", action_path(h, id, "note"), laoshan, "{\"note\":\"看看\"}", 404, "not_found", "id");
	const char *chengguan = login(h, "sjs.chengguan.handler", H_PASSWORD);
	EXPECT_REFUSED(h, "POST", action_path(h, id, "sign"), chengguan, NULL, 404, "not_found", "id");
	EXPECT_UNCHANGED(h, agent, id, before);

	/* wrong role */
	EXPECT_REFUSED(h, "POST", action_path(h, id, "dispatch"), handler, "{}", 403, "forbidden", NULL);
	EXPECT_REFUSED(h, "POST", action_path(h, id, "dispatch"), handler, "{\"unit\":\"110107002\"}", 403,
		       "forbidden", NULL);
	EXPECT_REFUSED(h, "POST", action_path(h, id, "close"), handler, NULL, 403, "forbidden", NULL);
	EXPECT_REFUSED(h, "POST", action_path(h, id, "sign"), agent, NULL, 403, "forbidden", NULL);
	EXPECT_REFUSED(h, "POST", action_path(h, id, "sign"), dispatcher, NULL, 403, "forbidden", NULL);
	EXPECT_REFUSED(h, "POST", action_path(h, id, "sign"), login(h, "sjs.supervisor", H_PASSWORD), NULL, 403,
		       "forbidden", NULL);
	/* the district's head sees the case (its copy) but is not the lead unit */
	EXPECT_REFUSED(h, "POST", action_path(h, id, "sign"), login(h, "sjs.head", H_PASSWORD), NULL, 403,
		       "forbidden", NULL);
	/* assessors and admins take no part in the handling */
	EXPECT_REFUSED(h, "POST", action_path(h, id, "note"), login(h, "centre.assessor", H_PASSWORD),
		       "{\"note\":\"抽查\"}", 403, "forbidden", NULL);
	EXPECT_REFUSED(h, "POST", action_path(h, id, "note"), login(h, "admin", H_PASSWORD), "{\"note\":\"检查\"}",
		       403, "forbidden", NULL);
	EXPECT_UNCHANGED(h, agent, id, before);

	/* the refusals left the case to its unit: signing still works */
	long st;
	json_t *c = http(h, "POST", action_path(h, id, "sign"), handler, NULL, &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_STR(c, "status", "accepted");
	EXPECT_SIZE(c, "events", before.events + 1);
	expect_healthy(h);
}

/* ------------------------------------------------------------ states and action bodies */

static void test_states_and_action_bodies(void **state)
{
	struct harness *h = *state;
	long st;
	assert_true(h_start(h, H_NOW, NULL));
	const char *agent = login(h, "agent", H_PASSWORD);
	const char *dispatcher = login(h, "dispatcher", H_PASSWORD);
	const char *handler = login(h, "babaoshan.handler", H_PASSWORD);
	long long id = dispatched_case(h, agent, dispatcher);

	/* before signing */
	struct snap before = snapshot(h, agent, id);
	EXPECT_REFUSED(h, "POST", action_path(h, id, "contact"), handler, "{\"reached\":true}", 409,
		       "invalid_state", NULL);
	EXPECT_REFUSED(h, "POST", action_path(h, id, "close"), agent, NULL, 409, "invalid_state", NULL);
	EXPECT_REFUSED(h, "POST", action_path(h, id, "refer"), agent,
		       "{\"outcome\":\"emergency\",\"answer\":\"请拨打110\"}", 409, "invalid_state", NULL);
	EXPECT_UNCHANGED(h, agent, id, before);

	EXPECT_STR(http(h, "POST", action_path(h, id, "sign"), handler, NULL, &st), "status", "accepted");
	EXPECT_STATUS(h, st, 200);
	before = snapshot(h, agent, id);
	EXPECT_TRUE(!strcmp(before.status, "accepted"), before.status);

	/* the wrong state */
	EXPECT_REFUSED(h, "POST", action_path(h, id, "sign"), handler, NULL, 409, "invalid_state", NULL);
	EXPECT_REFUSED(h, "POST", action_path(h, id, "reply"), handler, "{\"result\":\"已处理\",\"solved\":true}",
		       409, "invalid_state", NULL);
	EXPECT_REFUSED(h, "POST", action_path(h, id, "close"), agent, NULL, 409, "invalid_state", NULL);
	EXPECT_REFUSED(h, "POST", action_path(h, id, "dispatch"), dispatcher, "{}", 409, "invalid_state", NULL);
	EXPECT_UNCHANGED(h, agent, id, before);

	/* contact bodies */
	const char *cp = action_path(h, id, "contact");
	EXPECT_REFUSED(h, "POST", cp, handler, "{}", 400, "invalid", "reached");
	EXPECT_REFUSED(h, "POST", cp, handler, NULL, 400, "invalid", "reached");
	EXPECT_REFUSED(h, "POST", cp, handler, "{\"reached\":\"yes\"}", 400, "invalid", "reached");
	EXPECT_REFUSED(h, "POST", cp, handler, "{\"reached\":true,\"method\":\"pigeon\"}", 400, "invalid", "method");
	EXPECT_REFUSED(h, "POST", cp, handler, "{\"reached\":true,\"method\":7}", 400, "invalid", "method");
	EXPECT_REFUSED(h, "POST", cp, handler, "{\"reached\":true,\"solved\":true}", 400, "invalid", "solved");
	EXPECT_REFUSED(h, "POST", cp, handler, "{\"reached\":true", 400, "malformed_json", NULL);
	EXPECT_REFUSED(h, "POST", cp, handler, "[true]", 400, "malformed_json", NULL);
	EXPECT_REFUSED(h, "POST", cp, handler,
		       hpath(h, "{\"reached\":true,\"reason\":\"%s\"}", repeat(h, "因", 2001)), 400, "invalid",
		       "reason");
	EXPECT_REFUSED(h, "POST", cp, handler, hpath(h, "{\"reached\":true,\"note\":\"%s\"}", repeat(h, "记", 2001)),
		       400, "invalid", "note");
	EXPECT_UNCHANGED(h, agent, id, before);
	/* an attempt that did not reach the requester is recorded, the state stays */
	json_t *c = http(h, "POST", cp, handler, "{\"reached\":false,\"method\":\"phone\"}", &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_STR(c, "status", "accepted");
	EXPECT_SIZE(c, "events", before.events + 1);
	EXPECT_STR(c, "deadlines.contact.state", "running");
	c = http(h, "POST", cp, handler, "{\"reached\":true,\"method\":\"visit\"}", &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_STR(c, "status", "in_progress");
	before = snapshot(h, agent, id);

	/* reply bodies */
	const char *rp = action_path(h, id, "reply");
	EXPECT_REFUSED(h, "POST", rp, handler, "{\"result\":\"已处理\"}", 400, "invalid", "solved");
	EXPECT_REFUSED(h, "POST", rp, handler, "{\"result\":\"已处理\",\"solved\":\"yes\"}", 400, "invalid", "solved");
	EXPECT_REFUSED(h, "POST", rp, handler, "{\"solved\":true}", 400, "invalid", "result");
	EXPECT_REFUSED(h, "POST", rp, handler, "{\"result\":\"\",\"solved\":true}", 400, "invalid", "result");
	EXPECT_REFUSED(h, "POST", rp, handler,
		       hpath(h, "{\"result\":\"%s\",\"solved\":true}", repeat(h, "结", 2001)), 400, "invalid", "result");
	EXPECT_REFUSED(h, "POST", rp, handler, "{\"result\":\"已处理\",\"solved\":true,\"unit\":\"110107\"}", 400,
		       "invalid", "unit");
	EXPECT_REFUSED(h, "POST", action_path(h, id, "note"), handler, "{}", 400, "invalid", "note");
	EXPECT_UNCHANGED(h, agent, id, before);

	/* a received complaint: answer is for consultations; refer and dispatch check their input */
	c = http(h, "POST", "/api/v1/cases", agent, complaint, &st);
	EXPECT_STATUS(h, st, 201);
	long long id2 = jint(c, "id");
	struct snap before2 = snapshot(h, agent, id2);
	EXPECT_REFUSED(h, "POST", action_path(h, id2, "answer"), agent, "{\"answer\":\"已答复\"}", 409,
		       "invalid_state", NULL);
	const char *rf = action_path(h, id2, "refer");
	EXPECT_REFUSED(h, "POST", rf, agent, "{\"outcome\":\"bored\",\"answer\":\"不办\"}", 400, "invalid", "outcome");
	EXPECT_REFUSED(h, "POST", rf, agent, "{\"answer\":\"不办\"}", 400, "invalid", "outcome");
	EXPECT_REFUSED(h, "POST", rf, agent, "{\"outcome\":\"emergency\"}", 400, "invalid", "answer");
	const char *dp = action_path(h, id2, "dispatch");
	EXPECT_REFUSED(h, "POST", dp, dispatcher, "{\"unit\":\"999999999\"}", 400, "invalid", "unit");
	EXPECT_REFUSED(h, "POST", dp, dispatcher, "{\"unit\":\"12345\"}", 400, "invalid", "unit");
	json_t *u = http(h, "GET", "/api/v1/units?parent=110107001&kind=community", agent, NULL, &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_TRUE(jstr(u, "units.0.code") != NULL, h->last_body);
	EXPECT_REFUSED(h, "POST", dp, dispatcher, hpath(h, "{\"unit\":\"%s\"}", jstr(u, "units.0.code")), 400,
		       "invalid", "unit");
	EXPECT_REFUSED(h, "POST", dp, dispatcher, "{\"unit\":110107001}", 400, "invalid", "unit");
	EXPECT_REFUSED(h, "POST", dp, dispatcher, "{\"copies\":\"110107\"}", 400, "invalid", "copies");
	EXPECT_REFUSED(h, "POST", dp, dispatcher, "{\"copies\":[\"999999999\"]}", 400, "invalid", "copies");
	EXPECT_REFUSED(h, "POST", dp, dispatcher, "{\"copies\":[110107]}", 400, "invalid", "copies");
	EXPECT_REFUSED(h, "POST", dp, dispatcher, "{\"tier\":\"urgent\"}", 400, "invalid", "tier");
	EXPECT_REFUSED(h, "POST", dp, dispatcher, "{\"unti\":\"110107001\"}", 400, "invalid", "unti");
	EXPECT_UNCHANGED(h, agent, id2, before2);
	EXPECT_UNCHANGED(h, agent, id, before);
	expect_healthy(h);
}

/* ------------------------------------------------------------ login and tokens */

static void test_auth(void **state)
{
	struct harness *h = *state;
	long st;
	assert_true(h_start(h, H_NOW, NULL));
	const char *L = "/api/v1/auth/login";

	json_t *wrong = http(h, "POST", L, NULL, "{\"login\":\"agent\",\"password\":\"not-the-password\"}", &st);
	EXPECT_ERROR(h, wrong, 401, "bad_credentials", NULL);
	json_t *unknown = http(h, "POST", L, NULL, "{\"login\":\"nobody\",\"password\":\"jiesu-demo\"}", &st);
	EXPECT_ERROR(h, unknown, 401, "bad_credentials", NULL);
	EXPECT_STR(unknown, "error.message", jstr(wrong, "error.message"));
	EXPECT_REFUSED(h, "POST", L, NULL, "{\"login\":\"agent\"}", 400, "invalid", "password");
	EXPECT_REFUSED(h, "POST", L, NULL, "{\"password\":\"jiesu-demo\"}", 400, "invalid", "login");
	EXPECT_REFUSED(h, "POST", L, NULL, "{\"login\":\"agent\",\"password\":\"jiesu-demo\",\"remember\":true}", 400,
		       "invalid", "remember");
	EXPECT_REFUSED(h, "POST", L, NULL, "{\"login\":\"agent\",\"password\":5}", 400, "invalid", "password");
	EXPECT_REFUSED(h, "POST", L, NULL, "login=agent", 400, "malformed_json", NULL);

	/* no token, or one that does not exist */
	EXPECT_REFUSED(h, "GET", "/api/v1/cases", NULL, NULL, 401, "unauthenticated", NULL);
	EXPECT_REFUSED(h, "GET", "/api/v1/me", NULL, NULL, 401, "unauthenticated", NULL);
	EXPECT_REFUSED(h, "POST", "/api/v1/cases", NULL, complaint, 401, "unauthenticated", NULL);
	EXPECT_REFUSED(h, "GET", "/api/v1/cases", "garbage", NULL, 401, "unauthenticated", NULL);
	EXPECT_REFUSED(h, "GET", "/api/v1/cases", repeat(h, "A", 43), NULL, 401, "unauthenticated", NULL);
	EXPECT_REFUSED(h, "GET", "/api/v1/cases", "", NULL, 401, "unauthenticated", NULL);

	/* a logged-out token is dead */
	const char *agent = login(h, "agent", H_PASSWORD);
	json_t *me = http(h, "GET", "/api/v1/me", agent, NULL, &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_STR(me, "login", "agent");
	EXPECT_STR(me, "role", "agent");
	EXPECT_STR(me, "unit.code", "12345");
	EXPECT_BOOL(http(h, "POST", "/api/v1/auth/logout", agent, NULL, &st), "ok", true);
	EXPECT_STATUS(h, st, 200);
	EXPECT_REFUSED(h, "GET", "/api/v1/me", agent, NULL, 401, "unauthenticated", NULL);
	EXPECT_TRUE(count_cases(h, login(h, "agent", H_PASSWORD)) == 0, h->last_body);

	/* expiry: a 60 s token, used 59 s and 120 s later */
	assert_true(h_start(h, H_NOW, "60"));
	json_t *lg = http(h, "POST", L, NULL, "{\"login\":\"agent\",\"password\":\"jiesu-demo\"}", &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_STR(lg, "expires_at", "2026-03-02T09:01:00+08:00");
	const char *tok = jstr(lg, "token");
	EXPECT_TRUE(tok && strlen(tok) == 43, h->last_body);
	EXPECT_STR(http(h, "GET", "/api/v1/me", tok, NULL, &st), "login", "agent");
	EXPECT_STATUS(h, st, 200);
	assert_true(h_start(h, "2026-03-02T09:00:59+08:00", "60"));
	EXPECT_STR(http(h, "GET", "/api/v1/me", tok, NULL, &st), "login", "agent");
	EXPECT_STATUS(h, st, 200);
	assert_true(h_start(h, "2026-03-02T09:02:00+08:00", "60"));
	EXPECT_REFUSED(h, "GET", "/api/v1/me", tok, NULL, 401, "token_expired", NULL);
	EXPECT_REFUSED(h, "POST", "/api/v1/cases", tok, complaint, 401, "token_expired", NULL);
	/* logging in again gives a fresh token */
	const char *fresh = login(h, "agent", H_PASSWORD);
	EXPECT_STR(http(h, "GET", "/api/v1/me", fresh, NULL, &st), "login", "agent");
	EXPECT_STATUS(h, st, 200);
	EXPECT_TRUE(count_cases(h, fresh) == 0, h->last_body);
	expect_healthy(h);
}

/* ------------------------------------------------------------ transport and query */

static void test_transport_and_query(void **state)
{
	struct harness *h = *state;
	long st;
	assert_true(h_start(h, H_NOW, NULL));
	const char *agent = login(h, "agent", H_PASSWORD);
	const char *P = "/api/v1/cases";
	size_t n = strlen(complaint);

	/* a body must be declared JSON */
	EXPECT_ERROR(h, http_ct(h, "POST", P, agent, complaint, n, "text/plain", &st), 415, "unsupported_media_type",
		     NULL);
	EXPECT_ERROR(h, http_ct(h, "POST", P, agent, complaint, n, "application/x-www-form-urlencoded", &st), 415,
		     "unsupported_media_type", NULL);
	const char *creds = "{\"login\":\"agent\",\"password\":\"jiesu-demo\"}";
	EXPECT_ERROR(h, http_ct(h, "POST", "/api/v1/auth/login", NULL, creds, strlen(creds), "text/plain", &st), 415,
		     "unsupported_media_type", NULL);
	EXPECT_TRUE(count_cases(h, agent) == 0, h->last_body);
	/* with parameters it is still JSON */
	json_t *c = http_ct(h, "POST", P, agent, complaint, n, "application/json; charset=utf-8", &st);
	EXPECT_STATUS(h, st, 201);
	long long id = jint(c, "id");
	c = http_ct(h, "POST", P, agent, complaint, n, "Application/JSON", &st);
	EXPECT_STATUS(h, st, 201);
	EXPECT_TRUE(count_cases(h, agent) == 2, h->last_body);
	struct snap before = snapshot(h, agent, id);
	EXPECT_ERROR(h, http_ct(h, "POST", action_path(h, id, "dispatch"), login(h, "dispatcher", H_PASSWORD), "{}", 2,
				"text/plain", &st),
		     415, "unsupported_media_type", NULL);
	EXPECT_UNCHANGED(h, agent, id, before);

	/* list parameters */
	EXPECT_REFUSED(h, "GET", "/api/v1/cases?per_page=101", agent, NULL, 400, "invalid", "per_page");
	EXPECT_REFUSED(h, "GET", "/api/v1/cases?per_page=0", agent, NULL, 400, "invalid", "per_page");
	EXPECT_REFUSED(h, "GET", "/api/v1/cases?per_page=ten", agent, NULL, 400, "invalid", "per_page");
	EXPECT_REFUSED(h, "GET", "/api/v1/cases?per_page=-5", agent, NULL, 400, "invalid", "per_page");
	EXPECT_REFUSED(h, "GET", "/api/v1/cases?page=0", agent, NULL, 400, "invalid", "page");
	EXPECT_REFUSED(h, "GET", "/api/v1/cases?page=1.5", agent, NULL, 400, "invalid", "page");
	EXPECT_REFUSED(h, "GET", "/api/v1/cases?status=nonsense", agent, NULL, 400, "invalid", "status");
	EXPECT_REFUSED(h, "GET", "/api/v1/cases?overdue=yes", agent, NULL, 400, "invalid", "overdue");
	EXPECT_REFUSED(h, "GET", "/api/v1/cases?unit=999999999", agent, NULL, 400, "invalid", "unit");
	EXPECT_REFUSED(h, "GET", "/api/v1/cases?from=yesterday", agent, NULL, 400, "invalid", "from");
	EXPECT_REFUSED(h, "GET", "/api/v1/cases?to=2026-13-01", agent, NULL, 400, "invalid", "to");
	EXPECT_REFUSED(h, "GET", "/api/v1/cases?from=2026-03-05&to=2026-03-01", agent, NULL, 400, "invalid", "to");
	EXPECT_REFUSED(h, "GET", "/api/v1/units?kind=planet", agent, NULL, 400, "invalid", "kind");
	EXPECT_REFUSED(h, "GET", "/api/v1/units?parent=999999999", agent, NULL, 400, "invalid", "parent");
	json_t *l = http(h, "GET", "/api/v1/cases?per_page=100", agent, NULL, &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_INT(l, "per_page", 100);
	EXPECT_INT(l, "total", count_cases(h, agent));
	l = http(h, "GET", "/api/v1/cases?per_page=1&page=2", agent, NULL, &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_INT(l, "page", 2);
	EXPECT_SIZE(l, "cases", 1);
	EXPECT_INT(l, "cases.0.id", id); /* newest first: page 2 of 1 holds the first case */
	expect_healthy(h);

	/*
	 * BUG (src/http/http.c, on_request: `if (ct && strncasecmp(ct, "application/json", 16) != 0)`):
	 * a body sent with no Content-Type at all is accepted (201), although docs/API.md says
	 * 415 is for "a body without Content-Type: application/json". Expected 415.
	 * The same prefix compare also lets "application/jsonp" (any type starting with
	 * application/json) through: expected 415 as well.
	 */
	EXPECT_ERROR(h, http_ct(h, "POST", P, agent, complaint, n, NULL, &st), 415, "unsupported_media_type", NULL);
	EXPECT_ERROR(h, http_ct(h, "POST", P, agent, complaint, n, "application/jsonp", &st), 415,
		     "unsupported_media_type", NULL);
	EXPECT_TRUE(count_cases(h, agent) == 2, h->last_body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_intake_malformed, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_intake_fields, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_lookup, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_access, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_states_and_action_bodies, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_auth, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_transport_and_query, h_setup, h_teardown),
	};
	int failed = cmocka_run_group_tests_name("integration: errors", tests, h_group_setup, h_group_teardown);
	printf("%lu checks\n", h_checks());
	return failed ? 1 : 0;
}
