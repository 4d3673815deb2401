/* SPDX-License-Identifier: MIT */
/*
 * Queue state (layer 3 of core): pop heads from the avail ring, return used
 * entries, decide notifications in both directions, reset and restore.
 *
 * The driver is an adversary.  Every index it writes is checked before use:
 * an avail idx more than the queue size away from our position breaks the
 * queue (bug class 1 of the peer study: stale-entry replay); a bad or
 * duplicate head fails that head only, and the position still advances so
 * that a device never spins on one bad entry (bug class 8).
 *
 * Typical device loop (see README for a full example):
 *
 *     virtq_disable_kicks(q);
 *     for (;;) {
 *         while ((rc = virtq_pop(q, &chain)) == 1) {
 *             ... walk the chain (chain.h), then virtq_push(q, &chain, n, &notify);
 *             if (notify) signal_the_driver();
 *         }
 *         if (rc < 0 && virtq_err_is_fatal(rc)) set_device_needs_reset();
 *         if (virtq_enable_kicks(q) != 1) break;   // nothing arrived meanwhile
 *         virtq_disable_kicks(q);
 *     }
 *
 * No call allocates, locks or sleeps.  A queue is used by one thread at a
 * time; the driver on the other side may run concurrently.
 */
#ifndef VIRTQ_QUEUE_H
#define VIRTQ_QUEUE_H

#include <stdbool.h>
#include <stdint.h>

#include "virtq/mem.h"
#include "virtq/ring.h"

