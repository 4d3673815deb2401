/* SPDX-License-Identifier: MIT */
/*
 * The seed crate's unit tests (Fuchsia virtio_device; study §6), ported to
 * this API, one test each, named seed_<module>_<test>.  Where the seed's
 * behaviour was a gap (study §7) the port asserts the fixed behaviour and
 * says so.
 */
#include "unit.h"

/* Publish a chain of (writable?, data, len) buffers; all direct or all indirect. */
static int publish_bufs(struct tq *t, const unsigned char *const *data, const uint32_t *len,
			const bool *writable, unsigned n, bool indirect)
{
	struct vg_chain ch;
	int head;

	vg_chain_init(&ch);
	for (unsigned i = 0; i < n; i++) {
		if (writable[i])
			vg_chain_writable(t->drv, &ch, len[i]);
		else
			vg_chain_readable(t->drv, &ch, data[i], len[i]);
	}
	head = vg_drv_add(t->drv, &ch, indirect ? 0 : n, 0);
	ck_assert_int_ge(head, 0);
	vg_drv_publish(t->drv);
	return head;
}

/* mem.rs test_split_at: a range split at 4, 9, 10 and 0 by a region boundary. */
START_TEST(seed_mem_split_at)
{
	static unsigned char lo[32], hi[32];
	const uint64_t offs[] = {4, 9, 10, 0};

	for (size_t i = 0; i < 4; i++) {
		/* Range [10, 20) with a region boundary at 10 + off. */
		const struct virtq_mem_region r[2] = {{0, 10 + offs[i], lo},
						      {10 + offs[i], 32, hi}};
		struct virtq_mem m;
		uint64_t contig;
		void *p;

		ck_assert_rc(virtq_mem_init(&m, r, 2), 0);
		p = virtq_mem_translate(&m, 10, 10, &contig);
		if (offs[i] == 0) {
			ck_assert_ptr_eq(p, hi); /* empty first half: all in the second */
			ck_assert_uint_eq(contig, 10);
			continue;
		}
		ck_assert_ptr_eq(p, lo + 10);
		ck_assert_uint_eq(contig, offs[i]);
		if (offs[i] < 10) {
			p = virtq_mem_translate(&m, 10 + contig, 10 - contig, &contig);
			ck_assert_ptr_eq(p, hi);
			ck_assert_uint_eq(contig, 10 - offs[i]);
		}
	}
}
END_TEST

/* mem.rs test_ptr: alignment and size of a typed view (here: the used ring). */
START_TEST(seed_mem_ptr)
{
	static _Alignas(64) unsigned char g[256];
	struct virtq_mem m;
	struct virtq_mem_region r = {0x1000, sizeof(g), g};
	struct virtq_queue_config c = {.size = 1, .desc_gpa = 0x1000, .avail_gpa = 0x1010,
				       .used_gpa = 0x1040, .mem = &m};
	static struct virtq_queue q;

	ck_assert_rc(virtq_mem_init(&m, &r, 1), 0);
	ck_assert_rc(virtq_init(&q, &c), 0); /* 64-aligned: fine */
	c.used_gpa = 0x1041;
	ck_assert_rc(virtq_init(&q, &c), VIRTQ_E_RING_ALIGN); /* 65: misaligned */
	c.used_gpa = 0x1000 + sizeof(g) - 7; /* too short for 6 + 8 bytes */
	c.used_gpa &= ~3ull;
	ck_assert_rc(virtq_init(&q, &c), VIRTQ_E_RING_RANGE);
}
END_TEST

/* ring.rs test_size: size 3 refused; parts too small for the size refused. */
START_TEST(seed_ring_size)
{
	static _Alignas(64) unsigned char g[4096];
	struct virtq_mem m;
	struct virtq_mem_region r = {0x1000, sizeof(g), g};
	static struct virtq_queue q;
	struct virtq_queue_config c = {.size = 3, .desc_gpa = 0x1000, .avail_gpa = 0x1100,
				       .used_gpa = 0x1200, .mem = &m};

	ck_assert_rc(virtq_mem_init(&m, &r, 1), 0);
	ck_assert_rc(virtq_init(&q, &c), VIRTQ_E_QUEUE_SIZE);
	c.size = 8;
	ck_assert_rc(virtq_init(&q, &c), 0);
	/* An avail ring that only fits 4 entries cannot serve 8 (the seed's mismatch). */
	c.avail_gpa = 0x1000 + sizeof(g) - vg_avail_bytes(4);
	ck_assert_rc(virtq_init(&q, &c), VIRTQ_E_RING_RANGE);
}
END_TEST

