/* SPDX-License-Identifier: MIT */
/*
 * The hostile driver, one attack at a time.  Each case checks the distinct
 * error, that the queue is left in a defined state (broken, or serving the
 * next well-formed chain), and (in teardown) that no guard byte changed.
 */
#include "unit.h"

static const uint32_t R16 = 16;

/* After a chain-level error the next well-formed chain must be served. */
static void assert_next_chain_served(struct tq *t)
{
	struct virtq_chain c;
	uint64_t r, w;
	unsigned n;
	int head = tq_publish(t, &R16, 1, NULL, 0, 64);

	tq_pop_expect(t, &c, 1);
	ck_assert_uint_eq(virtq_chain_head(&c), head);
	ck_assert_rc(tq_walk(&c, &r, &w, &n), 0);
	ck_assert_uint_eq(r, 16);
	ck_assert_rc(virtq_push(&t->q, &c, 0, NULL), 0);
}

/* Write a raw chain of descriptors at @idx[], publish head idx[0]; pop; walk. */
static int walk_raw(struct tq *t, const uint16_t *idx, const struct vg_desc *d, unsigned n)
{
	struct virtq_chain c;
	uint64_t r, w;
	unsigned nseg;
	int rc;

	for (unsigned i = 0; i < n; i++)
		vg_drv_write_desc(t->drv, idx[i], d[i].addr, d[i].len, d[i].flags, d[i].next);
	vg_drv_set_avail_ring(t->drv, vg_drv_avail_idx(t->drv), idx[0]);
	vg_drv_set_avail_idx(t->drv, vg_drv_avail_idx(t->drv) + 1);
	tq_pop_expect(t, &c, 1);
	rc = tq_walk(&c, &r, &w, &nseg);
	ck_assert_rc(virtq_chain_error(&c), rc);
	/* A failed chain is still returned, with nothing claimed written. */
	ck_assert_rc(virtq_push(&t->q, &c, 1000, NULL), 0);
	return rc;
}

/* Buffers for raw chains: far from the guest driver's allocations. */
#define BUF (ARENA_GPA + ARENA_SIZE - 0x10000)
#define TABLE (ARENA_GPA + ARENA_SIZE - 0x20000)

START_TEST(head_out_of_range_fails_that_head_only)
{
	struct tq t;
	struct virtq_chain c;

	tq_setup(&t, 8, 0);
	vg_drv_set_avail_ring(t.drv, 0, 8);
	vg_drv_set_avail_idx(t.drv, 1);
	tq_pop_expect(&t, &c, VIRTQ_E_HEAD_RANGE);
	ck_assert_uint_eq(virtq_last_avail(&t.q), 1); /* no spinning on it */
	ck_assert_uint_eq(vg_drv_used_idx(t.drv), 0); /* bogus id never written */
	assert_next_chain_served(&t);
	tq_teardown(&t);
}
END_TEST

START_TEST(head_already_in_flight_is_refused)
{
	struct tq t;
	struct virtq_chain a, b;
	int head;

	tq_setup(&t, 8, 0);
	head = tq_publish(&t, &R16, 1, NULL, 0, 8);
	tq_pop_expect(&t, &a, 1);
	vg_drv_set_avail_ring(t.drv, 1, (uint16_t)head);
	vg_drv_set_avail_idx(t.drv, 2);
	tq_pop_expect(&t, &b, VIRTQ_E_HEAD_IN_USE);
	ck_assert_uint_eq(virtq_inflight(&t.q), 1);
	ck_assert_rc(virtq_push(&t.q, &a, 0, NULL), 0);
	assert_next_chain_served(&t);
	tq_teardown(&t);
}
END_TEST

START_TEST(next_out_of_range_fails_chain)
{
	struct tq t;
	const uint16_t idx[1] = {3};
	const struct vg_desc d[1] = {{BUF, 16, VG_DESC_F_NEXT, 8}};

	tq_setup(&t, 8, 0);
	ck_assert_rc(walk_raw(&t, idx, d, 1), VIRTQ_E_NEXT_RANGE);
	assert_next_chain_served(&t);
	tq_teardown(&t);
}
END_TEST

