/*
 * test_json — the JSON text a case is drawn with (jw, core.h) against
 * jansson's own printing of the same values, local times against the C
 * library's, and an event payload drawn from its stored text
 * (api_payload_draw) against the same payload read and redrawn by jansson.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api_int.h"

/* What jw wrote into b (released here) is jansson's text of v (taken), as a case was printed before jw. */
static void same_as_jansson(struct buf *b, json_t *v)
{
	char *want = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(12));
	json_decref(v);
	assert_non_null(want);
	assert_string_equal(b->s, want);
	free(want);
	buf_release(b);
}

static void test_strings_as_jansson(void **state)
{
	(void)state;
	char all[128];
	for (int i = 1; i < 128; i++)
		all[i - 1] = (char)i;
	all[127] = '\0';
	const char *cases[] = {"",	     "plain",	   "say \"hi\"",	  "back\\slash",
			       "tab\tnew\nline\r", "\b\f",	   "\x01\x1f\x7f",	  "北京市石景山区八宝山街道",
			       "a/b",	     "混合\"引号\"与\\", all,		  "末尾\\"};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf b;
		buf_init(&b, BUF_NOMAX);
		jw_str(&b, cases[i]);
		same_as_jansson(&b, json_string(cases[i]));
	}
}

static void test_numbers_as_jansson(void **state)
{
	(void)state;
	const double reals[] = {0.0,	1.0,	 -1.0,	      39.9,	116.397128, 40.04752926, 1e20,
				1e-5,	-2.5e-7, 123456789012345.0, 0.1 + 0.2, 1.0 / 3.0, 1e300,   -1e-300};
	const int64_t ints[] = {0, 1, -1, 42, 1735747726, INT64_MAX, INT64_MIN, -9};
	struct buf b;
	for (size_t i = 0; i < sizeof(reals) / sizeof(reals[0]); i++) {
		buf_init(&b, BUF_NOMAX);
		jw_real(&b, reals[i]);
		same_as_jansson(&b, json_real(reals[i]));
	}
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		buf_init(&b, BUF_NOMAX);
		jw_int(&b, ints[i]);
		same_as_jansson(&b, json_integer(ints[i]));
	}
}

/* Commas go between members and elements, never after an opening brace or a key. */
static void test_structure(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, BUF_NOMAX);
	jw_open(&b, '{');
	jw_key(&b, "a");
	jw_open(&b, '[');
	jw_int(&b, 1);
	jw_open(&b, '{');
	jw_key(&b, "b");
	jw_null(&b);
	jw_close(&b, '}');
	jw_open(&b, '[');
	jw_close(&b, ']');
	jw_str(&b, NULL);
	jw_close(&b, ']');
	jw_key(&b, "c");
	jw_open(&b, '{');
	jw_close(&b, '}');
	jw_key(&b, "d");
	jw_bool(&b, true);
	jw_key(&b, "e");
	jw_raw(&b, "[1,2]", 5);
	jw_key(&b, "t");
	jw_time(&b, 0);
	jw_close(&b, '}');
	assert_string_equal(b.s, "{\"a\":[1,{\"b\":null},[],null],\"c\":{},\"d\":true,\"e\":[1,2],\"t\":null}");
	json_error_t err;
	json_t *back = json_loads(b.s, 0, &err);
	assert_non_null(back);
	json_decref(back);
	buf_release(&b);
}

/* Local time (UTC+8) digit by digit, against gmtime and strftime over 1970 to 2100. */
static void test_time_format(void **state)
{
	(void)state;
	uint64_t x = 88172645463325252ull;
	for (int i = 0; i < 100000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		int64_t t = i == 0 ? 1 : i == 1 ? 4102444799 : (int64_t)(x % 4102444800ull);
		time_t l = (time_t)(t + LOCAL_UTC_OFFSET);
		struct tm tm;
		char want[40], got[26];
		gmtime_r(&l, &tm);
		strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%S+08:00", &tm);
		time_format_iso(t, got);
		if (strcmp(got, want))
			fail_msg("%lld: got %s, want %s", (long long)t, got, want);
	}
}

