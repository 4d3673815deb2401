/* SPDX-License-Identifier: MIT */
/*
 * Linux's virtio driver against the core as the device.  See
 * virtq_interop/roundtrip.h for what is checked and why.
 *
 * Guest memory is one anonymous mapping, identity-mapped (gpa == hva, which
 * is what tools/virtio's "physical == virtual" shims give the driver): the
 * ring first, then one slot per descriptor of the ring, each with room for a
 * request's buffers and for the indirect table Linux may build for it.  The
 * driver's bookkeeping (tokens, shapes) lives outside guest memory, as a real
 * driver's does.
 */
#include "virtq_interop/roundtrip.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "virtq/virtq.h"
#include "virtq_interop/linux_driver.h"

#define RT_MAX_BUFS 300u         /* largest request (beyond the queue size: indirect only) */
#define RT_MAX_DIRECT 64u        /* largest request when every buffer takes a descriptor */
#define RT_SLOT_DATA (64u << 10) /* payload room per request */
#define RT_SLOT_TABLE 8192u      /* indirect table room per request (>= 16 * RT_MAX_BUFS) */
#define RT_PAT_SPAN 4096u        /* payloads start at a per-request offset in the pattern */
#define RT_ALIGN 4096u           /* used ring alignment (Linux's vring_align) */
#define RT_GUARD 0xA5            /* bytes between buffers: nobody may touch them */
#define RT_POISON 0xEE           /* writable bytes before the device writes */

_Static_assert(RT_SLOT_TABLE >= 16u * RT_MAX_BUFS, "indirect table room");

/* ---- deterministic randomness ---- */

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= UINT64_C(0xBF58476D1CE4E5B9);
	x ^= x >> 27;
	x *= UINT64_C(0x94D049BB133111EB);
	return x ^ (x >> 31);
}

struct rng {
	uint64_t s;
};

static uint32_t rnd(struct rng *g)
{
	g->s += UINT64_C(0x9E3779B97F4A7C15);
	return (uint32_t)(mix64(g->s) >> 32);
}

/* Uniform enough in [lo, hi] for test shapes. */
static uint32_t rnd_in(struct rng *g, uint32_t lo, uint32_t hi)
{
	return lo + rnd(g) % (hi - lo + 1);
}

/* Payload bytes: request n's readable bytes are pat[pr + k], written ones pat[pw + k]. */
static unsigned char pat[RT_PAT_SPAN + RT_SLOT_DATA];
static pthread_once_t pat_once = PTHREAD_ONCE_INIT;

static void pat_init(void)
{
	struct rng g = {0x5EED};

	for (size_t i = 0; i < sizeof(pat); i++)
		pat[i] = (unsigned char)rnd(&g);
}

/* ---- request shapes: a function of (seed, sequence number) ---- */

struct shape {
	unsigned nout, nin;
	uint32_t len[RT_MAX_BUFS]; /* readable buffers first */
	uint32_t off[RT_MAX_BUFS]; /* offset in the slot's data area */
	uint32_t out_bytes, in_bytes;
	uint32_t wlen;             /* bytes the device writes (a prefix of the writable part) */
	uint32_t span;             /* data area used, guards included */
	uint32_t pr, pw;           /* pattern offsets */
};

static uint32_t buf_len(struct rng *g)
{
	uint32_t q = rnd(g) % 100;

	if (q < 90)
		return rnd_in(g, 1, 64);
	if (q < 99)
		return rnd_in(g, 65, 512);
	return rnd_in(g, 513, 4096);
}

/* Buffer count: mostly a few, sometimes many, rarely beyond the queue size. */
static unsigned buf_count(struct rng *g, unsigned max)
{
	uint32_t p = rnd(g) % 100;
	unsigned n;

	if (p < 60)
		n = rnd_in(g, 1, 3);
	else if (p < 90)
		n = rnd_in(g, 4, 8);
	else if (p < 99)
		n = rnd_in(g, 9, 32);
	else
		n = rnd_in(g, 33, max);
	return n < max ? n : max;
}

