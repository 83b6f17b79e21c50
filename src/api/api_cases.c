/*
 * api_cases.c — cases: intake, list, one case with its history, actions.
 */
#include "api_int.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ output */

/*
 * A case is drawn as JSON text with jw (core.h), not built as a jansson tree
 * and printed: it is drawn on every read of a case and for every row of an
 * inbox, and the tree cost more than reading the case from the database.
 */

/* A unit reference {"code","name","kind"}, {"code","name":null} for an unknown code, or null. */
static void unit_ref_draw(struct buf *b, struct store *st, const char *code)
{
	struct unit u;
	struct err ignore;
	if (!code || !*code) {
		jw_null(b);
		return;
	}
	jw_open(b, '{');
	if (store_unit_get(st, code, &u, &ignore) != OK) {
		jw_key(b, "code"), jw_str(b, code);
		jw_key(b, "name"), jw_null(b);
	} else {
		jw_key(b, "code"), jw_str(b, u.code);
		jw_key(b, "name"), jw_str(b, u.name);
		jw_key(b, "kind"), jw_str(b, unit_kind_name(u.kind));
	}
	jw_close(b, '}');
}

static void deadlines_draw(struct buf *b, const struct case_rec *c, int64_t now)
{
	jw_open(b, '{');
	for (int k = 0; k < CLOCK_COUNT; k++) {
		const struct case_clock *cl = &c->clocks[k];
		if (!cl->start)
			continue;
		enum clock_state s = clock_state_at(cl, now);
		/* a mark recorded by the sweep or on a late completion stays visible */
		if (cl->overdue && s != CLOCK_MET && s != CLOCK_MET_LATE)
			s = CLOCK_OVERDUE;
		jw_key(b, clock_name((enum clock_kind)k));
		jw_open(b, '{');
		jw_key(b, "start"), jw_time(b, cl->start);
		jw_key(b, "due"), jw_time(b, cl->due);
		jw_key(b, "warn_at"), jw_time(b, cl->warn_at);
		jw_key(b, "done_at"), jw_time(b, cl->done_at);
		jw_key(b, "state"), jw_str(b, clock_state_name(s));
		jw_key(b, "overdue"), jw_bool(b, cl->overdue || s == CLOCK_OVERDUE);
		jw_close(b, '}');
	}
	jw_close(b, '}');
}

static bool case_overdue(const struct case_rec *c, int64_t now)
{
	for (int k = 0; k < CLOCK_COUNT; k++)
		if (c->clocks[k].overdue || clock_state_at(&c->clocks[k], now) == CLOCK_OVERDUE)
			return true;
	return false;
}

/*
 * The requester as every view shows them: masked. Those who must contact
 * them (can_reveal) see the full name and phone through POST
 * /cases/{id}/reveal, which records who looked and why.
 */
static void requester_draw(struct buf *b, const struct actor *who, const struct case_rec *c)
{
	char name[TEXT_BYTES(LIMIT_NAME)], phone[LIMIT_PHONE + 1];
	mask_name(c->req_name, name, sizeof(name));
	mask_phone(c->req_phone, phone, sizeof(phone));
	jw_open(b, '{');
	jw_key(b, "name"), jw_str(b, name);
	jw_key(b, "phone"), jw_str(b, phone);
	jw_key(b, "confidential"), jw_bool(b, c->confidential);
	jw_key(b, "masked"), jw_bool(b, true);
	jw_key(b, "can_reveal"), jw_bool(b, case_may_contact(who, c) && (*c->req_name || *c->req_phone));
	jw_close(b, '}');
}

static void tasks_draw(struct buf *b, struct store *st, const struct case_rec *c)
{
	jw_open(b, '[');
	for (int i = 0; i < c->ntasks; i++) {
		const struct case_task *t = &c->tasks[i];
		jw_open(b, '{');
		jw_key(b, "kind"), jw_str(b, task_kind_name(t->kind));
		jw_key(b, "no"), jw_int(b, t->no);
		jw_key(b, "unit"), unit_ref_draw(b, st, t->unit);
		jw_key(b, "by_unit"), unit_ref_draw(b, st, t->by_unit);
		jw_key(b, "at"), jw_time(b, t->at);
		jw_key(b, "report_due"), jw_time(b, t->report_due);
		jw_key(b, "reported_at"), jw_time(b, t->reported_at);
		jw_key(b, "on_site"), jw_bool(b, t->on_site);
		jw_key(b, "finished_at"), jw_time(b, t->finished_at);
		jw_key(b, "rating");
		if (t->rated_at) {
			jw_open(b, '{');
			jw_key(b, "timeliness"), jw_int(b, t->rating[0]);
			jw_key(b, "attitude"), jw_int(b, t->rating[1]);
			jw_key(b, "result"), jw_int(b, t->rating[2]);
			jw_close(b, '}');
		} else {
			jw_null(b);
		}
		jw_close(b, '}');
	}
	jw_close(b, ']');
}

static void supervisions_draw(struct buf *b, struct store *st, const struct case_rec *c)
{
	jw_open(b, '[');
	for (int i = 0; i < c->nsupervisions; i++) {
		const struct case_supervision *sv = &c->supervisions[i];
		jw_open(b, '{');
		jw_key(b, "no"), jw_int(b, sv->no);
		jw_key(b, "unit"), unit_ref_draw(b, st, sv->unit);
		jw_key(b, "at"), jw_time(b, sv->at);
		jw_key(b, "due"), jw_time(b, sv->due);
		jw_key(b, "answered_at"), jw_time(b, sv->answered_at);
		jw_close(b, '}');
	}
	jw_close(b, ']');
}

/* A text field shown as null when empty. */
static void str_or_null(struct buf *b, const char *s)
{
	jw_str(b, *s ? s : NULL);
}

/* -1: not known (null), else a boolean */
static void tristate(struct buf *b, int v)
{
	if (v < 0)
		jw_null(b);
	else
		jw_bool(b, v);
}

