/*
 * test_workflow.c — the second half of the workflow over HTTP (DOMAIN.md
 * §4, §6, §7; docs/API.md "The second half of the workflow"): the seed
 * story of 模式口大街 from intake through whistle and report, extension,
 * a reply on day 44 and the callback; every new action refused for the
 * wrong state, the wrong role or unit, and bad input, with the case left
 * unchanged; disputes, supervision, escalation, sub-dispatch to a
 * community, parking, merge and repeat links, reopening, exclusion from
 * assessment, the callback worklist, and the monthly rates built from real
 * callbacks.
 *
 * Each test has its own copy of the demo database and its own server. The
 * clock starts at JIESU_NOW=2026-03-02T09:00:00+08:00 (a Monday) and moves
 * by restarting the server on the same database with a later JIESU_NOW.
 * Helpers take the caller's line, so a failure points at the step that
 * failed, not at the helper.
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

#define T0 H_NOW
#define DISTRICT "110107" /* 石景山区 */
#define JDJ "110107006"	  /* 金顶街街道: the street of 模式口大街 */
#define BBS "110107001"	  /* 八宝山街道 */
#define CENTRE "12345"
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define COMMUNITY_LOGIN "jindingjie.community"

/* ------------------------------------------------------------ the world of one test */

/* Who acts: each a demo account (COMMUNITY is made by the test that needs it). */
enum who {
	AGENT,
	DISPATCHER,
	SUPERVISOR,
	ASSESSOR,
	JDJ_H,
	JDJ_HEAD,
	BBS_H,
	LAOSHAN,
	CG,
	ZJ,
	WATER,
	COMMUNITY,
	NWHO
};

static const char *const logins[NWHO] = {
	"agent",
	"dispatcher",
	"sjs.supervisor",
	"sjs.assessor",
	"jindingjie.handler",
	"jindingjie.head",
	"babaoshan.handler",
	"laoshan.handler",
	"sjs.chengguan.handler",
	"sjs.zhujian.handler",
	"sjs.water.handler",
	COMMUNITY_LOGIN,
};

struct world {
	struct harness *h;
	const char *tok[NWHO]; /* logged in on first use; forgotten when the clock moves */
	char cg[16];	       /* 石景山区城市管理委员会 */
	char zj[16];	       /* 石景山区住房和城乡建设委员会 */
	char water[16];	       /* the district's water company */
	char community[16];    /* the first community of 金顶街街道 */
	char foreign[16];      /* the first community of 八宝山街道 */
};

static const char *tok(struct world *w, enum who who)
{
	if (!w->tok[who])
		w->tok[who] = login(w->h, logins[who], H_PASSWORD);
	return w->tok[who];
}

/*
 * The code of the first unit under parent of this kind (and sector, if
 * not NULL), copied to out. The check counts as one assertion.
 */
static void find_unit(struct world *w, const char *parent, const char *kind, const char *sector, char out[16])
{
	long st;
	json_t *j = http(w->h, "GET", hpath(w->h, "/api/v1/units?parent=%s&kind=%s", parent, kind),
			 tok(w, AGENT), NULL, &st);
	EXPECT_STATUS(w->h, st, 200);
	size_t i;
	json_t *u;
	out[0] = '\0';
	json_array_foreach(json_object_get(j, "units"), i, u)
	{
		const char *sec = jstr(u, "sector");
		if (!out[0] && (!sector || (sec && !strcmp(sec, sector))))
			snprintf(out, 16, "%s", jstr(u, "code"));
	}
	EXPECT_TRUE(out[0] != '\0', w->h->last_body);
}

/* Start the server at now on this test's database, and look up the units the tests name. */
static void world_start(struct world *w, void **state, const char *now)
{
	memset(w, 0, sizeof(*w));
	w->h = *state;
	assert_true(h_start(w->h, now, NULL));
	find_unit(w, DISTRICT, "department", "chengguan", w->cg);
	find_unit(w, DISTRICT, "department", "zhujian", w->zj);
	find_unit(w, DISTRICT, "enterprise", "water", w->water);
	find_unit(w, JDJ, "community", NULL, w->community);
	find_unit(w, BBS, "community", NULL, w->foreign);
	EXPECT_TRUE(!strcmp(w->cg, "110107801"), w->cg);
	EXPECT_TRUE(!strcmp(w->zj, "110107803"), w->zj);
	EXPECT_TRUE(!strcmp(w->water, "110107901"), w->water);
	EXPECT_TRUE(!strncmp(w->community, JDJ, 9) && strlen(w->community) == 12, w->community);
	EXPECT_TRUE(!strncmp(w->foreign, BBS, 9) && strlen(w->foreign) == 12, w->foreign);
}

/* Move the clock: restart the server on the same database at now; everyone logs in again. */
static void world_move(struct world *w, const char *now)
{
	assert_true(h_start(w->h, now, NULL));
	memset(w->tok, 0, sizeof(w->tok));
}

/* ------------------------------------------------------------ requests with the caller's line */

static json_t *get_case_at(struct world *w, enum who who, long long id, long want, int line)
{
	long st;
	json_t *j = http(w->h, "GET", hpath(w->h, "/api/v1/cases/%lld", id), tok(w, who), NULL, &st);
	h_check_status(w->h, st, want, __FILE__, line);
	return j;
}
#define GET_CASE(w, who, id) get_case_at((w), (who), (id), 200, __LINE__)

/* POST an action as who; expects 200 and the case in want_status; returns the case. */
static json_t *act_at(struct world *w, enum who who, long long id, const char *action, const char *body,
		      const char *want_status, int line)
{
	long st;
	json_t *j = http(w->h, "POST", hpath(w->h, "/api/v1/cases/%lld/actions/%s", id, action), tok(w, who),
			 body, &st);
	h_check_status(w->h, st, 200, __FILE__, line);
	h_check_int(j, "id", id, __FILE__, line);
	h_check_str(j, "status", want_status, __FILE__, line);
	return j;
}
#define ACT(w, who, id, action, body, want) act_at((w), (who), (id), (action), (body), (want), __LINE__)

/*
 * POST an action as who and expect it refused with this status, error code
 * and field (NULL: null); the case, as the centre sees it, must be exactly
 * as before: same status, same number of events, same everything.
 */
static void refuse_at(struct world *w, enum who who, long long id, const char *action, const char *body,
		      long status, const char *code, const char *field, int line)
{
	json_t *before = get_case_at(w, AGENT, id, 200, line);
	const char *path = hpath(w->h, "/api/v1/cases/%lld/actions/%s", id, action);
	const char *t = tok(w, who);
	json_t *e = http(w->h, "POST", path, t, body, NULL);
	h_check_error(w->h, e, status, code, field, __FILE__, line);
	json_t *after = get_case_at(w, AGENT, id, 200, line);
	h_check_str(after, "status", jstr(before, "status"), __FILE__, line);
	h_check_size(after, "events", jsize(before, "events"), __FILE__, line);
	h_check_true(json_equal(before, after), "the refused action changed nothing", w->h->last_body,
		     __FILE__, line);
}
#define REFUSE(w, who, id, action, body, ...) \
	refuse_at((w), (who), (id), (action), (body), __VA_ARGS__, __LINE__)
/* The usual refusals: status, code, field. */
#define STATE 409, "invalid_state", NULL
#define FORBIDDEN 403, "forbidden", NULL
#define HIDDEN 404, "not_found", "id"
#define BAD(field) 400, "invalid", field
/* A reply refused while a whistle or sub-dispatch task is open and no reason is given. */
#define OPEN_TASKS 409, "invalid_state", "reason"
#define REPLY_OK "{\"result\":\"已处理\",\"solved\":true}"

/*
 * The list GET /api/v1/cases?QUERY as who must hold exactly these case ids
 * in this order; ids ends with 0. EXPECT_LIST(w, who, "", 0) is the empty list.
 */
static void expect_list_at(struct world *w, enum who who, const char *query, const long long *ids, int line)
{
	long st;
	size_t n = 0;
	while (ids[n])
		n++;
	json_t *l = http(w->h, "GET", hpath(w->h, "/api/v1/cases%s", query), tok(w, who), NULL, &st);
	h_check_status(w->h, st, 200, __FILE__, line);
	h_check_int(l, "total", (long long)n, __FILE__, line);
	h_check_size(l, "cases", n, __FILE__, line);
	for (size_t i = 0; i < n; i++)
		h_check_int(l, hpath(w->h, "cases.%zu.id", i), ids[i], __FILE__, line);
}
#define EXPECT_LIST(w, who, query, ...) \
	expect_list_at((w), (who), (query), (const long long[]){__VA_ARGS__, 0}, __LINE__)

/* The events' actions, in order, must be exactly these (NULL-terminated); seq runs 1..n. */
static void expect_events_at(struct harness *h, json_t *c, const char *const *actions, int line)
{
	size_t n = 0;
	while (actions[n])
		n++;
	h_check_size(c, "events", n, __FILE__, line);
	for (size_t i = 0; i < n; i++) {
		h_check_int(c, hpath(h, "events.%zu.seq", i), (long long)i + 1, __FILE__, line);
		h_check_str(c, hpath(h, "events.%zu.action", i), actions[i], __FILE__, line);
	}
}
#define EXPECT_EVENTS(w, c, ...) \
	expect_events_at((w)->h, (c), (const char *const[]){__VA_ARGS__, NULL}, __LINE__)

/* Whether the case's allowed_actions (as its reader sees them) list this action. */
static bool allows(json_t *c, const char *action)
{
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(c, "allowed_actions"), i, v)
	{
		if (!strcmp(json_string_value(v), action))
			return true;
	}
	return false;
}

/* The case's allowed_actions must be exactly these (NULL-terminated), in order. */
static void expect_allowed_at(struct harness *h, json_t *c, const char *const *actions, int line)
{
	size_t n = 0;
	while (actions[n])
		n++;
	h_check_size(c, "allowed_actions", n, __FILE__, line);
	for (size_t i = 0; i < n; i++)
		h_check_str(c, hpath(h, "allowed_actions.%zu", i), actions[i], __FILE__, line);
}
#define EXPECT_ALLOWED(w, c, ...) \
	expect_allowed_at((w)->h, (c), (const char *const[]){__VA_ARGS__, NULL}, __LINE__)

/* Every case row equals the fold of its events. */
static void expect_rebuild_clean(struct harness *h, int ncases)
{
	char *out, *err;
	int rc = h_run(h, NULL, &out, &err, "rebuild", "--db", h->db, "--check", (char *)NULL);
	EXPECT_TRUE(rc == 0, err);
	EXPECT_TRUE(!strcmp(out, hpath(h, "rebuild: %d cases, 0 differ\n", ncases)), out);
}

/* ------------------------------------------------------------ one helper per repeated step */

/* The agent records a complaint about 模式口大街 in 金顶街街道; returns its id. */
static long long record(struct world *w, const char *title)
{
	long st;
	json_t *c =
	    http(w->h, "POST", "/api/v1/cases", tok(w, AGENT),
		 hpath(w->h,
		       "{\"type\":\"complaint\",\"channel\":\"phone\",\"title\":\"%s\","
		       "\"content\":\"模式口大街路面塌陷，雨后大量积水，行人车辆无法通行，已持续多日。\","
		       "\"address\":\"北京市石景山区金顶街街道模式口大街\","
		       "\"requester\":{\"name\":\"赵六\",\"phone\":\"13700001234\"},"
		       "\"place\":{\"street\":\"" JDJ "\"}}",
		       title),
		 &st);
	EXPECT_STATUS(w->h, st, 201);
	EXPECT_STR(c, "status", "received");
	EXPECT_STR(c, "place.street.code", JDJ);
	return jint(c, "id");
}

