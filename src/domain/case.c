/*
 * case.c — the case lifecycle: who may do what and when (one table of
 * rules), the checks on each action's input and the event it writes, and
 * the deadline sweep. What an event means for the case row is in
 * case_fold.c.
 */
#include "case.h"
#include "catalog.h"
#include "geo.h"

#include <stdlib.h>
#include <string.h>

const char *const case_channels[] = {"phone", "web", "app", "miniprogram", "wechat", "email", "other", NULL};
const char *const referral_outcomes[] = {"emergency", "other_channel", "repeat", "secret", "out_of_remit",
					 "unlawful", NULL};
const char *const contact_methods[] = {"phone", "sms", "visit", "other", NULL};
/* 属地不符, 权属不清, 职能交叉, other */
const char *const return_causes[] = {"territory", "ownership", "overlap", "other", NULL};
static const char *const crs_names[] = {"wgs84", "gcj02", "bd09", NULL};

/*
 * Intake dispatches by itself only when the place was found at least this
 * surely; below it a dispatcher looks (a shared or short name, a
 * contradicting district).
 */
#define AUTO_DISPATCH_MIN_CONFIDENCE 0.8

/* A whistle's report deadline when the street names none (平谷's rule was 30 minutes on site). */
#define WHISTLE_REPORT_MINUTES_DEFAULT 120

bool name_in(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (!strcmp(*list, s))
			return true;
	return false;
}

#define ST(s) (1u << (s))
#define RL(r) (1u << (r))
#define ANY_STATE 0xFFFFu
#define ST_OPEN (ST(CS_DISPATCHED) | ST(CS_ACCEPTED) | ST(CS_IN_PROGRESS) | ST(CS_PARKED))
#define ST_HANDLING (ST(CS_ACCEPTED) | ST(CS_IN_PROGRESS))
#define CENTRE_ROLES (RL(ROLE_AGENT) | RL(ROLE_DISPATCHER))
#define UNIT_ROLES (RL(ROLE_HANDLER) | RL(ROLE_HEAD))
#define SUPERVISOR (RL(ROLE_SUPERVISOR))

/* Who, besides the role, may take an action. */
enum actor_scope {
	BY_CENTRE, /* a user of the hotline centre */
	BY_LEAD,   /* a user of the case's lead unit */
	BY_TASK,   /* a user of a unit with a task on the case (summoned, or sub-dispatched to) */
	BY_VIEWER, /* anyone who may see the case */
	BY_SYSTEM, /* the sweep only */
};

/*
 * The lifecycle rules: from which states, by which roles, in which scope.
 * DOMAIN.md §4 and §6–7 are the source; where each action leads is in
 * case_fold.c.
 */
static const struct action_rule {
	const char *name;
	const char *label; /* what a Beijing case worker calls it */
	unsigned from;
	unsigned roles;
	enum actor_scope scope;
} rules[CASE_ACTION_COUNT] = {
	[ACT_CREATE] = {"create", "受理登记", 0, CENTRE_ROLES, BY_CENTRE},
	[ACT_ANSWER] = {"answer", "直接答复", ST(CS_RECEIVED), CENTRE_ROLES, BY_CENTRE},
	[ACT_REFER] = {"refer", "不予派单", ST(CS_RECEIVED), CENTRE_ROLES, BY_CENTRE},
	[ACT_DISPATCH] = {"dispatch", "派单", ST(CS_RECEIVED), CENTRE_ROLES, BY_CENTRE},
	[ACT_SIGN] = {"sign", "签收", ST(CS_DISPATCHED), UNIT_ROLES, BY_LEAD},
	[ACT_CONTACT] = {"contact", "联系诉求人", ST_HANDLING, UNIT_ROLES, BY_LEAD},
	[ACT_NOTE] = {"note", "备注", ANY_STATE, CENTRE_ROLES | UNIT_ROLES | SUPERVISOR, BY_VIEWER},
	[ACT_REPLY] = {"reply", "反馈办理结果", ST(CS_IN_PROGRESS), UNIT_ROLES, BY_LEAD},
	[ACT_CLOSE] = {"close", "办结", ST(CS_REPLIED), CENTRE_ROLES, BY_CENTRE},
	[ACT_WARNING] = {"warning", "临期预警", ANY_STATE, 0, BY_SYSTEM},
	[ACT_OVERDUE] = {"overdue", "超期", ANY_STATE, 0, BY_SYSTEM},
	[ACT_WHISTLE] = {"whistle", "吹哨", ST_HANDLING, UNIT_ROLES, BY_LEAD},
	[ACT_REPORT] = {"report", "报到", ST_OPEN, UNIT_ROLES, BY_TASK},
	[ACT_FINISH] = {"finish", "任务办结", ST_OPEN, UNIT_ROLES, BY_TASK},
	[ACT_RATE] = {"rate", "评价报到单位", ST_OPEN | ST(CS_REPLIED) | ST(CS_CLOSED), UNIT_ROLES, BY_LEAD},
	[ACT_RETURN] = {"return", "退单", ST(CS_DISPATCHED) | ST_HANDLING, UNIT_ROLES, BY_LEAD},
	[ACT_DECIDE_RETURN] = {"decide_return", "退单审核", ST(CS_RETURNED), CENTRE_ROLES, BY_CENTRE},
	[ACT_EXTEND] = {"extend", "申请延期", ST_HANDLING | ST(CS_PARKED), UNIT_ROLES, BY_LEAD},
	[ACT_DECIDE_EXTENSION] = {"decide_extension", "延期审核", ST_OPEN, CENTRE_ROLES, BY_CENTRE},
	[ACT_SUPERVISE] = {"supervise", "督办", ST_OPEN | ST(CS_RETURNED), SUPERVISOR, BY_VIEWER},
	[ACT_ANSWER_SUPERVISION] = {"answer_supervision", "回复督办", ST_OPEN | ST(CS_REPLIED), UNIT_ROLES, BY_LEAD},
	[ACT_ESCALATE] = {"escalate", "提级", ST_HANDLING | ST(CS_PARKED), UNIT_ROLES | SUPERVISOR, BY_VIEWER},
	[ACT_SUBDISPATCH] = {"subdispatch", "下派社区", ST_HANDLING, UNIT_ROLES, BY_LEAD},
	[ACT_PARK] = {"park", "挂账", ST(CS_IN_PROGRESS), UNIT_ROLES, BY_LEAD},
	[ACT_UNPARK] = {"unpark", "解除挂账", ST(CS_PARKED), UNIT_ROLES, BY_LEAD},
	[ACT_MERGE] = {"merge", "合并工单", ST(CS_RECEIVED), CENTRE_ROLES, BY_CENTRE},
	[ACT_LINK_REPEAT] = {"link_repeat", "关联重复诉求", ANY_STATE, CENTRE_ROLES, BY_CENTRE},
	[ACT_CALLBACK] = {"callback", "回访", ST(CS_REPLIED) | ST(CS_MERGED) | ST(CS_DISPATCHED) | ST_HANDLING,
			  CENTRE_ROLES, BY_CENTRE},
	[ACT_REOPEN] = {"reopen", "重办", ST(CS_REPLIED) | ST(CS_CLOSED), CENTRE_ROLES, BY_CENTRE},
	[ACT_APPLY_EXCLUSION] = {"apply_exclusion", "申请剔除",
				 ST_HANDLING | ST(CS_PARKED) | ST(CS_REPLIED) | ST(CS_CLOSED), UNIT_ROLES, BY_LEAD},
	[ACT_DECIDE_EXCLUSION] = {"decide_exclusion", "剔除审核", ANY_STATE, CENTRE_ROLES, BY_CENTRE},
	[ACT_LOCATE] = {"locate", "确定属地", ST(CS_RECEIVED) | ST(CS_DISPATCHED), CENTRE_ROLES, BY_CENTRE},
	[ACT_REDIRECT] = {"redirect", "改派", ST(CS_DISPATCHED), CENTRE_ROLES, BY_CENTRE},
	[ACT_REVEAL] = {"reveal", "查看联系方式", ANY_STATE, CENTRE_ROLES | UNIT_ROLES, BY_VIEWER},
};

