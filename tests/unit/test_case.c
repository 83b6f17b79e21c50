/*
 * test_case — the case lifecycle (DOMAIN.md §4, §5, §12) on a real SQLite
 * database: every action in every reachable state, roles and scope,
 * refusals that change nothing, the fold and rebuild, the deadlines set at
 * dispatch, the sweep, intake validation and masking.
 *
 * The Beijing demo set and the users are created once in a template
 * database (argon2id costs ~0.1 s a user); each test works on its own copy
 * in a fresh temporary directory (tests/unit/fixture.h), so tests never
 * see each other's cases.
 * The clock is always passed explicitly: nothing here reads the wall clock.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/auth.h"
#include "domain/case.h"
#include "domain/catalog.h"
#include "fixture.h"

#define LEAD "110107001"	       /* 八宝山街道: the lead unit of most cases here */
#define OTHER_STREET "110107002"       /* 老山街道: same district, another street */
#define DISTRICT "110107"	       /* 石景山区 */
#define OTHER_COMMUNITY "110107002001" /* 高能所社区, in 老山街道 */

/* ---------------------------------------------------------------- fixture */

enum who {
	U_AGENT,
	U_DISPATCHER,
	U_HANDLER,    /* lead street */
	U_HEAD,	      /* lead street */
	U_SUPERVISOR, /* the district */
	U_ASSESSOR,   /* centre */
	U_ADMIN,      /* centre */
	U_OTHER,      /* a handler of another street */
	U_DISTRICT_HANDLER,
	U_COUNT
};

/* The template's accounts (fixture.h); f->a[w] is the actor of users[w]. */
static const struct fixture_user users[U_COUNT] = {
    [U_AGENT] = {"agent", CENTRE_CODE, "agent"},
    [U_DISPATCHER] = {"dispatcher", CENTRE_CODE, "dispatcher"},
    [U_HANDLER] = {"handler", LEAD, "handler"},
    [U_HEAD] = {"head", LEAD, "head"},
    [U_SUPERVISOR] = {"supervisor", DISTRICT, "supervisor"},
    [U_ASSESSOR] = {"assessor", CENTRE_CODE, "assessor"},
    [U_ADMIN] = {"admin", CENTRE_CODE, "admin"},
    [U_OTHER] = {"other", OTHER_STREET, "handler"},
    [U_DISTRICT_HANDLER] = {"district", DISTRICT, "handler"},
};

#define assert_time(t, iso)                                           \
	do {                                                          \
		char got_[26];                                        \
		time_format_iso((t), got_);                           \
		if ((t) != T(iso))                                    \
			fail_msg("expected %s, got %s", (iso), got_); \
	} while (0)

/* ---------------------------------------------------------------- helpers */

static int64_t tick(struct fx *f)
{
	f->now += 60;
	return f->now;
}

/* A valid intake: a consultation about a place in the lead street. */
static void sample_input(struct case_input *in, enum case_type type)
{
	memset(in, 0, sizeof(*in));
	in->type = (int)type;
	strlcpy_ok(in->channel, "phone", sizeof(in->channel));
	strlcpy_ok(in->title, "路灯不亮", sizeof(in->title));
	strlcpy_ok(in->content, "八宝山路口的路灯连续三晚不亮。", sizeof(in->content));
	strlcpy_ok(in->address, "石景山区八宝山路 1 号", sizeof(in->address));
	in->tier = -1;
	strlcpy_ok(in->req_name, "张三", sizeof(in->req_name));
	strlcpy_ok(in->req_phone, "13812345678", sizeof(in->req_phone));
	strlcpy_ok(in->street, LEAD, sizeof(in->street));
}

static int64_t create_case(struct fx *f, enum case_type type)
{
	struct case_input in;
	struct case_rec *c = malloc(sizeof(*c));
	struct err e;
	err_init(&e);
	sample_input(&in, type);
	assert_code(case_create(&f->cx, &f->a[U_AGENT], &in, tick(f), c, &e), OK, &e);
	assert_int_equal(c->status, CS_RECEIVED);
	int64_t id = c->id;
	free(c);
	return id;
}

/* A valid input for each action. */
static void default_input(enum case_action a, struct action_input *in)
{
	action_input_init(in);
	switch (a) {
	case ACT_ANSWER:
		strlcpy_ok(in->text, "路灯归区城管委管理，已告知报修电话。", sizeof(in->text));
		break;
	case ACT_REFER:
		strlcpy_ok(in->outcome, "repeat", sizeof(in->outcome));
		strlcpy_ok(in->text, "重复诉求，已告知办理进度。", sizeof(in->text));
		break;
	case ACT_DISPATCH:
		strlcpy_ok(in->unit, LEAD, sizeof(in->unit));
		break;
	case ACT_CONTACT:
		in->reached = 1;
		strlcpy_ok(in->method, "phone", sizeof(in->method));
		break;
	case ACT_NOTE:
		strlcpy_ok(in->text, "已电话核实。", sizeof(in->text));
		break;
	case ACT_REPLY:
		strlcpy_ok(in->text, "已更换灯泡，路灯恢复。", sizeof(in->text));
		in->solved = 1;
		break;
	case ACT_RETURN:
		strlcpy_ok(in->code, "territory", sizeof(in->code));
		strlcpy_ok(in->text, "该路段属老山街道辖区。", sizeof(in->text));
		break;
	case ACT_DECIDE_RETURN:
		strlcpy_ok(in->code, "redispatch", sizeof(in->code));
		strlcpy_ok(in->unit, OTHER_STREET, sizeof(in->unit));
		break;
	default:
		break;
	}
}

/* Run action a with its default input at the next tick. */
static enum err_code act(struct fx *f, enum who w, int64_t id, enum case_action a, struct case_rec *out,
			 struct err *e)
{
	struct action_input in;
	default_input(a, &in);
	err_init(e);
	return case_act(&f->cx, &f->a[w], id, a, &in, tick(f), out, e);
}

static void act_ok(struct fx *f, enum who w, int64_t id, enum case_action a)
{
	struct case_rec *c = malloc(sizeof(*c));
	struct err e;
	assert_code(act(f, w, id, a, c, &e), OK, &e);
	free(c);
}

static struct case_rec *get_case(struct fx *f, int64_t id)
{
	struct case_rec *c = malloc(sizeof(*c));
	struct err e;
	err_init(&e);
	assert_code(store_case_get(f->st, id, c, &e), OK, &e);
	return c;
}

static int count_one_event(void *ctx, const struct event_rec *ev)
{
	(*(int *)ctx)++;
	return 0;
}

static int count_events(struct fx *f, int64_t id)
{
	int n = 0;
	struct err e;
	err_init(&e);
	assert_code(store_events_list(f->st, id, count_one_event, &n, &e), OK, &e);
	return n;
}

/* The last event of a case: its action and payload copied out. */
struct last_event {
	char action[32];
	char payload[512];
	int64_t at;
	int64_t user_id;
};

static int keep_last(void *ctx, const struct event_rec *ev)
{
	struct last_event *l = ctx;
	strlcpy_ok(l->action, ev->action, sizeof(l->action));
	strlcpy_ok(l->payload, ev->payload ? ev->payload : "", sizeof(l->payload));
	l->at = ev->at;
	l->user_id = ev->user_id;
	return 0;
}

static struct last_event last_event(struct fx *f, int64_t id)
{
	struct last_event l = {0};
	struct err e;
	err_init(&e);
	assert_code(store_events_list(f->st, id, keep_last, &l, &e), OK, &e);
	return l;
}

/*
 * Drive a new consultation into state s with the real actions. Only the
 * states this issue can reach: returned and parked have no action yet.
 */
