/*
 * api_reports.c — the monthly assessment over the API (docs/ASSESSMENT.md):
 * rates and rankings per pool, per-person records, the case export, and
 * the assessment configuration per pool. Reports come as JSON, or as a
 * CSV or Excel download (format=csv|xlsx) through one sheet writer.
 *
 * Who may read reports: assessors, supervisors, heads and admins, and the
 * centre's agents and dispatchers. A user outside the centre sees only
 * units within their own unit's subtree; a unit outside it is 404, as for
 * cases.
 */
#include "api_int.h"
#include "../domain/assess.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

/* Rows in one case export: beyond this, narrow it with unit=. */
#define REPORT_MAX_ROWS 100000
/* Hard caps on a generated file held in memory. */
#define EXPORT_MAX_BYTES (512u * 1024 * 1024)

static const char CSV_TYPE[] = "text/csv; charset=utf-8";
static const char XLSX_TYPE[] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/* ------------------------------------------------------------ access */

static enum err_code may_see_reports(const struct actor *who, struct err *e)
{
	switch (who->user.role) {
	case ROLE_ASSESSOR:
	case ROLE_SUPERVISOR:
	case ROLE_HEAD:
	case ROLE_ADMIN:
		return OK;
	case ROLE_AGENT:
	case ROLE_DISPATCHER:
		if (who->unit.kind == UNIT_CENTRE)
			return OK;
		break;
	default:
		break;
	}
	return err_set(e, E_FORBIDDEN, NULL, "您的角色（%s）不能查看考核报表", role_name(who->user.role));
}

/*
 * The unit a report is limited to. code (a query parameter, may be NULL)
 * must lie within the viewer's subtree (404 otherwise, as if it did not
 * exist); without it, a viewer outside the centre is limited to their own
 * unit. *has is false when the report covers everything (the centre).
 */
static enum err_code report_unit(struct api_ctx *ctx, const struct actor *who, const char *code,
				 const char *field, struct unit *out, bool *has, struct err *e)
{
	struct err nf;
	*has = false;
	if (!code) {
		if (who->unit.kind == UNIT_CENTRE)
			return OK;
		*out = who->unit;
		*has = true;
		return OK;
	}
	err_init(&nf);
	enum err_code rc = store_unit_get(ctx->cx.st, code, out, &nf);
	if (rc == E_NOT_FOUND ||
	    (rc == OK && who->unit.kind != UNIT_CENTRE && !str_has_prefix(out->path, who->unit.path)))
		return err_set(e, E_NOT_FOUND, field, "单位 %s 不存在", code);
	if (rc != OK) {
		*e = nf;
		return rc;
	}
	*has = true;
	return OK;
}

enum format { FMT_JSON, FMT_CSV, FMT_XLSX };

static enum err_code parse_format(const struct api_request *req, enum format dflt, bool json_ok,
				  enum format *out, struct err *e)
{
	const char *v = api_query(req, "format");
	*out = dflt;
	if (!v)
		return OK;
	if (!strcmp(v, "csv"))
		*out = FMT_CSV;
	else if (!strcmp(v, "xlsx"))
		*out = FMT_XLSX;
	else if (!strcmp(v, "json") && json_ok)
		*out = FMT_JSON;
	else
		return err_set(e, E_INVALID, "format",
			       json_ok ? "参数 format 须为 json、csv 或 xlsx"
				       : "参数 format 须为 csv 或 xlsx");
	return OK;
}

static enum err_code need_period(const struct api_request *req, const char **out, struct err *e)
{
	*out = api_query(req, "period");
	if (!*out)
		return err_set(e, E_INVALID, "period", "缺少参数 period（考核期，格式 YYYY-MM，如 2026-03）");
	return OK;
}

static enum err_code parse_pool(const char *v, enum err_code code, enum unit_kind *out, struct err *e)
{
	enum err_code rc = assess_pool_parse(v, out, e);
	if (rc != OK)
		e->code = code;
	return rc == OK ? OK : code;
}

/* ------------------------------------------------------------ numbers */

/* A rate for JSON, 4 decimals (fractions 0–1); null when there was nothing to measure. */
static json_t *jrate(double v)
{
	return v < 0 ? json_null() : json_real(round(v * 1e4) / 1e4);
}

/* A score or an amount for JSON, 2 decimals. */
static json_t *jscore(double v)
{
	return v < 0 ? json_null() : json_real(round(v * 100) / 100);
}

static double share(int64_t num, int64_t den)
{
	return den > 0 ? (double)num / (double)den : -1.0;
}

/* ------------------------------------------------------------ unit names */

/*
 * Unit names for export rows, through a small direct-mapped cache (a case
 * export names a few units per row; most repeat).
 */
#define NAME_CACHE_SLOTS 512
struct name_cache {
	struct store *st;
	struct {
		char code[LIMIT_CODE + 1];
		char name[TEXT_BYTES(LIMIT_UNIT_NAME)];
	} slot[NAME_CACHE_SLOTS];
};

