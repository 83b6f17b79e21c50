/*
 * harness.c — the in-memory databases, the transaction around each input,
 * requests as text, and the stand-ins for argon2id described in harness.h.
 */
#include "harness.h"
#include "domain/catalog.h"
#include "domain/geo.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Print why the harness itself cannot go on, and stop (a target's setup is not an input's fault). */
static void die(const char *what, const struct err *e)
{
	fprintf(stderr, "fuzz harness: %s: %s (%s: %s)\n", what, e ? e->msg : "",
		e ? err_code_name(e->code) : "", e ? e->field : "");
	abort();
}

/*
 * argon2id stand-ins. The fuzz binaries define these, so the product's
 * calls in auth.c bind to them instead of libsodium's: a "hash" is the
 * BLAKE2b of the password under a fixed key. Costs, salts and the format
 * of real hashes are libsodium's business, not the input parsers' we fuzz.
 */
#define STUB_PREFIX "$fuzz$"
static void stub_hash(char out[crypto_pwhash_STRBYTES], const char *passwd, unsigned long long len)
{
	static const unsigned char key[crypto_generichash_KEYBYTES] = "jiesu fuzz: not a password hash";
	unsigned char h[32];
	crypto_generichash(h, sizeof(h), (const unsigned char *)passwd, len, key, sizeof(key));
	memcpy(out, STUB_PREFIX, sizeof(STUB_PREFIX) - 1);
	sodium_bin2hex(out + sizeof(STUB_PREFIX) - 1, crypto_pwhash_STRBYTES - (sizeof(STUB_PREFIX) - 1), h,
		       sizeof(h));
}

int crypto_pwhash_str(char out[crypto_pwhash_STRBYTES], const char *const passwd,
		      unsigned long long passwdlen, unsigned long long opslimit, size_t memlimit)
{
	memset(out, 0, crypto_pwhash_STRBYTES);
	stub_hash(out, passwd, passwdlen);
	return 0;
}

int crypto_pwhash_str_verify(const char str[crypto_pwhash_STRBYTES], const char *const passwd,
			     unsigned long long passwdlen)
{
	char want[crypto_pwhash_STRBYTES] = {0};
	stub_hash(want, passwd, passwdlen);
	return strncmp(str, want, crypto_pwhash_STRBYTES) == 0 ? 0 : -1;
}

/* ------------------------------------------------------------ databases */

static int check_fold(void *ctx, int64_t id);

/* A new in-memory database with the Beijing demo catalog, on the fixed clock. */
static struct store *open_catalog(void)
{
	struct store *st;
	struct err e;
	err_init(&e);
	setenv("JIESU_NOW", FUZZ_NOW, 1);
	log_threshold = LOG_ERROR;
	if (!auth_init())
		die("libsodium does not start", NULL);
	if (store_open(":memory:", &st, &e) != OK)
		die("open an in-memory database", &e);
	if (catalog_load_builtin(st, true, NULL, NULL, &e) != OK)
		die("load the demo catalog", &e);
	return st;
}

struct store *fuzz_catalog(void)
{
	static struct store *st;
	if (!st)
		st = open_catalog();
	return st;
}

/* One request of the demo's setup, which must succeed. */
static void setup_call(struct api_ctx *ctx, const char *login, const char *method, const char *path,
		       const char *body)
{
	struct actor who;
	struct err e;
	err_init(&e);
	if (auth_actor_by_login(ctx->cx.st, login, &who, &e) != OK)
		die(login, &e);
	struct api_request req = {
	    .method = method, .path = path, .body = body, .body_len = strlen(body), .as = &who};
	struct api_response res = {0};
	api_handle(ctx, &req, &res);
	if (res.status >= 300) {
		char *text = json_dumps(res.body, JSON_COMPACT);
		fprintf(stderr, "fuzz harness: setup %s %s as %s: %d %s\n", method, path, login, res.status,
			text ? text : "");
		abort();
	}
	api_response_release(&res);
}

/* Case id's next step: POST /api/v1/cases/{id}/actions/{action} as login. */
static void setup_act(struct api_ctx *ctx, int id, const char *login, const char *action, const char *body)
{
	char path[96];
	snprintf(path, sizeof(path), "/api/v1/cases/%d/actions/%s", id, action);
	setup_call(ctx, login, "POST", path, body);
}

