/*
 * auth.c — argon2id passwords, hashed bearer tokens, and account checks.
 */
#include "auth.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
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

/* A unit kind as people call it, for messages. */
static const char *kind_label(enum unit_kind k)
{
	static const char *const labels[UNIT_KIND_COUNT] = {"热线中心", "区", "街道乡镇", "社区", "部门", "企业"};
	return (unsigned)k < UNIT_KIND_COUNT ? labels[k] : "未知类型";
}

/* Role r at unit un, or E_INVALID on field with the rule that refuses it. */
static enum err_code check_fit(enum role r, const struct unit *un, const char *field, struct err *e)
{
	const char *rule;
	if (role_fits_unit(r, un->kind))
		return OK;
	switch (r) {
	case ROLE_AGENT:
	case ROLE_DISPATCHER:
		rule = "受理员和派单员只在热线中心工作";
		break;
	case ROLE_SUPERVISOR:
		rule = "督办员只设在热线中心或区";
		break;
	default:
		rule = "承办人和负责人属于承办单位，不设在热线中心";
	}
	return err_set(e, E_INVALID, field, "角色 %s 不能设在%s %s（%s）：%s", role_name(r), kind_label(un->kind),
		       un->code, un->name, rule);
}

/* A display name: 1–LIMIT_NAME characters, no control characters. */
static enum err_code check_name(const char *name, struct err *e)
{
	if (!*name || name[strspn(name, " ")] == '\0')
		return err_set(e, E_INVALID, "name", "姓名不能为空");
	if (utf8_len(name) > LIMIT_NAME)
		return err_set(e, E_INVALID, "name", "姓名不能超过 %d 个字符", LIMIT_NAME);
	for (const char *p = name; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return err_set(e, E_INVALID, "name", "姓名不能含有换行或其他控制字符");
	return OK;
}

/* Check a password's length and hash it with argon2id into out. */
static enum err_code hash_password(const char *password, char out[128], struct err *e)
{
	size_t pl = password ? utf8_len(password) : 0;
	if (pl < PASSWORD_MIN || pl > PASSWORD_MAX)
		return err_set(e, E_INVALID, "password", "密码长度须为 %d–%d 个字符", PASSWORD_MIN, PASSWORD_MAX);
	_Static_assert(crypto_pwhash_STRBYTES <= 128, "struct user.pw_hash holds an argon2id string");
	if (crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return err_set(e, E_INTERNAL, NULL, "密码哈希失败（内存不足）");
	return OK;
}

enum err_code auth_user_add(struct store *st, const char *login, const char *password, const char *name,
			    const char *unit, const char *role, int64_t now, struct user *out, struct err *e)
{
	struct user u = {0};
	struct unit un;
	enum err_code rc;
	if (!login || !login_valid(login))
		return err_set(e, E_INVALID, "login", "登录名须为 1–%d 个小写字母、数字或 . _ -", LIMIT_LOGIN);
	size_t pl = password ? utf8_len(password) : 0;
	if (pl < PASSWORD_MIN || pl > PASSWORD_MAX)
		return err_set(e, E_INVALID, "password", "密码长度须为 %d–%d 个字符", PASSWORD_MIN, PASSWORD_MAX);
	if (name && (rc = check_name(name, e)))
		return rc;
	int r = role_parse(role);
	if (r < 0)
		return err_set(e, E_INVALID, "role",
			       "角色须为 agent、dispatcher、handler、head、supervisor、assessor 或 admin");
	if (!unit || store_unit_get(st, unit, &un, e) != OK)
		return err_set(e, E_INVALID, "unit", "单位 %s 不存在", unit ? unit : "");
	if ((rc = check_fit((enum role)r, &un, "role", e)))
		return rc;
	strlcpy_ok(u.login, login, sizeof(u.login));
	strlcpy_ok(u.name, name ? name : login, sizeof(u.name));
	strlcpy_ok(u.unit, unit, sizeof(u.unit));
	u.role = (enum role)r;
	u.active = true;
	u.created_at = now;
	if ((rc = hash_password(password, u.pw_hash, e)))
		return rc;
	rc = store_user_insert(st, &u, e);
	if (rc == OK && out)
		*out = u;
	return rc;
}

/*
 * Check every given field of ch against the account u (read in the
 * caller's transaction) and apply it to u; *revoke says whether the
 * user's sessions must end. The password is not touched here.
 */
static enum err_code user_change_apply(struct store *st, int64_t by, const struct user_change *ch, struct user *u,
				       bool *revoke, struct err *e)
{
	struct unit un;
	enum err_code rc;
	int r = u->role;

	if (ch->name) {
		if ((rc = check_name(ch->name, e)))
			return rc;
		strlcpy_ok(u->name, ch->name, sizeof(u->name));
	}
	if (ch->role && (r = role_parse(ch->role)) < 0)
		return err_set(e, E_INVALID, "role",
			       "角色须为 agent、dispatcher、handler、head、supervisor、assessor 或 admin");
	if (ch->unit) {
		struct err ignore;
		err_init(&ignore);
		if (store_unit_get(st, ch->unit, &un, &ignore) == E_NOT_FOUND)
			return err_set(e, E_INVALID, "unit", "单位 %s 不存在", ch->unit);
		if (ignore.code != OK)
			return err_set(e, ignore.code, NULL, "%s", ignore.msg);
	} else if (!*u->unit) {
		return err_set(e, E_INVALID, "unit", "用户 %s 没有所属单位，请同时指定 unit", u->login);
	} else if ((rc = store_unit_get(st, u->unit, &un, e))) {
		return rc;
	}
	if ((rc = check_fit((enum role)r, &un, ch->role ? "role" : "unit", e)))
		return rc;
	if (u->id == by) {
		if (ch->active == 0)
			return err_set(e, E_INVALID, "active", "不能停用自己的账号：请另一位管理员操作");
		if (r != ROLE_ADMIN)
			return err_set(e, E_INVALID, "role", "不能取消自己的管理员角色：请另一位管理员操作");
		if (un.kind != UNIT_CENTRE)
			return err_set(e, E_INVALID, "unit", "不能把自己调离热线中心（调离后将失去管理权限）");
	}
	if ((enum role)r != u->role || strcmp(un.code, u->unit))
		*revoke = true;
	if (ch->active == 0 && u->active)
		*revoke = true;
	u->role = (enum role)r;
	strlcpy_ok(u->unit, un.code, sizeof(u->unit));
	if (ch->active >= 0)
		u->active = ch->active != 0;
	return OK;
}

enum err_code auth_user_update(struct store *st, int64_t by, int64_t id, const struct user_change *ch,
			       struct user *out, struct err *e)
{
	char pw_hash[128] = "";
	struct user u;
	struct err ignore;
	bool revoke = false;
	enum err_code rc;

