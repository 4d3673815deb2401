/* SPDX-License-Identifier: MIT */
/*
 * The reference model at every bound it enforces, from both sides, and its
 * own view of which chains are alive.  The guest's driver builds the rings;
 * where a test plays the device it writes the used ring by hand.
 */
#include "guest.h"

#include <string.h>

#include "vguest/driver.h"
#include "vguest/model.h"

#define G0 UINT64_C(0x300000)
#define BUF (G0 + 0x80000)
#define TABLE (G0 + 0x90000)

static struct vg_mem m;
static struct vg_drv *d;
static struct vg_model_cfg cfg;
static struct vg_seg seg[256];
static uint64_t visit[40000];

static void make(uint32_t size, uint64_t features)
{
	vg_mem_init(&m, VG_MEM_KINDS);
	ck_assert_int_ge(vg_mem_add(&m, G0, 1 << 20), 0);
	d = vg_drv_create(&m, size, features);
	ck_assert_ptr_nonnull(d);
	cfg = (struct vg_model_cfg){size, features, d->desc, d->avail, d->used, 4, 0};
}

static void teardown(void)
{
	vg_drv_destroy(d);
	vg_mem_destroy(&m);
}

static struct vg_walk walk_of(uint16_t head)
{
	struct vg_walk w = {.seg = seg, .seg_cap = 256, .visit = visit, .visit_cap = 40000};

	vg_model_walk(&m, &cfg, head, &w);
	return w;
}

static enum vg_reason reason_of(uint16_t head) { return walk_of(head).reason; }

START_TEST(layout_verdicts_at_the_edges)
{
	struct vg_model_cfg c;

	make(8, 0);
	ck_assert_uint_eq(vg_model_layout(&m, &cfg), VG_R_NONE);
	c = cfg;
	c.desc += 8;
	ck_assert_uint_eq(vg_model_layout(&m, &c), VG_R_RING_ALIGN);
	c = cfg;
	c.avail = G0 + (1 << 20) - vg_avail_bytes(8); /* ends on the region's last byte */
	ck_assert_uint_eq(vg_model_layout(&m, &c), VG_R_NONE);
	c.avail += 2; /* the next aligned place: one field past it */
	ck_assert_uint_eq(vg_model_layout(&m, &c), VG_R_RING_RANGE);
	c = cfg;
	c.avail = c.desc + vg_desc_bytes(8); /* touching: fine */
	ck_assert_uint_eq(vg_model_layout(&m, &c), VG_R_NONE);
	c.avail -= 2; /* overlapping by two bytes */
	ck_assert_uint_eq(vg_model_layout(&m, &c), VG_R_RING_RANGE);
}
END_TEST

START_TEST(next_index_at_and_past_the_table)
{
	make(8, 0);
	vg_drv_write_desc(d, 0, BUF, 16, VG_DESC_F_NEXT, 7);
	vg_drv_write_desc(d, 7, BUF, 16, 0, 0);
	ck_assert_uint_eq(reason_of(0), VG_R_NONE);
	vg_drv_write_desc(d, 0, BUF, 16, VG_DESC_F_NEXT, 8);
	ck_assert_uint_eq(reason_of(0), VG_R_NEXT_RANGE);
}
END_TEST

START_TEST(chain_of_exactly_q_descriptors_and_one_more)
{
	make(4, 0);
	for (uint16_t i = 0; i < 4; i++)
		vg_drv_write_desc(d, i, BUF, 1, i < 3 ? VG_DESC_F_NEXT : 0, (uint16_t)(i + 1));
	ck_assert_uint_eq(reason_of(0), VG_R_NONE);
	ck_assert_uint_eq(walk_of(0).nvisit, 4);
	vg_drv_write_desc(d, 3, BUF, 1, VG_DESC_F_NEXT, 0); /* back to the start */
	ck_assert_uint_eq(reason_of(0), VG_R_CHAIN_LOOP);
	ck_assert_uint_eq(walk_of(0).nvisit, 4);
}
END_TEST

