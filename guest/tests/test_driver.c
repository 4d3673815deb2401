/* SPDX-License-Identifier: MIT */
/* The driver: what it writes where, when it kicks, what it makes of used entries. */
#include "guest.h"

#include <string.h>

#include "vguest/driver.h"
#include "vguest/race.h"

#define G0 UINT64_C(0x200000)

static struct vg_mem m;
static struct vg_drv *d;

static void make(uint32_t size, uint64_t features)
{
	vg_mem_init(&m, VG_MEM_KINDS);
	ck_assert_int_ge(vg_mem_add(&m, G0, 1 << 20), 0);
	d = vg_drv_create(&m, size, features);
	ck_assert_ptr_nonnull(d);
}

static void teardown(void)
{
	vg_drv_destroy(d);
	vg_mem_destroy(&m);
}

static struct vg_desc desc_at(uint64_t gpa)
{
	uint8_t raw[16];

	ck_assert(vg_mem_read(&m, gpa, raw, 16));
	return vg_desc_decode(raw);
}

static void count_write(void *arg, uint64_t gpa, uint8_t was, uint8_t now)
{
	(void)gpa;
	(void)was;
	(void)now;
	(*(unsigned *)arg)++;
}

/* What a device does to return a head: one used entry, then idx. */
static void device_returns(uint16_t slot, uint32_t id, uint32_t len)
{
	vg_drv_write_used_elem(d, slot, id, len);
	vg_mem_store16(&m, d->used + VG_USED_IDX, (uint16_t)(slot + 1), true);
}

START_TEST(parts_are_aligned_zeroed_and_marked)
{
	make(8, 0);
	ck_assert_uint_eq(d->desc % 16, 0);
	ck_assert_uint_eq(d->avail % 2, 0);
	ck_assert_uint_eq(d->used % 4, 0);
	ck_assert_uint_eq(vg_mem_kind(&m, d->desc), VG_K_DESC);
	ck_assert_uint_eq(vg_mem_kind(&m, d->desc + 16 * 8), VG_K_GUARD_DESC);
	ck_assert_uint_eq(vg_mem_kind(&m, d->avail + 2), VG_K_AVAIL_IDX);
	ck_assert_uint_eq(vg_mem_kind(&m, vg_drv_used_event_gpa(d)), VG_K_USED_EVENT);
	ck_assert_uint_eq(vg_mem_kind(&m, vg_drv_avail_event_gpa(d) + 1), VG_K_AVAIL_EVENT);
	ck_assert_uint_eq(vg_mem_kind(&m, vg_drv_avail_event_gpa(d) + 2), VG_K_GUARD_USED);
	ck_assert_uint_eq(vg_drv_used_idx(d), 0);
	ck_assert(vg_mem_guards_intact(&m, NULL));
}
END_TEST

/*
 * Head records are cleared only as far as they were used: a queue moved to
 * fewer entries and back to more must find every record it gets back free
 * and empty (records 2 and 3 sat past the small queue's end).
 */
START_TEST(records_past_a_smaller_queue_come_back_free)
{
	struct vg_chain c;

	make(8, 0);
	for (int i = 0; i < 4; i++) {
		vg_chain_init(&c);
		ck_assert_uint_ne(vg_chain_writable(d, &c, 7), 0);
		ck_assert_int_eq(vg_drv_add(d, &c, VG_CHAIN_MAX, (uint64_t)i), i);
	}
	ck_assert_uint_eq(d->head[3].state, VG_HEAD_ADDED);
	ck_assert_int_eq(vg_drv_relocate(d, 2, d->desc, d->avail, d->used), 0);
	ck_assert_uint_eq(d->head[1].state, VG_HEAD_FREE);
	ck_assert_int_eq(vg_drv_relocate(d, 8, d->desc, d->avail, d->used), 0);
	for (int i = 0; i < 8; i++) {
		ck_assert_uint_eq(d->head[i].state, VG_HEAD_FREE);
		ck_assert_uint_eq(d->head[i].wcap, 0);
		ck_assert_uint_eq(d->head[i].nb, 0);
	}
	ck_assert_uint_eq(d->num_free, 8);
}
END_TEST