/* Record a complaint and dispatch it to 金顶街街道 (the district gets its copy): status dispatched. */
static long long dispatched(struct world *w, const char *title)
{
	long long id = record(w, title);
	json_t *c = ACT(w, DISPATCHER, id, "dispatch", "{\"unit\":\"" JDJ "\"}", "dispatched");
	EXPECT_STR(c, "lead_unit.code", JDJ);
	return id;
}

/* The street signs and reaches the requester: in_progress. */
static void take_up(struct world *w, long long id)
{
	ACT(w, JDJ_H, id, "sign", NULL, "accepted");
	ACT(w, JDJ_H, id, "contact", "{\"reached\":true,\"method\":\"phone\",\"note\":\"已电话联系诉求人\"}",
	    "in_progress");
}

/* A dispatched case taken up by the street: in_progress. */
static long long in_progress(struct world *w, const char *title)
{
	long long id = dispatched(w, title);
	take_up(w, id);
	return id;
}

/* The street whistles the given units (a JSON array of codes) with a report deadline (NULL: default). */
static json_t *whistle(struct world *w, long long id, const char *units, const char *report_due,
		       const char *want)
{
	const char *due = report_due ? hpath(w->h, ",\"report_due\":\"%s\"", report_due) : "";
	return ACT(
	    w, JDJ_H, id, "whistle",
	    hpath(w->h,
		  "{\"units\":%s,\"place\":\"模式口大街与金顶北路路口\"%s,\"reason\":\"路面塌陷涉及管线\"}",
		  units, due),
	    want);
}

/* A summoned unit reports on site. */
static json_t *report(struct world *w, enum who who, long long id, const char *want)
{
	return ACT(w, who, id, "report", "{\"on_site\":true,\"note\":\"已到现场\"}", want);
}

/* A summoned unit (or the community) finishes its part. */
static json_t *finish(struct world *w, enum who who, long long id, const char *result, const char *want)
{
	return ACT(w, who, id, "finish", hpath(w->h, "{\"result\":\"%s\"}", result), want);
}

/* The street feeds back the result: replied. */
static json_t *reply(struct world *w, long long id, bool solved)
{
	return ACT(
	    w, JDJ_H, id, "reply",
	    hpath(w->h, "{\"result\":\"已修复路面并疏通排水管线\",\"solved\":%s}", solved ? "true" : "false"),
	    "replied");
}

/* The body of a valid callback. */
static const char *answers(struct world *w, bool contacted, bool solved, const char *satisfaction)
{
	return hpath(w->h, "{\"valid\":true,\"contacted\":%s,\"solved\":%s,\"satisfaction\":\"%s\"}",
		     contacted ? "true" : "false", solved ? "true" : "false", satisfaction);
}

/* The agent calls the requester back with these answers. */
static json_t *callback(struct world *w, long long id, bool contacted, bool solved, const char *satisfaction,
			const char *want)
{
	return ACT(w, AGENT, id, "callback", answers(w, contacted, solved, satisfaction), want);
}

/* ------------------------------------------------------------ 1. the seed story */

#define T_REPORT "2026-03-02T10:30:00+08:00"
#define T_FINISH "2026-03-05T16:00:00+08:00"
#define NEW_DUE "2026-04-17T18:00:00+08:00"
#define T_REPLY "2026-04-15T10:00:00+08:00" /* day 44 after the dispatch */
#define T_CALLBACK "2026-04-16T10:00:00+08:00"

static void test_story(void **state)
{
	struct world w;
	world_start(&w, state, T0);
	enum who summoned[3] = {CG, ZJ, WATER};
	const char *codes[3] = {w.cg, w.zj, w.water};

	/* the agent records the complaint */
	long long id = record(&w, "模式口大街路面塌陷积水");
	json_t *c = GET_CASE(&w, AGENT, id);
	EXPECT_STR(c, "type", "complaint");
	EXPECT_STR(c, "place.district.code", DISTRICT);
	EXPECT_SIZE(c, "tasks", 0);
	EXPECT_SIZE(c, "supervisions", 0);
	EXPECT_NULL(c, "callback");
	EXPECT_STR(c, "assessment.scope", "all");
	EXPECT_INT(c, "counts.returns", 0);

	/* the dispatcher sends it to 金顶街街道 with a copy to 石景山区 (once, though also automatic) */
	c = ACT(&w, DISPATCHER, id, "dispatch", "{\"unit\":\"" JDJ "\",\"copies\":[\"" DISTRICT "\"]}",
		"dispatched");
	EXPECT_STR(c, "lead_unit.code", JDJ);
	EXPECT_STR(c, "lead_unit.name", "金顶街街道");
	EXPECT_SIZE(c, "copy_units", 1);
	EXPECT_STR(c, "copy_units.0.code", DISTRICT);
	EXPECT_STR(c, "deadlines.feedback.due", "2026-03-11T09:00:00+08:00");

	/* the street signs, reaches the requester, and whistles three units */
	for (int i = 0; i < 3; i++)
		EXPECT_ERROR(w.h, get_case_at(&w, summoned[i], id, 404, __LINE__), 404, "not_found", "id");
	take_up(&w, id);
	c = whistle(&w, id, hpath(w.h, "[\"%s\",\"%s\",\"%s\"]", w.cg, w.zj, w.water),
		    "2026-03-02T11:00:00+08:00", "in_progress");
	EXPECT_SIZE(c, "tasks", 3);
	for (int i = 0; i < 3; i++) {
		EXPECT_STR(c, hpath(w.h, "tasks.%d.kind", i), "whistle");
		EXPECT_INT(c, hpath(w.h, "tasks.%d.no", i), 1);
		EXPECT_STR(c, hpath(w.h, "tasks.%d.unit.code", i), codes[i]);
		EXPECT_STR(c, hpath(w.h, "tasks.%d.by_unit.code", i), JDJ);
		EXPECT_STR(c, hpath(w.h, "tasks.%d.at", i), T0);
		EXPECT_STR(c, hpath(w.h, "tasks.%d.report_due", i), "2026-03-02T11:00:00+08:00");
		EXPECT_NULL(c, hpath(w.h, "tasks.%d.reported_at", i));
		EXPECT_NULL(c, hpath(w.h, "tasks.%d.finished_at", i));
		EXPECT_NULL(c, hpath(w.h, "tasks.%d.rating", i));
	}
	EXPECT_STR(c, "events.4.payload.place", "模式口大街与金顶北路路口");
	EXPECT_STR(c, "events.4.payload.report_due", "2026-03-02T11:00:00+08:00");
	EXPECT_STR(c, "events.4.reason", "路面塌陷涉及管线");

	/* each summoned unit now sees the case, and only it */
	for (int i = 0; i < 3; i++) {
		c = get_case_at(&w, summoned[i], id, 200, __LINE__);
		EXPECT_STR(c, "requester.phone", "137****1234");
		EXPECT_LIST(&w, summoned[i], "", id);
	}

	/* 10:30: each reports on site, on time */
	world_move(&w, T_REPORT);
	for (int i = 0; i < 3; i++) {
		c = report(&w, summoned[i], id, "in_progress");
		EXPECT_STR(c, hpath(w.h, "tasks.%d.reported_at", i), T_REPORT);
		EXPECT_BOOL(c, hpath(w.h, "tasks.%d.on_site", i), true);
		EXPECT_NULL(c, hpath(w.h, "tasks.%d.finished_at", i));
	}
	/* the street cannot feed back while the tasks are open, unless it says why */
	REFUSE(&w, JDJ_H, id, "reply", REPLY_OK, OPEN_TASKS);

	/* 5 March: each finishes its part; the street rates each one */
	world_move(&w, T_FINISH);
	static const char *const results[3] = {"已清理塌陷区域并设置围挡", "已督促施工单位回填夯实",
					       "已抢修破损供水管线"};
	for (int i = 0; i < 3; i++) {
		c = finish(&w, summoned[i], id, results[i], "in_progress");
		EXPECT_STR(c, hpath(w.h, "tasks.%d.finished_at", i), T_FINISH);
	}
	static const int ratings[3][3] = {{5, 5, 4}, {4, 5, 4}, {5, 4, 5}};
	for (int i = 0; i < 3; i++) {
		c = ACT(&w, JDJ_H, id, "rate",
			hpath(w.h, "{\"unit\":\"%s\",\"timeliness\":%d,\"attitude\":%d,\"result\":%d}",
			      codes[i], ratings[i][0], ratings[i][1], ratings[i][2]),
			"in_progress");
		EXPECT_INT(c, hpath(w.h, "tasks.%d.rating.timeliness", i), ratings[i][0]);
		EXPECT_INT(c, hpath(w.h, "tasks.%d.rating.attitude", i), ratings[i][1]);
		EXPECT_INT(c, hpath(w.h, "tasks.%d.rating.result", i), ratings[i][2]);
	}
	/* once per finished task */
	REFUSE(&w, JDJ_H, id, "rate",
	       hpath(w.h, "{\"unit\":\"%s\",\"timeliness\":1,\"attitude\":1,\"result\":1}", w.cg), STATE);

	/* the street applies for an extension; the dispatcher approves it */
	c = ACT(&w, JDJ_H, id, "extend",
		"{\"new_due\":\"" NEW_DUE "\",\"reason\":\"涉及地下管线改造，需协调多个部门\"}",
		"in_progress");
	EXPECT_STR(c, "extension_requested", NEW_DUE);
	EXPECT_STR(c, "deadlines.feedback.due", "2026-03-11T09:00:00+08:00");
	EXPECT_INT(c, "counts.extensions", 0);
	c = ACT(&w, DISPATCHER, id, "decide_extension", "{\"approve\":true}", "in_progress");
	EXPECT_STR(c, "deadlines.feedback.due", NEW_DUE);
	EXPECT_STR(c, "deadlines.feedback.start", T0);
	EXPECT_NULL(c, "extension_requested");
	EXPECT_INT(c, "counts.extensions", 1);

	/* day 44: the street replies, late against the first deadline but in time thanks to the extension */
	world_move(&w, T_REPLY);
	c = reply(&w, id, true);
	EXPECT_STR(c, "deadlines.feedback.done_at", T_REPLY);
	EXPECT_STR(c, "deadlines.feedback.state", "met");
	EXPECT_BOOL(c, "deadlines.feedback.overdue", false);
	EXPECT_BOOL(c, "overdue", false);
	EXPECT_BOOL(c, "solved", true);
	EXPECT_INT(c, "events.16.payload.open_tasks", 0);

	/* the next day the centre calls back: contacted, solved, satisfied — closed */
	world_move(&w, T_CALLBACK);
	c = callback(&w, id, true, true, "satisfied", "closed");
	EXPECT_STR(c, "closed_at", T_CALLBACK);
	EXPECT_STR(c, "callback.at", T_CALLBACK);
	EXPECT_BOOL(c, "callback.valid", true);
	EXPECT_BOOL(c, "callback.contacted", true);
	EXPECT_BOOL(c, "callback.solved", true);
	EXPECT_STR(c, "callback.satisfaction", "satisfied");

	/* the history lists every step in order, by whom and when */
	static const struct {
		const char *action, *user, *at;
	} steps[] = {
	    {"create", "agent", T0},
	    {"dispatch", "dispatcher", T0},
	    {"sign", "jindingjie.handler", T0},
	    {"contact", "jindingjie.handler", T0},
	    {"whistle", "jindingjie.handler", T0},
	    {"report", "sjs.chengguan.handler", T_REPORT},
	    {"report", "sjs.zhujian.handler", T_REPORT},
	    {"report", "sjs.water.handler", T_REPORT},
	    {"finish", "sjs.chengguan.handler", T_FINISH},
	    {"finish", "sjs.zhujian.handler", T_FINISH},
	    {"finish", "sjs.water.handler", T_FINISH},
	    {"rate", "jindingjie.handler", T_FINISH},
	    {"rate", "jindingjie.handler", T_FINISH},
	    {"rate", "jindingjie.handler", T_FINISH},
	    {"extend", "jindingjie.handler", T_FINISH},
	    {"decide_extension", "dispatcher", T_FINISH},
	    {"reply", "jindingjie.handler", T_REPLY},
	    {"callback", "agent", T_CALLBACK},
	};
	c = GET_CASE(&w, SUPERVISOR, id);
	EXPECT_SIZE(c, "events", ARRAY_LEN(steps));
	for (size_t i = 0; i < ARRAY_LEN(steps); i++) {
		EXPECT_INT(c, hpath(w.h, "events.%zu.seq", i), (long long)i + 1);
		EXPECT_STR(c, hpath(w.h, "events.%zu.action", i), steps[i].action);
		EXPECT_STR(c, hpath(w.h, "events.%zu.user", i), steps[i].user);
		EXPECT_STR(c, hpath(w.h, "events.%zu.at", i), steps[i].at);
	}
	for (int i = 0; i < 3; i++) {
		EXPECT_STR(c, hpath(w.h, "events.%d.unit.code", 5 + i), codes[i]);
		EXPECT_STR(c, hpath(w.h, "events.%d.payload.unit", 8 + i), codes[i]);
		EXPECT_STR(c, hpath(w.h, "events.%d.payload.result", 8 + i), results[i]);
		EXPECT_STR(c, hpath(w.h, "events.%d.payload.unit", 11 + i), codes[i]);
	}
	EXPECT_STR(c, "events.14.payload.new_due", NEW_DUE);
	EXPECT_BOOL(c, "events.15.payload.approve", true);
	EXPECT_STR(c, "events.17.payload.satisfaction", "satisfied");
	/* the summoned units still see the case they worked on */
	for (int i = 0; i < 3; i++)
		EXPECT_LIST(&w, summoned[i], "", id);
	expect_rebuild_clean(w.h, 1);
}

