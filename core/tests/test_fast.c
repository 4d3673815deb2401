/* SPDX-License-Identifier: MIT */
/*
 * virtq_chain_collect()'s fast path (core/src/chain.c): every edge where it
 * hands the walk to the general walker, which must then give what the
 * general walk alone gives (segments, errors, descriptor count, used len).
 */
#include "unit.h"

/*
 * virtq_chain_collect()'s fast path (a fresh chain, once the region hint is
 * set) at each edge where it must hand the walk to the general walker: a
 * buffer ending on the hint region's last byte is one segment, one byte
 * more or one byte before it is not guest memory; a zero-length buffer
 * yields nothing; 2^32 - 1 bytes are a chain, 2^32 are not (SPLIT-DESC-6);
 * an array with exactly enough room, and one short; readable after
 * writable; a dropped direction.  The hint region is 8 GiB above 4 GiB that
 * the walk never dereferences, so the 4 GiB edge needs no memory.
 */
#define BIG (UINT64_C(1) << 32)
#define BIG_SIZE (UINT64_C(1) << 33)
#define BIG_HVA ((unsigned char *)(uintptr_t)0x10000)

struct fast_bed {
	struct tq t;
	struct virtq_mem_region table[VG_MAX_REGIONS + 1];
	struct virtq_mem mem;
	uint16_t idx, qsize; /* qsize: the queue's size, 8 unless a test sets it before set-up */
	struct virtq_seg rs[4], ws[4];
	struct virtq_iov rd, wr;
	uint32_t ndesc, used_len; /* the chain's descriptor count; the used len of a push of UINT32_MAX */
};

/* Publish the chain @addr/@len/@flags[n] (descriptors 0..n-1), pop and collect it into cap-entry arrays. */
/* Publish the chain at head 0 as the table holds it, pop and collect it into cap-entry arrays. */
static int collect_head0(struct fast_bed *b, uint32_t cap, bool drop_readable)
{
	struct virtq_chain c;
	int rc;

	vg_drv_set_avail_ring(b->t.drv, b->idx % b->qsize, 0);
	vg_drv_set_avail_idx(b->t.drv, ++b->idx);
	tq_pop_expect(&b->t, &c, 1);
	virtq_iov_init(&b->rd, b->rs, cap);
	virtq_iov_init(&b->wr, b->ws, cap);
	rc = virtq_chain_collect(&c, drop_readable ? NULL : &b->rd, &b->wr);
	b->ndesc = virtq_chain_descriptors(&c);
	/* The used len is capped at the writable bytes the walk counted (SPLIT-USED-3). */
	ck_assert_rc(virtq_push(&b->t.q, &c, UINT32_MAX, NULL), 0);
	ck_assert_int_ne(vg_drv_get_used(b->t.drv, NULL, &b->used_len, NULL), 0);
	return rc;
}

/* Write the chain @addr/@len/@flags[n] as descriptors 0..n-1, then collect_head0(). */
static int fast_collect(struct fast_bed *b, unsigned n, const uint64_t *addr, const uint32_t *len,
			const uint16_t *flags, uint32_t cap, bool drop_readable)
{
	for (unsigned i = 0; i < n; i++)
		vg_drv_write_desc(b->t.drv, (uint16_t)i, addr[i], len[i],
				  (uint16_t)((flags ? flags[i] : 0) | (i + 1 < n ? VG_DESC_F_NEXT : 0)),
				  (uint16_t)(i + 1));
	return collect_head0(b, cap, drop_readable);
}

/* The queue of @b over guest memory plus a region of @size bytes at @gpa (holding 4 GiB), kept as the hint. */
static void big_bed_setup_at(struct fast_bed *b, uint64_t gpa, uint64_t size)
{
	struct virtq_queue_config cfg;
	size_t n;

	uint16_t qsize = b->qsize ? b->qsize : 8;

	memset(b, 0, sizeof(*b));
	b->qsize = qsize;
	tq_setup(&b->t, qsize, 0);
	n = b->t.cm.mem.nregions;
	memcpy(b->table, b->t.cm.table, n * sizeof(b->table[0]));
	b->table[n] = (struct virtq_mem_region){gpa, size, BIG_HVA};
	ck_assert_rc(virtq_mem_init(&b->mem, b->table, n + 1), 0);
	cfg = tq_config(&b->t);
	cfg.mem = &b->mem;
	ck_assert_rc(virtq_init(&b->t.q, &cfg), 0);
	/* The general walk finds the region and keeps it as the hint: the chains after take the fast path. */
	ck_assert_rc(fast_collect(b, 1, (uint64_t[]){BIG}, (uint32_t[]){16}, NULL, 4, false), 0);
	ck_assert_ptr_nonnull(b->t.q.hint);
	ck_assert_uint_eq(b->t.q.hint->gpa, gpa);
}

