/*
 * core.c — allocation, errors, buffers, clock, text and log helpers.
 */
#include "core.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---------------------------------------------------------------- alloc */

static void oom(size_t n)
{
	fprintf(stderr, "fatal: out of memory allocating %zu bytes\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *xcalloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);
	if (!p)
		oom(count * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s ? s : "");
	if (!p)
		oom(strlen(s));
	return p;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);
	if (!p)
		oom(n);
	return p;
}

/* ---------------------------------------------------------------- errors */

static const struct {
	int status;
	const char *code;
	const char *msg;
} err_rows[] = {
#define X(name, status, code, msg) {status, code, msg},
	ERROR_TABLE(X)
#undef X
};

void err_init(struct err *e)
{
	e->code = OK;
	e->field[0] = '\0';
	e->msg[0] = '\0';
}

/* Length of the valid UTF-8 character at p, with n bytes left; 0 if there is none. */
static size_t utf8_char(const unsigned char *p, size_t n)
{
	unsigned c = *p, min;
	size_t k;
	if (c < 0x80)
		return 1;
	else if ((c & 0xE0) == 0xC0)
		k = 1, min = 0x80, c &= 0x1F;
	else if ((c & 0xF0) == 0xE0)
		k = 2, min = 0x800, c &= 0x0F;
	else if ((c & 0xF8) == 0xF0)
		k = 3, min = 0x10000, c &= 0x07;
	else
		return 0;
	if (n <= k)
		return 0;
	for (size_t i = 1; i <= k; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	return k + 1;
}

/*
 * Make s valid UTF-8 in place, as a JSON reply needs it. An error's field
 * and message quote what a client sent, which may be any bytes, and the
 * capped copy may cut the last character in two: a character cut at the
 * end is dropped, any other byte that starts no character becomes '?'.
 */
static void utf8_mend(char *s)
{
	unsigned char *p = (unsigned char *)s;
	size_t n = strlen(s);
	for (size_t i = 0, k; i < n; i += k) {
		if ((k = utf8_char(p + i, n - i)))
			continue;
		size_t want = p[i] >= 0xF0 ? 4 : p[i] >= 0xE0 ? 3 : p[i] >= 0xC0 ? 2 : 0, j = i + 1;
		while (j < n && (p[j] & 0xC0) == 0x80)
			j++;
		if (want && j == n && n - i < want) {
			s[i] = '\0';
			return;
		}
		p[i] = '?';
		k = 1;
	}
}

enum err_code err_set(struct err *e, enum err_code code, const char *field, const char *fmt, ...)
{
	if (!e)
		return code;
	e->code = code;
	strlcpy_ok(e->field, field ? field : "", sizeof(e->field));
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
		va_end(ap);
	} else {
		strlcpy_ok(e->msg, err_default_message(code), sizeof(e->msg));
	}
	utf8_mend(e->field);
	utf8_mend(e->msg);
	return code;
}

int err_http_status(enum err_code code)
{
	return (size_t)code < ARRAY_SIZE(err_rows) ? err_rows[code].status : 500;
}

const char *err_code_name(enum err_code code)
{
	return (size_t)code < ARRAY_SIZE(err_rows) ? err_rows[code].code : "internal";
}

const char *err_default_message(enum err_code code)
{
	return (size_t)code < ARRAY_SIZE(err_rows) ? err_rows[code].msg : "内部错误";
}

/* ---------------------------------------------------------------- buf */

void buf_init(struct buf *b, size_t max)
{
	b->alloc = 64;
	b->s = xmalloc(b->alloc);
	b->s[0] = '\0';
	b->len = 0;
	b->max = max;
	b->overflow = false;
}

void buf_release(struct buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->alloc = 0;
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	b->s[0] = '\0';
	b->overflow = false;
}

char *buf_detach(struct buf *b)
{
	char *s = b->s;
	b->s = NULL; /* released: nothing left for the caller to free */
	b->len = b->alloc = 0;
	return s;
}

static bool buf_grow(struct buf *b, size_t extra)
{
	if (extra > b->max - b->len) {
		b->overflow = true;
		return false;
	}
	size_t need = b->len + extra + 1;
	if (need > b->alloc) {
		size_t n = b->alloc;
		while (n < need)
			n = n < SIZE_MAX / 2 ? n * 2 : need;
		b->s = xrealloc(b->s, n);
		b->alloc = n;
	}
	return true;
}

bool buf_add(struct buf *b, const void *data, size_t n)
{
	if (!buf_grow(b, n))
		return false;
	memcpy(b->s + b->len, data, n);
	b->len += n;
	b->s[b->len] = '\0';
	return true;
}

bool buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

bool buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0 || !buf_grow(b, (size_t)n))
		return false;
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return true;
}

