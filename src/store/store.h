/*
 * store — the only module that speaks SQL. One opaque handle with
 * domain-level operations; each engine (store_sqlite.c today, a PostgreSQL
 * engine later) writes its own SQL with bound parameters only.
 *
 * The record structs below are plain data shared with the domain layer.
 * Text fields are fixed-size arrays sized from the input limits in
 * LIMIT_* (characters × 4 bytes of UTF-8 + NUL), so a record never owns
 * heap memory except where noted (event payload).
 *
 * Every function returns OK (0) or an err_code and fills *e on failure.
 * A write outside store_begin/store_commit runs in its own transaction.
 *
 * List functions hand each row to a callback (unit_fn, case_fn, ...): the
 * record is valid only during that call (copy what you keep; an event's
 * payload is freed after it returns). A callback returning non-zero stops
 * the iteration and the function returns that value as its err_code,
 * without touching *e (the callback reports its own error). Callbacks may
 * call back into the store. A handle is used by one thread at a time.
 */
#ifndef JIESU_STORE_H
#define JIESU_STORE_H

#include "../core/core.h"

/* Input limits in characters (code points); one place for all of them. */
#define LIMIT_TITLE 100
#define LIMIT_CONTENT 4000
#define LIMIT_ADDRESS 200
#define LIMIT_NAME 50
#define LIMIT_PHONE 20
#define LIMIT_REASON 2000
#define LIMIT_CODE 31
#define LIMIT_UNIT_NAME 64
#define LIMIT_PATH 255
#define LIMIT_LOGIN 64
#define MAX_COPY_UNITS 8
#define TEXT_BYTES(chars) ((chars) * 4 + 1)

enum unit_kind { UNIT_CENTRE, UNIT_DISTRICT, UNIT_STREET, UNIT_COMMUNITY, UNIT_DEPARTMENT, UNIT_ENTERPRISE };
#define UNIT_KIND_COUNT 6

struct unit {
	char code[LIMIT_CODE + 1];
	char name[TEXT_BYTES(LIMIT_UNIT_NAME)];
	enum unit_kind kind;
	char parent[LIMIT_CODE + 1]; /* "" for the root */
	char sector[32];             /* departments/enterprises: the remit key, e.g. "chengguan", "water" */
	char path[LIMIT_PATH + 1];   /* "/12345/110107/110107001/": ancestors and self, set by the store */
};

enum tier { TIER_EMERGENCY, TIER_UTILITIES, TIER_GENERAL, TIER_COMPLEX };
#define TIER_COUNT 4

/* How a feedback period is counted. */
enum span_unit { SPAN_HOURS, SPAN_CALENDAR_DAYS, SPAN_WORKING_DAYS };

/* Deadline rule for one tier. Minutes are measured from the clock's start. */
struct tier_rule {
	enum tier tier;
	int dispatch_minutes; /* from intake */
	int sign_minutes;     /* from dispatch */
	int contact_minutes;  /* from dispatch */
	int feedback_amount;  /* from dispatch, in feedback_unit */
	enum span_unit feedback_unit;
	int warn_percent; /* warn when this share of the time has passed */
	bool redispatch_keeps_due; /* re-dispatch after a dispute: keep the feedback due (else restart) */
};

struct category {
	int64_t id;
	char path[TEXT_BYTES(LIMIT_PATH)]; /* "住房->小区配套->电梯" */
	enum tier tier;
	char handling[40]; /* "street" (territorial) or "sector:<key>" */
};

/* One entry of the official calendar: a day off, or a weekend working day (调休). */
struct holiday {
	int64_t day; /* days since 1970-01-01 */
	bool work;
	char name[TEXT_BYTES(32)];
};

enum role { ROLE_AGENT, ROLE_DISPATCHER, ROLE_HANDLER, ROLE_HEAD, ROLE_SUPERVISOR, ROLE_ASSESSOR, ROLE_ADMIN };
#define ROLE_COUNT 7

struct user {
	int64_t id;
	char login[LIMIT_LOGIN + 1];
	char name[TEXT_BYTES(LIMIT_NAME)];
	char pw_hash[128];
	char unit[LIMIT_CODE + 1];
	enum role role;
	bool active;
	int64_t created_at;
};

