/*
 * api_cases.c — cases: intake, list, one case with its history, actions.
 */
#include "api_int.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ output */

static json_t *deadlines_json(const struct case_rec *c, int64_t now)
{
	json_t *o = json_object();
	for (int k = 0; k < CLOCK_COUNT; k++) {
		const struct case_clock *cl = &c->clocks[k];
		if (!cl->start)
			continue;
		enum clock_state s = clock_state_at(cl, now);
		/* a mark recorded by the sweep or on a late completion stays visible */
		if (cl->overdue && s != CLOCK_MET && s != CLOCK_MET_LATE)
			s = CLOCK_OVERDUE;
		json_object_set_new(o, clock_name((enum clock_kind)k),
				    json_pack("{s:o, s:o, s:o, s:o, s:s, s:b}", "start", api_time(cl->start), "due",
					      api_time(cl->due), "warn_at", api_time(cl->warn_at), "done_at",
					      api_time(cl->done_at), "state", clock_state_name(s), "overdue",
					      cl->overdue || s == CLOCK_OVERDUE));
	}
	return o;
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
static json_t *requester_json(const struct actor *who, const struct case_rec *c)
{
	char name[TEXT_BYTES(LIMIT_NAME)], phone[LIMIT_PHONE + 1];
	mask_name(c->req_name, name, sizeof(name));
	mask_phone(c->req_phone, phone, sizeof(phone));
	return json_pack("{s:s, s:s, s:b, s:b, s:b}", "name", name, "phone", phone, "confidential", c->confidential,
			 "masked", 1, "can_reveal", case_may_contact(who, c) && (*c->req_name || *c->req_phone));
}

static json_t *tasks_json(struct store *st, const struct case_rec *c)
{
	json_t *arr = json_array();
	for (int i = 0; i < c->ntasks; i++) {
		const struct case_task *t = &c->tasks[i];
		json_t *o = json_pack("{s:s, s:i, s:o, s:o, s:o, s:o, s:o, s:b, s:o}", "kind", task_kind_name(t->kind),
				      "no", t->no, "unit", api_unit_ref(st, t->unit), "by_unit",
				      api_unit_ref(st, t->by_unit), "at", api_time(t->at), "report_due",
				      api_time(t->report_due), "reported_at", api_time(t->reported_at), "on_site",
				      t->on_site, "finished_at", api_time(t->finished_at));
		json_object_set_new(o, "rating",
				    t->rated_at ? json_pack("{s:i, s:i, s:i}", "timeliness", t->rating[0], "attitude",
							    t->rating[1], "result", t->rating[2])
						: json_null());
		json_array_append_new(arr, o);
	}
	return arr;
}

/* The case as the API shows it: brief for lists, full with events for one case. */
static json_t *case_json(struct store *st, const struct actor *who, const struct case_rec *c, bool brief)
{
	int64_t now = clock_now();
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:b, s:o, s:o}", "id",
			      (json_int_t)c->id, "status", case_status_name(c->status), "status_label",
			      case_status_label(c->status), "type",
			      case_type_name(c->type), "channel", c->channel, "title", c->title, "tier",
			      tier_name(c->tier), "lead_unit", api_unit_ref(st, c->lead_unit), "place",
			      json_pack("{s:o, s:o, s:o}", "district", api_unit_ref(st, c->district), "street",
					api_unit_ref(st, c->street), "community", api_unit_ref(st, c->community)),
			      "deadlines", deadlines_json(c, now), "requester", requester_json(who, c), "overdue",
			      case_overdue(c, now), "created_at", api_time(c->created_at), "updated_at",
			      api_time(c->updated_at));
	json_object_set_new(o, "location",
			    c->has_location ? json_pack("{s:f, s:f, s:s}", "lat", c->lat, "lon", c->lon, "crs", c->crs)
					    : json_null());
	if (brief)
		return o;
	json_t *copies = json_array();
	for (int i = 0; i < c->ncopies; i++)
		json_array_append_new(copies, api_unit_ref(st, c->copies[i]));
	json_object_set_new(o, "copy_units", copies);
	json_object_set_new(o, "content", json_string(c->content));
	json_object_set_new(o, "address", json_string(c->address));
	struct category cat;
	struct err ignore;
	json_object_set_new(o, "category",
			    c->category_id && store_category_get(st, c->category_id, &cat, &ignore) == OK
				    ? json_pack("{s:I, s:s}", "id", (json_int_t)cat.id, "path", cat.path)
				    : json_null());
	json_object_set_new(o, "outcome", *c->referral ? json_string(c->referral) : json_null());
	json_object_set_new(o, "answer", *c->answer ? json_string(c->answer) : json_null());
	json_object_set_new(o, "result", *c->result ? json_string(c->result) : json_null());
	json_object_set_new(o, "solved", c->solved < 0 ? json_null() : json_boolean(c->solved));
	json_object_set_new(o, "closed_at", api_time(c->closed_at));
	json_object_set_new(o, "tasks", tasks_json(st, c));
	json_t *sups = json_array();
	for (int i = 0; i < c->nsupervisions; i++) {
		const struct case_supervision *sv = &c->supervisions[i];
		json_array_append_new(sups, json_pack("{s:i, s:o, s:o, s:o, s:o}", "no", sv->no, "unit",
						      api_unit_ref(st, sv->unit), "at", api_time(sv->at), "due",
						      api_time(sv->due), "answered_at", api_time(sv->answered_at)));
	}
	json_object_set_new(o, "supervisions", sups);
	json_object_set_new(o, "dispute",
			    c->status == CS_RETURNED ? json_pack("{s:s, s:s}", "cause", c->return_reason, "from",
								  case_status_name(c->return_from))
						     : json_null());
	json_object_set_new(o, "extension_requested", api_time(c->extension_due));
	json_object_set_new(o, "escalation",
			    c->escalation == 2 ? json_string("city")
					       : c->escalation == 1 ? json_string("district") : json_null());
	json_object_set_new(o, "parked_until", api_time(c->parked_until));
	json_object_set_new(o, "merged_into", c->merged_into ? json_integer(c->merged_into) : json_null());
	json_object_set_new(o, "repeat_of", c->repeat_of ? json_integer(c->repeat_of) : json_null());
	json_object_set_new(o, "assessment",
			    json_pack("{s:s, s:o}", "scope", scope_name(c->scope), "requested",
				      c->exclusion_requested ? json_string(scope_name(
								       (enum assess_scope)(c->exclusion_requested - 1)))
							     : json_null()));
	json_object_set_new(o, "callback",
			    c->callback_at ? json_pack("{s:o, s:b, s:o, s:o, s:o}", "at", api_time(c->callback_at),
						       "valid", c->callback_valid, "contacted",
						       c->callback_contacted < 0 ? json_null()
										 : json_boolean(c->callback_contacted),
						       "solved",
						       c->callback_solved < 0 ? json_null() : json_boolean(c->callback_solved),
						       "satisfaction",
						       c->callback_satisfaction ? json_string(satisfaction_name(
											c->callback_satisfaction))
										: json_null())
					   : json_null());
	json_object_set_new(o, "counts", json_pack("{s:i, s:i, s:i}", "returns", c->returns, "extensions",
						   c->extensions, "reopens", c->reopens));
	json_t *allowed = json_array();
	uint64_t mask = case_allowed_actions(st, who, c, now);
	mask &= ~((uint64_t)1 << ACT_REVEAL); /* shown as requester.can_reveal */
	for (int a = 0; a < CASE_ACTION_COUNT; a++)
		if (mask & ((uint64_t)1 << a))
			json_array_append_new(allowed, json_string(case_action_name((enum case_action)a)));
	json_object_set_new(o, "allowed_actions", allowed);
	return o;
}

