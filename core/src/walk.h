/* SPDX-License-Identifier: MIT */
/*
 * The steps of walking one descriptor chain (layer 4) that both walkers
 * share: chain.c's general walker and collect.c's fast path.
 *
 * The walk is a small state machine over one "table" at a time: the ring's
 * descriptor table, then possibly one indirect table.  Each step reads one
 * descriptor once (shm_load_desc; on the fast path shm_load_desc_aligned for
 * the head, shm_load_desc_fields after it), checks it, and keeps only the
 * unyielded rest of its buffer (cur_gpa, cur_len).  Every read spends a
 * budget fixed when the table is entered, so no guest input can make it loop.
 */
#ifndef VIRTQ_SRC_WALK_H
#define VIRTQ_SRC_WALK_H

#include "internal.h"
#include "shm.h"
#include "virtq/error.h"

/*
 * The fast path works on a copy of the walk in its own frame: the helpers it
 * shares with the general walk must be inlined for that copy to stay in
 * registers, at -O2 without LTO too.
 */
#define WALK_INLINE static inline __attribute__((always_inline))

/* Descriptors read so far, over every table entered. */
WALK_INLINE uint32_t walk_ndesc(const struct virtq__walk *w)
{
	return w->ndesc_before + (w->table_size - w->budget);
}

/*
 * Writable bytes handed out so far: every writable descriptor taken, less
 * the current one's unyielded rest.  Counted from what the walk keeps
 * anyway rather than per piece; it caps the used len (SPLIT-USED-3).
 */
WALK_INLINE uint64_t walk_writable(const struct virtq__walk *w)
{
	return w->writing ? w->total - w->writable_from - w->cur_len : 0;
}

/* The walk is over, and why: 0 or an error, sticky from now on. */
static inline int chain_end(struct virtq_chain *c, int err)
{
	c->state = VIRTQ__WALK_DONE;
	c->error = err;
	return err;
}

/* What outlives the walk, kept after every call that moved it. */
WALK_INLINE void keep_counters(struct virtq_chain *c, const struct virtq__walk *w)
{
	c->writable = walk_writable(w);
	c->ndesc = walk_ndesc(w);
}

/* A chain popped and not walked yet: the direct table from its head. */
WALK_INLINE void walk_begin(const struct virtq_chain *c, struct virtq__walk *w)
{
	const struct virtq_queue *q = c->q;

	w->table = q->desc;
	w->table_size = q->size;
	/* §2.7.5.2: a chain has at most queue-size descriptors; more is a loop. */
	w->budget = q->size;
	w->ndesc_before = 0;
	w->next = c->head;
	w->indirect = false;
	w->writing = false;
	w->cur_gpa = 0;
	w->cur_len = 0;
	w->total = 0;
	w->writable_from = 0;
}

/* Taken in the queue's present life and walked under its present memory map. */
static inline bool chain_current(const struct virtq_chain *c)
{
	return c->epoch == c->q->epoch && c->mem_gen == c->q->mem_gen;
}

/*
 * Switch to the indirect table @d points at (§2.7.5.3).  Each rejection is a
 * driver MUST NOT of §2.7.5.3.1 or a table that cannot be read safely; the
 * WRITE bit of @d is disregarded as §2.7.5.3.2 requires (SPLIT-IND-8).
 */
WALK_INLINE int enter_indirect(const struct virtq_queue *q, struct virtq__walk *w,
			       const struct shm_desc *d)
{
	void *table;

	if (!virtq_has_feature(q, VIRTQ_F_INDIRECT_DESC))
		return VIRTQ_E_INDIRECT_NOT_NEGOTIATED;
	if (w->indirect)
		return VIRTQ_E_INDIRECT_NESTED;
	/* One indirect table, last in the chain (SPLIT-IND-6, SPLIT-IND-9). */
	if (d->flags & VIRTQ_DESC_F_NEXT)
		return VIRTQ_E_INDIRECT_WITH_NEXT;
	if (d->len == 0 || d->len % sizeof(struct virtq_desc) != 0)
		return VIRTQ_E_INDIRECT_LEN;
	if (d->len / sizeof(struct virtq_desc) > q->indirect_max)
		return VIRTQ_E_INDIRECT_TOO_LONG;
	if (d->addr + (d->len - 1) < d->addr)
		return VIRTQ_E_ADDR_OVERFLOW;
	/*
	 * Read as an array, so it must be host-contiguous (bug class 6): inside
	 * one region.  The region this queue's buffers came from last usually
	 * holds it, and saves the full lookup.
	 */
	table = virtq__mem_translate_all_hint(q->mem, q->hint, d->addr, d->len);
	if (table == NULL)
		return VIRTQ_E_INDIRECT_RANGE;
	w->ndesc_before = walk_ndesc(w);
	w->table = table;
	w->table_size = d->len / sizeof(struct virtq_desc);
	/* At most one read per entry: the indirect table's own loop bound. */
	w->budget = w->table_size;
	w->next = 0;
	w->indirect = true;
	return 0;
}

/* Segment @s: @len bytes at host @p, of the direction @writable.  Every path that fills an array. */
WALK_INLINE void seg_put(struct virtq_seg *s, void *p, uint32_t len, bool writable)
{
	s->addr = p;
	s->len = len;
	s->writable = writable;
}

/* chain.c: the general walk from wherever the chain stands, and whether a walk goes on in this call. */
int virtq__collect_rest(struct virtq_chain *c, struct virtq_iov *rd, struct virtq_iov *wr, bool has_pending,
			struct shm_desc pending);
bool virtq__walk_resume(struct virtq_chain *c);

#endif /* VIRTQ_SRC_WALK_H */
