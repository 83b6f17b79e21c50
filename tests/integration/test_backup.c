/*
 * test_backup — an online backup taken while cases keep arriving
 * (issue 7 part 7): `jiesu backup` copies one snapshot of the database
 * under load; `jiesu restore` puts it in place after checking it; the
 * restored database holds every case acknowledged before the backup
 * began, passes `jiesu verify`, and a server on it takes new cases.
 * Refusals: an existing backup file, an existing database without
 * --force, a file that is not a jiesu database — and nothing is replaced.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "harness.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* How many lines of file are "201": the creations acknowledged so far. */
static long acks(const char *file)
{
	FILE *f = fopen(file, "r");
	char line[16];
	long n = 0;
	while (f && fgets(line, sizeof(line), f))
		n += !strcmp(line, "201\n");
	if (f)
		fclose(f);
	return n;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* A loader: curl in a loop, one creation after another, each answer's status on a line of acks_file. */
static pid_t start_loader(struct harness *h, const char *tok, const char *body_file, const char *acks_file)
{
	pid_t pid = fork();
	if (pid == 0) {
		char script[8192];
		snprintf(script, sizeof(script),
			 "while :; do curl -s -o /dev/null -w '%%{http_code}\\n' -H 'Authorization: Bearer %s' "
			 "-H 'Content-Type: application/json' --data-binary @'%s' '%s/api/v1/cases' >> '%s' || exit 0; "
			 "done",
			 tok, body_file, h->base, acks_file);
		execlp("sh", "sh", "-c", script, (char *)NULL);
		_exit(127);
	}
	return pid;
}

static void test_backup_under_load_and_restore(void **state)
{
	struct harness *h = *state;
	char body_file[4300], acks_file[4300], bak[4300], restored[4300], junk[4300], *out = NULL, *err = NULL;
	snprintf(body_file, sizeof(body_file), "%s.body", h->db);
	snprintf(acks_file, sizeof(acks_file), "%s.acks", h->db);
	snprintf(bak, sizeof(bak), "%s.bak", h->db);
	snprintf(restored, sizeof(restored), "%s.restored", h->db);
	snprintf(junk, sizeof(junk), "%s.junk", h->db);
	FILE *f = fopen(body_file, "w");
	assert_non_null(f);
	fputs(h_complaint, f);
	fclose(f);
	assert_true(h_start(h, H_NOW, NULL));
	const char *agent = login(h, "agent", H_PASSWORD);

	/* two loaders keep creating cases; the backup starts once some are acknowledged */
	pid_t l1 = start_loader(h, agent, body_file, acks_file);
	pid_t l2 = start_loader(h, agent, body_file, acks_file);
	for (int i = 0; i < 300 * h_slow() && acks(acks_file) < 40; i++)
		sleep_ms(50);
	long before = acks(acks_file);
	EXPECT_TRUE(before >= 40, "the loaders did not get going");
	int rc = h_run(h, NULL, &out, &err, "backup", "--db", h->db, "--out", bak, (char *)NULL);
	EXPECT_TRUE(rc == 0, err);
	EXPECT_TRUE(strstr(out, "integrity ok") != NULL, out);
	sleep_ms(300L * h_slow());
	long during = acks(acks_file);
	/* a second backup to the same file is refused, and the first is left alone */
	rc = h_run(h, NULL, &out, &err, "backup", "--db", h->db, "--out", bak, (char *)NULL);
	EXPECT_TRUE(rc == 1 && strstr(err, "out") != NULL, err);
	kill(l1, SIGTERM);
	kill(l2, SIGTERM);
	waitpid(l1, NULL, 0);
	waitpid(l2, NULL, 0);
	long total = acks(acks_file);
	EXPECT_TRUE(total > during && during > before, "the creations went on while the backup ran");
	assert_int_equal(h_stop(h), 0);

	/* restore: checked, then in place */
	rc = h_run(h, NULL, &out, &err, "restore", "--from", bak, "--db", restored, (char *)NULL);
	EXPECT_TRUE(rc == 0, err);
	EXPECT_TRUE(strstr(out, "integrity ok") != NULL, out);
	rc = h_run(h, NULL, &out, &err, "verify", "--db", restored, (char *)NULL);
	EXPECT_TRUE(rc == 0, out);
	long long cases = -1;
	const char *p = strstr(out, "verify: ");
	if (p)
		cases = atoll(p + strlen("verify: "));
	EXPECT_TRUE(cases >= before, out); /* every case acknowledged before the backup began */
	EXPECT_TRUE(cases <= total, out);

	/* refusals change nothing */
	rc = h_run(h, NULL, &out, &err, "restore", "--from", bak, "--db", restored, (char *)NULL);
	EXPECT_TRUE(rc == 1 && strstr(err, "--force") != NULL, err);
	f = fopen(junk, "w");
	assert_non_null(f);
	fputs("not a database, just text\n", f);
	fclose(f);
	rc = h_run(h, NULL, &out, &err, "restore", "--from", junk, "--db", restored, "--force", (char *)NULL);
	EXPECT_TRUE(rc == 1 && strstr(err, "not a usable jiesu database") != NULL, err);
	rc = h_run(h, NULL, &out, &err, "verify", "--db", restored, (char *)NULL);
	EXPECT_TRUE(rc == 0, out);
	EXPECT_TRUE(h_run(h, NULL, NULL, &err, "backup", "--db", h->db, (char *)NULL) == 2, err);
	EXPECT_TRUE(h_run(h, NULL, NULL, &err, "restore", "--db", restored, (char *)NULL) == 2, err);

	/* a server on the restored database carries on from where the copy was taken */
	if (strlen(restored) >= sizeof(h->db))
		fail_msg("path too long");
	memcpy(h->db, restored, strlen(restored) + 1);
	assert_true(h_start(h, H_NOW, NULL));
	long st;
	json_t *c = http(h, "POST", "/api/v1/cases", login(h, "agent", H_PASSWORD), h_complaint, &st);
	EXPECT_STATUS(h, st, 201);
	EXPECT_INT(c, "id", cases + 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_backup_under_load_and_restore, h_setup, h_teardown),
	};
	int failed = cmocka_run_group_tests_name("integration: backup", tests, h_group_setup, h_group_teardown);
	printf("%lu checks\n", h_checks());
	return failed ? 1 : 0;
}
