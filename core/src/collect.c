/* SPDX-License-Identifier: MIT */
/*
 * virtq_chain_collect(): the whole walk of a chain in one call, the
 * per-request hot path.  A fresh chain takes the fast path here: the walk
 * with its state in registers while each descriptor is the plain case (a
 * chain of one descriptor with no loop at all), handed to chain.c's general
 * walker at the first that is not, with the walk so far.  The steps both
 * share are walk.h's.
 */
#include "walk.h"

/* What the fast path stopped for, besides the end of the chain (0). */
enum { FAST_UNREAD = 1, FAST_PENDING };

/*
 * walk_load() of entry *@nx for the fast path: its two tests, without its
 * choice of error code (the general walk says why), and *@nx becomes the
 * entry read's next.  The index lives in a 32-bit variable of its own, not
 * in d->next: gcc re-extended the 16-bit field twice per descriptor
 * (callgrind, 4 descriptors 322.6 -> 319.6 per chain).  false: the read is
 * left to the general walk, and w->next says which.  w->next is written
 * there only: a walk handed over at a descriptor read (FAST_PENDING) gets
 * its next from the general walk's take of it, as the chain's end needs
 * none.  Every read of the fast path uses aligned loads and no alignment
 * test per read: the direct table is 8-aligned in host memory (ring.c,
 * map_part), an indirect one is tested once when entered (collect_fast).
 */
WALK_INLINE bool fast_load(struct virtq__walk *w, uint32_t *nx, struct shm_desc *d)
{
	uint32_t next = *nx;

	if (next >= w->table_size || w->budget == 0) {
		w->next = next;
		return false;
	}
	w->budget--;
	shm_load_desc_fields(&w->table[next], d);
	*nx = d->next;
	return true;
}

/* The flags that make a descriptor plain for a direction: 0 readable, VIRTQ_DESC_F_WRITE writable. */
#define FAST_KIND(d) ((d)->flags & (VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_WRITE))

/*
 * Whether the hint region holds @len bytes at offset @off whole, and they
 * are a segment (len > 0: none is empty), in two tests of the end: above
 * off says len is not 0 and the sum did not wrap (off wraps past the size
 * when the address is below the region, and off + len wraps when the
 * buffer crosses 2^64 by more than the region's start); at most the size
 * then puts off inside too.  Whole in the region, the buffer's end cannot
 * wrap the guest address space either.
 */
WALK_INLINE bool fast_holds(const struct virtq_mem_region *hint, uint64_t off, uint32_t len)
{
	uint64_t end = off + len;

	return end > off && end <= hint->size;
}

/*
 * The plain case of one direction, from the descriptor in *d on: buffers of
 * that direction that the region hint holds whole, that take_buffer() would
 * take as they are, with room in @v.  It decides nothing itself: it stops
 * before a read that walk_load() would refuse (FAST_UNREAD), or at a
 * descriptor that is not plain (FAST_PENDING, *d read once and handed on),
 * and the general walk goes on from there, so every error and its order
 * come from one place.  One loop per direction, so that the direction, the
 * array and the ordering rule (§2.7.4.2: the general walk judges a readable
 * descriptor after a writable one) are constants in it.  @v's sum is
 * written back from how far the total moved: every byte taken here lands
 * in @v.
 */
WALK_INLINE int fast_dir(const struct virtq_mem_region *hint, struct virtq__walk *w,
			 struct virtq_iov *v, bool writable, struct shm_desc *d)
{
	const uint16_t kind = writable ? VIRTQ_DESC_F_WRITE : 0;
	struct virtq_seg *s, *end;
	uint32_t total, start, nx;
	int rc;

