/* SPDX-License-Identifier: MIT */
/* Walking chains: direct, indirect, mixed, region splits, iovs and cursors. */
#include "unit.h"

/* Publish R[rl...] + W[wl...] with @ndirect direct, pop it, collect it. */
static void pop_collect(struct tq *t, struct virtq_chain *c, struct virtq_iov *rd,
			struct virtq_iov *wr, struct virtq_seg *rs, struct virtq_seg *ws,
			const uint32_t *rl, unsigned nr, const uint32_t *wl, unsigned nw,
			unsigned ndirect)
{
	tq_publish(t, rl, nr, wl, nw, ndirect);
	tq_pop_expect(t, c, 1);
	virtq_iov_init(rd, rs, 16);
	virtq_iov_init(wr, ws, 16);
	ck_assert_rc(virtq_chain_collect(c, rd, wr), 0);
}

START_TEST(direct_chain_yields_readable_then_writable)
{
	struct tq t;
	struct virtq_chain c;
	struct virtq_iov rd, wr;
	struct virtq_seg rs[16], ws[16];
	const uint32_t rl[2] = {10, 20}, wl[3] = {5, 6, 7};
	unsigned char buf[30];

	tq_setup(&t, 16, 0);
	pop_collect(&t, &c, &rd, &wr, rs, ws, rl, 2, wl, 3, 16);
	ck_assert_uint_eq(rd.n, 2);
	ck_assert_uint_eq(wr.n, 3);
	ck_assert_uint_eq(virtq_iov_remaining(&rd), 30);
	ck_assert_uint_eq(virtq_iov_remaining(&wr), 18);
	ck_assert_uint_eq(virtq_chain_descriptors(&c), 5);
	ck_assert_uint_eq(virtq_iov_read(&rd, buf, sizeof(buf)), 30);
	/* tq_publish fills buffer i with (i * 31 + k). */
	ck_assert_uint_eq(buf[0], 0);
	ck_assert_uint_eq(buf[9], 9);
	ck_assert_uint_eq(buf[10], 31);
	ck_assert_uint_eq(buf[29], (unsigned char)(31 + 19));
	ck_assert_uint_eq(virtq_iov_read(&rd, buf, 1), 0);
	tq_teardown(&t);
}
END_TEST

START_TEST(indirect_chain_yields_same_segments_as_direct)
{
	struct tq t;
	struct virtq_chain c;
	struct virtq_iov rd, wr;
	struct virtq_seg rs[16], ws[16];
	const uint32_t rl[2] = {10, 20}, wl[2] = {5, 6};

	tq_setup(&t, 16, F_INDIRECT);
	for (unsigned ndirect = 0; ndirect <= 4; ndirect++) {
		/* ndirect 0: all indirect; 1..3: direct then one INDIRECT (SPLIT-IND-9). */
		pop_collect(&t, &c, &rd, &wr, rs, ws, rl, 2, wl, 2, ndirect);
		ck_assert_uint_eq(rd.n, 2);
		ck_assert_uint_eq(wr.n, 2);
		ck_assert_uint_eq(rd.bytes, 30);
		ck_assert_uint_eq(wr.bytes, 11);
		ck_assert_uint_eq(rs[1].len, 20);
		ck_assert(ws[0].writable && !rs[0].writable);
		/* All direct: 4; otherwise ndirect + the INDIRECT one + (4 - ndirect) in the table. */
		ck_assert_uint_eq(virtq_chain_descriptors(&c), ndirect >= 4 ? 4 : 5);
		ck_assert_rc(virtq_push(&t.q, &c, 11, NULL), 0);
	}
	tq_teardown(&t);
}
END_TEST