START_TEST(descriptor_loop_is_stopped_at_queue_size)
{
	struct tq t;
	const uint16_t idx[2] = {2, 5};
	const struct vg_desc d[2] = {{BUF, 16, VG_DESC_F_NEXT, 5},
					{BUF, 16, VG_DESC_F_NEXT, 2}};
	const uint16_t self[1] = {6};
	const struct vg_desc selfd[1] = {{BUF, 16, VG_DESC_F_NEXT, 6}};

	tq_setup(&t, 8, 0);
	ck_assert_rc(walk_raw(&t, idx, d, 2), VIRTQ_E_CHAIN_LOOP);
	ck_assert_rc(walk_raw(&t, self, selfd, 1), VIRTQ_E_CHAIN_LOOP);
	assert_next_chain_served(&t);
	tq_teardown(&t);
}
END_TEST

START_TEST(loop_through_whole_32768_table_is_bounded)
{
	struct tq t;
	struct virtq_chain c;
	uint64_t r, w;
	unsigned n;

	tq_setup(&t, 32768, 0);
	for (uint32_t i = 0; i < 32768; i++)
		vg_drv_write_desc(t.drv, (uint16_t)i, BUF, 0, VG_DESC_F_NEXT,
				      (uint16_t)((i + 1) % 32768));
	vg_drv_set_avail_ring(t.drv, 0, 0);
	vg_drv_set_avail_idx(t.drv, 1);
	tq_pop_expect(&t, &c, 1);
	ck_assert_rc(tq_walk(&c, &r, &w, &n), VIRTQ_E_CHAIN_LOOP);
	/* Exactly queue-size descriptors were read: O(size) work, then stop. */
	ck_assert_uint_eq(virtq_chain_descriptors(&c), 32768);
	tq_teardown(&t);
}
END_TEST

START_TEST(indirect_without_feature_is_refused)
{
	struct tq t;
	const uint16_t idx[1] = {0};
	const struct vg_desc d[1] = {{TABLE, 32, VG_DESC_F_INDIRECT, 0}};

	tq_setup(&t, 8, 0);
	vg_drv_write_table_desc(t.drv, TABLE, 0, BUF, 16, 0, 0);
	ck_assert_rc(walk_raw(&t, idx, d, 1), VIRTQ_E_INDIRECT_NOT_NEGOTIATED);
	assert_next_chain_served(&t);
	tq_teardown(&t);
}
END_TEST

START_TEST(nested_indirect_is_refused)
{
	struct tq t;
	const uint16_t idx[1] = {0};
	const struct vg_desc d[1] = {{TABLE, 32, VG_DESC_F_INDIRECT, 0}};

	tq_setup(&t, 8, F_INDIRECT);
	vg_drv_write_table_desc(t.drv, TABLE, 0, BUF, 16, VG_DESC_F_NEXT, 1);
	vg_drv_write_table_desc(t.drv, TABLE, 1, TABLE, 32, VG_DESC_F_INDIRECT, 0);
	ck_assert_rc(walk_raw(&t, idx, d, 1), VIRTQ_E_INDIRECT_NESTED);
	assert_next_chain_served(&t);
	tq_teardown(&t);
}
END_TEST

START_TEST(indirect_with_next_is_refused)
{
	struct tq t;
	const uint16_t idx[2] = {0, 1};
	const struct vg_desc d[2] = {{TABLE, 16, VG_DESC_F_INDIRECT | VG_DESC_F_NEXT, 1},
					{BUF, 16, 0, 0}};

	tq_setup(&t, 8, F_INDIRECT);
	vg_drv_write_table_desc(t.drv, TABLE, 0, BUF, 16, 0, 0);
	ck_assert_rc(walk_raw(&t, idx, d, 2), VIRTQ_E_INDIRECT_WITH_NEXT);
	assert_next_chain_served(&t);
	tq_teardown(&t);
}
END_TEST

