/*
 * http.c — libmicrohttpd in its epoll thread-pool mode. Each worker thread
 * lazily opens its own store handle (SQLite connections are not shared
 * between threads); the deadline rules and calendar are loaded once and
 * shared read-only.
 */
#include "http.h"
#include "../api/api.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

struct worker {
	struct api_ctx api;
	struct worker *next;
};

struct http_server {
	struct MHD_Daemon *daemon;
	char *db_path;
	char *web_dir; /* NULL = the embedded pages */
	struct case_ctx shared; /* rules and calendar, owned here */
	pthread_mutex_t lock;
	struct worker *workers; /* every per-thread context, closed at stop */
	atomic_ullong next_request_id;
	pthread_t sweeper;
	bool sweeper_running;
	int sweep_seconds;
	pthread_mutex_t stop_lock;
	pthread_cond_t stop_cond;
	bool stopping;
	int port;
};

static __thread struct worker *tl_worker;

/* The calling thread's API context, opened on first use. */
static struct api_ctx *thread_api(struct http_server *srv, struct err *e)
{
	if (tl_worker)
		return &tl_worker->api;
	struct store *st;
	if (store_open(srv->db_path, &st, e) != OK)
		return NULL;
	struct worker *w = xcalloc(1, sizeof(*w));
	w->api.cx = srv->shared;
	w->api.cx.st = st;
	w->api.web_dir = srv->web_dir;
	pthread_mutex_lock(&srv->lock);
	w->next = srv->workers;
	srv->workers = w;
	pthread_mutex_unlock(&srv->lock);
	tl_worker = w;
	return &w->api;
}

/* Per-request state between libmicrohttpd's calls. */
struct request {
	struct buf body;
	double started;
	bool too_large;
	bool bad_type;
};

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode t)
{
	struct request *r = *con_cls;
	if (r) {
		buf_release(&r->body);
		free(r);
		*con_cls = NULL;
	}
}

static const char *query_lookup(void *ctx, const char *key)
{
	return MHD_lookup_connection_value(ctx, MHD_GET_ARGUMENT_KIND, key);
}

/* The headers every response carries; pages get theirs, the API's JSON a closed policy. */
static void common_headers(struct MHD_Response *resp, const struct api_response *res, unsigned long long rid)
{
	char ridbuf[32];
	snprintf(ridbuf, sizeof(ridbuf), "%llu", rid);
	bool page = res && res->page;
	MHD_add_response_header(resp, "Cache-Control", page ? "no-cache" : "no-store");
	MHD_add_response_header(resp, "Content-Security-Policy",
				page ? "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
				       "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
				       "form-action 'self'"
				     : "default-src 'none'; frame-ancestors 'none'");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "X-Request-Id", ridbuf);
	if (page)
		MHD_add_response_header(resp, "Vary", "Accept-Encoding");
	if (res && res->content_encoding)
		MHD_add_response_header(resp, "Content-Encoding", res->content_encoding);
	if (res && res->set_cookie[0])
		MHD_add_response_header(resp, "Set-Cookie", res->set_cookie);
}

