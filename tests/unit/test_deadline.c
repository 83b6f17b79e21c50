/*
 * test_deadline — working-day calendar, deadline arithmetic, clock states
 * and the calendar / tier-rule CSV parsers. Expected times were worked out
 * by hand from data/calendar/cn_public_holidays_2025_2026.csv; each test
 * says which days it counts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "domain/deadline.h"

#define CAL_FILE "data/calendar/cn_public_holidays_2025_2026.csv"

/* Parse an ISO time or fail the test. */
static int64_t T(const char *iso)
{
	int64_t t = 0;
	if (!time_parse_iso(iso, &t))
		fail_msg("bad ISO time in test: %s", iso);
	return t;
}

/* Assert that t is the instant iso, printing both in local time on failure. */
#define assert_time(t, iso)                                           \
	do {                                                          \
		char got_[26];                                        \
		time_format_iso((t), got_);                           \
		if ((t) != T(iso))                                    \
			fail_msg("expected %s, got %s", (iso), got_); \
	} while (0)

static int add_to_calendar(void *ctx, const struct holiday *h)
{
	calendar_add(ctx, h);
	return 0;
}

/* The shipped calendar, parsed from the copy embedded in the binary. */
static int setup_calendar(void **state)
{
	const struct embedded_file *f = embed_find(CAL_FILE);
	if (!f)
		return -1;
	struct calendar *cal = calendar_new();
	struct err e;
	err_init(&e);
	if (calendar_parse_csv((const char *)f->data, f->len, add_to_calendar, cal, &e) != OK) {
		calendar_free(cal);
		return -1;
	}
	*state = cal;
	return 0;
}

static int teardown_calendar(void **state)
{
	calendar_free(*state);
	return 0;
}

/* ---------------------------------------------------------------- calendar */

static void test_calendar_workdays(void **state)
{
	const struct calendar *cal = *state;
	int64_t d;
	/* 2026-02-14 Saturday 调休上班; 2026-02-16 Monday 春节; 2026-02-24 ordinary Tuesday. */
	assert_true(date_parse("2026-02-14", &d));
	assert_true(calendar_is_workday(cal, d));
	assert_false(calendar_is_workday(NULL, d));
	assert_true(date_parse("2026-02-16", &d));
	assert_false(calendar_is_workday(cal, d));
	assert_true(calendar_is_workday(NULL, d));
	assert_true(date_parse("2026-02-24", &d));
	assert_true(calendar_is_workday(cal, d));
	/* An ordinary Sunday outside any holiday. */
	assert_true(date_parse("2026-03-08", &d));
	assert_false(calendar_is_workday(cal, d));

	int first = 0, last = 0;
	assert_true(calendar_years(cal, &first, &last));
	assert_int_equal(first, 2025);
	assert_int_equal(last, 2026);
}

static void test_calendar_add_replaces(void **state)
{
	(void)state;
	struct calendar *cal = calendar_new();
	int first, last;
	assert_false(calendar_years(cal, &first, &last));

	struct holiday h = {0};
	assert_true(date_parse("2027-01-01", &h.day)); /* a Friday */
	strcpy(h.name, "元旦");
	calendar_add(cal, &h);
	assert_false(calendar_is_workday(cal, h.day));
	h.work = true;
	calendar_add(cal, &h); /* same day: replaces */
	assert_true(calendar_is_workday(cal, h.day));

	struct holiday h2 = {0};
	assert_true(date_parse("2024-10-01", &h2.day));
	calendar_add(cal, &h2);
	assert_true(calendar_years(cal, &first, &last));
	assert_int_equal(first, 2024);
	assert_int_equal(last, 2027);
	calendar_free(cal);
}

/* ---------------------------------------------------------------- deadline_add */

/*
 * Start Thursday 2026-02-12 10:00. Working days strictly after that date:
 * Fri 13 (1), Sat 14 调休 (2), 15–23 春节 off, Tue 24 (3), Wed 25 (4),
 * Thu 26 (5), Fri 27 (6), Sat 28 调休 (7).
 */