static void shape_of(const struct virtq_rt_config *cfg, uint64_t seq, struct shape *s)
{
	struct rng g = {cfg->seed ^ (seq * UINT64_C(0xD1B54A32D192ED03))};
	unsigned n, max = cfg->indirect ? RT_MAX_BUFS : RT_MAX_DIRECT;
	uint32_t pos;

	if (cfg->workload == VIRTQ_RT_SMALL) {
		s->nout = s->nin = 1;
		s->len[0] = s->len[1] = 64;
		s->off[0] = 0;
		s->off[1] = 64;
		s->out_bytes = s->in_bytes = s->wlen = 64;
		s->span = 129; /* and a guard byte after */
		s->pr = (uint32_t)(seq % RT_PAT_SPAN);
		s->pw = (uint32_t)((seq * 7) % RT_PAT_SPAN);
		return;
	}
	if (max > cfg->queue_size)
		max = cfg->indirect ? max : cfg->queue_size;
	n = buf_count(&g, max);
	switch (rnd(&g) % 3) {
	case 0: /* out-only */
		s->nout = n;
		s->nin = 0;
		break;
	case 1: /* in-only */
		s->nout = 0;
		s->nin = n;
		break;
	default: /* mixed */
		if (n < 2)
			n = 2;
		s->nout = rnd_in(&g, 1, n - 1);
		s->nin = n - s->nout;
		break;
	}
	/* Odd starts and gaps: unaligned buffers, guard bytes in between. */
	pos = (uint32_t)(seq % 13);
	s->out_bytes = s->in_bytes = 0;
	for (unsigned i = 0; i < n; i++) {
		uint32_t len = buf_len(&g), gap = rnd(&g) % 8;

		if (pos + gap + len + (n - i) > RT_SLOT_DATA) {
			len = 1;
			gap = 0;
		}
		s->off[i] = pos + gap;
		s->len[i] = len;
		pos = s->off[i] + len;
		if (i < s->nout)
			s->out_bytes += len;
		else
			s->in_bytes += len;
	}
	s->span = pos + 1;
	s->wlen = 0;
	if (s->in_bytes) {
		uint32_t w = rnd(&g) % 4;

		s->wlen = w == 0 ? 0 : w < 3 ? s->in_bytes : rnd_in(&g, 1, s->in_bytes);
	}
	s->pr = rnd(&g) % RT_PAT_SPAN;
	s->pw = rnd(&g) % RT_PAT_SPAN;
}

/* ---- state ---- */

struct req {
	uint64_t seq;
	bool busy;
	unsigned char *data;  /* guest memory: RT_SLOT_DATA bytes */
	void *table;          /* guest memory: room for Linux's indirect table */
	struct shape shape;
};

struct rt {
	struct virtq_rt_config cfg;
	uint32_t size;
	unsigned char *mem;
	size_t mem_len;
	struct virtq_mem_region region;
	struct virtq_mem vmem;
	struct virtq_linux_driver *drv;
	struct virtq_queue q;
	/* ring fields, read for evidence */
	const uint16_t *avail_flags, *avail_idx, *used_event, *used_flags, *used_idx, *avail_event;

	/* driver side */
	struct req *req;
	struct req **free;
	unsigned nfree;
	struct req *pending; /* prepared, refused with -ENOSPC, to add again */
	uint64_t sent, done;
	uint64_t window;     /* most requests outstanding (the driver's pacing) */
	uint64_t next_pace;  /* sent count at which the pacing changes */
	bool in_add;
	struct virtq_linux_sg sg_out[RT_MAX_BUFS], sg_in[RT_MAX_BUFS];
	struct rng drv_rng;

	/* device side */
	uint64_t dev_seq;
	struct virtq_seg rseg[RT_MAX_BUFS], wseg[RT_MAX_BUFS];
	unsigned char dbuf[RT_SLOT_DATA];
	struct shape dshape;
	struct rng dev_rng;

	/* SINGLE: the scheduler's view */
	struct rng sched_rng;
	unsigned burst_max, batch_max, drv_odds; /* the current regime */
	bool drv_sleeping, dev_sleeping, irq_pending, kick_pending;

	/* THREADS */
	int kick_fd, irq_fd;
	int stop, failed; /* __atomic */
	pthread_mutex_t err_lock;
	char *err;
	size_t errlen;

	struct virtq_rt_stats st;
	uint64_t dev_interrupts; /* device thread's count, merged after join */
};

static void wake(int fd)
{
	uint64_t one = 1;

	if (fd >= 0)
		(void)!write(fd, &one, sizeof(one));
}

static void drain(int fd)
{
	uint64_t v;

	(void)!read(fd, &v, sizeof(v));
}