	/*
	 * Tested before the loop too, so a chain with no buffer of this
	 * direction costs nothing more; gcc drops the loop's first test.
	 * Testing each kind after its load instead cost 4 / 1 + indirect 8
	 * descriptors 400 / 732 against 391 / 694 (release, callgrind).
	 */
	if (v == NULL ||
	    FAST_KIND(d) != kind)
		return FAST_PENDING;
	s = v->seg + v->n;
	end = v->seg + v->cap;
	start = total = (uint32_t)w->total;
	nx = d->next;
	for (;;) {
		uint64_t off = d->addr - hint->gpa;

		/*
		 * fast_holds(), written out: so gcc keeps the loop in registers
		 * (callgrind, 1 + indirect 8 instructions per chain at d749cc2:
		 * 694 against 754 release, 745 against 800 -O2).  The total
		 * stays below 2^32 (SPLIT-DESC-6) on every path, so reaching it
		 * is the carry of the 32-bit sum, kept in a register of that
		 * width: the add is the test, undone when it carries.
		 */
		if (FAST_KIND(d) != kind || off + d->len <= off || off + d->len > hint->size || s == end) {
			rc = FAST_PENDING;
			break;
		}
		if (__builtin_add_overflow(total, d->len, &total)) {
			total -= d->len;
			rc = FAST_PENDING;
			break;
		}
		seg_put(s++, (unsigned char *)hint->hva + off, d->len, writable);
		if (!(d->flags & VIRTQ_DESC_F_NEXT)) {
			rc = 0;
			break;
		}
		if (!fast_load(w, &nx, d)) {
			rc = FAST_UNREAD;
			break;
		}
	}
	w->total = total;
	v->n = (uint32_t)(s - v->seg);
	v->bytes += total - start;
	return rc;
}

/*
 * One descriptor, @d, of the direction @writable after @total bytes, when it
 * is the plain case (fast_dir()'s tests): taken into @v, and true.  Without
 * fast_dir()'s loop and its set-up, for the commonest runs of one: a chain
 * of one buffer, a last writable one (a status byte, a response).  false:
 * fast_dir() or the general walk then refuses it the same way.
 */
WALK_INLINE bool fast_one(const struct virtq_mem_region *hint, struct virtq_iov *v, bool writable,
			  uint64_t total, const struct shm_desc *d)
{
	uint64_t off = d->addr - hint->gpa;

	if (v == NULL || v->n == v->cap || !fast_holds(hint, off, d->len) ||
	    (uint32_t)total + d->len < d->len)
		return false;
	seg_put(&v->seg[v->n++], (unsigned char *)hint->hva + off, d->len, writable);
	v->bytes += d->len;
	return true;
}

/*
 * The plain case of one table: its readable run, then its writable run.
 * The first writable descriptor turns the walk to writing before it is
 * checked; if it is then handed on, take_buffer() finds writable_from
 * where it would put it (the total has not moved), so nothing differs.
 */
WALK_INLINE int fast_run_from(const struct virtq_mem_region *hint, struct virtq__walk *w,
			      struct virtq_iov *rd, struct virtq_iov *wr, struct shm_desc *d)
{
	int rc;

	if (!w->writing) {
		rc = fast_dir(hint, w, rd, false, d);
		if (rc != FAST_PENDING || FAST_KIND(d) != VIRTQ_DESC_F_WRITE)
			return rc;
		w->writable_from = w->total;
		w->writing = true;
	}
	if (!(d->flags & VIRTQ_DESC_F_NEXT) && FAST_KIND(d) == VIRTQ_DESC_F_WRITE &&
	    fast_one(hint, wr, true, w->total, d)) {
		w->total += d->len;
		return 0;
	}
	return fast_dir(hint, w, wr, true, d);
}

/*
 * virtq_chain_collect() for a chain not walked yet whose head descriptor
 * @first was read (once), and that collect_single() did not take:
 * fast_run_from() over the direct table from @first, and over an indirect
 * table from its first entry once enter_indirect() has taken it and if it
 * can be read with aligned loads (else the general walk reads it byte by
 * byte); whatever is not plain goes to the general walk with the walk so
 * far.  The descriptor it stopped at is handed on by value, so that it
 * never needs an address and stays in registers here.
 */
static __attribute__((noinline)) int collect_fast(struct virtq_chain *c, struct virtq_iov *rd,
						  struct virtq_iov *wr, struct shm_desc first)
{
	const struct virtq_mem_region *hint = c->q->hint;
	struct virtq__walk w;
	struct shm_desc d = first;
	int rc;