static void test_working_days_spring_festival_2026(void **state)
{
	const struct calendar *cal = *state;
	int64_t start = T("2026-02-12T10:00:00+08:00");
	assert_time(deadline_add(cal, start, 7, SPAN_WORKING_DAYS), "2026-02-28T10:00:00+08:00");
	/* 15 working days (complex tier): after Sat 28 (7): Mar 2–6 (8–12), Mar 9–11 (13–15). */
	assert_time(deadline_add(cal, start, 15, SPAN_WORKING_DAYS), "2026-03-11T10:00:00+08:00");
	/* Without a calendar only weekends rest: Feb 13, 16, 17, 18, 19, 20, 23. */
	assert_time(deadline_add(NULL, start, 7, SPAN_WORKING_DAYS), "2026-02-23T10:00:00+08:00");
}

/*
 * Start Friday 2025-09-26 16:30. Sat 27 off; Sun 28 调休 (1), Mon 29 (2),
 * Tue 30 (3), Oct 1–8 国庆节、中秋节 off, Thu 9 (4), Fri 10 (5),
 * Sat 11 调休 (6), Sun 12 off, Mon 13 (7).
 */
static void test_working_days_national_day_2025(void **state)
{
	const struct calendar *cal = *state;
	int64_t start = T("2025-09-26T16:30:00+08:00");
	assert_time(deadline_add(cal, start, 7, SPAN_WORKING_DAYS), "2025-10-13T16:30:00+08:00");
	assert_time(deadline_add(cal, start, 1, SPAN_WORKING_DAYS), "2025-09-28T16:30:00+08:00");
	assert_time(deadline_add(cal, start, 4, SPAN_WORKING_DAYS), "2025-10-09T16:30:00+08:00");
}

/* Across the new year: Wed 2025-12-31, then Jan 1–3 off, Sun Jan 4 调休 (1), Mon 5 (2). */
static void test_working_days_new_year(void **state)
{
	const struct calendar *cal = *state;
	int64_t start = T("2025-12-31T09:00:00+08:00");
	assert_time(deadline_add(cal, start, 1, SPAN_WORKING_DAYS), "2026-01-04T09:00:00+08:00");
	assert_time(deadline_add(cal, start, 2, SPAN_WORKING_DAYS), "2026-01-05T09:00:00+08:00");
}

/* A start on a weekend or a holiday counts from the next working day. */
static void test_working_days_start_on_day_off(void **state)
{
	const struct calendar *cal = *state;
	/* Saturday 2026-03-07 22:00: Mon 9 (1) … Fri 13 (5), Mon 16 (6), Tue 17 (7). */
	int64_t sat = T("2026-03-07T22:00:00+08:00");
	assert_time(deadline_add(cal, sat, 1, SPAN_WORKING_DAYS), "2026-03-09T22:00:00+08:00");
	assert_time(deadline_add(cal, sat, 7, SPAN_WORKING_DAYS), "2026-03-17T22:00:00+08:00");
	/* Saturday 2026-10-03 inside 国庆节: Oct 4–7 off, Thu 8 (1), Fri 9 (2), Sat 10 调休 (3). */
	int64_t hol = T("2026-10-03T09:00:00+08:00");
	assert_time(deadline_add(cal, hol, 1, SPAN_WORKING_DAYS), "2026-10-08T09:00:00+08:00");
	assert_time(deadline_add(cal, hol, 3, SPAN_WORKING_DAYS), "2026-10-10T09:00:00+08:00");
}

/*
 * The local (UTC+8) date counts, not the UTC one: Monday 2026-03-09 07:30
 * local is Sunday 23:30 UTC. One working day later is Tuesday, not Monday.
 */
static void test_working_days_local_date(void **state)
{
	const struct calendar *cal = *state;
	int64_t start = T("2026-03-08T23:30:00Z");
	assert_int_equal(start, T("2026-03-09T07:30:00+08:00"));
	assert_time(deadline_add(cal, start, 1, SPAN_WORKING_DAYS), "2026-03-10T07:30:00+08:00");
	/* Saturday 07:30 local is Friday 23:30 UTC: the next working day is Monday, not Tuesday. */
	assert_time(deadline_add(cal, T("2026-03-07T07:30:00+08:00"), 1, SPAN_WORKING_DAYS),
		    "2026-03-09T07:30:00+08:00");
	/* Friday 07:30 local is Thursday 23:30 UTC: the next working day is Monday, not Saturday. */
	assert_time(deadline_add(cal, T("2026-03-13T07:30:00+08:00"), 1, SPAN_WORKING_DAYS),
		    "2026-03-16T07:30:00+08:00");
	/* Just before local midnight: Friday 2026-03-13 23:59:59 → Monday 23:59:59. */
	assert_time(deadline_add(cal, T("2026-03-13T23:59:59+08:00"), 1, SPAN_WORKING_DAYS),
		    "2026-03-16T23:59:59+08:00");
}