static uint16_t ld16(const uint16_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/* Both sides' indices, flags and events, and the counters: what a stall looks like. */
static void evidence(struct rt *rt, char *buf, size_t n)
{
	snprintf(buf, n,
		 "[features: event_idx=%d indirect=%d size=%u] "
		 "avail{flags=%u idx=%u used_event=%u} used{flags=%u idx=%u avail_event=%u} "
		 "device{popped=%llu last_avail=%u used_idx=%u inflight=%u kicks_enabled=%d} "
		 "driver{sent=%llu done=%llu free_desc=%u broken=%d} "
		 "counts{kicks=%llu forced=%llu interrupts=%llu dev_sleeps=%llu drv_sleeps=%llu}",
		 rt->cfg.event_idx, rt->cfg.indirect, rt->size, ld16(rt->avail_flags),
		 ld16(rt->avail_idx), ld16(rt->used_event), ld16(rt->used_flags), ld16(rt->used_idx),
		 ld16(rt->avail_event),
		 (unsigned long long)__atomic_load_n(&rt->dev_seq, __ATOMIC_RELAXED),
		 virtq_last_avail(&rt->q), virtq_used_idx(&rt->q), virtq_inflight(&rt->q),
		 (int)rt->q.kicks_enabled, /* private field: evidence only */
		 (unsigned long long)rt->sent,
		 (unsigned long long)__atomic_load_n(&rt->done, __ATOMIC_RELAXED),
		 virtq_linux_driver_num_free(rt->drv), (int)virtq_linux_driver_is_broken(rt->drv),
		 (unsigned long long)rt->st.kicks, (unsigned long long)rt->st.forced_kicks,
		 (unsigned long long)(rt->st.interrupts + rt->dev_interrupts),
		 (unsigned long long)rt->st.device_sleeps, (unsigned long long)rt->st.driver_sleeps);
}

/* Record the first failure (with evidence) and wake everyone; returns -1. */
static int __attribute__((format(printf, 2, 3))) fail(struct rt *rt, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&rt->err_lock);
	if (!__atomic_load_n(&rt->failed, __ATOMIC_RELAXED)) {
		size_t k;

		va_start(ap, fmt);
		vsnprintf(rt->err, rt->errlen, fmt, ap);
		va_end(ap);
		k = strlen(rt->err);
		if (k + 2 < rt->errlen) {
			rt->err[k++] = '\n';
			evidence(rt, rt->err + k, rt->errlen - k);
		}
		__atomic_store_n(&rt->failed, 1, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&rt->err_lock);
	wake(rt->kick_fd);
	wake(rt->irq_fd);
	return -1;
}

static bool failed(struct rt *rt)
{
	return __atomic_load_n(&rt->failed, __ATOMIC_ACQUIRE) != 0;
}

/* ---- the device: the core ---- */

/* Serve one popped chain: check it against request @seq, read, write, fill. */
static int serve(struct rt *rt, struct virtq_chain *c, uint64_t seq)
{
	struct shape *s = &rt->dshape;
	struct virtq_iov rd, wr;
	unsigned n;
	uint32_t want_desc, got;
	int rc;

	shape_of(&rt->cfg, seq, s);
	n = s->nout + s->nin;
	virtq_iov_init(&rd, rt->rseg, RT_MAX_BUFS);
	virtq_iov_init(&wr, rt->wseg, RT_MAX_BUFS);
	rc = virtq_chain_collect(c, &rd, &wr);
	if (rc != 0)
		return fail(rt, "device: request %llu (head %u): walk failed: %s",
			    (unsigned long long)seq, virtq_chain_head(c), virtq_err_name(rc));
	/* One guest region, so one segment per buffer, in the driver's order. */
	if (rd.n != s->nout || wr.n != s->nin)
		return fail(rt, "device: request %llu: %u readable + %u writable segments, want %u + %u",
			    (unsigned long long)seq, rd.n, wr.n, s->nout, s->nin);
	for (unsigned i = 0; i < n; i++) {
		const struct virtq_seg *g = i < s->nout ? &rd.seg[i] : &wr.seg[i - s->nout];

		if (g->len != s->len[i] || g->writable != (i >= s->nout))
			return fail(rt, "device: request %llu buffer %u: len %u writable %d, want %u %d",
				    (unsigned long long)seq, i, g->len, g->writable, s->len[i],
				    i >= s->nout);
	}
	/* Linux goes indirect for two or more buffers when it may (virtqueue_use_indirect). */
	want_desc = n + (rt->cfg.indirect && n > 1 ? 1 : 0);
	if (virtq_chain_descriptors(c) != want_desc)
		return fail(rt, "device: request %llu: %u descriptors read, want %u",
			    (unsigned long long)seq, virtq_chain_descriptors(c), want_desc);
	if (want_desc > n)
		rt->st.indirect_chains++;
	if (n > rt->st.max_buffers)
		rt->st.max_buffers = n;

	/* Read everything readable, in uneven pieces when checking. */
	for (got = 0; got < s->out_bytes;) {
		uint32_t k = rt->cfg.verify ? rnd_in(&rt->dev_rng, 1, 700) : s->out_bytes;
		size_t r;

		if (k > s->out_bytes - got)
			k = s->out_bytes - got;
		r = virtq_iov_read(&rd, rt->dbuf + got, k);
		if (r != k)
			return fail(rt, "device: request %llu: read %zu of %u bytes at %u",
				    (unsigned long long)seq, r, k, got);
		got += k;
	}
	if (virtq_iov_remaining(&rd) != 0)
		return fail(rt, "device: request %llu: readable bytes left over", (unsigned long long)seq);
	if (rt->cfg.verify && memcmp(rt->dbuf, pat + s->pr, s->out_bytes) != 0)
		return fail(rt, "device: request %llu: readable payload differs from what the driver wrote",
			    (unsigned long long)seq);
	rt->st.bytes_read += s->out_bytes;

	/* Write the known pattern into a prefix of the writable part. */
	for (got = 0; got < s->wlen;) {
		uint32_t k = rt->cfg.verify ? rnd_in(&rt->dev_rng, 1, 700) : s->wlen;
		size_t w;

		if (k > s->wlen - got)
			k = s->wlen - got;
		w = virtq_iov_write(&wr, pat + s->pw + got, k);
		if (w != k)
			return fail(rt, "device: request %llu: wrote %zu of %u bytes at %u",
				    (unsigned long long)seq, w, k, got);
		got += k;
	}
	rt->st.bytes_written += s->wlen;
	rc = virtq_fill(&rt->q, c, (uint32_t)virtq_iov_consumed(&wr));
	if (rc != 0)
		return fail(rt, "device: request %llu: virtq_fill: %s", (unsigned long long)seq,
			    virtq_err_name(rc));
	return 0;
}

/*
 * Pop and serve up to @batch chains, publish them with one used idx store,
 * and decide about notifying.  @return 1 if the batch was full, 0 if the ring
 * ran empty, -1 on failure; *notify says whether to signal the driver.
 */
static int serve_batch(struct rt *rt, unsigned batch, bool *notify)
{
	struct virtq_chain c;
	int rc = 1;
	unsigned n = 0;

	*notify = false;
	while (n < batch) {
		rc = virtq_pop(&rt->q, &c);
		if (rc == 0)
			break;
		if (rc < 0)
			return fail(rt, "device: virtq_pop: %s", virtq_err_name(rc));
		if (serve(rt, &c, rt->dev_seq) != 0)
			return -1;
		__atomic_store_n(&rt->dev_seq, rt->dev_seq + 1, __ATOMIC_RELAXED);
		n++;
	}
	if (n > 0) {
		int f = virtq_flush(&rt->q);

		if (f != 0)
			return fail(rt, "device: virtq_flush: %s", virtq_err_name(f));
		*notify = virtq_should_notify(&rt->q);
	}
	return n == batch ? 1 : 0;
}

/* ---- the driver: Linux ---- */

static struct req *prepare(struct rt *rt, uint64_t seq)
{
	struct req *r;
	struct shape *s;

	if (rt->pending)
		return rt->pending;
	if (rt->nfree == 0)
		return NULL;
	r = rt->free[--rt->nfree];
	r->seq = seq;
	s = &r->shape;
	shape_of(&rt->cfg, seq, s);
	if (rt->cfg.verify) {
		uint32_t k = 0;

		memset(r->data, RT_GUARD, s->span);
		for (unsigned i = 0; i < s->nout; i++) {
			memcpy(r->data + s->off[i], pat + s->pr + k, s->len[i]);
			k += s->len[i];
		}
		for (unsigned i = s->nout; i < s->nout + s->nin; i++)
			memset(r->data + s->off[i], RT_POISON, s->len[i]);
	}
	rt->pending = r;
	return r;
}

/*
 * The driver's pacing: how many requests it lets be outstanding, changed
 * every few thousand.  A window of 1 is a ping-pong where each side sleeps
 * on every request (the notification paths, fences F1 and F2, at full
 * stretch); a full window keeps the ring full (-ENOSPC, forced kicks).
 */
static void pace(struct rt *rt)
{
	static const uint64_t windows[] = {1, 2, 8, 64, UINT64_MAX};

	if (rt->sent < rt->next_pace)
		return;
	rt->window = rt->cfg.workload == VIRTQ_RT_SMALL ? UINT64_MAX
							: windows[rnd(&rt->drv_rng) % 5];
	rt->next_pace = rt->sent + rnd_in(&rt->drv_rng, 500, 5000);
}

/* Add up to @burst requests; @return how many, or -1. */
static int produce(struct rt *rt, unsigned burst)
{
	int added = 0;

	pace(rt);
	while ((unsigned)added < burst && rt->sent < rt->cfg.buffers &&
	       rt->sent - rt->done < rt->window) {
		struct req *r = prepare(rt, rt->sent);
		struct shape *s;
		int rc;

		if (!r)
			break;
		s = &r->shape;
		for (unsigned i = 0; i < s->nout; i++) {
			rt->sg_out[i].buf = r->data + s->off[i];
			rt->sg_out[i].len = s->len[i];
		}
		for (unsigned i = 0; i < s->nin; i++) {
			rt->sg_in[i].buf = r->data + s->off[s->nout + i];
			rt->sg_in[i].len = s->len[s->nout + i];
		}
		rt->in_add = true;
		rc = virtq_linux_driver_add(rt->drv, rt->sg_out, s->nout, rt->sg_in, s->nin, r,
					    r->table);
		rt->in_add = false;
		if (rc == -ENOSPC)
			break; /* ring full: r stays pending */
		if (rc != 0)
			return fail(rt, "driver: virtqueue_add_sgs(request %llu): %d",
				    (unsigned long long)r->seq, rc);
		r->busy = true;
		rt->pending = NULL;
		rt->sent++;
		added++;
	}
	return added;
}

/* The driver's check of one returned request. */
static int check_used(struct rt *rt, struct req *r, uint32_t len)
{
	const struct shape *s = &r->shape;
	uint32_t k = 0, w = 0, prev = 0;

	if (r < rt->req || r >= rt->req + rt->size || !r->busy)
		return fail(rt, "driver: token %p returned but not outstanding (duplicate?)", (void *)r);
	if (r->seq != rt->done)
		return fail(rt, "driver: got request %llu back, expected %llu (lost or reordered)",
			    (unsigned long long)r->seq, (unsigned long long)rt->done);
	if (len != s->wlen)
		return fail(rt, "driver: request %llu: used len %u, device wrote %u",
			    (unsigned long long)r->seq, len, s->wlen);
	if (!rt->cfg.verify)
		return 0;
	for (unsigned i = 0; i < s->nout + s->nin; i++) {
		const unsigned char *b = r->data + s->off[i];

		for (uint32_t g = prev; g < s->off[i]; g++)
			if (r->data[g] != RT_GUARD)
				return fail(rt, "driver: request %llu: guard byte at +%u changed",
					    (unsigned long long)r->seq, g);
		prev = s->off[i] + s->len[i];
		if (i < s->nout) {
			if (memcmp(b, pat + s->pr + k, s->len[i]) != 0)
				return fail(rt, "driver: request %llu: readable buffer %u changed",
					    (unsigned long long)r->seq, i);
			k += s->len[i];
			continue;
		}
		for (uint32_t j = 0; j < s->len[i]; j++, w++) {
			unsigned char want = w < s->wlen ? pat[s->pw + w] : RT_POISON;

			if (b[j] != want)
				return fail(rt, "driver: request %llu: writable byte %u is 0x%02x, want 0x%02x",
					    (unsigned long long)r->seq, w, b[j], want);
		}
	}
	if (r->data[prev] != RT_GUARD)
		return fail(rt, "driver: request %llu: guard byte after the last buffer changed",
			    (unsigned long long)r->seq);
	return 0;
}

/* Take up to @max used buffers; @return how many, or -1. */
static int consume(struct rt *rt, unsigned max)
{
	int got = 0;

	while ((unsigned)got < max) {
		uint32_t len = 0;
		struct req *r = virtq_linux_driver_get_buf(rt->drv, &len);

		if (!r) {
			if (virtq_linux_driver_is_broken(rt->drv))
				return fail(rt, "driver: Linux marked the queue broken (BAD_RING, see stderr)");
			break;
		}
		if (check_used(rt, r, len) != 0)
			return -1;
		r->busy = false;
		rt->free[rt->nfree++] = r;
		__atomic_store_n(&rt->done, rt->done + 1, __ATOMIC_RELAXED);
		got++;
	}
	return got;
}

/* Before sleeping: ask for an interrupt (plain or delayed).  true = sleep. */
static bool rearm_interrupts(struct rt *rt)
{
	bool idle = (rnd(&rt->drv_rng) & 1) ? virtq_linux_driver_enable_cb(rt->drv)
					     : virtq_linux_driver_enable_cb_delayed(rt->drv);

	if (!idle)
		virtq_linux_driver_disable_cb(rt->drv);
	return idle;
}

/* ---- SINGLE: one thread, a seeded scheduler ---- */

static bool single_kick(void *opaque)
{
	struct rt *rt = opaque;

	rt->st.kicks++;
	if (rt->in_add)
		rt->st.forced_kicks++; /* -ENOSPC with readable buffers: Linux kicks regardless */
	else if (!rt->dev_sleeping)
		rt->st.kicks_while_running++;
	rt->kick_pending = true;
	return true;
}

static int single_driver_step(struct rt *rt)
{
	int added, reaped;

	rt->drv_sleeping = false;
	if (rt->irq_pending) {
		rt->irq_pending = false;
		virtq_linux_driver_interrupt(rt->drv);
		virtq_linux_driver_disable_cb(rt->drv);
	}
	added = produce(rt, rnd_in(&rt->sched_rng, 1, rt->burst_max));
	if (added < 0)
		return -1;
	if (added > 0 && !virtq_linux_driver_kick(rt->drv))
		return fail(rt, "driver: virtqueue_kick failed");
	reaped = consume(rt, rnd_in(&rt->sched_rng, 1, 2 * rt->burst_max));
	if (reaped < 0)
		return -1;
	if (added + reaped > 0 || rt->done == rt->cfg.buffers)
		return 0;
	if (rearm_interrupts(rt)) {
		rt->drv_sleeping = true;
		rt->st.driver_sleeps++;
	}
	return 0;
}

static int single_device_step(struct rt *rt)
{
	bool notify;
	int rc;

	if (rt->dev_sleeping) {
		rt->dev_sleeping = false;
		rc = virtq_disable_kicks(&rt->q);
		if (rc != 0)
			return fail(rt, "device: virtq_disable_kicks: %s", virtq_err_name(rc));
	}
	rt->kick_pending = false;
	rc = serve_batch(rt, rnd_in(&rt->sched_rng, 1, rt->batch_max), &notify);
	if (rc < 0)
		return -1;
	if (notify) {
		rt->st.interrupts++;
		if (!rt->drv_sleeping)
			rt->st.interrupts_while_running++;
		rt->irq_pending = true;
	}
	if (rc == 1)
		return 0;
	rc = virtq_enable_kicks(&rt->q);
	if (rc < 0)
		return fail(rt, "device: virtq_enable_kicks: %s", virtq_err_name(rc));
	if (rc == 1) {
		(void)virtq_disable_kicks(&rt->q);
		return 0;
	}
	rt->dev_sleeping = true;
	rt->st.device_sleeps++;
	return 0;
}

/*
 * How many signals a side may get while it asked for none, if the other
 * side honours suppression.  Without EVENT_IDX: none (the flag is read after
 * a full fence, and one thread leaves no window).  With it, the event index
 * a busy side leaves behind has already been crossed (that crossing is what
 * woke it) or is parked (Linux's disable_cb writes used_event 0), so the
 * other side can cross it again only when the 16-bit indices come round:
 * at most about twice per 2^16 entries.
 */
static int single_check_suppression(struct rt *rt)
{
	uint64_t wraps = rt->cfg.buffers / 65536 + 1;
	uint64_t bound = rt->cfg.event_idx ? 2 * wraps + 2 : 0;

	if (rt->st.kicks_while_running > bound)
		return fail(rt, "driver kicked %llu times while the device had kicks off (bound %llu): "
			    "used flags / avail_event not honoured",
			    (unsigned long long)rt->st.kicks_while_running, (unsigned long long)bound);
	if (rt->st.interrupts_while_running > bound)
		return fail(rt, "device notified %llu times while the driver had interrupts off "
			    "(bound %llu): avail flags / used_event not honoured",
			    (unsigned long long)rt->st.interrupts_while_running,
			    (unsigned long long)bound);
	return 0;
}

/*
 * Regimes of a few hundred steps: driver faster than device (full ring,
 * -ENOSPC, forced kicks), device faster (empty ring, both sides sleeping
 * often), or even; so that every path of the notification protocol runs.
 */
static void new_regime(struct rt *rt)
{
	static const unsigned sizes[] = {1, 4, 32};
	static const unsigned odds[] = {25, 50, 75};

	rt->burst_max = sizes[rnd(&rt->sched_rng) % 3];
	rt->batch_max = sizes[rnd(&rt->sched_rng) % 3];
	rt->drv_odds = odds[rnd(&rt->sched_rng) % 3];
}

static int run_single(struct rt *rt)
{
	uint64_t steps = 0, limit = 64 * rt->cfg.buffers + 1000000, next_regime = 0;

	virtq_linux_driver_disable_cb(rt->drv);
	if (virtq_disable_kicks(&rt->q) != 0)
		return fail(rt, "device: virtq_disable_kicks failed");
	while (rt->done < rt->cfg.buffers && !failed(rt)) {
		bool drv_ok = !rt->drv_sleeping || rt->irq_pending;
		bool dev_ok = !rt->dev_sleeping || rt->kick_pending;

		if (!drv_ok && !dev_ok)
			return fail(rt, "lost wakeup: driver waits for an interrupt and device for a kick, "
				    "none pending");
		if (++steps > limit)
			return fail(rt, "no progress after %llu steps", (unsigned long long)steps);
		if (steps >= next_regime) {
			new_regime(rt);
			next_regime = steps + rnd_in(&rt->sched_rng, 100, 1000);
		}
		if (drv_ok && (!dev_ok || rnd(&rt->sched_rng) % 100 < rt->drv_odds))
			single_driver_step(rt);
		else
			single_device_step(rt);
	}
	if (failed(rt))
		return -1;
	return single_check_suppression(rt);
}

/* ---- THREADS: device on its own thread, eventfds between ---- */

static bool thread_kick(void *opaque)
{
	struct rt *rt = opaque;

	rt->st.kicks++;
	if (rt->in_add)
		rt->st.forced_kicks++;
	wake(rt->kick_fd);
	return true;
}

/* Wait until @fd is readable, at most stall_ms; 1 ready, 0 timed out or failed. */
static int wait_fd(struct rt *rt, int fd)
{
	unsigned waited = 0;

	while (waited < rt->cfg.stall_ms) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int n = poll(&p, 1, 50);

		if (n > 0)
			return 1;
		if (n < 0 && errno != EINTR)
			return 0;
		if (failed(rt))
			return 0;
		waited += 50;
	}
	return 0;
}

