/*
 * bench/gen.c — a year of a Beijing-size city, written through jiesu's own
 * domain and store: the workload for the city-scale benchmarks (issue 6,
 * docs/PERFORMANCE.md "Workload generator").
 *
 *   build/bench/gen --db PATH --cases N [--year 2025] [--seed S]
 *                   [--data ../shared/data] [--batch CASES]
 *                   [--sweep-seconds S] [--digest] [--quiet]
 *
 * It creates the database (refusing an existing file) with the demo catalog
 * and demo accounts, as `jiesu init --demo` does, adds one account per
 * handling unit, then plays N cases through the year in time order: every
 * intake is case_create, every later step case_act with an explicit now,
 * and the deadline sweep (case_sweep) runs every --sweep-seconds of
 * simulated time as `jiesu serve` runs it, so warnings and overdue marks
 * are written by the same code. No SQL is written here: a case is its
 * events, its row their fold, its facts those the fold yields.
 *
 * Speed: many cases share one durable commit. One outer store_begin is
 * open while --batch cases (default 2000) arrive; every domain call nests
 * inside it (store_begin nests as a savepoint) and store_commit makes the
 * batch durable.
 *
 * Memory: what is kept is the state of the open cases (struct sim, a few
 * hundred bytes each, freed when a case's story ends), one day's arrival
 * times, and the reference tables (units, accounts, categories): no
 * per-case array over the whole run.
 *
 * Determinism: one seed gives the same cases and events (the salts of the
 * password hashes and the load times of the reference data differ): each case draws from its own random
 * stream seeded by (seed, arrival number), and the simulation runs in one thread in a fixed order (time, then
 * insertion). --digest prints a BLAKE2b digest of every event so that two runs can be compared.
 *
 * Every distribution is documented in docs/PERFORMANCE.md (the gen
 * section): where it comes from (a file under --data, a published figure,
 * or an assumption) and what it is.
 *
 * Output: a progress bar on stderr (a line every 10 s when stderr is not a
 * terminal), then "gen: key=value" lines on stdout for bench/gen.sh and the
 * test.
 */
#include "domain/auth.h"
#include "domain/case.h"
#include "domain/catalog.h"
#include "domain/deadline.h"
#include "domain/geo.h"

#include <errno.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define DAY 86400
#define HOUR 3600
#define MINUTE 60

static void die(const char *what, const struct err *e)
{
	fprintf(stderr, "gen: %s%s%s\n", what, e ? ": " : "", e ? e->msg : "");
	exit(1);
}

/* ================================================================ random */

/* xoshiro256** (Blackman & Vigna), seeded through splitmix64. */
struct rng {
	uint64_t s[4];
};

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed * 0x2545F4914F6CDD1Dull ^ (stream + 0x632BE59BD9B4E019ull);
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix(&x);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s, out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

