/*
 * store_sqlite.c — the SQLite engine of the store (store.h).
 *
 * One struct store wraps one sqlite3 connection opened with
 * SQLITE_OPEN_NOMUTEX: a handle is used by one thread at a time (each
 * worker opens its own), so SQLite's per-connection mutex would only cost.
 * The database runs in WAL mode with synchronous=FULL, so readers never
 * block the single writer and a committed transaction survives a power cut.
 *
 * Every statement is fixed SQL text with bound parameters, prepared on
 * first use and kept in st->stmts until store_close. A statement is marked
 * busy while in use; a callback that re-enters the store and needs the same
 * statement gets a fresh, uncached one, so iterations never trample each
 * other.
 *
 * Operations that write several rows (a unit and its subtree, a case and
 * its unit links) are atomic: outside a transaction they take their own
 * BEGIN IMMEDIATE; inside one they run under a SAVEPOINT so a failure
 * undoes only their own part.
 */
#include "store.h"
#include "store_sqlite_int.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Migrations in order; each is an embedded file applied once, in one transaction. */
static enum err_code chain_events(struct store *st, struct err *e);
static enum err_code scope_all(struct store *st, struct err *e);

/* after: C work the migration needs beyond its SQL, run in the same transaction. */
static const struct migration {
	int version;
	const char *name;
	enum err_code (*after)(struct store *st, struct err *e);
} migrations[] = {
    {1, "src/store/sql/sqlite/0001-init.sql", NULL},
    {2, "src/store/sql/sqlite/0002-workflow.sql", NULL},
    {3, "src/store/sql/sqlite/0003-redispatch.sql", NULL},
    {4, "src/store/sql/sqlite/0004-geo.sql", NULL},
    {5, "src/store/sql/sqlite/0005-boundary-handling.sql", NULL},
    {6, "src/store/sql/sqlite/0006-unit-day.sql", NULL},
    {7, "src/store/sql/sqlite/0007-case-inbox.sql", NULL},
    {8, "src/store/sql/sqlite/0008-units-version.sql", NULL},
    {9, "src/store/sql/sqlite/0009-event-chain.sql", chain_events},
    {10, "src/store/sql/sqlite/0010-events-by-case.sql", NULL},
    {11, "src/store/sql/sqlite/0011-inbox-deadlines.sql", NULL},
    {12, "src/store/sql/sqlite/0012-case-scope.sql", scope_all},
    {13, "src/store/sql/sqlite/0013-cases-overdue.sql", NULL},
    {14, "src/store/sql/sqlite/0014-status-counts.sql", NULL},
    {15, "src/store/sql/sqlite/0015-overdue-by-lead.sql", NULL},
    {16, "src/store/sql/sqlite/0016-open-tasks.sql", NULL},
    {17, "src/store/sql/sqlite/0017-scope-days.sql", NULL},
    {18, "src/store/sql/sqlite/0018-lead-days.sql", NULL},
};

/*
 * Columns of struct case_rec, in the order of enum case_col. Parameter
 * ?N binds column N-1, so SELECT, INSERT and UPDATE share one list.
 */
#define CASE_DATA_COLS                                                                            \
	"seq, status, type, channel, title, content, address, lat, lon, crs, category_id, tier, " \
	"req_name, req_phone, confidential, district, street, community, lead_unit, referral, "   \
	"answer, result, solved, created_by, created_unit, created_at, updated_at, closed_at, "   \
	"dispatch_start, dispatch_due, dispatch_warn_at, dispatch_done_at, "                      \
	"sign_start, sign_due, sign_warn_at, sign_done_at, "                                      \
	"contact_start, contact_due, contact_warn_at, contact_done_at, "                          \
	"feedback_start, feedback_due, feedback_warn_at, feedback_done_at, "                      \
	"warned_mask, overdue_mask, next_check_at, "                                              \
	"nwhistles, nsubdispatches, tasks_json, supervisions_json, return_from, return_reason, "  \
	"returns, extensions, reopens, extension_due, escalation, parked_until, merged_into, "     \
	"repeat_of, scope, exclusion_requested, callback_at, callback_valid, callback_contacted, " \
	"callback_solved, callback_satisfaction"
#define CASE_DATA_PARAMS                                                                           \
	"?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, "       \
	"?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36, ?37, " \
	"?38, ?39, ?40, ?41, ?42, ?43, ?44, ?45, ?46, ?47, ?48, ?49, ?50, ?51, ?52, ?53, ?54, ?55, " \
	"?56, ?57, ?58, ?59, ?60, ?61, ?62, ?63, ?64, ?65, ?66, ?67, ?68, ?69"
#define CASE_SELECT "SELECT id, " CASE_DATA_COLS " FROM cases"

enum case_col {
	CC_ID,
	CC_SEQ,
	CC_STATUS,
	CC_TYPE,
	CC_CHANNEL,
	CC_TITLE,
	CC_CONTENT,
	CC_ADDRESS,
	CC_LAT,
	CC_LON,
	CC_CRS,
	CC_CATEGORY,
	CC_TIER,
	CC_REQ_NAME,
	CC_REQ_PHONE,
	CC_CONFIDENTIAL,
	CC_DISTRICT,
	CC_STREET,
	CC_COMMUNITY,
	CC_LEAD_UNIT,
	CC_REFERRAL,
	CC_ANSWER,
	CC_RESULT,
	CC_SOLVED,
	CC_CREATED_BY,
	CC_CREATED_UNIT,
	CC_CREATED_AT,
	CC_UPDATED_AT,
	CC_CLOSED_AT,
	CC_CLOCKS, /* 4 columns per clock: start, due, warn_at, done_at */
	CC_WARNED = CC_CLOCKS + 4 * CLOCK_COUNT,
	CC_OVERDUE,
	CC_NEXT_CHECK,
	CC_NWHISTLES, /* 0002-workflow from here */
	CC_NSUBDISPATCHES,
	CC_TASKS,        /* JSON array of struct case_task */
	CC_SUPERVISIONS, /* JSON array of struct case_supervision */
	CC_RETURN_FROM,
	CC_RETURN_REASON,
	CC_RETURNS,
	CC_EXTENSIONS,
	CC_REOPENS,
	CC_EXTENSION_DUE,
	CC_ESCALATION,
	CC_PARKED_UNTIL,
	CC_MERGED_INTO,
	CC_REPEAT_OF,
	CC_SCOPE,
	CC_EXCLUSION_REQUESTED,
	CC_CALLBACK_AT,
	CC_CALLBACK_VALID,
	CC_CALLBACK_CONTACTED,
	CC_CALLBACK_SOLVED,
	CC_CALLBACK_SATISFACTION,
	CC_COUNT
};
_Static_assert(CC_COUNT == 69, "CASE_DATA_COLS/PARAMS list 68 data columns after id");

/*
 * The filters of store_cases_list, shared by the page and the count. Only
 * the filters a query sets go into its SQL (cases_sql), so SQLite can use
 * the index that fits: ?1 status, ?2/?3 lead unit path range, ?4/?5 viewer
 * path range, ?6 overdue (0/1), ?7/?8 created_at range, ?12 the time of
 * the callback worklist (?9/?10 are the page's LIMIT/OFFSET), ?13 lead
 * unit exactly, ?15 an unfinished task of this unit (open_tasks, kept from
 * the tasks JSON of tasks_json below: 0016); a set of statuses is written
 * into the SQL from their names.
 */
#define CASES_W_STATUS " AND status = ?1"
/* the lead unit among the subtree's units: one range of cases_inbox per unit, not every case tested */
#define CASES_W_UNIT \
	" AND lead_unit IN (SELECT lu.code FROM units lu WHERE lu.path >= ?2 AND (?3 IS NULL OR lu.path < ?3))"
/*
 * ?4: the viewer's own code, the last of its path (case_scope: 0012-case-scope.sql).
 * The cases it may see are listed from its rows, unless another filter picks
 * the cases from an index: then each of those is looked up in its rows
 * (CASES_W_VIEWER_EACH), and a page stops at its last case.
 */
#define CASES_W_VIEWER " AND id IN (SELECT vs.case_id FROM case_scope vs WHERE vs.unit = ?4)"
#define CASES_W_VIEWER_EACH " AND EXISTS (SELECT 1 FROM case_scope vs WHERE vs.unit = ?4 AND vs.case_id = cases.id)"
#define CASES_W_OVERDUE " AND (overdue_mask <> 0) = ?6"
/*
 * overdue cases alone, as the partial indexes cases_overdue and
 * cases_overdue_lead are written (0013, 0015); ?6 is 1 then
 */
#define CASES_W_OVERDUE_ONLY " AND overdue_mask <> 0 AND ?6"
#define CASES_W_FROM " AND created_at >= ?7"
#define CASES_W_TO " AND created_at < ?8"
#define CASES_W_CALLBACK                                                                      \
	" AND (status = 'replied'"                                                           \
	"  OR (status IN ('dispatched', 'accepted', 'in_progress') AND feedback_due > 0"     \
	"   AND feedback_due < ?12 AND callback_valid = 0)"                                  \
	"  OR (status = 'merged' AND callback_valid = 0 AND EXISTS (SELECT 1 FROM cases mc" \
	"   WHERE mc.id = cases.merged_into AND mc.status IN ('replied', 'closed'))))"
#define CASES_W_LEAD " AND lead_unit = ?13"
#define CASES_W_TASK                                                                    \
	" AND id IN (SELECT ot.case_id FROM open_tasks ot WHERE ot.unit = ?15)"               \
	" AND EXISTS (SELECT 1 FROM case_units cu WHERE cu.case_id = cases.id AND cu.unit = ?15" \
	"  AND cu.rel IN ('summoned', 'copy'))"
/* (unit, case) of each task not finished, from the cases' tasks: what open_tasks keeps (0016) */
#define OPEN_TASKS_OF_CASES                                                                   \
	"SELECT json_extract(t.value, '$.unit'), c.id FROM cases c, json_each(c.tasks_json) t" \
	" WHERE c.nwhistles + c.nsubdispatches > 0 AND json_extract(t.value, '$.finished_at') = 0"
#define CASES_W_EXTENSION " AND extension_due > 0"
#define CASES_W_EXCLUSION " AND exclusion_requested > 0"

/* The nearest running deadline of a case, for the unit inbox's order. */
#define CASES_DUE_ORDER                                                                        \
	" ORDER BY CASE WHEN status = 'dispatched' AND sign_due > 0 THEN sign_due"             \
	" WHEN status = 'accepted' AND contact_due > 0 THEN contact_due"                       \
	" WHEN feedback_due > 0 THEN feedback_due ELSE 9000000000000000000 END, id"

#define UNIT_COLS "code, name, kind, parent, sector, path"
#define FACT_COLS "case_id, seq, at, user_id, unit, kind, value"
#define ASSESS_COLS                                                                                  \
	"pool, w_response, w_resolution, w_satisfaction, basic_coefficient, period_start_day, " \
	"min_callbacks, whistle_weight"

/*
 * The rows of case_scope of the cases picked by `cases` (a condition on a
 * case id): for each unit linked to a case, and the unit that recorded it,
 * every code on its path ("/12345/110105/110105001/") but the centre's.
 * One SQL for a case (its links written), for every case (0012), and for
 * the cases of a unit that moved (SCOPE_MOVED_CASES).
 */
#define SCOPE_WITH(cases)                                                                                \
	"WITH RECURSIVE lk(case_id, rest) AS ("                                                          \
	" SELECT cu.case_id, substr(u.path, 2) FROM case_units cu JOIN units u ON u.code = cu.unit"     \
	"  WHERE cu.case_id " cases                                                                     \
	" UNION ALL SELECT c.id, substr(u.path, 2) FROM units u JOIN cases c ON c.created_unit = u.code" \
	"  WHERE c.id " cases "),"                                                                      \
	" part(case_id, rest, code) AS (SELECT case_id, rest, NULL FROM lk"                             \
	"  UNION ALL SELECT case_id, substr(rest, instr(rest, '/') + 1), substr(rest, 1, instr(rest, '/') - 1)" \
	"  FROM part WHERE instr(rest, '/') > 0)"
#define SCOPE_ROWS                                                                        \
	" SELECT code, case_id FROM part WHERE code IS NOT NULL"                         \
	" AND NOT EXISTS (SELECT 1 FROM units k WHERE k.code = part.code AND k.kind = 'centre')"
#define SCOPE_DERIVE(cases, tail) \
	SCOPE_WITH(cases) " INSERT OR IGNORE INTO case_scope (unit, case_id)" SCOPE_ROWS tail
/*
 * The rows of a table of kept counts (unit, key, n: 0014, 0017, 0018) that differ
 * from a recount: unit, key as show(key) writes it, kept, counted. counted:
 * the recount (unit, key, n), made once; a kept row it lacks is looked up
 * in it, not among the cases. By lead unit the recount reads cases_inbox
 * whole, in its order ("+status": not cases_status, which would read every
 * case's row for its lead).
 */
#define FINAL_STATUSES "('answered', 'referred', 'closed', 'merged')"
#define COUNTS_CHECK(table, key, counted, show)                                                           \
	"WITH r(unit, key, n) AS MATERIALIZED (" counted ")"                                                 \
	" SELECT r.unit, " show("r.key") ", coalesce(k.n, 0), r.n FROM r"                                    \
	" LEFT JOIN " table " k ON k.unit = r.unit AND k." key " = r.key WHERE coalesce(k.n, 0) <> r.n"       \
	" UNION ALL SELECT k.unit, " show("k." key) ", k.n, 0 FROM " table " k WHERE k.n <> 0"                 \
	" AND NOT EXISTS (SELECT 1 FROM r WHERE r.unit = k.unit AND r.key = k." key ")"
#define SHOW_AS_IS(key) key
/* The Beijing day of a time (UTC+8), as scope_days (0017) and lead_days (0018) count it. */
#define DAY_OF(t) "((" t " + 28800) / 86400)"
#define SHOW_DATE(day) "date(" day " * 86400, 'unixepoch')" /* a day of those tables: "2025-12-01" */
/* The cases linked to, or recorded by, a unit whose path is in [?1, ?2) (?2 NULL: no bound). */
#define SCOPE_MOVED_CASES                                                                             \
	"SELECT mu.case_id FROM case_units mu WHERE mu.unit IN"                                       \
	" (SELECT code FROM units WHERE path >= ?1 AND (?2 IS NULL OR path < ?2))"                     \
	" UNION SELECT mc.id FROM cases mc WHERE mc.created_unit IN"                                  \
	" (SELECT code FROM units WHERE path >= ?1 AND (?2 IS NULL OR path < ?2))"

/* Kinds of facts that store_unit_counts counts one by one (callbacks are deduplicated per case). */
#define COUNTED_KINDS                                                                                    \
	"('dispatch', 'sign', 'contact', 'reply', 'handling', 'return', 'extension', 'reopen', 'overdue', " \
	"'report', 'rating')"

/* The callback columns of struct unit_counts over rows (kind, value, scope). */
#define CALLBACK_COUNTS                                                                                \
	" count(*) FILTER (WHERE kind = 'callback'),"                                                 \
	" count(*) FILTER (WHERE kind = 'callback' AND (value & 2) <> 0),"                            \
	" count(*) FILTER (WHERE kind = 'callback' AND (value & 4) <> 0),"                            \
	" count(*) FILTER (WHERE kind = 'callback' AND (value >> 3) = 1),"                            \
	" count(*) FILTER (WHERE kind = 'callback' AND (value >> 3) = 2),"                            \
	" count(*) FILTER (WHERE kind = 'callback' AND scope IN ('all', 'response_only')),"          \
	" count(*) FILTER (WHERE kind = 'callback' AND scope IN ('all', 'response_only')"            \
	"  AND (value & 2) <> 0),"                                                                    \
	" count(*) FILTER (WHERE kind = 'callback' AND scope = 'all'),"                               \
	" count(*) FILTER (WHERE kind = 'callback' AND scope = 'all' AND (value & 4) <> 0),"          \
	" count(*) FILTER (WHERE kind = 'callback' AND scope = 'all' AND (value >> 3) = 1),"          \
	" count(*) FILTER (WHERE kind = 'callback' AND scope = 'all' AND (value >> 3) = 2)"
#define CALLBACK_NCOUNTS 11

/*
 * The columns of unit_counts (0006-unit-day.sql), in the order of the fields
 * of struct unit_counts (superseded_month has the callback ones):
 * COUNT_FIELDS(X) expands X(field) for each.
 */
#define CB_REST(X)                                                                                    \
	X(cb_contacted) X(cb_solved) X(cb_satisfied) X(cb_basic) X(as_valid) X(as_contacted)          \
	X(as_full_valid) X(as_solved) X(as_satisfied) X(as_basic)
#define OTHER_FIELDS(X)                                                                               \
	X(dispatches) X(sign_total) X(sign_ontime) X(contact_total) X(contact_ontime) X(reply_total)  \
	X(reply_ontime) X(handling_seconds) X(returns) X(extensions) X(reopens) X(overdue) X(reports) \
	X(reports_ontime) X(ratings) X(rating_sum)
#define COUNT_REST(X) CB_REST(X) OTHER_FIELDS(X)
#define CB_FIELDS(X) X(cb_valid) CB_REST(X) /* the CALLBACK_NCOUNTS callback columns */
#define COUNT_FIELDS(X) X(cb_valid) COUNT_REST(X)
#define C_NAME(f) ", " #f
#define C_PARAM(f) ", ?"
#define C_ADD(f) ", " #f " = " #f " + excluded." #f

/*
 * store_unit_counts over [?1, ?2): cb holds each case's latest valid
 * callback in the period (with the case's scope), x merges it with every
 * other counted fact, and one GROUP BY unit aggregates both. Columns in
 * the order of struct unit_counts. A rating's value is
 * timeliness*100 + attitude*10 + result.
 */
#define UNIT_COUNTS_SQL                                                                               \
	"WITH cb AS (SELECT f.unit, f.value, coalesce(c.scope, 'all') AS scope,"                      \
	"  row_number() OVER (PARTITION BY f.case_id ORDER BY f.seq DESC, f.id DESC) AS rn"           \
	"  FROM facts f LEFT JOIN cases c ON c.id = f.case_id"                                        \
	"  WHERE f.kind = 'callback' AND f.at >= ?1 AND f.at < ?2 AND (f.value & 1) <> 0),"          \
	" x AS (SELECT unit, 'callback' AS kind, value, scope FROM cb WHERE rn = 1"                   \
	"  UNION ALL SELECT unit, kind, value, '' FROM facts"                                        \
	"  WHERE kind IN " COUNTED_KINDS " AND at >= ?1 AND at < ?2)"                                 \
	" SELECT unit,"                                                                               \
	CALLBACK_COUNTS ","                                                                           \
	" count(*) FILTER (WHERE kind = 'dispatch'),"                                                 \
	" count(*) FILTER (WHERE kind = 'sign'), count(*) FILTER (WHERE kind = 'sign' AND value = 1)," \
	" count(*) FILTER (WHERE kind = 'contact'),"                                                  \
	" count(*) FILTER (WHERE kind = 'contact' AND value = 1),"                                    \
	" count(*) FILTER (WHERE kind = 'reply'), count(*) FILTER (WHERE kind = 'reply' AND value = 1)," \
	" coalesce(sum(value) FILTER (WHERE kind = 'handling'), 0),"                                  \
	" count(*) FILTER (WHERE kind = 'return'), count(*) FILTER (WHERE kind = 'extension'),"       \
	" count(*) FILTER (WHERE kind = 'reopen'), count(*) FILTER (WHERE kind = 'overdue'),"         \
	" count(*) FILTER (WHERE kind = 'report'),"                                                   \
	" count(*) FILTER (WHERE kind = 'report' AND value = 1),"                                     \
	" count(*) FILTER (WHERE kind = 'rating'),"                                                   \
	" coalesce(sum(value / 100 + value / 10 % 10 + value % 10) FILTER (WHERE kind = 'rating'), 0)" \
	" FROM x GROUP BY unit ORDER BY unit"

/*
 * store_person_counts over [?1, ?2), users within the unit path range
 * [?3, ?4) (?3 NULL = everyone). x credits facts to users: their own
 * facts (any kind, so every active user is listed); 'rated': a rating in
 * the period of a (case, unit) whose report the user made (each rating
 * once per user however many reports); 'called': a valid callback in the
 * period of a case whose latest reply before it was the user's. Columns in
 * the order of struct person_counts.
 */
#define PERSON_COUNTS_SQL                                                                             \
	"WITH x AS (SELECT user_id, kind, value FROM facts WHERE at >= ?1 AND at < ?2 AND user_id <> 0" \
	"  UNION ALL SELECT user_id, 'rated', value FROM (SELECT DISTINCT r.id, p.user_id, r.value"    \
	"   FROM facts r JOIN facts p ON p.case_id = r.case_id AND p.kind = 'report'"                 \
	"   AND p.unit = r.unit AND p.user_id <> 0"                                                   \
	"   WHERE r.kind = 'rating' AND r.at >= ?1 AND r.at < ?2)"                                    \
	"  UNION ALL SELECT (SELECT y.user_id FROM facts y WHERE y.case_id = b.case_id"               \
	"   AND y.kind = 'reply' AND y.seq < b.seq ORDER BY y.seq DESC, y.id DESC LIMIT 1),"          \
	"   'called', b.value FROM facts b"                                                           \
	"   WHERE b.kind = 'callback' AND b.at >= ?1 AND b.at < ?2 AND (b.value & 1) <> 0)"           \
	" SELECT u.id, u.login, u.name, coalesce(u.unit, ''),"                                        \
	" count(*) FILTER (WHERE x.kind = 'sign'),"                                                   \
	" count(*) FILTER (WHERE x.kind = 'sign' AND x.value = 1),"                                   \
	" count(*) FILTER (WHERE x.kind = 'contact'),"                                                \
	" count(*) FILTER (WHERE x.kind = 'contact' AND x.value = 1),"                                \
	" count(*) FILTER (WHERE x.kind = 'reply'),"                                                  \
	" count(*) FILTER (WHERE x.kind = 'reply' AND x.value = 1),"                                  \
	" count(*) FILTER (WHERE x.kind = 'report'),"                                                 \
	" count(*) FILTER (WHERE x.kind = 'report' AND x.value = 1),"                                 \
	" count(*) FILTER (WHERE x.kind = 'rated'),"                                                  \
	" coalesce(sum(x.value / 100 + x.value / 10 % 10 + x.value % 10)"                             \
	"  FILTER (WHERE x.kind = 'rated'), 0),"                                                      \
	" count(*) FILTER (WHERE x.kind = 'called'),"                                                 \
	" count(*) FILTER (WHERE x.kind = 'called' AND (x.value & 4) <> 0),"                          \
	" count(*) FILTER (WHERE x.kind = 'called' AND (x.value >> 3) = 1)"                           \
	" FROM x JOIN users u ON u.id = x.user_id"                                                    \
	" WHERE ?3 IS NULL OR EXISTS (SELECT 1 FROM units uu WHERE uu.code = u.unit"                  \
	"  AND uu.path >= ?3 AND (?4 IS NULL OR uu.path < ?4))"                                       \
	" GROUP BY u.id, u.login, u.name, u.unit ORDER BY u.id"

/* The filter of store_users_list: the user's unit path within [?1, ?2) (?1 NULL = everyone). */
#define USERS_WHERE                                                                          \
	" WHERE ?1 IS NULL OR EXISTS (SELECT 1 FROM units un WHERE un.code = u.unit"         \
	"  AND un.path >= ?1 AND (?2 IS NULL OR un.path < ?2))"