START_TEST(direct_chain_is_linked_along_the_free_list)
{
	struct vg_chain c;
	struct vg_desc x;
	int head;

	make(8, 0);
	vg_chain_init(&c);
	ck_assert_uint_ne(vg_chain_readable(d, &c, "hello", 5), 0);
	ck_assert_uint_ne(vg_chain_writable(d, &c, 7), 0);
	head = vg_drv_add(d, &c, VG_CHAIN_MAX, 99);
	ck_assert_int_eq(head, 0);
	x = desc_at(d->desc);
	ck_assert_uint_eq(x.addr, c.buf[0].gpa);
	ck_assert_uint_eq(x.len, 5);
	ck_assert_uint_eq(x.flags, VG_DESC_F_NEXT);
	ck_assert_uint_eq(x.next, 1);
	x = desc_at(d->desc + 16);
	ck_assert_uint_eq(x.flags, VG_DESC_F_WRITE);
	ck_assert_uint_eq(vg_mem_kind(&m, c.buf[1].gpa), VG_K_WBUF);
	ck_assert_uint_eq(vg_mem_load16(&m, d->avail + 4), 0);
	/* Staged, not exposed, until publish. */
	ck_assert_uint_eq(vg_drv_avail_idx(d), 0);
	ck_assert_uint_eq(d->num_free, 6);
	ck_assert(vg_drv_publish(d));
	ck_assert_uint_eq(vg_drv_avail_idx(d), 1);
	ck_assert_uint_eq(d->exposed, 1);
	ck_assert_uint_eq(d->head[0].rcap, 5);
	ck_assert_uint_eq(d->head[0].wcap, 7);
}
END_TEST

START_TEST(mixed_chain_puts_the_rest_in_one_indirect_table)
{
	struct vg_chain c;
	struct vg_desc x;

	make(8, VG_FEATURE(VG_F_INDIRECT_DESC));
	vg_chain_init(&c);
	for (int i = 0; i < 3; i++)
		vg_chain_readable(d, &c, NULL, 4);
	vg_chain_writable(d, &c, 4);
	ck_assert_int_eq(vg_drv_add(d, &c, 1, 0), 0);
	x = desc_at(d->desc + 16);
	ck_assert_uint_eq(x.flags, VG_DESC_F_INDIRECT);
	ck_assert_uint_eq(x.len, 48);
	ck_assert_uint_eq(vg_mem_kind(&m, x.addr), VG_K_INDIRECT);
	/* Linux's layout: next = i + 1 on every entry, NEXT cleared on the last. */
	ck_assert_uint_eq(desc_at(x.addr + 32).flags, VG_DESC_F_WRITE);
	ck_assert_uint_eq(desc_at(x.addr + 32).next, 3);
	ck_assert_uint_eq(desc_at(x.addr).addr, c.buf[1].gpa);
	ck_assert_uint_eq(d->head[0].ndesc, 2);
}
END_TEST

START_TEST(kicks_follow_suppression_exactly)
{
	struct vg_chain c;

	make(8, 0);
	vg_chain_init(&c);
	vg_chain_readable(d, &c, NULL, 4);
	ck_assert_int_ge(vg_drv_add_publish(d, &c, 0), 0);
	ck_assert_uint_eq(d->kicks, 1);
	vg_mem_store16(&m, d->used, VG_USED_F_NO_NOTIFY, false);
	ck_assert_int_ge(vg_drv_add(d, &c, VG_CHAIN_MAX, 0), 0);
	ck_assert(!vg_drv_publish(d));
	vg_drv_destroy(d);
	vg_mem_destroy(&m);
	/* EVENT_IDX: kick iff avail_event is one of the slots just published. */
	make(8, VG_FEATURE(VG_F_EVENT_IDX));
	vg_chain_init(&c);
	vg_chain_readable(d, &c, NULL, 4);
	vg_mem_store16(&m, vg_drv_avail_event_gpa(d), 1, false);
	ck_assert_int_ge(vg_drv_add(d, &c, VG_CHAIN_MAX, 0), 0);
	ck_assert(!vg_drv_publish(d)); /* filled slot 0 */
	ck_assert_int_ge(vg_drv_add(d, &c, VG_CHAIN_MAX, 0), 0);
	ck_assert(vg_drv_publish(d));  /* filled slot 1 */
}
END_TEST