/* ring.rs test_descriptor: descriptors as laid out, and used entries before/after publish. */
START_TEST(seed_ring_descriptor)
{
	struct tq t;
	struct virtq_chain c0, c1;
	unsigned char d64[64] = {0}, d32[32] = {0};
	const unsigned char *data[2] = {d64, d64};
	const uint32_t l0[2] = {64, 64}, l1[2] = {32, 48};
	const bool w0[2] = {false, false}, w1[2] = {false, true};
	struct vg_desc d;
	uint32_t len, id;
	int h0, h1;

	tq_setup(&t, 128, 0);
	tq_pop_expect(&t, &c0, 0);
	h0 = publish_bufs(&t, data, l0, w0, 2, false);
	data[0] = d32;
	h1 = publish_bufs(&t, data, l1, w1, 2, false);
	d = vg_drv_read_desc(t.drv, (uint16_t)h0);
	ck_assert_uint_eq(d.flags, VG_DESC_F_NEXT);
	ck_assert_uint_eq(d.len, 64);
	d = vg_drv_read_desc(t.drv, d.next);
	ck_assert_uint_eq(d.flags, 0);
	d = vg_drv_read_desc(t.drv, (uint16_t)h1);
	ck_assert_uint_eq(d.len, 32);
	d = vg_drv_read_desc(t.drv, d.next);
	ck_assert_uint_eq(d.flags, VG_DESC_F_WRITE);
	ck_assert_uint_eq(d.len, 48);
	tq_pop_expect(&t, &c0, 1);
	tq_pop_expect(&t, &c1, 1);
	uint64_t r, w;
	unsigned n;
	ck_assert_rc(tq_walk(&c1, &r, &w, &n), 0);
	ck_assert_rc(virtq_fill(&t.q, &c1, 16), 0);
	ck_assert_rc(virtq_fill(&t.q, &c0, 0), 0);
	ck_assert_int_eq(vg_drv_get_used(t.drv, &id, &len, NULL), 0); /* not yet published */
	ck_assert_rc(virtq_flush(&t.q), 0);
	ck_assert_int_eq(vg_drv_get_used(t.drv, &id, &len, NULL), 1);
	ck_assert_uint_eq(id, h1);
	ck_assert_uint_eq(len, 16);
	ck_assert_int_eq(vg_drv_get_used(t.drv, &id, &len, NULL), 1);
	ck_assert_uint_eq(id, h0);
	ck_assert_uint_eq(len, 0);
	ck_assert_int_eq(vg_drv_get_used(t.drv, &id, &len, NULL), 0);
	tq_teardown(&t);
}
END_TEST

/* queue.rs test_create. */
START_TEST(seed_queue_create)
{
	struct tq t;
	struct virtq_queue_config c;

	tq_setup(&t, 4, 0);
	c = tq_config(&t);
	ck_assert_rc(virtq_init(&t.q, &c), 0);
	c.size = 3;
	ck_assert_rc(virtq_init(&t.q, &c), VIRTQ_E_QUEUE_SIZE);
	tq_teardown(&t);
}
END_TEST

/* queue.rs test_notify_and_return. */
START_TEST(seed_queue_notify_and_return)
{
	struct tq t;
	struct virtq_chain c;
	unsigned char d[32] = {0};
	const unsigned char *data[1] = {d};
	const uint32_t l[1] = {32};
	const bool rd[1] = {false}, wr[1] = {true};
	uint32_t id, len;
	bool notify;

	tq_setup(&t, 32, 0);
	ck_assert_uint_eq(t.drv->notifications, 0);
	tq_pop_expect(&t, &c, 0);
	publish_bufs(&t, data, l, rd, 1, false);
	tq_pop_expect(&t, &c, 1);
	ck_assert_uint_eq(t.drv->notifications, 0);
	ck_assert_rc(virtq_push(&t.q, &c, 0, &notify), 0);
	if (notify)
		vg_drv_notify(t.drv);
	ck_assert_uint_eq(t.drv->notifications, 1);
	ck_assert_int_eq(vg_drv_get_used(t.drv, &id, &len, NULL), 1);
	publish_bufs(&t, data, l, wr, 1, false);
	tq_pop_expect(&t, &c, 1);
	uint64_t r, w;
	unsigned n;
	ck_assert_rc(tq_walk(&c, &r, &w, &n), 0);
	ck_assert_rc(virtq_push(&t.q, &c, 16, NULL), 0);
	ck_assert_int_eq(vg_drv_get_used(t.drv, &id, &len, NULL), 1);
	ck_assert_uint_eq(len, 16);
	tq_teardown(&t);
}
END_TEST

