/* SPDX-License-Identifier: MIT */
/* The vhost-user protocol on the virtq core (see backend.h). */
#include "backend_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* Ring features the core implements; the device type adds its own. */
#define RING_FEATURES                                                                              \
	(VIRTQ_FEATURE(VIRTQ_F_VERSION_1) | VIRTQ_FEATURE(VIRTQ_F_INDIRECT_DESC) |                 \
	 VIRTQ_FEATURE(VIRTQ_F_EVENT_IDX) | VIRTQ_FEATURE(VHU_F_PROTOCOL_FEATURES))
#define PROTOCOL_FEATURES ((1ull << VHU_PF_REPLY_ACK) | (1ull << VHU_PF_CONFIG) | (1ull << VHU_PF_RESET_DEVICE))

static volatile sig_atomic_t stopping;

static void on_signal(int sig) { (void)sig, stopping = 1; }

/* A refusal: one line on stderr naming the message; the caller NACKs. */
int refuse(const struct vhu_msg *m, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "virtq-vhost-user: %s refused: ", vhu_request_name(m->h.request));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

/* ---- messages ---- */

static int ring_index(const struct dev *d, const struct vhu_msg *m, uint32_t idx)
{
	if (idx >= d->type->nrings)
		return refuse(m, "ring %u: the device has %u", idx, d->type->nrings);
	return 0;
}

static int set_num(struct dev *d, const struct vhu_msg *m)
{
	uint32_t i = m->p.state.index, num = m->p.state.num;

	if (ring_index(d, m, i) != 0)
		return -1;
	if (num == 0 || num > VIRTQ_MAX_SIZE || (num & (num - 1)))
		return refuse(m, "ring %u: size %u is not a power of two in 1..%d", i, num, VIRTQ_MAX_SIZE);
	if (d->ring[i].started)
		return refuse(m, "ring %u is running", i);
	d->ring[i].num = num;
	return 0;
}

static int set_base(struct dev *d, const struct vhu_msg *m)
{
	uint32_t i = m->p.state.index;

	if (ring_index(d, m, i) != 0)
		return -1;
	if (m->p.state.num > 0xffff)
		return refuse(m, "ring %u: base %u does not fit 16 bits", i, m->p.state.num);
	if (d->ring[i].started)
		return refuse(m, "ring %u is running", i);
	d->ring[i].base = (uint16_t)m->p.state.num;
	return 0;
}

static int set_addr(struct dev *d, const struct vhu_msg *m)
{
	const struct vhu_vring_addr *a = &m->p.addr;
	struct ring *r;
	uint64_t desc, avail, used;

	if (ring_index(d, m, a->index) != 0)
		return -1;
	r = &d->ring[a->index];
	if (r->started)
		return refuse(m, "ring %u is running", a->index);
	if (!gpa_of_uva(d, a->desc_uva, 1, &desc) || !gpa_of_uva(d, a->avail_uva, 1, &avail) ||
	    !gpa_of_uva(d, a->used_uva, 1, &used))
		return refuse(m, "ring %u: desc 0x%llx, avail 0x%llx or used 0x%llx is in no region", a->index,
			      (unsigned long long)a->desc_uva, (unsigned long long)a->avail_uva,
			      (unsigned long long)a->used_uva);
	r->desc = desc, r->avail = avail, r->used = used;
	r->have_addr = true;
	return 0;
}

static int set_ring_fd(struct dev *d, const struct vhu_msg *m, const int *fds, unsigned nfds)
{
	uint32_t i = (uint32_t)(m->p.u64 & VHU_VRING_IDX_MASK);
	bool nofd = m->p.u64 & VHU_VRING_NOFD;
	int *slot;

	if (ring_index(d, m, i) != 0)
		return -1;
	if (nfds != (nofd ? 0u : 1u))
		return refuse(m, "ring %u: %u descriptors, %s", i, nfds, nofd ? "none expected" : "one expected");
	if (m->h.request == VHU_SET_VRING_ERR) /* errors are reported on stderr, not through it */
		return 0;
	slot = m->h.request == VHU_SET_VRING_KICK ? &d->ring[i].kick : &d->ring[i].call;
	if (m->h.request == VHU_SET_VRING_KICK && nofd)
		return refuse(m, "ring %u: polling without a kick fd is not supported", i);
	close_fd(slot);
	*slot = nofd ? -1 : fcntl(fds[0], F_DUPFD_CLOEXEC, 0);
	if (*slot >= 0 && m->h.request == VHU_SET_VRING_KICK) /* drained without blocking */
		fcntl(*slot, F_SETFL, fcntl(*slot, F_GETFL) | O_NONBLOCK);
	return m->h.request == VHU_SET_VRING_KICK ? ring_try_start(d, i, m) : 0;
}

