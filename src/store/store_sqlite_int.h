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

#endif
