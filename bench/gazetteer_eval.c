/*
 * gazetteer_eval — how well the address gazetteer finds the street, and how
 * fast, measured on data read from ../shared/data (test only: read there,
 * never copied into the repository). Run by `make bench FULL=1`.
 *
 * There are no real Beijing address strings in ../shared/data: the Beijing
 * files are the official unit lists, and the only real citizen messages
 * (corpus/teddycup2020) come from another province's message board with
 * the city anonymised (A市, A3区). So this measures, and labels, two things:
 *
 *   1. Positive set, built from the real official names of every street
 *      and community in beijing/streets.csv and communities.csv, written in
 *      the forms people use (without 街道 or 居委会, 镇 for 地区, with the
 *      district in front, with a house number after). Scored: the right
 *      street (resolved without a person), a wrong street (silently: the
 *      dangerous case), or sent to a person (needs_decision).
 *   2. Negative set, real Chinese place text that is not in Beijing: the
 *      subjects and the first 200 characters of the messages of
 *      teddycup2020. Every street resolved there is a false positive.
 *
 * Plus the share of ambiguous names and resolutions per second on one
 * thread. Usage: gazetteer_eval [--data DIR] [--write FILE.md]
 * With --write, the section "## Address gazetteer" goes to FILE.md between
 * its markers; `make bench FULL=1` puts it into docs/PERFORMANCE.md with
 * bench/section.sh.
 */
#include "domain/catalog.h"
#include "domain/geo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_FILE (64 * 1024 * 1024)
#define SECTION "## Address gazetteer"

/* ---------------------------------------------------------------- reading the CSVs */

struct row {
	char code[32], name[TEXT_BYTES(64)], parent[32], district[32];
};

struct table {
	struct row *v;
	size_t n, cap;
	int icode, iname, iparent, idistrict; /* -1 until the header is read */
	const char *parent_col, *district_col;
};

static int table_row(void *ctx, size_t lineno, int nf, char **f, struct err *e)
{
	struct table *t = ctx;
	if (lineno == 1) {
		t->icode = t->iname = t->iparent = t->idistrict = -1;
		for (int i = 0; i < nf; i++) {
			if (!strcmp(f[i], "code"))
				t->icode = i;
			if (!strcmp(f[i], "name"))
				t->iname = i;
			if (t->parent_col && !strcmp(f[i], t->parent_col))
				t->iparent = i;
			if (t->district_col && !strcmp(f[i], t->district_col))
				t->idistrict = i;
		}
		if (t->icode < 0 || t->iname < 0 || (t->parent_col && t->iparent < 0) ||
		    (t->district_col && t->idistrict < 0))
			return err_set(e, E_INVALID, "header", "unexpected header");
		return OK;
	}
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 1024;
		t->v = xrealloc(t->v, t->cap * sizeof(*t->v));
	}
	struct row *r = &t->v[t->n++];
	memset(r, 0, sizeof(*r));
	strlcpy_ok(r->code, f[t->icode], sizeof(r->code));
	strlcpy_ok(r->name, f[t->iname], sizeof(r->name));
	if (t->iparent >= 0)
		strlcpy_ok(r->parent, f[t->iparent], sizeof(r->parent));
	if (t->idistrict >= 0)
		strlcpy_ok(r->district, f[t->idistrict], sizeof(r->district));
	return OK;
}

static bool table_read(const char *path, struct table *t, const char *parent_col, const char *district_col)
{
	struct err e;
	char *data;
	size_t len;
	err_init(&e);
	t->parent_col = parent_col;
	t->district_col = district_col;
	if (file_read_all(path, MAX_FILE, &data, &len, &e) != OK)
		return false;
	bool ok = csv_parse(data, len, table_row, t, &e) == OK;
	if (!ok)
		fprintf(stderr, "gazetteer_eval: %s: %s\n", path, e.msg);
	free(data);
	return ok;
}

static const struct row *table_find(const struct table *t, const char *code)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->v[i].code, code))
			return &t->v[i];
	return NULL;
}

/*
 * One column of a CSV with a header (the teddycup messages), each value cut
 * to max_chars. Read here, not with csv_parse: its rows are capped at
 * CSV_MAX_ROW for untrusted imports, and some messages are longer.
 */