START_TEST(indirect_length_must_be_nonzero_multiple_of_16)
{
	struct tq t;
	const uint16_t idx[1] = {0};
	struct vg_desc d[1] = {{TABLE, 0, VG_DESC_F_INDIRECT, 0}};

	tq_setup(&t, 8, F_INDIRECT);
	vg_drv_write_table_desc(t.drv, TABLE, 0, BUF, 16, 0, 0);
	ck_assert_rc(walk_raw(&t, idx, d, 1), VIRTQ_E_INDIRECT_LEN);
	d[0].len = 24;
	ck_assert_rc(walk_raw(&t, idx, d, 1), VIRTQ_E_INDIRECT_LEN);
	d[0].len = 16;
	ck_assert_rc(walk_raw(&t, idx, d, 1), 0);
	assert_next_chain_served(&t);
	tq_teardown(&t);
}
END_TEST

START_TEST(indirect_table_bound_is_enforced_and_default_is_1024)
{
	struct tq t;
	const uint16_t idx[1] = {0};
	struct vg_desc d[1] = {{TABLE, 1024 * 16, VG_DESC_F_INDIRECT, 0}};

	tq_setup(&t, 8, F_INDIRECT);
	/* A 1024-entry table, more than the queue size as Linux may build. */
	for (uint32_t i = 0; i < 1024; i++)
		vg_drv_write_table_desc(t.drv, TABLE, i, BUF, 1,
					    i < 1023 ? VG_DESC_F_NEXT : 0, (uint16_t)(i + 1));
	ck_assert_rc(walk_raw(&t, idx, d, 1), 0);
	d[0].len = 1025 * 16;
	ck_assert_rc(walk_raw(&t, idx, d, 1), VIRTQ_E_INDIRECT_TOO_LONG);
	/* A configured bound below that is honoured. */
	t.q.indirect_max = 4;
	d[0].len = 5 * 16;
	ck_assert_rc(walk_raw(&t, idx, d, 1), VIRTQ_E_INDIRECT_TOO_LONG);
	d[0].len = 4 * 16;
	ck_assert_rc(walk_raw(&t, idx, d, 1), VIRTQ_E_NEXT_RANGE); /* entry 3 links to 4 */
	vg_drv_write_table_desc(t.drv, TABLE, 3, BUF, 1, 0, 0);
	ck_assert_rc(walk_raw(&t, idx, d, 1), 0);
	assert_next_chain_served(&t);
	tq_teardown(&t);
}
END_TEST

START_TEST(indirect_loop_and_bad_next_are_refused)
{
	struct tq t;
	const uint16_t idx[1] = {0};
	const struct vg_desc d[1] = {{TABLE, 3 * 16, VG_DESC_F_INDIRECT, 0}};

	tq_setup(&t, 8, F_INDIRECT);
	vg_drv_write_table_desc(t.drv, TABLE, 0, BUF, 16, VG_DESC_F_NEXT, 1);
	vg_drv_write_table_desc(t.drv, TABLE, 1, BUF, 16, VG_DESC_F_NEXT, 0);
	ck_assert_rc(walk_raw(&t, idx, d, 1), VIRTQ_E_INDIRECT_LOOP);
	vg_drv_write_table_desc(t.drv, TABLE, 1, BUF, 16, VG_DESC_F_NEXT, 3);
	ck_assert_rc(walk_raw(&t, idx, d, 1), VIRTQ_E_NEXT_RANGE);
	assert_next_chain_served(&t);
	tq_teardown(&t);
}
END_TEST

START_TEST(indirect_table_outside_memory_or_wrapping_is_refused)
{
	struct tq t;
	const uint16_t idx[1] = {0};
	struct vg_desc d[1] = {{ARENA_GPA + ARENA_SIZE - 16, 32, VG_DESC_F_INDIRECT, 0}};

	tq_setup(&t, 8, F_INDIRECT);
	ck_assert_rc(walk_raw(&t, idx, d, 1), VIRTQ_E_INDIRECT_RANGE);
	d[0].addr = 0x10;
	ck_assert_rc(walk_raw(&t, idx, d, 1), VIRTQ_E_INDIRECT_RANGE);
	d[0].addr = UINT64_MAX - 15;
	ck_assert_rc(walk_raw(&t, idx, d, 1), VIRTQ_E_ADDR_OVERFLOW);
	assert_next_chain_served(&t);
	tq_teardown(&t);
}
END_TEST

