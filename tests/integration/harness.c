/*
 * harness.c — see harness.h. Processes are started with fork/execve and an
 * explicit environment (under valgrind with JIESU_VALGRIND set); HTTP goes
 * through libcurl with a 10 s timeout (200 s under valgrind).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

extern char **environ;

/* Timeouts, each multiplied by slow (VG_SLOW under valgrind, else 1). */
#define HTTP_TIMEOUT_S 10L
#define START_TIMEOUT_MS 20000
#define RUN_TIMEOUT_MS 120000
#define STOP_TIMEOUT_MS 10000
#define DUMP_MAX 6000

static unsigned long check_count;

/* ------------------------------------------------------------ valgrind */

/*
 * make valgrind (scripts/valgrind.sh) sets JIESU_VALGRIND to a directory
 * (or to 1: valgrind/ beside the jiesu binary). Then every jiesu process
 * the harness starts — servers and commands — runs under valgrind's
 * memcheck, each writing its own log there (vg-PROGRAM-PID.log, PROGRAM the
 * test binary), exiting 99 on a memory error or a definitely lost block
 * (so a test that checks an exit status fails too), with the suppressions
 * of tests/valgrind.supp (JIESU_VALGRIND_SUPP names another file). Every
 * timeout is VG_SLOW times longer, and the demo database is made under
 * valgrind once per run and then copied (DIR/template.db).
 */
#define VG_SLOW 20
static struct {
	bool on, ready;
	char dir[4096];
	char bin[4096];	   /* valgrind's path */
	char log[4400];	   /* --log-file=DIR/vg-PROGRAM-%p.log */
	char supp[4400];   /* --suppressions=FILE, or "" */
	char shell[16384]; /* the same command line, quoted for sh -c, with a trailing space */
} vg;
static int slow = 1;

static void vg_init(void)
{
	if (vg.ready)
		return;
	vg.ready = true;
	const char *v = getenv("JIESU_VALGRIND");
	if (!v || !*v || !strcmp(v, "0"))
		return;
	if (!strcmp(v, "1")) {
		const char *bin = getenv("JIESU_BIN");
		char real[4096];
		if (!realpath(bin && *bin ? bin : "build/jiesu", real))
			snprintf(real, sizeof(real), "build/jiesu");
		char *slash = strrchr(real, '/');
		snprintf(vg.dir, sizeof(vg.dir), "%.*s/valgrind", slash ? (int)(slash - real) : 1,
			 slash ? real : ".");
	} else {
		snprintf(vg.dir, sizeof(vg.dir), "%s", v);
	}
	mkdir(vg.dir, 0700);
	const char *path = getenv("PATH");
	char cand[4096];
	for (const char *p = path && *path ? path : "/usr/bin:/bin"; *p;) {
		size_t n = strcspn(p, ":");
		snprintf(cand, sizeof(cand), "%.*s/valgrind", (int)n, p);
		if (access(cand, X_OK) == 0) {
			snprintf(vg.bin, sizeof(vg.bin), "%s", cand);
			break;
		}
		p += n + (p[n] == ':');
	}
	if (!vg.bin[0]) {
		fprintf(stderr, "harness: JIESU_VALGRIND is set but valgrind is not on PATH (scripts/deps.sh)\n");
		exit(1);
	}
	const char *prog = program_invocation_short_name;
	snprintf(vg.log, sizeof(vg.log), "--log-file=%s/vg-%s-%%p.log", vg.dir, prog);
	const char *supp = getenv("JIESU_VALGRIND_SUPP");
	if (!supp || !*supp)
		supp = access("tests/valgrind.supp", R_OK) == 0 ? "tests/valgrind.supp" : "";
	if (*supp) {
		char real[4096];
		snprintf(vg.supp, sizeof(vg.supp), "--suppressions=%s", realpath(supp, real) ? real : supp);
	}
	snprintf(vg.shell, sizeof(vg.shell),
		 "'%s' --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite "
		 "--error-exitcode=99 --child-silent-after-fork=yes '%s' %s%s%s ",
		 vg.bin, vg.log, vg.supp[0] ? "'" : "", vg.supp, vg.supp[0] ? "'" : "");
	vg.on = true;
	slow = VG_SLOW;
	fprintf(stderr, "harness: every jiesu process runs under valgrind, logs in %s\n", vg.dir);
}

bool h_valgrind(void)
{
	vg_init();
	return vg.on;
}

int h_slow(void)
{
	vg_init();
	return slow;
}

const char *h_valgrind_shell(void)
{
	vg_init();
	return vg.on ? vg.shell : "";
}

/* ------------------------------------------------------------ small helpers */

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void *xmalloc_or_die(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p) {
		fprintf(stderr, "harness: out of memory\n");
		abort();
	}
	return p;
}

static char *dup_or_die(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = xmalloc_or_die(n);
	memcpy(p, s, n);
	return p;
}