static void callback_draw(struct buf *b, const struct case_rec *c)
{
	if (!c->callback_at) {
		jw_null(b);
		return;
	}
	jw_open(b, '{');
	jw_key(b, "at"), jw_time(b, c->callback_at);
	jw_key(b, "valid"), jw_bool(b, c->callback_valid);
	jw_key(b, "contacted"), tristate(b, c->callback_contacted);
	jw_key(b, "solved"), tristate(b, c->callback_solved);
	jw_key(b, "satisfaction");
	jw_str(b, c->callback_satisfaction ? satisfaction_name(c->callback_satisfaction) : NULL);
	jw_close(b, '}');
}

/* The case as the API shows it, appended to b: brief for lists, full (without its events) for one case. */
static void case_draw(struct buf *b, struct store *st, const struct actor *who, const struct case_rec *c, bool brief)
{
	int64_t now = clock_now();
	jw_open(b, '{');
	jw_key(b, "id"), jw_int(b, c->id);
	jw_key(b, "status"), jw_str(b, case_status_name(c->status));
	jw_key(b, "status_label"), jw_str(b, case_status_label(c->status));
	jw_key(b, "type"), jw_str(b, case_type_name(c->type));
	jw_key(b, "channel"), jw_str(b, c->channel);
	jw_key(b, "title"), jw_str(b, c->title);
	jw_key(b, "tier"), jw_str(b, tier_name(c->tier));
	jw_key(b, "lead_unit"), unit_ref_draw(b, st, c->lead_unit);
	jw_key(b, "place");
	jw_open(b, '{');
	jw_key(b, "district"), unit_ref_draw(b, st, c->district);
	jw_key(b, "street"), unit_ref_draw(b, st, c->street);
	jw_key(b, "community"), unit_ref_draw(b, st, c->community);
	jw_close(b, '}');
	jw_key(b, "deadlines"), deadlines_draw(b, c, now);
	jw_key(b, "requester"), requester_draw(b, who, c);
	jw_key(b, "overdue"), jw_bool(b, case_overdue(c, now));
	jw_key(b, "created_at"), jw_time(b, c->created_at);
	jw_key(b, "updated_at"), jw_time(b, c->updated_at);
	jw_key(b, "location");
	if (c->has_location) {
		jw_open(b, '{');
		jw_key(b, "lat"), jw_real(b, c->lat);
		jw_key(b, "lon"), jw_real(b, c->lon);
		jw_key(b, "crs"), jw_str(b, c->crs);
		jw_close(b, '}');
	} else {
		jw_null(b);
	}
	if (brief) {
		jw_close(b, '}');
		return;
	}
	jw_key(b, "copy_units");
	jw_open(b, '[');
	for (int i = 0; i < c->ncopies; i++)
		unit_ref_draw(b, st, c->copies[i]);
	jw_close(b, ']');
	jw_key(b, "content"), jw_str(b, c->content);
	jw_key(b, "address"), jw_str(b, c->address);
	struct category cat;
	struct err ignore;
	jw_key(b, "category");
	if (c->category_id && store_category_get(st, c->category_id, &cat, &ignore) == OK) {
		jw_open(b, '{');
		jw_key(b, "id"), jw_int(b, cat.id);
		jw_key(b, "path"), jw_str(b, cat.path);
		jw_close(b, '}');
	} else {
		jw_null(b);
	}
	jw_key(b, "outcome"), str_or_null(b, c->referral);
	jw_key(b, "answer"), str_or_null(b, c->answer);
	jw_key(b, "result"), str_or_null(b, c->result);
	jw_key(b, "solved"), tristate(b, c->solved);
	jw_key(b, "closed_at"), jw_time(b, c->closed_at);
	jw_key(b, "tasks"), tasks_draw(b, st, c);
	jw_key(b, "supervisions"), supervisions_draw(b, st, c);
	jw_key(b, "dispute");
	if (c->status == CS_RETURNED) {
		jw_open(b, '{');
		jw_key(b, "cause"), jw_str(b, c->return_reason);
		jw_key(b, "from"), jw_str(b, case_status_name(c->return_from));
		jw_close(b, '}');
	} else {
		jw_null(b);
	}
	jw_key(b, "extension_requested"), jw_time(b, c->extension_due);
	jw_key(b, "escalation"), jw_str(b, c->escalation == 2 ? "city" : c->escalation == 1 ? "district" : NULL);
	jw_key(b, "parked_until"), jw_time(b, c->parked_until);
	jw_key(b, "merged_into");
	if (c->merged_into)
		jw_int(b, c->merged_into);
	else
		jw_null(b);
	jw_key(b, "repeat_of");
	if (c->repeat_of)
		jw_int(b, c->repeat_of);
	else
		jw_null(b);
	jw_key(b, "assessment");
	jw_open(b, '{');
	jw_key(b, "scope"), jw_str(b, scope_name(c->scope));
	jw_key(b, "requested");
	jw_str(b, c->exclusion_requested ? scope_name((enum assess_scope)(c->exclusion_requested - 1)) : NULL);
	jw_close(b, '}');
	jw_key(b, "callback"), callback_draw(b, c);
	jw_key(b, "counts");
	jw_open(b, '{');
	jw_key(b, "returns"), jw_int(b, c->returns);
	jw_key(b, "extensions"), jw_int(b, c->extensions);
	jw_key(b, "reopens"), jw_int(b, c->reopens);
	jw_close(b, '}');
	jw_key(b, "allowed_actions");
	jw_open(b, '[');
	uint64_t mask = case_allowed_actions(st, who, c, now);
	mask &= ~((uint64_t)1 << ACT_REVEAL); /* shown as requester.can_reveal */
	for (int a = 0; a < CASE_ACTION_COUNT; a++)
		if (mask & ((uint64_t)1 << a))
			jw_str(b, case_action_name((enum case_action)a));
	jw_close(b, ']');
	jw_close(b, '}');
}

/* The logins of the accounts named by events, by id: a login never changes and no account is deleted. */
#define LOGINS_CACHE 512 /* slots, a power of two: an account's slot is its id modulo this */
struct login_slot {
	int64_t id;
	char login[LIMIT_LOGIN + 1];
};

struct events_ctx {
	struct store *st;
	struct login_slot *logins; /* the context's cache, LOGINS_CACHE slots */
	struct buf out;		   /* "[" and the events drawn so far, comma-separated */
	int drawn;
	const char *login; /* of the last event's account */
	char last_unit[LIMIT_CODE + 1];
	struct buf unit_ref; /* the last unit's reference, drawn */
};

