/*
 * catalog.c — reference data import (units, categories, tier rules,
 * holidays) and the built-in set embedded in the binary (docs/DATA.md).
 *
 * Every import runs in one store transaction: a row is checked, then put;
 * the first bad row rolls everything back, so a file is imported whole or
 * not at all. Row checks give the line and the column (err->field) so the
 * person fixing the file knows where to look.
 */
#include "catalog.h"
#include "auth.h"
#include "deadline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROGRESS_EVERY 500
#define DEPARTMENTS_MAX 200 /* rows of data/departments.csv */
#define DISTRICTS_MAX 100   /* districts in a demo city */

/* ---------------------------------------------------------------- helpers */

/* Duplicates within one import: add key seen on line; 0 if new, else the line it was first seen on. */
static size_t strset_add(struct strmap *set, const char *key, size_t line)
{
	int64_t *old = strmap_add(set, key, (int64_t)line);
	return old ? (size_t)*old : 0;
}

/*
 * Copy at most 40 bytes of s into out for quoting in a message, cut at a
 * UTF-8 character boundary, with "…" when shortened.
 */
static const char *clip(const char *s, char out[48])
{
	size_t n = strlen(s);
	if (n <= 40) {
		memcpy(out, s, n + 1);
		return out;
	}
	n = 40;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	memcpy(out, s, n);
	memcpy(out + n, "…", sizeof("…"));
	return out;
}

/* "第 12 行：", or "data/beijing/streets.csv 第 12 行：" for built-in files. */
static const char *at_line(const char *src, size_t lineno, char out[160])
{
	if (src)
		snprintf(out, 160, "%s 第 %zu 行：", src, lineno);
	else
		snprintf(out, 160, "第 %zu 行：", lineno);
	return out;
}

bool catalog_code_valid(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > LIMIT_CODE)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
		      c == '-'))
			return false;
	}
	return true;
}

/* A sector key: 1–31 characters of [a-z_]. */
static bool sector_valid(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n >= sizeof(((struct unit *)0)->sector))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || s[i] == '_'))
			return false;
	return true;
}

/* True if s is empty or only ASCII spaces and tabs. */
static bool blank(const char *s)
{
	return s[strspn(s, " \t")] == '\0';
}