const char *case_action_name(enum case_action a)
{
	return (size_t)a < ARRAY_SIZE(rules) ? rules[a].name : "?";
}

const char *case_action_label(enum case_action a)
{
	return (size_t)a < ARRAY_SIZE(rules) ? rules[a].label : "?";
}

const char *case_status_label(enum case_status s)
{
	static const char *const labels[CASE_STATUS_COUNT] = {"已受理", "直接答复", "不予派单", "已派单",
							      "已签收", "办理中",   "退单待审", "已反馈",
							      "挂账",   "已办结",   "已合并"};
	return (size_t)s < ARRAY_SIZE(labels) ? labels[s] : "?";
}

int case_action_parse(const char *s)
{
	int a = case_action_by_name(s);
	return a < 0 || a == ACT_CREATE || rules[a].scope == BY_SYSTEM ? -1 : a;
}

int case_action_by_name(const char *s)
{
	for (int i = 0; s && i < CASE_ACTION_COUNT; i++)
		if (!strcmp(rules[i].name, s))
			return i;
	return -1;
}

void action_input_init(struct action_input *in)
{
	memset(in, 0, sizeof(*in));
	in->tier = -1;
	in->solved = in->reached = in->on_site = in->approve = in->valid = in->contacted = -1;
}

/* ------------------------------------------------------------ context */

/*
 * Load what every action needs besides the store: the tier rules, the
 * calendar, and the place lookups (boundaries and gazetteer). The context
 * owns them; copies of it (one per worker thread) share them read-only.
 */
enum err_code case_ctx_load(struct case_ctx *cx, struct store *st, struct err *e)
{
	struct gazetteer *gaz = NULL;
	struct geo_index *geo = NULL;
	memset(cx, 0, sizeof(*cx));
	cx->st = st;
	tier_rules_default(cx->tiers);
	enum err_code rc = store_tiers_load(st, cx->tiers, e);
	if (rc != OK && rc != E_NOT_FOUND)
		return rc;
	if ((rc = calendar_load(st, &cx->cal, e)) != OK || (rc = gazetteer_load(st, &gaz, e)) != OK ||
	    (rc = geo_index_load(st, &geo, e)) != OK) {
		gazetteer_free(gaz);
		case_ctx_release(cx);
		return rc;
	}
	cx->gaz = gaz;
	cx->geo = geo;
	return OK;
}

void case_ctx_release(struct case_ctx *cx)
{
	calendar_free(cx->cal);
	gazetteer_free(cx->gaz);
	geo_index_free(cx->geo);
	cx->cal = NULL;
	cx->gaz = NULL;
	cx->geo = NULL;
}

/* ------------------------------------------------------------ masking */

void mask_name(const char *name, char *out, size_t n)
{
	struct buf b;
	buf_init(&b, n > 0 ? n - 1 : 0);
	size_t chars = utf8_len(name);
	if (chars > 0) {
		/* keep the first character (the family name), star the rest */
		size_t first = 1;
		while (name[first] && ((unsigned char)name[first] & 0xC0) == 0x80)
			first++;
		buf_add(&b, name, first);
		for (size_t i = 1; i < chars; i++)
			buf_adds(&b, "*");
		if (chars == 1)
			buf_adds(&b, "*");
	}
	strlcpy_ok(out, b.s, n);
	buf_release(&b);
}

void mask_phone(const char *phone, char *out, size_t n)
{
	size_t len = strlen(phone);
	char tmp[LIMIT_PHONE + 1];
	strlcpy_ok(tmp, phone, sizeof(tmp));
	len = strlen(tmp);
	size_t keep_head = len >= 11 ? 3 : (len >= 7 ? 2 : 0);
	size_t keep_tail = len >= 7 ? 4 : (len > 2 ? 2 : 0);
	for (size_t i = keep_head; i + keep_tail < len; i++)
		tmp[i] = '*';
	strlcpy_ok(out, tmp, n);
}

/* ------------------------------------------------------------ access */

static bool path_within(const char *path, const char *ancestor)
{
	return *ancestor && str_has_prefix(path, ancestor);
}

/* True if the unit with this code lies in the actor's subtree. */
static bool unit_within(struct store *st, const char *code, const struct actor *who)
{
	struct unit u;
	struct err ignore;
	if (!*code || store_unit_get(st, code, &u, &ignore) != OK)
		return false;
	return path_within(u.path, who->unit.path);
}

struct visible_ctx {
	struct store *st;
	const struct actor *who;
};

static int link_within(void *ctx, const char *unit, const char *rel)
{
	struct visible_ctx *v = ctx;
	return unit_within(v->st, unit, v->who) ? 1 : 0;
}

/*
 * A case is visible to the centre, and to a unit whose subtree holds a unit
 * linked to it: the lead, a copy, or a former lead (a unit that once led a
 * case keeps its history).
 */
static bool visible(struct store *st, const struct actor *who, const struct case_rec *c)
{
	if (who->unit.kind == UNIT_CENTRE)
		return true;
	struct visible_ctx v = {st, who};
	struct err ignore;
	return store_case_units(st, c->id, link_within, &v, &ignore) == 1;
}

bool case_may_contact(const struct actor *who, const struct case_rec *c)
{
	if (who->unit.kind == UNIT_CENTRE)
		return who->user.role == ROLE_AGENT || who->user.role == ROLE_DISPATCHER;
	if (c->confidential)
		return false;
	return (who->user.role == ROLE_HANDLER || who->user.role == ROLE_HEAD) &&
	       !strcmp(who->unit.code, c->lead_unit);
}

/* The first task of this unit matching want (see task_open); NULL if none. */
enum task_want { WANT_ANY, WANT_UNREPORTED, WANT_UNFINISHED, WANT_UNRATED };
static const struct case_task *task_of(const struct case_rec *c, const char *unit, enum task_want want)
{
	for (int i = 0; i < c->ntasks; i++) {
		const struct case_task *t = &c->tasks[i];
		if (unit && strcmp(t->unit, unit) != 0)
			continue;
		switch (want) {
		case WANT_ANY:
			return t;
		case WANT_UNREPORTED:
			if (t->kind == TASK_WHISTLE && !t->reported_at)
				return t;
			break;
		case WANT_UNFINISHED:
			/* a whistle task is finished after its report; a sub-dispatch any time */
			if (!t->finished_at && (t->kind == TASK_SUBDISPATCH || t->reported_at))
				return t;
			break;
		case WANT_UNRATED:
			if (t->kind == TASK_WHISTLE && t->finished_at && !t->rated_at)
				return t;
			break;
		}
	}
	return NULL;
}

