/*
 * test_access.c — the access matrix (issue 7, part 1): every route of the
 * API × every role × the target's relation to the caller's unit, against
 * the real server.
 *
 * The expectations are one table, tests/data/access_matrix.tsv (its header
 * says how to read it). This file only knows how to exercise a cell: who
 * the callers are, which case or unit each relation names, and how to put
 * a case into a state where the action is possible, so that a refusal is a
 * refusal of access and not of state. It first checks that the table is
 * whole — every route of src/api/api.c's routes[] and every action of
 * src/domain/case.c's rules[], for every caller, with every relation that
 * caller has — then runs every cell on one server and fails listing every
 * cell whose result differs from the table.
 *
 * Cases are built on demand and pooled by (lead unit, task, state): a
 * refused request changes nothing, so the next cell reuses the case; a
 * request that succeeds uses its case up. A 404 from a case route must
 * look exactly like the 404 of a case that does not exist (not_found on
 * field id), so a refusal tells nothing about what exists.
 *
 * JIESU_ACCESS_MATRIX names another table (default
 * tests/data/access_matrix.tsv); the sources are read from the current
 * directory, the repository root under make check.
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
#include <time.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* The units the cells name (the demo's Beijing tree). */
#define CENTRE "12345"
#define DISTRICT "110107"   /* 石景山区 */
#define BBS "110107001"	    /* 八宝山街道 */
#define LAOSHAN "110107002" /* 老山街道, BBS's sibling */
#define COMM "110107001003" /* a community of 八宝山街道 */
#define CG "110107801"	    /* 石景山区城市管理委员会 */
#define ZJ "110107803"	    /* 石景山区住房和城乡建设委员会 */
#define HD "110108001"	    /* 海淀区万寿路街道: another district */
#define HD_CG "110108801"   /* 海淀区城市管理委员会 */

#define MATRIX_DEFAULT "tests/data/access_matrix.tsv"
#define MAX_ROWS 4096
#define MAX_POOL 1024

/* ------------------------------------------------------------ callers and relations */

enum kind { K_NONE, K_CENTRE, K_DISTRICT, K_STREET, K_DEPARTMENT, K_COMMUNITY };

enum rel { R_ANY, R_OWN, R_BELOW, R_TASK, R_PARENT, R_SIBLING, R_OTHER, NREL };
static const char *const rel_names[NREL] = {"any", "own", "below", "task", "parent", "sibling", "other"};

/*
 * What a route acts on, which decides the relations a caller has to it: a
 * case, a unit, or a place (a street or community: what a gazetteer entry
 * may name).
 */
enum target { T_NONE, T_CASE, T_UNIT, T_PLACE };

/*
 * The callers: every role at every kind of unit where it works in the demo
 * (and a few made here: a supervisor of the centre, an admin of a district,
 * a community's handler), and no login at all.
 */
static const struct caller {
	const char *name;
	const char *login; /* NULL: no login */
	enum kind kind;
	const char *unit;
} callers[] = {
    {"none", NULL, K_NONE, ""},
    {"agent@centre", "agent", K_CENTRE, CENTRE},
    {"dispatcher@centre", "dispatcher", K_CENTRE, CENTRE},
    {"admin@centre", "admin", K_CENTRE, CENTRE},
    {"assessor@centre", "centre.assessor", K_CENTRE, CENTRE},
    {"supervisor@centre", "acc.centre.supervisor", K_CENTRE, CENTRE},
    {"supervisor@district", "sjs.supervisor", K_DISTRICT, DISTRICT},
    {"assessor@district", "sjs.assessor", K_DISTRICT, DISTRICT},
    {"head@district", "sjs.head", K_DISTRICT, DISTRICT},
    {"admin@district", "acc.sjs.admin", K_DISTRICT, DISTRICT},
    {"handler@street", "babaoshan.handler", K_STREET, BBS},
    {"head@street", "babaoshan.head", K_STREET, BBS},
    {"handler@department", "sjs.chengguan.handler", K_DEPARTMENT, CG},
    {"handler@community", "acc.community", K_COMMUNITY, COMM},
};
#define NCALLERS ARRAY_LEN(callers)

/* Accounts this test adds (as the centre's admin) before the first cell. */
static const struct {
	const char *login, *role, *unit;
} extra_users[] = {
    {"acc.centre.supervisor", "supervisor", CENTRE},
    {"acc.sjs.admin", "admin", DISTRICT},
    {"acc.community", "handler", COMM},
    {"acc.hd.handler", "handler", HD},
    {"acc.hd.cg", "handler", HD_CG},
    {"acc.target", "handler", BBS}, /* the account PATCH /users/{id} changes */
};

/* The relations a caller of this kind has to a case, and to a unit. */
static unsigned rel_set(enum kind k, enum target t)
{
#define B(r) (1u << (r))
	if (k == K_NONE || k == K_CENTRE || t == T_NONE)
		return B(R_ANY);
	if (t == T_PLACE) {
		switch (k) {
		case K_DISTRICT:
			return B(R_BELOW) | B(R_OTHER);
		case K_STREET:
			return B(R_OWN) | B(R_BELOW) | B(R_SIBLING) | B(R_OTHER);
		case K_DEPARTMENT:
			return B(R_SIBLING) | B(R_OTHER);
		default:
			return B(R_OWN) | B(R_PARENT) | B(R_OTHER);
		}
	}
	/* no case is led by the centre or a community: so none by a district's parent, none below a street */
	switch (k) {
	case K_DISTRICT:
		return B(R_OWN) | B(R_BELOW) | B(R_OTHER) | (t == T_UNIT ? B(R_PARENT) : 0);
	case K_STREET:
		return B(R_OWN) | B(R_PARENT) | B(R_SIBLING) | B(R_OTHER) | (t == T_UNIT ? B(R_BELOW) : 0);
	case K_DEPARTMENT:
		return B(R_OWN) | B(R_PARENT) | B(R_SIBLING) | B(R_OTHER) | (t == T_CASE ? B(R_TASK) : 0);
	case K_COMMUNITY:
		return B(R_PARENT) | B(R_OTHER) | (t == T_CASE ? B(R_TASK) : B(R_OWN));
	default:
		return 0;
	}
#undef B
}

/*
 * The unit a relation names for this caller: for a case, its lead unit
 * (before dispatch, the unit its place names); for a unit route, the unit.
 * own: the caller's unit; below: a unit under it (a district's street, a
 * street's community); task: a case led by 八宝山街道 that summoned the
 * caller's unit (or sub-dispatched to it); parent: the unit above;
 * sibling: another unit under the same parent; other: a unit of another
 * district. any: 八宝山街道.
 */
