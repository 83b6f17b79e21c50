/*
 * cmd_serve.c — jiesu serve (the HTTP API with its deadline sweep) and
 * jiesu sweep (the same checks once, from cron or a test).
 */
#include "cli.h"
#include "../http/http.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int cmd_serve(int argc, char **argv)
{
	const char *db = NULL, *listen = "127.0.0.1:8080", *threads = NULL, *sweep = NULL, *web_dir = NULL,
		   *tls_cert = NULL, *tls_key = NULL;
	const struct cli_opt opts[] = {
		{"--db", &db, NULL, "database file"},
		{"--listen", &listen, NULL, "address:port to listen on (port 0 = any free port)"},
		{"--threads", &threads, NULL, "worker threads (default: number of cores)"},
		{"--sweep-seconds", &sweep, NULL, "deadline sweep interval (default 60; 0 = off)"},
		{"--web-dir", &web_dir, NULL, "serve the web pages from this directory (default: the built-in ones)"},
		{"--tls-cert", &tls_cert, NULL, "HTTPS: the certificate chain (PEM); with --tls-key"},
		{"--tls-key", &tls_key, NULL, "HTTPS: the private key (PEM); with --tls-cert"},
		{NULL, NULL, NULL, NULL},
	};
	const char *pos[CLI_MAX_POS];
	if (!cli_parse(argc, argv, opts, pos, 0, 0,
		       "jiesu serve --db PATH [--listen 127.0.0.1:8080] [--threads N] [--sweep-seconds N] [--web-dir DIR] "
		       "[--tls-cert FILE --tls-key FILE]"))
		return 2;
	struct http_config cfg = {
		.db_path = db, .sweep_seconds = 60, .web_dir = web_dir, .tls_cert = tls_cert, .tls_key = tls_key};
	char host[64];
	if (!db) {
		fprintf(stderr, "jiesu: --db PATH is required\n");
		return 2;
	}
	if (!cli_db_exists(db))
		return 1;
	if (!http_parse_listen(listen, host, sizeof(host), &cfg.port)) {
		fprintf(stderr, "jiesu: --listen %s is not HOST:PORT (e.g. 127.0.0.1:8080)\n", listen);
		return 2;
	}
	cfg.host = host;
	if (threads && !cli_int("--threads", threads, 1, 256, &cfg.threads))
		return 2;
	if (web_dir) {
		char probe[4096];
		snprintf(probe, sizeof(probe), "%s/index.html", web_dir);
		if (access(probe, R_OK) != 0) {
			fprintf(stderr, "jiesu: --web-dir %s has no index.html (build the pages: make web)\n", web_dir);
			return 2;
		}
	}
	if (sweep && !cli_int("--sweep-seconds", sweep, 0, 86400, &cfg.sweep_seconds))
		return 2;
	if (!tls_cert != !tls_key) {
		fprintf(stderr, "jiesu: HTTPS needs both --tls-cert and --tls-key\n");
		return 2;
	}
	for (int i = 0; i < 2; i++) {
		const char *f = i ? tls_key : tls_cert;
		if (f && access(f, R_OK) != 0) {
			fprintf(stderr, "jiesu: cannot read %s (%s)\n", f, i ? "--tls-key" : "--tls-cert");
			return 2;
		}
	}

	/* Block the stop signals in every thread; the main thread waits for them. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct http_server *srv;
	struct err e;
	err_init(&e);
	if (http_start(&cfg, &srv, &e) != OK)
		return cli_fail(&e);
	printf("jiesu listening on %s://%s:%d/\n", tls_cert ? "https" : "http", host, http_port(srv));
	fflush(stdout);
	log_info("serving %s on %s:%d", db, host, http_port(srv));
	int sig;
	sigwait(&set, &sig);
	log_info("stopping on signal %d", sig);
	http_stop(srv);
	return 0;
}

int cmd_sweep(int argc, char **argv)
{
	const char *db = NULL;
	const struct cli_opt opts[] = {{"--db", &db, NULL, "database file"}, {NULL, NULL, NULL, NULL}};
	const char *pos[CLI_MAX_POS];
	if (!cli_parse(argc, argv, opts, pos, 0, 0, "jiesu sweep --db PATH"))
		return 2;
	struct store *st;
	if (!cli_open_store(db, &st))
		return 1;
	struct case_ctx cx;
	struct err e;
	err_init(&e);
	int n = 0, rc = 0;
	if (case_ctx_load(&cx, st, &e) != OK || case_sweep(&cx, clock_now(), &n, &e) != OK)
		rc = cli_fail(&e);
	else
		printf("sweep: %d deadline events\n", n);
	case_ctx_release(&cx);
	store_close(st);
	return rc;
}