/* queue.rs test_good_chain_iter: walks yield exactly the published tuples. */
START_TEST(seed_queue_good_chain_iter)
{
	struct tq t;
	const bool shapes[4][3] = {{false}, {true}, {false, false}, {false, true, true}};
	const unsigned counts[4] = {1, 1, 2, 3};

	tq_setup(&t, 32, 0);
	for (int k = 0; k < 4; k++) {
		struct vg_chain ch;
		struct virtq_chain c;
		struct virtq_seg s;

		vg_chain_init(&ch);
		for (unsigned i = 0; i < counts[k]; i++)
			vg_chain_ref(&ch, ARENA_GPA + 0x4000 + 0x100 * (k * 4 + i), 10 + i,
					     shapes[k][i]);
		ck_assert_int_ge(vg_drv_add(t.drv, &ch, 8, 0), 0);
		vg_drv_publish(t.drv);
		tq_pop_expect(&t, &c, 1);
		for (unsigned i = 0; i < counts[k]; i++) {
			ck_assert_rc(virtq_chain_next(&c, &s), 1);
			ck_assert_ptr_eq(s.addr, vg_mem_hva(&t.mem, ch.buf[i].gpa));
			ck_assert_uint_eq(s.len, 10 + i);
			ck_assert(s.writable == shapes[k][i]);
		}
		ck_assert_rc(virtq_chain_next(&c, &s), 0);
	}
	tq_teardown(&t);
}
END_TEST

/* queue.rs test_bad_range_iter; the seed walked on after BadRange (gap 13): ours stops. */
START_TEST(seed_queue_bad_range_iter)
{
	struct tq t;
	struct vg_chain ch;
	struct virtq_chain c;
	struct virtq_seg s;

	tq_setup(&t, 32, 0);
	vg_chain_init(&ch);
	vg_chain_ref(&ch, ARENA_GPA + 100, 42, false);
	vg_chain_ref(&ch, UINT64_MAX - 10, 20, false);
	vg_chain_ref(&ch, UINT64_MAX - 20, 5, false);
	ck_assert_int_ge(vg_drv_add(t.drv, &ch, 8, 0), 0);
	vg_drv_publish(t.drv);
	tq_pop_expect(&t, &c, 1);
	ck_assert_rc(virtq_chain_next(&c, &s), 1);
	ck_assert_uint_eq(s.len, 42);
	ck_assert_rc(virtq_chain_next(&c, &s), VIRTQ_E_ADDR_OVERFLOW);
	ck_assert_rc(virtq_chain_next(&c, &s), VIRTQ_E_ADDR_OVERFLOW);
	tq_teardown(&t);
}
END_TEST

/* queue.rs test_bad_index_iter: next = 33 on a 32-entry queue. */
START_TEST(seed_queue_bad_index_iter)
{
	struct tq t;
	struct virtq_chain c;
	struct virtq_seg s;
	struct vg_desc d;
	int head;
	const uint32_t rl[2] = {42, 30};

	tq_setup(&t, 32, 0);
	head = tq_publish(&t, rl, 2, NULL, 0, 8);
	d = vg_drv_read_desc(t.drv, (uint16_t)head);
	vg_drv_write_desc(t.drv, (uint16_t)head, d.addr, d.len, d.flags, 33); /* amend_next(33) */
	tq_pop_expect(&t, &c, 1);
	ck_assert_rc(virtq_chain_next(&c, &s), 1);
	ck_assert_uint_eq(s.len, 42);
	ck_assert_rc(virtq_chain_next(&c, &s), VIRTQ_E_NEXT_RANGE);
	ck_assert_rc(virtq_chain_next(&c, &s), VIRTQ_E_NEXT_RANGE);
	tq_teardown(&t);
}
END_TEST