/* A reply while a whistle task is open: refused without a reason, accepted with one. */
static void test_reply_with_open_task(void **state)
{
	struct world w;
	world_start(&w, state, T0);
	long long id = in_progress(&w, "模式口大街井盖缺失");
	whistle(&w, id, hpath(w.h, "[\"%s\"]", w.cg), NULL, "in_progress");
	json_t *c = GET_CASE(&w, AGENT, id);
	EXPECT_STR(c, "tasks.0.report_due", "2026-03-02T11:00:00+08:00"); /* 2 h by default */
	REFUSE(&w, JDJ_H, id, "reply", REPLY_OK, OPEN_TASKS);

	/* a second whistle to the same unit: a report names it, or takes the first unreported task */
	c = whistle(&w, id, hpath(w.h, "[\"%s\"]", w.cg), "2026-03-02T09:30:00+08:00", "in_progress");
	EXPECT_SIZE(c, "tasks", 2);
	EXPECT_INT(c, "tasks.1.no", 2);
	c = ACT(&w, CG, id, "report", "{\"whistle\":2,\"on_site\":false}", "in_progress");
	EXPECT_NULL(c, "tasks.0.reported_at");
	EXPECT_STR(c, "tasks.1.reported_at", T0);
	EXPECT_BOOL(c, "tasks.1.on_site", false);
	REFUSE(&w, CG, id, "report", "{\"whistle\":2}", 409, "invalid_state", "whistle");
	c = report(&w, CG, id, "in_progress");
	EXPECT_STR(c, "tasks.0.reported_at", T0);
	EXPECT_BOOL(c, "tasks.0.on_site", true);
	c = ACT(&w, CG, id, "finish", "{\"whistle\":2,\"result\":\"已补装井盖\"}", "in_progress");
	EXPECT_NULL(c, "tasks.0.finished_at");
	EXPECT_STR(c, "tasks.1.finished_at", T0);

	/* one task still open: refused without a reason, accepted with one */
	REFUSE(&w, JDJ_H, id, "reply", REPLY_OK, OPEN_TASKS);
	c = ACT(&w, JDJ_H, id, "reply",
		"{\"result\":\"已补装井盖\",\"solved\":true,\"reason\":\"城管委已报到，井盖当日补装\"}",
		"replied");
	EXPECT_EVENTS(&w, c, "create", "dispatch", "sign", "contact", "whistle", "whistle", "report",
		      "report", "finish", "reply");
	EXPECT_INT(c, "events.9.payload.open_tasks", 1);
	EXPECT_STR(c, "events.9.reason", "城管委已报到，井盖当日补装");
	EXPECT_NULL(c, "tasks.0.finished_at");
	expect_rebuild_clean(w.h, 1);
}

/* A summoned unit is offered what it may do: report first, then finish, then nothing but notes. */
static void test_summoned_unit_offered_actions(void **state)
{
	struct world w;
	world_start(&w, state, T0);
	long long id = in_progress(&w, "模式口大街井盖缺失");
	whistle(&w, id, hpath(w.h, "[\"%s\"]", w.cg), NULL, "in_progress");
	REFUSE(&w, CG, id, "finish", "{\"result\":\"已补装\"}", STATE); /* a whistle task is reported first */
	EXPECT_ALLOWED(&w, GET_CASE(&w, CG, id), "note", "report");
	EXPECT_ALLOWED(&w, report(&w, CG, id, "in_progress"), "note", "finish");
	EXPECT_ALLOWED(&w, finish(&w, CG, id, "已补装", "in_progress"), "note");
}

/* ------------------------------------------------------------ 2. every new action refused */

/* The cases the refusals act on, each prepared in its state. */
enum prepared { C_R, C_D, C_A, C_P, C_Y, C_C, C_X, C_K, NPREPARED };

/*
 * R received; D dispatched to 金顶街街道; A accepted; P in progress with a
 * whistle to 城管委 (reported and finished, not rated), 住建委 (not
 * reported) and the water company (reported, not finished) and an open
 * supervision; Y replied (with a reason) while the water company's task is
 * open, with an exclusion application pending; C closed by a satisfied
 * callback; X returned from accepted; K parked with an extension request
 * pending.
 */
static void prepare(struct world *w, long long ids[NPREPARED])
{
	ids[C_R] = record(w, "R 已受理");
	ids[C_D] = dispatched(w, "D 已派单");
	ids[C_A] = dispatched(w, "A 已签收");
	ACT(w, JDJ_H, ids[C_A], "sign", NULL, "accepted");
	ids[C_P] = in_progress(w, "P 办理中");
	whistle(w, ids[C_P], hpath(w->h, "[\"%s\",\"%s\",\"%s\"]", w->cg, w->zj, w->water), NULL,
		"in_progress");
	report(w, CG, ids[C_P], "in_progress");
	report(w, WATER, ids[C_P], "in_progress");
	finish(w, CG, ids[C_P], "已清理", "in_progress");
	ACT(w, SUPERVISOR, ids[C_P], "supervise",
	    "{\"instruction\":\"请尽快处置\",\"due\":\"2026-03-04T18:00:00+08:00\"}", "in_progress");
	ids[C_Y] = in_progress(w, "Y 已反馈");
	whistle(w, ids[C_Y], hpath(w->h, "[\"%s\"]", w->water), NULL, "in_progress");
	ACT(w, JDJ_H, ids[C_Y], "reply",
	    "{\"result\":\"已处置\",\"solved\":true,\"reason\":\"供水抢修另行跟进\"}", "replied");
	ACT(w, JDJ_H, ids[C_Y], "apply_exclusion",
	    "{\"scope\":\"excluded\",\"evidence\":\"诉求人反映的是私人产权设施\"}", "replied");
	ids[C_C] = in_progress(w, "C 已办结");
	reply(w, ids[C_C], true);
	callback(w, ids[C_C], true, true, "satisfied", "closed");
	ids[C_X] = dispatched(w, "X 退单待审");
	ACT(w, JDJ_H, ids[C_X], "sign", NULL, "accepted");
	ACT(w, JDJ_H, ids[C_X], "return", "{\"cause\":\"territory\",\"evidence\":\"该路段属八宝山街道\"}",
	    "returned");
	ids[C_K] = in_progress(w, "K 挂账");
	ACT(w, JDJ_H, ids[C_K], "park",
	    "{\"until\":\"2026-06-30T18:00:00+08:00\",\"reason\":\"纳入年度道路改造计划\"}", "parked");
	ACT(w, JDJ_H, ids[C_K], "extend",
	    "{\"new_due\":\"2026-07-10T18:00:00+08:00\",\"reason\":\"待改造完成\"}", "parked");
}

/*
 * A body template: {cg} {zj} {water} {community} {foreign} become unit
 * codes, {R} and {Y} the ids of those prepared cases, {self} the id acted on.
 */
static const char *expand(struct world *w, const long long ids[NPREPARED], long long self, const char *tmpl)
{
	if (!tmpl)
		return NULL;
	const struct {
		const char *key, *value;
	} vars[] = {
	    {"{cg}", w->cg},
	    {"{zj}", w->zj},
	    {"{water}", w->water},
	    {"{community}", w->community},
	    {"{foreign}", w->foreign},
	    {"{R}", hpath(w->h, "%lld", ids[C_R])},
	    {"{Y}", hpath(w->h, "%lld", ids[C_Y])},
	    {"{self}", hpath(w->h, "%lld", self)},
	};
	char out[1024];
	size_t n = 0;
	for (const char *p = tmpl; *p && n < sizeof(out) - 32;) {
		size_t k = 0;
		while (k < ARRAY_LEN(vars) && strncmp(p, vars[k].key, strlen(vars[k].key)) != 0)
			k++;
		if (k < ARRAY_LEN(vars)) {
			n += (size_t)snprintf(out + n, sizeof(out) - n, "%s", vars[k].value);
			p += strlen(vars[k].key);
		} else {
			out[n++] = *p++;
		}
	}
	out[n] = '\0';
	return hpath(w->h, "%s", out);
}

#define CB_OK "{\"valid\":true,\"contacted\":true,\"solved\":true,\"satisfaction\":\"satisfied\"}"
#define RATE_OK "{\"unit\":\"{cg}\",\"timeliness\":5,\"attitude\":5,\"result\":5}"
#define EXTEND_OK "{\"new_due\":\"2026-04-30T18:00:00+08:00\",\"reason\":\"需协调\"}"
#define ESCALATE_OK "{\"to\":\"district\",\"reason\":\"需区级协调\"}"
#define PARK_OK "{\"until\":\"2026-04-30T18:00:00+08:00\",\"reason\":\"纳入计划\"}"
#define SUPERVISE_OK "{\"instruction\":\"请尽快处置\",\"due\":\"2026-03-05T09:00:00+08:00\"}"
#define EXCLUDE_OK "{\"scope\":\"excluded\",\"evidence\":\"私人产权\"}"
#define RETURN_OK "{\"cause\":\"territory\",\"evidence\":\"不属本街道\"}"