START_TEST(readable_after_writable_is_refused)
{
	struct tq t;
	const uint16_t idx[2] = {0, 1};
	const struct vg_desc d[2] = {{BUF, 16, VG_DESC_F_WRITE | VG_DESC_F_NEXT, 1},
					{BUF + 16, 16, 0, 0}};
	const struct vg_desc mixed[2] = {{BUF, 16, VG_DESC_F_WRITE | VG_DESC_F_NEXT, 1},
					    {TABLE, 16, VG_DESC_F_INDIRECT, 0}};

	tq_setup(&t, 8, F_INDIRECT);
	ck_assert_rc(walk_raw(&t, idx, d, 2), VIRTQ_E_READ_AFTER_WRITE);
	/* The rule spans the step from the direct table into the indirect one. */
	vg_drv_write_table_desc(t.drv, TABLE, 0, BUF + 32, 16, 0, 0);
	ck_assert_rc(walk_raw(&t, idx, mixed, 2), VIRTQ_E_READ_AFTER_WRITE);
	assert_next_chain_served(&t);
	tq_teardown(&t);
}
END_TEST

START_TEST(buffer_address_overflow_and_range_are_refused)
{
	struct tq t;
	const uint16_t idx[1] = {0};
	struct vg_desc d[1] = {{UINT64_MAX - 10, 20, 0, 0}};

	tq_setup(&t, 8, 0);
	ck_assert_rc(walk_raw(&t, idx, d, 1), VIRTQ_E_ADDR_OVERFLOW);
	d[0] = (struct vg_desc){UINT64_MAX - 20, 5, 0, 0}; /* valid range, not memory */
	ck_assert_rc(walk_raw(&t, idx, d, 1), VIRTQ_E_ADDR_RANGE);
	d[0] = (struct vg_desc){0x10, 16, VG_DESC_F_WRITE, 0};
	ck_assert_rc(walk_raw(&t, idx, d, 1), VIRTQ_E_ADDR_RANGE);
	assert_next_chain_served(&t);
	tq_teardown(&t);
}
END_TEST

/* Guest memory where gpa >= 4 GiB is a huge unbacked "device" range. */
static unsigned char dummy;

/* Below 4 GiB the guest's own walker answers, so the core's table code plays no part. */
static void *huge_translate(void *opaque, uint64_t gpa, uint64_t len, uint64_t *contig)
{
	const struct vg_mem *m = opaque;

	if (gpa >= (UINT64_C(1) << 32)) {
		*contig = len; /* never dereferenced by the walk */
		return &dummy;
	}
	return vg_mem_dev(m, gpa, len, contig);
}

START_TEST(chain_of_4gib_or_more_is_refused)
{
	struct tq t;
	struct virtq_mem cb;
	struct virtq_queue_config cfg;
	struct virtq_chain c;
	uint64_t r, w;
	unsigned n;
	const uint64_t big = UINT64_C(1) << 32;

	tq_setup(&t, 8, 0);
	ck_assert_rc(virtq_mem_init_callback(&cb, huge_translate, &t.mem), 0);
	cfg = tq_config(&t);
	cfg.mem = &cb;
	ck_assert_rc(virtq_init(&t.q, &cfg), 0);
	/* 0xFFFFFFFF bytes is the largest legal chain... */
	vg_drv_write_desc(t.drv, 0, big, 0x80000000u, VG_DESC_F_NEXT, 1);
	vg_drv_write_desc(t.drv, 1, big, 0x7FFFFFFFu, 0, 0);
	vg_drv_set_avail_ring(t.drv, 0, 0);
	vg_drv_set_avail_idx(t.drv, 1);
	tq_pop_expect(&t, &c, 1);
	ck_assert_rc(tq_walk(&c, &r, &w, &n), 0);
	ck_assert_uint_eq(r, 0xFFFFFFFFu);
	ck_assert_rc(virtq_push(&t.q, &c, 0, NULL), 0);
	/* ...one more byte is not (SPLIT-DESC-6). */
	vg_drv_write_desc(t.drv, 1, big, 0x80000000u, 0, 0);
	vg_drv_set_avail_ring(t.drv, 1, 0);
	vg_drv_set_avail_idx(t.drv, 2);
	tq_pop_expect(&t, &c, 1);
	ck_assert_rc(tq_walk(&c, &r, &w, &n), VIRTQ_E_CHAIN_TOO_BIG);
	tq_teardown(&t);
}
END_TEST

