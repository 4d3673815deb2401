/* SPDX-License-Identifier: MIT */
/*
 * Catalogue 2.6 and 4.1/4.2: used buffer notification suppression (§2.7.7)
 * and the event-index window.  The oracle (cq.h) judges every decision; the
 * tests build the situations and, where a clause needs more than the
 * oracle's generic attribution, say so.
 */
#include "common.h"

/* One chain, served, pushed, published and decided alone. */
static void one(struct cq *c, const struct cq_spec *s) { cq_round(c, s, 1, CQ_EACH); }

/*
 * Without EVENT_IDX used_event means nothing.  With flags = 0 and hostile,
 * changing used_event every publish must notify (a miss is counted against
 * SPLIT-UNS-6 here).  With flags = 1 and used_event alternately on the next
 * slot and far away, a device that notifies exactly on the used_event
 * rounds is honouring it.
 */
VQC_TEST(SPLIT_UNS_6__used_event_ignored_without_event_idx)
{
	uint32_t q = size_at(_i);
	struct cq c;
	struct cq_spec s = rw_spec(8, 8);
	unsigned hit = 0, nonhit = 0;

	if (!open_q(&c, q, 0))
		return;
	cq_start_at(&c, (uint16_t)(q - 1));
	c.or.miss_clause = "SPLIT-UNS-6";
	for (unsigned r = 0; r < 6; r++) {
		const uint16_t u = c.drv->last_used;
		const uint16_t hostile[6] = {(uint16_t)(u - 1), (uint16_t)(u + 100), 0xFFFF, 0x8000,
					     77, (uint16_t)(u + 1)};

		cq_set_used_event(&c, hostile[r]);
		one(&c, &s);
		cq_set_used_event(&c, (uint16_t)(hostile[r] ^ 0x5555));
		cq_round(&c, &s, min_u32(q, 3), CQ_BATCH);
	}
	c.or.miss_clause = NULL;
	cq_set_flags(&c, VG_AVAIL_F_NO_INTERRUPT);
	for (unsigned r = 0; r < 8; r++) {
		bool on_slot = r % 2 == 0;

		cq_set_used_event(&c, on_slot ? c.drv->last_used : (uint16_t)(c.drv->last_used + 1000));
		one(&c, &s);
		if (c.or.last_notified)
			*(on_slot ? &hit : &nonhit) += 1;
	}
	if (hit && !nonhit)
		vqc_find(VQC_FAIL, "SPLIT-UNS-6", "honours-used-event", "used_event disregarded",
			 vqc_s("notified on %u of 4 used_event slots, never elsewhere", hit),
			 "with flags = 1 the device notified exactly when used_event's slot was filled");
	cq_set_flags(&c, 0);
	cq_close(&c);
}

/* flags = 1 (alone and with other bits): notifications are SHOULD NOT, counted as warnings. */
VQC_TEST(SPLIT_UNS_7__no_interrupt_suppresses_notifications)
{
	uint32_t q = size_at(_i);
	struct cq c;
	struct cq_spec s = rw_spec(8, 8);
	const uint16_t flags[3] = {0x0001, 0x0003, 0xFFFF};

	if (!open_q(&c, q, 0))
		return;
	cq_start_at(&c, (uint16_t)(q - 1));
	for (unsigned r = 0; r < 3; r++) {
		cq_set_flags(&c, flags[r]);
		one(&c, &s);
		cq_round(&c, &s, min_u32(q, 4), CQ_BATCH);
	}
	cq_close(&c);
}

/* flags = 0 (also with bits other than bit 0 set): every non-empty window must notify. */
VQC_TEST(SPLIT_UNS_8__notifies_while_flags_bit_0_clear)
{
	uint32_t q = size_at(_i);
	struct cq c;
	struct cq_spec s = rw_spec(8, 8);
	const uint16_t flags[2] = {0x0000, 0xFFFE};

	if (!open_q(&c, q, 0))
		return;
	cq_start_at(&c, (uint16_t)(q - 1));
	for (unsigned r = 0; r < 2; r++) {
		cq_set_flags(&c, flags[r]);
		rounds(&c, &s, 3, 1, CQ_EACH);
		rounds(&c, &s, min_u32(q, 5), min_u32(q, 5), CQ_BATCH);
		rounds(&c, &s, 2, 1, CQ_FILL);
		(void)cq_notify(&c);
	}
	ck_assert_uint_ge(c.or.required, 6);
	cq_close(&c);
}

/*
 * With EVENT_IDX, flags bit 0 is disregarded (older Linux drivers set it):
 * flags = 1 and used_event strictly inside each published window (three
 * publishes per decision), so the notification is required whatever the
 * window's edges.
 */
