/*
 * test_gen — the workload generator (bench/gen.c, issue 6) at a small
 * size: 2,000 cases of a year written through the domain, then checked by
 * the product's own tools.
 *
 *   - the database it writes is consistent: `jiesu rebuild --check` finds
 *     no row that differs from its events, and `jiesu report rates
 *     --recompute` no mismatch between stored facts and the event log, for
 *     two months and two pools;
 *   - the same seed gives the same database: two runs print the same
 *     counts and the same digest of every event. When ../shared/data (the
 *     test-only 311 and teddycup2020 files, JIESU_DATA to change) is there,
 *     the second run goes without it, which also checks that the shapes
 *     built into gen.c are the ones the files give; without it that part
 *     says "skip:" and both runs use the built-in shapes;
 *   - the year looks like one: every status is reached, and the handling
 *     beyond the straight path (whistles, disputes, extensions, overdue
 *     marks, callbacks, reopens, merges) happens, with rates in the range
 *     the generator aims at (docs/PERFORMANCE.md, gen section).
 *
 * bench/gen is found beside the jiesu binary (JIESU_BIN's directory +
 * /bench/gen); `make check` builds it. Under make valgrind the jiesu
 * commands run under valgrind (harness.h); the generator does not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "harness.h"

#include <limits.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define CASES "2000"
#define SEED "7"

struct fx {
	char dir[64];
	char jiesu[PATH_MAX], gen[PATH_MAX];
	char *out_a, *out_b; /* stdout of the two generator runs */
	bool have_data;
};

static struct fx fx;

/* Read a pipe to its end and close it; *out (if not NULL) gets what it wrote (malloc'd). Returns the exit
 * status or -1. */
