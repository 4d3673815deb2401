/* SPDX-License-Identifier: MIT */
/*
 * Guest memory: guest-physical ranges to host pointers (layer 1 of core).
 *
 * The guest names buffers by guest-physical address (GPA); the device needs
 * host virtual addresses (HVA).  A virtq_mem is either a table of regions
 * (gpa, size, hva) or a user callback, never both.
 *
 * Contract of translation, whichever backend:
 *   - a range either lies in guest memory or is an error: nothing is clamped;
 *   - gpa + len is computed without overflow; a range that wraps 2^64 fails;
 *   - zero-length ranges are never translated, so never dereferenced;
 *   - one call yields the longest host-contiguous prefix of the range.
 *
 * Buffers that span two adjacent regions: the data of a descriptor may cross
 * from one region into the next (GPA-adjacent regions need not be adjacent in
 * the host), and the chain walker then yields one host segment per region.
 * The ring parts and indirect tables, which the device reads as arrays, must
 * each lie inside one region; otherwise setup fails with VIRTQ_E_RING_RANGE
 * and the chain with VIRTQ_E_INDIRECT_RANGE.  Bug class 6 of the peer study
 * (DPDK CVE-2018-1059, libvhost-user's indirect pointer arithmetic) is why the
 * split path is explicit and tested rather than left to chance.
 */
#ifndef VIRTQ_MEM_H
#define VIRTQ_MEM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** One guest-physical region backed by host memory. */
struct virtq_mem_region {
	uint64_t gpa;  /**< first guest-physical address */
	uint64_t size; /**< bytes; > 0 */
	void *hva;     /**< host address of gpa */
};

/**
 * User translation callback.
 * @param opaque  the pointer given in virtq_mem_init_callback()
 * @param gpa     first guest-physical address (len > 0, gpa + len does not wrap)
 * @param len     bytes wanted
 * @param contig  out: bytes from the returned pointer that are host-contiguous
 *                and inside guest memory, 1..len
 * @return host pointer for @p gpa, or NULL if @p gpa is not guest memory.
 * The pointer must stay valid until the queue is re-initialised or given
 * another map with virtq_set_mem().
 */
typedef void *(*virtq_translate_fn)(void *opaque, uint64_t gpa, uint64_t len, uint64_t *contig);

/** Guest memory as seen by one or more queues; owned by the caller. */
struct virtq_mem {
	const struct virtq_mem_region *regions; /**< table backend, or NULL */
	size_t nregions;
	virtq_translate_fn translate; /**< callback backend, or NULL */
	void *opaque;
};

/**
 * Use a table of regions.  The table is referenced, not copied, and must
 * outlive every queue that uses @p m.  To change the map of a live queue,
 * re-initialise (or replace) @p m, then call virtq_set_mem(), which drops the
 * translations the queue keeps.
 * @return 0, or VIRTQ_E_MEM_REGIONS if a region is empty, has a NULL host
 *         pointer, wraps the guest or host address space, or overlaps another
 *         region in guest-physical space; VIRTQ_E_INVAL for NULL arguments.
 */
int virtq_mem_init(struct virtq_mem *m, const struct virtq_mem_region *regions, size_t n);

/**
 * Use a translation callback instead of a table.
 * @return 0, or VIRTQ_E_INVAL if @p fn is NULL.
 */
int virtq_mem_init_callback(struct virtq_mem *m, virtq_translate_fn fn, void *opaque);

/**
 * Translate the longest host-contiguous prefix of [gpa, gpa + len).
 * @param contig  out: 1..len bytes usable from the returned pointer
 * @return host pointer, or NULL if len is 0, the range wraps 2^64, or @p gpa
 *         is outside guest memory (then *contig is 0).
 */
void *virtq_mem_translate(const struct virtq_mem *m, uint64_t gpa, uint64_t len,
			  uint64_t *contig);

/**
 * Translate a range that must be host-contiguous as a whole (ring parts,
 * indirect tables).
 * @return host pointer, or NULL if any byte is outside guest memory, the range
 *         wraps, crosses a region boundary, or len is 0.
 */
void *virtq_mem_translate_all(const struct virtq_mem *m, uint64_t gpa, uint64_t len);

#ifdef __cplusplus
}
#endif
#endif /* VIRTQ_MEM_H */