/* The cases of harness.h, each walked to its state through the API. */
static void setup_cases(struct api_ctx *ctx)
{
	static const char intake[] = "{\"type\":\"complaint\",\"title\":\"小区门口占道经营\","
				     "\"content\":\"每天晚上有流动摊贩占道经营。\","
				     "\"address\":\"石景山区八宝山街道某小区南门\","
				     "\"requester\":{\"name\":\"张三\",\"phone\":\"13812345678\"},"
				     "\"auto_dispatch\":false}";
	static const char *const street = "babaoshan.handler";
	for (int id = 1; id <= FUZZ_CASE_COUNT; id++) {
		setup_call(ctx, "agent", "POST", "/api/v1/cases", intake);
		if (id == FUZZ_CASE_RECEIVED)
			continue;
		setup_act(ctx, id, "dispatcher", "dispatch", "{\"unit\":\"110107001\"}");
		if (id == FUZZ_CASE_DISPATCHED)
			continue;
		if (id == FUZZ_CASE_RETURNED) {
			setup_act(ctx, id, street, "return",
				  "{\"cause\":\"territory\",\"evidence\":\"属老山街道\"}");
			continue;
		}
		setup_act(ctx, id, street, "sign", "");
		if (id == FUZZ_CASE_ACCEPTED)
			continue;
		setup_act(ctx, id, street, "contact", "{\"reached\":true,\"method\":\"phone\"}");
		switch (id) {
		case FUZZ_CASE_WHISTLED:
			setup_act(ctx, id, street, "whistle", "{\"units\":[\"110107801\",\"110107803\"]}");
			setup_act(ctx, id, "sjs.chengguan.handler", "report",
				  "{\"whistle\":1,\"on_site\":true}");
			break;
		case FUZZ_CASE_PENDING:
			setup_act(ctx, id, "sjs.supervisor", "supervise",
				  "{\"instruction\":\"请尽快办理\",\"due\":\"2026-03-06\"}");
			setup_act(ctx, id, street, "extend",
				  "{\"new_due\":\"2026-03-31\",\"reason\":\"需协调\"}");
			setup_act(ctx, id, street, "apply_exclusion",
				  "{\"scope\":\"response_only\",\"evidence\":\"诉求不合理\"}");
			break;
		default: /* replied, closed */
			setup_act(ctx, id, street, "reply",
				  "{\"result\":\"已协调城管清理摊贩\",\"solved\":true}");
			if (id == FUZZ_CASE_CLOSED)
				setup_act(ctx, id, "agent", "callback",
					  "{\"valid\":true,\"contacted\":true,\"solved\":false,"
					  "\"satisfaction\":\"unsatisfied\"}");
		}
	}
}

struct api_ctx *fuzz_demo(void)
{
	static struct api_ctx ctx;
	static bool ready;
	struct err e;
	size_t names;
	if (ready)
		return &ctx;
	err_init(&e);
	struct store *st = open_catalog();
	if (gazetteer_build_builtin(st, &names, &e) != OK || geo_load_demo_boundaries(st, &e) != OK ||
	    catalog_add_demo_users(st, clock_now(), NULL, NULL, &e) != OK)
		die("load the demo", &e);
	if (case_ctx_load(&ctx.cx, st, &e) != OK)
		die("load the case context", &e);
	setup_cases(&ctx);
	if (store_case_ids(st, check_fold, st, &e) != OK)
		die("list the cases", &e);
	api_ctx_release(&ctx);
	ready = true;
	return &ctx;
}

void fuzz_say(const char *what, enum err_code rc, const struct err *e)
{
	if (getenv("FUZZ_VERBOSE"))
		fprintf(stderr, "fuzz: %s: %s %s %s\n", what, err_code_name(rc), rc ? e->field : "",
			rc ? e->msg : "");
}

void fuzz_begin(struct store *st)
{
	struct err e;
	err_init(&e);
	if (store_begin(st, &e) != OK)
		die("begin the input's transaction", &e);
}

void fuzz_end(struct store *st)
{
	/* whatever the input did, it must have closed every level it opened */
	if (store_depth(st) != 1) {
		fprintf(stderr, "fuzz harness: %d transaction levels open after the input, want 1\n",
			store_depth(st));
		abort();
	}
	store_rollback(st);
}

/* ------------------------------------------------------------ requests */

#define MAX_QUERY 32

