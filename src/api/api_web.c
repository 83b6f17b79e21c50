/*
 * api_web.c — the web workbench's pages. The built files of web/dist are
 * embedded in the binary ("web/dist/NAME"); `jiesu serve --web-dir DIR`
 * serves them from a directory instead (for working on the pages). `/` is
 * index.html, `/assets/NAME` any other file; NAME.gz, when present, goes to
 * clients that take gzip. Nothing here needs a login: the pages hold no
 * data, they fetch it from the API.
 */
#include "api_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WEB_PREFIX "web/dist/"
#define WEB_MAX_FILE (16 * 1024 * 1024)

static const char *content_type_of(const char *name)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{".html", "text/html; charset=utf-8"},  {".js", "text/javascript; charset=utf-8"},
		{".css", "text/css; charset=utf-8"},    {".json", "application/json"},
		{".geojson", "application/geo+json"},   {".map", "application/json"},
		{".png", "image/png"},                  {".svg", "image/svg+xml"},
		{".ico", "image/x-icon"},               {".woff2", "font/woff2"},
		{".txt", "text/plain; charset=utf-8"},
	};
	const char *dot = strrchr(name, '.');
	for (size_t i = 0; dot && i < ARRAY_SIZE(types); i++)
		if (!strcmp(dot, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}

/* A flat file name: letters, digits, '.', '-', '_', not starting with '.'. */
static bool name_ok(const char *n)
{
	size_t len = strlen(n);
	if (len == 0 || len > 100 || n[0] == '.')
		return false;
	for (; *n; n++)
		if (!((*n >= 'a' && *n <= 'z') || (*n >= 'A' && *n <= 'Z') || (*n >= '0' && *n <= '9') ||
		      *n == '.' || *n == '-' || *n == '_'))
			return false;
	return true;
}

/* Find NAME: embedded (static bytes) or read from dir (malloc'd). */
static bool web_file(const char *dir, const char *name, char **data, size_t *len, bool *is_static)
{
	char path[512];
	if (!dir) {
		snprintf(path, sizeof(path), WEB_PREFIX "%s", name);
		const struct embedded_file *f = embed_find(path);
		if (!f)
			return false;
		*data = (char *)f->data;
		*len = f->len;
		*is_static = true;
		return true;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return false;
	struct buf b;
	buf_init(&b, WEB_MAX_FILE);
	char chunk[65536];
	size_t n;
	bool ok = true;
	while (ok && (n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		ok = buf_add(&b, chunk, n);
	ok = ok && !ferror(fp);
	fclose(fp);
	if (!ok) {
		buf_release(&b);
		return false;
	}
	*len = b.len;
	*data = b.s;
	*is_static = false;
	return true;
}

bool api_web_page(struct api_ctx *ctx, const struct api_request *req, struct api_response *res, struct err *e)
{
	const char *name;
	if (!strcmp(req->path, "/") || !strcmp(req->path, "/index.html"))
		name = "index.html";
	else if (str_has_prefix(req->path, "/assets/"))
		name = req->path + 8;
	else
		return false;
	res->route = "/assets/{name}";
	if (strcmp(req->method, "GET") && strcmp(req->method, "HEAD")) {
		err_set(e, E_METHOD, NULL, "%s 只支持 GET", req->path);
		api_error(res, e);
		return true;
	}
	char gz[128];
	char *data;
	size_t len;
	bool is_static;
	snprintf(gz, sizeof(gz), "%s.gz", name);
	if (!name_ok(name)) {
		err_set(e, E_NOT_FOUND, NULL, "没有这个文件：%s", req->path);
		api_error(res, e);
		return true;
	}
	if (req->accept_gzip && web_file(ctx->web_dir, gz, &data, &len, &is_static)) {
		res->content_encoding = "gzip";
	} else if (!web_file(ctx->web_dir, name, &data, &len, &is_static)) {
		if (!strcmp(name, "index.html"))
			err_set(e, E_NOT_FOUND, NULL, "网页尚未构建（make web）；接口在 /api/v1 下");
		else
			err_set(e, E_NOT_FOUND, NULL, "没有这个文件：%s", req->path);
		api_error(res, e);
		return true;
	}
	res->status = 200;
	res->raw = data;
	res->raw_len = len;
	res->raw_static = is_static;
	res->content_type = content_type_of(name);
	res->page = true;
	return true;
}