static int64_t case_in_state(struct fx *f, enum case_status s)
{
	int64_t id = create_case(f, CT_CONSULTATION);
	switch (s) {
	case CS_RECEIVED:
		break;
	case CS_ANSWERED:
		act_ok(f, U_AGENT, id, ACT_ANSWER);
		break;
	case CS_REFERRED:
		act_ok(f, U_AGENT, id, ACT_REFER);
		break;
	case CS_CLOSED:
	case CS_REPLIED:
	case CS_IN_PROGRESS:
	case CS_ACCEPTED:
	case CS_DISPATCHED:
		act_ok(f, U_DISPATCHER, id, ACT_DISPATCH);
		if (s == CS_DISPATCHED)
			break;
		act_ok(f, U_HANDLER, id, ACT_SIGN);
		if (s == CS_ACCEPTED)
			break;
		act_ok(f, U_HANDLER, id, ACT_CONTACT);
		if (s == CS_IN_PROGRESS)
			break;
		act_ok(f, U_HANDLER, id, ACT_REPLY);
		if (s == CS_REPLIED)
			break;
		act_ok(f, U_AGENT, id, ACT_CLOSE);
		break;
	default:
		fail_msg("state %s is not reachable in this issue", case_status_name(s));
	}
	struct case_rec *c = get_case(f, id);
	assert_string_equal(case_status_name(c->status), case_status_name(s));
	free(c);
	return id;
}

/*
 * Try an action that must be refused with want, and check that it changed
 * nothing: the row is identical field by field and no event was appended.
 */
static void assert_refused(struct fx *f, enum who w, int64_t id, enum case_action a, enum err_code want)
{
	struct case_rec *before = get_case(f, id), *after, *out = malloc(sizeof(*out));
	int nev = count_events(f, id);
	struct err e;
	enum err_code rc = act(f, w, id, a, out, &e);
	if (rc != want)
		fail_msg("%s by %s in %s: expected %s, got %s (%s)", case_action_name(a), users[w].login,
			 case_status_name(before->status), err_code_name(want), err_code_name(rc), e.msg);
	after = get_case(f, id);
	const char *d = case_diff(before, after);
	if (d)
		fail_msg("refused %s changed the case: field %s", case_action_name(a), d);
	assert_int_equal(count_events(f, id), nev);
	free(before);
	free(after);
	free(out);
}

/* ---------------------------------------------------------------- state matrix */

/*
 * Every user action in every state this issue can reach, written out by
 * hand from DOMAIN.md §4 (not from case.c's rules table):
 *   received → answered | referred | dispatched; dispatched → accepted;
 *   accepted → in_progress by a contact that reached the requester; a
 *   further contact keeps in_progress; in_progress → replied;
 *   replied → closed; answered, referred and closed are final here
 *   (reopen comes later). A note is part of the record in every state.
 * returned and parked are not reachable yet (no return / park action in
 * this issue), so they have no row; dispatch-from-returned is untested.
 *
 * A cell is the resulting state, or a refusal:
 *   XS  E_STATE — the acting user could do this, but not in this state;
 *   NV  E_NOT_FOUND — a unit action (sign, contact, reply) before any
 *       dispatch: no unit is linked to the case yet, so the unit's user
 *       cannot even see it (visibility is checked first, so as not to
 *       reveal that the case exists), and nobody can reach the state check.
 * Centre actions and notes are taken by the agent, unit actions by the
 * lead street's handler.
 */
#define XS (-1)
#define NV (-2)

static const enum case_status reachable[] = {CS_RECEIVED, CS_ANSWERED,	  CS_REFERRED, CS_DISPATCHED,
					     CS_ACCEPTED, CS_IN_PROGRESS, CS_REPLIED,  CS_CLOSED};
static const enum case_action user_actions[] = {ACT_ANSWER,  ACT_REFER, ACT_DISPATCH, ACT_SIGN,
						ACT_CONTACT, ACT_NOTE,	ACT_REPLY,    ACT_CLOSE};

/* Short names for the table. */
#define RCV CS_RECEIVED
#define ANS CS_ANSWERED
#define REF CS_REFERRED
#define DSP CS_DISPATCHED
#define ACC CS_ACCEPTED
#define INP CS_IN_PROGRESS
#define RPL CS_REPLIED
#define CLO CS_CLOSED

/* clang-format off */
static const int state_matrix[ARRAY_SIZE(reachable)][ARRAY_SIZE(user_actions)] = {
	/*                answer refer dispatch sign contact note reply close */
	/* received */    {ANS,  REF,  DSP,     NV,  NV,     RCV, NV,   XS},
	/* answered */    {XS,   XS,   XS,      NV,  NV,     ANS, NV,   XS},
	/* referred */    {XS,   XS,   XS,      NV,  NV,     REF, NV,   XS},
	/* dispatched */  {XS,   XS,   XS,      ACC, XS,     DSP, XS,   XS},
	/* accepted */    {XS,   XS,   XS,      XS,  INP,    ACC, XS,   XS},
	/* in_progress */ {XS,   XS,   XS,      XS,  INP,    INP, RPL,  XS},
	/* replied */     {XS,   XS,   XS,      XS,  XS,     RPL, XS,   CLO},
	/* closed */      {XS,   XS,   XS,      XS,  XS,     CLO, XS,   XS},
};
/* clang-format on */

static enum who actor_for(enum case_action a)
{
	switch (a) {
	case ACT_SIGN:
	case ACT_CONTACT:
	case ACT_REPLY:
		return U_HANDLER;
	default:
		return U_AGENT;
	}
}

static void test_state_matrix(void **state)
{
	struct fx *f = *state;
	int ok = 0, refused = 0;
	for (size_t s = 0; s < ARRAY_SIZE(reachable); s++) {
		for (size_t i = 0; i < ARRAY_SIZE(user_actions); i++) {
			enum case_action a = user_actions[i];
			int want = state_matrix[s][i];
			int64_t id = case_in_state(f, reachable[s]);
			if (want == XS || want == NV) {
				assert_refused(f, actor_for(a), id, a, want == XS ? E_STATE : E_NOT_FOUND);
				refused++;
				continue;
			}
			struct case_rec *before = get_case(f, id), *out = malloc(sizeof(*out));
			struct err e;
			enum err_code rc = act(f, actor_for(a), id, a, out, &e);
			if (rc != OK)
				fail_msg("%s in %s: expected OK → %s, got %s (%s)", case_action_name(a),
					 case_status_name(reachable[s]),
					 case_status_name((enum case_status)want), err_code_name(rc), e.msg);
			if ((int)out->status != want)
				fail_msg("%s in %s: expected %s, got %s", case_action_name(a),
					 case_status_name(reachable[s]),
					 case_status_name((enum case_status)want),
					 case_status_name(out->status));
			assert_int_equal(out->seq, before->seq + 1);
			assert_int_equal(count_events(f, id), before->seq + 1);
			assert_int_equal(out->updated_at, f->now);
			struct case_rec *stored = get_case(f, id);
			assert_null(case_diff(out, stored));
			struct last_event l = last_event(f, id);
			assert_string_equal(l.action, case_action_name(a));
			assert_int_equal(l.user_id, f->a[actor_for(a)].user.id);
			free(before);
			free(out);
			free(stored);
			ok++;
		}
	}
	/* 8 states × 8 actions: 16 allowed, 48 refused */
	assert_int_equal(ok, 16);
	assert_int_equal(refused, 48);
}

