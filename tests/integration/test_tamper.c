/*
 * test_tamper — tamper evidence (issue 7 part 3): the events of each case
 * are hash-chained, and `jiesu verify` finds every edit made behind
 * jiesu's back: an event's content or reason changed, an event removed, a
 * case row or a stored fact altered. Each edit is made with the sqlite3
 * tool on a copy of one database that verify first finds clean.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "harness.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void post(struct harness *h, const char *tok, const char *path, const char *body)
{
	long st;
	http(h, "POST", path, tok, body, &st);
	EXPECT_TRUE(st == 200 || st == 201, h->last_body);
}

/* Cases with some history: case 1 replied, the others dispatched. */
static void make_history(struct harness *h)
{
	assert_true(h_start(h, H_NOW, NULL));
	const char *agent = login(h, "agent", H_PASSWORD), *disp = login(h, "dispatcher", H_PASSWORD),
		   *handler = login(h, "babaoshan.handler", H_PASSWORD);
	for (int i = 1; i <= 4; i++) {
		post(h, agent, "/api/v1/cases", h_complaint);
		post(h, disp, hpath(h, "/api/v1/cases/%d/actions/dispatch", i), "{}");
	}
	post(h, handler, "/api/v1/cases/1/actions/sign", NULL);
	post(h, handler, "/api/v1/cases/1/actions/contact", "{\"reached\":true,\"method\":\"phone\"}");
	post(h, handler, "/api/v1/cases/1/actions/reply", "{\"result\":\"已约谈施工单位，夜间停止施工。\",\"solved\":true}");
	assert_int_equal(h_stop(h), 0);
}

/* A copy of h->db with sql applied to it (NULL: none); its path in out. */
static void tampered_copy(struct harness *h, const char *name, const char *sql, char *out, size_t n)
{
	int code;
	if ((size_t)snprintf(out, n, "%s.%s", h->db, name) >= n)
		fail_msg("path too long");
	char vacuum[4400];
	if (strlen(out) > 4300)
		fail_msg("path too long");
	snprintf(vacuum, sizeof(vacuum), "VACUUM INTO '%s';", out);
	free(h_sqlite3(h->db, vacuum, &code));
	assert_int_equal(code, 0);
	if (sql) {
		free(h_sqlite3(out, sql, &code));
		EXPECT_TRUE(code == 0, sql);
	}
}

/* jiesu verify on db: its exit code; its stdout in *out. */
static int verify(struct harness *h, const char *db, char **out)
{
	return h_run(h, NULL, out, NULL, "verify", "--db", db, (char *)NULL);
}

static void expect_found(struct harness *h, const char *name, const char *sql, const char *finding)
{
	char db[4300], *out = NULL;
	tampered_copy(h, name, sql, db, sizeof(db));
	int rc = verify(h, db, &out);
	EXPECT_TRUE(rc == 1, out);
	EXPECT_TRUE(out && strstr(out, finding) != NULL, out);
	EXPECT_TRUE(out && strstr(out, "FOUND PROBLEMS") != NULL, out);
}

