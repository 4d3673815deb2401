/* SPDX-License-Identifier: MIT */
/*
 * The virtq core behind the device interface: the worked example of an
 * adapter (README "Your implementation under test").
 *
 * Built against `virtq_instrumented` (the core's sources with the shared-
 * memory seam compiled in) so harnesses get an access log; the same file
 * against `virtq_planted_<bug>` is each planted-bug variant.  The production
 * library `virtq` is the same code without the seam.
 *
 * Mapping:
 *   create        virtq_mem_init over a copy of the harness's region table (or,
 *                 as the variant says, a translation callback over it) +
 *                 virtq_init
 *   pop / reopen  virtq_pop / virtq_reopen; HEAD_RANGE, HEAD_IN_USE -> REJECTED,
 *                 queue errors -> QUEUE_BROKEN, each with its reason
 *   walk          virtq_chain_collect into the queue's segment arrays
 *   read / write  virtq_iov_read / virtq_iov_write (the core's own cursors)
 *   push          virtq_fill (len capped by the core, SPLIT-USED-3)
 *   publish       virtq_flush;  should_notify  virtq_should_notify
 *   kicks         virtq_disable_kicks / virtq_enable_kicks
 *   reset         virtq_reset;  set_indices  virtq_restore
 *   get_indices   virtq_last_avail, virtq_used_idx, virtq_inflight
 *   set_mem       a new region table, then the core's contract for a memory-map
 *                 change; the old table is freed one change later, so that a
 *                 stale reference into it shows as an access to retired guest
 *                 memory (which the harness faults on) rather than as chance
 *   access log    virtq_shm_set_hook, its ops mapped onto enum vdut_access
 * The variant (chosen by the harness's input) selects translation by callback
 * (bit 0), segment arrays of 1..4 entries (bit 1, size from bits 2-3), the
 * lazy walker virtq_chain_next() instead of virtq_chain_collect() (bit 4) and
 * the indirect bound (bits 8-15, 0 = the core's default); limits declare them.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "vguest/store.h"
#include "virtq/shm_hook.h"
#include "virtq/virtq.h"
#include "virtq_dut/dut.h"

#ifndef VDUT_NAME
#define VDUT_NAME "core"
#endif
#ifndef VDUT_DESCRIPTION
#define VDUT_DESCRIPTION "virtq core"
#endif

/* Segments one chain may yield per direction: the device's chain limit (SPLIT-FRM-2). */
#define NSEG 1024
#define MAX_REGIONS 16

#define V_CALLBACK 0x1u
#define V_TINY_IOV 0x2u
#define V_NEXT_WALK 0x10u /* walk with virtq_chain_next(), not virtq_chain_collect() */

struct core_q {
	struct virtq_mem_region *table, *retired; /* current region table, and the one before */
	size_t nregions;
	struct virtq_mem table_mem; /* the table backend */
	struct virtq_mem mem;       /* what the queue uses: the table, or a callback over it */
	uint32_t nseg;
	bool next_walk;
	struct virtq_iov rd, wr;
	vdut_access_fn log;
	void *log_opaque;
	/* Not zeroed per queue (fuzz speed): virtq_init() sets all of it it reads. */
	struct virtq_queue q;
	/* Scratch from here on, written before it is read. */
	struct virtq_seg rseg[NSEG], wseg[NSEG];
	struct vdut_seg out[2 * NSEG];
};

_Static_assert(sizeof(struct virtq_chain) <= VDUT_CHAIN_PRIV_BYTES, "chain fits in vdut_chain.priv");

static struct virtq_chain *chain_of(struct vdut_chain *c) { return (struct virtq_chain *)(void *)c->priv; }

