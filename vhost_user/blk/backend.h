/* SPDX-License-Identifier: MIT */
/*
 * A vhost-user back-end on the virtq core: the protocol's device side
 * (QEMU docs/interop/vhost-user.rst) with every ring served by the core, and
 * the device type (blk.c) plugged in as a request handler.
 *
 * The front-end is untrusted like the driver: a message with a payload that
 * does not fit its request, a region table the process cannot map, a ring
 * size that is not a power of two, ring addresses outside guest memory are
 * each refused with a line on stderr naming the message, and a NACK when the
 * front-end asked for an acknowledgement (REPLY_ACK).  A refused message
 * changes nothing, so the next valid set-up is served.  A message that cannot
 * be framed (wrong version, oversized) ends the connection; the back-end then
 * waits for the next one with everything reset.
 */
#ifndef VUB_BACKEND_H
#define VUB_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <virtq/virtq.h>

#include "vhost_user/proto.h"

#define VUB_MAX_RINGS 4

/** What the device type brings: its features, its configuration space, its requests. */
struct vub_type {
	const char *name;
	uint64_t features; /* device feature bits (ring features are the back-end's) */
	unsigned nrings;
	/** Bytes of configuration space (GET_CONFIG) from @p offset; @return bytes copied. */
	size_t (*config)(void *ctx, uint32_t offset, void *buf, size_t n);
	/** Serve one request; @return the bytes written into @p wr (the used len claimed). */
	uint32_t (*serve)(void *ctx, struct virtq_iov *rd, struct virtq_iov *wr);
	void *ctx;
};

/**
 * Listen on @p socket_path (replaced if it exists) and serve one front-end at
 * a time with @p type until SIGTERM or SIGINT.  @return 0, or 1 when the
 * socket cannot be set up (message on stderr).
 */
int vub_run(const char *socket_path, const struct vub_type *type);

#endif /* VUB_BACKEND_H */
