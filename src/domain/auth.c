/*
 * auth.c — argon2id passwords, hashed bearer tokens, and account checks.
 */
#include "auth.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

bool auth_init(void)
{
	return sodium_init() >= 0;
}

int64_t auth_token_ttl(void)
{
	const char *v = getenv("JIESU_TOKEN_TTL");
	if (v && *v) {
		char *end;
		long long n = strtoll(v, &end, 10);
		if (*end == '\0' && n > 0 && n <= 30LL * 86400)
			return n;
	}
	return TOKEN_TTL_DEFAULT;
}

/* Hex BLAKE2b-256 of the token: what the store keeps instead of the token. */
static void token_digest(const char *token, char out[65])
{
	unsigned char h[32];
	crypto_generichash(h, sizeof(h), (const unsigned char *)token, strlen(token), NULL, 0);
	sodium_bin2hex(out, 65, h, sizeof(h));
}

void auth_csrf(const char *token, char out[CSRF_CHARS + 1])
{
	static const char label[] = "jiesu csrf v1";
	unsigned char h[32];
	size_t klen = strlen(token);
	if (klen > crypto_generichash_KEYBYTES_MAX)
		klen = crypto_generichash_KEYBYTES_MAX;
	crypto_generichash(h, sizeof(h), (const unsigned char *)label, sizeof(label) - 1, (const unsigned char *)token,
			   klen);
	sodium_bin2base64(out, CSRF_CHARS + 1, h, sizeof(h), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

bool auth_csrf_ok(const char *token, const char *presented)
{
	char want[CSRF_CHARS + 1];
	if (!token || !presented || strlen(presented) != CSRF_CHARS)
		return false;
	auth_csrf(token, want);
	return sodium_memcmp(want, presented, CSRF_CHARS) == 0;
}

static bool login_valid(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > LIMIT_LOGIN)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' || *s == '-'))
			return false;
	return true;
}

/* Which unit kinds a role may belong to. */
static bool role_fits_unit(enum role r, enum unit_kind k)
{
	switch (r) {
	case ROLE_AGENT:
	case ROLE_DISPATCHER:
		return k == UNIT_CENTRE;
	case ROLE_HANDLER:
	case ROLE_HEAD:
		return k != UNIT_CENTRE;
	case ROLE_SUPERVISOR:
		return k == UNIT_CENTRE || k == UNIT_DISTRICT;
	case ROLE_ASSESSOR:
	case ROLE_ADMIN:
		return true;
	}
	return false;
}

enum err_code auth_user_add(struct store *st, const char *login, const char *password, const char *name,
			    const char *unit, const char *role, int64_t now, struct user *out, struct err *e)
{
	struct user u = {0};
	struct unit un;
	if (!login || !login_valid(login))
		return err_set(e, E_INVALID, "login", "登录名须为 1–%d 个小写字母、数字或 . _ -", LIMIT_LOGIN);
	size_t pl = password ? utf8_len(password) : 0;
	if (pl < PASSWORD_MIN || pl > PASSWORD_MAX)
		return err_set(e, E_INVALID, "password", "密码长度须为 %d–%d 个字符", PASSWORD_MIN, PASSWORD_MAX);
	if (name && utf8_len(name) > LIMIT_NAME)
		return err_set(e, E_INVALID, "name", "姓名不能超过 %d 个字符", LIMIT_NAME);
	int r = role_parse(role);
	if (r < 0)
		return err_set(e, E_INVALID, "role",
			       "角色须为 agent、dispatcher、handler、head、supervisor、assessor 或 admin");
	if (!unit || store_unit_get(st, unit, &un, e) != OK)
		return err_set(e, E_INVALID, "unit", "单位 %s 不存在", unit ? unit : "");
	if (!role_fits_unit((enum role)r, un.kind))
		return err_set(e, E_INVALID, "role", "角色 %s 不能设在%s类单位", role, unit_kind_name(un.kind));
	strlcpy_ok(u.login, login, sizeof(u.login));
	strlcpy_ok(u.name, name ? name : login, sizeof(u.name));
	strlcpy_ok(u.unit, unit, sizeof(u.unit));
	u.role = (enum role)r;
	u.active = true;
	u.created_at = now;
	if (crypto_pwhash_str(u.pw_hash, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return err_set(e, E_INTERNAL, NULL, "密码哈希失败（内存不足）");
	enum err_code rc = store_user_insert(st, &u, e);
	if (rc == OK && out)
		*out = u;
	return rc;
}

/*
 * A verify against a fixed hash, so that an unknown login costs the same
 * time as a wrong password and does not reveal which logins exist.
 */
static void burn_verify(const char *password)
{
	static char dummy[crypto_pwhash_STRBYTES];
	if (!dummy[0] && crypto_pwhash_str(dummy, "jiesu-dummy", 11, crypto_pwhash_OPSLIMIT_INTERACTIVE,
					   crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return;
	if (crypto_pwhash_str_verify(dummy, password, strlen(password)) == 0)
		log_debug("dummy password matched");
}

enum err_code auth_login(struct store *st, const char *login, const char *password, int64_t now,
			 char token[TOKEN_CHARS + 1], int64_t *expires, struct err *e)
{
	struct user u;
	struct err ignore;
	err_init(&ignore);
	if (!login || !*login)
		return err_set(e, E_INVALID, "login", "请填写登录名");
	if (!password || !*password)
		return err_set(e, E_INVALID, "password", "请填写密码");
	if (strlen(password) > PASSWORD_MAX * 4)
		return err_set(e, E_INVALID, "password", "密码过长");
	enum err_code rc = store_user_by_login(st, login, &u, &ignore);
	if (rc == E_NOT_FOUND) {
		burn_verify(password);
		return err_set(e, E_BAD_CREDENTIALS, NULL, NULL);
	}
	if (rc != OK)
		return err_set(e, rc, NULL, "%s", ignore.msg);
	if (crypto_pwhash_str_verify(u.pw_hash, password, strlen(password)) != 0 || !u.active)
		return err_set(e, E_BAD_CREDENTIALS, NULL, NULL);

	unsigned char raw[32];
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(token, TOKEN_CHARS + 1, raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char digest[65];
	token_digest(token, digest);
	*expires = now + auth_token_ttl();
	return store_token_insert(st, digest, u.id, now, *expires, e);
}

enum err_code auth_actor_by_login(struct store *st, const char *login, struct actor *out, struct err *e)
{
	enum err_code rc = store_user_by_login(st, login, &out->user, e);
	if (rc == E_NOT_FOUND)
		return err_set(e, E_NOT_FOUND, "as", "用户 %s 不存在", login);
	if (rc != OK)
		return rc;
	return store_unit_get(st, out->user.unit, &out->unit, e);
}

enum err_code auth_token_actor(struct store *st, const char *token, int64_t now, struct actor *out, struct err *e)
{
	int64_t uid, expires;
	char digest[65];
	struct err ignore;
	err_init(&ignore);
	if (!token || strlen(token) != TOKEN_CHARS)
		return err_set(e, E_UNAUTHENTICATED, NULL, "请先登录（Authorization: Bearer 令牌无效）");
	token_digest(token, digest);
	enum err_code rc = store_token_get(st, digest, &uid, &expires, &ignore);
	if (rc == E_NOT_FOUND)
		return err_set(e, E_UNAUTHENTICATED, NULL, "请先登录（Authorization: Bearer 令牌无效）");
	if (rc != OK)
		return err_set(e, rc, NULL, "%s", ignore.msg);
	if (now >= expires)
		return err_set(e, E_TOKEN_EXPIRED, NULL, NULL);
	if ((rc = store_user_by_id(st, uid, &out->user, e)) != OK)
		return rc;
	if (!out->user.active)
		return err_set(e, E_UNAUTHENTICATED, NULL, "账号已停用");
	return store_unit_get(st, out->user.unit, &out->unit, e);
}

enum err_code auth_logout(struct store *st, const char *token, struct err *e)
{
	char digest[65];
	if (!token || strlen(token) != TOKEN_CHARS)
		return err_set(e, E_UNAUTHENTICATED, NULL, NULL);
	token_digest(token, digest);
	return store_token_delete(st, digest, e);
}