#define STATEMENTS(X)                                                                                       \
	X(BEGIN, "BEGIN IMMEDIATE")                                                                         \
	X(READ_BEGIN, "BEGIN DEFERRED")                                                                     \
	X(COMMIT, "COMMIT")                                                                                 \
	X(ROLLBACK, "ROLLBACK")                                                                             \
	X(SAVEPOINT, "SAVEPOINT store_op")                                                                  \
	X(RELEASE, "RELEASE store_op")                                                                      \
	X(ROLLBACK_TO, "ROLLBACK TO store_op")                                                              \
	X(NEST_BEGIN, "SAVEPOINT store_nest")                                                               \
	X(NEST_RELEASE, "RELEASE store_nest")                                                               \
	X(NEST_ROLLBACK, "ROLLBACK TO store_nest")                                                          \
	X(UNIT_PATH, "SELECT path FROM units WHERE code = ?1")                                              \
	X(UNIT_PUT, "INSERT INTO units (" UNIT_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6)"                     \
		    " ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind,"         \
		    " parent = excluded.parent, sector = excluded.sector, path = excluded.path")            \
	X(UNIT_MOVE, "UPDATE units SET path = ?2 || substr(path, length(?1) + 1)"                           \
		     " WHERE path > ?1 AND (?3 IS NULL OR path < ?3)")                                      \
	X(UNIT_GET, "SELECT " UNIT_COLS " FROM units WHERE code = ?1")                                      \
	X(UNIT_BY_SECTOR, "SELECT u.code, u.name, u.kind, u.parent, u.sector, u.path"                       \
			  " FROM units d JOIN units u ON substr(u.path, 1, length(d.path)) = d.path"        \
			  " WHERE d.code = ?1 AND u.sector = ?2 AND u.kind IN ('department', 'enterprise')" \
			  " AND u.sector <> ''" /* so SQLite uses the partial index units_sector */        \
			  " ORDER BY length(u.path), u.code LIMIT 1")                                       \
	X(UNITS_LIST, "SELECT " UNIT_COLS " FROM units WHERE (?1 IS NULL OR kind = ?1)"                     \
		      " AND (?2 IS NULL OR coalesce(parent, '') = ?2) ORDER BY code")                       \
	X(UNITS_COUNT, "SELECT count(*) FROM units")                                                        \
	X(CATEGORY_ADD,                                                                                     \
	  "INSERT INTO categories (path, tier, handling) VALUES (?1, ?2, ?3)"                               \
	  " ON CONFLICT (path) DO UPDATE SET tier = excluded.tier, handling = excluded.handling"            \
	  " RETURNING id")                                                                                  \
	X(CATEGORY_SET, "INSERT INTO categories (id, path, tier, handling) VALUES (?4, ?1, ?2, ?3)"         \
			" ON CONFLICT (id) DO UPDATE SET path = excluded.path, tier = excluded.tier,"       \
			" handling = excluded.handling RETURNING id")                                       \
	X(CATEGORY_GET, "SELECT id, path, tier, handling FROM categories WHERE id = ?1")                    \
	X(CATEGORIES_LIST, "SELECT id, path, tier, handling FROM categories ORDER BY id")                   \
	X(TIER_PUT, "INSERT OR REPLACE INTO tier_rules (tier, dispatch_minutes, sign_minutes,"              \
		    " contact_minutes, feedback_amount, feedback_unit, warn_percent, redispatch)"           \
		    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")                                             \
	X(TIERS_LOAD, "SELECT tier, dispatch_minutes, sign_minutes, contact_minutes, feedback_amount,"      \
		      " feedback_unit, warn_percent, redispatch FROM tier_rules")                           \
	X(HOLIDAY_PUT, "INSERT OR REPLACE INTO holidays (day, work, name) VALUES (?1, ?2, ?3)")             \
	X(HOLIDAYS_LIST, "SELECT day, work, name FROM holidays ORDER BY day")                               \
	X(USER_INSERT, "INSERT INTO users (id, login, name, pw_hash, unit, role, active, created_at)"       \
		       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")                                          \
	X(USER_BY_LOGIN, "SELECT id, login, name, pw_hash, unit, role, active, created_at"                  \
			 " FROM users WHERE login = ?1")                                                    \
	X(USER_BY_ID, "SELECT id, login, name, pw_hash, unit, role, active, created_at"                     \
		      " FROM users WHERE id = ?1")                                                          \
	X(TOKEN_INSERT, "INSERT INTO tokens (hash, user_id, created, expires) VALUES (?1, ?2, ?3, ?4)")     \
	X(TOKEN_GET, "SELECT user_id, expires FROM tokens WHERE hash = ?1")                                 \
	X(TOKEN_DELETE, "DELETE FROM tokens WHERE hash = ?1")                                               \
	X(TOKENS_DELETE_USER, "DELETE FROM tokens WHERE user_id = ?1")                                      \
	X(USER_UPDATE, "UPDATE users SET name = ?2, pw_hash = ?3, unit = ?4, role = ?5, active = ?6"        \
		       " WHERE id = ?1")                                                                    \
	X(USERS_LIST, "SELECT u.id, u.login, u.name, u.pw_hash, u.unit, u.role, u.active, u.created_at"     \
		      " FROM users u" USERS_WHERE " ORDER BY u.id LIMIT ?3 OFFSET ?4")                      \
	X(USERS_COUNT, "SELECT count(*) FROM users u" USERS_WHERE)                                          \
	X(CATEGORY_INSERT, "INSERT INTO categories (path, tier, handling) VALUES (?1, ?2, ?3) RETURNING id") \
	X(SECTOR_EXISTS, "SELECT 1 FROM units WHERE sector = ?1 AND kind IN ('department', 'enterprise')"   \
			 " LIMIT 1")                                                                        \
	X(HOLIDAY_DELETE, "DELETE FROM holidays WHERE day = ?1")                                            \
	X(CASE_INSERT, "INSERT INTO cases (id, " CASE_DATA_COLS ") VALUES (?1, " CASE_DATA_PARAMS ")")      \
	X(CASE_UPDATE, "UPDATE cases SET (" CASE_DATA_COLS ") = (" CASE_DATA_PARAMS ") WHERE id = ?1")      \
	X(CASE_GET, CASE_SELECT " WHERE id = ?1")                                                           \
	X(CASE_SEQ, "SELECT seq FROM cases WHERE id = ?1")                                                  \
	X(CASE_NEXT_ID, "SELECT coalesce(max(id), 0) + 1 FROM cases")                                                           \
	X(LINKS_DEMOTE, "UPDATE case_units SET rel = 'former', pos = 0"                                     \
			" WHERE case_id = ?1 AND rel IN ('lead', 'copy')")                                  \
	X(LINK_PUT, "INSERT INTO case_units (case_id, unit, rel, pos) VALUES (?1, ?2, ?3, ?4)"              \
		    " ON CONFLICT (case_id, unit) DO UPDATE SET rel = excluded.rel, pos = excluded.pos")    \
	X(LINK_SUMMON, "INSERT INTO case_units (case_id, unit, rel, pos) VALUES (?1, ?2, 'summoned', 0)"    \
		       " ON CONFLICT (case_id, unit) DO UPDATE SET rel = 'summoned', pos = 0"               \
		       " WHERE case_units.rel = 'former'")                                                  \
	X(LINKS_COPIES,                                                                                     \
	  "SELECT unit FROM case_units WHERE case_id = ?1 AND rel = 'copy' ORDER BY pos, unit")             \
	X(SCOPE_PUT, "INSERT OR IGNORE INTO case_scope (unit, case_id) VALUES (?1, ?2)")                    \
	X(SCOPE_ALL, SCOPE_DERIVE("IS NOT NULL", " ORDER BY 1, 2"))                                         \
	X(SCOPE_MOVED, SCOPE_DERIVE("IN (" SCOPE_MOVED_CASES ")", ""))                                      \
	X(SCOPE_MISSING, SCOPE_WITH("IS NOT NULL") SCOPE_ROWS " EXCEPT SELECT unit, case_id FROM case_scope")   \
	X(SCOPE_EXTRA, SCOPE_WITH("IS NOT NULL") " SELECT unit, case_id FROM case_scope EXCEPT" SCOPE_ROWS)    \
	X(SCOPE_DROP_MOVED, "DELETE FROM case_scope WHERE unit = ?3 AND case_id IN (" SCOPE_MOVED_CASES ")") \
	X(COUNTS_LEAD_CHECK,                                                                              \
	  COUNTS_CHECK("lead_counts", "status",                                                           \
		       "SELECT lead_unit, status, count(*) FROM cases WHERE +status IN " FINAL_STATUSES     \
		       " GROUP BY lead_unit, status",                                                     \
		       SHOW_AS_IS))                                                                         \
	X(COUNTS_SCOPE_CHECK,                                                                             \
	  COUNTS_CHECK("scope_counts", "status",                                                          \
		       "SELECT s.unit, status, count(*) FROM cases JOIN case_scope s ON s.case_id = cases.id" \
		       " WHERE status IN " FINAL_STATUSES " GROUP BY s.unit, status",                    \
		       SHOW_AS_IS))                                                                         \
	X(COUNTS_DAYS_CHECK,                                                                              \
	  COUNTS_CHECK("scope_days", "day",                                                               \
		       "SELECT s.unit, " DAY_OF("c.created_at") ", count(*)"                                \
		       " FROM cases c CROSS JOIN case_scope s ON s.case_id = c.id GROUP BY 1, 2",            \
		       SHOW_DATE))                                                                          \
	X(COUNTS_LEAD_DAYS_CHECK,                                                                         \
	  COUNTS_CHECK("lead_days", "day",                                                                \
		       "SELECT lead_unit, " DAY_OF("created_at") ", count(*) FROM cases GROUP BY 1, 2",       \
		       SHOW_DATE))                                                                          \
	X(TASKS_MISSING, OPEN_TASKS_OF_CASES " EXCEPT SELECT unit, case_id FROM open_tasks")              \
	X(TASKS_EXTRA, "SELECT unit, case_id FROM open_tasks EXCEPT " OPEN_TASKS_OF_CASES)                \
	X(LINKS_ALL, "SELECT unit, rel FROM case_units WHERE case_id = ?1"                                  \
		     " ORDER BY CASE rel WHEN 'lead' THEN 0 WHEN 'copy' THEN 1 WHEN 'summoned' THEN 2"      \
		     " ELSE 3 END, pos, unit")                                                              \
	X(EVENT_APPEND, "INSERT INTO events (case_id, seq, at, user_id, unit, action, payload, reason, hash)" \
			" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")                                     \
	X(EVENT_HASH, "SELECT hash FROM events WHERE case_id = ?1 AND seq = ?2")                            \
	X(EVENT_SET_HASH, "UPDATE events SET hash = ?3 WHERE case_id = ?1 AND seq = ?2")                                      \
	X(EVENTS_ALL, "SELECT case_id, seq, at, user_id, unit, action, payload, reason, hash"           \
		      " FROM events ORDER BY case_id, seq")                                                 \
	X(EVENTS_LIST, "SELECT case_id, seq, at, user_id, unit, action, payload, reason, hash"          \
		       " FROM events WHERE case_id = ?1 AND seq > ?2 ORDER BY seq")                         \
	X(CASES_DUE, "SELECT id FROM cases WHERE next_check_at > 0 AND next_check_at <= ?1"                 \
		     " ORDER BY next_check_at, id LIMIT ?2")                                                \
	/* from the smallest index, sorted here: a scan of the table in id order would read every row */    \
	X(CASE_IDS, "SELECT id FROM cases INDEXED BY cases_created_at")                                     \
	X(FACT_INSERT, "INSERT INTO facts (case_id, seq, at, user_id, unit, kind, value)"                   \
		       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")                                              \
	X(FACTS_CASE, "SELECT " FACT_COLS " FROM facts WHERE case_id = ?1 ORDER BY seq, kind, id")          \
	X(FACTS_ALL, "SELECT " FACT_COLS " FROM facts ORDER BY case_id, seq, kind, id")                     \
	X(UNIT_COUNTS, UNIT_COUNTS_SQL)                                                                     \
	X(UNIT_COUNTS_ADD, "INSERT INTO unit_counts (grain, period, unit" COUNT_FIELDS(C_NAME)              \
			       ") VALUES (?, ?, ?" COUNT_FIELDS(C_PARAM) ") ON CONFLICT (grain, period, unit)" \
			       " DO UPDATE SET cb_valid = cb_valid + excluded.cb_valid" COUNT_REST(C_ADD))    \
	X(SUPERSEDED_MONTH_ADD, "INSERT INTO superseded_month (month, until_month, unit" CB_FIELDS(C_NAME) \
				") VALUES (?, ?, ?" CB_FIELDS(C_PARAM) ") ON CONFLICT (month, until_month, unit)" \
				" DO UPDATE SET cb_valid = cb_valid + excluded.cb_valid" CB_REST(C_ADD))     \
	X(UNIT_COUNTS_ROWS, "SELECT unit" COUNT_FIELDS(C_NAME) " FROM unit_counts WHERE grain = ?1"          \
				" AND period >= ?2 AND period < ?3")                                            \
	X(SUPERSEDED_MONTH_ROWS, "SELECT unit" CB_FIELDS(C_NAME) " FROM superseded_month"                  \
				 " WHERE month >= ?1 AND until_month < ?2")                                 \
	X(SUPERSEDED_BY_DAY, "SELECT unit," CALLBACK_COUNTS " FROM (SELECT unit, value, scope,"           \
			     " 'callback' AS kind FROM callback_superseded WHERE day >= ?1 AND day < ?2"     \
			     " AND until_day >= ?3 AND until_day < ?4) GROUP BY unit")                      \
	X(SUPERSEDED_BY_UNTIL, "SELECT unit," CALLBACK_COUNTS " FROM (SELECT unit, value, scope,"         \
			       " 'callback' AS kind FROM callback_superseded WHERE until_day >= ?3"          \
			       " AND until_day < ?4 AND +day >= ?1 AND +day < ?2) GROUP BY unit")          \
	X(SUPERSEDED_OF, "SELECT day, until_day, unit, value, scope FROM callback_superseded"            \
			 " WHERE case_id = ?1")                                                             \
	X(SUPERSEDED_PUT, "INSERT INTO callback_superseded (case_id, seq, day, until_day, unit, value,"    \
			  " scope) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")                                    \
	X(SUPERSEDED_SCOPE, "UPDATE callback_superseded SET scope = ?2 WHERE case_id = ?1")               \
	X(CALLBACKS_OF, "SELECT seq, at, unit, value FROM facts WHERE case_id = ?1 AND kind = 'callback'"  \
			" AND (value & 1) <> 0 ORDER BY seq DESC, id DESC")                                 \
	X(CASE_SCOPE, "SELECT scope FROM cases WHERE id = ?1")                                              \
	X(UNITS_VERSION, "SELECT v FROM units_version")                                                     \
	X(PERSON_COUNTS, PERSON_COUNTS_SQL)                                                                 \
	X(ASSESS_GET, "SELECT " ASSESS_COLS " FROM assess_config WHERE pool = ?1")                          \
	X(ASSESS_PUT, "INSERT INTO assess_config (" ASSESS_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)" \
		      " ON CONFLICT (pool) DO UPDATE SET w_response = excluded.w_response,"                 \
		      " w_resolution = excluded.w_resolution, w_satisfaction = excluded.w_satisfaction,"    \
		      " basic_coefficient = excluded.basic_coefficient,"                                    \
		      " period_start_day = excluded.period_start_day,"                                      \
		      " min_callbacks = excluded.min_callbacks, whistle_weight = excluded.whistle_weight")

enum stmt_id {
#define X(name, sql) ST_##name,
	STATEMENTS(X)
#undef X
	    ST_COUNT
};

static const char *const stmt_sql[] = {
#define X(name, sql) sql,
    STATEMENTS(X)
#undef X
};

/*
 * A statement built for one shape of query (dyn_get): the UPDATE of the
 * columns an event changed, a case list for the filters given. key names
 * the shape; busy while stepping, so a nested use prepares its own.
 */
struct dyn_stmt {
	uint64_t key[2];
	sqlite3_stmt *s;
	bool busy;
};
#define DYN_CACHE 96

/*
 * The units this handle read (store_unit_get), by code: the tree changes
 * rarely, and a reply names a dozen units. Emptied when this handle
 * changes a unit, when it rolls back work that changed one, and by
 * store_refresh when another handle changed the tree (units_version, 0008).
 * The slots hold indexes into the units kept in the order read, so a
 * city's 8,500 units fit and emptying clears 128 KiB, not the units.
 */
#define UNIT_SLOTS 32768 /* a power of two; full at half (16,384 units): emptied */
#define SECTOR_SLOTS 1024 /* a power of two; one answer of store_unit_by_sector each */
struct sector_slot {
	uint32_t gen; /* the cache's gen when filled; another = free */
	char district[LIMIT_CODE + 1];
	char sector[32];
	uint32_t unit; /* 1 + an index into unit; 0 = the district has none */
};
struct unit_cache {
	uint32_t *slot;    /* 0 = free, else 1 + an index into unit */
	struct unit *unit; /* n of cap used */
	size_t n, cap;
	int64_t version; /* units_version when filled; -1 = not read yet */
	bool changed;    /* this handle changed a unit in the open transaction */
	struct sector_slot *sectors; /* SECTOR_SLOTS, direct-mapped */
	uint32_t gen;                /* starts at 1; emptying the cache moves it on */
};

struct store {
	sqlite3 *db;
	struct unit_cache units;
	sqlite3_stmt *stmts[ST_COUNT];
	bool busy[ST_COUNT];
	struct dyn_stmt dyn[DYN_CACHE];
	unsigned dyn_next;
	int depth;    /* store_begin levels open: 1 = the transaction, more = nested savepoints */
	bool reading; /* a read snapshot (store_read_begin) is open */
	/*
	 * The per-unit counts added inside the open transaction, summed and
	 * written once per row just before it commits (or before they are
	 * read): a batch of writes touches the same unit-days again and again.
	 * marks: where each open savepoint began in it, so undoing one drops
	 * its part.
	 */
	struct count_delta *pend;
	size_t npend, pend_cap;
	size_t *marks;
	int nmarks, marks_cap;
	unsigned ahead_what; /* store_readahead */
	int ahead_readers;
	store_progress_fn walk_progress; /* store_walk_progress */
	void *walk_progress_ctx;
};

/* One addition to a row of unit_counts or superseded_month, waiting for the commit. */
struct count_delta {
	enum stmt_id stmt; /* the upsert */
	int64_t keys[2];
	int n; /* the first n counts of d */
	char unit[LIMIT_CODE + 1];
	struct unit_counts d;
};

static enum err_code counts_flush(struct store *st, struct err *e);

/* A savepoint (or nested level) opens: remember where its counts begin. */
static void pend_mark(struct store *st)
{
	if (st->nmarks == st->marks_cap) {
		st->marks_cap = st->marks_cap ? 2 * st->marks_cap : 16;
		st->marks = xrealloc(st->marks, (size_t)st->marks_cap * sizeof(*st->marks));
	}
	st->marks[st->nmarks++] = st->npend;
}

/* The innermost savepoint is released (its counts stay, for the enclosing level) or undone (dropped). */
static void pend_release(struct store *st)
{
	if (st->nmarks > 0)
		st->nmarks--;
}

static void pend_undo(struct store *st)
{
	if (st->nmarks > 0)
		st->npend = st->marks[--st->nmarks];
}

static void pend_clear(struct store *st)
{
	st->npend = 0;
	st->nmarks = 0;
}

/* ---- helpers ---- */

/* Forget the units read (struct unit_cache). */
static void units_forget(struct store *st)
{
	if (st->units.n)
		memset(st->units.slot, 0, UNIT_SLOTS * sizeof(*st->units.slot));
	st->units.n = 0;
	st->units.gen++;
}

/* Work is undone: the cache may hold a unit as this handle had changed it. */
static void units_undone(struct store *st, bool transaction_over)
{
	if (st->units.changed)
		units_forget(st);
	if (transaction_over)
		st->units.changed = false;
}


sqlite3 *store_sqlite_db(struct store *st)
{
	return st->db;
}

/* Report the connection's last SQLite error as E_DB; what names the operation. */
static enum err_code db_fail(struct store *st, struct err *e, const char *what)
{
	/*
	 * A full disk or a file-size limit (SQLite reports a refused write as
	 * SQLITE_FULL or SQLITE_IOERR_WRITE): nothing was saved, and it passes
	 * when space returns.
	 */
	int x = sqlite3_extended_errcode(st->db), sys = sqlite3_system_errno(st->db);
	if ((x & 0xff) == SQLITE_FULL || x == SQLITE_IOERR_WRITE || sys == ENOSPC || sys == EFBIG || sys == EDQUOT)
		return err_set(e, E_STORAGE, NULL,
			       "无法写入磁盘（%s）：磁盘已满或不可写，本次操作未保存；腾出空间后即可继续", what);
	return err_set(e, E_DB, NULL, "数据库错误（%s）：%s", what, sqlite3_errmsg(st->db));
}

enum err_code store_sqlite_fail(struct store *st, struct err *e, const char *what)
{
	return db_fail(st, e, what);
}

/*
 * Take statement id for use: the cached one, prepared on first use, or a
 * fresh uncached one when the cached one is already running (a callback
 * re-entering the store). Give it back with stmt_put().
 */
static sqlite3_stmt *stmt_get(struct store *st, enum stmt_id id, struct err *e)
{
	sqlite3_stmt *s = NULL;
	if (st->busy[id]) {
		if (sqlite3_prepare_v2(st->db, stmt_sql[id], -1, &s, NULL) != SQLITE_OK) {
			db_fail(st, e, "准备语句");
			return NULL;
		}
		return s;
	}
	if (!st->stmts[id] && sqlite3_prepare_v3(st->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
						 &st->stmts[id], NULL) != SQLITE_OK) {
		db_fail(st, e, "准备语句");
		return NULL;
	}
	st->busy[id] = true;
	return st->stmts[id];
}