START_TEST(avail_idx_jump_beyond_size_breaks_queue_until_reset)
{
	struct tq t;
	struct virtq_chain c;

	tq_setup(&t, 8, 0);
	tq_publish(&t, &R16, 1, NULL, 0, 8);
	tq_pop_expect(&t, &c, 1);
	vg_drv_set_avail_idx(t.drv, 1 + 9); /* 9 ahead of last_avail = 1 */
	tq_pop_expect(&t, &c, VIRTQ_E_AVAIL_IDX);
	ck_assert_rc(virtq_broken(&t.q), VIRTQ_E_AVAIL_IDX);
	/* Every later call reports the broken state and writes nothing. */
	tq_pop_expect(&t, &c, VIRTQ_E_BROKEN);
	ck_assert_rc(virtq_push(&t.q, &c, 0, NULL), VIRTQ_E_BROKEN);
	ck_assert_rc(virtq_flush(&t.q), VIRTQ_E_BROKEN);
	ck_assert_rc(virtq_enable_kicks(&t.q), VIRTQ_E_BROKEN);
	ck_assert_rc(virtq_disable_kicks(&t.q), VIRTQ_E_BROKEN);
	ck_assert_rc(virtq_reopen(&t.q, 0, &c), VIRTQ_E_BROKEN);
	ck_assert(!virtq_should_notify(&t.q));
	ck_assert_uint_eq(vg_drv_used_idx(t.drv), 0);
	ck_assert_uint_eq(vg_drv_used_flags(t.drv), 0);
	virtq_reset(&t.q);
	ck_assert_rc(virtq_broken(&t.q), 0);
	tq_teardown(&t);
}
END_TEST

START_TEST(avail_idx_exactly_size_ahead_is_accepted)
{
	struct tq t;
	struct virtq_chain c;

	tq_setup(&t, 4, 0);
	for (int i = 0; i < 4; i++)
		vg_drv_set_avail_ring(t.drv, (uint16_t)i, (uint16_t)i);
	vg_drv_set_avail_idx(t.drv, 4);
	for (int i = 0; i < 4; i++)
		tq_pop_expect(&t, &c, 1);
	tq_pop_expect(&t, &c, 0);
	tq_teardown(&t);
}
END_TEST

START_TEST(avail_idx_moving_backwards_breaks_queue)
{
	struct tq t;
	struct virtq_chain c;

	tq_setup(&t, 8, 0);
	for (int i = 0; i < 3; i++)
		tq_publish(&t, &R16, 1, NULL, 0, 8);
	tq_pop_expect(&t, &c, 1);
	tq_pop_expect(&t, &c, 1);
	tq_pop_expect(&t, &c, 1);
	vg_drv_set_avail_idx(t.drv, 2); /* behind last_avail */
	tq_pop_expect(&t, &c, VIRTQ_E_AVAIL_IDX);
	virtq_reset(&t.q);
	/* Withdrawing exposed but unconsumed entries is caught too (SPLIT-AV-3). */
	vg_drv_set_avail_idx(t.drv, 3);
	tq_pop_expect(&t, &c, 1);
	vg_drv_set_avail_idx(t.drv, 2);
	ck_assert_rc(virtq_enable_kicks(&t.q), VIRTQ_E_AVAIL_IDX);
	tq_teardown(&t);
}
END_TEST

START_TEST(avail_idx_far_ahead_never_replays_stale_entries)
{
	struct tq t;
	struct virtq_chain c;

	tq_setup(&t, 8, 0);
	vg_drv_set_avail_idx(t.drv, 0x8000);
	tq_pop_expect(&t, &c, VIRTQ_E_AVAIL_IDX);
	ck_assert_uint_eq(virtq_last_avail(&t.q), 0);
	ck_assert_uint_eq(virtq_inflight(&t.q), 0);
	tq_teardown(&t);
}
END_TEST