static const char *unit_name(struct name_cache *nc, const char *code)
{
	if (!code || !*code)
		return "";
	size_t h = str_hash(STR_HASH_START, code) % NAME_CACHE_SLOTS;
	if (strcmp(nc->slot[h].code, code) != 0) {
		struct unit u;
		struct err ignore;
		strlcpy_ok(nc->slot[h].code, code, sizeof(nc->slot[h].code));
		strlcpy_ok(nc->slot[h].name, store_unit_get(nc->st, code, &u, &ignore) == OK ? u.name : code,
			   sizeof(nc->slot[h].name));
	}
	return nc->slot[h].name;
}

/* ------------------------------------------------------------ sheets */

/*
 * A table written row by row as CSV (UTF-8 with a BOM, so Excel reads the
 * Chinese right) or as an Excel workbook. libxlsxwriter writes only to a
 * file: the workbook goes to a private temporary file (mkstemp under
 * TMPDIR or /tmp) in constant-memory mode, is read back into memory and
 * unlinked. Each column has a type that decides how a number is shown:
 * rates as percentages, scores with two decimals.
 */
enum col_type { COL_TEXT, COL_INT, COL_RATE, COL_SCORE, COL_HOURS };
#define COL_TYPES 5
struct col {
	const char *title;
	enum col_type type;
	double width; /* Excel column width, in characters */
};

struct sheet {
	bool xlsx;
	const struct col *cols;
	int ncols, col;
	lxw_row_t row;
	struct buf csv;
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *header, *fmt[COL_TYPES];
	char path[256];
	bool failed;
};

static enum err_code sheet_begin(struct sheet *sh, enum format f, const char *name, const struct col *cols,
				 int ncols, struct err *e)
{
	memset(sh, 0, sizeof(*sh));
	sh->xlsx = f == FMT_XLSX;
	sh->cols = cols;
	sh->ncols = ncols;
	if (!sh->xlsx) {
		buf_init(&sh->csv, EXPORT_MAX_BYTES);
		buf_adds(&sh->csv, "\xEF\xBB\xBF");
		for (int i = 0; i < ncols; i++)
			buf_addf(&sh->csv, "%s%s", i ? "," : "", cols[i].title);
		buf_adds(&sh->csv, "\r\n");
		return OK;
	}
	const char *dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	snprintf(sh->path, sizeof(sh->path), "%s/jiesu-export-XXXXXX", dir);
	int fd = mkstemp(sh->path);
	if (fd < 0) {
		sh->path[0] = '\0';
		return err_set(e, E_IO, NULL, "无法创建导出用的临时文件（%s）", dir);
	}
	close(fd);
	lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = (char *)dir};
	sh->wb = workbook_new_opt(sh->path, &opt);
	if (!sh->wb || !(sh->ws = workbook_add_worksheet(sh->wb, name))) {
		if (sh->wb)
			workbook_close(sh->wb);
		unlink(sh->path);
		return err_set(e, E_IO, NULL, "无法创建 Excel 文件");
	}
	sh->header = workbook_add_format(sh->wb);
	format_set_bold(sh->header);
	format_set_text_wrap(sh->header);
	static const char *const numfmt[COL_TYPES] = {NULL, "0", "0.00%", "0.00", "0.0"};
	for (int t = 1; t < COL_TYPES; t++) {
		sh->fmt[t] = workbook_add_format(sh->wb);
		format_set_num_format(sh->fmt[t], numfmt[t]);
	}
	for (int i = 0; i < ncols; i++)
		worksheet_set_column(sh->ws, (lxw_col_t)i, (lxw_col_t)i, cols[i].width, NULL);
	worksheet_freeze_panes(sh->ws, 1, 0);
	for (int i = 0; i < ncols; i++)
		if (worksheet_write_string(sh->ws, 0, (lxw_col_t)i, cols[i].title, sh->header) !=
		    LXW_NO_ERROR)
			sh->failed = true;
	sh->row = 1;
	return OK;
}

/* Text for a cell: control characters become spaces (XML and CSV rows stay one line). */
static void clean_text(const char *s, char *out, size_t n)
{
	size_t i = 0;
	for (; s[i] && i + 1 < n; i++)
		out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? ' ' : s[i];
	out[i] = '\0';
}

static void csv_field(struct buf *b, const char *s, bool text)
{
	bool quote = strpbrk(s, ",\"\r\n") != NULL;
	/* a text cell starting like a formula is kept as text in a spreadsheet */
	bool guard = text && (*s == '=' || *s == '+' || *s == '-' || *s == '@');
	if (!quote && !guard) {
		buf_adds(b, s);
		return;
	}
	buf_adds(b, "\"");
	if (guard)
		buf_adds(b, "'");
	for (const char *p = s; *p; p++) {
		buf_add(b, p, 1);
		if (*p == '"')
			buf_add(b, "\"", 1);
	}
	buf_adds(b, "\"");
}

static void sheet_sep(struct sheet *sh)
{
	if (!sh->xlsx && sh->col > 0)
		buf_adds(&sh->csv, ",");
}

static void sheet_text(struct sheet *sh, const char *s)
{
	char clean[TEXT_BYTES(LIMIT_REASON)];
	clean_text(s ? s : "", clean, sizeof(clean));
	sheet_sep(sh);
	if (sh->xlsx) {
		if (*clean &&
		    worksheet_write_string(sh->ws, sh->row, (lxw_col_t)sh->col, clean, NULL) != LXW_NO_ERROR)
			sh->failed = true;
	} else {
		csv_field(&sh->csv, clean, true);
	}
	sh->col++;
}

