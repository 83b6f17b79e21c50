/*
 * http — the libmicrohttpd glue: start and stop the server, collect the
 * body within its limit, hand each request to the API, write the JSON
 * reply and one access-log line. Also runs the periodic deadline sweep.
 */
#ifndef JIESU_HTTP_H
#define JIESU_HTTP_H

#include "../core/core.h"

struct http_config {
	const char *db_path;
	const char *host; /* "127.0.0.1", "0.0.0.0", "::1" */
	int port;         /* 0 = any free port */
	int threads;      /* worker threads; 0 = number of cores */
	int sweep_seconds; /* interval of the deadline sweep; 0 = no sweep */
	const char *web_dir; /* serve the web pages from here; NULL = the embedded build */
	/* HTTPS (libmicrohttpd's GnuTLS): PEM certificate chain and key files; both NULL = plain HTTP */
	const char *tls_cert, *tls_key;
};

struct http_server;

enum err_code http_start(const struct http_config *cfg, struct http_server **out, struct err *e);
/* The port actually bound (useful with port 0). */
int http_port(const struct http_server *srv);
void http_stop(struct http_server *srv);

/* Parse "HOST:PORT" ("127.0.0.1:8080", "[::1]:8080"). */
bool http_parse_listen(const char *s, char *host, size_t hostsz, int *port);

#endif