/* The same with the region at 4 GiB. */
static void big_bed_setup(struct fast_bed *b, uint64_t size) { big_bed_setup_at(b, BIG, size); }

START_TEST(collect_fast_path_hands_over_at_every_edge)
{
	static struct fast_bed b;
	const uint64_t end = BIG + BIG_SIZE;

	big_bed_setup(&b, BIG_SIZE);

	ck_assert_rc(fast_collect(&b, 1, (uint64_t[]){end - 16}, (uint32_t[]){16}, NULL, 4, false), 0);
	ck_assert_uint_eq(b.rd.n, 1);
	ck_assert_ptr_eq(b.rs[0].addr, BIG_HVA + BIG_SIZE - 16);
	ck_assert_uint_eq(b.rs[0].len, 16);
	ck_assert_rc(fast_collect(&b, 1, (uint64_t[]){end - 16}, (uint32_t[]){17}, NULL, 4, false),
		     VIRTQ_E_ADDR_RANGE);
	ck_assert_rc(fast_collect(&b, 1, (uint64_t[]){BIG - 1}, (uint32_t[]){2}, NULL, 4, false),
		     VIRTQ_E_ADDR_RANGE);
	/* The same edges for a later descriptor, in the loop rather than the one-descriptor path. */
	ck_assert_rc(fast_collect(&b, 2, (uint64_t[]){BIG, end - 16}, (uint32_t[]){16, 16}, NULL, 4, false), 0);
	ck_assert_uint_eq(b.rd.n, 2);
	ck_assert_ptr_eq(b.rs[1].addr, BIG_HVA + BIG_SIZE - 16);
	ck_assert_rc(fast_collect(&b, 2, (uint64_t[]){BIG, end - 16}, (uint32_t[]){16, 17}, NULL, 4, false),
		     VIRTQ_E_ADDR_RANGE);
	ck_assert_uint_eq(b.rd.n, 2); /* the general walk hands out the region's part before the hole */
	ck_assert_uint_eq(b.rs[1].len, 16);
	ck_assert_rc(fast_collect(&b, 2, (uint64_t[]){BIG, BIG - 1}, (uint32_t[]){16, 2}, NULL, 4, false),
		     VIRTQ_E_ADDR_RANGE);
	ck_assert_uint_eq(b.rd.n, 1);
	/* One descriptor: empty (nothing yielded), writable (its len is the used len), no room. */
	ck_assert_rc(fast_collect(&b, 1, (uint64_t[]){BIG}, (uint32_t[]){0}, NULL, 4, false), 0);
	ck_assert_uint_eq(b.rd.n + b.wr.n, 0);
	ck_assert_uint_eq(b.ndesc, 1);
	ck_assert_rc(fast_collect(&b, 1, (uint64_t[]){BIG}, (uint32_t[]){24}, (uint16_t[]){VG_DESC_F_WRITE}, 4,
				  false), 0);
	ck_assert_uint_eq(b.wr.n, 1);
	ck_assert(b.ws[0].writable);
	ck_assert_uint_eq(b.used_len, 24);
	ck_assert_rc(fast_collect(&b, 1, (uint64_t[]){BIG}, (uint32_t[]){24}, (uint16_t[]){VG_DESC_F_WRITE}, 0,
				  false), VIRTQ_E_IOV_FULL);
	/* The piece that did not fit still counts as handed out, as the model has it (model_walk.c, emit). */
	ck_assert_uint_eq(b.used_len, 24);
	ck_assert_uint_eq(b.ndesc, 1);
	ck_assert_rc(fast_collect(&b, 1, (uint64_t[]){BIG}, (uint32_t[]){16}, NULL, 4, true), 0);
	ck_assert_uint_eq(b.ndesc, 1);
	ck_assert_uint_eq(b.rd.n + b.wr.n, 0); /* the dropped direction's array is not touched */

	ck_assert_rc(fast_collect(&b, 3, (uint64_t[]){BIG, BIG, BIG}, (uint32_t[]){16, 0, 16}, NULL,
				  4, false), 0);
	ck_assert_uint_eq(b.rd.n, 2);
	ck_assert_uint_eq(b.ndesc, 3);
	ck_assert_uint_eq(b.used_len, 0);

	ck_assert_rc(fast_collect(&b, 2, (uint64_t[]){BIG, BIG}, (uint32_t[]){0x80000000u, 0x7fffffffu},
				  NULL, 4, false), 0);
	ck_assert_uint_eq(b.rd.bytes, 0xffffffffu);
	ck_assert_rc(fast_collect(&b, 2, (uint64_t[]){BIG, BIG}, (uint32_t[]){0x80000000u, 0x80000000u},
				  NULL, 4, false), VIRTQ_E_CHAIN_TOO_BIG);

	ck_assert_rc(fast_collect(&b, 2, (uint64_t[]){BIG, BIG}, (uint32_t[]){16, 16}, NULL, 2, false), 0);
	ck_assert_rc(fast_collect(&b, 3, (uint64_t[]){BIG, BIG, BIG}, (uint32_t[]){16, 16, 16}, NULL, 2,
				  false), VIRTQ_E_IOV_FULL);
	ck_assert_uint_eq(b.rd.n, 2);

	ck_assert_rc(fast_collect(&b, 2, (uint64_t[]){BIG, BIG}, (uint32_t[]){16, 8},
				  (uint16_t[]){0, VG_DESC_F_WRITE}, 4, false), 0);
	ck_assert_uint_eq(b.rd.n, 1);
	ck_assert_uint_eq(b.wr.n, 1);
	ck_assert(b.ws[0].writable && !b.rs[0].writable);
	ck_assert_uint_eq(b.ndesc, 2);
	ck_assert_uint_eq(b.used_len, 8);
	ck_assert_rc(fast_collect(&b, 3, (uint64_t[]){BIG, BIG, BIG}, (uint32_t[]){16, 8, 0x7fffffffu},
				  (uint16_t[]){0, VG_DESC_F_WRITE, VG_DESC_F_WRITE}, 4, false), 0);
	ck_assert_uint_eq(b.ndesc, 3);
	ck_assert_uint_eq(b.used_len, 0x80000007u);
	ck_assert_rc(fast_collect(&b, 2, (uint64_t[]){BIG, BIG}, (uint32_t[]){8, 16},
				  (uint16_t[]){VG_DESC_F_WRITE, 0}, 4, false), VIRTQ_E_READ_AFTER_WRITE);
	ck_assert_rc(fast_collect(&b, 2, (uint64_t[]){BIG, BIG}, (uint32_t[]){16, 8},
				  (uint16_t[]){0, VG_DESC_F_WRITE}, 4, true), 0);
	ck_assert_uint_eq(b.wr.n, 1);
	tq_teardown(&b.t);
}
END_TEST