/* Uniform in [0, 1). */
static double unif(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

static double unif_in(struct rng *r, double lo, double hi)
{
	return lo + (hi - lo) * unif(r);
}

static int below(struct rng *r, int n)
{
	return (int)(unif(r) * n);
}

static bool chance(struct rng *r, double p)
{
	return unif(r) < p;
}

/* Standard normal (Box–Muller, one of the pair). */
static double normal(struct rng *r)
{
	double u = unif(r), v = unif(r);
	return sqrt(-2.0 * log(1.0 - u)) * cos(2.0 * M_PI * v);
}

/* A duration in seconds, log-normal with this median (seconds) and sigma, at least one second. */
static int64_t lognorm(struct rng *r, double median, double sigma)
{
	double x = median * exp(sigma * normal(r));
	return x < 1 ? 1 : (int64_t)x;
}

/* Index drawn from a cumulative weight table of n entries (cum[n-1] = total). */
static int pick_cum(struct rng *r, const double *cum, int n)
{
	double x = unif(r) * cum[n - 1];
	int lo = 0, hi = n - 1;
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (cum[mid] > x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* ================================================================ shapes from data */

/*
 * Arrival shapes. Hour of day: the mean of the hourly shares of the SF 311
 * sample (created_date, local time although written +00:00) and the NYC
 * 311 2011 sample (Created Date; rows at exactly 12:00:00 AM are dates
 * without a time and are left out). Day of week: SF alone (the NYC sample
 * covers three days). The counts below are what this program computes from
 * those files (the same rules as load_us311); they are used when the files
 * are absent, so the database is the same with or without them.
 */
static const int sf_hour_fallback[24] = {93,  58,  48,	48,  62,  79,  171, 413, 682, 816, 758, 814,
					 693, 738, 699, 722, 675, 579, 515, 384, 338, 263, 191, 161};
static const int nyc_hour_fallback[24] = {22,  25,  17,	 10,  7,   11, 13,  40, 62, 149, 159, 181,
					  161, 235, 149, 158, 137, 81, 120, 50, 34, 56,	 64,  58};
static const int sf_wday_fallback[7] = {1666, 1681, 1590, 1655, 1460, 998, 950}; /* Monday first */

/*
 * First-level classes of the teddycup2020 labelled messages (attachment2,
 * column 一级分类), in this order, with their counts as fallback.
 */
#define TC_CLASSES 7
static const char *const tc_class[TC_CLASSES] = {"劳动和社会保障", "城乡建设", "教育文体", "卫生计生",
						 "交通运输",	   "商贸旅游", "环境保护"};
static const int tc_fallback[TC_CLASSES] = {104, 101, 96, 58, 55, 48, 33};

struct shapes {
	int sf_hour[24], nyc_hour[24], sf_wday[7], tc[TC_CLASSES];
	bool us_from_data, tc_from_data;
	double hour_cum[24];
	double wday[7]; /* mean 1 over the week */
};

/*
 * A minimal CSV record reader (RFC 4180 quotes, embedded newlines): calls
 * fn with the fields of each record. core's csv_parse caps a row at 32
 * fields, fewer than the NYC file has.
 */
typedef void (*rec_fn)(void *ctx, int nf, char **f);
static void csv_records(char *data, size_t len, rec_fn fn, void *ctx)
{
	char *fields[64];
	size_t i = 0;
	if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
		i = 3;
	while (i < len) {
		int nf = 0;
		char *w = data + i; /* write pointer: unquoting shrinks in place */
		fields[nf++] = w;
		bool q = false;
		while (i < len) {
			char c = data[i++];
			if (q) {
				if (c == '"' && i < len && data[i] == '"') {
					*w++ = '"';
					i++;
				} else if (c == '"') {
					q = false;
				} else {
					*w++ = c;
				}
			} else if (c == '"') {
				q = true;
			} else if (c == ',') {
				*w++ = '\0';
				if (nf < 64)
					fields[nf++] = w;
			} else if (c == '\n' || c == '\r') {
				if (c == '\r' && i < len && data[i] == '\n')
					i++;
				break;
			} else {
				*w++ = c;
			}
		}
		*w = '\0';
		fn(ctx, nf, fields);
	}
}

struct us_count {
	int *hour, *wday;
	int col;   /* column of the creation time, found from the header */
	bool head; /* header row seen */
	bool nyc;
	int rows;
};

static int weekday_of(int y, int m, int d)
{
	return (int)((days_from_civil(y, m, d) % 7 + 10) % 7); /* 1970-01-01 was a Thursday: Monday = 0 */
}

static void us_row(void *ctx, int nf, char **f)
{
	struct us_count *u = ctx;
	if (!u->head) {
		u->head = true;
		for (int i = 0; i < nf; i++)
			if (!strcmp(f[i], u->nyc ? "Created Date" : "created_date"))
				u->col = i;
		return;
	}
	if (u->col < 0 || u->col >= nf)
		return;
	const char *s = f[u->col];
	int y, mo, d, h, mi, sec;
	if (u->nyc) {
		char ap[3] = "";
		if (sscanf(s, "%d/%d/%d %d:%d:%d %2s", &mo, &d, &y, &h, &mi, &sec, ap) != 7)
			return;
		if (h == 12 && mi == 0 && sec == 0 && !strcmp(ap, "AM"))
			return; /* a date without a time */
		h = h % 12 + (!strcmp(ap, "PM") ? 12 : 0);
	} else if (sscanf(s, "%d-%d-%d %d:%d:%d", &y, &mo, &d, &h, &mi, &sec) != 6) {
		return;
	}
	if (h < 0 || h > 23)
		return;
	u->hour[h]++;
	if (u->wday)
		u->wday[weekday_of(y, mo, d)]++;
	u->rows++;
}

/* Count the file's creation times into hour (and wday); false if it cannot be read. */
static bool load_us311(const char *path, bool nyc, int hour[24], int *wday)
{
	char *data;
	size_t len;
	struct err e;
	if (file_read_all(path, 64u << 20, &data, &len, &e) != OK)
		return false;
	int h[24] = {0}, w[7] = {0};
	struct us_count u = {h, wday ? w : NULL, -1, false, nyc, 0};
	csv_records(data, len, us_row, &u);
	free(data);
	if (u.rows < 100)
		return false;
	memcpy(hour, h, sizeof(h));
	if (wday)
		memcpy(wday, w, sizeof(w));
	return true;
}

struct tc_count {
	int col;
	bool head;
	int n[TC_CLASSES];
	int rows;
};

static void tc_row(void *ctx, int nf, char **f)
{
	struct tc_count *t = ctx;
	if (!t->head) {
		t->head = true;
		for (int i = 0; i < nf; i++)
			if (!strcmp(f[i], "一级分类"))
				t->col = i;
		return;
	}
	if (t->col < 0 || t->col >= nf)
		return;
	for (int k = 0; k < TC_CLASSES; k++)
		if (!strcmp(f[t->col], tc_class[k])) {
			t->n[k]++;
			t->rows++;
		}
}

static void shapes_load(struct shapes *sh, const char *data_dir, bool quiet)
{
	char p1[4096], p2[4096], p3[4096];
	snprintf(p1, sizeof(p1), "%s/us/sf311_2008-2018_sample_10000rows.csv", data_dir);
	snprintf(p2, sizeof(p2), "%s/us/nyc311_2011_sample_2000rows.csv", data_dir);
	snprintf(p3, sizeof(p3), "%s/corpus/teddycup2020/attachment2_sample_labelled_messages.csv", data_dir);
	sh->us_from_data =
	    load_us311(p1, false, sh->sf_hour, sh->sf_wday) && load_us311(p2, true, sh->nyc_hour, NULL);
	if (!sh->us_from_data) {
		memcpy(sh->sf_hour, sf_hour_fallback, sizeof(sh->sf_hour));
		memcpy(sh->nyc_hour, nyc_hour_fallback, sizeof(sh->nyc_hour));
		memcpy(sh->sf_wday, sf_wday_fallback, sizeof(sh->sf_wday));
		if (!quiet)
			fprintf(stderr,
				"gen: %s/us absent (test-only data): arrival shapes from the counts built "
				"into gen.c\n",
				data_dir);
	} else if (memcmp(sh->sf_hour, sf_hour_fallback, sizeof(sh->sf_hour)) ||
		   memcmp(sh->nyc_hour, nyc_hour_fallback, sizeof(sh->nyc_hour)) ||
		   memcmp(sh->sf_wday, sf_wday_fallback, sizeof(sh->sf_wday))) {
		fprintf(stderr, "gen: note: the 311 files give other counts than those built into gen.c\n");
	}
	char *data;
	size_t len;
	struct err e;
	struct tc_count t = {.col = -1};
	if (file_read_all(p3, 64u << 20, &data, &len, &e) == OK) {
		csv_records(data, len, tc_row, &t);
		free(data);
	}
	sh->tc_from_data = t.rows >= 100;
	if (sh->tc_from_data) {
		memcpy(sh->tc, t.n, sizeof(sh->tc));
		if (memcmp(sh->tc, tc_fallback, sizeof(sh->tc)))
			fprintf(
			    stderr,
			    "gen: note: teddycup2020 gives other class counts than those built into gen.c\n");
	} else {
		memcpy(sh->tc, tc_fallback, sizeof(sh->tc));
		if (!quiet)
			fprintf(stderr,
				"gen: %s/corpus/teddycup2020 absent (test-only data): category shares from "
				"the counts built into gen.c\n",
				data_dir);
	}
	double sf = 0, ny = 0, wk = 0, acc = 0;
	for (int h = 0; h < 24; h++) {
		sf += sh->sf_hour[h];
		ny += sh->nyc_hour[h];
	}
	for (int h = 0; h < 24; h++) {
		acc += 0.5 * sh->sf_hour[h] / sf + 0.5 * sh->nyc_hour[h] / ny;
		sh->hour_cum[h] = acc;
	}
	for (int d = 0; d < 7; d++)
		wk += sh->sf_wday[d];
	for (int d = 0; d < 7; d++)
		sh->wday[d] = sh->sf_wday[d] * 7.0 / wk;
}

/*
 * Volume by month (assumed, see PERFORMANCE.md): summer peaks (heat,
 * rain storms, water and power), the start of the heating season in
 * November, the Spring Festival trough in February.
 */
static const double month_factor[12] = {0.95, 0.85, 0.95, 0.95, 1.00, 1.05,
					1.15, 1.12, 1.00, 0.95, 1.05, 1.00};
/* An official day off (holiday) draws this share of an ordinary weekend day (assumed). */
#define HOLIDAY_FACTOR 0.8

/* ================================================================ reference data */

/*
 * 2020 census population of Beijing's districts (北京市第七次全国人口普查
 * 公报, 2021; total 21,893,095): the share of cases per district.
 */
static const struct {
	const char *code;
	int pop;
} census[] = {
    {"110101", 708829},	 {"110102", 1106214}, {"110105", 3452460}, {"110106", 2019764},
    {"110107", 567851},	 {"110108", 3133469}, {"110109", 392606},  {"110111", 1312778},
    {"110112", 1840295}, {"110113", 1324044}, {"110114", 2269487}, {"110115", 1993591},
    {"110116", 441040},	 {"110117", 457313},  {"110118", 527683},  {"110119", 345671},
};
/* A village (村) counts this much of an urban residents' community (社区) as a population proxy (assumed). */
#define VILLAGE_WEIGHT 0.3

struct gunit {
	struct actor who; /* the account this unit's actions are taken with */
	int district;	  /* index into dists[] */
	int parent;	  /* index into units[] of the street (communities), -1 otherwise */
	double w;	  /* communities: population proxy */
	char shortname[TEXT_BYTES(LIMIT_UNIT_NAME)]; /* communities: 多福巷社区, 楼梓庄村 */
	int *kids;				     /* streets: their communities (indexes into units[]) */
	double *kidcum;
	int nkids;
};

#define MAX_SECTORS 48
struct gdistrict {
	int unit; /* index into units[] */
	double pop;
	struct actor sup; /* the district's supervisor */
	int *streets;
	double *streetcum;
	int nstreets;
	char sectors[MAX_SECTORS][32];
	int sector_unit[MAX_SECTORS];
	int nsectors;
};

/*
 * The category groups: each teddycup2020 class and the demo tree's
 * categories it stands for (by path prefix), and the demo first levels no
 * labelled class covers, with an assumed share of all cases.
 */
struct group {
	const char *name;
	int tc; /* index into tc_class, -1 = assumed share */
	double assumed;
	const char *prefixes[10];
};
static const struct group groups[] = {
    {"劳动和社会保障", 0, 0, {"劳动和社会保障->", "企业服务->人事人才->", NULL}},
    {"城乡建设",
     1,
     0,
     {"住房->", "城市管理->", "物业管理->", "公用事业->", "安全隐患->", "企业服务->建筑住房->",
      "企业服务->规划与工程建设->", "企业服务->城市管理->", NULL}},
    {"教育文体", 2, 0, {"教育->", "科体文宣->", "企业服务->文体科教->", NULL}},
    {"卫生计生", 3, 0, {"卫生健康->", "企业服务->医卫健康->", NULL}},
    {"交通运输", 4, 0, {"交通管理->", "企业服务->交通运输->", NULL}},
    {"环境保护", 6, 0, {"环境保护->", "企业服务->环保节能->", NULL}},
    {"民政（未标注，假定）", -1, 0.05, {"民政事务->", "企业服务->民政司法->", NULL}},
    {"退役军人（未标注，假定）", -1, 0.01, {"退役军人事务->", NULL}},
    {"纪检监察（未标注，假定）", -1, 0.01, {"违纪举报->", "政务失信投诉举报->", NULL}},
    /* last: every other 企业服务 category (market, trade, finance, ...) */
    {"商贸旅游", 5, 0, {"企业服务->", NULL}},
};
#define NGROUPS ((int)ARRAY_SIZE(groups))
#define ASSUMED_SHARE 0.07 /* sum of the assumed shares above */

struct gcat {
	int64_t id;
	enum tier tier;
	int group;
	char path[TEXT_BYTES(LIMIT_PATH)];
	char leaf[TEXT_BYTES(64)];
	char first[TEXT_BYTES(32)];
	bool report_only; /* 违纪举报, 政务失信: reports by nature */
	double season[12];
};

/*
 * Seasonal multipliers for some categories (assumed; Beijing's heating
 * season runs from 15 November to 15 March).
 */
static void category_season(struct gcat *c)
{
	for (int m = 0; m < 12; m++)
		c->season[m] = 1.0;
	static const double heat[12] = {2.5, 2.0, 1.5, 0.3, 0.2, 0.2, 0.2, 0.2, 0.2, 0.5, 3.0, 2.5};
	static const double summer[12] = {0.8, 0.8, 0.8, 0.9, 1.0, 1.5, 2.0, 2.0, 1.2, 0.9, 0.8, 0.8};
	static const double noise[12] = {0.7, 0.7, 0.8, 1.0, 1.3, 1.5, 1.6, 1.5, 1.2, 1.0, 0.8, 0.7};
	static const double school[12] = {0.8, 0.8, 1.0, 1.2, 1.6, 1.8, 1.6, 1.4, 1.2, 0.8, 0.7, 0.7};
	const double *f = NULL;
	if (str_has_prefix(c->path, "公用事业->供暖"))
		f = heat;
	else if (str_has_prefix(c->path, "公用事业->"))
		f = summer;
	else if (str_has_prefix(c->path, "城市管理->噪声扰民"))
		f = noise;
	else if (str_has_prefix(c->path, "教育->入学升学"))
		f = school;
	if (f)
		memcpy(c->season, f, sizeof(c->season));
}

/* Sectors a street may whistle (吹哨) departments and enterprises of. */
static const char *const whistle_sectors[] = {"chengguan", "zhifa",  "zhujian", "shichang", "shengtai",
					      "jiaotong",  "gongan", "yuanlin", "shuiwu",   "guihua",
					      "xiaofang",  "yingji", "water",	"power",    "heat"};
/* Departments a dispute (退单) over ownership or remit may send a case on to. */
static const char *const redispatch_sectors[] = {"chengguan", "zhujian",  "shichang",
						 "zhifa",     "jiaotong", "yuanlin"};

struct world {
	struct store *st;
	bool resume; /* the accounts are in the database already: look them up */
	struct case_ctx cx;
	struct gunit *units;
	int nunits;
	struct strmap unit_index; /* code → index into units[] */
	struct gdistrict dists[16];
	int ndists;
	double dist_cum[16];
	struct actor agents[24], dispatchers[8];
	struct gcat *cats;
	int ncats;
	double *cat_cum[12]; /* per month */
	/* points inside each district (GCJ-02), for requests sent from a phone app with a location */
	double (*pts)[64][2];
};

static void progress_quiet(void *ctx, const char *what, size_t done, size_t total)
{
}

struct unit_list {
	struct unit *u;
	int n, cap;
};

static int collect_unit(void *ctx, const struct unit *u)
{
	struct unit_list *l = ctx;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 1024;
		l->u = xrealloc(l->u, (size_t)l->cap * sizeof(*l->u));
	}
	l->u[l->n++] = *u;
	return 0;
}

/* A community's short name as people say it: 多福巷社区居委会 → 多福巷社区, 楼梓庄村委会 → 楼梓庄村. */
static void community_short(const char *name, char *out, size_t n)
{
	static const struct {
		const char *suffix, *keep;
	} rules[] = {{"社区居委会", "社区"}, {"社区居民委员会", "社区"}, {"村民委员会", "村"},
		     {"村委会", "村"},	     {"居民委员会", ""},	 {"居委会", ""}};
	size_t len = strlen(name);
	for (size_t i = 0; i < ARRAY_SIZE(rules); i++) {
		size_t sl = strlen(rules[i].suffix);
		if (len > sl && !strcmp(name + len - sl, rules[i].suffix)) {
			snprintf(out, n, "%.*s%s", (int)(len - sl), name, rules[i].keep);
			return;
		}
	}
	strlcpy_ok(out, name, n);
}

static bool is_village(const char *name)
{
	size_t len = strlen(name);
	return strstr(name, "村民委员会") || (len > 9 && !strcmp(name + len - 9, "村委会"));
}

static int unit_idx(const struct world *w, const char *code)
{
	int64_t *v = strmap_get(&w->unit_index, code);
	return v ? (int)*v : -1;
}

/* A user account at a unit, with the shared demo password hash; the actor is filled. */
static void add_account(struct world *w, const char *login, const char *name, const struct unit *u,
			enum role role, const char *hash, int64_t now, struct actor *out)
{
	struct err e;
	memset(out, 0, sizeof(*out));
	struct user *us = &out->user;
	strlcpy_ok(us->login, login, sizeof(us->login));
	/* a long unit name is cut at a character boundary to fit LIMIT_NAME characters */
	char nm[TEXT_BYTES(LIMIT_NAME)];
	strlcpy_ok(nm, name, sizeof(nm));
	while (utf8_len(nm) > LIMIT_NAME) {
		size_t l = strlen(nm);
		while (l > 0 && ((unsigned char)nm[l - 1] & 0xC0) == 0x80)
			l--;
		nm[l > 0 ? l - 1 : 0] = '\0';
	}
	strlcpy_ok(us->name, nm, sizeof(us->name));
	strlcpy_ok(us->pw_hash, hash, sizeof(us->pw_hash));
	strlcpy_ok(us->unit, u->code, sizeof(us->unit));
	us->role = role;
	us->active = true;
	us->created_at = now;
	if (w->resume ? store_user_by_login(w->st, login, us, &e) != OK : store_user_insert(w->st, us, &e) != OK)
		die("add account", &e);
	out->unit = *u;
}

/*
 * Load the units, accounts and categories into the world: one handler
 * account per unit that handles cases (the demo account where `jiesu init
 * --demo` made one), a supervisor per district, agents and dispatchers at
 * the centre.
 */
static void world_load(struct world *w, int64_t t0)
{
	struct err e;
	struct unit_list l = {0};
	if (store_units_list(w->st, -1, NULL, collect_unit, &l, &e) != OK)
		die("units", &e);
	char hash[crypto_pwhash_STRBYTES];
	if (crypto_pwhash_str(hash, CATALOG_DEMO_PASSWORD, strlen(CATALOG_DEMO_PASSWORD), crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		die("password hash", NULL);
	struct unit centre;
	if (store_unit_get(w->st, CENTRE_CODE, &centre, &e) != OK)
		die("centre", &e);
	/* demo handlers by unit code */
	struct strmap demo = {0};
	for (size_t i = 0; i < catalog_demo_users_count; i++) {
		struct user u;
		if (strcmp(catalog_demo_users[i].role, "handler") != 0)
			continue;
		if (store_user_by_login(w->st, catalog_demo_users[i].login, &u, &e) != OK)
			die("demo user", &e);
		strmap_add(&demo, u.unit, u.id);
	}
	w->units = xcalloc((size_t)l.n, sizeof(*w->units));
	if (store_begin(w->st, &e) != OK)
		die("begin", &e);
	/* districts first (ordered by code), then everything under them */
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < l.n; i++) {
			const struct unit *u = &l.u[i];
			if (u->kind == UNIT_CENTRE || (pass == 0) != (u->kind == UNIT_DISTRICT))
				continue;
			int k = w->nunits++;
			struct gunit *g = &w->units[k];
			g->parent = -1;
			strmap_add(&w->unit_index, u->code, k);
			int64_t *did = strmap_get(&demo, u->code);
			if (did) {
				if (store_user_by_id(w->st, *did, &g->who.user, &e) != OK)
					die("demo user", &e);
				g->who.unit = *u;
			} else {
				char login[LIMIT_LOGIN + 1], name[TEXT_BYTES(LIMIT_UNIT_NAME + 4)];
				snprintf(login, sizeof(login), "gen.%s", u->code);
				snprintf(name, sizeof(name), "%s承办人", u->name);
				add_account(w, login, name, u, ROLE_HANDLER, hash, t0, &g->who);
			}
			if (u->kind == UNIT_DISTRICT) {
				if (w->ndists >= (int)ARRAY_SIZE(w->dists))
					die("more than 16 districts in the demo catalog", NULL);
				struct gdistrict *d = &w->dists[w->ndists];
				d->unit = k;
				g->district = w->ndists++;
				for (size_t c = 0; c < ARRAY_SIZE(census); c++)
					if (!strcmp(census[c].code, u->code))
						d->pop = census[c].pop;
				char login[LIMIT_LOGIN + 1], name[TEXT_BYTES(LIMIT_UNIT_NAME + 4)];
				snprintf(login, sizeof(login), "gen.%s.supervisor", u->code);
				snprintf(name, sizeof(name), "%s督办员", u->name);
				add_account(w, login, name, u, ROLE_SUPERVISOR, hash, t0, &d->sup);
			} else {
				/* the district is the first 6 digits of a street, community or department
				 * code */
				char dcode[7];
				snprintf(dcode, sizeof(dcode), "%.6s", u->code);
				int di = unit_idx(w, dcode);
				if (di < 0)
					die("a unit outside every district", NULL);
				g->district = w->units[di].district;
				if (u->kind == UNIT_COMMUNITY) {
					g->parent = unit_idx(w, u->parent);
					g->w = is_village(u->name) ? VILLAGE_WEIGHT : 1.0;
					community_short(u->name, g->shortname, sizeof(g->shortname));
				}
				if ((u->kind == UNIT_DEPARTMENT || u->kind == UNIT_ENTERPRISE) &&
				    *u->sector) {
					struct gdistrict *d = &w->dists[g->district];
					if (d->nsectors < MAX_SECTORS) {
						strlcpy_ok(d->sectors[d->nsectors], u->sector,
							   sizeof(d->sectors[0]));
						d->sector_unit[d->nsectors++] = k;
					}
				}
			}
		}
	}
	/* centre accounts: the demo agent and dispatcher, and more of each */
	const char *const centre_logins[2] = {"agent", "dispatcher"};
	for (int r = 0; r < 2; r++) {
		struct actor *pool = r == 0 ? w->agents : w->dispatchers;
		int n = r == 0 ? (int)ARRAY_SIZE(w->agents) : (int)ARRAY_SIZE(w->dispatchers);
		if (store_user_by_login(w->st, centre_logins[r], &pool[0].user, &e) != OK)
			die("demo centre account", &e);
		pool[0].unit = centre;
		for (int i = 1; i < n; i++) {
			char login[LIMIT_LOGIN + 1], name[64];
			snprintf(login, sizeof(login), "gen.%s.%02d", centre_logins[r], i);
			snprintf(name, sizeof(name), "%s %02d", r == 0 ? "受理员" : "派单员", i);
			add_account(w, login, name, &centre, r == 0 ? ROLE_AGENT : ROLE_DISPATCHER, hash, t0,
				    &pool[i]);
		}
	}
	if (store_commit(w->st, &e) != OK)
		die("commit", &e);
	strmap_release(&demo);
	free(l.u);

	/* streets under districts, communities under streets, with cumulative weights */
	for (int k = 0; k < w->nunits; k++) {
		struct gunit *g = &w->units[k];
		if (g->who.unit.kind == UNIT_COMMUNITY && g->parent >= 0) {
			struct gunit *s = &w->units[g->parent];
			s->kids = xrealloc(s->kids, (size_t)(s->nkids + 1) * sizeof(int));
			s->kidcum = xrealloc(s->kidcum, (size_t)(s->nkids + 1) * sizeof(double));
			s->kids[s->nkids] = k;
			s->kidcum[s->nkids] = (s->nkids ? s->kidcum[s->nkids - 1] : 0) + g->w;
			s->nkids++;
		}
	}
	for (int k = 0; k < w->nunits; k++) {
		struct gunit *g = &w->units[k];
		if (g->who.unit.kind != UNIT_STREET || g->nkids == 0)
			continue;
		struct gdistrict *d = &w->dists[g->district];
		d->streets = xrealloc(d->streets, (size_t)(d->nstreets + 1) * sizeof(int));
		d->streetcum = xrealloc(d->streetcum, (size_t)(d->nstreets + 1) * sizeof(double));
		d->streets[d->nstreets] = k;
		d->streetcum[d->nstreets] =
		    (d->nstreets ? d->streetcum[d->nstreets - 1] : 0) + g->kidcum[g->nkids - 1];
		d->nstreets++;
	}
	double acc = 0;
	for (int i = 0; i < w->ndists; i++) {
		if (w->dists[i].pop <= 0 || w->dists[i].nstreets == 0)
			die("a demo district without a census figure or streets", NULL);
		acc += w->dists[i].pop;
		w->dist_cum[i] = acc;
	}
}

struct cat_list {
	struct world *w;
	int cap;
};

static int collect_cat(void *ctx, const struct category *c)
{
	struct cat_list *cl = ctx;
	struct world *w = cl->w;
	if (w->ncats == cl->cap) {
		cl->cap = cl->cap ? cl->cap * 2 : 512;
		w->cats = xrealloc(w->cats, (size_t)cl->cap * sizeof(*w->cats));
	}
	struct gcat *g = &w->cats[w->ncats];
	memset(g, 0, sizeof(*g));
	g->id = c->id;
	g->tier = c->tier;
	strlcpy_ok(g->path, c->path, sizeof(g->path));
	const char *leaf = strrchr(c->path, '>');
	strlcpy_ok(g->leaf, leaf ? leaf + 1 : c->path, sizeof(g->leaf));
	const char *arrow = strstr(c->path, "->");
	snprintf(g->first, sizeof(g->first), "%.*s", arrow ? (int)(arrow - c->path) : (int)strlen(c->path),
		 c->path);
	g->group = -1;
	for (int k = 0; k < NGROUPS && g->group < 0; k++)
		for (int p = 0; groups[k].prefixes[p] && g->group < 0; p++)
			if (str_has_prefix(c->path, groups[k].prefixes[p]))
				g->group = k;
	g->report_only =
	    str_has_prefix(c->path, "违纪举报->") || str_has_prefix(c->path, "政务失信投诉举报->");
	category_season(g);
	w->ncats++;
	return 0;
}

/*
 * Category weights per month: a group's share (its teddycup2020 class
 * count scaled to 1 - ASSUMED_SHARE, or its assumed share) split evenly
 * over the group's categories, times the category's seasonal factor.
 */
/* Free what world_load, categories_load and points_load allocated. */
static void world_release(struct world *w)
{
	for (int i = 0; i < w->nunits; i++) {
		free(w->units[i].kids);
		free(w->units[i].kidcum);
	}
	for (int d = 0; d < w->ndists; d++) {
		free(w->dists[d].streets);
		free(w->dists[d].streetcum);
	}
	free(w->units);
	strmap_release(&w->unit_index);
	free(w->cats);
	for (int m = 0; m < 12; m++)
		free(w->cat_cum[m]);
	free(w->pts);
}

static void categories_load(struct world *w, const struct shapes *sh)
{
	struct err e;
	struct cat_list cl = {w, 0};
	if (store_categories_list(w->st, collect_cat, &cl, &e) != OK)
		die("categories", &e);
	int members[NGROUPS] = {0};
	double tc_total = 0;
	for (int k = 0; k < TC_CLASSES; k++)
		tc_total += sh->tc[k];
	for (int i = 0; i < w->ncats; i++)
		if (w->cats[i].group >= 0)
			members[w->cats[i].group]++;
	for (int m = 0; m < 12; m++) {
		w->cat_cum[m] = xmalloc((size_t)w->ncats * sizeof(double));
		double acc = 0;
		for (int i = 0; i < w->ncats; i++) {
			const struct gcat *c = &w->cats[i];
			double share = 0;
			if (c->group >= 0) {
				const struct group *g = &groups[c->group];
				share = g->tc >= 0 ? (1.0 - ASSUMED_SHARE) * sh->tc[g->tc] / tc_total
						   : g->assumed;
				share /= members[c->group];
			}
			acc += share * c->season[m];
			w->cat_cum[m][i] = acc;
		}
	}
}

/*
 * Points inside each district (GCJ-02) for requests that come with a
 * location: drawn in Beijing's bounding box and kept where the demo
 * boundaries put them, 64 per district.
 */
static void points_load(struct world *w, uint64_t seed)
{
	struct rng r;
	rng_seed(&r, seed, 0x9E0);
	w->pts = xcalloc((size_t)w->ndists, sizeof(*w->pts));
	int have[16] = {0}, missing = w->ndists;
	for (long tries = 0; missing > 0 && tries < 5000000; tries++) {
		double lon = unif_in(&r, 115.4, 117.6), lat = unif_in(&r, 39.4, 41.1);
		struct place_resolution res;
		struct err e;
		if (geo_resolve_point(w->cx.geo, lon, lat, CRS_GCJ02, &res, &e) != OK || res.needs_decision ||
		    !*res.district)
			continue;
		int k = unit_idx(w, res.district);
		if (k < 0)
			continue;
		int d = w->units[k].district;
		if (have[d] < 64) {
			w->pts[d][have[d]][0] = lon;
			w->pts[d][have[d]][1] = lat;
			if (++have[d] == 64)
				missing--;
		}
	}
	for (int d = 0; d < w->ndists; d++)
		if (have[d] < 64) /* no boundary or none found: that district's requests carry no location */
			w->pts[d][0][0] = 0;
}

/* ================================================================ texts */

static const char *const family[] = {"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴",
				     "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马", "罗"};
static const char *const given[] = {"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋",
				    "勇", "艳", "杰", "娟", "涛", "明", "超", "秀", "霞", "平",
				    "刚", "桂", "英", "华", "建", "文", "玲", "红"};

static void requester(struct rng *r, char *name, size_t nn, char *phone, size_t pn)
{
	if (chance(r, 0.6))
		snprintf(name, nn, "%s%s%s", family[below(r, ARRAY_SIZE(family))],
			 given[below(r, ARRAY_SIZE(given))], given[below(r, ARRAY_SIZE(given))]);
	else
		snprintf(name, nn, "%s%s", family[below(r, ARRAY_SIZE(family))],
			 given[below(r, ARRAY_SIZE(given))]);
	static const char *const pre[] = {"13", "15", "18", "17", "19"};
	snprintf(phone, pn, "%s%09d", pre[below(r, ARRAY_SIZE(pre))], below(r, 1000000000));
}

static const char *const type_title[] = {"咨询", "求助", "投诉", "举报", "建议"};
static const char *const type_body[][3] = {
    {"想了解%s方面的政策规定和办理流程", "询问%s相关事项需要准备哪些材料", "咨询%s的办理时间和地点"},
    {"遇到%s方面的困难，自己无法解决", "家中老人遇到%s问题，希望得到帮助",
     "%s问题已影响日常生活，请求帮助协调"},
    {"%s问题已经持续一段时间，多次反映未果", "对%s问题不满，影响正常生活",
     "%s方面存在问题，严重影响居民休息和出行"},
    {"发现有人在%s方面存在违规行为", "反映有关单位%s方面的违法违规问题", "现场存在%s违规情况，请依法查处"},
    {"建议相关部门改进%s工作", "对%s提出改进意见，希望采纳", "希望%s方面的服务更加便民"},
};
static const char *const asks[] = {"请相关部门尽快核实处理。", "希望尽快给予答复。", "请派人到现场查看。",
				   "请有关部门协调解决。"};

/* ================================================================ the simulation */

/* Steps of a case's handling after contact, run in time order (the agenda). */
enum item {
	IT_NOTE,
	IT_SUB,	   /* sub-dispatch to a community */
	IT_SUBFIN, /* the community finishes its part */
	IT_WHISTLE,
	IT_REPORT, /* arg: summoned unit number */
	IT_FINISH,
	IT_RATE,
	IT_SUPERVISE,
	IT_ANSWER_SUP,
	IT_EXTEND,
	IT_DECIDE_EXT,
	IT_ESCALATE,
	IT_PARK,
	IT_UNPARK,
	IT_OD_CALLBACK, /* the centre calls back on an overdue case before its reply */
	IT_REPLY,
	IT_APPLY_EXCL,
	IT_DECIDE_EXCL,
};

enum phase {
	PH_CREATE_DONE,
	PH_ANSWER,
	PH_REFER,
	PH_MERGE,
	PH_DISPATCH,
	PH_REDIRECT,
	PH_SIGN,
	PH_DECIDE_RETURN,
	PH_CONTACT,
	PH_WORK,
	PH_CALLBACK,
	PH_REOPEN,
	PH_CLOSE,
	PH_MERGED_CALLBACK,
};

#define AGENDA_MAX 24
struct step {
	int32_t dt; /* seconds after the case's creation */
	uint8_t kind, arg;
};

/* The plan of one open case. */
struct sim {
	int64_t id, created;
	struct rng r;
	int64_t merge_into;    /* PH_MERGE: the case it joins */
	int64_t due;	       /* the feedback due as last seen */
	int64_t extend_to;     /* IT_EXTEND: the new due asked for */
	int lead;	       /* units[] index of the lead unit, -1 before dispatch */
	int street, community; /* units[] indexes of the intended place */
	int cat;
	int wunits[3];
	uint8_t nw, wno;
	uint16_t seen; /* statuses this case has been in (bit per enum case_status) */
	uint8_t type, tier, phase, tries, reopens, n, at;
	bool placed; /* the place (street) is known */
	bool confidential, reveal, will_return, returned, redirect, unit_solved;
	struct step ag[AGENDA_MAX];
};

struct hent {
	int64_t t;
	uint64_t seq;
	uint32_t slot;
};

struct stats {
	int64_t cases, events, sweep_events, calls, skipped[CASE_ACTION_COUNT], by_action[CASE_ACTION_COUNT];
	int64_t auto_dispatched, located_by_hand, with_location, merged_tries;
	int64_t live, live_max;
	int64_t open_at_end;		    /* cases whose story goes on past the year's end */
	int64_t reached[CASE_STATUS_COUNT]; /* cases that were ever in each status */
};

struct sim_run {
	struct world *w;
	struct stats st;
	struct sim *pool;
	uint32_t npool, cap, *freel, nfree;
	struct hent *heap;
	size_t nheap, capheap;
	uint64_t seq;
	int64_t year_start, year_end;
	struct case_rec out; /* scratch: the row after each call */
	uint64_t seed;
	bool verbose;
	/* recent dispatched cases: duplicates join them (merge), repeats point to them */
	struct {
		int64_t id, created;
		int street, community, cat;
	} recent[256], older[256];
	int nrecent, nolder;
};

static void heap_push(struct sim_run *s, int64_t t, uint32_t slot)
{
	if (s->nheap == s->capheap) {
		s->capheap = s->capheap ? s->capheap * 2 : 4096;
		s->heap = xrealloc(s->heap, s->capheap * sizeof(*s->heap));
	}
	struct hent h = {t, s->seq++, slot};
	size_t i = s->nheap++;
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (s->heap[p].t < h.t || (s->heap[p].t == h.t && s->heap[p].seq < h.seq))
			break;
		s->heap[i] = s->heap[p];
		i = p;
	}
	s->heap[i] = h;
}

static struct hent heap_pop(struct sim_run *s)
{
	struct hent top = s->heap[0], last = s->heap[--s->nheap];
	size_t i = 0, n = s->nheap;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && (s->heap[c + 1].t < s->heap[c].t ||
				  (s->heap[c + 1].t == s->heap[c].t && s->heap[c + 1].seq < s->heap[c].seq)))
			c++;
		if (last.t < s->heap[c].t || (last.t == s->heap[c].t && last.seq < s->heap[c].seq))
			break;
		s->heap[i] = s->heap[c];
		i = c;
	}
	if (n)
		s->heap[i] = last;
	return top;
}