static int finish(FILE *p, char **out)
{
	size_t len = 0, cap = 1 << 16;
	char *buf = malloc(cap);
	size_t n;
	while (buf && (n = fread(buf + len, 1, cap - len - 1, p)) > 0) {
		len += n;
		if (cap - len < 4096)
			buf = realloc(buf, cap *= 2);
	}
	int st = pclose(p);
	if (!buf)
		return -1;
	buf[len] = '\0';
	if (out)
		*out = buf;
	else
		free(buf);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Run cmd through the shell; *out (if not NULL) gets stdout (malloc'd). Returns the exit status or -1. */
static int run(const char *cmd, char **out)
{
	FILE *p = popen(cmd, "r");
	return p ? finish(p, out) : -1;
}

/* The number after "gen: KEY=" (KEY may be "action whistle", "reached closed", ...); -1 if absent. */
static double val(const char *out, const char *key)
{
	char pat[128];
	snprintf(pat, sizeof(pat), "gen: %s=", key);
	const char *p = strstr(out, pat);
	if (!p) {
		/* keys inside a line of several: " key=" */
		snprintf(pat, sizeof(pat), " %s=", key);
		p = strstr(out, pat);
	}
	return p ? atof(p + strlen(pat)) : -1;
}

/* The digest line's value (64 hex digits), or "" if absent. */
static void digest(const char *out, char hex[65])
{
	const char *p = strstr(out, "gen: digest=");
	hex[0] = '\0';
	if (p)
		snprintf(hex, 65, "%.64s", p + strlen("gen: digest="));
}

static int group_setup(void **state)
{
	const char *bin = getenv("JIESU_BIN");
	if (!bin || !*bin)
		bin = "build/jiesu";
	if (!realpath(bin, fx.jiesu)) {
		fprintf(stderr, "test_gen: no jiesu binary at %s (set JIESU_BIN)\n", bin);
		return -1;
	}
	snprintf(fx.gen, sizeof(fx.gen), "%.*s/bench/gen", (int)(strrchr(fx.jiesu, '/') - fx.jiesu),
		 fx.jiesu);
	if (access(fx.gen, X_OK) != 0) {
		fprintf(stderr, "test_gen: no generator at %s (make check builds it)\n", fx.gen);
		return -1;
	}
	const char *tmp = getenv("TMPDIR");
	snprintf(fx.dir, sizeof(fx.dir), "%s/jiesu-gen-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(fx.dir))
		return -1;
	const char *data = getenv("JIESU_DATA");
	if (!data || !*data)
		data = "../shared/data";
	char probe[PATH_MAX];
	snprintf(probe, sizeof(probe), "%s/us/sf311_2008-2018_sample_10000rows.csv", data);
	fx.have_data = access(probe, R_OK) == 0;
	if (!fx.have_data)
		printf("skip: %s absent (test-only data): both runs use the shapes built into gen.c\n", data);
	/* the two runs at once (two cores): one with the data, one without (or both without) */
	char cmd_a[3 * PATH_MAX], cmd_b[3 * PATH_MAX];
	snprintf(cmd_a, sizeof(cmd_a),
		 "'%s' --db '%s/a.db' --cases " CASES " --seed " SEED " --data '%s' --digest --quiet", fx.gen,
		 fx.dir, data);
	snprintf(cmd_b, sizeof(cmd_b),
		 "'%s' --db '%s/b.db' --cases " CASES " --seed " SEED " --data '%s' --digest --quiet", fx.gen,
		 fx.dir, fx.have_data ? "/nonexistent-data-dir" : data);
	FILE *pa = popen(cmd_a, "r"), *pb = popen(cmd_b, "r");
	int ra = pa ? finish(pa, &fx.out_a) : -1, rb = pb ? finish(pb, &fx.out_b) : -1;
	if (ra != 0 || rb != 0) {
		fprintf(stderr, "test_gen: %s\n%s\n%s\n%s\n", cmd_a, fx.out_a ? fx.out_a : "", cmd_b,
			fx.out_b ? fx.out_b : "");
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	char cmd[256];
	free(fx.out_a);
	free(fx.out_b);
	if (fx.dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx.dir);
		run(cmd, NULL);
	}
	return 0;
}

/* The generator refuses to write over an existing file. */
static void test_refuses_existing_db(void **state)
{
	char cmd[3 * PATH_MAX];
	snprintf(cmd, sizeof(cmd), "'%s' --db '%s/a.db' --cases 10 --quiet 2>/dev/null", fx.gen, fx.dir);
	assert_int_equal(run(cmd, NULL), 1);
}

/*
 * A run stopped at its worst moments — its state written but the commit not
 * made, and the commit made but its state not yet renamed — resumes each
 * time from the state that matches the database, and ends with the very
 * database an unbroken run makes (same digest), though its batches differ.
 */
static void test_resume_after_kill(void **state)
{
	char cmd[4 * PATH_MAX], *out = NULL, a[65], c[65];
	const char *data = fx.have_data ? getenv("JIESU_DATA") : NULL;
	if (!data || !*data)
		data = "../shared/data";
	snprintf(cmd, sizeof(cmd),
		 "'%s' --db '%s/c.db' --cases " CASES " --seed " SEED " --batch 300 --data '%s' --quiet "
		 "--stop-before-commit 700",
		 fx.gen, fx.dir, data);
	assert_int_equal(run(cmd, NULL), 3);
	snprintf(cmd, sizeof(cmd), "'%s' --db '%s/c.db' --resume --data '%s' --quiet --stop-after-commit 1400",
		 fx.gen, fx.dir, data);
	assert_int_equal(run(cmd, NULL), 3);
	/* the size comes from the state: giving it again is refused */
	snprintf(cmd, sizeof(cmd), "'%s' --db '%s/c.db' --resume --cases 10 2>/dev/null", fx.gen, fx.dir);
	assert_int_equal(run(cmd, NULL), 2);
	snprintf(cmd, sizeof(cmd), "'%s' --db '%s/c.db' --resume --data '%s' --digest --quiet", fx.gen, fx.dir,
		 data);
	assert_int_equal(run(cmd, &out), 0);
	digest(fx.out_a, a);
	digest(out, c);
	assert_int_equal(strlen(c), 64);
	assert_string_equal(a, c);
	assert_true(val(out, "resumes") == 2);
	assert_true(val(out, "cases") == val(fx.out_a, "cases"));
	assert_true(val(out, "events") == val(fx.out_a, "events"));
	free(out);
	/* finished: no state is left, so there is nothing to resume */
	snprintf(cmd, sizeof(cmd), "'%s' --db '%s/c.db' --resume --quiet 2>/dev/null", fx.gen, fx.dir);
	assert_int_equal(run(cmd, NULL), 1);
}

static void test_same_seed_same_database(void **state)
{
	char a[65], b[65];
	digest(fx.out_a, a);
	digest(fx.out_b, b);
	assert_int_equal(strlen(a), 64);
	assert_string_equal(a, b);
	assert_true(val(fx.out_a, "cases") == 2000);
	assert_true(val(fx.out_a, "events") == val(fx.out_b, "events"));
	assert_true(val(fx.out_a, "events") > 2000 * 3);
	if (!fx.have_data)
		printf(
		    "skip: the shapes from ../shared/data were not compared with those built into gen.c\n");
}

/* Run the command fmt formats; it must exit with want_rc and print want (shown with the output if not). */
static void expect_run(int want_rc, const char *want, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void expect_run(int want_rc, const char *want, const char *fmt, ...)
{
	char cmd[3 * PATH_MAX + 16384], *out = NULL;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	int rc = run(cmd, &out);
	if (rc != want_rc || !strstr(out, want))
		fprintf(stderr, "%s\n%s\n", cmd, out);
	assert_int_equal(rc, want_rc);
	assert_non_null(strstr(out, want));
	free(out);
}

/*
 * jiesu rebuild --check: every stored row equals the fold of its events,
 * with readers ahead of the walk (the default, 4; and 16) and without.
 */
static void test_rebuild_check(void **state)
{
	static const char *const readers[] = {"", " --readers 0", " --readers 16"};
	for (size_t i = 0; i < sizeof(readers) / sizeof(readers[0]); i++)
		expect_run(0, "rebuild: 2000 cases, 0 differ", "%s'%s' rebuild --db '%s/a.db' --check%s",
			   h_valgrind_shell(), fx.jiesu, fx.dir, readers[i]);
	/* a wrong count is refused, naming the option */
	expect_run(2, "--readers must be an integer from 0 to 64",
		   "'%s' rebuild --db '%s/a.db' --check --readers 65 2>&1", fx.jiesu, fx.dir);
}

/* jiesu report rates --recompute: stored facts and figures equal the event log's, two months, two pools. */
static void test_rates_recompute(void **state)
{
	static const char *const periods[] = {"2025-06", "2025-11"};
	static const char *const pools[] = {"street", "department"};
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 2; j++)
			expect_run(0, "recompute: 2000 cases, 0 mismatches",
				   "%s'%s' report rates --db '%s/a.db' --period %s --pool %s --recompute",
				   h_valgrind_shell(), fx.jiesu, fx.dir, periods[i], pools[j]);
}

/*
 * The checks only read: they run while another connection holds the write
 * lock (a server taking cases, a rebuild), neither waiting for it nor
 * failing with "database is locked" after the busy timeout.
 */
static void test_checks_beside_a_writer(void **state)
{
	char path[PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s/a.db", fx.dir);
	sqlite3 *w = NULL;
	assert_int_equal(sqlite3_open(path, &w), SQLITE_OK);
	assert_int_equal(sqlite3_exec(w, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	expect_run(0, "rebuild: 2000 cases, 0 differ", "timeout 8 '%s' rebuild --check --db '%s' 2>&1",
		   fx.jiesu, path);
	expect_run(0, "recompute: 2000 cases, 0 mismatches",
		   "timeout 8 '%s' report rates --period 2025-06 --pool street --recompute --db '%s' 2>&1",
		   fx.jiesu, path);
	assert_int_equal(sqlite3_exec(w, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(w);
}

/* Every status is reached by some case, and every kind of handling happens. */
static void test_every_path_taken(void **state)
{
	static const char *const statuses[] = {"received", "answered",	  "referred", "dispatched",
					       "accepted", "in_progress", "returned", "replied",
					       "parked",   "closed",	  "merged"};
	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		char key[64];
		snprintf(key, sizeof(key), "reached %s", statuses[i]);
		if (val(fx.out_a, key) <= 0)
			fprintf(stderr, "no case reached %s\n", statuses[i]);
		assert_true(val(fx.out_a, key) > 0);
	}
	static const char *const actions[] = {"answer",	     "refer",
					      "dispatch",    "sign",
					      "contact",     "reply",
					      "whistle",     "report",
					      "finish",	     "rate",
					      "return",	     "decide_return",
					      "extend",	     "decide_extension",
					      "supervise",   "answer_supervision",
					      "subdispatch", "park",
					      "callback",    "reopen",
					      "locate",	     "reveal",
					      "merge",	     "link_repeat",
					      "redirect"};
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		char key[64];
		snprintf(key, sizeof(key), "action %s", actions[i]);
		if (val(fx.out_a, key) <= 0)
			fprintf(stderr, "no %s\n", actions[i]);
		assert_true(val(fx.out_a, key) > 0);
	}
	/* the sweep marks deadlines passed; the fold yields an overdue fact for each */
	assert_true(val(fx.out_a, "sweep_events") > 0);
	assert_true(val(fx.out_a, "overdue") > 0);
	/* every path is taken by the rules, not forced: nothing the generator tried was refused, but for
	   callbacks on merged cases whose case was not replied yet (retried later) */
	assert_true(val(fx.out_a, "auto_dispatched") > 0);
	assert_true(val(fx.out_a, "located_by_hand") > 0);
	assert_true(val(fx.out_a, "with_location") > 0);
}

/* Shares in the range the generator aims at (PERFORMANCE.md): wide enough for 2,000 cases. */
static void test_shares_in_range(void **state)
{
	double cases = val(fx.out_a, "cases");
	double answered = val(fx.out_a, "action answer") / cases;
	assert_true(answered > 0.45 && answered < 0.62); /* 58.5% consultations, 90% of them answered */
	double dispatched = val(fx.out_a, "dispatches") / cases;
	assert_true(dispatched > 0.35 && dispatched < 0.55);
	assert_true(val(fx.out_a, "valid_callbacks") > 0.3 * cases);
	double resolution = val(fx.out_a, "resolution"), satisfaction = val(fx.out_a, "satisfaction");
	double response = val(fx.out_a, "response");
	assert_true(resolution > 0.90 && resolution < 0.99);
	assert_true(satisfaction > 0.92 && satisfaction < 0.995);
	assert_true(response > 0.97);
	double sign = val(fx.out_a, "sign_ontime"), reply = val(fx.out_a, "reply_ontime");
	assert_true(sign > 0.9 && sign < 1.0); /* most on time, some late */
	assert_true(reply > 0.9 && reply < 1.0);
	assert_true(val(fx.out_a, "open_at_year_end") > 0 || val(fx.out_a, "status in_progress") > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_refuses_existing_db), cmocka_unit_test(test_same_seed_same_database),
	    cmocka_unit_test(test_rebuild_check),	cmocka_unit_test(test_rates_recompute),
	    cmocka_unit_test(test_checks_beside_a_writer),
	    cmocka_unit_test(test_every_path_taken),	cmocka_unit_test(test_shares_in_range),
	    cmocka_unit_test(test_resume_after_kill),
	};
	return cmocka_run_group_tests_name("gen", tests, group_setup, group_teardown);
}