START_TEST(indirect_rules_each_with_their_reason)
{
	struct vg_walk w;

	make(8, VG_FEATURE(VG_F_INDIRECT_DESC));
	for (uint32_t i = 0; i < 5; i++)
		vg_drv_write_table_desc(d, TABLE, i, BUF, 8, i < 3 ? VG_DESC_F_NEXT : 0, (uint16_t)(i + 1));
	/* cfg.max_indirect is 4: 64 bytes is the bound, 80 one entry past it. */
	vg_drv_write_desc(d, 0, TABLE, 64, VG_DESC_F_INDIRECT, 0);
	ck_assert_uint_eq(reason_of(0), VG_R_NONE);
	vg_drv_write_desc(d, 0, TABLE, 80, VG_DESC_F_INDIRECT, 0);
	ck_assert_uint_eq(reason_of(0), VG_R_INDIRECT_TOO_LONG);
	vg_drv_write_desc(d, 0, TABLE, 17, VG_DESC_F_INDIRECT, 0);
	ck_assert_uint_eq(reason_of(0), VG_R_INDIRECT_LEN);
	vg_drv_write_desc(d, 0, TABLE, 0, VG_DESC_F_INDIRECT, 0);
	w = walk_of(0);
	ck_assert_uint_eq(w.reason, VG_R_INDIRECT_LEN);
	ck_assert(w.also & (UINT64_C(1) << VG_R_CHAIN_LOOP)); /* a device may call it a loop */
	vg_drv_write_desc(d, 0, TABLE, 64, VG_DESC_F_INDIRECT | VG_DESC_F_NEXT, 1);
	w = walk_of(0);
	ck_assert_uint_eq(w.reason, VG_R_INDIRECT_WITH_NEXT);
	ck_assert(w.latitude & VG_WALK_SERVABLE);
	vg_drv_write_table_desc(d, TABLE, 1, TABLE, 16, VG_DESC_F_INDIRECT, 0);
	vg_drv_write_desc(d, 0, TABLE, 64, VG_DESC_F_INDIRECT, 0);
	ck_assert_uint_eq(reason_of(0), VG_R_INDIRECT_NESTED);
	cfg.features = 0;
	ck_assert_uint_eq(reason_of(0), VG_R_INDIRECT_NOT_NEGOTIATED);
}
END_TEST

START_TEST(table_loop_is_stopped_at_its_length)
{
	make(8, VG_FEATURE(VG_F_INDIRECT_DESC));
	vg_drv_write_table_desc(d, TABLE, 0, BUF, 8, VG_DESC_F_NEXT, 1);
	vg_drv_write_table_desc(d, TABLE, 1, BUF, 8, VG_DESC_F_NEXT, 0);
	vg_drv_write_desc(d, 0, TABLE, 32, VG_DESC_F_INDIRECT, 0);
	ck_assert_uint_eq(reason_of(0), VG_R_INDIRECT_LOOP);
	ck_assert_uint_eq(walk_of(0).nvisit, 3);
}
END_TEST

START_TEST(buffer_rules_at_their_edges)
{
	make(8, 0);
	/* The last byte of the address space is addressable; one more wraps. */
	vg_drv_write_desc(d, 0, UINT64_MAX, 1, 0, 0);
	ck_assert_uint_eq(reason_of(0), VG_R_ADDR_RANGE);
	vg_drv_write_desc(d, 0, UINT64_MAX, 2, 0, 0);
	ck_assert_uint_eq(reason_of(0), VG_R_ADDR_OVERFLOW);
	/* The buffer's last byte on the region's last byte, then one past. */
	vg_drv_write_desc(d, 0, G0 + (1 << 20) - 16, 16, 0, 0);
	ck_assert_uint_eq(reason_of(0), VG_R_NONE);
	vg_drv_write_desc(d, 0, G0 + (1 << 20) - 16, 17, 0, 0);
	ck_assert_uint_eq(reason_of(0), VG_R_ADDR_RANGE);
	vg_drv_write_desc(d, 0, BUF, 8, VG_DESC_F_WRITE | VG_DESC_F_NEXT, 1);
	vg_drv_write_desc(d, 1, BUF, 8, 0, 0);
	ck_assert_uint_eq(reason_of(0), VG_R_READ_AFTER_WRITE);
	/* A zero-length buffer anywhere: never translated, but a device may refuse it. */
	vg_drv_write_desc(d, 0, 0, 0, 0, 0);
	ck_assert_uint_eq(reason_of(0), VG_R_NONE);
	ck_assert(walk_of(0).latitude & VG_WALK_ZERO_OUTSIDE);
}
END_TEST

