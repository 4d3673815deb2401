/* SPDX-License-Identifier: MIT */
/* virtio-blk over a disk image in memory (blk.c), the device type of virtq-vhost-user-blk. */
#ifndef VUB_BLK_H
#define VUB_BLK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <virtq/virtq.h>

#define BLK_SECTOR 512
#define VIRTIO_BLK_F_RO 5
#define VIRTIO_BLK_F_FLUSH 9

struct blk {
	unsigned char *disk;
	uint64_t size; /* bytes, a multiple of BLK_SECTOR */
	bool read_only;
	const char *serial; /* GET_ID */
};

/** One request (vub_type.serve). */
uint32_t blk_serve(void *ctx, struct virtq_iov *rd, struct virtq_iov *wr);
/** Configuration space: capacity (vub_type.config). */
size_t blk_config(void *ctx, uint32_t offset, void *buf, size_t n);

#endif /* VUB_BLK_H */