bool buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	bool ok = buf_vaddf(b, fmt, ap);
	va_end(ap);
	return ok;
}

/* ---------------------------------------------------------------- jw */

/* A comma before a key or an array element, unless it opens its container. */
static void jw_sep(struct buf *b)
{
	char last = b->len ? b->s[b->len - 1] : '{';
	if (last != '{' && last != '[' && last != ':')
		buf_add(b, ",", 1);
}

void jw_open(struct buf *b, char brace)
{
	jw_sep(b);
	buf_add(b, &brace, 1);
}

void jw_close(struct buf *b, char brace)
{
	buf_add(b, &brace, 1);
}

/* s as a JSON string: '"', '\\' and control characters escaped, UTF-8 kept as it is */
static void jw_quote(struct buf *b, const char *s)
{
	buf_add(b, "\"", 1);
	for (;;) {
		size_t run = 0; /* up to the next byte to escape (strcspn with this set is slower) */
		while ((unsigned char)s[run] >= 0x20 && s[run] != '"' && s[run] != '\\')
			run++;
		buf_add(b, s, run);
		s += run;
		if (!*s)
			break;
		char esc[8];
		switch (*s) {
		case '"': memcpy(esc, "\\\"", 3); break;
		case '\\': memcpy(esc, "\\\\", 3); break;
		case '\b': memcpy(esc, "\\b", 3); break;
		case '\f': memcpy(esc, "\\f", 3); break;
		case '\n': memcpy(esc, "\\n", 3); break;
		case '\r': memcpy(esc, "\\r", 3); break;
		case '\t': memcpy(esc, "\\t", 3); break;
		default: snprintf(esc, sizeof(esc), "\\u%04X", (unsigned)(unsigned char)*s); break;
		}
		buf_adds(b, esc);
		s++;
	}
	buf_add(b, "\"", 1);
}

void jw_key(struct buf *b, const char *key)
{
	jw_sep(b);
	jw_quote(b, key);
	buf_add(b, ":", 1);
}

void jw_str(struct buf *b, const char *s)
{
	if (!s) {
		jw_null(b);
		return;
	}
	jw_sep(b);
	jw_quote(b, s);
}

void jw_int(struct buf *b, int64_t v)
{
	char d[24], *p = d + sizeof(d);
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--p = '-';
	jw_sep(b);
	buf_add(b, p, (size_t)(d + sizeof(d) - p));
}

void jw_real(struct buf *b, double v)
{
	char d[40];
	int n = snprintf(d, sizeof(d), "%.12g", v);
	if (n < 0 || (size_t)n >= sizeof(d) - 2) {
		jw_null(b);
		return;
	}
	if (!strchr(d, '.') && !strchr(d, 'e')) /* still a real when read back */
		memcpy(d + n, ".0", 3);
	char *x = strchr(d, 'e');
	if (x) { /* 1e+20 → 1e20, 1e-05 → 1e-5 */
		char *from = x + 1, *to = x + 1;
		if (*from == '-')
			from++, to++;
		else if (*from == '+')
			from++;
		while (*from == '0' && from[1])
			from++;
		memmove(to, from, strlen(from) + 1);
	}
	jw_sep(b);
	buf_adds(b, d);
}

void jw_bool(struct buf *b, bool v)
{
	jw_sep(b);
	buf_adds(b, v ? "true" : "false");
}

void jw_null(struct buf *b)
{
	jw_sep(b);
	buf_add(b, "null", 4);
}

void jw_time(struct buf *b, int64_t t)
{
	if (!t) {
		jw_null(b);
		return;
	}
	char s[26];
	time_format_iso(t, s);
	jw_sep(b);
	buf_add(b, "\"", 1);
	buf_adds(b, s);
	buf_add(b, "\"", 1);
}

void jw_raw(struct buf *b, const char *json, size_t n)
{
	jw_sep(b);
	buf_add(b, json, n);
}

/* ---------------------------------------------------------------- time */

/* Howard Hinnant's days_from_civil: exact for the proleptic Gregorian calendar. */
int64_t days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (unsigned)((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	z += 719468;
	const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	const unsigned doe = (unsigned)(z - era * 146097);
	const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	const int64_t yy = (int64_t)yoe + era * 400;
	const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	const unsigned mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yy + (*m <= 2));
}