/* Role and scope check; the caller has already checked visibility. */
static enum err_code may_act(const struct actor *who, const struct case_rec *c, enum case_action a, struct err *e)
{
	const struct action_rule *r = &rules[a];
	if (!(r->roles & RL(who->user.role)))
		return err_set(e, E_FORBIDDEN, NULL, "您的角色（%s）不能执行「%s」", role_name(who->user.role), r->label);
	if (r->scope == BY_CENTRE && who->unit.kind != UNIT_CENTRE)
		return err_set(e, E_FORBIDDEN, NULL, "「%s」只能由热线中心执行", r->label);
	if (r->scope == BY_LEAD && strcmp(who->unit.code, c->lead_unit) != 0)
		return err_set(e, E_FORBIDDEN, NULL, "只有承办单位可以执行「%s」", r->label);
	if (r->scope == BY_TASK && !task_of(c, who->unit.code, WANT_ANY))
		return err_set(e, E_FORBIDDEN, NULL, "只有被吹哨或被下派的单位可以执行「%s」", r->label);
	if (a == ACT_ESCALATE && who->user.role != ROLE_SUPERVISOR && strcmp(who->unit.code, c->lead_unit) != 0)
		return err_set(e, E_FORBIDDEN, NULL, "只有承办单位或督办员可以提级");
	if (a == ACT_SUBDISPATCH && who->unit.kind != UNIT_STREET)
		return err_set(e, E_FORBIDDEN, NULL, "只有街道（乡镇）可以下派社区");
	if (a == ACT_REVEAL && !case_may_contact(who, c))
		return err_set(e, E_FORBIDDEN, NULL,
			       c->confidential ? "诉求人要求保密：请通过热线中心联系诉求人"
					       : "只有需要联系诉求人的人员（热线中心、承办单位）可以查看联系方式");
	return OK;
}

static enum err_code state_allows(const struct case_rec *c, enum case_action a, struct err *e)
{
	if (!(rules[a].from & ST(c->status)))
		return err_set(e, E_STATE, NULL, "工单当前状态为「%s」，不能执行「%s」", case_status_label(c->status),
			       rules[a].label);
	return OK;
}

/*
 * What must hold besides the state for an action to make sense now: a
 * pending application to decide, an open task to report on, a callback that
 * found the problem unsolved. E_STATE with the reason otherwise.
 */
static enum err_code precondition(struct store *st, const struct actor *who, const struct case_rec *c,
				  enum case_action a, int64_t now, struct err *e)
{
	const struct case_clock *fb = &c->clocks[CLK_FEEDBACK];
	switch (a) {
	case ACT_ANSWER:
		if (c->type != CT_CONSULTATION)
			return err_set(e, E_STATE, NULL, "只有咨询类诉求可以直接答复，其他诉求请派单或不予派单");
		break;
	case ACT_REPORT:
		if (!task_of(c, who->unit.code, WANT_UNREPORTED))
			return err_set(e, E_STATE, NULL, "本单位在此工单上没有待报到的吹哨任务");
		break;
	case ACT_FINISH:
		if (!task_of(c, who->unit.code, WANT_UNFINISHED))
			return err_set(e, E_STATE, NULL,
				       task_of(c, who->unit.code, WANT_UNREPORTED) ? "请先报到，再完成任务"
										  : "本单位在此工单上没有未完成的任务");
		break;
	case ACT_RATE:
		if (!task_of(c, NULL, WANT_UNRATED))
			return err_set(e, E_STATE, NULL, "没有已完成且待评价的吹哨任务");
		break;
	case ACT_EXTEND:
		if (c->extension_due)
			return err_set(e, E_STATE, NULL, "已有延期申请待审核");
		if (!fb->start || fb->done_at)
			return err_set(e, E_STATE, NULL, "此工单没有进行中的办结时限");
		break;
	case ACT_DECIDE_EXTENSION:
		if (!c->extension_due)
			return err_set(e, E_STATE, NULL, "没有待审核的延期申请");
		break;
	case ACT_ANSWER_SUPERVISION: {
		bool open = false;
		for (int i = 0; i < c->nsupervisions; i++)
			open |= !c->supervisions[i].answered_at;
		if (!open)
			return err_set(e, E_STATE, NULL, "没有待回复的督办");
		break;
	}
	case ACT_SUPERVISE:
		if (c->nsupervisions >= MAX_SUPERVISIONS)
			return err_set(e, E_STATE, NULL, "督办次数已达上限 %d", MAX_SUPERVISIONS);
		break;
	case ACT_WHISTLE:
	case ACT_SUBDISPATCH:
		if (c->ntasks >= MAX_TASKS)
			return err_set(e, E_STATE, NULL, "任务数已达上限 %d", MAX_TASKS);
		break;
	case ACT_CALLBACK:
		if (c->status == CS_MERGED) {
			/* a merged requester is called back on the result of the case that handled it */
			struct case_rec *primary = xmalloc(sizeof(*primary));
			struct err ignore;
			bool ready = store_case_get(st, c->merged_into, primary, &ignore) == OK &&
				     (primary->status == CS_REPLIED || primary->status == CS_CLOSED);
			free(primary);
			if (!ready)
				return err_set(e, E_STATE, NULL, "合并到的工单 %lld 尚未反馈，暂不能回访",
					       (long long)c->merged_into);
			if (c->callback_valid)
				return err_set(e, E_STATE, NULL, "此工单已回访");
		} else if (c->status != CS_REPLIED && (!fb->due || now <= fb->due || c->callback_valid)) {
			return err_set(e, E_STATE, NULL, "尚未反馈且未超过办结时限（或已回访），暂不能回访");
		}
		break;
	case ACT_REOPEN:
		if (c->merged_into)
			return err_set(e, E_STATE, NULL, "合并的工单不能单独重办，请重办其并入的工单 %lld",
				       (long long)c->merged_into);
		if (!c->callback_valid || !(c->callback_solved == 0 || c->callback_satisfaction == SAT_UNSATISFIED))
			return err_set(e, E_STATE, NULL, "只有回访为未解决或不满意的工单可以重办");
		break;
	case ACT_APPLY_EXCLUSION:
		if (c->exclusion_requested)
			return err_set(e, E_STATE, NULL, "已有剔除申请待审核");
		break;
	case ACT_DECIDE_EXCLUSION:
		if (!c->exclusion_requested)
			return err_set(e, E_STATE, NULL, "没有待审核的剔除申请");
		break;
	default:
		break;
	}
	return OK;
}

uint64_t case_allowed_actions(struct store *st, const struct actor *who, const struct case_rec *c, int64_t now)
{
	uint64_t mask = 0;
	/* only the answers: a NULL err makes err_set skip drawing each refusal's message */
	for (int a = ACT_ANSWER; a < CASE_ACTION_COUNT; a++) {
		if (rules[a].scope == BY_SYSTEM)
			continue;
		if (may_act(who, c, (enum case_action)a, NULL) == OK && state_allows(c, (enum case_action)a, NULL) == OK &&
		    precondition(st, who, c, (enum case_action)a, now, NULL) == OK)
			mask |= (uint64_t)1 << a;
	}
	return mask;
}

enum err_code case_get_visible(struct case_ctx *cx, const struct actor *who, int64_t id, struct case_rec *out,
			       struct err *e)
{
	enum err_code rc = store_case_get(cx->st, id, out, e);
	if (rc == E_NOT_FOUND || (rc == OK && !visible(cx->st, who, out)))
		return err_set(e, E_NOT_FOUND, "id", "工单 %lld 不存在", (long long)id);
	return rc;
}

/* ------------------------------------------------------------ writing */

/* Does v hold a real number anywhere? */
static bool has_real(json_t *v)
{
	const char *key;
	size_t i;
	json_t *x;
	if (json_is_real(v))
		return true;
	if (json_is_object(v)) {
		json_object_foreach(v, key, x)
		{
			if (has_real(x))
				return true;
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x)
		{
			if (has_real(x))
				return true;
		}
	}
	return false;
}

/*
 * Append an event to c (inside the open transaction): fold it, then store
 * the event and its facts. The row is written once after the last event
 * of the transaction (store_case_update, or the insert of a new case).
 * Takes ownership of payload.
 */