/* A growing text: a case's history is drawn by hand, splicing each event's payload as stored. */
struct text {
	char *s;
	size_t n, cap;
};

static void text_put(struct text *t, const char *s, size_t n)
{
	if (t->n + n + 1 > t->cap) {
		t->cap = t->cap ? t->cap : 1024;
		while (t->n + n + 1 > t->cap)
			t->cap *= 2;
		t->s = xrealloc(t->s, t->cap);
	}
	memcpy(t->s + t->n, s, n);
	t->n += n;
	t->s[t->n] = '\0';
}

static void text_lit(struct text *t, const char *s)
{
	text_put(t, s, strlen(s));
}

/* s (UTF-8, as stored) as a JSON string */
static void text_str(struct text *t, const char *s)
{
	text_put(t, "\"", 1);
	for (const char *p = s;; p++) {
		size_t run = strcspn(p, "\"\\\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"
				   "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f");
		text_put(t, p, run);
		p += run;
		if (!*p)
			break;
		char esc[8];
		if (*p == '"' || *p == '\\')
			snprintf(esc, sizeof(esc), "\\%c", *p);
		else
			snprintf(esc, sizeof(esc), "\\u%04x", (unsigned char)*p);
		text_lit(t, esc);
	}
	text_put(t, "\"", 1);
}

static void text_json(struct text *t, json_t *v)
{
	char *d = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(12)) : NULL;
	text_lit(t, d ? d : "null");
	free(d);
}

struct events_ctx {
	struct store *st;
	struct text out; /* "[" and the events drawn so far, comma-separated */
	int drawn;
	int64_t last_uid;
	char last_login[LIMIT_LOGIN + 1];
	char last_unit[LIMIT_CODE + 1];
	struct text unit_ref; /* the last unit's reference, drawn */
};

/* Does the stored payload need redrawing (a requester to drop, times to show), or can it go out as stored? */
static bool payload_redraw(const char *p)
{
	return strstr(p, "\"requester\"") || strstr(p, "\"mark\"") || strstr(p, "due\"") || strstr(p, "\"until\"");
}

/*
 * One event for display. Personal data stays out of the history: the
 * create event's requester is dropped (it is shown, masked or not, on the
 * case itself). Payloads are jansson's own compact text: those with
 * nothing to change are spliced in as stored.
 */
