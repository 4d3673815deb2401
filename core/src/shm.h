/* SPDX-License-Identifier: MIT */
/*
 * The shared-memory seam (layer 2 of core): every load and store the device
 * makes to memory the guest can see goes through these helpers and nowhere
 * else.
 *
 * Why atomics: a plain access to memory that the driver writes concurrently
 * lets the compiler tear it, repeat it or fuse it (vm-memory PR #95: torn
 * 16-bit indices stalled virtio-net).  A relaxed __atomic load is performed
 * exactly once, so a value we check is the value we use.  Ordering comes
 * from the explicit acquire/release/full operations named after the fences
 * R1, W1, F1 and F2 of the clause catalogue §4.3.
 *
 * Why little-endian helpers: the split ring is little-endian in virtio 1.x
 * (§2.7, SPLIT-LAY-1) whatever the host is.
 *
 * With VIRTQ_INSTRUMENTED every helper first calls the hook of
 * virtq/shm_hook.h (fuzzers: double-fetch detection, racing driver;
 * conformance: access log).  Without it the hook compiles away.
 */
#ifndef VIRTQ_SRC_SHM_H
#define VIRTQ_SRC_SHM_H

#include <stdint.h>
#include <string.h>

#include "virtq/ring.h"
#include "virtq/shm_hook.h"

#ifdef VIRTQ_INSTRUMENTED
void virtq__shm_hook(enum virtq_shm_op op, enum virtq_shm_what what, const void *addr,
		     size_t size);
#define SHM_HOOK(op, what, addr, size) virtq__shm_hook((op), (what), (addr), (size))
#else
#define SHM_HOOK(op, what, addr, size) ((void)(what))
#endif

/* Relaxed load of a le16 ring field: one access, never re-read. */
static inline uint16_t shm_load16(const uint16_t *p, enum virtq_shm_what what)
{
	SHM_HOOK(VIRTQ_SHM_LOAD, what, p, 2);
	return virtq_le16(__atomic_load_n(p, __ATOMIC_RELAXED));
}

/*
 * Acquire load of avail idx (fence R1): the ring entries, descriptors and
 * buffers it exposes are read after it, pairing with the driver's barrier
 * before its idx store (SPLIT-OP-3).
 */
static inline uint16_t shm_load16_acquire(const uint16_t *p, enum virtq_shm_what what)
{
	SHM_HOOK(VIRTQ_SHM_LOAD, what, p, 2);
	uint16_t v = __atomic_load_n(p, __ATOMIC_ACQUIRE);
	SHM_HOOK(VIRTQ_SHM_FENCE, VIRTQ_SHM_FENCE_ACQUIRE, NULL, 0);
	return virtq_le16(v);
}

static inline void shm_store16(uint16_t *p, uint16_t v, enum virtq_shm_what what)
{
	SHM_HOOK(VIRTQ_SHM_STORE, what, p, 2);
	__atomic_store_n(p, virtq_le16(v), __ATOMIC_RELAXED);
}

static inline void shm_store32(uint32_t *p, uint32_t v, enum virtq_shm_what what)
{
	SHM_HOOK(VIRTQ_SHM_STORE, what, p, 4);
	__atomic_store_n(p, virtq_le32(v), __ATOMIC_RELAXED);
}

/*
 * Release store of used idx (fence W1): used elements and buffer data
 * written before it are visible to a driver that sees the new idx
 * (SPLIT-USED-5/6, USED-11).
 */
static inline void shm_store16_release(uint16_t *p, uint16_t v, enum virtq_shm_what what)
{
	SHM_HOOK(VIRTQ_SHM_FENCE, VIRTQ_SHM_FENCE_RELEASE, NULL, 0);
	SHM_HOOK(VIRTQ_SHM_STORE, what, p, 2);
	__atomic_store_n(p, virtq_le16(v), __ATOMIC_RELEASE);
}

