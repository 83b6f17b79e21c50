/*
 * test_crash.c — a kill -9 of the server in the middle of a stream of
 * intakes loses no case that was acknowledged. Case creations flow from
 * many connections at once; once some hundreds have been answered 201 the
 * server gets SIGKILL while others are still in flight. Restarted on the
 * same database, it must hold every acknowledged case under the id it
 * answered, with its own title and content and its whole event history;
 * a request left without an answer may be there or not, but whole and at
 * most once; nothing appears that was never sent; every row still equals
 * the fold of its events, SQLite finds the file intact, and the server
 * takes new cases again.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PARALLEL 64	  /* requests in flight at any time */
#define KILL_AFTER 300	  /* SIGKILL once this many 201s have come back */
#define MAX_SENT 20000	  /* never send more than this */
#define DEADLINE_MS 10000 /* kill anyway after this long (h_slow() times under valgrind) */

/* What became of request n (its marker is "crash-n"). */
enum outcome { SENT, ACKED, REFUSED, UNKNOWN };

struct sent {
	enum outcome outcome;
	long long id;	 /* the id a 201 answered */
	long long found; /* the id of the case carrying this marker after the restart, 0 if none */
};

struct slot {
	int n; /* the request this slot carries */
	CURL *c;
	char *body;
	size_t len, cap;
};

