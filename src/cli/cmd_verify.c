/*
 * cmd_verify.c — jiesu verify: is the history what jiesu wrote?
 *
 * Every case's events are re-chained from the first (each hash covers the
 * one before, store_event_hash), every case row is compared with the fold
 * of its events, and the assessment figures of each month are recomputed
 * from the events and compared with the stored facts and the counts kept
 * per day (assess_recompute_periods: every month and pool in one more walk
 * over the cases), and the rows that say which units see each case in lists
 * (case_scope) with the links they come from. The first broken link of each
 * case is named. Exit 0: nothing found; 1: something was; 2: bad arguments.
 */
#include "cli.h"

#include "../domain/assess.h"
#include "../domain/case.h"

#include <stdio.h>
#include <string.h>

/*
 * A table of (unit, case) rows derived from the cases: the rows missing [0]
 * and too many [1], and what to print for each.
 */
struct rows_check {
	long n[2];
	const char *say[2]; /* printf formats of case id, unit */
};

struct verify_run {
	struct store *st;
	long cases, broken, differ, unfoldable;
	struct rows_check sight, tasks; /* case_scope, open_tasks */
	long counts_wrong; /* kept counts of final states that differ from a recount */
	int64_t events, first, last; /* the period the cases span */
	struct err *e;
};

static int verify_case(void *ctx, int64_t id)
{
	struct verify_run *v = ctx;
	struct case_check c;
	enum err_code rc = case_verify(v->st, id, &c, v->e);
	if (rc != OK)
		return rc;
	v->cases++;
	v->events += c.events;
	if (!v->first || c.created_at < v->first)
		v->first = c.created_at;
	if (c.updated_at > v->last)
		v->last = c.updated_at;
	if (c.broken) {
		v->broken++;
		printf("verify: case %lld: event %d does not match its chain (it, or an event before it, was "
		       "changed or removed)\n",
		       (long long)id, c.broken);
	}
	if (*c.fold_error) {
		v->unfoldable++;
		printf("verify: case %lld: its events cannot be replayed: %s\n", (long long)id, c.fold_error);
	} else if (c.field) {
		v->differ++;
		printf("verify: case %lld: the stored row differs from its events at %s\n", (long long)id, c.field);
	}
	return 0;
}

/* A row of a derived table that the cases do not account for, or one they ask for that is not there. */
static int row_wrong(void *ctx, const char *unit, int64_t case_id, bool extra)
{
	struct rows_check *r = ctx;
	if (++r->n[extra] <= 10)
		printf(r->say[extra], (long long)case_id, unit);
	return 0;
}

/* A kept count of cases in a final state that differs from the cases counted. */
static int count_wrong(void *ctx, bool sight, const char *unit, const char *status, int64_t kept, int64_t counted)
{
	struct verify_run *v = ctx;
	if (++v->counts_wrong <= 10)
		printf("verify: unit %s, %s: %lld cases %s kept, %lld counted\n", *unit ? unit : "(none)", status,
		       (long long)kept, sight ? "it sees" : "it leads", (long long)counted);
	return 0;
}

static void print_mismatch(void *ctx, const char *what)
{
	printf("verify: %s\n", what);
}

/* The month (YYYY-MM, local time) of t. */
static void month_of(int64_t t, int *y, int *m)
{
	int d;
	civil_from_days((t + LOCAL_UTC_OFFSET) / 86400, y, m, &d);
}