enum case_status {
	CS_RECEIVED,
	CS_ANSWERED,
	CS_REFERRED,
	CS_DISPATCHED,
	CS_ACCEPTED,
	CS_IN_PROGRESS,
	CS_RETURNED,
	CS_REPLIED,
	CS_PARKED,
	CS_CLOSED,
	CS_MERGED /* a duplicate handled through another case (多人反映同一问题) */
};
#define CASE_STATUS_COUNT 11

enum case_type { CT_CONSULTATION, CT_HELP, CT_COMPLAINT, CT_REPORT, CT_SUGGESTION };

/* The four clocks tracked per case (DOMAIN.md §5). */
enum clock_kind { CLK_DISPATCH, CLK_SIGN, CLK_CONTACT, CLK_FEEDBACK };
#define CLOCK_COUNT 4

struct case_clock {
	int64_t start;   /* 0 = clock not running */
	int64_t due;     /* 0 = no deadline */
	int64_t warn_at; /* when the warning is due */
	int64_t done_at; /* 0 = not yet met */
	bool warned;
	bool overdue;
};

/* A task on a case: a summoned unit of a whistle (吹哨报到), or a sub-dispatch to a community. */
enum task_kind { TASK_WHISTLE, TASK_SUBDISPATCH };
#define MAX_TASKS 48
struct case_task {
	int no; /* the whistle's (or sub-dispatch's) number on this case, from 1 */
	enum task_kind kind;
	char unit[LIMIT_CODE + 1];    /* the summoned department/enterprise, or the community */
	char by_unit[LIMIT_CODE + 1]; /* the unit that whistled or sub-dispatched */
	int64_t at;                   /* summoned */
	int64_t report_due;           /* report (报到) deadline; 0 = none */
	int64_t reported_at;          /* 0 = not yet */
	bool on_site;
	int64_t finished_at; /* part done; 0 = open */
	int64_t rated_at;
	int rating[3]; /* timeliness, attitude, result: 1–5; 0 = not rated */
};

/* A supervisor's instruction (督办) with its own deadline. */
#define MAX_SUPERVISIONS 16
struct case_supervision {
	int no;
	char unit[LIMIT_CODE + 1]; /* the supervising unit */
	int64_t at, due, answered_at;
};

/* Assessment scope of a case (DOMAIN.md §7). */
enum assess_scope { SCOPE_ALL, SCOPE_RESPONSE_ONLY, SCOPE_EXCLUDED };
enum satisfaction { SAT_NONE, SAT_SATISFIED, SAT_BASIC, SAT_UNSATISFIED };

/*
 * The projection of a case's events. Everything here is derived from the
 * event log by case_apply(); the store keeps it for fast reads.
 */
struct case_rec {
	int64_t id;
	int seq; /* number of events applied */
	enum case_status status;
	enum case_type type;
	char channel[16];
	char title[TEXT_BYTES(LIMIT_TITLE)];
	char content[TEXT_BYTES(LIMIT_CONTENT)];
	char address[TEXT_BYTES(LIMIT_ADDRESS)];
	bool has_location;
	double lat, lon;
	char crs[8]; /* wgs84 | gcj02 | bd09 */
	int64_t category_id; /* 0 = none */
	enum tier tier;
	char req_name[TEXT_BYTES(LIMIT_NAME)];
	char req_phone[LIMIT_PHONE + 1];
	bool confidential;
	char district[LIMIT_CODE + 1];
	char street[LIMIT_CODE + 1];
	char community[LIMIT_CODE + 1];
	char lead_unit[LIMIT_CODE + 1];
	int ncopies;
	char copies[MAX_COPY_UNITS][LIMIT_CODE + 1];
	char referral[24];                       /* non-dispatch outcome code */
	char answer[TEXT_BYTES(LIMIT_REASON)];   /* answer given (answered/referred) */
	char result[TEXT_BYTES(LIMIT_REASON)];   /* reported result (replied) */
	int solved;                              /* -1 unknown, 0 no, 1 yes (unit's own report) */
	int64_t created_by;
	char created_unit[LIMIT_CODE + 1];
	int64_t created_at, updated_at, closed_at;
	struct case_clock clocks[CLOCK_COUNT];
	int64_t next_check_at; /* earliest pending warning/deadline; 0 = none */

