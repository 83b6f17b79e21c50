/*
 * test_assess — the monthly assessment (DOMAIN.md §7, docs/ASSESSMENT.md)
 * on a real SQLite database with the Beijing demo units: periods and their
 * boundaries, the worked example of the three rates and the score, scopes
 * and exclusions, the minimum, rankings, the district pool, whistle
 * scores, process figures, configuration checks, the recomputation from
 * the event log, and the report endpoints through api_handle().
 *
 * Most tests write facts and case rows directly (store_fact_insert,
 * store_case_insert) so the expected figures can be worked out by hand;
 * the recompute tests drive real actions through case_act(). The demo set
 * and the users live in a template database built once; each test works
 * on its own copy (tests/unit/fixture.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "domain/assess.h"
#include "domain/auth.h"
#include "domain/case.h"
#include "domain/catalog.h"
#include "fixture.h"

#define JINDING "110107006" /* 金顶街街道: the street of the worked example */
#define BABAO "110107001"   /* 八宝山街道 */
#define LAOSHAN "110107002" /* 老山街道 */
#define SJS "110107"	    /* 石景山区: 9 streets */
#define HAIDIAN "110108"
#define HAIDIAN_STREET "110108001"
#define CHENGGUAN "110107801" /* 石景山区城市管理委员会 */
#define ZHIFA "110107802"
#define WATER "110107901" /* 北京市自来水集团石景山营业所 */
#define SJS_STREETS 9
#define DISTRICTS 16
#define TOL 1e-9

enum who { U_AGENT, U_ADMIN, U_ASSESSOR, U_HANDLER, U_HEAD, U_OTHER_HEAD, U_DEPT, U_SUPERVISOR, U_COUNT };

/* The template's accounts (fixture.h); f->a[w] is the actor of users[w]. */
static const struct fixture_user users[U_COUNT] = {
    [U_AGENT] = {"agent", CENTRE_CODE, "agent"},
    [U_ADMIN] = {"admin", CENTRE_CODE, "admin"},
    [U_ASSESSOR] = {"assessor", CENTRE_CODE, "assessor"},
    [U_HANDLER] = {"handler", JINDING, "handler"},
    [U_HEAD] = {"head", JINDING, "head"},
    [U_OTHER_HEAD] = {"other.head", BABAO, "head"},
    [U_DEPT] = {"dept", CHENGGUAN, "handler"},
    [U_SUPERVISOR] = {"supervisor", SJS, "supervisor"},
};

#define assert_near(got, want)                                                                           \
	do {                                                                                             \
		double g_ = (got), w_ = (want);                                                          \
		if (!(fabs(g_ - w_) <= TOL))                                                             \
			fail_msg("%s:%d: %s = %.12f, expected %.12f", __FILE__, __LINE__, #got, g_, w_); \
	} while (0)

/* ---------------------------------------------------------------- helpers */

/* A case row led by lead with a scope (no events: figures come from the facts written beside it). */
static int64_t add_case(struct fx *f, const char *lead, enum assess_scope scope)
{
	struct case_rec *c = calloc(1, sizeof(*c));
	struct err e;
	err_init(&e);
	strlcpy_ok(c->title, "测试工单", sizeof(c->title));
	strlcpy_ok(c->lead_unit, lead, sizeof(c->lead_unit));
	strlcpy_ok(c->channel, "phone", sizeof(c->channel));
	c->tier = TIER_GENERAL;
	c->status = CS_CLOSED;
	c->scope = scope;
	c->solved = c->callback_contacted = c->callback_solved = -1;
	c->created_at = T("2026-03-01T10:00:00+08:00");
	c->seq = 1;
	assert_code(store_case_insert(f->st, c, &e), OK, &e);
	int64_t id = c->id;
	free(c);
	return id;
}

static void set_scope(struct fx *f, int64_t id, enum assess_scope scope)
{
	struct case_rec *c = malloc(sizeof(*c));
	struct err e;
	err_init(&e);
	assert_code(store_case_get(f->st, id, c, &e), OK, &e);
	c->scope = scope;
	assert_code(store_case_update(f->st, NULL, c, &e), OK, &e);
	free(c);
}

static void put_fact(struct fx *f, int64_t case_id, int seq, const char *at, const char *unit,
		     const char *kind, int64_t value)
{
	struct fact x = {0};
	struct err e;
	err_init(&e);
	x.case_id = case_id;
	x.seq = seq;
	x.at = T(at);
	strlcpy_ok(x.unit, unit, sizeof(x.unit));
	strlcpy_ok(x.kind, kind, sizeof(x.kind));
	x.value = value;
	assert_code(store_fact_insert(f->st, &x, &e), OK, &e);
}

static int64_t cb_bits(bool contacted, bool solved, enum satisfaction s)
{
	return FACT_CB_VALID | (contacted ? FACT_CB_CONTACTED : 0) | (solved ? FACT_CB_SOLVED : 0) |
	       ((int64_t)s << FACT_CB_SAT_SHIFT);
}

/* A case of lead with one valid callback at at; returns its id. */
static int64_t called_case(struct fx *f, const char *lead, const char *at, bool contacted, bool solved,
			   enum satisfaction s)
{
	int64_t id = add_case(f, lead, SCOPE_ALL);
	put_fact(f, id, 7, at, lead, "callback", cb_bits(contacted, solved, s));
	return id;
}

/* The four cases of the worked example in 金顶街街道, in March. */
static void worked_example(struct fx *f, int64_t ids[4])
{
	ids[0] = called_case(f, JINDING, "2026-03-10T10:00:00+08:00", true, true, SAT_SATISFIED);
	ids[1] = called_case(f, JINDING, "2026-03-11T10:00:00+08:00", true, true, SAT_BASIC);
	ids[2] = called_case(f, JINDING, "2026-03-12T10:00:00+08:00", true, false, SAT_UNSATISFIED);
	ids[3] = called_case(f, JINDING, "2026-03-13T10:00:00+08:00", false, false, SAT_UNSATISFIED);
}

static const struct assess_row *row_of(const struct assess_report *r, const char *code)
{
	for (int i = 0; i < r->nrows; i++)
		if (!strcmp(r->rows[i].unit.code, code))
			return &r->rows[i];
	fail_msg("no row for unit %s", code);
	return NULL;
}

static void rates(struct fx *f, const char *period, enum unit_kind pool, const char *parent,
		  struct assess_report *r)
{
	struct err e;
	err_init(&e);
	assert_code(assess_rates(f->st, period, pool, parent, r, &e), OK, &e);
}

static void set_config(struct fx *f, const struct assess_config *c)
{
	struct err e;
	err_init(&e);
	assert_code(assess_config_check(c, &e), OK, &e);
	assert_code(store_assess_config_put(f->st, c, &e), OK, &e);
}

/* ---------------------------------------------------------------- periods */

static void expect_period(const char *period, int day, const char *from, const char *to)
{
	int64_t a, b;
	struct err e;
	err_init(&e);
	assert_code(assess_period(period, day, &a, &b, &e), OK, &e);
	char fa[26], fb[26];
	time_format_iso(a, fa);
	time_format_iso(b, fb);
	if (a != T(from) || b != T(to))
		fail_msg("%s with day %d: got [%s, %s), expected [%s, %s)", period, day, fa, fb, from, to);
}

static void test_period(void **state)
{
	expect_period("2026-03", 1, "2026-03-01T00:00:00+08:00", "2026-04-01T00:00:00+08:00");
	expect_period("2026-12", 1, "2026-12-01T00:00:00+08:00", "2027-01-01T00:00:00+08:00");
	expect_period("2026-02", 1, "2026-02-01T00:00:00+08:00", "2026-03-01T00:00:00+08:00");
	expect_period("2026-03", 19, "2026-02-19T00:00:00+08:00", "2026-03-19T00:00:00+08:00");
	expect_period("2026-01", 19, "2025-12-19T00:00:00+08:00", "2026-01-19T00:00:00+08:00");
	expect_period("2026-04", 19, "2026-03-19T00:00:00+08:00", "2026-04-19T00:00:00+08:00");

	/* the exact boundaries with d = 19 */
	int64_t from, to, afrom, ato;
	struct err e;
	err_init(&e);
	assert_code(assess_period("2026-03", 19, &from, &to, &e), OK, &e);
	assert_code(assess_period("2026-04", 19, &afrom, &ato, &e), OK, &e);
	int64_t last = T("2026-03-18T23:59:59+08:00"), first = T("2026-03-19T00:00:00+08:00");
	assert_true(last >= from && last < to);
	assert_true(first >= afrom && first < ato);
	assert_false(first < to);
	assert_int_equal(to, afrom);

	static const char *const bad[] = {"2026-13", "2026-00", "2026-3",  "26-03",   "2026-03-01", "",
					  "abcd-ef", "2026/03", "1999-12", "2026-1x", " 2026-03"};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		err_init(&e);
		if (assess_period(bad[i], 1, &from, &to, &e) != E_INVALID || strcmp(e.field, "period") != 0)
			fail_msg("period '%s' was not refused on field period (%s)", bad[i], e.field);
	}
	err_init(&e);
	assert_int_equal(assess_period(NULL, 1, &from, &to, &e), E_INVALID);
	assert_string_equal(e.field, "period");
	err_init(&e);
	assert_int_equal(assess_period("2026-03", 29, &from, &to, &e), E_INVALID);
	assert_string_equal(e.field, "period_start_day");
}