static const char *rel_unit(const struct caller *c, enum rel r)
{
	switch (r) {
	case R_OWN:
		return c->unit;
	case R_BELOW:
		return c->kind == K_STREET ? COMM : BBS;
	case R_PARENT:
		return c->kind == K_COMMUNITY ? BBS : c->kind == K_DISTRICT ? CENTRE : DISTRICT;
	case R_SIBLING:
		return c->kind == K_STREET ? LAOSHAN : BBS;
	case R_OTHER:
		return HD;
	default: /* any, task */
		return BBS;
	}
}

/* ------------------------------------------------------------ the world */

struct world {
	struct harness *h;
	struct {
		const char *login, *token;
		const char *password; /* NULL: the demo's; else what POST /me/password set */
	} tok[32];
	int ntok;
	const char *spare[NCALLERS]; /* a second session per caller, for the logout cell */
	long long ref_case;	     /* the case merge and link_repeat name */
	long long target_user;	     /* the account PATCH /users/{id} changes */
	long long category;	     /* the category PATCH /categories/{id} changes */
	bool holiday_set;	     /* the day DELETE /holidays/{date} removes is there */
	int serial;		     /* makes names unique */
	struct fixture {
		char lead[16], task[16];
		bool sub; /* the task is a sub-dispatch (else a whistle) */
		int state;
		long long id;
		bool live;
	} pool[MAX_POOL];
	int npool;
	struct entry {
		char unit[16];
		long long id;
	} entries[64]; /* gazetteer entries waiting to be deleted, by unit */
	int nentries;
};

/* The session slot of account who (a static string), logged in on first use. */
static int tok_slot(struct world *w, const char *who)
{
	for (int i = 0; i < w->ntok; i++)
		if (!strcmp(w->tok[i].login, who))
			return i;
	assert_true(w->ntok < (int)ARRAY_LEN(w->tok));
	w->tok[w->ntok].login = who;
	w->tok[w->ntok].password = NULL;
	w->tok[w->ntok].token = login(w->h, who, H_PASSWORD);
	return w->ntok++;
}

static const char *tok(struct world *w, const char *who)
{
	return w->tok[tok_slot(w, who)].token;
}

/* The password of account who as it is now. */
static const char *password_of(struct world *w, const char *who)
{
	for (int i = 0; i < w->ntok; i++)
		if (!strcmp(w->tok[i].login, who) && w->tok[i].password)
			return w->tok[i].password;
	return H_PASSWORD;
}

/* A fixture step that must succeed: status want, else the test stops at line. */
static json_t *step_at(struct world *w, const char *who, const char *method, const char *path,
		       const char *body, long want, int line)
{
	long st;
	json_t *j = http(w->h, method, path, tok(w, who), body, &st);
	h_check_status(w->h, st, want, __FILE__, line);
	return j;
}
#define STEP(w, who, method, path, body, want) step_at((w), (who), (method), (path), (body), (want), __LINE__)

static json_t *act_at(struct world *w, const char *who, long long id, const char *action, const char *body,
		      int line)
{
	return step_at(w, who, "POST", hpath(w->h, "/api/v1/cases/%lld/actions/%s", id, action), body, 200,
		       line);
}
#define ACT(w, who, id, action, body) act_at((w), (who), (id), (action), (body), __LINE__)

/* ------------------------------------------------------------ cases in every state */

/*
 * The states a cell may need its case in. The ones after S_IN_PROGRESS
 * are in_progress (or replied, closed, returned, parked) with something
 * pending that one action answers.
 */
enum state {
	S_RECEIVED,
	S_CONSULTATION, /* received, a consultation (answer) */
	S_DISPATCHED,
	S_ACCEPTED,
	S_IN_PROGRESS,
	S_WHISTLED,	   /* a whistle task not yet reported (report) */
	S_REPORTED,	   /* the task reported, not finished (finish) */
	S_FINISHED,	   /* the task finished, not rated (rate) */
	S_REPLIED,	   /* close, callback */
	S_CLOSED_UNSOLVED, /* closed by a callback that found it unsolved (reopen) */
	S_RETURNED,	   /* decide_return */
	S_PARKED,	   /* unpark */
	S_EXTENSION,	   /* an extension waits (decide_extension) */
	S_SUPERVISED,	   /* a supervision waits (answer_supervision) */
	S_EXCLUSION,	   /* an exclusion application waits (decide_exclusion) */
};
static const char *const state_status[] = {
    "received",	   "received",	  "dispatched",	 "accepted",	"in_progress",
    "in_progress", "in_progress", "in_progress", "replied",	"closed",
    "returned",	   "parked",	  "in_progress", "in_progress", "in_progress",
};

/* Who acts for a unit when a case is put into a state. */
static const char *user_of(const char *unit)
{
	static const struct {
		const char *unit, *login;
	} users[] = {
	    {BBS, "babaoshan.handler"},	   {LAOSHAN, "laoshan.handler"}, {DISTRICT, "sjs.head"},
	    {CG, "sjs.chengguan.handler"}, {ZJ, "sjs.zhujian.handler"},	 {HD, "acc.hd.handler"},
	    {HD_CG, "acc.hd.cg"},	   {COMM, "acc.community"},
	};
	for (size_t i = 0; i < ARRAY_LEN(users); i++)
		if (!strcmp(users[i].unit, unit))
			return users[i].login;
	fail_msg("no user acts for unit %s", unit);
	return NULL;
}

/* The department a case led by this unit whistles (never the calling department's: see R_TASK). */
static const char *whistled_by(const char *lead)
{
	return !strcmp(lead, HD) ? HD_CG : ZJ;
}

/* The place of a case led by this unit: a street names itself; a district or a department, the district. */
static const char *place_json(struct world *w, const char *lead)
{
	if (!strcmp(lead, DISTRICT) || !strcmp(lead, CG))
		return "{\"district\":\"" DISTRICT "\"}";
	return hpath(w->h, "{\"street\":\"%s\"}", lead);
}

/*
 * Make a case led by lead in state st, with a task for task (a whistle,
 * or a sub-dispatch when sub) if task is not empty; in the states of a
 * whistle's life a sub-dispatched case has been whistled too, so that
 * report, finish and rate have a whistle to act on. A received case has
 * no lead and no task: its place is lead's. A dispatched case with a task
 * got it under 八宝山街道, which returned it, and was then sent on to
 * 老山街道 (a task outlives its lead).
 */
