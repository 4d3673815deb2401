/* SPDX-License-Identifier: MIT */
/*
 * VIRTQ_FUZZ_STATS: how many chains this process's device walked, said at
 * exit in libFuzzer's final-stats form.  An input's cost grows with the
 * chains it serves (a notify input serves up to a queue's size), so
 * fuzz/tools/measure_execs.sh divides this by the run's time: chains
 * walked per second compares targets and commits whatever inputs the
 * fuzzer happened to grow.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"

unsigned long long fuzz_chains_walked;

__attribute__((destructor)) static void say_stats(void)
{
	const char *e = getenv("VIRTQ_FUZZ_STATS");

	if (e != NULL && e[0] != '\0' && e[0] != '0')
		fprintf(stderr, "stat::chains_walked: %llu\n", fuzz_chains_walked);
}