/* A callback on the last second of the 18th falls in that month; midnight of the 19th in the next. */
static void test_period_boundary_callbacks(void **state)
{
	struct fx *f = *state;
	struct assess_config c;
	struct assess_report r;
	assess_config_default(UNIT_STREET, &c);
	c.period_start_day = 19;
	set_config(f, &c);
	called_case(f, JINDING, "2026-03-18T23:59:59+08:00", true, true, SAT_SATISFIED);
	called_case(f, JINDING, "2026-03-19T00:00:00+08:00", false, false, SAT_UNSATISFIED);
	called_case(f, JINDING, "2026-02-19T00:00:00+08:00", true, false, SAT_BASIC);

	rates(f, "2026-03", UNIT_STREET, SJS, &r);
	assert_int_equal(r.from, T("2026-02-19T00:00:00+08:00"));
	assert_int_equal(r.to, T("2026-03-19T00:00:00+08:00"));
	const struct assess_row *row = row_of(&r, JINDING);
	assert_int_equal(row->assessed.valid, 2);
	assert_near(row->assessed.response, 1.0);
	assert_near(row->assessed.resolution, 0.5);
	assess_report_release(&r);

	rates(f, "2026-04", UNIT_STREET, SJS, &r);
	row = row_of(&r, JINDING);
	assert_int_equal(row->assessed.valid, 1);
	assert_near(row->assessed.response, 0.0);
	assess_report_release(&r);

	/* the calendar month of the other pools is untouched */
	rates(f, "2026-03", UNIT_DEPARTMENT, SJS, &r);
	assert_int_equal(r.from, T("2026-03-01T00:00:00+08:00"));
	assess_report_release(&r);

	struct err e;
	err_init(&e);
	assert_int_equal(assess_rates(f->st, "2026-3", UNIT_STREET, NULL, &r, &e), E_INVALID);
	assert_string_equal(e.field, "period");
	err_init(&e);
	assert_int_equal(assess_rates(f->st, "2026-03", UNIT_COMMUNITY, NULL, &r, &e), E_INVALID);
	assert_string_equal(e.field, "pool");
	err_init(&e);
	assert_int_equal(assess_rates(f->st, "2026-03", UNIT_STREET, "999999", &r, &e), E_NOT_FOUND);
	assert_string_equal(e.field, "parent");
}

/* ---------------------------------------------------------------- rates */

/* DOMAIN.md §7 with weights 0.1/0.5/0.4 and 基本满意 at 0.9. */
static void test_worked_example(void **state)
{
	struct fx *f = *state;
	struct assess_report r;
	int64_t ids[4];
	worked_example(f, ids);
	rates(f, "2026-03", UNIT_STREET, SJS, &r);
	assert_int_equal(r.nrows, SJS_STREETS);
	const struct assess_row *row = row_of(&r, JINDING);
	assert_int_equal(row->n.cb_valid, 4);
	assert_int_equal(row->assessed.valid, 4);
	assert_near(row->assessed.response, 0.75);
	assert_near(row->assessed.resolution, 0.50);
	assert_near(row->assessed.satisfaction, 0.475);
	assert_near(row->assessed.score, 51.5);
	assert_near(row->final_score, 51.5);
	assert_int_equal(row->full.valid, 4);
	assert_near(row->full.score, 51.5);
	assert_true(row->whistle_score < 0);
	assert_int_equal(row->rank, 1);
	/* first row is the only ranked one; the rest by code, with zeros */
	assert_string_equal(r.rows[0].unit.code, JINDING);
	assert_string_equal(r.rows[1].unit.code, BABAO);
	assert_int_equal(r.rows[1].rank, 0);
	assert_int_equal(r.rows[1].assessed.valid, 0);
	assert_near(r.rows[1].assessed.score, 0);
	assess_report_release(&r);

	/* other weights (e.g. 30/35/35) and coefficient are configuration */
	struct assess_config c;
	assess_config_default(UNIT_STREET, &c);
	c.w_response = 0.30, c.w_resolution = 0.35, c.w_satisfaction = 0.35, c.basic_coefficient = 0.8;
	set_config(f, &c);
	rates(f, "2026-03", UNIT_STREET, SJS, &r);
	row = row_of(&r, JINDING);
	assert_near(row->assessed.satisfaction, 1.8 / 4);
	assert_near(row->assessed.score, 100 * (0.30 * 0.75 + 0.35 * 0.5 + 0.35 * 1.8 / 4));
	assess_report_release(&r);
}

/* An excluded case leaves the assessed figures and stays in the full-scope ones. */
static void test_excluded(void **state)
{
	struct fx *f = *state;
	struct assess_report r;
	int64_t ids[4];
	worked_example(f, ids);
	set_scope(f, ids[3], SCOPE_EXCLUDED); /* not contacted, not solved, unsatisfied */
	rates(f, "2026-03", UNIT_STREET, SJS, &r);
	const struct assess_row *row = row_of(&r, JINDING);
	assert_int_equal(row->assessed.valid, 3);
	assert_near(row->assessed.response, 3.0 / 3);
	assert_near(row->assessed.resolution, 2.0 / 3);
	assert_near(row->assessed.satisfaction, 1.9 / 3);
	assert_near(row->assessed.score, 100 * (0.1 * 1 + 0.5 * 2.0 / 3 + 0.4 * 1.9 / 3));
	assert_near(row->assessed.score, 68.6666666666667);
	assert_int_equal(row->full.valid, 4);
	assert_near(row->full.response, 0.75);
	assert_near(row->full.resolution, 0.50);
	assert_near(row->full.satisfaction, 0.475);
	assert_near(row->full.score, 51.5);
	assess_report_release(&r);
}

