/*
 * assess.c — the monthly assessment (DOMAIN.md §7, docs/ASSESSMENT.md):
 * periods, configuration, rates and rankings per pool, and the
 * recomputation from the event log that checks the stored facts and the
 * store's aggregation (store_unit_counts) against a fold done here in C.
 */
#include "assess.h"
#include "case.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The whistle score of a summoned unit (吹哨报到, DOMAIN.md §7): this share
 * comes from the average rating (timeliness, attitude, result, 1–5 each,
 * as a fraction of 5), the rest from the share of reports made on time.
 * 0.7/0.3 follows the district practice of rating the work done above the
 * punctuality of showing up; it is a constant, not configuration, because
 * no city we know of publishes another split.
 */
#define WHISTLE_RATING_SHARE 0.7
#define WHISTLE_REPORT_SHARE (1.0 - WHISTLE_RATING_SHARE)

/* Every counter of struct unit_counts, by name and place, for sums and comparisons. */
/* clang-format off */
#define COUNT_FIELDS(X)                                                                                      \
	X(cb_valid) X(cb_contacted) X(cb_solved) X(cb_satisfied) X(cb_basic) X(as_valid) X(as_contacted)    \
	X(as_full_valid) X(as_solved) X(as_satisfied) X(as_basic) X(dispatches) X(sign_total) X(sign_ontime) \
	X(contact_total) X(contact_ontime) X(reply_total) X(reply_ontime) X(handling_seconds) X(returns)     \
	X(extensions) X(reopens) X(overdue) X(reports) X(reports_ontime) X(ratings) X(rating_sum)

static const struct {
	const char *name;
	size_t off;
} count_fields[] = {
#define X(f) {#f, offsetof(struct unit_counts, f)},
	COUNT_FIELDS(X)
#undef X
};
/* clang-format on */

/* A counter added to struct unit_counts must be added to COUNT_FIELDS too. */
_Static_assert(sizeof(struct unit_counts) ==
		   offsetof(struct unit_counts, cb_valid) + sizeof(int64_t) * ARRAY_SIZE(count_fields),
	       "COUNT_FIELDS must list every counter of struct unit_counts");

static int64_t *counter(struct unit_counts *c, size_t i)
{
	return (int64_t *)(void *)((char *)c + count_fields[i].off);
}

static int64_t counter_get(const struct unit_counts *c, size_t i)
{
	return *(const int64_t *)(const void *)((const char *)c + count_fields[i].off);
}

static void counts_add(struct unit_counts *sum, const struct unit_counts *c)
{
	for (size_t i = 0; i < ARRAY_SIZE(count_fields); i++)
		*counter(sum, i) += counter_get(c, i);
}

static bool counts_zero(const struct unit_counts *c)
{
	for (size_t i = 0; i < ARRAY_SIZE(count_fields); i++)
		if (counter_get(c, i))
			return false;
	return true;
}

/* ------------------------------------------------------------ periods and configuration */

static bool is_pool(int kind)
{
	return kind == UNIT_STREET || kind == UNIT_DEPARTMENT || kind == UNIT_ENTERPRISE ||
	       kind == UNIT_DISTRICT;
}

static enum err_code check_pool(int kind, struct err *e)
{
	if (!is_pool(kind))
		return err_set(
		    e, E_INVALID, "pool",
		    "考核分组须为 street（街道）、department（部门）、enterprise（企业）或 district（区）");
	return OK;
}

enum err_code assess_pool_parse(const char *name, enum unit_kind *out, struct err *e)
{
	int k = name ? unit_kind_parse(name) : -1;
	enum err_code rc = check_pool(k, e);
	if (rc == OK)
		*out = (enum unit_kind)k;
	return rc;
}

static int64_t local_midnight(int y, int m, int d)
{
	return days_from_civil(y, m, d) * 86400 - LOCAL_UTC_OFFSET;
}