	/* handling beyond the straight path (issue: whistle, disputes, callback) */
	int ntasks;
	struct case_task tasks[MAX_TASKS];
	int nwhistles, nsubdispatches;
	int nsupervisions;
	struct case_supervision supervisions[MAX_SUPERVISIONS];
	enum case_status return_from; /* where a rejected dispute sends the case back */
	char return_reason[24];       /* pending dispute: territory | ownership | overlap | other */
	int returns, extensions, reopens;
	int64_t extension_due; /* requested new feedback due awaiting decision; 0 = none */
	int escalation;        /* 0 none, 1 district, 2 city */
	int64_t parked_until;  /* planned date while parked */
	int64_t merged_into, repeat_of;
	enum assess_scope scope;
	int exclusion_requested; /* requested scope + 1 awaiting decision; 0 = none */
	/* the latest callback (回访) */
	int64_t callback_at;
	bool callback_valid;
	int callback_contacted, callback_solved; /* -1 unknown */
	enum satisfaction callback_satisfaction;
};

/*
 * A fact for the monthly figures, produced by case_apply() from an event
 * and stored with it in the same transaction (so figures can be both read
 * fast and recomputed from the log). kind and value:
 *   dispatch   unit = new lead                        value 0
 *   sign       unit = lead                            value 1 on time, 0 late
 *   contact    unit = lead                            value 1 on time, 0 late
 *   reply      unit = lead                            value 1 on time, 0 late
 *   handling   unit = lead                            value seconds from dispatch to reply
 *   return     unit = the unit disputing              value 0
 *   extension  unit = lead (approved extension)       value 0
 *   reopen     unit = lead                            value 0
 *   overdue    unit = lead                            value clock (enum clock_kind)
 *   callback   unit = lead                            value bits: 1 valid, 2 contacted, 4 solved,
 *                                                     satisfaction << 3
 *   report     unit = summoned unit                   value 1 on time, 0 late
 *   rating     unit = summoned unit                   value timeliness*100 + attitude*10 + result
 */
struct fact {
	int64_t case_id;
	int seq;
	int64_t at;
	int64_t user_id;
	char unit[LIMIT_CODE + 1];
	char kind[16];
	int64_t value;
};
#define FACT_CB_VALID 1
#define FACT_CB_CONTACTED 2
#define FACT_CB_SOLVED 4
#define FACT_CB_SAT_SHIFT 3

/* One appended event. payload is JSON text owned by the record (free it). */
#define EVENT_HASH_BYTES 32
struct event_rec {
	int64_t case_id;
	int seq;
	int64_t at;
	int64_t user_id; /* 0 = the system (sweep) */
	char unit[LIMIT_CODE + 1];
	char action[32];
	char *payload;
	char reason[TEXT_BYTES(LIMIT_REASON)];
	/* the chain: set by store_event_append, read back by the lists (hashed: the row has one) */
	unsigned char hash[EVENT_HASH_BYTES];
	bool hashed;
};
void event_rec_release(struct event_rec *ev);

struct case_query {
	const char *status;      /* NULL = any */
	const char *unit_path;   /* lead unit within this subtree; NULL = any */
	const char *viewer_path; /* only cases linked (lead, copy, summoned, former lead) to a unit
				    within this subtree or recorded by one (created_unit); NULL = all */
	int overdue;             /* -1 any, 0 not overdue, 1 overdue */
	int64_t from, to;        /* created_at range [from, to); 0 = open */
	bool callback_due;       /* only cases waiting for a callback at `now`, lowest id first:
				    status replied; or dispatched/accepted/in_progress with the
				    feedback due set and before now and no valid callback yet; or
				    merged into a replied or closed case and no valid callback yet */
	int64_t now;
	const char *lead_code;   /* the lead unit is exactly this unit; NULL = any */
	const char *statuses;    /* one of these statuses, as ",a,b,"; NULL = any */
	const char *task_unit;   /* an unfinished whistle or sub-dispatch task of this unit; NULL = any */
	bool sort_due;           /* nearest running deadline first (sign, contact, then feedback) */
	int pending;             /* 0 any; 1 an extension waits for a decision; 2 an exclusion application does */
	bool brief;              /* for a list of summaries: the copy units are not read (ncopies 0),
				    one lookup a case fewer */
	int page, per_page;      /* page from 1; per_page <= 0 = every match */
};