/* Only a consultation may be answered on the spot; other types are dispatched or referred. */
static void test_answer_only_consultation(void **state)
{
	struct fx *f = *state;
	int64_t id = create_case(f, CT_COMPLAINT);
	assert_refused(f, U_AGENT, id, ACT_ANSWER, E_STATE);
	struct case_rec *c = get_case(f, id);
	assert_int_equal(c->status, CS_RECEIVED);
	assert_int_equal(case_allowed_actions(f->st, &f->a[U_AGENT], c, f->now),
			 (1u << ACT_REFER) | (1u << ACT_DISPATCH) | (1u << ACT_NOTE) | (1u << ACT_MERGE) |
				 (1u << ACT_LINK_REPEAT) | (1ull << ACT_LOCATE) | (1ull << ACT_REVEAL));
	free(c);
	act_ok(f, U_AGENT, id, ACT_REFER);
	c = get_case(f, id);
	assert_int_equal(c->status, CS_REFERRED);
	assert_string_equal(c->referral, "repeat");
	assert_string_equal(c->answer, "重复诉求，已告知办理进度。");
	free(c);
}

/* Action inputs are checked: a refused input changes nothing. */
static void test_action_input(void **state)
{
	struct fx *f = *state;
	struct action_input in;
	struct case_rec *out = malloc(sizeof(*out));
	struct err e;
	int64_t id = case_in_state(f, CS_RECEIVED);
	int nev = count_events(f, id);

	action_input_init(&in);
	strlcpy_ok(in.outcome, "bored", sizeof(in.outcome));
	strlcpy_ok(in.text, "x", sizeof(in.text));
	err_init(&e);
	assert_code(case_act(&f->cx, &f->a[U_AGENT], id, ACT_REFER, &in, tick(f), out, &e), E_INVALID, &e);
	assert_string_equal(e.field, "outcome");

	action_input_init(&in);
	strlcpy_ok(in.unit, "12345", sizeof(in.unit));
	err_init(&e);
	assert_code(case_act(&f->cx, &f->a[U_AGENT], id, ACT_DISPATCH, &in, tick(f), out, &e), E_INVALID, &e);
	assert_string_equal(e.field, "unit");

	action_input_init(&in);
	strlcpy_ok(in.unit, "999999999", sizeof(in.unit));
	err_init(&e);
	assert_code(case_act(&f->cx, &f->a[U_AGENT], id, ACT_DISPATCH, &in, tick(f), out, &e), E_INVALID, &e);
	assert_string_equal(e.field, "unit");

	assert_int_equal(count_events(f, id), nev);
	struct case_rec *c = get_case(f, id);
	assert_int_equal(c->status, CS_RECEIVED);

	/* no unit given: the place's street leads, its district gets a copy */
	action_input_init(&in);
	err_init(&e);
	assert_code(case_act(&f->cx, &f->a[U_AGENT], id, ACT_DISPATCH, &in, tick(f), out, &e), OK, &e);
	assert_string_equal(out->lead_unit, LEAD);
	assert_int_equal(out->ncopies, 1);
	assert_string_equal(out->copies[0], DISTRICT);

	act_ok(f, U_HANDLER, id, ACT_SIGN);
	action_input_init(&in); /* reached unset */
	err_init(&e);
	assert_code(case_act(&f->cx, &f->a[U_HANDLER], id, ACT_CONTACT, &in, tick(f), out, &e), E_INVALID,
		    &e);
	assert_string_equal(e.field, "reached");
	act_ok(f, U_HANDLER, id, ACT_CONTACT);
	action_input_init(&in);
	strlcpy_ok(in.text, "已处理", sizeof(in.text)); /* solved unset */
	err_init(&e);
	assert_code(case_act(&f->cx, &f->a[U_HANDLER], id, ACT_REPLY, &in, tick(f), out, &e), E_INVALID, &e);
	assert_string_equal(e.field, "solved");
	free(c);
	c = get_case(f, id);
	assert_int_equal(c->status, CS_IN_PROGRESS);
	free(c);
	free(out);
}

/* ---------------------------------------------------------------- roles and scope */

/*
 * Each user action by each role, written by hand from DOMAIN.md §2 and §4:
 * the centre's agents and dispatchers record, answer, refer, dispatch and
 * close; the lead unit's handlers and heads sign, contact and reply; notes
 * are for the centre, the handling units and supervisors; assessors and
 * admins do not act on cases.
 * Where the users sit: agent, dispatcher, assessor, admin at the centre;
 * handler and head at the lead street; supervisor at the lead street's
 * district. Each action is tried on a fresh case in a state that allows
 * it. answer/refer/dispatch act on a received case, which no unit can see
 * yet (NF). sign/note on a dispatched case, contact on an accepted one,
 * reply on one in progress, close on a replied one.
 */
#define OK_ OK
#define FB E_FORBIDDEN
#define NF E_NOT_FOUND

static const enum who roles[] = {U_AGENT, U_DISPATCHER, U_HANDLER, U_HEAD, U_SUPERVISOR, U_ASSESSOR, U_ADMIN};

/* clang-format off */
static const struct {
	enum case_action a;
	enum case_status in;
	enum err_code want[ARRAY_SIZE(roles)];
} role_matrix[] = {
	/*                                     agent dispatcher handler head supervisor assessor admin */
	{ACT_ANSWER, CS_RECEIVED,             {OK_,  OK_,       NF,     NF,  NF,        FB,      FB}},
	{ACT_REFER, CS_RECEIVED,              {OK_,  OK_,       NF,     NF,  NF,        FB,      FB}},
	{ACT_DISPATCH, CS_RECEIVED,           {OK_,  OK_,       NF,     NF,  NF,        FB,      FB}},
	{ACT_SIGN, CS_DISPATCHED,             {FB,   FB,        OK_,    OK_, FB,        FB,      FB}},
	{ACT_CONTACT, CS_ACCEPTED,            {FB,   FB,        OK_,    OK_, FB,        FB,      FB}},
	{ACT_NOTE, CS_DISPATCHED,             {OK_,  OK_,       OK_,    OK_, OK_,       FB,      FB}},
	{ACT_REPLY, CS_IN_PROGRESS,           {FB,   FB,        OK_,    OK_, FB,        FB,      FB}},
	{ACT_CLOSE, CS_REPLIED,               {OK_,  OK_,       FB,     FB,  FB,        FB,      FB}},
};
/* clang-format on */

static void test_role_matrix(void **state)
{
	struct fx *f = *state;
	for (size_t i = 0; i < ARRAY_SIZE(role_matrix); i++) {
		for (size_t r = 0; r < ARRAY_SIZE(roles); r++) {
			enum case_action a = role_matrix[i].a;
			enum err_code want = role_matrix[i].want[r];
			int64_t id = case_in_state(f, role_matrix[i].in);
			if (want != OK) {
				assert_refused(f, roles[r], id, a, want);
				continue;
			}
			struct case_rec *out = malloc(sizeof(*out));
			struct err e;
			enum err_code rc = act(f, roles[r], id, a, out, &e);
			if (rc != OK)
				fail_msg("%s by %s: expected OK, got %s (%s)", case_action_name(a),
					 users[roles[r]].login, err_code_name(rc), e.msg);
			free(out);
		}
	}
}

/*
 * The lead street acts; another street cannot see the case at all; the
 * district sees it through its copy but cannot sign for the street; the
 * centre sees every case, dispatched or not.
 */
