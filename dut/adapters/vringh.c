/* SPDX-License-Identifier: MIT */
/*
 * Linux's vringh (drivers/vhost/vringh.c, Linux 6.1) behind the device
 * interface, through the interop wrapper virtq_interop/vringh_device.h.
 * Where vringh departs from virtq's reading of the spec, harnesses hold it to
 * the spec's latitude (it does not declare VDUT_CAP_EXACT), and what is left
 * is a finding about vringh.
 *
 * Mapping:
 *   create        a virtq_mem over the harness's regions + virtq_vringh_create
 *   pop           virtq_vringh_getdesc (vringh takes and walks in one call):
 *                 0 -> EMPTY; an error with no head taken (a bad avail entry,
 *                 which vringh does not move past) -> REJECTED (HEAD_RANGE);
 *                 an error after the head was taken -> OK here, REJECTED at
 *                 walk (-ELOOP: CHAIN_LOOP; anything else: OTHER)
 *   walk          the segments getdesc produced (readable, then writable)
 *   read / write  virtq_vringh_pull / virtq_vringh_push
 *   push          kept until publish (len passed as given: vringh has no cap)
 *   publish       virtq_vringh_complete_multi: one used idx store
 *   should_notify virtq_vringh_need_notify
 *   kicks         virtq_vringh_notify_disable / _enable (vringh's sense of
 *                 the return is inverted: true means "still empty")
 *   reset         vringh has none: the queue is created again
 * No access log, no set_indices, reopen or set_mem.
 *
 * Chains vringh is not handed (pop says UNSUPPORTED, and harnesses stop
 * comparing pops there), each a weakness of vringh's user flavour in user
 * space rather than of this adapter:
 *   - a walk vringh does not bound: it counts only buffer descriptors against
 *     the queue size and bounds an indirect table by its claimed length (up to
 *     2^28 entries), so INDIRECT|NEXT cycles and huge looping tables run until
 *     its iov arrays overflow (a heap overflow at vringh.c:409 once they reach
 *     2^27 entries; in the kernel kmalloc fails first);
 *   - an indirect table across two guest regions: its slow_copy() keeps the
 *     first range's host offset, right only where guest-adjacent ranges are
 *     host-adjacent (a process address space), which the guest's separately
 *     mapped regions are not;
 *   - an empty indirect table without 16 bytes of guest memory at its address:
 *     vringh reads its entry 0 anyway.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "vguest/store.h"
#include "virtq/virtq.h"
#include "virtq_dut/dut.h"
#include "virtq_interop/vringh_device.h"

#ifndef VDUT_NAME
#define VDUT_NAME "vringh"
#endif
#ifndef VDUT_DESCRIPTION
#define VDUT_DESCRIPTION "Linux 6.1 drivers/vhost/vringh.c (user flavour), built in user space"
#endif

#define NSEG 1024
#define MAX_REGIONS 16
/* Steps vringh may take for one chain before it is not handed the chain. */
#define VRINGH_BUDGET (1u << 18)

struct vr_q {
	struct virtq_mem_region table[MAX_REGIONS];
	struct virtq_mem mem;
	struct virtq_queue_config cfg;
	struct virtq_vringh *v;
	int walk_err;       /* getdesc's error for the chain just popped, or 0 */
	unsigned nout, npending;
	uint64_t readable, writable;
	/* Read only up to nout and npending: not cleared at create. */
	struct vdut_seg out[2 * NSEG];
	struct virtq_used_elem pending[VIRTQ_MAX_SIZE];
};

/* ---- the guest, as this adapter reads it for its pre-check ---- */

/* Host pointer for [gpa, gpa + len) if it lies in one region, else NULL. */
static const unsigned char *host(const struct vr_q *vq, uint64_t gpa, uint64_t len)
{
	for (size_t i = 0; i < vq->mem.nregions; i++) {
		const struct virtq_mem_region *r = &vq->table[i];

		if (gpa >= r->gpa && gpa - r->gpa < r->size && len <= r->size - (gpa - r->gpa))
			return (const unsigned char *)r->hva + (gpa - r->gpa);
	}
	return NULL;
}

static uint64_t le(const unsigned char *b, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)b[i] << (8 * i);
	return v;
}

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

static struct desc desc_at(const unsigned char *p)
{
	return (struct desc){le(p, 8), (uint32_t)le(p + 8, 4), (uint16_t)le(p + 12, 2), (uint16_t)le(p + 14, 2)};
}

/* A table vringh would copy piecewise across regions, or read past when empty. */
static bool table_unsafe(const struct vr_q *vq, const struct desc *d)
{
	if (d->len == 0)
		return host(vq, d->addr, 16) == NULL;
	return d->addr + (d->len - 1) >= d->addr && host(vq, d->addr, d->len) == NULL &&
	       host(vq, d->addr, 1) != NULL;
}

/*
 * Whether vringh's next getdesc is one it survives: its walk of the direct
 * table from the next head, one step per buffer descriptor until it passes
 * the queue size, claimed entries + 1 per indirect table, on to next after a
 * table only with NEXT and next != 0 (its up_next > 0 test).
 */