static void *device_thread(void *arg)
{
	struct rt *rt = arg;

	if (virtq_disable_kicks(&rt->q) != 0) {
		fail(rt, "device: virtq_disable_kicks failed");
		return NULL;
	}
	while (!failed(rt)) {
		bool notify;
		int rc = serve_batch(rt, rnd_in(&rt->dev_rng, 1, 16), &notify);

		if (rc < 0)
			break;
		if (notify) {
			rt->dev_interrupts++;
			wake(rt->irq_fd);
		}
		if (rc == 1)
			continue;
		if (__atomic_load_n(&rt->stop, __ATOMIC_ACQUIRE))
			break;
		rc = virtq_enable_kicks(&rt->q);
		if (rc < 0) {
			fail(rt, "device: virtq_enable_kicks: %s", virtq_err_name(rc));
			break;
		}
		if (rc == 1) {
			(void)virtq_disable_kicks(&rt->q);
			continue;
		}
		rt->st.device_sleeps++;
		if (!wait_fd(rt, rt->kick_fd)) {
			if (!failed(rt) && !__atomic_load_n(&rt->stop, __ATOMIC_ACQUIRE))
				fail(rt, "lost kick? device waited %u ms for a kick with kicks enabled and "
				     "its ring empty", rt->cfg.stall_ms);
			break;
		}
		if (__atomic_load_n(&rt->stop, __ATOMIC_ACQUIRE))
			break;
		drain(rt->kick_fd);
		(void)virtq_disable_kicks(&rt->q);
	}
	return NULL;
}