static void test_scope(void **state)
{
	struct fx *f = *state;
	struct case_rec *c = malloc(sizeof(*c));
	struct err e;
	int64_t received = case_in_state(f, CS_RECEIVED);
	int64_t id = case_in_state(f, CS_DISPATCHED);

	err_init(&e);
	assert_code(case_get_visible(&f->cx, &f->a[U_HANDLER], id, c, &e), OK, &e);
	assert_string_equal(c->lead_unit, LEAD);
	assert_int_equal(c->ncopies, 1);
	assert_string_equal(c->copies[0], DISTRICT);
	assert_int_equal(case_allowed_actions(f->st, &f->a[U_HANDLER], c, f->now),
			 (1u << ACT_SIGN) | (1u << ACT_NOTE) | (1u << ACT_RETURN) | (1ull << ACT_REVEAL));

	/* another street: not visible, whatever the action */
	err_init(&e);
	assert_code(case_get_visible(&f->cx, &f->a[U_OTHER], id, c, &e), E_NOT_FOUND, &e);
	assert_refused(f, U_OTHER, id, ACT_SIGN, E_NOT_FOUND);
	assert_refused(f, U_OTHER, id, ACT_NOTE, E_NOT_FOUND);

	/* the district: visible through its copy, may note, may not sign */
	err_init(&e);
	assert_code(case_get_visible(&f->cx, &f->a[U_DISTRICT_HANDLER], id, c, &e), OK, &e);
	assert_int_equal(case_allowed_actions(f->st, &f->a[U_DISTRICT_HANDLER], c, f->now), 1u << ACT_NOTE);
	assert_refused(f, U_DISTRICT_HANDLER, id, ACT_SIGN, E_FORBIDDEN);
	act_ok(f, U_DISTRICT_HANDLER, id, ACT_NOTE);
	/* nor a received case, which is linked to no unit yet */
	err_init(&e);
	assert_code(case_get_visible(&f->cx, &f->a[U_DISTRICT_HANDLER], received, c, &e), E_NOT_FOUND, &e);
	err_init(&e);
	assert_code(case_get_visible(&f->cx, &f->a[U_HANDLER], received, c, &e), E_NOT_FOUND, &e);

	/* the centre sees everything, even users who may not act */
	err_init(&e);
	assert_code(case_get_visible(&f->cx, &f->a[U_ADMIN], received, c, &e), OK, &e);
	assert_int_equal(c->id, received);
	assert_int_equal(case_allowed_actions(f->st, &f->a[U_ADMIN], c, f->now), 0);
	err_init(&e);
	assert_code(case_get_visible(&f->cx, &f->a[U_ASSESSOR], id, c, &e), OK, &e);
	err_init(&e);
	assert_code(case_get_visible(&f->cx, &f->a[U_AGENT], received, c, &e), OK, &e);
	assert_int_equal(case_allowed_actions(f->st, &f->a[U_AGENT], c, f->now),
			 (1u << ACT_ANSWER) | (1u << ACT_REFER) | (1u << ACT_DISPATCH) | (1u << ACT_NOTE) |
				 (1u << ACT_MERGE) | (1u << ACT_LINK_REPEAT) | (1ull << ACT_LOCATE) | (1ull << ACT_REVEAL));

	/* the lead street signs */
	act_ok(f, U_HANDLER, id, ACT_SIGN);
	free(c);
	c = get_case(f, id);
	assert_int_equal(c->status, CS_ACCEPTED);

	/* an unknown case is not found, for the centre too */
	err_init(&e);
	assert_code(case_get_visible(&f->cx, &f->a[U_AGENT], 999999, c, &e), E_NOT_FOUND, &e);
	free(c);
}

/* ---------------------------------------------------------------- fold and rebuild */

/*
 * A re-dispatch after a dispute restarts the feedback period by default;
 * a tier whose rule says keep hands the new unit the old deadline.
 */
static void test_redispatch_deadline(void **state)
{
	struct fx *f = *state;
	for (int keep = 0; keep <= 1; keep++) {
		f->cx.tiers[TIER_GENERAL].redispatch_keeps_due = keep;
		int64_t id = case_in_state(f, CS_DISPATCHED);
		struct case_rec *c = get_case(f, id);
		int64_t first_due = c->clocks[CLK_FEEDBACK].due;
		free(c);
		f->now += 3 * 86400; /* the dispute takes a few days */
		act_ok(f, U_HANDLER, id, ACT_RETURN);
		act_ok(f, U_DISPATCHER, id, ACT_DECIDE_RETURN);
		c = get_case(f, id);
		assert_int_equal(c->status, CS_DISPATCHED);
		assert_string_equal(c->lead_unit, OTHER_STREET);
		assert_int_equal(c->returns, 1);
		assert_int_equal(c->clocks[CLK_SIGN].start, f->now);
		if (keep)
			assert_int_equal(c->clocks[CLK_FEEDBACK].due, first_due);
		else
			assert_int_equal(c->clocks[CLK_FEEDBACK].due,
					 deadline_add(f->cx.cal, f->now, 7, SPAN_WORKING_DAYS));
		assert_true(c->clocks[CLK_FEEDBACK].due != (keep ? 0 : first_due));
		free(c);
	}
	f->cx.tiers[TIER_GENERAL].redispatch_keeps_due = false;
}

static void test_fold_rebuild(void **state)
{
	struct fx *f = *state;
	struct action_input in;
	struct case_rec *out = malloc(sizeof(*out)), *rebuilt = malloc(sizeof(*rebuilt));
	struct err e;
	int events = 0;
	int64_t id = create_case(f, CT_COMPLAINT);
	act_ok(f, U_DISPATCHER, id, ACT_DISPATCH);
	act_ok(f, U_HANDLER, id, ACT_SIGN);
	/* a sweep event is folded like any other */
	struct case_rec *c = get_case(f, id);
	err_init(&e);
	assert_code(case_sweep(&f->cx, c->clocks[CLK_CONTACT].warn_at, &events, &e), OK, &e);
	assert_int_equal(events, 1);
	f->now = c->clocks[CLK_CONTACT].warn_at;
	free(c);
	action_input_init(&in);
	in.reached = 0;
	err_init(&e);
	assert_code(case_act(&f->cx, &f->a[U_HANDLER], id, ACT_CONTACT, &in, tick(f), out, &e), OK, &e);
	act_ok(f, U_HANDLER, id, ACT_CONTACT);
	act_ok(f, U_SUPERVISOR, id, ACT_NOTE);
	act_ok(f, U_HANDLER, id, ACT_REPLY);
	act_ok(f, U_AGENT, id, ACT_CLOSE);

	c = get_case(f, id);
	assert_int_equal(c->status, CS_CLOSED);
	assert_int_equal(c->seq, 9); /* create dispatch sign warning contact contact note reply close */
	assert_int_equal(count_events(f, id), 9);
	assert_int_equal(c->closed_at, f->now);
	assert_string_equal(c->result, "已更换灯泡，路灯恢复。");
	assert_int_equal(c->solved, 1);
	assert_true(c->clocks[CLK_CONTACT].warned);

	err_init(&e);
	assert_code(case_rebuild(f->st, id, rebuilt, NULL, NULL, &e), OK, &e);
	const char *d = case_diff(c, rebuilt);
	if (d)
		fail_msg("rebuilt row differs from the stored one in %s", d);

	/* tamper with one field of a copy: case_diff names it */
	*out = *rebuilt;
	out->status = CS_REPLIED;
	assert_string_equal(case_diff(c, out), "status");
	*out = *rebuilt;
	strlcpy_ok(out->lead_unit, OTHER_STREET, sizeof(out->lead_unit));
	assert_string_equal(case_diff(c, out), "lead_unit");
	*out = *rebuilt;
	out->seq++;
	assert_string_equal(case_diff(c, out), "seq");
	*out = *rebuilt;
	strlcpy_ok(out->req_phone, "13900000000", sizeof(out->req_phone));
	assert_string_equal(case_diff(c, out), "req_phone");
	*out = *rebuilt;
	out->clocks[CLK_FEEDBACK].due += 1;
	d = case_diff(c, out);
	assert_non_null(d);
	assert_non_null(strstr(d, "due"));
	*out = *rebuilt;
	out->clocks[CLK_SIGN].overdue = !out->clocks[CLK_SIGN].overdue;
	d = case_diff(c, out);
	assert_non_null(d);
	assert_non_null(strstr(d, "overdue"));

	/* an id with no events cannot be rebuilt */
	err_init(&e);
	assert_code(case_rebuild(f->st, 999999, rebuilt, NULL, NULL, &e), E_NOT_FOUND, &e);
	free(c);
	free(out);
	free(rebuilt);
}

