/*
 * bench/reads.c — the reads a working day is made of, timed on a database
 * that bench/gen.c wrote (docs/PERFORMANCE.md, the reads section).
 *
 *   build/bench/reads --db PATH [--units N] [--rounds R] [--scan-rounds S] [--cold] [--write FILE]
 *
 * What it measures, and why those reads:
 *
 * 1. The unit inbox (我的工单). Every street and department handler opens it
 *    many times a day, so its four tabs are the reads the server answers
 *    most. For every street and department that leads an open case (or the
 *    first N of each kind with --units), each tab is read with exactly the
 *    query api_cases_list builds for ?inbox=sign|doing|overdue|whistled
 *    (page 1 of 20, nearest deadline first, with the total, no viewer
 *    path), R rounds. Reported per tab and overall: queries, p50, p90,
 *    p99 and max in ms, and the mean number of matches (the total). Which
 *    units lead an open case is found beforehand by one untimed count per
 *    unit through the same store function (it also warms the cache). With
 *    --cold the database file's pages are then dropped from the kernel's page
 *    cache and the store opened afresh, so the first round reads from the
 *    disk what it needs: its figures are also reported on their own.
 *
 * 2. The rankings (考核排名). assess_rates for the street and the department
 *    pool over the middle month of the data's year, as the assessor's page
 *    asks for them. assess_period takes only months ("YYYY-MM"), so the
 *    longer periods an assessor may want (a quarter, the year) are timed
 *    through store_unit_counts itself: the counts kept per unit by day and month
 *    (scan = false) against the plain scan of the facts (scan = true), over
 *    whole local days. Both must give the same counts, field by field: the
 *    bench fails (exit 1) if they differ.
 *
 * 3. The size of what was read: the number of cases and the file's size.
 *
 * Everything goes through jiesu's own store and domain functions (no SQL
 * here), with the store's default cache, as a server thread reads. Times
 * are wall times from CLOCK_MONOTONIC; on a shared machine they are noisy,
 * so each figure is taken over R rounds (best and median, or percentiles).
 *
 * Output: "reads: ..." lines on stdout; --write FILE writes the markdown
 * section (between <!-- reads:begin --> and <!-- reads:end -->) that
 * bench/reads.sh puts into docs/PERFORMANCE.md through bench/section.sh.
 */
#include "domain/assess.h"

#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DAY 86400

static void die(const char *what, const struct err *e)
{
	fprintf(stderr, "reads: %s%s%s\n", what, e ? ": " : "", e ? e->msg : "");
	exit(1);
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* A growable list of durations (ms), and the sum of what the queries matched. */
struct samples {
	double *ms;
	double matched;
	int n, cap;
};

static void samples_add(struct samples *s, double ms, int64_t matched)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 256;
		s->ms = xrealloc(s->ms, (size_t)s->cap * sizeof(*s->ms));
	}
	s->ms[s->n++] = ms;
	s->matched += (double)matched;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The summary of a list of samples, which it frees. */
struct summary {
	int n;
	double p50, p90, p99, max, best, mean_matched;
};

/* Nearest rank: the smallest value with at least q of the samples at or below it. */
static double rank_of(const double *sorted, int n, double q)
{
	int k = (int)(q * n + 0.999999);
	return sorted[k < 1 ? 0 : k > n ? n - 1 : k - 1];
}

static struct summary summarize(struct samples *s)
{
	struct summary r = {s->n, 0, 0, 0, 0, 0, 0};
	if (s->n) {
		qsort(s->ms, (size_t)s->n, sizeof(*s->ms), cmp_double);
		r.p50 = rank_of(s->ms, s->n, 0.50);
		r.p90 = rank_of(s->ms, s->n, 0.90);
		r.p99 = rank_of(s->ms, s->n, 0.99);
		r.max = s->ms[s->n - 1];
		r.best = s->ms[0];
		r.mean_matched = s->matched / s->n;
	}
	free(s->ms);
	return r;
}

