/* SPDX-License-Identifier: MIT */
/*
 * The shared-memory seam, for harnesses only.
 *
 * Every access of core to memory the guest can see (ring fields, descriptors,
 * buffer data) goes through a handful of helpers in core/src/shm.h.  In the
 * library `virtq_instrumented` (same sources, built with VIRTQ_INSTRUMENTED)
 * each helper first calls the hook installed here, with the kind of access,
 * the host address and the size.  A hook may log the access (ordering checks,
 * "SHOULD NOT read writable buffers", double-fetch detection) or rewrite the
 * bytes before a load completes, as a driver on another CPU could.  The
 * production library `virtq` has no hook and no cost.
 */
#ifndef VIRTQ_SHM_HOOK_H
#define VIRTQ_SHM_HOOK_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** What the core is about to do to guest-visible memory. */
enum virtq_shm_op {
	VIRTQ_SHM_LOAD,       /**< load of a ring field or descriptor (size 2, 4 or 16) */
	VIRTQ_SHM_STORE,      /**< store to the used ring (size 2 or 4) */
	VIRTQ_SHM_COPY_FROM,  /**< read of buffer data into device memory */
	VIRTQ_SHM_COPY_TO,    /**< write of device data into a buffer */
	VIRTQ_SHM_FENCE,      /**< a fence (addr NULL, size 0): acquire, release or full */
};

/** Which field or area an access concerns; lets a log name it. */
enum virtq_shm_what {
	VIRTQ_SHM_AVAIL_FLAGS,
	VIRTQ_SHM_AVAIL_IDX,
	VIRTQ_SHM_AVAIL_RING,
	VIRTQ_SHM_USED_EVENT,
	VIRTQ_SHM_DESC,
	VIRTQ_SHM_USED_FLAGS,
	VIRTQ_SHM_USED_IDX,
	VIRTQ_SHM_USED_ELEM,
	VIRTQ_SHM_AVAIL_EVENT,
	VIRTQ_SHM_BUFFER,
	VIRTQ_SHM_FENCE_ACQUIRE,
	VIRTQ_SHM_FENCE_RELEASE,
	VIRTQ_SHM_FENCE_FULL,
};

/**
 * Hook called before each access.  For loads it runs before the value is
 * read, so it may change the bytes at @p addr.
 */
typedef void (*virtq_shm_hook_fn)(void *opaque, enum virtq_shm_op op, enum virtq_shm_what what,
				  const void *addr, size_t size);

/**
 * Install (or with NULL remove) the hook for the calling process.  Only in
 * the `virtq_instrumented` library; linking it against `virtq` fails, which is
 * the point: production code cannot be hooked by accident.
 */
void virtq_shm_set_hook(virtq_shm_hook_fn fn, void *opaque);

#ifdef __cplusplus
}
#endif
#endif /* VIRTQ_SHM_HOOK_H */