/* Each payload drawn from its text equals the same payload read and redrawn by jansson. */
static void check_payload(const char *stored)
{
	struct buf fast, slow;
	buf_init(&fast, BUF_NOMAX);
	buf_init(&slow, BUF_NOMAX);
	if (!api_payload_draw(&fast, stored))
		fail_msg("not drawn from its text: %s", stored);
	api_payload_draw_jansson(&slow, stored);
	if (strcmp(fast.s, slow.s))
		fail_msg("%s\n  drawn:   %s\n  jansson: %s", stored, fast.s, slow.s);
	buf_release(&fast);
	buf_release(&slow);
}

static void test_payload_as_jansson(void **state)
{
	(void)state;
	const char *stored[] = {
		"{}",
		"{\"requester\":{\"confidential\":false,\"name\":\"赵丽\",\"phone\":\"13054641329\"}}",
		"{\"address\":\"朝阳区\",\"dispatch_due\":1735747726,\"requester\":{\"name\":\"张三\"},\"tier\":\"general\"}",
		"{\"requester\":{\"name\":\"a,b}\"},\"z\":1}",
		"{\"a\":\"x\",\"requester\":{\"name\":\"q\\\"},\\\"\"}}",
		"{\"contact_due\":1735748661,\"copies\":[],\"feedback_due\":1736439861,\"sign_due\":1735669461,"
		"\"tier\":\"general\",\"unit\":\"110105834\",\"warn_percent\":75}",
		"{\"due\":0,\"mark\":1735748661,\"until\":-5,\"overdue\":1735748661,\"undue\":7}",
		"{\"confidence\":0.89,\"location\":{\"crs\":\"gcj02\",\"lat\":40.04752926,\"lon\":116.5314613},"
		"\"needs_decision\":false}",
		"{\"note\":\"带\\\\反斜杠和\\n换行\",\"list\":[{\"a\":[1,2,{\"b\":\"]}\"}]}],\"x\":null,\"y\":true}",
		"{\"small\":1e-5,\"big\":1e20,\"neg\":-2.5,\"int\":-17}",
	};
	for (size_t i = 0; i < sizeof(stored) / sizeof(stored[0]); i++)
		check_payload(stored[i]);
	/* and payloads as the domain writes them (case.c: compact, sorted keys, reals at 10 digits) */
	for (int i = 0; i < 200; i++) {
		json_t *p = json_pack("{s:I, s:s, s:f, s:b, s:[i, s]}", "sign_due", (json_int_t)1735669461 + i * 977,
				      "reason", i % 3 ? "逾期\"说明\"" : "", "score", i / 7.0, "on_site", i & 1,
				      "list", i, "x");
		if (i % 4 == 0)
			json_object_set_new(p, "requester", json_pack("{s:s, s:s}", "name", "李四", "phone", "13800000000"));
		if (i % 5 == 0)
			json_object_set_new(p, "until", json_integer((json_int_t)1735669461 + i));
		char *text = json_dumps(p, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(10));
		check_payload(text);
		free(text);
		json_decref(p);
	}
}

/* Text that is not jansson's compact object is left to jansson: false, and nothing written. */
static void test_payload_other_shapes(void **state)
{
	(void)state;
	const char *other[] = {"",	    "[]",	    "{ }",	      "{\"a\": 1}",  "{\"a\":1",
			       "not json", "{\"a\":1}x", "{\"a\":\"open}", "{\"a\":}",     "{,\"a\":1}",
			       "{\"k\\\"\":1}", "{\"a\":1,}", "{\"due\":1 }", "{\"a\":1 ,\"b\":2}"};
	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		struct buf b;
		buf_init(&b, BUF_NOMAX);
		buf_adds(&b, "[");
		if (api_payload_draw(&b, other[i]))
			fail_msg("drawn as compact: %s", other[i]);
		assert_string_equal(b.s, "[");
		/* jansson's reading still gives an object */
		api_payload_draw_jansson(&b, other[i]);
		assert_int_equal(b.s[1], '{');
		buf_release(&b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_strings_as_jansson), cmocka_unit_test(test_numbers_as_jansson),
	    cmocka_unit_test(test_structure),	       cmocka_unit_test(test_time_format),
	    cmocka_unit_test(test_payload_as_jansson), cmocka_unit_test(test_payload_other_shapes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