static uint32_t sim_alloc(struct sim_run *s)
{
	uint32_t slot;
	if (s->nfree) {
		slot = s->freel[--s->nfree];
	} else {
		if (s->npool == s->cap) {
			s->cap = s->cap ? s->cap * 2 : 4096;
			s->pool = xrealloc(s->pool, (size_t)s->cap * sizeof(*s->pool));
			s->freel = xrealloc(s->freel, (size_t)s->cap * sizeof(*s->freel));
		}
		slot = s->npool++;
	}
	memset(&s->pool[slot], 0, sizeof(s->pool[slot]));
	if (++s->st.live > s->st.live_max)
		s->st.live_max = s->st.live;
	return slot;
}

static void sim_free(struct sim_run *s, uint32_t slot)
{
	s->pool[slot].id = 0;
	s->freel[s->nfree++] = slot;
	s->st.live--;
}

/* ---------------------------------------------------------------- time helpers */

static int local_hour(int64_t t)
{
	return (int)(((t + LOCAL_UTC_OFFSET) % DAY + DAY) % DAY / HOUR);
}

static int64_t local_day(int64_t t)
{
	return time_local_day(t);
}

/* Local time h:00 of the local day day. */
static int64_t at_hour(int64_t day, double h)
{
	return day * DAY - LOCAL_UTC_OFFSET + (int64_t)(h * HOUR);
}

/*
 * A unit works on cases in the day, mostly on working days: a time outside
 * [from, to) moves to the next morning (with probability p_night), and a
 * time on a day off moves to the next working day (with probability p_off).
 */
