/*
 * fuzz_case_input.c — the intake body's decoder alone
 * (api_decode_case_input), without a database: many more inputs a second
 * than fuzz_api_body, which takes the same body on to case_create. An
 * input is a JSON body as a client sends it.
 */
#include "harness.h"
#include "api/api_int.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct api_request req = {
	    .method = "POST", .path = "/api/v1/cases", .body = (const char *)data, .body_len = size};
	struct case_input in;
	struct err e;
	json_t *body = NULL;
	err_init(&e);
	/* a refusal always says why, with a code */
	if ((api_parse_body(&req, &body, &e) != OK || api_decode_case_input(body, &in, &e) != OK) &&
	    e.code == OK)
		abort();
	json_decref(body);
	return 0;
}