static void test_zero_and_negative_amount(void **state)
{
	const struct calendar *cal = *state;
	int64_t hol = T("2026-02-16T11:11:11+08:00"); /* inside 春节 */
	assert_int_equal(deadline_add(cal, hol, 0, SPAN_WORKING_DAYS), hol);
	assert_int_equal(deadline_add(cal, hol, 0, SPAN_CALENDAR_DAYS), hol);
	assert_int_equal(deadline_add(cal, hol, 0, SPAN_HOURS), hol);
	assert_int_equal(deadline_add(cal, hol, -3, SPAN_WORKING_DAYS), hol);
}

/* Hours and calendar days ignore the holiday calendar. */
static void test_hours_and_calendar_days(void **state)
{
	const struct calendar *cal = *state;
	assert_time(deadline_add(cal, T("2026-02-16T23:15:00+08:00"), 2, SPAN_HOURS),
		    "2026-02-17T01:15:00+08:00");
	assert_time(deadline_add(cal, T("2026-02-12T10:00:00+08:00"), 24, SPAN_HOURS),
		    "2026-02-13T10:00:00+08:00");
	assert_time(deadline_add(cal, T("2026-02-12T10:00:00+08:00"), 7, SPAN_CALENDAR_DAYS),
		    "2026-02-19T10:00:00+08:00");
	assert_time(deadline_add(cal, T("2025-12-28T18:00:00+08:00"), 7, SPAN_CALENDAR_DAYS),
		    "2026-01-04T18:00:00+08:00");
}

/* A huge span is clamped (3650 working days), not looped over forever. */
static void test_working_days_bounded(void **state)
{
	const struct calendar *cal = *state;
	int64_t start = T("2026-03-02T09:00:00+08:00");
	int64_t a = deadline_add(cal, start, 3650, SPAN_WORKING_DAYS);
	int64_t b = deadline_add(cal, start, 2000000000, SPAN_WORKING_DAYS);
	assert_true(a > start);
	assert_int_equal(a, b);
}

/* ---------------------------------------------------------------- clocks */

static void test_clock_begin_warn_at(void **state)
{
	const struct calendar *cal = *state;
	struct case_clock c;
	memset(&c, 0xff, sizeof(c));
	/* Emergency feedback: 2 hours, warning at 75% = 1 h 30 min. */
	int64_t start = T("2026-02-16T10:00:00+08:00");
	clock_begin(&c, start, deadline_add(cal, start, 2, SPAN_HOURS), 75);
	assert_int_equal(c.start, start);
	assert_time(c.due, "2026-02-16T12:00:00+08:00");
	assert_time(c.warn_at, "2026-02-16T11:30:00+08:00");
	assert_int_equal(c.done_at, 0);
	assert_false(c.warned);
	assert_false(c.overdue);

	/* 7 working days from 2026-02-12 10:00 is Feb 28 10:00 (16 days); 75% = 12 days. */
	start = T("2026-02-12T10:00:00+08:00");
	clock_begin(&c, start, deadline_add(cal, start, 7, SPAN_WORKING_DAYS), 75);
	assert_time(c.warn_at, "2026-02-24T10:00:00+08:00");

	/* 75% of 10 seconds rounds down to 7. */
	clock_begin(&c, 1000, 1010, 75);
	assert_int_equal(c.warn_at, 1007);

	/* No deadline, no warning. */
	clock_begin(&c, 1000, 0, 75);
	assert_int_equal(c.warn_at, 0);
}