static void sheet_blank(struct sheet *sh)
{
	sheet_sep(sh);
	sh->col++;
}

/* A number shown as its column's type says; negative means "nothing to measure" for rates and scores. */
static void sheet_num(struct sheet *sh, double v)
{
	enum col_type t = sh->cols[sh->col].type;
	if (v < 0 && t != COL_INT) {
		sheet_blank(sh);
		return;
	}
	double shown = t == COL_RATE ? round(v * 1e4) / 1e4 : t == COL_INT ? v : round(v * 100) / 100;
	sheet_sep(sh);
	if (sh->xlsx) {
		if (worksheet_write_number(sh->ws, sh->row, (lxw_col_t)sh->col, shown, sh->fmt[t]) !=
		    LXW_NO_ERROR)
			sh->failed = true;
	} else if (t == COL_INT) {
		buf_addf(&sh->csv, "%lld", (long long)v);
	} else if (t == COL_RATE) {
		buf_addf(&sh->csv, "%.2f%%", shown * 100);
	} else if (t == COL_HOURS) {
		buf_addf(&sh->csv, "%.1f", shown);
	} else {
		buf_addf(&sh->csv, "%.2f", shown);
	}
	sh->col++;
}

static void sheet_int(struct sheet *sh, int64_t v)
{
	sheet_num(sh, (double)v);
}

/* A local time "2026-03-02 09:00:00", or blank for 0. */
static void sheet_time(struct sheet *sh, int64_t t)
{
	char iso[26];
	if (!t) {
		sheet_blank(sh);
		return;
	}
	time_format_iso(t, iso);
	iso[10] = ' ';
	iso[19] = '\0';
	sheet_text(sh, iso);
}

static void sheet_end_row(struct sheet *sh)
{
	if (!sh->xlsx)
		buf_adds(&sh->csv, "\r\n");
	sh->row++;
	sh->col = 0;
}

static void sheet_abort(struct sheet *sh)
{
	if (sh->xlsx) {
		if (sh->wb)
			workbook_close(sh->wb);
		if (*sh->path)
			unlink(sh->path);
		sh->wb = NULL;
		sh->path[0] = '\0';
	} else {
		buf_release(&sh->csv);
	}
}

/* Close the table and hand its bytes to the response as a download named name.ext. */
static enum err_code sheet_finish(struct sheet *sh, struct api_response *res, const char *name, struct err *e)
{
	enum err_code rc = OK;
	if (!sh->xlsx) {
		if (sh->csv.overflow) {
			buf_release(&sh->csv);
			return err_set(e, E_TOO_LARGE, NULL, "导出文件超过 %u MB 上限，请缩小范围",
				       EXPORT_MAX_BYTES >> 20);
		}
		res->raw_len = sh->csv.len;
		res->raw = buf_detach(&sh->csv);
		res->content_type = CSV_TYPE;
		snprintf(res->filename, sizeof(res->filename), "%s.csv", name);
		return OK;
	}
	lxw_error le = workbook_close(sh->wb);
	sh->wb = NULL;
	char *data = NULL;
	size_t len = 0;
	if (sh->failed || le != LXW_NO_ERROR)
		rc = err_set(e, E_IO, NULL, "生成 Excel 文件失败（%s）", lxw_strerror(le));
	else
		rc = file_read_all(sh->path, EXPORT_MAX_BYTES, &data, &len, e);
	unlink(sh->path);
	sh->path[0] = '\0';
	if (rc != OK)
		return rc;
	res->raw = data;
	res->raw_len = len;
	res->content_type = XLSX_TYPE;
	snprintf(res->filename, sizeof(res->filename), "%s.xlsx", name);
	return OK;
}

/* ------------------------------------------------------------ configuration */

static json_t *config_json(const struct assess_config *c)
{
	return json_pack("{s:s, s:{s:f, s:f, s:f}, s:f, s:i, s:i, s:f}", "pool", unit_kind_name(c->pool),
			 "weights", "response", c->w_response, "resolution", c->w_resolution, "satisfaction",
			 c->w_satisfaction, "basic_coefficient", c->basic_coefficient, "period_start_day",
			 c->period_start_day, "min_callbacks", c->min_callbacks, "whistle_weight",
			 c->whistle_weight);
}

HANDLER(api_assess_config_get)
{
	enum unit_kind pool = UNIT_STREET;
	struct assess_config c;
	struct err nf;
	enum err_code rc;
	if ((rc = parse_pool(params[0], E_NOT_FOUND, &pool, e)))
		return rc;
	err_init(&nf);
	bool stored = true;
	if ((rc = store_assess_config_get(ctx->cx.st, pool, &c, &nf)) == E_NOT_FOUND) {
		assess_config_default(pool, &c);
		stored = false;
	} else if (rc != OK) {
		*e = nf;
		return rc;
	}
	res->body = config_json(&c);
	json_object_set_new(res->body, "stored", json_boolean(stored));
	return OK;
}

