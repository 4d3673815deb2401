/* SPDX-License-Identifier: MIT */
/* Walking chains: direct, indirect, mixed, region splits, iovs and cursors. */
#include <string.h>

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

/* One raw chain of the single descriptor (@gpa, @len, @writable), popped into @c. */
static void pop_single(struct tq *t, struct virtq_chain *c, uint64_t gpa, uint32_t len, bool writable)
{
	struct vg_chain ch;

	vg_chain_init(&ch);
	vg_chain_ref(&ch, gpa, len, writable);
	ck_assert_int_ge(vg_drv_add(t->drv, &ch, 8, 0), 0);
	vg_drv_publish(t->drv);
	tq_pop_expect(t, c, 1);
}

/* The used len of the chain just pushed with @written. */
static uint32_t used_len_after_push(struct tq *t, struct virtq_chain *c, uint32_t written)
{
	uint32_t id, len;

	ck_assert_rc(virtq_push(&t->q, c, written, NULL), 0);
	ck_assert_int_eq(vg_drv_get_used(t->drv, &id, &len, NULL), 1);
	return len;
}

/*
 * A chain of one descriptor, each direction (chain.c: collect_single once a
 * region hint is kept): the buffer at the region's either edge and one byte
 * past each, its array dropped or full, and an empty buffer, each as the
 * general walk would have it.
 */
START_TEST(one_descriptor_chain_in_each_direction_at_every_edge)
{
	const uint64_t end = (uint64_t)ARENA_GPA + ARENA_SIZE;

	for (int dir = 0; dir < 2; dir++) {
		const bool writable = dir == 1;
		struct tq t;
		struct virtq_chain c;
		struct virtq_iov rd, wr, *v, *other;
		struct virtq_seg rs[2], ws[2];

		tq_setup(&t, 8, 0);
		v = writable ? &wr : &rd;
		other = writable ? &rd : &wr;
		/* Whole at either edge: one segment of the chain's direction. */
		for (int edge = 0; edge < 2; edge++) {
			uint64_t gpa = edge == 0 ? ARENA_GPA : end - 64;

			pop_single(&t, &c, gpa, 64, writable);
			virtq_iov_init(&rd, rs, 2);
			virtq_iov_init(&wr, ws, 2);
			ck_assert_rc(virtq_chain_collect(&c, &rd, &wr), 0);
			ck_assert_uint_eq(v->n, 1);
			ck_assert_uint_eq(other->n, 0);
			ck_assert_ptr_eq(v->seg[0].addr, vg_mem_hva(&t.mem, gpa));
			ck_assert_uint_eq(v->seg[0].len, 64);
			ck_assert(v->seg[0].writable == writable);
			ck_assert_uint_eq(v->bytes, 64);
			ck_assert_uint_eq(virtq_chain_descriptors(&c), 1);
			/* SPLIT-USED-3: the used len is capped at the writable bytes. */
			ck_assert_uint_eq(used_len_after_push(&t, &c, 100), writable ? 64 : 0);
		}
		/*
		 * One byte below the region, one byte past its end: not guest
		 * memory.  Past the end, the bytes up to it were handed out
		 * before the walk found the rest unmapped.
		 */
		for (int edge = 0; edge < 2; edge++) {
			pop_single(&t, &c, edge == 0 ? ARENA_GPA - 1 : end - 63, 64, writable);
			virtq_iov_init(&rd, rs, 2);
			virtq_iov_init(&wr, ws, 2);
			ck_assert_rc(virtq_chain_collect(&c, &rd, &wr), VIRTQ_E_ADDR_RANGE);
			ck_assert_uint_eq(v->n, (unsigned)edge);
			if (edge == 1)
				ck_assert_uint_eq(v->seg[0].len, 63);
			ck_assert_uint_eq(other->n, 0);
			/* The used len caps at the writable bytes handed out. */
			ck_assert_uint_eq(used_len_after_push(&t, &c, 100), writable && edge == 1 ? 63 : 0);
		}
		/* Its direction dropped: no segment, its bytes still count. */
		pop_single(&t, &c, ARENA_GPA, 64, writable);
		virtq_iov_init(other, writable ? rs : ws, 2);
		ck_assert_rc(virtq_chain_collect(&c, writable ? &rd : NULL, writable ? NULL : &wr), 0);
		ck_assert_uint_eq(other->n, 0);
		ck_assert_uint_eq(used_len_after_push(&t, &c, 100), writable ? 64 : 0);
		/*
		 * Its array full.  The piece that did not fit still counts as
		 * handed out, as the model has it (test_fast.c says why).
		 */
		pop_single(&t, &c, ARENA_GPA, 64, writable);
		virtq_iov_init(&rd, rs, writable ? 2 : 0);
		virtq_iov_init(&wr, ws, writable ? 0 : 2);
		ck_assert_rc(virtq_chain_collect(&c, &rd, &wr), VIRTQ_E_IOV_FULL);
		ck_assert_uint_eq(rd.n + wr.n, 0);
		ck_assert_uint_eq(used_len_after_push(&t, &c, 100), writable ? 64 : 0);
		/* An empty buffer: nothing to hand out. */
		pop_single(&t, &c, ARENA_GPA, 0, writable);
		virtq_iov_init(&rd, rs, 2);
		virtq_iov_init(&wr, ws, 2);
		ck_assert_rc(virtq_chain_collect(&c, &rd, &wr), 0);
		ck_assert_uint_eq(rd.n + wr.n, 0);
		ck_assert_uint_eq(used_len_after_push(&t, &c, 100), 0);
		tq_teardown(&t);
	}
}
END_TEST

