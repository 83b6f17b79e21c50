/*
 * fuzz_api_body.c — request bodies through the API's own decoding: intake
 * (api_decode_case_input), every case action's body (decode_action), reveal,
 * login and session, users, units, categories, holidays, the assessment
 * configuration and gazetteer entries, each on to the domain's checks, on
 * the demo database (harness.h). An input is one request as text:
 *
 *     POST /api/v1/cases/4/actions/report sjs.chengguan.handler
 *     {"whistle":1,"on_site":true}
 */
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_api_request(data, size, false);
	return 0;
}
