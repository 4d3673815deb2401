/* SPDX-License-Identifier: MIT */
/* Runner: `guest_tests NAME` runs one suite, `guest_tests` all (each test forked). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest.h"

static const struct {
	const char *name;
	Suite *(*make)(void);
} suites[] = {
	{"event", event_suite}, {"mem", mem_suite}, {"shadow", shadow_suite}, {"driver", driver_suite}, {"model", model_suite},
	{"store", store_suite},
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
		fprintf(stderr, "guest_tests: no suite named '%s'\n", argc > 1 ? argv[1] : "");
		return 2;
	}
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	if (srunner_ntests_run(sr) == 0) /* a run that executed nothing is not a pass */
		failed = 1;
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