struct column {
	const char *name;
	size_t max_chars;
	char **v;
	size_t n, cap;
};

/* Keep at most c->max_chars characters of s (n bytes). */
static void column_add(struct column *c, const char *s, size_t n)
{
	size_t bytes = 0, chars = 0;
	while (bytes < n && chars < c->max_chars) {
		unsigned char b = (unsigned char)s[bytes];
		bytes += b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : 4;
		chars++;
	}
	if (bytes > n)
		bytes = n;
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 1024;
		c->v = xrealloc(c->v, c->cap * sizeof(*c->v));
	}
	c->v[c->n++] = xstrndup(s, bytes);
}

/* RFC 4180 over the whole buffer: the column called c->name of every row after the header. */
static bool column_read(const char *data, size_t len, struct column *c)
{
	struct buf field;
	int col = 0, want = -1;
	bool header = true, quoted = false;
	size_t i = 0;
	if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
		i = 3; /* a byte-order mark */
	buf_init(&field, BUF_NOMAX);
	for (; i <= len; i++) {
		char ch = i < len ? data[i] : '\n';
		if (quoted) {
			if (ch == '"' && i + 1 < len && data[i + 1] == '"') {
				buf_add(&field, "\"", 1);
				i++;
			} else if (ch == '"') {
				quoted = false;
			} else {
				buf_add(&field, &ch, 1);
			}
			continue;
		}
		if (ch == '"') {
			quoted = true;
		} else if (ch == ',' || ch == '\n') {
			if (header && !strcmp(field.s, c->name))
				want = col;
			else if (!header && col == want)
				column_add(c, field.s, field.len);
			buf_reset(&field);
			col++;
			if (ch == '\n') {
				if (header && want < 0)
					break;
				header = false;
				col = 0;
			}
		} else if (ch != '\r') {
			buf_add(&field, &ch, 1);
		}
	}
	buf_release(&field);
	return want >= 0;
}

/* ---------------------------------------------------------------- cases */

struct tcase {
	char *text;
	char street[32], community[32]; /* expected; community "" for street forms */
	int form;
};

struct cases {
	struct tcase *v;
	size_t n, cap;
};

static void case_add(struct cases *c, int form, const char *street, const char *community, const char *fmt,
		     ...) __attribute__((format(printf, 5, 6)));
static void case_add(struct cases *c, int form, const char *street, const char *community, const char *fmt,
		     ...)
{
	struct buf b;
	va_list ap;
	buf_init(&b, BUF_NOMAX);
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 4096;
		c->v = xrealloc(c->v, c->cap * sizeof(*c->v));
	}
	struct tcase *t = &c->v[c->n++];
	t->text = buf_detach(&b);
	strlcpy_ok(t->street, street, sizeof(t->street));
	strlcpy_ok(t->community, community, sizeof(t->community));
	t->form = form;
}

static bool ends(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n > m && !memcmp(s + n - m, suf, m);
}

/* s without suffix suf into out (out holds s). */
static void cut(const char *s, const char *suf, char *out)
{
	size_t n = strlen(s) - strlen(suf);
	memcpy(out, s, n);
	out[n] = '\0';
}

/* The forms people write, from the official names; these are the rows of the results table. */
enum form {
	F_STREET_OFFICIAL, /* 八宝山街道 */
	F_STREET_SHORT,	   /* 八宝山 */
	F_STREET_SWAP,	   /* 沙河镇 for 沙河地区, 马坡地区 for 马坡镇 */
	F_STREET_DISTRICT, /* 石景山区八宝山 */
	F_COMM_OFFICIAL,   /* 多福巷社区居委会 */
	F_COMM_SHORT,	   /* 多福巷社区, 楼梓庄村 */
	F_COMM_BARE,	   /* 多福巷 */
	F_COMM_DISTRICT,   /* 东城区多福巷3号楼 */
	F_COMM_FULL,	   /* 北京市东城区东华门街道多福巷社区居委会 */
	F_COUNT
};
static const char *const form_labels[F_COUNT] = {
    "街乡正式名称（八宝山街道）",	"街乡简称（八宝山）",
    "地区/镇互换（沙河镇 → 沙河地区）", "区 + 街乡简称（石景山区八宝山）",
    "社区正式名称（多福巷社区居委会）", "社区简称（多福巷社区、楼梓庄村）",
    "社区名去掉社区/村（多福巷）",	"区 + 社区名 + 门牌（东城区多福巷3号楼）",
    "北京市 + 区 + 街乡 + 社区全称",
};

