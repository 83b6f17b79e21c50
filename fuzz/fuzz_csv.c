/*
 * fuzz_csv.c — the CSV reader every import goes through (csv_parse), and
 * the header check (csv_header_is), without a database. An input is a CSV
 * file. Each row handed over must be what the reader promises: 1 to
 * CSV_MAX_FIELDS fields, valid UTF-8, at most CSV_MAX_ROW bytes in all.
 */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

static int check_row(void *ctx, size_t lineno, int nfields, char **fields, struct err *e)
{
	static const char *const header[] = {"code", "name", "kind", "parent", "sector"};
	size_t *rows = ctx, bytes = 0;
	if (nfields < 1 || nfields > CSV_MAX_FIELDS || lineno < 1)
		abort();
	for (int i = 0; i < nfields; i++) {
		size_t n = strlen(fields[i]);
		if (!utf8_valid(fields[i], n))
			abort();
		bytes += n + 1;
	}
	if (bytes > CSV_MAX_ROW + 1)
		abort();
	csv_header_is(nfields, fields, header, (int)ARRAY_SIZE(header));
	(*rows)++;
	return OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t rows = 0;
	struct err e;
	err_init(&e);
	if (csv_parse((const char *)data, size, check_row, &rows, &e) != OK && e.code == OK)
		abort(); /* a refusal always says why */
	return 0;
}