/* Where the JSON value that starts at p ends (at the ',', '}' or ']' after it); NULL if it does not. */
static const char *value_end(const char *p)
{
	int depth = 0;
	for (;; p++) {
		char ch = *p;
		if (!ch || depth < 0)
			return NULL;
		if (!depth && (ch == ',' || ch == '}' || ch == ']'))
			return p;
		if (ch == '"') {
			for (p++; *p != '"'; p++)
				if (!*p || (*p == '\\' && !*++p))
					return NULL;
		} else if (ch == '{' || ch == '[') {
			depth++;
		} else if (ch == '}' || ch == ']') {
			depth--;
		}
	}
}

/* Is the key k (kl bytes, unquoted) a time in Unix seconds: mark, due, until or *_due? */
static bool time_key(const char *k, size_t kl)
{
	return (kl == 4 && !memcmp(k, "mark", 4)) || (kl == 3 && !memcmp(k, "due", 3)) ||
	       (kl == 5 && !memcmp(k, "until", 5)) || (kl > 4 && !memcmp(k + kl - 4, "_due", 4));
}

/*
 * A stored payload for display, appended to b: the requester dropped (it
 * is shown, masked or not, on the case itself) and times in Unix seconds
 * shown as local times; everything else as stored. Payloads are jansson's
 * compact text, read here pair by pair at the top level; false (b as it
 * was) for any other shape, which api_payload_draw_jansson then reads.
 */
bool api_payload_draw(struct buf *b, const char *p)
{
	size_t start = b->len;
	if (*p++ != '{')
		return false;
	jw_open(b, '{');
	while (*p != '}') {
		if (b->len > start + 1 && *p++ != ',')
			goto other;
		if (*p != '"')
			goto other;
		const char *k = p + 1, *ke = k;
		while (*ke != '"')
			if (!*ke || *ke++ == '\\')
				goto other;
		const char *v = ke + 1;
		if (*v++ != ':')
			goto other;
		const char *ve = value_end(v);
		if (!ve || ve == v || (unsigned char)*v <= ' ' || (unsigned char)ve[-1] <= ' ')
			goto other; /* not compact: spaces around the value */
		size_t kl = (size_t)(ke - k), vl = (size_t)(ve - v);
		p = ve;
		if (kl == 9 && !memcmp(k, "requester", 9)) {
			if (*p == ',' && b->len == start + 1)
				p++; /* it was the first pair: the next one comes without a comma */
			continue;
		}
		jw_raw(b, k - 1, kl + 2);
		buf_add(b, ":", 1);
		size_t sign = *v == '-';
		bool integer = vl > sign && vl < 20 && strspn(v + sign, "0123456789") == vl - sign;
		if (integer && time_key(k, kl))
			jw_time(b, strtoll(v, NULL, 10));
		else /* reals too: stored at 10 digits (case.c), they read back the same at 12 */
			buf_add(b, v, vl);
	}
	if (p[1])
		goto other;
	jw_close(b, '}');
	return true;
other:
	b->len = start;
	b->s[start] = '\0';
	return false;
}

/* A stored payload that api_payload_draw could not read, redrawn through jansson (a JSON object at least). */
void api_payload_draw_jansson(struct buf *b, const char *stored)
{
	json_error_t jerr;
	json_t *payload = json_loads(stored, 0, &jerr);
	if (!payload || !json_is_object(payload)) {
		json_decref(payload);
		payload = json_object();
	}
	json_object_del(payload, "requester");
	const char *key;
	json_t *v;
	json_object_foreach(payload, key, v)
	{
		if (json_is_integer(v) && time_key(key, strlen(key)))
			json_object_set_new(payload, key, api_time((int64_t)json_integer_value(v)));
	}
	char *d = json_dumps(payload, JSON_COMPACT | JSON_REAL_PRECISION(12));
	jw_raw(b, d ? d : "{}", d ? strlen(d) : 2);
	free(d);
	json_decref(payload);
}

/*
 * One event for display. Personal data stays out of the history: the
 * create event's requester is dropped (it is shown, masked or not, on the
 * case itself).
 */
static int add_event(void *vctx, const struct event_rec *ev)
{
	struct events_ctx *x = vctx;
	struct buf *b = &x->out;
	if (ev->user_id) {
		struct login_slot *ls = &x->logins[(uint64_t)ev->user_id & (LOGINS_CACHE - 1)];
		struct user u;
		struct err ignore;
		if (ls->id == ev->user_id)
			x->login = ls->login;
		else if (store_user_by_id(x->st, ev->user_id, &u, &ignore) == OK) {
			ls->id = ev->user_id;
			strlcpy_ok(ls->login, u.login, sizeof(ls->login));
			x->login = ls->login;
		} else {
			x->login = "?";
		}
	}
	if (!x->drawn || strcmp(x->last_unit, ev->unit)) {
		buf_reset(&x->unit_ref);
		unit_ref_draw(&x->unit_ref, x->st, ev->unit);
		strlcpy_ok(x->last_unit, ev->unit, sizeof(x->last_unit));
	}
	x->drawn++;
	jw_open(b, '{');
	jw_key(b, "seq"), jw_int(b, ev->seq);
	jw_key(b, "at"), jw_time(b, ev->at);
	jw_key(b, "action"), jw_str(b, ev->action);
	jw_key(b, "user"), jw_str(b, ev->user_id ? x->login : "system");
	jw_key(b, "unit"), jw_raw(b, x->unit_ref.s, x->unit_ref.len);
	jw_key(b, "payload");
	const char *stored = ev->payload && *ev->payload ? ev->payload : "{}";
	if (!api_payload_draw(b, stored))
		api_payload_draw_jansson(b, stored);
	jw_key(b, "reason"), str_or_null(b, ev->reason);
	jw_close(b, '}');
	return 0;
}

/*
 * A case's history as JSON text. It is the same for every viewer (the
 * requester is dropped from it), so each context keeps the latest it drew
 * per case, keyed by the case's seq (every change appends an event) and the
 * unit tree's version (events name their units).
 */
