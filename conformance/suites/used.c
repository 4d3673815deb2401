/* SPDX-License-Identifier: MIT */
/* Catalogue 2.7: the used ring (§2.7.8) and in-order use (§2.7.9); VQ-GEN-2 (§2.6). */
#include "common.h"

/*
 * The device writes only inside its used ring: guard bytes before and after
 * it, the ring wrapping at its end, with and without EVENT_IDX (avail_event
 * written without it is recorded, not failed).
 */
VQC_TEST(SPLIT_USED_1__device_writes_only_inside_the_used_ring)
{
	uint32_t q = size_at(_i / 2);
	uint64_t f = (_i % 2) ? (vqc_impl->features & F_EVT) : 0;
	struct cq c;
	struct cq_spec s = rw_spec(8, 8);

	if (!open_q(&c, q, f))
		return;
	cq_start_at(&c, (uint16_t)(q - 2));
	rounds(&c, &s, min_u32(q, 4) + 2, min_u32(q, 4), CQ_BATCH);
	cq_disable_kicks(&c);
	rounds(&c, &s, 2, 1, CQ_EACH);
	(void)cq_enable_kicks(&c);
	cq_check_memory(&c);
	cq_close(&c);
}

/* Push the popped chains of c->batch in a shuffled order. */
static void push_shuffled(struct cq *c, unsigned n, uint64_t seed)
{
	for (unsigned i = n; i > 1; i--) {
		unsigned j;
		struct cq_dev *t;

		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		j = (unsigned)((seed >> 33) % i);
		t = c->batch[i - 1];
		c->batch[i - 1] = c->batch[j];
		c->batch[j] = t;
	}
	for (unsigned i = 0; i < n; i++)
		cq_push(c, c->batch[i]);
}

/* Ids name outstanding heads, each returned once, also out of order. */
VQC_TEST(SPLIT_USED_2__ids_are_outstanding_heads_returned_once)
{
	uint32_t q = size_at(_i);
	struct cq c;
	struct cq_spec s = rw_spec(8, 8);

	if (!open_q(&c, q, 0))
		return;
	cq_start_at(&c, (uint16_t)(q - 1));
	for (unsigned r = 0; r < 6; r++) {
		unsigned n;

		ck_assert_uint_gt(cq_add_n(&c, &s, 5), 0);
		cq_publish(&c);
		n = cq_pop_all(&c, "SPLIT-AV-5");
		push_shuffled(&c, n, r + 1);
		cq_publish_used(&c);
		(void)cq_notify(&c);
		cq_reap(&c);
	}
	cq_close(&c);
}

/*
 * len is the bytes written into the writable part: exact for an honest
 * device, 0 for a read-only chain, never above the writable part even when
 * the device model claims more (a library or its glue must cap it), and an
 * underestimate stands (SPLIT-USED-7).
 */
VQC_TEST(SPLIT_USED_3__len_never_exceeds_the_writable_part)
{
	struct cq c;
	struct cq_spec s;

	if (!open_q(&c, _i ? 256 : 8, 0))
		return;
	s = rw_spec(16, 24);
	cq_round(&c, &s, 2, CQ_EACH);
	if (c.last_len != 24)
		vqc_find(VQC_FAIL, "SPLIT-USED-3", "len-not-written", "len 24 (bytes written)",
			 vqc_s("len %u", c.last_len), "an honest device's len was changed");
	s = rw_spec(16, 0); /* read-only: the device's reply has nowhere to go */
	cq_round(&c, &s, 2, CQ_EACH);
	s = rw_spec(16, 0);
	s.claim = 50;
	cq_round(&c, &s, 1, CQ_EACH);
	s = rw_spec(16, 24);
	s.claim = 24 + 100;
	cq_round(&c, &s, 2, CQ_BATCH);
	cq_spec_init(&s);
	cq_spec_buf(&s, 8, false);
	cq_spec_buf(&s, 10, true);
	cq_spec_buf(&s, 6, true);
	s.claim = 0x10000;
	cq_round(&c, &s, 1, CQ_EACH);
	s = rw_spec(16, 24);
	s.claim = 7; /* underestimate: allowed */
	cq_round(&c, &s, 1, CQ_EACH);
	cq_close(&c);
}

/*
 * used idx is free-running: started near the 16-bit wrap, it must equal the
 * entries pushed after each publish, never run ahead of the outstanding
 * chains, and cross 0xFFFF -> 0.
 */
VQC_TEST(SPLIT_USED_4__used_idx_free_running)
{
	uint32_t q = size_at(_i);
	struct cq c;
	struct cq_spec s = rw_spec(4, 4);

	if (!open_q(&c, q, 0))
		return;
	cq_start_at(&c, (uint16_t)(0x10000u - min_u32(q, 8) - 1));
	rounds(&c, &s, 2 * min_u32(q, 8) + 2, min_u32(q, 8), CQ_FILL);
	rounds(&c, &s, 3, 1, CQ_EACH);
	cq_close(&c);
}

