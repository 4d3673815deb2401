/* SPDX-License-Identifier: MIT */
/*
 * Inside of the vringh wrapper, for in-tree code that is itself compiled
 * against tools/virtio's shims and wants to call vringh directly (the
 * benchmark does, so that vringh is timed without the wrapper's glue).
 * Not an API: the public one is virtq_interop/vringh_device.h.
 */
#ifndef VIRTQ_INTEROP_VRINGH_DEVICE_IMPL_H
#define VIRTQ_INTEROP_VRINGH_DEVICE_IMPL_H

#include <linux/kernel.h>
#include <linux/vringh.h>
#include <linux/virtio_ring.h>
#include <linux/virtio_config.h>

#include "virtq_interop/vringh_device.h"

struct virtq_vringh {
	struct vringh vrh; /* first: getrange gets only this pointer (from_vrh) */
	const struct virtq_mem *mem;
	struct vringh_iov riov, wiov;
	struct iovec *rstore, *wstore; /* our storage; vringh may swap in malloc'd arrays */
	unsigned cap;
};

/* The getrange callback the wrapper gives vringh_getdesc_user(). */
bool virtq__vringh_getrange(struct vringh *vrh, u64 addr, struct vringh_range *r);

#endif /* VIRTQ_INTEROP_VRINGH_DEVICE_IMPL_H */