#define EVENTS_CACHE 1024 /* slots, a power of two: a case's slot is its id modulo this */
#define EVENTS_CACHE_MAX (256 * 1024) /* longer texts are drawn each time */
#define VIEW_MS 1000		      /* a case as one account saw it is shown again for this long */
struct events_slot {
	int64_t id, seq, units_version;
	char *json;
	size_t len;
};
/* The whole reply of GET /cases/{id} as one account saw it: deadline states and allowed actions
 * depend on the time, so it is kept VIEW_MS only; any change (seq) or unit change ends it at once. */
struct view_slot {
	int64_t id, seq, units_version, user_id;
	int64_t merged_into, merged_seq; /* a merged case's actions depend on the case it joined */
	enum role role;
	char unit[LIMIT_CODE + 1];
	double until_ms;
	char *json;
	size_t len;
};
struct api_events_cache {
	struct events_slot slot[EVENTS_CACHE];
	struct view_slot view[EVENTS_CACHE];
	struct login_slot logins[LOGINS_CACHE];
};

void api_ctx_release(struct api_ctx *ctx)
{
	if (!ctx->events)
		return;
	for (size_t i = 0; i < EVENTS_CACHE; i++) {
		free(ctx->events->slot[i].json);
		free(ctx->events->view[i].json);
	}
	free(ctx->events);
	ctx->events = NULL;
}

static struct view_slot *view_slot(struct api_ctx *ctx, int64_t id)
{
	if (!ctx->events)
		ctx->events = xcalloc(1, sizeof(*ctx->events));
	return &ctx->events->view[(uint64_t)id & (EVENTS_CACHE - 1)];
}

static bool view_matches(const struct view_slot *v, const struct actor *who, int64_t id, int64_t seq, int64_t uv)
{
	return v->json && v->id == id && v->seq == seq && v->units_version == uv && uv >= 0 &&
	       v->user_id == who->user.id && v->role == who->user.role && !strcmp(v->unit, who->user.unit) &&
	       clock_mono_ms() < v->until_ms;
}

/*
 * The events of case c as JSON text in *out (*own: the caller frees it;
 * else it belongs to the cache). When the slot holds the same case at an
 * earlier seq, only the events after it are drawn and appended.
 */
static enum err_code events_text(struct api_ctx *ctx, const struct case_rec *c, const char **out, size_t *len,
				 char **own, struct err *e)
{
	struct store *st = ctx->cx.st;
	int64_t uv = store_units_version(st);
	if (!ctx->events)
		ctx->events = xcalloc(1, sizeof(*ctx->events));
	struct events_slot *sl = &ctx->events->slot[(uint64_t)c->id & (EVENTS_CACHE - 1)];
	bool same = sl->json && sl->id == c->id && sl->units_version == uv && uv >= 0 && sl->seq <= c->seq;
	*own = NULL;
	if (same && sl->seq == c->seq) {
		*out = sl->json;
		*len = sl->len;
		return OK;
	}
	int64_t after = same ? sl->seq : 0;
	struct events_ctx x = {.st = st, .logins = ctx->events->logins};
	buf_init(&x.out, BUF_NOMAX);
	buf_init(&x.unit_ref, BUF_NOMAX);
	jw_open(&x.out, '[');
	enum err_code rc = store_events_after(st, c->id, after, add_event, &x, e);
	jw_close(&x.out, ']');
	buf_release(&x.unit_ref);
	size_t n = x.out.len;
	char *text = buf_detach(&x.out);
	size_t drawn = (size_t)x.drawn;
	if (rc != OK) {
		free(text);
		return rc;
	}
	if (after > 0) {
		if (drawn == 0 || sl->len < 2) { /* not what the seq promised: draw it all again */
			free(text);
			free(sl->json);
			sl->json = NULL;
			return events_text(ctx, c, out, len, own, e);
		}
		/* [kept...] + [new...] → [kept...,new...] */
		bool empty = sl->len == 2;
		char *all = xmalloc(sl->len + n + 1);
		memcpy(all, sl->json, sl->len - 1);
		size_t k = sl->len - 1;
		if (!empty)
			all[k++] = ',';
		memcpy(all + k, text + 1, n - 1);
		k += n - 1;
		all[k] = '\0';
		free(text);
		text = all;
		n = k;
	}
	if (n > EVENTS_CACHE_MAX || uv < 0) {
		*out = *own = text;
		*len = n;
		return OK;
	}
	free(sl->json);
	*sl = (struct events_slot){c->id, c->seq, uv, text, n};
	*out = text;
	*len = n;
	return OK;
}

/* The case as who sees it, with its events: JSON text into res->raw. */
static enum err_code full_case(struct api_ctx *ctx, const struct actor *who, const struct case_rec *c,
			       struct api_response *res, struct err *e)
{
	const char *ev = NULL;
	size_t evlen = 0;
	char *own = NULL;
	enum err_code rc = events_text(ctx, c, &ev, &evlen, &own, e);
	if (rc != OK)
		return rc;
	struct buf b;
	buf_init(&b, BUF_NOMAX);
	case_draw(&b, ctx->cx.st, who, c, false);
	b.s[--b.len] = '\0'; /* {...} + ,"events":[...] before the closing brace */
	jw_key(&b, "events");
	jw_raw(&b, ev, evlen);
	jw_close(&b, '}');
	free(own);
	if (!res->raw_static)
		free(res->raw);
	json_decref(res->body);
	res->body = NULL;
	res->raw_len = b.len;
	res->raw = buf_detach(&b);
	res->raw_static = false;
	res->content_type = "application/json; charset=utf-8";
	return OK;
}

/*
 * Case c, just changed by who: its reply is the case with its events, drawn
 * by api_finish once the change is committed (off the writer thread); or,
 * when the client prefers a minimal reply (a bulk intake, say), only what
 * identifies the change, drawn here. A new case's reply also carries its
 * address (Location).
 */
