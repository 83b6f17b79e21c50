/*
 * deadline.c — the official working-day calendar, deadline arithmetic,
 * clock states, and the parsers for the calendar and tier-rule CSV files.
 *
 * The calendar is a sorted array of entries keyed by local day (days since
 * 1970-01-01, UTC+8). A year holds about 35 entries, so a binary search over
 * a flat array is both the simplest and the fastest structure here.
 */
#include "deadline.h"

#include <stdlib.h>
#include <string.h>

/* Hard limits for untrusted input and for the working-day walk. */
#define WORKING_DAYS_MAX 3650  /* longest working-day span deadline_add counts */
#define CALENDAR_ROWS_MAX 5000 /* rows in one calendar file (~70 years) */
#define HOLIDAY_NAME_MAX 32    /* characters; struct holiday.name holds TEXT_BYTES(32) */
#define MINUTES_MAX 525600     /* one year, for dispatch/sign/contact */
#define FEEDBACK_HOURS_MAX 8760
#define FEEDBACK_DAYS_MAX 3650

struct calendar {
	struct holiday *v; /* sorted by day, no duplicates */
	size_t n, alloc;
};

struct calendar *calendar_new(void)
{
	return xcalloc(1, sizeof(struct calendar));
}

void calendar_free(struct calendar *cal)
{
	if (!cal)
		return;
	free(cal->v);
	free(cal);
}

/*
 * Binary search for day. Returns true and sets *pos to its index if
 * present; otherwise false and *pos is where it would be inserted.
 */
static bool calendar_find(const struct calendar *cal, int64_t day, size_t *pos)
{
	size_t lo = 0, hi = cal->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cal->v[mid].day < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	*pos = lo;
	return lo < cal->n && cal->v[lo].day == day;
}

/* Insert h in day order, or overwrite the entry already on that day. */
void calendar_add(struct calendar *cal, const struct holiday *h)
{
	size_t pos;
	if (calendar_find(cal, h->day, &pos)) {
		cal->v[pos] = *h;
		return;
	}
	if (cal->n == cal->alloc) {
		cal->alloc = cal->alloc ? cal->alloc * 2 : 64;
		cal->v = xrealloc(cal->v, cal->alloc * sizeof(*cal->v));
	}
	memmove(cal->v + pos + 1, cal->v + pos, (cal->n - pos) * sizeof(*cal->v));
	cal->v[pos] = *h;
	cal->n++;
}

static int calendar_add_cb(void *ctx, const struct holiday *h)
{
	calendar_add(ctx, h);
	return OK;
}

/* Build a new calendar from every stored entry; *out is the caller's to free. */
enum err_code calendar_load(struct store *st, struct calendar **out, struct err *e)
{
	struct calendar *cal = calendar_new();
	enum err_code rc = store_holidays_list(st, calendar_add_cb, cal, e);
	if (rc != OK) {
		calendar_free(cal);
		*out = NULL;
		return rc;
	}
	*out = cal;
	return OK;
}

/* Day of week of a local day number: 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
static int weekday(int64_t day)
{
	int64_t w = (day + 4) % 7;
	return (int)(w < 0 ? w + 7 : w);
}

static bool is_weekend(int64_t day)
{
	int w = weekday(day);
	return w == 0 || w == 6;
}

/* A listed entry decides; otherwise Monday–Friday work and weekends rest. */
bool calendar_is_workday(const struct calendar *cal, int64_t day)
{
	size_t pos;
	if (cal && calendar_find(cal, day, &pos))
		return cal->v[pos].work;
	return !is_weekend(day);
}

bool calendar_years(const struct calendar *cal, int *first, int *last)
{
	if (!cal || cal->n == 0)
		return false;
	int m, d;
	civil_from_days(cal->v[0].day, first, &m, &d);
	civil_from_days(cal->v[cal->n - 1].day, last, &m, &d);
	return true;
}

/*
 * Working days: walk forward from the start's local date and stop on the
 * Nth working day; the result keeps the start's local time of day. Every
 * day outside the calendar's finite list follows the weekday rule, so the
 * walk always ends; the scan bound is only a belt against a corrupt
 * calendar that lists years of days off (then 0 = no deadline).
 * Negative amounts count as 0; spans above WORKING_DAYS_MAX are clamped.
 */