/*
 * A last writable descriptor after the readable run (a status byte): taken
 * without the writable loop (chain.c, fast_one), and at each of its edges
 * handed over as the loop would: whole at the region's end and one byte
 * past it, one byte below the region, the chain's total at 2^32 - 1 and
 * 2^32 (SPLIT-DESC-6), no room left in its array, and empty.
 */
START_TEST(last_writable_descriptor_hands_over_at_every_edge)
{
	static struct fast_bed b;
	const uint64_t end = BIG + BIG_SIZE;
	const uint16_t rw[2] = {0, VG_DESC_F_WRITE}, ww[2] = {VG_DESC_F_WRITE, VG_DESC_F_WRITE};

	big_bed_setup(&b, BIG_SIZE);
	ck_assert_rc(fast_collect(&b, 2, (uint64_t[]){BIG, end - 16}, (uint32_t[]){16, 16}, rw, 4, false), 0);
	ck_assert_uint_eq(b.rd.n, 1);
	ck_assert_uint_eq(b.wr.n, 1);
	ck_assert_ptr_eq(b.ws[0].addr, BIG_HVA + BIG_SIZE - 16);
	ck_assert_uint_eq(b.ws[0].len, 16);
	ck_assert(b.ws[0].writable);
	ck_assert_uint_eq(b.wr.bytes, 16);
	ck_assert_uint_eq(b.ndesc, 2);
	ck_assert_uint_eq(b.used_len, 16);
	ck_assert_rc(fast_collect(&b, 2, (uint64_t[]){BIG, end - 16}, (uint32_t[]){16, 17}, rw, 4, false),
		     VIRTQ_E_ADDR_RANGE);
	ck_assert_uint_eq(b.wr.n, 1); /* the region's part before the hole */
	ck_assert_uint_eq(b.ws[0].len, 16);
	ck_assert_uint_eq(b.used_len, 16);
	ck_assert_rc(fast_collect(&b, 2, (uint64_t[]){BIG, BIG - 1}, (uint32_t[]){16, 2}, rw, 4, false),
		     VIRTQ_E_ADDR_RANGE);
	ck_assert_uint_eq(b.wr.n, 0);
	ck_assert_rc(fast_collect(&b, 2, (uint64_t[]){BIG, BIG}, (uint32_t[]){0x80000000u, 0x7fffffffu}, rw, 4,
				  false), 0);
	ck_assert_uint_eq(b.used_len, 0x7fffffffu);
	ck_assert_rc(fast_collect(&b, 2, (uint64_t[]){BIG, BIG}, (uint32_t[]){0x80000000u, 0x80000000u}, rw, 4,
				  false), VIRTQ_E_CHAIN_TOO_BIG);
	ck_assert_uint_eq(b.wr.n, 0);
	/* Two writable: the first fills the one-entry array, the last finds no room. */
	ck_assert_rc(fast_collect(&b, 2, (uint64_t[]){BIG, BIG}, (uint32_t[]){8, 8}, ww, 2, false), 0);
	ck_assert_uint_eq(b.wr.n, 2);
	ck_assert_rc(fast_collect(&b, 2, (uint64_t[]){BIG, BIG}, (uint32_t[]){8, 8}, ww, 1, false),
		     VIRTQ_E_IOV_FULL);
	ck_assert_uint_eq(b.wr.n, 1);
	ck_assert_rc(fast_collect(&b, 2, (uint64_t[]){BIG, BIG}, (uint32_t[]){16, 0}, rw, 4, false), 0);
	ck_assert_uint_eq(b.wr.n, 0);
	ck_assert_uint_eq(b.ndesc, 2);
	ck_assert_uint_eq(b.used_len, 0);
	tq_teardown(&b.t);
}
END_TEST