static long long build_case(struct world *w, const char *lead, const char *task, bool sub, enum state st)
{
	struct harness *h = w->h;
	const char *body =
	    hpath(h,
		  "{\"type\":\"%s\",\"title\":\"访问矩阵\",\"content\":\"访问矩阵测试用工单。\","
		  "\"requester\":{\"name\":\"王五\",\"phone\":\"13900001111\"},"
		  "\"place\":%s,\"auto_dispatch\":false}",
		  st == S_CONSULTATION ? "consultation" : "complaint", place_json(w, lead));
	long long id = jint(STEP(w, "agent", "POST", "/api/v1/cases", body, 201), "id");
	json_t *c = NULL;
	const char *lu = user_of(lead);
	const char *add_task = sub ? "subdispatch" : "whistle";
	const char *task_body = sub ? "{\"community\":\"" COMM "\"}" : hpath(h, "{\"units\":[\"%s\"]}", task);
	/* in a whistle's states, the department whistled: the task's, or beside a sub-dispatch the lead's */
	bool whistle_too = sub && st >= S_WHISTLED && st <= S_FINISHED;
	const char *whistled = whistle_too ? whistled_by(lead) : task;
	if (st == S_RECEIVED || st == S_CONSULTATION)
		return id;
	if (*task && st == S_DISPATCHED) {
		ACT(w, "dispatcher", id, "dispatch", "{\"unit\":\"" BBS "\"}");
		ACT(w, user_of(BBS), id, "sign", NULL);
		ACT(w, user_of(BBS), id, add_task, task_body);
		ACT(w, user_of(BBS), id, "return", "{\"cause\":\"territory\",\"evidence\":\"不属本街道\"}");
		c = ACT(w, "dispatcher", id, "decide_return",
			"{\"decision\":\"redispatch\",\"unit\":\"" LAOSHAN "\"}");
		EXPECT_STR(c, "status", "dispatched");
		EXPECT_SIZE(c, "tasks", 1);
		return id;
	}
	c = ACT(w, "dispatcher", id, "dispatch", hpath(h, "{\"unit\":\"%s\"}", lead));
	if (st == S_DISPATCHED)
		goto out;
	c = ACT(w, lu, id, "sign", NULL);
	if (*task)
		c = ACT(w, lu, id, add_task, task_body);
	if (whistle_too)
		c = ACT(w, lu, id, "whistle", hpath(h, "{\"units\":[\"%s\"]}", whistled));
	if (st == S_ACCEPTED)
		goto out;
	c = ACT(w, lu, id, "contact", "{\"reached\":true,\"method\":\"phone\"}");
	switch (st) {
	case S_REPORTED:
	case S_FINISHED:
		c = ACT(w, user_of(whistled), id, "report", "{\"on_site\":true}");
		if (st == S_FINISHED)
			c = ACT(w, user_of(whistled), id, "finish", "{\"result\":\"本部门部分已完成\"}");
		break;
	case S_REPLIED:
	case S_CLOSED_UNSOLVED:
		c = ACT(w, lu, id, "reply",
			"{\"result\":\"已处理\",\"solved\":false,\"reason\":\"先行反馈\"}");
		if (st == S_CLOSED_UNSOLVED)
			c = ACT(w, "agent", id, "callback",
				"{\"valid\":true,\"contacted\":true,\"solved\":false,"
				"\"satisfaction\":\"unsatisfied\"}");
		break;
	case S_RETURNED:
		c = ACT(w, lu, id, "return", "{\"cause\":\"ownership\",\"evidence\":\"权属不清\"}");
		break;
	case S_PARKED:
		c = ACT(w, lu, id, "park", "{\"until\":\"2026-06-30\",\"reason\":\"需纳入年度计划\"}");
		break;
	case S_EXTENSION:
		c = ACT(w, lu, id, "extend",
			"{\"new_due\":\"2026-04-30T18:00:00+08:00\",\"reason\":\"需协调多个部门\"}");
		break;
	case S_SUPERVISED:
		c = ACT(w, "acc.centre.supervisor", id, "supervise",
			"{\"instruction\":\"请加快办理\",\"due\":\"2026-03-10T18:00:00+08:00\"}");
		break;
	case S_EXCLUSION:
		c = ACT(w, lu, id, "apply_exclusion", "{\"scope\":\"excluded\",\"evidence\":\"不可抗力\"}");
		break;
	default:
		break;
	}
out:
	EXPECT_STR(c, "status", state_status[st]);
	EXPECT_STR(c, "lead_unit.code", lead);
	return id;
}

/*
 * A case for a cell: led by the unit the relation names, in state st.
 * With the relation task, the caller's unit holds the task; in the states
 * of a whistle's life, the lead has whistled its department. Taken from
 * the pool if one is left; *f is the pool entry, which the caller retires
 * (live = false) once a request has changed the case.
 */
static long long case_for(struct world *w, const struct caller *cl, enum rel r, enum state st,
			  struct fixture **f)
{
	const char *lead = rel_unit(cl, r);
	const char *task = "";
	bool sub = false;
	if (st != S_RECEIVED && st != S_CONSULTATION) {
		if (r == R_TASK) {
			task = cl->unit;
			sub = cl->kind == K_COMMUNITY;
		} else if (st == S_WHISTLED || st == S_REPORTED || st == S_FINISHED) {
			task = whistled_by(lead);
		}
	}
	for (int i = 0; i < w->npool; i++) {
		struct fixture *p = &w->pool[i];
		if (p->live && p->state == (int)st && p->sub == sub && !strcmp(p->lead, lead) &&
		    !strcmp(p->task, task)) {
			*f = p;
			return p->id;
		}
	}
	assert_true(w->npool < MAX_POOL);
	struct fixture *p = &w->pool[w->npool++];
	snprintf(p->lead, sizeof(p->lead), "%s", lead);
	snprintf(p->task, sizeof(p->task), "%s", task);
	p->sub = sub;
	p->state = (int)st;
	p->id = build_case(w, lead, task, sub, st);
	p->live = true;
	*f = p;
	return p->id;
}

/* ------------------------------------------------------------ the actions */

/*
 * Every action of case.c's rules[]: the state that makes it possible and
 * a body it accepts. In bodies, %W is the department the case whistled
 * (or its lead would whistle), %U a unit other than the lead, %R another
 * case.
 */