static json_t *keep_json(struct harness *h, json_t *j)
{
	if (!j)
		return NULL;
	if (h->njsons == h->cap_jsons) {
		h->cap_jsons = h->cap_jsons ? h->cap_jsons * 2 : 64;
		json_t **n = realloc(h->jsons, h->cap_jsons * sizeof(*n));
		if (!n)
			abort();
		h->jsons = n;
	}
	h->jsons[h->njsons++] = j;
	return j;
}

static char *keep_str(struct harness *h, char *s)
{
	if (!s)
		return NULL;
	if (h->nstrs == h->cap_strs) {
		h->cap_strs = h->cap_strs ? h->cap_strs * 2 : 64;
		char **n = realloc(h->strs, h->cap_strs * sizeof(*n));
		if (!n)
			abort();
		h->strs = n;
	}
	h->strs[h->nstrs++] = s;
	return s;
}

/* A growable byte buffer for captured output and HTTP bodies. */
struct sbuf {
	char *s;
	size_t len, cap;
};

static void sbuf_add(struct sbuf *b, const void *data, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *s = realloc(b->s, cap);
		if (!s)
			abort();
		b->s = s;
		b->cap = cap;
	}
	memcpy(b->s + b->len, data, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static char *sbuf_take(struct sbuf *b)
{
	if (!b->s)
		return dup_or_die("");
	char *s = b->s;
	b->s = NULL;
	b->len = b->cap = 0;
	return s;
}

static char *read_file(const char *path)
{
	struct sbuf b = {0};
	FILE *f = fopen(path, "rb");
	if (!f)
		return dup_or_die("");
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		sbuf_add(&b, chunk, n);
	fclose(f);
	return sbuf_take(&b);
}

static bool copy_file(const char *from, const char *to)
{
	int in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return false;
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (out < 0) {
		close(in);
		return false;
	}
	char chunk[65536];
	ssize_t n;
	bool ok = true;
	while ((n = read(in, chunk, sizeof(chunk))) > 0) {
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, chunk + off, (size_t)(n - off));
			if (w < 0) {
				if (errno == EINTR)
					continue;
				ok = false;
				break;
			}
			off += w;
		}
		if (!ok)
			break;
	}
	if (n < 0)
		ok = false;
	close(in);
	if (close(out) != 0)
		ok = false;
	return ok;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	remove(path);
	return 0;
}

const char h_complaint[] =
	"{\"type\":\"complaint\",\"channel\":\"phone\",\"title\":\"小区夜间施工噪音扰民\","
	"\"content\":\"八宝山街道某小区旁工地每晚十一点后仍在施工，噪音很大，影响休息。\","
	"\"address\":\"北京市石景山区八宝山街道某小区3号楼\","
	"\"requester\":{\"name\":\"张三\",\"phone\":\"13812345678\"},"
	"\"place\":{\"street\":\"110107001\"}}";

/* ------------------------------------------------------------ privacy */

/*
 * Personal data must not leak (issue 7 part 2): no reply but a reveal's
 * carries a requester's full phone number or the test requesters' names,
 * and no server log (the servers run at debug level) or command's stderr
 * carries either. A phone number is 11 digits from 13–19 standing alone
 * (not inside a longer run of digits, as unit codes are).
 */
static const char *const test_names[] = {"张三", "李四", "王五", "赵六", NULL};
static int privacy_leaks; /* found in server logs, reported by h_teardown */

