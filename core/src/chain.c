/* SPDX-License-Identifier: MIT */
/*
 * The general walker of one descriptor chain (layer 4) into host segments,
 * over the steps of walk.h; the byte cursors over the segments are iov.c.
 * See virtq/chain.h for the contract.
 *
 * It keeps its state in the chain (struct virtq__walk) and serves
 * virtq_chain_next() and every case of virtq_chain_collect() that
 * collect.c's fast path hands to it, so that every error, and the order of
 * the checks that find it, comes from this file alone.
 */
#include "walk.h"

/*
 * Whether the walk goes on in this call.  A walk that is not finished goes
 * on only in the queue's life and memory map it started in: after a reset
 * or restore its descriptors are the driver's again, after virtq_set_mem()
 * its table pointer may be stale.  false: the walk is over, and c->error
 * says how (0 or its sticky error).
 */
bool virtq__walk_resume(struct virtq_chain *c)
{
	if (c->state == VIRTQ__WALK_DONE)
		return false;
	if (!chain_current(c)) {
		if (c->state == VIRTQ__WALK_NEW)
			c->ndesc = 0; /* virtq__chain_start() leaves it to the walk */
		chain_end(c, c->epoch != c->q->epoch ? VIRTQ_E_STALE_CHAIN : VIRTQ_E_MEM_CHANGED);
		return false;
	}
	if (c->state == VIRTQ__WALK_NEW) {
		walk_begin(c, &c->w);
		c->state = VIRTQ__WALK_ON;
	}
	return true;
}

/* The end of a call that moved the walk: an error or the chain's end finishes it. */
static int walk_suspend(struct virtq_chain *c, int rc)
{
	keep_counters(c, &c->w);
	if (rc < 0)
		return chain_end(c, rc);
	if (c->w.next == VIRTQ__WALK_END && c->w.cur_len == 0)
		chain_end(c, 0);
	return rc;
}

/* Accept @d as the current buffer: ordering, overflow and size rules. */
WALK_INLINE int take_buffer(struct virtq__walk *w, const struct shm_desc *d)
{
	bool writable = d->flags & VIRTQ_DESC_F_WRITE;

	/* §2.7.4.2: device-writable descriptors come after readable ones. */
	if (!writable && w->writing)
		return VIRTQ_E_READ_AFTER_WRITE;
	if (d->len != 0 && d->addr + (d->len - 1) < d->addr)
		return VIRTQ_E_ADDR_OVERFLOW;
	/* §2.7.5.2: total below 2^32, so a used len always fits (SPLIT-DESC-6). */
	if (w->total + d->len >= UINT64_C(1) << 32)
		return VIRTQ_E_CHAIN_TOO_BIG;
	/* From here on every buffer is writable: the ordering rule above. */
	if (writable && !w->writing) {
		w->writable_from = w->total;
		w->writing = true;
	}
	w->total += d->len;
	w->cur_gpa = d->addr;
	w->cur_len = d->len;
	w->next = d->flags & VIRTQ_DESC_F_NEXT ? d->next : VIRTQ__WALK_END;
	return 0;
}

/*
 * Read the next descriptor of the current table, once, into @d.  Bounded:
 * every read spends the budget the table was entered with, so no guest
 * input can make a walk loop.
 */
WALK_INLINE int walk_load(struct virtq__walk *w, struct shm_desc *d)
{
	if (w->next >= w->table_size)
		return VIRTQ_E_NEXT_RANGE;
	if (w->budget == 0)
		return w->indirect ? VIRTQ_E_INDIRECT_LOOP : VIRTQ_E_CHAIN_LOOP;
	w->budget--;
	shm_load_desc(&w->table[w->next], d);
	return 0;
}

/* Act on a descriptor read: a buffer, or the indirect table. */
WALK_INLINE int walk_take(const struct virtq_queue *q, struct virtq__walk *w,
			  const struct shm_desc *d)
{
	if (d->flags & VIRTQ_DESC_F_INDIRECT)
		return enter_indirect(q, w, d);
	return take_buffer(w, d);
}

