/*
 * case_fold.c — the fold: how each event changes the case row and which
 * facts it yields for the monthly figures. Nothing here checks permissions
 * or reads the store; case.c decides whether an event may be written, this
 * file only says what a written event means.
 */
#include "case.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

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

static int jbool(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_boolean(v) ? json_is_true(v) : -1;
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

/* Mark a clock met at t; meeting it after its deadline marks it overdue. Returns true if on time. */
static bool clock_done(struct case_clock *cl, int64_t t)
{
	if (!cl->start || cl->done_at)
		return !cl->overdue;
	cl->done_at = t;
	if (cl->due && t > cl->due)
		cl->overdue = true;
	return !cl->overdue;
}

static int clock_by_name(const char *s)
{
	for (int k = 0; k < CLOCK_COUNT; k++)
		if (s && !strcmp(clock_name((enum clock_kind)k), s))
			return k;
	return -1;
}

static void add_fact(struct fact_list *fl, const struct event_rec *ev, const char *unit, const char *kind,
		     int64_t value)
{
	if (!fl || fl->n >= MAX_EVENT_FACTS)
		return;
	struct fact *f = &fl->f[fl->n++];
	memset(f, 0, sizeof(*f));
	f->case_id = ev->case_id;
	f->seq = ev->seq;
	f->at = ev->at;
	f->user_id = ev->user_id;
	strlcpy_ok(f->unit, unit, sizeof(f->unit));
	strlcpy_ok(f->kind, kind, sizeof(f->kind));
	f->value = value;
}

/* The task of a unit on whistle (or sub-dispatch) number no; NULL if none. */
static struct case_task *find_task(struct case_rec *c, enum task_kind kind, const char *unit, int no)
{
	for (int i = 0; i < c->ntasks; i++) {
		struct case_task *t = &c->tasks[i];
		if (t->kind == kind && t->no == no && !strcmp(t->unit, unit))
			return t;
	}
	return NULL;
}

static void add_copy(struct case_rec *c, const char *code)
{
	if (!*code || !strcmp(code, c->lead_unit))
		return;
	for (int i = 0; i < c->ncopies; i++)
		if (!strcmp(c->copies[i], code))
			return;
	if (c->ncopies < MAX_COPY_UNITS)
		strlcpy_ok(c->copies[c->ncopies++], code, sizeof(c->copies[0]));
}

/* A dispatch (first, or again after a dispute): new lead, copies, fresh clocks. */
static void apply_dispatch(struct case_rec *c, json_t *p, const struct event_rec *ev, struct fact_list *fl)
{
	jstr(p, "unit", c->lead_unit, sizeof(c->lead_unit));
	json_t *copies = json_object_get(p, "copies");
	c->ncopies = 0;
	for (size_t i = 0; i < json_array_size(copies); i++)
		add_copy(c, json_string_value(json_array_get(copies, i)));
	int t = tier_parse(json_string_value(json_object_get(p, "tier")));
	if (t >= 0)
		c->tier = (enum tier)t;
	int warn = (int)jint(p, "warn_percent");
	clock_done(&c->clocks[CLK_DISPATCH], ev->at);
	clock_begin(&c->clocks[CLK_SIGN], ev->at, jint(p, "sign_due"), warn);
	clock_begin(&c->clocks[CLK_CONTACT], ev->at, jint(p, "contact_due"), warn);
	clock_begin(&c->clocks[CLK_FEEDBACK], ev->at, jint(p, "feedback_due"), warn);
	c->return_reason[0] = '\0';
	c->status = CS_DISPATCHED;
	add_fact(fl, ev, c->lead_unit, "dispatch", 0);
}

static void apply_create(struct case_rec *c, json_t *p, const struct event_rec *ev)
{
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
	c->callback_contacted = -1;
	c->callback_solved = -1;
	c->created_by = ev->user_id;
	strlcpy_ok(c->created_unit, ev->unit, sizeof(c->created_unit));
	c->created_at = ev->at;
	c->status = CS_RECEIVED;
	clock_begin(&c->clocks[CLK_DISPATCH], ev->at, jint(p, "dispatch_due"), (int)jint(p, "warn_percent"));
}

/* Tasks of a whistle or a sub-dispatch: one per summoned unit. */
static void apply_tasks(struct case_rec *c, json_t *p, const struct event_rec *ev, enum task_kind kind)
{
	int no = (int)jint(p, "no");
	json_t *units = json_object_get(p, "units");
	for (size_t i = 0; i < json_array_size(units) && c->ntasks < MAX_TASKS; i++) {
		struct case_task *t = &c->tasks[c->ntasks++];
		memset(t, 0, sizeof(*t));
		t->no = no;
		t->kind = kind;
		strlcpy_ok(t->unit, json_string_value(json_array_get(units, i)), sizeof(t->unit));
		strlcpy_ok(t->by_unit, ev->unit, sizeof(t->by_unit));
		t->at = ev->at;
		t->report_due = jint(p, "report_due");
	}
	if (kind == TASK_WHISTLE)
		c->nwhistles = no;
	else
		c->nsubdispatches = no;
}

/* The task an event names by kind, unit and number. */
static struct case_task *event_task(struct case_rec *c, json_t *p)
{
	char unit[LIMIT_CODE + 1];
	jstr(p, "unit", unit, sizeof(unit));
	const char *k = json_string_value(json_object_get(p, "kind"));
	enum task_kind kind = k && !strcmp(k, "subdispatch") ? TASK_SUBDISPATCH : TASK_WHISTLE;
	return find_task(c, kind, unit, (int)jint(p, "no"));
}

static enum err_code corrupt(const struct event_rec *ev, const char *what, struct err *e)
{
	return err_set(e, E_INTERNAL, NULL, "工单 %lld 第 %d 条事件（%s）%s", (long long)ev->case_id, ev->seq,
		       ev->action, what);
}

/* The case-specific part of applying one event; status changes are explicit here. */
static enum err_code apply_action(struct case_rec *c, enum case_action a, json_t *p, const struct event_rec *ev,
				  struct fact_list *fl, struct err *e)
{
	struct case_task *t;
	switch (a) {
	case ACT_CREATE:
		apply_create(c, p, ev);
		break;
	case ACT_ANSWER:
	case ACT_REFER:
		jstr(p, "answer", c->answer, sizeof(c->answer));
		jstr(p, "outcome", c->referral, sizeof(c->referral));
		clock_done(&c->clocks[CLK_DISPATCH], ev->at);
		c->status = a == ACT_ANSWER ? CS_ANSWERED : CS_REFERRED;
		break;
	case ACT_DISPATCH:
		apply_dispatch(c, p, ev, fl);
		break;
	case ACT_SIGN:
		add_fact(fl, ev, c->lead_unit, "sign", clock_done(&c->clocks[CLK_SIGN], ev->at));
		c->status = CS_ACCEPTED;
		break;
	case ACT_CONTACT:
		/* an attempt that did not reach the requester changes no state */
		if (json_is_true(json_object_get(p, "reached"))) {
			if (!c->clocks[CLK_CONTACT].done_at)
				add_fact(fl, ev, c->lead_unit, "contact",
					 clock_done(&c->clocks[CLK_CONTACT], ev->at));
			c->status = CS_IN_PROGRESS;
		}
		break;
	case ACT_NOTE:
		break;
	case ACT_REPLY:
		jstr(p, "result", c->result, sizeof(c->result));
		c->solved = jbool(p, "solved");
		add_fact(fl, ev, c->lead_unit, "reply", clock_done(&c->clocks[CLK_FEEDBACK], ev->at));
		add_fact(fl, ev, c->lead_unit, "handling", ev->at - c->clocks[CLK_SIGN].start);
		c->status = CS_REPLIED;
		break;
	case ACT_CLOSE:
		c->closed_at = ev->at;
		c->status = CS_CLOSED;
		break;
	case ACT_WARNING:
	case ACT_OVERDUE: {
		int k = clock_by_name(json_string_value(json_object_get(p, "clock")));
		if (k < 0)
			return corrupt(ev, "缺少时限类型", e);
		c->clocks[k].warned = true;
		if (a == ACT_OVERDUE) {
			c->clocks[k].overdue = true;
			/* a late dispatch is the centre's; every other clock is the lead unit's */
			add_fact(fl, ev, *c->lead_unit ? c->lead_unit : c->created_unit, "overdue", k);
		}
		break;
	}
	case ACT_WHISTLE:
		apply_tasks(c, p, ev, TASK_WHISTLE);
		break;
	case ACT_SUBDISPATCH:
		apply_tasks(c, p, ev, TASK_SUBDISPATCH);
		break;
	case ACT_REPORT:
		if (!(t = event_task(c, p)))
			return corrupt(ev, "指向不存在的吹哨任务", e);
		t->reported_at = ev->at;
		t->on_site = json_is_true(json_object_get(p, "on_site"));
		add_fact(fl, ev, t->unit, "report", !t->report_due || ev->at <= t->report_due);
		break;
	case ACT_FINISH:
		if (!(t = event_task(c, p)))
			return corrupt(ev, "指向不存在的任务", e);
		t->finished_at = ev->at;
		break;
	case ACT_RATE: {
		if (!(t = event_task(c, p)))
			return corrupt(ev, "指向不存在的吹哨任务", e);
		t->rating[0] = (int)jint(p, "timeliness");
		t->rating[1] = (int)jint(p, "attitude");
		t->rating[2] = (int)jint(p, "result");
		t->rated_at = ev->at;
		add_fact(fl, ev, t->unit, "rating", t->rating[0] * 100 + t->rating[1] * 10 + t->rating[2]);
		break;
	}
	case ACT_RETURN:
		c->return_from = c->status;
		jstr(p, "cause", c->return_reason, sizeof(c->return_reason));
		c->returns++;
		add_fact(fl, ev, c->lead_unit, "return", 0);
		c->status = CS_RETURNED;
		break;
	case ACT_DECIDE_RETURN: {
		const char *d = json_string_value(json_object_get(p, "decision"));
		if (d && !strcmp(d, "redispatch")) {
			apply_dispatch(c, p, ev, fl);
		} else {
			c->return_reason[0] = '\0';
			c->status = c->return_from;
		}
		break;
	}
	case ACT_EXTEND:
		c->extension_due = jint(p, "new_due");
		break;
	case ACT_DECIDE_EXTENSION:
		if (json_is_true(json_object_get(p, "approve"))) {
			struct case_clock *cl = &c->clocks[CLK_FEEDBACK];
			int64_t due = jint(p, "due");
			int warn = (int)jint(p, "warn_percent");
			cl->due = due;
			cl->warn_at = due > cl->start && warn > 0 ? cl->start + (due - cl->start) * warn / 100 : 0;
			cl->warned = cl->warn_at && cl->warn_at <= ev->at && cl->warned;
			c->extensions++;
			add_fact(fl, ev, c->lead_unit, "extension", 0);
		}
		c->extension_due = 0;
		break;
	case ACT_SUPERVISE:
		if (c->nsupervisions < MAX_SUPERVISIONS) {
			struct case_supervision *s = &c->supervisions[c->nsupervisions++];
			memset(s, 0, sizeof(*s));
			s->no = c->nsupervisions;
			strlcpy_ok(s->unit, ev->unit, sizeof(s->unit));
			s->at = ev->at;
			s->due = jint(p, "due");
		}
		break;
	case ACT_ANSWER_SUPERVISION: {
		int no = (int)jint(p, "no");
		if (no < 1 || no > c->nsupervisions)
			return corrupt(ev, "指向不存在的督办", e);
		c->supervisions[no - 1].answered_at = ev->at;
		break;
	}
	case ACT_ESCALATE: {
		const char *to = json_string_value(json_object_get(p, "to"));
		int level = to && !strcmp(to, "city") ? 2 : 1;
		if (level > c->escalation)
			c->escalation = level;
		char copy[LIMIT_CODE + 1];
		jstr(p, "copy", copy, sizeof(copy));
		add_copy(c, copy);
		break;
	}
	case ACT_PARK:
		c->parked_until = jint(p, "until");
		c->status = CS_PARKED;
		break;
	case ACT_UNPARK:
		c->parked_until = 0;
		c->status = CS_IN_PROGRESS;
		break;
	case ACT_MERGE:
		c->merged_into = jint(p, "into");
		clock_done(&c->clocks[CLK_DISPATCH], ev->at);
		c->status = CS_MERGED;
		break;
	case ACT_LINK_REPEAT:
		c->repeat_of = jint(p, "of");
		break;
	case ACT_CALLBACK: {
		bool valid = json_is_true(json_object_get(p, "valid"));
		int sat = satisfaction_parse(json_string_value(json_object_get(p, "satisfaction")));
		char unit[LIMIT_CODE + 1];
		jstr(p, "unit", unit, sizeof(unit));
		c->callback_at = ev->at;
		c->callback_valid = valid;
		c->callback_contacted = valid ? jbool(p, "contacted") : -1;
		c->callback_solved = valid ? jbool(p, "solved") : -1;
		c->callback_satisfaction = valid && sat > 0 ? (enum satisfaction)sat : SAT_NONE;
		int64_t bits = (valid ? FACT_CB_VALID : 0) | (c->callback_contacted == 1 ? FACT_CB_CONTACTED : 0) |
			       (c->callback_solved == 1 ? FACT_CB_SOLVED : 0) |
			       ((int64_t)c->callback_satisfaction << FACT_CB_SAT_SHIFT);
		add_fact(fl, ev, *unit ? unit : c->lead_unit, "callback", bits);
		if (valid && (c->status == CS_REPLIED || c->status == CS_MERGED)) {
			c->status = CS_CLOSED;
			c->closed_at = ev->at;
		}
		break;
	}
	case ACT_REOPEN:
		/* the callback that found it unsolved is spent: the rework gets a callback of its own */
		c->reopens++;
		c->closed_at = 0;
		c->callback_at = 0;
		c->callback_valid = false;
		c->callback_contacted = c->callback_solved = -1;
		c->callback_satisfaction = SAT_NONE;
		clock_begin(&c->clocks[CLK_FEEDBACK], ev->at, jint(p, "feedback_due"), (int)jint(p, "warn_percent"));
		add_fact(fl, ev, c->lead_unit, "reopen", 0);
		c->status = CS_IN_PROGRESS;
		break;
	case ACT_APPLY_EXCLUSION:
		c->exclusion_requested = scope_parse(json_string_value(json_object_get(p, "scope"))) + 1;
		break;
	case ACT_LOCATE:
		jstr(p, "district", c->district, sizeof(c->district));
		jstr(p, "street", c->street, sizeof(c->street));
		jstr(p, "community", c->community, sizeof(c->community));
		break;
	case ACT_REDIRECT:
		apply_dispatch(c, p, ev, fl);
		break;
	case ACT_REVEAL: /* a record of who looked, and why: the case is unchanged */
		break;
	case ACT_DECIDE_EXCLUSION:
		if (json_is_true(json_object_get(p, "approve")) && c->exclusion_requested > 0)
			c->scope = (enum assess_scope)(c->exclusion_requested - 1);
		c->exclusion_requested = 0;
		break;
	}
	return OK;
}

enum err_code case_apply_parsed(struct case_rec *c, const struct event_rec *ev, json_t *p, struct fact_list *facts,
				struct err *e)
{
	if (facts)
		facts->n = 0;
	if (!json_is_object(p))
		return corrupt(ev, "的内容已损坏", e);
	int a = case_action_by_name(ev->action);
	enum err_code rc;
	if (a < 0)
		rc = corrupt(ev, "类型未知", e);
	else if ((a == ACT_CREATE) != (ev->seq == 1))
		rc = corrupt(ev, "：创建事件须且只能在首位", e);
	else
		rc = apply_action(c, (enum case_action)a, p, ev, facts, e);
	if (rc != OK)
		return rc;
	c->seq = ev->seq;
	c->updated_at = ev->at;
	update_next_check(c);
	return OK;
}

enum err_code case_apply(struct case_rec *c, const struct event_rec *ev, struct fact_list *facts, struct err *e)
{
	json_error_t jerr;
	json_t *p = json_loads(ev->payload && *ev->payload ? ev->payload : "{}", 0, &jerr);
	enum err_code rc = case_apply_parsed(c, ev, p, facts, e);
	json_decref(p);
	return rc;
}

struct rebuild_ctx {
	struct case_rec *c;
	case_fact_fn fn;
	void *fctx;
	struct err *e;
	int n;
	/* case_verify: the chain recomputed so far, and its first broken link */
	bool chain;
	unsigned char prev[EVENT_HASH_BYTES];
	int broken;
};

static int rebuild_one(void *ctx, const struct event_rec *ev)
{
	struct rebuild_ctx *r = ctx;
	struct fact_list fl;
	if (r->chain) {
		store_event_hash(r->prev, ev, r->prev);
		if (!r->broken && (!ev->hashed || memcmp(r->prev, ev->hash, EVENT_HASH_BYTES) != 0))
			r->broken = ev->seq;
	}
	r->n++;
	if (ev->seq != r->n)
		return err_set(r->e, E_INTERNAL, NULL, "工单 %lld 的事件序号不连续（第 %d 条为 %d）",
			       (long long)ev->case_id, r->n, ev->seq);
	enum err_code rc = case_apply(r->c, ev, &fl, r->e);
	for (int i = 0; rc == OK && r->fn && i < fl.n; i++)
		rc = (enum err_code)r->fn(r->fctx, &fl.f[i]);
	return rc;
}

enum err_code case_rebuild(struct store *st, int64_t id, struct case_rec *out, case_fact_fn fn, void *ctx,
			   struct err *e)
{
	memset(out, 0, sizeof(*out));
	out->id = id;
	struct rebuild_ctx r = {.c = out, .fn = fn, .fctx = ctx, .e = e};
	enum err_code rc = store_events_list(st, id, rebuild_one, &r, e);
	if (rc == OK && r.n == 0)
		rc = err_set(e, E_NOT_FOUND, "id", "工单 %lld 没有事件", (long long)id);
	return rc;
}

enum err_code case_verify(struct store *st, int64_t id, struct case_check *out, struct err *e)
{
	struct case_rec *stored = xmalloc(sizeof(*stored)), *folded = xcalloc(1, sizeof(*folded));
	struct err fe;
	err_init(&fe);
	memset(out, 0, sizeof(*out));
	folded->id = id;
	struct rebuild_ctx r = {.c = folded, .e = &fe, .chain = true};
	enum err_code rc = store_case_get(st, id, stored, e);
	if (rc == OK) {
		out->created_at = stored->created_at;
		out->updated_at = stored->updated_at;
		/* a log that cannot be folded is a finding, not a failure of the check */
		enum err_code frc = store_events_list(st, id, rebuild_one, &r, &fe);
		out->events = r.n;
		out->broken = r.broken;
		if (frc != OK)
			snprintf(out->fold_error, sizeof(out->fold_error), "%s", fe.msg);
		else if (r.n == 0)
			snprintf(out->fold_error, sizeof(out->fold_error), "工单 %lld 没有事件", (long long)id);
		else
			out->field = case_diff(stored, folded);
	}
	free(stored);
	free(folded);
	return rc;
}

static bool tasks_equal(const struct case_task *x, const struct case_task *y)
{
	return x->no == y->no && x->kind == y->kind && !strcmp(x->unit, y->unit) && !strcmp(x->by_unit, y->by_unit) &&
	       x->at == y->at && x->report_due == y->report_due && x->reported_at == y->reported_at &&
	       x->on_site == y->on_site && x->finished_at == y->finished_at && x->rated_at == y->rated_at &&
	       !memcmp(x->rating, y->rating, sizeof(x->rating));
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
	NUM(closed_at) NUM(next_check_at) NUM(ntasks) NUM(nwhistles) NUM(nsubdispatches) NUM(nsupervisions)
	NUM(return_from) STR(return_reason) NUM(returns) NUM(extensions) NUM(reopens) NUM(extension_due)
	NUM(escalation) NUM(parked_until) NUM(merged_into) NUM(repeat_of) NUM(scope) NUM(exclusion_requested)
	NUM(callback_at) NUM(callback_valid) NUM(callback_contacted) NUM(callback_solved)
	NUM(callback_satisfaction);
#undef NUM
#undef STR
	if (a->has_location && (fabs(a->lat - b->lat) > 1e-9 || fabs(a->lon - b->lon) > 1e-9))
		return "location";
	for (int i = 0; i < a->ncopies; i++)
		if (strcmp(a->copies[i], b->copies[i]) != 0)
			return "copies";
	for (int i = 0; i < a->ntasks; i++)
		if (!tasks_equal(&a->tasks[i], &b->tasks[i]))
			return "tasks";
	for (int i = 0; i < a->nsupervisions; i++)
		if (a->supervisions[i].no != b->supervisions[i].no ||
		    strcmp(a->supervisions[i].unit, b->supervisions[i].unit) != 0 ||
		    a->supervisions[i].at != b->supervisions[i].at || a->supervisions[i].due != b->supervisions[i].due ||
		    a->supervisions[i].answered_at != b->supervisions[i].answered_at)
			return "supervisions";
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
	return NULL;
}
