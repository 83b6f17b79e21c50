/*
 * main.c — the command table.
 */
#include "cli.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} commands[] = {
	{"init", cmd_init, "create a database: init --db PATH [--demo]"},
	{"serve", cmd_serve, "run the HTTP API: serve --db PATH [--listen 127.0.0.1:8080]"},
	{"user", cmd_user, "accounts: user add --db PATH --login L --password P --unit CODE --role ROLE"},
	{"sweep", cmd_sweep, "run the deadline checks once: sweep --db PATH"},
	{"case", cmd_case, "cases: case create|list|show|act --db PATH --as LOGIN ..."},
	{"import", cmd_import, "reference data: import units|categories|tiers|holidays|boundaries --db PATH FILE"},
	{"rebuild", cmd_rebuild, "recompute cases from their events: rebuild --db PATH [--check]"},
	{"backup", cmd_backup, "an online copy while the server runs: backup --db PATH --out FILE"},
	{"restore", cmd_restore, "put a backup in place (server stopped): restore --from FILE --db PATH [--force]"},
	{"verify", cmd_verify, "tamper check: every event chain, case row and month's figures: verify --db PATH"},
	{"report", cmd_report, "assessment: report rates|people|cases --db PATH --as LOGIN --period YYYY-MM ..."},
	{"config", cmd_config, "assessment settings: config assessment --db PATH --pool POOL [--weights R,S,M] ..."},
	{"geo", cmd_geo, "place lookup: geo resolve --db PATH --lat Y --lon X --crs C | geo address --db PATH \"地址\" | geo builtin --db PATH"},
};

static void usage(FILE *f)
{
	fprintf(f, "jiesu — 接诉即办 12345 case system\n\nusage: jiesu COMMAND [OPTIONS]\n\ncommands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\nJIESU_NOW=2026-03-02T09:00:00+08:00 fixes the clock (tests); JIESU_LOG=debug|info|warn|error.\n");
}

int main(int argc, char **argv)
{
	/* past a file-size limit a write fails (EFBIG) and is reported; the signal would kill us */
	signal(SIGXFSZ, SIG_IGN);
	log_set_level_from_env();
	if (!auth_init()) {
		fprintf(stderr, "jiesu: libsodium failed to initialise\n");
		return 1;
	}
	const char *fixed = getenv("JIESU_NOW");
	int64_t t;
	if (fixed && *fixed && !time_parse_iso(fixed, &t)) {
		fprintf(stderr, "jiesu: JIESU_NOW=%s is not an ISO 8601 time with offset (2026-03-02T09:00:00+08:00)\n",
			fixed);
		return 2;
	}
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "jiesu: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return 2;
}
