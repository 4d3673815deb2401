/* SPDX-License-Identifier: MIT */
/*
 * Catalogue 4.3: the device's memory-ordering duties.  Not single-threaded
 * observable as races, so checked exactly on the access log: every test
 * runs a load that exercises the accesses around one fence and the log's
 * state machine (cq.c) reports a missing fence under its ORD- row.
 */
#include "common.h"

static uint64_t feat(int i) { return i ? (vqc_impl->features & F_EVT) : 0; }

/* Chains popped one by one and in batches, direct and (if offered) indirect. */
static void pop_load(struct cq *c)
{
	struct cq_spec a = rw_spec(12, 12), b = rw_spec(12, 12);

	b.ndirect = (vqc_impl->features & F_IND) && (c->features & F_IND) ? 0 : CQ_DIRECT;
	cq_start_at(c, (uint16_t)(c->size - 1));
	rounds(c, &a, 6, 1, CQ_EACH);
	rounds(c, &a, 6, 3, CQ_BATCH);
	rounds(c, &b, 4, 2, CQ_FILL);
}

/* R1: avail idx load, acquire, then the ring entries, descriptors and buffers it exposes. */
VQC_TEST(ORD_R1__acquire_between_avail_idx_and_what_it_exposes)
{
	struct cq c;

	if (!open_q(&c, 8, feat(_i) | (vqc_impl->features & F_IND)) || !cq_need_log(&c))
		return;
	pop_load(&c);
	cq_close(&c);
}

/* W1: reply data and used entries, release, then used idx. */
VQC_TEST(ORD_W1__release_between_used_entries_and_used_idx)
{
	struct cq c;

	if (!open_q(&c, 8, feat(_i)) || !cq_need_log(&c))
		return;
	pop_load(&c);
	cq_close(&c);
}

/* F1: used idx store, full fence, then avail flags / used_event. */
VQC_TEST(ORD_F1__full_fence_between_used_idx_and_suppression_read)
{
	struct cq c;

	if (!open_q(&c, 8, feat(_i)) || !cq_need_log(&c))
		return;
	pop_load(&c);
	cq_close(&c);
}

/* F2: kicks re-enabled, full fence, then avail idx re-read. */
VQC_TEST(ORD_F2__full_fence_between_enabling_kicks_and_recheck)
{
	struct cq c;
	struct cq_spec s = rw_spec(8, 8);

	if (!open_q(&c, 8, feat(_i)) || !cq_need_log(&c))
		return;
	for (unsigned r = 0; r < 4; r++) {
		ck_assert_int_ge(cq_add(&c, &s), 0);
		cq_publish(&c);
		cq_device_kick(&c);
		cq_reap(&c);
	}
	cq_close(&c);
}

const struct vqc_test_def vqc_tests_order[] = {
	VQC_DEF(ORD_R1__acquire_between_avail_idx_and_what_it_exposes, "ORD-R1", 2, 0),
	VQC_DEF(ORD_W1__release_between_used_entries_and_used_idx, "ORD-W1", 2, 0),
	VQC_DEF(ORD_F1__full_fence_between_used_idx_and_suppression_read, "ORD-F1", 2, 0),
	VQC_DEF(ORD_F2__full_fence_between_enabling_kicks_and_recheck, "ORD-F2", 2, 0),
	{0},
};