START_TEST(write_bit_on_indirect_descriptor_is_ignored)
{
	struct tq t;
	struct virtq_chain c;
	struct vg_chain ch;
	struct vg_desc d;
	int head;
	unsigned char data[8] = {1, 2, 3, 4, 5, 6, 7, 8};

	tq_setup(&t, 8, F_INDIRECT);
	vg_chain_init(&ch);
	vg_chain_readable(t.drv, &ch, data, 8);
	head = vg_drv_add(t.drv, &ch, 0, 0);
	ck_assert_int_ge(head, 0);
	d = vg_drv_read_desc(t.drv, (uint16_t)head);
	ck_assert_uint_eq(d.flags, VG_DESC_F_INDIRECT);
	vg_drv_write_desc(t.drv, (uint16_t)head, d.addr, d.len, d.flags | VG_DESC_F_WRITE, d.next);
	vg_drv_publish(t.drv);
	tq_pop_expect(&t, &c, 1);
	uint64_t r, w;
	unsigned n;
	ck_assert_rc(tq_walk(&c, &r, &w, &n), 0);
	ck_assert_uint_eq(r, 8); /* still readable: SPLIT-IND-8 */
	ck_assert_uint_eq(w, 0);
	tq_teardown(&t);
}
END_TEST

/*
 * A queue of 8 whose rings sit in one region, beside two adjacent 4 KiB
 * regions at 0x200000 and 0x201000 for buffers and tables.
 */
static struct vg_drv *three_regions(struct vg_mem *a, struct core_mem *cm, struct virtq_queue *q,
				    uint64_t features)
{
	struct virtq_queue_config cfg;
	struct vg_drv *f;

	ck_assert_int_eq(vg_mem_init(a, VG_MEM_KINDS), 0);
	ck_assert_int_ge(vg_mem_add(a, 0x100000, 0x10000), 0);
	ck_assert_int_ge(vg_mem_add(a, 0x200000, 0x1000), 0);
	ck_assert_int_ge(vg_mem_add(a, 0x201000, 0x1000), 0);
	f = vg_drv_create(a, 8, features);
	ck_assert_ptr_nonnull(f);
	core_mem_sync(cm, a);
	cfg = core_config(f, cm);
	ck_assert_rc(virtq_init(q, &cfg), 0);
	return f;
}

START_TEST(buffer_across_two_regions_is_split_into_two_segments)
{
	struct vg_mem a;
	struct vg_chain ch;
	struct core_mem cm;
	static struct virtq_queue q;
	struct vg_drv *f = three_regions(&a, &cm, &q, 0);
	struct virtq_chain c;
	struct virtq_seg s;
	unsigned char pattern[64], back[64];

	for (int i = 0; i < 64; i++)
		pattern[i] = (unsigned char)(0x40 + i);
	ck_assert(vg_mem_write(&a, 0x200fe0, pattern, 64));
	vg_chain_init(&ch);
	vg_chain_ref(&ch, 0x200fe0, 64, false); /* 32 bytes each side */
	vg_chain_ref(&ch, 0x201100, 16, true);
	ck_assert_int_ge(vg_drv_add(f, &ch, 8, 0), 0);
	vg_drv_publish(f);
	ck_assert_rc(virtq_pop(&q, &c), 1);
	ck_assert_rc(virtq_chain_next(&c, &s), 1);
	ck_assert_uint_eq(s.len, 32);
	ck_assert_ptr_eq(s.addr, vg_mem_hva(&a, 0x200fe0));
	memcpy(back, s.addr, 32);
	ck_assert_rc(virtq_chain_next(&c, &s), 1);
	ck_assert_uint_eq(s.len, 32);
	ck_assert_ptr_eq(s.addr, vg_mem_hva(&a, 0x201000));
	memcpy(back + 32, s.addr, 32);
	ck_assert_int_eq(memcmp(back, pattern, 64), 0);
	ck_assert_rc(virtq_chain_next(&c, &s), 1);
	ck_assert(s.writable);
	ck_assert_rc(virtq_chain_next(&c, &s), 0);
	ck_assert(vg_mem_guards_intact(&a, NULL));
	vg_drv_destroy(f);
	vg_mem_destroy(&a);
}
END_TEST