static int64_t office(const struct sim_run *s, struct rng *r, int64_t t, double from, double to,
		      double p_night, double p_off)
{
	int h = local_hour(t);
	int64_t nt;
	if ((h < from || h >= to) && chance(r, p_night)) {
		int64_t d = local_day(t) + (h >= to ? 1 : 0);
		nt = at_hour(d, from) + (int64_t)unif_in(r, 0, 1.5 * HOUR);
		t = nt > t ? nt : t; /* never earlier than asked */
	}
	if (p_off > 0 && !calendar_is_workday(s->w->cx.cal, local_day(t)) && chance(r, p_off)) {
		int64_t d = local_day(t);
		for (int i = 0; i < 14 && !calendar_is_workday(s->w->cx.cal, d); i++)
			d++;
		nt = at_hour(d, from) + (int64_t)unif_in(r, 0, 2 * HOUR);
		t = nt > t ? nt : t;
	}
	return t;
}

/* ---------------------------------------------------------------- domain calls */

/* The centre's people: any agent takes a call or calls back, any dispatcher decides. */
static const struct actor *agent(struct sim_run *s, struct sim *c)
{
	return &s->w->agents[below(&c->r, ARRAY_SIZE(s->w->agents))];
}

static const struct actor *dispatcher(struct sim_run *s, struct sim *c)
{
	return &s->w->dispatchers[below(&c->r, ARRAY_SIZE(s->w->dispatchers))];
}

/* Count the status the case is in now, once per case. */
static void saw_status(struct sim_run *s, struct sim *c)
{
	unsigned bit = 1u << s->out.status;
	if (!(c->seen & bit)) {
		c->seen |= (uint16_t)bit;
		s->st.reached[s->out.status]++;
	}
}

/*
 * One case_act. Returns OK, or E_STATE/E_INVALID when the step no longer
 * fits (counted as skipped, and the caller moves on); anything else stops
 * the run.
 */
static enum err_code act(struct sim_run *s, struct sim *c, const struct actor *who, enum case_action a,
			 const struct action_input *in, int64_t now)
{
	struct err e;
	err_init(&e);
	s->st.calls++;
	enum err_code rc = case_act(&s->w->cx, who, c->id, a, in, now, &s->out, &e);
	if (rc == OK) {
		s->st.events++;
		s->st.by_action[a]++;
		saw_status(s, c);
		return OK;
	}
	if (rc == E_STATE || rc == E_INVALID) {
		s->st.skipped[a]++;
		if (s->verbose)
			fprintf(stderr, "gen: case %lld %s skipped: %s\n", (long long)c->id,
				case_action_name(a), e.msg);
		return rc;
	}
	fprintf(stderr, "gen: case %lld: %s by %s failed\n", (long long)c->id, case_action_name(a),
		who->user.login);
	die("case_act", &e);
	return rc;
}

static int lead_of(struct sim_run *s)
{
	return unit_idx(s->w, s->out.lead_unit);
}

/* A unit of another sector of the lead's district, for a redirect or a re-dispatch. */
static int other_unit(struct sim_run *s, struct sim *c, bool territory)
{
	struct world *w = s->w;
	const struct gunit *lead = &w->units[c->lead];
	struct gdistrict *d = &w->dists[lead->district];
	if (territory && lead->who.unit.kind == UNIT_STREET && d->nstreets > 1) {
		for (int tries = 0; tries < 8; tries++) {
			int k = d->streets[below(&c->r, d->nstreets)];
			if (k != c->lead)
				return k;
		}
	}
	if (lead->who.unit.kind != UNIT_STREET && c->street >= 0 && c->street != c->lead &&
	    w->units[c->street].district == lead->district)
		return c->street;
	for (int tries = 0; tries < 8; tries++) {
		const char *sec = redispatch_sectors[below(&c->r, ARRAY_SIZE(redispatch_sectors))];
		for (int i = 0; i < d->nsectors; i++)
			if (!strcmp(d->sectors[i], sec) && d->sector_unit[i] != c->lead)
				return d->sector_unit[i];
	}
	return d->unit != c->lead ? d->unit : -1;
}

static void agenda_add(struct sim *c, int64_t t, enum item kind, int arg)
{
	if (c->n >= AGENDA_MAX)
		return;
	c->ag[c->n++] = (struct step){(int32_t)(t - c->created), (uint8_t)kind, (uint8_t)arg};
}

static int step_cmp(const void *a, const void *b)
{
	const struct step *x = a, *y = b;
	return (x->dt > y->dt) - (x->dt < y->dt);
}

/* Insertion sort: stable, so steps at the same second keep their planned order. */
static void agenda_sort(struct sim *c)
{
	for (int i = 1; i < c->n; i++) {
		struct step v = c->ag[i];
		int j = i - 1;
		while (j >= 0 && step_cmp(&c->ag[j], &v) > 0) {
			c->ag[j + 1] = c->ag[j];
			j--;
		}
		c->ag[j + 1] = v;
	}
}

/* How long the lead takes from contact to its reply, by deadline tier (assumed, PERFORMANCE.md). */
static int64_t handling_time(struct rng *r, enum tier t)
{
	switch (t) {
	case TIER_EMERGENCY:
		return lognorm(r, 40 * MINUTE, 0.6);
	case TIER_UTILITIES:
		return lognorm(r, 5 * HOUR, 0.8);
	case TIER_COMPLEX:
		return lognorm(r, 7 * DAY, 0.6);
	default:
		return lognorm(r, 2.5 * DAY, 0.7);
	}
}

/*
 * Plan the handling from contact (or a reopen) at tc to the reply: the
 * steps that happen on the way and when, then the reply. The reply comes
 * after every task is done; a planned reply past the due makes an
 * extension request or an early callback likely, as in practice.
 */
static void plan_work(struct sim_run *s, struct sim *c, int64_t tc, bool rework)
{
	struct rng *r = &c->r;
	struct world *w = s->w;
	enum tier tier = (enum tier)c->tier;
	bool street_led = w->units[c->lead].who.unit.kind == UNIT_STREET;
	bool slow = tier == TIER_GENERAL || tier == TIER_COMPLEX;
	c->n = c->at = 0;
	int64_t h = rework ? lognorm(r, 2 * DAY, 0.6) : handling_time(r, tier);
	int64_t tr = tc + h;
	if (slow)
		tr = office(s, r, tr, 8.5, 20, 0.9, 0.6);
	int64_t last = tc; /* the latest task step: the reply comes after it */
	bool park = !rework && slow && chance(r, 0.01);
	if (chance(r, rework ? 0.3 : 0.15))
		agenda_add(c, tc + (int64_t)(unif_in(r, 0.1, 0.6) * (double)(tr - tc)), IT_NOTE, 0);
	if (!rework && street_led && chance(r, 0.30) && w->units[c->lead].nkids > 0) {
		int64_t ts = tc + (int64_t)(unif_in(r, 0.02, 0.2) * (double)(tr - tc)) + 60;
		int64_t tf = ts + 600 + (int64_t)(unif_in(r, 0.3, 0.9) * (double)(tr - ts));
		agenda_add(c, ts, IT_SUB, 0);
		agenda_add(c, tf, IT_SUBFIN, 0);
		last = tf > last ? tf : last;
	}
	double pw = tier == TIER_COMPLEX     ? 0.25
		    : tier == TIER_GENERAL   ? 0.06
		    : tier == TIER_UTILITIES ? 0.10
					     : 0.30;
	if (!rework && street_led && chance(r, pw)) {
		struct gdistrict *d = &w->dists[w->units[c->lead].district];
		int want = chance(r, 0.6) ? 1 : chance(r, 0.75) ? 2 : 3;
		c->nw = 0;
		for (int tries = 0; tries < 20 && c->nw < want; tries++) {
			const char *sec = whistle_sectors[below(r, ARRAY_SIZE(whistle_sectors))];
			for (int i = 0; i < d->nsectors; i++) {
				if (strcmp(d->sectors[i], sec) != 0)
					continue;
				bool dup = false;
				for (int j = 0; j < c->nw; j++)
					dup |= c->wunits[j] == d->sector_unit[i];
				if (!dup)
					c->wunits[c->nw++] = d->sector_unit[i];
			}
		}
		if (c->nw > 0) {
			int64_t tw = tc + (int64_t)(unif_in(r, 0.02, 0.25) * (double)(tr - tc)) + 60;
			agenda_add(c, tw, IT_WHISTLE, 0);
			for (int i = 0; i < c->nw; i++) {
				/* reports due 2 h after the whistle (平谷's rule was 30 minutes on site) */
				int64_t rep = tw + lognorm(r, 50 * MINUTE, 0.7);
				int64_t fin =
				    rep + 1800 +
				    (int64_t)(unif_in(r, 0.3, 0.9) * (double)(tr > rep ? tr - rep : DAY));
				int64_t rate = fin + (int64_t)unif_in(r, 0.5 * HOUR, 12 * HOUR);
				agenda_add(c, rep, IT_REPORT, i);
				agenda_add(c, fin, IT_FINISH, i);
				agenda_add(c, rate, IT_RATE, i);
				last = fin > last ? fin : last;
			}
		}
	}
	if (tr < last + 600)
		tr = last + 600 + (int64_t)unif_in(r, 0, 4 * HOUR);
	if (park) {
		int64_t tp = (tr > last ? last : tr) + 600;
		int64_t until = tp + (int64_t)unif_in(r, 30, 120) * DAY;
		agenda_add(c, tp, IT_PARK, 0);
		agenda_add(c, until, IT_UNPARK, 0);
		c->extend_to = until; /* the planned date, for IT_PARK */
		tr = office(s, r, until + lognorm(r, 2 * DAY, 0.6), 8.5, 20, 0.9, 0.6);
	}
	bool late = c->due && tr > c->due;
	if (chance(r, late ? 0.3 : 0.03)) {
		int64_t sup = late && c->due - DAY > tc
				  ? c->due - DAY
				  : tc + (int64_t)(unif_in(r, 0.2, 0.6) * (double)(tr - tc));
		agenda_add(c, sup, IT_SUPERVISE, 0);
		agenda_add(c, sup + lognorm(r, 10 * HOUR, 0.7), IT_ANSWER_SUP, 0);
	}
	if (!rework && chance(r, 0.005))
		agenda_add(c, tc + (int64_t)(unif_in(r, 0.1, 0.5) * (double)(tr - tc)), IT_ESCALATE, 0);
	if (!park && late && chance(r, 0.5)) {
		int64_t te = c->due - (int64_t)unif_in(r, 0.5 * DAY, 2 * DAY);
		if (te < tc + 600)
			te = tc + 600;
		if (te < tr - 3600) {
			c->extend_to = tr + (int64_t)unif_in(r, 0.5 * DAY, 2 * DAY);
			int64_t dec = te + lognorm(r, 8 * HOUR, 0.6);
			if (dec > te + (tr - te) / 2)
				dec = te + (tr - te) / 2;
			agenda_add(c, te, IT_EXTEND, 0);
			agenda_add(c, dec, IT_DECIDE_EXT, 0);
			late = false;
		}
	}
	if (!park && late && tr > c->due + DAY && chance(r, 0.6)) {
		int64_t tcb = office(s, r, c->due + (int64_t)unif_in(r, DAY, 2 * DAY), 9, 20, 1, 0);
		if (tcb < tr - 600)
			agenda_add(c, tcb, IT_OD_CALLBACK, 0);
	}
	agenda_add(c, tr, IT_REPLY, 0);
	if (!rework && chance(r, 0.01)) {
		int64_t ta = tr + (int64_t)unif_in(r, HOUR, 6 * HOUR);
		agenda_add(c, ta, IT_APPLY_EXCL, chance(r, 0.6) ? 1 : 0);
		agenda_add(c, ta + lognorm(r, DAY, 0.5), IT_DECIDE_EXCL, 0);
	}
	agenda_sort(c);
}

/* The requester's answers to a valid callback (shares in PERFORMANCE.md). */
static void callback_answers(struct rng *r, struct action_input *in, bool unit_solved, bool before_reply,
			     bool rework)
{
	in->valid = 1;
	in->contacted = chance(r, before_reply ? 0.9 : 0.995) ? 1 : 0;
	double p_solved = before_reply ? 0.1 : unit_solved ? (rework ? 0.85 : 0.972) : (rework ? 0.5 : 0.4);
	in->solved = chance(r, p_solved) ? 1 : 0;
	double u = unif(r);
	const char *sat;
	if (in->solved)
		sat = u < 0.93 ? "satisfied" : u < 0.98 ? "basic" : "unsatisfied";
	else
		sat = u < 0.20 ? "satisfied" : u < 0.55 ? "basic" : "unsatisfied";
	strlcpy_ok(in->code, sat, sizeof(in->code));
	strlcpy_ok(in->text, in->solved ? "诉求人表示问题已解决" : "诉求人表示问题尚未解决",
		   sizeof(in->text));
}

/* The summoned unit number i of the case (its units[] index). */
static const struct actor *unit_actor(struct sim_run *s, int k)
{
	return &s->w->units[k].who;
}

/* Next time for the callback after a reply (the centre calls in the day). */
static int64_t callback_time(struct sim_run *s, struct sim *c, int64_t t)
{
	return office(s, &c->r, t + lognorm(&c->r, 1.5 * DAY, 0.6), 9, 20, 1, 0);
}

/*
 * Run one agenda item at t. Returns the time of the next step (0 = the
 * case's story ends here).
 */