/* Give a statement back: reset and unbind the cached one, finalize a fresh one. */
static void stmt_put(struct store *st, enum stmt_id id, sqlite3_stmt *s)
{
	if (!s)
		return;
	if (s != st->stmts[id]) {
		sqlite3_finalize(s);
		return;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	st->busy[id] = false;
}

/* Run a statement that returns no rows (transaction control). */
static enum err_code stmt_run(struct store *st, enum stmt_id id, struct err *e, const char *what)
{
	sqlite3_stmt *s = stmt_get(st, id, e);
	if (!s)
		return E_DB;
	enum err_code rc = OK;
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = db_fail(st, e, what);
	stmt_put(st, id, s);
	return rc;
}

/* Run a statement that returns no rows with ?1 bound to v. */
static enum err_code stmt_run_int(struct store *st, enum stmt_id id, int64_t v, struct err *e, const char *what)
{
	sqlite3_stmt *s = stmt_get(st, id, e);
	if (!s)
		return E_DB;
	enum err_code rc = OK;
	sqlite3_bind_int64(s, 1, v);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = db_fail(st, e, what);
	stmt_put(st, id, s);
	return rc;
}

/* Bind a C string; NULL binds SQL NULL. The text must outlive the step. */
static void bind_str(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

/* Bind a fixed-size char array, never reading past its end. "" binds NULL if empty_null. */
static void bind_arr_n(sqlite3_stmt *s, int i, const char *arr, size_t size, bool empty_null)
{
	size_t n = strnlen(arr, size);
	if (!n && empty_null)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_text(s, i, arr, (int)n, SQLITE_STATIC);
}
#define bind_arr(s, i, arr) bind_arr_n((s), (i), (arr), sizeof(arr), false)
#define bind_arr_or_null(s, i, arr) bind_arr_n((s), (i), (arr), sizeof(arr), true)

/* Copy column i into a fixed-size array (NULL reads as ""). */
static void col_text_n(sqlite3_stmt *s, int i, char *dst, size_t size)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	strlcpy_ok(dst, t ? (const char *)t : "", size);
}
#define col_text(s, i, arr) col_text_n((s), (i), (arr), sizeof(arr))

/*
 * Bounds of the half-open range [lo, hi) holding every string that starts
 * with prefix, under SQLite's BINARY (memcmp) order: hi is prefix with its
 * last byte below 0xFF incremented, or NULL when there is no upper bound.
 * hi must hold strlen(prefix) + 1 bytes; returns hi or NULL.
 */
static const char *prefix_upper(const char *prefix, char *hi)
{
	size_t n = strlen(prefix);
	memcpy(hi, prefix, n + 1);
	while (n && (unsigned char)hi[n - 1] == 0xFF)
		hi[--n] = '\0';
	if (!n)
		return NULL;
	hi[n - 1] = (char)((unsigned char)hi[n - 1] + 1);
	return hi;
}

/*
 * Make a multi-statement write atomic: outside a transaction take one
 * (BEGIN IMMEDIATE), inside one open a savepoint. *scope records which,
 * for op_end().
 */
enum op_scope { OP_TX, OP_SAVEPOINT };
static enum err_code op_begin(struct store *st, enum op_scope *scope, struct err *e)
{
	if (sqlite3_get_autocommit(st->db)) {
		*scope = OP_TX;
		return store_begin(st, e);
	}
	*scope = OP_SAVEPOINT;
	enum err_code rc = stmt_run(st, ST_SAVEPOINT, e, "开始保存点");
	if (rc == OK)
		pend_mark(st);
	return rc;
}

/* Finish what op_begin started: keep the work if rc is OK, undo it otherwise. Returns rc. */
static enum err_code op_end(struct store *st, enum op_scope scope, enum err_code rc, struct err *e)
{
	if (scope == OP_TX) {
		if (rc == OK)
			return store_commit(st, e);
		store_rollback(st);
		return rc;
	}
	if (rc == OK) {
		pend_release(st);
		return stmt_run(st, ST_RELEASE, e, "释放保存点");
	}
	pend_undo(st);
	if (!sqlite3_get_autocommit(st->db)) {
		struct err ignored;
		units_undone(st, false);
		stmt_run(st, ST_ROLLBACK_TO, &ignored, "回滚保存点");
		stmt_run(st, ST_RELEASE, &ignored, "释放保存点");
	}
	return rc;
}

/* A growable list of ids, so callbacks run after the reading statement is done. */
struct id_list {
	int64_t *v;
	size_t n, alloc;
};

static void id_list_add(struct id_list *l, int64_t id)
{
	if (l->n == l->alloc) {
		l->alloc = l->alloc ? 2 * l->alloc : 64;
		l->v = xrealloc(l->v, l->alloc * sizeof(*l->v));
	}
	l->v[l->n++] = id;
}

/* Run an id-returning statement to completion, then hand each id to fn. */
static int id_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* The ids statement s returns, into l; s goes back to the cache. */
static enum err_code ids_read(struct store *st, enum stmt_id id, sqlite3_stmt *s, struct id_list *l,
			      struct err *e)
{
	enum err_code rc = OK;
	int r;
	while ((r = sqlite3_step(s)) == SQLITE_ROW)
		id_list_add(l, sqlite3_column_int64(s, 0));
	if (r != SQLITE_DONE)
		rc = db_fail(st, e, "读取案件编号");
	stmt_put(st, id, s);
	return rc;
}

static enum err_code ids_each(struct store *st, enum stmt_id id, sqlite3_stmt *s, id_fn fn, void *ctx,
			      struct err *e)
{
	struct id_list l = {0};
	enum err_code rc = ids_read(st, id, s, &l, e);
	for (size_t i = 0; rc == OK && i < l.n; i++)
		rc = (enum err_code)fn(ctx, l.v[i]);
	free(l.v);
	return rc;
}

/* ---- open, migrate, close ---- */

/* Run one PRAGMA that returns nothing we need. */
static enum err_code pragma_exec(struct store *st, const char *sql, const char *path, struct err *e)
{
	int r = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
	if (r == SQLITE_OK)
		return OK;
	if (r == SQLITE_NOTADB)
		return err_set(e, E_DB, NULL, "%s 不是数据库文件：%s", path, sqlite3_errmsg(st->db));
	return err_set(e, (r & 0xff) == SQLITE_CANTOPEN || (r & 0xff) == SQLITE_IOERR ? E_IO : E_DB, NULL,
		       "无法打开数据库 %s：%s", path, sqlite3_errmsg(st->db));
}

/* Switch to WAL; an in-memory database stays "memory", other refusals are logged. */
static enum err_code pragma_wal(struct store *st, const char *path, struct err *e)
{
	sqlite3_stmt *s = NULL;
	enum err_code rc = OK;
	int r = sqlite3_prepare_v2(st->db, "PRAGMA journal_mode = WAL", -1, &s, NULL);
	if (r == SQLITE_OK)
		r = sqlite3_step(s);
	if (r == SQLITE_ROW) {
		const char *mode = (const char *)sqlite3_column_text(s, 0);
		if (mode && strcmp(mode, "wal") && strcmp(mode, "memory"))
			log_warn("store: %s: journal_mode is %s, not wal", path, mode);
	} else if (r == SQLITE_NOTADB) {
		rc = err_set(e, E_DB, NULL, "%s 不是数据库文件：%s", path, sqlite3_errmsg(st->db));
	} else {
		rc = err_set(e, (r & 0xff) == SQLITE_CANTOPEN || (r & 0xff) == SQLITE_IOERR ? E_IO : E_DB,
			     NULL, "无法打开数据库 %s：%s", path, sqlite3_errmsg(st->db));
	}
	sqlite3_finalize(s);
	return rc;
}

/* Highest applied migration version (0 on a new database) into *version. */
static enum err_code schema_version(struct store *st, int *version, struct err *e)
{
	sqlite3_stmt *s = NULL;
	enum err_code rc = OK;
	*version = 0;
	if (sqlite3_prepare_v2(
		st->db,
		"SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'", -1,
		&s, NULL) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_ROW) {
		rc = db_fail(st, e, "读取数据库版本");
		goto out;
	}
	if (!sqlite3_column_int(s, 0))
		goto out;
	sqlite3_finalize(s);
	s = NULL;
	if (sqlite3_prepare_v2(st->db, "SELECT coalesce(max(version), 0) FROM schema_migrations", -1, &s,
			       NULL) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_ROW) {
		rc = db_fail(st, e, "读取数据库版本");
		goto out;
	}
	*version = sqlite3_column_int(s, 0);
out:
	sqlite3_finalize(s);
	return rc;
}

/* The schema version this build brings a database to. */
#define SCHEMA_LAST (migrations[ARRAY_SIZE(migrations) - 1].version)

/*
 * Apply every migration newer than the database, each in its own
 * BEGIN IMMEDIATE transaction; the version is re-read under the write
 * lock, so two processes opening a new file at once apply it only once.
 */
static enum err_code store_migrate(struct store *st, struct err *e)
{
	const int last = SCHEMA_LAST;
	for (size_t i = 0; i < ARRAY_SIZE(migrations); i++) {
		const struct migration *m = &migrations[i];
		int version;
		enum err_code rc = store_begin(st, e);
		if (rc != OK)
			return rc;
		rc = schema_version(st, &version, e);
		if (rc == OK && version > last)
			rc = err_set(e, E_DB, NULL, "数据库结构版本 %d 比本程序支持的 %d 新，请升级程序",
				     version, last);
		if (rc != OK || version >= m->version) {
			store_rollback(st);
			if (rc != OK)
				return rc;
			continue;
		}
		const struct embedded_file *f = embed_find(m->name);
		if (!f) {
			store_rollback(st);
			return err_set(e, E_INTERNAL, NULL, "缺少内置的数据库迁移 %s", m->name);
		}
		sqlite3_stmt *s = NULL;
		if (sqlite3_exec(st->db, (const char *)f->data, NULL, NULL, NULL) != SQLITE_OK ||
		    sqlite3_prepare_v2(
			st->db,
			"INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)", -1,
			&s, NULL) != SQLITE_OK) {
			rc =
			    err_set(e, E_DB, NULL, "数据库迁移 %s 失败：%s", m->name, sqlite3_errmsg(st->db));
		} else {
			sqlite3_bind_int(s, 1, m->version);
			sqlite3_bind_text(s, 2, m->name, -1, SQLITE_STATIC);
			sqlite3_bind_int64(s, 3, clock_now());
			if (sqlite3_step(s) != SQLITE_DONE)
				rc = err_set(e, E_DB, NULL, "数据库迁移 %s 失败：%s", m->name,
					     sqlite3_errmsg(st->db));
		}
		sqlite3_finalize(s);
		if (rc == OK && m->after)
			rc = m->after(st, e);
		if (rc == OK)
			rc = store_commit(st, e);
		else
			store_rollback(st);
		if (rc != OK)
			return rc;
		log_debug("store: applied migration %s", m->name);
	}
	return OK;
}

/*
 * Before SQLite starts, once per process: no memory statistics. Keeping them
 * takes one process-wide mutex around every allocation SQLite makes, which
 * the worker threads' readers then queue on (perf: 5% of a case read).
 */
static void sqlite_setup(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* Open st's connection to path (through the VFS of ahead, if given) and set its pragmas. */
static enum err_code store_connect(struct store *st, const char *path, struct store_ahead *ahead, struct err *e)
{
	const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
	int r = ahead ? store_ahead_open(ahead, path, flags, &st->db) : sqlite3_open_v2(path, &st->db, flags, NULL);
	if (r != SQLITE_OK)
		return err_set(e, E_IO, NULL, "无法打开数据库 %s：%s", path,
			       st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(r));
	sqlite3_extended_result_codes(st->db, 1);
	/* busy_timeout first, so switching to WAL waits for another process's lock. */
	enum err_code rc;
	if ((rc = pragma_exec(st, "PRAGMA busy_timeout = 10000", path, e)) != OK ||
	    (rc = pragma_wal(st, path, e)) != OK ||
	    (rc = pragma_exec(st, "PRAGMA synchronous = FULL", path, e)) != OK ||
	    (rc = pragma_exec(st, "PRAGMA foreign_keys = ON", path, e)) != OK ||
	    (rc = pragma_exec(st, "PRAGMA temp_store = MEMORY", path, e)) != OK)
		return rc;
	return OK;
}

/*
 * Open path (creating it if needed), set the connection's pragmas and
 * bring the schema up to date. On failure *out is NULL and e names path.
 * A database that has migrations to take is opened again for them with
 * the file read ahead of SQLite (store_sqlite_ahead.c): they may read
 * every case.
 */
enum err_code store_open(const char *path, struct store **out, struct err *e)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, sqlite_setup);
	struct store *st = xcalloc(1, sizeof(*st));
	struct store_ahead *ahead = NULL;
	int version = 0;
	*out = NULL;
	st->units.version = -1;
	st->units.gen = 1;
	enum err_code rc = store_connect(st, path, NULL, e);
	if (rc == OK)
		rc = schema_version(st, &version, e);
	/* an existing database with migrations to take: read ahead of them */
	if (rc == OK && version > 0 && version < SCHEMA_LAST && (ahead = store_ahead_start(path))) {
		sqlite3_close(st->db);
		st->db = NULL;
		rc = store_connect(st, path, ahead, e);
	}
	/* up to date (the usual case): no write lock, so a long check or rebuild holding it does not stop an open */
	if (rc == OK && version != SCHEMA_LAST)
		rc = store_migrate(st, e);
	if (ahead) {
		int64_t bytes = store_ahead_stop(ahead, st->db);
		log_info("store: migrations: %lld MiB of %s read ahead", (long long)(bytes >> 20), path);
	}
	if (rc != OK) {
		store_close(st);
		return rc;
	}
	*out = st;
	return OK;
}

enum err_code store_cache_mib(struct store *st, int mib, struct err *e)
{
	char sql[64];
	if (mib < 1 || mib > 65536)
		return err_set(e, E_INVALID, "cache", "缓存大小须在 1 到 65536 MiB 之间");
	snprintf(sql, sizeof(sql), "PRAGMA cache_size = %d", -1024 * mib);
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(st, e, "设置缓存大小");
	return OK;
}

enum err_code store_checkpoint_mib(struct store *st, int mib, struct err *e)
{
	sqlite3_stmt *s = NULL;
	if (mib < 1 || mib > 65536)
		return err_set(e, E_INVALID, "checkpoint", "日志大小须在 1 到 65536 MiB 之间");
	/* SQLite counts the log in pages */
	if (sqlite3_prepare_v2(st->db, "PRAGMA page_size", -1, &s, NULL) != SQLITE_OK || sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_finalize(s);
		return db_fail(st, e, "读取页大小");
	}
	int64_t page = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	int pages = (int)((int64_t)mib * 1048576 / (page > 0 ? page : 4096));
	if (sqlite3_wal_autocheckpoint(st->db, pages) != SQLITE_OK)
		return db_fail(st, e, "设置日志大小");
	return OK;
}

/* Finalize every cached statement and close the connection (rolling back an open transaction). */
void store_close(struct store *st)
{
	if (!st)
		return;
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(st->stmts[i]);
	for (int i = 0; i < DYN_CACHE; i++)
		sqlite3_finalize(st->dyn[i].s);
	free(st->units.slot);
	free(st->units.unit);
	free(st->units.sectors);
	free(st->pend);
	free(st->marks);
	if (st->db && sqlite3_close(st->db) != SQLITE_OK)
		log_error("store: close: %s", sqlite3_errmsg(st->db));
	free(st);
}

/* ---- transactions ---- */

/* BEGIN IMMEDIATE: take the write lock now (waiting up to busy_timeout), not at the first write. */
void store_read_begin(struct store *st)
{
	struct err e;
	if (!st->reading && sqlite3_get_autocommit(st->db) && stmt_run(st, ST_READ_BEGIN, &e, "开始读取") == OK)
		st->reading = true;
}

void store_read_end(struct store *st)
{
	struct err e;
	if (!st->reading)
		return;
	st->reading = false;
	if (!sqlite3_get_autocommit(st->db) && stmt_run(st, ST_COMMIT, &e, "结束读取") != OK)
		log_error("store: end of a read: %s", e.msg);
}

enum err_code store_begin(struct store *st, struct err *e)
{
	store_read_end(st); /* a write does not start from an old snapshot */
	if (st->depth > 0 && !sqlite3_get_autocommit(st->db)) {
		enum err_code rc = stmt_run(st, ST_NEST_BEGIN, e, "开始嵌套事务");
		if (rc == OK) {
			st->depth++;
			pend_mark(st);
		}
		return rc;
	}
	if (!sqlite3_get_autocommit(st->db))
		return err_set(e, E_INTERNAL, NULL, "事务已经开始，不能嵌套");
	pend_clear(st);
	enum err_code rc = stmt_run(st, ST_BEGIN, e, "开始事务");
	st->depth = rc == OK ? 1 : 0;
	return rc;
}

/*
 * COMMIT (at the outer level; if it fails the transaction is rolled back,
 * so the handle is clean either way), or RELEASE a nested level: its work
 * becomes part of the enclosing transaction, durable when that commits.
 */
enum err_code store_commit(struct store *st, struct err *e)
{
	if (st->depth > 1) {
		enum err_code rc = stmt_run(st, ST_NEST_RELEASE, e, "结束嵌套事务");
		if (rc != OK) {
			store_rollback(st);
			return rc;
		}
		pend_release(st);
		st->depth--;
		return OK;
	}
	enum err_code rc = counts_flush(st, e);
	if (rc == OK)
		rc = stmt_run(st, ST_COMMIT, e, "提交事务");
	if (rc != OK)
		store_rollback(st);
	st->depth = 0;
	st->units.changed = false;
	return rc;
}

int store_depth(const struct store *st)
{
	return sqlite3_get_autocommit(st->db) ? 0 : st->depth;
}

/*
 * ROLLBACK if a transaction is open (SQLite may already have rolled it
 * back after an error); at a nested level, undo only that level's work.
 */
void store_rollback(struct store *st)
{
	struct err ignored;
	units_undone(st, st->depth <= 1 || sqlite3_get_autocommit(st->db));
	if (sqlite3_get_autocommit(st->db)) {
		st->depth = 0;
		pend_clear(st);
		return;
	}
	if (st->depth > 1) {
		pend_undo(st);
		if (stmt_run(st, ST_NEST_ROLLBACK, &ignored, "回滚嵌套事务") != OK ||
		    stmt_run(st, ST_NEST_RELEASE, &ignored, "结束嵌套事务") != OK)
			log_error("store: nested rollback: %s", ignored.msg);
		st->depth--;
		return;
	}
	pend_clear(st);
	if (stmt_run(st, ST_ROLLBACK, &ignored, "回滚事务") != OK)
		log_error("store: rollback: %s", ignored.msg);
	st->depth = 0;
}

/* ---- units ---- */

static void unit_read(sqlite3_stmt *s, struct unit *u)
{
	int kind = unit_kind_parse((const char *)sqlite3_column_text(s, 2));
	memset(u, 0, sizeof(*u));
	col_text(s, 0, u->code);
	col_text(s, 1, u->name);
	u->kind = kind < 0 ? UNIT_CENTRE : (enum unit_kind)kind;
	col_text(s, 3, u->parent);
	col_text(s, 4, u->sector);
	col_text(s, 5, u->path);
}

/* The path of unit code into out; *found says whether the unit exists. */
static enum err_code unit_path_get(struct store *st, const char *code, char out[LIMIT_PATH + 1], bool *found,
				   struct err *e)
{
	sqlite3_stmt *s = stmt_get(st, ST_UNIT_PATH, e);
	enum err_code rc = OK;
	if (!s)
		return E_DB;
	bind_str(s, 1, code);
	int r = sqlite3_step(s);
	*found = r == SQLITE_ROW;
	out[0] = '\0';
	if (r == SQLITE_ROW)
		col_text_n(s, 0, out, LIMIT_PATH + 1);
	else if (r != SQLITE_DONE)
		rc = db_fail(st, e, "读取单位");
	stmt_put(st, ST_UNIT_PATH, s);
	return rc;
}

/*
 * The cases of a subtree that moved from old_path to path: the units above
 * it before lose sight of them (but through another link), the units above
 * it now gain it (case_scope).
 */
static enum err_code scope_move(struct store *st, const char *old_path, const char *path, struct err *e)
{
	char hi[LIMIT_PATH + 1], code[LIMIT_PATH + 1];
	enum err_code rc = OK;
	/* every code of old_path but its last (the unit itself, which moved along) */
	size_t own = strlen(old_path) - 1;
	while (own > 0 && old_path[own - 1] != '/')
		own--;
	for (const char *p = old_path + 1; rc == OK && (size_t)(p - old_path) < own;) {
		size_t n = strcspn(p, "/");
		snprintf(code, sizeof(code), "%.*s", (int)n, p);
		p += n + 1;
		sqlite3_stmt *s = stmt_get(st, ST_SCOPE_DROP_MOVED, e);
		if (!s)
			return E_DB;
		sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
		bind_str(s, 2, prefix_upper(path, hi));
		sqlite3_bind_text(s, 3, code, -1, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = db_fail(st, e, "更新案件的可见范围");
		stmt_put(st, ST_SCOPE_DROP_MOVED, s);
	}
	sqlite3_stmt *s = rc == OK ? stmt_get(st, ST_SCOPE_MOVED, e) : NULL;
	if (!s)
		return rc == OK ? E_DB : rc;
	sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
	bind_str(s, 2, prefix_upper(path, hi));
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = db_fail(st, e, "更新案件的可见范围");
	stmt_put(st, ST_SCOPE_MOVED, s);
	return rc;
}

/*
 * Insert or update u, computing its path from its parent's. A unit that
 * moves takes its subtree along (every descendant's path is rewritten),
 * and the cases it sees are seen from its new place (scope_move).
 */
enum err_code store_unit_put(struct store *st, const struct unit *u, struct err *e)
{
	char old_path[LIMIT_PATH + 1], parent_path[LIMIT_PATH + 1] = "", path[LIMIT_PATH + 1];
	char code[LIMIT_CODE + 1], parent[LIMIT_CODE + 1], hi[LIMIT_PATH + 1];
	bool had, found;
	sqlite3_stmt *s = NULL;
	enum op_scope scope;
	enum err_code rc;