static const struct action {
	const char *name;
	enum state state;
	const char *body;
} actions[] = {
    /* not actions anyone takes here: intake is POST /cases, the others the sweep's */
    {"create", S_IN_PROGRESS, "{}"},
    {"answer", S_CONSULTATION, "{\"answer\":\"已当场解答\"}"},
    {"refer", S_RECEIVED, "{\"outcome\":\"repeat\",\"answer\":\"已告知办理进展\"}"},
    {"dispatch", S_RECEIVED, "{}"},
    {"sign", S_DISPATCHED, "{}"},
    {"contact", S_ACCEPTED, "{\"reached\":true,\"method\":\"phone\"}"},
    {"note", S_IN_PROGRESS, "{\"note\":\"访问矩阵备注\"}"},
    {"reply", S_IN_PROGRESS, "{\"result\":\"已处理\",\"solved\":true,\"reason\":\"先行反馈\"}"},
    {"close", S_REPLIED, "{}"},
    {"warning", S_IN_PROGRESS, "{}"},
    {"overdue", S_IN_PROGRESS, "{}"},
    {"whistle", S_IN_PROGRESS, "{\"units\":[\"%W\"]}"},
    {"report", S_WHISTLED, "{\"on_site\":true}"},
    {"finish", S_REPORTED, "{\"result\":\"已完成\"}"},
    {"rate", S_FINISHED, "{\"unit\":\"%W\",\"timeliness\":5,\"attitude\":5,\"result\":5}"},
    {"return", S_IN_PROGRESS, "{\"cause\":\"territory\",\"evidence\":\"不属本单位辖区\"}"},
    {"decide_return", S_RETURNED, "{\"decision\":\"reject\"}"},
    {"extend", S_IN_PROGRESS, "{\"new_due\":\"2026-04-30T18:00:00+08:00\",\"reason\":\"需协调\"}"},
    {"decide_extension", S_EXTENSION, "{\"approve\":true}"},
    {"supervise", S_IN_PROGRESS, "{\"instruction\":\"请加快办理\",\"due\":\"2026-03-10T18:00:00+08:00\"}"},
    {"answer_supervision", S_SUPERVISED, "{\"answer\":\"正在办理\"}"},
    {"escalate", S_IN_PROGRESS, "{\"to\":\"district\",\"reason\":\"需要区级协调\"}"},
    {"subdispatch", S_IN_PROGRESS, "{\"community\":\"" COMM "\"}"},
    {"park", S_IN_PROGRESS, "{\"until\":\"2026-06-30\",\"reason\":\"需纳入年度计划\"}"},
    {"unpark", S_PARKED, "{}"},
    {"merge", S_RECEIVED, "{\"into\":%R}"},
    {"link_repeat", S_IN_PROGRESS, "{\"of\":%R}"},
    {"callback", S_REPLIED,
     "{\"valid\":true,\"contacted\":true,\"solved\":true,\"satisfaction\":\"satisfied\"}"},
    {"reopen", S_CLOSED_UNSOLVED, "{\"reason\":\"回访未解决\"}"},
    {"apply_exclusion", S_IN_PROGRESS, "{\"scope\":\"excluded\",\"evidence\":\"不可抗力\"}"},
    {"decide_exclusion", S_EXCLUSION, "{\"approve\":true}"},
    {"locate", S_RECEIVED, "{\"street\":\"" LAOSHAN "\",\"reason\":\"人工确定属地\"}"},
    {"redirect", S_DISPATCHED, "{\"unit\":\"%U\",\"reason\":\"改派\"}"},
    {"reveal", S_IN_PROGRESS, "{\"reason\":\"需要联系诉求人\"}"},
};

static const struct action *action_by_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(actions); i++)
		if (!strcmp(actions[i].name, name))
			return &actions[i];
	return NULL;
}

/* The body template t with %W, %U and %R filled in for case fixture f. */
static const char *fill(struct world *w, const char *t, const struct fixture *f)
{
	char out[1024];
	size_t n = 0;
	for (const char *p = t; *p && n < sizeof(out) - 32; p++) {
		const char *v = NULL;
		if (p[0] == '%' && p[1] == 'W')
			v = *f->task && !f->sub ? f->task : whistled_by(f->lead);
		else if (p[0] == '%' && p[1] == 'U')
			v = strcmp(f->lead, LAOSHAN) ? LAOSHAN : BBS;
		else if (p[0] == '%' && p[1] == 'R')
			v = hpath(w->h, "%lld", w->ref_case);
		if (v) {
			n += (size_t)snprintf(out + n, sizeof(out) - n, "%s", v);
			p++;
		} else {
			out[n++] = *p;
		}
	}
	out[n] = '\0';
	return hpath(w->h, "%s", out);
}

/* ------------------------------------------------------------ cells */

struct cell {
	const struct caller *caller;
	enum rel rel;
	const char *action; /* "-" unless the route is an action's */
	const char *method, *pattern;
};

/* What a cell saw: the status, and for the case list whether it listed the case. */
struct got {
	long status;
	int listed; /* -1: not a list */
};

typedef struct got (*cell_fn)(struct world *w, const struct cell *c);

static const char *caller_token(struct world *w, const struct caller *c)
{
	return c->login ? tok(w, c->login) : NULL;
}

static struct got request(struct world *w, const struct cell *c, const char *method, const char *path,
			  const char *body)
{
	struct got g = {0, -1};
	http(w->h, method, path, caller_token(w, c->caller), body, &g.status);
	return g;
}

static struct got cell_plain_get(struct world *w, const struct cell *c)
{
	return request(w, c, "GET", c->pattern, NULL);
}

static struct got cell_get_query(struct world *w, const struct cell *c)
{
	static const struct {
		const char *pattern, *path;
	} q[] = {
	    {"/api/v1/units", "/api/v1/units?parent=" DISTRICT "&kind=street"},
	    {"/api/v1/config/assessment/{pool}", "/api/v1/config/assessment/street"},
	    {"/api/v1/geo/resolve", "/api/v1/geo/resolve?lat=39.9063&lon=116.2229&crs=gcj02"},
	    {"/api/v1/geo/boundaries", "/api/v1/geo/boundaries?level=district"},
	    {"/api/v1/geo/gazetteer", "/api/v1/geo/gazetteer?per_page=1"},
	    {"/api/v1/users", "/api/v1/users?per_page=1"},
	    {"/api/v1/holidays", "/api/v1/holidays?year=2026"},
	};
	for (size_t i = 0; i < ARRAY_LEN(q); i++)
		if (!strcmp(q[i].pattern, c->pattern))
			return request(w, c, "GET", q[i].path, NULL);
	fail_msg("no query for %s", c->pattern);
	return (struct got){0, -1};
}