static int64_t work_item(struct sim_run *s, struct sim *c, int64_t t)
{
	struct action_input in;
	action_input_init(&in);
	const struct step *it = &c->ag[c->at++];
	const struct actor *lead = unit_actor(s, c->lead);
	struct world *w = s->w;
	switch ((enum item)it->kind) {
	case IT_NOTE:
		strlcpy_ok(in.text, "已与相关单位沟通，正在协调处理", sizeof(in.text));
		act(s, c, lead, ACT_NOTE, &in, t);
		break;
	case IT_SUB: {
		const struct gunit *l = &w->units[c->lead];
		int k = c->community >= 0 && w->units[c->community].parent == c->lead
			    ? c->community
			    : l->kids[below(&c->r, l->nkids)];
		c->wno = 0;
		strlcpy_ok(in.unit, w->units[k].who.unit.code, sizeof(in.unit));
		strlcpy_ok(in.text, "请社区协助入户核实情况", sizeof(in.text));
		if (act(s, c, lead, ACT_SUBDISPATCH, &in, t) == OK)
			c->community = k;
		else
			c->community = -2; /* no task: skip its finish */
		break;
	}
	case IT_SUBFIN:
		if (c->community >= 0) {
			strlcpy_ok(in.text, "社区已入户核实，情况已报街道", sizeof(in.text));
			act(s, c, unit_actor(s, c->community), ACT_FINISH, &in, t);
		}
		break;
	case IT_WHISTLE:
		in.nunits = c->nw;
		for (int i = 0; i < c->nw; i++)
			strlcpy_ok(in.units[i], w->units[c->wunits[i]].who.unit.code, sizeof(in.units[i]));
		in.time = t + 2 * HOUR;
		strlcpy_ok(in.text, "诉求现场", sizeof(in.text));
		strlcpy_ok(in.reason, "需要多个部门到场共同处置", sizeof(in.reason));
		if (act(s, c, lead, ACT_WHISTLE, &in, t) == OK)
			c->wno = (uint8_t)s->out.nwhistles;
		else
			c->nw = 0;
		break;
	case IT_REPORT:
		if (it->arg < c->nw) {
			in.ref = c->wno;
			in.on_site = chance(&c->r, 0.8) ? 1 : 0;
			strlcpy_ok(in.text, in.on_site ? "已到现场" : "已电话报到", sizeof(in.text));
			act(s, c, unit_actor(s, c->wunits[it->arg]), ACT_REPORT, &in, t);
		}
		break;
	case IT_FINISH:
		if (it->arg < c->nw) {
			in.ref = c->wno;
			strlcpy_ok(in.text, "本部门职责范围内的事项已处理完毕", sizeof(in.text));
			act(s, c, unit_actor(s, c->wunits[it->arg]), ACT_FINISH, &in, t);
		}
		break;
	case IT_RATE:
		if (it->arg < c->nw) {
			in.ref = c->wno;
			strlcpy_ok(in.unit, w->units[c->wunits[it->arg]].who.unit.code, sizeof(in.unit));
			for (int i = 0; i < 3; i++) {
				double u = unif(&c->r);
				in.rating[i] = u < 0.60 ? 5 : u < 0.90 ? 4 : u < 0.98 ? 3 : 2;
			}
			act(s, c, lead, ACT_RATE, &in, t);
		}
		break;
	case IT_SUPERVISE: {
		strlcpy_ok(in.text, "请加快办理进度，按时反馈", sizeof(in.text));
		in.time = t + 2 * DAY;
		act(s, c, &w->dists[w->units[c->lead].district].sup, ACT_SUPERVISE, &in, t);
		break;
	}
	case IT_ANSWER_SUP:
		strlcpy_ok(in.text, "已按督办要求加快办理", sizeof(in.text));
		act(s, c, lead, ACT_ANSWER_SUPERVISION, &in, t);
		break;
	case IT_EXTEND:
		in.time = c->extend_to;
		strlcpy_ok(in.reason, "需协调多个部门，施工周期较长", sizeof(in.reason));
		act(s, c, lead, ACT_EXTEND, &in, t);
		break;
	case IT_DECIDE_EXT:
		in.approve = chance(&c->r, 0.85) ? 1 : 0;
		if (act(s, c, dispatcher(s, c), ACT_DECIDE_EXTENSION, &in, t) == OK)
			c->due = s->out.clocks[CLK_FEEDBACK].due;
		break;
	case IT_ESCALATE:
		strlcpy_ok(in.code, "district", sizeof(in.code));
		strlcpy_ok(in.reason, "涉及多个部门，需区级协调", sizeof(in.reason));
		act(s, c, lead, ACT_ESCALATE, &in, t);
		break;
	case IT_PARK:
		in.time = c->extend_to;
		strlcpy_ok(in.reason, "已纳入年度改造计划，暂无法立即解决", sizeof(in.reason));
		act(s, c, lead, ACT_PARK, &in, t);
		break;
	case IT_UNPARK:
		act(s, c, lead, ACT_UNPARK, &in, t);
		break;
	case IT_OD_CALLBACK:
		if (chance(&c->r, 0.85)) {
			callback_answers(&c->r, &in, false, true, false);
		} else {
			in.valid = 0;
			strlcpy_ok(in.text, "无人接听", sizeof(in.text));
		}
		act(s, c, agent(s, c), ACT_CALLBACK, &in, t);
		break;
	case IT_REPLY: {
		bool solved = chance(&c->r, 0.95);
		in.solved = solved ? 1 : 0;
		strlcpy_ok(in.text,
			   solved ? "经现场核实，已协调相关单位处理完毕，并向诉求人反馈"
				  : "经核实，该问题涉及历史遗留问题，暂无法解决，已向诉求人解释说明",
			   sizeof(in.text));
		c->unit_solved = solved;
		enum err_code rc = act(s, c, lead, ACT_REPLY, &in, t);
		if (rc == E_STATE) {
			/* a task is still open (a step of it did not fit): feed back with the reason */
			strlcpy_ok(in.reason, "主要问题已解决，配合部门的收尾工作不影响反馈",
				   sizeof(in.reason));
			rc = act(s, c, lead, ACT_REPLY, &in, t);
		}
		if (rc != OK)
			return 0;
		break;
	}
	case IT_APPLY_EXCL:
		strlcpy_ok(in.code, it->arg ? "excluded" : "response_only", sizeof(in.code));
		strlcpy_ok(in.text, "诉求超出本单位职责，相关证明材料已上传", sizeof(in.text));
		act(s, c, lead, ACT_APPLY_EXCLUSION, &in, t);
		break;
	case IT_DECIDE_EXCL:
		in.approve = chance(&c->r, 0.5) ? 1 : 0;
		act(s, c, dispatcher(s, c), ACT_DECIDE_EXCLUSION, &in, t);
		break;
	}
	if (c->at < c->n) {
		int64_t next = c->created + c->ag[c->at].dt;
		return next > t ? next : t;
	}
	c->phase = PH_CALLBACK;
	c->tries = 0;
	return callback_time(s, c, t);
}

/* After dispatch (or a re-dispatch): when the lead signs. */
static int64_t sign_time(struct sim_run *s, struct sim *c, int64_t t)
{
	struct rng *r = &c->r;
	enum tier tier = (enum tier)c->tier;
	int64_t d = tier == TIER_EMERGENCY   ? lognorm(r, 8 * MINUTE, 0.8)
		    : tier == TIER_UTILITIES ? lognorm(r, 12 * MINUTE, 0.8)
					     : lognorm(r, 20 * MINUTE, 0.8);
	int64_t ts = t + d;
	if (tier == TIER_GENERAL || tier == TIER_COMPLEX)
		ts = office(s, r, ts, 7.5, 22, 0.1, 0);
	return ts;
}

static int64_t after_dispatch(struct sim_run *s, struct sim *c, int64_t t)
{
	c->lead = lead_of(s);
	c->due = s->out.clocks[CLK_FEEDBACK].due;
	c->tier = (uint8_t)s->out.tier;
	if (c->lead < 0)
		return 0;
	if (c->redirect) {
		c->redirect = false;
		c->phase = PH_REDIRECT;
		return t + lognorm(&c->r, 40 * MINUTE, 0.7);
	}
	c->phase = PH_SIGN;
	return sign_time(s, c, t);
}

/* One step of a case at time t; returns the time of the next (0 = done). */
static int64_t sim_step(struct sim_run *s, struct sim *c, int64_t t)
{
	struct world *w = s->w;
	struct action_input in;
	action_input_init(&in);
	struct rng *r = &c->r;
	const struct gcat *cat = &w->cats[c->cat];
	switch ((enum phase)c->phase) {
	case PH_CREATE_DONE:
		return 0;
	case PH_ANSWER:
		snprintf(in.text, sizeof(in.text), "已根据知识库告知来电人%s的相关政策、办理渠道和所需材料",
			 cat->leaf);
		act(s, c, agent(s, c), ACT_ANSWER, &in, t);
		return 0;
	case PH_REFER: {
		static const char *const outcomes[] = {
		    "emergency",     "emergency", "emergency", "other_channel", "other_channel",
		    "other_channel", "repeat",	  "repeat",    "out_of_remit",	"unlawful"};
		const char *o = outcomes[below(r, ARRAY_SIZE(outcomes))];
		strlcpy_ok(in.outcome, o, sizeof(in.outcome));
		strlcpy_ok(in.text,
			   !strcmp(o, "emergency") ? "已转接110/119/120处理"
			   : !strcmp(o, "other_channel") ? "该事项已进入诉讼或信访程序，已告知来电人相应渠道"
			   : !strcmp(o, "repeat") ? "该诉求已在办理中，已告知来电人办理进度"
						  : "该事项不属于行政机关职责范围，已向来电人解释",
			   sizeof(in.text));
		act(s, c, agent(s, c), ACT_REFER, &in, t);
		return 0;
	}
	case PH_MERGE:
		in.ref = c->merge_into;
		s->st.merged_tries++;
		if (act(s, c, dispatcher(s, c), ACT_MERGE, &in, t) == OK) {
			c->phase = PH_MERGED_CALLBACK;
			c->tries = 0;
			return office(s, r, t + lognorm(r, 4 * DAY, 0.5), 9, 20, 1, 0);
		}
		/* the case it repeats is past merging: record the link and handle it anew */
		action_input_init(&in);
		in.ref = c->merge_into;
		act(s, c, dispatcher(s, c), ACT_LINK_REPEAT, &in, t);
		c->phase = PH_DISPATCH;
		return t + lognorm(r, 10 * MINUTE, 0.6);
	case PH_MERGED_CALLBACK: {
		bool valid = chance(r, 0.85);
		if (valid)
			callback_answers(r, &in, true, false, false);
		else
			in.valid = 0;
		if (act(s, c, agent(s, c), ACT_CALLBACK, &in, t) == OK && valid)
			return 0;
		if (++c->tries >= 12)
			return 0;
		return office(s, r, t + (int64_t)unif_in(r, DAY, 3 * DAY), 9, 20, 1, 0);
	}
	case PH_DISPATCH: {
		const struct actor *d = dispatcher(s, c);
		if (!c->placed) {
			/* the address did not settle the place: the dispatcher sets it from the call */
			struct gunit *comm = c->community >= 0 ? &w->units[c->community] : NULL;
			strlcpy_ok(in.street, w->units[c->street].who.unit.code, sizeof(in.street));
			if (comm)
				strlcpy_ok(in.community, comm->who.unit.code, sizeof(in.community));
			strlcpy_ok(in.reason, "根据来电人描述确定属地", sizeof(in.reason));
			if (act(s, c, d, ACT_LOCATE, &in, t) == OK)
				s->st.located_by_hand++;
			action_input_init(&in);
		}
		if (c->tier == TIER_GENERAL && chance(r, 0.03))
			in.tier = TIER_COMPLEX;
		if (act(s, c, d, ACT_DISPATCH, &in, t) != OK)
			return 0;
		return after_dispatch(s, c, t);
	}
	case PH_REDIRECT: {
		int k = other_unit(s, c, chance(r, 0.5));
		if (k >= 0) {
			strlcpy_ok(in.unit, w->units[k].who.unit.code, sizeof(in.unit));
			strlcpy_ok(in.reason, "复核诉求内容后改派职能部门", sizeof(in.reason));
			if (act(s, c, dispatcher(s, c), ACT_REDIRECT, &in, t) == OK) {
				c->lead = k;
				c->due = s->out.clocks[CLK_FEEDBACK].due;
			}
		}
		c->phase = PH_SIGN;
		return sign_time(s, c, t);
	}
	case PH_SIGN: {
		const struct actor *lead = unit_actor(s, c->lead);
		if (c->will_return && !c->returned) {
			static const char *const causes[] = {
			    "territory", "territory", "territory", "territory", "territory",
			    "ownership", "ownership", "overlap",   "overlap",	"other"};
			const char *cause = causes[below(r, ARRAY_SIZE(causes))];
			c->returned = true;
			strlcpy_ok(in.code, cause, sizeof(in.code));
			strlcpy_ok(in.text,
				   !strcmp(cause, "territory") ? "经现场核实，诉求地点不在本单位辖区"
				   : !strcmp(cause, "ownership") ? "该设施产权单位不明，不属于本单位管理"
								 : "该事项属于其他部门职责",
				   sizeof(in.text));
			if (act(s, c, lead, ACT_RETURN, &in, t) == OK) {
				c->phase = PH_DECIDE_RETURN;
				c->tries = !strcmp(cause, "territory");
				return t + lognorm(r, 3 * HOUR, 0.8);
			}
			return sign_time(s, c, t);
		}
		if (act(s, c, lead, ACT_SIGN, &in, t) != OK)
			return 0;
		c->phase = PH_CONTACT;
		c->tries = 0;
		enum tier tier = (enum tier)c->tier;
		int64_t d = tier == TIER_EMERGENCY   ? lognorm(r, 10 * MINUTE, 0.7)
			    : tier == TIER_UTILITIES ? lognorm(r, 30 * MINUTE, 0.8)
						     : lognorm(r, 2.5 * HOUR, 0.9);
		int64_t tc = t + d;
		if (tier == TIER_GENERAL || tier == TIER_COMPLEX)
			tc = office(s, r, tc, 8, 21, 0.8, 0);
		return tc;
	}
	case PH_DECIDE_RETURN: {
		bool territory = c->tries == 1;
		int k = chance(r, 0.65) ? other_unit(s, c, territory) : -1;
		if (k >= 0) {
			strlcpy_ok(in.code, "redispatch", sizeof(in.code));
			strlcpy_ok(in.unit, w->units[k].who.unit.code, sizeof(in.unit));
		} else {
			strlcpy_ok(in.code, "reject", sizeof(in.code));
		}
		if (act(s, c, dispatcher(s, c), ACT_DECIDE_RETURN, &in, t) != OK)
			return 0;
		if (k >= 0) {
			c->lead = lead_of(s);
			c->due = s->out.clocks[CLK_FEEDBACK].due;
			c->tier = (uint8_t)s->out.tier;
		}
		if (s->out.status != CS_DISPATCHED) {
			/* a dispute raised after signing goes back to where it was: contact next */
			c->phase = PH_CONTACT;
			c->tries = 0;
			return t + lognorm(r, 2 * HOUR, 0.8);
		}
		c->phase = PH_SIGN;
		return sign_time(s, c, t);
	}
	case PH_CONTACT: {
		const struct actor *lead = unit_actor(s, c->lead);
		if (c->reveal && c->tries == 0 && !c->confidential) {
			strlcpy_ok(in.reason, "联系诉求人核实情况", sizeof(in.reason));
			act(s, c, lead, ACT_REVEAL, &in, t);
			action_input_init(&in);
		}
		bool reached = c->tries >= 3 || chance(r, 0.85);
		in.reached = reached ? 1 : 0;
		strlcpy_ok(in.method, c->tries >= 3 ? "visit" : "phone", sizeof(in.method));
		strlcpy_ok(in.text, reached ? "已与诉求人联系，了解具体情况" : "电话无人接听",
			   sizeof(in.text));
		if (act(s, c, lead, ACT_CONTACT, &in, t) != OK)
			return 0;
		if (!reached) {
			c->tries++;
			return t + lognorm(r, 3 * HOUR, 0.6);
		}
		plan_work(s, c, t, false);
		c->phase = PH_WORK;
		int64_t next = c->created + c->ag[0].dt;
		return next > t ? next : t;
	}
	case PH_WORK:
		return work_item(s, c, t);
	case PH_CALLBACK: {
		bool valid = chance(r, 0.85);
		bool unit_solved = c->unit_solved;
		if (valid)
			callback_answers(r, &in, unit_solved, false, c->reopens > 0);
		else {
			in.valid = 0;
			strlcpy_ok(in.text, "无人接听", sizeof(in.text));
		}
		if (act(s, c, agent(s, c), ACT_CALLBACK, &in, t) != OK)
			return 0;
		if (valid) {
			bool bad = in.solved == 0 || !strcmp(in.code, "unsatisfied");
			if (bad && c->reopens < 2 && chance(r, 0.4)) {
				c->phase = PH_REOPEN;
				return t + (int64_t)unif_in(r, 2 * HOUR, DAY);
			}
			return 0;
		}
		if (++c->tries < 3)
			return office(s, r, t + (int64_t)unif_in(r, 20 * HOUR, 28 * HOUR), 9, 20, 1, 0);
		c->phase = PH_CLOSE;
		return t + (int64_t)unif_in(r, HOUR, 12 * HOUR);
	}
	case PH_REOPEN:
		strlcpy_ok(in.reason, "回访诉求人表示问题未解决，重新办理", sizeof(in.reason));
		if (act(s, c, dispatcher(s, c), ACT_REOPEN, &in, t) != OK)
			return 0;
		c->reopens++;
		c->due = s->out.clocks[CLK_FEEDBACK].due;
		plan_work(s, c, t + lognorm(r, 2 * HOUR, 0.8), true);
		c->phase = PH_WORK;
		return c->created + c->ag[0].dt > t ? c->created + c->ag[0].dt : t;
	case PH_CLOSE:
		strlcpy_ok(in.reason, "三次回访未接通，回访期已过", sizeof(in.reason));
		act(s, c, dispatcher(s, c), ACT_CLOSE, &in, t);
		return 0;
	}
	return 0;
}