static bool vringh_can_take(const struct vr_q *vq)
{
	const struct virtq_queue_config *c = &vq->cfg;
	const unsigned char *avail = host(vq, c->avail_gpa, virtq_avail_bytes(c->size));
	const unsigned char *table = host(vq, c->desc_gpa, virtq_desc_bytes(c->size));
	uint16_t last = virtq_vringh_last_avail(vq->v), i;
	uint64_t steps = 0;
	uint32_t count = 0;

	if (!avail || !table || le(avail + 2, 2) == last)
		return true;
	i = (uint16_t)le(avail + 4 + 2 * (last & (c->size - 1)), 2);
	while (i < c->size && steps <= VRINGH_BUDGET) {
		struct desc d = desc_at(table + 16u * i);

		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			if (table_unsafe(vq, &d))
				return false;
			steps += d.len / 16 + 1;
			if (!(d.flags & VIRTQ_DESC_F_NEXT) || d.next == 0)
				break;
		} else {
			steps++;
			if (++count > c->size || !(d.flags & VIRTQ_DESC_F_NEXT))
				break;
		}
		i = d.next;
	}
	return steps <= VRINGH_BUDGET;
}

/* ---- the operations ---- */

/*
 * One queue's block (about 300 KiB, most of it the pending used entries) is
 * kept for the next create, as the core's adapter keeps its own: a fuzz run
 * creates and destroys a queue per input, and under ASan a block this size is
 * mapped and unmapped every time, which took most of a run's time.  Closed
 * between queues it is poisoned under ASan, so a use after destroy still
 * shows.  A second queue alive at once gets its own block.
 */
static struct vg_store kept;

static struct vr_q *alloc_q(void)
{
	struct vr_q *vq = vg_store_lend(&kept, sizeof(*vq));

	if (vq)
		memset(vq, 0, offsetof(struct vr_q, out));
	return vq;
}

static enum vdut_rc open_vringh(struct vr_q *vq)
{
	int err = 0;

	vq->v = virtq_vringh_create(&vq->cfg, NSEG, &err);
	return vq->v ? VDUT_OK : err == -EINVAL ? VDUT_REJECTED : VDUT_FAILED;
}

static enum vdut_rc vr_create(const struct vdut_queue_params *p, void **out, struct vdut_limits *lim)
{
	const uint64_t known = VIRTQ_FEATURE(VIRTQ_F_INDIRECT_DESC) | VIRTQ_FEATURE(VIRTQ_F_EVENT_IDX) |
			       VIRTQ_FEATURE(VIRTQ_F_VERSION_1);
	struct vr_q *vq;
	enum vdut_rc rc;

	if (p->features & ~known)
		return VDUT_UNSUPPORTED;
	if (p->nregions > MAX_REGIONS)
		return VDUT_FAILED;
	vq = alloc_q();
	if (!vq)
		return VDUT_FAILED;
	for (size_t i = 0; i < p->nregions; i++)
		vq->table[i] = (struct virtq_mem_region){p->regions[i].gpa, p->regions[i].size, p->regions[i].hva};
	if (virtq_mem_init(&vq->mem, vq->table, p->nregions) != 0) {
		vg_store_return(&kept, vq);
		return VDUT_FAILED;
	}
	vq->cfg = (struct virtq_queue_config){.size = p->size, .desc_gpa = p->desc_gpa,
					      .avail_gpa = p->avail_gpa, .used_gpa = p->used_gpa,
					      .features = p->features, .mem = &vq->mem};
	rc = open_vringh(vq);
	if (rc != VDUT_OK) {
		vg_store_return(&kept, vq);
		return rc;
	}
	/* vringh grows its iov arrays as needed and bounds a table only by its length. */
	*lim = (struct vdut_limits){0, 0};
	*out = vq;
	return VDUT_OK;
}

static void vr_destroy(void *q)
{
	struct vr_q *vq = q;

	virtq_vringh_destroy(vq->v);
	vg_store_return(&kept, vq);
}

/* Keep getdesc's segments: the wrapper's arrays are reused by the next call. */
static void keep_segments(struct vr_q *vq, const struct virtq_vringh_chain *c)
{
	vq->nout = 0;
	vq->readable = vq->writable = 0;
	for (unsigned i = 0; i < c->nrd && vq->nout < 2 * NSEG; i++) {
		vq->out[vq->nout++] = (struct vdut_seg){c->rd[i].addr, (uint32_t)c->rd[i].len, false};
		vq->readable += c->rd[i].len;
	}
	for (unsigned i = 0; i < c->nwr && vq->nout < 2 * NSEG; i++) {
		vq->out[vq->nout++] = (struct vdut_seg){c->wr[i].addr, (uint32_t)c->wr[i].len, true};
		vq->writable += c->wr[i].len;
	}
}