static const char *find_phone(const char *s, size_t n)
{
	for (size_t i = 0; i + 11 <= n; i++) {
		if (s[i] != '1' || s[i + 1] < '3' || s[i + 1] > '9' || (i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9'))
			continue;
		size_t k = 2;
		while (k < 11 && s[i + k] >= '0' && s[i + k] <= '9')
			k++;
		if (k == 11 && (i + 11 == n || s[i + 11] < '0' || s[i + 11] > '9'))
			return s + i;
	}
	return NULL;
}

/* What personal data text holds ("" if none): a phone number or a test requester's name. */
static const char *personal_data(const char *s, size_t n, char *what, size_t wn)
{
	what[0] = '\0';
	if (!s)
		return what;
	const char *p = find_phone(s, n);
	if (p) {
		snprintf(what, wn, "phone number %.11s", p);
		return what;
	}
	for (size_t i = 0; test_names[i]; i++)
		if (memmem(s, n, test_names[i], strlen(test_names[i]))) {
			snprintf(what, wn, "requester name %s", test_names[i]);
			return what;
		}
	return what;
}

/*
 * An Excel reply is a zip of XML parts, most of them deflated, so the text
 * of its cells is not in the bytes as sent. xlsx_text returns the text of
 * every part, one after another with a newline between (malloc'd; *len its
 * length), or NULL if body is not a zip this reader can read — the central
 * directory gives each part's place and sizes, zlib inflates it, its CRC-32
 * must match. An export the scan cannot read is not taken as clean.
 */
#define XLSX_MAX_TEXT (64u << 20)

static uint32_t le16(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const unsigned char *p)
{
	return le16(p) | le16(p + 2) << 16;
}

static char *xlsx_text(const char *body, size_t n, size_t *len)
{
	const unsigned char *z = (const unsigned char *)body;
	struct sbuf out = {0};
	char *part = NULL;
	/* the end of central directory record: 22 bytes, then a comment of up to 65,535 */
	size_t eocd = SIZE_MAX;
	for (size_t i = n >= 22 ? n - 22 : 0; n >= 22 && n - i <= 22 + 65535; i--) {
		if (le32(z + i) == 0x06054b50 && i + 22 + le16(z + i + 20) == n) {
			eocd = i;
			break;
		}
		if (i == 0)
			break;
	}
	if (eocd == SIZE_MAX)
		return NULL;
	size_t entries = le16(z + eocd + 10), cd = le32(z + eocd + 16);
	if (entries == 0 || cd > eocd)
		return NULL;
	for (size_t k = 0, p = cd; k < entries; k++) {
		if (p + 46 > eocd || le32(z + p) != 0x02014b50)
			goto bad;
		uint32_t method = le16(z + p + 10), crc = le32(z + p + 16), csize = le32(z + p + 20),
			 usize = le32(z + p + 24), local = le32(z + p + 42);
		p += 46 + le16(z + p + 28) + le16(z + p + 30) + le16(z + p + 32);
		if ((size_t)local + 30 > cd || le32(z + local) != 0x04034b50)
			goto bad;
		size_t data = (size_t)local + 30 + le16(z + local + 26) + le16(z + local + 28);
		if (data > cd || csize > cd - data || usize >= XLSX_MAX_TEXT - out.len)
			goto bad;
		part = xmalloc_or_die((size_t)usize + 1);
		if (method == 0 && csize == usize) {
			memcpy(part, z + data, usize);
		} else if (method == 8) {
			z_stream s = {0};
			if (inflateInit2(&s, -MAX_WBITS) != Z_OK)
				goto bad;
			s.next_in = (Bytef *)(z + data);
			s.avail_in = csize;
			s.next_out = (Bytef *)part;
			s.avail_out = usize + 1; /* room to spare: a part longer than it says fails below */
			int r = inflate(&s, Z_FINISH);
			uLong got = s.total_out;
			inflateEnd(&s);
			if (r != Z_STREAM_END || got != usize)
				goto bad;
		} else {
			goto bad;
		}
		if (crc32(0, (const Bytef *)part, usize) != crc)
			goto bad;
		sbuf_add(&out, part, usize);
		sbuf_add(&out, "\n", 1);
		free(part);
		part = NULL;
	}
	*len = out.len;
	return sbuf_take(&out);
bad:
	free(part);
	free(out.s);
	return NULL;
}

static bool is_xlsx(const char *type)
{
	return strstr(type, "spreadsheetml") != NULL;
}

const char *h_privacy_scan(const char *type, const char *body, size_t len, char *what, size_t wn)
{
	what[0] = '\0';
	if (strstr(type, "json") || strstr(type, "csv"))
		return personal_data(body, len, what, wn);
	if (!is_xlsx(type))
		return what;
	size_t n = 0;
	char *text = xlsx_text(body, len, &n);
	if (!text) {
		snprintf(what, wn, "Excel file the privacy scan cannot read");
		return what;
	}
	char found[64];
	if (*personal_data(text, n, found, sizeof(found)))
		snprintf(what, wn, "%s inside its Excel file", found);
	free(text);
	return what;
}

const char *h_xlsx_text(struct harness *h, const char *body, size_t len, size_t *text_len)
{
	size_t n = 0;
	char *text = xlsx_text(body, len, &n);
	if (text_len)
		*text_len = text ? n : 0;
	return keep_str(h, text);
}

/* Scan a server's log file; a leak is printed and counted for h_teardown. */
static void privacy_scan_log(const char *path)
{
	char *log = read_file(path), what[64];
	if (log && *personal_data(log, strlen(log), what, sizeof(what))) {
		fprintf(stderr, "harness: PRIVACY: the server log %s holds a %s\n", path, what);
		privacy_leaks++;
	}
	free(log);
}

/* ------------------------------------------------------------ processes */

/*
 * The environment for a child: ours without JIESU_NOW / JIESU_TOKEN_TTL /
 * JIESU_LOG, plus the given ones. Returned array and strings are malloc'd.
 */
static char **child_env(const char *now, const char *ttl, const char *log_level)
{
	size_t n = 0;
	while (environ[n])
		n++;
	char **env = xmalloc_or_die((n + 4) * sizeof(*env));
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (!strncmp(environ[i], "JIESU_NOW=", 10) || !strncmp(environ[i], "JIESU_TOKEN_TTL=", 16) ||
		    !strncmp(environ[i], "JIESU_LOG=", 10))
			continue;
		env[k++] = dup_or_die(environ[i]);
	}
	char tmp[256];
	if (now) {
		snprintf(tmp, sizeof(tmp), "JIESU_NOW=%s", now);
		env[k++] = dup_or_die(tmp);
	}
	if (ttl) {
		snprintf(tmp, sizeof(tmp), "JIESU_TOKEN_TTL=%s", ttl);
		env[k++] = dup_or_die(tmp);
	}
	snprintf(tmp, sizeof(tmp), "JIESU_LOG=%s", log_level);
	env[k++] = dup_or_die(tmp);
	env[k] = NULL;
	return env;
}

static void free_env(char **env)
{
	for (char **p = env; *p; p++)
		free(*p);
	free(env);
}

/*
 * fork/execve bin with argv; stdout goes to a pipe (*out_fd, read end),
 * stderr to errpath (appended to, or replaced), stdin from /dev/null.
 * Returns the pid or -1.
 */
static pid_t spawn(const char *bin, char *const argv[], char **env, int *out_fd, const char *errpath, bool append)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		/* never outlive the test program, even if it crashes */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		int devnull = open("/dev/null", O_RDONLY);
		int err = open(errpath, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC), 0600);
		if (devnull >= 0)
			dup2(devnull, 0);
		dup2(p[1], 1);
		if (err >= 0)
			dup2(err, 2);
		if (vg.on) {
			char *vargv[80];
			int k = 0;
			vargv[k++] = vg.bin;
			vargv[k++] = (char *)"--leak-check=full";
			vargv[k++] = (char *)"--errors-for-leak-kinds=definite";
			vargv[k++] = (char *)"--show-leak-kinds=definite";
			vargv[k++] = (char *)"--error-exitcode=99";
			vargv[k++] = (char *)"--child-silent-after-fork=yes";
			vargv[k++] = vg.log;
			if (vg.supp[0])
				vargv[k++] = vg.supp;
			for (int i = 0; argv[i] && k < 79; i++)
				vargv[k++] = argv[i];
			vargv[k] = NULL;
			execve(vg.bin, vargv, env);
			_exit(127);
		}
		execve(bin, argv, env);
		_exit(127);
	}
	close(p[1]);
	*out_fd = p[0];
	return pid;
}

