/* SPDX-License-Identifier: MIT */
/*
 * The virtio-net device type (virtio 1.2 §5.1) for the black-box harness, for
 * a back-end that sends every transmitted frame back on its receive ring (DPDK
 * testpmd's io forwarding, a loopback device).  The suite drives transmitq1:
 * each chain a zeroed 12-byte virtio_net_hdr and a frame, both readable, so
 * the used len must be 0 (SPLIT-USED-3).  receiveq1 holds posted buffers the
 * whole time: a back-end that forwards needs somewhere to put the frame, and
 * its writes there are judged like any other (used entries, shadow compare).
 * Written from the spec, not from any back-end.
 */
#include "type_net.h"

#include <string.h>

void net_frame(uint64_t token, uint8_t f[NET_FRAME])
{
	static const uint8_t eth[14] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x88, 0xb5}; /* local experimental type */

	memcpy(f, eth, sizeof(eth));
	for (unsigned i = 0; i < 8; i++)
		f[14 + i] = (uint8_t)(token >> (8 * i));
	for (unsigned i = 22; i < NET_FRAME; i++)
		f[i] = (uint8_t)(token + i);
}

int net_send(struct bb *b, uint64_t token)
{
	static const uint8_t hdr[NET_HDR]; /* no checksum offload, no GSO: all zero */
	uint8_t frame[NET_FRAME];
	struct vg_chain c;

	net_frame(token, frame);
	vg_chain_init(&c);
	VQC_REQUIRE(vg_chain_readable(b->drv, &c, hdr, sizeof(hdr)) != 0, "guest memory full");
	VQC_REQUIRE(vg_chain_readable(b->drv, &c, frame, sizeof(frame)) != 0, "guest memory full");
	return vg_drv_add(b->drv, &c, c.n, token);
}

static int net_post(struct bb *b, uint64_t token) { return net_send(b, token); }

static void rx_post(struct bb *b, const struct vg_buf *reuse)
{
	struct vg_chain c;

	vg_chain_init(&c);
	if (reuse) { /* a buffer the back-end gave back: poisoned again, so the next packet's bytes show */
		VQC_REQUIRE(vg_mem_fill(&b->mem, reuse->gpa, VG_POISON, reuse->len), "guest memory");
		vg_chain_ref(&c, reuse->gpa, reuse->len, true);
	} else {
		VQC_REQUIRE(vg_chain_writable(b->rx, &c, NET_RX_BUF) != 0, "guest memory full");
	}
	VQC_REQUIRE(vg_drv_add(b->rx, &c, c.n, 0) >= 0, "receive ring full");
}

static void net_create(struct bb *b)
{
	b->rx = vg_drv_create(&b->mem, NET_RX_SIZE, b->drv->features);
	VQC_REQUIRE(b->rx != NULL, "driver for the receive ring");
}

static void net_start(struct bb *b)
{
	for (unsigned i = 0; i < NET_RX_SIZE; i++)
		rx_post(b, NULL);
	vg_drv_publish(b->rx);
	bb_ring_start(b, NET_RXQ, b->rx, 0);
	VQC_REQUIRE(vhu_fe_kick(&b->fe, NET_RXQ) == 0, "kick: %s", vhu_fe_error(&b->fe));
}

int64_t net_receive(struct bb *b, uint8_t frame[NET_FRAME])
{
	struct vg_used u;
	const struct vg_buf *buf;
	unsigned n;

	memset(frame, 0, NET_FRAME);
	if (bb_wait_ring(b, b->rx, NET_RXQ, 1) < 1 || vg_drv_reap(b->rx, &u) != 1)
		return NET_GONE;
	if (!bb_judge_used(&u, "receiveq1: "))
		return NET_BAD_ENTRY;
	buf = vg_drv_bufs(b->rx, (uint16_t)u.id, &n);
	VQC_REQUIRE(n == 1 && buf[0].len == NET_RX_BUF, "receive buffer of head %u", u.id);
	vg_mem_read(&b->mem, buf[0].gpa + NET_HDR, frame, NET_FRAME);
	rx_post(b, &buf[0]);
	if (vg_drv_publish(b->rx))
		VQC_REQUIRE(vhu_fe_kick(&b->fe, NET_RXQ) == 0, "kick: %s", vhu_fe_error(&b->fe));
	return u.len;
}

static void net_close(struct bb *b) { bb_ring_retire(b, NET_RXQ, &b->rx, "receiveq1: "); }

const struct bb_type bb_type_net = {
	.name = "net", .q = NET_TXQ, .create = net_create, .start = net_start, .post = net_post, .close = net_close,
};