static enum err_code append_event(struct store *st, struct case_rec *c, const struct actor *who,
				  enum case_action a, json_t *payload, const char *reason, int64_t now,
				  struct err *e)
{
	struct event_rec ev = {0};
	ev.case_id = c->id;
	ev.seq = c->seq + 1;
	ev.at = now;
	ev.user_id = who ? who->user.id : 0;
	strlcpy_ok(ev.unit, who ? who->unit.code : "", sizeof(ev.unit));
	strlcpy_ok(ev.action, rules[a].name, sizeof(ev.action));
	strlcpy_ok(ev.reason, reason ? reason : "", sizeof(ev.reason));
	ev.payload = json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(10));
	if (!ev.payload) {
		json_decref(payload);
		return err_set(e, E_INTERNAL, NULL, "事件内容无法编码");
	}
	/* fold what is stored: the object itself where its text gives it back exactly (no rounded reals) */
	struct fact_list facts;
	enum err_code rc = has_real(payload) ? case_apply(c, &ev, &facts, e)
					     : case_apply_parsed(c, &ev, payload, &facts, e);
	json_decref(payload);
	if (rc == OK)
		rc = store_event_append(st, &ev, e);
	for (int i = 0; rc == OK && i < facts.n; i++)
		rc = store_fact_insert(st, &facts.f[i], e);
	free(ev.payload);
	return rc;
}

static enum err_code check_text(const char *s, size_t max, bool required, const char *field, const char *label,
				struct err *e)
{
	size_t n = utf8_len(s);
	if (required && n == 0)
		return err_set(e, E_INVALID, field, "请填写%s", label);
	if (n > max)
		return err_set(e, E_INVALID, field, "%s不能超过 %zu 个字符（现为 %zu 个）", label, max, n);
	return OK;
}

static enum err_code check_tier(int tier, struct err *e)
{
	if (tier >= TIER_COUNT)
		return err_set(e, E_INVALID, "tier", "时限等级须为 emergency、utilities、general 或 complex");
	return OK;
}

static bool phone_valid(const char *s)
{
	size_t n = strlen(s);
	if (n < 3 || n > LIMIT_PHONE)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || *s == '-' || *s == '+' || *s == ' '))
			return false;
	return true;
}

/*
 * Check a place code against the expected kind; fill the enclosing levels
 * (a community's street, a street's district) when they were left empty,
 * and refuse levels that contradict each other.
 */
static enum err_code check_place(struct store *st, struct case_input *in, struct err *e)
{
	struct unit u;
	struct err ignore;
	if (*in->community) {
		if (store_unit_get(st, in->community, &u, &ignore) != OK || u.kind != UNIT_COMMUNITY)
			return err_set(e, E_INVALID, "place.community", "社区 %s 不存在", in->community);
		if (!*in->street)
			strlcpy_ok(in->street, u.parent, sizeof(in->street));
		else if (strcmp(in->street, u.parent) != 0)
			return err_set(e, E_INVALID, "place.community", "社区 %s 不属于街道 %s", in->community,
				       in->street);
	}
	if (*in->street) {
		if (store_unit_get(st, in->street, &u, &ignore) != OK || u.kind != UNIT_STREET)
			return err_set(e, E_INVALID, "place.street", "街道（乡镇）%s 不存在", in->street);
		if (!*in->district)
			strlcpy_ok(in->district, u.parent, sizeof(in->district));
		else if (strcmp(in->district, u.parent) != 0)
			return err_set(e, E_INVALID, "place.street", "街道 %s 不属于区 %s", in->street, in->district);
	}
	if (*in->district &&
	    (store_unit_get(st, in->district, &u, &ignore) != OK || u.kind != UNIT_DISTRICT))
		return err_set(e, E_INVALID, "place.district", "区 %s 不存在", in->district);
	return OK;
}

static enum err_code build_dispatch(struct case_ctx *cx, const struct case_rec *c, const struct action_input *in,
				    int64_t now, json_t **payload, struct err *e);

/*
 * Find the place of an intake: the point first (when coordinates were
 * given and boundaries are loaded), then the address through the
 * gazetteer when the point did not settle the street. Returns false when
 * there was nothing to look up with.
 */
static bool locate_place(const struct case_ctx *cx, const struct case_input *in, struct place_resolution *res)
{
	struct err ignore;
	bool tried = false;
	memset(res, 0, sizeof(*res));
	if (in->has_location && cx->geo && crs_parse(in->crs) >= 0) {
		tried = geo_resolve_point(cx->geo, in->lon, in->lat, (enum crs)crs_parse(in->crs), res, &ignore) == OK;
		if (tried && *res->street && !res->needs_decision)
			return true;
	}
	if (*in->address && cx->gaz) {
		struct place_resolution byaddr;
		if (gazetteer_resolve(cx->gaz, in->address, &byaddr, &ignore) == OK &&
		    (!tried || (*byaddr.street && !byaddr.needs_decision) || !*res->district)) {
			*res = byaddr;
			tried = true;
		}
	}
	return tried;
}

static json_t *resolution_json(const struct place_resolution *r)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:f, s:s, s:s, s:b}", "district", r->district, "street", r->street,
			 "community", r->community, "method", r->method, "confidence", r->confidence, "matched",
			 r->matched, "evidence", r->evidence, "needs_decision", r->needs_decision);
}

enum err_code case_create(struct case_ctx *cx, const struct actor *who, const struct case_input *input,
			  int64_t now, struct case_rec *out, struct err *e)
{
	struct case_input in = *input;
	struct category cat;
	enum err_code rc;
	struct case_rec blank = {0};
	if (!(rules[ACT_CREATE].roles & RL(who->user.role)) || who->unit.kind != UNIT_CENTRE)
		return err_set(e, E_FORBIDDEN, NULL, "只有热线中心的受理员或派单员可以登记诉求");
	if (in.type < 0 || in.type > CT_SUGGESTION)
		return err_set(e, E_INVALID, "type", "请选择诉求类型：consultation、help、complaint、report 或 suggestion");
	if (!*in.channel)
		strlcpy_ok(in.channel, "phone", sizeof(in.channel));
	if (!name_in(case_channels, in.channel))
		return err_set(e, E_INVALID, "channel", "来源渠道 %s 不支持", in.channel);
	if ((rc = check_text(in.title, LIMIT_TITLE, true, "title", "标题", e)) ||
	    (rc = check_text(in.content, LIMIT_CONTENT, true, "content", "诉求内容", e)) ||
	    (rc = check_text(in.address, LIMIT_ADDRESS, false, "address", "地址", e)) ||
	    (rc = check_text(in.req_name, LIMIT_NAME, false, "requester.name", "诉求人姓名", e)))
		return rc;
	if (*in.req_phone && !phone_valid(in.req_phone))
		return err_set(e, E_INVALID, "requester.phone", "联系电话须为 3–%d 位数字", LIMIT_PHONE);
	if (in.has_location) {
		if (!name_in(crs_names, in.crs))
			return err_set(e, E_INVALID, "location.crs", "坐标系须为 wgs84、gcj02 或 bd09");
		if (!(in.lat >= -90 && in.lat <= 90))
			return err_set(e, E_INVALID, "location.lat", "纬度须在 -90 到 90 之间");
		if (!(in.lon >= -180 && in.lon <= 180))
			return err_set(e, E_INVALID, "location.lon", "经度须在 -180 到 180 之间");
	}
	if ((rc = check_tier(in.tier, e)))
		return rc;
	/* no place named: find it from the coordinates or the address (in memory, before the write) */
	struct place_resolution res;
	bool located = !*in.district && !*in.street && !*in.community && locate_place(cx, &in, &res);
	if ((rc = store_begin(cx->st, e)) != OK)
		return rc;
	if (in.category_id) {
		struct err ignore;
		if (store_category_get(cx->st, in.category_id, &cat, &ignore) != OK) {
			rc = err_set(e, E_INVALID, "category", "诉求分类 %lld 不存在", (long long)in.category_id);
			goto fail;
		}
		if (in.tier < 0)
			in.tier = (int)cat.tier;
	}
	if (in.tier < 0)
		in.tier = TIER_GENERAL;
	if ((rc = check_place(cx->st, &in, e)) != OK)
		goto fail;

	const struct tier_rule *rule = &cx->tiers[in.tier];
	json_t *p = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:{s:s, s:s, s:b}, s:s, s:s, s:s, s:I, s:i}",
			      "type", case_type_name((enum case_type)in.type), "channel", in.channel, "title",
			      in.title, "content", in.content, "address", in.address, "category_id",
			      (json_int_t)in.category_id, "tier", tier_name((enum tier)in.tier), "requester",
			      "name", in.req_name, "phone", in.req_phone, "confidential", in.confidential,
			      "district", in.district, "street", in.street, "community", in.community,
			      "dispatch_due", (json_int_t)(now + (int64_t)rule->dispatch_minutes * 60),
			      "warn_percent", rule->warn_percent);
	if (in.has_location)
		json_object_set_new(p, "location",
				    json_pack("{s:f, s:f, s:s}", "lat", in.lat, "lon", in.lon, "crs", in.crs));
	*out = blank;
	if ((rc = store_case_next_id(cx->st, &out->id, e)) != OK) {
		json_decref(p);
		goto fail;
	}
	if ((rc = append_event(cx->st, out, who, ACT_CREATE, p, NULL, now, e)) != OK)
		goto fail;
	if (located && (rc = append_event(cx->st, out, who, ACT_LOCATE, resolution_json(&res), NULL, now, e)) != OK)
		goto fail;
	/*
	 * A place found without doubt goes straight to its unit by the category's
	 * default handling (直派); consultations wait to be answered.
	 */
	bool auto_dispatch = in.auto_dispatch != 0 && in.type != CT_CONSULTATION;
	if (located && auto_dispatch && !res.needs_decision && res.confidence >= AUTO_DISPATCH_MIN_CONFIDENCE &&
	    *out->district) {
		struct action_input ain;
		struct err ignore;
		json_t *dp = NULL;
		action_input_init(&ain);
		if (build_dispatch(cx, out, &ain, now, &dp, &ignore) == OK &&
		    (rc = append_event(cx->st, out, who, ACT_DISPATCH, dp, "按属地自动派单", now, e)) != OK)
			goto fail;
	}
	if ((rc = store_case_insert(cx->st, out, e)) != OK || (rc = store_commit(cx->st, e)) != OK)
		goto fail;
	return OK;
