/* SPDX-License-Identifier: MIT */
/*
 * The floor under a notify decision: what one full fence costs on this
 * machine.  Every device fences between its used idx store and its read of
 * used_event or avail flags (F1, SPLIT-OP-7), so at batch 1 each chain pays
 * for one; how much of that an implementation hides behind its other work
 * is what the batch-1 cells show.  Measured as a loop of @stores stores to
 * distinct cache lines and a load the next round depends on, with the
 * fence and without: the difference per round, median of @reps.
 */
#include <stdlib.h>

#include "bench.h"

#define LINE_WORDS 16 /* a 64-byte cache line of uint32_t */

static volatile uint32_t lines[FENCE_MAX_STORES * LINE_WORDS];

/* ns per round of @stores stores and a dependent load, fenced or not. */
static double round_ns(unsigned stores, bool fence, uint64_t rounds)
{
	uint32_t x = 1;
	double t0 = bench_now();

	for (uint64_t i = 0; i < rounds; i++) {
		for (unsigned j = 0; j < stores; j++)
			lines[j * LINE_WORDS] = x + (uint32_t)i;
		if (fence)
			__atomic_thread_fence(__ATOMIC_SEQ_CST);
		x += lines[0];
	}
	return (bench_now() - t0) * 1e9 / (double)rounds;
}

double fence_ns(unsigned stores, uint64_t rounds, unsigned reps)
{
	double *d, median;

	if (stores > FENCE_MAX_STORES || reps == 0)
		return 0;
	d = malloc(reps * sizeof(*d));
	if (d == NULL)
		die("%s", "out of memory");
	for (unsigned r = 0; r < reps; r++)
		d[r] = round_ns(stores, true, rounds) - round_ns(stores, false, rounds);
	qsort(d, reps, sizeof(d[0]), bench_cmp_double);
	median = d[reps / 2];
	free(d);
	return median;
}
