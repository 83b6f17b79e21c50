/*
 * fuzz_import.c — the CSV imports of `jiesu import`: units
 * (catalog_import_units), categories, tiers, holidays
 * (catalog_import_holidays → calendar_parse_csv) and gazetteer entries
 * (gazetteer_import), each into the demo catalog (harness.h) inside a
 * transaction that is rolled back. An input names the import on its first
 * line; the rest is the file:
 *
 *     units
 *     code,name,kind,parent
 *     110107001900,测试社区,community,110107001
 */
#include "harness.h"
#include "domain/catalog.h"
#include "domain/geo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nl = memchr(data, '\n', size);
	if (!nl)
		return 0;
	size_t wl = (size_t)(nl - (const char *)data);
	const char *csv = nl + 1;
	size_t len = size - wl - 1, count = 0;
	struct store *st = fuzz_catalog();
	struct err e;
	enum err_code rc;
	err_init(&e);
#define IS(word) (wl == strlen(word) && !memcmp(data, word, wl))
	if (!IS("units") && !IS("categories") && !IS("tiers") && !IS("holidays") && !IS("gazetteer"))
		return 0;
	/* the file as `jiesu import` reads it: its bytes, then a NUL */
	char *text = xmalloc(len + 1);
	memcpy(text, csv, len);
	text[len] = '\0';
	fuzz_begin(st);
	if (IS("units"))
		rc = catalog_import_units(st, text, len, NULL, NULL, &count, &e);
	else if (IS("categories"))
		rc = catalog_import_categories(st, text, len, &count, &e);
	else if (IS("tiers"))
		rc = catalog_import_tiers(st, text, len, &count, &e);
	else if (IS("holidays"))
		rc = catalog_import_holidays(st, text, len, &count, &e);
	else
		rc = gazetteer_import(st, text, len, &count, &e);
#undef IS
	fuzz_say("import", rc, &e);
	if (rc != OK && e.code == OK)
		abort(); /* a refusal always says why */
	if (rc != OK && err_http_status(rc) >= 500) {
		fprintf(stderr, "fuzz: import failed on its own side: %s (%s)\n", e.msg, err_code_name(rc));
		abort();
	}
	fuzz_end(st);
	free(text);
	return 0;
}