/*
 * Where the fast path leaves a read to the general walk, the walk goes on
 * from the index it stopped at: a NEXT past the table (8 entries) after
 * two plain descriptors fails the chain there (VIRTQ_E_NEXT_RANGE), with
 * those two handed out and read once, not read again from the head.
 */
START_TEST(fast_path_hands_over_the_index_it_stopped_at)
{
	static struct fast_bed b;

	big_bed_setup(&b, BIG_SIZE);
	vg_drv_write_desc(b.t.drv, 0, BIG, 16, VG_DESC_F_NEXT, 1);
	vg_drv_write_desc(b.t.drv, 1, BIG + 16, 16, VG_DESC_F_NEXT, 8);
	ck_assert_rc(collect_head0(&b, 4, false), VIRTQ_E_NEXT_RANGE);
	ck_assert_uint_eq(b.rd.n, 2);
	ck_assert_ptr_eq(b.rs[1].addr, BIG_HVA + 16);
	ck_assert_uint_eq(b.ndesc, 2);
	tq_teardown(&b.t);
}
END_TEST

/*
 * The fast path follows NEXT by every bit a queue index has: in a queue of
 * 32768, head 0 -> 0x5AA5 -> 0x7FFF, three plain buffers in that order (an
 * index cut to fewer than 15 bits would read other entries).
 */
START_TEST(fast_path_follows_every_bit_of_next)
{
	static struct fast_bed b;

	b.qsize = 32768;
	big_bed_setup(&b, BIG_SIZE);
	vg_drv_write_desc(b.t.drv, 0, BIG, 16, VG_DESC_F_NEXT, 0x5AA5);
	vg_drv_write_desc(b.t.drv, 0x5AA5, BIG + 0x100, 16, VG_DESC_F_NEXT, 0x7FFF);
	vg_drv_write_desc(b.t.drv, 0x7FFF, BIG + 0x200, 16, 0, 0);
	ck_assert_rc(collect_head0(&b, 4, false), 0);
	ck_assert_uint_eq(b.rd.n, 3);
	ck_assert_ptr_eq(b.rs[1].addr, BIG_HVA + 0x100);
	ck_assert_ptr_eq(b.rs[2].addr, BIG_HVA + 0x200);
	ck_assert_uint_eq(b.ndesc, 3);
	tq_teardown(&b.t);
}
END_TEST