/* The inbox tabs, as api_cases_list builds them (src/api/api_cases.c, inbox=). */
enum { TAB_COUNT = 4 };
static const struct {
	const char *name, *statuses;
	bool task;   /* the unit has an unfinished task on the case (else: it leads the case) */
	int overdue; /* -1 any, 1 overdue */
} tabs[TAB_COUNT] = {{"sign", ",dispatched,", false, -1},
		     {"doing", ",accepted,in_progress,parked,", false, -1},
		     {"overdue", ",dispatched,accepted,in_progress,parked,", false, 1},
		     {"whistled", ",dispatched,accepted,in_progress,parked,returned,", true, -1}};

static struct case_query tab_query(int t, const char *unit)
{
	struct case_query q = {.statuses = tabs[t].statuses,
			       .overdue = tabs[t].overdue,
			       .sort_due = true,
			       .brief = true,
			       .page = 1,
			       .per_page = 20};
	if (tabs[t].task)
		q.task_unit = unit;
	else
		q.lead_code = unit;
	return q;
}

static int count_row(void *ctx, const struct case_rec *c)
{
	(*(int *)ctx)++;
	return 0;
}

/* The units whose inboxes are read: codes of one kind, in code order. */
struct units {
	char (*code)[LIMIT_CODE + 1];
	int n, cap, limit;				     /* limit: units per kind, 0 = all */
	int listed[UNIT_KIND_COUNT], taken[UNIT_KIND_COUNT]; /* listed by the store, kept */
	struct store *st;
	struct err *e;
};

/*
 * Keep u if it leads a case in an open status (one untimed count through
 * the same store function) and its kind's limit is not reached.
 */
static int add_unit(void *ctx, const struct unit *u)
{
	struct units *x = ctx;
	struct case_query q = {0};
	int64_t open = 0;
	int rows = 0;
	x->listed[u->kind]++;
	if (x->limit && x->taken[u->kind] >= x->limit)
		return 0;
	q.overdue = -1;
	q.lead_code = u->code;
	q.statuses = ",dispatched,accepted,in_progress,parked,returned,";
	q.page = 1;
	q.per_page = 1;
	if (store_cases_list(x->st, &q, count_row, &rows, &open, x->e) != OK)
		return E_DB;
	if (!open)
		return 0;
	if (x->n == x->cap) {
		x->cap = x->cap ? x->cap * 2 : 256;
		x->code = xrealloc(x->code, (size_t)x->cap * sizeof(*x->code));
	}
	memcpy(x->code[x->n++], u->code, sizeof(*x->code));
	x->taken[u->kind]++;
	return 0;
}

/* The count fields of struct unit_counts by name, to compare two lists field by field. */
/* clang-format off */
#define F(f) {#f, offsetof(struct unit_counts, f)}
static const struct {
	const char *name;
	size_t off;
} count_fields[] = {F(cb_valid),      F(cb_contacted),   F(cb_solved),     F(cb_satisfied), F(cb_basic),
		    F(as_valid),      F(as_contacted),   F(as_full_valid), F(as_solved),    F(as_satisfied),
		    F(as_basic),      F(dispatches),     F(sign_total),    F(sign_ontime),  F(contact_total),
		    F(contact_ontime), F(reply_total),   F(reply_ontime),  F(handling_seconds), F(returns),
		    F(extensions),    F(reopens),        F(overdue),       F(reports),      F(reports_ontime),
		    F(ratings),       F(rating_sum)};
#undef F
/* clang-format on */
_Static_assert(ARRAY_SIZE(count_fields) == UNIT_NCOUNTS, "every count field is compared");

static int64_t count_at(const struct unit_counts *c, int i)
{
	return *(const int64_t *)(const void *)((const char *)c + count_fields[i].off);
}

struct counts_list {
	struct unit_counts *c;
	int n, cap;
};

static int add_counts(void *ctx, const struct unit_counts *c)
{
	struct counts_list *l = ctx;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 1024;
		l->c = xrealloc(l->c, (size_t)l->cap * sizeof(*l->c));
	}
	l->c[l->n++] = *c;
	return 0;
}

