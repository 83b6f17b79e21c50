/*
 * case — the case lifecycle (DOMAIN.md §3–5): intake, triage, dispatch,
 * sign, contact, note, reply, close, and the deadline sweep.
 *
 * Every action appends one event and updates the case row in the same
 * transaction. The row is a projection: case_apply() folds one event into
 * it, and case_rebuild() folds the whole log from nothing, so the row can
 * always be recomputed and checked. An action that is not allowed in the
 * current state (E_STATE), to this role or unit (E_FORBIDDEN), or whose
 * input is wrong (E_INVALID with the field) changes nothing.
 */
#ifndef JIESU_CASE_H
#define JIESU_CASE_H

#include "../store/store.h"
#include "auth.h"
#include "deadline.h"

#include <jansson.h>

enum case_action {
	ACT_CREATE,
	ACT_ANSWER,
	ACT_REFER,
	ACT_DISPATCH,
	ACT_SIGN,
	ACT_CONTACT,
	ACT_NOTE,
	ACT_REPLY,
	ACT_CLOSE,
	ACT_WARNING, /* system: a deadline warning (sweep) */
	ACT_OVERDUE, /* system: a deadline passed (sweep) */
	ACT_WHISTLE,
	ACT_REPORT,
	ACT_FINISH,
	ACT_RATE,
	ACT_RETURN,
	ACT_DECIDE_RETURN,
	ACT_EXTEND,
	ACT_DECIDE_EXTENSION,
	ACT_SUPERVISE,
	ACT_ANSWER_SUPERVISION,
	ACT_ESCALATE,
	ACT_SUBDISPATCH,
	ACT_PARK,
	ACT_UNPARK,
	ACT_MERGE,
	ACT_LINK_REPEAT,
	ACT_CALLBACK,
	ACT_REOPEN,
	ACT_APPLY_EXCLUSION,
	ACT_DECIDE_EXCLUSION,
	ACT_LOCATE,   /* the place: found at intake (point or address) or set by the centre */
	ACT_REDIRECT, /* the centre sends a dispatched case to another unit before it is signed */
	ACT_REVEAL,   /* someone who must contact the requester looks at the name and phone (with a reason) */
};
#define CASE_ACTION_COUNT 34

const char *case_action_name(enum case_action a);
/* Chinese names for the UI and messages: 派单, 签收, ...; 已派单, 办理中, ... */
const char *case_action_label(enum case_action a);
const char *case_status_label(enum case_status s);
int case_action_parse(const char *s); /* user actions only; -1 if unknown */
int case_action_by_name(const char *s); /* every action, as stored in events; -1 if unknown */

/* What intake records. Strings are already length-checked by the caller or by case_create. */
struct case_input {
	int type; /* enum case_type, -1 = missing */
	char channel[16];
	char title[TEXT_BYTES(LIMIT_TITLE)];
	char content[TEXT_BYTES(LIMIT_CONTENT)];
	char address[TEXT_BYTES(LIMIT_ADDRESS)];
	bool has_location;
	double lat, lon;
	char crs[8];
	int64_t category_id; /* 0 = none */
	int tier;            /* -1 = from the category, else general */
	char req_name[TEXT_BYTES(LIMIT_NAME)];
	char req_phone[LIMIT_PHONE + 1];
	bool confidential;
	char district[LIMIT_CODE + 1];
	char street[LIMIT_CODE + 1];
	char community[LIMIT_CODE + 1];
	int auto_dispatch; /* -1 = default: dispatch at once when the place resolves (not consultations) */
};

/*
 * Parameters of a lifecycle action. Each action uses some of them; the API
 * names each one by its JSON key (in the comments), and the domain's
 * errors name the same keys.
 */
struct action_input {
	char unit[LIMIT_CODE + 1]; /* unit: dispatch, decide_return, redirect, rate; community: subdispatch */
	char district[LIMIT_CODE + 1], street[LIMIT_CODE + 1], community[LIMIT_CODE + 1]; /* locate */
	int nunits;
	char units[MAX_TASKS][LIMIT_CODE + 1]; /* copies: dispatch, decide_return; units: whistle */
	int tier;                              /* tier: dispatch, decide_return; -1 = keep */
	char outcome[24];                      /* outcome: refer */
	char code[24]; /* cause: return; decision: decide_return; to: escalate; scope: apply_exclusion;
			  satisfaction: callback */
	char text[TEXT_BYTES(LIMIT_REASON)]; /* answer, result, note, instruction, evidence, comment, place */
	int solved, reached, on_site, approve, valid, contacted; /* booleans, -1 = not given */
	char method[16];                                          /* method: contact */
	int64_t time; /* new_due: extend; due: supervise; until: park; report_due: whistle; 0 = not given */
	int64_t ref;  /* into: merge; of: link_repeat; whistle: report/finish/rate; no: answer_supervision */
	int rating[3]; /* timeliness, attitude, result: rate (1–5; 0 = not given) */
	char reason[TEXT_BYTES(LIMIT_REASON)];
};
void action_input_init(struct action_input *in);