/* The core's errors in the spec vocabulary (one for one). */
static enum vg_reason reason_of(int rc)
{
	switch (rc) {
	case VIRTQ_E_RING_ALIGN: return VG_R_RING_ALIGN;
	case VIRTQ_E_RING_RANGE: return VG_R_RING_RANGE;
	case VIRTQ_E_AVAIL_IDX: return VG_R_AVAIL_IDX;
	case VIRTQ_E_BROKEN: return VG_R_BROKEN;
	case VIRTQ_E_HEAD_RANGE: return VG_R_HEAD_RANGE;
	case VIRTQ_E_HEAD_IN_USE: return VG_R_HEAD_IN_USE;
	case VIRTQ_E_NEXT_RANGE: return VG_R_NEXT_RANGE;
	case VIRTQ_E_CHAIN_LOOP: return VG_R_CHAIN_LOOP;
	case VIRTQ_E_INDIRECT_NOT_NEGOTIATED: return VG_R_INDIRECT_NOT_NEGOTIATED;
	case VIRTQ_E_INDIRECT_NESTED: return VG_R_INDIRECT_NESTED;
	case VIRTQ_E_INDIRECT_WITH_NEXT: return VG_R_INDIRECT_WITH_NEXT;
	case VIRTQ_E_INDIRECT_LEN: return VG_R_INDIRECT_LEN;
	case VIRTQ_E_INDIRECT_TOO_LONG: return VG_R_INDIRECT_TOO_LONG;
	case VIRTQ_E_INDIRECT_LOOP: return VG_R_INDIRECT_LOOP;
	case VIRTQ_E_INDIRECT_RANGE: return VG_R_INDIRECT_RANGE;
	case VIRTQ_E_READ_AFTER_WRITE: return VG_R_READ_AFTER_WRITE;
	case VIRTQ_E_ADDR_OVERFLOW: return VG_R_ADDR_OVERFLOW;
	case VIRTQ_E_ADDR_RANGE: return VG_R_ADDR_RANGE;
	case VIRTQ_E_CHAIN_TOO_BIG: return VG_R_CHAIN_TOO_BIG;
	case VIRTQ_E_NOT_IN_FLIGHT: return VG_R_NOT_IN_FLIGHT;
	case VIRTQ_E_IOV_FULL: return VG_R_SEGS_FULL;
	case VIRTQ_E_RESTORE: return VG_R_RESTORE;
	case VIRTQ_E_STALE_CHAIN: return VG_R_STALE_CHAIN;
	case VIRTQ_E_MEM_CHANGED: return VG_R_MEM_CHANGED;
	default: return VG_R_OTHER;
	}
}

static enum vdut_rc rc_of(int rc)
{
	if (rc >= 0)
		return VDUT_OK;
	return virtq_err_is_fatal(rc) ? VDUT_QUEUE_BROKEN : VDUT_REJECTED;
}

/* The callback backend of the variant: the same table, answered through the core's lookup. */
static void *translate_cb(void *opaque, uint64_t gpa, uint64_t len, uint64_t *contig)
{
	return virtq_mem_translate(opaque, gpa, len, contig);
}

/* Copy the harness's regions into a table of our own, as a device keeps its memory map. */
static struct virtq_mem_region *copy_table(const struct vdut_region *r, size_t n)
{
	struct virtq_mem_region *t;

	if (n > MAX_REGIONS)
		return NULL;
	t = calloc(n ? n : 1, sizeof(*t)); /* no memory at all is a layout the queue refuses */
	for (size_t i = 0; t && i < n; i++)
		t[i] = (struct virtq_mem_region){r[i].gpa, r[i].size, r[i].hva};
	return t;
}

static int init_mem(struct core_q *cq, bool callback)
{
	int rc = virtq_mem_init(&cq->table_mem, cq->table, cq->nregions);

	if (rc < 0)
		return rc;
	if (callback)
		return virtq_mem_init_callback(&cq->mem, translate_cb, &cq->table_mem);
	cq->mem = cq->table_mem;
	return 0;
}

/*
 * One queue's block is kept for the next create, in a vg_store: a fuzz run
 * creates and destroys a queue per input, and a fresh 80 KiB block (ASan
 * hands out new memory while the old sits in quarantine) cost page faults on
 * every walk.  Closed between queues, it is poisoned under ASan, so a use
 * after destroy still shows.  A second queue alive at once gets its own block.
 */
static struct vg_store kept;

static void free_q(struct core_q *cq)
{
	free(cq->table);
	free(cq->retired);
	vg_store_return(&kept, cq);
}

static enum vdut_rc core_create(const struct vdut_queue_params *p, void **out, struct vdut_limits *lim)
{
	const uint64_t known = VIRTQ_FEATURE(VIRTQ_F_INDIRECT_DESC) | VIRTQ_FEATURE(VIRTQ_F_EVENT_IDX) |
			       VIRTQ_FEATURE(VIRTQ_F_VERSION_1);
	struct virtq_queue_config cfg;
	struct core_q *cq;
	int rc;

