/*
 * bench/case_read.c — what the store alone spends to read one case, the
 * baseline beside the HTTP read of a case (bench/run.sh, docs/PERFORMANCE.md).
 *
 *   build/bench/case_read --db PATH --ids LO HI [--count N] [--seed S]
 *
 * N ids drawn at random from LO to HI (seeded, as the wrk script of
 * bench/run.sh draws them) are read through jiesu's own store, one read
 * snapshot each, on one thread, with the store's default cache, as a server
 * thread reads them: the case's row with its copy units (store_case_get) and
 * its events (store_events_after from the first), nothing drawn. The same ids
 * are read twice, and the second pass is timed: the pages then come from the
 * kernel's page cache, as they do for the server after its own run over them.
 * Timed the same way: only the case's seq (store_case_seq), the one lookup a
 * case read again from the server's memory makes.
 *
 * Output, one line: "case_read: N ids LO-HI: row R us, events E us, read T us,
 * seq Q us, K events a case" (microseconds per case, means).
 */
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void usage(void)
{
	fprintf(stderr, "usage: case_read --db PATH --ids LO HI [--count N] [--seed S]\n");
	exit(2);
}

static int64_t num_opt(const char *name, const char *v, int64_t lo, int64_t hi)
{
	char *end;
	long long x = v ? strtoll(v, &end, 10) : 0;
	if (!v || *v == '\0' || *end || x < lo || x > hi) {
		fprintf(stderr, "case_read: %s must be a whole number from %lld to %lld\n", name,
			(long long)lo, (long long)hi);
		exit(2);
	}
	return x;
}

static int count_event(void *ctx, const struct event_rec *ev)
{
	(void)ev;
	++*(int64_t *)ctx;
	return 0;
}

/* One pass over ids: the row and events of each, or (seq_only) its seq; adds the times (us) to t[0..1]. */
static void pass(struct store *st, const int64_t *ids, int64_t n, bool seq_only, double t[2], int64_t *events)
{
	static struct case_rec c; /* large: not on the stack */
	struct err e;
	err_init(&e);
	for (int64_t i = 0; i < n; i++) {
		int64_t seq;
		store_read_begin(st);
		double a = now_us();
		enum err_code rc =
		    seq_only ? store_case_seq(st, ids[i], &seq, &e) : store_case_get(st, ids[i], &c, &e);
		double b = now_us();
		if (rc == OK && !seq_only)
			rc = store_events_after(st, ids[i], 0, count_event, events, &e);
		double d = now_us();
		store_read_end(st);
		if (rc != OK) {
			fprintf(stderr, "case_read: case %lld: %s\n", (long long)ids[i], e.msg);
			exit(1);
		}
		t[0] += b - a;
		t[1] += d - b;
	}
}

int main(int argc, char **argv)
{
	const char *db = NULL;
	int64_t lo = 0, hi = 0, n = 100000, seed = 7;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--db") && i + 1 < argc)
			db = argv[++i];
		else if (!strcmp(a, "--ids") && i + 2 < argc) {
			lo = num_opt("--ids LO", argv[++i], 1, INT64_MAX);
			hi = num_opt("--ids HI", argv[++i], lo, INT64_MAX);
		} else if (!strcmp(a, "--count"))
			n = num_opt(a, i + 1 < argc ? argv[++i] : NULL, 1, 100000000);
		else if (!strcmp(a, "--seed"))
			seed = num_opt(a, i + 1 < argc ? argv[++i] : NULL, 0, INT32_MAX);
		else
			usage();
	}
	if (!db || !lo)
		usage();
	struct store *st;
	struct err e;
	err_init(&e);
	if (store_open(db, &st, &e) != OK) {
		fprintf(stderr, "case_read: %s: %s\n", db, e.msg);
		return 1;
	}
	int64_t *ids = malloc((size_t)n * sizeof(*ids));
	if (!ids)
		return 1;
	srand((unsigned)seed);
	for (int64_t i = 0; i < n; i++)
		ids[i] = lo + (int64_t)((double)rand() / ((double)RAND_MAX + 1) * (double)(hi - lo + 1));
	double warm[2] = {0}, read[2] = {0}, seq[2] = {0};
	int64_t events = 0;
	pass(st, ids, n, false, warm, &events);
	events = 0;
	pass(st, ids, n, false, read, &events);
	pass(st, ids, n, true, seq, &events);
	printf("case_read: %lld ids %lld-%lld: row %.1f us, events %.1f us, read %.1f us, seq %.1f us, "
	       "%.1f events a case\n",
	       (long long)n, (long long)lo, (long long)hi, read[0] / (double)n, read[1] / (double)n,
	       (read[0] + read[1]) / (double)n, seq[0] / (double)n, (double)events / (double)n);
	free(ids);
	store_close(st);
	return 0;
}