static int run_threads(struct rt *rt)
{
	pthread_t dev;
	int rc;

	rt->kick_fd = eventfd(0, EFD_NONBLOCK);
	rt->irq_fd = eventfd(0, EFD_NONBLOCK);
	if (rt->kick_fd < 0 || rt->irq_fd < 0)
		return fail(rt, "eventfd: %s", strerror(errno));
	virtq_linux_driver_disable_cb(rt->drv);
	rc = pthread_create(&dev, NULL, device_thread, rt);
	if (rc != 0)
		return fail(rt, "pthread_create: %s", strerror(rc));
	while (rt->done < rt->cfg.buffers && !failed(rt)) {
		int added = produce(rt, rnd_in(&rt->drv_rng, 1, 32)), reaped;

		if (added < 0)
			break;
		if (added > 0 && !virtq_linux_driver_kick(rt->drv)) {
			fail(rt, "driver: virtqueue_kick failed");
			break;
		}
		reaped = consume(rt, 64);
		if (reaped < 0)
			break;
		if (added + reaped > 0 || rt->done == rt->cfg.buffers)
			continue;
		if (!rearm_interrupts(rt))
			continue;
		rt->st.driver_sleeps++;
		if (!wait_fd(rt, rt->irq_fd)) {
			if (!failed(rt))
				fail(rt, "lost interrupt? driver waited %u ms for an interrupt with "
				     "callbacks enabled and %llu requests outstanding",
				     rt->cfg.stall_ms, (unsigned long long)(rt->sent - rt->done));
			break;
		}
		drain(rt->irq_fd);
		virtq_linux_driver_interrupt(rt->drv);
		virtq_linux_driver_disable_cb(rt->drv);
	}
	__atomic_store_n(&rt->stop, 1, __ATOMIC_RELEASE);
	wake(rt->kick_fd);
	pthread_join(dev, NULL);
	return failed(rt) ? -1 : 0;
}

