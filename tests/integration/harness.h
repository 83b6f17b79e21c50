/*
 * harness.h — what the integration tests share: a temporary directory with
 * a demo database, the real `jiesu serve` on a free loopback port with a
 * fixed clock, HTTP calls through libcurl, CLI runs, and checks that print
 * the response when they fail.
 *
 * Memory: every json_t, token and captured output handed out by the
 * harness is owned by it and lives until h_reset() (called by h_teardown
 * after each test) or h_destroy(). Tests never free them.
 *
 * Include <stdarg.h>, <stddef.h>, <stdint.h>, <setjmp.h> and <cmocka.h>
 * before this header.
 */
#ifndef JIESU_TEST_HARNESS_H
#define JIESU_TEST_HARNESS_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#define H_PASSWORD "jiesu-demo"
#define H_NOW "2026-03-02T09:00:00+08:00"

/* A complaint in 八宝山街道, 石景山区 (requester 张三, 13812345678): a body for POST /api/v1/cases. */
extern const char h_complaint[];

struct harness {
	char dir[4096];      /* the temporary directory, removed by h_destroy */
	char template[4200]; /* the demo database made once by `jiesu init --demo` */
	char db[4200];       /* the database the current test uses */
	char bin[4096];      /* absolute path of the jiesu binary */
	int ndb;             /* databases handed out so far */
	pid_t pid;           /* the running server, or 0 */
	int port;
	char base[64]; /* "http://127.0.0.1:PORT", "https://..." when tls_cert is set */
	/* h_start serves HTTPS with these PEM files when tls_cert is not "" */
	char tls_cert[4200], tls_key[4200];
	long last_status;
	char *last_body;      /* raw text of the last HTTP response (NUL-terminated; may hold NULs) */
	size_t last_len;      /* its length in bytes */
	char last_type[128];  /* its Content-Type, "" if none */
	char *last_headers;   /* its header lines, raw */
#define H_MAX_HEADERS 8
	char *headers[H_MAX_HEADERS + 1]; /* extra request header lines sent until h_reset, NULL-ended */
	/* everything handed out since the last h_reset */
	json_t **jsons;
	size_t njsons, cap_jsons;
	char **strs;
	size_t nstrs, cap_strs;
};

/*
 * Make the temporary directory and the demo database (jiesu init --demo).
 * Returns NULL (after printing why) if that fails.
 */
struct harness *h_create(void);
/* Stop the server, free everything, remove the temporary directory. */
void h_destroy(struct harness *h);
/* Stop the server and free what the harness handed out. */
void h_reset(struct harness *h);

/*
 * Valgrind (make valgrind, scripts/valgrind.sh): with JIESU_VALGRIND set to
 * a log directory (or 1), every jiesu process the harness starts runs under
 * memcheck and every harness timeout is h_slow() times longer. A test that
 * depends on timing skips that part under valgrind, saying so ("skip: ...").
 */
bool h_valgrind(void);
/* The factor the harness multiplies its timeouts by: 1, or 20 under valgrind. */
int h_slow(void);
/* For a test that runs jiesu through a shell: the valgrind command to put before it ("" when off). */
const char *h_valgrind_shell(void);

/* cmocka group setup/teardown and per-test teardown wrappers around the above. */
int h_group_setup(void **state);
int h_group_teardown(void **state);
/* Per test: a fresh copy of the demo database, no server running. */
int h_setup(void **state);
int h_teardown(void **state);

/* A fresh copy of the demo database for h->db (the previous file stays). */
bool h_fresh_db(struct harness *h);

/*
 * Start `jiesu serve` on h->db with JIESU_NOW=now and JIESU_TOKEN_TTL=ttl
 * (either may be NULL: unset). Waits for its line on stdout and /healthz.
 */
bool h_start(struct harness *h, const char *now, const char *ttl);
/* SIGTERM the server and wait for it (SIGKILL after 10 s). Returns its exit status or -1. */
int h_stop(struct harness *h);

/*
 * Run `jiesu ARGS...` (NULL-terminated) with JIESU_NOW=now (NULL: unset).
 * Returns the exit code (-1 if it could not run or was killed); *out gets
 * its stdout and *err its stderr (either may be NULL), owned by the harness.
 */
int h_run(struct harness *h, const char *now, char **out, char **err, ...) __attribute__((sentinel));
/*
 * Run `sqlite3 -bail DB SQL` (behind jiesu's back: what an intruder or a
 * crash would do) and return its stdout (malloc'd), or NULL if it could not
 * run. *code gets its exit code (127: no sqlite3 on PATH).
 */
char *h_sqlite3(const char *db, const char *sql, int *code);

