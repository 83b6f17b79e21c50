/*
 * fuzz_api_query.c — query strings of the GET routes (api_query_int, the
 * case list's filters and inboxes, the reports' period, pool and format,
 * place lookup by address or coordinates, the gazetteer's and the units'
 * filters) on the demo database (harness.h). An input is one request line;
 * the method is always GET and anything after the line is ignored:
 *
 *     GET /api/v1/cases?status=dispatched&overdue=false&page=2&per_page=5 dispatcher
 */
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_api_request(data, size, true);
	return 0;
}