#ifdef __cplusplus
extern "C" {
#endif

struct virtq_chain;

/** Where the driver put the queue, and what was negotiated. */
struct virtq_queue_config {
	uint32_t size;      /**< power of two, 1..VIRTQ_MAX_SIZE */
	uint64_t desc_gpa;  /**< descriptor table, 16-byte aligned */
	uint64_t avail_gpa; /**< avail ring, 2-byte aligned */
	uint64_t used_gpa;  /**< used ring, 4-byte aligned */
	uint64_t features;  /**< negotiated feature bits (VIRTQ_FEATURE(VIRTQ_F_*)) */
	/**
	 * Most entries one indirect table may hold; 0 selects
	 * VIRTQ_DEFAULT_INDIRECT_MAX (1024).  Linux builds tables with up to
	 * one entry per scatter-gather element, which can exceed the queue size
	 * (catalogue §5 item 3); QEMU caps at 1024 too.
	 */
	uint32_t indirect_max;
	const struct virtq_mem *mem; /**< guest memory; must outlive the queue */
};

/**
 * One split virtqueue, device side.  The caller owns the storage (about
 * 33 KiB, almost all of it the in-flight map: a byte for each head a queue of
 * VIRTQ_MAX_SIZE can have, so that marking one costs a store); fields are
 * private: use the functions.
 */
struct virtq_queue {
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	uint16_t *used_event;  /* avail->ring[size]: driver-written */
	uint16_t *avail_event; /* after used->ring[size]: device-written */
	const struct virtq_mem *mem;
	uint64_t desc_gpa, avail_gpa, used_gpa; /* where the driver put the parts */
	uint64_t features;
	uint32_t size;
	uint16_t ring_mask;    /* size - 1: a free-running index's ring slot */
	uint32_t indirect_max;
	uint32_t epoch;        /* life of the queue: a new one at init, reset and restore */
	uint32_t mem_gen;      /* bumped by virtq_set_mem: chains walked under another map stop */
	int broken;            /* 0 or the error that broke the queue */
	uint16_t last_avail;   /* next avail slot to consume (free-running) */
	uint16_t shadow_avail; /* avail idx as last read */
	uint16_t next_used;    /* next used slot to fill (free-running) */
	uint16_t published;    /* value last stored to used->idx */
	uint16_t signalled;    /* used idx at the last notify decision */
	bool signalled_valid;  /* false after restore: next decision notifies */
	bool kicks_enabled;
	bool avail_event_armed; /* avail_event == last_avail, fenced, re-checked */
	bool event_idx;        /* VIRTQ_F_EVENT_IDX negotiated: a byte test, not a shift of features */
	uint32_t unsignalled;  /* entries published since the last decision */
	uint32_t inflight;     /* heads popped and not yet returned */
	const struct virtq_mem_region *hint; /* region of the last buffer translated */
	uint8_t inflight_map[VIRTQ_MAX_SIZE]; /* 1: head popped, not returned; [0, size) valid */
};

/**
 * Set up a queue over guest memory.  Validates the size (power of two,
 * 1..32768; PCI-Q-8), each part's alignment (§2.7.1) and that each part lies
 * inside one guest memory region.  Does not write guest memory: the driver
 * zeroed the used ring (SPLIT-ANS-1).  Indices start at 0 (§2.7.6, §2.7.8).
 * @return 0, VIRTQ_E_INVAL, VIRTQ_E_QUEUE_SIZE, VIRTQ_E_RING_ALIGN or
 *         VIRTQ_E_RING_RANGE.
 */
int virtq_init(struct virtq_queue *q, const struct virtq_queue_config *cfg);

/**
 * Take the next available chain.
 * Reads avail idx with acquire ordering (fence R1 of catalogue §4.3), then the
 * head.  With EVENT_IDX and kicks enabled, an empty ring re-arms avail_event
 * and re-checks, so a device that only pops on kicks cannot stall.
 * @param chain  out: initialised for walking (chain.h) when 1 is returned
 * @return 1 a chain was taken; 0 the ring is empty; VIRTQ_E_AVAIL_IDX (queue
 *         now broken); VIRTQ_E_BROKEN; VIRTQ_E_HEAD_RANGE or
 *         VIRTQ_E_HEAD_IN_USE (that avail entry is consumed and skipped; the
 *         next call goes on with the next one).
 */
int virtq_pop(struct virtq_queue *q, struct virtq_chain *chain);

/**
 * Give a live queue another guest memory map (vhost-user SET_MEM_TABLE, a
 * hot-plugged region): the same guest-physical contents at new host
 * addresses, or @p mem re-initialised in place.  Every translation the queue
 * keeps is dropped: the ring parts are translated again at the same guest
 * addresses, the region remembered across chains is forgotten, and a chain
 * whose walk is not finished fails its next step with VIRTQ_E_MEM_CHANGED
 * (it is still returned as usual; its len is capped at what it had yielded).
 * Segments already handed out point into the old mapping: the caller keeps
 * that mapping until it is done with them.  @p mem must outlive the queue.
 * @return 0; VIRTQ_E_INVAL; VIRTQ_E_RING_RANGE or VIRTQ_E_RING_ALIGN when a
 *         ring part is not in the new map: the queue then keeps nothing of
 *         either map and reports VIRTQ_E_BROKEN until virtq_init() again.
 */
int virtq_set_mem(struct virtq_queue *q, const struct virtq_mem *mem);

/**
 * Write the used entry for @p chain without publishing it (batching).
 * len = @p written capped to the writable bytes the walk has yielded so far,
 * so it never overstates (SPLIT-USED-3, catalogue §5 item 1); a read-only
 * chain gets 0.  Chains may be returned in any order (§2.6, VQ-GEN-2).
 * If queue-size entries are already filled and unpublished (possible only
 * when a hostile driver re-posts heads before seeing them used), they are
 * flushed first so that none is overwritten.
 * A chain taken before a virtq_reset() or virtq_restore() of its queue is
 * refused whatever its head, even if that head was popped again since: its
 * walk described the driver's old chain (a device completing requests after
 * a reset would otherwise publish them against the new ones).
 * @return 0, VIRTQ_E_BROKEN, VIRTQ_E_INVAL (chain of another queue),
 *         VIRTQ_E_STALE_CHAIN (taken before a reset or restore) or
 *         VIRTQ_E_NOT_IN_FLIGHT (second return of the same chain).
 */
int virtq_fill(struct virtq_queue *q, struct virtq_chain *chain, uint32_t written);

/**
 * Publish every filled entry with one used idx store, after a release fence
 * so ids, lens and buffer data are visible first (W1; SPLIT-USED-5/6).
 * @return 0 or VIRTQ_E_BROKEN.
 */
int virtq_flush(struct virtq_queue *q);

/**
 * Decide whether the driver wants a used-buffer notification for what was
 * published since the last decision (§2.7.7.2).  A full fence precedes the
 * read of flags / used_event (F1).  Without EVENT_IDX: notify unless avail
 * flags has NO_INTERRUPT; used_event is ignored (SPLIT-UNS-6/7/8).  With
 * EVENT_IDX: notify iff used_event lies in the published window (need_event,
 * wrap-safe); flags is ignored (SPLIT-UNS-9/10/11).  After restore, or after
 * 65536 or more entries without a decision, notifies unconditionally since
 * the window can no longer be judged.
 * @return true to notify; false if not needed or nothing was published.
 */
bool virtq_should_notify(struct virtq_queue *q);

/**
 * Return one chain: virtq_fill() + virtq_flush() + virtq_should_notify().
 * @param notify  out (may be NULL to defer the decision): whether to signal
 * @return as virtq_fill().
 */
int virtq_push(struct virtq_queue *q, struct virtq_chain *chain, uint32_t written, bool *notify);

/**
 * Ask the driver not to kick (§2.7.10.2, SPLIT-ANS-9/11).  Without EVENT_IDX
 * sets used flags NO_NOTIFY; with EVENT_IDX used flags stay 0 (SPLIT-ANS-10)
 * and avail_event is simply not advanced, so at most one more kick comes.
 * @return 0 or VIRTQ_E_BROKEN.
 */
int virtq_disable_kicks(struct virtq_queue *q);

/**
 * Ask the driver to kick again, then re-check the avail ring.  Writes used
 * flags 0 (no EVENT_IDX) or avail_event = the avail idx last seen (EVENT_IDX),
 * then a full fence (F2), then re-reads avail idx, so a buffer added while
 * kicks were off is not stranded.
 * @return 1 if buffers are waiting (pop them), 0 if none, VIRTQ_E_AVAIL_IDX
 *         (queue now broken) or VIRTQ_E_BROKEN.
 */
int virtq_enable_kicks(struct virtq_queue *q);

/**
 * Return to the state right after virtq_init(): indices 0, nothing in flight,
 * kicks enabled, not broken.  Chains taken before are stale from now on
 * (virtq_fill refuses them).  Touches no guest memory (GEN-RST-2, VQ-RST-2).
 */
void virtq_reset(struct virtq_queue *q);

/**
 * Restore indices after migration or a device restart.  Forgets in-flight
 * chains (chain objects from before are stale); mark those the device still
 * holds with virtq_reopen().  The next
 * notify decision notifies unconditionally (catalogue §4.2 item 2).
 * @param last_avail  next avail slot the device will consume
 * @param used_idx    used idx as published to the driver
 * @return 0, or VIRTQ_E_RESTORE if last_avail - used_idx (mod 2^16) exceeds
 *         the queue size (more in flight than descriptors).
 */
int virtq_restore(struct virtq_queue *q, uint16_t last_avail, uint16_t used_idx);

/**
 * Re-open a chain that was in flight when the device state was saved, by its
 * head index (the descriptors are still the driver's, CLEAN-1), so that it
 * can be walked again and returned.
 * @return 1 and @p chain initialised, VIRTQ_E_HEAD_RANGE, VIRTQ_E_HEAD_IN_USE
 *         or VIRTQ_E_BROKEN.
 */
int virtq_reopen(struct virtq_queue *q, uint16_t head, struct virtq_chain *chain);

/** The error that broke the queue, or 0 if it is not broken. */
int virtq_broken(const struct virtq_queue *q);

/** Next avail slot the device will consume (free-running), for saving state. */
uint16_t virtq_last_avail(const struct virtq_queue *q);

/** Used idx as last published (free-running), for saving state. */
uint16_t virtq_used_idx(const struct virtq_queue *q);

/** Chains popped and not yet returned. */
uint32_t virtq_inflight(const struct virtq_queue *q);

/** Whether @p feature (a VIRTQ_F_* bit number) was negotiated. */
static inline bool virtq_has_feature(const struct virtq_queue *q, unsigned feature)
{
	return (q->features >> feature) & 1u;
}

#ifdef __cplusplus
}
#endif
#endif /* VIRTQ_QUEUE_H */
