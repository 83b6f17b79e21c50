/*
 * cmd_gazetteer.c — jiesu geo: the address gazetteer from the command line.
 *   geo address --db PATH "地址"   resolve an address; exit 0 resolved, 3 the
 *                                   centre must decide (unknown, ambiguous)
 *   geo builtin --db PATH          (re)write the entries derived from the unit
 *                                   names (idempotent; keeps a city's own entries)
 * Entries from a CSV: jiesu import gazetteer --db PATH FILE.csv (cmd_import.c).
 */
#include "cli.h"
#include "../domain/geo.h"

#include <stdio.h>
#include <string.h>

#define EXIT_NEEDS_DECISION 3

/* Print one level: "街乡：八宝山街道（110107001）" or "街乡：—". */
static void print_level(struct store *st, const char *label, const char *code)
{
	struct unit u;
	struct err ignore;
	if (!*code)
		printf("%s：—\n", label);
	else if (store_unit_get(st, code, &u, &ignore) == OK)
		printf("%s：%s（%s）\n", label, u.name, code);
	else
		printf("%s：%s\n", label, code);
}

static int geo_address(int argc, char **argv)
{
	const char *db = NULL;
	const struct cli_opt opts[] = {{"--db", &db, NULL, "database file"}, {NULL, NULL, NULL, NULL}};
	const char *pos[CLI_MAX_POS];
	if (!cli_parse(argc, argv, opts, pos, 1, 1, "jiesu geo address --db PATH \"地址\""))
		return 2;
	struct store *st;
	if (!cli_open_store(db, &st))
		return 1;
	struct err e;
	struct gazetteer *g = NULL;
	struct place_resolution r;
	int ret;
	err_init(&e);
	if (gazetteer_load(st, &g, &e) != OK || gazetteer_resolve(g, pos[0], &r, &e) != OK) {
		ret = cli_fail(&e);
	} else {
		print_level(st, "区", r.district);
		print_level(st, "街乡", r.street);
		print_level(st, "社区", r.community);
		printf("方法：%s\n置信度：%.2f\n匹配：%s\n依据：%s\n需要人工确定：%s\n", r.method,
		       r.confidence, *r.matched ? r.matched : "—", r.evidence,
		       r.needs_decision ? "是" : "否");
		ret = r.needs_decision ? EXIT_NEEDS_DECISION : 0;
	}
	gazetteer_free(g);
	store_close(st);
	return ret;
}

static int geo_builtin(int argc, char **argv)
{
	const char *db = NULL;
	const struct cli_opt opts[] = {{"--db", &db, NULL, "database file"}, {NULL, NULL, NULL, NULL}};
	const char *pos[CLI_MAX_POS];
	if (!cli_parse(argc, argv, opts, pos, 0, 0, "jiesu geo builtin --db PATH"))
		return 2;
	struct store *st;
	if (!cli_open_store(db, &st))
		return 1;
	struct err e;
	size_t count = 0;
	int ret = 0;
	err_init(&e);
	if (gazetteer_build_builtin(st, &count, &e) != OK)
		ret = cli_fail(&e);
	else
		printf("gazetteer: %zu built-in entries from the unit names\n", count);
	store_close(st);
	return ret;
}

/* argv[0] = "geo", argv[1] = "address" or "builtin" (cmd_geo in cmd_geo.c hands over). */
int cmd_geo_gazetteer(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "address"))
		return geo_address(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "builtin"))
		return geo_builtin(argc - 1, argv + 1);
	fprintf(stderr, "usage: jiesu geo address --db PATH \"地址\" | jiesu geo builtin --db PATH\n");
	return 2;
}
