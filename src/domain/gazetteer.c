/*
 * gazetteer.c — the address gazetteer (DOMAIN.md §10, docs/GEO.md): which
 * district, street and community an address names.
 *
 * Entries live in the gazetteer table: the unit names with aliases derived
 * from them (gazetteer_build_builtin, source "builtin") and the names a
 * city adds — roads, compounds, landmarks, more aliases (gazetteer_import,
 * gazetteer_entry_add). gazetteer_load turns them, with the unit tree, into
 * an Aho–Corasick automaton over the UTF-8 bytes of the names; resolving an
 * address is one pass over its bytes, then a choice among the names found.
 *
 * Why by hand: Chinese addresses are written without spaces, so the
 * matcher must find every dictionary name inside running text, each with
 * its units attached. Debian has no C library that does this: libfriso
 * (friso) is a word segmenter that cuts text into one sequence of words by
 * its own lexicon files and mmseg rules — it does not report every
 * dictionary match with a payload, and a place name it splits differently
 * is lost; libdatrie (double-array trie) only looks up prefixes from one
 * start position (a scan restarts at every character) and adds a
 * dependency for a few dozen lines; marisa-trie is C++. The automaton here
 * is ~150 lines, built once, read-only afterwards.
 */
#include "geo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GAZ_NAME_MIN 2	  /* characters */
#define GAZ_NAME_MAX 64	  /* characters, the table's limit */
#define MAX_RAW_HITS 1024 /* matches collected from one address (nested ones included) */
#define MAX_HITS 64	  /* non-overlapping matches kept */
#define MAX_LISTED 4	  /* candidates named in the evidence */
#define NO_UNIT (-1)

/* Entry kinds, in the order a duplicate (name, unit) keeps: the official name wins. */
enum gz_kind { GK_UNIT, GK_ALIAS, GK_ROAD, GK_COMPOUND, GK_LANDMARK };
static const char *const kind_names[] = {"unit", "alias", "road", "compound", "landmark"};
static const char *const kind_labels[] = {"正式名称", "别名", "道路", "小区", "地标"};

enum gz_level { LV_DISTRICT, LV_STREET, LV_COMMUNITY };

static int kind_parse(const char *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(kind_names); i++)
		if (!strcmp(s, kind_names[i]))
			return (int)i;
	return -1;
}

/* ---------------------------------------------------------------- text */

/* Length in bytes of the UTF-8 character starting with byte c. */
static size_t u8_size(unsigned char c)
{
	return c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
}

/*
 * Normalise text for matching: full-width ASCII forms (U+FF01–FF5E, e.g.
 * "３号楼", "（") to ASCII, ASCII letters to lower case, white space (ASCII,
 * U+00A0, U+3000) dropped. in is valid UTF-8 of n bytes; out holds n + 1
 * bytes. When from/to are given, from[i] and to[i] are the input offsets of
 * the start and the end of the character behind output byte i, so a match
 * can be quoted as the user wrote it. Returns the output length.
 */
