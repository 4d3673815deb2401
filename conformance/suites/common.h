/* SPDX-License-Identifier: MIT */
/* Shared by the suite files: queue opening and small helpers. */
#ifndef VQC_SUITES_COMMON_H
#define VQC_SUITES_COMMON_H

#include <stdlib.h>
#include <string.h>

#include "cq.h"

/* Iteration _i of a size loop runs at cq_sizes[_i % CQ_NSIZES]. */
static inline uint32_t size_at(int i) { return cq_sizes[i % CQ_NSIZES]; }

static inline uint32_t min_u32(uint32_t a, uint32_t b) { return a < b ? a : b; }

/* Open a queue of @q with features @f; false means the test does not apply. */
static inline bool open_q(struct cq *c, uint32_t q, uint64_t f)
{
	struct cq_opts o = {.size = q, .features = f};

	return cq_open(c, &o);
}

/* A request / reply chain: @r readable bytes, @w writable bytes. */
static inline struct cq_spec rw_spec(uint32_t r, uint32_t w)
{
	struct cq_spec s;

	cq_spec_rw(&s, r, w);
	return s;
}

/* Run @n chains like @s in rounds of at most @per (each round served in mode @m). */
static inline void rounds(struct cq *c, const struct cq_spec *s, unsigned n, unsigned per,
			  enum cq_mode m)
{
	while (n) {
		unsigned k = n < per ? n : per;

		cq_round(c, s, k, m);
		n -= k;
	}
}

/* Every table of the in-process suite, in report order (registry.c); suite_main.c runs them. */
extern const struct vqc_test_def *const vqc_suites[];

/* Suite tables, one per file. */
extern const struct vqc_test_def vqc_tests_layout[];
extern const struct vqc_test_def vqc_tests_descriptors[];
extern const struct vqc_test_def vqc_tests_avail[];
extern const struct vqc_test_def vqc_tests_used[];
extern const struct vqc_test_def vqc_tests_notify[];
extern const struct vqc_test_def vqc_tests_kicks[];
extern const struct vqc_test_def vqc_tests_order[];
extern const struct vqc_test_def vqc_tests_lifecycle[];

#endif /* VQC_SUITES_COMMON_H */
