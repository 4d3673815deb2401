/* SPDX-License-Identifier: MIT */
/*
 * Walking one descriptor chain (layer 4 of core).
 *
 * A chain popped from the queue is walked lazily with virtq_chain_next(),
 * which yields host segments: zero or more device-readable ones, then zero or
 * more device-writable ones (§2.7.4.2), through the direct table and at most
 * one indirect table at the end (§2.7.5.3.2, SPLIT-IND-9).  Each descriptor is
 * read from guest memory exactly once, into a local copy, before any check:
 * a driver that rewrites descriptors while we walk cannot make us act on a
 * value we did not check (no double fetch; peer study bug class 7).
 *
 * Bounds (hostile input, every one a distinct chain error):
 *   - at most queue-size descriptors in the direct table (§2.7.5.2, loop stop);
 *   - at most min(table entries, indirect_max) in the indirect table;
 *   - total length below 2^32 bytes (§2.7.5.2, SPLIT-DESC-6);
 * so the work per chain is O(queue size + indirect bound) and never a hang.
 * An error is sticky: every later call returns it.  A failed chain should
 * still be returned to the driver with virtq_push(..., 0, ...) so that its
 * descriptors are not leaked (peer study bug class 8).
 *
 * Zero-length descriptors are accepted and yield nothing (the spec leaves them
 * undefined, catalogue §5 item 2); they still count towards the bounds.
 *
 * For most devices virtq_chain_collect() is simpler: it walks the whole chain
 * into caller-provided segment arrays first, so a malformed chain fails before
 * the device acts on any of it, and the byte cursors then copy across
 * segment boundaries with remaining counts that never touch guest memory.
 */
#ifndef VIRTQ_CHAIN_H
#define VIRTQ_CHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "virtq/queue.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One host-contiguous piece of a buffer. */
struct virtq_seg {
	void *addr;    /**< host pointer; never NULL */
	uint32_t len;  /**< bytes, > 0 */
	bool writable; /**< device-writable (VIRTQ_DESC_F_WRITE) */
};

/*
 * Where a walk stands between calls (private).  The general walker works on
 * it in place; virtq_chain_collect()'s fast path keeps a copy in registers
 * and writes it here only when it hands the walk over.
 */
struct virtq__walk {
	const struct virtq_desc *table; /* direct table or the indirect table */
	uint64_t cur_gpa;               /* unyielded rest of the current descriptor */
	uint64_t total;                 /* bytes of all descriptors taken */
	uint64_t writable_from;         /* @total when the first writable one was taken */
	uint32_t cur_len;
	uint32_t table_size;            /* entries in @table */
	uint32_t budget;                /* reads left in @table: a loop ends here */
	uint32_t ndesc_before;          /* descriptors read from tables before @table */
	uint32_t next;                  /* index in @table to read next, or VIRTQ__WALK_END */
	bool indirect;                  /* walking the indirect table */
	bool writing;                   /* a writable descriptor was taken (so the current one is) */
};

#define VIRTQ__WALK_END UINT32_MAX

/** A chain being walked.  Caller-owned; fields are private. */
struct virtq_chain {
	struct virtq_queue *q;
	uint64_t writable;              /* writable bytes yielded (caps used len) */
	uint32_t ndesc;                 /* descriptors read, direct + indirect; not in VIRTQ__WALK_NEW */
	uint32_t epoch;                 /* the queue's life it was taken in */
	uint32_t mem_gen;               /* the memory map it is walked under */
	int error;                      /* sticky chain error, or 0; in VIRTQ__WALK_DONE only */
	uint16_t head;
	uint8_t state;                  /* VIRTQ__WALK_* */
	bool returned;                  /* pushed; further pushes are refused */
	struct virtq__walk w;           /* in VIRTQ__WALK_ON only */
};

/* Chain states: popped and not walked yet; walked part way; walked to the end or failed. */
enum { VIRTQ__WALK_NEW, VIRTQ__WALK_ON, VIRTQ__WALK_DONE };