static size_t normalise(const char *in, size_t n, char *out, uint32_t *from, uint32_t *to)
{
	size_t o = 0;
	for (size_t i = 0; i < n;) {
		const unsigned char *p = (const unsigned char *)in + i;
		size_t k = u8_size(p[0]);
		if (i + k > n)
			break;
		if (k == 1 && (p[0] == ' ' || p[0] == '\t' || p[0] == '\r' || p[0] == '\n')) {
			i += k;
			continue;
		}
		if ((k == 2 && p[0] == 0xC2 && p[1] == 0xA0) ||
		    (k == 3 && p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80)) {
			i += k;
			continue;
		}
		unsigned cp = 0;
		if (k == 3)
			cp = ((unsigned)(p[0] & 0x0F) << 12) | ((unsigned)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
		if (k == 1 || (cp >= 0xFF01 && cp <= 0xFF5E)) {
			char c = k == 1 ? (char)p[0] : (char)(cp - 0xFEE0);
			if (c >= 'A' && c <= 'Z')
				c = (char)(c - 'A' + 'a');
			if (from) {
				from[o] = (uint32_t)i;
				to[o] = (uint32_t)(i + k);
			}
			out[o++] = c;
		} else {
			for (size_t j = 0; j < k; j++) {
				if (from) {
					from[o] = (uint32_t)i;
					to[o] = (uint32_t)(i + k);
				}
				out[o++] = (char)p[j];
			}
		}
		i += k;
	}
	out[o] = '\0';
	return o;
}

/* Normalise a NUL-terminated name into a new string (caller frees). */
static char *normalise_dup(const char *s)
{
	size_t n = strlen(s);
	char *out = xmalloc(n + 1);
	normalise(s, n, out, NULL, NULL);
	return out;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !memcmp(s + n - m, suffix, m);
}

/* Cut a trailing partial UTF-8 character (after a capped append). */
static void u8_trim(char *s)
{
	size_t n = strlen(s), i = n;
	while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
		i--;
	if (i > 0 && i - 1 + u8_size((unsigned char)s[i - 1]) > n)
		s[i - 1] = '\0';
}

/* Copy a buffer that may have overflowed into a fixed array, cut at a character boundary. */
static void copy_capped(char *dst, size_t size, const char *src, size_t len)
{
	if (len >= size)
		len = size - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
	u8_trim(dst);
}

/* "name\x1funit": the key of one entry. */
static void entry_key(char *out, size_t n, const char *name, const char *unit)
{
	snprintf(out, n, "%s\x1f%s", name, unit);
}

/* ---------------------------------------------------------------- units */

/* The districts, streets and communities of the store. */
struct unit_vec {
	struct unit *v;
	size_t n, cap;
};

static int unit_collect(void *ctx, const struct unit *u)
{
	struct unit_vec *uv = ctx;
	if (u->kind != UNIT_DISTRICT && u->kind != UNIT_STREET && u->kind != UNIT_COMMUNITY)
		return 0;
	if (uv->n == uv->cap) {
		uv->cap = uv->cap ? uv->cap * 2 : 1024;
		uv->v = xrealloc(uv->v, uv->cap * sizeof(*uv->v));
	}
	uv->v[uv->n++] = *u;
	return 0;
}

/* ---------------------------------------------------------------- built-in entries */

/*
 * Aliases of a unit's official name, the forms people write:
 *   district   石景山区 → 石景山 (the rest at least 2 characters)
 *   street     八宝山街道 → 八宝山; 沙河地区 → 沙河, 沙河镇, 沙河乡 (an 地区 office is
 *              a former 镇 or 乡); 马坡镇 → 马坡, 马坡地区; 东坝乡 → 东坝, 东坝地区
 *   community  多福巷社区居委会 → 多福巷社区, 多福巷; 楼梓庄村委会 → 楼梓庄村, 楼梓庄;
 *              沙河村村委会 → 沙河村, 沙河;
 *              翠林一里社区 → 翠林一里; 西铁营村 → 西铁营; …村股份经济合作社生活区 → …村, …
 * Calls add(ctx, alias) for each; the caller drops duplicates and names
 * shorter than 2 characters.
 */
static void aliases_of(const struct unit *u, void (*add)(void *ctx, const char *alias), void *ctx)
{
	static const struct {
		const char *suffix;
		const char *keep; /* what the short form keeps ("" = nothing) */
	} community_rules[] = {
	    {"社区居民委员会", "社区"},
	    {"社区居委会", "社区"},
	    {"村民委员会", "村"},
	    {"村委会", "村"},
	    {"居民委员会", "社区"},
	    {"居委会", "社区"},
	    {"家委会", ""},
	    {"委员会", ""},
	    {"委会", ""},
	    {"股份经济合作社生活区", ""},
	    {"社区", ""},
	    {"村", ""},
	};
	static const struct {
		const char *suffix;
		const char *swap[2];
	} street_rules[] = {
	    {"街道", {NULL, NULL}},
	    {"地区", {"镇", "乡"}},
	    {"镇", {"地区", NULL}},
	    {"乡", {"地区", NULL}},
	};
	char base[TEXT_BYTES(LIMIT_UNIT_NAME)], form[TEXT_BYTES(LIMIT_UNIT_NAME) + 32];
	size_t n = strlen(u->name);

	if (u->kind == UNIT_DISTRICT) {
		if (ends_with(u->name, "区") || ends_with(u->name, "县")) {
			memcpy(base, u->name, n - strlen("区"));
			base[n - strlen("区")] = '\0';
			add(ctx, base);
		}
		return;
	}
	if (u->kind == UNIT_STREET) {
		for (size_t i = 0; i < ARRAY_SIZE(street_rules); i++) {
			size_t m = strlen(street_rules[i].suffix);
			if (!ends_with(u->name, street_rules[i].suffix) || n == m)
				continue;
			memcpy(base, u->name, n - m);
			base[n - m] = '\0';
			add(ctx, base);
			for (int k = 0; k < 2 && street_rules[i].swap[k]; k++) {
				snprintf(form, sizeof(form), "%s%s", base, street_rules[i].swap[k]);
				add(ctx, form);
			}
			break;
		}
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(community_rules); i++) {
		size_t m = strlen(community_rules[i].suffix);
		if (!ends_with(u->name, community_rules[i].suffix) || n == m)
			continue;
		memcpy(base, u->name, n - m);
		base[n - m] = '\0';
		if (*community_rules[i].keep && !ends_with(base, community_rules[i].keep)) {
			snprintf(form, sizeof(form), "%s%s", base, community_rules[i].keep);
			add(ctx, form);
		}
		add(ctx, base);
		/* a base that still ends in 村 (…村股份经济合作社生活区) is also written without it */
		if (ends_with(base, "村") && strlen(base) > strlen("村")) {
			base[strlen(base) - strlen("村")] = '\0';
			add(ctx, base);
		}
		break;
	}
}

/* State of one built-in run. */
struct builtin_run {
	struct store *st;
	struct strmap existing; /* key → id, negative for entries of other sources */
	struct strmap written;  /* keys of this run */
	const struct unit *u;
	size_t count;
	enum err_code rc;
	struct err *e;
};

static int existing_collect(void *ctx, const struct gaz_entry *g)
{
	struct builtin_run *r = ctx;
	char key[sizeof(g->name) + LIMIT_CODE + 2];
	entry_key(key, sizeof(key), g->name, g->unit);
	strmap_add(&r->existing, key, strcmp(g->source, "builtin") ? -g->id : g->id);
	return 0;
}

/* Write one built-in entry for r->u unless it is a duplicate or a city's own entry. */
static void builtin_put(struct builtin_run *r, const char *name, enum gz_kind kind)
{
	char key[TEXT_BYTES(LIMIT_UNIT_NAME) + 64 + LIMIT_CODE + 2];
	char *norm = normalise_dup(name);
	size_t chars = utf8_len(norm);
	free(norm);
	if (r->rc != OK || chars < GAZ_NAME_MIN || utf8_len(name) > GAZ_NAME_MAX)
		return;
	entry_key(key, sizeof(key), name, r->u->code);
	if (strmap_add(&r->written, key, 0))
		return;
	int64_t *old = strmap_get(&r->existing, key);
	if (old && *old < 0)
		return; /* imported or added through the API: the city's entry stays as it is */
	struct gaz_entry g = {0};
	strlcpy_ok(g.name, name, sizeof(g.name));
	strlcpy_ok(g.unit, r->u->code, sizeof(g.unit));
	strlcpy_ok(g.kind, kind_names[kind], sizeof(g.kind));
	strlcpy_ok(g.source, "builtin", sizeof(g.source));
	r->rc = store_gazetteer_put(r->st, &g, r->e);
	if (r->rc == OK)
		r->count++;
}

static void builtin_alias(void *ctx, const char *alias)
{
	builtin_put(ctx, alias, GK_ALIAS);
}

/* The built-in entries, inside the caller's transaction. */
static enum err_code builtin_write(struct builtin_run *r)
{
	struct unit_vec uv = {0};
	enum err_code rc = store_gazetteer_list(r->st, existing_collect, r, r->e);
	if (rc == OK)
		rc = store_units_list(r->st, -1, NULL, unit_collect, &uv, r->e);
	for (size_t i = 0; rc == OK && i < uv.n && r->rc == OK; i++) {
		r->u = &uv.v[i];
		builtin_put(r, r->u->name, GK_UNIT);
		aliases_of(r->u, builtin_alias, r);
	}
	if (rc == OK)
		rc = r->rc;
	/* built-in entries no longer derived (a unit renamed or removed) go */
	for (size_t i = 0; rc == OK && i < r->existing.cap; i++) {
		if (!r->existing.keys[i] || r->existing.vals[i] < 0 ||
		    strmap_get(&r->written, r->existing.keys[i]))
			continue;
		rc = store_gazetteer_delete(r->st, r->existing.vals[i], r->e);
	}
	free(uv.v);
	return rc;
}

enum err_code gazetteer_build_builtin(struct store *st, size_t *count, struct err *e)
{
	struct builtin_run r = {.st = st, .e = e};
	enum err_code rc;

	if (count)
		*count = 0;
	rc = store_begin(st, e);
	if (rc != OK)
		return rc;
	rc = builtin_write(&r);
	if (rc == OK)
		rc = store_commit(st, e);
	if (rc != OK)
		store_rollback(st);
	else if (count)
		*count = r.count;
	strmap_release(&r.existing);
	strmap_release(&r.written);
	return rc;
}

/* ---------------------------------------------------------------- import */

/* True if s holds a control character. */
static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/*
 * Check one entry: name 2–64 characters (2 counted after normalising),
 * no control characters, not padded; unit an existing street or community;
 * kind one a city may add. at prefixes every message ("第 3 行：" or "").
 */
static enum err_code entry_check(struct store *st, const char *at, const char *name, const char *unit,
				 const char *kind, struct err *e)
{
	struct unit u;
	struct err ue;
	size_t n = strlen(name);
	int k;

	if (!utf8_valid(name, n))
		return err_set(e, E_INVALID, "name", "%s地名不是合法的 UTF-8 文本", at);
	if (has_control(name))
		return err_set(e, E_INVALID, "name", "%s地名含有换行或其他控制字符", at);
	if (n && (name[0] == ' ' || name[n - 1] == ' '))
		return err_set(e, E_INVALID, "name", "%s地名首尾不能有空格", at);
	char *norm = normalise_dup(name);
	size_t chars = utf8_len(norm);
	free(norm);
	if (chars < GAZ_NAME_MIN)
		return err_set(e, E_INVALID, "name", "%s地名“%s”太短：至少 %d 个字", at, name, GAZ_NAME_MIN);
	if (utf8_len(name) > GAZ_NAME_MAX || n >= sizeof(((struct gaz_entry *)0)->name))
		return err_set(e, E_INVALID, "name", "%s地名超过 %d 个字", at, GAZ_NAME_MAX);
	err_init(&ue);
	enum err_code rc = store_unit_get(st, unit, &u, &ue);
	if (rc == E_NOT_FOUND)
		return err_set(e, E_INVALID, "unit", "%s单位 %.*s 不存在", at, LIMIT_CODE, unit);
	if (rc != OK) {
		*e = ue;
		return rc;
	}
	if (u.kind != UNIT_STREET && u.kind != UNIT_COMMUNITY)
		return err_set(e, E_INVALID, "unit", "%s地名只能指向街乡或社区，单位 %s（%s）是%s", at,
			       u.code, u.name,
			       u.kind == UNIT_DISTRICT ? "区"
			       : u.kind == UNIT_CENTRE ? "热线中心"
						       : "部门或企业");
	k = kind_parse(kind);
	if (k != GK_ROAD && k != GK_COMPOUND && k != GK_LANDMARK && k != GK_ALIAS)
		return err_set(e, E_INVALID, "kind",
			       "%s地名类型 %.*s 不认识：应为 road、compound、landmark 或 alias", at, 16,
			       kind);
	return OK;
}

enum err_code gazetteer_entry_add(struct store *st, struct gaz_entry *g, struct err *e)
{
	enum err_code rc = entry_check(st, "", g->name, g->unit, g->kind, e);
	if (rc != OK)
		return rc;
	if (!g->source[0])
		strlcpy_ok(g->source, "api", sizeof(g->source));
	return store_gazetteer_put(st, g, e);
}

/* State of a CSV import. */
struct import_run {
	struct store *st;
	bool header_seen;
	size_t count;
	struct strmap seen; /* name\x1funit → first line */
};

static int import_row(void *ctx, size_t lineno, int nfields, char **f, struct err *e)
{
	static const char *const header[] = {"name", "unit", "kind"};
	struct import_run *r = ctx;
	char at[48], key[CSV_MAX_ROW + 2];
	enum err_code rc;

	snprintf(at, sizeof(at), "第 %zu 行：", lineno);
	if (!r->header_seen) {
		if (!csv_header_is(nfields, f, header, 3))
			return err_set(e, E_INVALID, "header", "%s表头应为 name,unit,kind", at);
		r->header_seen = true;
		return OK;
	}
	if (nfields != 3)
		return err_set(e, E_INVALID, NULL, "%s应有 3 列，实际 %d 列", at, nfields);
	rc = entry_check(r->st, at, f[0], f[1], f[2], e);
	if (rc != OK)
		return rc;
	entry_key(key, sizeof(key), f[0], f[1]);
	if (strmap_add(&r->seen, key, (int64_t)lineno))
		return err_set(e, E_INVALID, "name", "%s地名“%s”与单位 %s 的组合与第 %lld 行重复", at, f[0],
			       f[1], (long long)*strmap_get(&r->seen, key));
	struct gaz_entry g = {0};
	strlcpy_ok(g.name, f[0], sizeof(g.name));
	strlcpy_ok(g.unit, f[1], sizeof(g.unit));
	strlcpy_ok(g.kind, f[2], sizeof(g.kind));
	strlcpy_ok(g.source, "import", sizeof(g.source));
	rc = store_gazetteer_put(r->st, &g, e);
	if (rc != OK)
		return rc;
	r->count++;
	return OK;
}

enum err_code gazetteer_import(struct store *st, const char *data, size_t len, size_t *count, struct err *e)
{
	struct import_run r = {.st = st};
	enum err_code rc;

	if (count)
		*count = 0;
	rc = store_begin(st, e);
	if (rc != OK)
		return rc;
	rc = csv_parse(data, len, import_row, &r, e);
	if (rc == OK && !r.header_seen)
		rc = err_set(e, E_INVALID, "header", "文件为空：第 1 行应为表头 name,unit,kind");
	if (rc == OK)
		rc = store_commit(st, e);
	if (rc != OK)
		store_rollback(st);
	else if (count)
		*count = r.count;
	strmap_release(&r.seen);
	return rc;
}

/* ---------------------------------------------------------------- the matcher */

struct gz_unit {
	char code[LIMIT_CODE + 1];
	char *name;
	int level;  /* enum gz_level */
	int parent; /* index, or NO_UNIT above the district */
};

/* One unit a name points to. */
struct gz_cand {
	int unit;
	int kind; /* enum gz_kind */
};

/* A distinct (normalised) name and its candidates cands[first .. first + n). */
struct gz_name {
	uint32_t text, len; /* offset into pool, bytes */
	uint32_t chars;
	uint32_t first, n;
};

struct gazetteer {
	struct gz_unit *units;
	size_t nunits;
	char *pool;
	struct gz_name *names;
	size_t nnames;
	struct gz_cand *cands;
	size_t ncands;
	/*
	 * The automaton over bytes. Node 0 is the root. A node's edges are
	 * edge_byte/edge_to[edge_start[i] .. edge_start[i + 1]), sorted by
	 * byte; fail is the failure link; term the name ending here (-1 if
	 * none); dict the nearest node along the failure chain that ends a
	 * name (-1 if none); root_next the root's transitions, dense.
	 */
	uint32_t nnodes;
	uint32_t *edge_start, *edge_to, *fail;
	uint8_t *edge_byte;
	int32_t *term, *dict;
	uint32_t root_next[256];
};

size_t gazetteer_size(const struct gazetteer *g)
{
	return g ? g->nnames : 0;
}

void gazetteer_free(struct gazetteer *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->nunits; i++)
		free(g->units[i].name);
	free(g->units);
	free(g->pool);
	free(g->names);
	free(g->cands);
	free(g->edge_start);
	free(g->edge_to);
	free(g->edge_byte);
	free(g->fail);
	free(g->term);
	free(g->dict);
	free(g);
}