/* response_only: counted for the response rate, not for resolution and satisfaction. */
static void test_response_only(void **state)
{
	struct fx *f = *state;
	struct assess_report r;
	int64_t ids[4];
	worked_example(f, ids);
	set_scope(f, ids[2], SCOPE_RESPONSE_ONLY); /* contacted, not solved, unsatisfied */
	set_scope(f, ids[3], SCOPE_RESPONSE_ONLY); /* not contacted */
	rates(f, "2026-03", UNIT_STREET, SJS, &r);
	const struct assess_row *row = row_of(&r, JINDING);
	assert_int_equal(row->assessed.valid, 4);
	assert_int_equal(row->n.as_full_valid, 2);
	assert_near(row->assessed.response, 0.75);
	assert_near(row->assessed.resolution, 1.0);
	assert_near(row->assessed.satisfaction, 1.9 / 2);
	assert_near(row->assessed.score, 100 * (0.1 * 0.75 + 0.5 * 1.0 + 0.4 * 0.95));
	assert_near(row->full.score, 51.5);
	assess_report_release(&r);
}

/* Only the latest valid callback of a case in the period counts; an invalid one replaces nothing. */
static void test_latest_callback(void **state)
{
	struct fx *f = *state;
	struct assess_report r;
	int64_t id = add_case(f, JINDING, SCOPE_ALL);
	put_fact(f, id, 5, "2026-03-05T10:00:00+08:00", JINDING, "callback",
		 cb_bits(true, false, SAT_UNSATISFIED));
	put_fact(f, id, 9, "2026-03-09T10:00:00+08:00", JINDING, "callback",
		 cb_bits(true, true, SAT_SATISFIED));
	put_fact(f, id, 12, "2026-03-12T10:00:00+08:00", JINDING, "callback", 0); /* not answered */
	int64_t feb = add_case(f, JINDING, SCOPE_ALL);
	put_fact(f, feb, 5, "2026-02-27T10:00:00+08:00", JINDING, "callback",
		 cb_bits(true, true, SAT_SATISFIED));
	put_fact(f, feb, 8, "2026-03-03T10:00:00+08:00", JINDING, "callback",
		 cb_bits(false, false, SAT_UNSATISFIED));
	rates(f, "2026-03", UNIT_STREET, SJS, &r);
	const struct assess_row *row = row_of(&r, JINDING);
	assert_int_equal(row->n.cb_valid, 2);
	assert_int_equal(row->n.cb_contacted, 1);
	assert_int_equal(row->n.cb_solved, 1);
	assert_int_equal(row->n.cb_satisfied, 1);
	assess_report_release(&r);
}

/* Fewer valid callbacks than the minimum: listed apart (rank 0), figures still shown. */
static void test_minimum(void **state)
{
	struct fx *f = *state;
	struct assess_report r;
	struct assess_config c;
	int64_t ids[4];
	worked_example(f, ids);
	called_case(f, BABAO, "2026-03-10T10:00:00+08:00", true, true, SAT_SATISFIED);
	assess_config_default(UNIT_STREET, &c);
	c.min_callbacks = 4;
	set_config(f, &c);
	rates(f, "2026-03", UNIT_STREET, SJS, &r);
	assert_string_equal(r.rows[0].unit.code, JINDING);
	assert_int_equal(r.rows[0].rank, 1);
	const struct assess_row *babao = row_of(&r, BABAO);
	assert_int_equal(babao->rank, 0);
	assert_near(babao->assessed.score, 100);
	assert_string_equal(r.rows[1].unit.code, BABAO); /* first by code among those apart */
	assess_report_release(&r);

	c.min_callbacks = 5;
	set_config(f, &c);
	rates(f, "2026-03", UNIT_STREET, SJS, &r);
	for (int i = 0; i < r.nrows; i++)
		assert_int_equal(r.rows[i].rank, 0);
	assert_string_equal(r.rows[0].unit.code, BABAO);
	assert_near(row_of(&r, JINDING)->assessed.score, 51.5);
	assess_report_release(&r);
}

/* By final score, then volume, then code; the unranked after them by code. */
static void test_ranking(void **state)
{
	struct fx *f = *state;
	struct assess_report r;
	int64_t ids[4];
	worked_example(f, ids);
	called_case(f, LAOSHAN, "2026-03-10T10:00:00+08:00", true, true, SAT_SATISFIED);
	called_case(f, BABAO, "2026-03-10T10:00:00+08:00", true, true, SAT_SATISFIED);
	called_case(f, BABAO, "2026-03-11T10:00:00+08:00", true, true, SAT_SATISFIED);
	rates(f, "2026-03", UNIT_STREET, SJS, &r);
	assert_int_equal(r.nrows, SJS_STREETS);
	static const char *const order[SJS_STREETS] = {BABAO,	    LAOSHAN,	 JINDING,
						       "110107003", "110107004", "110107005",
						       "110107009", "110107010", "110107011"};
	static const int ranks[SJS_STREETS] = {1, 2, 3, 0, 0, 0, 0, 0, 0};
	for (int i = 0; i < SJS_STREETS; i++) {
		assert_string_equal(r.rows[i].unit.code, order[i]);
		assert_int_equal(r.rows[i].rank, ranks[i]);
	}
	assert_near(r.rows[0].final_score, 100);
	assert_near(r.rows[1].final_score, 100);
	assess_report_release(&r);

	/* parent limits the pool; the whole city has every street */
	rates(f, "2026-03", UNIT_STREET, NULL, &r);
	assert_true(r.nrows > 300);
	assert_string_equal(r.rows[0].unit.code, BABAO);
	assess_report_release(&r);
	rates(f, "2026-03", UNIT_STREET, JINDING, &r);
	assert_int_equal(r.nrows, 1);
	assert_string_equal(r.rows[0].unit.code, JINDING);
	assess_report_release(&r);
}

/* The district pool sums every unit under each district. */
static void test_district_pool(void **state)
{
	struct fx *f = *state;
	struct assess_report r;
	int64_t ids[4];
	worked_example(f, ids);
	int64_t d = called_case(f, CHENGGUAN, "2026-03-10T10:00:00+08:00", true, true, SAT_SATISFIED);
	put_fact(f, d, 2, "2026-03-02T10:00:00+08:00", CHENGGUAN, "dispatch", 0);
	put_fact(f, ids[0], 2, "2026-03-02T10:00:00+08:00", JINDING, "dispatch", 0);
	put_fact(f, ids[0], 3, "2026-03-02T11:00:00+08:00", "110107006003", "report", 1); /* a community */
	called_case(f, HAIDIAN_STREET, "2026-03-10T10:00:00+08:00", false, false, SAT_BASIC);
	put_fact(f, ids[1], 2, "2026-04-02T10:00:00+08:00", JINDING, "dispatch", 0); /* April */

	rates(f, "2026-03", UNIT_DISTRICT, NULL, &r);
	assert_int_equal(r.nrows, DISTRICTS);
	const struct assess_row *sjs = row_of(&r, SJS);
	assert_int_equal(sjs->n.cb_valid, 5);
	assert_int_equal(sjs->n.as_contacted, 4);
	assert_int_equal(sjs->n.dispatches, 2);
	assert_int_equal(sjs->n.reports, 1);
	assert_near(sjs->assessed.response, 4.0 / 5);
	assert_near(sjs->assessed.resolution, 3.0 / 5);
	assert_near(sjs->assessed.satisfaction, 2.9 / 5);
	const struct assess_row *hd = row_of(&r, HAIDIAN);
	assert_int_equal(hd->n.cb_valid, 1);
	assert_near(hd->assessed.satisfaction, 0.9);
	assert_int_equal(row_of(&r, "110101")->n.cb_valid, 0);
	/* ranked: 石景山 (100 × (0.08 + 0.3 + 0.232) = 61.2) before 海淀 (100 × 0.4 × 0.9 = 36) */
	assert_near(sjs->assessed.score, 61.2);
	assert_near(hd->assessed.score, 36);
	assert_string_equal(r.rows[0].unit.code, SJS);
	assert_string_equal(r.rows[1].unit.code, HAIDIAN);
	assess_report_release(&r);

	rates(f, "2026-03", UNIT_DISTRICT, SJS, &r);
	assert_int_equal(r.nrows, 1);
	assert_int_equal(r.rows[0].n.cb_valid, 5);
	assess_report_release(&r);
}