fail:
	store_rollback(cx->st);
	return rc;
}

/*
 * The default lead unit from the category's handling path: the street that
 * owns the place, or the named sector's department in the place's district,
 * falling back to the district when the unit is unclear.
 */
static enum err_code default_lead(struct store *st, const struct case_rec *c, char out[LIMIT_CODE + 1],
				  struct err *e)
{
	struct category cat;
	struct unit u;
	struct err ignore;
	if (c->category_id && store_category_get(st, c->category_id, &cat, &ignore) == OK) {
		if (!strcmp(cat.handling, "street") && *c->street) {
			strlcpy_ok(out, c->street, LIMIT_CODE + 1);
			return OK;
		}
		if (str_has_prefix(cat.handling, "sector:") && *c->district &&
		    store_unit_by_sector(st, c->district, cat.handling + 7, &u, &ignore) == OK) {
			strlcpy_ok(out, u.code, LIMIT_CODE + 1);
			return OK;
		}
	}
	if (*c->street) {
		strlcpy_ok(out, c->street, LIMIT_CODE + 1);
		return OK;
	}
	if (*c->district) {
		strlcpy_ok(out, c->district, LIMIT_CODE + 1);
		return OK;
	}
	return err_set(e, E_INVALID, "unit", "无法从诉求地点和分类确定承办单位，请指定 unit");
}

/*
 * The payload of a dispatch (also of a re-dispatch after a dispute): the
 * lead, the copies (a street's district always), and the deadlines of the
 * tier computed now, so that the event carries them.
 */
static enum err_code build_dispatch(struct case_ctx *cx, const struct case_rec *c, const struct action_input *in,
				    int64_t now, json_t **payload, struct err *e)
{
	char lead[LIMIT_CODE + 1];
	struct unit u, cu;
	struct err ignore;
	enum err_code rc;
	if (*in->unit)
		strlcpy_ok(lead, in->unit, sizeof(lead));
	else if ((rc = default_lead(cx->st, c, lead, e)) != OK)
		return rc;
	if (store_unit_get(cx->st, lead, &u, &ignore) != OK)
		return err_set(e, E_INVALID, "unit", "承办单位 %s 不存在", lead);
	if (u.kind == UNIT_CENTRE || u.kind == UNIT_COMMUNITY)
		return err_set(e, E_INVALID, "unit", "不能派给%s「%s」：请派给街道（乡镇）、部门、企业或区",
			       u.kind == UNIT_CENTRE ? "热线中心" : "社区", u.name);
	if ((rc = check_tier(in->tier, e)))
		return rc;
	if (in->nunits > MAX_COPY_UNITS)
		return err_set(e, E_INVALID, "copies", "抄送单位不能超过 %d 个", MAX_COPY_UNITS);
	int tier = in->tier >= 0 ? in->tier : (int)c->tier;
	json_t *copies = json_array();
	/* a street's district gets a copy and supervises (抄送) */
	if (u.kind == UNIT_STREET && *u.parent)
		json_array_append_new(copies, json_string(u.parent));
	for (int i = 0; i < in->nunits; i++) {
		if (store_unit_get(cx->st, in->units[i], &cu, &ignore) != OK) {
			json_decref(copies);
			return err_set(e, E_INVALID, "copies", "抄送单位 %s 不存在", in->units[i]);
		}
		bool dup = !strcmp(in->units[i], lead);
		for (size_t j = 0; j < json_array_size(copies); j++)
			dup |= !strcmp(json_string_value(json_array_get(copies, j)), in->units[i]);
		if (!dup && json_array_size(copies) < MAX_COPY_UNITS)
			json_array_append_new(copies, json_string(in->units[i]));
	}
	const struct tier_rule *r = &cx->tiers[tier];
	int64_t feedback = deadline_add(cx->cal, now, r->feedback_amount, r->feedback_unit);
	*payload = json_pack("{s:s, s:o, s:s, s:I, s:I, s:I, s:i}", "unit", lead, "copies", copies, "tier",
			     tier_name((enum tier)tier), "sign_due", (json_int_t)(now + r->sign_minutes * 60LL),
			     "contact_due", (json_int_t)(now + r->contact_minutes * 60LL), "feedback_due",
			     (json_int_t)feedback, "warn_percent", r->warn_percent);
	return OK;
}

/* The summoned units of a whistle: departments or enterprises, each once, not the lead itself. */
static enum err_code build_whistle(struct case_ctx *cx, const struct case_rec *c, const struct action_input *in,
				   int64_t now, json_t **payload, struct err *e)
{
	struct unit u;
	struct err ignore;
	enum err_code rc;
	if (in->nunits == 0)
		return err_set(e, E_INVALID, "units", "请列出被吹哨的部门或企业（units）");
	if (c->ntasks + in->nunits > MAX_TASKS)
		return err_set(e, E_INVALID, "units", "本工单的任务总数不能超过 %d 个", MAX_TASKS);
	if (in->time && in->time <= now)
		return err_set(e, E_INVALID, "report_due", "报到时限须晚于现在");
	if ((rc = check_text(in->text, LIMIT_ADDRESS, false, "place", "报到地点", e)))
		return rc;
	json_t *units = json_array();
	for (int i = 0; i < in->nunits; i++) {
		if (store_unit_get(cx->st, in->units[i], &u, &ignore) != OK ||
		    (u.kind != UNIT_DEPARTMENT && u.kind != UNIT_ENTERPRISE)) {
			json_decref(units);
			return err_set(e, E_INVALID, "units", "被吹哨单位 %s 不是部门或企业", in->units[i]);
		}
		for (int j = 0; j < i; j++)
			if (!strcmp(in->units[j], in->units[i])) {
				json_decref(units);
				return err_set(e, E_INVALID, "units", "被吹哨单位 %s 重复", in->units[i]);
			}
		if (!strcmp(u.code, c->lead_unit)) {
			json_decref(units);
			return err_set(e, E_INVALID, "units", "不能向本单位吹哨");
		}
		json_array_append_new(units, json_string(u.code));
	}
	int64_t due = in->time ? in->time : now + WHISTLE_REPORT_MINUTES_DEFAULT * 60LL;
	*payload = json_pack("{s:i, s:o, s:I, s:s}", "no", c->nwhistles + 1, "units", units, "report_due",
			     (json_int_t)due, "place", in->text);
	return OK;
}

