/* SPDX-License-Identifier: MIT */
/*
 * Round trips between Linux's virtio driver (virtio_ring.c, through
 * linux_driver.h) and the core serving as the device, over identity-mapped
 * guest memory.  Used by the interop tests (every byte checked) and by the
 * benchmark's two-thread figure.
 *
 * The driver adds requests in sequence; request n's shape (out-only, in-only
 * or mixed; 1 to 300 buffers; lengths) and payload follow from (seed, n), so
 * the device, which pops in avail order, knows what request n must look like
 * without being told.  The device reads and checks every readable byte,
 * writes a known pattern into a chosen prefix of the writable part and
 * returns that length; the driver checks tokens (strictly in sequence: none
 * lost, none twice), lengths, written bytes, untouched bytes and guard bytes
 * between buffers.
 *
 * Notifications honour suppression on both sides: the driver kicks through
 * virtqueue_kick() and re-arms interrupts with virtqueue_enable_cb() or
 * _delayed() before it sleeps; the device keeps kicks off while it runs and
 * re-enables them (virtq_enable_kicks, fence F2) before it sleeps, and
 * signals only when virtq_should_notify (fence F1) says so.
 *
 *   VIRTQ_RT_SINGLE   one thread; a seeded scheduler interleaves driver and
 *                     device steps.  Each side sleeps only on an empty queue,
 *                     so both asleep with no signal pending is a lost wakeup,
 *                     found deterministically.  Also checks that neither side
 *                     is signalled while it asked not to be (beyond what the
 *                     suppression rules allow).
 *   VIRTQ_RT_THREADS  the device on a second thread; kicks and interrupts
 *                     are eventfds; every wait is bounded (stall_ms), and a
 *                     stall fails with both sides' indices, flags and events.
 */
#ifndef VIRTQ_INTEROP_ROUNDTRIP_H
#define VIRTQ_INTEROP_ROUNDTRIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum virtq_rt_mode {
	VIRTQ_RT_SINGLE,
	VIRTQ_RT_THREADS,
};

enum virtq_rt_workload {
	VIRTQ_RT_MIXED, /**< varied shapes and lengths (the interop test) */
	VIRTQ_RT_SMALL, /**< one 64-byte readable + one 64-byte writable buffer (benchmark) */
};

struct virtq_rt_config {
	enum virtq_rt_mode mode;
	enum virtq_rt_workload workload;
	bool event_idx;      /**< negotiate VIRTIO_F_EVENT_IDX */
	bool indirect;       /**< negotiate VIRTIO_F_INDIRECT_DESC */
	uint32_t queue_size; /**< 0: 256 */
	uint64_t buffers;    /**< requests to complete */
	bool verify;         /**< check payload bytes (tokens and lengths are always checked) */
	uint64_t seed;
	unsigned stall_ms;   /**< bound on any wait for a kick or an interrupt; 0: 10000 */
};

struct virtq_rt_stats {
	uint64_t completed;       /**< requests returned to the driver, all checked */
	uint64_t kicks;           /**< driver notifications (virtqueue_kick decided to) */
	uint64_t forced_kicks;    /**< of which Linux sent unconditionally on a full ring */
	uint64_t interrupts;      /**< device notify decisions that said yes */
	uint64_t device_sleeps;   /**< times the device waited for a kick */
	uint64_t driver_sleeps;   /**< times the driver waited for an interrupt */
	uint64_t kicks_while_running;      /**< SINGLE: kicks while the device had kicks off */
	uint64_t interrupts_while_running; /**< SINGLE: interrupts while the driver had them off */
	uint64_t indirect_chains; /**< chains that came through an indirect table */
	uint32_t max_buffers;     /**< largest chain seen, in buffers */
	uint64_t bytes_read;      /**< readable bytes the device read */
	uint64_t bytes_written;   /**< bytes the device wrote */
	double seconds;           /**< wall time of the run (setup excluded) */
};

/**
 * Run one configuration.
 * @param err  out: on failure, what went wrong with the evidence
 * @return 0 when every request came back intact; -1 otherwise.
 */
int virtq_rt_run(const struct virtq_rt_config *cfg, struct virtq_rt_stats *st, char *err,
		 size_t errlen);

#ifdef __cplusplus
}
#endif
#endif /* VIRTQ_INTEROP_ROUNDTRIP_H */