static void test_clock_states_at_boundaries(void **state)
{
	(void)state;
	struct case_clock c = {0};
	assert_int_equal(clock_state_at(&c, T("2026-02-16T10:00:00+08:00")), CLOCK_IDLE);

	int64_t start = T("2026-02-16T10:00:00+08:00");
	int64_t due = T("2026-02-16T12:00:00+08:00");
	int64_t warn = T("2026-02-16T11:30:00+08:00");
	clock_begin(&c, start, due, 75);
	assert_int_equal(c.warn_at, warn);
	assert_int_equal(clock_state_at(&c, start), CLOCK_RUNNING);
	assert_int_equal(clock_state_at(&c, warn - 1), CLOCK_RUNNING);
	assert_int_equal(clock_state_at(&c, warn), CLOCK_WARNING);
	assert_int_equal(clock_state_at(&c, due - 1), CLOCK_WARNING);
	/* the due time is the last moment on time; overdue is strictly after */
	assert_int_equal(clock_state_at(&c, due), CLOCK_WARNING);
	assert_int_equal(clock_state_at(&c, due + 1), CLOCK_OVERDUE);

	/* Met exactly at due is in time; one second later is late. now does not matter. */
	c.done_at = due;
	assert_int_equal(clock_state_at(&c, due + 86400), CLOCK_MET);
	c.done_at = due + 1;
	assert_int_equal(clock_state_at(&c, due + 86400), CLOCK_MET_LATE);
	c.done_at = warn;
	assert_int_equal(clock_state_at(&c, warn), CLOCK_MET);

	/* A clock without a deadline runs until met and is never late. */
	clock_begin(&c, start, 0, 75);
	assert_int_equal(clock_state_at(&c, start + 365 * 86400), CLOCK_RUNNING);
	c.done_at = start + 365 * 86400;
	assert_int_equal(clock_state_at(&c, c.done_at), CLOCK_MET);

	assert_string_equal(clock_state_name(CLOCK_IDLE), "idle");
	assert_string_equal(clock_state_name(CLOCK_RUNNING), "running");
	assert_string_equal(clock_state_name(CLOCK_WARNING), "warning");
	assert_string_equal(clock_state_name(CLOCK_OVERDUE), "overdue");
	assert_string_equal(clock_state_name(CLOCK_MET), "met");
	assert_string_equal(clock_state_name(CLOCK_MET_LATE), "met_late");
}

/* ---------------------------------------------------------------- calendar CSV */

struct count {
	int rows, off, work;
};

static int count_holiday(void *ctx, const struct holiday *h)
{
	struct count *c = ctx;
	c->rows++;
	if (h->work)
		c->work++;
	else
		c->off++;
	return 0;
}

static void test_calendar_csv_shipped(void **state)
{
	(void)state;
	const struct embedded_file *f = embed_find(CAL_FILE);
	assert_non_null(f);
	struct count c = {0};
	struct err e;
	err_init(&e);
	assert_int_equal(calendar_parse_csv((const char *)f->data, f->len, count_holiday, &c, &e), OK);
	assert_int_equal(c.rows, 72);
	assert_int_equal(c.work, 11);
	assert_int_equal(c.off, 61);
}

/* Parse text and expect failure with this field and a message starting with msg_prefix. */
static void expect_calendar_error(const char *csv, const char *field, const char *msg_prefix)
{
	struct count c = {0};
	struct err e;
	err_init(&e);
	assert_int_equal(calendar_parse_csv(csv, strlen(csv), count_holiday, &c, &e), E_INVALID);
	assert_int_equal(e.code, E_INVALID);
	assert_string_equal(e.field, field);
	if (strncmp(e.msg, msg_prefix, strlen(msg_prefix)))
		fail_msg("message \"%s\" does not start with \"%s\"", e.msg, msg_prefix);
}