/* Print every difference between the fast and the scanned counts; returns how many there are. */
static int counts_diff(const char *period, const struct counts_list *a, const struct counts_list *b)
{
	int diffs = a->n != b->n;
	if (diffs)
		fprintf(stderr, "reads: %s: %d units per day, %d by the scan\n", period, a->n, b->n);
	for (int i = 0; i < a->n && i < b->n; i++) {
		const struct unit_counts *x = &a->c[i], *y = &b->c[i];
		if (strcmp(x->unit, y->unit)) {
			fprintf(stderr, "reads: %s: unit #%d: %s per day, %s by the scan\n", period, i,
				x->unit, y->unit);
			diffs++;
			continue;
		}
		for (int f = 0; f < UNIT_NCOUNTS; f++)
			if (count_at(x, f) != count_at(y, f)) {
				fprintf(stderr, "reads: %s: %s %s: %lld per day, %lld by the scan\n", period,
					x->unit, count_fields[f].name, (long long)count_at(x, f),
					(long long)count_at(y, f));
				diffs++;
			}
	}
	return diffs;
}

static void usage(void)
{
	fprintf(stderr, "usage: reads --db PATH [--units N] [--rounds R] [--scan-rounds S] [--scan-spans P]\n"
			"             [--cold] [--write FILE]\n"
			"  (--cold: the first round of the inboxes from the disk, the file's pages dropped\n"
			"   from the page cache after the units are listed)\n"
			"  (the plain scans, the baseline of the unit counts, in the first S rounds only,\n"
			"   S defaults to R; and for the first P of month, quarter, year only, P defaults\n"
			"   to 3: on a year larger than memory the plain scan of the year takes hours)\n");
	exit(2);
}

static int64_t num_opt(const char *name, const char *v, int64_t lo, int64_t hi)
{
	char *end;
	long long x = strtoll(v, &end, 10);
	if (*v == '\0' || *end || x < lo || x > hi) {
		fprintf(stderr, "reads: %s must be a whole number from %lld to %lld\n", name, (long long)lo,
			(long long)hi);
		exit(2);
	}
	return x;
}

static int64_t local_midnight(int y, int m, int d)
{
	return days_from_civil(y, m, d) * DAY - LOCAL_UTC_OFFSET;
}

/* The CPU's model name from /proc/cpuinfo, or "unknown CPU". */
static void cpu_model(char *out, size_t size)
{
	char line[512];
	FILE *f = fopen("/proc/cpuinfo", "r");
	snprintf(out, size, "unknown CPU");
	while (f && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		if (colon && !strncmp(line, "model name", 10)) {
			colon += 1 + strspn(colon + 1, " \t");
			colon[strcspn(colon, "\n")] = '\0';
			snprintf(out, size, "%s", colon);
			break;
		}
	}
	if (f)
		fclose(f);
}

/* Everything measured, for the report. */
struct figures {
	int64_t cases, bytes;
	int year;
	double open_ms, load;
	int streets, departments;	   /* whose inboxes were read */
	struct summary tab[TAB_COUNT + 1]; /* the last: every tab */
	struct summary first[TAB_COUNT + 1]; /* the first round alone (--cold) */
	bool cold;
	char slowest[TAB_COUNT][LIMIT_CODE + 1];
	char period[8];
	struct summary rates[2];
	int rate_units[2];
	struct summary counts[3][2]; /* month, quarter, year × per day, scan */
	int count_units[3], diffs;
	int scan_rounds; /* the plain scans ran in the first scan_rounds rounds only */
	int scan_spans;  /* and for the first scan_spans of month, quarter, year */
};

static const enum unit_kind pools[2] = {UNIT_STREET, UNIT_DEPARTMENT};
static const char *const span_names[3] = {"month", "quarter", "year"};

static double ratio(const struct summary *scan, const struct summary *fast)
{
	return scan->p50 / (fast->p50 > 0 ? fast->p50 : 1e-3);
}