/* chain.rs test_smoke_test(_indirect_chain): cursor reads of 4, 2, rest; writes of 3, 1. */
static void smoke(bool indirect)
{
	struct tq t;
	struct virtq_chain c;
	struct virtq_seg rs[8], ws[8];
	struct virtq_iov rd, wr;
	const unsigned char a[4] = {1, 2, 3, 4}, b[4] = {5, 6, 7, 8}, d[4] = {9, 10, 11, 12};
	const unsigned char *data[5] = {a, b, d, NULL, NULL};
	const uint32_t l[5] = {4, 4, 4, 4, 4};
	const bool w[5] = {false, false, false, true, true};
	unsigned char got[16];
	const unsigned char out[4] = {1, 2, 3, 4};
	uint32_t id, len;

	tq_setup(&t, 32, F_INDIRECT);
	publish_bufs(&t, data, l, w, 5, indirect);
	tq_pop_expect(&t, &c, 1);
	virtq_iov_init(&rd, rs, 8);
	virtq_iov_init(&wr, ws, 8);
	ck_assert_rc(virtq_chain_collect(&c, &rd, &wr), 0);
	ck_assert_uint_eq(virtq_iov_remaining(&rd), 12);
	ck_assert_uint_eq(rd.n, 3);
	ck_assert_uint_eq(virtq_iov_read(&rd, got, 4), 4);
	ck_assert_int_eq(memcmp(got, a, 4), 0);
	ck_assert_uint_eq(virtq_iov_remaining(&rd), 8);
	ck_assert_uint_eq(virtq_iov_read(&rd, got, 2), 2);
	ck_assert_uint_eq(got[1], 6);
	ck_assert_uint_eq(virtq_iov_read(&rd, got, 200), 6);
	ck_assert_uint_eq(got[0], 7);
	ck_assert_uint_eq(got[5], 12);
	ck_assert_uint_eq(virtq_iov_remaining(&rd), 0);
	ck_assert_uint_eq(virtq_iov_write(&wr, out, 3), 3);
	ck_assert_uint_eq(virtq_iov_write(&wr, out + 3, 1), 1);
	ck_assert_uint_eq(virtq_iov_remaining(&wr), 4);
	ck_assert_rc(virtq_push(&t.q, &c, (uint32_t)virtq_iov_consumed(&wr), NULL), 0);
	ck_assert_int_eq(vg_drv_get_used(t.drv, &id, &len, NULL), 1);
	ck_assert_uint_eq(len, 4);
	ck_assert_int_eq(memcmp(ws[0].addr, out, 4), 0);
	tq_teardown(&t);
}

START_TEST(seed_chain_smoke_test)
{
	smoke(false);
}
END_TEST

START_TEST(seed_chain_smoke_test_indirect_chain)
{
	smoke(true);
}
END_TEST

/* chain.rs test_io(_indirect_chain): reads across descriptors, full writes, a refused byte. */
static void io(bool indirect)
{
	struct tq t;
	struct virtq_chain c;
	struct virtq_seg rs[8], ws[8];
	struct virtq_iov rd, wr;
	const unsigned char a[4] = {1, 2, 3, 4}, b[4] = {5, 6, 7, 8}, d[4] = {9, 10, 11, 12};
	const unsigned char *data[5] = {a, b, d, NULL, NULL};
	const uint32_t l[5] = {4, 4, 4, 4, 4};
	const bool w[5] = {false, false, false, true, true};
	const unsigned char five[5] = {1, 2, 3, 4, 5}, three[3] = {6, 7, 8}, nine = 9;
	unsigned char got[16];
	uint32_t id, len;

	tq_setup(&t, 32, F_INDIRECT);
	publish_bufs(&t, data, l, w, 5, indirect);
	tq_pop_expect(&t, &c, 1);
	virtq_iov_init(&rd, rs, 8);
	virtq_iov_init(&wr, ws, 8);
	ck_assert_rc(virtq_chain_collect(&c, &rd, &wr), 0);
	ck_assert_uint_eq(virtq_iov_read(&rd, got, 2), 2);
	ck_assert_uint_eq(virtq_iov_read(&rd, got, 1), 1);
	ck_assert_uint_eq(got[0], 3);
	ck_assert_uint_eq(virtq_iov_read(&rd, got, 5), 5);
	ck_assert_uint_eq(got[0], 4);
	ck_assert_uint_eq(got[4], 8);
	ck_assert_uint_eq(virtq_iov_read(&rd, got, sizeof(got)), 4);
	ck_assert_uint_eq(got[3], 12);
	ck_assert_uint_eq(virtq_iov_write(&wr, five, 5), 5);
	ck_assert_uint_eq(virtq_iov_write(&wr, three, 3), 3);
	ck_assert_uint_eq(virtq_iov_write(&wr, &nine, 1), 0); /* chain full */
	ck_assert_rc(virtq_push(&t.q, &c, (uint32_t)virtq_iov_consumed(&wr), NULL), 0);
	ck_assert_int_eq(vg_drv_get_used(t.drv, &id, &len, NULL), 1);
	ck_assert_uint_eq(len, 8);
	ck_assert_int_eq(memcmp(ws[0].addr, five, 4), 0);
	ck_assert_uint_eq(((unsigned char *)ws[1].addr)[0], 5);
	ck_assert_uint_eq(((unsigned char *)ws[1].addr)[3], 8);
	tq_teardown(&t);
}

