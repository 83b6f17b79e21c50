/*
 * cmd_backup.c — jiesu backup (an online copy, while the server runs) and
 * jiesu restore (that copy back into place, checked, before a server is
 * started on it).
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int cmd_backup(int argc, char **argv)
{
	const char *db = NULL, *out = NULL;
	const struct cli_opt opts[] = {
	    {"--db", &db, NULL, "database file (the server may be running on it)"},
	    {"--out", &out, NULL, "the copy to write (must not exist)"},
	    {NULL, NULL, NULL, NULL},
	};
	const char *pos[CLI_MAX_POS];
	if (!cli_parse(argc, argv, opts, pos, 0, 0, "jiesu backup --db PATH --out FILE"))
		return 2;
	if (!out || !*out) {
		fprintf(stderr, "jiesu: --out FILE is required (where the copy goes)\n");
		return 2;
	}
	if (db && access(db, F_OK) != 0) {
		fprintf(stderr, "jiesu: %s does not exist (--db)\n", db);
		return 1;
	}
	struct store *st;
	if (!cli_open_store(db, &st))
		return 1;
	struct err e;
	err_init(&e);
	int64_t pages = 0, t0 = clock_now();
	double ms = clock_mono_ms();
	enum err_code rc = store_backup(st, out, cli_progress, NULL, &pages, &e);
	store_close(st);
	if (rc != OK)
		return cli_fail(&e);
	struct stat sb;
	char when[32];
	time_format_iso(t0, when);
	printf("backup: %s, %lld pages, %.1f MiB, in %.1f s; as the database was at %s; integrity ok\n", out,
	       (long long)pages, stat(out, &sb) == 0 ? (double)sb.st_size / 1048576 : 0.0,
	       (clock_mono_ms() - ms) / 1000, when);
	return 0;
}

/* Copy the file from → to, flushed; false after printing why. */
static bool copy_file(const char *from, const char *to)
{
	int in = open(from, O_RDONLY), o = -1;
	bool ok = in >= 0 && (o = open(to, O_WRONLY | O_CREAT | O_EXCL, 0640)) >= 0;
	char buf[1 << 16];
	ssize_t n = 0;
	while (ok && (n = read(in, buf, sizeof(buf))) > 0)
		for (ssize_t w = 0, k; ok && w < n; w += k)
			ok = (k = write(o, buf + w, (size_t)(n - w))) > 0;
	ok = ok && n == 0 && fsync(o) == 0;
	if (!ok)
		fprintf(stderr, "jiesu: cannot copy %s to %s: %s\n", from, to, strerror(errno));
	if (in >= 0)
		close(in);
	if (o >= 0 && close(o) != 0)
		ok = false;
	return ok;
}

int cmd_restore(int argc, char **argv)
{
	const char *db = NULL, *from = NULL;
	bool force = false;
	const struct cli_opt opts[] = {
	    {"--from", &from, NULL, "a copy made by jiesu backup"},
	    {"--db", &db, NULL, "the database to restore into (stop the server on it first)"},
	    {"--force", NULL, &force, "replace --db if it exists"},
	    {NULL, NULL, NULL, NULL},
	};
	const char *pos[CLI_MAX_POS];
	if (!cli_parse(argc, argv, opts, pos, 0, 0, "jiesu restore --from FILE --db PATH [--force]"))
		return 2;
	if (!from || !*from || !db || !*db) {
		fprintf(stderr, "jiesu: --from FILE and --db PATH are both required\n");
		return 2;
	}
	if (access(from, R_OK) != 0) {
		fprintf(stderr, "jiesu: cannot read %s (--from): %s\n", from, strerror(errno));
		return 1;
	}
	if (access(db, F_OK) == 0 && !force) {
		fprintf(stderr, "jiesu: %s exists; stop the server on it and give --force to replace it (--db)\n", db);
		return 1;
	}
	/* the copy goes next to its place, is checked there (and brought to this version), then renamed */
	char part[4096], side[4200];
	if ((size_t)snprintf(part, sizeof(part), "%s.restoring", db) >= sizeof(part)) {
		fprintf(stderr, "jiesu: the path is too long (--db)\n");
		return 2;
	}
	unlink(part);
	if (!copy_file(from, part))
		return 1;
	struct store *st;
	struct err e;
	err_init(&e);
	enum err_code rc = store_open(part, &st, &e);
	if (rc == OK) {
		rc = store_integrity(st, &e);
		store_close(st);
	}
	if (rc != OK) {
		unlink(part);
		fprintf(stderr, "jiesu: %s is not a usable jiesu database: %s\n", from, e.msg);
		return 1;
	}
	/* closed cleanly, the copy has no log of its own left; the old database's logs go with it */
	snprintf(side, sizeof(side), "%s-wal", part);
	if (access(side, F_OK) == 0) {
		fprintf(stderr, "jiesu: %s kept a log file after its check; nothing was replaced\n", part);
		return 1;
	}
	static const char *const sfx[] = {"-wal", "-shm"};
	for (size_t i = 0; i < ARRAY_SIZE(sfx); i++) {
		snprintf(side, sizeof(side), "%s%s", db, sfx[i]);
		unlink(side);
	}
	if (rename(part, db) != 0) {
		fprintf(stderr, "jiesu: cannot rename %s to %s: %s\n", part, db, strerror(errno));
		unlink(part);
		return 1;
	}
	printf("restore: %s from %s; integrity ok\n", db, from);
	return 0;
}
