/* SPDX-License-Identifier: MIT */
/*
 * The device side of one benchmark round, once per implementation, with the
 * same shape: take chains until the ring is empty, walk each into segments,
 * return them with the fixed written length, and decide about notifying
 * (after every chain for batch 1, after every @batch chains otherwise).
 * Each lives in its own translation unit and is never inlined, so that the
 * timed code is exactly this and callgrind can toggle on it (with LTO the
 * library calls are inlined into it; without, they are its callees).
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

/* Counters every serve function keeps. */
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

/* vringh's kern flavour (serve_vringh_kern.c): vringh and its iovs. */
struct bench_kern;

/*
 * vringh_init_kern() over the rings of @cfg, whose memory must be a region
 * table of identity regions (hva == gpa): the kern accessors use addresses
 * as host pointers.  @return NULL if it is not, or on failure.
 */
struct bench_kern *bench_kern_create(const struct virtq_queue_config *cfg);
void bench_kern_destroy(struct bench_kern *k);

/* Drain the ring with vringh_*_kern().  @return chains served. */
uint64_t bench_serve_vringh_kern(struct bench_kern *k, unsigned batch, uint32_t wlen,
				 struct bench_count *n);

#endif /* VIRTQ_BENCH_SERVE_H */