enum err_code assess_period(const char *period, int start_day, int64_t *from, int64_t *to, struct err *e)
{
	int y = 0, m = 0;
	if (start_day < 1 || start_day > 28)
		return err_set(e, E_INVALID, "period_start_day", "考核周期起始日须为 1–28 之间的整数");
	bool shape = period && strlen(period) == 7 && period[4] == '-';
	for (int i = 0; shape && i < 7; i++)
		if (i != 4 && (period[i] < '0' || period[i] > '9'))
			shape = false;
	if (shape) {
		y = atoi(period);
		m = atoi(period + 5);
	}
	if (!shape || m < 1 || m > 12 || y < 2000 || y > 2999)
		return err_set(e, E_INVALID, "period", "考核期须为年月，格式 YYYY-MM（如 2026-03）");
	if (start_day == 1) {
		*from = local_midnight(y, m, 1);
		*to = m == 12 ? local_midnight(y + 1, 1, 1) : local_midnight(y, m + 1, 1);
	} else {
		*from = m == 1 ? local_midnight(y - 1, 12, start_day) : local_midnight(y, m - 1, start_day);
		*to = local_midnight(y, m, start_day);
	}
	return OK;
}

void assess_config_default(enum unit_kind pool, struct assess_config *out)
{
	memset(out, 0, sizeof(*out));
	out->pool = pool;
	out->w_response = 0.10;
	out->w_resolution = 0.50;
	out->w_satisfaction = 0.40;
	out->basic_coefficient = 0.9;
	out->period_start_day = 1;
	out->min_callbacks = 1;
	out->whistle_weight = pool == UNIT_DEPARTMENT || pool == UNIT_ENTERPRISE ? 1.0 / 3.0 : 0.0;
}

enum err_code assess_config_load(struct store *st, enum unit_kind pool, struct assess_config *out,
				 struct err *e)
{
	struct err nf;
	enum err_code rc;
	if ((rc = check_pool(pool, e)))
		return rc;
	err_init(&nf);
	rc = store_assess_config_get(st, pool, out, &nf);
	if (rc == E_NOT_FOUND) {
		assess_config_default(pool, out);
		return OK;
	}
	if (rc != OK)
		*e = nf;
	return rc;
}

static bool in_range(double v, double lo, double hi)
{
	return isfinite(v) && v >= lo && v <= hi;
}

enum err_code assess_config_check(const struct assess_config *c, struct err *e)
{
	enum err_code rc;
	if ((rc = check_pool(c->pool, e)))
		return rc;
	const struct {
		const char *field;
		double v;
	} w[] = {{"weights.response", c->w_response},
		 {"weights.resolution", c->w_resolution},
		 {"weights.satisfaction", c->w_satisfaction}};
	for (size_t i = 0; i < ARRAY_SIZE(w); i++)
		if (!in_range(w[i].v, 0, 1))
			return err_set(e, E_INVALID, w[i].field, "权重 %s 须为 0–1 之间的数", w[i].field);
	double sum = c->w_response + c->w_resolution + c->w_satisfaction;
	if (fabs(sum - 1.0) > 1e-6)
		return err_set(e, E_INVALID, "weights",
			       "响应率、解决率、满意率三项权重之和须为 1（现为 %.6g）", sum);
	if (!in_range(c->basic_coefficient, 0, 1))
		return err_set(e, E_INVALID, "basic_coefficient", "基本满意折算系数须为 0–1 之间的数");
	if (c->period_start_day < 1 || c->period_start_day > 28)
		return err_set(e, E_INVALID, "period_start_day",
			       "考核周期起始日须为 1–28 之间的整数（1 为自然月）");
	if (c->min_callbacks < 1 || c->min_callbacks > 100000)
		return err_set(e, E_INVALID, "min_callbacks",
			       "参与排名的最少有效回访量须为 1–100000 之间的整数");
	if (!in_range(c->whistle_weight, 0, 1))
		return err_set(e, E_INVALID, "whistle_weight", "吹哨得分权重须为 0–1 之间的数");
	if (c->whistle_weight > 0 && c->pool != UNIT_DEPARTMENT && c->pool != UNIT_ENTERPRISE)
		return err_set(e, E_INVALID, "whistle_weight",
			       "只有部门和企业的考核计入吹哨得分，%s 分组的吹哨权重须为 0",
			       unit_kind_name(c->pool));
	return OK;
}

/* ------------------------------------------------------------ figures */

static double ratio(int64_t num, int64_t den)
{
	return den > 0 ? (double)num / (double)den : 0.0;
}

/* A process figure: -1 when there is nothing to measure. */
static double share(int64_t num, int64_t den)
{
	return den > 0 ? (double)num / (double)den : -1.0;
}

