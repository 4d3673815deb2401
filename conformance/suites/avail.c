/* SPDX-License-Identifier: MIT */
/* Catalogue 2.5: the available ring (§2.7.6, §2.7.13). */
#include "common.h"

/*
 * Heads come from a shuffled free list, so ring[i] holds no predictable
 * value: the device must return exactly the head at ring[idx mod Q].
 */
VQC_TEST(SPLIT_AV_1__heads_taken_from_ring_slot_idx_mod_q)
{
	uint32_t q = size_at(_i);
	struct cq_opts o = {.size = q, .shuffle_free = true};
	struct cq c;
	struct cq_spec s = rw_spec(6, 6);

	if (!cq_open(&c, &o))
		return;
	c.slot_clause = "SPLIT-AV-1";
	cq_start_at(&c, (uint16_t)(q - 1));
	rounds(&c, &s, min_u32(2 * q + 3, 300), min_u32(q, 5), CQ_BATCH);
	rounds(&c, &s, min_u32(q + 1, 20), 1, CQ_EACH);
	cq_close(&c);
}

/*
 * Both indices cross 0xFFFF -> 0 (started just before the wrap): no chain
 * lost, duplicated or taken from the wrong slot, used idx free-running.
 * The genuine 65537-completion run from 0 is SPLIT-UNS-12's.
 */
VQC_TEST(SPLIT_AV_2__indices_cross_the_16bit_wrap)
{
	uint32_t q = size_at(_i), before = min_u32(2 * q, 64);
	struct cq c;
	struct cq_spec s = rw_spec(8, 8);

	if (!open_q(&c, q, 0))
		return;
	cq_start_at(&c, (uint16_t)(0x10000u - before - 1));
	rounds(&c, &s, before + 1 + min_u32(2 * q, 64) + 1, min_u32(q, 16), CQ_BATCH);
	rounds(&c, &s, min_u32(q, 4) + 1, 1, CQ_EACH);
	ck_assert_uint_lt(c.drv->avail_pub, 0x8000); /* really crossed */
	cq_close(&c);
}

/* Pop until the queue stops giving chains; @return how many it gave. */
static unsigned raw_drain(struct cq *c, unsigned limit, bool *broken)
{
	struct vdut_chain vc;
	unsigned n = 0;

	for (unsigned i = 0; i < limit; i++) {
		enum vdut_rc rc = cq_pop_raw(c, &vc);

		if (rc == VDUT_QUEUE_BROKEN) {
			*broken = true;
			break;
		}
		if (rc == VDUT_EMPTY)
			break;
		if (rc == VDUT_OK)
			n++;
	}
	return n;
}

/*
 * Robustness: the driver moves avail idx more than Q ahead (iteration 0) or
 * back below entries it exposed (iteration 1).  Taking a stale entry is a
 * replay (fails, SPLIT-AV-3); not reporting the queue as broken is a
 * SHOULD-level finding (GEN-STAT-2: the VMM needs it to set NEEDS_RESET).
 */
VQC_TEST(SPLIT_AV_3__avail_idx_jump_or_decrease_refused)
{
	const uint32_t q = 8;
	struct cq c;
	struct cq_spec s = rw_spec(8, 8);
	bool broken = false;
	unsigned taken;

	if (!open_q(&c, q, 0))
		return;
	c.broken_ok = true;
	c.allow_outstanding = true;
	rounds(&c, &s, 2 * q, q, CQ_BATCH); /* both laps: the ring holds stale heads */
	if (_i == 0) {
		cq_store_avail_idx(&c, (uint16_t)(c.drv->avail_pub + q + 1));
		taken = raw_drain(&c, q + 2, &broken);
		if (taken)
			vqc_fatal("SPLIT-AV-3", "stale-entry-replayed", "no chain (idx moved Q+1 ahead)",
				  vqc_s("%u chains taken", taken),
				  "the device took stale avail entries after avail idx jumped by Q+1");
	} else {
		struct cq_dev *d;

		ck_assert_int_ge(cq_add(&c, &s), 0);
		ck_assert_int_ge(cq_add(&c, &s), 0);
		cq_publish(&c);
		ck_assert_int_eq(cq_pop(&c, &d), VDUT_OK);
		cq_serve(&c, d);
		cq_push(&c, d);
		cq_publish_used(&c);
		cq_reap(&c);
		/* Withdraw both: one was consumed, the other exposed and still waiting. */
		cq_store_avail_idx(&c, (uint16_t)(c.drv->avail_pub - 2));
		taken = raw_drain(&c, q + 2, &broken);
		if (taken > 1)
			vqc_fatal("SPLIT-AV-3", "stale-entry-replayed",
				  "at most the one chain exposed before idx moved back",
				  vqc_s("%u chains taken", taken),
				  "the device took avail entries the driver never exposed again");
	}
	if (broken)
		vqc_find(VQC_INFO, "GEN-STAT-2", "reported-broken", NULL, NULL,
			 "the implementation reported the queue broken (NEEDS_RESET)");
	else
		vqc_find(VQC_WARN, "GEN-STAT-2", "not-reported-broken", "QUEUE_BROKEN", "not reported",
			 "a queue-fatal driver error was not reported (the VMM cannot set NEEDS_RESET)");
	cq_check_memory(&c);
	cq_close(&c);
}

