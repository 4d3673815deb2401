/* SPDX-License-Identifier: MIT */
/*
 * The virtio-fs device type (virtio 1.2 §5.11) for the black-box harness: FUSE
 * requests on requestq1 (ring 1), hiprio (ring 0) set up and left empty.  The
 * request is FUSE_INIT, the one every session starts with: a fuse_in_header
 * and fuse_init_in, readable; room for fuse_out_header and fuse_init_out,
 * writable.  A daemon answers every request, with an error if it must (a
 * second INIT), so each comes back.  Written from the spec and the FUSE
 * protocol, not from any back-end.
 */
#include <string.h>

#include "bb.h"

#define FS_HIPRIO 0
#define FS_REQUEST 1
#define FUSE_INIT 26
#define FUSE_OUT 16        /* struct fuse_out_header */
#define FUSE_INIT_OUT 64   /* struct fuse_init_out, protocol 7.31 */

struct fuse_init_request {
	/* struct fuse_in_header */
	uint32_t len, opcode;
	uint64_t unique, nodeid;
	uint32_t uid, gid, pid, padding;
	/* struct fuse_init_in (7.31) */
	uint32_t major, minor, max_readahead, flags;
};

static int fs_post(struct bb *b, uint64_t token)
{
	struct fuse_init_request r = {sizeof(r), FUSE_INIT, token + 1, 0, 0, 0, 0, 0, 7, 31, 0, 0};
	struct vg_chain c;

	vg_chain_init(&c);
	VQC_REQUIRE(vg_chain_readable(b->drv, &c, &r, sizeof(r)) != 0, "guest memory full");
	VQC_REQUIRE(vg_chain_writable(b->drv, &c, FUSE_OUT + FUSE_INIT_OUT) != 0, "guest memory full");
	return vg_drv_add(b->drv, &c, c.n, token);
}

static void fs_create(struct bb *b)
{
	b->idle = vg_drv_create(&b->mem, 8, b->drv->features);
	VQC_REQUIRE(b->idle != NULL, "driver for the hiprio ring");
}

static void fs_start(struct bb *b) { bb_ring_start(b, FS_HIPRIO, b->idle, 0); }

static void fs_close(struct bb *b) { bb_ring_retire(b, FS_HIPRIO, &b->idle, "hiprio: "); }

const struct bb_type bb_type_fs = {
	.name = "fs", .q = FS_REQUEST, .create = fs_create, .start = fs_start, .post = fs_post, .close = fs_close,
};