static void test_verify_finds_tampering(void **state)
{
	struct harness *h = *state;
	make_history(h);
	char db[4300], *out = NULL;

	/* untouched: every chain and figure is as jiesu wrote it */
	tampered_copy(h, "clean", NULL, db, sizeof(db));
	EXPECT_TRUE(verify(h, db, &out) == 0, out);
	EXPECT_TRUE(strstr(out, "verify: 4 cases") != NULL, out);
	EXPECT_TRUE(strstr(out, "0 broken chains, 0 rows differ, 0 logs cannot be replayed") != NULL, out);
	EXPECT_TRUE(strstr(out, "0 mismatches") != NULL, out);
	EXPECT_TRUE(strstr(out, "who sees each case in lists: 0 rows missing, 0 rows too many") != NULL, out);
	EXPECT_TRUE(strstr(out, "cases in final states, cases seen and led by day): 0 differ") != NULL, out);
	EXPECT_TRUE(strstr(out, "open tasks by unit (the whistled tab): 0 rows missing, 0 rows too many") != NULL, out);
	EXPECT_TRUE(strstr(out, "verify: ok") != NULL, out);

	/* each edit behind jiesu's back, on a copy of its own, and what verify names */
	static const struct {
		const char *name, *sql, *finding;
	} edits[] = {
	    /* an event's content rewritten */
	    {"payload", "UPDATE events SET payload = replace(payload, '噪音扰民', '一切正常') WHERE case_id = 1 AND seq = 1;",
	     "case 1: event 1 does not match its chain"},
	    /* only the reason of a later event */
	    {"reason", "UPDATE events SET reason = '改过的理由' WHERE case_id = 1 AND seq = 3;",
	     "case 1: event 3 does not match its chain"},
	    /* the time of an event moved, and its stored hash blanked */
	    {"time", "UPDATE events SET at = at - 3600, hash = NULL WHERE case_id = 3 AND seq = 2;",
	     "case 3: event 2 does not match its chain"},
	    /* an event removed from the middle: the next one no longer chains, and the log has a gap */
	    {"removed", "DELETE FROM events WHERE case_id = 1 AND seq = 2;", "case 1: event 3 does not match its chain"},
	    {"removed2", "DELETE FROM events WHERE case_id = 1 AND seq = 2;", "case 1: its events cannot be replayed"},
	    /* a case row changed without an event */
	    {"row", "UPDATE cases SET status = 'closed' WHERE id = 2;",
	     "case 2: the stored row differs from its events at status"},
	    /* a stored fact (what the rankings count) moved to another unit */
	    {"fact", "UPDATE facts SET unit = '110107002' WHERE rowid = (SELECT min(rowid) FROM facts);", "mismatches"},
	    /* who sees a case in lists: a district given sight, a street's taken away */
	    {"sight-added", "INSERT INTO case_scope (unit, case_id) VALUES ('110108', 1);",
	     "case 1: unit 110108 sees it in lists, but none of its links is below that unit"},
	    {"sight-removed", "DELETE FROM case_scope WHERE case_id = 1 AND unit = '110107';",
	     "case 1: unit 110107 does not see it in lists"},
	    /* the kept counts of closed cases that lists show, raised */
	    {"lead-count", "INSERT INTO lead_counts (unit, status, n) VALUES ('110107001', 'closed', 5);",
	     "unit 110107001, closed: 5 cases it leads kept, 0 counted"},
	    {"sight-count", "INSERT INTO scope_counts (unit, status, n) VALUES ('110107', 'closed', 3);",
	     "unit 110107, closed: 3 cases it sees kept, 0 counted"},
	    /* the cases a unit sees on a day, which a search within dates sums */
	    {"day-count", "INSERT INTO scope_days (unit, day, n) VALUES ('110108', 20000, 2);",
	     "unit 110108, 2024-10-04: 2 cases it sees kept, 0 counted"},
	    /* the cases a unit leads on a day, which a list by unit within dates sums */
	    {"led-day-count", "INSERT INTO lead_days (unit, day, n) VALUES ('110107001', 20000, 3);",
	     "unit 110107001, 2024-10-04: 3 cases it leads kept, 0 counted"},
	    /* a unit's whistled tab: a case put in it that it has no task on */
	    {"open-task", "INSERT INTO open_tasks (unit, case_id) VALUES ('110107002', 1);",
	     "case 1: unit 110107002 has it in its whistled tab, but has no open task on it"},
	};
	for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++)
		expect_found(h, edits[i].name, edits[i].sql, edits[i].finding);
	/* bad arguments are refused with a clear message */
	EXPECT_TRUE(h_run(h, NULL, NULL, NULL, "verify", "--db", db, "--period", "2026-13", (char *)NULL) == 2,
		    "--period 2026-13");
	EXPECT_TRUE(h_run(h, NULL, NULL, NULL, "verify", "--db", db, "--pool", "community", (char *)NULL) == 2,
		    "--pool community");
	/* a path that does not exist is not a new, empty database found in order */
	char missing[4400], *err = NULL;
	snprintf(missing, sizeof(missing), "%s.missing", h->db);
	static const char *const commands[] = {"verify", "rebuild", "serve"};
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		EXPECT_TRUE(h_run(h, NULL, NULL, &err, commands[i], "--db", missing, (char *)NULL) == 1, commands[i]);
		EXPECT_TRUE(err && strstr(err, "jiesu init --db") != NULL, err);
		EXPECT_TRUE(access(missing, F_OK) != 0, missing);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_verify_finds_tampering, h_setup, h_teardown),
	};
	int failed = cmocka_run_group_tests_name("integration: tamper", tests, h_group_setup, h_group_teardown);
	printf("%lu checks\n", h_checks());
	return failed ? 1 : 0;
}
