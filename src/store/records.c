/*
 * records.c — names of the record enums, as stored in the database and
 * shown in the API. One table per enum; parse is the inverse of name.
 */
#include "store.h"

#include <stdlib.h>
#include <string.h>

static int name_index(const char *const *names, int n, const char *s)
{
	if (!s)
		return -1;
	for (int i = 0; i < n; i++)
		if (!strcmp(names[i], s))
			return i;
	return -1;
}

#define NAMES(fn, parse, type, ...)                                                  \
	static const char *const fn##_names[] = {__VA_ARGS__};                      \
	const char *fn(type v)                                                       \
	{                                                                            \
		return (size_t)v < ARRAY_SIZE(fn##_names) ? fn##_names[v] : "?";     \
	}                                                                            \
	int parse(const char *s)                                                     \
	{                                                                            \
		return name_index(fn##_names, (int)ARRAY_SIZE(fn##_names), s);       \
	}

NAMES(unit_kind_name, unit_kind_parse, enum unit_kind, "centre", "district", "street", "community", "department",
      "enterprise")
NAMES(tier_name, tier_parse, enum tier, "emergency", "utilities", "general", "complex")
NAMES(role_name, role_parse, enum role, "agent", "dispatcher", "handler", "head", "supervisor", "assessor", "admin")
NAMES(case_status_name, case_status_parse, enum case_status, "received", "answered", "referred", "dispatched",
      "accepted", "in_progress", "returned", "replied", "parked", "closed", "merged")
NAMES(case_type_name, case_type_parse, enum case_type, "consultation", "help", "complaint", "report", "suggestion")
NAMES(scope_name, scope_parse, enum assess_scope, "all", "response_only", "excluded")
NAMES(satisfaction_name, satisfaction_parse, enum satisfaction, "none", "satisfied", "basic", "unsatisfied")

const char *task_kind_name(enum task_kind k)
{
	return k == TASK_WHISTLE ? "whistle" : "subdispatch";
}

NAMES(span_unit_name, span_unit_parse, enum span_unit, "hours", "calendar_days", "working_days")

const char *clock_name(enum clock_kind k)
{
	static const char *const names[] = {"dispatch", "sign", "contact", "feedback"};
	return (size_t)k < ARRAY_SIZE(names) ? names[k] : "?";
}

void event_rec_release(struct event_rec *ev)
{
	free(ev->payload);
	ev->payload = NULL;
}