/*
 * Full fence (F1, F2): orders our earlier store (used idx, used flags,
 * avail_event) before our next load (avail flags, used_event, avail idx).
 * Acquire/release cannot order a store before a later load; without this a
 * notification or a kick is lost (crosvm f95a1df7d / b9917a22a).
 */
static inline void shm_fence_full(void)
{
	SHM_HOOK(VIRTQ_SHM_FENCE, VIRTQ_SHM_FENCE_FULL, NULL, 0);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* A descriptor in host byte order: the only copy the walker ever checks. */
struct shm_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

/* The two little-endian words of a descriptor, as read, into its fields. */
static inline void shm_desc_split(uint64_t w0, uint64_t w1, struct shm_desc *d)
{
	d->addr = w0;
	d->len = (uint32_t)w1;
	d->flags = (uint16_t)(w1 >> 32);
	d->next = (uint16_t)(w1 >> 48);
}

/* shm_load_desc() of a descriptor whose host address the caller knows is 8-aligned. */
static inline void shm_load_desc_aligned(const struct virtq_desc *p, struct shm_desc *d)
{
	SHM_HOOK(VIRTQ_SHM_LOAD, VIRTQ_SHM_DESC, p, 16);
	shm_desc_split(virtq_le64(__atomic_load_n((const uint64_t *)p, __ATOMIC_RELAXED)),
		       virtq_le64(__atomic_load_n((const uint64_t *)p + 1, __ATOMIC_RELAXED)), d);
}

/*
 * The same, each field one load of its own size, still once each: no shifts
 * to split it, for a walk that keeps the fields apart.  A descriptor is no
 * more one snapshot as two words than as four (the driver may change it
 * between any two loads).
 */
static inline void shm_load_desc_fields(const struct virtq_desc *p, struct shm_desc *d)
{
	SHM_HOOK(VIRTQ_SHM_LOAD, VIRTQ_SHM_DESC, p, 16);
	d->addr = virtq_le64(__atomic_load_n(&p->addr, __ATOMIC_RELAXED));
	d->len = virtq_le32(__atomic_load_n(&p->len, __ATOMIC_RELAXED));
	d->flags = virtq_le16(__atomic_load_n(&p->flags, __ATOMIC_RELAXED));
	d->next = virtq_le16(__atomic_load_n(&p->next, __ATOMIC_RELAXED));
}

/*
 * Read one descriptor exactly once (no double fetch).  Ring tables are
 * 16-byte aligned (checked at setup) and read as two 64-bit words; an
 * indirect table may be anywhere, so a misaligned one is read byte by byte,
 * still once each.
 */
static inline void shm_load_desc(const struct virtq_desc *p, struct shm_desc *d)
{
	const unsigned char *b = (const unsigned char *)p;
	uint64_t w0 = 0, w1 = 0;

	if (((uintptr_t)p & 7u) == 0) {
		shm_load_desc_aligned(p, d);
		return;
	}
	SHM_HOOK(VIRTQ_SHM_LOAD, VIRTQ_SHM_DESC, p, 16);
	for (unsigned i = 0; i < 8; i++) {
		w0 |= (uint64_t)__atomic_load_n(b + i, __ATOMIC_RELAXED) << (8 * i);
		w1 |= (uint64_t)__atomic_load_n(b + 8 + i, __ATOMIC_RELAXED) << (8 * i);
	}
	shm_desc_split(w0, w1, d);
}

/* Buffer data in: the device keeps its own copy, so one pass suffices. */
static inline void shm_copy_from(void *dst, const void *src, size_t n)
{
	SHM_HOOK(VIRTQ_SHM_COPY_FROM, VIRTQ_SHM_BUFFER, src, n);
	memcpy(dst, src, n);
}

/* Buffer data out. */
static inline void shm_copy_to(void *dst, const void *src, size_t n)
{
	SHM_HOOK(VIRTQ_SHM_COPY_TO, VIRTQ_SHM_BUFFER, dst, n);
	memcpy(dst, src, n);
}

#endif /* VIRTQ_SRC_SHM_H */