/* Departments: whistle score = 100 × (0.7 × average rating / 5 + 0.3 × on-time reports). */
static void test_whistle(void **state)
{
	struct fx *f = *state;
	struct assess_report r;
	int64_t a = called_case(f, CHENGGUAN, "2026-03-10T10:00:00+08:00", true, true, SAT_SATISFIED);
	int64_t b = add_case(f, JINDING, SCOPE_ALL);
	put_fact(f, b, 3, "2026-03-03T10:00:00+08:00", CHENGGUAN, "report", 1);
	put_fact(f, b, 4, "2026-03-03T10:05:00+08:00", CHENGGUAN, "report", 0);
	put_fact(f, b, 6, "2026-03-04T10:00:00+08:00", CHENGGUAN, "rating", 555);
	put_fact(f, b, 7, "2026-03-04T10:00:00+08:00", CHENGGUAN, "rating", 434);
	/* rated, but the report fell in February */
	put_fact(f, b, 8, "2026-03-05T10:00:00+08:00", ZHIFA, "rating", 333);
	(void)a;

	rates(f, "2026-03", UNIT_DEPARTMENT, SJS, &r);
	const struct assess_row *cg = row_of(&r, CHENGGUAN);
	assert_int_equal(cg->n.ratings, 2);
	assert_int_equal(cg->n.rating_sum, 26);
	double whistle = 100 * (0.7 * (26.0 / 6) / 5 + 0.3 * 0.5);
	assert_near(cg->whistle_score, whistle);
	assert_near(cg->whistle_score, 75.6666666666667);
	assert_near(cg->assessed.score, 100);
	assert_near(cg->final_score, (1 - 1.0 / 3) * 100 + (1.0 / 3) * whistle);
	assert_int_equal(cg->rank, 1);
	const struct assess_row *zf = row_of(&r, ZHIFA);
	assert_near(zf->whistle_score, 100 * 3.0 / 5);
	assert_near(zf->final_score, (1.0 / 3) * 60);
	assert_int_equal(zf->rank, 0);
	const struct assess_row *other = row_of(&r, "110107803");
	assert_true(other->whistle_score < 0);
	assert_near(other->final_score, 0);
	assess_report_release(&r);

	/* a weight of 0 leaves the score alone; streets never get a whistle score */
	struct assess_config c;
	assess_config_default(UNIT_DEPARTMENT, &c);
	c.whistle_weight = 0;
	set_config(f, &c);
	rates(f, "2026-03", UNIT_DEPARTMENT, SJS, &r);
	assert_near(row_of(&r, CHENGGUAN)->final_score, 100);
	assert_near(row_of(&r, CHENGGUAN)->whistle_score, whistle);
	assess_report_release(&r);

	/* enterprises are a pool of their own */
	rates(f, "2026-03", UNIT_ENTERPRISE, SJS, &r);
	assert_int_equal(r.nrows, 4);
	assert_string_equal(r.rows[0].unit.code, WATER);
	assess_report_release(&r);
}

static void test_process_figures(void **state)
{
	struct fx *f = *state;
	struct assess_report r;
	int64_t id = add_case(f, JINDING, SCOPE_ALL);
	const char *at = "2026-03-05T10:00:00+08:00";
	for (int i = 0; i < 4; i++)
		put_fact(f, id, 2, at, JINDING, "dispatch", 0);
	put_fact(f, id, 3, at, JINDING, "sign", 1);
	put_fact(f, id, 3, at, JINDING, "sign", 1);
	put_fact(f, id, 3, at, JINDING, "sign", 0);
	put_fact(f, id, 4, at, JINDING, "contact", 1);
	put_fact(f, id, 5, at, JINDING, "reply", 1);
	put_fact(f, id, 5, at, JINDING, "handling", 10 * 3600);
	put_fact(f, id, 6, at, JINDING, "reply", 0);
	put_fact(f, id, 6, at, JINDING, "handling", 20 * 3600);
	put_fact(f, id, 7, at, JINDING, "return", 0);
	put_fact(f, id, 8, at, JINDING, "extension", 0);
	put_fact(f, id, 9, at, JINDING, "reopen", 0);
	put_fact(f, id, 10, at, JINDING, "overdue", CLK_SIGN);
	put_fact(f, id, 10, at, JINDING, "overdue", CLK_FEEDBACK);
	rates(f, "2026-03", UNIT_STREET, SJS, &r);
	const struct assess_row *row = row_of(&r, JINDING);
	assert_int_equal(row->n.dispatches, 4);
	assert_near(row->on_time_sign, 2.0 / 3);
	assert_near(row->on_time_contact, 1);
	assert_near(row->on_time_feedback, 0.5);
	assert_near(row->return_rate, 0.25);
	assert_near(row->rework_rate, 0.5);
	assert_near(row->extension_rate, 0.25);
	assert_near(row->avg_handling_hours, 15);
	assert_int_equal(row->n.overdue, 2);
	assert_int_equal(row->rank, 0); /* no callback */
	const struct assess_row *none = row_of(&r, BABAO);
	assert_near(none->on_time_sign, -1);
	assert_near(none->return_rate, -1);
	assert_near(none->avg_handling_hours, -1);
	assess_report_release(&r);
}

/* ---------------------------------------------------------------- configuration */

static void expect_bad_config(const struct assess_config *c, const char *field)
{
	struct err e;
	err_init(&e);
	assert_int_equal(assess_config_check(c, &e), E_INVALID);
	if (strcmp(e.field, field) != 0)
		fail_msg("expected field %s, got %s (%s)", field, e.field, e.msg);
}