static int add_event(void *vctx, const struct event_rec *ev)
{
	struct events_ctx *x = vctx;
	struct text *t = &x->out;
	char buf[64];
	if (ev->user_id && ev->user_id != x->last_uid) {
		struct user u;
		struct err ignore;
		if (store_user_by_id(x->st, ev->user_id, &u, &ignore) == OK)
			strlcpy_ok(x->last_login, u.login, sizeof(x->last_login));
		else
			strlcpy_ok(x->last_login, "?", sizeof(x->last_login));
		x->last_uid = ev->user_id;
	}
	if (!x->unit_ref.s || strcmp(x->last_unit, ev->unit)) {
		json_t *ref = api_unit_ref(x->st, ev->unit);
		x->unit_ref.n = 0;
		text_json(&x->unit_ref, ref);
		json_decref(ref);
		strlcpy_ok(x->last_unit, ev->unit, sizeof(x->last_unit));
	}
	snprintf(buf, sizeof(buf), "%s{\"seq\":%d,\"at\":", x->drawn++ ? "," : "", ev->seq);
	text_lit(t, buf);
	if (ev->at) {
		char at[26];
		time_format_iso(ev->at, at);
		text_str(t, at);
	} else {
		text_lit(t, "null");
	}
	text_lit(t, ",\"action\":");
	text_str(t, ev->action);
	text_lit(t, ",\"user\":");
	text_str(t, ev->user_id ? x->last_login : "system");
	text_lit(t, ",\"unit\":");
	text_put(t, x->unit_ref.s, x->unit_ref.n);
	text_lit(t, ",\"payload\":");
	const char *stored = ev->payload && *ev->payload ? ev->payload : "{}";
	json_t *payload;
	json_error_t jerr;
	if (!payload_redraw(stored) && stored[0] == '{') {
		text_lit(t, stored);
	} else {
		if (!(payload = json_loads(stored, 0, &jerr)) || !json_is_object(payload)) {
			json_decref(payload);
			payload = json_object();
		}
		json_object_del(payload, "requester");
		/* times in the payload (deadlines, marks, park until) are Unix seconds: show them as local times */
		const char *key;
		json_t *v;
		json_object_foreach(payload, key, v)
		{
			size_t kl = strlen(key);
			if (json_is_integer(v) && (!strcmp(key, "mark") || !strcmp(key, "due") || !strcmp(key, "until") ||
						   (kl > 4 && !strcmp(key + kl - 4, "_due"))))
				json_object_set_new(payload, key, api_time((int64_t)json_integer_value(v)));
		}
		text_json(t, payload);
		json_decref(payload);
	}
	text_lit(t, ",\"reason\":");
	if (*ev->reason)
		text_str(t, ev->reason);
	else
		text_lit(t, "null");
	text_lit(t, "}");
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
	struct events_ctx x = {.st = st};
	text_lit(&x.out, "[");
	enum err_code rc = store_events_after(st, c->id, after, add_event, &x, e);
	text_lit(&x.out, "]");
	free(x.unit_ref.s);
	char *text = x.out.s;
	size_t drawn = (size_t)x.drawn;
	if (rc != OK) {
		free(text);
		return rc;
	}
	size_t n = strlen(text);
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
	json_t *o = case_json(ctx->cx.st, who, c, false);
	char *head = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(12));
	json_decref(o);
	size_t hl = head ? strlen(head) : 0;
	if (hl < 2 || head[hl - 1] != '}') {
		free(head);
		free(own);
		return err_set(e, E_INTERNAL, NULL, "工单 %lld 无法编码", (long long)c->id);
	}
	/* {...} + ,"events":[...] before the closing brace */
	static const char key[] = ",\"events\":";
	size_t n = hl - 1 + sizeof(key) - 1 + evlen + 1;
	char *text = xmalloc(n + 1);
	memcpy(text, head, hl - 1);
	memcpy(text + hl - 1, key, sizeof(key) - 1);
	memcpy(text + hl - 1 + sizeof(key) - 1, ev, evlen);
	text[n - 1] = '}';
	text[n] = '\0';
	free(head);
	free(own);
	if (!res->raw_static)
		free(res->raw);
	json_decref(res->body);
	res->body = NULL;
	res->raw = text;
	res->raw_len = n;
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
	if (v->json && store_case_seq(ctx->cx.st, id, &seq, e) == OK && view_matches(v, who, id, seq, uv) &&
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
	json_t *arr;
};

static int add_case(void *vctx, const struct case_rec *c)
{
	struct list_ctx *x = vctx;
	json_array_append_new(x->arr, case_json(x->st, x->who, c, true));
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
	struct list_ctx x = {ctx->cx.st, who, json_array()};
	int64_t total = 0;
	if ((rc = store_cases_list(ctx->cx.st, &q, add_case, &x, &total, e)) != OK) {
		json_decref(x.arr);
		return rc;
	}
	res->body = json_pack("{s:o, s:I, s:i, s:i}", "cases", x.arr, "total", (json_int_t)total, "page", q.page,
			      "per_page", q.per_page);
	return OK;
}