static int set_enable(struct dev *d, const struct vhu_msg *m)
{
	uint32_t i = m->p.state.index;

	if (ring_index(d, m, i) != 0)
		return -1;
	if (m->p.state.num > 1)
		return refuse(m, "ring %u: enable %u (0 or 1)", i, m->p.state.num);
	d->ring[i].enabled = m->p.state.num;
	if (!d->ring[i].enabled)
		return 0; /* a disabled ring is not served; its state stays for GET_VRING_BASE */
	return ring_try_start(d, i, m);
}

/* Stop ring i and answer where it stopped: nothing is in flight, we serve synchronously. */
static int get_base(struct dev *d, const struct vhu_msg *m, struct vhu_msg *reply)
{
	uint32_t i = m->p.state.index;
	struct ring *r;

	if (ring_index(d, m, i) != 0)
		return -1;
	r = &d->ring[i];
	reply->p.state = (struct vhu_vring_state){i, r->inited ? virtq_last_avail(&r->q) : r->base};
	reply->h.size = sizeof(reply->p.state);
	r->base = (uint16_t)reply->p.state.num;
	r->started = r->inited = false;
	close_fd(&r->kick);
	return 0;
}

static int get_config(struct dev *d, const struct vhu_msg *m, struct vhu_msg *reply)
{
	const struct vhu_config *c = &m->p.config;

	if (c->size > VHU_CONFIG_MAX || m->h.size != offsetof(struct vhu_config, payload) + c->size)
		return refuse(m, "size %u in a payload of %u bytes", c->size, m->h.size);
	reply->p.config = *c;
	memset(reply->p.config.payload, 0, sizeof(reply->p.config.payload));
	d->type->config(d->type->ctx, c->offset, reply->p.config.payload, c->size);
	reply->h.size = m->h.size;
	return 0;
}

/* RESET_DEVICE / RESET_OWNER: rings, memory and features go; the protocol features stay. */
static void reset_device(struct dev *d)
{
	for (unsigned i = 0; i < VUB_MAX_RINGS; i++)
		ring_reset(&d->ring[i]);
	unmap_all(d->map, d->nmap);
	d->nmap = 0;
	d->features = 0;
}

/* Payload bytes each request must carry (0: none; SIZE_MAX: checked by its handler). */
static size_t payload_size(uint32_t req)
{
	switch (req) {
	case VHU_SET_FEATURES:
	case VHU_SET_PROTOCOL_FEATURES:
	case VHU_SET_VRING_KICK:
	case VHU_SET_VRING_CALL:
	case VHU_SET_VRING_ERR: return sizeof(uint64_t);
	case VHU_SET_VRING_NUM:
	case VHU_SET_VRING_BASE:
	case VHU_GET_VRING_BASE:
	case VHU_SET_VRING_ENABLE: return sizeof(struct vhu_vring_state);
	case VHU_SET_VRING_ADDR: return sizeof(struct vhu_vring_addr);
	case VHU_SET_MEM_TABLE:
	case VHU_GET_CONFIG: return SIZE_MAX;
	default: return 0;
	}
}

static int set_u64(struct dev *d, const struct vhu_msg *m)
{
	uint64_t offered = m->h.request == VHU_SET_FEATURES ? RING_FEATURES | d->type->features : PROTOCOL_FEATURES;

	if (m->p.u64 & ~offered)
		return refuse(m, "0x%llx has bits not offered (0x%llx)", (unsigned long long)m->p.u64,
			      (unsigned long long)offered);
	if (m->h.request == VHU_SET_FEATURES)
		d->features = m->p.u64;
	else
		d->protocol = m->p.u64;
	return 0;
}

