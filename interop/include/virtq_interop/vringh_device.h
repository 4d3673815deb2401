/* SPDX-License-Identifier: MIT */
/*
 * Linux's vringh (drivers/vhost/vringh.c of Linux 6.1, the kernel's own
 * device side of a split ring) as a second device implementation, driven
 * over the same rings and guest memory the core takes: give it the
 * virtq_queue_config that virtq_init() gets (the interop tests and the
 * benchmark build one over the hostile guest's memory, guest/).
 *
 * It uses vringh's "user" flavour (vringh_*_user): ring parts are translated
 * once at creation, and every buffer and indirect table address goes through
 * vringh's range check with a getrange callback that looks the address up in
 * cfg->mem (region table or translation callback; this code does its own
 * lookup and does not call the core).  So a hostile guest image gets the
 * same checks vringh applies in the kernel, and addresses outside guest
 * memory are refused, not dereferenced.
 *
 * Results are vringh's own: 1/0/-errno from getdesc (Linux errno values:
 * -EINVAL bad head, descriptor, range or indirect length; -ELOOP a loop;
 * -EPROTO a direction the caller gave no iov for; -ENOMEM iov growth
 * failed).  Where vringh departs from the spec (it checks avail idx only for
 * equality, does not advance past a bad head, ...) this wrapper does not
 * correct it: it is an implementation under test.
 *
 * For tests, fuzz targets, conformance adapters and benchmarks.  The shim's
 * bounds of "user" memory (__user_addr_min/max) are process-wide; a wrapper
 * widens them to cover every guest range it hands to vringh.  Binaries that
 * link this contain GPL-2.0 code from Linux, fetched at build time, never
 * committed.
 */
#ifndef VIRTQ_INTEROP_VRINGH_DEVICE_H
#define VIRTQ_INTEROP_VRINGH_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "virtq/queue.h"
#include "virtq/ring.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One host segment as vringh produced it (layout of struct iovec / kvec). */
struct virtq_vringh_seg {
	void *addr;
	size_t len;
};

/**
 * A chain as vringh walked it.  The segment arrays belong to the wrapper and
 * stay valid until the next virtq_vringh_getdesc().  vringh splits a buffer
 * into one segment per guest memory range it crosses, as the core does.
 */
struct virtq_vringh_chain {
	uint16_t head;                   /**< head index; queue size if none was taken */
	const struct virtq_vringh_seg *rd; /**< device-readable segments */
	unsigned nrd;
	const struct virtq_vringh_seg *wr; /**< device-writable segments */
	unsigned nwr;
};

struct virtq_vringh;

/**
 * vringh_init_user() over the rings of @p cfg (size, ring addresses,
 * features, mem; indirect_max is not a vringh notion and is ignored).
 * @param iov_cap  segments per direction held without allocating (vringh
 *                 grows the arrays with malloc when a chain needs more)
 * @param err      out (may be NULL): 0, or -EINVAL when the size is not a
 *                 power of two or a ring part is not inside one guest memory
 *                 range, -ENOMEM
 * @return the wrapper, or NULL.
 */
struct virtq_vringh *virtq_vringh_create(const struct virtq_queue_config *cfg, unsigned iov_cap,
					 int *err);
void virtq_vringh_destroy(struct virtq_vringh *v);

/**
 * vringh_getdesc_user(): take the next available chain and walk it.
 * @return 1 and @p c filled; 0 ring empty; or vringh's -errno.  After an
 *         error c->head is the queue size if the avail ring itself was bad
 *         (vringh then has not moved past the entry), else the failed head.
 */
int virtq_vringh_getdesc(struct virtq_vringh *v, struct virtq_vringh_chain *c);

/** vringh_iov_pull_user(): copy from the last chain's readable segments.  @return bytes or -errno. */
ssize_t virtq_vringh_pull(struct virtq_vringh *v, void *dst, size_t len);
/** vringh_iov_push_user(): copy into the last chain's writable segments.  @return bytes or -errno. */
ssize_t virtq_vringh_push(struct virtq_vringh *v, const void *src, size_t len);

/** vringh_complete_user(): publish one used entry.  @return 0 or -errno. */
int virtq_vringh_complete(struct virtq_vringh *v, uint16_t head, uint32_t len);
/** vringh_complete_multi_user(): publish @p n entries (host byte order) with one idx store. */
int virtq_vringh_complete_multi(struct virtq_vringh *v, const struct virtq_used_elem *used,
				unsigned n);

/** vringh_need_notify_user(): 1 to notify the driver, 0 not, -errno. */
int virtq_vringh_need_notify(struct virtq_vringh *v);
/**
 * vringh_notify_enable_user(): ask for kicks again.  Note vringh's sense:
 * true if the ring is still empty, false if buffers arrived meanwhile.
 */
bool virtq_vringh_notify_enable(struct virtq_vringh *v);
/** vringh_notify_disable_user(). */
void virtq_vringh_notify_disable(struct virtq_vringh *v);
/** vringh_abandon_user(): give back the last @p n chains taken (not completed). */
void virtq_vringh_abandon(struct virtq_vringh *v, unsigned n);

/** Next avail slot vringh will read (free-running). */
uint16_t virtq_vringh_last_avail(const struct virtq_vringh *v);
/** Used idx as vringh last published it (free-running). */
uint16_t virtq_vringh_used_idx(const struct virtq_vringh *v);

#ifdef __cplusplus
}
#endif
#endif /* VIRTQ_INTEROP_VRINGH_DEVICE_H */
