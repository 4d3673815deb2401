/* SPDX-License-Identifier: MIT */
/* Free-running 16-bit indices across the wrap (SPLIT-AV-2, SPLIT-USED-4, UNS-12). */
#include "unit.h"

/* One readable and one writable buffer, allocated once and reused. */
struct bufs {
	uint64_t rd, wr;
};

static struct bufs bufs_alloc(struct tq *t)
{
	struct bufs b = {vg_mem_alloc(&t->mem, 64, 8), vg_mem_alloc(&t->mem, 64, 8)};

	ck_assert(b.rd != 0 && b.wr != 0);
	return b;
}

/* Driver: add a 2-buffer chain whose payload encodes @seq. */
static int add_seq(struct tq *t, const struct bufs *b, uint32_t seq, unsigned ndirect)
{
	struct vg_chain ch;

	ck_assert(vg_mem_write(&t->mem, b->rd, &seq, sizeof(seq)));
	vg_chain_init(&ch);
	vg_chain_ref(&ch, b->rd, sizeof(seq), false);
	vg_chain_ref(&ch, b->wr, sizeof(seq), true);
	return vg_drv_add(t->drv, &ch, ndirect, seq);
}

/* Device: pop one chain, echo the sequence number back with its complement. */
static void serve_one(struct tq *t, uint32_t want_seq)
{
	struct virtq_chain c;
	struct virtq_seg rs[4], ws[4];
	struct virtq_iov rd, wr;
	uint32_t seq, reply;

	tq_pop_expect(t, &c, 1);
	virtq_iov_init(&rd, rs, 4);
	virtq_iov_init(&wr, ws, 4);
	ck_assert_rc(virtq_chain_collect(&c, &rd, &wr), 0);
	ck_assert_uint_eq(virtq_iov_read(&rd, &seq, sizeof(seq)), sizeof(seq));
	ck_assert_uint_eq(seq, want_seq);
	reply = ~seq;
	ck_assert_uint_eq(virtq_iov_write(&wr, &reply, sizeof(reply)), sizeof(reply));
	ck_assert_rc(virtq_fill(&t->q, &c, sizeof(reply)), 0);
}

static void run_past_wrap(uint32_t size, uint64_t features, uint32_t total)
{
	struct tq t;
	struct bufs b;
	uint32_t seq = 0, done = 0, id, len;
	uint64_t token;

	tq_setup(&t, size, features);
	b = bufs_alloc(&t);
	while (done < total) {
		/*
		 * Batches of 1..size/2 two-descriptor chains; with INDIRECT_DESC
		 * every other chain is all-indirect or direct-then-indirect, and
		 * on a 1-entry queue every chain is one INDIRECT descriptor.
		 */
		uint32_t batch = 1 + (seq % (size >= 2 ? size / 2 : 1));

		if (batch > total - done)
			batch = total - done;

		for (uint32_t i = 0; i < batch; i++) {
			unsigned ndirect = size == 1 ? 0
					   : (features & F_INDIRECT) && (seq & 1) ? (seq & 2) >> 1 : 8;

			/* One buffer pair serves one chain at a time: publish and serve singly. */
			ck_assert_int_ge(add_seq(&t, &b, seq, ndirect), 0);
			vg_drv_publish(t.drv);
			serve_one(&t, seq);
			seq++;
		}
		ck_assert_rc(virtq_flush(&t.q), 0);
		for (uint32_t i = 0; i < batch; i++) {
			ck_assert_int_eq(vg_drv_get_used(t.drv, &id, &len, &token), 1);
			ck_assert_uint_eq(token, done);
			ck_assert_uint_eq(len, 4);
			done++;
		}
		/* Only the last reply is still in the buffer; it must match. */
		uint32_t reply;
		ck_assert(vg_mem_read(&t.mem, b.wr, &reply, 4));
		ck_assert_uint_eq(reply, ~(seq - 1));
	}
	ck_assert_uint_eq(virtq_used_idx(&t.q), (uint16_t)total);
	ck_assert_uint_eq(virtq_last_avail(&t.q), (uint16_t)total);
	ck_assert_uint_eq(virtq_inflight(&t.q), 0);
	tq_teardown(&t);
}

START_TEST(size_1_runs_past_65536_indirect)
{
	run_past_wrap(1, F_INDIRECT, 70000);
}
END_TEST

START_TEST(size_2_runs_past_65536_event_idx)
{
	run_past_wrap(2, F_EVENT_IDX, 70000);
}
END_TEST

START_TEST(size_8_runs_past_131072_with_indirect)
{
	run_past_wrap(8, F_INDIRECT | F_EVENT_IDX, 140000);
}
END_TEST

START_TEST(used_event_pinned_at_0_notifies_twice_in_65537)
{
	struct tq t;
	struct bufs b;
	struct virtq_chain c;
	unsigned notified = 0;
	uint32_t first = 0, second = 0;

	/* SPLIT-UNS-12: slot 0 is filled by completion 1 and by completion 65537. */
	tq_setup(&t, 4, F_EVENT_IDX);
	b = bufs_alloc(&t);
	vg_drv_set_used_event(t.drv, 0);
	for (uint32_t n = 1; n <= 65537; n++) {
		bool notify;

		ck_assert_int_ge(add_seq(&t, &b, n, 8), 0);
		vg_drv_publish(t.drv);
		tq_pop_expect(&t, &c, 1);
		ck_assert_rc(virtq_push(&t.q, &c, 0, &notify), 0);
		ck_assert_int_eq(vg_drv_get_used(t.drv, NULL, NULL, NULL), 1);
		if (notify) {
			notified++;
			if (notified == 1)
				first = n;
			else
				second = n;
		}
	}
	ck_assert_uint_eq(notified, 2);
	ck_assert_uint_eq(first, 1);
	ck_assert_uint_eq(second, 65537);
	tq_teardown(&t);
}
END_TEST

START_TEST(avail_idx_check_holds_across_the_wrap)
{
	struct tq t;
	struct virtq_chain c;

	tq_setup(&t, 8, 0);
	ck_assert_rc(virtq_restore(&t.q, 0xFFFC, 0xFFFC), 0);
	vg_drv_set_avail_idx(t.drv, 0x0004); /* 8 ahead across the wrap: full ring */
	for (int i = 0; i < 8; i++) {
		vg_drv_set_avail_ring(t.drv, (uint16_t)(0xFFFC + i), (uint16_t)i);
	}
	for (int i = 0; i < 8; i++)
		tq_pop_expect(&t, &c, 1);
	tq_pop_expect(&t, &c, 0);
	virtq_reset(&t.q);
	ck_assert_rc(virtq_restore(&t.q, 0xFFFC, 0xFFFC), 0);
	vg_drv_set_avail_idx(t.drv, 0x0005); /* 9 ahead: broken */
	tq_pop_expect(&t, &c, VIRTQ_E_AVAIL_IDX);
	tq_teardown(&t);
}
END_TEST

Suite *wrap_suite(void)
{
	Suite *s = suite_create("wrap");
	TCase *tc = tcase_create("wrap");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, size_1_runs_past_65536_indirect);
	tcase_add_test(tc, size_2_runs_past_65536_event_idx);
	tcase_add_test(tc, size_8_runs_past_131072_with_indirect);
	tcase_add_test(tc, used_event_pinned_at_0_notifies_twice_in_65537);
	tcase_add_test(tc, avail_idx_check_holds_across_the_wrap);
	suite_add_tcase(s, tc);
	return s;
}