	strlcpy_ok(code, u->code, sizeof(code));
	strlcpy_ok(parent, u->parent, sizeof(parent));
	if (!code[0])
		return err_set(e, E_INVALID, "code", "单位代码不能为空");
	if (strchr(code, '/'))
		return err_set(e, E_INVALID, "code", "单位代码 %s 不能包含“/”", code);
	if ((unsigned)u->kind >= UNIT_KIND_COUNT)
		return err_set(e, E_INVALID, "kind", "单位类型不合法");
	if ((rc = op_begin(st, &scope, e)) != OK)
		return rc;
	if ((rc = unit_path_get(st, code, old_path, &had, e)) != OK)
		goto out;
	if (parent[0]) {
		if ((rc = unit_path_get(st, parent, parent_path, &found, e)) != OK)
			goto out;
		if (!found) {
			rc = err_set(e, E_INVALID, "parent", "上级单位 %s 不存在", parent);
			goto out;
		}
		if (had && str_has_prefix(parent_path, old_path)) {
			rc = err_set(e, E_INVALID, "parent", "上级单位 %s 是本单位或其下级", parent);
			goto out;
		}
	}
	if (snprintf(path, sizeof(path), "%s%s/", parent[0] ? parent_path : "/", code) >= (int)sizeof(path)) {
		rc = err_set(e, E_INVALID, "parent", "单位 %s 的层级过深", code);
		goto out;
	}
	units_forget(st);
	st->units.changed = true;
	if (!(s = stmt_get(st, ST_UNIT_PUT, e))) {
		rc = E_DB;
		goto out;
	}
	sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
	bind_arr(s, 2, u->name);
	sqlite3_bind_text(s, 3, unit_kind_name(u->kind), -1, SQLITE_STATIC);
	bind_arr_or_null(s, 4, parent);
	bind_arr(s, 5, u->sector);
	sqlite3_bind_text(s, 6, path, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE) {
		rc = db_fail(st, e, "写入单位");
		goto out;
	}
	stmt_put(st, ST_UNIT_PUT, s);
	s = NULL;
	if (had && strcmp(old_path, path)) {
		if (!(s = stmt_get(st, ST_UNIT_MOVE, e))) {
			rc = E_DB;
			goto out;
		}
		sqlite3_bind_text(s, 1, old_path, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, path, -1, SQLITE_STATIC);
		bind_str(s, 3, prefix_upper(old_path, hi));
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = db_fail(st, e, "移动下级单位");
		stmt_put(st, ST_UNIT_MOVE, s);
		s = NULL;
		if (rc == OK)
			rc = scope_move(st, old_path, path, e);
	}
out:
	stmt_put(st, ST_UNIT_PUT, s); /* only UNIT_PUT can still be held here */
	return op_end(st, scope, rc, e);
}

/* The cache slot of code: its unit's, or the free slot where it goes. */
static uint32_t *units_slot(struct store *st, const char *code)
{
	size_t h = str_hash(STR_HASH_START, code);
	if (!st->units.slot)
		st->units.slot = xcalloc(UNIT_SLOTS, sizeof(*st->units.slot));
	for (size_t i = h & (UNIT_SLOTS - 1);; i = (i + 1) & (UNIT_SLOTS - 1))
		if (!st->units.slot[i] || !strcmp(st->units.unit[st->units.slot[i] - 1].code, code))
			return &st->units.slot[i];
}

enum err_code store_integrity(struct store *st, struct err *e)
{
	sqlite3_stmt *s = NULL;
	enum err_code rc = OK;
	if (sqlite3_prepare_v2(st->db, "PRAGMA integrity_check", -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, e, "检查数据库");
	int r = sqlite3_step(s);
	if (r != SQLITE_ROW)
		rc = db_fail(st, e, "检查数据库");
	else if (strcmp((const char *)sqlite3_column_text(s, 0), "ok") != 0)
		rc = err_set(e, E_DB, NULL, "数据库已损坏：%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return rc;
}

#define BACKUP_STEP 4096 /* pages per step, between progress reports */

enum err_code store_backup(struct store *st, const char *dest, store_progress_fn progress, void *pctx,
			   int64_t *pages, struct err *e)
{
	char part[4096];
	sqlite3 *out = NULL;
	sqlite3_backup *b = NULL;
	enum err_code rc = OK;
	bool snap = false;
	*pages = 0;
	if ((size_t)snprintf(part, sizeof(part), "%s.part", dest) >= sizeof(part))
		return err_set(e, E_INVALID, "out", "备份文件路径过长");
	if (access(dest, F_OK) == 0)
		return err_set(e, E_CONFLICT, "out", "备份文件 %s 已存在，请换一个名字", dest);
	if (!sqlite3_get_autocommit(st->db))
		return err_set(e, E_INTERNAL, NULL, "备份不能在事务中进行");
	unlink(part);
	if (sqlite3_open_v2(part, &out, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		rc = err_set(e, E_IO, "out", "无法创建备份文件 %s：%s", part, out ? sqlite3_errmsg(out) : "内存不足");
		goto done;
	}
	/* one snapshot for every step: a read transaction held from the first page to the last */
	if (sqlite3_exec(st->db, "BEGIN; SELECT count(*) FROM schema_migrations", NULL, NULL, NULL) != SQLITE_OK) {
		rc = db_fail(st, e, "开始备份");
		goto done;
	}
	snap = true;
	if (!(b = sqlite3_backup_init(out, "main", st->db, "main"))) {
		rc = err_set(e, E_IO, "out", "无法开始备份：%s", sqlite3_errmsg(out));
		goto done;
	}
	int r;
	while ((r = sqlite3_backup_step(b, BACKUP_STEP)) == SQLITE_OK || r == SQLITE_BUSY || r == SQLITE_LOCKED) {
		int total = sqlite3_backup_pagecount(b);
		if (progress)
			progress(pctx, "backup", (size_t)(total - sqlite3_backup_remaining(b)), (size_t)total);
		if (r != SQLITE_OK)
			sqlite3_sleep(10);
	}
	*pages = sqlite3_backup_pagecount(b);
	if (progress)
		progress(pctx, "backup", (size_t)*pages, (size_t)*pages);
	if (r != SQLITE_DONE)
		rc = err_set(e, r == SQLITE_FULL ? E_IO : E_DB, "out", "备份失败：%s", sqlite3_errstr(r));
done:
	if (b)
		sqlite3_backup_finish(b);
	if (snap)
		sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
	/* the copy: whole, then durable, then under its name */
	if (rc == OK) {
		sqlite3_stmt *s = NULL;
		if (sqlite3_prepare_v2(out, "PRAGMA integrity_check", -1, &s, NULL) != SQLITE_OK ||
		    sqlite3_step(s) != SQLITE_ROW || strcmp((const char *)sqlite3_column_text(s, 0), "ok") != 0)
			rc = err_set(e, E_DB, "out", "备份副本未通过完整性检查");
		sqlite3_finalize(s);
	}
	if (out && sqlite3_close(out) != SQLITE_OK && rc == OK)
		rc = err_set(e, E_IO, "out", "无法关闭备份文件 %s", part);
	if (rc == OK) {
		int fd = open(part, O_RDONLY);
		if (fd < 0 || fsync(fd) != 0)
			rc = err_set(e, E_IO, "out", "无法写入备份文件 %s：%s", part, strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	if (rc == OK && rename(part, dest) != 0)
		rc = err_set(e, E_IO, "out", "无法把 %s 改名为 %s：%s", part, dest, strerror(errno));
	if (rc != OK)
		unlink(part);
	return rc;
}

int64_t store_units_version(const struct store *st)
{
	return st->units.version;
}

void store_refresh(struct store *st)
{
	struct err e;
	sqlite3_stmt *s = stmt_get(st, ST_UNITS_VERSION, &e);
	int64_t v = -1;
	if (s && sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	stmt_put(st, ST_UNITS_VERSION, s);
	if (v < 0 || v != st->units.version)
		units_forget(st);
	st->units.version = v;
}

/* Step a statement expected to yield at most one unit row; none is E_NOT_FOUND with message missing. */
static enum err_code unit_fetch(struct store *st, enum stmt_id id, sqlite3_stmt *s, struct unit *out,
				struct err *e, const char *missing)
{
	enum err_code rc = OK;
	int r = sqlite3_step(s);
	if (r == SQLITE_ROW)
		unit_read(s, out);
	else if (r == SQLITE_DONE)
		rc = err_set(e, E_NOT_FOUND, NULL, "%s", missing);
	else
		rc = db_fail(st, e, "读取单位");
	stmt_put(st, id, s);
	return rc;
}

enum err_code store_unit_get(struct store *st, const char *code, struct unit *out, struct err *e)
{
	char msg[128];
	uint32_t *hit = code && *code && strlen(code) <= LIMIT_CODE ? units_slot(st, code) : NULL;
	if (hit && *hit) {
		*out = st->units.unit[*hit - 1];
		return OK;
	}
	sqlite3_stmt *s = stmt_get(st, ST_UNIT_GET, e);
	if (!s)
		return E_DB;
	bind_str(s, 1, code);
	snprintf(msg, sizeof(msg), "单位 %.*s 不存在", LIMIT_CODE, code ? code : "");
	enum err_code rc = unit_fetch(st, ST_UNIT_GET, s, out, e, msg);
	if (rc == OK && hit) {
		if (2 * (st->units.n + 1) > UNIT_SLOTS) {
			units_forget(st);
			hit = units_slot(st, code);
		}
		if (st->units.n == st->units.cap) {
			st->units.cap = st->units.cap ? 2 * st->units.cap : 256;
			st->units.unit = xrealloc(st->units.unit, st->units.cap * sizeof(*st->units.unit));
		}
		st->units.unit[st->units.n++] = *out;
		*hit = (uint32_t)st->units.n;
	}
	return rc;
}

/* The department/enterprise with this sector in district's subtree, nearest the district first. */
enum err_code store_unit_by_sector(struct store *st, const char *district, const char *sector,
				   struct unit *out, struct err *e)
{
	char msg[192]; /* the error, written only when the query is asked */
	/* the answer kept from an earlier call, while the tree is unchanged */
	struct sector_slot *slot = NULL;
	if (district && sector && strlen(district) <= LIMIT_CODE && strlen(sector) < sizeof(slot->sector)) {
		size_t h = str_hash(str_hash(STR_HASH_START, district), sector);
		if (!st->units.sectors)
			st->units.sectors = xcalloc(SECTOR_SLOTS, sizeof(*st->units.sectors));
		slot = &st->units.sectors[h & (SECTOR_SLOTS - 1)];
		if (slot->gen == st->units.gen && !strcmp(slot->district, district) && !strcmp(slot->sector, sector)) {
			if (!slot->unit)
				return err_set(e, E_NOT_FOUND, NULL, "单位 %.*s 下没有负责“%.*s”的部门或企业", LIMIT_CODE,
					       district, 32, sector);
			*out = st->units.unit[slot->unit - 1];
			return OK;
		}
	}
	sqlite3_stmt *s = stmt_get(st, ST_UNIT_BY_SECTOR, e);
	if (!s)
		return E_DB;
	bind_str(s, 1, district);
	bind_str(s, 2, sector);
	snprintf(msg, sizeof(msg), "单位 %.*s 下没有负责“%.*s”的部门或企业", LIMIT_CODE,
		 district ? district : "", 32, sector ? sector : "");
	enum err_code rc = unit_fetch(st, ST_UNIT_BY_SECTOR, s, out, e, msg);
	if (!slot || (rc != OK && rc != E_NOT_FOUND))
		return rc;
	/* keep the answer: a unit found goes through the unit cache, which gives its index */
	uint32_t unit = 0;
	if (rc == OK) {
		struct unit u;
		struct err ignored;
		uint32_t *hit = store_unit_get(st, out->code, &u, &ignored) == OK ? units_slot(st, out->code) : NULL;
		if (!hit || !*hit)
			return rc; /* not kept (the unit cache was emptied meanwhile): asked again next time */
		unit = *hit;
	}
	slot->gen = st->units.gen;
	strlcpy_ok(slot->district, district, sizeof(slot->district));
	strlcpy_ok(slot->sector, sector, sizeof(slot->sector));
	slot->unit = unit;
	return rc;
}

enum err_code store_units_list(struct store *st, int kind, const char *parent, unit_fn fn, void *ctx,
			       struct err *e)
{
	sqlite3_stmt *s = stmt_get(st, ST_UNITS_LIST, e);
	enum err_code rc = OK;
	struct unit u;
	int r;
	if (!s)
		return E_DB;
	bind_str(s, 1, kind < 0 ? NULL : unit_kind_name((enum unit_kind)kind));
	bind_str(s, 2, parent);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		unit_read(s, &u);
		if ((rc = (enum err_code)fn(ctx, &u)) != OK)
			goto out;
	}
	if (r != SQLITE_DONE)
		rc = db_fail(st, e, "列出单位");
out:
	stmt_put(st, ST_UNITS_LIST, s);
	return rc;
}

/* Whether any department or enterprise has this sector key. */
enum err_code store_sector_exists(struct store *st, const char *sector, bool *found, struct err *e)
{
	sqlite3_stmt *s = stmt_get(st, ST_SECTOR_EXISTS, e);
	enum err_code rc = OK;
	if (!s)
		return E_DB;
	bind_str(s, 1, sector);
	int r = sqlite3_step(s);
	*found = r == SQLITE_ROW;
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		rc = db_fail(st, e, "查找职责领域");
	stmt_put(st, ST_SECTOR_EXISTS, s);
	return rc;
}

int64_t store_units_count(struct store *st)
{
	struct err ignored;
	sqlite3_stmt *s = stmt_get(st, ST_UNITS_COUNT, &ignored);
	int64_t n = -1;
	if (!s)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	stmt_put(st, ST_UNITS_COUNT, s);
	return n;
}

/* ---- categories, tiers, holidays ---- */

static void category_read(sqlite3_stmt *s, struct category *c)
{
	int tier = tier_parse((const char *)sqlite3_column_text(s, 2));
	memset(c, 0, sizeof(*c));
	c->id = sqlite3_column_int64(s, 0);
	col_text(s, 1, c->path);
	c->tier = tier < 0 ? TIER_GENERAL : (enum tier)tier;
	col_text(s, 3, c->handling);
}

/*
 * id 0: insert, or update the row with the same path; id set: insert or
 * update that id. The row's id is written back to c->id.
 */
enum err_code store_category_put(struct store *st, struct category *c, struct err *e)
{
	enum stmt_id id = c->id ? ST_CATEGORY_SET : ST_CATEGORY_ADD;
	enum err_code rc = OK;
	if (!c->path[0])
		return err_set(e, E_INVALID, "path", "分类路径不能为空");
	if ((unsigned)c->tier >= TIER_COUNT)
		return err_set(e, E_INVALID, "tier", "时限等级不合法");
	sqlite3_stmt *s = stmt_get(st, id, e);
	if (!s)
		return E_DB;
	bind_arr(s, 1, c->path);
	sqlite3_bind_text(s, 2, tier_name(c->tier), -1, SQLITE_STATIC);
	bind_arr(s, 3, c->handling);
	if (c->id)
		sqlite3_bind_int64(s, 4, c->id);
	int r = sqlite3_step(s);
	if (r == SQLITE_ROW)
		c->id = sqlite3_column_int64(s, 0);
	else if (sqlite3_extended_errcode(st->db) == SQLITE_CONSTRAINT_UNIQUE)
		rc = err_set(e, E_CONFLICT, "path", "已有相同路径的分类");
	else
		rc = db_fail(st, e, "写入分类");
	stmt_put(st, id, s);
	return rc;
}

/* Insert a new category (c->id written back); a path already used is E_CONFLICT on "path". */
enum err_code store_category_insert(struct store *st, struct category *c, struct err *e)
{
	enum err_code rc = OK;
	if (!c->path[0])
		return err_set(e, E_INVALID, "path", "分类路径不能为空");
	if ((unsigned)c->tier >= TIER_COUNT)
		return err_set(e, E_INVALID, "tier", "时限等级不合法");
	sqlite3_stmt *s = stmt_get(st, ST_CATEGORY_INSERT, e);
	if (!s)
		return E_DB;
	bind_arr(s, 1, c->path);
	sqlite3_bind_text(s, 2, tier_name(c->tier), -1, SQLITE_STATIC);
	bind_arr(s, 3, c->handling);
	int r = sqlite3_step(s);
	if (r == SQLITE_ROW)
		c->id = sqlite3_column_int64(s, 0);
	else if (sqlite3_extended_errcode(st->db) == SQLITE_CONSTRAINT_UNIQUE)
		rc = err_set(e, E_CONFLICT, "path", "已有路径为 %s 的分类", c->path);
	else
		rc = db_fail(st, e, "写入分类");
	stmt_put(st, ST_CATEGORY_INSERT, s);
	return rc;
}

enum err_code store_category_get(struct store *st, int64_t cid, struct category *out, struct err *e)
{
	sqlite3_stmt *s = stmt_get(st, ST_CATEGORY_GET, e);
	enum err_code rc = OK;
	if (!s)
		return E_DB;
	sqlite3_bind_int64(s, 1, cid);
	int r = sqlite3_step(s);
	if (r == SQLITE_ROW)
		category_read(s, out);
	else if (r == SQLITE_DONE)
		rc = err_set(e, E_NOT_FOUND, NULL, "分类 %lld 不存在", (long long)cid);
	else
		rc = db_fail(st, e, "读取分类");
	stmt_put(st, ST_CATEGORY_GET, s);
	return rc;
}

enum err_code store_categories_list(struct store *st, category_fn fn, void *ctx, struct err *e)
{
	sqlite3_stmt *s = stmt_get(st, ST_CATEGORIES_LIST, e);
	enum err_code rc = OK;
	struct category c;
	int r;
	if (!s)
		return E_DB;
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		category_read(s, &c);
		if ((rc = (enum err_code)fn(ctx, &c)) != OK)
			goto out;
	}
	if (r != SQLITE_DONE)
		rc = db_fail(st, e, "列出分类");
out:
	stmt_put(st, ST_CATEGORIES_LIST, s);
	return rc;
}

enum err_code store_tier_put(struct store *st, const struct tier_rule *t, struct err *e)
{
	enum err_code rc = OK;
	if ((unsigned)t->tier >= TIER_COUNT)
		return err_set(e, E_INVALID, "tier", "时限等级不合法");
	if ((unsigned)t->feedback_unit > SPAN_WORKING_DAYS)
		return err_set(e, E_INVALID, "feedback_unit", "反馈时限的单位不合法");
	sqlite3_stmt *s = stmt_get(st, ST_TIER_PUT, e);
	if (!s)
		return E_DB;
	sqlite3_bind_text(s, 1, tier_name(t->tier), -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, t->dispatch_minutes);
	sqlite3_bind_int(s, 3, t->sign_minutes);
	sqlite3_bind_int(s, 4, t->contact_minutes);
	sqlite3_bind_int(s, 5, t->feedback_amount);
	sqlite3_bind_text(s, 6, span_unit_name(t->feedback_unit), -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 7, t->warn_percent);
	sqlite3_bind_text(s, 8, t->redispatch_keeps_due ? "keep" : "restart", -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = db_fail(st, e, "写入时限规则");
	stmt_put(st, ST_TIER_PUT, s);
	return rc;
}

/*
 * Overwrite out[t] for every tier t that has a stored rule; the others keep
 * what the caller put there (its defaults), and E_NOT_FOUND names the first.
 */
enum err_code store_tiers_load(struct store *st, struct tier_rule out[TIER_COUNT], struct err *e)
{
	sqlite3_stmt *s = stmt_get(st, ST_TIERS_LOAD, e);
	bool seen[TIER_COUNT] = {false};
	enum err_code rc = OK;
	int r;
	if (!s)
		return E_DB;
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		int t = tier_parse((const char *)sqlite3_column_text(s, 0));
		int u = span_unit_parse((const char *)sqlite3_column_text(s, 5));
		if (t < 0 || u < 0)
			continue; /* CHECK constraints make this unreachable */
		out[t].tier = (enum tier)t;
		out[t].dispatch_minutes = sqlite3_column_int(s, 1);
		out[t].sign_minutes = sqlite3_column_int(s, 2);
		out[t].contact_minutes = sqlite3_column_int(s, 3);
		out[t].feedback_amount = sqlite3_column_int(s, 4);
		out[t].feedback_unit = (enum span_unit)u;
		out[t].warn_percent = sqlite3_column_int(s, 6);
		out[t].redispatch_keeps_due = !strcmp((const char *)sqlite3_column_text(s, 7), "keep");
		seen[t] = true;
	}
	if (r != SQLITE_DONE) {
		rc = db_fail(st, e, "读取时限规则");
		goto out;
	}
	for (int i = 0; i < TIER_COUNT; i++)
		if (!seen[i]) {
			rc = err_set(e, E_NOT_FOUND, NULL, "时限等级 %s 尚未配置规则",
				     tier_name((enum tier)i));
			goto out;
		}
out:
	stmt_put(st, ST_TIERS_LOAD, s);
	return rc;
}

enum err_code store_holiday_put(struct store *st, const struct holiday *h, struct err *e)
{
	sqlite3_stmt *s = stmt_get(st, ST_HOLIDAY_PUT, e);
	enum err_code rc = OK;
	if (!s)
		return E_DB;
	sqlite3_bind_int64(s, 1, h->day);
	sqlite3_bind_int(s, 2, h->work ? 1 : 0);
	bind_arr(s, 3, h->name);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = db_fail(st, e, "写入节假日");
	stmt_put(st, ST_HOLIDAY_PUT, s);
	return rc;
}

/* Delete the entry of one day; E_NOT_FOUND if the calendar has none. */
enum err_code store_holiday_delete(struct store *st, int64_t day, struct err *e)
{
	sqlite3_stmt *s = stmt_get(st, ST_HOLIDAY_DELETE, e);
	enum err_code rc = OK;
	if (!s)
		return E_DB;
	sqlite3_bind_int64(s, 1, day);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = db_fail(st, e, "删除节假日");
	else if (sqlite3_changes(st->db) == 0)
		rc = err_set(e, E_NOT_FOUND, "date", "日历中没有这一天");
	stmt_put(st, ST_HOLIDAY_DELETE, s);
	return rc;
}

enum err_code store_holidays_list(struct store *st, holiday_fn fn, void *ctx, struct err *e)
{
	sqlite3_stmt *s = stmt_get(st, ST_HOLIDAYS_LIST, e);
	enum err_code rc = OK;
	struct holiday h;
	int r;
	if (!s)
		return E_DB;
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&h, 0, sizeof(h));
		h.day = sqlite3_column_int64(s, 0);
		h.work = sqlite3_column_int(s, 1) != 0;
		col_text(s, 2, h.name);
		if ((rc = (enum err_code)fn(ctx, &h)) != OK)
			goto out;
	}
	if (r != SQLITE_DONE)
		rc = db_fail(st, e, "列出节假日");
out:
	stmt_put(st, ST_HOLIDAYS_LIST, s);
	return rc;
}

/* ---- users and tokens ---- */

/* Insert u (id 0 → assigned and written back). A duplicate login is E_CONFLICT on "login". */
enum err_code store_user_insert(struct store *st, struct user *u, struct err *e)
{
	enum err_code rc = OK;
	if (!u->login[0])
		return err_set(e, E_INVALID, "login", "登录名不能为空");
	if ((unsigned)u->role >= ROLE_COUNT)
		return err_set(e, E_INVALID, "role", "角色不合法");
	sqlite3_stmt *s = stmt_get(st, ST_USER_INSERT, e);
	if (!s)
		return E_DB;
	if (u->id)
		sqlite3_bind_int64(s, 1, u->id);
	bind_arr(s, 2, u->login);
	bind_arr(s, 3, u->name);
	bind_arr(s, 4, u->pw_hash);
	bind_arr_or_null(s, 5, u->unit); /* NULL: no unit, so the foreign key is not checked */
	sqlite3_bind_text(s, 6, role_name(u->role), -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 7, u->active ? 1 : 0);
	sqlite3_bind_int64(s, 8, u->created_at);
	if (sqlite3_step(s) == SQLITE_DONE) {
		u->id = sqlite3_last_insert_rowid(st->db);
		goto out;
	}
	switch (sqlite3_extended_errcode(st->db)) {
	case SQLITE_CONSTRAINT_UNIQUE:
		rc = err_set(e, E_CONFLICT, "login", "登录名已被使用");
		break;
	case SQLITE_CONSTRAINT_PRIMARYKEY:
		rc = err_set(e, E_CONFLICT, "id", "用户编号 %lld 已存在", (long long)u->id);
		break;
	case SQLITE_CONSTRAINT_FOREIGNKEY:
		rc = err_set(e, E_INVALID, "unit", "单位 %.*s 不存在", LIMIT_CODE, u->unit);
		break;
	default:
		rc = db_fail(st, e, "写入用户");
	}
out:
	stmt_put(st, ST_USER_INSERT, s);
	return rc;
}

/* The user row at s (columns id, login, name, pw_hash, unit, role, active, created_at). */
static void user_read(sqlite3_stmt *s, struct user *out)
{
	int role = role_parse((const char *)sqlite3_column_text(s, 5));
	memset(out, 0, sizeof(*out));
	out->id = sqlite3_column_int64(s, 0);
	col_text(s, 1, out->login);
	col_text(s, 2, out->name);
	col_text(s, 3, out->pw_hash);
	col_text(s, 4, out->unit);
	out->role = role < 0 ? ROLE_AGENT : (enum role)role;
	out->active = sqlite3_column_int(s, 6) != 0;
	out->created_at = sqlite3_column_int64(s, 7);
}

/* Step a user lookup; absent is E_NOT_FOUND with the given message. */
/* missing_id: the id looked up, for the message when there is no such user (0: looked up by login) */
static enum err_code user_fetch(struct store *st, enum stmt_id id, sqlite3_stmt *s, struct user *out,
				struct err *e, int64_t missing_id)
{
	enum err_code rc = OK;
	int r = sqlite3_step(s);
	if (r == SQLITE_ROW) {
		user_read(s, out);
	} else if (r == SQLITE_DONE) {
		rc = missing_id ? err_set(e, E_NOT_FOUND, NULL, "用户 %lld 不存在", (long long)missing_id)
				: err_set(e, E_NOT_FOUND, NULL, "用户不存在");
	} else {
		rc = db_fail(st, e, "读取用户");
	}
	stmt_put(st, id, s);
	return rc;
}

enum err_code store_user_by_login(struct store *st, const char *login, struct user *out, struct err *e)
{
	sqlite3_stmt *s = stmt_get(st, ST_USER_BY_LOGIN, e);
	if (!s)
		return E_DB;
	bind_str(s, 1, login);
	return user_fetch(st, ST_USER_BY_LOGIN, s, out, e, 0);
}

enum err_code store_user_by_id(struct store *st, int64_t id, struct user *out, struct err *e)
{
	sqlite3_stmt *s = stmt_get(st, ST_USER_BY_ID, e);
	if (!s)
		return E_DB;
	sqlite3_bind_int64(s, 1, id);
	return user_fetch(st, ST_USER_BY_ID, s, out, e, id);
}

enum err_code store_token_insert(struct store *st, const char *token_hash, int64_t user_id, int64_t created,
				 int64_t expires, struct err *e)
{
	sqlite3_stmt *s = stmt_get(st, ST_TOKEN_INSERT, e);
	enum err_code rc = OK;
	if (!s)
		return E_DB;
	bind_str(s, 1, token_hash);
	sqlite3_bind_int64(s, 2, user_id);
	sqlite3_bind_int64(s, 3, created);
	sqlite3_bind_int64(s, 4, expires);
	if (sqlite3_step(s) != SQLITE_DONE) {
		int x = sqlite3_extended_errcode(st->db);
		if (x == SQLITE_CONSTRAINT_FOREIGNKEY)
			rc = err_set(e, E_INVALID, "user_id", "用户 %lld 不存在", (long long)user_id);
		else if (x == SQLITE_CONSTRAINT_PRIMARYKEY)
			rc = err_set(e, E_CONFLICT, NULL, "登录令牌已存在");
		else
			rc = db_fail(st, e, "写入登录令牌");
	}
	stmt_put(st, ST_TOKEN_INSERT, s);
	return rc;
}

enum err_code store_token_get(struct store *st, const char *token_hash, int64_t *user_id, int64_t *expires,
			      struct err *e)
{
	sqlite3_stmt *s = stmt_get(st, ST_TOKEN_GET, e);
	enum err_code rc = OK;
	if (!s)
		return E_DB;
	bind_str(s, 1, token_hash);
	int r = sqlite3_step(s);
	if (r == SQLITE_ROW) {
		*user_id = sqlite3_column_int64(s, 0);
		*expires = sqlite3_column_int64(s, 1);
	} else if (r == SQLITE_DONE) {
		rc = err_set(e, E_NOT_FOUND, NULL, "登录令牌不存在");
	} else {
		rc = db_fail(st, e, "读取登录令牌");
	}
	stmt_put(st, ST_TOKEN_GET, s);
	return rc;
}

/* Delete a token; deleting one that does not exist is not an error (logout is idempotent). */
enum err_code store_token_delete(struct store *st, const char *token_hash, struct err *e)
{
	sqlite3_stmt *s = stmt_get(st, ST_TOKEN_DELETE, e);
	enum err_code rc = OK;
	if (!s)
		return E_DB;
	bind_str(s, 1, token_hash);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = db_fail(st, e, "删除登录令牌");
	stmt_put(st, ST_TOKEN_DELETE, s);
	return rc;
}

/* Delete every token of a user (their sessions end at once). */
enum err_code store_tokens_delete_user(struct store *st, int64_t user_id, struct err *e)
{
	sqlite3_stmt *s = stmt_get(st, ST_TOKENS_DELETE_USER, e);
	enum err_code rc = OK;
	if (!s)
		return E_DB;
	sqlite3_bind_int64(s, 1, user_id);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = db_fail(st, e, "撤销登录令牌");
	stmt_put(st, ST_TOKENS_DELETE_USER, s);
	return rc;
}

/* Rewrite name, pw_hash, unit, role and active of the user with u->id; login and created_at stay. */
enum err_code store_user_update(struct store *st, const struct user *u, struct err *e)
{
	enum err_code rc = OK;
	if ((unsigned)u->role >= ROLE_COUNT)
		return err_set(e, E_INVALID, "role", "角色不合法");
	sqlite3_stmt *s = stmt_get(st, ST_USER_UPDATE, e);
	if (!s)
		return E_DB;
	sqlite3_bind_int64(s, 1, u->id);
	bind_arr(s, 2, u->name);
	bind_arr(s, 3, u->pw_hash);
	bind_arr_or_null(s, 4, u->unit);
	sqlite3_bind_text(s, 5, role_name(u->role), -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 6, u->active ? 1 : 0);
	if (sqlite3_step(s) != SQLITE_DONE) {
		if (sqlite3_extended_errcode(st->db) == SQLITE_CONSTRAINT_FOREIGNKEY)
			rc = err_set(e, E_INVALID, "unit", "单位 %.*s 不存在", LIMIT_CODE, u->unit);
		else
			rc = db_fail(st, e, "修改用户");
	} else if (sqlite3_changes(st->db) == 0) {
		rc = err_set(e, E_NOT_FOUND, "id", "用户 %lld 不存在", (long long)u->id);
	}
	stmt_put(st, ST_USER_UPDATE, s);
	return rc;
}

enum err_code store_users_list(struct store *st, const char *unit_path, int page, int per_page, user_fn fn,
			       void *ctx, int64_t *total, struct err *e)
{
	char hi[LIMIT_PATH + 1];
	const char *upper = NULL;
	enum err_code rc = OK;
	struct user u;
	int r;

	if (unit_path && strlen(unit_path) > LIMIT_PATH)
		return err_set(e, E_INVALID, "unit", "单位路径过长");
	if (unit_path)
		upper = prefix_upper(unit_path, hi);
	if (total) {
		sqlite3_stmt *c = stmt_get(st, ST_USERS_COUNT, e);
		if (!c)
			return E_DB;
		bind_str(c, 1, unit_path);
		bind_str(c, 2, upper);
		if (sqlite3_step(c) == SQLITE_ROW)
			*total = sqlite3_column_int64(c, 0);
		else
			rc = db_fail(st, e, "统计用户");
		stmt_put(st, ST_USERS_COUNT, c);
		if (rc != OK)
			return rc;
	}
	sqlite3_stmt *s = stmt_get(st, ST_USERS_LIST, e);
	if (!s)
		return E_DB;
	bind_str(s, 1, unit_path);
	bind_str(s, 2, upper);
	sqlite3_bind_int(s, 3, per_page > 0 ? per_page : -1);
	sqlite3_bind_int64(s, 4, per_page > 0 && page > 1 ? (int64_t)(page - 1) * per_page : 0);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		user_read(s, &u);
		if ((rc = (enum err_code)fn(ctx, &u)) != OK)
			goto out;
	}
	if (r != SQLITE_DONE)
		rc = db_fail(st, e, "列出用户");
out:
	stmt_put(st, ST_USERS_LIST, s);
	return rc;
}

/* ---- cases ---- */

/* A fixed-size char array as a JSON string (never reading past its end). */
#define json_arr(arr) json_stringn((arr), strnlen((arr), sizeof(arr)))

/* Set key of object o to v (a new reference, NULL when it could not be made); false on failure. */
static bool json_put(json_t *o, const char *key, json_t *v)
{
	return v && json_object_set_new(o, key, v) == 0;
}

/*
 * The tasks (or supervisions) of c as compact JSON text: an array of
 * objects with one key per struct field, in struct order. The caller
 * frees the text. NULL when a text field is not valid UTF-8.
 */
static char *tasks_json(const struct case_rec *c)
{
	json_t *a = json_array();
	bool ok = true;
	for (int i = 0; ok && i < c->ntasks; i++) {
		const struct case_task *t = &c->tasks[i];
		json_t *o = json_object();
		ok = json_put(o, "no", json_integer(t->no)) &&
		     json_put(o, "kind", json_string(task_kind_name(t->kind))) &&
		     json_put(o, "unit", json_arr(t->unit)) && json_put(o, "by_unit", json_arr(t->by_unit)) &&
		     json_put(o, "at", json_integer(t->at)) &&
		     json_put(o, "report_due", json_integer(t->report_due)) &&
		     json_put(o, "reported_at", json_integer(t->reported_at)) &&
		     json_put(o, "on_site", json_boolean(t->on_site)) &&
		     json_put(o, "finished_at", json_integer(t->finished_at)) &&
		     json_put(o, "rated_at", json_integer(t->rated_at)) &&
		     json_put(o, "rating", json_pack("[iii]", t->rating[0], t->rating[1], t->rating[2]));
		json_array_append_new(a, o);
	}
	char *text = ok ? json_dumps(a, JSON_COMPACT) : NULL;
	json_decref(a);
	return text;
}

static char *supervisions_json(const struct case_rec *c)
{
	json_t *a = json_array();
	bool ok = true;
	for (int i = 0; ok && i < c->nsupervisions; i++) {
		const struct case_supervision *v = &c->supervisions[i];
		json_t *o = json_object();
		ok = json_put(o, "no", json_integer(v->no)) && json_put(o, "unit", json_arr(v->unit)) &&
		     json_put(o, "at", json_integer(v->at)) && json_put(o, "due", json_integer(v->due)) &&
		     json_put(o, "answered_at", json_integer(v->answered_at));
		json_array_append_new(a, o);
	}
	char *text = ok ? json_dumps(a, JSON_COMPACT) : NULL;
	json_decref(a);
	return text;
}

/*
 * One column's value as it is bound: SQLite's type (SQLITE_INTEGER,
 * SQLITE_FLOAT, SQLITE_TEXT or SQLITE_NULL) and the value. Texts point
 * into the record (or the tasks/supervisions JSON) and must outlive the
 * statement's step.
 */
struct col_val {
	int type;
	int64_t i;
	double d;
	const char *t;
	int n; /* bytes of t */
};

static void val_int(struct col_val *v, int64_t i)
{
	*v = (struct col_val){.type = SQLITE_INTEGER, .i = i};
}

static void val_text_n(struct col_val *v, const char *t, size_t n)
{
	*v = (struct col_val){.type = SQLITE_TEXT, .t = t, .n = (int)n};
}
#define val_text(v, t) val_text_n((v), (t), strlen(t))
/* A fixed-size char array, never read past its end. */
#define val_arr(v, arr) val_text_n((v), (arr), strnlen((arr), sizeof(arr)))

/*
 * Every column of c, in the order of enum case_col: the id is NULL when 0
 * (so SQLite assigns one). tasks/supervisions are the JSON texts of the
 * arrays.
 */
static void case_values(const struct case_rec *c, const char *tasks, const char *supervisions,
			struct col_val v[CC_COUNT])
{
	int warned = 0, overdue = 0;
	if (c->id)
		val_int(&v[CC_ID], c->id);
	else
		v[CC_ID] = (struct col_val){.type = SQLITE_NULL};
	val_int(&v[CC_SEQ], c->seq);
	val_text(&v[CC_STATUS], case_status_name(c->status));
	val_text(&v[CC_TYPE], case_type_name(c->type));
	val_arr(&v[CC_CHANNEL], c->channel);
	val_arr(&v[CC_TITLE], c->title);
	val_arr(&v[CC_CONTENT], c->content);
	val_arr(&v[CC_ADDRESS], c->address);
	if (c->has_location) {
		v[CC_LAT] = (struct col_val){.type = SQLITE_FLOAT, .d = c->lat};
		v[CC_LON] = (struct col_val){.type = SQLITE_FLOAT, .d = c->lon};
	} else {
		v[CC_LAT] = v[CC_LON] = (struct col_val){.type = SQLITE_NULL};
	}
	val_arr(&v[CC_CRS], c->crs);
	val_int(&v[CC_CATEGORY], c->category_id);
	val_text(&v[CC_TIER], tier_name(c->tier));
	val_arr(&v[CC_REQ_NAME], c->req_name);
	val_arr(&v[CC_REQ_PHONE], c->req_phone);
	val_int(&v[CC_CONFIDENTIAL], c->confidential ? 1 : 0);
	val_arr(&v[CC_DISTRICT], c->district);
	val_arr(&v[CC_STREET], c->street);
	val_arr(&v[CC_COMMUNITY], c->community);
	val_arr(&v[CC_LEAD_UNIT], c->lead_unit);
	val_arr(&v[CC_REFERRAL], c->referral);
	val_arr(&v[CC_ANSWER], c->answer);
	val_arr(&v[CC_RESULT], c->result);
	val_int(&v[CC_SOLVED], c->solved);
	val_int(&v[CC_CREATED_BY], c->created_by);
	val_arr(&v[CC_CREATED_UNIT], c->created_unit);
	val_int(&v[CC_CREATED_AT], c->created_at);
	val_int(&v[CC_UPDATED_AT], c->updated_at);
	val_int(&v[CC_CLOSED_AT], c->closed_at);
	for (int k = 0; k < CLOCK_COUNT; k++) {
		const struct case_clock *ck = &c->clocks[k];
		struct col_val *b = &v[CC_CLOCKS + 4 * k];
		val_int(&b[0], ck->start);
		val_int(&b[1], ck->due);
		val_int(&b[2], ck->warn_at);
		val_int(&b[3], ck->done_at);
		warned |= ck->warned ? 1 << k : 0;
		overdue |= ck->overdue ? 1 << k : 0;
	}
	val_int(&v[CC_WARNED], warned);
	val_int(&v[CC_OVERDUE], overdue);
	val_int(&v[CC_NEXT_CHECK], c->next_check_at);
	val_int(&v[CC_NWHISTLES], c->nwhistles);
	val_int(&v[CC_NSUBDISPATCHES], c->nsubdispatches);
	val_text(&v[CC_TASKS], tasks);
	val_text(&v[CC_SUPERVISIONS], supervisions);
	val_text(&v[CC_RETURN_FROM], case_status_name(c->return_from));
	val_arr(&v[CC_RETURN_REASON], c->return_reason);
	val_int(&v[CC_RETURNS], c->returns);
	val_int(&v[CC_EXTENSIONS], c->extensions);
	val_int(&v[CC_REOPENS], c->reopens);
	val_int(&v[CC_EXTENSION_DUE], c->extension_due);
	val_int(&v[CC_ESCALATION], c->escalation);
	val_int(&v[CC_PARKED_UNTIL], c->parked_until);
	val_int(&v[CC_MERGED_INTO], c->merged_into);
	val_int(&v[CC_REPEAT_OF], c->repeat_of);
	val_text(&v[CC_SCOPE], scope_name(c->scope));
	val_int(&v[CC_EXCLUSION_REQUESTED], c->exclusion_requested);
	val_int(&v[CC_CALLBACK_AT], c->callback_at);
	val_int(&v[CC_CALLBACK_VALID], c->callback_valid ? 1 : 0);
	val_int(&v[CC_CALLBACK_CONTACTED], c->callback_contacted);
	val_int(&v[CC_CALLBACK_SOLVED], c->callback_solved);
	val_text(&v[CC_CALLBACK_SATISFACTION], satisfaction_name(c->callback_satisfaction));
}

/* Bind v as parameter ?i. */
static void val_bind(sqlite3_stmt *s, int i, const struct col_val *v)
{
	switch (v->type) {
	case SQLITE_INTEGER:
		sqlite3_bind_int64(s, i, v->i);
		break;
	case SQLITE_FLOAT:
		sqlite3_bind_double(s, i, v->d);
		break;
	case SQLITE_TEXT:
		sqlite3_bind_text(s, i, v->t, v->n, SQLITE_STATIC);
		break;
	default:
		sqlite3_bind_null(s, i);
	}
}

static bool val_equal(const struct col_val *a, const struct col_val *b)
{
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case SQLITE_INTEGER:
		return a->i == b->i;
	case SQLITE_FLOAT:
		return memcmp(&a->d, &b->d, sizeof(a->d)) == 0;
	case SQLITE_TEXT:
		return a->n == b->n && memcmp(a->t, b->t, (size_t)a->n) == 0;
	default:
		return true;
	}
}

/* Copy a JSON string member into a fixed-size array; false if absent, not a string, or too long. */
static bool json_get_text(json_t *o, const char *key, char *dst, size_t size)
{
	const char *v = json_string_value(json_object_get(o, key));
	return v && strlcpy_ok(dst, v, size);
}

/* A JSON integer member into *out; false if absent or not an integer. */
static bool json_get_int64(json_t *o, const char *key, int64_t *out)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_integer(v))
		return false;
	*out = json_integer_value(v);
	return true;
}

