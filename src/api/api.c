/*
 * api.c — the route table and the shared pieces of every handler: error
 * bodies, strict JSON field decoding, paging parameters.
 */
#include "api_int.h"

#include <stdlib.h>
#include <string.h>

void api_error(struct api_response *res, const struct err *e)
{
	enum err_code code = e->code == OK ? E_INTERNAL : e->code;
	res->status = err_http_status(code);
	if (!res->raw_static) /* an error is always JSON */
		free(res->raw);
	res->raw = NULL;
	res->raw_len = 0;
	res->raw_static = false;
	res->page = false;
	res->content_encoding = NULL;
	json_decref(res->body);
	res->body = json_pack("{s:{s:s, s:s, s:o}}", "error", "code", err_code_name(code), "message",
			      *e->msg ? e->msg : err_default_message(code), "field",
			      *e->field ? json_string(e->field) : json_null());
}

void api_response_release(struct api_response *res)
{
	json_decref(res->body);
	res->body = NULL;
	if (!res->raw_static)
		free(res->raw);
	res->raw = NULL;
	res->raw_len = 0;
	res->raw_static = false;
}

/* ------------------------------------------------------------ decoding */

enum err_code api_parse_body(const struct api_request *req, json_t **out, struct err *e)
{
	json_error_t jerr;
	if (!req->body || req->body_len == 0)
		return err_set(e, E_MALFORMED, NULL, "请求体为空，应为 JSON 对象");
	if (req->body_len > API_MAX_BODY)
		return err_set(e, E_TOO_LARGE, NULL, "请求体超过 %d 字节上限", API_MAX_BODY);
	if (req->parsed) {
		*out = json_incref(req->parsed);
		return OK;
	}
	json_t *j = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr);
	if (!j)
		return err_set(e, E_MALFORMED, NULL, "请求体不是合法的 JSON（第 %d 行第 %d 列：%s）", jerr.line,
			       jerr.column, jerr.text);
	if (!json_is_object(j)) {
		json_decref(j);
		return err_set(e, E_MALFORMED, NULL, "请求体应为 JSON 对象");
	}
	*out = j;
	return OK;
}

/* The full field name for messages: "requester.phone". */
static void field_name(char *dst, size_t n, const char *prefix, const char *key)
{
	if (prefix && *prefix)
		snprintf(dst, n, "%s.%s", prefix, key);
	else
		snprintf(dst, n, "%s", key);
}

enum err_code api_check_keys(json_t *obj, const char *const *allowed, const char *prefix, struct err *e)
{
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v)
	{
		if (!name_in(allowed, key)) {
			char f[64];
			field_name(f, sizeof(f), prefix, key);
			return err_set(e, E_INVALID, f, "未知字段 %s", f);
		}
	}
	return OK;
}

enum err_code api_get_string(json_t *obj, const char *key, const char *prefix, char *dst, size_t size,
			     size_t max_chars, bool required, struct err *e)
{
	char f[64];
	field_name(f, sizeof(f), prefix, key);
	json_t *v = json_object_get(obj, key);
	dst[0] = '\0';
	if (!v || json_is_null(v)) {
		if (required)
			return err_set(e, E_INVALID, f, "缺少必填字段 %s", f);
		return OK;
	}
	if (!json_is_string(v))
		return err_set(e, E_INVALID, f, "字段 %s 应为字符串", f);
	const char *s = json_string_value(v);
	size_t chars = utf8_len(s);
	if (chars > max_chars || strlen(s) >= size)
		return err_set(e, E_INVALID, f, "字段 %s 不能超过 %zu 个字符（现为 %zu 个）", f, max_chars, chars);
	if (strlen(s) != json_string_length(v))
		return err_set(e, E_INVALID, f, "字段 %s 含有空字符", f);
	if (required && chars == 0)
		return err_set(e, E_INVALID, f, "字段 %s 不能为空", f);
	memcpy(dst, s, strlen(s) + 1);
	return OK;
}