VQC_TEST(SPLIT_UNS_9__flags_ignored_with_event_idx)
{
	uint32_t q = size_at(_i);
	struct cq c;
	struct cq_spec s = rw_spec(8, 8);

	if (!open_q(&c, q, F_EVT))
		return;
	cq_start_at(&c, (uint16_t)(q - 1));
	cq_set_flags(&c, VG_AVAIL_F_NO_INTERRUPT);
	c.or.miss_clause = "SPLIT-UNS-9";
	for (unsigned r = 0; r < 4; r++) {
		cq_set_used_event(&c, (uint16_t)(c.drv->last_used + 1));
		rounds(&c, &s, 3, 1, CQ_FILL);
		(void)cq_notify(&c);
	}
	ck_assert_uint_ge(c.or.required, 4);
	cq_close(&c);
}

/*
 * The need_event matrix (iteration: size x fresh / near the wrap):
 * used_event on the next slot; k slots ahead; on the first, a middle and the
 * last slot of a batch; moved between rounds; 0xFFFF and 0x0000 while both
 * indices cross the 16-bit wrap.  Every scenario runs through the round that
 * fills used_event's slot, so an early notification is always followed by
 * the decision that shows it was misplaced.
 */
VQC_TEST(SPLIT_UNS_10__notifies_when_used_event_slot_is_filled)
{
	uint32_t q = size_at(_i / 2), b = min_u32(q, 4);
	bool wrap = _i % 2;
	struct cq c;
	struct cq_spec s = rw_spec(8, 8);

	if (!open_q(&c, q, F_EVT))
		return;
	if (wrap) {
		cq_start_at(&c, 0xFFF8);
		cq_set_used_event(&c, 0xFFFF);
		while (c.drv->last_used != 0x0000)
			one(&c, &s);
		cq_set_used_event(&c, 0x0000);
		one(&c, &s);
	}
	for (unsigned k = 0; k < 3; k++) {
		cq_set_used_event(&c, c.drv->last_used);
		one(&c, &s);
	}
	for (uint16_t k = 1; k <= 3; k++) {
		cq_set_used_event(&c, (uint16_t)(c.drv->last_used + k));
		for (uint16_t j = 0; j <= k; j++)
			one(&c, &s);
	}
	if (q >= 2) {
		for (uint32_t at = 0; at < b; at += (b > 2 ? b - 1 : 1)) {
			cq_set_used_event(&c, (uint16_t)(c.drv->last_used + at));
			cq_round(&c, &s, b, CQ_BATCH);
		}
		cq_set_used_event(&c, (uint16_t)(c.drv->last_used + 1));
		cq_round(&c, &s, b, CQ_BATCH);
	}
	cq_set_used_event(&c, (uint16_t)(c.drv->last_used + 5));
	one(&c, &s);
	cq_set_used_event(&c, c.drv->last_used);
	one(&c, &s);
	ck_assert_uint_ge(c.or.required, wrap ? 9 : 7);
	cq_close(&c);
}

/* used_event already passed, or far ahead: every notification is an extra (warning). */
VQC_TEST(SPLIT_UNS_11__no_notification_outside_used_event)
{
	uint32_t q = size_at(_i);
	struct cq c;
	struct cq_spec s = rw_spec(8, 8);

	if (!open_q(&c, q, F_EVT))
		return;
	cq_start_at(&c, (uint16_t)(q - 1));
	cq_set_used_event(&c, (uint16_t)(c.drv->last_used - 1));
	rounds(&c, &s, 4, 1, CQ_EACH);
	cq_round(&c, &s, min_u32(q, 4), CQ_BATCH);
	cq_set_used_event(&c, (uint16_t)(c.drv->last_used + 0x4000));
	rounds(&c, &s, 4, 1, CQ_EACH);
	cq_round(&c, &s, min_u32(q, 4), CQ_BATCH);
	cq_close(&c);
}

/*
 * 65537 completions from a fresh queue with used_event pinned at 0: exactly
 * two notifications are required (after buffer 1 and after buffer 65537,
 * slot 0 again), at every queue size.  Misses and extras are the oracle's
 * (SPLIT-UNS-10 / UNS-11); missing only the second one is the wrap bug this
 * clause is about.  Both indices cross 0xFFFF -> 0 (SPLIT-AV-2, USED-4).
 */