	/* The slow hash first, outside the write lock. */
	if (ch->password && (rc = hash_password(ch->password, pw_hash, e)))
		return rc;
	if ((rc = store_begin(st, e)))
		return rc;
	err_init(&ignore);
	rc = store_user_by_id(st, id, &u, &ignore);
	if (rc == E_NOT_FOUND)
		rc = err_set(e, E_NOT_FOUND, "id", "用户 %lld 不存在", (long long)id);
	else if (rc != OK)
		*e = ignore;
	if (rc == OK)
		rc = user_change_apply(st, by, ch, &u, &revoke, e);
	if (rc == OK && pw_hash[0]) {
		strlcpy_ok(u.pw_hash, pw_hash, sizeof(u.pw_hash));
		revoke = true;
	}
	if (rc == OK)
		rc = store_user_update(st, &u, e);
	if (rc == OK && revoke)
		rc = store_tokens_delete_user(st, u.id, e);
	if (rc == OK)
		rc = store_commit(st, e);
	else
		store_rollback(st);
	sodium_memzero(pw_hash, sizeof(pw_hash));
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

/* A new bearer token for user_id (NUL-terminated into token), stored by its digest. */
static enum err_code new_token(struct store *st, int64_t user_id, int64_t now, char token[TOKEN_CHARS + 1],
			       int64_t *expires, struct err *e)
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(token, TOKEN_CHARS + 1, raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char digest[65];
	token_digest(token, digest);
	*expires = now + auth_token_ttl();
	return store_token_insert(st, digest, user_id, now, *expires, e);
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

	return new_token(st, u.id, now, token, expires, e);
}

enum err_code auth_password_change(struct store *st, int64_t user_id, const char *current, const char *next,
				   int64_t now, char token[TOKEN_CHARS + 1], int64_t *expires, struct err *e)
{
	struct user u;
	char pw_hash[128] = "";
	enum err_code rc;
	if (!current || !*current)
		return err_set(e, E_INVALID, "current_password", "请填写当前密码");
	if (strlen(current) > PASSWORD_MAX * 4)
		return err_set(e, E_INVALID, "current_password", "当前密码不对");
	if ((rc = store_user_by_id(st, user_id, &u, e)))
		return rc;
	if (crypto_pwhash_str_verify(u.pw_hash, current, strlen(current)) != 0)
		return err_set(e, E_INVALID, "current_password", "当前密码不对");
	if (next && !strcmp(next, current))
		return err_set(e, E_INVALID, "new_password", "新密码不能与当前密码相同");
	if ((rc = hash_password(next, pw_hash, e))) {
		snprintf(e->field, sizeof(e->field), "new_password");
		return rc;
	}
	/* the new password, every session of the account ended, and one new session for this caller */
	if ((rc = store_begin(st, e)))
		return rc;
	strlcpy_ok(u.pw_hash, pw_hash, sizeof(u.pw_hash));
	if (!(rc = store_user_update(st, &u, e)) && !(rc = store_tokens_delete_user(st, u.id, e)) &&
	    !(rc = new_token(st, u.id, now, token, expires, e)))
		rc = store_commit(st, e);
	else
		store_rollback(st);
	sodium_memzero(pw_hash, sizeof(pw_hash));
	return rc;
}

/*
 * Failed logins, in memory for the whole process: per account and per
 * client address, each in a small table whose slots are reused by hash.
 */
#define THROTTLE_SLOTS 4096
#define THROTTLE_WINDOW_MS (15 * 60 * 1000.0) /* failures older than this are forgotten */
#define ACCOUNT_FREE_FAILS 5		      /* then 1 min, doubling, up to the window */
#define ADDRESS_FREE_FAILS 20		      /* then the address waits 5 min */
struct throttle_slot {
	char key[LIMIT_LOGIN + 64];
	int fails;
	double first_ms, locked_until_ms;
};
static struct throttle_slot throttle_accounts[THROTTLE_SLOTS], throttle_addresses[THROTTLE_SLOTS];
static pthread_mutex_t throttle_lock = PTHREAD_MUTEX_INITIALIZER;

static struct throttle_slot *throttle_slot(struct throttle_slot *table, const char *key, double now_ms)
{
	uint64_t h = 1469598103934665603ULL;
	for (const char *p = key; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	struct throttle_slot *t = &table[h % THROTTLE_SLOTS];
	if (strcmp(t->key, key) != 0 || now_ms - t->first_ms > THROTTLE_WINDOW_MS) {
		if (strcmp(t->key, key) == 0 && now_ms < t->locked_until_ms)
			return t; /* still waiting out a lock */
		memset(t, 0, sizeof(*t));
		strlcpy_ok(t->key, key, sizeof(t->key));
		t->first_ms = now_ms;
	}
	return t;
}

enum err_code auth_throttle_check(const char *login, const char *address, double now_ms, int *retry_after,
				  struct err *e)
{
	double wait_ms = 0;
	const char *field = NULL;
	*retry_after = 0;
	pthread_mutex_lock(&throttle_lock);
	if (login && *login) {
		struct throttle_slot *t = throttle_slot(throttle_accounts, login, now_ms);
		if (now_ms < t->locked_until_ms) {
			wait_ms = t->locked_until_ms - now_ms;
			field = "login";
		}
	}
	if (address && *address && !field) {
		struct throttle_slot *t = throttle_slot(throttle_addresses, address, now_ms);
		if (now_ms < t->locked_until_ms)
			wait_ms = t->locked_until_ms - now_ms;
	}
	pthread_mutex_unlock(&throttle_lock);
	if (wait_ms <= 0)
		return OK;
	*retry_after = (int)(wait_ms / 1000) + 1;
	return err_set(e, E_TOO_MANY, field, field ? "该账号登录失败次数过多，请 %d 秒后再试"
						  : "本机登录失败次数过多，请 %d 秒后再试",
		       *retry_after);
}

void auth_throttle_record(const char *login, const char *address, bool ok, double now_ms)
{
	pthread_mutex_lock(&throttle_lock);
	if (login && *login) {
		struct throttle_slot *t = throttle_slot(throttle_accounts, login, now_ms);
		if (ok) {
			memset(t, 0, sizeof(*t));
		} else if (++t->fails >= ACCOUNT_FREE_FAILS) {
			int k = t->fails - ACCOUNT_FREE_FAILS;
			double lock = 60000.0 * (double)(1 << (k > 4 ? 4 : k));
			t->locked_until_ms = now_ms + (lock < THROTTLE_WINDOW_MS ? lock : THROTTLE_WINDOW_MS);
		}
	}
	if (address && *address && !ok) {
		struct throttle_slot *t = throttle_slot(throttle_addresses, address, now_ms);
		if (++t->fails >= ADDRESS_FREE_FAILS)
			t->locked_until_ms = now_ms + 5 * 60000.0;
	}
	pthread_mutex_unlock(&throttle_lock);
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
