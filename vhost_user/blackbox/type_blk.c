/* SPDX-License-Identifier: MIT */
/*
 * The virtio-blk device type (virtio 1.2 §5.2) for the black-box harness:
 * requests as a Linux guest builds them, a 16-byte header (type, reserved,
 * sector) readable, data, and the status byte as the last writable byte.
 * Written from the spec, not from any back-end.
 */
#include "type_blk.h"

#include <string.h>

struct blk_header {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

int blk_post(struct bb *b, uint32_t type, uint64_t sector, const void *out, uint32_t nout, uint32_t nin,
	     uint64_t token)
{
	struct blk_header h = {type, 0, sector};
	struct vg_chain c;

	vg_chain_init(&c);
	VQC_REQUIRE(vg_chain_readable(b->drv, &c, &h, sizeof(h)) != 0, "guest memory full");
	if (nout)
		VQC_REQUIRE(vg_chain_readable(b->drv, &c, out, nout) != 0, "guest memory full");
	if (nin)
		VQC_REQUIRE(vg_chain_writable(b->drv, &c, nin) != 0, "guest memory full");
	VQC_REQUIRE(vg_chain_writable(b->drv, &c, 1) != 0, "guest memory full");
	return vg_drv_add(b->drv, &c, c.n, token);
}

/* The last writable buffer's last byte. */
static uint64_t status_gpa(struct bb *b, uint16_t head)
{
	unsigned n;
	const struct vg_buf *buf = vg_drv_bufs(b->drv, head, &n);

	VQC_REQUIRE(n > 0 && buf[n - 1].writable, "head %u has no status byte", head);
	return buf[n - 1].gpa + buf[n - 1].len - 1;
}

uint8_t blk_status(struct bb *b, uint16_t head)
{
	uint8_t s = 0xff;

	vg_mem_read(&b->mem, status_gpa(b, head), &s, 1);
	return s;
}

bool blk_read_data(struct bb *b, uint16_t head, void *dst, uint32_t n)
{
	unsigned nb;
	const struct vg_buf *buf = vg_drv_bufs(b->drv, head, &nb);

	/* header, data (writable), status */
	return nb == 3 && buf[1].writable && buf[1].len == n && vg_mem_read(&b->mem, buf[1].gpa, dst, n);
}

/* A read of 512 bytes: the reply comes back whatever the disk holds. */
static int blk_post_small(struct bb *b, uint64_t token)
{
	return blk_post(b, BLK_T_IN, token % 64, NULL, 0, 512, token);
}

const struct bb_type bb_type_blk = {.name = "blk", .q = 0, .post = blk_post_small};