static int days_in_month(int y, int m)
{
	static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

/* Read exactly n digits; returns -1 if any is not a digit. */
static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

bool date_parse(const char *s, int64_t *days)
{
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
	if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return false;
	*days = days_from_civil(y, m, d);
	return true;
}

bool time_parse_iso(const char *s, int64_t *out)
{
	int64_t days;
	size_t n = strlen(s);
	if (n == 10) {
		if (!date_parse(s, &days))
			return false;
		*out = days * 86400 - LOCAL_UTC_OFFSET;
		return true;
	}
	if (n < 16 || (s[10] != 'T' && s[10] != ' '))
		return false;
	char date[11];
	memcpy(date, s, 10);
	date[10] = '\0';
	if (!date_parse(date, &days))
		return false;
	int hh = digits(s + 11, 2), mm = s[13] == ':' ? digits(s + 14, 2) : -1, ss = 0;
	if (hh < 0 || hh > 23 || mm < 0 || mm > 59)
		return false;
	const char *p = s + 16;
	if (*p == ':') {
		ss = digits(p + 1, 2);
		if (ss < 0 || ss > 60)
			return false;
		p += 3;
		if (*p == '.') {
			p++;
			if (*p < '0' || *p > '9')
				return false;
			while (*p >= '0' && *p <= '9')
				p++;
		}
	}
	int64_t off;
	if (*p == 'Z' && p[1] == '\0') {
		off = 0;
	} else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
		int oh = digits(p + 1, 2), om = digits(p + 4, 2);
		if (oh < 0 || oh > 14 || om < 0 || om > 59)
			return false;
		off = (oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
	} else {
		return false;
	}
	*out = days * 86400 + hh * 3600 + mm * 60 + ss - off;
	return true;
}

void time_format_iso(int64_t t, char out[26])
{
	int64_t l = t + LOCAL_UTC_OFFSET;
	int64_t days = l >= 0 ? l / 86400 : (l - 86399) / 86400;
	int64_t secs = l - days * 86400;
	int y, m, d;
	civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999) { /* never a case's time; printed as it comes */
		char tmp[64];
		snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02d+08:00", y, m, d, (int)(secs / 3600),
			 (int)(secs / 60 % 60), (int)(secs % 60));
		strlcpy_ok(out, tmp, 26);
		return;
	}
	/* digit by digit: this runs for every time of every case drawn */
	int v[6] = {y, m, d, (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60)};
	memcpy(out, "0000-00-00T00:00:00+08:00", 26);
	static const int at[6] = {3, 6, 9, 12, 15, 18};
	for (int i = 0; i < 6; i++)
		for (int k = at[i], x = v[i]; x; x /= 10)
			out[k--] = (char)('0' + x % 10);
}

int64_t time_local_day(int64_t t)
{
	int64_t l = t + LOCAL_UTC_OFFSET;
	return l >= 0 ? l / 86400 : (l - 86399) / 86400;
}

int64_t clock_now(void)
{
	const char *fixed = getenv("JIESU_NOW");
	int64_t t;
	if (fixed && *fixed && time_parse_iso(fixed, &t))
		return t;
	return (int64_t)time(NULL);
}

double clock_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* ---------------------------------------------------------------- text */

size_t utf8_len(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

bool utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0, k; i < n; i += k)
		if (!(k = utf8_char(p + i, n - i)))
			return false;
	return true;
}

bool strlcpy_ok(char *dst, const char *src, size_t n)
{
	size_t l = strlen(src);
	if (l < n) {
		memcpy(dst, src, l + 1);
		return true;
	}
	if (n) {
		memcpy(dst, src, n - 1);
		dst[n - 1] = '\0';
	}
	return false;
}

bool str_has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* ---------------------------------------------------------------- log */

enum log_level log_threshold = LOG_INFO;

void log_set_level_from_env(void)
{
	const char *v = getenv("JIESU_LOG");
	if (!v)
		return;
	if (!strcmp(v, "debug"))
		log_threshold = LOG_DEBUG;
	else if (!strcmp(v, "info"))
		log_threshold = LOG_INFO;
	else if (!strcmp(v, "warn"))
		log_threshold = LOG_WARN;
	else if (!strcmp(v, "error"))
		log_threshold = LOG_ERROR;
}

void log_write(enum log_level lvl, const char *fmt, ...)
{
	static const char *names[] = {"debug", "info", "warn", "error"};
	char ts[26], line[1024];
	time_format_iso((int64_t)time(NULL), ts);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s %s %s\n", ts, names[lvl], line);
}

/* ---------------------------------------------------------------- strmap */

uint64_t str_hash(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL; /* FNV-1a */
	return h;
}

/* The slot holding key, or the empty slot where it would go; cap must be > 0. */
static size_t strmap_slot(const struct strmap *m, const char *key)
{
	size_t j = str_hash(STR_HASH_START, key) & (m->cap - 1);
	while (m->keys[j] && strcmp(m->keys[j], key) != 0)
		j = (j + 1) & (m->cap - 1);
	return j;
}

