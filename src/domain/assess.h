/*
 * assess — the monthly assessment (考评, DOMAIN.md §7): periods, the three
 * rates and the composite score per unit, pools and rankings, whistle
 * scores of departments, per-person records, and the full recomputation
 * from the event log that proves the stored figures right.
 *
 * Figures come from facts (store.h struct fact) written with each event;
 * the store aggregates them per unit (store_unit_counts), this module turns
 * counts into rates and ranks. assess_recompute() folds every case's events
 * again, aggregates the same counts in C, and compares.
 */
#ifndef JIESU_ASSESS_H
#define JIESU_ASSESS_H

#include "../store/store.h"

/*
 * A period "YYYY-MM" under a start day d: with d = 1 the calendar month;
 * with d > 1 it runs from day d of the previous month to day d−1 of this
 * month (d = 19: 2026-03 is 2026-02-19 00:00 to 2026-03-18 24:00, Beijing
 * time), so a callback on the 18th falls in the earlier month.
 */
enum err_code assess_period(const char *period, int start_day, int64_t *from, int64_t *to, struct err *e);
/* The pool named name (street, department, enterprise or district); E_INVALID on field "pool" else. */
enum err_code assess_pool_parse(const char *name, enum unit_kind *out, struct err *e);

/*
 * The defaults: weights 0.1/0.5/0.4, 0.9, calendar month, minimum 1, whistle
 * weight 1/3 for departments and enterprises (0 for the other pools).
 */
void assess_config_default(enum unit_kind pool, struct assess_config *out);
/* The stored configuration of a pool, or its default. */
enum err_code assess_config_load(struct store *st, enum unit_kind pool, struct assess_config *out, struct err *e);
/* Check a configuration (weights ≥ 0 summing to 1 within 1e-6, coefficient 0–1, start day 1–28, ...). */
enum err_code assess_config_check(const struct assess_config *c, struct err *e);

struct rates {
	int64_t valid;
	double response, resolution, satisfaction; /* fractions 0–1; 0 when valid is 0 */
	double score;                              /* 0–100 */
};

struct assess_row {
	struct unit unit;
	struct unit_counts n;
	struct rates assessed; /* exclusions applied */
	struct rates full;     /* full scope */
	double whistle_score;  /* 0–100, or -1 when the unit had no rated whistle task */
	double final_score;    /* score blended with the whistle score by whistle_weight */
	int rank;              /* 1.., or 0 when listed apart (fewer valid callbacks than the minimum) */
	/* process figures, fractions 0–1 (or -1 when there is nothing to measure) */
	double on_time_sign, on_time_contact, on_time_feedback, return_rate, rework_rate, extension_rate;
	double avg_handling_hours; /* -1 when nothing was replied */
};

struct assess_report {
	char period[8];
	enum unit_kind pool;
	struct assess_config config;
	int64_t from, to;
	int nrows;
	struct assess_row *rows; /* ranked rows first (by rank), then those listed apart (by code) */
};
void assess_report_release(struct assess_report *r);

/*
 * Rankings of a pool for a period. parent (may be NULL) limits the pool to
 * units below it (a district's streets). Every unit of the pool in scope is
 * listed, with zeros where it had no facts.
 */
enum err_code assess_rates(struct store *st, const char *period, enum unit_kind pool, const char *parent,
			   struct assess_report *out, struct err *e);

/*
 * Recompute the counts of a period from the event log alone and compare
 * them with the stored facts' counts (both the plain scan of the facts and
 * the counts kept per unit and day), and every case's stored facts with
 * the facts its events yield. *mismatches counts differences; each is
 * described through fn (may be NULL). *cases (may be NULL) is the number
 * of cases folded.
 */
typedef void (*mismatch_fn)(void *ctx, const char *what);
enum err_code assess_recompute(struct store *st, const char *period, enum unit_kind pool, int *mismatches,
			       int64_t *cases, mismatch_fn fn, void *ctx, struct err *e);

/*
 * The same for several periods in one walk over the cases: each case is
 * folded and its facts checked once, then counted into every period.
 * Periods whose bounds are the same (the pools' period start days agree)
 * are counted and compared once; their differences are described as
 * "2026-03 street/department: ...".
 */
struct assess_period_ref {
	const char *period; /* YYYY-MM */
	enum unit_kind pool; /* whose period start day applies */
};
enum err_code assess_recompute_periods(struct store *st, const struct assess_period_ref *periods, int n,
				       int *mismatches, int64_t *cases, mismatch_fn fn, void *ctx, struct err *e);

#endif