struct store;

/* Open (creating if needed) the database at path and bring its schema up to date. */
enum err_code store_open(const char *path, struct store **out, struct err *e);
void store_close(struct store *st);
/*
 * Memory for this connection's page cache, in MiB (SQLite's default is 2).
 * A writer whose transactions touch more pages than its cache holds spills
 * them to the log mid-transaction and writes them again at commit.
 */
enum err_code store_cache_mib(struct store *st, int mib, struct err *e);
/*
 * How long the write-ahead log may grow, in MiB, before the commit that
 * passes it copies it back into the database (SQLite's wal_autocheckpoint;
 * its default is 4 MiB, so a writer of large transactions copies back at
 * every commit). A larger log copies a page changed by several commits once.
 */
enum err_code store_checkpoint_mib(struct store *st, int mib, struct err *e);
/*
 * A handle keeps the units it read (store_unit_get). Call store_refresh
 * before each unit of work (the API does, per request): it forgets them
 * when another handle has changed the unit tree since. The handle's own
 * changes and rollbacks forget them at once.
 */
void store_refresh(struct store *st);
/*
 * An online copy of the database into dest (which must not exist), taken
 * on one read snapshot: writers go on meanwhile and nothing they commit
 * after the snapshot is in the copy. Written to dest.part, checked
 * (PRAGMA integrity_check), flushed, then renamed to dest. progress (may be
 * NULL) gets pages done and pages in all. *pages gets the page count.
 */
typedef void (*store_progress_fn)(void *ctx, const char *what, size_t done, size_t total);
enum err_code store_backup(struct store *st, const char *dest, store_progress_fn progress, void *pctx,
			   int64_t *pages, struct err *e);
/* PRAGMA integrity_check on the open database: E_DB with SQLite's first complaint if it is not "ok". */
enum err_code store_integrity(struct store *st, struct err *e);
/* The unit tree's version as of the last store_refresh (-1 before the first): what a cache of unit names keys on. */
int64_t store_units_version(const struct store *st);
/*
 * A read snapshot: the reads until store_read_end see one state of the
 * database and share one read lock (in WAL mode each statement outside a
 * transaction takes and drops its own). For a unit of work that only
 * reads, such as an API GET. A store_begin inside it ends the snapshot and
 * takes the write lock as usual. Both are no-ops inside a transaction.
 */
void store_read_begin(struct store *st);
void store_read_end(struct store *st);

/*
 * Transactions: begin takes the write lock at once (BEGIN IMMEDIATE). A
 * begin inside a transaction that store_begin opened nests (a savepoint):
 * its commit releases it into the enclosing transaction and its rollback
 * undoes only its own work, so many domain operations can share one
 * durable commit (group commit, bulk loads). A begin inside a transaction
 * opened otherwise is refused (E_INTERNAL). A failed commit rolls back.
 * rollback is a no-op when no transaction is open.
 */
enum err_code store_begin(struct store *st, struct err *e);
enum err_code store_commit(struct store *st, struct err *e);
void store_rollback(struct store *st);
/* How many store_begin levels are open (0 = none). */
int store_depth(const struct store *st);

/* Units. put inserts or replaces and computes path from the parent (which must exist). */
enum err_code store_unit_put(struct store *st, const struct unit *u, struct err *e);
enum err_code store_unit_get(struct store *st, const char *code, struct unit *out, struct err *e);
/* The department/enterprise with this sector key under a district. */
enum err_code store_unit_by_sector(struct store *st, const char *district, const char *sector,
				   struct unit *out, struct err *e);
typedef int (*unit_fn)(void *ctx, const struct unit *u);
/* kind < 0 = any; parent NULL = any. Ordered by code. */
enum err_code store_units_list(struct store *st, int kind, const char *parent, unit_fn fn, void *ctx,
			       struct err *e);
int64_t store_units_count(struct store *st);
/* Whether any department or enterprise carries this sector key (*found). */
enum err_code store_sector_exists(struct store *st, const char *sector, bool *found, struct err *e);