/* Allowed values, for validation and for the API's documentation. */
extern const char *const case_channels[];
extern const char *const referral_outcomes[];
extern const char *const contact_methods[];
extern const char *const return_causes[];
bool name_in(const char *const *list, const char *s);

/*
 * Shared state for the lifecycle: the store, the deadline rules and the
 * working-day calendar, loaded once per process (case_ctx_load).
 */
struct gazetteer;
struct geo_index;
struct case_ctx {
	struct store *st;
	struct tier_rule tiers[TIER_COUNT];
	struct calendar *cal;
	/*
	 * Place lookup at intake; NULL = not loaded (the place must then be
	 * given). Owned by the context case_ctx_load filled; copies share them.
	 */
	struct gazetteer *gaz;
	struct geo_index *geo;
};
enum err_code case_ctx_load(struct case_ctx *cx, struct store *st, struct err *e);
void case_ctx_release(struct case_ctx *cx);

/* Record a new case (state received). Fills *out with the stored row. */
enum err_code case_create(struct case_ctx *cx, const struct actor *who, const struct case_input *in, int64_t now,
			  struct case_rec *out, struct err *e);

/* Perform a user action on case id; on success *out holds the updated row. */
enum err_code case_act(struct case_ctx *cx, const struct actor *who, int64_t id, enum case_action a,
		       const struct action_input *in, int64_t now, struct case_rec *out, struct err *e);

/* Load a case the actor may see (E_NOT_FOUND otherwise, never revealing it exists). */
enum err_code case_get_visible(struct case_ctx *cx, const struct actor *who, int64_t id, struct case_rec *out,
			       struct err *e);

/* Whether the actor may see the requester's name and phone unmasked. */
bool case_may_contact(const struct actor *who, const struct case_rec *c);

/* The user actions this actor may take on this case now (for the UI): bitmask of 1 << action. */
uint64_t case_allowed_actions(struct store *st, const struct actor *who, const struct case_rec *c, int64_t now);

/* The facts one event yields for the monthly figures (struct fact in store.h). */
#define MAX_EVENT_FACTS 4
struct fact_list {
	int n;
	struct fact f[MAX_EVENT_FACTS];
};

/*
 * Fold one event into the row, and collect the facts it yields into
 * facts (may be NULL). Pure: the same events always give the same row and
 * the same facts.
 */
enum err_code case_apply(struct case_rec *c, const struct event_rec *ev, struct fact_list *facts, struct err *e);
/*
 * The same with the payload already parsed (p, borrowed): for the writer,
 * which has it. p must be what ev->payload parses to (no reals, whose text
 * is rounded: the writer parses those).
 */
enum err_code case_apply_parsed(struct case_rec *c, const struct event_rec *ev, json_t *p, struct fact_list *facts,
				struct err *e);

/* Recompute a case from its events into *out; fn (may be NULL) receives every fact on the way. */
typedef int (*case_fact_fn)(void *ctx, const struct fact *f);
enum err_code case_rebuild(struct store *st, int64_t id, struct case_rec *out, case_fact_fn fn, void *ctx,
			   struct err *e);
/* Compare two rows field by field; returns the name of the first differing field or NULL. */
const char *case_diff(const struct case_rec *a, const struct case_rec *b);
/*
 * Check one case for tampering: its events' hash chain recomputed from the
 * first (broken: the first event whose stored hash differs, 0 if none) and
 * its row against the fold of its events (field: the first field that
 * differs; fold_error: why the log could not be folded). E_NOT_FOUND if
 * the case is not there.
 */
struct case_check {
	int events, broken;
	int64_t created_at, updated_at; /* the stored row's */
	const char *field;
	char fold_error[256];
};
enum err_code case_verify(struct store *st, int64_t id, struct case_check *out, struct err *e);

/*
 * Run the deadline checks once at now: append a warning or overdue event
 * to every case whose clock reached its mark. *events counts what it wrote.
 */
enum err_code case_sweep(struct case_ctx *cx, int64_t now, int *events, struct err *e);

/* Mask a name ("张*") and a phone ("138****5678") for those who may not contact. */
void mask_name(const char *name, char *out, size_t n);
void mask_phone(const char *phone, char *out, size_t n);

#endif
