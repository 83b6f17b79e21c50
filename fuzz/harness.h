/*
 * harness.h — what the fuzz targets (fuzz/fuzz_*.c) share: libFuzzer's
 * entry point, the databases they work on, and an API request written as
 * text.
 *
 * Each target is built twice: with clang's libFuzzer by `make fuzz`
 * (build-fuzz/fuzz/), and with the normal compiler and fuzz/replay.c as its
 * main() by `make check`, which feeds it every file of fuzz/corpus/.
 *
 * The databases are in memory, made once per process on first use, and
 * never changed by an input: a target runs each input inside a transaction
 * that it rolls back (fuzz_begin / fuzz_end), as the HTTP writer runs each
 * request in a savepoint. Inside the fuzz binaries only, argon2id is
 * replaced by a keyed BLAKE2b (harness.c), so a login or a new account
 * costs microseconds instead of 0.1 s; every other line is the product's.
 */
#ifndef JIESU_FUZZ_HARNESS_H
#define JIESU_FUZZ_HARNESS_H

#include "api/api.h"

#include <stddef.h>
#include <stdint.h>

/* The fuzz target: called once per input; 0 always (a failure aborts). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The fixed clock of every target: a Monday, as the tests use. */
#define FUZZ_NOW "2026-03-02T09:00:00+08:00"

/*
 * The Beijing demo catalog alone (units, categories, tiers, calendar): no
 * boundaries, place names, accounts or cases. For the imports.
 */
struct store *fuzz_catalog(void);

/*
 * The full demo, as `jiesu init --demo` makes it (with the boundaries,
 * place names and every demo account), plus a few cases in the states the
 * actions start from (FUZZ_CASE_*), and an API context loaded on it.
 */
enum {
	FUZZ_CASE_RECEIVED = 1, /* received, not dispatched */
	FUZZ_CASE_DISPATCHED,   /* dispatched to 八宝山街道 (110107001) */
	FUZZ_CASE_ACCEPTED,     /* signed by 八宝山街道 */
	FUZZ_CASE_WHISTLED,     /* in progress; whistled 区城管委 (110107801, reported), 住建委 (110107803) */
	FUZZ_CASE_REPLIED,      /* replied, waiting for its callback */
	FUZZ_CASE_RETURNED,     /* returned by 八宝山街道, waiting for the centre */
	FUZZ_CASE_PENDING,      /* in progress, supervised, an extension and an exclusion waiting */
	FUZZ_CASE_CLOSED,       /* closed after an unsatisfied callback: may be reopened */
	FUZZ_CASE_COUNT = FUZZ_CASE_CLOSED
};
struct api_ctx *fuzz_demo(void);

/* With FUZZ_VERBOSE=1 in the environment, print what an input came to (rc, and e's message). */
void fuzz_say(const char *what, enum err_code rc, const struct err *e);

/* Open a transaction on st that fuzz_end rolls back. */
void fuzz_begin(struct store *st);
void fuzz_end(struct store *st);

/*
 * Run one request given as text through api_handle on the demo, as login
 * (a demo account; "-" or none: no one, so only the routes without login):
 *
 *     METHOD /path[?key=value&...] [LOGIN]\n
 *     body (the rest, may be empty)
 *
 * Query values are %-decoded as libmicrohttpd does. The reply must be one
 * a client may get (never a 5xx, JSON that parses, an error with its code,
 * message and field), and after a change every case's row must still be
 * the fold of its events; anything else aborts. Input without a target
 * on its first line is ignored. With only_get, the method is GET and the
 * body dropped. FUZZ_VERBOSE=1 in the environment prints every answer's
 * status (and error), to check what a corpus reaches.
 */
void fuzz_api_request(const uint8_t *data, size_t size, bool only_get);

#endif