static bool json_get_int(json_t *o, const char *key, int *out)
{
	int64_t v;
	if (!json_get_int64(o, key, &v) || v < INT32_MIN || v > INT32_MAX)
		return false;
	*out = (int)v;
	return true;
}

/* Read one task object written by tasks_json(); false if any field is missing or malformed. */
static bool task_from_json(json_t *o, struct case_task *t)
{
	const char *kind = json_string_value(json_object_get(o, "kind"));
	json_t *rating = json_object_get(o, "rating");
	json_t *on_site = json_object_get(o, "on_site");
	if (!kind || !json_is_boolean(on_site) || !json_is_array(rating) || json_array_size(rating) != 3)
		return false;
	if (!strcmp(kind, "whistle"))
		t->kind = TASK_WHISTLE;
	else if (!strcmp(kind, "subdispatch"))
		t->kind = TASK_SUBDISPATCH;
	else
		return false;
	t->on_site = json_is_true(on_site);
	for (int k = 0; k < 3; k++) {
		json_t *r = json_array_get(rating, (size_t)k);
		if (!json_is_integer(r))
			return false;
		t->rating[k] = (int)json_integer_value(r);
	}
	return json_get_int(o, "no", &t->no) && json_get_text(o, "unit", t->unit, sizeof(t->unit)) &&
	       json_get_text(o, "by_unit", t->by_unit, sizeof(t->by_unit)) &&
	       json_get_int64(o, "at", &t->at) && json_get_int64(o, "report_due", &t->report_due) &&
	       json_get_int64(o, "reported_at", &t->reported_at) &&
	       json_get_int64(o, "finished_at", &t->finished_at) &&
	       json_get_int64(o, "rated_at", &t->rated_at);
}

static bool supervision_from_json(json_t *o, struct case_supervision *v)
{
	return json_get_int(o, "no", &v->no) && json_get_text(o, "unit", v->unit, sizeof(v->unit)) &&
	       json_get_int64(o, "at", &v->at) && json_get_int64(o, "due", &v->due) &&
	       json_get_int64(o, "answered_at", &v->answered_at);
}

/*
 * Read the tasks_json and supervisions_json columns of the current row
 * into c. A text that is not an array of well-formed objects, or longer
 * than MAX_TASKS/MAX_SUPERVISIONS, is E_DB: the store wrote something it
 * cannot read back.
 */
static enum err_code case_arrays_read(sqlite3_stmt *s, struct case_rec *c, struct err *e)
{
	const char *tt = (const char *)sqlite3_column_text(s, CC_TASKS);
	const char *vt = (const char *)sqlite3_column_text(s, CC_SUPERVISIONS);
	if ((!tt || !strcmp(tt, "[]")) && (!vt || !strcmp(vt, "[]"))) { /* most cases: nothing to parse */
		c->ntasks = c->nsupervisions = 0;
		return OK;
	}
	json_t *tasks = json_loads(tt ? tt : "[]", 0, NULL);
	json_t *sups = json_loads(vt ? vt : "[]", 0, NULL);
	size_t i;
	json_t *o;
	bool ok = json_is_array(tasks) && json_array_size(tasks) <= MAX_TASKS && json_is_array(sups) &&
		  json_array_size(sups) <= MAX_SUPERVISIONS;
	if (ok) {
		json_array_foreach(tasks, i, o) {
			if (!(ok = json_is_object(o) && task_from_json(o, &c->tasks[i])))
				break;
		}
	}
	if (ok) {
		json_array_foreach(sups, i, o) {
			if (!(ok = json_is_object(o) && supervision_from_json(o, &c->supervisions[i])))
				break;
		}
	}
	if (ok) {
		c->ntasks = (int)json_array_size(tasks);
		c->nsupervisions = (int)json_array_size(sups);
	}
	json_decref(tasks);
	json_decref(sups);
	if (!ok)
		return err_set(e, E_DB, NULL, "案件 %lld 的任务或督办记录无法读取", (long long)c->id);
	return OK;
}

/* Read the copy units of case c->id (ordered as written) into c->copies. */
static enum err_code case_copies_read(struct store *st, struct case_rec *c, struct err *e)
{
	sqlite3_stmt *s = stmt_get(st, ST_LINKS_COPIES, e);
	enum err_code rc = OK;
	int r;
	if (!s)
		return E_DB;
	sqlite3_bind_int64(s, 1, c->id);
	c->ncopies = 0;
	while ((r = sqlite3_step(s)) == SQLITE_ROW)
		if (c->ncopies < MAX_COPY_UNITS)
			col_text(s, 0, c->copies[c->ncopies++]);
	if (r != SQLITE_DONE)
		rc = db_fail(st, e, "读取案件的抄送单位");
	stmt_put(st, ST_LINKS_COPIES, s);
	return rc;
}

/* Fill c from the current row of a CASE_SELECT statement, then read its copies unless !copies. */
static enum err_code case_read(struct store *st, sqlite3_stmt *s, struct case_rec *c, bool copies, struct err *e)
{
	int status = case_status_parse((const char *)sqlite3_column_text(s, CC_STATUS));
	int type = case_type_parse((const char *)sqlite3_column_text(s, CC_TYPE));
	int tier = tier_parse((const char *)sqlite3_column_text(s, CC_TIER));
	memset(c, 0, sizeof(*c));
	c->id = sqlite3_column_int64(s, CC_ID);
	if (status < 0 || type < 0 || tier < 0)
		return err_set(e, E_DB, NULL, "案件 %lld 的状态、类型或时限等级无法识别", (long long)c->id);
	c->seq = sqlite3_column_int(s, CC_SEQ);
	c->status = (enum case_status)status;
	c->type = (enum case_type)type;
	col_text(s, CC_CHANNEL, c->channel);
	col_text(s, CC_TITLE, c->title);
	col_text(s, CC_CONTENT, c->content);
	col_text(s, CC_ADDRESS, c->address);
	c->has_location = sqlite3_column_type(s, CC_LAT) != SQLITE_NULL;
	c->lat = sqlite3_column_double(s, CC_LAT);
	c->lon = sqlite3_column_double(s, CC_LON);
	col_text(s, CC_CRS, c->crs);
	c->category_id = sqlite3_column_int64(s, CC_CATEGORY);
	c->tier = (enum tier)tier;
	col_text(s, CC_REQ_NAME, c->req_name);
	col_text(s, CC_REQ_PHONE, c->req_phone);
	c->confidential = sqlite3_column_int(s, CC_CONFIDENTIAL) != 0;
	col_text(s, CC_DISTRICT, c->district);
	col_text(s, CC_STREET, c->street);
	col_text(s, CC_COMMUNITY, c->community);
	col_text(s, CC_LEAD_UNIT, c->lead_unit);
	col_text(s, CC_REFERRAL, c->referral);
	col_text(s, CC_ANSWER, c->answer);
	col_text(s, CC_RESULT, c->result);
	c->solved = sqlite3_column_int(s, CC_SOLVED);
	c->created_by = sqlite3_column_int64(s, CC_CREATED_BY);
	col_text(s, CC_CREATED_UNIT, c->created_unit);
	c->created_at = sqlite3_column_int64(s, CC_CREATED_AT);
	c->updated_at = sqlite3_column_int64(s, CC_UPDATED_AT);
	c->closed_at = sqlite3_column_int64(s, CC_CLOSED_AT);
	int warned = sqlite3_column_int(s, CC_WARNED), overdue = sqlite3_column_int(s, CC_OVERDUE);
	for (int k = 0; k < CLOCK_COUNT; k++) {
		struct case_clock *ck = &c->clocks[k];
		int base = CC_CLOCKS + 4 * k;
		ck->start = sqlite3_column_int64(s, base);
		ck->due = sqlite3_column_int64(s, base + 1);
		ck->warn_at = sqlite3_column_int64(s, base + 2);
		ck->done_at = sqlite3_column_int64(s, base + 3);
		ck->warned = warned & (1 << k);
		ck->overdue = overdue & (1 << k);
	}
	c->next_check_at = sqlite3_column_int64(s, CC_NEXT_CHECK);

	int return_from = case_status_parse((const char *)sqlite3_column_text(s, CC_RETURN_FROM));
	int scope = scope_parse((const char *)sqlite3_column_text(s, CC_SCOPE));
	int sat = satisfaction_parse((const char *)sqlite3_column_text(s, CC_CALLBACK_SATISFACTION));
	if (return_from < 0 || scope < 0 || sat < 0)
		return err_set(e, E_DB, NULL, "案件 %lld 的退回状态、考核范围或满意度无法识别",
			       (long long)c->id);
	enum err_code rc = case_arrays_read(s, c, e);
	if (rc != OK)
		return rc;
	c->nwhistles = sqlite3_column_int(s, CC_NWHISTLES);
	c->nsubdispatches = sqlite3_column_int(s, CC_NSUBDISPATCHES);
	c->return_from = (enum case_status)return_from;
	col_text(s, CC_RETURN_REASON, c->return_reason);
	c->returns = sqlite3_column_int(s, CC_RETURNS);
	c->extensions = sqlite3_column_int(s, CC_EXTENSIONS);
	c->reopens = sqlite3_column_int(s, CC_REOPENS);
	c->extension_due = sqlite3_column_int64(s, CC_EXTENSION_DUE);
	c->escalation = sqlite3_column_int(s, CC_ESCALATION);
	c->parked_until = sqlite3_column_int64(s, CC_PARKED_UNTIL);
	c->merged_into = sqlite3_column_int64(s, CC_MERGED_INTO);
	c->repeat_of = sqlite3_column_int64(s, CC_REPEAT_OF);
	c->scope = (enum assess_scope)scope;
	c->exclusion_requested = sqlite3_column_int(s, CC_EXCLUSION_REQUESTED);
	c->callback_at = sqlite3_column_int64(s, CC_CALLBACK_AT);
	c->callback_valid = sqlite3_column_int(s, CC_CALLBACK_VALID) != 0;
	c->callback_contacted = sqlite3_column_int(s, CC_CALLBACK_CONTACTED);
	c->callback_solved = sqlite3_column_int(s, CC_CALLBACK_SOLVED);
	c->callback_satisfaction = (enum satisfaction)sat;
	return copies ? case_copies_read(st, c, e) : OK;
}

/* Upsert one case_units row. */
static enum err_code case_link_put(struct store *st, int64_t case_id, const char *unit, const char *rel,
				   int pos, struct err *e)
{
	sqlite3_stmt *s = stmt_get(st, ST_LINK_PUT, e);
	enum err_code rc = OK;
	if (!s)
		return E_DB;
	sqlite3_bind_int64(s, 1, case_id);
	sqlite3_bind_text(s, 2, unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, rel, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 4, pos);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = db_fail(st, e, "写入案件的单位");
	stmt_put(st, ST_LINK_PUT, s);
	return rc;
}