/*
 * virtq_pop() stores only what is read before the walk (internal.h): a chain
 * object whose storage held anything reports no error and no descriptors
 * read until the walk says otherwise, whichever way the walk goes on:
 * part way (virtq_chain_next), to its end, or refused as stale unwalked.
 */
START_TEST(popped_chain_reports_nothing_read_whatever_its_storage_held)
{
	const uint32_t rl[2] = {10, 20};
	struct virtq_iov rd, wr;
	struct virtq_seg rs[4], ws[4], seg;
	struct virtq_chain c;
	struct tq t;

	tq_setup(&t, 8, 0);
	tq_publish(&t, rl, 2, NULL, 0, 8);
	memset(&c, 0xa5, sizeof(c));
	tq_pop_expect(&t, &c, 1);
	ck_assert_int_eq(virtq_chain_error(&c), 0);
	ck_assert_uint_eq(virtq_chain_descriptors(&c), 0);
	ck_assert_int_eq(virtq_chain_next(&c, &seg), 1);
	ck_assert_uint_eq(seg.len, 10);
	ck_assert_int_eq(virtq_chain_error(&c), 0); /* part way */
	ck_assert_uint_eq(virtq_chain_descriptors(&c), 1);
	virtq_iov_init(&rd, rs, 4);
	virtq_iov_init(&wr, ws, 4);
	ck_assert_rc(virtq_chain_collect(&c, &rd, &wr), 0);
	ck_assert_int_eq(virtq_chain_error(&c), 0);
	ck_assert_uint_eq(virtq_chain_descriptors(&c), 2);
	ck_assert_rc(virtq_push(&t.q, &c, 0, NULL), 0);

	/* Stale before its first step: the error, and still nothing read. */
	tq_publish(&t, rl, 2, NULL, 0, 8);
	memset(&c, 0xa5, sizeof(c));
	tq_pop_expect(&t, &c, 1);
	virtq_reset(&t.q);
	ck_assert_rc(virtq_chain_collect(&c, &rd, &wr), VIRTQ_E_STALE_CHAIN);
	ck_assert_int_eq(virtq_chain_error(&c), VIRTQ_E_STALE_CHAIN);
	ck_assert_uint_eq(virtq_chain_descriptors(&c), 0);
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
	tcase_add_test(tc, indirect_table_must_lie_in_one_region_whatever_region_answered_last);
	tcase_add_test(tc, buffer_running_into_a_hole_fails_the_chain);
	tcase_add_test(tc, zero_length_descriptors_yield_nothing);
	tcase_add_test(tc, cursors_copy_across_segment_boundaries);
	tcase_add_test(tc, writes_never_land_in_readable_segments);
	tcase_add_test(tc, collect_fails_when_segment_array_is_too_small);
	tcase_add_test(tc, collect_with_null_iov_drops_that_direction);
	tcase_add_test(tc, collect_fails_whole_chain_on_unmapped_buffer);
	tcase_add_test(tc, one_descriptor_chain_in_each_direction_at_every_edge);
	tcase_add_test(tc, popped_chain_reports_nothing_read_whatever_its_storage_held);
	suite_add_tcase(s, tc);
	return s;
}
