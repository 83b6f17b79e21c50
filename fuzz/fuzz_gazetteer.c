/*
 * fuzz_gazetteer.c — the address resolver (gazetteer_resolve: UTF-8 check,
 * normalising, the matching automaton, the choice among candidates and the
 * evidence sentence) over the demo's place names (harness.h). An input is
 * an address as a caller types it. Checked: a refusal says why; a result
 * names only units that exist, each inside the one above it.
 */
#include "harness.h"
#include "domain/geo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* code is "" or a unit of kind whose parent is parent ("" = any). */
static void check_level(struct store *st, const char *code, enum unit_kind kind, const char *parent)
{
	struct unit u;
	struct err e;
	if (!*code)
		return;
	err_init(&e);
	if (store_unit_get(st, code, &u, &e) != OK || u.kind != kind ||
	    (*parent && strcmp(u.parent, parent))) {
		fprintf(stderr, "fuzz: resolved to %s, not a %s under %s\n", code, unit_kind_name(kind),
			parent);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct api_ctx *ctx = fuzz_demo();
	char *address = xstrndup((const char *)data, size);
	struct place_resolution r;
	struct err e;
	err_init(&e);
	if (gazetteer_resolve(ctx->cx.gaz, address, &r, &e) != OK) {
		if (e.code != E_INVALID)
			abort();
	} else {
		check_level(ctx->cx.st, r.district, UNIT_DISTRICT, "");
		check_level(ctx->cx.st, r.street, UNIT_STREET, r.district);
		check_level(ctx->cx.st, r.community, UNIT_COMMUNITY, r.street);
		if (!utf8_valid(r.evidence, strlen(r.evidence)) || !utf8_valid(r.matched, strlen(r.matched)))
			abort();
	}
	free(address);
	return 0;
}