/* Link a task's unit as 'summoned', unless it already has a stronger link (lead, copy). */
static enum err_code case_link_summon(struct store *st, int64_t case_id, const char *unit, struct err *e)
{
	sqlite3_stmt *s = stmt_get(st, ST_LINK_SUMMON, e);
	enum err_code rc = OK;
	if (!s)
		return E_DB;
	sqlite3_bind_int64(s, 1, case_id);
	sqlite3_bind_text(s, 2, unit, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = db_fail(st, e, "写入案件的单位");
	stmt_put(st, ST_LINK_SUMMON, s);
	return rc;
}

/*
 * Who may see case c: each unit at or above its lead, copy and summoned
 * units and the unit that recorded it, but the centre, as SCOPE_ROWS
 * derives them for every link (rows are only added, as links are: a
 * former link's rows were written when it was current, and a unit's move
 * moves them, scope_move). Here from the cached units, not by SQL, one
 * insert per unit: the derivation in SQL was a quarter of the writer's
 * time for a case dispatched at intake.
 */
static enum err_code scope_write(struct store *st, int64_t case_id, const struct case_rec *c, struct err *e)
{
	const char *links[2 + MAX_COPY_UNITS + MAX_TASKS];
	char done[4 * ARRAY_SIZE(links)][LIMIT_CODE + 1];
	size_t nlinks = 0, ndone = 0;
	struct unit u, above;
	struct err ignore;
	links[nlinks++] = c->lead_unit;
	links[nlinks++] = c->created_unit;
	for (int i = 0; i < c->ncopies && i < MAX_COPY_UNITS; i++)
		links[nlinks++] = c->copies[i];
	for (int i = 0; i < c->ntasks && i < MAX_TASKS; i++)
		links[nlinks++] = c->tasks[i].unit;
	for (size_t i = 0; i < nlinks; i++) {
		if (!links[i][0] || store_unit_get(st, links[i], &u, &ignore) != OK)
			continue;
		for (const char *p = u.path; *p == '/' && p[1];) {
			size_t n = strcspn(++p, "/");
			char code[LIMIT_CODE + 1];
			snprintf(code, sizeof(code), "%.*s", (int)(n <= LIMIT_CODE ? n : LIMIT_CODE), p);
			p += n;
			size_t k = 0;
			while (k < ndone && strcmp(done[k], code))
				k++;
			if (k < ndone)
				continue;
			if (ndone < ARRAY_SIZE(done)) /* else written again, and ignored */
				memcpy(done[ndone++], code, sizeof(code));
			if (store_unit_get(st, code, &above, &ignore) != OK || above.kind == UNIT_CENTRE)
				continue;
			sqlite3_stmt *s = stmt_get(st, ST_SCOPE_PUT, e);
			if (!s)
				return E_DB;
			sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
			sqlite3_bind_int64(s, 2, case_id);
			enum err_code rc = sqlite3_step(s) == SQLITE_DONE ? OK : db_fail(st, e, "写入案件的可见范围");
			stmt_put(st, ST_SCOPE_PUT, s);
			if (rc != OK)
				return rc;
		}
	}
	return OK;
}

/*
 * Rewrite the unit links of c: the current lead and copy links become
 * 'former', then the lead and the copies are (re)linked, then every task
 * unit is linked as 'summoned' where it has no lead or copy link. No link
 * is ever deleted, and a summoned link never becomes former, so a unit
 * that once led, was copied or was summoned keeps seeing the case.
 */
static enum err_code case_links_write(struct store *st, int64_t case_id, const struct case_rec *c,
				      struct err *e)
{
	char lead[LIMIT_CODE + 1], unit[LIMIT_CODE + 1];
	enum err_code rc = stmt_run_int(st, ST_LINKS_DEMOTE, case_id, e, "更新案件的单位");
	if (rc != OK)
		return rc;
	strlcpy_ok(lead, c->lead_unit, sizeof(lead));
	if (lead[0] && (rc = case_link_put(st, case_id, lead, "lead", 0, e)) != OK)
		return rc;
	for (int i = 0; i < c->ncopies; i++) {
		strlcpy_ok(unit, c->copies[i], sizeof(unit));
		if (!unit[0] || !strcmp(unit, lead))
			continue;
		if ((rc = case_link_put(st, case_id, unit, "copy", i + 1, e)) != OK)
			return rc;
	}
	for (int i = 0; i < c->ntasks; i++) {
		strlcpy_ok(unit, c->tasks[i].unit, sizeof(unit));
		if (unit[0] && (rc = case_link_summon(st, case_id, unit, e)) != OK)
			return rc;
	}
	return scope_write(st, case_id, c, e);
}

/* ---- the counts per unit and day, and per unit and month (0006-unit-day.sql) ---- */

/* Field i of c, in the order of struct unit_counts (and of the columns of the table unit_counts). */
static int64_t *count_field(struct unit_counts *c, int i)
{
#define C_OFFSET(f) offsetof(struct unit_counts, f),
	static const size_t offset[] = {COUNT_FIELDS(C_OFFSET)};
#undef C_OFFSET
	_Static_assert(sizeof(offset) / sizeof(offset[0]) == UNIT_NCOUNTS, "struct unit_counts and its table");
	return (int64_t *)((char *)c + offset[i]);
}

/* The local (Beijing) day of a time, as unit_counts counts it. */
static int64_t fact_day(int64_t at)
{
	return (at + LOCAL_UTC_OFFSET) / 86400;
}

/* Add what one valid callback (bits in value) counts, times sign, for a case of the given scope. */
static void callback_add(struct unit_counts *d, int64_t value, enum assess_scope scope, int64_t sign)
{
	bool contacted = value & FACT_CB_CONTACTED, solved = value & FACT_CB_SOLVED;
	int64_t sat = value >> FACT_CB_SAT_SHIFT;
	bool response = scope != SCOPE_EXCLUDED, full = scope == SCOPE_ALL;
	d->cb_valid += sign;
	d->cb_contacted += sign * contacted;
	d->cb_solved += sign * solved;
	d->cb_satisfied += sign * (sat == SAT_SATISFIED);
	d->cb_basic += sign * (sat == SAT_BASIC);
	d->as_valid += sign * response;
	d->as_contacted += sign * (response && contacted);
	d->as_full_valid += sign * full;
	d->as_solved += sign * (full && solved);
	d->as_satisfied += sign * (full && sat == SAT_SATISFIED);
	d->as_basic += sign * (full && sat == SAT_BASIC);
}

/* What a fact of any kind but callback counts; false for kinds the counts do not know. */
static bool fact_add(struct unit_counts *d, const struct fact *f)
{
	int64_t v = f->value;
	const char *k = f->kind;
	if (!strcmp(k, "dispatch"))
		d->dispatches++;
	else if (!strcmp(k, "sign"))
		d->sign_total++, d->sign_ontime += v == 1;
	else if (!strcmp(k, "contact"))
		d->contact_total++, d->contact_ontime += v == 1;
	else if (!strcmp(k, "reply"))
		d->reply_total++, d->reply_ontime += v == 1;
	else if (!strcmp(k, "handling"))
		d->handling_seconds += v;
	else if (!strcmp(k, "return"))
		d->returns++;
	else if (!strcmp(k, "extension"))
		d->extensions++;
	else if (!strcmp(k, "reopen"))
		d->reopens++;
	else if (!strcmp(k, "overdue"))
		d->overdue++;
	else if (!strcmp(k, "report"))
		d->reports++, d->reports_ontime += v == 1;
	else if (!strcmp(k, "rating"))
		d->ratings++, d->rating_sum += v / 100 + v / 10 % 10 + v % 10;
	else
		return false;
	return true;
}

/* The month (year * 12 + month - 1) of a local day, as unit_counts counts it; and its first day. */
static int64_t day_month(int64_t day)
{
	int y, m, d;
	civil_from_days(day, &y, &m, &d);
	return (int64_t)y * 12 + m - 1;
}

static int64_t month_first_day(int64_t month)
{
	return days_from_civil((int)(month / 12), (int)(month % 12) + 1, 1);
}

/* Add the first n counts of d to the row of (keys[0], keys[1], unit) through the upsert id, now. */
static enum err_code counts_write(struct store *st, enum stmt_id id, const int64_t keys[2], const char *unit,
				  struct unit_counts *d, int n, struct err *e)
{
	sqlite3_stmt *s = stmt_get(st, id, e);
	enum err_code rc = OK;
	if (!s)
		return E_DB;
	for (int i = 0; i < 2; i++)
		sqlite3_bind_int64(s, i + 1, keys[i]);
	sqlite3_bind_text(s, 3, unit, -1, SQLITE_STATIC);
	for (int i = 0; i < n; i++)
		sqlite3_bind_int64(s, 4 + i, *count_field(d, i));
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = db_fail(st, e, "更新单位统计");
	stmt_put(st, id, s);
	return rc;
}

/* The same, kept for the commit when a transaction is open (counts_flush writes it). */
static enum err_code counts_add(struct store *st, enum stmt_id id, const int64_t keys[2], const char *unit,
				struct unit_counts *d, int n, struct err *e)
{
	if (sqlite3_get_autocommit(st->db))
		return counts_write(st, id, keys, unit, d, n, e);
	if (st->npend == st->pend_cap) {
		st->pend_cap = st->pend_cap ? 2 * st->pend_cap : 256;
		st->pend = xrealloc(st->pend, st->pend_cap * sizeof(*st->pend));
	}
	struct count_delta *p = &st->pend[st->npend++];
	p->stmt = id;
	p->keys[0] = keys[0];
	p->keys[1] = keys[1];
	p->n = n;
	strlcpy_ok(p->unit, unit, sizeof(p->unit));
	p->d = *d;
	return OK;
}

static int delta_cmp(const void *a, const void *b)
{
	const struct count_delta *x = *(const struct count_delta *const *)a, *y = *(const struct count_delta *const *)b;
	if (x->stmt != y->stmt)
		return x->stmt < y->stmt ? -1 : 1;
	for (int i = 0; i < 2; i++)
		if (x->keys[i] != y->keys[i])
			return x->keys[i] < y->keys[i] ? -1 : 1;
	return strcmp(x->unit, y->unit);
}

/* Write the counts kept so far, one upsert per row (the sum of its additions). */
static enum err_code counts_flush(struct store *st, struct err *e)
{
	if (st->npend == 0)
		return OK;
	struct count_delta **order = xmalloc(st->npend * sizeof(*order));
	for (size_t i = 0; i < st->npend; i++)
		order[i] = &st->pend[i];
	qsort(order, st->npend, sizeof(*order), delta_cmp);
	enum err_code rc = OK;
	for (size_t i = 0; rc == OK && i < st->npend;) {
		struct count_delta sum = *order[i];
		size_t j = i + 1;
		for (; j < st->npend && delta_cmp(&order[i], &order[j]) == 0; j++)
			for (int k = 0; k < sum.n; k++)
				*count_field(&sum.d, k) += *count_field(&order[j]->d, k);
		rc = counts_write(st, sum.stmt, sum.keys, sum.unit, &sum.d, sum.n, e);
		i = j;
	}
	free(order);
	/* written: what a savepoint undoes from here on, SQLite undoes */
	st->npend = 0;
	for (int i = 0; i < st->nmarks; i++)
		st->marks[i] = 0;
	return rc;
}

/* Add d to the day's and the month's rows of unit. */
static enum err_code unit_day_add(struct store *st, int64_t day, const char *unit, struct unit_counts *d,
				  struct err *e)
{
	int64_t by_day[2] = {0, day}, by_month[2] = {1, day_month(day)};
	enum err_code rc = counts_add(st, ST_UNIT_COUNTS_ADD, by_day, unit, d, UNIT_NCOUNTS, e);
	return rc != OK ? rc : counts_add(st, ST_UNIT_COUNTS_ADD, by_month, unit, d, UNIT_NCOUNTS, e);
}

/* Add the callback counts of d to superseded_month for a callback of day replaced on until_day. */
static enum err_code superseded_month_add(struct store *st, int64_t day, int64_t until_day, const char *unit,
					  struct unit_counts *d, struct err *e)
{
	int64_t keys[2] = {day_month(day), day_month(until_day)};
	return counts_add(st, ST_SUPERSEDED_MONTH_ADD, keys, unit, d, CALLBACK_NCOUNTS, e);
}

/* The stored scope of a case; SCOPE_ALL when it has no row yet (a case being created). */
static enum err_code case_scope(struct store *st, int64_t case_id, enum assess_scope *out, struct err *e)
{
	sqlite3_stmt *s = stmt_get(st, ST_CASE_SCOPE, e);
	enum err_code rc = OK;
	if (!s)
		return E_DB;
	sqlite3_bind_int64(s, 1, case_id);
	*out = SCOPE_ALL;
	int r = sqlite3_step(s);
	if (r == SQLITE_ROW) {
		int v = scope_parse((const char *)sqlite3_column_text(s, 0));
		if (v < 0)
			rc = err_set(e, E_DB, NULL, "案件 %lld 的考核范围无法识别", (long long)case_id);
		else
			*out = (enum assess_scope)v;
	} else if (r != SQLITE_DONE) {
		rc = db_fail(st, e, "读取案件的考核范围");
	}
	stmt_put(st, ST_CASE_SCOPE, s);
	return rc;
}

/*
 * A valid callback f is about to be stored: count it for its case's scope,
 * and list the case's previous valid callback (if any) as superseded from
 * f's day on.
 */
static enum err_code callback_count(struct store *st, const struct fact *f, struct err *e)
{
	struct unit_counts d = {0};
	enum assess_scope scope;
	enum err_code rc = case_scope(st, f->case_id, &scope, e);
	if (rc != OK)
		return rc;
	sqlite3_stmt *s = stmt_get(st, ST_CALLBACKS_OF, e);
	if (!s)
		return E_DB;
	sqlite3_bind_int64(s, 1, f->case_id);
	int r = sqlite3_step(s);
	if (r == SQLITE_ROW) {
		sqlite3_stmt *p = stmt_get(st, ST_SUPERSEDED_PUT, e);
		int64_t day = fact_day(sqlite3_column_int64(s, 1)), until = fact_day(f->at);
		int64_t value = sqlite3_column_int64(s, 3);
		char unit[LIMIT_CODE + 1];
		col_text(s, 2, unit);
		if (!p) {
			rc = E_DB;
		} else {
			sqlite3_bind_int64(p, 1, f->case_id);
			sqlite3_bind_int(p, 2, sqlite3_column_int(s, 0));
			sqlite3_bind_int64(p, 3, day);
			sqlite3_bind_int64(p, 4, until);
			sqlite3_bind_text(p, 5, unit, -1, SQLITE_STATIC);
			sqlite3_bind_int64(p, 6, value);
			sqlite3_bind_text(p, 7, scope_name(scope), -1, SQLITE_STATIC);
			if (sqlite3_step(p) != SQLITE_DONE)
				rc = db_fail(st, e, "记录被取代的回访");
			stmt_put(st, ST_SUPERSEDED_PUT, p);
		}
		struct unit_counts pd = {0};
		callback_add(&pd, value, scope, 1);
		if (rc == OK)
			rc = superseded_month_add(st, day, until, unit, &pd, e);
	} else if (r != SQLITE_DONE) {
		rc = db_fail(st, e, "读取案件的回访");
	}
	stmt_put(st, ST_CALLBACKS_OF, s);
	if (rc != OK)
		return rc;
	callback_add(&d, f->value, scope, 1);
	return unit_day_add(st, fact_day(f->at), f->unit, &d, e);
}

/* A case's scope changes from was to now: move its valid callbacks between the assessed counts. */
static enum err_code callbacks_rescope(struct store *st, int64_t case_id, enum assess_scope was,
				       enum assess_scope now, struct err *e)
{
	sqlite3_stmt *s = stmt_get(st, ST_CALLBACKS_OF, e);
	enum err_code rc = OK;
	char unit[LIMIT_CODE + 1];
	int r;
	if (!s)
		return E_DB;
	sqlite3_bind_int64(s, 1, case_id);
	while (rc == OK && (r = sqlite3_step(s)) == SQLITE_ROW) {
		struct unit_counts d = {0};
		int64_t value = sqlite3_column_int64(s, 3);
		callback_add(&d, value, was, -1);
		callback_add(&d, value, now, 1);
		col_text(s, 2, unit);
		rc = unit_day_add(st, fact_day(sqlite3_column_int64(s, 1)), unit, &d, e);
	}
	if (rc == OK && r != SQLITE_DONE)
		rc = db_fail(st, e, "读取案件的回访");
	stmt_put(st, ST_CALLBACKS_OF, s);
	if (rc != OK)
		return rc;
	/* the superseded ones, counted by month */
	if (!(s = stmt_get(st, ST_SUPERSEDED_OF, e)))
		return E_DB;
	sqlite3_bind_int64(s, 1, case_id);
	while (rc == OK && (r = sqlite3_step(s)) == SQLITE_ROW) {
		struct unit_counts d = {0};
		int64_t value = sqlite3_column_int64(s, 3);
		int had = scope_parse((const char *)sqlite3_column_text(s, 4));
		callback_add(&d, value, had < 0 ? was : (enum assess_scope)had, -1);
		callback_add(&d, value, now, 1);
		col_text(s, 2, unit);
		rc = superseded_month_add(st, sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1), unit, &d, e);
	}
	if (rc == OK && r != SQLITE_DONE)
		rc = db_fail(st, e, "读取被取代的回访");
	stmt_put(st, ST_SUPERSEDED_OF, s);
	if (rc != OK)
		return rc;
	if (!(s = stmt_get(st, ST_SUPERSEDED_SCOPE, e)))
		return E_DB;
	sqlite3_bind_int64(s, 1, case_id);
	sqlite3_bind_text(s, 2, scope_name(now), -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = db_fail(st, e, "更新被取代回访的考核范围");
	stmt_put(st, ST_SUPERSEDED_SCOPE, s);
	return rc;
}

/* Do before and c link different units (lead, copies, task units)? */
static bool links_differ(const struct case_rec *before, const struct case_rec *c)
{
	if (strcmp(before->lead_unit, c->lead_unit) || before->ncopies != c->ncopies || before->ntasks != c->ntasks)
		return true;
	for (int i = 0; i < c->ncopies; i++)
		if (strcmp(before->copies[i], c->copies[i]))
			return true;
	for (int i = 0; i < c->ntasks; i++)
		if (strcmp(before->tasks[i].unit, c->tasks[i].unit))
			return true;
	return false;
}

/*
 * The statement of shape key, prepared from the SQL that build writes
 * (called only the first time) and kept; give it back with dyn_put.
 */
typedef void (*sql_build_fn)(const void *arg, char *sql, size_t size);
static sqlite3_stmt *dyn_get(struct store *st, uint64_t k0, uint64_t k1, sql_build_fn build, const void *arg,
			     struct err *e)
{
	struct dyn_stmt *slot = NULL;
	for (int i = 0; i < DYN_CACHE && st->dyn[i].s; i++)
		if (st->dyn[i].key[0] == k0 && st->dyn[i].key[1] == k1) {
			slot = &st->dyn[i];
			break;
		}
	if (slot && !slot->busy) {
		slot->busy = true;
		return slot->s;
	}
	char sql[8192];
	sqlite3_stmt *s = NULL;
	build(arg, sql, sizeof(sql));
	if (sqlite3_prepare_v3(st->db, sql, -1, slot ? 0 : SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) {
		db_fail(st, e, "准备语句");
		return NULL;
	}
	if (slot) /* the kept one is stepping (a nested use): this one is finalized after use */
		return s;
	for (int tries = 0; tries < DYN_CACHE; tries++) {
		slot = &st->dyn[st->dyn_next++ % DYN_CACHE];
		if (!slot->busy)
			break;
	}
	if (slot->busy)
		return s;
	sqlite3_finalize(slot->s);
	*slot = (struct dyn_stmt){.key = {k0, k1}, .s = s, .busy = true};
	return s;
}

static void dyn_put(struct store *st, sqlite3_stmt *s)
{
	if (!s)
		return;
	for (int i = 0; i < DYN_CACHE; i++)
		if (st->dyn[i].s == s) {
			sqlite3_reset(s);
			sqlite3_clear_bindings(s);
			st->dyn[i].busy = false;
			return;
		}
	sqlite3_finalize(s);
}

/* Dynamic statement kinds (the second key word's top bits). */
#define DYN_UPDATE ((uint64_t)1 << 62)
#define DYN_CASES ((uint64_t)2 << 62)

/*
 * The UPDATE of the data columns in mask (bit k = column k of enum
 * case_col; ?k+1 binds it, ?1 is the id): each kind of event changes its
 * own few columns, so a few dozen masks cover every write, and an index is
 * touched only when a column of it changed.
 */
static void update_sql(const void *arg, char *sql, size_t size)
{
	const uint64_t *mask = arg;
	size_t n = (size_t)snprintf(sql, size, "UPDATE cases SET ");
	const char *p = CASE_DATA_COLS;
	for (int k = CC_ID + 1; *p && k < CC_COUNT; k++) {
		size_t len = strcspn(p, ",");
		if (mask[k / 64] >> (k % 64) & 1)
			n += (size_t)snprintf(sql + n, size - n, "%s%.*s = ?%d", sql[n - 1] == ' ' ? "" : ", ",
					      (int)len, p, k + 1);
		p += len;
		p += strspn(p, ", ");
	}
	snprintf(sql + n, size - n, " WHERE id = ?1");
}

/*
 * Write the case row and its links, atomically. insert: a new row (id 0:
 * SQLite assigns one, written to *new_id). Otherwise update row c->id:
 * before NULL rewrites every column and link; else before is the row as
 * stored, and only the columns that differ from it are written, the links
 * only when the linked units changed.
 */
static enum err_code case_write(struct store *st, const struct case_rec *before, const struct case_rec *c,
				int64_t *new_id, struct err *e)
{
	bool insert = new_id != NULL, partial = !insert && before;
	int64_t case_id = c->id;
	sqlite3_stmt *s = NULL;
	char *tasks = NULL, *sups = NULL, *old_tasks = NULL, *old_sups = NULL;
	struct col_val v[CC_COUNT], old[CC_COUNT];
	uint64_t mask[2] = {0, 0};
	enum op_scope scope;
	enum err_code rc;
	if (c->ncopies < 0 || c->ncopies > MAX_COPY_UNITS)
		return err_set(e, E_INVALID, "copies", "抄送单位最多 %d 个", MAX_COPY_UNITS);
	if (c->ntasks < 0 || c->ntasks > MAX_TASKS)
		return err_set(e, E_INVALID, "tasks", "一个案件最多 %d 个吹哨或下派任务", MAX_TASKS);
	if (c->nsupervisions < 0 || c->nsupervisions > MAX_SUPERVISIONS)
		return err_set(e, E_INVALID, "supervisions", "一个案件最多 %d 条督办", MAX_SUPERVISIONS);
	if ((unsigned)c->status >= CASE_STATUS_COUNT || (unsigned)c->return_from >= CASE_STATUS_COUNT)
		return err_set(e, E_INVALID, "status", "案件状态不合法");
	if ((unsigned)c->scope > SCOPE_EXCLUDED)
		return err_set(e, E_INVALID, "scope", "考核范围不合法");
	if ((unsigned)c->callback_satisfaction > SAT_UNSATISFIED)
		return err_set(e, E_INVALID, "satisfaction", "满意度不合法");
	if (!(tasks = tasks_json(c)) || !(sups = supervisions_json(c)) ||
	    (partial && (!(old_tasks = tasks_json(before)) || !(old_sups = supervisions_json(before))))) {
		rc = err_set(e, E_INVALID, "tasks", "任务或督办记录的单位代码不是有效的 UTF-8");
		goto out_free;
	}
	case_values(c, tasks, sups, v);
	if (partial) {
		case_values(before, old_tasks, old_sups, old);
		for (int k = CC_ID + 1; k < CC_COUNT; k++)
			if (!val_equal(&v[k], &old[k]))
				mask[k / 64] |= (uint64_t)1 << (k % 64);
	}
	if ((rc = op_begin(st, &scope, e)) != OK)
		goto out_free;
	/* a new case's callbacks (none yet, or facts written just before it) were counted as scope all */
	enum assess_scope old_scope = partial ? before->scope : SCOPE_ALL;
	if (!insert && !partial && (rc = case_scope(st, case_id, &old_scope, e)) != OK)
		goto out;
	if (partial) {
		if ((mask[0] | mask[1]) && !(s = dyn_get(st, mask[0], mask[1] | DYN_UPDATE, update_sql, mask, e))) {
			rc = E_DB;
			goto out;
		}
		if (s) {
			sqlite3_bind_int64(s, 1, case_id);
			for (int k = CC_ID + 1; k < CC_COUNT; k++)
				if (mask[k / 64] >> (k % 64) & 1)
					val_bind(s, k + 1, &v[k]);
		}
	} else {
		if (!(s = stmt_get(st, insert ? ST_CASE_INSERT : ST_CASE_UPDATE, e))) {
			rc = E_DB;
			goto out;
		}
		for (int k = 0; k < CC_COUNT; k++)
			val_bind(s, k + 1, &v[k]);
	}
	if (s && sqlite3_step(s) != SQLITE_DONE) {
		if (sqlite3_extended_errcode(st->db) == SQLITE_CONSTRAINT_PRIMARYKEY)
			rc = err_set(e, E_CONFLICT, NULL, "案件 %lld 已存在", (long long)c->id);
		else
			rc = db_fail(st, e, "写入案件");
		goto out;
	}
	if (insert)
		case_id = sqlite3_last_insert_rowid(st->db);
	else if (s && sqlite3_changes(st->db) == 0) {
		rc = err_set(e, E_NOT_FOUND, NULL, "案件 %lld 不存在", (long long)c->id);
		goto out;
	}
	if (!partial || links_differ(before, c))
		rc = case_links_write(st, case_id, c, e);
	if (rc == OK && old_scope != c->scope)
		rc = callbacks_rescope(st, case_id, old_scope, c->scope, e);
out:
	if (partial) {
		dyn_put(st, s);
	} else {
		stmt_put(st, insert ? ST_CASE_INSERT : ST_CASE_UPDATE, s);
	}
	rc = op_end(st, scope, rc, e);
	if (rc == OK && insert)
		*new_id = case_id;
out_free:
	free(tasks);
	free(sups);
	free(old_tasks);
	free(old_sups);
	return rc;
}

/* Insert a new case (c->id 0 → assigned and written back) with its unit links. */
enum err_code store_case_insert(struct store *st, struct case_rec *c, struct err *e)
{
	return case_write(st, NULL, c, &c->id, e);
}

enum err_code store_case_update(struct store *st, const struct case_rec *before, const struct case_rec *c,
				struct err *e)
{
	return case_write(st, before, c, NULL, e);
}

enum err_code store_case_next_id(struct store *st, int64_t *id, struct err *e)
{
	sqlite3_stmt *s = stmt_get(st, ST_CASE_NEXT_ID, e);
	enum err_code rc = OK;
	if (!s)
		return E_DB;
	if (sqlite3_step(s) == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	else
		rc = db_fail(st, e, "分配案件编号");
	stmt_put(st, ST_CASE_NEXT_ID, s);
	return rc;
}

enum err_code store_case_get(struct store *st, int64_t id, struct case_rec *out, struct err *e)
{
	sqlite3_stmt *s = stmt_get(st, ST_CASE_GET, e);
	enum err_code rc = OK;
	if (!s)
		return E_DB;
	sqlite3_bind_int64(s, 1, id);
	int r = sqlite3_step(s);
	if (r == SQLITE_ROW)
		rc = case_read(st, s, out, true, e);
	else if (r == SQLITE_DONE)
		rc = err_set(e, E_NOT_FOUND, NULL, "案件 %lld 不存在", (long long)id);
	else
		rc = db_fail(st, e, "读取案件");
	stmt_put(st, ST_CASE_GET, s);
	return rc;
}

enum err_code store_case_seq(struct store *st, int64_t id, int64_t *seq, struct err *e)
{
	sqlite3_stmt *s = stmt_get(st, ST_CASE_SEQ, e);
	enum err_code rc = OK;
	if (!s)
		return E_DB;
	sqlite3_bind_int64(s, 1, id);
	int r = sqlite3_step(s);
	if (r == SQLITE_ROW)
		*seq = sqlite3_column_int64(s, 0);
	else if (r == SQLITE_DONE)
		rc = err_set(e, E_NOT_FOUND, NULL, "案件 %lld 不存在", (long long)id);
	else
		rc = db_fail(st, e, "读取案件");
	stmt_put(st, ST_CASE_SEQ, s);
	return rc;
}

/* Every unit ever linked to a case: lead first, then copies, summoned units, former links. */
enum err_code store_case_units(struct store *st, int64_t case_id, case_unit_fn fn, void *ctx, struct err *e)
{
	sqlite3_stmt *s = stmt_get(st, ST_LINKS_ALL, e);
	char unit[LIMIT_CODE + 1], rel[16];
	enum err_code rc = OK;
	int r;
	if (!s)
		return E_DB;
	sqlite3_bind_int64(s, 1, case_id);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		col_text(s, 0, unit);
		col_text(s, 1, rel);
		if ((rc = (enum err_code)fn(ctx, unit, rel)) != OK)
			goto out;
	}
	if (r != SQLITE_DONE)
		rc = db_fail(st, e, "读取案件的单位");
out:
	stmt_put(st, ST_LINKS_ALL, s);
	return rc;
}

/* Append ev (ev->id assigned). A seq already used for the case is E_CONFLICT: someone else wrote first. */
/* A length-prefixed field into the hash, so that no two events hash the same bytes. */
static void hash_field(crypto_generichash_state *h, const void *p, size_t n)
{
	unsigned char len[4] = {(unsigned char)n, (unsigned char)(n >> 8), (unsigned char)(n >> 16),
				(unsigned char)(n >> 24)};
	crypto_generichash_update(h, len, sizeof(len));
	crypto_generichash_update(h, p, n);
}

static void hash_int(crypto_generichash_state *h, int64_t v)
{
	unsigned char b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)((uint64_t)v >> (8 * i));
	crypto_generichash_update(h, b, sizeof(b));
}

void store_event_hash(const unsigned char prev[EVENT_HASH_BYTES], const struct event_rec *ev,
		      unsigned char out[EVENT_HASH_BYTES])
{
	crypto_generichash_state h;
	crypto_generichash_init(&h, NULL, 0, EVENT_HASH_BYTES);
	crypto_generichash_update(&h, prev, EVENT_HASH_BYTES);
	hash_int(&h, ev->case_id);
	hash_int(&h, ev->seq);
	hash_int(&h, ev->at);
	hash_int(&h, ev->user_id);
	hash_field(&h, ev->unit, strlen(ev->unit));
	hash_field(&h, ev->action, strlen(ev->action));
	const char *p = ev->payload ? ev->payload : "{}";
	hash_field(&h, p, strlen(p));
	hash_field(&h, ev->reason, strlen(ev->reason));
	crypto_generichash_final(&h, out, EVENT_HASH_BYTES);
}

/* The hash of event seq of a case (zeros for seq 0: before the first). */
static enum err_code event_prev_hash(struct store *st, int64_t case_id, int seq, unsigned char out[EVENT_HASH_BYTES],
				     struct err *e)
{
	memset(out, 0, EVENT_HASH_BYTES);
	if (seq < 1)
		return OK;
	sqlite3_stmt *s = stmt_get(st, ST_EVENT_HASH, e);
	enum err_code rc = OK;
	if (!s)
		return E_DB;
	sqlite3_bind_int64(s, 1, case_id);
	sqlite3_bind_int(s, 2, seq);
	int r = sqlite3_step(s);
	if (r == SQLITE_ROW && sqlite3_column_bytes(s, 0) == EVENT_HASH_BYTES)
		memcpy(out, sqlite3_column_blob(s, 0), EVENT_HASH_BYTES);
	else if (r == SQLITE_ROW || r == SQLITE_DONE)
		rc = err_set(e, E_DB, NULL, "案件 %lld 的第 %d 条事件缺失或未链接，不能续写", (long long)case_id, seq);
	else
		rc = db_fail(st, e, "读取事件链");
	stmt_put(st, ST_EVENT_HASH, s);
	return rc;
}

enum err_code store_event_append(struct store *st, struct event_rec *ev, struct err *e)
{
	unsigned char prev[EVENT_HASH_BYTES];
	enum err_code rc = event_prev_hash(st, ev->case_id, ev->seq - 1, prev, e);
	if (rc != OK)
		return rc;
	store_event_hash(prev, ev, ev->hash);
	sqlite3_stmt *s = stmt_get(st, ST_EVENT_APPEND, e);
	if (!s)
		return E_DB;
	sqlite3_bind_int64(s, 1, ev->case_id);
	sqlite3_bind_int(s, 2, ev->seq);
	sqlite3_bind_int64(s, 3, ev->at);
	sqlite3_bind_int64(s, 4, ev->user_id);
	bind_arr(s, 5, ev->unit);
	bind_arr(s, 6, ev->action);
	bind_str(s, 7, ev->payload ? ev->payload : "{}");
	bind_arr(s, 8, ev->reason);
	sqlite3_bind_blob(s, 9, ev->hash, EVENT_HASH_BYTES, SQLITE_STATIC);
	int x = sqlite3_step(s) == SQLITE_DONE ? SQLITE_OK : sqlite3_extended_errcode(st->db);
	if (x == SQLITE_OK)
		;
	else if (x == SQLITE_CONSTRAINT_PRIMARYKEY || x == SQLITE_CONSTRAINT_UNIQUE) /* (case_id, seq) taken */
		rc = err_set(e, E_CONFLICT, NULL, "案件 %lld 已被他人更新，请刷新后重试",
			     (long long)ev->case_id);
	else
		rc = db_fail(st, e, "写入案件事件");
	stmt_put(st, ST_EVENT_APPEND, s);
	return rc;
}

/* One event row (the columns of EVENTS_LIST / EVENTS_ALL) into ev; the payload is malloc'd. */
static void event_read(sqlite3_stmt *s, struct event_rec *ev)
{
	const unsigned char *p = sqlite3_column_text(s, 6);
	memset(ev, 0, sizeof(*ev));
	ev->case_id = sqlite3_column_int64(s, 0);
	ev->seq = sqlite3_column_int(s, 1);
	ev->at = sqlite3_column_int64(s, 2);
	ev->user_id = sqlite3_column_int64(s, 3);
	col_text(s, 4, ev->unit);
	col_text(s, 5, ev->action);
	ev->payload = xstrdup(p ? (const char *)p : "{}");
	col_text(s, 7, ev->reason);
	ev->hashed = sqlite3_column_bytes(s, 8) == EVENT_HASH_BYTES;
	if (ev->hashed)
		memcpy(ev->hash, sqlite3_column_blob(s, 8), EVENT_HASH_BYTES);
}

/* Migration 0012: the rows of case_scope of every case, in the table's order. */
static enum err_code scope_all(struct store *st, struct err *e)
{
	enum err_code rc = stmt_run(st, ST_SCOPE_ALL, e, "写入案件的可见范围");
	if (rc == OK && sqlite3_changes(st->db) > 0)
		log_info("store: 0012: %d rows of case_scope", sqlite3_changes(st->db));
	return rc;
}

/* Run a check's n statements, each row to row(s, which, arg) until it returns non-zero. */
typedef int (*check_row_fn)(sqlite3_stmt *s, int which, void *arg);
static enum err_code check_rows(struct store *st, const enum stmt_id *ids, int n, check_row_fn row, void *arg,
				const char *what, struct err *e)
{
	enum err_code rc = OK;
	for (int which = 0; rc == OK && which < n; which++) {
		sqlite3_stmt *s = stmt_get(st, ids[which], e);
		if (!s)
			return E_DB;
		int r;
		while ((r = sqlite3_step(s)) == SQLITE_ROW)
			if ((rc = (enum err_code)row(s, which, arg)) != OK)
				break;
		if (rc == OK && r != SQLITE_DONE)
			rc = db_fail(st, e, what);
		stmt_put(st, ids[which], s);
	}
	return rc;
}

struct check_cb {
	scope_fn scope;
	count_check_fn count;
	const bool *sight; /* count: whether statement which counts what units see (else what they lead) */
	void *ctx;
};

static int scope_row(sqlite3_stmt *s, int extra, void *arg)
{
	const struct check_cb *cb = arg;
	char unit[LIMIT_CODE + 1];
	col_text(s, 0, unit);
	return cb->scope(cb->ctx, unit, sqlite3_column_int64(s, 1), extra);
}

enum err_code store_scope_check(struct store *st, scope_fn fn, void *ctx, struct err *e)
{
	static const enum stmt_id ids[2] = {ST_SCOPE_MISSING, ST_SCOPE_EXTRA};
	struct check_cb cb = {.scope = fn, .ctx = ctx};
	return check_rows(st, ids, ARRAY_SIZE(ids), scope_row, &cb, "核对案件的可见范围", e);
}

enum err_code store_tasks_check(struct store *st, scope_fn fn, void *ctx, struct err *e)
{
	static const enum stmt_id ids[2] = {ST_TASKS_MISSING, ST_TASKS_EXTRA};
	struct check_cb cb = {.scope = fn, .ctx = ctx};
	return check_rows(st, ids, ARRAY_SIZE(ids), scope_row, &cb, "核对未完成的任务", e);
}

static int count_row(sqlite3_stmt *s, int which, void *arg)
{
	const struct check_cb *cb = arg;
	char unit[LIMIT_CODE + 1], status[24];
	col_text(s, 0, unit);
	col_text(s, 1, status);
	return cb->count(cb->ctx, cb->sight[which], unit, status, sqlite3_column_int64(s, 2),
			 sqlite3_column_int64(s, 3));
}

enum err_code store_counts_check(struct store *st, count_check_fn fn, void *ctx, struct err *e)
{
	static const enum stmt_id ids[] = {ST_COUNTS_LEAD_CHECK, ST_COUNTS_SCOPE_CHECK, ST_COUNTS_DAYS_CHECK,
					   ST_COUNTS_LEAD_DAYS_CHECK};
	static const bool sight[ARRAY_SIZE(ids)] = {false, true, true, false};
	struct check_cb cb = {.count = fn, .sight = sight, .ctx = ctx};
	return check_rows(st, ids, ARRAY_SIZE(ids), count_row, &cb, "核对各单位的案件数", e);
}

/*
 * Migration 0009: chain the events written before it, each case from its
 * first event, in one pass over (case_id, seq).
 */
static enum err_code chain_events(struct store *st, struct err *e)
{
	sqlite3_stmt *s = stmt_get(st, ST_EVENTS_ALL, e);
	sqlite3_stmt *u = s ? stmt_get(st, ST_EVENT_SET_HASH, e) : NULL;
	struct event_rec *ev = xmalloc(sizeof(*ev));
	unsigned char prev[EVENT_HASH_BYTES];
	int64_t case_id = 0, n = 0;
	enum err_code rc = OK;
	int r;
	if (!s || !u) {
		if (s)
			stmt_put(st, ST_EVENTS_ALL, s);
		free(ev);
		return E_DB;
	}
	while (rc == OK && (r = sqlite3_step(s)) == SQLITE_ROW) {
		event_read(s, ev);
		if (ev->case_id != case_id) {
			case_id = ev->case_id;
			memset(prev, 0, sizeof(prev));
		}
		store_event_hash(prev, ev, prev);
		sqlite3_bind_int64(u, 1, ev->case_id);
		sqlite3_bind_int(u, 2, ev->seq);
		sqlite3_bind_blob(u, 3, prev, EVENT_HASH_BYTES, SQLITE_TRANSIENT);
		if (sqlite3_step(u) != SQLITE_DONE)
			rc = db_fail(st, e, "链接事件");
		sqlite3_reset(u);
		event_rec_release(ev);
		if (++n % 1000000 == 0)
			log_info("store: 0009: %lld events chained", (long long)n);
	}
	if (rc == OK && r != SQLITE_DONE)
		rc = db_fail(st, e, "读取事件");
	stmt_put(st, ST_EVENT_SET_HASH, u);
	stmt_put(st, ST_EVENTS_ALL, s);
	free(ev);
	return rc;
}

enum err_code store_events_list(struct store *st, int64_t case_id, event_fn fn, void *ctx, struct err *e)
{
	return store_events_after(st, case_id, 0, fn, ctx, e);
}

/* Hand each event of a case after seq `after` to fn in seq order; the payload is freed after fn returns. */
enum err_code store_events_after(struct store *st, int64_t case_id, int64_t after, event_fn fn, void *ctx,
				 struct err *e)
{
	sqlite3_stmt *s = stmt_get(st, ST_EVENTS_LIST, e);
	struct event_rec *ev = xmalloc(sizeof(*ev));
	enum err_code rc = OK;
	int r;
	if (!s) {
		free(ev);
		return E_DB;
	}
	sqlite3_bind_int64(s, 1, case_id);
	sqlite3_bind_int64(s, 2, after);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		event_read(s, ev);
		rc = (enum err_code)fn(ctx, ev);
		event_rec_release(ev);
		if (rc != OK)
			goto out;
	}
	if (r != SQLITE_DONE)
		rc = db_fail(st, e, "读取案件事件");
out:
	stmt_put(st, ST_EVENTS_LIST, s);
	free(ev);
	return rc;
}

