/* SPDX-License-Identifier: MIT */
/* Notification suppression in both directions (§2.7.7, §2.7.10). */
#include "unit.h"

static const uint32_t R8 = 8;

/* Publish, pop and push one read-only chain; return the notify decision. */
static bool round_trip(struct tq *t)
{
	struct virtq_chain c;
	bool notify = false;

	tq_publish(t, &R8, 1, NULL, 0, 8);
	tq_pop_expect(t, &c, 1);
	ck_assert_rc(virtq_push(&t->q, &c, 0, &notify), 0);
	ck_assert_int_eq(vg_drv_get_used(t->drv, NULL, NULL, NULL), 1);
	return notify;
}

START_TEST(without_event_idx_flags_decide_and_used_event_is_ignored)
{
	struct tq t;
	const uint16_t hostile[] = {0, 1, 0xFFFF, 0x8000, 77};

	tq_setup(&t, 8, 0);
	for (size_t i = 0; i < 5; i++) {
		vg_drv_set_used_event(t.drv, hostile[i]);
		vg_drv_set_avail_flags(t.drv, 0);
		ck_assert(round_trip(&t)); /* SPLIT-UNS-8, UNS-6 */
		vg_drv_set_avail_flags(t.drv, VG_AVAIL_F_NO_INTERRUPT);
		ck_assert(!round_trip(&t)); /* SPLIT-UNS-7 */
	}
	/* Only bit 0 counts (seed crate tested flags == 1; study gap 6). */
	vg_drv_set_avail_flags(t.drv, 0xFFFE);
	ck_assert(round_trip(&t));
	vg_drv_set_avail_flags(t.drv, 0x0003);
	ck_assert(!round_trip(&t));
	tq_teardown(&t);
}
END_TEST

START_TEST(with_event_idx_used_event_decides_and_flags_are_ignored)
{
	struct tq t;

	tq_setup(&t, 8, F_EVENT_IDX);
	/* used_event = current used idx: notify on the next entry (SPLIT-UNS-10). */
	vg_drv_set_avail_flags(t.drv, VG_AVAIL_F_NO_INTERRUPT); /* UNS-9 */
	vg_drv_set_used_event(t.drv, 0);
	ck_assert(round_trip(&t));
	/* used_event two ahead: silent, silent, then notify. */
	vg_drv_set_used_event(t.drv, 3);
	ck_assert(!round_trip(&t)); /* slot 1 */
	ck_assert(!round_trip(&t)); /* slot 2 */
	ck_assert(round_trip(&t));  /* slot 3 */
	ck_assert(!round_trip(&t)); /* slot 4: already passed (UNS-11) */
	tq_teardown(&t);
}
END_TEST

START_TEST(batch_crossing_used_event_notifies_once)
{
	struct tq t;
	struct virtq_chain c[6];

	tq_setup(&t, 8, F_EVENT_IDX);
	vg_drv_set_used_event(t.drv, 3);
	for (int i = 0; i < 6; i++) {
		tq_publish(&t, &R8, 1, NULL, 0, 8);
		tq_pop_expect(&t, &c[i], 1);
	}
	/* Slots 0..5 published at once: 3 is inside the window [0, 6). */
	for (int i = 0; i < 6; i++)
		ck_assert_rc(virtq_fill(&t.q, &c[i], 0), 0);
	ck_assert_rc(virtq_flush(&t.q), 0);
	ck_assert(virtq_should_notify(&t.q));
	/* Nothing new since the decision: no second notification. */
	ck_assert(!virtq_should_notify(&t.q));
	tq_teardown(&t);
}
END_TEST