/* Street forms. */
static void street_forms(struct cases *c, const struct row *s, const struct row *d)
{
	static const char *const suf[] = {"街道", "地区", "镇", "乡"};
	char base[sizeof(s->name)];
	case_add(c, F_STREET_OFFICIAL, s->code, "", "%s", s->name);
	for (size_t i = 0; i < ARRAY_SIZE(suf); i++) {
		if (!ends(s->name, suf[i]))
			continue;
		cut(s->name, suf[i], base);
		case_add(c, F_STREET_SHORT, s->code, "", "%s", base);
		if (d)
			case_add(c, F_STREET_DISTRICT, s->code, "", "%s%s", d->name, base);
		if (i == 1)
			case_add(c, F_STREET_SWAP, s->code, "", "%s镇", base);
		else if (i == 2)
			case_add(c, F_STREET_SWAP, s->code, "", "%s地区", base);
		break;
	}
}

/* Community forms. */
static void community_forms(struct cases *c, const struct row *m, const struct row *s, const struct row *d)
{
	static const struct {
		const char *suffix, *keep;
	} rules[] = {
	    {"社区居民委员会", "社区"}, {"社区居委会", "社区"}, {"村民委员会", "村"}, {"村委会", "村"},
	    {"居民委员会", "社区"},	{"居委会", "社区"},	{"社区", ""},	      {"村", ""},
	};
	char base[sizeof(m->name)];
	case_add(c, F_COMM_OFFICIAL, s->code, m->code, "%s", m->name);
	if (d)
		case_add(c, F_COMM_FULL, s->code, m->code, "北京市%s%s%s", d->name, s->name, m->name);
	for (size_t i = 0; i < ARRAY_SIZE(rules); i++) {
		if (!ends(m->name, rules[i].suffix))
			continue;
		cut(m->name, rules[i].suffix, base);
		if (*rules[i].keep && !ends(base, rules[i].keep))
			case_add(c, F_COMM_SHORT, s->code, m->code, "%s%s", base, rules[i].keep);
		case_add(c, F_COMM_BARE, s->code, m->code, "%s", base);
		if (d)
			case_add(c, F_COMM_DISTRICT, s->code, m->code, "%s%s3号楼", d->name, base);
		break;
	}
}

/* ---------------------------------------------------------------- scoring */

struct score {
	size_t n, right, wrong, decision, community_right;
};

static void score_case(const struct gazetteer *g, const struct tcase *t, struct score *s, FILE *wrong_log)
{
	struct place_resolution r;
	struct err e;
	err_init(&e);
	s->n++;
	if (gazetteer_resolve(g, t->text, &r, &e) != OK || r.needs_decision) {
		s->decision++;
		if (wrong_log)
			fprintf(wrong_log, "decision %d: %s: %s\n", t->form, t->text, r.evidence);
		return;
	}
	if (!strcmp(r.street, t->street)) {
		s->right++;
		if (*t->community && !strcmp(r.community, t->community))
			s->community_right++;
	} else {
		s->wrong++;
		if (wrong_log)
			fprintf(wrong_log, "wrong: %s → %s (expected %s): %s\n", t->text, r.street, t->street,
				r.evidence);
	}
}

static double pct(size_t a, size_t b)
{
	return b ? 100.0 * (double)a / (double)b : 0;
}

/* Names with more than one unit, from the table. */
struct name_units {
	char **names;
	size_t n, cap;
};

static int collect_names(void *ctx, const struct gaz_entry *g)
{
	struct name_units *nu = ctx;
	if (nu->n == nu->cap) {
		nu->cap = nu->cap ? nu->cap * 2 : 4096;
		nu->names = xrealloc(nu->names, nu->cap * sizeof(*nu->names));
	}
	nu->names[nu->n++] = xstrdup(g->name);
	return 0;
}