static int unit_cmp(const void *a, const void *b)
{
	return strcmp(((const struct gz_unit *)a)->code, ((const struct gz_unit *)b)->code);
}

/* Index of the unit with this code, or NO_UNIT. */
static int unit_find(const struct gazetteer *g, const char *code)
{
	size_t lo = 0, hi = g->nunits;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(g->units[mid].code, code);
		if (!c)
			return (int)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NO_UNIT;
}

/* A loaded entry before grouping by name. */
struct raw_entry {
	char *name; /* normalised, owned */
	int unit, kind;
};

struct load_run {
	struct gazetteer *g;
	struct raw_entry *v;
	size_t n, cap, skipped;
};

static int entry_collect(void *ctx, const struct gaz_entry *ge)
{
	struct load_run *L = ctx;
	int u = unit_find(L->g, ge->unit), k = kind_parse(ge->kind);
	if (u == NO_UNIT || k < 0) {
		L->skipped++; /* an entry pointing at a department, say: not a place */
		return 0;
	}
	char *norm = normalise_dup(ge->name);
	if (!*norm) {
		free(norm);
		L->skipped++;
		return 0;
	}
	if (L->n == L->cap) {
		L->cap = L->cap ? L->cap * 2 : 4096;
		L->v = xrealloc(L->v, L->cap * sizeof(*L->v));
	}
	L->v[L->n++] = (struct raw_entry){norm, u, k};
	return 0;
}