static enum MHD_Result send_json(struct MHD_Connection *conn, int status, json_t *body,
				 const struct api_response *res, unsigned long long rid)
{
	char *text = json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(12));
	if (!text)
		text = xstrdup("{\"error\":{\"code\":\"internal\",\"message\":\"内部错误\",\"field\":null}}");
	size_t len = strlen(text);
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(resp, "Content-Type", "application/json; charset=utf-8");
	common_headers(resp, res, rid);
	enum MHD_Result ret = MHD_queue_response(conn, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/*
 * A file download (res->raw): its bytes move to libmicrohttpd, which frees
 * them. The name goes out twice in Content-Disposition: as a plain ASCII
 * fallback, and percent-encoded in filename* (RFC 6266, RFC 8187).
 */
static enum MHD_Result send_raw(struct MHD_Connection *conn, struct api_response *res, unsigned long long rid)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(
		res->raw_len, res->raw, res->raw_static ? MHD_RESPMEM_PERSISTENT : MHD_RESPMEM_MUST_FREE);
	res->raw = NULL;
	res->raw_static = false;
	res->raw_len = 0;
	MHD_add_response_header(resp, "Content-Type", res->content_type ? res->content_type : "application/octet-stream");
	if (res->filename[0]) {
		static const char hex[] = "0123456789ABCDEF";
		char plain[sizeof(res->filename)], enc[3 * sizeof(res->filename)], cd[5 * sizeof(res->filename)];
		size_t n = 0, i;
		for (i = 0; res->filename[i]; i++) {
			unsigned char ch = (unsigned char)res->filename[i];
			plain[i] = ch < 0x20 || ch >= 0x7f || ch == '"' || ch == '\\' ? '_' : (char)ch;
			if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
			    strchr("!#$&+-.^_`|~", ch)) {
				enc[n++] = (char)ch;
			} else {
				enc[n++] = '%';
				enc[n++] = hex[ch >> 4];
				enc[n++] = hex[ch & 15];
			}
		}
		plain[i] = '\0';
		enc[n] = '\0';
		snprintf(cd, sizeof(cd), "attachment; filename=\"%s\"; filename*=UTF-8''%s", plain, enc);
		MHD_add_response_header(resp, "Content-Disposition", cd);
	}
	common_headers(resp, res, rid);
	enum MHD_Result ret = MHD_queue_response(conn, (unsigned)res->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result send_error(struct MHD_Connection *conn, struct err *e, unsigned long long rid, int *status)
{
	struct api_response res = {0};
	api_error(&res, e);
	*status = res.status;
	enum MHD_Result ret = send_json(conn, res.status, res.body, &res, rid);
	api_response_release(&res);
	return ret;
}

/* Whether Accept-Encoding lists gzip (without q=0). */
static bool accepts_gzip(const char *ae)
{
	for (const char *p = ae; p && (p = strcasestr(p, "gzip")); p += 4) {
		const char *end = p + 4;
		while (*end == ' ')
			end++;
		if (*end == ';') {
			const char *q = strstr(end, "q=");
			if (q && (size_t)(q - end) < 4 && atof(q + 2) <= 0)
				continue;
		}
		return true;
	}
	return false;
}

/* "application/json", optionally with parameters ("; charset=utf-8"). */
static bool is_json_type(const char *ct)
{
	if (!ct || strncasecmp(ct, "application/json", 16) != 0)
		return false;
	ct += 16;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return *ct == '\0' || *ct == ';';
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
	struct http_server *srv = cls;
	struct request *r = *con_cls;
	if (!r) {
		/* First call: headers only. Answering now would cost keep-alive. */
		r = xcalloc(1, sizeof(*r));
		buf_init(&r->body, API_MAX_BODY);
		r->started = clock_mono_ms();
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
		if (cl && strtoull(cl, NULL, 10) > API_MAX_BODY)
			r->too_large = true;
		r->bad_type = !is_json_type(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type"));
		*con_cls = r;
		return MHD_YES;
	}
	if (*upload_size) {
		if (!r->too_large && !buf_add(&r->body, upload_data, *upload_size))
			r->too_large = true;
		*upload_size = 0;
		return MHD_YES;
	}

	unsigned long long rid = atomic_fetch_add(&srv->next_request_id, 1) + 1;
	struct err e;
	err_init(&e);
	int status;
	const char *route = "-";
	enum MHD_Result ret;
	struct api_ctx *api;
	if (r->too_large) {
		err_set(&e, E_TOO_LARGE, NULL, "请求体超过 %d 字节上限", API_MAX_BODY);
		ret = send_error(conn, &e, rid, &status);
	} else if (r->bad_type && r->body.len > 0) {
		err_set(&e, E_UNSUPPORTED_MEDIA, NULL, "请求体须为 JSON（Content-Type: application/json）");
		ret = send_error(conn, &e, rid, &status);
	} else if (!(api = thread_api(srv, &e))) {
		log_error("request %llu: cannot open the database: %s", rid, e.msg);
		ret = send_error(conn, &e, rid, &status);
	} else {
		struct api_request req = {
			.method = method,
			.path = url,
			.query = query_lookup,
			.query_ctx = conn,
			.authorization = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization"),
			.cookie = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Cookie"),
			.csrf = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-CSRF-Token"),
			.accept_gzip = accepts_gzip(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Accept-Encoding")),
			.body = r->body.s,
			.body_len = r->body.len,
		};
		struct api_response res = {0};
		api_handle(api, &req, &res);
		status = res.status;
		route = res.route;
		ret = res.raw ? send_raw(conn, &res, rid) : send_json(conn, res.status, res.body, &res, rid);
		api_response_release(&res);
	}
	/* The access log holds no body, no query and no token. */
	log_info("req=%llu %s %s status=%d ms=%.1f", rid, method, route, status, clock_mono_ms() - r->started);
	return ret;
}

/* The periodic deadline sweep (DOMAIN.md §5): warnings and overdue marks. */
static void *sweeper_main(void *arg)
{
	struct http_server *srv = arg;
	struct store *st = NULL;
	struct err e;
	err_init(&e);
	if (store_open(srv->db_path, &st, &e) != OK) {
		log_error("sweep: cannot open the database: %s", e.msg);
		return NULL;
	}
	struct case_ctx cx = srv->shared;
	cx.st = st;
	pthread_mutex_lock(&srv->stop_lock);
	while (!srv->stopping) {
		pthread_mutex_unlock(&srv->stop_lock);
		int n = 0;
		err_init(&e);
		if (case_sweep(&cx, clock_now(), &n, &e) != OK)
			log_error("sweep failed: %s", e.msg);
		else if (n)
			log_info("sweep: %d deadline events", n);
		pthread_mutex_lock(&srv->stop_lock);
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += srv->sweep_seconds;
		while (!srv->stopping && pthread_cond_timedwait(&srv->stop_cond, &srv->stop_lock, &ts) == 0)
			;
	}
	pthread_mutex_unlock(&srv->stop_lock);
	store_close(st);
	return NULL;
}

bool http_parse_listen(const char *s, char *host, size_t hostsz, int *port)
{
	const char *colon;
	const char *h = s;
	size_t hl;
	if (*s == '[') {
		const char *end = strchr(s, ']');
		if (!end || end[1] != ':')
			return false;
		h = s + 1;
		hl = (size_t)(end - h);
		colon = end + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return false;
		hl = (size_t)(colon - s);
	}
	if (hl == 0 || hl >= hostsz)
		return false;
	memcpy(host, h, hl);
	host[hl] = '\0';
	char *end;
	long p = strtol(colon + 1, &end, 10);
	if (*end || end == colon + 1 || p < 0 || p > 65535)
		return false;
	*port = (int)p;
	return true;
}

enum err_code http_start(const struct http_config *cfg, struct http_server **out, struct err *e)
{
	struct sockaddr_storage ss = {0};
	socklen_t slen;
	unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
	struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
	if (inet_pton(AF_INET, cfg->host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)cfg->port);
		slen = sizeof(*v4);
	} else if (inet_pton(AF_INET6, cfg->host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)cfg->port);
		slen = sizeof(*v6);
		flags |= MHD_USE_IPv6;
	} else {
		return err_set(e, E_INVALID, "listen", "监听地址 %s 不是 IP 地址", cfg->host);
	}
	(void)slen;
	struct http_server *srv = xcalloc(1, sizeof(*srv));
	srv->db_path = xstrdup(cfg->db_path);
	srv->web_dir = cfg->web_dir ? xstrdup(cfg->web_dir) : NULL;
	pthread_mutex_init(&srv->lock, NULL);
	pthread_mutex_init(&srv->stop_lock, NULL);
	pthread_cond_init(&srv->stop_cond, NULL);
	srv->sweep_seconds = cfg->sweep_seconds;

	/* Load the shared rules once, through a short-lived handle. */
	struct store *st;
	if (store_open(cfg->db_path, &st, e) != OK)
		goto fail;
	enum err_code rc = case_ctx_load(&srv->shared, st, e);
	store_close(st);
	srv->shared.st = NULL;
	if (rc != OK)
		goto fail;

	int threads = cfg->threads > 0 ? cfg->threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (threads < 1)
		threads = 1;
	srv->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_SOCK_ADDR, &ss,
				       MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads, MHD_OPTION_NOTIFY_COMPLETED,
				       on_completed, NULL, MHD_OPTION_CONNECTION_TIMEOUT, 60u,
				       MHD_OPTION_CONNECTION_LIMIT, 4000u, MHD_OPTION_END);
	if (!srv->daemon) {
		err_set(e, E_IO, "listen", "无法在 %s:%d 上监听（端口被占用或无权限）", cfg->host, cfg->port);
		goto fail;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = info ? info->port : cfg->port;
	if (srv->sweep_seconds > 0) {
		if (pthread_create(&srv->sweeper, NULL, sweeper_main, srv) == 0)
			srv->sweeper_running = true;
	}
	*out = srv;
	return OK;
fail:
	case_ctx_release(&srv->shared);
	free(srv->db_path);
	free(srv->web_dir);
	free(srv);
	return e->code;
}

int http_port(const struct http_server *srv)
{
	return srv->port;
}

void http_stop(struct http_server *srv)
{
	if (!srv)
		return;
	pthread_mutex_lock(&srv->stop_lock);
	srv->stopping = true;
	pthread_cond_broadcast(&srv->stop_cond);
	pthread_mutex_unlock(&srv->stop_lock);
	if (srv->sweeper_running)
		pthread_join(srv->sweeper, NULL);
	MHD_stop_daemon(srv->daemon);
	for (struct worker *w = srv->workers, *next; w; w = next) {
		next = w->next;
		store_close(w->api.cx.st);
		free(w);
	}
	case_ctx_release(&srv->shared);
	free(srv->db_path);
	free(srv->web_dir);
	free(srv);
}