static enum err_code get_int(json_t *body, const char *key, int *dst, struct err *e)
{
	json_t *v = json_object_get(body, key);
	if (!v || json_is_null(v))
		return OK;
	if (!json_is_integer(v) || json_integer_value(v) < -1000000 || json_integer_value(v) > 1000000)
		return err_set(e, E_INVALID, key, "字段 %s 应为整数", key);
	*dst = (int)json_integer_value(v);
	return OK;
}

/*
 * Set a pool's configuration (admins of the centre). Fields left out keep
 * their current value; weights, when given, need all three.
 */
HANDLER(api_assess_config_put)
{
	static const char *const keys[] = {"weights",	    "basic_coefficient", "period_start_day",
					   "min_callbacks", "whistle_weight",	 NULL};
	static const char *const wkeys[] = {"response", "resolution", "satisfaction", NULL};
	enum unit_kind pool = UNIT_STREET;
	struct assess_config c;
	json_t *body = NULL, *w;
	enum err_code rc;
	if ((rc = parse_pool(params[0], E_NOT_FOUND, &pool, e)))
		return rc;
	if (who->user.role != ROLE_ADMIN || who->unit.kind != UNIT_CENTRE)
		return err_set(e, E_FORBIDDEN, NULL, "只有热线中心的管理员可以修改考核配置");
	if ((rc = api_parse_body(req, &body, e)) || (rc = api_check_keys(body, keys, NULL, e)) ||
	    (rc = assess_config_load(ctx->cx.st, pool, &c, e)) ||
	    (rc = api_get_object(body, "weights", &w, e)))
		goto out;
	if (w && ((rc = api_check_keys(w, wkeys, "weights", e)) ||
		  (rc = api_get_number(w, "response", "weights", &c.w_response, true, e)) ||
		  (rc = api_get_number(w, "resolution", "weights", &c.w_resolution, true, e)) ||
		  (rc = api_get_number(w, "satisfaction", "weights", &c.w_satisfaction, true, e))))
		goto out;
	if ((rc = api_get_number(body, "basic_coefficient", NULL, &c.basic_coefficient, false, e)) ||
	    (rc = get_int(body, "period_start_day", &c.period_start_day, e)) ||
	    (rc = get_int(body, "min_callbacks", &c.min_callbacks, e)) ||
	    (rc = api_get_number(body, "whistle_weight", NULL, &c.whistle_weight, false, e)) ||
	    (rc = assess_config_check(&c, e)) || (rc = store_assess_config_put(ctx->cx.st, &c, e)))
		goto out;
	res->body = config_json(&c);
	json_object_set_new(res->body, "stored", json_true());
out:
	json_decref(body);
	return rc;
}

/* ------------------------------------------------------------ rates */

static json_t *rates_json(const struct rates *r)
{
	return json_pack("{s:I, s:o, s:o, s:o, s:o}", "valid_callbacks", (json_int_t)r->valid,
			 "response_rate", jrate(r->response), "resolution_rate", jrate(r->resolution),
			 "satisfaction_rate", jrate(r->satisfaction), "score", jscore(r->score));
}

static json_t *row_json(const struct assess_row *row)
{
	const struct unit_counts *n = &row->n;
	json_t *o = json_pack("{s:{s:s, s:s}, s:I, s:o, s:o, s:o, s:o, s:o, s:b, s:o}", "unit", "code",
			      row->unit.code, "name", row->unit.name, "valid_callbacks",
			      (json_int_t)row->assessed.valid, "response_rate", jrate(row->assessed.response),
			      "resolution_rate", jrate(row->assessed.resolution), "satisfaction_rate",
			      jrate(row->assessed.satisfaction), "score", jscore(row->assessed.score), "rank",
			      row->rank ? json_integer(row->rank) : json_null(), "ranked", row->rank != 0,
			      "full_scope", rates_json(&row->full));
	json_object_set_new(o, "whistle",
			    row->whistle_score >= 0
				? json_pack("{s:o, s:I, s:I, s:I}", "score", jscore(row->whistle_score),
					    "ratings", (json_int_t)n->ratings, "reports",
					    (json_int_t)n->reports, "reports_on_time",
					    (json_int_t)n->reports_ontime)
				: json_null());
	json_object_set_new(o, "final_score", jscore(row->final_score));
	json_object_set_new(o, "process",
			    json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:I}", "dispatches",
				      (json_int_t)n->dispatches, "on_time_sign_rate",
				      jrate(row->on_time_sign), "on_time_contact_rate",
				      jrate(row->on_time_contact), "on_time_feedback_rate",
				      jrate(row->on_time_feedback), "return_rate", jrate(row->return_rate),
				      "rework_rate", jrate(row->rework_rate), "extension_rate",
				      jrate(row->extension_rate), "avg_handling_hours",
				      jscore(row->avg_handling_hours), "overdue", (json_int_t)n->overdue));
	return o;
}