static int raw_cmp(const void *a, const void *b)
{
	const struct raw_entry *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	if (c)
		return c;
	if (x->unit != y->unit)
		return x->unit < y->unit ? -1 : 1;
	return x->kind - y->kind;
}

/* Index of the edge of node s for byte b, or -1 (binary search over the sorted edges). */
static int64_t edge_find(const struct gazetteer *g, uint32_t s, uint8_t b)
{
	uint32_t lo = g->edge_start[s], hi = g->edge_start[s + 1];
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		if (g->edge_byte[mid] == b)
			return mid;
		if (g->edge_byte[mid] < b)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* The automaton's transition from s on b (failure links followed). */
static uint32_t ac_step(const struct gazetteer *g, uint32_t s, uint8_t b)
{
	for (;;) {
		if (s == 0)
			return g->root_next[b];
		int64_t k = edge_find(g, s, b);
		if (k >= 0)
			return g->edge_to[k];
		s = g->fail[s];
	}
}

/*
 * Build the trie of the sorted names, then the failure and dictionary
 * links breadth first. Names are inserted in byte order, so a node's
 * children are created in increasing byte order: the new child is either
 * the last one made or a new last one, and the edges come out sorted.
 */
static void automaton_build(struct gazetteer *g)
{
	size_t total = 1;
	for (size_t i = 0; i < g->nnames; i++)
		total += g->names[i].len;
	uint32_t *first = xcalloc(total, sizeof(*first)), *last = xcalloc(total, sizeof(*last));
	uint32_t *next = xcalloc(total, sizeof(*next));
	uint8_t *byte = xcalloc(total, 1);
	int32_t *term = xmalloc(total * sizeof(*term));
	uint32_t n = 1;
	term[0] = -1;
	for (size_t i = 0; i < g->nnames; i++) {
		const uint8_t *p = (const uint8_t *)g->pool + g->names[i].text;
		uint32_t s = 0;
		for (uint32_t j = 0; j < g->names[i].len; j++) {
			uint32_t c = last[s];
			if (!c || byte[c] != p[j]) {
				c = n++;
				byte[c] = p[j];
				term[c] = -1;
				if (last[s])
					next[last[s]] = c;
				else
					first[s] = c;
				last[s] = c;
			}
			s = c;
		}
		term[s] = (int32_t)i;
	}
	g->nnodes = n;
	g->term = term;
	g->edge_start = xcalloc((size_t)n + 1, sizeof(*g->edge_start));
	g->edge_to = xcalloc(n, sizeof(*g->edge_to));
	g->edge_byte = xcalloc(n, 1);
	uint32_t e = 0;
	for (uint32_t s = 0; s < n; s++) {
		g->edge_start[s] = e;
		for (uint32_t c = first[s]; c; c = next[c]) {
			g->edge_byte[e] = byte[c];
			g->edge_to[e++] = c;
		}
	}
	g->edge_start[n] = e;
	free(first);
	free(last);
	free(next);
	free(byte);

	g->fail = xcalloc(n, sizeof(*g->fail));
	g->dict = xmalloc((size_t)n * sizeof(*g->dict));
	for (int b = 0; b < 256; b++)
		g->root_next[b] = 0;
	for (uint32_t k = g->edge_start[0]; k < g->edge_start[1]; k++)
		g->root_next[g->edge_byte[k]] = g->edge_to[k];
	uint32_t *queue = xmalloc((size_t)n * sizeof(*queue));
	size_t qh = 0, qt = 0;
	g->dict[0] = -1;
	for (uint32_t k = g->edge_start[0]; k < g->edge_start[1]; k++) {
		uint32_t c = g->edge_to[k];
		g->fail[c] = 0;
		g->dict[c] = -1;
		queue[qt++] = c;
	}
	while (qh < qt) {
		uint32_t s = queue[qh++];
		for (uint32_t k = g->edge_start[s]; k < g->edge_start[s + 1]; k++) {
			uint32_t c = g->edge_to[k], f = ac_step(g, g->fail[s], g->edge_byte[k]);
			g->fail[c] = f;
			g->dict[c] = g->term[f] >= 0 ? (int32_t)f : g->dict[f];
			queue[qt++] = c;
		}
	}
	free(queue);
}

enum err_code gazetteer_load(struct store *st, struct gazetteer **out, struct err *e)
{
	struct gazetteer *g = xcalloc(1, sizeof(*g));
	struct unit_vec uv = {0};
	struct load_run L = {.g = g};
	enum err_code rc;

	*out = NULL;
	rc = store_units_list(st, -1, NULL, unit_collect, &uv, e);
	if (rc != OK)
		goto fail;
	g->units = xcalloc(uv.n ? uv.n : 1, sizeof(*g->units));
	g->nunits = uv.n;
	for (size_t i = 0; i < uv.n; i++) {
		strlcpy_ok(g->units[i].code, uv.v[i].code, sizeof(g->units[i].code));
		g->units[i].name = xstrdup(uv.v[i].name);
		g->units[i].level = uv.v[i].kind == UNIT_DISTRICT ? LV_DISTRICT
				    : uv.v[i].kind == UNIT_STREET ? LV_STREET
								  : LV_COMMUNITY;
	}
	if (g->nunits) /* qsort may not be given a NULL array, even empty */
		qsort(g->units, g->nunits, sizeof(*g->units), unit_cmp);
	/* parents by code: the units list is sorted by code too */
	for (size_t i = 0; i < uv.n; i++) {
		int u = unit_find(g, uv.v[i].code);
		g->units[u].parent = unit_find(g, uv.v[i].parent);
	}

	rc = store_gazetteer_list(st, entry_collect, &L, e);
	if (rc != OK)
		goto fail;
	if (L.n)
		qsort(L.v, L.n, sizeof(*L.v), raw_cmp);
	size_t pool_len = 0;
	for (size_t i = 0; i < L.n; i++)
		if (!i || strcmp(L.v[i].name, L.v[i - 1].name))
			pool_len += strlen(L.v[i].name) + 1;
	g->pool = xmalloc(pool_len + 1);
	g->names = xcalloc(L.n ? L.n : 1, sizeof(*g->names));
	g->cands = xcalloc(L.n ? L.n : 1, sizeof(*g->cands));
	size_t off = 0;
	for (size_t i = 0; i < L.n; i++) {
		bool new_name = !i || strcmp(L.v[i].name, L.v[i - 1].name);
		if (!new_name && L.v[i].unit == L.v[i - 1].unit)
			continue; /* same name and unit after normalising: the first kind (official) stays */
		if (new_name) {
			struct gz_name *nm = &g->names[g->nnames++];
			size_t len = strlen(L.v[i].name);
			memcpy(g->pool + off, L.v[i].name, len + 1);
			nm->text = (uint32_t)off;
			nm->len = (uint32_t)len;
			nm->chars = (uint32_t)utf8_len(L.v[i].name);
			nm->first = (uint32_t)g->ncands;
			off += len + 1;
		}
		g->cands[g->ncands++] = (struct gz_cand){L.v[i].unit, L.v[i].kind};
		g->names[g->nnames - 1].n++;
	}
	automaton_build(g);
	if (L.skipped)
		log_info("gazetteer: %zu entries skipped (not a district, street or community)", L.skipped);
	log_debug("gazetteer: %zu names, %zu candidates, %u nodes", g->nnames, g->ncands, g->nnodes);
	*out = g;
	goto out;
fail:
	gazetteer_free(g);
out:
	for (size_t i = 0; i < L.n; i++)
		free(L.v[i].name);
	free(L.v);
	free(uv.v);
	return rc;
}

/* ---------------------------------------------------------------- resolving */

/* True if a is u or one of its ancestors. */
static bool is_ancestor(const struct gazetteer *g, int a, int u)
{
	for (int k = 0; u != NO_UNIT && k < 8; k++, u = g->units[u].parent)
		if (u == a)
			return true;
	return false;
}

static bool on_chain(const struct gazetteer *g, int a, int b)
{
	return is_ancestor(g, a, b) || is_ancestor(g, b, a);
}

/* The deepest unit that is an ancestor of (or is) both, or NO_UNIT. */
static int common_ancestor(const struct gazetteer *g, int a, int b)
{
	if (a == NO_UNIT || b == NO_UNIT)
		return NO_UNIT;
	for (int k = 0; a != NO_UNIT && k < 8; k++, a = g->units[a].parent)
		if (is_ancestor(g, a, b))
			return a;
	return NO_UNIT;
}

/* One name found in the address, and what the choice made of it. */
struct hit {
	uint32_t start, end; /* normalised byte offsets */
	const struct gz_name *name;
	bool ambiguous; /* its candidates are not one chain (same text, several places) */
	bool weak;	/* a two-character alias (向阳, 广场, 八角): a word as often as a place */
	int contra, support;
	int nbest; /* candidates left after weighing against the other hits */
	int best[MAX_LISTED];
	int unit; /* the top of the remaining chain, or their common ancestor if still ambiguous */
	int kind;
	int level;	 /* of unit if resolved, else the deepest remaining candidate's */
	bool unresolved; /* the remaining candidates are not one chain */
};

static const struct gz_cand *hit_cands(const struct gazetteer *g, const struct hit *h)
{
	return &g->cands[h->name->first];
}

/* Does some candidate of h lie on one chain with unit u? */
static bool hit_consistent(const struct gazetteer *g, const struct hit *h, int u)
{
	const struct gz_cand *c = hit_cands(g, h);
	for (uint32_t i = 0; i < h->name->n; i++)
		if (on_chain(g, c[i].unit, u))
			return true;
	return false;
}

/* Does some candidate of h lie strictly above unit u? */
static bool hit_above(const struct gazetteer *g, const struct hit *h, int u)
{
	const struct gz_cand *c = hit_cands(g, h);
	for (uint32_t i = 0; i < h->name->n; i++)
		if (c[i].unit != u && is_ancestor(g, c[i].unit, u))
			return true;
	return false;
}

/* Two weak names do not vouch for each other (朝阳 + 东路: two words, not a district and a community). */
static bool counts_as_support(const struct hit *h, const struct hit *other)
{
	return !h->weak || !other->weak;
}

/*
 * Weigh each candidate of hit i against the other hits: contradictions
 * (an unambiguous, not weak hit on no chain with it) and support (a hit naming an
 * ancestor, e.g. the district of a street). Keep the candidates with the
 * fewest contradictions, then the most support. If those lie on one chain
 * (a street and its own community both called 八宝山), the top one is
 * taken; otherwise the hit stays unresolved with their common ancestor.
 */
static void hit_weigh(const struct gazetteer *g, struct hit *hits, int nh, int i)
{
	struct hit *h = &hits[i];
	const struct gz_cand *c = hit_cands(g, h);
	int best_contra = 1 << 30, best_support = -1, deepest = LV_DISTRICT;

	h->nbest = 0;
	h->unit = NO_UNIT;
	h->unresolved = false;
	for (uint32_t k = 0; k < h->name->n; k++) {
		int u = c[k].unit, contra = 0, support = 0;
		for (int j = 0; j < nh; j++) {
			if (j == i || hits[j].name == h->name)
				continue;
			if (!hits[j].ambiguous && !hits[j].weak && !hit_consistent(g, &hits[j], u))
				contra++;
			else if (counts_as_support(h, &hits[j]) && hit_above(g, &hits[j], u))
				support++;
		}
		if (contra > best_contra || (contra == best_contra && support < best_support))
			continue;
		if (contra < best_contra || support > best_support) {
			best_contra = contra;
			best_support = support;
			h->nbest = 0;
			h->unit = u;
			h->kind = c[k].kind;
			h->unresolved = false;
			deepest = g->units[u].level;
		} else if (h->unresolved || !on_chain(g, h->unit, u)) {
			h->unresolved = true;
			h->unit = common_ancestor(g, h->unit, u);
		} else if (is_ancestor(g, u, h->unit)) {
			h->unit = u; /* the top of the chain */
			h->kind = c[k].kind;
		}
		if (g->units[u].level > deepest)
			deepest = g->units[u].level;
		if (h->nbest < MAX_LISTED)
			h->best[h->nbest] = u;
		h->nbest++;
	}
	h->contra = best_contra;
	h->support = best_support;
	/* a resolved hit ranks by the unit it names; an unresolved one by its deepest candidate */
	h->level = h->unresolved || h->unit == NO_UNIT ? deepest : g->units[h->unit].level;
}

/* How much a name alone says: the official name, a longer alias or a city's entry, a two-character alias. */
static int hit_strength(const struct hit *h)
{
	if (h->kind == GK_UNIT)
		return 3;
	return h->weak ? 1 : 2;
}

/* Is hit a a better decider than b? Fewer contradictions, deeper, more support, stronger, longer, earlier. */
static bool hit_better(const struct hit *a, const struct hit *b)
{
	if (a->contra != b->contra)
		return a->contra < b->contra;
	if (a->level != b->level)
		return a->level > b->level;
	if (a->support != b->support)
		return a->support > b->support;
	if (hit_strength(a) != hit_strength(b))
		return hit_strength(a) > hit_strength(b);
	if (a->end - a->start != b->end - b->start)
		return a->end - a->start > b->end - b->start;
	return a->start < b->start;
}

/* Collected matches: every name found, nested ones included. */
struct raw_hit {
	uint32_t start, end;
	int32_t name;
};

static int raw_hit_cmp(const void *a, const void *b)
{
	const struct raw_hit *x = a, *y = b;
	uint32_t lx = x->end - x->start, ly = y->end - y->start;
	if (lx != ly)
		return lx > ly ? -1 : 1;
	return x->start < y->start ? -1 : x->start > y->start;
}

static int hit_pos_cmp(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* State of one resolution: the normalised text and the evidence being written. */
struct resolve_run {
	const struct gazetteer *g;
	const char *orig;
	const char *text;
	const uint32_t *from, *to;
	struct buf ev;
};

/* Append “the text of hit h as written”. */
static void ev_quote(struct resolve_run *r, const struct hit *h)
{
	buf_adds(&r->ev, "“");
	buf_add(&r->ev, r->orig + r->from[h->start], r->to[h->end - 1] - r->from[h->start]);
	buf_adds(&r->ev, "”");
}

/* A unit named with the levels above it, as an address writes it: "东城区东华门街道多福巷社区居委会". */
static void ev_unit(struct resolve_run *r, int u)
{
	const struct gazetteer *g = r->g;
	int chain[8], n = 0;
	for (; u != NO_UNIT && n < 8; u = g->units[u].parent)
		chain[n++] = u;
	while (n-- > 0)
		buf_adds(&r->ev, g->units[chain[n]].name);
}

/* Fill the codes of u and the levels above it. */
static void fill_levels(const struct gazetteer *g, int u, struct place_resolution *out)
{
	for (int k = 0; u != NO_UNIT && k < 8; k++, u = g->units[u].parent) {
		char *dst = g->units[u].level == LV_DISTRICT ? out->district
			    : g->units[u].level == LV_STREET ? out->street
							     : out->community;
		strlcpy_ok(dst, g->units[u].code, sizeof(out->district));
	}
}

/*
 * Write the decision from the winning hit w into out. Confidence:
 *   the name alone     official name 0.9; longer alias or a city's entry 0.85;
 *                      weak (a two-character alias) alone 0.3 and no level is
 *                      filled in: it needs a level above it named too (0.45 + 0.15)
 *   same name elsewhere, told apart by the rest of the address: at most 0.8
 *   each level above it also named: +0.04 (weak: +0.15)
 *   each contradicting name (another district, say): -0.25
 *   several places left, all in one street: 0.7 for the street; else 0.4
 *   with a common district, 0.2 without
 * needs_decision: no street found, or confidence below 0.5.
 */
static void decide(struct resolve_run *r, struct hit *hits, int nh, int w, struct place_resolution *out)
{
	const struct gazetteer *g = r->g;
	struct hit *h = &hits[w];
	double conf;

	copy_capped(out->matched, sizeof(out->matched), r->orig + r->from[h->start],
		    r->to[h->end - 1] - r->from[h->start]);
	buf_adds(&r->ev, "地址中的");
	ev_quote(r, h);
	if (h->unresolved) {
		/* several places of the same name, not told apart by the rest of the address */
		buf_addf(&r->ev, "对应 %d 个同名单位：", h->nbest);
		for (int k = 0; k < h->nbest && k < MAX_LISTED; k++) {
			if (k)
				buf_adds(&r->ev, "、");
			ev_unit(r, h->best[k]);
		}
		if (h->nbest > MAX_LISTED)
			buf_adds(&r->ev, "等");
		if (h->weak && !h->support) {
			conf = 0.2; /* a two-character word: nothing is filled in */
			buf_adds(&r->ev, "，需要人工确定。");
		} else if (fill_levels(g, h->unit, out),
			   h->unit != NO_UNIT && g->units[h->unit].level >= LV_STREET) {
			conf = 0.7;
			buf_adds(&r->ev, "，均属");
			buf_adds(&r->ev, g->units[h->unit].name);
			buf_adds(&r->ev, "，社区需要人工确定。");
		} else {
			conf = h->unit != NO_UNIT ? 0.4 : 0.2;
			buf_adds(&r->ev, "，需要人工确定。");
		}
	} else if (h->weak && !h->support) {
		/* a two-character alias alone (向阳, 广场, 八角) is as often a word as a place: a guess,
		 * nothing filled */
		buf_adds(&r->ev, "可能指");
		ev_unit(r, h->unit);
		buf_adds(&r->ev, "（两个字的简称），但单独出现不足以定位，需要人工确定。");
		conf = 0.3;
	} else {
		int u = h->unit;
		fill_levels(g, u, out);
		buf_adds(&r->ev, "对应");
		ev_unit(r, u);
		buf_addf(&r->ev, "（%s）", kind_labels[h->kind]);
		conf = hit_strength(h) == 3 ? 0.9 : hit_strength(h) == 2 ? 0.85 : 0.45;
		if (h->ambiguous || h->name->n > 1) {
			bool chain = true;
			const struct gz_cand *c = hit_cands(g, h);
			for (uint32_t k = 0; k < h->name->n; k++)
				chain = chain && on_chain(g, c[k].unit, u);
			if (!chain) {
				buf_addf(&r->ev, "，同名单位共 %u 个，由地址中的其他地名确定", h->name->n);
				if (conf > 0.8)
					conf = 0.8;
			}
		}
		if (h->support) {
			int listed = 0;
			buf_adds(&r->ev, "；");
			for (int j = 0; j < nh; j++) {
				if (j == w || !counts_as_support(h, &hits[j]) || !hit_above(g, &hits[j], u) ||
				    listed == MAX_LISTED)
					continue;
				if (listed++)
					buf_adds(&r->ev, "、");
				ev_quote(r, &hits[j]);
			}
			buf_adds(&r->ev, "与之相符");
			conf += (h->weak ? 0.15 : 0.04) * h->support;
		}
		if (h->contra) {
			int listed = 0;
			buf_adds(&r->ev, "；但");
			for (int j = 0; j < nh; j++) {
				if (j == w || hits[j].ambiguous || hits[j].weak ||
				    hit_consistent(g, &hits[j], u) || listed == MAX_LISTED)
					continue;
				if (listed++)
					buf_adds(&r->ev, "、");
				ev_quote(r, &hits[j]);
			}
			buf_adds(&r->ev, "与之不符，请核对");
			conf -= 0.25 * h->contra;
		}
		if (g->units[u].level == LV_DISTRICT)
			buf_adds(&r->ev, "；未能确定街乡，由区里确定");
		buf_adds(&r->ev, "。");
	}
	if (conf > 0.99)
		conf = 0.99;
	if (conf < 0.1)
		conf = 0.1;
	out->confidence = conf;
	out->needs_decision = !out->street[0] || conf < 0.5;
}

enum err_code gazetteer_resolve(const struct gazetteer *g, const char *address, struct place_resolution *out,
				struct err *e)
{
	char text[TEXT_BYTES(LIMIT_ADDRESS)];
	uint32_t from[TEXT_BYTES(LIMIT_ADDRESS)], to[TEXT_BYTES(LIMIT_ADDRESS)];
	struct raw_hit raw[MAX_RAW_HITS];
	struct hit hits[MAX_HITS];
	uint8_t used[TEXT_BYTES(LIMIT_ADDRESS)];
	size_t n = address ? strlen(address) : 0, nraw = 0;
	int nh = 0;

	memset(out, 0, sizeof(*out));
	strlcpy_ok(out->method, "none", sizeof(out->method));
	out->needs_decision = true;
	if (!g)
		return err_set(e, E_INTERNAL, NULL, "地名库未加载");
	if (!utf8_valid(address ? address : "", n))
		return err_set(e, E_INVALID, "address", "地址不是合法的 UTF-8 文本");
	if (utf8_len(address ? address : "") > LIMIT_ADDRESS || n >= sizeof(text))
		return err_set(e, E_INVALID, "address", "地址不能超过 %d 个字", LIMIT_ADDRESS);

	struct resolve_run r = {.g = g, .orig = address ? address : "", .text = text, .from = from, .to = to};
	size_t len = normalise(r.orig, n, text, from, to);
	size_t skip = str_has_prefix(text, "北京市") ? strlen("北京市") : 0;

	/* one pass of the automaton: every name ending at each byte */
	uint32_t s = 0;
	for (size_t i = skip; i < len; i++) {
		s = ac_step(g, s, (uint8_t)text[i]);
		for (int32_t t = g->term[s] >= 0 ? (int32_t)s : g->dict[s]; t >= 0 && nraw < MAX_RAW_HITS;
		     t = g->dict[t]) {
			const struct gz_name *nm = &g->names[g->term[t]];
			raw[nraw++] =
			    (struct raw_hit){(uint32_t)(i + 1 - nm->len), (uint32_t)(i + 1), g->term[t]};
		}
	}
	/* the longest first, then the earliest; a match overlapping a kept one is dropped */
	qsort(raw, nraw, sizeof(*raw), raw_hit_cmp);
	memset(used, 0, len);
	for (size_t k = 0; k < nraw && nh < MAX_HITS; k++) {
		bool free_span = true;
		for (uint32_t b = raw[k].start; b < raw[k].end && free_span; b++)
			free_span = !used[b];
		if (!free_span)
			continue;
		memset(used + raw[k].start, 1, raw[k].end - raw[k].start);
		hits[nh++] =
		    (struct hit){.start = raw[k].start, .end = raw[k].end, .name = &g->names[raw[k].name]};
	}
	qsort(hits, (size_t)nh, sizeof(*hits), hit_pos_cmp);

	buf_init(&r.ev, sizeof(out->evidence) - 1);
	if (nh == 0) {
		buf_adds(&r.ev, "地址中没有找到已知的区、街乡、社区或地名，需要人工确定。");
	} else {
		for (int i = 0; i < nh; i++) {
			const struct gz_cand *c = hit_cands(g, &hits[i]);
			hits[i].weak = hits[i].name->chars <= 2;
			for (uint32_t k = 0; k < hits[i].name->n; k++) {
				if (k && !on_chain(g, c[0].unit, c[k].unit))
					hits[i].ambiguous = true;
				if (c[k].kind != GK_ALIAS)
					hits[i].weak = false;
			}
		}
		int w = 0;
		for (int i = 0; i < nh; i++) {
			hit_weigh(g, hits, nh, i);
			if (i && hit_better(&hits[i], &hits[w]))
				w = i;
		}
		strlcpy_ok(out->method, "address", sizeof(out->method));
		decide(&r, hits, nh, w, out);
	}
	copy_capped(out->evidence, sizeof(out->evidence), r.ev.s, r.ev.len);
	buf_release(&r.ev);
	return OK;
}
