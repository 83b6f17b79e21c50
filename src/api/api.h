/*
 * api — the JSON API: one route table, JSON ↔ domain structs, error → HTTP
 * status. Transport-free: the HTTP server (http/) and the command line
 * (cli/) both hand it a request and get a status and a JSON body back, so a
 * terminal user and a browser go through the same checks.
 */
#ifndef JIESU_API_H
#define JIESU_API_H

#include "../domain/case.h"

#include <jansson.h>

/* Client-sized input limits, in one place (bodies, pages). */
#define API_MAX_BODY (64 * 1024)
#define API_MAX_PER_PAGE 100
#define API_DEFAULT_PER_PAGE 20
#define API_CSRF_CHARS 43 /* base64url of 32 bytes */
#define API_SESSION_COOKIE "jiesu_session"

/* What the API needs per worker thread: its own store handle and the shared rules. */
struct api_events_cache;

struct api_ctx {
	struct case_ctx cx;
	const char *web_dir; /* serve the web pages from this directory; NULL = the embedded ones */
	struct api_events_cache *events; /* histories drawn lately (api_cases.c); NULL until the first */
};

/* Free what a context holds besides its store handle and shared rules. */
void api_ctx_release(struct api_ctx *ctx);

typedef const char *(*query_fn)(void *ctx, const char *key);

struct api_request {
	const char *method;
	const char *path; /* without the query string */
	query_fn query;   /* look up a query parameter; may be NULL */
	void *query_ctx;
	const char *authorization; /* the Authorization header or NULL */
	const char *cookie;        /* the Cookie header or NULL: a browser session (jiesu_session) */
	const char *csrf;          /* the X-CSRF-Token header or NULL */
	const char *client;        /* the client's address ("127.0.0.1"), or NULL (command line) */
	bool tls;                  /* it came over HTTPS: cookies are Secure, replies carry HSTS */
	bool accept_gzip;          /* the client takes Content-Encoding: gzip */
	bool return_minimal;       /* Prefer: return=minimal (RFC 7240): a change to a case is answered
				      with its id, seq and status only, not the whole case */
	const char *body;          /* may be NULL */
	size_t body_len;
	const struct actor *as; /* set by the command line: act as this user, no token */
	bool defer_reply;       /* the caller runs api_finish after the commit (the HTTP writer) */
	/* set by api_preflight on a worker thread, before the write is queued for the writer: */
	const struct actor *authed; /* the caller, already checked (token, session, CSRF) */
	const char *session_csrf;   /* their browser session's CSRF token, or NULL */
	json_t *parsed;             /* the body, parsed (a reference the caller releases), or NULL */
};

/*
 * A reply: JSON (body), or a file download (raw, e.g. a CSV or Excel
 * export) sent as is with content_type and, when filename is set, as an
 * attachment under that name. raw wins over body; both are owned by the
 * response and freed by api_response_release.
 */
struct api_response {
	int status;
	json_t *body; /* owned by the response */
	const char *route; /* the matched route pattern, for the access log */
	char *raw;         /* malloc'd bytes, or NULL */
	size_t raw_len;
	const char *content_type; /* static string, for raw */
	char filename[64];        /* "" = no attachment name */
	bool raw_static;          /* raw points at bytes that live as long as the process: never freed */
	bool page;                /* a web page or asset: revalidated caching and the page's CSP */
	const char *content_encoding; /* "gzip" or NULL */
	char set_cookie[160];     /* a Set-Cookie header value, or "" */
	int retry_after;          /* seconds, for a Retry-After header (429), or 0 */
	char location[48];        /* a Location header value (a case just created), or "" */
	bool minimal;             /* return=minimal was honoured: Preference-Applied */
	bool tls;                 /* answered over HTTPS (from the request) */
	char csrf[API_CSRF_CHARS + 1]; /* the session's CSRF token when authenticated by cookie, or "" */
	/*
	 * A change to a case whose reply (the case as it stands, with its
	 * events) is drawn by api_finish: after the commit and off the single
	 * writer thread when the request has defer_reply, else by api_handle.
	 */
	int64_t reply_case;
	struct actor reply_who;
};

void api_handle(struct api_ctx *ctx, const struct api_request *req, struct api_response *res);
/*
 * What a write can do before it is queued for the single writer, on the
 * thread that received it: check the caller and parse the body, so the
 * writer does neither. false: res holds the refusal (send it; nothing is
 * queued). true: queue req. csrf_buf (API_CSRF_CHARS + 1) and who live as
 * long as req.
 */
bool api_preflight(struct api_ctx *ctx, struct api_request *req, struct actor *who, char *csrf_buf,
		   struct api_response *res);
/* Draw a reply left by a write (reply_case); nothing for any other response. */
void api_finish(struct api_ctx *ctx, struct api_response *res);
void api_response_release(struct api_response *res);

/* Build the {"error":{code,message,field}} body for e and set the status. */
void api_error(struct api_response *res, const struct err *e);

#endif