enum err_code api_get_bool(json_t *obj, const char *key, const char *prefix, int *dst, struct err *e)
{
	json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v))
		return OK;
	if (!json_is_boolean(v)) {
		char f[64];
		field_name(f, sizeof(f), prefix, key);
		return err_set(e, E_INVALID, f, "字段 %s 应为 true 或 false", f);
	}
	*dst = json_is_true(v);
	return OK;
}

enum err_code api_get_number(json_t *obj, const char *key, const char *prefix, double *dst, bool required,
			     struct err *e)
{
	char f[64];
	field_name(f, sizeof(f), prefix, key);
	json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v))
		return required ? err_set(e, E_INVALID, f, "缺少必填字段 %s", f) : OK;
	if (!json_is_number(v))
		return err_set(e, E_INVALID, f, "字段 %s 应为数字", f);
	*dst = json_number_value(v);
	return OK;
}

enum err_code api_get_object(json_t *obj, const char *key, json_t **dst, struct err *e)
{
	json_t *v = json_object_get(obj, key);
	*dst = NULL;
	if (!v || json_is_null(v))
		return OK;
	if (!json_is_object(v))
		return err_set(e, E_INVALID, key, "字段 %s 应为对象", key);
	*dst = v;
	return OK;
}

/* ------------------------------------------------------------ query */

const char *api_query(const struct api_request *req, const char *key)
{
	const char *v = req->query ? req->query(req->query_ctx, key) : NULL;
	return v && *v ? v : NULL;
}

enum err_code api_query_int(const struct api_request *req, const char *key, long min, long max, long dflt,
			    long *out, struct err *e)
{
	const char *v = api_query(req, key);
	*out = dflt;
	if (!v)
		return OK;
	char *end;
	long n = strtol(v, &end, 10);
	if (*end || end == v || n < min || n > max)
		return err_set(e, E_INVALID, key, "参数 %s 须为 %ld–%ld 之间的整数", key, min, max);
	*out = n;
	return OK;
}

/* ------------------------------------------------------------ routes */

/*
 * The route table. A pattern segment "{x}" matches one path segment, which
 * is handed to the handler in params[] in order. auth: whether a logged-in
 * user is required.
 */
static const struct route {
	const char *method;
	const char *pattern;
	bool auth;
	api_handler_fn fn;
} routes[] = {
	{"GET", "/healthz", false, api_healthz},
	{"POST", "/api/v1/auth/login", false, api_login},
	{"POST", "/api/v1/auth/session", false, api_session},
	{"POST", "/api/v1/auth/logout", true, api_logout},
	{"GET", "/api/v1/me", true, api_me},
	{"POST", "/api/v1/me/password", true, api_password},
	{"GET", "/api/v1/units", true, api_units_list},
	{"GET", "/api/v1/units/{code}", true, api_unit_get},
	{"GET", "/api/v1/categories", true, api_categories_list},
	{"POST", "/api/v1/cases", true, api_case_create},
	{"GET", "/api/v1/cases", true, api_cases_list},
	{"GET", "/api/v1/cases/{id}", true, api_case_get},
	{"POST", "/api/v1/cases/{id}/actions/{action}", true, api_case_action},
	{"POST", "/api/v1/cases/{id}/reveal", true, api_case_reveal},
	{"GET", "/api/v1/reports/rates", true, api_report_rates},
	{"GET", "/api/v1/reports/people", true, api_report_people},
	{"GET", "/api/v1/reports/cases", true, api_report_cases},
	{"GET", "/api/v1/config/assessment/{pool}", true, api_assess_config_get},
	{"PUT", "/api/v1/config/assessment/{pool}", true, api_assess_config_put},
	{"GET", "/api/v1/geo/resolve", true, api_geo_resolve},
	{"GET", "/api/v1/geo/boundaries", true, api_geo_boundaries},
	{"GET", "/api/v1/geo/gazetteer", true, api_gazetteer_list},
	{"POST", "/api/v1/geo/gazetteer", true, api_gazetteer_add},
	{"DELETE", "/api/v1/geo/gazetteer/{id}", true, api_gazetteer_delete},
	{"GET", "/api/v1/users", true, api_users_list},
	{"POST", "/api/v1/users", true, api_user_create},
	{"PATCH", "/api/v1/users/{id}", true, api_user_update},
	{"POST", "/api/v1/units", true, api_unit_create},
	{"PATCH", "/api/v1/units/{code}", true, api_unit_update},
	{"POST", "/api/v1/categories", true, api_category_create},
	{"PATCH", "/api/v1/categories/{id}", true, api_category_update},
	{"GET", "/api/v1/holidays", true, api_holidays_list},
	{"PUT", "/api/v1/holidays/{date}", true, api_holiday_put},
	{"DELETE", "/api/v1/holidays/{date}", true, api_holiday_delete},
};