static const struct refusal {
	int line;
	enum who who;
	enum prepared on;
	const char *action, *body;
	long status;
	const char *code, *field;
} refusals[] = {
/* clang-format off: one row per refusal */
#define R(...) {__LINE__, __VA_ARGS__}
	R(JDJ_H, C_D, "whistle", "{\"units\":[\"{cg}\"]}", STATE),
	R(SUPERVISOR, C_P, "whistle", "{\"units\":[\"{cg}\"]}", FORBIDDEN),
	R(LAOSHAN, C_P, "whistle", "{\"units\":[\"{cg}\"]}", HIDDEN),
	R(JDJ_H, C_P, "whistle", "{\"units\":[\"" BBS "\"]}", BAD("units")),
	R(JDJ_H, C_P, "whistle", "{\"units\":[\"{cg}\",\"{cg}\"]}", BAD("units")),
	R(JDJ_H, C_P, "whistle", "{\"units\":[\"{water}\"],\"report_due\":\"2026-03-01T09:00:00+08:00\"}",
	  BAD("report_due")),

	R(WATER, C_Y, "report", "{\"on_site\":true}", STATE),
	R(CG, C_P, "report", "{\"on_site\":true}", STATE), /* already reported */
	R(JDJ_H, C_P, "report", "{\"on_site\":true}", FORBIDDEN),
	R(BBS_H, C_P, "report", "{\"on_site\":true}", HIDDEN),
	R(ZJ, C_P, "report", "{\"on_site\":\"yes\"}", BAD("on_site")),

	R(WATER, C_Y, "finish", "{\"result\":\"已完成\"}", STATE),
	R(ZJ, C_P, "finish", "{\"result\":\"已完成\"}", STATE), /* not reported yet */
	R(JDJ_H, C_P, "finish", "{\"result\":\"已完成\"}", FORBIDDEN),
	R(WATER, C_P, "finish", "{}", BAD("result")), /* reported: the missing result is what is wrong */

	R(JDJ_H, C_X, "rate", RATE_OK, STATE),
	R(JDJ_H, C_P, "rate", "{\"unit\":\"{zj}\",\"timeliness\":5,\"attitude\":5,\"result\":5}", 409,
	  "invalid_state", "whistle"), /* 住建委's task is not finished */
	R(CG, C_P, "rate", RATE_OK, FORBIDDEN),
	R(JDJ_H, C_P, "rate", "{\"unit\":\"{cg}\",\"timeliness\":5,\"attitude\":6,\"result\":5}",
	  BAD("attitude")),

	R(JDJ_H, C_Y, "return", RETURN_OK, STATE),
	R(SUPERVISOR, C_D, "return", RETURN_OK, FORBIDDEN),
	R(CG, C_P, "return", RETURN_OK, FORBIDDEN),
	R(JDJ_H, C_D, "return", "{\"cause\":\"bad\",\"evidence\":\"不属本街道\"}", BAD("cause")),
	R(JDJ_H, C_D, "return", "{\"cause\":\"territory\"}", BAD("evidence")),

	R(DISPATCHER, C_D, "decide_return", "{\"decision\":\"reject\"}", STATE),
	R(JDJ_H, C_X, "decide_return", "{\"decision\":\"reject\"}", FORBIDDEN),
	R(DISPATCHER, C_X, "decide_return", "{\"decision\":\"maybe\"}", BAD("decision")),
	R(DISPATCHER, C_X, "decide_return", "{\"decision\":\"redispatch\",\"unit\":\"" JDJ "\"}", BAD("unit")),
	R(DISPATCHER, C_X, "decide_return", "{\"decision\":\"redispatch\"}", BAD("unit")),
	R(DISPATCHER, C_X, "decide_return", "{\"decision\":\"redispatch\",\"unit\":\"{community}\"}",
	  BAD("unit")),

	R(JDJ_H, C_D, "extend", EXTEND_OK, STATE),
	R(JDJ_H, C_K, "extend", EXTEND_OK, STATE), /* one is pending */
	R(SUPERVISOR, C_A, "extend", EXTEND_OK, FORBIDDEN),
	R(JDJ_H, C_A, "extend", "{\"reason\":\"需协调\"}", BAD("new_due")),
	R(JDJ_H, C_A, "extend", "{\"new_due\":\"2026-03-10T09:00:00+08:00\",\"reason\":\"需协调\"}",
	  BAD("new_due")),
	R(JDJ_H, C_A, "extend", "{\"new_due\":\"下个月\",\"reason\":\"需协调\"}", BAD("new_due")),
	R(JDJ_H, C_A, "extend", "{\"new_due\":\"2026-04-30T18:00:00+08:00\"}", BAD("reason")),

	R(DISPATCHER, C_R, "decide_extension", "{\"approve\":true}", STATE),
	R(DISPATCHER, C_A, "decide_extension", "{\"approve\":true}", STATE), /* nothing pending */
	R(JDJ_H, C_K, "decide_extension", "{\"approve\":true}", FORBIDDEN),
	R(DISPATCHER, C_K, "decide_extension", "{}", BAD("approve")),

	R(SUPERVISOR, C_Y, "supervise", SUPERVISE_OK, STATE),
	R(JDJ_H, C_P, "supervise", SUPERVISE_OK, FORBIDDEN),
	R(SUPERVISOR, C_R, "supervise", SUPERVISE_OK, HIDDEN),
	R(SUPERVISOR, C_P, "supervise", "{\"instruction\":\"请尽快处置\"}", BAD("due")),
	R(SUPERVISOR, C_P, "supervise", "{\"instruction\":\"请尽快处置\",\"due\":\"2026-03-01T09:00:00+08:00\"}",
	  BAD("due")),
	R(SUPERVISOR, C_P, "supervise", "{\"due\":\"2026-03-05T09:00:00+08:00\"}", BAD("instruction")),

	R(JDJ_H, C_C, "answer_supervision", "{\"answer\":\"已处置\"}", STATE),
	R(CG, C_P, "answer_supervision", "{\"answer\":\"已处置\"}", FORBIDDEN),
	R(JDJ_H, C_P, "answer_supervision", "{}", BAD("answer")),

	R(JDJ_H, C_D, "escalate", ESCALATE_OK, STATE),
	R(CG, C_P, "escalate", ESCALATE_OK, FORBIDDEN),
	R(AGENT, C_P, "escalate", ESCALATE_OK, FORBIDDEN),
	R(JDJ_H, C_P, "escalate", "{\"to\":\"province\",\"reason\":\"需市级协调\"}", BAD("to")),
	R(JDJ_H, C_P, "escalate", "{\"to\":\"district\"}", BAD("reason")),

	R(JDJ_H, C_Y, "subdispatch", "{\"community\":\"{community}\"}", STATE),
	R(CG, C_P, "subdispatch", "{\"community\":\"{community}\"}", FORBIDDEN),
	R(JDJ_H, C_P, "subdispatch", "{\"community\":\"{foreign}\"}", BAD("community")),
	R(JDJ_H, C_P, "subdispatch", "{\"community\":\"" JDJ "\"}", BAD("community")),

	R(JDJ_H, C_A, "park", PARK_OK, STATE),
	R(SUPERVISOR, C_P, "park", PARK_OK, FORBIDDEN),
	R(JDJ_H, C_P, "park", "{\"reason\":\"纳入计划\"}", BAD("until")),
	R(JDJ_H, C_P, "park", "{\"until\":\"2026-03-01T09:00:00+08:00\",\"reason\":\"纳入计划\"}", BAD("until")),
	R(JDJ_H, C_P, "park", "{\"until\":\"2026-04-30T18:00:00+08:00\"}", BAD("reason")),

	R(JDJ_H, C_P, "unpark", NULL, STATE),
	R(AGENT, C_K, "unpark", NULL, FORBIDDEN),
	R(LAOSHAN, C_K, "unpark", NULL, HIDDEN),
	R(JDJ_H, C_K, "unpark", "{\"until\":\"2026-05-01T09:00:00+08:00\"}", BAD("until")),

	R(DISPATCHER, C_D, "merge", "{\"into\":{R}}", STATE),
	R(JDJ_H, C_D, "merge", "{\"into\":{Y}}", FORBIDDEN),
	R(DISPATCHER, C_R, "merge", "{\"into\":{self}}", BAD("into")),
	R(DISPATCHER, C_R, "merge", "{\"into\":99999}", BAD("into")),
	R(DISPATCHER, C_R, "merge", "{\"into\":\"1\"}", BAD("into")),

	/* link_repeat is allowed in every state: no refusal for the state */
	R(JDJ_H, C_D, "link_repeat", "{\"of\":{R}}", FORBIDDEN),
	R(LAOSHAN, C_D, "link_repeat", "{\"of\":{R}}", HIDDEN),
	R(DISPATCHER, C_D, "link_repeat", "{\"of\":{self}}", BAD("of")),
	R(DISPATCHER, C_D, "link_repeat", "{\"of\":99999}", BAD("of")),

	R(AGENT, C_R, "callback", CB_OK, STATE),
	R(AGENT, C_D, "callback", CB_OK, STATE), /* not replied, feedback deadline not passed */
	R(JDJ_H, C_Y, "callback", CB_OK, FORBIDDEN),
	R(AGENT, C_Y, "callback",
	  "{\"valid\":true,\"contacted\":true,\"solved\":true,\"satisfaction\":\"great\"}", BAD("satisfaction")),
	R(AGENT, C_Y, "callback", "{\"contacted\":true,\"solved\":true,\"satisfaction\":\"satisfied\"}",
	  BAD("valid")),
	R(AGENT, C_Y, "callback", "{\"valid\":true,\"solved\":true,\"satisfaction\":\"satisfied\"}",
	  BAD("contacted")),

	R(AGENT, C_C, "reopen", NULL, STATE), /* the callback found it solved and satisfied */
	R(AGENT, C_P, "reopen", NULL, STATE),
	R(JDJ_H, C_C, "reopen", NULL, FORBIDDEN),
	R(AGENT, C_C, "reopen", "{\"reason\":5}", BAD("reason")),

	R(JDJ_H, C_D, "apply_exclusion", EXCLUDE_OK, STATE),
	R(JDJ_H, C_Y, "apply_exclusion", EXCLUDE_OK, STATE), /* one is pending */
	R(CG, C_P, "apply_exclusion", EXCLUDE_OK, FORBIDDEN),
	R(JDJ_H, C_P, "apply_exclusion", "{\"scope\":\"all\",\"evidence\":\"私人产权\"}", BAD("scope")),
	R(JDJ_H, C_P, "apply_exclusion", "{\"scope\":\"excluded\"}", BAD("evidence")),

	R(DISPATCHER, C_P, "decide_exclusion", "{\"approve\":true}", STATE), /* nothing pending */
	R(JDJ_H, C_Y, "decide_exclusion", "{\"approve\":true}", FORBIDDEN),
	R(DISPATCHER, C_Y, "decide_exclusion", "{\"approve\":\"yes\"}", BAD("approve")),
#undef R
/* clang-format on */
};