/* Log in (or open a session) with the caller's password; no login: an account that does not exist. */
static struct got cell_login(struct world *w, const struct cell *c)
{
	const char *body = hpath(w->h, "{\"login\":\"%s\",\"password\":\"%s\"}",
				 c->caller->login ? c->caller->login : "acc.nobody",
				 c->caller->login ? password_of(w, c->caller->login) : "not-the-password");
	struct got g = {0, -1};
	json_t *j = http(w->h, "POST", c->pattern, NULL, body, &g.status);
	size_t k = (size_t)(c->caller - callers);
	if (g.status != 200 || !c->caller->login)
		return g;
	if (!strcmp(c->pattern, "/api/v1/auth/login")) {
		/* the first session of a caller becomes the one the other cells use */
		bool have = false;
		for (int i = 0; i < w->ntok; i++)
			have |= !strcmp(w->tok[i].login, c->caller->login);
		if (!have && jstr(j, "token") && w->ntok < (int)ARRAY_LEN(w->tok)) {
			w->tok[w->ntok].login = c->caller->login;
			w->tok[w->ntok].password = NULL;
			w->tok[w->ntok++].token = jstr(j, "token");
		}
	} else {
		/* the cookie's token serves the logout cell as a bearer token */
		const char *sc = h_header(w->h, "Set-Cookie");
		const char *eq = sc ? strchr(sc, '=') : NULL;
		if (eq)
			w->spare[k] = hpath(w->h, "%.*s", (int)strcspn(eq + 1, ";"), eq + 1);
	}
	return g;
}

/* Log out a second session of the caller, so the one the cells use lives on. */
static struct got cell_logout(struct world *w, const struct cell *c)
{
	size_t k = (size_t)(c->caller - callers);
	const char *t = NULL;
	if (c->caller->login) {
		t = w->spare[k] ? w->spare[k]
				: login(w->h, c->caller->login, password_of(w, c->caller->login));
		w->spare[k] = NULL;
	}
	struct got g = {0, -1};
	http(w->h, "POST", c->pattern, t, NULL, &g.status);
	return g;
}

/*
 * The caller changes their own password. Every other session of theirs
 * ends; the cells go on with the token the reply gives, and log in with
 * the new password from then on.
 */
static struct got cell_password(struct world *w, const struct cell *c)
{
	struct got g = {0, -1};
	if (!c->caller->login) {
		http(w->h, "POST", c->pattern, NULL, "{\"current_password\":\"x\",\"new_password\":\"y\"}",
		     &g.status);
		return g;
	}
	int k = tok_slot(w, c->caller->login);
	const char *next = hpath(w->h, "jiesu-acc-%d", ++w->serial);
	json_t *j = http(w->h, "POST", c->pattern, w->tok[k].token,
			 hpath(w->h, "{\"current_password\":\"%s\",\"new_password\":\"%s\"}",
			       password_of(w, c->caller->login), next),
			 &g.status);
	if (g.status == 200 && jstr(j, "token")) {
		w->tok[k].token = jstr(j, "token");
		w->tok[k].password = next;
		w->spare[c->caller - callers] = NULL;
	}
	return g;
}

static const char *intake_body(struct world *w)
{
	return hpath(
	    w->h, "{\"type\":\"complaint\",\"title\":\"访问矩阵登记\",\"content\":\"访问矩阵测试用工单。\","
		  "\"requester\":{\"name\":\"王五\",\"phone\":\"13900001111\"},\"place\":{\"street\":\"" BBS
		  "\"},\"auto_dispatch\":false}");
}

static struct got cell_case_create(struct world *w, const struct cell *c)
{
	return request(w, c, "POST", "/api/v1/cases", intake_body(w));
}

/* The case list: does it hold the relation's case (in_progress), on any page? */
static struct got cell_case_list(struct world *w, const struct cell *c)
{
	struct fixture *f;
	long long id = case_for(w, c->caller, c->rel, S_IN_PROGRESS, &f);
	struct got g = {0, 0};
	for (int page = 1;; page++) {
		json_t *j = http(w->h, "GET",
				 hpath(w->h, "/api/v1/cases?status=in_progress&per_page=100&page=%d", page),
				 caller_token(w, c->caller), NULL, &g.status);
		if (g.status != 200)
			return (struct got){g.status, -1};
		size_t i;
		json_t *v;
		json_array_foreach(json_object_get(j, "cases"), i, v)
		{
			if (jint(v, "id") == id)
				g.listed = 1;
		}
		if (g.listed || (long long)page * 100 >= jint(j, "total"))
			return g;
	}
}

static struct got cell_case_get(struct world *w, const struct cell *c)
{
	struct fixture *f;
	long long id = case_for(w, c->caller, c->rel, S_IN_PROGRESS, &f);
	return request(w, c, "GET", hpath(w->h, "/api/v1/cases/%lld", id), NULL);
}

/* An action (or the reveal route) on the relation's case in the state that makes it possible. */
static struct got cell_case_action(struct world *w, const struct cell *c)
{
	bool reveal_route = !strcmp(c->action, "-");
	const struct action *a = action_by_name(reveal_route ? "reveal" : c->action);
	struct fixture *f;
	long long id = case_for(w, c->caller, c->rel, a->state, &f);
	const char *path = reveal_route ? hpath(w->h, "/api/v1/cases/%lld/reveal", id)
					: hpath(w->h, "/api/v1/cases/%lld/actions/%s", id, a->name);
	struct got g = request(w, c, "POST", path, fill(w, a->body, f));
	if (g.status >= 200 && g.status < 300)
		f->live = false; /* changed: the next cell gets another */
	return g;
}

static const char *unit_of_cell(const struct cell *c)
{
	return rel_unit(c->caller, c->rel);
}

static struct got cell_unit_get(struct world *w, const struct cell *c)
{
	return request(w, c, "GET", hpath(w->h, "/api/v1/units/%s", unit_of_cell(c)), NULL);
}

static struct got cell_report(struct world *w, const struct cell *c)
{
	const char *u = unit_of_cell(c);
	if (!strcmp(c->pattern, "/api/v1/reports/rates"))
		return request(w, c, "GET",
			       hpath(w->h, "%s?period=2026-03&pool=street&parent=%s", c->pattern, u), NULL);
	return request(w, c, "GET", hpath(w->h, "%s?period=2026-03&unit=%s", c->pattern, u), NULL);
}