/* ---------------------------------------------------------------- intake */

static int pick_street(struct world *w, struct rng *r, int d)
{
	struct gdistrict *g = &w->dists[d];
	return g->streets[pick_cum(r, g->streetcum, g->nstreets)];
}

static int pick_community(struct world *w, struct rng *r, int street)
{
	struct gunit *s = &w->units[street];
	return s->kids[pick_cum(r, s->kidcum, s->nkids)];
}

/*
 * A new case arrives at t: draw who calls about what and where, record it
 * (case_create) and plan its first step.
 */
static void arrive(struct sim_run *s, int64_t ordinal, int64_t t)
{
	struct world *w = s->w;
	uint32_t slot = sim_alloc(s);
	struct sim *c = &s->pool[slot];
	struct rng *r = &c->r;
	rng_seed(r, s->seed, (uint64_t)ordinal + 1);
	c->created = t;
	c->lead = -1;
	int month;
	{
		int y, m, d;
		civil_from_days(local_day(t), &y, &m, &d);
		month = m - 1;
	}
	/* the type (consultations 58.5%, published 2019-2021 share) and the category */
	bool consult = chance(r, 0.585);
	double u = unif(r);
	enum case_type type = consult	 ? CT_CONSULTATION
			      : u < 0.45 ? CT_COMPLAINT
			      : u < 0.85 ? CT_HELP
			      : u < 0.93 ? CT_REPORT
					 : CT_SUGGESTION;
	c->cat = pick_cum(r, w->cat_cum[month], w->ncats);
	if (w->cats[c->cat].report_only) {
		type = CT_REPORT;
		consult = false;
	}
	/* the place */
	int d = pick_cum(r, w->dist_cum, w->ndists);
	c->street = pick_street(w, r, d);
	c->community = pick_community(w, r, c->street);
	/* a duplicate of a recent case (多人反映同一问题) or a repeat of an older one */
	bool dup = false, rep = false;
	if (!consult && s->nrecent > 0 && chance(r, 0.03)) {
		int i = below(r, s->nrecent < 256 ? s->nrecent : 256);
		if (s->recent[i].created < t - 3 * DAY) /* a quiet city: the latest one instead */
			i = (s->nrecent - 1) % 256;
		if (s->recent[i].created >= t - 3 * DAY) {
			dup = true;
			c->merge_into = s->recent[i].id;
			c->street = s->recent[i].street;
			c->community = s->recent[i].community;
			c->cat = s->recent[i].cat;
		}
	} else if (!consult && s->nolder > 0 && chance(r, 0.0103)) {
		int i = below(r, s->nolder < 256 ? s->nolder : 256);
		rep = true;
		c->merge_into = s->older[i].id;
		c->street = s->older[i].street;
		c->community = s->older[i].community;
		c->cat = s->older[i].cat;
	}
	/* what the agent decides during the call: answer it, refer it, or record it for dispatch */
	bool answer = consult && chance(r, 0.9);
	bool refer = !consult && !dup && !rep && chance(r, 0.03);
	const struct gcat *cat = &w->cats[c->cat];
	const struct gunit *st = &w->units[c->street], *cm = &w->units[c->community];
	const struct gunit *dist = &w->units[w->dists[st->district].unit];

	struct case_input in = {0};
	in.type = (int)type;
	c->type = (uint8_t)type;
	/* channels: 90.71% by phone, 9.29% online (2020 annual report); the online split is assumed */
	double ch = unif(r);
	const char *channel = ch < 0.9071  ? "phone"
			      : ch < 0.95  ? "wechat"
			      : ch < 0.975 ? "app"
			      : ch < 0.99  ? "miniprogram"
			      : ch < 0.997 ? "web"
					   : "email";
	strlcpy_ok(in.channel, channel, sizeof(in.channel));
	snprintf(in.title, sizeof(in.title), "%s%s问题", type_title[type], cat->leaf);
	requester(r, in.req_name, sizeof(in.req_name), in.req_phone, sizeof(in.req_phone));
	c->confidential = in.confidential = chance(r, 0.03);
	in.category_id = cat->id;
	in.tier = -1;
	in.auto_dispatch = dup || rep || refer ? 0 : -1;
	/*
	 * The address: most as people say it (district + community + house
	 * number), which intake's gazetteer resolves; some in full; the rest
	 * with the place codes the agent picked (no lookup, the dispatcher
	 * dispatches). Consultations mostly name no place.
	 */
	double a = unif(r);
	int no = 1 + below(r, 40), unitno = 1 + below(r, 6);
	bool codes = false;
	if (consult && chance(r, 0.7)) {
		in.address[0] = '\0';
	} else if (a < 0.55) {
		snprintf(in.address, sizeof(in.address), "%s%s%d号楼%d单元", dist->who.unit.name,
			 cm->shortname, no, unitno);
	} else if (a < 0.70) {
		snprintf(in.address, sizeof(in.address), "北京市%s%s%s附近", dist->who.unit.name,
			 st->who.unit.name, cm->who.unit.name);
	} else {
		codes = true;
		snprintf(in.address, sizeof(in.address), "%s%s%s%d号院", dist->who.unit.name,
			 st->who.unit.name, cm->shortname, no);
		strlcpy_ok(in.street, st->who.unit.code, sizeof(in.street));
		strlcpy_ok(in.community, cm->who.unit.code, sizeof(in.community));
	}
	/* online requests from a phone often carry its location (GCJ-02, as Chinese maps give it) */
	if (strcmp(channel, "phone") != 0 && strcmp(channel, "email") != 0 && strcmp(channel, "web") != 0 &&
	    w->pts[st->district][0][0] != 0 && chance(r, 0.6)) {
		const double *p = w->pts[st->district][below(r, 64)];
		in.has_location = true;
		in.lon = p[0] + unif_in(r, -0.002, 0.002);
		in.lat = p[1] + unif_in(r, -0.002, 0.002);
		strlcpy_ok(in.crs, "gcj02", sizeof(in.crs));
		s->st.with_location++;
	}
	const char *body = type_body[type][below(r, 3)];
	char problem[TEXT_BYTES(200)];
	snprintf(problem, sizeof(problem), body, cat->leaf);
	snprintf(in.content, sizeof(in.content), "来电人反映：%s%s%s。%s", in.address,
		 *in.address ? "，" : "", problem, asks[below(r, ARRAY_SIZE(asks))]);

	struct err e;
	err_init(&e);
	s->st.calls++;
	if (case_create(&w->cx, agent(s, c), &in, t, &s->out, &e) != OK)
		die("case_create", &e);
	c->id = s->out.id;
	if (s->out.status == CS_DISPATCHED)
		s->st.reached[CS_RECEIVED]++,
		    c->seen |= 1u << CS_RECEIVED; /* dispatched within the same call */
	saw_status(s, c);
	c->tier = (uint8_t)s->out.tier;
	c->placed = *s->out.street != '\0';
	s->st.cases++;
	s->st.events += s->out.seq;
	s->st.by_action[ACT_CREATE]++;
	if (s->out.status == CS_DISPATCHED) {
		s->st.by_action[ACT_DISPATCH]++;
		s->st.auto_dispatched++;
	}
	if (*s->out.district && !codes && s->out.seq > 1)
		s->st.by_action[ACT_LOCATE]++;

	/* the plan */
	c->reveal = chance(r, 0.6);
	c->will_return = chance(r, 0.04);
	c->redirect = chance(r, 0.015);
	int64_t next;
	if (answer) {
		c->phase = PH_ANSWER;
		next = t + (int64_t)unif_in(r, MINUTE, 10 * MINUTE);
	} else if (refer) {
		c->phase = PH_REFER;
		next = t + (int64_t)unif_in(r, MINUTE, 5 * MINUTE);
	} else if (dup) {
		c->phase = PH_MERGE;
		next = t + (int64_t)unif_in(r, 2 * MINUTE, 15 * MINUTE);
	} else if (s->out.status == CS_DISPATCHED) {
		next = after_dispatch(s, c, t);
	} else {
		if (rep) {
			struct action_input li;
			action_input_init(&li);
			li.ref = c->merge_into;
			act(s, c, agent(s, c), ACT_LINK_REPEAT, &li, t);
		}
		c->phase = PH_DISPATCH;
		enum tier tier = (enum tier)c->tier;
		next = t + (tier == TIER_EMERGENCY   ? lognorm(r, 4 * MINUTE, 0.6)
			    : tier == TIER_UTILITIES ? lognorm(r, 10 * MINUTE, 0.7)
						     : lognorm(r, 20 * MINUTE, 0.9));
	}
	/* remember dispatched cases for later duplicates and repeats */
	if (!consult && !dup && !rep) {
		int i = (int)(s->nrecent++ % 256);
		s->recent[i].id = c->id;
		s->recent[i].created = t;
		s->recent[i].street = c->street;
		s->recent[i].community = c->community;
		s->recent[i].cat = c->cat;
		if (ordinal % 97 == 0) {
			int j = (int)(s->nolder++ % 256);
			s->older[j].id = c->id;
			s->older[j].created = t;
			s->older[j].street = c->street;
			s->older[j].community = c->community;
			s->older[j].cat = c->cat;
		}
	}
	if (next && next < s->year_end)
		heap_push(s, next, slot);
	else {
		s->st.open_at_end += next != 0;
		sim_free(s, slot);
	}
}

/* ================================================================ progress */

struct progress {
	bool tty, quiet;
	double start, last;
	int64_t total, base; /* base: cases made before a resumed run began */
};

static void fmt_dur(double s, char *out, size_t n)
{
	if (s < 0 || s > 1e7)
		snprintf(out, n, "--");
	else if (s >= 3600)
		snprintf(out, n, "%dh%02dm", (int)(s / 3600), (int)(s / 60) % 60);
	else
		snprintf(out, n, "%dm%02ds", (int)(s / 60), (int)s % 60);
}