static void test_config(void **state)
{
	struct fx *f = *state;
	struct assess_config c, d;
	struct err e;
	err_init(&e);
	assert_code(assess_config_load(f->st, UNIT_STREET, &c, &e), OK, &e);
	assert_near(c.w_response, 0.1);
	assert_near(c.w_resolution, 0.5);
	assert_near(c.w_satisfaction, 0.4);
	assert_near(c.basic_coefficient, 0.9);
	assert_int_equal(c.period_start_day, 1);
	assert_int_equal(c.min_callbacks, 1);
	assert_near(c.whistle_weight, 0);
	assert_code(assess_config_load(f->st, UNIT_DEPARTMENT, &d, &e), OK, &e);
	assert_near(d.whistle_weight, 1.0 / 3);
	assert_int_equal(assess_config_load(f->st, UNIT_COMMUNITY, &d, &e), E_INVALID);
	assert_string_equal(e.field, "pool");

	assess_config_default(UNIT_STREET, &c);
	c.w_satisfaction = 0.5; /* 1.1 */
	expect_bad_config(&c, "weights");
	assess_config_default(UNIT_STREET, &c);
	c.w_response = -0.1, c.w_resolution = 0.7;
	expect_bad_config(&c, "weights.response");
	assess_config_default(UNIT_STREET, &c);
	c.w_resolution = NAN;
	expect_bad_config(&c, "weights.resolution");
	assess_config_default(UNIT_STREET, &c);
	c.basic_coefficient = 1.2;
	expect_bad_config(&c, "basic_coefficient");
	assess_config_default(UNIT_STREET, &c);
	c.period_start_day = 29;
	expect_bad_config(&c, "period_start_day");
	c.period_start_day = 0;
	expect_bad_config(&c, "period_start_day");
	assess_config_default(UNIT_STREET, &c);
	c.min_callbacks = 0;
	expect_bad_config(&c, "min_callbacks");
	assess_config_default(UNIT_STREET, &c);
	c.whistle_weight = 0.3;
	expect_bad_config(&c, "whistle_weight");
	assess_config_default(UNIT_DEPARTMENT, &c);
	c.whistle_weight = 1.5;
	expect_bad_config(&c, "whistle_weight");
	assess_config_default(UNIT_COMMUNITY, &c);
	expect_bad_config(&c, "pool");

	/* within 1e-6 of 1 is accepted: 0.3333/0.3333/0.3334 */
	assess_config_default(UNIT_DEPARTMENT, &c);
	c.w_response = 0.3333, c.w_resolution = 0.3333, c.w_satisfaction = 0.3334;
	c.period_start_day = 19;
	c.min_callbacks = 5;
	c.whistle_weight = 0.25;
	set_config(f, &c);
	assert_code(assess_config_load(f->st, UNIT_DEPARTMENT, &d, &e), OK, &e);
	assert_near(d.w_satisfaction, 0.3334);
	assert_int_equal(d.period_start_day, 19);
	assert_int_equal(d.min_callbacks, 5);
	assert_near(d.whistle_weight, 0.25);
	/* the street pool keeps its defaults */
	assert_code(assess_config_load(f->st, UNIT_STREET, &d, &e), OK, &e);
	assert_int_equal(d.period_start_day, 1);
}

/* ---------------------------------------------------------------- recompute from events */

static void act_ok(struct fx *f, enum who w, int64_t id, enum case_action a, struct action_input *in)
{
	struct case_rec *c = malloc(sizeof(*c));
	struct err e;
	err_init(&e);
	f->now += 600;
	assert_code(case_act(&f->cx, &f->a[w], id, a, in, f->now, c, &e), OK, &e);
	free(c);
}

static void act_simple(struct fx *f, enum who w, int64_t id, enum case_action a)
{
	struct action_input in;
	action_input_init(&in);
	act_ok(f, w, id, a, &in);
}

/* A case in 金顶街 created, dispatched, signed, contacted and replied (solved as given). */
static int64_t handled_case(struct fx *f, int solved)
{
	struct case_input ci;
	struct case_rec *c = malloc(sizeof(*c));
	struct action_input in;
	struct err e;
	err_init(&e);
	memset(&ci, 0, sizeof(ci));
	ci.type = CT_COMPLAINT;
	ci.tier = -1;
	strlcpy_ok(ci.channel, "phone", sizeof(ci.channel));
	strlcpy_ok(ci.title, "楼道灯不亮", sizeof(ci.title));
	strlcpy_ok(ci.content, "三号楼楼道灯坏了一周。", sizeof(ci.content));
	strlcpy_ok(ci.req_name, "李四", sizeof(ci.req_name));
	strlcpy_ok(ci.req_phone, "13987654321", sizeof(ci.req_phone));
	strlcpy_ok(ci.street, JINDING, sizeof(ci.street));
	f->now += 600;
	assert_code(case_create(&f->cx, &f->a[U_AGENT], &ci, f->now, c, &e), OK, &e);
	int64_t id = c->id;
	free(c);
	action_input_init(&in);
	strlcpy_ok(in.unit, JINDING, sizeof(in.unit));
	act_ok(f, U_AGENT, id, ACT_DISPATCH, &in);
	act_simple(f, U_HANDLER, id, ACT_SIGN);
	action_input_init(&in);
	in.reached = 1;
	act_ok(f, U_HANDLER, id, ACT_CONTACT, &in);
	action_input_init(&in);
	strlcpy_ok(in.text, "已修复。", sizeof(in.text));
	in.solved = solved;
	act_ok(f, U_HANDLER, id, ACT_REPLY, &in);
	return id;
}

static void callback(struct fx *f, int64_t id, int contacted, int solved, const char *sat)
{
	struct action_input in;
	action_input_init(&in);
	in.valid = 1;
	in.contacted = contacted;
	in.solved = solved;
	strlcpy_ok(in.code, sat, sizeof(in.code));
	act_ok(f, U_AGENT, id, ACT_CALLBACK, &in);
}

struct mismatches {
	int n;
	char first[512], last[512];
};

static void keep_mismatch(void *ctx, const char *what)
{
	struct mismatches *m = ctx;
	if (m->n++ == 0)
		strlcpy_ok(m->first, what, sizeof(m->first));
	strlcpy_ok(m->last, what, sizeof(m->last));
}

/*
 * Three cases through the whole lifecycle (a rework with a second
 * callback, a whistle with report and rating, an approved response-only
 * exclusion): the fold and the store's figures agree; one stray fact is
 * found.
 */