static void reply_case(const struct api_request *req, struct api_response *res, const struct actor *who,
		       const struct case_rec *c, bool created)
{
	if (created)
		snprintf(res->location, sizeof(res->location), "/api/v1/cases/%lld", (long long)c->id);
	if (req->return_minimal) {
		res->minimal = true;
		res->body = json_pack("{s:I, s:i, s:s}", "id", (json_int_t)c->id, "seq", c->seq, "status",
				      case_status_name(c->status));
		return;
	}
	res->reply_case = c->id;
	res->reply_who = *who;
}

void api_reply_case(struct api_ctx *ctx, struct api_response *res)
{
	struct case_rec *c;
	struct err e;
	if (!res->reply_case || res->status >= 400)
		return;
	err_init(&e);
	c = xmalloc(sizeof(*c));
	/* who just changed it may draw it, even where the change moved it out of their sight */
	if (store_case_get(ctx->cx.st, res->reply_case, c, &e) != OK ||
	    full_case(ctx, &res->reply_who, c, res, &e) != OK) {
		log_error("case %lld saved, its reply could not be drawn: %s", (long long)res->reply_case, e.msg);
		/* the change is kept: say so, so the client does not send it again */
		err_set(&e, E_INTERNAL, NULL, "工单 %lld 已保存，但回复未能生成，请刷新后查看",
			(long long)res->reply_case);
		api_error(res, &e);
	}
	res->reply_case = 0;
	free(c);
}

void api_finish(struct api_ctx *ctx, struct api_response *res)
{
	if (!res->reply_case)
		return;
	store_read_begin(ctx->cx.st); /* one snapshot, one read lock */
	store_refresh(ctx->cx.st);    /* a later request on this thread than the one it was handled in */
	api_reply_case(ctx, res);
	store_read_end(ctx->cx.st);
}

/* ------------------------------------------------------------ input */

enum err_code api_decode_case_input(json_t *body, struct case_input *in, struct err *e)
{
	static const char *const keys[] = {"type",     "channel", "title", "content",	    "address", "location",
					   "category", "tier",	  "requester", "place", "auto_dispatch", NULL};
	static const char *const loc_keys[] = {"lat", "lon", "crs", NULL};
	static const char *const req_keys[] = {"name", "phone", "confidential", NULL};
	static const char *const place_keys[] = {"district", "street", "community", NULL};
	char type[24], tier[24];
	json_t *loc, *rq, *place;
	enum err_code rc;
	memset(in, 0, sizeof(*in));
	in->tier = -1;
	in->auto_dispatch = -1;
	if ((rc = api_get_bool(body, "auto_dispatch", NULL, &in->auto_dispatch, e)))
		return rc;
	if ((rc = api_check_keys(body, keys, NULL, e)) ||
	    (rc = api_get_string(body, "type", NULL, type, sizeof(type), 20, true, e)) ||
	    (rc = api_get_string(body, "channel", NULL, in->channel, sizeof(in->channel), 15, false, e)) ||
	    (rc = api_get_string(body, "title", NULL, in->title, sizeof(in->title), LIMIT_TITLE, true, e)) ||
	    (rc = api_get_string(body, "content", NULL, in->content, sizeof(in->content), LIMIT_CONTENT, true,
				 e)) ||
	    (rc = api_get_string(body, "address", NULL, in->address, sizeof(in->address), LIMIT_ADDRESS, false,
				 e)) ||
	    (rc = api_get_string(body, "tier", NULL, tier, sizeof(tier), 20, false, e)))
		return rc;
	if ((in->type = case_type_parse(type)) < 0)
		return err_set(e, E_INVALID, "type",
			       "诉求类型须为 consultation（咨询）、help（求助）、complaint（投诉）、report（举报）或 suggestion（建议）");
	if (*tier && (in->tier = tier_parse(tier)) < 0)
		return err_set(e, E_INVALID, "tier", "时限等级须为 emergency、utilities、general 或 complex");
	json_t *cat = json_object_get(body, "category");
	if (cat && !json_is_null(cat)) {
		if (!json_is_integer(cat) || json_integer_value(cat) <= 0)
			return err_set(e, E_INVALID, "category", "字段 category 应为分类编号（正整数）");
		in->category_id = (int64_t)json_integer_value(cat);
	}
	if ((rc = api_get_object(body, "location", &loc, e)) || (rc = api_get_object(body, "requester", &rq, e)) ||
	    (rc = api_get_object(body, "place", &place, e)))
		return rc;
	if (loc) {
		if ((rc = api_check_keys(loc, loc_keys, "location", e)) ||
		    (rc = api_get_number(loc, "lat", "location", &in->lat, true, e)) ||
		    (rc = api_get_number(loc, "lon", "location", &in->lon, true, e)) ||
		    (rc = api_get_string(loc, "crs", "location", in->crs, sizeof(in->crs), 7, true, e)))
			return rc;
		in->has_location = true;
	}
	if (rq) {
		int conf = 0;
		if ((rc = api_check_keys(rq, req_keys, "requester", e)) ||
		    (rc = api_get_string(rq, "name", "requester", in->req_name, sizeof(in->req_name), LIMIT_NAME,
					 false, e)) ||
		    (rc = api_get_string(rq, "phone", "requester", in->req_phone, sizeof(in->req_phone),
					 LIMIT_PHONE, false, e)) ||
		    (rc = api_get_bool(rq, "confidential", "requester", &conf, e)))
			return rc;
		in->confidential = conf;
	}
	if (place) {
		if ((rc = api_check_keys(place, place_keys, "place", e)) ||
		    (rc = api_get_string(place, "district", "place", in->district, sizeof(in->district), LIMIT_CODE,
					 false, e)) ||
		    (rc = api_get_string(place, "street", "place", in->street, sizeof(in->street), LIMIT_CODE, false,
					 e)) ||
		    (rc = api_get_string(place, "community", "place", in->community, sizeof(in->community),
					 LIMIT_CODE, false, e)))
			return rc;
	}
	return OK;
}

/*
 * The body of each action, as a table: its JSON keys, their types and where
 * they go in struct action_input. Every action also takes "reason". A key
 * an action does not list is refused by name, so a typo never passes
 * silently; the domain checks which ones are required and their values.
 */
