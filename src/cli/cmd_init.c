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

#define DEMO_PASSWORD "jiesu-demo"

/* Demo accounts. unit is a code, or "sector:KEY" for 石景山区's department/enterprise with that remit. */
static const struct demo_user {
	const char *login, *name, *unit, *role;
} demo_users[] = {
	{"agent", "受理员 王敏", CENTRE_CODE, "agent"},
	{"dispatcher", "派单员 李强", CENTRE_CODE, "dispatcher"},
	{"admin", "系统管理员", CENTRE_CODE, "admin"},
	{"centre.assessor", "市级考核员", CENTRE_CODE, "assessor"},
	{"sjs.supervisor", "石景山区督办员", "110107", "supervisor"},
	{"sjs.assessor", "石景山区考核员", "110107", "assessor"},
	{"sjs.head", "石景山区接诉即办负责人", "110107", "head"},
	{"babaoshan.handler", "八宝山街道承办人", "110107001", "handler"},
	{"babaoshan.head", "八宝山街道负责人", "110107001", "head"},
	{"laoshan.handler", "老山街道承办人", "110107002", "handler"},
	{"laoshan.head", "老山街道负责人", "110107002", "head"},
	{"bajiao.handler", "八角街道承办人", "110107003", "handler"},
	{"gucheng.handler", "古城街道承办人", "110107004", "handler"},
	{"pingguoyuan.handler", "苹果园街道承办人", "110107005", "handler"},
	{"jindingjie.handler", "金顶街街道承办人", "110107006", "handler"},
	{"jindingjie.head", "金顶街街道负责人", "110107006", "head"},
	{"guangning.handler", "广宁街道承办人", "110107009", "handler"},
	{"wulituo.handler", "五里坨街道承办人", "110107010", "handler"},
	{"lugu.handler", "鲁谷街道承办人", "110107011", "handler"},
	{"sjs.chengguan.handler", "区城管委承办人", "sector:chengguan", "handler"},
	{"sjs.zhujian.handler", "区住建委承办人", "sector:zhujian", "handler"},
	{"sjs.shichang.handler", "区市场监管局承办人", "sector:shichang", "handler"},
	{"sjs.water.handler", "自来水承办人", "sector:water", "handler"},
	{"sjs.heat.handler", "热力承办人", "sector:heat", "handler"},
};

static int add_demo_users(struct store *st, int64_t now, struct err *e)
{
	for (size_t i = 0; i < ARRAY_SIZE(demo_users); i++) {
		const struct demo_user *d = &demo_users[i];
		char unit[LIMIT_CODE + 1];
		if (str_has_prefix(d->unit, "sector:")) {
			struct unit u;
			if (store_unit_by_sector(st, "110107", d->unit + 7, &u, e) != OK)
				return e->code;
			strlcpy_ok(unit, u.code, sizeof(unit));
		} else {
			strlcpy_ok(unit, d->unit, sizeof(unit));
		}
		if (auth_user_add(st, d->login, DEMO_PASSWORD, d->name, unit, d->role, now, NULL, e) != OK)
			return e->code;
		cli_progress(NULL, "demo accounts", i + 1, ARRAY_SIZE(demo_users));
	}
	return OK;
}

/* Print the demo logins (also used by scripts/demo.sh through `jiesu init`). */
static void print_demo_logins(void)
{
	printf("demo logins (password: %s):\n", DEMO_PASSWORD);
	for (size_t i = 0; i < ARRAY_SIZE(demo_users); i++)
		printf("  %-22s %-10s %s\n", demo_users[i].login, demo_users[i].role, demo_users[i].name);
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
	if (!cli_open_store(db, &st))
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
	if (demo && add_demo_users(st, clock_now(), &e) != OK) {
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