static void test_recompute(void **state)
{
	struct fx *f = *state;
	struct action_input in;
	struct err e;
	int n = -1;
	err_init(&e);

	int64_t a = handled_case(f, 1);
	callback(f, a, 1, 1, "satisfied");

	int64_t b = handled_case(f, 0);
	callback(f, b, 1, 0, "unsatisfied");
	act_simple(f, U_AGENT, b, ACT_REOPEN);
	action_input_init(&in);
	strlcpy_ok(in.text, "重新处理完毕。", sizeof(in.text));
	in.solved = 1;
	act_ok(f, U_HANDLER, b, ACT_REPLY, &in);
	callback(f, b, 1, 1, "satisfied");

	int64_t c = handled_case(f, 1);
	handled_case(f, 1); /* replied, not yet called back */
	callback(f, c, 1, 1, "basic");
	action_input_init(&in);
	strlcpy_ok(in.code, "response_only", sizeof(in.code));
	strlcpy_ok(in.text, "属于政策性问题，附文件。", sizeof(in.text));
	act_ok(f, U_HANDLER, c, ACT_APPLY_EXCLUSION, &in);
	action_input_init(&in);
	in.approve = 1;
	act_ok(f, U_AGENT, c, ACT_DECIDE_EXCLUSION, &in);

	int64_t folded = -1;
	assert_code(assess_recompute(f->st, "2026-03", UNIT_STREET, &n, &folded, NULL, NULL, &e), OK, &e);
	assert_int_equal(n, 0);
	assert_int_equal(folded, 4); /* every case, whatever its month */

	struct assess_report r;
	rates(f, "2026-03", UNIT_STREET, SJS, &r);
	const struct assess_row *row = row_of(&r, JINDING);
	assert_int_equal(row->n.cb_valid, 3);
	assert_int_equal(row->n.as_valid, 3);
	assert_int_equal(row->n.as_full_valid, 2);
	assert_int_equal(row->n.dispatches, 4);
	assert_int_equal(row->n.sign_total, 4);
	assert_int_equal(row->n.reply_total, 5);
	assert_int_equal(row->n.reopens, 1);
	assert_near(row->assessed.response, 1);
	assert_near(row->assessed.resolution, 1);
	assert_near(row->assessed.satisfaction, 1);
	assert_near(row->full.satisfaction, 2.9 / 3);
	assert_near(row->rework_rate, 1.0 / 5);
	assess_report_release(&r);

	/* nothing in April */
	assert_code(assess_recompute(f->st, "2026-04", UNIT_STREET, &n, NULL, NULL, NULL, &e), OK, &e);
	assert_int_equal(n, 0);

	/* a stray fact: the case's facts and the street's counts (scanned and kept per day) differ */
	struct mismatches m = {0};
	put_fact(f, a, 99, "2026-03-20T10:00:00+08:00", JINDING, "sign", 1);
	assert_code(assess_recompute(f->st, "2026-03", UNIT_STREET, &n, NULL, keep_mismatch, &m, &e), OK, &e);
	assert_int_equal(n, 3);
	assert_int_equal(m.n, 3);
	char want[64];
	snprintf(want, sizeof(want), "工单 %lld 的统计事实数量不同", (long long)a);
	if (!strstr(m.first, want))
		fail_msg("first mismatch should name case %lld: %s", (long long)a, m.first);
	/* outside the period only the case differs */
	assert_code(assess_recompute(f->st, "2026-04", UNIT_STREET, &n, NULL, NULL, NULL, &e), OK, &e);
	assert_int_equal(n, 1);

	/*
	 * Several periods in one walk (jiesu verify): the case's facts are checked
	 * once; March, the same for both pools, is compared once under both names.
	 */
	const struct assess_period_ref three[] = {
	    {"2026-03", UNIT_STREET}, {"2026-03", UNIT_DEPARTMENT}, {"2026-04", UNIT_STREET}};
	memset(&m, 0, sizeof(m));
	assert_code(assess_recompute_periods(f->st, three, 3, &n, &folded, keep_mismatch, &m, &e), OK, &e);
	assert_int_equal(n, 3);
	assert_int_equal(m.n, 3);
	assert_int_equal(folded, 4);
	if (!strstr(m.last, "2026-03 street/department: "))
		fail_msg("March should be named for both pools: %s", m.last);
	/* a department period from the 19th: a span of its own, 2026-02-19 to 03-19 local, without the stray fact */
	struct assess_config cfg;
	assert_code(assess_config_load(f->st, UNIT_DEPARTMENT, &cfg, &e), OK, &e);
	cfg.period_start_day = 19;
	assert_code(store_assess_config_put(f->st, &cfg, &e), OK, &e);
	m.n = 0;
	m.last[0] = '\0';
	assert_code(assess_recompute_periods(f->st, three, 3, &n, NULL, keep_mismatch, &m, &e), OK, &e);
	assert_int_equal(n, 3 + 0);
	if (!strstr(m.last, "2026-03 street: "))
		fail_msg("the street's March should be named alone: %s", m.last);
}

/* A whistle: report and rating facts from real actions, the department's figures, the recompute. */
static void test_recompute_whistle(void **state)
{
	struct fx *f = *state;
	struct action_input in;
	struct case_input ci;
	struct case_rec *c = malloc(sizeof(*c));
	struct err e;
	int n = -1;
	err_init(&e);
	memset(&ci, 0, sizeof(ci));
	ci.type = CT_COMPLAINT;
	ci.tier = -1;
	strlcpy_ok(ci.channel, "phone", sizeof(ci.channel));
	strlcpy_ok(ci.title, "占道经营", sizeof(ci.title));
	strlcpy_ok(ci.content, "路口有占道经营。", sizeof(ci.content));
	strlcpy_ok(ci.street, JINDING, sizeof(ci.street));
	assert_code(case_create(&f->cx, &f->a[U_AGENT], &ci, f->now, c, &e), OK, &e);
	int64_t id = c->id;
	free(c);
	action_input_init(&in);
	strlcpy_ok(in.unit, JINDING, sizeof(in.unit));
	act_ok(f, U_AGENT, id, ACT_DISPATCH, &in);
	act_simple(f, U_HANDLER, id, ACT_SIGN);
	action_input_init(&in);
	in.nunits = 1;
	strlcpy_ok(in.units[0], CHENGGUAN, sizeof(in.units[0]));
	act_ok(f, U_HANDLER, id, ACT_WHISTLE, &in);
	action_input_init(&in);
	in.on_site = 1;
	act_ok(f, U_DEPT, id, ACT_REPORT, &in);
	action_input_init(&in);
	strlcpy_ok(in.text, "已清理。", sizeof(in.text));
	act_ok(f, U_DEPT, id, ACT_FINISH, &in);
	action_input_init(&in);
	strlcpy_ok(in.unit, CHENGGUAN, sizeof(in.unit));
	in.rating[0] = 5, in.rating[1] = 4, in.rating[2] = 3;
	act_ok(f, U_HANDLER, id, ACT_RATE, &in);

	assert_code(assess_recompute(f->st, "2026-03", UNIT_DEPARTMENT, &n, NULL, NULL, NULL, &e), OK, &e);
	assert_int_equal(n, 0);
	struct assess_report r;
	rates(f, "2026-03", UNIT_DEPARTMENT, SJS, &r);
	const struct assess_row *row = row_of(&r, CHENGGUAN);
	assert_int_equal(row->n.reports, 1);
	assert_int_equal(row->n.reports_ontime, 1);
	assert_int_equal(row->n.ratings, 1);
	assert_int_equal(row->n.rating_sum, 12);
	assert_near(row->whistle_score, 100 * (0.7 * (12.0 / 3) / 5 + 0.3));
	assess_report_release(&r);
}

/* ---------------------------------------------------------------- the API */

struct kv {
	const char *key, *val;
};

static const char *kv_lookup(void *ctx, const char *key)
{
	for (const struct kv *p = ctx; p && p->key; p++)
		if (!strcmp(p->key, key))
			return p->val;
	return NULL;
}

static void call(struct fx *f, enum who w, const char *method, const char *path, struct kv *q,
		 const char *body, struct api_response *res)
{
	struct api_ctx api = {.cx = f->cx};
	struct api_request req = {
	    .method = method,
	    .path = path,
	    .query = kv_lookup,
	    .query_ctx = q,
	    .body = body,
	    .body_len = body ? strlen(body) : 0,
	    .as = &f->a[w],
	};
	memset(res, 0, sizeof(*res));
	api_handle(&api, &req, res);
}

static void expect_error(struct api_response *res, int status, const char *field)
{
	json_t *err = json_object_get(res->body, "error");
	const char *got = json_string_value(json_object_get(err, "field"));
	if (res->status != status || (field ? !got || strcmp(got, field) : got != NULL))
		fail_msg("expected %d on %s, got %d on %s (%s)", status, field ? field : "null", res->status,
			 got ? got : "null", json_string_value(json_object_get(err, "message")));
	assert_null(res->raw);
	api_response_release(res);
}

static double jnum(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_number(v))
		fail_msg("%s is not a number", key);
	return json_number_value(v);
}