/*
 * A buffer that breaks an ordering rule and also leaves guest memory: the
 * rule is the reason and the range is among what a device may say; either
 * alone is the reason with nothing else.  Each at the region's last byte and
 * one past it.
 */
START_TEST(buffer_fault_with_range_names_both_at_the_region_edge)
{
	const uint64_t end = G0 + (1 << 20), range = UINT64_C(1) << VG_R_ADDR_RANGE;
	struct vg_walk w;

	make(8, 0);
	vg_drv_write_desc(d, 0, BUF, 8, VG_DESC_F_WRITE | VG_DESC_F_NEXT, 1);
	vg_drv_write_desc(d, 1, end - 16, 16, 0, 0);
	w = walk_of(0);
	ck_assert_uint_eq(w.reason, VG_R_READ_AFTER_WRITE);
	ck_assert_uint_eq(w.also, UINT64_C(1) << VG_R_READ_AFTER_WRITE);
	vg_drv_write_desc(d, 1, end - 16, 17, 0, 0);
	w = walk_of(0);
	ck_assert_uint_eq(w.reason, VG_R_READ_AFTER_WRITE);
	ck_assert_uint_eq(w.also, (UINT64_C(1) << VG_R_READ_AFTER_WRITE) | range);
	/* Writable, so in order: only the range is wrong. */
	vg_drv_write_desc(d, 1, end - 16, 17, VG_DESC_F_WRITE, 0);
	w = walk_of(0);
	ck_assert_uint_eq(w.reason, VG_R_ADDR_RANGE);
	ck_assert_uint_eq(w.also, range);
	ck_assert_uint_eq(w.nseg, 2); /* the first buffer and the mapped prefix of the second */
	ck_assert_uint_eq(w.seg[1].len, 16);
	vg_drv_write_desc(d, 1, end - 16, 16, VG_DESC_F_WRITE, 0);
	ck_assert_uint_eq(reason_of(0), VG_R_NONE);
}
END_TEST

START_TEST(chain_total_just_below_and_at_2_to_the_32)
{
	const uint64_t big = UINT64_C(0x100000000); /* a 1 GiB region, never touched */

	make(8, 0);
	ck_assert_int_ge(vg_mem_add(&m, big, 1u << 30), 0);
	/* Four buffers over the same gigabyte: 2^32 - 1 bytes in all is fine, 2^32 is not. */
	for (uint16_t i = 0; i < 3; i++)
		vg_drv_write_desc(d, i, big, 1u << 30, VG_DESC_F_NEXT, (uint16_t)(i + 1));
	vg_drv_write_desc(d, 3, big, (1u << 30) - 1, 0, 0);
	ck_assert_uint_eq(reason_of(0), VG_R_NONE);
	vg_drv_write_desc(d, 3, big, 1u << 30, 0, 0);
	ck_assert_uint_eq(reason_of(0), VG_R_CHAIN_TOO_BIG);
}
END_TEST

START_TEST(segments_split_at_regions_and_stop_at_the_declared_bound)
{
	struct vg_walk w;

	make(8, 0);
	ck_assert_int_ge(vg_mem_add(&m, G0 + (1 << 20), 4096), 0);
	vg_drv_write_desc(d, 0, G0 + (1 << 20) - 8, 16, VG_DESC_F_WRITE, 0);
	w = walk_of(0);
	ck_assert_uint_eq(w.reason, VG_R_NONE);
	ck_assert_uint_eq(w.nseg, 2);
	ck_assert_uint_eq(w.seg[1].gpa, G0 + (1 << 20));
	ck_assert_uint_eq(w.writable, 16);
	cfg.max_segs = 2;
	ck_assert_uint_eq(reason_of(0), VG_R_NONE);
	cfg.max_segs = 1;
	w = walk_of(0);
	ck_assert_uint_eq(w.reason, VG_R_SEGS_FULL);
	ck_assert_uint_eq(w.writable, 16); /* handed out before the array ran out */
}
END_TEST

/* Pop one chain in the model; assert the outcome. */
static enum vg_pop pop(struct vg_model *mo, struct vg_mchain *mc, enum vg_reason *why)
{
	struct vg_walk w = {.seg = seg, .seg_cap = 256, .visit = visit, .visit_cap = 40000};

