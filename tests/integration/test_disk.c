/*
 * test_disk — a full disk (issue 7 part 7). The running server is given a
 * file-size limit of one byte (prlimit RLIMIT_FSIZE: every write fails with
 * EFBIG, as on a full disk): creations and actions are refused with 507
 * insufficient_storage and change nothing, reads go on, the server stays
 * up; when the limit is lifted, service resumes where it stopped, and the
 * database passes its integrity check and `jiesu verify`.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static void set_fsize(struct harness *h, rlim_t limit)
{
	struct rlimit r = {limit, limit == RLIM_INFINITY ? RLIM_INFINITY : limit};
	if (limit == RLIM_INFINITY) {
		struct rlimit old;
		assert_int_equal(prlimit(h->pid, RLIMIT_FSIZE, NULL, &old), 0);
		r.rlim_max = old.rlim_max; /* an unprivileged caller cannot raise the hard limit: it was kept */
	} else {
		r.rlim_max = RLIM_INFINITY; /* keep the hard limit, so the soft one can be lifted again */
	}
	assert_int_equal(prlimit(h->pid, RLIMIT_FSIZE, &r, NULL), 0);
}

static void test_full_disk(void **state)
{
	struct harness *h = *state;
	long st;
	assert_true(h_start(h, H_NOW, NULL));
	const char *agent = login(h, "agent", H_PASSWORD), *disp = login(h, "dispatcher", H_PASSWORD);
	for (int i = 1; i <= 3; i++) {
		json_t *c = http(h, "POST", "/api/v1/cases", agent, h_complaint, &st);
		EXPECT_STATUS(h, st, 201);
		EXPECT_INT(c, "id", i);
	}

	set_fsize(h, 1);
	for (int i = 0; i < 5; i++) {
		json_t *j = http(h, "POST", "/api/v1/cases", agent, h_complaint, &st);
		EXPECT_ERROR(h, j, 507, "insufficient_storage", NULL);
	}
	json_t *j = http(h, "POST", "/api/v1/cases/1/actions/dispatch", disp, "{}", &st);
	EXPECT_ERROR(h, j, 507, "insufficient_storage", NULL);
	EXPECT_TRUE(strstr(h->last_body, "磁盘已满") != NULL, h->last_body);
	/* reads go on, and show nothing of what was refused */
	json_t *c = http(h, "GET", "/api/v1/cases/1", agent, NULL, &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_STR(c, "status", "received");
	c = http(h, "GET", "/api/v1/cases", agent, NULL, &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_INT(c, "total", 3);
	http(h, "GET", "/healthz", NULL, NULL, &st);
	EXPECT_STATUS(h, st, 200);

	/* space returns: service resumes where it stopped */
	set_fsize(h, RLIM_INFINITY);
	c = http(h, "POST", "/api/v1/cases", agent, h_complaint, &st);
	EXPECT_STATUS(h, st, 201);
	EXPECT_INT(c, "id", 4);
	c = http(h, "POST", "/api/v1/cases/1/actions/dispatch", disp, "{}", &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_STR(c, "status", "dispatched");
	assert_int_equal(h_stop(h), 0);

	int code;
	char *integrity = h_sqlite3(h->db, "PRAGMA integrity_check;", &code);
	EXPECT_TRUE(code == 0 && integrity && !strcmp(integrity, "ok\n"), integrity);
	free(integrity);
	char *out = NULL;
	EXPECT_TRUE(h_run(h, NULL, &out, NULL, "verify", "--db", h->db, (char *)NULL) == 0, out);
	EXPECT_TRUE(out && strstr(out, "verify: 4 cases") != NULL, out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_full_disk, h_setup, h_teardown),
	};
	int failed = cmocka_run_group_tests_name("integration: disk", tests, h_group_setup, h_group_teardown);
	printf("%lu checks\n", h_checks());
	return failed ? 1 : 0;
}