static size_t on_data(char *data, size_t size, size_t n, void *ctx)
{
	struct slot *s = ctx;
	size_t k = size * n;
	if (s->len + k + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 8192;
		while (cap < s->len + k + 1)
			cap *= 2;
		char *b = realloc(s->body, cap);
		if (!b)
			abort();
		s->body = b;
		s->cap = cap;
	}
	memcpy(s->body + s->len, data, k);
	s->len += k;
	s->body[s->len] = '\0';
	return k;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static char *case_body(int n)
{
	char *s = NULL;
	if (asprintf(&s,
		     "{\"type\":\"complaint\",\"title\":\"占道经营 "
		     "crash-%d\",\"content\":\"门口有摊贩。crash-%d\","
		     "\"place\":{\"street\":\"110107001\"}}",
		     n, n) < 0)
		abort();
	return s;
}

/* The marker number in a title "占道经营 crash-N", or -1. */
static int marker_of(const char *title)
{
	const char *p = title ? strstr(title, "crash-") : NULL;
	if (!p)
		return -1;
	char *end;
	long n = strtol(p + 6, &end, 10);
	return *end || end == p + 6 || n < 0 || n >= MAX_SENT ? -1 : (int)n;
}

/* The actions of a case's events joined with commas: "create,dispatch". */
static void event_actions(json_t *c, char *out, size_t size)
{
	size_t len = 0;
	json_t *ev = json_object_get(c, "events");
	size_t i;
	json_t *e;
	out[0] = '\0';
	json_array_foreach(ev, i, e)
	{
		const char *a = json_string_value(json_object_get(e, "action"));
		int k = snprintf(out + len, size - len, "%s%s", i ? "," : "", a ? a : "?");
		if (k < 0 || (size_t)k >= size - len)
			break;
		len += (size_t)k;
	}
}

/* Start request n in slot s. */
static void slot_start(CURLM *m, struct slot *s, int n, const char *url, struct curl_slist *hdr)
{
	s->n = n;
	s->len = 0;
	if (s->body)
		s->body[0] = '\0';
	char *body = case_body(n);
	s->c = curl_easy_init();
	curl_easy_setopt(s->c, CURLOPT_URL, url);
	curl_easy_setopt(s->c, CURLOPT_PROXY, "");
	curl_easy_setopt(s->c, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(s->c, CURLOPT_COPYPOSTFIELDS, body);
	curl_easy_setopt(s->c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(s->c, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(s->c, CURLOPT_PRIVATE, s);
	curl_easy_setopt(s->c, CURLOPT_TIMEOUT, 10L * h_slow());
	curl_multi_add_handle(m, s->c);
	free(body);
}

static void test_kill_during_intake(void **state)
{
	struct harness *h = *state;
	long st;
	double t0 = now_ms();
	assert_true(h_start(h, H_NOW, NULL));
	const char *tok = login(h, "agent", H_PASSWORD);
	char auth[128], url[128];
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tok);
	snprintf(url, sizeof(url), "%s/api/v1/cases", h->base);

	struct sent *sent = calloc(MAX_SENT, sizeof(*sent));
	struct slot *slots = calloc(PARALLEL, sizeof(*slots));
	assert_non_null(sent);
	assert_non_null(slots);
	struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
	hdr = curl_slist_append(hdr, auth);
	hdr = curl_slist_append(hdr, "Expect:");

	/*
	 * Keep PARALLEL creations in flight: each answer starts the next
	 * request, until the kill. Answers that were on their way when the
	 * server died still count as acknowledgements.
	 */
	CURLM *m = curl_multi_init();
	int next = 0, in_flight = 0, acked = 0, refused = 0, unknown = 0, in_flight_at_kill = 0;
	bool killed = false;
	double t_kill = 0;
	char ack_events[256] = "";
	for (int i = 0; i < PARALLEL; i++, next++, in_flight++)
		slot_start(m, &slots[i], next, url, hdr);
	double kill_by = now_ms() + (double)DEADLINE_MS * h_slow();
	while (in_flight > 0) {
		int running;
		curl_multi_perform(m, &running);
		CURLMsg *msg;
		int left;
		while ((msg = curl_multi_info_read(m, &left))) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			char *priv = NULL;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
			struct slot *s = (struct slot *)priv;
			long code = 0;
			curl_easy_getinfo(s->c, CURLINFO_RESPONSE_CODE, &code);
			json_error_t jerr;
			json_t *j = s->len ? json_loads(s->body, 0, &jerr) : NULL;
			struct sent *r = &sent[s->n];
			if (code == 201 && j && jint(j, "id") > 0) {
				/* acknowledged: the server says the case is stored under this id */
				r->outcome = ACKED;
				r->id = jint(j, "id");
				acked++;
				EXPECT_TRUE(marker_of(jstr(j, "title")) == s->n, s->body);
				if (!ack_events[0])
					event_actions(j, ack_events, sizeof(ack_events));
			} else if (msg->data.result == CURLE_OK && code != 0) {
				/* an answer, but not 201: a healthy server refuses none of these */
				r->outcome = REFUSED;
				refused++;
				print_error("request crash-%d answered %ld: %s\n", s->n, code,
					    s->body ? s->body : "");
			} else {
				/* no (complete) answer: the request may or may not have been stored */
				r->outcome = UNKNOWN;
				unknown++;
			}
			json_decref(j);
			curl_multi_remove_handle(m, s->c);
			curl_easy_cleanup(s->c);
			s->c = NULL;
			in_flight--;
			if (!killed && next < MAX_SENT) {
				slot_start(m, s, next++, url, hdr);
				in_flight++;
			}
		}
		if (!killed && (acked >= KILL_AFTER || now_ms() > kill_by || next >= MAX_SENT)) {
			kill(h->pid, SIGKILL);
			killed = true;
			t_kill = now_ms();
			in_flight_at_kill = in_flight;
		}
		if (in_flight > 0)
			curl_multi_poll(m, NULL, 0, 100, NULL);
	}
	curl_multi_cleanup(m);
	curl_slist_free_all(hdr);
	for (int i = 0; i < PARALLEL; i++)
		free(slots[i].body);
	free(slots);

	/* the server died of the SIGKILL, not of anything else */
	int status = 0;
	pid_t w;
	while ((w = waitpid(h->pid, &status, 0)) < 0 && errno == EINTR)
		;
	EXPECT_TRUE(w == h->pid && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
		    "the server died of SIGKILL");
	h->pid = 0;
	h->port = 0;
	h->base[0] = '\0';
	EXPECT_TRUE(acked > 0, "no creation was acknowledged before the kill");
	EXPECT_TRUE(refused == 0, "a creation was refused");

	/* restart on the same database (h_start does not touch the file) */
	assert_true(h_start(h, H_NOW, NULL));
	tok = login(h, "agent", H_PASSWORD);

	/*
	 * Every case the restarted server holds: ids unique, each carrying a
	 * marker that was sent, each marker at most once.
	 */
	long long total = -1, listed = 0, max_id = 0;
	for (int page = 1; total < 0 || listed < total; page++) {
		json_t *l =
		    http(h, "GET", hpath(h, "/api/v1/cases?per_page=100&page=%d", page), tok, NULL, &st);
		EXPECT_STATUS(h, st, 200);
		total = jint(l, "total");
		size_t n = jsize(l, "cases");
		EXPECT_TRUE(n > 0, hpath(h, "page %d of %lld cases is empty", page, total));
		for (size_t i = 0; i < n; i++) {
			json_t *c = json_array_get(json_object_get(l, "cases"), i);
			long long id = jint(c, "id");
			int k = marker_of(jstr(c, "title"));
			EXPECT_TRUE(id > 0, hpath(h, "case without an id: %s", jstr(c, "title")));
			EXPECT_TRUE(k >= 0 && k < next,
				    hpath(h, "case %lld titled \"%s\" was never sent", id, jstr(c, "title")));
			EXPECT_TRUE(
			    sent[k].found == 0,
			    hpath(h, "crash-%d is stored twice: cases %lld and %lld", k, sent[k].found, id));
			sent[k].found = id;
			if (id > max_id)
				max_id = id;
		}
		listed += (long long)n;
	}
	EXPECT_TRUE(listed == total, hpath(h, "listed %lld of %lld cases", listed, total));
	char *ids = calloc((size_t)max_id + 1, 1);
	assert_non_null(ids);
	for (int k = 0; k < next; k++) {
		if (!sent[k].found)
			continue;
		EXPECT_TRUE(!ids[sent[k].found], hpath(h, "case id %lld is listed twice", sent[k].found));
		ids[sent[k].found] = 1;
	}
	free(ids);

	/* the server takes new cases again; its events are what a whole case looks like */
	char *body = case_body(MAX_SENT - 1);
	json_t *fresh = http(h, "POST", "/api/v1/cases", tok, body, &st);
	free(body);
	EXPECT_STATUS(h, st, 201);
	long long fresh_id = jint(fresh, "id");
	EXPECT_TRUE(fresh_id > max_id, h->last_body);
	char want_events[256];
	event_actions(fresh, want_events, sizeof(want_events));
	EXPECT_TRUE(!strncmp(want_events, "create", 6), h->last_body);
	EXPECT_TRUE(!strcmp(ack_events, want_events),
		    hpath(h, "acknowledged with events %s, fresh case has %s", ack_events, want_events));

	/*
	 * Every acknowledged case is there under the id it was answered with,
	 * with its own title and content and the whole event history; so is
	 * every unknown one that survived.
	 */
	int present = 0, unknown_present = 0;
	for (int k = 0; k < next; k++) {
		struct sent *r = &sent[k];
		if (r->outcome == ACKED)
			EXPECT_TRUE(r->found == r->id,
				    hpath(h, "crash-%d was acknowledged as case %lld but %s", k, r->id,
					  r->found ? hpath(h, "is case %lld", r->found)
						   : "is missing after the restart"));
		if (!r->found)
			continue;
		present++;
		if (r->outcome == UNKNOWN)
			unknown_present++;
		json_t *c = http(h, "GET", hpath(h, "/api/v1/cases/%lld", r->found), tok, NULL, &st);
		EXPECT_STATUS(h, st, 200);
		EXPECT_INT(c, "id", r->found);
		EXPECT_STR(c, "title", hpath(h, "占道经营 crash-%d", k));
		EXPECT_STR(c, "content", hpath(h, "门口有摊贩。crash-%d", k));
		char got[256];
		event_actions(c, got, sizeof(got));
		EXPECT_TRUE(!strcmp(got, want_events),
			    hpath(h, "case %lld (crash-%d) has events %s, expected %s", r->found, k, got,
				  want_events));
	}
	EXPECT_TRUE(total == present, hpath(h, "%lld cases listed, %d carry a marker", total, present));

	/* every row equals the fold of its events; SQLite finds the file intact */
	char *out, *err;
	int rc = h_run(h, NULL, &out, &err, "rebuild", "--db", h->db, "--check", (char *)NULL);
	EXPECT_TRUE(rc == 0, err);
	EXPECT_TRUE(!strcmp(out, hpath(h, "rebuild: %d cases, 0 differ\n", present + 1)), out);
	char *integrity = h_sqlite3(h->db, "PRAGMA integrity_check; PRAGMA foreign_key_check;", &rc);
	EXPECT_TRUE(integrity && rc == 0 && !strcmp(integrity, "ok\n"),
		    integrity ? integrity : "sqlite3 did not run (scripts/deps.sh installs it)");
	free(integrity);

	printf(
	    "crash: %d sent, %d acknowledged, %d unknown (%d of them stored), %d refused; "
	    "%d in flight at the kill; %d present after the restart; %.0f ms to the kill, %.0f ms in all\n",
	    next, acked, unknown, unknown_present, refused, in_flight_at_kill, present, t_kill - t0,
	    now_ms() - t0);
	free(sent);
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_kill_during_intake, h_setup, h_teardown),
	};
	int failed =
	    cmocka_run_group_tests_name("integration: crash", tests, h_group_setup, h_group_teardown);
	printf("%lu checks\n", h_checks());
	curl_global_cleanup();
	return failed ? 1 : 0;
}
