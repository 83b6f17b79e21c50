/*
 * fuzz_calendar.c — the holiday calendar loader (calendar_parse_csv: the
 * files in data/calendar/ and `jiesu import holidays`), then the deadline
 * arithmetic over what it accepted (deadline_add), without a database. An
 * input is a calendar CSV. Checked: every accepted entry reads back as it
 * was given, and N working days from a start end on a working day after
 * it, at the same time of day (or 0, the walk's safety bound).
 */
#include "harness.h"
#include "domain/deadline.h"

#include <stdlib.h>

static int add_entry(void *ctx, const struct holiday *h)
{
	calendar_add(ctx, h);
	return OK;
}

static int check_entry(void *ctx, const struct holiday *h)
{
	if (calendar_is_workday(ctx, h->day) != h->work)
		abort();
	return OK;
}

/* The spans the tiers use, from start, each checked as the header says. */
static void check_deadlines(const struct calendar *cal, int64_t start)
{
	static const int amounts[] = {1, 2, 7, 15, 60};
	for (size_t i = 0; i < ARRAY_SIZE(amounts); i++) {
		int64_t due = deadline_add(cal, start, amounts[i], SPAN_WORKING_DAYS);
		if (due == 0)
			continue;
		if (due <= start || !calendar_is_workday(cal, time_local_day(due)) ||
		    (due - start) % 86400 != 0)
			abort();
		if (deadline_add(cal, start, amounts[i], SPAN_HOURS) != start + (int64_t)amounts[i] * 3600 ||
		    deadline_add(cal, start, amounts[i], SPAN_CALENDAR_DAYS) !=
			start + (int64_t)amounts[i] * 86400)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct calendar *cal = calendar_new();
	struct err e;
	int first, last;
	err_init(&e);
	if (calendar_parse_csv((const char *)data, size, add_entry, cal, &e) != OK) {
		if (e.code == OK)
			abort(); /* a refusal always says why */
	} else if (calendar_years(cal, &first, &last)) {
		if (first > last || calendar_parse_csv((const char *)data, size, check_entry, cal, &e) != OK)
			abort();
		/* from 09:00 on the first listed day, and the evening before */
		int64_t day = days_from_civil(first, 1, 1);
		check_deadlines(cal, day * 86400 - LOCAL_UTC_OFFSET + 9 * 3600);
		check_deadlines(cal, day * 86400 - LOCAL_UTC_OFFSET - 3 * 3600);
	}
	calendar_free(cal);
	return 0;
}
