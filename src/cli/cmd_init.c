/*
 * cmd_init.c — jiesu init: a new database, optionally with the Beijing demo
 * (real units, departments, categories, calendars) and demo accounts for
 * every role at 石景山区 and its streets.
 */
#include "cli.h"
#include "../domain/geo.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Print the demo logins (also used by scripts/demo.sh through `jiesu init`). */
static void print_demo_logins(void)
{
	printf("demo logins (password: %s):\n", CATALOG_DEMO_PASSWORD);
	for (size_t i = 0; i < catalog_demo_users_count; i++)
		printf("  %-22s %-10s %s\n", catalog_demo_users[i].login, catalog_demo_users[i].role,
		       catalog_demo_users[i].name);
}

int cmd_init(int argc, char **argv)
{
	const char *db = NULL;
	bool demo = false, force = false, logins = false;
	const struct cli_opt opts[] = {
		{"--db", &db, NULL, "database file to create"},
		{"--demo", NULL, &demo, "load Beijing's units and demo accounts"},
		{"--force", NULL, &force, "replace an existing file"},
		{"--logins", NULL, &logins, "only print the demo logins"},
		{NULL, NULL, NULL, NULL},
	};
	const char *pos[CLI_MAX_POS];
	if (!cli_parse(argc, argv, opts, pos, 0, 0, "jiesu init --db PATH [--demo] [--force]"))
		return 2;
	if (logins) {
		print_demo_logins();
		return 0;
	}
	if (!db) {
		fprintf(stderr, "jiesu: --db PATH is required\n");
		return 2;
	}
	if (access(db, F_OK) == 0) {
		if (!force) {
			fprintf(stderr, "jiesu: %s already exists (use --force to replace it)\n", db);
			return 1;
		}
		char side[4096];
		unlink(db);
		snprintf(side, sizeof(side), "%s-wal", db);
		unlink(side);
		snprintf(side, sizeof(side), "%s-shm", db);
		unlink(side);
	}
	struct store *st;
	struct err e;
	err_init(&e);
	if (!cli_create_store(db, &st))
		return 1;
	int rc = 0;
	if (catalog_load_builtin(st, demo, cli_progress, NULL, &e) != OK) {
		rc = cli_fail(&e);
		goto out;
	}
	size_t names = 0;
	if (demo && (gazetteer_build_builtin(st, &names, &e) != OK || geo_load_demo_boundaries(st, &e) != OK)) {
		rc = cli_fail(&e);
		goto out;
	}
	if (demo)
		cli_progress(NULL, "place names", names, names);
	if (demo && catalog_add_demo_users(st, clock_now(), cli_progress, NULL, &e) != OK) {
		rc = cli_fail(&e);
		goto out;
	}
	printf("created %s with %lld units\n", db, (long long)store_units_count(st));
	if (demo)
		print_demo_logins();
out:
	store_close(st);
	return rc;
}
