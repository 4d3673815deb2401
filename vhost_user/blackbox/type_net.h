/* SPDX-License-Identifier: MIT */
/* virtio-net packets for the black-box harness (type_net.c). */
#ifndef VHU_TYPE_NET_H
#define VHU_TYPE_NET_H

#include "bb.h"

#define NET_RXQ 0       /* receiveq1 (virtio 1.2 §5.1.2) */
#define NET_TXQ 1       /* transmitq1 */
#define NET_HDR 12      /* struct virtio_net_hdr with num_buffers: always, under VERSION_1 (§5.1.6) */
#define NET_FRAME 64    /* the frames the suite sends: a minimal Ethernet frame */
#define NET_RX_SIZE 32  /* receive ring entries, every one a posted buffer */
#define NET_RX_BUF (NET_HDR + 1514)

/** Add a frame of NET_FRAME bytes carrying @p token behind a zeroed header to the transmit ring.  @return head. */
int net_send(struct bb *b, uint64_t token);
#define NET_GONE (-1)      /* net_receive: no packet within BB_WAIT_MS */
#define NET_BAD_ENTRY (-2) /* net_receive: a used entry judged bad (already a finding) */

/**
 * Wait (bounded) for the next packet on the receive ring, judge its used
 * entry, read the frame after the header into @p frame (NET_FRAME bytes) and
 * post a fresh buffer.  @return the entry's used len, NET_GONE or NET_BAD_ENTRY.
 */
int64_t net_receive(struct bb *b, uint8_t frame[NET_FRAME]);
/** The frame net_send() builds for @p token. */
void net_frame(uint64_t token, uint8_t frame[NET_FRAME]);

#endif /* VHU_TYPE_NET_H */