/*
 * A region that ends on the last guest address, from 4 GiB and from 16 MiB
 * (larger than 2^64 - 2^32 bytes, so that an offset inside it plus a
 * length can wrap): the fast path tests a buffer's end as its offset plus
 * its length and refuses a sum that wrapped (chain.c, fast_holds).  A
 * buffer ending on the last byte is one segment; one byte later wraps the
 * guest address space (VIRTQ_E_ADDR_OVERFLOW): as one descriptor of
 * 2^32 - 1 bytes, as a later one in the loop, and as a last writable one;
 * and so does a buffer that crosses the top by more than the region's
 * start, whose offset plus length wraps too.  The walk never dereferences
 * the region.
 */
START_TEST(region_to_the_top_holds_a_buffer_to_its_last_byte)
{
	static struct fast_bed b;
	const uint64_t top = 0 - (uint64_t)UINT32_MAX; /* 2^32 - 1 bytes to the end */
	const uint64_t starts[2] = {BIG, UINT64_C(1) << 24};
	const uint16_t rr[2] = {0, 0}, rw[2] = {0, VG_DESC_F_WRITE};

	for (int k = 0; k < 2; k++) {
		const uint64_t gpa = starts[k];

		big_bed_setup_at(&b, gpa, 0 - gpa);
		ck_assert_rc(fast_collect(&b, 1, (uint64_t[]){top}, (uint32_t[]){UINT32_MAX}, NULL, 4, false), 0);
		ck_assert_uint_eq(b.rd.n, 1);
		ck_assert_ptr_eq(b.rs[0].addr, (void *)((uintptr_t)BIG_HVA + (uintptr_t)(top - gpa)));
		ck_assert_uint_eq(b.rs[0].len, UINT32_MAX);
		ck_assert_rc(fast_collect(&b, 1, (uint64_t[]){top + 1}, (uint32_t[]){UINT32_MAX}, NULL, 4, false),
			     VIRTQ_E_ADDR_OVERFLOW);
		ck_assert_uint_eq(b.rd.n, 0);
		ck_assert_rc(fast_collect(&b, 1, (uint64_t[]){0 - gpa / 2}, (uint32_t[]){UINT32_MAX}, NULL, 4,
					  false), VIRTQ_E_ADDR_OVERFLOW);
		ck_assert_uint_eq(b.rd.n, 0);
		for (int last_writes = 0; last_writes < 2; last_writes++) {
			const uint16_t *flags = last_writes ? rw : rr;
			struct virtq_iov *v = last_writes ? &b.wr : &b.rd;

			ck_assert_rc(fast_collect(&b, 2, (uint64_t[]){BIG, 0 - (uint64_t)16}, (uint32_t[]){16, 16},
						  flags, 4, false), 0);
			ck_assert_uint_eq(v->n, last_writes ? 1 : 2);
			ck_assert_ptr_eq(v->seg[v->n - 1].addr,
					 (void *)((uintptr_t)BIG_HVA + (uintptr_t)(0 - 16 - gpa)));
			ck_assert_rc(fast_collect(&b, 2, (uint64_t[]){BIG, 0 - (uint64_t)15}, (uint32_t[]){16, 16},
						  flags, 4, false), VIRTQ_E_ADDR_OVERFLOW);
			ck_assert_uint_eq(b.rd.n + b.wr.n, 1);
			ck_assert_rc(fast_collect(&b, 2, (uint64_t[]){BIG, 0 - gpa / 2}, (uint32_t[]){16, UINT32_MAX},
						  flags, 4, false), VIRTQ_E_ADDR_OVERFLOW);
			ck_assert_uint_eq(b.rd.n + b.wr.n, 1);
		}
		tq_teardown(&b.t);
	}
}
END_TEST

/*
 * Chain 0 -> 1: a buffer at @head_addr (8 bytes, writable if @head_writes)
 * and an INDIRECT descriptor for @n entries at @table, written by the
 * caller; popped and collected into 4-entry arrays.  *ndesc and *used: the
 * descriptor count and the used len of a push of UINT32_MAX.
 */
