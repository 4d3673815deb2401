/* SPDX-License-Identifier: MIT */
/*
 * Runner for the unit suites.  `unit_tests NAME` runs one suite (ctest runs
 * each as its own test); `unit_tests` runs all.  Tests fork (CK_FORK), so a
 * crash fails one test, not the run.
 */
#include <stdio.h>
#include <stdlib.h>

#include "unit.h"

static const struct {
	const char *name;
	Suite *(*make)(void);
} suites[] = {
	{"error", error_suite}, {"mem", mem_suite},       {"ring", ring_suite},
	{"queue", queue_suite}, {"chain", chain_suite},   {"fast", fast_suite},
	{"hostile", hostile_suite}, {"notify", notify_suite}, {"wrap", wrap_suite},
	{"seed", seed_suite},
};

int main(int argc, char **argv)
{
	SRunner *sr = NULL;
	int failed;

	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
		if (argc > 1 && strcmp(argv[1], suites[i].name) != 0)
			continue;
		if (sr == NULL)
			sr = srunner_create(suites[i].make());
		else
			srunner_add_suite(sr, suites[i].make());
	}
	if (sr == NULL) {
		fprintf(stderr, "unit_tests: no suite named '%s'\n", argc > 1 ? argv[1] : "");
		return 2;
	}
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	/* A run that executed nothing must not look like a pass. */
	if (srunner_ntests_run(sr) == 0)
		failed = 1;
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
