/*
 * cli.c — option parsing, errors and progress shared by the commands.
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool cli_parse(int argc, char **argv, const struct cli_opt *opts, const char **pos, int min_pos, int max_pos,
	       const char *usage)
{
	int np = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			printf("usage: %s\n", usage);
			for (const struct cli_opt *o = opts; o->name; o++)
				printf("  %-14s %s\n", o->name, o->help);
			exit(0);
		}
		if (str_has_prefix(a, "--")) {
			const struct cli_opt *o = opts;
			for (; o->name && strcmp(o->name, a) != 0; o++)
				;
			if (!o->name) {
				fprintf(stderr, "jiesu: unknown option %s\nusage: %s\n", a, usage);
				return false;
			}
			if (o->flag) {
				*o->flag = true;
			} else {
				if (i + 1 >= argc) {
					fprintf(stderr, "jiesu: option %s needs a value\nusage: %s\n", a, usage);
					return false;
				}
				*o->str = argv[++i];
			}
			continue;
		}
		if (np >= max_pos) {
			fprintf(stderr, "jiesu: unexpected argument '%s'\nusage: %s\n", a, usage);
			return false;
		}
		pos[np++] = a;
	}
	if (np < min_pos) {
		fprintf(stderr, "jiesu: missing argument\nusage: %s\n", usage);
		return false;
	}
	for (int i = np; i < max_pos; i++)
		pos[i] = NULL;
	return true;
}

int cli_fail(const struct err *e)
{
	if (*e->field)
		fprintf(stderr, "jiesu: %s (%s: %s)\n", *e->msg ? e->msg : err_default_message(e->code), err_code_name(e->code),
			e->field);
	else
		fprintf(stderr, "jiesu: %s (%s)\n", *e->msg ? e->msg : err_default_message(e->code),
			err_code_name(e->code));
	return 1;
}

bool cli_int(const char *name, const char *v, int min, int max, int *out)
{
	char *end = NULL;
	errno = 0;
	long n = v ? strtol(v, &end, 10) : 0;
	if (!v || end == v || *end || errno || n < min || n > max) {
		fprintf(stderr, "jiesu: %s must be an integer from %d to %d (not %s)\n", name, min, max,
			v ? v : "given");
		return false;
	}
	*out = (int)n;
	return true;
}

bool cli_readers(const char *v, int *out)
{
	*out = CLI_READERS_DEFAULT;
	return !v || cli_int("--readers", v, 0, 64, out);
}

void cli_walk(struct store *st, unsigned what, int readers)
{
	store_readahead(st, what, readers);
	store_walk_progress(st, cli_progress, NULL);
}

bool cli_db_exists(const char *db)
{
	struct stat sb;
	if (db && *db && stat(db, &sb) != 0) {
		/* a mistyped path is not a new, empty database that every check then finds in order */
		fprintf(stderr, "jiesu: --db %s: %s (a new database is made by: jiesu init --db %s)\n", db,
			strerror(errno), db);
		return false;
	}
	return true;
}

bool cli_open_store(const char *db, struct store **st)
{
	return cli_db_exists(db) && cli_create_store(db, st);
}

bool cli_create_store(const char *db, struct store **st)
{
	struct err e;
	err_init(&e);
	if (!db || !*db) {
		fprintf(stderr, "jiesu: --db PATH is required\n");
		return false;
	}
	if (store_open(db, st, &e) != OK) {
		cli_fail(&e);
		return false;
	}
	return true;
}

void cli_progress(void *ctx, const char *what, size_t done, size_t total)
{
	static bool tty = false, checked = false;
	if (!checked) {
		tty = isatty(2);
		checked = true;
	}
	if (total == 0 || !tty) {
		if (done == total)
			fprintf(stderr, "  %s: %zu\n", what, done);
		return;
	}
	int width = 30, fill = (int)((double)done / (double)total * width);
	fprintf(stderr, "\r  %-12s [", what);
	for (int i = 0; i < width; i++)
		fputc(i < fill ? '#' : '.', stderr);
	fprintf(stderr, "] %zu/%zu", done, total);
	if (done >= total)
		fputc('\n', stderr);
	fflush(stderr);
}

static const char *kv_lookup(void *ctx, const char *key)
{
	for (const struct cli_kv *p = ctx; p->key; p++)
		if (!strcmp(p->key, key))
			return p->val;
	return NULL;
}

bool cli_write_out(const char *path, const void *data, size_t len)
{
	FILE *f = path ? fopen(path, "wb") : stdout;
	if (!f) {
		fprintf(stderr, "jiesu: cannot write %s: %s\n", path, strerror(errno));
		return false;
	}
	bool ok = fwrite(data, 1, len, f) == len;
	if (path)
		ok = fclose(f) == 0 && ok;
	else
		ok = fflush(f) == 0 && ok;
	if (!ok)
		fprintf(stderr, "jiesu: cannot write %s: %s\n", path ? path : "standard output", strerror(errno));
	return ok;
}

int cli_api_call(const char *db, const char *login, const char *who_what, const char *method, const char *path,
		 const char *body, const struct cli_kv *query, const char *out)
{
	struct store *st;
	struct err e;
	struct actor who;
	err_init(&e);
	if (!login) {
		fprintf(stderr, "jiesu: --as LOGIN is required (%s)\n", who_what);
		return 2;
	}
	if (!cli_open_store(db, &st))
		return 1;
	int rc = 0;
	struct api_ctx api = {0};
	if (auth_actor_by_login(st, login, &who, &e) != OK || case_ctx_load(&api.cx, st, &e) != OK) {
		rc = cli_fail(&e);
		goto out;
	}
	struct api_request req = {
		.method = method,
		.path = path,
		.query = kv_lookup,
		.query_ctx = (void *)query,
		.body = body,
		.body_len = body ? strlen(body) : 0,
		.as = &who,
	};
	struct api_response res = {0};
	api_handle(&api, &req, &res);
	if (res.status >= 400) {
		json_t *err = json_object_get(res.body, "error");
		const char *field = json_string_value(json_object_get(err, "field"));
		fprintf(stderr, "jiesu: %s (%s%s%s)\n", json_string_value(json_object_get(err, "message")),
			json_string_value(json_object_get(err, "code")), field ? ": " : "", field ? field : "");
		rc = 1;
	} else if (res.raw) {
		rc = cli_write_out(out, res.raw, res.raw_len) ? 0 : 1;
		if (rc == 0 && out)
			fprintf(stderr, "jiesu: wrote %s (%zu bytes)\n", out, res.raw_len);
	} else {
		char *text = json_dumps(res.body, JSON_INDENT(2) | JSON_REAL_PRECISION(12));
		struct buf b;
		buf_init(&b, BUF_NOMAX);
		buf_adds(&b, text ? text : "null");
		buf_adds(&b, "\n");
		rc = cli_write_out(out, b.s, b.len) ? 0 : 1;
		buf_release(&b);
		free(text);
	}
	api_response_release(&res);
out:
	case_ctx_release(&api.cx);
	store_close(st);
	return rc;
}
