/*
 * api_admin.c — administration: accounts (users), the unit tree, the
 * category tree and the holiday calendar.
 *
 * Every change, and the list of accounts, is for admins of the centre
 * only (403 otherwise); anyone logged in may read the calendar. The checks
 * themselves live in the domain (auth_user_add / auth_user_update,
 * catalog_unit_add, ...), which run each change in one transaction, so a
 * refused request changes nothing. Here: the JSON shapes, strict keys
 * (a field that never changes is refused by name), and statuses.
 *
 * Units and categories are read from the database on every request, so a
 * change to them holds at once (address lookup learns a new unit's name at
 * the next start, like the gazetteer: see api_geo.c). The holiday calendar
 * is loaded once per process into the shared case context and read by
 * every worker thread without a lock; a change is stored at once and used
 * for new deadlines from the next start of the server. The reply says so
 * ("effective": "restart").
 */
#include "api_int.h"
#include "../domain/catalog.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CALENDAR_NOTE "已写入数据库；服务重启后，新计算的期限按新的节假日安排"

/* Only an admin of the centre manages accounts and reference data. */
static enum err_code require_admin(const struct actor *who, const char *what, struct err *e)
{
	if (who->user.role != ROLE_ADMIN || who->unit.kind != UNIT_CENTRE)
		return err_set(e, E_FORBIDDEN, NULL, "只有热线中心的管理员可以%s", what);
	return OK;
}

/*
 * The body of a change (PATCH): fields that never change are refused by
 * name with why, a null is refused (leave a field out to keep it), an
 * empty object is refused, and so is any other unknown field.
 */
static enum err_code check_change(json_t *body, const char *const *allowed, const char *const *fixed,
				  const char *why, struct err *e)
{
	const char *key;
	json_t *v;
	json_object_foreach(body, key, v)
	{
		if (name_in(fixed, key))
			return err_set(e, E_INVALID, key, "字段 %s 不能修改：%s", key, why);
		if (name_in(allowed, key) && json_is_null(v))
			return err_set(e, E_INVALID, key, "字段 %s 不能为 null：不修改就不要传这个字段", key);
	}
	if (json_object_size(body) == 0)
		return err_set(e, E_INVALID, NULL, "请求体中没有要修改的字段");
	return api_check_keys(body, allowed, NULL, e);
}

/* A positive integer path segment (an id), or E_INVALID on field "id". */
static enum err_code path_id(const char *s, const char *what, int64_t *out, struct err *e)
{
	char *end;
	long long n = strtoll(s, &end, 10);
	if (*end || end == s || n <= 0 || s[0] == '+' || s[0] == ' ')
		return err_set(e, E_INVALID, "id", "%s编号须为正整数", what);
	*out = n;
	return OK;
}

/* ------------------------------------------------------------ users */

/* An account as the API shows it: never the password hash. */
static json_t *user_json(struct store *st, const struct user *u)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:o, s:b, s:o}", "id", (json_int_t)u->id, "login", u->login, "name",
			 u->name, "role", role_name(u->role), "unit", api_unit_ref(st, u->unit), "active", u->active,
			 "created_at", api_time(u->created_at));
}

struct user_page {
	struct store *st;
	json_t *arr;
};

static int add_user(void *ctx, const struct user *u)
{
	struct user_page *p = ctx;
	json_array_append_new(p->arr, user_json(p->st, u));
	return 0;
}

/* GET /api/v1/users?unit=&page=&per_page= — accounts of that unit or below it, by id. */
HANDLER(api_users_list)
{
	const char *unit = api_query(req, "unit");
	struct user_page p = {ctx->cx.st, NULL};
	struct unit u;
	struct err ignore;
	long page, per_page;
	int64_t total = 0;
	enum err_code rc;

	if ((rc = require_admin(who, "查看账号", e)) ||
	    (rc = api_query_int(req, "page", 1, 1000000, 1, &page, e)) ||
	    (rc = api_query_int(req, "per_page", 1, API_MAX_PER_PAGE, API_DEFAULT_PER_PAGE, &per_page, e)))
		return rc;
	err_init(&ignore);
	if (unit && store_unit_get(ctx->cx.st, unit, &u, &ignore) != OK)
		return err_set(e, E_INVALID, "unit", "单位 %.*s 不存在", LIMIT_CODE, unit);
	p.arr = json_array();
	rc = store_users_list(ctx->cx.st, unit ? u.path : NULL, (int)page, (int)per_page, add_user, &p, &total, e);
	if (rc != OK) {
		json_decref(p.arr);
		return rc;
	}
	res->body = json_pack("{s:o, s:I, s:i, s:i}", "users", p.arr, "total", (json_int_t)total, "page", (int)page,
			      "per_page", (int)per_page);
	return OK;
}