enum key_type {
	K_TEXT,   /* string into text (≤ LIMIT_REASON) */
	K_UNIT,   /* unit code into unit */
	K_UNITS,  /* array of unit codes into units */
	K_TIER,   /* tier name into tier */
	K_OUTCOME,
	K_CODE,   /* short code into code */
	K_METHOD,
	K_BOOL,   /* into the int named by off */
	K_TIME,   /* ISO 8601 into time */
	K_REF,    /* positive integer into ref */
	K_RATING, /* integer 1–5 into rating[idx] */
	K_PLACE,  /* unit code into the char[LIMIT_CODE + 1] at off */
};

struct key_spec {
	const char *key;
	enum key_type type;
	size_t off; /* K_BOOL: offset of the int; K_RATING: index */
};

#define B(field) offsetof(struct action_input, field)
#define KEYS(...) ((const struct key_spec[]){__VA_ARGS__, {NULL, 0, 0}})

static const struct key_spec *const action_keys[CASE_ACTION_COUNT] = {
	[ACT_ANSWER] = KEYS({"answer", K_TEXT, 0}),
	[ACT_REFER] = KEYS({"outcome", K_OUTCOME, 0}, {"answer", K_TEXT, 0}),
	[ACT_DISPATCH] = KEYS({"unit", K_UNIT, 0}, {"copies", K_UNITS, 0}, {"tier", K_TIER, 0}),
	[ACT_CONTACT] = KEYS({"reached", K_BOOL, B(reached)}, {"method", K_METHOD, 0}, {"note", K_TEXT, 0}),
	[ACT_NOTE] = KEYS({"note", K_TEXT, 0}),
	[ACT_REPLY] = KEYS({"result", K_TEXT, 0}, {"solved", K_BOOL, B(solved)}),
	[ACT_WHISTLE] = KEYS({"units", K_UNITS, 0}, {"place", K_TEXT, 0}, {"report_due", K_TIME, 0}),
	[ACT_REPORT] = KEYS({"whistle", K_REF, 0}, {"on_site", K_BOOL, B(on_site)}, {"note", K_TEXT, 0}),
	[ACT_FINISH] = KEYS({"whistle", K_REF, 0}, {"result", K_TEXT, 0}),
	[ACT_RATE] = KEYS({"unit", K_UNIT, 0}, {"whistle", K_REF, 0}, {"timeliness", K_RATING, 0},
			  {"attitude", K_RATING, 1}, {"result", K_RATING, 2}),
	[ACT_RETURN] = KEYS({"cause", K_CODE, 0}, {"evidence", K_TEXT, 0}),
	[ACT_DECIDE_RETURN] = KEYS({"decision", K_CODE, 0}, {"unit", K_UNIT, 0}, {"copies", K_UNITS, 0},
				   {"tier", K_TIER, 0}),
	[ACT_EXTEND] = KEYS({"new_due", K_TIME, 0}),
	[ACT_DECIDE_EXTENSION] = KEYS({"approve", K_BOOL, B(approve)}),
	[ACT_SUPERVISE] = KEYS({"instruction", K_TEXT, 0}, {"due", K_TIME, 0}),
	[ACT_ANSWER_SUPERVISION] = KEYS({"no", K_REF, 0}, {"answer", K_TEXT, 0}),
	[ACT_ESCALATE] = KEYS({"to", K_CODE, 0}),
	[ACT_SUBDISPATCH] = KEYS({"community", K_UNIT, 0}, {"note", K_TEXT, 0}),
	[ACT_PARK] = KEYS({"until", K_TIME, 0}),
	[ACT_MERGE] = KEYS({"into", K_REF, 0}),
	[ACT_LINK_REPEAT] = KEYS({"of", K_REF, 0}),
	[ACT_CALLBACK] = KEYS({"valid", K_BOOL, B(valid)}, {"contacted", K_BOOL, B(contacted)},
			      {"solved", K_BOOL, B(solved)}, {"satisfaction", K_CODE, 0}, {"comment", K_TEXT, 0}),
	[ACT_APPLY_EXCLUSION] = KEYS({"scope", K_CODE, 0}, {"evidence", K_TEXT, 0}),
	[ACT_DECIDE_EXCLUSION] = KEYS({"approve", K_BOOL, B(approve)}),
	[ACT_LOCATE] = KEYS({"district", K_PLACE, B(district)}, {"street", K_PLACE, B(street)},
			    {"community", K_PLACE, B(community)}),
	[ACT_REDIRECT] = KEYS({"unit", K_UNIT, 0}, {"copies", K_UNITS, 0}, {"tier", K_TIER, 0}),
};