static void rates_of(struct rates *r, const struct assess_config *cfg, int64_t valid, int64_t contacted,
		     int64_t full_valid, int64_t solved, int64_t satisfied, int64_t basic)
{
	r->valid = valid;
	r->response = ratio(contacted, valid);
	r->resolution = ratio(solved, full_valid);
	r->satisfaction =
	    full_valid > 0 ? ((double)satisfied + cfg->basic_coefficient * (double)basic) / (double)full_valid
			   : 0.0;
	r->score = 100.0 * (cfg->w_response * r->response + cfg->w_resolution * r->resolution +
			    cfg->w_satisfaction * r->satisfaction);
}

/* Turn a row's counts into rates, whistle and process figures. */
static void row_figures(struct assess_row *row, const struct assess_config *cfg)
{
	const struct unit_counts *n = &row->n;
	rates_of(&row->assessed, cfg, n->as_valid, n->as_contacted, n->as_full_valid, n->as_solved,
		 n->as_satisfied, n->as_basic);
	rates_of(&row->full, cfg, n->cb_valid, n->cb_contacted, n->cb_valid, n->cb_solved, n->cb_satisfied,
		 n->cb_basic);
	row->whistle_score = -1;
	if ((cfg->pool == UNIT_DEPARTMENT || cfg->pool == UNIT_ENTERPRISE) && n->ratings > 0) {
		double rating = (double)n->rating_sum / (3.0 * (double)n->ratings) / 5.0;
		if (n->reports > 0)
			row->whistle_score =
			    100.0 * (WHISTLE_RATING_SHARE * rating +
				     WHISTLE_REPORT_SHARE * ratio(n->reports_ontime, n->reports));
		else
			row->whistle_score =
			    100.0 * rating; /* rated in this period, reported in an earlier one */
	}
	row->final_score = row->whistle_score >= 0 ? (1.0 - cfg->whistle_weight) * row->assessed.score +
							 cfg->whistle_weight * row->whistle_score
						   : row->assessed.score;
	row->on_time_sign = share(n->sign_ontime, n->sign_total);
	row->on_time_contact = share(n->contact_ontime, n->contact_total);
	row->on_time_feedback = share(n->reply_ontime, n->reply_total);
	row->return_rate = share(n->returns, n->dispatches);
	row->rework_rate = share(n->reopens, n->reply_total);
	row->extension_rate = share(n->extensions, n->dispatches);
	row->avg_handling_hours =
	    n->reply_total > 0 ? (double)n->handling_seconds / (double)n->reply_total / 3600.0 : -1.0;
}

/* Ranked rows first: final score (equal within 1e-9), then volume, then code; the rest by code. */
static int row_cmp(const void *pa, const void *pb)
{
	const struct assess_row *a = pa, *b = pb;
	bool ra = a->rank != 0, rb = b->rank != 0;
	if (ra != rb)
		return ra ? -1 : 1;
	if (ra) {
		if (fabs(a->final_score - b->final_score) > 1e-9)
			return a->final_score > b->final_score ? -1 : 1;
		if (a->assessed.valid != b->assessed.valid)
			return a->assessed.valid > b->assessed.valid ? -1 : 1;
	}
	return strcmp(a->unit.code, b->unit.code);
}

struct pool_ctx {
	struct assess_report *r;
	int cap;
	const char *path; /* only units whose path starts with this; NULL = all */
	enum unit_kind kind;
	struct store *st;
	struct err *e;
};

static int add_pool_unit(void *vctx, const struct unit *u)
{
	struct pool_ctx *p = vctx;
	if (p->path && !str_has_prefix(u->path, p->path))
		return 0;
	if (p->r->nrows == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		p->r->rows = xrealloc(p->r->rows, (size_t)p->cap * sizeof(*p->r->rows));
	}
	struct assess_row *row = &p->r->rows[p->r->nrows++];
	memset(row, 0, sizeof(*row));
	row->unit = *u;
	strlcpy_ok(row->n.unit, u->code, sizeof(row->n.unit));
	return 0;
}

static int row_code_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct assess_row *)elem)->unit.code);
}

/*
 * One unit's counts into the pool: the row of that unit, or for the
 * district pool the district whose subtree holds the unit.
 */
