/*
 * api_auth.c — health, login, logout, and who am I.
 */
#include "api_int.h"

#include <string.h>

json_t *api_time(int64_t t)
{
	if (!t)
		return json_null();
	char s[26];
	time_format_iso(t, s);
	return json_string(s);
}

json_t *api_unit_ref(struct store *st, const char *code)
{
	struct unit u;
	struct err ignore;
	if (!code || !*code)
		return json_null();
	if (store_unit_get(st, code, &u, &ignore) != OK)
		return json_pack("{s:s, s:n}", "code", code, "name");
	return json_pack("{s:s, s:s, s:s}", "code", u.code, "name", u.name, "kind", unit_kind_name(u.kind));
}

HANDLER(api_healthz)
{
	int64_t n = store_units_count(ctx->cx.st);
	if (n < 0)
		return err_set(e, E_DB, NULL, "数据库不可用");
	res->body = json_pack("{s:s, s:I}", "status", "ok", "units", (json_int_t)n);
	return OK;
}

HANDLER(api_login)
{
	static const char *const keys[] = {"login", "password", NULL};
	char login[LIMIT_LOGIN + 1], password[PASSWORD_MAX * 4 + 1], token[TOKEN_CHARS + 1];
	json_t *body = NULL;
	int64_t expires;
	enum err_code rc;
	if ((rc = api_parse_body(req, &body, e)) || (rc = api_check_keys(body, keys, NULL, e)) ||
	    (rc = api_get_string(body, "login", NULL, login, sizeof(login), LIMIT_LOGIN, true, e)) ||
	    (rc = api_get_string(body, "password", NULL, password, sizeof(password), PASSWORD_MAX, true, e)) ||
	    (rc = auth_login(ctx->cx.st, login, password, clock_now(), token, &expires, e)))
		goto out;
	res->body = json_pack("{s:s, s:o}", "token", token, "expires_at", api_time(expires));
out:
	json_decref(body);
	return rc;
}

HANDLER(api_logout)
{
	const char *h = req->authorization;
	if (!h || !str_has_prefix(h, "Bearer "))
		return err_set(e, E_INVALID, NULL, "命令行用户无需退出登录");
	enum err_code rc = auth_logout(ctx->cx.st, h + 7, e);
	if (rc == OK)
		res->body = json_pack("{s:b}", "ok", 1);
	return rc;
}

HANDLER(api_me)
{
	res->body = json_pack("{s:I, s:s, s:s, s:s, s:o}", "id", (json_int_t)who->user.id, "login", who->user.login,
			      "name", who->user.name, "role", role_name(who->user.role), "unit",
			      api_unit_ref(ctx->cx.st, who->unit.code));
	return OK;
}