/*
 * Nothing beyond avail idx is exposed: valid-looking chains are staged past
 * idx (descriptors and ring entries written) and the device is kicked; it
 * must take none, also when idx sits at the ring's end and at the 16-bit
 * wrap.  (The same oracle runs on every device-paced pop of the suite.)
 */
VQC_TEST(SPLIT_AV_4__entries_beyond_avail_idx_not_consumed)
{
	uint32_t q = size_at(_i), k = min_u32(q, 3);
	struct cq c;
	struct cq_spec s = rw_spec(8, 8);
	struct cq_dev *d;
	const uint16_t starts[2] = {(uint16_t)(q - 1), 0xFFFF};

	if (!open_q(&c, q, vqc_impl->features & F_EVT))
		return;
	for (int ph = 0; ph < 2; ph++) {
		cq_start_at(&c, starts[ph]);
		ck_assert_uint_gt(cq_add_n(&c, &s, k), 0);
		for (int kick = 0; kick < 2; kick++)
			ck_assert_int_eq(cq_pop(&c, &d), VDUT_EMPTY);
		cq_publish_n(&c, 1);
		cq_serve_exposed(&c, CQ_EACH);
		ck_assert_int_eq(cq_pop(&c, &d), VDUT_EMPTY);
		cq_publish(&c);
		cq_serve_exposed(&c, CQ_BATCH);
		ck_assert_int_eq(cq_pop(&c, &d), VDUT_EMPTY);
		cq_reap(&c);
	}
	cq_close(&c);
}

/* Several heads under one idx update: every one must be processed. */
VQC_TEST(SPLIT_AV_5__batched_idx_update_fully_processed)
{
	uint32_t q = size_at(_i);
	struct cq c;
	struct cq_spec s = rw_spec(8, 8);
	const uint32_t batches[] = {2, 7, q, 3};

	if (!open_q(&c, q, 0))
		return;
	cq_start_at(&c, (uint16_t)(q - 1));
	for (unsigned i = 0; i < 4; i++)
		cq_round(&c, &s, min_u32(batches[i], min_u32(q, 64)), i % 2 ? CQ_EACH : CQ_BATCH);
	cq_close(&c);
}

/* Q chains outstanding: idx - last_avail = Q must read as full, not empty. */
static void full_ring(struct cq *c, bool reverse)
{
	struct cq_spec s = rw_spec(0, 4); /* one descriptor each: Q chains fill the table */
	unsigned n;

	for (uint32_t i = 0; i < c->size; i++)
		ck_assert_int_ge(cq_add(c, &s), 0);
	cq_publish(c);
	n = cq_pop_all(c, "SPLIT-AV-6");
	for (unsigned k = 0; k < n; k++)
		cq_push(c, c->batch[reverse ? n - 1 - k : k]);
	cq_publish_used(c);
	(void)cq_notify(c);
	cq_reap(c);
}

VQC_TEST(SPLIT_AV_6__full_ring_is_handled)
{
	uint32_t q = size_at(_i);
	struct cq c;

	if (!open_q(&c, q, 0))
		return;
	full_ring(&c, false);
	full_ring(&c, true);
	cq_close(&c);
}

const struct vqc_test_def vqc_tests_avail[] = {
	VQC_DEF(SPLIT_AV_1__heads_taken_from_ring_slot_idx_mod_q, "SPLIT-AV-1", CQ_NSIZES, 0),
	VQC_DEF(SPLIT_AV_2__indices_cross_the_16bit_wrap, "SPLIT-AV-2 SPLIT-USED-4", CQ_NSIZES, 0),
	VQC_DEF(SPLIT_AV_3__avail_idx_jump_or_decrease_refused, "SPLIT-AV-3 GEN-STAT-2", 2, 0),
	VQC_DEF(SPLIT_AV_4__entries_beyond_avail_idx_not_consumed, "SPLIT-AV-4", CQ_NSIZES, 0),
	VQC_DEF(SPLIT_AV_5__batched_idx_update_fully_processed, "SPLIT-AV-5", CQ_NSIZES, 0),
	VQC_DEF(SPLIT_AV_6__full_ring_is_handled, "SPLIT-AV-6", CQ_NSIZES, 0),
	{0},
};
