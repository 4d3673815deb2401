/* SPDX-License-Identifier: MIT */
/* Every suite file's table, in report order. */
#include "common.h"

const struct vqc_test_def *const vqc_suites[] = {
	vqc_tests_layout, vqc_tests_descriptors, vqc_tests_avail, vqc_tests_used,
	vqc_tests_notify, vqc_tests_kicks,       vqc_tests_order, vqc_tests_lifecycle,
	NULL,
};
