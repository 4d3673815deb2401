/* SPDX-License-Identifier: MIT */
/*
 * Linux's virtio driver ring (drivers/virtio/virtio_ring.c of Linux 6.1, the
 * code every Linux guest runs), built in user space with tools/virtio's shim
 * headers, behind a small C interface that needs no Linux header.
 *
 * The shims make "physical == virtual": the addresses Linux writes into
 * descriptors, and the ring addresses it reports, are host pointers.  A
 * device serving this driver therefore sees guest memory identity-mapped
 * (gpa == hva), e.g. one virtq_mem_region {gpa = (uintptr_t)p, hva = p}.
 *
 * Indirect tables: Linux kmallocs one per chain of two or more buffers when
 * VIRTIO_F_INDIRECT_DESC is negotiated.  virtq_linux_driver_add() takes the
 * memory for it from the caller, so that it lies in guest memory; the
 * driver's later kfree of it is ignored for addresses inside the guest range
 * given at creation.  (The shim's allocation hooks are process-wide, so at
 * most one driver per process may be adding at a time.)
 *
 * Calls follow the kernel's rules: one thread drives a queue; the device runs
 * anywhere else.  Binaries that link this contain GPL-2.0 code from Linux,
 * fetched at build time and never committed.
 */
#ifndef VIRTQ_INTEROP_LINUX_DRIVER_H
#define VIRTQ_INTEROP_LINUX_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** One driver buffer: a host pointer (== its guest-physical address) and a length. */
struct virtq_linux_sg {
	void *buf;
	uint32_t len;
};

struct virtq_linux_driver_config {
	void *ring;           /**< zeroed, page-aligned, virtq_linux_vring_bytes() long */
	uint32_t size;        /**< queue size: power of two */
	uint32_t align;       /**< used ring alignment (Linux's vring_align), e.g. 4096 */
	uint64_t features;    /**< negotiated bits (VIRTQ_FEATURE(VIRTQ_F_*)) */
	uint32_t max_sg;      /**< most buffers one add may carry */
	void *guest_start;    /**< guest memory [start, start + len): indirect tables */
	size_t guest_len;     /**<   handed to add() lie here and are never freed */
	/** Kick the device (Linux's vq->notify); false breaks the queue. */
	bool (*notify)(void *opaque);
	/** Used-buffer callback run by virtq_linux_driver_interrupt(); may be NULL. */
	void (*callback)(void *opaque);
	void *opaque;
};

struct virtq_linux_driver;

/** Bytes of the split ring Linux lays out for @p size and @p align (vring_size()). */
size_t virtq_linux_vring_bytes(uint32_t size, uint32_t align);

/** vring_new_virtqueue() over cfg->ring.  @return the driver, or NULL. */
struct virtq_linux_driver *virtq_linux_driver_create(const struct virtq_linux_driver_config *cfg);
void virtq_linux_driver_destroy(struct virtq_linux_driver *d);

/** Ring part addresses as the transport would tell the device (identity-mapped). */
uint64_t virtq_linux_driver_desc_addr(const struct virtq_linux_driver *d);
uint64_t virtq_linux_driver_avail_addr(const struct virtq_linux_driver *d);
uint64_t virtq_linux_driver_used_addr(const struct virtq_linux_driver *d);

/**
 * virtqueue_add_sgs(): @p nout device-readable buffers then @p nin
 * device-writable ones, identified by @p token (not NULL).  @p indirect is
 * where Linux's indirect table goes if it builds one: 16 * (nout + nin) bytes,
 * 16-byte aligned, inside the guest range; NULL lets it malloc (only useful
 * if the device can reach the heap).
 * @return 0, or Linux's -ENOSPC (ring full), -EIO (broken), -ENOMEM, or
 *         -EINVAL (more than max_sg buffers, or none).
 */
int virtq_linux_driver_add(struct virtq_linux_driver *d, const struct virtq_linux_sg *out,
			   unsigned nout, const struct virtq_linux_sg *in, unsigned nin,
			   void *token, void *indirect);

/** virtqueue_kick(): publish and notify if the device asked for kicks.  false if broken. */
bool virtq_linux_driver_kick(struct virtq_linux_driver *d);

/** virtqueue_get_buf(): the next used token and its length, or NULL. */
void *virtq_linux_driver_get_buf(struct virtq_linux_driver *d, uint32_t *len);

/** virtqueue_disable_cb(). */
void virtq_linux_driver_disable_cb(struct virtq_linux_driver *d);
/** virtqueue_enable_cb(): false if used buffers are already pending. */
bool virtq_linux_driver_enable_cb(struct virtq_linux_driver *d);
/** virtqueue_enable_cb_delayed(): as enable_cb, asking for one interrupt at 3/4 of the outstanding. */
bool virtq_linux_driver_enable_cb_delayed(struct virtq_linux_driver *d);

/** vring_interrupt(): what the guest's interrupt handler runs.  true if handled. */
bool virtq_linux_driver_interrupt(struct virtq_linux_driver *d);

/** Free descriptors (vq->num_free). */
unsigned virtq_linux_driver_num_free(const struct virtq_linux_driver *d);
/** virtqueue_is_broken(): Linux found the device's used ring bad (BAD_RING). */
bool virtq_linux_driver_is_broken(const struct virtq_linux_driver *d);

/** Version of the Linux sources built in, e.g. "linux-source-6.1 6.1.192-2". */
const char *virtq_linux_source_version(void);

#ifdef __cplusplus
}
#endif
#endif /* VIRTQ_INTEROP_LINUX_DRIVER_H */
