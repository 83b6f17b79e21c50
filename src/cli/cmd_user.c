/*
 * cmd_user.c — jiesu user add.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

int cmd_user(int argc, char **argv)
{
	const char *db = NULL, *login = NULL, *password = NULL, *unit = NULL, *role = NULL, *name = NULL;
	const struct cli_opt opts[] = {
		{"--db", &db, NULL, "database file"},
		{"--login", &login, NULL, "login name: lower-case letters, digits, . _ -"},
		{"--password", &password, NULL, "password, 8–128 characters"},
		{"--unit", &unit, NULL, "unit code (12345, 110107, 110107001, ...)"},
		{"--role", &role, NULL, "agent|dispatcher|handler|head|supervisor|assessor|admin"},
		{"--name", &name, NULL, "display name (default: the login)"},
		{NULL, NULL, NULL, NULL},
	};
	const char *usage = "jiesu user add --db PATH --login L --password P --unit CODE --role ROLE [--name N]";
	const char *pos[CLI_MAX_POS];
	if (!cli_parse(argc, argv, opts, pos, 1, 1, usage))
		return 2;
	if (strcmp(pos[0], "add") != 0) {
		fprintf(stderr, "jiesu: unknown user command '%s'\nusage: %s\n", pos[0], usage);
		return 2;
	}
	struct store *st;
	if (!cli_open_store(db, &st))
		return 1;
	struct err e;
	struct user u;
	err_init(&e);
	int rc = 0;
	if (auth_user_add(st, login, password, name, unit, role, clock_now(), &u, &e) != OK)
		rc = cli_fail(&e);
	else
		printf("user %s (id %lld) added: %s at %s\n", u.login, (long long)u.id, role_name(u.role), u.unit);
	store_close(st);
	return rc;
}