static void strmap_grow(struct strmap *m)
{
	struct strmap n = {.cap = m->cap ? m->cap * 2 : 256, .n = m->n};
	n.keys = xcalloc(n.cap, sizeof(*n.keys));
	n.vals = xcalloc(n.cap, sizeof(*n.vals));
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->keys[i])
			continue;
		size_t j = strmap_slot(&n, m->keys[i]);
		n.keys[j] = m->keys[i];
		n.vals[j] = m->vals[i];
	}
	free(m->keys);
	free(m->vals);
	*m = n;
}

int64_t *strmap_get(const struct strmap *m, const char *key)
{
	if (!m->cap)
		return NULL;
	size_t j = strmap_slot(m, key);
	return m->keys[j] ? &m->vals[j] : NULL;
}

int64_t *strmap_add(struct strmap *m, const char *key, int64_t val)
{
	int64_t *old = strmap_get(m, key);
	if (old)
		return old;
	if (2 * (m->n + 1) > m->cap)
		strmap_grow(m);
	size_t j = strmap_slot(m, key);
	m->keys[j] = xstrdup(key);
	m->vals[j] = val;
	m->n++;
	return NULL;
}

void strmap_release(struct strmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

/* ---------------------------------------------------------------- csv */

enum err_code csv_parse(const char *data, size_t len, csv_row_fn fn, void *ctx, struct err *e)
{
	char *row = xmalloc(CSV_MAX_ROW + 1);
	char *fields[CSV_MAX_FIELDS];
	size_t i = 0, lineno = 1;
	enum err_code rc = OK;

	/* Skip a UTF-8 byte order mark. */
	if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
		i = 3;
	while (i < len) {
		size_t rl = 0, start_line = lineno;
		int nf = 0;
		bool at_field_start = true, in_quotes = false, row_done = false;
		fields[nf++] = row;
		while (i < len && !row_done) {
			char c = data[i++];
			if (in_quotes) {
				if (c == '"') {
					if (i < len && data[i] == '"') {
						i++;
					} else {
						in_quotes = false;
						continue;
					}
				} else if (c == '\n') {
					lineno++;
				}
			} else if (c == '"' && at_field_start) {
				in_quotes = true;
				at_field_start = false;
				continue;
			} else if (c == ',') {
				if (rl >= CSV_MAX_ROW) {
					rc = err_set(e, E_INVALID, NULL, "第 %zu 行超过 %d 字节", start_line, CSV_MAX_ROW);
					goto out;
				}
				row[rl++] = '\0';
				if (nf == CSV_MAX_FIELDS) {
					rc = err_set(e, E_INVALID, NULL, "第 %zu 行字段数超过 %d", start_line, CSV_MAX_FIELDS);
					goto out;
				}
				fields[nf++] = row + rl;
				at_field_start = true;
				continue;
			} else if (c == '\n' || c == '\r') {
				if (c == '\r' && i < len && data[i] == '\n')
					i++;
				lineno++;
				row_done = true;
				continue;
			}
			at_field_start = false;
			if (rl >= CSV_MAX_ROW) {
				rc = err_set(e, E_INVALID, NULL, "第 %zu 行超过 %d 字节", start_line, CSV_MAX_ROW);
				goto out;
			}
			row[rl++] = c;
		}
		if (in_quotes) {
			rc = err_set(e, E_INVALID, NULL, "第 %zu 行引号未闭合", start_line);
			goto out;
		}
		row[rl] = '\0';
		if (nf == 1 && rl == 0)
			continue; /* blank line */
		if (!utf8_valid(row, rl)) {
			rc = err_set(e, E_INVALID, NULL, "第 %zu 行不是合法的 UTF-8", start_line);
			goto out;
		}
		rc = (enum err_code)fn(ctx, start_line, nf, fields, e);
		if (rc != OK)
			goto out;
	}
out:
	free(row);
	return rc;
}

bool csv_header_is(int nfields, char **fields, const char *const *want, int nwant)
{
	if (nfields != nwant)
		return false;
	for (int i = 0; i < nwant; i++)
		if (strcmp(fields[i], want[i]) != 0)
			return false;
	return true;
}

enum err_code file_read_all(const char *path, size_t max, char **out, size_t *len, struct err *e)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return err_set(e, E_IO, "file", "无法打开文件 %s：%s", path, strerror(errno));
	struct buf b;
	buf_init(&b, max);
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (!buf_add(&b, chunk, n)) {
			fclose(f);
			buf_release(&b);
			return err_set(e, E_TOO_LARGE, "file", "文件 %s 超过 %zu 字节上限", path, max);
		}
	}
	bool bad = ferror(f);
	fclose(f);
	if (bad) {
		buf_release(&b);
		return err_set(e, E_IO, "file", "读取文件 %s 失败", path);
	}
	*len = b.len;
	*out = buf_detach(&b);
	return OK;
}
