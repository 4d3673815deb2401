/* SPDX-License-Identifier: MIT */
/*
 * Walking one descriptor chain (layer 4) into host segments; the byte
 * cursors over them are iov.c.  See virtq/chain.h for the contract.
 *
 * The walk is a small state machine over one "table" at a time: the ring's
 * descriptor table, then possibly one indirect table.  Each step reads one
 * descriptor once (shm_load_desc; on the fast path shm_load_desc_aligned for
 * the head, shm_load_desc_fields after it), checks it, and keeps only the
 * unyielded rest of its buffer (cur_gpa, cur_len).  Every read spends a
 * budget fixed when the table is entered, so no guest input can make it loop.
 *
 * Two walkers share those steps.  The general one keeps its state in the
 * chain (struct virtq__walk) and serves virtq_chain_next() and every case.
 * virtq_chain_collect()'s fast path walks a fresh chain with the state in
 * registers while each descriptor is the plain case (a chain of one
 * descriptor with no loop at all), and hands the walk to the general one
 * at the first that is not, so that every error, and the order of the
 * checks that find it, comes from the general walker alone.
 */
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
static int chain_end(struct virtq_chain *c, int err)
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
 * Whether the walk goes on in this call.  A walk that is not finished goes
 * on only in the queue's life and memory map it started in: after a reset
 * or restore its descriptors are the driver's again, after virtq_set_mem()
 * its table pointer may be stale.  false: the walk is over, and c->error
 * says how (0 or its sticky error).
 */
static bool walk_resume(struct virtq_chain *c)
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

	if (!walk_resume(c))
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

/* ---- segment arrays ---- */

/* Segment @s: @len bytes at host @p, of the direction @writable.  Every path that fills an array. */
WALK_INLINE void seg_put(struct virtq_seg *s, void *p, uint32_t len, bool writable)
{
	s->addr = p;
	s->len = len;
	s->writable = writable;
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
static int collect_rest(struct virtq_chain *c, struct virtq_iov *rd, struct virtq_iov *wr,
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
	return collect_rest(c, rd, wr, rc == FAST_PENDING, d);
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

/* A chain whose walk has begun, or that is no longer current: the general walk. */
static __attribute__((noinline)) int collect_general(struct virtq_chain *c, struct virtq_iov *rd,
						     struct virtq_iov *wr)
{
	if (!walk_resume(c))
		return c->error;
	return collect_rest(c, rd, wr, false, (struct shm_desc){0});
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
