/* SPDX-License-Identifier: MIT */
/*
 * The harness as a vhost-user front-end (the VMM's side of QEMU's
 * docs/interop/vhost-user.rst): it starts or connects to a back-end, hands it
 * the hostile guest's memory (its memfd regions) and rings, kicks through
 * eventfds and counts the back-end's calls.  What the back-end then does to
 * the rings is judged elsewhere, by the guest (vguest/) and the black-box
 * checks; this layer only speaks the protocol, and treats the back-end as
 * untrusted too: every wait is bounded, a short or mismatched reply is an
 * error naming the message, and end-of-file is an answer (a back-end that
 * closes the connection on a ring error), never a crash (MSG_NOSIGNAL).
 *
 * Set-up follows QEMU's order, which libvhost-user and DPDK both accept:
 * GET_FEATURES, GET/SET_PROTOCOL_FEATURES, SET_OWNER, SET_FEATURES,
 * SET_MEM_TABLE, then per ring NUM, BASE, ADDR, KICK, CALL and ENABLE.
 */
#ifndef VHOST_USER_FRONTEND_H
#define VHOST_USER_FRONTEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "vguest/mem.h"
#include "vhost_user/proto.h"

#define VHU_FE_MAX_RINGS 8
#define VHU_FE_DEFAULT_TIMEOUT_MS 10000

struct vhu_fe {
	int sock;            /* -1 when not connected */
	pid_t pid;           /* back-end process vhu_fe_spawn() started, else 0 */
	int status;          /* its wait status once reaped (exited set) */
	bool exited;
	const char *tmp_root; /* where vhu_fe_spawn() makes its folder (NULL: /tmp) */
	char dir[160];       /* private folder: socket and back-end log */
	char socket[192];
	char log[192];       /* the back-end's stdout and stderr */
	int timeout_ms;      /* bound of every wait for the back-end */
	uint64_t offered;    /* GET_FEATURES */
	uint64_t features;   /* SET_FEATURES: what was negotiated */
	uint64_t protocol;   /* protocol features both sides have */
	struct vhu_fe_ring {
		int kick, call; /* eventfds, -1 when not set */
		bool started;
	} ring[VHU_FE_MAX_RINGS];
	bool closed;         /* the back-end ended the connection (end-of-file, EPIPE) */
	char err[512];       /* the last error, naming the message */
};

/** A ring as the driver laid it out: guest-physical addresses of its parts. */
struct vhu_fe_ring_cfg {
	uint32_t size;
	uint64_t desc, avail, used;
	uint16_t base; /* the first avail slot the back-end is to consume */
};

/** An unconnected front-end with the default wait bound. */
void vhu_fe_init(struct vhu_fe *fe);

/**
 * Start a back-end: @p command runs under /bin/sh with every "{socket}"
 * replaced by a socket path in a private folder, output to a log there; then
 * connect, retrying until the socket answers, the process dies (an error
 * quoting its status and log) or the bound passes.  @return 0 or -1.
 */
int vhu_fe_spawn(struct vhu_fe *fe, const char *command);

/** Connect to a back-end already listening on @p path.  @return 0 or -1. */
int vhu_fe_connect(struct vhu_fe *fe, const char *path);

/**
 * Negotiate: the back-end's features, its protocol features (REPLY_ACK,
 * CONFIG and MQ kept where offered), SET_OWNER, then SET_FEATURES with
 * @p want & offered (plus PROTOCOL_FEATURES when offered).
 * @return 0, or -1 (also when VERSION_1 is in @p want but not offered).
 */
int vhu_fe_negotiate(struct vhu_fe *fe, uint64_t want);

/**
 * SET_MEM_TABLE with every region of @p m (at most VHU_MAX_REGIONS), each its
 * memfd, the region's offset in it, and the driver view's address as
 * userspace_addr.  @return 0 or -1 (also when the back-end refuses it).
 */
int vhu_fe_set_mem(struct vhu_fe *fe, const struct vg_mem *m);

/**
 * Set ring @p idx up and enable it: NUM, BASE, ADDR (front-end addresses of
 * the parts in @p m), KICK and CALL (new eventfds), ENABLE.  @return 0 or -1.
 */
int vhu_fe_ring_start(struct vhu_fe *fe, unsigned idx, const struct vg_mem *m,
		      const struct vhu_fe_ring_cfg *c);

/**
 * Stop ring @p idx: GET_VRING_BASE, whose answer is the next avail slot the
 * back-end would consume (*last_avail).  A back-end must answer within the
 * bound whatever its rings hold.  @return 0 or -1.
 */
int vhu_fe_ring_stop(struct vhu_fe *fe, unsigned idx, uint16_t *last_avail);

/**
 * Reset the device: RESET_DEVICE where the back-end offers it, else
 * RESET_OWNER.  Rings, memory and features are forgotten on both sides (the
 * protocol features stay); set up again with vhu_fe_negotiate().
 * @return 0 or -1.
 */
int vhu_fe_reset(struct vhu_fe *fe);

/** Signal ring @p idx's kick eventfd.  @return 0 or -1. */
int vhu_fe_kick(struct vhu_fe *fe, unsigned idx);

/** Calls on ring @p idx since the last look (reads the eventfd, never blocks). */
uint64_t vhu_fe_calls(struct vhu_fe *fe, unsigned idx);

/** Wait up to @p ms for a call on ring @p idx.  @return calls seen (0: none in time). */
uint64_t vhu_fe_wait_call(struct vhu_fe *fe, unsigned idx, int ms);

/** GET_CONFIG (CONFIG protocol feature): @p n bytes of device configuration at @p offset. */
int vhu_fe_get_config(struct vhu_fe *fe, uint32_t offset, void *buf, uint32_t n);

/**
 * One message as is, for hostile-front-end tests and anything the helpers do
 * not cover: @p payload of @p size bytes and @p nfds descriptors.  When
 * @p reply is not NULL, wait for the answer to @p req (at most @p reply_size
 * payload bytes; *got its size).  With REPLY_ACK negotiated and @p ack set,
 * ask for and wait for the acknowledgement: a non-zero one is -1 with the
 * back-end's code in the error.  @return 0 or -1.
 */
int vhu_fe_request(struct vhu_fe *fe, uint32_t req, const void *payload, uint32_t size, const int *fds,
		   unsigned nfds, void *reply, uint32_t reply_size, uint32_t *got, bool ack);

/**
 * Whether the back-end process is still running (always true for one we did
 * not start).  If not, @p why (may be NULL) says how it ended and quotes the
 * end of its log.
 */
bool vhu_fe_alive(struct vhu_fe *fe, char *why, size_t n);

/** Close the connection and the eventfds (the back-end keeps running). */
void vhu_fe_disconnect(struct vhu_fe *fe);

/**
 * Disconnect, stop a back-end we started (SIGTERM, then SIGKILL after the
 * bound), remove the folder (its log is kept, and its path printed, when the
 * environment has VIRTQ_VHU_KEEP_LOGS).
 */
void vhu_fe_close(struct vhu_fe *fe);

/** Milliseconds on the monotonic clock: what every bound on a back-end is measured in. */
static inline int64_t vhu_now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/** The last error. */
static inline const char *vhu_fe_error(const struct vhu_fe *fe) { return fe->err; }

#endif /* VHOST_USER_FRONTEND_H */
