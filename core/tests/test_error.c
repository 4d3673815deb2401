/* SPDX-License-Identifier: MIT */
/* Error codes: distinct, named, described, scoped. */
#include "unit.h"

START_TEST(every_code_has_distinct_name_and_text)
{
	for (int e = VIRTQ_E_LAST; e < 0; e++) {
		ck_assert_str_ne(virtq_strerror(e), "unknown error");
		ck_assert_str_ne(virtq_err_name(e), "VIRTQ_E_UNKNOWN");
		for (int f = VIRTQ_E_LAST; f < e; f++) {
			ck_assert_str_ne(virtq_strerror(e), virtq_strerror(f));
			ck_assert_str_ne(virtq_err_name(e), virtq_err_name(f));
		}
	}
}
END_TEST

START_TEST(unknown_codes_say_so)
{
	ck_assert_str_eq(virtq_strerror(VIRTQ_E_LAST - 1), "unknown error");
	ck_assert_str_eq(virtq_strerror(1), "unknown error");
	ck_assert_str_eq(virtq_err_name(VIRTQ_E_LAST - 1), "VIRTQ_E_UNKNOWN");
	ck_assert_str_eq(virtq_err_name(0), "VIRTQ_OK");
	ck_assert_str_eq(virtq_strerror(0), "success");
	ck_assert_str_eq(virtq_err_name(VIRTQ_E_CHAIN_LOOP), "VIRTQ_E_CHAIN_LOOP");
}
END_TEST

START_TEST(only_queue_scope_errors_are_fatal)
{
	int fatal = 0;

	for (int e = VIRTQ_E_LAST; e < 0; e++)
		fatal += virtq_err_is_fatal(e);
	ck_assert_int_eq(fatal, 2);
	ck_assert(virtq_err_is_fatal(VIRTQ_E_AVAIL_IDX));
	ck_assert(virtq_err_is_fatal(VIRTQ_E_BROKEN));
	ck_assert(!virtq_err_is_fatal(VIRTQ_E_HEAD_RANGE));
	ck_assert(!virtq_err_is_fatal(0));
}
END_TEST

Suite *error_suite(void)
{
	Suite *s = suite_create("error");
	TCase *tc = tcase_create("codes");

	tcase_add_test(tc, every_code_has_distinct_name_and_text);
	tcase_add_test(tc, unknown_codes_say_so);
	tcase_add_test(tc, only_queue_scope_errors_are_fatal);
	suite_add_tcase(s, tc);
	return s;
}