	return vg_model_pop(mo, &w, mc, why);
}

static void add_one(uint32_t wlen)
{
	struct vg_chain c;

	vg_chain_init(&c);
	vg_chain_writable(d, &c, wlen);
	ck_assert_int_ge(vg_drv_add(d, &c, VG_CHAIN_MAX, 0), 0);
	vg_drv_publish(d);
}

START_TEST(a_chain_from_before_a_reset_is_dead_whatever_its_head)
{
	struct vg_model mo;
	struct vg_mchain old, now;
	enum vg_reason why;

	make(4, 0);
	ck_assert(vg_model_init(&mo, &m, &cfg));
	add_one(64);
	ck_assert_uint_eq(pop(&mo, &old, &why), VG_POP_CHAIN);
	vg_model_reset(&mo);
	vg_drv_restart(d, false);
	add_one(8);
	ck_assert_uint_eq(pop(&mo, &now, &why), VG_POP_CHAIN);
	ck_assert_uint_eq(now.head, old.head);
	ck_assert_uint_eq(vg_model_fill(&mo, &old, 64), VG_R_STALE_CHAIN);
	ck_assert_uint_eq(vg_model_fill(&mo, &now, 64), VG_R_NONE);
	ck_assert_uint_eq(vg_model_fill(&mo, &now, 64), VG_R_NOT_IN_FLIGHT);
	ck_assert_uint_eq(vg_model_flush(&mo), VG_R_NONE);
	ck_assert_uint_eq(mo.ring[0].len, 8); /* capped at the writable bytes */
	vg_model_free(&mo);
}
END_TEST

START_TEST(avail_idx_exactly_q_ahead_and_one_more)
{
	struct vg_model mo;
	struct vg_mchain mc;
	enum vg_reason why;

	make(4, 0);
	ck_assert(vg_model_init(&mo, &m, &cfg));
	vg_drv_set_avail_idx(d, 4);
	ck_assert_uint_eq(pop(&mo, &mc, &why), VG_POP_CHAIN);
	vg_model_reset(&mo);
	vg_drv_set_avail_idx(d, 5);
	ck_assert_uint_eq(pop(&mo, &mc, &why), VG_POP_BROKEN);
	ck_assert_uint_eq(why, VG_R_AVAIL_IDX);
	ck_assert_uint_eq(pop(&mo, &mc, &why), VG_POP_BROKEN);
	ck_assert_uint_eq(why, VG_R_BROKEN);
	vg_model_free(&mo);
}
END_TEST

START_TEST(notification_follows_the_slot_the_driver_named)
{
	struct vg_model mo;
	struct vg_mchain mc;
	enum vg_reason why;

	make(8, VG_FEATURE(VG_F_EVENT_IDX));
	ck_assert(vg_model_init(&mo, &m, &cfg));
	vg_drv_set_used_event(d, 1);
	for (int i = 0; i < 2; i++) {
		add_one(4);
		ck_assert_uint_eq(pop(&mo, &mc, &why), VG_POP_CHAIN);
		vg_model_fill(&mo, &mc, 0);
		vg_model_flush(&mo);
		/* Slot 0: not the one named; slot 1: it is. */
		ck_assert_uint_eq(vg_model_notify(&mo), i == 0 ? VG_NOTIFY_NO : VG_NOTIFY_YES);
	}
	ck_assert_uint_eq(vg_model_notify(&mo), VG_NOTIFY_NO); /* nothing new */
	ck_assert_uint_eq(vg_model_restore(&mo, 2, 2), VG_R_NONE);
	add_one(4);
	ck_assert_uint_eq(pop(&mo, &mc, &why), VG_POP_CHAIN);
	vg_model_fill(&mo, &mc, 0);
	vg_model_flush(&mo);
	ck_assert_uint_eq(vg_model_notify(&mo), VG_NOTIFY_EITHER); /* the window is unknown */
	ck_assert_uint_eq(vg_model_restore(&mo, 9, 0), VG_R_RESTORE);
	ck_assert_uint_eq(vg_model_restore(&mo, 8, 0), VG_R_NONE);
	vg_model_free(&mo);
}
END_TEST