VQC_TEST(SPLIT_UNS_12__used_event_pinned_at_0_over_65537_completions)
{
	uint32_t q = size_at(_i), total = 65537, per = q <= 8 ? q : min_u32(q, 32768);
	enum cq_mode m = q <= 8 ? CQ_EACH : CQ_BATCH;
	struct cq c;
	struct cq_spec s = rw_spec(0, 4);

	if (!open_q(&c, q, F_EVT))
		return;
	cq_set_used_event(&c, 0);
	for (uint32_t done = 0; done < total;) {
		uint32_t k = min_u32(per, total - done);

		cq_round(&c, &s, k, m);
		done += k;
	}
	ck_assert_uint_eq(cq_mem_used_idx(&c), 1);
	ck_assert_msg(c.or.required == 2, "suite bug: %llu required notifications, expected 2",
		      (unsigned long long)c.or.required);
	if (c.or.req_log[0].notified && !c.or.req_log[1].notified)
		vqc_find(VQC_FAIL, "SPLIT-UNS-12", "second-notification-missing",
			 "notifications after buffer 1 and after buffer 65537",
			 "only after buffer 1",
			 "used_event 0 was honoured once but not when slot 0 came round again");
	cq_close(&c);
}

/*
 * The decision window runs from the previous decision, whether that one
 * notified or not: used_event inside the earlier of two flushes published
 * before one decision must still notify (a miss counts against EVT-WIN-1),
 * and an event two windows ahead is found after silent decisions.
 */
VQC_TEST(EVT_WIN_1__window_runs_from_the_previous_decision)
{
	const uint32_t sizes[3] = {8, 256, 32768};
	uint32_t q = sizes[_i];
	struct cq c;
	struct cq_spec s = rw_spec(4, 4);

	if (!open_q(&c, q, F_EVT))
		return;
	cq_start_at(&c, (uint16_t)(q - 3));
	c.or.miss_clause = "EVT-WIN-1";
	for (unsigned r = 0; r < 3; r++) {
		cq_set_used_event(&c, (uint16_t)(c.drv->last_used + 1));
		cq_round(&c, &s, 2, CQ_FILL);
		cq_round(&c, &s, 2, CQ_FILL);
		(void)cq_notify(&c);
	}
	c.or.miss_clause = NULL;
	cq_set_used_event(&c, (uint16_t)(c.drv->last_used + 5));
	for (unsigned r = 0; r < 3; r++)
		cq_round(&c, &s, 2, CQ_BATCH);
	ck_assert_uint_ge(c.or.required, 4);
	cq_close(&c);
}

/*
 * 65536 entries published before one decision: need_event cannot judge the
 * window (new == old), yet used_event certainly lies in it, so the device
 * must notify.
 */
VQC_TEST(EVT_WIN_2__unjudgeable_window_notifies)
{
	const uint32_t q = 32768;
	struct cq c;
	struct cq_spec s = rw_spec(0, 4);

	if (!open_q(&c, q, F_EVT))
		return;
	cq_set_used_event(&c, 0x1234);
	cq_round(&c, &s, q, CQ_FILL);
	cq_round(&c, &s, q, CQ_FILL);
	(void)cq_notify(&c);
	ck_assert_uint_eq(c.or.required, 1);
	cq_round(&c, &s, 3, CQ_EACH);
	cq_close(&c);
}

const struct vqc_test_def vqc_tests_notify[] = {
	VQC_DEF(SPLIT_UNS_6__used_event_ignored_without_event_idx, "SPLIT-UNS-6", CQ_NSIZES, 0),
	VQC_DEF(SPLIT_UNS_7__no_interrupt_suppresses_notifications, "SPLIT-UNS-7", CQ_NSIZES, 0),
	VQC_DEF(SPLIT_UNS_8__notifies_while_flags_bit_0_clear, "SPLIT-UNS-8", CQ_NSIZES, 0),
	VQC_DEF(SPLIT_UNS_9__flags_ignored_with_event_idx, "SPLIT-UNS-9", CQ_NSIZES, 0),
	VQC_DEF(SPLIT_UNS_10__notifies_when_used_event_slot_is_filled, "SPLIT-UNS-10",
		2 * CQ_NSIZES, 0),
	VQC_DEF(SPLIT_UNS_11__no_notification_outside_used_event, "SPLIT-UNS-11", CQ_NSIZES, 0),
	VQC_DEF(SPLIT_UNS_12__used_event_pinned_at_0_over_65537_completions,
		"SPLIT-UNS-12 SPLIT-AV-2 SPLIT-USED-4", CQ_NSIZES, 300),
	VQC_DEF(EVT_WIN_1__window_runs_from_the_previous_decision, "EVT-WIN-1", 3, 0),
	VQC_DEF(EVT_WIN_2__unjudgeable_window_notifies, "EVT-WIN-2", 1, 300),
	{0},
};
