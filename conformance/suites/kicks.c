/* SPDX-License-Identifier: MIT */
/*
 * Catalogue 2.8 and 2.9: available buffer notification (kick) suppression
 * (§2.7.10) and the device's side of virtqueue operation (§2.7.13-14).
 */
#include "common.h"

/* Kicks off and on around rounds; the used ring is sampled after every operation. */
static void kick_cycles(struct cq *c)
{
	struct cq_spec s = rw_spec(8, 8);
	uint32_t q = c->size;

	cq_start_at(c, (uint16_t)(q - 1));
	for (unsigned r = 0; r < 4; r++) {
		cq_disable_kicks(c);
		cq_round(c, &s, min_u32(q, 3), CQ_BATCH);
		(void)cq_enable_kicks(c);
		cq_round(c, &s, 1, CQ_EACH);
	}
}

/* Without EVENT_IDX used flags stay 0 or 1. */
VQC_TEST(SPLIT_ANS_8__used_flags_zero_or_one)
{
	struct cq c;

	if (!open_q(&c, size_at(_i), 0))
		return;
	kick_cycles(&c);
	cq_close(&c);
}

/* With EVENT_IDX used flags stay 0, also while kicks are off. */
VQC_TEST(SPLIT_ANS_10__used_flags_zero_with_event_idx)
{
	struct cq c;

	if (!open_q(&c, size_at(_i), F_EVT))
		return;
	kick_cycles(&c);
	cq_close(&c);
}

/* ---- liveness with a strict-minimal-kick driver ---- */

struct live {
	bool armed, fired;
	enum cq_inj at;
	unsigned n;
	struct cq_spec s;
	uint64_t rng;
};

/* The racing driver: publishes @n chains at the armed point of the device loop. */
static void live_inject(struct cq *c, enum cq_inj where)
{
	struct live *l = c->user;

	if (!l->armed || l->at != where)
		return;
	l->armed = false;
	l->fired = true;
	for (unsigned i = 0; i < l->n; i++)
		if (cq_add(c, &l->s) < 0)
			break;
	cq_publish(c);
}

/*
 * Forty episodes: the driver publishes while the device is idle, between
 * draining and re-enabling kicks, just before the enabling store, or at the
 * re-check, and kicks only when suppression asks for it (SPLIT-ANS-3/6/7).
 * The device runs only on kicks.  Every buffer must complete; what is left
 * at the end stalled.
 */
static void liveness(struct cq *c, const char *clause)
{
	struct live l;

	memset(&l, 0, sizeof(l));
	l.s = rw_spec(0, 8);
	l.rng = 0x2545F4914F6CDD1Dull ^ c->size;
	c->user = &l;
	c->inject = live_inject;
	for (unsigned ep = 0; ep < 40; ep++) {
		uint32_t room, n;

		cq_reap(c);
		room = c->drv->num_free;
		l.rng ^= l.rng << 13;
		l.rng ^= l.rng >> 7;
		l.rng ^= l.rng << 17;
		n = 1 + (uint32_t)(l.rng % 3);
		if (room == 0)
			break; /* everything outstanding: the stall check below decides */
		if (room < 2 || l.rng % 4 == 0) {
			for (uint32_t i = 0; i < min_u32(n, room); i++)
				ck_assert_int_ge(cq_add(c, &l.s), 0);
			cq_publish(c);
			cq_run_kicks(c);
			continue;
		}
		l.at = (enum cq_inj)((l.rng >> 8) % 3);
		l.n = min_u32(n, room - 1);
		l.armed = true;
		l.fired = false;
		ck_assert_int_ge(cq_add(c, &l.s), 0);
		cq_publish(c);
		cq_run_kicks(c);
		l.armed = false;
	}
	cq_run_kicks(c);
	cq_reap(c);
	if (c->drv->exposed)
		vqc_find(VQC_FAIL, clause, "stall", "every published buffer completed",
			 vqc_s("%u outstanding, no kick due", c->drv->exposed),
			 "liveness: the strict driver is waiting for buffers the device will never "
			 "see (avail idx %u, device at %u, used flags 0x%x, avail_event %u, %llu kicks)",
			 c->drv->avail_pub, c->consumed, cq_mem_used_flags(c), cq_mem_avail_event(c),
			 (unsigned long long)c->drv->kicks);
	c->inject = NULL;
	c->allow_outstanding = true; /* reported above */
}