/* Which task a report, finish or rate names: by number if given, else the first that fits. */
static enum err_code pick_task(const struct case_rec *c, const char *unit, int64_t no, enum task_want want,
			       const struct case_task **out, struct err *e)
{
	for (int i = 0; i < c->ntasks; i++) {
		const struct case_task *t = &c->tasks[i];
		if (strcmp(t->unit, unit) != 0 || (no && t->no != no))
			continue;
		if ((want == WANT_UNREPORTED && (t->kind != TASK_WHISTLE || t->reported_at)) ||
		    (want == WANT_UNFINISHED && (t->finished_at || (t->kind == TASK_WHISTLE && !t->reported_at))) ||
		    (want == WANT_UNRATED && (t->kind != TASK_WHISTLE || !t->finished_at || t->rated_at)))
			continue;
		*out = t;
		return OK;
	}
	switch (want) {
	case WANT_UNREPORTED:
		return err_set(e, E_STATE, "whistle", "没有待报到的吹哨任务");
	case WANT_UNFINISHED:
		return err_set(e, E_STATE, "whistle", "没有未完成的任务");
	default:
		return err_set(e, E_STATE, "whistle", "单位 %s 没有已完成且待评价的吹哨任务", unit);
	}
}

static json_t *task_ref(const struct case_task *t)
{
	return json_pack("{s:i, s:s, s:s}", "no", t->no, "unit", t->unit, "kind", task_kind_name(t->kind));
}

static enum err_code check_rating(const struct action_input *in, struct err *e)
{
	static const char *const keys[3] = {"timeliness", "attitude", "result"};
	for (int i = 0; i < 3; i++)
		if (in->rating[i] < 1 || in->rating[i] > 5)
			return err_set(e, E_INVALID, keys[i], "评分 %s 须为 1–5 的整数", keys[i]);
	return OK;
}

static enum err_code need_bool(int v, const char *field, const char *what, struct err *e)
{
	if (v < 0)
		return err_set(e, E_INVALID, field, "请说明%s（%s: true/false）", what, field);
	return OK;
}