/* One raw chain at head 0: a single INDIRECT descriptor for the table at @table, @len bytes. */
static int walk_indirect(struct vg_drv *f, struct virtq_queue *q, uint64_t table, uint32_t len)
{
	struct virtq_chain c;
	struct virtq_seg s;
	int rc;

	vg_drv_write_desc(f, 0, table, len, VG_DESC_F_INDIRECT, 0);
	vg_drv_set_avail_ring(f, vg_drv_avail_idx(f), 0);
	vg_drv_set_avail_idx(f, vg_drv_avail_idx(f) + 1);
	ck_assert_rc(virtq_pop(q, &c), 1);
	while ((rc = virtq_chain_next(&c, &s)) == 1)
		;
	ck_assert_rc(virtq_push(q, &c, 0, NULL), 0);
	return rc;
}

/*
 * An indirect table is read as an array, so it must lie in one region
 * (SPLIT-IND-1 / bug class 6).  The walk first tries the region its last
 * buffer came from: a table ending on that region's last byte or one before
 * is taken, one byte further is refused although the next region is
 * adjacent, and a table in the next region is found by the full lookup.
 */
START_TEST(indirect_table_must_lie_in_one_region_whatever_region_answered_last)
{
	struct vg_mem a;
	struct core_mem cm;
	static struct virtq_queue q;
	struct vg_drv *f = three_regions(&a, &cm, &q, VG_FEATURE(VG_F_INDIRECT_DESC));

	/* Every table entry: one readable buffer in the middle region. */
	vg_drv_write_table_desc(f, 0x200ff0, 0, 0x200100, 8, 0, 0);
	vg_drv_write_table_desc(f, 0x200fef, 0, 0x200100, 8, 0, 0);
	vg_drv_write_table_desc(f, 0x201000, 0, 0x200100, 8, 0, 0);
	vg_drv_write_table_desc(f, 0x201010, 0, 0x200100, 8, 0, 0);
	ck_assert_rc(walk_indirect(f, &q, 0x200ff0, 16), 0); /* the middle region answers now */
	ck_assert_rc(walk_indirect(f, &q, 0x200ff0, 16), 0);                      /* its last 16 bytes */
	ck_assert_rc(walk_indirect(f, &q, 0x200ff0, 32), VIRTQ_E_INDIRECT_RANGE); /* 16 over */
	ck_assert_rc(walk_indirect(f, &q, 0x200fef, 16), 0);                      /* one byte short of the end */
	ck_assert_rc(walk_indirect(f, &q, 0x200ff1, 16), VIRTQ_E_INDIRECT_RANGE); /* one byte over */
	ck_assert_rc(walk_indirect(f, &q, 0x201000, 32), 0); /* the next region's own */
	ck_assert_rc(walk_indirect(f, &q, 0x201ff0, 32), VIRTQ_E_INDIRECT_RANGE); /* into the hole */
	ck_assert(vg_mem_guards_intact(&a, NULL));
	vg_drv_destroy(f);
	vg_mem_destroy(&a);
}
END_TEST

START_TEST(buffer_running_into_a_hole_fails_the_chain)
{
	struct tq t;
	struct virtq_chain c;
	struct vg_chain ch;
	struct virtq_seg s;

	tq_setup(&t, 8, 0);
	vg_chain_init(&ch);
	/* Last 16 bytes of guest memory plus 16 beyond it. */
	vg_chain_ref(&ch, ARENA_GPA + ARENA_SIZE - 16, 32, false);
	ck_assert_int_ge(vg_drv_add(t.drv, &ch, 8, 0), 0);
	vg_drv_publish(t.drv);
	tq_pop_expect(&t, &c, 1);
	ck_assert_rc(virtq_chain_next(&c, &s), 1);
	ck_assert_uint_eq(s.len, 16);
	ck_assert_rc(virtq_chain_next(&c, &s), VIRTQ_E_ADDR_RANGE);
	ck_assert_rc(virtq_chain_next(&c, &s), VIRTQ_E_ADDR_RANGE); /* sticky */
	ck_assert_rc(virtq_chain_error(&c), VIRTQ_E_ADDR_RANGE);
	tq_teardown(&t);
}
END_TEST