/* The shape of a case query: which filters it sets, its statuses, its order, or a count. */
enum cases_shape {
	CQ_STATUS = 1 << 0,
	CQ_UNIT = 1 << 1,
	CQ_VIEWER = 1 << 2,
	CQ_OVERDUE = 1 << 3,
	CQ_FROM = 1 << 4,
	CQ_TO = 1 << 5,
	CQ_CALLBACK = 1 << 6,
	CQ_LEAD = 1 << 7,
	CQ_TASK = 1 << 8,
	CQ_EXTENSION = 1 << 9,
	CQ_EXCLUSION = 1 << 10,
	CQ_COUNT = 1 << 11,    /* count(*) instead of a page */
	CQ_SORT_DUE = 1 << 12, /* nearest deadline first; else newest first (oldest: CQ_CALLBACK) */
	CQ_PAGE = 1 << 13,     /* one page (LIMIT ?9), its ids chosen first: see cases_sql */
	CQ_OVERDUE_YES = 1 << 14, /* with CQ_OVERDUE: the overdue cases, not the others */
	CQ_UNIT_SCOPE = 1 << 15,  /* a page by lead unit alone, read from its subtree's root's case_scope */
	CQ_STATUSES_SHIFT = 16 /* bit CQ_STATUSES_SHIFT + s: status s is one of q->statuses */
};

/* The shape of q; E_INVALID when q->statuses names a status that does not exist. */
static enum err_code cases_shape(const struct case_query *q, bool count, uint64_t *out, struct err *e)
{
	/*
	 * A list by a lead unit within the viewer's own subtree needs no test of
	 * what the viewer may see: every case is linked to its lead unit
	 * (case_links_write), and a case linked below the viewer is visible to it.
	 */
	bool own_units = q->unit_path && q->viewer_path && !strncmp(q->unit_path, q->viewer_path, strlen(q->viewer_path));
	/* one status alone goes into the set of statuses, so the SQL knows it (cases_sql) */
	uint64_t k = (q->status && q->statuses ? CQ_STATUS : 0) | (q->unit_path ? CQ_UNIT : 0) |
		     (q->viewer_path && !own_units ? CQ_VIEWER : 0) |
		     (q->overdue >= 0 ? CQ_OVERDUE : 0) | (q->overdue > 0 ? CQ_OVERDUE_YES : 0) |
		     (q->from ? CQ_FROM : 0) | (q->to ? CQ_TO : 0) |
		     (q->callback_due ? CQ_CALLBACK : 0) | (q->lead_code ? CQ_LEAD : 0) |
		     (q->task_unit ? CQ_TASK : 0) | (q->pending == 1 ? CQ_EXTENSION : 0) |
		     (q->pending == 2 ? CQ_EXCLUSION : 0) | (count ? CQ_COUNT : 0) | (q->sort_due ? CQ_SORT_DUE : 0) |
		     (!count && q->per_page > 0 ? CQ_PAGE : 0);
	for (const char *p = q->statuses; p && *p;) {
		char name[24];
		p += strspn(p, ",");
		size_t n = strcspn(p, ",");
		if (!n)
			break;
		int v = -1;
		if (n < sizeof(name)) {
			snprintf(name, sizeof(name), "%.*s", (int)n, p);
			v = case_status_parse(name);
		}
		if (v < 0)
			return err_set(e, E_INVALID, "status", "案件状态不合法");
		k |= (uint64_t)1 << (CQ_STATUSES_SHIFT + v);
		p += n;
	}
	if (q->status && !q->statuses) {
		int v = case_status_parse(q->status);
		if (v < 0)
			return err_set(e, E_INVALID, "status", "案件状态不合法");
		k |= (uint64_t)1 << (CQ_STATUSES_SHIFT + v);
	}
	/*
	 * A page of a subtree's cases, no other filter: every case led within it
	 * is among the cases its root may see (case_scope holds no rows of the
	 * centre, which sees all)
	 */
	const char *below_centre = q->unit_path && q->unit_path[0] == '/' ? strchr(q->unit_path + 1, '/') : NULL;
	if (k == (CQ_UNIT | CQ_PAGE) && below_centre && below_centre[1])
		k |= CQ_UNIT_SCOPE;
	*out = k;
	return OK;
}

/*
 * The states most of a year ends in: many cases each, counted in lead_counts
 * and scope_counts (the same four as FINAL_STATUSES and the triggers of
 * 0014-status-counts.sql).
 */
#define CQ_FINAL                                                                                         \
	((uint64_t)(1u << CS_ANSWERED | 1u << CS_REFERRED | 1u << CS_CLOSED | 1u << CS_MERGED) \
	 << CQ_STATUSES_SHIFT)

/* Append " AND status IN ('…', …)" for the statuses of shape k; the new length. */
static size_t statuses_sql(uint64_t k, char *sql, size_t n, size_t size)
{
	n += (size_t)snprintf(sql + n, size - n, " AND status IN (");
	for (int v = 0; v < CASE_STATUS_COUNT; v++)
		if (k >> (CQ_STATUSES_SHIFT + v) & 1)
			n += (size_t)snprintf(sql + n, size - n, "%s'%s'", sql[n - 1] == '(' ? "" : ", ",
					      case_status_name((enum case_status)v));
	return n + (size_t)snprintf(sql + n, size - n, ")");
}

static void cases_sql(const void *arg, char *sql, size_t size);

/*
 * " FROM … WHERE 1…" of a table of kept counts (unit, key, n) for the
 * filters rest of a count: by sight, the viewer's rows of scope; by lead
 * unit, lead seen as (lead_unit, key, n), so the filters by lead unit
 * (a subtree's, one unit's, or none) apply as written.
 */
static size_t kept_from(uint64_t rest, const char *scope, const char *lead, const char *key, char *sql,
			size_t size)
{
	if (rest == CQ_VIEWER)
		return (size_t)snprintf(sql, size, " FROM %s WHERE unit = ?4", scope);
	return (size_t)snprintf(sql, size, " FROM (SELECT unit AS lead_unit, %s, n FROM %s) WHERE 1%s", key,
				lead,
				rest == CQ_UNIT	  ? CASES_W_UNIT
				: rest == CQ_LEAD ? CASES_W_LEAD
						  : "");
}

/*
 * A count of all cases, by lead unit (a subtree's or one) or of what a
 * unit may see, in some states or any, and nothing else: the cases in
 * final states are the sum of the counts kept by the triggers of
 * 0014-status-counts.sql, not one row or index entry read per case; those
 * in other states (few) are counted as usual and added. False for any
 * other shape, and for what a unit may see in any state (case_scope alone).
 */
static bool kept_count_sql(uint64_t k, char *sql, size_t size)
{
	const uint64_t all = (((uint64_t)1 << CASE_STATUS_COUNT) - 1) << CQ_STATUSES_SHIFT;
	uint64_t rest = k & ~(all | CQ_COUNT | CQ_SORT_DUE), asked = k & all ? k & all : all;
	uint64_t final = asked & CQ_FINAL, other = asked & ~CQ_FINAL;
	if (!(k & CQ_COUNT) || !final || (rest != 0 && rest != CQ_VIEWER && rest != CQ_UNIT && rest != CQ_LEAD) ||
	    (rest == CQ_VIEWER && !(k & all)))
		return false;
	size_t n = (size_t)snprintf(sql, size, "SELECT (SELECT coalesce(sum(n), 0)");
	n += kept_from(rest, "scope_counts", "lead_counts", "status", sql + n, size - n);
	n = statuses_sql(final, sql, n, size);
	if (other) {
		uint64_t shape = rest | other | CQ_COUNT;
		n += (size_t)snprintf(sql + n, size - n, ") + (");
		cases_sql(&shape, sql + n, size - n);
		n += strlen(sql + n);
	}
	snprintf(sql + n, size - n, ")");
	return true;
}

/*
 * A count of what a unit may see, or of the cases a subtree or a unit
 * leads, recorded within dates, in any state, and nothing else: the whole
 * local days between the bounds are the sum of scope_days or lead_days
 * (kept by the triggers of 0017-scope-days.sql and 0018-lead-days.sql),
 * and only the part of a day at either end is counted from the cases (a
 * day of the city's at most). D1 is the first day that starts at or after
 * ?7, D2 the day ?8 falls in; days [D1, D2) and the times [?7, start of
 * D1) and [start of D2, ?8), none twice: when no whole day lies between
 * them the first part is all of [?7, ?8) and the other two are empty.
 */
#define DAY_FIRST "((?7 + 28800 + 86399) / 86400)"
#define DAY_LAST DAY_OF("?8")
#define DAY_START(d) "(" d " * 86400 - 28800)"
static bool days_count_sql(uint64_t k, char *sql, size_t size)
{
	uint64_t dates = k & (CQ_FROM | CQ_TO), rest = k & ~(dates | CQ_COUNT | CQ_SORT_DUE);
	if (!dates || !(k & CQ_COUNT) || (rest != CQ_VIEWER && rest != CQ_UNIT && rest != CQ_LEAD))
		return false;
	/* the parts of a day: by lead, from cases_lead_created (0018); by sight, along cases_created_at */
	const char *each = rest == CQ_VIEWER ? CASES_W_VIEWER_EACH
			   : rest == CQ_UNIT ? CASES_W_UNIT
					     : CASES_W_LEAD;
	size_t n = (size_t)snprintf(sql, size, "SELECT (SELECT coalesce(sum(n), 0)");
	n += kept_from(rest, "scope_days", "lead_days", "day", sql + n, size - n);
	n += (size_t)snprintf(sql + n, size - n, "%s%s)", k & CQ_FROM ? " AND day >= " DAY_FIRST : "",
			      k & CQ_TO ? " AND day < " DAY_LAST : "");
	if (k & CQ_FROM) /* [?7, start of D1), or to ?8 if sooner */
		n += (size_t)snprintf(sql + n, size - n,
				      " + (SELECT count(*) FROM cases WHERE created_at >= ?7 AND created_at < %s%s)",
				      k & CQ_TO ? "min(" DAY_START(DAY_FIRST) ", ?8)" : DAY_START(DAY_FIRST), each);
	if (k & CQ_TO) /* [start of D2, ?8), from the start of D1 if later */
		snprintf(sql + n, size - n, " + (SELECT count(*) FROM cases WHERE created_at >= %s AND created_at < ?8%s)",
			 k & CQ_FROM ? "max(" DAY_START(DAY_FIRST) ", " DAY_START(DAY_LAST) ")" : DAY_START(DAY_LAST),
			 each);
	return true;
}

/*
 * The SQL of a case query of shape *(const uint64_t *)arg. A page's ids
 * are chosen first, in a subquery that an index may answer alone (the
 * unit inbox's from cases_inbox), and only its rows are then read: SQLite
 * reads every row its sorter is given, all of a unit's open cases, from
 * the disk when they are cold.
 */
static void cases_sql(const void *arg, char *sql, size_t size)
{
	uint64_t k = *(const uint64_t *)arg;
	static const struct {
		uint64_t bit;
		const char *sql;
	} where[] = {{CQ_STATUS, CASES_W_STATUS},	{CQ_UNIT, CASES_W_UNIT},	 {CQ_VIEWER, CASES_W_VIEWER},
		     {CQ_OVERDUE, CASES_W_OVERDUE},	{CQ_FROM, CASES_W_FROM},	 {CQ_TO, CASES_W_TO},
		     {CQ_CALLBACK, CASES_W_CALLBACK},	{CQ_LEAD, CASES_W_LEAD},	 {CQ_TASK, CASES_W_TASK},
		     {CQ_EXTENSION, CASES_W_EXTENSION}, {CQ_EXCLUSION, CASES_W_EXCLUSION}};
	/* newest first; within dates by time, so a page walks cases_created_at back and stops at its last case */
	const char *order = k & CQ_CALLBACK	       ? " ORDER BY id"
			    : k & CQ_SORT_DUE	       ? CASES_DUE_ORDER
			    : k & (CQ_FROM | CQ_TO) ? " ORDER BY created_at DESC, id DESC"
						       : " ORDER BY id DESC";
	if ((k & ~(uint64_t)(CQ_COUNT | CQ_PAGE)) == CQ_VIEWER && (k & (CQ_COUNT | CQ_PAGE))) {
		/* what a unit may see, newest first, and how many: from its rows of case_scope alone */
		snprintf(sql, size, "%s",
			 k & CQ_COUNT ? "SELECT count(*) FROM case_scope WHERE unit = ?4"
				      : CASE_SELECT " WHERE id IN (SELECT case_id FROM case_scope WHERE unit = ?4"
						    " ORDER BY case_id DESC LIMIT ?9 OFFSET ?10) ORDER BY id DESC");
		return;
	}
	if (k & CQ_UNIT_SCOPE) {
		/* newest first along the root's rows, each case's lead tested, stopping at the page's last */
		snprintf(sql, size,
			 CASE_SELECT " WHERE id IN (SELECT s.case_id FROM case_scope s CROSS JOIN cases ON cases.id = s.case_id"
				     " WHERE s.unit = ?16" CASES_W_UNIT " ORDER BY s.case_id DESC LIMIT ?9 OFFSET ?10)"
				     " ORDER BY id DESC");
		return;
	}
	if (kept_count_sql(k, sql, size) || days_count_sql(k, sql, size))
		return;
	size_t n = (size_t)snprintf(sql, size, "%s WHERE 1",
				    k & CQ_COUNT  ? "SELECT count(*) FROM cases"
				    : k & CQ_PAGE ? CASE_SELECT " WHERE id IN (SELECT id FROM cases"
						  : CASE_SELECT);
	/*
	 * The filters that an index answers with few cases (cases_status for the
	 * states a case passes through, not those most of a year ends in;
	 * cases_inbox, cases_created_at, case_units).
	 */
	bool by_lead = k & (CQ_UNIT | CQ_LEAD);
	bool indexed = ((k >> CQ_STATUSES_SHIFT) && !(k & CQ_FINAL)) ||
		       (k & (CQ_STATUS | CQ_TASK | CQ_FROM | CQ_TO | CQ_CALLBACK));
	/*
	 * overdue cases, by lead unit or not, and no other such filter: from
	 * cases_overdue_lead or cases_overdue, the few in twenty ever overdue
	 */
	bool overdue_only = (k & CQ_OVERDUE_YES) && !indexed;
	indexed = indexed || by_lead;
	for (size_t i = 0; i < ARRAY_SIZE(where); i++) {
		const char *w = where[i].sql;
		if (!(k & where[i].bit))
			continue;
		if (where[i].bit == CQ_VIEWER && (indexed || overdue_only))
			w = CASES_W_VIEWER_EACH;
		else if (where[i].bit == CQ_OVERDUE && overdue_only)
			w = CASES_W_OVERDUE_ONLY;
		n += (size_t)snprintf(sql + n, size - n, "%s", w);
	}
	if (k >> CQ_STATUSES_SHIFT)
		n = statuses_sql(k, sql, n, size);
	if (k & CQ_COUNT)
		return;
	if (k & CQ_PAGE)
		snprintf(sql + n, size - n, "%s LIMIT ?9 OFFSET ?10)%s", order, order);
	else
		snprintf(sql + n, size - n, "%s", order);
}

/* Bind parameter i to the last code of a unit's path ("110105" of "/12345/110105/"), kept in place. */
static void bind_path_code(sqlite3_stmt *s, int i, const char *path)
{
	size_t n = strlen(path);
	while (n > 0 && path[n - 1] == '/')
		n--;
	size_t from = n;
	while (from > 0 && path[from - 1] != '/')
		from--;
	sqlite3_bind_text(s, i, path + from, (int)(n - from), SQLITE_STATIC);
}