START_TEST(reap_judges_each_used_entry)
{
	struct vg_chain c;
	struct vg_used u;
	int head;

	make(4, 0);
	vg_chain_init(&c);
	vg_chain_readable(d, &c, NULL, 4);
	vg_chain_writable(d, &c, 10);
	head = vg_drv_add(d, &c, VG_CHAIN_MAX, 7);
	vg_drv_publish(d);
	ck_assert_int_eq(vg_drv_reap(d, &u), 0);
	device_returns(0, (uint32_t)head, 10); /* exactly the writable part */
	ck_assert_int_eq(vg_drv_reap(d, &u), 1);
	ck_assert_uint_eq(u.verdict, VG_USED_OK);
	ck_assert_uint_eq(u.token, 7);
	ck_assert_uint_eq(d->num_free, 4);
	head = vg_drv_add(d, &c, VG_CHAIN_MAX, 8);
	vg_drv_publish(d);
	device_returns(1, (uint32_t)head, 11); /* one byte more than it holds */
	ck_assert_int_eq(vg_drv_reap(d, &u), 1);
	ck_assert_uint_eq(u.verdict, VG_USED_LEN_OVER);
	device_returns(2, 4, 0);
	ck_assert_int_eq(vg_drv_reap(d, &u), 1);
	ck_assert_uint_eq(u.verdict, VG_USED_BAD_ID);
	device_returns(3, (uint32_t)head, 0); /* returned already */
	ck_assert_int_eq(vg_drv_reap(d, &u), 1);
	ck_assert_uint_eq(u.verdict, VG_USED_NOT_EXPOSED);
}
END_TEST

START_TEST(shuffled_free_list_is_a_permutation)
{
	bool seen[32] = {false};
	bool out_of_order = false;

	make(32, 0);
	vg_drv_restart(d, true);
	for (int i = 0; i < 32; i++) {
		struct vg_chain c;
		int head;

		vg_chain_init(&c);
		vg_chain_readable(d, &c, NULL, 1);
		head = vg_drv_add(d, &c, VG_CHAIN_MAX, 0);
		ck_assert_int_ge(head, 0);
		ck_assert(!seen[head]);
		seen[head] = true;
		out_of_order |= head != i;
	}
	ck_assert(out_of_order);
	ck_assert_uint_eq(d->num_free, 0);
}
END_TEST

START_TEST(hostile_entries_are_recorded_as_such)
{
	uint16_t idx[2];

	make(8, 0);
	ck_assert_int_eq(vg_drv_take(d, 2, idx), 0);
	ck_assert_int_eq(vg_drv_take(d, 7, idx), -1); /* 6 left */
	vg_drv_add_hostile(d, idx, 2, 16);
	vg_drv_add_bogus_head(d, 8);
	ck_assert(d->slot_hostile[0] && d->slot_hostile[1]);
	ck_assert_uint_eq(d->slot_head[1], 8);
	vg_drv_publish(d);
	ck_assert_uint_eq(vg_drv_avail_idx(d), 2);
	ck_assert_uint_eq(d->exposed, 1);
	vg_drv_set_avail_idx(d, 0xFFF0);
	ck_assert_uint_eq(vg_drv_avail_idx(d), 0xFFF0);
}
END_TEST

