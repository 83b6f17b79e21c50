/*
 * test_flow.c — the "done when" story against the real binary: intake,
 * dispatch with its deadlines, the street's handling, who sees what
 * (masking, other units), close; the deadline sweep marking an unanswered
 * case overdue; a consultation answered, a referral, a dispatch to a
 * department; the command line's view; and the event log folding back to
 * every case row (rebuild --check).
 *
 * Each test gets its own copy of the demo database and its own server with
 * JIESU_NOW=2026-03-02T09:00:00+08:00 (a Monday).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness.h"

#include <stdio.h>
#include <string.h>

#define LATER "2026-03-20T09:00:00+08:00"

/* A complaint in 八宝山街道, 石景山区: the district is left for the server to fill. */
static const char complaint[] =
	"{\"type\":\"complaint\",\"channel\":\"phone\",\"title\":\"小区夜间施工噪音扰民\","
	"\"content\":\"八宝山街道某小区旁工地每晚十一点后仍在施工，噪音很大，影响休息。\","
	"\"address\":\"北京市石景山区八宝山街道某小区3号楼\","
	"\"requester\":{\"name\":\"张三\",\"phone\":\"13812345678\"},"
	"\"place\":{\"street\":\"110107001\"}}";

static const char consultation[] =
	"{\"type\":\"consultation\",\"channel\":\"phone\",\"title\":\"咨询居住证办理材料\","
	"\"content\":\"想了解在石景山区办理居住证需要准备哪些材料。\","
	"\"requester\":{\"name\":\"李四\",\"phone\":\"13900001111\"}}";

/* ------------------------------------------------------------ helpers */

/* POST a case as tok; expects 201 "received"; returns its id. */
static long long create_case(struct harness *h, const char *tok, const char *body)
{
	long st;
	json_t *j = http(h, "POST", "/api/v1/cases", tok, body, &st);
	EXPECT_STATUS(h, st, 201);
	EXPECT_STR(j, "status", "received");
	return jint(j, "id");
}