static void test_api_rates(void **state)
{
	struct fx *f = *state;
	struct api_response res;
	int64_t ids[4];
	worked_example(f, ids);
	struct kv q[] = {
	    {"period", "2026-03"}, {"pool", "street"}, {"parent", SJS}, {"format", NULL}, {NULL, NULL}};

	call(f, U_ASSESSOR, "GET", "/api/v1/reports/rates", q, NULL, &res);
	assert_int_equal(res.status, 200);
	assert_string_equal(json_string_value(json_object_get(res.body, "period")), "2026-03");
	assert_string_equal(json_string_value(json_object_get(res.body, "from")),
			    "2026-03-01T00:00:00+08:00");
	json_t *rows = json_object_get(res.body, "rows");
	assert_int_equal(json_array_size(rows), SJS_STREETS);
	json_t *top = json_array_get(rows, 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(top, "unit"), "code")),
			    JINDING);
	assert_string_equal(json_string_value(json_object_get(json_object_get(top, "unit"), "name")),
			    "金顶街街道");
	assert_int_equal(json_integer_value(json_object_get(top, "valid_callbacks")), 4);
	assert_near(jnum(top, "response_rate"), 0.75);
	assert_near(jnum(top, "satisfaction_rate"), 0.475);
	assert_near(jnum(top, "score"), 51.5);
	assert_near(jnum(top, "final_score"), 51.5);
	assert_int_equal(json_integer_value(json_object_get(top, "rank")), 1);
	assert_true(json_is_true(json_object_get(top, "ranked")));
	assert_true(json_is_null(json_object_get(top, "whistle")));
	assert_near(jnum(json_object_get(top, "full_scope"), "score"), 51.5);
	assert_true(json_is_null(json_object_get(json_object_get(top, "process"), "on_time_sign_rate")));
	json_t *apart = json_array_get(rows, 1);
	assert_true(json_is_null(json_object_get(apart, "rank")));
	assert_true(json_is_false(json_object_get(apart, "ranked")));
	assert_near(jnum(json_object_get(res.body, "config"), "basic_coefficient"), 0.9);
	api_response_release(&res);

	/* rounding: 2/3 as a rate has 4 decimals, a score 2 */
	set_scope(f, ids[3], SCOPE_EXCLUDED);
	call(f, U_ASSESSOR, "GET", "/api/v1/reports/rates", q, NULL, &res);
	top = json_array_get(json_object_get(res.body, "rows"), 0);
	assert_near(jnum(top, "resolution_rate"), 0.6667);
	assert_near(jnum(top, "score"), 68.67);
	api_response_release(&res);

	/* CSV with Chinese headers */
	q[3].val = "csv";
	call(f, U_ASSESSOR, "GET", "/api/v1/reports/rates", q, NULL, &res);
	assert_int_equal(res.status, 200);
	assert_non_null(res.raw);
	assert_string_equal(res.content_type, "text/csv; charset=utf-8");
	assert_string_equal(res.filename, "jiesu-rates-street-2026-03.csv");
	assert_true(str_has_prefix(
	    res.raw, "\xEF\xBB\xBF排名,单位编码,单位,有效回访量,响应率,解决率,满意率,综合得分,"));
	if (!strstr(res.raw,
		    "\r\n1,110107006,金顶街街道,3,100.00%,66.67%,63.33%,68.67,4,75.00%,50.00%,47.50%,51.50,"))
		fail_msg("CSV row of 金顶街 not as expected:\n%s", res.raw);
	if (!strstr(res.raw, "\r\n,110107001,八宝山街道,0,"))
		fail_msg("CSV row of an unranked street not as expected");
	api_response_release(&res);

	/* Excel: a zip */
	q[3].val = "xlsx";
	call(f, U_ASSESSOR, "GET", "/api/v1/reports/rates", q, NULL, &res);
	assert_int_equal(res.status, 200);
	assert_true(res.raw_len > 1000);
	assert_memory_equal(res.raw, "PK\x03\x04", 4);
	assert_string_equal(res.filename, "jiesu-rates-street-2026-03.xlsx");
	api_response_release(&res);
	q[3].val = "pdf";
	call(f, U_ASSESSOR, "GET", "/api/v1/reports/rates", q, NULL, &res);
	expect_error(&res, 400, "format");
	q[3].val = NULL;

	/* a street head sees their own street only; a parent outside is 404; a handler may not */
	struct kv own[] = {{"period", "2026-03"}, {"pool", "street"}, {NULL, NULL}};
	call(f, U_HEAD, "GET", "/api/v1/reports/rates", own, NULL, &res);
	assert_int_equal(res.status, 200);
	rows = json_object_get(res.body, "rows");
	assert_int_equal(json_array_size(rows), 1);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(json_array_get(rows, 0), "unit"), "code")),
	    JINDING);
	api_response_release(&res);
	call(f, U_HEAD, "GET", "/api/v1/reports/rates", q, NULL, &res);
	expect_error(&res, 404, "parent");
	call(f, U_HANDLER, "GET", "/api/v1/reports/rates", q, NULL, &res);
	expect_error(&res, 403, NULL);
	/* the district supervisor sees the district's streets */
	call(f, U_SUPERVISOR, "GET", "/api/v1/reports/rates", own, NULL, &res);
	assert_int_equal(res.status, 200);
	assert_int_equal(json_array_size(json_object_get(res.body, "rows")), SJS_STREETS);
	api_response_release(&res);

	struct kv bad_pool[] = {{"period", "2026-03"}, {"pool", "community"}, {NULL, NULL}};
	call(f, U_ASSESSOR, "GET", "/api/v1/reports/rates", bad_pool, NULL, &res);
	expect_error(&res, 400, "pool");
	struct kv no_period[] = {{"pool", "street"}, {NULL, NULL}};
	call(f, U_ASSESSOR, "GET", "/api/v1/reports/rates", no_period, NULL, &res);
	expect_error(&res, 400, "period");
	struct kv bad_period[] = {{"period", "2026-3"}, {"pool", "street"}, {NULL, NULL}};
	call(f, U_ASSESSOR, "GET", "/api/v1/reports/rates", bad_period, NULL, &res);
	expect_error(&res, 400, "period");
}