static void test_calendar_csv_errors(void **state)
{
	(void)state;
	struct err e;

	expect_calendar_error("day,kind,name\n2026-01-01,off,元旦\n", "header",
			      "第 1 行：表头应为 date,kind,name");
	expect_calendar_error("date,kind\n", "header", "第 1 行：表头应为");
	expect_calendar_error("", "header", "文件为空");

	err_init(&e);
	const char *bad_date = "date,kind,name\n"
			       "2026-02-15,off,春节\n"
			       "2026-02-16,off,春节\n"
			       "2026-02-17,off,春节\n"
			       "2026-02-30,off,春节\n";
	assert_int_equal(calendar_parse_csv(bad_date, strlen(bad_date), NULL, NULL, &e), E_INVALID);
	assert_string_equal(e.field, "date");
	assert_string_equal(e.msg, "第 5 行：日期 2026-02-30 不合法");

	expect_calendar_error("date,kind,name\n2026/01/01,off,元旦\n", "date",
			      "第 2 行：日期 2026/01/01 不合法");
	expect_calendar_error("date,kind,name\n2026-01-01,holiday,元旦\n", "kind",
			      "第 2 行：类型 holiday 不合法");
	/* 2026-02-13 is a Friday. */
	expect_calendar_error("date,kind,name\n2026-02-14,work,调休\n2026-02-13,work,调休\n", "kind",
			      "第 3 行：2026-02-13 是星期五");
	expect_calendar_error(
	    "date,kind,name\n2026-10-01,off,国庆节\n2026-10-02,off,国庆节\n2026-10-01,off,国庆节\n", "date",
	    "第 4 行：日期 2026-10-01 与第 2 行重复");
	expect_calendar_error("date,kind,name\n2026-10-01,off,"
			      "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三\n",
			      "name", "第 2 行：名称超过 32 个字");

	/* An off entry on a weekend and CRLF line ends are fine. */
	const char *ok = "date,kind,name\r\n2026-02-21,off,春节\r\n2026-02-28,work,春节调休上班\r\n";
	struct count c = {0};
	err_init(&e);
	assert_int_equal(calendar_parse_csv(ok, strlen(ok), count_holiday, &c, &e), OK);
	assert_int_equal(c.rows, 2);
}

/* A callback's error stops the parse and is reported with the line. */
static int refuse_second(void *ctx, const struct holiday *h)
{
	(void)h;
	return ++*(int *)ctx == 2 ? E_DB : OK;
}

static void test_calendar_csv_callback_error(void **state)
{
	(void)state;
	const char *csv = "date,kind,name\n2026-01-01,off,元旦\n2026-01-02,off,元旦\n2026-01-03,off,元旦\n";
	int calls = 0;
	struct err e;
	err_init(&e);
	assert_int_equal(calendar_parse_csv(csv, strlen(csv), refuse_second, &calls, &e), E_DB);
	assert_int_equal(calls, 2);
	assert_string_equal(e.field, "");
	if (strncmp(e.msg, "第 3 行", strlen("第 3 行")))
		fail_msg("message \"%s\" does not name line 3", e.msg);
}

/* ---------------------------------------------------------------- tier rules */

static void test_tier_rules_default(void **state)
{
	(void)state;
	struct tier_rule r[TIER_COUNT];
	tier_rules_default(r);
	assert_int_equal(r[TIER_EMERGENCY].tier, TIER_EMERGENCY);
	assert_int_equal(r[TIER_EMERGENCY].dispatch_minutes, 60);
	assert_int_equal(r[TIER_EMERGENCY].sign_minutes, 30);
	assert_int_equal(r[TIER_EMERGENCY].contact_minutes, 60);
	assert_int_equal(r[TIER_EMERGENCY].feedback_amount, 2);
	assert_int_equal(r[TIER_EMERGENCY].feedback_unit, SPAN_HOURS);
	assert_int_equal(r[TIER_UTILITIES].tier, TIER_UTILITIES);
	assert_int_equal(r[TIER_UTILITIES].dispatch_minutes, 120);
	assert_int_equal(r[TIER_UTILITIES].sign_minutes, 60);
	assert_int_equal(r[TIER_UTILITIES].contact_minutes, 120);
	assert_int_equal(r[TIER_UTILITIES].feedback_amount, 24);
	assert_int_equal(r[TIER_UTILITIES].feedback_unit, SPAN_HOURS);
	assert_int_equal(r[TIER_GENERAL].tier, TIER_GENERAL);
	assert_int_equal(r[TIER_GENERAL].dispatch_minutes, 1440);
	assert_int_equal(r[TIER_GENERAL].sign_minutes, 120);
	assert_int_equal(r[TIER_GENERAL].contact_minutes, 1440);
	assert_int_equal(r[TIER_GENERAL].feedback_amount, 7);
	assert_int_equal(r[TIER_GENERAL].feedback_unit, SPAN_WORKING_DAYS);
	assert_int_equal(r[TIER_COMPLEX].tier, TIER_COMPLEX);
	assert_int_equal(r[TIER_COMPLEX].dispatch_minutes, 1440);
	assert_int_equal(r[TIER_COMPLEX].sign_minutes, 120);
	assert_int_equal(r[TIER_COMPLEX].contact_minutes, 1440);
	assert_int_equal(r[TIER_COMPLEX].feedback_amount, 15);
	assert_int_equal(r[TIER_COMPLEX].feedback_unit, SPAN_WORKING_DAYS);
	for (int i = 0; i < TIER_COUNT; i++)
		assert_int_equal(r[i].warn_percent, 75);
}