int cmd_verify(int argc, char **argv)
{
	const char *db = NULL, *period = NULL, *pool_s = NULL, *readers_s = NULL;
	const struct cli_opt opts[] = {
	    {"--db", &db, NULL, "database file"},
	    {"--period", &period, NULL, "recompute the figures of this month only (YYYY-MM); default every month"},
	    {"--pool", &pool_s, NULL, "street|department|enterprise|district; default all four"},
	    {"--readers", &readers_s, NULL, CLI_READERS_HELP},
	    {NULL, NULL, NULL, NULL},
	};
	const char *pos[CLI_MAX_POS];
	int readers;
	if (!cli_parse(argc, argv, opts, pos, 0, 0,
		       "jiesu verify --db PATH [--period YYYY-MM] [--pool POOL] [--readers N]") ||
	    !cli_readers(readers_s, &readers))
		return 2;
	int pool = -1;
	struct err e;
	err_init(&e);
	if (pool_s) {
		enum unit_kind k;
		if (assess_pool_parse(pool_s, &k, &e) != OK) {
			cli_fail(&e);
			return 2;
		}
		pool = (int)k;
	}
	int py = 0, pm = 0;
	if (period && (sscanf(period, "%4d-%2d", &py, &pm) != 2 || strlen(period) != 7 || pm < 1 || pm > 12)) {
		fprintf(stderr, "jiesu: --period must be a month, YYYY-MM\n");
		return 2;
	}
	struct store *st;
	if (!cli_open_store(db, &st))
		return 1;
	struct verify_run v = {
	    .st = st,
	    .e = &e,
	    .sight.say = {"verify: case %lld: unit %s does not see it in lists, though one of its links is below that unit\n",
			  "verify: case %lld: unit %s sees it in lists, but none of its links is below that unit\n"},
	    .tasks.say = {"verify: case %lld: unit %s has an open task on it, but not in its whistled tab\n",
			  "verify: case %lld: unit %s has it in its whistled tab, but has no open task on it\n"},
	};
	cli_walk(st, STORE_AHEAD_CASES | STORE_AHEAD_EVENTS | STORE_AHEAD_FACTS, readers);
	int ret = 0;
	store_read_begin(st); /* one state of the database throughout */
	if (store_case_ids(st, verify_case, &v, &e) != OK) {
		ret = cli_fail(&e);
		goto out;
	}
	printf("verify: %ld cases, %lld events: %ld broken chains, %ld rows differ, %ld logs cannot be replayed\n",
	       v.cases, (long long)v.events, v.broken, v.differ, v.unfoldable);
	/* who sees each case in lists (case_scope), against the links */
	if (store_scope_check(st, row_wrong, &v.sight, &e) != OK) {
		ret = cli_fail(&e);
		goto out;
	}
	printf("verify: who sees each case in lists: %ld rows missing, %ld rows too many\n", v.sight.n[0], v.sight.n[1]);
	/* the counts of final states that lists and searches show */
	if (store_counts_check(st, count_wrong, &v, &e) != OK) {
		ret = cli_fail(&e);
		goto out;
	}
	printf("verify: counts kept by unit (cases in final states, cases seen and led by day): %ld differ\n",
	       v.counts_wrong);
	/* the open tasks each unit's whistled tab lists */
	if (store_tasks_check(st, row_wrong, &v.tasks, &e) != OK) {
		ret = cli_fail(&e);
		goto out;
	}
	printf("verify: open tasks by unit (the whistled tab): %ld rows missing, %ld rows too many\n", v.tasks.n[0],
	       v.tasks.n[1]);
	/* the figures of every month and pool, in one walk */
	static const enum unit_kind pools[] = {UNIT_STREET, UNIT_DEPARTMENT, UNIT_ENTERPRISE, UNIT_DISTRICT};
	int y, m, ly, lm, months = 0, mismatches = 0, n = 0;
	if (period) {
		y = ly = py;
		m = lm = pm;
	} else {
		month_of(v.first, &y, &m);
		month_of(v.last, &ly, &lm);
	}
	months = v.cases > 0 ? (ly - y) * 12 + (lm - m) + 1 : 0;
	char(*names)[8] = xcalloc((size_t)months + 1, sizeof(*names));
	struct assess_period_ref *refs = xcalloc((size_t)months * ARRAY_SIZE(pools) + 1, sizeof(*refs));
	for (int i = 0; i < months; i++, m == 12 ? (y++, m = 1) : m++) {
		snprintf(names[i], sizeof(names[i]), "%04d-%02d", y, m);
		for (size_t k = 0; k < ARRAY_SIZE(pools); k++)
			if (pool < 0 || pools[k] == (enum unit_kind)pool)
				refs[n++] = (struct assess_period_ref){names[i], pools[k]};
	}
	enum err_code rc = n ? assess_recompute_periods(st, refs, n, &mismatches, NULL, print_mismatch, NULL, &e) : OK;
	free(refs);
	free(names);
	if (rc != OK) {
		ret = cli_fail(&e);
		goto out;
	}
	printf("verify: figures of %d month%s recomputed from the events: %d mismatches\n", months,
	       months == 1 ? "" : "s", mismatches);
	ret = v.broken || v.differ || v.unfoldable || v.sight.n[0] || v.sight.n[1] || v.counts_wrong || v.tasks.n[0] ||
	      v.tasks.n[1] || mismatches; /* 1 or 0 */
	printf("verify: %s\n", ret ? "FOUND PROBLEMS (see above)" : "ok");
out:
	store_read_end(st);
	store_close(st);
	return ret;
}