/* Decode one key of an action body by its spec. */
static enum err_code decode_key(json_t *v, const struct key_spec *k, struct action_input *in, struct err *e)
{
	enum err_code rc;
	json_t *wrap = json_pack("{s:O}", k->key, v);
	char tier[24];
	switch (k->type) {
	case K_TEXT:
		rc = api_get_string(wrap, k->key, NULL, in->text, sizeof(in->text), LIMIT_REASON, false, e);
		break;
	case K_UNIT:
		rc = api_get_string(wrap, k->key, NULL, in->unit, sizeof(in->unit), LIMIT_CODE, false, e);
		break;
	case K_PLACE:
		rc = api_get_string(wrap, k->key, NULL, (char *)in + k->off, LIMIT_CODE + 1, LIMIT_CODE, false, e);
		break;
	case K_OUTCOME:
		rc = api_get_string(wrap, k->key, NULL, in->outcome, sizeof(in->outcome), 20, false, e);
		break;
	case K_CODE:
		rc = api_get_string(wrap, k->key, NULL, in->code, sizeof(in->code), 20, false, e);
		break;
	case K_METHOD:
		rc = api_get_string(wrap, k->key, NULL, in->method, sizeof(in->method), 15, false, e);
		break;
	case K_TIER:
		rc = api_get_string(wrap, k->key, NULL, tier, sizeof(tier), 20, false, e);
		if (rc == OK && *tier && (in->tier = tier_parse(tier)) < 0)
			rc = err_set(e, E_INVALID, k->key, "时限等级须为 emergency、utilities、general 或 complex");
		break;
	case K_BOOL:
		rc = api_get_bool(wrap, k->key, NULL, (int *)((char *)in + k->off), e);
		break;
	case K_TIME: {
		char t[40];
		rc = api_get_string(wrap, k->key, NULL, t, sizeof(t), 35, false, e);
		if (rc == OK && *t && !time_parse_iso(t, &in->time))
			rc = err_set(e, E_INVALID, k->key, "字段 %s 须为日期（2026-03-31）或带时区的时间", k->key);
		break;
	}
	case K_REF:
		if (!json_is_integer(v) || json_integer_value(v) <= 0)
			rc = err_set(e, E_INVALID, k->key, "字段 %s 应为正整数", k->key);
		else
			in->ref = (int64_t)json_integer_value(v), rc = OK;
		break;
	case K_RATING:
		if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 5)
			rc = err_set(e, E_INVALID, k->key, "评分 %s 须为 1–5 的整数", k->key);
		else
			in->rating[k->off] = (int)json_integer_value(v), rc = OK;
		break;
	case K_UNITS:
		rc = OK;
		if (!json_is_array(v)) {
			rc = err_set(e, E_INVALID, k->key, "字段 %s 应为单位编码数组", k->key);
			break;
		}
		if (json_array_size(v) > MAX_TASKS) {
			rc = err_set(e, E_INVALID, k->key, "字段 %s 最多 %d 个单位", k->key, MAX_TASKS);
			break;
		}
		for (size_t i = 0; i < json_array_size(v); i++) {
			const char *c = json_string_value(json_array_get(v, i));
			if (!c || !*c || strlen(c) > LIMIT_CODE) {
				rc = err_set(e, E_INVALID, k->key, "%s 第 %zu 项应为单位编码", k->key, i + 1);
				break;
			}
			strlcpy_ok(in->units[in->nunits++], c, sizeof(in->units[0]));
		}
		break;
	default:
		rc = err_set(e, E_INTERNAL, k->key, "未知字段类型");
	}
	json_decref(wrap);
	return rc;
}

static enum err_code decode_action(enum case_action a, json_t *body, struct action_input *in, struct err *e)
{
	const struct key_spec *keys = action_keys[a];
	const char *key;
	json_t *v;
	enum err_code rc;
	action_input_init(in);
	json_object_foreach(body, key, v)
	{
		if (!strcmp(key, "reason")) {
			if ((rc = api_get_string(body, "reason", NULL, in->reason, sizeof(in->reason), LIMIT_REASON,
						 false, e)))
				return rc;
			continue;
		}
		const struct key_spec *k = keys;
		while (k && k->key && strcmp(k->key, key) != 0)
			k++;
		if (!k || !k->key)
			return err_set(e, E_INVALID, key, "「%s」不接受字段 %s", case_action_label(a), key);
		if (json_is_null(v))
			continue;
		if ((rc = decode_key(v, k, in, e)))
			return rc;
	}
	return OK;
}

static enum err_code parse_id(const char *s, int64_t *id, struct err *e)
{
	char *end;
	long long n = strtoll(s, &end, 10);
	if (*end || end == s || n <= 0)
		return err_set(e, E_NOT_FOUND, "id", "工单编号 %s 无效", s);
	*id = n;
	return OK;
}

/* ------------------------------------------------------------ handlers */

HANDLER(api_case_create)
{
	json_t *body = NULL;
	struct case_input in;
	struct case_rec c;
	enum err_code rc;
	if ((rc = api_parse_body(req, &body, e)) || (rc = api_decode_case_input(body, &in, e)) ||
	    (rc = case_create(&ctx->cx, who, &in, clock_now(), &c, e)))
		goto out;
	res->status = 201;
	reply_case(req, res, who, &c, true);
out:
	json_decref(body);
	return rc;
}

HANDLER(api_case_get)
{
	int64_t id, seq;
	struct case_rec c;
	enum err_code rc;
	if ((rc = parse_id(params[0], &id, e)))
		return rc;
	/* the same account again, nothing changed, within VIEW_MS: what it was shown */
	int64_t uv = store_units_version(ctx->cx.st);
	struct view_slot *v = view_slot(ctx, id);
	int64_t mseq = 0;
	if (v->json && v->id == id && v->user_id == who->user.id && store_case_seq(ctx->cx.st, id, &seq, e) == OK &&
	    view_matches(v, who, id, seq, uv) &&
	    (!v->merged_into || (store_case_seq(ctx->cx.st, v->merged_into, &mseq, e) == OK && mseq == v->merged_seq))) {
		res->raw = xmalloc(v->len + 1);
		memcpy(res->raw, v->json, v->len + 1);
		res->raw_len = v->len;
		res->content_type = "application/json; charset=utf-8";
		return OK;
	}
	err_init(e);
	if ((rc = case_get_visible(&ctx->cx, who, id, &c, e)) || (rc = full_case(ctx, who, &c, res, e)))
		return rc;
	mseq = 0;
	if (c.merged_into && store_case_seq(ctx->cx.st, c.merged_into, &mseq, e) != OK)
		return OK; /* the reply stands; it is just not kept */
	if (res->raw_len <= EVENTS_CACHE_MAX) {
		free(v->json);
		*v = (struct view_slot){.id = id, .seq = c.seq, .units_version = uv, .user_id = who->user.id,
					.merged_into = c.merged_into, .merged_seq = mseq, .role = who->user.role,
					.until_ms = clock_mono_ms() + VIEW_MS,
					.json = xmalloc(res->raw_len + 1), .len = res->raw_len};
		strlcpy_ok(v->unit, who->user.unit, sizeof(v->unit));
		memcpy(v->json, res->raw, res->raw_len + 1);
	}
	return OK;
}

/* Decode the body of action a on the case named by id_param and take it; *c is the case after. */
static enum err_code take_action(struct api_ctx *ctx, const struct actor *who, const struct api_request *req,
				 const char *id_param, int a, struct case_rec *c, struct err *e)
{
	int64_t id;
	json_t *body = NULL;
	struct action_input in;
	enum err_code rc;
	if ((rc = parse_id(id_param, &id, e)))
		return rc;
	if (req->body_len == 0) {
		body = json_object(); /* actions without parameters may send no body */
	} else if ((rc = api_parse_body(req, &body, e))) {
		return rc;
	}
	if (!(rc = decode_action((enum case_action)a, body, &in, e)))
		rc = case_act(&ctx->cx, who, id, (enum case_action)a, &in, clock_now(), c, e);
	json_decref(body);
	return rc;
}