/* The actions of the second half of the workflow, each with who would take it on P. */
static const struct {
	const char *action;
	enum who who;
} new_actions[] = {
	{"whistle", JDJ_H},
	{"report", ZJ},
	{"finish", ZJ},
	{"rate", JDJ_H},
	{"return", JDJ_H},
	{"decide_return", DISPATCHER},
	{"extend", JDJ_H},
	{"decide_extension", DISPATCHER},
	{"supervise", SUPERVISOR},
	{"answer_supervision", JDJ_H},
	{"escalate", JDJ_H},
	{"subdispatch", JDJ_H},
	{"park", JDJ_H},
	{"unpark", JDJ_H},
	{"merge", DISPATCHER},
	{"link_repeat", DISPATCHER},
	{"callback", AGENT},
	{"reopen", AGENT},
	{"apply_exclusion", JDJ_H},
	{"decide_exclusion", DISPATCHER},
};

static void test_refusals(void **state)
{
	struct world w;
	long long ids[NPREPARED];
	world_start(&w, state, T0);
	prepare(&w, ids);
	static const char *const states[NPREPARED] = {"received", "dispatched", "accepted", "in_progress",
						      "replied",  "closed",	"returned", "parked"};
	for (int i = 0; i < NPREPARED; i++)
		EXPECT_STR(GET_CASE(&w, AGENT, ids[i]), "status", states[i]);

	/* every new action has a refusal for the state (but link_repeat), the role or unit, and the input */
	for (size_t a = 0; a < ARRAY_LEN(new_actions); a++) {
		bool state_row = !strcmp(new_actions[a].action, "link_repeat"), role_row = false,
		     input_row = false;
		for (size_t i = 0; i < ARRAY_LEN(refusals); i++) {
			if (strcmp(refusals[i].action, new_actions[a].action) != 0)
				continue;
			state_row |= refusals[i].status == 409;
			role_row |= refusals[i].status == 403 || refusals[i].status == 404;
			input_row |= refusals[i].status == 400;
		}
		EXPECT_TRUE(state_row && role_row && input_row, new_actions[a].action);
	}

	for (size_t i = 0; i < ARRAY_LEN(refusals); i++) {
		const struct refusal *r = &refusals[i];
		long long id = ids[r->on];
		refuse_at(&w, r->who, id, r->action, expand(&w, ids, id, r->body), r->status, r->code,
			  r->field, r->line);
	}
	/* an unknown key is refused by name, before anything else */
	for (size_t a = 0; a < ARRAY_LEN(new_actions); a++)
		REFUSE(&w, new_actions[a].who, ids[C_P], new_actions[a].action, "{\"zzz\":true}", BAD("zzz"));
	expect_rebuild_clean(w.h, NPREPARED);
}

/* ------------------------------------------------------------ 3. dispute */

#define T_DISPUTE "2026-03-03T14:00:00+08:00"

static void test_dispute(void **state)
{
	struct world w;
	world_start(&w, state, T0);
	long long id = dispatched(&w, "模式口大街西口路灯不亮");
	ACT(&w, JDJ_H, id, "sign", NULL, "accepted");

	/* the street disputes the territory; the centre rejects: back to the street, signed as before */
	json_t *c = ACT(&w, JDJ_H, id, "return",
			"{\"cause\":\"territory\",\"evidence\":\"该路灯位于八宝山街道辖区，附照片与网格图\"}",
			"returned");
	EXPECT_STR(c, "dispute.cause", "territory");
	EXPECT_STR(c, "dispute.from", "accepted");
	EXPECT_STR(c, "lead_unit.code", JDJ);
	EXPECT_INT(c, "counts.returns", 1);
	EXPECT_STR(c, "events.3.payload.evidence", "该路灯位于八宝山街道辖区，附照片与网格图");
	/* a returned case may still be supervised */
	c = ACT(&w, SUPERVISOR, id, "supervise",
		"{\"instruction\":\"请中心尽快审核\",\"due\":\"2026-03-02T18:00:00+08:00\"}", "returned");
	EXPECT_SIZE(c, "supervisions", 1);
	c = ACT(&w, DISPATCHER, id, "decide_return",
		"{\"decision\":\"reject\",\"reason\":\"路灯归属金顶街街道\"}", "accepted");
	EXPECT_STR(c, "lead_unit.code", JDJ);
	EXPECT_NULL(c, "dispute");
	EXPECT_INT(c, "counts.returns", 1);
	EXPECT_STR(c, "deadlines.feedback.start", T0);
	EXPECT_STR(c, "deadlines.feedback.due", "2026-03-11T09:00:00+08:00");

	/* the next day it returns the case again; the centre re-dispatches to 八宝山街道 */
	world_move(&w, T_DISPUTE);
	ACT(&w, JDJ_H, id, "return", "{\"cause\":\"territory\",\"evidence\":\"经区城管委确认属八宝山街道\"}",
	    "returned");
	c = ACT(&w, DISPATCHER, id, "decide_return", "{\"decision\":\"redispatch\",\"unit\":\"" BBS "\"}",
		"dispatched");
	EXPECT_STR(c, "lead_unit.code", BBS);
	EXPECT_SIZE(c, "copy_units", 1);
	EXPECT_STR(c, "copy_units.0.code", DISTRICT);
	EXPECT_NULL(c, "dispute");
	EXPECT_INT(c, "counts.returns", 2);
	/* new clocks from the decision: sign 2 h, contact 24 h, feedback 7 working days */
	EXPECT_STR(c, "deadlines.sign.start", T_DISPUTE);
	EXPECT_STR(c, "deadlines.sign.due", "2026-03-03T16:00:00+08:00");
	EXPECT_NULL(c, "deadlines.sign.done_at");
	EXPECT_STR(c, "deadlines.contact.due", "2026-03-04T14:00:00+08:00");
	EXPECT_STR(c, "deadlines.feedback.start", T_DISPUTE);
	EXPECT_STR(c, "deadlines.feedback.due", "2026-03-12T14:00:00+08:00");
	EXPECT_STR(c, "deadlines.feedback.state", "running");
	EXPECT_EVENTS(&w, c, "create", "dispatch", "sign", "return", "supervise", "decide_return", "return",
		      "decide_return");
	EXPECT_STR(c, "events.7.payload.decision", "redispatch");
	EXPECT_STR(c, "events.7.payload.unit", BBS);

	/* 金顶街 keeps seeing it as its former lead, but may no longer act; 八宝山 sees it and signs */
	c = GET_CASE(&w, JDJ_H, id);
	EXPECT_STR(c, "requester.phone", "137****1234");
	EXPECT_LIST(&w, JDJ_H, "", id);
	REFUSE(&w, JDJ_H, id, "sign", NULL, FORBIDDEN);
	c = GET_CASE(&w, BBS_H, id);
	EXPECT_STR(c, "requester.phone", "137****1234");
	EXPECT_BOOL(c, "requester.can_reveal", true);
	EXPECT_LIST(&w, BBS_H, "", id);
	c = ACT(&w, BBS_H, id, "sign", NULL, "accepted");
	EXPECT_STR(c, "deadlines.sign.done_at", T_DISPUTE);
	EXPECT_STR(c, "deadlines.sign.state", "met");
	expect_rebuild_clean(w.h, 1);
}

/* ------------------------------------------------------------ 4. supervision */

#define T_ANSWER "2026-03-03T10:00:00+08:00"

static void test_supervision(void **state)
{
	struct world w;
	world_start(&w, state, T0);
	long long id = in_progress(&w, "模式口大街违规停车堵塞消防通道");
	json_t *c =
	    ACT(&w, SUPERVISOR, id, "supervise",
		"{\"instruction\":\"请于3月4日18时前清理并回复\",\"due\":\"2026-03-04T18:00:00+08:00\"}",
		"in_progress");
	EXPECT_SIZE(c, "supervisions", 1);
	EXPECT_INT(c, "supervisions.0.no", 1);
	EXPECT_STR(c, "supervisions.0.unit.code", DISTRICT);
	EXPECT_STR(c, "supervisions.0.at", T0);
	EXPECT_STR(c, "supervisions.0.due", "2026-03-04T18:00:00+08:00");
	EXPECT_NULL(c, "supervisions.0.answered_at");
	EXPECT_STR(c, "events.4.payload.instruction", "请于3月4日18时前清理并回复");
	EXPECT_STR(c, "events.4.user", "sjs.supervisor");

	world_move(&w, T_ANSWER);
	c = ACT(&w, JDJ_H, id, "answer_supervision", "{\"answer\":\"已联合交管部门清理，设置禁停标志\"}",
		"in_progress");
	EXPECT_STR(c, "supervisions.0.answered_at", T_ANSWER);
	EXPECT_STR(c, "events.5.payload.answer", "已联合交管部门清理，设置禁停标志");
	EXPECT_INT(c, "events.5.payload.no", 1);
	REFUSE(&w, JDJ_H, id, "answer_supervision", "{\"answer\":\"再次回复\"}", STATE);

	/* two more instructions; the lead answers the last one by number, the other stays open */
	ACT(&w, SUPERVISOR, id, "supervise",
	    "{\"instruction\":\"请补充照片\",\"due\":\"2026-03-04T18:00:00+08:00\"}", "in_progress");
	ACT(&w, SUPERVISOR, id, "supervise",
	    "{\"instruction\":\"请说明长效措施\",\"due\":\"2026-03-05T18:00:00+08:00\"}", "in_progress");
	c = ACT(&w, JDJ_H, id, "answer_supervision", "{\"no\":3,\"answer\":\"已安装隔离桩\"}", "in_progress");
	EXPECT_SIZE(c, "supervisions", 3);
	EXPECT_NULL(c, "supervisions.1.answered_at");
	EXPECT_STR(c, "supervisions.2.answered_at", T_ANSWER);
	REFUSE(&w, JDJ_H, id, "answer_supervision", "{\"no\":3,\"answer\":\"再次回复\"}", 409,
	       "invalid_state", "no");
	EXPECT_EVENTS(&w, c, "create", "dispatch", "sign", "contact", "supervise", "answer_supervision",
		      "supervise", "supervise", "answer_supervision");
	expect_rebuild_clean(w.h, 1);
}

/* ------------------------------------------------------------ 5. escalate, sub-dispatch, park, merge, ... */