static struct got cell_config_put(struct world *w, const struct cell *c)
{
	return request(w, c, "PUT", "/api/v1/config/assessment/street", "{\"basic_coefficient\":0.9}");
}

static struct got cell_gazetteer_add(struct world *w, const struct cell *c)
{
	const char *body = hpath(w->h, "{\"name\":\"访问矩阵地标%d\",\"unit\":\"%s\",\"kind\":\"landmark\"}",
				 ++w->serial, unit_of_cell(c));
	return request(w, c, "POST", "/api/v1/geo/gazetteer", body);
}

/* Delete an entry naming the relation's unit (made by the centre's admin when none is left). */
static struct got cell_gazetteer_delete(struct world *w, const struct cell *c)
{
	const char *u = unit_of_cell(c);
	int k = 0;
	while (k < w->nentries && strcmp(w->entries[k].unit, u))
		k++;
	if (k == w->nentries) {
		assert_true(w->nentries < (int)ARRAY_LEN(w->entries));
		json_t *j =
		    STEP(w, "admin", "POST", "/api/v1/geo/gazetteer",
			 hpath(w->h, "{\"name\":\"访问矩阵待删%d\",\"unit\":\"%s\",\"kind\":\"landmark\"}",
			       ++w->serial, u),
			 201);
		snprintf(w->entries[k].unit, sizeof(w->entries[k].unit), "%s", u);
		w->entries[k].id = jint(j, "entry.id");
		w->nentries++;
	}
	struct got g =
	    request(w, c, "DELETE", hpath(w->h, "/api/v1/geo/gazetteer/%lld", w->entries[k].id), NULL);
	if (g.status >= 200 && g.status < 300)
		w->entries[k] = w->entries[--w->nentries];
	return g;
}

static struct got cell_user_create(struct world *w, const struct cell *c)
{
	const char *body =
	    hpath(w->h,
		  "{\"login\":\"acc.new%d\",\"name\":\"新账号\",\"role\":\"handler\",\"unit\":\"" BBS
		  "\",\"password\":\"jiesu-demo-new\"}",
		  ++w->serial);
	return request(w, c, "POST", "/api/v1/users", body);
}

static struct got cell_user_update(struct world *w, const struct cell *c)
{
	return request(w, c, "PATCH", hpath(w->h, "/api/v1/users/%lld", w->target_user),
		       hpath(w->h, "{\"name\":\"改名%d\"}", ++w->serial));
}

static struct got cell_unit_create(struct world *w, const struct cell *c)
{
	int k = ++w->serial;
	const char *body =
	    hpath(w->h,
		  "{\"code\":\"acc-unit-%d\",\"name\":\"访问矩阵社区%d\",\"kind\":\"community\","
		  "\"parent\":\"" BBS "\"}",
		  k, k);
	return request(w, c, "POST", "/api/v1/units", body);
}

static struct got cell_unit_update(struct world *w, const struct cell *c)
{
	return request(w, c, "PATCH", "/api/v1/units/acc-unit-0",
		       hpath(w->h, "{\"name\":\"访问矩阵改名%d\"}", ++w->serial));
}

static struct got cell_category_create(struct world *w, const struct cell *c)
{
	const char *body =
	    hpath(w->h, "{\"path\":\"访问矩阵->测试->分类%d\",\"tier\":\"general\",\"handling\":\"street\"}",
		  ++w->serial);
	return request(w, c, "POST", "/api/v1/categories", body);
}

static struct got cell_category_update(struct world *w, const struct cell *c)
{
	return request(w, c, "PATCH", hpath(w->h, "/api/v1/categories/%lld", w->category),
		       "{\"tier\":\"complex\"}");
}

#define HOLIDAY_PUT "2026-11-23"    /* a Monday */
#define HOLIDAY_DELETE "2026-11-24" /* a Tuesday, put there by the centre's admin before each try */

static struct got cell_holiday_put(struct world *w, const struct cell *c)
{
	return request(w, c, "PUT", "/api/v1/holidays/" HOLIDAY_PUT,
		       "{\"kind\":\"off\",\"name\":\"访问矩阵\"}");
}

static struct got cell_holiday_delete(struct world *w, const struct cell *c)
{
	if (!w->holiday_set) {
		STEP(w, "admin", "PUT", "/api/v1/holidays/" HOLIDAY_DELETE,
		     "{\"kind\":\"off\",\"name\":\"访问矩阵\"}", 200);
		w->holiday_set = true;
	}
	struct got g = request(w, c, "DELETE", "/api/v1/holidays/" HOLIDAY_DELETE, NULL);
	if (g.status >= 200 && g.status < 300)
		w->holiday_set = false;
	return g;
}

/* Every route of src/api/api.c, what it acts on, and how a cell exercises it. */
static const struct route {
	const char *method, *pattern;
	enum target target;
	cell_fn run;
} routes[] = {
    {"GET", "/healthz", T_NONE, cell_plain_get},
    {"POST", "/api/v1/auth/login", T_NONE, cell_login},
    {"POST", "/api/v1/auth/session", T_NONE, cell_login},
    {"POST", "/api/v1/auth/logout", T_NONE, cell_logout},
    {"GET", "/api/v1/me", T_NONE, cell_plain_get},
    {"POST", "/api/v1/me/password", T_NONE, cell_password},
    {"GET", "/api/v1/units", T_NONE, cell_get_query},
    {"GET", "/api/v1/units/{code}", T_UNIT, cell_unit_get},
    {"GET", "/api/v1/categories", T_NONE, cell_plain_get},
    {"POST", "/api/v1/cases", T_NONE, cell_case_create},
    {"GET", "/api/v1/cases", T_CASE, cell_case_list},
    {"GET", "/api/v1/cases/{id}", T_CASE, cell_case_get},
    {"POST", "/api/v1/cases/{id}/actions/{action}", T_CASE, cell_case_action},
    {"POST", "/api/v1/cases/{id}/reveal", T_CASE, cell_case_action},
    {"GET", "/api/v1/reports/rates", T_UNIT, cell_report},
    {"GET", "/api/v1/reports/people", T_UNIT, cell_report},
    {"GET", "/api/v1/reports/cases", T_UNIT, cell_report},
    {"GET", "/api/v1/config/assessment/{pool}", T_NONE, cell_get_query},
    {"PUT", "/api/v1/config/assessment/{pool}", T_NONE, cell_config_put},
    {"GET", "/api/v1/geo/resolve", T_NONE, cell_get_query},
    {"GET", "/api/v1/geo/boundaries", T_NONE, cell_get_query},
    {"GET", "/api/v1/geo/gazetteer", T_NONE, cell_get_query},
    {"POST", "/api/v1/geo/gazetteer", T_PLACE, cell_gazetteer_add},
    {"DELETE", "/api/v1/geo/gazetteer/{id}", T_PLACE, cell_gazetteer_delete},
    {"GET", "/api/v1/users", T_NONE, cell_get_query},
    {"POST", "/api/v1/users", T_NONE, cell_user_create},
    {"PATCH", "/api/v1/users/{id}", T_NONE, cell_user_update},
    {"POST", "/api/v1/units", T_NONE, cell_unit_create},
    {"PATCH", "/api/v1/units/{code}", T_NONE, cell_unit_update},
    {"POST", "/api/v1/categories", T_NONE, cell_category_create},
    {"PATCH", "/api/v1/categories/{id}", T_NONE, cell_category_update},
    {"GET", "/api/v1/holidays", T_NONE, cell_get_query},
    {"PUT", "/api/v1/holidays/{date}", T_NONE, cell_holiday_put},
    {"DELETE", "/api/v1/holidays/{date}", T_NONE, cell_holiday_delete},
};