/* POST /api/v1/users {"login","name","role","unit","password"} → 201 with the account. */
HANDLER(api_user_create)
{
	static const char *const keys[] = {"login", "name", "role", "unit", "password", NULL};
	char login[TEXT_BYTES(LIMIT_LOGIN)], name[TEXT_BYTES(LIMIT_NAME)], role[TEXT_BYTES(16)];
	char unit[TEXT_BYTES(LIMIT_CODE)], password[PASSWORD_MAX * 4 + 1];
	struct user u;
	json_t *body = NULL;
	enum err_code rc;

	if ((rc = require_admin(who, "新建账号", e)) || (rc = api_parse_body(req, &body, e)))
		return rc;
	if (!(rc = api_check_keys(body, keys, NULL, e)) &&
	    !(rc = api_get_string(body, "login", NULL, login, sizeof(login), LIMIT_LOGIN, true, e)) &&
	    !(rc = api_get_string(body, "name", NULL, name, sizeof(name), LIMIT_NAME, true, e)) &&
	    !(rc = api_get_string(body, "role", NULL, role, sizeof(role), 16, true, e)) &&
	    !(rc = api_get_string(body, "unit", NULL, unit, sizeof(unit), LIMIT_CODE, true, e)) &&
	    !(rc = api_get_string(body, "password", NULL, password, sizeof(password), PASSWORD_MAX, true, e)))
		rc = auth_user_add(ctx->cx.st, login, password, name, unit, role, clock_now(), &u, e);
	sodium_memzero(password, sizeof(password));
	json_decref(body);
	if (rc != OK)
		return rc;
	res->status = 201;
	res->body = user_json(ctx->cx.st, &u);
	return OK;
}

/*
 * PATCH /api/v1/users/{id} {"name"?, "role"?, "unit"?, "password"?, "active"?}
 * → 200 with the account. Deactivation and a new password, role or unit
 * end the user's sessions at once (auth_user_update).
 */
HANDLER(api_user_update)
{
	static const char *const keys[] = {"name", "role", "unit", "password", "active", NULL};
	static const char *const fixed[] = {"login", "id", "created_at", NULL};
	char name[TEXT_BYTES(LIMIT_NAME)], role[TEXT_BYTES(16)], unit[TEXT_BYTES(LIMIT_CODE)];
	char password[PASSWORD_MAX * 4 + 1] = "";
	struct user_change ch = {.active = -1};
	struct user u;
	json_t *body = NULL;
	int64_t id;
	enum err_code rc;

	if ((rc = require_admin(who, "修改账号", e)) || (rc = path_id(params[0], "用户", &id, e)) ||
	    (rc = api_parse_body(req, &body, e)))
		return rc;
	if (!(rc = check_change(body, keys, fixed, "登录名和编号建立后不变；需要新登录名请新建账号并停用旧账号", e)) &&
	    !(rc = api_get_string(body, "name", NULL, name, sizeof(name), LIMIT_NAME, false, e)) &&
	    !(rc = api_get_string(body, "role", NULL, role, sizeof(role), 16, false, e)) &&
	    !(rc = api_get_string(body, "unit", NULL, unit, sizeof(unit), LIMIT_CODE, false, e)) &&
	    !(rc = api_get_string(body, "password", NULL, password, sizeof(password), PASSWORD_MAX, false, e)) &&
	    !(rc = api_get_bool(body, "active", NULL, &ch.active, e))) {
		ch.name = json_object_get(body, "name") ? name : NULL;
		ch.role = json_object_get(body, "role") ? role : NULL;
		ch.unit = json_object_get(body, "unit") ? unit : NULL;
		ch.password = json_object_get(body, "password") ? password : NULL;
		rc = auth_user_update(ctx->cx.st, who->user.id, id, &ch, &u, e);
	}
	sodium_memzero(password, sizeof(password));
	json_decref(body);
	if (rc != OK)
		return rc;
	res->body = user_json(ctx->cx.st, &u);
	return OK;
}

/* ------------------------------------------------------------ units */