/** Head descriptor index of the chain (the id the used entry will carry). */
static inline uint16_t virtq_chain_head(const struct virtq_chain *c) { return c->head; }

/**
 * Yield the next host segment.  A descriptor whose buffer crosses from one
 * guest memory region into the next yields one segment per region.
 * @return 1 and @p seg filled; 0 at the end of the chain; or a chain error
 *         (VIRTQ_E_NEXT_RANGE, _CHAIN_LOOP, _INDIRECT_*, _READ_AFTER_WRITE,
 *         _ADDR_OVERFLOW, _ADDR_RANGE, _CHAIN_TOO_BIG; _MEM_CHANGED after
 *         virtq_set_mem(); _STALE_CHAIN after a reset or restore), repeated on
 *         every later call.
 */
int virtq_chain_next(struct virtq_chain *c, struct virtq_seg *seg);

/** The chain's sticky error, or 0. */
static inline int virtq_chain_error(const struct virtq_chain *c)
{
	return c->state == VIRTQ__WALK_DONE ? c->error : 0;
}

/** Descriptors read so far (direct and indirect). */
static inline uint32_t virtq_chain_descriptors(const struct virtq_chain *c)
{
	return c->state == VIRTQ__WALK_NEW ? 0 : c->ndesc;
}

/**
 * Segments of one direction, with a byte cursor over them.  The caller
 * provides the segment storage; nothing is allocated.
 */
struct virtq_iov {
	struct virtq_seg *seg; /* caller storage */
	uint32_t cap;          /* entries in @seg */
	uint32_t n;            /* entries filled */
	uint32_t cur;          /* cursor: segment index */
	uint32_t off;          /* cursor: offset in seg[cur] */
	uint64_t bytes;        /* sum of seg[].len */
	uint64_t done;         /* bytes consumed by the cursor */
};

/** Attach @p storage (@p cap entries) to @p v and empty it.  Inline: once per request. */
static inline void virtq_iov_init(struct virtq_iov *v, struct virtq_seg *storage, uint32_t cap)
{
	v->seg = storage;
	v->cap = cap;
	v->n = v->cur = v->off = 0;
	v->bytes = v->done = 0;
}

/**
 * Walk the rest of the chain, appending readable segments to @p rd and
 * writable ones to @p wr.  Either may be NULL to drop that direction (a
 * device that ignores readable data, say); dropped bytes still count for the
 * bounds and, for writable ones, for the used length cap.
 * @return 0 when the whole chain was walked; VIRTQ_E_IOV_FULL if a non-NULL
 *         array is too small (the chain is then failed, since it cannot be
 *         served as asked); or the chain's error.
 */
int virtq_chain_collect(struct virtq_chain *c, struct virtq_iov *rd, struct virtq_iov *wr);

/**
 * Copy up to @p n bytes from the readable segments at the cursor into @p dst.
 * @return bytes copied; less than @p n only when the segments are exhausted.
 */
size_t virtq_iov_read(struct virtq_iov *rd, void *dst, size_t n);

/**
 * Copy up to @p n bytes from @p src into the writable segments at the cursor.
 * @return bytes copied; less than @p n only when the segments are full.
 */
size_t virtq_iov_write(struct virtq_iov *wr, const void *src, size_t n);

/** Advance the cursor by up to @p n bytes without copying; returns bytes skipped. */
size_t virtq_iov_skip(struct virtq_iov *v, size_t n);

/** Bytes between the cursor and the end; computed from the array, not guest memory. */
static inline uint64_t virtq_iov_remaining(const struct virtq_iov *v) { return v->bytes - v->done; }

/** Bytes consumed by the cursor: for a writable iov, the count to push. */
static inline uint64_t virtq_iov_consumed(const struct virtq_iov *v) { return v->done; }

#ifdef __cplusplus
}
#endif
#endif /* VIRTQ_CHAIN_H */