static const struct col rate_cols[] = {
    {"排名", COL_INT, 6},
    {"单位编码", COL_TEXT, 12},
    {"单位", COL_TEXT, 30},
    {"有效回访量", COL_INT, 10},
    {"响应率", COL_RATE, 9},
    {"解决率", COL_RATE, 9},
    {"满意率", COL_RATE, 9},
    {"综合得分", COL_SCORE, 9},
    {"全口径有效回访量", COL_INT, 10},
    {"全口径响应率", COL_RATE, 9},
    {"全口径解决率", COL_RATE, 9},
    {"全口径满意率", COL_RATE, 9},
    {"全口径综合得分", COL_SCORE, 9},
    {"吹哨得分", COL_SCORE, 9},
    {"吹哨评价次数", COL_INT, 8},
    {"报到次数", COL_INT, 8},
    {"按时报到次数", COL_INT, 8},
    {"最终得分", COL_SCORE, 9},
    {"派单量", COL_INT, 8},
    {"按时签收率", COL_RATE, 9},
    {"按时联系率", COL_RATE, 9},
    {"按时反馈率", COL_RATE, 9},
    {"退单率", COL_RATE, 9},
    {"重办率", COL_RATE, 9},
    {"延期率", COL_RATE, 9},
    {"平均办理时长（小时）", COL_HOURS, 10},
    {"超期次数", COL_INT, 8},
    {"备注", COL_TEXT, 30},
};

static void rate_row(struct sheet *sh, const struct assess_report *r, const struct assess_row *row)
{
	const struct unit_counts *n = &row->n;
	char note[96];
	if (row->rank)
		sheet_int(sh, row->rank);
	else
		sheet_blank(sh);
	sheet_text(sh, row->unit.code);
	sheet_text(sh, row->unit.name);
	sheet_int(sh, row->assessed.valid);
	sheet_num(sh, row->assessed.response);
	sheet_num(sh, row->assessed.resolution);
	sheet_num(sh, row->assessed.satisfaction);
	sheet_num(sh, row->assessed.score);
	sheet_int(sh, row->full.valid);
	sheet_num(sh, row->full.response);
	sheet_num(sh, row->full.resolution);
	sheet_num(sh, row->full.satisfaction);
	sheet_num(sh, row->full.score);
	sheet_num(sh, row->whistle_score);
	sheet_int(sh, n->ratings);
	sheet_int(sh, n->reports);
	sheet_int(sh, n->reports_ontime);
	sheet_num(sh, row->final_score);
	sheet_int(sh, n->dispatches);
	sheet_num(sh, row->on_time_sign);
	sheet_num(sh, row->on_time_contact);
	sheet_num(sh, row->on_time_feedback);
	sheet_num(sh, row->return_rate);
	sheet_num(sh, row->rework_rate);
	sheet_num(sh, row->extension_rate);
	sheet_num(sh, row->avg_handling_hours);
	sheet_int(sh, n->overdue);
	if (row->rank) {
		sheet_blank(sh);
	} else {
		snprintf(note, sizeof(note), "有效回访量不足 %d，不参与排名", r->config.min_callbacks);
		sheet_text(sh, note);
	}
	sheet_end_row(sh);
}

HANDLER(api_report_rates)
{
	const char *period, *pool_s;
	enum unit_kind pool = UNIT_STREET;
	enum format fmt;
	struct unit parent;
	bool has_parent;
	struct assess_report r;
	enum err_code rc;
	if ((rc = may_see_reports(who, e)) || (rc = need_period(req, &period, e)) ||
	    (rc = parse_format(req, FMT_JSON, true, &fmt, e)))
		return rc;
	if (!(pool_s = api_query(req, "pool")))
		return err_set(e, E_INVALID, "pool",
			       "缺少参数 pool：street、department、enterprise 或 district");
	if ((rc = parse_pool(pool_s, E_INVALID, &pool, e)) ||
	    (rc = report_unit(ctx, who, api_query(req, "parent"), "parent", &parent, &has_parent, e)) ||
	    (rc = assess_rates(ctx->cx.st, period, pool, has_parent ? parent.code : NULL, &r, e)))
		return rc;
	if (fmt == FMT_JSON) {
		json_t *rows = json_array();
		for (int i = 0; i < r.nrows; i++)
			json_array_append_new(rows, row_json(&r.rows[i]));
		res->body =
		    json_pack("{s:s, s:o, s:o, s:s, s:o, s:o, s:o}", "period", r.period, "from",
			      api_time(r.from), "to", api_time(r.to), "pool", unit_kind_name(pool), "parent",
			      has_parent ? api_unit_ref(ctx->cx.st, parent.code) : json_null(), "config",
			      config_json(&r.config), "rows", rows);
		assess_report_release(&r);
		return OK;
	}
	struct sheet sh;
	char name[64];
	if ((rc = sheet_begin(&sh, fmt, "考核排名", rate_cols, (int)ARRAY_SIZE(rate_cols), e)) == OK) {
		for (int i = 0; i < r.nrows; i++)
			rate_row(&sh, &r, &r.rows[i]);
		snprintf(name, sizeof(name), "jiesu-rates-%s-%s", unit_kind_name(pool), r.period);
		rc = sheet_finish(&sh, res, name, e);
		if (rc != OK)
			sheet_abort(&sh);
	}
	assess_report_release(&r);
	return rc;
}

/* ------------------------------------------------------------ people */

