/*
 * test_concurrency.c — many writes at once through the group commit: every
 * acknowledged case is there (and only those), numbered without gaps or
 * duplicates, a refused request in the same batch changes nothing, and
 * every row still equals the fold of its events.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PARALLEL 96
#define ROUNDS 3

struct reply {
	char buf[8192];
	size_t len;
};

static size_t on_data(char *data, size_t size, size_t n, void *ctx)
{
	struct reply *r = ctx;
	size_t k = size * n;
	if (r->len + k < sizeof(r->buf)) {
		memcpy(r->buf + r->len, data, k);
		r->len += k;
		r->buf[r->len] = '\0';
	}
	return k;
}

static const char good[] = "{\"type\":\"complaint\",\"title\":\"占道经营\",\"content\":\"门口有摊贩。\","
			   "\"place\":{\"street\":\"110107001\"}}";
static const char bad[] = "{\"type\":\"complaint\",\"title\":\"占道经营\",\"content\":\"门口有摊贩。\","
			  "\"place\":{\"street\":\"999999999\"}}";

static void test_parallel_creates(void **state)
{
	struct harness *h = *state;
	long st;
	assert_true(h_start(h, H_NOW, NULL));
	const char *tok = login(h, "agent", H_PASSWORD);
	char auth[128], url[128];
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tok);
	snprintf(url, sizeof(url), "%s/api/v1/cases", h->base);

	static char seen[PARALLEL * ROUNDS + 1];
	memset(seen, 0, sizeof(seen));
	int created = 0, refused = 0;
	for (int round = 0; round < ROUNDS; round++) {
		CURLM *m = curl_multi_init();
		CURL *c[PARALLEL];
		struct reply *rep = calloc(PARALLEL, sizeof(*rep));
		struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
		hdr = curl_slist_append(hdr, auth);
		hdr = curl_slist_append(hdr, "Expect:");
		for (int i = 0; i < PARALLEL; i++) {
			c[i] = curl_easy_init();
			curl_easy_setopt(c[i], CURLOPT_URL, url);
			curl_easy_setopt(c[i], CURLOPT_PROXY, "");
			curl_easy_setopt(c[i], CURLOPT_HTTPHEADER, hdr);
			curl_easy_setopt(c[i], CURLOPT_POSTFIELDS, i % 16 == 5 ? bad : good);
			curl_easy_setopt(c[i], CURLOPT_WRITEFUNCTION, on_data);
			curl_easy_setopt(c[i], CURLOPT_WRITEDATA, &rep[i]);
			curl_easy_setopt(c[i], CURLOPT_TIMEOUT, 60L * h_slow());
			curl_multi_add_handle(m, c[i]);
		}
		int running = 1;
		while (running) {
			curl_multi_perform(m, &running);
			if (running)
				curl_multi_poll(m, NULL, 0, 1000, NULL);
		}
		for (int i = 0; i < PARALLEL; i++) {
			long code = 0;
			curl_easy_getinfo(c[i], CURLINFO_RESPONSE_CODE, &code);
			json_error_t jerr;
			json_t *j = json_loads(rep[i].buf, 0, &jerr);
			if (i % 16 == 5) {
				EXPECT_TRUE(code == 400, rep[i].buf);
				EXPECT_TRUE(j && !strcmp(jstr(j, "error.field"), "place.street"), rep[i].buf);
				refused++;
			} else {
				EXPECT_TRUE(code == 201, rep[i].buf);
				long long id = j ? jint(j, "id") : 0;
				EXPECT_TRUE(id >= 1 && id <= PARALLEL * ROUNDS && !seen[id], rep[i].buf);
				if (id >= 1 && id <= PARALLEL * ROUNDS)
					seen[id] = 1;
				created++;
			}
			json_decref(j);
			curl_multi_remove_handle(m, c[i]);
			curl_easy_cleanup(c[i]);
		}
		curl_slist_free_all(hdr);
		curl_multi_cleanup(m);
		free(rep);
	}
	/* exactly the acknowledged cases, numbered 1..created without gaps */
	json_t *l = http(h, "GET", "/api/v1/cases?per_page=1", tok, NULL, &st);
	EXPECT_STATUS(h, st, 200);
	EXPECT_INT(l, "total", created);
	for (int id = 1; id <= created; id++)
		EXPECT_TRUE(seen[id], hpath(h, "case %d was not acknowledged", id));
	EXPECT_TRUE(refused == ROUNDS * (PARALLEL / 16), "refused count");

	/* every row equals the fold of its events */
	char *out, *err;
	int rc = h_run(h, NULL, &out, &err, "rebuild", "--db", h->db, "--check", (char *)NULL);
	EXPECT_TRUE(rc == 0, err);
	EXPECT_TRUE(!strcmp(out, hpath(h, "rebuild: %d cases, 0 differ\n", created)), out);
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_parallel_creates, h_setup, h_teardown),
	};
	int failed = cmocka_run_group_tests_name("integration: concurrency", tests, h_group_setup, h_group_teardown);
	printf("%lu checks\n", h_checks());
	curl_global_cleanup();
	return failed ? 1 : 0;
}
