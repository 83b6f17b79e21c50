/*
 * cli — the jiesu command line: one binary, a table of commands
 * (main.c), one file per command group. Every command checks its
 * arguments and prints a clear error naming the option that is wrong.
 */
#ifndef JIESU_CLI_H
#define JIESU_CLI_H

#include "../api/api.h"
#include "../domain/catalog.h"

/*
 * Options of one command. A NULL-terminated table; string options store
 * into *str, flags into *flag. Positional arguments are collected in order.
 */
struct cli_opt {
	const char *name; /* "--db" */
	const char **str; /* for options with a value */
	bool *flag;       /* for flags */
	const char *help;
};

#define CLI_MAX_POS 4
/*
 * Parse argv against opts. Returns false after printing an error (unknown
 * option, missing value, too many or too few positionals).
 */
bool cli_parse(int argc, char **argv, const struct cli_opt *opts, const char **pos, int min_pos, int max_pos,
	       const char *usage);
/* Print "jiesu: message (field)" for an error. Returns the exit code 1. */
int cli_fail(const struct err *e);
/*
 * The integer value v of option name, from min to max; false after printing
 * "jiesu: NAME must be an integer from MIN to MAX (not V)".
 */
bool cli_int(const char *name, const char *v, int min, int max, int *out);
/*
 * --readers N of the commands that walk every case (rebuild, verify, report
 * rates --recompute): threads reading ahead of the walk (store_readahead).
 */
#define CLI_READERS_DEFAULT 4
#define CLI_READERS_HELP "threads reading the next cases ahead from the disk (default 4, 0 to 64)"
/* The --readers value v (NULL: the default); false after printing why it is not one. */
bool cli_readers(const char *v, int *out);
/* The next walks over every case of st: readers ahead reading what (STORE_AHEAD_*), a progress bar. */
void cli_walk(struct store *st, unsigned what, int readers);
/* True if the database file db exists (or none is given); else false, having said so. */
bool cli_db_exists(const char *db);
/* Open the store at --db, requiring it to be given and to exist. */
bool cli_open_store(const char *db, struct store **st);
/* Open the store at --db, creating it when it does not exist (jiesu init). */
bool cli_create_store(const char *db, struct store **st);
/* A query parameter for cli_api_call; arrays end with {NULL, NULL}. */
struct cli_kv {
	const char *key, *val;
};
/*
 * Run one API request as the user login (the command line trusts its local
 * operator, who has the database file anyway), through api_handle() like
 * a request over HTTP. An error goes to stderr ("message (code: field)",
 * exit code 1); a file reply (CSV, Excel) or the indented JSON goes to out,
 * or to stdout when out is NULL. Returns the exit code; who_what names the
 * --as user in the message when it is missing.
 */
int cli_api_call(const char *db, const char *login, const char *who_what, const char *method, const char *path,
		 const char *body, const struct cli_kv *query, const char *out);
/* Write len bytes to path, or to stdout when path is NULL; false after printing why. */
bool cli_write_out(const char *path, const void *data, size_t len);
/* A progress bar on stderr for long imports. */
void cli_progress(void *ctx, const char *what, size_t done, size_t total);

int cmd_init(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_case(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_rebuild(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_config(int argc, char **argv);
/* jiesu geo address|builtin ... (cmd_gazetteer.c); cmd_geo hands over with argv unchanged. */
int cmd_geo_gazetteer(int argc, char **argv);
/* jiesu import boundaries ... (cmd_geo.c); cmd_import hands over with argv unchanged. */
int cmd_import_boundaries(int argc, char **argv);
int cmd_geo(int argc, char **argv);

#endif
