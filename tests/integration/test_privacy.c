/*
 * test_privacy — the harness's privacy scan reads inside Excel replies
 * (issue 7 part 2). Every reply but a reveal's is scanned for a requester's
 * full phone number or name (harness.h, h_privacy_scan); an Excel export is
 * a zip, so the scan unzips it and reads its XML. This test shows that it
 * does:
 *
 *   - workbooks written by libxlsxwriter (the library the server exports
 *     with), in its normal and its constant-memory mode (the server's): a
 *     phone number planted in a text cell or a number cell, or a test
 *     requester's name, is found; the masked forms are not; a file cut
 *     short cannot be read and is reported, not passed;
 *   - a real export of the server (the case list of the month as xlsx):
 *     the text the scan reads holds the case's title and street, and no
 *     requester.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

static const char XLSX[] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/* A copy of len bytes, owned by h (a string of len spaces from hpath, overwritten). */
static char *keep_bytes(struct harness *h, const char *data, size_t len)
{
	char *copy = (char *)hpath(h, "%*s", (int)len, "");
	memcpy(copy, data, len);
	return copy;
}

/* The bytes of a one-sheet workbook whose column A holds texts (then a number if num > 0). Owned by h. */
static const char *workbook(struct harness *h, bool constant_memory, const char *const *texts, double num,
			    size_t *len)
{
	const char *path = hpath(h, "%s/planted-%d.xlsx", h->dir, h->ndb);
	lxw_workbook_options opt = {.constant_memory = constant_memory, .tmpdir = h->dir};
	lxw_workbook *wb = workbook_new_opt(path, &opt);
	assert_non_null(wb);
	lxw_worksheet *ws = workbook_add_worksheet(wb, "回访");
	assert_non_null(ws);
	lxw_row_t row = 0;
	for (; texts[row]; row++)
		assert_int_equal(worksheet_write_string(ws, row, 0, texts[row], NULL), LXW_NO_ERROR);
	if (num > 0)
		assert_int_equal(worksheet_write_number(ws, row, 0, num, NULL), LXW_NO_ERROR);
	assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char *data = malloc(1 << 20);
	assert_non_null(data);
	*len = fread(data, 1, 1 << 20, f);
	fclose(f);
	remove(path);
	assert_true(*len > 100 && *len < (1 << 20));
	char *copy = keep_bytes(h, data, *len);
	free(data);
	return copy;
}

static const char *scan(const char *body, size_t len)
{
	static char what[96];
	return h_privacy_scan(XLSX, body, len, what, sizeof(what));
}

static void test_planted(void **state)
{
	struct harness *h = *state;
	static const char *const masked[] = {"张*", "138****5678", "小区夜间施工噪音扰民", NULL};
	static const char *const phone[] = {"张*", "回访电话 13812345678", NULL};
	static const char *const name[] = {"来电人 李四", "138****5678", NULL};
	for (int cm = 0; cm <= 1; cm++) {
		size_t len, n;
		/* masked: nothing found, and the scan did read the cells */
		const char *x = workbook(h, cm, masked, 0, &len);
		EXPECT_TRUE(!memcmp(x, "PK", 2), "an xlsx is a zip");
		EXPECT_TRUE(!strcmp(scan(x, len), ""), scan(x, len));
		const char *text = h_xlsx_text(h, x, len, &n);
		EXPECT_TRUE(text && n > 0, "the workbook's text was read");
		EXPECT_TRUE(text && strstr(text, "138****5678") && strstr(text, "小区夜间施工噪音扰民"),
			    text);
		/* the compressed bytes themselves do not show the cells: the scan must unzip */
		EXPECT_TRUE(!memmem(x, len, "小区夜间施工噪音扰民", strlen("小区夜间施工噪音扰民")),
			    "the cell text is not in the file as sent");

		x = workbook(h, cm, phone, 0, &len);
		EXPECT_TRUE(!memmem(x, len, "13812345678", 11), "the planted number is compressed");
		EXPECT_TRUE(!strcmp(scan(x, len), "phone number 13812345678 inside its Excel file"),
			    scan(x, len));
		x = workbook(h, cm, masked, 13987654321.0, &len); /* a number cell */
		EXPECT_TRUE(!strcmp(scan(x, len), "phone number 13987654321 inside its Excel file"),
			    scan(x, len));
		x = workbook(h, cm, name, 0, &len);
		EXPECT_TRUE(!strcmp(scan(x, len), "requester name 李四 inside its Excel file"), scan(x, len));

		/* cut short, or a byte of a part changed: unreadable, and said so */
		x = workbook(h, cm, masked, 0, &len);
		EXPECT_TRUE(!strcmp(scan(x, len / 2), "Excel file the privacy scan cannot read"),
			    scan(x, len / 2));
		char *bent = keep_bytes(h, x, len);
		const unsigned char *u = (const unsigned char *)x;
		size_t data =
		    30 + (u[26] | (size_t)u[27] << 8) + (u[28] | (size_t)u[29] << 8); /* first part */
		bent[data + 2] ^= 0x20;
		EXPECT_TRUE(!strcmp(scan(bent, len), "Excel file the privacy scan cannot read"),
			    scan(bent, len));
		EXPECT_TRUE(h_xlsx_text(h, bent, len, &n) == NULL && n == 0, "a changed part is refused");
	}
}

static void test_server_export(void **state)
{
	struct harness *h = *state;
	long st;
	assert_true(h_start(h, H_NOW, NULL));
	http(h, "POST", "/api/v1/cases", login(h, "agent", H_PASSWORD), h_complaint, &st);
	EXPECT_STATUS(h, st, 201);
	const char *assessor = login(h, "centre.assessor", H_PASSWORD);
	http(h, "GET", "/api/v1/reports/cases?period=2026-03&format=xlsx", assessor, NULL, &st);
	EXPECT_STATUS(h, st, 200); /* http() scanned it: no requester inside */
	EXPECT_TRUE(!strcmp(h->last_type, XLSX), h->last_type);
	size_t n;
	const char *text = h_xlsx_text(h, h->last_body, h->last_len, &n);
	EXPECT_TRUE(text && n > 1000, "the export's text was read");
	EXPECT_TRUE(text && strstr(text, "小区夜间施工噪音扰民") && strstr(text, "八宝山街道"), text);
	EXPECT_TRUE(text && !strstr(text, "张三") && !strstr(text, "13812345678"), text);
	EXPECT_TRUE(!memmem(h->last_body, h->last_len, "八宝山街道", strlen("八宝山街道")),
		    "the export is compressed: only an unzipping scan sees its cells");
	/* the rankings too */
	http(h, "GET", "/api/v1/reports/rates?period=2026-03&pool=street&format=xlsx", assessor, NULL, &st);
	EXPECT_STATUS(h, st, 200);
	text = h_xlsx_text(h, h->last_body, h->last_len, &n);
	EXPECT_TRUE(text && strstr(text, "响应率"), text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_planted, h_setup, h_teardown),
	    cmocka_unit_test_setup_teardown(test_server_export, h_setup, h_teardown),
	};
	int failed =
	    cmocka_run_group_tests_name("integration: privacy", tests, h_group_setup, h_group_teardown);
	printf("%lu checks\n", h_checks());
	return failed ? 1 : 0;
}