/* Bind the filters of q that its shape k uses; unit_hi holds the path range's bound (as long as the path). */
static void cases_filter_bind(sqlite3_stmt *s, uint64_t k, const struct case_query *q, char *unit_hi)
{
	if (k & CQ_STATUS)
		bind_str(s, 1, q->status);
	if (k & CQ_UNIT) {
		bind_str(s, 2, q->unit_path);
		bind_str(s, 3, prefix_upper(q->unit_path, unit_hi));
	}
	if (k & CQ_UNIT_SCOPE)
		bind_path_code(s, 16, q->unit_path);
	if (k & CQ_VIEWER)
		bind_path_code(s, 4, q->viewer_path);
	if (k & CQ_OVERDUE)
		sqlite3_bind_int(s, 6, q->overdue ? 1 : 0);
	if (k & CQ_FROM)
		sqlite3_bind_int64(s, 7, q->from);
	if (k & CQ_TO)
		sqlite3_bind_int64(s, 8, q->to);
	if (k & CQ_CALLBACK)
		sqlite3_bind_int64(s, 12, q->now);
	if (k & CQ_LEAD)
		bind_str(s, 13, q->lead_code);
	if (k & CQ_TASK)
		bind_str(s, 15, q->task_unit);
}

/*
 * One page of cases matching q, newest (highest id) first (oldest first
 * for the callback worklist, q->callback_due), and the number of matches
 * without paging in *total (if total is not NULL).
 */
enum err_code store_cases_list(struct store *st, const struct case_query *q, case_fn fn, void *ctx,
			       int64_t *total, struct err *e)
{
	size_t ulen = q->unit_path ? strlen(q->unit_path) + 1 : 1;
	char *unit_hi = xmalloc(ulen);
	struct case_rec *c = xmalloc(sizeof(*c));
	sqlite3_stmt *s = NULL;
	enum err_code rc = OK;
	int page = q->page < 1 ? 1 : q->page;
	uint64_t k;
	int r;

	if (total) {
		if ((rc = cases_shape(q, true, &k, e)) != OK)
			goto out;
		if (!(s = dyn_get(st, k, DYN_CASES, cases_sql, &k, e))) {
			rc = E_DB;
			goto out;
		}
		cases_filter_bind(s, k, q, unit_hi);
		if (sqlite3_step(s) != SQLITE_ROW) {
			rc = db_fail(st, e, "统计案件");
			goto out;
		}
		*total = sqlite3_column_int64(s, 0);
		dyn_put(st, s);
		s = NULL;
	}
	if ((rc = cases_shape(q, false, &k, e)) != OK)
		goto out;
	if (!(s = dyn_get(st, k, DYN_CASES, cases_sql, &k, e))) {
		rc = E_DB;
		goto out;
	}
	cases_filter_bind(s, k, q, unit_hi);
	if (k & CQ_PAGE) {
		sqlite3_bind_int(s, 9, q->per_page);
		sqlite3_bind_int64(s, 10, (int64_t)(page - 1) * q->per_page);
	}
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		if ((rc = case_read(st, s, c, !q->brief, e)) != OK)
			goto out;
		if ((rc = (enum err_code)fn(ctx, c)) != OK)
			goto out;
	}
	if (r != SQLITE_DONE)
		rc = db_fail(st, e, "列出案件");
out:
	dyn_put(st, s);
	free(c);
	free(unit_hi);
	return rc;
}

/* Ids of cases due for a check at now, earliest first; limit <= 0 means no limit. */
enum err_code store_cases_due(struct store *st, int64_t now, int limit, id_fn fn, void *ctx, struct err *e)
{
	sqlite3_stmt *s = stmt_get(st, ST_CASES_DUE, e);
	if (!s)
		return E_DB;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int(s, 2, limit > 0 ? limit : -1);
	return ids_each(st, ST_CASES_DUE, s, fn, ctx, e);
}

/* ---- reading ahead of a walk over every case (store_readahead) ---- */

#define AHEAD_CHUNK 256    /* ids a reader takes at a time */
#define AHEAD_WINDOW 32768 /* how far ahead of the walk the readers may be: about 90 MB of a year */
#define AHEAD_MAX 64
#define AHEAD_FILE_SHARE 0.08      /* the file reader keeps this share of the file ahead of the walk's */
#define AHEAD_FILE_CHUNK (8 << 20) /* and reads it this much at a time */

/* What a reader reads of a chunk of ids: each row's own page, not only an index. */
static const struct {
	unsigned what;
	const char *sql;
} ahead_reads[] = {
    {STORE_AHEAD_CASES, "SELECT sum(length(content)) FROM cases WHERE id BETWEEN ?1 AND ?2"},
    {STORE_AHEAD_CASES, "SELECT sum(pos) FROM case_units WHERE case_id BETWEEN ?1 AND ?2"},
    {STORE_AHEAD_EVENTS, "SELECT sum(length(payload)) FROM events WHERE case_id BETWEEN ?1 AND ?2"},
    {STORE_AHEAD_FACTS, "SELECT sum(value) FROM facts WHERE case_id BETWEEN ?1 AND ?2"},
};
#define AHEAD_READS (sizeof(ahead_reads) / sizeof(ahead_reads[0]))

struct ahead {
	const char *path;
	unsigned what;
	const int64_t *ids;
	size_t n;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	size_t next; /* the first id no reader has taken */
	size_t done; /* where the walk is */
	bool stop;
};

static void *ahead_run(void *arg)
{
	struct ahead *a = arg;
	sqlite3 *db = NULL;
	sqlite3_stmt *s[AHEAD_READS] = {0};
	bool ready = false;
	if (sqlite3_open_v2(a->path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		goto out;
	sqlite3_busy_timeout(db, 10000);
	for (size_t i = 0; i < AHEAD_READS; i++)
		if ((a->what & ahead_reads[i].what) &&
		    sqlite3_prepare_v2(db, ahead_reads[i].sql, -1, &s[i], NULL) != SQLITE_OK)
			goto out;
	ready = true;
	for (;;) {
		pthread_mutex_lock(&a->mu);
		while (!a->stop && a->next < a->n && a->next >= a->done + AHEAD_WINDOW)
			pthread_cond_wait(&a->cv, &a->mu);
		if (a->stop || a->next >= a->n) {
			pthread_mutex_unlock(&a->mu);
			break;
		}
		size_t lo = a->next, hi = lo + AHEAD_CHUNK < a->n ? lo + AHEAD_CHUNK : a->n;
		a->next = hi;
		pthread_mutex_unlock(&a->mu);
		for (size_t i = 0; i < AHEAD_READS; i++) {
			if (!s[i])
				continue;
			sqlite3_bind_int64(s[i], 1, a->ids[lo]);
			sqlite3_bind_int64(s[i], 2, a->ids[hi - 1]);
			while (sqlite3_step(s[i]) == SQLITE_ROW)
				;
			sqlite3_reset(s[i]);
		}
	}
out:
	if (!ready)
		log_debug("store: a reader ahead did not start: %s", db ? sqlite3_errmsg(db) : "no memory");
	for (size_t i = 0; i < AHEAD_READS; i++)
		sqlite3_finalize(s[i]);
	sqlite3_close(db);
	return NULL;
}

/*
 * The file reader. A year is written in time order and case ids grow with
 * time, so the pages of the walk's next cases lie mostly a little after the
 * walk's share of the file (the rows of the cases of one week, and their
 * events of the weeks after). Reading the file in order, a share ahead of
 * the walk, brings them in at the disk's sequential speed, where the
 * B-tree readers ask for one page at a time.
 */
static void *ahead_file_run(void *arg)
{
	struct ahead *a = arg;
	struct stat sb;
	char *buf = NULL;
	int fd = open(a->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb) != 0 || !(buf = malloc(AHEAD_FILE_CHUNK)))
		goto out;
	for (off_t pos = 0; pos < sb.st_size;) {
		bool stop;
		pthread_mutex_lock(&a->mu);
		while (!(stop = a->stop) &&
		       pos >= (off_t)(((double)a->done / (double)a->n + AHEAD_FILE_SHARE) * (double)sb.st_size))
			pthread_cond_wait(&a->cv, &a->mu);
		pthread_mutex_unlock(&a->mu);
		ssize_t r;
		if (stop || (r = pread(fd, buf, AHEAD_FILE_CHUNK, pos)) <= 0)
			break;
		pos += r;
	}
out:
	free(buf);
	if (fd >= 0)
		close(fd);
	return NULL;
}

void store_readahead(struct store *st, unsigned what, int readers)
{
	st->ahead_what = what;
	st->ahead_readers = readers < 0 ? 0 : readers > AHEAD_MAX ? AHEAD_MAX : readers;
}

void store_walk_progress(struct store *st, store_progress_fn fn, void *ctx)
{
	st->walk_progress = fn;
	st->walk_progress_ctx = ctx;
}

enum err_code store_case_ids(struct store *st, id_fn fn, void *ctx, struct err *e)
{
	sqlite3_stmt *s = stmt_get(st, ST_CASE_IDS, e);
	if (!s)
		return E_DB;
	struct id_list l = {0};
	enum err_code rc = ids_read(st, ST_CASE_IDS, s, &l, e);
	if (rc == OK && l.n > 1)
		qsort(l.v, l.n, sizeof(*l.v), id_cmp);
	const char *path = sqlite3_db_filename(st->db, "main");
	struct ahead a = {.path = path, .what = st->ahead_what, .ids = l.v, .n = l.n};
	pthread_t th[AHEAD_MAX + 1];
	int nth = 0;
	bool ahead =
	    rc == OK && st->ahead_readers > 0 && st->ahead_what && path && *path && l.n > AHEAD_CHUNK;
	if (ahead) {
		pthread_mutex_init(&a.mu, NULL);
		pthread_cond_init(&a.cv, NULL);
		if (!pthread_create(&th[nth], NULL, ahead_file_run, &a))
			nth++;
		int want = nth + st->ahead_readers;
		while (nth < want && !pthread_create(&th[nth], NULL, ahead_run, &a))
			nth++;
		log_debug("store: %d readers ahead of a walk over %zu cases", nth, l.n);
	}
	for (size_t i = 0; rc == OK && i < l.n; i++) {
		if (nth && i % AHEAD_CHUNK == 0) {
			pthread_mutex_lock(&a.mu);
			a.done = i;
			pthread_cond_broadcast(&a.cv);
			pthread_mutex_unlock(&a.mu);
		}
		if (st->walk_progress && i % 10000 == 0)
			st->walk_progress(st->walk_progress_ctx, "cases", i, l.n);
		rc = (enum err_code)fn(ctx, l.v[i]);
	}
	if (rc == OK && st->walk_progress)
		st->walk_progress(st->walk_progress_ctx, "cases", l.n, l.n);
	if (ahead) {
		pthread_mutex_lock(&a.mu);
		a.stop = true;
		pthread_cond_broadcast(&a.cv);
		pthread_mutex_unlock(&a.mu);
		for (int i = 0; i < nth; i++)
			pthread_join(th[i], NULL);
		pthread_mutex_destroy(&a.mu);
		pthread_cond_destroy(&a.cv);
	}
	free(l.v);
	return rc;
}

/* ---- facts and assessment ---- */

enum err_code store_fact_insert(struct store *st, const struct fact *f, struct err *e)
{
	struct unit_counts d = {0};
	sqlite3_stmt *s = NULL;
	enum op_scope scope;
	enum err_code rc;
	if (!f->kind[0])
		return err_set(e, E_INVALID, "kind", "统计事实的类型不能为空");
	bool own = sqlite3_get_autocommit(st->db);
	if (own && (rc = op_begin(st, &scope, e)) != OK)
		return rc;
	if (!strcmp(f->kind, "callback")) {
		if ((f->value & FACT_CB_VALID) && (rc = callback_count(st, f, e)) != OK)
			goto out;
	} else if (fact_add(&d, f) && (rc = unit_day_add(st, fact_day(f->at), f->unit, &d, e)) != OK) {
		goto out;
	}
	if (!(s = stmt_get(st, ST_FACT_INSERT, e))) {
		rc = E_DB;
		goto out;
	}
	sqlite3_bind_int64(s, 1, f->case_id);
	sqlite3_bind_int(s, 2, f->seq);
	sqlite3_bind_int64(s, 3, f->at);
	sqlite3_bind_int64(s, 4, f->user_id);
	bind_arr(s, 5, f->unit);
	bind_arr(s, 6, f->kind);
	sqlite3_bind_int64(s, 7, f->value);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = db_fail(st, e, "写入统计事实");
	stmt_put(st, ST_FACT_INSERT, s);
out:
	return own ? op_end(st, scope, rc, e) : rc;
}

/* Hand each fact of a case (case_id 0: of every case) to fn, in (case, seq, kind) order. */
enum err_code store_facts_list(struct store *st, int64_t case_id, fact_fn fn, void *ctx, struct err *e)
{
	enum stmt_id id = case_id ? ST_FACTS_CASE : ST_FACTS_ALL;
	sqlite3_stmt *s = stmt_get(st, id, e);
	enum err_code rc = OK;
	struct fact f;
	int r;
	if (!s)
		return E_DB;
	if (case_id)
		sqlite3_bind_int64(s, 1, case_id);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&f, 0, sizeof(f));
		f.case_id = sqlite3_column_int64(s, 0);
		f.seq = sqlite3_column_int(s, 1);
		f.at = sqlite3_column_int64(s, 2);
		f.user_id = sqlite3_column_int64(s, 3);
		col_text(s, 4, f.unit);
		col_text(s, 5, f.kind);
		f.value = sqlite3_column_int64(s, 6);
		if ((rc = (enum err_code)fn(ctx, &f)) != OK)
			goto out;
	}
	if (r != SQLITE_DONE)
		rc = db_fail(st, e, "读取统计事实");
out:
	stmt_put(st, id, s);
	return rc;
}

/*
 * Per-unit figures over [from, to): one statement (UNIT_COUNTS_SQL) that
 * aggregates the deduplicated callbacks and every other counted fact,
 * grouped by unit; the row's columns follow struct unit_counts.
 */
/* Read the unit and the first n counts of struct unit_counts from the current row of s. */
static void counts_read(sqlite3_stmt *s, struct unit_counts *c, int n)
{
	memset(c, 0, sizeof(*c));
	col_text(s, 0, c->unit);
	for (int i = 0; i < n; i++)
		*count_field(c, i) = sqlite3_column_int64(s, i + 1);
}

/* store_unit_counts by the full scan of the period's facts (UNIT_COUNTS_SQL). */
static enum err_code unit_counts_scan(struct store *st, int64_t from, int64_t to, unit_counts_fn fn, void *ctx,
				      struct err *e)
{
	sqlite3_stmt *s = stmt_get(st, ST_UNIT_COUNTS, e);
	enum err_code rc = OK;
	struct unit_counts c;
	int r;
	if (!s)
		return E_DB;
	sqlite3_bind_int64(s, 1, from);
	sqlite3_bind_int64(s, 2, to);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		counts_read(s, &c, UNIT_NCOUNTS);
		if ((rc = (enum err_code)fn(ctx, &c)) != OK)
			goto out;
	}
	if (r != SQLITE_DONE)
		rc = db_fail(st, e, "统计单位考核数据");
out:
	stmt_put(st, ST_UNIT_COUNTS, s);
	return rc;
}

/* Counts per unit, summed in memory: open addressing on the unit code. */
struct count_map {
	struct unit_counts *slot;
	size_t cap, n;
};

static struct unit_counts *count_slot(struct count_map *m, const char *unit)
{
	if (2 * (m->n + 1) > m->cap) {
		struct count_map bigger = {xcalloc(m->cap ? 2 * m->cap : 1024, sizeof(*m->slot)),
					   m->cap ? 2 * m->cap : 1024, 0};
		for (size_t i = 0; i < m->cap; i++)
			if (m->slot[i].unit[0])
				*count_slot(&bigger, m->slot[i].unit) = m->slot[i];
		free(m->slot);
		*m = bigger;
	}
	size_t h = str_hash(STR_HASH_START, unit);
	for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (!m->slot[i].unit[0]) {
			strlcpy_ok(m->slot[i].unit, unit, sizeof(m->slot[i].unit));
			m->n++;
			return &m->slot[i];
		}
		if (!strcmp(m->slot[i].unit, unit))
			return &m->slot[i];
	}
}

static int counts_unit_cmp(const void *a, const void *b)
{
	return strcmp(((const struct unit_counts *)a)->unit, ((const struct unit_counts *)b)->unit);
}

/*
 * store_unit_counts over the days [a, b): whole months by month, the days
 * before the first and after the last whole month by day, less the
 * callbacks superseded within the period (day >= a, until < b): those with
 * both days in whole months by month; those replaced in the trailing days,
 * or made in the leading days, one by one. The rows are summed per unit
 * here (SQLite's GROUP BY would sort them first). A unit left with nothing
 * counted is not listed (as in the scan: its only fact was a callback
 * replaced later in the period by one credited to another unit). The unit
 * "" (facts with no unit) sorts first, as in the scan.
 */
static enum err_code unit_counts_days(struct store *st, int64_t a, int64_t b, unit_counts_fn fn, void *ctx,
				      struct err *e)
{
	int64_t ma = day_month(a), mb = day_month(b);
	if (month_first_day(ma) < a)
		ma++;
	int64_t da = month_first_day(ma), db = month_first_day(mb); /* whole months: [da, db) */
	if (da >= db) /* no whole month: everything by day */
		da = db = b;
	struct {
		enum stmt_id id;
		int n, sign;
		int64_t p[4]; /* the parameters; p[lo], p[lo + 1] the range, skipped when empty */
		int np, lo;
	} spec[] = {
	    {ST_UNIT_COUNTS_ROWS, UNIT_NCOUNTS, 1, {0, a, da}, 3, 1},
	    {ST_UNIT_COUNTS_ROWS, UNIT_NCOUNTS, 1, {1, ma, mb}, 3, 1},
	    {ST_UNIT_COUNTS_ROWS, UNIT_NCOUNTS, 1, {0, db, b}, 3, 1},
	    {ST_SUPERSEDED_BY_DAY, CALLBACK_NCOUNTS, -1, {a, da, a, b}, 4, 0},
	    {ST_SUPERSEDED_BY_UNTIL, CALLBACK_NCOUNTS, -1, {da, b, db, b}, 4, 0},
	    {ST_SUPERSEDED_MONTH_ROWS, CALLBACK_NCOUNTS, -1, {ma, mb}, 2, 0},
	};
	struct count_map m = {0};
	struct unit_counts row;
	/* the unit "" cannot be a key of the map (an empty slot): it is kept apart */
	struct unit_counts none = {0};
	bool have_none = false;
	enum err_code rc = OK;
	for (size_t i = 0; rc == OK && i < ARRAY_SIZE(spec); i++) {
		if (spec[i].p[spec[i].lo] >= spec[i].p[spec[i].lo + 1])
			continue;
		sqlite3_stmt *s = stmt_get(st, spec[i].id, e);
		int r;
		if (!s) {
			rc = E_DB;
			break;
		}
		for (int k = 0; k < spec[i].np; k++)
			sqlite3_bind_int64(s, k + 1, spec[i].p[k]);
		while ((r = sqlite3_step(s)) == SQLITE_ROW) {
			counts_read(s, &row, spec[i].n);
			struct unit_counts *c = row.unit[0] ? count_slot(&m, row.unit) : &none;
			have_none |= !row.unit[0];
			for (int k = 0; k < spec[i].n; k++)
				*count_field(c, k) += spec[i].sign * *count_field(&row, k);
		}
		if (r != SQLITE_DONE)
			rc = db_fail(st, e, "统计单位考核数据");
		stmt_put(st, spec[i].id, s);
	}
	size_t n = 0;
	for (size_t i = 0; i < m.cap; i++) /* pack the used slots, then sort them by unit */
		if (m.slot[i].unit[0])
			m.slot[n++] = m.slot[i];
	if (n > 1)
		qsort(m.slot, n, sizeof(*m.slot), counts_unit_cmp);
	for (size_t i = 0; rc == OK && i < n + have_none; i++) {
		struct unit_counts *c = have_none ? (i == 0 ? &none : &m.slot[i - 1]) : &m.slot[i];
		bool any = false;
		for (int k = 0; k < UNIT_NCOUNTS; k++)
			any |= *count_field(c, k) != 0;
		if (any)
			rc = (enum err_code)fn(ctx, c);
	}
	free(m.slot);
	return rc;
}

enum err_code store_unit_counts(struct store *st, int64_t from, int64_t to, bool scan, unit_counts_fn fn,
				void *ctx, struct err *e)
{
	enum err_code frc = counts_flush(st, e); /* what this transaction added so far counts too */
	if (frc != OK)
		return frc;
	bool whole_days = (from + LOCAL_UTC_OFFSET) % 86400 == 0 && (to + LOCAL_UTC_OFFSET) % 86400 == 0 &&
			  from >= 0 && to >= from;
	if (scan || !whole_days)
		return unit_counts_scan(st, from, to, fn, ctx, e);
	return unit_counts_days(st, fact_day(from), fact_day(to), fn, ctx, e);
}

/*
 * Per-person figures over [from, to) (PERSON_COUNTS_SQL), for users whose
 * unit lies within unit_path (NULL: everyone), by user id.
 */
enum err_code store_person_counts(struct store *st, int64_t from, int64_t to, const char *unit_path,
				  person_counts_fn fn, void *ctx, struct err *e)
{
	char *hi = xmalloc(unit_path ? strlen(unit_path) + 1 : 1);
	sqlite3_stmt *s = stmt_get(st, ST_PERSON_COUNTS, e);
	enum err_code rc = OK;
	struct person_counts c;
	int r;
	if (!s) {
		free(hi);
		return E_DB;
	}
	sqlite3_bind_int64(s, 1, from);
	sqlite3_bind_int64(s, 2, to);
	bind_str(s, 3, unit_path);
	bind_str(s, 4, unit_path ? prefix_upper(unit_path, hi) : NULL);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t *v[] = {&c.signs,
				&c.signs_ontime,
				&c.contacts,
				&c.contacts_ontime,
				&c.replies,
				&c.replies_ontime,
				&c.reports,
				&c.reports_ontime,
				&c.ratings,
				&c.rating_sum,
				&c.callbacks,
				&c.callbacks_solved,
				&c.callbacks_satisfied};
		memset(&c, 0, sizeof(c));
		c.user_id = sqlite3_column_int64(s, 0);
		col_text(s, 1, c.login);
		col_text(s, 2, c.name);
		col_text(s, 3, c.unit);
		for (size_t i = 0; i < ARRAY_SIZE(v); i++)
			*v[i] = sqlite3_column_int64(s, (int)i + 4);
		if ((rc = (enum err_code)fn(ctx, &c)) != OK)
			goto out;
	}
	if (r != SQLITE_DONE)
		rc = db_fail(st, e, "统计个人实绩");
out:
	stmt_put(st, ST_PERSON_COUNTS, s);
	free(hi);
	return rc;
}

enum err_code store_assess_config_get(struct store *st, enum unit_kind pool, struct assess_config *out,
				      struct err *e)
{
	enum err_code rc = OK;
	if ((unsigned)pool >= UNIT_KIND_COUNT)
		return err_set(e, E_INVALID, "pool", "考核分组不合法");
	sqlite3_stmt *s = stmt_get(st, ST_ASSESS_GET, e);
	if (!s)
		return E_DB;
	sqlite3_bind_text(s, 1, unit_kind_name(pool), -1, SQLITE_STATIC);
	int r = sqlite3_step(s);
	if (r == SQLITE_ROW) {
		memset(out, 0, sizeof(*out));
		out->pool = pool;
		out->w_response = sqlite3_column_double(s, 1);
		out->w_resolution = sqlite3_column_double(s, 2);
		out->w_satisfaction = sqlite3_column_double(s, 3);
		out->basic_coefficient = sqlite3_column_double(s, 4);
		out->period_start_day = sqlite3_column_int(s, 5);
		out->min_callbacks = sqlite3_column_int(s, 6);
		out->whistle_weight = sqlite3_column_double(s, 7);
	} else if (r == SQLITE_DONE) {
		rc = err_set(e, E_NOT_FOUND, NULL, "考核分组 %s 尚未配置", unit_kind_name(pool));
	} else {
		rc = db_fail(st, e, "读取考核配置");
	}
	stmt_put(st, ST_ASSESS_GET, s);
	return rc;
}

/* Insert or replace the configuration of c->pool. */
enum err_code store_assess_config_put(struct store *st, const struct assess_config *c, struct err *e)
{
	enum err_code rc = OK;
	if ((unsigned)c->pool >= UNIT_KIND_COUNT)
		return err_set(e, E_INVALID, "pool", "考核分组不合法");
	sqlite3_stmt *s = stmt_get(st, ST_ASSESS_PUT, e);
	if (!s)
		return E_DB;
	sqlite3_bind_text(s, 1, unit_kind_name(c->pool), -1, SQLITE_STATIC);
	sqlite3_bind_double(s, 2, c->w_response);
	sqlite3_bind_double(s, 3, c->w_resolution);
	sqlite3_bind_double(s, 4, c->w_satisfaction);
	sqlite3_bind_double(s, 5, c->basic_coefficient);
	sqlite3_bind_int(s, 6, c->period_start_day);
	sqlite3_bind_int(s, 7, c->min_callbacks);
	sqlite3_bind_double(s, 8, c->whistle_weight);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = db_fail(st, e, "写入考核配置");
	stmt_put(st, ST_ASSESS_PUT, s);
	return rc;
}
