/*
 * core — the bottom layer every other module uses: out-of-memory-safe
 * allocation, the error enum and its context, a growable buffer with a hard
 * cap, the clock, logging, and small text helpers (UTF-8 length, ISO 8601).
 *
 * Nothing here knows about cases, SQL or HTTP.
 */
#ifndef JIESU_CORE_H
#define JIESU_CORE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/* ---- allocation: abort on out-of-memory (we are an application) ---- */
void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * ---- errors ----
 * One enum, 0 = OK. Each row: name, HTTP status, machine code, default
 * message shown to a user. The API layer maps code → status and never
 * invents its own numbers.
 */
#define ERROR_TABLE(X)                                                            \
	X(OK, 200, "ok", "成功")                                                   \
	X(E_INVALID, 400, "invalid", "输入不合法")                                 \
	X(E_MALFORMED, 400, "malformed_json", "请求体不是合法的 JSON")             \
	X(E_UNAUTHENTICATED, 401, "unauthenticated", "请先登录")                   \
	X(E_BAD_CREDENTIALS, 401, "bad_credentials", "账号或密码错误")             \
	X(E_TOKEN_EXPIRED, 401, "token_expired", "登录已过期，请重新登录")         \
	X(E_FORBIDDEN, 403, "forbidden", "无权执行此操作")                         \
	X(E_CSRF, 403, "csrf", "页面校验码缺失或不符，请刷新页面后重试")           \
	X(E_NOT_FOUND, 404, "not_found", "未找到")                                 \
	X(E_METHOD, 405, "method_not_allowed", "不支持该请求方法")                 \
	X(E_STATE, 409, "invalid_state", "当前状态不允许此操作")                   \
	X(E_CONFLICT, 409, "conflict", "与已有数据冲突")                           \
	X(E_TOO_LARGE, 413, "too_large", "请求体过大")                             \
	X(E_TOO_MANY, 429, "too_many_attempts", "尝试次数过多，请稍后再试")        \
	X(E_UNSUPPORTED_MEDIA, 415, "unsupported_media_type", "请求体须为 JSON")   \
	X(E_IO, 500, "io_error", "读写失败")                                       \
	X(E_STORAGE, 507, "insufficient_storage", "存储空间不足，本次操作未保存") \
	X(E_DB, 500, "database_error", "数据库错误")                               \
	X(E_INTERNAL, 500, "internal", "内部错误")

enum err_code {
#define X(name, status, code, msg) name,
	ERROR_TABLE(X)
#undef X
};

/*
 * The caller passes one of these down; the first failure fills it in.
 * field names the input that was wrong ("title", "requester.phone"), or is
 * empty; msg is a sentence a user can act on.
 */
struct err {
	enum err_code code;
	char field[64];
	char msg[256];
};

void err_init(struct err *e);
/*
 * Set code, field (may be NULL) and a printf-style message; returns code.
 * Both are cut to fit and kept valid UTF-8 (a character cut in two is
 * dropped, other invalid bytes become '?'): they go into JSON replies.
 */