/* Handle one framed message; @return 0 (reply filled if it has one) or -1 (refused). */
static int handle(struct dev *d, const struct vhu_msg *m, const int *fds, unsigned nfds, struct vhu_msg *reply)
{
	size_t want = payload_size(m->h.request);

	if (want != SIZE_MAX && m->h.size != want)
		return refuse(m, "payload of %u bytes, %zu expected", m->h.size, want);
	if (m->h.request == VHU_SET_MEM_TABLE && m->h.size < offsetof(struct vhu_mem_table, r))
		return refuse(m, "payload of %u bytes", m->h.size);
	if (m->h.request == VHU_SET_MEM_TABLE &&
	    m->h.size < offsetof(struct vhu_mem_table, r) + (uint64_t)m->p.mem.nregions * sizeof(struct vhu_region))
		return refuse(m, "%u regions in a payload of %u bytes", m->p.mem.nregions, m->h.size);
	switch (m->h.request) {
	case VHU_GET_FEATURES: reply->p.u64 = RING_FEATURES | d->type->features; break;
	case VHU_GET_PROTOCOL_FEATURES: reply->p.u64 = PROTOCOL_FEATURES; break;
	case VHU_GET_QUEUE_NUM: reply->p.u64 = d->type->nrings; break;
	case VHU_SET_FEATURES:
	case VHU_SET_PROTOCOL_FEATURES: return set_u64(d, m);
	case VHU_SET_OWNER: return 0;
	case VHU_RESET_OWNER:
	case VHU_RESET_DEVICE: reset_device(d); return 0;
	case VHU_SET_MEM_TABLE: return set_mem_table(d, m, fds, nfds);
	case VHU_SET_VRING_NUM: return set_num(d, m);
	case VHU_SET_VRING_BASE: return set_base(d, m);
	case VHU_SET_VRING_ADDR: return set_addr(d, m);
	case VHU_SET_VRING_KICK:
	case VHU_SET_VRING_CALL:
	case VHU_SET_VRING_ERR: return set_ring_fd(d, m, fds, nfds);
	case VHU_SET_VRING_ENABLE: return set_enable(d, m);
	case VHU_GET_VRING_BASE: return get_base(d, m, reply);
	case VHU_GET_CONFIG: return get_config(d, m, reply);
	default: return refuse(m, "request %u is not supported", m->h.request);
	}
	reply->h.size = sizeof(reply->p.u64);
	return 0;
}

/* ---- the connection ---- */

static bool has_reply(uint32_t req)
{
	return req == VHU_GET_FEATURES || req == VHU_GET_PROTOCOL_FEATURES || req == VHU_GET_QUEUE_NUM ||
	       req == VHU_GET_VRING_BASE || req == VHU_GET_CONFIG;
}

static int send_reply(int fd, uint32_t req, const struct vhu_msg *payload_from)
{
	struct vhu_msg r = *payload_from;
	struct iovec iov[2] = {{&r.h, sizeof(r.h)}, {&r.p, r.h.size}};
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};

	r.h.request = req;
	r.h.flags = VHU_VERSION | VHU_FLAG_REPLY;
	return sendmsg(fd, &mh, MSG_NOSIGNAL) == (ssize_t)(sizeof(r.h) + r.h.size) ? 0 : -1;
}

/* Read one message with its descriptors; -1 on end-of-file or a message that cannot be framed. */
static int recv_msg(int fd, struct vhu_msg *m, int *fds, unsigned *nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * VHU_MAX_REGIONS)];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = {&m->h, sizeof(m->h)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof(ctl)};
	ssize_t n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);

	*nfds = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); n > 0 && c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			*nfds = (unsigned)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			memcpy(fds, CMSG_DATA(c), sizeof(int) * *nfds);
		}
	if (n != (ssize_t)sizeof(m->h))
		return -1;
	if ((m->h.flags & VHU_FLAG_VERSION_MASK) != VHU_VERSION || m->h.size > sizeof(m->p)) {
		fprintf(stderr, "virtq-vhost-user: message %u: flags 0x%x, payload %u bytes: cannot be framed; "
			"closing the connection\n", m->h.request, m->h.flags, m->h.size);
		return -1;
	}
	if (m->h.size && recv(fd, &m->p, m->h.size, MSG_WAITALL) != (ssize_t)m->h.size)
		return -1;
	return 0;
}

