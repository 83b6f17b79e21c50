/*
 * api_units.c — the unit tree and the category tree.
 */
#include "api_int.h"

#include <string.h>

json_t *api_unit_json(const struct unit *u)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:o}", "code", u->code, "name", u->name, "kind",
			      unit_kind_name(u->kind), "parent", *u->parent ? json_string(u->parent) : json_null());
	if (*u->sector)
		json_object_set_new(o, "sector", json_string(u->sector));
	return o;
}

struct units_ctx {
	json_t *arr;
	const char *q; /* a part of the name, or the start of the code; NULL = all */
	long limit;    /* with q: at most this many */
	bool more;     /* with q: matches were left out */
};

static int add_unit(void *vctx, const struct unit *u)
{
	struct units_ctx *x = vctx;
	if (x->q && !strstr(u->name, x->q) && !str_has_prefix(u->code, x->q))
		return 0;
	if (x->q && (long)json_array_size(x->arr) >= x->limit) {
		x->more = true;
		return 0;
	}
	json_array_append_new(x->arr, api_unit_json(u));
	return 0;
}

HANDLER(api_units_list)
{
	const char *kind = api_query(req, "kind"), *parent = api_query(req, "parent");
	struct units_ctx x = {NULL, api_query(req, "q"), 50, false};
	int k = -1;
	enum err_code rc;
	if (x.q && utf8_len(x.q) > LIMIT_UNIT_NAME)
		return err_set(e, E_INVALID, "q", "搜索词不能超过 %d 个字符", LIMIT_UNIT_NAME);
	if ((rc = api_query_int(req, "limit", 1, 500, 50, &x.limit, e)))
		return rc;
	if (kind && (k = unit_kind_parse(kind)) < 0)
		return err_set(e, E_INVALID, "kind",
			       "单位类型须为 centre、district、street、community、department 或 enterprise");
	if (parent) {
		struct unit u;
		struct err ignore;
		if (store_unit_get(ctx->cx.st, parent, &u, &ignore) != OK)
			return err_set(e, E_INVALID, "parent", "上级单位 %s 不存在", parent);
	}
	x.arr = json_array();
	if ((rc = store_units_list(ctx->cx.st, k, parent, add_unit, &x, e)) != OK) {
		json_decref(x.arr);
		return rc;
	}
	res->body = json_pack("{s:o}", "units", x.arr);
	if (x.q)
		json_object_set_new(res->body, "more", json_boolean(x.more));
	return OK;
}

HANDLER(api_unit_get)
{
	struct unit u;
	struct err ignore;
	if (store_unit_get(ctx->cx.st, params[0], &u, &ignore) != OK)
		return err_set(e, E_NOT_FOUND, "code", "单位 %s 不存在", params[0]);
	res->body = api_unit_json(&u);
	return OK;
}

static int add_category(void *ctx, const struct category *c)
{
	json_array_append_new(ctx, json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)c->id, "path", c->path,
					     "tier", tier_name(c->tier), "handling", c->handling));
	return 0;
}

HANDLER(api_categories_list)
{
	json_t *arr = json_array();
	enum err_code rc = store_categories_list(ctx->cx.st, add_category, arr, e);
	if (rc != OK) {
		json_decref(arr);
		return rc;
	}
	res->body = json_pack("{s:o}", "categories", arr);
	return OK;
}