/* Check the action's own input and build its event payload. */
static enum err_code build_payload(struct case_ctx *cx, const struct actor *who, const struct case_rec *c,
				   enum case_action a, const struct action_input *in, int64_t now, json_t **payload,
				   struct err *e)
{
	enum err_code rc;
	const struct case_task *t = NULL;
	struct unit u;
	struct err ignore;
	switch (a) {
	case ACT_ANSWER:
		if ((rc = check_text(in->text, LIMIT_REASON, true, "answer", "答复内容", e)))
			return rc;
		*payload = json_pack("{s:s}", "answer", in->text);
		return OK;
	case ACT_REFER:
		if (!*in->outcome || !name_in(referral_outcomes, in->outcome))
			return err_set(e, E_INVALID, "outcome",
				       "不予派单的情形须为 emergency、other_channel、repeat、secret、out_of_remit 或 unlawful");
		if ((rc = check_text(in->text, LIMIT_REASON, true, "answer", "告知内容", e)))
			return rc;
		*payload = json_pack("{s:s, s:s}", "outcome", in->outcome, "answer", in->text);
		return OK;
	case ACT_DISPATCH:
		return build_dispatch(cx, c, in, now, payload, e);
	case ACT_CONTACT:
		if ((rc = need_bool(in->reached, "reached", "是否联系上诉求人", e)))
			return rc;
		if (*in->method && !name_in(contact_methods, in->method))
			return err_set(e, E_INVALID, "method", "联系方式须为 phone、sms、visit 或 other");
		if ((rc = check_text(in->text, LIMIT_REASON, false, "note", "联系情况", e)))
			return rc;
		*payload = json_pack("{s:b, s:s, s:s}", "reached", in->reached, "method",
				     *in->method ? in->method : "phone", "note", in->text);
		return OK;
	case ACT_NOTE:
		if ((rc = check_text(in->text, LIMIT_REASON, true, "note", "备注", e)))
			return rc;
		*payload = json_pack("{s:s}", "note", in->text);
		return OK;
	case ACT_REPLY: {
		if ((rc = check_text(in->text, LIMIT_REASON, true, "result", "办理结果", e)) ||
		    (rc = need_bool(in->solved, "solved", "是否已解决", e)))
			return rc;
		int open = 0;
		for (int i = 0; i < c->ntasks; i++)
			open += !c->tasks[i].finished_at;
		if (open && !*in->reason)
			return err_set(e, E_STATE, "reason",
				       "尚有 %d 项吹哨或下派任务未完成；如需先行反馈，请在 reason 中说明原因", open);
		*payload = json_pack("{s:s, s:b, s:i}", "result", in->text, "solved", in->solved, "open_tasks", open);
		return OK;
	}
	case ACT_SIGN:
	case ACT_CLOSE:
	case ACT_UNPARK:
		*payload = json_object();
		return OK;
	case ACT_WHISTLE:
		return build_whistle(cx, c, in, now, payload, e);
	case ACT_REPORT:
		if ((rc = pick_task(c, who->unit.code, in->ref, WANT_UNREPORTED, &t, e)))
			return rc;
		*payload = task_ref(t);
		json_object_set_new(*payload, "on_site", json_boolean(in->on_site == 1));
		json_object_set_new(*payload, "note", json_string(in->text));
		return check_text(in->text, LIMIT_REASON, false, "note", "报到说明", e);
	case ACT_FINISH:
		if ((rc = check_text(in->text, LIMIT_REASON, true, "result", "完成情况", e)) ||
		    (rc = pick_task(c, who->unit.code, in->ref, WANT_UNFINISHED, &t, e)))
			return rc;
		*payload = task_ref(t);
		json_object_set_new(*payload, "result", json_string(in->text));
		return OK;
	case ACT_RATE:
		if (!*in->unit)
			return err_set(e, E_INVALID, "unit", "请指明评价的单位（unit）");
		if ((rc = check_rating(in, e)) || (rc = pick_task(c, in->unit, in->ref, WANT_UNRATED, &t, e)))
			return rc;
		*payload = task_ref(t);
		json_object_set_new(*payload, "timeliness", json_integer(in->rating[0]));
		json_object_set_new(*payload, "attitude", json_integer(in->rating[1]));
		json_object_set_new(*payload, "result", json_integer(in->rating[2]));
		return OK;
	case ACT_RETURN:
		if (!*in->code || !name_in(return_causes, in->code))
			return err_set(e, E_INVALID, "cause",
				       "退单原因须为 territory（属地不符）、ownership（权属不清）、overlap（职能交叉）或 other");
		if ((rc = check_text(in->text, LIMIT_REASON, true, "evidence", "退单依据", e)))
			return rc;
		*payload = json_pack("{s:s, s:s}", "cause", in->code, "evidence", in->text);
		return OK;
	case ACT_DECIDE_RETURN:
		if (!strcmp(in->code, "reject")) {
			*payload = json_pack("{s:s}", "decision", "reject");
			return OK;
		}
		if (strcmp(in->code, "redispatch") != 0)
			return err_set(e, E_INVALID, "decision", "审核结论须为 redispatch（改派）或 reject（驳回）");
		if (!*in->unit)
			return err_set(e, E_INVALID, "unit", "改派须指明新的承办单位（unit）");
		if (!strcmp(in->unit, c->lead_unit))
			return err_set(e, E_INVALID, "unit", "改派的单位与原承办单位相同；如要退回原单位请选 reject");
		if ((rc = build_dispatch(cx, c, in, now, payload, e)))
			return rc;
		json_object_set_new(*payload, "decision", json_string("redispatch"));
		/* the tier's rule says whether the new unit gets a fresh feedback period */
		if (cx->tiers[c->tier].redispatch_keeps_due && c->clocks[CLK_FEEDBACK].due)
			json_object_set_new(*payload, "feedback_due", json_integer(c->clocks[CLK_FEEDBACK].due));
		return OK;
	case ACT_EXTEND:
		if (!in->time)
			return err_set(e, E_INVALID, "new_due", "请填写申请延至的时间（new_due）");
		if (in->time <= c->clocks[CLK_FEEDBACK].due)
			return err_set(e, E_INVALID, "new_due", "延期后的时限须晚于现有办结时限");
		if (!*in->reason)
			return err_set(e, E_INVALID, "reason", "请说明延期理由");
		*payload = json_pack("{s:I}", "new_due", (json_int_t)in->time);
		return OK;
	case ACT_DECIDE_EXTENSION:
		if ((rc = need_bool(in->approve, "approve", "是否批准", e)))
			return rc;
		*payload = json_pack("{s:b, s:I, s:i}", "approve", in->approve, "due", (json_int_t)c->extension_due,
				     "warn_percent", cx->tiers[c->tier].warn_percent);
		return OK;
	case ACT_SUPERVISE:
		if ((rc = check_text(in->text, LIMIT_REASON, true, "instruction", "督办意见", e)))
			return rc;
		if (!in->time || in->time <= now)
			return err_set(e, E_INVALID, "due", "请填写晚于现在的督办回复时限（due）");
		*payload = json_pack("{s:s, s:I}", "instruction", in->text, "due", (json_int_t)in->time);
		return OK;
	case ACT_ANSWER_SUPERVISION: {
		if ((rc = check_text(in->text, LIMIT_REASON, true, "answer", "督办回复", e)))
			return rc;
		int no = 0;
		for (int i = 0; i < c->nsupervisions && !no; i++)
			if (!c->supervisions[i].answered_at && (!in->ref || c->supervisions[i].no == in->ref))
				no = c->supervisions[i].no;
		if (!no)
			return err_set(e, E_STATE, "no", "没有这项待回复的督办");
		*payload = json_pack("{s:i, s:s}", "no", no, "answer", in->text);
		return OK;
	}
	case ACT_ESCALATE: {
		if (strcmp(in->code, "district") && strcmp(in->code, "city"))
			return err_set(e, E_INVALID, "to", "提级须为 district（区级）或 city（市级）");
		if (!*in->reason)
			return err_set(e, E_INVALID, "reason", "请说明提级理由");
		/* the district of the lead unit joins as a copy, to coordinate */
		char copy[LIMIT_CODE + 1] = "";
		if (store_unit_get(cx->st, c->lead_unit, &u, &ignore) == OK) {
			if (u.kind == UNIT_DISTRICT)
				copy[0] = '\0';
			else if (u.kind == UNIT_COMMUNITY && *c->district)
				strlcpy_ok(copy, c->district, sizeof(copy));
			else
				strlcpy_ok(copy, u.parent, sizeof(copy));
		}
		if (!strcmp(in->code, "city"))
			strlcpy_ok(copy, CENTRE_CODE, sizeof(copy));
		*payload = json_pack("{s:s, s:s}", "to", in->code, "copy", copy);
		return OK;
	}
	case ACT_SUBDISPATCH:
		if (!*in->unit)
			return err_set(e, E_INVALID, "community", "请指明下派的社区（community）");
		if (store_unit_get(cx->st, in->unit, &u, &ignore) != OK || u.kind != UNIT_COMMUNITY ||
		    strcmp(u.parent, c->lead_unit) != 0)
			return err_set(e, E_INVALID, "community", "社区 %s 不属于本街道", in->unit);
		if (task_of(c, u.code, WANT_UNFINISHED))
			return err_set(e, E_STATE, "community", "该社区已有未完成的下派任务");
		if ((rc = check_text(in->text, LIMIT_REASON, false, "note", "下派说明", e)))
			return rc;
		*payload = json_pack("{s:i, s:[s], s:s}", "no", c->nsubdispatches + 1, "units", u.code, "note", in->text);
		return OK;
	case ACT_PARK:
		if (!in->time || in->time <= now)
			return err_set(e, E_INVALID, "until", "请填写晚于现在的计划解决日期（until）");
		if (!*in->reason)
			return err_set(e, E_INVALID, "reason", "请说明挂账理由");
		*payload = json_pack("{s:I}", "until", (json_int_t)in->time);
		return OK;
	case ACT_MERGE:
	case ACT_LINK_REPEAT: {
		const char *field = a == ACT_MERGE ? "into" : "of";
		struct case_rec *other = xmalloc(sizeof(*other));
		rc = OK;
		if (!in->ref || in->ref == c->id)
			rc = err_set(e, E_INVALID, field, "请指明另一件工单的编号（%s）", field);
		else if (store_case_get(cx->st, in->ref, other, &ignore) != OK)
			rc = err_set(e, E_INVALID, field, "工单 %lld 不存在", (long long)in->ref);
		else if (a == ACT_MERGE && (other->status == CS_MERGED || other->status == CS_ANSWERED ||
					    other->status == CS_REFERRED || other->status == CS_CLOSED))
			rc = err_set(e, E_INVALID, field, "工单 %lld 已%s，不能并入", (long long)in->ref,
				     case_status_label(other->status));
		free(other);
		if (rc)
			return rc;
		*payload = json_pack("{s:I}", field, (json_int_t)in->ref);
		return OK;
	}
	case ACT_CALLBACK: {
		if ((rc = need_bool(in->valid, "valid", "是否回访成功（诉求人是否接听并作答）", e)))
			return rc;
		if ((rc = check_text(in->text, LIMIT_REASON, false, "comment", "回访意见", e)))
			return rc;
		char unit[LIMIT_CODE + 1];
		strlcpy_ok(unit, c->lead_unit, sizeof(unit));
		if (c->status == CS_MERGED) {
			/* counted for the unit that handled the case it was merged into */
			struct case_rec *primary = xmalloc(sizeof(*primary));
			rc = store_case_get(cx->st, c->merged_into, primary, e);
			if (rc == OK)
				strlcpy_ok(unit, primary->lead_unit, sizeof(unit));
			free(primary);
			if (rc)
				return rc;
		}
		if (in->valid != 1) {
			*payload = json_pack("{s:b, s:s, s:s}", "valid", 0, "comment", in->text, "unit", unit);
			return OK;
		}
		int sat = satisfaction_parse(in->code);
		if ((rc = need_bool(in->contacted, "contacted", "承办单位是否联系过诉求人", e)) ||
		    (rc = need_bool(in->solved, "solved", "诉求是否解决", e)))
			return rc;
		if (sat <= SAT_NONE)
			return err_set(e, E_INVALID, "satisfaction",
				       "满意度须为 satisfied（满意）、basic（基本满意）或 unsatisfied（不满意）");
		*payload = json_pack("{s:b, s:b, s:b, s:s, s:s, s:s}", "valid", 1, "contacted", in->contacted,
				     "solved", in->solved, "satisfaction", in->code, "comment", in->text, "unit", unit);
		return OK;
	}
	case ACT_REOPEN: {
		const struct tier_rule *r = &cx->tiers[c->tier];
		*payload = json_pack("{s:I, s:i}", "feedback_due",
				     (json_int_t)deadline_add(cx->cal, now, r->feedback_amount, r->feedback_unit),
				     "warn_percent", r->warn_percent);
		return OK;
	}
	case ACT_APPLY_EXCLUSION: {
		int sc = scope_parse(in->code);
		if (sc != SCOPE_EXCLUDED && sc != SCOPE_RESPONSE_ONLY)
			return err_set(e, E_INVALID, "scope", "申请的考核范围须为 excluded（剔除）或 response_only（只考核响应率）");
		if ((rc = check_text(in->text, LIMIT_REASON, true, "evidence", "剔除依据", e)))
			return rc;
		*payload = json_pack("{s:s, s:s}", "scope", in->code, "evidence", in->text);
		return OK;
	}
	case ACT_LOCATE: {
		if (!*in->district && !*in->street && !*in->community)
			return err_set(e, E_INVALID, "street", "请指明区、街道（乡镇）或社区");
		if (!*in->reason)
			return err_set(e, E_INVALID, "reason", "请说明人工确定属地的理由");
		struct case_input place = {0};
		strlcpy_ok(place.district, in->district, sizeof(place.district));
		strlcpy_ok(place.street, in->street, sizeof(place.street));
		strlcpy_ok(place.community, in->community, sizeof(place.community));
		if ((rc = check_place(cx->st, &place, e)))
			return rc;
		struct place_resolution r = {0};
		strlcpy_ok(r.district, place.district, sizeof(r.district));
		strlcpy_ok(r.street, place.street, sizeof(r.street));
		strlcpy_ok(r.community, place.community, sizeof(r.community));
		strlcpy_ok(r.method, "manual", sizeof(r.method));
		r.confidence = 1.0;
		snprintf(r.evidence, sizeof(r.evidence), "由%s人工确定", who->user.name);
		*payload = resolution_json(&r);
		return OK;
	}
	case ACT_REDIRECT:
		if (!*in->unit)
			return err_set(e, E_INVALID, "unit", "改派须指明新的承办单位（unit）");
		if (!strcmp(in->unit, c->lead_unit))
			return err_set(e, E_INVALID, "unit", "新的承办单位与现承办单位相同");
		if (!*in->reason)
			return err_set(e, E_INVALID, "reason", "请说明改派理由");
		return build_dispatch(cx, c, in, now, payload, e);
	case ACT_REVEAL:
		if (!*in->reason)
			return err_set(e, E_INVALID, "reason", "请说明查看诉求人联系方式的理由");
		*payload = json_object();
		return OK;
	case ACT_DECIDE_EXCLUSION:
		if ((rc = need_bool(in->approve, "approve", "是否批准", e)))
			return rc;
		*payload = json_pack("{s:b, s:s}", "approve", in->approve, "scope",
				     scope_name((enum assess_scope)(c->exclusion_requested - 1)));
		return OK;
	default:
		return err_set(e, E_INVALID, "action", "不支持的操作");
	}
}

