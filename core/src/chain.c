/* SPDX-License-Identifier: MIT */
/*
 * Walking one descriptor chain (layer 4), and the byte cursors over its
 * segments.  See virtq/chain.h for the contract.
 *
 * The walk is a small state machine over one "table" at a time: the ring's
 * descriptor table, then possibly one indirect table.  Each step reads one
 * descriptor once (shm_load_desc), checks it, and keeps only the unyielded
 * rest of its buffer (cur_gpa, cur_len).  Every step counts against a bound
 * fixed before the table is entered, so no guest input can make it loop.
 */
#include <string.h>

#include "internal.h"
#include "shm.h"
#include "virtq/error.h"

void virtq__chain_start(struct virtq_chain *c, struct virtq_queue *q, uint16_t head)
{
	/* Field by field: this runs once per request, a memset showed in profiles. */
	c->q = q;
	c->table = q->desc;
	c->table_size = q->size;
	c->hops = 0;
	/* §2.7.5.2: a chain has at most queue-size descriptors; more is a loop. */
	c->hop_limit = q->size;
	c->head = head;
	c->next = head;
	c->more = true;
	c->indirect = false;
	c->writing = false;
	c->returned = false;
	c->error = 0;
	c->epoch = q->epoch;
	c->mem_gen = q->mem_gen;
	c->cur_gpa = 0;
	c->cur_len = 0;
	c->cur_writable = false;
	c->ndesc = 0;
	c->total = 0;
	c->writable = 0;
}

/* Chain errors are sticky: the walk is over and says why on every call. */
static int fail(struct virtq_chain *c, int err)
{
	c->error = err;
	c->more = false;
	c->cur_len = 0;
	return err;
}

/*
 * Switch to the indirect table @d points at (§2.7.5.3).  Each rejection is a
 * driver MUST NOT of §2.7.5.3.1 or a table that cannot be read safely; the
 * WRITE bit of @d is disregarded as §2.7.5.3.2 requires (SPLIT-IND-8).
 */
static int enter_indirect(struct virtq_chain *c, const struct shm_desc *d)
{
	const struct virtq_queue *q = c->q;
	void *table;

	if (!virtq_has_feature(q, VIRTQ_F_INDIRECT_DESC))
		return fail(c, VIRTQ_E_INDIRECT_NOT_NEGOTIATED);
	if (c->indirect)
		return fail(c, VIRTQ_E_INDIRECT_NESTED);
	/* One indirect table, last in the chain (SPLIT-IND-6, SPLIT-IND-9). */
	if (d->flags & VIRTQ_DESC_F_NEXT)
		return fail(c, VIRTQ_E_INDIRECT_WITH_NEXT);
	if (d->len == 0 || d->len % sizeof(struct virtq_desc) != 0)
		return fail(c, VIRTQ_E_INDIRECT_LEN);
	if (d->len / sizeof(struct virtq_desc) > q->indirect_max)
		return fail(c, VIRTQ_E_INDIRECT_TOO_LONG);
	if (d->addr + (d->len - 1) < d->addr)
		return fail(c, VIRTQ_E_ADDR_OVERFLOW);
	/*
	 * Read as an array, so it must be host-contiguous (bug class 6): inside
	 * one region.  The region this queue's buffers came from last usually
	 * holds it, and saves the full lookup.
	 */
	table = virtq__mem_translate_all_hint(q->mem, q->hint, d->addr, d->len);
	if (table == NULL)
		return fail(c, VIRTQ_E_INDIRECT_RANGE);
	c->table = table;
	c->table_size = d->len / sizeof(struct virtq_desc);
	c->hop_limit = c->table_size;
	c->hops = 0;
	c->next = 0;
	c->indirect = true;
	c->more = true;
	return 0;
}

/* Accept @d as the current buffer: ordering, overflow and size rules. */
static int take_buffer(struct virtq_chain *c, const struct shm_desc *d)
{
	bool writable = d->flags & VIRTQ_DESC_F_WRITE;

	/* §2.7.4.2: device-writable descriptors come after readable ones. */
	if (!writable && c->writing)
		return fail(c, VIRTQ_E_READ_AFTER_WRITE);
	if (d->len != 0 && d->addr + (d->len - 1) < d->addr)
		return fail(c, VIRTQ_E_ADDR_OVERFLOW);
	/* §2.7.5.2: total below 2^32, so a used len always fits (SPLIT-DESC-6). */
	c->total += d->len;
	if (c->total >= UINT64_C(1) << 32)
		return fail(c, VIRTQ_E_CHAIN_TOO_BIG);
	c->writing |= writable;
	c->cur_gpa = d->addr;
	c->cur_len = d->len;
	c->cur_writable = writable;
	c->more = (d->flags & VIRTQ_DESC_F_NEXT) != 0;
	c->next = d->next;
	return 0;
}

/* Read the next descriptor of the current table, once, and act on it. */
static int load_next(struct virtq_chain *c)
{
	struct shm_desc d;

	if (c->next >= c->table_size)
		return fail(c, VIRTQ_E_NEXT_RANGE);
	if (c->hops >= c->hop_limit)
		return fail(c, c->indirect ? VIRTQ_E_INDIRECT_LOOP : VIRTQ_E_CHAIN_LOOP);
	c->hops++;
	c->ndesc++;
	shm_load_desc(&c->table[c->next], &d);
	if (d.flags & VIRTQ_DESC_F_INDIRECT)
		return enter_indirect(c, &d);
	return take_buffer(c, &d);
}

