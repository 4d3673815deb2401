/* SPDX-License-Identifier: MIT */
/*
 * empty: does nothing.  Its exec/s under the same engine and flags is the
 * baseline against which the other targets' harness overhead is reported.
 */
#include "targets.h"

const struct script_def empty_def = {"empty", 0, {{0}}, 1, (const struct script_op[]){{"nop", 0, {{0}}, "nothing"}}};

int fuzz_empty_run(const uint8_t *data, size_t size)
{
	(void)data;
	(void)size;
	return 0;
}

FUZZ_ENTRY(fuzz_empty_run)