static int collect_indirect(struct vg_drv *f, struct virtq_queue *q, bool head_writes, uint64_t table,
			    uint32_t n, struct virtq_iov *rd, struct virtq_iov *wr, uint32_t *ndesc,
			    uint32_t *used)
{
	static struct virtq_seg rs[4], ws[4];
	struct virtq_chain c;
	int rc;

	vg_drv_write_desc(f, 0, 0x200100, 8, (uint16_t)(VG_DESC_F_NEXT | (head_writes ? VG_DESC_F_WRITE : 0)), 1);
	vg_drv_write_desc(f, 1, table, n * 16, VG_DESC_F_INDIRECT, 0);
	vg_drv_set_avail_ring(f, vg_drv_avail_idx(f), 0);
	vg_drv_set_avail_idx(f, vg_drv_avail_idx(f) + 1);
	ck_assert_rc(virtq_pop(q, &c), 1);
	virtq_iov_init(rd, rs, 4);
	virtq_iov_init(wr, ws, 4);
	rc = virtq_chain_collect(&c, rd, wr);
	*ndesc = virtq_chain_descriptors(&c);
	ck_assert_rc(virtq_push(q, &c, UINT32_MAX, NULL), 0);
	ck_assert_int_ne(vg_drv_get_used(f, NULL, used, NULL), 0);
	return rc;
}

/* Entries 0..2 of the table at @table: 16 readable, 8 writable, then 8 writable at @last. */
static void write_plain_table(struct vg_drv *f, uint64_t table, uint64_t last)
{
	vg_drv_write_table_desc(f, table, 0, 0x200200, 16, VG_DESC_F_NEXT, 1);
	vg_drv_write_table_desc(f, table, 1, 0x200300, 8, VG_DESC_F_NEXT | VG_DESC_F_WRITE, 2);
	vg_drv_write_table_desc(f, table, 2, last, 8, VG_DESC_F_WRITE, 0);
}

/*
 * The fast path over an indirect table (§2.7.5.3), at each edge where it
 * hands over: the hint region is the middle one (0x200000, 4 KiB).  The
 * same three-entry table is read with aligned loads when it is 16- or
 * 8-aligned and by the general walk's byte reads when it is not (shm.h);
 * the results must be the same, so this shows that both give the right
 * ones, not which of them ran (only an access count through the seam could).
 * Its last buffer one byte into the next region is two segments; a
 * readable entry after a writable direct buffer and a nested table are the
 * general walk's errors (§2.7.4.2, SPLIT-IND-4).
 */
START_TEST(collect_fast_path_over_an_indirect_table_hands_over_at_every_edge)
{
	const uint64_t tables[] = {0x200800, 0x200808, 0x200804, 0x200801};
	struct vg_mem a;
	struct core_mem cm;
	static struct virtq_queue q;
	struct vg_drv *f = three_regions(&a, &cm, &q, VG_FEATURE(VG_F_INDIRECT_DESC));
	struct virtq_iov rd, wr;
	uint32_t ndesc, used;

	write_plain_table(f, 0x200800, 0x200ff8);
	/* The general walk finds the middle region and keeps it as the hint. */
	ck_assert_rc(collect_indirect(f, &q, false, 0x200800, 3, &rd, &wr, &ndesc, &used), 0);
	ck_assert_ptr_nonnull(q.hint);
	ck_assert_uint_eq(q.hint->gpa, 0x200000);
	for (unsigned i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		write_plain_table(f, tables[i], 0x200ff8); /* the last buffer ends on the region's last byte */
		ck_assert_rc(collect_indirect(f, &q, false, tables[i], 3, &rd, &wr, &ndesc, &used), 0);
		ck_assert_uint_eq(rd.n, 2);
		ck_assert_uint_eq(rd.bytes, 24);
		ck_assert_ptr_eq(rd.seg[1].addr, vg_mem_hva(&a, 0x200200));
		ck_assert_uint_eq(wr.n, 2);
		ck_assert_uint_eq(wr.bytes, 16);
		ck_assert_ptr_eq(wr.seg[1].addr, vg_mem_hva(&a, 0x200ff8));
		ck_assert(wr.seg[0].writable && wr.seg[1].writable && !rd.seg[1].writable);
		ck_assert_uint_eq(ndesc, 5); /* two direct (the INDIRECT one too) and three in the table */
		ck_assert_uint_eq(used, 16);
		ck_assert_uint_eq(q.hint->gpa, 0x200000);
	}
	/* After a writable direct buffer: the table's writable entries are taken, a readable one is not. */
	ck_assert_uint_eq(q.hint->gpa, 0x200000); /* the head too is the fast path's */
	vg_drv_write_table_desc(f, 0x200800, 0, 0x200300, 8, VG_DESC_F_WRITE, 0);
	ck_assert_rc(collect_indirect(f, &q, true, 0x200800, 1, &rd, &wr, &ndesc, &used), 0);
	ck_assert_uint_eq(rd.n, 0);
	ck_assert_uint_eq(wr.n, 2);
	ck_assert_uint_eq(used, 16);
	vg_drv_write_table_desc(f, 0x200800, 0, 0x200300, 8, 0, 0);
	ck_assert_rc(collect_indirect(f, &q, true, 0x200800, 1, &rd, &wr, &ndesc, &used),
		     VIRTQ_E_READ_AFTER_WRITE);
	ck_assert_uint_eq(used, 8);
	vg_drv_write_table_desc(f, 0x200800, 0, 0x200200, 16, VG_DESC_F_NEXT, 1);
	vg_drv_write_table_desc(f, 0x200800, 1, 0x200900, 16, VG_DESC_F_INDIRECT, 0);
	ck_assert_rc(collect_indirect(f, &q, false, 0x200800, 2, &rd, &wr, &ndesc, &used),
		     VIRTQ_E_INDIRECT_NESTED);
	ck_assert_uint_eq(rd.n, 2);
	/* Last, as the general walk leaves the next region as the hint. */
	ck_assert_uint_eq(q.hint->gpa, 0x200000);
	write_plain_table(f, 0x200800, 0x200ff9); /* one byte into the next region */
	ck_assert_rc(collect_indirect(f, &q, false, 0x200800, 3, &rd, &wr, &ndesc, &used), 0);
	ck_assert_uint_eq(wr.n, 3);
	ck_assert_uint_eq(wr.seg[1].len, 7);
	ck_assert_uint_eq(wr.seg[2].len, 1);
	ck_assert_ptr_eq(wr.seg[2].addr, vg_mem_hva(&a, 0x201000));
	ck_assert_uint_eq(ndesc, 5);
	ck_assert_uint_eq(used, 16);
	ck_assert(vg_mem_guards_intact(&a, NULL));
	vg_drv_destroy(f);
	vg_mem_destroy(&a);
}
END_TEST