START_TEST(misaligned_indirect_table_is_read_once_bytewise)
{
	struct tq t;
	const uint16_t idx[1] = {0};
	const struct vg_desc d[1] = {{TABLE + 3, 2 * 16, VG_DESC_F_INDIRECT, 0}};
	struct virtq_chain c;
	uint64_t r, w;
	unsigned n;

	/* Nothing in the spec aligns an indirect table; it must still work. */
	tq_setup(&t, 8, F_INDIRECT);
	vg_drv_write_table_desc(t.drv, TABLE + 3, 0, BUF, 5, VG_DESC_F_NEXT, 1);
	vg_drv_write_table_desc(t.drv, TABLE + 3, 1, BUF + 64, 7, VG_DESC_F_WRITE, 0);
	vg_drv_write_desc(t.drv, idx[0], d[0].addr, d[0].len, d[0].flags, d[0].next);
	vg_drv_set_avail_ring(t.drv, 0, 0);
	vg_drv_set_avail_idx(t.drv, 1);
	tq_pop_expect(&t, &c, 1);
	ck_assert_rc(tq_walk(&c, &r, &w, &n), 0);
	ck_assert_uint_eq(r, 5);
	ck_assert_uint_eq(w, 7);
	tq_teardown(&t);
}
END_TEST

START_TEST(reposted_heads_never_overwrite_unpublished_entries)
{
	struct tq t;
	struct virtq_chain c;
	uint32_t id, len;
	/* The driver re-posts a head the device returned but has not published. */
	int head = tq_setup_full_used_ring(&t, &c);

	ck_assert_rc(virtq_fill(&t.q, &c, 0), 0);
	/* The third fill found the 2-entry ring full and published it first. */
	ck_assert_uint_eq(vg_drv_used_idx(t.drv), 2);
	ck_assert_rc(virtq_flush(&t.q), 0);
	ck_assert_uint_eq(vg_drv_used_idx(t.drv), 3);
	vg_drv_read_used_elem(t.drv, 2, &id, &len);
	ck_assert_uint_eq(id, head);
	tq_teardown(&t);
}
END_TEST

Suite *hostile_suite(void)
{
	Suite *s = suite_create("hostile");
	TCase *tc = tcase_create("attacks");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, head_out_of_range_fails_that_head_only);
	tcase_add_test(tc, head_already_in_flight_is_refused);
	tcase_add_test(tc, next_out_of_range_fails_chain);
	tcase_add_test(tc, descriptor_loop_is_stopped_at_queue_size);
	tcase_add_test(tc, loop_through_whole_32768_table_is_bounded);
	tcase_add_test(tc, indirect_without_feature_is_refused);
	tcase_add_test(tc, nested_indirect_is_refused);
	tcase_add_test(tc, indirect_with_next_is_refused);
	tcase_add_test(tc, indirect_length_must_be_nonzero_multiple_of_16);
	tcase_add_test(tc, indirect_table_bound_is_enforced_and_default_is_1024);
	tcase_add_test(tc, indirect_loop_and_bad_next_are_refused);
	tcase_add_test(tc, indirect_table_outside_memory_or_wrapping_is_refused);
	tcase_add_test(tc, readable_after_writable_is_refused);
	tcase_add_test(tc, buffer_address_overflow_and_range_are_refused);
	tcase_add_test(tc, chain_of_4gib_or_more_is_refused);
	tcase_add_test(tc, avail_idx_jump_beyond_size_breaks_queue_until_reset);
	tcase_add_test(tc, avail_idx_exactly_size_ahead_is_accepted);
	tcase_add_test(tc, avail_idx_moving_backwards_breaks_queue);
	tcase_add_test(tc, avail_idx_far_ahead_never_replays_stale_entries);
	tcase_add_test(tc, misaligned_indirect_table_is_read_once_bytewise);
	tcase_add_test(tc, reposted_heads_never_overwrite_unpublished_entries);
	suite_add_tcase(s, tc);
	return s;
}