static void progress_show(struct progress *p, const struct stats *st, int64_t sim_t, bool final)
{
	double now = clock_mono_ms();
	if (p->quiet || (!final && now - p->last < (p->tty ? 500 : 10000)))
		return;
	p->last = now;
	double el = (now - p->start) / 1000.0;
	double cps = el > 0 ? (st->cases - p->base) / el : 0, eps = cps * st->events / (st->cases ? st->cases : 1);
	double frac = p->total ? (double)st->cases / (double)p->total : 1;
	char eta[32], elapsed[32], day[26];
	fmt_dur(cps > 0 ? (p->total - st->cases) / cps : -1, eta, sizeof(eta));
	fmt_dur(el, elapsed, sizeof(elapsed));
	time_format_iso(sim_t, day);
	day[10] = '\0';
	if (p->tty) {
		int width = 30, fill = (int)(frac * width);
		fprintf(stderr, "\r  gen %s [", day);
		for (int i = 0; i < width; i++)
			fputc(i < fill ? '#' : '.', stderr);
		fprintf(stderr, "] %lld/%lld cases  %.0f cases/s  %.0f events/s  %s  ETA %s ",
			(long long)st->cases, (long long)p->total, cps, eps, elapsed, final ? "0m00s" : eta);
		if (final)
			fputc('\n', stderr);
	} else {
		fprintf(stderr,
			"  gen %s %lld/%lld cases (%.1f%%)  %.0f cases/s  %.0f events/s  %s  ETA %s\n", day,
			(long long)st->cases, (long long)p->total, 100 * frac, cps, eps, elapsed,
			final ? "0m00s" : eta);
	}
	fflush(stderr);
}

/* ================================================================ the year */

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static int count_case(void *ctx, const struct case_rec *c)
{
	return 0;
}

/* Cases in one status (store_cases_list's total). */
static int64_t count_status(struct store *st, const char *status)
{
	struct case_query q = {0};
	struct err e;
	int64_t total = 0;
	q.status = status;
	q.overdue = -1;
	q.page = 1;
	q.per_page = 1;
	if (store_cases_list(st, &q, count_case, NULL, &total, &e) != OK)
		die("count cases", &e);
	return total;
}

/* The year's figures over every unit, from the stored facts (store_unit_counts). */
static int sum_counts(void *ctx, const struct unit_counts *u)
{
	struct unit_counts *t = ctx;
	t->cb_valid += u->cb_valid;
	t->cb_contacted += u->cb_contacted;
	t->cb_solved += u->cb_solved;
	t->cb_satisfied += u->cb_satisfied;
	t->cb_basic += u->cb_basic;
	t->dispatches += u->dispatches;
	t->sign_total += u->sign_total;
	t->sign_ontime += u->sign_ontime;
	t->contact_total += u->contact_total;
	t->contact_ontime += u->contact_ontime;
	t->reply_total += u->reply_total;
	t->reply_ontime += u->reply_ontime;
	t->returns += u->returns;
	t->extensions += u->extensions;
	t->reopens += u->reopens;
	t->overdue += u->overdue;
	t->reports += u->reports;
	t->reports_ontime += u->reports_ontime;
	t->ratings += u->ratings;
	return 0;
}

struct digest_ctx {
	struct store *st;
	crypto_generichash_state h;
	int64_t events;
};

static int digest_event(void *ctx, const struct event_rec *ev)
{
	struct digest_ctx *d = ctx;
	char line[256];
	int n = snprintf(line, sizeof(line), "%lld|%d|%lld|%lld|%s|%s|", (long long)ev->case_id, ev->seq,
			 (long long)ev->at, (long long)ev->user_id, ev->unit, ev->action);
	crypto_generichash_update(&d->h, (const unsigned char *)line, (size_t)n);
	crypto_generichash_update(&d->h, (const unsigned char *)ev->payload, strlen(ev->payload));
	crypto_generichash_update(&d->h, (const unsigned char *)ev->reason, strlen(ev->reason) + 1);
	d->events++;
	return 0;
}

static int digest_case(void *ctx, int64_t id)
{
	struct digest_ctx *d = ctx;
	struct err e;
	return store_events_list(d->st, id, digest_event, d, &e) == OK ? 0 : 1;
}

/* User and system CPU time of this process, seconds: the machine may be shared. */
static double cpu_seconds(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

/* ================================================================ resuming a long run */

/*
 * A 20-million-case year takes hours, longer than a machine may stay up.
 * Before each commit the whole simulation state (the loop's position, the
 * open cases' plans, the agenda heap, the counters) is written to
 * DB.gen-state.new, fsync'd; after the commit it is renamed to
 * DB.gen-state. A run killed at any point resumes with --resume from the
 * file whose case count equals the database's: the state of the last
 * commit. The world (units, accounts, categories, points) is reloaded from
 * the database and the seed, as the first run built it.
 */
struct params {
	int64_t ncases, year, seed, batch, sweep_s;
};

struct loop {
	int64_t day, n, ai; /* the day being run, its arrivals, the next one */
	int64_t ordinal, since_commit, next_sweep, commits, resumes;
	double cum; /* arrivals planned up to and including this day */
	struct rng arr;
	double ran_ms, ran_cpu; /* time spent before the last commit, over all runs */
};

#define STATE_MAGIC "jiesugen"
#define STATE_VERSION 1

struct state_head {
	char magic[8];
	uint32_t version, sim_size, stats_size, hent_size;
	struct params par;
	struct loop lp;
	struct stats st;
	uint32_t npool, nfree;
	uint64_t nheap, seq;
	int32_t nrecent, nolder;
};

static void state_path(char *out, size_t n, const char *db, const char *suffix)
{
	if ((size_t)snprintf(out, n, "%s.gen-state%s", db, suffix) >= n)
		die("the database path is too long", NULL);
}

static void write_all(FILE *f, const void *p, size_t n, const char *path)
{
	if (n && fwrite(p, 1, n, f) != n)
		fprintf(stderr, "gen: cannot write %s: %s\n", path, strerror(errno)), exit(1);
}

static void state_save(const char *db, const struct params *par, const struct loop *lp, const struct sim_run *s,
		       const int64_t *times)
{
	char tmp[4096], path[4096];
	state_path(tmp, sizeof(tmp), db, ".tmp");
	state_path(path, sizeof(path), db, ".new");
	FILE *f = fopen(tmp, "wb");
	if (!f)
		fprintf(stderr, "gen: cannot create %s: %s\n", tmp, strerror(errno)), exit(1);
	struct state_head h;
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, STATE_MAGIC, sizeof(h.magic));
	h.version = STATE_VERSION;
	h.sim_size = sizeof(struct sim);
	h.stats_size = sizeof(struct stats);
	h.hent_size = sizeof(struct hent);
	h.par = *par;
	h.lp = *lp;
	h.st = s->st;
	h.npool = s->npool;
	h.nfree = s->nfree;
	h.nheap = s->nheap;
	h.seq = s->seq;
	h.nrecent = s->nrecent;
	h.nolder = s->nolder;
	write_all(f, &h, sizeof(h), tmp);
	write_all(f, s->recent, sizeof(s->recent), tmp);
	write_all(f, s->older, sizeof(s->older), tmp);
	write_all(f, s->pool, (size_t)s->npool * sizeof(*s->pool), tmp);
	write_all(f, s->freel, (size_t)s->nfree * sizeof(*s->freel), tmp);
	write_all(f, s->heap, s->nheap * sizeof(*s->heap), tmp);
	write_all(f, times, (size_t)lp->n * sizeof(*times), tmp);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0 || fclose(f) != 0 || rename(tmp, path) != 0)
		fprintf(stderr, "gen: cannot save %s: %s\n", path, strerror(errno)), exit(1);
}

/* The commit that DB.gen-state.new describes is durable: it becomes the state. */
static void state_committed(const char *db)
{
	char from[4096], to[4096];
	state_path(from, sizeof(from), db, ".new");
	state_path(to, sizeof(to), db, "");
	if (rename(from, to) != 0)
		fprintf(stderr, "gen: cannot rename %s: %s\n", from, strerror(errno)), exit(1);
}

/* The year is complete: nothing is left to resume. */
static void state_remove(const char *db)
{
	char path[4096];
	state_path(path, sizeof(path), db, "");
	unlink(path);
	state_path(path, sizeof(path), db, ".new");
	unlink(path);
}

static void read_all(FILE *f, void *p, size_t n, const char *path)
{
	if (n && fread(p, 1, n, f) != n)
		fprintf(stderr, "gen: %s is cut short\n", path), exit(1);
}

/* Read one state file's head; false if it is absent. */
static bool state_head_read(const char *path, struct state_head *h, FILE **out)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return false;
	read_all(f, h, sizeof(*h), path);
	if (memcmp(h->magic, STATE_MAGIC, sizeof(h->magic)) != 0 || h->version != STATE_VERSION)
		fprintf(stderr, "gen: %s is not a generator state file\n", path), exit(1);
	if (h->sim_size != sizeof(struct sim) || h->stats_size != sizeof(struct stats) ||
	    h->hent_size != sizeof(struct hent))
		fprintf(stderr, "gen: %s was written by another build of the generator; start afresh\n", path),
		    exit(1);
	*out = f;
	return true;
}

/*
 * Load the state that matches the database: cases made = the state's
 * ordinal. The parameters come from the state (par is overwritten).
 */
static void state_load(const char *db, struct params *par, struct loop *lp, struct sim_run *s, int64_t **times)
{
	struct err e;
	err_init(&e);
	int64_t next_id = 0;
	if (store_case_next_id(s->w->st, &next_id, &e) != OK)
		die("case count", &e);
	int64_t made = next_id - 1;
	const char *const suffixes[2] = {".new", ""};
	for (int k = 0; k < 2; k++) {
		char path[4096];
		state_path(path, sizeof(path), db, suffixes[k]);
		struct state_head h;
		FILE *f;
		if (!state_head_read(path, &h, &f))
			continue;
		if (h.lp.ordinal != made) {
			fclose(f);
			continue;
		}
		*par = h.par;
		*lp = h.lp;
		s->st = h.st;
		s->npool = s->cap = h.npool;
		s->nfree = h.nfree;
		s->nheap = s->capheap = h.nheap;
		s->seq = h.seq;
		s->nrecent = h.nrecent;
		s->nolder = h.nolder;
		s->pool = xmalloc(((size_t)h.npool + 1) * sizeof(*s->pool));
		s->freel = xmalloc(((size_t)h.npool + 1) * sizeof(*s->freel));
		s->heap = xmalloc((h.nheap + 1) * sizeof(*s->heap));
		*times = xmalloc(((size_t)h.lp.n + 1) * sizeof(**times));
		read_all(f, s->recent, sizeof(s->recent), path);
		read_all(f, s->older, sizeof(s->older), path);
		read_all(f, s->pool, (size_t)h.npool * sizeof(*s->pool), path);
		read_all(f, s->freel, (size_t)h.nfree * sizeof(*s->freel), path);
		read_all(f, s->heap, h.nheap * sizeof(*s->heap), path);
		read_all(f, *times, (size_t)h.lp.n * sizeof(**times), path);
		if (fgetc(f) != EOF)
			fprintf(stderr, "gen: %s is longer than its head says\n", path), exit(1);
		fclose(f);
		return;
	}
	fprintf(stderr, "gen: no state file beside %s matches its %lld cases; start afresh\n", db, (long long)made);
	exit(1);
}

static void usage(void)
{
	fprintf(stderr, "usage: gen --db PATH --cases N [--year 2025] [--seed S] [--data ../shared/data]\n"
			"           [--batch CASES] [--cache-mib MIB] [--checkpoint-mib MIB] [--sweep-seconds S]\n"
			"           [--digest] [--quiet] [--verbose]\n"
			"       gen --db PATH --resume [--data DIR] [--cache-mib MIB] [--checkpoint-mib MIB]\n"
			"           [--digest] [--quiet] [--verbose]\n"
			"           (go on with a run that was stopped: its size, year, seed and batch are kept)\n"
			"  for tests: --stop-before-commit N / --stop-after-commit N end the process at once\n"
			"  (_exit, as a kill would) at the first commit that holds case N\n");
	exit(2);
}

static int64_t num_opt(const char *name, const char *v, int64_t lo, int64_t hi)
{
	char *end;
	long long x = strtoll(v, &end, 10);
	if (*v == '\0' || *end || x < lo || x > hi) {
		fprintf(stderr, "gen: %s must be a whole number from %lld to %lld\n", name, (long long)lo,
			(long long)hi);
		exit(2);
	}
	return x;
}