static const struct col people_cols[] = {
    {"姓名", COL_TEXT, 10},	 {"账号", COL_TEXT, 14},
    {"单位编码", COL_TEXT, 12},	 {"单位", COL_TEXT, 28},
    {"签收数", COL_INT, 8},	 {"按时签收率", COL_RATE, 9},
    {"首次联系数", COL_INT, 8},	 {"按时联系率", COL_RATE, 9},
    {"反馈数", COL_INT, 8},	 {"按时反馈率", COL_RATE, 9},
    {"报到数", COL_INT, 8},	 {"按时报到率", COL_RATE, 9},
    {"被评价次数", COL_INT, 8},	 {"平均评分（1–5）", COL_SCORE, 9},
    {"有效回访数", COL_INT, 8},	 {"回访解决率", COL_RATE, 9},
    {"回访满意率", COL_RATE, 9},
};

struct people_ctx {
	struct name_cache *names;
	enum format fmt;
	json_t *arr;
	struct sheet *sh;
};

static double avg_rating(const struct person_counts *p)
{
	return p->ratings > 0 ? (double)p->rating_sum / (3.0 * (double)p->ratings) : -1.0;
}

static int add_person(void *vctx, const struct person_counts *p)
{
	struct people_ctx *x = vctx;
	const char *uname = unit_name(x->names, p->unit);
	if (x->fmt == FMT_JSON) {
		json_t *o =
		    json_pack("{s:{s:I, s:s, s:s}, s:{s:s, s:s}}", "user", "id", (json_int_t)p->user_id,
			      "login", p->login, "name", p->name, "unit", "code", p->unit, "name", uname);
		const struct {
			const char *key;
			int64_t v;
		} ints[] = {{"signs", p->signs},
			    {"signs_on_time", p->signs_ontime},
			    {"contacts", p->contacts},
			    {"contacts_on_time", p->contacts_ontime},
			    {"replies", p->replies},
			    {"replies_on_time", p->replies_ontime},
			    {"reports", p->reports},
			    {"reports_on_time", p->reports_ontime},
			    {"ratings", p->ratings},
			    {"callbacks", p->callbacks},
			    {"callbacks_solved", p->callbacks_solved},
			    {"callbacks_satisfied", p->callbacks_satisfied}};
		for (size_t i = 0; i < ARRAY_SIZE(ints); i++)
			json_object_set_new(o, ints[i].key, json_integer(ints[i].v));
		json_object_set_new(o, "on_time_sign_rate", jrate(share(p->signs_ontime, p->signs)));
		json_object_set_new(o, "on_time_contact_rate", jrate(share(p->contacts_ontime, p->contacts)));
		json_object_set_new(o, "on_time_feedback_rate", jrate(share(p->replies_ontime, p->replies)));
		json_object_set_new(o, "on_time_report_rate", jrate(share(p->reports_ontime, p->reports)));
		json_object_set_new(o, "average_rating", jscore(avg_rating(p)));
		json_object_set_new(o, "solved_rate", jrate(share(p->callbacks_solved, p->callbacks)));
		json_object_set_new(o, "satisfied_rate", jrate(share(p->callbacks_satisfied, p->callbacks)));
		json_array_append_new(x->arr, o);
		return 0;
	}
	struct sheet *sh = x->sh;
	sheet_text(sh, p->name);
	sheet_text(sh, p->login);
	sheet_text(sh, p->unit);
	sheet_text(sh, uname);
	sheet_int(sh, p->signs);
	sheet_num(sh, share(p->signs_ontime, p->signs));
	sheet_int(sh, p->contacts);
	sheet_num(sh, share(p->contacts_ontime, p->contacts));
	sheet_int(sh, p->replies);
	sheet_num(sh, share(p->replies_ontime, p->replies));
	sheet_int(sh, p->reports);
	sheet_num(sh, share(p->reports_ontime, p->reports));
	sheet_int(sh, p->ratings);
	sheet_num(sh, avg_rating(p));
	sheet_int(sh, p->callbacks);
	sheet_num(sh, share(p->callbacks_solved, p->callbacks));
	sheet_num(sh, share(p->callbacks_satisfied, p->callbacks));
	sheet_end_row(sh);
	return 0;
}

/*
 * The period of a report that is not per pool: the start day of the pool
 * named by pool=, else of the unit's own kind when it is a pool, else of
 * the street pool.
 */
static enum err_code report_period(struct api_ctx *ctx, const struct api_request *req, const struct unit *u,
				   bool has_unit, const char *period, int64_t *from, int64_t *to,
				   struct err *e)
{
	enum unit_kind pool = UNIT_STREET;
	struct assess_config cfg;
	enum err_code rc;
	const char *v = api_query(req, "pool");
	if (v) {
		if ((rc = parse_pool(v, E_INVALID, &pool, e)))
			return rc;
	} else if (has_unit &&
		   (u->kind == UNIT_DEPARTMENT || u->kind == UNIT_ENTERPRISE || u->kind == UNIT_DISTRICT)) {
		pool = u->kind;
	}
	if ((rc = assess_config_load(ctx->cx.st, pool, &cfg, e)))
		return rc;
	return assess_period(period, cfg.period_start_day, from, to, e);
}