/* The racing driver writes exactly before the loads it was told, and as a driver. */
START_TEST(racing_writes_land_before_their_load_and_are_the_drivers)
{
	struct vg_race r;
	uint8_t b = 0;
	unsigned device_writes = 0;

	vg_mem_init(&m, VG_MEM_SHADOW);
	ck_assert_int_ge(vg_mem_add(&m, G0, 4096), 0);
	d = NULL;
	vg_mem_snapshot(&m);
	vg_race_init(&r, &m);
	ck_assert(vg_race_add(&r, 1, G0 + 5, 0x0F));
	ck_assert(vg_race_add(&r, 1, G0 + 5, 0xF0));
	ck_assert(vg_race_add(&r, 2, G0 + 4096, 0xFF)); /* unmapped: skipped */
	for (unsigned i = 0; i < VG_RACE_MAX - 3; i++)
		ck_assert(vg_race_add(&r, 100, G0, 1));
	ck_assert(!vg_race_add(&r, 100, G0, 1)); /* full */
	vg_race_before_load(&r);
	ck_assert(vg_mem_read(&m, G0 + 5, &b, 1));
	ck_assert_uint_eq(b, 0); /* nothing before load 1 */
	vg_race_before_load(&r);
	ck_assert(vg_mem_read(&m, G0 + 5, &b, 1));
	ck_assert_uint_eq(b, 0xFF);
	vg_race_before_load(&r);
	ck_assert_uint_eq(r.loads, 3);
	vg_mem_diff(&m, count_write, &device_writes);
	ck_assert_uint_eq(device_writes, 0);
}
END_TEST

/* What a fuzz input gets: the driver of the input before, made new (vg_drv_reuse). */
START_TEST(a_reused_driver_is_as_new_whatever_it_held)
{
	struct vg_chain c;
	uint64_t desc = G0 + 0x10000, avail = G0 + 0x20000, used = G0 + 0x30000;

	make(8, 0);
	vg_chain_init(&c);
	ck_assert_uint_ne(vg_chain_writable(d, &c, 7), 0);
	ck_assert_int_eq(vg_drv_add(d, &c, VG_CHAIN_MAX, 1), 0);
	ck_assert(vg_drv_publish(d));
	vg_drv_set_avail_flags(d, 1);
	ck_assert_int_eq(vg_drv_reuse(d, 16, VG_FEATURE(VG_F_EVENT_IDX), desc, avail, used), 0);
	ck_assert_uint_eq(d->size, 16); /* grown past what it had */
	ck_assert_uint_eq(d->features, VG_FEATURE(VG_F_EVENT_IDX));
	ck_assert_uint_eq(d->num_free, 16);
	ck_assert_uint_eq(d->nbufs, 0);
	ck_assert_uint_eq(d->exposed, 0);
	ck_assert_uint_eq(vg_drv_avail_idx(d), 0);
	ck_assert_uint_eq(vg_drv_avail_flags(d), 0);
	ck_assert(!d->own_zones);
	for (unsigned i = 0; i < 16; i++) {
		ck_assert_uint_eq(d->head[i].state, VG_HEAD_FREE);
		ck_assert_uint_eq(d->head[i].nb, 0);
		ck_assert_uint_eq(d->head[i].table, 0);
	}
	ck_assert_uint_eq(vg_mem_kind(&m, used + 4), VG_K_USED_ELEM);
	ck_assert_int_eq(vg_drv_reuse(d, 1, 0, desc, avail, used), 0); /* size 1: smaller again */
	ck_assert_uint_eq(d->num_free, 1);
	ck_assert_int_eq(vg_drv_reuse(d, 3, 0, desc, avail, used), -1); /* not a power of two */
}
END_TEST

Suite *driver_suite(void)
{
	Suite *s = suite_create("driver");
	TCase *t = tcase_create("driver");

	tcase_add_checked_fixture(t, NULL, teardown);
	tcase_add_test(t, parts_are_aligned_zeroed_and_marked);
	tcase_add_test(t, direct_chain_is_linked_along_the_free_list);
	tcase_add_test(t, records_past_a_smaller_queue_come_back_free);
	tcase_add_test(t, mixed_chain_puts_the_rest_in_one_indirect_table);
	tcase_add_test(t, kicks_follow_suppression_exactly);
	tcase_add_test(t, reap_judges_each_used_entry);
	tcase_add_test(t, shuffled_free_list_is_a_permutation);
	tcase_add_test(t, hostile_entries_are_recorded_as_such);
	tcase_add_test(t, racing_writes_land_before_their_load_and_are_the_drivers);
	tcase_add_test(t, a_reused_driver_is_as_new_whatever_it_held);
	suite_add_tcase(s, t);
	return s;
}