START_TEST(zero_length_descriptors_yield_nothing)
{
	struct tq t;
	struct virtq_chain c;
	struct vg_chain ch;
	uint64_t r, w;
	unsigned n;

	tq_setup(&t, 8, 0);
	vg_chain_init(&ch);
	vg_chain_ref(&ch, 0, 0, false); /* address never looked at */
	vg_chain_ref(&ch, ARENA_GPA, 4, false);
	vg_chain_ref(&ch, UINT64_MAX, 0, true);
	ck_assert_int_ge(vg_drv_add(t.drv, &ch, 8, 0), 0);
	vg_drv_publish(t.drv);
	tq_pop_expect(&t, &c, 1);
	ck_assert_rc(tq_walk(&c, &r, &w, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(r, 4);
	ck_assert_uint_eq(virtq_chain_descriptors(&c), 3);
	tq_teardown(&t);
}
END_TEST

START_TEST(cursors_copy_across_segment_boundaries)
{
	struct tq t;
	struct virtq_chain c;
	struct virtq_iov rd, wr;
	struct virtq_seg rs[16], ws[16];
	const uint32_t rl[3] = {3, 1, 4}, wl[3] = {2, 5, 1};
	unsigned char in[8], out[8] = {9, 8, 7, 6, 5, 4, 3, 2};
	uint32_t id, len;

	tq_setup(&t, 16, F_INDIRECT);
	pop_collect(&t, &c, &rd, &wr, rs, ws, rl, 3, wl, 3, 2);
	ck_assert_uint_eq(virtq_iov_read(&rd, in, 2), 2);
	ck_assert_uint_eq(virtq_iov_remaining(&rd), 6);
	ck_assert_uint_eq(virtq_iov_skip(&rd, 2), 2); /* crosses into buffer 1 */
	ck_assert_uint_eq(virtq_iov_read(&rd, in + 2, 8), 4);
	ck_assert_uint_eq(in[2], 62);  /* buffer 2, byte 0 */
	ck_assert_uint_eq(in[5], 65);
	ck_assert_uint_eq(virtq_iov_remaining(&rd), 0);
	ck_assert_uint_eq(virtq_iov_write(&wr, out, 3), 3);
	ck_assert_uint_eq(virtq_iov_write(&wr, out + 3, 10), 5);
	ck_assert_uint_eq(virtq_iov_consumed(&wr), 8);
	ck_assert_uint_eq(virtq_iov_write(&wr, out, 1), 0);
	ck_assert_uint_eq(*(unsigned char *)ws[0].addr, 9);
	ck_assert_uint_eq(((unsigned char *)ws[1].addr)[4], 3);
	ck_assert_uint_eq(*(unsigned char *)ws[2].addr, 2);
	ck_assert_rc(virtq_push(&t.q, &c, (uint32_t)virtq_iov_consumed(&wr), NULL), 0);
	ck_assert_int_eq(vg_drv_get_used(t.drv, &id, &len, NULL), 1);
	ck_assert_uint_eq(len, 8);
	tq_teardown(&t);
}
END_TEST

START_TEST(writes_never_land_in_readable_segments)
{
	struct tq t;
	struct virtq_chain c;
	struct virtq_iov rd, wr;
	struct virtq_seg rs[16], ws[16];
	const uint32_t rl[1] = {8};
	unsigned char junk[8] = {0}, before[8];

	tq_setup(&t, 8, 0);
	pop_collect(&t, &c, &rd, &wr, rs, ws, rl, 1, NULL, 0, 8);
	memcpy(before, rs[0].addr, 8);
	/* Handing the readable iov to the write cursor writes nothing (SPLIT-DESC-2). */
	ck_assert_uint_eq(virtq_iov_write(&rd, junk, 8), 0);
	ck_assert_int_eq(memcmp(before, rs[0].addr, 8), 0);
	tq_teardown(&t);
}
END_TEST

START_TEST(collect_fails_when_segment_array_is_too_small)
{
	struct tq t;
	struct virtq_chain c;
	struct virtq_iov rd, wr;
	struct virtq_seg rs[2], ws[2];
	const uint32_t rl[3] = {4, 4, 4};

	tq_setup(&t, 8, 0);
	tq_publish(&t, rl, 3, NULL, 0, 8);
	tq_pop_expect(&t, &c, 1);
	virtq_iov_init(&rd, rs, 2);
	virtq_iov_init(&wr, ws, 2);
	ck_assert_rc(virtq_chain_collect(&c, &rd, &wr), VIRTQ_E_IOV_FULL);
	ck_assert_rc(virtq_chain_error(&c), VIRTQ_E_IOV_FULL);
	/* The failed chain is still returned so the driver gets its descriptors back. */
	ck_assert_rc(virtq_push(&t.q, &c, 0, NULL), 0);
	ck_assert_uint_eq(vg_drv_used_idx(t.drv), 1);
	tq_teardown(&t);
}
END_TEST

START_TEST(collect_with_null_iov_drops_that_direction)
{
	struct tq t;
	struct virtq_chain c;
	struct virtq_iov wr;
	struct virtq_seg ws[4];
	const uint32_t rl[2] = {4, 4}, wl[1] = {12};
	uint32_t id, len;

	tq_setup(&t, 8, 0);
	tq_publish(&t, rl, 2, wl, 1, 8);
	tq_pop_expect(&t, &c, 1);
	virtq_iov_init(&wr, ws, 4);
	ck_assert_rc(virtq_chain_collect(&c, NULL, &wr), 0);
	ck_assert_uint_eq(wr.n, 1);
	ck_assert_rc(virtq_push(&t.q, &c, 12, NULL), 0);
	ck_assert_int_eq(vg_drv_get_used(t.drv, &id, &len, NULL), 1);
	ck_assert_uint_eq(len, 12);
	tq_teardown(&t);
}
END_TEST

START_TEST(collect_fails_whole_chain_on_unmapped_buffer)
{
	struct tq t;
	struct virtq_chain c;
	struct vg_chain ch;
	struct virtq_iov rd, wr;
	struct virtq_seg rs[4], ws[4];

	tq_setup(&t, 8, 0);
	vg_chain_init(&ch);
	vg_chain_ref(&ch, ARENA_GPA, 8, false);
	vg_chain_ref(&ch, 0x10, 8, true); /* below guest memory */
	ck_assert_int_ge(vg_drv_add(t.drv, &ch, 8, 0), 0);
	vg_drv_publish(t.drv);
	tq_pop_expect(&t, &c, 1);
	virtq_iov_init(&rd, rs, 4);
	virtq_iov_init(&wr, ws, 4);
	ck_assert_rc(virtq_chain_collect(&c, &rd, &wr), VIRTQ_E_ADDR_RANGE);
	/* Sticky: a second collect reports the same and appends nothing. */
	ck_assert_rc(virtq_chain_collect(&c, &rd, &wr), VIRTQ_E_ADDR_RANGE);
	ck_assert_uint_eq(rd.n, 1);
	ck_assert_uint_eq(wr.n, 0);
	ck_assert_rc(virtq_push(&t.q, &c, 8, NULL), 0);
	tq_teardown(&t);
}
END_TEST

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
	uint16_t idx;
	struct virtq_seg rs[4], ws[4];
	struct virtq_iov rd, wr;
	uint32_t ndesc, used_len; /* the chain's descriptor count; the used len of a push of UINT32_MAX */
};

/* Publish the chain @addr/@len/@flags[n] (descriptors 0..n-1), pop and collect it into cap-entry arrays. */
static int fast_collect(struct fast_bed *b, unsigned n, const uint64_t *addr, const uint32_t *len,
			const uint16_t *flags, uint32_t cap, bool drop_readable)
{
	struct virtq_chain c;
	int rc;

	for (unsigned i = 0; i < n; i++)
		vg_drv_write_desc(b->t.drv, (uint16_t)i, addr[i], len[i],
				  (uint16_t)((flags ? flags[i] : 0) | (i + 1 < n ? VG_DESC_F_NEXT : 0)),
				  (uint16_t)(i + 1));
	vg_drv_set_avail_ring(b->t.drv, b->idx % 8, 0);
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

START_TEST(collect_fast_path_hands_over_at_every_edge)
{
	static struct fast_bed b;
	const uint64_t end = BIG + BIG_SIZE;
	struct virtq_queue_config cfg;
	size_t n;

	memset(&b, 0, sizeof(b));
	tq_setup(&b.t, 8, 0);
	n = b.t.cm.mem.nregions;
	memcpy(b.table, b.t.cm.table, n * sizeof(b.table[0]));
	b.table[n] = (struct virtq_mem_region){BIG, BIG_SIZE, BIG_HVA};
	ck_assert_rc(virtq_mem_init(&b.mem, b.table, n + 1), 0);
	cfg = tq_config(&b.t);
	cfg.mem = &b.mem;
	ck_assert_rc(virtq_init(&b.t.q, &cfg), 0);
	/* The general walk finds the region and keeps it as the hint: the chains below take the fast path. */
	ck_assert_rc(fast_collect(&b, 1, (uint64_t[]){BIG}, (uint32_t[]){16}, NULL, 4, false), 0);
	ck_assert_ptr_nonnull(b.t.q.hint);
	ck_assert_uint_eq(b.t.q.hint->gpa, BIG);

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
 * hands over: the hint region is the middle one (0x200000, 4 KiB), and the
 * same three-entry table is walked whole by the fast path when it is 16-
 * or 8-aligned, by the general walk from its first entry when it is not
 * (aligned loads only: shm.h), and from its last entry when that buffer
 * runs one byte into the next region (two segments); a readable entry
 * after a writable direct buffer and a nested table are the general walk's
 * errors (§2.7.4.2, SPLIT-IND-4).
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

Suite *chain_suite(void)
{
	Suite *s = suite_create("chain");
	TCase *tc = tcase_create("walk");

	tcase_add_test(tc, direct_chain_yields_readable_then_writable);
	tcase_add_test(tc, indirect_chain_yields_same_segments_as_direct);
	tcase_add_test(tc, write_bit_on_indirect_descriptor_is_ignored);
	tcase_add_test(tc, buffer_across_two_regions_is_split_into_two_segments);
	tcase_add_test(tc, collect_fast_path_hands_over_at_every_edge);
	tcase_add_test(tc, collect_fast_path_over_an_indirect_table_hands_over_at_every_edge);
	tcase_add_test(tc, collect_refuses_a_chain_whose_head_is_past_the_table);
	tcase_add_test(tc, indirect_table_must_lie_in_one_region_whatever_region_answered_last);
	tcase_add_test(tc, buffer_running_into_a_hole_fails_the_chain);
	tcase_add_test(tc, zero_length_descriptors_yield_nothing);
	tcase_add_test(tc, cursors_copy_across_segment_boundaries);
	tcase_add_test(tc, writes_never_land_in_readable_segments);
	tcase_add_test(tc, collect_fails_when_segment_array_is_too_small);
	tcase_add_test(tc, collect_with_null_iov_drops_that_direction);
	tcase_add_test(tc, collect_fails_whole_chain_on_unmapped_buffer);
	suite_add_tcase(s, tc);
	return s;
}
