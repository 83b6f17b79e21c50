/*
 * cmd_import.c — jiesu import (reference data from CSV) and jiesu rebuild
 * (recompute every case from its events and compare).
 */
#include "cli.h"
#include "../domain/geo.h"

#include <stdio.h>
#include <string.h>

#define IMPORT_MAX_FILE (64 * 1024 * 1024)

int cmd_import(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "boundaries"))
		return cmd_import_boundaries(argc, argv);
	const char *db = NULL;
	const struct cli_opt opts[] = {{"--db", &db, NULL, "database file"}, {NULL, NULL, NULL, NULL}};
	const char *usage = "jiesu import units|categories|tiers|holidays|gazetteer --db PATH FILE.csv";
	const char *pos[CLI_MAX_POS];
	if (!cli_parse(argc, argv, opts, pos, 2, 2, usage))
		return 2;
	const char *what = pos[0], *file = pos[1];
	if (strcmp(what, "units") && strcmp(what, "categories") && strcmp(what, "tiers") && strcmp(what, "holidays") &&
	    strcmp(what, "gazetteer")) {
		fprintf(stderr, "jiesu: cannot import '%s'\nusage: %s\n", what, usage);
		return 2;
	}
	struct err e;
	err_init(&e);
	char *data;
	size_t len, count = 0;
	if (file_read_all(file, IMPORT_MAX_FILE, &data, &len, &e) != OK)
		return cli_fail(&e);
	struct store *st;
	if (!cli_open_store(db, &st)) {
		free(data);
		return 1;
	}
	enum err_code rc;
	if (!strcmp(what, "units"))
		rc = catalog_import_units(st, data, len, cli_progress, NULL, &count, &e);
	else if (!strcmp(what, "categories"))
		rc = catalog_import_categories(st, data, len, &count, &e);
	else if (!strcmp(what, "tiers"))
		rc = catalog_import_tiers(st, data, len, &count, &e);
	else if (!strcmp(what, "gazetteer"))
		rc = gazetteer_import(st, data, len, &count, &e);
	else
		rc = catalog_import_holidays(st, data, len, &count, &e);
	int ret = 0;
	if (rc != OK)
		ret = cli_fail(&e);
	else
		printf("imported %zu %s from %s\n", count, what, file);
	free(data);
	store_close(st);
	return ret;
}

struct rebuild_run {
	struct store *st;
	bool check;
	long cases, differ;
	struct err *e;
};

static int rebuild_case(void *ctx, int64_t id)
{
	struct rebuild_run *r = ctx;
	struct case_rec stored, rebuilt;
	enum err_code rc;
	if ((rc = store_case_get(r->st, id, &stored, r->e)) != OK ||
	    (rc = case_rebuild(r->st, id, &rebuilt, NULL, NULL, r->e)) != OK)
		return rc;
	r->cases++;
	const char *field = case_diff(&stored, &rebuilt);
	if (!field)
		return 0;
	r->differ++;
	printf("case %lld: stored row differs from its events at %s\n", (long long)id, field);
	if (!r->check)
		return store_case_update(r->st, NULL, &rebuilt, r->e);
	return 0;
}

int cmd_rebuild(int argc, char **argv)
{
	const char *db = NULL, *readers_s = NULL;
	bool check = false;
	const struct cli_opt opts[] = {
		{"--db", &db, NULL, "database file"},
		{"--check", NULL, &check, "only compare; exit 1 if any case differs"},
		{"--readers", &readers_s, NULL, CLI_READERS_HELP},
		{NULL, NULL, NULL, NULL},
	};
	const char *pos[CLI_MAX_POS];
	int readers;
	if (!cli_parse(argc, argv, opts, pos, 0, 0, "jiesu rebuild --db PATH [--check] [--readers N]") ||
	    !cli_readers(readers_s, &readers))
		return 2;
	struct store *st;
	if (!cli_open_store(db, &st))
		return 1;
	cli_walk(st, STORE_AHEAD_CASES | STORE_AHEAD_EVENTS, readers);
	struct err e;
	err_init(&e);
	struct rebuild_run r = {st, check, 0, 0, &e};
	int ret = 0;
	enum err_code rc;
	if (check) {
		/* one snapshot, and no write lock: the server and other checks go on beside it */
		store_read_begin(st);
		rc = store_case_ids(st, rebuild_case, &r, &e);
		store_read_end(st);
	} else if ((rc = store_begin(st, &e)) == OK &&
		   (rc = store_case_ids(st, rebuild_case, &r, &e)) == OK) {
		rc = store_commit(st, &e);
	}
	if (rc != OK) {
		if (!check)
			store_rollback(st);
		ret = cli_fail(&e);
	} else {
		printf("rebuild: %ld cases, %ld differ%s\n", r.cases, r.differ,
		       r.differ && !check ? " (rewritten from their events)" : "");
		if (check && r.differ)
			ret = 1;
	}
	store_close(st);
	return ret;
}
