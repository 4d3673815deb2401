/* SPDX-License-Identifier: MIT */
/* The harness's vhost-user front-end (see vhost_user/frontend.h). */
#include "vhost_user/frontend.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define VIRTIO_F_VERSION_1 32

static int fail(struct vhu_fe *fe, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct vhu_fe *fe, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(fe->err, sizeof(fe->err), fmt, ap);
	va_end(ap);
	return -1;
}

void vhu_fe_init(struct vhu_fe *fe)
{
	memset(fe, 0, sizeof(*fe));
	fe->sock = -1;
	fe->timeout_ms = VHU_FE_DEFAULT_TIMEOUT_MS;
	for (unsigned i = 0; i < VHU_FE_MAX_RINGS; i++)
		fe->ring[i].kick = fe->ring[i].call = -1;
}

/* ---- the back-end process ---- */

/* The last bytes of the back-end's log, for error messages. */
static void log_tail(const struct vhu_fe *fe, char *buf, size_t n)
{
	FILE *f = fopen(fe->log, "r");
	size_t got = 0;

	buf[0] = '\0';
	if (!f)
		return;
	if (fseek(f, -(long)(n - 1), SEEK_END) != 0)
		rewind(f);
	got = fread(buf, 1, n - 1, f);
	buf[got] = '\0';
	fclose(f);
	while (got && (buf[got - 1] == '\n' || buf[got - 1] == '\r'))
		buf[--got] = '\0';
}

bool vhu_fe_alive(struct vhu_fe *fe, char *why, size_t n)
{
	char tail[200];

	if (!fe->pid)
		return true;
	if (!fe->exited) {
		pid_t r = waitpid(fe->pid, &fe->status, WNOHANG);

		if (r == 0)
			return true;
		fe->exited = true;
	}
	if (why && n) {
		log_tail(fe, tail, sizeof(tail));
		if (WIFSIGNALED(fe->status))
			snprintf(why, n, "back-end killed by signal %d (%s); its log ends: %s",
				 WTERMSIG(fe->status), strsignal(WTERMSIG(fe->status)), tail);
		else
			snprintf(why, n, "back-end exited with status %d; its log ends: %s",
				 WEXITSTATUS(fe->status), tail);
	}
	return false;
}

/* @command with "{socket}" replaced by the socket path. */
static int expand(const struct vhu_fe *fe, const char *command, char *out, size_t n)
{
	size_t k = 0;

	for (const char *p = command; *p;) {
		const char *s = strncmp(p, "{socket}", 8) == 0 ? fe->socket : NULL;
		size_t len = s ? strlen(s) : 1;

		if (k + len >= n)
			return -1;
		memcpy(out + k, s ? s : p, len);
		k += len;
		p += s ? 8 : 1;
	}
	out[k] = '\0';
	return 0;
}