/* Wait for pid at most ms milliseconds; returns true and *status if it ended. */
static bool wait_for(pid_t pid, int ms, int *status)
{
	double end = now_ms() + (double)ms * slow;
	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			return true;
		if (r < 0 && errno != EINTR)
			return true; /* not our child any more */
		if (now_ms() > end)
			return false;
		usleep(10000);
	}
}

static int exit_code(int status)
{
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int h_run(struct harness *h, const char *now, char **out, char **err, ...)
{
	char *argv[64];
	int argc = 0;
	va_list ap;
	argv[argc++] = h->bin;
	va_start(ap, err);
	for (const char *a; (a = va_arg(ap, const char *)) && argc < 63;)
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc] = NULL;

	char errpath[4300];
	snprintf(errpath, sizeof(errpath), "%s/run.err", h->dir);
	char **env = child_env(now, NULL, "warn");
	int fd;
	pid_t pid = spawn(h->bin, argv, env, &fd, errpath, false);
	free_env(env);
	if (pid < 0) {
		fprintf(stderr, "harness: cannot start %s: %s\n", h->bin, strerror(errno));
		return -1;
	}
	struct sbuf b = {0};
	double end = now_ms() + (double)RUN_TIMEOUT_MS * slow;
	bool timed_out = false;
	for (;;) {
		struct pollfd pfd = {fd, POLLIN, 0};
		int left = (int)(end - now_ms());
		if (left <= 0) {
			timed_out = true;
			break;
		}
		int r = poll(&pfd, 1, left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			timed_out = true;
			break;
		}
		char chunk[4096];
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		sbuf_add(&b, chunk, (size_t)n);
	}
	close(fd);
	int status = 0;
	if (timed_out || !wait_for(pid, RUN_TIMEOUT_MS, &status)) {
		fprintf(stderr, "harness: %s %s timed out; killed\n", h->bin, argv[1]);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		free(b.s);
		return -1;
	}
	char *o = sbuf_take(&b);
	if (out)
		*out = keep_str(h, o);
	else
		free(o);
	char *e = read_file(errpath);
	char what[64];
	if (e && *personal_data(e, strlen(e), what, sizeof(what))) {
		char detail[512];
		snprintf(detail, sizeof(detail), "jiesu %s wrote a %s to stderr: %.300s", argv[1], what, e);
		h_check_true(false, "no personal data in messages", detail, __FILE__, __LINE__);
	}
	if (err)
		*err = keep_str(h, e);
	else
		free(e);
	return exit_code(status);
}

/* ------------------------------------------------------------ HTTP */

static size_t on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
	sbuf_add(ctx, data, size * nmemb);
	return size * nmemb;
}

/*
 * One request; returns the status (0 if no answer), the body in *raw
 * (malloc'd) with its length in *raw_len, and the response's Content-Type
 * in type (may be NULL; "" if none).
 */
static char tls_ca[4200]; /* h->tls_cert of the running server, or "" */

