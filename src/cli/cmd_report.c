/*
 * cmd_report.c — jiesu report rates|people|cases and jiesu config
 * assessment: the monthly assessment from a terminal.
 *
 * Reports go through api_handle() as the user named by --as, like
 * cmd_case.c, so a terminal user sees exactly what the same user sees over
 * HTTP (their remit, the same files). Two things are local operations on
 * the database file instead: --recompute (the check that the stored facts
 * and figures match the event log) and the configuration of a pool.
 */
#include "cli.h"
#include "../domain/assess.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Run one report request as login; write the file or the JSON to out (stdout if NULL). */
static int run_report(const char *db, const char *login, const char *path, const struct cli_kv *query,
		      const char *out)
{
	return cli_api_call(db, login, "the user whose remit the report covers", "GET", path, NULL, query, out);
}

static void print_mismatch(void *ctx, const char *what)
{
	printf("mismatch: %s\n", what);
}

/*
 * jiesu report rates --recompute: fold every case's events again and
 * compare with the stored facts and the store's counts for the period.
 */
static int recompute(const char *db, const char *period, const char *pool_s, int readers)
{
	struct store *st;
	struct err e;
	int64_t cases = 0;
	int mismatches = 0;
	enum unit_kind pool;
	err_init(&e);
	if (!period) {
		fprintf(stderr, "jiesu: --period YYYY-MM is required\n");
		return 2;
	}
	if (assess_pool_parse(pool_s ? pool_s : "street", &pool, &e) != OK) {
		cli_fail(&e);
		return 2;
	}
	if (!cli_open_store(db, &st))
		return 1;
	/* the fold reads each case's events and facts */
	cli_walk(st, STORE_AHEAD_EVENTS | STORE_AHEAD_FACTS, readers);
	store_read_begin(st); /* one state of the database throughout, without a write lock */
	enum err_code r = assess_recompute(st, period, pool, &mismatches, &cases, print_mismatch, NULL, &e);
	store_read_end(st);
	int rc;
	if (r != OK) {
		rc = cli_fail(&e);
	} else {
		printf("recompute: %lld cases, %d mismatches\n", (long long)cases, mismatches);
		rc = mismatches ? 1 : 0;
	}
	store_close(st);
	return rc;
}

int cmd_report(int argc, char **argv)
{
	const char *db = NULL, *as = NULL, *period = NULL, *pool = NULL, *parent = NULL, *unit = NULL,
		   *format = NULL, *out = NULL, *readers_s = NULL;
	bool recheck = false;
	const struct cli_opt opts[] = {
	    {"--db", &db, NULL, "database file"},
	    {"--as", &as, NULL, "login of the user whose remit the report covers"},
	    {"--period", &period, NULL, "assessment period YYYY-MM"},
	    {"--pool", &pool, NULL,
	     "rates: street|department|enterprise|district (people, cases: whose period)"},
	    {"--parent", &parent, NULL, "rates: only units below this unit"},
	    {"--unit", &unit, NULL, "people, cases: only this unit's subtree"},
	    {"--format", &format, NULL, "json|csv|xlsx (cases: csv|xlsx)"},
	    {"--out", &out, NULL, "write to this file instead of standard output"},
	    {"--recompute", NULL, &recheck, "rates: recompute the period from the event log and compare"},
	    {"--readers", &readers_s, NULL, "--recompute: " CLI_READERS_HELP},
	    {NULL, NULL, NULL, NULL},
	};
	const char *usage =
	    "jiesu report rates|people|cases --db PATH --as LOGIN --period YYYY-MM [--pool P] "
	    "[--parent CODE|--unit CODE] [--format json|csv|xlsx] [--out FILE] | "
	    "report rates --recompute --db PATH --period YYYY-MM --pool P [--readers N]";
	const char *pos[CLI_MAX_POS];
	if (!cli_parse(argc, argv, opts, pos, 1, 1, usage))
		return 2;
	const char *what = pos[0];
	if (strcmp(what, "rates") && strcmp(what, "people") && strcmp(what, "cases")) {
		fprintf(stderr, "jiesu: usage: %s\n", usage);
		return 2;
	}
	if (recheck) {
		if (strcmp(what, "rates") != 0) {
			fprintf(stderr, "jiesu: --recompute goes with report rates\n");
			return 2;
		}
		int readers;
		if (!cli_readers(readers_s, &readers))
			return 2;
		return recompute(db, period, pool, readers);
	}
	if (format && !strcmp(format, "xlsx") && !out && isatty(1)) {
		fprintf(stderr, "jiesu: an Excel file is binary: give --out FILE\n");
		return 2;
	}
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/reports/%s", what);
	struct cli_kv q[] = {{"period", period}, {"pool", pool},	 {"parent", parent},
			 {"unit", unit},     {"format", format}, {NULL, NULL}};
	return run_report(db, as, path, q, out);
}