/* ---------------------------------------------------------------- contact */

static void test_contact_reached(void **state)
{
	struct fx *f = *state;
	struct action_input in;
	struct case_rec *out = malloc(sizeof(*out));
	struct err e;
	int64_t id = case_in_state(f, CS_ACCEPTED);

	action_input_init(&in);
	in.reached = 0;
	strlcpy_ok(in.method, "sms", sizeof(in.method));
	err_init(&e);
	assert_code(case_act(&f->cx, &f->a[U_HANDLER], id, ACT_CONTACT, &in, tick(f), out, &e), OK, &e);
	assert_int_equal(out->status, CS_ACCEPTED);
	assert_int_equal(out->clocks[CLK_CONTACT].done_at, 0);
	assert_int_equal(out->seq, 4);
	assert_int_equal(count_events(f, id), 4);
	struct last_event l = last_event(f, id);
	assert_string_equal(l.action, "contact");
	assert_non_null(strstr(l.payload, "\"reached\":false"));
	/* not reached: the case still cannot be replied to */
	assert_refused(f, U_HANDLER, id, ACT_REPLY, E_STATE);

	int64_t at = tick(f);
	action_input_init(&in);
	in.reached = 1;
	err_init(&e);
	assert_code(case_act(&f->cx, &f->a[U_HANDLER], id, ACT_CONTACT, &in, at, out, &e), OK, &e);
	assert_int_equal(out->status, CS_IN_PROGRESS);
	assert_int_equal(out->clocks[CLK_CONTACT].done_at, at);
	assert_false(out->clocks[CLK_CONTACT].overdue);
	assert_int_equal(clock_state_at(&out->clocks[CLK_CONTACT], at), CLOCK_MET);

	/* a later contact keeps the first time it was met */
	err_init(&e);
	assert_code(case_act(&f->cx, &f->a[U_HANDLER], id, ACT_CONTACT, &in, tick(f), out, &e), OK, &e);
	assert_int_equal(out->status, CS_IN_PROGRESS);
	assert_int_equal(out->clocks[CLK_CONTACT].done_at, at);

	/* a bad method is refused */
	strlcpy_ok(in.method, "pigeon", sizeof(in.method));
	err_init(&e);
	assert_code(case_act(&f->cx, &f->a[U_HANDLER], id, ACT_CONTACT, &in, tick(f), out, &e), E_INVALID,
		    &e);
	assert_string_equal(e.field, "method");
	free(out);
}

/* ---------------------------------------------------------------- deadlines */

/*
 * Dispatched on Thursday 2026-02-12 10:00. Seven working days (general
 * tier): Fri 13 (1), Sat 14 调休上班 (2), 15–23 春节 off, Tue 24 (3),
 * Wed 25 (4), Thu 26 (5), Fri 27 (6), Sat 28 调休上班 (7) → 2026-02-28 10:00.
 * Sign within 120 min, contact within 1440 min (data/tiers.csv).
 */
static void test_deadlines_general(void **state)
{
	struct fx *f = *state;
	struct case_rec *c = malloc(sizeof(*c));
	struct action_input in;
	struct err e;
	f->now = T("2026-02-12T09:50:00+08:00");
	int64_t id = create_case(f, CT_HELP); /* at 09:51 */
	struct case_rec *r = get_case(f, id);
	assert_int_equal(r->tier, TIER_GENERAL);
	assert_time(r->clocks[CLK_DISPATCH].start, "2026-02-12T09:51:00+08:00");
	assert_time(r->clocks[CLK_DISPATCH].due, "2026-02-13T09:51:00+08:00");
	assert_time(r->clocks[CLK_DISPATCH].warn_at, "2026-02-13T03:51:00+08:00");
	free(r);

	int64_t at = T("2026-02-12T10:00:00+08:00");
	action_input_init(&in);
	strlcpy_ok(in.unit, LEAD, sizeof(in.unit));
	err_init(&e);
	assert_code(case_act(&f->cx, &f->a[U_DISPATCHER], id, ACT_DISPATCH, &in, at, c, &e), OK, &e);
	assert_int_equal(c->tier, TIER_GENERAL);
	assert_int_equal(c->clocks[CLK_DISPATCH].done_at, at);
	assert_false(c->clocks[CLK_DISPATCH].overdue);
	for (int k = CLK_SIGN; k <= CLK_FEEDBACK; k++) {
		assert_int_equal(c->clocks[k].start, at);
		assert_int_equal(c->clocks[k].done_at, 0);
	}
	assert_time(c->clocks[CLK_FEEDBACK].due, "2026-02-28T10:00:00+08:00");
	assert_time(c->clocks[CLK_SIGN].due, "2026-02-12T12:00:00+08:00");
	assert_time(c->clocks[CLK_CONTACT].due, "2026-02-13T10:00:00+08:00");
	/* warnings at 75% of each span: 16 days × 0.75 = 12 days; 90 min; 18 h */
	assert_time(c->clocks[CLK_FEEDBACK].warn_at, "2026-02-24T10:00:00+08:00");
	assert_time(c->clocks[CLK_SIGN].warn_at, "2026-02-12T11:30:00+08:00");
	assert_time(c->clocks[CLK_CONTACT].warn_at, "2026-02-13T04:00:00+08:00");
	assert_time(c->next_check_at, "2026-02-12T11:30:00+08:00");
	free(c);
}

/* Emergency tier chosen at dispatch: feedback within 2 h, sign 30 min, contact 60 min. */
static void test_deadlines_emergency(void **state)
{
	struct fx *f = *state;
	struct case_rec *c = malloc(sizeof(*c));
	struct action_input in;
	struct err e;
	f->now = T("2026-02-12T09:50:00+08:00");
	int64_t id = create_case(f, CT_HELP);
	int64_t at = T("2026-02-12T10:00:00+08:00");
	action_input_init(&in);
	strlcpy_ok(in.unit, LEAD, sizeof(in.unit));
	in.tier = tier_parse("emergency");
	assert_int_equal(in.tier, TIER_EMERGENCY);
	err_init(&e);
	assert_code(case_act(&f->cx, &f->a[U_DISPATCHER], id, ACT_DISPATCH, &in, at, c, &e), OK, &e);
	assert_int_equal(c->tier, TIER_EMERGENCY);
	assert_time(c->clocks[CLK_FEEDBACK].due, "2026-02-12T12:00:00+08:00");
	assert_time(c->clocks[CLK_SIGN].due, "2026-02-12T10:30:00+08:00");
	assert_time(c->clocks[CLK_CONTACT].due, "2026-02-12T11:00:00+08:00");
	assert_time(c->clocks[CLK_FEEDBACK].warn_at, "2026-02-12T11:30:00+08:00");
	free(c);
	c = get_case(f, id);
	assert_int_equal(c->tier, TIER_EMERGENCY);
	free(c);
}

/* ---------------------------------------------------------------- sweep */

static int sweep(struct fx *f, int64_t now)
{
	int events = -1;
	struct err e;
	err_init(&e);
	assert_code(case_sweep(&f->cx, now, &events, &e), OK, &e);
	return events;
}

static int keep_id(void *ctx, const struct case_rec *c)
{
	int64_t *ids = ctx;
	for (int i = 0; i < 8; i++)
		if (!ids[i]) {
			ids[i] = c->id;
			return 0;
		}
	return 0;
}

/* Cases with overdue = flag: *total counts, ids[0..] (at most 8) the first page. */
static int64_t list_overdue(struct fx *f, int flag, int64_t ids[8])
{
	struct case_query q = {.overdue = flag, .page = 1, .per_page = 8};
	int64_t total = -1;
	struct err e;
	err_init(&e);
	memset(ids, 0, 8 * sizeof(ids[0]));
	assert_code(store_cases_list(f->st, &q, keep_id, ids, &total, &e), OK, &e);
	return total;
}