static long request(const char *base, const char *method, const char *path, const char *token, const char *body,
		    size_t body_len, const char *content_type, long timeout_ms, char **raw, size_t *raw_len,
		    char type[128], char *const *extra, char **headers_out)
{
	struct sbuf hb = {0};
	CURL *c = curl_easy_init();
	struct sbuf b = {0};
	struct curl_slist *hdr = NULL;
	char url[8192], line[512];
	long status = 0;
	if (!c)
		abort();
	snprintf(url, sizeof(url), "%s%s", base, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_PROXY, "");
	if (tls_ca[0]) /* an HTTPS server: its certificate is the one the test gave it */
		curl_easy_setopt(c, CURLOPT_CAINFO, tls_ca);
	hdr = curl_slist_append(hdr, "Expect:");
	hdr = curl_slist_append(hdr, "Accept: application/json");
	if (token) {
		snprintf(line, sizeof(line), "Authorization: Bearer %s", token);
		hdr = curl_slist_append(hdr, line);
	}
	for (int i = 0; extra && extra[i]; i++)
		hdr = curl_slist_append(hdr, extra[i]);
	if (headers_out) {
		curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_body);
		curl_easy_setopt(c, CURLOPT_HEADERDATA, &hb);
	}
	if (content_type) {
		snprintf(line, sizeof(line), "Content-Type: %s", content_type);
		hdr = curl_slist_append(hdr, line);
	} else {
		hdr = curl_slist_append(hdr, "Content-Type:"); /* none at all */
	}
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
	} else if (!strcmp(method, "GET")) {
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	CURLcode rc = curl_easy_perform(c);
	if (type)
		type[0] = '\0';
	if (rc == CURLE_OK) {
		char *ct = NULL;
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		if (type && curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct)
			snprintf(type, 128, "%s", ct);
	} else if (timeout_ms >= 1000)
		fprintf(stderr, "harness: %s %s: %s\n", method, path, curl_easy_strerror(rc));
	curl_slist_free_all(hdr);
	curl_easy_cleanup(c);
	if (raw_len)
		*raw_len = b.len;
	*raw = sbuf_take(&b);
	if (headers_out)
		*headers_out = sbuf_take(&hb);
	return status;
}

json_t *http_ct(struct harness *h, const char *method, const char *path, const char *token, const char *body,
		size_t body_len, const char *content_type, long *status)
{
	char *raw;
	size_t raw_len = 0;
	if (h->port) {
		free(h->last_headers);
		h->last_headers = NULL;
		h->last_status = request(h->base, method, path, token, body, body_len, content_type,
					 HTTP_TIMEOUT_S * 1000 * slow, &raw, &raw_len, h->last_type, h->headers,
					 &h->last_headers);
	} else {
		fprintf(stderr, "harness: %s %s with no server running\n", method, path);
		h->last_status = 0;
		h->last_type[0] = '\0';
		raw = dup_or_die("");
	}
	h->last_len = raw_len;
	free(h->last_body);
	h->last_body = raw;
	if (status)
		*status = h->last_status;
	/* data replies (JSON, CSV, Excel) show requesters masked: only a reveal answers with them in full */
	char what[96];
	if (!strstr(path, "/reveal") && *h_privacy_scan(h->last_type, raw, raw_len, what, sizeof(what))) {
		char detail[512];
		snprintf(detail, sizeof(detail), "%s %s answered with a %s: %.300s", method, path, what, raw);
		h_check_true(false, "no personal data in a reply", detail, __FILE__, __LINE__);
	}
	json_error_t jerr;
	return keep_json(h, json_loads(raw, 0, &jerr));
}

json_t *http(struct harness *h, const char *method, const char *path, const char *token, const char *body,
	     long *status)
{
	return http_ct(h, method, path, token, body, body ? strlen(body) : 0, body ? "application/json" : NULL,
		       status);
}

const char *hpath(struct harness *h, const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	return keep_str(h, s);
}

const char *h_login(struct harness *h, const char *user, const char *pass, const char *file, int line)
{
	json_t *body = json_pack("{s:s, s:s}", "login", user, "password", pass);
	char *text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	long status;
	json_t *j = http(h, "POST", "/api/v1/auth/login", NULL, text, &status);
	free(text);
	h_check_status(h, status, 200, file, line);
	const char *tok = jstr(j, "token");
	h_check_true(tok && strlen(tok) > 0, "login returned a token", h->last_body, file, line);
	return tok;
}

/* ------------------------------------------------------------ server */