static int add_counts(void *vctx, const struct unit_counts *c)
{
	struct pool_ctx *p = vctx;
	struct assess_report *r = p->r;
	if (p->kind != UNIT_DISTRICT) {
		/* no rows (a parent with no units of the pool under it): never hand bsearch a NULL array */
		struct assess_row *row =
		    r->nrows ? bsearch(c->unit, r->rows, (size_t)r->nrows, sizeof(*r->rows), row_code_cmp) : NULL;
		if (row)
			counts_add(&row->n, c);
		return 0;
	}
	struct unit u;
	struct err ignore;
	if (!*c->unit || store_unit_get(p->st, c->unit, &u, &ignore) != OK)
		return 0; /* a fact naming no known unit belongs to no district */
	for (int i = 0; i < r->nrows; i++)
		if (str_has_prefix(u.path, r->rows[i].unit.path)) {
			counts_add(&r->rows[i].n, c);
			break;
		}
	return 0;
}

void assess_report_release(struct assess_report *r)
{
	free(r->rows);
	r->rows = NULL;
	r->nrows = 0;
}

enum err_code assess_rates(struct store *st, const char *period, enum unit_kind pool, const char *parent,
			   struct assess_report *out, struct err *e)
{
	enum err_code rc;
	struct unit pu;
	memset(out, 0, sizeof(*out));
	out->pool = pool;
	if ((rc = assess_config_load(st, pool, &out->config, e)) ||
	    (rc = assess_period(period, out->config.period_start_day, &out->from, &out->to, e)))
		return rc;
	strlcpy_ok(out->period, period, sizeof(out->period));
	if (parent && *parent) {
		struct err nf;
		err_init(&nf);
		if ((rc = store_unit_get(st, parent, &pu, &nf)) == E_NOT_FOUND)
			return err_set(e, E_NOT_FOUND, "parent", "单位 %s 不存在", parent);
		if (rc != OK) {
			*e = nf;
			return rc;
		}
	}
	struct pool_ctx p = {out, 0, parent && *parent ? pu.path : NULL, pool, st, e};
	if ((rc = store_units_list(st, pool, NULL, add_pool_unit, &p, e)) ||
	    (rc = store_unit_counts(st, out->from, out->to, false, add_counts, &p, e))) {
		assess_report_release(out);
		return rc;
	}
	for (int i = 0; i < out->nrows; i++) {
		struct assess_row *row = &out->rows[i];
		row_figures(row, &out->config);
		row->rank = row->assessed.valid >= out->config.min_callbacks ? 1 : 0;
	}
	if (out->nrows > 0)
		qsort(out->rows, (size_t)out->nrows, sizeof(*out->rows), row_cmp);
	for (int i = 0, next = 1; i < out->nrows; i++)
		if (out->rows[i].rank)
			out->rows[i].rank = next++;
	return OK;
}

/* ------------------------------------------------------------ recompute */

/* A growable list of facts. */
struct facts {
	struct fact *f;
	int n, cap;
};

static int facts_push(void *ctx, const struct fact *f)
{
	struct facts *l = ctx;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 32;
		l->f = xrealloc(l->f, (size_t)l->cap * sizeof(*l->f));
	}
	l->f[l->n++] = *f;
	return 0;
}

/*
 * The store lists a case's facts by (seq, kind) and, within those, in the
 * order they were written; an event yields its facts in fold order. Sort
 * the rebuilt ones the store's way (a stable insertion sort: a case has
 * few facts).
 */
static void facts_sort(struct facts *l)
{
	for (int i = 1; i < l->n; i++) {
		struct fact x = l->f[i];
		int j = i - 1;
		while (j >= 0 &&
		       (l->f[j].seq > x.seq || (l->f[j].seq == x.seq && strcmp(l->f[j].kind, x.kind) > 0))) {
			l->f[j + 1] = l->f[j];
			j--;
		}
		l->f[j + 1] = x;
	}
}

/*
 * Units' counts in an open-addressing table keyed by unit code. An empty
 * unit[] marks a free slot, so a fact naming no unit is kept under
 * NO_UNIT_KEY (not a valid code) and turned back into "" at the end.
 */
struct count_map {
	struct unit_counts *slots;
	size_t cap, n;
};
#define NO_UNIT_KEY "\x01"