/* Categories: put inserts (id 0 → assigned, written back) or replaces by path. */
enum err_code store_category_put(struct store *st, struct category *c, struct err *e);
/* Insert a new category (id assigned, written back); a path already used is E_CONFLICT on "path". */
enum err_code store_category_insert(struct store *st, struct category *c, struct err *e);
enum err_code store_category_get(struct store *st, int64_t id, struct category *out, struct err *e);
typedef int (*category_fn)(void *ctx, const struct category *c);
enum err_code store_categories_list(struct store *st, category_fn fn, void *ctx, struct err *e);

/*
 * Deadline rules per tier. tiers_load overwrites out[t] for each tier with a
 * stored rule and leaves the others as the caller set them (defaults); if
 * any tier has no rule it still fills the rest and returns E_NOT_FOUND.
 */
enum err_code store_tier_put(struct store *st, const struct tier_rule *r, struct err *e);
enum err_code store_tiers_load(struct store *st, struct tier_rule out[TIER_COUNT], struct err *e);

/* Holiday calendar. */
enum err_code store_holiday_put(struct store *st, const struct holiday *h, struct err *e);
typedef int (*holiday_fn)(void *ctx, const struct holiday *h);
enum err_code store_holidays_list(struct store *st, holiday_fn fn, void *ctx, struct err *e);
/* Delete one day's entry; E_NOT_FOUND (field "date") if the calendar has none. */
enum err_code store_holiday_delete(struct store *st, int64_t day, struct err *e);

/* Users and login tokens (token_hash is the hex digest of the bearer token). */
enum err_code store_user_insert(struct store *st, struct user *u, struct err *e);
enum err_code store_user_by_login(struct store *st, const char *login, struct user *out, struct err *e);
enum err_code store_user_by_id(struct store *st, int64_t id, struct user *out, struct err *e);
enum err_code store_token_insert(struct store *st, const char *token_hash, int64_t user_id, int64_t created,
				 int64_t expires, struct err *e);
enum err_code store_token_get(struct store *st, const char *token_hash, int64_t *user_id, int64_t *expires,
			      struct err *e);
/* Deleting an absent token is OK (logout is idempotent). */
enum err_code store_token_delete(struct store *st, const char *token_hash, struct err *e);
/* Delete every token of a user, so a changed or deactivated account takes effect at once. */
enum err_code store_tokens_delete_user(struct store *st, int64_t user_id, struct err *e);
/*
 * Rewrite name, pw_hash, unit, role and active of the user with u->id
 * (login, id and created_at never change). E_NOT_FOUND if there is none.
 */
enum err_code store_user_update(struct store *st, const struct user *u, struct err *e);
typedef int (*user_fn)(void *ctx, const struct user *u);
/*
 * Users whose unit lies within the subtree unit_path (a units.path such as
 * "/12345/110107/"; NULL = everyone), by id, one page (page from 1;
 * per_page <= 0 = every match); *total (if not NULL) counts every match.
 */
enum err_code store_users_list(struct store *st, const char *unit_path, int page, int per_page, user_fn fn,
			       void *ctx, int64_t *total, struct err *e);

/*
 * Cases. case_insert writes a new case with its links (c->id 0: one is
 * assigned and written back; else that id, E_CONFLICT if taken);
 * case_next_id is the id the next insert without one would get (inside a
 * transaction, it stays free for its insert). case_update writes the
 * projection and its unit links (lead + copies + the unit of every task,
 * "summoned") for an existing id (E_NOT_FOUND otherwise): before NULL
 * rewrites every column; else before is the row as stored and only what
 * changed from it is written. Units no longer lead or copy stay linked as
 * "former" (or "summoned" if they ever had a task); no link is ever
 * removed; more tasks or supervisions than MAX_TASKS/MAX_SUPERVISIONS is
 * E_INVALID. event_append assigns ev->id; a seq already used for the case
 * is E_CONFLICT (a concurrent writer got there first); a NULL payload is
 * stored as "{}".
 */
enum err_code store_case_insert(struct store *st, struct case_rec *c, struct err *e);
enum err_code store_case_next_id(struct store *st, int64_t *id, struct err *e);
enum err_code store_case_update(struct store *st, const struct case_rec *before, const struct case_rec *c,
				struct err *e);