START_TEST(seed_chain_io)
{
	io(false);
}
END_TEST

START_TEST(seed_chain_io_indirect_chain)
{
	io(true);
}
END_TEST

/*
 * chain.rs test_readable_completed: (readable, writable, bytes read) -> what
 * remains.  The seed's ReadableRemaining / WritableRemaining become
 * remaining counts on the two iovs.
 */
START_TEST(seed_chain_readable_completed)
{
	const struct {
		uint32_t r[2];
		unsigned nr;
		uint32_t w;
		size_t read;
		uint64_t r_left, w_left;
	} cases[] = {
		{{4}, 1, 0, 4, 0, 0}, {{4, 2}, 2, 0, 4, 2, 0}, {{4}, 1, 0, 2, 2, 0},
		{{4}, 1, 4, 2, 2, 4}, {{4}, 1, 4, 4, 0, 4},
	};

	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct tq t;
		struct virtq_chain c;
		struct virtq_seg rs[4], ws[4];
		struct virtq_iov rd, wr;
		unsigned char buf[8];

		tq_setup(&t, 8, 0);
		tq_publish(&t, cases[k].r, cases[k].nr, &cases[k].w, cases[k].w ? 1 : 0, 8);
		tq_pop_expect(&t, &c, 1);
		virtq_iov_init(&rd, rs, 4);
		virtq_iov_init(&wr, ws, 4);
		ck_assert_rc(virtq_chain_collect(&c, &rd, &wr), 0);
		virtq_iov_read(&rd, buf, cases[k].read);
		ck_assert_uint_eq(virtq_iov_remaining(&rd), cases[k].r_left);
		ck_assert_uint_eq(virtq_iov_remaining(&wr), cases[k].w_left);
		/* The chain is always returned (the seed's return_complete). */
		ck_assert_rc(virtq_push(&t.q, &c, 0, NULL), 0);
		tq_teardown(&t);
	}
}
END_TEST

/* chain.rs test_make_writable: W-only has no readable part; R+W does unless ignored. */
START_TEST(seed_chain_make_writable)
{
	struct tq t;
	struct virtq_chain c;
	struct virtq_seg rs[4], ws[4];
	struct virtq_iov rd, wr;
	const uint32_t r4 = 4, w4 = 4;

	tq_setup(&t, 8, 0);
	tq_publish(&t, NULL, 0, &w4, 1, 8);
	tq_pop_expect(&t, &c, 1);
	virtq_iov_init(&rd, rs, 4);
	virtq_iov_init(&wr, ws, 4);
	ck_assert_rc(virtq_chain_collect(&c, &rd, &wr), 0);
	ck_assert_uint_eq(rd.n, 0);
	ck_assert_rc(virtq_push(&t.q, &c, 0, NULL), 0);
	tq_publish(&t, &r4, 1, &w4, 1, 8);
	tq_pop_expect(&t, &c, 1);
	virtq_iov_init(&rd, rs, 4);
	virtq_iov_init(&wr, ws, 4);
	ck_assert_rc(virtq_chain_collect(&c, &rd, &wr), 0);
	ck_assert_uint_eq(virtq_iov_remaining(&rd), 4); /* ReadableRemaining */
	ck_assert_rc(virtq_push(&t.q, &c, 0, NULL), 0);
	tq_publish(&t, &r4, 1, &w4, 1, 8);
	tq_pop_expect(&t, &c, 1);
	virtq_iov_init(&wr, ws, 4);
	ck_assert_rc(virtq_chain_collect(&c, NULL, &wr), 0); /* new_ignore_readable */
	ck_assert_uint_eq(virtq_iov_remaining(&wr), 4);
	ck_assert_rc(virtq_push(&t.q, &c, 0, NULL), 0);
	tq_teardown(&t);
}
END_TEST