/* A unit as GET /api/v1/units/{code} shows it. */
/* POST /api/v1/units {"code","name","kind","parent","sector"?} → 201 with the unit. */
HANDLER(api_unit_create)
{
	static const char *const keys[] = {"code", "name", "kind", "parent", "sector", NULL};
	char code[TEXT_BYTES(LIMIT_CODE)], name[TEXT_BYTES(LIMIT_UNIT_NAME)], kind[TEXT_BYTES(16)];
	char parent[TEXT_BYTES(LIMIT_CODE)], sector[TEXT_BYTES(31)];
	struct unit u;
	json_t *body = NULL;
	enum err_code rc;

	if ((rc = require_admin(who, "新建单位", e)) || (rc = api_parse_body(req, &body, e)))
		return rc;
	if (!(rc = api_check_keys(body, keys, NULL, e)) &&
	    !(rc = api_get_string(body, "code", NULL, code, sizeof(code), LIMIT_CODE, true, e)) &&
	    !(rc = api_get_string(body, "name", NULL, name, sizeof(name), LIMIT_UNIT_NAME, true, e)) &&
	    !(rc = api_get_string(body, "kind", NULL, kind, sizeof(kind), 16, true, e)) &&
	    !(rc = api_get_string(body, "parent", NULL, parent, sizeof(parent), LIMIT_CODE, true, e)) &&
	    !(rc = api_get_string(body, "sector", NULL, sector, sizeof(sector), 31, false, e)))
		rc = catalog_unit_add(ctx->cx.st, code, name, kind, parent, sector, &u, e);
	json_decref(body);
	if (rc != OK)
		return rc;
	res->status = 201;
	res->body = api_unit_json(&u);
	return OK;
}

/* PATCH /api/v1/units/{code} {"name"?, "sector"?} → 200 with the unit. */
HANDLER(api_unit_update)
{
	static const char *const keys[] = {"name", "sector", NULL};
	static const char *const fixed[] = {"code", "kind", "parent", "path", NULL};
	char name[TEXT_BYTES(LIMIT_UNIT_NAME)], sector[TEXT_BYTES(31)];
	struct unit u;
	json_t *body = NULL;
	enum err_code rc;

	if ((rc = require_admin(who, "修改单位", e)) || (rc = api_parse_body(req, &body, e)))
		return rc;
	if (!(rc = check_change(body, keys, fixed,
				"单位的编码、类型和上级建立后不变；调整隶属关系请新建单位", e)) &&
	    !(rc = api_get_string(body, "name", NULL, name, sizeof(name), LIMIT_UNIT_NAME, false, e)) &&
	    !(rc = api_get_string(body, "sector", NULL, sector, sizeof(sector), 31, false, e)))
		rc = catalog_unit_update(ctx->cx.st, params[0], json_object_get(body, "name") ? name : NULL,
					 json_object_get(body, "sector") ? sector : NULL, &u, e);
	json_decref(body);
	if (rc != OK)
		return rc;
	res->body = api_unit_json(&u);
	return OK;
}

/* ------------------------------------------------------------ categories */

static json_t *category_json(const struct category *c)
{
	return json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)c->id, "path", c->path, "tier", tier_name(c->tier),
			 "handling", c->handling);
}

/* POST /api/v1/categories {"path","tier","handling"} → 201 with the category. */
HANDLER(api_category_create)
{
	static const char *const keys[] = {"path", "tier", "handling", NULL};
	char path[TEXT_BYTES(LIMIT_PATH)], tier[TEXT_BYTES(16)], handling[TEXT_BYTES(40)];
	struct category c;
	json_t *body = NULL;
	enum err_code rc;

	if ((rc = require_admin(who, "新建分类", e)) || (rc = api_parse_body(req, &body, e)))
		return rc;
	if (!(rc = api_check_keys(body, keys, NULL, e)) &&
	    !(rc = api_get_string(body, "path", NULL, path, sizeof(path), LIMIT_PATH, true, e)) &&
	    !(rc = api_get_string(body, "tier", NULL, tier, sizeof(tier), 16, true, e)) &&
	    !(rc = api_get_string(body, "handling", NULL, handling, sizeof(handling), 40, true, e)))
		rc = catalog_category_add(ctx->cx.st, path, tier, handling, &c, e);
	json_decref(body);
	if (rc != OK)
		return rc;
	res->status = 201;
	res->body = category_json(&c);
	return OK;
}

