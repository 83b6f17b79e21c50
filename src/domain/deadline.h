/*
 * deadline — the official working-day calendar and deadline arithmetic
 * (DOMAIN.md §5). Pure functions over a calendar loaded from the store;
 * nothing here reads the clock or the database.
 *
 * Working days: Monday–Friday unless the calendar lists the day as off;
 * Saturday/Sunday only when the calendar lists it as a working day (调休).
 * A deadline of N working days from a start time is the same local time of
 * day on the Nth working day after the start's local date. Calendar days
 * and hours are plain additions. Local time is UTC+8 (core.h).
 */
#ifndef JIESU_DEADLINE_H
#define JIESU_DEADLINE_H

#include "../store/store.h"

struct calendar;

struct calendar *calendar_new(void);
void calendar_free(struct calendar *cal);
/* Add or replace one entry (by day). */
void calendar_add(struct calendar *cal, const struct holiday *h);
/* Load every entry from the store into a new calendar. */
enum err_code calendar_load(struct store *st, struct calendar **out, struct err *e);
bool calendar_is_workday(const struct calendar *cal, int64_t day);
/* Lowest and highest year with at least one entry; false if empty. */
bool calendar_years(const struct calendar *cal, int *first, int *last);

/*
 * Parse a holiday calendar CSV (header "date,kind,name"; kind off|work) and
 * hand each checked row to fn (may be NULL: validate only). Refuses: a bad
 * header, a bad date, an unknown kind, a "work" entry on a weekday, a
 * duplicate date. An "off" entry on a weekend is accepted (weekends inside
 * a holiday are listed). Errors name the line; field is "header", "date",
 * "kind" or "name".
 */
enum err_code calendar_parse_csv(const char *data, size_t len, holiday_fn fn, void *ctx, struct err *e);

/* start + amount in unit; working days follow cal (may be NULL: weekends only). */
int64_t deadline_add(const struct calendar *cal, int64_t start, int amount, enum span_unit unit);

/*
 * Start a clock: sets start, due and warn_at (start + warn_percent% of the
 * span), clears done/warned/overdue.
 */
void clock_begin(struct case_clock *c, int64_t start, int64_t due, int warn_percent);

enum clock_state { CLOCK_IDLE, CLOCK_RUNNING, CLOCK_WARNING, CLOCK_OVERDUE, CLOCK_MET, CLOCK_MET_LATE };
/*
 * State of a clock at now: met (in time or late) once done_at is set. The
 * due time itself is the last moment on time: overdue is strictly after it.
 */
enum clock_state clock_state_at(const struct case_clock *c, int64_t now);
const char *clock_state_name(enum clock_state s);

/* The built-in rules (DOMAIN.md §5 tiers) used when a city configures none. */
void tier_rules_default(struct tier_rule out[TIER_COUNT]);
/*
 * Parse a tier rules CSV:
 * tier,dispatch_minutes,sign_minutes,contact_minutes,feedback_amount,feedback_unit,warn_percent
 * Each row is checked (known tier, positive numbers, warn 1–99) and handed to fn.
 */
typedef int (*tier_rule_fn)(void *ctx, const struct tier_rule *r);
enum err_code tier_rules_parse_csv(const char *data, size_t len, tier_rule_fn fn, void *ctx, struct err *e);

#endif