/* chain.rs test_writable_completed. */
START_TEST(seed_chain_writable_completed)
{
	const struct {
		uint32_t w[2];
		unsigned nw;
		size_t write;
		uint64_t left;
	} cases[] = {{{4}, 1, 4, 0}, {{4, 2}, 2, 4, 2}, {{4}, 1, 2, 2}};

	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct tq t;
		struct virtq_chain c;
		struct virtq_seg ws[4];
		struct virtq_iov wr;
		const unsigned char zero[8] = {0};
		uint32_t id, len;

		tq_setup(&t, 8, 0);
		tq_publish(&t, NULL, 0, cases[k].w, cases[k].nw, 8);
		tq_pop_expect(&t, &c, 1);
		virtq_iov_init(&wr, ws, 4);
		ck_assert_rc(virtq_chain_collect(&c, NULL, &wr), 0);
		ck_assert_uint_eq(virtq_iov_write(&wr, zero, cases[k].write), cases[k].write);
		ck_assert_uint_eq(virtq_iov_remaining(&wr), cases[k].left);
		ck_assert_rc(virtq_push(&t.q, &c, (uint32_t)virtq_iov_consumed(&wr), NULL), 0);
		ck_assert_int_eq(vg_drv_get_used(t.drv, &id, &len, NULL), 1);
		ck_assert_uint_eq(len, cases[k].write);
		tq_teardown(&t);
	}
}
END_TEST

/* chain.rs test_bad_chain: W 10 then R 20 -> first segment, then the ordering error. */
START_TEST(seed_chain_bad_chain)
{
	struct tq t;
	struct vg_chain ch;
	struct virtq_chain c;
	struct virtq_seg s;

	tq_setup(&t, 8, 0);
	vg_chain_init(&ch);
	vg_chain_ref(&ch, ARENA_GPA + 0x4000, 10, true);
	vg_chain_ref(&ch, ARENA_GPA + 0x5000, 20, false);
	ck_assert_int_ge(vg_drv_add(t.drv, &ch, 8, 0), 0);
	vg_drv_publish(t.drv);
	tq_pop_expect(&t, &c, 1);
	ck_assert_rc(virtq_chain_next(&c, &s), 1);
	ck_assert(s.writable);
	ck_assert_rc(virtq_chain_next(&c, &s), VIRTQ_E_READ_AFTER_WRITE);
	ck_assert_rc(virtq_push(&t.q, &c, 0, NULL), 0);
	tq_teardown(&t);
}
END_TEST

Suite *seed_suite(void)
{
	Suite *s = suite_create("seed");
	TCase *tc = tcase_create("ported");

	tcase_add_test(tc, seed_mem_split_at);
	tcase_add_test(tc, seed_mem_ptr);
	tcase_add_test(tc, seed_ring_size);
	tcase_add_test(tc, seed_ring_descriptor);
	tcase_add_test(tc, seed_queue_create);
	tcase_add_test(tc, seed_queue_notify_and_return);
	tcase_add_test(tc, seed_queue_good_chain_iter);
	tcase_add_test(tc, seed_queue_bad_range_iter);
	tcase_add_test(tc, seed_queue_bad_index_iter);
	tcase_add_test(tc, seed_chain_smoke_test);
	tcase_add_test(tc, seed_chain_smoke_test_indirect_chain);
	tcase_add_test(tc, seed_chain_io);
	tcase_add_test(tc, seed_chain_io_indirect_chain);
	tcase_add_test(tc, seed_chain_readable_completed);
	tcase_add_test(tc, seed_chain_make_writable);
	tcase_add_test(tc, seed_chain_writable_completed);
	tcase_add_test(tc, seed_chain_bad_chain);
	suite_add_tcase(s, tc);
	return s;
}
