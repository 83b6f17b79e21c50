/*
 * sqlite_insert — the baseline for durable intake: raw SQLite inserts of
 * rows about the size of a case (1 KiB of text) into a WAL database with
 * synchronous=FULL, one row per commit and 100 rows per commit.
 * Usage: sqlite_insert DBFILE ROWS  → prints "single R/s" and "batch100 R/s".
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double run(sqlite3 *db, int rows, int per_commit)
{
	char text[1024];
	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	sqlite3_stmt *s;
	sqlite3_prepare_v2(db, "INSERT INTO t(at, body) VALUES (?, ?)", -1, &s, NULL);
	double t0 = now_s();
	for (int i = 0; i < rows; i++) {
		if (i % per_commit == 0)
			sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		sqlite3_bind_int64(s, 1, i);
		sqlite3_bind_text(s, 2, text, -1, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE) {
			fprintf(stderr, "insert failed: %s\n", sqlite3_errmsg(db));
			exit(1);
		}
		sqlite3_reset(s);
		if (i % per_commit == per_commit - 1 || i == rows - 1)
			sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	}
	double dt = now_s() - t0;
	sqlite3_finalize(s);
	return rows / dt;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: sqlite_insert DBFILE ROWS\n");
		return 2;
	}
	int rows = atoi(argv[2]);
	sqlite3 *db;
	if (sqlite3_open(argv[1], &db) != SQLITE_OK)
		return 1;
	sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
			 "CREATE TABLE IF NOT EXISTS t(id INTEGER PRIMARY KEY, at INTEGER, body TEXT);",
		     NULL, NULL, NULL);
	printf("single %.0f\n", run(db, rows, 1));
	printf("batch100 %.0f\n", run(db, rows * 20, 100));
	sqlite3_close(db);
	return 0;
}