/* The inbox's order key of c: its nearest running deadline (sign, contact, then feedback). */
static int64_t inbox_due(const struct case_rec *c)
{
	if (c->status == CS_DISPATCHED && c->clocks[CLK_SIGN].due > 0)
		return c->clocks[CLK_SIGN].due;
	if (c->status == CS_ACCEPTED && c->clocks[CLK_CONTACT].due > 0)
		return c->clocks[CLK_CONTACT].due;
	return c->clocks[CLK_FEEDBACK].due > 0 ? c->clocks[CLK_FEEDBACK].due : INT64_MAX;
}

struct inbox_rows {
	int n;
	int64_t id[32], due[32];
	bool overdue[32];
};

static int keep_inbox_row(void *ctx, const struct case_rec *c)
{
	struct inbox_rows *r = ctx;
	assert_true(r->n < 32);
	r->id[r->n] = c->id;
	r->due[r->n] = inbox_due(c);
	r->overdue[r->n] = false;
	for (int k = 0; k < CLOCK_COUNT; k++)
		r->overdue[r->n] |= c->clocks[k].overdue;
	r->n++;
	return 0;
}

static int keep_copies(void *ctx, const struct case_rec *c)
{
	*(int *)ctx = c->ncopies;
	return 0;
}

/* The lead street's open cases, nearest deadline first, page by page of per_page (0: all at once). */
static void inbox_pages(struct fx *f, int overdue, int per_page, struct inbox_rows *out)
{
	struct case_query q = {.overdue = overdue,
			       .lead_code = LEAD,
			       .statuses = ",dispatched,accepted,in_progress,parked,",
			       .sort_due = true,
			       .per_page = per_page};
	struct err e;
	memset(out, 0, sizeof(*out));
	for (q.page = 1;; q.page++) {
		int64_t total = -1;
		int before = out->n;
		err_init(&e);
		assert_code(store_cases_list(f->st, &q, keep_inbox_row, out, &total, &e), OK, &e);
		if (per_page <= 0 || out->n - before < per_page) {
			assert_int_equal(total, out->n);
			return;
		}
	}
}

/*
 * A unit's inbox: 14 cases in three running clocks (sign, contact,
 * feedback) and two tiers, so the nearest deadline is not the order of
 * creation; pages of 4 give the whole list in the order of that deadline,
 * and the overdue tab the overdue ones of it in the same order.
 */
static void test_inbox_order(void **state)
{
	struct fx *f = *state;
	struct case_rec *c = malloc(sizeof(*c));
	struct inbox_rows all, paged, overdue;
	struct action_input in;
	struct err e;
	f->now = T("2026-03-02T09:00:00+08:00");
	for (int i = 0; i < 14; i++) {
		int64_t id = create_case(f, CT_COMPLAINT);
		action_input_init(&in);
		strlcpy_ok(in.unit, LEAD, sizeof(in.unit));
		in.tier = tier_parse(i % 4 == 3 ? "emergency" : "general");
		err_init(&e);
		f->now += 600 * (i % 5);
		assert_code(case_act(&f->cx, &f->a[U_DISPATCHER], id, ACT_DISPATCH, &in, tick(f), c, &e), OK, &e);
		if (i % 3 >= 1)
			act_ok(f, U_HANDLER, id, ACT_SIGN);
		if (i % 3 == 2)
			act_ok(f, U_HANDLER, id, ACT_CONTACT);
	}
	/* a closed case of the street and an open one of another street are not in it */
	int64_t done = create_case(f, CT_CONSULTATION);
	act_ok(f, U_AGENT, done, ACT_ANSWER);
	/* past the emergency cases' sign and contact deadlines, before the general ones' */
	assert_true(sweep(f, T("2026-03-02T13:00:00+08:00")) > 0);

	inbox_pages(f, -1, 0, &all);
	assert_int_equal(all.n, 14);
	for (int i = 1; i < all.n; i++)
		assert_true(all.due[i - 1] < all.due[i] || (all.due[i - 1] == all.due[i] && all.id[i - 1] < all.id[i]));
	assert_true(all.id[0] != 1); /* not the order of creation */
	inbox_pages(f, -1, 4, &paged);
	assert_int_equal(paged.n, 14);
	assert_memory_equal(paged.id, all.id, sizeof(all.id[0]) * 14);

	inbox_pages(f, 1, 3, &overdue);
	int want = 0;
	for (int i = 0; i < all.n; i++)
		if (all.overdue[i])
			assert_int_equal(overdue.id[want++], all.id[i]);
	assert_int_equal(overdue.n, want);
	assert_true(want > 0 && want < 14);

	/* a brief list (the API's) skips the copy units, a full one has the district's */
	struct case_query q = {.overdue = -1, .lead_code = LEAD, .page = 1, .per_page = 1};
	int copies[2];
	for (int brief = 0; brief < 2; brief++) {
		q.brief = brief;
		err_init(&e);
		assert_code(store_cases_list(f->st, &q, keep_copies, &copies[brief], NULL, &e), OK, &e);
	}
	assert_true(copies[0] >= 1);
	assert_int_equal(copies[1], 0);
	free(c);
}

/*
 * A general case dispatched on Monday 2026-03-02 09:00 (T1): sign warns at
 * T1+90 min and is due at T1+2 h; contact warns at T1+18 h, due T1+24 h;
 * feedback due after 7 working days, Wed 2026-03-11 09:00 (no holiday in
 * between), warning at 75% of those 9 days = T1+162 h, Mon 03-09 03:00.
 */
