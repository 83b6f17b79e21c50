/*
 * api_auth.c — health, login, logout, and who am I.
 */
#include "api_int.h"

#include <sodium.h>
#include <stdio.h>
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

/* Check the login body and log in: the new token and its expiry. */
static enum err_code login_body(struct api_ctx *ctx, const struct api_request *req, char token[TOKEN_CHARS + 1],
				int64_t *expires, int *retry_after, struct err *e)
{
	static const char *const keys[] = {"login", "password", NULL};
	char login[LIMIT_LOGIN + 1], password[PASSWORD_MAX * 4 + 1];
	json_t *body = NULL;
	enum err_code rc;
	if (!(rc = api_parse_body(req, &body, e)) && !(rc = api_check_keys(body, keys, NULL, e)) &&
	    !(rc = api_get_string(body, "login", NULL, login, sizeof(login), LIMIT_LOGIN, true, e)) &&
	    !(rc = api_get_string(body, "password", NULL, password, sizeof(password), PASSWORD_MAX, true, e)) &&
	    !(rc = auth_throttle_check(login, req->client, clock_mono_ms(), retry_after, e))) {
		rc = auth_login(ctx->cx.st, login, password, clock_now(), token, expires, e);
		if (rc == OK || rc == E_BAD_CREDENTIALS)
			auth_throttle_record(login, req->client, rc == OK, clock_mono_ms());
	}
	sodium_memzero(password, sizeof(password));
	json_decref(body);
	return rc;
}

HANDLER(api_login)
{
	char token[TOKEN_CHARS + 1];
	int64_t expires;
	enum err_code rc = login_body(ctx, req, token, &expires, &res->retry_after, e);
	if (rc == OK)
		res->body = json_pack("{s:s, s:o}", "token", token, "expires_at", api_time(expires));
	return rc;
}

/* The session cookie for token, valid until expires (Secure over HTTPS). */
static void session_cookie(struct api_response *res, const char *token, int64_t expires)
{
	snprintf(res->set_cookie, sizeof(res->set_cookie), "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld%s",
		 API_SESSION_COOKIE, token, (long long)(expires - clock_now()), res->tls ? "; Secure" : "");
}

static json_t *me_json(struct api_ctx *ctx, const struct actor *who)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:o}", "id", (json_int_t)who->user.id, "login", who->user.login, "name",
			 who->user.name, "role", role_name(who->user.role), "unit",
			 api_unit_ref(ctx->cx.st, who->unit.code));
}

/*
 * A browser session: the token goes into an HttpOnly, SameSite=Strict
 * cookie the page's scripts cannot read; the reply carries the user and
 * the CSRF token the page must send with every change.
 */
HANDLER(api_session)
{
	char token[TOKEN_CHARS + 1];
	int64_t expires;
	struct actor me;
	enum err_code rc;
	if ((rc = login_body(ctx, req, token, &expires, &res->retry_after, e)) ||
	    (rc = auth_token_actor(ctx->cx.st, token, clock_now(), &me, e)))
		return rc;
	auth_csrf(token, res->csrf);
	session_cookie(res, token, expires);
	res->body = json_pack("{s:o, s:s, s:o}", "user", me_json(ctx, &me), "csrf", res->csrf, "expires_at",
			      api_time(expires));
	return OK;
}

/*
 * POST /api/v1/me/password {"current_password", "new_password"}: every
 * session of the account ends; the caller's goes on under a new token (a
 * new cookie and CSRF token for a browser).
 */
HANDLER(api_password)
{
	static const char *const keys[] = {"current_password", "new_password", NULL};
	char current[PASSWORD_MAX * 4 + 1], next[PASSWORD_MAX * 4 + 1], token[TOKEN_CHARS + 1], cookie_tok[TOKEN_CHARS + 1];
	int64_t expires;
	json_t *body = NULL;
	enum err_code rc;
	if (!who->user.id || !api_session_token(req, cookie_tok))
		return err_set(e, E_INVALID, NULL, "命令行用户请用 jiesu user 修改密码");
	if (!(rc = api_parse_body(req, &body, e)) && !(rc = api_check_keys(body, keys, NULL, e)) &&
	    !(rc = api_get_string(body, "current_password", NULL, current, sizeof(current), PASSWORD_MAX, true, e)) &&
	    !(rc = api_get_string(body, "new_password", NULL, next, sizeof(next), PASSWORD_MAX, true, e)) &&
	    !(rc = auth_throttle_check(who->user.login, req->client, clock_mono_ms(), &res->retry_after, e))) {
		rc = auth_password_change(ctx->cx.st, who->user.id, current, next, clock_now(), token, &expires, e);
		if (rc == E_INVALID && !strcmp(e->field, "current_password")) /* a guess counts as a failed login */
			auth_throttle_record(who->user.login, req->client, false, clock_mono_ms());
	}
	sodium_memzero(current, sizeof(current));
	sodium_memzero(next, sizeof(next));
	json_decref(body);
	if (rc != OK)
		return rc;
	const char *tok = api_session_token(req, cookie_tok);
	if (tok == cookie_tok) {
		session_cookie(res, token, expires);
		auth_csrf(token, res->csrf);
	}
	res->body = json_pack("{s:s, s:o, s:o}", "token", token, "expires_at", api_time(expires), "csrf",
			      tok == cookie_tok ? json_string(res->csrf) : json_null());
	sodium_memzero(token, sizeof(token));
	return OK;
}

HANDLER(api_logout)
{
	char cookie_tok[TOKEN_CHARS + 1];
	const char *tok = api_session_token(req, cookie_tok);
	if (!tok)
		return err_set(e, E_INVALID, NULL, "命令行用户无需退出登录");
	enum err_code rc = auth_logout(ctx->cx.st, tok, e);
	if (rc != OK)
		return rc;
	if (tok == cookie_tok)
		snprintf(res->set_cookie, sizeof(res->set_cookie), "%s=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s",
			 API_SESSION_COOKIE, res->tls ? "; Secure" : "");
	res->body = json_pack("{s:b}", "ok", 1);
	return OK;
}

HANDLER(api_me)
{
	res->body = me_json(ctx, who);
	json_object_set_new(res->body, "csrf", res->csrf[0] ? json_string(res->csrf) : json_null());
	/* the server's clock, so a page can count deadlines down from it (JIESU_NOW in tests) */
	json_object_set_new(res->body, "server_time", api_time(clock_now()));
	return OK;
}