/*
 * One HTTP request. path may carry a query string; token NULL: no
 * Authorization; body NULL: none. A body is sent as application/json.
 * Returns the parsed body (NULL if it is not JSON); *status (may be NULL)
 * and h->last_status get the HTTP status, h->last_body the raw text.
 */
json_t *http(struct harness *h, const char *method, const char *path, const char *token, const char *body,
	     long *status);
/* The same with an explicit Content-Type (NULL: no Content-Type header at all). */
json_t *http_ct(struct harness *h, const char *method, const char *path, const char *token, const char *body,
		size_t body_len, const char *content_type, long *status);
/* Send these extra header lines ("Cookie: a=b") with every request until h_reset; NULL clears. */
void h_set_headers(struct harness *h, const char *const *lines);
/* A header of the last response (case-insensitive name), or NULL. Owned by the harness. */
const char *h_header(struct harness *h, const char *name);
/* Format a path or body (any length): hpath(h, "/api/v1/cases/%lld", id). Owned by the harness. */
const char *hpath(struct harness *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * The privacy scan http_ct runs on every reply but a reveal's (issue 7
 * part 2), by Content-Type: a JSON or CSV body, or the text inside an
 * Excel file (type ...spreadsheetml.sheet: each XML part unzipped), must
 * hold no full phone number (11 digits from 13-19 standing alone) and no
 * test requester's name (张三, 李四, 王五, 赵六). Returns what it found in
 * what ("phone number 13812345678", "requester name 张三 inside its Excel
 * file", "Excel file the privacy scan cannot read"), "" if nothing.
 */
const char *h_privacy_scan(const char *type, const char *body, size_t len, char *what, size_t wn);
/* The text of every part of an Excel (zip) body, newline-separated; NULL if it cannot be read. Owned by h. */
const char *h_xlsx_text(struct harness *h, const char *body, size_t len, size_t *text_len);

/* Log in; returns the token (fails the test unless the answer is 200 with a token). */
#define login(h, user, pass) h_login((h), (user), (pass), __FILE__, __LINE__)
const char *h_login(struct harness *h, const char *user, const char *pass, const char *file, int line);

/* The value at a dotted path: "events.0.action", "error.field". NULL if absent. */
json_t *jpath(json_t *root, const char *path);
/* Shortcuts for reading values (0 / NULL when absent). */
const char *jstr(json_t *root, const char *path);
long long jint(json_t *root, const char *path);
size_t jsize(json_t *root, const char *path);

/*
 * Checks. Each counts as one assertion; on failure it prints what was
 * expected, what came, and the JSON it looked at, then fails the test.
 */
void h_check_status(struct harness *h, long got, long want, const char *file, int line);
void h_check_str(json_t *j, const char *path, const char *want, const char *file, int line);
void h_check_int(json_t *j, const char *path, long long want, const char *file, int line);
void h_check_bool(json_t *j, const char *path, bool want, const char *file, int line);
void h_check_null(json_t *j, const char *path, const char *file, int line);
void h_check_size(json_t *j, const char *path, size_t want, const char *file, int line);
/* A number (integer or real) within tol of want. */
void h_check_real(json_t *j, const char *path, double want, double tol, const char *file, int line);
void h_check_error(struct harness *h, json_t *j, long status, const char *code, const char *field,
		   const char *file, int line);
void h_check_true(bool cond, const char *what, const char *detail, const char *file, int line);
/* How many checks ran (printed at the end of each test program). */
unsigned long h_checks(void);

#define EXPECT_STATUS(h, got, want) h_check_status((h), (got), (want), __FILE__, __LINE__)
#define EXPECT_STR(j, path, want) h_check_str((j), (path), (want), __FILE__, __LINE__)
#define EXPECT_INT(j, path, want) h_check_int((j), (path), (want), __FILE__, __LINE__)
#define EXPECT_BOOL(j, path, want) h_check_bool((j), (path), (want), __FILE__, __LINE__)
#define EXPECT_NULL(j, path) h_check_null((j), (path), __FILE__, __LINE__)
#define EXPECT_SIZE(j, path, want) h_check_size((j), (path), (want), __FILE__, __LINE__)
#define EXPECT_REAL(j, path, want, tol) h_check_real((j), (path), (want), (tol), __FILE__, __LINE__)
/* The status, error.code and error.field (NULL: JSON null), and a non-empty message. */
#define EXPECT_ERROR(h, j, status, code, field) h_check_error((h), (j), (status), (code), (field), __FILE__, __LINE__)
#define EXPECT_TRUE(cond, detail) h_check_true((cond), #cond, (detail), __FILE__, __LINE__)

#endif