HANDLER(api_report_people)
{
	const char *period;
	enum format fmt;
	struct unit u;
	bool has_unit;
	int64_t from, to;
	enum err_code rc;
	if ((rc = may_see_reports(who, e)) || (rc = need_period(req, &period, e)) ||
	    (rc = parse_format(req, FMT_JSON, true, &fmt, e)) ||
	    (rc = report_unit(ctx, who, api_query(req, "unit"), "unit", &u, &has_unit, e)) ||
	    (rc = report_period(ctx, req, &u, has_unit, period, &from, &to, e)))
		return rc;
	struct name_cache *names = xcalloc(1, sizeof(*names));
	names->st = ctx->cx.st;
	struct sheet sh;
	struct people_ctx x = {names, fmt, NULL, &sh};
	if (fmt == FMT_JSON) {
		x.arr = json_array();
		if ((rc = store_person_counts(ctx->cx.st, from, to, has_unit ? u.path : NULL, add_person, &x,
					      e)) == OK)
			res->body = json_pack("{s:s, s:o, s:o, s:o, s:o}", "period", period, "from",
					      api_time(from), "to", api_time(to), "unit",
					      has_unit ? api_unit_ref(ctx->cx.st, u.code) : json_null(),
					      "people", x.arr);
		else
			json_decref(x.arr);
	} else if ((rc = sheet_begin(&sh, fmt, "干部实绩档案", people_cols, (int)ARRAY_SIZE(people_cols),
				     e)) == OK) {
		char name[64];
		snprintf(name, sizeof(name), "jiesu-people-%s-%s", has_unit ? u.code : "all", period);
		if ((rc = store_person_counts(ctx->cx.st, from, to, has_unit ? u.path : NULL, add_person, &x,
					      e)) ||
		    (rc = sheet_finish(&sh, res, name, e)))
			sheet_abort(&sh);
	}
	free(names);
	return rc;
}

/* ------------------------------------------------------------ case export */

static const struct col case_cols[] = {
    {"工单编号", COL_INT, 10},	     {"受理时间", COL_TEXT, 19},     {"诉求类型", COL_TEXT, 8},
    {"渠道", COL_TEXT, 10},	     {"标题", COL_TEXT, 30},	     {"分类", COL_TEXT, 30},
    {"时限等级", COL_TEXT, 10},	     {"状态", COL_TEXT, 10},	     {"区", COL_TEXT, 12},
    {"街道（乡镇）", COL_TEXT, 14},  {"社区（村）", COL_TEXT, 16},   {"承办单位编码", COL_TEXT, 12},
    {"承办单位", COL_TEXT, 28},	     {"派单时间", COL_TEXT, 19},     {"签收时限", COL_TEXT, 19},
    {"签收时间", COL_TEXT, 19},	     {"联系时限", COL_TEXT, 19},     {"首次联系时间", COL_TEXT, 19},
    {"办结时限", COL_TEXT, 19},	     {"反馈时间", COL_TEXT, 19},     {"单位反馈已解决", COL_TEXT, 8},
    {"回访时间", COL_TEXT, 19},	     {"回访有效", COL_TEXT, 8},	     {"回访：是否联系", COL_TEXT, 8},
    {"回访：是否解决", COL_TEXT, 8}, {"回访：满意度", COL_TEXT, 10}, {"办结时间", COL_TEXT, 19},
    {"是否超期", COL_TEXT, 8},	     {"退单次数", COL_INT, 8},	     {"延期次数", COL_INT, 8},
    {"重办次数", COL_INT, 8},	     {"吹哨次数", COL_INT, 8},	     {"考核范围", COL_TEXT, 12},
};

static const char *type_label(enum case_type t)
{
	static const char *const l[] = {"咨询", "求助", "投诉", "举报", "建议"};
	return (size_t)t < ARRAY_SIZE(l) ? l[t] : "";
}

static const char *tier_label(enum tier t)
{
	static const char *const l[] = {"紧急", "水电气热", "一般", "复杂疑难"};
	return (size_t)t < ARRAY_SIZE(l) ? l[t] : "";
}

static const char *scope_label(enum assess_scope s)
{
	static const char *const l[] = {"全部考核", "只考核响应率", "剔除"};
	return (size_t)s < ARRAY_SIZE(l) ? l[s] : "";
}

static const char *satisfaction_label(enum satisfaction s)
{
	static const char *const l[] = {"", "满意", "基本满意", "不满意"};
	return (size_t)s < ARRAY_SIZE(l) ? l[s] : "";
}

static const char *yes_no(int v)
{
	return v < 0 ? "" : v ? "是" : "否";
}

struct category_names {
	int64_t *ids;
	char (*paths)[TEXT_BYTES(LIMIT_PATH)];
	int n, cap;
};

static int keep_category(void *vctx, const struct category *c)
{
	struct category_names *cn = vctx;
	if (cn->n == cn->cap) {
		cn->cap = cn->cap ? cn->cap * 2 : 256;
		cn->ids = xrealloc(cn->ids, (size_t)cn->cap * sizeof(*cn->ids));
		cn->paths = xrealloc(cn->paths, (size_t)cn->cap * sizeof(*cn->paths));
	}
	cn->ids[cn->n] = c->id;
	strlcpy_ok(cn->paths[cn->n], c->path, sizeof(cn->paths[0]));
	cn->n++;
	return 0;
}

static const char *category_path(const struct category_names *cn, int64_t id)
{
	for (int i = 0; id && i < cn->n; i++)
		if (cn->ids[i] == id)
			return cn->paths[i];
	return "";
}