static const struct route *route_find(const char *method, const char *pattern)
{
	for (size_t i = 0; i < ARRAY_LEN(routes); i++)
		if (!strcmp(routes[i].method, method) && !strcmp(routes[i].pattern, pattern))
			return &routes[i];
	return NULL;
}

static bool is_action_route(const struct route *r)
{
	return strstr(r->pattern, "{action}") != NULL;
}

/* ------------------------------------------------------------ the table */

struct row {
	int line;
	const struct route *route;
	const struct action *action; /* NULL unless the action route */
	const struct caller *caller;
	enum rel rel;
	char expect[16];
};

static const char *const outcomes[] = {"2xx", "2xx:listed", "2xx:unlisted", "401", "403", "404", "409"};

/* Problems with the table itself, printed together. */
struct problems {
	int n;
};

static void problem(struct problems *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(struct problems *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "access matrix: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	p->n++;
}

/* Split line at tabs into at most max fields (in place); returns how many. */
static int split_tabs(char *line, char **f, int max)
{
	int n = 0;
	for (char *p = line; n < max;) {
		f[n++] = p;
		p = strchr(p, '\t');
		if (!p)
			break;
		*p++ = '\0';
	}
	return n;
}

/* Read the table into rows (at most MAX_ROWS); each bad row is a problem. */
static int read_matrix(const char *path, struct row *rows, struct problems *p)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		problem(p, "cannot open %s (run from the repository root, or set JIESU_ACCESS_MATRIX)", path);
		return 0;
	}
	char line[1024];
	int n = 0, lineno = 0;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		char *fl[8];
		int nf = split_tabs(line, fl, 8);
		if (nf < 6 || (nf > 6 && fl[6][0] != '#') || nf > 7) {
			problem(p, "line %d: want 6 tab-separated fields and an optional # comment", lineno);
			continue;
		}
		if (n == MAX_ROWS) {
			problem(p, "more than %d rows", MAX_ROWS);
			break;
		}
		struct row *r = &rows[n];
		r->line = lineno;
		r->route = route_find(fl[0], fl[1]);
		r->action = NULL;
		r->caller = NULL;
		r->rel = NREL;
		if (!r->route) {
			problem(p, "line %d: no route %s %s", lineno, fl[0], fl[1]);
			continue;
		}
		if (is_action_route(r->route) ? !(r->action = action_by_name(fl[2]))
					      : strcmp(fl[2], "-") != 0) {
			problem(p, "line %d: action %s does not fit route %s", lineno, fl[2], fl[1]);
			continue;
		}
		for (size_t i = 0; i < NCALLERS; i++)
			if (!strcmp(callers[i].name, fl[3]))
				r->caller = &callers[i];
		for (int i = 0; i < NREL; i++)
			if (!strcmp(rel_names[i], fl[4]))
				r->rel = (enum rel)i;
		if (!r->caller || r->rel == NREL) {
			problem(p, "line %d: unknown caller %s or relation %s", lineno, fl[3], fl[4]);
			continue;
		}
		if (!(rel_set(r->caller->kind, r->route->target) & (1u << r->rel))) {
			problem(p, "line %d: %s has no relation %s to what %s %s acts on", lineno, fl[3],
				fl[4], fl[0], fl[1]);
			continue;
		}
		bool known = false;
		for (size_t i = 0; i < ARRAY_LEN(outcomes); i++)
			known |= !strcmp(outcomes[i], fl[5]);
		bool list = r->route->run == cell_case_list;
		if (!known || (strstr(fl[5], "listed") && !list) || (list && !strcmp(fl[5], "2xx"))) {
			problem(p,
				"line %d: outcome %s (want 2xx, 401, 403, 404 or 409; 2xx:listed or "
				"2xx:unlisted for the case list)",
				lineno, fl[5]);
			continue;
		}
		snprintf(r->expect, sizeof(r->expect), "%s", fl[5]);
		n++;
	}
	fclose(f);
	return n;
}

/*
 * The names a source file declares in a table: each line of the block
 * that starts at the line containing start, up to "};", holding a string
 * after key ("{\"" for routes, "] = {\"" for rules). Calls fn with the
 * line from the string on.
 */
static void source_table(const char *path, const char *start, const char *key,
			 void (*fn)(void *, const char *), void *ctx, struct problems *p)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		problem(p, "cannot open %s (run from the repository root)", path);
		return;
	}
	char line[1024];
	bool in = false;
	int found = 0;
	while (fgets(line, sizeof(line), f)) {
		if (!in) {
			in = strstr(line, start) != NULL;
			continue;
		}
		if (!strncmp(line, "};", 2))
			break;
		const char *k = strstr(line, key);
		if (k) {
			fn(ctx, k + strlen(key));
			found++;
		}
	}
	fclose(f);
	if (!found)
		problem(p, "no table \"%s\" in %s", start, path);
}

struct coverage {
	const struct row *rows;
	int nrows;
	struct problems *p;
};