bool h_start(struct harness *h, const char *now, const char *ttl)
{
	if (h->pid)
		h_stop(h);
	char logpath[4300];
	snprintf(logpath, sizeof(logpath), "%s/server-%d.log", h->dir, h->ndb);
	char *argv[] = {h->bin, (char *)"serve", (char *)"--db", h->db, (char *)"--listen", (char *)"127.0.0.1:0",
			(char *)"--sweep-seconds", (char *)"0", (char *)"--threads", (char *)"4",
			h->tls_cert[0] ? (char *)"--tls-cert" : NULL, h->tls_cert, (char *)"--tls-key", h->tls_key, NULL};
	snprintf(tls_ca, sizeof(tls_ca), "%s", h->tls_cert);
	char **env = child_env(now, ttl, "debug"); /* every server logs all it can: privacy_scan reads it */
	int fd;
	pid_t pid = spawn(h->bin, argv, env, &fd, logpath, true);
	free_env(env);
	if (pid < 0) {
		fprintf(stderr, "harness: cannot start the server: %s\n", strerror(errno));
		return false;
	}
	h->pid = pid;
	/* the one line on stdout: "jiesu listening on http://127.0.0.1:PORT/" */
	char line[256];
	size_t len = 0;
	double end = now_ms() + (double)START_TIMEOUT_MS * slow;
	bool got = false;
	while (len < sizeof(line) - 1) {
		struct pollfd pfd = {fd, POLLIN, 0};
		int left = (int)(end - now_ms());
		if (left <= 0)
			break;
		int r = poll(&pfd, 1, left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		ssize_t n = read(fd, line + len, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (line[len] == '\n') {
			got = true;
			break;
		}
		len++;
	}
	line[len] = '\0';
	close(fd);
	int port = 0;
	char tail[8] = "";
	if (!got ||
	    sscanf(line, h->tls_cert[0] ? "jiesu listening on https://127.0.0.1:%d%7s" : "jiesu listening on http://127.0.0.1:%d%7s",
		   &port, tail) != 2 ||
	    strcmp(tail, "/") != 0 || port <= 0 || port > 65535) {
		char *log = read_file(logpath);
		fprintf(stderr, "harness: the server did not announce itself (stdout: \"%s\")\n%s\n", line, log);
		free(log);
		h_stop(h);
		return false;
	}
	h->port = port;
	snprintf(h->base, sizeof(h->base), "%s://127.0.0.1:%d", h->tls_cert[0] ? "https" : "http", port);
	/* wait until /healthz answers */
	end = now_ms() + (double)START_TIMEOUT_MS * slow;
	while (now_ms() < end) {
		char *raw;
		long st = request(h->base, "GET", "/healthz", NULL, NULL, 0, NULL, 500L * slow, &raw, NULL, NULL,
				  NULL, NULL);
		free(raw);
		if (st == 200)
			return true;
		int status;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			h->pid = 0;
			h->port = 0;
			fprintf(stderr, "harness: the server exited (status %d) before /healthz answered\n",
				exit_code(status));
			return false;
		}
		usleep(20000);
	}
	fprintf(stderr, "harness: /healthz did not answer 200 within %d ms\n", START_TIMEOUT_MS * slow);
	h_stop(h);
	return false;
}

int h_stop(struct harness *h)
{
	if (!h->pid)
		return -1;
	char logpath[4300];
	snprintf(logpath, sizeof(logpath), "%s/server-%d.log", h->dir, h->ndb);
	pid_t pid = h->pid;
	int status = 0;
	h->pid = 0;
	h->port = 0;
	h->base[0] = '\0';
	kill(pid, SIGTERM);
	if (!wait_for(pid, STOP_TIMEOUT_MS, &status)) {
		fprintf(stderr, "harness: the server did not stop on SIGTERM within %d ms; killed\n",
			STOP_TIMEOUT_MS * slow);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		privacy_scan_log(logpath);
		return -1;
	}
	privacy_scan_log(logpath);
	return exit_code(status);
}

/* ------------------------------------------------------------ lifecycle */

struct harness *h_create(void)
{
	struct harness *h = calloc(1, sizeof(*h));
	if (!h)
		abort();
	const char *bin = getenv("JIESU_BIN");
	if (!bin || !*bin)
		bin = "build/jiesu";
	if (!realpath(bin, h->bin) || access(h->bin, X_OK) != 0) {
		fprintf(stderr, "harness: no executable jiesu at %s (set JIESU_BIN)\n", bin);
		free(h);
		return NULL;
	}
	const char *tmp = getenv("TMPDIR");
	snprintf(h->dir, sizeof(h->dir), "%s/jiesu-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(h->dir)) {
		fprintf(stderr, "harness: mkdtemp %s: %s\n", h->dir, strerror(errno));
		free(h);
		return NULL;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	snprintf(h->template, sizeof(h->template), "%s/template.db", h->dir);
	vg_init();
	char cached[4200];
	snprintf(cached, sizeof(cached), "%s/template.db", vg.dir);
	if (vg.on && copy_file(cached, h->template)) {
		/* made under valgrind by an earlier program of this run (3 minutes there) */
		h_reset(h);
		return h;
	}
	char *out, *err;
	int rc = h_run(h, H_NOW, &out, &err, "init", "--db", h->template, "--demo", (char *)NULL);
	if (rc == 0 && vg.on) {
		char part[4300];
		snprintf(part, sizeof(part), "%s.%d", cached, (int)getpid());
		if (copy_file(h->template, part))
			rename(part, cached);
	}
	if (rc != 0) {
		fprintf(stderr, "harness: jiesu init --demo failed (exit %d)\n%s\n%s\n", rc, out ? out : "",
			err ? err : "");
		h_destroy(h);
		return NULL;
	}
	h_reset(h);
	return h;
}

void h_reset(struct harness *h)
{
	h_stop(h);
	h->tls_cert[0] = h->tls_key[0] = '\0';
	for (size_t i = 0; i < h->njsons; i++)
		json_decref(h->jsons[i]);
	h->njsons = 0;
	for (size_t i = 0; i < h->nstrs; i++)
		free(h->strs[i]);
	h->nstrs = 0;
	free(h->last_body);
	h->last_body = NULL;
	free(h->last_headers);
	h->last_headers = NULL;
	h_set_headers(h, NULL);
	h->last_len = 0;
	h->last_type[0] = '\0';
	h->last_status = 0;
}

void h_set_headers(struct harness *h, const char *const *lines)
{
	for (int i = 0; h->headers[i]; i++) {
		free(h->headers[i]);
		h->headers[i] = NULL;
	}
	for (int i = 0; lines && lines[i] && i < H_MAX_HEADERS; i++)
		h->headers[i] = dup_or_die(lines[i]);
}

const char *h_header(struct harness *h, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = h->last_headers; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (!strncasecmp(p, name, n) && p[n] == ':') {
			const char *v = p + n + 1;
			while (*v == ' ')
				v++;
			size_t len = strcspn(v, "\r\n");
			return hpath(h, "%.*s", (int)len, v);
		}
	}
	return NULL;
}

void h_destroy(struct harness *h)
{
	if (!h)
		return;
	h_reset(h);
	free(h->jsons);
	free(h->strs);
	if (!getenv("JIESU_KEEP_TMP"))
		nftw(h->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	else
		fprintf(stderr, "harness: kept %s\n", h->dir);
	curl_global_cleanup();
	free(h);
}

bool h_fresh_db(struct harness *h)
{
	char side_from[4300], side_to[4300];
	h->ndb++;
	snprintf(h->db, sizeof(h->db), "%s/test-%d.db", h->dir, h->ndb);
	if (!copy_file(h->template, h->db)) {
		fprintf(stderr, "harness: cannot copy %s to %s: %s\n", h->template, h->db, strerror(errno));
		return false;
	}
	snprintf(side_from, sizeof(side_from), "%s-wal", h->template);
	snprintf(side_to, sizeof(side_to), "%s-wal", h->db);
	if (access(side_from, F_OK) == 0 && !copy_file(side_from, side_to))
		return false;
	return true;
}

int h_group_setup(void **state)
{
	struct harness *h = h_create();
	*state = h;
	return h ? 0 : -1;
}

int h_group_teardown(void **state)
{
	h_destroy(*state);
	*state = NULL;
	return privacy_leaks ? -1 : 0;
}

int h_setup(void **state)
{
	struct harness *h = *state;
	if (!h)
		return -1;
	h_reset(h);
	return h_fresh_db(h) ? 0 : -1;
}

int h_teardown(void **state)
{
	struct harness *h = *state;
	if (h)
		h_reset(h);
	/* a server log that held personal data fails the test that ran it */
	int leaks = privacy_leaks;
	privacy_leaks = 0;
	return leaks ? -1 : 0;
}

/* ------------------------------------------------------------ JSON access */

json_t *jpath(json_t *root, const char *path)
{
	json_t *cur = root;
	const char *p = path;
	while (cur && *p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		char seg[256];
		if (n >= sizeof(seg))
			return NULL;
		memcpy(seg, p, n);
		seg[n] = '\0';
		if (json_is_array(cur)) {
			char *end;
			long i = strtol(seg, &end, 10);
			if (*end || end == seg || i < 0)
				return NULL;
			cur = json_array_get(cur, (size_t)i);
		} else if (json_is_object(cur)) {
			cur = json_object_get(cur, seg);
		} else {
			return NULL;
		}
		p += n;
		if (*p == '.')
			p++;
	}
	return cur;
}

const char *jstr(json_t *root, const char *path)
{
	return json_string_value(jpath(root, path));
}

long long jint(json_t *root, const char *path)
{
	return (long long)json_integer_value(jpath(root, path));
}

size_t jsize(json_t *root, const char *path)
{
	json_t *v = jpath(root, path);
	return json_is_array(v) ? json_array_size(v) : json_is_object(v) ? json_object_size(v) : 0;
}

/* ------------------------------------------------------------ checks */

unsigned long h_checks(void)
{
	return check_count;
}

static void dump_json(json_t *j)
{
	if (!j) {
		print_error("  (no JSON)\n");
		return;
	}
	char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
	if (!s)
		return;
	if (strlen(s) > DUMP_MAX)
		strcpy(s + DUMP_MAX - 4, "...");
	fprintf(stderr, "  body: %s\n", s);
	fflush(stderr);
	free(s);
}

static void describe(json_t *v, char *out, size_t n)
{
	if (!v) {
		snprintf(out, n, "(absent)");
		return;
	}
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	snprintf(out, n, "%s", s ? s : "?");
	free(s);
	if (strlen(out) > 300)
		strcpy(out + 296, "...");
}

static void fail_at(json_t *j, const char *file, int line)
{
	dump_json(j);
	_fail(file, line);
}

void h_check_true(bool cond, const char *what, const char *detail, const char *file, int line)
{
	check_count++;
	if (cond)
		return;
	print_error("%s:%d: expected %s\n", file, line, what);
	if (detail)
		fprintf(stderr, "  %s\n", detail);
	fflush(stderr);
	_fail(file, line);
}

void h_check_status(struct harness *h, long got, long want, const char *file, int line)
{
	check_count++;
	if (got == want)
		return;
	print_error("%s:%d: HTTP status %ld, expected %ld\n", file, line, got, want);
	fprintf(stderr, "  body: %s\n", h->last_body ? h->last_body : "(none)");
	fflush(stderr);
	_fail(file, line);
}

void h_check_str(json_t *j, const char *path, const char *want, const char *file, int line)
{
	check_count++;
	json_t *v = jpath(j, path);
	if (want ? json_is_string(v) && !strcmp(json_string_value(v), want) : json_is_null(v))
		return;
	char got[320];
	describe(v, got, sizeof(got));
	print_error("%s:%d: %s is %s, expected %s%s%s\n", file, line, path, got, want ? "\"" : "",
		    want ? want : "null", want ? "\"" : "");
	fail_at(j, file, line);
}

void h_check_int(json_t *j, const char *path, long long want, const char *file, int line)
{
	check_count++;
	json_t *v = jpath(j, path);
	if (json_is_integer(v) && (long long)json_integer_value(v) == want)
		return;
	char got[320];
	describe(v, got, sizeof(got));
	print_error("%s:%d: %s is %s, expected %lld\n", file, line, path, got, want);
	fail_at(j, file, line);
}

void h_check_bool(json_t *j, const char *path, bool want, const char *file, int line)
{
	check_count++;
	json_t *v = jpath(j, path);
	if (json_is_boolean(v) && json_is_true(v) == want)
		return;
	char got[320];
	describe(v, got, sizeof(got));
	print_error("%s:%d: %s is %s, expected %s\n", file, line, path, got, want ? "true" : "false");
	fail_at(j, file, line);
}

void h_check_null(json_t *j, const char *path, const char *file, int line)
{
	h_check_str(j, path, NULL, file, line);
}

void h_check_size(json_t *j, const char *path, size_t want, const char *file, int line)
{
	check_count++;
	json_t *v = jpath(j, path);
	if ((json_is_array(v) || json_is_object(v)) && jsize(j, path) == want)
		return;
	char got[320];
	describe(v, got, sizeof(got));
	print_error("%s:%d: %s has %zu entries, expected %zu: %s\n", file, line, path, jsize(j, path), want, got);
	fail_at(j, file, line);
}

void h_check_real(json_t *j, const char *path, double want, double tol, const char *file, int line)
{
	check_count++;
	json_t *v = jpath(j, path);
	double d = json_is_number(v) ? json_number_value(v) - want : 0;
	if (json_is_number(v) && d <= tol && -d <= tol) /* no fabs: the tests link without libm */
		return;
	char got[320];
	describe(v, got, sizeof(got));
	print_error("%s:%d: %s is %s, expected %.10g (within %g)\n", file, line, path, got, want, tol);
	fail_at(j, file, line);
}

void h_check_error(struct harness *h, json_t *j, long status, const char *code, const char *field,
		   const char *file, int line)
{
	check_count++;
	json_t *f = jpath(j, "error.field");
	const char *msg = jstr(j, "error.message");
	const char *c = jstr(j, "error.code");
	bool field_ok = field ? json_is_string(f) && !strcmp(json_string_value(f), field) : json_is_null(f);
	if (h->last_status == status && c && !strcmp(c, code) && field_ok && msg && *msg)
		return;
	print_error("%s:%d: expected %ld {code \"%s\", field %s%s%s, a message}, got %ld\n", file, line, status,
		    code, field ? "\"" : "", field ? field : "null", field ? "\"" : "", h->last_status);
	fprintf(stderr, "  body: %s\n", h->last_body ? h->last_body : "(none)");
	fflush(stderr);
	_fail(file, line);
}

/*
 * Run `sqlite3 DB SQL` and return its stdout (malloc'd), or NULL if it
 * could not run. *code gets its exit code (127: no sqlite3 on PATH).
 */
char *h_sqlite3(const char *db, const char *sql, int *code)
{
	int p[2];
	*code = -1;
	if (pipe2(p, O_CLOEXEC) != 0)
		return NULL;
	pid_t pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return NULL;
	}
	if (pid == 0) {
		dup2(p[1], 1);
		execlp("sqlite3", "sqlite3", "-bail", db, sql, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	size_t len = 0, cap = 4096;
	char *out = malloc(cap);
	if (!out)
		abort();
	for (;;) {
		if (len + 1 == cap) {
			cap *= 2;
			char *o = realloc(out, cap);
			if (!o)
				abort();
			out = o;
		}
		ssize_t k = read(p[0], out + len, cap - len - 1);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		len += (size_t)k;
	}
	out[len] = '\0';
	close(p[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	*code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	return out;
}