enum err_code store_case_get(struct store *st, int64_t id, struct case_rec *out, struct err *e);
/* Only the case's seq (its number of events): whether what was drawn of it is still current. */
enum err_code store_case_seq(struct store *st, int64_t id, int64_t *seq, struct err *e);
/*
 * Append an event: its hash chains it to the case's previous event
 * (store_event_hash), which must be there (seq - 1), and is set in ev.
 */
enum err_code store_event_append(struct store *st, struct event_rec *ev, struct err *e);
/*
 * The chain: BLAKE2b-256 over the previous event's hash (32 zero bytes
 * before seq 1), then case_id, seq, at, user_id (8 bytes each, little
 * endian) and unit, action, payload, reason (each a 4-byte little-endian
 * length, then the bytes). out may be prev.
 */
void store_event_hash(const unsigned char prev[EVENT_HASH_BYTES], const struct event_rec *ev,
		      unsigned char out[EVENT_HASH_BYTES]);
typedef int (*event_fn)(void *ctx, const struct event_rec *ev);
/* A case's events in seq order; _after: only those after seq `after` (what a reader drew before is kept). */
enum err_code store_events_list(struct store *st, int64_t case_id, event_fn fn, void *ctx, struct err *e);
enum err_code store_events_after(struct store *st, int64_t case_id, int64_t after, event_fn fn, void *ctx,
				 struct err *e);
/*
 * Every unit linked to a case (lead, copies, summoned, former leads), for
 * access checks: rel is "lead", "copy", "summoned" or "former"; lead first,
 * then the copies in order, then summoned units by code, then former links
 * by code.
 */
typedef int (*case_unit_fn)(void *ctx, const char *unit, const char *rel);
enum err_code store_case_units(struct store *st, int64_t case_id, case_unit_fn fn, void *ctx, struct err *e);
typedef int (*case_fn)(void *ctx, const struct case_rec *c);
/*
 * Check case_scope, the cases each unit may see, against the links it is
 * derived from: fn(ctx, unit, case_id, extra) for each row that should be
 * there and is not (extra false) and each that is there and should not be
 * (extra true); a non-zero return stops. Reads every link (jiesu verify).
 */
typedef int (*scope_fn)(void *ctx, const char *unit, int64_t case_id, bool extra);
enum err_code store_scope_check(struct store *st, scope_fn fn, void *ctx, struct err *e);
/*
 * Check open_tasks, the (unit, case) of each task not finished that a
 * unit's "whistled" tab lists, against the tasks of every case, as
 * store_scope_check does: fn(ctx, unit, case_id, extra) for each row
 * missing (extra false) or too many (extra true). Reads every case (jiesu
 * verify).
 */
enum err_code store_tasks_check(struct store *st, scope_fn fn, void *ctx, struct err *e);
/*
 * Check the kept counts against a recount: fn(ctx, sight, unit, status,
 * kept, counted) for each that differs. The cases in final states
 * (answered, referred, closed, merged) by lead unit (sight false) and by
 * each unit that may see them (sight true); then the cases each unit may
 * see and leads by the Beijing day they were recorded (status the date,
 * "2025-12-01"). A non-zero return stops. Reads every case (jiesu verify).
 */
typedef int (*count_check_fn)(void *ctx, bool sight, const char *unit, const char *status, int64_t kept,
			      int64_t counted);
enum err_code store_counts_check(struct store *st, count_check_fn fn, void *ctx, struct err *e);

/*
 * Cases matching q, highest id first (with a date range: latest created
 * first; with callback_due: lowest id first), one page; *total (if not
 * NULL) counts every match.
 */
enum err_code store_cases_list(struct store *st, const struct case_query *q, case_fn fn, void *ctx,
			       int64_t *total, struct err *e);
typedef int (*id_fn)(void *ctx, int64_t id);

/*
 * Facts for the monthly figures (struct fact), counted into the per-day
 * counts (store_unit_counts) with the fact. On its own the insert is one
 * transaction; inside the caller's transaction (every event's), a failure
 * leaves that transaction to be rolled back, as the domain always does.
 */
enum err_code store_fact_insert(struct store *st, const struct fact *f, struct err *e);
typedef int (*fact_fn)(void *ctx, const struct fact *f);
/* A case's facts in (seq, kind) order; case_id 0 = every fact, by case then seq. */
enum err_code store_facts_list(struct store *st, int64_t case_id, fact_fn fn, void *ctx, struct err *e);