static void test_sweep(void **state)
{
	struct fx *f = *state;
	struct case_rec *c;
	struct action_input in;
	struct err e;
	int64_t ids[8];
	const int64_t h = 3600;
	f->now = T("2026-03-02T08:50:00+08:00");
	int64_t a = create_case(f, CT_COMPLAINT);
	int64_t t1 = T("2026-03-02T09:00:00+08:00");
	action_input_init(&in);
	strlcpy_ok(in.unit, LEAD, sizeof(in.unit));
	c = malloc(sizeof(*c));
	err_init(&e);
	assert_code(case_act(&f->cx, &f->a[U_DISPATCHER], a, ACT_DISPATCH, &in, t1, c, &e), OK, &e);
	assert_time(c->clocks[CLK_FEEDBACK].due, "2026-03-11T09:00:00+08:00");
	assert_time(c->clocks[CLK_FEEDBACK].warn_at, "2026-03-09T03:00:00+08:00");
	free(c);
	/* a case with no running clock: answered on the spot */
	f->now = t1;
	int64_t b = create_case(f, CT_CONSULTATION);
	act_ok(f, U_AGENT, b, ACT_ANSWER);
	assert_int_equal(count_events(f, a), 2);

	/* before the first warning: nothing */
	assert_int_equal(sweep(f, t1 + 90 * 60 - 1), 0);
	assert_int_equal(count_events(f, a), 2);

	/* at the sign clock's warn_at: one warning */
	assert_int_equal(sweep(f, t1 + 90 * 60), 1);
	struct last_event l = last_event(f, a);
	assert_string_equal(l.action, "warning");
	assert_non_null(strstr(l.payload, "\"clock\":\"sign\""));
	assert_int_equal(l.user_id, 0);
	c = get_case(f, a);
	assert_true(c->clocks[CLK_SIGN].warned);
	assert_false(c->clocks[CLK_SIGN].overdue);
	assert_int_equal(c->status, CS_DISPATCHED);
	assert_int_equal(c->next_check_at, t1 + 2 * h + 1); /* overdue is strictly after due */
	free(c);
	assert_int_equal(sweep(f, t1 + 90 * 60), 0); /* idempotent */
	assert_int_equal(count_events(f, a), 3);

	/* no case is overdue yet */
	assert_int_equal(list_overdue(f, 1, ids), 0);

	/* at the sign deadline itself: still in time; one second after: overdue */
	assert_int_equal(sweep(f, t1 + 2 * h), 0);
	assert_int_equal(sweep(f, t1 + 2 * h + 1), 1);
	l = last_event(f, a);
	assert_string_equal(l.action, "overdue");
	assert_non_null(strstr(l.payload, "\"clock\":\"sign\""));
	assert_int_equal(sweep(f, t1 + 2 * h + 1), 0);
	c = get_case(f, a);
	assert_true(c->clocks[CLK_SIGN].overdue);
	assert_false(c->clocks[CLK_CONTACT].warned);
	assert_int_equal(c->status, CS_DISPATCHED);
	assert_int_equal(c->next_check_at, t1 + 18 * h);
	free(c);

	/* the overdue filter: exactly a; the others: exactly b */
	assert_int_equal(list_overdue(f, 1, ids), 1);
	assert_int_equal(ids[0], a);
	assert_int_equal(list_overdue(f, 0, ids), 1);
	assert_int_equal(ids[0], b);

	/* signing late keeps the mark */
	f->now = t1 + 3 * h;
	act_ok(f, U_HANDLER, a, ACT_SIGN);
	c = get_case(f, a);
	assert_true(c->clocks[CLK_SIGN].overdue);
	assert_int_equal(c->clocks[CLK_SIGN].done_at, t1 + 3 * h + 60);
	free(c);

	/* contact: warning, then overdue; each once */
	assert_int_equal(sweep(f, t1 + 18 * h), 1);
	assert_int_equal(sweep(f, t1 + 18 * h), 0);
	assert_int_equal(sweep(f, t1 + 24 * h), 0);
	assert_int_equal(sweep(f, t1 + 24 * h + 1), 1);
	assert_int_equal(sweep(f, t1 + 24 * h + 1), 0);
	c = get_case(f, a);
	assert_true(c->clocks[CLK_CONTACT].overdue);
	assert_false(c->clocks[CLK_FEEDBACK].warned);
	int64_t fb_warn = c->clocks[CLK_FEEDBACK].warn_at, fb_due = c->clocks[CLK_FEEDBACK].due;
	free(c);

	/* feedback */
	assert_int_equal(sweep(f, fb_warn - 1), 0);
	assert_int_equal(sweep(f, fb_warn), 1);
	assert_int_equal(sweep(f, fb_due - 1), 0);
	assert_int_equal(sweep(f, fb_due), 0);
	assert_int_equal(sweep(f, fb_due + 1), 1);
	assert_int_equal(sweep(f, fb_due + 1), 0);
	assert_int_equal(sweep(f, fb_due + 30 * 86400), 0);
	c = get_case(f, a);
	assert_true(c->clocks[CLK_FEEDBACK].overdue);
	assert_int_equal(c->next_check_at, 0);
	assert_int_equal(c->status, CS_ACCEPTED);
	assert_int_equal(c->seq, 9); /* create dispatch 2×sign-clock sign 2×contact-clock 2×feedback-clock */
	free(c);
	c = get_case(f, b);
	assert_int_equal(c->seq, 2);
	free(c);
	assert_int_equal(list_overdue(f, 1, ids), 1);
	assert_int_equal(ids[0], a);
}

/* One sweep reaching several clocks at once writes one event per clock. */
static void test_sweep_several_clocks(void **state)
{
	struct fx *f = *state;
	const int64_t h = 3600;
	int64_t t1 = T("2026-03-02T09:00:00+08:00");
	f->now = t1 - 60;
	int64_t a = create_case(f, CT_COMPLAINT); /* created at t1 */
	int64_t b = case_in_state(f, CS_DISPATCHED);
	struct case_rec *c = get_case(f, b);
	int64_t b_at = c->clocks[CLK_SIGN].start;
	free(c);
	/*
	 * At t1 + 20 h: a's dispatch clock (created t1, due t1+24 h) has warned;
	 * b's sign clock is overdue (due b_at+2 h, no warning first) and its
	 * contact clock has warned (b_at+18 h): 3 events.
	 */
	assert_true(b_at + 18 * h <= t1 + 20 * h);
	assert_int_equal(sweep(f, t1 + 20 * h), 3);
	assert_int_equal(count_events(f, a), 2);
	assert_int_equal(count_events(f, b), 4);
	c = get_case(f, a);
	assert_true(c->clocks[CLK_DISPATCH].warned);
	assert_false(c->clocks[CLK_DISPATCH].overdue);
	free(c);
	c = get_case(f, b);
	assert_true(c->clocks[CLK_SIGN].overdue);
	assert_true(c->clocks[CLK_CONTACT].warned);
	assert_false(c->clocks[CLK_CONTACT].overdue);
	assert_false(c->clocks[CLK_FEEDBACK].warned);
	free(c);
	assert_int_equal(sweep(f, t1 + 20 * h), 0);
	/*
	 * b_at + 24 h (t1 + 24 h 2 min): a's dispatch clock is past its due time
	 * (t1 + 24 h); b's contact clock is exactly at its due time, still in
	 * time; one second later it is overdue too.
	 */
	assert_int_equal(sweep(f, b_at + 24 * h), 1);
	assert_int_equal(sweep(f, b_at + 24 * h + 1), 1);
	assert_int_equal(sweep(f, b_at + 24 * h + 1), 0);
}

/* A reply after the feedback deadline is late even if no sweep ran; at the deadline it is in time. */
static void test_reply_late(void **state)
{
	struct fx *f = *state;
	struct action_input in;
	struct case_rec *out = malloc(sizeof(*out));
	struct err e;
	int64_t late = case_in_state(f, CS_IN_PROGRESS);
	int64_t ontime = case_in_state(f, CS_IN_PROGRESS);
	struct case_rec *c = get_case(f, late);
	int64_t due = c->clocks[CLK_FEEDBACK].due;
	int nev = c->seq;
	free(c);
	c = get_case(f, ontime);
	int64_t due2 = c->clocks[CLK_FEEDBACK].due;
	free(c);

	default_input(ACT_REPLY, &in);
	err_init(&e);
	assert_code(case_act(&f->cx, &f->a[U_HANDLER], late, ACT_REPLY, &in, due + 1, out, &e), OK, &e);
	assert_int_equal(out->status, CS_REPLIED);
	assert_int_equal(out->clocks[CLK_FEEDBACK].done_at, due + 1);
	assert_true(out->clocks[CLK_FEEDBACK].overdue);
	assert_int_equal(clock_state_at(&out->clocks[CLK_FEEDBACK], due + 1), CLOCK_MET_LATE);
	assert_int_equal(count_events(f, late), nev + 1); /* the reply only: no sweep event */
	c = get_case(f, late);
	assert_true(c->clocks[CLK_FEEDBACK].overdue);
	free(c);

	err_init(&e);
	assert_code(case_act(&f->cx, &f->a[U_HANDLER], ontime, ACT_REPLY, &in, due2, out, &e), OK, &e);
	assert_false(out->clocks[CLK_FEEDBACK].overdue);
	assert_int_equal(clock_state_at(&out->clocks[CLK_FEEDBACK], due2), CLOCK_MET);

	int64_t ids[8];
	assert_int_equal(list_overdue(f, 1, ids), 1);
	assert_int_equal(ids[0], late);
	free(out);
}

/* ---------------------------------------------------------------- intake */

static int64_t count_cases(struct fx *f)
{
	struct case_query q = {.overdue = -1, .page = 1, .per_page = 1};
	int64_t total = -1, ids[8];
	struct err e;
	err_init(&e);
	memset(ids, 0, sizeof(ids));
	assert_code(store_cases_list(f->st, &q, keep_id, ids, &total, &e), OK, &e);
	return total;
}

