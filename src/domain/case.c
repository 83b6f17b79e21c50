/*
 * case.c — the case lifecycle as a table of rules, one fold function that
 * turns events into the case row, and the deadline sweep.
 */
#include "case.h"
#include "catalog.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const case_channels[] = {"phone", "web", "app", "miniprogram", "wechat", "email", "other", NULL};
const char *const referral_outcomes[] = {"emergency", "other_channel", "repeat", "secret", "out_of_remit",
					 "unlawful", NULL};
const char *const contact_methods[] = {"phone", "sms", "visit", "other", NULL};
static const char *const crs_names[] = {"wgs84", "gcj02", "bd09", NULL};

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
#define CENTRE_ROLES (RL(ROLE_AGENT) | RL(ROLE_DISPATCHER))
#define UNIT_ROLES (RL(ROLE_HANDLER) | RL(ROLE_HEAD))

/* Who, besides the role, may take an action. */
enum actor_scope {
	BY_CENTRE, /* a user of the hotline centre */
	BY_LEAD,   /* a user of the case's lead unit */
	BY_VIEWER, /* anyone who may see the case */
	BY_SYSTEM, /* the sweep only */
};

/*
 * The lifecycle rules: from which states, to which state (-1: unchanged),
 * by which roles, in which scope. DOMAIN.md §4 is the source.
 */
static const struct action_rule {
	const char *name;
	const char *label; /* what a Beijing case worker calls it */
	unsigned from;
	int to;
	unsigned roles;
	enum actor_scope scope;
} rules[CASE_ACTION_COUNT] = {
	[ACT_CREATE] = {"create", "受理登记", 0, CS_RECEIVED, CENTRE_ROLES, BY_CENTRE},
	[ACT_ANSWER] = {"answer", "直接答复", ST(CS_RECEIVED), CS_ANSWERED, CENTRE_ROLES, BY_CENTRE},
	[ACT_REFER] = {"refer", "不予派单", ST(CS_RECEIVED), CS_REFERRED, CENTRE_ROLES, BY_CENTRE},
	[ACT_DISPATCH] = {"dispatch", "派单", ST(CS_RECEIVED) | ST(CS_RETURNED), CS_DISPATCHED, CENTRE_ROLES, BY_CENTRE},
	[ACT_SIGN] = {"sign", "签收", ST(CS_DISPATCHED), CS_ACCEPTED, UNIT_ROLES, BY_LEAD},
	[ACT_CONTACT] = {"contact", "联系诉求人", ST(CS_ACCEPTED) | ST(CS_IN_PROGRESS), CS_IN_PROGRESS, UNIT_ROLES, BY_LEAD},
	[ACT_NOTE] = {"note", "备注", ANY_STATE, -1, CENTRE_ROLES | UNIT_ROLES | RL(ROLE_SUPERVISOR), BY_VIEWER},
	[ACT_REPLY] = {"reply", "反馈办理结果", ST(CS_IN_PROGRESS), CS_REPLIED, UNIT_ROLES, BY_LEAD},
	[ACT_CLOSE] = {"close", "办结", ST(CS_REPLIED), CS_CLOSED, CENTRE_ROLES, BY_CENTRE},
	[ACT_WARNING] = {"warning", "临期预警", ANY_STATE, -1, 0, BY_SYSTEM},
	[ACT_OVERDUE] = {"overdue", "超期", ANY_STATE, -1, 0, BY_SYSTEM},
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
	static const char *const labels[CASE_STATUS_COUNT] = {"已受理", "直接答复", "不予派单", "已派单", "已签收",
							      "办理中",	 "退单待审", "已反馈",	 "挂账",   "已办结", "已合并"};
	return (size_t)s < ARRAY_SIZE(labels) ? labels[s] : "?";
}

int case_action_parse(const char *s)
{
	for (int i = 0; i < CASE_ACTION_COUNT; i++)
		if (rules[i].scope != BY_SYSTEM && i != ACT_CREATE && !strcmp(rules[i].name, s))
			return i;
	return -1;
}

static int action_by_event_name(const char *s)
{
	for (int i = 0; i < CASE_ACTION_COUNT; i++)
		if (!strcmp(rules[i].name, s))
			return i;
	return -1;
}

void action_input_init(struct action_input *in)
{
	memset(in, 0, sizeof(*in));
	in->tier = -1;
	in->solved = -1;
	in->reached = -1;
}