/*
 * Per-unit counts over facts with at in [from, to). Callbacks: for each case
 * only its latest valid callback in the period counts (a rework's new
 * callback replaces the earlier one), attributed to the fact's unit; the
 * case's current scope decides what the assessed counts include. Every
 * other kind counts each fact. Units with no fact in the period are not
 * listed. Order: by unit code.
 */
struct unit_counts {
	char unit[LIMIT_CODE + 1];
	/* full scope: every valid callback, exclusions included */
	int64_t cb_valid, cb_contacted, cb_solved, cb_satisfied, cb_basic;
	/* assessed response: scope all or response_only */
	int64_t as_valid, as_contacted;
	/* assessed resolution and satisfaction: scope all only */
	int64_t as_full_valid, as_solved, as_satisfied, as_basic;
	int64_t dispatches, sign_total, sign_ontime, contact_total, contact_ontime, reply_total, reply_ontime;
	int64_t handling_seconds; /* sum over handling facts */
	int64_t returns, extensions, reopens, overdue;
	int64_t reports, reports_ontime, ratings, rating_sum; /* rating_sum: Σ (timeliness+attitude+result) */
};
#define UNIT_NCOUNTS 27 /* the int64_t fields of struct unit_counts */
typedef int (*unit_counts_fn)(void *ctx, const struct unit_counts *c);
/*
 * A period of whole local days is read from counts kept per unit and day in
 * the facts' own transactions (a few rows per unit, whatever the number of
 * cases); any other period, or scan, runs the plain scan of the facts.
 * Both give the same counts: `jiesu report rates --recompute` checks it.
 */
enum err_code store_unit_counts(struct store *st, int64_t from, int64_t to, bool scan, unit_counts_fn fn,
				void *ctx, struct err *e);

/*
 * Per-person records (干部实绩档案) over [from, to): what each user did
 * (facts with their user_id) and how it went. Lists, by user id, every
 * user with a fact of their own in the period or a rating or callback
 * credited to them, whose unit lies within unit_path (NULL: everyone).
 */
struct person_counts {
	int64_t user_id;
	char login[LIMIT_LOGIN + 1];
	char name[TEXT_BYTES(LIMIT_NAME)];
	char unit[LIMIT_CODE + 1];
	int64_t signs, signs_ontime, contacts, contacts_ontime, replies, replies_ontime;
	int64_t reports, reports_ontime;
	/* ratings of the whistle tasks this user reported on (rating facts for the same case and unit) */
	int64_t ratings, rating_sum;
	/* valid callbacks of cases whose latest reply before the callback was by this user */
	int64_t callbacks, callbacks_solved, callbacks_satisfied;
};
typedef int (*person_counts_fn)(void *ctx, const struct person_counts *c);
enum err_code store_person_counts(struct store *st, int64_t from, int64_t to, const char *unit_path,
				  person_counts_fn fn, void *ctx, struct err *e);

/* Assessment configuration per pool (DOMAIN.md §7: every weight is configuration). */
struct assess_config {
	enum unit_kind pool; /* street, department, enterprise, district */
	double w_response, w_resolution, w_satisfaction;
	double basic_coefficient; /* 基本满意 counts this much of 满意 (0.9) */
	int period_start_day;     /* 1 = calendar month; 19 = from the 19th to the 18th */
	int min_callbacks;        /* fewer valid callbacks: listed apart, not ranked */
	double whistle_weight;    /* departments/enterprises: share of the whistle score (0 = none) */
};
/* E_NOT_FOUND when the pool has no stored configuration. */
enum err_code store_assess_config_get(struct store *st, enum unit_kind pool, struct assess_config *out,
				      struct err *e);
enum err_code store_assess_config_put(struct store *st, const struct assess_config *c, struct err *e);
/*
 * Ids of cases whose next_check_at is set and <= now, oldest first, at most
 * limit (<= 0: no limit). The ids are read before fn is first called, so fn
 * may update the cases.
 */