/* ---- setup and the final accounting ---- */

static int setup(struct rt *rt)
{
	struct virtq_linux_driver_config dc;
	struct virtq_queue_config qc;
	size_t ring_len = virtq_linux_vring_bytes(rt->size, RT_ALIGN);
	size_t slot = RT_SLOT_DATA + RT_SLOT_TABLE;
	int rc;

	ring_len = (ring_len + 4095) & ~(size_t)4095;
	rt->mem_len = ring_len + (size_t)rt->size * slot;
	rt->mem = mmap(NULL, rt->mem_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (rt->mem == MAP_FAILED) {
		rt->mem = NULL;
		return fail(rt, "mmap %zu bytes: %s", rt->mem_len, strerror(errno));
	}
	rt->req = calloc(rt->size, sizeof(*rt->req));
	rt->free = calloc(rt->size, sizeof(*rt->free));
	if (!rt->req || !rt->free)
		return fail(rt, "out of memory");
	for (uint32_t i = 0; i < rt->size; i++) {
		struct req *r = &rt->req[rt->size - 1 - i];

		r->data = rt->mem + ring_len + (size_t)(rt->size - 1 - i) * slot;
		r->table = r->data + RT_SLOT_DATA;
		rt->free[rt->nfree++] = r;
	}

	memset(&dc, 0, sizeof(dc));
	dc.ring = rt->mem;
	dc.size = rt->size;
	dc.align = RT_ALIGN;
	dc.features = VIRTQ_FEATURE(VIRTQ_F_VERSION_1) |
		      (rt->cfg.event_idx ? VIRTQ_FEATURE(VIRTQ_F_EVENT_IDX) : 0) |
		      (rt->cfg.indirect ? VIRTQ_FEATURE(VIRTQ_F_INDIRECT_DESC) : 0);
	dc.max_sg = RT_MAX_BUFS;
	dc.guest_start = rt->mem;
	dc.guest_len = rt->mem_len;
	dc.notify = rt->cfg.mode == VIRTQ_RT_SINGLE ? single_kick : thread_kick;
	dc.opaque = rt;
	rt->drv = virtq_linux_driver_create(&dc);
	if (!rt->drv)
		return fail(rt, "vring_new_virtqueue failed");

	/* Identity-mapped guest memory: Linux's "physical" addresses are host pointers. */
	rt->region.gpa = (uint64_t)(uintptr_t)rt->mem;
	rt->region.size = rt->mem_len;
	rt->region.hva = rt->mem;
	rc = virtq_mem_init(&rt->vmem, &rt->region, 1);
	if (rc != 0)
		return fail(rt, "virtq_mem_init: %s", virtq_err_name(rc));
	memset(&qc, 0, sizeof(qc));
	qc.size = rt->size;
	qc.desc_gpa = virtq_linux_driver_desc_addr(rt->drv);
	qc.avail_gpa = virtq_linux_driver_avail_addr(rt->drv);
	qc.used_gpa = virtq_linux_driver_used_addr(rt->drv);
	qc.features = dc.features;
	qc.mem = &rt->vmem;
	rc = virtq_init(&rt->q, &qc);
	if (rc != 0)
		return fail(rt, "virtq_init: %s", virtq_err_name(rc));

	rt->avail_flags = (const uint16_t *)(uintptr_t)qc.avail_gpa;
	rt->avail_idx = rt->avail_flags + 1;
	rt->used_event = rt->avail_flags + 2 + rt->size;
	rt->used_flags = (const uint16_t *)(uintptr_t)qc.used_gpa;
	rt->used_idx = rt->used_flags + 1;
	rt->avail_event = rt->used_flags + 2 + 4 * rt->size;
	return 0;
}

/* Everything added came back once; both sides agree on where they are. */
static int final_check(struct rt *rt)
{
	uint16_t n = (uint16_t)rt->cfg.buffers;

	if (rt->done != rt->cfg.buffers || rt->dev_seq != rt->cfg.buffers)
		return fail(rt, "finished with %llu returned and %llu served of %llu",
			    (unsigned long long)rt->done, (unsigned long long)rt->dev_seq,
			    (unsigned long long)rt->cfg.buffers);
	if (virtq_linux_driver_num_free(rt->drv) != rt->size)
		return fail(rt, "driver has %u of %u descriptors back",
			    virtq_linux_driver_num_free(rt->drv), rt->size);
	if (virtq_inflight(&rt->q) != 0 || virtq_last_avail(&rt->q) != n ||
	    virtq_used_idx(&rt->q) != n || ld16(rt->used_idx) != n || virtq_broken(&rt->q))
		return fail(rt, "device state after the run is off");
	return 0;
}

static void teardown(struct rt *rt)
{
	if (rt->kick_fd >= 0)
		close(rt->kick_fd);
	if (rt->irq_fd >= 0)
		close(rt->irq_fd);
	virtq_linux_driver_destroy(rt->drv);
	free(rt->req);
	free(rt->free);
	if (rt->mem)
		munmap(rt->mem, rt->mem_len);
	pthread_mutex_destroy(&rt->err_lock);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int virtq_rt_run(const struct virtq_rt_config *cfg, struct virtq_rt_stats *st, char *err,
		 size_t errlen)
{
	struct rt *rt;
	double t0;
	int rc;

	if (errlen)
		err[0] = '\0';
	rt = calloc(1, sizeof(*rt));
	if (!rt) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	pthread_once(&pat_once, pat_init);
	rt->cfg = *cfg;
	rt->size = cfg->queue_size ? cfg->queue_size : 256;
	rt->cfg.queue_size = rt->size;
	if (!rt->cfg.stall_ms)
		rt->cfg.stall_ms = 10000;
	rt->err = err;
	rt->errlen = errlen;
	rt->kick_fd = rt->irq_fd = -1;
	pthread_mutex_init(&rt->err_lock, NULL);
	rt->drv_rng.s = cfg->seed ^ 0xD1;
	rt->dev_rng.s = cfg->seed ^ 0xDE;
	rt->sched_rng.s = cfg->seed ^ 0x5C;

	rc = setup(rt);
	if (rc == 0) {
		t0 = now();
		rc = cfg->mode == VIRTQ_RT_SINGLE ? run_single(rt) : run_threads(rt);
		rt->st.seconds = now() - t0;
		if (rc == 0)
			rc = final_check(rt);
	}
	rt->st.interrupts += rt->dev_interrupts;
	rt->st.completed = rt->done;
	if (st)
		*st = rt->st;
	teardown(rt);
	free(rt);
	return rc == 0 ? 0 : -1;
}