static size_t code_hash(const char *s)
{
	size_t h = 1469598103934665603u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

static struct unit_counts *map_slot(struct count_map *m, const char *unit)
{
	if (!*unit)
		unit = NO_UNIT_KEY;
	if (2 * (m->n + 1) > m->cap) {
		struct count_map g = {xcalloc(m->cap ? m->cap * 2 : 256, sizeof(*m->slots)),
				      m->cap ? m->cap * 2 : 256, 0};
		for (size_t i = 0; i < m->cap; i++)
			if (m->slots[i].unit[0])
				*map_slot(&g, m->slots[i].unit) = m->slots[i];
		free(m->slots);
		*m = g;
	}
	size_t i = code_hash(unit) & (m->cap - 1);
	while (m->slots[i].unit[0] && strcmp(m->slots[i].unit, unit) != 0)
		i = (i + 1) & (m->cap - 1);
	if (!m->slots[i].unit[0]) {
		strlcpy_ok(m->slots[i].unit, unit, sizeof(m->slots[i].unit));
		m->n++;
	}
	return &m->slots[i];
}

static int counts_code_cmp(const void *a, const void *b)
{
	return strcmp(((const struct unit_counts *)a)->unit, ((const struct unit_counts *)b)->unit);
}

/* Count one non-callback fact the way store_unit_counts does; other kinds count nothing. */
static void count_fact(struct count_map *m, const struct fact *f)
{
	static const char *const kinds[] = {"dispatch",	 "sign",   "contact", "reply",	"handling", "return",
					    "extension", "reopen", "overdue", "report", "rating"};
	size_t k = 0;
	while (k < ARRAY_SIZE(kinds) && strcmp(kinds[k], f->kind) != 0)
		k++;
	if (k == ARRAY_SIZE(kinds))
		return;
	struct unit_counts *c = map_slot(m, f->unit);
	int64_t v = f->value;
	switch (k) {
	case 0:
		c->dispatches++;
		break;
	case 1:
		c->sign_total++, c->sign_ontime += v == 1;
		break;
	case 2:
		c->contact_total++, c->contact_ontime += v == 1;
		break;
	case 3:
		c->reply_total++, c->reply_ontime += v == 1;
		break;
	case 4:
		c->handling_seconds += v;
		break;
	case 5:
		c->returns++;
		break;
	case 6:
		c->extensions++;
		break;
	case 7:
		c->reopens++;
		break;
	case 8:
		c->overdue++;
		break;
	case 9:
		c->reports++, c->reports_ontime += v == 1;
		break;
	case 10:
		c->ratings++, c->rating_sum += v / 100 + v / 10 % 10 + v % 10;
		break;
	}
}

/* Count a case's deciding callback: full scope always, assessed by the case's scope. */
static void count_callback(struct count_map *m, const struct fact *f, enum assess_scope scope)
{
	struct unit_counts *c = map_slot(m, f->unit);
	int64_t v = f->value, sat = v >> FACT_CB_SAT_SHIFT;
	bool contacted = v & FACT_CB_CONTACTED, solved = v & FACT_CB_SOLVED;
	c->cb_valid++;
	c->cb_contacted += contacted;
	c->cb_solved += solved;
	c->cb_satisfied += sat == SAT_SATISFIED;
	c->cb_basic += sat == SAT_BASIC;
	if (scope == SCOPE_ALL || scope == SCOPE_RESPONSE_ONLY) {
		c->as_valid++;
		c->as_contacted += contacted;
	}
	if (scope == SCOPE_ALL) {
		c->as_full_valid++;
		c->as_solved += solved;
		c->as_satisfied += sat == SAT_SATISFIED;
		c->as_basic += sat == SAT_BASIC;
	}
}

/* A span of time recounted: the periods (of any pools) with these bounds share it. */
struct span {
	int64_t from, to;
	char label[64]; /* its period and the pools that share it: "2026-03 street/department" */
	struct count_map map;
};

struct recompute {
	struct store *st;
	int64_t cases;
	int mismatches;
	mismatch_fn fn;
	void *ctx;
	const char *label; /* of the span being compared; NULL while the cases are walked */
	struct span *spans;
	int nspans;
	struct facts rebuilt, stored;
	struct case_rec *c;
	struct err *e;
};

static void mismatch(struct recompute *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void mismatch(struct recompute *x, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	x->mismatches++;
	if (!x->fn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (x->label) {
		char full[600];
		snprintf(full, sizeof(full), "%s: %s", x->label, msg);
		x->fn(x->ctx, full);
	} else {
		x->fn(x->ctx, msg);
	}
}

static bool fact_equal(const struct fact *a, const struct fact *b)
{
	return a->seq == b->seq && a->at == b->at && a->user_id == b->user_id && a->value == b->value &&
	       !strcmp(a->kind, b->kind) && !strcmp(a->unit, b->unit);
}

static void fact_text(const struct fact *f, char *out, size_t n)
{
	char at[26];
	time_format_iso(f->at, at);
	snprintf(out, n, "第 %d 条事件 %s 单位 %s 值 %lld 用户 %lld 时间 %s", f->seq, f->kind,
		 *f->unit ? f->unit : "（空）", (long long)f->value, (long long)f->user_id, at);
}

/* Compare one case's rebuilt facts with its stored ones; describe the first difference. */
static void compare_case_facts(struct recompute *x, int64_t id)
{
	char a[160], b[160];
	int n = x->rebuilt.n < x->stored.n ? x->rebuilt.n : x->stored.n;
	for (int i = 0; i < n; i++) {
		if (!fact_equal(&x->rebuilt.f[i], &x->stored.f[i])) {
			fact_text(&x->rebuilt.f[i], a, sizeof(a));
			fact_text(&x->stored.f[i], b, sizeof(b));
			mismatch(x, "工单 %lld 的第 %d 项统计事实不同：重算为 %s，存储为 %s", (long long)id,
				 i + 1, a, b);
			return;
		}
	}
	if (x->rebuilt.n != x->stored.n) {
		const struct fact *extra = x->rebuilt.n > x->stored.n ? &x->rebuilt.f[n] : &x->stored.f[n];
		fact_text(extra, a, sizeof(a));
		mismatch(x, "工单 %lld 的统计事实数量不同：重算 %d 项，存储 %d 项（第一项多出的：%s%s）",
			 (long long)id, x->rebuilt.n, x->stored.n,
			 x->rebuilt.n > x->stored.n ? "重算的 " : "存储的 ", a);
	}
}

/* Rebuild one case, check its facts, and add the period's facts to the counts. */
static int recompute_case(void *vctx, int64_t id)
{
	struct recompute *x = vctx;
	struct err ce;
	err_init(&ce);
	x->cases++;
	x->rebuilt.n = x->stored.n = 0;
	enum err_code rc = case_rebuild(x->st, id, x->c, facts_push, &x->rebuilt, &ce);
	if (rc == E_DB) {
		*x->e = ce;
		return rc;
	}
	if (rc != OK) {
		mismatch(x, "工单 %lld 无法从事件重算：%s", (long long)id, ce.msg);
		return 0;
	}
	if ((rc = store_facts_list(x->st, id, facts_push, &x->stored, x->e)) != OK)
		return rc;
	facts_sort(&x->rebuilt);
	compare_case_facts(x, id);

	for (int k = 0; k < x->nspans; k++) {
		struct span *sp = &x->spans[k];
		const struct fact *cb = NULL;
		for (int i = 0; i < x->rebuilt.n; i++) {
			const struct fact *f = &x->rebuilt.f[i];
			if (f->at < sp->from || f->at >= sp->to)
				continue;
			if (!strcmp(f->kind, "callback")) {
				if ((f->value & FACT_CB_VALID) && (!cb || f->seq >= cb->seq))
					cb = f;
			} else {
				count_fact(&sp->map, f);
			}
		}
		if (cb)
			count_callback(&sp->map, cb, x->c->scope);
	}
	return 0;
}

struct stored_counts {
	struct unit_counts *c;
	int n, cap;
};

static int stored_push(void *ctx, const struct unit_counts *c)
{
	struct stored_counts *l = ctx;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->c = xrealloc(l->c, (size_t)l->cap * sizeof(*l->c));
	}
	l->c[l->n++] = *c;
	return 0;
}

/* Compare the recomputed counts with the stored ones, unit by unit (both by code). */
static void compare_counts(struct recompute *x, const struct unit_counts *mine, int nmine,
			   const struct stored_counts *theirs, const char *how)
{
	static const struct unit_counts zero;
	int i = 0, j = 0;
	while (i < nmine || j < theirs->n) {
		int d = i == nmine ? 1 : j == theirs->n ? -1 : strcmp(mine[i].unit, theirs->c[j].unit);
		const struct unit_counts *a = d <= 0 ? &mine[i] : &zero;
		const struct unit_counts *b = d >= 0 ? &theirs->c[j] : &zero;
		const char *unit = d <= 0 ? mine[i].unit : theirs->c[j].unit;
		for (size_t k = 0; k < ARRAY_SIZE(count_fields); k++) {
			if (counter_get(a, k) != counter_get(b, k)) {
				mismatch(x, "单位 %s 的 %s 不同：重算为 %lld，%s为 %lld",
					 *unit ? unit : "（空）", count_fields[k].name,
					 (long long)counter_get(a, k), how, (long long)counter_get(b, k));
				break;
			}
		}
		if (d <= 0)
			i++;
		if (d >= 0)
			j++;
	}
}

/* Compare span sp's recounted counts with the stored ones (the plain scan and the kept counts). */
static enum err_code compare_span(struct recompute *x, struct span *sp)
{
	struct stored_counts scanned = {0}, daily = {0};
	struct unit_counts *mine = NULL;
	enum err_code rc;
	if ((rc = store_unit_counts(x->st, sp->from, sp->to, true, stored_push, &scanned, x->e)) ||
	    (rc = store_unit_counts(x->st, sp->from, sp->to, false, stored_push, &daily, x->e)))
		goto out;
	int nmine = 0;
	mine = xcalloc(sp->map.n ? sp->map.n : 1, sizeof(*mine));
	for (size_t i = 0; i < sp->map.cap; i++)
		if (sp->map.slots[i].unit[0] && !counts_zero(&sp->map.slots[i])) {
			mine[nmine] = sp->map.slots[i];
			if (!strcmp(mine[nmine].unit, NO_UNIT_KEY))
				mine[nmine].unit[0] = '\0';
			nmine++;
		}
	if (nmine > 0) /* qsort may not be given a NULL array, even empty */
		qsort(mine, (size_t)nmine, sizeof(*mine), counts_code_cmp);
	x->label = sp->label;
	compare_counts(x, mine, nmine, &scanned, "存储事实的全表统计");
	compare_counts(x, mine, nmine, &daily, "按日累计的统计");
	x->label = NULL;
out:
	free(mine);
	free(scanned.c);
	free(daily.c);
	return rc;
}

enum err_code assess_recompute_periods(struct store *st, const struct assess_period_ref *periods, int n,
				       int *mismatches, int64_t *cases, mismatch_fn fn, void *ctx, struct err *e)
{
	struct recompute x = {.st = st, .fn = fn, .ctx = ctx, .e = e};
	enum err_code rc = OK;
	*mismatches = 0;
	x.spans = xcalloc(n > 0 ? (size_t)n : 1, sizeof(*x.spans));
	for (int i = 0; i < n; i++) {
		struct assess_config cfg;
		int64_t from, to;
		if ((rc = assess_config_load(st, periods[i].pool, &cfg, e)) ||
		    (rc = assess_period(periods[i].period, cfg.period_start_day, &from, &to, e)))
			goto out;
		const char *pool = unit_kind_name(periods[i].pool);
		int k = 0;
		while (k < x.nspans && (x.spans[k].from != from || x.spans[k].to != to))
			k++;
		struct span *sp = &x.spans[k];
		if (k == x.nspans) {
			x.nspans++;
			sp->from = from, sp->to = to;
			snprintf(sp->label, sizeof(sp->label), "%s %s", periods[i].period, pool);
		} else if (strlen(sp->label) + 1 + strlen(pool) < sizeof(sp->label)) {
			strcat(strcat(sp->label, "/"), pool);
		}
	}
	x.c = xmalloc(sizeof(*x.c));
	if ((rc = store_case_ids(st, recompute_case, &x, e)))
		goto out;
	for (int k = 0; k < x.nspans; k++)
		if ((rc = compare_span(&x, &x.spans[k])))
			goto out;
	*mismatches = x.mismatches;
	if (cases)
		*cases = x.cases;
out:
	for (int k = 0; k < x.nspans; k++)
		free(x.spans[k].map.slots);
	free(x.spans);
	free(x.rebuilt.f);
	free(x.stored.f);
	free(x.c);
	return rc;
}

enum err_code assess_recompute(struct store *st, const char *period, enum unit_kind pool, int *mismatches,
			       int64_t *cases, mismatch_fn fn, void *ctx, struct err *e)
{
	struct assess_period_ref p = {period, pool};
	return assess_recompute_periods(st, &p, 1, mismatches, cases, fn, ctx, e);
}