/*
 * Host address of the current buffer's next byte, and how many follow
 * contiguously.  Buffers of one chain usually sit in one region, so the
 * region that answered last is tried before the full lookup.
 */
static void *translate(struct virtq_chain *c, uint64_t *contig)
{
	const struct virtq_mem_region *r = c->q->hint;
	void *p;

	if (r != NULL && (p = virtq__region_translate(r, c->cur_gpa, c->cur_len, contig)) != NULL)
		return p;
	p = virtq__mem_lookup(c->q->mem, c->cur_gpa, c->cur_len, contig, &r);
	if (r != NULL)
		c->q->hint = r;
	return p;
}

/*
 * Translate the current buffer's next host-contiguous piece and account for
 * it as handed out (the writable count caps the used len).  NULL: the chain
 * failed with ADDR_RANGE.
 */
static void *take_piece(struct virtq_chain *c, uint64_t *contig)
{
	void *p = translate(c, contig);

	if (p == NULL) {
		fail(c, VIRTQ_E_ADDR_RANGE);
		return NULL;
	}
	c->cur_gpa += *contig;
	c->cur_len -= (uint32_t)*contig;
	if (c->cur_writable)
		c->writable += *contig;
	return p;
}

/* Hand out the host-contiguous prefix of the current buffer. */
static int yield(struct virtq_chain *c, struct virtq_seg *seg)
{
	uint64_t contig;
	void *p = take_piece(c, &contig);

	if (p == NULL)
		return c->error;
	seg->addr = p;
	seg->len = (uint32_t)contig;
	seg->writable = c->cur_writable;
	return 1;
}

/*
 * A walk that is not finished goes on only in the queue's life and memory
 * map it started in: after a reset or restore its descriptors are the
 * driver's again, after virtq_set_mem() its table pointer may be stale.
 */
static int still_valid(struct virtq_chain *c)
{
	if (c->error || (!c->more && c->cur_len == 0))
		return c->error;
	if (c->epoch != c->q->epoch)
		return fail(c, VIRTQ_E_STALE_CHAIN);
	if (c->mem_gen != c->q->mem_gen)
		return fail(c, VIRTQ_E_MEM_CHANGED);
	return 0;
}

int virtq_chain_next(struct virtq_chain *c, struct virtq_seg *seg)
{
	int rc = still_valid(c);

	/*
	 * Bounded: each pass either yields or consumes one hop of a bounded
	 * table.  load_next() returns the error it makes sticky, so rc alone
	 * says whether the walk goes on.
	 */
	while (rc == 0) {
		if (c->cur_len != 0)
			return yield(c, seg);
		if (!c->more)
			return 0;
		rc = load_next(c);
	}
	return rc;
}

/* ---- segment arrays and cursors ---- */

void virtq_iov_init(struct virtq_iov *v, struct virtq_seg *storage, uint32_t cap)
{
	v->seg = storage;
	v->cap = cap;
	v->n = v->cur = v->off = 0;
	v->bytes = v->done = 0;
}

/*
 * The whole walk in one loop (the work of virtq_chain_next() and the append,
 * without a segment copy between them): this is the per-request hot path.
 */
int virtq_chain_collect(struct virtq_chain *c, struct virtq_iov *rd, struct virtq_iov *wr)
{
	if (still_valid(c) < 0)
		return c->error;
	for (;;) {
		struct virtq_iov *v;
		struct virtq_seg *s;
		uint64_t contig;
		void *p;

		if (c->error)
			return c->error;
		if (c->cur_len == 0) {
			if (!c->more)
				return 0;
			load_next(c);
			continue;
		}
		p = take_piece(c, &contig);
		if (p == NULL)
			return c->error;
		v = c->cur_writable ? wr : rd;
		if (v == NULL)
			continue;
		if (v->n == v->cap)
			return fail(c, VIRTQ_E_IOV_FULL);
		s = &v->seg[v->n++];
		s->addr = p;
		s->len = (uint32_t)contig;
		s->writable = c->cur_writable;
		v->bytes += contig;
	}
}

/*
 * Move the cursor over up to @n bytes, copying to or from @buf (NULL: skip).
 * Writes stop at a readable segment: the device never writes a buffer the
 * driver gave it to read (§2.7.5.1, SPLIT-DESC-2), even if handed the wrong
 * iov.
 */
static size_t iov_move(struct virtq_iov *v, void *buf, size_t n, bool to_guest)
{
	size_t done = 0;

	while (done < n && v->cur < v->n) {
		struct virtq_seg *s = &v->seg[v->cur];
		size_t k = s->len - v->off;

		if (k > n - done)
			k = n - done;
		if (to_guest && !s->writable)
			break;
		if (buf != NULL && to_guest)
			shm_copy_to((char *)s->addr + v->off, (const char *)buf + done, k);
		else if (buf != NULL)
			shm_copy_from((char *)buf + done, (const char *)s->addr + v->off, k);
		done += k;
		v->off += (uint32_t)k;
		if (v->off == s->len) {
			v->cur++;
			v->off = 0;
		}
	}
	v->done += done;
	return done;
}

size_t virtq_iov_read(struct virtq_iov *rd, void *dst, size_t n)
{
	return iov_move(rd, dst, n, false);
}

size_t virtq_iov_write(struct virtq_iov *wr, const void *src, size_t n)
{
	return iov_move(wr, (void *)(uintptr_t)src, n, true);
}

size_t virtq_iov_skip(struct virtq_iov *v, size_t n)
{
	return iov_move(v, NULL, n, false);
}
