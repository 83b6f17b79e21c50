/*
 * test_geo_intake.c — jurisdiction from the place, over HTTP: an address
 * that names a Beijing community is dispatched to its street by intake
 * itself; GCJ-02 coordinates in 石景山区 resolve to 110107; an uncertain
 * place waits for the dispatcher, who sets it (locate) or sends a case
 * elsewhere (redirect), each an event with its reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness.h"

#include <stdio.h>
#include <string.h>

static json_t *intake(struct harness *h, const char *tok, const char *extra)
{
	long st;
	json_t *c = http(h, "POST", "/api/v1/cases", tok,
			 hpath(h,
			       "{\"type\":\"complaint\",\"title\":\"路灯不亮\",\"content\":\"小区门口路灯连续三晚不亮。\","
			       "\"requester\":{\"name\":\"张三\",\"phone\":\"13812345678\"}%s}",
			       extra),
			 &st);
	EXPECT_STATUS(h, st, 201);
	return c;
}

/* The address names a community (模式口村 in 金顶街街道): dispatched there without a dispatcher. */
static void test_address_dispatches_to_street(void **state)
{
	struct harness *h = *state;
	assert_true(h_start(h, H_NOW, NULL));
	const char *agent = login(h, "agent", H_PASSWORD);
	json_t *c = intake(h, agent, ",\"address\":\"石景山区模式口大街20号院\"");
	EXPECT_STR(c, "status", "dispatched");
	EXPECT_STR(c, "lead_unit.code", "110107006");
	EXPECT_STR(c, "place.street.code", "110107006");
	EXPECT_STR(c, "place.district.code", "110107");
	EXPECT_STR(c, "copy_units.0.code", "110107");
	EXPECT_STR(c, "events.1.action", "locate");
	EXPECT_STR(c, "events.1.payload.method", "address");
	EXPECT_STR(c, "events.1.payload.street", "110107006");
	EXPECT_BOOL(c, "events.1.payload.needs_decision", false);
	EXPECT_TRUE(strstr(jstr(c, "events.1.payload.evidence"), "模式口") != NULL, jstr(c, "events.1.payload.evidence"));
	EXPECT_STR(c, "events.2.action", "dispatch");
	EXPECT_STR(c, "events.2.reason", "按属地自动派单");
	EXPECT_STR(c, "events.2.user", "agent");

	/* the street sees it in its inbox */
	const char *street = login(h, "jindingjie.handler", H_PASSWORD);
	long st;
	json_t *l = http(h, "GET", "/api/v1/cases?status=dispatched", street, NULL, &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_INT(l, "total", 1);

	/* asking not to dispatch keeps it for the dispatcher, with the place found */
	c = intake(h, agent, ",\"address\":\"石景山区模式口大街20号院\",\"auto_dispatch\":false");
	EXPECT_STR(c, "status", "received");
	EXPECT_STR(c, "place.street.code", "110107006");
	/* a consultation is never dispatched by intake */
	c = http(h, "POST", "/api/v1/cases", agent,
		 "{\"type\":\"consultation\",\"title\":\"咨询\",\"content\":\"路灯归谁管？\",\"address\":\"鲁谷街道\"}", &st);
	EXPECT_STATUS(h, st, 201);
	EXPECT_STR(c, "status", "received");
	EXPECT_STR(c, "place.street.code", "110107011");
	assert_int_equal(h_stop(h), 0);
}

/* GCJ-02 coordinates in 石景山区: the district boundary decides, with the evidence. */
static void test_point_resolves_district(void **state)
{
	struct harness *h = *state;
	assert_true(h_start(h, H_NOW, NULL));
	const char *agent = login(h, "agent", H_PASSWORD);
	long st;
	json_t *r = http(h, "GET", "/api/v1/geo/resolve?lat=39.9063&lon=116.2229&crs=gcj02", agent, NULL, &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_STR(r, "district.code", "110107");
	EXPECT_STR(r, "method", "point");
	json_t *c = intake(h, agent, ",\"location\":{\"lat\":39.9063,\"lon\":116.2229,\"crs\":\"gcj02\"}");
	EXPECT_STR(c, "place.district.code", "110107");
	EXPECT_STR(c, "events.1.action", "locate");
	EXPECT_STR(c, "events.1.payload.method", "point");
	EXPECT_STR(c, "events.1.payload.district", "110107");
	/* no street polygons in the demo: the district is the unit that decides (区兜底) */
	EXPECT_STR(c, "lead_unit.code", "110107");
	/* bad coordinates are refused by name */
	EXPECT_ERROR(h, http(h, "GET", "/api/v1/geo/resolve?lat=91&lon=116.2&crs=gcj02", agent, NULL, NULL), 400,
		     "invalid", "lat");
	assert_int_equal(h_stop(h), 0);
}

/* An unknown place waits; the dispatcher locates it, then redirects a wrong dispatch. */
static void test_uncertain_place_and_overrides(void **state)
{
	struct harness *h = *state;
	assert_true(h_start(h, H_NOW, NULL));
	const char *agent = login(h, "agent", H_PASSWORD);
	const char *disp = login(h, "dispatcher", H_PASSWORD);
	json_t *c = intake(h, agent, ",\"address\":\"某某路一号\"");
	long long id = jint(c, "id");
	EXPECT_STR(c, "status", "received");
	EXPECT_NULL(c, "place.street");
	EXPECT_STR(c, "events.1.payload.method", "none");
	EXPECT_BOOL(c, "events.1.payload.needs_decision", true);

	/* locate needs a reason and real units */
	const char *path = hpath(h, "/api/v1/cases/%lld/actions/locate", id);
	EXPECT_ERROR(h, http(h, "POST", path, disp, "{\"street\":\"110107001\"}", NULL), 400, "invalid", "reason");
	EXPECT_ERROR(h, http(h, "POST", path, disp, "{\"street\":\"999999999\",\"reason\":\"x\"}", NULL), 400,
		     "invalid", "place.street");
	long st;
	c = http(h, "POST", path, disp, "{\"street\":\"110107001\",\"reason\":\"电话核实在八宝山街道\"}", &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_STR(c, "place.street.code", "110107001");
	EXPECT_STR(c, "place.district.code", "110107");
	EXPECT_STR(c, "events.2.payload.method", "manual");

	c = http(h, "POST", hpath(h, "/api/v1/cases/%lld/actions/dispatch", id), disp, NULL, &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_STR(c, "lead_unit.code", "110107001");

	/* redirect before signing: another street, with a reason; the first street keeps its history */
	path = hpath(h, "/api/v1/cases/%lld/actions/redirect", id);
	EXPECT_ERROR(h, http(h, "POST", path, disp, "{\"unit\":\"110107002\"}", NULL), 400, "invalid", "reason");
	EXPECT_ERROR(h, http(h, "POST", path, disp, "{\"unit\":\"110107001\",\"reason\":\"x\"}", NULL), 400,
		     "invalid", "unit");
	const char *street = login(h, "babaoshan.handler", H_PASSWORD);
	EXPECT_ERROR(h, http(h, "POST", path, street, "{\"unit\":\"110107002\",\"reason\":\"x\"}", NULL), 403,
		     "forbidden", NULL);
	c = http(h, "POST", path, disp, "{\"unit\":\"110107002\",\"reason\":\"核实为老山街道辖区\"}", &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_STR(c, "lead_unit.code", "110107002");
	EXPECT_STR(c, "status", "dispatched");
	EXPECT_STR(c, "events.4.action", "redirect");
	EXPECT_STR(c, "events.4.reason", "核实为老山街道辖区");
	/* after the new street signs, redirect is no longer possible */
	const char *laoshan = login(h, "laoshan.handler", H_PASSWORD);
	http(h, "POST", hpath(h, "/api/v1/cases/%lld/actions/sign", id), laoshan, NULL, &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_ERROR(h, http(h, "POST", path, disp, "{\"unit\":\"110107003\",\"reason\":\"x\"}", NULL), 409,
		     "invalid_state", NULL);
	assert_int_equal(h_stop(h), 0);

	char *out = NULL;
	assert_int_equal(h_run(h, NULL, &out, NULL, "rebuild", "--db", h->db, "--check", NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_address_dispatches_to_street, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_point_resolves_district, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_uncertain_place_and_overrides, h_setup, h_teardown),
	};
	int failed = cmocka_run_group_tests_name("integration: place at intake", tests, h_group_setup,
						 h_group_teardown);
	printf("%lu checks\n", h_checks());
	return failed ? 1 : 0;
}