/* Read the next descriptor and act on it. */
WALK_INLINE int walk_step(const struct virtq_queue *q, struct virtq__walk *w)
{
	struct shm_desc d;
	int rc = walk_load(w, &d);

	return rc < 0 ? rc : walk_take(q, w, &d);
}

/*
 * Host address of the current buffer's next byte, and how many follow
 * contiguously.  Buffers of one chain usually sit in one region, so the
 * region that answered last is tried before the full lookup.
 */
WALK_INLINE void *translate(struct virtq_queue *q, const struct virtq__walk *w, uint64_t *contig)
{
	const struct virtq_mem_region *r = q->hint;
	void *p;

	if (r != NULL && (p = virtq__region_translate(r, w->cur_gpa, w->cur_len, contig)) != NULL)
		return p;
	p = virtq__mem_lookup(q->mem, w->cur_gpa, w->cur_len, contig, &r);
	if (r != NULL)
		q->hint = r;
	return p;
}

/*
 * Translate the current buffer's next host-contiguous piece and count it as
 * handed out.  NULL: not guest memory (VIRTQ_E_ADDR_RANGE).
 */
WALK_INLINE void *take_piece(struct virtq_queue *q, struct virtq__walk *w, uint64_t *contig)
{
	void *p = translate(q, w, contig);

	if (p != NULL) {
		w->cur_gpa += *contig;
		w->cur_len -= (uint32_t)*contig;
	}
	return p;
}

int virtq_chain_next(struct virtq_chain *c, struct virtq_seg *seg)
{
	struct virtq__walk *w = &c->w;
	int rc;

	if (!virtq__walk_resume(c))
		return c->error;
	/* Bounded: each pass yields or spends one read of a bounded table. */
	for (;;) {
		if (w->cur_len != 0) {
			uint64_t contig;
			void *p = take_piece(c->q, w, &contig);

			if (p == NULL) {
				rc = VIRTQ_E_ADDR_RANGE;
				break;
			}
			seg->addr = p;
			seg->len = (uint32_t)contig;
			seg->writable = w->writing;
			rc = 1;
			break;
		}
		if (w->next == VIRTQ__WALK_END) {
			rc = 0;
			break;
		}
		rc = walk_step(c->q, w);
		if (rc < 0)
			break;
	}
	return walk_suspend(c, rc);
}

/* Append a piece to the array of its direction (NULL: that direction is dropped). */
WALK_INLINE int iov_append(struct virtq_iov *v, void *p, uint64_t len, bool writable)
{
	if (v == NULL)
		return 0; /* a direction dropped: its bytes still count */
	if (v->n == v->cap)
		return VIRTQ_E_IOV_FULL;
	seg_put(&v->seg[v->n++], p, (uint32_t)len, writable);
	v->bytes += len;
	return 0;
}

/*
 * The general walk into the two arrays, from wherever the chain stands;
 * @pending, if @has_pending: a descriptor already read and not yet acted on
 * (the fast path stopped at it).
 */
int virtq__collect_rest(struct virtq_chain *c, struct virtq_iov *rd, struct virtq_iov *wr,
			bool has_pending, struct shm_desc pending)
{
	struct virtq__walk *w = &c->w;
	int rc = has_pending ? walk_take(c->q, w, &pending) : 0;

	while (rc == 0) {
		uint64_t contig;
		void *p;

		if (w->cur_len == 0) {
			if (w->next == VIRTQ__WALK_END)
				break;
			rc = walk_step(c->q, w);
			continue;
		}
		p = take_piece(c->q, w, &contig);
		if (p == NULL)
			rc = VIRTQ_E_ADDR_RANGE;
		else
			rc = iov_append(w->writing ? wr : rd, p, contig, w->writing);
	}
	return walk_suspend(c, rc);
}