int64_t deadline_add(const struct calendar *cal, int64_t start, int amount, enum span_unit unit)
{
	if (amount <= 0)
		return start;
	switch (unit) {
	case SPAN_HOURS:
		return start + (int64_t)amount * 3600;
	case SPAN_CALENDAR_DAYS:
		/* Local time has no DST, so a day is always 86400 seconds. */
		return start + (int64_t)amount * 86400;
	case SPAN_WORKING_DAYS:
		break;
	default:
		return 0;
	}
	if (amount > WORKING_DAYS_MAX)
		amount = WORKING_DAYS_MAX;
	int64_t day = time_local_day(start);
	int64_t time_of_day = start + LOCAL_UTC_OFFSET - day * 86400;
	int64_t limit = day + (int64_t)amount * 7 + (cal ? (int64_t)cal->n : 0) + 7;
	int counted = 0;
	while (counted < amount) {
		if (++day > limit)
			return 0;
		if (calendar_is_workday(cal, day))
			counted++;
	}
	return day * 86400 - LOCAL_UTC_OFFSET + time_of_day;
}

/* warn_at falls at warn_percent of the span (rounded down); no due → no warning. */
void clock_begin(struct case_clock *c, int64_t start, int64_t due, int warn_percent)
{
	c->start = start;
	c->due = due;
	c->warn_at = 0;
	if (due > start && warn_percent > 0) {
		if (warn_percent > 100)
			warn_percent = 100;
		c->warn_at = start + (due - start) * warn_percent / 100;
	}
	c->done_at = 0;
	c->warned = false;
	c->overdue = false;
}

enum clock_state clock_state_at(const struct case_clock *c, int64_t now)
{
	if (c->start == 0)
		return CLOCK_IDLE;
	if (c->done_at)
		return c->due > 0 && c->done_at > c->due ? CLOCK_MET_LATE : CLOCK_MET;
	if (c->due > 0 && now > c->due)
		return CLOCK_OVERDUE;
	if (c->warn_at > 0 && now >= c->warn_at)
		return CLOCK_WARNING;
	return CLOCK_RUNNING;
}

const char *clock_state_name(enum clock_state s)
{
	static const char *const names[] = {"idle", "running", "warning", "overdue", "met", "met_late"};
	return (size_t)s < ARRAY_SIZE(names) ? names[s] : "?";
}

/* ---------------------------------------------------------------- CSV */


/*
 * A callback's non-zero return stops the parse. It is an err_code; if the
 * callback did not fill e, name the line with the code's default message.
 */
static int callback_failed(int rc, size_t lineno, struct err *e)
{
	if (e && e->code == OK)
		err_set(e, rc, NULL, "第 %zu 行：%s", lineno, err_default_message(rc));
	return rc;
}

static const char *const weekday_names[] = {"日", "一", "二", "三", "四", "五", "六"};

/* One day seen in the calendar file and the line it came from. */
struct seen_day {
	int64_t day;
	size_t line;
};

struct cal_parse {
	holiday_fn fn;
	void *ctx;
	bool header_seen;
	struct seen_day *seen; /* sorted by day, for duplicate checks */
	size_t nseen, alloc;
};

/*
 * Record day as seen on line. Returns 0 if new, else the line where it was
 * first seen.
 */
static size_t seen_add(struct cal_parse *p, int64_t day, size_t line)
{
	size_t lo = 0, hi = p->nseen;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (p->seen[mid].day < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < p->nseen && p->seen[lo].day == day)
		return p->seen[lo].line;
	if (p->nseen == p->alloc) {
		p->alloc = p->alloc ? p->alloc * 2 : 128;
		p->seen = xrealloc(p->seen, p->alloc * sizeof(*p->seen));
	}
	memmove(p->seen + lo + 1, p->seen + lo, (p->nseen - lo) * sizeof(*p->seen));
	p->seen[lo] = (struct seen_day){day, line};
	p->nseen++;
	return 0;
}