START_TEST(used_ring_check_names_the_difference)
{
	struct vg_model mo;
	struct vg_mchain mc;
	enum vg_reason why;
	char msg[160];

	make(4, 0);
	ck_assert(vg_model_init(&mo, &m, &cfg));
	add_one(16);
	ck_assert_uint_eq(pop(&mo, &mc, &why), VG_POP_CHAIN);
	vg_model_fill(&mo, &mc, 10);
	vg_model_flush(&mo);
	ck_assert_int_eq(vg_model_check_used(&mo, true, msg, sizeof(msg)), -1); /* idx not stored yet */
	vg_drv_write_used_elem(d, 0, mc.head, 10);
	vg_mem_store16(&m, d->used + VG_USED_IDX, 1, true);
	ck_assert_int_eq(vg_model_check_used(&mo, true, msg, sizeof(msg)), 0);
	vg_drv_write_used_elem(d, 0, mc.head, 11);
	ck_assert_int_eq(vg_model_check_used(&mo, true, msg, sizeof(msg)), -1);
	ck_assert_ptr_nonnull(strstr(msg, "len 11"));
	vg_model_free(&mo);
}
END_TEST

/*
 * A slot whose published entry is being replaced by one not yet published
 * (a queue of 1 returns every chain in slot 0): until the flush the model
 * vouches for neither, since a device may write entries when it publishes
 * (vringh's complete_multi does); after it, for the new one.
 */
START_TEST(an_unpublished_entry_is_judged_when_published)
{
	struct vg_model mo;
	struct vg_mchain mc;
	struct vg_used u;
	enum vg_reason why;
	char msg[160];

	make(1, 0);
	ck_assert(vg_model_init(&mo, &m, &cfg));
	add_one(16);
	ck_assert_uint_eq(pop(&mo, &mc, &why), VG_POP_CHAIN);
	vg_model_fill(&mo, &mc, 8);
	vg_model_flush(&mo);
	vg_drv_write_used_elem(d, 0, mc.head, 8);
	vg_mem_store16(&m, d->used + VG_USED_IDX, 1, true);
	ck_assert_int_eq(vg_model_check_used(&mo, true, msg, sizeof(msg)), 0);
	ck_assert_int_eq(vg_drv_reap(d, &u), 1); /* the driver takes it back: its head is free again */
	add_one(16);
	ck_assert_uint_eq(pop(&mo, &mc, &why), VG_POP_CHAIN);
	vg_model_fill(&mo, &mc, 12);
	ck_assert_msg(vg_model_check_used(&mo, true, msg, sizeof(msg)) == 0, "%s", msg); /* held back */
	vg_model_flush(&mo);
	vg_mem_store16(&m, d->used + VG_USED_IDX, 2, true);
	ck_assert_int_eq(vg_model_check_used(&mo, true, msg, sizeof(msg)), -1); /* published, not written */
	ck_assert_ptr_nonnull(strstr(msg, "len 12"));
	vg_drv_write_used_elem(d, 0, mc.head, 12);
	ck_assert_int_eq(vg_model_check_used(&mo, true, msg, sizeof(msg)), 0);
	vg_model_free(&mo);
}
END_TEST

/* What a fuzz input gets: the model of the input before, set up anew (vg_model_reuse). */
START_TEST(a_reused_model_is_as_new_whatever_it_knew)
{
	struct vg_model mo;
	struct vg_mchain c;
	enum vg_reason why;

	make(4, 0);
	ck_assert(vg_model_init(&mo, &m, &cfg));
	add_one(64);
	ck_assert_uint_eq(pop(&mo, &c, &why), VG_POP_CHAIN);
	ck_assert_uint_eq(vg_model_fill(&mo, &c, 64), VG_R_NONE);
	ck_assert_uint_eq(vg_model_flush(&mo), VG_R_NONE);
	ck_assert_uint_eq(mo.known[0], 1);
	vg_drv_restart(d, false);
	cfg.size = 8; /* more slots than it had: the arrays grow */
	ck_assert(vg_model_reuse(&mo, &m, &cfg));
	ck_assert_uint_eq(mo.epoch, 0);
	ck_assert_uint_eq(mo.last_avail, 0);
	ck_assert_uint_eq(mo.next_used, 0);
	ck_assert_uint_eq(mo.published, 0);
	for (unsigned s = 0; s < 8; s++) {
		ck_assert_uint_eq(mo.inflight[s], 0);
		ck_assert_uint_eq(mo.known[s], 0);
		ck_assert_uint_eq(mo.ring[s].id, 0);
	}
	ck_assert_uint_eq(pop(&mo, &c, &why), VG_POP_EMPTY);
	vg_model_free(&mo);
	ck_assert_ptr_null(mo.known);
}
END_TEST