	if (p->features & ~known)
		return VDUT_UNSUPPORTED;
	cq = vg_store_lend(&kept, sizeof(*cq));
	if (!cq)
		return VDUT_FAILED;
	memset(cq, 0, offsetof(struct core_q, q));
	cq->table = copy_table(p->regions, p->nregions);
	cq->nregions = p->nregions;
	if (!cq->table || init_mem(cq, p->variant & V_CALLBACK) < 0) {
		free_q(cq);
		return VDUT_FAILED;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.size = p->size;
	cfg.desc_gpa = p->desc_gpa;
	cfg.avail_gpa = p->avail_gpa;
	cfg.used_gpa = p->used_gpa;
	cfg.features = p->features;
	cfg.indirect_max = (p->variant >> 8) & 0xFFu;
	cfg.mem = &cq->mem;
	rc = virtq_init(&cq->q, &cfg);
	if (rc < 0) {
		free_q(cq);
		return rc == VIRTQ_E_RING_ALIGN || rc == VIRTQ_E_RING_RANGE ? VDUT_REJECTED : VDUT_FAILED;
	}
	cq->nseg = p->variant & V_TINY_IOV ? 1 + ((p->variant >> 2) & 3u) : NSEG;
	cq->next_walk = p->variant & V_NEXT_WALK;
	lim->max_segs = cq->nseg;
	lim->max_indirect = cfg.indirect_max ? cfg.indirect_max : VIRTQ_DEFAULT_INDIRECT_MAX;
	*out = cq;
	return VDUT_OK;
}

static void core_destroy(void *q)
{
	struct core_q *cq = q;

	if (cq->log)
		virtq_shm_set_hook(NULL, NULL);
	free_q(cq);
}

static enum vdut_rc opened(int rc, struct vdut_chain *c)
{
	if (rc == 1) {
		c->head = virtq_chain_head(chain_of(c));
		c->reason = VG_R_NONE;
		return VDUT_OK;
	}
	if (rc == 0)
		return VDUT_EMPTY;
	c->reason = reason_of(rc);
	return rc_of(rc);
}

static enum vdut_rc core_pop(void *q, struct vdut_chain *c)
{
	return opened(virtq_pop(&((struct core_q *)q)->q, chain_of(c)), c);
}

static enum vdut_rc core_reopen(void *q, uint16_t head, struct vdut_chain *c)
{
	return opened(virtq_reopen(&((struct core_q *)q)->q, head, chain_of(c)), c);
}

static void append(struct core_q *cq, struct vdut_walk *w, const struct virtq_iov *v)
{
	for (uint32_t i = 0; i < v->n; i++)
		cq->out[w->nseg++] = (struct vdut_seg){v->seg[i].addr, v->seg[i].len, v->seg[i].writable};
}

/*
 * The lazy walker, a segment a call, into the same arrays virtq_chain_collect()
 * fills: a device that walks this way is fuzzed as hard as one that collects.
 * A full array is our limit here, reported as the core reports its own.
 */
static int walk_next(struct core_q *cq, struct virtq_chain *c)
{
	struct virtq_seg s;
	int rc;

	while ((rc = virtq_chain_next(c, &s)) == 1) {
		struct virtq_iov *v = s.writable ? &cq->wr : &cq->rd;

		if (v->n == v->cap)
			return VIRTQ_E_IOV_FULL;
		v->seg[v->n++] = s;
		v->bytes += s.len;
	}
	return rc;
}

static enum vdut_rc core_walk(void *q, struct vdut_chain *c, struct vdut_walk *w)
{
	struct core_q *cq = q;
	int rc;

	virtq_iov_init(&cq->rd, cq->rseg, cq->nseg);
	virtq_iov_init(&cq->wr, cq->wseg, cq->nseg);
	if (cq->next_walk)
		rc = walk_next(cq, chain_of(c));
	else
		rc = virtq_chain_collect(chain_of(c), &cq->rd, &cq->wr);
	memset(w, 0, sizeof(*w));
	w->rc = rc_of(rc);
	w->reason = rc < 0 ? reason_of(rc) : VG_R_NONE;
	w->detail = rc;
	w->detail_name = rc < 0 ? virtq_err_name(rc) : NULL;
	if (rc < 0)
		return w->rc;
	append(cq, w, &cq->rd);
	append(cq, w, &cq->wr);
	w->seg = cq->out;
	w->readable = cq->rd.bytes;
	w->writable = cq->wr.bytes;
	return VDUT_OK;
}

static size_t core_read(void *q, struct vdut_chain *c, void *dst, size_t n)
{
	(void)c;
	return virtq_iov_read(&((struct core_q *)q)->rd, dst, n);
}

/* The reply goes through the core's own cursor, so wrong segments show. */
static size_t core_write(void *q, struct vdut_chain *c, const void *src, size_t n)
{
	(void)c;
	return virtq_iov_write(&((struct core_q *)q)->wr, src, n);
}

static enum vdut_rc core_push(void *q, struct vdut_chain *c, uint32_t written)
{
	int rc = virtq_fill(&((struct core_q *)q)->q, chain_of(c), written);