static int try_connect(struct vhu_fe *fe, const char *path)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(path) >= sizeof(a.sun_path))
		return fail(fe, "socket path too long: %s", path);
	strcpy(a.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail(fe, "socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		fail(fe, "connect %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	fe->sock = fd;
	return 0;
}

int vhu_fe_spawn(struct vhu_fe *fe, const char *command)
{
	char cmd[4096], why[400];
	const char *pre;
	int64_t deadline;
	pid_t parent;
	int out;

	snprintf(fe->dir, sizeof(fe->dir), "%s/virtq-vhu-XXXXXX", fe->tmp_root ? fe->tmp_root : "/tmp");
	if (!mkdtemp(fe->dir))
		return fail(fe, "mkdtemp: %s", strerror(errno));
	snprintf(fe->socket, sizeof(fe->socket), "%s/sock", fe->dir);
	snprintf(fe->log, sizeof(fe->log), "%s/backend.log", fe->dir);
	/*
	 * A simple command is exec'd: the shell becomes the back-end, so the pid
	 * we wait for, signal and tie to our life (PR_SET_PDEATHSIG, which a fork
	 * does not inherit) is the back-end's.  A compound one keeps its shell;
	 * the process group still takes every signal.
	 */
	pre = strpbrk(command, ";&|\n()") ? "" : "exec ";
	memcpy(cmd, pre, strlen(pre));
	if (expand(fe, command, cmd + strlen(pre), sizeof(cmd) - strlen(pre)) != 0)
		return fail(fe, "back-end command too long");
	out = open(fe->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0)
		return fail(fe, "%s: %s", fe->log, strerror(errno));
	parent = getpid();
	fe->pid = fork();
	if (fe->pid < 0) {
		fe->pid = 0;
		close(out);
		return fail(fe, "fork: %s", strerror(errno));
	}
	if (fe->pid > 0)
		setpgid(fe->pid, fe->pid); /* as the child does: whichever runs first, the group exists */
	if (fe->pid == 0) {
		/* Dies with us: a test that ends early (a failed assertion, a timeout) leaves no back-end behind. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		dup2(out, 1);
		dup2(out, 2);
		setpgid(0, 0); /* its own group: vhu_fe_close() stops the shell and what it started */
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(out);
	deadline = vhu_now_ms() + fe->timeout_ms;
	for (;;) {
		if (access(fe->socket, F_OK) == 0 && try_connect(fe, fe->socket) == 0)
			return 0;
		if (!vhu_fe_alive(fe, why, sizeof(why)))
			return fail(fe, "`%s`: %s", cmd, why);
		if (vhu_now_ms() > deadline)
			return fail(fe, "`%s`: no connection on %s within %d ms", cmd, fe->socket, fe->timeout_ms);
		usleep(5000);
	}
}

int vhu_fe_connect(struct vhu_fe *fe, const char *path)
{
	if (path != fe->socket) /* reconnecting to the same back-end passes fe->socket itself */
		snprintf(fe->socket, sizeof(fe->socket), "%s", path);
	return try_connect(fe, fe->socket);
}

/* ---- messages ---- */

static int send_msg(struct vhu_fe *fe, const struct vhu_msg *m, const int *fds, unsigned nfds)
{
	struct iovec iov[2] = {{(void *)&m->h, sizeof(m->h)}, {(void *)&m->p, m->h.size}};
	union {
		char buf[CMSG_SPACE(sizeof(int) * VHU_MAX_REGIONS)];
		struct cmsghdr align;
	} ctl;
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};
	ssize_t n;

	if (fe->sock < 0)
		return fail(fe, "%s: not connected", vhu_request_name(m->h.request));
	if (nfds > VHU_MAX_REGIONS)
		return fail(fe, "%s: %u descriptors, at most %d", vhu_request_name(m->h.request), nfds,
			    VHU_MAX_REGIONS);
	if (nfds) {
		struct cmsghdr *c;

		memset(&ctl, 0, sizeof(ctl));
		mh.msg_control = ctl.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	do
		n = sendmsg(fe->sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EPIPE || errno == ECONNRESET))
		fe->closed = true;
	if (n != (ssize_t)(sizeof(m->h) + m->h.size))
		return fail(fe, "%s: send: %s", vhu_request_name(m->h.request),
			    n < 0 ? strerror(errno) : "short write");
	return 0;
}

/* Exactly @n bytes from the socket before @deadline; 0, or -1 with the error set. */
static int recv_all(struct vhu_fe *fe, void *buf, size_t n, int64_t deadline, const char *what)
{
	size_t got = 0;

	while (got < n) {
		struct pollfd p = {fe->sock, POLLIN, 0};
		int64_t left = deadline - vhu_now_ms();
		ssize_t r;

		if (left <= 0)
			return fail(fe, "%s: no answer within %d ms", what, fe->timeout_ms);
		if (poll(&p, 1, (int)left) <= 0)
			continue;
		r = recv(fe->sock, (char *)buf + got, n - got, 0);
		if (r == 0 || (r < 0 && errno == ECONNRESET)) {
			fe->closed = true;
			return fail(fe, "%s: the back-end closed the connection", what);
		}
		if (r < 0 && errno != EINTR && errno != EAGAIN)
			return fail(fe, "%s: recv: %s", what, strerror(errno));
		if (r > 0)
			got += (size_t)r;
	}
	return 0;
}

/* The reply to @req: header checked, payload (at most @cap bytes kept) read whole. */
static int recv_reply(struct vhu_fe *fe, uint32_t req, void *payload, uint32_t cap, uint32_t *got)
{
	const char *what = vhu_request_name(req);
	int64_t deadline = vhu_now_ms() + fe->timeout_ms;
	struct vhu_header h;
	unsigned char sink[sizeof(union vhu_payload)];

	if (recv_all(fe, &h, sizeof(h), deadline, what) != 0)
		return -1;
	if (h.request != req || !(h.flags & VHU_FLAG_REPLY) ||
	    (h.flags & VHU_FLAG_VERSION_MASK) != VHU_VERSION)
		return fail(fe, "%s: the reply is request %u (%s) flags 0x%x", what, h.request,
			    vhu_request_name(h.request), h.flags);
	if (h.size > sizeof(sink))
		return fail(fe, "%s: reply payload of %u bytes, at most %zu", what, h.size, sizeof(sink));
	if (recv_all(fe, sink, h.size, deadline, what) != 0)
		return -1;
	memcpy(payload, sink, h.size < cap ? h.size : cap);
	*got = h.size;
	return 0;
}

int vhu_fe_request(struct vhu_fe *fe, uint32_t req, const void *payload, uint32_t size, const int *fds,
		   unsigned nfds, void *reply, uint32_t reply_size, uint32_t *got, bool ack)
{
	struct vhu_msg m;
	uint64_t code = 0;
	uint32_t n = 0;

	if (size > sizeof(m.p))
		return fail(fe, "%s: payload of %u bytes, at most %zu", vhu_request_name(req), size, sizeof(m.p));
	memset(&m, 0, sizeof(m));
	m.h.request = req;
	m.h.flags = VHU_VERSION;
	m.h.size = size;
	if (size)
		memcpy(&m.p, payload, size);
	ack = ack && !reply && (fe->protocol & (1ull << VHU_PF_REPLY_ACK));
	if (ack)
		m.h.flags |= VHU_FLAG_NEED_REPLY;
	if (send_msg(fe, &m, fds, nfds) != 0)
		return -1;
	if (reply)
		return recv_reply(fe, req, reply, reply_size, got ? got : &n);
	if (!ack)
		return 0;
	if (recv_reply(fe, req, &code, sizeof(code), &n) != 0)
		return -1;
	if (n != sizeof(code))
		return fail(fe, "%s: acknowledgement of %u bytes, not 8", vhu_request_name(req), n);
	if (code != 0)
		return fail(fe, "%s: refused by the back-end (code %llu)", vhu_request_name(req),
			    (unsigned long long)code);
	return 0;
}

static int get_u64(struct vhu_fe *fe, uint32_t req, uint64_t *v)
{
	uint32_t got;

	if (vhu_fe_request(fe, req, NULL, 0, NULL, 0, v, sizeof(*v), &got, false) != 0)
		return -1;
	if (got != sizeof(*v))
		return fail(fe, "%s: reply of %u bytes, not 8", vhu_request_name(req), got);
	return 0;
}

static int set_u64(struct vhu_fe *fe, uint32_t req, uint64_t v)
{
	return vhu_fe_request(fe, req, &v, sizeof(v), NULL, 0, NULL, 0, NULL, true);
}

/* ---- set-up ---- */

int vhu_fe_negotiate(struct vhu_fe *fe, uint64_t want)
{
	const uint64_t pf_kept = (1ull << VHU_PF_REPLY_ACK) | (1ull << VHU_PF_CONFIG) | (1ull << VHU_PF_MQ) |
				 (1ull << VHU_PF_RESET_DEVICE);
	uint64_t pf = 0;

	if (get_u64(fe, VHU_GET_FEATURES, &fe->offered) != 0)
		return -1;
	if ((want & (1ull << VIRTIO_F_VERSION_1)) && !(fe->offered & (1ull << VIRTIO_F_VERSION_1)))
		return fail(fe, "GET_FEATURES: VERSION_1 not offered (0x%llx)", (unsigned long long)fe->offered);
	if (fe->offered & (1ull << VHU_F_PROTOCOL_FEATURES)) {
		if (get_u64(fe, VHU_GET_PROTOCOL_FEATURES, &pf) != 0)
			return -1;
		pf &= pf_kept;
		if (set_u64(fe, VHU_SET_PROTOCOL_FEATURES, pf) != 0)
			return -1;
		fe->protocol = pf; /* REPLY_ACK applies from the next message on */
		want |= 1ull << VHU_F_PROTOCOL_FEATURES;
	}
	if (vhu_fe_request(fe, VHU_SET_OWNER, NULL, 0, NULL, 0, NULL, 0, NULL, true) != 0)
		return -1;
	fe->features = want & fe->offered;
	return set_u64(fe, VHU_SET_FEATURES, fe->features);
}

int vhu_fe_set_mem(struct vhu_fe *fe, const struct vg_mem *m)
{
	struct vhu_mem_table t;
	int fds[VHU_MAX_REGIONS];

	if (m->nr > VHU_MAX_REGIONS)
		return fail(fe, "SET_MEM_TABLE: %u regions, vhost-user carries at most %d", m->nr,
			    VHU_MAX_REGIONS);
	memset(&t, 0, sizeof(t));
	t.nregions = m->nr;
	for (unsigned i = 0; i < m->nr; i++) {
		uint64_t off;

		fds[i] = vg_mem_fd(m, i, &off);
		t.r[i] = (struct vhu_region){m->r[i].gpa, m->r[i].size, (uint64_t)(uintptr_t)m->r[i].drv, off};
	}
	return vhu_fe_request(fe, VHU_SET_MEM_TABLE, &t, (uint32_t)sizeof(t), fds, m->nr, NULL, 0, NULL, true);
}

/* The front-end (userspace) address of guest address @gpa: the driver view. */
static uint64_t uva_of(const struct vg_mem *m, uint64_t gpa)
{
	const struct vg_region *r = vg_mem_find(m, gpa);

	/* A ring outside guest memory: send an address no region translates. */
	return r ? (uint64_t)(uintptr_t)r->drv + (gpa - r->gpa) : gpa;
}

static int set_state(struct vhu_fe *fe, uint32_t req, unsigned idx, uint32_t num)
{
	struct vhu_vring_state s = {idx, num};

	return vhu_fe_request(fe, req, &s, sizeof(s), NULL, 0, NULL, 0, NULL, true);
}

static int set_fd(struct vhu_fe *fe, uint32_t req, unsigned idx, int fd)
{
	uint64_t v = idx;

	return vhu_fe_request(fe, req, &v, sizeof(v), &fd, 1, NULL, 0, NULL, true);
}

static int new_eventfd(struct vhu_fe *fe, int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	return *fd < 0 ? fail(fe, "eventfd: %s", strerror(errno)) : 0;
}

int vhu_fe_ring_start(struct vhu_fe *fe, unsigned idx, const struct vg_mem *m, const struct vhu_fe_ring_cfg *c)
{
	struct vhu_vring_addr a = {.index = idx};
	struct vhu_fe_ring *r;

	if (idx >= VHU_FE_MAX_RINGS)
		return fail(fe, "ring %u: at most %d rings", idx, VHU_FE_MAX_RINGS);
	r = &fe->ring[idx];
	a.desc_uva = uva_of(m, c->desc);
	a.avail_uva = uva_of(m, c->avail);
	a.used_uva = uva_of(m, c->used);
	if (new_eventfd(fe, &r->kick) != 0 || new_eventfd(fe, &r->call) != 0)
		return -1;
	if (set_state(fe, VHU_SET_VRING_NUM, idx, c->size) != 0 ||
	    set_state(fe, VHU_SET_VRING_BASE, idx, c->base) != 0 ||
	    vhu_fe_request(fe, VHU_SET_VRING_ADDR, &a, sizeof(a), NULL, 0, NULL, 0, NULL, true) != 0 ||
	    set_fd(fe, VHU_SET_VRING_KICK, idx, r->kick) != 0 || set_fd(fe, VHU_SET_VRING_CALL, idx, r->call) != 0)
		return -1;
	if ((fe->features & (1ull << VHU_F_PROTOCOL_FEATURES)) && set_state(fe, VHU_SET_VRING_ENABLE, idx, 1) != 0)
		return -1;
	r->started = true;
	return 0;
}

int vhu_fe_ring_stop(struct vhu_fe *fe, unsigned idx, uint16_t *last_avail)
{
	struct vhu_vring_state s = {idx, 0}, got_s = {0, 0};
	uint32_t got;

	if (idx >= VHU_FE_MAX_RINGS)
		return fail(fe, "ring %u: at most %d rings", idx, VHU_FE_MAX_RINGS);
	if (vhu_fe_request(fe, VHU_GET_VRING_BASE, &s, sizeof(s), NULL, 0, &got_s, sizeof(got_s), &got, false) != 0)
		return -1;
	if (got != sizeof(got_s) || got_s.index != idx)
		return fail(fe, "GET_VRING_BASE: reply of %u bytes for ring %u, asked for ring %u", got, got_s.index,
			    idx);
	if (got_s.num > 0xffff)
		return fail(fe, "GET_VRING_BASE: last avail %u does not fit 16 bits", got_s.num);
	*last_avail = (uint16_t)got_s.num;
	fe->ring[idx].started = false;
	return 0;
}

/* Close every ring's eventfds: the back-end's copies are its own business. */
static void forget_rings(struct vhu_fe *fe)
{
	for (unsigned i = 0; i < VHU_FE_MAX_RINGS; i++) {
		if (fe->ring[i].kick >= 0)
			close(fe->ring[i].kick);
		if (fe->ring[i].call >= 0)
			close(fe->ring[i].call);
		fe->ring[i] = (struct vhu_fe_ring){-1, -1, false};
	}
}

int vhu_fe_reset(struct vhu_fe *fe)
{
	uint32_t req = (fe->protocol & (1ull << VHU_PF_RESET_DEVICE)) ? VHU_RESET_DEVICE : VHU_RESET_OWNER;

	if (vhu_fe_request(fe, req, NULL, 0, NULL, 0, NULL, 0, NULL, true) != 0)
		return -1;
	forget_rings(fe);
	fe->features = 0;
	return 0;
}

int vhu_fe_kick(struct vhu_fe *fe, unsigned idx)
{
	uint64_t one = 1;

	if (idx >= VHU_FE_MAX_RINGS || fe->ring[idx].kick < 0)
		return fail(fe, "kick: ring %u has no kick eventfd", idx);
	if (write(fe->ring[idx].kick, &one, sizeof(one)) != sizeof(one))
		return fail(fe, "kick ring %u: %s", idx, strerror(errno));
	return 0;
}

uint64_t vhu_fe_calls(struct vhu_fe *fe, unsigned idx)
{
	uint64_t n = 0;

	if (idx >= VHU_FE_MAX_RINGS || fe->ring[idx].call < 0)
		return 0;
	if (read(fe->ring[idx].call, &n, sizeof(n)) != sizeof(n))
		return 0; /* EAGAIN: none */
	return n;
}

uint64_t vhu_fe_wait_call(struct vhu_fe *fe, unsigned idx, int ms)
{
	struct pollfd p;

	if (idx >= VHU_FE_MAX_RINGS || fe->ring[idx].call < 0)
		return 0;
	p = (struct pollfd){fe->ring[idx].call, POLLIN, 0};
	if (poll(&p, 1, ms) <= 0)
		return 0;
	return vhu_fe_calls(fe, idx);
}

int vhu_fe_get_config(struct vhu_fe *fe, uint32_t offset, void *buf, uint32_t n)
{
	struct vhu_config c = {.offset = offset, .size = n};
	uint32_t hdr = (uint32_t)offsetof(struct vhu_config, payload), got;

	if (n > VHU_CONFIG_MAX)
		return fail(fe, "GET_CONFIG: %u bytes, at most %d", n, VHU_CONFIG_MAX);
	if (!(fe->protocol & (1ull << VHU_PF_CONFIG)))
		return fail(fe, "GET_CONFIG: the back-end does not offer the CONFIG protocol feature");
	if (vhu_fe_request(fe, VHU_GET_CONFIG, &c, hdr + n, NULL, 0, &c, sizeof(c), &got, false) != 0)
		return -1;
	if (got != hdr + n || c.size != n)
		return fail(fe, "GET_CONFIG: reply of %u bytes (size %u) for %u", got, c.size, n);
	memcpy(buf, c.payload, n);
	return 0;
}

/* ---- tear-down ---- */

void vhu_fe_disconnect(struct vhu_fe *fe)
{
	if (fe->sock >= 0)
		close(fe->sock);
	fe->sock = -1;
	fe->closed = false;
	forget_rings(fe);
}

/* Wait up to the bound for the back-end to end; false if it is still running. */
static bool reaped(struct vhu_fe *fe)
{
	int64_t deadline = vhu_now_ms() + fe->timeout_ms;

	while (vhu_fe_alive(fe, NULL, 0)) {
		if (vhu_now_ms() > deadline)
			return false;
		usleep(2000);
	}
	return true;
}

void vhu_fe_close(struct vhu_fe *fe)
{
	vhu_fe_disconnect(fe);
	if (fe->pid && !fe->exited) {
		kill(-fe->pid, SIGTERM);
		if (!reaped(fe)) { /* a hung back-end never gets to its SIGTERM handler's flag */
			kill(-fe->pid, SIGKILL);
			reaped(fe);
		}
	}
	if (fe->pid) /* whatever else the command started: nothing of it outlives the test */
		kill(-fe->pid, SIGKILL);
	if (fe->dir[0] && getenv("VIRTQ_VHU_KEEP_LOGS")) { /* for a look at what the back-end said */
		unlink(fe->socket);
		fprintf(stderr, "vhost-user: back-end log kept: %s\n", fe->log);
	} else if (fe->dir[0]) {
		unlink(fe->socket);
		unlink(fe->log);
		rmdir(fe->dir);
	}
	fe->pid = 0;
	fe->dir[0] = '\0';
}