/* The in-flight count the fuzz probe compares with the device's: kept by pop, fill, reset and restore. */
START_TEST(indices_count_the_chains_in_flight)
{
	struct vg_model mo;
	struct vg_mchain a, b, again;
	struct vg_walk w = {.seg = seg, .seg_cap = 256, .visit = visit, .visit_cap = 40000};
	enum vg_reason why;
	uint16_t la, ui;
	uint32_t n = 99;

	make(4, 0);
	ck_assert(vg_model_init(&mo, &m, &cfg));
	vg_model_indices(&mo, &la, &ui, &n);
	ck_assert_uint_eq(n, 0);
	add_one(8);
	add_one(8);
	ck_assert_uint_eq(pop(&mo, &a, &why), VG_POP_CHAIN);
	ck_assert_uint_eq(pop(&mo, &b, &why), VG_POP_CHAIN);
	vg_model_indices(&mo, &la, &ui, &n);
	ck_assert_uint_eq(la, 2);
	ck_assert_uint_eq(n, 2);
	/* Refused: the head is in flight already, so the count stays. */
	ck_assert_uint_eq(vg_model_reopen(&mo, a.head, &w, &again, &why), VG_POP_REJECTED);
	ck_assert_uint_eq(why, VG_R_HEAD_IN_USE);
	ck_assert_uint_eq(vg_model_fill(&mo, &a, 8), VG_R_NONE);
	ck_assert_uint_eq(vg_model_fill(&mo, &a, 8), VG_R_NOT_IN_FLIGHT); /* no second decrement */
	vg_model_indices(&mo, &la, &ui, &n);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(vg_model_reopen(&mo, a.head, &w, &again, &why), VG_POP_CHAIN);
	vg_model_indices(&mo, &la, &ui, &n);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(vg_model_restore(&mo, 7, 5), VG_R_NONE);
	vg_model_indices(&mo, &la, &ui, &n);
	ck_assert_uint_eq(la, 7);
	ck_assert_uint_eq(ui, 5);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(vg_model_fill(&mo, &b, 8), VG_R_STALE_CHAIN); /* from before: no decrement */
	vg_model_indices(&mo, &la, &ui, &n);
	ck_assert_uint_eq(n, 0);
	vg_model_free(&mo);
}
END_TEST

Suite *model_suite(void)
{
	Suite *s = suite_create("model");
	TCase *t = tcase_create("model");

	/* A 1 GiB region with a kind per byte: seconds under ASan on a loaded machine, not Check's 4. */
	tcase_set_timeout(t, 60);
	tcase_add_checked_fixture(t, NULL, teardown);
	tcase_add_test(t, layout_verdicts_at_the_edges);
	tcase_add_test(t, next_index_at_and_past_the_table);
	tcase_add_test(t, chain_of_exactly_q_descriptors_and_one_more);
	tcase_add_test(t, indirect_rules_each_with_their_reason);
	tcase_add_test(t, table_loop_is_stopped_at_its_length);
	tcase_add_test(t, buffer_fault_with_range_names_both_at_the_region_edge);
	tcase_add_test(t, buffer_rules_at_their_edges);
	tcase_add_test(t, chain_total_just_below_and_at_2_to_the_32);
	tcase_add_test(t, segments_split_at_regions_and_stop_at_the_declared_bound);
	tcase_add_test(t, a_chain_from_before_a_reset_is_dead_whatever_its_head);
	tcase_add_test(t, avail_idx_exactly_q_ahead_and_one_more);
	tcase_add_test(t, notification_follows_the_slot_the_driver_named);
	tcase_add_test(t, used_ring_check_names_the_difference);
	tcase_add_test(t, an_unpublished_entry_is_judged_when_published);
	tcase_add_test(t, a_reused_model_is_as_new_whatever_it_knew);
	tcase_add_test(t, indices_count_the_chains_in_flight);
	suite_add_tcase(s, t);
	return s;
}
