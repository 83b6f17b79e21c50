/*
 * bare_mhd — the baseline for jiesu's HTTP figures: libmicrohttpd in the
 * same mode jiesu uses (epoll, thread pool, answer on the second call),
 * returning a fixed small JSON body. Usage: bare_mhd PORT [THREADS]
 */
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
			       const char *version, const char *data, size_t *size, void **con_cls)
{
	static int first;
	if (!*con_cls) {
		*con_cls = &first;
		return MHD_YES;
	}
	if (*size) {
		*size = 0;
		return MHD_YES;
	}
	static const char body[] = "{\"status\":\"ok\"}";
	struct MHD_Response *r =
		MHD_create_response_from_buffer(sizeof(body) - 1, (void *)body, MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
	enum MHD_Result ret = MHD_queue_response(c, 200, r);
	MHD_destroy_response(r);
	return ret;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bare_mhd PORT [THREADS]\n");
		return 2;
	}
	unsigned port = (unsigned)atoi(argv[1]);
	unsigned threads = argc > 2 ? (unsigned)atoi(argv[2]) : (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
	struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD, (uint16_t)port, NULL, NULL, handler,
						NULL, MHD_OPTION_THREAD_POOL_SIZE, threads,
						MHD_OPTION_CONNECTION_LIMIT, 4000u, MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "bare_mhd: cannot listen on %u\n", port);
		return 1;
	}
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	printf("listening on %u\n", port);
	fflush(stdout);
	int sig;
	sigwait(&set, &sig);
	MHD_stop_daemon(d);
	return 0;
}
