/*
 * bench/case_read.c — what the store alone spends to read one case, the
 * baseline beside the HTTP read of a case (bench/run.sh, docs/PERFORMANCE.md).
 *
 *   build/bench/case_read --db PATH --first LO --last HI [--count N] [--seed S]
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
#include "cli/cli.h"

#include <limits.h>
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

#define USAGE "case_read --db PATH --first ID --last ID [--count N] [--seed S]"

int main(int argc, char **argv)
{
	const char *db = NULL, *first = NULL, *last = NULL, *count = NULL, *seed_s = NULL;
	const struct cli_opt opts[] = {
	    {"--db", &db, NULL, "a database bench/gen wrote, or any jiesu database"},
	    {"--first", &first, NULL, "the first case id of the range"},
	    {"--last", &last, NULL, "the last case id of the range"},
	    {"--count", &count, NULL, "how many ids to draw (default 100000)"},
	    {"--seed", &seed_s, NULL, "the seed of the draw (default 7)"},
	    {NULL, NULL, NULL, NULL},
	};
	const char *pos[CLI_MAX_POS];
	int lo = 0, hi = 0, n = 100000, seed = 7;
	if (!cli_parse(argc, argv, opts, pos, 0, 0, USAGE))
		return 2;
	if (!first || !last) {
		fprintf(stderr, "case_read: --first and --last are required\nusage: %s\n", USAGE);
		return 2;
	}
	if (!cli_int("--first", first, 1, INT_MAX, &lo) || !cli_int("--last", last, lo, INT_MAX, &hi) ||
	    (count && !cli_int("--count", count, 1, 100000000, &n)) ||
	    (seed_s && !cli_int("--seed", seed_s, 0, INT_MAX, &seed)))
		return 2;
	struct store *st;
	if (!cli_open_store(db, &st))
		return 1;
	int64_t *ids = malloc((size_t)n * sizeof(*ids));
	if (!ids)
		return 1;
	srand((unsigned)seed);
	for (int i = 0; i < n; i++)
		ids[i] = lo + (int64_t)((double)rand() / ((double)RAND_MAX + 1) * ((double)hi - lo + 1));
	double warm[2] = {0}, read[2] = {0}, seq[2] = {0};
	int64_t events = 0;
	pass(st, ids, n, false, warm, &events);
	events = 0;
	pass(st, ids, n, false, read, &events);
	pass(st, ids, n, true, seq, &events);
	printf("case_read: %d ids %d-%d: row %.1f us, events %.1f us, read %.1f us, seq %.1f us, "
	       "%.1f events a case\n",
	       n, lo, hi, read[0] / n, read[1] / n, (read[0] + read[1]) / n, seq[0] / n, (double)events / n);
	free(ids);
	store_close(st);
	return 0;
}