/* PATCH /api/v1/categories/{id} {"tier"?, "handling"?} → 200 with the category. */
HANDLER(api_category_update)
{
	static const char *const keys[] = {"tier", "handling", NULL};
	static const char *const fixed[] = {"path", "id", NULL};
	char tier[TEXT_BYTES(16)], handling[TEXT_BYTES(40)];
	struct category c;
	json_t *body = NULL;
	int64_t id;
	enum err_code rc;

	if ((rc = require_admin(who, "修改分类", e)) || (rc = path_id(params[0], "分类", &id, e)) ||
	    (rc = api_parse_body(req, &body, e)))
		return rc;
	if (!(rc = check_change(body, keys, fixed, "分类路径建立后不变；需要新路径请新建分类", e)) &&
	    !(rc = api_get_string(body, "tier", NULL, tier, sizeof(tier), 16, false, e)) &&
	    !(rc = api_get_string(body, "handling", NULL, handling, sizeof(handling), 40, false, e)))
		rc = catalog_category_update(ctx->cx.st, id, json_object_get(body, "tier") ? tier : NULL,
					     json_object_get(body, "handling") ? handling : NULL, &c, e);
	json_decref(body);
	if (rc != OK)
		return rc;
	res->body = category_json(&c);
	return OK;
}

/* ------------------------------------------------------------ holidays */

static void day_format(int64_t day, char out[16])
{
	int y, m, d;
	civil_from_days(day, &y, &m, &d);
	snprintf(out, 16, "%04d-%02d-%02d", y, m, d);
}

static json_t *holiday_json(const struct holiday *h)
{
	char date[16];
	day_format(h->day, date);
	return json_pack("{s:s, s:s, s:s}", "date", date, "kind", h->work ? "work" : "off", "name", h->name);
}

struct year_days {
	int year;
	json_t *arr;
};

static int add_day(void *ctx, const struct holiday *h)
{
	struct year_days *y = ctx;
	int yy, m, d;
	civil_from_days(h->day, &yy, &m, &d);
	if (yy == y->year)
		json_array_append_new(y->arr, holiday_json(h));
	return 0;
}

/* GET /api/v1/holidays?year=2026 (default: this year) — the year's entries by date. Anyone logged in. */
HANDLER(api_holidays_list)
{
	int y0, m0, d0;
	long year;
	enum err_code rc;

	civil_from_days(time_local_day(clock_now()), &y0, &m0, &d0);
	if ((rc = api_query_int(req, "year", 1970, 9999, y0, &year, e)))
		return rc;
	struct year_days y = {(int)year, json_array()};
	if ((rc = store_holidays_list(ctx->cx.st, add_day, &y, e))) {
		json_decref(y.arr);
		return rc;
	}
	res->body = json_pack("{s:i, s:o}", "year", (int)year, "days", y.arr);
	return OK;
}

/* PUT /api/v1/holidays/{date} {"kind","name"} → 200 with the day (used from the next start). */
HANDLER(api_holiday_put)
{
	static const char *const keys[] = {"kind", "name", NULL};
	char kind[TEXT_BYTES(16)], name[TEXT_BYTES(HOLIDAY_NAME_CHARS)];
	struct holiday h;
	json_t *body = NULL;
	enum err_code rc;

	if ((rc = require_admin(who, "修改节假日安排", e)) || (rc = api_parse_body(req, &body, e)))
		return rc;
	if (!(rc = api_check_keys(body, keys, NULL, e)) &&
	    !(rc = api_get_string(body, "kind", NULL, kind, sizeof(kind), 16, true, e)) &&
	    !(rc = api_get_string(body, "name", NULL, name, sizeof(name), HOLIDAY_NAME_CHARS, true, e)))
		rc = catalog_holiday_set(ctx->cx.st, params[0], kind, name, &h, e);
	json_decref(body);
	if (rc != OK)
		return rc;
	res->body = holiday_json(&h);
	json_object_set_new(res->body, "effective", json_string("restart"));
	json_object_set_new(res->body, "note", json_string(CALENDAR_NOTE));
	return OK;
}

/* DELETE /api/v1/holidays/{date} → 200 {"ok":true} (used from the next start); 404 if absent. */
HANDLER(api_holiday_delete)
{
	enum err_code rc;
	if ((rc = require_admin(who, "修改节假日安排", e)) || (rc = catalog_holiday_delete(ctx->cx.st, params[0], e)))
		return rc;
	res->body = json_pack("{s:b, s:s, s:s}", "ok", 1, "effective", "restart", "note", CALENDAR_NOTE);
	return OK;
}