/* 1. Every tab of every kept unit's inbox, rounds times; the slowest unit per tab. */
static void inbox_run(struct store *st, const struct units *us, int rounds, struct figures *fg)
{
	struct samples s[TAB_COUNT + 1] = {{0}}, s0[TAB_COUNT + 1] = {{0}};
	double slowest_ms[TAB_COUNT] = {0};
	struct err e;
	err_init(&e);
	for (int r = 0; r < rounds; r++)
		for (int u = 0; u < us->n; u++)
			for (int t = 0; t < TAB_COUNT; t++) {
				struct case_query q = tab_query(t, us->code[u]);
				int64_t total = 0;
				int got = 0;
				double t0 = now_ms();
				if (store_cases_list(st, &q, count_row, &got, &total, &e) != OK)
					die("inbox", &e);
				double ms = now_ms() - t0;
				samples_add(&s[t], ms, total);
				samples_add(&s[TAB_COUNT], ms, total);
				if (r == 0) {
					samples_add(&s0[t], ms, total);
					samples_add(&s0[TAB_COUNT], ms, total);
				}
				if (ms > slowest_ms[t]) {
					slowest_ms[t] = ms;
					memcpy(fg->slowest[t], us->code[u], sizeof(fg->slowest[t]));
				}
			}
	for (int t = 0; t <= TAB_COUNT; t++) {
		struct summary *m = &fg->tab[t];
		*m = summarize(&s[t]);
		printf("reads: inbox tab=%s queries=%d p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f "
		       "mean_total=%.1f slowest=%s\n",
		       t < TAB_COUNT ? tabs[t].name : "all", m->n, m->p50, m->p90, m->p99, m->max,
		       m->mean_matched, t < TAB_COUNT ? fg->slowest[t] : "-");
		fg->first[t] = summarize(&s0[t]);
		if (fg->cold)
			printf("reads: inbox-first-round tab=%s queries=%d p50_ms=%.3f p99_ms=%.3f max_ms=%.3f\n",
			       t < TAB_COUNT ? tabs[t].name : "all", fg->first[t].n, fg->first[t].p50,
			       fg->first[t].p99, fg->first[t].max);
	}
}