/* Check one calendar row (or the header) and hand it on. */
static int calendar_row(void *ctx, size_t lineno, int nfields, char **fields, struct err *e)
{
	static const char *const header[] = {"date", "kind", "name"};
	struct cal_parse *p = ctx;

	if (!p->header_seen) {
		if (!csv_header_is(nfields, fields, header, 3))
			return err_set(e, E_INVALID, "header", "第 %zu 行：表头应为 date,kind,name", lineno);
		p->header_seen = true;
		return OK;
	}
	if (p->nseen >= CALENDAR_ROWS_MAX)
		return err_set(e, E_TOO_LARGE, NULL, "第 %zu 行：日历最多 %d 行", lineno, CALENDAR_ROWS_MAX);
	if (nfields != 3)
		return err_set(e, E_INVALID, NULL, "第 %zu 行：应有 3 列，实际 %d 列", lineno, nfields);

	struct holiday h = {0};
	if (!date_parse(fields[0], &h.day))
		return err_set(e, E_INVALID, "date", "第 %zu 行：日期 %.40s 不合法", lineno, fields[0]);
	if (!strcmp(fields[1], "off"))
		h.work = false;
	else if (!strcmp(fields[1], "work"))
		h.work = true;
	else
		return err_set(e, E_INVALID, "kind", "第 %zu 行：类型 %.40s 不合法，应为 off 或 work", lineno,
			       fields[1]);
	if (h.work && !is_weekend(h.day))
		return err_set(e, E_INVALID, "kind",
			       "第 %zu 行：%s 是星期%s，本来就是工作日，不能标为调休上班（work）", lineno,
			       fields[0], weekday_names[weekday(h.day)]);
	if (utf8_len(fields[2]) > HOLIDAY_NAME_MAX || !strlcpy_ok(h.name, fields[2], sizeof(h.name)))
		return err_set(e, E_INVALID, "name", "第 %zu 行：名称超过 %d 个字", lineno, HOLIDAY_NAME_MAX);
	size_t first = seen_add(p, h.day, lineno);
	if (first)
		return err_set(e, E_INVALID, "date", "第 %zu 行：日期 %s 与第 %zu 行重复", lineno, fields[0],
			       first);

	int rc = p->fn ? p->fn(p->ctx, &h) : OK;
	return rc ? callback_failed(rc, lineno, e) : OK;
}

/*
 * The whole file is checked row by row; rows before a failing one have
 * already been handed to fn, so callers that store rows should do so in a
 * transaction. fn may be NULL (validate only).
 */
enum err_code calendar_parse_csv(const char *data, size_t len, holiday_fn fn, void *ctx, struct err *e)
{
	struct cal_parse p = {.fn = fn, .ctx = ctx};
	enum err_code rc = csv_parse(data, len, calendar_row, &p, e);
	if (rc == OK && !p.header_seen)
		rc = err_set(e, E_INVALID, "header", "文件为空：第 1 行应为表头 date,kind,name");
	free(p.seen);
	return rc;
}

void tier_rules_default(struct tier_rule out[TIER_COUNT])
{
	static const struct tier_rule defaults[TIER_COUNT] = {
	    {TIER_EMERGENCY, 60, 30, 60, 2, SPAN_HOURS, 75, false},
	    {TIER_UTILITIES, 120, 60, 120, 24, SPAN_HOURS, 75, false},
	    {TIER_GENERAL, 1440, 120, 1440, 7, SPAN_WORKING_DAYS, 75, false},
	    {TIER_COMPLEX, 1440, 120, 1440, 15, SPAN_WORKING_DAYS, 75, false},
	};
	memcpy(out, defaults, sizeof(defaults));
}

/*
 * Parse a whole number in [lo, hi] written as plain digits; a leading '-'
 * is read so that the message can say "negative". Returns 0 if ok, -1 if
 * not a number, -2 if negative, -3 if out of range.
 */
static int parse_int(const char *s, long lo, long hi, int *out)
{
	bool neg = *s == '-', big = false;
	const char *p = s + neg;
	long v = 0;
	if (!*p)
		return -1;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		if (v > hi)
			big = true; /* stop growing, but still check the remaining characters */
		else
			v = v * 10 + (*p - '0');
	}
	if (neg && v > 0)
		return -2;
	if (big || v < lo || v > hi)
		return -3;
	*out = (int)v;
	return 0;
}

struct tier_parse {
	tier_rule_fn fn;
	void *ctx;
	bool header_seen;
	int columns; /* 7, or 8 with the redispatch column */
	size_t tier_line[TIER_COUNT]; /* line where each tier appeared, 0 = not yet */
};

/* Check one number column of a tier row; fills e on failure. */
static int tier_number(size_t lineno, const char *col, const char *label, const char *s, long lo, long hi,
		       int *out, struct err *e)
{
	int r = parse_int(s, lo, hi, out);
	if (r == -1)
		return err_set(e, E_INVALID, col, "第 %zu 行：%s %.20s 不是整数", lineno, label, s);
	if (r == -2)
		return err_set(e, E_INVALID, col, "第 %zu 行：%s %.20s 不能为负数", lineno, label, s);
	if (r == -3)
		return err_set(e, E_INVALID, col, "第 %zu 行：%s %.20s 超出范围，应为 %ld 到 %ld", lineno,
			       label, s, lo, hi);
	return OK;
}