/* One message in, its answer out.  @return -1 when the connection is to end. */
static int on_message(struct dev *d)
{
	struct vhu_msg m, reply;
	int fds[VHU_MAX_REGIONS];
	unsigned nfds;
	int rc, out = 0;

	memset(&m, 0, sizeof(m));
	memset(&reply, 0, sizeof(reply));
	if (recv_msg(d->conn, &m, fds, &nfds) != 0)
		out = -1;
	else {
		rc = handle(d, &m, fds, nfds, &reply);
		if (has_reply(m.h.request)) {
			if (rc != 0)
				reply.h.size = 0; /* an empty answer: the front-end sees the refusal */
			out = send_reply(d->conn, m.h.request, &reply);
		} else if ((m.h.flags & VHU_FLAG_NEED_REPLY) && (d->protocol & (1ull << VHU_PF_REPLY_ACK))) {
			reply.p.u64 = rc == 0 ? 0 : 1;
			reply.h.size = sizeof(reply.p.u64);
			out = send_reply(d->conn, m.h.request, &reply);
		}
	}
	for (unsigned i = 0; i < nfds; i++)
		close(fds[i]);
	return out;
}

static void drain(int fd)
{
	uint64_t v;

	while (read(fd, &v, sizeof(v)) == sizeof(v))
		;
}

/* Serve one connection until it ends; kicks and messages in the order they come. */
static void serve_connection(struct dev *d)
{
	bool more[VUB_MAX_RINGS] = {false};

	while (!stopping) {
		struct pollfd p[1 + VUB_MAX_RINGS];
		unsigned np = 1, which[VUB_MAX_RINGS];
		bool busy = false;

		p[0] = (struct pollfd){d->conn, POLLIN, 0};
		for (unsigned i = 0; i < d->type->nrings; i++) {
			busy |= more[i] && d->ring[i].started;
			if (d->ring[i].started && d->ring[i].kick >= 0) {
				which[np - 1] = i;
				p[np++] = (struct pollfd){d->ring[i].kick, POLLIN, 0};
			}
		}
		if (poll(p, np, busy ? 0 : 1000) < 0 && errno != EINTR)
			break;
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			if (on_message(d) != 0)
				break;
			continue; /* the message may have changed the rings: poll them afresh */
		}
		for (unsigned k = 1; k < np; k++) {
			unsigned i = which[k - 1];

			if (!(p[k].revents & POLLIN) && !more[i])
				continue;
			if (p[k].revents & POLLIN)
				drain(p[k].fd);
			if (d->ring[i].started)
				more[i] = ring_kicked(d, i);
		}
	}
}

static int listen_on(const char *path)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(path) >= sizeof(a.sun_path)) {
		fprintf(stderr, "virtq-vhost-user: socket path too long: %s\n", path);
		return -1;
	}
	strcpy(a.sun_path, path);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, 1) != 0) {
		fprintf(stderr, "virtq-vhost-user: %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

int vub_run(const char *socket_path, const struct vub_type *type)
{
	static struct dev d; /* ~32 KiB of segment arrays: not on the stack */
	struct sigaction sa = {.sa_handler = on_signal};
	int lfd = listen_on(socket_path);

	if (lfd < 0)
		return 1;
	if (type->nrings == 0 || type->nrings > VUB_MAX_RINGS) {
		fprintf(stderr, "virtq-vhost-user: %s: %u rings (1..%d)\n", type->name, type->nrings, VUB_MAX_RINGS);
		return 1;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	d.type = type;
	for (unsigned i = 0; i < VUB_MAX_RINGS; i++)
		d.ring[i] = (struct ring){.kick = -1, .call = -1};
	while (!stopping) {
		d.conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (d.conn < 0)
			continue; /* EINTR from the stop signal */
		serve_connection(&d);
		close(d.conn);
		reset_device(&d); /* the next front-end starts from nothing */
		d.protocol = 0;
	}
	close(lfd);
	unlink(socket_path);
	return 0;
}
