/*
 * cmd_case.c — jiesu case create|list|show|act: the case API from a
 * terminal. Each command builds the same request the HTTP API receives and
 * runs it through api_handle() as the user named by --as (the command line
 * trusts its local operator, who has the database file anyway), so every
 * check and every event is the same as over HTTP.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

/* Run one case API request as login and print the JSON reply; returns the exit code. */
static int run(const char *db, const char *login, const char *method, const char *path, const char *body,
	       const struct cli_kv *query)
{
	return cli_api_call(db, login, "the user to act as", method, path, body, query, NULL);
}

/* The body from --json TEXT or --file PATH (- for stdin is not supported: pass a file). */
static bool load_body(const char *json, const char *file, char **out)
{
	struct err e;
	size_t len;
	err_init(&e);
	*out = NULL;
	if (json && file) {
		fprintf(stderr, "jiesu: give either --json or --file, not both\n");
		return false;
	}
	if (json) {
		*out = xstrdup(json);
		return true;
	}
	if (file) {
		if (file_read_all(file, API_MAX_BODY + 1, out, &len, &e) != OK) {
			cli_fail(&e);
			return false;
		}
	}
	return true;
}

int cmd_case(int argc, char **argv)
{
	const char *db = NULL, *as = NULL, *json = NULL, *file = NULL, *status = NULL, *unit = NULL,
		   *overdue = NULL, *page = NULL, *per_page = NULL, *from = NULL, *to = NULL, *callback_due = NULL;
	const struct cli_opt opts[] = {
		{"--db", &db, NULL, "database file"},
		{"--as", &as, NULL, "login of the user acting"},
		{"--json", &json, NULL, "request body (create, act)"},
		{"--file", &file, NULL, "file holding the request body"},
		{"--status", &status, NULL, "list: filter by status"},
		{"--unit", &unit, NULL, "list: lead unit within this unit"},
		{"--overdue", &overdue, NULL, "list: true|false"},
		{"--callback-due", &callback_due, NULL, "list: true = only cases waiting for a callback"},
		{"--from", &from, NULL, "list: created on or after (date or time)"},
		{"--to", &to, NULL, "list: created before"},
		{"--page", &page, NULL, "list: page number"},
		{"--per-page", &per_page, NULL, "list: rows per page (1–100)"},
		{NULL, NULL, NULL, NULL},
	};
	const char *usage = "jiesu case create|list|show ID|act ID ACTION --db PATH --as LOGIN [--json BODY]";
	const char *pos[CLI_MAX_POS];
	if (!cli_parse(argc, argv, opts, pos, 1, 3, usage))
		return 2;
	char path[128], *body = NULL;
	int rc;
	if (!strcmp(pos[0], "create") && !pos[1]) {
		if (!load_body(json, file, &body))
			return 2;
		rc = run(db, as, "POST", "/api/v1/cases", body, NULL);
	} else if (!strcmp(pos[0], "list") && !pos[1]) {
		struct cli_kv q[] = {{"status", status}, {"unit", unit},	   {"overdue", overdue}, {"from", from},
				 {"to", to},	     {"page", page},	   {"per_page", per_page},
				 {"callback_due", callback_due}, {NULL, NULL}};
		rc = run(db, as, "GET", "/api/v1/cases", NULL, q);
	} else if (!strcmp(pos[0], "show") && pos[1] && !pos[2]) {
		snprintf(path, sizeof(path), "/api/v1/cases/%.40s", pos[1]);
		rc = run(db, as, "GET", path, NULL, NULL);
	} else if (!strcmp(pos[0], "act") && pos[1] && pos[2]) {
		if (!load_body(json, file, &body))
			return 2;
		snprintf(path, sizeof(path), "/api/v1/cases/%.40s/actions/%.40s", pos[1], pos[2]);
		rc = run(db, as, "POST", path, body, NULL);
	} else {
		fprintf(stderr, "jiesu: usage: %s\n", usage);
		return 2;
	}
	free(body);
	return rc;
}