/* Without EVENT_IDX: used flags as the kick hint. */
VQC_TEST(SPLIT_ANS_9__liveness_with_flag_suppression)
{
	struct cq c;

	if (!open_q(&c, size_at(_i), 0))
		return;
	liveness(&c, "SPLIT-ANS-9");
	cq_close(&c);
}

/* With EVENT_IDX: avail_event as the kick hint, also across the avail idx wrap. */
VQC_TEST(SPLIT_ANS_11__liveness_with_avail_event)
{
	struct cq c;

	if (!open_q(&c, size_at(_i / 2), F_EVT))
		return;
	if (_i % 2)
		cq_start_at(&c, 0xFFF0);
	liveness(&c, "SPLIT-ANS-11");
	cq_close(&c);
}

/*
 * Spurious kicks: with nothing new, repeated, and before the idx store with
 * chains staged beyond idx.  Nothing may be consumed (the pop oracle), the
 * used ring must not move, and the queue must not break.
 */
VQC_TEST(SPLIT_ANS_12__spurious_kicks_are_harmless)
{
	uint32_t q = size_at(_i / 2);
	uint64_t f = (_i % 2) ? (vqc_impl->features & F_EVT) : 0;
	struct cq c;
	struct cq_spec s = rw_spec(8, 8);
	struct cq_dev *d;
	uint16_t used;

	if (!open_q(&c, q, f))
		return;
	cq_start_at(&c, (uint16_t)(q - 1));
	cq_round(&c, &s, 1, CQ_EACH);
	used = cq_mem_used_idx(&c);
	for (int k = 0; k < 3; k++)
		ck_assert_int_eq(cq_pop(&c, &d), VDUT_EMPTY);
	ck_assert_uint_gt(cq_add_n(&c, &s, min_u32(q, 2)), 0);
	for (int k = 0; k < 2; k++)
		ck_assert_int_eq(cq_pop(&c, &d), VDUT_EMPTY);
	if (cq_mem_used_idx(&c) != used)
		vqc_find(VQC_FAIL, "SPLIT-ANS-12", "used-write-on-spurious-kick",
			 vqc_s("used idx %u", used), vqc_s("used idx %u", cq_mem_used_idx(&c)),
			 "a kick with nothing published moved the used ring");
	cq_publish(&c);
	cq_serve_exposed(&c, CQ_EACH);
	for (int k = 0; k < 2; k++)
		ck_assert_int_eq(cq_pop(&c, &d), VDUT_EMPTY);
	cq_round(&c, &s, min_u32(q, 2), CQ_BATCH);
	cq_close(&c);
}

/*
 * The device's mirror of the driver's barrier rules: full fence between the
 * used idx store and reading flags / used_event, and between re-enabling
 * kicks and re-reading avail idx (access log, ORD-F1/F2), with a driver
 * publishing at the racy points of the loop.
 */
VQC_TEST(SPLIT_OP_7__full_fences_around_suppression_fields)
{
	struct cq c;

	if (!open_q(&c, 8, _i ? F_EVT : 0) || !cq_need_log(&c))
		return;
	liveness(&c, _i ? "SPLIT-ANS-11" : "SPLIT-ANS-9");
	if (!c.drv->exposed)
		kick_cycles(&c);
	if (vqc_count("ORD-F1", VQC_FAIL) + vqc_count("ORD-F2", VQC_FAIL))
		vqc_find(VQC_FAIL, "SPLIT-OP-7", "missing-fence", "full fences F1 and F2",
			 "missing (see ORD-F1 / ORD-F2)", "a full fence the device needs is missing");
	cq_close(&c);
}

const struct vqc_test_def vqc_tests_kicks[] = {
	VQC_DEF(SPLIT_ANS_8__used_flags_zero_or_one, "SPLIT-ANS-8", CQ_NSIZES, 0),
	VQC_DEF(SPLIT_ANS_9__liveness_with_flag_suppression, "SPLIT-ANS-9", CQ_NSIZES, 0),
	VQC_DEF(SPLIT_ANS_10__used_flags_zero_with_event_idx, "SPLIT-ANS-10", CQ_NSIZES, 0),
	VQC_DEF(SPLIT_ANS_11__liveness_with_avail_event, "SPLIT-ANS-11", 2 * CQ_NSIZES, 0),
	VQC_DEF(SPLIT_ANS_12__spurious_kicks_are_harmless, "SPLIT-ANS-12", 2 * CQ_NSIZES, 0),
	VQC_DEF(SPLIT_OP_7__full_fences_around_suppression_fields, "SPLIT-OP-7 ORD-F1 ORD-F2", 2, 0),
	{0},
};
