/*
 * http.c — libmicrohttpd in its epoll thread-pool mode. Each worker thread
 * lazily opens its own store handle (SQLite connections are not shared
 * between threads); the deadline rules and calendar are loaded once and
 * shared read-only.
 *
 * Group commit: requests that change data (POST, PUT, PATCH, DELETE under
 * /api/) do not run on the worker threads. The worker suspends the
 * connection and queues the request; one writer thread takes every request
 * waiting, runs them one after another inside one transaction (each in its
 * own savepoint: a refused request is rolled back alone), commits once —
 * one flush to disk for the whole batch — and only then resumes the
 * connections with their answers. Nothing is acknowledged before it is
 * durable, and while one batch is being flushed the next one gathers.
 */
#include "http.h"
#include "../api/api.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

struct worker {
	struct api_ctx api;
	struct worker *next;
};

struct request;

/* The writer thread and its queue of suspended write requests. */
struct writer {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct request *head, *tail; /* waiting, in arrival order */
	bool running, stopping;
	struct api_ctx api; /* its own store handle */
	atomic_ullong batches, requests;
};

#define WRITE_BATCH_MAX 2048

struct http_server {
	struct MHD_Daemon *daemon;
	struct writer writer;
	char *db_path;
	char *web_dir; /* NULL = the embedded pages */
	struct case_ctx shared; /* rules and calendar, owned here */
	pthread_mutex_t lock;
	struct worker *workers; /* every per-thread context, closed at stop */
	atomic_ullong next_request_id;
	pthread_t sweeper;
	bool sweeper_running;
	int sweep_seconds;
	bool tls;
	char *tls_cert, *tls_key; /* PEM, held while the daemon runs */
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
	/* a write handed to the writer: the request, and the answer it leaves */
	bool queued, answered;
	unsigned long long rid;
	struct MHD_Connection *conn;
	struct api_request req;
	struct api_response res;
	struct actor actor;                /* the caller, checked before the write was queued */
	char csrf[API_CSRF_CHARS + 1];     /* their session's CSRF token */
	struct request *next;
	char client[INET6_ADDRSTRLEN]; /* the peer's address, for login throttling */
};

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode t)
{
	struct request *r = *con_cls;
	if (r) {
		buf_release(&r->body);
		json_decref(r->req.parsed);
		api_response_release(&r->res);
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
	if (res && res->tls)
		MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
	if (page)
		MHD_add_response_header(resp, "Vary", "Accept-Encoding");
	if (res && res->content_encoding)
		MHD_add_response_header(resp, "Content-Encoding", res->content_encoding);
	if (res && res->set_cookie[0])
		MHD_add_response_header(resp, "Set-Cookie", res->set_cookie);
	if (res && res->location[0])
		MHD_add_response_header(resp, "Location", res->location);
	if (res && res->minimal)
		MHD_add_response_header(resp, "Preference-Applied", "return=minimal");
	if (res && res->retry_after > 0) {
		char ra[16];
		snprintf(ra, sizeof(ra), "%d", res->retry_after);
		MHD_add_response_header(resp, "Retry-After", ra);
	}
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

/* A request that may change data goes to the writer (group commit). */
static bool is_write(const char *method, const char *url)
{
	return str_has_prefix(url, "/api/") && (!strcmp(method, "POST") || !strcmp(method, "PUT") ||
						 !strcmp(method, "PATCH") || !strcmp(method, "DELETE"));
}

/*
 * Queue r for the writer and suspend its connection; false when the writer
 * is not running (starting or stopping), and the caller answers it inline.
 */
static bool writer_enqueue(struct http_server *srv, struct request *r)
{
	struct writer *w = &srv->writer;
	pthread_mutex_lock(&w->lock);
	if (!w->running || w->stopping) {
		pthread_mutex_unlock(&w->lock);
		return false;
	}
	r->queued = true;
	r->next = NULL;
	if (w->tail)
		w->tail->next = r;
	else
		w->head = r;
	w->tail = r;
	/* suspended under the lock, so the writer cannot resume it first */
	MHD_suspend_connection(r->conn);
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	return true;
}

/* Replace an answer with an error (the change was not saved). */
static void answer_error(struct api_response *res, const struct err *e)
{
	api_response_release(res);
	memset(res, 0, sizeof(*res));
	api_error(res, e);
}

/*
 * One batch: every request in its own savepoint inside one transaction,
 * one commit. A request refused by the API (4xx, 5xx) is rolled back
 * alone; if the commit fails, no request of the batch was saved and each
 * gets the error.
 */
static void writer_batch(struct writer *w, struct request *list)
{
	struct store *st = w->api.cx.st;
	struct err outer_err;
	err_init(&outer_err);
	bool outer = st && store_begin(st, &outer_err) == OK;
	if (!st)
		err_set(&outer_err, E_DB, NULL, "数据库不可用");
	size_t n = 0;
	for (struct request *r = list; r; r = r->next, n++) {
		struct err e;
		err_init(&e);
		memset(&r->res, 0, sizeof(r->res));
		if (!outer) {
			api_error(&r->res, &outer_err);
			continue;
		}
		if (store_begin(st, &e) != OK) {
			api_error(&r->res, &e);
			continue;
		}
		api_handle(&w->api, &r->req, &r->res);
		if (store_depth(st) > 2) {
			log_error("request %llu left %d transaction levels open: rolled back", r->rid, store_depth(st) - 2);
			while (store_depth(st) > 2)
				store_rollback(st);
			err_set(&e, E_INTERNAL, NULL, "内部错误：事务未正确结束，本次操作未保存");
			answer_error(&r->res, &e);
		}
		if (r->res.status >= 400) {
			if (store_depth(st) == 2)
				store_rollback(st);
		} else if (store_commit(st, &e) != OK) {
			answer_error(&r->res, &e);
		}
		if (store_depth(st) != 1) { /* the batch's transaction itself was lost */
			outer = false;
			err_set(&outer_err, E_DB, NULL, "数据库事务中断，本次操作未保存，请重试");
		}
	}
	if (outer && store_commit(st, &outer_err) != OK)
		outer = false;
	if (!outer) {
		/* nothing of this batch is on disk: no request may look accepted */
		for (struct request *r = list; r; r = r->next)
			if (r->res.status < 400)
				answer_error(&r->res, &outer_err);
		log_error("write batch of %zu requests not saved: %s", n, outer_err.msg);
	}
	atomic_fetch_add(&w->batches, 1);
	atomic_fetch_add(&w->requests, n);
}

static void *writer_main(void *arg)
{
	struct http_server *srv = arg;
	struct writer *w = &srv->writer;
	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->head && !w->stopping)
			pthread_cond_wait(&w->wake, &w->lock);
		if (!w->head)
			break; /* stopping, and nothing left */
		struct request *list = w->head, *last = list;
		for (size_t k = 1; k < WRITE_BATCH_MAX && last->next; k++)
			last = last->next;
		w->head = last->next;
		if (!w->head)
			w->tail = NULL;
		last->next = NULL;
		pthread_mutex_unlock(&w->lock);
		writer_batch(w, list);
		pthread_mutex_lock(&w->lock);
		for (struct request *r = list, *next; r; r = next) {
			next = r->next;
			r->answered = true;
			MHD_resume_connection(r->conn);
		}
	}
	w->running = false;
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/* Whether Accept-Encoding lists gzip (without q=0). */
/* Does a Prefer header (RFC 7240: preferences separated by commas, each with ;parameters) ask return=minimal? */
static bool prefers_minimal(const char *prefer)
{
	for (const char *p = prefer; p && *p;) {
		p += strspn(p, " \t,");
		size_t n = strcspn(p, ",;");
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if ((n == 14 && !strncasecmp(p, "return=minimal", 14)) ||
		    (n == 16 && !strncasecmp(p, "return=\"minimal\"", 16)))
			return true;
		p = strchr(p, ',');
	}
	return false;
}

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

	struct err e;
	err_init(&e);
	int status;
	const char *route = "-";
	enum MHD_Result ret;
	struct api_ctx *api;
	if (r->queued) {
		if (!r->answered) /* not resumed by the writer yet: nothing to send */
			return MHD_YES;
		/* resumed by the writer: the change is durable; draw its answer here, off the writer */
		if (r->res.reply_case) {
			if ((api = thread_api(srv, &e)))
				api_finish(api, &r->res);
			else
				answer_error(&r->res, &e);
		}
		status = r->res.status;
		route = r->res.route;
		ret = r->res.raw ? send_raw(conn, &r->res, r->rid) : send_json(conn, r->res.status, r->res.body, &r->res, r->rid);
		api_response_release(&r->res);
		log_info("req=%llu %s %s status=%d ms=%.1f", r->rid, method, route, status, clock_mono_ms() - r->started);
		return ret;
	}
	unsigned long long rid = atomic_fetch_add(&srv->next_request_id, 1) + 1;
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
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)ci->client_addr)->sin_addr, r->client,
				  sizeof(r->client));
		else if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)ci->client_addr)->sin6_addr,
				  r->client, sizeof(r->client));
		struct api_request req = {
			.client = r->client[0] ? r->client : NULL,
			.tls = srv->tls,
			.method = method,
			.path = url,
			.query = query_lookup,
			.query_ctx = conn,
			.authorization = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization"),
			.cookie = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Cookie"),
			.csrf = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-CSRF-Token"),
			.accept_gzip = accepts_gzip(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Accept-Encoding")),
			.return_minimal = prefers_minimal(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Prefer")),
			.body = r->body.s,
			.body_len = r->body.len,
		};
		if (is_write(method, url)) {
			/* the strings stay valid while the connection is suspended */
			r->req = req;
			r->req.defer_reply = true;
			r->rid = rid;
			r->conn = conn;
			struct api_response pre;
			if (!api_preflight(api, &r->req, &r->actor, r->csrf, &pre)) {
				/* refused before it reached the writer: nothing was queued */
				ret = send_json(conn, pre.status, pre.body, &pre, rid);
				log_info("req=%llu %s %s status=%d ms=%.1f", rid, method, pre.route, pre.status,
					 clock_mono_ms() - r->started);
				api_response_release(&pre);
				return ret;
			}
			if (writer_enqueue(srv, r))
				return MHD_YES;
			json_decref(r->req.parsed);
			r->req.parsed = NULL;
		}
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
		store_refresh(st); /* units another handle changed */
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
	unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
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
	pthread_mutex_init(&srv->writer.lock, NULL);
	pthread_cond_init(&srv->writer.wake, NULL);
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
	if (cfg->tls_cert || cfg->tls_key) {
		size_t n;
		if (!cfg->tls_cert || !cfg->tls_key) {
			err_set(e, E_INVALID, cfg->tls_cert ? "tls-key" : "tls-cert", "HTTPS 需要同时给出证书和私钥");
			goto fail;
		}
		if (!MHD_is_feature_supported(MHD_FEATURE_TLS)) {
			err_set(e, E_INVALID, "tls-cert", "本机的 libmicrohttpd 不支持 HTTPS");
			goto fail;
		}
		if (file_read_all(cfg->tls_cert, 1 << 20, &srv->tls_cert, &n, e) != OK ||
		    file_read_all(cfg->tls_key, 1 << 20, &srv->tls_key, &n, e) != OK) {
			snprintf(e->field, sizeof(e->field), "%s", srv->tls_cert ? "tls-key" : "tls-cert");
			goto fail;
		}
		srv->tls = true;
		flags |= MHD_USE_TLS;
	}
	struct MHD_OptionItem tls_opts[] = {
		{srv->tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, srv->tls_cert},
		{MHD_OPTION_HTTPS_MEM_KEY, 0, srv->tls_key},
		{MHD_OPTION_END, 0, NULL},
	};
	srv->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_SOCK_ADDR, &ss,
				       MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads, MHD_OPTION_NOTIFY_COMPLETED,
				       on_completed, NULL, MHD_OPTION_CONNECTION_TIMEOUT, 60u,
				       MHD_OPTION_CONNECTION_LIMIT, 4000u, MHD_OPTION_ARRAY, tls_opts, MHD_OPTION_END);
	if (!srv->daemon) {
		if (srv->tls)
			err_set(e, E_IO, "tls-cert", "无法在 %s:%d 上启动 HTTPS（端口被占用，或证书与私钥不匹配、格式不对）",
				cfg->host, cfg->port);
		else
			err_set(e, E_IO, "listen", "无法在 %s:%d 上监听（端口被占用或无权限）", cfg->host, cfg->port);
		goto fail;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = info ? info->port : cfg->port;
	if (srv->sweep_seconds > 0) {
		if (pthread_create(&srv->sweeper, NULL, sweeper_main, srv) == 0)
			srv->sweeper_running = true;
	}
	/* the writer: its own store handle; without it, writes run on the worker threads */
	struct store *wst;
	struct err werr;
	err_init(&werr);
	if (store_open(cfg->db_path, &wst, &werr) == OK) {
		srv->writer.api.cx = srv->shared;
		srv->writer.api.cx.st = wst;
		srv->writer.api.web_dir = srv->web_dir;
		srv->writer.running = true;
		if (pthread_create(&srv->writer.thread, NULL, writer_main, srv) != 0) {
			srv->writer.running = false;
			store_close(wst);
			srv->writer.api.cx.st = NULL;
		}
	}
	if (!srv->writer.running)
		log_error("group commit unavailable (%s): writes are committed one by one", werr.msg);
	*out = srv;
	return OK;
fail:
	case_ctx_release(&srv->shared);
	free(srv->db_path);
	free(srv->web_dir);
	free(srv->tls_cert);
	free(srv->tls_key);
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
	/* the writer answers what is queued, then stops; later writes run inline */
	pthread_mutex_lock(&srv->writer.lock);
	bool had_writer = srv->writer.running;
	srv->writer.stopping = true;
	pthread_cond_broadcast(&srv->writer.wake);
	pthread_mutex_unlock(&srv->writer.lock);
	if (had_writer) {
		pthread_join(srv->writer.thread, NULL);
		store_close(srv->writer.api.cx.st);
		api_ctx_release(&srv->writer.api);
	}
	MHD_stop_daemon(srv->daemon);
	for (struct worker *w = srv->workers, *next; w; w = next) {
		next = w->next;
		store_close(w->api.cx.st);
		api_ctx_release(&w->api);
		free(w);
	}
	case_ctx_release(&srv->shared);
	free(srv->db_path);
	free(srv->web_dir);
	if (srv->tls_key)
		sodium_memzero(srv->tls_key, strlen(srv->tls_key));
	free(srv->tls_cert);
	free(srv->tls_key);
	free(srv);
}
