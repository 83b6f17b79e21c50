/*
 * assert_code.h — assert an err_code in a cmocka test, printing both
 * names and the error's field and message on failure. Include
 * <cmocka.h> and core.h (through any jiesu header) before this one.
 */
#ifndef JIESU_TEST_ASSERT_CODE_H
#define JIESU_TEST_ASSERT_CODE_H

#define assert_code(rc, want, e)                                                                 \
	do {                                                                                     \
		enum err_code rc_ = (rc);                                                        \
		if (rc_ != (want))                                                               \
			fail_msg("%s:%d: expected %s, got %s (%s: %s)", __FILE__, __LINE__,      \
				 err_code_name(want), err_code_name(rc_), (e)->field, (e)->msg); \
	} while (0)

#endif