#define MAX_PARAMS 4
#define MAX_PARAM_LEN 64

/* Match path against pattern; fill params. */
static bool route_match(const char *pattern, const char *path, char params[MAX_PARAMS][MAX_PARAM_LEN], int *np)
{
	*np = 0;
	while (*pattern && *path) {
		if (*pattern == '{') {
			const char *pe = strchr(pattern, '}');
			const char *se = strchr(path, '/');
			size_t len = se ? (size_t)(se - path) : strlen(path);
			if (!pe || len == 0 || len >= MAX_PARAM_LEN || *np == MAX_PARAMS)
				return false;
			memcpy(params[*np], path, len);
			params[(*np)++][len] = '\0';
			pattern = pe + 1;
			path += len;
			continue;
		}
		if (*pattern != *path)
			return false;
		pattern++;
		path++;
	}
	return *pattern == '\0' && *path == '\0';
}

/*
 * The caller's token: the Authorization bearer token, else the session
 * cookie (copied into cookie_tok, which the result then points at), else NULL.
 */
const char *api_session_token(const struct api_request *req, char cookie_tok[TOKEN_CHARS + 1])
{
	const char *h = req->authorization;
	if (h)
		return str_has_prefix(h, "Bearer ") ? h + 7 : NULL;
	for (const char *c = req->cookie; c && *c;) {
		while (*c == ' ' || *c == ';')
			c++;
		size_t n = strcspn(c, ";");
		static const char name[] = API_SESSION_COOKIE "=";
		if (n == sizeof(name) - 1 + TOKEN_CHARS && !strncmp(c, name, sizeof(name) - 1)) {
			memcpy(cookie_tok, c + sizeof(name) - 1, TOKEN_CHARS);
			cookie_tok[TOKEN_CHARS] = '\0';
			return cookie_tok;
		}
		c += n;
	}
	return NULL;
}

/*
 * Who calls (their token, else their session cookie); a browser session's
 * change must also prove it comes from our page (X-CSRF-Token), and its
 * CSRF token goes into csrf (API_CSRF_CHARS + 1; "" for a bearer token).
 */
static enum err_code authenticate(struct api_ctx *ctx, const struct api_request *req, struct actor *who, char *csrf,
				  struct err *e)
{
	char cookie_tok[TOKEN_CHARS + 1];
	const char *tok = api_session_token(req, cookie_tok);
	enum err_code rc = auth_token_actor(ctx->cx.st, tok, clock_now(), who, e);
	if (rc != OK || tok != cookie_tok)
		return rc;
	if (strcmp(req->method, "GET") && strcmp(req->method, "HEAD") && !auth_csrf_ok(tok, req->csrf))
		return err_set(e, E_CSRF, "X-CSRF-Token", "%s", err_default_message(E_CSRF));
	auth_csrf(tok, csrf);
	return OK;
}

