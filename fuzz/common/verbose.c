/* SPDX-License-Identifier: MIT */
/* VIRTQ_FUZZ_VERBOSE, read once. */
#include <stdlib.h>

#include "fuzz.h"

int fuzz_verbose(void)
{
	static int v = -1;

	if (v < 0) {
		const char *e = getenv("VIRTQ_FUZZ_VERBOSE");

		v = e != NULL && e[0] != '\0' && e[0] != '0';
	}
	return v;
}