/*
 * A chain object whose head is not below the queue size (the caller
 * overwrote it; virtq_pop and virtq_reopen never make one) is refused
 * before its head is read: the fast path would read past the descriptor
 * table (into the avail ring that follows it).
 */
START_TEST(collect_refuses_a_chain_whose_head_is_past_the_table)
{
	struct tq t;
	struct virtq_chain c;
	struct virtq_iov rd, wr;
	struct virtq_seg rs[4], ws[4];
	const uint32_t rl[1] = {8}, wl[1] = {8};

	tq_setup(&t, 8, 0);
	for (unsigned i = 0; i < 2; i++) {
		ck_assert_int_ge(tq_publish(&t, rl, 1, wl, 1, 2), 0);
		tq_pop_expect(&t, &c, 1);
		virtq_iov_init(&rd, rs, 4);
		virtq_iov_init(&wr, ws, 4);
		if (i == 1) {
			ck_assert_ptr_nonnull(t.q.hint); /* the fast path's turn */
			c.head = 8;
			ck_assert_rc(virtq_chain_collect(&c, &rd, &wr), VIRTQ_E_NEXT_RANGE);
			ck_assert_uint_eq(rd.n + wr.n, 0);
			break;
		}
		ck_assert_rc(virtq_chain_collect(&c, &rd, &wr), 0);
		ck_assert_rc(virtq_push(&t.q, &c, 0, NULL), 0);
	}
	tq_teardown(&t);
}
END_TEST

Suite *fast_suite(void)
{
	Suite *s = suite_create("fast");
	TCase *tc = tcase_create("hand-over");

	tcase_add_test(tc, collect_fast_path_hands_over_at_every_edge);
	tcase_add_test(tc, last_writable_descriptor_hands_over_at_every_edge);
	tcase_add_test(tc, region_to_the_top_holds_a_buffer_to_its_last_byte);
	tcase_add_test(tc, fast_path_hands_over_the_index_it_stopped_at);
	tcase_add_test(tc, fast_path_follows_every_bit_of_next);
	tcase_add_test(tc, collect_fast_path_over_an_indirect_table_hands_over_at_every_edge);
	tcase_add_test(tc, collect_refuses_a_chain_whose_head_is_past_the_table);
	suite_add_tcase(s, tc);
	return s;
}