struct tiers_seen {
	int rows;
	struct tier_rule r[TIER_COUNT];
};

static int collect_tier(void *ctx, const struct tier_rule *r)
{
	struct tiers_seen *s = ctx;
	s->rows++;
	s->r[r->tier] = *r;
	return 0;
}

#define TIER_HEADER \
	"tier,dispatch_minutes,sign_minutes,contact_minutes,feedback_amount,feedback_unit,warn_percent\n"
#define TIER_HEADER_8 \
	"tier,dispatch_minutes,sign_minutes,contact_minutes,feedback_amount,feedback_unit,warn_percent,redispatch\n"

/* The shipped data/tiers.csv holds exactly the built-in defaults. */
static void test_tier_csv_shipped(void **state)
{
	(void)state;
	const struct embedded_file *f = embed_find("data/tiers.csv");
	assert_non_null(f);
	struct tiers_seen s;
	memset(&s, 0, sizeof(s));
	struct err e;
	err_init(&e);
	assert_int_equal(tier_rules_parse_csv((const char *)f->data, f->len, collect_tier, &s, &e), OK);
	assert_int_equal(s.rows, 4);
	struct tier_rule def[TIER_COUNT];
	tier_rules_default(def);
	for (int i = 0; i < TIER_COUNT; i++) {
		assert_int_equal(s.r[i].tier, def[i].tier);
		assert_int_equal(s.r[i].dispatch_minutes, def[i].dispatch_minutes);
		assert_int_equal(s.r[i].sign_minutes, def[i].sign_minutes);
		assert_int_equal(s.r[i].contact_minutes, def[i].contact_minutes);
		assert_int_equal(s.r[i].feedback_amount, def[i].feedback_amount);
		assert_int_equal(s.r[i].feedback_unit, def[i].feedback_unit);
		assert_int_equal(s.r[i].warn_percent, def[i].warn_percent);
		assert_int_equal(s.r[i].redispatch_keeps_due, def[i].redispatch_keeps_due);
	}
}

/* The optional redispatch column: restart (the default) or keep. */
static void test_tier_csv_redispatch(void **state)
{
	(void)state;
	static const char csv[] = TIER_HEADER_8 "general,1440,120,1440,7,working_days,75,keep\n"
					       "complex,1440,120,1440,15,working_days,75,restart\n";
	struct tiers_seen s;
	memset(&s, 0, sizeof(s));
	struct err e;
	err_init(&e);
	assert_int_equal(tier_rules_parse_csv(csv, sizeof(csv) - 1, collect_tier, &s, &e), OK);
	assert_int_equal(s.rows, 2);
	assert_true(s.r[TIER_GENERAL].redispatch_keeps_due);
	assert_false(s.r[TIER_COMPLEX].redispatch_keeps_due);
}


static void expect_tier_error(const char *csv, const char *field, const char *msg_prefix)
{
	struct tiers_seen s;
	memset(&s, 0, sizeof(s));
	struct err e;
	err_init(&e);
	assert_int_equal(tier_rules_parse_csv(csv, strlen(csv), collect_tier, &s, &e), E_INVALID);
	assert_string_equal(e.field, field);
	if (strncmp(e.msg, msg_prefix, strlen(msg_prefix)))
		fail_msg("message \"%s\" does not start with \"%s\"", e.msg, msg_prefix);
}