static enum vdut_rc vr_pop(void *q, struct vdut_chain *c)
{
	struct vr_q *vq = q;
	struct virtq_vringh_chain ch;
	int rc;

	if (!vringh_can_take(vq))
		return VDUT_UNSUPPORTED;
	rc = virtq_vringh_getdesc(vq->v, &ch);
	vq->walk_err = 0;
	if (rc == 0)
		return VDUT_EMPTY;
	if (rc < 0 && ch.head >= vq->cfg.size) {
		c->reason = VG_R_HEAD_RANGE; /* the avail entry itself: nothing to return */
		return VDUT_REJECTED;
	}
	c->head = ch.head;
	c->reason = VG_R_NONE;
	if (rc < 0) {
		vq->walk_err = rc;
		vq->nout = 0;
		return VDUT_OK;
	}
	keep_segments(vq, &ch);
	return VDUT_OK;
}

static const char *errno_name(int e)
{
	switch (e) {
	case -EINVAL:
		return "-EINVAL";
	case -ELOOP:
		return "-ELOOP";
	case -EPROTO:
		return "-EPROTO";
	case -ENOMEM:
		return "-ENOMEM";
	case -EFAULT:
		return "-EFAULT";
	default:
		return "vringh error";
	}
}

static enum vdut_rc vr_walk(void *q, struct vdut_chain *c, struct vdut_walk *w)
{
	struct vr_q *vq = q;

	(void)c;
	memset(w, 0, sizeof(*w));
	if (vq->walk_err) {
		w->rc = VDUT_REJECTED;
		/* vringh says -EINVAL for every malformed descriptor: only its loops are named. */
		w->reason = vq->walk_err == -ELOOP ? VG_R_CHAIN_LOOP : VG_R_OTHER;
		w->detail = vq->walk_err;
		w->detail_name = errno_name(vq->walk_err);
		return w->rc;
	}
	w->rc = VDUT_OK;
	w->seg = vq->out;
	w->nseg = vq->nout;
	w->readable = vq->readable;
	w->writable = vq->writable;
	return VDUT_OK;
}

static size_t vr_read(void *q, struct vdut_chain *c, void *dst, size_t n)
{
	ssize_t got = virtq_vringh_pull(((struct vr_q *)q)->v, dst, n);

	(void)c;
	return got > 0 ? (size_t)got : 0;
}

static size_t vr_write(void *q, struct vdut_chain *c, const void *src, size_t n)
{
	ssize_t put = virtq_vringh_push(((struct vr_q *)q)->v, src, n);

	(void)c;
	return put > 0 ? (size_t)put : 0;
}

static enum vdut_rc vr_push(void *q, struct vdut_chain *c, uint32_t written)
{
	struct vr_q *vq = q;

	if (vq->npending == VIRTQ_MAX_SIZE)
		return VDUT_FAILED;
	vq->pending[vq->npending++] = (struct virtq_used_elem){c->head, written};
	return VDUT_OK;
}

static enum vdut_rc vr_publish(void *q)
{
	struct vr_q *vq = q;
	int rc = vq->npending ? virtq_vringh_complete_multi(vq->v, vq->pending, vq->npending) : 0;

	vq->npending = 0;
	return rc == 0 ? VDUT_OK : VDUT_FAILED;
}

static enum vdut_rc vr_should_notify(void *q, bool *notify)
{
	int rc = virtq_vringh_need_notify(((struct vr_q *)q)->v);

	*notify = rc > 0;
	return rc < 0 ? VDUT_FAILED : VDUT_OK;
}

static enum vdut_rc vr_disable_kicks(void *q)
{
	virtq_vringh_notify_disable(((struct vr_q *)q)->v);
	return VDUT_OK;
}

static enum vdut_rc vr_enable_kicks(void *q, bool *pending)
{
	*pending = !virtq_vringh_notify_enable(((struct vr_q *)q)->v);
	return VDUT_OK;
}

/* No vringh reset: start it again over the same rings (indices from 0). */
static void vr_reset(void *q)
{
	struct vr_q *vq = q;

	virtq_vringh_destroy(vq->v);
	vq->npending = 0;
	vq->walk_err = 0;
	if (open_vringh(vq) != VDUT_OK)
		abort(); /* the same config worked at create: an adapter bug */
}

const struct vdut_adapter vdut_device = {
	.version = VDUT_VERSION,
	.name = VDUT_NAME,
	.description = VDUT_DESCRIPTION,
	.features = VIRTQ_FEATURE(VIRTQ_F_INDIRECT_DESC) | VIRTQ_FEATURE(VIRTQ_F_EVENT_IDX),
	.caps = 0,
	.create = vr_create,
	.destroy = vr_destroy,
	.pop = vr_pop,
	.walk = vr_walk,
	.read = vr_read,
	.write = vr_write,
	.push = vr_push,
	.publish = vr_publish,
	.should_notify = vr_should_notify,
	.disable_kicks = vr_disable_kicks,
	.enable_kicks = vr_enable_kicks,
	.reset = vr_reset,
};
