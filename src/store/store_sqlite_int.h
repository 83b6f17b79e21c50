/*
 * store_sqlite_int.h — shared by the SQLite engine's files (store_sqlite.c
 * and the per-area files such as store_sqlite_geo.c), never by other
 * modules. The area files prepare their own statements per call: they
 * serve imports and start-up loads, not hot paths.
 */
#ifndef JIESU_STORE_SQLITE_INT_H
#define JIESU_STORE_SQLITE_INT_H

#include "store.h"

#include <sqlite3.h>

sqlite3 *store_sqlite_db(struct store *st);
/* E_DB with the connection's last error; what names the operation. */
enum err_code store_sqlite_fail(struct store *st, struct err *e, const char *what);

/*
 * The database file read ahead of a migration (store_sqlite_ahead.c):
 * store_ahead_start starts a thread reading path; store_ahead_open opens
 * path through a VFS that tells it where SQLite reads the main file;
 * store_ahead_stop stops it, forgets db's file, and gives the bytes read
 * ahead. store_ahead_start returns NULL when it cannot start.
 */
struct store_ahead;
struct store_ahead *store_ahead_start(const char *path);
int store_ahead_open(struct store_ahead *a, const char *path, int flags, sqlite3 **db);
int64_t store_ahead_stop(struct store_ahead *a, sqlite3 *db);

#endif