enum err_code case_act(struct case_ctx *cx, const struct actor *who, int64_t id, enum case_action a,
		       const struct action_input *in, int64_t now, struct case_rec *out, struct err *e)
{
	enum err_code rc;
	json_t *payload = NULL;
	struct case_rec *before = NULL;
	if ((size_t)a >= ARRAY_SIZE(rules) || rules[a].scope == BY_SYSTEM || a == ACT_CREATE)
		return err_set(e, E_NOT_FOUND, "action", "没有这个操作");
	if ((rc = check_text(in->reason, LIMIT_REASON, false, "reason", "理由", e)))
		return rc;
	if ((rc = store_begin(cx->st, e)) != OK)
		return rc;
	if ((rc = case_get_visible(cx, who, id, out, e)) != OK || (rc = may_act(who, out, a, e)) != OK ||
	    (rc = state_allows(out, a, e)) != OK || (rc = precondition(cx->st, who, out, a, now, e)) != OK ||
	    (rc = build_payload(cx, who, out, a, in, now, &payload, e)) != OK)
		goto fail;
	json_t *p = payload; /* append_event owns it from here */
	payload = NULL;
	before = xmalloc(sizeof(*before));
	*before = *out;
	if ((rc = append_event(cx->st, out, who, a, p, in->reason, now, e)) != OK ||
	    (rc = store_case_update(cx->st, before, out, e)) != OK || (rc = store_commit(cx->st, e)) != OK)
		goto fail;
	free(before);
	return OK;
fail:
	free(before);
	json_decref(payload);
	store_rollback(cx->st);
	return rc;
}

/* ------------------------------------------------------------ sweep */

struct id_list {
	int64_t *ids;
	int n, cap;
};

static int collect_id(void *ctx, int64_t id)
{
	struct id_list *l = ctx;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->ids = xrealloc(l->ids, (size_t)l->cap * sizeof(*l->ids));
	}
	l->ids[l->n++] = id;
	return 0;
}

/* Append the warning and overdue events that are due on one case. */
static enum err_code sweep_case(struct case_ctx *cx, int64_t id, int64_t now, int *events, struct err *e)
{
	struct case_rec *c = xmalloc(2 * sizeof(*c)), *before = c + 1;
	enum err_code rc;
	if ((rc = store_begin(cx->st, e)) != OK) {
		free(c);
		return rc;
	}
	if ((rc = store_case_get(cx->st, id, c, e)) != OK)
		goto fail;
	*before = *c;
	for (int k = 0; k < CLOCK_COUNT; k++) {
		struct case_clock *cl = &c->clocks[k];
		if (!cl->start || cl->done_at || cl->overdue)
			continue;
		enum case_action a;
		int64_t mark;
		if (cl->due && now > cl->due) {
			a = ACT_OVERDUE;
			mark = cl->due;
		} else if (cl->warn_at && now >= cl->warn_at && !cl->warned) {
			a = ACT_WARNING;
			mark = cl->warn_at;
		} else {
			continue;
		}
		char due[26];
		time_format_iso(cl->due, due);
		json_t *p = json_pack("{s:s, s:s, s:I}", "clock", clock_name((enum clock_kind)k), "due", due,
				      "mark", (json_int_t)mark);
		if ((rc = append_event(cx->st, c, NULL, a, p, NULL, now, e)) != OK)
			goto fail;
		(*events)++;
	}
	if (c->next_check_at && c->next_check_at <= now) {
		/* nothing left to do at this time: make sure the case leaves the due list */
		rc = err_set(e, E_INTERNAL, NULL, "工单 %lld 的时限检查没有推进", (long long)id);
		goto fail;
	}
	if ((rc = store_case_update(cx->st, before, c, e)) != OK || (rc = store_commit(cx->st, e)) != OK)
		goto fail;
	free(c);
	return OK;
fail:
	free(c);
	store_rollback(cx->st);
	return rc;
}

enum err_code case_sweep(struct case_ctx *cx, int64_t now, int *events, struct err *e)
{
	enum err_code rc = OK;
	*events = 0;
	for (;;) {
		struct id_list l = {0};
		if ((rc = store_cases_due(cx->st, now, 500, collect_id, &l, e)) != OK) {
			free(l.ids);
			return rc;
		}
		for (int i = 0; i < l.n && rc == OK; i++)
			rc = sweep_case(cx, l.ids[i], now, events, e);
		int n = l.n;
		free(l.ids);
		if (rc != OK || n < 500)
			return rc;
	}
}