/* True if s holds a control character (a newline inside a quoted field, a tab, ...). */
static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/* True if s starts or ends with an ASCII space or tab. */
static bool padded(const char *s)
{
	size_t n = strlen(s);
	return n && (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t');
}


/* Index of the column called name in a header row, or -1. */
static int column(int nfields, char **fields, const char *name)
{
	for (int i = 0; i < nfields; i++)
		if (!strcmp(fields[i], name))
			return i;
	return -1;
}

/* Rows in an embedded CSV (one row per line, header excluded), for progress totals. */
static size_t rows_estimate(const char *data, size_t len)
{
	size_t lines = 0;
	for (size_t i = 0; i < len; i++)
		if (data[i] == '\n')
			lines++;
	if (len && data[len - 1] != '\n')
		lines++;
	return lines ? lines - 1 : 0;
}

/* Commit, or roll back if rc (or the commit) failed. */
static enum err_code finish(struct store *st, enum err_code rc, struct err *e)
{
	if (rc == OK)
		rc = store_commit(st, e);
	if (rc != OK)
		store_rollback(st);
	return rc;
}

/* ---------------------------------------------------------------- units */

/* State of one unit load: a CSV import or the built-in set (several files). */
struct unit_load {
	struct store *st;
	const char *src; /* file named in messages (built-in data), or NULL */
	progress_fn pf;
	void *pctx;
	const char *stage; /* progress label */
	size_t total;      /* expected rows of this stage, 0 if unknown */
	size_t done;       /* rows of this stage so far */
	size_t count;      /* units put in this load */
	struct strmap seen; /* codes → line, across the whole load */
};

static void progress(struct unit_load *L, bool final)
{
	if (L->pf && (final || L->done % PROGRESS_EVERY == 0))
		L->pf(L->pctx, L->stage, L->done, L->total);
}

/*
 * Check one unit and put it. parent may be "" only for a centre. The parent
 * must already be in the store (earlier rows of this load are: they were
 * put in the same transaction) and must not lie below the unit itself.
 */
static int unit_row_put(struct unit_load *L, size_t lineno, const char *code, const char *name,
			const char *kind, const char *parent, const char *sector, struct err *e)
{
	char at[160], q[48];
	struct unit u = {0};
	int k;

	at_line(L->src, lineno, at);
	if (!catalog_code_valid(code))
		return err_set(e, E_INVALID, "code", "%s单位编码 %s 不合法：应为 1–%d 位字母、数字、_ 或 -", at,
			       clip(code, q), LIMIT_CODE);
	if (blank(name))
		return err_set(e, E_INVALID, "name", "%s单位 %s 的名称为空", at, code);
	if (utf8_len(name) > LIMIT_UNIT_NAME || !strlcpy_ok(u.name, name, sizeof(u.name)))
		return err_set(e, E_INVALID, "name", "%s单位 %s 的名称超过 %d 个字", at, code, LIMIT_UNIT_NAME);
	if (has_control(name))
		return err_set(e, E_INVALID, "name", "%s单位 %s 的名称含有换行或其他控制字符", at, code);
	k = unit_kind_parse(kind);
	if (k < 0)
		return err_set(e, E_INVALID, "kind",
			       "%s单位类型 %s 不认识：应为 centre、district、street、community、department 或 "
			       "enterprise",
			       at, clip(kind, q));
	if (k == UNIT_DEPARTMENT || k == UNIT_ENTERPRISE) {
		if (!*sector)
			return err_set(e, E_INVALID, "sector", "%s部门和企业须填写职责领域（sector），单位 %s 未填写",
				       at, code);
		if (!sector_valid(sector))
			return err_set(e, E_INVALID, "sector", "%s职责领域 %s 不合法：应为小写字母或 _", at,
				       clip(sector, q));
	} else if (*sector) {
		return err_set(e, E_INVALID, "sector", "%s只有部门和企业填写职责领域，%s 类单位 %s 应留空", at,
			       kind, code);
	}
	if (!*parent) {
		if (k != UNIT_CENTRE)
			return err_set(e, E_INVALID, "parent", "%s单位 %s 缺少上级单位（只有热线中心可以没有上级）", at,
				       code);
	} else {
		struct unit p;
		struct err pe;
		char needle[LIMIT_CODE + 3];
		enum err_code rc;

		if (!catalog_code_valid(parent))
			return err_set(e, E_INVALID, "parent", "%s上级单位编码 %s 不合法", at, clip(parent, q));
		if (!strcmp(parent, code))
			return err_set(e, E_INVALID, "parent", "%s单位 %s 的上级不能是它自己", at, code);
		err_init(&pe);
		rc = store_unit_get(L->st, parent, &p, &pe);
		if (rc == E_NOT_FOUND)
			return err_set(e, E_INVALID, "parent", "%s上级单位 %s 不存在", at, parent);
		if (rc != OK) {
			*e = pe;
			return rc;
		}
		snprintf(needle, sizeof(needle), "/%s/", code);
		if (strstr(p.path, needle))
			return err_set(e, E_INVALID, "parent", "%s上级单位 %s 是单位 %s 的下级，不能成环", at, parent,
				       code);
	}
	size_t first = strset_add(&L->seen, code, lineno);
	if (first)
		return err_set(e, E_INVALID, "code", "%s单位编码 %s 与第 %zu 行重复", at, code, first);

	strlcpy_ok(u.code, code, sizeof(u.code));
	u.kind = (enum unit_kind)k;
	strlcpy_ok(u.parent, parent, sizeof(u.parent));
	strlcpy_ok(u.sector, sector, sizeof(u.sector));
	enum err_code rc = store_unit_put(L->st, &u, e);
	if (rc != OK)
		return rc;
	L->count++;
	L->done++;
	progress(L, false);
	return OK;
}

/* State of a units CSV import: the load plus the header. */
struct units_csv {
	struct unit_load *L;
	int ncols; /* 0 until the header is read; then 4 or 5 */
};

/* One row of a units CSV (or its header). */
static int units_csv_row(void *ctx, size_t lineno, int nfields, char **f, struct err *e)
{
	static const char *const h4[] = {"code", "name", "kind", "parent"};
	static const char *const h5[] = {"code", "name", "kind", "parent", "sector"};
	struct units_csv *c = ctx;
	char at[160];

	if (!c->ncols) {
		if (csv_header_is(nfields, f, h5, 5))
			c->ncols = 5;
		else if (csv_header_is(nfields, f, h4, 4))
			c->ncols = 4;
		else
			return err_set(e, E_INVALID, "header", "%s表头应为 code,name,kind,parent[,sector]",
				       at_line(c->L->src, lineno, at));
		return OK;
	}
	if (nfields != c->ncols)
		return err_set(e, E_INVALID, NULL, "%s应有 %d 列，实际 %d 列", at_line(c->L->src, lineno, at),
			       c->ncols, nfields);
	return unit_row_put(c->L, lineno, f[0], f[1], f[2], f[3], c->ncols == 5 ? f[4] : "", e);
}

enum err_code catalog_import_units(struct store *st, const char *data, size_t len, progress_fn pf, void *pctx,
				   size_t *count, struct err *e)
{
	struct unit_load L = {.st = st, .pf = pf, .pctx = pctx, .stage = "units"};
	struct units_csv c = {.L = &L};
	enum err_code rc;

	if (count)
		*count = 0;
	rc = store_begin(st, e);
	if (rc != OK)
		return rc;
	rc = csv_parse(data, len, units_csv_row, &c, e);
	if (rc == OK && !c.ncols)
		rc = err_set(e, E_INVALID, "header", "文件为空：第 1 行应为表头 code,name,kind,parent[,sector]");
	rc = finish(st, rc, e);
	if (rc == OK) {
		progress(&L, true);
		if (count)
			*count = L.count;
	}
	strmap_release(&L.seen);
	return rc;
}

/* ---------------------------------------------------------------- categories */

/* State of a categories load. */
struct cat_load {
	struct store *st;
	const char *src;
	bool header_seen;
	size_t count;
	struct strmap seen; /* paths → line */
};

/* Check a category path: 1–3 levels joined by "->", none empty or padded. */
static bool cat_path_valid(const char *path, int *levels)
{
	const char *p = path;
	int n = 0;
	for (;;) {
		const char *sep = strstr(p, "->");
		size_t len = sep ? (size_t)(sep - p) : strlen(p);
		char level[TEXT_BYTES(LIMIT_PATH)];
		if (len == 0 || len >= sizeof(level))
			return false;
		memcpy(level, p, len);
		level[len] = '\0';
		if (blank(level) || padded(level) || has_control(level))
			return false;
		if (++n > 3)
			return false;
		if (!sep)
			break;
		p = sep + 2;
	}
	*levels = n;
	return true;
}

/* One row of a categories CSV (or its header): check and put. */
static int cat_row(void *ctx, size_t lineno, int nfields, char **f, struct err *e)
{
	static const char *const header[] = {"path", "tier", "handling"};
	struct cat_load *c = ctx;
	struct category cat = {0};
	char at[160], q[48];
	int levels, t;

	at_line(c->src, lineno, at);
	if (!c->header_seen) {
		if (!csv_header_is(nfields, f, header, 3))
			return err_set(e, E_INVALID, "header", "%s表头应为 path,tier,handling", at);
		c->header_seen = true;
		return OK;
	}
	if (nfields != 3)
		return err_set(e, E_INVALID, NULL, "%s应有 3 列，实际 %d 列", at, nfields);
	if (utf8_len(f[0]) > LIMIT_PATH || !strlcpy_ok(cat.path, f[0], sizeof(cat.path)))
		return err_set(e, E_INVALID, "path", "%s分类路径超过 %d 个字", at, LIMIT_PATH);
	if (!cat_path_valid(f[0], &levels))
		return err_set(e, E_INVALID, "path",
			       "%s分类路径 %s 不合法：应为 1 到 3 级，用 -> 连接，每级不能为空或首尾带空格", at, clip(f[0], q));
	t = tier_parse(f[1]);
	if (t < 0)
		return err_set(e, E_INVALID, "tier",
			       "%s时限等级 %s 不认识：应为 emergency、utilities、general 或 complex", at,
			       clip(f[1], q));
	cat.tier = (enum tier)t;
	if (strcmp(f[2], "street") &&
	    !(str_has_prefix(f[2], "sector:") && sector_valid(f[2] + strlen("sector:"))))
		return err_set(e, E_INVALID, "handling",
			       "%s默认承办 %s 不合法：应为 street（属地街乡）或 sector:<职责领域>，领域为小写字母或 _",
			       at, clip(f[2], q));
	strlcpy_ok(cat.handling, f[2], sizeof(cat.handling));
	size_t first = strset_add(&c->seen, f[0], lineno);
	if (first)
		return err_set(e, E_INVALID, "path", "%s分类路径与第 %zu 行重复", at, first);
	enum err_code rc = store_category_put(c->st, &cat, e);
	if (rc != OK)
		return rc;
	c->count++;
	return OK;
}

/* Parse and put a categories CSV inside the caller's transaction. */
static enum err_code cat_load_csv(struct store *st, const char *src, const char *data, size_t len, size_t *count,
				  struct err *e)
{
	struct cat_load c = {.st = st, .src = src};
	enum err_code rc = csv_parse(data, len, cat_row, &c, e);
	if (rc == OK && !c.header_seen)
		rc = err_set(e, E_INVALID, "header", "文件为空：第 1 行应为表头 path,tier,handling");
	if (count)
		*count = c.count;
	strmap_release(&c.seen);
	return rc;
}

enum err_code catalog_import_categories(struct store *st, const char *data, size_t len, size_t *count,
					struct err *e)
{
	size_t n = 0;
	enum err_code rc = store_begin(st, e);
	if (count)
		*count = 0;
	if (rc != OK)
		return rc;
	rc = finish(st, cat_load_csv(st, NULL, data, len, &n, e), e);
	if (rc == OK && count)
		*count = n;
	return rc;
}

/* ---------------------------------------------------------------- tiers and holidays */

struct put_ctx {
	struct store *st;
	struct err *e;
	size_t count;
};

static int tier_put_cb(void *ctx, const struct tier_rule *r)
{
	struct put_ctx *p = ctx;
	enum err_code rc = store_tier_put(p->st, r, p->e);
	if (rc == OK)
		p->count++;
	return rc;
}

static int holiday_put_cb(void *ctx, const struct holiday *h)
{
	struct put_ctx *p = ctx;
	enum err_code rc = store_holiday_put(p->st, h, p->e);
	if (rc == OK)
		p->count++;
	return rc;
}

enum err_code catalog_import_tiers(struct store *st, const char *data, size_t len, size_t *count, struct err *e)
{
	struct put_ctx p = {.st = st, .e = e};
	enum err_code rc = store_begin(st, e);
	if (count)
		*count = 0;
	if (rc != OK)
		return rc;
	rc = finish(st, tier_rules_parse_csv(data, len, tier_put_cb, &p, e), e);
	if (rc == OK && count)
		*count = p.count;
	return rc;
}

enum err_code catalog_import_holidays(struct store *st, const char *data, size_t len, size_t *count,
				      struct err *e)
{
	struct put_ctx p = {.st = st, .e = e};
	enum err_code rc = store_begin(st, e);
	if (count)
		*count = 0;
	if (rc != OK)
		return rc;
	rc = finish(st, calendar_parse_csv(data, len, holiday_put_cb, &p, e), e);
	if (rc == OK && count)
		*count = p.count;
	return rc;
}

/* ---------------------------------------------------------------- one record at a time */

/*
 * The administration API changes reference data one record at a time.
 * These checks say what is wrong in words for a form, not for a file (no
 * line numbers), and each change runs in its own transaction, so the
 * check and the write see the same data.
 */

/* Which kind a unit of kind k must have as its parent (centre: none). */
static enum unit_kind parent_kind(enum unit_kind k)
{
	switch (k) {
	case UNIT_STREET:
		return UNIT_DISTRICT;
	case UNIT_COMMUNITY:
		return UNIT_STREET;
	case UNIT_DEPARTMENT:
	case UNIT_ENTERPRISE:
		return UNIT_DISTRICT;
	default:
		return UNIT_CENTRE;
	}
}

/* A unit kind as people call it, for messages. */
static const char *kind_label(enum unit_kind k)
{
	static const char *const labels[UNIT_KIND_COUNT] = {"热线中心", "区", "街道乡镇", "社区", "部门", "企业"};
	return (unsigned)k < UNIT_KIND_COUNT ? labels[k] : "未知类型";
}

/* A unit name: 1–LIMIT_UNIT_NAME characters, no control characters, no spaces around it. */
static enum err_code check_unit_name(const char *name, struct err *e)
{
	if (blank(name))
		return err_set(e, E_INVALID, "name", "单位名称不能为空");
	if (utf8_len(name) > LIMIT_UNIT_NAME)
		return err_set(e, E_INVALID, "name", "单位名称不能超过 %d 个字", LIMIT_UNIT_NAME);
	if (has_control(name))
		return err_set(e, E_INVALID, "name", "单位名称不能含有换行或其他控制字符");
	if (padded(name))
		return err_set(e, E_INVALID, "name", "单位名称首尾不能有空格");
	return OK;
}

/*
 * A department's or enterprise's sector under district: a valid key that
 * no other department or enterprise of that district (other than self)
 * already carries, since dispatch by sector picks one unit per district.
 */
static enum err_code check_sector(struct store *st, const struct unit *district, const char *self,
				  const char *sector, struct err *e)
{
	struct unit other;
	struct err ignore;
	char q[48];
	if (!sector_valid(sector))
		return err_set(e, E_INVALID, "sector", "职责领域 %s 不合法：应为 1–31 个小写字母或 _", clip(sector, q));
	err_init(&ignore);
	enum err_code rc = store_unit_by_sector(st, district->code, sector, &other, &ignore);
	if (rc == OK && strcmp(other.code, self))
		return err_set(e, E_CONFLICT, "sector", "%s已有负责 %s 的单位：%s %s", district->name, sector,
			       other.code, other.name);
	if (rc != OK && rc != E_NOT_FOUND)
		return err_set(e, rc, NULL, "%s", ignore.msg);
	return OK;
}

/* Check a new unit inside the caller's transaction and put it. */
static enum err_code unit_add(struct store *st, const char *code, const char *name, const char *kind,
			      const char *parent, const char *sector, struct unit *u, struct err *e)
{
	struct unit p;
	struct err ignore;
	char q[48];
	enum err_code rc;
	int k;

	if (!catalog_code_valid(code))
		return err_set(e, E_INVALID, "code", "单位编码 %s 不合法：应为 1–%d 位字母、数字、_ 或 -", clip(code, q),
			       LIMIT_CODE);
	if ((rc = check_unit_name(name, e)))
		return rc;
	if ((k = unit_kind_parse(kind)) < 0)
		return err_set(e, E_INVALID, "kind",
			       "单位类型须为 district、street、community、department 或 enterprise");
	if (k == UNIT_CENTRE)
		return err_set(e, E_INVALID, "kind", "热线中心只有一个，不能再新建");
	err_init(&ignore);
	rc = store_unit_get(st, parent, &p, &ignore);
	if (rc == E_NOT_FOUND)
		return err_set(e, E_INVALID, "parent", "上级单位 %s 不存在", clip(parent, q));
	if (rc != OK)
		return err_set(e, rc, NULL, "%s", ignore.msg);
	if (p.kind != parent_kind((enum unit_kind)k))
		return err_set(e, E_INVALID, "parent", "%s的上级须为%s，%s（%s）是%s", kind_label((enum unit_kind)k),
			       kind_label(parent_kind((enum unit_kind)k)), p.code, p.name, kind_label(p.kind));
	if (k == UNIT_DEPARTMENT || k == UNIT_ENTERPRISE) {
		if (!*sector)
			return err_set(e, E_INVALID, "sector", "部门和企业须填写职责领域（sector），如 chengguan、water");
		if ((rc = check_sector(st, &p, code, sector, e)))
			return rc;
	} else if (*sector) {
		return err_set(e, E_INVALID, "sector", "只有部门和企业有职责领域，%s不填 sector",
			       kind_label((enum unit_kind)k));
	}
	rc = store_unit_get(st, code, u, &ignore);
	if (rc == OK)
		return err_set(e, E_CONFLICT, "code", "单位编码 %s 已被 %s 使用", code, u->name);
	if (rc != E_NOT_FOUND)
		return err_set(e, rc, NULL, "%s", ignore.msg);
	memset(u, 0, sizeof(*u));
	strlcpy_ok(u->code, code, sizeof(u->code));
	strlcpy_ok(u->name, name, sizeof(u->name));
	u->kind = (enum unit_kind)k;
	strlcpy_ok(u->parent, parent, sizeof(u->parent));
	strlcpy_ok(u->sector, sector, sizeof(u->sector));
	if ((rc = store_unit_put(st, u, e)))
		return rc;
	return store_unit_get(st, code, u, e); /* with its path */
}

enum err_code catalog_unit_add(struct store *st, const char *code, const char *name, const char *kind,
			       const char *parent, const char *sector, struct unit *out, struct err *e)
{
	struct unit u;
	enum err_code rc = store_begin(st, e);
	if (rc != OK)
		return rc;
	rc = finish(st, unit_add(st, code, name, kind, parent, sector ? sector : "", &u, e), e);
	if (rc == OK && out)
		*out = u;
	return rc;
}

/* Check a unit's new name or sector inside the caller's transaction and put it. */
static enum err_code unit_update(struct store *st, const char *code, const char *name, const char *sector,
				 struct unit *u, struct err *e)
{
	struct err ignore;
	enum err_code rc;

	err_init(&ignore);
	rc = store_unit_get(st, code, u, &ignore);
	if (rc == E_NOT_FOUND)
		return err_set(e, E_NOT_FOUND, "code", "单位 %s 不存在", code);
	if (rc != OK)
		return err_set(e, rc, NULL, "%s", ignore.msg);
	if (name) {
		if ((rc = check_unit_name(name, e)))
			return rc;
		strlcpy_ok(u->name, name, sizeof(u->name));
	}
	if (sector) {
		if (u->kind != UNIT_DEPARTMENT && u->kind != UNIT_ENTERPRISE)
			return err_set(e, E_INVALID, "sector", "只有部门和企业有职责领域，%s %s 不填 sector",
				       kind_label(u->kind), u->name);
		struct unit district;
		if ((rc = store_unit_get(st, u->parent, &district, e)) ||
		    (rc = check_sector(st, &district, u->code, sector, e)))
			return rc;
		strlcpy_ok(u->sector, sector, sizeof(u->sector));
	}
	/* Same code and parent: store_unit_put updates the row and keeps the path. */
	return store_unit_put(st, u, e);
}

enum err_code catalog_unit_update(struct store *st, const char *code, const char *name, const char *sector,
				  struct unit *out, struct err *e)
{
	struct unit u;
	enum err_code rc = store_begin(st, e);
	if (rc != OK)
		return rc;
	rc = finish(st, unit_update(st, code, name, sector, &u, e), e);
	if (rc == OK && out)
		*out = u;
	return rc;
}

/* Check a tier name into *tier. */
static enum err_code check_tier(const char *s, enum tier *tier, struct err *e)
{
	int t = tier_parse(s);
	if (t < 0)
		return err_set(e, E_INVALID, "tier", "时限等级须为 emergency、utilities、general 或 complex");
	*tier = (enum tier)t;
	return OK;
}

/* A default handling: "street", or "sector:KEY" where some department or enterprise has KEY. */
static enum err_code check_handling(struct store *st, const char *h, struct err *e)
{
	char q[48];
	bool found;
	if (!strcmp(h, "street"))
		return OK;
	if (!str_has_prefix(h, "sector:") || !sector_valid(h + strlen("sector:")))
		return err_set(e, E_INVALID, "handling",
			       "默认承办 %s 不合法：应为 street（属地街乡）或 sector:职责领域（如 sector:chengguan）",
			       clip(h, q));
	enum err_code rc = store_sector_exists(st, h + strlen("sector:"), &found, e);
	if (rc != OK)
		return rc;
	if (!found)
		return err_set(e, E_INVALID, "handling", "没有哪个部门或企业负责职责领域 %s", h + strlen("sector:"));
	return OK;
}

enum err_code catalog_category_add(struct store *st, const char *path, const char *tier, const char *handling,
				   struct category *out, struct err *e)
{
	struct category c = {0};
	char q[48];
	int levels;
	enum err_code rc;

	if (utf8_len(path) > LIMIT_PATH || !strlcpy_ok(c.path, path, sizeof(c.path)))
		return err_set(e, E_INVALID, "path", "分类路径不能超过 %d 个字", LIMIT_PATH);
	if (!cat_path_valid(path, &levels))
		return err_set(e, E_INVALID, "path",
			       "分类路径 %s 不合法：应为 1 到 3 级，用 -> 连接，每级不能为空或首尾带空格", clip(path, q));
	if ((rc = check_tier(tier, &c.tier, e)) || (rc = check_handling(st, handling, e)))
		return rc;
	strlcpy_ok(c.handling, handling, sizeof(c.handling));
	if ((rc = store_category_insert(st, &c, e)))
		return rc;
	if (out)
		*out = c;
	return OK;
}

enum err_code catalog_category_update(struct store *st, int64_t id, const char *tier, const char *handling,
				      struct category *out, struct err *e)
{
	struct category c;
	struct err ignore;
	enum err_code rc = store_begin(st, e);
	if (rc != OK)
		return rc;
	err_init(&ignore);
	rc = store_category_get(st, id, &c, &ignore);
	if (rc == E_NOT_FOUND)
		rc = err_set(e, E_NOT_FOUND, "id", "分类 %lld 不存在", (long long)id);
	else if (rc != OK)
		*e = ignore;
	if (rc == OK && tier)
		rc = check_tier(tier, &c.tier, e);
	if (rc == OK && handling && (rc = check_handling(st, handling, e)) == OK)
		strlcpy_ok(c.handling, handling, sizeof(c.handling));
	if (rc == OK)
		rc = store_category_put(st, &c, e); /* id set: updates that row */
	rc = finish(st, rc, e);
	if (rc == OK && out)
		*out = c;
	return rc;
}

/* Day of week of a day number: 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
static int day_of_week(int64_t day)
{
	int64_t w = (day + 4) % 7;
	return (int)(w < 0 ? w + 7 : w);
}

/* Parse a calendar date for field "date". */
static enum err_code check_date(const char *date, int64_t *day, struct err *e)
{
	char q[48];
	if (!date_parse(date, day))
		return err_set(e, E_INVALID, "date", "日期 %s 不合法：应为 YYYY-MM-DD 格式的真实日期，如 2026-10-01",
			       clip(date, q));
	return OK;
}

enum err_code catalog_holiday_set(struct store *st, const char *date, const char *kind, const char *name,
				  struct holiday *out, struct err *e)
{
	static const char *const weekdays[] = {"日", "一", "二", "三", "四", "五", "六"};
	struct holiday h = {0};
	enum err_code rc;

	if ((rc = check_date(date, &h.day, e)))
		return rc;
	if (!strcmp(kind, "work"))
		h.work = true;
	else if (strcmp(kind, "off"))
		return err_set(e, E_INVALID, "kind", "类型须为 off（放假）或 work（调休上班）");
	int w = day_of_week(h.day);
	if (h.work && w != 0 && w != 6)
		return err_set(e, E_INVALID, "kind", "%s 是星期%s，本来就是工作日，不能标为调休上班（work）", date,
			       weekdays[w]);
	if (blank(name))
		return err_set(e, E_INVALID, "name", "名称不能为空，如 国庆节、春节调休上班");
	if (utf8_len(name) > HOLIDAY_NAME_CHARS || !strlcpy_ok(h.name, name, sizeof(h.name)))
		return err_set(e, E_INVALID, "name", "名称不能超过 %d 个字", HOLIDAY_NAME_CHARS);
	if (has_control(name))
		return err_set(e, E_INVALID, "name", "名称不能含有换行或其他控制字符");
	if ((rc = store_holiday_put(st, &h, e)))
		return rc;
	if (out)
		*out = h;
	return OK;
}

enum err_code catalog_holiday_delete(struct store *st, const char *date, struct err *e)
{
	int64_t day;
	enum err_code rc = check_date(date, &day, e);
	if (rc != OK)
		return rc;
	rc = store_holiday_delete(st, day, e);
	if (rc == E_NOT_FOUND)
		return err_set(e, E_NOT_FOUND, "date", "日历中没有 %s", date);
	return rc;
}

/* ---------------------------------------------------------------- built-in set */

/* A district of the demo city, kept to instantiate the department template. */
struct district {
	char code[LIMIT_CODE + 1];
	char name[TEXT_BYTES(LIMIT_UNIT_NAME)];
};

/*
 * Reader for the china-division CSVs (districts, streets, communities):
 * columns are found by name in the header; every row becomes a unit of
 * one kind whose parent is a fixed code or comes from parent_col.
 */
struct division_csv {
	struct unit_load *L;
	enum unit_kind kind;
	const char *parent_col;   /* column holding the parent code, or NULL */
	const char *parent_fixed; /* parent when parent_col is NULL */
	int icode, iname, iparent;
	bool header_seen;
	struct district *districts; /* districts only: collected here */
	size_t ndistricts;
};

static int division_row(void *ctx, size_t lineno, int nfields, char **f, struct err *e)
{
	struct division_csv *c = ctx;
	char at[160];

	if (!c->header_seen) {
		c->icode = column(nfields, f, "code");
		c->iname = column(nfields, f, "name");
		c->iparent = c->parent_col ? column(nfields, f, c->parent_col) : 0;
		if (c->icode < 0 || c->iname < 0 || c->iparent < 0)
			return err_set(e, E_INVALID, "header", "%s表头缺少 code、name 或 %s 列",
				       at_line(c->L->src, lineno, at), c->parent_col ? c->parent_col : "name");
		c->header_seen = true;
		return OK;
	}
	if (c->icode >= nfields || c->iname >= nfields || c->iparent >= nfields)
		return err_set(e, E_INVALID, NULL, "%s列数不足", at_line(c->L->src, lineno, at));
	const char *parent = c->parent_col ? f[c->iparent] : c->parent_fixed;
	int rc = unit_row_put(c->L, lineno, f[c->icode], f[c->iname], unit_kind_name(c->kind), parent, "", e);
	if (rc != OK)
		return rc;
	if (c->kind == UNIT_DISTRICT) {
		if (c->ndistricts == DISTRICTS_MAX)
			return err_set(e, E_TOO_LARGE, NULL, "%s区超过 %d 个", at_line(c->L->src, lineno, at),
				       DISTRICTS_MAX);
		struct district *d = &c->districts[c->ndistricts++];
		strlcpy_ok(d->code, f[c->icode], sizeof(d->code));
		strlcpy_ok(d->name, f[c->iname], sizeof(d->name));
	}
	return OK;
}

/* Load one embedded china-division file as units of one kind. */
static enum err_code load_division(struct unit_load *L, const char *file, const char *stage, enum unit_kind kind,
				   const char *parent_col, const char *parent_fixed, struct district *districts,
				   size_t *ndistricts, struct err *e)
{
	const struct embedded_file *ef = embed_find(file);
	struct division_csv c = {
		.L = L, .kind = kind, .parent_col = parent_col, .parent_fixed = parent_fixed, .districts = districts};
	enum err_code rc;

	if (!ef)
		return err_set(e, E_INTERNAL, NULL, "内置数据 %s 缺失", file);
	L->src = file;
	L->stage = stage;
	L->done = 0;
	L->total = rows_estimate((const char *)ef->data, ef->len);
	rc = csv_parse((const char *)ef->data, ef->len, division_row, &c, e);
	if (rc == OK && !c.header_seen)
		rc = err_set(e, E_INTERNAL, NULL, "内置数据 %s 为空", file);
	if (rc == OK)
		progress(L, true);
	if (ndistricts)
		*ndistricts = c.ndistricts;
	return rc;
}

/* One row of data/departments.csv: a unit every district has. */
struct dept_template {
	size_t line;
	char suffix[4];
	char kind[16];
	char sector[32];
	char name[TEXT_BYTES(LIMIT_UNIT_NAME)];
};

struct dept_csv {
	const char *src;
	bool header_seen;
	struct dept_template *rows;
	size_t n;
};

/* Check one template row: suffix 3 digits, department|enterprise, sector key, name. */
static int dept_row(void *ctx, size_t lineno, int nfields, char **f, struct err *e)
{
	static const char *const header[] = {"suffix", "kind", "sector", "name"};
	struct dept_csv *c = ctx;
	char at[160];
	int k;

	at_line(c->src, lineno, at);
	if (!c->header_seen) {
		if (!csv_header_is(nfields, f, header, 4))
			return err_set(e, E_INTERNAL, "header", "%s表头应为 suffix,kind,sector,name", at);
		c->header_seen = true;
		return OK;
	}
	if (nfields != 4)
		return err_set(e, E_INTERNAL, NULL, "%s应有 4 列，实际 %d 列", at, nfields);
	if (c->n == DEPARTMENTS_MAX)
		return err_set(e, E_INTERNAL, NULL, "%s部门模板超过 %d 行", at, DEPARTMENTS_MAX);
	if (strlen(f[0]) != 3 || strspn(f[0], "0123456789") != 3)
		return err_set(e, E_INTERNAL, "suffix", "%s编码后缀应为 3 位数字", at);
	k = unit_kind_parse(f[1]);
	if (k != UNIT_DEPARTMENT && k != UNIT_ENTERPRISE)
		return err_set(e, E_INTERNAL, "kind", "%s类型应为 department 或 enterprise", at);
	if (!sector_valid(f[2]))
		return err_set(e, E_INTERNAL, "sector", "%s职责领域不合法", at);
	struct dept_template *t = &c->rows[c->n];
	if (blank(f[3]) || !strlcpy_ok(t->name, f[3], sizeof(t->name)))
		return err_set(e, E_INTERNAL, "name", "%s名称模板为空或过长", at);
	t->line = lineno;
	strlcpy_ok(t->suffix, f[0], sizeof(t->suffix));
	strlcpy_ok(t->kind, f[1], sizeof(t->kind));
	strlcpy_ok(t->sector, f[2], sizeof(t->sector));
	c->n++;
	return OK;
}

/*
 * Expand a name template: {d} is the district's name (石景山区), {s} its
 * short name without the final 区 (石景山). Returns false if it does not fit.
 */
static bool expand_name(const char *tpl, const char *district, char *out, size_t size)
{
	char shortname[TEXT_BYTES(LIMIT_UNIT_NAME)];
	size_t dl = strlen(district), ql = strlen("区");
	struct buf b;
	bool ok;

	strlcpy_ok(shortname, district, sizeof(shortname));
	if (dl > ql && !strcmp(district + dl - ql, "区"))
		shortname[dl - ql] = '\0';
	buf_init(&b, size - 1);
	for (const char *p = tpl; *p;) {
		if (str_has_prefix(p, "{d}")) {
			buf_adds(&b, district);
			p += 3;
		} else if (str_has_prefix(p, "{s}")) {
			buf_adds(&b, shortname);
			p += 3;
		} else {
			buf_add(&b, p, 1);
			p++;
		}
	}
	ok = !b.overflow && strlcpy_ok(out, b.s, size);
	buf_release(&b);
	return ok;
}

/* Instantiate data/departments.csv under every district. */
static enum err_code load_departments(struct unit_load *L, const struct district *districts, size_t nd,
				      struct err *e)
{
	static const char file[] = "data/departments.csv";
	const struct embedded_file *ef = embed_find(file);
	struct dept_csv c = {.src = file};
	enum err_code rc;

	if (!ef)
		return err_set(e, E_INTERNAL, NULL, "内置数据 %s 缺失", file);
	c.rows = xcalloc(DEPARTMENTS_MAX, sizeof(*c.rows));
	rc = csv_parse((const char *)ef->data, ef->len, dept_row, &c, e);
	L->src = file;
	L->stage = "departments";
	L->done = 0;
	L->total = nd * c.n;
	for (size_t i = 0; rc == OK && i < nd; i++) {
		for (size_t j = 0; rc == OK && j < c.n; j++) {
			const struct dept_template *t = &c.rows[j];
			char code[LIMIT_CODE + 1], name[TEXT_BYTES(LIMIT_UNIT_NAME)];
			snprintf(code, sizeof(code), "%s%s", districts[i].code, t->suffix);
			if (!expand_name(t->name, districts[i].name, name, sizeof(name)))
				rc = err_set(e, E_INTERNAL, "name", "%s 第 %zu 行：%s 的名称超过 %d 个字", file,
					     t->line, code, LIMIT_UNIT_NAME);
			else
				rc = unit_row_put(L, t->line, code, name, t->kind, districts[i].code, t->sector, e);
		}
	}
	if (rc == OK)
		progress(L, true);
	free(c.rows);
	return rc;
}

/* Tier rules from embedded data/tiers.csv, or the built-in defaults. */
static enum err_code load_tiers(struct store *st, progress_fn pf, void *pctx, struct err *e)
{
	const struct embedded_file *ef = embed_find("data/tiers.csv");
	struct put_ctx p = {.st = st, .e = e};
	enum err_code rc = OK;

	if (ef) {
		rc = tier_rules_parse_csv((const char *)ef->data, ef->len, tier_put_cb, &p, e);
	} else {
		struct tier_rule rules[TIER_COUNT];
		tier_rules_default(rules);
		for (int i = 0; rc == OK && i < TIER_COUNT; i++)
			rc = tier_put_cb(&p, &rules[i]);
	}
	if (rc == OK && pf)
		pf(pctx, "tiers", p.count, p.count);
	return rc;
}

/* Every embedded CSV under data/calendar/. */
static enum err_code load_holidays(struct store *st, progress_fn pf, void *pctx, struct err *e)
{
	struct put_ctx p = {.st = st, .e = e};
	enum err_code rc = OK;

	for (size_t i = 0; rc == OK && i < embedded_files_count; i++) {
		const struct embedded_file *ef = &embedded_files[i];
		if (!str_has_prefix(ef->name, "data/calendar/"))
			continue;
		rc = calendar_parse_csv((const char *)ef->data, ef->len, holiday_put_cb, &p, e);
		if (rc != OK && e) {
			struct err inner = *e;
			err_set(e, rc, inner.field, "%s %s", ef->name, inner.msg);
		}
	}
	if (rc == OK && pf)
		pf(pctx, "holidays", p.count, p.count);
	return rc;
}

/* The built-in set, inside the caller's transaction. */
static enum err_code load_builtin(struct store *st, bool demo, progress_fn pf, void *pctx, struct err *e)
{
	struct unit_load L = {.st = st, .pf = pf, .pctx = pctx};
	const struct embedded_file *ef;
	struct district *districts = NULL;
	size_t nd = 0, ncat = 0;
	enum err_code rc;

	L.src = "内置数据";
	L.stage = "centre";
	L.total = 1;
	rc = unit_row_put(&L, 1, CENTRE_CODE, "12345市民服务热线中心", "centre", "", "", e);
	if (rc != OK)
		goto out;
	progress(&L, true);
	rc = load_tiers(st, pf, pctx, e);
	if (rc != OK)
		goto out;
	rc = load_holidays(st, pf, pctx, e);
	if (rc != OK)
		goto out;
	ef = embed_find("data/categories.csv");
	if (!ef) {
		rc = err_set(e, E_INTERNAL, NULL, "内置数据 data/categories.csv 缺失");
		goto out;
	}
	rc = cat_load_csv(st, "data/categories.csv", (const char *)ef->data, ef->len, &ncat, e);
	if (rc != OK)
		goto out;
	if (pf)
		pf(pctx, "categories", ncat, ncat);
	if (!demo)
		goto out;

	districts = xcalloc(DISTRICTS_MAX, sizeof(*districts));
	rc = load_division(&L, "data/beijing/districts.csv", "districts", UNIT_DISTRICT, NULL, CENTRE_CODE,
			   districts, &nd, e);
	if (rc == OK)
		rc = load_division(&L, "data/beijing/streets.csv", "streets", UNIT_STREET, "areaCode", NULL, NULL,
				   NULL, e);
	if (rc == OK)
		rc = load_division(&L, "data/beijing/communities.csv", "communities", UNIT_COMMUNITY, "streetCode",
				   NULL, NULL, NULL, e);
	if (rc == OK)
		rc = load_departments(&L, districts, nd, e);
out:
	free(districts);
	strmap_release(&L.seen);
	return rc;
}

enum err_code catalog_load_builtin(struct store *st, bool demo, progress_fn pf, void *pctx, struct err *e)
{
	enum err_code rc = store_begin(st, e);
	if (rc != OK)
		return rc;
	return finish(st, load_builtin(st, demo, pf, pctx, e), e);
}

const struct catalog_demo_user catalog_demo_users[] = {
	{"agent", "受理员 王敏", CENTRE_CODE, "agent"},
	{"dispatcher", "派单员 李强", CENTRE_CODE, "dispatcher"},
	{"admin", "系统管理员", CENTRE_CODE, "admin"},
	{"centre.assessor", "市级考核员", CENTRE_CODE, "assessor"},
	{"sjs.supervisor", "石景山区督办员", "110107", "supervisor"},
	{"sjs.assessor", "石景山区考核员", "110107", "assessor"},
	{"sjs.head", "石景山区接诉即办负责人", "110107", "head"},
	{"babaoshan.handler", "八宝山街道承办人", "110107001", "handler"},
	{"babaoshan.head", "八宝山街道负责人", "110107001", "head"},
	{"laoshan.handler", "老山街道承办人", "110107002", "handler"},
	{"laoshan.head", "老山街道负责人", "110107002", "head"},
	{"bajiao.handler", "八角街道承办人", "110107003", "handler"},
	{"gucheng.handler", "古城街道承办人", "110107004", "handler"},
	{"pingguoyuan.handler", "苹果园街道承办人", "110107005", "handler"},
	{"jindingjie.handler", "金顶街街道承办人", "110107006", "handler"},
	{"jindingjie.head", "金顶街街道负责人", "110107006", "head"},
	{"guangning.handler", "广宁街道承办人", "110107009", "handler"},
	{"wulituo.handler", "五里坨街道承办人", "110107010", "handler"},
	{"lugu.handler", "鲁谷街道承办人", "110107011", "handler"},
	{"sjs.chengguan.handler", "区城管委承办人", "sector:chengguan", "handler"},
	{"sjs.zhujian.handler", "区住建委承办人", "sector:zhujian", "handler"},
	{"sjs.shichang.handler", "区市场监管局承办人", "sector:shichang", "handler"},
	{"sjs.water.handler", "自来水承办人", "sector:water", "handler"},
	{"sjs.heat.handler", "热力承办人", "sector:heat", "handler"},
};
const size_t catalog_demo_users_count = ARRAY_SIZE(catalog_demo_users);

enum err_code catalog_add_demo_users(struct store *st, int64_t now, progress_fn pf, void *pctx, struct err *e)
{
	for (size_t i = 0; i < catalog_demo_users_count; i++) {
		const struct catalog_demo_user *d = &catalog_demo_users[i];
		char unit[LIMIT_CODE + 1];
		if (str_has_prefix(d->unit, "sector:")) {
			struct unit u;
			if (store_unit_by_sector(st, "110107", d->unit + 7, &u, e) != OK)
				return e->code;
			strlcpy_ok(unit, u.code, sizeof(unit));
		} else {
			strlcpy_ok(unit, d->unit, sizeof(unit));
		}
		if (auth_user_add(st, d->login, CATALOG_DEMO_PASSWORD, d->name, unit, d->role, now, NULL, e) != OK)
			return e->code;
		if (pf)
			pf(pctx, "demo accounts", i + 1, catalog_demo_users_count);
	}
	return OK;
}