struct query {
	int n;
	char *key[MAX_QUERY], *val[MAX_QUERY];
};

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* %XX → the byte, in place (a bad escape stays as it is). */
static void unescape(char *s)
{
	char *w = s;
	for (char *r = s; *r; r++) {
		int hi, lo;
		if (*r == '%' && (hi = hexval(r[1])) >= 0 && (lo = hexval(r[2])) >= 0) {
			*w++ = (char)(hi * 16 + lo);
			r += 2;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

/* Split "a=1&b=2" (modified in place) into q; a key without '=' has the value "". */
static void query_parse(char *s, struct query *q)
{
	q->n = 0;
	while (s && *s && q->n < MAX_QUERY) {
		char *next = strchr(s, '&');
		if (next)
			*next++ = '\0';
		char *eq = strchr(s, '=');
		if (eq)
			*eq++ = '\0';
		unescape(s);
		if (eq)
			unescape(eq);
		q->key[q->n] = s;
		q->val[q->n++] = eq ? eq : s + strlen(s);
		s = next;
	}
}

/* The first value of key, as libmicrohttpd's lookup answers. */
static const char *query_get(void *ctx, const char *key)
{
	const struct query *q = ctx;
	for (int i = 0; i < q->n; i++)
		if (!strcmp(q->key[i], key))
			return q->val[i];
	return NULL;
}

/* Print the reply and abort: it is not what a client may be sent. */
static void bad_reply(const struct api_request *req, const struct api_response *res, const char *why)
{
	char *text = res->body ? json_dumps(res->body, JSON_COMPACT) : NULL;
	fprintf(stderr, "fuzz: %s %s answered %d, %s: %s\n", req->method, req->path, res->status, why,
		text ? text : "(no JSON body)");
	free(text);
	abort();
}

/*
 * What every reply must be: never a 5xx; JSON text that parses, or a body
 * that jansson can write out; an error as {"error":{code,message,field}}.
 */
static void check_reply(const struct api_request *req, const struct api_response *res)
{
	if (res->status >= 500 || res->status < 200)
		bad_reply(req, res, "a failure on the server's side");
	if (res->raw) {
		json_error_t jerr;
		json_t *j;
		if (!res->content_type || !str_has_prefix(res->content_type, "application/json"))
			return; /* a download or a page: not JSON */
		if (!(j = json_loadb(res->raw, res->raw_len, 0, &jerr)))
			bad_reply(req, res, "JSON text that does not parse");
		json_decref(j);
		return;
	}
	char *text = res->body ? json_dumps(res->body, JSON_COMPACT) : NULL;
	if (!text)
		bad_reply(req, res, "no body that can be written out");
	free(text);
	if (res->status < 400)
		return;
	json_t *err = json_object_get(res->body, "error");
	const char *code = json_string_value(json_object_get(err, "code"));
	const char *msg = json_string_value(json_object_get(err, "message"));
	json_t *field = json_object_get(err, "field");
	if (!code || !msg || !*msg || !field || !(json_is_null(field) || json_is_string(field)))
		bad_reply(req, res, "an error without its code, message and field");
}

/* Case id's row must be what its events fold to (what `jiesu rebuild --check` checks). */
static int check_fold(void *ctx, int64_t id)
{
	struct store *st = ctx;
	struct case_rec *row = xmalloc(sizeof(*row)), *folded = xmalloc(sizeof(*folded));
	struct err e;
	const char *field = NULL;
	err_init(&e);
	if (store_case_get(st, id, row, &e) != OK || case_rebuild(st, id, folded, NULL, NULL, &e) != OK ||
	    (field = case_diff(row, folded))) {
		fprintf(stderr, "fuzz: case %lld: %s\n", (long long)id, field ? field : e.msg);
		fprintf(stderr, "fuzz: its row differs from its events%s\n",
			field ? " at the field above" : "");
		abort();
	}
	free(row);
	free(folded);
	return 0;
}

void fuzz_api_request(const uint8_t *data, size_t size, bool only_get)
{
	struct api_ctx *ctx = fuzz_demo();
	const uint8_t *nl = memchr(data, '\n', size);
	size_t line_len = nl ? (size_t)(nl - data) : size;
	char *line = xstrndup((const char *)data, line_len);
	/* the body as libmicrohttpd hands it over: its bytes, then a NUL */
	size_t body_len = nl && !only_get ? size - line_len - 1 : 0;
	char *body = xmalloc(body_len + 1);
	if (body_len)
		memcpy(body, nl + 1, body_len);
	body[body_len] = '\0';

	char *save = NULL;
	char *method = strtok_r(line, " ", &save);
	char *target = method ? strtok_r(NULL, " ", &save) : NULL;
	char *login = target ? strtok_r(NULL, " ", &save) : NULL;
	struct query q = {0};
	struct actor who;
	struct err e;
	err_init(&e);
	if (!target)
		goto out;
	char *qs = strchr(target, '?');
	if (qs) {
		*qs++ = '\0';
		query_parse(qs, &q);
	}
	bool as = login && strcmp(login, "-") && auth_actor_by_login(ctx->cx.st, login, &who, &e) == OK;
	struct api_request req = {
	    .method = only_get ? "GET" : method,
	    .path = target,
	    .query = query_get,
	    .query_ctx = &q,
	    .body = body_len ? body : NULL,
	    .body_len = body_len,
	    .as = as ? &who : NULL,
	};
	struct api_response res = {0};
	fuzz_begin(ctx->cx.st);
	api_handle(ctx, &req, &res);
	api_finish(ctx, &res);
	if (getenv("FUZZ_VERBOSE")) {
		char *text = res.status >= 400 ? json_dumps(res.body, JSON_COMPACT) : NULL;
		fprintf(stderr, "fuzz: %s %s answered %d %s\n", req.method, req.path, res.status,
			text ? text : "");
		free(text);
	}
	check_reply(&req, &res);
	if (res.status < 300 && strcmp(req.method, "GET") &&
	    store_case_ids(ctx->cx.st, check_fold, ctx->cx.st, &e) != OK)
		die("list the cases", &e);
	api_response_release(&res);
	fuzz_end(ctx->cx.st);
	/* the histories drawn inside the rolled-back transaction must not outlive it */
	api_ctx_release(ctx);
out:
	free(line);
	free(body);
}