static void repeat_utf8(char *dst, size_t n, const char *unit, int times)
{
	dst[0] = '\0';
	for (int i = 0; i < times; i++)
		strncat(dst, unit, n - strlen(dst) - 1);
}

static void expect_invalid(struct fx *f, const struct case_input *in, const char *field)
{
	struct case_rec *out = malloc(sizeof(*out));
	struct err e;
	int64_t before = count_cases(f);
	err_init(&e);
	enum err_code rc = case_create(&f->cx, &f->a[U_AGENT], in, tick(f), out, &e);
	if (rc != E_INVALID || strcmp(e.field, field) != 0)
		fail_msg("expected invalid %s, got %s on \"%s\" (%s)", field, err_code_name(rc), e.field,
			 e.msg);
	assert_int_equal(count_cases(f), before);
	free(out);
}

static void test_intake_validation(void **state)
{
	struct fx *f = *state;
	struct case_input in;
	struct case_rec *out = malloc(sizeof(*out));
	struct err e;
	assert_int_equal(count_cases(f), 0);

	sample_input(&in, CT_HELP);
	in.type = -1;
	expect_invalid(f, &in, "type");

	sample_input(&in, CT_HELP);
	strlcpy_ok(in.channel, "fax", sizeof(in.channel));
	expect_invalid(f, &in, "channel");

	sample_input(&in, CT_HELP);
	repeat_utf8(in.title, sizeof(in.title), "路", LIMIT_TITLE + 1);
	assert_int_equal(utf8_len(in.title), 101);
	expect_invalid(f, &in, "title");

	sample_input(&in, CT_HELP);
	in.content[0] = '\0';
	expect_invalid(f, &in, "content");

	sample_input(&in, CT_HELP);
	strlcpy_ok(in.req_phone, "1381234abcd", sizeof(in.req_phone));
	expect_invalid(f, &in, "requester.phone");

	sample_input(&in, CT_HELP);
	in.has_location = true;
	in.lat = 39.9;
	in.lon = 116.2;
	strlcpy_ok(in.crs, "utm", sizeof(in.crs));
	expect_invalid(f, &in, "location.crs");

	sample_input(&in, CT_HELP);
	in.has_location = true;
	in.lat = 91;
	in.lon = 116.2;
	strlcpy_ok(in.crs, "gcj02", sizeof(in.crs));
	expect_invalid(f, &in, "location.lat");

	sample_input(&in, CT_HELP);
	in.category_id = 999999;
	expect_invalid(f, &in, "category");

	sample_input(&in, CT_HELP);
	strlcpy_ok(in.street, "110107999", sizeof(in.street));
	expect_invalid(f, &in, "place.street");

	sample_input(&in, CT_HELP);
	strlcpy_ok(in.community, OTHER_COMMUNITY, sizeof(in.community));
	expect_invalid(f, &in, "place.community");

	assert_int_equal(count_cases(f), 0);

	/* the limits themselves pass: a 100-character title */
	sample_input(&in, CT_HELP);
	repeat_utf8(in.title, sizeof(in.title), "路", LIMIT_TITLE);
	in.has_location = true;
	in.lat = 90;
	in.lon = 116.2;
	strlcpy_ok(in.crs, "gcj02", sizeof(in.crs));
	err_init(&e);
	assert_code(case_create(&f->cx, &f->a[U_AGENT], &in, tick(f), out, &e), OK, &e);
	assert_int_equal(utf8_len(out->title), 100);
	assert_int_equal(count_cases(f), 1);
	assert_string_equal(out->district, DISTRICT); /* filled in from the street */
	assert_string_equal(out->created_unit, CENTRE_CODE);
	assert_int_equal(out->created_by, f->a[U_AGENT].user.id);

	/* a community in its own street passes and fills the street and district */
	sample_input(&in, CT_HELP);
	in.street[0] = '\0';
	strlcpy_ok(in.community, OTHER_COMMUNITY, sizeof(in.community));
	err_init(&e);
	assert_code(case_create(&f->cx, &f->a[U_AGENT], &in, tick(f), out, &e), OK, &e);
	assert_string_equal(out->street, OTHER_STREET);
	assert_string_equal(out->district, DISTRICT);
	assert_int_equal(count_cases(f), 2);

	/* only the centre's agents and dispatchers record cases */
	sample_input(&in, CT_HELP);
	err_init(&e);
	assert_code(case_create(&f->cx, &f->a[U_HANDLER], &in, tick(f), out, &e), E_FORBIDDEN, &e);
	err_init(&e);
	assert_code(case_create(&f->cx, &f->a[U_ADMIN], &in, tick(f), out, &e), E_FORBIDDEN, &e);
	err_init(&e);
	assert_code(case_create(&f->cx, &f->a[U_DISPATCHER], &in, tick(f), out, &e), OK, &e);
	assert_int_equal(count_cases(f), 3);
	free(out);
}

/* ---------------------------------------------------------------- privacy */

static void test_masking(void **state)
{
	char out[64];
	mask_phone("13812345678", out, sizeof(out));
	assert_string_equal(out, "138****5678");
	mask_name("张三", out, sizeof(out));
	assert_string_equal(out, "张*");
	mask_name("欧阳娜娜", out, sizeof(out));
	assert_string_equal(out, "欧***");
	mask_name("", out, sizeof(out));
	assert_string_equal(out, "");
}

static void test_may_contact(void **state)
{
	struct fx *f = *state;
	int64_t id = case_in_state(f, CS_DISPATCHED);
	struct case_rec *c = get_case(f, id);
	assert_true(case_may_contact(&f->a[U_AGENT], c));
	assert_true(case_may_contact(&f->a[U_DISPATCHER], c));
	assert_true(case_may_contact(&f->a[U_HANDLER], c));
	assert_true(case_may_contact(&f->a[U_HEAD], c));
	assert_false(case_may_contact(&f->a[U_SUPERVISOR], c));
	assert_false(case_may_contact(&f->a[U_DISTRICT_HANDLER], c));
	assert_false(case_may_contact(&f->a[U_OTHER], c));
	assert_false(case_may_contact(&f->a[U_ADMIN], c));
	assert_false(case_may_contact(&f->a[U_ASSESSOR], c));

	/* confidential (保密): the handling unit sees it masked too; the centre still contacts */
	struct case_input in;
	struct case_rec *conf = malloc(sizeof(*conf));
	struct err e;
	sample_input(&in, CT_COMPLAINT);
	in.confidential = true;
	err_init(&e);
	assert_code(case_create(&f->cx, &f->a[U_AGENT], &in, tick(f), conf, &e), OK, &e);
	assert_true(conf->confidential);
	int64_t conf_id = conf->id;
	act_ok(f, U_DISPATCHER, conf_id, ACT_DISPATCH);
	free(conf);
	conf = get_case(f, conf_id);
	assert_true(conf->confidential);
	assert_string_equal(conf->lead_unit, LEAD);
	assert_false(case_may_contact(&f->a[U_HANDLER], conf));
	assert_false(case_may_contact(&f->a[U_HEAD], conf));
	assert_true(case_may_contact(&f->a[U_AGENT], conf));
	assert_false(case_may_contact(&f->a[U_SUPERVISOR], conf));
	free(conf);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_state_matrix, fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_answer_only_consultation, fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_action_input, fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_role_matrix, fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_scope, fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_redispatch_deadline, fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_fold_rebuild, fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_contact_reached, fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_deadlines_general, fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_deadlines_emergency, fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_inbox_order, fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_sweep, fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_sweep_several_clocks, fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_reply_late, fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_intake_validation, fixture_setup, fixture_teardown),
	    cmocka_unit_test(test_masking),
	    cmocka_unit_test_setup_teardown(test_may_contact, fixture_setup, fixture_teardown),
	};
	fixture_use("case", users, U_COUNT);
	return cmocka_run_group_tests(tests, fixture_group_setup, fixture_group_teardown);
}