static void test_tier_csv_errors(void **state)
{
	(void)state;
	expect_tier_error("tier,dispatch,sign,contact,feedback_amount,feedback_unit,warn_percent\n", "header",
			  "第 1 行：表头应为 tier,dispatch_minutes");
	expect_tier_error("", "header", "文件为空");
	expect_tier_error(TIER_HEADER "emergency,60,30,60,2,hours,75\nurgent,60,30,60,2,hours,75\n", "tier",
			  "第 3 行：等级 urgent 不存在");
	expect_tier_error(TIER_HEADER "general,-5,120,1440,7,working_days,75\n", "dispatch_minutes",
			  "第 2 行：派单时限（分钟） -5 不能为负数");
	expect_tier_error(TIER_HEADER "general,1440,-1,1440,7,working_days,75\n", "sign_minutes",
			  "第 2 行：签收时限（分钟） -1 不能为负数");
	expect_tier_error(TIER_HEADER "general,1440,120,0,7,working_days,75\n", "contact_minutes",
			  "第 2 行：联系时限（分钟） 0 超出范围");
	expect_tier_error(TIER_HEADER "general,1440,120,1440,7,working_days,0\n", "warn_percent",
			  "第 2 行：预警比例（%） 0 超出范围，应为 1 到 99");
	expect_tier_error(TIER_HEADER
			  "emergency,60,30,60,2,hours,75\ngeneral,1440,120,1440,7,working_days,100\n",
			  "warn_percent", "第 3 行：预警比例（%） 100 超出范围，应为 1 到 99");
	expect_tier_error(TIER_HEADER "general,1440,120,1440,7,weeks,75\n", "feedback_unit",
			  "第 2 行：反馈时限单位 weeks 不合法");
	expect_tier_error(TIER_HEADER "general,1440,120,1440,seven,working_days,75\n", "feedback_amount",
			  "第 2 行：反馈时限 seven 不是整数");
	expect_tier_error(TIER_HEADER "general,1440,120,1440,99999999999999999999,working_days,75\n",
			  "feedback_amount", "第 2 行：反馈时限 99999999999999999999 超出范围");
	expect_tier_error(TIER_HEADER
			  "general,1440,120,1440,7,working_days,75\ngeneral,60,30,60,2,hours,75\n",
			  "tier", "第 3 行：等级 general 与第 2 行重复");
	expect_tier_error(TIER_HEADER "general,1440,120,1440,7,working_days\n", "",
			  "第 2 行：应有 7 列，实际 6 列");
	expect_tier_error(TIER_HEADER_8 "general,1440,120,1440,7,working_days,75\n", "",
			  "第 2 行：应有 8 列，实际 7 列");
	expect_tier_error(TIER_HEADER_8 "general,1440,120,1440,7,working_days,75,later\n", "redispatch",
			  "第 2 行：改派后的办结时限 later 不合法");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_calendar_workdays),
	    cmocka_unit_test(test_calendar_add_replaces),
	    cmocka_unit_test(test_working_days_spring_festival_2026),
	    cmocka_unit_test(test_working_days_national_day_2025),
	    cmocka_unit_test(test_working_days_new_year),
	    cmocka_unit_test(test_working_days_start_on_day_off),
	    cmocka_unit_test(test_working_days_local_date),
	    cmocka_unit_test(test_zero_and_negative_amount),
	    cmocka_unit_test(test_hours_and_calendar_days),
	    cmocka_unit_test(test_working_days_bounded),
	    cmocka_unit_test(test_clock_begin_warn_at),
	    cmocka_unit_test(test_clock_states_at_boundaries),
	    cmocka_unit_test(test_calendar_csv_shipped),
	    cmocka_unit_test(test_calendar_csv_errors),
	    cmocka_unit_test(test_calendar_csv_callback_error),
	    cmocka_unit_test(test_tier_rules_default),
	    cmocka_unit_test(test_tier_csv_shipped),
	    cmocka_unit_test(test_tier_csv_errors),
	    cmocka_unit_test(test_tier_csv_redispatch),
	};
	return cmocka_run_group_tests(tests, setup_calendar, teardown_calendar);
}