static void test_escalation(void **state)
{
	struct world w;
	world_start(&w, state, T0);
	long long id = in_progress(&w, "模式口大街危房隐患");
	json_t *c = ACT(&w, JDJ_H, id, "escalate",
			"{\"to\":\"district\",\"reason\":\"涉及多部门，需区级协调\"}", "in_progress");
	EXPECT_STR(c, "escalation", "district");
	EXPECT_STR(c, "lead_unit.code", JDJ);
	EXPECT_SIZE(c, "copy_units", 1); /* the district had its copy already */
	EXPECT_STR(c, "copy_units.0.code", DISTRICT);
	EXPECT_STR(c, "events.4.payload.to", "district");
	EXPECT_STR(c, "events.4.reason", "涉及多部门，需区级协调");
	c = ACT(&w, SUPERVISOR, id, "escalate", "{\"to\":\"city\",\"reason\":\"需市级统筹\"}", "in_progress");
	EXPECT_STR(c, "escalation", "city");
	EXPECT_SIZE(c, "copy_units", 2);
	EXPECT_STR(c, "copy_units.0.code", DISTRICT);
	EXPECT_STR(c, "copy_units.1.code", CENTRE);
	EXPECT_STR(c, "lead_unit.code", JDJ);
	EXPECT_EVENTS(&w, c, "create", "dispatch", "sign", "contact", "escalate", "escalate");

	/* a case led by a department: the district joins as a copy */
	long long dept = record(&w, "模式口大街占道经营");
	c = ACT(&w, DISPATCHER, dept, "dispatch", hpath(w.h, "{\"unit\":\"%s\"}", w.cg), "dispatched");
	EXPECT_SIZE(c, "copy_units", 0);
	ACT(&w, CG, dept, "sign", NULL, "accepted");
	c = ACT(&w, CG, dept, "escalate", "{\"to\":\"district\",\"reason\":\"需区政府协调\"}", "accepted");
	EXPECT_STR(c, "escalation", "district");
	EXPECT_STR(c, "lead_unit.code", w.cg);
	EXPECT_SIZE(c, "copy_units", 1);
	EXPECT_STR(c, "copy_units.0.code", DISTRICT);
	EXPECT_STR(c, "events.3.payload.copy", DISTRICT);
	expect_rebuild_clean(w.h, 2);
}

static void test_subdispatch(void **state)
{
	struct world w;
	char *out, *err;
	world_start(&w, state, T0);
	int rc = h_run(w.h, T0, &out, &err, "user", "add", "--db", w.h->db, "--login", COMMUNITY_LOGIN,
		       "--password", H_PASSWORD, "--unit", w.community, "--role", "handler", (char *)NULL);
	EXPECT_TRUE(rc == 0, err);

	long long id = in_progress(&w, "模式口大街老旧小区楼道堆物");
	EXPECT_ERROR(w.h, get_case_at(&w, COMMUNITY, id, 404, __LINE__), 404, "not_found", "id");
	EXPECT_LIST(&w, COMMUNITY, "", 0);
	json_t *c = ACT(&w, JDJ_H, id, "subdispatch",
			hpath(w.h, "{\"community\":\"%s\",\"note\":\"请社区入户核实并清理\"}", w.community),
			"in_progress");
	EXPECT_STR(c, "lead_unit.code", JDJ);
	EXPECT_SIZE(c, "tasks", 1);
	EXPECT_STR(c, "tasks.0.kind", "subdispatch");
	EXPECT_INT(c, "tasks.0.no", 1);
	EXPECT_STR(c, "tasks.0.unit.code", w.community);
	EXPECT_STR(c, "tasks.0.unit.kind", "community");
	EXPECT_STR(c, "tasks.0.by_unit.code", JDJ);
	EXPECT_NULL(c, "tasks.0.finished_at");
	REFUSE(&w, JDJ_H, id, "subdispatch", hpath(w.h, "{\"community\":\"%s\"}", w.community), 409,
	       "invalid_state", "community");

	/* the community sees it; it finishes (a sub-dispatch has nothing to report) */
	GET_CASE(&w, COMMUNITY, id);
	EXPECT_LIST(&w, COMMUNITY, "", id);
	REFUSE(&w, COMMUNITY, id, "report", "{\"on_site\":true}", STATE);
	REFUSE(&w, JDJ_H, id, "reply", REPLY_OK, OPEN_TASKS);
	c = finish(&w, COMMUNITY, id, "社区已组织清理楼道堆物", "in_progress");
	EXPECT_STR(c, "tasks.0.finished_at", T0);
	EXPECT_STR(c, "events.5.user", COMMUNITY_LOGIN);
	EXPECT_STR(c, "events.5.unit.code", w.community);
	EXPECT_STR(c, "events.5.payload.kind", "subdispatch");
	REFUSE(&w, COMMUNITY, id, "finish", "{\"result\":\"再次完成\"}", STATE);
	REFUSE(&w, JDJ_H, id, "rate",
	       hpath(w.h, "{\"unit\":\"%s\",\"timeliness\":5,\"attitude\":5,\"result\":5}", w.community),
	       STATE); /* only whistle tasks are rated */
	c = reply(&w, id, true);
	EXPECT_INT(c, "events.6.payload.open_tasks", 0);
	EXPECT_EVENTS(&w, c, "create", "dispatch", "sign", "contact", "subdispatch", "finish", "reply");
	expect_rebuild_clean(w.h, 1);
}

/* Sub-dispatch is the lead street's: a department leading a case may not pass it to a community. */
static void test_subdispatch_only_by_street(void **state)
{
	struct world w;
	world_start(&w, state, T0);
	long long id = record(&w, "模式口大街占道经营");
	ACT(&w, DISPATCHER, id, "dispatch", hpath(w.h, "{\"unit\":\"%s\"}", w.cg), "dispatched");
	ACT(&w, CG, id, "sign", NULL, "accepted");
	json_t *c = GET_CASE(&w, CG, id);
	EXPECT_TRUE(!allows(c, "subdispatch"), w.h->last_body);
	REFUSE(&w, CG, id, "subdispatch", hpath(w.h, "{\"community\":\"%s\"}", w.community), FORBIDDEN);
}

static void test_park(void **state)
{
	struct world w;
	world_start(&w, state, T0);
	long long id = in_progress(&w, "模式口大街排水管网改造");
	json_t *c =
	    ACT(&w, JDJ_H, id, "park",
		"{\"until\":\"2026-06-30T18:00:00+08:00\",\"reason\":\"纳入年度改造计划\"}", "parked");
	EXPECT_STR(c, "parked_until", "2026-06-30T18:00:00+08:00");
	EXPECT_STR(c, "events.4.reason", "纳入年度改造计划");
	REFUSE(&w, JDJ_H, id, "reply", REPLY_OK, STATE);
	world_move(&w, "2026-03-20T09:00:00+08:00");
	c = ACT(&w, JDJ_H, id, "unpark", NULL, "in_progress");
	EXPECT_NULL(c, "parked_until");
	c = reply(&w, id, true);
	EXPECT_EVENTS(&w, c, "create", "dispatch", "sign", "contact", "park", "unpark", "reply");
	expect_rebuild_clean(w.h, 1);
}

static void test_merge_and_repeat(void **state)
{
	struct world w;
	world_start(&w, state, T0);
	long long story = in_progress(&w, "模式口大街路面塌陷积水");
	long long dup = record(&w, "模式口大街积水（另一位市民）");
	long long again = record(&w, "模式口大街积水（同一市民再次来电）");

	/* the duplicate is merged into the story case: nothing to dispatch, called back on its result */
	json_t *c = ACT(&w, DISPATCHER, dup, "merge", hpath(w.h, "{\"into\":%lld}", story), "merged");
	EXPECT_INT(c, "merged_into", story);
	EXPECT_NULL(c, "lead_unit");
	EXPECT_STR(c, "deadlines.dispatch.state", "met");
	REFUSE(&w, DISPATCHER, dup, "dispatch", "{}", STATE);
	REFUSE(&w, AGENT, dup, "callback", CB_OK, STATE); /* the story case is not replied yet */

	/* a repeat call is linked to the original and stays as it is */
	c = ACT(&w, DISPATCHER, again, "link_repeat", hpath(w.h, "{\"of\":%lld}", story), "received");
	EXPECT_INT(c, "repeat_of", story);
	EXPECT_NULL(c, "merged_into");

	reply(&w, story, true);
	EXPECT_TRUE(allows(GET_CASE(&w, AGENT, dup), "callback"),
		    "a callback offered once the story case is replied");
	c = callback(&w, dup, true, true, "basic", "closed");
	EXPECT_STR(c, "callback.satisfaction", "basic");
	EXPECT_STR(c, "closed_at", T0);
	EXPECT_STR(c, "events.2.payload.unit", JDJ); /* the result and the rates are the lead's */
	EXPECT_EVENTS(&w, c, "create", "merge", "callback");
	c = callback(&w, story, true, true, "satisfied", "closed");
	EXPECT_NULL(c, "merged_into");
	EXPECT_EVENTS(&w, GET_CASE(&w, AGENT, again), "create", "link_repeat");
	expect_rebuild_clean(w.h, 3);
}

/*
 * allowed_actions offers only what would be accepted: no callback on a
 * merged case before the case it was merged into is replied.
 */
static void test_merged_callback_offered_when_possible(void **state)
{
	struct world w;
	world_start(&w, state, T0);
	long long story = in_progress(&w, "模式口大街路面塌陷积水");
	long long dup = record(&w, "模式口大街积水（另一位市民）");
	ACT(&w, DISPATCHER, dup, "merge", hpath(w.h, "{\"into\":%lld}", story), "merged");
	REFUSE(&w, AGENT, dup, "callback", CB_OK, STATE);
	json_t *c = GET_CASE(&w, AGENT, dup);
	EXPECT_TRUE(!allows(c, "callback"), w.h->last_body);
}

/*
 * An unsolved callback on a merged case judges the result of the case it
 * was merged into: the merged case, which no unit leads, is not reopened
 * (it would be in progress with nobody to handle it).
 */
static void test_merged_case_not_reopened(void **state)
{
	struct world w;
	world_start(&w, state, T0);
	long long story = in_progress(&w, "模式口大街路面塌陷积水");
	long long dup = record(&w, "模式口大街积水（另一位市民）");
	ACT(&w, DISPATCHER, dup, "merge", hpath(w.h, "{\"into\":%lld}", story), "merged");
	reply(&w, story, true);
	json_t *c = callback(&w, dup, true, false, "unsatisfied", "closed");
	EXPECT_NULL(c, "lead_unit");
	EXPECT_TRUE(!allows(c, "reopen"), w.h->last_body);
	REFUSE(&w, AGENT, dup, "reopen", NULL, STATE);
	/* the case that was handled is reopened instead */
	callback(&w, story, true, false, "unsatisfied", "closed");
	c = ACT(&w, AGENT, story, "reopen", NULL, "in_progress");
	EXPECT_STR(c, "lead_unit.code", JDJ);
}

#define T_REOPEN "2026-03-04T10:00:00+08:00"

static void test_reopen(void **state)
{
	struct world w;
	world_start(&w, state, T0);
	long long id = in_progress(&w, "模式口大街噪音扰民");
	reply(&w, id, true);
	world_move(&w, T_REOPEN);
	json_t *c = callback(&w, id, true, false, "unsatisfied", "closed");
	EXPECT_BOOL(c, "callback.solved", false);
	EXPECT_STR(c, "callback.satisfaction", "unsatisfied");
	c = ACT(&w, AGENT, id, "reopen", "{\"reason\":\"回访未解决，重新办理\"}", "in_progress");
	EXPECT_INT(c, "counts.reopens", 1);
	EXPECT_NULL(c, "closed_at");
	EXPECT_STR(c, "deadlines.feedback.start", T_REOPEN);
	EXPECT_STR(c, "deadlines.feedback.due", "2026-03-13T10:00:00+08:00"); /* 7 working days again */
	EXPECT_NULL(c, "deadlines.feedback.done_at");
	EXPECT_STR(c, "deadlines.feedback.state", "running");
	EXPECT_STR(c, "lead_unit.code", JDJ);
	/* the street handles it again */
	c = reply(&w, id, true);
	EXPECT_STR(c, "deadlines.feedback.done_at", T_REOPEN);
	EXPECT_EVENTS(&w, c, "create", "dispatch", "sign", "contact", "reply", "callback", "reopen", "reply");
	expect_rebuild_clean(w.h, 1);
}

