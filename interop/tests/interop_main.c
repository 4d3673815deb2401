/* SPDX-License-Identifier: MIT */
/*
 * Runner for the interop suites.  One case per ctest test:
 *   interop_tests vringh
 *   interop_tests single|threads ev0|ev1 ind0|ind1 BUFFERS
 * Tests fork (CK_FORK), so a crash fails the test rather than the runner.
 */
#include <stdio.h>
#include <stdlib.h>

#include "interop.h"
#include "virtq_interop/linux_driver.h"

static int usage(void)
{
	fprintf(stderr, "usage: interop_tests vringh\n"
			"       interop_tests single|threads ev0|ev1 ind0|ind1 BUFFERS\n");
	return 2;
}

int main(int argc, char **argv)
{
	SRunner *sr;
	Suite *s;
	int failed;

	printf("Linux sources: %s\n", virtq_linux_source_version());
	if (argc == 2 && strcmp(argv[1], "vringh") == 0) {
		s = vringh_device_suite();
	} else if (argc == 5 && (strcmp(argv[1], "single") == 0 || strcmp(argv[1], "threads") == 0) &&
		   (strcmp(argv[2], "ev0") == 0 || strcmp(argv[2], "ev1") == 0) &&
		   (strcmp(argv[3], "ind0") == 0 || strcmp(argv[3], "ind1") == 0)) {
		char *end;
		unsigned long long n = strtoull(argv[4], &end, 10);

		if (*end != '\0' || n == 0)
			return usage();
		s = linux_driver_suite(argv[1], argv[2][2] == '1', argv[3][3] == '1', n);
	} else {
		return usage();
	}
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	/* A run that executed nothing must not look like a pass. */
	if (srunner_ntests_run(sr) == 0)
		failed = 1;
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