static int strp_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Write the section, between its markers, to path (bench/section.sh puts it into the document). */
static bool write_section(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return false;
	fprintf(f, "<!-- gazetteer:begin -->\n%s<!-- gazetteer:end -->\n", text);
	return fclose(f) == 0;
}

int main(int argc, char **argv)
{
	const char *data = "../shared/data", *write = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--data") && i + 1 < argc)
			data = argv[++i];
		else if (!strcmp(argv[i], "--write") && i + 1 < argc)
			write = argv[++i];
		else {
			fprintf(stderr, "usage: gazetteer_eval [--data DIR] [--write FILE.md]\n");
			return 2;
		}
	}
	log_threshold = LOG_WARN;
	char path[512];
	struct table districts = {0}, streets = {0}, comms = {0};
	snprintf(path, sizeof(path), "%s/beijing/communities.csv", data);
	if (access(path, R_OK) != 0) {
		printf("gazetteer_eval: %s not found: skipped (the evaluation reads ../shared/data)\n", path);
		return 0;
	}
	snprintf(path, sizeof(path), "%s/beijing/districts.csv", data);
	if (!table_read(path, &districts, NULL, NULL))
		return 1;
	snprintf(path, sizeof(path), "%s/beijing/streets.csv", data);
	if (!table_read(path, &streets, "areaCode", NULL))
		return 1;
	snprintf(path, sizeof(path), "%s/beijing/communities.csv", data);
	if (!table_read(path, &comms, "streetCode", "areaCode"))
		return 1;

	/* a demo database with the gazetteer built from the unit names */
	char dir[] = "/tmp/jiesu-gazeval-XXXXXX", db[64], cmd[96];
	struct store *st;
	struct gazetteer *g;
	struct err e;
	size_t nbuiltin = 0;
	err_init(&e);
	if (!mkdtemp(dir))
		return 1;
	snprintf(db, sizeof(db), "%s/eval.db", dir);
	if (store_open(db, &st, &e) != OK || catalog_load_builtin(st, true, NULL, NULL, &e) != OK) {
		fprintf(stderr, "gazetteer_eval: %s\n", e.msg);
		return 1;
	}
	double t0 = clock_mono_ms();
	if (gazetteer_build_builtin(st, &nbuiltin, &e) != OK) {
		fprintf(stderr, "gazetteer_eval: %s\n", e.msg);
		return 1;
	}
	double t1 = clock_mono_ms();
	if (gazetteer_load(st, &g, &e) != OK) {
		fprintf(stderr, "gazetteer_eval: %s\n", e.msg);
		return 1;
	}
	double t2 = clock_mono_ms();

	/* ambiguity: names (after the alias rules) that point to more than one unit */
	struct name_units nu = {0};
	store_gazetteer_list(st, collect_names, &nu, &e);
	qsort(nu.names, nu.n, sizeof(*nu.names), strp_cmp);
	size_t distinct = 0, ambiguous = 0;
	for (size_t i = 0; i < nu.n;) {
		size_t j = i + 1;
		while (j < nu.n && !strcmp(nu.names[j], nu.names[i]))
			j++;
		distinct++;
		if (j - i > 1)
			ambiguous++;
		i = j;
	}

	/* the positive set */
	struct cases pos = {0};
	for (size_t i = 0; i < streets.n; i++)
		street_forms(&pos, &streets.v[i], table_find(&districts, streets.v[i].parent));
	for (size_t i = 0; i < comms.n; i++) {
		const struct row *s = table_find(&streets, comms.v[i].parent);
		if (s)
			community_forms(&pos, &comms.v[i], s, table_find(&districts, comms.v[i].district));
	}
	struct score by_form[F_COUNT] = {{0}}, all = {0}, comm_all = {0};
	FILE *wrong_log = getenv("GAZ_EVAL_VERBOSE") ? stderr : NULL;
	for (size_t i = 0; i < pos.n; i++) {
		score_case(g, &pos.v[i], &by_form[pos.v[i].form], wrong_log);
		score_case(g, &pos.v[i], &all, NULL);
		if (*pos.v[i].community)
			score_case(g, &pos.v[i], &comm_all, NULL);
	}

	/* the negative set: real place text from another city */
	static const char *const files[] = {"attachment2_sample_labelled_messages.csv",
					    "attachment3_full_messages_with_votes.csv",
					    "attachment4_full_messages_with_official_replies.csv"};
	struct column subj = {.name = "留言主题", .max_chars = LIMIT_ADDRESS};
	struct column body = {.name = "留言详情", .max_chars = LIMIT_ADDRESS};
	bool have_neg = true;
	for (size_t i = 0; i < ARRAY_SIZE(files) && have_neg; i++) {
		char *buf;
		size_t len;
		snprintf(path, sizeof(path), "%s/corpus/teddycup2020/%s", data, files[i]);
		if (file_read_all(path, MAX_FILE, &buf, &len, &e) != OK) {
			have_neg = false;
			break;
		}
		if (!column_read(buf, len, &subj) || !column_read(buf, len, &body))
			have_neg = false;
		free(buf);
	}
	/* unique strings only (the attachments overlap) */
	struct column *cols[] = {&subj, &body};
	size_t neg_n[2] = {0}, neg_street[2] = {0}, neg_any[2] = {0}, neg_district[2] = {0};
	for (int k = 0; k < 2 && have_neg; k++) {
		struct column *c = cols[k];
		qsort(c->v, c->n, sizeof(*c->v), strp_cmp);
		for (size_t i = 0; i < c->n; i++) {
			struct place_resolution r;
			if (i && !strcmp(c->v[i], c->v[i - 1]))
				continue;
			neg_n[k]++;
			if (gazetteer_resolve(g, c->v[i], &r, &e) != OK)
				continue;
			if (!strcmp(r.method, "address"))
				neg_any[k]++;
			if (*r.district)
				neg_district[k]++;
			if (!r.needs_decision) {
				neg_street[k]++;
				if (wrong_log)
					fprintf(wrong_log, "false positive: %s → %s\n", r.matched,
						r.evidence);
			}
		}
	}

	/* speed: the positive set over and over on one thread, at least a second */
	size_t done = 0;
	double s0 = clock_mono_ms(), s1;
	do {
		for (size_t i = 0; i < pos.n; i++) {
			struct place_resolution r;
			gazetteer_resolve(g, pos.v[i].text, &r, &e);
		}
		done += pos.n;
		s1 = clock_mono_ms();
	} while (s1 - s0 < 1000);
	double per_s = (double)done / ((s1 - s0) / 1000);
	/* and the longer message text */
	size_t done_long = 0;
	double l0 = clock_mono_ms(), l1 = l0;
	if (have_neg) {
		do {
			for (size_t i = 0; i < body.n; i++) {
				struct place_resolution r;
				gazetteer_resolve(g, body.v[i], &r, &e);
			}
			done_long += body.n;
			l1 = clock_mono_ms();
		} while (l1 - l0 < 1000);
	}

	/* the report */
	struct buf out;
	char day[16];
	time_t now = time(NULL);
	strftime(day, sizeof(day), "%Y-%m-%d", gmtime(&now));
	buf_init(&out, BUF_NOMAX);
	buf_addf(&out, SECTION "\n\n");
	buf_addf(
	    &out,
	    "Measured %s by `build/bench/gazetteer_eval` (run by `make bench FULL=1`; reads ../shared/data, copies\n"
	    "nothing into the repository). Method and limits: docs/GEO.md.\n\n",
	    day);
	buf_addf(
	    &out,
	    "**There are no real Beijing address strings in ../shared/data**, so the share of real Beijing\n"
	    "addresses resolved to the right street cannot be measured honestly yet. The Beijing files are "
	    "the\n"
	    "official unit lists; the only real citizen messages (corpus/teddycup2020) come from another\n"
	    "province's board with the city anonymised (A市, A3区). What is measured instead:\n\n");
	buf_addf(
	    &out,
	    "**1. The official names, written as people write them.** Every street (%zu) and community "
	    "(%zu)\n"
	    "of beijing/streets.csv and communities.csv in the forms below: %zu strings. They come from the\n"
	    "same names the gazetteer is built from, so this checks the alias rules and how same-named "
	    "places\n"
	    "are handled, not real addresses (which also name roads, compounds and landmarks that only a\n"
	    "city's import adds). \"Right\" = the expected street, resolved without a person; \"wrong\" = "
	    "another\n"
	    "street, resolved without a person (the dangerous case); the rest go to a person "
	    "(needs_decision).\n\n",
	    streets.n, comms.n, pos.n);
	buf_addf(&out,
		 "| form | strings | right street | wrong street | to a person |\n|---|---|---|---|---|\n");
	for (int f = 0; f < F_COUNT; f++)
		buf_addf(&out, "| %s | %zu | %.1f%% | %.2f%% | %.1f%% |\n", form_labels[f], by_form[f].n,
			 pct(by_form[f].right, by_form[f].n), pct(by_form[f].wrong, by_form[f].n),
			 pct(by_form[f].decision, by_form[f].n));
	buf_addf(&out, "| **all** | %zu | **%.1f%%** | **%.2f%%** | %.1f%% |\n\n", all.n,
		 pct(all.right, all.n), pct(all.wrong, all.n), pct(all.decision, all.n));
	buf_addf(
	    &out,
	    "Community forms: the community itself right in %.1f%% of %zu strings. Ambiguity: %zu of %zu\n"
	    "distinct names in the gazetteer (%.1f%%) point to more than one unit (e.g. 小黄庄 is a "
	    "community\n"
	    "in 东城区 and in 朝阳区); alone they go to a person, with a district or street named they "
	    "resolve.\n\n",
	    pct(comm_all.community_right, comm_all.n), comm_all.n, ambiguous, distinct,
	    pct(ambiguous, distinct));
	if (have_neg)
		buf_addf(&out,
			 "**2. Real place text that is not in Beijing** (teddycup2020, unique strings; every "
			 "street found\n"
			 "is a false positive):\n\n"
			 "| text | strings | some name matched | a district filled | a street resolved "
			 "(false positive) |\n"
			 "|---|---|---|---|---|\n"
			 "| message subjects | %zu | %.1f%% | %.1f%% | %.2f%% |\n"
			 "| messages, first %d characters | %zu | %.1f%% | %.1f%% | %.2f%% |\n\n",
			 neg_n[0], pct(neg_any[0], neg_n[0]), pct(neg_district[0], neg_n[0]),
			 pct(neg_street[0], neg_n[0]), LIMIT_ADDRESS, neg_n[1], pct(neg_any[1], neg_n[1]),
			 pct(neg_district[1], neg_n[1]), pct(neg_street[1], neg_n[1]));
	else
		buf_addf(&out, "**2.** corpus/teddycup2020 not found: the negative set was skipped.\n\n");
	buf_addf(&out,
		 "**Speed**, one thread: %.0f resolutions/s (%.1f µs each) over the strings of set 1;\n",
		 per_s, 1000000.0 / per_s);
	if (done_long)
		buf_addf(&out, "%.0f/s (%.1f µs) over %d-character message text. ",
			 (double)done_long / ((l1 - l0) / 1000), (l1 - l0) * 1000 / (double)done_long,
			 LIMIT_ADDRESS);
	buf_addf(
	    &out,
	    "Writing the %zu built-in entries took %.0f ms;\nloading the automaton (%zu names) %.0f ms.\n",
	    nbuiltin, t1 - t0, gazetteer_size(g), t2 - t1);
	fputs(out.s, stdout);
	int ret = 0;
	if (write) {
		if (write_section(write, out.s))
			printf("gazetteer_eval: wrote the section to %s\n", write);
		else {
			fprintf(stderr, "gazetteer_eval: cannot write %s\n", write);
			ret = 1;
		}
	}
	buf_release(&out);
	for (size_t i = 0; i < pos.n; i++)
		free(pos.v[i].text);
	for (size_t i = 0; i < nu.n; i++)
		free(nu.names[i]);
	for (int k = 0; k < 2; k++) {
		for (size_t i = 0; i < cols[k]->n; i++)
			free(cols[k]->v[i]);
		free(cols[k]->v);
	}
	free(pos.v);
	free(nu.names);
	free(districts.v);
	free(streets.v);
	free(comms.v);
	gazetteer_free(g);
	store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		ret = 1;
	return ret;
}