static void test_api_config(void **state)
{
	struct fx *f = *state;
	struct api_response res;
	call(f, U_HEAD, "GET", "/api/v1/config/assessment/department", NULL, NULL, &res);
	assert_int_equal(res.status, 200);
	assert_true(json_is_false(json_object_get(res.body, "stored")));
	assert_near(jnum(res.body, "whistle_weight"), 1.0 / 3);
	api_response_release(&res);

	const char *good = "{\"weights\":{\"response\":0.3,\"resolution\":0.35,\"satisfaction\":0.35},"
			   "\"period_start_day\":19,\"min_callbacks\":5}";
	call(f, U_ASSESSOR, "PUT", "/api/v1/config/assessment/street", NULL, good, &res);
	expect_error(&res, 403, NULL);
	call(f, U_ADMIN, "PUT", "/api/v1/config/assessment/street", NULL,
	     "{\"weights\":{\"response\":0.3,\"resolution\":0.35,\"satisfaction\":0.3}}", &res);
	expect_error(&res, 400, "weights");
	call(f, U_ADMIN, "PUT", "/api/v1/config/assessment/street", NULL,
	     "{\"weights\":{\"response\":0.3,\"resolution\":0.7}}", &res);
	expect_error(&res, 400, "weights.satisfaction");
	call(f, U_ADMIN, "PUT", "/api/v1/config/assessment/street", NULL, "{\"min_callbacks\":2.5}", &res);
	expect_error(&res, 400, "min_callbacks");
	call(f, U_ADMIN, "PUT", "/api/v1/config/assessment/street", NULL, "{\"whistle_weight\":0.3}", &res);
	expect_error(&res, 400, "whistle_weight");
	call(f, U_ADMIN, "PUT", "/api/v1/config/assessment/street", NULL, "{\"weight\":1}", &res);
	expect_error(&res, 400, "weight");
	call(f, U_ADMIN, "PUT", "/api/v1/config/assessment/community", NULL, good, &res);
	expect_error(&res, 404, "pool");

	call(f, U_ADMIN, "PUT", "/api/v1/config/assessment/street", NULL, good, &res);
	assert_int_equal(res.status, 200);
	assert_int_equal(json_integer_value(json_object_get(res.body, "period_start_day")), 19);
	api_response_release(&res);
	/* only what was given changes */
	call(f, U_ADMIN, "PUT", "/api/v1/config/assessment/street", NULL, "{\"basic_coefficient\":0.8}",
	     &res);
	assert_int_equal(res.status, 200);
	api_response_release(&res);
	struct assess_config c;
	struct err e;
	err_init(&e);
	assert_code(assess_config_load(f->st, UNIT_STREET, &c, &e), OK, &e);
	assert_near(c.w_response, 0.3);
	assert_near(c.basic_coefficient, 0.8);
	assert_int_equal(c.period_start_day, 19);
	assert_int_equal(c.min_callbacks, 5);
	call(f, U_AGENT, "GET", "/api/v1/config/assessment/street", NULL, NULL, &res);
	assert_true(json_is_true(json_object_get(res.body, "stored")));
	api_response_release(&res);
}

/* The case export: every stage, no requester name or phone, only the viewer's remit. */
static void test_api_cases_export(void **state)
{
	struct fx *f = *state;
	struct api_response res;
	int64_t id = handled_case(f, 1);
	callback(f, id, 1, 1, "basic");
	struct kv q[] = {{"period", "2026-03"}, {"format", "csv"}, {NULL, NULL}};
	call(f, U_ASSESSOR, "GET", "/api/v1/reports/cases", q, NULL, &res);
	assert_int_equal(res.status, 200);
	assert_non_null(res.raw);
	assert_string_equal(res.filename, "jiesu-cases-all-2026-03.csv");
	assert_null(strstr(res.raw, "李四"));
	assert_null(strstr(res.raw, "13987654321"));
	assert_non_null(strstr(res.raw, "楼道灯不亮"));
	assert_true(str_has_prefix(res.raw, "\xEF\xBB\xBF工单编号,受理时间,"));
	char want[256];
	snprintf(want, sizeof(want),
		 "\r\n%lld,2026-03-02 "
		 "09:10:00,投诉,phone,楼道灯不亮,,一般,已办结,石景山区,金顶街街道,,110107006,金顶街街道,2026-"
		 "03-02 09:20:00,",
		 (long long)id);
	if (!strstr(res.raw, want))
		fail_msg("row not found:\n%s\nin:\n%s", want, res.raw);
	assert_non_null(strstr(res.raw, ",基本满意,"));
	int lines = 0;
	for (const char *p = res.raw; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 2);
	api_response_release(&res);

	q[1].val = "xlsx";
	call(f, U_HEAD, "GET", "/api/v1/reports/cases", q, NULL, &res);
	assert_int_equal(res.status, 200);
	assert_memory_equal(res.raw, "PK\x03\x04", 4);
	assert_string_equal(res.filename, "jiesu-cases-110107006-2026-03.xlsx");
	api_response_release(&res);

	/* another street's head sees no row */
	q[1].val = "csv";
	call(f, U_OTHER_HEAD, "GET", "/api/v1/reports/cases", q, NULL, &res);
	assert_int_equal(res.status, 200);
	assert_null(strstr(res.raw, "楼道灯不亮"));
	api_response_release(&res);
	struct kv outside[] = {{"period", "2026-03"}, {"unit", JINDING}, {NULL, NULL}};
	call(f, U_OTHER_HEAD, "GET", "/api/v1/reports/cases", outside, NULL, &res);
	expect_error(&res, 404, "unit");

	q[1].val = "json";
	call(f, U_ASSESSOR, "GET", "/api/v1/reports/cases", q, NULL, &res);
	expect_error(&res, 400, "format");
	struct kv april[] = {{"period", "2026-04"}, {NULL, NULL}};
	call(f, U_ASSESSOR, "GET", "/api/v1/reports/cases", april, NULL, &res);
	assert_int_equal(res.status, 200);
	assert_null(strstr(res.raw, "楼道灯不亮"));
	api_response_release(&res);
}

/* Per-person records: the handler's own work, within the viewer's subtree. */
static void test_api_people(void **state)
{
	struct fx *f = *state;
	struct api_response res;
	int64_t id = handled_case(f, 1);
	callback(f, id, 1, 1, "satisfied");
	struct kv q[] = {{"period", "2026-03"}, {"format", NULL}, {NULL, NULL}};
	call(f, U_HEAD, "GET", "/api/v1/reports/people", q, NULL, &res);
	assert_int_equal(res.status, 200);
	json_t *people = json_object_get(res.body, "people");
	assert_int_equal(json_array_size(people), 1);
	json_t *p = json_array_get(people, 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(p, "user"), "login")),
			    "handler");
	assert_int_equal(json_integer_value(json_object_get(p, "signs")), 1);
	assert_int_equal(json_integer_value(json_object_get(p, "replies")), 1);
	assert_int_equal(json_integer_value(json_object_get(p, "callbacks")), 1);
	assert_near(jnum(p, "on_time_sign_rate"), 1);
	assert_near(jnum(p, "satisfied_rate"), 1);
	assert_true(json_is_null(json_object_get(p, "average_rating")));
	api_response_release(&res);

	q[1].val = "csv";
	call(f, U_ASSESSOR, "GET", "/api/v1/reports/people", q, NULL, &res);
	assert_int_equal(res.status, 200);
	assert_true(str_has_prefix(res.raw, "\xEF\xBB\xBF姓名,账号,单位编码,单位,"));
	assert_non_null(strstr(res.raw, ",handler,110107006,金顶街街道,1,100.00%,"));
	api_response_release(&res);

	struct kv outside[] = {{"period", "2026-03"}, {"unit", BABAO}, {NULL, NULL}};
	call(f, U_HEAD, "GET", "/api/v1/reports/people", outside, NULL, &res);
	expect_error(&res, 404, "unit");
	call(f, U_HANDLER, "GET", "/api/v1/reports/people", q, NULL, &res);
	expect_error(&res, 403, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_period),
	    cmocka_unit_test_setup_teardown(test_period_boundary_callbacks, fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_worked_example, fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_excluded, fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_response_only, fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_latest_callback, fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_minimum, fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_ranking, fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_district_pool, fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_whistle, fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_process_figures, fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_config, fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_recompute, fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_recompute_whistle, fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_api_rates, fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_api_config, fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_api_cases_export, fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_api_people, fixture_setup, fixture_teardown),
	};
	fixture_use("assess", users, U_COUNT);
	return cmocka_run_group_tests(tests, fixture_group_setup, fixture_group_teardown);
}