enum err_code store_cases_due(struct store *st, int64_t now, int limit, id_fn fn, void *ctx, struct err *e);
/*
 * Every case id, ascending (read before fn is first called, like cases_due).
 * With store_readahead set, readers on their own connections go ahead of
 * fn through the same ids and read the rows it is going to ask for.
 */
enum err_code store_case_ids(struct store *st, id_fn fn, void *ctx, struct err *e);
/*
 * For a walk over every case on a database larger than memory: its rows
 * are then read from the disk at random, one at a time, while the disk
 * answers many reads at once far faster. With readers > 0 each later
 * store_case_ids runs that many threads (at most 64), each on its own
 * read-only connection, reading the rows named by what (STORE_AHEAD_*) of
 * the next ids into the kernel's page cache, at most a window of ids ahead
 * of fn; and one more that reads the file in order, 8% of it ahead of the
 * walk's share (a year is written in time order, as case ids grow). They
 * change nothing and fn sees only its own connection's snapshot, so results
 * do not depend on them; one that cannot open just stops. 0 (the default)
 * turns it off; an in-memory database is never read ahead.
 */
enum {
	STORE_AHEAD_CASES = 1,  /* the case rows and their linked units */
	STORE_AHEAD_EVENTS = 2, /* the events */
	STORE_AHEAD_FACTS = 4,  /* the statistical facts */
};
void store_readahead(struct store *st, unsigned what, int readers);
/*
 * Each later store_case_ids calls fn(ctx, "cases", done, total) every
 * 10,000 cases and once at the end (done == total); NULL turns it off.
 */
void store_walk_progress(struct store *st, store_progress_fn fn, void *ctx);

/*
 * Boundaries (DOMAIN.md §10): one polygon geometry per unit, as GeoJSON
 * text (Polygon or MultiPolygon) in the coordinate system it was imported
 * in. put replaces a unit's boundary. handling is false for an area no
 * unit handles (a park, an airport drawn as its own polygon, docs/GEO.md).
 */
enum err_code store_boundary_put(struct store *st, const char *unit, enum unit_kind level, const char *crs,
				 const char *geojson, bool handling, int64_t now, struct err *e);
typedef int (*boundary_fn)(void *ctx, const char *unit, enum unit_kind level, const char *crs,
			   const char *geojson);
/* level < 0 = every level; ordered by unit code. */
enum err_code store_boundaries_list(struct store *st, int level, boundary_fn fn, void *ctx, struct err *e);
typedef int (*code_fn)(void *ctx, const char *code);
/* The units whose boundary is an area no unit handles (put with handling false), by code. */
enum err_code store_boundaries_unhandled(struct store *st, code_fn fn, void *ctx, struct err *e);

/*
 * The address gazetteer: names found in addresses (unit names and their
 * aliases, roads, compounds, landmarks) and the unit each one points to.
 */
struct gaz_entry {
	int64_t id;
	char name[TEXT_BYTES(64)];
	char unit[LIMIT_CODE + 1];
	char kind[16];   /* unit | alias | road | compound | landmark */
	char source[32]; /* builtin | import | api */
};
/* Insert (id 0, assigned) or, for an existing (name, unit), update kind and source. */
enum err_code store_gazetteer_put(struct store *st, struct gaz_entry *g, struct err *e);
enum err_code store_gazetteer_delete(struct store *st, int64_t id, struct err *e);
typedef int (*gaz_fn)(void *ctx, const struct gaz_entry *g);
enum err_code store_gazetteer_list(struct store *st, gaz_fn fn, void *ctx, struct err *e);

/* Names of enum values as stored and shown in the API. */
const char *unit_kind_name(enum unit_kind k);
int unit_kind_parse(const char *s); /* -1 if unknown */
const char *tier_name(enum tier t);
int tier_parse(const char *s);
const char *role_name(enum role r);
int role_parse(const char *s);
const char *case_status_name(enum case_status s);
int case_status_parse(const char *s);
const char *case_type_name(enum case_type t);
int case_type_parse(const char *s);
const char *clock_name(enum clock_kind k);
const char *span_unit_name(enum span_unit u);
const char *scope_name(enum assess_scope s);
int scope_parse(const char *s);
const char *satisfaction_name(enum satisfaction s);
int satisfaction_parse(const char *s);
const char *task_kind_name(enum task_kind k);
int span_unit_parse(const char *s);

#endif