	c->reason = rc < 0 ? reason_of(rc) : VG_R_NONE;
	return rc == VIRTQ_E_INVAL ? VDUT_FAILED : rc_of(rc);
}

static enum vdut_rc core_publish(void *q)
{
	return rc_of(virtq_flush(&((struct core_q *)q)->q));
}

static enum vdut_rc core_should_notify(void *q, bool *notify)
{
	*notify = virtq_should_notify(&((struct core_q *)q)->q);
	return VDUT_OK;
}

static enum vdut_rc core_disable_kicks(void *q)
{
	return rc_of(virtq_disable_kicks(&((struct core_q *)q)->q));
}

static enum vdut_rc core_enable_kicks(void *q, bool *pending)
{
	int rc = virtq_enable_kicks(&((struct core_q *)q)->q);

	*pending = rc == 1;
	return rc_of(rc);
}

static void core_reset(void *q) { virtq_reset(&((struct core_q *)q)->q); }

static void core_get_indices(void *q, uint16_t *last_avail, uint16_t *used_idx, uint32_t *inflight)
{
	const struct virtq_queue *vq = &((struct core_q *)q)->q;

	*last_avail = virtq_last_avail(vq);
	*used_idx = virtq_used_idx(vq);
	*inflight = virtq_inflight(vq);
}

static enum vdut_rc core_set_indices(void *q, uint16_t last_avail, uint16_t used_idx)
{
	return rc_of(virtq_restore(&((struct core_q *)q)->q, last_avail, used_idx));
}

/*
 * A new memory map under the live queue: a new region table, the queue's
 * virtq_mem re-initialised over it, then the core's contract for the change
 * (virtq_set_mem drops every translation the queue keeps).
 */
static enum vdut_rc core_set_mem(void *q, const struct vdut_region *regions, size_t n)
{
	struct core_q *cq = q;
	struct virtq_mem_region *t = copy_table(regions, n);
	bool callback = cq->mem.translate != NULL;

	if (!t)
		return VDUT_FAILED;
	free(cq->retired);
	cq->retired = cq->table;
	cq->table = t;
	cq->nregions = n;
	if (init_mem(cq, callback) < 0)
		return VDUT_FAILED;
	return rc_of(virtq_set_mem(&cq->q, &cq->mem)) == VDUT_OK ? VDUT_OK : VDUT_REJECTED;
}

static void hook(void *opaque, enum virtq_shm_op op, enum virtq_shm_what what, const void *addr,
		 size_t size)
{
	struct core_q *cq = opaque;
	enum vdut_access k;

	switch (op) {
	case VIRTQ_SHM_LOAD:
		k = what == VIRTQ_SHM_DESC ? VDUT_ACC_LOAD_DESC : VDUT_ACC_LOAD;
		break;
	case VIRTQ_SHM_COPY_FROM:
		k = VDUT_ACC_READ;
		break;
	case VIRTQ_SHM_STORE:
		k = VDUT_ACC_STORE;
		break;
	case VIRTQ_SHM_COPY_TO:
		k = VDUT_ACC_WRITE;
		break;
	default:
		k = what == VIRTQ_SHM_FENCE_ACQUIRE   ? VDUT_ACC_FENCE_ACQUIRE
		    : what == VIRTQ_SHM_FENCE_RELEASE ? VDUT_ACC_FENCE_RELEASE
						      : VDUT_ACC_FENCE_FULL;
		break;
	}
	cq->log(cq->log_opaque, k, addr, size);
}

static enum vdut_rc core_set_access_log(void *q, vdut_access_fn fn, void *opaque)
{
	struct core_q *cq = q;

	cq->log = fn;
	cq->log_opaque = opaque;
	/* The seam is per process; one queue at a time is all a harness uses. */
	virtq_shm_set_hook(fn ? hook : NULL, fn ? cq : NULL);
	return VDUT_OK;
}

const struct vdut_adapter vdut_device = {
	.version = VDUT_VERSION,
	.name = VDUT_NAME,
	.description = VDUT_DESCRIPTION,
	.features = VIRTQ_FEATURE(VIRTQ_F_INDIRECT_DESC) | VIRTQ_FEATURE(VIRTQ_F_EVENT_IDX),
	.caps = VDUT_CAP_ACCESS_LOG | VDUT_CAP_SET_INDICES | VDUT_CAP_GET_INDICES | VDUT_CAP_REOPEN |
		VDUT_CAP_SET_MEM | VDUT_CAP_EXACT,
	.create = core_create,
	.destroy = core_destroy,
	.pop = core_pop,
	.walk = core_walk,
	.read = core_read,
	.write = core_write,
	.push = core_push,
	.publish = core_publish,
	.should_notify = core_should_notify,
	.disable_kicks = core_disable_kicks,
	.enable_kicks = core_enable_kicks,
	.reset = core_reset,
	.set_indices = core_set_indices,
	.get_indices = core_get_indices,
	.reopen = core_reopen,
	.set_mem = core_set_mem,
	.set_access_log = core_set_access_log,
};