	walk_begin(c, &w);
	w.budget--; /* the read of @first */
	rc = fast_run_from(hint, &w, rd, wr, &d);
	if (rc == FAST_PENDING && (d.flags & VIRTQ_DESC_F_INDIRECT) && enter_indirect(c->q, &w, &d) == 0) {
		if (((uintptr_t)w.table & 7u) == 0) {
			/* Entry 0 of a table of at least one, its size the budget: walk_load() would read it. */
			w.budget--;
			shm_load_desc_fields(&w.table[0], &d);
			rc = fast_run_from(hint, &w, rd, wr, &d);
		} else {
			rc = FAST_UNREAD; /* the general walk reads it byte by byte */
		}
	}
	if (rc == 0) {
		keep_counters(c, &w);
		return chain_end(c, 0);
	}
	c->w = w;
	c->state = VIRTQ__WALK_ON;
	return virtq__collect_rest(c, rd, wr, rc == FAST_PENDING, d);
}

/*
 * A chain of one descriptor, @d (neither NEXT nor INDIRECT), the commonest
 * (a receive buffer, an entropy request, a request in one buffer): no
 * loop, no walk state: fast_one() after 0 bytes (so the 2^32 test folds
 * away); if it refuses @d, collect_fast() goes on from it.  One function per direction, @writable the WRITE bit of @d, so
 * that the array, the segment's direction and the chain's writable bytes
 * are constants in each.
 */
WALK_INLINE int collect_single(struct virtq_chain *c, struct virtq_iov *rd, struct virtq_iov *wr,
			       struct shm_desc d, bool writable)
{
	if (!fast_one(c->q->hint, writable ? wr : rd, writable, 0, &d))
		return collect_fast(c, rd, wr, d);
	c->writable = writable ? d.len : 0;
	c->ndesc = 1;
	return chain_end(c, 0);
}

static __attribute__((noinline)) int collect_single_rd(struct virtq_chain *c, struct virtq_iov *rd,
						       struct virtq_iov *wr, struct shm_desc d)
{
	return collect_single(c, rd, wr, d, false);
}

static __attribute__((noinline)) int collect_single_wr(struct virtq_chain *c, struct virtq_iov *rd,
						       struct virtq_iov *wr, struct shm_desc d)
{
	return collect_single(c, rd, wr, d, true);
}

/*
 * A chain whose walk has begun, or that is no longer current: the general
 * walk.  In this file, not chain.c: with it there, gcc's LTO kept
 * virtq_chain_collect() out of its callers' loops (release callgrind, 18
 * more instructions per chain in every workload).
 */
static __attribute__((noinline)) int collect_general(struct virtq_chain *c, struct virtq_iov *rd,
						     struct virtq_iov *wr)
{
	if (!virtq__walk_resume(c))
		return c->error;
	return virtq__collect_rest(c, rd, wr, false, (struct shm_desc){0});
}

/*
 * The whole walk in one call, the per-request hot path.  A chain not walked
 * yet, once a region hint is kept, takes the fast path from its head
 * descriptor, read here: collect_single() for a chain of one descriptor
 * (one copy per direction), collect_fast() for any other; every other
 * chain, the general walk.  Each is a tail call, so this needs no
 * registers saved.  The head read is
 * walk_load()'s first: the head is below the queue size (virtq_pop,
 * virtq_reopen; tested all the same) and the budget is the size.
 */
int virtq_chain_collect(struct virtq_chain *c, struct virtq_iov *rd, struct virtq_iov *wr)
{
	const struct virtq_queue *q = c->q;
	struct shm_desc d;

	if (c->state != VIRTQ__WALK_NEW || !chain_current(c) || q->hint == NULL || c->head >= q->size)
		return collect_general(c, rd, wr);
	shm_load_desc_aligned(&q->desc[c->head], &d);
	if (d.flags & (VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_INDIRECT))
		return collect_fast(c, rd, wr, d);
	if (d.flags & VIRTQ_DESC_F_WRITE)
		return collect_single_wr(c, rd, wr, d);
	return collect_single_rd(c, rd, wr, d);
}