/* Every caller must have exactly its relations for route r (and action a). */
static void check_cells(struct coverage *cv, const struct route *r, const struct action *a)
{
	for (size_t k = 0; k < NCALLERS; k++) {
		unsigned want = rel_set(callers[k].kind, r->target), have = 0;
		for (int i = 0; i < cv->nrows; i++) {
			const struct row *w = &cv->rows[i];
			if (w->route != r || w->action != a || w->caller != &callers[k])
				continue;
			if (have & (1u << w->rel))
				problem(cv->p, "line %d: a second row for %s %s %s %s %s", w->line, r->method,
					r->pattern, a ? a->name : "-", callers[k].name, rel_names[w->rel]);
			have |= 1u << w->rel;
		}
		for (int rl = 0; rl < NREL; rl++)
			if ((want & ~have) & (1u << rl))
				problem(cv->p, "no row for %s %s %s %s %s", r->method, r->pattern,
					a ? a->name : "-", callers[k].name, rel_names[rl]);
	}
}

static void route_seen(void *ctx, const char *s)
{
	struct coverage *cv = ctx;
	char method[16], pattern[256];
	if (sscanf(s, "%15[^\"]\", \"%255[^\"]\"", method, pattern) != 2) {
		problem(cv->p, "cannot read the route line %s", s);
		return;
	}
	const struct route *r = route_find(method, pattern);
	if (!r) {
		problem(cv->p, "route %s %s of src/api/api.c has no way to be exercised here", method,
			pattern);
		return;
	}
	if (!is_action_route(r))
		check_cells(cv, r, NULL);
}

static void rule_seen(void *ctx, const char *s)
{
	struct coverage *cv = ctx;
	char name[64];
	if (sscanf(s, "%63[^\"]\"", name) != 1) {
		problem(cv->p, "cannot read the rule line %s", s);
		return;
	}
	const struct action *a = action_by_name(name);
	if (!a) {
		problem(cv->p, "action %s of src/domain/case.c has no state and body here", name);
		return;
	}
	check_cells(cv, route_find("POST", "/api/v1/cases/{id}/actions/{action}"), a);
}

/* ------------------------------------------------------------ the run */

/* Whether an action name is one a user may take (not create, nor the sweep's). */
static bool user_action(const struct action *a)
{
	return strcmp(a->name, "create") && strcmp(a->name, "warning") && strcmp(a->name, "overdue");
}

/*
 * The outcome as the table writes it. A case route's 404 must be the one
 * a missing case gets (not_found on field id), or for a name that is no
 * action, the one any unknown action gets (field action).
 */
static const char *outcome(struct world *w, const struct row *r, struct got g)
{
	if (g.status >= 200 && g.status < 300)
		return g.listed < 0 ? "2xx" : g.listed ? "2xx:listed" : "2xx:unlisted";
	if (g.status == 404 && r->route->target == T_CASE) {
		const char *field = r->action && !user_action(r->action) ? "action" : "id";
		json_error_t jerr;
		json_t *j = json_loads(w->h->last_body ? w->h->last_body : "", 0, &jerr);
		bool same = j && !strcmp(jstr(j, "error.code") ? jstr(j, "error.code") : "", "not_found") &&
			    jstr(j, "error.field") && !strcmp(jstr(j, "error.field"), field);
		json_decref(j);
		if (!same)
			return "404 (not as for a missing case)";
	}
	return hpath(w->h, "%ld", g.status);
}

/* The accounts, the unit, the category and the case the cells name. */
static void world_setup(struct world *w)
{
	for (size_t i = 0; i < ARRAY_LEN(extra_users); i++) {
		json_t *u =
		    STEP(w, "admin", "POST", "/api/v1/users",
			 hpath(w->h,
			       "{\"login\":\"%s\",\"name\":\"访问矩阵\",\"role\":\"%s\",\"unit\":\"%s\","
			       "\"password\":\"" H_PASSWORD "\"}",
			       extra_users[i].login, extra_users[i].role, extra_users[i].unit),
			 201);
		if (!strcmp(extra_users[i].login, "acc.target"))
			w->target_user = jint(u, "id");
	}
	STEP(w, "admin", "POST", "/api/v1/units",
	     "{\"code\":\"acc-unit-0\",\"name\":\"访问矩阵社区\",\"kind\":\"community\",\"parent\":\"" BBS
	     "\"}",
	     201);
	w->category = jint(
	    STEP(w, "admin", "POST", "/api/v1/categories",
		 "{\"path\":\"访问矩阵->测试->待改\",\"tier\":\"general\",\"handling\":\"street\"}", 201),
	    "id");
	w->ref_case = build_case(w, BBS, "", false, S_IN_PROGRESS);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_matrix(void **state)
{
	static struct world world;
	static struct row rows[MAX_ROWS];
	struct world *w = &world;
	struct problems p = {0};
	double t0 = now_s();
	memset(w, 0, sizeof(*w));
	w->h = *state;

	const char *path = getenv("JIESU_ACCESS_MATRIX");
	int n = read_matrix(path && *path ? path : MATRIX_DEFAULT, rows, &p);
	struct coverage cv = {rows, n, &p};
	source_table("src/api/api.c", "} routes[] = {", "{\"", route_seen, &cv, &p);
	source_table("src/domain/case.c", "rules[CASE_ACTION_COUNT] = {", "] = {\"", rule_seen, &cv, &p);
	if (p.n)
		fail_msg("the access matrix has %d problems (above)", p.n);

	assert_true(h_start(w->h, H_NOW, NULL));
	world_setup(w);
	int differ = 0;
	for (int i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		struct cell c = {r->caller, r->rel, r->action ? r->action->name : "-", r->route->method,
				 r->route->pattern};
		struct got g = r->route->run(w, &c);
		const char *o = outcome(w, r, g);
		if (strcmp(o, r->expect) != 0) {
			differ++;
			fprintf(stderr, "access: line %d: %s %s %s %s %s: expected %s, got %s: %.300s\n",
				r->line, r->route->method, r->route->pattern, c.action, r->caller->name,
				rel_names[r->rel], r->expect, o, w->h->last_body ? w->h->last_body : "");
		}
	}
	printf("access: %d cells, %d differ (%d cases made, %.1f s)\n", n, differ, w->npool + 1,
	       now_s() - t0);
	if (differ)
		fail_msg("%d cells of the access matrix differ from the server (listed above)", differ);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_matrix, h_setup, h_teardown),
	};
	int failed =
	    cmocka_run_group_tests_name("integration: access matrix", tests, h_group_setup, h_group_teardown);
	printf("%lu checks\n", h_checks());
	return failed ? 1 : 0;
}
