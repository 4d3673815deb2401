/* SPDX-License-Identifier: MIT */
/* toyq behind virtq's device interface (virtq_dut/dut.h): what a user writes. */
#include <stdlib.h>
#include <string.h>

#include "toyq.h"
#include "virtq_dut/dut.h"

#define MAX_REGIONS 16
#define VERSION_1 (UINT64_C(1) << 32) /* the only feature toyq takes: no INDIRECT_DESC, no EVENT_IDX */

struct toy {
	struct toyq q;
	struct toyq_region regions[MAX_REGIONS];
	struct vdut_seg out[2 * TOYQ_MAX_SEGS];
	uint32_t gen; /* resets so far: a chain from before one is not ours to return */
};

/* Per chain, until it is pushed: chains may come back in any order. */
struct toy_chain {
	uint64_t writable;
	uint32_t gen;
	bool live; /* popped and not yet pushed */
};

_Static_assert(sizeof(struct toy_chain) <= VDUT_CHAIN_PRIV_BYTES, "fits in vdut_chain.priv");

static struct toy_chain *chain_of(struct vdut_chain *c) { return (struct toy_chain *)(void *)c->priv; }

/* [gpa, gpa + len) inside one region of the table. */
static bool mapped(const struct vdut_queue_params *p, uint64_t gpa, uint64_t len)
{
	for (size_t i = 0; i < p->nregions; i++) {
		const struct vdut_region *r = &p->regions[i];
		if (gpa >= r->gpa && gpa - r->gpa <= r->size && len <= r->size - (gpa - r->gpa))
			return true;
	}
	return false;
}

static enum vdut_rc toy_create(const struct vdut_queue_params *p, void **qp, struct vdut_limits *lim)
{
	struct toy *t;

	if (p->features & ~(vdut_device.features | VERSION_1))
		return VDUT_UNSUPPORTED;
	if (p->nregions > MAX_REGIONS || p->size > 32768)
		return VDUT_FAILED;
	if (!mapped(p, p->desc_gpa, 16ull * p->size) || !mapped(p, p->avail_gpa, 6 + 2ull * p->size) ||
	    !mapped(p, p->used_gpa, 6 + 8ull * p->size) || p->desc_gpa % 16 || p->avail_gpa % 2 ||
	    p->used_gpa % 4)
		return VDUT_REJECTED;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return VDUT_FAILED;
	for (size_t i = 0; i < p->nregions; i++)
		t->regions[i] = (struct toyq_region){p->regions[i].gpa, p->regions[i].size, p->regions[i].hva};
	toyq_init(&t->q, (uint16_t)p->size, p->desc_hva, p->avail_hva, p->used_hva, t->regions, p->nregions);
	lim->max_segs = TOYQ_MAX_SEGS;
	lim->max_indirect = 0;
	*qp = t;
	return VDUT_OK;
}

static void toy_destroy(void *qp) { free(qp); }

static enum vdut_rc toy_pop(void *qp, struct vdut_chain *c)
{
	struct toy *t = qp;

	*chain_of(c) = (struct toy_chain){0};
	switch (toyq_pop(&t->q, &c->head)) {
	case TOYQ_OK:
		*chain_of(c) = (struct toy_chain){.gen = t->gen, .live = true};
		return VDUT_OK;
	case TOYQ_EMPTY:
		return VDUT_EMPTY;
	case TOYQ_BROKEN:
		c->reason = VG_R_OTHER;
		return VDUT_QUEUE_BROKEN;
	default:
		c->reason = VG_R_OTHER;
		return VDUT_REJECTED;
	}
}

static enum vdut_rc toy_walk(void *qp, struct vdut_chain *c, struct vdut_walk *w)
{
	struct toy *t = qp;

	memset(w, 0, sizeof(*w));
	if (toyq_walk(&t->q, c->head, &w->readable, &w->writable) != TOYQ_OK) {
		t->q.nseg = 0;
		w->rc = VDUT_REJECTED;
		w->reason = VG_R_OTHER;
		w->readable = w->writable = 0;
		chain_of(c)->writable = 0;
		return w->rc;
	}
	for (unsigned k = 0; k < t->q.nseg; k++)
		t->out[k] = (struct vdut_seg){t->q.seg[k].hva, t->q.seg[k].len, t->q.seg[k].writable};
	w->seg = t->out;
	w->nseg = t->q.nseg;
	chain_of(c)->writable = w->writable;
	w->rc = VDUT_OK;
	return VDUT_OK;
}

static size_t toy_read(void *qp, struct vdut_chain *c, void *dst, size_t n)
{
	(void)c;
	return toyq_read(&((struct toy *)qp)->q, dst, n);
}

static size_t toy_write(void *qp, struct vdut_chain *c, const void *src, size_t n)
{
	(void)c;
	return toyq_write(&((struct toy *)qp)->q, src, n);
}

static enum vdut_rc toy_push(void *qp, struct vdut_chain *c, uint32_t written)
{
	struct toy *t = qp;
	struct toy_chain *tc = chain_of(c);
	uint64_t cap = tc->writable;

	if (!tc->live || tc->gen != t->gen) {
		c->reason = VG_R_OTHER;
		return VDUT_REJECTED;
	}
	tc->live = false;
	toyq_push(&t->q, c->head, written < cap ? written : (uint32_t)cap);
	return VDUT_OK;
}

static enum vdut_rc toy_publish(void *qp)
{
	toyq_publish(&((struct toy *)qp)->q);
	return VDUT_OK;
}

static enum vdut_rc toy_should_notify(void *qp, bool *notify)
{
	*notify = toyq_should_notify(&((struct toy *)qp)->q);
	return VDUT_OK;
}

static enum vdut_rc toy_disable_kicks(void *qp)
{
	toyq_kicks(&((struct toy *)qp)->q, false);
	return VDUT_OK;
}

static enum vdut_rc toy_enable_kicks(void *qp, bool *pending)
{
	toyq_kicks(&((struct toy *)qp)->q, true);
	*pending = toyq_pending(&((struct toy *)qp)->q);
	return VDUT_OK;
}

static void toy_reset(void *qp)
{
	struct toy *t = qp;

	toyq_init(&t->q, t->q.size, (void *)t->q.desc, (void *)t->q.avail, (void *)t->q.used, t->regions,
		  t->q.nregions);
	t->gen++;
}

const struct vdut_adapter vdut_device = {
	.version = VDUT_VERSION,
	.name = VDUT_NAME,
	.description = VDUT_DESCRIPTION,
	.features = 0,
	.caps = 0,
	.create = toy_create,
	.destroy = toy_destroy,
	.pop = toy_pop,
	.walk = toy_walk,
	.read = toy_read,
	.write = toy_write,
	.push = toy_push,
	.publish = toy_publish,
	.should_notify = toy_should_notify,
	.disable_kicks = toy_disable_kicks,
	.enable_kicks = toy_enable_kicks,
	.reset = toy_reset,
};