START_TEST(windows_straddling_the_16bit_wrap)
{
	struct tq t;
	struct virtq_chain c[4];
	/* After one entry at 0xFFFE, a batch fills slots FFFF, 0, 1, 2. */
	const struct {
		uint16_t event;
		bool want;
	} cases[] = {{0xFFFF, true}, {0x0000, true}, {0x0001, true}, {0x0002, true},
		     {0xFFFE, false}, {0x0003, false}};

	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		tq_setup(&t, 8, F_EVENT_IDX);
		vg_drv_start_at(t.drv, 0xFFFE);
		ck_assert_rc(virtq_restore(&t.q, 0xFFFE, 0xFFFE), 0);
		ck_assert(!virtq_should_notify(&t.q)); /* nothing published yet */
		/* The first decision after restore notifies whatever used_event says. */
		vg_drv_set_used_event(t.drv, 0x1234);
		ck_assert(round_trip(&t));
		vg_drv_set_used_event(t.drv, cases[k].event);
		for (int i = 0; i < 4; i++) {
			tq_publish(&t, &R8, 1, NULL, 0, 8);
			tq_pop_expect(&t, &c[i], 1);
			ck_assert_rc(virtq_fill(&t.q, &c[i], 0), 0);
		}
		ck_assert_rc(virtq_flush(&t.q), 0);
		ck_assert_uint_eq(virtq_used_idx(&t.q), 0x0003);
		ck_assert_msg(virtq_should_notify(&t.q) == cases[k].want, "event 0x%04x",
			      cases[k].event);
		tq_teardown(&t);
	}
}
END_TEST

START_TEST(no_decision_for_65536_entries_forces_notify)
{
	struct tq t;
	struct virtq_chain c;

	tq_setup(&t, 1, F_EVENT_IDX);
	vg_drv_set_used_event(t.drv, 0x4000);
	for (uint32_t i = 0; i < 65536; i++) {
		tq_publish(&t, &R8, 1, NULL, 0, 8);
		tq_pop_expect(&t, &c, 1);
		ck_assert_rc(virtq_push(&t.q, &c, 0, NULL), 0); /* decision deferred */
		ck_assert_int_eq(vg_drv_get_used(t.drv, NULL, NULL, NULL), 1);
	}
	/* used idx is back at 0: need_event alone would say "nothing happened". */
	ck_assert_uint_eq(virtq_used_idx(&t.q), 0);
	ck_assert(virtq_should_notify(&t.q));
	tq_teardown(&t);
}
END_TEST

START_TEST(kicks_off_and_on_without_event_idx_use_used_flags)
{
	struct tq t;
	struct vg_chain ch;
	struct virtq_chain c;

	tq_setup(&t, 8, 0);
	ck_assert_uint_eq(vg_drv_used_flags(t.drv), 0);
	ck_assert_rc(virtq_disable_kicks(&t.q), 0);
	ck_assert_uint_eq(vg_drv_used_flags(t.drv), VG_USED_F_NO_NOTIFY);
	/* The driver adds a buffer and, obeying the flag, does not kick. */
	vg_chain_init(&ch);
	vg_chain_readable(t.drv, &ch, "abcd", 4);
	ck_assert_int_ge(vg_drv_add(t.drv, &ch, 8, 0), 0);
	ck_assert(!vg_drv_publish(t.drv));
	/* Re-enabling reports the buffer that arrived meanwhile (F2 re-check). */
	ck_assert_rc(virtq_enable_kicks(&t.q), 1);
	ck_assert_uint_eq(vg_drv_used_flags(t.drv), 0);
	tq_pop_expect(&t, &c, 1);
	ck_assert_rc(virtq_enable_kicks(&t.q), 0);
	/* Now the driver kicks again (SPLIT-ANS-4). */
	ck_assert_int_ge(vg_drv_add(t.drv, &ch, 8, 1), 0);
	ck_assert(vg_drv_publish(t.drv));
	tq_teardown(&t);
}
END_TEST