/* One unsolved callback reopens the case once: the second result waits for its own callback. */
static void test_reopen_once_per_callback(void **state)
{
	struct world w;
	world_start(&w, state, T0);
	long long id = in_progress(&w, "模式口大街噪音扰民");
	reply(&w, id, true);
	callback(&w, id, true, false, "unsatisfied", "closed");
	ACT(&w, AGENT, id, "reopen", NULL, "in_progress");
	reply(&w, id, true);
	/* the callback judged the first result, not this one */
	json_t *c = GET_CASE(&w, AGENT, id);
	EXPECT_TRUE(!allows(c, "reopen"), w.h->last_body);
	REFUSE(&w, AGENT, id, "reopen", NULL, STATE);
	EXPECT_INT(GET_CASE(&w, AGENT, id), "counts.reopens", 1);
}

static void test_exclusion(void **state)
{
	struct world w;
	world_start(&w, state, T0);
	long long id = in_progress(&w, "模式口大街私人院落漏水");
	json_t *c = ACT(&w, JDJ_H, id, "apply_exclusion",
			"{\"scope\":\"excluded\",\"evidence\":\"漏水点位于私人院内，产权人拒绝入户\"}",
			"in_progress");
	EXPECT_STR(c, "assessment.scope", "all");
	EXPECT_STR(c, "assessment.requested", "excluded");
	c = ACT(&w, DISPATCHER, id, "decide_exclusion", "{\"approve\":true}", "in_progress");
	EXPECT_STR(c, "assessment.scope", "excluded");
	EXPECT_NULL(c, "assessment.requested");
	/* a later application for response-only scope is rejected: the scope stays */
	ACT(&w, JDJ_H, id, "apply_exclusion", "{\"scope\":\"response_only\",\"evidence\":\"补充材料\"}",
	    "in_progress");
	c = ACT(&w, DISPATCHER, id, "decide_exclusion", "{\"approve\":false}", "in_progress");
	EXPECT_STR(c, "assessment.scope", "excluded");
	EXPECT_NULL(c, "assessment.requested");
	EXPECT_EVENTS(&w, c, "create", "dispatch", "sign", "contact", "apply_exclusion", "decide_exclusion",
		      "apply_exclusion", "decide_exclusion");
	expect_rebuild_clean(w.h, 1);
}

/* ------------------------------------------------------------ 6. the callback worklist */

#define T_PAST_DUE "2026-03-12T09:00:00+08:00"

static void test_callback_due(void **state)
{
	struct world w;
	world_start(&w, state, T0);
	long long replied = in_progress(&w, "已反馈待回访");
	reply(&w, replied, true);
	long long closed = in_progress(&w, "已回访办结");
	reply(&w, closed, true);
	callback(&w, closed, true, true, "satisfied", "closed");
	long long open = dispatched(&w, "未反馈");
	long long merged = record(&w, "并入已反馈的工单");
	ACT(&w, DISPATCHER, merged, "merge", hpath(w.h, "{\"into\":%lld}", replied), "merged");
	record(&w, "未派单");

	/* now: the replied case and the case merged into it, oldest first; the open one is not due yet */
	EXPECT_LIST(&w, AGENT, "?callback_due=true", replied, merged);
	REFUSE(&w, AGENT, open, "callback", CB_OK, STATE);

	/* after the feedback deadline the open case joins the list; a case dispatched later does not */
	world_move(&w, T_PAST_DUE);
	long long fresh = dispatched(&w, "新派单");
	EXPECT_LIST(&w, AGENT, "?callback_due=true", replied, open, merged);

	/* an unanswered callback leaves the replied case on the list; a call on the open case takes it off */
	json_t *c =
	    ACT(&w, AGENT, replied, "callback", "{\"valid\":false,\"comment\":\"无人接听\"}", "replied");
	EXPECT_BOOL(c, "callback.valid", false);
	EXPECT_NULL(c, "callback.satisfaction");
	c = callback(&w, open, false, false, "unsatisfied", "dispatched");
	EXPECT_BOOL(c, "callback.contacted", false);
	EXPECT_LIST(&w, AGENT, "?callback_due=true", replied, merged);
	callback(&w, replied, true, true, "satisfied", "closed");
	callback(&w, merged, true, true, "satisfied", "closed");
	EXPECT_LIST(&w, AGENT, "?callback_due=true", 0);
	EXPECT_LIST(&w, AGENT, "?status=closed", merged, closed, replied);
	EXPECT_ERROR(w.h, http(w.h, "GET", "/api/v1/cases?callback_due=yes", tok(&w, AGENT), NULL, NULL), 400,
		     "invalid", "callback_due");
	EXPECT_STR(GET_CASE(&w, AGENT, fresh), "status", "dispatched");
	expect_rebuild_clean(w.h, 6);
}

/* A merged case whose callback went unanswered is still waiting for one, like a replied case. */
static void test_callback_due_after_unanswered_call(void **state)
{
	struct world w;
	world_start(&w, state, T0);
	long long replied = in_progress(&w, "已反馈待回访");
	reply(&w, replied, true);
	long long merged = record(&w, "并入已反馈的工单");
	ACT(&w, DISPATCHER, merged, "merge", hpath(w.h, "{\"into\":%lld}", replied), "merged");
	EXPECT_LIST(&w, AGENT, "?callback_due=true", replied, merged);
	static const char unanswered[] = "{\"valid\":false,\"comment\":\"无人接听\"}";
	ACT(&w, AGENT, replied, "callback", unanswered, "replied");
	json_t *c = ACT(&w, AGENT, merged, "callback", unanswered, "merged");
	EXPECT_TRUE(allows(c, "callback"), "the merged case may still be called back");
	EXPECT_LIST(&w, AGENT, "?callback_due=true", replied, merged);
}

/* ------------------------------------------------------------ 7. assessment */

#define T_LATE "2026-03-02T11:30:00+08:00"
#define TOL 1e-6
/* The header row of the rates download (docs/ASSESSMENT.md). */
static const char rates_header[] =
	"排名,单位编码,单位,有效回访量,响应率,解决率,满意率,综合得分,全口径有效回访量,全口径响应率,"
	"全口径解决率,全口径满意率,全口径综合得分,吹哨得分,吹哨评价次数,报到次数,按时报到次数,最终得分,"
	"派单量,按时签收率,按时联系率,按时反馈率,退单率,重办率,延期率,平均办理时长（小时）,超期次数,备注";

/* GET a report as who; expects 200 and returns it (JSON, or NULL for a download). */
static json_t *report_get_at(struct world *w, enum who who, const char *query, int line)
{
	long st;
	json_t *j = http(w->h, "GET", hpath(w->h, "/api/v1/reports/rates?%s", query), tok(w, who), NULL, &st);
	h_check_status(w->h, st, 200, __FILE__, line);
	return j;
}
#define REPORT(w, who, query) report_get_at((w), (who), (query), __LINE__)
#define REPORT_REFUSED(w, who, query, ...)                                                   \
	EXPECT_ERROR((w)->h,                                                                 \
		     http((w)->h, "GET", hpath((w)->h, "/api/v1/reports/rates?%s", (query)), \
			  tok((w), (who)), NULL, NULL),                                      \
		     __VA_ARGS__)

/* The row of a unit in a rates report (a check that it is there counts as one assertion). */
static json_t *row_of(json_t *report, const char *code)
{
	size_t i;
	json_t *r, *found = NULL;
	json_array_foreach(json_object_get(report, "rows"), i, r)
	{
		if (!found && jstr(r, "unit.code") && !strcmp(jstr(r, "unit.code"), code))
			found = r;
	}
	EXPECT_TRUE(found != NULL, code);
	return found;
}

/* The three rates and the score at prefix ("" or "full_scope."), within TOL. */
static void expect_rates_at(struct harness *h, json_t *row, const char *prefix, long long valid,
			    double response, double resolution, double satisfaction, double score, int line)
{
	h_check_int(row, hpath(h, "%svalid_callbacks", prefix), valid, __FILE__, line);
	h_check_real(row, hpath(h, "%sresponse_rate", prefix), response, TOL, __FILE__, line);
	h_check_real(row, hpath(h, "%sresolution_rate", prefix), resolution, TOL, __FILE__, line);
	h_check_real(row, hpath(h, "%ssatisfaction_rate", prefix), satisfaction, TOL, __FILE__, line);
	h_check_real(row, hpath(h, "%sscore", prefix), score, TOL, __FILE__, line);
}
#define EXPECT_RATES(w, row, prefix, ...) expect_rates_at((w)->h, (row), (prefix), __VA_ARGS__, __LINE__)

/* 金顶街街道's row in the street pool, as the district's assessor sees it. */
static json_t *street_row_at(struct world *w, int line)
{
	return row_of(report_get_at(w, ASSESSOR, "period=2026-03&pool=street", line), JDJ);
}
#define STREET_ROW(w) street_row_at((w), __LINE__)

/* `jiesu report rates --recompute` for March finds every figure as stored. */
static void expect_recompute_clean(struct harness *h, int ncases)
{
	char *out, *err;
	int rc = h_run(h, T_LATE, &out, &err, "report", "rates", "--db", h->db, "--period", "2026-03", "--pool",
		       "street", "--recompute", (char *)NULL);
	EXPECT_TRUE(rc == 0, err);
	EXPECT_TRUE(!strcmp(out, hpath(h, "recompute: %d cases, 0 mismatches\n", ncases)), out);
}

/* The first line of a CSV download after its byte-order mark, without the line end. */
static const char *csv_header(struct harness *h)
{
	const char *csv = h->last_body;
	EXPECT_TRUE(!strncmp(csv, "\xEF\xBB\xBF", 3), "the CSV starts with a byte-order mark");
	const char *eol = strchr(csv, '\n');
	EXPECT_TRUE(eol != NULL, csv);
	int len = (int)(eol - csv - 3) - (eol[-1] == '\r'); /* CSV lines may end in CRLF */
	return hpath(h, "%.*s", len, csv + 3);
}

/*
 * The worked example of docs/ASSESSMENT.md through real actions: four cases
 * of 金顶街街道 handled on 2 March 2026 and called back with (contacted,
 * solved, satisfied), (contacted, solved, basic), (contacted, not solved,
 * unsatisfied), (not contacted, not solved, unsatisfied). On the first
 * the street whistles 城管委 (reports on time) and 住建委 (reports half an
 * hour late) and rates both.
 */
