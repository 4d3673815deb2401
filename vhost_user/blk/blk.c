/* SPDX-License-Identifier: MIT */
/*
 * virtio-blk (virtio 1.2 §5.2) over a disk image in memory: what
 * virtq-vhost-user-blk serves.  A request is a 16-byte header (type,
 * reserved, sector) in the readable part, data (readable for OUT, writable
 * for IN and GET_ID), and a status byte, the last writable byte.  The used
 * len claimed is what was written: data then status.
 */
#include "blk.h"

#include <string.h>

#define T_IN 0
#define T_OUT 1
#define T_FLUSH 4
#define T_GET_ID 8
#define S_OK 0
#define S_IOERR 1
#define S_UNSUPP 2
#define ID_BYTES 20 /* VIRTIO_BLK_ID_BYTES */

struct req_header {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

/* Whether [sector * 512, + len) lies in the disk (no wrap on a hostile sector). */
static bool in_disk(const struct blk *b, uint64_t sector, uint64_t len)
{
	uint64_t sectors = b->size / BLK_SECTOR;

	if (sector > sectors)
		return false;
	return len <= (sectors - sector) * BLK_SECTOR;
}

/* The data part of IN / GET_ID: every writable byte but the status. */
static uint8_t do_in(struct blk *b, uint64_t sector, struct virtq_iov *wr, uint64_t data)
{
	if (!in_disk(b, sector, data))
		return S_IOERR;
	virtq_iov_write(wr, b->disk + sector * BLK_SECTOR, (size_t)data);
	return S_OK;
}

static uint8_t do_out(struct blk *b, uint64_t sector, struct virtq_iov *rd)
{
	uint64_t data = virtq_iov_remaining(rd);

	if (b->read_only)
		return S_IOERR;
	if (!in_disk(b, sector, data))
		return S_IOERR;
	virtq_iov_read(rd, b->disk + sector * BLK_SECTOR, (size_t)data);
	return S_OK;
}

static uint8_t do_get_id(struct blk *b, struct virtq_iov *wr, uint64_t data)
{
	char id[ID_BYTES] = {0};

	/* Zero-padded, not NUL-terminated when it is 20 bytes: the spec allows it. */
	memcpy(id, b->serial, strnlen(b->serial, sizeof(id)));
	virtq_iov_write(wr, id, (size_t)(data < ID_BYTES ? data : ID_BYTES));
	return S_OK;
}

uint32_t blk_serve(void *ctx, struct virtq_iov *rd, struct virtq_iov *wr)
{
	struct blk *b = ctx;
	struct req_header h;
	uint64_t data;
	uint8_t status;

	/* No status byte: nothing can be reported, nothing is written (len 0). */
	if (virtq_iov_remaining(wr) == 0)
		return 0;
	data = virtq_iov_remaining(wr) - 1;
	if (virtq_iov_read(rd, &h, sizeof(h)) != sizeof(h))
		status = S_IOERR; /* a header shorter than 16 bytes */
	else if (h.type == T_IN)
		status = do_in(b, h.sector, wr, data);
	else if (h.type == T_OUT)
		status = do_out(b, h.sector, rd);
	else if (h.type == T_FLUSH)
		status = S_OK; /* the disk is memory: nothing to write back */
	else if (h.type == T_GET_ID)
		status = do_get_id(b, wr, data);
	else
		status = S_UNSUPP;
	virtq_iov_skip(wr, (size_t)(virtq_iov_remaining(wr) - 1));
	virtq_iov_write(wr, &status, 1);
	/* As QEMU does: the whole writable part, data (written or, on error, left) and status. */
	return (uint32_t)virtq_iov_consumed(wr);
}

size_t blk_config(void *ctx, uint32_t offset, void *buf, size_t n)
{
	const struct blk *b = ctx;
	struct {
		uint64_t capacity; /* in 512-byte sectors */
	} __attribute__((packed)) cfg = {b->size / BLK_SECTOR};

	if (offset >= sizeof(cfg))
		return 0;
	if (n > sizeof(cfg) - offset)
		n = sizeof(cfg) - offset;
	memcpy(buf, (const char *)&cfg + offset, n);
	return n;
}