START_TEST(kicks_with_event_idx_use_avail_event_and_keep_flags_zero)
{
	struct tq t;
	struct virtq_chain c;

	tq_setup(&t, 8, F_EVENT_IDX);
	ck_assert_rc(virtq_disable_kicks(&t.q), 0);
	ck_assert_uint_eq(vg_drv_used_flags(t.drv), 0); /* SPLIT-ANS-10 */
	tq_publish(&t, &R8, 1, NULL, 0, 8);
	tq_publish(&t, &R8, 1, NULL, 0, 8);
	ck_assert_rc(virtq_enable_kicks(&t.q), 1);
	ck_assert_uint_eq(vg_drv_used_flags(t.drv), 0);
	tq_pop_expect(&t, &c, 1);
	tq_pop_expect(&t, &c, 1);
	tq_pop_expect(&t, &c, 0);
	/* Drained with kicks on: avail_event asks for a kick at the next slot. */
	ck_assert_uint_eq(vg_drv_avail_event(t.drv), 2);
	/* Polling an empty ring again neither moves nor rewrites avail_event. */
	vg_drv_write_desc(t.drv, 0, 0, 0, 0, 0);
	vg_mem_store16(&t.mem, vg_drv_avail_event_gpa(t.drv), 0xBEEF, false);
	tq_pop_expect(&t, &c, 0);
	ck_assert_uint_eq(vg_drv_avail_event(t.drv), 0xBEEF);
	vg_mem_store16(&t.mem, vg_drv_avail_event_gpa(t.drv), 2, false);
	ck_assert(vg_drv_publish(t.drv) == false); /* nothing new: no kick */
	uint64_t kicks = t.drv->kicks;
	tq_publish(&t, &R8, 1, NULL, 0, 8);
	ck_assert_uint_eq(t.drv->kicks, kicks + 1);
	/* enable_kicks with nothing pending publishes the idx it has seen. */
	tq_pop_expect(&t, &c, 1);
	ck_assert_rc(virtq_enable_kicks(&t.q), 0);
	ck_assert_uint_eq(vg_drv_avail_event(t.drv), 3);
	tq_teardown(&t);
}
END_TEST

START_TEST(device_that_only_pops_on_kicks_never_stalls_with_event_idx)
{
	struct tq t;
	struct vg_chain ch;
	struct virtq_chain c;
	unsigned served = 0, kicks = 0;

	/* The Propolis #1171 shape: EVENT_IDX on, device never calls enable_kicks. */
	tq_setup(&t, 8, F_EVENT_IDX);
	for (int i = 0; i < 1000; i++) {
		vg_chain_init(&ch);
		vg_chain_readable(t.drv, &ch, "x", 1);
		ck_assert_int_ge(vg_drv_add(t.drv, &ch, 8, 0), 0);
		if (!vg_drv_publish(t.drv))
			continue;
		kicks++;
		while (virtq_pop(&t.q, &c) == 1) {
			ck_assert_rc(virtq_push(&t.q, &c, 0, NULL), 0);
			ck_assert_int_eq(vg_drv_get_used(t.drv, NULL, NULL, NULL), 1);
			served++;
		}
	}
	ck_assert_uint_eq(served, 1000);
	ck_assert_uint_eq(kicks, 1000);
	tq_teardown(&t);
}
END_TEST

START_TEST(nothing_published_means_no_notification)
{
	struct tq t;

	tq_setup(&t, 8, 0);
	ck_assert(!virtq_should_notify(&t.q));
	ck_assert_rc(virtq_flush(&t.q), 0);
	ck_assert(!virtq_should_notify(&t.q));
	tq_teardown(&t);
}
END_TEST

Suite *notify_suite(void)
{
	Suite *s = suite_create("notify");
	TCase *tc = tcase_create("suppression");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, without_event_idx_flags_decide_and_used_event_is_ignored);
	tcase_add_test(tc, with_event_idx_used_event_decides_and_flags_are_ignored);
	tcase_add_test(tc, batch_crossing_used_event_notifies_once);
	tcase_add_test(tc, windows_straddling_the_16bit_wrap);
	tcase_add_test(tc, no_decision_for_65536_entries_forces_notify);
	tcase_add_test(tc, kicks_off_and_on_without_event_idx_use_used_flags);
	tcase_add_test(tc, kicks_with_event_idx_use_avail_event_and_keep_flags_zero);
	tcase_add_test(tc, device_that_only_pops_on_kicks_never_stalls_with_event_idx);
	tcase_add_test(tc, nothing_published_means_no_notification);
	suite_add_tcase(s, tc);
	return s;
}