/* ------------------------------------------------------------ context */

enum err_code case_ctx_load(struct case_ctx *cx, struct store *st, struct err *e)
{
	cx->st = st;
	cx->cal = NULL;
	tier_rules_default(cx->tiers);
	enum err_code rc = store_tiers_load(st, cx->tiers, e);
	if (rc != OK && rc != E_NOT_FOUND)
		return rc;
	return calendar_load(st, &cx->cal, e);
}

void case_ctx_release(struct case_ctx *cx)
{
	calendar_free(cx->cal);
	cx->cal = NULL;
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
	return OK;
}

static enum err_code state_allows(const struct case_rec *c, enum case_action a, struct err *e)
{
	if (!(rules[a].from & ST(c->status)))
		return err_set(e, E_STATE, NULL, "工单当前状态为「%s」，不能执行「%s」", case_status_label(c->status),
			       rules[a].label);
	return OK;
}

unsigned case_allowed_actions(const struct actor *who, const struct case_rec *c)
{
	unsigned mask = 0;
	struct err ignore;
	for (int a = ACT_ANSWER; a < CASE_ACTION_COUNT; a++) {
		if (rules[a].scope == BY_SYSTEM)
			continue;
		if (a == ACT_ANSWER && c->type != CT_CONSULTATION)
			continue;
		if (may_act(who, c, (enum case_action)a, &ignore) == OK &&
		    state_allows(c, (enum case_action)a, &ignore) == OK)
			mask |= 1u << a;
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

/* ------------------------------------------------------------ fold */

static void jstr(json_t *o, const char *key, char *dst, size_t n)
{
	const char *s = json_string_value(json_object_get(o, key));
	strlcpy_ok(dst, s ? s : "", n);
}

static int64_t jint(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
}

/* Recompute the earliest pending warning or deadline over the running clocks. */
static void update_next_check(struct case_rec *c)
{
	int64_t next = 0;
	for (int k = 0; k < CLOCK_COUNT; k++) {
		const struct case_clock *cl = &c->clocks[k];
		if (!cl->start || cl->done_at)
			continue;
		int64_t t = 0;
		if (!cl->warned && !cl->overdue && cl->warn_at)
			t = cl->warn_at;
		else if (!cl->overdue && cl->due)
			t = cl->due + 1; /* overdue is strictly after the due time */
		if (t && (!next || t < next))
			next = t;
	}
	c->next_check_at = next;
}

/* Mark a clock met at t; meeting it after its deadline marks it overdue. */
static void clock_done(struct case_clock *cl, int64_t t)
{
	if (!cl->start || cl->done_at)
		return;
	cl->done_at = t;
	if (cl->due && t > cl->due)
		cl->overdue = true;
}

static int clock_by_name(const char *s)
{
	for (int k = 0; k < CLOCK_COUNT; k++)
		if (s && !strcmp(clock_name((enum clock_kind)k), s))
			return k;
	return -1;
}

enum err_code case_apply(struct case_rec *c, const struct event_rec *ev, struct err *e)
{
	json_error_t jerr;
	json_t *p = json_loads(ev->payload && *ev->payload ? ev->payload : "{}", 0, &jerr);
	if (!json_is_object(p)) {
		json_decref(p);
		return err_set(e, E_INTERNAL, NULL, "工单 %lld 第 %d 条事件的内容已损坏", (long long)ev->case_id,
			       ev->seq);
	}
	int a = action_by_event_name(ev->action);
	if (a < 0) {
		json_decref(p);
		return err_set(e, E_INTERNAL, NULL, "工单 %lld 第 %d 条事件类型未知：%s", (long long)ev->case_id,
			       ev->seq, ev->action);
	}
	if (a == ACT_CREATE && ev->seq != 1) {
		json_decref(p);
		return err_set(e, E_INTERNAL, NULL, "工单 %lld 的创建事件不在首位", (long long)ev->case_id);
	}
	switch ((enum case_action)a) {
	case ACT_CREATE: {
		int64_t id = c->id;
		memset(c, 0, sizeof(*c));
		c->id = id;
		c->type = (enum case_type)case_type_parse(json_string_value(json_object_get(p, "type")));
		jstr(p, "channel", c->channel, sizeof(c->channel));
		jstr(p, "title", c->title, sizeof(c->title));
		jstr(p, "content", c->content, sizeof(c->content));
		jstr(p, "address", c->address, sizeof(c->address));
		json_t *loc = json_object_get(p, "location");
		if (json_is_object(loc)) {
			c->has_location = true;
			c->lat = json_real_value(json_object_get(loc, "lat"));
			c->lon = json_real_value(json_object_get(loc, "lon"));
			jstr(loc, "crs", c->crs, sizeof(c->crs));
		}
		c->category_id = jint(p, "category_id");
		c->tier = (enum tier)tier_parse(json_string_value(json_object_get(p, "tier")));
		json_t *req = json_object_get(p, "requester");
		jstr(req, "name", c->req_name, sizeof(c->req_name));
		jstr(req, "phone", c->req_phone, sizeof(c->req_phone));
		c->confidential = json_is_true(json_object_get(req, "confidential"));
		jstr(p, "district", c->district, sizeof(c->district));
		jstr(p, "street", c->street, sizeof(c->street));
		jstr(p, "community", c->community, sizeof(c->community));
		c->solved = -1;
		c->created_by = ev->user_id;
		strlcpy_ok(c->created_unit, ev->unit, sizeof(c->created_unit));
		c->created_at = ev->at;
		clock_begin(&c->clocks[CLK_DISPATCH], ev->at, jint(p, "dispatch_due"), (int)jint(p, "warn_percent"));
		break;
	}
	case ACT_ANSWER:
	case ACT_REFER:
		jstr(p, "answer", c->answer, sizeof(c->answer));
		jstr(p, "outcome", c->referral, sizeof(c->referral));
		clock_done(&c->clocks[CLK_DISPATCH], ev->at);
		break;
	case ACT_DISPATCH: {
		jstr(p, "unit", c->lead_unit, sizeof(c->lead_unit));
		json_t *copies = json_object_get(p, "copies");
		c->ncopies = 0;
		for (size_t i = 0; i < json_array_size(copies) && c->ncopies < MAX_COPY_UNITS; i++)
			strlcpy_ok(c->copies[c->ncopies++], json_string_value(json_array_get(copies, i)),
				   sizeof(c->copies[0]));
		int t = tier_parse(json_string_value(json_object_get(p, "tier")));
		if (t >= 0)
			c->tier = (enum tier)t;
		int warn = (int)jint(p, "warn_percent");
		clock_done(&c->clocks[CLK_DISPATCH], ev->at);
		clock_begin(&c->clocks[CLK_SIGN], ev->at, jint(p, "sign_due"), warn);
		clock_begin(&c->clocks[CLK_CONTACT], ev->at, jint(p, "contact_due"), warn);
		clock_begin(&c->clocks[CLK_FEEDBACK], ev->at, jint(p, "feedback_due"), warn);
		break;
	}
	case ACT_SIGN:
		clock_done(&c->clocks[CLK_SIGN], ev->at);
		break;
	case ACT_CONTACT:
		if (!json_is_true(json_object_get(p, "reached"))) {
			/* an attempt that did not reach the requester changes no state */
			c->seq = ev->seq;
			c->updated_at = ev->at;
			json_decref(p);
			return OK;
		}
		clock_done(&c->clocks[CLK_CONTACT], ev->at);
		break;
	case ACT_NOTE:
		break;
	case ACT_REPLY:
		jstr(p, "result", c->result, sizeof(c->result));
		c->solved = json_is_boolean(json_object_get(p, "solved")) ? json_is_true(json_object_get(p, "solved"))
									  : -1;
		clock_done(&c->clocks[CLK_FEEDBACK], ev->at);
		break;
	case ACT_CLOSE:
		c->closed_at = ev->at;
		break;
	case ACT_WARNING:
	case ACT_OVERDUE: {
		int k = clock_by_name(json_string_value(json_object_get(p, "clock")));
		if (k < 0) {
			json_decref(p);
			return err_set(e, E_INTERNAL, NULL, "工单 %lld 第 %d 条事件缺少时限类型",
				       (long long)ev->case_id, ev->seq);
		}
		c->clocks[k].warned = true;
		if (a == ACT_OVERDUE)
			c->clocks[k].overdue = true;
		break;
	}
	}
	if (rules[a].to >= 0)
		c->status = (enum case_status)rules[a].to;
	c->seq = ev->seq;
	c->updated_at = ev->at;
	update_next_check(c);
	json_decref(p);
	return OK;
}

struct rebuild_ctx {
	struct case_rec *c;
	struct err *e;
	int n;
};

static int rebuild_one(void *ctx, const struct event_rec *ev)
{
	struct rebuild_ctx *r = ctx;
	r->n++;
	if (ev->seq != r->n)
		return err_set(r->e, E_INTERNAL, NULL, "工单 %lld 的事件序号不连续（第 %d 条为 %d）",
			       (long long)ev->case_id, r->n, ev->seq);
	return case_apply(r->c, ev, r->e);
}

enum err_code case_rebuild(struct store *st, int64_t id, struct case_rec *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	out->id = id;
	struct rebuild_ctx r = {out, e, 0};
	enum err_code rc = store_events_list(st, id, rebuild_one, &r, e);
	if (rc == OK && r.n == 0)
		rc = err_set(e, E_NOT_FOUND, "id", "工单 %lld 没有事件", (long long)id);
	return rc;
}

const char *case_diff(const struct case_rec *a, const struct case_rec *b)
{
#define NUM(f)                  \
	if (a->f != b->f)       \
		return #f;
#define STR(f)                       \
	if (strcmp(a->f, b->f) != 0) \
		return #f;
	NUM(id) NUM(seq) NUM(status) NUM(type) STR(channel) STR(title) STR(content) STR(address)
	NUM(has_location) STR(crs) NUM(category_id) NUM(tier) STR(req_name) STR(req_phone) NUM(confidential)
	STR(district) STR(street) STR(community) STR(lead_unit) NUM(ncopies) STR(referral) STR(answer)
	STR(result) NUM(solved) NUM(created_by) STR(created_unit) NUM(created_at) NUM(updated_at)
	NUM(closed_at) NUM(next_check_at);
	if (a->has_location && (fabs(a->lat - b->lat) > 1e-9 || fabs(a->lon - b->lon) > 1e-9))
		return "location";
	for (int i = 0; i < a->ncopies; i++)
		if (strcmp(a->copies[i], b->copies[i]) != 0)
			return "copies";
	static const char *const clock_fields[CLOCK_COUNT][6] = {
#define CLOCK_FIELDS(k) {#k ".start", #k ".due", #k ".warn_at", #k ".done_at", #k ".warned", #k ".overdue"}
		CLOCK_FIELDS(dispatch), CLOCK_FIELDS(sign), CLOCK_FIELDS(contact), CLOCK_FIELDS(feedback),
#undef CLOCK_FIELDS
	};
	for (int k = 0; k < CLOCK_COUNT; k++) {
		const struct case_clock *x = &a->clocks[k], *y = &b->clocks[k];
		const int64_t va[6] = {x->start, x->due, x->warn_at, x->done_at, x->warned, x->overdue};
		const int64_t vb[6] = {y->start, y->due, y->warn_at, y->done_at, y->warned, y->overdue};
		for (int f = 0; f < 6; f++)
			if (va[f] != vb[f])
				return clock_fields[k][f];
	}
#undef NUM
#undef STR
	return NULL;
}

/* ------------------------------------------------------------ writing */

/*
 * Append an event to c (already loaded inside the open transaction): fold
 * it, then store the event and the new row. Takes ownership of payload.
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
	json_decref(payload);
	if (!ev.payload)
		return err_set(e, E_INTERNAL, NULL, "事件内容无法编码");
	enum err_code rc = case_apply(c, &ev, e);
	if (rc == OK)
		rc = store_event_append(st, &ev, e);
	if (rc == OK)
		rc = store_case_put(st, c, e);
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
	if (in.tier >= TIER_COUNT)
		return err_set(e, E_INVALID, "tier", "时限等级须为 emergency、utilities、general 或 complex");
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
	if ((rc = store_case_insert(cx->st, out, e)) != OK) {
		json_decref(p);
		goto fail;
	}
	if ((rc = append_event(cx->st, out, who, ACT_CREATE, p, NULL, now, e)) != OK)
		goto fail;
	if ((rc = store_commit(cx->st, e)) != OK)
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
	if (in->tier >= TIER_COUNT)
		return err_set(e, E_INVALID, "tier", "时限等级须为 emergency、utilities、general 或 complex");
	int tier = in->tier >= 0 ? in->tier : (int)c->tier;
	json_t *copies = json_array();
	/* a street's district gets a copy and supervises (抄送) */
	if (u.kind == UNIT_STREET && *u.parent)
		json_array_append_new(copies, json_string(u.parent));
	for (int i = 0; i < in->ncopies; i++) {
		if (store_unit_get(cx->st, in->copies[i], &cu, &ignore) != OK) {
			json_decref(copies);
			return err_set(e, E_INVALID, "copies", "抄送单位 %s 不存在", in->copies[i]);
		}
		bool dup = !strcmp(in->copies[i], lead);
		for (size_t j = 0; j < json_array_size(copies); j++)
			dup |= !strcmp(json_string_value(json_array_get(copies, j)), in->copies[i]);
		if (!dup && json_array_size(copies) < MAX_COPY_UNITS)
			json_array_append_new(copies, json_string(in->copies[i]));
	}
	const struct tier_rule *r = &cx->tiers[tier];
	int64_t feedback = deadline_add(cx->cal, now, r->feedback_amount, r->feedback_unit);
	*payload = json_pack("{s:s, s:o, s:s, s:I, s:I, s:I, s:i}", "unit", lead, "copies", copies, "tier",
			     tier_name((enum tier)tier), "sign_due", (json_int_t)(now + r->sign_minutes * 60LL),
			     "contact_due", (json_int_t)(now + r->contact_minutes * 60LL), "feedback_due",
			     (json_int_t)feedback, "warn_percent", r->warn_percent);
	return OK;
}

/* Check the action's own input and build its event payload. */
static enum err_code build_payload(struct case_ctx *cx, const struct case_rec *c, enum case_action a,
				   const struct action_input *in, int64_t now, json_t **payload, struct err *e)
{
	enum err_code rc;
	switch (a) {
	case ACT_ANSWER:
		if (c->type != CT_CONSULTATION)
			return err_set(e, E_STATE, NULL, "只有咨询类诉求可以直接答复，其他诉求请派单或不予派单");
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
	case ACT_SIGN:
		*payload = json_object();
		return OK;
	case ACT_CONTACT:
		if (in->reached < 0)
			return err_set(e, E_INVALID, "reached", "请说明是否联系上诉求人（reached: true/false）");
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
	case ACT_REPLY:
		if ((rc = check_text(in->text, LIMIT_REASON, true, "result", "办理结果", e)))
			return rc;
		if (in->solved < 0)
			return err_set(e, E_INVALID, "solved", "请说明是否已解决（solved: true/false）");
		*payload = json_pack("{s:s, s:b}", "result", in->text, "solved", in->solved);
		return OK;
	case ACT_CLOSE:
		*payload = json_object();
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
	if ((size_t)a >= ARRAY_SIZE(rules) || rules[a].scope == BY_SYSTEM || a == ACT_CREATE)
		return err_set(e, E_NOT_FOUND, "action", "没有这个操作");
	if ((rc = check_text(in->reason, LIMIT_REASON, false, "reason", "理由", e)))
		return rc;
	if ((rc = store_begin(cx->st, e)) != OK)
		return rc;
	if ((rc = case_get_visible(cx, who, id, out, e)) != OK || (rc = may_act(who, out, a, e)) != OK ||
	    (rc = state_allows(out, a, e)) != OK || (rc = build_payload(cx, out, a, in, now, &payload, e)) != OK)
		goto fail;
	if ((rc = append_event(cx->st, out, who, a, payload, in->reason, now, e)) != OK)
		goto fail;
	if ((rc = store_commit(cx->st, e)) != OK)
		goto fail;
	return OK;
fail:
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
	struct case_rec c;
	enum err_code rc;
	if ((rc = store_begin(cx->st, e)) != OK)
		return rc;
	if ((rc = store_case_get(cx->st, id, &c, e)) != OK)
		goto fail;
	for (int k = 0; k < CLOCK_COUNT; k++) {
		struct case_clock *cl = &c.clocks[k];
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
		if ((rc = append_event(cx->st, &c, NULL, a, p, NULL, now, e)) != OK)
			goto fail;
		(*events)++;
	}
	if (c.next_check_at && c.next_check_at <= now) {
		/* nothing left to do at this time: make sure the case leaves the due list */
		rc = err_set(e, E_INTERNAL, NULL, "工单 %lld 的时限检查没有推进", (long long)id);
		goto fail;
	}
	return store_commit(cx->st, e);
fail:
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