/* Parse a number option strictly; false after printing which option is wrong. */
static bool parse_double(const char *opt, const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || *end || errno || !isfinite(v)) {
		fprintf(stderr, "jiesu: %s %s is not a number\n", opt, s);
		return false;
	}
	*out = v;
	return true;
}

/* "0.1,0.5,0.4" → response, resolution, satisfaction. */
static bool parse_weights(const char *s, struct assess_config *c)
{
	double w[3];
	char buf[128], *save = NULL, *tok;
	int n = 0;
	if (!strlcpy_ok(buf, s, sizeof(buf))) {
		fprintf(stderr, "jiesu: --weights is too long\n");
		return false;
	}
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (n == 3 || !parse_double("--weights", tok, &w[n]))
			break;
		n++;
	}
	if (n != 3 || tok) {
		fprintf(stderr, "jiesu: --weights needs three numbers: response,resolution,satisfaction "
				"(e.g. 0.1,0.5,0.4)\n");
		return false;
	}
	c->w_response = w[0];
	c->w_resolution = w[1];
	c->w_satisfaction = w[2];
	return true;
}

static void print_config(const struct assess_config *c)
{
	printf("pool %s: weights %.6g/%.6g/%.6g (response/resolution/satisfaction), basic %.6g, period from "
	       "day %d, "
	       "min callbacks %d, whistle weight %.6g\n",
	       unit_kind_name(c->pool), c->w_response, c->w_resolution, c->w_satisfaction,
	       c->basic_coefficient, c->period_start_day, c->min_callbacks, c->whistle_weight);
}

/*
 * jiesu config assessment: show a pool's configuration, or change the
 * values given (the others keep theirs) after assess_config_check.
 */
int cmd_config(int argc, char **argv)
{
	const char *db = NULL, *pool_s = NULL, *weights = NULL, *basic = NULL, *start = NULL, *min = NULL,
		   *whistle = NULL;
	const struct cli_opt opts[] = {
	    {"--db", &db, NULL, "database file"},
	    {"--pool", &pool_s, NULL, "street|department|enterprise|district"},
	    {"--weights", &weights, NULL,
	     "response,resolution,satisfaction weights summing to 1 (0.1,0.5,0.4)"},
	    {"--basic", &basic, NULL, "coefficient of 基本满意 (0.9)"},
	    {"--start-day", &start, NULL, "first day of the period, 1–28 (1 = calendar month)"},
	    {"--min", &min, NULL, "fewest valid callbacks to be ranked"},
	    {"--whistle-weight", &whistle, NULL,
	     "departments/enterprises: share of the whistle score (0.3333)"},
	    {NULL, NULL, NULL, NULL},
	};
	const char *usage =
	    "jiesu config assessment --db PATH --pool P [--weights R,S,M] [--basic K] [--start-day D] "
	    "[--min N] [--whistle-weight W]";
	const char *pos[CLI_MAX_POS];
	if (!cli_parse(argc, argv, opts, pos, 1, 1, usage))
		return 2;
	if (strcmp(pos[0], "assessment") != 0) {
		fprintf(stderr, "jiesu: usage: %s\n", usage);
		return 2;
	}
	if (!pool_s) {
		fprintf(stderr, "jiesu: --pool is required (street, department, enterprise or district)\n");
		return 2;
	}
	struct store *st;
	struct assess_config c;
	struct err e;
	err_init(&e);
	int pool = unit_kind_parse(pool_s);
	if (!cli_open_store(db, &st))
		return 1;
	int rc = 0;
	if (assess_config_load(st, pool < 0 ? UNIT_CENTRE : (enum unit_kind)pool, &c, &e) != OK) {
		rc = cli_fail(&e);
		goto out;
	}
	if (!weights && !basic && !start && !min && !whistle) {
		print_config(&c);
		goto out;
	}
	if ((weights && !parse_weights(weights, &c)) ||
	    (basic && !parse_double("--basic", basic, &c.basic_coefficient)) ||
	    (start && !cli_int("--start-day", start, -1000000, 1000000, &c.period_start_day)) ||
	    (min && !cli_int("--min", min, -1000000, 1000000, &c.min_callbacks)) ||
	    (whistle && !parse_double("--whistle-weight", whistle, &c.whistle_weight))) {
		rc = 2;
		goto out;
	}
	if (assess_config_check(&c, &e) != OK || store_assess_config_put(st, &c, &e) != OK) {
		rc = cli_fail(&e);
		goto out;
	}
	printf("saved ");
	print_config(&c);
out:
	store_close(st);
	return rc;
}