/* --cold: the kernel's cached pages of the database file (and its log) dropped. */
static void drop_cached(const char *db)
{
	char wal[PATH_MAX];
	snprintf(wal, sizeof(wal), "%s-wal", db);
	const char *files[] = {db, wal};
	for (size_t i = 0; i < 2; i++) {
		int fd = open(files[i], O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		int err = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		if (err)
			fprintf(stderr, "reads: %s: the page cache was not dropped: %s\n", files[i], strerror(err));
		close(fd);
	}
}

/* 2a. The rankings of the middle month of the year, as the assessor's page asks for them. */
static void rates_run(struct store *st, int rounds, struct figures *fg)
{
	struct err e;
	err_init(&e);
	snprintf(fg->period, sizeof(fg->period), "%04d-06", fg->year);
	for (int p = 0; p < 2; p++) {
		struct samples s = {0};
		for (int r = 0; r < rounds; r++) {
			struct assess_report rep;
			double t0 = now_ms();
			if (assess_rates(st, fg->period, pools[p], NULL, &rep, &e) != OK)
				die("rankings", &e);
			samples_add(&s, now_ms() - t0, rep.nrows);
			fg->rate_units[p] = rep.nrows;
			assess_report_release(&rep);
		}
		fg->rates[p] = summarize(&s);
		printf("reads: rates pool=%s period=%s units=%d best_ms=%.1f median_ms=%.1f\n",
		       unit_kind_name(pools[p]), fg->period, fg->rate_units[p], fg->rates[p].best,
		       fg->rates[p].p50);
	}
}

/*
 * 2b. store_unit_counts over June, the second quarter and the whole year,
 * from the counts kept per day (scan false) and by the plain scan (scan
 * true), compared field by field in the first round.
 */
static void counts_run(struct store *st, int rounds, struct figures *fg)
{
	int y = fg->year;
	int64_t from[3] = {local_midnight(y, 6, 1), local_midnight(y, 4, 1), local_midnight(y, 1, 1)};
	int64_t to[3] = {local_midnight(y, 7, 1), local_midnight(y, 7, 1), local_midnight(y + 1, 1, 1)};
	struct err e;
	err_init(&e);
	for (int p = 0; p < 3; p++) {
		struct samples s[2] = {{0}};
		for (int r = 0; r < rounds; r++) {
			struct counts_list l[2] = {{0}};
			for (int i = 0; i < 2; i++) {
				/* alternate the order: neither always finds what the other cached */
				int k = (i + r) % 2; /* 1: the scan */
				if (k == 1 && (r >= fg->scan_rounds || p >= fg->scan_spans))
					continue;
				double t0 = now_ms();
				if (store_unit_counts(st, from[p], to[p], k, add_counts, &l[k], &e) != OK)
					die("unit counts", &e);
				samples_add(&s[k], now_ms() - t0, l[k].n);
			}
			if (r == 0) {
				if (p < fg->scan_spans)
					fg->diffs += counts_diff(span_names[p], &l[0], &l[1]);
				fg->count_units[p] = l[0].n;
			}
			free(l[0].c);
			free(l[1].c);
		}
		for (int k = 0; k < 2; k++)
			fg->counts[p][k] = summarize(&s[k]);
		const struct summary *c = fg->counts[p];
		printf("reads: counts period=%s units=%d fast_best_ms=%.1f fast_median_ms=%.1f "
		       "scan_best_ms=%.1f scan_median_ms=%.1f scan_over_fast=%.1f\n",
		       span_names[p], fg->count_units[p], c[0].best, c[0].p50, c[1].best, c[1].p50,
		       ratio(&c[1], &c[0]));
	}
	printf("reads: counts identical=%s differences=%d\n", fg->diffs ? "no" : "yes", fg->diffs);
}

/* The markdown section for docs/PERFORMANCE.md (bench/section.sh puts it in). */
static void write_section(FILE *f, const struct figures *fg, const char *db, int rounds, int limit, int argc,
			  char **argv)
{
	char cpu[256];
	int y, m, d;
	cpu_model(cpu, sizeof(cpu));
	civil_from_days(clock_now() / DAY, &y, &m, &d);
	fprintf(f, "<!-- reads:begin -->\n## Reads on a generated year: unit inboxes and rankings\n\n");
	fprintf(f,
		"Measured %04d-%02d-%02d on %ld cores (%s), load average %.2f at the start (shared "
		"with other work: wall times), SQLite %s, on a database from `build/bench/gen`: "
		"%lld cases of %d, %.0f MiB. Reproduce with `%sbench/reads.sh %s %d",
		y, m, d, sysconf(_SC_NPROCESSORS_ONLN), cpu, fg->load, sqlite3_libversion(),
		(long long)fg->cases, fg->year, (double)fg->bytes / 1048576.0, fg->cold ? "READS_COLD=1 " : "", db,
		rounds);
	if (fg->scan_rounds != rounds || fg->scan_spans < 3)
		fprintf(f, " %d", fg->scan_rounds);
	if (fg->scan_spans < 3)
		fprintf(f, " %d", fg->scan_spans);
	fprintf(f, "`, which runs `");
	for (int i = 0; i < argc; i++)
		fprintf(f, "%s%s", i ? " " : "", argv[i]);
	fprintf(f,
		"`. Every read goes through the store and domain functions the server calls, with "
		"the store's default cache; %d rounds",
		rounds);
	if (fg->scan_rounds != rounds)
		fprintf(f, " (the plain scans, the baseline of the unit counts: %d)", fg->scan_rounds);
	if (fg->scan_spans < 3)
		fprintf(f, "; the plain scan of the %s not run (`--scan-spans %d`)",
			fg->scan_spans == 1 ? "quarter and the year" : "year", fg->scan_spans);
	if (fg->cold)
		fprintf(f, "; the first round of the inboxes from the disk (`--cold`: the file's pages "
			   "dropped from the kernel's page cache after the units were listed)");
	fprintf(f, ".\n\n");
	fprintf(f,
		"**Unit inbox** (`GET /api/v1/cases?inbox=TAB`: page 1 of 20, nearest deadline "
		"first, with the total: each time is the count and the page, as the API asks for both) of "
		"the %d streets and %d departments that lead an open case%s. Target: p99 at most 20 ms.\n\n",
		fg->streets, fg->departments, limit ? " (the first of each kind, `--units`)" : "");
	fprintf(f, "| tab | queries | p50 ms | p90 ms | p99 ms | max ms | mean matches | slowest unit |\n"
		   "|---|---|---|---|---|---|---|---|\n");
	for (int t = 0; t <= TAB_COUNT; t++) {
		const struct summary *s = &fg->tab[t];
		fprintf(f, "| %s | %d | %.2f | %.2f | %.2f | %.1f | %.1f | %s |\n",
			t < TAB_COUNT ? tabs[t].name : "**all**", s->n, s->p50, s->p90, s->p99, s->max,
			s->mean_matched, t < TAB_COUNT ? fg->slowest[t] : "");
	}
	if (fg->cold) {
		fprintf(f, "\nThe first round alone, from the disk:\n\n| tab | queries | p50 ms | p99 ms | max ms |\n"
			   "|---|---|---|---|---|\n");
		for (int t = 0; t <= TAB_COUNT; t++) {
			const struct summary *s = &fg->first[t];
			fprintf(f, "| %s | %d | %.2f | %.2f | %.1f |\n", t < TAB_COUNT ? tabs[t].name : "**all**",
				s->n, s->p50, s->p99, s->max);
		}
	}
	fprintf(f,
		"\n**Rankings** (`assess_rates`, the assessor's page) for %s:\n\n"
		"| pool | units | best ms | median ms |\n|---|---|---|---|\n",
		fg->period);
	for (int p = 0; p < 2; p++)
		fprintf(f, "| %s | %d | %.1f | %.1f |\n", unit_kind_name(pools[p]), fg->rate_units[p],
			fg->rates[p].best, fg->rates[p].p50);
	fprintf(f,
		"\n**Unit counts** (`store_unit_counts`, every unit, local midnight to local "
		"midnight): the counts kept per unit by day and by month (whole months by month, "
		"the rest by day) against the plain scan of the facts, the baseline. "
		"`assess_period` takes months only, so the quarter and the year are read here "
		"directly. Both gave %s. Target: any period in at most 50 ms.\n\n"
		"| period | units | kept: best ms | median ms | scan: best ms | median ms "
		"| scan / kept |\n|---|---|---|---|---|---|---|\n",
		fg->diffs ? "**different counts**" : "identical counts, field by field");
	static const char *const spans[3] = {"%04d-06", "%04d-Q2", "%04d"};
	for (int p = 0; p < 3; p++) {
		const struct summary *c = fg->counts[p];
		char label[16];
		snprintf(label, sizeof(label), spans[p], fg->year);
		if (p < fg->scan_spans)
			fprintf(f, "| %s (%s) | %d | %.1f | %.1f | %.1f | %.1f | %.1f× |\n", span_names[p], label,
				fg->count_units[p], c[0].best, c[0].p50, c[1].best, c[1].p50, ratio(&c[1], &c[0]));
		else
			fprintf(f, "| %s (%s) | %d | %.1f | %.1f | not run | | |\n", span_names[p], label,
				fg->count_units[p], c[0].best, c[0].p50);
	}
	fprintf(f, "<!-- reads:end -->\n");
}

int main(int argc, char **argv)
{
	const char *db = NULL, *write_to = NULL;
	int64_t limit = 0, rounds = 3, scan_rounds = -1, scan_spans = 3;
	bool cold = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--cold"))
			cold = true;
		else if (i + 1 >= argc)
			usage();
		else if (!strcmp(a, "--db"))
			db = argv[++i];
		else if (!strcmp(a, "--units"))
			limit = num_opt(a, argv[++i], 1, 1000000);
		else if (!strcmp(a, "--rounds"))
			rounds = num_opt(a, argv[++i], 1, 1000);
		else if (!strcmp(a, "--scan-rounds"))
			scan_rounds = num_opt(a, argv[++i], 1, 1000);
		else if (!strcmp(a, "--scan-spans"))
			scan_spans = num_opt(a, argv[++i], 1, 3);
		else if (!strcmp(a, "--write"))
			write_to = argv[++i];
		else
			usage();
	}
	if (!db)
		usage();
	if (access(db, R_OK | W_OK) != 0) {
		fprintf(stderr, "reads: %s: no such database (make one with build/bench/gen)\n", db);
		return 1;
	}
	log_set_level_from_env();
	setvbuf(stdout, NULL, _IOLBF, 0); /* each figure as it comes, also into a log file */
	struct figures fg = {.cold = cold};
	if (getloadavg(&fg.load, 1) < 1)
		fg.load = -1;

	/* open (the first open of a database from an older jiesu migrates it: timed apart) */
	struct store *st;
	struct err e;
	err_init(&e);
	double t0 = now_ms();
	if (store_open(db, &st, &e) != OK)
		die("open", &e);
	fg.open_ms = now_ms() - t0;

	/* 3. the size of the data, and its year (from the first case) */
	struct case_query all = {.overdue = -1, .page = 1, .per_page = 1};
	int rows = 0, month, mday;
	if (store_cases_list(st, &all, count_row, &rows, &fg.cases, &e) != OK)
		die("count the cases", &e);
	struct case_rec *first = xmalloc(sizeof(*first));
	if (store_case_get(st, 1, first, &e) != OK)
		die("case 1 (the data's year)", &e);
	civil_from_days(time_local_day(first->created_at), &fg.year, &month, &mday);
	free(first);
	printf("reads: db=%s cases=%lld year=%d open_ms=%.0f\n", db, (long long)fg.cases, fg.year,
	       fg.open_ms);

	struct units us = {.limit = (int)limit, .st = st, .e = &e};
	if (store_units_list(st, UNIT_STREET, NULL, add_unit, &us, &e) != OK ||
	    store_units_list(st, UNIT_DEPARTMENT, NULL, add_unit, &us, &e) != OK)
		die("list the units", &e);
	fg.streets = us.taken[UNIT_STREET];
	fg.departments = us.taken[UNIT_DEPARTMENT];
	printf("reads: units streets=%d/%d departments=%d/%d (leading an open case / listed)\n", fg.streets,
	       us.listed[UNIT_STREET], fg.departments, us.listed[UNIT_DEPARTMENT]);
	if (!us.n)
		die("no street or department leads an open case", NULL);

	if (cold) {
		store_close(st);
		drop_cached(db);
		if (store_open(db, &st, &e) != OK)
			die("open", &e);
	}
	t0 = now_ms();
	inbox_run(st, &us, (int)rounds, &fg);
	printf("reads: inbox seconds=%.1f\n", (now_ms() - t0) / 1000);
	rates_run(st, (int)rounds, &fg);
	if (scan_rounds < 0 || scan_rounds > rounds)
		scan_rounds = rounds;
	fg.scan_rounds = (int)scan_rounds;
	fg.scan_spans = (int)scan_spans;
	counts_run(st, (int)rounds, &fg);
	store_close(st);
	free(us.code);

	struct stat sb;
	fg.bytes = stat(db, &sb) == 0 ? (int64_t)sb.st_size : -1;
	printf("reads: db_bytes=%lld\n", (long long)fg.bytes);
	if (write_to) {
		FILE *f = fopen(write_to, "w");
		if (!f) {
			fprintf(stderr, "reads: cannot write %s\n", write_to);
			return 1;
		}
		write_section(f, &fg, db, (int)rounds, (int)limit, argc, argv);
		if (fclose(f) != 0) {
			fprintf(stderr, "reads: cannot write %s\n", write_to);
			return 1;
		}
	}
	return fg.diffs ? 1 : 0;
}