static void dispatch(struct api_ctx *ctx, const struct api_request *req, struct api_response *res)
{
	struct err e;
	char params[MAX_PARAMS][MAX_PARAM_LEN];
	int np;
	bool path_known = false;
	err_init(&e);
	res->status = 200;
	res->body = NULL;
	res->route = "-";
	res->raw = NULL;
	res->raw_len = 0;
	res->content_type = NULL;
	res->filename[0] = '\0';
	res->raw_static = false;
	res->page = false;
	res->content_encoding = NULL;
	res->set_cookie[0] = '\0';
	res->retry_after = 0;
	res->tls = req->tls;
	res->csrf[0] = '\0';
	res->reply_case = 0;
	if (api_web_page(ctx, req, res, &e))
		return;
	for (size_t i = 0; i < ARRAY_SIZE(routes); i++) {
		if (!route_match(routes[i].pattern, req->path, params, &np))
			continue;
		path_known = true;
		if (strcmp(routes[i].method, req->method) != 0)
			continue;
		res->route = routes[i].pattern;
		struct actor actor;
		const struct actor *who = NULL;
		if (routes[i].auth) {
			if (req->as) {
				who = req->as;
			} else if (req->authed) {
				who = req->authed;
				if (req->session_csrf)
					strlcpy_ok(res->csrf, req->session_csrf, sizeof(res->csrf));
			} else if (authenticate(ctx, req, &actor, res->csrf, &e) != OK) {
				api_error(res, &e);
				return;
			} else {
				who = &actor;
			}
		}
		const char *pv[MAX_PARAMS];
		for (int k = 0; k < np; k++)
			pv[k] = params[k];
		if (routes[i].fn(ctx, who, req, pv, res, &e) != OK)
			api_error(res, &e);
		else if (!req->defer_reply)
			api_reply_case(ctx, res);
		return;
	}
	if (path_known)
		err_set(&e, E_METHOD, NULL, "%s 不支持 %s 方法", req->path, req->method);
	else
		err_set(&e, E_NOT_FOUND, NULL, "没有这个接口：%s", req->path);
	api_error(res, &e);
}

bool api_preflight(struct api_ctx *ctx, struct api_request *req, struct actor *who, char *csrf_buf,
		   struct api_response *res)
{
	char params[MAX_PARAMS][MAX_PARAM_LEN];
	int np;
	csrf_buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(routes); i++) {
		if (!route_match(routes[i].pattern, req->path, params, &np) || strcmp(routes[i].method, req->method))
			continue;
		if (routes[i].auth && !req->as) {
			struct err e;
			err_init(&e);
			store_read_begin(ctx->cx.st);
			store_refresh(ctx->cx.st);
			enum err_code rc = authenticate(ctx, req, who, csrf_buf, &e);
			store_read_end(ctx->cx.st);
			if (rc != OK) {
				memset(res, 0, sizeof(*res));
				res->status = 200;
				res->route = routes[i].pattern;
				res->tls = req->tls;
				api_error(res, &e);
				return false;
			}
			req->authed = who;
			req->session_csrf = csrf_buf[0] ? csrf_buf : NULL;
		}
		json_error_t jerr;
		if (req->body && req->body_len > 0 && req->body_len <= API_MAX_BODY) {
			json_t *j = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr);
			if (json_is_object(j))
				req->parsed = j; /* else the writer parses it again, and says what is wrong */
			else
				json_decref(j);
		}
		return true;
	}
	return true; /* no such route: the writer says so */
}

/*
 * A GET or HEAD reads one snapshot of the database under one read lock
 * (store_read_begin); anything that writes takes the write lock as usual.
 */
void api_handle(struct api_ctx *ctx, const struct api_request *req, struct api_response *res)
{
	bool reads = !strcmp(req->method, "GET") || !strcmp(req->method, "HEAD");
	if (reads)
		store_read_begin(ctx->cx.st);
	store_refresh(ctx->cx.st);
	dispatch(ctx, req, res);
	if (reads)
		store_read_end(ctx->cx.st);
}
