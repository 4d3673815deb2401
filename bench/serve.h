/* SPDX-License-Identifier: MIT */
/*
 * The device side of one benchmark round, once per implementation, with the
 * same shape: take chains until the ring is empty, walk each into segments,
 * return them with the fixed written length, and decide about notifying
 * (after every chain for batch 1, after every @batch chains otherwise).
 * Each lives in its own translation unit and is never inlined, so that the
 * timed code is exactly this and callgrind can toggle on the library calls.
 */
#ifndef VIRTQ_BENCH_SERVE_H
#define VIRTQ_BENCH_SERVE_H

#include <stdint.h>

#include "virtq/virtq.h"
#include "virtq_interop/vringh_device.h"

#define BENCH_MAX_SEGS 16
#define BENCH_MAX_BATCH 32

/* The core's device state for one benchmark queue. */
struct bench_core {
	struct virtq_queue q;
	struct virtq_chain chain[BENCH_MAX_BATCH];
	struct virtq_seg rseg[BENCH_MAX_SEGS], wseg[BENCH_MAX_SEGS];
};

/* Counters both serve functions keep. */
struct bench_count {
	uint64_t served;
	uint64_t notifies;
	uint64_t errors;
};

/* Drain the ring with the core.  @return chains served. */
uint64_t bench_serve_core(struct bench_core *d, unsigned batch, uint32_t wlen,
			  struct bench_count *n);

/* Drain the ring with vringh (direct calls, not the wrapper's).  @return chains served. */
uint64_t bench_serve_vringh(struct virtq_vringh *v, unsigned batch, uint32_t wlen,
			    struct bench_count *n);

#endif /* VIRTQ_BENCH_SERVE_H */
