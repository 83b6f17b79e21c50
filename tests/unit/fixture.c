/*
 * fixture.c — the template database and the per-test copies described in
 * fixture.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "domain/catalog.h"
#include "fixture.h"

#define USERS_CREATED "2026-01-05T09:00:00+08:00"
#define TEST_START "2026-03-02T09:00:00+08:00" /* a Monday, no holiday near */

/* Set by fixture_use(); the template is built by the group setup. */
static const char *fx_name;
static const struct fixture_user *fx_users;
static size_t fx_n_users;
static char tmpl_dir[64], tmpl_path[96];

void fixture_use(const char *name, const struct fixture_user *users, size_t n_users)
{
	fx_name = name;
	fx_users = users;
	fx_n_users = n_users;
}

int64_t T(const char *iso)
{
	int64_t t = 0;
	if (!time_parse_iso(iso, &t))
		fail_msg("bad ISO time in test: %s", iso);
	return t;
}

static bool copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb");
	if (!in)
		return false;
	FILE *out = fopen(to, "wb");
	bool ok = out != NULL;
	char buf[65536];
	size_t n;
	while (ok && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		ok = fwrite(buf, 1, n, out) == n;
	ok = ok && !ferror(in);
	fclose(in);
	if (out && fclose(out) != 0)
		ok = false;
	return ok;
}

/* Remove a database and what SQLite may have left beside it, then the directory. */
static void remove_db_dir(const char *dir, const char *path)
{
	static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
	char p[128];
	for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++) {
		snprintf(p, sizeof(p), "%s%s", path, suffixes[i]);
		unlink(p);
	}
	rmdir(dir);
}

/*
 * Make a temporary directory /tmp/jiesu-<fx_name><kind>-XXXXXX into dir and
 * the path of file in it into path; false if a name does not fit or the
 * directory cannot be made.
 */
static bool make_db_dir(char *dir, size_t dir_size, char *path, size_t path_size, const char *kind,
			const char *file)
{
	int n = snprintf(dir, dir_size, "/tmp/jiesu-%s%s-XXXXXX", fx_name, kind);
	if (n < 0 || (size_t)n >= dir_size || !mkdtemp(dir))
		return false;
	n = snprintf(path, path_size, "%s/%s", dir, file);
	if (n < 0 || (size_t)n >= path_size) {
		rmdir(dir);
		return false;
	}
	return true;
}

int fixture_group_setup(void **state)
{
	struct store *st = NULL;
	struct err e;
	err_init(&e);
	if (!fx_name || !fx_users) {
		fprintf(stderr, "group setup: fixture_use() was not called\n");
		return -1;
	}
	if (!auth_init())
		return -1;
	if (!make_db_dir(tmpl_dir, sizeof(tmpl_dir), tmpl_path, sizeof(tmpl_path), "-tmpl", "tmpl.db"))
		return -1;
	if (store_open(tmpl_path, &st, &e) != OK || catalog_load_builtin(st, true, NULL, NULL, &e) != OK)
		goto fail;
	for (size_t i = 0; i < fx_n_users; i++)
		if (auth_user_add(st, fx_users[i].login, FIXTURE_PASSWORD, NULL, fx_users[i].unit,
				  fx_users[i].role, T(USERS_CREATED), NULL, &e) != OK)
			goto fail;
	store_close(st); /* checkpoints the WAL into the main file */
	return 0;
fail:
	fprintf(stderr, "group setup: %s (%s)\n", e.msg, e.field);
	store_close(st);
	return -1;
}

int fixture_group_teardown(void **state)
{
	remove_db_dir(tmpl_dir, tmpl_path);
	return 0;
}

int fixture_setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f) + fx_n_users * sizeof(f->a[0]));
	struct err e;
	err_init(&e);
	if (!make_db_dir(f->dir, sizeof(f->dir), f->path, sizeof(f->path), "", "test.db"))
		goto fail;
	if (!copy_file(tmpl_path, f->path))
		goto fail;
	if (store_open(f->path, &f->st, &e) != OK || case_ctx_load(&f->cx, f->st, &e) != OK)
		goto fail;
	for (size_t i = 0; i < fx_n_users; i++)
		if (auth_actor_by_login(f->st, fx_users[i].login, &f->a[i], &e) != OK)
			goto fail;
	f->now = T(TEST_START);
	*state = f;
	return 0;
fail:
	fprintf(stderr, "setup: %s (%s)\n", e.msg, e.field);
	case_ctx_release(&f->cx);
	store_close(f->st);
	if (f->dir[0])
		remove_db_dir(f->dir, f->path);
	free(f);
	return -1;
}

int fixture_teardown(void **state)
{
	struct fx *f = *state;
	case_ctx_release(&f->cx);
	store_close(f->st);
	remove_db_dir(f->dir, f->path);
	free(f);
	return 0;
}