/* The ordering tests share one load: batches, single chains, several writable buffers. */
static void ordering_load(struct cq *c)
{
	struct cq_spec a = rw_spec(8, 16), b;
	uint32_t q = c->size;

	cq_spec_init(&b);
	cq_spec_buf(&b, 4, false);
	cq_spec_buf(&b, 3, true);
	cq_spec_buf(&b, 5, true);
	cq_spec_buf(&b, 9, true);
	cq_start_at(c, (uint16_t)(q - 1));
	rounds(c, &a, min_u32(q, 6), min_u32(q, 3), CQ_FILL);
	rounds(c, &b, min_u32(q, 4), min_u32(q, 2), CQ_BATCH);
	rounds(c, &a, 3, 1, CQ_EACH);
}

/* len is in place when the used idx store that publishes it happens (access log). */
VQC_TEST(SPLIT_USED_5__len_written_before_used_idx)
{
	struct cq c;

	if (!open_q(&c, size_at(_i), 0) || !cq_need_log(&c))
		return;
	ordering_load(&c);
	cq_close(&c);
}

/* The first len bytes of the writable part, across descriptors, precede the used idx store. */
VQC_TEST(SPLIT_USED_6__data_written_before_used_idx)
{
	struct cq c;

	if (!open_q(&c, size_at(_i), 0) || !cq_need_log(&c))
		return;
	ordering_load(&c);
	cq_close(&c);
}

/* The id is in place when the used idx store that publishes it happens (access log). */
VQC_TEST(SPLIT_USED_11__id_written_before_used_idx)
{
	struct cq c;

	if (!open_q(&c, size_at(_i), vqc_impl->features & F_EVT) || !cq_need_log(&c))
		return;
	ordering_load(&c);
	cq_close(&c);
}

/* Without IN_ORDER buffers may come back in any order: reverse and shuffled. */
VQC_TEST(VQ_GEN_2__out_of_order_completion)
{
	uint32_t q = _i ? 256 : 8;
	struct cq c;
	struct cq_spec s = rw_spec(8, 12);

	if (!open_q(&c, q, 0))
		return;
	for (unsigned r = 0; r < 4; r++) {
		unsigned n;

		ck_assert_uint_gt(cq_add_n(&c, &s, 8), 0);
		cq_publish(&c);
		n = cq_pop_all(&c, "SPLIT-AV-5");
		if (r % 2) {
			push_shuffled(&c, n, 77 + r);
		} else {
			for (unsigned k = 0; k < n; k++)
				cq_push(&c, c.batch[n - 1 - k]);
		}
		cq_publish_used(&c);
		(void)cq_notify(&c);
		cq_reap(&c);
	}
	cq_close(&c);
}

/*
 * VIRTIO_F_IN_ORDER: used in avail order, optionally one entry per batch.
 * n/a for implementations without the feature (the core); for one that
 * offers it the suite still lacks an observer for batched used entries
 * (SPLIT-INO-1 lets one entry stand for a run), so it says untested rather
 * than misreading skipped slots as SPLIT-USED-2 failures.
 */
static void in_order_untested(struct cq *c)
{
	vqc_set_status("untested", "the suite has no observer for in-order batched used entries yet");
	c->allow_outstanding = true;
	cq_close(c);
}
VQC_TEST(SPLIT_INO_1__in_order_batches)
{
	struct cq c;

	if (!open_q(&c, 8, F_INO))
		return;
	in_order_untested(&c);
}

VQC_TEST(FB_INO_1__used_in_avail_order)
{
	struct cq c;

	if (!open_q(&c, 8, F_INO))
		return;
	in_order_untested(&c);
}

const struct vqc_test_def vqc_tests_used[] = {
	VQC_DEF(SPLIT_USED_1__device_writes_only_inside_the_used_ring, "SPLIT-USED-1",
		2 * CQ_NSIZES, 0),
	VQC_DEF(SPLIT_USED_2__ids_are_outstanding_heads_returned_once, "SPLIT-USED-2", CQ_NSIZES, 0),
	VQC_DEF(SPLIT_USED_3__len_never_exceeds_the_writable_part, "SPLIT-USED-3", 2, 0),
	VQC_DEF(SPLIT_USED_4__used_idx_free_running, "SPLIT-USED-4", CQ_NSIZES, 0),
	VQC_DEF(SPLIT_USED_5__len_written_before_used_idx, "SPLIT-USED-5", CQ_NSIZES, 0),
	VQC_DEF(SPLIT_USED_6__data_written_before_used_idx, "SPLIT-USED-6", CQ_NSIZES, 0),
	VQC_DEF(SPLIT_USED_11__id_written_before_used_idx, "SPLIT-USED-11", CQ_NSIZES, 0),
	VQC_DEF(VQ_GEN_2__out_of_order_completion, "VQ-GEN-2", 2, 0),
	VQC_DEF(SPLIT_INO_1__in_order_batches, "SPLIT-INO-1", 1, 0),
	VQC_DEF(FB_INO_1__used_in_avail_order, "FB-INO-1", 1, 0),
	{0},
};