int main(int argc, char **argv)
{
	const char *db = NULL, *data = "../shared/data";
	int64_t ncases = -1, year = 2025, seed = 1, batch = 2000, sweep_s = 60, cache_mib = 256;
	int64_t checkpoint_mib = 1024; /* the log copied back once it passes this: 5% less time at 3,000,000 cases */
	int64_t stop_before = 0, stop_after = 0; /* tests: die as if killed at this point */
	bool digest = false, quiet = false, verbose = false, resume = false, sized = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--digest"))
			digest = true;
		else if (!strcmp(a, "--resume"))
			resume = true;
		else if (!strcmp(a, "--quiet"))
			quiet = true;
		else if (!strcmp(a, "--verbose"))
			verbose = true;
		else if (!v)
			usage();
		else if (!strcmp(a, "--db"))
			db = argv[++i];
		else if (!strcmp(a, "--data"))
			data = argv[++i];
		else if (!strcmp(a, "--cases"))
			ncases = num_opt(a, argv[++i], 0, 1000000000);
		else if (!strcmp(a, "--year"))
			year = num_opt(a, argv[++i], 2000, 2100);
		else if (!strcmp(a, "--seed"))
			seed = num_opt(a, argv[++i], 0, INT64_MAX);
		else if (!strcmp(a, "--batch"))
			batch = num_opt(a, argv[++i], 1, 10000000);
		else if (!strcmp(a, "--cache-mib"))
			cache_mib = num_opt(a, argv[++i], 1, 65536);
		else if (!strcmp(a, "--checkpoint-mib"))
			checkpoint_mib = num_opt(a, argv[++i], 1, 65536);
		else if (!strcmp(a, "--stop-before-commit"))
			stop_before = num_opt(a, argv[++i], 1, 1000000000);
		else if (!strcmp(a, "--stop-after-commit"))
			stop_after = num_opt(a, argv[++i], 1, 1000000000);
		else if (!strcmp(a, "--sweep-seconds"))
			sweep_s = num_opt(a, argv[++i], 10, 86400);
		else
			usage();
	}
	sized = ncases >= 0 || year != 2025 || seed != 1 || batch != 2000 || sweep_s != 60;
	if (!db || (resume ? sized : ncases < 0))
		usage();
	if (resume ? access(db, F_OK) != 0 : access(db, F_OK) == 0) {
		fprintf(stderr, resume ? "gen: %s does not exist: nothing to resume\n"
				       : "gen: %s already exists; give a new path, or --resume a stopped run\n",
			db);
		return 1;
	}
	log_set_level_from_env();
	if (!auth_init())
		die("libsodium failed to initialise", NULL);

	struct params par = {ncases, year, seed, batch, sweep_s};
	if (resume) { /* the run's parameters are in its state file */
		char path[4096];
		struct state_head h;
		FILE *f;
		state_path(path, sizeof(path), db, "");
		if (!state_head_read(path, &h, &f)) {
			state_path(path, sizeof(path), db, ".new");
			if (!state_head_read(path, &h, &f))
				fprintf(stderr, "gen: no state file beside %s: nothing to resume\n", db), exit(1);
		}
		fclose(f);
		par = h.par;
		ncases = par.ncases, year = par.year, seed = par.seed, batch = par.batch, sweep_s = par.sweep_s;
	}
	struct shapes sh;
	shapes_load(&sh, data, quiet);
	int64_t year_start = days_from_civil((int)year, 1, 1) * DAY - LOCAL_UTC_OFFSET;
	int64_t year_end = days_from_civil((int)year + 1, 1, 1) * DAY - LOCAL_UTC_OFFSET;

	/* the database, as `jiesu init --demo` makes it */
	double t_setup = clock_mono_ms();
	struct world w = {0};
	struct err e;
	err_init(&e);
	if (store_open(db, &w.st, &e) != OK || store_cache_mib(w.st, (int)cache_mib, &e) != OK ||
	    store_checkpoint_mib(w.st, (int)checkpoint_mib, &e) != OK)
		die("open", &e);
	size_t names = 0;
	w.resume = resume;
	if (!resume && (catalog_load_builtin(w.st, true, progress_quiet, NULL, &e) != OK ||
			gazetteer_build_builtin(w.st, &names, &e) != OK ||
			geo_load_demo_boundaries(w.st, &e) != OK))
		die("demo catalog", &e);
	if (!resume && catalog_add_demo_users(w.st, year_start, NULL, NULL, &e) != OK)
		die("demo accounts", &e);
	if (case_ctx_load(&w.cx, w.st, &e) != OK)
		die("case context", &e);
	int cal_first = 0, cal_last = 0;
	if (!calendar_years(w.cx.cal, &cal_first, &cal_last) || year < cal_first || year > cal_last)
		fprintf(stderr, "gen: note: the calendar has no holidays for %lld: weekends only\n",
			(long long)year);
	world_load(&w, year_start);
	categories_load(&w, &sh);
	points_load(&w, (uint64_t)seed);
	t_setup = clock_mono_ms() - t_setup;

	/* cases per day: weekday shape × month × holiday, rounded so that they add up to N */
	int ndays = (int)((year_end - year_start) / DAY);
	double *dw = xcalloc((size_t)ndays, sizeof(double));
	double wk_mean = 0, we_mean = (sh.wday[5] + sh.wday[6]) / 2, total_w = 0;
	for (int i = 0; i < 5; i++)
		wk_mean += sh.wday[i] / 5;
	int64_t day0 = local_day(year_start);
	for (int i = 0; i < ndays; i++) {
		int64_t dd = day0 + i;
		int y, m, dm;
		civil_from_days(dd, &y, &m, &dm);
		int wd = (int)((dd % 7 + 10) % 7);
		bool weekend = wd >= 5, work = calendar_is_workday(w.cx.cal, dd);
		double f = work ? (weekend ? wk_mean : sh.wday[wd])
				: (weekend ? sh.wday[wd] : we_mean * HOLIDAY_FACTOR);
		dw[i] = f * month_factor[m - 1];
		total_w += dw[i];
	}

	struct sim_run s = {0};
	s.w = &w;
	s.year_start = year_start;
	s.year_end = year_end;
	s.seed = (uint64_t)seed;
	s.verbose = verbose;
	struct loop lp = {.next_sweep = year_start + sweep_s};
	rng_seed(&lp.arr, (uint64_t)seed, 0);
	int64_t *times = NULL;
	size_t cap_times = 0;
	bool have_day = false; /* a resumed run goes on inside the day it stopped in */
	if (resume) {
		state_load(db, &par, &lp, &s, &times);
		cap_times = (size_t)lp.n;
		have_day = true;
		lp.resumes++;
		if (!quiet)
			fprintf(stderr, "gen: resuming after case %lld of %lld\n", (long long)lp.ordinal,
			(long long)ncases);
	}
	struct progress pg = {isatty(2), quiet, clock_mono_ms(), 0, ncases, s.st.cases};
	double t_run = clock_mono_ms(), cpu_run = cpu_seconds();
	if (store_begin(w.st, &e) != OK)
		die("begin", &e);
	for (; lp.day < ndays; lp.day++) {
		int64_t n = lp.n;
		if (!have_day) {
			double prev = lp.cum;
			lp.cum += dw[lp.day] / total_w * (double)ncases;
			n = (int64_t)llround(lp.cum) - (int64_t)llround(prev);
			if (lp.day == ndays - 1)
				n = ncases - lp.ordinal;
			if ((size_t)n > cap_times) {
				cap_times = (size_t)n;
				times = xrealloc(times, cap_times * sizeof(*times));
			}
			int64_t ds = year_start + lp.day * DAY;
			for (int64_t k = 0; k < n; k++)
				times[k] = ds + (int64_t)pick_cum(&lp.arr, sh.hour_cum, 24) * HOUR +
					   (int64_t)(unif(&lp.arr) * HOUR);
			qsort(times, (size_t)n, sizeof(*times), cmp_i64);
			lp.n = n;
			lp.ai = 0;
		}
		have_day = false;
		int64_t de = year_start + (lp.day + 1) * DAY;
		for (;;) {
			int64_t ta = lp.ai < n ? times[lp.ai] : INT64_MAX;
			int64_t th = s.nheap ? s.heap[0].t : INT64_MAX;
			int64_t t = ta < th ? ta : th;
			if (lp.next_sweep <= t && lp.next_sweep < de) {
				int nev = 0;
				if (case_sweep(&w.cx, lp.next_sweep, &nev, &e) != OK)
					die("sweep", &e);
				s.st.events += nev;
				s.st.sweep_events += nev;
				lp.next_sweep += sweep_s;
				continue;
			}
			if (t >= de)
				break;
			if (ta <= th) {
				arrive(&s, lp.ordinal++, ta);
				lp.ai++;
				if (++lp.since_commit >= batch) {
					/* the state goes to disk before the commit it describes */
					lp.since_commit = 0;
					lp.commits++;
					lp.ran_ms += clock_mono_ms() - t_run;
					lp.ran_cpu += cpu_seconds() - cpu_run;
					t_run = clock_mono_ms();
					cpu_run = cpu_seconds();
					state_save(db, &par, &lp, &s, times);
					if (stop_before && lp.ordinal >= stop_before)
						_exit(3);
					if (store_commit(w.st, &e) != OK || store_begin(w.st, &e) != OK)
						die("commit", &e);
					if (stop_after && lp.ordinal >= stop_after)
						_exit(3);
					state_committed(db);
				}
				if ((lp.ordinal & 63) == 0)
					progress_show(&pg, &s.st, ta, false);
			} else {
				struct hent h = heap_pop(&s);
				struct sim *c = &s.pool[h.slot];
				int64_t next = sim_step(&s, c, h.t);
				if (next && next < year_end) {
					heap_push(&s, next < h.t ? h.t : next, h.slot);
				} else {
					s.st.open_at_end += next != 0;
					sim_free(&s, h.slot);
				}
			}
		}
	}
	if (store_commit(w.st, &e) != OK)
		die("commit", &e);
	lp.commits++;
	state_remove(db);
	double t_total = lp.ran_ms + clock_mono_ms() - t_run;
	double cpu_total = lp.ran_cpu + cpu_seconds() - cpu_run;
	progress_show(&pg, &s.st, year_end - 1, true);

	/* what the year left: statuses, sizes, speeds */
	printf("gen: cases=%lld\n", (long long)s.st.cases);
	printf("gen: events=%lld\n", (long long)s.st.events);
	printf("gen: sweep_events=%lld\n", (long long)s.st.sweep_events);
	printf("gen: domain_calls=%lld\n", (long long)s.st.calls);
	printf("gen: commits=%lld\n", (long long)lp.commits);
	printf("gen: batch=%lld\n", (long long)batch);
	printf("gen: cache_mib=%lld\n", (long long)cache_mib);
	printf("gen: checkpoint_mib=%lld\n", (long long)checkpoint_mib);
	printf("gen: resumes=%lld\n", (long long)lp.resumes);
	printf("gen: setup_seconds=%.1f\n", t_setup / 1000);
	printf("gen: seconds=%.1f\n", t_total / 1000);
	printf("gen: cpu_seconds=%.1f\n", cpu_total);
	printf("gen: cases_per_second=%.0f\n", s.st.cases / (t_total / 1000));
	printf("gen: events_per_second=%.0f\n", s.st.events / (t_total / 1000));
	printf("gen: open_cases_max=%lld\n", (long long)s.st.live_max);
	printf("gen: open_at_year_end=%lld\n", (long long)s.st.open_at_end);
	printf("gen: auto_dispatched=%lld\n", (long long)s.st.auto_dispatched);
	printf("gen: located_by_hand=%lld\n", (long long)s.st.located_by_hand);
	printf("gen: with_location=%lld\n", (long long)s.st.with_location);
	for (int a = 0; a < CASE_ACTION_COUNT; a++)
		if (s.st.by_action[a] || s.st.skipped[a])
			printf("gen: action %s=%lld skipped=%lld\n", case_action_name((enum case_action)a),
			       (long long)s.st.by_action[a], (long long)s.st.skipped[a]);
	for (int k = 0; k < CASE_STATUS_COUNT; k++)
		printf("gen: reached %s=%lld\n", case_status_name((enum case_status)k),
		       (long long)s.st.reached[k]);
	for (int k = 0; k < CASE_STATUS_COUNT; k++)
		printf("gen: status %s=%lld\n", case_status_name((enum case_status)k),
		       (long long)count_status(w.st, case_status_name((enum case_status)k)));
	/* the shapes used, for the documentation (bench/gen.sh) */
	printf("gen: shapes arrivals=%s categories=%s\n", sh.us_from_data ? "files" : "built-in",
	       sh.tc_from_data ? "files" : "built-in");
	printf("gen: hour_shares=");
	for (int h = 0; h < 24; h++)
		printf("%s%.1f", h ? "," : "", 100 * (sh.hour_cum[h] - (h ? sh.hour_cum[h - 1] : 0)));
	printf("\ngen: weekday_factors=");
	for (int dd = 0; dd < 7; dd++)
		printf("%s%.2f", dd ? "," : "", sh.wday[dd]);
	printf("\n");
	{
		double tc_total = 0;
		for (int k = 0; k < TC_CLASSES; k++)
			tc_total += sh.tc[k];
		for (int g = 0; g < NGROUPS; g++) {
			int members = 0;
			for (int i = 0; i < w.ncats; i++)
				members += w.cats[i].group == g;
			double share = groups[g].tc >= 0
					   ? (1.0 - ASSUMED_SHARE) * sh.tc[groups[g].tc] / tc_total
					   : groups[g].assumed;
			printf("gen: group %s teddycup=%d share=%.3f categories=%d\n", groups[g].name,
			       groups[g].tc >= 0 ? sh.tc[groups[g].tc] : 0, share, members);
		}
	}
	struct unit_counts tot = {0};
	if (store_unit_counts(w.st, year_start, year_end, false, sum_counts, &tot, &e) != OK)
		die("figures", &e);
	double v = tot.cb_valid ? (double)tot.cb_valid : 1;
	printf("gen: figures dispatches=%lld valid_callbacks=%lld overdue=%lld returns=%lld extensions=%lld "
	       "reopens=%lld"
	       " whistle_reports=%lld ratings=%lld\n",
	       (long long)tot.dispatches, (long long)tot.cb_valid, (long long)tot.overdue,
	       (long long)tot.returns, (long long)tot.extensions, (long long)tot.reopens,
	       (long long)tot.reports, (long long)tot.ratings);
	printf(
	    "gen: rates response=%.4f resolution=%.4f satisfaction=%.4f sign_ontime=%.4f contact_ontime=%.4f"
	    " reply_ontime=%.4f\n",
	    tot.cb_contacted / v, tot.cb_solved / v, (tot.cb_satisfied + 0.9 * tot.cb_basic) / v,
	    tot.sign_total ? (double)tot.sign_ontime / tot.sign_total : 0,
	    tot.contact_total ? (double)tot.contact_ontime / tot.contact_total : 0,
	    tot.reply_total ? (double)tot.reply_ontime / tot.reply_total : 0);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("gen: max_rss_mib=%.0f\n", ru.ru_maxrss / 1024.0);
	if (digest) {
		struct digest_ctx dc = {.st = w.st};
		unsigned char out[32];
		crypto_generichash_init(&dc.h, NULL, 0, sizeof(out));
		if (store_case_ids(w.st, digest_case, &dc, &e) != OK)
			die("digest", &e);
		crypto_generichash_final(&dc.h, out, sizeof(out));
		printf("gen: digest=");
		for (size_t i = 0; i < sizeof(out); i++)
			printf("%02x", out[i]);
		printf(" (%lld events)\n", (long long)dc.events);
	}
	case_ctx_release(&w.cx);
	store_close(w.st);
	world_release(&w);
	free(s.pool);
	free(s.freel);
	free(s.heap);
	struct stat sb;
	if (stat(db, &sb) == 0)
		printf("gen: db_bytes=%lld\n", (long long)sb.st_size);
	free(dw);
	free(times);
	return 0;
}