struct export_ctx {
	struct sheet *sh;
	struct name_cache *names;
	struct category_names cats;
	int64_t now;
	int rows;
	struct err *e;
};

static int count_case(void *ctx, const struct case_rec *c)
{
	return 0;
}

/* One case as a row: every stage's time, no requester name or phone. */
static int export_case(void *vctx, const struct case_rec *c)
{
	struct export_ctx *x = vctx;
	struct sheet *sh = x->sh;
	if (++x->rows > REPORT_MAX_ROWS) /* cases created meanwhile pushed the count over */
		return err_set(x->e, E_INVALID, "unit", "导出超过 %d 行上限，请用 unit 参数按单位分批导出",
			       REPORT_MAX_ROWS);
	bool overdue = false;
	for (int k = 0; k < CLOCK_COUNT; k++)
		overdue |= c->clocks[k].overdue || clock_state_at(&c->clocks[k], x->now) == CLOCK_OVERDUE;
	const struct case_clock *sign = &c->clocks[CLK_SIGN], *contact = &c->clocks[CLK_CONTACT],
				*fb = &c->clocks[CLK_FEEDBACK];
	sheet_int(sh, c->id);
	sheet_time(sh, c->created_at);
	sheet_text(sh, type_label(c->type));
	sheet_text(sh, c->channel);
	sheet_text(sh, c->title);
	sheet_text(sh, category_path(&x->cats, c->category_id));
	sheet_text(sh, tier_label(c->tier));
	sheet_text(sh, case_status_label(c->status));
	sheet_text(sh, unit_name(x->names, c->district));
	sheet_text(sh, unit_name(x->names, c->street));
	sheet_text(sh, unit_name(x->names, c->community));
	sheet_text(sh, c->lead_unit);
	sheet_text(sh, unit_name(x->names, c->lead_unit));
	sheet_time(sh, sign->start);
	sheet_time(sh, sign->due);
	sheet_time(sh, sign->done_at);
	sheet_time(sh, contact->due);
	sheet_time(sh, contact->done_at);
	sheet_time(sh, fb->due);
	sheet_time(sh, fb->done_at);
	sheet_text(sh, fb->done_at ? yes_no(c->solved) : "");
	sheet_time(sh, c->callback_at);
	sheet_text(sh, c->callback_at ? yes_no(c->callback_valid) : "");
	sheet_text(sh, yes_no(c->callback_contacted));
	sheet_text(sh, yes_no(c->callback_solved));
	sheet_text(sh, satisfaction_label(c->callback_satisfaction));
	sheet_time(sh, c->closed_at);
	sheet_text(sh, overdue ? "是" : "否");
	sheet_int(sh, c->returns);
	sheet_int(sh, c->extensions);
	sheet_int(sh, c->reopens);
	sheet_int(sh, c->nwhistles);
	sheet_text(sh, scope_label(c->scope));
	sheet_end_row(sh);
	return 0;
}

/*
 * The cases created in the period within the viewer's remit (and the lead
 * unit's subtree with unit=), one row each, at most REPORT_MAX_ROWS.
 */
HANDLER(api_report_cases)
{
	const char *period;
	enum format fmt;
	struct unit u;
	bool has_unit;
	struct case_query q = {0};
	int64_t total = 0;
	enum err_code rc;
	if ((rc = may_see_reports(who, e)) || (rc = need_period(req, &period, e)) ||
	    (rc = parse_format(req, FMT_CSV, false, &fmt, e)))
		return rc;
	const char *code = api_query(req, "unit");
	if ((rc = report_unit(ctx, who, code, "unit", &u, &has_unit, e)) ||
	    (rc = report_period(ctx, req, &u, has_unit, period, &q.from, &q.to, e)))
		return rc;
	q.overdue = -1;
	if (code)
		q.unit_path = u.path;
	if (who->unit.kind != UNIT_CENTRE)
		q.viewer_path = who->unit.path;
	q.page = 1;
	q.per_page = 1;
	if ((rc = store_cases_list(ctx->cx.st, &q, count_case, NULL, &total, e)))
		return rc;
	if (total > REPORT_MAX_ROWS)
		return err_set(e, E_INVALID, "unit",
			       "本期工单 %lld 件，超过单次导出上限 %d 件，请用 unit 参数按单位分批导出",
			       (long long)total, REPORT_MAX_ROWS);
	struct sheet sh;
	struct export_ctx x = {&sh, xcalloc(1, sizeof(struct name_cache)), {0}, clock_now(), 0, e};
	x.names->st = ctx->cx.st;
	q.per_page = 0;
	char name[64];
	snprintf(name, sizeof(name), "jiesu-cases-%s-%s", has_unit ? u.code : "all", period);
	if ((rc = store_categories_list(ctx->cx.st, keep_category, &x.cats, e)) == OK &&
	    (rc = sheet_begin(&sh, fmt, "工单明细", case_cols, (int)ARRAY_SIZE(case_cols), e)) == OK) {
		if ((rc = store_cases_list(ctx->cx.st, &q, export_case, &x, NULL, e)) ||
		    (rc = sheet_finish(&sh, res, name, e)))
			sheet_abort(&sh);
	}
	free(x.names);
	free(x.cats.ids);
	free(x.cats.paths);
	return rc;
}