HANDLER(api_case_action)
{
	struct case_rec c;
	enum err_code rc;
	int a = case_action_parse(params[1]);
	if (a < 0)
		return err_set(e, E_NOT_FOUND, "action", "没有这个操作：%s", params[1]);
	if ((rc = take_action(ctx, who, req, params[0], a, &c, e)))
		return rc;
	reply_case(req, res, who, &c, false);
	return OK;
}

/* The requester's name and phone, for those who must contact them, with a reason that is kept. */
HANDLER(api_case_reveal)
{
	struct case_rec c;
	enum err_code rc = take_action(ctx, who, req, params[0], ACT_REVEAL, &c, e);
	if (rc == OK)
		res->body = json_pack("{s:s, s:s, s:b}", "name", c.req_name, "phone", c.req_phone, "confidential",
				      c.confidential);
	return rc;
}

struct list_ctx {
	struct store *st;
	const struct actor *who;
	struct buf out;
};

static int add_case(void *vctx, const struct case_rec *c)
{
	struct list_ctx *x = vctx;
	case_draw(&x->out, x->st, x->who, c, true);
	return 0;
}

HANDLER(api_cases_list)
{
	struct case_query q = {0};
	long page, per_page;
	struct unit u;
	struct err ignore;
	enum err_code rc;
	const char *v;
	if ((rc = api_query_int(req, "page", 1, 1000000, 1, &page, e)) ||
	    (rc = api_query_int(req, "per_page", 1, API_MAX_PER_PAGE, API_DEFAULT_PER_PAGE, &per_page, e)))
		return rc;
	q.page = (int)page;
	q.per_page = (int)per_page;
	q.overdue = -1;
	q.brief = true; /* drawn brief: add_case */
	if ((v = api_query(req, "status"))) {
		if (case_status_parse(v) < 0)
			return err_set(e, E_INVALID, "status", "状态 %s 不存在", v);
		q.status = v;
	}
	if ((v = api_query(req, "unit"))) {
		if (store_unit_get(ctx->cx.st, v, &u, &ignore) != OK)
			return err_set(e, E_INVALID, "unit", "单位 %s 不存在", v);
		q.unit_path = u.path;
	}
	if ((v = api_query(req, "overdue"))) {
		if (strcmp(v, "true") && strcmp(v, "false"))
			return err_set(e, E_INVALID, "overdue", "参数 overdue 须为 true 或 false");
		q.overdue = !strcmp(v, "true");
	}
	if ((v = api_query(req, "from")) && !time_parse_iso(v, &q.from))
		return err_set(e, E_INVALID, "from", "参数 from 须为日期（2026-01-31）或带时区的时间");
	if ((v = api_query(req, "to"))) {
		if (!time_parse_iso(v, &q.to))
			return err_set(e, E_INVALID, "to", "参数 to 须为日期（2026-01-31）或带时区的时间");
		if (strlen(v) == 10)
			q.to += 86400; /* a date includes that whole day */
	}
	if (q.from && q.to && q.from >= q.to)
		return err_set(e, E_INVALID, "to", "结束时间须晚于开始时间");
	if ((v = api_query(req, "callback_due"))) {
		if (strcmp(v, "true") && strcmp(v, "false"))
			return err_set(e, E_INVALID, "callback_due", "参数 callback_due 须为 true 或 false");
		q.callback_due = !strcmp(v, "true");
		q.now = clock_now();
	}
	if ((v = api_query(req, "inbox"))) {
		/* The unit inbox's tabs, for the caller's own unit. */
		if (!strcmp(v, "sign")) {
			q.lead_code = who->unit.code;
			q.statuses = ",dispatched,";
		} else if (!strcmp(v, "doing")) {
			q.lead_code = who->unit.code;
			q.statuses = ",accepted,in_progress,parked,";
		} else if (!strcmp(v, "whistled")) {
			q.task_unit = who->unit.code;
			q.statuses = ",dispatched,accepted,in_progress,parked,returned,";
		} else if (!strcmp(v, "overdue")) {
			q.lead_code = who->unit.code;
			q.statuses = ",dispatched,accepted,in_progress,parked,";
			q.overdue = 1;
		} else {
			return err_set(e, E_INVALID, "inbox", "参数 inbox 须为 sign、doing、whistled 或 overdue");
		}
	}
	if ((v = api_query(req, "pending"))) {
		if (!strcmp(v, "extension"))
			q.pending = 1;
		else if (!strcmp(v, "exclusion"))
			q.pending = 2;
		else
			return err_set(e, E_INVALID, "pending", "参数 pending 须为 extension（待审延期）或 exclusion（待审剔除）");
	}
	if ((v = api_query(req, "sort"))) {
		if (strcmp(v, "due") && strcmp(v, "new"))
			return err_set(e, E_INVALID, "sort", "参数 sort 须为 due（最近到期在前）或 new（最新在前）");
		q.sort_due = !strcmp(v, "due");
	}
	/* an inbox holds only the caller's own unit's cases (as lead or summoned): all visible to it */
	if (who->unit.kind != UNIT_CENTRE && !q.lead_code && !q.task_unit)
		q.viewer_path = who->unit.path;
	struct list_ctx x = {ctx->cx.st, who, {0}};
	int64_t total = 0;
	buf_init(&x.out, BUF_NOMAX);
	jw_open(&x.out, '{');
	jw_key(&x.out, "cases");
	jw_open(&x.out, '[');
	if ((rc = store_cases_list(ctx->cx.st, &q, add_case, &x, &total, e)) != OK) {
		buf_release(&x.out);
		return rc;
	}
	jw_close(&x.out, ']');
	jw_key(&x.out, "total"), jw_int(&x.out, total);
	jw_key(&x.out, "page"), jw_int(&x.out, q.page);
	jw_key(&x.out, "per_page"), jw_int(&x.out, q.per_page);
	jw_close(&x.out, '}');
	res->raw_len = x.out.len;
	res->raw = buf_detach(&x.out);
	res->content_type = "application/json; charset=utf-8";
	return OK;
}