static void test_assessment(void **state)
{
	struct world w;
	world_start(&w, state, T0);
	static const struct {
		bool contacted, solved;
		const char *satisfaction;
	} answers_of[4] = {{true, true, "satisfied"},
			   {true, true, "basic"},
			   {true, false, "unsatisfied"},
			   {false, false, "unsatisfied"}};
	long long ids[4];
	for (int i = 0; i < 4; i++)
		ids[i] = in_progress(&w, hpath(w.h, "模式口大街考核样例%d", i + 1));
	whistle(&w, ids[0], hpath(w.h, "[\"%s\",\"%s\"]", w.cg, w.zj), "2026-03-02T11:00:00+08:00",
		"in_progress");
	report(&w, CG, ids[0], "in_progress");
	world_move(&w, T_LATE);
	report(&w, ZJ, ids[0], "in_progress");
	finish(&w, CG, ids[0], "已清理", "in_progress");
	finish(&w, ZJ, ids[0], "已回填", "in_progress");
	ACT(&w, JDJ_H, ids[0], "rate",
	    hpath(w.h, "{\"unit\":\"%s\",\"timeliness\":5,\"attitude\":5,\"result\":4}", w.cg),
	    "in_progress");
	ACT(&w, JDJ_H, ids[0], "rate",
	    hpath(w.h, "{\"unit\":\"%s\",\"timeliness\":4,\"attitude\":4,\"result\":3}", w.zj),
	    "in_progress");
	for (int i = 0; i < 4; i++) {
		reply(&w, ids[i], answers_of[i].solved);
		callback(&w, ids[i], answers_of[i].contacted, answers_of[i].solved,
			 answers_of[i].satisfaction, "closed");
	}

	/* the district's assessor: the streets of 石景山区, 金顶街街道 ranked first */
	json_t *r = REPORT(&w, ASSESSOR, "period=2026-03&pool=street");
	EXPECT_STR(r, "period", "2026-03");
	EXPECT_STR(r, "from", "2026-03-01T00:00:00+08:00");
	EXPECT_STR(r, "to", "2026-04-01T00:00:00+08:00");
	EXPECT_STR(r, "pool", "street");
	EXPECT_STR(r, "parent.code", DISTRICT);
	EXPECT_REAL(r, "config.weights.response", 0.1, TOL);
	EXPECT_REAL(r, "config.basic_coefficient", 0.9, TOL);
	EXPECT_STR(r, "rows.0.unit.code", JDJ);
	json_t *row = row_of(r, JDJ);
	EXPECT_RATES(&w, row, "", 4, 0.75, 0.5, 0.475, 51.5);
	EXPECT_RATES(&w, row, "full_scope.", 4, 0.75, 0.5, 0.475, 51.5);
	EXPECT_STR(row, "unit.name", "金顶街街道");
	EXPECT_INT(row, "rank", 1);
	EXPECT_BOOL(row, "ranked", true);
	EXPECT_NULL(row, "whistle");
	EXPECT_REAL(row, "final_score", 51.5, TOL);
	EXPECT_INT(row, "process.dispatches", 4);
	EXPECT_REAL(row, "process.on_time_sign_rate", 1.0, TOL);
	EXPECT_REAL(row, "process.on_time_contact_rate", 1.0, TOL);
	EXPECT_REAL(row, "process.on_time_feedback_rate", 1.0, TOL);
	EXPECT_REAL(row, "process.return_rate", 0.0, TOL);
	EXPECT_REAL(row, "process.rework_rate", 0.0, TOL);
	EXPECT_REAL(row, "process.extension_rate", 0.0, TOL);
	EXPECT_REAL(row, "process.avg_handling_hours", 2.5, TOL);
	EXPECT_INT(row, "process.overdue", 0);
	row = row_of(r, BBS);
	EXPECT_INT(row, "valid_callbacks", 0);
	EXPECT_NULL(row, "rank");
	EXPECT_BOOL(row, "ranked", false);

	/* the departments: the summoned ones with their whistle figures (double assessment) */
	r = REPORT(&w, ASSESSOR, "period=2026-03&pool=department");
	EXPECT_STR(r, "pool", "department");
	EXPECT_REAL(r, "config.whistle_weight", 1.0 / 3, 1e-4);
	/* 城管委: rated 5/5/4, reported on time: 100 × (0.7 × 14/15 + 0.3 × 1/1) */
	row = row_of(r, w.cg);
	EXPECT_INT(row, "whistle.ratings", 1);
	EXPECT_INT(row, "whistle.reports", 1);
	EXPECT_INT(row, "whistle.reports_on_time", 1);
	EXPECT_REAL(row, "whistle.score", 95.33, TOL);
	EXPECT_REAL(row, "final_score", 31.78, TOL); /* its own score is 0: no case of its own */
	EXPECT_INT(row, "valid_callbacks", 0);
	EXPECT_BOOL(row, "ranked", false);
	/* 住建委: rated 4/4/3, reported late: 100 × (0.7 × 11/15 + 0.3 × 0/1) */
	row = row_of(r, w.zj);
	EXPECT_INT(row, "whistle.ratings", 1);
	EXPECT_INT(row, "whistle.reports", 1);
	EXPECT_INT(row, "whistle.reports_on_time", 0);
	EXPECT_REAL(row, "whistle.score", 51.33, TOL);
	EXPECT_REAL(row, "final_score", 17.11, TOL);
	/* a department nobody summoned */
	EXPECT_NULL(row_of(r, "110107804"), "whistle");

	/* the same rows as downloads */
	REPORT(&w, ASSESSOR, "period=2026-03&pool=street&format=csv");
	EXPECT_TRUE(!strncmp(w.h->last_type, "text/csv", 8), w.h->last_type);
	const char *header = csv_header(w.h);
	EXPECT_TRUE(strstr(header, "响应率") != NULL, header);
	EXPECT_TRUE(!strcmp(header, rates_header), header);
	EXPECT_TRUE(strstr(w.h->last_body, "\n1,110107006,金顶街街道,4,75.00%,50.00%,47.50%,") != NULL,
		    w.h->last_body);
	REPORT(&w, ASSESSOR, "period=2026-03&pool=department&format=xlsx");
	EXPECT_TRUE(
	    !strcmp(w.h->last_type, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
	    w.h->last_type);
	EXPECT_TRUE(w.h->last_len > 100 && !memcmp(w.h->last_body, "PK", 2), "an xlsx body starts with PK");

	/* who may read: not a handler; a street's head sees its street; outside one's remit is 404 */
	REPORT_REFUSED(&w, JDJ_H, "period=2026-03&pool=street", FORBIDDEN);
	r = REPORT(&w, JDJ_HEAD, "period=2026-03&pool=street");
	EXPECT_STR(r, "parent.code", JDJ);
	EXPECT_SIZE(r, "rows", 1);
	EXPECT_STR(r, "rows.0.unit.code", JDJ);
	EXPECT_REAL(r, "rows.0.score", 51.5, TOL);
	REPORT_REFUSED(&w, ASSESSOR, "period=2026-03&pool=street&parent=110108", 404, "not_found", "parent");
	REPORT_REFUSED(&w, ASSESSOR, "period=2026-13&pool=street", BAD("period"));
	REPORT_REFUSED(&w, ASSESSOR, "period=2026-03&pool=community", BAD("pool"));
	REPORT_REFUSED(&w, ASSESSOR, "period=2026-03&pool=street&format=pdf", BAD("format"));

	/* the command line answers through the same API as the user it names */
	char *out, *err;
	int rc = h_run(w.h, T_LATE, &out, &err, "report", "rates", "--db", w.h->db, "--as", "sjs.assessor",
		       "--period", "2026-03", "--pool", "street", (char *)NULL);
	EXPECT_TRUE(rc == 0, err);
	json_error_t jerr;
	json_t *cli = json_loads(out, 0, &jerr);
	EXPECT_TRUE(cli != NULL, out);
	EXPECT_STR(cli, "rows.0.unit.code", JDJ);
	EXPECT_INT(cli, "rows.0.valid_callbacks", 4);
	EXPECT_REAL(cli, "rows.0.score", 51.5, TOL);
	json_decref(cli);

	/* the figures agree with a recomputation from the event log */
	expect_recompute_clean(w.h, 4);

	/* excluding the fourth case: assessed over 3 callbacks, the full scope unchanged */
	ACT(&w, JDJ_H, ids[3], "apply_exclusion", "{\"scope\":\"excluded\",\"evidence\":\"诉求人留错电话\"}",
	    "closed");
	ACT(&w, DISPATCHER, ids[3], "decide_exclusion", "{\"approve\":true}", "closed");
	row = STREET_ROW(&w);
	EXPECT_RATES(&w, row, "", 3, 1.0, 0.6667, 0.6333, 68.67);
	EXPECT_RATES(&w, row, "full_scope.", 4, 0.75, 0.5, 0.475, 51.5);

	/*
	 * the third case is reworked: an unanswered callback replaces nothing,
	 * the new valid one replaces the first (one callback per case)
	 */
	ACT(&w, AGENT, ids[2], "reopen", NULL, "in_progress");
	reply(&w, ids[2], true);
	ACT(&w, AGENT, ids[2], "callback", "{\"valid\":false}", "replied");
	row = STREET_ROW(&w);
	EXPECT_RATES(&w, row, "", 3, 1.0, 0.6667, 0.6333, 68.67);
	EXPECT_RATES(&w, row, "full_scope.", 4, 0.75, 0.5, 0.475, 51.5);
	callback(&w, ids[2], true, true, "satisfied", "closed");
	row = STREET_ROW(&w);
	EXPECT_RATES(&w, row, "", 3, 1.0, 1.0, 0.9667, 98.67);
	EXPECT_RATES(&w, row, "full_scope.", 4, 0.75, 0.75, 0.725, 74.0);
	EXPECT_INT(row, "process.dispatches", 4);
	EXPECT_REAL(row, "process.rework_rate", 0.2, TOL); /* 1 rework / 5 replies */
	expect_recompute_clean(w.h, 4);
	expect_rebuild_clean(w.h, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_story, h_setup, h_teardown),
	    cmocka_unit_test_setup_teardown(test_reply_with_open_task, h_setup, h_teardown),
	    cmocka_unit_test_setup_teardown(test_summoned_unit_offered_actions, h_setup, h_teardown),
	    cmocka_unit_test_setup_teardown(test_refusals, h_setup, h_teardown),
	    cmocka_unit_test_setup_teardown(test_dispute, h_setup, h_teardown),
	    cmocka_unit_test_setup_teardown(test_supervision, h_setup, h_teardown),
	    cmocka_unit_test_setup_teardown(test_escalation, h_setup, h_teardown),
	    cmocka_unit_test_setup_teardown(test_subdispatch, h_setup, h_teardown),
	    cmocka_unit_test_setup_teardown(test_subdispatch_only_by_street, h_setup, h_teardown),
	    cmocka_unit_test_setup_teardown(test_park, h_setup, h_teardown),
	    cmocka_unit_test_setup_teardown(test_merge_and_repeat, h_setup, h_teardown),
	    cmocka_unit_test_setup_teardown(test_merged_callback_offered_when_possible, h_setup, h_teardown),
	    cmocka_unit_test_setup_teardown(test_reopen, h_setup, h_teardown),
	    cmocka_unit_test_setup_teardown(test_reopen_once_per_callback, h_setup, h_teardown),
	    cmocka_unit_test_setup_teardown(test_merged_case_not_reopened, h_setup, h_teardown),
	    cmocka_unit_test_setup_teardown(test_exclusion, h_setup, h_teardown),
	    cmocka_unit_test_setup_teardown(test_callback_due, h_setup, h_teardown),
	    cmocka_unit_test_setup_teardown(test_callback_due_after_unanswered_call, h_setup, h_teardown),
	    cmocka_unit_test_setup_teardown(test_assessment, h_setup, h_teardown),
	};
	int failed = cmocka_run_group_tests_name("integration: workflow", tests, h_group_setup, h_group_teardown);
	printf("%lu checks\n", h_checks());
	return failed ? 1 : 0;
}