/* Check one tier-rule row (or the header) and hand it on. */
static int tier_row(void *ctx, size_t lineno, int nfields, char **fields, struct err *e)
{
	static const char *const header[] = {
	    "tier",	     "dispatch_minutes", "sign_minutes", "contact_minutes", "feedback_amount",
	    "feedback_unit", "warn_percent",	 "redispatch"};
	struct tier_parse *p = ctx;
	int rc;

	/* the last column (redispatch) is optional: files of the first format stay valid */
	if (!p->header_seen) {
		if (!csv_header_is(nfields, fields, header, 7) && !csv_header_is(nfields, fields, header, 8))
			return err_set(
			    e, E_INVALID, "header",
			    "第 %zu 行：表头应为 tier,dispatch_minutes,sign_minutes,contact_minutes,"
			    "feedback_amount,feedback_unit,warn_percent[,redispatch]",
			    lineno);
		p->header_seen = true;
		p->columns = nfields;
		return OK;
	}
	if (nfields != p->columns)
		return err_set(e, E_INVALID, NULL, "第 %zu 行：应有 %d 列，实际 %d 列", lineno, p->columns, nfields);

	struct tier_rule r = {0};
	int t = tier_parse(fields[0]);
	if (t < 0)
		return err_set(e, E_INVALID, "tier",
			       "第 %zu 行：等级 %.40s 不存在，应为 emergency、utilities、general 或 complex",
			       lineno, fields[0]);
	if (p->tier_line[t])
		return err_set(e, E_INVALID, "tier", "第 %zu 行：等级 %s 与第 %zu 行重复", lineno, fields[0],
			       p->tier_line[t]);
	r.tier = (enum tier)t;
	if ((rc = tier_number(lineno, "dispatch_minutes", "派单时限（分钟）", fields[1], 1, MINUTES_MAX,
			      &r.dispatch_minutes, e)) ||
	    (rc = tier_number(lineno, "sign_minutes", "签收时限（分钟）", fields[2], 1, MINUTES_MAX,
			      &r.sign_minutes, e)) ||
	    (rc = tier_number(lineno, "contact_minutes", "联系时限（分钟）", fields[3], 1, MINUTES_MAX,
			      &r.contact_minutes, e)))
		return rc;
	int u = span_unit_parse(fields[5]);
	if (u < 0)
		return err_set(
		    e, E_INVALID, "feedback_unit",
		    "第 %zu 行：反馈时限单位 %.40s 不合法，应为 hours、calendar_days 或 working_days", lineno,
		    fields[5]);
	r.feedback_unit = (enum span_unit)u;
	long fb_max = r.feedback_unit == SPAN_HOURS ? FEEDBACK_HOURS_MAX : FEEDBACK_DAYS_MAX;
	if ((rc = tier_number(lineno, "feedback_amount", "反馈时限", fields[4], 1, fb_max, &r.feedback_amount,
			      e)) ||
	    (rc = tier_number(lineno, "warn_percent", "预警比例（%）", fields[6], 1, 99, &r.warn_percent, e)))
		return rc;
	if (nfields == 8) {
		if (strcmp(fields[7], "restart") && strcmp(fields[7], "keep"))
			return err_set(e, E_INVALID, "redispatch",
				       "第 %zu 行：改派后的办结时限 %.20s 不合法，应为 restart（重新计时）或 keep（沿用原时限）",
				       lineno, fields[7]);
		r.redispatch_keeps_due = !strcmp(fields[7], "keep");
	}
	p->tier_line[t] = lineno;

	rc = p->fn ? p->fn(p->ctx, &r) : OK;
	return rc ? callback_failed(rc, lineno, e) : OK;
}

/* Same contract as calendar_parse_csv: rows before a failure reach fn; fn may be NULL. */
enum err_code tier_rules_parse_csv(const char *data, size_t len, tier_rule_fn fn, void *ctx, struct err *e)
{
	struct tier_parse p = {.fn = fn, .ctx = ctx};
	enum err_code rc = csv_parse(data, len, tier_row, &p, e);
	if (rc == OK && !p.header_seen)
		rc = err_set(e, E_INVALID, "header",
			     "文件为空：第 1 行应为表头 tier,dispatch_minutes,sign_minutes,contact_minutes,"
			     "feedback_amount,feedback_unit,warn_percent");
	return rc;
}