/* POST an action; expects 200 and the given new status; returns the case. */
static json_t *act(struct harness *h, const char *tok, long long id, const char *action, const char *body,
		   const char *want_status)
{
	long st;
	json_t *j = http(h, "POST", hpath(h, "/api/v1/cases/%lld/actions/%s", id, action), tok, body, &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_INT(j, "id", id);
	EXPECT_STR(j, "status", want_status);
	return j;
}

static json_t *get_case(struct harness *h, const char *tok, long long id, long want_status)
{
	long st;
	json_t *j = http(h, "GET", hpath(h, "/api/v1/cases/%lld", id), tok, NULL, &st);
	EXPECT_STATUS(h, st, want_status);
	return j;
}

static json_t *list_cases(struct harness *h, const char *tok, const char *query, long long want_total)
{
	long st;
	json_t *j = http(h, "GET", hpath(h, "/api/v1/cases%s", query), tok, NULL, &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_INT(j, "total", want_total);
	EXPECT_SIZE(j, "cases", (size_t)want_total);
	return j;
}

/* The events' actions, in order, must be exactly these (NULL-terminated); seq runs 1..n. */
static void expect_events(json_t *c, const char *const *actions)
{
	size_t n = 0;
	while (actions[n])
		n++;
	EXPECT_SIZE(c, "events", n);
	for (size_t i = 0; i < n; i++) {
		char p[64];
		snprintf(p, sizeof(p), "events.%zu.seq", i);
		EXPECT_INT(c, p, (long long)i + 1);
		snprintf(p, sizeof(p), "events.%zu.action", i);
		EXPECT_STR(c, p, actions[i]);
	}
}

/* The allowed_actions array must be exactly these (NULL-terminated), in order. */
static void expect_allowed(json_t *c, const char *const *actions)
{
	size_t n = 0;
	while (actions[n])
		n++;
	EXPECT_SIZE(c, "allowed_actions", n);
	for (size_t i = 0; i < n; i++) {
		char p[64];
		snprintf(p, sizeof(p), "allowed_actions.%zu", i);
		EXPECT_STR(c, p, actions[i]);
	}
}

static void expect_rebuild_clean(struct harness *h, int ncases)
{
	char *out, *err;
	int rc = h_run(h, NULL, &out, &err, "rebuild", "--db", h->db, "--check", (char *)NULL);
	char want[64];
	snprintf(want, sizeof(want), "rebuild: %d cases, 0 differ\n", ncases);
	EXPECT_TRUE(rc == 0, err);
	EXPECT_TRUE(!strcmp(out, want), out);
}

/* The street's whole handling of a dispatched case, up to "replied". */
static void handle_to_replied(struct harness *h, const char *handler, long long id)
{
	act(h, handler, id, "sign", NULL, "accepted");
	act(h, handler, id, "contact", "{\"reached\":true,\"method\":\"phone\"}", "in_progress");
	act(h, handler, id, "reply", "{\"result\":\"已约谈施工单位，夜间停止施工。\",\"solved\":true}", "replied");
}

/* ------------------------------------------------------------ tests */

static void test_story(void **state)
{
	struct harness *h = *state;
	long st;
	assert_true(h_start(h, H_NOW, NULL));

	/* the agent records the complaint */
	const char *agent = login(h, "agent", H_PASSWORD);
	json_t *c = http(h, "POST", "/api/v1/cases", agent, complaint, &st);
	EXPECT_STATUS(h, st, 201);
	EXPECT_INT(c, "id", 1);
	EXPECT_STR(c, "status", "received");
	EXPECT_STR(c, "type", "complaint");
	EXPECT_STR(c, "channel", "phone");
	EXPECT_STR(c, "title", "小区夜间施工噪音扰民");
	EXPECT_STR(c, "content", "八宝山街道某小区旁工地每晚十一点后仍在施工，噪音很大，影响休息。");
	EXPECT_STR(c, "address", "北京市石景山区八宝山街道某小区3号楼");
	EXPECT_STR(c, "tier", "general");
	EXPECT_STR(c, "place.street.code", "110107001");
	EXPECT_STR(c, "place.street.name", "八宝山街道");
	EXPECT_STR(c, "place.district.code", "110107");
	EXPECT_STR(c, "place.district.name", "石景山区");
	EXPECT_NULL(c, "place.community");
	EXPECT_NULL(c, "lead_unit");
	EXPECT_SIZE(c, "copy_units", 0);
	/* Every view masks the requester; the agent may reveal them, with a reason that is kept. */
	EXPECT_STR(c, "requester.name", "张*");
	EXPECT_STR(c, "requester.phone", "138****5678");
	EXPECT_BOOL(c, "requester.masked", true);
	EXPECT_BOOL(c, "requester.can_reveal", true);
	EXPECT_BOOL(c, "requester.confidential", false);
	EXPECT_STR(c, "created_at", H_NOW);
	EXPECT_STR(c, "deadlines.dispatch.start", H_NOW);
	EXPECT_STR(c, "deadlines.dispatch.due", "2026-03-03T09:00:00+08:00");
	EXPECT_STR(c, "deadlines.dispatch.state", "running");
	EXPECT_SIZE(c, "deadlines", 1);
	EXPECT_BOOL(c, "overdue", false);
	expect_events(c, (const char *const[]){"create", NULL});
	EXPECT_STR(c, "events.0.user", "agent");
	EXPECT_STR(c, "events.0.unit.code", "12345");
	/* personal data stays out of the history */
	EXPECT_TRUE(jpath(c, "events.0.payload.requester") == NULL, "the create event shows no requester");
	expect_allowed(c, (const char *const[]){"refer", "dispatch", "note", "merge", "link_repeat", "locate", NULL});

	/* the dispatcher dispatches with no unit: the street from the place, a copy to its district */
	const char *dispatcher = login(h, "dispatcher", H_PASSWORD);
	c = act(h, dispatcher, 1, "dispatch", "{}", "dispatched");
	EXPECT_STR(c, "lead_unit.code", "110107001");
	EXPECT_STR(c, "lead_unit.name", "八宝山街道");
	EXPECT_STR(c, "lead_unit.kind", "street");
	EXPECT_SIZE(c, "copy_units", 1);
	EXPECT_STR(c, "copy_units.0.code", "110107");
	EXPECT_STR(c, "copy_units.0.kind", "district");
	EXPECT_STR(c, "deadlines.dispatch.state", "met");
	EXPECT_STR(c, "deadlines.dispatch.done_at", H_NOW);
	EXPECT_STR(c, "deadlines.sign.start", H_NOW);
	EXPECT_STR(c, "deadlines.sign.due", "2026-03-02T11:00:00+08:00");
	EXPECT_STR(c, "deadlines.contact.due", "2026-03-03T09:00:00+08:00");
	EXPECT_STR(c, "deadlines.feedback.start", H_NOW);
	EXPECT_STR(c, "deadlines.feedback.due", "2026-03-11T09:00:00+08:00"); /* 7 working days */
	EXPECT_STR(c, "deadlines.feedback.state", "running");
	EXPECT_BOOL(c, "deadlines.feedback.overdue", false);
	EXPECT_NULL(c, "deadlines.feedback.done_at");
	EXPECT_SIZE(c, "deadlines", 4);
	EXPECT_STR(c, "events.1.user", "dispatcher");

	/* the street's handler sees it, with the requester's contact details */
	const char *handler = login(h, "babaoshan.handler", H_PASSWORD);
	json_t *l = list_cases(h, handler, "", 1);
	EXPECT_INT(l, "cases.0.id", 1);
	EXPECT_STR(l, "cases.0.status", "dispatched");
	EXPECT_STR(l, "cases.0.requester.phone", "138****5678");
	EXPECT_BOOL(l, "cases.0.requester.masked", true);
	EXPECT_BOOL(l, "cases.0.requester.can_reveal", true);
	EXPECT_INT(l, "page", 1);
	EXPECT_INT(l, "per_page", 20);
	c = get_case(h, handler, 1, 200);
	EXPECT_STR(c, "requester.name", "张*");
	EXPECT_BOOL(c, "requester.can_reveal", true);
	expect_allowed(c, (const char *const[]){"sign", "note", "return", NULL});

	c = act(h, handler, 1, "sign", NULL, "accepted");
	EXPECT_STR(c, "deadlines.sign.state", "met");
	EXPECT_STR(c, "deadlines.sign.done_at", H_NOW);
	c = act(h, handler, 1, "contact", "{\"reached\":true,\"method\":\"phone\"}", "in_progress");
	EXPECT_STR(c, "deadlines.contact.state", "met");
	c = act(h, handler, 1, "reply", "{\"result\":\"已约谈施工单位，夜间停止施工。\",\"solved\":true}",
		"replied");
	EXPECT_STR(c, "result", "已约谈施工单位，夜间停止施工。");
	EXPECT_BOOL(c, "solved", true);
	EXPECT_STR(c, "deadlines.feedback.state", "met");
	EXPECT_STR(c, "deadlines.feedback.done_at", H_NOW);
	EXPECT_BOOL(c, "overdue", false);

	/* the district's supervisor sees the whole history, the requester masked */
	const char *sup = login(h, "sjs.supervisor", H_PASSWORD);
	c = get_case(h, sup, 1, 200);
	EXPECT_STR(c, "status", "replied");
	expect_events(c, (const char *const[]){"create", "dispatch", "sign", "contact", "reply", NULL});
	EXPECT_STR(c, "events.0.user", "agent");
	EXPECT_STR(c, "events.1.user", "dispatcher");
	EXPECT_STR(c, "events.2.user", "babaoshan.handler");
	EXPECT_STR(c, "events.3.user", "babaoshan.handler");
	EXPECT_STR(c, "events.4.user", "babaoshan.handler");
	EXPECT_STR(c, "events.2.unit.code", "110107001");
	EXPECT_BOOL(c, "events.3.payload.reached", true);
	EXPECT_STR(c, "events.3.payload.method", "phone");
	EXPECT_BOOL(c, "events.4.payload.solved", true);
	EXPECT_STR(c, "requester.phone", "138****5678");
	EXPECT_STR(c, "requester.name", "张*");
	EXPECT_BOOL(c, "requester.masked", true);
	expect_allowed(c, (const char *const[]){"note", NULL});
	l = list_cases(h, sup, "", 1);
	EXPECT_STR(l, "cases.0.requester.phone", "138****5678");

	/* another street, and a department of the same district, do not see it at all */
	const char *laoshan = login(h, "laoshan.handler", H_PASSWORD);
	c = get_case(h, laoshan, 1, 404);
	EXPECT_ERROR(h, c, 404, "not_found", "id");
	list_cases(h, laoshan, "", 0);
	const char *chengguan = login(h, "sjs.chengguan.handler", H_PASSWORD);
	c = get_case(h, chengguan, 1, 404);
	EXPECT_ERROR(h, c, 404, "not_found", "id");
	list_cases(h, chengguan, "", 0);

	/* the centre closes it */
	c = act(h, agent, 1, "close", NULL, "closed");
	EXPECT_STR(c, "closed_at", H_NOW);
	expect_events(c, (const char *const[]){"create", "dispatch", "sign", "contact", "reply", "close", NULL});
	EXPECT_STR(c, "events.5.user", "agent");

	/* the command line sees what the API shows */
	l = list_cases(h, handler, "", 1);
	char *out, *err;
	int rc = h_run(h, H_NOW, &out, &err, "case", "list", "--db", h->db, "--as", "babaoshan.handler",
		       (char *)NULL);
	EXPECT_TRUE(rc == 0, err);
	json_error_t jerr;
	json_t *cli = json_loads(out, 0, &jerr);
	EXPECT_TRUE(cli != NULL, out);
	EXPECT_INT(cli, "total", jint(l, "total"));
	EXPECT_INT(cli, "total", 1);
	EXPECT_INT(cli, "cases.0.id", 1);
	EXPECT_STR(cli, "cases.0.status", "closed");
	json_decref(cli);

	expect_rebuild_clean(h, 1);
}

static void test_sweep_marks_overdue(void **state)
{
	struct harness *h = *state;
	assert_true(h_start(h, H_NOW, NULL));
	const char *agent = login(h, "agent", H_PASSWORD);
	const char *dispatcher = login(h, "dispatcher", H_PASSWORD);
	const char *handler = login(h, "babaoshan.handler", H_PASSWORD);

	/* case 1 handled and closed on time, case 2 dispatched and left unanswered */
	long long done = create_case(h, agent, complaint);
	act(h, dispatcher, done, "dispatch", "{}", "dispatched");
	handle_to_replied(h, handler, done);
	act(h, agent, done, "close", NULL, "closed");
	long long late = create_case(h, agent, complaint);
	EXPECT_INT(get_case(h, agent, late, 200), "id", 2);
	act(h, dispatcher, late, "dispatch", "{}", "dispatched");

	/* the sweep at a later time, against the same file while the server runs */
	char *out, *err;
	int rc = h_run(h, LATER, &out, &err, "sweep", "--db", h->db, (char *)NULL);
	EXPECT_TRUE(rc == 0, err);
	EXPECT_TRUE(!strcmp(out, "sweep: 3 deadline events\n"), out);

	/* the running server (still at 09:00 on the 2nd) shows the recorded marks */
	json_t *c = get_case(h, agent, late, 200);
	EXPECT_BOOL(c, "overdue", true);
	EXPECT_STR(c, "deadlines.feedback.state", "overdue");
	EXPECT_BOOL(c, "deadlines.feedback.overdue", true);
	EXPECT_STR(c, "status", "dispatched");
	expect_events(c, (const char *const[]){"create", "dispatch", "overdue", "overdue", "overdue", NULL});

	/* a server at the later time */
	assert_true(h_start(h, LATER, NULL));
	agent = login(h, "agent", H_PASSWORD);
	c = get_case(h, agent, late, 200);
	EXPECT_STR(c, "status", "dispatched");
	EXPECT_BOOL(c, "overdue", true);
	EXPECT_STR(c, "deadlines.feedback.due", "2026-03-11T09:00:00+08:00");
	EXPECT_STR(c, "deadlines.feedback.state", "overdue");
	EXPECT_BOOL(c, "deadlines.feedback.overdue", true);
	EXPECT_STR(c, "deadlines.sign.state", "overdue");
	EXPECT_STR(c, "deadlines.contact.state", "overdue");
	EXPECT_STR(c, "deadlines.dispatch.state", "met");
	expect_events(c, (const char *const[]){"create", "dispatch", "overdue", "overdue", "overdue", NULL});
	static const char *const clocks[] = {"sign", "contact", "feedback"};
	static const char *const dues[] = {"2026-03-02T11:00:00+08:00", "2026-03-03T09:00:00+08:00",
					   "2026-03-11T09:00:00+08:00"};
	for (int i = 0; i < 3; i++) {
		char p[64];
		snprintf(p, sizeof(p), "events.%d.user", i + 2);
		EXPECT_STR(c, p, "system");
		snprintf(p, sizeof(p), "events.%d.at", i + 2);
		EXPECT_STR(c, p, LATER);
		snprintf(p, sizeof(p), "events.%d.payload.clock", i + 2);
		EXPECT_STR(c, p, clocks[i]);
		snprintf(p, sizeof(p), "events.%d.payload.due", i + 2);
		EXPECT_STR(c, p, dues[i]);
		snprintf(p, sizeof(p), "events.%d.unit", i + 2);
		EXPECT_NULL(c, p);
	}
	c = get_case(h, agent, done, 200);
	EXPECT_STR(c, "status", "closed");
	EXPECT_BOOL(c, "overdue", false);
	EXPECT_STR(c, "deadlines.feedback.state", "met");
	EXPECT_SIZE(c, "events", 6);

	json_t *l = list_cases(h, agent, "?overdue=true", 1);
	EXPECT_INT(l, "cases.0.id", late);
	EXPECT_BOOL(l, "cases.0.overdue", true);
	l = list_cases(h, agent, "?overdue=false", 1);
	EXPECT_INT(l, "cases.0.id", done);
	/* the street sees its overdue case too */
	handler = login(h, "babaoshan.handler", H_PASSWORD);
	l = list_cases(h, handler, "?overdue=true", 1);
	EXPECT_INT(l, "cases.0.id", late);

	/* a second sweep at the same time has nothing left to do */
	rc = h_run(h, LATER, &out, &err, "sweep", "--db", h->db, (char *)NULL);
	EXPECT_TRUE(rc == 0, err);
	EXPECT_TRUE(!strcmp(out, "sweep: 0 deadline events\n"), out);
	EXPECT_SIZE(get_case(h, agent, late, 200), "events", 5);

	expect_rebuild_clean(h, 2);
}

static void test_consultation_answered(void **state)
{
	struct harness *h = *state;
	assert_true(h_start(h, H_NOW, NULL));
	const char *agent = login(h, "agent", H_PASSWORD);
	long long id = create_case(h, agent, consultation);
	json_t *c = get_case(h, agent, id, 200);
	EXPECT_STR(c, "type", "consultation");
	EXPECT_NULL(c, "place.district");
	expect_allowed(c, (const char *const[]){"answer", "refer", "dispatch", "note", "merge", "link_repeat", "locate",
						 NULL});
	c = act(h, agent, id, "answer", "{\"answer\":\"请携带身份证、租房合同和近照到街道政务服务中心办理。\"}",
		"answered");
	EXPECT_STR(c, "answer", "请携带身份证、租房合同和近照到街道政务服务中心办理。");
	EXPECT_NULL(c, "lead_unit");
	EXPECT_NULL(c, "outcome");
	EXPECT_STR(c, "deadlines.dispatch.state", "met");
	EXPECT_SIZE(c, "deadlines", 1);
	expect_events(c, (const char *const[]){"create", "answer", NULL});
	EXPECT_STR(c, "events.1.user", "agent");
	expect_allowed(c, (const char *const[]){"note", "link_repeat", NULL});
	/* an answered case is final: it cannot be dispatched any more */
	long st;
	json_t *e = http(h, "POST", hpath(h, "/api/v1/cases/%lld/actions/dispatch", id),
			 login(h, "dispatcher", H_PASSWORD), "{}", &st);
	EXPECT_ERROR(h, e, 409, "invalid_state", NULL);
	EXPECT_STR(get_case(h, agent, id, 200), "status", "answered");
	expect_rebuild_clean(h, 1);
}

static void test_referral(void **state)
{
	struct harness *h = *state;
	assert_true(h_start(h, H_NOW, NULL));
	const char *agent = login(h, "agent", H_PASSWORD);
	long long id = create_case(h, agent, complaint);
	json_t *c = act(h, agent, id, "refer", "{\"outcome\":\"emergency\",\"answer\":\"紧急情况请直接拨打110。\"}",
			"referred");
	EXPECT_STR(c, "outcome", "emergency");
	EXPECT_STR(c, "answer", "紧急情况请直接拨打110。");
	EXPECT_NULL(c, "lead_unit");
	EXPECT_SIZE(c, "copy_units", 0);
	EXPECT_STR(c, "deadlines.dispatch.state", "met");
	expect_events(c, (const char *const[]){"create", "refer", NULL});
	EXPECT_STR(c, "events.1.payload.outcome", "emergency");
	/* nobody outside the centre sees a case that was never dispatched */
	list_cases(h, login(h, "sjs.supervisor", H_PASSWORD), "", 0);
	list_cases(h, agent, "?status=referred", 1);
	expect_rebuild_clean(h, 1);
}

static void test_dispatch_to_department(void **state)
{
	struct harness *h = *state;
	long st;
	assert_true(h_start(h, H_NOW, NULL));
	const char *agent = login(h, "agent", H_PASSWORD);

	/* find 石景山区's city-management department among its departments */
	json_t *u = http(h, "GET", "/api/v1/units?parent=110107&kind=department", agent, NULL, &st);
	EXPECT_STATUS(h, st, 200);
	const char *code = NULL, *name = NULL;
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(u, "units"), i, v)
	{
		EXPECT_STR(v, "kind", "department");
		EXPECT_STR(v, "parent", "110107");
		if (jstr(v, "sector") && !strcmp(jstr(v, "sector"), "chengguan")) {
			code = jstr(v, "code");
			name = jstr(v, "name");
		}
	}
	EXPECT_TRUE(code != NULL, h->last_body);
	EXPECT_TRUE(!strcmp(code, "110107801"), code);
	EXPECT_TRUE(!strcmp(name, "石景山区城市管理委员会"), name);

	long long id = create_case(h, agent, complaint);
	char body[128];
	snprintf(body, sizeof(body), "{\"unit\":\"%s\"}", code);
	json_t *c = act(h, login(h, "dispatcher", H_PASSWORD), id, "dispatch", body, "dispatched");
	EXPECT_STR(c, "lead_unit.code", code);
	EXPECT_STR(c, "lead_unit.kind", "department");
	EXPECT_SIZE(c, "copy_units", 0);
	EXPECT_STR(c, "events.1.payload.unit", code);
	EXPECT_SIZE(c, "events.1.payload.copies", 0);
	EXPECT_STR(c, "deadlines.feedback.due", "2026-03-11T09:00:00+08:00");

	/* the department handles it; the street of the place does not see it */
	const char *cg = login(h, "sjs.chengguan.handler", H_PASSWORD);
	json_t *l = list_cases(h, cg, "", 1);
	EXPECT_INT(l, "cases.0.id", id);
	c = get_case(h, cg, id, 200);
	EXPECT_STR(c, "requester.phone", "138****5678");
	EXPECT_BOOL(c, "requester.can_reveal", true);
	expect_allowed(c, (const char *const[]){"sign", "note", "return", NULL});
	const char *bbs = login(h, "babaoshan.handler", H_PASSWORD);
	EXPECT_ERROR(h, get_case(h, bbs, id, 404), 404, "not_found", "id");
	list_cases(h, bbs, "", 0);
	/* the district's supervisor oversees its departments: sees it, masked */
	c = get_case(h, login(h, "sjs.supervisor", H_PASSWORD), id, 200);
	EXPECT_STR(c, "requester.phone", "138****5678");
	EXPECT_BOOL(c, "requester.masked", true);

	handle_to_replied(h, cg, id);
	act(h, agent, id, "close", NULL, "closed");
	expect_rebuild_clean(h, 1);
}

static void test_list_filters(void **state)
{
	struct harness *h = *state;
	assert_true(h_start(h, H_NOW, NULL));
	const char *agent = login(h, "agent", H_PASSWORD);
	const char *dispatcher = login(h, "dispatcher", H_PASSWORD);

	/* 1: to 八宝山街道; 2: to the district's city-management department; 3: answered */
	long long street = create_case(h, agent, complaint);
	act(h, dispatcher, street, "dispatch", "{}", "dispatched");
	long long dept = create_case(h, agent, complaint);
	act(h, dispatcher, dept, "dispatch", "{\"unit\":\"110107801\"}", "dispatched");
	long long answered = create_case(h, agent, consultation);
	act(h, agent, answered, "answer", "{\"answer\":\"请到街道政务服务中心办理。\"}", "answered");

	json_t *l = list_cases(h, agent, "", 3);
	EXPECT_INT(l, "cases.0.id", answered); /* newest first */
	EXPECT_INT(l, "cases.1.id", dept);
	EXPECT_INT(l, "cases.2.id", street);
	l = list_cases(h, agent, "?status=dispatched", 2);
	EXPECT_INT(l, "cases.0.id", dept);
	l = list_cases(h, agent, "?status=answered", 1);
	EXPECT_INT(l, "cases.0.id", answered);
	list_cases(h, agent, "?status=closed", 0);
	l = list_cases(h, agent, "?unit=110107001", 1);
	EXPECT_INT(l, "cases.0.id", street);
	l = list_cases(h, agent, "?unit=110107801", 1);
	EXPECT_INT(l, "cases.0.id", dept);
	list_cases(h, agent, "?unit=110107", 2);
	list_cases(h, agent, "?unit=110107002", 0);
	list_cases(h, agent, "?status=dispatched&unit=110107001&overdue=false", 1);

	/* paging */
	long st;
	l = http(h, "GET", "/api/v1/cases?per_page=2", agent, NULL, &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_INT(l, "total", 3);
	EXPECT_SIZE(l, "cases", 2);
	l = http(h, "GET", "/api/v1/cases?per_page=2&page=2", agent, NULL, &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_INT(l, "total", 3);
	EXPECT_INT(l, "page", 2);
	EXPECT_SIZE(l, "cases", 1);
	EXPECT_INT(l, "cases.0.id", street);
	l = http(h, "GET", "/api/v1/cases?per_page=2&page=3", agent, NULL, &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_INT(l, "total", 3);
	EXPECT_SIZE(l, "cases", 0);

	/* the district's supervisor sees both of its cases, not the answered one */
	const char *sup = login(h, "sjs.supervisor", H_PASSWORD);
	list_cases(h, sup, "", 2);
	l = list_cases(h, sup, "?unit=110107801", 1);
	EXPECT_INT(l, "cases.0.id", dept);

	/* dates: "to" includes that whole day; times are exact */
	list_cases(h, agent, "?from=2026-03-02", 3);
	list_cases(h, agent, "?from=2026-03-03", 0);
	list_cases(h, agent, "?to=2026-03-01", 0);
	list_cases(h, agent, "?to=2026-03-02", 3);
	list_cases(h, agent, "?from=2026-03-02&to=2026-03-02", 3);
	list_cases(h, agent, "?from=2026-03-02T08:00:00%2B08:00&to=2026-03-02T10:00:00%2B08:00", 3);
	list_cases(h, agent, "?from=2026-03-02T09:00:01%2B08:00", 0);
	list_cases(h, agent, "?to=2026-03-02T09:00:00%2B08:00", 0);
	list_cases(h, agent, "?from=2026-03-02T01:00:00Z", 3);
	expect_rebuild_clean(h, 3);
}

static void test_deadline_warning_and_late_sign(void **state)
{
	struct harness *h = *state;
	char *out, *err;
	assert_true(h_start(h, H_NOW, NULL));
	const char *agent = login(h, "agent", H_PASSWORD);
	long long id = create_case(h, agent, complaint);
	act(h, login(h, "dispatcher", H_PASSWORD), id, "dispatch", "{}", "dispatched");
	h_stop(h);

	/* 10:45: 75% of the 2 h to sign has gone (warn at 10:30), the deadline (11:00) not yet */
	int rc = h_run(h, "2026-03-02T10:45:00+08:00", &out, &err, "sweep", "--db", h->db, (char *)NULL);
	EXPECT_TRUE(rc == 0, err);
	EXPECT_TRUE(!strcmp(out, "sweep: 1 deadline events\n"), out);
	assert_true(h_start(h, "2026-03-02T10:45:00+08:00", NULL));
	agent = login(h, "agent", H_PASSWORD);
	json_t *c = get_case(h, agent, id, 200);
	EXPECT_STR(c, "deadlines.sign.warn_at", "2026-03-02T10:30:00+08:00");
	EXPECT_STR(c, "deadlines.sign.state", "warning");
	EXPECT_BOOL(c, "deadlines.sign.overdue", false);
	EXPECT_STR(c, "deadlines.feedback.state", "running");
	EXPECT_BOOL(c, "overdue", false);
	expect_events(c, (const char *const[]){"create", "dispatch", "warning", NULL});
	EXPECT_STR(c, "events.2.user", "system");
	EXPECT_STR(c, "events.2.payload.clock", "sign");
	list_cases(h, agent, "?overdue=true", 0);

	/* 11:30: the street signs half an hour late; that stays on the record */
	assert_true(h_start(h, "2026-03-02T11:30:00+08:00", NULL));
	agent = login(h, "agent", H_PASSWORD);
	c = act(h, login(h, "babaoshan.handler", H_PASSWORD), id, "sign", NULL, "accepted");
	EXPECT_STR(c, "deadlines.sign.done_at", "2026-03-02T11:30:00+08:00");
	EXPECT_STR(c, "deadlines.sign.state", "met_late");
	EXPECT_BOOL(c, "deadlines.sign.overdue", true);
	EXPECT_STR(c, "deadlines.contact.state", "running");
	EXPECT_BOOL(c, "overdue", true);
	json_t *l = list_cases(h, agent, "?overdue=true", 1);
	EXPECT_INT(l, "cases.0.id", id);
	/* nothing more for the sweep to mark at 11:30 */
	rc = h_run(h, "2026-03-02T11:30:00+08:00", &out, &err, "sweep", "--db", h->db, (char *)NULL);
	EXPECT_TRUE(rc == 0, err);
	EXPECT_TRUE(!strcmp(out, "sweep: 0 deadline events\n"), out);
	expect_rebuild_clean(h, 1);
}

static void test_confidential_requester(void **state)
{
	struct harness *h = *state;
	assert_true(h_start(h, H_NOW, NULL));
	const char *agent = login(h, "agent", H_PASSWORD);
	char body[sizeof(complaint) + 64];
	snprintf(body, sizeof(body), "%s", complaint);
	char *p = strstr(body, "\"phone\":\"13812345678\"}");
	assert_non_null(p);
	strcpy(p, "\"phone\":\"13812345678\",\"confidential\":true},\"place\":{\"street\":\"110107001\"}}");
	long long id = create_case(h, agent, body);
	json_t *c = act(h, login(h, "dispatcher", H_PASSWORD), id, "dispatch", "{}", "dispatched");
	/* the centre sees the requester masked too, and may reveal them with a reason */
	EXPECT_STR(c, "requester.phone", "138****5678");
	EXPECT_BOOL(c, "requester.confidential", true);
	EXPECT_BOOL(c, "requester.can_reveal", true);
	long st;
	EXPECT_ERROR(h, http(h, "POST", hpath(h, "/api/v1/cases/%lld/reveal", id), agent, "{}", &st), 400, "invalid",
		     "reason");
	EXPECT_ERROR(h, http(h, "POST", hpath(h, "/api/v1/cases/%lld/reveal", id), agent, "{\"reason\":\"x\",\"a\":1}", &st),
		     400, "invalid", "a");
	json_t *r = http(h, "POST", hpath(h, "/api/v1/cases/%lld/reveal", id), agent, "{\"reason\":\"回访前核对\"}", &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_STR(r, "name", "张三");
	EXPECT_STR(r, "phone", "13812345678");
	c = get_case(h, agent, id, 200);
	json_t *evs = jpath(c, "events");
	json_t *last = json_array_get(evs, json_array_size(evs) - 1);
	EXPECT_STR(last, "action", "reveal");
	EXPECT_STR(last, "reason", "回访前核对");
	EXPECT_TRUE(!strstr(h->last_body, "13812345678"), h->last_body); /* the history never holds the number */
	/* even the lead unit's handler and head see them masked (保密) */
	const char *handler = login(h, "babaoshan.handler", H_PASSWORD);
	c = get_case(h, handler, id, 200);
	EXPECT_STR(c, "requester.name", "张*");
	EXPECT_STR(c, "requester.phone", "138****5678");
	EXPECT_BOOL(c, "requester.masked", true);
	EXPECT_BOOL(c, "requester.confidential", true);
	EXPECT_BOOL(c, "requester.can_reveal", false);
	EXPECT_ERROR(h, http(h, "POST", hpath(h, "/api/v1/cases/%lld/reveal", id), handler, "{\"reason\":\"联系\"}", &st),
		     403, "forbidden", NULL);
	json_t *l = list_cases(h, handler, "", 1);
	EXPECT_STR(l, "cases.0.requester.phone", "138****5678");
	c = get_case(h, login(h, "babaoshan.head", H_PASSWORD), id, 200);
	EXPECT_STR(c, "requester.phone", "138****5678");
	/* the handling goes on as usual */
	handle_to_replied(h, handler, id);
	c = act(h, agent, id, "close", NULL, "closed");
	EXPECT_STR(c, "requester.phone", "138****5678");
	expect_rebuild_clean(h, 1);
}

/*
 * A case shown again within a second comes from memory (api_cases.c,
 * view_slot): each account still sees its own view, and a change by
 * anyone is seen by the next read at once.
 */
static bool allowed(json_t *c, const char *action)
{
	size_t i;
	json_t *a;
	json_array_foreach(jpath(c, "allowed_actions"), i, a) if (!strcmp(json_string_value(a), action)) return true;
	return false;
}

static void test_views_kept_per_account(void **state)
{
	struct harness *h = *state;
	assert_true(h_start(h, H_NOW, NULL));
	const char *agent = login(h, "agent", H_PASSWORD), *handler = login(h, "babaoshan.handler", H_PASSWORD);
	long long id = create_case(h, agent, complaint);
	act(h, login(h, "dispatcher", H_PASSWORD), id, "dispatch", "{}", "dispatched");
	json_t *c;
	for (int round = 0; round < 3; round++) { /* alternating, on every worker thread */
		c = get_case(h, handler, id, 200);
		EXPECT_STR(c, "status", "dispatched");
		EXPECT_TRUE(allowed(c, "sign"), h->last_body);
		c = get_case(h, agent, id, 200);
		EXPECT_STR(c, "status", "dispatched");
		EXPECT_TRUE(!allowed(c, "sign") && allowed(c, "redirect"), h->last_body);
	}
	/* another unit's account is still refused, though the case is kept for others */
	get_case(h, login(h, "pingguoyuan.handler", H_PASSWORD), id, 404);
	act(h, handler, id, "sign", NULL, "accepted");
	for (int round = 0; round < 4; round++) {
		c = get_case(h, agent, id, 200);
		EXPECT_STR(c, "status", "accepted");
		c = get_case(h, handler, id, 200);
		EXPECT_STR(c, "status", "accepted");
		EXPECT_TRUE(!allowed(c, "sign") && allowed(c, "contact"), h->last_body);
	}
}

/*
 * Prefer: return=minimal (a bulk intake): a new case is answered with its
 * id, seq and status and its address, an action likewise; what is stored is
 * the same as with the whole case for a reply.
 */
static void test_minimal_reply(void **state)
{
	struct harness *h = *state;
	assert_true(h_start(h, H_NOW, NULL));
	const char *agent = login(h, "agent", H_PASSWORD);
	const char *const prefer[] = {"Prefer: handling=lenient, return=minimal", NULL};
	h_set_headers(h, prefer);
	json_t *r = http(h, "POST", "/api/v1/cases", agent, complaint, NULL);
	EXPECT_STATUS(h, h->last_status, 201);
	long long id = jint(r, "id");
	EXPECT_TRUE(id > 0, h->last_body);
	EXPECT_INT(r, "seq", 1);
	EXPECT_STR(r, "status", "received");
	EXPECT_TRUE(json_object_size(r) == 3, h->last_body); /* nothing else: no requester, no events */
	const char *loc = h_header(h, "Location"), *applied = h_header(h, "Preference-Applied");
	EXPECT_TRUE(loc && !strcmp(loc, hpath(h, "/api/v1/cases/%lld", id)), h->last_headers);
	EXPECT_TRUE(applied && !strcmp(applied, "return=minimal"), h->last_headers);
	r = http(h, "POST", hpath(h, "/api/v1/cases/%lld/actions/dispatch", id), login(h, "dispatcher", H_PASSWORD),
		 "{}", NULL);
	EXPECT_STATUS(h, h->last_status, 200);
	EXPECT_INT(r, "id", id);
	EXPECT_INT(r, "seq", 2);
	EXPECT_STR(r, "status", "dispatched");
	EXPECT_TRUE(h_header(h, "Location") == NULL, h->last_headers); /* only a new case has a new address */
	/* without the preference: the whole case, as stored; the history is drawn by hand, escapes too */
	h_set_headers(h, NULL);
	static const char odd[] = "引号\"、反斜杠\\、换行\n、制表\t、\x01 与 </script>";
	json_t *body = json_pack("{s:s}", "reason", odd);
	char *text = json_dumps(body, JSON_COMPACT);
	act(h, login(h, "babaoshan.handler", H_PASSWORD), id, "sign", text, "accepted");
	free(text);
	json_decref(body);
	json_t *c = get_case(h, agent, id, 200);
	EXPECT_STR(c, "status", "accepted");
	EXPECT_SIZE(c, "events", 3);
	EXPECT_STR(c, "events.2.reason", "引号\"、反斜杠\\、换行\n、制表\t、\x01 与 </script>");
	EXPECT_STR(c, "events.2.action", "sign");
	EXPECT_TRUE(jpath(c, "events.0.payload.requester") == NULL && jpath(c, "events.0.payload.title") != NULL,
		    h->last_body);
	EXPECT_TRUE(h_header(h, "Preference-Applied") == NULL, h->last_headers);
	r = http(h, "POST", "/api/v1/cases", agent, complaint, NULL);
	EXPECT_STATUS(h, h->last_status, 201);
	EXPECT_TRUE(jpath(r, "events") != NULL && h_header(h, "Preference-Applied") == NULL, h->last_body);
	EXPECT_TRUE(h_header(h, "Location") != NULL, h->last_headers);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_story, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_sweep_marks_overdue, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_consultation_answered, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_referral, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_dispatch_to_department, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_list_filters, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_deadline_warning_and_late_sign, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_confidential_requester, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_views_kept_per_account, h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(test_minimal_reply, h_setup, h_teardown),
	};
	int failed = cmocka_run_group_tests_name("integration: flow", tests, h_group_setup, h_group_teardown);
	printf("%lu checks\n", h_checks());
	return failed ? 1 : 0;
}