enum err_code err_set(struct err *e, enum err_code code, const char *field,
		      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int err_http_status(enum err_code code);
const char *err_code_name(enum err_code code);
const char *err_default_message(enum err_code code);

/*
 * ---- buf: a growable NUL-terminated byte buffer with a hard maximum ----
 * buf->s is never NULL after buf_init and always NUL-terminated. Appending
 * past max sets buf->overflow and keeps what fitted, so untrusted input can
 * never grow memory without bound.
 */
struct buf {
	char *s;
	size_t len, alloc, max;
	bool overflow;
};
#define BUF_NOMAX ((size_t)-1)
void buf_init(struct buf *b, size_t max);
void buf_release(struct buf *b);
bool buf_add(struct buf *b, const void *data, size_t n);
bool buf_adds(struct buf *b, const char *s);
bool buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool buf_vaddf(struct buf *b, const char *fmt, va_list ap);
void buf_reset(struct buf *b);
/* Hand the string to the caller (who frees it); b is left released (buf_init to use it again). */
char *buf_detach(struct buf *b);

/*
 * ---- jw: JSON text written straight into a buf ----
 * For the replies drawn on every request (a case, a page of an inbox):
 * building a jansson tree and printing it cost more than reading the case
 * (perf, docs/PERFORMANCE.md), so these write compact JSON as they go.
 * A comma is put before a key or an array element by looking at the last
 * byte written ('{', '[' and ':' take none). Strings are escaped as jansson
 * escapes them; reals print as jansson's JSON_REAL_PRECISION(12).
 */
void jw_open(struct buf *b, char brace); /* '{' or '[' */
void jw_close(struct buf *b, char brace); /* '}' or ']' */
void jw_key(struct buf *b, const char *key);
void jw_str(struct buf *b, const char *s); /* NULL: null */
void jw_int(struct buf *b, int64_t v);
void jw_real(struct buf *b, double v);
void jw_bool(struct buf *b, bool v);
void jw_null(struct buf *b);
void jw_time(struct buf *b, int64_t t); /* local ISO 8601 time; 0: null */
void jw_raw(struct buf *b, const char *json, size_t n); /* a value that is JSON text already */

/*
 * ---- clock ----
 * All times are Unix seconds, UTC. clock_now() is the only function that
 * reads the system clock; JIESU_NOW (ISO 8601 with offset) fixes it.
 * Local display time is Asia/Shanghai, UTC+8 all year (no DST since 1991).
 */
#define LOCAL_UTC_OFFSET (8 * 3600)
int64_t clock_now(void);
/* Monotonic milliseconds, for durations only. */
double clock_mono_ms(void);
/*
 * Parse "YYYY-MM-DDTHH:MM[:SS[.fff]](Z|±HH:MM)" or a date "YYYY-MM-DD"
 * (taken as local midnight). Returns false on anything else.
 */
bool time_parse_iso(const char *s, int64_t *out);
/* Format t as local time "2026-01-05T09:30:00+08:00"; out must hold 26 bytes. */
void time_format_iso(int64_t t, char out[26]);
/* Local calendar date of t as days since 1970-01-01 (local). */
int64_t time_local_day(int64_t t);
/* Days since epoch ↔ y/m/d (proleptic Gregorian). */
int64_t days_from_civil(int y, int m, int d);
void civil_from_days(int64_t z, int *y, int *m, int *d);
/* Parse "YYYY-MM-DD" into days since epoch. */
bool date_parse(const char *s, int64_t *days);

/* ---- text ---- */
/* Number of UTF-8 code points in s (s is assumed valid UTF-8). */
size_t utf8_len(const char *s);
bool utf8_valid(const char *s, size_t n);
/* Copy src into dst of size n; returns false if it had to truncate. */
bool strlcpy_ok(char *dst, const char *src, size_t n);
bool str_has_prefix(const char *s, const char *prefix);
/* FNV-1a of s, going on from h: STR_HASH_START to start, or another string's hash to hash both. */
#define STR_HASH_START 1469598103934665603ULL
uint64_t str_hash(uint64_t h, const char *s);

/*
 * ---- log ----
 * One line per message on stderr: time, level, text. The level is checked
 * before the arguments are formatted. Never pass a body, a token, a name
 * or a phone number.
 */
enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };
extern enum log_level log_threshold;
void log_set_level_from_env(void);
void log_write(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_at(lvl, ...)                                    \
	do {                                                \
		if ((lvl) >= log_threshold)                 \
			log_write((lvl), __VA_ARGS__);      \
	} while (0)
#define log_debug(...) log_at(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_at(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_at(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_at(LOG_ERROR, __VA_ARGS__)

/*
 * ---- strmap: string keys → int64, open addressing, grows at half full ----
 * Keys are copied. A zeroed struct is an empty map.
 */
struct strmap {
	char **keys;
	int64_t *vals;
	size_t n, cap;
};
/* Pointer to key's value, or NULL. */
int64_t *strmap_get(const struct strmap *m, const char *key);
/* Add key → val unless present: NULL if added, else a pointer to the value already there. */
int64_t *strmap_add(struct strmap *m, const char *key, int64_t val);
void strmap_release(struct strmap *m);

/*
 * ---- csv ----
 * RFC 4180 reader over a memory buffer: quoted fields, doubled quotes,
 * CRLF or LF. Each row is handed to the callback; fields point into a
 * scratch buffer valid for that call only. A row longer than CSV_MAX_ROW
 * bytes or with more than CSV_MAX_FIELDS fields is an error.
 */
#define CSV_MAX_FIELDS 32
#define CSV_MAX_ROW 8192
typedef int (*csv_row_fn)(void *ctx, size_t lineno, int nfields, char **fields, struct err *e);
enum err_code csv_parse(const char *data, size_t len, csv_row_fn fn, void *ctx, struct err *e);
/* True if a row is exactly the expected header, column for column. */
bool csv_header_is(int nfields, char **fields, const char *const *want, int nwant);

/* Read a whole file (at most max bytes) into a malloc'd NUL-terminated buffer. */
enum err_code file_read_all(const char *path, size_t max, char **out, size_t *len, struct err *e);

/*
 * ---- embedded files ----
 * Data files and SQL compiled into the binary by tools/embed.c (see the
 * Makefile): "data/beijing/streets.csv", "sql/sqlite/0001-init.sql", ...
 * data is NUL-terminated; len excludes the NUL.
 */
struct embedded_file {
	const char *name;
	const unsigned char *data;
	size_t len;
};
extern const struct embedded_file embedded_files[];
extern const size_t embedded_files_count;
const struct embedded_file *embed_find(const char *name);

#endif
